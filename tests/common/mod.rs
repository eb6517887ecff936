//! Test support: the real binary in a pseudo-terminal, its screen read through a VT100 parser.
#![allow(dead_code)] // each test file uses part of this module
#![allow(clippy::unwrap_used)] // test support: a failed unwrap is a failed test

use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

use nix::pty::Winsize;
use nix::sys::termios::{LocalFlags, Termios, tcgetattr};

pub const TIMEOUT: Duration = Duration::from_secs(20);

struct Screen {
    parser: vt100::Parser,
    raw: Vec<u8>,
}

/// The terminal the tests play: what it answers to the console's queries at start (the
/// graphics probe: crate::graphics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answers {
    /// Answers device attributes (no sixel) and the status report, as xterm does: the
    /// console learns quickly there is no graphics protocol.
    Xterm,
    /// Kitty: the graphics query answered OK, cells of 10×20 pixels.
    Kitty,
    /// Answers nothing (the console waits out its deadline).
    Silent,
}

impl Answers {
    /// The answers to the queries in `scan` (which loses what has been answered; a partial
    /// query at its end waits for the rest).
    fn reply(self, scan: &mut Vec<u8>) -> Vec<u8> {
        let queries: [(&[u8], &[u8]); 4] = match self {
            Answers::Silent => {
                scan.clear();
                return vec![];
            }
            Answers::Xterm => [
                (b"\x1b_Gi=31,", b""),
                (b"\x1b[c", b"\x1b[?62;22c"),
                (b"\x1b[16t", b""),
                (b"\x1b[5n", b"\x1b[0n"),
            ],
            Answers::Kitty => [
                (b"\x1b_Gi=31,", b"\x1b_Gi=31;OK\x1b\\"),
                (b"\x1b[c", b"\x1b[?62;22c"),
                (b"\x1b[16t", b"\x1b[6;20;10t"),
                (b"\x1b[5n", b"\x1b[0n"),
            ],
        };
        let mut out = Vec::new();
        loop {
            let first = queries
                .iter()
                .filter_map(|(q, a)| {
                    scan.windows(q.len())
                        .position(|w| w == *q)
                        .map(|at| (at, q.len(), *a))
                })
                .min_by_key(|(at, _, _)| *at);
            match first {
                Some((at, len, a)) => {
                    out.extend_from_slice(a);
                    scan.drain(..at + len);
                }
                None => {
                    let keep = scan.len().saturating_sub(16);
                    scan.drain(..keep);
                    return out;
                }
            }
        }
    }
}

/// The console running in a pty of a given size.
pub struct PtyApp {
    /// None once [`PtyApp::hang_up`] closed it.
    master: Option<std::fs::File>,
    /// Tells the reader to stop (and close its copy of the master).
    stop_reading: Arc<std::sync::atomic::AtomicBool>,
    /// Closed once the program has ended, so the reader drains the output and stops.
    slave: Option<OwnedFd>,
    termios_after: Option<Termios>,
    reader_done: mpsc::Receiver<()>,
    pid: i32,
    screen: Arc<(Mutex<Screen>, Condvar)>,
    exited: mpsc::Receiver<ExitStatus>,
    status: Option<ExitStatus>,
}

impl PtyApp {
    pub fn spawn(args: &[&str], env: &HashMap<String, String>, cols: u16, rows: u16) -> PtyApp {
        Self::spawn_answering(args, env, cols, rows, Answers::Xterm)
    }

