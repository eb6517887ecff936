//! The TrueConf Room API: the method and event catalog, the wire protocol, the room state the
//! events build, port discovery and the link actor. No UI code.

pub mod camera;
pub mod catalog;
pub mod discovery;
pub mod history;
pub mod link;
pub mod protocol;
pub mod ptz;
pub mod spec;
pub mod state;

pub use link::{RoomError, RoomHandle, RoomLinkEvent, RoomLinkOptions, RoomTarget, Session};
pub use protocol::{AppState, Incoming, Reply, RoomEvent};
pub use spec::{EventSpec, MethodSpec, ParamSpec, ParamType, RoomMethod};
pub use state::RoomState;
