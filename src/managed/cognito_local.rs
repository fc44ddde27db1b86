//! The managed cognito-local: install the pinned [cognito-local](https://github.com/jagregory/cognito-local)
//! 5.3.0 from the npm registry into the cache, start it on a free loopback port with fresh state,
//! wait until it answers, and stop it again when the [`CognitoLocalServer`] is dropped.
//!
//! **Install.** The crate embeds a lockfile (`src/managed/cognito-local/package.json` and
//! `package-lock.json`: cognito-local 5.3.0 and its whole dependency tree, each with its sha512)
//! and runs `npm ci --prefix DIR --no-audit --no-fund --ignore-scripts` into
//! `cache_dir()/cognito-local-5.3.0/` (see [`provision`]), under the cache lock, so concurrent
//! processes wait rather than install twice. A marker file written last holds a fingerprint of the
//! embedded lockfile; an install without it, or with another fingerprint (the lock changed), is
//! installed again. cognito-local itself pins its dependencies only by caret ranges, so without
//! the lockfile every fresh install could resolve a different tree.
//!
//! **Node.** cognito-local is CommonJS that `require()`s `otplib`, whose dependencies are
//! ES-module-only, so node must load ES modules with `require()` without a flag: Node.js 20.19+,
//! 22.12+ or 23+ (`process.features.require_module`). [`check_node`] asks node itself before
//! anything is installed or started, and names what is missing and the remedy.
//!
//! **Start.** `node <install>/node_modules/cognito-local/lib/bin/start.js` (no npx wrapper in
//! between) with `PORT` and `HOST=127.0.0.1` and a fresh temporary directory as working directory
//! (cognito-local keeps its state in `./.cognito/`), removed after the process is killed. The
//! process is [`super::process::Managed`]: its own process group, killed when the server is dropped, and SIGTERM
//! from the kernel if the harness dies without dropping it.
//!
//! Blocking, like [`super::moto`]: call [`CognitoLocalServer::start`] outside an async context, or
//! from `spawn_blocking`.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::process::{
    LaunchError, ServerProcess, Unready, die_with_parent, log_tail, prune_old_logs,
    start_on_free_port, strip_ansi,
};
use crate::support::cache;

/// The cognito-local release the harness is pinned to.
pub const COGNITO_LOCAL_VERSION: &str = "5.3.0";

/// The target name that selects the managed cognito-local (and `expectations/cognito-local.json`).
pub const TARGET: &str = "cognito-local";

/// How long [`CognitoLocalServer::start`] waits for cognito-local to answer (it needs about 0.7 s).
pub const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// The embedded install manifest (`npm ci` needs it beside the lockfile).
pub const PACKAGE_JSON: &str = include_str!("cognito-local/package.json");

/// The embedded lockfile: cognito-local 5.3.0 and every dependency, with integrity hashes.
pub const PACKAGE_LOCK: &str = include_str!("cognito-local/package-lock.json");

/// The configuration written into every fresh state directory as `.cognito/config.json`.
///
/// cognito-local's own default (`server/config.js`) is `UserPoolDefaults.UsernameAttributes:
/// ["email"]`, merged into every `CreateUserPool` that does not set `UsernameAttributes`; such a
/// pool refuses any username without `@` ("Username should be an email."). Real Cognito has no
/// username attributes unless a pool asks for them, and the bundled cases are written for that
/// (plain usernames such as `alice`). With the default, 187 cases stop at their setup's
/// `AdminCreateUser`, for a reason that is cognito-local's default configuration rather than its
/// emulation; with this file they reach what they test. So the faithful choice for a contract
/// run is to make cognito-local's pool defaults Cognito's.
pub const CONFIG_JSON: &str = r#"{"UserPoolDefaults":{"UsernameAttributes":[]}}"#;

/// The file written into the install directory once an install has fully succeeded.
const PROVISIONED_MARKER: &str = ".cognito-contract-provisioned";