    /// As [`PtyApp::spawn`], the terminal answering the console's queries as `answers` says.
    pub fn spawn_answering(
        args: &[&str],
        env: &HashMap<String, String>,
        cols: u16,
        rows: u16,
        answers: Answers,
    ) -> PtyApp {
        let ws = Winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let pty = open_pty(&ws);
        let slave_fd = pty.slave.as_raw_fd();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_trueconf-console"));
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TERM", "xterm-256color")
            .envs(env)
            .stdin(Stdio::from(pty.slave.try_clone().unwrap()))
            .stdout(Stdio::from(pty.slave.try_clone().unwrap()))
            .stderr(Stdio::from(pty.slave.try_clone().unwrap()));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                // Own session with the pty as controlling terminal, so /dev/tty is the pty.
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::ioctl(slave_fd, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = cmd.spawn().expect("spawn trueconf-console");
        let pid = child.id() as i32;
        let master = std::fs::File::from(pty.master);
        let screen = Arc::new((
            Mutex::new(Screen {
                parser: vt100::Parser::new(nz(rows), nz(cols), 0),
                raw: Vec::new(),
            }),
            Condvar::new(),
        ));
        let (done_tx, reader_done) = mpsc::channel();
        let stop_reading = Arc::new(std::sync::atomic::AtomicBool::new(false));
        {
            let screen = screen.clone();
            let mut reader = master.try_clone().unwrap();
            let mut answering = master.try_clone().unwrap();
            let stop = stop_reading.clone();
            std::thread::spawn(move || {
                let _done = DoneOnDrop(done_tx);
                let mut buf = [0u8; 8192];
                let mut scan: Vec<u8> = Vec::new();
                // Polls with a timeout rather than blocking in read(), so that `hang_up` can
                // have this copy of the master closed too.
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let mut p = libc::pollfd {
                        fd: reader.as_raw_fd(),
                        events: libc::POLLIN,
                        revents: 0,
                    };
                    // SAFETY: one valid pollfd.
                    if unsafe { libc::poll(&raw mut p, 1, 50) } <= 0 {
                        continue;
                    }
                    match reader.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            scan.extend_from_slice(&buf[..n]);
                            let reply = answers.reply(&mut scan);
                            if !reply.is_empty() {
                                let _ = answering.write_all(&reply);
                            }
                            let (lock, cv) = &*screen;
                            let mut s = lock.lock().unwrap();
                            s.parser.process(&buf[..n]);
                            s.raw.extend_from_slice(&buf[..n]);
                            cv.notify_all();
                        }
                    }
                }
            });
        }
        // Wait in a thread, so tests can wait for the exit with a timeout.
        let (tx, exited) = mpsc::channel();
        std::thread::spawn(move || {
            if let Ok(st) = child.wait() {
                let _ = tx.send(st);
            }
        });
        PtyApp {
            master: Some(master),
            stop_reading,
            slave: Some(pty.slave),
            termios_after: None,
            reader_done,
            pid,
            screen,
            exited,
            status: None,
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        let m = self.master.as_mut().expect("the pty is open");
        m.write_all(bytes).unwrap();
        m.flush().unwrap();
    }

    /// Closes the terminal under the program, as a dropped SSH session does (sshd closes the
    /// pty's master): the kernel hangs the terminal up (SIGHUP to the program, its reads and
    /// writes fail). Nothing the program writes after this is seen. Returns how it ended.
    pub fn hang_up(&mut self) -> ExitStatus {
        self.stop_reading
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = self.reader_done.recv_timeout(TIMEOUT);
        self.master = None;
        let s = self.exited.recv_timeout(TIMEOUT).unwrap_or_else(|_| {
            panic!(
                "the program did not exit after the hang-up; the screen showed:\n{}",
                self.contents()
            )
        });
        self.status = Some(s);
        s
    }

    /// The program's process id.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// The process's state letter in /proc (`T`: stopped).
    pub fn proc_state(&self) -> char {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).unwrap();
        // `pid (comm) S …`: the state follows the last `)`.
        let after = &stat[stat.rfind(')').unwrap() + 1..];
        after.trim_start().chars().next().unwrap()
    }

    /// Waits until the process's state in /proc is `state`.
    pub fn wait_proc_state(&self, state: char) {
        let deadline = Instant::now() + TIMEOUT;
        while self.proc_state() != state {
            assert!(
                Instant::now() < deadline,
                "the process never reached state {state} (it is {})",
                self.proc_state()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Reads something off the screen as it is now.
    pub fn with_screen<R>(&self, f: impl FnOnce(&vt100::Screen) -> R) -> R {
        f(self.screen.0.lock().unwrap().parser.screen())
    }

    /// The screen as text, one line per row.
    pub fn contents(&self) -> String {
        self.screen.0.lock().unwrap().parser.screen().contents()
    }

    /// Waits until the screen satisfies `pred`, or fails with what the screen shows.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&vt100::Screen) -> bool) {
        let (lock, cv) = &*self.screen;
        let deadline = Instant::now() + TIMEOUT;
        let mut s = lock.lock().unwrap();
        while !pred(s.parser.screen()) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "timed out waiting for {what}; the screen shows:\n{}",
                s.parser.screen().contents()
            );
            s = cv.wait_timeout(s, left).unwrap().0;
        }
    }

    pub fn wait_for_text(&self, text: &str) {
        self.wait_for(&format!("{text:?} on screen"), |s| {
            s.contents().contains(text)
        });
    }

    /// Waits for the program to end.
    pub fn wait_exit(&mut self) -> ExitStatus {
        if let Some(s) = self.status {
            return s;
        }
        let s = self.exited.recv_timeout(TIMEOUT).unwrap_or_else(|_| {
            panic!(
                "the program did not exit; the screen shows:\n{}",
                self.contents()
            )
        });
        self.status = Some(s);
        // Everything the program wrote is in the pty now. Note the line discipline, close our
        // slave end, and read to the end, so the screen holds all of it.
        self.termios_after = Some(self.termios());
        self.slave = None;
        let _ = self.reader_done.recv_timeout(TIMEOUT);
        s
    }

    /// Everything the program wrote, once it has ended and the reader drained it.
    pub fn raw_output(&self) -> Vec<u8> {
        self.screen.0.lock().unwrap().raw.clone()
    }

    /// The terminal's current line discipline settings.
    pub fn termios(&self) -> Termios {
        match (&self.slave, &self.termios_after) {
            (Some(slave), _) => tcgetattr(slave).expect("tcgetattr"),
            (None, Some(t)) => t.clone(),
            (None, None) => unreachable!("the slave is closed only after termios is recorded"),
        }
    }

    pub fn is_cooked(&self) -> bool {
        let t = self.termios();
        t.local_flags.contains(LocalFlags::ICANON) && t.local_flags.contains(LocalFlags::ECHO)
    }

    /// Sends a signal to the program.
    pub fn signal(&self, sig: nix::sys::signal::Signal) {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.pid), sig).unwrap();
    }

    /// Asserts the state a person expects after the program ends: cooked mode, main screen,
    /// cursor shown, no paste reporting.
    pub fn assert_terminal_restored(&self) {
        assert!(self.is_cooked(), "the terminal was left in raw mode");
        let s = self.screen.0.lock().unwrap();
        let screen = s.parser.screen();
        assert!(
            !screen.alternate_screen(),
            "the alternate screen is still on"
        );
        assert!(!screen.hide_cursor(), "the cursor is still hidden");
        assert!(!screen.bracketed_paste(), "bracketed paste is still on");
        // vt100 ties cursor visibility to the screen switch, so read the bytes too: every mode
        // the program set must be reset later in the stream.
        let raw = String::from_utf8_lossy(&s.raw);
        for (set, reset, what) in [
            ("\x1b[?25l", "\x1b[?25h", "cursor shown"),
            ("\x1b[?1049h", "\x1b[?1049l", "alternate screen left"),
            ("\x1b[?2004h", "\x1b[?2004l", "bracketed paste off"),
            ("\x1b[?1000h", "\x1b[?1000l", "mouse reporting off"),
        ] {
            if let Some(on) = raw.rfind(set) {
                assert!(
                    raw.rfind(reset).is_some_and(|off| off > on),
                    "not restored: {what}"
                );
            }
        }
    }
}

