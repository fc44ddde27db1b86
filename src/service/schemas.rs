//! The committed JSON Schemas under `schemas/` at run time: the operation index and validators
//! for request bodies, reply bodies and error bodies.
//!
//! The schemas are built into the binary ([`crate::support::bundled`]); a directory can replace them
//! (`--schemas DIR`, for someone regenerating them) through [`SchemaStore::use_dir`] before the
//! first use of [`SchemaStore::global`].
//!
//! Start-up is cheap: opening a store reads only `index.json`. An operation's schema file is read
//! the first time one of its kinds is needed, and each (operation, kind) validator is built once
//! and shared by every thread; regex patterns are compiled once for the whole store. Validation
//! reports [`Violation`]s with the instance location; undocumented members (an
//! `additionalProperties` violation) are flagged so callers can downgrade them to warnings.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use jsonschema::error::ValidationErrorKind;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `index.json`: what the generator knew about the model and every operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Index {
    pub model: ModelInfo,
    /// Protocol-level errors any operation may return (validated by `common-error.json`).
    pub common_errors: Vec<String>,
    pub operations: BTreeMap<String, OperationInfo>,
}

/// `model` of `index.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// botocore release of the model, when known.
    pub botocore: Option<String>,
    pub api_version: String,
    pub target_prefix: String,
    /// Number of operations.
    pub operations: usize,
    /// Number of (operation, documented error) pairs.
    pub documented_errors: usize,
}

/// One operation of `index.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationInfo {
    /// `X-Amz-Target` header value, e.g. `AWSCognitoIdentityProviderService.CreateUserPool`.
    pub target: String,
    /// Input shape name.
    pub input: Option<String>,
    /// Output shape name; `None` when the reply body is an empty object.
    pub output: Option<String>,
    /// Documented error shape names, sorted, as the model lists them (a name may repeat).
    pub errors: Vec<String>,
    /// Called without AWS credentials.
    pub unauthenticated: bool,
    pub paginator: Option<Paginator>,
}

/// How an operation pages (from paginators-1.json).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paginator {
    pub input_token: String,
    pub output_token: String,
    pub limit_key: Option<String>,
    pub result_key: Option<String>,
}

/// Which body of an operation to validate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SchemaKind {
    /// The request body.
    Input,
    /// A successful reply body.
    Output,
    /// The body of an error reply with this error code.
    Error(String),
}

impl fmt::Display for SchemaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaKind::Input => f.write_str("input"),
            SchemaKind::Output => f.write_str("output"),
            SchemaKind::Error(name) => write!(f, "error {name}"),
        }
    }
}

/// One way an instance breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer into the instance, `""` for the root. For an undocumented member, the
    /// pointer of that member.
    pub pointer: String,
    /// What is wrong, readable on its own.
    pub message: String,
    /// The violation is a member that the schema does not document (`additionalProperties`).
    pub undocumented_member: bool,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(root)"
        } else {
            &self.pointer
        };
        write!(f, "{pointer}: {}", self.message)
    }
}

/// Why a schema could not be found, read or built.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SchemaError {
    #[error("cannot read {path}: {message} (run `cognito-contract generate-schemas` to create it)")]
    Read { path: PathBuf, message: String },
    #[error(
        "{path} is not valid JSON or not the expected layout: {message} (regenerate the schemas)"
    )]
    Parse { path: PathBuf, message: String },
    #[error(
        "the schema directory must be chosen before the schemas are first used (a bug of the caller)"
    )]
    AlreadyInUse,
    #[error("unknown operation {0}: it is not in the schema index")]
    UnknownOperation(String),
    #[error(
        "{error} is neither a documented error of {operation} nor a common protocol error, so no schema checks its body"
    )]
    UnknownError { operation: String, error: String },
    #[error("the {kind} schema of {operation} does not compile: {message}")]
    Build {
        operation: String,
        kind: String,
        message: String,
    },
}

type Shared<T> = Arc<OnceLock<Result<Arc<T>, SchemaError>>>;

/// The committed schemas of one `schemas/` directory.
pub struct SchemaStore {
    origin: Origin,
    index: Index,
    documents: Mutex<HashMap<String, Shared<Value>>>,
    validators: Mutex<HashMap<(String, SchemaKind), Shared<jsonschema::Validator>>>,
    /// The validators built, by the operation and kind asked for: found without building a
    /// key or reading the index, once per checked reply.
    built: Mutex<HashMap<String, HashMap<SchemaKind, Arc<jsonschema::Validator>>>>,
    patterns: jsonschema::PatternCache,
}

