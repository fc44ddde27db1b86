//! Running the `cognito-contract` binary and reading what it printed.

use std::process::Command;

/// The `cognito-contract` binary with no AWS credentials in its environment (no access key, secret,
/// session token or profile), so that a run signs with the emulator's dummy credentials.
pub fn binary_without_credentials() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cognito-contract"));
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
    ] {
        command.env_remove(name);
    }
    command
}

/// Runs `cognito-contract` with `args` and no endpoint variables (so a run manages its own
/// target or uses the one in `args`); panics, quoting both outputs, unless it succeeds.
/// Returns stdout.
pub fn run_successfully(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_cognito-contract"))
        .args(args)
        .env_remove("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{args:?}: exit {:?}\n{stdout}\n{stderr}",
        output.status
    );
    stdout
}

/// The closing line of a run against `target` (`contract against T: 1 passed, ...`); panics,
/// quoting `stdout`, when there is none.
pub fn summary_line<'a>(stdout: &'a str, target: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.starts_with(&format!("contract against {target}:")))
        .unwrap_or_else(|| panic!("no summary line in\n{stdout}"))
}
