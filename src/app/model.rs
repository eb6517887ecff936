use crate::config::{Config, ThemeName};
use crate::keys::KeyMap;
use crate::sanitize;

/// The smallest terminal the console draws its screens in; below it, it says so and takes
/// only `q` (and Ctrl-C).
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// The panes that can hold the focus, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Room,
    Chats,
    History,
    /// The traffic inspector, while it is shown.
    Inspector,
}

impl Pane {
    pub const ORDER: [Pane; 3] = [Pane::Room, Pane::Chats, Pane::History];
}

pub use crate::link::LinkStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    Info,
    Warn,
    Error,
}

/// A one-line message in the status bar, cleared by the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub level: NoticeLevel,
    pub text: String,
}

/// What kind of chat `NewChat` creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewChatKind {
    P2p,
    Group,
    Channel,
}

impl NewChatKind {
    pub fn next(self) -> NewChatKind {
        match self {
            NewChatKind::P2p => NewChatKind::Group,
            NewChatKind::Group => NewChatKind::Channel,
            NewChatKind::Channel => NewChatKind::P2p,
        }
    }

    pub fn prev(self) -> NewChatKind {
        self.next().next()
    }

    pub fn label(self) -> &'static str {
        match self {
            NewChatKind::P2p => "Personal chat with (user id)",
            NewChatKind::Group => "Group chat titled",
            NewChatKind::Channel => "Channel titled",
        }
    }
}

/// A file going up or down, as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferView {
    pub id: u64,
    pub chat_id: String,
    /// The message whose attachment is downloaded (None for an upload).
    pub message_id: Option<String>,
    /// The file's name as shown (sanitised).
    pub name: String,
    /// The local file (known once the effect picked it, for a download).
    pub path: Option<std::path::PathBuf>,
    pub upload: bool,
    pub done: u64,
    pub total: u64,
    pub state: TransferState,
    /// What started it, so that a failed transfer can be tried again.
    pub source: TransferSource,
}

/// Where a transfer's bytes come from: enough to start it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferSource {
    /// A file sent to a chat, as the user typed its path.
    Upload {
        path: std::path::PathBuf,
        reply_to: Option<String>,
    },
    /// An attachment saved from a message.
    Download { file_id: String, name: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferState {
    Running,
    Done,
    Failed(String),
}

/// One frame for the inspector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Traffic {
    pub at_ms: u64,
    pub outgoing: bool,
    /// "room" or "chat".
    pub link: &'static str,
    /// The method or event name, or what kind of frame it is: read when first asked for (a
    /// flood lets most frames go unseen, as only [`Traffic::KEEP`] stay), except for a frame
    /// cut below, whose name is read from the whole frame at once.
    what: std::cell::OnceCell<String>,
    /// The frame (secrets already masked), cut to [`Traffic::MAX_TEXT`] bytes.
    pub text: String,
    /// The frame's length before the cut, in bytes.
    pub full_len: usize,
}

impl Traffic {
    /// Frames kept; the oldest go first.
    pub const KEEP: usize = crate::link::FRAMES_KEPT;
    pub const MAX_TEXT: usize = 8 * 1024;

    /// A frame as the link reported it, taken without copying it.
    pub fn new(link: &'static str, outgoing: bool, text: impl Into<String>, at_ms: u64) -> Traffic {
        let mut text = text.into();
        let full_len = text.len();
        let what = std::cell::OnceCell::new();
        if full_len > Self::MAX_TEXT {
            let _ = what.set(frame_name(&text));
            let mut cut = Self::MAX_TEXT;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.shrink_to_fit();
        }
        Traffic {
            at_ms,
            outgoing,
            link,
            what,
            text,
            full_len,
        }
    }

    /// The method or event name, or what kind of frame it is ("response", or "?"): cleaned
    /// for the screen.
    pub fn what(&self) -> &str {
        self.what.get_or_init(|| frame_name(&self.text))
    }

