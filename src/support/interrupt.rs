//! Stopping a run cleanly on Ctrl-C (SIGINT) or SIGTERM: cases that are running finish the step
//! in flight, skip their remaining steps and run their teardown; cases that have not started yet
//! are not started. A second signal exits at once (leftovers can then be removed with
//! `cognito-contract sweep`).
//!
//! An [`Interrupt`] is a flag shared by a run's cases; [`Interrupt::listen_for_signals`] raises
//! it from the signals, and tests raise it with [`Interrupt::raise`].

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

/// The exit status after a second signal: 128 + the signal number.
fn exit_status(signal: i32) -> i32 {
    128 + signal
}

/// Whether (and by which signal) the run was asked to stop.
#[derive(Debug, Default)]
pub struct Interrupt {
    /// 0 while running, else the signal number (or -1 when raised without a signal).
    signal: AtomicI32,
}

impl Interrupt {
    pub fn new() -> Arc<Interrupt> {
        Arc::new(Interrupt::default())
    }

    /// Asks the run to stop, as the signal `signal` would (`libc::SIGINT`, ...).
    pub fn raise(&self, signal: i32) {
        let _ = self
            .signal
            .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
    }

    pub fn is_raised(&self) -> bool {
        self.signal.load(Ordering::SeqCst) != 0
    }

    /// The signal that stopped the run, if any.
    pub fn signal(&self) -> Option<i32> {
        match self.signal.load(Ordering::SeqCst) {
            0 => None,
            signal => Some(signal),
        }
    }

    /// The conventional exit status of a run stopped by this signal (130 for SIGINT).
    pub fn exit_status(&self) -> Option<u8> {
        self.signal()
            .map(|s| u8::try_from(exit_status(s.max(libc::SIGINT))).unwrap_or(130))
    }

    /// Why a case step did not run, for failure messages.
    pub fn reason(&self) -> String {
        format!(
            "not run: the run was interrupted ({}); skipping to teardown",
            signal_name(self.signal().unwrap_or(-1))
        )
    }

    /// Why a case was not started, for the trial's ignore reason.
    pub fn not_started(&self) -> String {
        format!(
            "not started: the run was interrupted ({})",
            signal_name(self.signal().unwrap_or(-1))
        )
    }

    /// Listens for SIGINT and SIGTERM on `runtime`: the first raises the flag and says what
    /// happens now, a second exits the process at once.
    pub fn listen_for_signals(
        self: &Arc<Self>,
        runtime: &tokio::runtime::Runtime,
    ) -> Result<(), String> {
        use tokio::signal::unix::{SignalKind, signal};
        let _guard = runtime.enter();
        let mut interrupt = signal(SignalKind::interrupt())
            .map_err(|e| format!("cannot listen for SIGINT: {e}"))?;
        let mut terminate = signal(SignalKind::terminate())
            .map_err(|e| format!("cannot listen for SIGTERM: {e}"))?;
        let this = Arc::clone(self);
        runtime.spawn(async move {
            loop {
                let signal = tokio::select! {
                    _ = interrupt.recv() => libc::SIGINT,
                    _ = terminate.recv() => libc::SIGTERM,
                };
                if this.is_raised() {
                    eprintln!(
                        "\n{}: exiting now, without the remaining teardowns; remove leftover pools \
                         with `cognito-contract sweep`",
                        signal_name(signal)
                    );
                    std::process::exit(exit_status(signal));
                }
                this.raise(signal);
                eprintln!(
                    "\n{}: finishing the running cases' teardowns, starting no new cases \
                     (send it again to exit at once)",
                    signal_name(signal)
                );
            }
        });
        Ok(())
    }
}

/// `SIGINT`, `SIGTERM`, or a description of a flag raised by hand.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        libc::SIGINT => "SIGINT",
        libc::SIGTERM => "SIGTERM",
        _ => "stop requested",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_signal_is_kept() {
        let interrupt = Interrupt::new();
        assert!(!interrupt.is_raised());
        assert_eq!(interrupt.exit_status(), None);
        interrupt.raise(libc::SIGTERM);
        interrupt.raise(libc::SIGINT);
        assert_eq!(interrupt.signal(), Some(libc::SIGTERM));
        assert_eq!(interrupt.exit_status(), Some(143));
        assert!(interrupt.reason().contains("SIGTERM"));
    }
}
