//! Missing values (PySpark's `df.na`) and statistics (PySpark's `df.stat`), as methods of
//! [`DataFrame`] with PySpark's flat names (`fillna`, `dropna`, `corr`, ...).

use arrow_array::{Array, Float64Array, ListArray, RecordBatch};
use proto::relation::RelType;
use spark_connect_transport::proto;

use crate::Error;
use crate::arguments::IntoNames;
use crate::column::{Column, Literal};
use crate::dataframe::DataFrame;

fn literal(value: impl Into<Literal>) -> proto::expression::Literal {
    let Literal(literal_type) = value.into();
    proto::expression::Literal {
        literal_type: Some(literal_type),
        data_type: None,
    }
}

/// A literal for `fillna`/`replace`: the server takes only bigint, double, string and
/// boolean values there, so smaller numbers are widened (as PySpark sends Python ints).
fn na_literal(value: impl Into<Literal>) -> proto::expression::Literal {
    use proto::expression::literal::LiteralType as L;
    let mut lit = literal(value);
    lit.literal_type = lit.literal_type.map(|t| match t {
        L::Byte(v) | L::Short(v) | L::Integer(v) => L::Long(v.into()),
        L::Float(v) => L::Double(v.into()),
        other => other,
    });
    lit
}

/// A literal for `replace`: numbers go as doubles, as PySpark sends them (the server
/// compares numeric values as doubles there).
fn replace_literal(value: Literal) -> proto::expression::Literal {
    use proto::expression::literal::LiteralType as L;
    let mut lit = literal(value);
    lit.literal_type = lit.literal_type.map(|t| match t {
        L::Byte(v) | L::Short(v) | L::Integer(v) => L::Double(v.into()),
        L::Long(v) => L::Double(v as f64),
        L::Float(v) => L::Double(v.into()),
        other => other,
    });
    lit
}

/// The single value of a one-row, one-column `double` result.
fn single_double(batches: &[RecordBatch], what: &str) -> Result<f64, Error> {
    let column = batches
        .iter()
        .find(|b| b.num_rows() > 0 && b.num_columns() > 0)
        .map(|b| b.column(0).clone())
        .ok_or_else(|| Error::Protocol(format!("{what} returned no row")))?;
    let values = column
        .as_any()
        .downcast_ref::<Float64Array>()
        .ok_or_else(|| {
            Error::Protocol(format!(
                "{what} returned a {} column, expected double",
                column.data_type()
            ))
        })?;
    Ok(if values.is_null(0) {
        f64::NAN
    } else {
        values.value(0)
    })
}

impl DataFrame {
    /// Replaces nulls with `value` in the `subset` columns, or in every column of a
    /// matching type when `subset` is empty (a number fills numeric columns, text fills
    /// string columns, a boolean fills boolean columns).
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::proto::expression::literal::LiteralType;
    /// let df = spark.table("people").fillna(0, ["age", "score"]);
    /// let Some(RelType::FillNa(f)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(f.values[0].literal_type, Some(LiteralType::Long(0))); // widened, as PySpark sends it
    /// # Ok(())
    /// # }
    /// ```
    pub fn fillna(&self, value: impl Into<Literal>, subset: impl IntoNames) -> DataFrame {
        let cols = subset.into_names();
        let values = vec![na_literal(value)];
        self.derive(|input| {
            RelType::FillNa(Box::new(proto::NaFill {
                input,
                cols,
                values,
            }))
        })
    }

    /// Replaces nulls column by column: `[("age", 0.into()), ("name", "?".into())]`.
    ///
    /// ```
    /// # use spark_connect_dataframe::Literal;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.table("people").fillna_columns([("age", Literal::from(0)), ("name", "?".into())]);
    /// let Some(RelType::FillNa(f)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!((f.cols.len(), f.values.len()), (2, 2));
    /// # Ok(())
    /// # }
    /// ```
    pub fn fillna_columns<S: AsRef<str>>(
        &self,
        values: impl IntoIterator<Item = (S, Literal)>,
    ) -> DataFrame {
        let (cols, values): (Vec<String>, Vec<proto::expression::Literal>) = values
            .into_iter()
            .map(|(c, v)| (c.as_ref().to_string(), na_literal(v)))
            .unzip();
        self.derive(|input| {
            RelType::FillNa(Box::new(proto::NaFill {
                input,
                cols,
                values,
            }))
        })
    }

