//! `sc://` connection strings: any text is parsed into a value or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spark_connect_transport::ConnectionString;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match ConnectionString::parse_without_env(text) {
        Ok(cs) => {
            let _ = (
                cs.endpoint_uri(),
                cs.use_tls(),
                cs.is_loopback(),
                format!("{cs:?}"),
            );
            let _ = (cs.session_id(), cs.grpc_max_message_size(), cs.keepalive());
        }
        Err(e) => {
            let _ = (e.to_string(), format!("{e:?}"));
        }
    }
});
