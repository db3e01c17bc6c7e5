//! The generated functions against a real server: every one is a function the server knows,
//! a broad sample computes what the same SQL computes on the same server, and a few give
//! values known independently.

use std::collections::HashSet;

use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_cast::display::array_value_to_string;
use arrow_schema::DataType;
use databricks_connect::functions::{self as f, col, lit};
use databricks_connect::{Column, DataFrame};

use crate::session;

/// Every value of every column, as text, row by row.
pub fn rows(batches: &[RecordBatch]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for b in batches {
        for r in 0..b.num_rows() {
            out.push(
                b.columns()
                    .iter()
                    .map(without_time_zone)
                    .map(|c| {
                        if c.is_null(r) {
                            "null".to_string()
                        } else {
                            array_value_to_string(&c, r).expect("displayable value")
                        }
                    })
                    .collect(),
            );
        }
    }
    out
}

/// Timestamps with a zone shown as their UTC wall time (Arrow's display needs a zone
/// database for named zones).
fn without_time_zone(c: &ArrayRef) -> ArrayRef {
    match c.data_type() {
        DataType::Timestamp(unit, Some(_)) => {
            arrow_cast::cast(c, &DataType::Timestamp(*unit, None)).expect("timestamp cast")
        }
        _ => c.clone(),
    }
}

/// The single row of a query, as text.
pub async fn one_row(df: &DataFrame) -> Vec<String> {
    let all = rows(&df.collect().await.expect("query runs"));
    assert_eq!(all.len(), 1, "{all:?}");
    all.into_iter().next().unwrap()
}

#[tokio::test]
async fn every_generated_function_is_known_to_the_server() {
    let spark = session().await;
    let batches = spark
        .sql("SHOW FUNCTIONS")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let mut known = HashSet::new();
    for b in &batches {
        let names = b.column(0).as_any().downcast_ref::<StringArray>().unwrap();
        known.extend(names.iter().flatten().map(str::to_string));
    }
    assert!(known.len() > 400, "{}", known.len());
    // Partition transforms are valid only as V2 write partitioning, not as SQL functions.
    let missing: Vec<&str> = f::registry()
        .iter()
        .filter(|i| i.family() != f::Family::Partitioning)
        .map(|i| i.spark_name())
        .filter(|n| !n.is_empty() && !known.contains(*n))
        .collect();
    // Resolved by Spark Connect's own function table or by the SQL parser, not listed by
    // SHOW FUNCTIONS; each is run below or in generated_functions_compute_what_the_same_sql_computes.
    assert_eq!(
        missing,
        ["product", "timestampadd", "timestampdiff", "unwrap_udt"],
        "unknown to the server"
    );
}

const FIXTURE: &str = "SELECT * FROM VALUES \
    ('Hello World', -2.5D, 7L, DATE'2024-02-29', TIMESTAMP_NTZ'2024-02-29 13:45:30', array(3, 1, 2), map('a', 1, 'b', 2), 'a,b,,c', '{\"k\": [1, 2]}'), \
    ('  spark  ', 16D, -3L, DATE'1999-12-31', TIMESTAMP_NTZ'1999-12-31 23:59:59', array(5, NULL, 5), map('z', 26), 'x', '{\"k\": []}'), \
    (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL) \
    AS t(s, x, n, d, ts, arr, m, csv, js)";

