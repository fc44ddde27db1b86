//! A suite run: loads the cases, works out the target (a managed moto unless an endpoint is
//! given; a managed cognito-local for `--target cognito-local` without one), turns each case into a libtest-mimic trial (named by its id, with its area as kind)
//! that runs its case on the trial thread's own tokio runtime ([`block_on`]), and applies the target's expectations.
//!
//! The same settings come from flags (`cognito-contract run`) or, for `harness = false` tests,
//! from the environment: see [`Suite::from_env`].

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use libtest_mimic::{Arguments, Completion, Conclusion, Failed, Trial};

use crate::exec::runner::{self, RunContext};
use crate::http::aws::{self, NetworkSettings};
use crate::managed::Server;
use crate::report::{self, CaseFinished, Collector, Outputs, Reporter, Summary};
use crate::service::schemas::SchemaStore;
use crate::spec::case::Case;
use crate::spec::case_source::CaseSource;
use crate::spec::load::LoadErrors;
use crate::spec::select;
use crate::verdict::expectations::{self, Expectations, Verdict};

/// Exit status when cases or expectations cannot be loaded or the target cannot be set up.
pub const EXIT_HARNESS_ERROR: u8 = 2;
/// Exit status when a case failed unexpectedly, passed unexpectedly or had a harness error
/// (libtest's own). An interrupted run exits with the signal's status instead.
pub const EXIT_UNEXPECTED: u8 = 101;
/// Exit status when the endpoint does not answer the probe request sent before the run.
pub const EXIT_UNREACHABLE: u8 = 3;

/// What to run against what.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The cases (their `expectations/` folder holds the targets' expectations): the bundled
    /// ones unless a directory is given.
    pub cases: CaseSource,
    /// The endpoint; `None` starts a managed moto (a managed cognito-local when the target is
    /// `cognito-local`).
    pub endpoint: Option<String>,
    /// The target's name, which selects `expectations/<target>.json`. A managed moto is `moto`.
    pub target: Option<String>,
    pub region: String,
    /// Accept undocumented members in replies, reporting them as warnings.
    pub lenient: bool,
    /// Per-request timeout.
    pub request_timeout: Duration,
    /// Report files to write (JUnit, JSON, Markdown).
    pub reports: Outputs,
    /// The real-AWS opt-in, retries, pacing and request timeout (see [`crate::http::aws`]).
    pub network: NetworkSettings,
    /// The longest a case's setup and steps may take (default [`DEFAULT_CASE_TIMEOUT`]);
    /// teardown runs after it regardless.
    pub case_timeout: Option<Duration>,
    /// Run the generated validation cases ([`crate::spec::generated`]) too; `None`: with the
    /// bundled cases, not with a case directory of your own.
    pub generated: Option<bool>,
    /// How many managed motos to start and share the cases out to (each case sticks to one);
    /// `None`: one per test thread. moto serves one request at a time, so one server bounds
    /// a run on several cores.
    pub moto_servers: Option<usize>,
    /// Record the run, or verify the target against a recording (see [`crate::recording`]).
    pub recording: Option<crate::recording::Mode>,
    /// Answer from this recording instead of a target ([`crate::recording::replay`]).
    pub replay: Option<PathBuf>,
}

/// What `COGNITO_CONTRACT_GENERATED` says about the generated validation cases: `0` or `false`
/// leaves them out, any other value includes them, unset or empty says nothing.
pub fn generated_from_env() -> Option<bool> {
    crate::support::env::var("COGNITO_CONTRACT_GENERATED").map(|v| crate::support::env::truthy(&v))
}

/// The per-case timeout unless one is set.
pub const DEFAULT_CASE_TIMEOUT: Duration = Duration::from_secs(300);

impl Suite {
    /// The bundled cases against a managed moto, in `us-east-1`.
    pub fn bundled() -> Suite {
        Suite {
            cases: CaseSource::Bundled,
            endpoint: None,
            target: None,
            region: "us-east-1".into(),
            lenient: false,
            request_timeout: Duration::from_secs(30),
            reports: Outputs::default(),
            network: NetworkSettings::default(),
            case_timeout: None,
            generated: None,
            moto_servers: None,
            recording: None,
            replay: None,
        }
    }

