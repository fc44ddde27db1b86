//! `cognito-contract sweep`: deletes leftover pools of earlier runs (see
//! [`crate::account::sweep`]).

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use crate::account::sweep::{SweepOptions, sweep};
use crate::suite::EXIT_HARNESS_ERROR;

/// The `cognito-contract sweep` command's arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct SweepArgs {
    /// Endpoint URL (default: $AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, then
    /// $AWS_ENDPOINT_URL).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// `aws` for real AWS: the regional endpoint unless --endpoint is given (needs --allow-aws).
    #[arg(long)]
    pub target: Option<String>,
    /// Region (default: $AWS_REGION, else the profile's region, else us-east-1).
    #[arg(long)]
    pub region: Option<String>,
    /// Only pools created at least this long ago, e.g. 30m, 1h, 2d (0s for all).
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = crate::http::aws::parse_duration)]
    pub older_than: Duration,
    /// List the pools that would be deleted, and delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub network: crate::http::aws::NetworkSettings,
}

/// Runs `cognito-contract sweep`: exit 0 when every selected pool went (or, with `--dry-run`,
/// was listed), 1 when some could not be deleted, 2 when the target cannot be reached or
/// listed.
pub(super) fn command(args: &SweepArgs) -> std::process::ExitCode {
    let fail = |message: String| {
        eprintln!("error: {message}");
        ExitCode::from(EXIT_HARNESS_ERROR)
    };
    let defaults = crate::suite::Suite::from_env();
    let region = args.region.clone().unwrap_or(defaults.region);
    let target = args.target.clone().or(defaults.target);
    let endpoint = match (
        args.endpoint.clone().or(defaults.endpoint),
        target.as_deref(),
    ) {
        (Some(endpoint), _) => endpoint,
        (None, Some(crate::http::aws::AWS_TARGET)) => {
            match crate::http::aws::regional_endpoint(&region) {
                Ok(endpoint) => endpoint,
                Err(e) => return fail(e),
            }
        }
        (None, _) => {
            return fail(
                "sweep needs an endpoint: --endpoint URL, or --target aws for real AWS".into(),
            );
        }
    };
    let runtime = crate::suite::runtime();
    let connection = match runtime.block_on(crate::http::aws::connect(
        &endpoint,
        target.as_deref(),
        &region,
        &args.network,
        defaults.request_timeout,
    )) {
        Ok(connection) => connection,
        Err(e) => return fail(e),
    };
    if connection.aws {
        eprint!("{}", connection.banner(None));
    }
    let options = SweepOptions {
        older_than: args.older_than,
        dry_run: args.dry_run,
    };
    match runtime.block_on(sweep(&connection.client, &options, SystemTime::now())) {
        Ok(report) => {
            print!("{}", report.text);
            if report.failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => fail(format!("cannot list the pools at {endpoint}: {e}")),
    }
}
