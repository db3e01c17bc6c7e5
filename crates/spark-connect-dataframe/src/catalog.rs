//! The catalog: databases, tables, views, functions and cached tables, as PySpark's
//! `spark.catalog`.
//!
//! Each call sends a `Catalog` relation and decodes its Arrow result into typed structs
//! ([`CatalogMetadata`], [`Database`], [`Table`], [`Function`], [`CatalogColumn`],
//! [`TablePartition`]); a result column that is missing or of another type is an
//! [`Error::Protocol`] naming the column, never a guess.
//!
//! PySpark's `registerFunction(name, f)` takes a Python callable and has no Rust counterpart;
//! Java UDFs are registered with
//! [`UdfRegistration::register_java_function`](crate::UdfRegistration::register_java_function).

use std::collections::{BTreeMap, HashMap};

use arrow_array::{Array, BooleanArray, ListArray, RecordBatch, StringArray};
use arrow_schema::DataType;
use proto::catalog::CatType;
use proto::relation::RelType;
use spark_connect_transport::proto;

use crate::Error;
use crate::dataframe::DataFrame;
use crate::dataframe::caching::StorageLevel;
use crate::session::SparkSession;

impl SparkSession {
    /// The catalog of this session (`spark.catalog` in PySpark).
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let catalog = spark.catalog();
    /// for table in catalog.list_tables(None, Some("sales_*")).await? {
    ///     println!("{} ({})", table.name, table.table_type);
    /// }
    /// assert!(catalog.database_exists("default").await?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn catalog(&self) -> Catalog {
        Catalog {
            session: self.clone(),
        }
    }
}

/// The catalog of a session: see [`SparkSession::catalog`]. Cheap to clone.
///
/// Methods carry PySpark's names in snake_case and its arguments in the same order;
/// optional arguments are `Option`s. Names of tables, views and functions may be qualified
/// (`db.table`, `catalog.db.table`). Patterns are Spark's: `*` matches any characters and `|`
/// separates alternatives.
#[derive(Clone, Debug)]
pub struct Catalog {
    session: SparkSession,
}

/// A catalog, as listed by [`Catalog::list_catalogs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogMetadata {
    /// The catalog's name.
    pub name: String,
    /// Its description, if any.
    pub description: Option<String>,
}

/// A database (namespace), as [`Catalog::get_database`] and [`Catalog::list_databases`]
/// return it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Database {
    /// The database's name.
    pub name: String,
    /// The catalog it belongs to.
    pub catalog: Option<String>,
    /// Its comment, if any (Spark's session catalog gives an empty string for none).
    pub description: Option<String>,
    /// Where its data lives.
    pub location_uri: String,
}

/// A table or view, as [`Catalog::get_table`], [`Catalog::list_tables`] and
/// [`Catalog::list_views`] return it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The table's name, unqualified.
    pub name: String,
    /// The catalog it belongs to (none for temporary views).
    pub catalog: Option<String>,
    /// Its namespace, e.g. `["db"]` (none for temporary views).
    pub namespace: Option<Vec<String>>,
    /// Its comment, if any.
    pub description: Option<String>,
    /// `MANAGED`, `EXTERNAL`, `VIEW` or `TEMPORARY`.
    pub table_type: String,
    /// Whether it is a temporary view.
    pub is_temporary: bool,
}

impl Table {
    /// The database, when the namespace has exactly one part (PySpark's `Table.database`).
    ///
    /// ```
    /// use spark_connect_dataframe::Table;
    /// let t = Table {
    ///     name: "orders".into(),
    ///     catalog: Some("spark_catalog".into()),
    ///     namespace: Some(vec!["sales".into()]),
    ///     description: None,
    ///     table_type: "MANAGED".into(),
    ///     is_temporary: false,
    /// };
    /// assert_eq!(t.database(), Some("sales"));
    /// ```
    pub fn database(&self) -> Option<&str> {
        match self.namespace.as_deref() {
            Some([db]) => Some(db),
            _ => None,
        }
    }
}

/// A function, as [`Catalog::get_function`] and [`Catalog::list_functions`] return it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// The function's name.
    pub name: String,
    /// The catalog it belongs to (none for built-in and temporary functions).
    pub catalog: Option<String>,
    /// Its namespace (none for built-in and temporary functions).
    pub namespace: Option<Vec<String>>,
    /// Its usage text, if any.
    pub description: Option<String>,
    /// The JVM class that implements it.
    pub class_name: String,
    /// Whether it is temporary (built-in functions are).
    pub is_temporary: bool,
}

/// A column of a table, as [`Catalog::list_columns`] returns it (PySpark's
/// `pyspark.sql.catalog.Column`, renamed so as not to clash with [`Column`](crate::Column)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogColumn {
    /// The column's name.
    pub name: String,
    /// Its comment, if any.
    pub description: Option<String>,
    /// Its type as Spark's simple string, e.g. `int`, `array<string>`.
    pub data_type: String,
    /// Whether it may hold nulls.
    pub nullable: bool,
    /// Whether the table is partitioned by it.
    pub is_partition: bool,
    /// Whether the table is bucketed by it.
    pub is_bucket: bool,
    /// Whether the table is clustered by it.
    pub is_cluster: bool,
}

/// A partition of a table, as [`Catalog::list_partitions`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TablePartition {
    /// The partition spec, e.g. `year=2024/month=1`.
    pub partition: String,
}

/// What [`Catalog::create_table`] creates: a data source (`source`, default
/// `spark.sql.sources.default`), files at `path` (an external table) or a managed table, a
/// schema, a description and data source options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateTableOptions {
    path: Option<String>,
    source: Option<String>,
    schema: Option<String>,
    description: Option<String>,
    options: HashMap<String, String>,
}

