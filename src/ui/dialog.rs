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

pub(super) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width.saturating_sub(2));
    let h = h.min(area.height.saturating_sub(2));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

pub(super) fn frame<'a>(title: &'a str, theme: &Theme) -> Block<'a> {
    Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border_focus)
        .padding(Padding::horizontal(1))
        .title(Span::styled(format!(" {title} "), theme.title_focus))
        .style(theme.popup)
}

/// The call dialog, when a call rings in either direction. None drawn otherwise.
/// With several rooms, the dialog is titled with the room the call is on (which may not be
/// the one shown: a call on any room comes to the operator).
pub fn call(f: &mut Frame, area: Rect, m: &Model, theme: &Theme, hits: &mut super::HitMap) {
    let Some((room, s)) = m.room.dialog() else {
        return;
    };
    let r = centered(area, 56, 8);
    let inner_w = r.width.saturating_sub(4) as usize;
    let fit = |t: String| truncate(&t, inner_w);
    let (title, lines) = if let Some(i) = &s.state.invite {
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
            format!("Ringing for {} s", s.ring_secs),
            theme.dim,
        ));
        v.push(Line::raw(""));
        v.push(Line::from(vec![
            Span::styled(m.ui.keys.describe(Action::Accept), theme.key),
            Span::raw(" accept    "),
            Span::styled(m.ui.keys.describe(Action::Reject), theme.key),
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
    } else if let Some(c) = &s.state.calling {
        // The callee by the address book's name where it has one, with the id under it.
        let mut v = match s.state.contact_name(c) {
            Some(name) => vec![
                Line::styled(fit(format!("Calling {}…", line(name))), theme.title),
                Line::styled(fit(line(c).into_owned()), theme.dim),
            ],
            None => vec![Line::styled(
                fit(format!("Calling {}…", line(c))),
                theme.title,
            )],
        };
        v.extend([
            Line::styled(format!("Ringing for {} s", s.ring_secs), theme.dim),
            Line::raw(""),
            Line::from(vec![
                Span::styled(m.ui.keys.describe(Action::Back), theme.key),
                Span::raw(" or "),
                Span::styled(m.ui.keys.describe(Action::HangUp), theme.key),
                Span::raw(" cancels"),
            ]),
        ]);
        ("Outgoing call", v)
    } else if s.unknown_ring() {
        // Ringing since before the console linked: who and which way, the Room has not said.
        (
            "Ringing",
            vec![
                Line::styled(
                    fit("A call is ringing; the Room has not said whose".into()),
                    theme.title,
                ),
                Line::styled(
                    fit("(it began before the console linked)".into()),
                    theme.dim,
                ),
                Line::styled(format!("Ringing for {} s", s.ring_secs), theme.dim),
                Line::raw(""),
                Line::from(vec![
                    Span::styled(m.ui.keys.describe(Action::Accept), theme.key),
                    Span::raw(" accept    "),
                    Span::styled(m.ui.keys.describe(Action::Reject), theme.key),
                    Span::raw(" reject"),
                ]),
            ],
        )
    } else {
        return;
    };
    let mut lines = lines;
    if m.room.list.len() > 1 && m.room.active != Some(room) {
        // A call on a room other than the one shown: said, so `a` is not a surprise.
        let text = format!(
            "On {} (shown: {})",
            line(m.room.name(room)),
            line(m.active_room().map_or("none", |r| r.name.as_str()))
        );
        lines.insert(1, Line::styled(fit(text), theme.warn));
    }
    // Other rooms' calls wait behind this one: said, with their rooms.
    let waiting: Vec<String> = (0..m.room.list.len())
        .filter(|&i| i != room && m.room.slot(i).is_some_and(crate::app::RoomSlot::rings_in))
        .map(|i| line(m.room.name(i)).into_owned())
        .collect();
    if !waiting.is_empty() {
        let text = format!("{} more ringing: {}", waiting.len(), waiting.join(", "));
        let at = lines.len().saturating_sub(2);
        lines.insert(at, Line::styled(fit(text), theme.warn));
    }
    let h = lines.len() as u16 + 2;
    let r = centered(area, 56, h);
    // The dialog covers the panes for the mouse too; its last line holds the buttons.
    use crate::app::Target;
    hits.push(r, Target::Popup);
    let y = r.y + lines.len() as u16;
    let x = r.x + 2;
    let button = |x: u16, w: usize| Rect {
        x,
        y,
        width: (w as u16).min((r.x + r.width).saturating_sub(x)),
        height: 1,
    };
    if s.rings_in() {
        let accept = super::text::width(&m.ui.keys.describe(Action::Accept)) + " accept".len();
        let reject = super::text::width(&m.ui.keys.describe(Action::Reject)) + " reject".len();
        hits.push(button(x, accept), Target::Action(Action::Accept));
        hits.push(
            button(x + accept as u16 + 4, reject),
            Target::Action(Action::Reject),
        );
    } else {
        let w = r.width.saturating_sub(4) as usize;
        hits.push(button(x, w), Target::Action(Action::HangUp));
    }
    f.render_widget(Clear, r);
    let title = if m.room.list.len() > 1 {
        truncate(
            &format!("{title} · {}", line(m.room.name(room))),
            r.width.saturating_sub(4) as usize,
        )
    } else {
        title.to_string()
    };
    f.render_widget(Paragraph::new(lines).block(frame(&title, theme)), r);
}

/// The call prompt: what was typed and the address book entries that match.
pub fn call_prompt(
    f: &mut Frame,
    area: Rect,
    m: &Model,
    p: &crate::app::CallPrompt,
    theme: &Theme,
) {
    let matches = crate::app::call_matches(p);
    let selected = p
        .selected
        .as_deref()
        .and_then(|s| matches.iter().position(|&i| p.contacts[i].id == s))
        .unwrap_or(usize::MAX);
    // Taller screens show more of the address book.
    let rows = usize::from(area.height.saturating_sub(12)).clamp(8, 24);
    let r = centered(area, 72, rows as u16 + 5);
    let w = r.width.saturating_sub(4) as usize;
    let (shown, col) = super::text::field(&p.picker.query, w.saturating_sub(7));
    let chosen = p.selected.is_some() || !p.picker.query.text().trim().is_empty();
    let mut lines = vec![
        Line::from(vec![Span::styled("Call: ", theme.title), Span::raw(shown)]),
        if chosen || matches.is_empty() {
            Line::raw("")
        } else {
            Line::styled("Type a name or id, or ↓ to pick one", theme.dim)
        },
    ];
    if matches.is_empty() {
        lines.push(Line::styled(
            if m.room.state.contacts.is_empty() {
                "The address book is empty: type a TrueConf ID"
            } else {
                "No match in the address book: Enter calls what you typed"
            },
            theme.dim,
        ));
    }
    let first = if selected == usize::MAX {
        0
    } else {
        selected.saturating_sub(rows - 1)
    };
    let now_secs = (m.ui.now_ms / 1000) as i64;
    for (i, c) in matches.iter().copied().enumerate().skip(first).take(rows) {
        let style = if i == selected {
            theme
                .title_focus
                .add_modifier(ratatui::style::Modifier::REVERSED)
        } else {
            ratatui::style::Style::default()
        };
        // Presence as the Room says it now (the list was taken when the prompt opened; the
        // contact at the same place, if it is still the same one).
        let contact = m
            .room
            .state
            .contacts
            .get(c)
            .filter(|k| k.peer.id == p.contacts[c].id);
        let (mark, words, pstyle) = match contact {
            Some(k) => presence_cell(k, now_secs, theme),
            None => ("?", String::from("presence unknown"), theme.dim),
        };
        let words = truncate(&words, 28.min(w / 2));
        let marked = p.marked.iter().any(|id| *id == p.contacts[c].id);
        let label_w = w.saturating_sub(super::text::width(&words) + 6);
        let label = truncate(&p.labels[c], label_w);
        let pad = label_w.saturating_sub(super::text::width(&label));
        lines.push(Line::from(vec![
            Span::styled(if marked { "✓ " } else { "  " }, theme.ok),
            Span::styled(format!("{mark} "), pstyle),
            Span::styled(label, style),
            Span::raw(" ".repeat(pad + 1)),
            Span::styled(words, pstyle),
        ]));
    }
    let marks = match p.marked.len() {
        0 => String::new(),
        n => format!(" · {n} marked"),
    };
    let title = if p.invite {
        format!("Invite into the call{marks} · Enter invites · Tab marks")
    } else if p.book {
        let enter = if p.marked.is_empty() {
            "Tab marks · ^N add · ^X remove"
        } else {
            "Enter: conference · ^N ^X"
        };
        format!(
            "Address book · {}{marks} · {enter}",
            line(m.active_room().map_or("", |r| r.name.as_str()))
        )
    } else if p.marked.is_empty() {
        "Call · Enter calls · Tab marks for a conference".to_string()
    } else {
        format!("Call{marks} · Enter: conference with them")
    };
    let title = truncate(&title, r.width.saturating_sub(4) as usize);
    f.render_widget(Clear, r);
    f.render_widget(Paragraph::new(lines).block(frame(&title, theme)), r);
    let x = r.x + 2 + 6 + col;
    f.set_cursor_position((x.min(r.x + r.width - 2), r.y + 1));
}

/// A contact's presence as a row ends: a mark, the words (with when last seen, for one
/// offline, and their own note), and a style.
fn presence_cell(
    k: &crate::room::state::Contact,
    now_secs: i64,
    theme: &Theme,
) -> (&'static str, String, ratatui::style::Style) {
    use crate::room::state::PresenceKind as K;
    let (kind, words) = k.presence();
    let (mark, style) = match kind {
        K::Available => ("●", theme.ok),
        K::Busy => ("◐", theme.warn),
        K::InConference => ("◉", theme.warn),
        K::Away => ("◌", theme.dim),
        K::Offline => ("○", theme.dim),
        K::Unknown => ("?", theme.dim),
    };
    let mut text = words.to_string();
    if kind == K::Offline
        && let Some(t) = k.presence.last_online
        && now_secs > 0
    {
        let ago = now_secs.saturating_sub(t).max(0);
        let when = match ago {
            0..60 => "just now".to_string(),
            60..3600 => format!("{} min ago", ago / 60),
            3600..86_400 => format!("{} h ago", ago / 3600),
            _ => format!("{} d ago", ago / 86_400),
        };
        text = format!("{text}, seen {when}");
    }
    let note = line(&k.presence.note);
    if !note.trim().is_empty() {
        text = format!("{text} · {}", note.trim());
    }
    (mark, text, style)
}

/// A question with one key per answer; each answer (and Esc) is a button for the mouse.
pub fn confirm(
    f: &mut Frame,
    area: Rect,
    question: &str,
    answers: &[crate::app::Answer],
    theme: &Theme,
    hits: &mut super::HitMap,
) {
    use crossterm::event::KeyCode;
    let r = centered(area, 60, 5);
    let w = r.width.saturating_sub(4) as usize;
    let mut buttons: Vec<(String, String, KeyCode)> = answers
        .iter()
        .map(|a| {
            (
                a.key.to_string(),
                format!(" {}", a.label),
                KeyCode::Char(a.key),
            )
        })
        .collect();
    buttons.push(("Esc".into(), " cancel".into(), KeyCode::Esc));
    let mut keys: Vec<Span> = Vec::new();
    let (mut x, y) = (r.x + 2, r.y + 3);
    for (key, label, code) in buttons {
        let bw = (super::text::width(&key) + super::text::width(&label)) as u16;
        hits.push(
            Rect {
                x,
                y,
                width: bw.min((r.x + r.width).saturating_sub(x)),
                height: 1,
            },
            crate::app::Target::Press(code),
        );
        x = x.saturating_add(bw + 3);
        keys.push(Span::styled(key, theme.key));
        keys.push(Span::raw(format!("{label}   ")));
    }
    let lines = vec![
        Line::styled(truncate(question, w), theme.title),
        Line::raw(""),
        Line::from(keys),
    ];
    f.render_widget(Clear, r);
    f.render_widget(Paragraph::new(lines).block(frame("Confirm", theme)), r);
}

/// A one-line input with a heading, a hint under it, and the cursor where it is.
fn input_box(
    f: &mut Frame,
    area: Rect,
    title: &str,
    label: &str,
    input: &crate::app::Editor,
    hints: Vec<Line<'_>>,
    theme: &Theme,
) {
    let r = centered(area, 64, hints.len() as u16 + 4);
    let w = r.width.saturating_sub(4) as usize;
    let room = w.saturating_sub(super::text::width(label) + 1).max(1);
    let (shown, col) = super::text::field(input, room);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(label.to_string(), theme.title),
            Span::raw(shown),
        ]),
        Line::raw(""),
    ];
    lines.extend(hints);
    f.render_widget(Clear, r);
    f.render_widget(Paragraph::new(lines).block(frame(title, theme)), r);
    let x = r.x + 2 + super::text::width(label) as u16 + col;
    f.set_cursor_position((x.min(r.x + r.width.saturating_sub(2)), r.y + 1));
}

