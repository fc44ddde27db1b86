//! Randomness that needs no cryptographic strength: run prefixes, per-case ids and passwords
//! for test users, and retry jitter.

/// A random 64-bit number from `fastrand`'s thread-local generator (seeded per thread).
pub fn random_u64() -> u64 {
    fastrand::u64(..)
}
