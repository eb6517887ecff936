use std::time::{Duration, Instant};

use crossterm::event::EventStream;
use futures_util::StreamExt;
use tokio::signal::unix::{SignalKind as UnixSignal, signal};
use tokio::sync::mpsc;

use super::{Cmd, Effects, Model, Msg, SignalKind, update};
use crate::tui::Tui;

/// At most this many queued inputs are applied before a frame is drawn.
const BATCH: usize = 1024;
/// Frames are at least this far apart; a burst of events becomes one frame.
const MIN_FRAME_INTERVAL: Duration = Duration::from_millis(8);

/// Runs the loop until the model asks to quit. Waits for input without a timer: an idle
/// console sleeps in `select!` and uses no CPU. `links` carries messages from the link tasks.
pub async fn run(
    mut model: Model,
    tui: &mut Tui,
    mut links: mpsc::Receiver<Msg>,
    effects: &mut Effects,
) -> std::io::Result<Model> {
    let mut term_events = EventStream::new();
    let mut sigterm = signal(UnixSignal::terminate())?;
    let mut sighup = signal(UnixSignal::hangup())?;
    let mut sigint = signal(UnixSignal::interrupt())?;
    let mut links_open = true;
    let mut last_draw: Option<Instant> = None;
    // The model's revision on screen: a frame is owed while the model's differs.
    let mut drawn: Option<u64> = None;

    if let Ok(size) = tui.terminal.size() {
        update(&mut model, Msg::Resize(size.width, size.height));
    }
    draw(tui, &model, &mut last_draw, &mut drawn)?;

    loop {
        // A frame owed but held back by MIN_FRAME_INTERVAL is drawn when its deadline passes.
        let frame_due = if drawn == Some(model.revision()) {
            None
        } else {
            last_draw.map(|t| t + MIN_FRAME_INTERVAL)
        };
        let first = tokio::select! {
            ev = term_events.next() => terminal_msg(ev),
            m = links.recv(), if links_open => match m {
                Some(m) => Some(m),
                None => { links_open = false; None }
            },
            _ = sigterm.recv() => Some(Msg::Signal(SignalKind::Terminate)),
            _ = sighup.recv() => Some(Msg::Signal(SignalKind::Hangup)),
            _ = sigint.recv() => Some(Msg::Signal(SignalKind::Interrupt)),
            _ = sleep_until(frame_due) => None,
        };
        let mut batch: Vec<Msg> = first.into_iter().collect();
        // Drain whatever else is already waiting, so a burst costs one frame.
        while batch.len() < BATCH {
            match links.try_recv() {
                Ok(m) => batch.push(m),
                Err(_) => break,
            }
        }
        // Not `term_events.next().now_or_never()`: polling the stream with a no-op waker
        // leaves it waiting on that waker forever. crossterm's synchronous poll/read share the
        // stream's reader.
        while batch.len() < BATCH && crossterm::event::poll(Duration::ZERO).unwrap_or(false) {
            batch.extend(terminal_msg(Some(crossterm::event::read())));
        }
        for msg in batch {
            for cmd in update(&mut model, msg) {
                match cmd {
                    Cmd::Quit => {}
                    Cmd::Bell => {
                        if model.ui.bell {
                            tui.bell();
                        }
                    }
                    other => effects.run(other),
                }
            }
        }
        if model.quit {
            return Ok(model);
        }
        if drawn != Some(model.revision())
            && last_draw.is_none_or(|t| t.elapsed() >= MIN_FRAME_INTERVAL)
        {
            draw(tui, &model, &mut last_draw, &mut drawn)?;
        }
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
) -> std::io::Result<()> {
    use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
    let drawn = crate::tui::with_output(|| -> std::io::Result<()> {
        crossterm::queue!(std::io::stdout(), BeginSynchronizedUpdate)?;
        tui.terminal.draw(|f| crate::ui::view(model, f))?;
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
