//! Removing user pools: one pool however it is protected ([`delete_pool`]), the pools a run
//! created and its cases' teardowns left behind ([`delete_leftovers`]), and the leftovers of
//! earlier runs ([`sweep`], the `cognito-contract sweep` command).
//!
//! Only pools whose names carry the harness's run prefix (`cct-` and 6 hex digits and `-`, see
//! [`carries_prefix`](crate::account::pools::carries_prefix)) are ever swept; a pool without it is never touched, however old. A pool
//! that resists deletion because of deletion protection is unprotected first
//! (`UpdateUserPool` with `DeletionProtection: INACTIVE`), and one with a hosted-UI domain has
//! the domain deleted first.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::account::pools::{PoolLedger, carries_prefix};
use crate::http::client::Client;

/// An error reply (or no reply) from one call.
#[derive(Debug, Clone)]
pub struct CallError {
    pub code: Option<String>,
    pub message: String,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{code}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Calls a signed operation and returns its JSON body (`{}` for an empty one), or the error.
pub async fn call(client: &Client, operation: &str, request: Value) -> Result<Value, CallError> {
    let reply = client
        .send(operation, &request, false)
        .await
        .map_err(|message| CallError {
            code: None,
            message: format!("no reply: {message}"),
        })?;
    let body = serde_json::from_slice::<Value>(&reply.body).ok();
    if (200..300).contains(&reply.status) {
        return Ok(body.unwrap_or_else(|| json!({})));
    }
    let message = body
        .as_ref()
        .and_then(|b| b.get("message").or_else(|| b.get("Message")))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("HTTP {}", reply.status));
    Err(CallError {
        code: reply.error_code(),
        message,
    })
}

/// What [`delete_pool`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deleted {
    Deleted,
    /// Deleted after lifting what blocked it (deletion protection, a domain).
    DeletedAfter(Vec<String>),
    /// It was already gone.
    AlreadyGone,
}

/// Deletes a pool; when `DeleteUserPool` fails with `InvalidParameterException`, lifts
/// deletion protection and deletes its domain, then tries again.
pub async fn delete_pool(client: &Client, pool_id: &str) -> Result<Deleted, CallError> {
    let request = json!({"UserPoolId": pool_id});
    match call(client, "DeleteUserPool", request.clone()).await {
        Ok(_) => Ok(Deleted::Deleted),
        Err(e) if e.code.as_deref() == Some("ResourceNotFoundException") => {
            Ok(Deleted::AlreadyGone)
        }
        Err(e) if e.code.as_deref() == Some("InvalidParameterException") => {
            let lifted = unblock(client, pool_id).await?;
            if lifted.is_empty() {
                return Err(e);
            }
            call(client, "DeleteUserPool", request).await?;
            Ok(Deleted::DeletedAfter(lifted))
        }
        Err(e) => Err(e),
    }
}

/// Lifts what keeps a pool from being deleted: deletion protection, a domain. Returns what it
/// did (nothing when nothing was in the way).
pub async fn unblock(client: &Client, pool_id: &str) -> Result<Vec<String>, CallError> {
    let described = call(client, "DescribeUserPool", json!({"UserPoolId": pool_id})).await?;
    let pool = described.get("UserPool").cloned().unwrap_or(Value::Null);
    let mut done = Vec::new();
    if pool.get("DeletionProtection").and_then(Value::as_str) == Some("ACTIVE") {
        call(
            client,
            "UpdateUserPool",
            json!({"UserPoolId": pool_id, "DeletionProtection": "INACTIVE"}),
        )
        .await?;
        done.push("lifted deletion protection".to_owned());
    }
    for member in ["Domain", "CustomDomain"] {
        if let Some(domain) = pool.get(member).and_then(Value::as_str) {
            call(
                client,
                "DeleteUserPoolDomain",
                json!({"UserPoolId": pool_id, "Domain": domain}),
            )
            .await?;
            done.push(format!("deleted domain {domain}"));
        }
    }
    Ok(done)
}

/// Deletes the pools `ledger` saw created and no `DeleteUserPool` remove. Returns one line per
/// pool, and whether all went.
pub async fn delete_leftovers(client: &Client, ledger: &PoolLedger) -> (Vec<String>, bool) {
    let mut lines = Vec::new();
    let mut all = true;
    for (pool_id, name) in ledger.created_pools() {
        match delete_pool(client, &pool_id).await {
            Ok(Deleted::AlreadyGone) => {}
            Ok(Deleted::Deleted) => lines.push(format!(
                "cleanup: deleted pool {pool_id} {name:?}, which no teardown deleted"
            )),
            Ok(Deleted::DeletedAfter(what)) => lines.push(format!(
                "cleanup: deleted pool {pool_id} {name:?} ({}), which no teardown deleted",
                what.join(", ")
            )),
            Err(e) => {
                all = false;
                lines.push(format!(
                    "cleanup: could not delete pool {pool_id} {name:?}: {e}; remove it with \
                     `cognito-contract sweep`"
                ));
            }
        }
    }
    (lines, all)
}

/// What [`sweep`] should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepOptions {
    /// Only pools created at least this long ago.
    pub older_than: Duration,
    /// List what would be deleted, delete nothing.
    pub dry_run: bool,
}