    /// Drops rows with nulls in the `subset` columns (all columns when empty): without
    /// `thresh`, a row with any null goes (PySpark's `how="any"`); with `thresh`, a row
    /// stays when it has at least that many non-null values (`Some(1)` is `how="all"`).
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.table("people").dropna(Some(2), ()); // keep rows with at least 2 non-nulls
    /// let Some(RelType::DropNa(d)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(d.min_non_nulls, Some(2));
    /// # Ok(())
    /// # }
    /// ```
    pub fn dropna(&self, thresh: Option<i32>, subset: impl IntoNames) -> DataFrame {
        let cols = subset.into_names();
        self.derive(|input| {
            RelType::DropNa(Box::new(proto::NaDrop {
                input,
                cols,
                min_non_nulls: thresh,
            }))
        })
    }

    /// Replaces values: each `(old, new)` pair, in the `subset` columns (all columns of a
    /// matching type when empty).
    ///
    /// ```
    /// # use spark_connect_dataframe::Literal;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.table("people").replace([(Literal::from("n/a"), Literal::null())], "city");
    /// let Some(RelType::Replace(r)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!((r.cols.len(), r.replacements.len()), (1, 1));
    /// # Ok(())
    /// # }
    /// ```
    pub fn replace(
        &self,
        replacements: impl IntoIterator<Item = (Literal, Literal)>,
        subset: impl IntoNames,
    ) -> DataFrame {
        let cols = subset.into_names();
        let replacements = replacements
            .into_iter()
            .map(|(old, new)| proto::na_replace::Replacement {
                old_value: Some(replace_literal(old)),
                new_value: Some(replace_literal(new)),
            })
            .collect();
        self.derive(|input| {
            RelType::Replace(Box::new(proto::NaReplace {
                input,
                cols,
                replacements,
            }))
        })
    }

