//! The commands this crate's writers build (`write`, `write_to`, `merge_into`) are the
//! commands PySpark's Spark Connect client builds for the same calls.
//! `tests/fixtures/pyspark_commands.txt` holds PySpark 4.3's `Command` messages, recorded by
//! `tests/fixtures/capture_pyspark_plans.py ... commands` (which replaces the client's
//! `execute_command`, so nothing was written); each case below makes the same call in Rust.
//! Plan ids and PySpark's call-site origins are left out of the comparison. A child of `io`,
//! to reach the writers' command builders without running them.

use std::collections::BTreeMap;

use prost::Message;
use proto::command::CommandType;
use proto::write_operation::SaveType;
use proto::write_operation::save_table::TableSaveMethod;
use proto::write_operation_v2::Mode;

use super::*;
use crate::functions::{self as f, col, lit};

#[path = "../../tests/support/plan_text.rs"]
pub(crate) mod plan_text;
use plan_text::{base64_decode, first_difference, normalize};

const FIXTURES: &str = include_str!("../../tests/fixtures/pyspark_commands.txt");

fn command(command_type: CommandType) -> proto::Command {
    proto::Command {
        command_type: Some(command_type),
    }
}

fn v1(writer: DataFrameWriter, save: Option<SaveType>) -> proto::Command {
    command(writer.operation(save).unwrap().1)
}

fn path(p: &str) -> Option<SaveType> {
    Some(SaveType::Path(p.to_string()))
}

fn v2(writer: DataFrameWriterV2, mode: Mode, condition: Option<Column>) -> proto::Command {
    command(writer.operation(mode, condition).unwrap().1)
}

