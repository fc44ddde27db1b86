//! A loaded case: the scenario a case file describes, checked and ready to run. The file format
//! itself (and its JSON Schema, `schemas/case.schema.json`) is read by [`crate::spec::load`].

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json_path::JsonPath;

use crate::spec::pattern::Pattern;

/// One scenario, from one file.
#[derive(Debug, Clone)]
pub struct Case {
    /// The path below the case directory without `.json`, e.g. `users/admin_create_user_duplicate`.
    pub id: String,
    /// The case file as shown in messages, e.g. `cases/users/admin_create_user_duplicate.json`.
    pub file: String,
    /// The first path component of the id (the folder), used as the trial kind.
    pub area: String,
    pub description: String,
    /// Where the asserted behaviour comes from (see [`Evidence`]); empty when the file names none.
    pub evidence: Vec<String>,
    pub tags: Vec<String>,
    /// Outside setup the case needs beyond the API (e.g. `email-delivery`): targets that cannot
    /// provide it, such as a plain AWS account, skip the case with the reason.
    pub requires: Vec<String>,
    /// What the case does beyond its own pool (see [`crate::spec::side_effects`]).
    pub side_effects: Vec<String>,
    pub setup: Vec<Step>,
    pub steps: Vec<Step>,
    pub teardown: Vec<Step>,
}

/// The kinds of evidence a case can name, as `coverage` counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// An AWS documentation page (`https://docs.aws.amazon.com/...`).
    AwsDocumentation,
    /// Another public page or issue that quotes a real Cognito reply.
    PublicReport,
    /// A recorded AWS reply (`recording:<path>`).
    Recording,
    /// The service model alone.
    Model,
    /// No evidence found (for the whole case or part of it).
    Unverified,
}

impl Evidence {
    /// How a case with these `evidence` entries stands: `Unverified` when any entry is, else the
    /// strongest kind named; `None` for no entries.
    pub fn overall(entries: &[String]) -> Option<Evidence> {
        let kinds: Vec<Evidence> = entries.iter().map(|e| Evidence::of(e)).collect();
        if kinds.contains(&Evidence::Unverified) {
            return Some(Evidence::Unverified);
        }
        kinds.into_iter().min()
    }

    /// The kind of one `evidence` entry.
    pub fn of(entry: &str) -> Evidence {
        match entry {
            "model" => Evidence::Model,
            "unverified" => Evidence::Unverified,
            e if e.starts_with("recording:") => Evidence::Recording,
            e if e.starts_with("https://docs.aws.amazon.com/") => Evidence::AwsDocumentation,
            _ => Evidence::PublicReport,
        }
    }
}

impl Case {
    /// How the case stands on evidence: `Unverified` when any part is, else the strongest kind
    /// it names (a recording, then AWS documentation, a public report, the model); `None` when
    /// it names none.
    pub fn evidence_kind(&self) -> Option<Evidence> {
        Evidence::overall(&self.evidence)
    }

    pub fn section(&self, section: Section) -> &[Step] {
        match section {
            Section::Setup => &self.setup,
            Section::Steps => &self.steps,
            Section::Teardown => &self.teardown,
        }
    }

    /// Every step, in file order, with its section and index.
    pub fn all_steps(&self) -> impl Iterator<Item = (Section, usize, &Step)> {
        [Section::Setup, Section::Steps, Section::Teardown]
            .into_iter()
            .flat_map(move |s| {
                self.section(s)
                    .iter()
                    .enumerate()
                    .map(move |(i, st)| (s, i, st))
            })
    }
}

/// One request and what its reply must look like.
#[derive(Debug, Clone)]
pub struct Step {
    pub name: Option<String>,
    /// The API operation called; empty for an `http_get` step.
    pub operation: String,
    /// A plain `GET` of this path (a template) on the endpoint instead of an API call, e.g. the
    /// pool's `/${pool}/.well-known/jwks.json`. Its reply is checked for a 2xx status, a JSON
    /// body and the expected body only.
    pub http_get: Option<String>,
    /// Page through the operation's results (see [`Paginate`]).
    pub paginate: Option<Paginate>,
    /// The request body, a template (strings may hold `${var}`).
    pub request: Value,
    /// The request breaks the input schema on purpose.
    pub invalid_request: bool,
    /// Repeat the step until its expectation holds or this long has passed since the first try
    /// (a read of something the service makes consistent eventually); only in `steps`. See
    /// `exec::eventually` for the back-off.
    pub eventually: Option<Duration>,
    pub expect: Expect,
    pub captures: Vec<Capture>,
}

/// Paging a paginated operation with a small page size until no token is left. Every page is
/// checked as a reply; the pages must respect the page size and hold no duplicates; the expected
/// body and captures then apply to the whole result, with all items under the result key.
#[derive(Debug, Clone)]
pub struct Paginate {
    pub page_size: u64,
    /// Only the items this pattern matches make the result and are checked for duplicates (a
    /// listing of the whole account, e.g. ListUserPools, also holds other runs' items, which
    /// come and go while the pages are read). The page-size and token rules hold for all.
    pub only: Option<Pattern>,
}

impl Step {
    /// What the step calls, for messages: the operation, or `GET <path>`.
    pub fn label(&self) -> String {
        match &self.http_get {
            Some(path) => format!("GET {path}"),
            None => self.operation.clone(),
        }
    }
}

/// What the reply must be.
#[derive(Debug, Clone)]
pub enum Expect {
    /// A 2xx reply whose body validates against the output schema and, if given, matches `body`
    /// (parsed at load, rendered per run: see [`crate::spec::pattern`]).
    Success { body: Option<Pattern> },
    /// An error reply with this code and, if given, a message matching `message` (exact text or a
    /// matcher).
    Error {
        code: String,
        message: Option<Pattern>,
    },
}

/// A value to keep from the reply: `variable` gets what `path` selects in the body.
#[derive(Debug, Clone)]
pub struct Capture {
    pub variable: String,
    pub path: JsonPath,
    /// The path as written, for messages.
    pub source: String,
}

/// The three parts of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Setup,
    Steps,
    Teardown,
}

impl Section {
    pub fn name(self) -> &'static str {
        match self {
            Section::Setup => "setup",
            Section::Steps => "steps",
            Section::Teardown => "teardown",
        }
    }
}

/// A case of the suite as reports name it: id, area and the operations its steps call.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseRef {
    pub id: String,
    pub area: String,
    pub operations: Vec<String>,
}

/// The operations a case's `steps` call, in order, without repeats (`http_get` steps call none).
pub fn tested_operations(case: &Case) -> Vec<String> {
    let mut operations: Vec<String> = Vec::new();
    for step in &case.steps {
        if !step.operation.is_empty() && !operations.contains(&step.operation) {
            operations.push(step.operation.clone());
        }
    }
    operations
}

impl CaseRef {
    pub fn of(case: &Case) -> CaseRef {
        CaseRef {
            id: case.id.clone(),
            area: case.area.clone(),
            operations: tested_operations(case),
        }
    }
}