    /// The bundled suite with settings from the environment, as the AWS SDKs read them:
    /// `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`, then `AWS_ENDPOINT_URL`; `AWS_REGION`;
    /// plus `COGNITO_CONTRACT_TARGET`, `COGNITO_CONTRACT_CASES` and `COGNITO_CONTRACT_LENIENT=1`,
    /// and the report files `COGNITO_CONTRACT_JUNIT`, `COGNITO_CONTRACT_JSON_REPORT` and
    /// `COGNITO_CONTRACT_MARKDOWN`; `COGNITO_CONTRACT_GENERATED=0` leaves the generated
    /// validation cases out (`1` runs them with a case directory too). Without `AWS_REGION` the region comes from the profile, as
    /// for the SDKs; `COGNITO_CONTRACT_CASE_TIMEOUT` sets the per-case timeout and
    /// `COGNITO_CONTRACT_MOTO_SERVERS` how many managed motos to start. The opt-in,
    /// retry and pacing variables are read when the run connects (see [`crate::http::aws`]).
    pub fn from_env() -> Suite {
        let var = crate::support::env::var;
        let mut suite = Suite::bundled();
        suite.endpoint =
            var("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER").or_else(|| var("AWS_ENDPOINT_URL"));
        suite.target = var("COGNITO_CONTRACT_TARGET");
        if let Some(region) = var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")) {
            suite.region = region;
        } else if let Some(region) = crate::http::credentials::profile_region(&|name| var(name)) {
            suite.region = region;
        }
        if let Some(timeout) = var("COGNITO_CONTRACT_CASE_TIMEOUT") {
            suite.case_timeout = aws::parse_duration(&timeout)
                .map_err(|e| eprintln!("warning: COGNITO_CONTRACT_CASE_TIMEOUT: {e}; ignored"))
                .ok();
        }
        if let Some(dir) = var("COGNITO_CONTRACT_CASES") {
            suite.cases = CaseSource::Dir(PathBuf::from(dir));
        }
        suite.lenient = crate::support::env::flag("COGNITO_CONTRACT_LENIENT");
        suite.generated = generated_from_env();
        if let Some(count) = var("COGNITO_CONTRACT_MOTO_SERVERS") {
            suite.moto_servers = count
                .parse()
                .map_err(|e| eprintln!("warning: COGNITO_CONTRACT_MOTO_SERVERS: {e}; ignored"))
                .ok();
        }
        suite.reports = Outputs::from_env();
        suite
    }

    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    pub fn cases(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cases = CaseSource::Dir(dir.into());
        self
    }

    /// Runs the generated validation cases too (`true`), or leaves them out (`false`). By
    /// default they run with the bundled cases and not with [`Suite::cases`].
    pub fn generated(mut self, generated: bool) -> Self {
        self.generated = Some(generated);
        self
    }

    /// Whether this run includes the generated validation cases.
    pub fn includes_generated(&self) -> bool {
        self.generated
            .unwrap_or(matches!(self.cases, CaseSource::Bundled))
    }

    /// Starts `count` managed motos (when the suite starts moto) and shares the cases out to
    /// them, each case to the one running the fewest.
    pub fn moto_servers(mut self, count: usize) -> Self {
        self.moto_servers = Some(count);
        self
    }

    /// Writes JUnit XML to `path` after the run.
    pub fn junit(mut self, path: impl Into<PathBuf>) -> Self {
        self.reports.junit = Some(path.into());
        self
    }

    /// Writes the JSON report (`schemas/report.schema.json`) to `path` after the run.
    pub fn json_report(mut self, path: impl Into<PathBuf>) -> Self {
        self.reports.json = Some(path.into());
        self
    }

    /// Writes a Markdown summary to `path` after the run.
    pub fn markdown(mut self, path: impl Into<PathBuf>) -> Self {
        self.reports.markdown = Some(path.into());
        self
    }

    /// Runs with libtest arguments from the command line.
    pub fn run(self) -> ExitCode {
        self.run_with(&Arguments::from_args())
    }

    /// Runs with the given libtest arguments (filters, `--list`, `--test-threads`, ...).
    pub fn run_with(self, args: &Arguments) -> ExitCode {
        match self.run_inner(args) {
            Ok(code) => code,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::from(EXIT_HARNESS_ERROR)
            }
        }
    }

    fn run_inner(self, args: &Arguments) -> Result<ExitCode, String> {
        if args.list {
            return self.list(args);
        }
        self.check_aws_opt_in()?;
        let with_generated = self.includes_generated();
        let selection = select::load(&self.cases, args, SchemaStore::global(), with_generated)
            .map_err(|e: LoadErrors| e.to_string())?;
        // A replay is the target: the recording's, unless a target is named.
        let replay = self.start_replay()?;
        let target_name = self
            .target
            .clone()
            .or_else(|| replay.as_ref().map(|r| r.recorded_against().to_owned()))
            .or_else(|| self.endpoint.is_none().then(|| "moto".to_owned()));
        let expectations =
            self.expectations(target_name.as_deref(), &selection.ids(), with_generated)?;

        let (servers, endpoints) = match &replay {
            Some(replay) => (Vec::new(), vec![replay.endpoint().to_owned()]),
            None => self.endpoints(args)?,
        };
        let shown_target = target_name.clone().unwrap_or_else(|| endpoints[0].clone());
        let (mut contexts, aws) = self.contexts(&endpoints)?;
        let recording = self.watch(&mut contexts, replay.is_some(), &shown_target)?;
        let contexts: Vec<Arc<RunContext>> = contexts.into_iter().map(Arc::new).collect();
        for (context, endpoint) in contexts.iter().zip(&endpoints) {
            if let Err(message) = block_on(probe(context)) {
                eprintln!("error: {endpoint} is unreachable: {message}");
                return Ok(ExitCode::from(EXIT_UNREACHABLE));
            }
        }
        let shared = Arc::new(Shared {
            expectations,
            summary: Summary::default(),
            collector: Collector::new(
                selection.suite.clone(),
                target_name,
                &endpoints[0],
                &self.region,
            ),
            targets: Targets::new(contexts),
            aws,
        });
        let conclusion = libtest_mimic::run(args, trials(selection.cases, &shared));
        let mut leftovers = Vec::new();
        for context in &shared.targets.contexts {
            let (lines, _) = block_on(crate::account::sweep::delete_leftovers(
                &context.client,
                &context.pools,
            ));
            leftovers.extend(lines);
        }
        drop(servers);
        drop(replay);
        let ended = Ended {
            conclusion,
            shown_target,
            leftovers,
            recording,
        };
        self.finish(args, &shared, ended)
    }

    /// `--list`: the ids and areas of the cases, from file names and the kept generated ids
    /// ([`select::listing`]), without loading anything else.
    fn list(&self, args: &Arguments) -> Result<ExitCode, String> {
        let listed = select::listing(
            &self.cases,
            SchemaStore::global(),
            self.includes_generated(),
        )
        .map_err(|e| e.to_string())?;
        let trials = listed
            .into_iter()
            .map(|case| Trial::test(case.id, || Ok(())).with_kind(case.area))
            .collect();
        Ok(libtest_mimic::run(args, trials).exit_code())
    }

    /// What a run prints and writes after its last case, and its exit status.
    fn finish(&self, args: &Arguments, shared: &Shared, ended: Ended) -> Result<ExitCode, String> {
        print!("{}", shared.summary.render(&ended.shown_target));
        for line in &ended.leftovers {
            println!("{line}");
        }
        let full_run = args.filter.is_none() && args.skip.is_empty() && !args.ignored;
        let stale = shared.expectations.stale_waivers();
        for entry in &stale {
            println!(
                "stale expectation: {:?} check {:?} covered no failure in this run ({})",
                entry.case,
                entry.check.map_or("-", |c| c.name()),
                entry.reason
            );
        }
        let stale_in_report = if full_run { stale.as_slice() } else { &[] };
        if let Err(message) = self.reports.write(shared.collector.finish(stale_in_report)) {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(EXIT_HARNESS_ERROR));
        }
        let recorded = ended.recording.finish(full_run);
        recorded.lines.iter().for_each(|line| println!("{line}"));
        if recorded.harness_error {
            return Ok(ExitCode::from(EXIT_HARNESS_ERROR));
        }
        let interrupt = &shared.targets.contexts[0].interrupt;
        if let Some(status) = interrupt.exit_status() {
            return Ok(ExitCode::from(status));
        }
        if ended.conclusion.has_failed() || (full_run && !stale.is_empty()) || recorded.fails_run {
            return Ok(ExitCode::from(EXIT_UNEXPECTED));
        }
        Ok(ExitCode::SUCCESS)
    }

    /// The managed servers started for the run (none when an endpoint is given) and the
    /// endpoints to send to: several managed motos share the cases out (see
    /// [`Suite::moto_servers`]).
    fn endpoints(&self, args: &Arguments) -> Result<(Vec<Server>, Vec<String>), String> {
        if let Some(endpoint) = &self.endpoint {
            return Ok((Vec::new(), vec![endpoint.clone()]));
        }
        if self.target.as_deref() == Some(aws::AWS_TARGET) {
            return Ok((Vec::new(), vec![aws::regional_endpoint(&self.region)?]));
        }
        if report::process_per_test() {
            return Err(NEXTEST_NEEDS_ENDPOINT.into());
        }
        let count = match self.target.as_deref() {
            Some(crate::managed::cognito_local::TARGET) => 1,
            _ => self.moto_servers_for(args),
        };
        let servers = Server::start_several(self.target.as_deref(), count)?;
        let endpoints = servers.iter().map(|s| s.endpoint().to_owned()).collect();
        Ok((servers, endpoints))
    }

    /// How many managed motos a run with `args` starts: [`Suite::moto_servers`], else one per
    /// test thread.
    fn moto_servers_for(&self, args: &Arguments) -> usize {
        let threads = args.test_threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        self.moto_servers.unwrap_or(threads).max(1)
    }
}

