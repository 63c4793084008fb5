//! Small JPEG previews of uploaded images for the back-office lists and review pages.

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, Rgb, RgbImage};

use super::MediaError;
use super::detect::{MediaKind, decode};

/// Longest side of a thumbnail in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;

/// Enough to read a document's layout at thumbnail size, at a few tens of kilobytes.
const JPEG_QUALITY: u8 = 80;

/// A JPEG thumbnail (RGB, quality 80) at most [`THUMBNAIL_SIDE`] on its longest side, keeping the
/// aspect ratio and never enlarging a smaller image; transparency is composited on white, like paper.
/// `None` for PDFs, which the UI shows as an icon. It decodes exactly as
/// [`verify_decodes`](super::detect::verify_decodes) does (same size check and limits), so a
/// thumbnail made also proves the image is sound.
/// EXIF orientation is deliberately not applied, to keep this simple: the thumbnail shows the pixels
/// as stored, so a photo taken sideways may look rotated next to a browser's view of the original.
pub fn thumbnail(bytes: &[u8], kind: MediaKind) -> Result<Option<Vec<u8>>, MediaError> {
    let Some(image) = decode(bytes, kind)? else {
        return Ok(None);
    };
    let image = if image.width() > THUMBNAIL_SIDE || image.height() > THUMBNAIL_SIDE {
        // `thumbnail` averages every source pixel into the output: sharp enough and fast.
        image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
    } else {
        image
    };
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
        .encode_image(&on_white(&image))
        // Cannot fail for an RGB image of at most 320x320 written to memory; reported as the
        // source's fault rather than panicking.
        .map_err(|_| MediaError::Corrupt(kind.name()))?;
    Ok(Some(jpeg))
}

/// JPEG has no alpha channel: dropping it would turn transparent areas black, so blend them on white.
fn on_white(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let alpha = u16::from(a);
        // Rounded integer blend; at most 255 * 255 + 127, so it fits u16.
        let blend = |c: u8| ((u16::from(c) * alpha + 255 * (255 - alpha) + 127) / 255) as u8;
        Rgb([blend(r), blend(g), blend(b)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::samples::{self, PDF};
    use image::{GenericImageView, ImageFormat};

    /// Decodes a thumbnail, checking it is a JPEG, and returns it.
    fn open(thumb: &[u8]) -> DynamicImage {
        assert!(thumb.starts_with(&[0xFF, 0xD8, 0xFF]), "not a JPEG");
        image::load_from_memory_with_format(thumb, ImageFormat::Jpeg).unwrap()
    }

    #[test]
    fn large_images_shrink_to_the_side_keeping_aspect_ratio() {
        for (format, kind, (width, height), expected) in [
            (ImageFormat::Jpeg, MediaKind::Jpeg, (2000, 1500), (320, 240)),
            (ImageFormat::Png, MediaKind::Png, (300, 900), (107, 320)),
            (ImageFormat::WebP, MediaKind::Webp, (640, 400), (320, 200)),
            (ImageFormat::Bmp, MediaKind::Bmp, (1000, 10), (320, 3)),
            (ImageFormat::Tiff, MediaKind::Tiff, (321, 321), (320, 320)),
        ] {
            let bytes = samples::encoded(format, width, height);
            let thumb = thumbnail(&bytes, kind).unwrap().unwrap();
            assert_eq!(open(&thumb).dimensions(), expected, "{format:?}");
        }
    }

    #[test]
    fn small_images_are_not_enlarged() {
        let bytes = samples::encoded(ImageFormat::Png, 100, 50);
        let thumb = thumbnail(&bytes, MediaKind::Png).unwrap().unwrap();
        assert_eq!(open(&thumb).dimensions(), (100, 50));
        let bytes = samples::encoded(ImageFormat::Jpeg, 320, 10);
        let thumb = thumbnail(&bytes, MediaKind::Jpeg).unwrap().unwrap();
        assert_eq!(open(&thumb).dimensions(), (320, 10));
    }

    #[test]
    fn transparency_becomes_white() {
        // The sample's first four columns are fully transparent (and black underneath).
        let bytes = samples::encoded(ImageFormat::Png, 64, 64);
        let thumb = open(&thumbnail(&bytes, MediaKind::Png).unwrap().unwrap());
        assert_eq!(thumb.color(), image::ColorType::Rgb8);
        let Rgb([r, g, b]) = *thumb.to_rgb8().get_pixel(0, 32);
        assert!(r > 240 && g > 240 && b > 240, "got {r},{g},{b}");
    }

    #[test]
    fn blending_is_exact_at_the_extremes() {
        let image = DynamicImage::ImageRgba8(
            image::RgbaImage::from_raw(3, 1, vec![10, 20, 30, 0, 10, 20, 30, 255, 0, 0, 0, 128])
                .unwrap(),
        );
        let flat = on_white(&image);
        assert_eq!(flat.get_pixel(0, 0), &Rgb([255, 255, 255]));
        assert_eq!(flat.get_pixel(1, 0), &Rgb([10, 20, 30]));
        assert_eq!(flat.get_pixel(2, 0), &Rgb([127, 127, 127]));
    }

    #[test]
    fn pdfs_have_no_thumbnail() {
        assert_eq!(thumbnail(PDF, MediaKind::Pdf), Ok(None));
    }

    #[test]
    fn bad_images_are_refused() {
        let bytes = samples::encoded(ImageFormat::Jpeg, 64, 64);
        assert_eq!(
            thumbnail(&bytes[..bytes.len() / 2], MediaKind::Jpeg),
            Err(MediaError::Corrupt("JPEG"))
        );
        assert_eq!(
            thumbnail(b"not an image", MediaKind::Png),
            Err(MediaError::Corrupt("PNG"))
        );
    }
}
