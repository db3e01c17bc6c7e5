//! DataFrames from local data, and SQL with parameters.

use std::collections::HashMap;

use arrow_array::RecordBatch;
use arrow_ipc::writer::StreamWriter;
use spark_connect_transport::proto;

use crate::Error;
use crate::column::IntoOperand;
use crate::dataframe::DataFrame;
use crate::session::{SparkSession, command_plan};

impl SparkSession {
    /// A DataFrame of these Arrow record batches (Spark's local relation). Every batch must
    /// have the same schema; Arrow types map to Spark types as the server's Arrow conversion
    /// does (`Int64` is `bigint`, `Utf8` is `string`).
    ///
    /// As in PySpark, small data travels inside the plan, and data whose Arrow IPC stream is
    /// at least the server's `spark.sql.session.localRelationCacheThreshold` (1 MiB by
    /// default on Spark 4.3) is uploaded into the session first, in chunks cached as artifacts
    /// (`cache/<sha256>`), that the plan names by hash; chunks the session already has are not
    /// sent again (see [`artifact_stats`](Self::artifact_stats)). So the data is bounded by
    /// the server's `spark.sql.session.localRelationSizeLimit`, not by the gRPC message size.
    /// The settings are read once per session, on the first call: change them before.
    /// On servers without chunked cached relations (before Spark 4.1) the data is always
    /// sent inline.
    pub async fn create_dataframe(&self, batches: &[RecordBatch]) -> Result<DataFrame, Error> {
        let first = batches.first().ok_or_else(|| {
            Error::InvalidArgument(
                "create_dataframe needs at least one record batch (an empty one gives the schema)"
                    .into(),
            )
        })?;
        let schema = first.schema();
        for (i, batch) in batches.iter().enumerate().skip(1) {
            if batch.schema() != schema {
                return Err(Error::InvalidArgument(format!(
                    "create_dataframe: batch {i} has the schema {:?}, expected the first batch's {:?}",
                    batch.schema(),
                    schema
                )));
            }
        }
        let mut data = Vec::new();
        {
            let mut writer = StreamWriter::try_new(&mut data, &schema)?;
            for batch in batches {
                writer.write(batch)?;
            }
            writer.finish()?;
        }
        let relation = self.local_relation(batches, &schema, data).await?;
        Ok(self.dataframe(relation))
    }

    /// Runs SQL with named parameters, written `:name` in the query:
    /// `sql_with_args("SELECT * FROM t WHERE id > :low", [("low", 5)])`. Values are
    /// literals (strings are text) or [`Column`](crate::Column)s made of literals.
    pub async fn sql_with_args<S: AsRef<str>, V: IntoOperand>(
        &self,
        query: &str,
        args: impl IntoIterator<Item = (S, V)>,
    ) -> Result<DataFrame, Error> {
        let named_arguments: HashMap<String, proto::Expression> = args
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_string(), v.into_operand().into_proto()))
            .collect();
        self.sql_command(proto::Sql {
            query: query.to_string(),
            named_arguments,
            ..Default::default()
        })
        .await
    }

    /// Runs SQL with positional parameters, written `?` in the query:
    /// `sql_with_positional_args("SELECT ? + ?", [1, 2])`.
    pub async fn sql_with_positional_args<V: IntoOperand>(
        &self,
        query: &str,
        args: impl IntoIterator<Item = V>,
    ) -> Result<DataFrame, Error> {
        let pos_arguments = args
            .into_iter()
            .map(|v| v.into_operand().into_proto())
            .collect();
        self.sql_command(proto::Sql {
            query: query.to_string(),
            pos_arguments,
            ..Default::default()
        })
        .await
    }

    /// Like [`sql`](Self::sql): commands run at once, queries become lazy DataFrames.
    async fn sql_command(&self, sql: proto::Sql) -> Result<DataFrame, Error> {
        let command = self.sql_command_for(sql).await?;
        let mut stream = self.client().execute_plan(command_plan(command)).await?;
        let mut relation = None;
        while let Some(response) = stream.next_response().await {
            if let Some(proto::execute_plan_response::ResponseType::SqlCommandResult(r)) =
                response?.response_type
            {
                relation = r.relation;
            }
        }
        let relation = relation.ok_or_else(|| {
            Error::Protocol("the SQL command returned no SqlCommandResult".into())
        })?;
        Ok(DataFrame::new(self.clone(), relation))
    }
}
