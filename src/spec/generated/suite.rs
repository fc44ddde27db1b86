//! Generated cases as ordinary [`Case`]s of the suite.
//!
//! Each generated request becomes the content of a one-step case file: the operation, the
//! request (every `${` written `$${`, so that templates leave it as it is), `"invalid_request":
//! true`, and `expect: {error, message}` (the message as [`crate::spec::generated::expect`]
//! decides). No setup and no teardown: validation happens before any lookup, so the request
//! needs nothing to exist and creates nothing. (Only a `CreateUserPool` case captures the pool
//! and has a teardown deleting it, which runs only when a target that does not validate created
//! the pool.) That content goes through the case loader
//! ([`load::load_case_value`]), so every rule of case files applies to it; ids are
//! `generated/<Operation>/<MemberPath>/<keyword>`.
//!
//! Generating and loading every case takes a moment, so the cases of the global
//! [`SchemaStore`] are made once per process ([`global`]).

use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use crate::service::schemas::SchemaStore;
use crate::spec::case::{Case, CaseRef};
use crate::spec::error::{LoadError, LoadErrors};
use crate::spec::generated::cases::{self, Generated};
use crate::spec::generated::expect::message_check;
use crate::spec::generated::schema::Operation;
use crate::spec::generated::{AREA, GenerateError, generate};
use crate::spec::load;

/// The longest description a case file may have.
const MAX_DESCRIPTION: usize = 120;

/// `value` with every `${` in its strings (and member names) written `$${`.
pub fn escape_templates(value: &Value) -> Value {
    let escape = |s: &str| s.replace("${", "$${");
    match value {
        Value::String(s) => Value::String(escape(s)),
        Value::Array(items) => Value::Array(items.iter().map(escape_templates).collect()),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (escape(k), escape_templates(v)))
                .collect::<Map<String, Value>>(),
        ),
        other => other.clone(),
    }
}

/// The description of a generated case: what it pins, at most 120 characters.
pub fn description(case: &cases::Case) -> String {
    let c = &case.constraint;
    let full = format!(
        "{} rejects {} breaking {}",
        c.operation,
        c.pointer(),
        c.keyword
    );
    if full.chars().count() <= MAX_DESCRIPTION {
        return full;
    }
    // Long paths: keep the operation, the keyword and the end of the path (the whole id is
    // the case name anyway).
    let head = format!("{} rejects ...", c.operation);
    let tail = format!(" breaking {}", c.keyword);
    let pointer = c.pointer();
    let room = MAX_DESCRIPTION - head.chars().count() - tail.chars().count();
    let skip = pointer.chars().count().saturating_sub(room);
    let end: String = pointer.chars().skip(skip).collect();
    format!("{head}{end}{tail}")
}

/// The content of the case file `case` (of operation `op`) stands for.
pub fn case_json(op: &Operation, case: &cases::Case) -> Value {
    let mut expect = Map::new();
    expect.insert("error".into(), case.error.to_string().into());
    if let Some(message) = message_check(op, case).to_json() {
        expect.insert("message".into(), escape_templates(&message));
    }
    let mut step = json!({
        "operation": case.constraint.operation,
        "request": escape_templates(&case.request),
        "invalid_request": true,
        "expect": Value::Object(expect),
    });
    // The error code follows from the model's constraint; the message forms are backed by the
    // replies listed in `message::EVIDENCE`, and what no reply shows is left open, not asserted.
    let mut content = json!({
        "description": description(case),
        "evidence": ["model"],
        "tags": ["generated", "validation"],
    });
    if case.constraint.operation == CREATE_POOL {
        // A target that does not validate creates the pool: delete it at once, so that no
        // other case sees it (its settings break the schemas, e.g. in ListUserPools replies).
        step["capture"] = json!({"pool": "$.UserPool.Id"});
        content["teardown"] =
            json!([{"operation": "DeleteUserPool", "request": {"UserPoolId": "${pool}"}}]);
    }
    content["steps"] = json!([step]);
    content
}

/// The one operation whose generated requests a target that does not validate turns into a
/// resource (moto creates the pool).
const CREATE_POOL: &str = "CreateUserPool";

/// How messages name the "file" of a generated case: the schema it comes from.
pub fn shown_file(case: &cases::Case) -> String {
    format!(
        "schemas/operations/{}.json (generated case {})",
        case.constraint.operation, case.name
    )
}

/// Every generated case of `store`, loaded, sorted by id.
pub fn load_cases(store: &SchemaStore) -> Result<Vec<Case>, LoadErrors> {
    let generated = generate(store).map_err(generate_error)?;
    load_generated(&generated, store)
}

