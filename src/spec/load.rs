//! Loading case files: JSON syntax (errors at line:column), the case format's own JSON Schema
//! (errors at JSON pointers), then the checks only the harness can make: the operation exists, the
//! expected error is one the operation can return, variables are captured before use, template
//! functions exist and get the right number of arguments, capture
//! paths and matchers are well-formed, descriptions are unique. Every problem in every file is
//! collected so that a suite reports all its load errors together.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use serde_json_path::JsonPath;

use crate::service::schemas::{SchemaKind, SchemaStore};
use crate::spec::case::{Capture, Case, Expect, Paginate, Step};
use crate::spec::case_source::{CaseSource, case_id};
use crate::spec::pattern::Pattern;
use crate::spec::template;

/// Names every case can use without capturing them (the last three are computed as a step is
/// rendered: see [`crate::spec::functions`]).
pub const BUILTIN_VARIABLES: &[&str] = &[
    "prefix",
    "case_id",
    "region",
    "other_region",
    "password",
    "password2",
    "srp_a",
    "device_srp_a",
    "srp_timestamp",
];

pub use crate::spec::error::{LoadError, LoadErrors};

/// Loads every case of `source` (the bundled cases or a directory), sorted by id.
pub fn load_source(source: &CaseSource, store: &SchemaStore) -> Result<Vec<Case>, LoadErrors> {
    let (files, mut errors) = source.case_files();
    let mut cases = Vec::new();
    for relative in files {
        let shown = source.shown(&relative);
        match source.read(&relative) {
            Ok(text) => match load_case(&case_id(&relative), &shown, &text, store) {
                Ok(case) => cases.push(case),
                Err(mut e) => errors.append(&mut e),
            },
            Err(e) => errors.push(e),
        }
    }
    errors.extend(lint_suite(&cases));
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(LoadErrors(errors))
    }
}

/// Loads every `*.json` below `dir` (except the `expectations/` folder), sorted by id.
pub fn load_dir(dir: &Path, store: &SchemaStore) -> Result<Vec<Case>, LoadErrors> {
    load_source(&CaseSource::Dir(dir.to_owned()), store)
}

/// Parses `text` as JSON (errors at line:column) and checks it against `validator` (every
/// violation, at its JSON pointer). Case files and expectations files both start here.
pub fn parse_validated(
    shown: &str,
    text: &str,
    validator: &jsonschema::Validator,
) -> Result<Value, Vec<LoadError>> {
    let error = |location: String, message: String| LoadError {
        file: shown.to_owned(),
        location,
        message,
    };
    let value: Value = serde_json::from_str(text).map_err(|e| {
        vec![error(
            format!("{}:{}", e.line(), e.column()),
            format!("invalid JSON: {e}"),
        )]
    })?;
    validated(shown, value, validator)
}

/// `value` if it passes `validator`, else every violation at its JSON pointer.
fn validated(
    shown: &str,
    value: Value,
    validator: &jsonschema::Validator,
) -> Result<Value, Vec<LoadError>> {
    let errors: Vec<LoadError> = validator
        .iter_errors(&value)
        .map(|e| LoadError {
            file: shown.to_owned(),
            location: e.instance_path().to_string(),
            message: e.to_string(),
        })
        .collect();
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(errors)
    }
}

/// Suite-wide lints: ids must be unique ignoring case, and descriptions unique (two cases
/// pinning the same thing).
pub fn lint_suite(cases: &[Case]) -> Vec<LoadError> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    let mut ids: HashMap<String, &str> = HashMap::new();
    let mut errors = Vec::new();
    for case in cases {
        // Ids that differ only in case are the same test on case-insensitive file systems and
        // the same name to a person filtering or reading an expectations file.
        if let Some(first) = ids.insert(case.id.to_lowercase(), case.id.as_str()) {
            errors.push(LoadError {
                file: case.file.clone(),
                location: String::new(),
                message: format!(
                    "case id {} duplicates case {first} (ids are compared ignoring case)",
                    case.id
                ),
            });
        }
        if let Some(first) = seen.insert(case.description.as_str(), case.id.as_str()) {
            errors.push(LoadError {
                file: case.file.clone(),
                location: "/description".into(),
                message: format!("the same description as case {first}: say what this case pins"),
            });
        }
    }
    errors
}