impl CreateTableOptions {
    /// No path (a managed table), the default source, the schema of the files if any.
    ///
    /// ```
    /// use spark_connect_dataframe::CreateTableOptions;
    /// assert_eq!(CreateTableOptions::new(), CreateTableOptions::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The files of the table: an external table over this path.
    ///
    /// ```
    /// use spark_connect_dataframe::CreateTableOptions;
    /// let external = CreateTableOptions::new().source("parquet").path("/lake/events");
    /// assert!(format!("{external:?}").contains(r#"path: Some("/lake/events")"#));
    /// ```
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The data source, e.g. `parquet`, `csv`, `json`.
    ///
    /// ```
    /// use spark_connect_dataframe::CreateTableOptions;
    /// let options = CreateTableOptions::new().source("csv").option("header", "true");
    /// assert!(format!("{options:?}").contains(r#"source: Some("csv")"#));
    /// ```
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The schema as a DDL string, e.g. `"id BIGINT, name STRING"` (for a
    /// [`StructType`](crate::StructType), use `DataType::Struct(s).ddl()`).
    ///
    /// ```
    /// use spark_connect_dataframe::CreateTableOptions;
    /// let managed = CreateTableOptions::new().schema("id BIGINT, name STRING");
    /// assert!(format!("{managed:?}").contains(r#"schema: Some("id BIGINT, name STRING")"#));
    /// ```
    pub fn schema(mut self, ddl: impl Into<String>) -> Self {
        self.schema = Some(ddl.into());
        self
    }

    /// The table's comment.
    ///
    /// ```
    /// use spark_connect_dataframe::CreateTableOptions;
    /// let options = CreateTableOptions::new().schema("id BIGINT").description("one row per order");
    /// assert!(format!("{options:?}").contains("one row per order"));
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// A data source option (keys are case-insensitive), e.g. `("header", "true")`.
    ///
    /// ```
    /// use spark_connect_dataframe::CreateTableOptions;
    /// let options = CreateTableOptions::new().source("csv").option("sep", ";");
    /// assert!(format!("{options:?}").contains(r#""sep": ";""#));
    /// ```
    pub fn option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.insert(key.into(), value.into());
        self
    }

    fn schema_proto(&self) -> Option<proto::DataType> {
        self.schema.as_ref().map(|ddl| proto::DataType {
            kind: Some(proto::data_type::Kind::Unparsed(
                proto::data_type::Unparsed {
                    data_type_string: ddl.clone(),
                },
            )),
        })
    }
}

fn opt(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}

impl Catalog {
    /// Runs a catalog operation and returns its result.
    async fn run(&self, op: CatType) -> Result<Vec<RecordBatch>, Error> {
        self.frame(op).collect().await
    }

    fn frame(&self, op: CatType) -> DataFrame {
        self.session
            .dataframe(RelType::Catalog(proto::Catalog { cat_type: Some(op) }))
    }

    /// Runs an operation and decodes its rows; `what` names the operation in errors.
    async fn rows<T>(&self, what: &str, op: CatType, decode: Decode<T>) -> Result<Vec<T>, Error> {
        decode(&self.run(op).await?, what)
    }

    /// Runs an operation whose result must be exactly one row, and decodes it.
    async fn one<T>(&self, what: &str, op: CatType, decode: Decode<T>) -> Result<T, Error> {
        exactly_one(self.rows(what, op, decode).await?, what)
    }

    /// Runs an operation whose result is one value in a column `value`.
    async fn one_string(&self, what: &'static str, op: CatType) -> Result<String, Error> {
        self.one(what, op, decode_string_values).await
    }

    async fn one_bool(&self, what: &'static str, op: CatType) -> Result<bool, Error> {
        self.one(what, op, decode_bool_values).await
    }

    async fn unit(&self, op: CatType) -> Result<(), Error> {
        self.run(op).await.map(|_| ())
    }

    /// The current catalog's name.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// let name = spark.catalog().current_catalog().await?; // "spark_catalog"
    /// # Ok(())
    /// # }
    /// ```
    pub async fn current_catalog(&self) -> Result<String, Error> {
        self.one_string(
            "currentCatalog",
            CatType::CurrentCatalog(proto::CurrentCatalog {}),
        )
        .await
    }

