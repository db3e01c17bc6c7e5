//! DataFrames built by many calls of the API, by name: the plans that `pyspark_plans.rs`
//! compares with PySpark's and `protocol_35.rs` checks against Spark 3.5's protocol.

#![allow(dead_code)]

use std::collections::BTreeMap;

use spark_connect_dataframe::functions::{self as f, Window, col, lit};
use spark_connect_dataframe::{DataFrame, JoinType, NearestBy, NearestMode, SparkSession};

pub fn cases(spark: &SparkSession) -> BTreeMap<&'static str, DataFrame> {
    let r = || spark.range(0, 10);
    let o = spark.range(5, 15);
    let how = |s: &str| s.parse::<JoinType>().unwrap();
    let mut m = BTreeMap::new();
    m.insert(
        "select_arithmetic",
        r().select([(col("id") * 2).alias("twice"), col("id") + 1]),
    );
    m.insert(
        "filter_and_or",
        r().filter(col("id").gt(3).and(col("id").le(7)).or(col("id").is_null())),
    );
    m.insert(
        "with_column_upper",
        r().with_column("s", f::upper(col("id").cast("string"))),
    );
    m.insert(
        "with_columns",
        r().with_columns([("a", lit(1)), ("b", col("id") % 3)]),
    );
    m.insert("renamed", r().with_column_renamed("id", "n"));
    m.insert("drop_names", r().drop(["id", "x"]));
    m.insert("distinct", r().distinct());
    m.insert("drop_duplicates", r().drop_duplicates(["id"]));
    m.insert(
        "order_by",
        r().order_by([col("id").desc(), f::asc_nulls_last("id"), col("id")]),
    );
    m.insert("sort_within_partitions", r().sort_within_partitions(["id"]));
    m.insert(
        "group_by_agg",
        r().group_by(["id"])
            .agg([f::sum("id").alias("s"), f::count(lit(1))]),
    );
    m.insert("group_by_count", r().group_by([col("id") % 2]).count());
    m.insert("rollup", r().rollup(["id"]).agg([f::max("id")]));
    m.insert("cube", r().cube(["id"]).agg([f::min("id")]));
    m.insert(
        "pivot",
        r().group_by(["id"])
            .pivot("id", [1, 2])
            .agg([f::count(lit(1))]),
    );
    m.insert("join_using_left", r().join(&o, ["id"], how("left")));
    m.insert(
        "join_on_column",
        r().join(&o, col("id").eq(lit(3)), how("inner")),
    );
    m.insert(
        "join_semi_anti",
        r().join(&o, ["id"], how("left_semi"))
            .join(&o, ["id"], how("anti")),
    );
    m.insert("cross_join", r().cross_join(&o));
    m.insert("union", r().union(&o));
    m.insert("union_by_name", r().union_by_name(&o, true));
    m.insert("intersect", r().intersect(&o));
    m.insert("intersect_all", r().intersect_all(&o));
    m.insert("subtract", r().subtract(&o));
    m.insert("except_all", r().except_all(&o));
    m.insert("offset_limit", r().offset(2).limit(3));
    m.insert("sample", r().sample(0.5, false, Some(42)));
    m.insert("repartition", r().repartition(4).coalesce(2));
    m.insert(
        "repartition_by",
        r().repartition_by(Some(3), [col("id") % 3]),
    );
    m.insert(
        "repartition_by_range",
        r().repartition_by_range(Some(2), ["id"]),
    );
    m.insert("alias_to_df", r().alias("a").to_df(["x"]));
    m.insert("describe", r().describe(["id"]));
    m.insert("summary", r().summary(["min", "max"]));
    m.insert(
        "window",
        r().select([
            f::row_number().over(&Window::partition_by(["id"]).order_by([col("id").desc()])),
            f::sum("id").over(
                &Window::order_by(["id"])
                    .rows_between(Window::UNBOUNDED_PRECEDING, Window::CURRENT_ROW),
            ),
            f::lag("id").over(&Window::order_by(["id"]).range_between(-2, 3)),
        ]),
    );
    m.insert(
        "when_otherwise",
        r().select([f::when(col("id").gt(5), "big")
            .when(col("id").lt(2), "small")
            .otherwise("mid")]),
    );
    m.insert(
        "column_methods",
        r().select([
            col("id").isin([1, 2]),
            col("id").between(1, 3),
            col("id").cast("string").like("1%"),
            col("id").cast("string").startswith("1"),
            col("id").cast("string").substr(1, 2),
            col("id").eq_null_safe(3),
        ]),
    );
    m.insert(
        "functions",
        r().select([
            f::concat_ws("-", ["id", "id"]),
            f::date_format(f::current_date(), "yyyy"),
            f::sha2(col("id").cast("string"), 256),
            f::array(["id", "id"]),
            f::count_distinct(["id", "id"]),
            f::timestamp_add("HOUR", lit(1), f::current_timestamp()),
        ]),
    );
    m.insert(
        "fillna_dropna",
        r().fillna(0, Vec::<&str>::new())
            .dropna(Some(1), Vec::<&str>::new()),
    );
    let s = || col("id").cast("string");
    m.insert(
        "optional_arguments",
        r().select([
            f::round_with("id", 2),
            f::bround_with("id", 1),
            f::ceil_with("id", 1),
            f::floor_with("id", 1),
            f::split_with(s(), ",", 2),
            f::to_date_with(s(), "yyyy"),
            f::to_timestamp_with(s(), "yyyy"),
            f::try_to_timestamp_with(s(), lit("yyyy")),
            f::to_timestamp_ntz_with(s(), lit("yyyy")),
            f::to_timestamp_ltz_with(s(), lit("yyyy")),
            f::to_unix_timestamp_with(s(), lit("yyyy")),
            f::from_unixtime_with("id", "yyyy"),
            f::regexp_extract_all_with(s(), lit("[0-9]"), 0),
            f::sort_array_with(f::array(["id"]), false),
            f::array_join_with(f::array([s()]), ",", "?"),
            f::substr_with(s(), lit(1), lit(2)),
            f::locate_with("1", s(), 2),
            f::sequence_with(lit(1), lit(5), lit(2)),
            f::levenshtein_with(s(), lit("10"), 3),
            f::months_between_with(f::current_date(), f::current_date(), false),
            f::rand_with(7),
            f::randn_with(7),
            f::shuffle_with(f::array(["id"]), 7),
        ]),
    );
    m.insert(
        "optional_aggregate_arguments",
        r().select([
            f::approx_count_distinct_with("id", 0.1),
            f::percentile_approx_with("id", 0.5, 100),
            f::any_value_with("id", true),
            f::first_value_with("id", true),
            f::last_value_with("id", true),
            f::lag_with("id", 2, 0).over(&Window::order_by(["id"])),
            f::lead_with("id", 1, -1).over(&Window::order_by(["id"])),
        ]),
    );
    m.insert("zip_with_index", r().zip_with_index("idx"));
    m.insert(
        "statistics",
        r().crosstab("id", "id")
            .union(&r().freq_items(["id"], Some(0.4))),
    );
    m.insert(
        "sample_by_replace",
        r().sample_by("id", [(1.into(), 0.5), (2.into(), 1.0)], Some(3))
            .replace([(1.into(), 2.into())], ["id"]),
    );
    m.insert(
        "fillna_subset",
        r().fillna("x", ["id"]).dropna(Some(1), ["id"]),
    );
    let transposed = r().transpose(Some(col("id")));
    let regex = r().col_regex("`i.*`");
    m.insert(
        "transpose_regex_watermark",
        transposed.select([regex]).with_watermark("id", "1 minute"),
    );
    m.insert(
        "random_split",
        r().random_split(&[1.0, 3.0], Some(5)).unwrap().remove(1),
    );
    m.insert(
        "grouping_sets",
        r().grouping_sets([vec!["id"], vec![]], ["id"])
            .agg([f::count(lit(1))]),
    );
    m.insert(
        "higher_order",
        r().select([
            f::transform(f::array(["id"]), |x| x * 2),
            f::filter_with_index(f::array(["id"]), |_, i| i.gt(0)),
            f::aggregate_with(f::array(["id"]), lit(0), |acc, x| acc + x, |acc| acc * 10),
            f::zip_with(f::array(["id"]), f::array(["id"]), |a, b| a + b),
            f::map_filter(f::create_map([lit("k"), col("id")]), |_, v| v.gt(1)),
            f::map_zip_with(
                f::create_map([lit("k"), col("id")]),
                f::create_map([lit("k"), col("id")]),
                |_, a, _| a,
            ),
            f::exists(f::array(["id"]), |x| x.is_null()),
        ]),
    );
    m.insert(
        "nested_fields",
        r().select([
            f::r#struct(["id"]).get_field("id"),
            f::array(["id"]).get_item(0),
            f::r#struct(["id"])
                .with_field("x", lit(1))
                .drop_fields(["id"]),
            col("id").try_cast("int"),
        ]),
    );
    m.insert(
        "lateral_join",
        r().alias("l").lateral_join(
            &spark
                .range(5, 15)
                .alias("r")
                .filter(col("r.id").lt(col("l.id").outer())),
            None,
            how("left"),
        ),
    );
    m.insert("repartition_by_id", r().repartition_by_id(4, col("id")));
    m.insert(
        "distinct_aggregates",
        r().select([f::listagg_distinct_with("id", ","), f::sum_distinct("id")]),
    );
    m.insert(
        "to_schema_metadata",
        r().with_metadata("id", r#"{"k": "v"}"#)
            .drop_duplicates_within_watermark(["id"]),
    );
    m.insert(
        "unpivot",
        r().unpivot(["id"], Some(vec!["id"]), "var", "val"),
    );
    m.insert(
        "nearest_by_join",
        r().nearest_by_join(
            &o,
            -f::abs(col("id") - lit(3)),
            2,
            NearestMode::Exact,
            NearestBy::Similarity,
            JoinType::Left,
        ),
    );
    m.insert("to_json", r().to_json());
    m.insert(
        "call_udf",
        r().select([f::call_udf("my_udf", [col("id"), lit(2)])]),
    );
    m.insert(
        "partition_transforms",
        r().select([
            f::years("id"),
            f::months("id"),
            f::days("id"),
            f::hours("id"),
            f::bucket(4, "id"),
        ]),
    );
    reader_cases(spark, &mut m);
    shortcut_cases(spark, &mut m);
    argument_cases(spark, &mut m);
    m
}

