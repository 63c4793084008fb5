//! What an upload is, decided from its bytes, and whether it decodes.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use super::MediaError;

/// The file types accepted as identity documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Jpeg,
    Png,
    Webp,
    Pdf,
    Bmp,
    Tiff,
}

impl MediaKind {
    pub fn mime(&self) -> &'static str {
        match self {
            MediaKind::Jpeg => "image/jpeg",
            MediaKind::Png => "image/png",
            MediaKind::Webp => "image/webp",
            MediaKind::Pdf => "application/pdf",
            MediaKind::Bmp => "image/bmp",
            MediaKind::Tiff => "image/tiff",
        }
    }

    /// The name people know the type by, as used in error messages.
    pub fn name(&self) -> &'static str {
        match self {
            MediaKind::Jpeg => "JPEG",
            MediaKind::Png => "PNG",
            MediaKind::Webp => "WebP",
            MediaKind::Pdf => "PDF",
            MediaKind::Bmp => "BMP",
            MediaKind::Tiff => "TIFF",
        }
    }

    pub fn extension(&self) -> &'static str {
        match self {
            MediaKind::Jpeg => "jpg",
            MediaKind::Png => "png",
            MediaKind::Webp => "webp",
            MediaKind::Pdf => "pdf",
            MediaKind::Bmp => "bmp",
            MediaKind::Tiff => "tiff",
        }
    }

    /// Everything but PDF has pixels to decode and thumbnail.
    pub fn is_image(&self) -> bool {
        *self != MediaKind::Pdf
    }

    /// Parses a declared MIME type or short name, case-insensitively ("image/jpeg", "image/jpg", "JPEG",
    /// "jpg", "application/pdf", "PDF", "TIFF", ...). Content-Type parameters (`; charset=...`) are ignored.
    pub fn from_declared(s: &str) -> Option<MediaKind> {
        let essence = s.split_once(';').map_or(s, |(essence, _)| essence);
        let kind = match essence.trim().to_ascii_lowercase().as_str() {
            "image/jpeg" | "image/jpg" | "image/pjpeg" | "jpeg" | "jpg" => MediaKind::Jpeg,
            "image/png" | "image/x-png" | "png" => MediaKind::Png,
            "image/webp" | "webp" => MediaKind::Webp,
            "application/pdf" | "application/x-pdf" | "pdf" => MediaKind::Pdf,
            "image/bmp" | "image/x-bmp" | "image/x-ms-bmp" | "bmp" => MediaKind::Bmp,
            "image/tiff" | "image/x-tiff" | "tiff" | "tif" => MediaKind::Tiff,
            _ => return None,
        };
        Some(kind)
    }

    /// The signatures listed for [`inspect`]; nothing else about the file is consulted.
    fn from_magic(bytes: &[u8]) -> Option<MediaKind> {
        let starts = |magic: &[u8]| bytes.starts_with(magic);
        let kind = if starts(b"\xFF\xD8\xFF") {
            MediaKind::Jpeg
        } else if starts(b"\x89PNG\r\n\x1a\n") {
            MediaKind::Png
        } else if starts(b"RIFF") && bytes.get(8..12) == Some(&b"WEBP"[..]) {
            MediaKind::Webp
        } else if starts(b"%PDF-") {
            MediaKind::Pdf
        } else if starts(b"BM") {
            MediaKind::Bmp
        } else if starts(b"II*\0") || starts(b"MM\0*") {
            MediaKind::Tiff
        } else {
            return None;
        };
        Some(kind)
    }

    /// The decoder the `image` crate should use; `None` for PDF, which is never decoded here.
    fn image_format(self) -> Option<ImageFormat> {
        match self {
            MediaKind::Jpeg => Some(ImageFormat::Jpeg),
            MediaKind::Png => Some(ImageFormat::Png),
            MediaKind::Webp => Some(ImageFormat::WebP),
            MediaKind::Bmp => Some(ImageFormat::Bmp),
            MediaKind::Tiff => Some(ImageFormat::Tiff),
            MediaKind::Pdf => None,
        }
    }
}

