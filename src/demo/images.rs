//! Synthetic identity-document images for the demo, drawn entirely in code.
//!
//! Nothing here depicts a real person or a real document layout: faces are
//! stylised ellipses, issuers are invented, and every document carries a
//! SPECIMEN watermark so a screenshot cannot be mistaken for a genuine ID.

use super::font;
use std::f32::consts::TAU;

/// What to draw on a synthetic document. All text is fictional demo data.
pub struct DocumentArt<'a> {
    pub kind: ArtKind,
    pub full_name: &'a str,
    pub date_of_birth: &'a str, // "1988-10-01"
    pub document_number: &'a str,
    pub country: &'a str, // "DE"
    pub seed: u64,        // varies colours / face shape deterministically
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtKind {
    PassportPage,
    IdCardFront,
    IdCardBack,
    DriverLicenseFront,
    Selfie,
    ProofOfAddress,
    ProofOfFunds,
}

/// Renders the document as PNG bytes (8-bit RGB). Deterministic: the same input gives the same bytes.
pub fn render_png(art: &DocumentArt) -> Vec<u8> {
    let (w, h) = pixel_size(art.kind);
    let mut c = Canvas::new(w as i32, h as i32);
    match art.kind {
        ArtKind::PassportPage => draw_passport(&mut c, art),
        ArtKind::IdCardFront | ArtKind::DriverLicenseFront => draw_card_front(&mut c, art),
        ArtKind::IdCardBack => draw_card_back(&mut c, art),
        ArtKind::Selfie => draw_selfie(&mut c, art),
        ArtKind::ProofOfAddress => draw_proof_of_address(&mut c, art),
        ArtKind::ProofOfFunds => draw_proof_of_funds(&mut c, art),
    }
    c.encode_png()
}

/// The pixel size render_png produces for a kind (width, height).
pub fn pixel_size(kind: ArtKind) -> (u32, u32) {
    match kind {
        // ID-1 card proportion (85.6 x 54 mm).
        ArtKind::IdCardFront | ArtKind::IdCardBack | ArtKind::DriverLicenseFront => (856, 540),
        ArtKind::PassportPage => (880, 620),
        ArtKind::Selfie => (480, 640),
        // Roughly A4 proportion.
        ArtKind::ProofOfAddress | ArtKind::ProofOfFunds => (620, 877),
    }
}

// ---------------------------------------------------------------------------
// Canvas
// ---------------------------------------------------------------------------

type Rgb = [u8; 3];

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [28, 32, 40];
const MUTED: Rgb = [96, 104, 116];
const WATERMARK_RED: Rgb = [200, 30, 40];

#[derive(Clone, Copy)]
struct Rect {
    x: i32,
    y: i32,
    w: i32,
    h: i32,
}

impl Rect {
    fn new(x: i32, y: i32, w: i32, h: i32) -> Self {
        Rect { x, y, w, h }
    }
}

/// A plain RGB pixel buffer. Every primitive clips against `clip`, which is
/// what keeps drawing panic-free whatever coordinates the layout produces.
struct Canvas {
    w: i32,
    h: i32,
    px: Vec<u8>,
    clip: Rect,
}

impl Canvas {
    fn new(w: i32, h: i32) -> Self {
        Canvas {
            w,
            h,
            px: vec![255; (w * h * 3) as usize],
            clip: Rect::new(0, 0, w, h),
        }
    }

    /// Restricts drawing to `r` (intersected with the canvas); used to keep
    /// faces inside their portrait frame and colour bands inside card corners.
    fn set_clip(&mut self, r: Rect) {
        let x0 = r.x.clamp(0, self.w);
        let y0 = r.y.clamp(0, self.h);
        let x1 = r.x.saturating_add(r.w).clamp(x0, self.w);
        let y1 = r.y.saturating_add(r.h).clamp(y0, self.h);
        self.clip = Rect::new(x0, y0, x1 - x0, y1 - y0);
    }

    fn reset_clip(&mut self) {
        self.clip = Rect::new(0, 0, self.w, self.h);
    }

    fn fill_rect(&mut self, x: i32, y: i32, w: i32, h: i32, c: Rgb) {
        let cl = self.clip;
        let x0 = x.max(cl.x);
        let y0 = y.max(cl.y);
        let x1 = x.saturating_add(w).min(cl.x + cl.w);
        let y1 = y.saturating_add(h).min(cl.y + cl.h);
        if x0 >= x1 || y0 >= y1 {
            return;
        }
        // Fill the first row by doubling, then copy it down: memmove-based,
        // so it stays quick even in unoptimised test builds.
        let first = ((y0 * self.w + x0) * 3) as usize;
        let len = ((x1 - x0) * 3) as usize;
        self.px[first..first + 3].copy_from_slice(&c);
        let mut filled = 3;
        while filled < len {
            let n = filled.min(len - filled);
            self.px.copy_within(first..first + n, first + filled);
            filled += n;
        }
        for row in y0 + 1..y1 {
            let start = ((row * self.w + x0) * 3) as usize;
            self.px.copy_within(first..first + len, start);
        }
    }

    /// Mixes `c` into one pixel with opacity `alpha` (0-255), for watermarks.
    fn blend_pixel(&mut self, x: i32, y: i32, c: Rgb, alpha: u16) {
        let cl = self.clip;
        if x < cl.x || y < cl.y || x >= cl.x + cl.w || y >= cl.y + cl.h {
            return;
        }
        let i = ((y * self.w + x) * 3) as usize;
        for (dst, src) in self.px[i..i + 3].iter_mut().zip(c) {
            *dst = ((u16::from(src) * alpha + u16::from(*dst) * (255 - alpha)) / 255) as u8;
        }
    }

