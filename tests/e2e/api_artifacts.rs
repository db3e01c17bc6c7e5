//! Large local data through cached artifacts: above the server's
//! `spark.sql.session.localRelationCacheThreshold` the data is uploaded with `AddArtifacts`
//! and the plan names it by hash (`ChunkedCachedLocalRelation`).

use databricks_connect::functions::{col, lit};
use databricks_connect::proto::relation::RelType;
use databricks_connect::{DataFrame, DatabricksSession, SparkSession};
use serde::{Deserialize, Serialize};

use crate::session;

const THRESHOLD: &str = "spark.sql.session.localRelationCacheThreshold";

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Line {
    id: i64,
    text: String,
}

/// About 2.2 MB of Arrow IPC for 40 000 rows.
fn lines(n: i64) -> Vec<Line> {
    (0..n)
        .map(|i| Line {
            id: i,
            text: format!("typed line {i:08} {}", "ąbcdefghij".repeat(3)),
        })
        .collect()
}

fn chunk_hashes(df: &DataFrame) -> Vec<String> {
    match &df.to_proto().rel_type {
        Some(RelType::ChunkedCachedLocalRelation(r)) => {
            assert_eq!(r.schema_hash, None);
            r.data_hashes.clone()
        }
        other => panic!("expected a chunked cached local relation, got {other:?}"),
    }
}

/// Checks the DataFrame holds exactly `rows`, with aggregates computed by the server.
async fn assert_holds(df: &DataFrame, rows: &[Line]) {
    #[derive(Deserialize, Debug, PartialEq)]
    struct Totals {
        n: i64,
        ids: i64,
        chars: i64,
        bytes: i64,
    }
    let totals: Vec<Totals> = df
        .select_expr([
            "count(*) AS n",
            "sum(id) AS ids",
            "sum(char_length(text)) AS chars",
            "sum(octet_length(text)) AS bytes",
        ])
        .collect_as()
        .await
        .unwrap();
    assert_eq!(
        totals,
        [Totals {
            n: rows.len() as i64,
            ids: rows.iter().map(|r| r.id).sum(),
            chars: rows.iter().map(|r| r.text.chars().count() as i64).sum(),
            bytes: rows.iter().map(|r| r.text.len() as i64).sum(),
        }]
    );
    let picks = [0usize, 12_345, rows.len() - 1];
    let some: Vec<Line> = df
        .filter(col("id").isin(picks.map(|i| lit(i as i64))))
        .order_by([col("id")])
        .collect_as()
        .await
        .unwrap();
    assert_eq!(some, picks.map(|i| rows[i].clone()));
}

async fn all_cached(spark: &SparkSession, hashes: &[String]) -> bool {
    let names: Vec<String> = hashes.iter().map(|h| format!("cache/{h}")).collect();
    let status = spark.client().artifact_status(&names).await.unwrap();
    names.iter().all(|n| status[n])
}

#[tokio::test]
async fn data_above_the_threshold_is_uploaded_once_as_cached_chunks() {
    let spark = session().await;
    spark.conf().set(THRESHOLD, 1 << 20).await.unwrap();
    let rows = lines(40_000);

    let df = spark.create_dataframe_from(&rows).await.unwrap();
    let hashes = chunk_hashes(&df);
    // 40 000 rows, at most spark.sql.session.localRelationChunkSizeRows (10 000) per chunk.
    assert!(hashes.len() >= 4, "{hashes:?}");
    for h in &hashes {
        assert!(
            h.len() == 64
                && h.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{h}"
        );
    }
    let stats = spark.artifact_stats();
    assert_eq!(stats.cached_relations, 1);
    assert_eq!(stats.uploaded, hashes.len() as u64);
    assert_eq!(stats.already_cached, 0);
    assert!(stats.uploaded_bytes > 1 << 20, "{stats:?}");
    assert!(all_cached(&spark, &hashes).await);
    assert_holds(&df, &rows).await;

    // The same data again: the server has every chunk, nothing is uploaded.
    let again = spark.create_dataframe_from(&rows).await.unwrap();
    assert_eq!(chunk_hashes(&again), hashes);
    let after = spark.artifact_stats();
    assert_eq!(after.uploaded, stats.uploaded);
    assert_eq!(after.uploaded_bytes, stats.uploaded_bytes);
    assert_eq!(after.already_cached, hashes.len() as u64);
    assert_eq!(after.cached_relations, 2);
    assert_eq!(again.count().await.unwrap(), rows.len() as i64);

    // Small data still travels inline, and another session has none of the chunks.
    let small = spark.create_dataframe_from(&lines(10)).await.unwrap();
    assert!(matches!(
        small.to_proto().rel_type,
        Some(RelType::LocalRelation(_))
    ));
    assert_eq!(spark.artifact_stats(), after);
    assert!(!all_cached(&session().await, &hashes).await);
}

#[tokio::test]
async fn arrow_batches_above_the_threshold_are_cached_too() {
    let spark = session().await;
    spark.conf().set(THRESHOLD, 256 << 10).await.unwrap();
    // Arrow batches, built here from the rows' values.
    let rows = lines(20_000);
    let source = spark.create_dataframe_from(&rows[..10]).await.unwrap();
    assert!(matches!(
        source.to_proto().rel_type,
        Some(RelType::LocalRelation(_))
    ));
    use std::sync::Arc;
    let ids = arrow_array::Int64Array::from_iter_values(rows.iter().map(|r| r.id));
    let texts = arrow_array::StringArray::from_iter_values(rows.iter().map(|r| r.text.as_str()));
    let batch = arrow_array::RecordBatch::try_from_iter([
        ("id", Arc::new(ids) as arrow_array::ArrayRef),
        ("text", Arc::new(texts) as arrow_array::ArrayRef),
    ])
    .unwrap();
    let (a, b) = (batch.slice(0, 7_000), batch.slice(7_000, 13_000));
    let df = spark.create_dataframe(&[a, b]).await.unwrap();
    let hashes = chunk_hashes(&df);
    assert!(hashes.len() >= 2, "{hashes:?}");
    assert_eq!(spark.artifact_stats().uploaded, hashes.len() as u64);
    assert_holds(&df, &rows).await;
}

#[tokio::test]
async fn cached_chunks_keep_every_message_under_a_small_grpc_limit() {
    // 512 KiB for every message this client sends or receives; the data is about 2.2 MB.
    let remote = format!(
        "{}/;grpc_max_message_size={}",
        test_support::test_remote(),
        512 * 1024
    );
    let connect = || async {
        DatabricksSession::builder()
            .remote(remote.clone())
            .create()
            .await
            .unwrap()
    };
    let rows = lines(40_000);

    // Inline, the plan alone is larger than the limit.
    let inline = connect().await;
    inline.conf().set(THRESHOLD, 1 << 30).await.unwrap();
    let df = inline.create_dataframe_from(&rows).await.unwrap();
    assert!(matches!(
        df.to_proto().rel_type,
        Some(RelType::LocalRelation(_))
    ));
    let e = df.count().await.unwrap_err();
    assert!(e.to_string().contains("too large"), "{e}");

    // Through cached artifacts, sent in 32 KiB pieces, it works.
    let spark = connect().await;
    spark.conf().set(THRESHOLD, 1 << 20).await.unwrap();
    let df = spark.create_dataframe_from(&rows).await.unwrap();
    assert!(!chunk_hashes(&df).is_empty());
    assert!(spark.artifact_stats().uploaded_bytes > 2 * 512 * 1024);
    assert_holds(&df, &rows).await;
}
