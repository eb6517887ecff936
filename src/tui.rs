//! Terminal setup and teardown. Whatever ends the program — `q`, an error, a panic on any
//! thread, SIGTERM, a dropped SSH session — the terminal is put back as it was: cooked mode,
//! cursor visible, main screen, no mouse or paste reporting.

use std::cell::Cell;
use std::io::{self, IsTerminal, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};

use crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste};
use crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

static ACTIVE: AtomicBool = AtomicBool::new(false);
static MOUSE: AtomicBool = AtomicBool::new(false);
static PANIC_HOOK: Once = Once::new();
/// The terminal's title was saved (and is put back when the terminal is restored).
static TITLE_SAVED: AtomicBool = AtomicBool::new(false);
/// Held while a frame is written and while the terminal is restored, so a panic on another
/// thread cannot restore the terminal in the middle of a frame, nor a frame follow a restore.
static OUTPUT: Mutex<()> = Mutex::new(());

thread_local! {
    /// True on the thread that holds OUTPUT for a frame.
    static DRAWING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` (which writes to the terminal) unless the terminal has been restored. Returns
/// None when it was not run.
pub fn with_output<R>(f: impl FnOnce() -> R) -> Option<R> {
    let _guard = OUTPUT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !ACTIVE.load(Ordering::SeqCst) {
        return None;
    }
    DRAWING.with(|d| d.set(true));
    let r = f();
    DRAWING.with(|d| d.set(false));
    Some(r)
}

/// The terminal while the TUI owns it. Dropping it restores the terminal.
pub struct Tui {
    /// Never dropped: ratatui's `Terminal` shows the cursor when dropped and, when that write
    /// fails (EIO: the terminal hung up under a dropped SSH session), reports it with
    /// `eprintln!`, which panics on the same dead terminal. [`restore`] shows the cursor
    /// instead, ignoring errors; the terminal's buffers go with the process.
    pub terminal: std::mem::ManuallyDrop<Terminal<CrosstermBackend<Stdout>>>,
    /// The window title last written (None: never; the terminal's own is kept until then).
    pub title: Option<String>,
}

impl Tui {
    /// Takes over the terminal: raw mode, alternate screen, bracketed paste, optional mouse.
    pub fn enter(mouse: bool) -> io::Result<Tui> {
        if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
            return Err(io::Error::other(
                "the console needs a terminal on stdin and stdout; for scripts use the `room` and `chat` subcommands",
            ));
        }
        install_panic_hook();
        MOUSE.store(mouse, Ordering::SeqCst);
        let setup = take_over().and_then(|()| Terminal::new(CrosstermBackend::new(io::stdout())));
        match setup {
            Ok(terminal) => Ok(Tui {
                terminal: std::mem::ManuallyDrop::new(terminal),
                title: None,
            }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }

    /// Gives the terminal back for a suspension (Ctrl-Z): as when the program ends.
    pub fn suspend(&mut self) {
        restore();
    }

    /// Takes the terminal back after a suspension, or after a stop and continue from outside
    /// (whoever had the terminal meanwhile may have changed its modes and its screen), and
    /// clears it, so the next frame is drawn whole.
    pub fn resume(&mut self) -> io::Result<()> {
        take_over()?;
        // The title was put back on the suspension: it is set again with the next frame.
        self.title = None;
        // Not `Terminal::clear`: it asks the terminal where the cursor is and waits up to 2 s
        // for the answer (a round trip over SSH; some terminals never answer). Clear the
        // screen, then draw an empty frame: ratatui then holds a blank screen as the one on
        // the terminal, so the next frame writes every cell that is not blank.
        with_output(|| -> io::Result<()> {
            execute!(io::stdout(), terminal::Clear(terminal::ClearType::All))?;
            self.terminal.draw(|_| {})?;
            Ok(())
        })
        .unwrap_or(Ok(()))
    }
    /// Sets the window title to `text` (cleaned, crate::osc::title) when it changed. The
    /// terminal's own title is saved first (xterm's title stack) and put back on restore.
    pub fn set_title(&mut self, text: &str) {
        if self.title.as_deref() == Some(text) {
            return;
        }
        let first = self.title.is_none();
        with_output(|| {
            let mut out = io::stdout();
            if first {
                TITLE_SAVED.store(true, Ordering::SeqCst);
                let _ = out.write_all(b"\x1b[22;0t");
            }
            let _ = out
                .write_all(crate::osc::title(text).as_bytes())
                .and_then(|_| out.flush());
        });
        self.title = Some(text.to_string());
    }

    /// Writes one of the console's own sequences (crate::osc), between frames.
    pub fn emit(&mut self, seq: &str) {
        with_output(|| {
            let mut out = io::stdout();
            let _ = out.write_all(seq.as_bytes()).and_then(|_| out.flush());
        });
    }

    /// Rings the terminal bell.
    pub fn bell(&mut self) {
        with_output(|| {
            let mut out = io::stdout();
            let _ = out.write_all(b"\x07").and_then(|_| out.flush());
        });
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        restore();
    }
}

/// Raw mode, the alternate screen, bracketed paste, the cursor hidden, the mouse if asked for.
/// Safe to repeat.
fn take_over() -> io::Result<()> {
    let _guard = OUTPUT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut out = io::stdout();
    execute!(
        out,
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide
    )?;
    if MOUSE.load(Ordering::SeqCst) {
        // Clicks, drags and the wheel in SGR form (1000, 1002, 1006), not every move of the
        // pointer (1003, which crossterm's EnableMouseCapture also asks for): moves mean
        // nothing here and would cost bytes over SSH and a wake-up each.
        out.write_all(b"\x1b[?1000h\x1b[?1002h\x1b[?1006h")?;
        out.flush()?;
    }
    Ok(())
}

/// Puts the terminal back. Safe to call any number of times, from any thread; errors are
/// ignored because the terminal may already be gone (SIGHUP).
pub fn restore() {
    let _guard = OUTPUT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    restore_locked();
}

fn restore_locked() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    if MOUSE.load(Ordering::SeqCst) {
        let _ = execute!(out, DisableMouseCapture);
    }
    let _ = execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    if TITLE_SAVED.swap(false, Ordering::SeqCst) {
        let _ = out.write_all(b"\x1b[23;0t");
    }
    let _ = terminal::disable_raw_mode();
    let _ = out.flush();
}

/// A panic on any thread restores the terminal first, so the message is readable, writes a
/// crash note (the message, the thread, a backtrace) to the log, and says on stderr where it
/// is. While the TUI runs it then ends the program: a UI thread that went on drawing into a
/// restored terminal would be worse. Installed by `main` for every command, and again (a
/// no-op) by [`Tui::enter`].
pub fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // The drawing thread already holds OUTPUT (a panic inside a frame); any other
            // thread waits for the frame to finish, then keeps the lock until the exit below,
            // so no frame is written after the restore.
            let guard = if DRAWING.with(std::cell::Cell::get) {
                None
            } else {
                Some(
                    OUTPUT
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner),
                )
            };
            let was_active = ACTIVE.load(Ordering::SeqCst);
            restore_locked();
            let thread = std::thread::current();
            let backtrace = std::backtrace::Backtrace::force_capture();
            tracing::error!(
                target: "trueconf_console::panic",
                "crash in thread {}: {info}\n{backtrace}",
                thread.name().unwrap_or("(unnamed)")
            );
            // Both write to stderr ignoring errors: it may be a terminal that is gone.
            previous(info);
            let restored = if was_active {
                "; the terminal was restored"
            } else {
                ""
            };
            let note = match crate::logging::current_file() {
                Some(f) => format!("a crash note is in {}", f.display()),
                None => "no log file was open".to_string(),
            };
            let _ = writeln!(
                io::stderr(),
                "trueconf-console crashed{restored}. Please report the message above; {note}."
            );
            if was_active {
                std::process::exit(101);
            } else {
                drop(guard);
            }
        }));
    });
}