/// PySpark's shortcuts on columns: `&`/`|`, typed nulls, date and timestamp literals,
/// multi-name aliases, and the `_with` forms of optional arguments.
fn shortcut_cases(spark: &SparkSession, m: &mut BTreeMap<&'static str, DataFrame>) {
    use chrono::{FixedOffset, NaiveDate, TimeZone, Utc};
    use spark_connect_dataframe::Literal;

    let r = || spark.range(0, 10);
    let s = || col("id").cast("string");
    m.insert(
        "column_operators",
        r().select([
            col("id").gt(1) & col("id").lt(5),
            col("id").eq(1) | col("id").is_null(),
            col("id").is_null() & true,
            true & col("id").is_null(),
            false | col("id").is_null(),
            !(col("id").ge(1) & col("id").ne(3)),
        ]),
    );
    m.insert(
        "null_literals",
        r().select([
            lit(Literal::null()),
            lit(Literal::null()).cast("string"),
            lit(None::<String>),
            lit(None::<i64>),
            lit(None::<i32>),
            lit(None::<i16>),
            lit(None::<i8>),
            lit(None::<bool>),
            lit(None::<f64>),
            lit(None::<f32>),
            lit(None::<bytes::Bytes>),
            lit(None::<NaiveDate>),
            lit(None::<chrono::DateTime<Utc>>),
            lit(None::<chrono::NaiveDateTime>),
            lit(Some(5)),
            f::coalesce([col("id"), lit(None::<i64>)]),
        ]),
    );
    let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let wall = day.and_hms_micro_opt(12, 30, 15, 123_456).unwrap();
    let plus_one = FixedOffset::east_opt(3600).unwrap();
    m.insert(
        "date_time_literals",
        r().select([
            lit(day),
            lit(NaiveDate::from_ymd_opt(1969, 12, 31).unwrap()),
            lit(Utc.from_utc_datetime(&wall)),
            lit(plus_one.with_ymd_and_hms(2024, 3, 1, 13, 30, 15).unwrap()),
            lit(wall),
            lit(Literal::binary(b"PAR1")),
            col("id")
                .cast("date")
                .ge(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()),
        ]),
    );
    m.insert(
        "multi_name_alias",
        r().select([
            f::posexplode(f::array(["id", "id"])).alias(["pos", "v"]),
            col("id").alias("x"),
            col("id").name("y"),
        ]),
    );
    m.insert(
        "optional_defaults",
        r().select([
            f::first("id"),
            f::last("id"),
            f::mode("id"),
            f::nth_value("id", 2),
            f::sort_array(f::array(["id"])),
            f::months_between(f::current_date(), f::current_date()),
            f::from_unixtime("id"),
            f::locate("1", s()),
            f::overlay(s(), s(), 1),
            f::split(s(), ","),
            f::mask(s()),
            f::sentences(s()),
            f::str_to_map(s()),
            f::aes_encrypt(s(), s()),
            f::aes_decrypt(s(), s()),
            f::try_aes_decrypt(s(), s()),
            f::percentile("id", 0.5),
            f::approx_percentile("id", 0.5),
            f::percentile_approx("id", 0.5),
            f::tuple_union_agg_double("id"),
            f::tuple_sketch_agg_integer("id", "id"),
            f::tuple_union_theta_double("id", "id"),
        ]),
    );
    let ones = || [lit(1), lit(1), lit(1), lit(1), lit(1), lit(1)];
    let [y, mo, d, h, mi, se] = ones();
    let [y2, mo2, d2, h2, mi2, se2] = ones();
    let [y3, mo3, d3, h3, mi3, se3] = ones();
    m.insert(
        "optional_with_forms",
        r().select([
            f::first_with("id", true),
            f::last_with("id", true),
            f::mode_with("id", true),
            f::nth_value_with("id", 2, true),
            f::log_with(2.0, "id"),
            f::ceiling_with("id", 1),
            f::trim_with(s(), lit("x")),
            f::ltrim_with(s(), lit("x")),
            f::rtrim_with(s(), lit("x")),
            f::btrim_with(s(), lit("x")),
            f::mask_with(s(), lit("U"), lit("l"), lit("d"), lit("o")),
            f::sentences_with(s(), lit("en"), lit("US")),
            f::str_to_map_with(s(), lit(";"), lit("=")),
            f::aes_encrypt_with(s(), s(), lit("CBC"), lit("PKCS"), lit(""), lit("")),
            f::instr_with(s(), "1", 1, 2),
            f::regexp_replace_with(s(), "1", "2", 1),
            f::like_with(s(), lit("1%"), lit("!")),
            f::parse_url_with(s(), lit("QUERY"), lit("k")),
            f::position_with(lit("1"), s(), lit(2)),
            f::replace_with(s(), lit("1"), lit("2")),
            f::overlay_with(s(), s(), 1, 2),
            f::to_binary_with(s(), lit("hex")),
            f::try_to_date_with(s(), "yyyy"),
            f::to_time_with(s(), lit("HH")),
            f::unix_timestamp(),
            f::unix_timestamp_with(s(), "yyyy-MM-dd HH:mm:ss"),
            f::current_time_with(3),
            f::uniform_with(1, 10, 7),
            f::randstr_with(5, 7),
            f::uuid_with(7),
            f::window_with(
                col("id").cast("timestamp"),
                "10 minutes",
                "5 minutes",
                "1 minute",
            ),
            f::make_timestamp_ltz_with(y, mo, d, h, mi, se, lit("UTC")),
            f::make_timestamp_with(y2, mo2, d2, h2, mi2, se2, lit("UTC")),
            f::make_timestamp_from_date_time(f::current_date(), lit("12:00")),
            f::make_timestamp_ntz_from_date_time(f::current_date(), lit("12:00")),
            {
                let [a, b, c, d, e, g] = [y3, mo3, d3, h3, mi3, se3];
                f::make_interval(a, b, c, d, e, g, lit(1))
            },
            f::make_dt_interval(lit(1), lit(2), lit(3), lit(4)),
            f::make_ym_interval(lit(1), lit(2)),
            f::array_sort_with(f::array(["id"]), |a, b| b - a),
            f::reduce_with(f::array(["id"]), lit(0), |acc, x| acc + x, |acc| acc * 2),
        ]),
    );
    m.insert(
        "optional_options_and_aggregates",
        r().select([
            f::from_json_with(s(), "a INT", [("mode", "FAILFAST")]),
            f::from_csv_with(s(), "a INT", [("sep", ";")]),
            f::to_json_with(f::r#struct(["id"]), [("pretty", "true")]),
            f::to_csv_with(f::r#struct(["id"]), [("sep", ";")]),
            f::schema_of_json_with(lit(r#"{"a": 1}"#), [("allowComments", "true")]),
            f::listagg_with(s(), ","),
            f::string_agg_with(s(), ","),
            f::max_by_with("id", "id", 2),
            f::min_by_with("id", "id", 2),
            f::hll_sketch_agg_with("id", 12),
            f::percentile_with("id", f::array([lit(0.25), lit(0.5)]), 2),
            f::approx_percentile_with("id", 0.5, 100),
            f::count_min_sketch_with("id", 0.1, 0.9, 7),
            f::tuple_union_agg_double_with("id", 10, "min"),
            f::theta_sketch_agg_with("id", 10),
            f::kll_sketch_agg_bigint_with("id", 100),
        ]),
    );
}

/// PySpark's shortcuts in their Rust forms: single names, names and columns mixed, join
/// types as strings, PySpark's default (inner) join.
fn argument_cases(spark: &SparkSession, m: &mut BTreeMap<&'static str, DataFrame>) {
    let r = || spark.range(0, 10);
    let o = spark.range(5, 15);
    m.insert("select_single_name", r().select("id"));
    m.insert(
        "select_mixed",
        r().select(("id", (col("id") + 1).alias("next"))),
    );
    m.insert("select_expr_single", r().select_expr("id * 2 AS twice"));
    m.insert("group_by_single_name", r().group_by("id").agg(f::max("id")));
    m.insert(
        "grouped_shortcuts_single_name",
        r().group_by("id")
            .sum("id")
            .union(&r().group_by(col("id") % 2).avg("id")),
    );
    m.insert(
        "rollup_cube_single_name",
        r().rollup("id").count().union(&r().cube("id").count()),
    );
    m.insert("agg_single", r().agg(f::max("id")));
    m.insert(
        "order_by_single_name",
        r().order_by("id").sort_within_partitions(col("id").desc()),
    );
    m.insert("drop_single_name", r().drop("id"));
    m.insert("drop_column", r().drop_columns(o.col("id")));
    m.insert(
        "describe_summary_single",
        r().describe("id").union(&r().summary("min")),
    );
    m.insert("to_df_single", r().to_df("x"));
    m.insert(
        "fillna_dropna_single_subset",
        r().fillna(0, "id").dropna(None, "id"),
    );
    m.insert(
        "repartition_single_name",
        r().repartition_by(Some(3), "id")
            .repartition_by_range(Some(2), "id"),
    );
    m.insert(
        "window_single_names",
        r().select([
            f::row_number().over(&Window::partition_by("id").order_by("id")),
            f::sum("id").over(&Window::partition_by(col("id") % 2)),
        ]),
    );
    m.insert("join_default_inner", r().inner_join(&o, "id"));
    m.insert(
        "join_conditions_list",
        r().inner_join(&o, [col("id").gt(1), col("id").lt(5)]),
    );
    m.insert("join_on_names_list", r().inner_join(&o, ["id"]));
    for (name, how) in [
        ("join_how_inner", "inner"),
        ("join_how_outer", "outer"),
        ("join_how_full", "full"),
        ("join_how_fullouter", "fullouter"),
        ("join_how_full_outer", "full_outer"),
        ("join_how_leftouter", "leftouter"),
        ("join_how_left", "left"),
        ("join_how_left_outer", "left_outer"),
        ("join_how_rightouter", "rightouter"),
        ("join_how_right", "right"),
        ("join_how_right_outer", "right_outer"),
        ("join_how_leftsemi", "leftsemi"),
        ("join_how_left_semi", "left_semi"),
        ("join_how_semi", "semi"),
        ("join_how_leftanti", "leftanti"),
        ("join_how_left_anti", "left_anti"),
        ("join_how_anti", "anti"),
        ("join_how_cross", "cross"),
        ("join_how_LEFT_OUTER", "LEFT_OUTER"),
        ("join_how_Full_Outer", "Full_Outer"),
    ] {
        m.insert(name, r().join(&o, "id", how));
    }
}

fn reader_cases(spark: &SparkSession, m: &mut BTreeMap<&'static str, DataFrame>) {
    use spark_connect_dataframe::{DataType, StructField, StructType};
    let field =
        |name: &str, data_type: DataType, nullable: bool, metadata: Option<&str>| StructField {
            name: name.into(),
            data_type,
            nullable,
            metadata: metadata.map(str::to_string),
        };
    let string = || DataType::String {
        collation: String::new(),
    };
    let schema = StructType {
        fields: vec![
            field("id", DataType::Long, false, None),
            field(
                "amount",
                DataType::Decimal {
                    precision: 10,
                    scale: 2,
                },
                true,
                None,
            ),
            field("day", DataType::Date, true, None),
            field(
                "tags",
                DataType::Array {
                    element: Box::new(string()),
                    contains_null: false,
                },
                true,
                None,
            ),
            field(
                "m",
                DataType::Map {
                    key: Box::new(string()),
                    value: Box::new(DataType::Double),
                    value_contains_null: true,
                },
                true,
                None,
            ),
            field(
                "s",
                DataType::Struct(StructType {
                    fields: vec![field("a b", DataType::TimestampNtz, true, None)],
                }),
                true,
                Some(r#"{"comment":"nested"}"#),
            ),
        ],
    };
    m.insert(
        "read_csv_ddl_options",
        spark
            .read()
            .schema("id INT, name STRING")
            .option("header", true)
            .options([("sep", ";"), ("nullValue", "NA")])
            .csv("/data/io/a.csv"),
    );
    m.insert(
        "read_struct_schema_paths",
        spark
            .read()
            .format("json")
            .schema(schema)
            .load(["/data/io/a.json", "/data/io/b.json"]),
    );
    m.insert(
        "read_shortcuts",
        spark
            .read()
            .parquet(["/data/io/p1", "/data/io/p2"])
            .union(&spark.read().orc("/data/io/o"))
            .union(&spark.read().text("/data/io/t.txt"))
            .union(&spark.read().json("/data/io/j"))
            .union(
                &spark
                    .read()
                    .format("xml")
                    .option("rowTag", "r")
                    .load_without_path(),
            ),
    );
    m.insert(
        "read_table_jdbc",
        spark
            .read()
            .option("k", "v")
            .table("io_t")
            .union(
                &spark
                    .read()
                    .jdbc("jdbc:derby:memory:db", "T", ["K < 2", "K >= 2"]),
            ),
    );
    m.insert(
        "read_changes_text_wholetext",
        spark
            .read()
            .option("startingVersion", "1")
            .changes("io_t")
            .union(
                &spark
                    .read()
                    .option("wholetext", true)
                    .text(["/data/io/t1", "/data/io/t2"]),
            ),
    );
}
