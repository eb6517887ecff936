//! Links on screen as the terminal's hyperlinks (OSC 8): after a frame is laid out, every URL
//! shown whole between ‹ and › on one row (as the history shows a message's links) is found
//! in the frame's cells, and the runtime writes those cells again inside an OSC 8 sequence
//! (app/run.rs). The visible text is the cells' own; the target is that same text, and only
//! an http, https or mailto URL (crate::osc::link_target) becomes a link.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// A link on screen: where its text starts, the text (one cell's symbol after another), its
/// style, and the URL it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSpot {
    pub x: u16,
    pub y: u16,
    pub text: String,
    pub style: Style,
    pub url: String,
}

/// The links shown whole in `area` of `buf`.
pub fn scan(buf: &Buffer, area: Rect) -> Vec<LinkSpot> {
    let mut out = Vec::new();
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            if buf[(x, y)].symbol() != "‹" {
                x += 1;
                continue;
            }
            let start = x + 1;
            let mut text = String::new();
            let mut end = None;
            let mut cx = start;
            while cx < area.right() {
                let s = buf[(cx, y)].symbol();
                if s == "›" {
                    end = Some(cx);
                    break;
                }
                text.push_str(s);
                // A wide character's second cell is part of it.
                cx += u16::try_from(super::text::width(s).max(1)).unwrap_or(1);
            }
            match end {
                Some(e) if e > start && !text.contains('…') => {
                    if let Some(url) = crate::osc::link_target(&text) {
                        out.push(LinkSpot {
                            x: start,
                            y,
                            // Exactly the cells' text, so the screen does not change.
                            text: text.clone(),
                            style: buf[(start, y)].style(),
                            url,
                        });
                    }
                    x = e + 1;
                }
                _ => x = cx,
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::text::Line;
    use ratatui::widgets::Widget;

    fn screen(rows: &[&str]) -> Buffer {
        let mut b = Buffer::empty(Rect::new(0, 0, 40, rows.len() as u16));
        for (i, r) in rows.iter().enumerate() {
            Line::raw(*r).render(Rect::new(0, i as u16, 40, 1), &mut b);
        }
        b
    }

    #[test]
    fn whole_urls_between_the_marks_are_links_and_nothing_else_is() {
        let b = screen(&[
            "wiki ‹https://ex.com/w› and ‹mailto:a@b›",
            "cut ‹https://ex.com/very/lo…›",
            "‹javascript:alert(1)› ‹file:///etc›",
            "no close ‹https://ex.com",
            "wide ‹https://ex.com/日本›",
        ]);
        let found = scan(&b, b.area);
        let urls: Vec<(&str, u16, u16)> =
            found.iter().map(|l| (l.url.as_str(), l.x, l.y)).collect();
        assert_eq!(
            urls,
            [
                ("https://ex.com/w", 6, 0),
                ("mailto:a@b", 29, 0),
                ("https://ex.com/日本", 6, 4)
            ]
        );
        assert_eq!(found[2].text, "https://ex.com/日本");
    }
}
