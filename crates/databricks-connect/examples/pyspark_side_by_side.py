"""The PySpark twin of pyspark_side_by_side.rs: the same program, step for step.

`cargo xtask test` runs both against the same server and requires the same output.
Run it yourself with PySpark's Spark Connect client:

    SPARK_REMOTE=sc://127.0.0.1:15002 python pyspark_side_by_side.py
"""

import os
from datetime import date

from pyspark.errors import AnalysisException
from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F


def section(title):
    print(f"== {title}")


def print_rows(df):
    for row in df.collect():
        print(row)


def main():
    spark = SparkSession.builder.remote(os.environ["SPARK_REMOTE"]).getOrCreate()
    spark.conf.set("spark.sql.session.timeZone", "UTC")

    people = spark.createDataFrame(
        [
            (1, "Ada", "eng", 120, date(2019, 3, 1)),
            (2, "Grace", "eng", 135, date(2017, 6, 12)),
            (3, "Linus", "ops", 90, date(2021, 9, 30)),
            (4, "Barbara", "ops", 105, date(2020, 1, 15)),
            (5, "Edsger", "sales", 80, date(2022, 11, 2)),
        ],
        "id INT NOT NULL, name STRING, dept STRING, salary INT, hired DATE",
    )

    section("schema")
    for name, dtype in people.dtypes:
        print(f"{name}: {dtype}")

    section("select, filter with | and &")
    yearly = (
        people.select("name", (F.col("salary") * 12).alias("yearly"))
        .filter((F.col("yearly") > 1200) | (F.col("name") == "Linus"))
        .orderBy("name")
    )
    print_rows(yearly)
    senior_eng = people.filter((F.col("dept") == "eng") & ~(F.col("salary") < 130)).select("id")
    print_rows(senior_eng)

    section("typed nulls, when/otherwise, date literals")
    levels = (
        people.withColumn("bonus", F.lit(None).cast("int"))
        .withColumn("level", F.when(F.col("salary") >= 120, "senior").otherwise("junior"))
        .withColumn("veteran", F.col("hired") < date(2020, 1, 1))
        .select("id", "bonus", "level", "veteran")
        .orderBy("id")
    )
    print_rows(levels)
    for name, dtype in levels.dtypes:
        print(f"{name}: {dtype}")

    section("group by")
    by_dept = (
        people.groupBy("dept")
        .agg(
            F.count("id").alias("n"),
            F.avg("salary").alias("avg_salary"),
            F.max("hired").alias("last_hired"),
        )
        .orderBy("dept")
    )
    print_rows(by_dept)

    section("joins by PySpark's strings")
    depts = spark.createDataFrame(
        [("eng", "Engineering"), ("ops", "Operations"), ("hr", "People")],
        "dept STRING, title STRING",
    )
    print_rows(people.join(depts, "dept").select("name", "title").orderBy("name"))
    print_rows(people.join(depts, "dept", "left").select("name", "title").orderBy("name"))
    print_rows(depts.join(people, "dept", "left_anti").orderBy("dept"))

    section("windows")
    w = Window.partitionBy("dept").orderBy(F.col("salary").desc())
    ranked = people.select(
        "dept",
        "name",
        F.row_number().over(w).alias("rank"),
        F.lag("salary").over(w).alias("previous"),
    ).orderBy("dept", "rank")
    print_rows(ranked)

    section("rows by name and position")
    first = people.orderBy("id").first()
    print(first.name, first["salary"], first[4])
    for row in people.orderBy(F.col("salary").desc()).head(2):
        print(row.name)
    print(levels.first().bonus)
    print(people.orderBy("id").tail(1))

    section("several names from one generator")
    exploded = spark.sql("SELECT array('x', 'y') AS xs").select(F.posexplode("xs").alias("pos", "x"))
    print_rows(exploded)

    section("write with a mode string")
    people.write.mode("overwrite").saveAsTable("side_by_side_people")
    people.filter(F.col("id") > 3).write.mode("overwrite").saveAsTable("side_by_side_people")
    print(spark.table("side_by_side_people").count())
    spark.sql("DROP TABLE side_by_side_people")

    section("errors by kind")
    try:
        spark.table("side_by_side_people").collect()
        raise SystemExit("the dropped table is still there")
    except AnalysisException as e:
        print("not found:", e.getCondition())

    section("show")
    people.orderBy("id").show()


if __name__ == "__main__":
    main()