    /// Makes `catalog_name` the current catalog.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.catalog().set_current_catalog("spark_catalog").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn set_current_catalog(&self, catalog_name: &str) -> Result<(), Error> {
        self.unit(CatType::SetCurrentCatalog(proto::SetCurrentCatalog {
            catalog_name: catalog_name.to_string(),
        }))
        .await
    }

    /// The catalogs, those whose name matches `pattern` when one is given.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// for c in spark.catalog().list_catalogs(Some("spark*")).await? {
    ///     println!("{} {:?}", c.name, c.description);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_catalogs(
        &self,
        pattern: Option<&str>,
    ) -> Result<Vec<CatalogMetadata>, Error> {
        const WHAT: &str = "listCatalogs";
        let batches = self
            .run(CatType::ListCatalogs(proto::ListCatalogs {
                pattern: opt(pattern),
            }))
            .await?;
        let mut out = Vec::new();
        for batch in &batches {
            let name = &string_column(batch, "name", WHAT)?;
            let description = &string_column(batch, "description", WHAT)?;
            for i in 0..batch.num_rows() {
                out.push(CatalogMetadata {
                    name: required(name, i, "name", WHAT)?,
                    description: optional(description, i),
                });
            }
        }
        Ok(out)
    }

    /// The current database's name.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// assert_eq!(spark.catalog().current_database().await?, "default");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn current_database(&self) -> Result<String, Error> {
        self.one_string(
            "currentDatabase",
            CatType::CurrentDatabase(proto::CurrentDatabase {}),
        )
        .await
    }

    /// Makes `db_name` the current database.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.catalog().set_current_database("sales").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn set_current_database(&self, db_name: &str) -> Result<(), Error> {
        self.unit(CatType::SetCurrentDatabase(proto::SetCurrentDatabase {
            db_name: db_name.to_string(),
        }))
        .await
    }

    /// The databases of the current catalog, those whose name matches `pattern` when one is
    /// given.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// let names: Vec<String> = spark.catalog().list_databases(None).await?.into_iter().map(|d| d.name).collect();
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_databases(&self, pattern: Option<&str>) -> Result<Vec<Database>, Error> {
        let op = CatType::ListDatabases(proto::ListDatabases {
            pattern: opt(pattern),
        });
        self.rows("listDatabases", op, decode_databases).await
    }

    /// The database `db_name` (which may be qualified by its catalog); an error when there
    /// is none.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// let db = spark.catalog().get_database("default").await?;
    /// println!("{} at {}", db.name, db.location_uri);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_database(&self, db_name: &str) -> Result<Database, Error> {
        let op = CatType::GetDatabase(proto::GetDatabase {
            db_name: db_name.to_string(),
        });
        self.one("getDatabase", op, decode_databases).await
    }

    /// Whether the database `db_name` exists.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// if !spark.catalog().database_exists("sales").await? {
    ///     spark.catalog().create_database("sales", true, []).await?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn database_exists(&self, db_name: &str) -> Result<bool, Error> {
        self.one_bool(
            "databaseExists",
            CatType::DatabaseExists(proto::DatabaseExists {
                db_name: db_name.to_string(),
            }),
        )
        .await
    }

    /// Creates the database `db_name` with these properties; with `if_not_exists`, an
    /// existing one is no error.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// let properties = [("owner".to_string(), "data-eng".to_string())];
    /// spark.catalog().create_database("sales", true, properties).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_database(
        &self,
        db_name: &str,
        if_not_exists: bool,
        properties: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(), Error> {
        self.unit(CatType::CreateDatabase(proto::CreateDatabase {
            db_name: db_name.to_string(),
            if_not_exists,
            properties: properties.into_iter().collect(),
        }))
        .await
    }

    /// Drops the database `db_name`; with `if_exists`, a missing one is no error; with
    /// `cascade`, its tables and functions go too (else it must be empty).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.catalog().drop_database("scratch", true, true).await?; // if it exists, with its tables
    /// # Ok(())
    /// # }
    /// ```
    pub async fn drop_database(
        &self,
        db_name: &str,
        if_exists: bool,
        cascade: bool,
    ) -> Result<(), Error> {
        self.unit(CatType::DropDatabase(proto::DropDatabase {
            db_name: db_name.to_string(),
            if_exists,
            cascade,
        }))
        .await
    }

    /// The tables and views of `db_name` (the current database when `None`), including
    /// temporary views, those whose name matches `pattern` when one is given.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// for t in spark.catalog().list_tables(Some("sales"), Some("order*")).await? {
    ///     println!("{} {} temporary={}", t.name, t.table_type, t.is_temporary);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_tables(
        &self,
        db_name: Option<&str>,
        pattern: Option<&str>,
    ) -> Result<Vec<Table>, Error> {
        let op = CatType::ListTables(proto::ListTables {
            db_name: opt(db_name),
            pattern: opt(pattern),
        });
        self.rows("listTables", op, decode_tables).await
    }

    /// The views of `db_name` (the current database when `None`), including temporary views,
    /// those whose name matches `pattern` when one is given.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// let views = spark.catalog().list_views(None, None).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_views(
        &self,
        db_name: Option<&str>,
        pattern: Option<&str>,
    ) -> Result<Vec<Table>, Error> {
        // As PySpark: a pattern needs a database, the current one by default.
        let db_name = match (db_name, pattern) {
            (None, Some(_)) => Some(self.current_database().await?),
            (db, _) => db.map(str::to_string),
        };
        let op = CatType::ListViews(proto::ListViews {
            db_name,
            pattern: opt(pattern),
        });
        self.rows("listViews", op, decode_tables).await
    }

    /// The table or view `table_name` (may be qualified); an error when there is none.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// let t = spark.catalog().get_table("sales.orders").await?;
    /// assert_eq!(t.database(), Some("sales"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_table(&self, table_name: &str) -> Result<Table, Error> {
        let op = CatType::GetTable(proto::GetTable {
            table_name: table_name.to_string(),
            db_name: None,
        });
        self.one("getTable", op, decode_tables).await
    }

    /// Whether the table or view `table_name` exists, in `db_name` when given (PySpark
    /// deprecates `db_name`: qualify the name instead).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// assert!(spark.catalog().table_exists("sales.orders", None).await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn table_exists(
        &self,
        table_name: &str,
        db_name: Option<&str>,
    ) -> Result<bool, Error> {
        self.one_bool(
            "tableExists",
            CatType::TableExists(proto::TableExists {
                table_name: table_name.to_string(),
                db_name: opt(db_name),
            }),
        )
        .await
    }

    /// The functions of `db_name` (the current database when `None`), built-in and
    /// temporary ones included, those whose name matches `pattern` when one is given.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// let date_functions = spark.catalog().list_functions(None, Some("date*")).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_functions(
        &self,
        db_name: Option<&str>,
        pattern: Option<&str>,
    ) -> Result<Vec<Function>, Error> {
        let op = CatType::ListFunctions(proto::ListFunctions {
            db_name: opt(db_name),
            pattern: opt(pattern),
        });
        self.rows("listFunctions", op, decode_functions).await
    }

    /// The function `function_name` (may be qualified); an error when there is none.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// let f = spark.catalog().get_function("upper").await?;
    /// println!("{}: {:?}", f.class_name, f.description);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_function(&self, function_name: &str) -> Result<Function, Error> {
        let op = CatType::GetFunction(proto::GetFunction {
            function_name: function_name.to_string(),
            db_name: None,
        });
        self.one("getFunction", op, decode_functions).await
    }

    /// Whether the function `function_name` exists, in `db_name` when given (PySpark
    /// deprecates `db_name`: qualify the name instead).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// assert!(spark.catalog().function_exists("upper", None).await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn function_exists(
        &self,
        function_name: &str,
        db_name: Option<&str>,
    ) -> Result<bool, Error> {
        self.one_bool(
            "functionExists",
            CatType::FunctionExists(proto::FunctionExists {
                function_name: function_name.to_string(),
                db_name: opt(db_name),
            }),
        )
        .await
    }

    /// The columns of the table or view `table_name`, in `db_name` when given (PySpark
    /// deprecates `db_name`: qualify the name instead).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// for c in spark.catalog().list_columns("sales.orders", None).await? {
    ///     println!("{} {} nullable={}", c.name, c.data_type, c.nullable);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_columns(
        &self,
        table_name: &str,
        db_name: Option<&str>,
    ) -> Result<Vec<CatalogColumn>, Error> {
        const WHAT: &str = "listColumns";
        let batches = self
            .run(CatType::ListColumns(proto::ListColumns {
                table_name: table_name.to_string(),
                db_name: opt(db_name),
            }))
            .await?;
        let mut out = Vec::new();
        for batch in &batches {
            let name = &string_column(batch, "name", WHAT)?;
            let description = &string_column(batch, "description", WHAT)?;
            let data_type = &string_column(batch, "dataType", WHAT)?;
            let nullable = bool_column(batch, "nullable", WHAT)?;
            let is_partition = bool_column(batch, "isPartition", WHAT)?;
            let is_bucket = bool_column(batch, "isBucket", WHAT)?;
            let is_cluster = bool_column(batch, "isCluster", WHAT)?;
            for i in 0..batch.num_rows() {
                out.push(CatalogColumn {
                    name: required(name, i, "name", WHAT)?,
                    description: optional(description, i),
                    data_type: required(data_type, i, "dataType", WHAT)?,
                    nullable: required_bool(nullable, i, "nullable", WHAT)?,
                    is_partition: required_bool(is_partition, i, "isPartition", WHAT)?,
                    is_bucket: required_bool(is_bucket, i, "isBucket", WHAT)?,
                    is_cluster: required_bool(is_cluster, i, "isCluster", WHAT)?,
                });
            }
        }
        Ok(out)
    }

    /// The partitions of the partitioned table `table_name`.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// for p in spark.catalog().list_partitions("sales.orders").await? {
    ///     println!("{}", p.partition); // e.g. "year=2025/month=1"
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_partitions(&self, table_name: &str) -> Result<Vec<TablePartition>, Error> {
        const WHAT: &str = "listPartitions";
        let batches = self
            .run(CatType::ListPartitions(proto::ListPartitions {
                table_name: table_name.to_string(),
            }))
            .await?;
        let mut out = Vec::new();
        for batch in &batches {
            let partition = &string_column(batch, "partition", WHAT)?;
            for i in 0..batch.num_rows() {
                out.push(TablePartition {
                    partition: required(partition, i, "partition", WHAT)?,
                });
            }
        }
        Ok(out)
    }

    /// The properties of the table `table_name` (`TBLPROPERTIES`); a property may have no
    /// value.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// let properties = spark.catalog().get_table_properties("sales.orders").await?;
    /// let owner: Option<&Option<String>> = properties.get("owner");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_table_properties(
        &self,
        table_name: &str,
    ) -> Result<BTreeMap<String, Option<String>>, Error> {
        const WHAT: &str = "getTableProperties";
        let batches = self
            .run(CatType::GetTableProperties(proto::GetTableProperties {
                table_name: table_name.to_string(),
            }))
            .await?;
        let mut out = BTreeMap::new();
        for batch in &batches {
            let key = &string_column(batch, "key", WHAT)?;
            let value = &string_column(batch, "value", WHAT)?;
            for i in 0..batch.num_rows() {
                out.insert(required(key, i, "key", WHAT)?, optional(value, i));
            }
        }
        Ok(out)
    }

    /// The `CREATE TABLE` statement of `table_name`; with `as_serde`, in Hive SerDe form.
    /// Empty when the server gives none, as in PySpark.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// println!("{}", spark.catalog().get_create_table_string("sales.orders", false).await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_create_table_string(
        &self,
        table_name: &str,
        as_serde: bool,
    ) -> Result<String, Error> {
        const WHAT: &str = "getCreateTableString";
        let op = CatType::GetCreateTableString(proto::GetCreateTableString {
            table_name: table_name.to_string(),
            as_serde,
        });
        let values = self.rows(WHAT, op, decode_string_values).await?;
        if values.is_empty() {
            return Ok(String::new());
        }
        exactly_one(values, WHAT)
    }

    /// Removes every row of the table `table_name`.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.catalog().truncate_table("scratch.events").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn truncate_table(&self, table_name: &str) -> Result<(), Error> {
        self.unit(CatType::TruncateTable(proto::TruncateTable {
            table_name: table_name.to_string(),
        }))
        .await
    }

    /// Computes the table's statistics (`ANALYZE TABLE ... COMPUTE STATISTICS`); with
    /// `no_scan`, only its size, without reading it.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.catalog().analyze_table("sales.orders", true).await?; // size only
    /// # Ok(())
    /// # }
    /// ```
    pub async fn analyze_table(&self, table_name: &str, no_scan: bool) -> Result<(), Error> {
        self.unit(CatType::AnalyzeTable(proto::AnalyzeTable {
            table_name: table_name.to_string(),
            no_scan,
        }))
        .await
    }

    /// Drops the table `table_name`; with `if_exists`, a missing one is no error; with
    /// `purge`, its data skips the trash.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.catalog().drop_table("scratch.events", true, false).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn drop_table(
        &self,
        table_name: &str,
        if_exists: bool,
        purge: bool,
    ) -> Result<(), Error> {
        self.unit(CatType::DropTable(proto::DropTable {
            table_name: table_name.to_string(),
            if_exists,
            purge,
        }))
        .await
    }

    /// Drops the (persistent) view `view_name`; with `if_exists`, a missing one is no error.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.catalog().drop_view("sales.recent_orders", true).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn drop_view(&self, view_name: &str, if_exists: bool) -> Result<(), Error> {
        self.unit(CatType::DropView(proto::DropView {
            view_name: view_name.to_string(),
            if_exists,
        }))
        .await
    }

    /// Creates the table `table_name` and returns it as a DataFrame.
    ///
    /// With a [`path`](CreateTableOptions::path) the table is external, over those files
    /// (their schema is read from them unless one is given); without, it is a managed table
    /// and needs a schema. The table is created now, as in PySpark; the DataFrame returned
    /// reads the table (`spark.table(table_name)`), so using it never creates it again.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// use spark_connect_dataframe::CreateTableOptions;
    /// let options = CreateTableOptions::new().source("parquet").schema("id BIGINT, name STRING");
    /// let people = spark.catalog().create_table("people", options).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_table(
        &self,
        table_name: &str,
        options: CreateTableOptions,
    ) -> Result<DataFrame, Error> {
        self.unit(create_table_op(table_name, options)).await?;
        Ok(self.session.table(table_name))
    }

    /// Creates a table over the files at `path` and returns it as a DataFrame (PySpark
    /// deprecates it for [`create_table`](Self::create_table) with a path). A description in
    /// `options` is an error: this form of the protocol has no field for it.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let options = CreateTableOptions::new().path("/lake/events").description("events");
    /// let e = spark.catalog().create_external_table("events", options).await.unwrap_err();
    /// assert!(e.to_string().contains("use create_table"), "{e}");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_external_table(
        &self,
        table_name: &str,
        options: CreateTableOptions,
    ) -> Result<DataFrame, Error> {
        if options.description.is_some() {
            return Err(Error::InvalidArgument(format!(
                "create_external_table('{table_name}'): a description is not supported here; \
                 use create_table"
            )));
        }
        let schema = options.schema_proto();
        self.unit(CatType::CreateExternalTable(proto::CreateExternalTable {
            table_name: table_name.to_string(),
            path: options.path,
            source: options.source,
            schema,
            options: options.options,
        }))
        .await?;
        Ok(self.session.table(table_name))
    }

    /// Drops the temporary view `view_name`; whether there was one to drop.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.range(0, 3).create_or_replace_temp_view("ids").await?;
    /// assert!(spark.catalog().drop_temp_view("ids").await?);
    /// assert!(!spark.catalog().drop_temp_view("ids").await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn drop_temp_view(&self, view_name: &str) -> Result<bool, Error> {
        self.one_bool(
            "dropTempView",
            CatType::DropTempView(proto::DropTempView {
                view_name: view_name.to_string(),
            }),
        )
        .await
    }

    /// Drops the global temporary view `view_name` (of `global_temp`); whether there was one
    /// to drop.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// let dropped: bool = spark.catalog().drop_global_temp_view("shared_ids").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn drop_global_temp_view(&self, view_name: &str) -> Result<bool, Error> {
        self.one_bool(
            "dropGlobalTempView",
            CatType::DropGlobalTempView(proto::DropGlobalTempView {
                view_name: view_name.to_string(),
            }),
        )
        .await
    }

    /// Finds the partitions of `table_name` that are on disk but not in the catalog, and adds
    /// them.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.catalog().recover_partitions("sales.orders").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn recover_partitions(&self, table_name: &str) -> Result<(), Error> {
        self.unit(CatType::RecoverPartitions(proto::RecoverPartitions {
            table_name: table_name.to_string(),
        }))
        .await
    }

    /// Whether the table or view `table_name` is cached.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.catalog().cache_table("sales.orders", None).await?;
    /// assert!(spark.catalog().is_cached("sales.orders").await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn is_cached(&self, table_name: &str) -> Result<bool, Error> {
        self.one_bool(
            "isCached",
            CatType::IsCached(proto::IsCached {
                table_name: table_name.to_string(),
            }),
        )
        .await
    }

    /// Caches the table or view `table_name`, at `storage_level` or, when `None`, the
    /// server's default (Spark 4: [`StorageLevel::MEMORY_AND_DISK_DESER`]).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.catalog().cache_table("sales.orders", Some(StorageLevel::MEMORY_ONLY)).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn cache_table(
        &self,
        table_name: &str,
        storage_level: Option<StorageLevel>,
    ) -> Result<(), Error> {
        self.unit(cache_table_op(table_name, storage_level)).await
    }

    /// Removes the table or view `table_name` from the cache.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.catalog().uncache_table("sales.orders").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn uncache_table(&self, table_name: &str) -> Result<(), Error> {
        self.unit(CatType::UncacheTable(proto::UncacheTable {
            table_name: table_name.to_string(),
        }))
        .await
    }

    /// Removes everything from the server's cache: every cached table and view, and every
    /// persisted DataFrame. The cache is the server's, shared by all its sessions (Spark's
    /// behaviour), so this affects other sessions' cached data too.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.catalog().clear_cache().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn clear_cache(&self) -> Result<(), Error> {
        self.unit(CatType::ClearCache(proto::ClearCache {})).await
    }

    /// Forgets the cached data and metadata of `table_name`, so that the next read sees the
    /// files as they are now.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.catalog().refresh_table("sales.orders").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn refresh_table(&self, table_name: &str) -> Result<(), Error> {
        self.unit(CatType::RefreshTable(proto::RefreshTable {
            table_name: table_name.to_string(),
        }))
        .await
    }

    /// Refreshes every cached DataFrame or table that reads files under `path`: its cached
    /// data is dropped and cached again from the files there now (on its next use).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.catalog().refresh_by_path("/lake/events").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn refresh_by_path(&self, path: &str) -> Result<(), Error> {
        self.unit(CatType::RefreshByPath(proto::RefreshByPath {
            path: path.to_string(),
        }))
        .await
    }
}

