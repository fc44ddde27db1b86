//! Reaching a target safely, real AWS above all: which endpoint a target means, the explicit
//! opt-in a run against AWS needs, the credentials and the pacing it gets, and what it tells
//! the user before it starts.
//!
//! - `--target aws` means the regional endpoint `https://cognito-idp.<region>.amazonaws.com`
//!   (unless `--endpoint` names another one).
//! - Any endpoint under `amazonaws.com` (or `amazonaws.com.cn`, `api.aws`) is refused before
//!   anything is sent unless `--allow-aws` or `COGNITO_CONTRACT_ALLOW_AWS=1` allows it
//!   ([`check_allowed`]).
//! - A run against AWS (such an endpoint, or the `aws` target) requires real credentials (see
//!   [`crate::http::credentials`]), paces its requests conservatively, tags the pools it creates with
//!   the run prefix ([`crate::account::pools::tag_new_pool`]) and skips cases that need outside setup
//!   ([`unmet_requirements`]). Other endpoints are emulators: `test`/`test` credentials unless
//!   others are configured, no pacing, requests exactly as the case files write them.
//! - [`Connection::banner`] says, before the run, the endpoint, the region and where the
//!   credentials come from (never the secret).

use std::sync::Arc;
use std::time::Duration;

use crate::http::client::{Client, ClientOptions};
use crate::http::credentials::{self, Purpose};
use crate::http::sigv4::Sigv4Signer;
use crate::spec::case::Case;
use crate::spec::side_effects;
use crate::support::env;

/// The target name that means real AWS.
pub const AWS_TARGET: &str = "aws";
/// The environment variable that allows real AWS endpoints, like `--allow-aws`.
pub const ALLOW_AWS_ENV: &str = "COGNITO_CONTRACT_ALLOW_AWS";
/// The tag key [`crate::account::pools::tag_new_pool`] adds to `UserPoolTags`; its value is the run prefix.
pub const RUN_TAG_KEY: &str = "cognito-contract-run";
/// Cognito's limit on tags per pool.
pub const MAX_POOL_TAGS: usize = 50;

/// How a run reaches its target and how hard it may push it. Unset values come from the
/// environment, then from defaults for the kind of target.
#[derive(Debug, Clone, Default, PartialEq, clap::Args)]
pub struct NetworkSettings {
    /// Allow a real AWS endpoint (*.amazonaws.com); also COGNITO_CONTRACT_ALLOW_AWS=1.
    #[arg(long)]
    pub allow_aws: bool,
    /// Attempts per request, retries included [default: 3; env: AWS_MAX_ATTEMPTS].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: Option<u32>,
    /// Requests in flight at most, 0 for no limit [default: 4 against AWS, else no limit; env:
    /// COGNITO_CONTRACT_MAX_CONCURRENCY].
    #[arg(long, value_name = "N")]
    pub max_concurrency: Option<usize>,
    /// Requests per second at most, 0 for no limit [default: 5 against AWS, else no limit; env:
    /// COGNITO_CONTRACT_REQUESTS_PER_SECOND].
    #[arg(long, value_name = "N")]
    pub requests_per_second: Option<f64>,
    /// Per-request timeout, e.g. 30s [default: 30s; env: COGNITO_CONTRACT_REQUEST_TIMEOUT].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub request_timeout: Option<Duration>,
}

