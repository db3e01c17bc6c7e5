//! Streaming a large result: batches are handled as they arrive, so memory stays bounded by a
//! few batches however many rows the query returns.
//!
//! `SPARK_REMOTE=sc://127.0.0.1:15002 cargo run -p databricks-connect --example streaming_large_result`

use databricks_connect::arrow::array::{Array, cast::AsArray, types::Int64Type};
use databricks_connect::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spark = DatabricksSession::builder().get_or_create().await?;
    let rows: i64 = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(10_000_000);

    let df = spark
        .sql(&format!("SELECT id, id % 7 AS bucket FROM range({rows})"))
        .await?;
    let started = std::time::Instant::now();
    let mut stream = df.stream().await?;
    let (mut batches, mut seen, mut sum) = (0usize, 0i64, 0i64);
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        batches += 1;
        seen += batch.num_rows() as i64;
        // Work on each batch, then let it go.
        let ids = batch.column(0).as_primitive::<Int64Type>();
        sum = ids.iter().flatten().fold(sum, i64::wrapping_add);
        if batches % 250 == 0 {
            println!("{seen} rows so far in {batches} batches");
        }
        debug_assert_eq!(ids.null_count(), 0);
    }
    println!(
        "{seen} rows in {batches} batches, {:.1} s; sum of ids {sum} (expected {})",
        started.elapsed().as_secs_f64(),
        (rows - 1) * rows / 2
    );
    Ok(())
}