    /// Whether the frame was longer than what is kept.
    pub fn is_cut(&self) -> bool {
        self.full_len > self.text.len()
    }
}

/// A frame's name (its event or method, or "response"), cleaned for the screen: only these
/// keys are read, the rest is skipped without building anything.
fn frame_name(text: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Head {
        event: Option<serde_json::Value>,
        method: Option<serde_json::Value>,
        #[serde(rename = "type")]
        kind: Option<serde_json::Value>,
    }
    let Ok(h) = serde_json::from_str::<Head>(text) else {
        return "?".into();
    };
    let name = |v: Option<serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => Some(crate::sanitize::line(&s).into_owned()),
        _ => None,
    };
    name(h.event).or_else(|| name(h.method)).unwrap_or_else(|| {
        match h.kind.and_then(|k| k.as_u64()) {
            Some(2) => "response".into(),
            _ => "?".into(),
        }
    })
}

/// A configured room, as the UI names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomEntry {
    pub name: String,
    pub address: String,
}

/// How this run was started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Session {
    /// `--demo`: the embedded simulators.
    Demo,
    /// The configuration file (`path` is where it was looked for).
    Configured {
        path: Option<std::path::PathBuf>,
        found: bool,
    },
}

/// Everything the views draw from: a few named parts, each changed by its feature's module
/// in app/ and drawn by the view of the same name in ui/.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub session: Session,
    /// What the keyboard is doing (app/mode.rs, routed by app/input.rs).
    pub mode: super::Mode,
    pub ui: Ui,
    /// The Room pane and the call dialog (app/room.rs).
    pub room: RoomModel,
    /// The chat list and the open chat (app/chats.rs, app/history.rs).
    pub chat: ChatModel,
    /// Drafts and the outbox (app/composer.rs).
    pub composer: ComposerModel,
    /// Files going up or down (app/transfers.rs).
    pub transfers: Transfers,
    /// What the API explorer keeps while closed and across runs (app/explorer.rs).
    pub explorer: ExplorerMemory,
    pub quit: bool,
    /// Why the program is ending, when a signal or the terminal's loss ended it (the exit
    /// status is then 128 + the signal's number; a lost terminal counts as SIGHUP).
    pub ended_by: Option<super::SignalKind>,
    /// Counts the visible changes: `update` moves it forward ([`Model::touch`]); the runtime
    /// draws when it differs from the one last drawn. Nothing can move it back, so no
    /// handler can cancel a redraw another asked for.
    revision: u64,
}

/// The terminal's own powers the console may use (`[ui]` links, copy, notify, title).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermPowers {
    pub links: bool,
    pub copy: bool,
    /// The flavour of notification the terminal speaks; None when notifications are off.
    pub notify: Option<crate::osc::Notify>,
    pub title: bool,
    /// Running over SSH (SSH_CONNECTION or SSH_TTY set at start): a file is not opened here,
    /// where nobody sees it; its place is said instead.
    pub remote: bool,
    /// Pictures previewed in the history (`[ui] images` not "off").
    pub images: bool,
    /// What draws pictures (crate::graphics), chosen at start.
    pub pictures: crate::graphics::Kind,
    /// Milliseconds between the live camera view's frames (`[ui] camera_fps`).
    pub camera_every_ms: u32,
    /// The live camera view uses the graphics protocol (`[ui] camera_graphics`).
    pub camera_graphics: bool,
}

