//! Where the credentials that sign requests come from, resolved the way the AWS SDKs resolve
//! them, and described (never shown) so a run can say which source it uses.
//!
//! For real AWS (see [`Purpose::Aws`]) the order is:
//! 1. the environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optionally
//!    `AWS_SESSION_TOKEN`;
//! 2. the profile `AWS_PROFILE` (else `default`) with static keys in the shared `credentials`
//!    file (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`) or the `config` file
//!    (`AWS_CONFIG_FILE`, else `~/.aws/config`, section `[profile NAME]` or `[default]`);
//! 3. with the `aws-config` cargo feature, the SDK's full default chain (SSO, assumed roles,
//!    `credential_process`, web identity, container and instance metadata), whose credentials are
//!    cached here and refreshed shortly before they expire. Without the feature, a profile that
//!    needs one of those is reported as such, with the way to enable it.
//!
//! For emulators ([`Purpose::Emulator`]) the environment keys or an explicitly chosen
//! `AWS_PROFILE` with static keys are used when present, and otherwise the dummy credentials
//! `test`/`test`, which emulators accept.
//!
//! [`profile_region`] reads the profile's `region`, which the SDKs use when `AWS_REGION` is unset.
//! Every lookup of the environment goes through a function, so tests can supply their own.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

pub use aws_credential_types::Credentials;

/// Profile settings that only the SDK's full chain (the `aws-config` feature) can turn into
/// credentials.
const CHAIN_ONLY_SETTINGS: &[&str] = &[
    "role_arn",
    "source_profile",
    "credential_source",
    "credential_process",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
    "sso_role_name",
    "web_identity_token_file",
    "login_session",
];

/// Environment variables that only the SDK's full chain can turn into credentials.
const CHAIN_ONLY_ENV: &[&str] = &[
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
];

/// Which kind of target the credentials are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Real AWS: credentials are required.
    Aws,
    /// An emulator: configured credentials if any, else `test`/`test`.
    Emulator,
}

/// Credentials ready to sign with, and a description of where they came from.
pub struct Resolved {
    pub provider: Provider,
    /// Where the credentials come from, e.g. `environment variables (AWS_ACCESS_KEY_ID, ...)`.
    pub source: String,
    /// The access key id masked to its last four characters (`****WXYZ`), for messages.
    pub access_key_hint: String,
    /// Whether the credentials carry a session token.
    pub session_token: bool,
}

impl std::fmt::Debug for Resolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolved")
            .field("source", &self.source)
            .field("access_key_hint", &self.access_key_hint)
            .field("session_token", &self.session_token)
            .finish_non_exhaustive()
    }
}

impl Resolved {
    /// One line for people: source, masked key, whether there is a session token.
    pub fn describe(&self) -> String {
        format!(
            "{} (access key {}{})",
            self.source,
            self.access_key_hint,
            if self.session_token {
                ", with a session token"
            } else {
                ""
            }
        )
    }
}

/// Hands out the current credentials for each request.
pub enum Provider {
    Static(Credentials),
    #[cfg(feature = "aws-config")]
    Chain(chain::Chain),
}

impl Provider {
    /// The credentials, when they are fixed (not refreshed from the SDK chain).
    pub fn static_credentials(&self) -> Option<&Credentials> {
        match self {
            Provider::Static(credentials) => Some(credentials),
            #[cfg(feature = "aws-config")]
            Provider::Chain(_) => None,
        }
    }

    /// The credentials to sign the next request with.
    pub async fn credentials(&self) -> Result<Credentials, String> {
        match self {
            Provider::Static(credentials) => Ok(credentials.clone()),
            #[cfg(feature = "aws-config")]
            Provider::Chain(chain) => chain.credentials().await,
        }
    }
}

/// The dummy credentials emulators accept.
pub fn dummy() -> Credentials {
    Credentials::new("test", "test", None, None, "cognito-contract dummy")
}

/// `****` and the last four characters of an access key id (short ids are shown as they are).
pub fn mask_access_key(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 4 {
        id.to_owned()
    } else {
        format!(
            "****{}",
            chars[chars.len() - 4..].iter().collect::<String>()
        )
    }
}

fn resolved(credentials: Credentials, source: String) -> Resolved {
    Resolved {
        access_key_hint: mask_access_key(credentials.access_key_id()),
        session_token: credentials.session_token().is_some(),
        provider: Provider::Static(credentials),
        source,
    }
}

/// Resolves credentials from the process environment (see the module documentation).
pub async fn resolve(purpose: Purpose, region: &str) -> Result<Resolved, String> {
    resolve_with(purpose, region, &crate::support::env::var).await
}

