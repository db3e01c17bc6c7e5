//! The plans this crate builds are the plans PySpark's Spark Connect client builds for the
//! same calls. `fixtures/pyspark_plans.txt` holds PySpark 4.3's plans (`Plan` messages), captured once by
//! `fixtures/capture_pyspark_plans.py`; each case below makes the same call in Rust. Plan
//! ids and PySpark's call-site origins are left out of the comparison.

use prost::Message;
use spark_connect_dataframe::SparkSession;
use spark_connect_dataframe::proto;

const FIXTURES: &str = include_str!("fixtures/pyspark_plans.txt");

#[path = "support/plan_text.rs"]
mod plan_text;
use plan_text::{base64_decode, first_difference, normalize};

#[path = "support/plan_cases.rs"]
mod plan_cases;
use plan_cases::cases;

#[tokio::test]
async fn plans_match_the_plans_pyspark_builds() {
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
        let plan = proto::Plan::decode(base64_decode(encoded).as_slice())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let Some(proto::plan::OpType::Root(theirs)) = plan.op_type else {
            panic!("{name}: not a root plan")
        };
        let df = ours
            .get(name)
            .unwrap_or_else(|| panic!("{name}: a fixture without a Rust case"));
        let (a, b) = (normalize(df.to_proto()), normalize(&theirs));
        if a != b {
            mismatches.push(format!("{name}:{}", first_difference(&a, &b)));
        }
        compared += 1;
    }
    assert_eq!(compared, ours.len(), "every Rust case has a fixture");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
