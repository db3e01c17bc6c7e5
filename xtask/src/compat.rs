//! `cargo xtask compat [--only ID,...] [--record]`: the portable part of the end-to-end tests
//! against every server a user meets, one server at a time, and the matrix of the results.
//!
//! The servers are the Apache Spark releases and the Sail release of `proto/compat.pin`, and
//! the release of `proto/spark.pin` (the one every other test runs against). Each Spark comes
//! from its `pyspark` source distribution (its `deps/` is a `SPARK_HOME`), Sail from a venv with
//! `pysail` and `pyspark-client`; every download is checked against its pinned SHA-256 and
//! cached. Only one server runs at a time (each takes up to 3 GB), stopped before the next.
//!
//! Against each, `cargo test -p e2e-tests --test e2e` runs with the module filters of
//! [`AREAS`] and `SPARK_CONNECT_TEST_REMOTE` pointing at it; the tests of [`LEFT_OUT`] need
//! servers or tools of `cargo xtask test` that this run does not start, and are skipped. The
//! results are counted per area and compared with [`EXPECTED_FAILURES`], the one list of what a
//! server is known to lack, with the reason: the run fails when a test fails that is not on it,
//! or one on it passes. `--record` writes the matrix into docs/compatibility.md.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::dist::{self, Pin, PinSection, PinnedFile};
use crate::spark::{self, ServerProgram, StartOptions, StopOnDrop};
use crate::test_task::{cargo, run_step, with_test_thread_stack};
use crate::{Result, doc_section, pyenv, workspace_root};

const PIN_FILE: &str = "proto/compat.pin";
const DOC: &str = "docs/compatibility.md";
/// Server names start with this (`compat-spark-4.0`, `compat-sail`).
const NAME_PREFIX: &str = "compat-";
/// The longest one server's tests may take before the run gives up on them.
const TEST_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// Memory a server may need beyond its driver memory (JVM overhead; Sail's whole use).
const MEMORY_MARGIN_MB: u64 = 1024;

const USAGE: &str =
    "usage: cargo xtask compat [--only ID,...] [--features F,...] [--record] [--from-logs]

Runs the portable end-to-end tests against each server of proto/compat.pin and the release of
proto/spark.pin, one at a time, and prints the matrix. IDs are the sections of compat.pin
(spark-4.0, sail, ...) and spark-X.Y for the pinned release. --record writes the matrix into
docs/compatibility.md (all servers must have run). Fails when a test fails that is not an
expected failure (EXPECTED_FAILURES in xtask/src/compat.rs), or an expected one passes.
--from-logs starts no server: it judges and prints (or records) the test output the last run
kept for each server in <cache>/compat/<id>.log (after editing the reasons, say).
--features builds the tests with these cargo features, as `cargo xtask test --features ...`
does: with the same features both reuse one build of the workspace's tests.";

/// A group of tests the matrix counts together: the e2e modules (`tests/e2e/<module>.rs`) it
/// holds.
pub struct Area {
    pub name: &'static str,
    pub modules: &'static [&'static str],
}

/// The portable tests, by area. Every module of `tests/e2e/main.rs` is here or in
/// [`LEFT_OUT_MODULES`] (a unit test checks).
pub const AREAS: &[Area] = &[
    Area {
        name: "session and SQL",
        modules: &["dataframe", "api_local"],
    },
    Area {
        name: "types and rows",
        modules: &["types", "api_typed", "api_rows", "api_shortcuts"],
    },
    Area {
        name: "DataFrame operations",
        modules: &[
            "api_relational",
            "api_reshape",
            "api_window",
            "api_arguments",
            "api_functions",
        ],
    },
    Area {
        name: "errors",
        modules: &["errors"],
    },
    Area {
        name: "reattach, interrupts, progress",
        modules: &["reliability", "reliability_reattach", "progress"],
    },
    Area {
        name: "artifacts",
        modules: &["api_artifacts"],
    },
    Area {
        name: "data sources and writers",
        modules: &["api_io"],
    },
    Area {
        name: "catalog",
        modules: &["api_catalog"],
    },
    Area {
        name: "streaming",
        modules: &["api_streaming"],
    },
];

/// Modules that are not run: each needs what only `cargo xtask test` sets up, or tests the
/// client alone.
pub const LEFT_OUT_MODULES: &[(&str, &str)] = &[
    ("auth", "needs the server that checks a bearer token"),
    (
        "databricks",
        "tests the TLS workspace gateway, whose certificates `cargo xtask test` makes",
    ),
    (
        "workspace",
        "tests the TLS workspace gateway, whose certificates `cargo xtask test` makes",
    ),
    ("tls", "tests TLS against the gateway of `cargo xtask test`"),
    ("proxy", "needs squid, which `cargo xtask test` installs"),
    (
        "secrets_trace",
        "needs the bearer-token server and the gateway",
    ),
    (
        "session_end",
        "needs the server with a short session timeout",
    ),
    (
        "reliability_server",
        "starts and kills a pinned Spark server of its own",
    ),
    (
        "reliability_exit",
        "tests the client's exit hook with a helper binary, not the server",
    ),
    (
        "perf",
        "client-side decoding and the replay server, not the server's features",
    ),
    (
        "server_versions",
        "checks that the pinned release supports every feature of the version table",
    ),
    (
        "api_polars",
        "behind the `polars` feature; converts Arrow results on the client",
    ),
    (
        "datafusion",
        "behind the `datafusion` feature; the plans it pushes down are relations the portable areas cover",
    ),
];

/// Single tests of the portable modules that are skipped, with the reason.
pub const LEFT_OUT: &[(&str, &str)] = &[
    (
        "errors::a_wrong_or_missing_token_is_unauthenticated",
        "needs the server that checks a bearer token",
    ),
    (
        "errors::workspace_refusals_and_clusters_have_kinds",
        "tests the TLS workspace gateway, whose certificates `cargo xtask test` makes",
    ),
];

/// A test known to fail on one server, and why: what the server lacks.
pub struct ExpectedFailure {
    /// The server's id (`spark-4.0`, `sail`).
    pub server: &'static str,
    /// The test's full name (`module::test`).
    pub test: &'static str,
    pub reason: &'static str,
}

/// Reasons shared by several tests.
const SAIL_ERROR_CLASS: &str =
    "Sail's errors carry no Spark error class or SQLSTATE, which the test checks";
const SAIL_ARTIFACTS: &str = "Sail has no `ArtifactStatus` (`handle artifact statuses`), which large local data sent as cached artifacts needs";
const SAIL_LIST_TABLES: &str = "Sail's `listTables` names its first column `tableName` (Spark: `name`); this client reads catalog results by column name, PySpark by position (client strictness, reported: not fixed here)";
const SAIL_MEMORY_SINK: &str = "Sail has no `memory` streaming sink";
const SAIL_SINKS: &str = "Sail does not start a streaming query into a file or table sink (`streaming query must write data to a sink`)";
const SAIL_INTERRUPT: &str = "Sail's `interrupt` by tag finds no running operation";
const SAIL_REATTACH: &str =
    "Sail cannot reattach to an operation (`ReattachExecute`: `operation not found`)";

