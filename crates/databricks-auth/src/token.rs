//! OAuth tokens and a cache that refreshes them early, in the background, once per expiry.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::error::AuthError;
use crate::headers::{AuthHeaders, BoxFuture, HeaderSource};

/// A token counts as expired this long before its real expiry, so that a request never
/// reaches the server with a token that expires on the way.
pub const EXPIRY_MARGIN: Duration = Duration::from_secs(40);

/// The longest a token is used before a background refresh starts: a token becomes stale at
/// `min(TTL / 2, 20 min)` before its expiry.
pub const MAX_STALE_WINDOW: Duration = Duration::from_secs(20 * 60);

const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// An access token.
///
/// `Debug` never shows the token or the refresh token.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    /// The access token.
    pub access_token: String,
    /// The token type, `Bearer` unless the server says otherwise.
    pub token_type: String,
    /// When it expires; `None` for tokens that do not expire.
    pub expires_at: Option<Instant>,
    /// A refresh token, when the server gave one.
    pub refresh_token: Option<String>,
}

impl Token {
    /// A bearer token valid for `ttl` from now (forever when `None`).
    pub fn bearer(access_token: impl Into<String>, ttl: Option<Duration>) -> Token {
        Token {
            access_token: access_token.into(),
            token_type: "Bearer".into(),
            expires_at: ttl.map(|d| {
                let now = Instant::now();
                now.checked_add(d.min(crate::http::MAX_TTL)).unwrap_or(now)
            }),
            refresh_token: None,
        }
    }

    /// The `Authorization` header value, e.g. `Bearer eyJ…`.
    pub fn authorization(&self) -> String {
        let kind = if self.token_type.is_empty() {
            "Bearer"
        } else {
            &self.token_type
        };
        format!("{kind} {}", self.access_token)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &"***")
            .field("token_type", &self.token_type)
            .field(
                "expires_in",
                &self
                    .expires_at
                    .map(|e| e.saturating_duration_since(Instant::now())),
            )
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Something that can fetch a new token (a token endpoint, a CLI, a metadata service).
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// Fetches a new token.
    fn token(&self) -> BoxFuture<'_, Result<Token, AuthError>>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Freshness {
    Fresh,
    Stale,
    Expired,
}

struct Cached {
    token: Token,
    /// Set when the token has an expiry: when it turns stale and when it counts as expired,
    /// on the monotonic clock and on the wall clock. The monotonic clock stops while the
    /// machine sleeps; the wall clock does not, so after a laptop wakes up an hour later the
    /// token is not taken for fresh.
    stale_at: Option<(Instant, SystemTime)>,
    expired_at: Option<(Instant, SystemTime)>,
    /// The real expiry, past which the token must not be sent at all.
    real_expiry: Option<(Instant, SystemTime)>,
}

impl Cached {
    fn new(token: Token) -> Cached {
        let now = Instant::now();
        let now_wall = SystemTime::now();
        let both = |at: Instant| {
            let ahead = at.saturating_duration_since(now);
            (at, now_wall.checked_add(ahead).unwrap_or(now_wall))
        };
        let (stale_at, expired_at, real_expiry) = match token.expires_at {
            None => (None, None, None),
            Some(expires) => {
                let ttl = expires.saturating_duration_since(now);
                let window = (ttl / 2).min(MAX_STALE_WINDOW);
                (
                    Some(both(expires.checked_sub(window).unwrap_or(now))),
                    Some(both(expires.checked_sub(EXPIRY_MARGIN).unwrap_or(now))),
                    Some(both(expires)),
                )
            }
        };
        Cached {
            token,
            stale_at,
            expired_at,
            real_expiry,
        }
    }

    fn freshness(&self, now: Instant) -> Freshness {
        let passed = |at: Option<(Instant, SystemTime)>| {
            at.is_some_and(|(mono, wall)| now >= mono || SystemTime::now() >= wall)
        };
        if passed(self.expired_at) {
            Freshness::Expired
        } else if passed(self.stale_at) {
            Freshness::Stale
        } else {
            Freshness::Fresh
        }
    }

    /// Whether the token may still be sent: before its real expiry (not the early one).
    fn still_valid(&self, now: Instant) -> bool {
        match self.real_expiry {
            None => true,
            Some((mono, wall)) => now < mono && SystemTime::now() < wall,
        }
    }
}

#[derive(Default)]
struct State {
    cached: Option<Cached>,
    /// Counts finished foreground refreshes, so that callers that waited for one take its
    /// outcome instead of each fetching again.
    generation: u64,
    /// The error of the last foreground refresh, with its generation.
    last_error: Option<(u64, AuthError)>,
    background_running: bool,
    next_background_attempt: Option<Instant>,
    backoff: Option<Duration>,
}

struct Inner {
    source: Arc<dyn TokenSource>,
    state: Mutex<State>,
    /// Held while a refresh runs, so that concurrent callers share one refresh.
    refreshing: tokio::sync::Mutex<()>,
}

/// Caches a [`TokenSource`]'s token.
///
/// - Fresh token: returned at once.
/// - Stale (`min(TTL/2, 20 min)` before expiry): returned at once while one background task
///   fetches a new one. A failed background refresh is logged and retried after a back-off
///   (1 s doubling to 60 s); requests keep the old token while it is valid.
/// - Expired (40 s before the real expiry) or none yet: the caller waits for a refresh;
///   concurrent callers share that one refresh and its result.
///
/// Clones share the cache.
#[derive(Clone)]
pub struct CachedTokenSource {
    inner: Arc<Inner>,
}

