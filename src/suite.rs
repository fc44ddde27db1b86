//! A suite run: loads the cases, works out the target (a managed moto unless an endpoint is
//! given), turns each case into a libtest-mimic trial (named by its id, with its area as kind)
//! that runs on one shared tokio runtime, and applies the target's expectations.
//!
//! The same settings come from flags (`cognito-contract run`) or, for `harness = false` tests,
//! from the environment: see [`Suite::from_env`].

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

use crate::expectations::{self, Expectations, Verdict};
use crate::load::{self, LoadErrors};
use crate::moto::MotoServer;
use crate::report::{CaseFinished, Reporter, Summary};
use crate::runner::{self, RunContext};
use crate::schemas::SchemaStore;

/// Exit status when cases or expectations cannot be loaded or the target cannot be set up.
pub const EXIT_HARNESS_ERROR: u8 = 2;

/// What to run against what.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The case directory (its `expectations/` folder holds the targets' expectations).
    pub cases_dir: PathBuf,
    /// The endpoint; `None` starts a managed moto.
    pub endpoint: Option<String>,
    /// The target's name, which selects `expectations/<target>.json`. A managed moto is `moto`.
    pub target: Option<String>,
    pub region: String,
    /// Accept undocumented members in replies, reporting them as warnings.
    pub lenient: bool,
    /// Per-request timeout.
    pub request_timeout: Duration,
}

impl Suite {
    /// The bundled cases against a managed moto, in `us-east-1`.
    pub fn bundled() -> Suite {
        Suite {
            cases_dir: load::bundled_cases_dir(),
            endpoint: None,
            target: None,
            region: "us-east-1".into(),
            lenient: false,
            request_timeout: Duration::from_secs(30),
        }
    }

    /// The bundled suite with settings from the environment, as the AWS SDKs read them:
    /// `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`, then `AWS_ENDPOINT_URL`; `AWS_REGION`;
    /// plus `COGNITO_CONTRACT_TARGET`, `COGNITO_CONTRACT_CASES` and `COGNITO_CONTRACT_LENIENT=1`.
    pub fn from_env() -> Suite {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let mut suite = Suite::bundled();
        suite.endpoint =
            var("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER").or_else(|| var("AWS_ENDPOINT_URL"));
        suite.target = var("COGNITO_CONTRACT_TARGET");
        if let Some(region) = var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")) {
            suite.region = region;
        }
        if let Some(dir) = var("COGNITO_CONTRACT_CASES") {
            suite.cases_dir = PathBuf::from(dir);
        }
        suite.lenient = var("COGNITO_CONTRACT_LENIENT").is_some_and(|v| v != "0" && v != "false");
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
        self.cases_dir = dir.into();
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
        let store = SchemaStore::bundled();
        let cases =
            load::load_dir(&self.cases_dir, store).map_err(|e: LoadErrors| e.to_string())?;

        let target_name = self
            .target
            .clone()
            .or_else(|| self.endpoint.is_none().then(|| "moto".to_owned()));
        let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        let expectations = match &target_name {
            Some(name) => Expectations::load(&self.cases_dir, name, &ids)
                .map_err(|errors| LoadErrors(errors).to_string())?,
            None => Expectations::none(),
        };

        // Only start a server when some trial will run.
        let mut server = None;
        let endpoint = match (&self.endpoint, args.list) {
            (Some(endpoint), _) => endpoint.clone(),
            (None, true) => String::from("http://127.0.0.1:0"),
            (None, false) => {
                let started = MotoServer::start().map_err(|e| format!("cannot start moto: {e}"))?;
                let endpoint = started.endpoint().to_owned();
                server = Some(started);
                endpoint
            }
        };
        let shown_target = target_name.clone().unwrap_or_else(|| endpoint.clone());

        let mut context = RunContext::new(&endpoint, &self.region, self.request_timeout)?;
        context.lenient = self.lenient;
        let context = Arc::new(context);
        let expectations = Arc::new(expectations);
        let summary = Arc::new(Summary::default());

        let trials = cases
            .into_iter()
            .map(|case| {
                let (context, expectations, summary) =
                    (context.clone(), expectations.clone(), summary.clone());
                let name = case.id.clone();
                let kind = case.area.clone();
                Trial::ignorable_test(name, move || {
                    let entries = expectations.for_case(&case.id);
                    let report = runtime().block_on(runner::run_case(&case, &context, &entries));
                    let verdict = expectations::verdict(&entries, &report.failures());
                    summary.case_finished(&CaseFinished {
                        case: &case,
                        report: &report,
                        verdict: &verdict,
                    });
                    outcome(&verdict)
                })
                .with_kind(kind)
            })
            .collect();

        let conclusion = libtest_mimic::run(args, trials);
        drop(server);
        if args.list {
            return Ok(conclusion.exit_code());
        }
        print!("{}", summary.render(&shown_target));
        let full_run = args.filter.is_none() && args.skip.is_empty() && !args.ignored;
        let stale = expectations.stale_waivers();
        for entry in &stale {
            println!(
                "stale expectation: {:?} check {:?} covered no failure in this run ({})",
                entry.case,
                entry.check.as_deref().unwrap_or("-"),
                entry.reason
            );
        }
        if conclusion.has_failed() || (full_run && !stale.is_empty()) {
            return Ok(ExitCode::from(101));
        }
        Ok(ExitCode::SUCCESS)
    }
}

fn outcome(verdict: &Verdict) -> Result<Completion, Failed> {
    match verdict {
        Verdict::Pass => Ok(Completion::Completed),
        Verdict::ExpectedFailure { reasons } => Ok(Completion::ignored_with(format!(
            "expected failure: {}",
            reasons.join("; ")
        ))),
        Verdict::Fail { unexpected } => {
            let lines: Vec<String> = unexpected.iter().map(|f| f.to_string()).collect();
            Err(Failed::from(lines.join("\n")))
        }
        Verdict::UnexpectedPass { reasons } => Err(Failed::from(format!(
            "unexpected pass: the expectations say this fails ({}), but it did not fail that way",
            reasons.join("; ")
        ))),
    }
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