impl Suite {
    /// The expectations of `target` (none without a name) for a suite of `ids`; a run without
    /// the generated cases keeps entries that name only those.
    fn expectations(
        &self,
        target: Option<&str>,
        ids: &[&str],
        with_generated: bool,
    ) -> Result<Expectations, String> {
        let Some(name) = target else {
            return Ok(Expectations::none());
        };
        let left_out: &[&str] = match with_generated {
            true => &[],
            false => &[crate::spec::generated::AREA],
        };
        Expectations::load_leaving_out(&self.cases, name, ids, left_out)
            .map_err(|errors| LoadErrors(errors).to_string())
    }

    /// Refuses a real AWS endpoint without the opt-in, first thing, before anything is loaded
    /// or sent (connecting checks again).
    fn check_aws_opt_in(&self) -> Result<(), String> {
        let endpoint = match (&self.endpoint, self.target.as_deref()) {
            (Some(endpoint), _) => endpoint.clone(),
            (None, Some(aws::AWS_TARGET)) => aws::regional_endpoint(&self.region)?,
            (None, _) => return Ok(()),
        };
        let settings = self.network.with_env(&crate::support::env::var)?;
        aws::check_allowed(&endpoint, settings.allow_aws)
    }

    /// The run contexts for `endpoints` (one each; they share the run prefix and the
    /// interrupt, each keeps its own pool ledger). This checks the real-AWS opt-in before
    /// anything is sent, resolves credentials, prints what a run against AWS needs to say, and
    /// listens for Ctrl-C and SIGTERM. Also says whether the target is AWS.
    fn contexts(&self, endpoints: &[String]) -> Result<(Vec<RunContext>, bool), String> {
        let mut contexts: Vec<RunContext> = Vec::new();
        let mut aws = false;
        for endpoint in endpoints {
            let connection = block_on(aws::connect(
                endpoint,
                self.target.as_deref(),
                &self.region,
                &self.network,
                self.request_timeout,
            ))?;
            if let Some(first) = contexts.first() {
                let next = first.for_client(connection.client.clone());
                contexts.push(next);
                continue;
            }
            let mut context = RunContext::with_client(connection.client.clone());
            context.region = self.region.clone();
            context.secrets = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]
                .iter()
                .filter_map(|name| crate::support::env::var(name))
                .collect();
            context.case_timeout = Some(self.case_timeout.unwrap_or(DEFAULT_CASE_TIMEOUT));
            context.tag_pools = connection.aws;
            context.lenient = self.lenient;
            if connection.aws {
                eprint!("{}", connection.banner(Some(&context.prefix)));
            }
            context.interrupt.listen_for_signals(runtime())?;
            aws = self.target.as_deref() == Some(aws::AWS_TARGET) || connection.aws;
            contexts.push(context);
        }
        Ok((contexts, aws))
    }

    /// The replay server a run with [`Suite::replay`] answers from.
    fn start_replay(&self) -> Result<Option<crate::recording::replay::ReplayServer>, String> {
        match &self.replay {
            Some(dir) => crate::recording::replay::ReplayServer::start(dir).map(Some),
            None => Ok(None),
        }
    }

    /// Starts what the run does with a recording and hooks it into every context; a replay's
    /// client names each request's case.
    fn watch(
        &self,
        contexts: &mut [RunContext],
        replayed: bool,
        target: &str,
    ) -> Result<crate::recording::Active, String> {
        let active =
            crate::recording::Active::start(self.recording.as_ref(), target, &self.region)?;
        for context in contexts {
            context.observer = active.observer();
            if replayed {
                context.client = context.client.clone().tagging_cases();
            }
        }
        Ok(active)
    }
}

