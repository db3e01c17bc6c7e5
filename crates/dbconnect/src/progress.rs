//! The progress bar of a running query: one line on standard error, redrawn in place.
//!
//! Shown only when standard error is a terminal (and `--no-progress` was not given), and only
//! once the server has sent a progress report (Spark 4 sends one every
//! `spark.connect.progress.reportInterval`, 2 s by default), so quick queries never show it.
//! It is cleared before results are written.

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use databricks_connect::{ExecutionProgress, ProgressWatch};

/// How often the bar is redrawn (the elapsed time moves even between reports).
const REDRAW: Duration = Duration::from_millis(250);

/// Whether the status line of a cluster wait is on screen.
static STATUS_SHOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Draws a wait for the cluster as one status line on standard error, redrawn in place
/// (`cluster 0123-… is starting (PENDING), 1m20s`); removes it once the cluster runs. For
/// `on_cluster_wait`, when [`wanted`].
pub fn show_cluster_wait(wait: &databricks_connect::ClusterWait) {
    if wait.state.is_usable() {
        clear_status();
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r\x1b[2K{wait}");
    let _ = err.flush();
    STATUS_SHOWN.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Removes the status line of a cluster wait, if it is shown.
pub fn clear_status() {
    if STATUS_SHOWN.swap(false, std::sync::atomic::Ordering::Relaxed) {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K");
        let _ = err.flush();
    }
}

/// Whether a progress bar may be drawn: standard error is a terminal and it was not turned off.
pub fn wanted(no_progress: bool) -> bool {
    !no_progress && std::io::stderr().is_terminal()
}

/// The bar of one query.
pub struct Bar {
    watch: Option<ProgressWatch>,
    started: Instant,
    shown: bool,
}

impl Bar {
    /// A bar that draws `watch`'s reports, or nothing when `watch` is `None`; `started` is when
    /// the query was sent.
    pub fn new(watch: Option<ProgressWatch>, started: Instant) -> Bar {
        Bar {
            watch,
            started,
            shown: false,
        }
    }

    /// Awaits `fut`, redrawing the bar meanwhile. The bar stays on screen afterwards: call
    /// [`clear`](Self::clear) before writing to the terminal.
    pub async fn during<T>(&mut self, fut: impl Future<Output = T>) -> T {
        if self.watch.is_none() {
            return fut.await;
        }
        let mut fut = std::pin::pin!(fut);
        let mut tick = tokio::time::interval(REDRAW);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                result = &mut fut => return result,
                _ = tick.tick() => self.draw(),
            }
        }
    }

    fn draw(&mut self) {
        let Some(progress) = self.watch.as_ref().and_then(ProgressWatch::latest) else {
            return;
        };
        let width = terminal_size::terminal_size_of(std::io::stderr())
            .map_or(80, |(w, _)| usize::from(w.0));
        let line = render(&progress, self.started.elapsed(), width);
        let mut err = std::io::stderr().lock();
        // Carriage return and erase-line: the bar replaces itself.
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
        self.shown = true;
    }

    /// Removes the bar from the screen for good.
    pub fn stop(&mut self) {
        self.clear();
        self.watch = None;
    }

    /// Removes the bar from the screen, if it is shown.
    pub fn clear(&mut self) {
        if self.shown {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.shown = false;
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        // An error or Ctrl-C ends the query with the bar still drawn.
        self.clear();
    }
}

/// The bar's text, at most `width` characters:
/// `[#######-------------]  stages 1/2  tasks 7/20  1.5 MiB read  4.2 s`.
pub fn render(progress: &ExecutionProgress, elapsed: Duration, width: usize) -> String {
    let total = progress.total_tasks();
    let done = progress.completed_tasks().min(total);
    let mut text = format!(
        "stages {}/{}  tasks {done}/{total}",
        progress.stages_done(),
        progress.stages.len()
    );
    let bytes = progress.input_bytes_read();
    if bytes > 0 {
        text.push_str(&format!("  {} read", human_bytes(bytes)));
    }
    text.push_str(&format!("  {:.1} s", elapsed.as_secs_f64()));
    // The bar takes what is left of the line, between 10 and 30 cells; the last column stays
    // free, so that the terminal never wraps the line.
    let room = width.saturating_sub(text.len() + 5).min(30);
    if room < 10 {
        return text.chars().take(width.saturating_sub(1)).collect();
    }
    let filled = if total > 0 {
        (room as i64 * done / total) as usize
    } else {
        0
    };
    format!(
        "[{}{}]  {text}",
        "#".repeat(filled),
        "-".repeat(room - filled)
    )
}

/// `bytes` in B, KiB, MiB, GiB or TiB with one decimal.
fn human_bytes(bytes: i64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use databricks_connect::StageProgress;

    fn stage(num_tasks: i64, num_completed_tasks: i64, bytes: i64, done: bool) -> StageProgress {
        StageProgress {
            stage_id: 0,
            num_tasks,
            num_completed_tasks,
            input_bytes_read: bytes,
            done,
        }
    }

    #[test]
    fn the_bar_shows_stages_tasks_bytes_and_time() {
        let progress = ExecutionProgress {
            stages: vec![
                stage(4, 4, 1024 * 1024, true),
                stage(6, 1, 512 * 1024, false),
            ],
            inflight_tasks: 2,
        };
        assert_eq!(
            render(&progress, Duration::from_millis(4250), 80),
            "[###############---------------]  stages 1/2  tasks 5/10  1.5 MiB read  4.2 s"
        );
        // A narrow terminal: a shorter bar, then none, never a wrapped line.
        let narrow = render(&progress, Duration::from_secs(1), 60);
        assert_eq!(
            narrow,
            "[######------]  stages 1/2  tasks 5/10  1.5 MiB read  1.0 s"
        );
        assert_eq!(narrow.len(), 59);
        assert_eq!(
            render(&progress, Duration::from_secs(1), 30),
            "stages 1/2  tasks 5/10  1.5 M"
        );
        let none = ExecutionProgress::default();
        assert_eq!(
            render(&none, Duration::ZERO, 60),
            "[---------------------------]  stages 0/0  tasks 0/0  0.0 s"
        );
    }

    #[test]
    fn bytes_read_in_binary_units() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024 * 1024), "5.0 GiB");
    }
}
