//! Where the console keeps its files (XDG base directories on Linux, the platform's
//! equivalents elsewhere).

use std::path::PathBuf;

use directories::ProjectDirs;

pub fn project() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "trueconf-console")
}

/// Logs: `$XDG_STATE_HOME/trueconf-console` (Linux), else the local data dir.
pub fn log_dir() -> Option<PathBuf> {
    project().map(|p| {
        p.state_dir()
            .unwrap_or_else(|| p.data_local_dir())
            .to_path_buf()
    })
}

/// Persistent data (token cache, outbox, explorer history): `$XDG_DATA_HOME/trueconf-console`.
pub fn data_dir() -> Option<PathBuf> {
    project().map(|p| p.data_dir().to_path_buf())
}

/// Creates a directory (and its parents) that only the user can read.
pub fn create_private(dir: &std::path::Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}
