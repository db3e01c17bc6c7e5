//! Spark SQL data types, decoded from the protocol and mapped to Arrow the way Spark's own
//! Arrow conversion does.

use std::fmt;
use std::sync::Arc;

use arrow_schema::{DataType as ArrowType, Field, IntervalUnit, Schema, TimeUnit};
use spark_connect_transport::proto;

use crate::Error;

/// The name of the default string collation, which this crate keeps as an empty name.
const DEFAULT_COLLATION: &str = "UTF8_BINARY";

/// Storage levels for [`DataFrame::persist`](crate::DataFrame::persist), here too so that
/// they are found with the other types.
pub use crate::dataframe::caching::StorageLevel;

/// A Spark SQL data type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DataType {
    /// `void`.
    Null,
    /// `boolean`.
    Boolean,
    /// `tinyint`.
    Byte,
    /// `smallint`.
    Short,
    /// `int`.
    Integer,
    /// `bigint`.
    Long,
    /// `float`.
    Float,
    /// `double`.
    Double,
    /// `decimal(precision, scale)`.
    Decimal {
        /// Total digits.
        precision: u8,
        /// Digits after the point.
        scale: i8,
    },
    /// `string`, with its collation when not the default.
    String {
        /// The collation, e.g. `UTF8_LCASE`; empty for the default.
        collation: std::string::String,
    },
    /// `char(n)`.
    Char(u32),
    /// `varchar(n)`.
    VarChar(u32),
    /// `binary`.
    Binary,
    /// `date`.
    Date,
    /// `timestamp` (with the session time zone).
    Timestamp,
    /// `timestamp_ntz` (no time zone).
    TimestampNtz,
    /// `time(p)`.
    Time(Option<u8>),
    /// `interval` (months, days, microseconds).
    CalendarInterval,
    /// `interval year to month` and its variants.
    YearMonthInterval {
        /// 0 = year, 1 = month.
        start: Option<u8>,
        /// 0 = year, 1 = month.
        end: Option<u8>,
    },
    /// `interval day to second` and its variants.
    DayTimeInterval {
        /// 0 = day, 1 = hour, 2 = minute, 3 = second.
        start: Option<u8>,
        /// 0 = day, 1 = hour, 2 = minute, 3 = second.
        end: Option<u8>,
    },
    /// `array<element>`.
    Array {
        /// The element type.
        element: Box<DataType>,
        /// Whether elements may be null.
        contains_null: bool,
    },
    /// `map<key, value>`.
    Map {
        /// The key type.
        key: Box<DataType>,
        /// The value type.
        value: Box<DataType>,
        /// Whether values may be null.
        value_contains_null: bool,
    },
    /// `struct<...>`.
    Struct(StructType),
    /// `variant`.
    Variant,
    /// A user-defined type, described by its SQL type.
    UserDefined {
        /// The JVM class, if given.
        jvm_class: Option<std::string::String>,
        /// The underlying SQL type.
        sql_type: Box<DataType>,
    },
    /// A type this client does not model yet, by the server's name for it.
    Other(std::string::String),
}

/// A struct type: the schema of a DataFrame.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StructType {
    /// The fields, in order.
    pub fields: Vec<StructField>,
}

/// One field of a [`StructType`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructField {
    /// The name.
    pub name: std::string::String,
    /// The type.
    pub data_type: DataType,
    /// Whether values may be null.
    pub nullable: bool,
    /// Spark's field metadata as JSON, if any.
    pub metadata: Option<std::string::String>,
}

impl StructField {
    /// A field without metadata, as PySpark's `StructField(name, dataType, nullable)`
    /// (PySpark's `nullable` defaults to `True`; here it is always said).
    ///
    /// ```
    /// use spark_connect_dataframe::{DataType, StructField};
    ///
    /// let amount = StructField::new("amount", DataType::Decimal { precision: 10, scale: 2 }, false);
    /// assert!(!amount.nullable && amount.metadata.is_none());
    /// ```
    pub fn new(name: impl Into<std::string::String>, data_type: DataType, nullable: bool) -> Self {
        StructField {
            name: name.into(),
            data_type,
            nullable,
            metadata: None,
        }
    }

