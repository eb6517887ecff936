//! How pictures reach the terminal: a graphics protocol (kitty, sixel, iTerm2) where the
//! terminal speaks one, Unicode half blocks everywhere else (over SSH through most
//! terminals, in tmux without passthrough, in the tests' VT100 parser).
//!
//! `[ui] images = "auto"` asks the terminal once, at start, before the input is read: a
//! kitty graphics query, Device Attributes (sixel is attribute 4), the cell size in pixels
//! (`CSI 16 t`), and a status report last (`CSI 5 n`), which every terminal answers, so the
//! answer is known complete. The answers are read with a deadline, never by a thread left
//! behind: a terminal that says nothing costs [`QUERY_TIMEOUT`] once and gets half blocks.
//! A named protocol (`kitty`, `sixel`, `iterm2`) is used without asking; `halfblocks` never
//! asks either. The encoding itself is ratatui-image's.

use std::time::{Duration, Instant};

use ratatui_image::picker::cap_parser::{Parser, QueryStdioOptions, Response};
use ratatui_image::picker::{Picker, ProtocolType};

use crate::config::Images;

/// How long the terminal has to answer the query at start.
pub const QUERY_TIMEOUT: Duration = Duration::from_millis(1500);
/// A cell's size in pixels when the terminal does not say (a common 10×20 font).
pub const DEFAULT_CELL: (u16, u16) = (10, 20);

/// What draws pictures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    #[default]
    Halfblocks,
    Kitty,
    Sixel,
    Iterm2,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Halfblocks => "half blocks",
            Kind::Kitty => "kitty graphics",
            Kind::Sixel => "sixel",
            Kind::Iterm2 => "iTerm2 images",
        }
    }

    fn protocol(self) -> ProtocolType {
        match self {
            Kind::Halfblocks => ProtocolType::Halfblocks,
            Kind::Kitty => ProtocolType::Kitty,
            Kind::Sixel => ProtocolType::Sixel,
            Kind::Iterm2 => ProtocolType::Iterm2,
        }
    }
}

/// The choice made at start: the protocol, the cell size in pixels, and how it was chosen
/// (for the log and the help).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graphics {
    pub kind: Kind,
    /// Width, height of a cell in pixels.
    pub cell: (u16, u16),
    /// Inside tmux (sequences are wrapped for its passthrough).
    pub tmux: bool,
    pub why: String,
    /// The terminal was asked and its answer did not come in time: it may still come, late,
    /// on the input, where it must not be read as keys ([`LateAnswers`]).
    pub unanswered: bool,
}

impl Default for Graphics {
    fn default() -> Self {
        Graphics {
            kind: Kind::Halfblocks,
            cell: DEFAULT_CELL,
            tmux: false,
            why: "half blocks".into(),
            unanswered: false,
        }
    }
}

impl Graphics {
    /// ratatui-image's encoder for this choice.
    pub fn picker(&self) -> Picker {
        // `from_fontsize` reads tmux and iTerm2 hints from the environment (and, in tmux,
        // turns the pane's passthrough on, which the protocols need there); the protocol is
        // then ours.
        #[allow(deprecated)]
        let mut p = Picker::from_fontsize(ratatui_image::FontSize::new(self.cell.0, self.cell.1));
        p.set_protocol_type(self.kind.protocol());
        p
    }
}

/// A picture encoded for a graphics protocol, to draw in the history at any scroll position
/// (ratatui-image's sliced image), shared by the model and the frames. Two are equal when
/// they are the same encoding.
#[derive(Clone)]
pub struct Graphic(pub std::sync::Arc<ratatui_image::sliced::SlicedProtocol>);

impl PartialEq for Graphic {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for Graphic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.0.size();
        write!(f, "Graphic({}x{})", s.width, s.height)
    }
}

/// A picture made to fill the picture view: half blocks of our own (no encoder needed), or
/// encoded for the terminal's graphics protocol. Two are equal when they are the same making.
#[derive(Clone)]
pub enum Whole {
    Cells(std::sync::Arc<crate::preview::Thumb>),
    Protocol(std::sync::Arc<ratatui_image::protocol::Protocol>),
}

