//! The JSON that `az account get-access-token` prints.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(token) = databricks_auth::fuzzing::parse_az_output(data) {
        let _ = format!("{token:?}");
    }
});
