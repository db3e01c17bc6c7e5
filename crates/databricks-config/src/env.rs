//! Where environment variables come from: the process, or a map (for tests and embedding).

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// The environment that configuration is read from.
///
/// [`Environment::process`] reads the real process environment; [`Environment::from_map`] reads
/// a fixed map, which keeps tests hermetic. The home directory (for `~` in paths) comes from the
/// same environment: `HOME`, or `USERPROFILE` on Windows.
///
/// `Debug` prints variable names only, never values.
#[derive(Clone, Default)]
pub struct Environment {
    map: Option<BTreeMap<String, String>>,
}

impl Environment {
    /// The process environment.
    pub fn process() -> Self {
        Environment { map: None }
    }

    /// A fixed environment: only these variables exist.
    ///
    /// ```
    /// use databricks_config::Environment;
    /// let env = Environment::from_map([("DATABRICKS_HOST", "example.cloud.databricks.com")]);
    /// assert_eq!(env.var("DATABRICKS_HOST").as_deref(), Some("example.cloud.databricks.com"));
    /// assert_eq!(env.var("DATABRICKS_TOKEN"), None);
    /// ```
    pub fn from_map<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Environment {
            map: Some(
                vars.into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            ),
        }
    }

    /// Whether this is the real process environment.
    pub fn is_process(&self) -> bool {
        self.map.is_none()
    }

    /// The value of a variable; `None` when it is unset, empty, or not valid Unicode
    /// (the SDKs treat an empty variable as unset).
    pub fn var(&self, name: &str) -> Option<String> {
        let value = match &self.map {
            Some(map) => map.get(name).cloned(),
            None => std::env::var(name).ok(),
        };
        value.filter(|v| !v.is_empty())
    }

    /// All variables with non-empty values, sorted by name. For the process environment this is
    /// a snapshot taken now.
    pub fn vars(&self) -> BTreeMap<String, String> {
        match &self.map {
            Some(map) => map
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            None => std::env::vars().filter(|(_, v)| !v.is_empty()).collect(),
        }
    }

    /// The user's home directory: `HOME`, else `USERPROFILE` (Windows).
    pub fn home_dir(&self) -> Option<PathBuf> {
        self.var("HOME")
            .or_else(|| self.var("USERPROFILE"))
            .map(PathBuf::from)
    }

    /// Expands a leading `~` to the home directory, as the SDKs do.
    ///
    /// Returns `None` when the path starts with `~` and no home directory is known.
    pub fn expand_tilde(&self, path: &str) -> Option<PathBuf> {
        match path.strip_prefix('~') {
            Some(rest) => {
                let home = self.home_dir()?;
                let rest = rest.trim_start_matches(['/', '\\']);
                Some(if rest.is_empty() {
                    home
                } else {
                    home.join(rest)
                })
            }
            None => Some(PathBuf::from(path)),
        }
    }
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.map {
            None => f.write_str("Environment::process()"),
            Some(map) => f
                .debug_tuple("Environment::from_map")
                .field(&map.keys().collect::<Vec<_>>())
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_unset() {
        let env = Environment::from_map([("A", ""), ("B", "x")]);
        assert_eq!(env.var("A"), None);
        assert_eq!(env.var("B").as_deref(), Some("x"));
        assert_eq!(env.vars().len(), 1);
    }

    #[test]
    fn tilde_expands_from_home() {
        let env = Environment::from_map([("HOME", "/home/me")]);
        assert_eq!(
            env.expand_tilde("~/.databrickscfg"),
            Some(PathBuf::from("/home/me/.databrickscfg"))
        );
        assert_eq!(env.expand_tilde("~"), Some(PathBuf::from("/home/me")));
        assert_eq!(env.expand_tilde("/etc/x"), Some(PathBuf::from("/etc/x")));
        assert_eq!(
            Environment::from_map::<_, String, String>([]).expand_tilde("~/x"),
            None
        );
    }

    #[test]
    fn debug_shows_names_not_values() {
        let env = Environment::from_map([("DATABRICKS_TOKEN", "dapi-secret")]);
        let text = format!("{env:?}");
        assert!(text.contains("DATABRICKS_TOKEN"));
        assert!(!text.contains("dapi-secret"));
    }
}
