//! Modal dialogs: the call dialog (an incoming call or invitation, or our outgoing call) and the
//! call prompt with address-book completion.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Padding, Paragraph};

use super::Theme;
use super::text::truncate;
use crate::app::Model;
use crate::keys::Action;
use crate::sanitize::line;

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width.saturating_sub(2));
    let h = h.min(area.height.saturating_sub(2));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn frame<'a>(title: &'a str, theme: &Theme) -> Block<'a> {
    Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border_focus)
        .padding(Padding::horizontal(1))
        .title(Span::styled(format!(" {title} "), theme.title_focus))
        .style(theme.popup)
}

/// The call dialog, when a call rings in either direction. None drawn otherwise.
pub fn call(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let s = &m.room;
    let r = centered(area, 56, 8);
    let inner_w = r.width.saturating_sub(4) as usize;
    let fit = |t: String| truncate(&t, inner_w);
    let (title, lines) = if let Some(i) = &s.invite {
        let who = if i.peer.name.is_empty() {
            line(&i.peer.id).into_owned()
        } else {
            format!("{} ({})", line(&i.peer.name), line(&i.peer.id))
        };
        let mut v = vec![Line::styled(fit(who), theme.title)];
        if let Some(t) = i.conf_title.as_deref().filter(|t| !t.is_empty()) {
            v.push(Line::raw(fit(format!("Conference: {}", line(t)))));
        }
        v.push(Line::styled(
            format!("Ringing for {} s", m.ring_secs),
            theme.dim,
        ));
        v.push(Line::raw(""));
        v.push(Line::from(vec![
            Span::styled(m.keys.describe(Action::Accept), theme.key),
            Span::raw(" accept    "),
            Span::styled(m.keys.describe(Action::Reject), theme.key),
            Span::raw(" reject"),
        ]));
        (
            if i.is_call() {
                "Incoming call"
            } else {
                "Invitation"
            },
            v,
        )
    } else if let Some(c) = &s.calling {
        let v = vec![
            Line::styled(fit(format!("Calling {}…", line(c))), theme.title),
            Line::styled(format!("Ringing for {} s", m.ring_secs), theme.dim),
            Line::raw(""),
            Line::from(vec![
                Span::styled(m.keys.describe(Action::Back), theme.key),
                Span::raw(" or "),
                Span::styled(m.keys.describe(Action::HangUp), theme.key),
                Span::raw(" cancels"),
            ]),
        ];
        ("Outgoing call", v)
    } else {
        return;
    };
    let h = lines.len() as u16 + 2;
    let r = centered(area, 56, h);
    f.render_widget(Clear, r);
    f.render_widget(Paragraph::new(lines).block(frame(title, theme)), r);
}

/// The call prompt: what was typed and the address book entries that match.
pub fn call_prompt(
    f: &mut Frame,
    area: Rect,
    m: &Model,
    input: &str,
    selected: usize,
    theme: &Theme,
) {
    let matches = crate::app::call_matches(m, input);
    let rows = 8usize;
    let r = centered(area, 60, rows as u16 + 5);
    let w = r.width.saturating_sub(4) as usize;
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Call: ", theme.title),
            Span::raw(truncate(&line(input), w.saturating_sub(7))),
        ]),
        Line::raw(""),
    ];
    if matches.is_empty() {
        lines.push(Line::styled(
            if m.room.contacts.is_empty() {
                "The address book is empty: type a TrueConf ID"
            } else {
                "No match in the address book: Enter calls what you typed"
            },
            theme.dim,
        ));
    }
    let first = selected.saturating_sub(rows - 1);
    for (i, (_, label)) in matches.iter().enumerate().skip(first).take(rows) {
        let style = if i == selected {
            theme
                .title_focus
                .add_modifier(ratatui::style::Modifier::REVERSED)
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::styled(truncate(label, w), style));
    }
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(frame(
            "Call · Enter calls · Tab completes · Esc closes",
            theme,
        )),
        r,
    );
    let x = r.x + 2 + 6 + super::text::width(&truncate(&line(input), w.saturating_sub(7))) as u16;
    f.set_cursor_position((x.min(r.x + r.width - 2), r.y + 1));
}
