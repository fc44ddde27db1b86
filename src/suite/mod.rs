//! A suite run: loads the cases, works out the target (a managed moto unless an endpoint is
//! given; a managed cognito-local for `--target cognito-local` without one), turns each case into a libtest-mimic trial (named by its id, with its area as kind)
//! that runs on one shared tokio runtime, and applies the target's expectations.
//!
//! The same settings come from flags (`cognito-contract run`) or, for `harness = false` tests,
//! from the environment: see [`Suite::from_env`].

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

use crate::exec::runner::{self, RunContext};
use crate::http::aws::{self, NetworkSettings};
use crate::managed::Server;
use crate::report::{self, CaseFinished, Collector, Outputs, Reporter, Summary};
use crate::service::schemas::SchemaStore;
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
    /// for the SDKs; `COGNITO_CONTRACT_CASE_TIMEOUT` sets the per-case timeout. The opt-in,
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
        if !args.list {
            self.check_aws_opt_in()?;
        }
        let store = SchemaStore::global();
        let with_generated = self.includes_generated();
        let selection = select::load(&self.cases, args, store, with_generated)
            .map_err(|e: LoadErrors| e.to_string())?;

        // A replay is the target: the recording's, unless a target is named.
        let replay = self.start_replay(args.list)?;
        let target_name = self
            .target
            .clone()
            .or_else(|| replay.as_ref().map(|r| r.recorded_against().to_owned()))
            .or_else(|| self.endpoint.is_none().then(|| "moto".to_owned()));
        let ids = selection.ids();
        let expectations = self.expectations(target_name.as_deref(), &ids, with_generated)?;

        // Only start a server when some trial will run.
        let mut server = None;
        let endpoint = match (&self.endpoint, args.list) {
            _ if replay.is_some() => replay.as_ref().map_or("", |r| r.endpoint()).to_owned(),
            (Some(endpoint), _) => endpoint.clone(),
            (None, _) if self.target.as_deref() == Some(aws::AWS_TARGET) => {
                aws::regional_endpoint(&self.region)?
            }
            (None, true) => String::from("http://127.0.0.1:0"),
            (None, false) if report::process_per_test() => {
                return Err(NEXTEST_NEEDS_ENDPOINT.into());
            }
            (None, false) => {
                let started = Server::start_for(self.target.as_deref())?;
                let endpoint = started.endpoint().to_owned();
                server = Some(started);
                endpoint
            }
        };
        let shown_target = target_name.clone().unwrap_or_else(|| endpoint.clone());

        let (mut context, aws) = self.context_for(&endpoint, args.list)?;
        context.lenient = self.lenient;
        let recording = self.watch(&mut context, replay.is_some(), args.list, &shown_target)?;
        let context = Arc::new(context);
        if !args.list
            && let Err(message) = runtime().block_on(probe(&context))
        {
            eprintln!("error: {endpoint} is unreachable: {message}");
            return Ok(ExitCode::from(EXIT_UNREACHABLE));
        }
        let expectations = Arc::new(expectations);
        let summary = Arc::new(Summary::default());
        let collector = Arc::new(Collector::new(
            selection.suite.clone(),
            target_name.clone(),
            &endpoint,
            &self.region,
        ));

        // The hand-written cases first, the generated ones after them: on a target that does
        // not validate, a generated case may create something, and hand-written cases that list
        // the account (ListUserPools) should have finished by then.
        let mut cases = selection.cases;
        cases.sort_by_key(|case| case.area == crate::spec::generated::AREA);
        let trials = cases
            .into_iter()
            .map(|case| {
                let (context, expectations, summary, collector) = (
                    context.clone(),
                    expectations.clone(),
                    summary.clone(),
                    collector.clone(),
                );
                let name = case.id.clone();
                let kind = case.area.clone();
                Trial::ignorable_test(name, move || {
                    if let Some(reason) = aws::unmet_requirements(&case, aws) {
                        return Ok(Completion::ignored_with(reason));
                    }
                    if context.interrupt.is_raised() {
                        return Ok(Completion::ignored_with(context.interrupt.not_started()));
                    }
                    let entries = expectations.for_case(&case.id);
                    let report = runtime().block_on(runner::run_case(
                        &case,
                        &context,
                        &expectations::EntryWaivers(&entries),
                    ));
                    let verdict = expectations::verdict_of(&entries, &report);
                    let event = CaseFinished {
                        case: &case,
                        report: &report,
                        verdict: &verdict,
                    };
                    summary.case_finished(&event);
                    collector.case_finished(&event);
                    outcome(&verdict).map_err(|failed| with_retries(failed, &report))
                })
                .with_kind(kind)
            })
            .collect();

        let conclusion = libtest_mimic::run(args, trials);
        let (leftovers, _) = match args.list {
            true => (Vec::new(), true),
            false => runtime().block_on(crate::account::sweep::delete_leftovers(
                &context.client,
                &context.pools,
            )),
        };
        drop(server);
        drop(replay);
        if args.list {
            return Ok(conclusion.exit_code());
        }
        print!("{}", summary.render(&shown_target));
        for line in &leftovers {
            println!("{line}");
        }
        let full_run = args.filter.is_none() && args.skip.is_empty() && !args.ignored;
        let stale = expectations.stale_waivers();
        for entry in &stale {
            println!(
                "stale expectation: {:?} check {:?} covered no failure in this run ({})",
                entry.case,
                entry.check.map_or("-", |c| c.name()),
                entry.reason
            );
        }
        let stale_in_report = if full_run { stale.as_slice() } else { &[] };
        if let Err(message) = self.reports.write(collector.finish(stale_in_report)) {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(EXIT_HARNESS_ERROR));
        }
        let recorded = recording.finish(full_run);
        recorded.lines.iter().for_each(|line| println!("{line}"));
        if recorded.harness_error {
            return Ok(ExitCode::from(EXIT_HARNESS_ERROR));
        }
        if let Some(status) = context.interrupt.exit_status() {
            return Ok(ExitCode::from(status));
        }
        if conclusion.has_failed() || (full_run && !stale.is_empty()) || recorded.fails_run {
            return Ok(ExitCode::from(EXIT_UNEXPECTED));
        }
        Ok(ExitCode::SUCCESS)
    }
}

