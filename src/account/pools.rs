//! The harness's own bookkeeping in an account: the run prefix every resource name starts with,
//! the tag every pool created against AWS carries, and the ledger of the pools a run created and
//! has not seen deleted. Teardown's last resort and `sweep` both delete through
//! [`crate::account::sweep`], which reads these.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;
use serde_json::{Value, json};

use crate::http::aws::{MAX_POOL_TAGS, RUN_TAG_KEY};
use crate::http::client::Reply;
use crate::support::random::random_u64;

/// The pattern a pool name must match to be swept: the run prefix `${prefix}` produces.
pub const PREFIX_PATTERN: &str = "^cct-[0-9a-f]{6}-";

/// Whether `name` starts with a run prefix (`cct-4f2a9c-...`).
pub fn carries_prefix(name: &str) -> bool {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN
        .get_or_init(|| Regex::new(PREFIX_PATTERN).expect("a valid pattern"))
        .is_match(name)
}

/// A fresh run prefix, `cct-` and 6 hex digits and `-`.
pub fn new_run_prefix() -> String {
    format!("cct-{:06x}-", random_u64() & 0xff_ffff)
}

/// Adds the run tag (`cognito-contract-run` = the run prefix without its last `-`) to the
/// `UserPoolTags` of a `CreateUserPool` request, unless the request sets that tag itself,
/// `UserPoolTags` is not an object, or it already holds Cognito's maximum of 50 tags. Other
/// requests are returned as they are.
pub fn tag_new_pool(operation: &str, mut request: Value, prefix: &str) -> Value {
    if operation != "CreateUserPool" {
        return request;
    }
    if let Value::Object(map) = &mut request {
        let tags = map.entry("UserPoolTags").or_insert_with(|| json!({}));
        if let Value::Object(tags) = tags
            && tags.len() < MAX_POOL_TAGS
            && !tags.contains_key(RUN_TAG_KEY)
        {
            tags.insert(
                RUN_TAG_KEY.to_owned(),
                Value::String(prefix.trim_end_matches('-').to_owned()),
            );
        }
    }
    request
}

/// The pools a run created and has not seen deleted, as (id, name). Clones share one ledger.
#[derive(Debug, Clone, Default)]
pub struct PoolLedger {
    pools: Arc<Mutex<BTreeMap<String, String>>>,
}

impl PoolLedger {
    pub fn new() -> PoolLedger {
        PoolLedger::default()
    }

    /// Records what the reply to `operation` with `request` did to the account's pools: a
    /// created pool is added, a deleted (or already gone) one removed.
    pub fn observe(&self, operation: &str, request: &Value, reply: &Reply) {
        let success = (200..300).contains(&reply.status);
        let mut pools = self.pools.lock().unwrap_or_else(|e| e.into_inner());
        match operation {
            "CreateUserPool" if success => {
                let body = serde_json::from_slice::<Value>(&reply.body).ok();
                let pool = body.as_ref().and_then(|b| b.get("UserPool"));
                if let Some(id) = pool.and_then(|p| p.get("Id")).and_then(Value::as_str) {
                    let name = pool
                        .and_then(|p| p.get("Name"))
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    pools.insert(id.to_owned(), name.to_owned());
                }
            }
            "DeleteUserPool"
                if success
                    || reply.error_code().as_deref() == Some("ResourceNotFoundException") =>
            {
                if let Some(id) = request.get("UserPoolId").and_then(Value::as_str) {
                    pools.remove(id);
                }
            }
            _ => {}
        }
    }

    /// The pools created and not seen deleted, as (id, name).
    pub fn created_pools(&self) -> Vec<(String, String)> {
        let pools = self.pools.lock().unwrap_or_else(|e| e.into_inner());
        pools
            .iter()
            .map(|(id, name)| (id.clone(), name.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_run_prefixes_are_swept() {
        assert!(carries_prefix("cct-4f2a9c-0a1b2c3d"));
        assert!(carries_prefix(&format!(
            "{}x",
            crate::account::pools::new_run_prefix()
        )));
        for name in [
            "cct-",
            "cct-production",
            "cct-4F2A9C-upper",
            "my-cct-4f2a9c-pool",
            "cct-4f2a9-short",
            "prod",
        ] {
            assert!(!carries_prefix(name), "{name}");
        }
    }

    #[test]
    fn new_pools_get_the_run_tag() {
        let tagged = tag_new_pool(
            "CreateUserPool",
            json!({"PoolName": "cct-abc123-x"}),
            "cct-abc123-",
        );
        assert_eq!(
            tagged,
            json!({"PoolName": "cct-abc123-x", "UserPoolTags": {RUN_TAG_KEY: "cct-abc123"}})
        );
        let own = tag_new_pool(
            "CreateUserPool",
            json!({"PoolName": "p", "UserPoolTags": {"team": "a"}}),
            "cct-abc123-",
        );
        assert_eq!(own["UserPoolTags"]["team"], "a");
        assert_eq!(own["UserPoolTags"][RUN_TAG_KEY], "cct-abc123");
        let broken = tag_new_pool(
            "CreateUserPool",
            json!({"PoolName": "p", "UserPoolTags": "not a map"}),
            "cct-abc123-",
        );
        assert_eq!(broken["UserPoolTags"], "not a map");
        let other = tag_new_pool("CreateGroup", json!({"GroupName": "g"}), "cct-abc123-");
        assert_eq!(other, json!({"GroupName": "g"}));
    }
}