/// What the bytes are, with pixel size for images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaInfo {
    pub kind: MediaKind,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// What decoding the image takes in memory (width x height x channels x bytes per sample,
    /// from the header); 0 for PDF, which is never decoded.
    pub decoded_bytes: u64,
}

/// Maximum image size: 40 megapixels (checked from the header, before any decoding).
/// Ample for a phone photo or a 600 dpi A4 scan (~35 MP), and it bounds decoding memory.
pub const MAX_MEGAPIXELS: u32 = 40;

/// Most memory one image may take decoded: 128 MiB. A 40 MP scan in 8-bit RGB (120 MB) and a 12 MP
/// phone photo (36 MB) fit; 40 MP of 8-bit RGBA (160 MB) or a 16-bit image over 16 MP (e.g. 6324 x
/// 6324 RGBA, 320 MB, which compresses to 311 KB of PNG) do not. The pixel limit alone let such a
/// file cost 320 MB per upload; with this and the service's decode gate (two such decodes at once)
/// eight concurrent worst-case uploads stay under 400 MB of resident memory.
pub const MAX_DECODED_BYTES: u64 = 128 * 1024 * 1024;

/// What a decoding may allocate in all, as a backstop to the header check: the image itself plus
/// room for the decoder's own buffers (rows, a progressive JPEG's coefficients).
const MAX_ALLOC: u64 = MAX_DECODED_BYTES + 64 * 1024 * 1024;

/// A PDF's `%%EOF` may be followed by some junk; readers look for it in this many trailing bytes.
const PDF_EOF_WINDOW: usize = 1024;

/// Identifies the file by its magic bytes only, never by name or declared type, and for images reads
/// the pixel size from the header (no decode), refusing images over [`MAX_MEGAPIXELS`].
/// If `declared` is given it must name the detected kind: anything else, including a type that cannot
/// be parsed, is a `Mismatch`, so callers should pass `None` when the client declared nothing useful.
pub fn inspect(bytes: &[u8], declared: Option<&str>) -> Result<MediaInfo, MediaError> {
    let kind = MediaKind::from_magic(bytes).ok_or(MediaError::Unsupported)?;
    if let Some(declared) = declared
        && MediaKind::from_declared(declared) != Some(kind)
    {
        return Err(MediaError::Mismatch {
            detected: kind.name(),
            declared: declared.to_owned(),
        });
    }
    let Some(format) = kind.image_format() else {
        return Ok(MediaInfo {
            kind,
            width: None,
            height: None,
            decoded_bytes: 0,
        });
    };
    let decoder = reader(bytes, format)
        .into_decoder()
        .map_err(|_| MediaError::Corrupt(kind.name()))?;
    let (width, height, decoded_bytes) = within_budget(&decoder, kind)?;
    Ok(MediaInfo {
        kind,
        width: Some(width),
        height: Some(height),
        decoded_bytes,
    })
}

/// Fully decodes an image to prove it is not corrupt (same limits as [`inspect`]).
/// A PDF is not parsed: it only has to start with `%PDF-` and end with `%%EOF` (in its last 1024
/// bytes, trailing whitespace aside), which catches truncated uploads.
pub fn verify_decodes(bytes: &[u8], kind: MediaKind) -> Result<(), MediaError> {
    if kind == MediaKind::Pdf {
        let body = bytes.trim_ascii_end();
        let tail = &body[body.len().saturating_sub(PDF_EOF_WINDOW)..];
        return if body.starts_with(b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF") {
            Ok(())
        } else {
            Err(MediaError::Corrupt(kind.name()))
        };
    }
    decode(bytes, kind).map(drop)
}