    /// The field with Spark's field metadata, a JSON object (PySpark's `metadata=` dict):
    /// `{"comment": "in euros"}` is the column comment that DDL's `COMMENT` gives.
    ///
    /// ```
    /// use spark_connect_dataframe::{DataType, StructField};
    ///
    /// let amount = StructField::new("amount", DataType::Double, true)
    ///     .with_metadata(r#"{"comment":"in euros"}"#);
    /// assert_eq!(amount.metadata.as_deref(), Some(r#"{"comment":"in euros"}"#));
    /// ```
    pub fn with_metadata(mut self, json: impl Into<std::string::String>) -> Self {
        self.metadata = Some(json.into());
        self
    }
}

impl FromIterator<StructField> for StructType {
    fn from_iter<I: IntoIterator<Item = StructField>>(fields: I) -> Self {
        StructType::new(fields)
    }
}

impl StructType {
    /// A struct type of these fields, as PySpark's `StructType([...])`.
    ///
    /// ```
    /// use spark_connect_dataframe::{DataType, StructField, StructType};
    ///
    /// // StructType([StructField("id", IntegerType(), False), StructField("name", StringType())])
    /// let schema = StructType::new([
    ///     StructField::new("id", DataType::Integer, false),
    ///     StructField::new("name", DataType::string(), true),
    /// ]);
    /// assert_eq!(schema.field_names(), ["id", "name"]);
    /// ```
    pub fn new(fields: impl IntoIterator<Item = StructField>) -> StructType {
        StructType {
            fields: fields.into_iter().collect(),
        }
    }

    /// The field names, in order.
    ///
    /// ```
    /// use spark_connect_dataframe::{DataType, StructField, StructType};
    /// let schema = StructType::new([StructField::new("id", DataType::Long, false), StructField::new("name", DataType::string(), true)]);
    /// assert_eq!(schema.field_names(), ["id", "name"]);
    /// ```
    pub fn field_names(&self) -> Vec<&str> {
        self.fields.iter().map(|f| f.name.as_str()).collect()
    }

    /// The Arrow schema Spark uses for results of this type. `time_zone` is the session time
    /// zone that Spark attaches to `timestamp` columns.
    ///
    /// ```
    /// use spark_connect_dataframe::{DataType, StructField, StructType};
    /// use arrow_schema::{DataType as ArrowType, TimeUnit};
    /// let schema = StructType::new([StructField::new("at", DataType::Timestamp, true)]);
    /// let arrow = schema.to_arrow("Europe/Paris");
    /// assert_eq!(arrow.field(0).data_type(), &ArrowType::Timestamp(TimeUnit::Microsecond, Some("Europe/Paris".into())));
    /// ```
    pub fn to_arrow(&self, time_zone: &str) -> Schema {
        Schema::new(
            self.fields
                .iter()
                .map(|f| f.to_arrow(time_zone))
                .collect::<Vec<_>>(),
        )
    }

    /// A tree like PySpark's `printSchema()`, descending into struct fields (not yet into the
    /// element types of arrays and maps).
    ///
    /// ```
    /// use spark_connect_dataframe::{DataType, StructField, StructType};
    /// let schema = StructType::new([StructField::new("id", DataType::Long, false), StructField::new("name", DataType::string(), true)]);
    /// assert_eq!(schema.tree_string(), "root\n |-- id: bigint (nullable = false)\n |-- name: string (nullable = true)\n");
    /// ```
    pub fn tree_string(&self) -> std::string::String {
        let mut out = std::string::String::from("root\n");
        fn walk(out: &mut std::string::String, fields: &[StructField], depth: usize) {
            for f in fields {
                out.push_str(&" |   ".repeat(depth));
                out.push_str(&format!(
                    " |-- {}: {} (nullable = {})\n",
                    f.name,
                    f.data_type.type_name(),
                    f.nullable
                ));
                if let DataType::Struct(s) = &f.data_type {
                    walk(out, &s.fields, depth + 1);
                }
            }
        }
        walk(&mut out, &self.fields, 0);
        out
    }
}