/// Our column and the SQL that should compute the same thing.
fn pairs() -> Vec<(Column, &'static str)> {
    vec![
        // strings
        (f::upper("s"), "upper(s)"),
        (f::lower("s"), "lower(s)"),
        (f::length("s"), "length(s)"),
        (f::trim("s"), "trim(s)"),
        (f::ltrim("s"), "ltrim(s)"),
        (f::rtrim("s"), "rtrim(s)"),
        (f::initcap("s"), "initcap(s)"),
        (f::reverse("s"), "reverse(s)"),
        (f::repeat("s", 2), "repeat(s, 2)"),
        (f::lpad("s", 15, "*"), "lpad(s, 15, '*')"),
        (f::rpad("s", 15, "-"), "rpad(s, 15, '-')"),
        (f::concat(["s", "csv"]), "concat(s, csv)"),
        (f::concat_ws("|", ["s", "csv"]), "concat_ws('|', s, csv)"),
        (f::substring("s", 2, 3), "substring(s, 2, 3)"),
        (
            f::substring_index("csv", ",", 2),
            "substring_index(csv, ',', 2)",
        ),
        (
            f::regexp_replace("s", "[aeiou]", "_"),
            "regexp_replace(s, '[aeiou]', '_')",
        ),
        (
            f::regexp_extract("s", "(\\w+)", 1),
            "regexp_extract(s, '(\\\\w+)', 1)",
        ),
        (f::split("csv", ","), "split(csv, ',')"),
        (f::instr("s", "o"), "instr(s, 'o')"),
        (f::translate("s", "lo", "01"), "translate(s, 'lo', '01')"),
        (f::ascii("s"), "ascii(s)"),
        (
            f::base64(f::encode("s", "UTF-8")),
            "base64(encode(s, 'UTF-8'))",
        ),
        (f::soundex("s"), "soundex(s)"),
        (f::left("s", 3), "left(s, 3)"),
        (f::right("s", 3), "right(s, 3)"),
        (f::format_number("x", 2), "format_number(x, 2)"),
        (f::levenshtein("s", "csv"), "levenshtein(s, csv)"),
        // math
        (f::abs("x"), "abs(x)"),
        (f::sqrt("x"), "sqrt(x)"),
        (f::exp("n"), "exp(n)"),
        (f::ln("x"), "ln(x)"),
        (f::log10("x"), "log10(x)"),
        (f::log2("x"), "log2(x)"),
        (f::pow("x", 2), "power(x, 2)"),
        (f::round("x"), "round(x)"),
        (f::bround("x"), "bround(x)"),
        (f::ceil("x"), "ceil(x)"),
        (f::floor("x"), "floor(x)"),
        (f::signum("x"), "signum(x)"),
        (f::sin("x"), "sin(x)"),
        (f::atan2("x", "n"), "atan2(x, n)"),
        (f::pmod("n", 4), "pmod(n, 4)"),
        (f::hex("n"), "hex(n)"),
        (f::bin("n"), "bin(n)"),
        (f::factorial(f::abs("n")), "factorial(abs(n))"),
        (f::shiftleft("n", 2), "shiftleft(n, 2)"),
        (f::bitwise_not("n"), "~n"),
        (f::negative("n"), "-n"),
        (f::greatest(["x", "n"]), "greatest(x, n)"),
        (f::least(["x", "n"]), "least(x, n)"),
        (f::try_divide("n", 0), "try_divide(n, 0)"),
        // date and time
        (f::year("d"), "year(d)"),
        (f::month("d"), "month(d)"),
        (f::dayofmonth("d"), "dayofmonth(d)"),
        (f::dayofweek("d"), "dayofweek(d)"),
        (f::dayofyear("d"), "dayofyear(d)"),
        (f::weekofyear("d"), "weekofyear(d)"),
        (f::quarter("d"), "quarter(d)"),
        (f::hour("ts"), "hour(ts)"),
        (f::minute("ts"), "minute(ts)"),
        (f::second("ts"), "second(ts)"),
        (f::date_add("d", 1), "date_add(d, 1)"),
        (f::date_sub("d", 1), "date_sub(d, 1)"),
        (f::add_months("d", 12), "add_months(d, 12)"),
        (f::last_day("d"), "last_day(d)"),
        (f::next_day("d", "Mon"), "next_day(d, 'Mon')"),
        (
            f::datediff("d", lit("2000-01-01")),
            "datediff(d, '2000-01-01')",
        ),
        (
            f::months_between("d", lit("2000-01-01")),
            "months_between(d, '2000-01-01')",
        ),
        (
            f::date_format("ts", "yyyy/MM/dd HH:mm"),
            "date_format(ts, 'yyyy/MM/dd HH:mm')",
        ),
        (f::date_trunc("month", "ts"), "date_trunc('month', ts)"),
        (f::trunc("d", "year"), "trunc(d, 'year')"),
        (
            f::to_date(f::date_format("d", "yyyy-MM-dd")),
            "to_date(date_format(d, 'yyyy-MM-dd'))",
        ),
        (f::unix_date("d"), "unix_date(d)"),
        (f::make_date(f::year("d"), 1, 1), "make_date(year(d), 1, 1)"),
        (
            f::timestamp_add("HOUR", lit(2), "ts"),
            "timestampadd(HOUR, 2, ts)",
        ),
        // collections
        (f::array_max("arr"), "array_max(arr)"),
        (f::array_min("arr"), "array_min(arr)"),
        (f::array_distinct("arr"), "array_distinct(arr)"),
        (f::array_contains("arr", 5), "array_contains(arr, 5)"),
        (f::array_position("arr", 5), "array_position(arr, 5)"),
        (f::array_remove("arr", 5), "array_remove(arr, 5)"),
        (f::array_compact("arr"), "array_compact(arr)"),
        (f::array_join("arr", "-"), "array_join(arr, '-')"),
        (f::array_size("arr"), "array_size(arr)"),
        (f::sort_array("arr"), "sort_array(arr)"),
        (f::size("arr"), "size(arr)"),
        (f::element_at("arr", 1), "element_at(arr, 1)"),
        (f::slice("arr", 2, 2), "slice(arr, 2, 2)"),
        (
            f::array_union("arr", f::array([lit(9)])),
            "array_union(arr, array(9))",
        ),
        (f::array(["n", "n"]), "array(n, n)"),
        (f::map_keys("m"), "map_keys(m)"),
        (f::map_values("m"), "map_values(m)"),
        (f::map_entries("m"), "map_entries(m)"),
        (f::map_contains_key("m", "a"), "map_contains_key(m, 'a')"),
        (f::create_map([lit("k"), col("n")]), "map('k', n)"),
        (f::r#struct(["n", "s"]), "struct(n, s)"),
        (f::sequence(lit(1), f::abs("n")), "sequence(1, abs(n))"),
        (
            f::flatten(f::array(["arr", "arr"])),
            "flatten(array(arr, arr))",
        ),
        // hashing, formats, conditionals
        (f::md5("s"), "md5(s)"),
        (f::sha1("s"), "sha1(s)"),
        (f::sha2("s", 256), "sha2(s, 256)"),
        (f::crc32("s"), "crc32(s)"),
        (f::hash(["s", "n"]), "hash(s, n)"),
        (f::xxhash64(["s", "n"]), "xxhash64(s, n)"),
        (
            f::get_json_object("js", "$.k[1]"),
            "get_json_object(js, '$.k[1]')",
        ),
        (
            f::json_array_length(f::get_json_object("js", "$.k")),
            "json_array_length(get_json_object(js, '$.k'))",
        ),
        (f::to_json(f::r#struct(["n"])), "to_json(struct(n))"),
        (
            f::from_json("js", "k array<int>"),
            "from_json(js, 'k array<int>')",
        ),
        (f::coalesce(["s", "csv"]), "coalesce(s, csv)"),
        (f::nvl("s", lit("none")), "nvl(s, 'none')"),
        (f::nvl2("s", lit(1), lit(2)), "nvl2(s, 1, 2)"),
        (f::nullif("n", 7), "nullif(n, 7)"),
        (f::isnull("s"), "isnull(s)"),
        (f::isnotnull("s"), "isnotnull(s)"),
        (f::r#typeof("arr"), "typeof(arr)"),
        (f::equal_null("s", "s"), "equal_null(s, s)"),
        (f::zeroifnull("n"), "zeroifnull(n)"),
    ]
}

#[tokio::test]
async fn generated_functions_compute_what_the_same_sql_computes() {
    let spark = session().await;
    let fixture = spark.sql(FIXTURE).await.unwrap();
    let pairs = pairs();
    let ours = fixture.select(
        pairs
            .iter()
            .enumerate()
            .map(|(i, (c, _))| c.clone().alias(format!("c{i}"))),
    );
    let sql = fixture.select_expr(
        pairs
            .iter()
            .enumerate()
            .map(|(i, (_, s))| format!("{s} AS c{i}")),
    );
    let (ours, sql) = (
        rows(&ours.collect().await.unwrap()),
        rows(&sql.collect().await.unwrap()),
    );
    assert_eq!(ours.len(), 3);
    for (row, (a, b)) in ours.iter().zip(&sql).enumerate() {
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert_eq!(x, y, "row {row}: {} differs from `{}`", i, pairs[i].1);
        }
    }
}

#[tokio::test]
async fn functions_give_values_known_independently() {
    let spark = session().await;
    let df = spark.range(0, 1).select([
        f::upper(lit("abc")),
        f::md5(lit("abc")),
        f::crc32(lit("abc")),
        f::sqrt(lit(16.0)),
        f::abs(lit(-3)),
        f::concat_ws("-", [lit("a"), lit("b"), lit("c")]),
        f::date_add(lit("2024-02-28").cast("date"), 1),
        f::array_max(f::array([lit(3), lit(9), lit(4)])),
        f::length(lit("héllo")),
        f::sha2(lit(""), 256),
    ]);
    assert_eq!(
        one_row(&df).await,
        vec![
            "ABC",
            "900150983cd24fb0d6963f7d28e17f72",
            "891568578",
            "4.0",
            "3",
            "a-b-c",
            "2024-02-29",
            "9",
            "5",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ]
    );
}

#[tokio::test]
async fn aggregate_functions_over_known_numbers() {
    let spark = session().await;
    // 1..=10: sum 55, mean 5.5, min 1, max 10, 10 rows, 5 even; sample variance 55/6.
    let df = spark.range(1, 11).select([
        f::sum("id"),
        f::avg("id"),
        f::mean("id"),
        f::min("id"),
        f::max("id"),
        f::count("id"),
        f::count_if((col("id") % 2).eq(0)),
        f::count_distinct([col("id") % 3]),
        f::sum_distinct(col("id") % 3),
        f::product("id"),
        f::sort_array(f::collect_list(col("id") % 2)).alias("parity"),
    ]);
    let row = one_row(&df).await;
    assert_eq!(
        row[..10],
        [
            "55",
            "5.5",
            "5.5",
            "1",
            "10",
            "10",
            "5",
            "3",
            "3",
            "3628800.0"
        ]
    );
    assert_eq!(row[10], "[0, 0, 0, 0, 0, 1, 1, 1, 1, 1]");
    let var = one_row(&spark.range(1, 11).select([f::variance("id")])).await;
    let v: f64 = var[0].parse().unwrap();
    assert!((v - 55.0 / 6.0).abs() < 1e-9, "{v}");
}

#[tokio::test]
async fn a_bad_argument_is_the_servers_clear_error() {
    let spark = session().await;
    let e = spark
        .range(0, 1)
        .select([f::upper("no_such_column")])
        .collect()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no_such_column"), "{e}");
    let e = spark
        .range(0, 1)
        .select([f::from_json(lit("{}"), "not a ( type")])
        .collect()
        .await
        .unwrap_err();
    assert!(e.server_error().is_some(), "{e}");
}

#[tokio::test]
async fn higher_order_functions_take_rust_closures() {
    let spark = session().await;
    let df = spark
        .sql("SELECT array(1, 2, 3, 4) AS xs, array(10, 20) AS ys, map('a', 1, 'b', 2) AS m, map('a', 5, 'c', 7) AS m2")
        .await
        .unwrap();
    let xs = [1i64, 2, 3, 4];
    let show = |v: Vec<i64>| {
        format!(
            "[{}]",
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let ours = df.select([
        f::transform("xs", |x| x * 10),
        f::transform_with_index("xs", |x, i| x * i),
        f::filter("xs", |x| (x % 2).eq(0)),
        f::filter_with_index("xs", |_, i| i.lt(2)),
        f::exists("xs", |x| x.gt(3)),
        f::forall("xs", |x| x.gt(3)),
        f::aggregate("xs", lit(0), |acc, x| acc + x),
        f::aggregate_with("xs", lit(0), |acc, x| acc + x, |acc| acc * 100),
        f::reduce("xs", lit(1), |acc, x| acc * x),
        f::zip_with("xs", "ys", |x, y| f::coalesce([x + y.clone(), y])),
        // Nested lambdas keep their own variables.
        f::transform("ys", |y| f::aggregate("xs", y, |acc, x| acc + x)),
    ]);
    let got = one_row(&ours).await;
    assert_eq!(
        got,
        [
            show(xs.iter().map(|x| x * 10).collect()),
            show(xs.iter().enumerate().map(|(i, x)| x * i as i64).collect()),
            show(xs.iter().copied().filter(|x| x % 2 == 0).collect()),
            show(xs[..2].to_vec()),
            xs.iter().any(|x| *x > 3).to_string(),
            xs.iter().all(|x| *x > 3).to_string(),
            xs.iter().sum::<i64>().to_string(),
            (xs.iter().sum::<i64>() * 100).to_string(),
            xs.iter().product::<i64>().to_string(),
            "[11, 22, , ]".to_string(), // Arrow shows nulls inside a list as nothing
            show(
                [10i64, 20]
                    .iter()
                    .map(|y| y + xs.iter().sum::<i64>())
                    .collect()
            ),
        ]
    );
    let maps = df.select([
        f::map_filter("m", |k, _| k.ne("a")),
        f::transform_keys("m", |k, _| f::upper(k)),
        f::transform_values("m", |_, v| v * 2),
        f::map_zip_with("m", "m2", |_, a, b| {
            f::coalesce([a, lit(0)]) + f::coalesce([b, lit(0)])
        }),
    ]);
    assert_eq!(
        one_row(&maps).await,
        [
            "{b: 2}",
            "{A: 1, B: 2}",
            "{a: 2, b: 4}",
            "{a: 6, b: 2, c: 7}"
        ]
    );
    // A closure that builds an invalid body is the server's error, not a panic.
    let e = spark
        .sql("SELECT array(1) AS xs")
        .await
        .unwrap()
        .select([f::transform("xs", |x| x + col("no_such_lambda_column"))])
        .collect()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no_such_lambda_column"), "{e}");
}

#[tokio::test]
async fn with_forms_pass_pysparks_optional_arguments() {
    let spark = session().await;
    let df = spark.range(0, 1).select([
        f::round_with(lit(2.5), 0),
        f::bround_with(lit(2.5), 0),
        f::to_date_with(lit("2024/02/29"), "yyyy/MM/dd"),
        f::split_with(lit("a,b,c"), ",", 2),
        f::sort_array_with(f::array([lit(3), lit(1), lit(2)]), false),
        f::array_join_with(
            f::array([lit("a"), f::expr("CAST(NULL AS STRING)"), lit("b")]),
            "-",
            "?",
        ),
        f::locate_with("b", lit("abcb"), 3),
        f::sequence_with(lit(1), lit(9), lit(4)),
        // kitten -> sitting is 3 edits: over a threshold of 2 the answer is -1.
        f::levenshtein_with(lit("kitten"), lit("sitting"), 2),
        f::levenshtein(lit("kitten"), lit("sitting")),
    ]);
    assert_eq!(
        one_row(&df).await,
        [
            "3.0",
            "2.0",
            "2024-02-29",
            "[a, b,c]",
            "[3, 2, 1]",
            "a-?-b",
            "4",
            "[1, 5, 9]",
            "-1",
            "3"
        ]
    );
    let w = databricks_connect::functions::Window::order_by(["id"]);
    let lagged = spark
        .range(0, 4)
        .select([
            f::lag_with("id", 2, -1i64).over(&w),
            f::lead_with("id", 1, 99i64).over(&w),
        ])
        .collect()
        .await
        .unwrap();
    assert_eq!(
        rows(&lagged),
        [["-1", "1"], ["-1", "2"], ["0", "3"], ["1", "99"]]
    );
}

#[tokio::test]
async fn call_udf_calls_a_function_registered_on_the_server() {
    let spark = session().await;
    spark
        .sql("CREATE TEMPORARY FUNCTION me_plus(x BIGINT, y BIGINT) RETURNS BIGINT RETURN x + y * 10")
        .await
        .unwrap();
    let df = spark
        .range(0, 4)
        .select([f::call_udf("me_plus", [f::col("id"), f::lit(3)]).alias("v")])
        .order_by(["v"]);
    let got: Vec<String> = rows(&df.collect().await.unwrap())
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    let expected: Vec<String> = (0..4i64).map(|x| (x + 3 * 10).to_string()).collect();
    assert_eq!(got, expected);
    // An unknown name is the server's error, not a panic.
    let err = spark
        .range(0, 1)
        .select([f::call_udf("me_no_such_udf", [f::col("id")])])
        .collect()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("UNRESOLVED_ROUTINE"), "{err}");
}
