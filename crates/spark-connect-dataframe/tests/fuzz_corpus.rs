//! Replays the seed corpus of the `execute_plan_response` fuzz target (`fuzz/`) through the same
//! entry point: every input decodes into batches or an error, never a panic.

use prost::Message;
use spark_connect_dataframe::fuzzing::decode_execute_plan_responses;
use spark_connect_dataframe::proto::ExecutePlanResponse;

/// The same framing as the fuzz target: length-delimited messages, as far as they decode.
fn responses(mut data: &[u8]) -> Vec<ExecutePlanResponse> {
    let mut out = Vec::new();
    while !data.is_empty() {
        match ExecutePlanResponse::decode_length_delimited(&mut data) {
            Ok(r) => out.push(r),
            Err(_) => break,
        }
    }
    out
}

#[test]
fn execute_plan_response_corpus_decodes_without_panic() {
    let mut decoded = 0;
    for (path, data) in test_support::fuzz_corpus("execute_plan_response") {
        let result = std::panic::catch_unwind(|| decode_execute_plan_responses(responses(&data)));
        match result {
            Ok(Ok(_)) => decoded += 1,
            Ok(Err(e)) => assert!(!e.to_string().is_empty(), "{}", path.display()),
            Err(_) => panic!("{} panicked", path.display()),
        }
    }
    // The corpus holds valid results too, so the happy path is replayed as well.
    assert!(decoded > 0, "no corpus input decoded");
}