impl fmt::Debug for CachedTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedTokenSource")
            .field("source", &self.inner.source)
            .finish_non_exhaustive()
    }
}

impl CachedTokenSource {
    /// A cache in front of `source`, optionally seeded with a token already fetched.
    pub fn new(source: Arc<dyn TokenSource>, initial: Option<Token>) -> Self {
        CachedTokenSource {
            inner: Arc::new(Inner {
                source,
                state: Mutex::new(State {
                    cached: initial.map(Cached::new),
                    ..State::default()
                }),
                refreshing: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// A valid token, refreshing as described on the type.
    pub async fn token(&self) -> Result<Token, AuthError> {
        let now = Instant::now();
        let generation_before;
        {
            let mut state = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
            generation_before = state.generation;
            let mut start_background = false;
            if let Some(cached) = &state.cached {
                match cached.freshness(now) {
                    Freshness::Fresh => return Ok(cached.token.clone()),
                    Freshness::Stale => {
                        let token = cached.token.clone();
                        if !state.background_running
                            && state.next_background_attempt.is_none_or(|t| now >= t)
                        {
                            state.background_running = true;
                            start_background = true;
                        }
                        drop(state);
                        if start_background {
                            let inner = self.inner.clone();
                            tokio::spawn(async move { background_refresh(inner).await });
                        }
                        return Ok(token);
                    }
                    Freshness::Expired => {}
                }
            }
        }
        let _refreshing = self.inner.refreshing.lock().await;
        {
            let state = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            if let Some(cached) = &state.cached
                && cached.freshness(now) != Freshness::Expired
            {
                // Someone else refreshed while this caller waited.
                return Ok(cached.token.clone());
            }
            if state.generation != generation_before {
                // A refresh finished while this caller waited: share its outcome rather than
                // queueing one more fetch behind it (a down token endpoint would otherwise be
                // asked once per waiting request, one after another).
                if let Some(cached) = &state.cached
                    && cached.still_valid(now)
                {
                    return Ok(cached.token.clone());
                }
                if let Some((generation, error)) = &state.last_error
                    && *generation == state.generation
                {
                    return Err(error.clone());
                }
            }
        }
        let result = self.inner.source.token().await;
        let mut state = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
        state.generation += 1;
        match result {
            Ok(token) => {
                state.cached = Some(Cached::new(token.clone()));
                state.backoff = None;
                state.next_background_attempt = None;
                state.last_error = None;
                Ok(token)
            }
            Err(e) => {
                state.last_error = Some((state.generation, e.clone()));
                // Inside the early-expiry margin the old token still works: keep using it.
                if let Some(cached) = &state.cached
                    && cached.still_valid(Instant::now())
                {
                    tracing::warn!(error = %e, "token refresh failed; the current token stays in use until it expires");
                    return Ok(cached.token.clone());
                }
                Err(e)
            }
        }
    }
}

async fn background_refresh(inner: Arc<Inner>) {
    let _refreshing = inner.refreshing.lock().await;
    let still_needed = {
        let state = inner.state.lock().unwrap_or_else(|e| e.into_inner());
        state
            .cached
            .as_ref()
            .is_none_or(|c| c.freshness(Instant::now()) != Freshness::Fresh)
    };
    let result = if still_needed {
        Some(inner.source.token().await)
    } else {
        None
    };
    let mut state = inner.state.lock().unwrap_or_else(|e| e.into_inner());
    state.background_running = false;
    match result {
        None => {}
        Some(Ok(token)) => {
            state.cached = Some(Cached::new(token));
            state.backoff = None;
            state.next_background_attempt = None;
        }
        Some(Err(e)) => {
            let backoff = state
                .backoff
                .map_or(FIRST_BACKOFF, |b| (b * 2).min(MAX_BACKOFF));
            state.backoff = Some(backoff);
            state.next_background_attempt = Instant::now().checked_add(backoff);
            tracing::warn!(error = %e, retry_in = ?backoff, "background token refresh failed; the current token stays in use while it is valid");
        }
    }
}

impl TokenSource for CachedTokenSource {
    fn token(&self) -> BoxFuture<'_, Result<Token, AuthError>> {
        Box::pin(CachedTokenSource::token(self))
    }
}

/// A header source that sends `Authorization: <type> <token>` from a cached token source.
#[derive(Clone, Debug)]
pub struct TokenHeaderSource {
    tokens: CachedTokenSource,
    extra: AuthHeaders,
}

impl TokenHeaderSource {
    /// Headers from `tokens`.
    pub fn new(tokens: CachedTokenSource) -> Self {
        TokenHeaderSource {
            tokens,
            extra: AuthHeaders::new(),
        }
    }

    /// The underlying token cache.
    pub fn tokens(&self) -> &CachedTokenSource {
        &self.tokens
    }
}

impl HeaderSource for TokenHeaderSource {
    fn headers(&self) -> BoxFuture<'_, Result<AuthHeaders, AuthError>> {
        Box::pin(async move {
            let token = self.tokens.token().await.map_err(|e| {
                let Some(provider) = e.provider_name().map(str::to_owned) else {
                    return e;
                };
                e.map_message(|m| format!("{provider}: {m}"))
            })?;
            let mut headers = AuthHeaders::new().with("Authorization", token.authorization());
            for (n, v) in self.extra.iter() {
                headers = headers.with(n, v);
            }
            Ok(headers)
        })
    }
}
