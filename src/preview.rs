//! Image previews for the history: a picture decoded off the UI thread, within limits, and
//! shrunk to a few terminal cells drawn as Unicode half blocks (`▀`: the upper pixel is the
//! glyph's colour, the lower one the background), which every terminal shows, over SSH too.
//!
//! A file too large in bytes, or whose header declares too many pixels, is not decoded: the
//! preview says so instead.

use std::io::Cursor;

use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};

/// The largest file decoded.
pub const MAX_BYTES: u64 = 20 * 1024 * 1024;
/// The most pixels a decoded picture may have (its header is read first).
pub const MAX_PIXELS: u64 = 20_000_000;

/// A picture shrunk for the terminal: `w` columns by `h` pixel rows (two per text row), RGB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumb {
    pub w: u32,
    pub h: u32,
    pub rgb: Vec<[u8; 3]>,
}

/// Why a picture has no preview.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreviewError {
    #[error("too large to preview ({0} bytes; at most {MAX_BYTES})")]
    TooManyBytes(u64),
    #[error("too large to preview ({0}×{1} pixels)")]
    TooManyPixels(u32, u32),
    #[error("not a picture this console reads ({0})")]
    Unreadable(String),
}

/// Decodes `bytes` and shrinks the picture to fit `cols` columns and `rows` text rows,
/// keeping its proportions (a cell is about twice as tall as wide; half blocks make it two
/// square pixels).
pub fn decode(bytes: &[u8], cols: u16, rows: u16) -> Result<Thumb, PreviewError> {
    Ok(thumb(&load(bytes)?, cols, rows))
}

/// Decodes `bytes` within the limits: at most [`MAX_BYTES`], and at most [`MAX_PIXELS`] as
/// the header declares them (read first, so a huge picture is refused before any allocation).
pub fn load(bytes: &[u8]) -> Result<image::DynamicImage, PreviewError> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(PreviewError::TooManyBytes(bytes.len() as u64));
    }
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PreviewError::Unreadable(e.to_string()))?;
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| PreviewError::Unreadable(e.to_string()))?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(PreviewError::TooManyPixels(w, h));
    }
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PreviewError::Unreadable(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(w);
    limits.max_image_height = Some(h);
    limits.max_alloc = Some(MAX_PIXELS * 4 + (1 << 20));
    reader.limits(limits);
    reader
        .decode()
        .map_err(|e| PreviewError::Unreadable(e.to_string()))
}

/// The largest size within `max_w`×`max_h` with `w`×`h`'s proportions, never larger than
/// `w`×`h`, at least 1×1.
pub fn fit(w: u32, h: u32, max_w: u32, max_h: u32) -> (u32, u32) {
    let scale = (f64::from(max_w.max(1)) / f64::from(w.max(1)))
        .min(f64::from(max_h.max(1)) / f64::from(h.max(1)))
        .min(1.0);
    (
        ((f64::from(w) * scale).round() as u32).clamp(1, max_w.max(1)),
        ((f64::from(h) * scale).round() as u32).clamp(1, max_h.max(1)),
    )
}

/// `img` shrunk to half blocks within `cols` columns and `rows` text rows.
pub fn thumb(img: &image::DynamicImage, cols: u16, rows: u16) -> Thumb {
    let (max_w, max_h) = half_block_pixels(cols, rows);
    let (tw, th) = fit(img.width(), img.height(), max_w, max_h);
    // Shrunk in the picture's own format, then converted: no full-size copy.
    Thumb::from_rgb(&img.thumbnail_exact(tw, th).to_rgb8())
}

/// `img` as half blocks filling at most `cols` columns and `rows` text rows (the picture
/// view): a larger picture shrunk, a smaller one enlarged, keeping its proportions.
pub fn fill(img: &image::DynamicImage, cols: u16, rows: u16) -> Thumb {
    let (max_w, max_h) = half_block_pixels(cols, rows);
    Thumb::from_rgb(&filling(img, max_w, max_h).to_rgb8())
}

/// The pixels `cols`×`rows` cells of half blocks hold (two a cell, one above the other).
fn half_block_pixels(cols: u16, rows: u16) -> (u32, u32) {
    (u32::from(cols.max(1)), u32::from(rows.max(1)) * 2)
}

/// The pixels `cols`×`rows` cells cover for `picker`'s font.
fn cell_pixels(picker: &ratatui_image::picker::Picker, cols: u16, rows: u16) -> (u32, u32) {
    let fs = picker.font_size();
    (
        u32::from(cols) * u32::from(fs.width),
        u32::from(rows) * u32::from(fs.height),
    )
}

/// `img` at the largest size within `max_w`×`max_h` with its proportions: shrunk when it is
/// larger, enlarged (smoothly) when it is smaller.
fn filling(img: &image::DynamicImage, max_w: u32, max_h: u32) -> image::DynamicImage {
    let (w, h) = fit(img.width(), img.height(), max_w, max_h);
    if (w, h) == (img.width(), img.height()) {
        let (bw, bh) = fit(
            img.width().saturating_mul(64),
            img.height().saturating_mul(64),
            max_w,
            max_h,
        );
        img.resize_exact(bw, bh, image::imageops::FilterType::Triangle)
    } else {
        img.thumbnail_exact(w, h)
    }
}