    fn fill_ellipse(&mut self, cx: i32, cy: i32, rx: i32, ry: i32, c: Rgb) {
        if rx <= 0 || ry <= 0 {
            return;
        }
        // Only visit rows inside the clip so off-screen ellipses cost nothing.
        let dy0 = (-ry).max(self.clip.y - cy);
        let dy1 = ry.min(self.clip.y + self.clip.h - 1 - cy);
        for dy in dy0..=dy1 {
            let t = f64::from(dy) / f64::from(ry);
            let half = (f64::from(rx) * (1.0 - t * t).max(0.0).sqrt()).round() as i32;
            self.fill_rect(cx - half, cy + dy, 2 * half + 1, 1, c);
        }
    }

    fn fill_round_rect(&mut self, r: Rect, radius: i32, c: Rgb) {
        let rad = radius.clamp(0, r.w.min(r.h) / 2);
        self.fill_rect(r.x + rad, r.y, r.w - 2 * rad, r.h, c);
        self.fill_rect(r.x, r.y + rad, r.w, r.h - 2 * rad, c);
        for (cx, cy) in [
            (r.x + rad, r.y + rad),
            (r.x + r.w - 1 - rad, r.y + rad),
            (r.x + rad, r.y + r.h - 1 - rad),
            (r.x + r.w - 1 - rad, r.y + r.h - 1 - rad),
        ] {
            self.fill_ellipse(cx, cy, rad, rad, c);
        }
    }

    fn stroke_rect(&mut self, r: Rect, t: i32, c: Rgb) {
        self.fill_rect(r.x, r.y, r.w, t, c);
        self.fill_rect(r.x, r.y + r.h - t, r.w, t, c);
        self.fill_rect(r.x, r.y, t, r.h, c);
        self.fill_rect(r.x + r.w - t, r.y, t, r.h, c);
    }

    /// Bresenham line stamped with a `t`-pixel square brush.
    fn line(&mut self, (x0, y0): (i32, i32), (x1, y1): (i32, i32), t: i32, c: Rgb) {
        let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
        let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
        let (mut x, mut y, mut err) = (x0, y0, dx + dy);
        loop {
            self.fill_rect(x - t / 2, y - t / 2, t, t, c);
            if x == x1 && y == y1 {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }

    fn draw_text(&mut self, x: i32, y: i32, text: &str, scale: i32, c: Rgb) {
        let mut gx = x;
        for ch in text.chars() {
            // Stops unbounded input from costing time once it runs off the clip.
            if gx >= self.clip.x + self.clip.w {
                break;
            }
            for (row, bits) in (0..).zip(font::glyph(ch)) {
                for col in 0..5 {
                    if bits & (0b10000 >> col) != 0 {
                        self.fill_rect(gx + col * scale, y + row * scale, scale, scale, c);
                    }
                }
            }
            gx += font::ADVANCE * scale;
        }
    }

    fn draw_text_right(&mut self, right: i32, y: i32, text: &str, scale: i32, c: Rgb) {
        let x = right - text_width(text, scale);
        self.draw_text(x, y, text, scale, c);
    }

    fn draw_text_centered(&mut self, cx: i32, y: i32, text: &str, scale: i32, c: Rgb) {
        let x = cx - text_width(text, scale) / 2;
        self.draw_text(x, y, text, scale, c);
    }

    /// Large translucent text across the centre, rising ~25 degrees. The text
    /// is first rasterised unrotated into a mask, then each target pixel is
    /// mapped back into it, which leaves no gaps the way rotating single
    /// font pixels would. Strokes are widened by half a font pixel because
    /// the bare 1-pixel strokes of the 5x7 font read as loose blocks rotated.
    fn watermark(&mut self, text: &str, scale: i32, c: Rgb, alpha: u16) {
        let n = text.chars().count() as i32;
        let cell = font::ADVANCE * scale;
        let bold = scale / 2;
        let (tw, th) = (n * cell - scale + bold, font::HEIGHT * scale + bold);
        if tw <= 0 {
            return;
        }
        let mut mask = vec![false; (tw * th) as usize];
        for (i, ch) in (0..).zip(text.chars()) {
            for (row, bits) in (0..).zip(font::glyph(ch)) {
                for col in (0..5).filter(|col| bits & (0b10000 >> col) != 0) {
                    let (x0, y0) = (i * cell + col * scale, row * scale);
                    for y in y0..y0 + scale + bold {
                        let start = (y * tw + x0) as usize;
                        mask[start..start + (scale + bold) as usize].fill(true);
                    }
                }
            }
        }
        // Both sin and cos are positive at this angle, which the span
        // computation below relies on.
        let (sin, cos) = 0.44_f32.sin_cos();
        let (cx, cy) = (self.w / 2, self.h / 2);
        let (half_w, half_h) = (tw as f32 / 2.0, th as f32 / 2.0);
        let reach = (half_w * sin + half_h * cos) as i32 + 1;
        for py in (cy - reach).max(0)..=(cy + reach).min(self.h - 1) {
            let dy = (py - cy) as f32;
            // Text runs along (cos, -sin); glyph rows go down along (sin, cos).
            let (u0, v0) = (half_w - dy * sin, half_h + dy * cos);
            // Only visit the pixels of this row that fall inside the text strip.
            let lo = (-u0 / cos).max(-v0 / sin).ceil() as i32;
            let hi = ((tw as f32 - u0) / cos).min((th as f32 - v0) / sin).floor() as i32;
            for dx in lo.max(-cx)..=hi.min(self.w - 1 - cx) {
                let (u, v) = (u0 + dx as f32 * cos, v0 + dx as f32 * sin);
                // Truncation is floor here because negatives were excluded.
                let (u, v) = (u.max(0.0) as i32, v.max(0.0) as i32);
                if u < tw && v < th && mask[(v * tw + u) as usize] {
                    self.blend_pixel(cx + dx, py, c, alpha);
                }
            }
        }
    }

    fn encode_png(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 * 1024);
        let mut enc = png::Encoder::new(&mut out, self.w as u32, self.h as u32);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // Flat colours compress well even at the fast setting, which keeps
        // rendering well under the time budget.
        enc.set_compression(png::Compression::Fast);
        // Writing a correctly sized buffer into a Vec has no failure mode.
        let mut writer = enc.write_header().expect("PNG header into Vec");
        writer
            .write_image_data(&self.px)
            .expect("PNG data into Vec");
        writer.finish().expect("PNG trailer into Vec");
        out
    }
}

fn text_width(text: &str, scale: i32) -> i32 {
    let n = text.chars().count().min(4096) as i32;
    (n * font::ADVANCE * scale - scale).max(0)
}

/// Shortens `text` so it fits `max_w` pixels at `scale`, marking the cut with "..".
fn fit(text: &str, scale: i32, max_w: i32) -> String {
    let max_chars = ((max_w + scale) / (font::ADVANCE * scale)).max(0) as usize;
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max_chars.saturating_sub(2)).collect();
    s.push_str("..");
    s
}