impl Whole {
    /// The cells it covers: columns, rows.
    pub fn size(&self) -> (u16, u16) {
        match self {
            Whole::Cells(t) => (
                u16::try_from(t.w).unwrap_or(u16::MAX),
                u16::try_from(t.h.div_ceil(2)).unwrap_or(u16::MAX),
            ),
            Whole::Protocol(p) => {
                let s = p.size();
                (s.width, s.height)
            }
        }
    }
}

impl PartialEq for Whole {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Whole::Cells(a), Whole::Cells(b)) => std::sync::Arc::ptr_eq(a, b),
            (Whole::Protocol(a), Whole::Protocol(b)) => std::sync::Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl std::fmt::Debug for Whole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (w, h) = self.size();
        write!(f, "Whole({w}x{h})")
    }
}

/// What the terminal answered to the query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    pub kitty: bool,
    pub sixel: bool,
    /// Width, height in pixels.
    pub cell: Option<(u16, u16)>,
    /// The status report came: everything asked before it has been answered.
    pub complete: bool,
}

/// Reads the terminal's answers out of `bytes` (what came back on its input).
pub fn interpret(bytes: &[u8]) -> Answers {
    let mut p = Parser::new();
    let mut a = Answers::default();
    for &b in bytes {
        for r in p.push(char::from(b)) {
            match r {
                Response::Kitty => a.kitty = true,
                Response::Sixel => a.sixel = true,
                Response::CellSize(Some(c)) => a.cell = Some(c),
                Response::Status => a.complete = true,
                _ => {}
            }
        }
    }
    a
}

/// The terminal's hints in the environment: (inside tmux, a terminal known to show iTerm2
/// images, a terminal whose kitty and sixel support is known to be broken).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EnvHints {
    pub tmux: bool,
    /// Inside a multiplexer that TERM does not name (tmux older than 3.2 with another TERM,
    /// GNU screen): the protocols' sequences would not be wrapped for it.
    pub hidden_multiplexer: bool,
    pub iterm2: bool,
    pub no_kitty_sixel: bool,
}

impl EnvHints {
    pub fn read() -> EnvHints {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let term = var("TERM").unwrap_or_default();
        let program = var("TERM_PROGRAM").unwrap_or_default();
        let wezterm = var("WEZTERM_EXECUTABLE").is_some();
        let tmux = term.starts_with("tmux") || program == "tmux";
        EnvHints {
            tmux,
            hidden_multiplexer: !tmux && (var("TMUX").is_some() || var("STY").is_some()),
            iterm2: ["iTerm", "WezTerm", "mintty", "vscode", "rio"]
                .iter()
                .any(|p| program.contains(p))
                || var("LC_TERMINAL").is_some_and(|t| t.contains("iTerm"))
                || wezterm,
            // WezTerm draws iTerm2 images better than its sixels; Konsole's kitty and sixel
            // support draws wrongly.
            no_kitty_sixel: wezterm || var("KONSOLE_VERSION").is_some(),
        }
    }
}

/// The choice for `images` given the terminal's answers (None: not asked, or no answer), the
/// cell size the kernel knows (TIOCGWINSZ's pixels, often zero) and the environment's hints.
pub fn choose(
    images: Images,
    answers: Option<&Answers>,
    winsize_cell: Option<(u16, u16)>,
    env: EnvHints,
) -> Graphics {
    let cell = answers.and_then(|a| a.cell).or(winsize_cell);
    let named = |kind: Kind| Graphics {
        kind,
        cell: cell.unwrap_or(DEFAULT_CELL),
        tmux: env.tmux,
        unanswered: false,
        why: match cell {
            Some(_) => format!("{} (set in the config)", kind.name()),
            None => format!(
                "{} (set in the config; cell size unknown, {}×{} pixels assumed)",
                kind.name(),
                DEFAULT_CELL.0,
                DEFAULT_CELL.1
            ),
        },
    };
    match images {
        Images::Kitty => named(Kind::Kitty),
        Images::Sixel => named(Kind::Sixel),
        Images::Iterm2 => named(Kind::Iterm2),
        Images::Halfblocks | Images::Off => Graphics {
            tmux: env.tmux,
            why: "half blocks (set in the config)".into(),
            ..Graphics::default()
        },
        Images::Auto => {
            let half = |why: &str| Graphics {
                tmux: env.tmux,
                cell: cell.unwrap_or(DEFAULT_CELL),
                why: why.into(),
                ..Graphics::default()
            };
            if env.hidden_multiplexer {
                return half(
                    "half blocks (inside tmux or screen with a TERM that does not say so)",
                );
            }
            let Some(a) = answers.filter(|a| a.complete) else {
                return half("half blocks (the terminal did not answer the query)");
            };
            // A protocol draws at the right size only when the cell's pixels are known.
            let Some(cell) = cell else {
                return half("half blocks (the terminal did not say its cell size)");
            };
            // Inside tmux only kitty's pictures, drawn with placeholder cells, keep tmux's own
            // copy of the screen right; sixel and iTerm2 pictures pass through beside it and
            // leave stale text in it (a named protocol is still used as told).
            let kind = if a.kitty && !env.no_kitty_sixel {
                Kind::Kitty
            } else if env.tmux && ((a.sixel && !env.no_kitty_sixel) || env.iterm2) {
                return half("half blocks (sixel and iTerm2 pictures misdraw inside tmux)");
            } else if a.sixel && !env.no_kitty_sixel {
                Kind::Sixel
            } else if env.iterm2 {
                Kind::Iterm2
            } else {
                return half("half blocks (the terminal has no graphics protocol)");
            };
            Graphics {
                kind,
                cell,
                tmux: env.tmux,
                why: format!("{} (the terminal's answer)", kind.name()),
                unanswered: false,
            }
        }
    }
}

