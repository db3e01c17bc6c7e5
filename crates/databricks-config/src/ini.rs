//! A reader for `.databrickscfg` files.
//!
//! The file is written and read by the Databricks CLI and the Go SDK with the `go-ini` library
//! (with its "space before inline comment" option), so this reader follows that dialect; see
//! `docs/authentication.md` for why it is not a general INI crate. In short:
//!
//! - Lines are `[section]` headers, `key = value` (or `key: value`) pairs, comments starting with
//!   `#` or `;`, or blank. Keys before the first header belong to `DEFAULT`.
//! - Section names and keys are case-sensitive; a repeated key keeps its last value; a repeated
//!   section adds to the first.
//! - A value is trimmed. An inline comment starts at ` #` or ` ;` (a space first), so passwords
//!   may contain `#` and `;`. A value wrapped in one pair of `"` or `'` loses the quotes.
//! - A value that starts with `"""` or a backtick runs to the last matching quote, across lines
//!   if needed, verbatim. A value ending in `\` continues on the next line.
//!
//! Errors name the file and line and say what was expected. They never quote the line itself,
//! because it may hold a secret.

use std::fmt;
use std::path::{Path, PathBuf};

/// Name of the section that holds settings rather than a profile.
pub const SETTINGS_SECTION: &str = "__settings__";

/// Name of the default section, used when no profile is chosen.
pub const DEFAULT_SECTION: &str = "DEFAULT";

/// A parsed `.databrickscfg` file.
///
/// `Debug` shows section names and keys, never values.
#[derive(Clone)]
pub struct ConfigFile {
    path: PathBuf,
    sections: Vec<Section>,
}

/// One `[section]` of a configuration file.
#[derive(Clone)]
pub struct Section {
    name: String,
    line: usize,
    entries: Vec<Entry>,
}

#[derive(Clone)]
struct Entry {
    key: String,
    value: String,
    line: usize,
}

/// A configuration file that could not be read or parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line, when the problem is on one line.
    pub line: Option<usize>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for IniError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(
                f,
                "{}: line {}: {}",
                self.path.display(),
                line,
                self.message
            ),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for IniError {}

impl ConfigFile {
    /// Reads and parses the file at `path`. Returns `Ok(None)` when the file does not exist.
    pub fn load(path: &Path) -> Result<Option<ConfigFile>, IniError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(IniError {
                    path: path.to_owned(),
                    line: None,
                    message: format!("cannot read the file: {e}"),
                });
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
                return Err(IniError {
                    path: path.to_owned(),
                    line: Some(line),
                    message: "the file is not valid UTF-8 text".into(),
                });
            }
        };
        ConfigFile::parse(path, &text).map(Some)
    }

    /// Parses `text`; `path` is used in error messages and by [`ConfigFile::path`].
    pub fn parse(path: impl Into<PathBuf>, text: &str) -> Result<ConfigFile, IniError> {
        Parser {
            path: path.into(),
            lines: text
                .strip_prefix('\u{feff}')
                .unwrap_or(text)
                .split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .collect(),
            next: 0,
        }
        .parse()
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// All sections in the order they first appear, `DEFAULT` first (it may be empty).
    pub fn sections(&self) -> impl Iterator<Item = &Section> {
        self.sections.iter()
    }

    /// The section with this exact name, if the file has it.
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The profile with this name: a section other than `[__settings__]` with at least one key
    /// (the Go SDK treats an empty section as missing).
    pub fn profile(&self, name: &str) -> Option<&Section> {
        if name == SETTINGS_SECTION {
            return None;
        }
        self.section(name).filter(|s| !s.entries.is_empty())
    }

    /// Names of all profiles, in file order.
    pub fn profile_names(&self) -> Vec<&str> {
        self.sections
            .iter()
            .filter(|s| s.name != SETTINGS_SECTION && !s.entries.is_empty())
            .map(|s| s.name.as_str())
            .collect()
    }

    /// `default_profile` from `[__settings__]`, trimmed, when it is set and not empty.
    pub fn default_profile_setting(&self) -> Option<&str> {
        self.section(SETTINGS_SECTION)
            .and_then(|s| s.get("default_profile"))
            .map(str::trim)
            .filter(|p| !p.is_empty())
    }
}

