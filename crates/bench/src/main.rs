//! One benchmark scenario per run, so that `cargo xtask bench` can measure each process's wall
//! time, CPU time and peak memory from the outside (`wait4`), exactly as it measures PySpark.
//!
//! ```text
//! dbconnect-bench collect|stream|stream-ct|raw <sc://url> range|mixed <rows>
//! dbconnect-bench first-row <sc://url>
//! dbconnect-bench plan
//! dbconnect-bench replay-serve <sc://url> range|mixed <rows>
//! dbconnect-bench seq-sql|seq-sql-deferred|seq-range <sc://url> N
//! dbconnect-bench concurrent <sc://url> Q N
//! dbconnect-bench upload <sc://url> N
//! dbconnect-bench sql-responses <sc://url> <query>
//! ```
//!
//! `seq-sql N` runs N small queries one after the other (`spark.sql("SELECT {i} AS i, 'x{i}'
//! AS s")` then `collect()`, a different text each time so nothing is cached), `seq-range N`
//! N `spark.range(i, i + 1).collect()`s, `concurrent Q N` Q tasks on one session each running
//! N of those small queries one after the other (Q × N in all), and `upload N`
//! `create_dataframe` of an N-row table of 4 columns (long, double, string, timestamp; 48
//! bytes a row) built in the process, then `count()` and the columns' sums collected. Each
//! checks every value it gets back and fails otherwise. `seq-sql-deferred` is `seq-sql`
//! through `sql_deferred` (one request a query, as the Rust peer's lazy `sql()`); `upload`
//! also prints `build_ms=`, `upload_ms=` (the `create_dataframe` call) and `query_ms=`, and
//! stops its session at the end (as its twins do), so that the server drops the uploaded
//! table instead of holding it until the session expires (repeated runs ran a 6 GB server
//! out of memory).
//!
//! `sql-responses` prints the responses the server gives for `spark.sql(query)`'s
//! `SqlCommand` (a diagnostic, not a measurement).
//!
//! `stream-ct` is `stream` on tokio's current-thread runtime (the others use the multi-thread
//! runtime, as `#[tokio::main]` does).
//!
//! `replay-serve` records the query's `ExecutePlan` responses once from the real server, then
//! serves them (see `test_support::replay`) until its standard input closes; it prints
//! `url=<sc://replay> rows=<n> bytes=<Arrow IPC bytes>` when it is ready. Every client then
//! gets that result for any query it runs.
//!
//! Each prints one line `rows=<n> bytes=<arrow bytes>` (or timings for `plan`) so the harness can
//! check that every client fetched the same result.

use std::process::ExitCode;
use std::time::Instant;

use databricks_connect::functions::{col, lit};
use databricks_connect::{DataFrame, DatabricksSession, SparkSession};
use futures_util::StreamExt;
use spark_connect_proto::spark::connect as pb;

/// The bytes of Arrow data a batch holds, counted as pyarrow's `nbytes` does: the slices the
/// arrays use, not the whole buffers they share (zero-copy arrays share one message buffer).
fn arrow_bytes(batch: &databricks_connect::arrow::RecordBatch) -> usize {
    batch
        .columns()
        .iter()
        .map(|c| c.to_data().get_slice_memory_size().unwrap_or(0))
        .sum()
}

/// The mixed-type query: longs, doubles, strings, decimals, timestamps and a nested struct.
pub fn mixed_sql(rows: u64) -> String {
    format!(
        "SELECT id, CAST(id AS DOUBLE) * 1.5 AS d, CONCAT('row-', CAST(id AS STRING)) AS s, \
         CAST(id AS DECIMAL(18,2)) AS dec, TIMESTAMP_SECONDS(id) AS ts, \
         named_struct('a', id, 'b', CAST(id % 7 AS STRING)) AS st FROM range(0, {rows})"
    )
}

async fn dataframe(spark: &SparkSession, kind: &str, rows: u64) -> Result<DataFrame, String> {
    let rows = i64::try_from(rows).map_err(|_| format!("{rows} rows is too many"))?;
    match kind {
        "range" => Ok(spark.range(0, rows)),
        "mixed" => spark
            .sql(&mixed_sql(rows as u64))
            .await
            .map_err(|e| e.to_string()),
        other => Err(format!(
            "unknown query kind '{other}': expected range or mixed"
        )),
    }
}