    /// The Pearson correlation of two numeric columns.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let df = spark.sql("SELECT id AS x, id * 2 AS y FROM range(10)").await?;
    /// assert!((df.corr("x", "y").await? - 1.0).abs() < 1e-9);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn corr(&self, col1: &str, col2: &str) -> Result<f64, Error> {
        let (col1, col2) = (col1.to_string(), col2.to_string());
        let df = self.derive(|input| {
            RelType::Corr(Box::new(proto::StatCorr {
                input,
                col1,
                col2,
                method: Some("pearson".into()),
            }))
        });
        single_double(&df.collect().await?, "corr")
    }

    /// The sample covariance of two numeric columns.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let df = spark.sql("SELECT id AS x, id AS y FROM range(3)").await?;
    /// assert_eq!(df.cov("x", "y").await?, 1.0); // sample variance of 0, 1, 2
    /// # Ok(())
    /// # }
    /// ```
    pub async fn cov(&self, col1: &str, col2: &str) -> Result<f64, Error> {
        let (col1, col2) = (col1.to_string(), col2.to_string());
        let df = self.derive(|input| RelType::Cov(Box::new(proto::StatCov { input, col1, col2 })));
        single_double(&df.collect().await?, "cov")
    }

    /// A contingency table: one row per value of `col1`, one column per value of `col2`,
    /// holding the pair counts.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let table = spark.table("orders").crosstab("region", "product");
    /// let Some(RelType::Crosstab(c)) = &table.to_proto().rel_type else { panic!() };
    /// assert_eq!((c.col1.as_str(), c.col2.as_str()), ("region", "product"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn crosstab(&self, col1: &str, col2: &str) -> DataFrame {
        let (col1, col2) = (col1.to_string(), col2.to_string());
        self.derive(|input| RelType::Crosstab(Box::new(proto::StatCrosstab { input, col1, col2 })))
    }

    /// Values that may occur in at least `support` (default 1%) of the rows of each column,
    /// possibly with false positives, in columns `<name>_freqItems`.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let frequent = spark.table("orders").freq_items(["product"], Some(0.25));
    /// let Some(RelType::FreqItems(f)) = &frequent.to_proto().rel_type else { panic!() };
    /// assert_eq!(f.support, Some(0.25));
    /// # Ok(())
    /// # }
    /// ```
    pub fn freq_items(&self, cols: impl IntoNames, support: Option<f64>) -> DataFrame {
        let cols = cols.into_names();
        self.derive(|input| {
            RelType::FreqItems(Box::new(proto::StatFreqItems {
                input,
                cols,
                support,
            }))
        })
    }

    /// Approximate quantiles of numeric columns: for each column, one value per
    /// probability, within `relative_error` (0 computes them exactly).
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let quartiles = spark.range(0, 101).approx_quantile("id", &[0.25, 0.5, 0.75], 0.0).await?;
    /// assert_eq!(quartiles, [vec![25.0, 50.0, 75.0]]);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn approx_quantile(
        &self,
        cols: impl IntoNames,
        probabilities: &[f64],
        relative_error: f64,
    ) -> Result<Vec<Vec<f64>>, Error> {
        let cols = cols.into_names();
        let probabilities = probabilities.to_vec();
        let df = self.derive(|input| {
            RelType::ApproxQuantile(Box::new(proto::StatApproxQuantile {
                input,
                cols,
                probabilities,
                relative_error,
            }))
        });
        let batches = df.collect().await?;
        let outer = batches
            .iter()
            .find(|b| b.num_rows() > 0 && b.num_columns() > 0)
            .map(|b| b.column(0).clone())
            .ok_or_else(|| Error::Protocol("approx_quantile returned no row".into()))?;
        let unexpected = || {
            Error::Protocol(format!(
                "approx_quantile returned {}, expected array<array<double>>",
                outer.data_type()
            ))
        };
        let outer = outer
            .as_any()
            .downcast_ref::<ListArray>()
            .ok_or_else(unexpected)?;
        let per_column = outer.value(0);
        let per_column = per_column
            .as_any()
            .downcast_ref::<ListArray>()
            .ok_or_else(unexpected)?;
        let mut out = Vec::with_capacity(per_column.len());
        for i in 0..per_column.len() {
            let values = per_column.value(i);
            let values = values
                .as_any()
                .downcast_ref::<Float64Array>()
                .ok_or_else(unexpected)?;
            out.push(values.iter().map(|v| v.unwrap_or(f64::NAN)).collect());
        }
        Ok(out)
    }

    /// A stratified sample: rows whose `col` equals a stratum are kept with that stratum's
    /// fraction, other rows are dropped.
    ///
    /// ```
    /// # use spark_connect_dataframe::Literal;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.table("people").sample_by("grade", [(Literal::from("A"), 0.5), ("B".into(), 0.1)], Some(3));
    /// let Some(RelType::SampleBy(s)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(s.fractions.iter().map(|f| f.fraction).collect::<Vec<_>>(), [0.5, 0.1]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn sample_by(
        &self,
        col: impl Into<Column>,
        fractions: impl IntoIterator<Item = (Literal, f64)>,
        seed: Option<i64>,
    ) -> DataFrame {
        let col = Some(col.into().into_proto());
        let fractions = fractions
            .into_iter()
            .map(|(stratum, fraction)| proto::stat_sample_by::Fraction {
                stratum: Some(literal(stratum)),
                fraction,
            })
            .collect();
        self.derive(|input| {
            RelType::SampleBy(Box::new(proto::StatSampleBy {
                input,
                col,
                fractions,
                seed,
            }))
        })
    }
}

/// PySpark's `df.na`: the missing-value methods of a DataFrame under their short names.
#[derive(Debug, Clone)]
pub struct DataFrameNaFunctions {
    df: DataFrame,
}

impl DataFrameNaFunctions {
    /// Same as [`DataFrame::fillna`].
    ///
    /// ```
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.table("people");
    /// assert_eq!(df.na().fill(0, "age").to_proto().rel_type, df.fillna(0, "age").to_proto().rel_type);
    /// # Ok(())
    /// # }
    /// ```
    pub fn fill(&self, value: impl Into<Literal>, subset: impl IntoNames) -> DataFrame {
        self.df.fillna(value, subset)
    }

