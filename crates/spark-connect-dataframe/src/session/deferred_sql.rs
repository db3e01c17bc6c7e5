//! SQL as a DataFrame without a round trip, for callers that run it at once (the CLI).

use spark_connect_transport::proto;

use crate::dataframe::DataFrame;
use crate::session::SparkSession;

impl SparkSession {
    /// The SQL text as a DataFrame, with no request to the server: the query is parsed,
    /// analysed and run when the DataFrame is executed, in that one `ExecutePlan`.
    ///
    /// [`sql`](SparkSession::sql) follows PySpark: it sends the text at once (one round trip)
    /// so that commands (DDL, `INSERT`, `SET`) run eagerly and errors appear there, then
    /// running the DataFrame is a second round trip. This saves the first one when the result
    /// is wanted straight away. The difference: a command here runs only when the DataFrame
    /// is executed, and again each time it is; a syntax or analysis error comes from the
    /// action (`collect`, `stream`, …) instead of from this call.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let batches = spark.sql_deferred("SELECT id FROM range(3)").collect().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn sql_deferred(&self, query: &str) -> DataFrame {
        let relation = self.relation(proto::relation::RelType::Sql(proto::Sql {
            query: query.to_string(),
            ..Default::default()
        }));
        DataFrame::new(self.clone(), relation)
    }
}