/// Decodes an image of `kind` after checking its header against the pixel and memory limits, with
/// one decoder that reads the header once; `Ok(None)` for PDF. Shared with thumbnails so both refuse
/// the same files.
pub(crate) fn decode(bytes: &[u8], kind: MediaKind) -> Result<Option<DynamicImage>, MediaError> {
    let Some(format) = kind.image_format() else {
        return Ok(None);
    };
    let corrupt = |_| MediaError::Corrupt(kind.name());
    let mut decoder = reader(bytes, format).into_decoder().map_err(corrupt)?;
    let (_, _, decoded) = within_budget(&decoder, kind)?;
    // What is left of `MAX_ALLOC` once the image itself is counted is for the decoder's buffers.
    decoder
        .set_limits(limits(MAX_ALLOC - decoded))
        .map_err(corrupt)?;
    if kind == MediaKind::Jpeg && !jpeg_reaches_end(bytes) {
        return Err(MediaError::Corrupt(kind.name()));
    }
    // Errors here include hitting `MAX_ALLOC`, which only a decoder misjudging its own needs can;
    // they are reported as damage, since the size itself was already accepted.
    DynamicImage::from_decoder(decoder)
        .map(Some)
        .map_err(corrupt)
}

/// Whether a JPEG's segments run from SOI to the end-of-image marker. The JPEG decoder behind
/// `image` fills a cut-off scan with grey instead of failing, so a truncated upload would otherwise
/// verify. Bytes after EOI (camera trailers, motion-photo video) are allowed, and an EXIF thumbnail's
/// own EOI is skipped with the segment that holds it.
fn jpeg_reaches_end(bytes: &[u8]) -> bool {
    let byte = |i: usize| bytes.get(i).copied();
    let mut i = 2; // past SOI
    loop {
        if byte(i) != Some(0xFF) {
            return false;
        }
        while byte(i) == Some(0xFF) {
            i += 1; // fill bytes may precede a marker
        }
        let Some(code) = byte(i) else {
            return false;
        };
        i += 1;
        match code {
            0xD9 => return true,
            0x01 | 0xD0..=0xD7 => continue, // markers without a length
            _ => {}
        }
        let (Some(high), Some(low)) = (byte(i), byte(i + 1)) else {
            return false;
        };
        i += usize::from(u16::from_be_bytes([high, low]));
        if code == 0xDA {
            // After a scan header comes entropy-coded data: it ends at the first 0xFF that is
            // neither stuffing (FF 00), a restart marker (FF D0-D7) nor a fill byte.
            loop {
                match (byte(i), byte(i + 1)) {
                    (Some(0xFF), Some(0x00 | 0xD0..=0xD7)) => i += 2,
                    (Some(0xFF), Some(0xFF)) => i += 1,
                    (Some(0xFF), Some(_)) => break,
                    (Some(_), _) => i += 1,
                    (None, _) => return false,
                }
            }
        }
    }
}

/// A reader forced to `format` (the magic bytes already decided it) with this module's limits.
/// `Limits` can only cap width and height separately, so the 40 MP area and the decoded size are
/// checked by [`within_budget`]; `max_alloc` bounds the decoder's own allocations.
fn reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits(MAX_ALLOC));
    reader
}

fn limits(max_alloc: u64) -> Limits {
    let mut limits = Limits::default();
    limits.max_alloc = Some(max_alloc);
    limits
}