impl NetworkSettings {
    /// These settings with unset values taken from the environment (`env`).
    pub fn with_env(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<NetworkSettings, String> {
        let var = |name: &str| {
            env(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        fn parsed<T: std::str::FromStr>(
            name: &str,
            value: Option<String>,
        ) -> Result<Option<T>, String> {
            value
                .map(|v| {
                    v.parse::<T>()
                        .map_err(|_| format!("{name}={v:?} is not a valid value"))
                })
                .transpose()
        }
        let mut merged = self.clone();
        merged.allow_aws |= var(ALLOW_AWS_ENV).is_some_and(|v| env::truthy(&v));
        if merged.max_attempts.is_none() {
            merged.max_attempts = parsed("AWS_MAX_ATTEMPTS", var("AWS_MAX_ATTEMPTS"))?;
            if merged.max_attempts == Some(0) {
                return Err("AWS_MAX_ATTEMPTS must be at least 1".into());
            }
        }
        if merged.max_concurrency.is_none() {
            merged.max_concurrency = parsed(
                "COGNITO_CONTRACT_MAX_CONCURRENCY",
                var("COGNITO_CONTRACT_MAX_CONCURRENCY"),
            )?;
        }
        if merged.requests_per_second.is_none() {
            merged.requests_per_second = parsed(
                "COGNITO_CONTRACT_REQUESTS_PER_SECOND",
                var("COGNITO_CONTRACT_REQUESTS_PER_SECOND"),
            )?;
        }
        if merged.request_timeout.is_none()
            && let Some(v) = var("COGNITO_CONTRACT_REQUEST_TIMEOUT")
        {
            merged.request_timeout = Some(
                parse_duration(&v).map_err(|e| format!("COGNITO_CONTRACT_REQUEST_TIMEOUT: {e}"))?,
            );
        }
        Ok(merged)
    }

    /// The client options for a target of this kind, with these settings applied.
    pub fn client_options(&self, aws: bool, default_timeout: Duration) -> ClientOptions {
        let timeout = self.request_timeout.unwrap_or(default_timeout);
        let mut options = if aws {
            ClientOptions::aws(timeout)
        } else {
            ClientOptions::emulator(timeout)
        };
        if let Some(attempts) = self.max_attempts {
            options.retry.max_attempts = attempts.max(1);
        }
        if let Some(n) = self.max_concurrency {
            options.max_concurrency = (n > 0).then_some(n);
        }
        if let Some(rps) = self.requests_per_second {
            options.requests_per_second = (rps > 0.0).then_some(rps);
        }
        options
    }
}

/// Parses `90`, `90s`, `1500ms`, `5m`, `1h`, `2d`, `1h30m` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("an empty duration".into());
    }
    if let Ok(secs) = text.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).map_err(|e| format!("{text:?}: {e}"));
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(digits);
        let units = after
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(units);
        let value: f64 = number
            .parse()
            .map_err(|_| format!("{text:?} is not a duration like 90s, 5m, 1h30m"))?;
        let scale = match unit.trim() {
            "ms" => 0.001,
            "s" | "sec" | "secs" => 1.0,
            "m" | "min" | "mins" => 60.0,
            "h" | "hr" | "hours" | "hour" => 3600.0,
            "d" | "day" | "days" => 86_400.0,
            _ => return Err(format!("{text:?} is not a duration like 90s, 5m, 1h30m")),
        };
        total += Duration::try_from_secs_f64(value * scale).map_err(|e| e.to_string())?;
        rest = next;
    }
    Ok(total)
}

/// The host of `endpoint`, lowercased and without a trailing dot.
fn host(endpoint: &str) -> Option<String> {
    let url = reqwest::Url::parse(endpoint).ok()?;
    Some(url.host_str()?.trim_end_matches('.').to_ascii_lowercase())
}

/// Whether `endpoint` is a real AWS endpoint (a host under `amazonaws.com`,
/// `amazonaws.com.cn` or `api.aws`).
pub fn is_aws_endpoint(endpoint: &str) -> bool {
    let Some(host) = host(endpoint) else {
        // Not a URL we can read: treat anything that mentions AWS's domains as AWS.
        let lower = endpoint.to_ascii_lowercase();
        return lower.contains("amazonaws.com") || lower.contains("api.aws");
    };
    ["amazonaws.com", "amazonaws.com.cn", "api.aws"]
        .iter()
        .any(|domain| host == *domain || host.ends_with(&format!(".{domain}")))
}

/// The regional Cognito Identity Provider endpoint, `https://cognito-idp.<region>.amazonaws.com`
/// (`.amazonaws.com.cn` in the China regions).
pub fn regional_endpoint(region: &str) -> Result<String, String> {
    let valid = regex::Regex::new("^[a-z]{2}(-[a-z]+)+-[0-9]+$").expect("a valid pattern");
    if !valid.is_match(region) {
        return Err(format!(
            "{region:?} is not an AWS region name (like us-east-1); set --region or AWS_REGION"
        ));
    }
    let domain = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    Ok(format!("https://cognito-idp.{region}.{domain}"))
}

/// Refuses a real AWS endpoint unless `allowed`. Sends nothing.
pub fn check_allowed(endpoint: &str, allowed: bool) -> Result<(), String> {
    if is_aws_endpoint(endpoint) && !allowed {
        return Err(format!(
            "{endpoint} is real AWS: a run there creates and deletes resources in the account \
             your credentials belong to, costs money, and uses its request quotas. Allow it \
             explicitly with --allow-aws or {ALLOW_AWS_ENV}=1 (see README, \"Running against \
             real AWS\")"
        ));
    }
    Ok(())
}