impl StructField {
    fn to_arrow(&self, time_zone: &str) -> Field {
        Field::new(
            &self.name,
            self.data_type.to_arrow(time_zone),
            self.nullable,
        )
    }
}

impl DataType {
    /// `string` with the default collation, as PySpark's `StringType()`.
    ///
    /// ```
    /// use spark_connect_dataframe::DataType;
    ///
    /// assert_eq!(DataType::string(), DataType::String { collation: String::new() });
    /// assert_eq!(DataType::string().to_string(), "string");
    /// ```
    pub fn string() -> DataType {
        DataType::String {
            collation: std::string::String::new(),
        }
    }

    /// `array<element>` whose elements may be null, as PySpark's `ArrayType(element)`.
    ///
    /// ```
    /// use spark_connect_dataframe::DataType;
    ///
    /// assert_eq!(DataType::array(DataType::string()).to_string(), "array<string>");
    /// ```
    pub fn array(element: DataType) -> DataType {
        DataType::Array {
            element: Box::new(element),
            contains_null: true,
        }
    }

    /// Decodes the protocol's description of a type.
    ///
    /// ```
    /// use spark_connect_dataframe::DataType;
    /// use spark_connect_dataframe::proto::{self, data_type::Kind};
    /// let long = proto::DataType { kind: Some(Kind::Long(Default::default())) };
    /// assert_eq!(DataType::from_proto(&long)?, DataType::Long);
    /// assert!(DataType::from_proto(&proto::DataType { kind: None }).is_err());
    /// # Ok::<(), spark_connect_dataframe::Error>(())
    /// ```
    pub fn from_proto(proto: &proto::DataType) -> Result<DataType, Error> {
        use proto::data_type::Kind;
        let kind = proto
            .kind
            .as_ref()
            .ok_or_else(|| Error::Protocol("a DataType without a kind".into()))?;
        let narrow = |v: i32, what: &str| -> Result<u8, Error> {
            u8::try_from(v).map_err(|_| Error::Protocol(format!("{what} {v} is out of range")))
        };
        let opt_field = |v: Option<i32>, what: &str| -> Result<Option<u8>, Error> {
            v.map(|v| narrow(v, what)).transpose()
        };
        Ok(match kind {
            Kind::Null(_) => DataType::Null,
            Kind::Binary(_) => DataType::Binary,
            Kind::Boolean(_) => DataType::Boolean,
            Kind::Byte(_) => DataType::Byte,
            Kind::Short(_) => DataType::Short,
            Kind::Integer(_) => DataType::Integer,
            Kind::Long(_) => DataType::Long,
            Kind::Float(_) => DataType::Float,
            Kind::Double(_) => DataType::Double,
            Kind::Decimal(d) => DataType::Decimal {
                precision: narrow(d.precision.unwrap_or(10), "decimal precision")?,
                scale: i8::try_from(d.scale.unwrap_or(0)).map_err(|_| {
                    Error::Protocol(format!("decimal scale {:?} is out of range", d.scale))
                })?,
            },
            // `UTF8_BINARY` is the default collation: Spark 4.0 names it where 4.3 leaves it
            // empty, and PySpark's `StringType("UTF8_BINARY")` equals `StringType()`.
            Kind::String(s) => DataType::String {
                collation: if s.collation == DEFAULT_COLLATION {
                    std::string::String::new()
                } else {
                    s.collation.clone()
                },
            },
            Kind::Char(c) => DataType::Char(c.length.max(0) as u32),
            Kind::VarChar(c) => DataType::VarChar(c.length.max(0) as u32),
            Kind::Date(_) => DataType::Date,
            Kind::Timestamp(_) => DataType::Timestamp,
            Kind::TimestampNtz(_) => DataType::TimestampNtz,
            Kind::Time(t) => DataType::Time(opt_field(t.precision, "time precision")?),
            Kind::CalendarInterval(_) => DataType::CalendarInterval,
            Kind::YearMonthInterval(i) => DataType::YearMonthInterval {
                start: opt_field(i.start_field, "interval field")?,
                end: opt_field(i.end_field, "interval field")?,
            },
            Kind::DayTimeInterval(i) => DataType::DayTimeInterval {
                start: opt_field(i.start_field, "interval field")?,
                end: opt_field(i.end_field, "interval field")?,
            },
            Kind::Array(a) => DataType::Array {
                element: Box::new(DataType::from_proto(
                    a.element_type.as_deref().ok_or_else(|| {
                        Error::Protocol("an array type without element type".into())
                    })?,
                )?),
                contains_null: a.contains_null,
            },
            Kind::Map(m) => DataType::Map {
                key: Box::new(DataType::from_proto(m.key_type.as_deref().ok_or_else(
                    || Error::Protocol("a map type without key type".into()),
                )?)?),
                value: Box::new(DataType::from_proto(m.value_type.as_deref().ok_or_else(
                    || Error::Protocol("a map type without value type".into()),
                )?)?),
                value_contains_null: m.value_contains_null,
            },
            Kind::Struct(s) => DataType::Struct(StructType::from_proto_fields(&s.fields)?),
            Kind::Variant(_) => DataType::Variant,
            Kind::Udt(u) => match &u.sql_type {
                Some(sql) => DataType::UserDefined {
                    jvm_class: u.jvm_class.clone(),
                    sql_type: Box::new(DataType::from_proto(sql)?),
                },
                None => {
                    DataType::Other(format!("udt({})", u.jvm_class.clone().unwrap_or_default()))
                }
            },
            Kind::Unparsed(u) => DataType::Other(u.data_type_string.clone()),
            Kind::Geometry(g) => DataType::Other(format!("geometry({})", g.srid)),
            Kind::Geography(g) => DataType::Other(format!("geography({})", g.srid)),
            Kind::TimestampNtzNanos(_) => DataType::Other("timestamp_ntz(nanos)".into()),
            Kind::TimestampLtzNanos(_) => DataType::Other("timestamp_ltz(nanos)".into()),
        })
    }

