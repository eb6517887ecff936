//! TrueConf Server's API for chat bots (chatbot-api.md). So far the frame layer: frames, error
//! codes, history order, timestamps. The client, OAuth, files and the simulator come with the
//! chat link issue. No UI code.

pub mod protocol;