async fn session(url: &str) -> Result<SparkSession, String> {
    DatabricksSession::builder()
        .remote(url)
        .create()
        .await
        .map_err(|e| e.to_string())
}

async fn run(args: &[String]) -> Result<(), String> {
    let arg = |i: usize, what: &str| {
        args.get(i)
            .cloned()
            .ok_or_else(|| format!("missing {what}; usage: dbconnect-bench collect|stream|raw URL range|mixed ROWS | first-row URL | plan | seq-sql|seq-sql-deferred|seq-range URL N | concurrent URL Q N | upload URL N | sql-responses URL QUERY"))
    };
    match arg(0, "scenario")?.as_str() {
        "collect" => {
            let spark = session(&arg(1, "URL")?).await?;
            let rows: u64 = arg(3, "ROWS")?
                .parse()
                .map_err(|_| "ROWS must be a number")?;
            let df = dataframe(&spark, &arg(2, "query kind")?, rows).await?;
            let batches = df.collect().await.map_err(|e| e.to_string())?;
            let n: usize = batches.iter().map(|b| b.num_rows()).sum();
            let bytes: usize = batches.iter().map(arrow_bytes).sum();
            println!("rows={n} bytes={bytes}");
        }
        "stream" | "stream-ct" => {
            let spark = session(&arg(1, "URL")?).await?;
            let rows: u64 = arg(3, "ROWS")?
                .parse()
                .map_err(|_| "ROWS must be a number")?;
            let df = dataframe(&spark, &arg(2, "query kind")?, rows).await?;
            let mut stream = df.stream().await.map_err(|e| e.to_string())?;
            let (mut n, mut bytes) = (0usize, 0usize);
            while let Some(batch) = stream.next().await {
                let batch = batch.map_err(|e| e.to_string())?;
                n += batch.num_rows();
                bytes += arrow_bytes(&batch);
            }
            let copies = stream.payload_copies();
            println!(
                "rows={n} bytes={bytes} payloads={} copied_payloads={}",
                copies.payloads, copies.copied_payloads
            );
        }
        "raw" => {
            raw_drain(
                &arg(1, "URL")?,
                &arg(2, "query kind")?,
                arg(3, "ROWS")?
                    .parse()
                    .map_err(|_| "ROWS must be a number")?,
            )
            .await?
        }
        "first-row" => {
            let spark = session(&arg(1, "URL")?).await?;
            // The first request's round trip (connect, the server's new session and query),
            // so the harness can tell the server's share of the time from the client's.
            let sent = Instant::now();
            let mut stream = spark
                .range(1, 10)
                .limit(1)
                .stream()
                .await
                .map_err(|e| e.to_string())?;
            let mut n = 0usize;
            let mut round_trip = None;
            while let Some(batch) = stream.next().await {
                let batch = batch.map_err(|e| e.to_string())?;
                round_trip.get_or_insert_with(|| sent.elapsed());
                n += batch.num_rows();
            }
            let server_ms = round_trip.unwrap_or_default().as_secs_f64() * 1000.0;
            println!("rows={n} bytes=0 server_ms={server_ms:.2}");
        }
        "plan" => plan_building().await?,
        "replay-serve" => {
            let rows: u64 = arg(3, "ROWS")?
                .parse()
                .map_err(|_| "ROWS must be a number")?;
            let plan = pb::Plan {
                op_type: Some(pb::plan::OpType::Root(pb::Relation {
                    common: None,
                    rel_type: Some(rel_type(&arg(2, "query kind")?, rows)?),
                })),
            };
            let recording = test_support::replay::Recording::record(&arg(1, "URL")?, plan)
                .await
                .map_err(|e| e.to_string())?;
            let server = test_support::replay::ReplayServer::start(recording)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "url={} rows={} bytes={}",
                server.url(),
                server.recording().rows(),
                server.recording().arrow_bytes()
            );
            use std::io::Write;
            let _ = std::io::stdout().flush();
            // Serve until the harness closes our standard input.
            tokio::task::spawn_blocking(|| {
                let mut sink = Vec::new();
                let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
            })
            .await
            .map_err(|e| e.to_string())?;
            eprintln!("replay calls: {:?}", server.calls());
        }
        "mixed-sql" => {
            let rows: u64 = arg(1, "ROWS")?
                .parse()
                .map_err(|_| "ROWS must be a number")?;
            println!("{}", mixed_sql(rows));
        }
        // Issue 17's workloads: many small calls, concurrency on one session, uploads.
        // Each checks every result exactly and fails otherwise.
        "seq-sql" | "seq-sql-deferred" => {
            let deferred = args[0] == "seq-sql-deferred";
            let spark = session(&arg(1, "URL")?).await?;
            let n = count_arg(&arg(2, "N")?)?;
            for i in 0..n {
                let df = if deferred {
                    spark.sql_deferred(&small_sql(i))
                } else {
                    spark
                        .sql(&small_sql(i))
                        .await
                        .map_err(|e| format!("query {i}: {e}"))?
                };
                let batches = df.collect().await.map_err(|e| format!("query {i}: {e}"))?;
                check_small_sql(&batches, i)?;
            }
            println!("rows={n} bytes=0");
        }
        "seq-range" => {
            let spark = session(&arg(1, "URL")?).await?;
            let n = count_arg(&arg(2, "N")?)?;
            for i in 0..n as i64 {
                let batches = spark
                    .range(i, i + 1)
                    .collect()
                    .await
                    .map_err(|e| format!("range {i}: {e}"))?;
                check_range(&batches, i)?;
            }
            println!("rows={n} bytes=0");
        }
        "concurrent" => {
            let spark = session(&arg(1, "URL")?).await?;
            let tasks = count_arg(&arg(2, "Q")?)?;
            let each = count_arg(&arg(3, "N")?)?;
            if tasks * each > i32::MAX as u64 {
                return Err(format!("Q × N must be below 2^31, got {tasks} × {each}"));
            }
            let mut handles = Vec::new();
            for t in 0..tasks {
                let spark = spark.clone();
                handles.push(tokio::spawn(async move {
                    for j in 0..each {
                        let i = t * each + j;
                        let batches = spark
                            .sql(&small_sql(i))
                            .await
                            .map_err(|e| format!("query {i}: {e}"))?
                            .collect()
                            .await
                            .map_err(|e| format!("query {i}: {e}"))?;
                        check_small_sql(&batches, i)?;
                    }
                    Ok::<_, String>(())
                }));
            }
            for h in handles {
                h.await.map_err(|e| e.to_string())??;
            }
            println!("rows={} bytes=0", tasks * each);
        }
        "upload" => {
            let spark = session(&arg(1, "URL")?).await?;
            let n = count_arg(&arg(2, "N")?)?;
            let built = Instant::now();
            let batch = upload_batch(n)?;
            let build_ms = built.elapsed().as_secs_f64() * 1000.0;
            let bytes = arrow_bytes(&batch);
            let sent = Instant::now();
            let df = spark
                .create_dataframe(std::slice::from_ref(&batch))
                .await
                .map_err(|e| e.to_string())?;
            let upload_ms = sent.elapsed().as_secs_f64() * 1000.0;
            drop(batch);
            let asked = Instant::now();
            let counted = df.count().await.map_err(|e| e.to_string())?;
            if counted != n as i64 {
                return Err(format!("upload: count() is {counted}, expected {n}"));
            }
            let sums = df
                .select_expr(UPLOAD_SUMS)
                .collect()
                .await
                .map_err(|e| e.to_string())?;
            check_upload_sums(&sums, n)?;
            let query_ms = asked.elapsed().as_secs_f64() * 1000.0;
            // The server drops the cached table with the session, not before it expires.
            spark.stop().await.map_err(|e| e.to_string())?;
            println!(
                "rows={counted} bytes={bytes} build_ms={build_ms:.0} upload_ms={upload_ms:.0} \
                 query_ms={query_ms:.0}"
            );
        }
        "sql-responses" => {
            // A diagnostic, not a measurement: what the server answers to `sql()`'s command.
            let spark = session(&arg(1, "URL")?).await?;
            let command = pb::Command {
                command_type: Some(pb::command::CommandType::SqlCommand(pb::SqlCommand {
                    input: Some(pb::Relation {
                        common: None,
                        rel_type: Some(pb::relation::RelType::Sql(pb::Sql {
                            query: arg(2, "query")?,
                            ..Default::default()
                        })),
                    }),
                    ..Default::default()
                })),
            };
            let plan = pb::Plan {
                op_type: Some(pb::plan::OpType::Command(command)),
            };
            let mut stream = spark
                .client()
                .execute_plan(plan)
                .await
                .map_err(|e| e.to_string())?;
            while let Some(response) = stream.next_response().await {
                println!("{:?}", response.map_err(|e| e.to_string())?.response_type);
            }
        }
        other => return Err(format!("unknown scenario '{other}'")),
    }
    Ok(())
}