/// The remedy named by every "node is missing or too old" message.
const NODE_REMEDY: &str = "install Node.js 20.19+ (20.x), 22.12+ (22.x) or 23+ with npm, e.g. \
     from https://nodejs.org or NodeSource (Debian 12's nodejs package, 18.x, is too old), or \
     start a cognito-local yourself and give its --endpoint";

/// Everything that can go wrong installing or starting cognito-local.
#[derive(Debug, thiserror::Error)]
pub enum CognitoLocalError {
    #[error(
        "node was not found on PATH; cognito-local {COGNITO_LOCAL_VERSION} runs on Node.js: {NODE_REMEDY}"
    )]
    NodeMissing,

    #[error(
        "node {version} cannot require() ES modules without a flag, which cognito-local \
         {COGNITO_LOCAL_VERSION} needs (its otplib dependency is ES-module-only): {NODE_REMEDY}"
    )]
    NodeTooOld { version: String },

    #[error("`node -p process.versions.node` failed ({status}): {output}")]
    NodeFailed { status: String, output: String },

    #[error(
        "npm was not found on PATH; it installs cognito-local {COGNITO_LOCAL_VERSION} into the \
         cache on first use: install npm (it comes with Node.js from nodejs.org or NodeSource; on \
         Debian `apt-get install npm`), or start a cognito-local yourself and give its --endpoint"
    )]
    NpmMissing,

    #[error(
        "`npm ci` of cognito-local {COGNITO_LOCAL_VERSION} into {} failed ({status}); full output \
         in {}, last lines:\n{tail}",
        .dir.display(),
        .log.display()
    )]
    NpmFailed {
        dir: PathBuf,
        status: String,
        log: PathBuf,
        tail: String,
    },

    #[error(
        "cognito-local was installed into {} but its package.json says version {found:?}, not \
         {COGNITO_LOCAL_VERSION}; delete that directory to start over",
        .dir.display()
    )]
    WrongVersion { dir: PathBuf, found: String },

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },

    #[error("could not start node: {source}")]
    Spawn {
        #[source]
        source: io::Error,
    },

    #[error(
        "cognito-local exited ({status}) before it answered on http://127.0.0.1:{port}; last lines of {}:\n{tail}",
        .log.display()
    )]
    Exited {
        port: u16,
        status: String,
        log: PathBuf,
        tail: String,
    },

    #[error(
        "cognito-local did not answer on http://127.0.0.1:{port} within {timeout:?} (last probe: \
         {last_probe}); last lines of {}:\n{tail}",
        .log.display()
    )]
    NotReady {
        port: u16,
        timeout: Duration,
        last_probe: String,
        log: PathBuf,
        tail: String,
    },
}

fn io_error(context: impl Into<String>) -> impl FnOnce(io::Error) -> CognitoLocalError {
    let context = context.into();
    move |source| CognitoLocalError::Io { context, source }
}