/// `img` encoded for `picker`'s graphics protocol at `cols`×`rows` cells, for a place in the
/// history that scrolls (ratatui-image's sliced images draw any rows of it). The picture is
/// shrunk to the cells' pixels first.
pub fn sliced(
    picker: &ratatui_image::picker::Picker,
    img: &image::DynamicImage,
    cols: u16,
    rows: u16,
) -> Result<ratatui_image::sliced::SlicedProtocol, PreviewError> {
    let (max_w, max_h) = cell_pixels(picker, cols, rows);
    let (w, h) = fit(img.width(), img.height(), max_w, max_h);
    let small = img.thumbnail_exact(w, h);
    ratatui_image::sliced::SlicedProtocol::new_with_resize(
        picker,
        small,
        ratatui::layout::Size::new(cols, rows),
        ratatui_image::Resize::Fit(None),
    )
    .map_err(|e| PreviewError::Unreadable(e.to_string()))
}

/// `img` encoded for `picker` to fill at most `cols`×`rows` cells (the picture view).
pub fn whole(
    picker: &ratatui_image::picker::Picker,
    img: &image::DynamicImage,
    cols: u16,
    rows: u16,
) -> Result<ratatui_image::protocol::Protocol, PreviewError> {
    let (max_w, max_h) = cell_pixels(picker, cols, rows);
    let small = filling(img, max_w, max_h);
    picker
        .new_protocol(
            small,
            ratatui::layout::Size::new(cols, rows),
            ratatui_image::Resize::Fit(None),
        )
        .map_err(|e| PreviewError::Unreadable(e.to_string()))
}

impl Thumb {
    fn from_rgb(img: &image::RgbImage) -> Thumb {
        Thumb {
            w: img.width(),
            h: img.height(),
            rgb: img.pixels().map(|p| p.0).collect(),
        }
    }

    /// The picture as text rows of half blocks (the last one's lower half blank when the
    /// height is odd).
    pub fn lines(&self) -> Vec<Line<'static>> {
        let px = |x: u32, y: u32| {
            self.rgb
                .get((y * self.w + x) as usize)
                .map(|[r, g, b]| Color::Rgb(*r, *g, *b))
        };
        (0..self.h.div_ceil(2))
            .map(|row| {
                let spans: Vec<Span<'static>> = (0..self.w)
                    .map(|x| {
                        let top = px(x, row * 2).unwrap_or(Color::Reset);
                        let style = match px(x, row * 2 + 1) {
                            Some(bottom) => Style::default().fg(top).bg(bottom),
                            None => Style::default().fg(top),
                        };
                        Span::styled("▀", style)
                    })
                    .collect();
                Line::from(spans)
            })
            .collect()
    }
}

/// A test card: `w`×`h` pixels, a gradient with a disc in the middle, as PNG bytes (the demo
/// world's pictures, and the tests').
pub fn test_card(w: u32, h: u32, hue: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let (cx, cy) = (w as i64 / 2, h as i64 / 2);
        let (dx, dy) = (x as i64 - cx, y as i64 - cy);
        let r = (w.min(h) / 3) as i64;
        if dx * dx + dy * dy < r * r {
            image::Rgb([255, 255 - hue, hue])
        } else {
            image::Rgb([(x * 255 / w.max(1)) as u8, hue, (y * 255 / h.max(1)) as u8])
        }
    });
    let mut out = Vec::new();
    // Only an empty picture fails to encode: then no bytes, which decode refuses.
    if img
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .is_err()
    {
        out.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_is_shrunk_to_fit_keeping_its_proportions() {
        let t = decode(&test_card(400, 200, 40), 40, 10).unwrap();
        // 40 columns wide fits 400 → 40; 200 → 20 pixel rows = 10 text rows.
        assert_eq!((t.w, t.h), (40, 20));
        assert_eq!(t.lines().len(), 10);
        // The disc's colour in the middle, the gradient at the corner.
        assert_eq!(t.rgb[(10 * 40 + 20) as usize], [255, 215, 40]);
        assert_ne!(t.rgb[0], [255, 215, 40]);
        // A small one is not enlarged.
        let t = decode(&test_card(8, 6, 0), 40, 10).unwrap();
        assert_eq!((t.w, t.h), (8, 6));
    }

    /// PNG's chunk checksum (CRC-32, ISO-HDLC).
    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for &b in bytes {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }

    #[test]
    fn too_large_or_unreadable_files_are_refused_with_the_reason() {
        assert_eq!(
            decode(&vec![0u8; (MAX_BYTES + 1) as usize], 10, 10),
            Err(PreviewError::TooManyBytes(MAX_BYTES + 1))
        );
        assert!(matches!(
            decode(b"not a picture", 10, 10),
            Err(PreviewError::Unreadable(_))
        ));
        // A PNG header claiming 20,000 × 20,000 pixels: refused before any decoding.
        let mut png = test_card(4, 4, 0);
        png[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(
            decode(&png, 10, 10),
            Err(PreviewError::TooManyPixels(20_000, 20_000))
        );
    }
}
