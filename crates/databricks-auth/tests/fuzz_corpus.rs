//! Replays the seed corpora of the `token_response` and `az_json` fuzz targets (`fuzz/`)
//! through the same entry points: every input gives a token or an error, never a panic, and an
//! error never repeats the body (which may hold a token).

use databricks_auth::fuzzing::{parse_az_output, parse_token_response};

/// The same split as the fuzz target: two bytes of HTTP status, then the body.
fn status_and_body(data: &[u8]) -> (u16, &[u8]) {
    let (status, body) = match data {
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]) % 600, rest),
        _ => (200, data),
    };
    (if status < 100 { 200 } else { status }, body)
}

#[test]
fn token_response_corpus_parses_without_panic() {
    let mut parsed = 0;
    for (path, data) in test_support::fuzz_corpus("token_response") {
        let (status, body) = status_and_body(&data);
        match std::panic::catch_unwind(|| parse_token_response(status, body)) {
            Ok(Ok(_)) => parsed += 1,
            Ok(Err(e)) => {
                let text = format!("{e} {e:?}");
                assert!(!text.contains("SECRET"), "{}: {text}", path.display());
            }
            Err(_) => panic!("{} panicked", path.display()),
        }
    }
    assert!(parsed > 0, "no corpus input parsed");
}

#[test]
fn az_json_corpus_parses_without_panic() {
    let mut parsed = 0;
    for (path, data) in test_support::fuzz_corpus("az_json") {
        match std::panic::catch_unwind(|| parse_az_output(&data)) {
            Ok(Ok(token)) => {
                assert!(
                    !format!("{token:?}").contains("SECRET"),
                    "{}",
                    path.display()
                );
                parsed += 1;
            }
            Ok(Err(e)) => assert!(!e.to_string().contains("SECRET"), "{}: {e}", path.display()),
            Err(_) => panic!("{} panicked", path.display()),
        }
    }
    assert!(parsed > 0, "no corpus input parsed");
}
