//! Layer 8: record and replay. `run --record DIR` writes every exchange of every case (request,
//! and reply: status, error code, the headers that are checked, body), normalised
//! ([`normalise`](crate::recording::normalise)), one file per case (`DIR/<case id>.json`) with a header naming the target it
//! was recorded against, and `DIR/recording.json` saying the same for the whole recording
//! ([`record`](crate::recording::record)). `run --verify-recording DIR` compares each reply of a run with its recording,
//! value by value ([`verify`](crate::recording::verify), the `recording` check; `DIR/ignore.json` lists paths to leave
//! out, each with its reason). `run --replay DIR` answers from a recording ([`replay`](crate::recording::replay), an
//! in-process server), so that a recorded run can be re-checked offline.

pub mod normalise;
pub mod record;
pub mod replay;
pub mod verify;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::exec::observe::Exchange;
use normalise::Normaliser;

/// The file in a recording directory that describes the whole recording.
pub const MANIFEST: &str = "recording.json";
/// The file in a recording directory that lists the paths verification leaves out.
pub const IGNORE_FILE: &str = "ignore.json";

/// What a run does with a recording directory while it runs against a target (which may be a
/// replay of another: [`replay`](crate::recording::replay)).
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Write the run's exchanges into the directory.
    Record(PathBuf),
    /// Compare the target's replies with the directory's.
    Verify(PathBuf),
}

/// What `DIR/recording.json` says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The target the recording was made against: the run's target name (`moto`, `aws`, ...),
    /// else its endpoint.
    pub recorded_against: String,
    pub region: String,
    /// The harness that made it.
    pub harness: String,
}

/// One case's recording: `DIR/<case id>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRecording {
    pub recorded_against: String,
    pub case: String,
    pub exchanges: Vec<RecordedExchange>,
}

/// One request and its reply, normalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedExchange {
    /// The step it belongs to, `steps[1]`.
    pub step: String,
    /// The operation; empty for an `http_get`, whose `request` is its path.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub operation: String,
    pub request: Value,
    pub reply: RecordedReply,
}

/// A reply, normalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedReply {
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// `content-type`, `x-amzn-errortype` and `x-amzn-requestid` (normalised), when present.
    pub headers: BTreeMap<String, String>,
    /// The JSON body, or `{"$text": ...}` for a body that is not JSON.
    pub body: Value,
}

/// The headers a recording keeps: what the checks read.
const KEPT_HEADERS: [&str; 3] = ["content-type", "x-amzn-errortype", "x-amzn-requestid"];

/// An exchange normalised with the case's table (request first, then reply, so that two runs
/// number their placeholders alike).
pub fn normalise_exchange(
    normaliser: &mut Normaliser,
    exchange: &Exchange<'_>,
) -> RecordedExchange {
    let request = normaliser.value(exchange.request);
    let reply = exchange.reply;
    let mut headers = BTreeMap::new();
    for name in KEPT_HEADERS {
        if let Some(value) = reply.header(name) {
            let value = match name {
                "x-amzn-requestid" => normaliser.request_id(value),
                _ => value.to_owned(),
            };
            headers.insert(name.to_owned(), value);
        }
    }
    let body = match serde_json::from_slice::<Value>(&reply.body) {
        Ok(body) => normaliser.value(&body),
        Err(_) => {
            serde_json::json!({"$text": normaliser.string(&String::from_utf8_lossy(&reply.body))})
        }
    };
    RecordedExchange {
        step: exchange.step.id(),
        operation: exchange.operation.to_owned(),
        request,
        reply: RecordedReply {
            status: reply.status,
            error_code: reply.error_code(),
            headers,
            body,
        },
    }
}

/// The built-in variables a case's table starts with, from the case's variables.
pub fn builtins(vars: &crate::spec::template::Vars) -> Vec<(&'static str, String)> {
    ["prefix", "case_id", "password", "password2"]
        .into_iter()
        .filter_map(|name| {
            vars.get(name)
                .and_then(Value::as_str)
                .map(|v| (name, v.to_owned()))
        })
        .collect()
}

/// A normaliser for a case with these variables.
pub fn normaliser_for(vars: &crate::spec::template::Vars) -> Normaliser {
    let builtins = builtins(vars);
    let pairs: Vec<(&str, &str)> = builtins.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Normaliser::new(&pairs)
}

/// The file of case `id` in `dir`.
pub fn case_file(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.json"))
}

/// Every case recording under `dir`, by case id.
pub fn load_dir(dir: &Path) -> Result<BTreeMap<String, CaseRecording>, String> {
    let manifest = dir.join(MANIFEST);
    if !manifest.is_file() {
        return Err(format!(
            "{} is not a recording: it has no {MANIFEST}",
            dir.display()
        ));
    }
    let mut files = Vec::new();
    walk(dir, &mut files).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut recordings = BTreeMap::new();
    for file in files {
        let top = file.parent() == Some(dir);
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if top && (name == MANIFEST || name == IGNORE_FILE) {
            continue;
        }
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let recording: CaseRecording = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a case recording: {e}", file.display()))?;
        recordings.insert(recording.case.clone(), recording);
    }
    Ok(recordings)
}

/// The manifest of the recording in `dir`.
pub fn load_manifest(dir: &Path) -> Result<Manifest, String> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// `value` as pretty JSON with a final newline: the form recordings are written in.
pub fn pretty(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// What a run does with its recording directory, once started (see [`Active::start`]).
pub enum Active {
    None,
    Record(std::sync::Arc<record::Recorder>),
    Verify(std::sync::Arc<verify::Verifier>),
}

impl Active {
    /// Starts recording into, or loads for verification, the directory `mode` names;
    /// `recorded_against` names the run's target for a new recording.
    pub fn start(
        mode: Option<&Mode>,
        recorded_against: &str,
        region: &str,
    ) -> Result<Active, String> {
        Ok(match mode {
            None => Active::None,
            Some(Mode::Record(dir)) => Active::Record(std::sync::Arc::new(record::Recorder::new(
                dir.clone(),
                recorded_against,
                region,
            )?)),
            Some(Mode::Verify(dir)) => {
                Active::Verify(std::sync::Arc::new(verify::Verifier::load(dir)?))
            }
        })
    }

    /// The observer the run's cases report their exchanges to.
    pub fn observer(&self) -> Option<std::sync::Arc<dyn crate::exec::observe::Observer>> {
        match self {
            Active::Record(recorder) => Some(recorder.clone()),
            Active::Verify(verifier) => Some(verifier.clone()),
            Active::None => None,
        }
    }

    /// After the run: what to tell (files not written, stale ignore entries of a full run), and
    /// whether that is an error of the harness (a recording not written) or fails the run.
    pub fn finish(&self, full_run: bool) -> Finished {
        match self {
            Active::Record(recorder) => Finished {
                lines: recorder.errors(),
                harness_error: !recorder.errors().is_empty(),
                fails_run: false,
            },
            Active::Verify(verifier) if full_run => {
                let lines: Vec<String> = verifier
                    .stale()
                    .iter()
                    .map(|e| {
                        format!(
                            "stale recording ignore entry: case {:?} path {:?} covered no difference in this run ({})",
                            e.case, e.path, e.reason
                        )
                    })
                    .collect();
                Finished {
                    fails_run: !lines.is_empty(),
                    lines,
                    harness_error: false,
                }
            }
            _ => Finished::default(),
        }
    }
}

/// What [`Active::finish`] found.
#[derive(Debug, Default)]
pub struct Finished {
    pub lines: Vec<String>,
    pub harness_error: bool,
    pub fails_run: bool,
}