/// How the trials ended, and what the run still has to report.
struct Ended {
    conclusion: Conclusion,
    shown_target: String,
    leftovers: Vec<String>,
    recording: crate::recording::Active,
}

/// What every trial of a run shares.
struct Shared {
    expectations: Expectations,
    summary: Summary,
    collector: Collector,
    targets: Targets,
    /// The target is real AWS (cases that need outside setup are skipped).
    aws: bool,
}

/// The run contexts of the endpoints a run sends to, and how many cases each is running: a
/// case goes to the one running the fewest, and keeps it for all its steps.
struct Targets {
    contexts: Vec<Arc<RunContext>>,
    running: Vec<AtomicUsize>,
}

impl Targets {
    fn new(contexts: Vec<Arc<RunContext>>) -> Targets {
        let running = contexts.iter().map(|_| AtomicUsize::new(0)).collect();
        Targets { contexts, running }
    }

    /// Runs `f` with the context that is running the fewest cases.
    fn with_least_busy<T>(&self, f: impl FnOnce(&RunContext) -> T) -> T {
        let index = (0..self.contexts.len())
            .min_by_key(|&i| self.running[i].load(Ordering::Relaxed))
            .unwrap_or(0);
        self.running[index].fetch_add(1, Ordering::Relaxed);
        let result = f(&self.contexts[index]);
        self.running[index].fetch_sub(1, Ordering::Relaxed);
        result
    }
}

