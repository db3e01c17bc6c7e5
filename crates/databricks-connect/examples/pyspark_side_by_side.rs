//! A PySpark program and its Rust twin, line for line: every step below has the PySpark line it
//! stands for in the comment above it, and `pyspark_side_by_side.py` beside this file is the
//! same program in PySpark. `cargo xtask test` runs both against the same server and fails
//! unless they print the same text, so every spelling here is proven to mean what the PySpark
//! line means.
//!
//! Run it yourself against a Spark Connect server:
//!
//! ```text
//! SPARK_REMOTE=sc://127.0.0.1:15002 cargo run -p databricks-connect --example pyspark_side_by_side
//! SPARK_REMOTE=sc://127.0.0.1:15002 python crates/databricks-connect/examples/pyspark_side_by_side.py
//! ```

use databricks_connect::chrono::NaiveDate;
use databricks_connect::prelude::*;

/// One row of the local data: field names are the schema's column names.
#[derive(serde::Serialize)]
struct Employee {
    id: i32,
    name: &'static str,
    dept: &'static str,
    salary: i32,
    hired: NaiveDate,
}

#[derive(serde::Serialize)]
struct Dept {
    dept: &'static str,
    title: &'static str,
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid date")
}

/// print(f"== {title}")
fn section(title: &str) {
    println!("== {title}");
}