impl Section {
    /// The section name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 1-based line of the section header (0 for keys before any header).
    pub fn line(&self) -> usize {
        self.line
    }

    /// The value of `key`, if the section has it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entry(key).map(|e| e.value.as_str())
    }

    /// The 1-based line where `key` was last set.
    pub fn line_of(&self, key: &str) -> Option<usize> {
        self.entry(key).map(|e| e.line)
    }

    /// The keys, in the order they first appear.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.key.as_str())
    }

    /// Whether the section has no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    fn insert(&mut self, key: String, value: String, line: usize) {
        match self.entries.iter_mut().find(|e| e.key == key) {
            Some(e) => {
                e.value = value;
                e.line = line;
            }
            None => self.entries.push(Entry { key, value, line }),
        }
    }
}

impl fmt::Debug for ConfigFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigFile")
            .field("path", &self.path)
            .field("sections", &self.sections)
            .finish()
    }
}

impl fmt::Debug for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Section")
            .field("name", &self.name)
            .field("keys", &self.keys().collect::<Vec<_>>())
            .finish()
    }
}

struct Parser<'a> {
    path: PathBuf,
    lines: Vec<&'a str>,
    next: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, line: usize, message: impl Into<String>) -> IniError {
        IniError {
            path: self.path.clone(),
            line: Some(line),
            message: message.into(),
        }
    }

    fn next_line(&mut self) -> Option<(usize, &'a str)> {
        let line = *self.lines.get(self.next)?;
        self.next += 1;
        Some((self.next, line))
    }

    fn parse(mut self) -> Result<ConfigFile, IniError> {
        let mut sections = vec![Section {
            name: DEFAULT_SECTION.to_owned(),
            line: 0,
            entries: Vec::new(),
        }];
        let mut current = 0;
        while let Some((lineno, raw)) = self.next_line() {
            let line = raw.trim_start();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(rest) = line.strip_prefix('[') {
                let Some(close) = rest.rfind(']') else {
                    return Err(
                        self.error(lineno, "unclosed section header: expected `[profile-name]`")
                    );
                };
                let name = &rest[..close];
                if name.is_empty() {
                    return Err(self.error(lineno, "empty section name: expected `[profile-name]`"));
                }
                current = match sections.iter().position(|s| s.name == name) {
                    Some(i) => i,
                    None => {
                        sections.push(Section {
                            name: name.to_owned(),
                            line: lineno,
                            entries: Vec::new(),
                        });
                        sections.len() - 1
                    }
                };
                continue;
            }
            let (key, rest) = self.split_key(lineno, line)?;
            let value = self.read_value(lineno, rest)?;
            sections[current].insert(key, value, lineno);
        }
        Ok(ConfigFile {
            path: self.path,
            sections,
        })
    }

    /// Splits `key = value` (or `key: value`); the key may be quoted with `"`, `"""` or a
    /// backtick.
    fn split_key<'l>(&self, lineno: usize, line: &'l str) -> Result<(String, &'l str), IniError> {
        let quote = if line.len() > 6 && line.starts_with("\"\"\"") {
            Some("\"\"\"")
        } else if line.starts_with('"') {
            Some("\"")
        } else if line.starts_with('`') {
            Some("`")
        } else {
            None
        };
        let (key, after_key) = match quote {
            Some(q) => {
                let body = &line[q.len()..];
                let Some(end) = body.find(q) else {
                    return Err(self.error(lineno, format!("missing closing {q} in the key name")));
                };
                (body[..end].trim(), &body[end + q.len()..])
            }
            None => ("", line),
        };
        let Some(delim) = after_key.find(['=', ':']) else {
            return Err(self.error(
                lineno,
                "expected `key = value`, a `[section]` header or a comment",
            ));
        };
        let key = if quote.is_some() {
            key
        } else {
            after_key[..delim].trim()
        };
        if key.is_empty() {
            return Err(self.error(lineno, "empty key name: expected `key = value`"));
        }
        Ok((key.to_owned(), &after_key[delim + 1..]))
    }

    fn read_value(&mut self, lineno: usize, rest: &str) -> Result<String, IniError> {
        let value = rest.trim_start();
        if value.is_empty() {
            return Ok(String::new());
        }
        let quote = if value.len() > 3 && value.starts_with("\"\"\"") {
            Some("\"\"\"")
        } else if value.starts_with('`') {
            Some("`")
        } else {
            None
        };
        if let Some(q) = quote {
            let body = &value[q.len()..];
            if let Some(end) = body.rfind(q) {
                return Ok(body[..end].to_owned());
            }
            // The value runs over several lines, up to the last quote on a later line.
            let mut out = format!("{body}\n");
            loop {
                let Some((_, next)) = self.next_line() else {
                    return Err(self.error(
                        lineno,
                        format!(
                            "the value opened with {q} is never closed: expected a closing {q}"
                        ),
                    ));
                };
                if let Some(end) = next.rfind(q) {
                    out.push_str(&next[..end]);
                    return Ok(out);
                }
                out.push_str(next);
                out.push('\n');
            }
        }

        let value = value.trim();
        if let Some(head) = value.strip_suffix('\\') {
            // Continuation: the following lines are appended, trimmed, until one does not end
            // in a backslash or is empty.
            let mut out = head.to_owned();
            while let Some((_, next)) = self.next_line() {
                let next = next.trim();
                if next.is_empty() {
                    break;
                }
                out.push_str(next);
                if out.ends_with('\\') {
                    out.pop();
                } else {
                    break;
                }
            }
            return Ok(out);
        }

        let mut value = value;
        let comment = value.find(" #").or_else(|| value.find(" ;"));
        if let Some(i) = comment {
            value = value[..i].trim();
        }
        if surrounded_by(value, '"') || surrounded_by(value, '\'') {
            value = &value[1..value.len() - 1];
        }
        Ok(value.to_owned())
    }
}

