//! Per-article time budget and cancellation, checked cooperatively between
//! (and inside) pipeline stages.
//!
//! Two different things stop work early. *Cancellation* (the caller went
//! away or its deadline passed) aborts the article: nobody will read the
//! result. The *time budget* (a server limit) only skips the remaining
//! expensive stages: the caller still gets the best record found so far,
//! with a warning naming what was skipped.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
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

/// The time and cancellation state an article is enriched under, and the
/// wall time of each stage that ran under it: kept here, not in the
/// record, so that an article that fails or is cancelled half-way still
/// reports where its time went (`stage_duration_seconds`).
#[derive(Debug)]
pub struct Budget {
    started: Instant,
    limit: Option<Duration>,
    cancel: CancelFlag,
    stages: Mutex<Vec<(&'static str, Duration)>>,
}

impl Budget {
    /// No time limit and never cancelled (the CLI, benchmarks).
    pub fn unlimited() -> Self {
        Budget::new(None, CancelFlag::new())
    }

    /// A budget of `limit` from now (none when `None`), cancelled by `cancel`.
    pub fn new(limit: Option<Duration>, cancel: CancelFlag) -> Self {
        Budget {
            started: Instant::now(),
            limit,
            cancel,
            stages: Mutex::new(Vec::with_capacity(8)),
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

    /// The time limit, if any.
    pub fn limit(&self) -> Option<Duration> {
        self.limit
    }

    /// Time since the budget started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Records that `stage` ran for `took`.
    pub fn record_stage(&self, stage: &'static str, took: Duration) {
        self.stages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((stage, took));
    }

    /// The stages recorded so far with their wall times, in order.
    pub fn stage_timings(&self) -> Vec<(&'static str, Duration)> {
        self.stages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A [`Meter`] for the loops of one stage.
    pub fn meter(&self) -> Meter<'_> {
        Meter {
            budget: self,
            steps: 0,
            next_check: Meter::STRIDE,
            stopped: self.interrupted(),
        }
    }
}

/// Counts the steps of a stage's loops and checks its [`Budget`] every
/// [`Meter::STRIDE`] steps, so a stage stops soon after the budget runs out
/// or the caller cancels, without reading the clock on every step.
///
/// A *step* is a bounded amount of work: one token, one block, one
/// candidate, or (through [`Meter::add`]) a number of bytes scanned. Every
/// loop of a stage whose trip count grows with the input ticks its meter,
/// so [`Meter::steps`] also measures the work a stage did: the scaling
/// tests assert that it grows linearly with the input.
#[derive(Debug)]
pub struct Meter<'a> {
    budget: &'a Budget,
    steps: u64,
    next_check: u64,
    stopped: Option<Interrupted>,
}

impl Meter<'_> {
    /// Steps between two looks at the clock and the cancel flag. A step is
    /// at most a few microseconds of work, so a stage notices within a few
    /// milliseconds.
    pub const STRIDE: u64 = 1024;

    /// One step; `true` when the stage must stop.
    #[inline]
    pub fn tick(&mut self) -> bool {
        self.add(1)
    }

    /// `n` steps (bytes scanned, say); `true` when the stage must stop.
    #[inline]
    pub fn add(&mut self, n: u64) -> bool {
        self.steps += n;
        if self.steps >= self.next_check {
            self.check()
        } else {
            self.stopped.is_some()
        }
    }

    #[cold]
    fn check(&mut self) -> bool {
        self.next_check = self.steps.saturating_add(Self::STRIDE);
        if self.stopped.is_none() {
            self.stopped = self.budget.interrupted();
        }
        self.stopped.is_some()
    }

    /// Whether the stage must stop, from the last look at the budget.
    #[inline]
    pub fn is_stopped(&self) -> bool {
        self.stopped.is_some()
    }

    /// Why the stage stopped, if it did.
    pub fn stopped(&self) -> Option<Interrupted> {
        self.stopped
    }

    /// Steps counted so far.
    pub fn steps(&self) -> u64 {
        self.steps
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
        let mut meter = b.meter();
        assert!(!meter.add(10 * Meter::STRIDE));
    }

    #[test]
    fn stage_timings_are_kept_in_order() {
        let b = Budget::unlimited();
        assert!(b.stage_timings().is_empty());
        b.record_stage("clean", Duration::from_millis(3));
        b.record_stage("entities", Duration::from_millis(5));
        let names: Vec<_> = b.stage_timings().iter().map(|t| t.0).collect();
        assert_eq!(names, ["clean", "entities"]);
    }

    #[test]
    fn cancellation_is_seen_through_every_flag_clone_and_wins_over_budget() {
        let flag = CancelFlag::new();
        let b = Budget::new(Some(Duration::ZERO), flag.clone());
        let other = Budget::new(None, flag.clone());
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(b.interrupted(), Some(Interrupted::OverBudget));
        assert_eq!(other.interrupted(), None);
        flag.clone().cancel();
        assert_eq!(b.interrupted(), Some(Interrupted::Cancelled));
        assert_eq!(other.interrupted(), Some(Interrupted::Cancelled));
        assert!(matches!(b.check_cancelled(), Err(Error::Cancelled)));
    }

    #[test]
    fn a_meter_sees_cancellation_within_one_stride() {
        let flag = CancelFlag::new();
        let b = Budget::new(None, flag.clone());
        let mut meter = b.meter();
        for _ in 0..3 * Meter::STRIDE {
            assert!(!meter.tick());
        }
        flag.cancel();
        let mut ticks = 0;
        while !meter.tick() {
            ticks += 1;
            assert!(ticks <= Meter::STRIDE, "cancellation not seen");
        }
        assert_eq!(meter.stopped(), Some(Interrupted::Cancelled));
        assert!(meter.tick(), "a stopped meter stays stopped");
        assert_eq!(meter.steps(), 3 * Meter::STRIDE + ticks + 2);
    }

    #[test]
    fn a_meter_of_a_spent_budget_starts_stopped() {
        let b = Budget::new(Some(Duration::ZERO), CancelFlag::new());
        std::thread::sleep(Duration::from_millis(2));
        let meter = b.meter();
        assert!(meter.is_stopped());
        assert_eq!(meter.stopped(), Some(Interrupted::OverBudget));
    }
}
