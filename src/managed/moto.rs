//! The managed moto server: find a `moto_server` of the pinned version (or install one into a
//! private venv in the cache), start it on a free loopback port, wait until it answers, and stop
//! it again when the [`MotoServer`] is dropped.
//!
//! Where the executable comes from, in order (see [`Locator::locate`]):
//! 1. the `MOTO_SERVER` environment variable, used as is (the user's explicit choice);
//! 2. `moto_server` on `PATH`, but only if its moto is [`MOTO_VERSION`];
//! 3. a venv under `cache_dir()/moto-5.2.5/`, created on first use with `python3 -m venv` and
//!    `pip install "moto[server]==5.2.5"` (see [`provision_venv`]).
//!
//! Everything here is synchronous (std::process + std::net), so it can be used from plain
//! `fn main` code before a tokio runtime exists. Inside a runtime, call [`MotoServer::start`] from
//! `spawn_blocking` or `block_in_place`: it blocks for the second or two moto needs to come up
//! (and for a minute or two the first time, while the venv is provisioned).
//!
//! The server must not outlive the harness: it is a [`super::process::Managed`] process (see
//! [`super::process`]): its own process group, killed when the [`MotoServer`] is dropped, and
//! SIGTERM from the kernel (`PR_SET_PDEATHSIG`) if the harness dies without dropping it.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

use super::process::{
    LaunchError, ServerProcess, Unready, combined_output, die_with_parent, log_tail,
    prune_old_logs, start_on_free_port,
};
use crate::support::cache;

/// The moto release the harness is pinned to.
pub const MOTO_VERSION: &str = "5.2.5";

/// How long [`MotoServer::start`] waits for moto to answer before giving up.
pub const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// The environment variable naming an explicit `moto_server` executable.
pub const MOTO_SERVER_ENV: &str = "MOTO_SERVER";

/// Name of the file written into the venv once provisioning has fully succeeded.
const PROVISIONED_MARKER: &str = ".cognito-contract-provisioned";

/// Everything that can go wrong finding, installing or starting moto.
#[derive(Debug, thiserror::Error)]
pub enum MotoError {
    #[error(
        "{MOTO_SERVER_ENV}={} does not name an executable file; point it at a moto_server \
         executable, or unset it to use moto {MOTO_VERSION} from a private venv",
        .path.display()
    )]
    ExplicitNotFound { path: PathBuf },

    #[error(
        "python3 was not found on PATH; it is needed to install moto {MOTO_VERSION} into a \
         private venv (install Python 3, or set {MOTO_SERVER_ENV} to a moto_server executable)"
    )]
    PythonMissing,

    #[error(
        "`python3 -m venv {}` failed ({status}); on Debian/Ubuntu install the python3-venv \
         package, or set {MOTO_SERVER_ENV} to a moto_server executable. Its output:\n{output}",
        .venv.display()
    )]
    VenvFailed {
        venv: PathBuf,
        status: String,
        output: String,
    },

    #[error(
        "`pip install \"moto[server]=={MOTO_VERSION}\"` into {} failed ({status}); full output \
         in {}, last lines:\n{tail}",
        .venv.display(),
        .log.display()
    )]
    PipFailed {
        venv: PathBuf,
        status: String,
        log: PathBuf,
        tail: String,
    },

    #[error(
        "moto was installed into {} but reports version {found:?}, not {MOTO_VERSION}; delete \
         that directory to start over",
        .venv.display()
    )]
    WrongVersion { venv: PathBuf, found: String },

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },

    #[error("could not start {}: {source}", .executable.display())]
    Spawn {
        executable: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(
        "moto_server ({}) exited ({status}) before it answered on http://127.0.0.1:{port}; last lines of {}:\n{tail}",
        .executable.display(),
        .log.display()
    )]
    Exited {
        executable: PathBuf,
        port: u16,
        status: String,
        log: PathBuf,
        tail: String,
    },

    #[error(
        "moto_server ({}) did not answer on http://127.0.0.1:{port} within {timeout:?} (last probe: {last_probe}); \
         last lines of {}:\n{tail}",
        .executable.display(),
        .log.display()
    )]
    NotReady {
        executable: PathBuf,
        port: u16,
        timeout: Duration,
        last_probe: String,
        log: PathBuf,
        tail: String,
    },
}

fn io_error(context: impl Into<String>) -> impl FnOnce(io::Error) -> MotoError {
    let context = context.into();
    move |source| MotoError::Io { context, source }
}

/// Where a located `moto_server` came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The `MOTO_SERVER` environment variable (its version is not checked).
    Explicit,
    /// `moto_server` on `PATH`, checked to be moto [`MOTO_VERSION`].
    Path,
    /// The private venv in the cache directory.
    Venv,
}

