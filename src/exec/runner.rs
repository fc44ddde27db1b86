//! Running one case: setup, steps and teardown, in that order. Each step is rendered, checked
//! against the input schema, sent, checked, and its captures kept. A setup step or step ends the
//! case when it has a harness error or a failure of a check the case cannot go on past (a status,
//! an error code, a capture that found nothing, a transport failure, ...). The case goes on past
//! failures of the checks that say only that a reply that came was not quite right (see
//! [`GOES_ON_AFTER`]); they are still recorded, and still fail the case unless an expectation
//! covers them. Which steps run never depends on the expectations: waivers decide verdicts only,
//! so a run with no expectations file runs the same steps as one with it (only an `eventually`
//! step failing in expected ways is tried once rather than until its bound: see [`Waivers`]).
//! Teardown then runs in reverse order, whatever happened before, skipping steps whose variables
//! were never captured. A step's record keeps the target's failures apart from a harness error (a
//! panic, an interrupt, the case's time running out, a missing schema, an unrenderable template;
//! see [`crate::exec::error`]). The result is a [`CaseReport`], the one record reporters receive.

use std::borrow::Cow;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use serde_json::Value;

use crate::account::pools::{PoolLedger, new_run_prefix};
use crate::exec::check::check_reply;
use crate::exec::error::{HarnessError, StepError};
use crate::exec::eventually;
use crate::exec::failure::{Check, Failure, Section, StepFailure, StepRef};
use crate::exec::observe::{CaseObserver, Exchange, Observer};
use crate::http::client::{Client, ClientOptions, Reply};
use crate::http::sigv4::Sigv4Signer;
use crate::service::schemas::{SchemaKind, SchemaStore};
use crate::spec::case::{Case, Expect, Paginate, Step};
use crate::spec::functions::{AuthState, COMPUTED_VARIABLES, Calls};
use crate::spec::matcher;
use crate::spec::pattern::Pattern;
use crate::spec::region::other_region;
use crate::spec::template::{self, Vars};
use crate::support::interrupt::Interrupt;
use crate::support::random::random_u64;
use crate::support::secrets::Secrets;

/// What the caller of [`run_case`] already knows about failures, before any verdict: which
/// failures it expects (their retry notes are not worth showing, and an `eventually` step
/// failing only in expected ways is not tried again). It never decides which steps run (see
/// [`GOES_ON_AFTER`]). The runner itself knows no expectations; the suite answers from the
/// target's expectations file.
pub trait Waivers: Sync {
    /// `failure` at `step` is expected.
    fn expects(&self, step: &StepRef, failure: &Failure) -> bool;
}

/// No waivers: no failure is expected.
pub struct NoWaivers;

impl Waivers for NoWaivers {
    fn expects(&self, _: &StepRef, _: &Failure) -> bool {
        false
    }
}

/// What a run shares between its cases.
pub struct RunContext {
    pub client: Client,
    /// The pools the run's requests created and have not deleted (see
    /// [`crate::account::pools::PoolLedger`]).
    pub pools: PoolLedger,
    pub store: &'static SchemaStore,
    /// Accept (and warn about) members the model does not document.
    pub lenient: bool,
    /// The run-unique resource-name prefix (`${prefix}`).
    pub prefix: String,
    /// The run's region (`${region}`; `${other_region}` is derived from it).
    pub region: String,
    /// Raised on Ctrl-C or SIGTERM: running cases skip their remaining steps (teardown still
    /// runs).
    pub interrupt: Arc<Interrupt>,
    /// The longest a case's setup and steps may take; teardown runs after it regardless.
    pub case_timeout: Option<Duration>,
    /// Tag `CreateUserPool` requests with the run prefix (see [`crate::account::pools::tag_new_pool`]).
    pub tag_pools: bool,
    /// Secrets of the run itself (the AWS secret key and session token), masked in every
    /// case's output along with what the case sees (see [`crate::support::secrets`]).
    pub secrets: Vec<String>,
    /// Called as each step's processing starts, inside it (a panic here is that step's harness
    /// error). For the harness's own tests, which use it to make a step panic; `None` otherwise.
    pub before_step: Option<StepHook>,
    /// Sees every exchange of every case (recording, comparing with a recording); `None` for
    /// ordinary runs.
    pub observer: Option<Arc<dyn Observer>>,
}

/// A hook called with each step as its processing starts (see [`RunContext::before_step`]).
pub type StepHook = Arc<dyn Fn(&StepRef) + Send + Sync>;

impl RunContext {
    /// A context for `endpoint` with the bundled schemas, SigV4 signing with the emulator
    /// credentials `test`/`test` for `region`, a fresh run prefix, `request_timeout` per
    /// request, and the emulator retry policy.
    pub fn new(
        endpoint: &str,
        region: &str,
        request_timeout: Duration,
    ) -> Result<RunContext, String> {
        let signer = Arc::new(Sigv4Signer::emulator(region));
        let client = Client::new(
            endpoint,
            Some(signer),
            &ClientOptions::emulator(request_timeout),
        )?;
        Ok(RunContext {
            region: region.to_owned(),
            ..RunContext::with_client(client)
        })
    }

