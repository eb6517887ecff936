use ratatui::style::{Color, Modifier, Style};

use crate::app::Model;
use crate::config::ThemeName;

/// The styles every view draws with. `mono` (and `NO_COLOR`) uses no colour at all, only
/// bold, dim and reverse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub border: Style,
    pub border_focus: Style,
    pub title: Style,
    pub title_focus: Style,
    pub dim: Style,
    pub key: Style,
    pub ok: Style,
    pub warn: Style,
    pub error: Style,
    pub badge: Style,
    pub popup: Style,
    /// Links in messages.
    pub link: Style,
    /// What a search found, in the history.
    pub search: Style,
}

impl Theme {
    pub fn for_model(m: &Model) -> Theme {
        if m.ui.no_color {
            Theme::mono()
        } else {
            Theme::named(m.ui.theme)
        }
    }

    pub fn named(name: ThemeName) -> Theme {
        match name {
            ThemeName::Dark => Theme::colored(Color::Cyan, Color::DarkGray, Color::Yellow),
            ThemeName::Light => Theme::colored(Color::Blue, Color::Gray, Color::Magenta),
            ThemeName::Mono => Theme::mono(),
        }
    }

    fn colored(accent: Color, dim: Color, key: Color) -> Theme {
        let bold = Modifier::BOLD;
        Theme {
            border: Style::new().fg(dim),
            border_focus: Style::new().fg(accent),
            title: Style::new().add_modifier(bold),
            title_focus: Style::new().fg(accent).add_modifier(bold),
            dim: Style::new().fg(dim),
            key: Style::new().fg(key).add_modifier(bold),
            ok: Style::new().fg(Color::Green),
            warn: Style::new().fg(Color::Yellow),
            error: Style::new().fg(Color::Red).add_modifier(bold),
            badge: Style::new().fg(Color::Black).bg(accent).add_modifier(bold),
            popup: Style::new(),
            link: Style::new().fg(accent).add_modifier(Modifier::UNDERLINED),
            search: Style::new().fg(Color::Black).bg(key),
        }
    }

    pub fn mono() -> Theme {
        let s = Style::new();
        Theme {
            border: s,
            border_focus: s.add_modifier(Modifier::BOLD),
            title: s.add_modifier(Modifier::BOLD),
            title_focus: s.add_modifier(Modifier::BOLD | Modifier::REVERSED),
            dim: s.add_modifier(Modifier::DIM),
            key: s.add_modifier(Modifier::BOLD),
            ok: s,
            warn: s.add_modifier(Modifier::BOLD),
            error: s.add_modifier(Modifier::BOLD | Modifier::REVERSED),
            badge: s.add_modifier(Modifier::REVERSED),
            popup: s,
            link: s.add_modifier(Modifier::UNDERLINED),
            search: s.add_modifier(Modifier::REVERSED),
        }
    }
}
