//! Window functions (ranking and offsets); use them with [`Column::over`](crate::Column::over).
//!
//! Generated from the table below by `spark_functions!`; see [`registry`](super::registry).

spark_functions! {
    family: Ranking;
    /// The cumulative distribution in the window partition. Spark SQL [`cume_dist`](https://spark.apache.org/docs/latest/api/sql/#cume_dist).
    cume_dist();
    /// The rank in the window partition, without gaps. Spark SQL [`dense_rank`](https://spark.apache.org/docs/latest/api/sql/#dense_rank).
    dense_rank();
    /// The value `offset` rows before in the window partition. Spark SQL [`lag`](https://spark.apache.org/docs/latest/api/sql/#lag). With PySpark's optional arguments: [`lag_with`]. Sends PySpark's default `offset = 1`, as PySpark does.
    lag(col: Col), lag_with(offset: Val = 1, default: Val);
    /// The value `offset` rows after in the window partition. Spark SQL [`lead`](https://spark.apache.org/docs/latest/api/sql/#lead). With PySpark's optional arguments: [`lead_with`]. Sends PySpark's default `offset = 1`, as PySpark does.
    lead(col: Col), lead_with(offset: Val = 1, default: Val);
    /// Spark SQL [`nth_value`](https://spark.apache.org/docs/latest/api/sql/#nth_value). With PySpark's optional arguments: [`nth_value_with`]. Sends PySpark's default `ignore_nulls = false`, as PySpark does.
    nth_value(col: Col, offset: Val), nth_value_with(ignore_nulls: Val = false);
    /// The bucket number (1 to `n`) in the window partition. Spark SQL [`ntile`](https://spark.apache.org/docs/latest/api/sql/#ntile).
    ntile(n: Val);
    /// The relative rank (0 to 1) in the window partition. Spark SQL [`percent_rank`](https://spark.apache.org/docs/latest/api/sql/#percent_rank).
    percent_rank();
    /// The rank in the window partition, with gaps after ties. Spark SQL [`rank`](https://spark.apache.org/docs/latest/api/sql/#rank).
    rank();
    /// The 1-based number of the row in its window partition. Spark SQL [`row_number`](https://spark.apache.org/docs/latest/api/sql/#row_number).
    row_number();
}
