//! Reads one committed operation schema (`schemas/operations/<Op>.json`, from a
//! [`SchemaStore`]) into a tree of
//! [`Shape`]s: the input structure with every `$ref` resolved, each node carrying the constraint
//! keywords the schema generator derived from the model (`required`, lengths, ranges, item and
//! property counts, anchored patterns, enums).
//!
//! Two model facts the schemas do not carry are restored here:
//! - which shapes are `sensitive` ([`SENSITIVE_SHAPES`], AWS leaves their values out of
//!   validation messages);
//! - which blob members are blobs (the schema writes them as base64 strings with
//!   [`BASE64_PATTERN`]).
//!
//! Shapes the schema relaxed through an erratum keep the erratum's `$comment` in
//! [`Shape::erratum`], because their schema bounds are not the ones AWS enforces on requests.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::service::schemagen::TIMESTAMP_COMMENT;
use crate::service::schemas::SchemaStore;

/// The JSON Schema dialect of the committed schemas.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The pattern the schema generator gives every blob (strict, padded base64).
pub const BASE64_PATTERN: &str = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$";

/// Shapes marked `"sensitive": true` in the botocore 1.44.8 Cognito model (the release the
/// committed schemas follow). A member whose target is one of these has its value left out of
/// AWS validation messages (`Value at 'password' failed to satisfy constraint: ...`).
pub const SENSITIVE_SHAPES: &[&str] = &[
    "AttributeValueType",
    "AuthParametersType",
    "ChallengeResponsesType",
    "ClientIdType",
    "ClientSecretType",
    "GetDerivedTokenTokenModelType",
    "PasswordType",
    "SecretCodeType",
    "SecretHashType",
    "SessionIpAddressType",
    "SessionType",
    "SoftwareTokenMFAUserCodeType",
    "TokenModelType",
    "UserContextDataType",
    "UsernameType",
];

/// Nesting deeper than this is taken for a recursive schema (Cognito has none).
const MAX_DEPTH: usize = 32;

/// Why an operation schema could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(transparent)]
    Store(#[from] crate::service::schemas::SchemaError),
    #[error("{operation}: {message}")]
    Invalid { operation: String, message: String },
    #[error("{operation}: the input schema does not compile: {message}")]
    Build { operation: String, message: String },
}

/// What kind of value a shape is, with its children.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Members in schema order (sorted by name) and the names of the required ones.
    Structure {
        members: Vec<(String, Shape)>,
        required: Vec<String>,
    },
    List(Box<Shape>),
    Map {
        key: Box<Shape>,
        value: Box<Shape>,
    },
    String,
    /// A model blob: a base64 string in JSON, its lengths in encoded characters.
    Blob,
    Integer,
    /// Floats, doubles and timestamps.
    Number,
    Boolean,
    /// A document member: any JSON value.
    Document,
}

/// One node of an input tree with the constraints of its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// The `$defs` name (the model shape name) when the node was reached through `$ref`.
    pub name: Option<String>,
    pub kind: Kind,
    /// `minLength`, `minimum`, `minItems` or `minProperties`, by kind.
    pub min: Option<i64>,
    /// `maxLength`, `maximum`, `maxItems` or `maxProperties`, by kind.
    pub max: Option<i64>,
    /// The anchored schema pattern (`^(?:...)$`).
    pub pattern: Option<String>,
    pub enum_values: Option<Vec<String>>,
    /// The model shape is sensitive ([`SENSITIVE_SHAPES`]).
    pub sensitive: bool,
    /// The `$comment` of an erratum that relaxed this node's schema.
    pub erratum: Option<String>,
    /// A model timestamp: its range is the harness's plausibility window, not a model
    /// constraint, so it yields no constraint (values are still generated inside it).
    pub timestamp: bool,
}

impl Shape {
    fn new(kind: Kind) -> Self {
        Shape {
            name: None,
            kind,
            min: None,
            max: None,
            pattern: None,
            enum_values: None,
            sensitive: false,
            erratum: None,
            timestamp: false,
        }
    }

    /// Is this a string-valued shape (string or blob)?
    pub fn is_string(&self) -> bool {
        matches!(self.kind, Kind::String | Kind::Blob)
    }

    /// Does this shape, or anything nested in it, hold sensitive data?
    pub fn holds_sensitive(&self) -> bool {
        self.sensitive
            || match &self.kind {
                Kind::Structure { members, .. } => members.iter().any(|(_, s)| s.holds_sensitive()),
                Kind::List(item) => item.holds_sensitive(),
                Kind::Map { key, value } => key.holds_sensitive() || value.holds_sensitive(),
                _ => false,
            }
    }

    /// The member `name` of a structure.
    pub fn member(&self, name: &str) -> Option<&Shape> {
        match &self.kind {
            Kind::Structure { members, .. } => {
                members.iter().find(|(n, _)| n == name).map(|(_, s)| s)
            }
            _ => None,
        }
    }

