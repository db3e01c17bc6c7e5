"""What PySpark's Spark Connect client gets for a set of queries, as Arrow IPC streams.

Usage: python pyspark_arrow.py SC_URL OUT_DIR < queries.json

queries.json maps a name to a SQL query. For each name this writes, in OUT_DIR:

- NAME.toarrow.arrows  DataFrame.toArrow(), the public API, as an Arrow IPC stream; or
  NAME.toarrow.error   the exception's class and message, when toArrow() raises;
- NAME.raw.arrows      the table PySpark's client decoded from the server's Arrow batches,
                       before toArrow() casts it to the schema it derives from the Spark schema
                       (DataFrame._to_table(), the step inside toArrow()).

The Rust test (pyspark_parity.rs) compares dbconnect's `--output arrow` with both.
"""

import json
import sys
import warnings

import pyarrow as pa
from pyspark.sql import SparkSession


def write_stream(table, path):
    with pa.OSFile(path, "wb") as sink:
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)


def main():
    url, out_dir = sys.argv[1], sys.argv[2]
    queries = json.load(sys.stdin)
    # PySpark warns about the pandas version on import of some modules; pandas is not used here.
    warnings.simplefilter("ignore", FutureWarning)
    spark = SparkSession.builder.remote(url).getOrCreate()
    try:
        for name, query in queries.items():
            df = spark.sql(query)
            try:
                write_stream(df.toArrow(), f"{out_dir}/{name}.toarrow.arrows")
            except Exception as e:  # noqa: BLE001 - the error itself is the result
                with open(f"{out_dir}/{name}.toarrow.error", "w", encoding="utf-8") as f:
                    f.write(f"{type(e).__name__}: {e}")
            table, _ = df._to_table()
            write_stream(table, f"{out_dir}/{name}.raw.arrows")
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
