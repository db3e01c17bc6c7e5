//! CachedTokenSource timing, with tokio's paused clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use databricks_auth::{AuthError, BoxFuture, CachedTokenSource, Token, TokenSource};

#[derive(Debug)]
struct Counting {
    calls: AtomicUsize,
    ttl: Duration,
    delay: Duration,
    fail: AtomicBool,
}

impl Counting {
    fn new(ttl: Duration, delay: Duration) -> Arc<Counting> {
        Arc::new(Counting {
            calls: AtomicUsize::new(0),
            ttl,
            delay,
            fail: AtomicBool::new(false),
        })
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl TokenSource for Counting {
    fn token(&self) -> BoxFuture<'_, Result<Token, AuthError>> {
        Box::pin(async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(self.delay).await;
            if self.fail.load(Ordering::SeqCst) {
                return Err(AuthError::provider(
                    "test",
                    databricks_auth::AuthErrorKind::Unreachable,
                    "token endpoint down",
                ));
            }
            Ok(Token::bearer(format!("t{n}"), Some(self.ttl)))
        })
    }
}

async fn settle() {
    // Let spawned background refreshes run to completion.
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn fresh_stale_expired() {
    // TTL 1 h: stale 20 min before expiry (min(30 min, 20 min)), expired 40 s before.
    let source = Counting::new(Duration::from_secs(3600), Duration::ZERO);
    let cache = CachedTokenSource::new(source.clone(), None);
    assert_eq!(cache.token().await.unwrap().access_token, "t1");
    assert_eq!(source.calls(), 1);

    tokio::time::advance(Duration::from_secs(39 * 60)).await;
    assert_eq!(cache.token().await.unwrap().access_token, "t1", "fresh");
    assert_eq!(source.calls(), 1);

    tokio::time::advance(Duration::from_secs(2 * 60)).await; // 41 min: stale
    assert_eq!(
        cache.token().await.unwrap().access_token,
        "t1",
        "stale: old token at once"
    );
    settle().await;
    assert_eq!(source.calls(), 2, "one background refresh");
    assert_eq!(cache.token().await.unwrap().access_token, "t2");

    tokio::time::advance(Duration::from_secs(3600 - 39)).await; // past t2's expiry margin
    assert_eq!(
        cache.token().await.unwrap().access_token,
        "t3",
        "expired: blocking refresh"
    );
    assert_eq!(source.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn short_ttl_is_stale_at_half() {
    let source = Counting::new(Duration::from_secs(600), Duration::ZERO);
    let cache = CachedTokenSource::new(source.clone(), None);
    cache.token().await.unwrap();
    tokio::time::advance(Duration::from_secs(299)).await;
    cache.token().await.unwrap();
    settle().await;
    assert_eq!(source.calls(), 1, "still fresh before TTL/2");
    tokio::time::advance(Duration::from_secs(2)).await;
    cache.token().await.unwrap();
    settle().await;
    assert_eq!(source.calls(), 2, "stale after TTL/2");
}

#[tokio::test(start_paused = true)]
async fn concurrent_callers_share_one_refresh() {
    let source = Counting::new(Duration::from_secs(3600), Duration::from_millis(100));
    let cache = CachedTokenSource::new(source.clone(), None);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let c = cache.clone();
            tokio::spawn(async move { c.token().await.unwrap().access_token })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), "t1");
    }
    assert_eq!(source.calls(), 1);

    // Expired: again one refresh for all.
    tokio::time::advance(Duration::from_secs(3600)).await;
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let c = cache.clone();
            tokio::spawn(async move { c.token().await.unwrap().access_token })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), "t2");
    }
    assert_eq!(source.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn failed_background_refresh_backs_off_and_keeps_the_token() {
    let source = Counting::new(Duration::from_secs(3600), Duration::ZERO);
    let cache = CachedTokenSource::new(source.clone(), None);
    cache.token().await.unwrap();
    source.fail.store(true, Ordering::SeqCst);
    tokio::time::advance(Duration::from_secs(41 * 60)).await; // stale
    for _ in 0..5 {
        assert_eq!(cache.token().await.unwrap().access_token, "t1");
        settle().await;
    }
    assert_eq!(source.calls(), 2, "one failed attempt, then back-off");
    tokio::time::advance(Duration::from_secs(2)).await; // past the first 1 s back-off
    assert_eq!(cache.token().await.unwrap().access_token, "t1");
    settle().await;
    assert_eq!(source.calls(), 3);
    // Expired with the endpoint still down: the caller gets the error.
    tokio::time::advance(Duration::from_secs(3600)).await;
    let err = cache.token().await.unwrap_err();
    assert_eq!(err.to_string(), "token endpoint down");
    // Endpoint back: next call recovers.
    source.fail.store(false, Ordering::SeqCst);
    assert!(cache.token().await.unwrap().access_token.starts_with('t'));
}

#[tokio::test(start_paused = true)]
async fn tokens_without_expiry_are_kept() {
    #[derive(Debug)]
    struct Forever(AtomicUsize);
    impl TokenSource for Forever {
        fn token(&self) -> BoxFuture<'_, Result<Token, AuthError>> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { Ok(Token::bearer("f", None)) })
        }
    }
    let source = Arc::new(Forever(AtomicUsize::new(0)));
    let cache = CachedTokenSource::new(source.clone(), None);
    cache.token().await.unwrap();
    tokio::time::advance(Duration::from_secs(365 * 86400)).await;
    cache.token().await.unwrap();
    assert_eq!(source.0.load(Ordering::SeqCst), 1);
    assert!(!format!("{:?}", Token::bearer("secret-tok", None)).contains("secret-tok"));
}

#[tokio::test(start_paused = true)]
async fn a_down_token_endpoint_is_asked_once_per_wave_not_once_per_waiting_request() {
    let source = Counting::new(Duration::from_secs(3600), Duration::from_secs(2));
    source.fail.store(true, Ordering::SeqCst);
    let cache = CachedTokenSource::new(source.clone(), None);
    let waiters: Vec<_> = (0..16)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.token().await })
        })
        .collect();
    for waiter in waiters {
        let e = waiter.await.unwrap().unwrap_err();
        assert!(e.to_string().contains("token endpoint down"), "{e}");
    }
    assert_eq!(
        source.calls(),
        1,
        "the waiters shared the one failed refresh"
    );

    // The next request, after that wave, asks again; once the endpoint is back, it recovers.
    source.fail.store(false, Ordering::SeqCst);
    assert_eq!(cache.token().await.unwrap().access_token, "t2");
}

#[tokio::test(start_paused = true)]
async fn inside_the_early_expiry_margin_a_failed_refresh_keeps_the_valid_token() {
    let source = Counting::new(Duration::from_secs(3600), Duration::ZERO);
    let cache = CachedTokenSource::new(source.clone(), None);
    assert_eq!(cache.token().await.unwrap().access_token, "t1");
    // 30 s before the real expiry: counted as expired (40 s margin), but still valid.
    tokio::time::advance(Duration::from_secs(3600 - 30)).await;
    source.fail.store(true, Ordering::SeqCst);
    assert_eq!(cache.token().await.unwrap().access_token, "t1");
    // Past the real expiry, the failure is reported.
    tokio::time::advance(Duration::from_secs(31)).await;
    assert!(cache.token().await.is_err());
}

#[test]
fn absurd_lifetimes_do_not_panic() {
    let token = Token::bearer("t", Some(Duration::MAX));
    assert!(token.expires_at.is_some());
}
