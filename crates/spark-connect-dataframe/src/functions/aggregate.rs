//! Aggregate functions, for `agg`, `group_by(..).agg(..)` and windows.
//!
//! Generated from the table below by `spark_functions!`; see [`registry`](super::registry).

spark_functions! {
    family: Aggregate;
    /// Spark SQL [`any_value`](https://spark.apache.org/docs/latest/api/sql/#any_value). With PySpark's optional arguments: [`any_value_with`].
    any_value(col: Col), any_value_with(ignore_nulls: Val);
    /// An estimate of the number of distinct values (HyperLogLog++). Spark SQL [`approx_count_distinct`](https://spark.apache.org/docs/latest/api/sql/#approx_count_distinct). With PySpark's optional arguments: [`approx_count_distinct_with`].
    approx_count_distinct(col: Col), approx_count_distinct_with(rsd: Val);
    /// Spark SQL [`approx_percentile`](https://spark.apache.org/docs/latest/api/sql/#approx_percentile). With PySpark's optional arguments: [`approx_percentile_with`]. Sends PySpark's default `accuracy = 10000`, as PySpark does.
    approx_percentile(col: Col, percentage: Val), approx_percentile_with(accuracy: Val = 10000);
    /// Spark SQL [`array_agg`](https://spark.apache.org/docs/latest/api/sql/#array_agg).
    array_agg(col: Col);
    /// The average. Spark SQL [`avg`](https://spark.apache.org/docs/latest/api/sql/#avg).
    avg(col: Col);
    /// Spark SQL [`bit_and`](https://spark.apache.org/docs/latest/api/sql/#bit_and).
    bit_and(col: Col);
    /// Spark SQL [`bit_or`](https://spark.apache.org/docs/latest/api/sql/#bit_or).
    bit_or(col: Col);
    /// Spark SQL [`bit_xor`](https://spark.apache.org/docs/latest/api/sql/#bit_xor).
    bit_xor(col: Col);
    /// Spark SQL [`bitmap_and_agg`](https://spark.apache.org/docs/latest/api/sql/#bitmap_and_agg).
    bitmap_and_agg(col: Col);
    /// Spark SQL [`bitmap_construct_agg`](https://spark.apache.org/docs/latest/api/sql/#bitmap_construct_agg).
    bitmap_construct_agg(col: Col);
    /// Spark SQL [`bitmap_or_agg`](https://spark.apache.org/docs/latest/api/sql/#bitmap_or_agg).
    bitmap_or_agg(col: Col);
    /// Spark SQL [`bool_and`](https://spark.apache.org/docs/latest/api/sql/#bool_and).
    bool_and(col: Col);
    /// Spark SQL [`bool_or`](https://spark.apache.org/docs/latest/api/sql/#bool_or).
    bool_or(col: Col);
    /// The values as an array, with duplicates. Spark SQL [`collect_list`](https://spark.apache.org/docs/latest/api/sql/#collect_list).
    collect_list(col: Col);
    /// The distinct values as an array. Spark SQL [`collect_set`](https://spark.apache.org/docs/latest/api/sql/#collect_set).
    collect_set(col: Col);
    /// The Pearson correlation coefficient. Spark SQL [`corr`](https://spark.apache.org/docs/latest/api/sql/#corr).
    corr(col1: Col, col2: Col);
    /// The number of rows where the value is not null (all rows for `lit(1)`). Spark SQL [`count`](https://spark.apache.org/docs/latest/api/sql/#count).
    count(col: Col);
    /// The number of rows where the condition holds. Spark SQL [`count_if`](https://spark.apache.org/docs/latest/api/sql/#count_if).
    count_if(col: Col);
    /// Spark SQL [`count_min_sketch`](https://spark.apache.org/docs/latest/api/sql/#count_min_sketch). With PySpark's optional arguments: [`count_min_sketch_with`].
    count_min_sketch(col: Col, eps: Val, confidence: Val), count_min_sketch_with(seed: Val);
    /// Spark SQL [`covar_pop`](https://spark.apache.org/docs/latest/api/sql/#covar_pop).
    covar_pop(col1: Col, col2: Col);
    /// Spark SQL [`covar_samp`](https://spark.apache.org/docs/latest/api/sql/#covar_samp).
    covar_samp(col1: Col, col2: Col);
    /// Spark SQL [`every`](https://spark.apache.org/docs/latest/api/sql/#every).
    every(col: Col);
    /// The first value in a group. Spark SQL [`first`](https://spark.apache.org/docs/latest/api/sql/#first). With PySpark's optional arguments: [`first_with`]. Sends PySpark's default `ignore_nulls = false`, as PySpark does.
    first(col: Col), first_with(ignore_nulls: Val = false);
    /// Spark SQL [`first_value`](https://spark.apache.org/docs/latest/api/sql/#first_value). With PySpark's optional arguments: [`first_value_with`].
    first_value(col: Col), first_value_with(ignore_nulls: Val);
    /// Spark SQL [`grouping`](https://spark.apache.org/docs/latest/api/sql/#grouping).
    grouping(col: Col);
    /// Spark SQL [`grouping_id`](https://spark.apache.org/docs/latest/api/sql/#grouping_id).
    grouping_id(cols: Cols);
    /// Spark SQL [`histogram_numeric`](https://spark.apache.org/docs/latest/api/sql/#histogram_numeric).
    histogram_numeric(col: Col, n_bins: Col);
    /// Spark SQL [`hll_sketch_agg`](https://spark.apache.org/docs/latest/api/sql/#hll_sketch_agg). With PySpark's optional arguments: [`hll_sketch_agg_with`].
    hll_sketch_agg(col: Col), hll_sketch_agg_with(lg_config_k: Val);
    /// Spark SQL [`hll_union_agg`](https://spark.apache.org/docs/latest/api/sql/#hll_union_agg). With PySpark's optional arguments: [`hll_union_agg_with`].
    hll_union_agg(col: Col), hll_union_agg_with(allow_different_lg_config_k: Val);
    /// Spark SQL [`kll_merge_agg_bigint`](https://spark.apache.org/docs/latest/api/sql/#kll_merge_agg_bigint). With PySpark's optional arguments: [`kll_merge_agg_bigint_with`].
    kll_merge_agg_bigint(col: Col), kll_merge_agg_bigint_with(k: Val);
    /// Spark SQL [`kll_merge_agg_double`](https://spark.apache.org/docs/latest/api/sql/#kll_merge_agg_double). With PySpark's optional arguments: [`kll_merge_agg_double_with`].
    kll_merge_agg_double(col: Col), kll_merge_agg_double_with(k: Val);
    /// Spark SQL [`kll_merge_agg_float`](https://spark.apache.org/docs/latest/api/sql/#kll_merge_agg_float). With PySpark's optional arguments: [`kll_merge_agg_float_with`].
    kll_merge_agg_float(col: Col), kll_merge_agg_float_with(k: Val);
    /// Spark SQL [`kll_sketch_agg_bigint`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_agg_bigint). With PySpark's optional arguments: [`kll_sketch_agg_bigint_with`].
    kll_sketch_agg_bigint(col: Col), kll_sketch_agg_bigint_with(k: Val);
    /// Spark SQL [`kll_sketch_agg_double`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_agg_double). With PySpark's optional arguments: [`kll_sketch_agg_double_with`].
    kll_sketch_agg_double(col: Col), kll_sketch_agg_double_with(k: Val);
    /// Spark SQL [`kll_sketch_agg_float`](https://spark.apache.org/docs/latest/api/sql/#kll_sketch_agg_float). With PySpark's optional arguments: [`kll_sketch_agg_float_with`].
    kll_sketch_agg_float(col: Col), kll_sketch_agg_float_with(k: Val);
    /// Spark SQL [`kurtosis`](https://spark.apache.org/docs/latest/api/sql/#kurtosis).
    kurtosis(col: Col);
    /// The last value in a group. Spark SQL [`last`](https://spark.apache.org/docs/latest/api/sql/#last). With PySpark's optional arguments: [`last_with`]. Sends PySpark's default `ignore_nulls = false`, as PySpark does.
    last(col: Col), last_with(ignore_nulls: Val = false);
    /// Spark SQL [`last_value`](https://spark.apache.org/docs/latest/api/sql/#last_value). With PySpark's optional arguments: [`last_value_with`].
    last_value(col: Col), last_value_with(ignore_nulls: Val);
    /// Spark SQL [`listagg`](https://spark.apache.org/docs/latest/api/sql/#listagg). With PySpark's optional arguments: [`listagg_with`].
    listagg(col: Col), listagg_with(delimiter: Val);
    /// The maximum. Spark SQL [`max`](https://spark.apache.org/docs/latest/api/sql/#max).
    max(col: Col);
    /// Spark SQL [`max_by`](https://spark.apache.org/docs/latest/api/sql/#max_by). With PySpark's optional arguments: [`max_by_with`].
    max_by(col: Col, ord: Col), max_by_with(k: Val);
    /// The average (Spark `avg`). Spark SQL [`avg`](https://spark.apache.org/docs/latest/api/sql/#avg).
    mean(col: Col) => "avg";
    /// The median. Spark SQL [`median`](https://spark.apache.org/docs/latest/api/sql/#median).
    median(col: Col);
    /// The minimum. Spark SQL [`min`](https://spark.apache.org/docs/latest/api/sql/#min).
    min(col: Col);
    /// Spark SQL [`min_by`](https://spark.apache.org/docs/latest/api/sql/#min_by). With PySpark's optional arguments: [`min_by_with`].
    min_by(col: Col, ord: Col), min_by_with(k: Val);
    /// Spark SQL [`mode`](https://spark.apache.org/docs/latest/api/sql/#mode). With PySpark's optional arguments: [`mode_with`]. Sends PySpark's default `deterministic = false`, as PySpark does.
    mode(col: Col), mode_with(deterministic: Val = false);
    /// Spark SQL [`percentile`](https://spark.apache.org/docs/latest/api/sql/#percentile). With PySpark's optional arguments: [`percentile_with`]. Sends PySpark's default `frequency = 1`, as PySpark does.
    percentile(col: Col, percentage: Val), percentile_with(frequency: Val = 1);
    /// Spark SQL [`percentile_approx`](https://spark.apache.org/docs/latest/api/sql/#percentile_approx). With PySpark's optional arguments: [`percentile_approx_with`]. Sends PySpark's default `accuracy = 10000`, as PySpark does.
    percentile_approx(col: Col, percentage: Val), percentile_approx_with(accuracy: Val = 10000);
    /// The product of the values. Spark SQL [`product`](https://spark.apache.org/docs/latest/api/sql/#product).
    product(col: Col);
    /// Spark SQL [`regr_avgx`](https://spark.apache.org/docs/latest/api/sql/#regr_avgx).
    regr_avgx(y: Col, x: Col);
    /// Spark SQL [`regr_avgy`](https://spark.apache.org/docs/latest/api/sql/#regr_avgy).
    regr_avgy(y: Col, x: Col);
    /// Spark SQL [`regr_count`](https://spark.apache.org/docs/latest/api/sql/#regr_count).
    regr_count(y: Col, x: Col);
    /// Spark SQL [`regr_intercept`](https://spark.apache.org/docs/latest/api/sql/#regr_intercept).
    regr_intercept(y: Col, x: Col);
    /// Spark SQL [`regr_r2`](https://spark.apache.org/docs/latest/api/sql/#regr_r2).
    regr_r2(y: Col, x: Col);
    /// Spark SQL [`regr_slope`](https://spark.apache.org/docs/latest/api/sql/#regr_slope).
    regr_slope(y: Col, x: Col);
    /// Spark SQL [`regr_sxx`](https://spark.apache.org/docs/latest/api/sql/#regr_sxx).
    regr_sxx(y: Col, x: Col);
    /// Spark SQL [`regr_sxy`](https://spark.apache.org/docs/latest/api/sql/#regr_sxy).
    regr_sxy(y: Col, x: Col);
    /// Spark SQL [`regr_syy`](https://spark.apache.org/docs/latest/api/sql/#regr_syy).
    regr_syy(y: Col, x: Col);
    /// Spark SQL [`schema_of_variant_agg`](https://spark.apache.org/docs/latest/api/sql/#schema_of_variant_agg).
    schema_of_variant_agg(v: Col);
    /// Spark SQL [`skewness`](https://spark.apache.org/docs/latest/api/sql/#skewness).
    skewness(col: Col);
    /// Spark SQL [`some`](https://spark.apache.org/docs/latest/api/sql/#some).
    some(col: Col);
    /// Spark SQL [`std`](https://spark.apache.org/docs/latest/api/sql/#std).
    std(col: Col);
    /// The sample standard deviation. Spark SQL [`stddev`](https://spark.apache.org/docs/latest/api/sql/#stddev).
    stddev(col: Col);
    /// Spark SQL [`stddev_pop`](https://spark.apache.org/docs/latest/api/sql/#stddev_pop).
    stddev_pop(col: Col);
    /// Spark SQL [`stddev_samp`](https://spark.apache.org/docs/latest/api/sql/#stddev_samp).
    stddev_samp(col: Col);
    /// Spark SQL [`string_agg`](https://spark.apache.org/docs/latest/api/sql/#string_agg). With PySpark's optional arguments: [`string_agg_with`].
    string_agg(col: Col), string_agg_with(delimiter: Val);
    /// The sum. Spark SQL [`sum`](https://spark.apache.org/docs/latest/api/sql/#sum).
    sum(col: Col);
    /// Spark SQL [`theta_intersection_agg`](https://spark.apache.org/docs/latest/api/sql/#theta_intersection_agg).
    theta_intersection_agg(col: Col);
    /// Spark SQL [`theta_sketch_agg`](https://spark.apache.org/docs/latest/api/sql/#theta_sketch_agg). With PySpark's optional arguments: [`theta_sketch_agg_with`].
    theta_sketch_agg(col: Col), theta_sketch_agg_with(lg_nom_entries: Val);
    /// Spark SQL [`theta_union_agg`](https://spark.apache.org/docs/latest/api/sql/#theta_union_agg). With PySpark's optional arguments: [`theta_union_agg_with`].
    theta_union_agg(col: Col), theta_union_agg_with(lg_nom_entries: Val);
    /// Spark SQL [`try_avg`](https://spark.apache.org/docs/latest/api/sql/#try_avg).
    try_avg(col: Col);
    /// Spark SQL [`try_sum`](https://spark.apache.org/docs/latest/api/sql/#try_sum).
    try_sum(col: Col);
    /// Spark SQL [`tuple_intersection_agg_double`](https://spark.apache.org/docs/latest/api/sql/#tuple_intersection_agg_double). With PySpark's optional arguments: [`tuple_intersection_agg_double_with`].
    tuple_intersection_agg_double(col: Col), tuple_intersection_agg_double_with(mode: Val);
    /// Spark SQL [`tuple_intersection_agg_integer`](https://spark.apache.org/docs/latest/api/sql/#tuple_intersection_agg_integer). With PySpark's optional arguments: [`tuple_intersection_agg_integer_with`].
    tuple_intersection_agg_integer(col: Col), tuple_intersection_agg_integer_with(mode: Val);
    /// Spark SQL [`tuple_sketch_agg_double`](https://spark.apache.org/docs/latest/api/sql/#tuple_sketch_agg_double). With PySpark's optional arguments: [`tuple_sketch_agg_double_with`]. Sends PySpark's defaults `lg_nom_entries = 12`, `mode = "sum"`, as PySpark does.
    tuple_sketch_agg_double(key: Col, summary: Col), tuple_sketch_agg_double_with(lg_nom_entries: Val = 12, mode: Val = "sum");
    /// Spark SQL [`tuple_sketch_agg_integer`](https://spark.apache.org/docs/latest/api/sql/#tuple_sketch_agg_integer). With PySpark's optional arguments: [`tuple_sketch_agg_integer_with`]. Sends PySpark's defaults `lg_nom_entries = 12`, `mode = "sum"`, as PySpark does.
    tuple_sketch_agg_integer(key: Col, summary: Col), tuple_sketch_agg_integer_with(lg_nom_entries: Val = 12, mode: Val = "sum");
    /// Spark SQL [`tuple_union_agg_double`](https://spark.apache.org/docs/latest/api/sql/#tuple_union_agg_double). With PySpark's optional arguments: [`tuple_union_agg_double_with`]. Sends PySpark's defaults `lg_nom_entries = 12`, `mode = "sum"`, as PySpark does.
    tuple_union_agg_double(col: Col), tuple_union_agg_double_with(lg_nom_entries: Val = 12, mode: Val = "sum");
    /// Spark SQL [`tuple_union_agg_integer`](https://spark.apache.org/docs/latest/api/sql/#tuple_union_agg_integer). With PySpark's optional arguments: [`tuple_union_agg_integer_with`]. Sends PySpark's defaults `lg_nom_entries = 12`, `mode = "sum"`, as PySpark does.
    tuple_union_agg_integer(col: Col), tuple_union_agg_integer_with(lg_nom_entries: Val = 12, mode: Val = "sum");
    /// Spark SQL [`var_pop`](https://spark.apache.org/docs/latest/api/sql/#var_pop).
    var_pop(col: Col);
    /// Spark SQL [`var_samp`](https://spark.apache.org/docs/latest/api/sql/#var_samp).
    var_samp(col: Col);
    /// The sample variance. Spark SQL [`variance`](https://spark.apache.org/docs/latest/api/sql/#variance).
    variance(col: Col);
}
