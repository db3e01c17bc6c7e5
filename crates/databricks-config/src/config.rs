//! The resolved configuration and its builder.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::attributes::{ATTRIBUTES, AttributeSpec, ConfigKey};
use crate::cloud::{AzureCloud, Cloud, cloud_of_hostname};
use crate::env::Environment;
use crate::error::{ConfigError, ConfigErrorKind, join_with_suffix};
use crate::host::normalize_host;
use crate::ini::{ConfigFile, DEFAULT_SECTION, SETTINGS_SECTION};
use crate::source::Source;

/// The configuration file used when `config_file` is not set.
pub const DEFAULT_CONFIG_FILE: &str = "~/.databrickscfg";

/// The OAuth scope used when `scopes` is not set.
pub const DEFAULT_SCOPE: &str = "all-apis";

#[derive(Clone)]
struct Value {
    text: String,
    source: Source,
}

/// A resolved Databricks configuration: each attribute's value and where it came from.
///
/// Build one with [`Config::builder`]. Resolution follows the Databricks SDKs: explicit values
/// first, then environment variables, then a profile of the configuration file; a value that is
/// already set is never overwritten.
///
/// `Debug` and `Display` never show secrets: they print `***` instead.
///
/// ```
/// use databricks_config::{Config, Environment, Source};
///
/// let cfg = Config::builder()
///     .env(Environment::from_map([
///         ("DATABRICKS_HOST", "dbc-123.cloud.databricks.com/"),
///         ("DATABRICKS_TOKEN", "dapi-example"),
///     ]))
///     .cluster_id("0123-456789-abcdefgh")
///     .build()?;
///
/// assert_eq!(cfg.host(), Some("https://dbc-123.cloud.databricks.com"));
/// assert_eq!(cfg.token(), Some("dapi-example"));
/// assert_eq!(cfg.source(databricks_config::ConfigKey::ClusterId), Some(&Source::Explicit));
/// assert_eq!(
///     cfg.debug_string(),
///     "Config: host=https://dbc-123.cloud.databricks.com, token=***, \
///      cluster_id=0123-456789-abcdefgh. Env: DATABRICKS_HOST, DATABRICKS_TOKEN"
/// );
/// # Ok::<(), databricks_config::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Config {
    values: Vec<Option<Value>>,
    env: Environment,
    loaded_profile: Option<(PathBuf, String)>,
}

/// One attribute of a [`Config`], for listing (`auth describe`).
///
/// `Debug` redacts secrets.
#[derive(Clone, Copy)]
pub struct ResolvedAttribute<'a> {
    /// The attribute.
    pub spec: &'static AttributeSpec,
    value: &'a str,
    /// Where the value came from.
    pub source: &'a Source,
}

impl<'a> ResolvedAttribute<'a> {
    /// The value as it may be shown: `***` for secrets.
    pub fn display_value(&self) -> &'a str {
        if self.spec.sensitive {
            "***"
        } else {
            self.value
        }
    }

    /// The value itself, secrets included. Do not print it.
    pub fn value(&self) -> &'a str {
        self.value
    }
}

impl fmt::Debug for ResolvedAttribute<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResolvedAttribute")
            .field("name", &self.spec.name)
            .field("value", &self.display_value())
            .field("source", self.source)
            .finish()
    }
}