/// The cell size from the kernel's window size, where the terminal filled in the pixels.
pub fn winsize_cell() -> Option<(u16, u16)> {
    let mut ws = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one winsize into the struct we pass.
    let r = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &raw mut ws) };
    (r == 0 && ws.ws_col > 0 && ws.ws_row > 0 && ws.ws_xpixel > 0 && ws.ws_ypixel > 0)
        .then(|| (ws.ws_xpixel / ws.ws_col, ws.ws_ypixel / ws.ws_row))
}

/// Asks the terminal (raw mode on, input not yet read by anyone else) and reads its answers
/// until the status report or `timeout`. Reads only what poll(2) says is there, so nothing is
/// left waiting on the input afterwards. Bytes that are not answers (a key pressed in that
/// moment) are dropped with them.
pub fn query_terminal(tmux: bool, timeout: Duration) -> Answers {
    use std::io::Write;
    let query = Parser::query(tmux, QueryStdioOptions::default());
    let sent = crate::tui::with_output(|| {
        let mut out = std::io::stdout();
        out.write_all(query.as_bytes()).and_then(|()| out.flush())
    });
    if !matches!(sent, Some(Ok(()))) {
        return Answers::default();
    }
    let deadline = Instant::now() + timeout;
    let mut got: Vec<u8> = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || got.len() > 4096 {
            break;
        }
        let mut p = libc::pollfd {
            fd: libc::STDIN_FILENO,
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = i32::try_from(left.as_millis().max(1)).unwrap_or(i32::MAX);
        // SAFETY: one valid pollfd, for the duration of the call.
        let n = unsafe { libc::poll(&raw mut p, 1, ms) };
        if n <= 0 || p.revents & libc::POLLIN == 0 {
            if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            break;
        }
        let mut buf = [0u8; 256];
        // SAFETY: reads at most buf.len() bytes into buf.
        let r = unsafe { libc::read(libc::STDIN_FILENO, buf.as_mut_ptr().cast(), buf.len()) };
        let Ok(r) = usize::try_from(r) else { break };
        if r == 0 {
            break;
        }
        got.extend_from_slice(&buf[..r]);
        if interpret(&got).complete {
            break;
        }
    }
    interpret(&got)
}

/// The choice at start for `images`: the terminal asked only for `auto`.
pub fn detect(images: Images) -> Graphics {
    let env = EnvHints::read();
    let answers = (images == Images::Auto).then(|| query_terminal(env.tmux, QUERY_TIMEOUT));
    let mut g = choose(images, answers.as_ref(), winsize_cell(), env);
    g.unanswered = answers.is_some_and(|a| !a.complete);
    g
}

/// tmux's `allow-passthrough` for the console's pane as it was before the picture encoder
/// turned it on (ratatui-image does, the protocols need it there): put back when this is
/// dropped, at the end, so the pane does not keep passing any program's sequences through.
#[derive(Debug)]
pub struct TmuxPassthrough {
    /// The pane's own value before (None: it had none and inherited the window's).
    before: Option<String>,
}