const SPARK_CATALOG_42: &str = "Spark before 4.2 has no catalog calls `dropTable`, `dropView`, `createDatabase`, `dropDatabase`, `listPartitions`, `listViews`, `getTableProperties`, `getCreateTableString`, `truncateTable`, `analyzeTable` (new in 4.2: `CATTYPE_NOT_SET`)";
const SPARK_CHUNKED_41: &str = "Spark 4.0 has no chunked cached local relations (new in 4.1): the client sends large local data inline there, and the test checks for the cached chunks";
const SPARK_IN_SUBQUERY_41: &str = "Spark 4.0 has no `IN` subquery expression (`SUBQUERY_TYPE_IN`, new in 4.1): `Unknown SubqueryType`";
const SPARK_INSTR_43: &str = "`instr` with a start position and an occurrence (the 4 arguments its `_with` form sends) is new in Spark 4.3; before, it takes 2 (`WRONG_NUM_ARGS`)";
const SPARK_NEAREST_42: &str = "Spark before 4.2 has no nearest-by join (a relation new in 4.2)";
const SPARK_CHANGES_42: &str = "Spark before 4.2 has no `changes()` (`RelationChanges`, new in 4.2), so its error is not `UNSUPPORTED_FEATURE.CHANGE_DATA_CAPTURE`";

