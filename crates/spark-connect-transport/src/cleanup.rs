//! Cleanup calls that nobody waits for but that must reach the server: the `ReleaseExecute`
//! (release all) that ends an operation whose result is complete, failed, or was dropped
//! before its end. For a dropped result it is what stops the query on the server.
//!
//! Such a call is sent in the background, as a task on the tokio runtime where the stream
//! ended (or, outside any runtime, on a small runtime of this module's own). That task may
//! never run: when a program drops a result and returns from `main`, its runtime shuts down
//! and drops the task unsent, and then the process exits. So every call is recorded here until
//! the server has answered it:
//!
//! - a task dropped unfinished (its runtime shut down) hands its call to this module's own
//!   runtime, which sends it on a new connection (the old one died with its runtime);
//! - when the process exits, a hook (C's `atexit`, which runs after `main` returns and on
//!   `std::process::exit`) sends whatever is still recorded from a thread of its own and waits
//!   for the answers, for at most [`set_exit_cleanup_limit`] (5 s unless set); a program
//!   with nothing recorded exits without any wait;
//! - [`flush_cleanup`] waits for every recorded call from async code, so a program can send
//!   them on its own connection before it ends (the command-line tool does).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, Once, OnceLock};
use std::time::{Duration, Instant};

use crate::client::SparkConnectClient;
use crate::error::Error;

/// How long the process exit waits for cleanup calls unless set: enough for a few round trips
/// and a new connection, short enough that an unreachable server barely delays the exit.
pub const DEFAULT_EXIT_CLEANUP_LIMIT: Duration = Duration::from_secs(5);

static EXIT_LIMIT_MS: AtomicU64 = AtomicU64::new(DEFAULT_EXIT_CLEANUP_LIMIT.as_millis() as u64);

/// Sets how long the process exit waits for cleanup calls that are still unsent or
/// unanswered ([`DEFAULT_EXIT_CLEANUP_LIMIT`] unless set). `Duration::ZERO` makes the exit
/// skip them, which may leave dropped queries running on the server until it drops them
/// itself (Spark: 5 minutes after the client went away); a tool whose user pressed Ctrl-C
/// twice does that.
///
/// ```
/// use std::time::Duration;
///
/// // A batch job that would rather exit at once than wait for a slow server.
/// spark_connect_transport::set_exit_cleanup_limit(Duration::from_secs(1));
/// ```
pub fn set_exit_cleanup_limit(limit: Duration) {
    let ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX);
    EXIT_LIMIT_MS.store(ms, Ordering::Relaxed);
}

fn exit_limit() -> Duration {
    Duration::from_millis(EXIT_LIMIT_MS.load(Ordering::Relaxed))
}

/// Waits until every cleanup call made so far (by any client of this process) has been
/// answered by its server, or failed, for at most `limit`. Returns whether none is left.
///
/// A program that wants its dropped queries stopped before it goes on (or before it ends,
/// without relying on the exit hook) awaits this.
///
/// ```no_run
/// # async fn demo(spark_stream: spark_connect_transport::ExecuteStream) {
/// use std::time::Duration;
///
/// drop(spark_stream); // the query is released in the background ...
/// // ... and this waits until the server has answered.
/// let done = spark_connect_transport::flush_cleanup(Duration::from_secs(5)).await;
/// assert!(done, "the server did not answer in time");
/// # }
/// ```
pub async fn flush_cleanup(limit: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let changed = notify().notified();
        let mut changed = std::pin::pin!(changed);
        // Registered before the check, so a change in between is not missed.
        changed.as_mut().enable();
        if lock().pending.is_empty() {
            return true;
        }
        if tokio::time::timeout_at(deadline, changed).await.is_err() {
            return lock().pending.is_empty();
        }
    }
}

/// One recorded call: release all of `operation_id` in `client`'s session.
struct Pending {
    client: SparkConnectClient,
    operation_id: String,
    /// Whether it was handed to this module's runtime (a task there is sending it).
    on_own_runtime: bool,
}

#[derive(Default)]
struct Registry {
    next: u64,
    pending: HashMap<u64, Pending>,
}

fn registry() -> &'static (Mutex<Registry>, Condvar) {
    static REGISTRY: OnceLock<(Mutex<Registry>, Condvar)> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

fn lock() -> MutexGuard<'static, Registry> {
    // Plain bookkeeping: a panic elsewhere cannot leave it inconsistent.
    registry().0.lock().unwrap_or_else(|e| e.into_inner())
}

fn notify() -> &'static tokio::sync::Notify {
    static NOTIFY: OnceLock<tokio::sync::Notify> = OnceLock::new();
    NOTIFY.get_or_init(tokio::sync::Notify::new)
}

fn done(id: u64) {
    if lock().pending.remove(&id).is_some() {
        registry().1.notify_all();
        notify().notify_waiters();
    }
}

/// Releases all of `operation_id` on the server, in the background, after `before` (a
/// release still in flight, which the server should see first) has ended.
pub(crate) fn release_all(
    client: &SparkConnectClient,
    operation_id: &str,
    before: Option<tokio::task::JoinHandle<()>>,
) {
    if client.is_closed() {
        // The session is gone, and its operations with it.
        return;
    }
    install_exit_hook();
    let id = {
        let mut registry = lock();
        registry.next += 1;
        let id = registry.next;
        registry.pending.insert(
            id,
            Pending {
                client: client.clone(),
                operation_id: operation_id.to_string(),
                on_own_runtime: false,
            },
        );
        id
    };
    let task = Task {
        id,
        client: client.clone(),
        operation_id: operation_id.to_string(),
        finished: false,
    };
    let send = task.run(before);
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn(send);
        }
        // Outside a runtime (a stream dropped by blocking code): this module's runtime sends
        // it, on the client's own connection, which lives on while its runtime does.
        Err(_) => match own_runtime() {
            Some(runtime) => {
                mark_own_runtime(id);
                runtime.spawn(send);
            }
            None => drop(send),
        },
    }
}