/// Sending a file: the path prompt.
pub fn upload(f: &mut Frame, area: Rect, m: &Model, input: &crate::app::Editor, theme: &Theme) {
    let to = m
        .chat
        .open
        .as_ref()
        .map(|o| m.chat.names.get(&o.title).unwrap_or(&o.title).clone())
        .unwrap_or_default();
    let hints = vec![
        Line::styled(
            truncate(&format!("To {to}"), 60),
            ratatui::style::Style::default(),
        ),
        Line::styled("A path (~ for home); paste or drop a file here.", theme.dim),
        Line::styled("Enter sends, Esc cancels.", theme.dim),
    ];
    input_box(f, area, "Send a file", "File: ", input, hints, theme);
}

/// Searching the open chat.
pub fn search(f: &mut Frame, area: Rect, m: &Model, input: &crate::app::Editor, theme: &Theme) {
    let (title, loaded) = m
        .chat
        .open
        .as_ref()
        .map(|o| {
            (
                m.chat.names.get(&o.title).unwrap_or(&o.title).clone(),
                o.messages.len(),
            )
        })
        .unwrap_or_default();
    let hints = vec![
        Line::styled(
            truncate(&format!("In {title}: its {loaded} loaded messages"), 60),
            ratatui::style::Style::default(),
        ),
        Line::styled(
            "Capitals make case count. Enter searches, Esc cancels.",
            theme.dim,
        ),
    ];
    input_box(f, area, "Search this chat", "Find: ", input, hints, theme);
}

