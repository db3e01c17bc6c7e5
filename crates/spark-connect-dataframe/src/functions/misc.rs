//! Conditional, null-handling and session functions.
//!
//! Generated from the table below by `spark_functions!`; see [`registry`](super::registry).

spark_functions! {
    family: Misc;
    /// Spark SQL [`aes_decrypt`](https://spark.apache.org/docs/latest/api/sql/#aes_decrypt). With PySpark's optional arguments: [`aes_decrypt_with`]. Sends PySpark's defaults (mode `GCM`, padding `DEFAULT`, empty aad) as PySpark does; as in PySpark, these arguments are columns (`lit("CBC")`).
    aes_decrypt(input: Col, key: Col), aes_decrypt_with(mode: Col = "GCM", padding: Col = "DEFAULT", aad: Col = "");
    /// Spark SQL [`aes_encrypt`](https://spark.apache.org/docs/latest/api/sql/#aes_encrypt). With PySpark's optional arguments: [`aes_encrypt_with`]. Sends PySpark's defaults (mode `GCM`, padding `DEFAULT`, empty iv and aad) as PySpark does; as in PySpark, these arguments are columns (`lit("CBC")`).
    aes_encrypt(input: Col, key: Col), aes_encrypt_with(mode: Col = "GCM", padding: Col = "DEFAULT", iv: Col = "", aad: Col = "");
    /// Spark SQL [`assert_true`](https://spark.apache.org/docs/latest/api/sql/#assert_true). With PySpark's optional arguments: [`assert_true_with`].
    assert_true(col: Col), assert_true_with(err_msg: Val);
    /// The first value that is not null. Spark SQL [`coalesce`](https://spark.apache.org/docs/latest/api/sql/#coalesce).
    coalesce(cols: Cols);
    /// Spark SQL [`current_catalog`](https://spark.apache.org/docs/latest/api/sql/#current_catalog).
    current_catalog();
    /// Spark SQL [`current_database`](https://spark.apache.org/docs/latest/api/sql/#current_database).
    current_database();
    /// Spark SQL [`current_path`](https://spark.apache.org/docs/latest/api/sql/#current_path).
    current_path();
    /// Spark SQL [`current_schema`](https://spark.apache.org/docs/latest/api/sql/#current_schema).
    current_schema();
    /// Spark SQL [`current_user`](https://spark.apache.org/docs/latest/api/sql/#current_user).
    current_user();
    /// Spark SQL [`equal_null`](https://spark.apache.org/docs/latest/api/sql/#equal_null).
    equal_null(col1: Col, col2: Col);
    /// The greatest value, skipping nulls. Spark SQL [`greatest`](https://spark.apache.org/docs/latest/api/sql/#greatest).
    greatest(cols: Cols);
    /// `col2` when `col1` is null, else `col1`. Spark SQL [`ifnull`](https://spark.apache.org/docs/latest/api/sql/#ifnull).
    ifnull(col1: Col, col2: Col);
    /// Spark SQL [`input_file_block_length`](https://spark.apache.org/docs/latest/api/sql/#input_file_block_length).
    input_file_block_length();
    /// Spark SQL [`input_file_block_start`](https://spark.apache.org/docs/latest/api/sql/#input_file_block_start).
    input_file_block_start();
    /// Spark SQL [`input_file_name`](https://spark.apache.org/docs/latest/api/sql/#input_file_name).
    input_file_name();
    /// Whether the value is NaN. Spark SQL [`isnan`](https://spark.apache.org/docs/latest/api/sql/#isnan).
    isnan(col: Col);
    /// Whether the value is not null. Spark SQL [`isnotnull`](https://spark.apache.org/docs/latest/api/sql/#isnotnull).
    isnotnull(col: Col);
    /// Whether the value is null. Spark SQL [`isnull`](https://spark.apache.org/docs/latest/api/sql/#isnull).
    isnull(col: Col);
    /// Spark SQL [`java_method`](https://spark.apache.org/docs/latest/api/sql/#java_method).
    java_method(cols: Cols);
    /// The least value, skipping nulls. Spark SQL [`least`](https://spark.apache.org/docs/latest/api/sql/#least).
    least(cols: Cols);
    /// A unique, increasing (not consecutive) 64-bit id per row. Spark SQL [`monotonically_increasing_id`](https://spark.apache.org/docs/latest/api/sql/#monotonically_increasing_id).
    monotonically_increasing_id();
    /// Null when both are equal, else `col1`. Spark SQL [`nullif`](https://spark.apache.org/docs/latest/api/sql/#nullif).
    nullif(col1: Col, col2: Col);
    /// Spark SQL [`nullifzero`](https://spark.apache.org/docs/latest/api/sql/#nullifzero).
    nullifzero(col: Col);
    /// `col2` when `col1` is null, else `col1`. Spark SQL [`nvl`](https://spark.apache.org/docs/latest/api/sql/#nvl).
    nvl(col1: Col, col2: Col);
    /// `col2` when `col1` is not null, else `col3`. Spark SQL [`nvl2`](https://spark.apache.org/docs/latest/api/sql/#nvl2).
    nvl2(col1: Col, col2: Col, col3: Col);
    /// Spark SQL [`raise_error`](https://spark.apache.org/docs/latest/api/sql/#raise_error).
    raise_error(err_msg: Val);
    /// Spark SQL [`reflect`](https://spark.apache.org/docs/latest/api/sql/#reflect).
    reflect(cols: Cols);
    /// Spark SQL [`session_user`](https://spark.apache.org/docs/latest/api/sql/#session_user).
    session_user();
    /// The partition id of the row. Spark SQL [`spark_partition_id`](https://spark.apache.org/docs/latest/api/sql/#spark_partition_id).
    spark_partition_id();
    /// Spark SQL [`try_aes_decrypt`](https://spark.apache.org/docs/latest/api/sql/#try_aes_decrypt). With PySpark's optional arguments: [`try_aes_decrypt_with`]. Sends PySpark's defaults (mode `GCM`, padding `DEFAULT`, empty aad) as PySpark does; as in PySpark, these arguments are columns (`lit("CBC")`).
    try_aes_decrypt(input: Col, key: Col), try_aes_decrypt_with(mode: Col = "GCM", padding: Col = "DEFAULT", aad: Col = "");
    /// Spark SQL [`try_reflect`](https://spark.apache.org/docs/latest/api/sql/#try_reflect).
    try_reflect(cols: Cols);
    /// Spark SQL [`typeof`](https://spark.apache.org/docs/latest/api/sql/#typeof).
    r#typeof as "typeof"(col: Col) => "typeof";
    /// The value of a user-defined type column as its underlying SQL type. Spark SQL [`unwrap_udt`](https://spark.apache.org/docs/latest/api/sql/#unwrap_udt).
    unwrap_udt(col: Col);
    /// Spark SQL [`user`](https://spark.apache.org/docs/latest/api/sql/#user).
    user();
    /// A random UUID string. Spark SQL [`uuid`](https://spark.apache.org/docs/latest/api/sql/#uuid). With PySpark's optional arguments: [`uuid_with`].
    uuid(), uuid_with(seed: Val);
    /// Spark SQL [`version`](https://spark.apache.org/docs/latest/api/sql/#version).
    version();
    /// Spark SQL [`zeroifnull`](https://spark.apache.org/docs/latest/api/sql/#zeroifnull).
    zeroifnull(col: Col);
}