    /// A context like this one (same run prefix, interrupt, settings and hooks) that sends
    /// with `client`, with a pool ledger of its own: for a run that shares its cases out to
    /// several servers.
    pub fn for_client(&self, client: Client) -> RunContext {
        RunContext {
            client,
            pools: PoolLedger::new(),
            store: self.store,
            lenient: self.lenient,
            prefix: self.prefix.clone(),
            region: self.region.clone(),
            interrupt: self.interrupt.clone(),
            case_timeout: self.case_timeout,
            tag_pools: self.tag_pools,
            secrets: self.secrets.clone(),
            before_step: self.before_step.clone(),
            observer: self.observer.clone(),
        }
    }

    /// A context around `client` with the bundled schemas and a fresh run prefix, no case
    /// timeout, pools left untagged, and the region `us-east-1`.
    pub fn with_client(client: Client) -> RunContext {
        RunContext {
            client,
            pools: PoolLedger::new(),
            store: SchemaStore::global(),
            lenient: false,
            prefix: new_run_prefix(),
            region: "us-east-1".into(),
            interrupt: Interrupt::new(),
            case_timeout: None,
            tag_pools: false,
            secrets: Vec::new(),
            before_step: None,
            observer: None,
        }
    }
}

/// What a case run carries from step to step: its variables, the secrets it has seen (to be
/// masked in its report), and what the template functions keep (SRP exchanges, devices).
pub struct CaseState {
    pub vars: Vars,
    pub secrets: Secrets,
    pub auth: AuthState,
    /// The run's [`RunContext::observer`] for this case.
    pub observer: Option<Box<dyn CaseObserver>>,
}

impl CaseState {
    fn new(vars: Vars, run_secrets: &[String]) -> CaseState {
        let mut secrets = Secrets::new();
        for secret in run_secrets {
            secrets.add(secret);
        }
        for builtin in ["password", "password2"] {
            if let Some(Value::String(value)) = vars.get(builtin) {
                secrets.add(value);
            }
        }
        CaseState {
            vars,
            secrets,
            auth: AuthState::default(),
            observer: None,
        }
    }