/// Creating a chat: its kind and the id or title.
pub fn new_chat(
    f: &mut Frame,
    area: Rect,
    kind: crate::app::NewChatKind,
    input: &crate::app::Editor,
    theme: &Theme,
) {
    let hints = vec![Line::styled(
        "Tab: personal, group or channel. Enter creates, Esc cancels.",
        theme.dim,
    )];
    let label = format!("{}: ", kind.label());
    input_box(f, area, "New chat", &label, input, hints, theme);
}

/// Forwarding: the chats matching what was typed.
pub fn forward(
    f: &mut Frame,
    area: Rect,
    m: &Model,
    filter: &crate::app::Picker,
    selected: Option<&str>,
    theme: &Theme,
) {
    let rows = 8usize;
    let r = centered(area, 60, rows as u16 + 5);
    let w = r.width.saturating_sub(4) as usize;
    let matches = m.chat.list.matching(filter.query.text());
    let (shown, col) = super::text::field(&filter.query, w.saturating_sub(5));
    let mut lines = vec![
        Line::from(vec![Span::styled("To: ", theme.title), Span::raw(shown)]),
        Line::raw(""),
    ];
    if matches.is_empty() {
        lines.push(Line::styled("No chat matches", theme.dim));
    }
    let sel = matches
        .iter()
        .position(|c| Some(c.id.as_str()) == selected)
        .unwrap_or(0);
    let first = sel.saturating_sub(rows - 1);
    for (i, c) in matches.iter().enumerate().skip(first).take(rows) {
        let shown = match (c.kind, m.chat.names.get(&c.title)) {
            (crate::chat::types::ChatType::P2p, Some(n)) => n.as_str(),
            _ => c.title.as_str(),
        };
        let style = if i == sel && selected.is_some() {
            theme
                .title_focus
                .add_modifier(ratatui::style::Modifier::REVERSED)
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", c.marker()), theme.dim),
            Span::styled(truncate(shown, w.saturating_sub(2)), style),
        ]));
    }
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(frame("Forward · Enter sends · Esc cancels", theme)),
        r,
    );
    let x = r.x + 2 + 4 + col;
    f.set_cursor_position((x.min(r.x + r.width.saturating_sub(2)), r.y + 1));
}

