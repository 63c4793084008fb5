//! Uploaded identity documents: what the bytes really are, whether they decode, and a thumbnail.
//! The type is decided by magic bytes alone, never by the file name or the client's declared type,
//! and image sizes are checked from the header before any pixel is decoded, so a hostile upload
//! can neither pass as another type nor make a decoder allocate more than 40 MP or 128 MiB of pixels.

pub mod detect;
pub mod thumbnail;

/// Why an upload was refused; the messages are meant to be shown to the person who uploaded it.
// Only `PartialEq`: `TooLarge` carries an `f64`, which has no `Eq`.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum MediaError {
    #[error("unsupported file type: only JPEG, PNG, WebP, PDF, BMP and TIFF are accepted")]
    Unsupported,
    #[error("the file is {detected} but was declared as {declared}")]
    Mismatch {
        detected: &'static str,
        declared: String,
    },
    #[error("the image is {megapixels:.1} megapixels; the limit is {limit} megapixels")]
    TooLarge { megapixels: f64, limit: u32 },
    #[error(
        "the image would take {mebibytes} MiB of memory to decode (its size times its channels and bit depth); the limit is {limit} MiB"
    )]
    TooHeavy { mebibytes: u64, limit: u64 },
    #[error("the file is damaged or not a valid {0}")]
    Corrupt(&'static str),
}

/// Sample files built in code, shared by the tests of both submodules.
#[cfg(test)]
pub(crate) mod samples {
    use std::io::Cursor;

    use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};

    /// A gradient with some transparency, so resizing and alpha handling have something to show.
    pub fn image(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgba8(RgbaImage::from_fn(width, height, |x, y| {
            Rgba([
                (x % 256) as u8,
                (y % 256) as u8,
                128,
                if x < 4 { 0 } else { 255 },
            ])
        }))
    }

    /// `image(width, height)` encoded as `format` (JPEG drops the alpha, the WebP encoder is lossless).
    pub fn encoded(format: ImageFormat, width: u32, height: u32) -> Vec<u8> {
        let img = match format {
            ImageFormat::Jpeg => DynamicImage::ImageRgb8(image(width, height).to_rgb8()),
            _ => image(width, height),
        };
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).expect("encode sample");
        out.into_inner()
    }

    /// A minimal valid one-page PDF.
    pub const PDF: &[u8] = b"%PDF-1.4\n\
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n\
trailer << /Root 1 0 R >>\n\
%%EOF\n";

    /// CRC-32 (IEEE), as PNG chunks need; bitwise because speed does not matter here.
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }

    /// A PNG whose header claims `width` x `height` 8-bit RGBA pixels but whose data is a few
    /// bytes: only a decoder that trusted the header would allocate for it.
    pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        png_claiming_as(width, height, 8, 6)
    }

    /// The same with another bit depth and PNG colour type (2 RGB, 6 RGBA).
    pub fn png_claiming_as(width: u32, height: u32, bit_depth: u8, color_type: u8) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        // Then deflate, no filter, no interlace.
        ihdr.extend_from_slice(&[bit_depth, color_type, 0, 0, 0]);
        png_chunk(&mut png, b"IHDR", &ihdr);
        png_chunk(&mut png, b"IDAT", &[0x78, 0x9C, 0x03, 0x00]);
        png_chunk(&mut png, b"IEND", &[]);
        png
    }
}

#[cfg(test)]
mod tests {
    use image::ImageFormat;

    use super::detect::{MediaKind, inspect, verify_decodes};
    use super::samples;
    use super::thumbnail::thumbnail;

    const KINDS: [MediaKind; 6] = [
        MediaKind::Jpeg,
        MediaKind::Png,
        MediaKind::Webp,
        MediaKind::Pdf,
        MediaKind::Bmp,
        MediaKind::Tiff,
    ];

    /// A tiny xorshift generator: deterministic "random" input without another dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn bytes(&mut self, len: usize) -> Vec<u8> {
            (0..len).map(|_| self.next() as u8).collect()
        }
    }

    /// Every entry point on one input: whatever the bytes, an answer and never a panic.
    fn exercise(bytes: &[u8]) {
        let detected = inspect(bytes, None).map(|info| info.kind);
        let _ = inspect(bytes, Some("image/png"));
        for kind in KINDS {
            let verified = verify_decodes(bytes, kind);
            let thumb = thumbnail(bytes, kind);
            if detected == Ok(kind) && verified.is_ok() && kind.is_image() {
                assert!(
                    matches!(thumb, Ok(Some(_))),
                    "{kind:?} verified but no thumbnail"
                );
            }
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let magics: [&[u8]; 8] = [
            b"",
            b"\xFF\xD8\xFF",
            b"\x89PNG\r\n\x1a\n",
            b"RIFF\x00\x01\x00\x00WEBP",
            b"%PDF-",
            b"BM",
            b"II*\0",
            b"MM\0*",
        ];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for i in 0..200 {
            let tail_len = rng.below(300);
            let bytes = [magics[i % magics.len()], &rng.bytes(tail_len)].concat();
            exercise(&bytes);
        }
    }

    #[test]
    fn damaged_real_files_never_panic() {
        let mut rng = Rng(42);
        for format in [
            ImageFormat::Jpeg,
            ImageFormat::Png,
            ImageFormat::WebP,
            ImageFormat::Bmp,
            ImageFormat::Tiff,
        ] {
            let original = samples::encoded(format, 24, 16);
            for _ in 0..40 {
                let mut bytes = original.clone();
                for _ in 0..=rng.below(8) {
                    let at = rng.below(bytes.len());
                    bytes[at] = rng.next() as u8;
                }
                bytes.truncate(1 + rng.below(bytes.len()));
                exercise(&bytes);
            }
        }
    }

    #[test]
    fn oversized_images_get_no_thumbnail() {
        assert!(matches!(
            thumbnail(&samples::png_claiming(10_000, 5_000), MediaKind::Png),
            Err(super::MediaError::TooLarge { .. })
        ));
    }
}