/// A count argument (`N`, `Q`): a number below 2^31, so that every query's `i` is an `INT`.
fn count_arg(text: &str) -> Result<u64, String> {
    text.parse::<u32>()
        .ok()
        .filter(|&n| n <= i32::MAX as u32)
        .map(u64::from)
        .ok_or_else(|| format!("expected a count (a number below 2^31), got '{text}'"))
}

/// The `i`th small query: a different text every time, so that no query is answered from a
/// cache; `SELECT {i} AS i, 'x{i}' AS s` (`i` an `INT`, `s` a string).
fn small_sql(i: u64) -> String {
    format!("SELECT {i} AS i, 'x{i}' AS s")
}

/// The single-column, single-row value of a result, downcast to `A`.
fn only_row<'a, A: 'static>(
    batches: &'a [databricks_connect::arrow::RecordBatch],
    column: usize,
    what: &str,
) -> Result<&'a A, String> {
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let batch = batches
        .iter()
        .find(|b| b.num_rows() > 0)
        .filter(|_| rows == 1)
        .ok_or_else(|| format!("{what}: {rows} rows, expected 1"))?;
    batch
        .columns()
        .get(column)
        .and_then(|c| c.as_any().downcast_ref::<A>())
        .ok_or_else(|| {
            format!(
                "{what}: column {column} is not a {} (schema {:?})",
                std::any::type_name::<A>(),
                batch.schema()
            )
        })
}