impl fmt::Debug for SchemaStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchemaStore")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// The JSON Schema dialect of every schema file.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

const COMMON_ERROR_KEY: &str = "common-error.json";

static GLOBAL: OnceLock<SchemaStore> = OnceLock::new();

/// Where a store reads its files.
#[derive(Debug)]
enum Origin {
    /// Built into the binary ([`crate::support::bundled::schema_file`]).
    Embedded,
    /// A `schemas/` directory on disk.
    Dir(PathBuf),
}

impl Origin {
    /// How errors name the file `relative`.
    fn path(&self, relative: &str) -> PathBuf {
        match self {
            Origin::Embedded => Path::new("schemas").join(relative),
            Origin::Dir(dir) => dir.join(relative),
        }
    }

    fn read(&self, relative: &str) -> Result<std::borrow::Cow<'static, str>, SchemaError> {
        match self {
            Origin::Embedded => crate::support::bundled::schema_file(relative)
                .map(std::borrow::Cow::Borrowed)
                .ok_or_else(|| SchemaError::Read {
                    path: self.path(relative),
                    message: "not built into the binary".to_owned(),
                }),
            Origin::Dir(_) => std::fs::read_to_string(self.path(relative))
                .map(std::borrow::Cow::Owned)
                .map_err(|e| SchemaError::Read {
                    path: self.path(relative),
                    message: e.to_string(),
                }),
        }
    }
}