/// The Rust calls, named as in the fixture file (`name#i` for the i-th command of a case).
fn cases(spark: &SparkSession) -> BTreeMap<String, proto::Command> {
    let df = spark.range(0, 10);
    let url = "jdbc:derby:memory:db";
    let mut m = BTreeMap::new();
    let mut add = |name: &str, commands: Vec<proto::Command>| {
        if commands.len() == 1 {
            m.insert(name.to_string(), commands.into_iter().next().unwrap());
        } else {
            for (i, c) in commands.into_iter().enumerate() {
                m.insert(format!("{name}#{i}"), c);
            }
        }
    };
    add(
        "write_parquet",
        vec![v1(
            df.write()
                .mode(SaveMode::Append)
                .option("compression", "zstd")
                .partition_by(["a", "b"])
                .format("parquet"),
            path("/data/io/out"),
        )],
    );
    add(
        "write_csv_options",
        vec![v1(
            df.write()
                .option("header", true)
                .options([("sep", ";"), ("nullValue", "NA")])
                .format("csv"),
            path("/data/io/c"),
        )],
    );
    add(
        "write_text_json_orc_xml",
        vec![
            v1(df.write().format("text"), path("/data/io/t")),
            v1(df.write().format("json"), path("/data/io/j")),
            v1(df.write().format("orc"), path("/data/io/o")),
            v1(
                df.write().option("rowTag", "r").format("xml"),
                path("/data/io/x"),
            ),
        ],
    );
    add(
        "write_save_format",
        vec![v1(
            df.write().format("noop").mode(SaveMode::Overwrite),
            None,
        )],
    );
    add(
        "write_save_as_table_bucketed",
        vec![v1(
            df.write()
                .format("parquet")
                .bucket_by(4, ["id"])
                .sort_by(["id"])
                .mode(SaveMode::Ignore),
            Some(table_target("io_t", TableSaveMethod::SaveAsTable)),
        )],
    );
    add(
        "write_cluster_by",
        vec![v1(
            df.write().cluster_by(["id"]).mode(SaveMode::ErrorIfExists),
            Some(table_target("io_c", TableSaveMethod::SaveAsTable)),
        )],
    );
    let insert = |w: DataFrameWriter, overwrite| {
        command(w.insert_into_operation("io_t", overwrite).unwrap().1)
    };
    add(
        "write_insert_into",
        vec![
            insert(df.write(), None),
            insert(df.write(), Some(true)),
            insert(df.write().mode(SaveMode::Overwrite), Some(false)),
        ],
    );
    add(
        "write_jdbc",
        vec![v1(
            df.write()
                .option("user", "u")
                .mode(SaveMode::Append)
                .jdbc_target(url, "T"),
            None,
        )],
    );
    add(
        "write_to_create",
        vec![v2(
            df.write_to("io_v2")
                .using("parquet")
                .option("k", "v")
                .table_property("p", "q")
                .partitioned_by([col("id"), f::bucket(4, "id")])
                .cluster_by(["id"]),
            Mode::Create,
            None,
        )],
    );
    add(
        "write_to_modes",
        vec![
            v2(df.write_to("io_v2"), Mode::Append, None),
            v2(df.write_to("io_v2"), Mode::Replace, None),
            v2(df.write_to("io_v2"), Mode::CreateOrReplace, None),
            v2(df.write_to("io_v2"), Mode::OverwritePartitions, None),
        ],
    );
    add(
        "write_to_overwrite",
        vec![
            v2(df.write_to("io_v2"), Mode::Overwrite, Some(col("id").gt(1))),
            v2(df.write_to("io_v2"), Mode::Overwrite, Some("flag".into())),
        ],
    );
    add(
        "merge_into",
        vec![
            df.alias("s")
                .merge_into("io_target", col("t.id").eq(col("s.id")))
                .when_matched(Some(col("s.id").gt(5)))
                .delete()
                .when_matched(None)
                .update([("v", col("s.id") * 2), ("t.w", lit("x"))])
                .when_matched(None)
                .update_all()
                .when_not_matched(Some(col("s.id").lt(3)))
                .insert([("id", col("s.id")), ("v", lit(0))])
                .when_not_matched(None)
                .insert_all()
                .when_not_matched_by_source(Some(col("t.v").gt(1)))
                .update([("v", lit(-1))])
                .when_not_matched_by_source(None)
                .delete()
                .with_schema_evolution()
                .to_proto(),
        ],
    );
    // PySpark nests the `WithRelations` holding the subqueries at the operator that uses
    // them, this crate puts it at the root (the server resolves both alike): the operator
    // that uses a subquery is the top one in these cases.
    let filtered = || df.filter(col("id").isin_subquery(&spark.range(1, 3)));
    add(
        "subquery_sources",
        vec![
            v1(
                filtered().write(),
                Some(table_target("io_t", TableSaveMethod::SaveAsTable)),
            ),
            v2(filtered().write_to("io_v2"), Mode::Append, None),
            df.alias("s")
                .filter(col("id").isin_subquery(&spark.range(1, 3)))
                .merge_into("io_target", col("io_target.id").eq(col("s.id")))
                .when_matched(None)
                .delete()
                .to_proto(),
        ],
    );
    // PySpark's strings for the save mode, in any case, and single names.
    let m_path = || path("/data/io/m");
    add(
        "write_mode_strings",
        ["Overwrite", "APPEND", "ignore", "error"]
            .into_iter()
            .map(|mode| v1(df.write().mode(mode).format("parquet"), m_path()))
            .collect(),
    );
    add(
        "write_single_names",
        vec![v1(
            df.write()
                .partition_by("a")
                .bucket_by(2, "id")
                .sort_by("id"),
            Some(table_target("io_t", TableSaveMethod::SaveAsTable)),
        )],
    );
    add(
        "write_cluster_by_single_name",
        vec![v1(
            df.write().cluster_by("id"),
            Some(table_target("io_c", TableSaveMethod::SaveAsTable)),
        )],
    );
    add(
        "write_to_single_names",
        vec![v2(
            df.write_to("io_v2").partitioned_by("id").cluster_by("id"),
            Mode::Create,
            None,
        )],
    );
    m
}

#[tokio::test]
async fn commands_match_the_commands_pyspark_builds() {
    let spark = SparkSession::builder()
        .remote("sc://127.0.0.1:1")
        .build()
        .await
        .unwrap();
    let ours = cases(&spark);
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for line in FIXTURES.lines().filter(|l| !l.trim().is_empty()) {
        let (name, encoded) = line.split_once('\t').expect("name<TAB>base64");
        let theirs = proto::Command::decode(base64_decode(encoded).as_slice())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mine = ours
            .get(name)
            .unwrap_or_else(|| panic!("{name}: a fixture without a Rust case"));
        let (a, b) = (normalize(mine), normalize(&theirs));
        if a != b {
            mismatches.push(format!("{name}:{}", first_difference(&a, &b)));
        }
        compared += 1;
    }
    assert_eq!(compared, ours.len(), "every Rust case has a fixture");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
