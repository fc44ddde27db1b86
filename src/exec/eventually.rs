//! `eventually` steps: a read of something the service makes consistent only after a while
//! (ListUsers, a domain being deleted) is repeated until its expectation holds or its bound has
//! passed since the first try. The waits between tries start at [`FIRST_WAIT`] and double up to
//! [`LONGEST_WAIT`], and the last wait is cut so that a try falls on the bound itself. A try
//! that settles the step (it passed, or failed only in ways waiting cannot change: see
//! [`waiting_can_help`]) ends the repeating, and so does an interrupt (checked while waiting).
//! The case's own time limit is the caller's: the whole repetition runs inside it.
//!
//! Against an emulator, which is consistent at once, the first try settles the step.

use std::time::Duration;

use tokio::time::Instant;

use crate::exec::failure::Check;
use crate::support::interrupt::Interrupt;

/// The wait after the first try.
pub const FIRST_WAIT: Duration = Duration::from_millis(500);
/// The longest wait between two tries.
pub const LONGEST_WAIT: Duration = Duration::from_secs(4);
/// How often an interrupt is looked for while waiting.
const INTERRUPT_POLL: Duration = Duration::from_millis(100);

/// How a step's tries went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tries {
    /// The tries made (1 for a step without `eventually`, or one settled at once).
    pub count: u32,
    /// From the start of the first try to the end of the last.
    pub elapsed: Duration,
    /// The run was interrupted while waiting for the next try.
    pub interrupted: bool,
}

/// Whether a failure of `check` can go away by reading again later: the reply's status, error,
/// body, message, captures and pages say what state the service is in. A malformed reply, a
/// missing request id or a request the harness refused to send do not change with time.
pub fn waiting_can_help(check: Check) -> bool {
    matches!(
        check,
        Check::Status
            | Check::ErrorCode
            | Check::Body
            | Check::Message
            | Check::Capture
            | Check::Pagination
    )
}

/// The wait after try number `tries` (1-based): 0.5 s, 1 s, 2 s, 4 s, 4 s, ...
pub fn wait_after(tries: u32) -> Duration {
    let doubled = FIRST_WAIT.saturating_mul(1 << tries.saturating_sub(1).min(16));
    doubled.min(LONGEST_WAIT)
}

/// The tries of one step: after each, [`Schedule::after_try`] says whether to try again
/// (having waited) or how the tries went.
#[derive(Debug)]
pub struct Schedule {
    bound: Option<Duration>,
    started: Instant,
    count: u32,
}

impl Schedule {
    /// The schedule of a step with this `eventually` bound (`None`: one try), starting now.
    pub fn new(bound: Option<Duration>) -> Schedule {
        Schedule {
            bound,
            started: Instant::now(),
            count: 0,
        }
    }

    /// After a try that `settled` the step or not: `None` once the wait before the next try is
    /// over, or how the tries went when there is none (settled, no bound, the bound passed, or
    /// `interrupt` raised while waiting).
    pub async fn after_try(&mut self, settled: bool, interrupt: &Interrupt) -> Option<Tries> {
        self.count += 1;
        let mut tries = Tries {
            count: self.count,
            elapsed: self.started.elapsed(),
            interrupted: false,
        };
        let Some(bound) = self.bound else {
            return Some(tries);
        };
        if settled || tries.elapsed >= bound {
            return Some(tries);
        }
        let wait = wait_after(self.count).min(bound - tries.elapsed);
        if sleep_unless_interrupted(wait, interrupt).await {
            return None;
        }
        tries.interrupted = true;
        tries.elapsed = self.started.elapsed();
        Some(tries)
    }
}

/// Sleeps for `wait`, looking for an interrupt every [`INTERRUPT_POLL`]; false if one came.
async fn sleep_unless_interrupted(wait: Duration, interrupt: &Interrupt) -> bool {
    let until = Instant::now() + wait;
    loop {
        if interrupt.is_raised() {
            return false;
        }
        let now = Instant::now();
        if now >= until {
            return true;
        }
        tokio::time::sleep((until - now).min(INTERRUPT_POLL)).await;
    }
}

