//! Where a key or a paste goes: one match on [`Mode`]. The precedence between a ringing call
//! and whatever the user is doing is written here, once:
//!
//! 1. Ctrl-C quits, from anywhere; Ctrl-Z suspends (as a shell's job control would: raw mode
//!    turns the terminal's own Ctrl-Z into a key), from anywhere.
//! 2. A terminal below the minimum size shows only "too small": `q` quits, other keys do
//!    nothing (they would act on a screen nobody sees).
//! 3. A pop-up that is typed into (a prompt, a confirmation, a viewer's search being typed)
//!    takes every key: it is modal, drawn over all (a ringing call waits for its Esc).
//! 4. A ringing call's accept and reject keys come next, whatever the user is doing: the call
//!    dialog is drawn over every pane, mode and reading pop-up (help, the log, the
//!    participants, the outbox).
//! 5. A reading pop-up takes the other keys.
//! 6. For our outgoing call, `back` (Esc) or hang up cancels it. Other keys go on to the mode.
//! 7. Otherwise the mode's own keys: the composer, the filter, the explorer, or the panes'
//!    bindings.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Cmd, Mode, Model, Pane, Prompt};
use crate::keys::{Action, Context, KeySpec};

fn is_ctrl_c(k: &KeyEvent) -> bool {
    k.modifiers.contains(KeyModifiers::CONTROL) && matches!(k.code, KeyCode::Char('c' | 'C'))
}

fn is_ctrl_z(k: &KeyEvent) -> bool {
    k.modifiers.contains(KeyModifiers::CONTROL) && matches!(k.code, KeyCode::Char('z' | 'Z'))
}

pub(super) fn on_key(m: &mut Model, k: KeyEvent) -> Vec<Cmd> {
    let Some(key) = KeySpec::from_event(&k) else {
        return vec![];
    };
    if is_ctrl_c(&k) {
        return super::update::quit(m);
    }
    if is_ctrl_z(&k) {
        return vec![Cmd::Suspend];
    }
    if m.ui.notice.take().is_some() {
        m.touch();
    }
    if m.ui.size.0 < super::MIN_WIDTH || m.ui.size.1 < super::MIN_HEIGHT {
        return match k.code {
            KeyCode::Char('q') => super::update::quit(m),
            _ => vec![],
        };
    }
    match &m.mode {
        Mode::Prompt(_) => return super::prompts::on_prompt_key(m, &k),
        Mode::Confirm(_) => return super::prompts::on_confirm_key(m, &k),
        Mode::Pager(_) if m.mode.is_typed_popup() => return super::pager::on_key(m, &k),
        _ => {}
    }
    if m.room.dialog().is_some_and(|(_, s)| s.rings_in())
        && let Some(action) = m.ui.keys.lookup(key, &[Context::CallDialog])
    {
        return super::update::on_action(m, action);
    }
    // A ringing call's box covers the room views (aim, devices, calls, participants): no other
    // key reaches what it hides.
    if m.room.dialog().is_some_and(|(_, s)| s.rings_in())
        && matches!(
            m.mode,
            Mode::Aim { .. }
                | Mode::Devices { .. }
                | Mode::Calls(_)
                | Mode::Participants { .. }
                | Mode::Account { .. }
        )
    {
        let keys = format!(
            "A call is ringing: {} accepts, {} rejects",
            m.ui.keys.describe(crate::keys::Action::Accept),
            m.ui.keys.describe(crate::keys::Action::Reject)
        );
        m.notify(super::NoticeLevel::Info, keys);
        return vec![];
    }
    match &m.mode {
        Mode::Pager(_) => return super::pager::on_key(m, &k),
        Mode::Participants { .. } => return super::conference::on_participants_key(m, key),
        Mode::Outbox { selected } => return super::outbox::on_key(m, key, *selected),
        Mode::Calls(_) => return super::calls::on_key(m, key),
        Mode::Devices { .. } => return super::devices::on_key(m, key),
        Mode::Aim { .. } => return super::aim::on_key(m, &k),
        Mode::Account { .. } => return super::account::on_key(m, &k),
        _ => {}
    }
    // The picture view steps aside for a ringing call (its box is drawn instead of the
    // picture), so that call's keys come first; an outgoing call's dialog is under the
    // picture, and Esc closes the picture rather than hanging up.
    if matches!(m.mode, Mode::Picture(_)) {
        if m.room.dialog().is_some_and(|(_, s)| s.rings_in())
            && let Some(action) = call_dialog_key(m, key)
        {
            return super::update::on_action(m, action);
        }
        return super::picture::on_key(m, key);
    }
    // The live view likewise: a ringing call's keys first (its box is drawn over it).
    if matches!(m.mode, Mode::Live(_)) {
        if m.room.dialog().is_some_and(|(_, s)| s.rings_in())
            && let Some(action) = call_dialog_key(m, key)
        {
            return super::update::on_action(m, action);
        }
        return super::live::on_key(m, &k);
    }
    if let Some(action) = call_dialog_key(m, key) {
        return super::update::on_action(m, action);
    }
    match &m.mode {
        Mode::Composing => super::composer::on_key(m, &k),
        Mode::Filtering => super::prompts::on_filter_key(m, &k),
        Mode::Explorer(_) => super::explorer::on_key(m, &k),
        Mode::Normal
        | Mode::Pager(_)
        | Mode::Participants { .. }
        | Mode::Prompt(_)
        | Mode::Confirm(_)
        | Mode::Outbox { .. }
        | Mode::Calls(_)
        | Mode::Devices { .. }
        | Mode::Account { .. }
        | Mode::Picture(_)
        | Mode::Live(_)
        | Mode::Aim { .. } => {
            let pane = match m.ui.focus {
                Pane::Room => Context::Room,
                Pane::Chats => Context::Chats,
                Pane::History => Context::History,
                Pane::Inspector => return super::inspector::on_key(m, key),
            };
            match m
                .ui
                .keys
                .lookup(key, &[pane, Context::Room, Context::Global])
            {
                Some(action) => super::update::on_action(m, action),
                None => vec![],
            }
        }
    }
}