/// The search over every stored chat: the query, and the matches with their chat, author,
/// date and the words around the match, the matched words marked.
pub fn search_all(f: &mut Frame, area: Rect, m: &Model, s: &crate::app::SearchAll, theme: &Theme) {
    use crate::app::SearchState;
    let r = centered(area, 110, area.height.saturating_sub(4).max(8));
    let w = r.width.saturating_sub(4) as usize;
    let (shown, col) = super::text::field(&s.query, w.saturating_sub(6));
    let mut lines = vec![
        Line::from(vec![Span::styled("Find: ", theme.title), Span::raw(shown)]),
        Line::raw(""),
    ];
    let status = match &s.state {
        SearchState::Empty => Some((
            "Type words: every one must match, the last as a prefix".to_string(),
            theme.dim,
        )),
        SearchState::Searching if s.hits.is_empty() => Some(("Searching…".to_string(), theme.dim)),
        SearchState::Done if s.hits.is_empty() => Some((
            "Nothing stored matches (B in the chat list copies a chat's older history)".to_string(),
            theme.dim,
        )),
        SearchState::Failed(e) => Some((format!("Cannot search: {e}"), theme.error)),
        _ => None,
    };
    if let Some((text, style)) = status {
        lines.push(Line::styled(truncate(&text, w), style));
    }
    // Two rows a match: who, where and when; then the words around it.
    let rows = (r.height.saturating_sub(4) as usize / 2).max(1);
    let first = s.selected.saturating_sub(rows - 1);
    for (i, h) in s.hits.iter().enumerate().skip(first).take(rows) {
        let chat = m
            .chat
            .shown_title(&h.chat_id)
            .or_else(|| h.chat_title.as_deref().map(|t| line(t).into_owned()))
            .unwrap_or_else(|| "(untitled)".into());
        let who = m
            .chat
            .names
            .get(&h.author)
            .cloned()
            .or_else(|| h.author_name.as_deref().map(|n| line(n).into_owned()))
            .unwrap_or_else(|| line(&h.author).into_owned());
        let chosen = i == s.selected;
        let head = format!(
            "{}  {}  {}",
            super::panes::local(h.timestamp, m.ui.utc_offset_secs),
            chat,
            who
        );
        let style = if chosen {
            theme
                .title_focus
                .add_modifier(ratatui::style::Modifier::REVERSED)
        } else {
            theme.title
        };
        lines.push(Line::styled(truncate(&head, w), style));
        let mut spans = vec![Span::raw("  ")];
        let mut left = w.saturating_sub(2);
        let pieces = h
            .snippet
            .split([crate::store::MARK_START, crate::store::MARK_END]);
        for (j, piece) in pieces.enumerate() {
            if left == 0 {
                break;
            }
            let clean = truncate(&line(piece), left);
            left = left.saturating_sub(super::text::width(&clean));
            let st = if j % 2 == 1 {
                theme.search
            } else {
                ratatui::style::Style::default()
            };
            spans.push(Span::styled(clean, st));
        }
        lines.push(Line::from(spans));
    }
    let title = match (&s.state, s.hits.len()) {
        // As many as are shown: more may match (the best are shown).
        (SearchState::Done | SearchState::Searching, n) if n >= crate::store::SEARCH_HITS => {
            format!("Search every stored chat · the best {n}")
        }
        (SearchState::Done | SearchState::Searching, n) if n > 0 => {
            format!("Search every stored chat · {n} found")
        }
        _ => "Search every stored chat".to_string(),
    };
    f.render_widget(Clear, r);
    f.render_widget(Paragraph::new(lines).block(frame(&title, theme)), r);
    let x = r.x + 2 + 6 + col;
    f.set_cursor_position((x.min(r.x + r.width.saturating_sub(2)), r.y + 1));
}
