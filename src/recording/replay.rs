//! `run --replay DIR`: an in-process HTTP server on loopback that answers from a recording, so
//! that a recorded run can be re-checked offline (and the harness's own tests can use
//! recordings). The harness names the case of each request in
//! [`crate::http::client::CASE_HEADER`]; the server answers each request of a case with the
//! next recorded reply of that operation (in the recorded order; a run that stops early skips
//! to its teardown's).
//!
//! Recorded replies hold placeholders ([`crate::recording::normalise`]); a [`Concretiser`] per
//! case turns them back into concrete values, the same value for the same placeholder
//! throughout the case, so that captures and the templates that use them work: placeholders in
//! a recorded request take the values the live request has there (the run prefix, the case id,
//! passwords), the others get made-up values of their kind (`us-east-1_Replay1` for `<pool:1>`,
//! a UUID for `<sub:1>`, a base32 string for a secret, a timestamp near the replay's start for
//! `<time:1>`), and a recorded `{"$jwt": ...}` becomes a token with those claims and a signature
//! that verifies nothing.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use regex::Regex;
use serde_json::Value;

use crate::http::client::{CASE_HEADER, TARGET_PREFIX};
use crate::recording::{CaseRecording, Manifest, RecordedExchange, load_dir, load_manifest};
use crate::support::loopback::LoopbackServer;

static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<([a-z_0-9]+)(?::(\d+))?(?::(\d+[aA9_]*))?>").expect("regex"));
static TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^<time:(\d+)>(?:\+(-?\d+))?$").expect("regex"));

/// Turns one case's recorded placeholders into concrete values, consistently.
#[derive(Debug, Clone)]
pub struct Concretiser {
    bindings: HashMap<String, String>,
    region: String,
    /// Epoch seconds `<time:0>` stands for.
    time_base: i64,
}

impl Concretiser {
    pub fn new(region: &str, time_base: i64) -> Concretiser {
        Concretiser {
            bindings: HashMap::new(),
            region: region.to_owned(),
            time_base,
        }
    }

    /// Binds the placeholders of a recorded request to the values the live request has in
    /// their places (those not bound yet).
    pub fn bind(&mut self, recorded: &Value, live: &Value) {
        match (recorded, live) {
            (Value::Object(r), Value::Object(l)) => {
                for (key, value) in r {
                    if let Some(live) = l.get(key) {
                        self.bind(value, live);
                    }
                }
            }
            (Value::Array(r), Value::Array(l)) => {
                r.iter().zip(l).for_each(|(r, l)| self.bind(r, l));
            }
            (Value::String(r), Value::String(l)) if PLACEHOLDER.is_match(r) => self.bind_text(r, l),
            _ => {}
        }
    }

    fn bind_text(&mut self, recorded: &str, live: &str) {
        let mut pattern = String::from("^");
        let mut names = Vec::new();
        let mut last = 0;
        for m in PLACEHOLDER.find_iter(recorded) {
            pattern.push_str(&regex::escape(&recorded[last..m.start()]));
            pattern.push_str("(.+?)");
            names.push(m.as_str().to_owned());
            last = m.end();
        }
        pattern.push_str(&regex::escape(&recorded[last..]));
        pattern.push('$');
        let Ok(regex) = Regex::new(&pattern) else {
            return;
        };
        let Some(captures) = regex.captures(live) else {
            return;
        };
        for (i, name) in names.into_iter().enumerate() {
            if let Some(value) = captures.get(i + 1) {
                self.bindings
                    .entry(name)
                    .or_insert_with(|| value.as_str().to_owned());
            }
        }
    }

