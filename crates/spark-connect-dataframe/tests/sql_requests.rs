//! How many requests `spark.sql(...)` and its result cost, counted on a stand-in server that
//! records every request (`test_support::old_server`, reporting Spark 4.3.0).
//!
//! A query is one `ExecutePlan` at `sql()` (the `SqlCommand`, where errors and commands
//! surface) and one more when its result is asked for: Spark answers a query's `SqlCommand`
//! with the query itself, nothing computed. A command's rows come back in its
//! `SqlCommandResult`, and reading them makes no request.

use std::sync::Arc;

use arrow_array::{Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use prost::Message;
use spark_connect_dataframe::{SparkSession, proto};
use test_support::old_server::OldServer;

async fn session(server: &OldServer) -> SparkSession {
    SparkSession::builder()
        .remote(server.url())
        .build()
        .await
        .expect("a session")
}

fn execute_plans(server: &OldServer) -> Vec<proto::ExecutePlanRequest> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.method == "ExecutePlan")
        .map(|r| proto::ExecutePlanRequest::decode(r.bytes.as_slice()).expect("decodes"))
        .collect()
}

/// Two rows as Spark sends a command's: one Arrow IPC stream, schema and batch.
fn command_rows() -> (RecordBatch, Vec<u8>) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("namespace", DataType::Utf8, false),
        Field::new("rows", DataType::Int64, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(vec!["default", "sales"])),
            Arc::new(Int64Array::from(vec![Some(7), None])),
        ],
    )
    .unwrap();
    let mut ipc = Vec::new();
    let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut ipc, &schema).unwrap();
    writer.write(&batch).unwrap();
    writer.finish().unwrap();
    drop(writer);
    (batch, ipc)
}

#[tokio::test]
async fn a_query_is_one_request_at_sql_and_one_for_its_result() {
    let server = OldServer::start("4.3.0").await.unwrap();
    let spark = session(&server).await;
    let df = spark.sql("SELECT 1 AS one").await.unwrap();
    let sent = execute_plans(&server);
    assert_eq!(sent.len(), 1, "sql() sends the SqlCommand");
    assert!(matches!(
        sent[0].plan.as_ref().and_then(|p| p.op_type.as_ref()),
        Some(proto::plan::OpType::Command(_))
    ));
    // The server answered with the query itself: the result is computed by a second request.
    let mut stream = df.stream().await.unwrap();
    assert!(!stream.is_precomputed());
    // The stand-in sends no rows (and the stream ends early, so the client reattaches).
    while let Some(batch) = futures_util::StreamExt::next(&mut stream).await {
        batch.unwrap();
    }
    let sent = execute_plans(&server);
    assert_eq!(sent.len(), 2, "the result is a second ExecutePlan");
    let Some(proto::plan::OpType::Root(root)) =
        sent[1].plan.as_ref().and_then(|p| p.op_type.clone())
    else {
        panic!("the result's request runs a relation")
    };
    assert!(matches!(
        root.rel_type,
        Some(proto::relation::RelType::Sql(_))
    ));
}

#[tokio::test]
async fn a_command_s_rows_are_read_without_a_request() {
    let server = OldServer::start("4.3.0").await.unwrap();
    let (expected, ipc) = command_rows();
    server.answer_sql_as_command(ipc);
    let spark = session(&server).await;
    let df = spark.sql("SHOW NAMESPACES").await.unwrap();
    let command = execute_plans(&server);
    assert_eq!(command.len(), 1);

    let stream = df.stream().await.unwrap();
    assert!(stream.is_precomputed());
    assert_eq!(stream.reattach_count(), 0);
    // The stream names the operation that computed the rows: the command's.
    assert_eq!(
        Some(stream.operation_id()),
        command[0].operation_id.as_deref()
    );
    let batches = df.collect().await.unwrap();
    assert_eq!(batches, vec![expected.clone()]);
    // Twice: the DataFrame keeps the rows.
    assert_eq!(df.collect().await.unwrap(), vec![expected]);
    assert_eq!(
        execute_plans(&server).len(),
        1,
        "reading a command's rows sent nothing"
    );

    // A DataFrame derived from it runs on the server, with the rows as its input.
    let derived = df.limit(1).stream().await.unwrap();
    assert!(!derived.is_precomputed());
    drop(derived);
    let sent = execute_plans(&server);
    assert_eq!(sent.len(), 2);
    let Some(proto::plan::OpType::Root(root)) =
        sent[1].plan.as_ref().and_then(|p| p.op_type.clone())
    else {
        panic!("a relation")
    };
    let Some(proto::relation::RelType::Limit(limit)) = root.rel_type else {
        panic!("the limit")
    };
    assert!(matches!(
        limit.input.and_then(|i| i.rel_type),
        Some(proto::relation::RelType::LocalRelation(_))
    ));
}

#[tokio::test]
async fn malformed_command_rows_are_an_error_not_a_panic() {
    let server = OldServer::start("4.3.0").await.unwrap();
    let (_, ipc) = command_rows();
    // Cut in the middle of the batch.
    server.answer_sql_as_command(ipc[..ipc.len() - 20].to_vec());
    let spark = session(&server).await;
    let df = spark.sql("SHOW NAMESPACES").await.unwrap();
    let e = df.collect().await.unwrap_err();
    let message = e.to_string();
    assert!(
        message.contains("the rows the server sent with SQL command (operation ")
            && message.contains("are not a valid Arrow IPC stream"),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_command_s_rows_carry_the_spark_schema_of_their_arrow_schema() {
    let server = OldServer::start("4.3.0").await.unwrap();
    let (_, ipc) = command_rows();
    server.answer_sql_as_command(ipc);
    let spark = session(&server).await;
    let df = spark.sql("SHOW NAMESPACES").await.unwrap();
    let stream = df.stream().await.unwrap();
    let spark_schema = stream
        .spark_schema()
        .expect("derived from the Arrow schema");
    let fields: Vec<_> = spark_schema
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.data_type.type_name(), f.nullable))
        .collect();
    assert_eq!(
        fields,
        [
            ("namespace", "string".to_string(), false),
            ("rows", "bigint".to_string(), true)
        ]
    );
}
