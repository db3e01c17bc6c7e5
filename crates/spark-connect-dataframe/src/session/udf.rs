//! Registering user-defined functions implemented in Java or Scala on the server
//! (`spark.udf` in PySpark).
//!
//! A UDF written in Python cannot come from Rust: PySpark pickles the Python function and the
//! server runs it in a Python worker. Only JVM classes already on the server's class path can
//! be registered from Rust, by class name.

use spark_connect_transport::proto;

use crate::Error;
use crate::session::{SparkSession, command_plan};

impl SparkSession {
    /// Registration of user-defined functions (`spark.udf` in PySpark).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.udf().register_java_udaf("my_avg", "com.example.MyAverage").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn udf(&self) -> UdfRegistration {
        UdfRegistration {
            session: self.clone(),
        }
    }
}

/// Registers user-defined functions for a session; see [`SparkSession::udf`].
///
/// ```no_run
/// use spark_connect_dataframe::functions::{call_function, col};
///
/// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
/// // A class on the server implementing org.apache.spark.sql.api.java.UDF1.
/// spark
///     .udf()
///     .register_java_function("str_len", "com.example.StrLen", Some("int"))
///     .await?;
/// let df = spark.range(0, 3).select([call_function("str_len", [col("id").cast("string")])]);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct UdfRegistration {
    session: SparkSession,
}

impl UdfRegistration {
    /// Registers the Java class `class_name` (an implementation of one of Spark's
    /// `org.apache.spark.sql.api.java.UDF0` ... `UDF22` interfaces, on the server's class
    /// path) as the temporary function `name`, returning `return_type` (a DDL type such as
    /// `"int"` or `"array<string>"`; when `None`, the server infers it from the class). Call
    /// it with [`call_function`](crate::functions::call_function) or in SQL.
    ///
    /// A class the server cannot load is reported by the server when registering.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let e = spark.udf().register_java_function("str_len", "", Some("int")).await.unwrap_err();
    /// assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn register_java_function(
        &self,
        name: &str,
        class_name: &str,
        return_type: Option<&str>,
    ) -> Result<(), Error> {
        self.register(java_function(name, class_name, return_type, false)?)
            .await
    }

    /// Registers the Java class `class_name` (an `org.apache.spark.sql.expressions.Aggregator`
    /// or `UserDefinedAggregateFunction` on the server's class path) as the temporary
    /// aggregate function `name`.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// use spark_connect_dataframe::functions::{call_function, col};
    /// spark.udf().register_java_udaf("my_avg", "com.example.MyAverage").await?;
    /// let df = spark.table("t").group_by("k").agg(call_function("my_avg", [col("v")]));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn register_java_udaf(&self, name: &str, class_name: &str) -> Result<(), Error> {
        self.register(java_function(name, class_name, None, true)?)
            .await
    }

    async fn register(
        &self,
        function: proto::CommonInlineUserDefinedFunction,
    ) -> Result<(), Error> {
        let command = proto::Command {
            command_type: Some(proto::command::CommandType::RegisterFunction(function)),
        };
        let mut stream = self
            .session
            .client()
            .execute_plan(command_plan(command))
            .await?;
        while let Some(response) = stream.next_response().await {
            response?;
        }
        Ok(())
    }
}

/// The `register_function` command's function, as PySpark builds it.
pub(crate) fn java_function(
    name: &str,
    class_name: &str,
    return_type: Option<&str>,
    aggregate: bool,
) -> Result<proto::CommonInlineUserDefinedFunction, Error> {
    let method = if aggregate {
        "register_java_udaf"
    } else {
        "register_java_function"
    };
    if name.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "{method}: the function name is empty"
        )));
    }
    if class_name.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "{method}('{name}'): the class name is empty, expected a fully qualified Java \
             class name"
        )));
    }
    let output_type = return_type.map(|ddl| proto::DataType {
        kind: Some(proto::data_type::Kind::Unparsed(
            proto::data_type::Unparsed {
                data_type_string: ddl.to_string(),
            },
        )),
    });
    Ok(proto::CommonInlineUserDefinedFunction {
        function_name: name.to_string(),
        deterministic: false,
        arguments: Vec::new(),
        is_distinct: false,
        function: Some(
            proto::common_inline_user_defined_function::Function::JavaUdf(proto::JavaUdf {
                class_name: class_name.to_string(),
                output_type,
                aggregate,
            }),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_names_are_rejected_before_sending() {
        let err = java_function("", "a.B", None, false).unwrap_err();
        assert!(err.to_string().contains("function name is empty"), "{err}");
        let err = java_function("f", "", None, false).unwrap_err();
        assert!(
            err.to_string().contains("register_java_function('f')"),
            "{err}"
        );
        let err = java_function("g", "", None, true).unwrap_err();
        assert!(err.to_string().contains("register_java_udaf('g')"), "{err}");
    }

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The `Plan`s PySpark 4.3 sends for `spark.udf.registerJavaFunction("catalog_len",
    /// "com.example.CatalogLen", "int")`, the same without a return type (`catalog_len2`), and
    /// `spark.udf.registerJavaUDAF("catalog_agg", "com.example.CatalogAgg")`, captured from its
    /// client before sending.
    const PYSPARK: [&str; 3] = [
        "12330a310a0b636174616c6f675f6c656e32220a16636f6d2e6578616d706c652e436174616c6f674c656e1208c201050a03696e74",
        "122a0a280a0c636174616c6f675f6c656e3232180a16636f6d2e6578616d706c652e436174616c6f674c656e",
        "122b0a290a0b636174616c6f675f616767321a0a16636f6d2e6578616d706c652e436174616c6f674167671801",
    ];

    #[test]
    fn the_commands_are_pysparks() {
        use prost::Message;
        let ours = [
            java_function("catalog_len", "com.example.CatalogLen", Some("int"), false),
            java_function("catalog_len2", "com.example.CatalogLen", None, false),
            java_function("catalog_agg", "com.example.CatalogAgg", None, true),
        ];
        for (ours, theirs) in ours.into_iter().zip(PYSPARK) {
            let ours = command_plan(proto::Command {
                command_type: Some(proto::command::CommandType::RegisterFunction(ours.unwrap())),
            });
            let theirs = proto::Plan::decode(hex(theirs).as_slice()).unwrap();
            assert_eq!(ours, theirs);
        }
    }
}
