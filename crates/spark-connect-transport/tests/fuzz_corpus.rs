//! Replays the seed corpus of the `connection_string` fuzz target (`fuzz/`) through the same
//! calls: every input parses into a value or an error, never a panic.

use spark_connect_transport::ConnectionString;

#[test]
fn connection_string_corpus_parses_without_panic() {
    let mut parsed = 0;
    for (path, data) in test_support::fuzz_corpus("connection_string") {
        let Ok(text) = std::str::from_utf8(&data) else {
            continue;
        };
        let outcome =
            std::panic::catch_unwind(|| match ConnectionString::parse_without_env(text) {
                Ok(cs) => {
                    let _ = (
                        cs.endpoint_uri(),
                        cs.use_tls(),
                        cs.is_loopback(),
                        format!("{cs:?}"),
                    );
                    let _ = (cs.session_id(), cs.grpc_max_message_size(), cs.keepalive());
                    true
                }
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    false
                }
            });
        match outcome {
            Ok(ok) => parsed += usize::from(ok),
            Err(_) => panic!("{} panicked", path.display()),
        }
    }
    assert!(parsed > 0, "no corpus input parsed");
}