impl Config {
    /// A builder that reads the process environment unless told otherwise.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Resolves from the process environment and `~/.databrickscfg` alone.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::builder().build()
    }

    fn empty(env: Environment) -> Config {
        Config {
            values: vec![None; ATTRIBUTES.len()],
            env,
            loaded_profile: None,
        }
    }

    /// The value of an attribute in canonical text form (booleans as `true`/`false`, lists
    /// comma-separated), secrets included: do not print it.
    pub fn get(&self, key: ConfigKey) -> Option<&str> {
        self.values[key as usize].as_ref().map(|v| v.text.as_str())
    }

    /// Where an attribute's value came from.
    pub fn source(&self, key: ConfigKey) -> Option<&Source> {
        self.values[key as usize].as_ref().map(|v| &v.source)
    }

    /// Whether the attribute has a value other than its kind's zero (`false`, `0`). This is the
    /// SDKs' notion of "set" for the debug text and the authentication-group check.
    pub fn is_set(&self, key: ConfigKey) -> bool {
        self.get(key).is_some_and(|v| !key.spec().kind.is_zero(v))
    }

    /// Sets an attribute after resolution, for example from an authentication provider
    /// (`Source::Other("azure-cli")`). The value is checked against the attribute's kind; an
    /// empty value clears the attribute.
    pub fn set(
        &mut self,
        key: ConfigKey,
        value: impl AsRef<str>,
        source: Source,
    ) -> Result<(), ConfigError> {
        let canonical = canonicalize(key.spec(), value.as_ref(), &source)
            .map_err(|e| e.with_suffix(self.debug_string()))?;
        self.values[key as usize] = canonical.map(|text| Value { text, source });
        Ok(())
    }

    /// The attributes that have values, in table order.
    pub fn attributes(&self) -> impl Iterator<Item = ResolvedAttribute<'_>> {
        ATTRIBUTES.iter().zip(&self.values).filter_map(|(spec, v)| {
            v.as_ref().map(|v| ResolvedAttribute {
                spec,
                value: &v.text,
                source: &v.source,
            })
        })
    }

    /// The environment this configuration was read from.
    pub fn env(&self) -> &Environment {
        &self.env
    }

    /// The configuration file and profile that values were loaded from, if any.
    pub fn loaded_profile(&self) -> Option<(&Path, &str)> {
        self.loaded_profile
            .as_ref()
            .map(|(p, s)| (p.as_path(), s.as_str()))
    }

    /// The configuration file path: `config_file` with `~` expanded, or `~/.databrickscfg`.
    /// `None` when the path needs a home directory and none is known.
    pub fn config_file_path(&self) -> Option<PathBuf> {
        self.env
            .expand_tilde(self.config_file().unwrap_or(DEFAULT_CONFIG_FILE))
    }

    /// The authentication groups that have attributes set (`azure`, `basic`, `oauth`, `pat`,
    /// ...), sorted.
    pub fn auth_groups(&self) -> Vec<&'static str> {
        let mut groups: Vec<&'static str> = ATTRIBUTES
            .iter()
            .filter(|a| self.is_set(a.key))
            .filter_map(|a| a.auth)
            .collect();
        groups.sort_unstable();
        groups.dedup();
        groups
    }

    /// The SDKs' debug text: `Config: name=value, … . Env: VAR, …`, attributes in table order
    /// with secrets as `***`, then the environment variables of the table that are set.
    pub fn debug_string(&self) -> String {
        let attrs: Vec<String> = ATTRIBUTES
            .iter()
            .filter(|a| self.is_set(a.key))
            .map(|a| {
                let shown = if a.sensitive {
                    "***"
                } else {
                    self.get(a.key).unwrap_or_default()
                };
                format!("{}={}", a.name, shown)
            })
            .collect();
        let envs: Vec<&str> = ATTRIBUTES
            .iter()
            .flat_map(|a| a.env_vars.iter().copied())
            .filter(|var| self.env.var(var).is_some())
            .collect();
        let mut parts = Vec::new();
        if !attrs.is_empty() {
            parts.push(format!("Config: {}", attrs.join(", ")));
        }
        if !envs.is_empty() {
            parts.push(format!("Env: {}", envs.join(", ")));
        }
        parts.join(". ")
    }

    /// `message` followed by this configuration's debug text, as the SDKs format their errors.
    ///
    /// ```
    /// # use databricks_config::{Config, Environment};
    /// let cfg = Config::builder()
    ///     .env(Environment::from_map([("DATABRICKS_HOST", "x")]))
    ///     .build()?;
    /// assert_eq!(
    ///     cfg.wrap_message("default auth: cannot configure default credentials"),
    ///     "default auth: cannot configure default credentials. Config: host=https://x. Env: DATABRICKS_HOST"
    /// );
    /// # Ok::<(), databricks_config::ConfigError>(())
    /// ```
    pub fn wrap_message(&self, message: &str) -> String {
        join_with_suffix(message, &self.debug_string())
    }

    /// The OAuth scopes to request: `scopes`, or `["all-apis"]`.
    pub fn scopes_or_default(&self) -> Vec<&str> {
        self.scopes().unwrap_or_else(|| vec![DEFAULT_SCOPE])
    }

    /// The host name of `host` (no scheme or port).
    pub fn hostname(&self) -> Option<&str> {
        let host = self.host()?;
        let rest = host.split_once("://").map_or(host, |(_, r)| r);
        Some(match rest.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(v6),
            None => rest.split(':').next().unwrap_or(rest),
        })
    }

    /// The cloud: Azure when `azure_workspace_resource_id` is set, else from the host's DNS
    /// zone; AWS otherwise.
    pub fn cloud(&self) -> Cloud {
        if self.is_set(ConfigKey::AzureWorkspaceResourceId) {
            return Cloud::Azure;
        }
        self.hostname().map_or(Cloud::Aws, cloud_of_hostname)
    }

    /// Whether this is an Azure Databricks configuration.
    pub fn is_azure(&self) -> bool {
        self.cloud() == Cloud::Azure
    }

    /// Whether this is a Databricks on Google Cloud configuration.
    pub fn is_gcp(&self) -> bool {
        self.cloud() == Cloud::Gcp
    }

    /// Whether this is a Databricks on AWS configuration.
    pub fn is_aws(&self) -> bool {
        self.cloud() == Cloud::Aws
    }

    /// Whether the host is an account console (`https://accounts.…` or `https://accounts-dod.…`).
    pub fn is_account_host(&self) -> bool {
        self.host().is_some_and(|h| {
            h.starts_with("https://accounts.") || h.starts_with("https://accounts-dod.")
        })
    }

    /// The Azure cloud: `azure_environment` if set, else from the host, else public Azure.
    pub fn azure_cloud(&self) -> AzureCloud {
        self.azure_environment()
            .and_then(AzureCloud::parse)
            .or_else(|| self.hostname().and_then(AzureCloud::from_hostname))
            .unwrap_or(AzureCloud::Public)
    }

    fn fill(&mut self, key: ConfigKey, raw: &str, source: Source) -> Result<bool, ConfigError> {
        if self.values[key as usize].is_some() {
            return Ok(false);
        }
        match canonicalize(key.spec(), raw, &source)? {
            Some(text) => {
                self.values[key as usize] = Some(Value { text, source });
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn error(&self, kind: ConfigErrorKind, message: impl Into<String>) -> ConfigError {
        ConfigError::new(kind, message).with_suffix(self.debug_string())
    }
}

/// Checks a raw value against its attribute and returns the canonical text (`None` = unset).
fn canonicalize(
    spec: &AttributeSpec,
    raw: &str,
    source: &Source,
) -> Result<Option<String>, ConfigError> {
    let invalid = |expected: &str| {
        let got = if spec.sensitive {
            String::new()
        } else {
            format!(", got {raw:?}")
        };
        ConfigError::new(
            ConfigErrorKind::InvalidValue,
            format!(
                "resolve: cannot parse {} from {source}: expected {expected}{got}",
                spec.name
            ),
        )
    };
    let canonical = spec
        .kind
        .canonicalize(raw)
        .map_err(|()| invalid(spec.kind.expectation()))?;
    if spec.key == ConfigKey::AzureEnvironment
        && let Some(v) = &canonical
        && AzureCloud::parse(v).is_none()
    {
        return Err(invalid("PUBLIC, USGOVERNMENT or CHINA"));
    }
    Ok(canonical)
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Config");
        for a in self.attributes() {
            s.field(a.spec.name, &a.display_value());
        }
        s.finish_non_exhaustive()
    }
}

impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.debug_string())
    }
}