/// A `moto_server` executable and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub executable: PathBuf,
    pub origin: Origin,
}

/// The inputs of the executable search, separate from the process environment so that tests
/// (and callers) can try other values without mutating it.
#[derive(Debug, Clone, Default)]
pub struct Locator {
    /// An explicit executable (the value of `MOTO_SERVER`): used as is, version unchecked. A bare
    /// name without a `/` is looked up in `search_path`.
    pub explicit: Option<PathBuf>,
    /// Directories searched for `moto_server` (the split `PATH`).
    pub search_path: Vec<PathBuf>,
}

impl Locator {
    /// The locator for this process: `MOTO_SERVER` (ignored when empty) and `PATH`.
    pub fn from_env() -> Self {
        let explicit = crate::support::env::path(MOTO_SERVER_ENV);
        let search_path = std::env::var_os("PATH")
            .map(|path| std::env::split_paths(&path).collect())
            .unwrap_or_default();
        Locator {
            explicit,
            search_path,
        }
    }

    /// Finds a `moto_server`: the explicit one, else one on the search path whose moto is
    /// [`MOTO_VERSION`], else the private venv (provisioning it if needed). A `moto_server` on
    /// the search path of another version is reported on stderr, once per process.
    pub fn locate(&self) -> Result<Located, MotoError> {
        if let Some(explicit) = &self.explicit {
            let found = if explicit.components().count() > 1 {
                is_executable_file(explicit).then(|| explicit.clone())
            } else {
                find_in(&self.search_path, explicit.as_os_str())
            };
            return match found {
                Some(executable) => Ok(Located {
                    executable,
                    origin: Origin::Explicit,
                }),
                None => Err(MotoError::ExplicitNotFound {
                    path: explicit.clone(),
                }),
            };
        }
        if let Some(on_path) = find_in(&self.search_path, OsStr::new("moto_server")) {
            match script_moto_version(&on_path) {
                Some(version) if version == MOTO_VERSION => {
                    return Ok(Located {
                        executable: on_path,
                        origin: Origin::Path,
                    });
                }
                found => note_unusable_path_moto(&on_path, found.as_deref()),
            }
        }
        Ok(Located {
            executable: provision_venv()?,
            origin: Origin::Venv,
        })
    }
}

fn note_unusable_path_moto(on_path: &Path, version: Option<&str>) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| match version {
        Some(version) => eprintln!(
            "moto_server on PATH is moto {version}, not the pinned {MOTO_VERSION}; using a private venv"
        ),
        None => eprintln!(
            "could not tell which moto the moto_server on PATH ({}) is; using moto {MOTO_VERSION} \
             from a private venv",
            on_path.display()
        ),
    });
}

fn is_executable_file(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

fn find_in(dirs: &[PathBuf], name: &OsStr) -> Option<PathBuf> {
    dirs.iter()
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable_file(candidate))
}

/// The moto version a `moto_server` script would run, asked of the Python interpreter named in
/// its shebang line (or, for wrapper scripts such as pyenv shims, of the `python3` beside it).
/// `None` when that cannot be told.
pub fn script_moto_version(script: &Path) -> Option<String> {
    let python = script_interpreter(script)?;
    python_moto_version(&python)
}

/// `python -c "import moto; print(moto.__version__)"`, trimmed; `None` if that fails.
fn python_moto_version(python: &Path) -> Option<String> {
    let output = Command::new(python)
        .args(["-c", "import moto; print(moto.__version__)"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let version = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !version.is_empty()).then_some(version)
}

/// The Python interpreter that runs `script`.
fn script_interpreter(script: &Path) -> Option<PathBuf> {
    let mut head = Vec::new();
    File::open(script)
        .ok()?
        .take(4096)
        .read_to_end(&mut head)
        .ok()?;
    let head = String::from_utf8_lossy(&head);
    if let Some(python) = interpreter_from_head(&head) {
        return Some(python);
    }
    // A wrapper (e.g. a pyenv shim, `#!/usr/bin/env bash`): its sibling python3 resolves the same
    // environment.
    let dir = script.parent()?;
    ["python3", "python"]
        .iter()
        .map(|name| dir.join(name))
        .find(|candidate| is_executable_file(candidate))
}

/// The Python interpreter named by the start of a script, if it names one: `#!/path/python3`,
/// `#!/usr/bin/env [-S] python3`, or pip's `#!/bin/sh` + `'''exec' "/path/python" "$0" "$@"`
/// form for long paths.
fn interpreter_from_head(head: &str) -> Option<PathBuf> {
    let mut lines = head.lines();
    let shebang = lines.next()?.strip_prefix("#!")?;
    let mut words = shebang.split_whitespace();
    let mut program = words.next()?;
    if Path::new(program)
        .file_name()
        .is_some_and(|name| name == "env")
    {
        program = words.find(|word| !word.starts_with('-') && !word.contains('='))?;
    }
    if is_python_name(program) {
        return Some(PathBuf::from(program));
    }
    let exec_line = lines.next()?.strip_prefix("'''exec' ")?;
    let quoted = exec_line.strip_prefix('"')?;
    let program = &quoted[..quoted.find('"')?];
    is_python_name(program).then(|| PathBuf::from(program))
}

fn is_python_name(program: &str) -> bool {
    Path::new(program)
        .file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with("python") || name.starts_with("pypy"))
}

