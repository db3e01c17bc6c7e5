//! Replays the seed corpus of the `databrickscfg` fuzz target (`fuzz/`) through the same entry
//! point: every file parses and resolves into values or errors, never a panic.

#[test]
fn databrickscfg_corpus_parses_without_panic() {
    for (path, data) in test_support::fuzz_corpus("databrickscfg") {
        let Ok(text) = std::str::from_utf8(&data) else {
            continue;
        };
        let outcome =
            std::panic::catch_unwind(|| databricks_config::fuzzing::parse_databrickscfg(text));
        assert!(outcome.is_ok(), "{} panicked", path.display());
    }
}
