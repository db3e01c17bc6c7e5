//! Sketch (HLL, KLL, theta, tuple, bitmap) and spatial functions.
//!
//! Generated from the table below by `spark_functions!`; see [`registry`](super::registry).

spark_functions! {
    family: Sketch;
    /// Spark SQL [`bitmap_bit_position`](https://spark.apache.org/docs/latest/api/sql/#bitmap_bit_position).
    bitmap_bit_position(col: Col);
    /// Spark SQL [`bitmap_bucket_number`](https://spark.apache.org/docs/latest/api/sql/#bitmap_bucket_number).
    bitmap_bucket_number(col: Col);
    /// Spark SQL [`bitmap_count`](https://spark.apache.org/docs/latest/api/sql/#bitmap_count).
    bitmap_count(col: Col);
    /// Spark SQL [`hll_sketch_estimate`](https://spark.apache.org/docs/latest/api/sql/#hll_sketch_estimate).
    hll_sketch_estimate(col: Col);
    /// Spark SQL [`hll_union`](https://spark.apache.org/docs/latest/api/sql/#hll_union). With PySpark's optional arguments: [`hll_union_with`].
    hll_union(col1: Col, col2: Col), hll_union_with(allow_different_lg_config_k: Val);
    /// Spark SQL [`kll_sketch_get_n_bigint`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_get_n_bigint).
    kll_sketch_get_n_bigint(col: Col);
    /// Spark SQL [`kll_sketch_get_n_double`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_get_n_double).
    kll_sketch_get_n_double(col: Col);
    /// Spark SQL [`kll_sketch_get_n_float`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_get_n_float).
    kll_sketch_get_n_float(col: Col);
    /// Spark SQL [`kll_sketch_get_quantile_bigint`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_get_quantile_bigint).
    kll_sketch_get_quantile_bigint(sketch: Col, rank: Col);
    /// Spark SQL [`kll_sketch_get_quantile_double`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_get_quantile_double).
    kll_sketch_get_quantile_double(sketch: Col, rank: Col);
    /// Spark SQL [`kll_sketch_get_quantile_float`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_get_quantile_float).
    kll_sketch_get_quantile_float(sketch: Col, rank: Col);
    /// Spark SQL [`kll_sketch_get_rank_bigint`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_get_rank_bigint).
    kll_sketch_get_rank_bigint(sketch: Col, quantile: Col);
    /// Spark SQL [`kll_sketch_get_rank_double`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_get_rank_double).
    kll_sketch_get_rank_double(sketch: Col, quantile: Col);
    /// Spark SQL [`kll_sketch_get_rank_float`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_get_rank_float).
    kll_sketch_get_rank_float(sketch: Col, quantile: Col);
    /// Spark SQL [`kll_sketch_merge_bigint`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_merge_bigint).
    kll_sketch_merge_bigint(left: Col, right: Col);
    /// Spark SQL [`kll_sketch_merge_double`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_merge_double).
    kll_sketch_merge_double(left: Col, right: Col);
    /// Spark SQL [`kll_sketch_merge_float`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_merge_float).
    kll_sketch_merge_float(left: Col, right: Col);
    /// Spark SQL [`kll_sketch_to_string_bigint`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_to_string_bigint).
    kll_sketch_to_string_bigint(col: Col);
    /// Spark SQL [`kll_sketch_to_string_double`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_to_string_double).
    kll_sketch_to_string_double(col: Col);
    /// Spark SQL [`kll_sketch_to_string_float`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_to_string_float).
    kll_sketch_to_string_float(col: Col);
    /// Spark SQL [`st_asbinary`](https://spark.apache.org/docs/latest/api/sql/#st_asbinary). With PySpark's optional arguments: [`st_asbinary_with`].
    st_asbinary(geo: Col), st_asbinary_with(endianness: Val);
    /// Spark SQL [`st_geogfromwkb`](https://spark.apache.org/docs/latest/api/sql/#st_geogfromwkb).
    st_geogfromwkb(wkb: Col);
    /// Spark SQL [`st_geomfromwkb`](https://spark.apache.org/docs/latest/api/sql/#st_geomfromwkb). With PySpark's optional arguments: [`st_geomfromwkb_with`].
    st_geomfromwkb(wkb: Col), st_geomfromwkb_with(srid: Col);
    /// Spark SQL [`st_setsrid`](https://spark.apache.org/docs/latest/api/sql/#st_setsrid).
    st_setsrid(geo: Col, srid: Col);
    /// Spark SQL [`st_srid`](https://spark.apache.org/docs/latest/api/sql/#st_srid).
    st_srid(geo: Col);
    /// Spark SQL [`theta_difference`](https://spark.apache.org/docs/latest/api/sql/#theta_difference).
    theta_difference(col1: Col, col2: Col);
    /// Spark SQL [`theta_intersection`](https://spark.apache.org/docs/latest/api/sql/#theta_intersection).
    theta_intersection(col1: Col, col2: Col);
    /// Spark SQL [`theta_sketch_estimate`](https://spark.apache.org/docs/latest/api/sql/#theta_sketch_estimate).
    theta_sketch_estimate(col: Col);
    /// Spark SQL [`theta_union`](https://spark.apache.org/docs/latest/api/sql/#theta_union). With PySpark's optional arguments: [`theta_union_with`].
    theta_union(col1: Col, col2: Col), theta_union_with(lg_nom_entries: Val);
    /// Spark SQL [`tuple_difference_double`](https://spark.apache.org/docs/latest/api/sql/#tuple_difference_double).
    tuple_difference_double(col1: Col, col2: Col);
    /// Spark SQL [`tuple_difference_integer`](https://spark.apache.org/docs/latest/api/sql/#tuple_difference_integer).
    tuple_difference_integer(col1: Col, col2: Col);
    /// Spark SQL [`tuple_difference_theta_double`](https://spark.apache.org/docs/latest/api/sql/#tuple_difference_theta_double).
    tuple_difference_theta_double(col1: Col, col2: Col);
    /// Spark SQL [`tuple_difference_theta_integer`](https://spark.apache.org/docs/latest/api/sql/#tuple_difference_theta_integer).
    tuple_difference_theta_integer(col1: Col, col2: Col);
    /// Spark SQL [`tuple_intersection_double`](https://spark.apache.org/docs/latest/api/sql/#tuple_intersection_double). With PySpark's optional arguments: [`tuple_intersection_double_with`].
    tuple_intersection_double(col1: Col, col2: Col), tuple_intersection_double_with(mode: Val);
    /// Spark SQL [`tuple_intersection_integer`](https://spark.apache.org/docs/latest/api/sql/#tuple_intersection_integer). With PySpark's optional arguments: [`tuple_intersection_integer_with`].
    tuple_intersection_integer(col1: Col, col2: Col), tuple_intersection_integer_with(mode: Val);
    /// Spark SQL [`tuple_intersection_theta_double`](https://spark.apache.org/docs/latest/api/sql/#tuple_intersection_theta_double). With PySpark's optional arguments: [`tuple_intersection_theta_double_with`].
    tuple_intersection_theta_double(col1: Col, col2: Col), tuple_intersection_theta_double_with(mode: Val);
    /// Spark SQL [`tuple_intersection_theta_integer`](https://spark.apache.org/docs/latest/api/sql/#tuple_intersection_theta_integer). With PySpark's optional arguments: [`tuple_intersection_theta_integer_with`].
    tuple_intersection_theta_integer(col1: Col, col2: Col), tuple_intersection_theta_integer_with(mode: Val);
    /// Spark SQL [`tuple_sketch_estimate_double`](https://spark.apache.org/docs/latest/api/sql/#tuple_sketch_estimate_double).
    tuple_sketch_estimate_double(col: Col);
    /// Spark SQL [`tuple_sketch_estimate_integer`](https://spark.apache.org/docs/latest/api/sql/#tuple_sketch_estimate_integer).
    tuple_sketch_estimate_integer(col: Col);
    /// Spark SQL [`tuple_sketch_summary_double`](https://spark.apache.org/docs/latest/api/sql/#tuple_sketch_summary_double). With PySpark's optional arguments: [`tuple_sketch_summary_double_with`].
    tuple_sketch_summary_double(col: Col), tuple_sketch_summary_double_with(mode: Val);
    /// Spark SQL [`tuple_sketch_summary_integer`](https://spark.apache.org/docs/latest/api/sql/#tuple_sketch_summary_integer). With PySpark's optional arguments: [`tuple_sketch_summary_integer_with`].
    tuple_sketch_summary_integer(col: Col), tuple_sketch_summary_integer_with(mode: Val);
    /// Spark SQL [`tuple_sketch_theta_double`](https://spark.apache.org/docs/latest/api/sql/#tuple_sketch_theta_double).
    tuple_sketch_theta_double(col: Col);
    /// Spark SQL [`tuple_sketch_theta_integer`](https://spark.apache.org/docs/latest/api/sql/#tuple_sketch_theta_integer).
    tuple_sketch_theta_integer(col: Col);
    /// Spark SQL [`tuple_union_double`](https://spark.apache.org/docs/latest/api/sql/#tuple_union_double). With PySpark's optional arguments: [`tuple_union_double_with`]. Sends PySpark's defaults `lg_nom_entries = 12`, `mode = "sum"`, as PySpark does.
    tuple_union_double(col1: Col, col2: Col), tuple_union_double_with(lg_nom_entries: Val = 12, mode: Val = "sum");
    /// Spark SQL [`tuple_union_integer`](https://spark.apache.org/docs/latest/api/sql/#tuple_union_integer). With PySpark's optional arguments: [`tuple_union_integer_with`]. Sends PySpark's defaults `lg_nom_entries = 12`, `mode = "sum"`, as PySpark does.
    tuple_union_integer(col1: Col, col2: Col), tuple_union_integer_with(lg_nom_entries: Val = 12, mode: Val = "sum");
    /// Spark SQL [`tuple_union_theta_double`](https://spark.apache.org/docs/latest/api/sql/#tuple_union_theta_double). With PySpark's optional arguments: [`tuple_union_theta_double_with`]. Sends PySpark's defaults `lg_nom_entries = 12`, `mode = "sum"`, as PySpark does.
    tuple_union_theta_double(col1: Col, col2: Col), tuple_union_theta_double_with(lg_nom_entries: Val = 12, mode: Val = "sum");
    /// Spark SQL [`tuple_union_theta_integer`](https://spark.apache.org/docs/latest/api/sql/#tuple_union_theta_integer). With PySpark's optional arguments: [`tuple_union_theta_integer_with`]. Sends PySpark's defaults `lg_nom_entries = 12`, `mode = "sum"`, as PySpark does.
    tuple_union_theta_integer(col1: Col, col2: Col), tuple_union_theta_integer_with(lg_nom_entries: Val = 12, mode: Val = "sum");
}
