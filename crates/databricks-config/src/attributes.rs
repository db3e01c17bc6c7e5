//! The table of configuration attributes.
//!
//! One `macro_rules!` table lists every attribute once: its name (which is also the
//! `.databrickscfg` key), the environment variables that set it, the authentication group it
//! belongs to, whether it is a secret, and the kind of value it holds. Everything else in the
//! crate (environment loading, profile loading, validation, redaction, the error suffix, the
//! typed builder setters and getters) is driven by this one table, so adding an attribute is one
//! line here.

use std::fmt;
use std::str::FromStr;

/// The kind of value an attribute holds; values are kept as text and checked against this kind
/// when they are set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueKind {
    /// Free text.
    Str,
    /// A boolean: `1`, `t`, `T`, `true`, `TRUE`, `True` or `0`, `f`, `F`, `false`, `FALSE`, `False`
    /// (the spellings the Databricks Go SDK and CLI accept).
    Bool,
    /// A signed whole number.
    Int,
    /// A list of words separated by commas or spaces (OAuth scopes); kept sorted and without
    /// duplicates.
    List,
}

impl ValueKind {
    /// What a value of this kind must look like, for error messages.
    pub fn expectation(self) -> &'static str {
        match self {
            ValueKind::Str => "text",
            ValueKind::Bool => "a boolean (true/false, 1/0, t/f)",
            ValueKind::Int => "a whole number",
            ValueKind::List => "a list of words separated by commas or spaces",
        }
    }

    /// Checks `raw` against this kind and returns its canonical text form.
    ///
    /// Returns `Ok(None)` when the value counts as "not set" (empty text, or a list with no
    /// words), mirroring the SDKs, which skip empty values.
    pub(crate) fn canonicalize(self, raw: &str) -> Result<Option<String>, ()> {
        match self {
            ValueKind::Str => Ok((!raw.is_empty()).then(|| raw.to_owned())),
            ValueKind::Bool => {
                if raw.is_empty() {
                    return Ok(None);
                }
                parse_bool(raw.trim())
                    .map(|b| Some(b.to_string()))
                    .ok_or(())
            }
            ValueKind::Int => {
                if raw.is_empty() {
                    return Ok(None);
                }
                i64::from_str(raw.trim())
                    .map(|n| Some(n.to_string()))
                    .map_err(|_| ())
            }
            ValueKind::List => {
                let mut words: Vec<&str> = raw
                    .split([',', ' ', '\t'])
                    .filter(|w| !w.is_empty())
                    .collect();
                words.sort_unstable();
                words.dedup();
                Ok((!words.is_empty()).then(|| words.join(",")))
            }
        }
    }

    /// Whether a canonical value is this kind's zero value (`false` or `0`). The SDKs leave zero
    /// values out of the debug text and out of the authentication-group check.
    pub(crate) fn is_zero(self, canonical: &str) -> bool {
        match self {
            ValueKind::Bool => canonical == "false",
            ValueKind::Int => canonical == "0",
            ValueKind::Str | ValueKind::List => canonical.is_empty(),
        }
    }
}

/// Parses a boolean the way Go's `strconv.ParseBool` does (the Databricks CLI and Go SDK use it).
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// Static description of one configuration attribute.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AttributeSpec {
    /// The attribute's key.
    pub key: ConfigKey,
    /// The attribute name; also its key in `.databrickscfg` profiles.
    pub name: &'static str,
    /// Environment variables that set it, first match wins.
    pub env_vars: &'static [&'static str],
    /// The authentication group it belongs to (`pat`, `basic`, `oauth`, `azure`, ...), if any.
    pub auth: Option<&'static str>,
    /// Whether the value is a secret: never printed, shown as `***`.
    pub sensitive: bool,
    /// The kind of value.
    pub kind: ValueKind,
    /// One line describing the attribute.
    pub doc: &'static str,
}

impl fmt::Debug for AttributeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttributeSpec")
            .field("name", &self.name)
            .field("env_vars", &self.env_vars)
            .field("auth", &self.auth)
            .field("sensitive", &self.sensitive)
            .field("kind", &self.kind)
            .finish()
    }
}

