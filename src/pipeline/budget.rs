//! Per-article time budget and cancellation, checked cooperatively between
//! (and inside) pipeline stages.
//!
//! Two different things stop work early. *Cancellation* (the caller went
//! away or its deadline passed) aborts the article: nobody will read the
//! result. The *time budget* (a server limit) only skips the remaining
//! expensive stages: the caller still gets the best record found so far,
//! with a warning naming what was skipped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::error::Error;

/// Why a stage stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupted {
    /// The caller cancelled or its deadline passed.
    Cancelled,
    /// The article's time budget is used up.
    OverBudget,
}

/// A shared flag that cancels the work of one call.
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    /// A flag that is not raised.
    pub fn new() -> Self {
        Self::default()
    }

    /// Raises the flag: every budget holding it reports cancellation.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether the flag is raised.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The time and cancellation state an article is enriched under.
#[derive(Debug, Clone)]
pub struct Budget {
    started: Instant,
    limit: Option<Duration>,
    cancel: CancelFlag,
}

impl Budget {
    /// No time limit and never cancelled (the CLI, benchmarks).
    pub fn unlimited() -> Self {
        Budget {
            started: Instant::now(),
            limit: None,
            cancel: CancelFlag::new(),
        }
    }

    /// A budget of `limit` from now (none when `None`), cancelled by `cancel`.
    pub fn new(limit: Option<Duration>, cancel: CancelFlag) -> Self {
        Budget {
            started: Instant::now(),
            limit,
            cancel,
        }
    }

    /// Whether the caller cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Whether the time budget is used up.
    pub fn is_over(&self) -> bool {
        self.limit
            .is_some_and(|limit| self.started.elapsed() > limit)
    }

    /// The first reason to stop, if any; cancellation wins.
    pub fn interrupted(&self) -> Option<Interrupted> {
        if self.is_cancelled() {
            Some(Interrupted::Cancelled)
        } else if self.is_over() {
            Some(Interrupted::OverBudget)
        } else {
            None
        }
    }

    /// `Err(Error::Cancelled)` when the caller cancelled.
    pub fn check_cancelled(&self) -> Result<(), Error> {
        if self.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }

    /// A warning for the record when the budget ran out by the end of `stage`.
    pub fn overrun_warning(&self, stage: &str) -> Option<String> {
        let limit = self.limit?;
        let elapsed = self.started.elapsed();
        (elapsed > limit).then(|| {
            format!(
                "time budget of {} ms used up ({} ms) by the end of stage {stage}; later stages were skipped",
                limit.as_millis(),
                elapsed.as_millis()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlimited_budget_is_never_interrupted() {
        let b = Budget::unlimited();
        assert_eq!(b.interrupted(), None);
        assert!(b.check_cancelled().is_ok());
        assert_eq!(b.overrun_warning("x"), None);
    }

    #[test]
    fn cancellation_is_seen_by_every_clone_and_wins_over_budget() {
        let flag = CancelFlag::new();
        let b = Budget::new(Some(Duration::ZERO), flag.clone());
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(b.interrupted(), Some(Interrupted::OverBudget));
        flag.cancel();
        assert_eq!(b.clone().interrupted(), Some(Interrupted::Cancelled));
        assert!(matches!(b.check_cancelled(), Err(Error::Cancelled)));
    }

    #[test]
    fn overrun_warning_names_the_stage() {
        let b = Budget::new(Some(Duration::ZERO), CancelFlag::new());
        std::thread::sleep(Duration::from_millis(2));
        let w = b.overrun_warning("normalize").expect("over budget");
        assert!(w.contains("stage normalize"), "{w}");
    }
}
