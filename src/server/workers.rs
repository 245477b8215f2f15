//! The CPU pool that runs the synchronous pipeline off the async runtime,
//! and the admission limit on articles in flight.
//!
//! Every article holds one permit of the admission semaphore from the moment
//! it is accepted until its job on the pool has finished (even when its
//! caller went away meanwhile), so the permit count is exactly the number of
//! articles queued or running. Unary and batch calls take permits without
//! waiting and are refused with RESOURCE_EXHAUSTED when there are none;
//! streams wait for them, which turns into HTTP/2 back-pressure.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use prometheus_client::metrics::gauge::Gauge;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use crate::error::Error;
use crate::pipeline::budget::CancelFlag;

/// A fixed pool of CPU threads for pipeline jobs.
pub struct WorkerPool {
    pool: rayon::ThreadPool,
    threads: usize,
}

impl WorkerPool {
    /// A pool of `threads` threads named `newsenrich-worker-N`.
    pub fn new(threads: usize) -> std::io::Result<Self> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("newsenrich-worker-{i}"))
            .build()
            .map_err(std::io::Error::other)?;
        Ok(WorkerPool { pool, threads })
    }

    /// Number of threads.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `job` on the pool and waits for its result without blocking the
    /// runtime. A panic in `job` becomes [`Error::Internal`] for this job
    /// alone. Dropping the returned future raises `cancel`, so a job that
    /// has not finished can stop early; `permit` is held until the job ends.
    pub async fn run<T, F>(&self, permit: Admitted, cancel: CancelFlag, job: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, Error> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let _guard = CancelOnDrop(cancel);
        self.pool.spawn(move || {
            let result = std::panic::catch_unwind(AssertUnwindSafe(job)).unwrap_or_else(|panic| {
                let message = panic_message(panic.as_ref());
                tracing::error!(panic = %message, "pipeline panicked; article failed with INTERNAL");
                Err(Error::Internal(format!("the pipeline failed on this article: {message}")))
            });
            drop(permit);
            // The receiver is gone when the caller stopped waiting; the
            // result has no reader then.
            let _ = tx.send(result);
        });
        match rx.await {
            Ok(result) => result,
            Err(_) => Err(Error::Internal("worker dropped the job".into())),
        }
    }
}

/// Raises a cancel flag when dropped before being defused.
struct CancelOnDrop(CancelFlag);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        // Raising it after the job finished is harmless: nobody checks it.
        self.0.cancel();
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_string()
    }
}

/// The bound on articles queued or running over all calls.
#[derive(Clone)]
pub struct Admission {
    permits: Arc<Semaphore>,
    capacity: usize,
    gauge: Gauge,
}

/// One admitted article: holds its permit and counts in the in-flight gauge
/// until dropped.
pub struct Admitted {
    _permit: OwnedSemaphorePermit,
    gauge: Gauge,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.gauge.dec();
    }
}

impl Admission {
    /// A limit of `capacity` articles, reported through `gauge`.
    pub fn new(capacity: usize, gauge: Gauge) -> Self {
        Admission {
            permits: Arc::new(Semaphore::new(capacity)),
            capacity,
            gauge,
        }
    }

    fn wrap(&self, permit: OwnedSemaphorePermit) -> Admitted {
        self.gauge.inc();
        Admitted {
            _permit: permit,
            gauge: self.gauge.clone(),
        }
    }

    /// Articles currently admitted.
    pub fn in_flight(&self) -> usize {
        self.capacity - self.permits.available_permits()
    }

    /// The limit.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Takes `n` permits now, or fails with [`Error::Overloaded`].
    pub fn try_admit(&self, n: usize) -> Result<Vec<Admitted>, Error> {
        let n32 = u32::try_from(n).map_err(|_| Error::Overloaded("too many articles".into()))?;
        let mut all = Arc::clone(&self.permits)
            .try_acquire_many_owned(n32)
            .map_err(|_| {
                Error::Overloaded(
                    format!(
                        "{} of {} articles in flight, no room for {n} more; retry with backoff",
                        self.in_flight(),
                        self.capacity
                    )
                    .into(),
                )
            })?;
        let mut permits = Vec::with_capacity(n);
        for _ in 1..n {
            if let Some(one) = all.split(1) {
                permits.push(self.wrap(one));
            }
        }
        if n > 0 {
            permits.push(self.wrap(all));
        }
        Ok(permits)
    }

    /// Waits for one permit (streams: back-pressure instead of refusal).
    pub async fn admit(&self) -> Admitted {
        match Arc::clone(&self.permits).acquire_owned().await {
            Ok(p) => self.wrap(p),
            // The semaphore is never closed.
            Err(_) => unreachable!("admission semaphore closed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_job_fails_alone() {
        let pool = WorkerPool::new(1).unwrap();
        let adm = Admission::new(2, Gauge::default());
        let p = adm.try_admit(1).unwrap().pop().unwrap();
        let err = pool
            .run::<(), _>(p, CancelFlag::new(), || panic!("boom"))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Internal(m) if m.contains("boom")),
            "{err}"
        );
        let p = adm.try_admit(1).unwrap().pop().unwrap();
        let ok = pool.run(p, CancelFlag::new(), || Ok(41 + 1)).await.unwrap();
        assert_eq!(ok, 42);
        assert_eq!(adm.in_flight(), 0, "permits come back when jobs end");
    }

    #[test]
    fn admission_refuses_past_capacity_and_splits_permits() {
        let adm = Admission::new(3, Gauge::default());
        let two = adm.try_admit(2).unwrap();
        assert_eq!(two.len(), 2);
        assert_eq!(adm.in_flight(), 2);
        assert!(matches!(adm.try_admit(2), Err(Error::Overloaded(_))));
        drop(two);
        assert_eq!(adm.try_admit(3).unwrap().len(), 3);
    }

    #[tokio::test]
    async fn dropping_the_caller_raises_the_cancel_flag() {
        let pool = Arc::new(WorkerPool::new(1).unwrap());
        let adm = Admission::new(1, Gauge::default());
        let flag = CancelFlag::new();
        let seen = flag.clone();
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let p = adm.try_admit(1).unwrap().pop().unwrap();
        let job_pool = Arc::clone(&pool);
        let handle = tokio::spawn(async move {
            job_pool
                .run(p, flag, move || {
                    started_tx.send(()).ok();
                    while !seen.is_cancelled() {
                        std::thread::yield_now();
                    }
                    Err::<(), _>(Error::Cancelled)
                })
                .await
        });
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
            .await
            .unwrap();
        handle.abort();
        // The job sees the flag, ends, and gives its permit back.
        let permit = tokio::time::timeout(std::time::Duration::from_secs(5), adm.admit())
            .await
            .expect("the cancelled job released its permit");
        drop(permit);
    }
}
