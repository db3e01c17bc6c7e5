//! Text helpers shared by the tests that compare this crate's plans and commands with the
//! ones PySpark builds (`tests/pyspark_plans.rs` and the unit tests in
//! `src/io/pyspark_commands.rs`): fixtures are base64 lines, and protobuf messages are compared
//! by their Debug text once plan ids, call-site origins and map order are taken out.

/// Standard base64 (with or without padding) to bytes; panics on other characters.
pub fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let bytes: Vec<u8> = text.bytes().filter(|c| *c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= value(*c) << (18 - 6 * i);
        }
        out.push((n >> 16) as u8);
        if chunk.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(n as u8);
        }
    }
    out
}

/// The Debug text of a plan or command without plan ids and without expression/relation
/// `common` blocks (PySpark records the Python call site there).
pub fn normalize(message: &impl std::fmt::Debug) -> String {
    let text = format!("{message:?}");
    let text = strip_blocks(&text, "common: Some(ExpressionCommon {", "common: None");
    let text = strip_blocks(&text, "common: Some(RelationCommon {", "common: _");
    let text = numbered_names_removed(&text);
    let text = string_maps_sorted(&text);
    let text = bare_plan_ids_removed(&text);
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("plan_id: Some(") {
        out.push_str(&rest[..i]);
        out.push_str("plan_id: Some(_)");
        rest = &rest[i + "plan_id: Some(".len()..];
        rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '-');
        rest = rest.strip_prefix(')').unwrap_or(rest);
    }
    out.push_str(rest);
    out
}

/// Protobuf maps are `HashMap`s, whose Debug order is by chance: the entries of maps from
/// strings to strings (`options: {"k": "v", ...}`) are sorted.
fn string_maps_sorted(text: &str) -> String {
    /// The quoted string at the start of `s` (escapes kept) and its length.
    fn quoted(s: &str) -> Option<usize> {
        let mut chars = s.char_indices();
        if chars.next()?.1 != '"' {
            return None;
        }
        let mut escaped = false;
        for (i, c) in chars {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => return Some(i + 1),
                _ => {}
            }
        }
        None
    }
    /// The entries of the map whose text starts right after `{`, and the length up to `}`.
    fn entries(s: &str) -> Option<(Vec<&str>, usize)> {
        let mut out = Vec::new();
        let mut at = 0;
        loop {
            let key = quoted(&s[at..])?;
            let rest = s[at + key..].strip_prefix(": ")?;
            let value = quoted(rest)?;
            let end = at + key + 2 + value;
            out.push(&s[at..end]);
            if s[end..].starts_with('}') {
                return Some((out, end + 1));
            }
            at = end + s[end..].strip_prefix(", ").map(|_| 2)?;
        }
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("{\"") {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        if let Some((mut items, len)) = entries(rest) {
            items.sort_unstable();
            out.push_str(&items.join(", "));
            out.push('}');
            rest = &rest[len..];
        }
    }
    out.push_str(rest);
    out
}

/// Lambda variables are numbered per process (`x_12`) by both clients: the numbers go.
fn numbered_names_removed(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("name_parts: [\"") {
        let start = i + "name_parts: [\"".len();
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find('"').unwrap_or(rest.len());
        let name = &rest[..end];
        out.push_str(name.split('_').next().unwrap_or(name));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Replaces each `start ... }` block (braces balanced) and its closing `)` by `with`.
fn strip_blocks(text: &str, start: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(start) {
        out.push_str(&rest[..i]);
        out.push_str(with);
        let mut depth = 1;
        let mut end = i + start.len();
        for (j, c) in rest[end..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end += j + 1;
                break;
            }
        }
        rest = &rest[end..];
        rest = rest.strip_prefix(')').unwrap_or(rest);
    }
    out.push_str(rest);
    out
}

/// Where two normalized texts first differ, with some context.
pub fn first_difference(a: &str, b: &str) -> String {
    let at = a
        .bytes()
        .zip(b.bytes())
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = at.saturating_sub(150);
    format!(
        "\n  ours:    …{}…\n  pyspark: …{}…",
        &a[from..(at + 150).min(a.len())],
        &b[from..(at + 150).min(b.len())]
    )
}

/// Subquery expressions name their plan by a plain `plan_id: 12` (not optional): the
/// numbers go, as the relations' plan ids do.
fn bare_plan_ids_removed(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("plan_id: ") {
        let start = i + "plan_id: ".len();
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '-'))
            .unwrap_or(rest.len());
        if digits > 0 {
            out.push('_');
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}