/// The one list of what each server is known to lack. A client bug never goes here: it is
/// fixed, or the run fails until it is.
pub const EXPECTED_FAILURES: &[ExpectedFailure] = &[
    ExpectedFailure {
        server: "spark-4.2",
        test: "api_shortcuts::with_forms_send_what_pyspark_sends",
        reason: SPARK_INSTR_43,
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_arguments::a_ddl_schema_travels_with_large_local_data_too",
        reason: SPARK_CHUNKED_41,
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_artifacts::arrow_batches_above_the_threshold_are_cached_too",
        reason: SPARK_CHUNKED_41,
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_artifacts::cached_chunks_keep_every_message_under_a_small_grpc_limit",
        reason: SPARK_CHUNKED_41,
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_artifacts::data_above_the_threshold_is_uploaded_once_as_cached_chunks",
        reason: SPARK_CHUNKED_41,
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_catalog::catalogs_and_databases",
        reason: SPARK_CATALOG_42,
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_catalog::managed_table_with_schema_and_recovered_partitions",
        reason: SPARK_CATALOG_42,
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_catalog::tables_on_paths",
        reason: SPARK_CATALOG_42,
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_catalog::tables_views_and_columns",
        reason: SPARK_CATALOG_42,
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_catalog::subquery_columns",
        reason: SPARK_IN_SUBQUERY_41,
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_functions::every_generated_function_is_known_to_the_server",
        reason: "79 functions this client generates are unknown to Spark 4.0's `SHOW FUNCTIONS`: new since 4.0 (the TIME functions, KLL, theta and tuple sketches, `st_*`, `current_path`, `quote`, `unwrap_udt`, ...) or SQL syntax there (`timestampadd`, `timestampdiff`)",
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_io::bad_input_gives_clear_errors",
        reason: SPARK_CHANGES_42,
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_io::merge_and_writes_send_the_subqueries_their_source_uses",
        reason: SPARK_IN_SUBQUERY_41,
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_io::tables_save_as_table_insert_into_and_buckets",
        reason: "Spark 4.0.5 fails `saveAsTable` with mode `ignore` on an existing table with an internal error (`status Analyzed is not within statuses List(Started, ReadyForExecution) for event Finished`), a server bug 4.1 no longer has",
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_relational::nearest_by_join_ranks_candidates",
        reason: SPARK_NEAREST_42,
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_relational::merge_into_a_file_table_is_the_servers_clear_refusal",
        reason: "Spark 4.0 refuses `MERGE INTO` on a file table without an error class (`MERGE INTO TABLE is not supported temporarily`); 4.1 answers `UNSUPPORTED_FEATURE.TABLE_OPERATION`",
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_reshape::row_indexes_and_direct_partitions",
        reason: "Spark 4.0 has no `DirectShufflePartitionID` expression (partitioning by a computed partition id, new in 4.1): `Expression with ID: 0 is not supported`",
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_rows::rows_of_a_mixed_query_read_by_name_and_position",
        reason: "Spark 4.0 reads the SQL literal `'it''s'` as two adjacent literals (`its`); since 4.1 a doubled quote is an escaped quote (`it's`)",
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "api_shortcuts::with_forms_send_what_pyspark_sends",
        reason: "Spark 4.0 has no TIME type (new in 4.1; `UNSUPPORTED_TYPED_LITERAL`)",
    },
    ExpectedFailure {
        server: "spark-4.0",
        test: "reliability::chunked_arrow_batches_are_reassembled_exactly_also_through_cuts",
        reason: "Spark 4.0 does not split large Arrow batches into chunks (result chunking is new in 4.1)",
    },
    ExpectedFailure {
        server: "spark-4.1",
        test: "api_catalog::catalogs_and_databases",
        reason: SPARK_CATALOG_42,
    },
    ExpectedFailure {
        server: "spark-4.1",
        test: "api_catalog::managed_table_with_schema_and_recovered_partitions",
        reason: SPARK_CATALOG_42,
    },
    ExpectedFailure {
        server: "spark-4.1",
        test: "api_catalog::tables_on_paths",
        reason: SPARK_CATALOG_42,
    },
    ExpectedFailure {
        server: "spark-4.1",
        test: "api_catalog::tables_views_and_columns",
        reason: SPARK_CATALOG_42,
    },
    ExpectedFailure {
        server: "spark-4.1",
        test: "api_functions::every_generated_function_is_known_to_the_server",
        reason: "37 functions this client generates are unknown to Spark 4.1's `SHOW FUNCTIONS`: new since 4.1 (the tuple sketches, `time_bucket`, the `time_from_*`/`time_to_*` conversions, `current_path`, `unwrap_udt`, ...) or SQL syntax there (`timestampadd`, `timestampdiff`)",
    },
    ExpectedFailure {
        server: "spark-4.1",
        test: "api_io::bad_input_gives_clear_errors",
        reason: SPARK_CHANGES_42,
    },
    ExpectedFailure {
        server: "spark-4.1",
        test: "api_relational::nearest_by_join_ranks_candidates",
        reason: SPARK_NEAREST_42,
    },
    ExpectedFailure {
        server: "spark-4.1",
        test: "api_shortcuts::with_forms_send_what_pyspark_sends",
        reason: SPARK_INSTR_43,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_arguments::a_ddl_schema_names_and_types_local_data_as_in_pyspark",
        reason: "Sail's DDL parser (the client has the server parse DDL schemas) drops a column's `COMMENT`",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_arguments::a_ddl_schema_travels_with_large_local_data_too",
        reason: SAIL_ARTIFACTS,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_arguments::an_unknown_join_string_is_reported_when_the_plan_runs",
        reason: "Sail does not analyse a query when `spark.sql` is called (Spark does and reports an unknown view there)",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_arguments::bad_ddl_and_data_that_does_not_fit_are_clear_errors",
        reason: SAIL_ERROR_CLASS,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_arguments::every_join_string_pyspark_accepts_gives_its_rows",
        reason: "Sail refuses a cross join with a join condition (`cross join with join criteria`), which Spark runs",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_arguments::writers_take_pyspark_mode_strings_and_single_names",
        reason: SAIL_ERROR_CLASS,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_artifacts::arrow_batches_above_the_threshold_are_cached_too",
        reason: SAIL_ARTIFACTS,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_artifacts::cached_chunks_keep_every_message_under_a_small_grpc_limit",
        reason: SAIL_ARTIFACTS,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_artifacts::data_above_the_threshold_is_uploaded_once_as_cached_chunks",
        reason: SAIL_ARTIFACTS,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_catalog::caching_round_trip",
        reason: "Sail has no `IsCached` catalog call (`PlanNode::IsCached`)",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_catalog::catalog_results_with_large_string_types",
        reason: "Sail's `listDatabases` has a null `locationUri`; this client requires one, PySpark reads it as `None` (client strictness, reported: not fixed here)",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_catalog::catalogs_and_databases",
        reason: "Sail's current catalog is `sail`, not Spark's `spark_catalog`",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_catalog::functions",
        reason: "Sail has no SQL `CREATE FUNCTION`",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_catalog::global_temp_views",
        reason: SAIL_LIST_TABLES,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_catalog::java_udf_with_a_missing_class_is_the_servers_error",
        reason: "Sail has no `functionExists` catalog call, and no Java UDFs",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_catalog::managed_table_with_schema_and_recovered_partitions",
        reason: "Sail has no `dropTable` catalog call",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_catalog::observed_metrics",
        reason: "Sail has no observed metrics (`CollectMetrics`)",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_catalog::subquery_columns_in_views_caching_and_writes",
        reason: "Sail reports another storage level for a cached DataFrame (off-heap) than the one asked for",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_catalog::tables_on_paths",
        reason: "Sail has no `dropTable` catalog call",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_catalog::tables_views_and_columns",
        reason: SAIL_LIST_TABLES,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_functions::call_udf_calls_a_function_registered_on_the_server",
        reason: "Sail has no SQL `CREATE FUNCTION`",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_functions::every_generated_function_is_known_to_the_server",
        reason: "Sail's `SHOW FUNCTIONS` answers with another Arrow string type than Spark's `Utf8`, which the test reads",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_functions::higher_order_functions_take_rust_closures",
        reason: "Sail has no `zip_with`",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_io::bad_input_gives_clear_errors",
        reason: "Sail has no change data capture (`relation changes`) and no error classes",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_io::every_save_mode",
        reason: SAIL_ERROR_CLASS,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_io::jdbc_read_and_write_with_predicates",
        reason: "Sail's JDBC source is the `jdbc` extra of pysail (connectorx), not Spark's JDBC with Derby",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_io::merge_and_writes_send_the_subqueries_their_source_uses",
        reason: "Sail refuses `MERGE INTO` on a Parquet table in words of its own (no Spark error class)",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_io::paths_and_option_values_reach_the_server_unchanged",
        reason: "Sail's CSV reader ignores the `nullValue` option",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_io::reads_with_a_schema_options_and_several_paths",
        reason: "Sail's reader ignores a `path` option given instead of a path argument (reads nothing)",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_io::round_trips_through_every_format",
        reason: "Sail has no ORC source",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_io::tables_save_as_table_insert_into_and_buckets",
        reason: SAIL_ERROR_CLASS,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_io::writer_v2_in_a_jdbc_catalog",
        reason: "Sail has no JDBC catalog",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_io::writer_v2_in_the_session_catalog",
        reason: "Sail has no `SHOW TBLPROPERTIES`",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_relational::bad_input_gives_clear_errors",
        reason: SAIL_ERROR_CLASS,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_relational::describe_and_summary",
        reason: "Sail's `describe()` lists its statistics in another order (min, max, count, mean, stddev)",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_relational::lateral_join_sees_the_outer_row",
        reason: "Sail has no lateral join",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_relational::merge_into_a_file_table_is_the_servers_clear_refusal",
        reason: "Sail refuses `MERGE INTO` on a Parquet table in words of its own (no Spark error class)",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_relational::nearest_by_join_ranks_candidates",
        reason: "Sail has no nearest-by join",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_relational::set_operations_keep_or_drop_duplicates",
        reason: "Sail's `intersectAll`/`exceptAll` keep another number of duplicates than Spark's",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_reshape::caching_checkpoints_and_grouping_sets",
        reason: "Sail reports a DataFrame as cached after `unpersist`",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_reshape::na_and_stat_under_pysparks_names",
        reason: "Sail has no `approxQuantile`",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_reshape::range_partitions_random_splits_and_semantics",
        reason: "Sail has no `spark_partition_id()` here (`was not rewritten into a partition-aware operator`)",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_reshape::row_indexes_and_direct_partitions",
        reason: "Sail has no `distributed_sequence_id` (PySpark's row index)",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_reshape::schema_metadata_and_distinct_aggregates",
        reason: "Sail has no `dropDuplicatesWithinWatermark`",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_reshape::statistics_match_computations_in_rust",
        reason: "Sail has no `approxQuantile`",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_reshape::unpivot_transpose_and_regex_columns",
        reason: "Sail has no `transpose`",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_rows::rows_of_a_mixed_query_read_by_name_and_position",
        reason: "Sail's SQL reads the literal `'it''s'` as `its` (Spark: `it's`, the doubled quote)",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_shortcuts::with_forms_send_what_pyspark_sends",
        reason: "Sail refuses the optional arguments a function's `_with` form sends as PySpark does (`two values expected`)",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_streaming::a_failing_query_reports_its_error",
        reason: SAIL_MEMORY_SINK,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_streaming::aggregations_in_complete_and_update_modes",
        reason: SAIL_MEMORY_SINK,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_streaming::bad_input_gives_clear_errors",
        reason: SAIL_MEMORY_SINK,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_streaming::json_files_into_partitioned_parquet_with_available_now",
        reason: SAIL_SINKS,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_streaming::json_sink_into_a_table_and_from_a_table",
        reason: SAIL_SINKS,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_streaming::query_events_arrive_in_order_until_closed",
        reason: "Sail has no streaming query listener bus",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_streaming::rate_source_into_memory_sink_gives_consecutive_values",
        reason: SAIL_MEMORY_SINK,
    },
    ExpectedFailure {
        server: "sail",
        test: "api_streaming::watermark_and_deduplication_within_it_on_a_stream",
        reason: "Sail has no `withWatermark`",
    },
    ExpectedFailure {
        server: "sail",
        test: "api_window::a_window_function_out_of_place_is_a_clear_error",
        reason: "Sail runs `row_number()` without a window, which Spark refuses",
    },
    ExpectedFailure {
        server: "sail",
        test: "dataframe::a_command_s_rows_are_read_locally_and_match_the_server_s",
        reason: "Sail refuses `SET key` (`show property`), one of the commands the test runs; PySpark meets the same refusal",
    },
    ExpectedFailure {
        server: "sail",
        test: "dataframe::show_and_explain",
        reason: "Sail's `show()` text ends with a line break that Spark's has not",
    },
    ExpectedFailure {
        server: "sail",
        test: "errors::a_stopped_session_is_session_ended",
        reason: "Sail answers `ReleaseSession` for a session it has not seen with `session not found` (Spark releases it)",
    },
    ExpectedFailure {
        server: "sail",
        test: "errors::an_interrupted_query_is_cancelled",
        reason: SAIL_INTERRUPT,
    },
    ExpectedFailure {
        server: "sail",
        test: "errors::division_by_zero_is_an_arithmetic_error",
        reason: SAIL_ERROR_CLASS,
    },
    ExpectedFailure {
        server: "sail",
        test: "errors::kinds_of_server_errors",
        reason: SAIL_ERROR_CLASS,
    },
    ExpectedFailure {
        server: "sail",
        test: "errors::syntax_error_is_a_parse_error",
        reason: "Sail reports a SQL syntax error as `IllegalArgumentException` without an error class (Spark: a `ParseException`, `PARSE_SYNTAX_ERROR`)",
    },
    ExpectedFailure {
        server: "sail",
        test: "errors::unknown_column_names_the_column",
        reason: SAIL_ERROR_CLASS,
    },
    ExpectedFailure {
        server: "sail",
        test: "errors::unknown_table_is_an_analysis_error_naming_the_table",
        reason: SAIL_ERROR_CLASS,
    },
    ExpectedFailure {
        server: "sail",
        test: "progress::progress_reports_are_consistent",
        reason: "Sail has no `reflect` (the test's slow query) and sends no execution progress",
    },
    ExpectedFailure {
        server: "sail",
        test: "reliability::a_large_result_is_exact_through_many_cut_connections",
        reason: "Sail returns the partitions of an unordered `range` query in no fixed order; the test checks the order through reattaches",
    },
    ExpectedFailure {
        server: "sail",
        test: "reliability::a_long_computation_is_not_mistaken_for_a_silent_server",
        reason: "Sail sends nothing while a query computes (Spark sends progress), so the test's 4 s idle limit ends it",
    },
    ExpectedFailure {
        server: "sail",
        test: "reliability::chunked_arrow_batches_are_reassembled_exactly_also_through_cuts",
        reason: "Sail does not split large Arrow batches into chunks (`spark.connect.session.resultChunking`)",
    },
    ExpectedFailure {
        server: "sail",
        test: "reliability::interrupt_tag_stops_a_running_query",
        reason: SAIL_INTERRUPT,
    },
    ExpectedFailure {
        server: "sail",
        test: "reliability::refused_connections_are_retried_once_the_server_answered",
        reason: SAIL_REATTACH,
    },
    ExpectedFailure {
        server: "sail",
        test: "reliability::server_errors_carry_the_chain_from_fetch_error_details",
        reason: "Sail's errors have no cause chain (`FetchErrorDetails`) and no error class",
    },
    ExpectedFailure {
        server: "sail",
        test: "reliability::stop_ends_the_session_on_the_server",
        reason: "Sail answers a call on a released session without Spark's `INVALID_HANDLE.SESSION_CLOSED` class",
    },
    ExpectedFailure {
        server: "sail",
        test: "reliability_reattach::a_plan_that_never_reached_the_server_is_sent_again",
        reason: SAIL_REATTACH,
    },
    ExpectedFailure {
        server: "sail",
        test: "reliability_reattach::a_query_error_naming_a_handle_error_is_reported_once",
        reason: "Sail's `raise_error` gives no `USER_RAISED_EXCEPTION` class",
    },
    ExpectedFailure {
        server: "sail",
        test: "types::schema_matches_the_arrow_result",
        reason: "Sail's Arrow type for an array column names the list's item field otherwise than the schema Spark reports maps to",
    },
];

