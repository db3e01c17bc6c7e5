//! The builder and accessor API beyond the SDK fixtures.

use databricks_config::{Config, ConfigErrorKind, ConfigKey, Environment, Source};

fn no_env() -> Environment {
    Environment::from_map::<_, String, String>([])
}

#[test]
fn unknown_attribute_names_the_key_and_the_choices() {
    let err = Config::builder()
        .with_config("hots", "x")
        .env(no_env())
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), &ConfigErrorKind::UnknownAttribute);
    assert!(err.to_string().starts_with(
        "unknown configuration attribute \"hots\": expected one of host, account_id,"
    ));
    assert!("hots".parse::<ConfigKey>().is_err());
    assert_eq!(
        "cluster_id".parse::<ConfigKey>().unwrap(),
        ConfigKey::ClusterId
    );
}

#[test]
fn empty_explicit_value_is_unset_and_env_fills_it() {
    let cfg = Config::builder()
        .host("")
        .env(Environment::from_map([("DATABRICKS_HOST", "from-env")]))
        .build()
        .unwrap();
    assert_eq!(cfg.host(), Some("https://from-env"));
    assert_eq!(
        cfg.source(ConfigKey::Host),
        Some(&Source::Environment {
            var: "DATABRICKS_HOST".into()
        })
    );
}

#[test]
fn explicit_false_is_kept_over_env_but_not_shown() {
    let cfg = Config::builder()
        .azure_use_msi("false")
        .env(Environment::from_map([
            ("ARM_USE_MSI", "true"),
            ("DATABRICKS_HOST", "h"),
        ]))
        .build()
        .unwrap();
    assert_eq!(cfg.azure_use_msi(), Some(false));
    assert!(!cfg.is_set(ConfigKey::AzureUseMsi));
    assert!(cfg.auth_groups().is_empty());
    assert_eq!(
        cfg.debug_string(),
        "Config: host=https://h. Env: DATABRICKS_HOST, ARM_USE_MSI"
    );
}

#[test]
fn typed_getters_and_defaults() {
    let cfg = Config::builder()
        .host("accounts.cloud.databricks.com")
        .account_id("acc")
        .http_timeout_seconds("30")
        .debug_headers("T")
        .env(no_env())
        .build()
        .unwrap();
    assert!(cfg.is_account_host());
    assert!(cfg.is_aws());
    assert_eq!(cfg.hostname(), Some("accounts.cloud.databricks.com"));
    assert_eq!(cfg.http_timeout_seconds(), Some(30));
    assert_eq!(cfg.debug_headers(), Some(true));
    assert_eq!(cfg.scopes(), None);
    assert_eq!(cfg.scopes_or_default(), ["all-apis"]);
    assert_eq!(cfg.config_file_path(), None, "no HOME in this environment");
    assert!(cfg.loaded_profile().is_none());
}

#[test]
fn set_after_resolution_checks_the_kind() {
    let mut cfg = Config::builder().host("h").env(no_env()).build().unwrap();
    cfg.set(
        ConfigKey::AuthType,
        "pat",
        Source::Other("databricks-auth".into()),
    )
    .unwrap();
    assert_eq!(cfg.auth_type(), Some("pat"));
    assert_eq!(
        cfg.source(ConfigKey::AuthType).unwrap().to_string(),
        "databricks-auth"
    );
    let err = cfg
        .set(ConfigKey::SkipVerify, "maybe", Source::Explicit)
        .unwrap_err();
    assert_eq!(err.kind(), &ConfigErrorKind::InvalidValue);
    assert_eq!(
        err.to_string(),
        "resolve: cannot parse skip_verify from explicit value: expected a boolean (true/false, 1/0, t/f), got \"maybe\". Config: host=https://h, auth_type=pat"
    );
    cfg.set(ConfigKey::AuthType, "", Source::Explicit).unwrap();
    assert_eq!(cfg.auth_type(), None);
}

#[test]
fn attributes_list_values_and_sources() {
    let cfg = Config::builder()
        .token("dapi-x")
        .env(Environment::from_map([("DATABRICKS_HOST", "h")]))
        .build()
        .unwrap();
    let listed: Vec<(String, String, String)> = cfg
        .attributes()
        .map(|a| {
            (
                a.spec.name.to_owned(),
                a.display_value().to_owned(),
                a.source.label().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("host".into(), "https://h".into(), "env".into()),
            ("token".into(), "***".into(), "explicit".into()),
        ]
    );
}

#[test]
fn error_kinds_are_typed() {
    let err = Config::builder()
        .token("a")
        .username("b")
        .env(no_env())
        .build()
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ConfigErrorKind::ConflictingAuth {
            groups: vec!["basic".into(), "pat".into()]
        }
    );
    assert_eq!(
        err.message(),
        "validate: more than one authorization method configured: basic and pat"
    );
    assert_eq!(err.debug_suffix(), "Config: token=***, username=b");
}
