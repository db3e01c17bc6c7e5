//! More of [`DataFrame`]: unpivot and transpose, temporary views, range partitioning,
//! random splits, plan comparison, regex column selection and watermarks.

use proto::relation::RelType;
use spark_connect_transport::{proto, unexpected};

use crate::Error;
use crate::arguments::{IntoColumns, IntoNames};
use crate::column::Column;
use crate::dataframe::DataFrame;
use crate::functions;
use crate::session::command_plan;

fn exprs(cols: impl IntoColumns) -> Vec<proto::Expression> {
    cols.into_columns()
        .into_iter()
        .map(Column::into_proto)
        .collect()
}

impl DataFrame {
    /// Turns columns into rows: each row becomes one row per `values` column, holding the
    /// `ids` columns, the column's name in `variable_column_name` and its value in
    /// `value_column_name`. `ids` and `values` are one column or several (see
    /// [`IntoColumns`]); with `values` `None`, every column that is not an id is used.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let wide = spark.table("scores"); // columns id, math, art
    /// let long = wide.unpivot("id", Some(["math", "art"]), "subject", "score");
    /// let Some(RelType::Unpivot(u)) = &long.to_proto().rel_type else { panic!() };
    /// assert_eq!((u.ids.len(), u.variable_column_name.as_str()), (1, "subject"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn unpivot<V: IntoColumns>(
        &self,
        ids: impl IntoColumns,
        values: Option<V>,
        variable_column_name: &str,
        value_column_name: &str,
    ) -> DataFrame {
        let ids = exprs(ids);
        let values = values.map(|v| proto::unpivot::Values { values: exprs(v) });
        let (variable_column_name, value_column_name) = (
            variable_column_name.to_string(),
            value_column_name.to_string(),
        );
        self.derive(|input| {
            RelType::Unpivot(Box::new(proto::Unpivot {
                input,
                ids,
                values,
                variable_column_name,
                value_column_name,
            }))
        })
    }

    /// Same as [`unpivot`](Self::unpivot).
    ///
    /// ```
    /// # use spark_connect_dataframe::Column;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let wide = spark.table("scores"); // columns id, math, art
    /// let long = wide.melt("id", None::<Vec<Column>>, "subject", "score"); // every non-id column
    /// let Some(RelType::Unpivot(u)) = &long.to_proto().rel_type else { panic!() };
    /// assert!(u.values.is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn melt<V: IntoColumns>(
        &self,
        ids: impl IntoColumns,
        values: Option<V>,
        variable_column_name: &str,
        value_column_name: &str,
    ) -> DataFrame {
        self.unpivot(ids, values, variable_column_name, value_column_name)
    }

    /// Swaps rows and columns; the values of `index_column` (the first column when `None`)
    /// become the new column names.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.table("metrics").transpose(Some(col("name")));
    /// let Some(RelType::Transpose(t)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(t.index_columns, [col("name").into_proto()]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn transpose(&self, index_column: Option<Column>) -> DataFrame {
        let index_columns = index_column.map(Column::into_proto).into_iter().collect();
        self.derive(|input| {
            RelType::Transpose(Box::new(proto::Transpose {
                input,
                index_columns,
            }))
        })
    }

    async fn create_view(&self, name: &str, is_global: bool, replace: bool) -> Result<(), Error> {
        let command = proto::Command {
            command_type: Some(proto::command::CommandType::CreateDataframeView(
                proto::CreateDataFrameViewCommand {
                    input: Some(self.plan_with_subqueries()?),
                    name: name.to_string(),
                    is_global,
                    replace,
                },
            )),
        };
        self.session()
            .execute(command_plan(command))
            .await?
            .collect_all()
            .await?;
        Ok(())
    }

    /// Registers this DataFrame as a temporary view of the session; an error if the name
    /// is taken.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// spark.range(0, 10).create_temp_view("numbers").await?;
    /// let evens = spark.sql("SELECT id FROM numbers WHERE id % 2 = 0").await?;
    /// assert_eq!(evens.count().await?, 5);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_temp_view(&self, name: &str) -> Result<(), Error> {
        self.create_view(name, false, false).await
    }

    /// Registers this DataFrame as a temporary view, replacing one of the same name.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// spark.range(0, 10).create_or_replace_temp_view("numbers").await?;
    /// spark.range(0, 5).create_or_replace_temp_view("numbers").await?; // replaces the first
    /// assert_eq!(spark.table("numbers").count().await?, 5);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_or_replace_temp_view(&self, name: &str) -> Result<(), Error> {
        self.create_view(name, false, true).await
    }

    /// PySpark's deprecated `registerTempTable`: the same as
    /// [`create_or_replace_temp_view`](Self::create_or_replace_temp_view).
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// spark.range(0, 10).register_temp_table("numbers").await?;
    /// assert_eq!(spark.table("numbers").count().await?, 10);
    /// # Ok(())
    /// # }
    /// ```
    #[deprecated(note = "use create_or_replace_temp_view, as PySpark advises")]
    pub async fn register_temp_table(&self, name: &str) -> Result<(), Error> {
        self.create_or_replace_temp_view(name).await
    }

    /// Registers a global temporary view (`global_temp.<name>`), shared by the sessions of
    /// the server; an error if the name is taken.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// spark.range(0, 10).create_global_temp_view("numbers").await?;
    /// assert_eq!(spark.table("global_temp.numbers").count().await?, 10);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_global_temp_view(&self, name: &str) -> Result<(), Error> {
        self.create_view(name, true, false).await
    }

    /// Registers a global temporary view, replacing one of the same name.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// spark.range(0, 10).create_or_replace_global_temp_view("numbers").await?;
    /// assert_eq!(spark.table("global_temp.numbers").count().await?, 10);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_or_replace_global_temp_view(&self, name: &str) -> Result<(), Error> {
        self.create_view(name, true, true).await
    }

    /// Range-partitioned by these columns (one or several, sort orders allowed), into
    /// `num_partitions` partitions or the session's default number.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 1000).repartition_by_range(Some(4), col("id").desc());
    /// let Some(RelType::RepartitionByExpression(r)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!((r.num_partitions, r.partition_exprs.len()), (Some(4), 1));
    /// # Ok(())
    /// # }
    /// ```
    pub fn repartition_by_range(
        &self,
        num_partitions: Option<i32>,
        cols: impl IntoColumns,
    ) -> DataFrame {
        let partition_exprs = cols
            .into_columns()
            .into_iter()
            .map(|c| {
                let order = c.into_sort_order();
                proto::Expression {
                    common: None,
                    expr_type: Some(proto::expression::ExprType::SortOrder(Box::new(order))),
                }
            })
            .collect();
        self.derive(|input| {
            RelType::RepartitionByExpression(Box::new(proto::RepartitionByExpression {
                input,
                partition_exprs,
                num_partitions,
            }))
        })
    }

    /// Splits the rows randomly into DataFrames sized in proportion to `weights`; every row
    /// lands in exactly one of them. The same seed gives the same split of the same data.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let parts = spark.range(0, 1000).random_split(&[0.8, 0.2], Some(7))?;
    /// let Some(RelType::Sample(test)) = &parts[1].to_proto().rel_type else { panic!() };
    /// assert_eq!((test.lower_bound, test.upper_bound), (0.8, 1.0));
    /// assert!(spark.range(0, 10).random_split(&[-1.0], None).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn random_split(
        &self,
        weights: &[f64],
        seed: Option<i64>,
    ) -> Result<Vec<DataFrame>, Error> {
        if weights.is_empty() || weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err(Error::InvalidArgument(format!(
                "random_split weights {weights:?}: expected at least one finite weight, none negative"
            )));
        }
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return Err(Error::InvalidArgument(format!(
                "random_split weights {weights:?}: expected a positive sum"
            )));
        }
        let seed = seed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as i64)
                .unwrap_or(0)
        });
        let mut lower = 0.0;
        let mut splits = Vec::with_capacity(weights.len());
        for (i, w) in weights.iter().enumerate() {
            let upper = if i + 1 == weights.len() {
                1.0
            } else {
                lower + w / total
            };
            let (lower_bound, upper_bound) = (lower, upper);
            splits.push(self.derive(|input| {
                RelType::Sample(Box::new(proto::Sample {
                    input,
                    lower_bound,
                    upper_bound,
                    with_replacement: Some(false),
                    seed: Some(seed),
                    // Each split must see the rows in the same order to be disjoint.
                    deterministic_order: true,
                }))
            }));
            lower = upper;
        }
        Ok(splits)
    }

    /// Whether both plans compute the same result, as the server's optimizer sees it.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::functions::{col, lit};
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let a = spark.range(0, 10).filter(col("id").gt(5));
    /// let b = spark.range(0, 10).filter(col("id").gt(lit(5)));
    /// assert!(a.same_semantics(&b).await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn same_semantics(&self, other: &DataFrame) -> Result<bool, Error> {
        let result = self
            .session()
            .analyze(proto::analyze_plan_request::Analyze::SameSemantics(
                proto::analyze_plan_request::SameSemantics {
                    target_plan: Some(self.root()?),
                    other_plan: Some(other.root()?),
                },
            ))
            .await?;
        match result {
            proto::analyze_plan_response::Result::SameSemantics(s) => Ok(s.result),
            other => Err(unexpected("SameSemantics", &other).into()),
        }
    }

    /// A hash of the plan that is equal for plans with the same semantics.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::functions::col;
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let a = spark.range(0, 10).filter(col("id").gt(5));
    /// let b = spark.range(0, 10).filter(col("id").gt(5));
    /// assert_eq!(a.semantic_hash().await?, b.semantic_hash().await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn semantic_hash(&self) -> Result<i32, Error> {
        let result = self
            .session()
            .analyze(proto::analyze_plan_request::Analyze::SemanticHash(
                proto::analyze_plan_request::SemanticHash {
                    plan: Some(self.root()?),
                },
            ))
            .await?;
        match result {
            proto::analyze_plan_response::Result::SemanticHash(s) => Ok(s.result),
            other => Err(unexpected("SemanticHash", &other).into()),
        }
    }

    /// The files the DataFrame reads, as far as the server can tell.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let files = spark.read().parquet("/data/events").input_files().await?;
    /// assert!(files.iter().all(|f| f.contains("/data/events")));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn input_files(&self) -> Result<Vec<String>, Error> {
        let result = self
            .session()
            .analyze(proto::analyze_plan_request::Analyze::InputFiles(
                proto::analyze_plan_request::InputFiles {
                    plan: Some(self.root()?),
                },
            ))
            .await?;
        match result {
            proto::analyze_plan_response::Result::InputFiles(f) => Ok(f.files),
            other => Err(unexpected("InputFiles", &other).into()),
        }
    }

    /// Whether `collect` and `take` can run locally, without Spark executors (the server's
    /// answer for this plan).
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// assert!(!spark.range(0, 3).is_local().await?); // run by executors
    /// # Ok(())
    /// # }
    /// ```
    pub async fn is_local(&self) -> Result<bool, Error> {
        let result = self
            .session()
            .analyze(proto::analyze_plan_request::Analyze::IsLocal(
                proto::analyze_plan_request::IsLocal {
                    plan: Some(self.root()?),
                },
            ))
            .await?;
        match result {
            proto::analyze_plan_response::Result::IsLocal(l) => Ok(l.is_local),
            other => Err(unexpected("IsLocal", &other).into()),
        }
    }

    /// Each row as a JSON object, in one string column named `value` (PySpark's `toJSON`,
    /// which on Spark Connect is a DataFrame too).
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let json = spark.table("people").to_json(); // one string column, `value`
    /// let Some(RelType::Project(p)) = &json.to_proto().rel_type else { panic!() };
    /// assert_eq!(p.expressions.len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_json(&self) -> DataFrame {
        self.select(functions::to_json(functions::r#struct([functions::col("*")])).alias("value"))
    }

    /// The columns whose names match a regular expression in backticks, such as
    /// ``df.col_regex("`(id|v.*)`")``.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.table("t");
    /// let picked = df.select(df.col_regex("`(id|v.*)`"));
    /// # let _ = picked;
    /// assert!(matches!(df.col_regex("`v.*`").to_proto().expr_type, Some(ExprType::UnresolvedRegex(_))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn col_regex(&self, regex: &str) -> Column {
        Column::from_expr_type(proto::expression::ExprType::UnresolvedRegex(
            proto::expression::UnresolvedRegex {
                col_name: regex.to_string(),
                plan_id: self.plan_id(),
            },
        ))
    }

    /// Like [`drop_duplicates`](Self::drop_duplicates) for streams, keeping state only
    /// within the watermark; on batch data the server reports an error.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let events = spark.read_stream().table("events").with_watermark("ts", "10 minutes");
    /// let unique = events.drop_duplicates_within_watermark("event_id");
    /// let Some(RelType::Deduplicate(d)) = &unique.to_proto().rel_type else { panic!() };
    /// assert_eq!((d.column_names[0].as_str(), d.within_watermark), ("event_id", Some(true)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn drop_duplicates_within_watermark(&self, subset: impl IntoNames) -> DataFrame {
        let column_names = subset.into_names();
        let all = column_names.is_empty();
        self.derive(|input| {
            RelType::Deduplicate(Box::new(proto::Deduplicate {
                input,
                column_names,
                all_columns_as_keys: Some(all),
                within_watermark: Some(true),
            }))
        })
    }

    /// The rows cast and reordered to a schema given in DDL form (`"id bigint, name
    /// string"`): columns are matched by name, missing ones are an error, extra ones dropped.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.table("people").to("id bigint, name string");
    /// assert!(matches!(df.to_proto().rel_type, Some(RelType::ToSchema(_))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn to(&self, schema_ddl: &str) -> DataFrame {
        let schema = Some(proto::DataType {
            kind: Some(proto::data_type::Kind::Unparsed(
                proto::data_type::Unparsed {
                    data_type_string: schema_ddl.to_string(),
                },
            )),
        });
        self.derive(|input| RelType::ToSchema(Box::new(proto::ToSchema { input, schema })))
    }

    /// The column `name` with this JSON metadata attached (`{"comment": "..."}`).
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.table("people").with_metadata("id", r#"{"comment": "primary key"}"#);
    /// let Some(RelType::WithColumns(w)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(w.aliases[0].metadata.as_deref(), Some(r#"{"comment": "primary key"}"#));
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_metadata(&self, name: &str, metadata_json: &str) -> DataFrame {
        let alias = proto::expression::Alias {
            expr: Some(Box::new(self.col(name).into_proto())),
            name: vec![name.to_string()],
            metadata: Some(metadata_json.to_string()),
        };
        self.derive(|input| {
            RelType::WithColumns(Box::new(proto::WithColumns {
                input,
                aliases: vec![alias],
            }))
        })
    }

    /// A metadata column of this DataFrame's source, such as `_metadata` of a file source.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let files = spark.read().parquet("/data/events");
    /// let path = files.metadata_column("_metadata").get_field("file_path");
    /// let with_path = files.select([col("*"), path]);
    /// let meta = files.metadata_column("_metadata");
    /// assert!(matches!(&meta.to_proto().expr_type, Some(ExprType::UnresolvedAttribute(a)) if a.is_metadata_column == Some(true)));
    /// # let _ = with_path;
    /// # Ok(())
    /// # }
    /// ```
    pub fn metadata_column(&self, name: &str) -> Column {
        Column::from_expr_type(proto::expression::ExprType::UnresolvedAttribute(
            proto::expression::UnresolvedAttribute {
                unparsed_identifier: name.to_string(),
                plan_id: self.plan_id(),
                is_metadata_column: Some(true),
            },
        ))
    }

    /// Adds a column `index_col_name` numbering the rows from 0 in their current order
    /// (consecutive across partitions).
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let numbered = spark.table("people").zip_with_index("index");
    /// let Some(RelType::Project(p)) = &numbered.to_proto().rel_type else { panic!() };
    /// assert_eq!(p.expressions.len(), 2); // `*` and the index
    /// # Ok(())
    /// # }
    /// ```
    pub fn zip_with_index(&self, index_col_name: &str) -> DataFrame {
        let index = Column::function("distributed_sequence_id", []).alias(index_col_name);
        self.select([crate::functions::col("*"), index])
    }

    /// Each row in the partition its `partition_id_col` names (`0..num_partitions`), with no
    /// hashing; ids out of range are the server's error.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 100).repartition_by_id(4, col("id") % 4);
    /// let Some(RelType::RepartitionByExpression(r)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(r.num_partitions, Some(4));
    /// # Ok(())
    /// # }
    /// ```
    pub fn repartition_by_id(
        &self,
        num_partitions: i32,
        partition_id_col: impl Into<Column>,
    ) -> DataFrame {
        let direct = proto::Expression {
            common: None,
            expr_type: Some(proto::expression::ExprType::DirectShufflePartitionId(
                Box::new(proto::expression::DirectShufflePartitionId {
                    child: Some(Box::new(partition_id_col.into().into_proto())),
                }),
            )),
        };
        self.derive(|input| {
            RelType::RepartitionByExpression(Box::new(proto::RepartitionByExpression {
                input,
                partition_exprs: vec![direct],
                num_partitions: Some(num_partitions),
            }))
        })
    }

    /// Marks `event_time` as the event-time column of a stream, with late data older
    /// than `delay_threshold` (such as `"10 minutes"`) dropped.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let events = spark.read_stream().table("events").with_watermark("ts", "10 minutes");
    /// let Some(RelType::WithWatermark(w)) = &events.to_proto().rel_type else { panic!() };
    /// assert_eq!((w.event_time.as_str(), w.delay_threshold.as_str()), ("ts", "10 minutes"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_watermark(&self, event_time: &str, delay_threshold: &str) -> DataFrame {
        let (event_time, delay_threshold) = (event_time.to_string(), delay_threshold.to_string());
        self.derive(|input| {
            RelType::WithWatermark(Box::new(proto::WithWatermark {
                input,
                event_time,
                delay_threshold,
            }))
        })
    }
}
