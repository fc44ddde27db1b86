//! Running one case: setup, steps and teardown, in that order. Each step is rendered, checked
//! against the input schema, sent, checked, and its captures kept. The first failing step ends
//! setup and steps (failures an expectation waives by check do not); teardown then runs in
//! reverse order, whatever happened before, skipping steps whose variables were never captured.
//! The result is a [`CaseReport`], the one record reporters receive.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use serde_json::Value;

use crate::case::{Case, Expect, Step};
use crate::check::check_reply;
use crate::client::{Client, EmulatorAuthorization};
use crate::expectations::{Entry, covering};
use crate::failure::{Failure, Section, StepFailure, StepRef};
use crate::schemas::{SchemaKind, SchemaStore};
use crate::template::{self, Vars};

/// What a run shares between its cases.
pub struct RunContext {
    pub client: Client,
    pub store: &'static SchemaStore,
    /// Accept (and warn about) members the model does not document.
    pub lenient: bool,
    /// The run-unique resource-name prefix (`${prefix}`).
    pub prefix: String,
}

impl RunContext {
    /// A context for `endpoint` with the bundled schemas, emulator authorization for `region`,
    /// a fresh run prefix, and `request_timeout` per request.
    pub fn new(
        endpoint: &str,
        region: &str,
        request_timeout: Duration,
    ) -> Result<RunContext, String> {
        let signer = Arc::new(EmulatorAuthorization {
            region: region.to_owned(),
        });
        let client = Client::new(endpoint, signer, request_timeout)
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(RunContext {
            client,
            store: SchemaStore::bundled(),
            lenient: false,
            prefix: new_run_prefix(),
        })
    }
}

/// What happened in one step.
#[derive(Debug, Clone)]
pub struct StepRecord {
    pub step: StepRef,
    pub status: Option<u16>,
    pub error_code: Option<String>,
    pub request_id: Option<String>,
    pub duration: Duration,
    pub failures: Vec<Failure>,
    pub warnings: Vec<String>,
}

/// What happened in one case: every step that ran, in the order it ran.
#[derive(Debug, Clone)]
pub struct CaseReport {
    pub id: String,
    pub file: String,
    pub steps: Vec<StepRecord>,
    pub duration: Duration,
}

impl CaseReport {
    /// Every failure with where it happened.
    pub fn failures(&self) -> Vec<StepFailure> {
        self.steps
            .iter()
            .flat_map(|record| {
                record.failures.iter().map(|failure| StepFailure {
                    file: self.file.clone(),
                    step: record.step.clone(),
                    failure: failure.clone(),
                })
            })
            .collect()
    }

    pub fn warnings(&self) -> impl Iterator<Item = (&StepRef, &String)> {
        self.steps
            .iter()
            .flat_map(|r| r.warnings.iter().map(move |w| (&r.step, w)))
    }
}

/// A random 64-bit number from the standard library's per-process keys.
pub fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    hasher.finish()
}

/// A fresh run prefix, `cct-` and 6 hex digits and `-`.
pub fn new_run_prefix() -> String {
    format!("cct-{:06x}-", random_u64() & 0xff_ffff)
}

/// A password that meets Cognito's default policy (upper, lower, digit, symbol, 8+ characters).
fn random_password() -> String {
    format!("Pw-{:016x}-aZ9!", random_u64())
}

fn builtin_vars(prefix: &str) -> Vars {
    let mut vars = Vars::new();
    vars.set("prefix", Value::String(prefix.to_owned()));
    vars.set(
        "case_id",
        Value::String(format!("{:08x}", random_u64() & 0xffff_ffff)),
    );
    vars.set("password", Value::String(random_password()));
    vars.set("password2", Value::String(random_password()));
    vars
}