impl SchemaStore {
    /// The store every part of the harness uses: the schemas built into the binary, unless
    /// [`SchemaStore::use_dir`] chose a directory before the first call.
    pub fn global() -> &'static SchemaStore {
        GLOBAL.get_or_init(SchemaStore::embedded)
    }

    /// Makes the schemas in `dir` the [`SchemaStore::global`] store. Fails when `dir` has no
    /// readable `index.json`, or when the global store is already in use.
    pub fn use_dir(dir: &Path) -> Result<(), SchemaError> {
        let store = SchemaStore::open(dir)?;
        GLOBAL.set(store).map_err(|_| SchemaError::AlreadyInUse)
    }

    /// True for the schemas built into the binary (not a directory's).
    pub fn is_embedded(&self) -> bool {
        matches!(self.origin, Origin::Embedded)
    }

    /// The schemas built into the binary.
    pub fn embedded() -> SchemaStore {
        SchemaStore::from_origin(Origin::Embedded)
            .unwrap_or_else(|error| panic!("the schemas built into the binary: {error}"))
    }

    /// Opens the schemas in `dir` (reads only `index.json`).
    pub fn open(dir: &Path) -> Result<SchemaStore, SchemaError> {
        SchemaStore::from_origin(Origin::Dir(dir.to_owned()))
    }

    fn from_origin(origin: Origin) -> Result<SchemaStore, SchemaError> {
        let text = origin.read("index.json")?;
        let index = serde_json::from_str(&text).map_err(|e| SchemaError::Parse {
            path: origin.path("index.json"),
            message: e.to_string(),
        })?;
        Ok(SchemaStore {
            origin,
            index,
            documents: Mutex::default(),
            validators: Mutex::default(),
            built: Mutex::default(),
            patterns: jsonschema::PatternCache::new(),
        })
    }

    /// The directory the store reads, or `None` for the schemas built into the binary.
    pub fn dir(&self) -> Option<&Path> {
        match &self.origin {
            Origin::Embedded => None,
            Origin::Dir(dir) => Some(dir),
        }
    }

    /// The parsed `index.json`.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The index entry of operation `name`.
    pub fn operation(&self, name: &str) -> Option<&OperationInfo> {
        self.index.operations.get(name)
    }

    /// True when `error` is one of the protocol-level errors of `common-error.json`.
    pub fn is_common_error(&self, error: &str) -> bool {
        self.index.common_errors.iter().any(|e| e == error)
    }

    /// Validates `instance` against the `kind` schema of operation `op`. An empty vector means
    /// the instance conforms.
    pub fn validate(
        &self,
        op: &str,
        kind: &SchemaKind,
        instance: &Value,
    ) -> Result<Vec<Violation>, SchemaError> {
        let validator = self.validator(op, kind)?;
        // Most replies conform: say so without building the errors.
        if validator.is_valid(instance) {
            return Ok(Vec::new());
        }
        let mut violations = Vec::new();
        for error in validator.iter_errors(instance) {
            let pointer = error.instance_path().as_str().to_owned();
            match error.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    violations.extend(unexpected.iter().map(|name| undocumented(&pointer, name)));
                }
                // `additionalProperties: false` with no `properties` (an empty reply object):
                // every member is undocumented, the error names only the object.
                ValidationErrorKind::FalseSchema
                    if error
                        .schema_path()
                        .as_str()
                        .ends_with("/additionalProperties") =>
                {
                    match instance.pointer(&pointer).and_then(Value::as_object) {
                        Some(object) => violations
                            .extend(object.keys().map(|name| undocumented(&pointer, name))),
                        None => violations.push(Violation {
                            pointer,
                            message: error.to_string(),
                            undocumented_member: true,
                        }),
                    }
                }
                _ => violations.push(Violation {
                    pointer,
                    message: error.to_string(),
                    undocumented_member: false,
                }),
            }
        }
        Ok(violations)
    }

    /// A standalone schema for the `kind` body of `op`: the kind's schema at the root and only
    /// the `$defs` it needs.
    pub fn standalone(&self, op: &str, kind: &SchemaKind) -> Result<Value, SchemaError> {
        match self.source(op, kind)? {
            Source::Operation(document) => {
                let root = match kind {
                    SchemaKind::Input => &document["input"],
                    SchemaKind::Output => &document["output"],
                    SchemaKind::Error(name) => &document["errors"][name.as_str()],
                };
                let empty = Map::new();
                let defs = document["$defs"].as_object().unwrap_or(&empty);
                Ok(standalone_schema(root, defs))
            }
            Source::Common(document) => {
                let mut schema = (*document).clone();
                if let Some(object) = schema.as_object_mut() {
                    object.remove("$id");
                }
                Ok(schema)
            }
        }
    }

    fn source(&self, op: &str, kind: &SchemaKind) -> Result<Source, SchemaError> {
        let info = self
            .operation(op)
            .ok_or_else(|| SchemaError::UnknownOperation(op.to_owned()))?;
        if let SchemaKind::Error(name) = kind
            && !info.errors.iter().any(|e| e == name)
        {
            if self.is_common_error(name) {
                return self.document(COMMON_ERROR_KEY).map(Source::Common);
            }
            return Err(SchemaError::UnknownError {
                operation: op.to_owned(),
                error: name.clone(),
            });
        }
        self.document(op).map(Source::Operation)
    }

    /// The parsed schema file of operation `op` (`operations/<op>.json`: `input`, `output`,
    /// `errors` and `$defs`), read once.
    pub fn operation_document(&self, op: &str) -> Result<Arc<Value>, SchemaError> {
        if self.operation(op).is_none() {
            return Err(SchemaError::UnknownOperation(op.to_owned()));
        }
        self.document(op)
    }

    /// The parsed file of operation `op` (or `common-error.json`), read once.
    fn document(&self, key: &str) -> Result<Arc<Value>, SchemaError> {
        let cell = shared(&self.documents, key.to_owned());
        cell.get_or_init(|| {
            let relative = if key == COMMON_ERROR_KEY {
                COMMON_ERROR_KEY.to_owned()
            } else {
                format!("operations/{key}.json")
            };
            let text = self.origin.read(&relative)?;
            let value: Value = serde_json::from_str(&text).map_err(|e| SchemaError::Parse {
                path: self.origin.path(&relative),
                message: e.to_string(),
            })?;
            Ok(Arc::new(value))
        })
        .clone()
    }

    /// The validator of the `kind` body of `op`, built once and shared.
    pub fn validator(
        &self,
        op: &str,
        kind: &SchemaKind,
    ) -> Result<Arc<jsonschema::Validator>, SchemaError> {
        let found = (self.built.lock().unwrap_or_else(PoisonError::into_inner))
            .get(op)
            .and_then(|kinds| kinds.get(kind))
            .cloned();
        if let Some(validator) = found {
            return Ok(validator);
        }
        let validator = self.build_validator(op, kind)?;
        self.built
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(op.to_owned())
            .or_default()
            .insert(kind.clone(), validator.clone());
        Ok(validator)
    }

    /// The validator of the `kind` body of `op`, built on its first use.
    fn build_validator(
        &self,
        op: &str,
        kind: &SchemaKind,
    ) -> Result<Arc<jsonschema::Validator>, SchemaError> {
        // Common errors share one validator whatever the operation.
        let key = match self.source(op, kind)? {
            Source::Common(_) => (String::new(), kind.clone()),
            Source::Operation(_) => (op.to_owned(), kind.clone()),
        };
        let cell = shared(&self.validators, key);
        cell.get_or_init(|| {
            let schema = self.standalone(op, kind)?;
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .with_pattern_cache(self.patterns.clone())
                .build(&schema)
                .map(Arc::new)
                .map_err(|e| SchemaError::Build {
                    operation: op.to_owned(),
                    kind: kind.to_string(),
                    message: e.to_string(),
                })
        })
        .clone()
    }
}