    /// A recorded value with concrete values for its placeholders.
    pub fn value(&mut self, recorded: &Value) -> Value {
        match recorded {
            Value::Object(map) if map.len() == 1 && map.contains_key("$jwt") => {
                Value::String(self.jwt(&map["$jwt"]))
            }
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.value(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|i| self.value(i)).collect()),
            Value::String(s) => match TIME.captures(s) {
                Some(c) => {
                    let n: i64 = c[1].parse().unwrap_or_default();
                    let offset: i64 = c.get(2).and_then(|d| d.as_str().parse().ok()).unwrap_or(0);
                    Value::from(self.time_base + n + offset)
                }
                None => Value::String(self.text(s)),
            },
            other => other.clone(),
        }
    }

    /// `text` with each placeholder replaced.
    pub fn text(&mut self, text: &str) -> String {
        let placeholders: Vec<(String, String, Option<u64>, Option<String>)> = PLACEHOLDER
            .captures_iter(text)
            .map(|c| {
                (
                    c[0].to_owned(),
                    c[1].to_owned(),
                    c.get(2).and_then(|n| n.as_str().parse().ok()),
                    c.get(3).map(|s| s.as_str().to_owned()),
                )
            })
            .collect();
        let mut out = text.to_owned();
        for (whole, kind, n, shape) in placeholders {
            let concrete = match self.bindings.get(&whole) {
                Some(value) => value.clone(),
                None => {
                    let made = match shape {
                        Some(shape) => shaped_secret(&shape, n.unwrap_or(0)),
                        None => self.made_up(&kind, n.unwrap_or(0)),
                    };
                    self.bindings.insert(whole.clone(), made.clone());
                    made
                }
            };
            out = out.replacen(&whole, &concrete, 1);
        }
        out
    }

    fn made_up(&self, kind: &str, n: u64) -> String {
        match kind {
            "pool" => format!("{}_Replay{n}", self.region),
            "client" => format!("replayclient{n:04}"),
            // UUIDs of each kind apart, so that `<sub:1>` and `<id:1>` stay different.
            "sub" => format!("5b000000-0000-4000-8000-{n:012}"),
            "id" => format!("1d000000-0000-4000-8000-{n:012}"),
            "request_id" => format!("2e000000-0000-4000-8000-{n:012}"),
            "uuid_secret" => format!("5e000000-0000-4000-8000-{n:012}"),
            "account" => format!("{n:012}"),
            "kid" => format!("replay-key-{n}"),
            "domain" => format!("replay{n}.cloudfront.net"),
            "page_token" => format!("replay-page-token-{n}"),
            "secret" => {
                // Base32 letters, so that a TOTP secret still computes codes.
                let digits: String = n
                    .to_string()
                    .bytes()
                    .map(|b| (b - b'0' + b'A') as char)
                    .collect();
                format!("{:A<32}", format!("REPLAYSECRET{digits}Z"))
            }
            other => format!("replay-{}-{n}", other.replace('_', "-")),
        }
    }

    fn jwt(&mut self, decoded: &Value) -> String {
        let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let header = self.value(&decoded["header"]);
        let claims = self.value(&decoded["claims"]);
        format!(
            "{}.{}.{}",
            part(&header),
            part(&claims),
            URL_SAFE_NO_PAD.encode("replayed; not signed")
        )
    }
}

/// A made-up secret of `shape` ([`crate::recording::normalise::shape`]): its length, from the
/// character kinds it names, each at least once (upper case and digits stay within base32, so
/// that a TOTP secret still computes codes), starting at a place that depends on `n`.
fn shaped_secret(shape: &str, n: u64) -> String {
    let digits = shape
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(shape.len());
    let length: usize = shape[..digits].parse().unwrap_or(32);
    let alphabets: Vec<&[u8]> = shape[digits..]
        .chars()
        .map(|kind| match kind {
            'a' => &b"replaysecret"[..],
            'A' => &b"REPLAYSECRET"[..],
            '9' => &b"234567"[..],
            _ => &b"-"[..],
        })
        .collect();
    let alphabets = match alphabets.is_empty() {
        true => vec![&b"REPLAYSECRET"[..]],
        false => alphabets,
    };
    (0..length)
        .map(|i| {
            let alphabet = alphabets[i % alphabets.len()];
            alphabet[(i / alphabets.len() + n as usize) % alphabet.len()] as char
        })
        .collect()
}

/// A running replay server; stops when dropped.
pub struct ReplayServer {
    server: LoopbackServer,
    manifest: Manifest,
}

impl ReplayServer {
    /// Serves the recording in `dir` on a free loopback port.
    pub fn start(dir: &Path) -> Result<ReplayServer, String> {
        let manifest = load_manifest(dir)?;
        let recordings = load_dir(dir)?;
        let time_base = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        let state = Arc::new(State {
            recordings,
            cases: Mutex::new(HashMap::new()),
            region: manifest.region.clone(),
            time_base,
        });
        let server = LoopbackServer::start(move |request| handle(state.clone(), request))?;
        Ok(ReplayServer { server, manifest })
    }

    pub fn endpoint(&self) -> &str {
        self.server.endpoint()
    }

    /// The target the recording was made against.
    pub fn recorded_against(&self) -> &str {
        &self.manifest.recorded_against
    }
}

struct State {
    recordings: BTreeMap<String, CaseRecording>,
    cases: Mutex<HashMap<String, CaseReplay>>,
    region: String,
    time_base: i64,
}

struct CaseReplay {
    next: usize,
    concretiser: Concretiser,
}

/// A reply to send: status, headers, body.
type Answer = (u16, Vec<(String, String)>, String);

fn replay_error(message: String) -> Answer {
    let body = serde_json::json!({"__type": "ReplayError", "message": message});
    let headers = vec![(
        "content-type".into(),
        crate::http::client::CONTENT_TYPE.into(),
    )];
    (400, headers, body.to_string())
}