/// The call dialog's action for `key`, while the dialog is up: a ringing call's accept and
/// reject keys; for our outgoing call, back or hang up (both hang up).
fn call_dialog_key(m: &Model, key: KeySpec) -> Option<Action> {
    let (_, slot) = m.room.dialog()?;
    if slot.rings_in() {
        return m.ui.keys.lookup(key, &[Context::CallDialog]);
    }
    match m.ui.keys.lookup(key, &[Context::Global, Context::Room]) {
        Some(Action::Back | Action::HangUp) => Some(Action::HangUp),
        _ => None,
    }
}

/// Pasted text goes to the input that has the keyboard; elsewhere it is ignored.
pub(super) fn on_paste(m: &mut Model, text: &str) -> Vec<Cmd> {
    let open = m.chat.open.as_ref().map(|o| o.chat_id.clone());
    match &mut m.mode {
        Mode::Explorer(x) => super::explorer::paste(x, text),
        // A file dropped on the terminal arrives as its pasted path.
        Mode::Prompt(Prompt::Upload { path }) => path.insert_line(text.trim()),
        Mode::Prompt(Prompt::Search { query }) => query.insert_line(text),
        Mode::Prompt(Prompt::SearchAll(s)) => {
            s.query.insert_line(text);
            return super::stored::search_now(m);
        }
        Mode::Prompt(Prompt::NewChat { input, .. }) => input.insert_line(text),
        Mode::Prompt(Prompt::Call(p)) => p.picker.paste(text, &p.contacts, &mut p.selected),
        Mode::Prompt(Prompt::Form(f)) => super::form::paste(f, text),
        Mode::Prompt(Prompt::Forward {
            picker, selected, ..
        }) => {
            let cands = m.chat.list.candidates();
            picker.paste(text, &cands, selected);
        }
        Mode::Filtering => {
            // The list's search keys and its selection are separate fields: borrowed together.
            let cands: Vec<&crate::app::Candidate> =
                m.chat.list.items.iter().map(|i| &i.search).collect();
            m.chat.filter.paste(text, &cands, &mut m.chat.list.selected);
        }
        Mode::Composing => match open {
            Some(id) => m.composer.drafts.entry(id).or_default().editor.insert(text),
            None => return vec![],
        },
        _ => return vec![],
    }
    m.touch();
    vec![]
}
