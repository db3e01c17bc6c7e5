//! A program that starts a long query, takes its first batch, drops the result stream and
//! returns from `main` at once: the test `reliability_exit` runs it and then asks the server
//! whether the query still runs.
//!
//! `drop-stream-at-exit <sc:// connection string> <current_thread|multi_thread> [exit]`; prints
//! the first batch's row count and the operation id on standard output. With `exit`, the
//! program ends with `std::process::exit` right after the drop, inside the runtime, whose
//! tasks then never run again.

use std::process::ExitCode;

use databricks_connect::DatabricksSession;
use futures_util::StreamExt;

/// 200 partitions of two rows, each row sleeping a second on the server: the first batch
/// (partition 0) arrives after about 2 s, the whole result after minutes (2 tasks at a time).
const SLOW: &str = "SELECT id, reflect('java.lang.Thread', 'sleep', 1000L) AS slept \
                    FROM range(0, 400, 1, 200)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(remote), Some(flavor)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: drop-stream-at-exit SC_URL current_thread|multi_thread");
        return ExitCode::from(2);
    };
    let exit_at_once = args.get(3).is_some_and(|a| a == "exit");
    let runtime = match flavor.as_str() {
        "current_thread" => tokio::runtime::Builder::new_current_thread(),
        "multi_thread" => tokio::runtime::Builder::new_multi_thread(),
        other => {
            eprintln!("unknown runtime flavor {other}");
            return ExitCode::from(2);
        }
    }
    .enable_all()
    .build()
    .expect("a tokio runtime");
    let result = runtime.block_on(async {
        let spark = DatabricksSession::builder().remote(remote).create().await?;
        let mut stream = spark.sql(SLOW).await?.stream().await?;
        let first = stream.next().await.expect("a first batch")?;
        println!(
            "{} rows in operation {}",
            first.num_rows(),
            stream.operation_id()
        );
        // Dropped before its end, and the program ends at once.
        drop(stream);
        if exit_at_once {
            std::process::exit(0);
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("drop-stream-at-exit: {e}");
            ExitCode::FAILURE
        }
    }
}