/// A server of the matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct CompatServer {
    /// `spark-4.0`, `sail`: what `--only` takes.
    pub id: String,
    pub kind: ServerKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ServerKind {
    Spark {
        pin: Pin,
        driver_memory: String,
    },
    Sail {
        version: String,
        pysail: PinnedFile,
        pyspark_client: PinnedFile,
    },
}

impl CompatServer {
    /// `Spark 4.0.5`, `Sail 0.7.2`.
    pub fn label(&self) -> String {
        match &self.kind {
            ServerKind::Spark { pin, .. } => format!("Spark {}", pin.pyspark_version),
            ServerKind::Sail { version, .. } => format!("Sail {version}"),
        }
    }

    /// The memory the server needs, in MB.
    fn memory_mb(&self) -> u64 {
        match &self.kind {
            ServerKind::Spark { driver_memory, .. } => {
                size_mb(driver_memory).unwrap_or(4096) + MEMORY_MARGIN_MB
            }
            ServerKind::Sail { .. } => MEMORY_MARGIN_MB,
        }
    }
}

/// `3g` as 3072, `512m` as 512 (spark-submit's sizes).
fn size_mb(size: &str) -> Option<u64> {
    let (digits, unit) = size.split_at(size.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = digits.parse().ok()?;
    match unit.to_ascii_lowercase().as_str() {
        "k" => Some(n / 1024),
        "m" => Some(n),
        "g" => Some(n * 1024),
        "t" => Some(n * 1024 * 1024),
        _ => None,
    }
}

/// The servers of `compat.pin`'s sections, then the release of `spark.pin`, oldest first.
pub fn servers_from(sections: &[PinSection], main: &Pin) -> Result<Vec<CompatServer>> {
    if let Some(top) = sections.iter().find(|s| s.name.is_none()) {
        top.only_keys(&[])?;
    }
    let mut servers = Vec::new();
    for section in sections {
        let Some(id) = &section.name else { continue };
        let kind = match section.get("server")? {
            "spark" => {
                let pin = Pin::from_section(section, &["server", "driver_memory"])?;
                let driver_memory = section.get("driver_memory")?.to_string();
                if size_mb(&driver_memory).is_none_or(|mb| mb == 0) {
                    return Err(format!(
                        "{}: driver_memory expects a size such as 3g or 2048m, found `{driver_memory}`",
                        section.origin
                    )
                    .into());
                }
                ServerKind::Spark { pin, driver_memory }
            }
            "sail" => {
                section.only_keys(&[
                    "server",
                    "pysail_version",
                    "pysail_file",
                    "pysail_sha256",
                    "pyspark_client_version",
                    "pyspark_client_file",
                    "pyspark_client_sha256",
                ])?;
                let file = |package: &str, key: &str| -> Result<PinnedFile> {
                    Ok(PinnedFile {
                        package: package.to_string(),
                        version: section.get(&format!("{key}_version"))?.to_string(),
                        file_name: section.get(&format!("{key}_file"))?.to_string(),
                        sha256: section.sha256(&format!("{key}_sha256"))?,
                        pinned_in: PIN_FILE.to_string(),
                    })
                };
                let pysail = file("pysail", "pysail")?;
                ServerKind::Sail {
                    version: pysail.version.clone(),
                    pysail,
                    pyspark_client: file("pyspark-client", "pyspark_client")?,
                }
            }
            other => {
                return Err(format!(
                    "{}: `server = {other}`: expected `spark` or `sail`",
                    section.origin
                )
                .into());
            }
        };
        servers.push(CompatServer {
            id: id.clone(),
            kind,
        });
    }
    let main_id = format!("spark-{}", major_minor(&main.pyspark_version));
    if servers.iter().any(|s| s.id == main_id) {
        return Err(format!(
            "{PIN_FILE} has a section [{main_id}], the id of the release proto/spark.pin pins: remove it"
        )
        .into());
    }
    servers.push(CompatServer {
        id: main_id,
        kind: ServerKind::Spark {
            pin: main.clone(),
            driver_memory: "3g".to_string(),
        },
    });
    Ok(servers)
}

/// `4.0.5` as `4.0`.
fn major_minor(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// What one test did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed,
    Ignored,
}

/// One server's run, parsed from libtest's output.
#[derive(Debug, Default, PartialEq)]
pub struct RunResult {
    /// Test name to outcome.
    pub tests: BTreeMap<String, Outcome>,
    /// Test name to the start of its failure message.
    pub messages: BTreeMap<String, String>,
}

/// Parses the human output of a libtest run (`test NAME ... ok|FAILED|ignored`, the
/// `---- NAME stdout ----` sections, the `test result:` line). Fails when the output has no
/// result line (the run crashed or never started) or its counts disagree with the lines.
pub fn parse_libtest(output: &str) -> Result<RunResult> {
    let mut result = RunResult::default();
    let mut summary = None;
    let lines: Vec<&str> = output.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(rest) = line.strip_prefix("test ")
            && let Some((name, status)) = rest.split_once(" ... ")
        {
            let outcome = match status.trim() {
                "ok" => Some(Outcome::Passed),
                "FAILED" => Some(Outcome::Failed),
                s if s.starts_with("ignored") => Some(Outcome::Ignored),
                _ => None,
            };
            if let Some(outcome) = outcome {
                result.tests.insert(name.trim().to_string(), outcome);
            }
        } else if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            let mut text = Vec::new();
            i += 1;
            let mut in_backtrace = false;
            while i < lines.len() && !lines[i].starts_with("---- ") && lines[i] != "failures:" {
                let l = lines[i].trim();
                // A backtrace (RUST_BACKTRACE set) says where, not what.
                in_backtrace |= l.starts_with("stack backtrace:");
                let noise = in_backtrace
                    || l.is_empty()
                    || (l.starts_with("thread '") && l.contains(" panicked at "))
                    || l.starts_with("note: run with `RUST_BACKTRACE");
                if !noise {
                    text.push(l);
                }
                i += 1;
            }
            result
                .messages
                .insert(name.to_string(), shorten(&text.join(" "), 400));
            continue;
        } else if let Some(rest) = line.strip_prefix("test result: ") {
            summary = Some(parse_summary(rest)?);
        }
        i += 1;
    }
    let Some((passed, failed, ignored)) = summary else {
        return Err(
            "the test run printed no `test result:` line: it crashed or did not start; see its log"
                .into(),
        );
    };
    let count = |o: Outcome| result.tests.values().filter(|v| **v == o).count();
    let seen = (
        count(Outcome::Passed),
        count(Outcome::Failed),
        count(Outcome::Ignored),
    );
    if seen != (passed, failed, ignored) {
        return Err(format!(
            "the test run's result line counts {passed} passed, {failed} failed, {ignored} ignored, but its test lines {} passed, {} failed, {} ignored",
            seen.0, seen.1, seen.2
        )
        .into());
    }
    Ok(result)
}