/// Linear blend from `a` towards `b` by `pct` percent.
fn mix(a: Rgb, b: Rgb, pct: u16) -> Rgb {
    let p = pct.min(100);
    let m = |x: u8, y: u8| ((u16::from(x) * (100 - p) + u16::from(y) * p) / 100) as u8;
    [m(a[0], b[0]), m(a[1], b[1]), m(a[2], b[2])]
}

// ---------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------

/// SplitMix64: tiny, fast and stable across platforms, so the same seed
/// always yields the same picture.
struct Rng(u64);

/// Separate streams per purpose, so e.g. the face of a seed is identical on
/// the selfie and on every card regardless of what else a layout draws.
const FACE_STREAM: u64 = 1;
const SIGNATURE_STREAM: u64 = 2;
const ADDRESS_STREAM: u64 = 3;
const LAYOUT_STREAM: u64 = 4;
const EXPIRY_STREAM: u64 = 5;

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform integer in `lo..hi` (returns `lo` for an empty range).
    fn range(&mut self, lo: i32, hi: i32) -> i32 {
        if hi <= lo {
            return lo;
        }
        lo + (self.next() % (hi - lo) as u64) as i32
    }

    /// Uniform float in `lo..hi`, for face proportions.
    fn frac(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.range(0, items.len() as i32) as usize]
    }
}

// ---------------------------------------------------------------------------
// Shared document elements
// ---------------------------------------------------------------------------

/// Colours of one document: `accent` for bands and headings, `tint` for the
/// security-paper background.
struct Theme {
    accent: Rgb,
    tint: Rgb,
}

fn theme(art: &DocumentArt, rng: &mut Rng) -> Theme {
    let palette: &[Rgb] = match art.kind {
        ArtKind::PassportPage => &[[112, 28, 44], [26, 46, 96], [24, 82, 62], [70, 40, 96]],
        ArtKind::DriverLicenseFront => &[[176, 58, 96], [44, 104, 156], [150, 88, 36]],
        ArtKind::IdCardFront | ArtKind::IdCardBack => {
            &[[32, 78, 140], [18, 106, 118], [40, 100, 62], [88, 60, 130]]
        }
        // The selfie draws no document chrome; it only shares an arm here.
        ArtKind::Selfie | ArtKind::ProofOfAddress => &[[0, 104, 140], [196, 92, 20], [60, 60, 150]],
        ArtKind::ProofOfFunds => &[[16, 60, 110], [20, 96, 70], [120, 30, 50]],
    };
    let accent = rng.pick(palette);
    let tint = mix(WHITE, accent, rng.range(8, 14) as u16);
    Theme { accent, tint }
}

/// Fine wavy lines, a cheap nod to the guilloche pattern of security paper.
fn guilloche(c: &mut Canvas, area: Rect, colour: Rgb, rng: &mut Rng) {
    let waves = (area.h / 22).max(1);
    let period = rng.frac(90.0, 160.0);
    let phase = rng.frac(0.0, TAU);
    for i in 0..waves {
        let base = area.y + i * area.h / waves + 10;
        let amp = 7.0 + (i % 3) as f32 * 3.0;
        let mut prev = (area.x, base);
        for x in (area.x..=area.x + area.w).step_by(6) {
            let a = (x as f32 / period) * TAU + phase + i as f32 * 0.7;
            let p = (x, base + (a.sin() * amp) as i32);
            c.line(prev, p, 1, colour);
            prev = p;
        }
    }
}

/// Label in small muted caps with the value underneath, truncated to `max_w`.
fn field(c: &mut Canvas, x: i32, y: i32, max_w: i32, label: &str, value: &str) {
    c.draw_text(x, y, &fit(label, 2, max_w), 2, MUTED);
    c.draw_text(x, y + 22, &fit(value, 3, max_w), 3, INK);
}

/// A squiggle standing in for a handwritten signature; seeded per person.
fn signature(c: &mut Canvas, area: Rect, seed: u64) {
    let mut rng = Rng::new(seed, SIGNATURE_STREAM);
    let mid = area.y + area.h / 2;
    let mut prev = (area.x, mid);
    let mut x = area.x;
    while x < area.x + area.w - 14 {
        x += rng.range(8, 16);
        let p = (x, mid + rng.range(-area.h / 2 + 4, area.h / 2 - 4));
        c.line(prev, p, 2, [24, 40, 110]);
        prev = p;
    }
}

/// The country code in a rounded badge, the way many IDs show the issuer.
fn country_badge(c: &mut Canvas, x: i32, y: i32, country: &str, bg: Rgb, fg: Rgb) {
    c.fill_round_rect(Rect::new(x, y, 84, 60), 10, bg);
    let code: String = country.chars().take(3).collect();
    c.draw_text_centered(x + 42, y + 16, &code, 4, fg);
}

fn specimen_watermark(c: &mut Canvas, text: &str) {
    let scale = (c.w * 9 / 10) / (text.chars().count().max(1) as i32 * font::ADVANCE);
    c.watermark(text, scale.clamp(2, 16), WATERMARK_RED, 48);
}

/// Deterministic fictional expiry date (YYYY, MM, DD).
fn expiry_date(seed: u64) -> (i32, i32, i32) {
    let mut rng = Rng::new(seed, EXPIRY_STREAM);
    (rng.range(2029, 2037), rng.range(1, 13), rng.range(1, 29))
}