/// Whether `s` starts and ends with `quote` and has no other `quote` inside.
fn surrounded_by(s: &str, quote: char) -> bool {
    s.len() >= 2
        && s.starts_with(quote)
        && s.ends_with(quote)
        && s[1..].find(quote) == Some(s.len() - 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ConfigFile {
        ConfigFile::parse("/cfg", text).unwrap()
    }

    fn err(text: &str) -> IniError {
        ConfigFile::parse("/cfg", text).unwrap_err()
    }

    #[test]
    fn sections_keys_and_default() {
        let f = parse("top = 1\n[DEFAULT]\nhost = h\n\n[a.b]\nk:v\n# c\n; c\n  [x]\n");
        assert_eq!(f.section("DEFAULT").unwrap().get("top"), Some("1"));
        assert_eq!(f.section("DEFAULT").unwrap().get("host"), Some("h"));
        assert_eq!(f.profile("a.b").unwrap().get("k"), Some("v"));
        assert_eq!(f.profile_names(), ["DEFAULT", "a.b"]);
        assert!(
            f.profile("x").is_none(),
            "an empty section is not a profile"
        );
        assert!(f.section("x").is_some());
        assert_eq!(f.profile("a.b").unwrap().line_of("k"), Some(6));
    }

    #[test]
    fn quotes_are_stripped_like_the_go_sdk() {
        let f =
            parse("[d]\npassword = \"%Y#X$Z\"\n[s]\npassword = '%Y#X$Z'\n[n]\npassword = %Y#X$Z\n");
        for p in ["d", "s", "n"] {
            assert_eq!(f.profile(p).unwrap().get("password"), Some("%Y#X$Z"), "{p}");
        }
    }

    #[test]
    fn inline_comments_need_a_space() {
        let f = parse(
            "[p]\na = x # c\nb = x;y#z\nc = x ; c\nd = \"q\" # c\ne = #x\nf = a ;b #c\ng = \"a\"b\"\n",
        );
        let p = f.profile("p").unwrap();
        assert_eq!(p.get("a"), Some("x"));
        assert_eq!(p.get("b"), Some("x;y#z"));
        assert_eq!(p.get("c"), Some("x"));
        assert_eq!(p.get("d"), Some("q"));
        assert_eq!(p.get("e"), Some("#x"));
        assert_eq!(p.get("f"), Some("a ;b"), "` #` is looked for before ` ;`");
        assert_eq!(p.get("g"), Some("\"a\"b\""), "three quotes: kept as is");
    }

    #[test]
    fn triple_quotes_backticks_and_continuations() {
        let f = parse(
            "[p]\na = \"\"\"x # y\"\"\"\nb = `one\ntwo`\nc = x\\\n  y\\\n z\nd = e\ne = \"\"\"l1\nl2\"\"\" trailing\n",
        );
        let p = f.profile("p").unwrap();
        assert_eq!(p.get("a"), Some("x # y"));
        assert_eq!(p.get("b"), Some("one\ntwo"));
        assert_eq!(p.get("c"), Some("xyz"));
        assert_eq!(p.get("d"), Some("e"));
        assert_eq!(p.get("e"), Some("l1\nl2"));
    }

    #[test]
    fn repeated_keys_and_sections() {
        let f = parse("[p]\na = 1\n[q]\nb = 2\n[p]\na = 3\nc = 4\n");
        let p = f.profile("p").unwrap();
        assert_eq!(p.get("a"), Some("3"));
        assert_eq!(p.get("c"), Some("4"));
        assert_eq!(f.profile_names(), ["p", "q"]);
    }

    #[test]
    fn crlf_and_bom() {
        let f = parse("\u{feff}[p]\r\nhost = h \r\ntoken = \"t\"\r\n");
        let p = f.profile("p").unwrap();
        assert_eq!(p.get("host"), Some("h"));
        assert_eq!(p.get("token"), Some("t"));
    }

    #[test]
    fn settings_section() {
        let f = parse("[__settings__]\ndefault_profile =  ws \n[ws]\nhost = h\n");
        assert_eq!(f.default_profile_setting(), Some("ws"));
        assert_eq!(f.profile_names(), ["ws"]);
        assert!(f.profile(SETTINGS_SECTION).is_none());
        let f = parse("[__settings__]\ndefault_profile =\n");
        assert_eq!(f.default_profile_setting(), None);
    }

    #[test]
    fn malformed_lines_name_the_line_not_the_content() {
        let e = err("[p]\nhost = h\ndapi-secret-token\n");
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("expected `key = value`"), "{e}");
        assert!(!e.to_string().contains("dapi-secret-token"), "{e}");
        assert_eq!(
            e.to_string(),
            "/cfg: line 3: expected `key = value`, a `[section]` header or a comment"
        );

        let e = err("[p\nhost = h\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("unclosed section header"));

        assert!(err("[]\n").message.contains("empty section name"));
        assert!(err("= v\n").message.contains("empty key name"));
        assert!(err("\"k = v\n").message.contains("missing closing"));

        let e = err("[p]\na = `open\nstill open\n");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn missing_file_is_none_and_bad_utf8_is_an_error() {
        let dir = std::env::temp_dir().join(format!("dbcfg-ini-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(ConfigFile::load(&dir.join("nope")).unwrap().is_none());
        let bad = dir.join("bad");
        std::fs::write(&bad, b"[p]\nhost = h\ntoken = \xff\xfe\n").unwrap();
        let e = ConfigFile::load(&bad).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("UTF-8"));
        let e = ConfigFile::load(&dir).unwrap_err();
        assert!(e.message.contains("cannot read"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn debug_hides_values() {
        let f = parse("[p]\ntoken = dapi-very-secret\n");
        let text = format!("{f:?}");
        assert!(text.contains("token"));
        assert!(!text.contains("dapi-very-secret"));
    }
}
