//! OAuth token endpoint answers. The first two bytes pick the HTTP status (mostly 200), the
//! rest is the body.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data {
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]) % 600, rest),
        _ => (200, data),
    };
    let status = if status < 100 { 200 } else { status };
    if let Err(e) = databricks_auth::fuzzing::parse_token_response(status, body) {
        let _ = (e.to_string(), format!("{e:?}"));
    }
});