fn iso_date((y, m, d): (i32, i32, i32)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

// ---------------------------------------------------------------------------
// Machine-readable zone (ICAO 9303 style)
// ---------------------------------------------------------------------------

/// Upper-cases to the MRZ alphabet (A-Z, 0-9, '<'), padded or cut to `len`.
fn mrz_field(s: &str, len: usize) -> String {
    s.chars()
        .map(|ch| match ch.to_ascii_uppercase() {
            u @ ('A'..='Z' | '0'..='9') => u,
            _ => '<',
        })
        .chain(std::iter::repeat('<'))
        .take(len)
        .collect()
}

/// ICAO 7-3-1 check digit, so the zone looks like a real (but fictional) MRZ.
fn mrz_check(s: &str) -> char {
    let sum: u32 = s
        .chars()
        .zip([7u32, 3, 1].into_iter().cycle())
        .map(|(ch, w)| {
            let v = match ch {
                '0'..='9' => ch as u32 - '0' as u32,
                'A'..='Z' => ch as u32 - 'A' as u32 + 10,
                _ => 0,
            };
            v * w
        })
        .sum();
    char::from(b'0' + (sum % 10) as u8)
}

/// "1988-10-01" -> "881001"; anything without exactly 8 digits becomes filler.
fn mrz_date(date: &str) -> String {
    let digits: String = date.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 8 {
        digits[2..].to_string()
    } else {
        "<<<<<<".to_string()
    }
}

/// "Anna Maria Schmidt" -> "SCHMIDT<<ANNA<MARIA<<<..." (last word is the surname).
fn mrz_name(full_name: &str, len: usize) -> String {
    let words: Vec<&str> = full_name.split_whitespace().collect();
    let joined = match words.split_last() {
        Some((surname, given)) if !given.is_empty() => {
            format!("{}<<{}", surname, given.join("<"))
        }
        _ => full_name.to_string(),
    };
    mrz_field(&joined, len)
}

/// TD3 (passport) zone: two lines of 44 characters.
fn mrz_td3(art: &DocumentArt) -> [String; 2] {
    let country = mrz_field(art.country, 3);
    let line1 = format!("P<{country}{}", mrz_name(art.full_name, 39));
    let number = mrz_field(art.document_number, 9);
    let dob = mrz_date(art.date_of_birth);
    let exp = mrz_date(&iso_date(expiry_date(art.seed)));
    let personal = mrz_field("", 14);
    let (n, d, e, p) = (
        format!("{number}{}", mrz_check(&number)),
        format!("{dob}{}", mrz_check(&dob)),
        format!("{exp}{}", mrz_check(&exp)),
        format!("{personal}{}", mrz_check(&personal)),
    );
    let composite = mrz_check(&format!("{n}{d}{e}{p}"));
    [line1, format!("{n}{country}{d}<{e}{p}{composite}")]
}

/// TD1 (ID card) zone: three lines of 30 characters.
fn mrz_td1(art: &DocumentArt) -> [String; 3] {
    let country = mrz_field(art.country, 3);
    let number = mrz_field(art.document_number, 9);
    let optional = mrz_field("", 15);
    let dob = mrz_date(art.date_of_birth);
    let exp = mrz_date(&iso_date(expiry_date(art.seed)));
    let upper = format!("{number}{}{optional}", mrz_check(&number));
    let (d, e) = (
        format!("{dob}{}", mrz_check(&dob)),
        format!("{exp}{}", mrz_check(&exp)),
    );
    let optional2 = mrz_field("", 11);
    let composite = mrz_check(&format!("{upper}{d}{e}{optional2}"));
    [
        format!("I<{country}{upper}"),
        format!("{d}<{e}{country}{optional2}{composite}"),
        mrz_name(art.full_name, 30),
    ]
}

fn draw_mrz(c: &mut Canvas, lines: &[String], top: i32, scale: i32, pitch: i32) {
    for (i, line) in (0..).zip(lines) {
        c.draw_text_centered(c.w / 2, top + i * pitch, line, scale, INK);
    }
}

// ---------------------------------------------------------------------------
// Stylised face
// ---------------------------------------------------------------------------

/// Head, hair, eyes, mouth and shoulders on a plain background. Proportions
/// and colours come from the seed only, so one applicant keeps one face.
fn draw_face(c: &mut Canvas, r: Rect, seed: u64) {
    const SKIN: [Rgb; 6] = [
        [255, 223, 196],
        [240, 196, 150],
        [222, 170, 118],
        [196, 136, 84],
        [150, 98, 60],
        [98, 64, 44],
    ];
    const HAIR: [Rgb; 6] = [
        [34, 28, 26],
        [72, 46, 30],
        [112, 76, 44],
        [204, 172, 108],
        [150, 70, 38],
        [168, 168, 168],
    ];
    const CLOTHES: [Rgb; 6] = [
        [36, 52, 96],
        [110, 36, 48],
        [40, 84, 64],
        [80, 84, 92],
        [20, 110, 120],
        [30, 30, 34],
    ];
    const BACKDROP: [Rgb; 4] = [
        [222, 230, 238],
        [236, 234, 226],
        [214, 228, 220],
        [232, 224, 232],
    ];
    const IRIS: [Rgb; 3] = [[84, 54, 30], [52, 96, 150], [70, 110, 70]];

    let mut rng = Rng::new(seed, FACE_STREAM);
    let skin = rng.pick(&SKIN);
    let hair = rng.pick(&HAIR);
    let clothes = rng.pick(&CLOTHES);
    let iris = rng.pick(&IRIS);
    let hair_style = rng.range(0, 4);
    let glasses = rng.range(0, 4) == 0;
    let smile = rng.range(0, 2) == 0;

    c.set_clip(r);
    c.fill_rect(r.x, r.y, r.w, r.h, rng.pick(&BACKDROP));

    let (w, h) = (r.w as f32, r.h as f32);
    let cx = r.x + r.w / 2 + (rng.frac(-0.02, 0.02) * w) as i32;
    let rx_f = w * rng.frac(0.20, 0.24);
    let ry_f = rx_f * rng.frac(1.22, 1.40);
    let (rx, ry) = (rx_f as i32, ry_f as i32);
    let cy = r.y + (h * 0.40) as i32;
    let at = |fy: f32| cy + (ry_f * fy) as i32;
    let wx = |fx: f32| (rx_f * fx) as i32;
    let wy = |fy: f32| (ry_f * fy) as i32;

    // Shoulders hang a fixed fraction of the head below the chin, so the
    // figure keeps its proportions in any frame shape.
    let shoulder_top = at(1.3);
    let (srx, sry) = (wx(2.4), wy(1.2));

    // Long hair sits behind the shoulders, so it is drawn first.
    if hair_style == 1 {
        c.fill_ellipse(cx, at(0.25), wx(1.28), wy(1.18), hair);
    }
    c.fill_ellipse(cx, shoulder_top + sry, srx, sry, clothes);
    let neck = mix(skin, [0, 0, 0], 12);
    c.fill_rect(
        cx - wx(0.38),
        at(0.6),
        wx(0.76),
        shoulder_top - at(0.6) + wy(0.1),
        neck,
    );
    // A round neckline keeps the shoulders from reading as a helmet.
    c.fill_ellipse(cx, shoulder_top + wy(0.1), wx(0.38), wy(0.14), neck);
    c.fill_ellipse(cx - rx, at(0.05), wx(0.16), wy(0.2), skin);
    c.fill_ellipse(cx + rx, at(0.05), wx(0.16), wy(0.2), skin);
    c.fill_ellipse(cx, cy, rx, ry, skin);

    // Hair cap, then the face re-drawn below the hairline.
    match hair_style {
        2 => {
            c.fill_ellipse(cx, at(-1.05), wx(0.5), wy(0.32), hair);
            c.fill_ellipse(cx, at(-0.38), wx(1.05), wy(0.7), hair);
        }
        3 => c.fill_ellipse(cx, at(-0.5), wx(1.0), wy(0.55), hair),
        _ => c.fill_ellipse(cx, at(-0.38), wx(1.07), wy(0.7), hair),
    }
    c.fill_ellipse(cx, at(0.14), wx(0.93), wy(0.86), skin);

    // Eyes and brows.
    let eye_y = at(-0.02);
    for side in [-1, 1] {
        let ex = cx + side * wx(0.4);
        c.fill_ellipse(ex, eye_y, wx(0.17), wy(0.085), WHITE);
        c.fill_ellipse(ex, eye_y, wy(0.075), wy(0.075), iris);
        c.fill_ellipse(ex, eye_y, wy(0.035), wy(0.035), [16, 16, 16]);
        let bt = wy(0.045).max(2);
        c.fill_rect(
            ex - wx(0.2),
            at(-0.2),
            wx(0.4),
            bt,
            mix(hair, [0, 0, 0], 20),
        );
        if glasses {
            let g = Rect::new(ex - wx(0.28), eye_y - wy(0.15), wx(0.56), wy(0.3));
            c.stroke_rect(g, (r.w / 110).max(2), [40, 40, 48]);
        }
    }
    if glasses {
        let t = (r.w / 110).max(2);
        c.line(
            (cx - wx(0.12), eye_y),
            (cx + wx(0.12), eye_y),
            t,
            [40, 40, 48],
        );
    }

    // Nose as a shaded stroke.
    let shade = mix(skin, [0, 0, 0], 25);
    let t = (r.w / 120).max(2);
    c.line((cx, at(0.08)), (cx - wx(0.1), at(0.32)), t, shade);
    c.line(
        (cx - wx(0.1), at(0.32)),
        (cx + wx(0.06), at(0.34)),
        t,
        shade,
    );

    // Mouth; a skin-coloured ellipse over the top half turns it into a smile.
    let lips = mix(skin, [170, 40, 50], 45);
    let my = at(0.56);
    if smile {
        c.fill_ellipse(cx, my, wx(0.3), wy(0.09), lips);
        c.fill_ellipse(cx, my - wy(0.05), wx(0.34), wy(0.07), skin);
    } else {
        c.fill_ellipse(cx, my, wx(0.26), wy(0.05), lips);
    }
    c.reset_clip();
}

// ---------------------------------------------------------------------------
// Layouts
// ---------------------------------------------------------------------------

const CARD_RADIUS: i32 = 28;

/// Rounded card on a light grey surround, with a patterned body.
fn card_base(c: &mut Canvas, th: &Theme, rng: &mut Rng) -> Rect {
    c.fill_rect(0, 0, c.w, c.h, [228, 230, 234]);
    let card = Rect::new(0, 0, c.w, c.h);
    c.fill_round_rect(card, CARD_RADIUS, th.tint);
    guilloche(
        c,
        Rect::new(10, 90, c.w - 20, c.h - 150),
        mix(th.tint, th.accent, 16),
        rng,
    );
    card
}

/// Paints a strip of the rounded card in `colour`, keeping its corners round.
fn card_band(c: &mut Canvas, card: Rect, y: i32, h: i32, colour: Rgb) {
    c.set_clip(Rect::new(card.x, y, card.w, h));
    c.fill_round_rect(card, CARD_RADIUS, colour);
    c.reset_clip();
}

fn draw_card_front(c: &mut Canvas, art: &DocumentArt) {
    let licence = art.kind == ArtKind::DriverLicenseFront;
    let mut rng = Rng::new(art.seed, LAYOUT_STREAM);
    let th = theme(art, &mut rng);
    let card = card_base(c, &th, &mut rng);

    card_band(c, card, 0, 96, th.accent);
    country_badge(c, 28, 18, art.country, WHITE, th.accent);
    let title = if licence {
        "DRIVING LICENCE"
    } else {
        "IDENTITY CARD"
    };
    c.draw_text(132, 20, title, 4, WHITE);
    c.draw_text(
        132,
        64,
        "SPECIMEN - NOT A VALID DOCUMENT",
        2,
        mix(th.accent, WHITE, 75),
    );

    let portrait = Rect::new(40, 118, 220, 280);
    draw_face(c, portrait, art.seed);
    c.stroke_rect(portrait, 2, mix(th.accent, WHITE, 30));
    c.draw_text(40, 412, "SIGNATURE", 2, MUTED);
    signature(c, Rect::new(40, 432, 220, 44), art.seed);

    // Driving licences number their fields as the EU model does.
    let label = |n: &str, text: &'static str| {
        if licence {
            format!("{n}. {text}")
        } else {
            text.to_string()
        }
    };
    let (x, col2, full) = (292, 566, 530);
    field(c, x, 118, full, &label("1", "NAME"), art.full_name);
    field(
        c,
        x,
        190,
        260,
        &label("3", "DATE OF BIRTH"),
        art.date_of_birth,
    );
    field(
        c,
        col2,
        190,
        260,
        &label("5", "DOCUMENT NO"),
        art.document_number,
    );
    field(c, x, 262, 260, &label("4C", "COUNTRY"), art.country);
    let expiry = iso_date(expiry_date(art.seed));
    field(c, col2, 262, 260, &label("4B", "DATE OF EXPIRY"), &expiry);
    if licence {
        let cats = rng.pick(&["AM B1 B", "A2 B BE", "B", "AM B C1"]);
        field(c, x, 334, 260, "9. CATEGORIES", cats);
    } else {
        field(c, x, 334, 260, "ISSUED BY", "DEMO AUTHORITY");
        // Contact chip, drawn as a gold pad with contact lines.
        let chip = Rect::new(700, 372, 96, 72);
        c.fill_round_rect(chip, 12, [212, 178, 92]);
        let line = [170, 136, 60];
        c.fill_rect(chip.x, chip.y + 24, chip.w, 2, line);
        c.fill_rect(chip.x, chip.y + 46, chip.w, 2, line);
        c.fill_rect(chip.x + 36, chip.y, 2, chip.h, line);
        c.fill_rect(chip.x + 60, chip.y, 2, chip.h, line);
    }

    card_band(c, card, c.h - 44, 44, mix(th.accent, WHITE, 20));
    c.draw_text_centered(c.w / 2, c.h - 29, "SPECIMEN - FOR DEMO USE ONLY", 2, WHITE);
    specimen_watermark(c, "SPECIMEN");
}

