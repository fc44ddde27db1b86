//! A valid base request per operation, generated from its input schema.
//!
//! The base holds the required members only, each a minimal valid value: structures with
//! their required members, lists of `minItems` elements, maps of `minProperties` entries with
//! distinct valid keys, strings from [`Strings::valid`], numbers at their minimum (or 1),
//! booleans `true`, enums their first value. Constraints inside optional members are reached
//! with [`reach`], which adds the missing containers on a path (an optional structure with its
//! required members, one list element, one map entry) so that a case changes one value in an
//! otherwise valid request.
//!
//! [`BASE_OVERRIDES`] replaces the generated base of an operation where generation cannot find
//! a value; it is empty because every operation of the committed schemas generates.

use serde_json::{Map, Value};

use crate::spec::generated::constraints::Step;
use crate::spec::generated::schema::{Kind, Operation, Shape};
use crate::spec::generated::strings::Strings;

/// Hand-written base requests (operation, JSON text) used instead of the generated ones.
pub const BASE_OVERRIDES: &[(&str, &str)] = &[];

/// Why no base request could be built.
#[derive(Debug, thiserror::Error)]
pub enum BaseError {
    #[error("{operation}: no valid value for {path}: {reason}")]
    NoValue {
        operation: String,
        path: String,
        reason: String,
    },
    #[error("{operation}: the hand-written base is not JSON: {source}")]
    Override {
        operation: String,
        source: serde_json::Error,
    },
}

/// The hand-written base of `operation`, if it has one.
pub fn override_for(operation: &str) -> Option<Result<Value, BaseError>> {
    BASE_OVERRIDES
        .iter()
        .find(|(name, _)| *name == operation)
        .map(|(name, text)| {
            serde_json::from_str(text).map_err(|source| BaseError::Override {
                operation: (*name).to_owned(),
                source,
            })
        })
}

/// The base request of `op`: its hand-written base, else the generated one.
pub fn base_request(op: &Operation, strings: &mut Strings) -> Result<Value, BaseError> {
    if let Some(base) = override_for(&op.name) {
        return base;
    }
    valid_value(&op.input, strings).map_err(|(path, reason)| BaseError::NoValue {
        operation: op.name.clone(),
        path,
        reason,
    })
}

/// A number inside the shape's range: its minimum, else 1 (or the maximum when below 1).
pub fn valid_number(shape: &Shape) -> i64 {
    match (shape.min, shape.max) {
        (Some(min), _) => min,
        (None, Some(max)) if max < 1 => max,
        _ => 1,
    }
}

/// A minimal valid value of `shape`; the error names the path (`/A/0/B`) that has none.
pub fn valid_value(shape: &Shape, strings: &mut Strings) -> Result<Value, (String, String)> {
    let at = |path: String, (rest, reason): (String, String)| (format!("{path}{rest}"), reason);
    match &shape.kind {
        Kind::Structure { members, required } => {
            let mut object = Map::new();
            for (name, member) in members {
                if required.contains(name) {
                    let value =
                        valid_value(member, strings).map_err(|e| at(format!("/{name}"), e))?;
                    object.insert(name.clone(), value);
                }
            }
            Ok(Value::Object(object))
        }
        Kind::List(item) => {
            let count = shape.min.unwrap_or(0).max(0) as usize;
            let element = if count > 0 {
                valid_value(item, strings).map_err(|e| at("/0".into(), e))?
            } else {
                Value::Null
            };
            Ok(Value::Array(vec![element; count]))
        }
        Kind::Map { key, value } => {
            let count = shape.min.unwrap_or(0).max(0) as usize;
            let mut object = Map::new();
            if count > 0 {
                let keys = strings.distinct(key, count).ok_or_else(|| {
                    (
                        String::new(),
                        format!("fewer than {count} distinct valid keys"),
                    )
                })?;
                let entry = valid_value(value, strings).map_err(|e| at("/{value}".into(), e))?;
                for k in keys {
                    object.insert(k, entry.clone());
                }
            }
            Ok(Value::Object(object))
        }
        Kind::String | Kind::Blob => strings.valid(shape).map(Value::String).ok_or_else(|| {
            (
                String::new(),
                "no string satisfies its length, pattern and enum".into(),
            )
        }),
        Kind::Integer | Kind::Number => Ok(Value::from(valid_number(shape))),
        Kind::Boolean => Ok(Value::Bool(true)),
        Kind::Document => Ok(Value::Object(Map::new())),
    }
}

/// Makes every container on `path` exist in `request` (adding an optional structure with its
/// required members, a first list element, a first map entry where missing) and returns the
/// JSON pointer tokens of the path: member names, `0` for the list element, the first key for
/// a map key or value. The last member itself is not added.
pub fn reach(
    request: &mut Value,
    root: &Shape,
    path: &[Step],
    strings: &mut Strings,
) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    reach_into(request, root, path, strings, &mut tokens)?;
    Ok(tokens)
}

