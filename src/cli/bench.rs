//! `cognito-contract bench`: how much a checked step costs over a raw HTTP client.
//!
//! A zero-work stub on loopback (an in-process hyper server on its own thread) answers every
//! POST with the same valid `DescribeUserPool` reply. In one run, alternating, the benchmark
//! sends N requests through a raw reqwest loop (send, read, parse the JSON), through the harness
//! (one case of N `DescribeUserPool` steps with every check on: signing, input validation, the
//! reply checks, a `$regex` matcher and a capture), and through Hurl when `hurl` is on `PATH`
//! (N requests with three asserts each, `hurl --test`). Each runs once per round, for
//! `--rounds` rounds. Printed are the medians per request, in wall time and in the CPU time of
//! the measuring thread (which sends, checks and waits; the stub's thread is not counted), and
//! the ratio to the raw loop: the median of the rounds' ratios, each comparing two runs a moment
//! apart, with every round's ratio listed. The loopback round trip's time changes several times
//! over on a shared virtual machine (when the kernel puts the stub's thread and the client's on
//! different cores, each request pays for waking a core), so many short rounds compare the
//! clients under the same conditions; the CPU ratio is what the harness itself adds. Speed is
//! measured here, never in timed tests.

use std::convert::Infallible;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};

use crate::exec::runner::{NoWaivers, RunContext, run_case};
use crate::service::schemas::{SchemaKind, SchemaStore};
use crate::spec::load::load_case;
use crate::support::loopback::LoopbackServer;

/// The reply every request gets: a valid `DescribeUserPool` output.
const REPLY: &str = r#"{"UserPool":{"Id":"us-east-1_bench","Name":"bench","Arn":"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_bench","CreationDate":1.7E9,"LastModifiedDate":1.7E9}}"#;

/// The `bench` command's arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Requests per client and round.
    #[arg(long, default_value_t = 1_000)]
    steps: usize,
    /// Rounds, each running every client once (the medians are reported). Many short rounds
    /// compare the clients at nearly the same moments of a machine whose speed changes.
    #[arg(long, default_value_t = 21)]
    rounds: usize,
}