fn draw_card_back(c: &mut Canvas, art: &DocumentArt) {
    let mut rng = Rng::new(art.seed, LAYOUT_STREAM);
    let th = theme(art, &mut rng);
    let card = card_base(c, &th, &mut rng);

    card_band(c, card, 0, 16, th.accent);
    field(c, 40, 36, 360, "ISSUED BY", "DEMO AUTHORITY");
    field(c, 420, 36, 200, "DOCUMENT NO", art.document_number);
    field(c, 640, 36, 180, "COUNTRY", art.country);

    // PDF417-like barcode: start/stop guards around seeded bar rows.
    let (bx, by, bw) = (40, 112, 776);
    c.fill_rect(bx - 8, by - 8, bw + 16, 168 + 16, WHITE);
    for row in 0..8 {
        let y = by + row * 21;
        c.fill_rect(bx, y, 6, 21, INK);
        c.fill_rect(bx + 10, y, 2, 21, INK);
        c.fill_rect(bx + bw - 6, y, 6, 21, INK);
        c.fill_rect(bx + bw - 12, y, 2, 21, INK);
        let mut x = bx + 20;
        while x < bx + bw - 24 {
            let wdt = rng.range(2, 7).min(bx + bw - 24 - x);
            if rng.range(0, 2) == 0 {
                c.fill_rect(x, y, wdt, 21, INK);
            }
            x += wdt;
        }
    }

    // MRZ zone: a plain band as on real cards, OCR-style monospace text.
    card_band(c, card, 318, c.h - 318, WHITE);
    draw_mrz(c, &mrz_td1(art), 344, 4, 54);
    specimen_watermark(c, "SPECIMEN");
}