/// How the screen looks and what is on it besides the features' panes.
#[derive(Debug, Clone, PartialEq)]
pub struct Ui {
    pub theme: ThemeName,
    pub no_color: bool,
    pub bell: bool,
    /// The terminal's own powers the config allows (see crate::osc).
    pub term: TermPowers,
    pub keys: KeyMap,
    pub size: (u16, u16),
    pub focus: Pane,
    pub inspector: bool,
    /// The local time zone's offset from UTC in seconds, taken at start (views show local
    /// times; 0 shows UTC).
    pub utc_offset_secs: i64,
    /// The last frames in and out on both links, oldest first.
    pub traffic: std::collections::VecDeque<Traffic>,
    /// Whether the runtime sends ticks (only while something on screen counts seconds).
    pub ticking: bool,
    pub notice: Option<Notice>,
    /// Every notice shown, oldest first (at most [`Ui::LOG_KEPT`]), for the message log.
    pub log: std::collections::VecDeque<LoggedNotice>,
    /// How many notices the log dropped, oldest first, to stay within its bound.
    pub log_dropped: u64,
    /// The inspector's cursor: an index into `traffic` (None: following the newest).
    pub inspector_sel: Option<usize>,
    /// The time (Unix ms) as the runtime last read it, before the messages it hands over:
    /// `update` takes the time from here, never from the clock (tests set it).
    pub now_ms: u64,
}

impl Ui {
    pub const LOG_KEPT: usize = 500;
}

/// A notice as the message log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedNotice {
    pub at_ms: u64,
    pub level: NoticeLevel,
    pub text: String,
}

/// The configured rooms, every one linked at once: each has a [`RoomSlot`] of its own, and
/// `active` says whose full pane is shown. `m.room.state`, `m.room.link` and the other slot
/// fields read and write the active room's slot (through `Deref`); a room that is not active
/// is reached by index ([`RoomModel::slot`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RoomModel {
    /// The configured rooms.
    pub list: Vec<RoomEntry>,
    /// The room whose pane is shown (an index into `list`); switching links nothing anew.
    pub active: Option<usize>,
    /// Each room's link and state, by index (as long as `list`).
    pub slots: Vec<RoomSlot>,
    /// What stands for a room when none is configured.
    none: RoomSlot,
    /// The call dialog as last seen (its room and caller), when that changed, and until when
    /// its answer keys wait (see `room::track_dialog`).
    pub dialog_seen: DialogSeen,
}

/// The call dialog as `update` last saw it: a dialog that takes the place of another (a
/// second room's call once the first stops ringing) holds its answer keys back a moment, so
/// an `a` meant for the one that went cannot answer the one that came.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DialogSeen {
    /// The room and the caller (or callee) of the dialog shown.
    pub shown: Option<(usize, String)>,
    /// When a dialog last closed (ms, `ui.now_ms`).
    pub closed_ms: Option<u64>,
    /// Until when `a`/`r` wait (ms).
    pub hold_until_ms: u64,
}

/// One room as the console knows it: its link, its state, its call dialog's and call's
/// seconds, and the volume requests still in flight.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomSlot {
    pub link: LinkStatus,
    /// The room as its link last reported it.
    pub state: crate::room::RoomState,
    /// Seconds the call dialog has been open (one tick a second while it is).
    pub ring_secs: u64,
    /// A call dialog is open (its seconds count).
    pub dialog_open: bool,
    /// The volume last asked for, until the Room has answered every request for it (`+`/`-`
    /// step from it, so fast presses are not lost; the pane shows it beside the reported one).
    pub volume_asked: Option<f64>,
    /// Volume requests sent whose `settingsChanged` has not come back yet.
    pub volume_pending: u32,
    /// Seconds in the current conference, when this console saw it start.
    pub conf_secs: Option<u64>,
    /// Missed calls the Room's history holds that nobody has viewed (None: not known yet).
    pub missed: Option<usize>,
    /// The server and account's transitions as this console saw them, oldest first (at most
    /// `account::KEPT`).
    pub account_log: std::collections::VecDeque<super::account::Transition>,
    /// The microphone's and the camera's mute last asked for, until the Room reports it
    /// (a quick second press toggles from it, not from the state not yet changed).
    pub mute_asked: [Option<bool>; 2],
    /// What the owner last asked of participants (`method:id` → on / moderator) and the Room
    /// has not reported yet (app/conference.rs).
    pub asked_of_others: std::collections::HashMap<String, bool>,
}