/// for row in df.collect(): print(row)
async fn print_rows(df: &DataFrame) -> Result<(), SparkError> {
    for row in df.collect_rows().await? {
        println!("{row}");
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // spark = SparkSession.builder.remote(os.environ["SPARK_REMOTE"]).getOrCreate()
    let spark = DatabricksSession::builder().get_or_create().await?;
    // spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark
        .conf()
        .set("spark.sql.session.timeZone", "UTC")
        .await?;

    // people = spark.createDataFrame(
    //     [(1, "Ada", "eng", 120, date(2019, 3, 1)), ...],
    //     "id INT NOT NULL, name STRING, dept STRING, salary INT, hired DATE",
    // )
    let employees = [
        (1, "Ada", "eng", 120, date(2019, 3, 1)),
        (2, "Grace", "eng", 135, date(2017, 6, 12)),
        (3, "Linus", "ops", 90, date(2021, 9, 30)),
        (4, "Barbara", "ops", 105, date(2020, 1, 15)),
        (5, "Edsger", "sales", 80, date(2022, 11, 2)),
    ]
    .map(|(id, name, dept, salary, hired)| Employee {
        id,
        name,
        dept,
        salary,
        hired,
    });
    let people = spark
        .create_dataframe_from_with_schema(
            &employees,
            "id INT NOT NULL, name STRING, dept STRING, salary INT, hired DATE",
        )
        .await?;

    section("schema");
    // for name, dtype in people.dtypes: print(f"{name}: {dtype}")
    for (name, dtype) in people.dtypes().await? {
        println!("{name}: {dtype}");
    }

    section("select, filter with | and &");
    // people.select("name", (F.col("salary") * 12).alias("yearly"))
    //       .filter((F.col("yearly") > 1200) | (F.col("name") == "Linus"))
    //       .orderBy("name")
    let yearly = people
        .select(("name", (col("salary") * 12).alias("yearly")))
        .filter(col("yearly").gt(1200) | col("name").eq("Linus"))
        .order_by("name");
    print_rows(&yearly).await?;
    // people.filter((F.col("dept") == "eng") & ~(F.col("salary") < 130)).select("id")
    let senior_eng = people
        .filter(col("dept").eq("eng") & !col("salary").lt(130))
        .select("id");
    print_rows(&senior_eng).await?;

    section("typed nulls, when/otherwise, date literals");
    // people.withColumn("bonus", F.lit(None).cast("int"))
    //       .withColumn("level", F.when(F.col("salary") >= 120, "senior").otherwise("junior"))
    //       .withColumn("veteran", F.col("hired") < date(2020, 1, 1))
    //       .select("id", "bonus", "level", "veteran")
    //       .orderBy("id")
    let levels = people
        .with_column("bonus", lit(None::<i32>))
        .with_column(
            "level",
            when(col("salary").ge(120), "senior").otherwise("junior"),
        )
        .with_column("veteran", col("hired").lt(date(2020, 1, 1)))
        .select(["id", "bonus", "level", "veteran"])
        .order_by("id");
    print_rows(&levels).await?;
    // for name, dtype in levels.dtypes: print(f"{name}: {dtype}")
    for (name, dtype) in levels.dtypes().await? {
        println!("{name}: {dtype}");
    }

    section("group by");
    // people.groupBy("dept")
    //       .agg(F.count("id").alias("n"), F.avg("salary").alias("avg_salary"),
    //            F.max("hired").alias("last_hired"))
    //       .orderBy("dept")
    let by_dept = people
        .group_by("dept")
        .agg([
            F::count("id").alias("n"),
            F::avg("salary").alias("avg_salary"),
            F::max("hired").alias("last_hired"),
        ])
        .order_by("dept");
    print_rows(&by_dept).await?;

    section("joins by PySpark's strings");
    // depts = spark.createDataFrame(
    //     [("eng", "Engineering"), ("ops", "Operations"), ("hr", "People")],
    //     "dept STRING, title STRING",
    // )
    let depts = spark
        .create_dataframe_from_with_schema(
            &[
                Dept {
                    dept: "eng",
                    title: "Engineering",
                },
                Dept {
                    dept: "ops",
                    title: "Operations",
                },
                Dept {
                    dept: "hr",
                    title: "People",
                },
            ],
            "dept STRING, title STRING",
        )
        .await?;
    // people.join(depts, "dept").select("name", "title").orderBy("name")
    print_rows(
        &people
            .inner_join(&depts, "dept")
            .select(["name", "title"])
            .order_by("name"),
    )
    .await?;
    // people.join(depts, "dept", "left").select("name", "title").orderBy("name")
    print_rows(
        &people
            .join(&depts, "dept", "left")
            .select(["name", "title"])
            .order_by("name"),
    )
    .await?;
    // depts.join(people, "dept", "left_anti").orderBy("dept")
    print_rows(&depts.join(&people, "dept", "left_anti").order_by("dept")).await?;

    section("windows");
    // w = Window.partitionBy("dept").orderBy(F.col("salary").desc())
    let w = Window::partition_by("dept").order_by(col("salary").desc());
    // people.select("dept", "name", F.row_number().over(w).alias("rank"),
    //               F.lag("salary").over(w).alias("previous"))
    //       .orderBy("dept", "rank")
    let ranked = people
        .select((
            "dept",
            "name",
            F::row_number().over(&w).alias("rank"),
            F::lag("salary").over(&w).alias("previous"),
        ))
        .order_by(["dept", "rank"]);
    print_rows(&ranked).await?;

    section("rows by name and position");
    // first = people.orderBy("id").first()
    let first = people
        .order_by("id")
        .first()
        .await?
        .expect("people has rows");
    // print(first.name, first["salary"], first[4])
    println!(
        "{} {} {}",
        first.get::<String>("name")?,
        first.get::<i32>("salary")?,
        first.get::<NaiveDate>(4)?.format("%Y-%m-%d")
    );
    // for row in people.orderBy(F.col("salary").desc()).head(2): print(row.name)
    for row in people.order_by(col("salary").desc()).head(2).await? {
        println!("{}", row.get::<String>("name")?);
    }
    // print(levels.first().bonus)
    let bonus: Option<i32> = levels.first().await?.expect("rows").get("bonus")?;
    println!("{}", bonus.map_or("None".to_string(), |b| b.to_string()));
    // print(people.orderBy("id").tail(1))
    println!(
        "[{}]",
        people
            .order_by("id")
            .tail(1)
            .await?
            .iter()
            .map(|row| row.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );

    section("several names from one generator");
    // spark.sql("SELECT array('x', 'y') AS xs").select(F.posexplode("xs").alias("pos", "x"))
    let exploded = spark
        .sql("SELECT array('x', 'y') AS xs")
        .await?
        .select(F::posexplode("xs").alias(["pos", "x"]));
    print_rows(&exploded).await?;

    section("write with a mode string");
    // people.write.mode("overwrite").saveAsTable("side_by_side_people")
    people
        .write()
        .mode("overwrite")
        .save_as_table("side_by_side_people")
        .await?;
    // people.filter(F.col("id") > 3).write.mode("overwrite").saveAsTable("side_by_side_people")
    people
        .filter(col("id").gt(3))
        .write()
        .mode("overwrite")
        .save_as_table("side_by_side_people")
        .await?;
    // print(spark.table("side_by_side_people").count())
    println!("{}", spark.table("side_by_side_people").count().await?);
    // spark.sql("DROP TABLE side_by_side_people")
    spark.sql("DROP TABLE side_by_side_people").await?;

    section("errors by kind");
    // try:
    //     spark.table("side_by_side_people").collect()
    // except AnalysisException as e:
    //     print("not found:", e.getCondition())
    match spark.table("side_by_side_people").collect().await {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            println!("not found: {}", e.error_class().unwrap_or("?"));
        }
        Err(e) => return Err(e.into()),
        Ok(_) => return Err("the dropped table is still there".into()),
    }

    section("show");
    // people.orderBy("id").show()
    people.order_by("id").show(20).await?;
    Ok(())
}