fn reach_into(
    value: &mut Value,
    shape: &Shape,
    path: &[Step],
    strings: &mut Strings,
    tokens: &mut Vec<String>,
) -> Result<(), String> {
    let Some((step, rest)) = path.split_first() else {
        return Ok(());
    };
    let not_found = || format!("the schema has no {step:?} under {}", tokens.join("/"));
    match (step, &shape.kind) {
        (Step::Member(name), Kind::Structure { .. }) => {
            let member = shape.member(name).ok_or_else(not_found)?;
            tokens.push(name.clone());
            if rest.is_empty() {
                return Ok(());
            }
            let object = value
                .as_object_mut()
                .ok_or("a structure is not an object")?;
            if !object.contains_key(name) {
                let fresh = valid_value(member, strings).map_err(|(p, r)| format!("{p}: {r}"))?;
                object.insert(name.clone(), fresh);
            }
            let child = object.get_mut(name).ok_or("member vanished")?;
            reach_into(child, member, rest, strings, tokens)
        }
        (Step::Item, Kind::List(item)) => {
            let list = value.as_array_mut().ok_or("a list is not an array")?;
            if shape.max == Some(0) {
                return Err("the list allows no element".into());
            }
            if list.is_empty() {
                list.push(valid_value(item, strings).map_err(|(p, r)| format!("{p}: {r}"))?);
            }
            tokens.push("0".into());
            reach_into(&mut list[0], item, rest, strings, tokens)
        }
        (Step::Key | Step::Value, Kind::Map { key, value: entry }) => {
            let map = value.as_object_mut().ok_or("a map is not an object")?;
            if map.is_empty() {
                if shape.max == Some(0) {
                    return Err("the map allows no entry".into());
                }
                let k = strings.valid(key).ok_or("no valid map key")?;
                let v = valid_value(entry, strings).map_err(|(p, r)| format!("{p}: {r}"))?;
                map.insert(k, v);
            }
            let (k, v) = map.iter_mut().next().ok_or("empty map")?;
            tokens.push(k.clone());
            if *step == Step::Value {
                reach_into(v, entry, rest, strings, tokens)
            } else {
                Ok(())
            }
        }
        _ => Err(not_found()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op() -> Operation {
        Operation::from_document(
            "Op",
            json!({
                "input": {"$ref": "#/$defs/Req"},
                "$defs": {
                    "Req": {"type": "object", "properties": {
                        "Pool": {"$ref": "#/$defs/Pool"},
                        "Opt": {"$ref": "#/$defs/Pair"},
                        "Ids": {"type": "array", "items": {"$ref": "#/$defs/Pair"}, "minItems": 2},
                        "Meta": {"type": "object", "propertyNames": {"$ref": "#/$defs/Pool"},
                                 "additionalProperties": {"type": "integer", "minimum": 5}}
                    }, "required": ["Pool", "Ids"], "additionalProperties": false},
                    "Pair": {"type": "object", "properties": {"Id": {"$ref": "#/$defs/Pool"},
                             "N": {"type": "integer"}}, "required": ["Id"], "additionalProperties": false},
                    "Pool": {"type": "string", "minLength": 1, "maxLength": 55, "pattern": "^(?:[\\w-]+_[0-9a-zA-Z]+)$"}
                }
            }),
        )
        .unwrap()
    }

    #[test]
    fn base_has_required_members_only() {
        let op = op();
        let base = base_request(&op, &mut Strings::new()).unwrap();
        assert_eq!(
            base,
            json!({"Ids": [{"Id": "us-east-1_Example"}, {"Id": "us-east-1_Example"}], "Pool": "us-east-1_Example"})
        );
        assert!(op.input_validator().unwrap().is_valid(&base));
    }

    #[test]
    fn reach_adds_missing_containers() {
        let op = op();
        let mut strings = Strings::new();
        let mut request = base_request(&op, &mut strings).unwrap();
        let path = [Step::Member("Opt".into()), Step::Member("N".into())];
        assert_eq!(
            reach(&mut request, &op.input, &path, &mut strings).unwrap(),
            ["Opt", "N"]
        );
        assert_eq!(request["Opt"], json!({"Id": "us-east-1_Example"}));
        let path = [Step::Member("Meta".into()), Step::Value];
        let tokens = reach(&mut request, &op.input, &path, &mut strings).unwrap();
        assert_eq!(tokens, ["Meta", "us-east-1_Example"]);
        assert_eq!(request["Meta"], json!({"us-east-1_Example": 5}));
        assert!(op.input_validator().unwrap().is_valid(&request));
    }
}
