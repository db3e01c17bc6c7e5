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

    /// `dbconnect shell` in a new terminal.
    fn start(name: &str) -> Tmux {
        Tmux::start_with(name, "shell")
    }

    /// `dbconnect --remote <test server> <args>` in a new terminal; `args` is shell text,
    /// `$HOME` is the test's own folder.
    fn start_with(name: &str, args: &str) -> Tmux {
        Tmux::start_on(name, &test_support::test_remote(), args)
    }

    /// `dbconnect --remote <remote> <args>` in a new terminal.
    fn start_on(name: &str, remote: &str, args: &str) -> Tmux {
        Tmux::start_raw(name, &format!("--remote '{remote}' {args}"))
    }

    /// `dbconnect <args>` in a new terminal, with `SSL_CERT_FILE` passed on; `args` is shell
    /// text, `$HOME` is the test's own folder.
    fn start_raw(name: &str, args: &str) -> Tmux {
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
        let ca = std::env::var("SSL_CERT_FILE").unwrap_or_default();
        let command = format!(
            "export HOME={} TERM=xterm NO_COLOR=1 SSL_CERT_FILE='{ca}'; {} {args}; sleep 30",
            tmux.home.display(),
            env!("CARGO_BIN_EXE_dbconnect"),
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

#[test]
fn the_shell_starts_a_new_session_when_the_server_ended_its_session() {
    // The server ends sessions idle for a few seconds, as a workspace ends idle ones.
    let (remote, idle) = test_support::short_session_remote();
    let t = Tmux::start_on("session-end", &remote, "shell");
    t.wait_for("dbconnect>", 1);
    t.literal("CREATE OR REPLACE TEMP VIEW shell_kept AS SELECT 1 AS x;");
    t.keys(&["Enter"]);
    t.wait_for("dbconnect>", 2);
    std::thread::sleep(idle);

    t.literal("SELECT * FROM shell_kept;");
    t.keys(&["Enter"]);
    let screen = t.wait_for("Started a new session.", 1);
    assert!(
        screen.contains("dbconnect: the session has ended: the server closed it (it was idle longer than the server's session timeout"),
        "{screen}"
    );
    assert!(
        screen.contains("Temporary views and settings of the old session are gone."),
        "{screen}"
    );
    assert!(screen.contains("Run the statement again."), "{screen}");
    // The new session answers; the old one's view is gone with it.
    t.literal("SELECT 40 + 2 AS answer;");
    t.keys(&["Enter"]);
    t.wait_for("| 42     |", 1);
    t.literal("SELECT * FROM shell_kept;");
    t.keys(&["Enter"]);
    let screen = t.wait_for("TABLE_OR_VIEW_NOT_FOUND", 1);
    assert_eq!(
        screen.matches("Started a new session.").count(),
        1,
        "{screen}"
    );
}

/// 6 tasks (6 partitions) sleeping 2 x 700 ms each on the server: about 4 s on 2 cores, with
/// reports every 2 s (the server's default interval), and no CPU spent.
const SLOW: &str = "SELECT count(*) AS n FROM range(0, 12, 1, 6) WHERE reflect('java.lang.Thread', 'sleep', 700L) = 'null'";

/// The bar's text while a query runs, e.g. `[###---]  stages 0/1  tasks 2/6  2.9 s`.
const BAR: &str = "  tasks ";

/// The result of [`SLOW`] in a table, its count computed here: 12 rows pass the filter.
const SLOW_RESULT: &str = "| 12 |";

#[test]
fn a_long_query_shows_a_progress_bar_on_the_terminal_then_clears_it() {
    let t = Tmux::start_with("progress", &format!("sql \"{SLOW}\""));
    let screen = t.wait_for(BAR, 1);
    assert!(screen.contains("  stages "), "{screen}");
    // The first report may come before the stage starts (`tasks 0/0`); a later one has the
    // stage's 6 tasks.
    t.wait_for("/6  ", 1);
    let screen = t.wait_for("(1 row", 1);
    assert!(screen.contains(SLOW_RESULT), "{screen}");
    assert!(!screen.contains(BAR), "the bar is cleared: {screen}");
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal_or_with_no_progress() {
    // Standard output is the terminal, standard error a file.
    let t = Tmux::start_with(
        "progress-file",
        &format!("sql \"{SLOW}\" 2>\"$HOME/err.txt\""),
    );
    let screen = t.wait_for("(1 row", 1);
    assert!(screen.contains(SLOW_RESULT), "{screen}");
    assert!(!screen.contains(BAR), "{screen}");
    let err = std::fs::read(t.home.join("err.txt")).expect("stderr was written to the file");
    assert!(
        err.is_empty(),
        "no progress bytes: {:?}",
        String::from_utf8_lossy(&err)
    );

    // --no-progress on a terminal: no bar at any time.
    let t = Tmux::start_with("progress-off", &format!("--no-progress sql \"{SLOW}\""));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let screen = t.screen();
        assert!(!screen.contains(BAR), "{screen}");
        if screen.contains("(1 row") {
            assert!(screen.contains(SLOW_RESULT), "{screen}");
            break;
        }
        assert!(Instant::now() < deadline, "{screen}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn ctrl_c_stops_a_query_clears_the_bar_and_removes_an_unfinished_parquet_file() {
    let t = Tmux::start_with(
        "progress-ctrl-c",
        &format!(
            "sql \"{SLOW}\" --output parquet --file \"$HOME/cli_out.parquet\"; echo \"exit $?\""
        ),
    );
    t.wait_for(BAR, 1);
    let file = t.home.join("cli_out.parquet");
    assert!(file.exists(), "the file is created before the query runs");
    t.keys(&["C-c"]);
    let screen = t.wait_for("exit 130", 1);
    assert!(screen.contains("dbconnect: error: interrupted"), "{screen}");
    assert!(!screen.contains(BAR), "the bar is cleared: {screen}");
    assert!(!file.exists(), "the unfinished file is removed");
}

#[test]
fn the_shell_shows_the_progress_bar_too() {
    let t = Tmux::start("progress-shell");
    t.wait_for("dbconnect>", 1);
    t.literal(&format!("{SLOW};"));
    t.keys(&["Enter"]);
    t.wait_for(BAR, 1);
    let screen = t.wait_for("(1 row", 1);
    assert!(screen.contains(SLOW_RESULT), "{screen}");
    let screen = t.wait_for("dbconnect>", 2);
    assert!(!screen.contains(BAR), "the bar is cleared: {screen}");
}

#[test]
fn parquet_never_goes_to_the_terminal() {
    let t = Tmux::start_with("parquet-tty", "sql 'SELECT 1 AS one' --output parquet");
    let screen = t.wait_for("dbconnect: error:", 1);
    assert!(
        screen.contains(
            "Parquet is binary and standard output is a terminal: give --file PATH, or redirect"
        ),
        "{screen}"
    );
    let t = Tmux::start_with("parquet-shell", "shell --output parquet");
    let screen = t.wait_for("dbconnect: error:", 1);
    assert!(screen.contains("cannot write Parquet"), "{screen}");
}

/// Runs SQL in a session of its own, as another user of the server would.
fn sql_elsewhere(sql: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_dbconnect"))
        .args(["--remote", &test_support::test_remote(), "sql", sql])
        .output()
        .expect("runs dbconnect");
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Drops the test's database, whatever happened.
struct DropDatabase;

impl Drop for DropDatabase {
    fn drop(&mut self) {
        let _ = Command::new(env!("CARGO_BIN_EXE_dbconnect"))
            .args([
                "--remote",
                &test_support::test_remote(),
                "sql",
                "DROP DATABASE IF EXISTS cli_db_x CASCADE",
            ])
            .output();
    }
}

#[test]
fn catalogs_schemas_tables_and_columns_complete_and_refresh() {
    sql_elsewhere("DROP DATABASE IF EXISTS cli_db_x CASCADE");
    let _cleanup = DropDatabase;
    let t = Tmux::start("names");
    t.wait_for("dbconnect>", 1);

    // No such schema yet: Tab completes nothing, and the names are now cached.
    t.literal("SHOW TABLES IN cli_db");
    t.keys(&["Tab"]);
    t.literal(";");
    t.keys(&["Enter"]);
    t.wait_for("dbconnect: error:", 1);
    t.wait_for("dbconnect> SHOW TABLES IN cli_db;", 1);

    // Another session creates it: the cached names do not have it until \refresh.
    sql_elsewhere("CREATE DATABASE cli_db_x");
    sql_elsewhere("CREATE VIEW cli_db_x.cli_events AS SELECT 1 AS cli_id, 'a' AS cli_name");
    t.literal("SHOW TABLES IN cli_db");
    t.keys(&["Tab"]);
    t.literal(";");
    t.keys(&["Enter"]);
    t.wait_for("dbconnect> SHOW TABLES IN cli_db;", 2);
    t.wait_for("dbconnect: error:", 2);
    t.literal("\\refresh");
    t.keys(&["Enter"]);
    t.wait_for("will be fetched again", 1);
    t.literal("SHOW TABLES IN cli_db");
    t.keys(&["Tab"]);
    t.wait_for("SHOW TABLES IN cli_db_x", 1);
    t.literal(";");
    t.keys(&["Enter"]);
    t.wait_for("| cli_events", 1);

    // Catalog, then schema, then table, then a column of that table.
    t.literal("SELECT cli_id FROM spark_cat");
    t.keys(&["Tab"]);
    t.wait_for("FROM spark_catalog", 1);
    t.literal(".cli_d");
    t.keys(&["Tab"]);
    t.wait_for("FROM spark_catalog.cli_db_x", 1);
    t.literal(".cli_ev");
    t.keys(&["Tab"]);
    t.wait_for("FROM spark_catalog.cli_db_x.cli_events", 1);
    t.literal(" WHERE cli_na");
    t.keys(&["Tab"]);
    t.wait_for("WHERE cli_name", 1);
    t.literal(" = 'a';");
    t.keys(&["Enter"]);
    t.wait_for("(1 row", 1);

    // DDL in the shell fetches the names again by itself.
    t.literal("CREATE VIEW cli_db_x.cli_more AS SELECT 2 AS cli_id;");
    t.keys(&["Enter"]);
    t.wait_for("(0 rows", 1);
    t.literal("SELECT * FROM cli_db_x.cli_mo");
    t.keys(&["Tab"]);
    t.wait_for("FROM cli_db_x.cli_more", 1);
    t.literal(";");
    t.keys(&["Enter"]);
    t.wait_for("| 2      |", 1);
}

#[test]
fn a_starting_cluster_shows_a_status_line_on_the_terminal_then_clears_it() {
    use test_support::gateway::{Gateway, GatewayConfig};
    const PAT: &str = "dapi-shell-status-0123456789";
    const CLUSTER: &str = "0123-456789-status";
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let gw = runtime.block_on(Gateway::start(
        GatewayConfig::new(&test_support::test_remote())
            .pat(PAT)
            .cluster(CLUSTER, "TERMINATED")
            .cluster_start_time(Some(Duration::from_secs(6))),
    ));
    let t = Tmux::start_raw(
        "cluster-wait",
        &format!(
            "--host {} --token {PAT} --cluster-id {CLUSTER} sql \"SELECT 'ready' AS state\"",
            gw.url()
        ),
    );
    let screen = t.wait_for(&format!("cluster {CLUSTER} is starting (PENDING), "), 1);
    assert!(!screen.contains(PAT), "{screen}");
    let screen = t.wait_for("(1 row", 1);
    assert!(screen.contains("| ready |"), "{screen}");
    assert!(
        !screen.contains("is starting (PENDING)"),
        "the status line is cleared: {screen}"
    );
    assert_eq!(gw.cluster_starts(CLUSTER), 1);
    drop(t);
    drop(gw);
}