impl TmuxPassthrough {
    /// What the pane has now (inside tmux only; None elsewhere or when tmux cannot say).
    pub fn remember() -> Option<TmuxPassthrough> {
        let out = std::process::Command::new("tmux")
            .args(["show", "-pv", "allow-passthrough"])
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Some(TmuxPassthrough {
            before: (!v.is_empty()).then_some(v),
        })
    }
}

impl Drop for TmuxPassthrough {
    fn drop(&mut self) {
        let mut cmd = std::process::Command::new("tmux");
        match &self.before {
            Some(v) => cmd.args(["set", "-p", "allow-passthrough", v]),
            None => cmd.args(["set", "-pu", "allow-passthrough"]),
        };
        let _ = cmd
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// How long after start a late answer to the query is watched for.
pub const LATE_ANSWER_WATCH: Duration = Duration::from_secs(30);

/// Keeps a late answer to the start's query from being read as keys. The terminal's answer
/// to the kitty query is an APC string (`ESC _ G … ESC \`), which the input's parser reads as
/// Alt-_ , its letters as keys ("Gi=31;OK": G, i, …, O) and Alt-\\ at the end. While the
/// watch lasts (the query went unanswered, for [`LATE_ANSWER_WATCH`]), such a string is
/// dropped whole: from Alt-_ (or Esc then `_`) to Alt-\\, at most 512 keys. The other answers
/// (device attributes, cell size, status) are sequences the parser drops itself.
#[derive(Debug, Clone)]
pub struct LateAnswers {
    until: Option<Instant>,
    /// Keys dropped in the current string; None when not in one.
    dropping: Option<usize>,
    /// The previous key was a lone Esc (the string's start split across reads).
    after_esc: bool,
}

impl LateAnswers {
    /// A watch until `until` (None: no watch, every event kept).
    pub fn new(until: Option<Instant>) -> LateAnswers {
        LateAnswers {
            until,
            dropping: None,
            after_esc: false,
        }
    }

    /// Whether `ev`, read at `now`, is kept for the console (false: part of a late answer).
    pub fn keep(&mut self, ev: &crossterm::event::Event, now: Instant) -> bool {
        use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers};
        let Some(until) = self.until else {
            return true;
        };
        let Event::Key(k) = ev else {
            return true;
        };
        if k.kind == KeyEventKind::Release {
            return self.dropping.is_none();
        }
        if let Some(n) = self.dropping {
            let alt = k.modifiers.contains(KeyModifiers::ALT);
            let plain = matches!(k.code, KeyCode::Char(_))
                && !k
                    .modifiers
                    .intersects(KeyModifiers::ALT | KeyModifiers::CONTROL);
            let after_esc = std::mem::take(&mut self.after_esc);
            return match k.code {
                // The string's end, ESC \ (read as Alt-\, or as Esc then \).
                KeyCode::Char('\\') if alt || after_esc => {
                    self.dropping = None;
                    false
                }
                KeyCode::Esc => {
                    self.after_esc = true;
                    false
                }
                // A kitty answer is `G…`; anything else after `_` was typed.
                KeyCode::Char('G') if n == 0 => {
                    self.dropping = Some(1);
                    false
                }
                _ if n > 0 && plain && n < 64 => {
                    self.dropping = Some(n + 1);
                    false
                }
                _ => {
                    self.dropping = None;
                    true
                }
            };
        }
        if now > until {
            self.until = None;
            return true;
        }
        let starts = k.code == KeyCode::Char('_')
            && (k.modifiers.contains(KeyModifiers::ALT) || self.after_esc);
        self.after_esc = k.code == KeyCode::Esc;
        if starts {
            self.dropping = Some(0);
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DSR: &[u8] = b"\x1b[0n";

    fn answers(parts: &[&[u8]]) -> Answers {
        interpret(&parts.concat())
    }

    #[test]
    fn kitty_sixel_cell_size_and_the_status_are_read_from_the_answers() {
        let a = answers(&[
            b"\x1b_Gi=31;OK\x1b\\",
            b"\x1b[?62;4;22c",
            b"\x1b[6;20;10t",
            DSR,
        ]);
        assert_eq!(
            a,
            Answers {
                kitty: true,
                sixel: true,
                cell: Some((10, 20)),
                complete: true
            }
        );
        // xterm without sixel: attributes without 4, no kitty answer.
        let a = answers(&[b"\x1b[?62;22c", b"\x1b[6;18;9t", DSR]);
        assert!(!a.kitty && !a.sixel && a.complete);
        assert_eq!(a.cell, Some((9, 18)));
        // Nothing yet: not complete.
        assert!(!answers(&[b"\x1b[?62;4c"]).complete);
    }

    #[test]
    fn auto_picks_kitty_then_sixel_then_iterm2_then_half_blocks() {
        let env = EnvHints::default();
        let kitty = answers(&[b"\x1b_Gi=31;OK\x1b\\\x1b[?62;4c\x1b[6;20;10t", DSR]);
        let g = choose(Images::Auto, Some(&kitty), None, env);
        assert_eq!((g.kind, g.cell), (Kind::Kitty, (10, 20)));
        let sixel = answers(&[b"\x1b[?62;4c\x1b[6;16;8t", DSR]);
        assert_eq!(
            choose(Images::Auto, Some(&sixel), None, env).kind,
            Kind::Sixel
        );
        let plain = answers(&[b"\x1b[?62c\x1b[6;16;8t", DSR]);
        assert_eq!(
            choose(Images::Auto, Some(&plain), None, env).kind,
            Kind::Halfblocks
        );
        let iterm = EnvHints {
            iterm2: true,
            ..env
        };
        assert_eq!(
            choose(Images::Auto, Some(&plain), None, iterm).kind,
            Kind::Iterm2
        );
        // WezTerm and Konsole: their kitty and sixel are not used.
        let wez = EnvHints {
            iterm2: true,
            no_kitty_sixel: true,
            ..env
        };
        assert_eq!(
            choose(Images::Auto, Some(&kitty), None, wez).kind,
            Kind::Iterm2
        );
    }

    #[test]
    fn without_a_whole_answer_or_a_cell_size_auto_draws_half_blocks() {
        let env = EnvHints::default();
        // Silence.
        let g = choose(Images::Auto, None, None, env);
        assert_eq!(g.kind, Kind::Halfblocks);
        assert!(g.why.contains("did not answer"), "{}", g.why);
        // Kitty said yes but the status report never came: not trusted.
        let cut = answers(&[b"\x1b_Gi=31;OK\x1b\\\x1b[6;20;10t"]);
        assert_eq!(
            choose(Images::Auto, Some(&cut), None, env).kind,
            Kind::Halfblocks
        );
        // Kitty without a cell size: half blocks, unless the kernel knows the pixels.
        let no_cell = answers(&[b"\x1b_Gi=31;OK\x1b\\", DSR]);
        let g = choose(Images::Auto, Some(&no_cell), None, env);
        assert_eq!(g.kind, Kind::Halfblocks);
        assert!(g.why.contains("cell size"), "{}", g.why);
        let g = choose(Images::Auto, Some(&no_cell), Some((9, 19)), env);
        assert_eq!((g.kind, g.cell), (Kind::Kitty, (9, 19)));
    }

    #[test]
    fn a_protocol_named_in_the_config_is_used_without_asking() {
        let env = EnvHints::default();
        for (images, kind) in [
            (Images::Kitty, Kind::Kitty),
            (Images::Sixel, Kind::Sixel),
            (Images::Iterm2, Kind::Iterm2),
            (Images::Halfblocks, Kind::Halfblocks),
        ] {
            let g = choose(images, None, None, env);
            assert_eq!((g.kind, g.cell), (kind, DEFAULT_CELL));
            assert!(g.why.contains("config"), "{}", g.why);
        }
        // The cell size is said when unknown.
        assert!(
            choose(Images::Kitty, None, None, env)
                .why
                .contains("assumed")
        );
        assert!(
            !choose(Images::Kitty, None, Some((8, 16)), env)
                .why
                .contains("assumed")
        );
    }

    #[test]
    fn the_picker_encodes_with_the_chosen_protocol() {
        let g = Graphics {
            kind: Kind::Sixel,
            cell: (8, 16),
            tmux: false,
            why: String::new(),
            unanswered: false,
        };
        let p = g.picker();
        assert_eq!(p.protocol_type(), ProtocolType::Sixel);
        assert_eq!(
            (p.font_size().width, p.font_size().height),
            (8, 16),
            "the cell size given"
        );
    }

    fn key(c: char, alt: bool) -> crossterm::event::Event {
        use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
        let mods = if alt {
            KeyModifiers::ALT
        } else {
            KeyModifiers::NONE
        };
        Event::Key(KeyEvent::new(KeyCode::Char(c), mods))
    }

    fn esc() -> crossterm::event::Event {
        use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
        Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE))
    }

    /// The keys kept of `events` by a watch that lasts.
    fn kept(events: Vec<crossterm::event::Event>) -> String {
        let now = Instant::now();
        let mut late = LateAnswers::new(Some(now + Duration::from_secs(30)));
        events
            .into_iter()
            .filter(|e| late.keep(e, now))
            .map(|e| match e {
                crossterm::event::Event::Key(k) => match k.code {
                    crossterm::event::KeyCode::Char(c) => c,
                    _ => '⎋',
                },
                _ => '?',
            })
            .collect()
    }

    fn chars(s: &str) -> Vec<crossterm::event::Event> {
        s.chars().map(|c| key(c, false)).collect()
    }

    #[test]
    fn a_late_kitty_answer_is_not_read_as_keys() {
        // As the input's parser reads ESC _ G i = 3 1 ; O K ESC \ : Alt-_, letters, Alt-\.
        let mut evs = vec![key('a', false), key('_', true)];
        evs.extend(chars("Gi=31;OK"));
        evs.push(key('\\', true));
        evs.push(key('j', false));
        assert_eq!(kept(evs), "aj");
        // Split across reads: Esc, then `_`, the letters, Esc, `\`.
        let mut evs = vec![esc(), key('_', false)];
        evs.extend(chars("Gi=31;OK"));
        evs.extend([esc(), key('\\', false), key('k', false)]);
        assert_eq!(kept(evs), "⎋k");
    }

    #[test]
    fn typed_keys_that_only_look_like_an_answer_are_kept() {
        // `_` typed after Esc, then not a kitty answer: what follows is kept.
        let mut evs = vec![esc(), key('_', false)];
        evs.extend(chars("hello"));
        assert_eq!(kept(evs), "⎋hello");
        // A plain `_` is a key.
        assert_eq!(kept(chars("a_Gb")), "a_Gb");
        // An answer that never ends stops being dropped after 64 keys.
        let mut evs = vec![key('_', true), key('G', false)];
        evs.extend(chars(&"x".repeat(100)));
        assert_eq!(kept(evs).len(), 100 - 63);
        // No watch (the terminal answered): everything is kept.
        let mut late = LateAnswers::new(None);
        assert!(late.keep(&key('_', true), Instant::now()));
        // The watch ends.
        let now = Instant::now();
        let mut late = LateAnswers::new(Some(now));
        assert!(late.keep(&key('_', true), now + Duration::from_secs(1)));
    }

    #[test]
    fn inside_tmux_only_kitty_is_chosen_by_itself() {
        let env = EnvHints {
            tmux: true,
            ..EnvHints::default()
        };
        let sixel = answers(&[b"\x1b[?62;4;22c", b"\x1b[6;20;10t", DSR]);
        let g = choose(Images::Auto, Some(&sixel), None, env);
        assert_eq!(g.kind, Kind::Halfblocks, "{}", g.why);
        assert!(g.why.contains("tmux"), "{}", g.why);
        let kitty = answers(&[b"\x1b_Gi=31;OK\x1b\\", b"\x1b[6;20;10t", DSR]);
        assert_eq!(
            choose(Images::Auto, Some(&kitty), None, env).kind,
            Kind::Kitty
        );
        // Told: used.
        assert_eq!(choose(Images::Sixel, None, None, env).kind, Kind::Sixel);
        // tmux (or screen) that TERM does not name: nothing would be wrapped for it.
        let hidden = EnvHints {
            hidden_multiplexer: true,
            iterm2: true,
            ..EnvHints::default()
        };
        let g = choose(Images::Auto, Some(&kitty), None, hidden);
        assert_eq!(g.kind, Kind::Halfblocks, "{}", g.why);
        let g = choose(Images::Auto, Some(&sixel), None, hidden);
        assert_eq!(g.kind, Kind::Halfblocks, "{}", g.why);
    }
}
