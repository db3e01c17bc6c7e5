//! Which failed calls are tried again, and how long to wait before each new attempt.
//!
//! A client has a default policy (PySpark's rules) and may have more, each for the failed calls
//! a rule of its own accepts (a facade's wait for a starting cluster, say). As in PySpark, the
//! policies are asked in order, the added ones before the default; the first that accepts a
//! failed call decides the wait and spends its own budget.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tonic_types::StatusExt;

use crate::error::ServerError;

/// Which failed calls a policy tries again.
#[derive(Clone)]
enum Accepts {
    /// PySpark's default rules (see [`RetryPolicy`]).
    Default,
    /// A caller's rule.
    When(Arc<dyn Fn(&ServerError) -> bool + Send + Sync>),
}

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
/// A policy made with [`retry_when`](Self::retry_when) retries the failures its rule accepts
/// instead, and is added to a client beside the default one
/// ([`ClientBuilder::add_retry_policy`](crate::ClientBuilder::add_retry_policy)).
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
#[derive(Clone)]
pub struct RetryPolicy {
    name: String,
    accepts: Accepts,
    max_retries: u32,
    initial_backoff: Duration,
    multiplier: f64,
    max_backoff: Duration,
    jitter: Duration,
    min_jitter_threshold: Duration,
    max_server_delay: Duration,
    max_elapsed: Option<Duration>,
    give_up_hint: Option<String>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            name: "default".to_string(),
            accepts: Accepts::Default,
            max_retries: 15,
            initial_backoff: Duration::from_millis(50),
            multiplier: 4.0,
            max_backoff: Duration::from_secs(60),
            jitter: Duration::from_millis(500),
            min_jitter_threshold: Duration::from_secs(2),
            max_server_delay: Duration::from_secs(600),
            max_elapsed: None,
            give_up_hint: None,
        }
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("name", &self.name)
            .field(
                "accepts",
                &match self.accepts {
                    Accepts::Default => "default rules",
                    Accepts::When(_) => "a custom rule",
                },
            )
            .field("max_retries", &self.max_retries)
            .field("initial_backoff", &self.initial_backoff)
            .field("multiplier", &self.multiplier)
            .field("max_backoff", &self.max_backoff)
            .field("jitter", &self.jitter)
            .field("min_jitter_threshold", &self.min_jitter_threshold)
            .field("max_server_delay", &self.max_server_delay)
            .field("max_elapsed", &self.max_elapsed)
            .field("give_up_hint", &self.give_up_hint)
            .finish()
    }
}