fn create_table_op(table_name: &str, options: CreateTableOptions) -> CatType {
    let schema = options.schema_proto();
    CatType::CreateTable(proto::CreateTable {
        table_name: table_name.to_string(),
        path: options.path,
        source: options.source,
        description: options.description,
        schema,
        options: options.options,
    })
}

fn cache_table_op(table_name: &str, storage_level: Option<StorageLevel>) -> CatType {
    CatType::CacheTable(proto::CacheTable {
        table_name: table_name.to_string(),
        storage_level: storage_level.map(StorageLevel::to_proto),
    })
}

fn decode_databases(batches: &[RecordBatch], what: &str) -> Result<Vec<Database>, Error> {
    let mut out = Vec::new();
    for batch in batches {
        let name = &string_column(batch, "name", what)?;
        let catalog = &string_column(batch, "catalog", what)?;
        let description = &string_column(batch, "description", what)?;
        let location = &string_column(batch, "locationUri", what)?;
        for i in 0..batch.num_rows() {
            out.push(Database {
                name: required(name, i, "name", what)?,
                catalog: optional(catalog, i),
                description: optional(description, i),
                location_uri: required(location, i, "locationUri", what)?,
            });
        }
    }
    Ok(out)
}

/// A result decoder: the rows of `batches`, `what` naming the operation in errors.
type Decode<T> = fn(&[RecordBatch], &str) -> Result<Vec<T>, Error>;

