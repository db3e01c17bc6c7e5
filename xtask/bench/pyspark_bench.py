"""PySpark's side of `cargo xtask bench`: the same scenarios as `dbconnect-bench`, with
PySpark's Spark Connect client, one scenario per process so that the harness measures the
process from the outside exactly as it measures the Rust client.

    python pyspark_bench.py collect URL range ROWS
    python pyspark_bench.py collect URL sql "SELECT ..."
    python pyspark_bench.py first-row URL
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
    else:
        raise SystemExit(f"unknown scenario {scenario!r}")


if __name__ == "__main__":
    main()