/// A recorded call being sent by a task; dropped unfinished, it hands the call over.
struct Task {
    id: u64,
    client: SparkConnectClient,
    operation_id: String,
    finished: bool,
}

impl Task {
    async fn run(mut self, before: Option<tokio::task::JoinHandle<()>>) {
        if let Some(before) = before {
            let _ = before.await;
        }
        let answered = send(&self.client, &self.operation_id).await;
        self.finished = true;
        if answered {
            done(self.id);
        } else {
            // The connection failed under the call, e.g. because its runtime is shutting
            // down: once more on a new connection.
            self.hand_over();
        }
    }

    /// Sends the call again from this module's runtime, on a new connection (the old one was
    /// driven by the runtime that shut down), unless that runtime already has it.
    fn hand_over(&self) {
        let Some(runtime) = own_runtime() else { return };
        if !mark_own_runtime(self.id) {
            return;
        }
        tracing::debug!(operation_id = %self.operation_id, "the release was cut short; sending it again");
        let id = self.id;
        let client = self.client.clone();
        let operation_id = self.operation_id.clone();
        runtime.spawn(async move {
            send_fresh(&client, &operation_id).await;
            done(id);
        });
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        // Dropped unfinished: its runtime shut down before the server answered.
        if !self.finished {
            self.hand_over();
        }
    }
}

/// Marks a recorded call as handed to this module's runtime; false if it was already (or is
/// no longer recorded).
fn mark_own_runtime(id: u64) -> bool {
    match lock().pending.get_mut(&id) {
        Some(p) if !p.on_own_runtime => {
            p.on_own_runtime = true;
            true
        }
        _ => false,
    }
}

/// Sends the call; whether the server answered (a release that the server refuses, e.g. for
/// an operation it no longer has, is answered too).
async fn send(client: &SparkConnectClient, operation_id: &str) -> bool {
    match client.release_execute(operation_id, None).await {
        Ok(()) => {
            tracing::debug!(%operation_id, "released the operation");
            true
        }
        Err(e) => {
            tracing::debug!(%operation_id, error = %e, "ReleaseExecute (all) failed");
            matches!(e, Error::Server(_) | Error::SessionEnded { .. })
        }
    }
}

/// Sends on a new connection of its own.
async fn send_fresh(client: &SparkConnectClient, operation_id: &str) {
    match client.with_fresh_channel() {
        Ok(fresh) => {
            send(&fresh, operation_id).await;
        }
        Err(e) => tracing::debug!(%operation_id, error = %e, "no channel for ReleaseExecute"),
    }
}

/// A current-thread runtime on a thread of its own, for cleanup calls made outside any
/// runtime or orphaned by one that shut down. Started on first use; lives as long as the
/// process.
fn own_runtime() -> Option<&'static tokio::runtime::Handle> {
    static RUNTIME: OnceLock<Option<tokio::runtime::Handle>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            let (send, receive) = std::sync::mpsc::channel();
            let spawned = std::thread::Builder::new()
                .name("spark-connect-cleanup".into())
                .spawn(move || {
                    let runtime = match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(runtime) => runtime,
                        Err(e) => {
                            tracing::debug!(error = %e, "cannot start the cleanup runtime");
                            let _ = send.send(None);
                            return;
                        }
                    };
                    let _ = send.send(Some(runtime.handle().clone()));
                    runtime.block_on(std::future::pending::<()>());
                });
            match spawned {
                Ok(_) => receive.recv().ok().flatten(),
                Err(e) => {
                    tracing::debug!(error = %e, "cannot start the cleanup thread");
                    None
                }
            }
        })
        .as_ref()
}

fn install_exit_hook() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        unsafe extern "C" {
            fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
        }
        // SAFETY: `atexit` is C's standard function (every libc, and the MSVC runtime) and
        // `at_exit` is a plain `extern "C" fn` that never unwinds.
        let registered = unsafe { atexit(at_exit) } == 0;
        if !registered {
            tracing::debug!("cannot register the exit hook for cleanup calls");
        }
    });
}

/// Runs when the process exits: sends the recorded calls that no live task is sending from
/// this module's runtime, on new connections, and waits for the answers, at most the exit
/// limit. Touches no thread-local of the exiting thread (C runs `atexit` hooks after that
/// thread's thread-local destructors): the work happens on the cleanup thread.
extern "C" fn at_exit() {
    let _ = std::panic::catch_unwind(|| {
        let limit = exit_limit();
        if limit.is_zero() {
            return;
        }
        let orphans: Vec<(u64, SparkConnectClient, String)> = {
            let mut registry = lock();
            if registry.pending.is_empty() {
                return;
            }
            registry
                .pending
                .iter_mut()
                .filter(|(_, p)| !p.on_own_runtime)
                .map(|(id, p)| {
                    p.on_own_runtime = true;
                    (*id, p.client.clone(), p.operation_id.clone())
                })
                .collect()
        };
        if !orphans.is_empty() {
            tracing::debug!(calls = orphans.len(), "sending cleanup calls at exit");
            let Some(runtime) = own_runtime() else { return };
            for (id, client, operation_id) in orphans {
                runtime.spawn(async move {
                    send_fresh(&client, &operation_id).await;
                    done(id);
                });
            }
        }
        let deadline = Instant::now() + limit;
        let (_, changed) = registry();
        let mut registry = lock();
        while !registry.pending.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            registry = changed
                .wait_timeout(registry, left)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    });
}
