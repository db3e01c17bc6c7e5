"""PySpark's side of `cargo xtask bench`: the same scenarios as `dbconnect-bench`, with
PySpark's Spark Connect client, one scenario per process so that the harness measures the
process from the outside exactly as it measures the Rust client.

    python pyspark_bench.py collect URL range ROWS
    python pyspark_bench.py collect URL sql "SELECT ..."
    python pyspark_bench.py first-row URL
    python pyspark_bench.py seq-sql URL N
    python pyspark_bench.py seq-range URL N
    python pyspark_bench.py concurrent URL Q N
    python pyspark_bench.py upload URL N

The last four are the twins of `dbconnect-bench`'s: the same queries, the same table uploaded,
and the same exact checks of every value (a wrong one fails the run). `upload` also prints
`build_ms=`, `upload_ms=` (the `createDataFrame` call) and `query_ms=`, as `dbconnect-bench`.
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
    elif scenario == "seq-sql":
        n = int(sys.argv[3])
        for i in range(n):
            check_small_sql(spark.sql(small_sql(i)).collect(), i)
        print(f"rows={n} bytes=0")
    elif scenario == "seq-range":
        n = int(sys.argv[3])
        for i in range(n):
            rows = spark.range(i, i + 1).collect()
            if len(rows) != 1 or rows[0][0] != i:
                raise SystemExit(f"range {i}: got {rows!r}, expected one row id={i}")
        print(f"rows={n} bytes=0")
    elif scenario == "concurrent":
        from concurrent.futures import ThreadPoolExecutor

        tasks, each = int(sys.argv[3]), int(sys.argv[4])

        def task(t: int) -> None:
            for j in range(each):
                i = t * each + j
                check_small_sql(spark.sql(small_sql(i)).collect(), i)

        with ThreadPoolExecutor(max_workers=tasks) as pool:
            # list() re-raises the first task's failure.
            list(pool.map(task, range(tasks)))
        print(f"rows={tasks * each} bytes=0")
    elif scenario == "upload":
        import time

        n = int(sys.argv[3])
        built = time.perf_counter()
        table = upload_table(n)
        build_ms = (time.perf_counter() - built) * 1000
        nbytes = table.nbytes
        sent = time.perf_counter()
        df = spark.createDataFrame(table)
        upload_ms = (time.perf_counter() - sent) * 1000
        del table
        asked = time.perf_counter()
        counted = df.count()
        if counted != n:
            raise SystemExit(f"upload: count() is {counted}, expected {n}")
        got = tuple(df.selectExpr(*UPLOAD_SUMS).collect()[0])
        expected = (n * (n - 1) // 2, n * (n - 1) / 4, 20 * n, max(n - 1, 0) * 1_000_000, 0)
        if got != expected:
            raise SystemExit(f"upload sums: got {got!r}, expected {expected!r}")
        query_ms = (time.perf_counter() - asked) * 1000
        # The server drops the cached table with the session (as dbconnect-bench's).
        spark.stop()
        print(
            f"rows={counted} bytes={nbytes} build_ms={build_ms:.0f} upload_ms={upload_ms:.0f} "
            f"query_ms={query_ms:.0f}"
        )
    else:
        raise SystemExit(f"unknown scenario {scenario!r}")


def small_sql(i: int) -> str:
    """The i-th small query, a different text every time (as `dbconnect-bench`'s)."""
    return f"SELECT {i} AS i, 'x{i}' AS s"


def check_small_sql(rows: list, i: int) -> None:
    if len(rows) != 1 or tuple(rows[0]) != (i, f"x{i}"):
        raise SystemExit(f"query {i}: got {rows!r}, expected one row ({i}, 'x{i}')")


# One sum per column, and a count of wrong rows, so that every value of every column counts.
UPLOAD_SUMS = [
    "sum(id)",
    "sum(d)",
    "sum(length(s))",
    "max(unix_micros(ts))",
    # The rows whose d, s or ts is not what row id must hold: 0.
    "count_if(d <> id * 0.5 OR s <> concat('row-', lpad(CAST(id AS STRING), 16, '0')) OR unix_micros(ts) <> id * 1000000)",
]


def upload_table(n: int):
    """The upload's table, as `dbconnect-bench upload` builds it: id (long, i), d (double,
    i * 0.5), s (string, 'row-' and i in 16 digits) and ts (timestamp, i seconds after the
    epoch, UTC), built with pyarrow's vectorised kernels."""
    import pyarrow as pa
    import pyarrow.compute as pc

    import numpy as np

    ids = pa.array(np.arange(n, dtype=np.int64))
    d = pc.multiply(pc.cast(ids, pa.float64()), 0.5)
    s = pc.binary_join_element_wise(
        "row-", pc.utf8_lpad(pc.cast(ids, pa.string()), width=16, padding="0"), ""
    )
    ts = pc.cast(pc.multiply(ids, 1_000_000), pa.timestamp("us", tz="UTC"))
    return pa.table({"id": ids, "d": d, "s": s, "ts": ts})


if __name__ == "__main__":
    main()