fn draw_passport(c: &mut Canvas, art: &DocumentArt) {
    let mut rng = Rng::new(art.seed, LAYOUT_STREAM);
    let th = theme(art, &mut rng);
    c.fill_rect(0, 0, c.w, c.h, th.tint);
    guilloche(
        c,
        Rect::new(0, 70, c.w, 380),
        mix(th.tint, th.accent, 16),
        &mut rng,
    );

    c.fill_rect(0, 0, c.w, 64, th.accent);
    c.draw_text(36, 18, "PASSPORT", 4, WHITE);
    let sub = mix(th.accent, WHITE, 75);
    c.draw_text_right(c.w - 36, 26, "SPECIMEN - NOT A VALID DOCUMENT", 2, sub);

    let portrait = Rect::new(36, 88, 220, 280);
    draw_face(c, portrait, art.seed);
    c.stroke_rect(portrait, 2, mix(th.accent, WHITE, 30));

    let (x, col2, col3) = (290, 380, 540);
    field(c, x, 88, 80, "TYPE", "P");
    field(c, col2, 88, 150, "CODE", art.country);
    field(c, col3, 88, 310, "PASSPORT NO", art.document_number);
    field(c, x, 156, 560, "NAME", art.full_name);
    field(c, x, 224, 240, "DATE OF BIRTH", art.date_of_birth);
    field(c, col3, 224, 310, "NATIONALITY", art.country);
    let expiry = iso_date(expiry_date(art.seed));
    field(c, x, 292, 240, "DATE OF EXPIRY", &expiry);
    field(c, col3, 292, 310, "AUTHORITY", "DEMO");
    c.draw_text(x, 360, "SIGNATURE", 2, MUTED);
    signature(c, Rect::new(x, 380, 240, 44), art.seed);

    c.fill_rect(0, 470, c.w, c.h - 470, WHITE);
    c.fill_rect(0, 470, c.w, 2, mix(th.accent, WHITE, 50));
    draw_mrz(c, &mrz_td3(art), 510, 3, 50);
    specimen_watermark(c, "SPECIMEN");
}