impl State {
    fn answer(&self, case: Option<&str>, operation: &str, live: &Value) -> Answer {
        let Some(case) = case else {
            // Requests outside a case: the probe before the run.
            if operation == "ListUserPools" {
                let headers = vec![(
                    "content-type".into(),
                    crate::http::client::CONTENT_TYPE.into(),
                )];
                return (200, headers, r#"{"UserPools":[]}"#.into());
            }
            return replay_error(format!(
                "{operation} outside a case is not in the recording"
            ));
        };
        let Some(recording) = self.recordings.get(case) else {
            return replay_error(format!("case {case} is not in the recording"));
        };
        let Ok(mut cases) = self.cases.lock() else {
            return replay_error("the replay's state is poisoned".into());
        };
        let replay = cases.entry(case.to_owned()).or_insert_with(|| CaseReplay {
            next: 0,
            concretiser: Concretiser::new(&self.region, self.time_base),
        });
        // The next recorded exchange of this operation: a run that ended its steps earlier than
        // the recorded one goes on with its teardown.
        let rest = &recording.exchanges[replay.next.min(recording.exchanges.len())..];
        let Some(offset) = rest.iter().position(|r| r.operation == operation) else {
            return replay_error(format!(
                "case {case}: no recorded {operation:?} exchange left after exchange {}",
                replay.next
            ));
        };
        let index = replay.next + offset;
        replay.next = index + 1;
        concrete_reply(&mut replay.concretiser, &recording.exchanges[index], live)
    }
}

fn concrete_reply(
    concretiser: &mut Concretiser,
    recorded: &RecordedExchange,
    live: &Value,
) -> Answer {
    concretiser.bind(&recorded.request, live);
    let headers = recorded
        .reply
        .headers
        .iter()
        .map(|(name, value)| (name.clone(), concretiser.text(value)))
        .collect();
    let body = match recorded.reply.body.get("$text").and_then(Value::as_str) {
        Some(text)
            if recorded
                .reply
                .body
                .as_object()
                .is_some_and(|m| m.len() == 1) =>
        {
            concretiser.text(text)
        }
        _ => concretiser.value(&recorded.reply.body).to_string(),
    };
    (recorded.reply.status, headers, body)
}

async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let case = header(CASE_HEADER);
    let target = header("x-amz-target").unwrap_or_default();
    let is_get = request.method() == hyper::Method::GET;
    let path = request.uri().path().to_owned();
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let (operation, live) = match is_get {
        true => (String::new(), Value::String(path)),
        false => (
            target
                .strip_prefix(&format!("{TARGET_PREFIX}."))
                .unwrap_or(&target)
                .to_owned(),
            serde_json::from_slice(&body).unwrap_or(Value::Null),
        ),
    };
    let (status, headers, body) = state.answer(case.as_deref(), &operation, &live);
    let mut response = Response::builder().status(status);
    for (name, value) in headers {
        response = response.header(name, value);
    }
    Ok(response
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::from_static(b"{}")))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_take_the_live_request_s_values_or_made_up_ones_consistently() {
        let mut c = Concretiser::new("us-east-1", 1_800_000_000);
        c.bind(
            &json!({"PoolName": "<prefix><case_id>", "Password": "<password>"}),
            &json!({"PoolName": "cct-1a2b3c-0badcafe", "Password": "Pw-1-aZ9!"}),
        );
        let reply = c.value(
            &json!({"UserPool": {"Id": "<pool:1>", "Name": "<prefix><case_id>",
            "Arn": "arn:aws:cognito-idp:us-east-1:<account:1>:userpool/<pool:1>",
            "CreationDate": "<time:2>"}}),
        );
        assert_eq!(
            reply,
            json!({"UserPool": {"Id": "us-east-1_Replay1", "Name": "cct-1a2b3c-0badcafe",
                "Arn": "arn:aws:cognito-idp:us-east-1:000000000001:userpool/us-east-1_Replay1",
                "CreationDate": 1_800_000_002}})
        );
        assert_eq!(c.text("<pool:1>"), "us-east-1_Replay1");
    }

    #[test]
    fn a_recorded_jwt_becomes_a_token_with_its_claims_and_exp_after_iat() {
        let mut c = Concretiser::new("us-east-1", 1_800_000_000);
        let token = c.value(
            &json!({"$jwt": {"header": {"alg": "RS256", "kid": "<kid:1>"},
            "claims": {"sub": "<sub:1>", "iat": "<time:1>", "exp": "<time:1>+3600"}}}),
        );
        let [header, claims] =
            crate::recording::normalise::decode_jwt(token.as_str().unwrap()).unwrap();
        assert_eq!(header, json!({"alg": "RS256", "kid": "replay-key-1"}));
        assert_eq!(
            claims,
            json!({"sub": "5b000000-0000-4000-8000-000000000001", "iat": 1_800_000_001_i64, "exp": 1_800_003_601_i64})
        );
    }

    #[test]
    fn a_made_up_secret_has_the_recorded_shape() {
        use crate::recording::normalise::shape;
        for (recorded, n) in [("asdfasdfasdf", 1), ("JBSWY3DPEHPK3PXP", 2), ("a-B_9.x", 3)] {
            let made = shaped_secret(&shape(recorded), n);
            assert_eq!(shape(&made), shape(recorded), "{made}");
        }
        let mut c = Concretiser::new("us-east-1", 0);
        assert_eq!(c.text("<secret:4:12a>"), shaped_secret("12a", 4));
    }

    #[test]
    fn a_made_up_secret_is_base32() {
        let c = Concretiser::new("us-east-1", 0);
        let secret = c.made_up("secret", 12);
        assert_eq!(secret.len(), 32);
        assert!(
            secret
                .bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)),
            "{secret}"
        );
    }
}