/// Runs the benchmark and prints the medians and ratios.
pub(super) fn command(args: &BenchArgs) -> ExitCode {
    match run(args) {
        Ok(lines) => {
            for line in lines {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(message) => super::fail(message),
    }
}

fn run(args: &BenchArgs) -> Result<Vec<String>, String> {
    check_reply_is_valid()?;
    // The zero-work stub, on its own thread and runtime so that it does not share the measured
    // client's threads.
    let stub = LoopbackServer::start(answer)?;
    let endpoint = stub.endpoint().to_owned();
    let hurl = hurl_file(&endpoint, args.steps)?;
    let (mut raw, mut harness) = (Vec::new(), Vec::new());
    let mut hurl_times = Vec::new();
    for _ in 0..args.rounds.max(1) {
        raw.push(raw_loop(&endpoint, args.steps)?);
        harness.push(harness_case(&endpoint, args.steps)?);
        if let Some(file) = &hurl {
            hurl_times.push(hurl_run(file.path())?);
        }
    }
    let steps = args.steps as f64;
    let per_step = |times: Vec<Duration>| {
        median(times.iter().map(Duration::as_secs_f64).collect()) * 1e6 / steps
    };
    let column = |clocks: &[Clocks], read: fn(&Clocks) -> Duration| {
        per_step(clocks.iter().map(read).collect())
    };
    // Each round's ratio compares two runs a moment apart; their median is the ratio printed,
    // which a change of the machine's speed between rounds moves less than a ratio of medians.
    let ratios = |read: fn(&Clocks) -> Duration| -> Vec<f64> {
        raw.iter()
            .zip(&harness)
            .map(|(raw, harness)| read(harness).as_secs_f64() / read(raw).as_secs_f64())
            .collect()
    };
    let ratio = |read: fn(&Clocks) -> Duration| median(ratios(read));
    let (raw_wall, raw_cpu) = (column(&raw, |c| c.wall), column(&raw, |c| c.cpu));
    let (wall, cpu) = (column(&harness, |c| c.wall), column(&harness, |c| c.cpu));
    let mut lines = vec![
        format!(
            "{} requests per client, {} rounds, stub at {endpoint}; per request, medians of \
             the rounds:",
            args.steps,
            args.rounds.max(1)
        ),
        format!("raw reqwest loop: {raw_wall:8.1} µs   CPU {raw_cpu:6.1} µs"),
        format!(
            "harness:          {wall:8.1} µs   CPU {cpu:6.1} µs   ratio {:.2} (CPU {:.2})",
            ratio(|c| c.wall),
            ratio(|c| c.cpu),
        ),
        format!(
            "the rounds' ratios:    {}",
            ratios(|c| c.wall)
                .iter()
                .map(|r| format!("{r:.2}"))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    ];
    if hurl.is_some() {
        let hurl_us = per_step(hurl_times);
        lines.push(format!(
            "hurl --test:      {hurl_us:8.1} µs   ratio {:.2}",
            hurl_us / raw_wall
        ));
    } else {
        lines.push("hurl: not on PATH, left out".to_owned());
    }
    Ok(lines)
}

/// What one client's round took: wall time, and the measuring thread's CPU time.
struct Clocks {
    wall: Duration,
    cpu: Duration,
}

/// A clock started now: wall time and this thread's CPU time.
struct Stopwatch {
    wall: Instant,
    cpu: Duration,
}

impl Stopwatch {
    fn start() -> Result<Stopwatch, String> {
        Ok(Stopwatch {
            cpu: thread_cpu_time()?,
            wall: Instant::now(),
        })
    }

    /// The times since the start.
    fn read(&self) -> Result<Clocks, String> {
        let wall = self.wall.elapsed();
        Ok(Clocks {
            wall,
            cpu: thread_cpu_time()? - self.cpu,
        })
    }
}

/// The CPU time the calling thread has used.
fn thread_cpu_time() -> Result<Duration, String> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to write.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    if status != 0 {
        return Err("cannot read the thread's CPU time".to_owned());
    }
    let seconds = u64::try_from(now.tv_sec).map_err(|e| e.to_string())?;
    let nanos = u32::try_from(now.tv_nsec).map_err(|e| e.to_string())?;
    Ok(Duration::new(seconds, nanos))
}

/// The middle value (of an odd count; the upper middle of an even one).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The stub's reply must pass every check, or the harness would be timed on failures.
fn check_reply_is_valid() -> Result<(), String> {
    let reply: serde_json::Value = serde_json::from_str(REPLY).map_err(|e| e.to_string())?;
    let violations = SchemaStore::global()
        .validate("DescribeUserPool", &SchemaKind::Output, &reply)
        .map_err(|e| e.to_string())?;
    match violations.as_slice() {
        [] => Ok(()),
        [first, ..] => Err(format!("the stub's reply breaks the schema: {first}")),
    }
}

/// The raw client: send, read the body, parse it, N times.
fn raw_loop(endpoint: &str, steps: usize) -> Result<Clocks, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    // The client is made before the clock starts (reqwest loads the TLS roots then).
    let client = reqwest::Client::new();
    runtime.block_on(async {
        let clock = Stopwatch::start()?;
        for _ in 0..steps {
            let reply = client
                .post(endpoint)
                .header("content-type", "application/x-amz-json-1.1")
                .header(
                    "x-amz-target",
                    "AWSCognitoIdentityProviderService.DescribeUserPool",
                )
                .body(r#"{"UserPoolId":"us-east-1_bench"}"#)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let body = reply.bytes().await.map_err(|e| e.to_string())?;
            let _: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        }
        clock.read()
    })
}

/// The harness: one case of N checked steps, run as a trial runs it.
fn harness_case(endpoint: &str, steps: usize) -> Result<Clocks, String> {
    let step = r#"{"operation": "DescribeUserPool", "request": {"UserPoolId": "us-east-1_bench"},
        "expect": {"body": {"UserPool": {"Id": {"$regex": "^us-east-1_"}}}},
        "capture": {"name": "$.UserPool.Name"}}"#;
    let text = format!(
        r#"{{"description": "{steps} DescribeUserPool steps for the benchmark", "steps": [{}]}}"#,
        vec![step; steps].join(",")
    );
    let case = load_case(
        "bench/steps",
        "bench/steps.json",
        &text,
        SchemaStore::global(),
    )
    .map_err(|errors| format!("{errors:?}"))?;
    let context = RunContext::new(endpoint, "us-east-1", Duration::from_secs(30))?;
    let clock = Stopwatch::start()?;
    let report = crate::suite::block_on(run_case(&case, &context, &NoWaivers));
    let elapsed = clock.read()?;
    match report.failures().first() {
        None => Ok(elapsed),
        Some(failure) => Err(format!("a benchmark step failed: {}", failure.failure)),
    }
}

/// A Hurl file with the same N requests and three asserts each, when `hurl` is installed.
fn hurl_file(endpoint: &str, steps: usize) -> Result<Option<tempfile::NamedTempFile>, String> {
    let installed = std::process::Command::new("hurl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        return Ok(None);
    }
    let entry = format!(
        "POST {endpoint}\ncontent-type: application/x-amz-json-1.1\n\
         x-amz-target: AWSCognitoIdentityProviderService.DescribeUserPool\n\
         {{\"UserPoolId\":\"us-east-1_bench\"}}\nHTTP 200\n[Asserts]\n\
         header \"x-amzn-RequestId\" exists\njsonpath \"$.UserPool.Id\" matches \"^us-east-1_\"\n\
         jsonpath \"$.UserPool.Name\" == \"bench\"\n\n"
    );
    let mut file = tempfile::Builder::new()
        .suffix(".hurl")
        .tempfile()
        .map_err(|e| e.to_string())?;
    std::io::Write::write_all(&mut file, entry.repeat(steps).as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(Some(file))
}

fn hurl_run(file: &std::path::Path) -> Result<Duration, String> {
    let started = Instant::now();
    let output = std::process::Command::new("hurl")
        .arg("--test")
        .arg(file)
        .output()
        .map_err(|e| format!("cannot run hurl: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "hurl failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(started.elapsed())
}

async fn answer(
    request: Request<Incoming>,
) -> Result<Response<http_body_util::Full<Bytes>>, Infallible> {
    // Read the request to its end, so that the connection stays open for the next one.
    let _ = http_body_util::BodyExt::collect(request.into_body()).await;
    Ok(Response::builder()
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amzn-requestid", "00000000-0000-4000-8000-000000000000")
        .body(http_body_util::Full::new(Bytes::from_static(
            REPLY.as_bytes(),
        )))
        .expect("a static response"))
}
