//! Which failed calls are tried again, and how long to wait before each new attempt.

use std::time::Duration;

use tonic_types::StatusExt;

/// When and how often a failed call is tried again.
///
/// The default is PySpark's: up to 15 retries, waits starting at 50 ms and growing ×4 up to
/// 60 s, plus a random jitter of up to 500 ms once a wait reaches 2 s. Retried are `UNAVAILABLE`
/// (and a connection that broke under the call), `INTERNAL` whose message carries
/// `INVALID_CURSOR.DISCONNECTED`, and any error with a `google.rpc.RetryInfo`, waiting at least
/// the delay it asks for (at most [`max_server_delay`](Self::max_server_delay)).
///
/// One deliberate difference: a connection that cannot be established at all (refused,
/// unknown host, failed TLS handshake) is tried again only once this client has had an answer
/// from the server, so a wrong address fails at once instead of after minutes of retries.
///
/// ```
/// use std::time::Duration;
/// use spark_connect_transport::RetryPolicy;
///
/// let quick = RetryPolicy::default()
///     .max_retries(3)
///     .max_backoff(Duration::from_secs(1));
/// assert_eq!(quick.backoff_for(0), Duration::from_millis(50));
/// assert_eq!(quick.backoff_for(2), Duration::from_millis(800));
/// assert_eq!(quick.backoff_for(9), Duration::from_secs(1));
/// assert!(!RetryPolicy::none().is_enabled());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    multiplier: f64,
    max_backoff: Duration,
    jitter: Duration,
    min_jitter_threshold: Duration,
    max_server_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 15,
            initial_backoff: Duration::from_millis(50),
            multiplier: 4.0,
            max_backoff: Duration::from_secs(60),
            jitter: Duration::from_millis(500),
            min_jitter_threshold: Duration::from_secs(2),
            max_server_delay: Duration::from_secs(600),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// How many times a call is tried again after its first attempt (15 by default).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// The first wait (50 ms by default).
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// The factor by which each wait grows (4 by default; values below 1 count as 1).
    pub fn multiplier(mut self, m: f64) -> Self {
        self.multiplier = if m.is_finite() && m >= 1.0 { m } else { 1.0 };
        self
    }

    /// The longest wait this policy computes (60 s by default); a server's `RetryInfo` may
    /// ask for more.
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// Adds a random wait of up to `jitter` to every wait of at least `threshold` (500 ms and
    /// 2 s by default), so that many clients do not come back at the same moment.
    pub fn jitter(mut self, jitter: Duration, threshold: Duration) -> Self {
        self.jitter = jitter;
        self.min_jitter_threshold = threshold;
        self
    }

    /// The longest wait a server's `RetryInfo` can ask for (10 minutes by default).
    pub fn max_server_delay(mut self, d: Duration) -> Self {
        self.max_server_delay = d;
        self
    }

    /// Whether this policy retries at all.
    pub fn is_enabled(&self) -> bool {
        self.max_retries > 0
    }

    /// The most retries.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The wait before retry number `retry + 1`, without jitter and server delay.
    pub fn backoff_for(&self, retry: u32) -> Duration {
        let factor = self.multiplier.powi(retry.min(64) as i32);
        let secs = self.initial_backoff.as_secs_f64() * factor;
        let capped = secs.min(self.max_backoff.as_secs_f64());
        Duration::try_from_secs_f64(capped).unwrap_or(self.max_backoff)
    }

    pub(crate) fn start(&self) -> RetryState {
        RetryState {
            policy: self.clone(),
            retries: 0,
        }
    }
}

/// The retries spent on one call (or since a resumed stream last made progress).
#[derive(Debug)]
pub(crate) struct RetryState {
    policy: RetryPolicy,
    retries: u32,
}

impl RetryState {
    /// The wait before the next attempt, or `None` when the budget is spent.
    pub(crate) fn next_wait(&mut self, server_delay: Option<Duration>) -> Option<Duration> {
        if self.retries >= self.policy.max_retries {
            return None;
        }
        let mut wait = self.policy.backoff_for(self.retries);
        self.retries += 1;
        if let Some(delay) = server_delay {
            wait = wait.max(delay.min(self.policy.max_server_delay));
        }
        if wait >= self.policy.min_jitter_threshold && !self.policy.jitter.is_zero() {
            let unit = (uuid::Uuid::new_v4().as_u128() % 1_000_000) as f64 / 1_000_000.0;
            wait = wait.saturating_add(self.policy.jitter.mul_f64(unit));
        }
        Some(wait)
    }

    /// Retries spent so far.
    pub(crate) fn spent(&self) -> u32 {
        self.retries
    }
}

/// Whether a failed call may be tried again, and the delay the server asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Do not retry.
    Fatal,
    /// Retry, waiting at least this long when the server said so.
    Retry(Option<Duration>),
}

