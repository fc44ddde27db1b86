//! `run --verify-recording DIR`: an [`Observer`] that normalises each exchange of a run as a
//! recording would and compares it, value by value, with the recorded exchange at the same
//! place in the case (the same step, and the same page of a paginated one; an exchange the
//! recording does not have is a difference too): status, error code, the kept headers, and
//! every member of the body
//! (present in one and not the other, or different). Each difference is a `recording` failure
//! naming its JSON pointer into the exchange, the recorded value and the value found.
//!
//! `DIR/ignore.json` leaves paths out, per case and each with its reason:
//!
//! ```json
//! {"ignore": [{"case": "users/admin_get_user", "step": "steps[0]",
//!              "path": "/body/UserLastModifiedDate", "reason": "..."}]}
//! ```
//!
//! `path` is a JSON pointer into the exchange (`*` matches one segment) and covers what is below
//! it; `step` is optional. An entry whose case or step the recording does not have is a load
//! error, and one that covered no difference in a full run is reported as stale (and fails the
//! run), as expectations are.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde_json::Value;

use crate::exec::failure::Failure;
use crate::exec::observe::{CaseObserver, Exchange, Observer};
use crate::recording::normalise::Normaliser;
use crate::recording::{
    CaseRecording, IGNORE_FILE, RecordedExchange, load_dir, normalise_exchange, normaliser_for,
};
use crate::spec::case::Case;
use crate::spec::template::Vars;

/// One entry of `ignore.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    pub case: String,
    #[serde(default)]
    pub step: Option<String>,
    pub path: String,
    pub reason: String,
}

impl IgnoreEntry {
    fn covers(&self, case: &str, step: &str, pointer: &str) -> bool {
        self.case == case
            && self.step.as_deref().is_none_or(|s| s == step)
            && pointer_covered(&self.path, pointer)
    }
}

