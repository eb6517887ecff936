//! The simulators of TrueConf Room and TrueConf Server, on loopback, over real sockets. The
//! same code serves `simulate`, `--demo` and every test. Depends on the protocol types only.

pub mod chat;
mod net;
pub mod room;
pub mod world;

pub use chat::{ChatSim, ChatSimConfig};
pub use room::{RoomSim, RoomSimConfig};
pub use world::World;