/// The trials of `cases`: the hand-written cases first, the generated ones after them (on a
/// target that does not validate, a generated case may create something, and hand-written
/// cases that list the account (ListUserPools) should have finished by then).
fn trials(mut cases: Vec<Case>, shared: &Arc<Shared>) -> Vec<Trial> {
    cases.sort_by_key(|case| case.area == crate::spec::generated::AREA);
    cases
        .into_iter()
        .map(|case| {
            let shared = shared.clone();
            let kind = case.area.clone();
            Trial::ignorable_test(case.id.clone(), move || run_trial(&case, &shared))
                .with_kind(kind)
        })
        .collect()
}

/// Runs `case` as a trial: its verdict, counted and collected.
fn run_trial(case: &Case, shared: &Shared) -> Result<Completion, Failed> {
    if let Some(reason) = aws::unmet_requirements(case, shared.aws) {
        return Ok(Completion::ignored_with(reason));
    }
    let entries = shared.expectations.for_case(&case.id);
    let report = shared.targets.with_least_busy(|context| {
        if context.interrupt.is_raised() {
            return Err(context.interrupt.not_started());
        }
        Ok(block_on(runner::run_case(
            case,
            context,
            &expectations::EntryWaivers(&entries),
        )))
    });
    let report = match report {
        Ok(report) => report,
        Err(not_started) => return Ok(Completion::ignored_with(not_started)),
    };
    let verdict = expectations::verdict_of(&entries, &report);
    let event = CaseFinished {
        case,
        report: &report,
        verdict: &verdict,
    };
    shared.summary.case_finished(&event);
    shared.collector.case_finished(&event);
    outcome(&verdict).map_err(|failed| with_retries(failed, &report))
}

/// A failure message with the retries its steps needed, and the tries of its repeated
/// (`eventually`) steps, when they needed any.
fn with_retries(failed: Failed, report: &runner::CaseReport) -> Failed {
    let mut notes: Vec<String> = report
        .steps
        .iter()
        .filter_map(|r| {
            r.retries
                .as_ref()
                .map(|n| format!("{}: retries: {n}", r.step))
        })
        .collect();
    notes.extend(crate::report::json::tries_notes(report));
    if notes.is_empty() {
        return failed;
    }
    Failed::from(format!(
        "{}\n{}",
        failed.message().unwrap_or_default(),
        notes.join("\n")
    ))
}

