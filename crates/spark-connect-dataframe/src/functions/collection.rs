//! Array, map and struct functions.
//!
//! Generated from the table below by `spark_functions!`; see [`registry`](super::registry).

spark_functions! {
    family: Collection;
    /// An array of the columns. Spark SQL [`array`](https://spark.apache.org/docs/latest/api/sql/#array).
    array(cols: Cols);
    /// Spark SQL [`array_append`](https://spark.apache.org/docs/latest/api/sql/#array_append).
    array_append(col: Col, value: Val);
    /// Spark SQL [`array_compact`](https://spark.apache.org/docs/latest/api/sql/#array_compact).
    array_compact(col: Col);
    /// Whether the array contains `value`. Spark SQL [`array_contains`](https://spark.apache.org/docs/latest/api/sql/#array_contains).
    array_contains(col: Col, value: Val);
    /// The array without duplicates. Spark SQL [`array_distinct`](https://spark.apache.org/docs/latest/api/sql/#array_distinct).
    array_distinct(col: Col);
    /// Spark SQL [`array_except`](https://spark.apache.org/docs/latest/api/sql/#array_except).
    array_except(col1: Col, col2: Col);
    /// Spark SQL [`array_insert`](https://spark.apache.org/docs/latest/api/sql/#array_insert).
    array_insert(arr: Col, pos: Col, value: Val);
    /// Spark SQL [`array_intersect`](https://spark.apache.org/docs/latest/api/sql/#array_intersect).
    array_intersect(col1: Col, col2: Col);
    /// Spark SQL [`array_join`](https://spark.apache.org/docs/latest/api/sql/#array_join). With PySpark's optional arguments: [`array_join_with`].
    array_join(col: Col, delimiter: Val), array_join_with(null_replacement: Val);
    /// The greatest element. Spark SQL [`array_max`](https://spark.apache.org/docs/latest/api/sql/#array_max).
    array_max(col: Col);
    /// The least element. Spark SQL [`array_min`](https://spark.apache.org/docs/latest/api/sql/#array_min).
    array_min(col: Col);
    /// Spark SQL [`array_position`](https://spark.apache.org/docs/latest/api/sql/#array_position).
    array_position(col: Col, value: Val);
    /// Spark SQL [`array_prepend`](https://spark.apache.org/docs/latest/api/sql/#array_prepend).
    array_prepend(col: Col, value: Val);
    /// Spark SQL [`array_remove`](https://spark.apache.org/docs/latest/api/sql/#array_remove).
    array_remove(col: Col, element: Val);
    /// Spark SQL [`array_repeat`](https://spark.apache.org/docs/latest/api/sql/#array_repeat).
    array_repeat(col: Col, count: Col);
    /// Spark SQL [`array_size`](https://spark.apache.org/docs/latest/api/sql/#array_size).
    array_size(col: Col);
    /// Spark SQL [`array_sort`](https://spark.apache.org/docs/latest/api/sql/#array_sort). With PySpark's optional comparator: [`array_sort_with`](crate::functions::array_sort_with).
    array_sort(col: Col);
    /// Spark SQL [`array_union`](https://spark.apache.org/docs/latest/api/sql/#array_union).
    array_union(col1: Col, col2: Col);
    /// Spark SQL [`arrays_overlap`](https://spark.apache.org/docs/latest/api/sql/#arrays_overlap).
    arrays_overlap(a1: Col, a2: Col);
    /// Spark SQL [`arrays_zip`](https://spark.apache.org/docs/latest/api/sql/#arrays_zip).
    arrays_zip(cols: Cols);
    /// Spark SQL [`cardinality`](https://spark.apache.org/docs/latest/api/sql/#cardinality).
    cardinality(col: Col);
    /// A map from alternating key and value columns. Spark SQL [`map`](https://spark.apache.org/docs/latest/api/sql/#map).
    create_map(cols: Cols) => "map";
    /// The element at a 1-based index of an array, or the value of a map key. Spark SQL [`element_at`](https://spark.apache.org/docs/latest/api/sql/#element_at).
    element_at(col: Col, extraction: Val);
    /// One row per element of an array or entry of a map. Spark SQL [`explode`](https://spark.apache.org/docs/latest/api/sql/#explode).
    explode(col: Col);
    /// Spark SQL [`explode_outer`](https://spark.apache.org/docs/latest/api/sql/#explode_outer).
    explode_outer(col: Col);
    /// Flattens an array of arrays. Spark SQL [`flatten`](https://spark.apache.org/docs/latest/api/sql/#flatten).
    flatten(col: Col);
    /// Spark SQL [`get`](https://spark.apache.org/docs/latest/api/sql/#get).
    get(col: Col, index: Col);
    /// Spark SQL [`inline`](https://spark.apache.org/docs/latest/api/sql/#inline).
    inline(col: Col);
    /// Spark SQL [`inline_outer`](https://spark.apache.org/docs/latest/api/sql/#inline_outer).
    inline_outer(col: Col);
    /// Spark SQL [`map_concat`](https://spark.apache.org/docs/latest/api/sql/#map_concat).
    map_concat(cols: Cols);
    /// Spark SQL [`map_contains_key`](https://spark.apache.org/docs/latest/api/sql/#map_contains_key).
    map_contains_key(col: Col, value: Val);
    /// Spark SQL [`map_entries`](https://spark.apache.org/docs/latest/api/sql/#map_entries).
    map_entries(col: Col);
    /// Spark SQL [`map_from_arrays`](https://spark.apache.org/docs/latest/api/sql/#map_from_arrays).
    map_from_arrays(col1: Col, col2: Col);
    /// Spark SQL [`map_from_entries`](https://spark.apache.org/docs/latest/api/sql/#map_from_entries).
    map_from_entries(col: Col);
    /// The keys of a map. Spark SQL [`map_keys`](https://spark.apache.org/docs/latest/api/sql/#map_keys).
    map_keys(col: Col);
    /// The values of a map. Spark SQL [`map_values`](https://spark.apache.org/docs/latest/api/sql/#map_values).
    map_values(col: Col);
    /// Spark SQL [`named_struct`](https://spark.apache.org/docs/latest/api/sql/#named_struct).
    named_struct(cols: Cols);
    /// Spark SQL [`posexplode`](https://spark.apache.org/docs/latest/api/sql/#posexplode).
    posexplode(col: Col);
    /// Spark SQL [`posexplode_outer`](https://spark.apache.org/docs/latest/api/sql/#posexplode_outer).
    posexplode_outer(col: Col);
    /// Spark SQL [`sequence`](https://spark.apache.org/docs/latest/api/sql/#sequence). With PySpark's optional arguments: [`sequence_with`].
    sequence(start: Col, stop: Col), sequence_with(step: Col);
    /// Spark SQL [`shuffle`](https://spark.apache.org/docs/latest/api/sql/#shuffle). With PySpark's optional arguments: [`shuffle_with`].
    shuffle(col: Col), shuffle_with(seed: Val);
    /// The number of elements of an array or map. Spark SQL [`size`](https://spark.apache.org/docs/latest/api/sql/#size).
    size(col: Col);
    /// Spark SQL [`slice`](https://spark.apache.org/docs/latest/api/sql/#slice).
    slice(x: Col, start: Col, length: Col);
    /// The array sorted ascending. Spark SQL [`sort_array`](https://spark.apache.org/docs/latest/api/sql/#sort_array). With PySpark's optional arguments: [`sort_array_with`]. Sends PySpark's default `asc = true`, as PySpark does.
    sort_array(col: Col), sort_array_with(asc: Val = true);
    /// Spark SQL [`stack`](https://spark.apache.org/docs/latest/api/sql/#stack).
    stack(cols: Cols);
    /// A struct of the columns. Spark SQL [`struct`](https://spark.apache.org/docs/latest/api/sql/#struct).
    r#struct as "struct"(cols: Cols) => "struct";
    /// Spark SQL [`try_element_at`](https://spark.apache.org/docs/latest/api/sql/#try_element_at).
    try_element_at(col: Col, extraction: Col);
}