/// A resolved target, ready to send to.
pub struct Connection {
    pub client: Client,
    pub endpoint: String,
    pub region: String,
    /// Real AWS (an AWS endpoint or the `aws` target).
    pub aws: bool,
    /// Where the credentials come from (no secret).
    pub credentials: String,
}

impl Connection {
    /// What a run against real AWS prints before it starts: endpoint, region, credential
    /// source, pacing, and how to clean up. `prefix` is the run prefix, if there is a run.
    pub fn banner(&self, prefix: Option<&str>) -> String {
        let options = self.client.options();
        let limit = |value: Option<String>| value.unwrap_or_else(|| "no limit".into());
        let mut text = format!(
            "cognito-contract: real AWS\n  endpoint:    {}\n  region:      {}\n  \
             credentials: {}\n  pacing:      {} requests in flight, {} per second, {} attempts \
             per request\n",
            self.endpoint.trim_end_matches('/'),
            self.region,
            self.credentials,
            limit(options.max_concurrency.map(|n| n.to_string())),
            limit(options.requests_per_second.map(|n| n.to_string())),
            options.retry.max_attempts,
        );
        if let Some(prefix) = prefix {
            text.push_str(&format!(
                "  resources:   named {prefix}..., pools tagged {RUN_TAG_KEY}={}; leftovers: \
                 `cognito-contract sweep --target aws --region {} --allow-aws`\n",
                prefix.trim_end_matches('-'),
                self.region
            ));
        }
        text
    }
}

/// Resolves the target against the process environment (see [`connect_with`]).
pub async fn connect(
    endpoint: &str,
    target: Option<&str>,
    region: &str,
    settings: &NetworkSettings,
    default_timeout: Duration,
) -> Result<Connection, String> {
    connect_with(
        endpoint,
        target,
        region,
        settings,
        default_timeout,
        &env::var,
    )
    .await
}