/// Width, height and decoded size from the decoder's header alone, within [`MAX_MEGAPIXELS`] and
/// [`MAX_DECODED_BYTES`] (which counts channels and bit depth); an empty image counts as corrupt.
fn within_budget(
    decoder: &impl ImageDecoder,
    kind: MediaKind,
) -> Result<(u32, u32, u64), MediaError> {
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(MediaError::Corrupt(kind.name()));
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > u64::from(MAX_MEGAPIXELS) * 1_000_000 {
        return Err(MediaError::TooLarge {
            megapixels: pixels as f64 / 1_000_000.0,
            limit: MAX_MEGAPIXELS,
        });
    }
    let decoded = pixels * u64::from(decoder.color_type().bytes_per_pixel());
    if decoded > MAX_DECODED_BYTES {
        return Err(MediaError::TooHeavy {
            mebibytes: decoded.div_ceil(1024 * 1024),
            limit: MAX_DECODED_BYTES / (1024 * 1024),
        });
    }
    Ok((width, height, decoded))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::samples::{self, PDF, png_claiming, png_claiming_as};

    const IMAGE_FORMATS: [(ImageFormat, MediaKind); 5] = [
        (ImageFormat::Jpeg, MediaKind::Jpeg),
        (ImageFormat::Png, MediaKind::Png),
        (ImageFormat::WebP, MediaKind::Webp),
        (ImageFormat::Bmp, MediaKind::Bmp),
        (ImageFormat::Tiff, MediaKind::Tiff),
    ];

    /// A real JPEG with its frame header (SOF0) rewritten to claim `width` x `height`.
    fn jpeg_claiming(width: u16, height: u16) -> Vec<u8> {
        let mut jpeg = samples::encoded(ImageFormat::Jpeg, 16, 16);
        let sof = jpeg
            .windows(2)
            .position(|w| w == [0xFF, 0xC0])
            .expect("baseline JPEG has SOF0");
        // Marker, segment length (2), precision (1), then height and width.
        jpeg[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
        jpeg[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
        jpeg
    }

    #[test]
    fn every_kind_is_detected_with_its_size() {
        for (format, kind) in IMAGE_FORMATS {
            let bytes = samples::encoded(format, 40, 30);
            let info = inspect(&bytes, None).unwrap();
            assert_eq!(
                info,
                MediaInfo {
                    kind,
                    width: Some(40),
                    height: Some(30),
                    decoded_bytes: info.decoded_bytes,
                }
            );
            verify_decodes(&bytes, kind).unwrap();
        }
        let pdf = inspect(PDF, Some("application/pdf")).unwrap();
        assert_eq!(
            pdf,
            MediaInfo {
                kind: MediaKind::Pdf,
                width: None,
                height: None,
                decoded_bytes: 0,
            }
        );
        verify_decodes(PDF, MediaKind::Pdf).unwrap();
    }

    #[test]
    fn kinds_describe_themselves() {
        let table = [
            (MediaKind::Jpeg, "image/jpeg", "JPEG", "jpg"),
            (MediaKind::Png, "image/png", "PNG", "png"),
            (MediaKind::Webp, "image/webp", "WebP", "webp"),
            (MediaKind::Pdf, "application/pdf", "PDF", "pdf"),
            (MediaKind::Bmp, "image/bmp", "BMP", "bmp"),
            (MediaKind::Tiff, "image/tiff", "TIFF", "tiff"),
        ];
        for (kind, mime, name, extension) in table {
            assert_eq!(
                (kind.mime(), kind.name(), kind.extension()),
                (mime, name, extension)
            );
            assert_eq!(kind.is_image(), kind != MediaKind::Pdf);
            for declared in [mime, name, extension] {
                assert_eq!(MediaKind::from_declared(declared), Some(kind), "{declared}");
            }
        }
    }

    #[test]
    fn declared_types_parse_loosely_but_only_to_known_kinds() {
        use MediaKind::*;
        for (declared, kind) in [
            ("IMAGE/JPEG", Some(Jpeg)),
            ("image/jpg", Some(Jpeg)),
            ("jpeg", Some(Jpeg)),
            (" image/png ; charset=binary", Some(Png)),
            ("WEBP", Some(Webp)),
            ("Application/PDF", Some(Pdf)),
            ("tif", Some(Tiff)),
            ("image/x-ms-bmp", Some(Bmp)),
            ("image/gif", None),
            ("application/octet-stream", None),
            ("", None),
            ("image/", None),
        ] {
            assert_eq!(MediaKind::from_declared(declared), kind, "{declared:?}");
        }
    }

    #[test]
    fn declared_type_must_match_the_bytes() {
        let png = samples::encoded(ImageFormat::Png, 8, 8);
        assert!(inspect(&png, Some("PNG")).is_ok());
        let err = inspect(&png, Some("image/jpeg")).unwrap_err();
        assert_eq!(
            err,
            MediaError::Mismatch {
                detected: "PNG",
                declared: "image/jpeg".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "the file is PNG but was declared as image/jpeg"
        );
        // A PDF renamed to .jpg is caught the same way.
        assert!(matches!(
            inspect(PDF, Some("jpg")),
            Err(MediaError::Mismatch {
                detected: "PDF",
                ..
            })
        ));
        // An unparseable declaration is a mismatch that quotes it.
        assert_eq!(
            inspect(&png, Some("application/octet-stream")),
            Err(MediaError::Mismatch {
                detected: "PNG",
                declared: "application/octet-stream".into()
            })
        );
    }

    #[test]
    fn unknown_bytes_are_unsupported() {
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
        let inputs: [&[u8]; 8] = [
            gif,
            b"just some text, not a document",
            b"",
            b"\xFF\xD8",                 // too short for the JPEG magic
            b"\x89PNG\r\n",              // truncated PNG signature
            b"RIFF\x24\x00\x00\x00WAVE", // RIFF, but audio
            b"II\x2B\x00",               // BigTIFF is not accepted
            b"%PDF",                     // no dash
        ];
        for bytes in inputs {
            assert_eq!(inspect(bytes, None), Err(MediaError::Unsupported));
            assert_eq!(
                inspect(bytes, Some("image/png")),
                Err(MediaError::Unsupported)
            );
        }
        assert_eq!(
            MediaError::Unsupported.to_string(),
            "unsupported file type: only JPEG, PNG, WebP, PDF, BMP and TIFF are accepted"
        );
    }

    #[test]
    fn truncated_images_are_corrupt() {
        for (format, kind) in [
            (ImageFormat::Png, MediaKind::Png),
            (ImageFormat::Jpeg, MediaKind::Jpeg),
            (ImageFormat::WebP, MediaKind::Webp),
            (ImageFormat::Bmp, MediaKind::Bmp),
            (ImageFormat::Tiff, MediaKind::Tiff),
        ] {
            let bytes = samples::encoded(format, 128, 128);
            for keep in [bytes.len() / 2, bytes.len() * 9 / 10] {
                let truncated = &bytes[..keep];
                // The header is intact, so only a full decode notices (a TIFF written by
                // `image` keeps its directory at the end, so `inspect` already fails there).
                if kind != MediaKind::Tiff {
                    assert!(inspect(truncated, None).is_ok(), "{format:?}");
                }
                assert_eq!(
                    verify_decodes(truncated, kind),
                    Err(MediaError::Corrupt(kind.name())),
                    "{format:?} cut to {keep} of {}",
                    bytes.len()
                );
            }
        }
        // Even just the end-of-image marker missing counts for JPEG.
        let jpeg = samples::encoded(ImageFormat::Jpeg, 64, 64);
        assert_eq!(
            verify_decodes(&jpeg[..jpeg.len() - 2], MediaKind::Jpeg),
            Err(MediaError::Corrupt("JPEG"))
        );
        let header_cut = &samples::encoded(ImageFormat::Png, 64, 64)[..20];
        assert_eq!(inspect(header_cut, None), Err(MediaError::Corrupt("PNG")));
        assert_eq!(
            MediaError::Corrupt("PNG").to_string(),
            "the file is damaged or not a valid PNG"
        );
    }

    #[test]
    fn an_embedded_end_marker_does_not_hide_truncation() {
        let jpeg = samples::encoded(ImageFormat::Jpeg, 128, 128);
        // An APP1 segment holding a complete mini JPEG, as an EXIF thumbnail does.
        let payload = b"Exif\0\0\xFF\xD8\xFF\xD9";
        let mut with_exif = jpeg[..2].to_vec();
        with_exif.extend_from_slice(&[0xFF, 0xE1, 0, payload.len() as u8 + 2]);
        with_exif.extend_from_slice(payload);
        with_exif.extend_from_slice(&jpeg[2..]);
        verify_decodes(&with_exif, MediaKind::Jpeg).unwrap();
        let truncated = &with_exif[..with_exif.len() * 3 / 4];
        assert_eq!(
            verify_decodes(truncated, MediaKind::Jpeg),
            Err(MediaError::Corrupt("JPEG"))
        );
    }

    #[test]
    fn jpeg_trailers_after_the_end_marker_are_allowed() {
        let jpeg = samples::encoded(ImageFormat::Jpeg, 64, 64);
        // Phones append data after EOI, e.g. the video of a motion photo.
        let with_trailer = [&jpeg[..], b"\0\0ftypmp42 and a video"].concat();
        verify_decodes(&with_trailer, MediaKind::Jpeg).unwrap();
    }

    #[test]
    fn bytes_of_another_kind_do_not_verify() {
        let png = samples::encoded(ImageFormat::Png, 8, 8);
        assert_eq!(
            verify_decodes(&png, MediaKind::Jpeg),
            Err(MediaError::Corrupt("JPEG"))
        );
        assert_eq!(
            verify_decodes(&png, MediaKind::Pdf),
            Err(MediaError::Corrupt("PDF"))
        );
    }

    #[test]
    fn oversized_headers_are_refused_before_decoding() {
        let huge = png_claiming(10_000, 5_000);
        let expected = || MediaError::TooLarge {
            megapixels: 50.0,
            limit: MAX_MEGAPIXELS,
        };
        assert_eq!(inspect(&huge, None), Err(expected()));
        assert_eq!(verify_decodes(&huge, MediaKind::Png), Err(expected()));
        assert_eq!(
            expected().to_string(),
            "the image is 50.0 megapixels; the limit is 40 megapixels"
        );

        let huge_jpeg = jpeg_claiming(8_000, 6_000);
        assert!(matches!(
            inspect(&huge_jpeg, None),
            Err(MediaError::TooLarge { megapixels, limit: 40 }) if megapixels == 48.0
        ));
        assert!(matches!(
            verify_decodes(&huge_jpeg, MediaKind::Jpeg),
            Err(MediaError::TooLarge { .. })
        ));
    }

    #[test]
    fn the_limit_is_inclusive() {
        // 40 MP of 8-bit RGB, as a 600 dpi A4 scan: 120 MB decoded, within the memory budget too.
        let at_limit = inspect(&png_claiming_as(8_000, 5_000, 8, 2), None).unwrap();
        assert_eq!(
            (at_limit.width, at_limit.height, at_limit.decoded_bytes),
            (Some(8_000), Some(5_000), 120_000_000)
        );
        assert!(matches!(
            inspect(&png_claiming_as(8_000, 5_001, 8, 2), None),
            Err(MediaError::TooLarge { .. })
        ));
    }

    #[test]
    fn decoded_size_counts_channels_and_bit_depth() {
        // Under 40 MP, but 16-bit RGBA: 320 MB decoded, refused from the header.
        let heavy = png_claiming_as(6_324, 6_324, 16, 6);
        let expected = MediaError::TooHeavy {
            mebibytes: 306,
            limit: 128,
        };
        assert_eq!(inspect(&heavy, None), Err(expected.clone()));
        assert_eq!(
            verify_decodes(&heavy, MediaKind::Png),
            Err(expected.clone())
        );
        assert_eq!(
            expected.to_string(),
            "the image would take 306 MiB of memory to decode (its size times its channels and \
             bit depth); the limit is 128 MiB"
        );
        // 40 MP of 8-bit RGBA (160 MB) is over the budget as well; a 12 MP phone photo is not.
        assert!(matches!(
            inspect(&png_claiming(8_000, 5_000), None),
            Err(MediaError::TooHeavy { .. })
        ));
        let photo = inspect(&jpeg_claiming(4_000, 3_000), None).unwrap();
        assert_eq!(photo.decoded_bytes, 36_000_000);
    }

    #[test]
    fn empty_images_are_corrupt() {
        assert_eq!(
            inspect(&png_claiming(0, 10), None),
            Err(MediaError::Corrupt("PNG"))
        );
    }

    #[test]
    fn pdfs_must_end_with_eof_marker() {
        let with_whitespace = [PDF, b"\r\n  \n"].concat();
        verify_decodes(&with_whitespace, MediaKind::Pdf).unwrap();
        let with_short_junk = [PDF, &[b'x'; 100][..]].concat();
        verify_decodes(&with_short_junk, MediaKind::Pdf).unwrap();

        let truncated = &PDF[..PDF.len() - 10];
        assert!(inspect(truncated, None).is_ok());
        let eof_too_early = [PDF, &[b'x'; PDF_EOF_WINDOW][..]].concat();
        for bad in [truncated, &eof_too_early, b"%PDF-"] {
            assert_eq!(
                verify_decodes(bad, MediaKind::Pdf),
                Err(MediaError::Corrupt("PDF"))
            );
        }
    }
}