fn outcome(verdict: &Verdict) -> Result<Completion, Failed> {
    match verdict {
        Verdict::Pass | Verdict::PassedWithWaivers { .. } => Ok(Completion::Completed),
        Verdict::ExpectedFailure { reasons } => Ok(Completion::ignored_with(format!(
            "expected failure: {}",
            reasons.join("; ")
        ))),
        Verdict::Fail { unexpected } => {
            let lines: Vec<String> = unexpected.iter().map(|f| f.to_string()).collect();
            Err(Failed::from(lines.join("\n")))
        }
        Verdict::Error { errors, unexpected } => {
            let lines: Vec<String> = errors
                .iter()
                .map(|e| e.to_string())
                .chain(unexpected.iter().map(|f| f.to_string()))
                .collect();
            Err(Failed::from(lines.join("\n")))
        }
        Verdict::UnexpectedPass { reasons, .. } => Err(Failed::from(format!(
            "unexpected pass: the expectations say this fails ({}), but it did not fail that way",
            reasons.join("; ")
        ))),
        Verdict::Intermittent { reasons, failed } => Ok(Completion::ignored_with(format!(
            "intermittent, {} this time: {}",
            if *failed { "failed" } else { "passed" },
            reasons.join("; ")
        ))),
    }
}

/// Why a nextest process without an endpoint stops.
const NEXTEST_NEEDS_ENDPOINT: &str = "under cargo-nextest every case runs in its own process, and starting a moto server per case would be slow, so the harness does not manage one there: start one server and name it, e.g. `moto_server -p 5000 &` (moto 5.2.5), then `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=http://127.0.0.1:5000 COGNITO_CONTRACT_TARGET=moto cargo nextest run --test contract` (or run `cargo test --test contract`, which starts moto once)";

/// One request before the run, so that an endpoint nobody listens on is one clear error (exit
/// status [`EXIT_UNREACHABLE`]) rather than a transport failure in every case. Any HTTP reply
/// counts as reachable; only no reply at all (refused, reset, timed out) does not.
async fn probe(context: &RunContext) -> Result<(), String> {
    let request = serde_json::json!({"MaxResults": 1});
    context
        .client
        .send("ListUserPools", &request, false)
        .await
        .map(|_| ())
}

/// Runs `future` to its end on this thread's own current-thread runtime (made on first use,
/// kept for the thread's life). Trials run their cases so: a case's requests, timers and
/// connections are driven by the thread that waits for them, with no hand-off to other
/// threads. Not for use inside a runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    thread_local! {
        static LOCAL: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
    }
    LOCAL.with(|runtime| runtime.block_on(future))
}

/// The shared multi-threaded tokio runtime: for what must go on while trial threads wait (the
/// signal listener), and for callers that want a runtime to spawn on.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(count: u16) -> Targets {
        let contexts = (0..count)
            .map(|i| {
                let endpoint = format!("http://127.0.0.1:{}", 1000 + i);
                Arc::new(RunContext::new(&endpoint, "us-east-1", Duration::from_secs(1)).unwrap())
            })
            .collect();
        Targets::new(contexts)
    }

    #[test]
    fn a_case_goes_to_the_endpoint_running_the_fewest_cases() {
        let targets = targets(3);
        let endpoint = |c: &RunContext| c.client.endpoint().to_owned();
        let seen = targets.with_least_busy(|a| {
            targets.with_least_busy(|b| {
                let c = targets.with_least_busy(endpoint);
                // Three cases at once: one on each server.
                let mut all = vec![endpoint(a), endpoint(b), c];
                all.sort();
                all.dedup();
                all.len()
            })
        });
        assert_eq!(seen, 3);
        // Each finished case frees its server: the next takes the first one again.
        let next = targets.with_least_busy(endpoint);
        assert_eq!(next, "http://127.0.0.1:1000/");
        assert!(
            targets
                .running
                .iter()
                .all(|r| r.load(Ordering::Relaxed) == 0)
        );
    }

    #[test]
    fn one_moto_per_test_thread_unless_a_count_is_given() {
        let args = |list: &[&str]| {
            Arguments::from_iter(std::iter::once("contract").chain(list.iter().copied()))
        };
        let suite = Suite::bundled();
        assert_eq!(suite.moto_servers_for(&args(&["--test-threads", "3"])), 3);
        let suite = suite.moto_servers(2);
        assert_eq!(suite.moto_servers_for(&args(&["--test-threads", "3"])), 2);
        assert_eq!(suite.moto_servers(0).moto_servers_for(&args(&[])), 1);
    }
}
