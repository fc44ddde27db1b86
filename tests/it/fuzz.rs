//! A bounded fuzzing pass over everything that reads hand-written input: the case loader (raw
//! text and arbitrary JSON in the case shape), templates, matchers and expectations files. The
//! property is the same everywhere: no panic, whatever the input; errors come back as values.
//!
//! Each property generates inputs in batches of 64 until its time budget is spent (at least one
//! batch): `COGNITO_CONTRACT_FUZZ_SECONDS` per property, 3 by default, so CI runs a fixed-length
//! pass and a longer hunt is one variable away. A panic is shrunk to a minimal input and fails
//! the test.

use cognito_contract::service::schemas::SchemaStore;
use cognito_contract::spec::load::load_case;
use cognito_contract::spec::matcher::match_body;
use cognito_contract::spec::pattern::Pattern;
use cognito_contract::spec::template::{self, Vars};
use cognito_contract::verdict::expectations::Expectations;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

/// Runs `test` on values from `strategy` in batches until the property's budget is spent.
fn fuzz<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value)) {
    let seconds = cognito_contract::support::env::var("COGNITO_CONTRACT_FUZZ_SECONDS")
        .and_then(|n| n.parse().ok())
        .unwrap_or(3.0);
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let config = ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    // A runner stops after `cases` successes, so each batch gets a fresh runner, seeded from
    // one source so that batches differ.
    let mut seeds = TestRunner::new(config.clone());
    let mut inputs = 0;
    loop {
        let mut runner = TestRunner::new_with_rng(config.clone(), seeds.new_rng());
        if let Err(e) = runner.run(&strategy, |value| {
            test(value);
            Ok(())
        }) {
            panic!("{name}: {e}");
        }
        inputs += 64;
        if Instant::now() >= deadline {
            break;
        }
    }
    eprintln!("{name}: {inputs} inputs, no panic");
}

/// Strings biased towards what the parsers care about: `$`, `{`, `}`, quotes, JSONPath bits.
fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[${}$a-z_0-9\\[\\]\\.\\*\\?@'\"=!<>(): /~^-]{0,40}",
        Just("${".to_owned()),
        Just("$${x}".to_owned()),
        Just("$..*".to_owned()),
        "now[-+€é]?[0-9.e€]{0,4}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        tricky_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        tricky_string(),
                        Just("$regex".to_owned()),
                        Just("$range".to_owned()),
                        Just("$contains".to_owned()),
                        Just("$jwt".to_owned()),
                        Just("$type".to_owned()),
                        Just("operation".to_owned()),
                        Just("request".to_owned()),
                        Just("expect".to_owned()),
                        Just("capture".to_owned()),
                        Just("paginate".to_owned()),
                        Just("http_get".to_owned()),
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// Matcher objects with arbitrary arguments, so every matcher's argument handling is reached.
fn matcher_like() -> impl Strategy<Value = Value> {
    (json_value(), tricky_string(), tricky_string()).prop_flat_map(|(value, a, b)| {
        prop_oneof![
            Just(json!({"$range": {"min": a.clone(), "max": b.clone()}})),
            Just(json!({"$range": {"min": value.clone()}})),
            Just(json!({"$regex": a.clone()})),
            Just(json!({"$type": b.clone()})),
            Just(json!({"$any": value.clone()})),
            Just(json!({"$absent": value.clone()})),
            Just(json!({"$contains": [value.clone(), {"$regex": a.clone()}]})),
            Just(json!({"$jwt": {"claims": value.clone(), "jwks": b.clone()}})),
            Just(json!({"$jwt": value.clone()})),
        ]
    })
}

/// A step with the right member names and arbitrary contents.
fn step_like() -> impl Strategy<Value = Value> {
    (
        prop_oneof![
            Just(json!("CreateUserPool")),
            Just(json!("ListUserPools")),
            Just(json!("Nope")),
            json_value()
        ],
        json_value(),
        json_value(),
        json_value(),
    )
        .prop_map(|(operation, request, expect, capture)| {
            json!({"operation": operation, "request": request, "expect": expect, "capture": capture})
        })
}

/// Case-shaped JSON: the right top-level members with arbitrary contents.
fn case_like() -> impl Strategy<Value = Value> {
    (
        tricky_string(),
        prop::collection::vec(step_like(), 0..3),
        prop::collection::vec(step_like(), 0..3),
    )
        .prop_map(|(description, setup, steps)| {
            json!({"description": description, "setup": setup, "steps": steps, "teardown": []})
        })
}

#[test]
fn loader_survives_any_text() {
    fuzz("loader/text", any::<String>(), |text| {
        let _ = load_case("f/x", "f/x.json", &text, SchemaStore::global());
    });
}

#[test]
fn loader_survives_any_case_shaped_json() {
    fuzz("loader/json", case_like(), |case| {
        let _ = load_case("f/x", "f/x.json", &case.to_string(), SchemaStore::global());
    });
}

#[test]
fn templates_survive_any_string() {
    fuzz(
        "templates",
        (tricky_string(), json_value()),
        |(text, value)| {
            let _ = template::parse(&text);
            let mut vars = Vars::new();
            vars.set("a", value.clone());
            let _ = template::render(&json!({"k": text, "v": value}), &vars);
            let _ = template::references(&json!([text]), "/x");
        },
    );
}

/// Parses `pattern`; if it is good, matches `actual` against it as loaded, shown, and rendered
/// with `${a}` set to `actual`.
fn match_any(pattern: &Value, actual: &Value) {
    let Ok(parsed) = Pattern::parse(pattern, "/p") else {
        return;
    };
    let _ = parsed.to_value();
    let _ = match_body(&parsed, actual);
    let mut vars = Vars::new();
    vars.set("a", actual.clone());
    if let Ok(rendered) = parsed.render(&vars) {
        let _ = match_body(&rendered, actual);
    }
}

#[test]
fn matchers_survive_any_pattern_and_value() {
    fuzz(
        "matchers",
        (json_value(), json_value()),
        |(pattern, actual)| match_any(&pattern, &actual),
    );
}

#[test]
fn each_matcher_survives_any_argument() {
    fuzz(
        "matcher arguments",
        (matcher_like(), json_value()),
        |(matcher, actual)| {
            match_any(
                &json!({"k": matcher.clone()}),
                &json!({"k": actual.clone()}),
            );
            match_any(&matcher, &actual);
        },
    );
}

#[test]
fn expectations_survive_any_text() {
    fuzz(
        "expectations",
        (any::<String>(), json_value()),
        |(text, value)| {
            let _ = Expectations::parse("e.json", &text, "moto", &["a/b"]);
            let wrapped = json!({"target": "moto", "expected_failures": [value]}).to_string();
            let _ = Expectations::parse("e.json", &wrapped, "moto", &["a/b"]);
        },
    );
}