/// Asks `node` for its version and whether it can `require()` ES modules; returns the version.
pub fn check_node() -> Result<String, CognitoLocalError> {
    let output = Command::new("node")
        .args([
            "-p",
            "process.versions.node + ' ' + (process.features.require_module === true)",
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|source| match source.kind() {
            io::ErrorKind::NotFound => CognitoLocalError::NodeMissing,
            _ => CognitoLocalError::Io {
                context: "running node".into(),
                source,
            },
        })?;
    let text = String::from_utf8_lossy(&output.stdout);
    match (output.status.success(), parse_node_check(&text)) {
        (true, Some((version, true))) => Ok(version),
        (true, Some((version, false))) => Err(CognitoLocalError::NodeTooOld { version }),
        _ => Err(CognitoLocalError::NodeFailed {
            status: output.status.to_string(),
            output: super::process::combined_output(&output),
        }),
    }
}

/// Reads `"<version> <true|false>"`, what [`check_node`]'s script prints.
pub fn parse_node_check(text: &str) -> Option<(String, bool)> {
    let mut words = text.split_whitespace();
    let version = words.next()?.to_owned();
    let require_module = match words.next()? {
        "true" => true,
        "false" => false,
        _ => return None,
    };
    words.next().is_none().then_some((version, require_module))
}

/// A fingerprint of the embedded manifest and lockfile (FNV-1a, 64 bits): what the marker of a
/// finished install holds, so that a changed lock means a new install.
pub fn lock_fingerprint() -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in PACKAGE_JSON.bytes().chain([0]).chain(PACKAGE_LOCK.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("cognito-local {COGNITO_LOCAL_VERSION} lock fnv1a64:{hash:016x}\n")
}

/// The directory that holds the install, its lock, and the npm log.
pub fn install_dir() -> PathBuf {
    cache::cache_dir().join(format!("cognito-local-{COGNITO_LOCAL_VERSION}"))
}

fn start_script(dir: &Path) -> PathBuf {
    dir.join("node_modules/cognito-local/lib/bin/start.js")
}

fn is_provisioned(dir: &Path) -> bool {
    fs::read_to_string(dir.join(PROVISIONED_MARKER)).is_ok_and(|m| m == lock_fingerprint())
        && start_script(dir).is_file()
}

/// Makes sure cognito-local [`COGNITO_LOCAL_VERSION`] is installed from the embedded lockfile
/// and returns its start script. Checks node first (an install is no use on a node that cannot
/// run it). The first call installs it (15 to 40 s; one line on stderr says so).
pub fn provision() -> Result<PathBuf, CognitoLocalError> {
    check_node()?;
    let dir = install_dir();
    if !is_provisioned(&dir) {
        cache::with_lock(&dir, || match is_provisioned(&dir) {
            true => Ok(()),
            false => install(&dir),
        })
        .map_err(io_error(format!("locking {}", dir.display())))??;
    }
    Ok(start_script(&dir))
}

fn npm_version() -> Result<(), CognitoLocalError> {
    let status = Command::new("npm")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    match status {
        Ok(_) => Ok(()),
        Err(source) if source.kind() == io::ErrorKind::NotFound => {
            Err(CognitoLocalError::NpmMissing)
        }
        Err(source) => Err(CognitoLocalError::Io {
            context: "running npm".into(),
            source,
        }),
    }
}

/// Installs from the embedded lockfile into `dir` (the caller holds the cache lock).
fn install(dir: &Path) -> Result<(), CognitoLocalError> {
    npm_version()?;
    let started = Instant::now();
    eprintln!(
        "installing cognito-local {COGNITO_LOCAL_VERSION} into {} with npm ci (once; takes under a minute)",
        dir.display()
    );
    let marker = dir.join(PROVISIONED_MARKER);
    if marker.exists() {
        fs::remove_file(&marker).map_err(io_error(format!("removing {}", marker.display())))?;
    }
    for (name, text) in [
        ("package.json", PACKAGE_JSON),
        ("package-lock.json", PACKAGE_LOCK),
    ] {
        let path = dir.join(name);
        fs::write(&path, text).map_err(io_error(format!("writing {}", path.display())))?;
    }
    let npm_log = dir.join("npm.log");
    let log =
        File::create(&npm_log).map_err(io_error(format!("creating {}", npm_log.display())))?;
    let log_err = log
        .try_clone()
        .map_err(io_error(format!("opening {}", npm_log.display())))?;
    let mut command = Command::new("npm");
    command
        .arg("ci")
        .arg("--prefix")
        .arg(dir)
        .args(["--no-audit", "--no-fund", "--ignore-scripts"])
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    die_with_parent(&mut command);
    let status = command.status().map_err(io_error("running npm ci"))?;
    if !status.success() {
        return Err(CognitoLocalError::NpmFailed {
            dir: dir.to_owned(),
            status: status.to_string(),
            tail: log_tail(&npm_log),
            log: npm_log,
        });
    }
    check_installed_version(dir)?;
    // The marker goes last, written whole under another name and renamed into place.
    let partial = dir.join(format!("{PROVISIONED_MARKER}.partial"));
    fs::write(&partial, lock_fingerprint())
        .and_then(|()| fs::rename(&partial, &marker))
        .map_err(io_error(format!("marking {} as complete", dir.display())))?;
    eprintln!(
        "installed cognito-local {COGNITO_LOCAL_VERSION} in {:.0?}",
        started.elapsed()
    );
    Ok(())
}

fn check_installed_version(dir: &Path) -> Result<(), CognitoLocalError> {
    let manifest = dir.join("node_modules/cognito-local/package.json");
    let found = fs::read_to_string(&manifest)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|json| json["version"].as_str().map(str::to_owned))
        .unwrap_or_default();
    if found != COGNITO_LOCAL_VERSION || !start_script(dir).is_file() {
        return Err(CognitoLocalError::WrongVersion {
            dir: dir.to_owned(),
            found,
        });
    }
    Ok(())
}

