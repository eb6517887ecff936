//! The server and account view (app/account.rs): the application state, the server and the
//! account as the Room said them ("?" where it has not), the transitions this console saw,
//! and the keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::Theme;
use super::panes::block;
use super::text::truncate;
use crate::app::Model;
use crate::room::state::{Login, Server};
use crate::sanitize;

pub fn overlay(f: &mut Frame, area: Rect, m: &Model, room: usize, theme: &Theme) {
    let Some(slot) = m.room.slot(room) else {
        return;
    };
    let w = area.width.saturating_sub(4).min(72);
    let h = area.height.saturating_sub(2).min(20);
    let r = Rect {
        x: area.x + area.width.saturating_sub(w) / 2,
        y: area.y + area.height.saturating_sub(h) / 2,
        width: w,
        height: h,
    };
    let name = sanitize::line(m.room.name(room)).into_owned();
    let title = truncate(
        &format!("Server and account · {name}"),
        usize::from(w).saturating_sub(4),
    );
    let b = block(&title, true, theme).title_bottom(Line::styled(
        " s connect · l log in · o log out · Esc closes ",
        theme.key,
    ));
    let iw = usize::from(b.inner(r).width);
    let ih = usize::from(b.inner(r).height);
    let cut = |s: &str| truncate(&sanitize::line(s), iw);
    let st = &slot.state;
    let mut lines = Vec::new();
    let link = if slot.link.is_up() {
        Line::styled("Link: online", theme.ok)
    } else {
        Line::styled(
            cut(&format!(
                "Link: {} (what follows may be stale)",
                slot.link.label()
            )),
            theme.warn,
        )
    };
    lines.push(link);
    lines.push(match st.app_state {
        Some(a) => Line::from(vec![
            Span::raw("State: "),
            Span::styled(
                cut(&format!("{} ({})", a.describe(), a.code())),
                theme.title,
            ),
        ]),
        None => Line::styled("State: unknown (the Room has not said)", theme.dim),
    });
    lines.push(match &st.server {
        Server::Unknown => Line::styled("Server: ?", theme.dim),
        Server::None => Line::raw("Server: none"),
        Server::Connected(None) => {
            Line::styled("Server: connected (which one not said)", theme.dim)
        }
        Server::Connected(Some(i)) => {
            let port = i.port.map(|p| format!(":{p}")).unwrap_or_default();
            let domain = i
                .domain
                .as_deref()
                .filter(|d| *d != i.server)
                .map(|d| format!(" (domain {d})"))
                .unwrap_or_default();
            Line::raw(cut(&format!("Server: {}{port}{domain}", i.server)))
        }
    });
    lines.push(match &st.login {
        Login::Unknown => Line::styled("Account: ?", theme.dim),
        Login::LoggedOut => Line::raw("Account: not logged in"),
        Login::LoggedIn(None) => Line::styled("Account: logged in (which one not said)", theme.dim),
        Login::LoggedIn(Some(p)) if p.name.is_empty() || p.name == p.id => {
            Line::raw(cut(&format!("Account: {}", p.id)))
        }
        Login::LoggedIn(Some(p)) => Line::raw(cut(&format!("Account: {} ({})", p.name, p.id))),
    });
    lines.push(Line::raw(""));
    if slot.account_log.is_empty() {
        lines.push(Line::styled(
            "No change seen since the console linked.",
            theme.dim,
        ));
    } else {
        lines.push(Line::styled("Seen here:", theme.dim));
        let room_for = ih.saturating_sub(lines.len());
        let skip = slot.account_log.len().saturating_sub(room_for);
        for (at, what) in slot.account_log.iter().skip(skip) {
            let day = ((*at / 1000) as i64 + m.ui.utc_offset_secs).rem_euclid(86_400);
            let t = format!("{:02}:{:02}:{:02}", day / 3600, day % 3600 / 60, day % 60);
            lines.push(Line::from(vec![
                Span::styled(format!("{t} "), theme.dim),
                Span::raw(truncate(&sanitize::line(what), iw.saturating_sub(9))),
            ]));
        }
    }
    f.render_widget(Clear, r);
    f.render_widget(Paragraph::new(lines).block(b), r);
}