/// `SELECT {i} AS i, 'x{i}' AS s` returned exactly one row `(i, 'x{i}')`.
fn check_small_sql(
    batches: &[databricks_connect::arrow::RecordBatch],
    i: u64,
) -> Result<(), String> {
    use databricks_connect::arrow::array::{Int32Array, StringArray};
    let what = format!("query {i}");
    let got_i = only_row::<Int32Array>(batches, 0, &what)?.value(0);
    let got_s = only_row::<StringArray>(batches, 1, &what)?.value(0);
    if i64::from(got_i) != i as i64 || got_s != format!("x{i}") {
        return Err(format!(
            "{what}: got ({got_i}, {got_s:?}), expected ({i}, \"x{i}\")"
        ));
    }
    Ok(())
}

/// `spark.range(i, i + 1)` returned exactly one row, `id = i`.
fn check_range(batches: &[databricks_connect::arrow::RecordBatch], i: i64) -> Result<(), String> {
    let what = format!("range {i}");
    let got = only_row::<databricks_connect::arrow::array::Int64Array>(batches, 0, &what)?.value(0);
    if got != i {
        return Err(format!("{what}: got id {got}, expected {i}"));
    }
    Ok(())
}

/// The upload's table: `n` rows of `id` (long, `i`), `d` (double, `i * 0.5`), `s` (string,
/// `row-` and `i` in 16 digits: 20 bytes) and `ts` (timestamp, `i` seconds after the epoch,
/// UTC): 48 bytes of Arrow data a row with the string offsets, built in this process.
fn upload_batch(n: u64) -> Result<databricks_connect::arrow::RecordBatch, String> {
    use databricks_connect::arrow::array::builder::StringBuilder;
    use databricks_connect::arrow::array::{
        ArrayRef, Float64Array, Int64Array, TimestampMicrosecondArray,
    };
    use std::sync::Arc;
    let n = n as i64;
    let id = Int64Array::from_iter_values(0..n);
    let d = Float64Array::from_iter_values((0..n).map(|i| i as f64 * 0.5));
    let mut s = StringBuilder::with_capacity(n as usize, n as usize * 20);
    for i in 0..n {
        s.append_value(format!("row-{i:016}"));
    }
    let ts = TimestampMicrosecondArray::from_iter_values((0..n).map(|i| i * 1_000_000))
        .with_timezone("UTC");
    databricks_connect::arrow::RecordBatch::try_from_iter([
        ("id", Arc::new(id) as ArrayRef),
        ("d", Arc::new(d) as ArrayRef),
        ("s", Arc::new(s.finish()) as ArrayRef),
        ("ts", Arc::new(ts) as ArrayRef),
    ])
    .map_err(|e| e.to_string())
}