impl Suite {
    /// The replay server a run with [`Suite::replay`] answers from (none for `--list`).
    fn start_replay(
        &self,
        list: bool,
    ) -> Result<Option<crate::recording::replay::ReplayServer>, String> {
        match (&self.replay, list) {
            (Some(dir), false) => crate::recording::replay::ReplayServer::start(dir).map(Some),
            _ => Ok(None),
        }
    }

    /// Starts what the run does with a recording and hooks it into `context`; a replay's
    /// client names each request's case.
    fn watch(
        &self,
        context: &mut RunContext,
        replayed: bool,
        list: bool,
        target: &str,
    ) -> Result<crate::recording::Active, String> {
        if list {
            return Ok(crate::recording::Active::None);
        }
        let active =
            crate::recording::Active::start(self.recording.as_ref(), target, &self.region)?;
        context.observer = active.observer();
        if replayed {
            context.client = context.client.clone().tagging_cases();
        }
        Ok(active)
    }

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

    /// The run context for `endpoint`. For a run (not `--list`) this checks the real-AWS
    /// opt-in before anything is sent, resolves credentials, prints what a run against AWS
    /// needs to say, and listens for Ctrl-C and SIGTERM. Also says whether the target is AWS.
    fn context_for(&self, endpoint: &str, list: bool) -> Result<(RunContext, bool), String> {
        let aws = self.target.as_deref() == Some(aws::AWS_TARGET) || aws::is_aws_endpoint(endpoint);
        if list {
            return Ok((
                RunContext::new(endpoint, &self.region, self.request_timeout)?,
                aws,
            ));
        }
        let connection = runtime().block_on(aws::connect(
            endpoint,
            self.target.as_deref(),
            &self.region,
            &self.network,
            self.request_timeout,
        ))?;
        let mut context = RunContext::with_client(connection.client.clone());
        context.region = self.region.clone();
        context.secrets = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]
            .iter()
            .filter_map(|name| crate::support::env::var(name))
            .collect();
        context.case_timeout = Some(self.case_timeout.unwrap_or(DEFAULT_CASE_TIMEOUT));
        context.tag_pools = connection.aws;
        if connection.aws {
            eprint!("{}", connection.banner(Some(&context.prefix)));
        }
        context.interrupt.listen_for_signals(runtime())?;
        Ok((context, connection.aws))
    }
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

/// The one tokio runtime all trials share.
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
