//! Window functions over `Window` specifications against a real server; expected values are
//! computed in Rust from the same rows and checked against SQL windows on the same server.

use databricks_connect::functions::{self as f, Window, col};

use crate::api_functions::rows;
use crate::session;

const SALES: &str = "SELECT * FROM VALUES ('a', 1, 10), ('a', 2, 20), ('a', 3, 20), ('a', 7, 5), \
    ('b', 1, 7), ('b', 4, 3), ('b', 5, 3) AS t(shop, day, amount)";

/// (shop, day, amount), as in SALES, sorted by shop and day.
fn sales() -> Vec<(&'static str, i64, i64)> {
    vec![
        ("a", 1, 10),
        ("a", 2, 20),
        ("a", 3, 20),
        ("a", 7, 5),
        ("b", 1, 7),
        ("b", 4, 3),
        ("b", 5, 3),
    ]
}

#[tokio::test]
async fn ranking_offsets_and_frames_computed_independently() {
    let spark = session().await;
    let df = spark.sql(SALES).await.unwrap();
    let by_day = Window::partition_by(["shop"]).order_by(["day"]);
    let running = by_day.rows_between(Window::UNBOUNDED_PRECEDING, Window::CURRENT_ROW);
    let moving = by_day.rows_between(-1, 1);
    let days_near = by_day.range_between(-2, 0);
    let whole = Window::partition_by(["shop"]);
    let out = df
        .select([
            col("shop"),
            col("day"),
            f::row_number().over(&by_day),
            f::lag("amount").over(&by_day),
            f::lead("amount").over(&by_day),
            f::sum("amount").over(&running),
            f::sum("amount").over(&moving),
            f::sum("amount").over(&days_near),
            f::max("amount").over(&whole),
        ])
        .order_by(["shop", "day"]);
    let got = rows(&out.collect().await.unwrap());
    let data = sales();
    let mut expected = Vec::new();
    for (i, &(shop, day, _)) in data.iter().enumerate() {
        let part: Vec<(usize, &(&str, i64, i64))> = data
            .iter()
            .enumerate()
            .filter(|(_, r)| r.0 == shop)
            .collect();
        let pos = part.iter().position(|(j, _)| *j == i).unwrap();
        let amount = |p: usize| part[p].1.2;
        let show = |v: Option<i64>| v.map_or("null".to_string(), |v| v.to_string());
        let lag = pos.checked_sub(1).map(amount);
        let lead = (pos + 1 < part.len()).then(|| amount(pos + 1));
        let running: i64 = (0..=pos).map(amount).sum();
        let moving: i64 = (pos.saturating_sub(1)..=(pos + 1).min(part.len() - 1))
            .map(amount)
            .sum();
        let near: i64 = part
            .iter()
            .filter(|(_, r)| r.1 >= day - 2 && r.1 <= day)
            .map(|(_, r)| r.2)
            .sum();
        let max = part.iter().map(|(_, r)| r.2).max().unwrap();
        expected.push(vec![
            shop.to_string(),
            day.to_string(),
            (pos + 1).to_string(),
            show(lag),
            show(lead),
            running.to_string(),
            moving.to_string(),
            near.to_string(),
            max.to_string(),
        ]);
    }
    assert_eq!(got, expected);
}

#[tokio::test]
async fn ranks_match_sql_windows_on_the_same_server() {
    let spark = session().await;
    let df = spark.sql(SALES).await.unwrap();
    let w = Window::partition_by(["shop"]).order_by([col("amount").desc(), col("day")]);
    let by_amount = Window::partition_by(["shop"]).order_by([col("amount").desc()]);
    let ours = df
        .select([
            col("shop"),
            col("day"),
            f::rank().over(&by_amount),
            f::dense_rank().over(&by_amount),
            f::percent_rank().over(&by_amount),
            f::cume_dist().over(&by_amount),
            f::ntile(2).over(&w),
            f::first("day").over(&w),
            f::count(f::lit(1)).over(
                &Window::order_by(["day"])
                    .range_between(Window::CURRENT_ROW, Window::UNBOUNDED_FOLLOWING),
            ),
        ])
        .order_by(["shop", "day"]);
    let sql = spark
        .sql(&format!(
            "SELECT shop, day, \
             rank() OVER (PARTITION BY shop ORDER BY amount DESC), \
             dense_rank() OVER (PARTITION BY shop ORDER BY amount DESC), \
             percent_rank() OVER (PARTITION BY shop ORDER BY amount DESC), \
             cume_dist() OVER (PARTITION BY shop ORDER BY amount DESC), \
             ntile(2) OVER (PARTITION BY shop ORDER BY amount DESC, day), \
             first(day) OVER (PARTITION BY shop ORDER BY amount DESC, day), \
             count(1) OVER (ORDER BY day RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) \
             FROM ({SALES}) ORDER BY shop, day"
        ))
        .await
        .unwrap();
    let ours = rows(&ours.collect().await.unwrap());
    assert_eq!(ours, rows(&sql.collect().await.unwrap()));
    // Shop a by amount: 20, 20, 10, 5 -> ranks 1, 1, 3, 4 (dense 1, 1, 2, 3), by day 1..=7.
    let a: Vec<(&str, &str)> = ours
        .iter()
        .filter(|r| r[0] == "a")
        .map(|r| (r[2].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(a, [("3", "2"), ("1", "1"), ("1", "1"), ("4", "3")]);
}

#[tokio::test]
async fn a_window_function_out_of_place_is_a_clear_error() {
    let spark = session().await;
    // row_number() needs an ordered window; the server says so.
    let e = spark
        .range(0, 3)
        .select([f::row_number().over(&Window::partition_by(["id"]))])
        .collect()
        .await
        .unwrap_err();
    assert!(e.server_error().is_some(), "{e}");
    // An unknown column in the window names it.
    let e = spark
        .range(0, 3)
        .select([f::sum("id").over(&Window::partition_by(["nope_window"]))])
        .collect()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("nope_window"), "{e}");
}
