//! Test entry points for the fuzz targets in `fuzz/` and the tests that replay their seed
//! corpora. Not part of the supported API.

use crate::{Config, ConfigFile, Environment};

/// Parses `text` as a `.databrickscfg` file and resolves every profile in it into a [`Config`]
/// (with an empty environment), touching the `Debug` output and error text on the way. It must
/// never panic, whatever the text holds; errors are fine.
pub fn parse_databrickscfg(text: &str) {
    let file = match ConfigFile::parse("fuzz.databrickscfg", text) {
        Ok(file) => file,
        Err(e) => {
            let _ = (e.to_string(), format!("{e:?}"));
            return;
        }
    };
    let _ = (file.profile_names(), file.default_profile_setting());
    for section in file.sections() {
        let mut builder =
            Config::builder().env(Environment::from_map(std::iter::empty::<(String, String)>()));
        for key in section.keys() {
            builder = builder.with_config(key, section.get(key).unwrap_or_default());
        }
        let _ = format!("{builder:?}");
        match builder.build() {
            Ok(cfg) => {
                let _ = (format!("{cfg:?}"), cfg.debug_string(), cfg.hostname());
                let _ = (cfg.cloud(), cfg.is_account_host(), cfg.auth_groups());
            }
            Err(e) => {
                let _ = (e.to_string(), format!("{e:?}"));
            }
        }
    }
}