macro_rules! attribute_table {
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident => $name:ident,
            env: [$($env:literal),* $(,)?],
            auth: $auth:expr,
            sensitive: $sensitive:literal,
            kind: $kind:ident;
    )+) => {
        /// Names one configuration attribute.
        ///
        /// Parses from and prints as the attribute name (`"host"`, `"token"`, ...), which is also
        /// the key in `.databrickscfg`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum ConfigKey {
            $( $(#[doc = $doc])+ $variant, )+
        }

        /// Every attribute, in the SDKs' order (the order of the `Config:` debug text).
        pub static ATTRIBUTES: &[AttributeSpec] = &[
            $( AttributeSpec {
                key: ConfigKey::$variant,
                name: stringify!($name),
                env_vars: &[$($env),*],
                auth: $auth,
                sensitive: $sensitive,
                kind: ValueKind::$kind,
                doc: concat!($($doc),+),
            }, )+
        ];

        impl ConfigKey {
            /// The attribute name, e.g. `"host"`.
            pub fn name(self) -> &'static str {
                self.spec().name
            }

            /// The attribute's description in the table.
            pub fn spec(self) -> &'static AttributeSpec {
                &ATTRIBUTES[self as usize]
            }

            /// Looks an attribute up by name (exact, as in `.databrickscfg`).
            pub fn from_name(name: &str) -> Option<ConfigKey> {
                match name {
                    $( stringify!($name) => Some(ConfigKey::$variant), )+
                    _ => None,
                }
            }
        }

        impl crate::ConfigBuilder {
            $(
                $(#[doc = $doc])+
                ///
                /// Checked against the attribute's kind when [`ConfigBuilder::build`](crate::ConfigBuilder::build) runs.
                pub fn $name(self, value: impl Into<String>) -> Self {
                    self.set(ConfigKey::$variant, value)
                }
            )+
        }

        impl crate::Config {
            $(
                attribute_getter!($kind, $variant, $name, $($doc)+);
            )+
        }
    };
}