/// The column `value` of every row, a string.
fn decode_string_values(batches: &[RecordBatch], what: &str) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    for batch in batches {
        let col = &string_column(batch, "value", what)?;
        for i in 0..batch.num_rows() {
            out.push(required(col, i, "value", what)?);
        }
    }
    Ok(out)
}

/// The column `value` of every row, a boolean.
fn decode_bool_values(batches: &[RecordBatch], what: &str) -> Result<Vec<bool>, Error> {
    let mut out = Vec::new();
    for batch in batches {
        let col = bool_column(batch, "value", what)?;
        for i in 0..batch.num_rows() {
            out.push(required_bool(col, i, "value", what)?);
        }
    }
    Ok(out)
}

/// The columns a table and a function share; `kind` is the one that differs (a table's
/// `tableType`, a function's `className`).
struct CatalogObject {
    name: String,
    catalog: Option<String>,
    namespace: Option<Vec<String>>,
    description: Option<String>,
    kind: String,
    is_temporary: bool,
}

fn decode_objects(
    batches: &[RecordBatch],
    what: &str,
    kind_column: &str,
) -> Result<Vec<CatalogObject>, Error> {
    let mut out = Vec::new();
    for batch in batches {
        let name = &string_column(batch, "name", what)?;
        let catalog = &string_column(batch, "catalog", what)?;
        let namespace = &string_list_column(batch, "namespace", what)?;
        let description = &string_column(batch, "description", what)?;
        let kind = &string_column(batch, kind_column, what)?;
        let is_temporary = bool_column(batch, "isTemporary", what)?;
        for i in 0..batch.num_rows() {
            out.push(CatalogObject {
                name: required(name, i, "name", what)?,
                catalog: optional(catalog, i),
                namespace: optional_list(namespace, i),
                description: optional(description, i),
                kind: required(kind, i, kind_column, what)?,
                is_temporary: required_bool(is_temporary, i, "isTemporary", what)?,
            });
        }
    }
    Ok(out)
}

