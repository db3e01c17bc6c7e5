"""PySpark's side of `cargo xtask bench`: the same scenarios as `dbconnect-bench`, with
PySpark's Spark Connect client, one scenario per process so that the harness measures the
process from the outside exactly as it measures the Rust client.

    python pyspark_bench.py collect URL range ROWS
    python pyspark_bench.py collect URL sql "SELECT ..."
    python pyspark_bench.py first-row URL
    python pyspark_bench.py upload URL ROWS

`upload` is `dbconnect-bench upload`: ROWS rows of four columns (`id` long, `d` double, `s` a
20-character string, `ts` timestamp) built as an Arrow table, `spark.createDataFrame(table)`,
then `count(*)` and `sum(id)`; it prints the same `input_bytes=`, `build_ms=`, `upload_ms=` and
`query_ms=`.
"""

import sys


def main() -> None:
    scenario, url = sys.argv[1], sys.argv[2]
    # Imported here so that the first-row figure includes the import, as a user's script would.
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.remote(url).getOrCreate()
    if scenario == "collect":
        kind, arg = sys.argv[3], sys.argv[4]
        df = spark.range(0, int(arg)) if kind == "range" else spark.sql(arg)
        table = df.toArrow()
        print(f"rows={table.num_rows} bytes={table.nbytes}")
    elif scenario == "first-row":
        table = spark.range(1, 10).limit(1).toArrow()
        print(f"rows={table.num_rows} bytes=0")
    elif scenario == "upload":
        upload(spark, int(sys.argv[3]))
    else:
        raise SystemExit(f"unknown scenario {scenario!r}")


def upload(spark, rows: int) -> None:
    import datetime
    import time

    import pyarrow as pa

    started = time.perf_counter()
    batches = []
    batch_rows = 1 << 16
    base = datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc)
    base_us = int(base.timestamp()) * 1_000_000
    for start in range(0, rows, batch_rows):
        n = min(batch_rows, rows - start)
        ids = pa.array(range(start, start + n), pa.int64())
        d = pa.array([i * 0.5 for i in range(start, start + n)], pa.float64())
        s = pa.array([f"row-{i:016}" for i in range(start, start + n)], pa.string())
        ts = pa.array(
            [base_us + i * 1000 for i in range(start, start + n)], pa.timestamp("us", tz="UTC")
        )
        batches.append(pa.RecordBatch.from_arrays([ids, d, s, ts], ["id", "d", "s", "ts"]))
    table = pa.Table.from_batches(batches)
    build_ms = (time.perf_counter() - started) * 1000

    sent = time.perf_counter()
    df = spark.createDataFrame(table)
    upload_ms = (time.perf_counter() - sent) * 1000

    asked = time.perf_counter()
    row = df.selectExpr("count(*) AS n", "sum(id) AS total").collect()[0]
    query_ms = (time.perf_counter() - asked) * 1000
    if row.n != rows or row.total != rows * (rows - 1) // 2:
        raise SystemExit(f"the server counted {row.n} rows summing to {row.total}")
    print(
        f"rows={row.n} bytes={table.nbytes} input_bytes={table.nbytes} build_ms={build_ms:.0f} "
        f"upload_ms={upload_ms:.0f} query_ms={query_ms:.0f}"
    )


if __name__ == "__main__":
    main()
