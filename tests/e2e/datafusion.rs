//! The DataFusion provider (feature `datafusion` of this crate): DataFusion queries over Spark
//! tables give the rows Spark gives and the rows DataFusion gives on its own, with projection,
//! filters and limit in the Spark plan, and a local Parquet file joins a Spark table.

use std::sync::Arc;

use arrow_array::RecordBatch;
use databricks_connect::SparkSession;
use databricks_connect::datafusion::engine::arrow::record_batch::RecordBatch as DfBatch;
use databricks_connect::datafusion::engine::datasource::MemTable;
use databricks_connect::datafusion::engine::physical_plan::ExecutionPlan;
use databricks_connect::datafusion::engine::prelude::{ParquetReadOptions, SessionContext};
use databricks_connect::datafusion::{SparkScanExec, SparkTableProvider};
use databricks_connect::proto::relation::RelType;
use databricks_connect::proto::{Relation, expression::ExprType};

/// A table with the kinds of values whose comparisons differ between engines: nulls, -0.0
/// and NaN, text with a newline, `_` and `%`, decimals, dates and timestamps, nested values.
const PEOPLE: &str = "CREATE OR REPLACE TEMP VIEW people AS SELECT * FROM VALUES
    (1, 'alice', 10.5D, CAST(1.50 AS DECIMAL(10,2)), DATE'2024-01-01', TIMESTAMP'2024-01-01 10:00:00', true, 'a\\nb', array('x', 'y')),
    (2, 'bob', -0.0D, CAST(2.25 AS DECIMAL(10,2)), DATE'2024-02-15', TIMESTAMP'2024-02-15 00:00:00', false, 'x_y', array('z')),
    (3, 'carol', 0.0D, CAST(-3.00 AS DECIMAL(10,2)), DATE'2023-12-31', TIMESTAMP'2023-12-31 23:59:59', true, 'x%y', array()),
    (4, 'dave', CAST('NaN' AS DOUBLE), NULL, NULL, NULL, NULL, 'xzy', NULL),
    (5, NULL, NULL, CAST(0.00 AS DECIMAL(10,2)), DATE'2024-03-01', TIMESTAMP'2024-03-01 12:30:00', true, NULL, array(NULL)),
    (6, 'Alice', 1.0D, CAST(99.99 AS DECIMAL(10,2)), DATE'2024-01-02', TIMESTAMP'2024-01-02 00:00:00', false, 'A', array('x'))
    AS people(id, name, score, amount, day, at, active, note, tags)";

async fn people(spark: &SparkSession) -> SessionContext {
    spark.sql(PEOPLE).await.expect("the view is made");
    let provider = SparkTableProvider::table(spark, "people")
        .await
        .expect("provider over the view");
    let ctx = SessionContext::new();
    ctx.register_table("people", Arc::new(provider))
        .expect("registered");
    ctx
}

/// Each row as text, columns joined by `|`, sorted: results compared as sets of rows.
/// Defines `$name`, the rows of batches as `a|b|c` strings, sorted: one body for DataFusion's
/// Arrow and the client's, which are different crate versions with the same display API.
macro_rules! sorted_rows {
    ($name:ident, $batch:ty, $($display:ident)::+) => {
        fn $name(batches: &[$batch]) -> Vec<String> {
            use $($display)::+::{ArrayFormatter, FormatOptions};
            let options = FormatOptions::default().with_null("NULL");
            let mut rows = Vec::new();
            for batch in batches {
                let formatters: Vec<_> = batch
                    .columns()
                    .iter()
                    .map(|c| ArrayFormatter::try_new(c.as_ref(), &options).unwrap())
                    .collect();
                for row in 0..batch.num_rows() {
                    rows.push(
                        formatters
                            .iter()
                            .map(|f| f.value(row).to_string())
                            .collect::<Vec<_>>()
                            .join("|"),
                    );
                }
            }
            rows.sort();
            rows
        }
    };
}

sorted_rows!(
    rows_df,
    DfBatch,
    databricks_connect::datafusion::engine::arrow::util::display
);
sorted_rows!(rows_spark, RecordBatch, arrow_cast::display);

