//! Helpers for the tests of the managed emulators (moto, cognito-local): one unsigned Cognito call
//! to a server, whether its process is still there, and running a test of this binary in a child
//! process that starts a server and exits without dropping it.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Sends one Cognito call (unsigned, as emulators accept) and returns the status and the JSON
/// body; panics when the reply is not JSON.
pub fn call(endpoint: &str, operation: &str, body: Value) -> (u16, Value) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let reply = reqwest::Client::new()
            .post(endpoint)
            .header(
                "X-Amz-Target",
                format!("AWSCognitoIdentityProviderService.{operation}"),
            )
            .header("Content-Type", "application/x-amz-json-1.1")
            .body(body.to_string())
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .unwrap();
        let status = reply.status().as_u16();
        let text = reply.text().await.unwrap();
        let json = serde_json::from_str(&text)
            .unwrap_or_else(|error| panic!("reply is not JSON ({error}): {text}"));
        (status, json)
    })
}

/// Whether a process with this pid exists and is not a zombie.
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// Waits up to `within` for the process `pid` to be gone; false if it is still there.
pub fn wait_until_dead(pid: u32, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while alive(pid) {
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(50));
    }
    true
}

/// Runs the test `test` (its full path in this binary, e.g. `moto_server::helper_start_and_abandon`)
/// alone in a child process of this test binary, with `env_name` naming `pidfile`; panics unless
/// it succeeds. The helper test does nothing unless `env_name` is set.
pub fn run_helper_test(test: &str, env_name: &str, pidfile: &Path) {
    let helper = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture"])
        .env(env_name, pidfile)
        .output()
        .unwrap();
    assert!(
        helper.status.success(),
        "helper run failed ({}):\n{}{}",
        helper.status,
        String::from_utf8_lossy(&helper.stdout),
        String::from_utf8_lossy(&helper.stderr)
    );
    let stdout = String::from_utf8_lossy(&helper.stdout);
    assert!(
        stdout.contains("running 1 test"),
        "the helper found no test named {test}:\n{stdout}"
    );
}

/// After a server was dropped: its process `pid` is gone at once (reaped, not even a zombie)
/// and its `port` is free again.
pub fn assert_gone_and_port_free(pid: u32, port: u16) {
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "pid {pid} still exists"
    );
    assert!(TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err());
    TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .unwrap_or_else(|error| panic!("port {port} is not free: {error}"));
}
