//! Hash and checksum functions.
//!
//! Generated from the table below by `spark_functions!`; see [`registry`](super::registry).

spark_functions! {
    family: Hash;
    /// The CRC-32 checksum. Spark SQL [`crc32`](https://spark.apache.org/docs/latest/api/sql/#crc32).
    crc32(col: Col);
    /// The Murmur3 hash of the columns. Spark SQL [`hash`](https://spark.apache.org/docs/latest/api/sql/#hash).
    hash(cols: Cols);
    /// The MD5 digest as hex. Spark SQL [`md5`](https://spark.apache.org/docs/latest/api/sql/#md5).
    md5(col: Col);
    /// Spark SQL [`sha`](https://spark.apache.org/docs/latest/api/sql/#sha).
    sha(col: Col);
    /// The SHA-1 digest as hex. Spark SQL [`sha1`](https://spark.apache.org/docs/latest/api/sql/#sha1).
    sha1(col: Col);
    /// The SHA-2 digest of `num_bits` bits as hex. Spark SQL [`sha2`](https://spark.apache.org/docs/latest/api/sql/#sha2).
    sha2(col: Col, num_bits: Val);
    /// The xxHash64 hash of the columns. Spark SQL [`xxhash64`](https://spark.apache.org/docs/latest/api/sql/#xxhash64).
    xxhash64(cols: Cols);
}