/// `ok. 3 passed; 1 failed; 0 ignored; ...` as (passed, failed, ignored).
fn parse_summary(text: &str) -> Result<(usize, usize, usize)> {
    let number = |word: &str| -> Result<usize> {
        text.split(';')
            .find_map(|part| {
                let part = part.trim();
                let (n, w) = part.rsplit_once(' ')?;
                (w == word).then(|| n.rsplit(' ').next()?.parse().ok())?
            })
            .ok_or_else(|| format!("cannot read `{word}` from the result line `{text}`").into())
    };
    Ok((number("passed")?, number("failed")?, number("ignored")?))
}

/// At most `max` characters, cut at a character boundary with `…`.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}…")
}

/// The area a test belongs to, by its module.
fn area_of(test: &str) -> Option<&'static str> {
    let module = test.split("::").next()?;
    AREAS
        .iter()
        .find(|a| a.modules.contains(&module))
        .map(|a| a.name)
}

/// A server's results judged against [`EXPECTED_FAILURES`].
#[derive(Debug, PartialEq)]
pub struct Judged {
    /// Failed and not expected to: a client bug or a lack not yet named.
    pub unexpected_failures: Vec<String>,
    /// Expected to fail, but passed: the list is out of date.
    pub unexpected_passes: Vec<String>,
}

/// Compares one server's outcomes with what `expected` says of that server.
pub fn judge(server: &str, run: &RunResult, expected: &[ExpectedFailure]) -> Judged {
    let expected_here = |test: &str| {
        expected
            .iter()
            .any(|e| e.server == server && e.test == test)
    };
    let unexpected_failures = run
        .tests
        .iter()
        .filter(|(name, o)| **o == Outcome::Failed && !expected_here(name))
        .map(|(name, _)| name.clone())
        .collect();
    let unexpected_passes = expected
        .iter()
        .filter(|e| e.server == server)
        .filter(|e| run.tests.get(e.test) != Some(&Outcome::Failed))
        .map(|e| e.test.to_string())
        .collect();
    Judged {
        unexpected_failures,
        unexpected_passes,
    }
}

/// One server's column of the matrix: its label and its run (or why it has none).
pub struct Column {
    pub id: String,
    pub label: String,
    /// The version the server reported, when it differs from the label's.
    pub run: std::result::Result<RunResult, String>,
}