impl PartialEq for RetryPolicy {
    /// Equal settings, and the same rule (the default rules, or the same custom rule value).
    fn eq(&self, other: &Self) -> bool {
        let same_rule = match (&self.accepts, &other.accepts) {
            (Accepts::Default, Accepts::Default) => true,
            (Accepts::When(a), Accepts::When(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        same_rule
            && self.name == other.name
            && self.max_retries == other.max_retries
            && self.initial_backoff == other.initial_backoff
            && self.multiplier == other.multiplier
            && self.max_backoff == other.max_backoff
            && self.jitter == other.jitter
            && self.min_jitter_threshold == other.min_jitter_threshold
            && self.max_server_delay == other.max_server_delay
            && self.max_elapsed == other.max_elapsed
            && self.give_up_hint == other.give_up_hint
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

    /// The longest time a call is retried under this policy, counted from its first failure
    /// that the policy accepted (`None`, the default: bounded by the number of retries only).
    /// The last wait is shortened so that the last attempt starts at this limit.
    ///
    /// ```
    /// use std::time::Duration;
    /// use spark_connect_transport::RetryPolicy;
    ///
    /// let p = RetryPolicy::default().max_elapsed(Some(Duration::from_secs(600)));
    /// assert_eq!(p.elapsed_limit(), Some(Duration::from_secs(600)));
    /// ```
    pub fn max_elapsed(mut self, limit: Option<Duration>) -> Self {
        self.max_elapsed = limit;
        self
    }

    /// Names the policy (`default` unless named), for logs and [`RetryEvent`]s.
    ///
    /// ```
    /// use spark_connect_transport::RetryPolicy;
    /// assert_eq!(RetryPolicy::default().named("cluster-wait").name(), "cluster-wait");
    /// ```
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Makes this a policy for the failed calls `rule` accepts, instead of PySpark's default
    /// rules. Add it to a client with
    /// [`ClientBuilder::add_retry_policy`](crate::ClientBuilder::add_retry_policy).
    ///
    /// ```
    /// use std::time::Duration;
    /// use spark_connect_transport::{Code, RetryPolicy};
    ///
    /// // Waits while a server says it is warming up, for at most ten minutes.
    /// let warming_up = RetryPolicy::default()
    ///     .named("warm-up")
    ///     .retry_when(|e| e.code() == Code::FailedPrecondition && e.message().contains("warming up"))
    ///     .initial_backoff(Duration::from_secs(1))
    ///     .multiplier(2.0)
    ///     .max_elapsed(Some(Duration::from_secs(600)));
    /// assert_eq!(warming_up.name(), "warm-up");
    /// ```
    pub fn retry_when(
        mut self,
        rule: impl Fn(&ServerError) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.accepts = Accepts::When(Arc::new(rule));
        self
    }

    /// What the error says when this policy gives up, after the last failure and the
    /// number of retries: what it waited for and what to change.
    ///
    /// ```
    /// use spark_connect_transport::RetryPolicy;
    ///
    /// let p = RetryPolicy::default().give_up_hint("the server did not warm up within 10 minutes");
    /// assert_eq!(p.hint(), Some("the server did not warm up within 10 minutes"));
    /// ```
    pub fn give_up_hint(mut self, hint: impl Into<String>) -> Self {
        self.give_up_hint = Some(hint.into());
        self
    }

    /// Whether the policy has a rule of its own ([`retry_when`](Self::retry_when)).
    pub fn has_rule(&self) -> bool {
        matches!(self.accepts, Accepts::When(_))
    }

    /// The hint set by [`give_up_hint`](Self::give_up_hint).
    pub fn hint(&self) -> Option<&str> {
        self.give_up_hint.as_deref()
    }

    /// Whether this policy retries at all.
    pub fn is_enabled(&self) -> bool {
        self.max_retries > 0
    }

    /// The most retries.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The time limit set by [`max_elapsed`](Self::max_elapsed).
    pub fn elapsed_limit(&self) -> Option<Duration> {
        self.max_elapsed
    }

    /// The wait before retry number `retry + 1`, without jitter and server delay.
    pub fn backoff_for(&self, retry: u32) -> Duration {
        let factor = self.multiplier.powi(retry.min(64) as i32);
        let secs = self.initial_backoff.as_secs_f64() * factor;
        let capped = secs.min(self.max_backoff.as_secs_f64());
        Duration::try_from_secs_f64(capped).unwrap_or(self.max_backoff)
    }
}

/// One wait before a failed call is tried again, as given to
/// [`ClientBuilder::on_retry`](crate::ClientBuilder::on_retry).
///
/// ```
/// use spark_connect_transport::{ClientBuilder, ConnectionString};
///
/// let builder = ClientBuilder::new(ConnectionString::parse("sc://127.0.0.1:15002")?)
///     .on_retry(|event| {
///         eprintln!(
///             "{} failed ({}); retry {} under {} in {:?}",
///             event.rpc(), event.error().message(), event.retry(), event.policy(), event.wait()
///         )
///     });
/// # let _ = builder;
/// # Ok::<(), spark_connect_transport::Error>(())
/// ```
#[derive(Debug)]
pub struct RetryEvent<'a> {
    pub(crate) rpc: &'a str,
    pub(crate) policy: &'a str,
    pub(crate) error: &'a ServerError,
    pub(crate) retry: u32,
    pub(crate) wait: Duration,
    pub(crate) elapsed: Duration,
}

impl RetryEvent<'_> {
    /// The call that failed, e.g. `ExecutePlan`.
    pub fn rpc(&self) -> &str {
        self.rpc
    }

    /// The name of the policy that retries it.
    pub fn policy(&self) -> &str {
        self.policy
    }

    /// The failure.
    pub fn error(&self) -> &ServerError {
        self.error
    }

    /// The number of this retry under the policy, from 1.
    pub fn retry(&self) -> u32 {
        self.retry
    }

    /// How long the client waits before trying again.
    pub fn wait(&self) -> Duration {
        self.wait
    }

    /// How long the call has been retried under this policy.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

/// The policies of a client: the added ones in order, then the default one.
#[derive(Clone, Debug)]
pub(crate) struct RetryPolicies {
    /// Added policies first, the default last (shared: every call starts a state over them).
    policies: Arc<[RetryPolicy]>,
}

impl RetryPolicies {
    pub(crate) fn new(added: Vec<RetryPolicy>, default: RetryPolicy) -> RetryPolicies {
        let mut policies = added;
        policies.push(default);
        RetryPolicies {
            policies: policies.into(),
        }
    }

    /// The default policy.
    pub(crate) fn default_policy(&self) -> &RetryPolicy {
        self.policies
            .last()
            .expect("the default policy is always there")
    }

    /// The index of the default policy.
    pub(crate) fn default_index(&self) -> usize {
        self.policies.len() - 1
    }

    pub(crate) fn get(&self, index: usize) -> &RetryPolicy {
        &self.policies[index.min(self.policies.len() - 1)]
    }

    pub(crate) fn start(&self) -> RetryState {
        RetryState {
            policies: self.clone(),
            retries: vec![0; self.policies.len()],
            first_failure: vec![None; self.policies.len()],
            gave_up_under: None,
        }
    }

    /// Which policy retries a failed call, if any. `connected_once`: whether the client ever
    /// had an answer.
    pub(crate) fn classify(&self, status: &tonic::Status, connected_once: bool) -> Verdict {
        let delay = status.get_details_retry_info().map(|info| info.retry_delay);
        let added = &self.policies[..self.default_index()];
        if !added.is_empty() {
            let server = ServerError::from_status(status);
            for (policy, p) in added.iter().enumerate() {
                if let Accepts::When(rule) = &p.accepts
                    && rule(&server)
                {
                    return Verdict::Retry {
                        policy,
                        delay: delay.flatten(),
                    };
                }
            }
        }
        match default_rules(status, connected_once) {
            Some(rule_delay) => Verdict::Retry {
                policy: self.default_index(),
                delay: rule_delay,
            },
            None => Verdict::Fatal,
        }
    }
}

/// The retries spent on one call (or since a resumed stream last made progress), per policy.
#[derive(Debug)]
pub(crate) struct RetryState {
    policies: RetryPolicies,
    retries: Vec<u32>,
    first_failure: Vec<Option<Instant>>,
    /// The policy whose budget ran out last.
    gave_up_under: Option<usize>,
}

impl RetryState {
    /// The wait before the next attempt under `policy`, or `None` when its budget (retries or
    /// time) is spent.
    pub(crate) fn next_wait(
        &mut self,
        policy: usize,
        server_delay: Option<Duration>,
    ) -> Option<Duration> {
        let index = policy.min(self.retries.len() - 1);
        let p = self.policies.get(index);
        let first = *self.first_failure[index].get_or_insert_with(Instant::now);
        let elapsed = first.elapsed();
        if self.retries[index] >= p.max_retries
            || p.max_elapsed.is_some_and(|limit| elapsed >= limit)
        {
            self.gave_up_under = Some(index);
            return None;
        }
        let mut wait = p.backoff_for(self.retries[index]);
        self.retries[index] += 1;
        if let Some(delay) = server_delay {
            wait = wait.max(delay.min(p.max_server_delay));
        }
        if wait >= p.min_jitter_threshold && !p.jitter.is_zero() {
            let unit = (uuid::Uuid::new_v4().as_u128() % 1_000_000) as f64 / 1_000_000.0;
            wait = wait.saturating_add(p.jitter.mul_f64(unit));
        }
        if let Some(limit) = p.max_elapsed {
            wait = wait.min(limit.saturating_sub(elapsed));
        }
        Some(wait)
    }

    /// Retries spent so far, under all policies.
    pub(crate) fn spent(&self) -> u32 {
        self.retries.iter().sum()
    }

    /// Retries spent under `policy`.
    pub(crate) fn spent_under(&self, policy: usize) -> u32 {
        self.retries[policy.min(self.retries.len() - 1)]
    }

    /// How long the call has been retried under `policy`.
    pub(crate) fn elapsed_under(&self, policy: usize) -> Duration {
        self.first_failure[policy.min(self.first_failure.len() - 1)]
            .map(|t| t.elapsed())
            .unwrap_or_default()
    }

    /// Whether a policy's budget ran out (rather than a failure no policy retries).
    pub(crate) fn gave_up(&self) -> bool {
        self.gave_up_under.is_some()
    }

    /// The hint of the policy that gave up, if it has one.
    pub(crate) fn give_up_hint(&self) -> Option<&str> {
        self.gave_up_under
            .and_then(|i| self.policies.get(i).give_up_hint.as_deref())
    }

    /// The policies this state counts for.
    pub(crate) fn policies(&self) -> &RetryPolicies {
        &self.policies
    }
}

/// Whether a failed call may be tried again, and under which policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Do not retry.
    Fatal,
    /// Retry under policy number `policy`, waiting at least `delay` when the server said so.
    Retry {
        policy: usize,
        delay: Option<Duration>,
    },
}

/// PySpark's default rules: `Some(server delay)` when a failed call may be retried.
fn default_rules(status: &tonic::Status, connected_once: bool) -> Option<Option<Duration>> {
    if let Some(info) = status.get_details_retry_info() {
        return Some(info.retry_delay);
    }
    if is_connect_failure(status) {
        return connected_once.then_some(None);
    }
    match status.code() {
        tonic::Code::Unavailable => Some(None),
        tonic::Code::Internal if status.message().contains("INVALID_CURSOR.DISCONNECTED") => {
            Some(None)
        }
        _ if is_broken_connection(status) => Some(None),
        _ => None,
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

    fn classify(status: &tonic::Status, connected_once: bool) -> Verdict {
        RetryPolicies::new(vec![], RetryPolicy::default()).classify(status, connected_once)
    }

    fn start(policy: RetryPolicy) -> RetryState {
        RetryPolicies::new(vec![], policy).start()
    }

    const RETRY: Verdict = Verdict::Retry {
        policy: 0,
        delay: None,
    };

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
        let mut s = start(RetryPolicy::default().max_retries(4));
        let w: Vec<_> = std::iter::from_fn(|| s.next_wait(0, None)).collect();
        assert_eq!(w.len(), 4);
        assert_eq!(w[0], Duration::from_millis(50));
        assert_eq!(w[2], Duration::from_millis(800));
        // 3.2 s is past the 2 s threshold: between 3.2 and 3.7 s.
        assert!(w[3] >= Duration::from_millis(3200) && w[3] <= Duration::from_millis(3700));
        assert_eq!(s.spent(), 4);
        assert!(start(RetryPolicy::none()).next_wait(0, None).is_none());
    }

    #[test]
    fn server_delay_is_a_minimum_with_a_cap() {
        let p = RetryPolicy::default()
            .jitter(Duration::ZERO, Duration::ZERO)
            .max_server_delay(Duration::from_secs(5));
        let mut s = start(p.clone());
        assert_eq!(
            s.next_wait(0, Some(Duration::from_secs(1))),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            s.next_wait(0, Some(Duration::from_secs(99))),
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
        let mut s = start(p.clone());
        for _ in 0..3 {
            assert!(s.next_wait(0, Some(Duration::MAX)).is_some());
        }
        assert_eq!(p.backoff_for(u32::MAX), Duration::MAX);
    }

    #[test]
    fn classification() {
        use tonic::{Code, Status};
        assert_eq!(classify(&Status::unavailable("down"), false), RETRY);
        assert_eq!(
            classify(
                &Status::internal("[INVALID_CURSOR.DISCONNECTED] gone"),
                false
            ),
            RETRY
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
            Verdict::Retry {
                policy: 0,
                delay: Some(Duration::from_secs(3))
            }
        );
        // A connection that broke on this side: Unknown with a source error.
        let broken = Status::from_error(Box::new(std::io::Error::other("reset")));
        assert_eq!(broken.code(), Code::Unknown);
        assert_eq!(classify(&broken, true), RETRY);
    }

    #[test]
    fn added_policies_come_first_and_keep_their_own_budget() {
        use tonic::{Code, Status};
        let waiting = RetryPolicy::default()
            .named("warm-up")
            .retry_when(|e| e.message().contains("warming up"))
            .max_retries(2)
            .initial_backoff(Duration::from_secs(1))
            .multiplier(2.0)
            .jitter(Duration::ZERO, Duration::ZERO);
        let policies = RetryPolicies::new(vec![waiting], RetryPolicy::default().max_retries(1));
        let warming = Status::failed_precondition("the server is warming up");
        assert_eq!(
            policies.classify(&warming, false),
            Verdict::Retry {
                policy: 0,
                delay: None
            }
        );
        // Not accepted by the added rule: the default rules decide.
        assert_eq!(
            policies.classify(&Status::unavailable("down"), true),
            Verdict::Retry {
                policy: 1,
                delay: None
            }
        );
        assert_eq!(
            policies.classify(&Status::new(Code::FailedPrecondition, "other"), true),
            Verdict::Fatal
        );
        let mut state = policies.start();
        assert_eq!(state.next_wait(0, None), Some(Duration::from_secs(1)));
        assert_eq!(state.next_wait(1, None), Some(Duration::from_millis(50)));
        assert_eq!(state.next_wait(0, None), Some(Duration::from_secs(2)));
        assert_eq!(
            state.next_wait(0, None),
            None,
            "the added policy's budget is spent"
        );
        assert_eq!(
            state.next_wait(1, None),
            None,
            "the default's budget is spent"
        );
        assert_eq!(
            (state.spent_under(0), state.spent_under(1), state.spent()),
            (2, 1, 3)
        );
    }

    #[test]
    fn a_time_limit_ends_retries_and_shortens_the_last_wait() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::from_secs(30))
            .jitter(Duration::ZERO, Duration::ZERO)
            .max_elapsed(Some(Duration::from_millis(200)))
            .give_up_hint("it did not come up");
        let mut s = start(p);
        assert_eq!(s.give_up_hint(), None);
        let first = s.next_wait(0, None).unwrap();
        assert!(first <= Duration::from_millis(200), "{first:?}");
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(s.next_wait(0, None), None);
        assert_eq!(s.give_up_hint(), Some("it did not come up"));
        let never = RetryPolicy::default().max_elapsed(Some(Duration::ZERO));
        assert_eq!(start(never).next_wait(0, None), None);
    }

    #[test]
    fn debug_and_equality_name_the_rule() {
        let custom = RetryPolicy::default().retry_when(|_| true);
        assert!(format!("{custom:?}").contains("a custom rule"));
        assert_eq!(custom, custom.clone());
        assert_ne!(custom, RetryPolicy::default().retry_when(|_| true));
        assert_eq!(RetryPolicy::default(), RetryPolicy::default());
    }
}
