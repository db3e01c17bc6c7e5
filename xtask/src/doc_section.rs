//! Sections of the docs that xtask tasks write: the text between `<!-- cargo xtask TASK: begin -->`
//! and `<!-- cargo xtask TASK: end -->`, with the prose around it kept.

use std::path::Path;

use crate::Result;

/// Replaces the section `task` wrote into `path` with `body`, or appends it when the file has
/// no such section yet.
pub fn write(path: &Path, task: &str, body: &str) -> Result<()> {
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    let text = replace(&existing, task, body);
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("xtask: wrote {}", path.display());
    Ok(())
}

/// `text` with the section of `task` replaced by `body` (appended when it has none).
pub fn replace(text: &str, task: &str, body: &str) -> String {
    let begin = format!("<!-- cargo xtask {task}: begin -->");
    let end = format!("<!-- cargo xtask {task}: end -->");
    let section = format!("{begin}\n{body}{end}");
    match (text.find(&begin), text.find(&end)) {
        (Some(b), Some(e)) if b < e => {
            format!("{}{section}{}", &text[..b], &text[e + end.len()..])
        }
        _ => format!("{text}\n{section}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_is_replaced_and_the_prose_kept() {
        let text =
            "intro\n<!-- cargo xtask t: begin -->\nold\n<!-- cargo xtask t: end -->\nafter\n";
        assert_eq!(
            replace(text, "t", "new\n"),
            "intro\n<!-- cargo xtask t: begin -->\nnew\n<!-- cargo xtask t: end -->\nafter\n"
        );
        // Another task's section is not touched; a missing one is appended.
        assert_eq!(
            replace("x\n", "t", "b\n"),
            "x\n\n<!-- cargo xtask t: begin -->\nb\n<!-- cargo xtask t: end -->\n"
        );
    }
}