/// Why an `eventually` step stopped before its bound: the run was interrupted after `count`
/// tries.
pub fn interrupted(count: u32, interrupt: &Interrupt) -> String {
    let reason = interrupt.reason();
    let reason = reason.strip_prefix("not run: ").unwrap_or(&reason);
    format!("no try after try {count} of this eventually step: {reason}")
}

/// `after 3 tries in 15.0 s`, for failure messages; `None` for a single try.
pub fn describe(count: u32, elapsed: Duration) -> Option<String> {
    (count > 1).then(|| format!("after {count} tries in {:.1} s", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tries `attempt` (given the try number, saying whether it settled) as a step would be:
    /// the tries, and the times since the start at which each began.
    async fn run(
        bound: Option<Duration>,
        interrupt: &Interrupt,
        attempt: impl Fn(u32) -> bool,
    ) -> (Tries, Vec<u128>) {
        let started = Instant::now();
        let mut schedule = Schedule::new(bound);
        let mut times = Vec::new();
        loop {
            times.push(started.elapsed().as_millis());
            let settled = attempt(times.len() as u32);
            if let Some(tries) = schedule.after_try(settled, interrupt).await {
                return (tries, times);
            }
        }
    }

    #[test]
    fn waits_double_from_half_a_second_to_four() {
        let waits: Vec<u64> = (1..=6).map(|n| wait_after(n).as_millis() as u64).collect();
        assert_eq!(waits, [500, 1000, 2000, 4000, 4000, 4000]);
        assert_eq!(wait_after(u32::MAX), LONGEST_WAIT);
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_bound_the_step_is_tried_once() {
        let (tries, times) = run(None, &Interrupt::default(), |_| false).await;
        assert_eq!((tries.count, times.len()), (1, 1));
        assert!(!tries.interrupted);
    }

    #[tokio::test(start_paused = true)]
    async fn a_settled_first_try_is_the_only_one() {
        let bound = Some(Duration::from_secs(15));
        let (tries, _) = run(bound, &Interrupt::default(), |_| true).await;
        assert_eq!(tries.count, 1);
        assert_eq!(tries.elapsed, Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn tries_go_on_until_settled() {
        let bound = Some(Duration::from_secs(15));
        let (tries, times) = run(bound, &Interrupt::default(), |n| n == 3).await;
        assert_eq!(tries.count, 3);
        assert_eq!(times, [0, 500, 1500]);
        assert_eq!(tries.elapsed, Duration::from_millis(1500));
    }

    #[tokio::test(start_paused = true)]
    async fn the_bound_is_honoured_with_a_last_try_on_it() {
        let bound = Some(Duration::from_secs(15));
        let (tries, times) = run(bound, &Interrupt::default(), |_| false).await;
        // 0, 0.5, 1.5, 3.5, 7.5, 11.5, then the bound itself.
        assert_eq!(times, [0, 500, 1500, 3500, 7500, 11500, 15000]);
        assert_eq!(tries.count, 7);
        assert_eq!(tries.elapsed, Duration::from_secs(15));
        assert!(!tries.interrupted);
    }

    #[tokio::test(start_paused = true)]
    async fn an_interrupt_while_waiting_ends_the_tries() {
        let interrupt = Interrupt::default();
        let bound = Some(Duration::from_secs(60));
        let (tries, _) = run(bound, &interrupt, |n| {
            if n == 2 {
                interrupt.raise(libc::SIGINT);
            }
            false
        })
        .await;
        assert_eq!(tries.count, 2);
        assert!(tries.interrupted);
        assert_eq!(tries.elapsed, Duration::from_millis(500));
        assert!(interrupted(2, &interrupt).contains("after try 2"));
    }

    #[test]
    fn one_try_is_not_described() {
        assert_eq!(describe(1, Duration::from_secs(3)), None);
        assert_eq!(
            describe(3, Duration::from_millis(15_040)).as_deref(),
            Some("after 3 tries in 15.0 s")
        );
    }

    #[test]
    fn a_malformed_reply_is_not_waited_out() {
        assert!(waiting_can_help(Check::Body));
        assert!(waiting_can_help(Check::Status));
        assert!(!waiting_can_help(Check::ContentType));
        assert!(!waiting_can_help(Check::RequestId));
        assert!(!waiting_can_help(Check::Transport));
    }
}
