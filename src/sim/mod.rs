//! The simulators of TrueConf Room and TrueConf Server, on loopback, over real sockets. The
//! same code serves `simulate`, `--demo` and every test. Depends on the protocol types only.

pub mod chat;
pub mod fleet;
mod net;
pub mod proxy;
pub mod room;
pub mod world;

#[cfg(test)]
mod roles_tests;
#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;

pub use chat::{ChatSim, ChatSimConfig};
pub use proxy::FaultProxy;
pub use room::{RoomSim, RoomSimConfig, SimConference};
pub use world::World;

/// Why a simulator refused a scenario step (a test's or an actor's "Dave calls the Room"), or
/// a request, in its own words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    #[error("no user `{0}` in the demo world")]
    NoUser(String),
    #[error("the Room cannot be called in state {0}")]
    CannotCall(i64),
    #[error("{0} is not in a call with the Room")]
    NotInCall(String),
    #[error("no conference")]
    NoConference,
    #[error("{0} is not in the conference")]
    NotInConference(String),
    #[error("no such message")]
    NoMessage,
    #[error("no such chat")]
    NoChat,
    /// The chat API's error code for the step.
    #[error("error {0}")]
    Code(u32),
    /// Secured auth with credentials that are neither a PIN nor a token of this Room.
    #[error("wrong PIN")]
    WrongPin,
    /// Too many wrong PINs from one address: auth is refused for this many more seconds.
    #[error("too many wrong PINs: try again in {0} s")]
    LockedOut(u64),
    /// A refusal the Room sends back as its `error` text.
    #[error("{0}")]
    Refused(String),
    #[error("the world file cannot be read: {0}")]
    World(String),
}
