//! What every managed emulator process has in common, whichever emulator it is: a free loopback
//! port, a child spawned in its own process group that dies with the harness, a readiness probe
//! (`ListUserPools` answered with 200), the last lines of its log for error messages, and
//! killing the whole group when it is dropped, and a [`ServerProcess`] that launches one with its
//! output in a log and keeps its endpoint. [`super::moto`] and [`super::cognito_local`] use this;
//! each keeps only what is its own (where the executable comes from, its arguments and
//! environment, its error messages).
//!
//! The child must not outlive the harness. Dropping a [`Managed`] kills its process group and
//! reaps it. On Linux the child also gets SIGTERM if the harness dies without dropping it
//! (`PR_SET_PDEATHSIG`). That signal fires when the *thread* that spawned the child exits, so
//! children are spawned from one long-lived helper thread owned by this module, never from the
//! caller's thread: a server started from a short-lived thread (a libtest worker, say) lives until
//! it is dropped or the process ends. The child runs in its own process group, so a Ctrl-C in
//! the terminal reaches only the harness, which can still run its teardown steps against the
//! server before dropping it.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

/// A free loopback port (the kernel's choice; free when asked, so a server may still lose it to
/// another process before it binds: callers retry on "address in use").
/// How many free ports a start tries when the server finds its port taken (another process
/// bound it between [`free_port`] and the server's own bind).
pub const BIND_ATTEMPTS: usize = 3;

/// Starts a server on a free loopback port with `launch(port)`, trying another port (up to
/// [`BIND_ATTEMPTS`] in all) when `port_taken` says the attempt failed because the port was
/// taken in the meantime. `no_port` turns a failure to find a free port into the caller's error.
pub fn start_on_free_port<T, E>(
    mut launch: impl FnMut(u16) -> Result<T, E>,
    port_taken: impl Fn(&E) -> bool,
    no_port: impl Fn(io::Error) -> E,
) -> Result<T, E> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let port = free_port().map_err(&no_port)?;
        match launch(port) {
            Err(e) if attempt < BIND_ATTEMPTS && port_taken(&e) => continue,
            result => return result,
        }
    }
}

pub fn free_port() -> io::Result<u16> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
}

/// A child process in its own process group. Dropping it kills the group and reaps the child.
#[derive(Debug)]
pub struct Managed {
    child: Child,
}

impl Managed {
    /// Spawns `command` in its own process group, with the death signal set (see the module
    /// docs), from the long-lived spawner thread.
    pub fn spawn(mut command: Command) -> io::Result<Managed> {
        command.process_group(0);
        die_with_parent(&mut command);
        spawn_from_long_lived_thread(command).map(|child| Managed { child })
    }

