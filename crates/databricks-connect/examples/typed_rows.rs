//! Typed rows: a DataFrame from Rust structs, and results read back as Rust structs, with serde.
//!
//! `SPARK_REMOTE=sc://127.0.0.1:15002 cargo run -p databricks-connect --example typed_rows`

use databricks_connect::prelude::*;
use serde::{Deserialize, Serialize};

/// A row: its fields are the columns (`city` string, `population` bigint, `tags` array<string>,
/// `area_km2` nullable double).
#[derive(Serialize, Deserialize, Debug)]
struct City {
    city: String,
    population: i64,
    tags: Vec<String>,
    area_km2: Option<f64>,
}

/// A result row, read by column name.
#[derive(Deserialize, Debug)]
struct Summary {
    tag: String,
    cities: i64,
    people: i64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spark = DatabricksSession::builder().get_or_create().await?;

    let cities = vec![
        City {
            city: "Zürich".into(),
            population: 421_878,
            tags: vec!["lake".into(), "alps".into()],
            area_km2: Some(87.88),
        },
        City {
            city: "Genève".into(),
            population: 203_856,
            tags: vec!["lake".into()],
            area_km2: Some(15.93),
        },
        City {
            city: "Chur".into(),
            population: 37_858,
            tags: vec!["alps".into()],
            area_km2: None,
        },
    ];
    let df = spark.create_dataframe_from(&cities).await?;
    df.print_schema().await?;

    // Spark does the work; the result comes back as `Summary` values.
    let per_tag: Vec<Summary> = df
        .select_expr(["explode(tags) AS tag", "population"])
        .group_by(["tag"])
        .agg([
            databricks_connect::functions::count(col("population")).alias("cities"),
            databricks_connect::functions::sum(col("population")).alias("people"),
        ])
        .order_by([col("tag")])
        .collect_as()
        .await?;
    for s in &per_tag {
        println!("{:>5}: {} cities, {} people", s.tag, s.cities, s.people);
    }

    // Large results: rows decoded a batch at a time as they arrive.
    let mut big = df
        .filter(col("population").gt(100_000))
        .stream_as::<City>()
        .await?;
    while let Some(city) = big.next().await {
        println!("large: {:?}", city?);
    }

    // Local data above the server's spark.sql.session.localRelationCacheThreshold is uploaded
    // as cached artifacts rather than sent inside the plan.
    let many: Vec<City> = (0..50_000)
        .map(|i| City {
            city: format!("town {i}"),
            population: i,
            tags: vec![],
            area_km2: None,
        })
        .collect();
    let towns = spark.create_dataframe_from(&many).await?;
    println!(
        "{} towns; {:?}",
        towns.count().await?,
        spark.artifact_stats()
    );
    Ok(())
}