impl Drop for PtyApp {
    fn drop(&mut self) {
        if self.status.is_none() && self.exited.try_recv().is_err() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(self.pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
}

/// An isolated home for one test: XDG dirs in a temp dir.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn env(&self) -> HashMap<String, String> {
        let p = |s: &str| self.dir.path().join(s).to_string_lossy().into_owned();
        HashMap::from([
            ("HOME".to_string(), p("home")),
            ("XDG_CONFIG_HOME".to_string(), p("config")),
            ("XDG_STATE_HOME".to_string(), p("state")),
            ("XDG_DATA_HOME".to_string(), p("data")),
            ("XDG_CACHE_HOME".to_string(), p("cache")),
        ])
    }

    /// `$XDG_DATA_HOME` of this home.
    #[allow(dead_code)]
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    pub fn log_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("state").join("trueconf-console")
    }

    /// Every log file's text, concatenated.
    pub fn logs(&self) -> String {
        let mut out = String::new();
        if let Ok(rd) = std::fs::read_dir(self.log_dir()) {
            for e in rd.flatten() {
                out.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
        out
    }

    pub fn write(&self, name: &str, text: &str) -> std::path::PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl PtyApp {
    /// Resizes the terminal, as a person dragging the window does.
    pub fn set_size(&self, ws: &nix::pty::Winsize) {
        let fd = self.master.as_ref().expect("the pty is open").as_raw_fd();
        // SAFETY: TIOCSWINSZ reads a winsize struct from the pointer.
        let r = unsafe { libc::ioctl(fd, libc::TIOCSWINSZ, ws as *const _) };
        assert_eq!(r, 0, "TIOCSWINSZ");
        self.screen
            .0
            .lock()
            .unwrap()
            .parser
            .screen_mut()
            .set_size(nz(ws.ws_row), nz(ws.ws_col));
    }
}

pub struct Pty {
    pub master: OwnedFd,
    pub slave: OwnedFd,
}

/// A pty pair whose descriptors no child inherits (close-on-exec): each console gets its own
/// slave as 0, 1 and 2, and none holds another test's master open (which would keep that
/// terminal from hanging up when the test closes it).
pub fn open_pty(ws: &Winsize) -> Pty {
    use nix::fcntl::OFlag;
    use std::os::fd::{FromRawFd, IntoRawFd};
    use std::os::unix::fs::OpenOptionsExt;
    let m = nix::pty::posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC)
        .expect("posix_openpt");
    nix::pty::grantpt(&m).expect("grantpt");
    nix::pty::unlockpt(&m).expect("unlockpt");
    let name = nix::pty::ptsname_r(&m).expect("ptsname");
    // SAFETY: the descriptor was just opened and is owned by `m` alone, which gives it up.
    let master = unsafe { OwnedFd::from_raw_fd(m.into_raw_fd()) };
    let slave = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY)
        .open(name)
        .expect("open the pty's slave");
    // SAFETY: TIOCSWINSZ reads a winsize struct from the pointer.
    let r = unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSWINSZ, ws as *const _) };
    assert_eq!(r, 0, "TIOCSWINSZ");
    Pty {
        master,
        slave: OwnedFd::from(slave),
    }
}

