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
/// creating the directory (0700) if needed. On any failure the temporary file is removed, so
/// what was to be written (a token, a message) is not left behind under another name, and
/// `path` is as it was.
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
    let written = (|| {
        use std::io::Write;
        let mut f = o.open(&tmp)?;
        // A file made earlier with other bits keeps them through open(); set them anyway.
        #[cfg(unix)]
        std::fs::set_permissions(&tmp, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// An existing directory of ours that others may read or enter (made before the console
/// created its directories 0700, or by hand) is set to 0700. Returns the mode it had when it
/// changed it; nothing when it was private already or does not exist.
pub fn tighten(dir: &std::path::Path) -> std::io::Result<Option<u32>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = match std::fs::metadata(dir) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let mode = meta.permissions().mode() & 0o7777;
        if !meta.is_dir() || mode & 0o077 == 0 {
            return Ok(None);
        }
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        Ok(Some(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(None)
    }
}

/// Tightens the data dir and the log dir (`tighten`); returns one notice per directory
/// changed or that could not be changed, for the user to see (each is logged too).
pub fn tighten_ours() -> Vec<String> {
    let mut notices = Vec::new();
    for dir in [data_dir(), log_dir()].into_iter().flatten() {
        match tighten(&dir) {
            Ok(None) => {}
            Ok(Some(was)) => {
                let n = format!(
                    "{} was readable by others (mode {was:o}); it is now 0700",
                    dir.display()
                );
                tracing::warn!("{n}");
                notices.push(n);
            }
            Err(e) => {
                let n = format!("cannot make {} private (0700): {e}", dir.display());
                tracing::warn!("{n}");
                notices.push(n);
            }
        }
    }
    notices
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

/// The prefix of `--demo`'s temporary store directories in the temp dir: the process id
/// and a number follow (`trueconf-console-demo-PID-N`).
pub const DEMO_DIR_PREFIX: &str = "trueconf-console-demo-";

/// Removes the `--demo` store directories in `base` that a console killed without a chance
/// to clean up (kill -9, a crash) left behind: ours (same user), real directories (never
/// through a link), whose process is gone. A directory whose process id is alive is kept,
/// whatever that process is now. Returns how many were removed.
pub fn remove_stale_demo_dirs(base: &std::path::Path) -> usize {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(base) else {
        return 0;
    };
    // SAFETY: getuid has no preconditions.
    let me = unsafe { libc::getuid() };
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(DEMO_DIR_PREFIX))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, n)| n.parse::<u32>().ok().and(pid.parse::<i32>().ok()))
            .filter(|p| *p > 0)
        else {
            continue;
        };
        let Ok(meta) = std::fs::symlink_metadata(e.path()) else {
            continue;
        };
        if !meta.is_dir() || meta.uid() != me {
            continue;
        }
        // SAFETY: signal 0 only asks whether the process exists; nothing is sent.
        let gone = unsafe { libc::kill(pid, 0) } == -1
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone && std::fs::remove_dir_all(e.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_demo_dirs_of_processes_gone_are_removed() {
        let base = tempfile::tempdir().unwrap();
        // A process that has ended: its pid is free (until reused, when the dir is kept).
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let mk = |name: &str| {
            let p = base.path().join(name);
            std::fs::create_dir(&p).unwrap();
            std::fs::write(p.join("store.sqlite3"), "x").unwrap();
            p
        };
        let stale = mk(&format!("{}{dead}-0", super::DEMO_DIR_PREFIX));
        let ours = mk(&format!(
            "{}{}-0",
            super::DEMO_DIR_PREFIX,
            std::process::id()
        ));
        let other = mk("trueconf-console-demo-notapid-0");
        // A link named like a stale dir is not followed.
        let target = mk("keep");
        std::os::unix::fs::symlink(
            &target,
            base.path()
                .join(format!("{}{dead}-1", super::DEMO_DIR_PREFIX)),
        )
        .unwrap();
        assert_eq!(super::remove_stale_demo_dirs(base.path()), 1);
        assert!(!stale.exists());
        assert!(ours.exists() && other.exists() && target.join("store.sqlite3").exists());
    }

    #[test]
    fn one_holder_at_a_time_and_never_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("data");
        let first = super::lock_data_dir(&d).unwrap();
        assert!(matches!(first, super::Holder::Us(_)));
        // Another open of the lock (as another process would) finds it held, with our pid.
        match super::lock_data_dir(&d).unwrap() {
            super::Holder::Other(pid) => assert_eq!(pid, Some(std::process::id())),
            super::Holder::Us(_) => panic!("held twice"),
        }
        drop(first);
        assert!(matches!(
            super::lock_data_dir(&d).unwrap(),
            super::Holder::Us(_)
        ));
        // A link in its place is refused, and what it points at is left alone.
        let d2 = dir.path().join("data2");
        std::fs::create_dir(&d2).unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "keep me").unwrap();
        std::os::unix::fs::symlink(&victim, d2.join("console.lock")).unwrap();
        let e = super::lock_data_dir(&d2).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    }

    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &std::path::Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_loose_directory_is_tightened_once() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("data");
        std::fs::create_dir(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(tighten(&d).unwrap(), Some(0o755));
        assert_eq!(mode(&d), 0o700);
        assert_eq!(tighten(&d).unwrap(), None);
        assert_eq!(tighten(&dir.path().join("none")).unwrap(), None);
    }

    #[test]
    fn a_file_that_cannot_be_replaced_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be: the rename fails.
        let p = dir.path().join("tokens.json");
        std::fs::create_dir(&p).unwrap();
        std::fs::write(p.join("keep"), "x").unwrap();
        assert!(write_private(&p, "secret").is_err());
        assert!(!dir.path().join("tokens.json.tmp").exists());
        assert!(p.join("keep").exists());
        // And the ordinary case is private.
        let q = dir.path().join("ok.json");
        write_private(&q, "fine").unwrap();
        assert_eq!(mode(&q), 0o600);
        assert!(!dir.path().join("ok.json.tmp").exists());
    }
}

