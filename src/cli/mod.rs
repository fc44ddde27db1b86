//! The `cognito-contract` commands: run the suite, keep expectations, build the matrix, sweep,
//! serve moto or cognito-local, list cases, show coverage, print and validate schemas, generate
//! schemas. This is the only layer that prints to the terminal for a command and picks its exit
//! status; `main.rs` only parses the arguments and calls [`run`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

mod bench;
mod expectations;
mod generated;
mod matrix;
mod sweep;
use crate::managed::{Server, cognito_local};
use crate::service::model::Model;
use crate::service::schemagen;
use crate::service::schemas::{SchemaKind, SchemaStore};
use crate::spec::case_source::CaseSource;
use crate::spec::load;
use crate::spec::select;
use crate::suite::{EXIT_HARNESS_ERROR, Suite};

#[derive(Parser)]
#[command(
    name = "cognito-contract",
    version,
    about = "Contract tests for the Amazon Cognito Identity Provider API"
)]
pub struct Cli {
    /// Read the JSON Schemas from this directory instead of the ones built into the binary
    /// (for someone regenerating them) [env: COGNITO_CONTRACT_SCHEMAS].
    #[arg(long, global = true, value_name = "DIR")]
    schemas: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the cases against a target (default: a moto server started for the run).
    Run(Box<RunArgs>),
    /// Build a self-contained HTML conformance matrix from JSON reports, one column per target.
    Matrix {
        /// JSON reports written by `run --json-report` (reports of one target are merged).
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// The HTML file to write.
        #[arg(long, short, default_value = "conformance-matrix.html")]
        output: PathBuf,
        /// Also write the matrix by area as a Markdown table here (areas by targets).
        #[arg(long, value_name = "FILE")]
        markdown: Option<PathBuf>,
    },
    /// Maintain a target's expectations file.
    #[command(subcommand)]
    Expectations(ExpectationsCommand),
    /// Delete leftover user pools of earlier runs: names with a run prefix (cct-xxxxxx-),
    /// created longer ago than --older-than. Pools without the prefix are never touched.
    Sweep(sweep::SweepArgs),
    /// Measure a checked step against a raw HTTP client (and Hurl, when installed) on a
    /// loopback stub.
    Bench(bench::BenchArgs),
    /// Start the pinned moto (provisioning it on first use), print its endpoint, and keep it
    /// running until Ctrl-C or SIGTERM: one server for several runs.
    Moto,
    /// Start the pinned cognito-local (installing it with npm on first use; needs Node.js
    /// 20.19+ or 22.12+), print its endpoint, and keep it running until Ctrl-C or SIGTERM.
    CognitoLocal,
    /// List the cases with the operations their steps call.
    List {
        /// Case directory (default: the bundled cases).
        #[arg(long)]
        cases: Option<PathBuf>,
        #[command(flatten)]
        generated: GeneratedArgs,
    },
    /// Show which operations and documented errors the cases exercise.
    Coverage {
        /// Case directory (default: the bundled cases).
        #[arg(long)]
        cases: Option<PathBuf>,
        #[command(flatten)]
        generated: GeneratedArgs,
        /// `text` (a table) or `json`.
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// Show the generated validation cases: input constraints found, cases generated and
    /// constraints skipped (by keyword and reason), and which message parts are unverified.
    Generated {
        /// Also list every case (id, error, message check) and every skipped constraint.
        #[arg(long)]
        list: bool,
    },
    /// Print a standalone JSON Schema for an operation's input, output or an error.
    Schema {
        operation: String,
        #[command(flatten)]
        kind: KindArgs,
    },
    /// Validate a JSON document against an operation's schema; exit 1 on violations.
    Validate {
        operation: String,
        #[command(flatten)]
        kind: KindArgs,
        /// The JSON document (`-` for standard input).
        file: PathBuf,
    },
    /// Generate schemas/ from the botocore service model (default: the pinned botocore).
    GenerateSchemas {
        /// A botocore service-2.json (plain JSON).
        #[arg(long, requires = "paginators")]
        model: Option<PathBuf>,
        /// The matching paginators-1.json.
        #[arg(long, requires = "model")]
        paginators: Option<PathBuf>,
        /// Output directory (run it from the checkout's root to regenerate the committed ones).
        #[arg(long, default_value = "schemas")]
        out: PathBuf,
    },
}

#[derive(Args)]
struct RunArgs {
    /// Endpoint URL (default: $AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, then $AWS_ENDPOINT_URL,
    /// else a managed moto).
    #[arg(long)]
    endpoint: Option<String>,
    /// Target name; selects <cases>/expectations/<target>.json (default: $COGNITO_CONTRACT_TARGET;
    /// `moto` for the managed moto). `aws` is real AWS: the regional endpoint unless --endpoint
    /// is given, and it needs --allow-aws.
    #[arg(long)]
    target: Option<String>,
    /// Case directory (default: $COGNITO_CONTRACT_CASES, else the bundled cases).
    #[arg(long)]
    cases: Option<PathBuf>,
    /// Region (default: $AWS_REGION, else the profile's region, else us-east-1).
    #[arg(long)]
    region: Option<String>,
    /// The longest a case's setup and steps may take, e.g. 2m; teardown runs after it
    /// [default: 5m; env: COGNITO_CONTRACT_CASE_TIMEOUT].
    #[arg(long, value_name = "DURATION", value_parser = crate::http::aws::parse_duration)]
    case_timeout: Option<std::time::Duration>,
    #[command(flatten)]
    network: crate::http::aws::NetworkSettings,
    /// How many managed motos to start and share the cases out to, each case to one
    /// [default: one per test thread; env: COGNITO_CONTRACT_MOTO_SERVERS].
    #[arg(long, value_name = "N")]
    moto_servers: Option<usize>,
    /// Accept members the model does not document in replies, and warn about them.
    #[arg(long)]
    lenient: bool,
    /// Write JUnit XML here (default: $COGNITO_CONTRACT_JUNIT).
    #[arg(long, value_name = "PATH")]
    junit: Option<PathBuf>,
    /// Write the JSON report (schemas/report.schema.json) here (default:
    /// $COGNITO_CONTRACT_JSON_REPORT).
    #[arg(long, value_name = "PATH")]
    json_report: Option<PathBuf>,
    /// Write a Markdown summary here, e.g. $GITHUB_STEP_SUMMARY (default:
    /// $COGNITO_CONTRACT_MARKDOWN).
    #[arg(long, value_name = "PATH")]
    markdown: Option<PathBuf>,
    #[command(flatten)]
    generated: GeneratedArgs,
    #[command(flatten)]
    recording: RecordingArgs,
    #[command(flatten)]
    libtest: libtest_mimic::Arguments,
}

/// What the run does with a recording (see the README's "Record and replay").
#[derive(Args)]
struct RecordingArgs {
    /// Write each case's requests and replies, normalised, into DIR (DIR/<case id>.json).
    #[arg(long, value_name = "DIR", conflicts_with = "verify_recording")]
    record: Option<PathBuf>,
    /// Compare the target's replies value by value with the recording in DIR (paths to leave
    /// out, with reasons, in DIR/ignore.json).
    #[arg(long, value_name = "DIR")]
    verify_recording: Option<PathBuf>,
    /// Answer from the recording in DIR instead of a target (no endpoint needed; the target's
    /// expectations are the recording's unless --target says otherwise).
    #[arg(long, value_name = "DIR", conflicts_with = "endpoint")]
    replay: Option<PathBuf>,
}

impl RecordingArgs {
    fn mode(&self) -> Option<crate::recording::Mode> {
        use crate::recording::Mode;
        let record = self.record.clone().map(Mode::Record);
        record.or_else(|| self.verify_recording.clone().map(Mode::Verify))
    }
}

/// Whether the generated validation cases join the suite.
#[derive(Args)]
struct GeneratedArgs {
    /// Leave out the generated validation cases (`generated/...`)
    /// [env: COGNITO_CONTRACT_GENERATED=0].
    #[arg(long, conflicts_with = "generated")]
    no_generated: bool,
    /// Include the generated validation cases with a case directory of your own too (they
    /// join the bundled cases by default) [env: COGNITO_CONTRACT_GENERATED=1].
    #[arg(long)]
    generated: bool,
}

impl GeneratedArgs {
    /// The choice the flags make, if they make one.
    fn choice(&self) -> Option<bool> {
        match (self.no_generated, self.generated) {
            (true, _) => Some(false),
            (_, true) => Some(true),
            _ => None,
        }
    }
}

#[derive(Subcommand)]
enum ExpectationsCommand {
    /// Rewrite <cases>/expectations/<target>.json from a run: add its new failures, drop entries
    /// that now pass, keep the reasons. Exit 1 while entries still need a reason.
    Update {
        /// The target whose expectations to rewrite.
        #[arg(long)]
        target: String,
        /// Case directory (default: the bundled cases).
        #[arg(long)]
        cases: Option<PathBuf>,
        /// The reason to write into new entries (default: a TODO placeholder, which the loader
        /// rejects until it is replaced).
        #[arg(long)]
        reason: Option<String>,
        /// JSON reports of runs against the target (shards are merged).
        #[arg(required = true)]
        reports: Vec<PathBuf>,
    },
    /// Write a first <cases>/expectations/<target>.json from a run without one: a failure
    /// shared by 3 or more cases (same check, place, value found) becomes one rule, the rest
    /// per-case entries, every reason a TODO to replace. Exit 1 (reasons needed), 2 on errors.
    Init {
        /// The target whose expectations to write.
        #[arg(long)]
        target: String,
        /// Case directory (default: the checkout's cases/).
        #[arg(long)]
        cases: Option<PathBuf>,
        /// JSON reports of runs against the target (shards are merged).
        #[arg(required = true)]
        reports: Vec<PathBuf>,
    },
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct KindArgs {
    #[arg(long)]
    input: bool,
    #[arg(long)]
    output: bool,
    /// An error name, e.g. UsernameExistsException.
    #[arg(long, value_name = "NAME")]
    error: Option<String>,
}

impl KindArgs {
    fn kind(&self) -> SchemaKind {
        match (&self.error, self.input) {
            (Some(name), _) => SchemaKind::Error(name.clone()),
            (None, true) => SchemaKind::Input,
            (None, false) => SchemaKind::Output,
        }
    }
}

/// Runs the command `cli` names.
pub fn run(cli: Cli) -> ExitCode {
    let schemas = cli
        .schemas
        .or_else(|| crate::support::env::path("COGNITO_CONTRACT_SCHEMAS"));
    if let Some(dir) = schemas
        && let Err(e) = SchemaStore::use_dir(&dir)
    {
        return fail(e);
    }
    if cli.command.only_prints() {
        stop_quietly_on_closed_pipe();
    }
    match cli.command {
        Command::Run(args) => {
            let args = *args;
            let mut suite = Suite::from_env();
            if let Some(endpoint) = args.endpoint {
                suite.endpoint = Some(endpoint);
            }
            if let Some(target) = args.target {
                suite.target = Some(target);
            }
            if let Some(cases) = args.cases {
                suite.cases = CaseSource::Dir(cases);
            }
            if let Some(region) = args.region {
                suite.region = region;
            }
            suite.lenient |= args.lenient;
            suite.generated = args.generated.choice().or(suite.generated);
            suite.network = args.network;
            suite.case_timeout = args.case_timeout.or(suite.case_timeout);
            suite.moto_servers = args.moto_servers.or(suite.moto_servers);
            suite.reports.junit = args.junit.or(suite.reports.junit);
            suite.reports.json = args.json_report.or(suite.reports.json);
            suite.reports.markdown = args.markdown.or(suite.reports.markdown);
            suite.recording = args.recording.mode();
            suite.replay = args.recording.replay;
            suite.run_with(&args.libtest)
        }
        Command::Matrix {
            reports,
            output,
            markdown,
        } => matrix::command(&reports, &output, markdown.as_deref()),
        Command::Expectations(command) => expectations::command(command),
        Command::Sweep(args) => sweep::command(&args),
        Command::Moto => serve(Server::start_for(Some("moto"))),
        Command::CognitoLocal => serve(Server::start_for(Some(cognito_local::TARGET))),
        Command::Bench(args) => bench::command(&args),
        Command::List { cases, generated } => list(cases, &generated),
        Command::Coverage {
            cases,
            generated,
            format,
        } => coverage(cases, &generated, &format),
        Command::Generated { list } => generated::command(list),
        Command::Schema { operation, kind } => schema(&operation, &kind.kind()),
        Command::Validate {
            operation,
            kind,
            file,
        } => validate(&operation, &kind.kind(), &file),
        Command::GenerateSchemas {
            model,
            paginators,
            out,
        } => generate(model.zip(paginators), &out),
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_HARNESS_ERROR)
}

impl Command {
    /// Commands that only print what they read: a closed pipe (`| head`) ends them quietly.
    /// A run of the suite is not one of them: it must still tear down what it created.
    fn only_prints(&self) -> bool {
        match self {
            Command::List { .. }
            | Command::Coverage { .. }
            | Command::Generated { .. }
            | Command::Schema { .. }
            | Command::Validate { .. } => true,
            Command::Run(args) => args.libtest.list,
            _ => false,
        }
    }
}

/// Lets a closed standard output end the process as it ends `ls | head`, instead of a panic in
/// `println!` (Rust ignores SIGPIPE, so writes fail with `EPIPE` and `println!` panics).
fn stop_quietly_on_closed_pipe() {
    // SAFETY: restoring the default disposition of SIGPIPE before any thread is started; no
    // handler function is involved.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// The cases given, or the bundled ones.
fn case_source(cases: Option<PathBuf>) -> CaseSource {
    cases.map_or(CaseSource::Bundled, CaseSource::Dir)
}

/// `./cases` when the current directory is a checkout with an `expectations/` folder there.
fn checkout_cases() -> Option<PathBuf> {
    let dir = PathBuf::from("cases");
    dir.join("expectations").is_dir().then_some(dir)
}

/// The cases given (or the bundled ones) and, unless left out, the generated cases.
fn load_cases(
    cases: Option<PathBuf>,
    generated: &GeneratedArgs,
) -> Result<Vec<crate::spec::case::Case>, load::LoadErrors> {
    let mut suite = Suite::bundled();
    suite.cases = case_source(cases);
    suite.generated = generated.choice().or_else(crate::suite::generated_from_env);
    select::load_all(
        &suite.cases,
        SchemaStore::global(),
        suite.includes_generated(),
    )
}

fn list(cases: Option<PathBuf>, generated: &GeneratedArgs) -> ExitCode {
    match load_cases(cases, generated) {
        Ok(cases) => {
            for case in cases {
                let mut operations: Vec<&str> = Vec::new();
                for (_, _, step) in case.all_steps() {
                    if !operations.contains(&step.operation.as_str()) {
                        operations.push(&step.operation);
                    }
                }
                println!("{}\t{}", case.id, operations.join(","));
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// Serves a managed server until Ctrl-C or SIGTERM.
fn serve(server: Result<Server, String>) -> ExitCode {
    let server = match server {
        Ok(server) => server,
        Err(e) => return fail(e),
    };
    println!("endpoint: {}", server.endpoint());
    let _ = std::io::Write::flush(&mut std::io::stdout());
    let stopped = crate::suite::runtime().block_on(async {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = terminate.recv() => Ok(()),
        }
    });
    drop(server);
    match stopped {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format!("cannot wait for signals: {e}")),
    }
}

fn coverage(cases: Option<PathBuf>, generated: &GeneratedArgs, format: &str) -> ExitCode {
    let store = SchemaStore::global();
    let cases = match load_cases(cases, generated) {
        Ok(cases) => cases,
        Err(e) => return fail(e),
    };
    let coverage = crate::spec::coverage::coverage(&cases, store);
    if format == "json" {
        println!(
            "{}",
            serde_json::to_string_pretty(&coverage).unwrap_or_default()
        );
    } else {
        print!("{}", coverage.render_text());
    }
    ExitCode::SUCCESS
}

fn schema(operation: &str, kind: &SchemaKind) -> ExitCode {
    match SchemaStore::global().standalone(operation, kind) {
        Ok(schema) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&schema).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

fn validate(operation: &str, kind: &SchemaKind, file: &Path) -> ExitCode {
    let text = if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(file)
    };
    let text = match text {
        Ok(text) => text,
        Err(e) => return fail(format!("cannot read {}: {e}", file.display())),
    };
    let document: serde_json::Value = match serde_json::from_str(&text) {
        Ok(document) => document,
        Err(e) => {
            return fail(format!(
                "{}:{}:{}: invalid JSON: {e}",
                file.display(),
                e.line(),
                e.column()
            ));
        }
    };
    match SchemaStore::global().validate(operation, kind, &document) {
        Ok(violations) if violations.is_empty() => {
            println!("{}: valid", file.display());
            ExitCode::SUCCESS
        }
        Ok(violations) => {
            for v in &violations {
                let pointer = if v.pointer.is_empty() {
                    "/"
                } else {
                    &v.pointer
                };
                println!("{}: {pointer}: {}", file.display(), v.message);
            }
            ExitCode::FAILURE
        }
        Err(e) => fail(e),
    }
}

fn generate(files: Option<(PathBuf, PathBuf)>, out: &Path) -> ExitCode {
    let model = match files {
        Some((model, paginators)) => Model::load(&model, &paginators),
        None => crate::service::model::pinned_model(),
    };
    let model = match model {
        Ok(model) => model,
        Err(e) => return fail(e),
    };
    match schemagen::generate_into(out, &model) {
        Ok(()) => {
            println!("wrote schemas to {}", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