impl RoomSlot {
    fn new(link: LinkStatus) -> RoomSlot {
        RoomSlot {
            link,
            state: crate::room::RoomState::default(),
            ring_secs: 0,
            dialog_open: false,
            volume_asked: None,
            volume_pending: 0,
            conf_secs: None,
            missed: None,
            account_log: Default::default(),
            mute_asked: [None, None],
            asked_of_others: Default::default(),
        }
    }

    /// A call rings in either direction (the call dialog is up for this room).
    pub fn ringing(&self) -> bool {
        self.rings_in() || self.state.calling.is_some()
    }

    /// A call rings in: one the Room described (`inviteReceived`), or one it only says rings
    /// (see [`RoomSlot::unknown_ring`]); `a` and `r` answer it.
    pub fn rings_in(&self) -> bool {
        self.state.invite.is_some() || self.unknown_ring()
    }

    /// The Room rings (app state 4) with neither an incoming call nor one of ours described:
    /// one that began before the console linked. Whose it is, the Room has not said.
    pub fn unknown_ring(&self) -> bool {
        self.state.invite.is_none()
            && self.state.calling.is_none()
            && self.state.app_state == Some(crate::room::AppState::Wait)
    }
}

impl RoomModel {
    /// The rooms in `list`, each offline until its link reports, `active` shown.
    pub fn new(list: Vec<RoomEntry>, active: Option<usize>) -> RoomModel {
        let active = active.filter(|i| *i < list.len());
        RoomModel {
            slots: list
                .iter()
                .map(|_| RoomSlot::new(LinkStatus::Offline))
                .collect(),
            list,
            active,
            none: RoomSlot::new(LinkStatus::NotConfigured),
            dialog_seen: DialogSeen::default(),
        }
    }

    /// Room `i`'s slot (None: no such room).
    pub fn slot(&self, i: usize) -> Option<&RoomSlot> {
        self.slots.get(i)
    }

    pub fn slot_mut(&mut self, i: usize) -> Option<&mut RoomSlot> {
        self.slots.get_mut(i)
    }

    /// The room whose call dialog is shown: the active room's while a call rings there,
    /// else the first other room with a call ringing in (an incoming call anywhere comes to
    /// the operator), else the first other one still calling out.
    pub fn dialog_room(&self) -> Option<usize> {
        if let Some(a) = self.active
            && self.slots.get(a).is_some_and(RoomSlot::ringing)
        {
            return Some(a);
        }
        self.slots
            .iter()
            .position(RoomSlot::rings_in)
            .or_else(|| self.slots.iter().position(|s| s.state.calling.is_some()))
    }

    /// The room whose call dialog is shown, with its slot.
    pub fn dialog(&self) -> Option<(usize, &RoomSlot)> {
        self.dialog_room().map(|i| (i, &self.slots[i]))
    }

    /// The name of room `i`, as the UI says it.
    pub fn name(&self, i: usize) -> &str {
        self.list.get(i).map(|r| r.name.as_str()).unwrap_or("?")
    }
}

impl std::ops::Deref for RoomModel {
    type Target = RoomSlot;
    fn deref(&self) -> &RoomSlot {
        self.active
            .and_then(|i| self.slots.get(i))
            .unwrap_or(&self.none)
    }
}