    /// The schema of a string shape alone (type, lengths, pattern, enum), for checking values.
    pub fn string_schema(&self) -> Value {
        let mut schema = Map::new();
        schema.insert("type".into(), "string".into());
        if let Some(min) = self.min {
            schema.insert("minLength".into(), min.into());
        }
        if let Some(max) = self.max {
            schema.insert("maxLength".into(), max.into());
        }
        if let Some(pattern) = &self.pattern {
            schema.insert("pattern".into(), pattern.clone().into());
        }
        if let Some(values) = &self.enum_values {
            schema.insert("enum".into(), json!(values));
        }
        Value::Object(schema)
    }
}

/// One operation: its schema document and its input tree.
#[derive(Debug, Clone)]
pub struct Operation {
    pub name: String,
    pub document: Arc<Value>,
    pub input: Shape,
}

impl Operation {
    /// The operation `name` from the schemas of `store`.
    pub fn from_store(store: &SchemaStore, name: &str) -> Result<Operation, SchemaError> {
        let document = store.operation_document(name)?;
        Operation::from_shared(name, document)
    }

    /// The operation `name` from its parsed schema document.
    pub fn from_document(name: &str, document: Value) -> Result<Operation, SchemaError> {
        Operation::from_shared(name, Arc::new(document))
    }

    fn from_shared(name: &str, document: Arc<Value>) -> Result<Operation, SchemaError> {
        let invalid = |message: String| SchemaError::Invalid {
            operation: name.to_owned(),
            message,
        };
        let empty = Map::new();
        let defs = document
            .get("$defs")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let root = document
            .get("input")
            .ok_or_else(|| invalid("no `input` schema".into()))?;
        let input = parse(root, defs, 0).map_err(invalid)?;
        if !matches!(input.kind, Kind::Structure { .. }) {
            return Err(invalid("the input is not a structure".into()));
        }
        Ok(Operation {
            name: name.to_owned(),
            document,
            input,
        })
    }

    /// The input schema as a standalone document: the `input` root with every `$defs` entry.
    pub fn input_schema(&self) -> Value {
        let mut schema = Map::new();
        schema.insert("$schema".into(), DIALECT.into());
        if let Some(Value::Object(root)) = self.document.get("input") {
            schema.extend(root.clone());
        }
        if let Some(defs) = self.document.get("$defs") {
            schema.insert("$defs".into(), defs.clone());
        }
        Value::Object(schema)
    }

    /// A draft 2020-12 validator of the input schema.
    pub fn input_validator(&self) -> Result<jsonschema::Validator, SchemaError> {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&self.input_schema())
            .map_err(|e| SchemaError::Build {
                operation: self.name.clone(),
                message: e.to_string(),
            })
    }
}

/// Every operation of `store`'s index, sorted by name.
pub fn load_all(store: &SchemaStore) -> Result<Vec<Operation>, SchemaError> {
    store
        .index()
        .operations
        .keys()
        .map(|name| Operation::from_store(store, name))
        .collect()
}

/// Is this the schema of a model timestamp (see [`crate::service::schemagen::TIMESTAMP_COMMENT`])?
fn is_timestamp(object: &Map<String, Value>) -> bool {
    object.get("$comment").and_then(Value::as_str) == Some(TIMESTAMP_COMMENT)
}