/// Resolves credentials with `env` standing for the environment.
pub async fn resolve_with(
    purpose: Purpose,
    region: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Resolved, String> {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if let Some(found) = from_environment(&var)? {
        return Ok(found);
    }
    let explicit_profile = var("AWS_PROFILE");
    let profile_name = explicit_profile.clone().unwrap_or_else(|| "default".into());
    let files = ProfileFiles::read(&var)?;
    let profile = files.profile(&profile_name);

    match purpose {
        Purpose::Emulator => {
            if explicit_profile.is_some()
                && let Some(found) = profile.static_credentials()?
            {
                return Ok(found);
            }
            Ok(resolved(
                dummy(),
                "dummy credentials test/test (the default for emulators)".into(),
            ))
        }
        Purpose::Aws => {
            if let Some(found) = profile.static_credentials()? {
                return Ok(found);
            }
            if explicit_profile.is_some() && !profile.exists() {
                return Err(format!(
                    "AWS_PROFILE={profile_name}, but no such profile is in {} or {}",
                    files.credentials_path.display(),
                    files.config_path.display()
                ));
            }
            let needs_chain = profile.chain_only_settings();
            let env_needs_chain: Vec<&str> = CHAIN_ONLY_ENV
                .iter()
                .copied()
                .filter(|name| var(name).is_some())
                .collect();
            full_chain(region, &profile_name, &needs_chain, &env_needs_chain).await
        }
    }
}

#[cfg(feature = "aws-config")]
async fn full_chain(
    region: &str,
    profile_name: &str,
    _needs_chain: &[String],
    _env_needs_chain: &[&str],
) -> Result<Resolved, String> {
    let chain = chain::Chain::new(region, profile_name).await;
    let credentials = chain.credentials().await.map_err(|e| {
        format!(
            "no AWS credentials: not in the environment, no static keys in profile \
             {profile_name:?}, and the SDK's default chain found none: {e}"
        )
    })?;
    let provider_name = chain::provider_name(&credentials);
    Ok(Resolved {
        access_key_hint: mask_access_key(credentials.access_key_id()),
        session_token: credentials.session_token().is_some(),
        provider: Provider::Chain(chain),
        source: format!(
            "the AWS SDK default credential chain (aws-config), profile {profile_name:?}, \
             provider {provider_name}"
        ),
    })
}

#[cfg(not(feature = "aws-config"))]
async fn full_chain(
    _region: &str,
    profile_name: &str,
    needs_chain: &[String],
    env_needs_chain: &[&str],
) -> Result<Resolved, String> {
    if !needs_chain.is_empty() {
        return Err(format!(
            "profile {profile_name:?} gets its credentials through {}, which needs the SDK's full \
             credential chain: build with `--features aws-config`, or export static keys \
             (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), e.g. with \
             `aws configure export-credentials --format env`",
            needs_chain.join(", ")
        ));
    }
    if !env_needs_chain.is_empty() {
        return Err(format!(
            "{} is set, which needs the SDK's full credential chain: build with \
             `--features aws-config`, or export static keys (AWS_ACCESS_KEY_ID, \
             AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)",
            env_needs_chain.join(", ")
        ));
    }
    Err(format!(
        "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and \
         AWS_SESSION_TOKEN for temporary ones), or AWS_PROFILE naming a profile with keys \
         (profile {profile_name:?} has none); SSO, roles, credential_process and instance \
         metadata need a build with `--features aws-config`"
    ))
}

fn from_environment(var: &dyn Fn(&str) -> Option<String>) -> Result<Option<Resolved>, String> {
    match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
        (Some(id), Some(secret)) => {
            let token = var("AWS_SESSION_TOKEN");
            let names = if token.is_some() {
                "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN"
            } else {
                "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY"
            };
            Ok(Some(resolved(
                Credentials::new(id.trim(), secret.trim(), token, None, "Environment"),
                format!("environment variables ({names})"),
            )))
        }
        (Some(_), None) => {
            Err("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both".into())
        }
        (None, Some(_)) => {
            Err("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; set both".into())
        }
        (None, None) => Ok(None),
    }
}

/// The region of the profile `AWS_PROFILE` (else `default`) in the config file, if it has one.
pub fn profile_region(env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let files = ProfileFiles::read(&var).ok()?;
    let name = var("AWS_PROFILE").unwrap_or_else(|| "default".into());
    let profile = files.profile(&name);
    profile
        .config
        .and_then(|settings| settings.get("region").cloned())
        .filter(|region| !region.is_empty())
}

