//! Throttling and faults, handled like the AWS SDKs' standard retry mode, plus pacing.
//!
//! - [`RetryPolicy`]: which replies are retried (`TooManyRequestsException`,
//!   `ThrottlingException` and the SDKs' other throttling codes, HTTP 429 and 5xx, and requests
//!   that got no reply at all), how many attempts a request gets (default 3), and the backoff
//!   between them: exponential with full jitter, `random(0..1) * min(initial * 2^n, max)`.
//! - [`within_budget`]: a bound the SDKs do not have. No retry starts once the request's attempts
//!   have taken the per-request timeout in all, so that a target that never answers (or answers
//!   5xx just before the timeout) costs about one per-request timeout, not attempts × timeout: an
//!   attempt that timed out is never retried, and one request sends for at most twice the
//!   per-request timeout plus the waits between attempts. (The SDKs retry timeouts because their
//!   socket timeouts are short; a target that did not answer within the harness's 30 s is broken,
//!   not briefly busy, and a retried write that did arrive could be applied twice.)
//! - [`RetryQuota`]: the standard mode's token bucket (500 tokens; a retry costs 5, or 10 after
//!   a timeout or connection error; a success gives back what its retries cost, or 1), which stops
//!   retrying when an endpoint is failing everything.
//! - [`Pacer`]: a limit on requests in flight and on requests per second, shared by all cases of
//!   a run, since Cognito's per-category request quotas are low.
//!
//! `LimitExceededException` is not retried although the SDKs treat it as throttling: Cognito uses
//! it for attempt limits that cases may expect.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// Error codes that mean "slow down", as the SDKs' standard retry mode lists them (without
/// `LimitExceededException`, see the module documentation).
pub const THROTTLING_CODES: &[&str] = &[
    "TooManyRequestsException",
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "RequestThrottledException",
    "RequestThrottled",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes of transient faults the SDKs retry whatever the status.
pub const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException"];

/// The default number of attempts per request (the first one and two retries).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// How many attempts a request gets and how long to wait between them.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts per request, at least 1 (1 = no retries).
    pub max_attempts: u32,
    /// The backoff ceiling before the first retry; it doubles per retry.
    pub initial_backoff: Duration,
    /// The largest backoff ceiling.
    pub max_backoff: Duration,
}

impl RetryPolicy {
    /// The SDKs' standard mode: 3 attempts, 1 s initial backoff, 20 s at most.
    pub fn standard() -> RetryPolicy {
        RetryPolicy {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
        }
    }

    /// For emulators, which rarely throttle and whose faults are mostly deterministic (an
    /// operation they do not implement answers 500 every time): 3 attempts with short waits
    /// (from 10 ms, at most 200 ms), so such failures and an unreachable endpoint cost little.
    pub fn emulator() -> RetryPolicy {
        RetryPolicy {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(200),
        }
    }

    /// No retries at all.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::emulator()
        }
    }

    /// The wait before retry number `retry` (1 for the first retry), given a random fraction
    /// in `[0, 1)`.
    pub fn backoff(&self, retry: u32, fraction: f64) -> Duration {
        let exponent = retry.saturating_sub(1).min(30);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        ceiling.mul_f64(fraction.clamp(0.0, 1.0))
    }
}

/// Whether a retry may still start after the request's attempts took `sending` in all (waits
/// between attempts not counted), given the per-request timeout: only while that is less than
/// the timeout.
pub fn within_budget(sending: Duration, request_timeout: Duration) -> bool {
    sending < request_timeout
}

/// Why a reply or a failure is worth retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retryable {
    /// A throttling error code or HTTP 429.
    Throttled,
    /// HTTP 5xx or a transient error code.
    ServerFault,
    /// No reply: connection refused or reset, timeout.
    Transport,
}

/// Whether a reply with this status and error code is retried.
pub fn classify(status: u16, error_code: Option<&str>) -> Option<Retryable> {
    if status == 429 || error_code.is_some_and(|code| THROTTLING_CODES.contains(&code)) {
        Some(Retryable::Throttled)
    } else if (500..600).contains(&status)
        || error_code.is_some_and(|code| TRANSIENT_CODES.contains(&code))
    {
        Some(Retryable::ServerFault)
    } else {
        None
    }
}

/// The standard retry mode's retry quota.
#[derive(Debug)]
pub struct RetryQuota {
    tokens: Mutex<u32>,
}

impl RetryQuota {
    pub const INITIAL: u32 = 500;
    pub const RETRY_COST: u32 = 5;
    pub const TIMEOUT_RETRY_COST: u32 = 10;
    pub const NO_RETRY_INCREMENT: u32 = 1;

    pub fn new() -> RetryQuota {
        RetryQuota {
            tokens: Mutex::new(Self::INITIAL),
        }
    }

    /// The cost of retrying after `why`.
    pub fn cost(why: Retryable) -> u32 {
        match why {
            Retryable::Transport => Self::TIMEOUT_RETRY_COST,
            _ => Self::RETRY_COST,
        }
    }

    /// Takes `cost` tokens if there are that many.
    pub fn acquire(&self, cost: u32) -> bool {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if *tokens >= cost {
            *tokens -= cost;
            true
        } else {
            false
        }
    }

