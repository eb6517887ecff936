use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use super::text::{truncate, width};
use crate::app::{Mode, Model, NoticeLevel, Pane, Prompt, Session};
use crate::keys::Action;

/// The bottom line: demo badge, both links' state, then a notice or the key hints.
pub fn bar(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let total = area.width as usize;
    let mut spans: Vec<Span> = Vec::new();
    if m.session == Session::Demo {
        spans.push(Span::styled(" DEMO ", theme.badge));
        spans.push(Span::raw(" "));
    }
    if m.chat.insecure {
        spans.push(Span::styled("⚠ TLS UNCHECKED", theme.error));
        spans.push(Span::raw(" "));
    }
    let (right, right_style) = match &m.ui.notice {
        Some(n) => (
            n.text.clone(),
            match n.level {
                NoticeLevel::Info => theme.ok,
                NoticeLevel::Warn => theme.warn,
                NoticeLevel::Error => theme.error,
            },
        ),
        // Hints fill what the links' states leave (below).
        None => (String::new(), theme.dim),
    };
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    let budget = total.saturating_sub(used + 1);
    // Longest first; the links' states matter more than names, and a notice more than both.
    let room_name = m.active_room().map(|r| r.name.as_str());
    let chat_name = m.chat.account.as_deref();
    let candidates = [
        links_text(
            room_name,
            &m.room.link.label(),
            chat_name,
            &m.chat.link.label(),
        ),
        links_text(None, &m.room.link.label(), None, &m.chat.link.label()),
        links_text(
            None,
            &m.room.link.short_label(),
            None,
            &m.chat.link.short_label(),
        ),
    ];
    // Without a notice, the links' states come first and the hints take what is left, at
    // least the first one.
    let right = if m.ui.notice.is_some() {
        right
    } else {
        hints_text(m, 0)
    };
    let left = candidates
        .iter()
        .find(|c| width(c) + width(&right) + 2 <= budget)
        .cloned()
        // A notice that does not fit beside even the compact summary takes the whole line
        // until the next key; plain hints give way instead.
        .unwrap_or_else(|| {
            if m.ui.notice.is_some() {
                String::new()
            } else {
                candidates[2].clone()
            }
        });
    let right = if m.ui.notice.is_some() {
        right
    } else {
        hints_text(m, budget.saturating_sub(width(&left) + 2))
    };
    let avail = budget.saturating_sub(width(&left) + 2);
    // A notice cut short says where to read it whole.
    let right = if m.ui.notice.is_some() && width(&right) > avail {
        let more = format!(" ({} log)", m.ui.keys.describe(Action::Log));
        format!(
            "{}{more}",
            truncate(&right, avail.saturating_sub(width(&more)))
        )
    } else {
        truncate(&right, avail)
    };
    let left = truncate(&left, budget);
    spans.push(Span::raw(left.clone()));
    let pad = total.saturating_sub(used + width(&left) + width(&right) + 1);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(right, right_style));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// What the keys do where the keyboard is now, most useful first.
