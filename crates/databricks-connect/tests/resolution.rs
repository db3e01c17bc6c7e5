//! Every combination of builder parameters that Python's `databricks-connect` (19.x,
//! `DatabricksSession.Builder._create` and `_from_sdkconfig`) accepts or refuses, resolved
//! here, with Python's behaviour and message beside ours. Each row runs in a hermetic
//! environment: a fixed set of variables and a home folder with its own `.databrickscfg`.

use std::path::PathBuf;

use databricks_connect::config::{Config, ConfigKey, Environment};
use databricks_connect::{
    Compute, DatabricksSession, DatabricksSessionBuilder, Error, ParameterSource,
    ResolvedConnection,
};

const CONFIG_FILE: &str = "\
[DEFAULT]
host = https://default.cloud.databricks.com
token = dapi-default

[cluster]
host = https://profile.cloud.databricks.com
token = dapi-profile
cluster_id = 0123-profile

[serverless]
host = https://profile.cloud.databricks.com
token = dapi-profile
serverless_compute_id = auto

[m2m]
host = https://profile.cloud.databricks.com
client_id = sp-id
client_secret = sp-secret
cluster_id = 0123-profile

[no-compute]
host = https://profile.cloud.databricks.com
token = dapi-profile
";

/// A home folder with the test `.databrickscfg`, once per process.
fn home() -> PathBuf {
    static HOME: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    HOME.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("resolution-home-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(".databrickscfg"), CONFIG_FILE).unwrap();
        dir
    })
    .clone()
}

fn env(vars: &[(&str, &str)]) -> Environment {
    let mut all: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    all.push(("HOME".into(), home().to_string_lossy().into_owned()));
    Environment::from_map(all)
}

/// A builder that reads only `vars` and the test home.
fn builder(vars: &[(&str, &str)]) -> DatabricksSessionBuilder {
    DatabricksSession::builder().environment(env(vars))
}