    /// After a success: gives back what its retries cost, or [`Self::NO_RETRY_INCREMENT`].
    pub fn release(&self, spent: u32) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        let give = if spent == 0 {
            Self::NO_RETRY_INCREMENT
        } else {
            spent
        };
        *tokens = (*tokens + give).min(Self::INITIAL);
    }

    pub fn available(&self) -> u32 {
        *self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Default for RetryQuota {
    fn default() -> Self {
        RetryQuota::new()
    }
}

/// Limits requests in flight and requests per second.
#[derive(Debug)]
pub struct Pacer {
    in_flight: Option<Semaphore>,
    interval: Option<Duration>,
    next_slot: Mutex<Option<Instant>>,
}

impl Pacer {
    /// `max_concurrency` requests in flight at most, `requests_per_second` at most (evenly
    /// spaced); `None` for no limit.
    pub fn new(max_concurrency: Option<usize>, requests_per_second: Option<f64>) -> Pacer {
        Pacer {
            in_flight: max_concurrency.map(|n| Semaphore::new(n.max(1))),
            interval: requests_per_second
                .filter(|rps| rps.is_finite() && *rps > 0.0)
                .map(|rps| Duration::from_secs_f64(1.0 / rps)),
            next_slot: Mutex::new(None),
        }
    }

    pub fn unlimited() -> Pacer {
        Pacer::new(None, None)
    }

    /// Waits for a free slot in flight, then for the next request-rate slot. The request may
    /// go out while the returned permit lives.
    pub async fn admit(&self) -> Option<SemaphorePermit<'_>> {
        let permit = match &self.in_flight {
            Some(semaphore) => semaphore.acquire().await.ok(),
            None => None,
        };
        if let Some(interval) = self.interval {
            let slot = {
                let mut next = self.next_slot.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                let slot = next.map_or(now, |n| n.max(now));
                *next = Some(slot + interval);
                slot
            };
            tokio::time::sleep_until(slot).await;
        }
        permit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_faults_and_the_rest() {
        assert_eq!(
            classify(400, Some("TooManyRequestsException")),
            Some(Retryable::Throttled)
        );
        assert_eq!(
            classify(400, Some("ThrottlingException")),
            Some(Retryable::Throttled)
        );
        assert_eq!(classify(429, None), Some(Retryable::Throttled));
        assert_eq!(
            classify(500, Some("InternalErrorException")),
            Some(Retryable::ServerFault)
        );
        assert_eq!(classify(503, None), Some(Retryable::ServerFault));
        assert_eq!(classify(400, Some("LimitExceededException")), None);
        assert_eq!(classify(400, Some("ResourceNotFoundException")), None);
        assert_eq!(classify(200, None), None);
    }

    #[test]
    fn backoff_doubles_up_to_the_ceiling_with_full_jitter() {
        let policy = RetryPolicy::standard();
        assert_eq!(policy.backoff(1, 1.0), Duration::from_secs(1));
        assert_eq!(policy.backoff(2, 1.0), Duration::from_secs(2));
        assert_eq!(policy.backoff(3, 1.0), Duration::from_secs(4));
        assert_eq!(policy.backoff(10, 1.0), Duration::from_secs(20));
        assert_eq!(policy.backoff(3, 0.5), Duration::from_secs(2));
        assert_eq!(policy.backoff(1, 0.0), Duration::ZERO);
    }

    #[test]
    fn no_retry_starts_once_the_attempts_took_the_timeout() {
        let timeout = Duration::from_secs(30);
        assert!(within_budget(Duration::ZERO, timeout));
        assert!(within_budget(Duration::from_secs(29), timeout));
        assert!(!within_budget(Duration::from_secs(30), timeout));
        assert!(!within_budget(Duration::from_millis(30_001), timeout));
    }

    #[test]
    fn the_quota_runs_out_and_refills_on_success() {
        let quota = RetryQuota::new();
        let mut retries = 0;
        while quota.acquire(RetryQuota::TIMEOUT_RETRY_COST) {
            retries += 1;
        }
        assert_eq!(retries, 50);
        quota.release(0);
        assert_eq!(quota.available(), 1);
        quota.release(5);
        assert_eq!(quota.available(), 6);
        for _ in 0..200 {
            quota.release(5);
        }
        assert_eq!(quota.available(), RetryQuota::INITIAL);
    }

    #[tokio::test]
    async fn the_pacer_spaces_requests_evenly() {
        let pacer = Pacer::new(None, Some(10.0));
        let started = Instant::now();
        for _ in 0..5 {
            let _ = pacer.admit().await;
        }
        let elapsed = started.elapsed();
        assert!(
            elapsed >= Duration::from_millis(400) && elapsed < Duration::from_secs(2),
            "{elapsed:?}"
        );
    }

    #[tokio::test]
    async fn the_pacer_limits_requests_in_flight() {
        let pacer = Pacer::new(Some(2), None);
        let first = pacer.admit().await;
        let second = pacer.admit().await;
        assert!(first.is_some() && second.is_some());
        let third = tokio::time::timeout(Duration::from_millis(50), pacer.admit()).await;
        assert!(third.is_err(), "a third request waits");
        drop(first);
        let third = tokio::time::timeout(Duration::from_millis(50), pacer.admit()).await;
        assert!(third.is_ok(), "and goes once one finishes");
    }
}
