//! The Databricks CLI's token cache, `~/.databricks/token-cache.json`, shared with the CLI and
//! the Go SDK so that one login serves every tool:
//!
//! ```json
//! {
//!   "version": 1,
//!   "tokens": {
//!     "https://dbc-123.cloud.databricks.com": {
//!       "access_token": "…",
//!       "token_type": "Bearer",
//!       "refresh_token": "…",
//!       "expiry": "2024-03-20T10:30:00.123456789Z"
//!     }
//!   }
//! }
//! ```
//!
//! Keys are the workspace host, or `{host}/oidc/accounts/{account_id}` for account consoles.
//! Entries and fields this crate does not know are kept as they are when it writes.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::error::{AuthError, AuthErrorKind};
use crate::time::{format_rfc3339, instant_of, parse_datetime, system_time_of};
use crate::token::Token;

const VERSION: u64 = 1;

/// Serialises writers in this process: they share the temporary file name and each rewrites
/// the whole file from what it read.
static WRITE_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The token cache file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CliTokenCache {
    path: PathBuf,
    provider: &'static str,
}

impl CliTokenCache {
    pub fn new(path: PathBuf, provider: &'static str) -> Self {
        CliTokenCache { path, provider }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, what: impl std::fmt::Display) -> AuthError {
        AuthError::provider(
            self.provider,
            AuthErrorKind::Local,
            format!("token cache {}: {what}", self.path.display()),
        )
    }

    /// The file's JSON, or an empty cache when there is no file.
    fn load(&self) -> Result<Map<String, Value>, AuthError> {
        let text = match std::fs::read(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Map::from_iter([
                    ("version".to_owned(), json!(VERSION)),
                    ("tokens".to_owned(), json!({})),
                ]));
            }
            Err(e) => return Err(self.error(format!("cannot read: {e}")).with_source(e)),
        };
        const EXPECTED: &str = "expected a JSON object with \"version\": 1 and a \"tokens\" object";
        let Ok(Value::Object(file)) = serde_json::from_slice::<Value>(&text) else {
            return Err(self.error(format!("not JSON: {EXPECTED}")));
        };
        match file.get("version").and_then(Value::as_u64) {
            Some(VERSION) => {}
            Some(v) => {
                return Err(self.error(format!("needs version {VERSION}, got version {v}")));
            }
            None => return Err(self.error(format!("no \"version\": {EXPECTED}"))),
        }
        if !matches!(file.get("tokens"), None | Some(Value::Object(_))) {
            return Err(self.error(format!("\"tokens\" is not an object: {EXPECTED}")));
        }
        Ok(file)
    }

    /// The cached token for `key`, if any. A token without a usable expiry counts as expired,
    /// so that it is refreshed rather than trusted.
    pub fn lookup(&self, key: &str) -> Result<Option<Token>, AuthError> {
        let file = self.load()?;
        let Some(entry) = file.get("tokens").and_then(|t| t.get(key)) else {
            return Ok(None);
        };
        let mut token = crate::http::parse_token_json(entry)
            .map_err(|what| self.error(format!("entry {key}: {what}")))?;
        let expiry = entry
            .get("expiry")
            .and_then(Value::as_str)
            .and_then(parse_datetime)
            .unwrap_or(std::time::UNIX_EPOCH);
        token.expires_at = Some(instant_of(expiry));
        Ok(Some(token))
    }

    /// Stores `token` under `key`: written to a temporary file in the same folder, owner-only,
    /// then renamed over the cache, so that a reader never sees half a file.
    pub fn store(&self, key: &str, token: &Token) -> Result<(), AuthError> {
        let _writing = WRITE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let mut file = self.load()?;
        let mut entry = Map::new();
        entry.insert("access_token".into(), json!(token.access_token));
        entry.insert("token_type".into(), json!(token.token_type));
        if let Some(refresh) = &token.refresh_token {
            entry.insert("refresh_token".into(), json!(refresh));
        }
        if let Some(at) = token.expires_at {
            entry.insert("expiry".into(), json!(format_rfc3339(system_time_of(at))));
        }
        let tokens = file
            .entry("tokens")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(tokens) = tokens {
            tokens.insert(key.to_owned(), Value::Object(entry));
        }
        let text = serde_json::to_vec_pretty(&Value::Object(file))
            .map_err(|e| self.error(format!("cannot encode: {e}")).with_source(e))?;
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        create_private_dir(dir).map_err(|e| {
            self.error(format!("cannot create folder {}: {e}", dir.display()))
                .with_source(e)
        })?;
        let tmp = dir.join(format!(
            ".{}.{}.tmp",
            self.path
                .file_name()
                .map_or("token-cache.json".into(), |n| n.to_string_lossy()),
            std::process::id()
        ));
        let written = write_private(&tmp, &text).and_then(|()| std::fs::rename(&tmp, &self.path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(self.error(format!("cannot write: {e}")).with_source(e));
        }
        Ok(())
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    #[cfg(unix)]
    {
        // A leftover temporary file may have been created with other permissions.
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(data)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn temp(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("dbauth-cache-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn store_lookup_and_keep_other_entries() {
        let dir = temp("rt");
        let path = dir.join(".databricks").join("token-cache.json");
        let cache = CliTokenCache::new(path.clone(), "external-browser");
        assert_eq!(cache.lookup("https://h").unwrap(), None);
        let mut t = Token::bearer("a1", Some(Duration::from_secs(3600)));
        t.refresh_token = Some("r1".into());
        cache.store("https://h", &t).unwrap();
        std::fs::write(
            &path,
            std::fs::read_to_string(&path)
                .unwrap()
                .replace("\"tokens\": {", "\"other\": 7, \"tokens\": {\"https://k\": {\"access_token\": \"x\", \"new_field\": 1},"),
        )
        .unwrap();
        cache.store("https://h", &t).unwrap();
        let json: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(json["version"], 1);
        assert_eq!(json["other"], 7);
        assert_eq!(json["tokens"]["https://k"]["new_field"], 1);
        let e = &json["tokens"]["https://h"];
        assert_eq!(e["access_token"], "a1");
        assert_eq!(e["token_type"], "Bearer");
        assert_eq!(e["refresh_token"], "r1");
        assert!(parse_datetime(e["expiry"].as_str().unwrap()).is_some());
        let back = cache.lookup("https://h").unwrap().unwrap();
        assert_eq!(back.refresh_token.as_deref(), Some("r1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn malformed_files_are_errors_that_name_the_file() {
        let dir = temp("bad");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("token-cache.json");
        let cache = CliTokenCache::new(path.clone(), "external-browser");
        for (text, want) in [
            ("not json sekret", "not JSON: expected"),
            ("[]", "not JSON: expected"),
            ("{\"tokens\": {}}", "no \"version\""),
            (
                "{\"version\": 2, \"tokens\": {}}",
                "needs version 1, got version 2",
            ),
            (
                "{\"version\": 1, \"tokens\": []}",
                "\"tokens\" is not an object",
            ),
            (
                "{\"version\": 1, \"tokens\": {\"k\": {\"refresh_token\": \"sekret\"}}}",
                "entry k: expected a non-empty \"access_token\" string",
            ),
        ] {
            std::fs::write(&path, text).unwrap();
            let e = cache.lookup("k").unwrap_err().to_string();
            assert!(
                e.contains(&path.display().to_string()) && e.contains(want),
                "{e}"
            );
            assert!(!e.contains("sekret"), "{e}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