struct DoneOnDrop(mpsc::Sender<()>);

impl Drop for DoneOnDrop {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n.max(1)).unwrap()
}

/// `trueconf-console simulate` on free loopback ports, stopped when dropped (also when the
/// test fails), so no simulator outlives its test.
pub struct Simulate {
    child: std::process::Child,
    /// The JSON line it printed: `room_http_port`, `room_ws_port`, `chat_port`, …
    pub ports: serde_json::Value,
}

impl Simulate {
    pub fn start(home: &Home, extra: &[&str]) -> Simulate {
        use std::io::{BufRead, BufReader};
        let mut args = vec![
            "simulate",
            "--room-http-port",
            "0",
            "--room-ws-port",
            "0",
            "--chat-port",
            "0",
            "--json",
        ];
        args.extend_from_slice(extra);
        let mut child = Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
            .args(&args)
            .env_clear()
            .envs(home.env())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let ports = serde_json::from_str(&first).unwrap_or_else(|e| {
            let _ = child.kill();
            panic!("simulate printed {first:?}: {e}")
        });
        Simulate { child, ports }
    }

    pub fn port(&self, key: &str) -> String {
        self.ports[key].as_u64().expect(key).to_string()
    }

    /// Sends it a signal (SIGSTOP freezes it: connections are accepted and never answered).
    #[allow(dead_code)]
    pub fn signal(&self, sig: nix::sys::signal::Signal) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, sig).unwrap();
    }

    /// Stops it with SIGTERM and returns how it ended.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        self.child.wait().unwrap()
    }
}

impl Drop for Simulate {
    fn drop(&mut self) {
        // Already ended (and reaped): its pid may belong to someone else now.
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Column and row (0-based) where `text` starts on the screen.
#[allow(dead_code)]
pub fn locate(app: &PtyApp, text: &str) -> (u16, u16) {
    let screen = app.contents();
    for (y, row) in screen.lines().enumerate() {
        if let Some(i) = row.find(text) {
            let x = unicode_width::UnicodeWidthStr::width(&row[..i]);
            return (x as u16, y as u16);
        }
    }
    panic!("{text:?} is not on screen:\n{screen}");
}

/// An SGR mouse report (1-based on the wire): a left press and release, or a wheel notch.
#[allow(dead_code)]
pub fn click(app: &mut PtyApp, (x, y): (u16, u16)) {
    let s = format!("\x1b[<0;{};{}M\x1b[<0;{};{}m", x + 1, y + 1, x + 1, y + 1);
    app.send(s.as_bytes());
}