    /// Spark's simple name for the type, e.g. `bigint`, `decimal(10,2)`, `array<int>`.
    ///
    /// ```
    /// use spark_connect_dataframe::DataType;
    /// assert_eq!(DataType::Decimal { precision: 10, scale: 2 }.type_name(), "decimal(10,2)");
    /// assert_eq!(DataType::array(DataType::Integer).type_name(), "array<int>");
    /// ```
    pub fn type_name(&self) -> std::string::String {
        self.render(false)
    }

    /// The type in Spark's DDL syntax, which `cast` accepts: like [`type_name`](Self::type_name),
    /// with struct field names quoted in backticks where they are not plain identifiers
    /// (``struct<`a b`:int>``).
    ///
    /// ```
    /// use spark_connect_dataframe::{DataType, StructField, StructType};
    /// let t = DataType::Struct(StructType::new([StructField::new("a b", DataType::Integer, true)]));
    /// assert_eq!((t.ddl(), t.type_name()), ("struct<`a b`:int>".to_string(), "struct<a b:int>".to_string()));
    /// ```
    pub fn ddl(&self) -> std::string::String {
        self.render(true)
    }

    fn render(&self, ddl: bool) -> std::string::String {
        const YM: [&str; 2] = ["year", "month"];
        const DT: [&str; 4] = ["day", "hour", "minute", "second"];
        fn interval(names: &[&str], start: Option<u8>, end: Option<u8>) -> std::string::String {
            let name = |i: Option<u8>, default: usize| {
                names
                    .get(i.map(usize::from).unwrap_or(default))
                    .copied()
                    .unwrap_or("?")
            };
            let s = name(start, 0);
            let e = name(end, names.len() - 1);
            if s == e {
                format!("interval {s}")
            } else {
                format!("interval {s} to {e}")
            }
        }
        match self {
            DataType::Null => "void".into(),
            DataType::Boolean => "boolean".into(),
            DataType::Byte => "tinyint".into(),
            DataType::Short => "smallint".into(),
            DataType::Integer => "int".into(),
            DataType::Long => "bigint".into(),
            DataType::Float => "float".into(),
            DataType::Double => "double".into(),
            DataType::Decimal { precision, scale } => format!("decimal({precision},{scale})"),
            DataType::String { collation }
                if collation.is_empty() || collation == "UTF8_BINARY" =>
            {
                "string".into()
            }
            DataType::String { collation } => format!("string collate {collation}"),
            DataType::Char(n) => format!("char({n})"),
            DataType::VarChar(n) => format!("varchar({n})"),
            DataType::Binary => "binary".into(),
            DataType::Date => "date".into(),
            DataType::Timestamp => "timestamp".into(),
            DataType::TimestampNtz => "timestamp_ntz".into(),
            DataType::Time(p) => format!("time({})", p.unwrap_or(6)),
            DataType::CalendarInterval => "interval".into(),
            DataType::YearMonthInterval { start, end } => interval(&YM, *start, *end),
            DataType::DayTimeInterval { start, end } => interval(&DT, *start, *end),
            DataType::Array { element, .. } => format!("array<{}>", element.render(ddl)),
            DataType::Map { key, value, .. } => {
                format!("map<{},{}>", key.render(ddl), value.render(ddl))
            }
            DataType::Struct(s) => format!(
                "struct<{}>",
                s.fields
                    .iter()
                    .map(|f| {
                        let plain = f
                            .name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_')
                            && !f.name.starts_with(|c: char| c.is_ascii_digit())
                            && !f.name.is_empty();
                        let name = if ddl && !plain {
                            format!("`{}`", f.name.replace('`', "``"))
                        } else {
                            f.name.clone()
                        };
                        format!("{name}:{}", f.data_type.render(ddl))
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            DataType::Variant => "variant".into(),
            DataType::UserDefined { sql_type, .. } => sql_type.render(ddl),
            DataType::Other(name) => name.clone(),
        }
    }

    /// The Arrow type Spark uses for this type in results.
    ///
    /// ```
    /// use spark_connect_dataframe::DataType;
    /// use arrow_schema::{DataType as ArrowType, TimeUnit};
    /// assert_eq!(DataType::Long.to_arrow("UTC"), ArrowType::Int64);
    /// assert_eq!(DataType::TimestampNtz.to_arrow("UTC"), ArrowType::Timestamp(TimeUnit::Microsecond, None));
    /// ```
    pub fn to_arrow(&self, time_zone: &str) -> ArrowType {
        match self {
            DataType::Null => ArrowType::Null,
            DataType::Boolean => ArrowType::Boolean,
            DataType::Byte => ArrowType::Int8,
            DataType::Short => ArrowType::Int16,
            DataType::Integer => ArrowType::Int32,
            DataType::Long => ArrowType::Int64,
            DataType::Float => ArrowType::Float32,
            DataType::Double => ArrowType::Float64,
            DataType::Decimal { precision, scale } => ArrowType::Decimal128(*precision, *scale),
            DataType::String { .. } | DataType::Char(_) | DataType::VarChar(_) => ArrowType::Utf8,
            DataType::Binary => ArrowType::Binary,
            DataType::Date => ArrowType::Date32,
            DataType::Timestamp => {
                ArrowType::Timestamp(TimeUnit::Microsecond, Some(Arc::from(time_zone)))
            }
            DataType::TimestampNtz => ArrowType::Timestamp(TimeUnit::Microsecond, None),
            DataType::Time(_) => ArrowType::Time64(TimeUnit::Nanosecond),
            DataType::CalendarInterval => ArrowType::Interval(IntervalUnit::MonthDayNano),
            DataType::YearMonthInterval { .. } => ArrowType::Interval(IntervalUnit::YearMonth),
            DataType::DayTimeInterval { .. } => ArrowType::Duration(TimeUnit::Microsecond),
            DataType::Array {
                element,
                contains_null,
            } => ArrowType::List(Arc::new(Field::new(
                "element",
                element.to_arrow(time_zone),
                *contains_null,
            ))),
            DataType::Map {
                key,
                value,
                value_contains_null,
            } => ArrowType::Map(
                Arc::new(Field::new(
                    "entries",
                    ArrowType::Struct(
                        vec![
                            Field::new("key", key.to_arrow(time_zone), false),
                            Field::new("value", value.to_arrow(time_zone), *value_contains_null),
                        ]
                        .into(),
                    ),
                    false,
                )),
                false,
            ),
            DataType::Struct(s) => ArrowType::Struct(
                s.fields
                    .iter()
                    .map(|f| f.to_arrow(time_zone))
                    .collect::<Vec<_>>()
                    .into(),
            ),
            DataType::Variant => ArrowType::Struct(
                vec![
                    Field::new("value", ArrowType::Binary, false),
                    Field::new("metadata", ArrowType::Binary, false),
                ]
                .into(),
            ),
            DataType::UserDefined { sql_type, .. } => sql_type.to_arrow(time_zone),
            DataType::Other(_) => ArrowType::Binary,
        }
    }
}

impl DataType {
    /// The Spark type of an Arrow type as Spark sends it in results: the inverse of
    /// [`to_arrow`](Self::to_arrow), less what Arrow does not carry (the fields of an interval,
    /// `char`/`varchar` lengths and collations read as `string`, a user-defined type as its SQL
    /// type). An Arrow type Spark never sends is [`DataType::Other`], named by Arrow.
    ///
    /// ```
    /// use arrow_schema::{DataType as ArrowType, TimeUnit};
    /// use spark_connect_dataframe::DataType;
    ///
    /// let ntz = ArrowType::Timestamp(TimeUnit::Microsecond, None);
    /// assert_eq!(DataType::from_arrow(&ntz), DataType::TimestampNtz);
    /// assert_eq!(DataType::from_arrow(&ArrowType::Decimal128(10, 2)).type_name(), "decimal(10,2)");
    /// ```
    pub fn from_arrow(arrow: &ArrowType) -> DataType {
        let element = |field: &Field| DataType::Array {
            element: Box::new(DataType::from_arrow(field.data_type())),
            contains_null: field.is_nullable(),
        };
        match arrow {
            ArrowType::Null => DataType::Null,
            ArrowType::Boolean => DataType::Boolean,
            ArrowType::Int8 => DataType::Byte,
            ArrowType::Int16 => DataType::Short,
            ArrowType::Int32 => DataType::Integer,
            ArrowType::Int64 => DataType::Long,
            ArrowType::Float32 => DataType::Float,
            ArrowType::Float64 => DataType::Double,
            ArrowType::Decimal128(precision, scale) => DataType::Decimal {
                precision: *precision,
                scale: *scale,
            },
            ArrowType::Utf8 | ArrowType::LargeUtf8 | ArrowType::Utf8View => DataType::String {
                collation: std::string::String::new(),
            },
            ArrowType::Binary
            | ArrowType::LargeBinary
            | ArrowType::BinaryView
            | ArrowType::FixedSizeBinary(_) => DataType::Binary,
            ArrowType::Date32 | ArrowType::Date64 => DataType::Date,
            ArrowType::Timestamp(_, Some(_)) => DataType::Timestamp,
            ArrowType::Timestamp(_, None) => DataType::TimestampNtz,
            ArrowType::Time32(_) | ArrowType::Time64(_) => DataType::Time(None),
            ArrowType::Interval(IntervalUnit::MonthDayNano) => DataType::CalendarInterval,
            ArrowType::Interval(IntervalUnit::YearMonth) => DataType::YearMonthInterval {
                start: None,
                end: None,
            },
            ArrowType::Duration(_) => DataType::DayTimeInterval {
                start: None,
                end: None,
            },
            ArrowType::List(field) | ArrowType::LargeList(field) => element(field),
            ArrowType::FixedSizeList(field, _) => element(field),
            ArrowType::Map(entries, _) => match entries.data_type() {
                ArrowType::Struct(kv) if kv.len() == 2 => DataType::Map {
                    key: Box::new(DataType::from_arrow(kv[0].data_type())),
                    value: Box::new(DataType::from_arrow(kv[1].data_type())),
                    value_contains_null: kv[1].is_nullable(),
                },
                other => DataType::Other(format!("map({other})")),
            },
            ArrowType::Struct(fields) if is_variant(fields) => DataType::Variant,
            ArrowType::Struct(fields) => DataType::Struct(StructType::from_arrow(fields)),
            other => DataType::Other(other.to_string()),
        }
    }
}

/// Spark sends a `variant` as a struct of two binaries whose `metadata` field is marked.
fn is_variant(fields: &arrow_schema::Fields) -> bool {
    fields.len() == 2
        && fields[0].name() == "value"
        && fields[1].name() == "metadata"
        && fields[1].metadata().contains_key("variant")
}

impl StructType {
    /// The Spark schema of Arrow fields (a result's schema), with the types of
    /// [`DataType::from_arrow`].
    ///
    /// ```
    /// use arrow_schema::{DataType as ArrowType, Field, Schema};
    /// use spark_connect_dataframe::StructType;
    ///
    /// let schema = Schema::new(vec![Field::new("id", ArrowType::Int64, false)]);
    /// let spark = StructType::from_arrow(schema.fields());
    /// assert_eq!(spark.fields[0].data_type.type_name(), "bigint");
    /// ```
    pub fn from_arrow(fields: &arrow_schema::Fields) -> StructType {
        StructType {
            fields: fields
                .iter()
                .map(|f| StructField {
                    name: f.name().clone(),
                    data_type: DataType::from_arrow(f.data_type()),
                    nullable: f.is_nullable(),
                    metadata: None,
                })
                .collect(),
        }
    }
}

impl StructType {
    fn from_proto_fields(fields: &[proto::data_type::StructField]) -> Result<StructType, Error> {
        let fields = fields
            .iter()
            .map(|f| {
                let data_type = f.data_type.as_ref().ok_or_else(|| {
                    Error::Protocol(format!("the struct field '{}' has no type", f.name))
                })?;
                Ok(StructField {
                    name: f.name.clone(),
                    data_type: DataType::from_proto(data_type)?,
                    nullable: f.nullable,
                    metadata: f.metadata.clone(),
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(StructType { fields })
    }

    /// Decodes a schema; the protocol sends it as a struct type.
    ///
    /// ```
    /// use spark_connect_dataframe::{DataType, StructType};
    /// use spark_connect_dataframe::proto::{self, data_type::{Kind, Struct, StructField}};
    /// let long = proto::DataType { kind: Some(Kind::Long(Default::default())) };
    /// let field = StructField { name: "id".into(), data_type: Some(long.clone()), nullable: false, metadata: None };
    /// let schema = proto::DataType { kind: Some(Kind::Struct(Struct { fields: vec![field], ..Default::default() })) };
    /// assert_eq!(StructType::from_proto(&schema)?.field_names(), ["id"]);
    /// assert!(StructType::from_proto(&long).is_err()); // not a struct
    /// # Ok::<(), spark_connect_dataframe::Error>(())
    /// ```
    pub fn from_proto(proto: &proto::DataType) -> Result<StructType, Error> {
        match DataType::from_proto(proto)? {
            DataType::Struct(s) => Ok(s),
            other => Err(Error::Protocol(format!(
                "expected a struct type for a schema, got {}",
                other.type_name()
            ))),
        }
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.type_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::data_type::{self as dt, Kind};

    fn t(kind: Kind) -> proto::DataType {
        proto::DataType { kind: Some(kind) }
    }

    #[test]
    fn the_default_collation_named_or_not_is_the_default_string() {
        let string = |collation: &str| {
            DataType::from_proto(&t(Kind::String(dt::String {
                type_variation_reference: 0,
                collation: collation.to_string(),
            })))
            .unwrap()
        };
        // Spark 4.0 names the default collation where Spark 4.3 leaves it empty.
        assert_eq!(string("UTF8_BINARY"), DataType::string());
        assert_eq!(string(""), DataType::string());
        assert_eq!(
            string("UTF8_LCASE"),
            DataType::String {
                collation: "UTF8_LCASE".to_string()
            }
        );
    }

    #[test]
    fn nested_types_round_trip_to_names_and_arrow() {
        let schema = t(Kind::Struct(dt::Struct {
            fields: vec![
                dt::StructField {
                    name: "id".into(),
                    data_type: Some(t(Kind::Long(dt::Long::default()))),
                    nullable: false,
                    metadata: None,
                },
                dt::StructField {
                    name: "tags".into(),
                    data_type: Some(t(Kind::Array(Box::new(dt::Array {
                        element_type: Some(Box::new(t(Kind::String(dt::String::default())))),
                        contains_null: true,
                        type_variation_reference: 0,
                    })))),
                    nullable: true,
                    metadata: None,
                },
                dt::StructField {
                    name: "d".into(),
                    data_type: Some(t(Kind::Decimal(dt::Decimal {
                        scale: Some(2),
                        precision: Some(10),
                        type_variation_reference: 0,
                    }))),
                    nullable: true,
                    metadata: None,
                },
                dt::StructField {
                    name: "i".into(),
                    data_type: Some(t(Kind::DayTimeInterval(dt::DayTimeInterval {
                        start_field: Some(0),
                        end_field: Some(3),
                        type_variation_reference: 0,
                    }))),
                    nullable: true,
                    metadata: None,
                },
            ],
            type_variation_reference: 0,
        }));
        let s = StructType::from_proto(&schema).unwrap();
        assert_eq!(s.field_names(), vec!["id", "tags", "d", "i"]);
        assert_eq!(
            DataType::Struct(s.clone()).type_name(),
            "struct<id:bigint,tags:array<string>,d:decimal(10,2),i:interval day to second>"
        );
        let arrow = s.to_arrow("UTC");
        assert_eq!(arrow.field(0).data_type(), &ArrowType::Int64);
        assert!(!arrow.field(0).is_nullable());
        assert_eq!(arrow.field(2).data_type(), &ArrowType::Decimal128(10, 2));
        assert_eq!(
            arrow.field(3).data_type(),
            &ArrowType::Duration(TimeUnit::Microsecond)
        );
        assert!(
            s.tree_string()
                .contains(" |-- tags: array<string> (nullable = true)")
        );
    }

    #[test]
    fn ddl_quotes_field_names_that_need_it() {
        let field = |name: &str| StructField {
            name: name.into(),
            data_type: DataType::Integer,
            nullable: true,
            metadata: None,
        };
        let t = DataType::Struct(StructType {
            fields: vec![
                field("plain_1"),
                field("a b"),
                field("x`y"),
                field("9lives"),
            ],
        });
        assert_eq!(
            t.ddl(),
            "struct<plain_1:int,`a b`:int,`x``y`:int,`9lives`:int>"
        );
        assert_eq!(
            t.type_name(),
            "struct<plain_1:int,a b:int,x`y:int,9lives:int>"
        );
    }

    #[test]
    fn missing_kind_is_an_error_not_a_panic() {
        let e = DataType::from_proto(&proto::DataType { kind: None }).unwrap_err();
        assert!(e.to_string().contains("without a kind"));
        let e = StructType::from_proto(&t(Kind::Long(dt::Long::default()))).unwrap_err();
        assert!(e.to_string().contains("expected a struct type"));
    }
}