/// Builds a [`Config`]: explicit values, then the environment, then the configuration file.
///
/// Values are checked when [`ConfigBuilder::build`] runs, which reports the first problem.
/// `Debug` redacts secrets.
#[derive(Clone, Default)]
pub struct ConfigBuilder {
    explicit: Vec<(ConfigKey, String)>,
    unknown: Vec<String>,
    env: Option<Environment>,
}

impl ConfigBuilder {
    /// Sets an attribute explicitly; explicit values win over the environment and the file.
    /// An empty value counts as unset.
    pub fn set(mut self, key: ConfigKey, value: impl Into<String>) -> Self {
        let value = value.into();
        self.explicit.retain(|(k, _)| *k != key);
        self.explicit.push((key, value));
        self
    }

    /// Sets an attribute by name (`"host"`, `"token"`, ...). An unknown name is reported by
    /// [`ConfigBuilder::build`].
    pub fn with_config(self, name: &str, value: impl Into<String>) -> Self {
        match ConfigKey::from_name(name) {
            Some(key) => self.set(key, value),
            None => {
                let mut this = self;
                this.unknown.push(name.to_owned());
                this
            }
        }
    }

    /// Reads environment variables (and the home directory) from `env` instead of the process.
    pub fn env(mut self, env: Environment) -> Self {
        self.env = Some(env);
        self
    }