    /// The process id (also its process group id).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// How the process ended, if it has.
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(error) => Some(format!("could not be waited for: {error}")),
        }
    }

    /// Polls until the process answers `ListUserPools` on `port` with 200, exits, or `timeout`
    /// passes. The caller drops (kills) it on error.
    pub fn wait_ready(&mut self, port: u16, timeout: Duration) -> Result<(), Unready> {
        let deadline = Instant::now() + timeout;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        loop {
            if let Some(status) = self.exited() {
                return Err(Unready::Exited { status });
            }
            let last_probe = match probe(addr) {
                // Still alive after answering: the answer came from our child, not a squatter.
                Ok(200) if self.exited().is_none() => return Ok(()),
                Ok(200) => continue,
                Ok(status) => format!("answered HTTP {status}"),
                Err(error) => error.to_string(),
            };
            if Instant::now() >= deadline {
                return Err(Unready::TimedOut { last_probe });
            }
            thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Managed {
    fn drop(&mut self) {
        kill_and_reap(&mut self.child);
    }
}

/// A managed emulator that answered: its process, where it listens, and its log. Dropping it
/// kills the process.
#[derive(Debug)]
pub struct ServerProcess {
    process: Managed,
    endpoint: String,
    port: u16,
    log: PathBuf,
}

/// Why [`ServerProcess::launch`] failed; the caller turns it into its own error.
#[derive(Debug)]
pub enum LaunchError {
    /// The log file could not be created or written.
    Log(io::Error),
    /// The command could not be spawned.
    Spawn(io::Error),
    /// It was spawned but did not answer (see [`Managed::wait_ready`]); it is killed.
    Unready(Unready),
}

impl ServerProcess {
    /// Spawns `command` (stdin closed, stdout and stderr into `log`, whose first line is
    /// `# header`) and waits up to `ready_timeout` for it to answer on `port`.
    pub fn launch(
        mut command: Command,
        port: u16,
        log: &Path,
        header: &str,
        ready_timeout: Duration,
    ) -> Result<ServerProcess, LaunchError> {
        let mut out = File::create(log).map_err(LaunchError::Log)?;
        writeln!(out, "# {header}").map_err(LaunchError::Log)?;
        let err = out.try_clone().map_err(LaunchError::Log)?;
        command.stdin(Stdio::null()).stdout(out).stderr(err);
        let mut process = Managed::spawn(command).map_err(LaunchError::Spawn)?;
        // On error the process is dropped (killed) before returning.
        process
            .wait_ready(port, ready_timeout)
            .map_err(LaunchError::Unready)?;
        Ok(ServerProcess {
            process,
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            log: log.to_owned(),
        })
    }

    /// The base URL, like `http://127.0.0.1:41234`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The loopback port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The process id (also its process group id).
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// The file that receives its stdout and stderr.
    pub fn log_path(&self) -> &Path {
        &self.log
    }
}

/// Why [`Managed::wait_ready`] gave up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unready {
    /// The process ended first, with this status.
    Exited { status: String },
    /// The timeout passed; the last probe got this.
    TimedOut { last_probe: String },
}

/// Kills the child's whole process group (it leads its own), then reaps the child.
fn kill_and_reap(child: &mut Child) {
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: plain syscall; the child is not reaped yet, so its pid (the group id) cannot
        // have been reused.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// On Linux, asks the kernel to send the child SIGTERM when its parent (thread) dies. Also for
/// installers (pip, npm) the harness runs: one it abandons must not go on writing into a
/// directory the next run deletes.
#[cfg(target_os = "linux")]
pub fn die_with_parent(command: &mut Command) {
    let parent = std::process::id();
    // SAFETY: the closure only makes async-signal-safe syscalls and does not allocate.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died before prctl took effect.
            if u32::try_from(libc::getppid()).ok() != Some(parent) {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
pub fn die_with_parent(_command: &mut Command) {}

type SpawnRequest = (Command, mpsc::Sender<io::Result<Child>>);

/// Spawns `command` from a helper thread that lives as long as the process, so that
/// `PR_SET_PDEATHSIG` (tied to the spawning thread) fires only when the process itself ends.
fn spawn_from_long_lived_thread(mut command: Command) -> io::Result<Child> {
    static SPAWNER: OnceLock<Option<mpsc::Sender<SpawnRequest>>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (requests, incoming) = mpsc::channel::<SpawnRequest>();
        thread::Builder::new()
            .name("managed-spawner".into())
            .spawn(move || {
                for (mut command, reply) in incoming {
                    let _ = reply.send(command.spawn());
                }
            })
            .ok()
            .map(|_| requests)
    });
    let Some(spawner) = spawner else {
        return command.spawn();
    };
    let (reply, answer) = mpsc::channel();
    spawner
        .send((command, reply))
        .map_err(|_| io::Error::other("the managed-spawner thread is gone"))?;
    answer
        .recv()
        .map_err(|_| io::Error::other("the managed-spawner thread is gone"))?
}

/// One readiness probe: the HTTP status a server gives `ListUserPools`.
pub fn probe(addr: SocketAddr) -> io::Result<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let body = r#"{"MaxResults": 1}"#;
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {addr}\r\n\
         X-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools\r\n\
         Content-Type: application/x-amz-json-1.1\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply)?;
    let reply = String::from_utf8_lossy(&reply);
    let status_line = reply.lines().next().unwrap_or_default();
    status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("not an HTTP reply: {status_line:?}"),
            )
        })
}

/// Deletes logs in `logs` untouched for a week (best effort), so the cache does not fill up with
/// one log per port ever used.
pub fn prune_old_logs(logs: &Path) {
    const MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);
    let Ok(entries) = fs::read_dir(logs) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|meta| meta.modified())
            .is_ok_and(|modified| now.duration_since(modified).unwrap_or_default() > MAX_AGE);
        if old {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The last lines of a command's stdout and stderr, for error messages.
pub fn combined_output(output: &Output) -> String {
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    tail_of(&text)
}

/// The last lines of a log file, for error messages.
pub fn log_tail(path: &Path) -> String {
    match fs::read(path) {
        Ok(bytes) => tail_of(&String::from_utf8_lossy(&bytes)),
        Err(error) => format!("(could not read {}: {error})", path.display()),
    }
}

/// The last 40 lines of `text`, at most 6000 characters; `(empty)` for none.
pub fn tail_of(text: &str) -> String {
    const LINES: usize = 40;
    const CHARS: usize = 6000;
    let text = text.trim_end();
    if text.is_empty() {
        return "(empty)".into();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut tail = lines[lines.len().saturating_sub(LINES)..].join("\n");
    if tail.len() > CHARS {
        let mut cut = tail.len() - CHARS;
        while !tail.is_char_boundary(cut) {
            cut += 1;
        }
        tail = format!("...{}", &tail[cut..]);
    }
    tail
}

pub use crate::support::text::strip_ansi;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_last_lines() {
        let text: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let tail = tail_of(&text);
        assert!(tail.starts_with("line 60\n"), "{tail}");
        assert!(tail.ends_with("line 99"), "{tail}");
        assert_eq!(tail_of("  \n"), "(empty)");
    }

    #[test]
    fn ansi_colours_are_stripped() {
        assert_eq!(
            strip_ansi("\u{1b}[32mINFO\u{1b}[39m: up \u{1b}[1;31mnow\u{1b}[0m"),
            "INFO: up now"
        );
        assert_eq!(strip_ansi("plain [text]"), "plain [text]");
    }
}
