//! DataFrame operations: select, filter, new columns, grouping with aggregates, sorting and
//! SQL on a temporary view. Every step builds a plan locally; only `show`/`collect` run it.
//!
//! `SPARK_REMOTE=sc://127.0.0.1:15002 cargo run -p databricks-connect --example dataframe_operations`

use databricks_connect::functions::{avg, count, max, upper};
use databricks_connect::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spark = DatabricksSession::builder().get_or_create().await?;

    // A small table of orders, made on the server from SQL.
    let orders = spark
        .sql(
            "SELECT * FROM VALUES
                (1, 'alice', 'books', 12.50), (2, 'bob', 'games', 59.99),
                (3, 'alice', 'games', 19.99), (4, 'carol', 'books', 7.25),
                (5, 'bob', 'books', 30.00), (6, 'carol', 'music', 11.00)
             AS orders(id, customer, category, amount)",
        )
        .await?;

    println!("Orders over 10, with a size label and the customer's name in capitals:");
    orders
        .filter(col("amount").gt(10))
        .with_column("customer", upper(col("customer")))
        .with_column(
            "size",
            when(col("amount").ge(30), lit("large")).otherwise(lit("small")),
        )
        .select(["id", "customer", "category", "amount", "size"])
        .order_by(col("amount").desc())
        .show(20)
        .await?;

    println!("Per category: the number of orders, the average and the largest amount:");
    orders
        .group_by("category")
        .agg([
            count(col("id")).alias("orders"),
            avg(col("amount")).alias("average"),
            max(col("amount")).alias("largest"),
        ])
        .order_by([col("orders").desc(), col("category").asc()])
        .show(20)
        .await?;

    // SQL expressions mix with DataFrame calls.
    let spend = orders
        .select_expr(["customer", "amount * 1.2 AS with_tax"])
        .filter(expr("with_tax > 20"));
    println!(
        "Orders whose amount with tax is over 20: {}",
        spend.count().await?
    );

    // A temporary view makes a DataFrame available to SQL in this session.
    orders.create_or_replace_temp_view("orders").await?;
    let top = spark
        .sql("SELECT customer, sum(amount) AS total FROM orders GROUP BY customer ORDER BY total DESC LIMIT 1")
        .await?
        .collect()
        .await?;
    println!(
        "The best customer:\n{}",
        databricks_connect::arrow::pretty::pretty_format_batches(&top)?
    );
    Ok(())
}