fn draw_selfie(c: &mut Canvas, art: &DocumentArt) {
    draw_face(c, Rect::new(0, 0, c.w, c.h), art.seed);
    // Marked in the corner so the image is never taken for a real photo.
    c.fill_rect(0, c.h - 34, c.w, 34, [30, 30, 34]);
    c.draw_text(12, c.h - 24, "SYNTHETIC SELFIE - DEMO", 2, WHITE);
}

/// Fictional postal address: one per seed, shared by both proof documents.
fn address_lines(art: &DocumentArt) -> [String; 3] {
    let mut rng = Rng::new(art.seed, ADDRESS_STREAM);
    let street = rng.pick(&[
        "SAMPLE STREET",
        "EXAMPLE ROAD",
        "DEMO AVENUE",
        "TEST LANE",
        "FICTION WAY",
    ]);
    let city = rng.pick(&[
        "DEMO CITY",
        "SAMPLETOWN",
        "EXAMPLEVILLE",
        "MOCKBURG",
        "TESTHAVEN",
    ]);
    [
        format!("{} {street}", rng.range(1, 200)),
        format!("{:05} {city}", rng.range(10000, 99999)),
        fit(art.country, 2, 200),
    ]
}

/// Letterhead bar, date, recipient block and title shared by both proofs.
/// Returns the y below the title block.
fn letter_head(
    c: &mut Canvas,
    art: &DocumentArt,
    th: &Theme,
    issuer: &str,
    title: &str,
    rng: &mut Rng,
) -> i32 {
    c.fill_rect(0, 0, c.w, 88, th.accent);
    c.fill_ellipse(56, 44, 28, 28, WHITE);
    let initial: String = issuer.chars().take(1).collect();
    c.draw_text_centered(57, 30, &initial, 4, th.accent);
    c.draw_text(100, 22, issuer, 3, WHITE);
    c.draw_text(
        100,
        54,
        "CUSTOMER SERVICE 0800 555 0100",
        2,
        mix(th.accent, WHITE, 75),
    );

    let date = format!("2025-{:02}-{:02}", rng.range(1, 13), rng.range(1, 29));
    c.draw_text_right(c.w - 48, 112, &date, 2, MUTED);

    let (x, max_w) = (48, c.w - 96);
    c.draw_text(x, 140, &fit(art.full_name, 2, max_w), 2, INK);
    for (i, line) in (1..).zip(address_lines(art)) {
        c.draw_text(x, 140 + i * 22, &line, 2, INK);
    }

    c.draw_text(x, 252, title, 3, th.accent);
    c.draw_text(x, 284, "REFERENCE", 2, MUTED);
    c.draw_text(
        x + 130,
        284,
        &fit(art.document_number, 2, max_w - 130),
        2,
        INK,
    );
    c.fill_rect(x, 310, max_w, 2, mix(th.accent, WHITE, 60));
    326
}

/// Grey bars standing in for body text: cheap, unreadable, obviously filler.
fn filler_text(c: &mut Canvas, x: i32, y: i32, w: i32, lines: i32, rng: &mut Rng) -> i32 {
    let mut y = y;
    for i in 0..lines {
        let len = if i == lines - 1 {
            rng.range(w / 4, w / 2)
        } else {
            rng.range(w * 3 / 4, w)
        };
        c.fill_rect(x, y, len, 6, [196, 200, 206]);
        y += 16;
    }
    y
}

fn footer(c: &mut Canvas) {
    c.fill_rect(48, c.h - 52, c.w - 96, 1, [200, 204, 210]);
    c.draw_text_centered(
        c.w / 2,
        c.h - 36,
        "SPECIMEN - SYNTHETIC DEMO DOCUMENT",
        2,
        MUTED,
    );
}

fn draw_proof_of_address(c: &mut Canvas, art: &DocumentArt) {
    let mut rng = Rng::new(art.seed, LAYOUT_STREAM);
    let th = theme(art, &mut rng);
    let issuer = rng.pick(&["NORTHWIND ENERGY", "ACME WATER CO", "DEMO TELECOM"]);
    let mut y = letter_head(c, art, &th, issuer, "UTILITY BILL", &mut rng);

    let (x, w) = (48, c.w - 96);
    for lines in [4, 5, 3] {
        y = filler_text(c, x, y + 12, w, lines, &mut rng) + 14;
    }

    let summary = Rect::new(x, y + 10, w, 84);
    c.fill_rect(summary.x, summary.y, summary.w, summary.h, th.tint);
    c.stroke_rect(summary, 2, mix(th.accent, WHITE, 50));
    let amount = format_amount(i64::from(rng.range(2_500, 30_000)));
    c.draw_text(x + 16, summary.y + 18, "AMOUNT DUE", 2, MUTED);
    c.draw_text_right(x + w - 16, summary.y + 14, &format!("EUR {amount}"), 3, INK);
    c.draw_text(x + 16, summary.y + 52, "PAYABLE BY DIRECT DEBIT", 2, MUTED);

    filler_text(c, x, summary.y + summary.h + 26, w, 4, &mut rng);
    footer(c);
    specimen_watermark(c, "SPECIMEN");
}

/// Cents as "-1,234.56".
fn format_amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let units = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{:02}", abs % 100)
}