/// A pool as `ListUserPools` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolEntry {
    pub id: String,
    pub name: String,
    /// Seconds since the epoch, if the listing has it.
    pub created: Option<f64>,
}

/// What [`sweep`] found and did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SweepReport {
    pub listed: usize,
    /// The pools selected (prefixed and old enough).
    pub selected: Vec<PoolEntry>,
    pub deleted: Vec<String>,
    pub failed: Vec<(String, String)>,
    pub without_prefix: usize,
    pub too_young: usize,
    /// Lines for people, one per pool selected and a closing count.
    pub text: String,
}

/// Every pool, through all pages of `ListUserPools`.
pub async fn list_pools(client: &Client) -> Result<Vec<PoolEntry>, CallError> {
    let mut pools = Vec::new();
    let mut token: Option<String> = None;
    for _page in 0..1000 {
        let mut request = json!({"MaxResults": 60});
        if let Some(token) = &token {
            request["NextToken"] = Value::String(token.clone());
        }
        let page = call(client, "ListUserPools", request).await?;
        for pool in page
            .get("UserPools")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(id), Some(name)) = (
                pool.get("Id").and_then(Value::as_str),
                pool.get("Name").and_then(Value::as_str),
            ) else {
                continue;
            };
            pools.push(PoolEntry {
                id: id.to_owned(),
                name: name.to_owned(),
                created: pool.get("CreationDate").and_then(Value::as_f64),
            });
        }
        token = page
            .get("NextToken")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    Ok(pools)
}

/// Deletes (or with `dry_run` lists) the pools whose names carry the run prefix and that were
/// created at least `older_than` before `now`. A pool whose age is unknown counts as young
/// unless `older_than` is zero.
pub async fn sweep(
    client: &Client,
    options: &SweepOptions,
    now: SystemTime,
) -> Result<SweepReport, CallError> {
    let pools = list_pools(client).await?;
    let now = now
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    let mut report = SweepReport {
        listed: pools.len(),
        ..SweepReport::default()
    };
    for pool in pools {
        if !carries_prefix(&pool.name) {
            report.without_prefix += 1;
            continue;
        }
        let age = pool.created.map(|created| (now - created).max(0.0));
        let old_enough = match age {
            Some(age) => age >= options.older_than.as_secs_f64(),
            None => options.older_than.is_zero(),
        };
        if !old_enough {
            report.too_young += 1;
            continue;
        }
        let age_text = age
            .map(|a| format!("created {} ago", format_age(Duration::from_secs_f64(a))))
            .unwrap_or_else(|| "creation date unknown".into());
        if options.dry_run {
            let _ = writeln!(
                report.text,
                "would delete {}  {}  ({age_text})",
                pool.id, pool.name
            );
        } else {
            delete_and_record(client, &pool, &age_text, &mut report).await;
        }
        report.selected.push(pool);
    }
    write_closing_line(&mut report, options);
    Ok(report)
}

/// Deletes one selected pool and records how that went: deleted (and what it took), already
/// gone, or failed.
async fn delete_and_record(
    client: &Client,
    pool: &PoolEntry,
    age_text: &str,
    report: &mut SweepReport,
) {
    match delete_pool(client, &pool.id).await {
        Ok(Deleted::AlreadyGone) => {
            let _ = writeln!(
                report.text,
                "already gone {}  {}  ({age_text})",
                pool.id, pool.name
            );
        }
        Ok(outcome) => {
            let how = match outcome {
                Deleted::DeletedAfter(what) => format!(", {}", what.join(", ")),
                _ => String::new(),
            };
            let _ = writeln!(
                report.text,
                "deleted {}  {}  ({age_text}{how})",
                pool.id, pool.name
            );
            report.deleted.push(pool.id.clone());
        }
        Err(e) => {
            let _ = writeln!(
                report.text,
                "FAILED to delete {}  {}: {e}",
                pool.id, pool.name
            );
            report.failed.push((pool.id.clone(), e.to_string()));
        }
    }
}

/// The closing count of a sweep: listed, selected, failed, kept and why.
fn write_closing_line(report: &mut SweepReport, options: &SweepOptions) {
    let _ = writeln!(
        report.text,
        "{} pool(s) listed: {} {}, {} failed; kept {} without the prefix cct-xxxxxx-, {} younger \
         than {}",
        report.listed,
        report.selected.len(),
        if options.dry_run {
            "would be deleted"
        } else {
            "selected"
        },
        report.failed.len(),
        report.without_prefix,
        report.too_young,
        format_age(options.older_than),
    );
}

/// `3d 4h`, `2h 5m`, `4m 10s`, `12s`.
pub fn format_age(age: Duration) -> String {
    let secs = age.as_secs();
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {s}s")
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_well() {
        assert_eq!(format_age(Duration::from_secs(12)), "12s");
        assert_eq!(format_age(Duration::from_secs(250)), "4m 10s");
        assert_eq!(format_age(Duration::from_secs(3600 * 2 + 300)), "2h 5m");
        assert_eq!(
            format_age(Duration::from_secs(86_400 * 3 + 3600 * 4)),
            "3d 4h"
        );
    }
}