/// The kind of a schema node with its children, and its lower and upper bounds.
fn kind_of(
    object: &Map<String, Value>,
    pattern: Option<&str>,
    defs: &Map<String, Value>,
    depth: usize,
) -> Result<(Kind, Option<i64>, Option<i64>), String> {
    let int = |key: &str| object.get(key).and_then(Value::as_i64);
    let child = |key: &str, default: Kind| match object.get(key) {
        Some(schema @ Value::Object(_)) => parse(schema, defs, depth + 1),
        Some(schema @ Value::Bool(true)) if key != "additionalProperties" => {
            parse(schema, defs, depth + 1)
        }
        _ => Ok(Shape::new(default)),
    };
    Ok(match object.get("type").and_then(Value::as_str) {
        Some("object") if object.contains_key("properties") => {
            let mut members = Vec::new();
            if let Some(Value::Object(properties)) = object.get("properties") {
                for (member, schema) in properties {
                    members.push((member.clone(), parse(schema, defs, depth + 1)?));
                }
            }
            let required = object
                .get("required")
                .and_then(Value::as_array)
                .map(|names| {
                    names
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            (Kind::Structure { members, required }, None, None)
        }
        Some("object") => {
            let kind = Kind::Map {
                key: Box::new(child("propertyNames", Kind::String)?),
                value: Box::new(child("additionalProperties", Kind::Document)?),
            };
            (kind, int("minProperties"), int("maxProperties"))
        }
        Some("array") => {
            let item = child("items", Kind::Document)?;
            (Kind::List(Box::new(item)), int("minItems"), int("maxItems"))
        }
        Some("string") if pattern == Some(BASE64_PATTERN) => {
            (Kind::Blob, int("minLength"), int("maxLength"))
        }
        Some("string") => (Kind::String, int("minLength"), int("maxLength")),
        Some("integer") => (Kind::Integer, int("minimum"), int("maximum")),
        Some("number") => (Kind::Number, int("minimum"), int("maximum")),
        Some("boolean") => (Kind::Boolean, None, None),
        other => return Err(format!("unsupported schema type {other:?} in {object:?}")),
    })
}

fn parse(node: &Value, defs: &Map<String, Value>, depth: usize) -> Result<Shape, String> {
    if depth > MAX_DEPTH {
        return Err("the input schema nests too deeply (recursive?)".into());
    }
    let (name, node) = match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/$defs/")
                .ok_or_else(|| format!("unsupported $ref {reference}"))?;
            let target = defs
                .get(name)
                .ok_or_else(|| format!("$ref to missing $defs entry {name}"))?;
            (Some(name.to_owned()), target)
        }
        None => (None, node),
    };
    if node == &Value::Bool(true) {
        let mut shape = Shape::new(Kind::Document);
        shape.name = name;
        return Ok(shape);
    }
    let object = node
        .as_object()
        .ok_or_else(|| format!("schema node is not an object: {node}"))?;
    let pattern = object
        .get("pattern")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let (kind, min, max) = kind_of(object, pattern.as_deref(), defs, depth)?;
    let enum_values = object.get("enum").and_then(Value::as_array).map(|values| {
        values
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    });
    let erratum = object
        .get("$comment")
        .and_then(Value::as_str)
        .filter(|c| c.starts_with("erratum"))
        .map(str::to_owned);
    let sensitive = name
        .as_deref()
        .is_some_and(|n| SENSITIVE_SHAPES.contains(&n));
    Ok(Shape {
        name,
        kind,
        min,
        max,
        pattern,
        enum_values,
        sensitive,
        erratum,
        timestamp: is_timestamp(object),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operation(document: Value) -> Operation {
        Operation::from_document("Op", document).unwrap()
    }

    #[test]
    fn resolves_refs_and_reads_constraints() {
        let op = operation(json!({
            "input": {"$ref": "#/$defs/Req"},
            "$defs": {
                "Req": {"type": "object", "properties": {
                    "Name": {"$ref": "#/$defs/NameType"},
                    "Password": {"$ref": "#/$defs/PasswordType"},
                    "Tags": {"$ref": "#/$defs/Tags"},
                    "Ids": {"$ref": "#/$defs/Ids"},
                    "Doc": {"$ref": "#/$defs/Doc"},
                    "Image": {"$ref": "#/$defs/Image"}
                }, "required": ["Name"], "additionalProperties": false},
                "NameType": {"type": "string", "minLength": 1, "maxLength": 5, "pattern": "^(?:[a-z]+)$"},
                "PasswordType": {"type": "string"},
                "Tags": {"type": "object", "propertyNames": {"$ref": "#/$defs/NameType"},
                         "additionalProperties": {"$ref": "#/$defs/NameType"}, "maxProperties": 2},
                "Ids": {"type": "array", "items": {"$ref": "#/$defs/NameType"}, "minItems": 1},
                "Doc": true,
                "Image": {"type": "string", "maxLength": 8, "pattern": BASE64_PATTERN}
            }
        }));
        let name = op.input.member("Name").unwrap();
        assert_eq!(name.name.as_deref(), Some("NameType"));
        assert_eq!((name.min, name.max), (Some(1), Some(5)));
        assert!(op.input.member("Password").unwrap().sensitive);
        assert!(op.input.holds_sensitive());
        let tags = op.input.member("Tags").unwrap();
        assert!(matches!(tags.kind, Kind::Map { .. }));
        assert_eq!(tags.max, Some(2));
        assert_eq!(op.input.member("Ids").unwrap().min, Some(1));
        assert_eq!(op.input.member("Doc").unwrap().kind, Kind::Document);
        assert_eq!(op.input.member("Image").unwrap().kind, Kind::Blob);
        match &op.input.kind {
            Kind::Structure { required, .. } => assert_eq!(required, &["Name"]),
            other => panic!("{other:?}"),
        }
        assert!(
            op.input_validator()
                .unwrap()
                .is_valid(&json!({"Name": "abc"}))
        );
    }

    #[test]
    fn rejects_dangling_refs() {
        let error = Operation::from_document("Op", json!({"input": {"$ref": "#/$defs/Nope"}}));
        assert!(matches!(error, Err(SchemaError::Invalid { .. })));
    }
}