/// What the upload collects: a sum per column, and the number of rows whose `d`, `s` or `ts`
/// is not what row `id` must hold (0), so that every value of every column is checked.
const UPLOAD_SUMS: [&str; 5] = [
    "sum(id)",
    "sum(d)",
    "sum(length(s))",
    "max(unix_micros(ts))",
    "count_if(d <> id * 0.5 OR s <> concat('row-', lpad(CAST(id AS STRING), 16, '0')) OR unix_micros(ts) <> id * 1000000)",
];

/// The sums of an `n`-row upload are exactly what its table holds: `n(n-1)/2`, `n(n-1)/4`
/// (exact in a double: every partial sum is a multiple of 0.5 below 2^53), `20 n` and
/// `(n-1) * 10^6`.
fn check_upload_sums(
    batches: &[databricks_connect::arrow::RecordBatch],
    n: u64,
) -> Result<(), String> {
    use databricks_connect::arrow::array::{Float64Array, Int64Array};
    let n = n as i64;
    let what = "upload sums";
    let got = (
        only_row::<Int64Array>(batches, 0, what)?.value(0),
        only_row::<Float64Array>(batches, 1, what)?.value(0),
        only_row::<Int64Array>(batches, 2, what)?.value(0),
        only_row::<Int64Array>(batches, 3, what)?.value(0),
        only_row::<Int64Array>(batches, 4, what)?.value(0),
    );
    let expected = (
        n * (n - 1) / 2,
        (n * (n - 1)) as f64 / 4.0,
        20 * n,
        (n - 1).max(0) * 1_000_000,
        0,
    );
    if got != expected {
        return Err(format!("{what}: got {got:?}, expected {expected:?}"));
    }
    Ok(())
}

/// The raw drain's channel: one HTTP/2 connection, requests sent as they are.
#[derive(Clone)]
struct H2Svc(
    hyper::client::conn::http2::SendRequest<tonic::body::Body>,
    http::uri::Authority,
);

impl tower_service::Service<http::Request<tonic::body::Body>> for H2Svc {
    type Response = http::Response<hyper::body::Incoming>;
    type Error = hyper::Error;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>> + Send>,
    >;
    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }
    fn call(&mut self, mut req: http::Request<tonic::body::Body>) -> Self::Future {
        let uri = http::Uri::builder()
            .scheme("http")
            .authority(self.1.clone())
            .path_and_query(req.uri().path_and_query().unwrap().clone())
            .build()
            .unwrap();
        *req.uri_mut() = uri;
        Box::pin(self.0.send_request(req))
    }
}

/// The limit this client is measured against: the generated gRPC client over one plaintext
/// HTTP/2 connection with the same HTTP/2 settings as the client (frame size, windows), every
/// `ExecutePlan` response's Arrow payload decoded with Arrow's stream decoder, and nothing
/// else (no session checks, no headers, no reattach or release, no result types).
async fn raw_drain(url: &str, kind: &str, rows: u64) -> Result<(), String> {
    let hostport = url.trim_start_matches("sc://").trim_end_matches('/');
    let tcp = tokio::net::TcpStream::connect(hostport)
        .await
        .map_err(|e| e.to_string())?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let window = spark_connect_transport::DEFAULT_STREAM_WINDOW;
    let mut b = hyper::client::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new());
    b.initial_stream_window_size(window)
        .initial_connection_window_size(window * 2)
        .max_frame_size(spark_connect_transport::DEFAULT_MAX_FRAME_SIZE);
    let (send, conn) = b
        .handshake(hyper_util::rt::TokioIo::new(tcp))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let svc = H2Svc(
        send,
        hostport
            .parse()
            .map_err(|e: http::uri::InvalidUri| e.to_string())?,
    );
    let mut client = pb::spark_connect_service_client::SparkConnectServiceClient::new(svc)
        .max_decoding_message_size(256 * 1024 * 1024);
    let request = pb::ExecutePlanRequest {
        session_id: uuid::Uuid::new_v4().to_string(),
        user_context: Some(pb::UserContext {
            user_id: "bench".into(),
            ..Default::default()
        }),
        plan: Some(pb::Plan {
            op_type: Some(pb::plan::OpType::Root(pb::Relation {
                common: None,
                rel_type: Some(rel_type(kind, rows)?),
            })),
        }),
        ..Default::default()
    };
    let mut stream = client
        .execute_plan(request)
        .await
        .map_err(|e| e.to_string())?
        .into_inner();
    let (mut n, mut bytes) = (0usize, 0usize);
    while let Some(response) = stream.message().await.map_err(|e| e.to_string())? {
        if let Some(pb::execute_plan_response::ResponseType::ArrowBatch(batch)) =
            response.response_type
        {
            let mut buffer = arrow_buffer::Buffer::from(batch.data);
            let mut decoder = arrow_ipc::reader::StreamDecoder::new();
            while !buffer.is_empty() {
                if let Some(b) = decoder.decode(&mut buffer).map_err(|e| e.to_string())? {
                    n += b.num_rows();
                    bytes += arrow_bytes(&b);
                }
            }
        }
    }
    println!("rows={n} bytes={bytes}");
    Ok(())
}

