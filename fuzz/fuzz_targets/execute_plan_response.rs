//! `ExecutePlanResponse` streams: the input is one or more length-delimited protobuf messages,
//! decoded as far as they go and fed through the real result decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prost::Message;
use spark_connect_dataframe::proto::ExecutePlanResponse;

fuzz_target!(
    // The decoder catches panics of arrow-ipc on malformed payloads and turns them into errors;
    // libfuzzer-sys's hook would abort before that. Any panic that is not caught still aborts.
    init: {
        let _ = std::panic::take_hook();
    },
    |data: &[u8]| {
    let mut buf = data;
    let mut responses = Vec::new();
    while !buf.is_empty() {
        match ExecutePlanResponse::decode_length_delimited(&mut buf) {
            Ok(r) => responses.push(r),
            Err(_) => break,
        }
    }
    if let Err(e) = spark_connect_dataframe::fuzzing::decode_execute_plan_responses(responses) {
        let _ = (e.to_string(), format!("{e:?}"));
    }
    }
);