macro_rules! attribute_getter {
    (Str, $variant:ident, $name:ident, $($doc:literal)+) => {
        $(#[doc = $doc])+
        pub fn $name(&self) -> Option<&str> {
            self.get(ConfigKey::$variant)
        }
    };
    (Bool, $variant:ident, $name:ident, $($doc:literal)+) => {
        $(#[doc = $doc])+
        pub fn $name(&self) -> Option<bool> {
            self.get(ConfigKey::$variant).and_then(crate::attributes::parse_bool)
        }
    };
    (Int, $variant:ident, $name:ident, $($doc:literal)+) => {
        $(#[doc = $doc])+
        pub fn $name(&self) -> Option<i64> {
            self.get(ConfigKey::$variant).and_then(|v| v.parse().ok())
        }
    };
    (List, $variant:ident, $name:ident, $($doc:literal)+) => {
        $(#[doc = $doc])+
        pub fn $name(&self) -> Option<Vec<&str>> {
            self.get(ConfigKey::$variant).map(|v| v.split(',').collect())
        }
    };
}

attribute_table! {
    /// Workspace or account console URL, e.g. `https://adb-123.4.azuredatabricks.net`.
    Host => host, env: ["DATABRICKS_HOST"], auth: None, sensitive: false, kind: Str;
    /// Databricks account id, for account-level hosts.
    AccountId => account_id, env: ["DATABRICKS_ACCOUNT_ID"], auth: None, sensitive: false, kind: Str;
    /// Workspace id; also filled from a host's `?o=` or `?workspace_id=` query.
    WorkspaceId => workspace_id, env: ["DATABRICKS_WORKSPACE_ID"], auth: None, sensitive: false, kind: Str;
    /// Personal access token (`pat` auth).
    Token => token, env: ["DATABRICKS_TOKEN"], auth: Some("pat"), sensitive: true, kind: Str;
    /// Audience to request for OIDC ID tokens used in token federation.
    TokenAudience => token_audience, env: ["DATABRICKS_TOKEN_AUDIENCE"], auth: None, sensitive: false, kind: Str;
    /// Name of an environment variable holding an OIDC ID token (`env-oidc` auth).
    OidcTokenEnv => oidc_token_env, env: ["DATABRICKS_OIDC_TOKEN_ENV"], auth: Some("env-oidc"), sensitive: false, kind: Str;
    /// Path of a file holding an OIDC ID token (`file-oidc` auth).
    OidcTokenFilepath => oidc_token_filepath, env: ["DATABRICKS_OIDC_TOKEN_FILE", "DATABRICKS_OIDC_TOKEN_FILEPATH"], auth: Some("file-oidc"), sensitive: false, kind: Str;
    /// User name (`basic` auth).
    Username => username, env: ["DATABRICKS_USERNAME"], auth: Some("basic"), sensitive: false, kind: Str;
    /// Password (`basic` auth).
    Password => password, env: ["DATABRICKS_PASSWORD"], auth: Some("basic"), sensitive: true, kind: Str;
    /// OAuth client id of a service principal (`oauth-m2m` auth).
    ClientId => client_id, env: ["DATABRICKS_CLIENT_ID"], auth: Some("oauth"), sensitive: false, kind: Str;
    /// OAuth client secret of a service principal (`oauth-m2m` auth).
    ClientSecret => client_secret, env: ["DATABRICKS_CLIENT_SECRET"], auth: Some("oauth"), sensitive: true, kind: Str;
    /// Profile to load from the configuration file.
    Profile => profile, env: ["DATABRICKS_CONFIG_PROFILE"], auth: None, sensitive: false, kind: Str;
    /// Path of the configuration file; `~/.databrickscfg` when unset.
    ConfigFile => config_file, env: ["DATABRICKS_CONFIG_FILE"], auth: None, sensitive: false, kind: Str;
    /// Azure resource id of the workspace (Azure auth).
    AzureWorkspaceResourceId => azure_workspace_resource_id, env: ["DATABRICKS_AZURE_RESOURCE_ID"], auth: Some("azure"), sensitive: false, kind: Str;
    /// Use an Azure managed identity (Azure auth).
    AzureUseMsi => azure_use_msi, env: ["ARM_USE_MSI"], auth: Some("azure"), sensitive: false, kind: Bool;
    /// Azure AD client secret of a service principal (`azure-client-secret` auth).
    AzureClientSecret => azure_client_secret, env: ["ARM_CLIENT_SECRET"], auth: Some("azure"), sensitive: true, kind: Str;
    /// Azure AD application (client) id (Azure auth).
    AzureClientId => azure_client_id, env: ["ARM_CLIENT_ID"], auth: Some("azure"), sensitive: false, kind: Str;
    /// Azure AD tenant id (Azure auth).
    AzureTenantId => azure_tenant_id, env: ["ARM_TENANT_ID"], auth: Some("azure"), sensitive: false, kind: Str;
    /// Azure cloud: `PUBLIC`, `USGOVERNMENT` or `CHINA`; normally derived from the host.
    AzureEnvironment => azure_environment, env: ["ARM_ENVIRONMENT"], auth: None, sensitive: false, kind: Str;
    /// Path of the `databricks` CLI executable (`databricks-cli` auth).
    DatabricksCliPath => databricks_cli_path, env: ["DATABRICKS_CLI_PATH"], auth: None, sensitive: false, kind: Str;
    /// Forces one authentication type instead of trying the default chain.
    AuthType => auth_type, env: ["DATABRICKS_AUTH_TYPE"], auth: None, sensitive: false, kind: Str;
    /// Id of the cluster to connect to.
    ClusterId => cluster_id, env: ["DATABRICKS_CLUSTER_ID"], auth: None, sensitive: false, kind: Str;
    /// Id of the SQL warehouse to connect to.
    WarehouseId => warehouse_id, env: ["DATABRICKS_WAREHOUSE_ID"], auth: None, sensitive: false, kind: Str;
    /// Serverless compute id (`auto` for serverless).
    ServerlessComputeId => serverless_compute_id, env: ["DATABRICKS_SERVERLESS_COMPUTE_ID"], auth: None, sensitive: false, kind: Str;
    /// Skip TLS certificate verification (tests only).
    SkipVerify => skip_verify, env: [], auth: None, sensitive: false, kind: Bool;
    /// Timeout of one HTTP request, in seconds.
    HttpTimeoutSeconds => http_timeout_seconds, env: [], auth: None, sensitive: false, kind: Int;
    /// Truncate logged bodies after this many bytes.
    DebugTruncateBytes => debug_truncate_bytes, env: ["DATABRICKS_DEBUG_TRUNCATE_BYTES"], auth: None, sensitive: false, kind: Int;
    /// Log HTTP headers (secrets stay redacted).
    DebugHeaders => debug_headers, env: ["DATABRICKS_DEBUG_HEADERS"], auth: None, sensitive: false, kind: Bool;
    /// Maximum requests per second to the REST API.
    RateLimit => rate_limit, env: ["DATABRICKS_RATE_LIMIT"], auth: None, sensitive: false, kind: Int;
    /// How long to keep retrying a request, in seconds.
    RetryTimeoutSeconds => retry_timeout_seconds, env: [], auth: None, sensitive: false, kind: Int;
    /// URL of a local metadata service that hands out tokens (`metadata-service` auth).
    MetadataServiceUrl => metadata_service_url, env: ["DATABRICKS_METADATA_SERVICE_URL"], auth: Some("metadata-service"), sensitive: true, kind: Str;
    /// OAuth scopes to request; `all-apis` when unset.
    Scopes => scopes, env: [], auth: None, sensitive: false, kind: List;
    /// Do not ask for a refresh token in the U2M (browser) flow.
    DisableOauthRefreshToken => disable_oauth_refresh_token, env: ["DATABRICKS_DISABLE_OAUTH_REFRESH_TOKEN"], auth: None, sensitive: false, kind: Bool;
}

impl fmt::Display for ConfigKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ConfigKey {
    type Err = crate::ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ConfigKey::from_name(s).ok_or_else(|| crate::ConfigError::unknown_attribute(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_key() {
        for (i, spec) in ATTRIBUTES.iter().enumerate() {
            assert_eq!(spec.key as usize, i, "{}", spec.name);
            assert_eq!(ConfigKey::from_name(spec.name), Some(spec.key));
            assert_eq!(spec.key.name(), spec.name);
        }
    }

    #[test]
    fn secrets_are_the_sdk_ones() {
        let secrets: Vec<&str> = ATTRIBUTES
            .iter()
            .filter(|a| a.sensitive)
            .map(|a| a.name)
            .collect();
        assert_eq!(
            secrets,
            [
                "token",
                "password",
                "client_secret",
                "azure_client_secret",
                "metadata_service_url"
            ]
        );
    }

    #[test]
    fn kinds_canonicalize() {
        assert_eq!(
            ValueKind::Bool.canonicalize("TRUE"),
            Ok(Some("true".into()))
        );
        assert_eq!(ValueKind::Bool.canonicalize("0"), Ok(Some("false".into())));
        assert_eq!(ValueKind::Bool.canonicalize("yes"), Err(()));
        assert_eq!(ValueKind::Int.canonicalize(" 42 "), Ok(Some("42".into())));
        assert_eq!(ValueKind::Int.canonicalize("-1"), Ok(Some("-1".into())));
        assert_eq!(ValueKind::Int.canonicalize("4.5"), Err(()));
        assert_eq!(
            ValueKind::List.canonicalize("sql, all-apis sql"),
            Ok(Some("all-apis,sql".into()))
        );
        assert_eq!(ValueKind::List.canonicalize(" , "), Ok(None));
        assert_eq!(ValueKind::Str.canonicalize(""), Ok(None));
    }
}