/// The relation of a query kind, as the raw drain and the replay recorder send it.
fn rel_type(kind: &str, rows: u64) -> Result<pb::relation::RelType, String> {
    Ok(match kind {
        "range" => pb::relation::RelType::Range(pb::Range {
            start: Some(0),
            end: rows as i64,
            step: 1,
            num_partitions: None,
        }),
        "mixed" => pb::relation::RelType::Sql(pb::Sql {
            query: mixed_sql(rows),
            ..Default::default()
        }),
        other => return Err(format!("unknown query kind '{other}'")),
    })
}

/// Plan building needs no server: a 1,000-column select and a chain of 10,000 `with_column`s,
/// each built and encoded as the request would be.
async fn plan_building() -> Result<(), String> {
    let spark = session("sc://127.0.0.1:1").await?;
    let started = Instant::now();
    let columns: Vec<_> = (0..1000)
        .map(|i| (col("id") + lit(i)).alias(format!("c{i}")))
        .collect();
    let wide = spark.range(0, 10).select(columns);
    let wide_bytes = prost::Message::encoded_len(wide.to_proto());
    let wide_ms = started.elapsed().as_secs_f64() * 1000.0;

    let started = Instant::now();
    let mut deep = spark.range(0, 10);
    for i in 0..10_000 {
        deep = deep.with_column(&format!("c{}", i % 100), col("id") + lit(i));
    }
    let built_ms = started.elapsed().as_secs_f64() * 1000.0;
    let deep_bytes = prost::Message::encoded_len(deep.to_proto());
    let deep_ms = started.elapsed().as_secs_f64() * 1000.0;
    // One DataFrame, 1,000 relations deep, as the input of 1,000 plans (each filtered,
    // assembled and encoded as a request would be).
    let started = Instant::now();
    let mut base = spark.range(0, 10);
    for i in 0..1000 {
        base = base.with_column(&format!("c{}", i % 100), col("id") + lit(i));
    }
    let mut reuse_bytes = 0;
    for i in 0..1000 {
        let branch = base.filter(col("id").gt(lit(i)));
        reuse_bytes += prost::Message::encoded_len(branch.to_proto());
    }
    let reuse_ms = started.elapsed().as_secs_f64() * 1000.0;
    println!(
        "select_1000_ms={wide_ms:.2} select_1000_bytes={wide_bytes} with_column_10000_ms={deep_ms:.2} with_column_10000_build_ms={built_ms:.2} with_column_10000_bytes={deep_bytes} reuse_1000x1000_ms={reuse_ms:.2} reuse_1000x1000_bytes={reuse_bytes}"
    );
    // Dropping a 10,000-deep plan recursively is what the encoder's depth also costs; keep it
    // out of the figures above but make sure it does not overflow the stack.
    drop(deep);
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `stream-ct` is `stream` on a current-thread runtime: no wake-up crosses threads.
    let mut builder = if args.first().is_some_and(|s| s == "stream-ct") {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dbconnect-bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dbconnect-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