/// The loaded cases of `generated` (made from `store`'s schemas).
pub fn load_generated(generated: &Generated, store: &SchemaStore) -> Result<Vec<Case>, LoadErrors> {
    let mut loaded = Vec::with_capacity(generated.cases.len());
    let mut errors = Vec::new();
    let mut operation: Option<Operation> = None;
    for case in &generated.cases {
        let name = &case.constraint.operation;
        if operation.as_ref().is_none_or(|op| &op.name != name) {
            operation = Some(
                Operation::from_store(store, name)
                    .map_err(|e| generate_error(GenerateError::Schema(e)))?,
            );
        }
        let Some(op) = &operation else { continue };
        match load_one(op, case, store) {
            Ok(case) => loaded.push(case),
            Err(mut e) => errors.append(&mut e.0),
        }
    }
    if !errors.is_empty() {
        return Err(LoadErrors(errors));
    }
    loaded.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(loaded)
}

/// The generated `case` of operation `op`, loaded.
pub fn load_one(
    op: &Operation,
    case: &cases::Case,
    store: &SchemaStore,
) -> Result<Case, LoadErrors> {
    let json = case_json(op, case);
    load::load_case_value(&case.name, &shown_file(case), json, store).map_err(LoadErrors)
}

/// The generated case `id` of `store`, loaded alone (`None`: no such case).
pub fn load_by_id(store: &SchemaStore, id: &str) -> Option<Result<Case, LoadErrors>> {
    let generated = match generated_of(store) {
        Ok(generated) => generated,
        Err(e) => return Some(Err(e)),
    };
    let case = generated.cases.iter().find(|c| c.name == id)?;
    let op = Operation::from_store(store, &case.constraint.operation)
        .map_err(|e| generate_error(GenerateError::Schema(e)));
    Some(op.and_then(|op| load_one(&op, case, store)))
}

/// The id, area and operation of every generated case of `store`, without loading them (what
/// a process that runs one case needs to know of the rest of the suite), from the kept ids
/// ([`crate::spec::generated::index`]).
pub fn refs(store: &SchemaStore) -> Result<Vec<CaseRef>, LoadErrors> {
    Ok(crate::spec::generated::index::ids(store)?
        .into_iter()
        .map(|id| CaseRef {
            area: AREA.to_owned(),
            operations: id
                .split('/')
                .nth(1)
                .map(str::to_owned)
                .into_iter()
                .collect(),
            id,
        })
        .collect())
}

/// The sorted ids of every generated case of `store`, generated.
pub fn generated_ids(store: &SchemaStore) -> Result<Vec<String>, LoadErrors> {
    let mut ids: Vec<String> = generated_of(store)?
        .cases
        .iter()
        .map(|case| case.name.clone())
        .collect();
    ids.sort();
    Ok(ids)
}

fn generate_error(error: GenerateError) -> LoadErrors {
    LoadErrors(vec![LoadError {
        file: format!("{AREA}/"),
        location: String::new(),
        message: format!("cannot generate the validation cases: {error}"),
    }])
}

/// The generation of `store`: made once per process for [`SchemaStore::global`].
fn generated_of(store: &SchemaStore) -> Result<std::borrow::Cow<'static, Generated>, LoadErrors> {
    static GENERATED: OnceLock<Result<Generated, LoadErrors>> = OnceLock::new();
    if !std::ptr::eq(store, SchemaStore::global()) {
        return generate(store)
            .map(std::borrow::Cow::Owned)
            .map_err(generate_error);
    }
    GENERATED
        .get_or_init(|| generate(SchemaStore::global()).map_err(generate_error))
        .as_ref()
        .map(std::borrow::Cow::Borrowed)
        .map_err(Clone::clone)
}

/// The generated cases of [`SchemaStore::global`], made and loaded once per process.
pub fn global() -> Result<&'static [Case], LoadErrors> {
    static CASES: OnceLock<Result<Vec<Case>, LoadErrors>> = OnceLock::new();
    CASES
        .get_or_init(|| {
            let store = SchemaStore::global();
            let generated = generated_of(store)?;
            load_generated(generated.as_ref(), store)
        })
        .as_ref()
        .map(Vec::as_slice)
        .map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_escaped_everywhere() {
        let value = json!({"a${b}": ["${x}", "$${y}", 1], "c": "plain $"});
        assert_eq!(
            escape_templates(&value),
            json!({"a$${b}": ["$${x}", "$$${y}", 1], "c": "plain $"})
        );
    }
}
