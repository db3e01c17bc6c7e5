//! Partition transforms, for `DataFrameWriterV2::partitioned_by` (PySpark's
//! `pyspark.sql.functions.partitioning`).
//!
//! These are not SQL functions: the server accepts them only as partitioning expressions of a
//! V2 table write (`write_to(..).partitioned_by([years("ts")])`); anywhere else they are the
//! server's analysis error. Generated from the table below by `spark_functions!`; see
//! [`registry`](super::registry).

spark_functions! {
    family: Partitioning;
    /// Partition transform: hash buckets of `col`, `num_buckets` of them (an integer, or a column holding one).
    bucket(num_buckets: Val, col: Col);
    /// Partition transform: the day of a date or timestamp column.
    days(col: Col);
    /// Partition transform: the hour of a timestamp column.
    hours(col: Col);
    /// Partition transform: the month of a date or timestamp column.
    months(col: Col);
    /// Partition transform: the year of a date or timestamp column.
    years(col: Col);
}
