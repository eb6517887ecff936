use std::time::{Duration, Instant};

use tokio::signal::unix::{Signal, SignalKind as UnixSignal, signal};
use tokio::sync::mpsc;

use super::{Cmd, Effects, Model, Msg, SignalKind, update};
use crate::tui::Tui;
use crate::ui::HitMap;

/// At most this many queued inputs are applied before a frame is drawn.
const BATCH: usize = 1024;
/// Frames are at least this far apart; a burst of events becomes one frame.
const MIN_FRAME_INTERVAL: Duration = Duration::from_millis(8);

/// The signals the console handles, installed before it takes the terminal over, so none of
/// them finds the terminal raw with its default action (which ends the program where it
/// stands, or, for SIGTSTP, stops it that way).
///
/// - SIGTERM, SIGHUP, SIGINT, SIGQUIT: the model's quit (the outbox and drafts saved), the
///   terminal restored, exit status 128 + the signal's number.
/// - SIGTSTP: suspend as Ctrl-Z does; SIGCONT: take the terminal back and redraw it whole
///   (after our own stop, or a stop and continue from outside).
/// - SIGUSR1, SIGUSR2: ignored (logged). Their default action would end the program with
///   the terminal left raw; nothing in the console means anything by them.
pub struct Signals {
    term: Signal,
    hup: Signal,
    int: Signal,
    quit: Signal,
    tstp: Signal,
    cont: Signal,
    usr1: Signal,
    usr2: Signal,
    /// The window changed size (the input thread waits on input alone).
    winch: Signal,
}

impl Signals {
    /// Needs a tokio runtime.
    pub fn install() -> std::io::Result<Signals> {
        Ok(Signals {
            term: signal(UnixSignal::terminate())?,
            hup: signal(UnixSignal::hangup())?,
            int: signal(UnixSignal::interrupt())?,
            quit: signal(UnixSignal::quit())?,
            tstp: signal(UnixSignal::from_raw(libc::SIGTSTP))?,
            cont: signal(UnixSignal::from_raw(libc::SIGCONT))?,
            usr1: signal(UnixSignal::user_defined1())?,
            usr2: signal(UnixSignal::user_defined2())?,
            winch: signal(UnixSignal::window_change())?,
        })
    }
}