fn decode_tables(batches: &[RecordBatch], what: &str) -> Result<Vec<Table>, Error> {
    let objects = decode_objects(batches, what, "tableType")?;
    Ok(objects
        .into_iter()
        .map(|o| Table {
            name: o.name,
            catalog: o.catalog,
            namespace: o.namespace,
            description: o.description,
            table_type: o.kind,
            is_temporary: o.is_temporary,
        })
        .collect())
}

fn decode_functions(batches: &[RecordBatch], what: &str) -> Result<Vec<Function>, Error> {
    let objects = decode_objects(batches, what, "className")?;
    Ok(objects
        .into_iter()
        .map(|o| Function {
            name: o.name,
            catalog: o.catalog,
            namespace: o.namespace,
            description: o.description,
            class_name: o.kind,
            is_temporary: o.is_temporary,
        })
        .collect())
}

/// The single value of a result that must have exactly one row.
fn exactly_one<T>(mut values: Vec<T>, what: &str) -> Result<T, Error> {
    if values.len() != 1 {
        return Err(Error::Protocol(format!(
            "{what} returned {} rows, expected 1",
            values.len()
        )));
    }
    Ok(values.remove(0))
}

fn column<'a>(
    batch: &'a RecordBatch,
    name: &str,
    what: &str,
) -> Result<&'a std::sync::Arc<dyn Array>, Error> {
    let index = batch.schema().index_of(name).map_err(|_| {
        let have: Vec<String> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        Error::Protocol(format!(
            "the {what} result has no column '{name}' (it has: {})",
            have.join(", ")
        ))
    })?;
    Ok(batch.column(index))
}

