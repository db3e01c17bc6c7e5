//! Writing a table: create it from a DataFrame, add rows, read it back; then the same data
//! as Parquet files, partitioned by a column.
//!
//! `SPARK_REMOTE=sc://127.0.0.1:15002 cargo run -p databricks-connect --example write_a_table`
//!
//! The table is `write_a_table_example` in the current schema (`WRITE_A_TABLE_NAME` names
//! another, e.g. `main.default.sales` on Databricks); it is replaced on every run. The files go
//! to a directory under the system's temporary directory, which must be one the server can
//! write: run it against a server on this machine, or set `WRITE_A_TABLE_PATH` (a Volume path
//! such as `/Volumes/main/default/files/sales` on Databricks).

use databricks_connect::functions::sum;
use databricks_connect::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spark = DatabricksSession::builder().get_or_create().await?;
    let table =
        std::env::var("WRITE_A_TABLE_NAME").unwrap_or_else(|_| "write_a_table_example".into());

    let sales = spark
        .sql(
            "SELECT * FROM VALUES
                (DATE'2024-01-05', 'north', 120.50), (DATE'2024-01-05', 'south', 80.00),
                (DATE'2024-01-06', 'north', 99.90)
             AS sales(day, region, amount)",
        )
        .await?;

    // Create (or replace) the table with these rows.
    sales
        .write()
        .mode("overwrite")
        .save_as_table(&table)
        .await?;

    // Add a day: insert_into matches columns by position; Some(false) appends.
    let more = spark
        .sql("SELECT DATE'2024-01-07' AS day, 'south' AS region, 45.25 AS amount")
        .await?;
    more.write().insert_into(&table, Some(false)).await?;

    println!("The table {table}:");
    spark
        .read()
        .table(&table)
        .order_by([col("day"), col("region")])
        .show(20)
        .await?;

    // The same rows as Parquet files, one directory per region (`region=north/`).
    let path = match std::env::var("WRITE_A_TABLE_PATH") {
        Ok(path) => path,
        // Paths go to the server as text: a temporary directory that is not UTF-8 is an
        // error, not a lossy copy pointing somewhere else.
        Err(_) => std::env::temp_dir()
            .join("write_a_table_example")
            .into_os_string()
            .into_string()
            .map_err(|p| {
                format!("the temporary directory {p:?} is not UTF-8; set WRITE_A_TABLE_PATH")
            })?,
    };
    spark
        .table(&table)
        .write()
        .mode(SaveMode::Overwrite)
        .partition_by("region")
        .parquet(&path)
        .await?;
    println!("Written to {path}; the total per region, read back from the files:");
    spark
        .read()
        .parquet(path.as_str())
        .group_by("region")
        .agg(sum(col("amount")).alias("total"))
        .order_by("region")
        .show(20)
        .await?;
    Ok(())
}