/// What a signal asks of the loop.
enum Sig {
    Msg(Msg),
    Continued,
    Ignored(&'static str),
}

impl Signals {
    async fn next(&mut self) -> Sig {
        tokio::select! {
            _ = self.term.recv() => Sig::Msg(Msg::Signal(SignalKind::Terminate)),
            _ = self.hup.recv() => Sig::Msg(Msg::Signal(SignalKind::Hangup)),
            _ = self.int.recv() => Sig::Msg(Msg::Signal(SignalKind::Interrupt)),
            _ = self.quit.recv() => Sig::Msg(Msg::Signal(SignalKind::Quit)),
            _ = self.tstp.recv() => Sig::Msg(Msg::Suspend),
            _ = self.cont.recv() => Sig::Continued,
            _ = self.usr1.recv() => Sig::Ignored("SIGUSR1"),
            _ = self.usr2.recv() => Sig::Ignored("SIGUSR2"),
            _ = self.winch.recv() => match crossterm::terminal::size() {
                Ok((w, h)) => Sig::Msg(Msg::Resize(w, h)),
                Err(_) => Sig::Ignored("SIGWINCH without a size"),
            },
        }
    }
}

/// Runs the loop until the model asks to quit. Waits for input without a timer: an idle
/// console sleeps in `select!` and uses no CPU. `links` carries messages from the link tasks.
///
/// A terminal that goes away (a dropped SSH session: reads and writes fail with EIO, SIGHUP
/// comes) ends the loop through the model's quit like any other end, so what it saves is
/// saved; nothing is written to the terminal after that.
pub async fn run(
    mut model: Model,
    tui: &mut Tui,
    mut signals: Signals,
    mut links: mpsc::Receiver<Msg>,
    effects: &mut Effects,
) -> std::io::Result<Model> {
    let mut term_events = terminal_input(effects.late_answers_until());
    let mut links_open = true;
    let mut last_draw: Option<Instant> = None;
    // The model's revision on screen: a frame is owed while the model's differs.
    let mut drawn: Option<u64> = None;
    // What the frame on screen shows where, for the mouse.
    let mut hits = HitMap::default();

    // Notices from before the loop (the config's warnings) were written with no time yet:
    // they are from now, the start.
    let start = now_ms();
    model.ui.now_ms = start;
    for n in model.ui.log.iter_mut().filter(|n| n.at_ms == 0) {
        n.at_ms = start;
    }
    if let Ok(size) = tui.terminal.size() {
        update(&mut model, Msg::Resize(size.width, size.height));
    }
    if let Err(e) = draw(tui, &model, &mut last_draw, &mut drawn, &mut hits) {
        apply(&mut model, Msg::TerminalLost(e.to_string()), tui, effects);
        return Ok(model);
    }

    loop {
        // A frame owed but held back by MIN_FRAME_INTERVAL is drawn when its deadline passes.
        let frame_due = if drawn == Some(model.revision()) {
            None
        } else {
            last_draw.map(|t| t + MIN_FRAME_INTERVAL)
        };
        let first = tokio::select! {
            ev = term_events.recv() => terminal_msg(ev),
            m = links.recv(), if links_open => match m {
                Some(m) => Some(m),
                None => { links_open = false; None }
            },
            s = signals.next() => match s {
                Sig::Msg(m) => Some(m),
                Sig::Continued => {
                    // Stopped and continued from outside (or after our own suspension, when
                    // this costs one more full frame): whoever had the terminal meanwhile may
                    // have changed it.
                    tracing::info!("continued: taking the terminal back");
                    Some(retake(tui, &mut drawn))
                }
                Sig::Ignored(name) => {
                    tracing::info!("{name} ignored");
                    None
                }
            },
            _ = sleep_until(frame_due) => None,
        };
        let mut batch: Vec<Msg> = first.into_iter().collect();
        // Drain whatever else is already waiting, so a burst costs one frame; counted in
        // events (a forwarded burst holds many), so a frame and the keys are never more than
        // BATCH events away.
        let mut events: usize = batch.iter().map(weight).sum();
        while events < BATCH {
            match links.try_recv() {
                Ok(m) => {
                    events += weight(&m);
                    batch.push(m);
                }
                Err(_) => break,
            }
        }
        // Terminal events already waiting.
        while batch.len() < BATCH {
            match term_events.try_recv() {
                Ok(ev) => batch.extend(terminal_msg(Some(ev))),
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => {
                    batch.extend(terminal_msg(None));
                    break;
                }
            }
        }
        for msg in batch.into_iter().filter_map(|m| pointer_msg(m, &hits)) {
            if apply(&mut model, msg, tui, effects) == Applied::Resumed {
                drawn = None;
                if let Ok(size) = tui.terminal.size() {
                    update(&mut model, Msg::Resize(size.width, size.height));
                }
            }
            if model.quit {
                break;
            }
        }
        if model.quit {
            return Ok(model);
        }
        if drawn != Some(model.revision())
            && last_draw.is_none_or(|t| t.elapsed() >= MIN_FRAME_INTERVAL)
            && let Err(e) = draw(tui, &model, &mut last_draw, &mut drawn, &mut hits)
        {
            // The terminal is gone (EIO): end as when it is seen on the input side.
            apply(&mut model, Msg::TerminalLost(e.to_string()), tui, effects);
            return Ok(model);
        }
    }
}

/// How many events a message carries, for the loop's batches.
fn weight(m: &Msg) -> usize {
    match m {
        Msg::Chats(evs) => evs.len(),
        _ => 1,
    }
}

#[derive(PartialEq, Eq)]
enum Applied {
    Done,
    /// Suspended and back: the screen must be drawn whole.
    Resumed,
}

/// One message through `update`, and its commands carried out (the runtime's own here).
fn apply(model: &mut Model, msg: Msg, tui: &mut Tui, effects: &mut Effects) -> Applied {
    let mut applied = Applied::Done;
    model.ui.now_ms = now_ms();
    for cmd in update(model, msg) {
        match cmd {
            Cmd::Quit => {}
            Cmd::Bell => {
                if model.ui.bell {
                    tui.bell();
                }
            }
            Cmd::Terminal(seq) => tui.emit(&seq),
            Cmd::Suspend => {
                suspend(tui);
                applied = Applied::Resumed;
            }
            // Cleared and drawn whole, as after a suspension.
            Cmd::Repaint => applied = Applied::Resumed,
            other => effects.run(other),
        }
    }
    if applied == Applied::Resumed
        && let Err(e) = tui.resume()
    {
        // Continued without a terminal to go back to.
        for cmd in update(model, Msg::TerminalLost(e.to_string())) {
            if !matches!(
                cmd,
                Cmd::Quit | Cmd::Bell | Cmd::Suspend | Cmd::Terminal(_) | Cmd::Repaint
            ) {
                effects.run(cmd);
            }
        }
    }
    applied
}

/// Ctrl-Z or SIGTSTP: the terminal restored, the process stopped until `fg` (SIGCONT).
/// SIGSTOP rather than SIGTSTP: our SIGTSTP is handled (it led here), and the kernel drops
/// SIGTSTP for a process group with no parent in the session (a console started by a process
/// that then exited), where SIGSTOP still stops.
fn suspend(tui: &mut Tui) {
    tracing::info!("suspended");
    tui.suspend();
    // SAFETY: raise has no memory-safety preconditions. It delivers the signal to this
    // thread, so it returns only once the process has been continued.
    unsafe {
        libc::raise(libc::SIGSTOP);
    }
    tracing::info!("resumed");
}

/// After a stop and continue from outside: modes set again, the screen cleared so the next
/// frame is whole, and the size read again (it may have changed meanwhile).
fn retake(tui: &mut Tui, drawn: &mut Option<u64>) -> Msg {
    *drawn = None;
    match tui.resume().and_then(|()| tui.terminal.size()) {
        Ok(size) => Msg::Resize(size.width, size.height),
        Err(e) => Msg::TerminalLost(e.to_string()),
    }
}

/// The terminal's input, read on a thread of its own. Never on this loop's task: on a terminal
/// that hung up, crossterm's reader loops on the failing read (holding its lock), and a loop
/// blocked there would never handle the hang-up. The thread waits on the terminal itself
/// first (poll(2), no timeout: no wakeups while idle) and reports a hang-up (POLLHUP, an
/// error) as the terminal lost, so the console ends even when no SIGHUP comes; crossterm
/// reads only input that is there. It ends after an error or when the loop is gone.
fn terminal_input(
    late_answers: Option<Instant>,
) -> mpsc::Receiver<std::io::Result<crossterm::event::Event>> {
    let (tx, rx) = mpsc::channel(BATCH);
    let spawned = std::thread::Builder::new()
        .name("terminal-input".into())
        .spawn(move || {
            let tty = Tty::open();
            // A late answer to the start's graphics query is not keys.
            let mut late = crate::graphics::LateAnswers::new(late_answers);
            let mut read = || {
                let ev = crossterm::event::read();
                match &ev {
                    Ok(e) if !late.keep(e, Instant::now()) => None,
                    _ => Some(ev),
                }
            };
            loop {
                if let Some(fd) = tty.fd()
                    && let Err(e) = wait_readable(fd)
                {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
                // Everything that is there (an escape sequence may come in pieces: crossterm
                // waits for the rest itself). crossterm's reader is built level-triggered
                // (`use-dev-tty`): it reads at most 1 KiB per wake, and the edge-triggered one
                // (mio) left the rest of a larger burst (a wheel spun, a paste) unread until the
                // next key while this loop spun on a terminal that poll(2) said was readable.
                // Its poll reads nothing with a zero timeout, hence the millisecond.
                loop {
                    match crossterm::event::poll(std::time::Duration::from_millis(1)) {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(e) => {
                            let _ = tx.blocking_send(Err(e));
                            return;
                        }
                    }
                    let Some(ev) = read() else { continue };
                    let end = ev.is_err();
                    if tx.blocking_send(ev).is_err() || end {
                        return;
                    }
                }
                if tty.fd().is_none() {
                    // No descriptor of our own to wait on: crossterm's blocking read.
                    let Some(ev) = read() else { continue };
                    let end = ev.is_err();
                    if tx.blocking_send(ev).is_err() || end {
                        return;
                    }
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!("cannot start the terminal's input thread: {e}");
    }
    rx
}

/// The terminal the input comes from: stdin when it is one (what crossterm reads), else
/// /dev/tty opened here.
struct Tty {
    own: Option<std::fs::File>,
    stdin: bool,
}

impl Tty {
    fn open() -> Tty {
        use std::io::IsTerminal;
        if std::io::stdin().is_terminal() {
            return Tty {
                own: None,
                stdin: true,
            };
        }
        Tty {
            own: std::fs::File::open("/dev/tty").ok(),
            stdin: false,
        }
    }

    fn fd(&self) -> Option<std::os::fd::RawFd> {
        use std::os::fd::AsRawFd;
        if self.stdin {
            return Some(0);
        }
        self.own.as_ref().map(AsRawFd::as_raw_fd)
    }
}

/// Blocks until the terminal has input; an error when it hung up or went away.
fn wait_readable(fd: std::os::fd::RawFd) -> std::io::Result<()> {
    loop {
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, for the duration of the call.
        let n = unsafe { libc::poll(&raw mut p, 1, -1) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if p.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
            return Err(std::io::Error::other("the terminal hung up"));
        }
        if p.revents & libc::POLLIN != 0 {
            return Ok(());
        }
    }
}

/// The clock, read by the runtime for `update` (which never reads it).
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A mouse report as what it points at on the frame the user sees (the last one drawn): a
/// left click or a wheel notch; other mouse reports (moves, releases, drags) are dropped.
fn pointer_msg(msg: Msg, hits: &HitMap) -> Option<Msg> {
    use crossterm::event::{MouseButton, MouseEventKind};
    let Msg::Mouse(ev) = msg else {
        return Some(msg);
    };
    let target = hits.at(ev.column, ev.row).cloned();
    match ev.kind {
        MouseEventKind::Down(MouseButton::Left) => target.map(Msg::Click),
        MouseEventKind::ScrollUp => target.map(|target| Msg::Wheel { target, up: true }),
        MouseEventKind::ScrollDown => target.map(|target| Msg::Wheel { target, up: false }),
        _ => None,
    }
}

fn terminal_msg(ev: Option<std::io::Result<crossterm::event::Event>>) -> Option<Msg> {
    match ev {
        Some(Ok(ev)) => Msg::from_terminal(ev),
        Some(Err(e)) => Some(Msg::TerminalLost(e.to_string())),
        None => Some(Msg::TerminalLost("the terminal closed".into())),
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(t) => tokio::time::sleep_until(t.into()).await,
        None => std::future::pending().await,
    }
}

fn draw(
    tui: &mut Tui,
    model: &Model,
    last_draw: &mut Option<Instant>,
    on_screen: &mut Option<u64>,
    hits: &mut HitMap,
) -> std::io::Result<()> {
    use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
    if model.ui.term.title {
        tui.set_title(&crate::ui::window_title(model));
    }
    let drawn = crate::tui::with_output(|| -> std::io::Result<()> {
        crossterm::queue!(std::io::stdout(), BeginSynchronizedUpdate)?;
        tui.terminal.draw(|f| *hits = crate::ui::draw(model, f))?;
        write_links(hits.links())?;
        crossterm::execute!(std::io::stdout(), EndSynchronizedUpdate)?;
        Ok(())
    });
    if let Some(r) = drawn {
        r?;
    }
    *on_screen = Some(model.revision());
    *last_draw = Some(Instant::now());
    Ok(())
}

/// The frame's links written again over their own cells inside OSC 8 (crate::ui::links): the
/// same text in the same style, now a hyperlink the terminal can open. The cursor and its
/// attributes are saved and put back around them (DECSC, DECRC), so the frame's cursor stays.
fn write_links(links: &[crate::ui::links::LinkSpot]) -> std::io::Result<()> {
    use ratatui::backend::IntoCrossterm;
    use std::io::Write;
    if links.is_empty() {
        return Ok(());
    }
    let mut out = std::io::stdout();
    out.write_all(b"\x1b7")?;
    for l in links {
        let Some(seq) = crate::osc::hyperlink(&l.url, &l.text) else {
            continue;
        };
        let style: crossterm::style::ContentStyle = l.style.into_crossterm();
        crossterm::queue!(
            out,
            crossterm::cursor::MoveTo(l.x, l.y),
            crossterm::style::SetAttribute(crossterm::style::Attribute::Reset),
            crossterm::style::PrintStyledContent(crossterm::style::StyledContent::new(style, seq)),
        )?;
    }
    out.write_all(b"\x1b[0m\x1b8")?;
    Ok(())
}