    /// Resolves the configuration.
    ///
    /// 1. explicit values;
    /// 2. environment variables, for attributes still unset;
    /// 3. the configuration file, unless no profile is named and the host or any authentication
    ///    attribute is already set: the profile is `profile`, else `[__settings__]
    ///    default_profile`, else `DEFAULT`. A missing file, or a missing or empty `DEFAULT`, is
    ///    not an error; a named profile that is missing is;
    /// 4. the host is normalised ([`normalize_host`](crate::normalize_host)); a `?o=` query
    ///    fills `workspace_id`;
    /// 5. attributes of more than one authentication group need `auth_type`.
    ///
    /// Errors carry the SDKs' `Config: … . Env: …` suffix.
    pub fn build(self) -> Result<Config, ConfigError> {
        let mut cfg = Config::empty(self.env.unwrap_or_default());
        if let Some(name) = self.unknown.first() {
            return Err(ConfigError::unknown_attribute(name));
        }
        for (key, raw) in &self.explicit {
            cfg.fill(*key, raw, Source::Explicit)
                .map_err(|e| e.with_suffix(cfg.debug_string()))?;
        }
        load_env(&mut cfg)?;
        load_file(&mut cfg)?;
        fix_host(&mut cfg)?;
        validate(&cfg)?;
        Ok(cfg)
    }
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("ConfigBuilder");
        for (key, value) in &self.explicit {
            let shown: &str = if key.spec().sensitive { "***" } else { value };
            s.field(key.name(), &shown);
        }
        if !self.unknown.is_empty() {
            s.field("unknown", &self.unknown);
        }
        s.field("env", &self.env);
        s.finish()
    }
}

fn load_env(cfg: &mut Config) -> Result<(), ConfigError> {
    for spec in ATTRIBUTES {
        if cfg.values[spec.key as usize].is_some() {
            continue;
        }
        for var in spec.env_vars {
            let Some(raw) = cfg.env.var(var) else {
                continue;
            };
            let source = Source::Environment {
                var: (*var).to_owned(),
            };
            if cfg
                .fill(spec.key, &raw, source)
                .map_err(|e| e.with_suffix(cfg.debug_string()))?
            {
                break;
            }
        }
    }
    Ok(())
}

