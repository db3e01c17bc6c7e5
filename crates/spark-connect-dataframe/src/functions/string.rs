//! String functions: text, regular expressions, encodings.
//!
//! Generated from the table below by `spark_functions!`; see [`registry`](super::registry).

spark_functions! {
    family: String;
    /// The code point of the first character. Spark SQL [`ascii`](https://spark.apache.org/docs/latest/api/sql/#ascii).
    ascii(col: Col);
    /// Spark SQL [`base64`](https://spark.apache.org/docs/latest/api/sql/#base64).
    base64(col: Col);
    /// Spark SQL [`bit_length`](https://spark.apache.org/docs/latest/api/sql/#bit_length).
    bit_length(col: Col);
    /// Spark SQL [`btrim`](https://spark.apache.org/docs/latest/api/sql/#btrim). With PySpark's optional arguments: [`btrim_with`].
    btrim(text: Col), btrim_with(trim: Col);
    /// Spark SQL [`char`](https://spark.apache.org/docs/latest/api/sql/#char).
    char(col: Col);
    /// Spark SQL [`char_length`](https://spark.apache.org/docs/latest/api/sql/#char_length).
    char_length(text: Col);
    /// Spark SQL [`character_length`](https://spark.apache.org/docs/latest/api/sql/#character_length).
    character_length(text: Col);
    /// Spark SQL [`chr`](https://spark.apache.org/docs/latest/api/sql/#chr).
    chr(n: Col);
    /// Spark SQL [`collate`](https://spark.apache.org/docs/latest/api/sql/#collate).
    collate(col: Col, collation: Val);
    /// Spark SQL [`collation`](https://spark.apache.org/docs/latest/api/sql/#collation).
    collation(col: Col);
    /// Concatenates strings, binaries or arrays. Spark SQL [`concat`](https://spark.apache.org/docs/latest/api/sql/#concat).
    concat(cols: Cols);
    /// Concatenates strings with a separator, skipping nulls. Spark SQL [`concat_ws`](https://spark.apache.org/docs/latest/api/sql/#concat_ws).
    concat_ws(sep: Val, cols: Cols);
    /// Spark SQL [`contains`](https://spark.apache.org/docs/latest/api/sql/#contains).
    contains(left: Col, right: Col);
    /// Spark SQL [`decode`](https://spark.apache.org/docs/latest/api/sql/#decode).
    decode(col: Col, charset: Val);
    /// Spark SQL [`elt`](https://spark.apache.org/docs/latest/api/sql/#elt).
    elt(inputs: Cols);
    /// Spark SQL [`encode`](https://spark.apache.org/docs/latest/api/sql/#encode).
    encode(col: Col, charset: Val);
    /// Spark SQL [`endswith`](https://spark.apache.org/docs/latest/api/sql/#endswith).
    endswith(text: Col, suffix: Col);
    /// Spark SQL [`find_in_set`](https://spark.apache.org/docs/latest/api/sql/#find_in_set).
    find_in_set(text: Col, str_array: Col);
    /// Spark SQL [`format_number`](https://spark.apache.org/docs/latest/api/sql/#format_number).
    format_number(col: Col, d: Val);
    /// Spark SQL [`format_string`](https://spark.apache.org/docs/latest/api/sql/#format_string).
    format_string(format: Val, cols: Cols);
    /// Spark SQL [`ilike`](https://spark.apache.org/docs/latest/api/sql/#ilike). With PySpark's optional arguments: [`ilike_with`].
    ilike(text: Col, pattern: Col), ilike_with(escape_char: Col);
    /// Upper-cases the first letter of each word. Spark SQL [`initcap`](https://spark.apache.org/docs/latest/api/sql/#initcap).
    initcap(col: Col);
    /// The 1-based position of the first occurrence of `substr`, or 0. Spark SQL [`instr`](https://spark.apache.org/docs/latest/api/sql/#instr). With PySpark's optional arguments: [`instr_with`].
    instr(text: Col, substr: Val), instr_with(start: Val, occurrence: Val);
    /// Spark SQL [`is_valid_utf8`](https://spark.apache.org/docs/latest/api/sql/#is_valid_utf8).
    is_valid_utf8(text: Col);
    /// Spark SQL [`lcase`](https://spark.apache.org/docs/latest/api/sql/#lcase).
    lcase(text: Col);
    /// Spark SQL [`left`](https://spark.apache.org/docs/latest/api/sql/#left).
    left(text: Col, len: Col);
    /// The length of a string in characters, or of binary data in bytes. Spark SQL [`length`](https://spark.apache.org/docs/latest/api/sql/#length).
    length(col: Col);
    /// Spark SQL [`levenshtein`](https://spark.apache.org/docs/latest/api/sql/#levenshtein). With PySpark's optional arguments: [`levenshtein_with`].
    levenshtein(left: Col, right: Col), levenshtein_with(threshold: Val);
    /// Spark SQL [`like`](https://spark.apache.org/docs/latest/api/sql/#like). With PySpark's optional arguments: [`like_with`].
    like(text: Col, pattern: Col), like_with(escape_char: Col);
    /// Spark SQL [`locate`](https://spark.apache.org/docs/latest/api/sql/#locate). With PySpark's optional arguments: [`locate_with`]. Sends PySpark's default `pos = 1`, as PySpark does.
    locate(substr: Val, text: Col), locate_with(pos: Val = 1);
    /// Converts a string to lower case. Spark SQL [`lower`](https://spark.apache.org/docs/latest/api/sql/#lower).
    lower(col: Col);
    /// Left-pads a string to `len` characters with `pad`. Spark SQL [`lpad`](https://spark.apache.org/docs/latest/api/sql/#lpad).
    lpad(col: Col, len: Val, pad: Val);
    /// Removes leading spaces. Spark SQL [`ltrim`](https://spark.apache.org/docs/latest/api/sql/#ltrim). With PySpark's optional arguments: [`ltrim_with`].
    ltrim(col: Col), ltrim_with(trim: Col) optional_first;
    /// Spark SQL [`make_valid_utf8`](https://spark.apache.org/docs/latest/api/sql/#make_valid_utf8).
    make_valid_utf8(text: Col);
    /// Spark SQL [`mask`](https://spark.apache.org/docs/latest/api/sql/#mask). With PySpark's optional arguments: [`mask_with`]. Sends PySpark's defaults (`"X"`, `"x"`, `"n"` and null), as PySpark does. As in PySpark, the replacement characters are columns: a string is a column name, `lit("*")` a character.
    mask(col: Col), mask_with(upper_char: Col = "X", lower_char: Col = "x", digit_char: Col = "n", other_char: Col = crate::Literal::null());
    /// Spark SQL [`octet_length`](https://spark.apache.org/docs/latest/api/sql/#octet_length).
    octet_length(col: Col);
    /// Spark SQL [`overlay`](https://spark.apache.org/docs/latest/api/sql/#overlay). With PySpark's optional arguments: [`overlay_with`]. Sends PySpark's default `len = -1`, as PySpark does.
    overlay(src: Col, replace: Col, pos: Col), overlay_with(len: Col = -1);
    /// Spark SQL [`parse_url`](https://spark.apache.org/docs/latest/api/sql/#parse_url). With PySpark's optional arguments: [`parse_url_with`].
    parse_url(url: Col, part_to_extract: Col), parse_url_with(key: Col);
    /// Spark SQL [`position`](https://spark.apache.org/docs/latest/api/sql/#position). With PySpark's optional arguments: [`position_with`].
    position(substr: Col, text: Col), position_with(start: Col);
    /// Spark SQL [`printf`](https://spark.apache.org/docs/latest/api/sql/#printf).
    printf(format: Col, cols: Cols);
    /// Spark SQL [`quote`](https://spark.apache.org/docs/latest/api/sql/#quote).
    quote(col: Col);
    /// Spark SQL [`randstr`](https://spark.apache.org/docs/latest/api/sql/#randstr). With PySpark's optional arguments: [`randstr_with`].
    randstr(length: Val), randstr_with(seed: Val);
    /// Spark SQL [`regexp`](https://spark.apache.org/docs/latest/api/sql/#regexp).
    regexp(text: Col, regexp: Col);
    /// Spark SQL [`regexp_count`](https://spark.apache.org/docs/latest/api/sql/#regexp_count).
    regexp_count(text: Col, regexp: Col);
    /// The group `idx` of the first match of a Java regular expression. Spark SQL [`regexp_extract`](https://spark.apache.org/docs/latest/api/sql/#regexp_extract).
    regexp_extract(text: Col, pattern: Val, idx: Val);
    /// Spark SQL [`regexp_extract_all`](https://spark.apache.org/docs/latest/api/sql/#regexp_extract_all). With PySpark's optional arguments: [`regexp_extract_all_with`].
    regexp_extract_all(text: Col, regexp: Col), regexp_extract_all_with(idx: Val);
    /// Spark SQL [`regexp_instr`](https://spark.apache.org/docs/latest/api/sql/#regexp_instr). With PySpark's optional arguments: [`regexp_instr_with`].
    regexp_instr(text: Col, regexp: Col), regexp_instr_with(idx: Val);
    /// Spark SQL [`regexp_like`](https://spark.apache.org/docs/latest/api/sql/#regexp_like).
    regexp_like(text: Col, regexp: Col);
    /// Replaces every match of a Java regular expression. Spark SQL [`regexp_replace`](https://spark.apache.org/docs/latest/api/sql/#regexp_replace). With PySpark's optional arguments: [`regexp_replace_with`].
    regexp_replace(string_: Col, pattern: Val, replacement: Val), regexp_replace_with(position: Val);
    /// Spark SQL [`regexp_substr`](https://spark.apache.org/docs/latest/api/sql/#regexp_substr).
    regexp_substr(text: Col, regexp: Col);
    /// Repeats a string `n` times. Spark SQL [`repeat`](https://spark.apache.org/docs/latest/api/sql/#repeat).
    repeat(col: Col, n: Col);
    /// Spark SQL [`replace`](https://spark.apache.org/docs/latest/api/sql/#replace). With PySpark's optional arguments: [`replace_with`].
    replace(src: Col, search: Col), replace_with(replace: Col);
    /// Reverses a string or an array. Spark SQL [`reverse`](https://spark.apache.org/docs/latest/api/sql/#reverse).
    reverse(col: Col);
    /// Spark SQL [`right`](https://spark.apache.org/docs/latest/api/sql/#right).
    right(text: Col, len: Col);
    /// Spark SQL [`rlike`](https://spark.apache.org/docs/latest/api/sql/#rlike).
    rlike(text: Col, regexp: Col);
    /// Right-pads a string to `len` characters with `pad`. Spark SQL [`rpad`](https://spark.apache.org/docs/latest/api/sql/#rpad).
    rpad(col: Col, len: Val, pad: Val);
    /// Removes trailing spaces. Spark SQL [`rtrim`](https://spark.apache.org/docs/latest/api/sql/#rtrim). With PySpark's optional arguments: [`rtrim_with`].
    rtrim(col: Col), rtrim_with(trim: Col) optional_first;
    /// Spark SQL [`sentences`](https://spark.apache.org/docs/latest/api/sql/#sentences). With PySpark's optional arguments: [`sentences_with`]. Sends PySpark's defaults (`lit("")` for both) as PySpark does; as in PySpark, `language` and `country` are columns (`lit("en")`).
    sentences(string_: Col), sentences_with(language: Col = "", country: Col = "");
    /// Spark SQL [`soundex`](https://spark.apache.org/docs/latest/api/sql/#soundex).
    soundex(col: Col);
    /// Splits a string around matches of a Java regular expression. Spark SQL [`split`](https://spark.apache.org/docs/latest/api/sql/#split). With PySpark's optional arguments: [`split_with`]. Sends PySpark's default `limit = -1`, as PySpark does.
    split(text: Col, pattern: Val), split_with(limit: Col = -1);
    /// Spark SQL [`split_part`](https://spark.apache.org/docs/latest/api/sql/#split_part).
    split_part(src: Col, delimiter: Col, part_num: Col);
    /// Spark SQL [`startswith`](https://spark.apache.org/docs/latest/api/sql/#startswith).
    startswith(text: Col, prefix: Col);
    /// Spark SQL [`str_to_map`](https://spark.apache.org/docs/latest/api/sql/#str_to_map). With PySpark's optional arguments: [`str_to_map_with`]. Sends PySpark's defaults (`lit(",")` and `lit(":")`) as PySpark does; as in PySpark, the delimiters are columns (`lit(";")`).
    str_to_map(text: Col), str_to_map_with(pair_delim: Col = ",", key_value_delim: Col = ":");
    /// Spark SQL [`substr`](https://spark.apache.org/docs/latest/api/sql/#substr). With PySpark's optional arguments: [`substr_with`].
    substr(text: Col, pos: Col), substr_with(len: Col);
    /// The part of a string from 1-based `pos`, `len` characters long. Spark SQL [`substring`](https://spark.apache.org/docs/latest/api/sql/#substring).
    substring(text: Col, pos: Col, len: Col);
    /// Spark SQL [`substring_index`](https://spark.apache.org/docs/latest/api/sql/#substring_index).
    substring_index(text: Col, delim: Val, count: Val);
    /// Spark SQL [`to_binary`](https://spark.apache.org/docs/latest/api/sql/#to_binary). With PySpark's optional arguments: [`to_binary_with`].
    to_binary(col: Col), to_binary_with(format: Col);
    /// Spark SQL [`to_char`](https://spark.apache.org/docs/latest/api/sql/#to_char).
    to_char(col: Col, format: Col);
    /// Spark SQL [`to_number`](https://spark.apache.org/docs/latest/api/sql/#to_number).
    to_number(col: Col, format: Col);
    /// Spark SQL [`to_varchar`](https://spark.apache.org/docs/latest/api/sql/#to_varchar).
    to_varchar(col: Col, format: Col);
    /// Replaces each character of `matching` by the character at the same place in `replace`. Spark SQL [`translate`](https://spark.apache.org/docs/latest/api/sql/#translate).
    translate(src_col: Col, matching: Val, replace: Val);
    /// Removes leading and trailing spaces. Spark SQL [`trim`](https://spark.apache.org/docs/latest/api/sql/#trim). With PySpark's optional arguments: [`trim_with`].
    trim(col: Col), trim_with(trim: Col) optional_first;
    /// Spark SQL [`try_parse_url`](https://spark.apache.org/docs/latest/api/sql/#try_parse_url). With PySpark's optional arguments: [`try_parse_url_with`].
    try_parse_url(url: Col, part_to_extract: Col), try_parse_url_with(key: Col);
    /// Spark SQL [`try_to_binary`](https://spark.apache.org/docs/latest/api/sql/#try_to_binary). With PySpark's optional arguments: [`try_to_binary_with`].
    try_to_binary(col: Col), try_to_binary_with(format: Col);
    /// Spark SQL [`try_to_number`](https://spark.apache.org/docs/latest/api/sql/#try_to_number).
    try_to_number(col: Col, format: Col);
    /// Spark SQL [`try_url_decode`](https://spark.apache.org/docs/latest/api/sql/#try_url_decode).
    try_url_decode(text: Col);
    /// Spark SQL [`try_validate_utf8`](https://spark.apache.org/docs/latest/api/sql/#try_validate_utf8).
    try_validate_utf8(text: Col);
    /// Spark SQL [`ucase`](https://spark.apache.org/docs/latest/api/sql/#ucase).
    ucase(text: Col);
    /// Spark SQL [`unbase64`](https://spark.apache.org/docs/latest/api/sql/#unbase64).
    unbase64(col: Col);
    /// Converts a string to upper case. Spark SQL [`upper`](https://spark.apache.org/docs/latest/api/sql/#upper).
    upper(col: Col);
    /// Spark SQL [`url_decode`](https://spark.apache.org/docs/latest/api/sql/#url_decode).
    url_decode(text: Col);
    /// Spark SQL [`url_encode`](https://spark.apache.org/docs/latest/api/sql/#url_encode).
    url_encode(text: Col);
    /// Spark SQL [`validate_utf8`](https://spark.apache.org/docs/latest/api/sql/#validate_utf8).
    validate_utf8(text: Col);
}