/// The matrix as Markdown: a row per area with `passed/run` per server, a total row, then
/// what each server lacks (the expected failures with their reasons) and any other failure.
pub fn render(columns: &[Column], expected: &[ExpectedFailure]) -> String {
    let mut out = String::new();
    let _ = write!(out, "| area |");
    for c in columns {
        let _ = write!(out, " {} |", c.label);
    }
    let _ = write!(out, "\n|---|");
    for _ in columns {
        let _ = write!(out, "---|");
    }
    out.push('\n');
    let cell = |run: &RunResult, area: Option<&str>| {
        let in_area = |name: &String| area.is_none_or(|a| area_of(name) == Some(a));
        let ran = run
            .tests
            .iter()
            .filter(|(n, o)| in_area(n) && **o != Outcome::Ignored)
            .count();
        let passed = run
            .tests
            .iter()
            .filter(|(n, o)| in_area(n) && **o == Outcome::Passed)
            .count();
        if ran == 0 {
            "none".to_string()
        } else if passed == ran {
            format!("{passed}/{ran}")
        } else {
            format!("**{passed}/{ran}**")
        }
    };
    let rows = AREAS
        .iter()
        .map(|a| (a.name, Some(a.name)))
        .chain([("all", None)]);
    for (name, area) in rows {
        let _ = write!(out, "| {name} |");
        for c in columns {
            match &c.run {
                Ok(run) => {
                    let _ = write!(out, " {} |", cell(run, area));
                }
                Err(_) => out.push_str(" not run |"),
            }
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str(
        "Not run anywhere but on the pinned release (they need what only `cargo xtask test` sets up, or test the client alone): ",
    );
    let left_out = LEFT_OUT_MODULES
        .iter()
        .map(|(m, why)| format!("`{m}` ({why})"))
        .chain(LEFT_OUT.iter().map(|(t, why)| format!("`{t}` ({why})")));
    out.push_str(&left_out.collect::<Vec<_>>().join("; "));
    out.push_str(".\n\n");
    for c in columns {
        let _ = write!(out, "**{}**: ", c.label);
        let run = match &c.run {
            Ok(run) => run,
            Err(problem) => {
                let _ = writeln!(out, "not run: {problem}\n");
                continue;
            }
        };
        let failed: Vec<&String> = run
            .tests
            .iter()
            .filter(|(_, o)| **o == Outcome::Failed)
            .map(|(n, _)| n)
            .collect();
        if failed.is_empty() {
            out.push_str("every portable test passes.\n\n");
            continue;
        }
        out.push_str("fails\n\n");
        for name in failed {
            let reason = expected
                .iter()
                .find(|e| e.server == c.id && e.test == name.as_str())
                .map_or_else(
                    || {
                        format!(
                            "not explained yet: {}",
                            run.messages
                                .get(name)
                                .map_or("(no message)", String::as_str)
                        )
                    },
                    |e| e.reason.to_string(),
                );
            let _ = writeln!(out, "- `{name}`: {reason}");
        }
        out.push('\n');
    }
    out
}

pub fn run(args: &[String]) -> Result<()> {
    let mut only: Option<Vec<String>> = None;
    let mut record = false;
    let mut from_logs = false;
    let mut features: Option<String> = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--record" => record = true,
            "--from-logs" => from_logs = true,
            "--features" => {
                let list = iter.next().ok_or_else(|| {
                    format!("compat: --features needs a list of features\n{USAGE}")
                })?;
                features = Some(list.clone());
            }
            "--only" => {
                let list = iter
                    .next()
                    .ok_or_else(|| format!("compat: --only needs a list of ids\n{USAGE}"))?;
                only = Some(list.split(',').map(|s| s.trim().to_string()).collect());
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("compat: unknown argument `{other}`\n{USAGE}").into()),
        }
    }
    let all = servers_from(&dist::load_pin_file(PIN_FILE)?, &Pin::load()?)?;
    let servers: Vec<&CompatServer> = match &only {
        None => all.iter().collect(),
        Some(ids) => {
            if record {
                return Err(
                    "compat: --record writes the whole matrix; run it without --only".into(),
                );
            }
            let mut picked = Vec::new();
            for id in ids {
                let server = all.iter().find(|s| &s.id == id).ok_or_else(|| {
                    let known: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
                    format!(
                        "compat: unknown server `{id}` (expected one of {})",
                        known.join(", ")
                    )
                })?;
                picked.push(server);
            }
            picked
        }
    };

    if !from_logs {
        // Compile first, so that no server waits for the build.
        let mut build = cargo();
        build
            .args(cargo_test_args(features.as_deref()))
            .arg("--no-run");
        run_step(build, "building the end-to-end tests")?;
        spark::catch_interrupts();
        if servers
            .iter()
            .any(|s| matches!(s.kind, ServerKind::Spark { .. }))
        {
            spark::check_java()?;
        }
    }
    let logs = spark::cache_dir()?.join("compat");
    fs::create_dir_all(&logs).map_err(|e| format!("cannot create {}: {e}", logs.display()))?;

    let mut columns = Vec::new();
    let mut problems = Vec::new();
    for server in servers {
        if spark::interrupted() {
            break;
        }
        let started = Instant::now();
        eprintln!("\nxtask: compat: {} ({})", server.label(), server.id);
        let log = logs.join(format!("{}.log", server.id));
        let run = if from_logs {
            parse_log(&log)
        } else {
            run_one(server, &log, features.as_deref())
        };
        let run = match run {
            Ok(run) => {
                let judged = judge(&server.id, &run, EXPECTED_FAILURES);
                for name in &judged.unexpected_failures {
                    problems.push(format!(
                        "{}: `{name}` failed: {}",
                        server.label(),
                        run.messages
                            .get(name)
                            .map_or("(no message)", String::as_str)
                    ));
                }
                for name in &judged.unexpected_passes {
                    problems.push(format!(
                        "{}: `{name}` passed, but EXPECTED_FAILURES in xtask/src/compat.rs says it fails: remove it there",
                        server.label()
                    ));
                }
                Ok(run)
            }
            Err(e) => {
                problems.push(format!("{}: {e}", server.label()));
                Err(e.to_string())
            }
        };
        eprintln!(
            "xtask: compat: {} done in {:.0} s",
            server.label(),
            started.elapsed().as_secs_f64()
        );
        columns.push(Column {
            id: server.id.clone(),
            label: server.label(),
            run,
        });
    }
    let matrix = render(&columns, EXPECTED_FAILURES);
    println!("{matrix}");
    if record {
        if problems.is_empty() && columns.len() == all.len() {
            doc_section::write(&workspace_root().join(DOC), "compat", &matrix)?;
        } else {
            eprintln!("xtask: compat: not recorded: the run has problems (below)");
        }
    }
    if spark::interrupted() {
        problems.push("interrupted".to_string());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("compat: {}", problems.join("\n")).into())
    }
}

/// Prepares and starts one server, runs the tests against it, stops it.
fn run_one(server: &CompatServer, log: &Path, features: Option<&str>) -> Result<RunResult> {
    let name = format!("{NAME_PREFIX}{}", server.id);
    let mut options = StartOptions::new(&name);
    options.port = Some(0);
    options.program = match &server.kind {
        ServerKind::Spark { pin, driver_memory } => {
            options.memory = driver_memory.clone();
            ServerProgram::Spark(spark::ensure_spark_home(pin)?)
        }
        ServerKind::Sail {
            version,
            pysail,
            pyspark_client,
        } => ServerProgram::Sail(ensure_sail(version, pysail, pyspark_client)?),
    };
    check_memory(server)?;
    let server_handle = spark::start(&options)?;
    let url = server_handle.url();
    let _stop = StopOnDrop(vec![server_handle]);
    run_tests(&url, log, features)
}

/// The `sail` command of the venv with the pinned `pysail` and `pyspark-client`.
fn ensure_sail(version: &str, pysail: &PinnedFile, client: &PinnedFile) -> Result<PathBuf> {
    let wanted = format!(
        "{} {}\n{} {}\n",
        pysail.file_name, pysail.sha256, client.file_name, client.sha256
    );
    let python = pyenv::ensure_venv_with(
        &format!("venv-sail-{version}"),
        &wanted,
        "the Sail environment",
        || {
            Ok(vec![
                OsString::from(dist::ensure_download(pysail)?),
                OsString::from(dist::ensure_download(client)?),
            ])
        },
    )?;
    Ok(python.with_file_name("sail"))
}

/// Fails clearly when the machine has less memory available than the server needs.
fn check_memory(server: &CompatServer) -> Result<()> {
    let Ok(meminfo) = fs::read_to_string("/proc/meminfo") else {
        return Ok(()); // not Linux: let the server report it
    };
    let available_mb = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map(|kb| kb / 1024);
    if let Some(mb) = available_mb
        && mb < server.memory_mb()
    {
        return Err(format!(
            "{} needs about {} MB of memory, but {mb} MB are available: stop other servers first",
            server.label(),
            server.memory_mb()
        )
        .into());
    }
    Ok(())
}

/// The `cargo test` arguments after `--`: the module filters of every area, and the skips.
pub fn test_filters() -> Vec<String> {
    let mut args: Vec<String> = AREAS
        .iter()
        .flat_map(|a| a.modules.iter().map(|m| format!("{m}::")))
        .collect();
    for (test, _) in LEFT_OUT {
        args.push("--skip".to_string());
        args.push(test.to_string());
    }
    args
}

/// `cargo test` of the end-to-end tests. `--workspace`, as `cargo xtask test` builds, so that
/// the features of the workspace's crates unify the same way and the build is reused (with
/// `-p e2e-tests` alone cargo rebuilt part of the graph: 3 min on CI's two cores).
fn cargo_test_args(features: Option<&str>) -> Vec<String> {
    let mut args: Vec<String> = ["test", "--workspace", "--test", "e2e"]
        .map(String::from)
        .to_vec();
    if let Some(features) = features {
        args.extend(["--features".to_string(), features.to_string()]);
    }
    args
}