/// Checks the opt-in (before anything else, and before anything is sent), merges the settings
/// with `env`, resolves credentials and builds the client.
pub async fn connect_with(
    endpoint: &str,
    target: Option<&str>,
    region: &str,
    settings: &NetworkSettings,
    default_timeout: Duration,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Connection, String> {
    let settings = settings.with_env(env)?;
    check_allowed(endpoint, settings.allow_aws)?;
    let aws = is_aws_endpoint(endpoint) || target == Some(AWS_TARGET);
    let purpose = if aws { Purpose::Aws } else { Purpose::Emulator };
    let resolved = credentials::resolve_with(purpose, region, env)
        .await
        .map_err(|e| format!("credentials for {endpoint}: {e}"))?;
    let description = resolved.describe();
    let signer = Arc::new(Sigv4Signer::new(region, Arc::new(resolved.provider)));
    let client = Client::new(
        endpoint,
        Some(signer),
        &settings.client_options(aws, default_timeout),
    )?;
    Ok(Connection {
        endpoint: client.endpoint().to_owned(),
        client,
        region: region.to_owned(),
        aws,
        credentials: description,
    })
}

/// Why a run against AWS skips `case`: it needs outside setup (`requires`) that a plain account
/// does not have. `None` for other targets and for cases that need nothing.
pub fn unmet_requirements(case: &Case, aws: bool) -> Option<String> {
    if !aws {
        return None;
    }
    if !case.requires.is_empty() {
        return Some(format!(
            "requires {}, which the aws target does not set up",
            case.requires.join(", ")
        ));
    }
    let refused: Vec<&str> = case
        .side_effects
        .iter()
        .map(String::as_str)
        .filter(|effect| match *effect {
            side_effects::ACCOUNT_SETTINGS => !env::flag(ALLOW_ACCOUNT_SETTINGS_ENV),
            _ => !env::flag(ALLOW_MAIL_ENV),
        })
        .collect();
    (!refused.is_empty()).then(|| {
        format!(
            "{} against AWS only when the run allows it ({ALLOW_MAIL_ENV}=1 for mail and SMS, \
             {ALLOW_ACCOUNT_SETTINGS_ENV}=1 for account settings)",
            refused.join(", ")
        )
    })
}

/// Lets cases that make Cognito send email or SMS run against AWS.
pub const ALLOW_MAIL_ENV: &str = "COGNITO_CONTRACT_ALLOW_MAIL";
/// Lets cases that change account-level settings run against AWS.
pub const ALLOW_ACCOUNT_SETTINGS_ENV: &str = "COGNITO_CONTRACT_ALLOW_ACCOUNT_SETTINGS";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_endpoints_are_recognised() {
        for endpoint in [
            "https://cognito-idp.us-east-1.amazonaws.com",
            "https://cognito-idp.us-east-1.amazonaws.com/",
            "https://COGNITO-IDP.EU-WEST-1.AMAZONAWS.COM:443/",
            "https://cognito-idp-fips.us-east-1.amazonaws.com.",
            "https://cognito-idp.cn-north-1.amazonaws.com.cn",
            "https://cognito-idp.us-east-1.api.aws",
            "http://amazonaws.com",
            "cognito-idp.us-east-1.amazonaws.com",
        ] {
            assert!(is_aws_endpoint(endpoint), "{endpoint}");
        }
        for endpoint in [
            "http://127.0.0.1:5000",
            "http://localhost:9229",
            "https://notamazonaws.com",
            "https://amazonaws.com.example.org",
        ] {
            assert!(!is_aws_endpoint(endpoint), "{endpoint}");
        }
    }

    #[test]
    fn the_aws_target_is_the_regional_endpoint() {
        assert_eq!(
            regional_endpoint("eu-west-1").unwrap(),
            "https://cognito-idp.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            regional_endpoint("cn-north-1").unwrap(),
            "https://cognito-idp.cn-north-1.amazonaws.com.cn"
        );
        assert!(regional_endpoint("us-gov-west-1").is_ok());
        for bad in ["", "evil.example.com/", "us-east-1.x", "US-EAST-1"] {
            assert!(regional_endpoint(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn aws_needs_the_opt_in() {
        let error =
            check_allowed("https://cognito-idp.us-east-1.amazonaws.com", false).unwrap_err();
        assert!(error.contains("--allow-aws"), "{error}");
        assert!(error.contains(ALLOW_AWS_ENV), "{error}");
        assert!(check_allowed("https://cognito-idp.us-east-1.amazonaws.com", true).is_ok());
        assert!(check_allowed("http://127.0.0.1:5000", false).is_ok());
    }

    #[test]
    fn settings_come_from_flags_then_the_environment() {
        let env = |name: &str| match name {
            "COGNITO_CONTRACT_ALLOW_AWS" => Some("1".to_owned()),
            "AWS_MAX_ATTEMPTS" => Some("5".to_owned()),
            "COGNITO_CONTRACT_REQUESTS_PER_SECOND" => Some("2.5".to_owned()),
            "COGNITO_CONTRACT_REQUEST_TIMEOUT" => Some("45s".to_owned()),
            _ => None,
        };
        let flags = NetworkSettings {
            max_attempts: Some(2),
            ..NetworkSettings::default()
        };
        let merged = flags.with_env(&env).unwrap();
        assert!(merged.allow_aws);
        assert_eq!(merged.max_attempts, Some(2));
        assert_eq!(merged.requests_per_second, Some(2.5));
        assert_eq!(merged.request_timeout, Some(Duration::from_secs(45)));

        let options = merged.client_options(true, Duration::from_secs(30));
        assert_eq!(options.retry.max_attempts, 2);
        assert_eq!(options.max_concurrency, Some(4));
        assert_eq!(options.requests_per_second, Some(2.5));
        assert_eq!(options.request_timeout, Duration::from_secs(45));

        let emulator = NetworkSettings::default().client_options(false, Duration::from_secs(30));
        assert_eq!(emulator.max_concurrency, None);
        assert_eq!(emulator.requests_per_second, None);
        assert_eq!(emulator.retry.max_attempts, 3);

        let off = NetworkSettings {
            max_concurrency: Some(0),
            requests_per_second: Some(0.0),
            ..NetworkSettings::default()
        };
        let options = off.client_options(true, Duration::from_secs(30));
        assert_eq!(
            (options.max_concurrency, options.requests_per_second),
            (None, None)
        );

        let bad = |name: &str| (name == "AWS_MAX_ATTEMPTS").then(|| "many".to_owned());
        assert!(NetworkSettings::default().with_env(&bad).is_err());
        let no = |name: &str| (name == ALLOW_AWS_ENV).then(|| "0".to_owned());
        assert!(!NetworkSettings::default().with_env(&no).unwrap().allow_aws);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(
            parse_duration("1500ms").unwrap(),
            Duration::from_millis(1500)
        );
        assert_eq!(parse_duration("5m").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(172_800));
        assert_eq!(parse_duration("0s").unwrap(), Duration::ZERO);
        for bad in ["", "h", "5 parsecs", "-1", "1x"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