/// The prefix of state directory names; the harness's process id follows it.
const STATE_DIR_PREFIX: &str = "cct-cognito-local-";

/// A temporary directory, removed (with everything in it) on drop.
#[derive(Debug)]
struct StateDir(PathBuf);

/// Removes state directories left by harness processes that no longer exist (they exited
/// without dropping their server; the server itself died with them). Best effort.
fn remove_orphaned_state_dirs() {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let owner = name
            .to_str()
            .and_then(|name| name.strip_prefix(STATE_DIR_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<libc::pid_t>().ok());
        let gone = owner.is_some_and(|pid| {
            // SAFETY: signal 0 sends nothing; it only asks whether the process exists.
            let result = unsafe { libc::kill(pid, 0) };
            result != 0 && io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
        });
        if gone {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

impl StateDir {
    /// A new empty directory under the system's temporary directory, named with the harness's
    /// process id, holding `.cognito/config.json` = [`CONFIG_JSON`].
    fn create(port: u16) -> Result<StateDir, CognitoLocalError> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "{STATE_DIR_PREFIX}{}-{port}-{nanos}",
            std::process::id()
        ));
        let config = dir.join(".cognito");
        fs::create_dir_all(&config).map_err(io_error(format!("creating {}", config.display())))?;
        let state = StateDir(dir);
        let file = config.join("config.json");
        fs::write(&file, CONFIG_JSON).map_err(io_error(format!("writing {}", file.display())))?;
        Ok(state)
    }
}

impl Drop for StateDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A running cognito-local on a loopback port: a [`ServerProcess`] (endpoint, port, pid, log)
/// and its state directory. Dropping it kills the process (and its process group), reaps it,
/// and then removes its state directory.
#[derive(Debug)]
pub struct CognitoLocalServer {
    // Fields drop in order: the process dies before its state directory goes.
    server: ServerProcess,
    state: StateDir,
}

impl std::ops::Deref for CognitoLocalServer {
    type Target = ServerProcess;

    fn deref(&self) -> &ServerProcess {
        &self.server
    }
}

impl CognitoLocalServer {
    /// Installs cognito-local if needed ([`provision`]), starts it on a free loopback port and
    /// waits up to [`READY_TIMEOUT`] for it to answer. Blocking; see the module docs.
    pub fn start() -> Result<CognitoLocalServer, CognitoLocalError> {
        let script = provision()?;
        CognitoLocalServer::start_with(&script, READY_TIMEOUT)
    }

    /// Starts the given cognito-local start script with `node`, waiting up to `ready_timeout`
    /// for it to answer `ListUserPools` with 200. If it exits because its port was taken in the
    /// meantime, another free port is tried (three in all).
    pub fn start_with(
        script: &Path,
        ready_timeout: Duration,
    ) -> Result<CognitoLocalServer, CognitoLocalError> {
        let logs = cache::cache_dir().join("cognito-local-logs");
        fs::create_dir_all(&logs).map_err(io_error(format!("creating {}", logs.display())))?;
        prune_old_logs(&logs);
        remove_orphaned_state_dirs();
        start_on_free_port(
            |port| {
                let log = logs.join(format!("cognito-local-{port}.log"));
                launch(script, port, &log, ready_timeout)
            },
            |e| matches!(e, CognitoLocalError::Exited { tail, .. } if tail.contains("EADDRINUSE")),
            |e| io_error("finding a free loopback port")(e),
        )
    }