fn wrong_type(name: &str, what: &str, found: &DataType, expected: &str) -> Error {
    Error::Protocol(format!(
        "the {what} result's column '{name}' is of type {found}, expected {expected}"
    ))
}

/// A string column; `LargeUtf8` and `Utf8View` (a server with
/// `spark.sql.execution.arrow.useLargeVarTypes` on sends `LargeUtf8`) are read as `Utf8`.
fn string_column(batch: &RecordBatch, name: &str, what: &str) -> Result<StringArray, Error> {
    let array = column(batch, name, what)?;
    let utf8 = match array.data_type() {
        DataType::Utf8 => array.clone(),
        DataType::LargeUtf8 | DataType::Utf8View => arrow_cast::cast(array, &DataType::Utf8)
            .map_err(|e| Error::Protocol(format!("the {what} result's column '{name}': {e}")))?,
        other => return Err(wrong_type(name, what, other, "Utf8")),
    };
    utf8.as_any()
        .downcast_ref::<StringArray>()
        .cloned()
        .ok_or_else(|| wrong_type(name, what, array.data_type(), "Utf8"))
}

fn bool_column<'a>(
    batch: &'a RecordBatch,
    name: &str,
    what: &str,
) -> Result<&'a BooleanArray, Error> {
    let array = column(batch, name, what)?;
    array
        .as_any()
        .downcast_ref::<BooleanArray>()
        .ok_or_else(|| wrong_type(name, what, array.data_type(), "Boolean"))
}

