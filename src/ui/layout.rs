use ratatui::layout::{Constraint, Layout, Rect};

pub use crate::app::{MIN_HEIGHT, MIN_WIDTH};

/// Where each pane goes: room and chats on the left, history and composer on the right,
/// the inspector under them when shown, the status bar at the bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MainLayout {
    /// The rooms strip over the panes (when several rooms are configured).
    pub strip: Option<Rect>,
    pub room: Rect,
    pub chats: Rect,
    pub history: Rect,
    pub composer: Rect,
    pub inspector: Option<Rect>,
    pub status: Rect,
}

impl MainLayout {
    /// `composer_rows` says how many rows the draft wants at a given inner width; the composer
    /// grows to show them, up to a third of the screen. `strip`: a row for the rooms strip
    /// on top.
    pub fn new(
        area: Rect,
        inspector: bool,
        strip: bool,
        composer_rows: impl Fn(u16) -> u16,
    ) -> MainLayout {
        let [strip, main, status] = Layout::vertical([
            Constraint::Length(u16::from(strip)),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let strip = (strip.height > 0).then_some(strip);
        let left_w = (main.width / 3).clamp(30, 48);
        let [left, right] =
            Layout::horizontal([Constraint::Length(left_w), Constraint::Fill(1)]).areas(main);
        let room_h = if main.height >= 40 { 16 } else { 12 };
        let [room, chats] =
            Layout::vertical([Constraint::Length(room_h), Constraint::Fill(1)]).areas(left);
        let most = (main.height / 3).max(3);
        let composer_h = composer_rows(right.width.saturating_sub(2))
            .saturating_add(2)
            .clamp(3, most);
        let (history, composer, inspector) = if inspector {
            let [h, c, i] = Layout::vertical([
                Constraint::Fill(1),
                Constraint::Length(composer_h),
                Constraint::Percentage(40),
            ])
            .areas(right);
            (h, c, Some(i))
        } else {
            let [h, c] = Layout::vertical([Constraint::Fill(1), Constraint::Length(composer_h)])
                .areas(right);
            (h, c, None)
        };
        MainLayout {
            strip,
            room,
            chats,
            history,
            composer,
            inspector,
            status,
        }
    }
}