/// Whether `pattern` (a JSON pointer, `*` for any one segment) is `pointer` or above it.
pub fn pointer_covered(pattern: &str, pointer: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').skip(1).collect();
    let pointer: Vec<&str> = pointer.split('/').skip(1).collect();
    pattern.len() <= pointer.len()
        && pattern
            .iter()
            .zip(&pointer)
            .all(|(p, s)| *p == "*" || p == s)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreFile {
    ignore: Vec<IgnoreEntry>,
}

/// Verifies a run against a recording.
pub struct Verifier {
    recordings: Arc<BTreeMap<String, CaseRecording>>,
    ignores: Arc<Vec<IgnoreEntry>>,
    used: Arc<Mutex<Vec<bool>>>,
}

impl Verifier {
    /// The recording in `dir`, with its `ignore.json` if it has one.
    pub fn load(dir: &Path) -> Result<Verifier, String> {
        let recordings = load_dir(dir)?;
        let ignores = load_ignores(dir, &recordings)?;
        Ok(Verifier {
            recordings: Arc::new(recordings),
            used: Arc::new(Mutex::new(vec![false; ignores.len()])),
            ignores: Arc::new(ignores),
        })
    }

    /// The ignore entries that covered nothing.
    pub fn stale(&self) -> Vec<IgnoreEntry> {
        let used = self.used.lock().map(|u| u.clone()).unwrap_or_default();
        self.ignores
            .iter()
            .zip(used)
            .filter(|(_, used)| !used)
            .map(|(entry, _)| entry.clone())
            .collect()
    }
}

fn load_ignores(
    dir: &Path,
    recordings: &BTreeMap<String, CaseRecording>,
) -> Result<Vec<IgnoreEntry>, String> {
    let path = dir.join(IGNORE_FILE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file: IgnoreFile =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut errors = Vec::new();
    for (i, entry) in file.ignore.iter().enumerate() {
        let at = format!("{}: ignore[{i}]", path.display());
        match recordings.get(&entry.case) {
            None => errors.push(format!("{at}: the recording has no case {:?}", entry.case)),
            Some(recording) => {
                if let Some(step) = &entry.step
                    && !recording.exchanges.iter().any(|e| &e.step == step)
                {
                    errors.push(format!(
                        "{at}: case {:?} has no recorded {step}",
                        entry.case
                    ));
                }
            }
        }
        if !entry.path.starts_with('/') {
            errors.push(format!("{at}: path {:?} is not a JSON pointer", entry.path));
        }
        if entry.reason.trim().is_empty() {
            errors.push(format!("{at}: an entry needs its reason"));
        }
    }
    match errors.is_empty() {
        true => Ok(file.ignore),
        false => Err(errors.join("\n")),
    }
}

impl Observer for Verifier {
    fn start(&self, case: &Case, builtins: &Vars) -> Box<dyn CaseObserver> {
        Box::new(CaseVerifier {
            case: case.id.clone(),
            recorded: self
                .recordings
                .get(&case.id)
                .map(|r| r.exchanges.clone())
                .unwrap_or_default(),
            seen: BTreeMap::new(),
            normaliser: normaliser_for(builtins),
            ignores: self.ignores.clone(),
            used: self.used.clone(),
        })
    }
}

struct CaseVerifier {
    case: String,
    recorded: Vec<RecordedExchange>,
    /// Exchanges seen per step so far.
    seen: BTreeMap<String, usize>,
    normaliser: Normaliser,
    ignores: Arc<Vec<IgnoreEntry>>,
    used: Arc<Mutex<Vec<bool>>>,
}

impl CaseObserver for CaseVerifier {
    fn exchange(&mut self, exchange: &Exchange<'_>) -> Vec<Failure> {
        let live = normalise_exchange(&mut self.normaliser, exchange);
        let seen = self.seen.entry(live.step.clone()).or_default();
        let nth = *seen;
        *seen += 1;
        let found = self
            .recorded
            .iter()
            .enumerate()
            .filter(|(_, r)| r.step == live.step)
            .nth(nth);
        let Some((index, recorded)) = found else {
            return vec![Failure::Recording {
                exchange: self.recorded.len(),
                pointer: "/operation".into(),
                expected: None,
                found: Some(Value::String(format!("{} {}", live.step, live.operation))),
            }];
        };
        let mut diffs = Vec::new();
        let (expected, found) = (exchange_value(recorded), exchange_value(&live));
        diff(Some(&expected), Some(&found), String::new(), &mut diffs);
        diffs
            .into_iter()
            .filter(|(pointer, _, _)| !self.ignored(&live.step, pointer))
            .map(|(pointer, expected, found)| Failure::Recording {
                exchange: index,
                pointer,
                expected,
                found,
            })
            .collect()
    }

    fn finish(self: Box<Self>) {}
}

impl CaseVerifier {
    /// Whether an ignore entry covers `pointer` (and marks the entries that do as used).
    fn ignored(&self, step: &str, pointer: &str) -> bool {
        let Ok(mut used) = self.used.lock() else {
            return false;
        };
        let mut covered = false;
        for (i, entry) in self.ignores.iter().enumerate() {
            if entry.covers(&self.case, step, pointer) {
                used[i] = true;
                covered = true;
            }
        }
        covered
    }
}

/// What is compared of an exchange: which step and operation, and the reply, with every
/// timestamp placeholder unnumbered (`<time:3>+3600` is compared as `<time>+3600`): which
/// timestamps fall in the same second is up to the clock, not the target; request ids likewise
/// (`<request_id>`: each is new, so only whether there is one counts); and secrets without
/// their shape (`<secret:1:344aA9_>` as `<secret:1>`): a token's length may vary from one
/// issue to the next.
fn exchange_value(exchange: &RecordedExchange) -> Value {
    let reply = unnumbered_times(serde_json::to_value(&exchange.reply).unwrap_or_default());
    let mut value = serde_json::json!({"step": exchange.step, "operation": exchange.operation});
    if let (Value::Object(out), Value::Object(reply)) = (&mut value, reply) {
        out.extend(reply);
    }
    value
}

fn unnumbered_times(value: Value) -> Value {
    static TIME: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"^<(time|request_id):\d+>").expect("regex"));
    static SHAPE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"<secret:(\d+):\d+[aA9_]*>").expect("regex")
    });
    match value {
        Value::String(s) => {
            let s = TIME.replace(&s, "<$1>");
            Value::String(SHAPE.replace_all(&s, "<secret:$1>").into_owned())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(unnumbered_times).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, unnumbered_times(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Every place where `expected` and `found` differ: its JSON pointer and both values (`None`
/// where one has no member).
pub fn diff(
    expected: Option<&Value>,
    found: Option<&Value>,
    pointer: String,
    out: &mut Vec<(String, Option<Value>, Option<Value>)>,
) {
    match (expected, found) {
        (Some(Value::Object(e)), Some(Value::Object(f))) => {
            let keys: std::collections::BTreeSet<&String> = e.keys().chain(f.keys()).collect();
            for key in keys {
                let below = format!("{pointer}/{}", crate::spec::template::escape_pointer(key));
                diff(e.get(key), f.get(key), below, out);
            }
        }
        (Some(Value::Array(e)), Some(Value::Array(f))) => {
            for i in 0..e.len().max(f.len()) {
                diff(e.get(i), f.get(i), format!("{pointer}/{i}"), out);
            }
        }
        (e, f) if e == f => {}
        (e, f) => out.push((pointer, e.cloned(), f.cloned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn differences_are_named_by_pointer_with_both_values() {
        let mut out = Vec::new();
        let recorded = json!({"status": 200, "body": {"User": {"Enabled": true, "Name": "a"}, "List": [1, 2]}});
        let found =
            json!({"status": 200, "body": {"User": {"Enabled": false, "Extra": 1}, "List": [1]}});
        diff(Some(&recorded), Some(&found), String::new(), &mut out);
        assert_eq!(
            out,
            vec![
                ("/body/List/1".into(), Some(json!(2)), None),
                (
                    "/body/User/Enabled".into(),
                    Some(json!(true)),
                    Some(json!(false))
                ),
                ("/body/User/Extra".into(), None, Some(json!(1))),
                ("/body/User/Name".into(), Some(json!("a")), None),
            ]
        );
    }

    #[test]
    fn ignore_paths_cover_what_is_below_them_and_stars_match_one_segment() {
        assert!(pointer_covered("/body/User", "/body/User/Enabled"));
        assert!(pointer_covered(
            "/body/Users/*/Enabled",
            "/body/Users/3/Enabled"
        ));
        assert!(!pointer_covered(
            "/body/Users/*/Enabled",
            "/body/Users/3/Name"
        ));
        assert!(!pointer_covered("/body/User/Enabled", "/body/User"));
    }

    #[test]
    fn an_entry_that_covers_a_difference_is_used_one_that_covers_none_is_stale() {
        use crate::exec::failure::{Section, StepRef};
        use crate::recording::RecordedReply;
        let recorded = RecordedExchange {
            step: "steps[0]".into(),
            operation: "AdminGetUser".into(),
            request: json!({}),
            reply: RecordedReply {
                status: 200,
                error_code: None,
                headers: BTreeMap::new(),
                body: json!({"Enabled": true, "Username": "alice"}),
            },
        };
        let entry = |path: &str| IgnoreEntry {
            case: "users/a".into(),
            step: None,
            path: path.into(),
            reason: "a reason".into(),
        };
        let verifier = Verifier {
            recordings: Arc::new(BTreeMap::new()),
            ignores: Arc::new(vec![entry("/body/Enabled"), entry("/body/Other")]),
            used: Arc::new(Mutex::new(vec![false; 2])),
        };
        let mut case = CaseVerifier {
            case: "users/a".into(),
            recorded: vec![recorded],
            seen: BTreeMap::new(),
            normaliser: Normaliser::new(&[]),
            ignores: verifier.ignores.clone(),
            used: verifier.used.clone(),
        };
        let step = StepRef {
            section: Section::Steps,
            index: 0,
            operation: "AdminGetUser".into(),
        };
        let reply = crate::http::client::Reply {
            status: 200,
            headers: Default::default(),
            body: br#"{"Enabled": false, "Username": "bob"}"#.to_vec(),
            elapsed: std::time::Duration::ZERO,
            attempts: 1,
            retries: Vec::new(),
        };
        let exchange = Exchange {
            step: &step,
            operation: "AdminGetUser",
            request: &json!({}),
            reply: &reply,
        };
        let failures = case.exchange(&exchange);
        assert_eq!(
            failures,
            vec![Failure::Recording {
                exchange: 0,
                pointer: "/body/Username".into(),
                expected: Some(json!("alice")),
                found: Some(json!("bob")),
            }]
        );
        assert_eq!(verifier.stale(), vec![entry("/body/Other")]);
        // A second exchange of the step is not in the recording.
        let failures = case.exchange(&exchange);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].pointers(), vec!["/operation"]);
    }

    #[test]
    fn an_ignore_entry_for_a_case_the_recording_lacks_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let recordings = BTreeMap::from([(
            "users/a".to_owned(),
            CaseRecording {
                recorded_against: "moto".into(),
                case: "users/a".into(),
                exchanges: Vec::new(),
            },
        )]);
        let entry =
            |case: &str, reason: &str| json!({"case": case, "path": "/body", "reason": reason});
        let write = |entries: Value| {
            std::fs::write(
                dir.path().join(IGNORE_FILE),
                json!({"ignore": entries}).to_string(),
            )
            .unwrap()
        };
        write(json!([entry("users/a", "moto rounds it")]));
        assert_eq!(load_ignores(dir.path(), &recordings).unwrap().len(), 1);
        write(json!([entry("users/b", "moto rounds it")]));
        let error = load_ignores(dir.path(), &recordings).unwrap_err();
        assert!(error.contains("no case \"users/b\""), "{error}");
        write(json!([entry("users/a", " ")]));
        assert!(
            load_ignores(dir.path(), &recordings)
                .unwrap_err()
                .contains("reason")
        );
    }
}