/// The data directory held by one console: the files it rewrites whole (the outbox, the
/// drafts) are its alone while the lock is held. The lock (`flock` on `console.lock`) goes
/// with the process, however it ends.
#[derive(Debug)]
pub struct DataLock {
    _file: std::fs::File,
}

/// Whether another console holds the data directory.
#[derive(Debug)]
pub enum Holder {
    /// This process holds it now.
    Us(DataLock),
    /// Another process does (its pid, when it wrote one).
    Other(Option<u32>),
}

/// Takes the data directory's lock, without waiting.
pub fn lock_data_dir(dir: &std::path::Path) -> std::io::Result<Holder> {
    use std::io::{Read, Seek, Write};
    use std::os::fd::AsRawFd;
    create_private(dir)?;
    let path = dir.join("console.lock");
    let mut o = std::fs::OpenOptions::new();
    o.read(true).write(true).create(true).truncate(false);
    // Never through a link: the pid would overwrite whatever it points at.
    #[cfg(unix)]
    {
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut o, libc::O_NOFOLLOW);
    }
    let mut f = o.open(&path).map_err(|e| {
        if e.raw_os_error() == Some(libc::ELOOP) {
            std::io::Error::other("it is a symbolic link (the console never follows one there)")
        } else {
            e
        }
    })?;
    if !f.metadata()?.is_file() {
        return Err(std::io::Error::other("it is not a regular file"));
    }
    // SAFETY: flock on a descriptor this function owns for the call.
    let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if r != 0 {
        let e = std::io::Error::last_os_error();
        if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
            let mut text = String::new();
            let _ = f.read_to_string(&mut text);
            return Ok(Holder::Other(text.trim().parse().ok()));
        }
        return Err(e);
    }
    f.set_len(0)?;
    f.rewind()?;
    write!(f, "{}", std::process::id())?;
    Ok(Holder::Us(DataLock { _file: f }))
}