    /// Same as [`DataFrame::dropna`].
    ///
    /// ```
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.table("people");
    /// assert_eq!(df.na().drop(None, ()).to_proto().rel_type, df.dropna(None, ()).to_proto().rel_type);
    /// # Ok(())
    /// # }
    /// ```
    pub fn drop(&self, thresh: Option<i32>, subset: impl IntoNames) -> DataFrame {
        self.df.dropna(thresh, subset)
    }

    /// Same as [`DataFrame::replace`].
    ///
    /// ```
    /// # use spark_connect_dataframe::Literal;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.table("people");
    /// let fixed = df.na().replace([(Literal::from(-1), Literal::from(0))], "age");
    /// assert!(matches!(fixed.to_proto().rel_type, Some(RelType::Replace(_))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn replace(
        &self,
        replacements: impl IntoIterator<Item = (Literal, Literal)>,
        subset: impl IntoNames,
    ) -> DataFrame {
        self.df.replace(replacements, subset)
    }
}

/// PySpark's `df.stat`: the statistics methods of a DataFrame under their short names.
#[derive(Debug, Clone)]
pub struct DataFrameStatFunctions {
    df: DataFrame,
}

impl DataFrameStatFunctions {
    /// Same as [`DataFrame::corr`].
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let df = spark.sql("SELECT id AS x, -id AS y FROM range(10)").await?;
    /// assert!((df.stat().corr("x", "y").await? + 1.0).abs() < 1e-9);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn corr(&self, col1: &str, col2: &str) -> Result<f64, Error> {
        self.df.corr(col1, col2).await
    }

    /// Same as [`DataFrame::cov`].
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let df = spark.sql("SELECT id AS x, id AS y FROM range(3)").await?;
    /// assert_eq!(df.stat().cov("x", "y").await?, 1.0);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn cov(&self, col1: &str, col2: &str) -> Result<f64, Error> {
        self.df.cov(col1, col2).await
    }

    /// Same as [`DataFrame::crosstab`].
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let table = spark.table("orders").stat().crosstab("region", "product");
    /// assert!(matches!(table.to_proto().rel_type, Some(RelType::Crosstab(_))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn crosstab(&self, col1: &str, col2: &str) -> DataFrame {
        self.df.crosstab(col1, col2)
    }

    /// Same as [`DataFrame::freq_items`].
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let frequent = spark.table("orders").stat().freq_items("product", None);
    /// assert!(matches!(frequent.to_proto().rel_type, Some(RelType::FreqItems(_))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn freq_items(&self, cols: impl IntoNames, support: Option<f64>) -> DataFrame {
        self.df.freq_items(cols, support)
    }

    /// Same as [`DataFrame::approx_quantile`].
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let median = spark.range(0, 101).stat().approx_quantile("id", &[0.5], 0.01).await?;
    /// assert_eq!(median.len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn approx_quantile(
        &self,
        cols: impl IntoNames,
        probabilities: &[f64],
        relative_error: f64,
    ) -> Result<Vec<Vec<f64>>, Error> {
        self.df
            .approx_quantile(cols, probabilities, relative_error)
            .await
    }

    /// Same as [`DataFrame::sample_by`].
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::Literal;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 100).stat().sample_by(col("id") % 2, [(Literal::from(0), 1.0)], None);
    /// assert!(matches!(df.to_proto().rel_type, Some(RelType::SampleBy(_))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn sample_by(
        &self,
        col: impl Into<Column>,
        fractions: impl IntoIterator<Item = (Literal, f64)>,
        seed: Option<i64>,
    ) -> DataFrame {
        self.df.sample_by(col, fractions, seed)
    }
}

impl DataFrame {
    /// The missing-value methods under PySpark's `df.na` names (`df.na().fill(0, [..])`).
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.table("people").na().fill("unknown", "city");
    /// assert!(matches!(df.to_proto().rel_type, Some(RelType::FillNa(_))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn na(&self) -> DataFrameNaFunctions {
        DataFrameNaFunctions { df: self.clone() }
    }

    /// The statistics methods under PySpark's `df.stat` names (`df.stat().corr("a", "b")`).
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let table = spark.table("orders").stat().crosstab("region", "product");
    /// assert!(matches!(table.to_proto().rel_type, Some(RelType::Crosstab(_))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn stat(&self) -> DataFrameStatFunctions {
        DataFrameStatFunctions { df: self.clone() }
    }
}