fn load_file(cfg: &mut Config) -> Result<(), ConfigError> {
    let explicit_profile = cfg.profile().map(str::to_owned);
    let auth_configured = ATTRIBUTES
        .iter()
        .any(|a| a.auth.is_some() && cfg.is_set(a.key));
    if explicit_profile.is_none() && (auth_configured || cfg.is_set(ConfigKey::Host)) {
        tracing::debug!("not loading a config file: host or credentials are already set");
        return Ok(());
    }
    let Some(path) = cfg.config_file_path() else {
        tracing::debug!("not loading a config file: no home directory for {DEFAULT_CONFIG_FILE}");
        return Ok(());
    };
    let file = match ConfigFile::load(&path) {
        Ok(Some(file)) => file,
        Ok(None) => {
            tracing::debug!(path = %path.display(), "config file does not exist");
            return Ok(());
        }
        Err(e) => {
            let message = format!("resolve: cannot parse config file: {e}");
            return Err(cfg.error(ConfigErrorKind::ConfigFile(e), message));
        }
    };
    let path_text = path.display();
    let reserved = || {
        cfg.error(
            ConfigErrorKind::ReservedProfile,
            format!(
                "resolve: {path_text}: {SETTINGS_SECTION} is a reserved section name and cannot be used as a profile"
            ),
        )
    };
    let (profile, from_setting) = match (&explicit_profile, file.default_profile_setting()) {
        (Some(p), _) => (p.clone(), false),
        (None, Some(p)) => (p.to_owned(), true),
        (None, None) => (DEFAULT_SECTION.to_owned(), false),
    };
    if profile == SETTINGS_SECTION {
        return Err(reserved());
    }
    let fallback = explicit_profile.is_none() && !from_setting;
    let Some(section) = file.profile(&profile) else {
        if fallback {
            tracing::debug!(path = %path_text, "config file has no DEFAULT profile");
            return Ok(());
        }
        return Err(cfg.error(
            ConfigErrorKind::MissingProfile {
                path: path.clone(),
                profile: profile.clone(),
            },
            format!("resolve: {path_text} has no {profile} profile configured"),
        ));
    };
    tracing::debug!(path = %path_text, profile = %profile, "loading profile");
    for key in section.keys() {
        let Some(attr) = ConfigKey::from_name(key) else {
            // The CLI and other tools keep their own keys in profiles; the SDKs ignore them.
            tracing::trace!(key, "ignoring a key that is not a configuration attribute");
            continue;
        };
        let source = Source::ConfigFile {
            path: path.clone(),
            profile: profile.clone(),
            line: section.line_of(key).unwrap_or(0),
        };
        let value = section.get(key).unwrap_or_default();
        cfg.fill(attr, value, source)
            .map_err(|e| e.with_suffix(cfg.debug_string()))?;
    }
    if from_setting {
        cfg.fill(
            ConfigKey::Profile,
            &profile,
            Source::DefaultProfileSetting { path: path.clone() },
        )?;
    }
    cfg.loaded_profile = Some((path, profile));
    Ok(())
}

fn fix_host(cfg: &mut Config) -> Result<(), ConfigError> {
    let Some(host) = cfg.host().map(str::to_owned) else {
        return Ok(());
    };
    let source = cfg
        .source(ConfigKey::Host)
        .cloned()
        .unwrap_or(Source::Explicit);
    let normalized = normalize_host(&host).map_err(|why| {
        cfg.error(
            ConfigErrorKind::InvalidHost,
            format!(
                "resolve: host from {source} is not a usable URL: {}",
                why.message()
            ),
        )
    })?;
    cfg.values[ConfigKey::Host as usize] = Some(Value {
        text: normalized.url,
        source,
    });
    if let Some(id) = normalized.workspace_id {
        cfg.fill(ConfigKey::WorkspaceId, &id, Source::HostQuery)?;
    }
    Ok(())
}

fn validate(cfg: &Config) -> Result<(), ConfigError> {
    let groups = cfg.auth_groups();
    if groups.len() <= 1 || cfg.is_set(ConfigKey::AuthType) {
        return Ok(());
    }
    Err(cfg.error(
        ConfigErrorKind::ConflictingAuth {
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        },
        format!(
            "validate: more than one authorization method configured: {}",
            groups.join(" and ")
        ),
    ))
}