/// Runs the portable tests against `url`, their output into `log`, and parses it.
fn run_tests(url: &str, log: &Path, features: Option<&str>) -> Result<RunResult> {
    let out = fs::File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let mut command = cargo();
    with_test_thread_stack(&mut command);
    command
        .args(cargo_test_args(features))
        .arg("--")
        .args(test_filters())
        .env(test_support_env::REMOTE, url)
        .stdout(out)
        .stderr(Stdio::inherit());
    // Servers of the caller's environment (`cargo xtask test`'s) must not be used by mistake.
    for var in test_support_env::OTHERS {
        command.env_remove(var);
    }
    // Its own process group, so a timeout ends the tests and nothing else.
    command.process_group(0);
    eprintln!(
        "xtask: compat: running the portable tests against {url} (output: {})",
        log.display()
    );
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
    let deadline = Instant::now() + TEST_TIMEOUT;
    loop {
        if child
            .try_wait()
            .map_err(|e| format!("waiting for cargo test: {e}"))?
            .is_some()
        {
            break;
        }
        if Instant::now() >= deadline || spark::interrupted() {
            let pgid = child.id() as libc::pid_t;
            // SAFETY: kill(2) on the process group this function started.
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
            let _ = child.wait();
            return Err(format!(
                "the tests did not finish within {} minutes (or were interrupted); see {}",
                TEST_TIMEOUT.as_secs() / 60,
                log.display()
            )
            .into());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    parse_log(log)
}

/// The results in a test run's saved output, every test in an area of the matrix.
fn parse_log(log: &Path) -> Result<RunResult> {
    let output =
        fs::read_to_string(log).map_err(|e| format!("cannot read {}: {e}", log.display()))?;
    let run = parse_libtest(&output).map_err(|e| format!("{e} ({})", log.display()))?;
    if let Some(stray) = run.tests.keys().find(|t| area_of(t).is_none()) {
        return Err(format!("test `{stray}` ran, but belongs to no area of the matrix").into());
    }
    Ok(run)
}

/// The variables `test-support` reads (see crates/test-support/src/lib.rs).
mod test_support_env {
    pub const REMOTE: &str = "SPARK_CONNECT_TEST_REMOTE";
    pub const OTHERS: &[&str] = &[
        "SPARK_CONNECT_TEST_AUTH_REMOTE",
        "SPARK_CONNECT_TEST_AUTH_TOKEN",
        "SPARK_CONNECT_TEST_SHORT_SESSION_REMOTE",
        "SPARK_CONNECT_TEST_SHORT_SESSION_TIMEOUT_MS",
        "DBCONNECT_TEST_PYTHON",
        "SPARK_CONNECT_AUTHENTICATE_TOKEN",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA_A: &str = "a0d44b0e7faf0458ad83b7aa664e7ed8b96beed8a55d66ce3b0dfac2309dfca6";
    const SHA_B: &str = "0C1557ECE17E5E277C6F16FA54697E2546717F463ADD2B8E2F0D5E10A9D92012";

    fn main_pin() -> Pin {
        Pin {
            pyspark_version: "4.3.0".into(),
            sdist_sha256: SHA_A.into(),
            pinned_in: "proto/spark.pin".into(),
        }
    }

    fn servers(text: &str) -> Result<Vec<CompatServer>> {
        servers_from(&dist::parse_pin_file(text, "compat.pin")?, &main_pin())
    }

    fn sail_section() -> String {
        format!(
            "[sail]\nserver = sail\npysail_version = 0.7.2\npysail_file = pysail-0.7.2-x.whl\npysail_sha256 = {SHA_B}\npyspark_client_version = 4.2.0\npyspark_client_file = pyspark_client-4.2.0.tar.gz\npyspark_client_sha256 = {SHA_A}\n"
        )
    }

    #[test]
    fn servers_come_from_the_sections_then_the_pinned_release() {
        let text = format!(
            "# comment\n[spark-4.0]\nserver = spark\npyspark_version = 4.0.5\nsdist_sha256 = {SHA_A}\ndriver_memory = 3g\n\n{}",
            sail_section()
        );
        let all = servers(&text).unwrap();
        let ids: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["spark-4.0", "sail", "spark-4.3"]);
        let labels: Vec<String> = all.iter().map(CompatServer::label).collect();
        assert_eq!(labels, ["Spark 4.0.5", "Sail 0.7.2", "Spark 4.3.0"]);
        match &all[1].kind {
            ServerKind::Sail {
                pysail,
                pyspark_client,
                ..
            } => {
                assert_eq!(pysail.package, "pysail");
                assert_eq!(pysail.file_name, "pysail-0.7.2-x.whl");
                // Hex digits are compared in lower case.
                assert_eq!(pysail.sha256, SHA_B.to_ascii_lowercase());
                assert_eq!(pyspark_client.package, "pyspark-client");
                assert_eq!(pyspark_client.version, "4.2.0");
            }
            other => panic!("{other:?}"),
        }
        match &all[0].kind {
            ServerKind::Spark { pin, driver_memory } => {
                assert_eq!(pin.pyspark_version, "4.0.5");
                assert_eq!(pin.sdist().file_name, "pyspark-4.0.5.tar.gz");
                assert_eq!(driver_memory, "3g");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(all[0].memory_mb(), 3 * 1024 + MEMORY_MARGIN_MB);
    }

    #[test]
    fn bad_sections_name_the_file_line_and_key() {
        let spark = |extra: &str| {
            format!(
                "[spark-4.0]\nserver = spark\npyspark_version = 4.0.5\nsdist_sha256 = {SHA_A}\n{extra}"
            )
        };
        let cases = [
            (
                spark("driver_memory = lots\n"),
                "driver_memory expects a size",
            ),
            (spark(""), "has no `driver_memory`"),
            (
                spark("driver_memory = 3g\ncolour = red\n"),
                "compat.pin:6: unknown key `colour`",
            ),
            (
                "[x]\nserver = flink\n".to_string(),
                "compat.pin:1: `server = flink`: expected `spark` or `sail`",
            ),
            (
                format!(
                    "[spark-4.3]\nserver = spark\npyspark_version = 4.3.0\nsdist_sha256 = {SHA_A}\ndriver_memory = 3g\n"
                ),
                "a section [spark-4.3], the id of the release proto/spark.pin pins",
            ),
            (
                sail_section().replace(SHA_B, "abc"),
                "`pysail_sha256` must be a SHA-256 of 64 hex digits, found `abc`",
            ),
            ("stray = 1\n[sail]\n".to_string(), "unknown key `stray`"),
        ];
        for (text, expected) in cases {
            let err = servers(&text).unwrap_err().to_string();
            assert!(err.contains(expected), "{text}\n=> {err}");
        }
    }

    #[test]
    fn the_committed_pin_file_names_every_server_of_the_matrix() {
        let all = servers_from(
            &dist::load_pin_file(PIN_FILE).unwrap(),
            &Pin::load().unwrap(),
        )
        .unwrap();
        let ids: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
        assert!(
            ids.contains(&"sail") && ids.contains(&"spark-4.0"),
            "{ids:?}"
        );
        for e in EXPECTED_FAILURES {
            assert!(
                ids.contains(&e.server),
                "EXPECTED_FAILURES names server `{}`",
                e.server
            );
        }
    }

    const LIBTEST: &str = "\
running 4 tests
test types::numeric_types ... ok
test errors::syntax_error_is_a_parse_error ... FAILED
test api_io::slow ... ignored, needs time
test api_catalog::functions ... ok

failures:

---- errors::syntax_error_is_a_parse_error stdout ----

thread 'errors::syntax_error_is_a_parse_error' (29222) panicked at tests/e2e/errors.rs:50:5:
expected a parse error,
got: Internal
stack backtrace:
   0: __rustc::rust_begin_unwind
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace


failures:
    errors::syntax_error_is_a_parse_error

test result: FAILED. 2 passed; 1 failed; 1 ignored; 0 measured; 160 filtered out; finished in 3.21s
";

    #[test]
    fn libtest_output_gives_outcomes_and_messages() {
        let run = parse_libtest(LIBTEST).unwrap();
        assert_eq!(run.tests.len(), 4);
        assert_eq!(run.tests["types::numeric_types"], Outcome::Passed);
        assert_eq!(
            run.tests["errors::syntax_error_is_a_parse_error"],
            Outcome::Failed
        );
        assert_eq!(run.tests["api_io::slow"], Outcome::Ignored);
        assert_eq!(
            run.messages["errors::syntax_error_is_a_parse_error"],
            "expected a parse error, got: Internal"
        );
    }

    #[test]
    fn libtest_output_without_a_result_or_with_other_counts_is_an_error() {
        let crashed = LIBTEST.split("failures:").next().unwrap();
        let err = parse_libtest(crashed).unwrap_err().to_string();
        assert!(err.contains("no `test result:` line"), "{err}");
        let miscounted = LIBTEST.replace("2 passed", "3 passed");
        let err = parse_libtest(&miscounted).unwrap_err().to_string();
        assert!(
            err.contains("counts 3 passed, 1 failed, 1 ignored, but its test lines 2 passed"),
            "{err}"
        );
    }

    #[test]
    fn judging_finds_unexplained_failures_and_stale_expectations() {
        let run = parse_libtest(LIBTEST).unwrap();
        let none = judge("sail", &run, &[]);
        assert_eq!(
            none.unexpected_failures,
            ["errors::syntax_error_is_a_parse_error"]
        );
        assert!(none.unexpected_passes.is_empty());
        let expected = [
            ExpectedFailure {
                server: "sail",
                test: "errors::syntax_error_is_a_parse_error",
                reason: "r",
            },
            ExpectedFailure {
                server: "sail",
                test: "types::numeric_types",
                reason: "r",
            },
            // Another server's expectation does not count here.
            ExpectedFailure {
                server: "spark-4.0",
                test: "api_catalog::functions",
                reason: "r",
            },
        ];
        let judged = judge("sail", &run, &expected);
        assert!(judged.unexpected_failures.is_empty());
        assert_eq!(judged.unexpected_passes, ["types::numeric_types"]);
    }

    #[test]
    fn the_matrix_counts_per_area_and_names_each_failure_with_its_reason() {
        let run = parse_libtest(LIBTEST).unwrap();
        let expected = [ExpectedFailure {
            server: "sail",
            test: "errors::syntax_error_is_a_parse_error",
            reason: "Sail answers a parse error as INTERNAL (a Sail limitation)",
        }];
        let columns = [
            Column {
                id: "sail".into(),
                label: "Sail 0.7.2".into(),
                run: Ok(run),
            },
            Column {
                id: "spark-4.0".into(),
                label: "Spark 4.0.5".into(),
                run: Err("could not start".into()),
            },
        ];
        let text = render(&columns, &expected);
        assert!(
            text.starts_with("| area | Sail 0.7.2 | Spark 4.0.5 |\n|---|---|---|\n"),
            "{text}"
        );
        assert!(
            text.contains("| types and rows | 1/1 | not run |\n"),
            "{text}"
        );
        assert!(text.contains("| errors | **0/1** | not run |\n"), "{text}");
        // An area whose tests were all ignored or absent ran none.
        assert!(text.contains("| streaming | none | not run |\n"), "{text}");
        assert!(text.contains("| all | **2/3** | not run |\n"), "{text}");
        assert!(text.contains(
            "- `errors::syntax_error_is_a_parse_error`: Sail answers a parse error as INTERNAL (a Sail limitation)"
        ), "{text}");
        assert!(
            text.contains("**Spark 4.0.5**: not run: could not start"),
            "{text}"
        );
        assert!(
            text.contains("`session_end` (needs the server with a short session timeout)"),
            "{text}"
        );
        // Without an expectation, the failure shows its message.
        let run = parse_libtest(LIBTEST).unwrap();
        let text = render(
            &[Column {
                id: "sail".into(),
                label: "Sail".into(),
                run: Ok(run),
            }],
            &[],
        );
        assert!(
            text.contains("not explained yet: expected a parse error, got: Internal"),
            "{text}"
        );
    }

    /// The `mod` lines of tests/e2e/main.rs.
    fn e2e_modules() -> Vec<String> {
        let main = fs::read_to_string(workspace_root().join("tests/e2e/main.rs")).unwrap();
        let modules: Vec<String> = main
            .lines()
            .filter_map(|l| l.strip_prefix("mod ")?.strip_suffix(';'))
            .map(str::to_string)
            .collect();
        assert!(modules.len() > 10, "{modules:?}");
        modules
    }

    #[test]
    fn every_e2e_module_is_in_one_area_or_left_out_with_a_reason() {
        let modules = e2e_modules();
        for module in &modules {
            let in_areas = AREAS
                .iter()
                .filter(|a| a.modules.contains(&module.as_str()))
                .count();
            let left_out = LEFT_OUT_MODULES.iter().filter(|(m, _)| m == module).count();
            assert_eq!(
                in_areas + left_out,
                1,
                "tests/e2e/{module}.rs must be in exactly one area of AREAS or in LEFT_OUT_MODULES"
            );
        }
        for name in AREAS
            .iter()
            .flat_map(|a| a.modules.iter())
            .chain(LEFT_OUT_MODULES.iter().map(|(m, _)| m))
        {
            assert!(modules.iter().any(|m| m == name), "no e2e module `{name}`");
        }
    }

    #[test]
    fn skipped_and_expected_tests_exist() {
        let names = LEFT_OUT
            .iter()
            .map(|(t, _)| *t)
            .chain(EXPECTED_FAILURES.iter().map(|e| e.test));
        for name in names {
            let (module, test) = name.split_once("::").unwrap();
            let file = workspace_root().join(format!("tests/e2e/{module}.rs"));
            let text = fs::read_to_string(&file).unwrap();
            assert!(
                text.contains(&format!("async fn {test}()"))
                    || text.contains(&format!("fn {test}()")),
                "{} has no test {test}",
                file.display()
            );
            assert!(area_of(name).is_some(), "{name} is in no area");
        }
    }

    #[test]
    fn filters_name_every_area_module_and_skip_the_left_out_tests() {
        let filters = test_filters();
        assert!(filters.contains(&"api_catalog::".to_string()));
        let skip = filters.iter().position(|f| f == "--skip").unwrap();
        assert_eq!(
            filters[skip + 1],
            "errors::a_wrong_or_missing_token_is_unauthenticated"
        );
        assert!(!filters.contains(&"auth::".to_string()));
    }

    #[test]
    fn sizes() {
        assert_eq!(size_mb("3g"), Some(3072));
        assert_eq!(size_mb("512m"), Some(512));
        assert_eq!(size_mb("2G"), Some(2048));
        assert_eq!(size_mb("3"), None);
        assert_eq!(size_mb("g"), None);
        assert_eq!(size_mb("3x"), None);
    }
}