/// The directory that holds the private venv, its lock, and the pip log.
fn venv_root() -> PathBuf {
    cache::cache_dir().join(format!("moto-{MOTO_VERSION}"))
}

/// Makes sure the private venv with moto [`MOTO_VERSION`] exists and returns its `moto_server`.
///
/// The first call installs it (a minute or two; one line on stderr says so), holding the cache
/// lock so that concurrent processes wait instead of installing twice. The venv counts as done
/// only once a marker file is written, last, after moto reported the right version; a venv
/// without the marker (an interrupted install) is deleted and installed again.
pub fn provision_venv() -> Result<PathBuf, MotoError> {
    let root = venv_root();
    let venv = root.join("venv");
    if is_provisioned(&venv) {
        return Ok(venv.join("bin/moto_server"));
    }
    cache::with_lock(&root, || {
        if is_provisioned(&venv) {
            return Ok(());
        }
        provision(&root, &venv)
    })
    .map_err(io_error(format!("locking {}", root.display())))??;
    Ok(venv.join("bin/moto_server"))
}

fn is_provisioned(venv: &Path) -> bool {
    venv.join(PROVISIONED_MARKER).is_file()
        && is_executable_file(&venv.join("bin/moto_server"))
        // `exists` follows the symlink: a venv whose base interpreter vanished is not usable.
        && venv.join("bin/python").exists()
}

fn provision(root: &Path, venv: &Path) -> Result<(), MotoError> {
    let started = Instant::now();
    eprintln!(
        "installing moto[server]=={MOTO_VERSION} into {} (first use only; this takes a minute or two)",
        venv.display()
    );
    if venv.exists() {
        fs::remove_dir_all(venv).map_err(io_error(format!(
            "removing the unfinished venv {}",
            venv.display()
        )))?;
    }

    let mut command = Command::new("python3");
    command.arg("-m").arg("venv").arg(venv).stdin(Stdio::null());
    // An install the harness abandons must not go on writing into a venv the next run deletes.
    die_with_parent(&mut command);
    let output = command.output().map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => MotoError::PythonMissing,
        _ => MotoError::Io {
            context: "running python3 -m venv".into(),
            source,
        },
    })?;
    if !output.status.success() {
        return Err(MotoError::VenvFailed {
            venv: venv.to_owned(),
            status: output.status.to_string(),
            output: combined_output(&output),
        });
    }

    let pip_log = root.join("pip.log");
    let log =
        File::create(&pip_log).map_err(io_error(format!("creating {}", pip_log.display())))?;
    let log_err = log
        .try_clone()
        .map_err(io_error(format!("opening {}", pip_log.display())))?;
    let mut command = Command::new(venv.join("bin/python"));
    command
        .args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
        ])
        .arg(format!("moto[server]=={MOTO_VERSION}"))
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    die_with_parent(&mut command);
    let status = command
        .status()
        .map_err(io_error("running pip in the venv"))?;
    if !status.success() {
        return Err(MotoError::PipFailed {
            venv: venv.to_owned(),
            status: status.to_string(),
            tail: log_tail(&pip_log),
            log: pip_log,
        });
    }

    let found = python_moto_version(&venv.join("bin/python")).unwrap_or_default();
    if found != MOTO_VERSION || !is_executable_file(&venv.join("bin/moto_server")) {
        return Err(MotoError::WrongVersion {
            venv: venv.to_owned(),
            found,
        });
    }

    // The marker goes last, written whole under another name and renamed into place.
    let partial = venv.join(format!("{PROVISIONED_MARKER}.partial"));
    fs::write(&partial, format!("moto {MOTO_VERSION}\n"))
        .and_then(|()| fs::rename(&partial, venv.join(PROVISIONED_MARKER)))
        .map_err(io_error(format!("marking {} as complete", venv.display())))?;
    eprintln!("installed moto {MOTO_VERSION} in {:.0?}", started.elapsed());
    Ok(())
}