fn draw_proof_of_funds(c: &mut Canvas, art: &DocumentArt) {
    let mut rng = Rng::new(art.seed, LAYOUT_STREAM);
    let th = theme(art, &mut rng);
    let issuer = rng.pick(&[
        "DEMO SAVINGS BANK",
        "EXAMPLE TRUST BANK",
        "SAMPLE CREDIT UNION",
    ]);
    let top = letter_head(c, art, &th, issuer, "ACCOUNT STATEMENT", &mut rng);

    let (x, w, row_h) = (48, c.w - 96, 30);
    let (date_x, desc_x, amount_r, balance_r) = (x + 8, x + 144, x + 392, x + w - 8);
    let mut y = top + 10;
    c.fill_rect(x, y, w, row_h, th.accent);
    for (label, right) in [("AMOUNT", amount_r), ("BALANCE", balance_r)] {
        c.draw_text_right(right, y + 8, label, 2, WHITE);
    }
    c.draw_text(date_x, y + 8, "DATE", 2, WHITE);
    c.draw_text(desc_x, y + 8, "DESCRIPTION", 2, WHITE);

    const ENTRIES: [(&str, i32, i32); 8] = [
        ("SALARY", 250_000, 520_000),
        ("RENT", -140_000, -60_000),
        ("GROCERIES", -16_000, -2_000),
        ("TRANSFER IN", 10_000, 300_000),
        ("UTILITIES", -12_000, -4_000),
        ("CARD PAYMENT", -9_000, -500),
        ("INTEREST", 100, 4_000),
        ("DIVIDEND", 2_000, 60_000),
    ];
    let mut balance = i64::from(rng.range(500_000, 4_000_000));
    let mut day = 1;
    y += row_h;
    c.draw_text(desc_x, y + 8, "OPENING BALANCE", 2, MUTED);
    c.draw_text_right(balance_r, y + 8, &format_amount(balance), 2, INK);
    for i in 0..10 {
        y += row_h;
        if i % 2 == 0 {
            c.fill_rect(x, y, w, row_h, th.tint);
        }
        let (desc, lo, hi) = rng.pick(&ENTRIES);
        let amount = i64::from(rng.range(lo, hi));
        balance += amount;
        day += rng.range(1, 9);
        let date = format!("2025-{:02}-{:02}", 1 + (day - 1) / 28, 1 + (day - 1) % 28);
        c.draw_text(date_x, y + 8, &date, 2, INK);
        c.draw_text(desc_x, y + 8, desc, 2, INK);
        let colour = if amount < 0 {
            [160, 30, 40]
        } else {
            [20, 110, 60]
        };
        c.draw_text_right(amount_r, y + 8, &format_amount(amount), 2, colour);
        c.draw_text_right(balance_r, y + 8, &format_amount(balance), 2, INK);
    }
    y += row_h;
    c.fill_rect(x, y, w, 2, th.accent);
    y += 12;
    c.draw_text(date_x, y + 6, "CLOSING BALANCE", 2, INK);
    c.draw_text_right(
        balance_r,
        y,
        &format!("EUR {}", format_amount(balance)),
        3,
        INK,
    );

    filler_text(c, x, y + 54, w, 4, &mut rng);
    footer(c);
    specimen_watermark(c, "SPECIMEN");
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [ArtKind; 7] = [
        ArtKind::PassportPage,
        ArtKind::IdCardFront,
        ArtKind::IdCardBack,
        ArtKind::DriverLicenseFront,
        ArtKind::Selfie,
        ArtKind::ProofOfAddress,
        ArtKind::ProofOfFunds,
    ];

    fn art(kind: ArtKind, seed: u64) -> DocumentArt<'static> {
        DocumentArt {
            kind,
            full_name: "Erika Demo Mustermann",
            date_of_birth: "1988-10-01",
            document_number: "C01X00T47",
            country: "DE",
            seed,
        }
    }

    fn decode(bytes: &[u8]) -> (u32, u32, png::ColorType) {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("valid PNG header");
        let mut buf = vec![0; reader.output_buffer_size().expect("size fits")];
        let info = reader.next_frame(&mut buf).expect("valid PNG data");
        (info.width, info.height, info.color_type)
    }

    #[test]
    fn every_kind_decodes_to_its_pixel_size() {
        for kind in KINDS {
            let bytes = render_png(&art(kind, 7));
            assert!(bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]));
            let (w, h, colour) = decode(&bytes);
            assert_eq!((w, h), pixel_size(kind), "{kind:?}");
            assert_eq!(colour, png::ColorType::Rgb);
        }
    }

    #[test]
    fn rendering_is_deterministic() {
        for kind in KINDS {
            assert_eq!(
                render_png(&art(kind, 42)),
                render_png(&art(kind, 42)),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn different_seeds_give_different_images() {
        for kind in KINDS {
            assert_ne!(
                render_png(&art(kind, 1)),
                render_png(&art(kind, 2)),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn hostile_text_does_not_panic() {
        let long = "Wolfeschlegelsteinhausenbergerdorff ".repeat(200);
        let cases = [
            (long.as_str(), "x".repeat(500)),
            ("Zoë Ångström-Øster 山田 太郎 🙂", "ÄÖÜ-ß/é".to_string()),
            ("", String::new()),
            ("   ", "<<<".to_string()),
        ];
        for kind in KINDS {
            for (name, other) in &cases {
                let a = DocumentArt {
                    kind,
                    full_name: name,
                    date_of_birth: other,
                    document_number: other,
                    country: other,
                    seed: u64::MAX,
                };
                let (w, h, _) = decode(&render_png(&a));
                assert_eq!((w, h), pixel_size(kind));
            }
        }
    }

    #[test]
    fn mrz_lines_have_icao_lengths_and_check_digits() {
        let a = art(ArtKind::PassportPage, 3);
        let td3 = mrz_td3(&a);
        assert!(td3.iter().all(|l| l.len() == 44), "{td3:?}");
        assert!(td3[0].starts_with("P<DE<MUSTERMANN<<ERIKA<DEMO<"));
        // ICAO 9303 worked example: document number L898902C3 has check digit 6.
        assert_eq!(mrz_check("L898902C3"), '6');
        assert_eq!(mrz_date("1988-10-01"), "881001");
        let td1 = mrz_td1(&a);
        assert!(td1.iter().all(|l| l.len() == 30), "{td1:?}");
    }

    #[test]
    fn helpers_truncate_and_format() {
        assert_eq!(fit("ABCDEFGHIJ", 1, 6 * 5 - 1), "ABC..");
        assert_eq!(fit("ABC", 1, 100), "ABC");
        assert_eq!(format_amount(-12_345_678), "-123,456.78");
        assert_eq!(format_amount(5), "0.05");
    }
}
