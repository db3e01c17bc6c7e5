//! The table for people to read: columns sized to their values, cut to the terminal's width.

use std::time::Duration;

use arrow_array::RecordBatch;
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{ArrowError, SchemaRef};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The narrowest a cut column gets: three characters and the ellipsis.
const MIN_WIDTH: usize = 4;
const ELLIPSIS: char = '…';

/// How a table is drawn.
#[derive(Debug, Clone, Default)]
pub struct TableStyle {
    /// The widest a line may be; values are cut with `…` to fit. `None`: never cut.
    pub max_width: Option<usize>,
    /// Bold headers and dim `NULL`s with ANSI escapes.
    pub color: bool,
    /// Said in the footer: `(2 rows, 0.153 s)`.
    pub elapsed: Option<Duration>,
}

impl TableStyle {
    /// The style for standard output: cut to the terminal's width and coloured when it is a
    /// terminal (and `NO_COLOR` is not set), plain and whole when it is a pipe or a file.
    pub fn for_stdout(elapsed: Option<Duration>) -> TableStyle {
        use std::io::IsTerminal;
        let terminal = std::io::stdout().is_terminal();
        TableStyle {
            max_width: terminal.then(terminal_width).flatten(),
            color: terminal && color_allowed(),
            elapsed: if terminal { elapsed } else { None },
        }
    }
}

/// Colour unless `NO_COLOR` is set to anything non-empty (no-color.org) or the terminal is dumb.
pub fn color_allowed() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    !no_color && !dumb
}

/// The terminal's width: `COLUMNS` when set to a number, else what the terminal says.
pub fn terminal_width() -> Option<usize> {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        return Some(n);
    }
    terminal_size::terminal_size().map(|(w, _)| usize::from(w.0))
}

/// The format options of table cells.
pub fn format_options() -> FormatOptions<'static> {
    FormatOptions::default()
        .with_null("NULL")
        .with_timestamp_tz_format(Some(crate::output::UTC_TIMESTAMP_FORMAT))
}