/// A running `moto_server` on a loopback port: a [`ServerProcess`] (endpoint, port, pid, log)
/// and the executable started. Dropping it kills the process (and its process group) and reaps
/// it.
#[derive(Debug)]
pub struct MotoServer {
    server: ServerProcess,
    executable: PathBuf,
}

impl std::ops::Deref for MotoServer {
    type Target = ServerProcess;

    fn deref(&self) -> &ServerProcess {
        &self.server
    }
}

impl MotoServer {
    /// Locates `moto_server` ([`Locator::from_env`]), starts it on a free loopback port and
    /// waits up to [`READY_TIMEOUT`] for it to answer. Blocking; see the module docs.
    pub fn start() -> Result<MotoServer, MotoError> {
        let located = Locator::from_env().locate()?;
        MotoServer::start_with(&located.executable, READY_TIMEOUT)
    }

    /// Starts the given `moto_server` executable as [`MotoServer::start`] does, waiting up to
    /// `ready_timeout` for it to answer `ListUserPools` with 200. If moto exits because its port
    /// was taken in the meantime, another free port is tried (three in all).
    pub fn start_with(executable: &Path, ready_timeout: Duration) -> Result<MotoServer, MotoError> {
        let logs = cache::cache_dir().join("moto-logs");
        fs::create_dir_all(&logs).map_err(io_error(format!("creating {}", logs.display())))?;
        prune_old_logs(&logs);
        start_on_free_port(
            |port| {
                let log = logs.join(format!("moto-server-{port}.log"));
                launch(executable, port, &log, ready_timeout)
            },
            |e| matches!(e, MotoError::Exited { tail, .. } if tail.contains("Address already in use")),
            |e| io_error("finding a free loopback port")(e),
        )
    }

    /// The executable that was started.
    pub fn executable(&self) -> &Path {
        &self.executable
    }
}

/// Spawns moto on `port` and waits for it to answer.
fn launch(
    executable: &Path,
    port: u16,
    log: &Path,
    ready_timeout: Duration,
) -> Result<MotoServer, MotoError> {
    let mut command = Command::new(executable);
    command
        .args(["-H", "127.0.0.1", "-p"])
        .arg(port.to_string())
        .env("MOTO_PORT", port.to_string())
        .env("PYTHONUNBUFFERED", "1");
    let header = format!("{} -H 127.0.0.1 -p {port}", executable.display());
    let executable = executable.to_owned();
    match ServerProcess::launch(command, port, log, &header, ready_timeout) {
        Ok(server) => Ok(MotoServer { server, executable }),
        Err(LaunchError::Log(source)) => Err(MotoError::Io {
            context: format!("writing {}", log.display()),
            source,
        }),
        Err(LaunchError::Spawn(source)) => Err(MotoError::Spawn { executable, source }),
        Err(LaunchError::Unready(Unready::Exited { status })) => Err(MotoError::Exited {
            executable,
            port,
            status,
            log: log.to_owned(),
            tail: log_tail(log),
        }),
        Err(LaunchError::Unready(Unready::TimedOut { last_probe })) => Err(MotoError::NotReady {
            executable,
            port,
            timeout: ready_timeout,
            last_probe,
            log: log.to_owned(),
            tail: log_tail(log),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpreter_from_plain_shebang() {
        assert_eq!(
            interpreter_from_head("#!/opt/py/bin/python3.11\nimport sys\n"),
            Some(PathBuf::from("/opt/py/bin/python3.11"))
        );
    }

    #[test]
    fn interpreter_from_env_shebang() {
        assert_eq!(
            interpreter_from_head("#!/usr/bin/env python3\n"),
            Some(PathBuf::from("python3"))
        );
        assert_eq!(
            interpreter_from_head("#!/usr/bin/env -S PYTHONX=1 python3 -u\n"),
            Some(PathBuf::from("python3"))
        );
    }

    #[test]
    fn interpreter_from_pip_long_path_form() {
        let head = "#!/bin/sh\n'''exec' \"/very/long/venv/bin/python\" \"$0\" \"$@\"\n' '''\n";
        assert_eq!(
            interpreter_from_head(head),
            Some(PathBuf::from("/very/long/venv/bin/python"))
        );
    }

    #[test]
    fn no_interpreter_from_shell_wrappers() {
        assert_eq!(interpreter_from_head("#!/usr/bin/env bash\nexec x\n"), None);
        assert_eq!(interpreter_from_head("#!/bin/sh\necho hi\n"), None);
        assert_eq!(interpreter_from_head("no shebang\n"), None);
    }
}