async fn run(ctx: &SessionContext, sql: &str) -> Vec<DfBatch> {
    ctx.sql(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .collect()
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The Spark scans of a physical plan, depth first.
fn spark_scans(plan: &Arc<dyn ExecutionPlan>, out: &mut Vec<Arc<dyn ExecutionPlan>>) {
    let any: &dyn std::any::Any = plan.as_ref();
    if any.is::<SparkScanExec>() {
        out.push(Arc::clone(plan));
    }
    for child in plan.children() {
        spark_scans(child, out);
    }
}

async fn scan_of(ctx: &SessionContext, sql: &str) -> (Relation, String) {
    let plan = ctx
        .sql(sql)
        .await
        .unwrap()
        .create_physical_plan()
        .await
        .unwrap();
    let mut scans = Vec::new();
    spark_scans(&plan, &mut scans);
    assert_eq!(scans.len(), 1, "one Spark scan in the plan of {sql}");
    let any: &dyn std::any::Any = scans[0].as_ref();
    let scan = any.downcast_ref::<SparkScanExec>().unwrap();
    let text = databricks_connect::datafusion::engine::physical_plan::displayable(plan.as_ref())
        .indent(true)
        .to_string();
    (scan.dataframe().to_proto().clone(), text)
}

fn input(rel: &Relation) -> &Relation {
    match rel.rel_type.as_ref().unwrap() {
        RelType::Project(p) => p.input.as_deref().unwrap(),
        RelType::Limit(l) => l.input.as_deref().unwrap(),
        RelType::Filter(f) => f.input.as_deref().unwrap(),
        other => panic!("not a pushed relation: {other:?}"),
    }
}

/// The names of the Spark functions in a condition, depth first.
fn functions(e: &databricks_connect::proto::Expression, out: &mut Vec<String>) {
    if let Some(ExprType::UnresolvedFunction(f)) = &e.expr_type {
        out.push(f.function_name.clone());
        for a in &f.arguments {
            functions(a, out);
        }
    }
}

#[tokio::test]
async fn datafusion_over_spark_gives_the_rows_datafusion_gives_alone() {
    let spark = crate::utc_session().await;
    let ctx = people(&spark).await;
    // The same rows, held by DataFusion itself: every filter below is computed by DataFusion
    // alone there. Pushed-down filters marked exact must not change any answer.
    let all = run(&ctx, "SELECT * FROM people").await;
    assert_eq!(all.iter().map(|b| b.num_rows()).sum::<usize>(), 6);
    let local = MemTable::try_new(all[0].schema(), vec![all]).unwrap();
    ctx.register_table("people_local", Arc::new(local)).unwrap();

    for condition in [
        "id > 2",
        "id <> 3 AND id <= 5",
        "name = 'bob' OR score IS NULL",
        "name >= 'b'",
        "name LIKE 'a%'",
        "name NOT LIKE '%e'",
        "note LIKE 'a%b'",
        "note LIKE 'a_b'",
        "note LIKE 'x\\_y'",
        "note LIKE 'x\\%y'",
        "score = 0.0",
        "score = -0.0",
        "score < 1.0",
        "score IN (0.0, 1.0)",
        "score IS NOT NULL AND NOT (score <> score)",
        "amount > CAST(1.5 AS DECIMAL(10,2))",
        "day BETWEEN DATE '2024-01-01' AND DATE '2024-02-01'",
        "day NOT BETWEEN DATE '2024-01-01' AND DATE '2024-02-01'",
        "id IN (1, 3, 5) AND active",
        "NOT (id NOT IN (2, 4))",
        "active IS NOT TRUE",
        "name IS NOT DISTINCT FROM 'bob'",
        "tags IS NULL",
        "upper(name) = 'ALICE'",
        "at < TIMESTAMP '2024-01-02T00:00:00Z'",
    ] {
        let pushed = rows_df(&run(&ctx, &format!("SELECT * FROM people WHERE {condition}")).await);
        let alone = rows_df(
            &run(
                &ctx,
                &format!("SELECT * FROM people_local WHERE {condition}"),
            )
            .await,
        );
        assert_eq!(pushed, alone, "WHERE {condition}");
    }
    let counted = run(&ctx, "SELECT count(*) FROM people WHERE id > 1").await;
    assert_eq!(rows_df(&counted), ["5"]);
    let limited = run(
        &ctx,
        "SELECT count(*) FROM (SELECT id FROM people WHERE id > 1 LIMIT 2)",
    )
    .await;
    assert_eq!(rows_df(&limited), ["2"]);
}

#[tokio::test]
async fn datafusion_over_spark_gives_the_rows_spark_gives() {
    let spark = crate::utc_session().await;
    let ctx = people(&spark).await;
    for query in [
        "SELECT id, name FROM people WHERE id > 2",
        "SELECT name, amount FROM people WHERE name = 'bob' OR amount IS NULL",
        "SELECT id FROM people WHERE name LIKE 'a%' OR note LIKE 'x\\_y'",
        "SELECT id, day FROM people WHERE day BETWEEN DATE '2024-01-01' AND DATE '2024-02-01'",
        "SELECT id, at FROM people WHERE id IN (1, 3, 5) AND active",
        "SELECT id, tags FROM people WHERE tags IS NOT NULL",
        "SELECT count(*) FROM people",
    ] {
        let through_datafusion = rows_df(&run(&ctx, query).await);
        let spark_alone = rows_spark(&spark.sql(query).await.unwrap().collect().await.unwrap());
        assert_eq!(through_datafusion, spark_alone, "{query}");
    }
}

#[tokio::test]
async fn projection_filters_and_limit_are_in_the_spark_plan() {
    let spark = crate::utc_session().await;
    let ctx = people(&spark).await;

    // Exact filters and the limit go to Spark: Project <- Limit <- Filter <- the table.
    let (rel, text) = scan_of(
        &ctx,
        "SELECT name FROM people WHERE id > 1 AND name LIKE 'a%' LIMIT 3",
    )
    .await;
    let Some(RelType::Project(project)) = &rel.rel_type else {
        panic!("projection not pushed: {rel:?}")
    };
    assert_eq!(project.expressions.len(), 1, "only `name` is read");
    let Some(RelType::Limit(limit)) = &input(&rel).rel_type else {
        panic!("limit not pushed: {text}")
    };
    assert_eq!(limit.limit, 3);
    let Some(RelType::Filter(filter)) = &input(input(&rel)).rel_type else {
        panic!("filters not pushed: {text}")
    };
    let mut names = Vec::new();
    functions(filter.condition.as_ref().unwrap(), &mut names);
    assert!(
        names.contains(&">".to_string()) && names.contains(&"like".to_string()),
        "{names:?}"
    );
    assert!(text.contains("SparkScanExec: projection=[name]"), "{text}");
    // DataFusion does not filter again what Spark computed exactly.
    assert!(!text.contains("FilterExec"), "{text}");
    let rows = rows_df(
        &run(
            &ctx,
            "SELECT name FROM people WHERE id > 1 AND name LIKE 'a%' LIMIT 3",
        )
        .await,
    );
    assert!(rows.is_empty(), "{rows:?}");

    // A float equality is sent as a first cut and checked again by DataFusion; a float order
    // stays in DataFusion, and then the limit cannot be sent either.
    let (rel, text) = scan_of(&ctx, "SELECT id FROM people WHERE score = 0.0").await;
    assert!(
        matches!(input(&rel).rel_type, Some(RelType::Filter(_))),
        "{text}"
    );
    assert!(text.contains("FilterExec"), "{text}");
    let (rel, text) = scan_of(&ctx, "SELECT id FROM people WHERE score < 1.0 LIMIT 1").await;
    let Some(RelType::Project(project)) = &rel.rel_type else {
        panic!("{text}")
    };
    assert!(
        matches!(
            project.input.as_ref().unwrap().rel_type,
            Some(RelType::Read(_))
        ),
        "nothing but the projection is sent: {text}"
    );
    assert!(text.contains("FilterExec"), "{text}");

    // count(*) reads no column: Spark sends one constant column.
    let (rel, text) = scan_of(&ctx, "SELECT count(*) FROM people").await;
    assert!(matches!(rel.rel_type, Some(RelType::Project(_))), "{text}");
    assert!(text.contains("projection=[]"), "{text}");
}

#[tokio::test]
async fn a_local_parquet_file_joins_a_spark_table() {
    let spark = crate::utc_session().await;
    let ctx = people(&spark).await;
    let dir = crate::TempDir::new("datafusion_parquet");
    let path = dir.path("teams.parquet");
    // The local file, written by DataFusion.
    ctx.sql(
        "SELECT * FROM (VALUES (1, 'red'), (2, 'blue'), (3, 'red'), (7, 'green')) AS t(person, team)",
    )
    .await
    .unwrap()
    .write_parquet(&path, Default::default(), None)
    .await
    .unwrap();
    ctx.register_parquet("teams", &path, ParquetReadOptions::default())
        .await
        .unwrap();

    let joined = run(
        &ctx,
        "SELECT p.name, t.team FROM people p JOIN teams t ON p.id = t.person WHERE p.active",
    )
    .await;
    assert_eq!(rows_df(&joined), ["alice|red", "carol|red"]);
    let per_team = run(
        &ctx,
        "SELECT t.team, count(*) AS n, sum(p.amount) AS total FROM people p JOIN teams t \
         ON p.id = t.person GROUP BY t.team",
    )
    .await;
    assert_eq!(rows_df(&per_team), ["blue|1|2.25", "red|2|-1.50"]);
}

#[tokio::test]
async fn spark_errors_reach_datafusion_with_the_spark_error_inside() {
    let spark = crate::session().await;
    let failing = spark
        .sql("SELECT assert_true(id < 3) AS ok FROM range(10)")
        .await
        .unwrap();
    let ctx = SessionContext::new();
    ctx.register_table(
        "failing",
        Arc::new(SparkTableProvider::new(failing).await.unwrap()),
    )
    .unwrap();
    let e = ctx
        .sql("SELECT * FROM failing")
        .await
        .unwrap()
        .collect()
        .await
        .expect_err("Spark fails the query");
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    let mut spark_error = None;
    while let Some(err) = source {
        if let Some(s) = err.downcast_ref::<databricks_connect::SparkError>() {
            spark_error = Some(s);
            break;
        }
        source = err.source();
    }
    let spark_error = spark_error.unwrap_or_else(|| panic!("no Spark error inside: {e:?}"));
    assert!(spark_error.to_string().contains("id < 3"), "{spark_error}");
}