/// Runs `case`; `expected` are the expectation entries for it (used to go on past waived
/// check failures).
pub async fn run_case(case: &Case, ctx: &RunContext, expected: &[&Entry]) -> CaseReport {
    let started = Instant::now();
    let mut vars = builtin_vars(&ctx.prefix);
    let mut records: Vec<StepRecord> = Vec::new();

    let main = AssertUnwindSafe(async {
        for section in [Section::Setup, Section::Steps] {
            for (index, step) in case.section(section).iter().enumerate() {
                let step_ref = StepRef {
                    section,
                    index,
                    operation: step.operation.clone(),
                };
                let record = run_step(step, step_ref, &mut vars, ctx).await;
                let stop = record
                    .failures
                    .iter()
                    .any(|f| covering(expected, &record.step, f).is_none_or(|e| e.check.is_none()));
                records.push(record);
                if stop {
                    return;
                }
            }
        }
    })
    .catch_unwind()
    .await;
    if let Err(panic) = main {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panic".into());
        let last = records.last().map(|r| r.step.clone()).unwrap_or(StepRef {
            section: Section::Setup,
            index: 0,
            operation: String::new(),
        });
        records.push(StepRecord {
            step: last,
            status: None,
            error_code: None,
            request_id: None,
            duration: Duration::ZERO,
            failures: vec![Failure::Transport {
                message: format!("the harness panicked: {message}"),
            }],
            warnings: Vec::new(),
        });
    }

    for (index, step) in case.teardown.iter().enumerate().rev() {
        let ready = template::references(&step.request, "")
            .map(|refs| refs.iter().all(|(_, name)| vars.contains(name)))
            .unwrap_or(false);
        if !ready {
            continue;
        }
        let step_ref = StepRef {
            section: Section::Teardown,
            index,
            operation: step.operation.clone(),
        };
        let record = AssertUnwindSafe(run_step(step, step_ref.clone(), &mut vars, ctx))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| StepRecord {
                step: step_ref,
                status: None,
                error_code: None,
                request_id: None,
                duration: Duration::ZERO,
                failures: vec![Failure::Transport {
                    message: "the harness panicked in teardown".into(),
                }],
                warnings: Vec::new(),
            });
        records.push(record);
    }

    CaseReport {
        id: case.id.clone(),
        file: case.file.clone(),
        steps: records,
        duration: started.elapsed(),
    }
}

fn record(step: StepRef, failures: Vec<Failure>) -> StepRecord {
    StepRecord {
        step,
        status: None,
        error_code: None,
        request_id: None,
        duration: Duration::ZERO,
        failures,
        warnings: Vec::new(),
    }
}

async fn run_step(step: &Step, step_ref: StepRef, vars: &mut Vars, ctx: &RunContext) -> StepRecord {
    let request = match template::render(&step.request, vars) {
        Ok(request) => request,
        Err(e) => {
            return record(
                step_ref,
                vec![Failure::Template {
                    message: e.to_string(),
                }],
            );
        }
    };
    let expect = match render_expect(&step.expect, vars) {
        Ok(expect) => expect,
        Err(e) => {
            return record(
                step_ref,
                vec![Failure::Template {
                    message: e.to_string(),
                }],
            );
        }
    };
    match ctx
        .store
        .validate(&step.operation, &SchemaKind::Input, &request)
    {
        Ok(violations) if violations.is_empty() && step.invalid_request => {
            return record(step_ref, vec![Failure::RequestUnexpectedlyValid]);
        }
        Ok(violations) if !violations.is_empty() && !step.invalid_request => {
            return record(step_ref, vec![Failure::RequestSchema { violations }]);
        }
        Ok(_) => {}
        Err(e) => {
            return record(
                step_ref,
                vec![Failure::Template {
                    message: format!("no input schema: {e}"),
                }],
            );
        }
    }
    let unauthenticated = ctx
        .store
        .operation(&step.operation)
        .is_some_and(|op| op.unauthenticated);
    let started = Instant::now();
    let reply = match ctx
        .client
        .send(&step.operation, &request, unauthenticated)
        .await
    {
        Ok(reply) => reply,
        Err(message) => {
            let mut r = record(step_ref, vec![Failure::Transport { message }]);
            r.duration = started.elapsed();
            return r;
        }
    };
    let checked = check_reply(&step.operation, &expect, &reply, ctx.store, ctx.lenient);
    let mut failures = checked.failures;
    // Captures are taken from any JSON reply, also one that should have been an error: a
    // server that wrongly creates a resource must still have it torn down. A capture that finds
    // nothing fails the step only when the status was the expected one.
    let status_as_expected = failures.iter().all(|f| !matches!(f, Failure::Status { .. }));
    if let Some(body) = &checked.body {
        for capture in &step.captures {
            let nodes = capture.path.query(body).all();
            match nodes.as_slice() {
                [] if !status_as_expected => {}
                [] => failures.push(Failure::Capture {
                    variable: capture.variable.clone(),
                    path: capture.source.clone(),
                }),
                [one] => vars.set(&capture.variable, (*one).clone()),
                many => vars.set(
                    &capture.variable,
                    Value::Array(many.iter().map(|v| (*v).clone()).collect()),
                ),
            }
        }
    }
    StepRecord {
        step: step_ref,
        status: Some(reply.status),
        error_code: checked.error_code,
        request_id: reply.header("x-amzn-requestid").map(str::to_owned),
        duration: reply.elapsed,
        failures,
        warnings: checked.warnings,
    }
}

fn render_expect(expect: &Expect, vars: &Vars) -> Result<Expect, template::RenderError> {
    Ok(match expect {
        Expect::Success { body } => Expect::Success {
            body: body
                .as_ref()
                .map(|b| template::render(b, vars))
                .transpose()?,
        },
        Expect::Error { code, message } => Expect::Error {
            code: code.clone(),
            message: message
                .as_ref()
                .map(|m| template::render(m, vars))
                .transpose()?,
        },
    })
}