impl std::ops::DerefMut for RoomModel {
    fn deref_mut(&mut self) -> &mut RoomSlot {
        match self.active {
            Some(i) if i < self.slots.len() => &mut self.slots[i],
            _ => &mut self.none,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChatModel {
    /// `user@server` of the chat account, when one is configured.
    pub account: Option<String>,
    pub link: LinkStatus,
    /// `insecure = true`: the server's certificate is not checked (the status bar says so).
    pub insecure: bool,
    /// Our chat id (`user@server`), once the link said so.
    pub me: Option<String>,
    pub list: super::ChatList,
    /// Pictures' previews (app/previews.rs).
    pub previews: super::Previews,
    /// When a new message last raised a desktop notification (app/notify.rs).
    pub notified_ms: Option<u64>,
    /// The chat on screen in the history pane.
    pub open: Option<super::OpenChat>,
    /// What the chat list is filtered by (empty: everything); typed in [`super::Mode::Filtering`].
    pub filter: super::Picker,
    /// Display names by TrueConf ID, as the server told them.
    pub names: std::collections::HashMap<String, String>,
    /// The time of the newest message read in each chat: as the store kept it from earlier
    /// runs, and as this one read (a chat's newest page loaded). No "new messages" line is
    /// drawn above a message at or before it, whatever count the server gives.
    pub read_marks: std::collections::HashMap<String, u64>,
    /// IDs whose names were asked for (so each is asked once).
    pub names_asked: std::collections::HashSet<String>,
    /// Messages seen deleted this session, by chat (at most [`super::chats::REMOVED_KEPT`]
    /// each): reopening the chat shows them deleted in their place again, as before.
    pub removed: std::collections::HashMap<String, Vec<crate::chat::types::Envelope>>,
    /// Files posted while still uploading that the console follows (each once per session),
    /// with what it last learnt of each: a label is drawn from this, never from the
    /// `readyState` a message was posted with.
    pub uploads: std::collections::HashMap<String, Option<crate::chat::files::UploadSeen>>,
    /// Chats being copied into the store (`B`), with the messages read so far.
    pub backfills: std::collections::HashMap<String, usize>,
}

impl ChatModel {
    /// A chat's title as the list shows it (a personal chat by its peer's name), if listed.
    pub fn shown_title(&self, chat_id: &str) -> Option<String> {
        self.list
            .items
            .iter()
            .find(|c| c.id == chat_id)
            .map(|c| self.names.get(&c.title).unwrap_or(&c.title).clone())
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ComposerModel {
    /// One draft per chat id.
    pub drafts: std::collections::HashMap<String, super::Draft>,
    /// Messages written and not yet confirmed, in order.
    pub outbox: Vec<super::Outgoing>,
    /// Ids of our messages the server confirmed lately (newest last, at most
    /// [`super::composer::CLAIMED_KEPT`]): a check for an uncertain message never takes one of
    /// them for it.
    pub claimed: Vec<String>,
    /// Save the outbox after each change (off in --demo, whose chats are new each run).
    pub persist: bool,
    /// Why the outbox file could not be written last time (None: it holds the queue).
    pub save_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transfers {
    /// The finished ones stay listed until the chat is left.
    pub items: Vec<TransferView>,
    /// Where downloads go.
    pub download_dir: std::path::PathBuf,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExplorerMemory {
    /// The explorer as it was left, so reopening it returns there.
    pub kept: Option<super::explorer::Explorer>,
    /// What the explorer sent, across runs (newest last).
    pub history: Vec<super::explorer::Sent>,
    /// What the explorer sent in this run (what a saved script holds).
    pub session: Vec<super::explorer::Tried>,
}

/// The demo world's server and the account the console uses there (docs/architecture.md, The demo world).
pub const DEMO_SERVER: &str = "video.example.com";
pub const DEMO_USER: &str = "operator";

impl Model {
    /// The model for a run from a config file. `active_room` was picked by `--room` (or is the first).
    pub fn from_config(
        config: &Config,
        session: Session,
        active_room: Option<usize>,
        size: (u16, u16),
        no_color: bool,
    ) -> Model {
        let rooms: Vec<RoomEntry> = config
            .rooms
            .iter()
            .map(|r| RoomEntry {
                name: sanitize::line(&r.name).into_owned(),
                address: format!("{}:{}", r.host, r.http_port.0),
            })
            .collect();
        let active_room = active_room.or(if rooms.is_empty() { None } else { Some(0) });
        let chat_account = config
            .chat
            .as_ref()
            .map(|c| format!("{}@{}", sanitize::line(&c.username), c.server));
        Model {
            session,
            mode: super::Mode::Normal,
            ui: Ui {
                theme: config.ui.theme,
                no_color,
                bell: config.ui.bell,
                term: TermPowers {
                    links: config.ui.links,
                    copy: config.ui.copy,
                    notify: config.ui.notify.then(|| {
                        crate::osc::Notify::detect(
                            std::env::var("TERM_PROGRAM").ok().as_deref(),
                            std::env::var("TERM").ok().as_deref(),
                        )
                    }),
                    title: config.ui.title,
                    images: config.ui.images != crate::config::Images::Off,
                    pictures: crate::graphics::Kind::Halfblocks,
                    camera_every_ms: config.ui.camera_every_ms,
                    camera_graphics: config.ui.camera_graphics,
                    remote: ["SSH_CONNECTION", "SSH_TTY"]
                        .iter()
                        .any(|k| std::env::var_os(k).is_some_and(|v| !v.is_empty())),
                },
                keys: config.ui.keys.clone(),
                size,
                focus: Pane::Room,
                inspector: false,
                utc_offset_secs: 0,
                traffic: Default::default(),
                ticking: false,
                notice: None,
                log: Default::default(),
                log_dropped: 0,
                inspector_sel: None,
                now_ms: 0,
            },
            room: RoomModel::new(rooms, active_room),
            chat: ChatModel {
                link: if chat_account.is_some() {
                    LinkStatus::Offline
                } else {
                    LinkStatus::NotConfigured
                },
                account: chat_account,
                insecure: config.chat.as_ref().is_some_and(|c| c.tls && c.insecure),
                me: None,
                list: super::ChatList::default(),
                previews: Default::default(),
                notified_ms: None,
                open: None,
                filter: Default::default(),
                names: Default::default(),
                names_asked: Default::default(),
                read_marks: Default::default(),
                removed: Default::default(),
                uploads: Default::default(),
                backfills: Default::default(),
            },
            composer: ComposerModel::default(),
            transfers: Transfers {
                items: Vec::new(),
                download_dir: config.download_dir(),
            },
            explorer: ExplorerMemory::default(),
            quit: false,
            ended_by: None,
            revision: 1,
        }
    }

    /// The model for `--demo`: three rooms and the operator's chat account on the simulated server.
    pub fn demo(config: &Config, size: (u16, u16), no_color: bool) -> Model {
        let mut m = Model::from_config(config, Session::Demo, None, size, no_color);
        m.room = RoomModel::new(
            (1..=crate::sim::fleet::DEMO_ROOMS)
                .map(|k| RoomEntry {
                    name: crate::sim::fleet::room_name(k),
                    address: "127.0.0.1 (simulated)".into(),
                })
                .collect(),
            Some(0),
        );
        m.chat.account = Some(format!("{DEMO_USER}@{DEMO_SERVER}"));
        m.chat.link = LinkStatus::Offline;
        m
    }

    pub fn active_room(&self) -> Option<&RoomEntry> {
        self.room.active.and_then(|i| self.room.list.get(i))
    }

    pub fn notify(&mut self, level: NoticeLevel, text: impl Into<String>) {
        let text = text.into();
        if self.ui.log.len() >= Ui::LOG_KEPT {
            self.ui.log.pop_front();
            self.ui.log_dropped += 1;
        }
        self.ui.log.push_back(LoggedNotice {
            at_ms: self.ui.now_ms,
            level,
            text: text.clone(),
        });
        self.ui.notice = Some(Notice { level, text });
        self.touch();
    }

    /// Marks the model as changed in a way the screen shows.
    pub fn touch(&mut self) {
        self.revision = self.revision.wrapping_add(1);
    }

    /// The current revision (see [`Model::touch`]); the runtime draws when it changes.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Tests compare models apart from their revision.
    #[cfg(test)]
    pub fn same_revision_as(&mut self, other: &Model) {
        self.revision = other.revision;
    }
}