pub(super) fn hints(m: &Model) -> Vec<(String, &'static str)> {
    let key = |a: Action| {
        m.ui.keys
            .keys(a)
            .first()
            .map_or_else(|| "(unbound)".to_string(), ToString::to_string)
    };
    // A ringing call's keys work over every mode but a pop-up being typed into, which
    // Esc closes first (app/input.rs).
    if m.room.dialog().is_some_and(|(_, s)| s.rings_in()) {
        if m.mode.is_typed_popup() {
            return vec![("Esc".into(), "first, to answer the call")];
        }
        return vec![
            (key(Action::Accept), "accept"),
            (key(Action::Reject), "reject"),
        ];
    }
    let mut out: Vec<(String, &'static str)> = match &m.mode {
        Mode::Composing => {
            return vec![
                ("Enter".into(), "send"),
                ("Alt-Enter".into(), "new line"),
                ("Esc".into(), "stop writing"),
            ];
        }
        Mode::Filtering => {
            return vec![
                ("Enter".into(), "open"),
                ("Esc".into(), "clear the filter"),
                ("↑↓".into(), "choose"),
            ];
        }
        Mode::Participants { .. } if crate::app::control_refusal(&m.room.state).is_none() => {
            return vec![
                ("↑↓".into(), "choose"),
                (key(Action::Mic), "mic"),
                (key(Action::Camera), "camera"),
                ("Esc".into(), "close"),
            ];
        }
        Mode::Participants { .. } => {
            return vec![("↑↓".into(), "choose"), ("Esc".into(), "close")];
        }
        Mode::Pager(p) if p.viewer.search().typing.is_some() => {
            return vec![("Enter".into(), "search"), ("Esc".into(), "cancel")];
        }
        Mode::Pager(p) if !p.viewer.search().query.is_empty() => {
            return vec![
                ("n N".into(), "next / previous match"),
                ("Esc".into(), "close"),
            ];
        }
        Mode::Pager(_) => {
            return vec![
                ("/".into(), "search"),
                ("PgDn".into(), "page"),
                ("Esc".into(), "close"),
            ];
        }
        Mode::Picture(_) => {
            return vec![
                ("Esc".into(), "close"),
                (
                    format!("{}/{}", key(Action::Up), key(Action::Down)),
                    "other pictures",
                ),
                (key(Action::Download), "download"),
                (key(Action::Mic), "mic"),
                (key(Action::HangUp), "hang up"),
            ];
        }
        Mode::Live(v) => {
            // What helps now first: the broadcast off, a refused token.
            let mut hints = Vec::new();
            if v.broadcast_off(m) {
                hints.push(("y".into(), "broadcast on"));
            }
            if matches!(
                v.trouble,
                Some(crate::app::LiveTrouble::Fetch(
                    crate::room::camera::NoFrame::Refused { .. }
                ))
            ) {
                hints.push(("r".into(), "try again"));
            }
            hints.extend([
                ("Esc".into(), "close"),
                ("←→↑↓".into(), "aim"),
                ("?".into(), "keys"),
                ("+-".into(), "zoom"),
                (key(Action::Mic), "mic"),
                (key(Action::HangUp), "hang up"),
            ]);
            return hints;
        }
        Mode::Aim { .. } => {
            return vec![
                ("←→↑↓".into(), "aim"),
                ("+-".into(), "zoom"),
                ("Esc".into(), "done"),
            ];
        }
        Mode::Devices { .. } => {
            return vec![
                (key(Action::Open), "switch to it"),
                ("↑↓".into(), "choose"),
                ("Esc".into(), "close"),
            ];
        }
        Mode::Calls(_) => {
            return vec![
                (key(Action::Open), "call back"),
                ("↑↓".into(), "choose"),
                ("Esc".into(), "close"),
            ];
        }
        Mode::Outbox { .. } if crate::app::outbox_rows(m).is_empty() => {
            return vec![("Esc".into(), "close")];
        }
        Mode::Outbox { .. } => {
            return vec![
                (key(Action::Retry), "try again"),
                (key(Action::Delete), "drop"),
                ("Esc".into(), "close"),
            ];
        }
        // Keys are typed into these: only what ends them.
        Mode::Prompt(Prompt::Call(p)) => {
            let enter = match (p.invite, p.marked.is_empty()) {
                (true, _) => "invite",
                (false, true) => "call",
                (false, false) => "conference",
            };
            return vec![
                ("Enter".into(), enter),
                ("Esc".into(), "cancel"),
                ("↑↓".into(), "choose"),
                ("Tab".into(), "mark"),
                ("^N".into(), "add"),
                ("^X".into(), "remove"),
            ];
        }
        Mode::Prompt(Prompt::Forward { .. }) => {
            return vec![
                ("Enter".into(), "forward"),
                ("Esc".into(), "cancel"),
                ("↑↓".into(), "choose"),
            ];
        }
        Mode::Prompt(Prompt::Upload { .. }) => {
            return vec![("Enter".into(), "send the file"), ("Esc".into(), "cancel")];
        }
        Mode::Prompt(Prompt::SearchAll(_)) => {
            return vec![
                ("Enter".into(), "open"),
                ("↑↓".into(), "choose"),
                ("Esc".into(), "close"),
            ];
        }
        Mode::Prompt(Prompt::Search { .. }) => {
            return vec![("Enter".into(), "search"), ("Esc".into(), "cancel")];
        }
        Mode::Account { .. } => {
            return vec![
                ("s".into(), "connect"),
                ("l".into(), "log in"),
                ("o".into(), "log out"),
                ("Esc".into(), "close"),
            ];
        }
        Mode::Prompt(Prompt::Form(_)) => {
            return vec![
                ("Enter".into(), "send"),
                ("Tab".into(), "next field"),
                ("Esc".into(), "cancel"),
            ];
        }
        Mode::Prompt(Prompt::NewChat { .. }) => {
            return vec![("Enter".into(), "create"), ("Esc".into(), "cancel")];
        }
        Mode::Confirm(c) => {
            let keys: Vec<String> = c.answers.iter().map(|a| a.key.to_string()).collect();
            return vec![(keys.join("/"), "answer"), ("other keys".into(), "cancel")];
        }
        // The explorer takes every key (`?` and `q` are typed there): where Esc goes from
        // here, and the inspector's key, which works there too.
        Mode::Explorer(x) => {
            return vec![
                ("Esc".into(), crate::app::explorer::esc_hint(x)),
                (key(Action::Inspector), "traffic"),
            ];
        }
        _ => match m.ui.focus {
            Pane::Chats => vec![(key(Action::Open), "open"), (key(Action::Filter), "filter")],
            Pane::History if m.chat.open.as_ref().is_some_and(|o| o.search.is_some()) => vec![
                (key(Action::SearchOlder), "older match"),
                (key(Action::SearchNewer), "newer match"),
                ("Esc".into(), "end the search"),
            ],
            Pane::History if crate::app::selected_picture(m).is_some() => vec![
                (key(Action::Open), "show the picture"),
                (key(Action::Download), "download"),
            ],
            Pane::History => vec![
                (key(Action::Compose), "write"),
                (key(Action::Reply), "reply"),
            ],
            Pane::Room => vec![(key(Action::Call), "call"), (key(Action::Mic), "mic")],
            Pane::Inspector => vec![
                (key(Action::Open), "open the frame"),
                (key(Action::Filter), "search"),
            ],
        },
    };
    out.push((key(Action::Help), "help"));
    out.push((key(Action::Quit), "quit"));
    out
}

/// The hints that fit in `budget` columns, whole.
fn hints_text(m: &Model, budget: usize) -> String {
    let mut text = String::new();
    for (k, what) in hints(m) {
        let next = if text.is_empty() {
            format!("{k} {what}")
        } else {
            format!("{text}  {k} {what}")
        };
        if width(&next) > budget && !text.is_empty() {
            break;
        }
        text = next;
    }
    text
}

fn links_text(
    room: Option<&str>,
    room_state: &str,
    chat: Option<&str>,
    chat_state: &str,
) -> String {
    let part = |label: &str, name: Option<&str>, s: &str| match name {
        Some(n) => format!("{label} {n}: {s}"),
        None => format!("{label}: {s}"),
    };
    format!(
        "{}  │  {}",
        part("Room", room, room_state),
        part("Chat", chat, chat_state)
    )
}
