//! `dbconnect shell` driven as a person would drive it: in a real terminal (a tmux pane),
//! typing keys and reading the screen, against the real local Spark Connect server.
//!
//! Needs `tmux` (`.ci/run` installs it when missing); without it the test fails, saying so.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
    home: PathBuf,
}

impl Tmux {
    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("runs tmux")
    }

    fn start(name: &str) -> Tmux {
        // A terminal test that quietly passes without a terminal would prove nothing.
        assert!(
            Command::new("tmux").arg("-V").output().is_ok(),
            "tmux is not installed: the shell is tested in a real terminal (Debian: apt-get install tmux)"
        );
        let home =
            std::env::temp_dir().join(format!("dbconnect-shell-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).unwrap();
        let tmux = Tmux {
            socket: format!("dbconnect-test-{name}-{}", std::process::id()),
            home,
        };
        let command = format!(
            "env HOME={} TERM=xterm NO_COLOR=1 {} --remote {} shell; sleep 30",
            tmux.home.display(),
            env!("CARGO_BIN_EXE_dbconnect"),
            test_support::test_remote(),
        );
        let out = tmux.tmux(&[
            "new-session",
            "-d",
            "-x",
            "120",
            "-y",
            "50",
            "-s",
            "t",
            &command,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(
            &self
                .tmux(&["capture-pane", "-p", "-t", "t", "-S", "-500"])
                .stdout,
        )
        .into_owned()
    }

    /// Waits until the screen holds `text` `times` times.
    fn wait_for(&self, text: &str, times: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if screen.matches(text).count() >= times {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {text:?} x{times}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn keys(&self, keys: &[&str]) {
        for key in keys {
            let out = self.tmux(&["send-keys", "-t", "t", key]);
            assert!(out.status.success());
        }
    }

    fn literal(&self, text: &str) {
        // tmux reads an argument ending in `;` as a command separator unless it is escaped.
        let text = match text.strip_suffix(';') {
            Some(rest) => format!("{rest}\\;"),
            None => text.to_string(),
        };
        let out = self.tmux(&["send-keys", "-t", "t", "-l", &text]);
        assert!(out.status.success());
    }

    fn history(&self) -> String {
        std::fs::read_to_string(self.home.join(".dbconnect_history")).unwrap_or_default()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
        let _ = std::fs::remove_dir_all(Path::new(&self.home));
    }
}

#[test]
fn a_session_at_the_terminal() {
    let t = Tmux::start("session");
    t.wait_for("dbconnect>", 1);

    // A multi-line statement: the first line does not end with ';', so the shell waits.
    t.literal("CREATE OR REPLACE TEMP VIEW shell_fruit AS");
    t.keys(&["Enter"]);
    t.literal("SELECT 'apple' AS name, 3 AS qty;");
    t.keys(&["Enter"]);
    t.wait_for("dbconnect>", 2);

    // Completion of a table name fetched from the server.
    t.literal("SELECT name, qty FROM shell_fr");
    t.keys(&["Tab"]);
    t.wait_for("FROM shell_fruit", 1);
    t.literal(";");
    t.keys(&["Enter"]);
    let screen = t.wait_for("(1 row", 1);
    assert!(screen.contains("| apple | 3   |"), "{screen}");

    // A failing query: a clear error, and the shell goes on.
    t.literal("SELECT * FROM no_such_table_shell;");
    t.keys(&["Enter"]);
    let screen = t.wait_for("dbconnect: error:", 1);
    assert!(screen.contains("no_such_table_shell"), "{screen}");
    t.literal("SELECT 40 + 2 AS answer;");
    t.keys(&["Enter"]);
    t.wait_for("| 42     |", 1);

    // Ctrl-C cancels a long query (a server-side sleep, which costs the server no CPU if the
    // interrupt were lost); the server is told to stop it and the shell stays.
    t.literal("SELECT reflect('java.lang.Thread', 'sleep', 60000L) AS slept;");
    t.keys(&["Enter"]);
    std::thread::sleep(Duration::from_secs(2));
    t.keys(&["C-c"]);
    let screen = t.wait_for("Cancelled", 1);
    assert!(
        screen.contains("the server stopped 1 operation."),
        "{screen}"
    );
    t.literal("\\tables shell*");
    t.keys(&["Enter"]);
    t.wait_for("| shell_fruit |", 1);

    t.literal("\\quit");
    t.keys(&["Enter"]);
    // The process has ended: the pane's command goes on to its `sleep`, and the history holds
    // what was typed, the multi-line statement as one entry.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !t.history().contains("\\quit") {
        assert!(Instant::now() < deadline, "history: {}", t.history());
        std::thread::sleep(Duration::from_millis(100));
    }
    let history = t.history();
    assert!(
        history.contains("SELECT name, qty FROM shell_fruit;"),
        "{history}"
    );
    assert!(history.contains("shell_fruit AS"), "{history}");
}
