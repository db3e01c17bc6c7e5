//! Math functions: arithmetic, rounding, trigonometry, bits, random numbers.
//!
//! Generated from the table below by `spark_functions!`; see [`registry`](super::registry).

spark_functions! {
    family: Math;
    /// The absolute value. Spark SQL [`abs`](https://spark.apache.org/docs/latest/api/sql/#abs).
    abs(col: Col);
    /// Spark SQL [`acos`](https://spark.apache.org/docs/latest/api/sql/#acos).
    acos(col: Col);
    /// Spark SQL [`acosh`](https://spark.apache.org/docs/latest/api/sql/#acosh).
    acosh(col: Col);
    /// Spark SQL [`asin`](https://spark.apache.org/docs/latest/api/sql/#asin).
    asin(col: Col);
    /// Spark SQL [`asinh`](https://spark.apache.org/docs/latest/api/sql/#asinh).
    asinh(col: Col);
    /// Spark SQL [`atan`](https://spark.apache.org/docs/latest/api/sql/#atan).
    atan(col: Col);
    /// Spark SQL [`atan2`](https://spark.apache.org/docs/latest/api/sql/#atan2).
    atan2(col1: Col, col2: Col);
    /// Spark SQL [`atanh`](https://spark.apache.org/docs/latest/api/sql/#atanh).
    atanh(col: Col);
    /// Spark SQL [`bin`](https://spark.apache.org/docs/latest/api/sql/#bin).
    bin(col: Col);
    /// Spark SQL [`bit_count`](https://spark.apache.org/docs/latest/api/sql/#bit_count).
    bit_count(col: Col);
    /// Spark SQL [`bit_get`](https://spark.apache.org/docs/latest/api/sql/#bit_get).
    bit_get(col: Col, pos: Col);
    /// Spark SQL `~`.
    bitwise_not(col: Col) => "~";
    /// Rounds half to even to an integer. Spark SQL [`bround`](https://spark.apache.org/docs/latest/api/sql/#bround). With PySpark's optional arguments: [`bround_with`].
    bround(col: Col), bround_with(scale: Val);
    /// Spark SQL [`cbrt`](https://spark.apache.org/docs/latest/api/sql/#cbrt).
    cbrt(col: Col);
    /// The smallest integer not below the value. Spark SQL [`ceil`](https://spark.apache.org/docs/latest/api/sql/#ceil). With PySpark's optional arguments: [`ceil_with`].
    ceil(col: Col), ceil_with(scale: Val);
    /// Spark SQL [`ceiling`](https://spark.apache.org/docs/latest/api/sql/#ceiling). With PySpark's optional arguments: [`ceiling_with`].
    ceiling(col: Col), ceiling_with(scale: Val);
    /// Spark SQL [`conv`](https://spark.apache.org/docs/latest/api/sql/#conv).
    conv(col: Col, from_base: Val, to_base: Val);
    /// The cosine (radians). Spark SQL [`cos`](https://spark.apache.org/docs/latest/api/sql/#cos).
    cos(col: Col);
    /// Spark SQL [`cosh`](https://spark.apache.org/docs/latest/api/sql/#cosh).
    cosh(col: Col);
    /// Spark SQL [`cot`](https://spark.apache.org/docs/latest/api/sql/#cot).
    cot(col: Col);
    /// Spark SQL [`csc`](https://spark.apache.org/docs/latest/api/sql/#csc).
    csc(col: Col);
    /// Spark SQL [`degrees`](https://spark.apache.org/docs/latest/api/sql/#degrees).
    degrees(col: Col);
    /// Euler's number e. Spark SQL [`e`](https://spark.apache.org/docs/latest/api/sql/#e).
    e();
    /// e raised to the power of the value. Spark SQL [`exp`](https://spark.apache.org/docs/latest/api/sql/#exp).
    exp(col: Col);
    /// Spark SQL [`expm1`](https://spark.apache.org/docs/latest/api/sql/#expm1).
    expm1(col: Col);
    /// Spark SQL [`factorial`](https://spark.apache.org/docs/latest/api/sql/#factorial).
    factorial(col: Col);
    /// The largest integer not above the value. Spark SQL [`floor`](https://spark.apache.org/docs/latest/api/sql/#floor). With PySpark's optional arguments: [`floor_with`].
    floor(col: Col), floor_with(scale: Val);
    /// Spark SQL [`getbit`](https://spark.apache.org/docs/latest/api/sql/#getbit).
    getbit(col: Col, pos: Col);
    /// Spark SQL [`hex`](https://spark.apache.org/docs/latest/api/sql/#hex).
    hex(col: Col);
    /// Spark SQL [`hypot`](https://spark.apache.org/docs/latest/api/sql/#hypot).
    hypot(col1: Col, col2: Col);
    /// The natural logarithm. Spark SQL [`ln`](https://spark.apache.org/docs/latest/api/sql/#ln).
    ln(col: Col);
    /// The natural logarithm. Spark SQL [`ln`](https://spark.apache.org/docs/latest/api/sql/#ln). With PySpark's optional arguments: [`log_with`].
    log(arg1: Col) => "ln", log_with(arg2: Col) => "log";
    /// The base-10 logarithm. Spark SQL [`log10`](https://spark.apache.org/docs/latest/api/sql/#log10).
    log10(col: Col);
    /// Spark SQL [`log1p`](https://spark.apache.org/docs/latest/api/sql/#log1p).
    log1p(col: Col);
    /// The base-2 logarithm. Spark SQL [`log2`](https://spark.apache.org/docs/latest/api/sql/#log2).
    log2(col: Col);
    /// `col1` unless it is NaN, else `col2`. Spark SQL [`nanvl`](https://spark.apache.org/docs/latest/api/sql/#nanvl).
    nanvl(col1: Col, col2: Col);
    /// Spark SQL [`negative`](https://spark.apache.org/docs/latest/api/sql/#negative).
    negative(col: Col);
    /// The constant pi. Spark SQL [`pi`](https://spark.apache.org/docs/latest/api/sql/#pi).
    pi();
    /// Spark SQL [`pmod`](https://spark.apache.org/docs/latest/api/sql/#pmod).
    pmod(dividend: Col, divisor: Col);
    /// Spark SQL [`positive`](https://spark.apache.org/docs/latest/api/sql/#positive).
    positive(col: Col);
    /// `col1` raised to the power of `col2`. Spark SQL [`power`](https://spark.apache.org/docs/latest/api/sql/#power).
    pow(col1: Col, col2: Col) => "power";
    /// Spark SQL [`radians`](https://spark.apache.org/docs/latest/api/sql/#radians).
    radians(col: Col);
    /// A uniform random number in [0, 1). Spark SQL [`rand`](https://spark.apache.org/docs/latest/api/sql/#rand). With PySpark's optional arguments: [`rand_with`].
    rand(), rand_with(seed: Val);
    /// A standard normal random number. Spark SQL [`randn`](https://spark.apache.org/docs/latest/api/sql/#randn). With PySpark's optional arguments: [`randn_with`].
    randn(), randn_with(seed: Val);
    /// Spark SQL [`rint`](https://spark.apache.org/docs/latest/api/sql/#rint).
    rint(col: Col);
    /// Rounds half up to an integer. Spark SQL [`round`](https://spark.apache.org/docs/latest/api/sql/#round). With PySpark's optional arguments: [`round_with`].
    round(col: Col), round_with(scale: Val);
    /// Spark SQL [`sec`](https://spark.apache.org/docs/latest/api/sql/#sec).
    sec(col: Col);
    /// Spark SQL [`shiftleft`](https://spark.apache.org/docs/latest/api/sql/#shiftleft).
    shiftleft(col: Col, num_bits: Val);
    /// Spark SQL [`shiftright`](https://spark.apache.org/docs/latest/api/sql/#shiftright).
    shiftright(col: Col, num_bits: Val);
    /// Spark SQL [`shiftrightunsigned`](https://spark.apache.org/docs/latest/api/sql/#shiftrightunsigned).
    shiftrightunsigned(col: Col, num_bits: Val);
    /// Spark SQL [`sign`](https://spark.apache.org/docs/latest/api/sql/#sign).
    sign(col: Col);
    /// Spark SQL [`signum`](https://spark.apache.org/docs/latest/api/sql/#signum).
    signum(col: Col);
    /// The sine (radians). Spark SQL [`sin`](https://spark.apache.org/docs/latest/api/sql/#sin).
    sin(col: Col);
    /// Spark SQL [`sinh`](https://spark.apache.org/docs/latest/api/sql/#sinh).
    sinh(col: Col);
    /// The square root. Spark SQL [`sqrt`](https://spark.apache.org/docs/latest/api/sql/#sqrt).
    sqrt(col: Col);
    /// The tangent (radians). Spark SQL [`tan`](https://spark.apache.org/docs/latest/api/sql/#tan).
    tan(col: Col);
    /// Spark SQL [`tanh`](https://spark.apache.org/docs/latest/api/sql/#tanh).
    tanh(col: Col);
    /// Spark SQL [`try_add`](https://spark.apache.org/docs/latest/api/sql/#try_add).
    try_add(left: Col, right: Col);
    /// Spark SQL [`try_divide`](https://spark.apache.org/docs/latest/api/sql/#try_divide).
    try_divide(left: Col, right: Col);
    /// Spark SQL [`try_mod`](https://spark.apache.org/docs/latest/api/sql/#try_mod).
    try_mod(left: Col, right: Col);
    /// Spark SQL [`try_multiply`](https://spark.apache.org/docs/latest/api/sql/#try_multiply).
    try_multiply(left: Col, right: Col);
    /// Spark SQL [`try_subtract`](https://spark.apache.org/docs/latest/api/sql/#try_subtract).
    try_subtract(left: Col, right: Col);
    /// Spark SQL [`unhex`](https://spark.apache.org/docs/latest/api/sql/#unhex).
    unhex(col: Col);
    /// Spark SQL [`uniform`](https://spark.apache.org/docs/latest/api/sql/#uniform). With PySpark's optional arguments: [`uniform_with`].
    uniform(min: Val, max: Val), uniform_with(seed: Val);
    /// Spark SQL [`width_bucket`](https://spark.apache.org/docs/latest/api/sql/#width_bucket).
    width_bucket(v: Col, min: Col, max: Col, num_bucket: Col);
    /// Spark SQL [`negative`](https://spark.apache.org/docs/latest/api/sql/#negative).
    negate(col: Col) => "negative";
    /// `col1` raised to the power of `col2`. Spark SQL [`power`](https://spark.apache.org/docs/latest/api/sql/#power).
    power(col1: Col, col2: Col);
    /// Spark SQL [`rand`](https://spark.apache.org/docs/latest/api/sql/#rand). With PySpark's optional arguments: [`random_with`].
    random() => "rand", random_with(seed: Val);
}