/// Draws `batches` (all of one `schema`) as a table followed by its footer line.
pub fn render(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    style: &TableStyle,
) -> Result<String, ArrowError> {
    let n: usize = batches.iter().map(RecordBatch::num_rows).sum();
    if schema.fields().is_empty() {
        // A command (CREATE, SET, ...) without a result: only the footer.
        return Ok(footer(n, style));
    }
    let options = format_options();
    let headers: Vec<String> = schema.fields().iter().map(|f| one_line(f.name())).collect();
    let mut rows: Vec<Vec<(String, bool)>> = Vec::new();
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for row in 0..batch.num_rows() {
            let mut cells = Vec::with_capacity(formatters.len());
            for (formatter, column) in formatters.iter().zip(batch.columns()) {
                let null = column.is_null(row);
                cells.push((one_line(&formatter.value(row).try_to_string()?), null));
            }
            rows.push(cells);
        }
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in &rows {
        for (w, (cell, _)) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    if let Some(max) = style.max_width {
        fit(&mut widths, max);
    }

    let mut out = String::new();
    let rule = rule(&widths);
    out.push_str(&rule);
    let headers = headers.iter().map(|h| (h.as_str(), true));
    out.push_str(&line(headers, &widths, style.color, Cell::Header));
    out.push_str(&rule);
    for row in &rows {
        let cells = row.iter().map(|(c, null)| (c.as_str(), *null));
        out.push_str(&line(cells, &widths, style.color, Cell::Value));
    }
    out.push_str(&rule);
    out.push_str(&footer(rows.len(), style));
    Ok(out)
}

/// `(2 rows)`, or `(2 rows, 0.153 s)` with an elapsed time.
fn footer(n: usize, style: &TableStyle) -> String {
    let noun = if n == 1 { "row" } else { "rows" };
    match style.elapsed {
        Some(t) => format!("({n} {noun}, {:.3} s)\n", t.as_secs_f64()),
        None => format!("({n} {noun})\n"),
    }
}

fn rule(widths: &[usize]) -> String {
    let mut s = String::from("+");
    for w in widths {
        s.push_str(&"-".repeat(w + 2));
        s.push('+');
    }
    s.push('\n');
    s
}

#[derive(Clone, Copy, PartialEq)]
enum Cell {
    Header,
    Value,
}

/// One line of cells `(text, emphasised)`: with colour, headers are bold and NULLs dim.
fn line<'a>(
    cells: impl Iterator<Item = (&'a str, bool)>,
    widths: &[usize],
    color: bool,
    kind: Cell,
) -> String {
    let mut s = String::from("|");
    for ((cell, emphasised), &w) in cells.zip(widths) {
        let (text, pad) = cut(cell, w);
        s.push(' ');
        let escape = match kind {
            _ if !color || !emphasised => None,
            Cell::Header => Some("\x1b[1m"),
            Cell::Value => Some("\x1b[2m"),
        };
        match escape {
            Some(on) => {
                s.push_str(on);
                s.push_str(&text);
                s.push_str("\x1b[0m");
            }
            None => s.push_str(&text),
        }
        s.push_str(&" ".repeat(pad + 1));
        s.push('|');
    }
    s.push('\n');
    s
}

/// `text` cut to `width` columns (with `…` when cut), and the padding that fills the rest.
fn cut(text: &str, width: usize) -> (String, usize) {
    let full = text.width();
    if full <= width {
        return (text.to_string(), width - full);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width.saturating_sub(1) {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push(ELLIPSIS);
    used += 1;
    (out, width.saturating_sub(used))
}

/// Shrinks the widest columns until a line fits in `max` (each column costs its width plus
/// three for `| ` and ` `, plus one for the last `|`). Columns never go below `MIN_WIDTH` (or
/// their own width): a table of very many columns may still be wider than `max`.
fn fit(widths: &mut [usize], max: usize) {
    let frame = 3 * widths.len() + 1;
    let budget = max.saturating_sub(frame);
    let total: usize = widths.iter().sum();
    if total <= budget {
        return;
    }
    // The largest cap with sum(min(w, cap)) <= budget, found by bisection.
    let widest = widths.iter().copied().max().unwrap_or(0);
    let capped = |cap: usize| -> usize { widths.iter().map(|&w| w.min(cap)).sum() };
    let (mut lo, mut hi) = (MIN_WIDTH, widest);
    if capped(lo) > budget {
        hi = lo;
    }
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if capped(mid) <= budget {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let cap = lo;
    for w in widths.iter_mut() {
        *w = (*w).min(cap);
    }
    // Give what is left of the budget to the cut columns, left to right.
    let mut spare = budget.saturating_sub(widths.iter().sum());
    for w in widths.iter_mut() {
        if spare == 0 {
            break;
        }
        if *w == cap && cap < widest {
            *w += 1;
            spare -= 1;
        }
    }
}

/// A value on one line: line breaks and tabs would break the table's frame.
fn one_line(text: &str) -> String {
    if !text.contains(['\n', '\r', '\t']) {
        return text.to_string();
    }
    text.replace("\r\n", "↵")
        .replace(['\n', '\r'], "↵")
        .replace('\t', " ")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Int64Array, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    use super::*;

    fn batch() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("name", DataType::Utf8, true),
            Field::new("comment", DataType::Utf8, true),
        ]));
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(vec![1, 2, 3])),
            Arc::new(StringArray::from(vec![Some("ada"), None, Some("名前")])),
            Arc::new(StringArray::from(vec![
                Some("a rather long comment that will not fit in a narrow terminal"),
                Some("two\nlines"),
                None,
            ])),
        ];
        RecordBatch::try_new(schema, columns).unwrap()
    }

    /// Compares with `tests/snapshots/<name>.txt`; `UPDATE_SNAPSHOTS=1` rewrites it.
    fn snapshot(name: &str, actual: &str) {
        let path = format!("{}/tests/snapshots/{name}.txt", env!("CARGO_MANIFEST_DIR"));
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, actual).unwrap();
            return;
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{path}: {e}; run with UPDATE_SNAPSHOTS=1"));
        assert_eq!(actual, expected, "snapshot {name} differs");
    }

    fn draw(style: TableStyle) -> String {
        let b = batch();
        render(&b.schema(), &[b], &style).unwrap()
    }

    #[test]
    fn whole_when_there_is_no_width() {
        snapshot("table_whole", &draw(TableStyle::default()));
    }

    #[test]
    fn cut_to_40_columns() {
        let s = draw(TableStyle {
            max_width: Some(40),
            ..TableStyle::default()
        });
        for line in s.lines() {
            assert!(line.width() <= 40, "{line:?} is {} wide", line.width());
        }
        snapshot("table_40", &s);
    }

    #[test]
    fn too_narrow_keeps_the_minimum_width() {
        snapshot(
            "table_10",
            &draw(TableStyle {
                max_width: Some(10),
                ..TableStyle::default()
            }),
        );
    }

    #[test]
    fn colour_and_elapsed_time() {
        snapshot(
            "table_color",
            &draw(TableStyle {
                max_width: None,
                color: true,
                elapsed: Some(Duration::from_millis(1234)),
            }),
        );
    }

    #[test]
    fn empty_result_keeps_the_header() {
        let b = batch();
        let s = render(&b.schema(), &[], &TableStyle::default()).unwrap();
        assert_eq!(
            s,
            "+----+------+---------+\n| id | name | comment |\n+----+------+---------+\n+----+------+---------+\n(0 rows)\n"
        );
    }

    #[test]
    fn a_result_without_columns_is_only_the_footer() {
        let schema = Arc::new(Schema::empty());
        assert_eq!(
            render(&schema, &[], &TableStyle::default()).unwrap(),
            "(0 rows)\n"
        );
    }

    #[test]
    fn cutting_counts_display_width() {
        assert_eq!(cut("名前名前", 5), ("名前…".to_string(), 0));
        assert_eq!(cut("abc", 5), ("abc".to_string(), 2));
        assert_eq!(cut("abcdef", 4), ("abc…".to_string(), 0));
    }
}
