//! Execution progress reports from the real server, seen through `RecordBatchStream::progress`.

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use databricks_connect::ExecutionProgress;
use futures_util::StreamExt;

use crate::session;

/// A query of 6 tasks (6 partitions), each sleeping 2 x 300 ms on the server: a few seconds
/// with several reports at a 100 ms interval, and no CPU spent.
const SLOW: &str = "SELECT count(*) AS n FROM range(0, 12, 1, 6) \
    WHERE reflect('java.lang.Thread', 'sleep', 300L) = 'null'";

#[tokio::test]
async fn progress_reports_are_consistent() {
    let spark = session().await;
    spark
        .conf()
        .set("spark.connect.progress.reportInterval", "100ms")
        .await
        .unwrap();
    let df = spark.sql(SLOW).await.unwrap();
    let mut stream = df.stream().await.unwrap();
    let mut watch = stream.progress();
    // Every report, gathered while the stream is read.
    let mut reports: Vec<ExecutionProgress> = Vec::new();
    let mut batches = Vec::new();
    loop {
        tokio::select! {
            batch = stream.next() => match batch {
                Some(batch) => batches.push(batch.unwrap()),
                None => break,
            },
            true = watch.changed() => reports.extend(watch.latest()),
        }
    }
    if let Some(last) = watch.latest()
        && reports.last() != Some(&last)
    {
        reports.push(last);
    }
    let count: i64 = batches
        .iter()
        .map(|b| b.column(0).as_primitive::<Int64Type>().value(0))
        .sum();
    assert_eq!(count, 12);
    assert!(
        reports.len() >= 2,
        "several reports in a query of seconds at a 100 ms interval: {reports:?}"
    );
    for report in &reports {
        assert!(report.inflight_tasks >= 0, "{report:?}");
        for stage in &report.stages {
            assert!(stage.num_tasks >= 0, "{report:?}");
            assert!(
                (0..=stage.num_tasks).contains(&stage.num_completed_tasks),
                "completed tasks within 0..=total: {report:?}"
            );
            assert!(stage.input_bytes_read >= 0, "{report:?}");
            if stage.done {
                assert_eq!(
                    stage.num_completed_tasks, stage.num_tasks,
                    "a done stage has all its tasks completed: {report:?}"
                );
            }
        }
        assert!(
            report.completed_tasks() <= report.total_tasks(),
            "{report:?}"
        );
    }
    // The scan stage has one task per partition: 6. Some report shows it under way.
    let scan = |r: &ExecutionProgress| r.stages.iter().any(|s| s.num_tasks == 6);
    assert!(reports.iter().any(scan), "a stage of 6 tasks: {reports:?}");
    assert!(
        reports
            .iter()
            .flat_map(|r| &r.stages)
            .any(|s| s.num_tasks == 6 && !s.done && s.num_completed_tasks < 6),
        "the 6-task stage seen before it was done: {reports:?}"
    );
    // Completed tasks of a stage never go down from one report to the next.
    for pair in reports.windows(2) {
        for later in &pair[1].stages {
            if let Some(earlier) = pair[0].stages.iter().find(|s| s.stage_id == later.stage_id) {
                assert!(
                    later.num_completed_tasks >= earlier.num_completed_tasks,
                    "{pair:?}"
                );
            }
        }
    }
}
