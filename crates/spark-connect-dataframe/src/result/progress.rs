//! Execution progress of a running query, as Spark 4 servers report it.
//!
//! While a query runs, a Spark 4 server sends an `ExecutionProgress` response every
//! `spark.connect.progress.reportInterval` (a session setting, 2 s by default; a negative value
//! turns the reports off): the stages of the query's jobs so far, each with its tasks, finished
//! tasks and input bytes read, plus the number of tasks running now. Spark 3.5 servers send
//! none. [`RecordBatchStream::progress`] gives a [`ProgressWatch`] that sees the latest report.

use spark_connect_transport::proto;
use tokio::sync::watch;

use crate::result::RecordBatchStream;

/// One report of a query's progress: every stage the server knows of, and the tasks running.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutionProgress {
    /// The stages of the query's jobs so far, in the server's order.
    pub stages: Vec<StageProgress>,
    /// Tasks running at the time of the report.
    pub inflight_tasks: i64,
}

/// The progress of one Spark stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StageProgress {
    /// The stage's id on the server.
    pub stage_id: i64,
    /// Tasks of the stage.
    pub num_tasks: i64,
    /// Tasks of the stage that have finished.
    pub num_completed_tasks: i64,
    /// Bytes the stage's tasks have read from their input.
    pub input_bytes_read: i64,
    /// Whether the stage has finished.
    pub done: bool,
}

impl ExecutionProgress {
    /// Stages that have finished.
    ///
    /// ```
    /// # use spark_connect_dataframe::{ExecutionProgress, StageProgress};
    /// # let stage = |num_tasks, num_completed_tasks, done| StageProgress { stage_id: 0, num_tasks, num_completed_tasks, input_bytes_read: 1024, done };
    /// let p = ExecutionProgress { stages: vec![stage(4, 4, true), stage(8, 2, false)], inflight_tasks: 6 };
    /// assert_eq!(p.stages_done(), 1);
    /// ```
    pub fn stages_done(&self) -> usize {
        self.stages.iter().filter(|s| s.done).count()
    }

    /// Tasks of all stages.
    ///
    /// ```
    /// # use spark_connect_dataframe::{ExecutionProgress, StageProgress};
    /// # let stage = |num_tasks, num_completed_tasks, done| StageProgress { stage_id: 0, num_tasks, num_completed_tasks, input_bytes_read: 1024, done };
    /// let p = ExecutionProgress { stages: vec![stage(4, 4, true), stage(8, 2, false)], inflight_tasks: 6 };
    /// assert_eq!(p.total_tasks(), 12);
    /// ```
    pub fn total_tasks(&self) -> i64 {
        self.stages.iter().map(|s| s.num_tasks).sum()
    }

    /// Finished tasks of all stages.
    ///
    /// ```
    /// # use spark_connect_dataframe::{ExecutionProgress, StageProgress};
    /// # let stage = |num_tasks, num_completed_tasks, done| StageProgress { stage_id: 0, num_tasks, num_completed_tasks, input_bytes_read: 1024, done };
    /// let p = ExecutionProgress { stages: vec![stage(4, 4, true), stage(8, 2, false)], inflight_tasks: 6 };
    /// assert_eq!(p.completed_tasks(), 6);
    /// ```
    pub fn completed_tasks(&self) -> i64 {
        self.stages.iter().map(|s| s.num_completed_tasks).sum()
    }

    /// Input bytes read by all stages.
    ///
    /// ```
    /// # use spark_connect_dataframe::{ExecutionProgress, StageProgress};
    /// # let stage = |num_tasks, num_completed_tasks, done| StageProgress { stage_id: 0, num_tasks, num_completed_tasks, input_bytes_read: 1024, done };
    /// let p = ExecutionProgress { stages: vec![stage(4, 4, true), stage(8, 2, false)], inflight_tasks: 6 };
    /// assert_eq!(p.input_bytes_read(), 2048);
    /// ```
    pub fn input_bytes_read(&self) -> i64 {
        self.stages.iter().map(|s| s.input_bytes_read).sum()
    }

    fn from_proto(p: proto::execute_plan_response::ExecutionProgress) -> ExecutionProgress {
        ExecutionProgress {
            stages: p
                .stages
                .into_iter()
                .map(|s| StageProgress {
                    stage_id: s.stage_id,
                    num_tasks: s.num_tasks,
                    num_completed_tasks: s.num_completed_tasks,
                    input_bytes_read: s.input_bytes_read,
                    done: s.done,
                })
                .collect(),
            inflight_tasks: p.num_inflight_tasks,
        }
    }
}

