//! Replays the seed corpus of the `databrickscfg` fuzz target (`fuzz/`) through the same entry
//! point: every file parses and resolves into values or errors, never a panic.

use std::path::PathBuf;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("corpus entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("corpus file");
            (path, bytes)
        })
        .collect()
}

#[test]
fn databrickscfg_corpus_parses_without_panic() {
    for (path, data) in corpus("databrickscfg") {
        let Ok(text) = std::str::from_utf8(&data) else {
            continue;
        };
        let outcome =
            std::panic::catch_unwind(|| databricks_config::fuzzing::parse_databrickscfg(text));
        assert!(outcome.is_ok(), "{} panicked", path.display());
    }
}