fn case_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Value = serde_json::from_str(include_str!("../../schemas/case.schema.json"))
            .expect("schemas/case.schema.json is JSON");
        jsonschema::validator_for(&schema).expect("schemas/case.schema.json is a valid schema")
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    #[serde(rename = "$schema")]
    _schema: Option<String>,
    description: String,
    #[serde(default)]
    evidence: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    side_effects: Vec<String>,
    #[serde(default)]
    setup: Vec<RawStep>,
    steps: Vec<RawStep>,
    #[serde(default)]
    teardown: Vec<RawStep>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    name: Option<String>,
    #[serde(default)]
    operation: String,
    http_get: Option<String>,
    paginate: Option<RawPaginate>,
    #[serde(default)]
    request: Option<Value>,
    #[serde(default)]
    invalid_request: bool,
    eventually: Option<String>,
    #[serde(default)]
    expect: Option<RawExpect>,
    #[serde(default)]
    capture: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPaginate {
    page_size: u64,
    only: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    body: Option<Value>,
    error: Option<String>,
    message: Option<Value>,
}

/// Loads one case from its text. `id` is its id, `file` how to name the file in errors.
pub fn load_case(
    id: &str,
    file: &str,
    text: &str,
    store: &SchemaStore,
) -> Result<Case, Vec<LoadError>> {
    let value = parse_validated(file, text, case_validator())?;
    from_value(id, file, value, store)
}

/// Loads one case from its parsed JSON (a case file's content built in memory, e.g. a
/// generated case): checked against the case format, then every rule [`load_case`] applies.
pub fn load_case_value(
    id: &str,
    file: &str,
    value: Value,
    store: &SchemaStore,
) -> Result<Case, Vec<LoadError>> {
    let value = validated(file, value, case_validator())?;
    from_value(id, file, value, store)
}

fn from_value(
    id: &str,
    file: &str,
    value: Value,
    store: &SchemaStore,
) -> Result<Case, Vec<LoadError>> {
    let error = |location: String, message: String| LoadError {
        file: file.to_owned(),
        location,
        message,
    };
    let raw: RawCase = serde_json::from_value(value).map_err(|e| {
        vec![error(
            String::new(),
            format!("does not fit the case format: {e}"),
        )]
    })?;

    let mut errors = Vec::new();
    let mut defined: BTreeSet<String> = BUILTIN_VARIABLES.iter().map(|s| s.to_string()).collect();
    let mut convert = |section: &str, raw_steps: Vec<RawStep>, errors: &mut Vec<LoadError>| {
        let mut steps = Vec::new();
        for (index, raw) in raw_steps.into_iter().enumerate() {
            let at = format!("/{section}/{index}");
            let step = convert_step(raw, &at, store, &mut defined, &mut |loc, msg| {
                errors.push(error(loc, msg))
            });
            if step.eventually.is_some() && section != "steps" {
                errors.push(error(
                    format!("{at}/eventually"),
                    format!("eventually is for the steps under test, not {section}"),
                ));
            }
            steps.push(step);
        }
        steps
    };
    let setup = convert("setup", raw.setup, &mut errors);
    let steps = convert("steps", raw.steps, &mut errors);
    let teardown = convert("teardown", raw.teardown, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Case {
        id: id.to_owned(),
        file: file.to_owned(),
        area: id.split('/').next().unwrap_or(id).to_owned(),
        description: raw.description,
        tags: raw.tags,
        requires: raw.requires,
        side_effects: raw.side_effects,
        evidence: raw.evidence,
        setup,
        steps,
        teardown,
    })
}

