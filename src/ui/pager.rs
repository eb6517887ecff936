//! The pager over the panes: a frame, the viewer's text, where the view is and what the
//! search found on the bottom border.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Padding};

use super::Theme;
use crate::app::pager::{Pager, area as pager_area};

pub fn overlay(f: &mut Frame, screen: ratatui::layout::Rect, p: &Pager, theme: &Theme) {
    let r = pager_area((screen.width, screen.height));
    let keys = " / search · Esc close ";
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border_focus)
        .padding(Padding::horizontal(1))
        .title(Line::from(vec![Span::styled(
            format!(" {} ", p.title),
            theme.title_focus,
        )]))
        .title_bottom(Line::styled(
            format!(" {} ", super::viewer::footer(&p.viewer)),
            theme.dim,
        ))
        .title_bottom(Line::styled(keys, theme.dim).right_aligned())
        .style(theme.popup);
    let inner = block.inner(r);
    f.render_widget(Clear, r);
    f.render_widget(block, r);
    super::viewer::draw(f, inner, &p.viewer, theme);
}
