//! Layer 6: what the harness does in an account for itself: the run prefix and pool tags, the
//! ledger of created pools, deleting pools (teardown's last resort and `sweep`).

pub mod pools;
pub mod sweep;