fn convert_step(
    raw: RawStep,
    at: &str,
    store: &SchemaStore,
    defined: &mut BTreeSet<String>,
    error: &mut dyn FnMut(String, String),
) -> Step {
    if let Some(path) = &raw.http_get {
        check_http_get(&raw, path, at, defined, error);
    }
    let operation = store.operation(&raw.operation);
    if operation.is_none() && raw.http_get.is_none() {
        error(
            format!("{at}/operation"),
            format!(
                "unknown operation {:?}{}",
                raw.operation,
                suggest(&raw.operation, store)
            ),
        );
    }
    let request = raw
        .request
        .unwrap_or_else(|| Value::Object(Default::default()));
    check_refs(defined, error, &request, format!("{at}/request"));
    let expect = convert_expect(raw.expect, &raw.operation, at, store, defined, error);
    let captures = convert_captures(
        raw.capture,
        &raw.operation,
        raw.http_get.is_none() && matches!(expect, Expect::Success { .. }),
        at,
        store,
        defined,
        error,
    );
    let paginate = raw.paginate.map(|p| Paginate {
        page_size: p.page_size,
        only: p.only.map(|only| {
            let at = format!("{at}/paginate/only");
            check_refs(defined, error, &only, at.clone());
            parse_pattern(&only, &at, error)
        }),
    });
    if paginate.is_some() {
        if operation.is_some_and(|op| op.paginator.is_none()) {
            error(
                format!("{at}/paginate"),
                format!("{} has no paginator in the model", raw.operation),
            );
        }
        if matches!(expect, Expect::Error { .. }) {
            error(
                format!("{at}/paginate"),
                "a paginated step expects success".into(),
            );
        }
    }
    let eventually = raw
        .eventually
        .as_deref()
        .and_then(|text| match parse_bound(text) {
            Ok(bound) => Some(bound),
            Err(why) => {
                error(format!("{at}/eventually"), why);
                None
            }
        });
    if eventually.is_some() && raw.invalid_request {
        error(
            format!("{at}/eventually"),
            "an invalid_request step is never sent, so there is nothing to repeat".into(),
        );
    }
    Step {
        name: raw.name,
        operation: raw.operation,
        http_get: raw.http_get,
        paginate,
        request,
        invalid_request: raw.invalid_request,
        eventually,
        expect,
        captures,
    }
}

/// The members an `http_get` step cannot have, and the references in its path.
fn check_http_get(
    raw: &RawStep,
    path: &str,
    at: &str,
    defined: &BTreeSet<String>,
    error: &mut dyn FnMut(String, String),
) {
    check_refs(
        defined,
        error,
        &Value::String(path.to_owned()),
        format!("{at}/http_get"),
    );
    for (member, present) in [
        ("request", raw.request.is_some()),
        ("invalid_request", raw.invalid_request),
        ("paginate", raw.paginate.is_some()),
        (
            "expect/error",
            raw.expect.as_ref().is_some_and(|e| e.error.is_some()),
        ),
    ] {
        if present {
            error(
                format!("{at}/{member}"),
                format!("an http_get step takes no {member}"),
            );
        }
    }
}

/// The step's expectation: success (with an optional body pattern) or a documented error.
fn convert_expect(
    raw: Option<RawExpect>,
    operation_name: &str,
    at: &str,
    store: &SchemaStore,
    defined: &BTreeSet<String>,
    error: &mut dyn FnMut(String, String),
) -> Expect {
    match raw {
        None => Expect::Success { body: None },
        Some(RawExpect {
            error: Some(code),
            message,
            ..
        }) => {
            if let Some(op) = store.operation(operation_name)
                && !op.errors.contains(&code)
                && !store.index().common_errors.contains(&code)
            {
                error(
                    format!("{at}/expect/error"),
                    format!(
                        "{code} is neither documented for {operation_name} nor a protocol-level error; documented: {}",
                        op.errors.join(", ")
                    ),
                );
            }
            let message = message.map(|message| {
                let at = format!("{at}/expect/message");
                check_refs(defined, error, &message, at.clone());
                parse_pattern(&message, &at, error)
            });
            Expect::Error { code, message }
        }
        Some(RawExpect { body, .. }) => {
            let body = body.map(|body| {
                let at = format!("{at}/expect/body");
                check_refs(defined, error, &body, at.clone());
                parse_pattern(&body, &at, error)
            });
            Expect::Success { body }
        }
    }
}