/// The shared `credentials` and `config` files, parsed.
struct ProfileFiles {
    credentials_path: PathBuf,
    config_path: PathBuf,
    /// Sections of the credentials file by profile name.
    credentials: HashMap<String, HashMap<String, String>>,
    /// Sections of the config file by profile name (`[profile x]` as `x`, `[default]` as
    /// `default`); other kinds of sections (`[sso-session x]`, `[services x]`) are left out.
    config: HashMap<String, HashMap<String, String>>,
}

impl ProfileFiles {
    fn read(var: &dyn Fn(&str) -> Option<String>) -> Result<ProfileFiles, String> {
        let home = var("HOME").map(PathBuf::from);
        let path = |explicit: Option<String>, default: &str| -> PathBuf {
            match explicit {
                Some(path) => expand_home(&path, home.as_deref()),
                None => home
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("."))
                    .join(".aws")
                    .join(default),
            }
        };
        let credentials_path = path(var("AWS_SHARED_CREDENTIALS_FILE"), "credentials");
        let config_path = path(var("AWS_CONFIG_FILE"), "config");
        let read = |path: &PathBuf| match std::fs::read_to_string(path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        };
        let credentials = read(&credentials_path)?
            .map(|text| parse_ini(&text, false))
            .unwrap_or_default();
        let config = read(&config_path)?
            .map(|text| parse_ini(&text, true))
            .unwrap_or_default();
        Ok(ProfileFiles {
            credentials_path,
            config_path,
            credentials,
            config,
        })
    }

    fn profile(&self, name: &str) -> Profile<'_> {
        Profile {
            name: name.to_owned(),
            credentials: self.credentials.get(name),
            config: self.config.get(name),
            files: self,
        }
    }
}

struct Profile<'a> {
    name: String,
    credentials: Option<&'a HashMap<String, String>>,
    config: Option<&'a HashMap<String, String>>,
    files: &'a ProfileFiles,
}

impl Profile<'_> {
    fn exists(&self) -> bool {
        self.credentials.is_some() || self.config.is_some()
    }

    /// Static keys from the credentials file, else from the config file.
    fn static_credentials(&self) -> Result<Option<Resolved>, String> {
        let sources = [
            (self.credentials, &self.files.credentials_path),
            (self.config, &self.files.config_path),
        ];
        for (settings, path) in sources {
            let Some(settings) = settings else { continue };
            let id = settings.get("aws_access_key_id").filter(|v| !v.is_empty());
            let secret = settings
                .get("aws_secret_access_key")
                .filter(|v| !v.is_empty());
            match (id, secret) {
                (Some(id), Some(secret)) => {
                    let token = settings
                        .get("aws_session_token")
                        .filter(|v| !v.is_empty())
                        .cloned();
                    return Ok(Some(resolved(
                        Credentials::new(id, secret, token, None, "ProfileFile"),
                        format!("profile {:?} in {}", self.name, path.display()),
                    )));
                }
                (Some(_), None) | (None, Some(_)) => {
                    return Err(format!(
                        "profile {:?} in {} has only one of aws_access_key_id and \
                         aws_secret_access_key",
                        self.name,
                        path.display()
                    ));
                }
                (None, None) => {}
            }
        }
        Ok(None)
    }

    fn chain_only_settings(&self) -> Vec<String> {
        let mut found = Vec::new();
        for settings in [self.credentials, self.config].into_iter().flatten() {
            for key in CHAIN_ONLY_SETTINGS {
                if settings.contains_key(*key) && !found.iter().any(|f| f == key) {
                    found.push((*key).to_owned());
                }
            }
        }
        found
    }
}

