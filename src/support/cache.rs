//! Where the harness keeps what it fetches on first use: the pinned botocore model and the
//! Python venv that holds the pinned moto. Everything lives under one directory so that
//! `cargo clean` (or deleting it) starts over.
//!
//! The directory is, in order: `$COGNITO_CONTRACT_CACHE` (an empty variable counts as unset); `$CARGO_TARGET_DIR/cognito-contract`;
//! the `target/cognito-contract` folder above the running executable (true for `cargo test` and
//! `cargo run`); else `./target/cognito-contract`.

use std::env;
use std::path::{Path, PathBuf};

/// The cache directory (not created here).
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = super::env::path("COGNITO_CONTRACT_CACHE") {
        return absolute(dir);
    }
    if let Some(dir) = super::env::path("CARGO_TARGET_DIR") {
        return absolute(dir).join("cognito-contract");
    }
    if let Ok(exe) = env::current_exe()
        && let Some(target) = exe
            .ancestors()
            .find(|dir| dir.file_name().is_some_and(|name| name == "target"))
    {
        return target.join("cognito-contract");
    }
    absolute(PathBuf::from("target")).join("cognito-contract")
}

fn absolute(path: PathBuf) -> PathBuf {
    if path.is_absolute() {
        return path;
    }
    env::current_dir()
        .map(|cwd| cwd.join(&path))
        .unwrap_or(path)
}

/// Runs `f` while holding an exclusive lock on `<dir>/.lock`, so that two processes (say two
/// test binaries) do not provision the same thing at once. Creates `dir`.
pub fn with_lock<T>(dir: &Path, f: impl FnOnce() -> T) -> std::io::Result<T> {
    std::fs::create_dir_all(dir)?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".lock"))?;
    lock.lock()?;
    let result = f();
    lock.unlock()?;
    Ok(result)
}
