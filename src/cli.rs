//! The command line (clap derive). Kept in the library so tests and completions see the
//! same definition the binary parses.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::LogLevel;

#[derive(Debug, Parser)]
#[command(
    name = "trueconf-console",
    version,
    about = "A terminal console for TrueConf Room meeting rooms and TrueConf Server chats",
    long_about = "A terminal console for TrueConf Room meeting rooms and TrueConf Server chats.\n\n\
        Without a subcommand it starts the full-screen console on the rooms and chat server of the \
        config file. --demo starts it on the embedded simulators instead, with nothing to configure.",
    after_help = "Config file: $XDG_CONFIG_HOME/trueconf-console/config.toml (see `trueconf-console config path`).\n\
        Secrets may come from the environment: TRUECONF_ROOM_PIN, TRUECONF_PASSWORD, TRUECONF_TOKEN."
)]
pub struct Cli {
    /// Start on the embedded TrueConf Room and TrueConf Server simulators (no config needed).
    #[arg(long)]
    pub demo: bool,

    /// Use this config file instead of the one in the XDG config dir.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Log detail (the log goes to a file, never to the terminal).
    #[arg(long, global = true, value_enum, value_name = "LEVEL")]
    pub log_level: Option<LogLevel>,

    /// Start with this configured room active (by its `name`).
    #[arg(long, value_name = "NAME")]
    pub room: Option<String>,

    /// Testing aid: crash on purpose once the terminal is set up (ui: the UI thread; task: a
    /// background task), to check that the terminal is restored.
    #[arg(long, hide = true, value_enum, value_name = "WHERE")]
    pub debug_panic: Option<PanicSite>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PanicSite {
    Ui,
    Task,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the TrueConf Room and TrueConf Server simulators on this machine.
    Simulate(Passthrough),
    /// Drive a TrueConf Room from scripts (state, call, hang up, mute, raw commands).
    Room(Passthrough),
    /// Use TrueConf Server chats from scripts (list, history, send, files).
    Chat(Passthrough),
    /// Find, check or create the config file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Arguments of a subcommand group whose commands this build does not have yet.
#[derive(Debug, Args)]
pub struct Passthrough {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub args: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the path of the config file in use.
    Path,
    /// Read the config file and report what it configures, or the first error.
    Check,
    /// Print a commented example config with every key and its default.
    Example,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_work_after_subcommands() {
        let cli =
            Cli::try_parse_from(["trueconf-console", "config", "check", "--config", "/x.toml"])
                .unwrap();
        assert_eq!(cli.config.as_deref(), Some(std::path::Path::new("/x.toml")));
        let cli =
            Cli::try_parse_from(["trueconf-console", "--demo", "--log-level", "debug"]).unwrap();
        assert!(cli.demo);
        assert_eq!(cli.log_level, Some(LogLevel::Debug));
        assert!(Cli::try_parse_from(["trueconf-console", "--log-level", "loud"]).is_err());
    }
}