    /// The working directory that holds its state (`.cognito/`), removed on drop.
    pub fn state_dir(&self) -> &Path {
        &self.state.0
    }
}

/// Spawns cognito-local on `port` in a fresh state directory and waits for it to answer.
fn launch(
    script: &Path,
    port: u16,
    log: &Path,
    ready_timeout: Duration,
) -> Result<CognitoLocalServer, CognitoLocalError> {
    let state = StateDir::create(port)?;
    let mut command = Command::new("node");
    command
        .arg(script)
        .current_dir(&state.0)
        .env("PORT", port.to_string())
        .env("HOST", "127.0.0.1")
        .env("AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE", "1");
    let header = format!(
        "cd {} && PORT={port} HOST=127.0.0.1 node {}",
        state.0.display(),
        script.display()
    );
    // On error the process is killed, then the state directory removed, before returning.
    let tail = || strip_ansi(&log_tail(log));
    match ServerProcess::launch(command, port, log, &header, ready_timeout) {
        Ok(server) => Ok(CognitoLocalServer { server, state }),
        Err(LaunchError::Log(source)) => Err(CognitoLocalError::Io {
            context: format!("writing {}", log.display()),
            source,
        }),
        Err(LaunchError::Spawn(source)) => Err(CognitoLocalError::Spawn { source }),
        Err(LaunchError::Unready(Unready::Exited { status })) => Err(CognitoLocalError::Exited {
            port,
            status,
            log: log.to_owned(),
            tail: tail(),
        }),
        Err(LaunchError::Unready(Unready::TimedOut { last_probe })) => {
            Err(CognitoLocalError::NotReady {
                port,
                timeout: ready_timeout,
                last_probe,
                log: log.to_owned(),
                tail: tail(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_check_output_is_read() {
        assert_eq!(
            parse_node_check("20.20.2 true\n"),
            Some(("20.20.2".into(), true))
        );
        assert_eq!(
            parse_node_check("18.20.4 false\n"),
            Some(("18.20.4".into(), false))
        );
        assert_eq!(parse_node_check("garbage"), None);
        assert_eq!(parse_node_check("20.1.0 maybe"), None);
    }

    #[test]
    fn the_embedded_lock_pins_cognito_local() {
        let lock: serde_json::Value = serde_json::from_str(PACKAGE_LOCK).unwrap();
        assert_eq!(
            lock["packages"]["node_modules/cognito-local"]["version"],
            COGNITO_LOCAL_VERSION
        );
        let manifest: serde_json::Value = serde_json::from_str(PACKAGE_JSON).unwrap();
        assert_eq!(
            manifest["dependencies"]["cognito-local"],
            COGNITO_LOCAL_VERSION
        );
        assert!(lock_fingerprint().starts_with("cognito-local 5.3.0 lock fnv1a64:"));
    }

    #[test]
    fn an_install_counts_only_with_the_marker_of_this_lock() {
        let dir = std::env::temp_dir().join(format!("cct-cl-marker-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let script = start_script(&dir);
        fs::create_dir_all(script.parent().unwrap()).unwrap();
        fs::write(&script, "").unwrap();
        assert!(!is_provisioned(&dir), "no marker: an unfinished install");
        fs::write(
            dir.join(PROVISIONED_MARKER),
            "cognito-local 5.3.0 lock fnv1a64:0\n",
        )
        .unwrap();
        assert!(
            !is_provisioned(&dir),
            "the marker of another lock: install again"
        );
        fs::write(dir.join(PROVISIONED_MARKER), lock_fingerprint()).unwrap();
        assert!(is_provisioned(&dir));
        fs::remove_file(&script).unwrap();
        assert!(!is_provisioned(&dir), "the marker without the install");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_config_gives_pools_no_username_attributes() {
        let config: serde_json::Value = serde_json::from_str(CONFIG_JSON).unwrap();
        assert_eq!(
            config,
            serde_json::json!({"UserPoolDefaults": {"UsernameAttributes": []}})
        );
    }
}