fn expand_home(path: &str, home: Option<&std::path::Path>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

/// Parses the shared files' INI dialect: `[section]` headers, `key = value` lines, `#` and `;`
/// comments (whole lines, or after whitespace), and indented sub-settings (skipped). In the
/// config file (`config = true`) profiles are `[profile NAME]` or `[default]`.
fn parse_ini(text: &str, config: bool) -> HashMap<String, HashMap<String, String>> {
    let mut sections: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut current: Option<String> = None;
    for raw in text.lines() {
        if raw.starts_with([' ', '\t']) {
            // A sub-setting of the previous key (`s3 =` then `  max_concurrent_requests = 5`).
            continue;
        }
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let header = header.trim();
            current = if !config {
                Some(header.to_owned())
            } else if header == "default" {
                Some("default".to_owned())
            } else {
                header
                    .strip_prefix("profile")
                    .filter(|rest| rest.starts_with([' ', '\t']))
                    .map(|rest| rest.trim().to_owned())
            };
            if let Some(name) = &current {
                sections.entry(name.clone()).or_default();
            }
            continue;
        }
        if let (Some(section), Some((key, value))) = (&current, line.split_once('=')) {
            sections
                .entry(section.clone())
                .or_default()
                .insert(key.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    sections
}

fn strip_comment(line: &str) -> &str {
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') || trimmed.starts_with(';') {
        return "";
    }
    let mut previous_is_space = false;
    for (index, c) in line.char_indices() {
        if (c == '#' || c == ';') && previous_is_space {
            return &line[..index];
        }
        previous_is_space = c.is_whitespace();
    }
    line
}

/// How long before their expiry cached credentials are refreshed.
pub const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);

/// Whether credentials expire within [`REFRESH_BEFORE_EXPIRY`] of `now`.
pub fn expiring(credentials: &Credentials, now: SystemTime) -> bool {
    credentials
        .expiry()
        .is_some_and(|expiry| expiry <= now + REFRESH_BEFORE_EXPIRY)
}

#[cfg(feature = "aws-config")]
pub mod chain {
    //! The SDK's default credential chain, with the caching the SDK clients would add.

    use std::time::SystemTime;

    use aws_config::default_provider::credentials::DefaultCredentialsChain;
    use aws_credential_types::provider::ProvideCredentials;

    use super::{Credentials, expiring};

    pub struct Chain {
        provider: DefaultCredentialsChain,
        cached: tokio::sync::Mutex<Option<Credentials>>,
    }

    impl Chain {
        pub async fn new(region: &str, profile_name: &str) -> Chain {
            let provider = DefaultCredentialsChain::builder()
                .region(aws_config::Region::new(region.to_owned()))
                .profile_name(profile_name)
                .build()
                .await;
            Chain {
                provider,
                cached: tokio::sync::Mutex::new(None),
            }
        }

        /// Cached credentials, refreshed when they are about to expire.
        pub async fn credentials(&self) -> Result<Credentials, String> {
            let mut cached = self.cached.lock().await;
            if let Some(credentials) = cached.as_ref()
                && !expiring(credentials, SystemTime::now())
            {
                return Ok(credentials.clone());
            }
            let fresh = self
                .provider
                .provide_credentials()
                .await
                .map_err(|e| describe(&e))?;
            *cached = Some(fresh.clone());
            Ok(fresh)
        }
    }

    fn describe(error: &dyn std::error::Error) -> String {
        let mut text = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    }

    /// The name of the chain's provider that produced `credentials` (`Environment`,
    /// `ProfileFile`, `SSO`, ...), read from their debug form, which redacts the secret.
    pub fn provider_name(credentials: &Credentials) -> String {
        let debug = format!("{credentials:?}");
        debug
            .split_once("provider_name: \"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(name, _)| name.to_owned())
            .unwrap_or_else(|| "unknown".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }

    fn block<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn environment_keys_come_first() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("credentials"),
            "[default]\naws_access_key_id = AKIAFILE00000000\naws_secret_access_key = filesecret\n",
        )
        .unwrap();
        let home = dir.path().to_str().unwrap().to_owned();
        let lookup = env(&[
            ("AWS_ACCESS_KEY_ID", "AKIAENV000001234"),
            ("AWS_SECRET_ACCESS_KEY", "envsecret"),
            ("AWS_SESSION_TOKEN", "token"),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                &format!("{home}/credentials"),
            ),
        ]);
        let found = block(resolve_with(Purpose::Aws, "us-east-1", &lookup)).unwrap();
        assert!(
            found.source.starts_with("environment variables"),
            "{found:?}"
        );
        assert_eq!(found.access_key_hint, "****1234");
        assert!(found.session_token);
        let credentials = found.provider.static_credentials().expect("static keys");
        assert_eq!(credentials.secret_access_key(), "envsecret");
        assert!(!found.describe().contains("envsecret"));
    }

    #[test]
    fn half_a_key_pair_is_an_error() {
        let lookup = env(&[("AWS_ACCESS_KEY_ID", "AKIA")]);
        let error = block(resolve_with(Purpose::Aws, "us-east-1", &lookup)).unwrap_err();
        assert!(error.contains("AWS_SECRET_ACCESS_KEY"), "{error}");
    }

    #[test]
    fn profiles_from_the_credentials_and_config_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".aws")).unwrap();
        std::fs::write(
            dir.path().join(".aws/credentials"),
            "# comment\n[default]\naws_access_key_id=AKIADEFAULT00001\naws_secret_access_key=d\n\n\
             [work] ; trailing comment\naws_access_key_id = AKIAWORK00000002 # inline\n\
             aws_secret_access_key = w/x+y\naws_session_token = tok\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(".aws/config"),
            "[default]\nregion = eu-west-1\n[profile work]\nregion = ap-southeast-2\ns3 =\n  \
             max_concurrent_requests = 5\n[profile cfgonly]\naws_access_key_id = AKIACFG000000003\n\
             aws_secret_access_key = c\n[profile sso]\nsso_session = corp\nsso_account_id = 1\n\
             [sso-session corp]\nsso_region = us-east-1\n",
        )
        .unwrap();
        let home = dir.path().to_str().unwrap().to_owned();

        let default = env(&[("HOME", &home)]);
        let found = block(resolve_with(Purpose::Aws, "us-east-1", &default)).unwrap();
        assert!(found.source.contains("profile \"default\""), "{found:?}");
        assert!(found.source.ends_with(".aws/credentials"), "{found:?}");
        assert_eq!(profile_region(&default).as_deref(), Some("eu-west-1"));

        let work = env(&[("HOME", &home), ("AWS_PROFILE", "work")]);
        let found = block(resolve_with(Purpose::Aws, "us-east-1", &work)).unwrap();
        assert_eq!(found.access_key_hint, "****0002");
        assert!(found.session_token);
        let credentials = found.provider.static_credentials().expect("static keys");
        assert_eq!(credentials.secret_access_key(), "w/x+y");
        assert_eq!(profile_region(&work).as_deref(), Some("ap-southeast-2"));

        let cfg = env(&[("HOME", &home), ("AWS_PROFILE", "cfgonly")]);
        let found = block(resolve_with(Purpose::Aws, "us-east-1", &cfg)).unwrap();
        assert!(found.source.ends_with(".aws/config"), "{found:?}");

        let missing = env(&[("HOME", &home), ("AWS_PROFILE", "nope")]);
        let error = block(resolve_with(Purpose::Aws, "us-east-1", &missing)).unwrap_err();
        assert!(error.contains("no such profile"), "{error}");
    }

    #[cfg(not(feature = "aws-config"))]
    #[test]
    fn profiles_that_need_the_full_chain_say_so() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("cfg");
        std::fs::write(
            &config,
            "[profile sso]\nsso_session = corp\n[profile proc]\ncredential_process = /bin/x\n",
        )
        .unwrap();
        let config = config.to_str().unwrap().to_owned();
        for (profile, setting) in [("sso", "sso_session"), ("proc", "credential_process")] {
            let lookup = env(&[
                ("HOME", "/nonexistent"),
                ("AWS_CONFIG_FILE", &config),
                ("AWS_PROFILE", profile),
            ]);
            let error = block(resolve_with(Purpose::Aws, "us-east-1", &lookup)).unwrap_err();
            assert!(error.contains(setting), "{error}");
            assert!(error.contains("--features aws-config"), "{error}");
        }
        let nothing = env(&[("HOME", "/nonexistent")]);
        let error = block(resolve_with(Purpose::Aws, "us-east-1", &nothing)).unwrap_err();
        assert!(error.starts_with("no AWS credentials"), "{error}");
    }

    #[test]
    fn emulators_get_test_test_unless_something_is_configured() {
        let nothing = env(&[("HOME", "/nonexistent")]);
        let found = block(resolve_with(Purpose::Emulator, "us-east-1", &nothing)).unwrap();
        assert!(found.source.starts_with("dummy credentials"), "{found:?}");
        assert_eq!(found.access_key_hint, "test");

        let keys = env(&[
            ("AWS_ACCESS_KEY_ID", "AKIAENV000009999"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
        ]);
        let found = block(resolve_with(Purpose::Emulator, "us-east-1", &keys)).unwrap();
        assert_eq!(found.access_key_hint, "****9999");
    }

    #[test]
    fn masking_and_expiry() {
        assert_eq!(mask_access_key("AKIAIOSFODNN7EXAMPLE"), "****MPLE");
        assert_eq!(mask_access_key("test"), "test");
        let now = SystemTime::now();
        let soon = Credentials::new("a", "b", None, Some(now + Duration::from_secs(60)), "t");
        let later = Credentials::new("a", "b", None, Some(now + Duration::from_secs(3600)), "t");
        assert!(expiring(&soon, now));
        assert!(!expiring(&later, now));
        assert!(!expiring(&dummy(), now));
    }
}