/// The step's captures, each path checked against the reply's output schema when the step
/// expects a successful API reply; every captured name is defined for the steps after it.
fn convert_captures(
    raw: BTreeMap<String, String>,
    operation: &str,
    api_success: bool,
    at: &str,
    store: &SchemaStore,
    defined: &mut BTreeSet<String>,
    error: &mut dyn FnMut(String, String),
) -> Vec<Capture> {
    let mut captures = Vec::new();
    let output_schema = (api_success && !raw.is_empty() && store.operation(operation).is_some())
        .then(|| store.standalone(operation, &SchemaKind::Output).ok())
        .flatten();
    for (variable, source) in raw {
        let at_capture = format!("{at}/capture/{}", template::escape_pointer(&variable));
        if let Some(schema) = &output_schema
            && let Err(why) = path_can_match(schema, &source)
        {
            error(
                at_capture.clone(),
                format!("{source} can match nothing in a {operation} reply: {why}"),
            );
        }
        match JsonPath::parse(&source) {
            Ok(path) => captures.push(Capture {
                variable: variable.clone(),
                path,
                source,
            }),
            Err(e) => error(at_capture, format!("bad JSONPath {source:?}: {e}")),
        }
        if BUILTIN_VARIABLES.contains(&variable.as_str()) {
            error(
                format!("{at}/capture/{variable}"),
                format!("{variable} is a built-in variable; pick another name"),
            );
        }
        defined.insert(variable);
    }
    captures
}

/// The longest `eventually` bound: the default case timeout, which would cut a longer one short.
pub const MAX_EVENTUALLY: Duration = Duration::from_secs(300);

/// Parses an `eventually` bound: a whole number of `ms`, `s` or `m` (`"500ms"`, `"15s"`,
/// `"2m"`), more than zero and at most [`MAX_EVENTUALLY`].
pub fn parse_bound(text: &str) -> Result<Duration, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like \"15s\""))?;
    let bound = match unit {
        "ms" => Duration::from_millis(number),
        "s" => Duration::from_secs(number),
        "m" => Duration::from_secs(number.saturating_mul(60)),
        _ => return Err(format!("{text:?}: the unit is ms, s or m")),
    };
    if bound.is_zero() || bound > MAX_EVENTUALLY {
        return Err(format!(
            "{text:?}: an eventually bound is more than 0 and at most {} s",
            MAX_EVENTUALLY.as_secs()
        ));
    }
    Ok(bound)
}

/// Checks the plain parts of a JSONPath (`.name`, `['name']`, `[0]`, `[*]`, `.*`) against the
/// reply's schema: a member the schema does not allow can never be matched. Paths with filters
/// or descendant segments are checked up to where those begin.
fn path_can_match(root: &Value, path: &str) -> Result<(), String> {
    let resolve = |schema| resolve_ref(root, schema);
    let mut schema = resolve(root);
    let mut rest = path.strip_prefix('$').unwrap_or(path);
    let mut walked = String::from("$");
    loop {
        let (segment, after) = if let Some(r) = rest.strip_prefix("['") {
            match r.split_once("']") {
                Some((name, after)) => (Segment::Member(name), after),
                None => return Ok(()),
            }
        } else if let Some(r) = rest.strip_prefix('[') {
            match r.split_once(']') {
                Some(("*", after)) => (Segment::Items, after),
                Some((index, after)) if index.parse::<i64>().is_ok() => (Segment::Items, after),
                _ => return Ok(()),
            }
        } else if rest.starts_with("..") {
            return Ok(());
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            match &r[..end] {
                "*" => (Segment::Any, &r[end..]),
                name => (Segment::Member(name), &r[end..]),
            }
        } else {
            return Ok(());
        };
        match segment {
            Segment::Member(name) => {
                if let Some(property) = schema.get("properties").and_then(|p| p.get(name)) {
                    schema = resolve(property);
                } else if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
                    let known: Vec<&str> = schema
                        .get("properties")
                        .and_then(Value::as_object)
                        .map(|p| p.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    return Err(format!(
                        "{walked} has no member {name:?} (it has: {})",
                        known.join(", ")
                    ));
                } else if let Some(values) =
                    schema.get("additionalProperties").filter(|v| v.is_object())
                {
                    schema = resolve(values);
                } else {
                    return Ok(());
                }
                walked.push('.');
                walked.push_str(name);
            }
            Segment::Items => {
                if schema.get("type").and_then(Value::as_str) != Some("array") {
                    return Ok(());
                }
                match schema.get("items") {
                    Some(items) => schema = resolve(items),
                    None => return Ok(()),
                }
                walked.push_str("[*]");
            }
            Segment::Any => return Ok(()),
        }
        rest = after;
        if rest.is_empty() {
            return Ok(());
        }
    }
}

