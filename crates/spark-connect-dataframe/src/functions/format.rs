//! JSON, CSV, XML and variant functions.
//!
//! Generated from the table below by `spark_functions!`; see [`registry`](super::registry).

spark_functions! {
    family: Format;
    /// Spark SQL [`from_csv`](https://spark.apache.org/docs/latest/api/sql/#from_csv). With PySpark's optional arguments: [`from_csv_with`].
    from_csv(col: Col, schema: Val), from_csv_with(options: Opts);
    /// Parses a JSON string with a schema in DDL form. Spark SQL [`from_json`](https://spark.apache.org/docs/latest/api/sql/#from_json). With PySpark's optional arguments: [`from_json_with`].
    from_json(col: Col, schema: Val), from_json_with(options: Opts);
    /// Spark SQL [`from_xml`](https://spark.apache.org/docs/latest/api/sql/#from_xml). With PySpark's optional arguments: [`from_xml_with`].
    from_xml(col: Col, schema: Val), from_xml_with(options: Opts);
    /// Extracts a value from a JSON string by JSON path. Spark SQL [`get_json_object`](https://spark.apache.org/docs/latest/api/sql/#get_json_object).
    get_json_object(col: Col, path: Val);
    /// Spark SQL [`is_valid_variant`](https://spark.apache.org/docs/latest/api/sql/#is_valid_variant).
    is_valid_variant(v: Col);
    /// Spark SQL [`is_variant_null`](https://spark.apache.org/docs/latest/api/sql/#is_variant_null).
    is_variant_null(v: Col);
    /// Spark SQL [`json_array_length`](https://spark.apache.org/docs/latest/api/sql/#json_array_length).
    json_array_length(col: Col);
    /// Spark SQL [`json_object_keys`](https://spark.apache.org/docs/latest/api/sql/#json_object_keys).
    json_object_keys(col: Col);
    /// Spark SQL [`json_tuple`](https://spark.apache.org/docs/latest/api/sql/#json_tuple).
    json_tuple(col: Col, fields: Cols);
    /// Spark SQL [`parse_json`](https://spark.apache.org/docs/latest/api/sql/#parse_json).
    parse_json(col: Col);
    /// Spark SQL [`schema_of_csv`](https://spark.apache.org/docs/latest/api/sql/#schema_of_csv). With PySpark's optional arguments: [`schema_of_csv_with`].
    schema_of_csv(csv: Val), schema_of_csv_with(options: Opts);
    /// Spark SQL [`schema_of_json`](https://spark.apache.org/docs/latest/api/sql/#schema_of_json). With PySpark's optional arguments: [`schema_of_json_with`].
    schema_of_json(json: Val), schema_of_json_with(options: Opts);
    /// Spark SQL [`schema_of_variant`](https://spark.apache.org/docs/latest/api/sql/#schema_of_variant).
    schema_of_variant(v: Col);
    /// Spark SQL [`schema_of_xml`](https://spark.apache.org/docs/latest/api/sql/#schema_of_xml). With PySpark's optional arguments: [`schema_of_xml_with`].
    schema_of_xml(xml: Val), schema_of_xml_with(options: Opts);
    /// Spark SQL [`to_csv`](https://spark.apache.org/docs/latest/api/sql/#to_csv). With PySpark's optional arguments: [`to_csv_with`].
    to_csv(col: Col), to_csv_with(options: Opts);
    /// Converts a struct, array or map to a JSON string. Spark SQL [`to_json`](https://spark.apache.org/docs/latest/api/sql/#to_json). With PySpark's optional arguments: [`to_json_with`].
    to_json(col: Col), to_json_with(options: Opts);
    /// Spark SQL [`to_variant_object`](https://spark.apache.org/docs/latest/api/sql/#to_variant_object).
    to_variant_object(col: Col);
    /// Spark SQL [`to_xml`](https://spark.apache.org/docs/latest/api/sql/#to_xml). With PySpark's optional arguments: [`to_xml_with`].
    to_xml(col: Col), to_xml_with(options: Opts);
    /// Spark SQL [`try_parse_json`](https://spark.apache.org/docs/latest/api/sql/#try_parse_json).
    try_parse_json(col: Col);
    /// Spark SQL [`try_variant_get`](https://spark.apache.org/docs/latest/api/sql/#try_variant_get).
    try_variant_get(v: Col, path: Val, target_type: Val);
    /// Spark SQL [`variant_get`](https://spark.apache.org/docs/latest/api/sql/#variant_get).
    variant_get(v: Col, path: Val, target_type: Val);
    /// Spark SQL [`xpath`](https://spark.apache.org/docs/latest/api/sql/#xpath).
    xpath(xml: Col, path: Col);
    /// Spark SQL [`xpath_boolean`](https://spark.apache.org/docs/latest/api/sql/#xpath_boolean).
    xpath_boolean(xml: Col, path: Col);
    /// Spark SQL [`xpath_double`](https://spark.apache.org/docs/latest/api/sql/#xpath_double).
    xpath_double(xml: Col, path: Col);
    /// Spark SQL [`xpath_float`](https://spark.apache.org/docs/latest/api/sql/#xpath_float).
    xpath_float(xml: Col, path: Col);
    /// Spark SQL [`xpath_int`](https://spark.apache.org/docs/latest/api/sql/#xpath_int).
    xpath_int(xml: Col, path: Col);
    /// Spark SQL [`xpath_long`](https://spark.apache.org/docs/latest/api/sql/#xpath_long).
    xpath_long(xml: Col, path: Col);
    /// Spark SQL [`xpath_number`](https://spark.apache.org/docs/latest/api/sql/#xpath_number).
    xpath_number(xml: Col, path: Col);
    /// Spark SQL [`xpath_short`](https://spark.apache.org/docs/latest/api/sql/#xpath_short).
    xpath_short(xml: Col, path: Col);
    /// Spark SQL [`xpath_string`](https://spark.apache.org/docs/latest/api/sql/#xpath_string).
    xpath_string(xml: Col, path: Col);
}
