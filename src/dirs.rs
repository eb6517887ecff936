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

/// Writes `text` to `path` atomically (a temporary file, synced, then renamed) with mode 0600,
/// creating the directory (0700) if needed.
pub fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        create_private(dir)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    {
        use std::io::Write;
        let mut f = o.open(&tmp)?;
        // A file made earlier with other bits keeps them through open(); set them anyway.
        #[cfg(unix)]
        std::fs::set_permissions(&tmp, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

/// Moves a file that cannot be read aside (`NAME.bad`, or `NAME.bad.N` if that is taken), so
/// the next save does not overwrite what is in it. Returns where it went.
pub fn set_aside(path: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
    let base = path.as_os_str().to_owned();
    for n in 0..1000 {
        let mut p = base.clone();
        if n == 0 {
            p.push(".bad");
        } else {
            p.push(format!(".bad.{n}"));
        }
        let p = std::path::PathBuf::from(p);
        if !p.exists() {
            std::fs::rename(path, &p)?;
            return Ok(p);
        }
    }
    Err(std::io::Error::other("no free name to set the file aside"))
}

/// Creates a directory (and its parents) that only the user can read.
pub fn create_private(dir: &std::path::Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// A file of ours (the outbox, the explorer's history, a script) that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Read, but not what it should hold (`what`: "an outbox file"…).
    #[error("{} is not {what}: {reason}", path.display())]
    Invalid {
        path: PathBuf,
        what: &'static str,
        reason: String,
    },
}