/// Sees the latest [`ExecutionProgress`] of one result stream, from any task, while the stream
/// is being read. Cheap to clone.
///
/// Reports arrive with the result's responses, so they are seen only while the stream is
/// polled (awaiting its next batch counts); a report replaces the one before it.
#[derive(Debug, Clone)]
pub struct ProgressWatch {
    rx: watch::Receiver<Option<ExecutionProgress>>,
}

impl ProgressWatch {
    /// The latest report, or `None` before the first one.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// let stream = df.stream().await?;
    /// let watch = stream.progress();
    /// assert_eq!(watch.latest(), None); // nothing read yet
    /// # Ok(())
    /// # }
    /// ```
    pub fn latest(&self) -> Option<ExecutionProgress> {
        self.rx.borrow().clone()
    }

    /// Waits for a report this method has not returned for yet; `false` once the stream is
    /// gone and no new report can come.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// let stream = df.stream().await?;
    /// let mut watch = stream.progress();
    /// tokio::spawn(async move {
    ///     while watch.changed().await {
    ///         if let Some(p) = watch.latest() {
    ///             eprintln!("{}/{} tasks", p.completed_tasks(), p.total_tasks());
    ///         }
    ///     }
    /// });
    /// // ... read `stream` here; the task ends with it.
    /// # drop(stream);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn changed(&mut self) -> bool {
        let changed = self.rx.changed().await.is_ok();
        self.rx.borrow_and_update();
        changed
    }
}

/// The sending side, kept by the stream.
#[derive(Debug)]
pub(crate) struct ProgressSender {
    tx: watch::Sender<Option<ExecutionProgress>>,
}

impl Default for ProgressSender {
    fn default() -> ProgressSender {
        ProgressSender {
            tx: watch::Sender::new(None),
        }
    }
}

impl ProgressSender {
    /// Takes a progress report out of `response`, if it is one; other responses are left alone.
    pub(crate) fn observe(&self, response: &mut proto::ExecutePlanResponse) {
        use proto::execute_plan_response::ResponseType;
        if let Some(ResponseType::ExecutionProgress(_)) = &response.response_type
            && let Some(ResponseType::ExecutionProgress(p)) = response.response_type.take()
        {
            self.tx.send_replace(Some(ExecutionProgress::from_proto(p)));
        }
    }
}

impl RecordBatchStream {
    /// A watch on the query's execution progress (stages, tasks, bytes read), updated as the
    /// server's reports arrive while this stream is read.
    ///
    /// ```no_run
    /// # async fn demo(df: spark_connect_dataframe::DataFrame) -> Result<(), spark_connect_dataframe::Error> {
    /// use futures_util::StreamExt;
    /// let mut stream = df.stream().await?;
    /// let progress = stream.progress();
    /// while let Some(batch) = stream.next().await {
    ///     let _batch = batch?;
    ///     if let Some(p) = progress.latest() {
    ///         eprintln!("{}/{} tasks", p.completed_tasks(), p.total_tasks());
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn progress(&self) -> ProgressWatch {
        ProgressWatch {
            rx: self.progress.tx.subscribe(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::execute_plan_response::{ResponseType, execution_progress::StageInfo};

    #[test]
    fn a_progress_response_is_taken_and_others_are_left() {
        let sender = ProgressSender::default();
        let mut watch = ProgressWatch {
            rx: sender.tx.subscribe(),
        };
        assert_eq!(watch.latest(), None);
        let mut response = proto::ExecutePlanResponse {
            response_type: Some(ResponseType::ExecutionProgress(
                proto::execute_plan_response::ExecutionProgress {
                    stages: vec![
                        StageInfo {
                            stage_id: 3,
                            num_tasks: 4,
                            num_completed_tasks: 4,
                            input_bytes_read: 10,
                            done: true,
                        },
                        StageInfo {
                            stage_id: 4,
                            num_tasks: 2,
                            num_completed_tasks: 1,
                            input_bytes_read: 5,
                            done: false,
                        },
                    ],
                    num_inflight_tasks: 1,
                },
            )),
            ..Default::default()
        };
        sender.observe(&mut response);
        assert!(response.response_type.is_none());
        let p = watch.latest().unwrap();
        assert_eq!(
            (
                p.stages_done(),
                p.completed_tasks(),
                p.total_tasks(),
                p.input_bytes_read(),
                p.inflight_tasks
            ),
            (1, 5, 6, 15, 1)
        );
        assert_eq!(p.stages[1].stage_id, 4);

        let mut other = proto::ExecutePlanResponse {
            response_type: Some(ResponseType::ResultComplete(Default::default())),
            ..Default::default()
        };
        sender.observe(&mut other);
        assert!(other.response_type.is_some());
        drop(sender);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        // The report not yet waited for counts as new; then the closed channel ends it.
        assert!(rt.block_on(watch.changed()));
        assert!(!rt.block_on(watch.changed()));
    }
}
