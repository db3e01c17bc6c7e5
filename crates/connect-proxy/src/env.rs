//! Where the proxy variables come from: the process, or given values (tests, embedding).

use std::collections::BTreeMap;
use std::fmt;

/// Every variable the rules read (for example to tell two environments apart).
///
/// ```
/// assert!(connect_proxy::VARIABLES.contains(&"NO_PROXY"));
/// ```
pub const VARIABLES: &[&str] = &[
    "grpc_proxy",
    "no_grpc_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUEST_METHOD",
];

/// A snapshot of the proxy variables (`HTTPS_PROXY`, `NO_PROXY`, ... see the crate's
/// documentation). Empty values count as unset; other variables are not kept.
///
/// `Debug` shows the names of the variables that are set, never their values (a proxy URL
/// may hold a password).
///
/// ```
/// use connect_proxy::ProxyEnv;
///
/// let env = ProxyEnv::from_vars([("https_proxy", "http://proxy:3128"), ("HOME", "/root")]);
/// assert_eq!(env.get("https_proxy"), Some("http://proxy:3128"));
/// assert_eq!(env.get("HOME"), None);
/// assert_eq!(format!("{env:?}"), r#"ProxyEnv(["https_proxy"])"#);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    vars: BTreeMap<&'static str, String>,
}

impl ProxyEnv {
    /// The process environment, read now.
    ///
    /// ```
    /// let env = connect_proxy::ProxyEnv::process();
    /// # let _ = env;
    /// ```
    pub fn process() -> ProxyEnv {
        ProxyEnv::from_lookup(|name| std::env::var(name).ok())
    }

    /// The variables `lookup` returns, e.g. from another environment abstraction.
    ///
    /// ```
    /// use connect_proxy::ProxyEnv;
    ///
    /// let env = ProxyEnv::from_lookup(|name| (name == "ALL_PROXY").then(|| "http://p:8080".to_string()));
    /// assert_eq!(env.get("ALL_PROXY"), Some("http://p:8080"));
    /// ```
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> ProxyEnv {
        let mut vars = BTreeMap::new();
        for name in VARIABLES {
            if let Some(value) = lookup(name).filter(|v| !v.is_empty()) {
                vars.insert(*name, value);
            }
        }
        ProxyEnv { vars }
    }

    /// Exactly these variables (names are case-sensitive, as on Unix).
    ///
    /// ```
    /// use connect_proxy::ProxyEnv;
    ///
    /// let env = ProxyEnv::from_vars([("NO_PROXY", "*")]);
    /// assert_eq!(env.get("NO_PROXY"), Some("*"));
    /// ```
    pub fn from_vars<I, K, V>(vars: I) -> ProxyEnv
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        let given: BTreeMap<String, String> = vars
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_string(), v.into()))
            .collect();
        ProxyEnv::from_lookup(|name| given.get(name).cloned())
    }

    /// The value of a proxy variable, when set and not empty.
    ///
    /// ```
    /// assert_eq!(connect_proxy::ProxyEnv::default().get("HTTPS_PROXY"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// Whether no proxy variable is set.
    ///
    /// ```
    /// assert!(connect_proxy::ProxyEnv::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    /// The first of `names` that is set, with its value.
    pub(crate) fn first(&self, names: &[&'static str]) -> Option<(&'static str, &str)> {
        names
            .iter()
            .find_map(|name| self.get(name).map(|value| (*name, value)))
    }
}

impl fmt::Debug for ProxyEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ProxyEnv")
            .field(&self.vars.keys().collect::<Vec<_>>())
            .finish()
    }
}