    /// Shows an exchange to the case's observer, if any; its failures are the step's.
    fn observe(
        &mut self,
        step: &StepRef,
        operation: &str,
        request: &Value,
        reply: &Reply,
    ) -> Vec<Failure> {
        let Some(observer) = &mut self.observer else {
            return Vec::new();
        };
        observer.exchange(&Exchange {
            step,
            operation,
            request,
            reply,
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
    /// The target's failures: what the step's checks found.
    pub failures: Vec<Failure>,
    /// A harness error, kept apart from the failures: no expectation covers it (see
    /// [`crate::exec::error`]).
    pub error: Option<HarnessError>,
    pub warnings: Vec<String>,
    /// When the step failed after its request needed more than one attempt: the attempts, e.g.
    /// `3 attempts: attempt 1: HTTP 400 TooManyRequestsException; retried after 512 ms; ...`.
    pub retries: Option<String>,
    /// How often an `eventually` step was sent (see [`crate::exec::eventually`]); 1 otherwise.
    /// The record is the last try's, its duration that of all the tries.
    pub tries: u32,
}

impl StepRecord {
    /// The record of `step` with `failures` and nothing from a reply (no status, no time), as
    /// for a step that was not sent; callers fill in what they have.
    pub fn new(step: StepRef, failures: Vec<Failure>) -> StepRecord {
        StepRecord {
            step,
            status: None,
            error_code: None,
            request_id: None,
            duration: Duration::ZERO,
            failures,
            error: None,
            warnings: Vec::new(),
            retries: None,
            tries: 1,
        }
    }

    /// The record with every secret in its failures, warnings and retries masked.
    pub fn masked(self, secrets: &Secrets) -> StepRecord {
        if secrets.is_empty() {
            return self;
        }
        StepRecord {
            failures: self.failures.iter().map(|f| f.masked(secrets)).collect(),
            error: self.error.as_ref().map(|e| e.masked(secrets)),
            warnings: self.warnings.iter().map(|w| secrets.mask(w)).collect(),
            retries: self.retries.as_ref().map(|r| secrets.mask(r)),
            ..self
        }
    }
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

    /// Every harness error with where it happened.
    pub fn errors(&self) -> Vec<StepError> {
        self.steps
            .iter()
            .filter_map(|record| {
                record.error.as_ref().map(|error| StepError {
                    file: self.file.clone(),
                    step: record.step.clone(),
                    error: error.clone(),
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

/// A password that meets Cognito's default policy (upper, lower, digit, symbol, 8+ characters).
fn random_password() -> String {
    format!("Pw-{:016x}-aZ9!", random_u64())
}

fn builtin_vars(prefix: &str, region: &str) -> Vars {
    let mut vars = Vars::new();
    vars.set("prefix", Value::String(prefix.to_owned()));
    vars.set("region", Value::String(region.to_owned()));
    vars.set(
        "other_region",
        Value::String(other_region(region).to_owned()),
    );
    vars.set(
        "case_id",
        Value::String(format!("{:08x}", random_u64() & 0xffff_ffff)),
    );
    vars.set("password", Value::String(random_password()));
    vars.set("password2", Value::String(random_password()));
    vars
}

/// Runs `case`; `waivers` say which failures are expected (which steps run does not depend on
/// them). Its requests are sent as the case's (see [`crate::http::client::in_case`]).
pub async fn run_case(case: &Case, ctx: &RunContext, waivers: &dyn Waivers) -> CaseReport {
    crate::http::client::in_case(case.id.clone(), run_case_untagged(case, ctx, waivers)).await
}

async fn run_case_untagged(case: &Case, ctx: &RunContext, waivers: &dyn Waivers) -> CaseReport {
    let started = Instant::now();
    let mut state = CaseState::new(builtin_vars(&ctx.prefix, &ctx.region), &ctx.secrets);
    state.observer = ctx.observer.as_ref().map(|o| o.start(case, &state.vars));
    let mut records = run_setup_and_steps(case, &mut state, ctx, waivers).await;
    for (index, step) in case.teardown.iter().enumerate().rev() {
        let ready = template::references(&step.request, "")
            .map(|refs| {
                refs.iter().all(|(_, name)| {
                    state.vars.contains(name) || COMPUTED_VARIABLES.contains(&name.as_str())
                })
            })
            .unwrap_or(false);
        if !ready {
            continue;
        }
        let step_ref = StepRef {
            section: Section::Teardown,
            index,
            operation: step.operation.clone(),
        };
        let mut record =
            AssertUnwindSafe(run_teardown_step(step, step_ref.clone(), &mut state, ctx))
                .catch_unwind()
                .await
                .unwrap_or_else(|panic| errored(step_ref, HarnessError::panic(&*panic)));
        drop_waived_retry_note(&mut record, waivers);
        records.push(record);
    }

    if let Some(observer) = state.observer.take() {
        observer.finish();
    }
    // Mask last, with every secret the case has seen, so that a token received late is also
    // masked where an earlier step printed it.
    let steps = records
        .into_iter()
        .map(|record| record.masked(&state.secrets))
        .collect();
    CaseReport {
        id: case.id.clone(),
        file: case.file.clone(),
        steps,
        duration: started.elapsed(),
    }
}

/// Checks whose failure at a setup step or step does not end the case: the reply came, and what
/// the case goes on to need (its status, code, captures) is judged by other checks. A body that
/// is not JSON is among them: a step that captures from it fails its captures (which end the
/// case), one that captures nothing lets the case go on. The failures are still recorded and fail
/// the case unless an expectation covers them; whether one does changes nothing about which
/// steps run.
pub const GOES_ON_AFTER: [Check; 8] = [
    Check::RequestId,
    Check::ContentType,
    Check::Json,
    Check::BodySchema,
    Check::Body,
    Check::Message,
    Check::DocumentedError,
    Check::Recording,
];

/// Whether `record` ends its case: a harness error, or a failure of a check not in
/// [`GOES_ON_AFTER`], in setup and steps alike, whatever the expectations say about it.
fn ends_case(record: &StepRecord) -> bool {
    record.error.is_some()
        || record
            .failures
            .iter()
            .any(|f| !GOES_ON_AFTER.contains(&f.check()))
}

/// Setup and steps, in order, until a step has a harness error or fails in a way the case cannot
/// go on past (see [`ends_case`]). A panic is the harness error of the step being processed when it
/// happened (the one whose record is not yet kept), else of the last step kept.
async fn run_setup_and_steps(
    case: &Case,
    state: &mut CaseState,
    ctx: &RunContext,
    waivers: &dyn Waivers,
) -> Vec<StepRecord> {
    let deadline = ctx.case_timeout.map(|t| tokio::time::Instant::now() + t);
    let mut records: Vec<StepRecord> = Vec::new();
    let mut current: Option<StepRef> = None;
    let main = AssertUnwindSafe(async {
        for section in [Section::Setup, Section::Steps] {
            for (index, step) in case.section(section).iter().enumerate() {
                let step_ref = StepRef {
                    section,
                    index,
                    operation: step.operation.clone(),
                };
                current = Some(step_ref.clone());
                let mut record =
                    run_step_bounded(step, step_ref, state, ctx, deadline, waivers).await;
                drop_waived_retry_note(&mut record, waivers);
                let stop = ends_case(&record);
                records.push(record);
                current = None;
                if stop {
                    return;
                }
            }
        }
    })
    .catch_unwind()
    .await;
    if let Err(panic) = main {
        let error = HarnessError::panic(&*panic);
        match (current, records.last_mut()) {
            (Some(step), _) => records.push(errored(step, error)),
            (None, Some(last)) => last.error = Some(error),
            (None, None) => records.push(errored(
                StepRef {
                    section: Section::Setup,
                    index: 0,
                    operation: String::new(),
                },
                error,
            )),
        }
    }
    records
}

/// The record of a step that ended with a harness error.
fn errored(step: StepRef, error: HarnessError) -> StepRecord {
    StepRecord {
        error: Some(error),
        ..StepRecord::new(step, Vec::new())
    }
}

/// The record of a step whose template did not render. A variable that was never captured means
/// an earlier reply lacked it: the target's failure (`template`). Bad syntax is the case file's:
/// a harness error.
fn unrendered(step: StepRef, error: template::RenderError) -> StepRecord {
    let message = error.to_string();
    match error {
        // A variable the target never returned, or a computation over what it returned (an
        // SRP answer to a malformed challenge): the target's failure.
        template::RenderError::Undefined { .. } | template::RenderError::Function { .. } => {
            StepRecord::new(step, vec![Failure::Template { message }])
        }
        template::RenderError::Syntax { .. } => errored(step, HarnessError::Template { message }),
    }
}

async fn run_step(
    step: &Step,
    step_ref: StepRef,
    state: &mut CaseState,
    ctx: &RunContext,
) -> StepRecord {
    if let Some(hook) = &ctx.before_step {
        hook(&step_ref);
    }
    let (expect, rendered) = match render_step(step, state) {
        Ok(rendered) => rendered,
        Err(Unrendered::Template(e)) => return unrendered(step_ref, e),
        Err(Unrendered::PathNotString(other)) => {
            return errored(
                step_ref,
                HarnessError::Template {
                    message: format!("http_get path rendered to a non-string: {other}"),
                },
            );
        }
    };
    let request = match rendered {
        Rendered::Request(request) => request,
        Rendered::HttpGet(path) => {
            return run_http_get(step, step_ref, &path, &expect, state, ctx).await;
        }
    };
    state.secrets.collect(&request);
    let request = match checked_request(step, request, ctx) {
        Ok(request) => request,
        Err(Refused::Failure(failure)) => return StepRecord::new(step_ref, vec![*failure]),
        Err(Refused::Error(error)) => return errored(step_ref, *error),
    };
    if let Some(paginate) = &step.paginate {
        let request = request.into_owned();
        return run_paginated(step, step_ref, request, paginate, &expect, state, ctx).await;
    }
    send_and_check(step, step_ref, &request, &expect, state, ctx).await
}

/// Why a rendered request is not sent.
enum Refused {
    /// The request breaks the input schema, or is valid where the step says it is not.
    Failure(Box<Failure>),
    Error(Box<HarnessError>),
}

/// The request a step sends, from its rendered `request`: with the page size of a paginated
/// step, checked against the input schema (which must agree with `invalid_request`), and the
/// new pool tagged when the run tags pools.
fn checked_request<'s>(
    step: &Step,
    mut request: Cow<'s, Value>,
    ctx: &RunContext,
) -> Result<Cow<'s, Value>, Refused> {
    // A paginated step sends its page size as the limit: validate the request it really sends.
    if let Some(paginate) = &step.paginate
        && let Some(limit_key) = ctx
            .store
            .operation(&step.operation)
            .and_then(|op| op.paginator.as_ref())
            .and_then(|p| p.limit_key.as_ref())
        && let Value::Object(map) = request.to_mut()
    {
        map.insert(limit_key.clone(), Value::from(paginate.page_size));
    }
    match ctx
        .store
        .validate(&step.operation, &SchemaKind::Input, &request)
    {
        Ok(violations) if violations.is_empty() && step.invalid_request => {
            return Err(Refused::Failure(Box::new(
                Failure::RequestUnexpectedlyValid,
            )));
        }
        Ok(violations) if !violations.is_empty() && !step.invalid_request => {
            return Err(Refused::Failure(Box::new(Failure::RequestSchema {
                violations,
            })));
        }
        Ok(_) => {}
        Err(e) => {
            let operation = step.operation.clone();
            let message = e.to_string();
            return Err(Refused::Error(Box::new(HarnessError::NoSchema {
                operation,
                message,
            })));
        }
    }
    Ok(match ctx.tag_pools {
        true => Cow::Owned(crate::account::pools::tag_new_pool(
            &step.operation,
            request.into_owned(),
            &ctx.prefix,
        )),
        false => request,
    })
}

/// Sends a step's checked `request` once and checks the reply against `expect`, capturing
/// from it.
async fn send_and_check(
    step: &Step,
    step_ref: StepRef,
    request: &Value,
    expect: &Expect,
    state: &mut CaseState,
    ctx: &RunContext,
) -> StepRecord {
    let started = Instant::now();
    let reply = match send(ctx, &step.operation, request).await {
        Ok(reply) => reply,
        Err(message) => {
            let mut r = StepRecord::new(step_ref, vec![Failure::Transport { message }]);
            r.duration = started.elapsed();
            return r;
        }
    };
    let checked = check_reply(&step.operation, expect, &reply, ctx.store, ctx.lenient);
    let mut failures = checked.failures;
    failures.extend(state.observe(&step_ref, &step.operation, request, &reply));
    // A body that is not JSON has nothing to capture: a capture it should have given fails.
    capture(
        step,
        checked.body.as_ref().unwrap_or(&Value::Null),
        &mut failures,
        state,
    );
    let retries = (!failures.is_empty() && !reply.retries.is_empty()).then(|| retry_note(&reply));
    StepRecord {
        step: step_ref,
        status: Some(reply.status),
        error_code: checked.error_code,
        request_id: reply.header("x-amzn-requestid").map(str::to_owned),
        duration: reply.elapsed,
        failures,
        error: None,
        warnings: checked.warnings,
        retries,
        tries: 1,
    }
}

/// What a step sends, rendered (a static request as written).
enum Rendered<'s> {
    Request(Cow<'s, Value>),
    HttpGet(String),
}

/// Renders a step's expectation and request (or `http_get` path) with one clock reading, so that
/// the functions it calls agree (`${srp_timestamp}` and `${srp_signature(...)}`), keeping what
/// they compute in the case's state and secrets. An error is the `template` failure's message.
/// Why a step could not be rendered.
enum Unrendered {
    Template(template::RenderError),
    /// An `http_get` path that rendered to something other than a string.
    PathNotString(Value),
}

fn render_step<'s>(
    step: &'s Step,
    state: &mut CaseState,
) -> Result<(Cow<'s, Expect>, Rendered<'s>), Unrendered> {
    let mut calls = Calls::new(
        &mut state.auth,
        &mut state.secrets,
        std::time::SystemTime::now(),
    );
    let expect = match is_static(&step.expect) {
        true => Cow::Borrowed(&step.expect),
        false => Cow::Owned(
            render_expect(&step.expect, &state.vars, &mut calls).map_err(Unrendered::Template)?,
        ),
    };
    let rendered = match &step.http_get {
        Some(path) => {
            match template::render_with(&Value::String(path.clone()), &state.vars, &mut calls) {
                Ok(Value::String(path)) => Rendered::HttpGet(path),
                Ok(other) => return Err(Unrendered::PathNotString(other)),
                Err(e) => return Err(Unrendered::Template(e)),
            }
        }
        None if template::is_static(&step.request) => {
            Rendered::Request(Cow::Borrowed(&step.request))
        }
        None => Rendered::Request(Cow::Owned(
            template::render_with(&step.request, &state.vars, &mut calls)
                .map_err(Unrendered::Template)?,
        )),
    };
    Ok((expect, rendered))
}

/// Whether `expect` holds no template (rendering would give it back unchanged).
fn is_static(expect: &Expect) -> bool {
    match expect {
        Expect::Success { body } => body.as_ref().is_none_or(Pattern::is_static),
        Expect::Error { message, .. } => message.as_ref().is_none_or(Pattern::is_static),
    }
}

/// `3 attempts: attempt 1: HTTP 400 TooManyRequestsException; retried after 512 ms; ...`
fn retry_note(reply: &Reply) -> String {
    format!("{} attempts: {}", reply.attempts, reply.retries.join("; "))
}

/// Drops the retry note of a step whose failures the expectations all cover: the note is for
/// failures people have to look at.
fn drop_waived_retry_note(record: &mut StepRecord, waivers: &dyn Waivers) {
    let waived = record
        .failures
        .iter()
        .all(|f| waivers.expects(&record.step, f));
    if waived {
        record.retries = None;
    }
}

/// A setup step or step (repeated if it is an `eventually` step), unless the run was
/// interrupted (then it is not sent) or the case's time is up (then it is cut short); either
/// ends the case's steps with that reason.
async fn run_step_bounded(
    step: &Step,
    step_ref: StepRef,
    state: &mut CaseState,
    ctx: &RunContext,
    deadline: Option<tokio::time::Instant>,
    waivers: &dyn Waivers,
) -> StepRecord {
    if ctx.interrupt.is_raised() {
        let reason = ctx.interrupt.reason();
        return errored(step_ref, HarnessError::Interrupted { reason });
    }
    let tried = run_step_tried(step, step_ref.clone(), state, ctx, waivers);
    let Some(deadline) = deadline else {
        return tried.await;
    };
    let started = Instant::now();
    match tokio::time::timeout_at(deadline, tried).await {
        Ok(done) => done,
        Err(_) => {
            let seconds = ctx.case_timeout.unwrap_or_default().as_secs_f64();
            let mut timed_out = errored(step_ref, HarnessError::CaseTimeout { seconds });
            timed_out.duration = started.elapsed();
            timed_out
        }
    }
}

/// A step as often as its `eventually` asks: until a try settles it (it passes, or fails only in
/// ways waiting cannot change or the expectations expect), its bound passes, or an interrupt
/// comes. The record is the last try's, with the number of tries.
async fn run_step_tried(
    step: &Step,
    step_ref: StepRef,
    state: &mut CaseState,
    ctx: &RunContext,
    waivers: &dyn Waivers,
) -> StepRecord {
    let mut schedule = eventually::Schedule::new(step.eventually);
    loop {
        let mut record = run_step(step, step_ref.clone(), state, ctx).await;
        let settled = record.error.is_some()
            || !record.failures.iter().any(|f| {
                eventually::waiting_can_help(f.check()) && !waivers.expects(&record.step, f)
            });
        let Some(tries) = schedule.after_try(settled, &ctx.interrupt).await else {
            continue;
        };
        record.tries = tries.count;
        if tries.count > 1 {
            record.duration = tries.elapsed;
        }
        if tries.interrupted && record.error.is_none() {
            let reason = eventually::interrupted(tries.count, &ctx.interrupt);
            record.error = Some(HarnessError::Interrupted { reason });
        }
        return record;
    }
}

/// A teardown step. A `DeleteUserPool` refused with `InvalidParameterException` is tried once
/// more after lifting what blocks it (deletion protection, a domain), so that a pool is not
/// left behind because a case forgot to unprotect it.
async fn run_teardown_step(
    step: &Step,
    step_ref: StepRef,
    state: &mut CaseState,
    ctx: &RunContext,
) -> StepRecord {
    let first = run_step(step, step_ref.clone(), state, ctx).await;
    if step.operation != "DeleteUserPool"
        || first.error_code.as_deref() != Some("InvalidParameterException")
    {
        return first;
    }
    let pool_id = template::render(&step.request, &state.vars)
        .ok()
        .and_then(|r| {
            r.get("UserPoolId")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    let Some(pool_id) = pool_id else { return first };
    match crate::account::sweep::unblock(&ctx.client, &pool_id).await {
        Ok(lifted) if !lifted.is_empty() => {
            let mut second = run_step(step, step_ref, state, ctx).await;
            second.warnings.push(format!(
                "DeleteUserPool was refused ({}); {} and deleted the pool",
                first.error_code.as_deref().unwrap_or_default(),
                lifted.join(", ")
            ));
            second
        }
        _ => first,
    }
}

/// Sends one API request, unsigned when the model marks the operation unauthenticated.
async fn send(ctx: &RunContext, operation: &str, request: &Value) -> Result<Reply, String> {
    let unauthenticated = ctx
        .store
        .operation(operation)
        .is_some_and(|op| op.unauthenticated);
    let reply = ctx.client.send(operation, request, unauthenticated).await?;
    ctx.pools.observe(operation, request, &reply);
    Ok(reply)
}

/// Keeps the step's captures from `body`. Captures are taken from any JSON reply, also one that
/// should have been an error: a server that wrongly creates a resource must still have it torn
/// down. A capture that finds nothing fails the step only when the step expects success and got
/// it (an error reply, expected or not, has nothing to capture).
fn capture(step: &Step, body: &Value, failures: &mut Vec<Failure>, state: &mut CaseState) {
    state.secrets.collect(body);
    let succeeded_as_expected = matches!(step.expect, Expect::Success { .. })
        && failures
            .iter()
            .all(|f| !matches!(f, Failure::Status { .. }));
    for capture in &step.captures {
        let nodes = capture.path.query(body).all();
        match nodes.as_slice() {
            [] if !succeeded_as_expected => {}
            [] => failures.push(Failure::Capture {
                variable: capture.variable.clone(),
                path: capture.source.clone(),
            }),
            [one] => state.vars.set(&capture.variable, (*one).clone()),
            many => state.vars.set(
                &capture.variable,
                Value::Array(many.iter().map(|v| (*v).clone()).collect()),
            ),
        }
    }
}

/// An `http_get` step: a 2xx reply with a JSON body that matches the expected body.
async fn run_http_get(
    step: &Step,
    step_ref: StepRef,
    path: &str,
    expect: &Expect,
    state: &mut CaseState,
    ctx: &RunContext,
) -> StepRecord {
    let started = Instant::now();
    let reply = match ctx.client.get(path).await {
        Ok(reply) => reply,
        Err(message) => {
            let mut r = StepRecord::new(step_ref, vec![Failure::Transport { message }]);
            r.duration = started.elapsed();
            return r;
        }
    };
    let mut failures = state.observe(&step_ref, "", &Value::String(path.to_owned()), &reply);
    if !(200..300).contains(&reply.status) {
        failures.push(Failure::Status {
            expected: "success (2xx)",
            found: reply.status,
        });
    }
    match serde_json::from_slice::<Value>(&reply.body) {
        Ok(body) => {
            if let Expect::Success {
                body: Some(pattern),
            } = expect
            {
                failures.extend(
                    matcher::match_body(pattern, &body)
                        .into_iter()
                        .map(Failure::from),
                );
            }
            capture(step, &body, &mut failures, state);
        }
        Err(e) => failures.push(Failure::Json {
            message: crate::exec::check::why_not_json(&reply.body, &e),
            excerpt: String::from_utf8_lossy(&reply.body)
                .chars()
                .take(120)
                .collect(),
        }),
    }
    StepRecord {
        step: step_ref,
        status: Some(reply.status),
        error_code: None,
        request_id: reply.header("x-amzn-requestid").map(str::to_owned),
        duration: reply.elapsed,
        failures,
        error: None,
        warnings: Vec::new(),
        retries: None,
        tries: 1,
    }
}

/// The most pages a paginated step reads before it calls the paging endless.
const MAX_PAGES: usize = 200;

/// A `paginate` step: pages of `page_size` until no token is left, each page checked as a
/// reply; then the page-size, duplicate and token rules, and the expected body and captures
/// against the whole result.
async fn run_paginated(
    step: &Step,
    step_ref: StepRef,
    mut request: Value,
    paginate: &Paginate,
    expect: &Expect,
    state: &mut CaseState,
    ctx: &RunContext,
) -> StepRecord {
    let Some(paginator) = ctx
        .store
        .operation(&step.operation)
        .and_then(|op| op.paginator.clone())
    else {
        return StepRecord::new(
            step_ref,
            vec![Failure::Pagination {
                message: format!("{} has no paginator", step.operation),
            }],
        );
    };
    let mut rec = StepRecord::new(step_ref, Vec::new());
    let mut pages = Pages::new(paginator, paginate.page_size);
    for page in 1.. {
        if page > MAX_PAGES {
            rec.failures.push(Failure::Pagination {
                message: format!(
                    "still a {} after {MAX_PAGES} pages",
                    pages.paginator.output_token
                ),
            });
            break;
        }
        let Some(body) = fetch_page(&step.operation, &request, page, &mut rec, state, ctx).await
        else {
            return rec;
        };
        let Some(token) = pages.take(page, body, &mut rec.failures) else {
            break;
        };
        if let Value::Object(map) = &mut request {
            map.insert(pages.paginator.input_token.clone(), Value::String(token));
        }
    }
    if let Some(only) = &paginate.only {
        match only.render(&state.vars) {
            Ok(only) => pages.items.retain(|item| matcher::matches(&only, item)),
            Err(e) => return unrendered(rec.step, e),
        }
    }
    let whole = pages.whole(&mut rec.failures);
    if let Expect::Success {
        body: Some(pattern),
    } = expect
    {
        rec.failures.extend(
            matcher::match_body(pattern, &whole)
                .into_iter()
                .map(Failure::from),
        );
    }
    capture(step, &whole, &mut rec.failures, state);
    rec
}

/// Sends page `page` of a paginated step and checks its reply, adding to `rec`; its body, or
/// `None` when the step ends here (a transport failure, a failed check, no body).
async fn fetch_page(
    operation: &str,
    request: &Value,
    page: usize,
    rec: &mut StepRecord,
    state: &mut CaseState,
    ctx: &RunContext,
) -> Option<Value> {
    let started = Instant::now();
    let reply = match send(ctx, operation, request).await {
        Ok(reply) => reply,
        Err(message) => {
            rec.duration += started.elapsed();
            rec.failures.push(Failure::Transport {
                message: format!("page {page}: {message}"),
            });
            return None;
        }
    };
    rec.duration += reply.elapsed;
    rec.status = Some(reply.status);
    rec.request_id = reply.header("x-amzn-requestid").map(str::to_owned);
    let checked = check_reply(
        operation,
        &Expect::Success { body: None },
        &reply,
        ctx.store,
        ctx.lenient,
    );
    rec.error_code = checked.error_code;
    rec.warnings.extend(checked.warnings);
    let observed = state.observe(&rec.step, operation, request, &reply);
    rec.failures.extend(observed);
    if !checked.failures.is_empty() {
        rec.failures.extend(checked.failures);
        return None;
    }
    checked.body
}

/// The pages of a paginated step so far: their items, the tokens seen, the last body.
struct Pages {
    paginator: crate::service::schemas::Paginator,
    result_key: String,
    page_size: u64,
    items: Vec<Value>,
    tokens: std::collections::HashSet<String>,
    last_body: Option<Value>,
}

impl Pages {
    fn new(paginator: crate::service::schemas::Paginator, page_size: u64) -> Pages {
        Pages {
            result_key: paginator.result_key.clone().unwrap_or_default(),
            paginator,
            page_size,
            items: Vec::new(),
            tokens: std::collections::HashSet::new(),
            last_body: None,
        }
    }

    /// Takes in the body of page `page`: its items (no more than the page size), and its
    /// next token unless there is none or it was seen before (which ends the walk).
    fn take(&mut self, page: usize, body: Value, failures: &mut Vec<Failure>) -> Option<String> {
        let result_key = &self.result_key;
        let page_items = body
            .get(result_key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if page_items.len() as u64 > self.page_size {
            failures.push(Failure::Pagination {
                message: format!(
                    "page {page} holds {} {result_key}, more than the page size {}",
                    page_items.len(),
                    self.page_size
                ),
            });
        }
        self.items.extend(page_items);
        let token = body
            .get(&self.paginator.output_token)
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        self.last_body = Some(body);
        let token = token?;
        if !self.tokens.insert(token.clone()) {
            failures.push(Failure::Pagination {
                message: format!(
                    "page {page} returns a {} seen before",
                    self.paginator.output_token
                ),
            });
            return None;
        }
        Some(token)
    }

    /// The last body with every page's items under the result key and no next token; an item
    /// on more than one page is a failure.
    fn whole(self, failures: &mut Vec<Failure>) -> Value {
        let result_key = self.result_key;
        for (i, item) in self.items.iter().enumerate() {
            if self.items[..i].contains(item) {
                failures.push(Failure::Pagination {
                    message: format!("{result_key} item {i} appears on more than one page: {item}"),
                });
            }
        }
        let mut whole = self
            .last_body
            .unwrap_or_else(|| Value::Object(Default::default()));
        if let Value::Object(map) = &mut whole {
            map.remove(&self.paginator.output_token);
            map.insert(result_key, Value::Array(self.items));
        }
        whole
    }
}

fn render_expect(
    expect: &Expect,
    vars: &Vars,
    calls: &mut Calls,
) -> Result<Expect, template::RenderError> {
    Ok(match expect {
        Expect::Success { body } => Expect::Success {
            body: body
                .as_ref()
                .map(|b| b.render_with(vars, calls))
                .transpose()?,
        },
        Expect::Error { code, message } => Expect::Error {
            code: code.clone(),
            message: message
                .as_ref()
                .map(|m| m.render_with(vars, calls))
                .transpose()?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step() -> StepRef {
        StepRef {
            section: Section::Steps,
            index: 1,
            operation: "DescribeUserPool".into(),
        }
    }

    #[test]
    fn setup_and_steps_go_on_past_the_usable_reply_checks_only() {
        let record = |section, failures| StepRecord {
            status: Some(200),
            ..StepRecord::new(
                StepRef {
                    section,
                    index: 0,
                    operation: "CreateUserPool".into(),
                },
                failures,
            )
        };
        let quirks = vec![
            Failure::RequestId,
            Failure::ContentType {
                expected: "application/x-amz-json-1.1",
                found: Some("application/json".into()),
            },
        ];
        let status = vec![Failure::Status {
            expected: "success (2xx)",
            found: 400,
        }];
        let capture = vec![Failure::Capture {
            variable: "pool".into(),
            path: "$.UserPool.Id".into(),
        }];
        for section in [Section::Setup, Section::Steps] {
            assert!(!ends_case(&record(section, quirks.clone())), "{section:?}");
            assert!(ends_case(&record(section, status.clone())), "{section:?}");
            assert!(ends_case(&record(section, capture.clone())), "{section:?}");
            let mut both = quirks.clone();
            both.extend(status.clone());
            assert!(ends_case(&record(section, both)), "{section:?}");
        }
        let mut errored = record(Section::Setup, Vec::new());
        errored.error = Some(HarnessError::Panic {
            message: "boom".into(),
        });
        assert!(ends_case(&errored));
    }

    #[test]
    fn a_variable_a_reply_did_not_carry_is_the_target_s_failure() {
        let request = serde_json::json!({"UserPoolId": "${pool}"});
        let error = template::render(&request, &Vars::new()).unwrap_err();
        let record = unrendered(step(), error);
        assert!(record.error.is_none(), "{record:?}");
        assert_eq!(record.failures.len(), 1);
        assert_eq!(record.failures[0].check(), Check::Template);
    }

    #[test]
    fn a_template_that_cannot_be_rendered_is_a_harness_error() {
        let request = serde_json::json!({"UserPoolId": "${pool"});
        let error = template::render(&request, &Vars::new()).unwrap_err();
        let record = unrendered(step(), error);
        assert!(record.failures.is_empty(), "{record:?}");
        let error = record.error.expect("a harness error");
        assert_eq!(error.kind(), "template");
        assert!(error.to_string().contains("unterminated"), "{error}");
    }
}