enum Source {
    Operation(Arc<Value>),
    Common(Arc<Value>),
}

fn shared<K: std::hash::Hash + Eq, T>(map: &Mutex<HashMap<K, Shared<T>>>, key: K) -> Shared<T> {
    map.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(key)
        .or_default()
        .clone()
}

fn undocumented(parent: &str, name: &str) -> Violation {
    let escaped = name.replace('~', "~0").replace('/', "~1");
    Violation {
        pointer: format!("{parent}/{escaped}"),
        message: format!("undocumented member '{name}' (the schema does not allow it here)"),
        undocumented_member: true,
    }
}

/// `root` with `$schema` and the subset of `defs` reachable from it through `#/$defs/` refs.
fn standalone_schema(root: &Value, defs: &Map<String, Value>) -> Value {
    let mut needed = BTreeSet::new();
    let mut todo = vec![root];
    while let Some(schema) = todo.pop() {
        let mut refs = Vec::new();
        collect_refs(schema, &mut refs);
        for name in refs {
            if let Some(def) = defs.get(name)
                && needed.insert(name.to_owned())
            {
                todo.push(def);
            }
        }
    }
    let mut schema = Map::new();
    schema.insert("$schema".into(), DIALECT.into());
    match root {
        Value::Object(object) => schema.extend(object.clone()),
        // A boolean root (`true`): `{}` accepts everything, `{"not": {}}` nothing.
        Value::Bool(true) => {}
        _ => {
            schema.insert("not".into(), Value::Object(Map::new()));
        }
    }
    if !needed.is_empty() {
        let picked: Map<String, Value> = needed
            .into_iter()
            .map(|name| {
                let def = defs[&name].clone();
                (name, def)
            })
            .collect();
        schema.insert("$defs".into(), Value::Object(picked));
    }
    Value::Object(schema)
}

/// Names of every `#/$defs/<name>` reference inside `schema`.
fn collect_refs<'v>(schema: &'v Value, out: &mut Vec<&'v str>) {
    match schema {
        Value::Object(object) => {
            for (key, value) in object {
                if key == "$ref"
                    && let Some(name) = value.as_str().and_then(|r| r.strip_prefix("#/$defs/"))
                {
                    out.push(name);
                } else {
                    collect_refs(value, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn standalone_keeps_only_reachable_defs() {
        let defs = json!({
            "A": {"type": "object", "properties": {"b": {"$ref": "#/$defs/B"}}},
            "B": {"type": "array", "items": {"$ref": "#/$defs/C"}},
            "C": {"type": "string"},
            "Unused": {"type": "integer"},
        });
        let schema = standalone_schema(&json!({"$ref": "#/$defs/A"}), defs.as_object().unwrap());
        let kept: Vec<&String> = schema["$defs"].as_object().unwrap().keys().collect();
        assert_eq!(kept, ["A", "B", "C"]);
        assert_eq!(schema["$ref"], "#/$defs/A");
        assert_eq!(schema["$schema"], DIALECT);
    }

    #[test]
    fn standalone_handles_cycles() {
        let defs = json!({
            "Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}},
        });
        let schema = standalone_schema(&json!({"$ref": "#/$defs/Node"}), defs.as_object().unwrap());
        assert_eq!(schema["$defs"].as_object().unwrap().len(), 1);
    }

    #[test]
    fn undocumented_member_pointer_is_escaped() {
        let v = undocumented("/a", "x/y~z");
        assert_eq!(v.pointer, "/a/x~1y~0z");
        assert!(v.undocumented_member);
    }
}