/// What a row expects.
enum Expect {
    /// A connection string from this source.
    Remote(ParameterSource),
    /// A Databricks target: source, host, compute, `auth_type` when forced.
    Databricks {
        source: ParameterSource,
        host: &'static str,
        compute: Compute,
        auth_type: Option<&'static str>,
    },
    /// A conflict whose message contains this text.
    Conflict(&'static str),
    /// An invalid or missing parameter, named, whose message contains this text.
    Invalid(&'static str, &'static str),
    /// A configuration error whose message contains this text.
    Config(&'static str),
}

struct Row {
    what: &'static str,
    /// What Python does, in its words.
    python: &'static str,
    builder: DatabricksSessionBuilder,
    expect: Expect,
}

fn cluster(id: &str) -> Compute {
    Compute::Cluster(id.to_string())
}

fn serverless(policy: Option<&str>) -> Compute {
    Compute::Serverless {
        usage_policy_id: policy.map(str::to_string),
    }
}

fn sdk_config(set: &[(ConfigKey, &str)]) -> Config {
    let mut b = Config::builder().env(env(&[]));
    for (k, v) in set {
        b = b.set(*k, *v);
    }
    b.build().unwrap()
}

fn rows() -> Vec<Row> {
    use Expect::*;
    use ParameterSource as S;
    let host = "https://explicit.cloud.databricks.com";
    vec![
        Row {
            what: "remote alone",
            python: "accepted: the connection string",
            builder: builder(&[]).remote("sc://h.example:443/;use_ssl=true"),
            expect: Remote(S::Remote),
        },
        Row {
            what: "remote + host",
            python: "refused: conn_string must not be set when connection parameters are explicitly configured.",
            builder: builder(&[]).remote("sc://h").host(host),
            expect: Conflict(
                "remote() cannot be combined with host(), token(), cluster_id() or serverless()",
            ),
        },
        Row {
            what: "remote + token",
            python: "refused: conn_string must not be set when connection parameters are explicitly configured.",
            builder: builder(&[]).remote("sc://h").token("t"),
            expect: Conflict("remote() cannot be combined"),
        },
        Row {
            what: "remote + cluster_id",
            python: "refused: conn_string must not be set when connection parameters are explicitly configured.",
            builder: builder(&[]).remote("sc://h").cluster_id("c"),
            expect: Conflict("remote() cannot be combined"),
        },
        Row {
            what: "remote + serverless",
            python: "refused: conn_string must not be set when connection parameters are explicitly configured.",
            builder: builder(&[]).remote("sc://h").serverless(),
            expect: Conflict("remote() cannot be combined"),
        },
        Row {
            what: "remote + header",
            python: "refused: Can't insert custom headers when using connection string",
            builder: builder(&[]).remote("sc://h").header("x-a", "1"),
            expect: Conflict("header() cannot be used with remote()"),
        },
        Row {
            what: "remote + profile",
            python: "accepted, the profile silently ignored (we refuse: a dropped profile is a trap)",
            builder: builder(&[]).remote("sc://h").profile("cluster"),
            expect: Conflict("remote() cannot be combined with profile() or sdk_config()"),
        },
        Row {
            what: "remote + sdk_config",
            python: "accepted, the Config silently ignored (we refuse)",
            builder: builder(&[])
                .remote("sc://h")
                .sdk_config(sdk_config(&[(ConfigKey::Host, host)])),
            expect: Conflict("remote() cannot be combined with profile() or sdk_config()"),
        },
        Row {
            what: "malformed remote",
            python: "refused by PySpark's connection string parser",
            builder: builder(&[]).remote("http://h"),
            expect: Invalid("remote", "'http://'"),
        },
        Row {
            what: "host + token + cluster_id",
            python: "accepted: Config(host, token, auth_type=pat), cluster_id",
            builder: builder(&[]).host(host).token("t").cluster_id("c1"),
            expect: Databricks {
                source: S::Explicit,
                host,
                compute: cluster("c1"),
                auth_type: Some("pat"),
            },
        },
        Row {
            what: "host + token + serverless",
            python: "accepted: serverless_compute_id = auto",
            builder: builder(&[]).host(host).token("t").serverless(),
            expect: Databricks {
                source: S::Explicit,
                host,
                compute: serverless(None),
                auth_type: Some("pat"),
            },
        },
        Row {
            what: "cluster_id + serverless",
            python: "refused: Can't set both cluster id and serverless.",
            builder: builder(&[]).host(host).cluster_id("c").serverless(),
            expect: Conflict("cluster_id() and serverless() cannot both be set"),
        },
        Row {
            what: "host + sdk_config",
            python: "refused: sdkConfig must not be set when connection parameters are explicitly configured.",
            builder: builder(&[])
                .host(host)
                .sdk_config(sdk_config(&[(ConfigKey::Host, host)])),
            expect: Conflict(
                "sdk_config() cannot be combined with host(), token(), cluster_id() or serverless()",
            ),
        },
        Row {
            what: "profile (with a cluster) + serverless",
            python: "accepted: Config(profile), cluster_id popped, serverless_compute_id = auto",
            builder: builder(&[]).profile("cluster").serverless(),
            expect: Databricks {
                source: S::Explicit,
                host: "https://profile.cloud.databricks.com",
                compute: serverless(None),
                auth_type: None,
            },
        },
        Row {
            what: "profile (serverless) + cluster_id",
            python: "accepted: serverless_compute_id popped, cluster_id set",
            builder: builder(&[]).profile("serverless").cluster_id("c2"),
            expect: Databricks {
                source: S::Explicit,
                host: "https://profile.cloud.databricks.com",
                compute: cluster("c2"),
                auth_type: None,
            },
        },
        Row {
            what: "profile + host",
            python: "accepted: Config(host, profile): the host overridden, the rest from the profile",
            builder: builder(&[]).profile("cluster").host(host),
            expect: Databricks {
                source: S::Explicit,
                host,
                compute: cluster("0123-profile"),
                auth_type: None,
            },
        },
        Row {
            what: "profile (OAuth M2M) + token",
            python: "accepted: Config(token, profile, auth_type=pat): the token wins without an ambiguity error",
            builder: builder(&[]).profile("m2m").token("dapi-explicit"),
            expect: Databricks {
                source: S::Explicit,
                host: "https://profile.cloud.databricks.com",
                compute: cluster("0123-profile"),
                auth_type: Some("pat"),
            },
        },
        Row {
            what: "profile + cluster_id + serverless",
            python: "refused: Can't set both cluster id and serverless.",
            builder: builder(&[]).profile("cluster").cluster_id("c").serverless(),
            expect: Conflict("cluster_id() and serverless() cannot both be set"),
        },
        Row {
            what: "sdk_config + profile",
            python: "refused: Can't set profile when SDK Config is explicitly configured.",
            builder: builder(&[])
                .sdk_config(sdk_config(&[(ConfigKey::Host, host)]))
                .profile("cluster"),
            expect: Conflict("profile() cannot be combined with sdk_config()"),
        },
        Row {
            what: "sdk_config alone",
            python: "accepted",
            builder: builder(&[]).sdk_config(sdk_config(&[
                (ConfigKey::Host, host),
                (ConfigKey::Token, "t"),
                (ConfigKey::ClusterId, "c3"),
            ])),
            expect: Databricks {
                source: S::SdkConfig,
                host,
                compute: cluster("c3"),
                auth_type: None,
            },
        },
        Row {
            what: "sdk_config with serverless_compute_id other than auto",
            python: "refused: Invalid serverless_compute_id value. Must be 'auto'.",
            builder: builder(&[]).sdk_config(sdk_config(&[
                (ConfigKey::Host, host),
                (ConfigKey::ServerlessComputeId, "my-compute"),
            ])),
            expect: Invalid(
                "serverless_compute_id",
                "serverless_compute_id must be 'auto', found 'my-compute'",
            ),
        },
        Row {
            what: "sdk_config with both cluster and serverless",
            python: "refused: Can't set both cluster id and serverless_compute_id in SDK config.",
            builder: builder(&[]).sdk_config(sdk_config(&[
                (ConfigKey::Host, host),
                (ConfigKey::ClusterId, "c"),
                (ConfigKey::ServerlessComputeId, "auto"),
            ])),
            expect: Conflict("cluster_id and serverless_compute_id cannot both be set"),
        },
        Row {
            what: "profile alone",
            python: "accepted: Config(profile)",
            builder: builder(&[]).profile("serverless"),
            expect: Databricks {
                source: S::Profile,
                host: "https://profile.cloud.databricks.com",
                compute: serverless(None),
                auth_type: None,
            },
        },
        Row {
            what: "a profile the file lacks",
            python: "refused by the SDK: resolve: ... has no missing profile configured",
            builder: builder(&[]).profile("missing"),
            expect: Config("missing"),
        },
        Row {
            what: "a profile without compute",
            python: "refused: Cluster id or serverless are required but were not specified.",
            builder: builder(&[]).profile("no-compute"),
            expect: Invalid(
                "cluster_id",
                "Cluster id or serverless are required but were not specified",
            ),
        },
        Row {
            what: "SPARK_REMOTE alone",
            python: "accepted: SparkSession.builder.create() from SPARK_REMOTE",
            builder: builder(&[("SPARK_REMOTE", "sc://h.example:15002")]),
            expect: Remote(S::SparkRemote),
        },
        Row {
            what: "SPARK_REMOTE + profile",
            python: "accepted: the profile (it comes before SPARK_REMOTE)",
            builder: builder(&[("SPARK_REMOTE", "sc://h.example:15002")]).profile("cluster"),
            expect: Databricks {
                source: S::Profile,
                host: "https://profile.cloud.databricks.com",
                compute: cluster("0123-profile"),
                auth_type: None,
            },
        },
        Row {
            what: "SPARK_REMOTE + explicit parameters",
            python: "accepted: the explicit parameters",
            builder: builder(&[("SPARK_REMOTE", "sc://h.example:15002")])
                .host(host)
                .token("t")
                .cluster_id("c4"),
            expect: Databricks {
                source: S::Explicit,
                host,
                compute: cluster("c4"),
                auth_type: Some("pat"),
            },
        },
        Row {
            what: "malformed SPARK_REMOTE",
            python: "refused by PySpark's connection string parser",
            builder: builder(&[("SPARK_REMOTE", "sc:/h")]),
            expect: Invalid("SPARK_REMOTE", "sc://"),
        },
        Row {
            what: "DATABRICKS_* variables",
            python: "accepted: Config() from the environment",
            builder: builder(&[
                ("DATABRICKS_HOST", host),
                ("DATABRICKS_TOKEN", "t"),
                ("DATABRICKS_CLUSTER_ID", "c5"),
            ]),
            expect: Databricks {
                source: S::SdkDefaults,
                host,
                compute: cluster("c5"),
                auth_type: None,
            },
        },
        Row {
            what: "DATABRICKS_CLUSTER_ID + serverless()",
            python: "accepted: the cluster id from the environment is popped",
            builder: builder(&[
                ("DATABRICKS_HOST", host),
                ("DATABRICKS_TOKEN", "t"),
                ("DATABRICKS_CLUSTER_ID", "c5"),
            ])
            .serverless(),
            expect: Databricks {
                source: S::Explicit,
                host,
                compute: serverless(None),
                auth_type: None,
            },
        },
        Row {
            what: "the DEFAULT profile without compute",
            python: "refused: Cluster id or serverless are required but were not specified.",
            builder: builder(&[]),
            expect: Invalid(
                "cluster_id",
                "Cluster id or serverless are required but were not specified",
            ),
        },
        Row {
            what: "the DEFAULT profile + DATABRICKS_SERVERLESS_COMPUTE_ID",
            python: "accepted",
            builder: builder(&[("DATABRICKS_SERVERLESS_COMPUTE_ID", "auto")]),
            expect: Databricks {
                source: S::SdkDefaults,
                host: "https://default.cloud.databricks.com",
                compute: serverless(None),
                auth_type: None,
            },
        },
        Row {
            what: "nothing at all",
            python: "refused by the SDK (no host)",
            builder: DatabricksSession::builder().environment(Environment::from_map([(
                "HOME",
                "/nonexistent-home-for-resolution-tests",
            )])),
            expect: Invalid("host", "the workspace host is not set"),
        },
        Row {
            what: "host + token, no compute",
            python: "refused: Cluster id or serverless are required but were not specified.",
            builder: builder(&[]).host(host).token("t"),
            expect: Invalid(
                "cluster_id",
                "Cluster id or serverless are required but were not specified",
            ),
        },
        Row {
            what: "an x-databricks-session-id header",
            python: "accepted: the header alone selects serverless",
            builder: builder(&[]).host(host).token("t").header(
                "x-databricks-session-id",
                "7a0c4c55-4f45-4d6a-9d43-0b6f4d9a2f11",
            ),
            expect: Databricks {
                source: S::Explicit,
                host,
                compute: serverless(None),
                auth_type: Some("pat"),
            },
        },
        Row {
            what: "an x-databricks-session-id header + cluster_id",
            python: "accepted, the cluster id silently dropped (we refuse)",
            builder: builder(&[]).host(host).token("t").cluster_id("c").header(
                "x-databricks-session-id",
                "7a0c4c55-4f45-4d6a-9d43-0b6f4d9a2f11",
            ),
            expect: Conflict("selects serverless compute and cannot be combined with a cluster id"),
        },
        Row {
            what: "serverless + DATABRICKS_USAGE_POLICY_ID",
            python: "accepted: the policy header",
            builder: builder(&[("DATABRICKS_USAGE_POLICY_ID", "policy-env")])
                .host(host)
                .token("t")
                .serverless(),
            expect: Databricks {
                source: S::Explicit,
                host,
                compute: serverless(Some("policy-env")),
                auth_type: Some("pat"),
            },
        },
        Row {
            what: "serverless_usage_policy wins over DATABRICKS_USAGE_POLICY_ID",
            python: "accepted: serverless(usage_policy_id=...) wins over the variable",
            builder: builder(&[("DATABRICKS_USAGE_POLICY_ID", "policy-env")])
                .host(host)
                .token("t")
                .serverless_usage_policy("policy-explicit"),
            expect: Databricks {
                source: S::Explicit,
                host,
                compute: serverless(Some("policy-explicit")),
                auth_type: Some("pat"),
            },
        },
        Row {
            what: "a cluster + DATABRICKS_USAGE_POLICY_ID",
            python: "accepted: the policy applies to serverless only",
            builder: builder(&[("DATABRICKS_USAGE_POLICY_ID", "policy-env")])
                .host(host)
                .token("t")
                .cluster_id("c6"),
            expect: Databricks {
                source: S::Explicit,
                host,
                compute: cluster("c6"),
                auth_type: Some("pat"),
            },
        },
        Row {
            what: "serverless_usage_policy + cluster_id",
            python: "refused: Can't set both cluster id and serverless.",
            builder: builder(&[])
                .host(host)
                .token("t")
                .cluster_id("c")
                .serverless_usage_policy("p"),
            expect: Conflict("cluster_id() and serverless() cannot both be set"),
        },
        Row {
            what: "a user agent of 2,049 characters",
            python: "refused: user agent should not exceed 2048 characters.",
            builder: builder(&[])
                .host(host)
                .token("t")
                .cluster_id("c")
                .user_agent("a".repeat(2049)),
            expect: Invalid("user_agent", "must not exceed 2048 characters"),
        },
        Row {
            what: "a user agent of 2,048 characters",
            python: "accepted",
            builder: builder(&[])
                .host(host)
                .token("t")
                .cluster_id("c7")
                .user_agent("a".repeat(2048)),
            expect: Databricks {
                source: S::Explicit,
                host,
                compute: cluster("c7"),
                auth_type: Some("pat"),
            },
        },
    ]
}

#[test]
fn every_combination_python_accepts_or_refuses() {
    let mut failures = Vec::new();
    for row in rows() {
        let result = row.builder.resolve();
        let outcome = match (&row.expect, &result) {
            (Expect::Remote(source), Ok(ResolvedConnection::Remote { source: got, .. })) => (source
                == got)
                .then_some(())
                .ok_or(format!("source {got:?}")),
            (
                Expect::Databricks {
                    source,
                    host,
                    compute,
                    auth_type,
                },
                Ok(ResolvedConnection::Databricks {
                    config,
                    compute: got_compute,
                    source: got_source,
                    ..
                }),
            ) => {
                let mut wrong = Vec::new();
                if source != got_source {
                    wrong.push(format!("source {got_source:?}"));
                }
                if config.host() != Some(*host) {
                    wrong.push(format!("host {:?}", config.host()));
                }
                if compute != got_compute {
                    wrong.push(format!("compute {got_compute:?}"));
                }
                if auth_type.is_some() && config.auth_type() != *auth_type {
                    wrong.push(format!("auth_type {:?}", config.auth_type()));
                }
                wrong.is_empty().then_some(()).ok_or(wrong.join(", "))
            }
            (Expect::Conflict(text), Err(e @ Error::Conflict { .. })) => e
                .to_string()
                .contains(text)
                .then_some(())
                .ok_or(e.to_string()),
            (Expect::Invalid(param, text), Err(Error::InvalidParameter { parameter, message })) => {
                (param == parameter && message.contains(text))
                    .then_some(())
                    .ok_or(format!("{parameter}: {message}"))
            }
            (Expect::Invalid(param, text), Err(e @ Error::ConnectionString { origin, .. })) => {
                (origin.to_string().contains(param) && e.to_string().contains(text))
                    .then_some(())
                    .ok_or(e.to_string())
            }
            (Expect::Config(text), Err(e @ Error::Databricks(_))) => e
                .to_string()
                .contains(text)
                .then_some(())
                .ok_or(e.to_string()),
            (_, Ok(other)) => Err(format!("resolved to {other:?}")),
            (_, Err(e)) => Err(format!("{e:?}")),
        };
        if let Err(got) = outcome {
            failures.push(format!("{} (Python: {}): got {got}", row.what, row.python));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn secrets_never_reach_resolution_errors() {
    let e = builder(&[])
        .host("https://h.example")
        .token("dapi-s3cr3t-token")
        .resolve()
        .unwrap_err();
    assert!(!e.to_string().contains("s3cr3t"), "{e}");
    assert!(!format!("{e:?}").contains("s3cr3t"), "{e:?}");
    let e = builder(&[])
        .remote("sc://h/;token=s3cr3t-remote")
        .host("h")
        .resolve()
        .unwrap_err();
    assert!(!format!("{e} {e:?}").contains("s3cr3t"));
    let b = builder(&[]).remote("sc://h:443/;token=s3cr3t-remote");
    let resolved = b.resolve().unwrap();
    assert!(!format!("{resolved:?}").contains("s3cr3t"), "{resolved:?}");
}

#[test]
fn a_profile_keeps_what_the_explicit_parameters_do_not_override() {
    // The host overridden: the profile's token and cluster stay, and authentication is not
    // forced to pat (no token was given).
    let resolved = builder(&[])
        .profile("cluster")
        .host("https://explicit.cloud.databricks.com/?o=42")
        .resolve()
        .unwrap();
    let config = resolved.config().unwrap();
    assert_eq!(config.token(), Some("dapi-profile"));
    assert_eq!(config.auth_type(), None);
    assert_eq!(config.workspace_id(), Some("42"));
    assert_eq!(
        resolved.compute(),
        Some(&Compute::Cluster("0123-profile".into()))
    );
    // Serverless instead of the profile's cluster: host and token stay.
    let resolved = builder(&[])
        .profile("cluster")
        .serverless()
        .resolve()
        .unwrap();
    let config = resolved.config().unwrap();
    assert_eq!(config.host(), Some("https://profile.cloud.databricks.com"));
    assert_eq!(config.token(), Some("dapi-profile"));
    assert_eq!(config.cluster_id(), None);
    assert_eq!(config.serverless_compute_id(), Some("auto"));
    // A token over an OAuth profile: the profile's client id stays in the configuration, but
    // pat is forced so that the two do not conflict.
    let resolved = builder(&[])
        .profile("m2m")
        .token("dapi-x")
        .resolve()
        .unwrap();
    let config = resolved.config().unwrap();
    assert_eq!(config.client_id(), Some("sp-id"));
    assert_eq!(config.auth_type(), Some("pat"));
    assert_eq!(config.token(), Some("dapi-x"));
}
