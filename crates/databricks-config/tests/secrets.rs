//! No secret attribute ever shows in Debug, Display, error text or logs, wherever its value
//! came from.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use databricks_config::{ATTRIBUTES, Config, ConfigFile, ConfigKey, Environment};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// A subscriber that writes every event and span field into one string.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Writer<'a>(&'a mut String);

impl Visit for Writer<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        span.record(&mut Writer(&mut self.0.lock().unwrap()));
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Writer(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut out = self.0.lock().unwrap();
        out.push('\n');
        event.record(&mut Writer(&mut out));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn temp_home(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dbcfg-secrets-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn assert_hidden(what: &str, text: &str, secret: &str) {
    assert!(
        !text.contains(secret),
        "{what} shows the secret {secret:?}: {text}"
    );
}

#[test]
fn every_secret_attribute_is_redacted_everywhere() {
    let secrets: Vec<_> = ATTRIBUTES.iter().filter(|a| a.sensitive).collect();
    assert!(secrets.len() >= 5);
    for spec in secrets {
        let name = spec.name;
        let in_code = format!("code-{name}-s3cr3t");
        let in_env = format!("env-{name}-s3cr3t");
        let in_file = format!("file-{name}-s3cr3t");
        let home = temp_home(name);
        std::fs::write(
            home.join(".databrickscfg"),
            format!("[p]\nhost = h\n{name} = \"{in_file}\"\nrate_limit = x\n[q]\nhost = h\n{name} = {in_file}\n"),
        )
        .unwrap();
        let home_s = home.to_str().unwrap().to_owned();
        let env_var = spec.env_vars.first().copied();

        let capture = Capture::default();
        let log = capture.0.clone();
        let mut texts: Vec<(String, String, &str)> = Vec::new();
        tracing::subscriber::with_default(capture, || {
            // 1. explicit value, with a conflicting auth group so that an error is produced.
            let other = if spec.auth == Some("basic") {
                ConfigKey::ClientId
            } else {
                ConfigKey::Username
            };
            let builder = Config::builder()
                .set(spec.key, &in_code)
                .set(other, "someone")
                .env(Environment::from_map([("HOME", home_s.as_str())]));
            texts.push(("builder Debug".into(), format!("{builder:?}"), &in_code));
            let err = builder.build().unwrap_err();
            texts.push(("conflict error".into(), err.to_string(), &in_code));
            texts.push(("conflict error Debug".into(), format!("{err:?}"), &in_code));

            // 2. from the environment, resolved fine.
            if let Some(var) = env_var {
                let cfg = Config::builder()
                    .env(Environment::from_map([
                        ("HOME", home_s.as_str()),
                        (var, in_env.as_str()),
                    ]))
                    .build()
                    .unwrap();
                assert_eq!(cfg.get(spec.key), Some(in_env.as_str()), "{name} from env");
                texts.push(("env Config Debug".into(), format!("{cfg:?}"), &in_env));
                texts.push(("env Config alt Debug".into(), format!("{cfg:#?}"), &in_env));
                texts.push(("env Config Display".into(), cfg.to_string(), &in_env));
                texts.push((
                    "env wrap_message".into(),
                    cfg.wrap_message("some error"),
                    &in_env,
                ));
                for attr in cfg.attributes() {
                    texts.push(("attribute Debug".into(), format!("{attr:?}"), &in_env));
                    texts.push((
                        "attribute display_value".into(),
                        attr.display_value().to_owned(),
                        &in_env,
                    ));
                }
                let env = cfg.env().clone();
                texts.push(("Environment Debug".into(), format!("{env:?}"), &in_env));
            }

            // 3. from the file: profile q resolves, profile p has a bad value after the secret.
            let cfg = Config::builder()
                .profile("q")
                .env(Environment::from_map([("HOME", home_s.as_str())]))
                .build()
                .unwrap();
            assert_eq!(
                cfg.get(spec.key),
                Some(in_file.as_str()),
                "{name} from file"
            );
            texts.push(("file Config Debug".into(), format!("{cfg:?}"), &in_file));
            texts.push(("file Config Display".into(), cfg.to_string(), &in_file));
            let err = Config::builder()
                .profile("p")
                .env(Environment::from_map([("HOME", home_s.as_str())]))
                .build()
                .unwrap_err();
            assert!(err.to_string().contains("rate_limit"), "{err}");
            texts.push(("bad value error".into(), err.to_string(), &in_file));
            let file = ConfigFile::load(&home.join(".databrickscfg"))
                .unwrap()
                .unwrap();
            texts.push(("ConfigFile Debug".into(), format!("{file:?}"), &in_file));

            // 4. setting after resolution, then a kind error on another attribute.
            let mut cfg = cfg;
            cfg.set(
                ConfigKey::RateLimit,
                "many",
                databricks_config::Source::Explicit,
            )
            .map(|_| ())
            .map_err(|e| texts.push(("set error".into(), e.to_string(), &in_file)))
            .unwrap_err();
        });
        texts.push(("logs".into(), log.lock().unwrap().clone(), &in_code));
        let all_logs = log.lock().unwrap().clone();
        assert!(
            all_logs.contains("loading profile"),
            "the capture works: {all_logs}"
        );
        for secret in [&in_code, &in_env, &in_file] {
            assert_hidden(&format!("{name}: logs"), &all_logs, secret);
        }
        for (what, text, secret) in &texts {
            assert_hidden(&format!("{name}: {what}"), text, secret);
        }
        // The redacted form is there instead.
        assert!(
            texts
                .iter()
                .any(|(w, t, _)| w == "conflict error" && t.contains(&format!("{name}=***"))),
            "{name}: the error shows {name}=***"
        );
        std::fs::remove_dir_all(&home).unwrap();
    }
}

#[test]
fn user_info_in_a_host_is_never_shown() {
    let cfg = Config::builder()
        .host("https://me:hunter2@x.cloud.databricks.com/")
        .token("t")
        .env(Environment::from_map::<_, String, String>([]))
        .build()
        .unwrap();
    assert_eq!(cfg.host(), Some("https://x.cloud.databricks.com"));
    assert_hidden("Debug", &format!("{cfg:?}"), "hunter2");
}