/// Classifies a failed call. `connected_once`: whether the client ever had an answer.
pub(crate) fn classify(status: &tonic::Status, connected_once: bool) -> Verdict {
    if let Some(info) = status.get_details_retry_info() {
        return Verdict::Retry(info.retry_delay);
    }
    if is_connect_failure(status) {
        return if connected_once {
            Verdict::Retry(None)
        } else {
            Verdict::Fatal
        };
    }
    match status.code() {
        tonic::Code::Unavailable => Verdict::Retry(None),
        tonic::Code::Internal if status.message().contains("INVALID_CURSOR.DISCONNECTED") => {
            Verdict::Retry(None)
        }
        _ if is_broken_connection(status) => Verdict::Retry(None),
        _ => Verdict::Fatal,
    }
}

/// A status made on this side because the connection could not be established.
pub(crate) fn is_connect_failure(status: &tonic::Status) -> bool {
    let mut source = std::error::Error::source(status);
    while let Some(s) = source {
        if s.is::<tonic::ConnectError>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// A status made on this side because the connection broke (reset, closed, protocol error),
/// rather than one the server sent: the server's statuses carry no source error.
pub(crate) fn is_broken_connection(status: &tonic::Status) -> bool {
    std::error::Error::source(status).is_some()
        && matches!(
            status.code(),
            tonic::Code::Unavailable
                | tonic::Code::Unknown
                | tonic::Code::Internal
                | tonic::Code::Cancelled
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic_types::ErrorDetails;

    #[test]
    fn default_is_pysparks() {
        let p = RetryPolicy::default();
        assert_eq!(p.retries(), 15);
        let waits: Vec<_> = (0..7).map(|i| p.backoff_for(i).as_millis()).collect();
        assert_eq!(waits, [50, 200, 800, 3200, 12800, 51200, 60000]);
        assert_eq!(p.backoff_for(100), Duration::from_secs(60));
    }

    #[test]
    fn budget_and_jitter() {
        let mut s = RetryPolicy::default().max_retries(4).start();
        let w: Vec<_> = std::iter::from_fn(|| s.next_wait(None)).collect();
        assert_eq!(w.len(), 4);
        assert_eq!(w[0], Duration::from_millis(50));
        assert_eq!(w[2], Duration::from_millis(800));
        // 3.2 s is past the 2 s threshold: between 3.2 and 3.7 s.
        assert!(w[3] >= Duration::from_millis(3200) && w[3] <= Duration::from_millis(3700));
        assert_eq!(s.spent(), 4);
        assert!(RetryPolicy::none().start().next_wait(None).is_none());
    }

    #[test]
    fn server_delay_is_a_minimum_with_a_cap() {
        let p = RetryPolicy::default()
            .jitter(Duration::ZERO, Duration::ZERO)
            .max_server_delay(Duration::from_secs(5));
        let mut s = p.start();
        assert_eq!(
            s.next_wait(Some(Duration::from_secs(1))),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            s.next_wait(Some(Duration::from_secs(99))),
            Some(Duration::from_secs(5))
        );
    }

    #[test]
    fn extreme_settings_do_not_panic() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::MAX)
            .multiplier(f64::NAN)
            .jitter(Duration::MAX, Duration::ZERO)
            .max_server_delay(Duration::MAX)
            .max_retries(u32::MAX);
        let mut s = p.start();
        for _ in 0..3 {
            assert!(s.next_wait(Some(Duration::MAX)).is_some());
        }
        assert_eq!(p.backoff_for(u32::MAX), Duration::MAX);
    }

    #[test]
    fn classification() {
        use tonic::{Code, Status};
        assert_eq!(
            classify(&Status::unavailable("down"), false),
            Verdict::Retry(None)
        );
        assert_eq!(
            classify(
                &Status::internal("[INVALID_CURSOR.DISCONNECTED] gone"),
                false
            ),
            Verdict::Retry(None)
        );
        assert_eq!(classify(&Status::internal("boom"), true), Verdict::Fatal);
        assert_eq!(
            classify(&Status::invalid_argument("bad"), true),
            Verdict::Fatal
        );
        let with_info = Status::with_error_details(
            Code::ResourceExhausted,
            "busy",
            ErrorDetails::with_retry_info(Some(Duration::from_secs(3))),
        );
        assert_eq!(
            classify(&with_info, false),
            Verdict::Retry(Some(Duration::from_secs(3)))
        );
        // A connection that broke on this side: Unknown with a source error.
        let broken = Status::from_error(Box::new(std::io::Error::other("reset")));
        assert_eq!(broken.code(), Code::Unknown);
        assert_eq!(classify(&broken, true), Verdict::Retry(None));
    }
}