/// Follows `$ref`s to `#/$defs/...` in `root` until a schema that is not a reference.
fn resolve_ref<'v>(root: &'v Value, mut schema: &'v Value) -> &'v Value {
    while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        match reference
            .strip_prefix("#/$defs/")
            .and_then(|name| root.get("$defs").and_then(|d| d.get(name)))
        {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}

enum Segment<'a> {
    Member(&'a str),
    Items,
    Any,
}

/// Reports every `${name}` in `value` that no earlier step captured.
/// The pattern `value` at `pointer`; its errors go to `error` (and `$any` stands in for it).
fn parse_pattern(value: &Value, pointer: &str, error: &mut dyn FnMut(String, String)) -> Pattern {
    Pattern::parse(value, pointer).unwrap_or_else(|errors| {
        for e in errors {
            error(e.pointer, e.message);
        }
        Pattern::Any
    })
}

fn check_refs(
    defined: &BTreeSet<String>,
    error: &mut dyn FnMut(String, String),
    value: &Value,
    pointer: String,
) {
    match template::references(value, &pointer) {
        Ok(refs) => {
            for (pointer, name) in refs {
                if !defined.contains(&name) {
                    error(
                        pointer,
                        format!("variable ${{{name}}} is used before any step captures it"),
                    );
                }
            }
        }
        Err(template::RenderError::Syntax { pointer, error: e }) => error(pointer, e.to_string()),
        Err(e) => error(pointer, e.to_string()),
    }
}

/// ", did you mean X?" for a near miss (case-insensitive equal, or one edit of a known name).
fn suggest(name: &str, store: &SchemaStore) -> String {
    store
        .index()
        .operations
        .keys()
        .find(|known| known.eq_ignore_ascii_case(name) || strsim::levenshtein(known, name) <= 2)
        .map(|known| format!(", did you mean {known}?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::spec::matcher;
    use crate::spec::pattern::{Compiled, REGEX_COMPILES, RegexPattern};
    use crate::spec::template::Vars;
    use std::sync::Arc;

    fn compiles() -> usize {
        REGEX_COMPILES.with(|n| n.get())
    }

    fn body(step: &Step) -> &Pattern {
        match &step.expect {
            Expect::Success { body: Some(body) } => body,
            other => panic!("no body pattern: {other:?}"),
        }
    }

    #[test]
    fn a_regex_is_compiled_once_per_case_load_not_per_match() {
        let text = r#"{"description": "a static and a templated regex",
            "steps": [
                {"operation": "ListUserPools", "request": {"MaxResults": 1},
                 "expect": {"body": {"UserPools": {"$contains": [{"Id": {"$regex": "^us-east-1_(?:compiled-once)?"}}]}}},
                 "capture": {"pool": "$.UserPools[0].Id"}},
                {"operation": "DescribeUserPool", "request": {"UserPoolId": "${pool}"},
                 "expect": {"body": {"UserPool": {"Id": {"$regex": "^${pool}$"}}}}}]}"#;
        let before = compiles();
        let case = load_case("t/re", "t/re.json", text, SchemaStore::global()).unwrap();
        assert_eq!(compiles() - before, 1, "the static regex compiles at load");

        let mut vars = Vars::new();
        vars.set("pool", json!("us-east-1_abc"));
        let list = body(&case.steps[0]).render(&vars).unwrap();
        let describe = body(&case.steps[1]).render(&vars).unwrap();
        assert_eq!(
            compiles() - before,
            2,
            "rendering compiles the templated regex once and shares the static one"
        );
        for _ in 0..100 {
            let pools = json!({"UserPools": [{"Id": "eu-west-1_x"}, {"Id": "us-east-1_abc"}]});
            assert!(matcher::matches(&list, &pools));
            assert!(matcher::matches(
                &describe,
                &json!({"UserPool": {"Id": "us-east-1_abc"}})
            ));
            assert!(!matcher::matches(
                &describe,
                &json!({"UserPool": {"Id": "us-east-1_abcd"}})
            ));
        }
        assert_eq!(compiles() - before, 2, "matching compiles nothing");
    }

    #[test]
    fn the_same_static_regex_in_two_cases_is_one_regex() {
        let text = r#"{"description": "one regex source written twice",
            "steps": [{"operation": "DescribeUserPool", "request": {"UserPoolId": "us-east-1_a"},
                       "expect": {"body": {"UserPool": {"Id": {"$regex": "^us-east-1_(?:shared)?"}}}}},
                      {"operation": "DescribeUserPool", "request": {"UserPoolId": "us-east-1_a"},
                       "expect": {"body": {"UserPool": {"Id": {"$regex": "^us-east-1_(?:shared)?"}}}}}]}"#;
        let first = load_case("t/a", "t/a.json", text, SchemaStore::global()).unwrap();
        let second = load_case("t/b", "t/b.json", text, SchemaStore::global()).unwrap();
        fn member<'p>(pattern: &'p Pattern, name: &str) -> &'p Pattern {
            match pattern {
                Pattern::Object { members } => &members.iter().find(|(k, _)| k == name).unwrap().1,
                other => panic!("not an object pattern: {other:?}"),
            }
        }
        let regex = |step: &Step| match member(member(body(step), "UserPool"), "Id") {
            Pattern::Regex(RegexPattern {
                compiled: Compiled::Ready(regex),
                ..
            }) => regex.clone(),
            other => panic!("not a compiled regex: {other:?}"),
        };
        let all = [&first.steps[0], &first.steps[1], &second.steps[0]].map(regex);
        assert!(all.iter().all(|r| Arc::ptr_eq(r, &all[0])));
    }

    #[test]
    fn eventually_bounds_are_whole_ms_s_or_m_up_to_five_minutes() {
        assert_eq!(parse_bound("15s"), Ok(Duration::from_secs(15)));
        assert_eq!(parse_bound("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_bound("5m"), Ok(MAX_EVENTUALLY));
        for bad in ["6m", "0s", "15", "1.5s", "s", "15 s", "1h"] {
            assert!(parse_bound(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn eventually_is_for_steps_only_and_not_for_requests_never_sent() {
        let text = r#"{"description": "eventually where it does not belong",
            "setup": [{"operation": "ListUserPools", "request": {"MaxResults": 1},
                       "eventually": "15s"}],
            "steps": [
                {"operation": "ListUserPools", "request": {"MaxResults": 1}, "eventually": "15s"},
                {"operation": "ListUserPools", "request": {"MaxResults": 0},
                 "invalid_request": true, "eventually": "15s",
                 "expect": {"error": "InvalidParameterException"}}]}"#;
        let errors = load_case("t/ev", "t/ev.json", text, SchemaStore::global()).unwrap_err();
        let at: Vec<&str> = errors.iter().map(|e| e.location.as_str()).collect();
        assert_eq!(
            at,
            ["/setup/0/eventually", "/steps/1/eventually"],
            "{errors:?}"
        );
        let schema = load_case(
            "t/ev",
            "t/ev.json",
            r#"{"description": "a bound in hours", "steps": [
                {"operation": "ListUserPools", "request": {"MaxResults": 1}, "eventually": "1h"}]}"#,
            SchemaStore::global(),
        )
        .unwrap_err();
        assert_eq!(schema[0].location, "/steps/0/eventually", "{schema:?}");
    }
}