/// A list-of-strings column, with its values' array (large lists and strings read as
/// `List<Utf8>`, as in [`string_column`]).
fn string_list_column(
    batch: &RecordBatch,
    name: &str,
    what: &str,
) -> Result<(ListArray, StringArray), Error> {
    let array = column(batch, name, what)?;
    let expected = "List<Utf8>";
    let list = match array.data_type() {
        DataType::List(item) if item.data_type() == &DataType::Utf8 => array.clone(),
        DataType::List(item) | DataType::LargeList(item)
            if matches!(
                item.data_type(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) =>
        {
            let target = DataType::List(std::sync::Arc::new(arrow_schema::Field::new_list_field(
                DataType::Utf8,
                true,
            )));
            arrow_cast::cast(array, &target)
                .map_err(|e| Error::Protocol(format!("the {what} result's column '{name}': {e}")))?
        }
        other => return Err(wrong_type(name, what, other, expected)),
    };
    let list = list
        .as_any()
        .downcast_ref::<ListArray>()
        .cloned()
        .ok_or_else(|| wrong_type(name, what, array.data_type(), expected))?;
    let values = list
        .values()
        .as_any()
        .downcast_ref::<StringArray>()
        .cloned()
        .ok_or_else(|| wrong_type(name, what, array.data_type(), expected))?;
    Ok((list, values))
}

fn optional(array: &StringArray, i: usize) -> Option<String> {
    (!array.is_null(i)).then(|| array.value(i).to_string())
}

fn required(array: &StringArray, i: usize, name: &str, what: &str) -> Result<String, Error> {
    optional(array, i).ok_or_else(|| null_value(name, what, i))
}

fn required_bool(array: &BooleanArray, i: usize, name: &str, what: &str) -> Result<bool, Error> {
    if array.is_null(i) {
        return Err(null_value(name, what, i));
    }
    Ok(array.value(i))
}

fn null_value(name: &str, what: &str, i: usize) -> Error {
    Error::Protocol(format!(
        "the {what} result's column '{name}' is null in row {i}, expected a value"
    ))
}

fn optional_list((list, values): &(ListArray, StringArray), i: usize) -> Option<Vec<String>> {
    if list.is_null(i) {
        return None;
    }
    let offsets = list.value_offsets();
    let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
    // Null elements do not occur in a namespace; one would be kept as an empty part.
    Some(
        (start..end)
            .map(|j| {
                if values.is_null(j) {
                    String::new()
                } else {
                    values.value(j).to_string()
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::builder::{ListBuilder, StringBuilder};
    use arrow_array::{ArrayRef, Int32Array};

    use super::*;

    fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
        RecordBatch::try_from_iter(columns).unwrap()
    }

    fn strings(values: &[Option<&str>]) -> ArrayRef {
        Arc::new(StringArray::from(values.to_vec()))
    }

    fn bools(values: &[bool]) -> ArrayRef {
        Arc::new(BooleanArray::from(values.to_vec()))
    }

    fn namespaces(values: &[Option<&[&str]>]) -> ArrayRef {
        let mut b = ListBuilder::new(StringBuilder::new());
        for v in values {
            match v {
                Some(parts) => {
                    for p in *parts {
                        b.values().append_value(p);
                    }
                    b.append(true);
                }
                None => b.append(false),
            }
        }
        Arc::new(b.finish())
    }

    fn tables_batch(is_temporary: ArrayRef) -> RecordBatch {
        batch(vec![
            ("name", strings(&[Some("t"), Some("v")])),
            ("catalog", strings(&[Some("spark_catalog"), None])),
            ("namespace", namespaces(&[Some(&["db"]), None])),
            ("description", strings(&[None, Some("a view")])),
            ("tableType", strings(&[Some("MANAGED"), Some("TEMPORARY")])),
            ("isTemporary", is_temporary),
        ])
    }

    #[test]
    fn tables_decode_with_nulls_and_namespaces() {
        let tables = decode_tables(&[tables_batch(bools(&[false, true]))], "listTables").unwrap();
        assert_eq!(
            tables,
            vec![
                Table {
                    name: "t".into(),
                    catalog: Some("spark_catalog".into()),
                    namespace: Some(vec!["db".into()]),
                    description: None,
                    table_type: "MANAGED".into(),
                    is_temporary: false,
                },
                Table {
                    name: "v".into(),
                    catalog: None,
                    namespace: None,
                    description: Some("a view".into()),
                    table_type: "TEMPORARY".into(),
                    is_temporary: true,
                },
            ]
        );
        assert_eq!(tables[0].database(), Some("db"));
        assert_eq!(tables[1].database(), None);
    }

    /// Large strings and lists (a server with `useLargeVarTypes` on), and string views, decode
    /// as the plain types do.
    #[test]
    fn large_and_view_string_types_decode_the_same() {
        let plain = tables_batch(bools(&[false, true]));
        let large_list = DataType::LargeList(Arc::new(arrow_schema::Field::new_list_field(
            DataType::LargeUtf8,
            true,
        )));
        for (strings_as, lists_as) in [
            (DataType::LargeUtf8, large_list.clone()),
            (DataType::Utf8View, large_list),
        ] {
            let columns: Vec<(String, ArrayRef)> = plain
                .schema()
                .fields()
                .iter()
                .zip(plain.columns())
                .map(|(f, c)| {
                    let to = match c.data_type() {
                        DataType::Utf8 => &strings_as,
                        DataType::List(_) => &lists_as,
                        _ => c.data_type(),
                    };
                    (f.name().clone(), arrow_cast::cast(c, to).unwrap())
                })
                .collect();
            let other = RecordBatch::try_from_iter(columns).unwrap();
            assert_eq!(other.column(0).data_type(), &strings_as);
            assert_eq!(
                decode_tables(&[other], "listTables").unwrap(),
                decode_tables(std::slice::from_ref(&plain), "listTables").unwrap()
            );
        }
    }

    #[test]
    fn a_column_of_another_type_is_an_error_naming_it() {
        let bad = tables_batch(Arc::new(Int32Array::from(vec![0, 1])));
        let err = decode_tables(&[bad], "listTables").unwrap_err().to_string();
        assert!(
            err.contains("listTables") && err.contains("'isTemporary'") && err.contains("Boolean"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_column_is_an_error_naming_it() {
        let b = batch(vec![("name", strings(&[Some("db")]))]);
        let err = decode_databases(&[b], "getDatabase")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("getDatabase") && err.contains("no column 'catalog'"),
            "{err}"
        );
    }

    #[test]
    fn a_null_in_a_required_column_is_an_error() {
        let b = batch(vec![
            ("name", strings(&[Some("f")])),
            ("catalog", strings(&[None])),
            ("namespace", namespaces(&[None])),
            ("description", strings(&[None])),
            ("className", strings(&[None])),
            ("isTemporary", bools(&[true])),
        ]);
        let err = decode_functions(&[b], "getFunction")
            .unwrap_err()
            .to_string();
        assert!(err.contains("'className' is null in row 0"), "{err}");
    }

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The relations PySpark 4.3 builds (without `common`) for
    /// `CacheTable("t", StorageLevel.DISK_ONLY)` and
    /// `CreateTable("t", path="/p", source="csv", description="d", options={"header": "true"})`,
    /// captured from its client.
    #[tokio::test]
    async fn the_relations_are_pysparks() {
        use prost::Message;
        let spark = crate::offline_session().await;
        let catalog = spark.catalog();
        let cases = [
            (
                cache_table_op("t", Some(StorageLevel::DISK_ONLY)),
                "c20c0c9a01090a0174120408012801",
            ),
            (
                create_table_op(
                    "t",
                    CreateTableOptions::new()
                        .path("/p")
                        .source("csv")
                        .description("d")
                        .option("header", "true"),
                ),
                "c20c21721f0a017412022f701a03637376220164320e0a06686561646572120474727565",
            ),
        ];
        for (op, theirs) in cases {
            let mut ours = catalog.frame(op).to_proto().clone();
            assert!(ours.common.is_some());
            ours.common = None;
            assert_eq!(
                ours,
                proto::Relation::decode(hex(theirs).as_slice()).unwrap()
            );
        }
    }

    #[test]
    fn exactly_one_row_is_required() {
        assert_eq!(exactly_one(vec![7], "x").unwrap(), 7);
        let err = exactly_one(Vec::<i32>::new(), "currentDatabase").unwrap_err();
        assert!(
            err.to_string().contains("currentDatabase returned 0 rows"),
            "{err}"
        );
    }
}
