//! Rows of a result, read by column name or position with typed getters, as PySpark's `Row`.
//!
//! [`DataFrame::first`](crate::DataFrame::first), [`head`](crate::DataFrame::head),
//! [`take`](crate::DataFrame::take), [`tail`](crate::DataFrame::tail) and
//! [`collect_rows`](crate::DataFrame::collect_rows) give [`Row`]s. A row is a position in a
//! result batch, not a copy of its values: [`Row::get`] reads one value straight from the
//! batch's Arrow arrays, as the Rust type asked for.
//!
//! | PySpark | Rust |
//! |---|---|
//! | `row.id`, `row["id"]` | `row.get::<i64>("id")?` |
//! | `row[0]` | `row.get::<i64>(0)?` |
//! | a value that may be `None` | `row.get::<Option<i64>>("id")?` |
//! | `row.__fields__` | `row.names()`, `row.fields()`, `row.schema()` |
//! | `row.asDict()` | `row.deserialize::<T>()?` (feature `serde`) |
//! | `repr(row)`: `Row(id=1, name='a')` | `row.to_string()`, `format!("{row:?}")` |
//!
//! # Which Rust types read which Spark types
//!
//! | Spark | Rust ([`FromValue`]) |
//! |---|---|
//! | `boolean` | `bool` |
//! | `tinyint`, `smallint`, `int`, `bigint` | `i8`, `i16`, `i32`, `i64` (and any wider of these: an `int` reads as `i64` too) |
//! | `float`, `double` | `f32`, `f64` (a `float` reads as `f64` too) |
//! | `decimal(p,s)` | [`Decimal`] (exact; `to_string()`, `to_f64()`) |
//! | `string`, `char(n)`, `varchar(n)` | `String`, `&str` (borrowed from the batch) |
//! | `binary` | `Vec<u8>`, `&[u8]` (borrowed) |
//! | `date` | `chrono::NaiveDate` |
//! | `timestamp` | `chrono::DateTime<Utc>` (the instant), `chrono::NaiveDateTime` (the wall-clock time in the session time zone, as `show()` prints it) |
//! | `timestamp_ntz` | `chrono::NaiveDateTime` |
//! | `interval day to second` (and its narrower forms) | `chrono::TimeDelta` |
//! | `interval year to month` (and its narrower forms) | [`YearMonthInterval`] |
//! | `interval` (calendar interval) | [`CalendarInterval`] |
//! | `array<T>` | `Vec<T>` |
//! | `map<K,V>` | `HashMap<K, V>`, `BTreeMap<K, V>` |
//! | `struct<…>` | [`Row`] (a nested row, read with the same getters) |
//! | `variant` | [`Row`] of its `value` and `metadata` binaries |
//! | any, when null | `Option<T>` gives `None`; `T` alone is an error |
//!
//! Nested values read as nested rows (`row.get::<Row>("address")?.get::<String>("city")?`)
//! or, with the `serde` feature, as your own types: [`Row::get_as`] and
//! [`Row::deserialize`] read them through serde with the rules of
//! [`collect_as`](crate::DataFrame::collect_as).
//!
//! A value that cannot be read as the type asked for is an error that names the column, the
//! value's Spark and Arrow types and the Rust types that do read it
//! ([`Error::ValueType`]); an unknown name or position is
//! [`Error::NoSuchColumn`] or
//! [`Error::ColumnIndexOutOfRange`]; never a panic.

mod display;
mod value;

#[cfg(feature = "serde")]
pub(crate) mod de;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_schema::Fields;

use crate::Error;
use crate::types::StructType;

pub use value::{CalendarInterval, Decimal, FromValue, Value, YearMonthInterval};

/// The columns rows share: the fields and arrays of a result batch, or of a struct value.
#[derive(Debug)]
struct Columns {
    fields: Fields,
    arrays: Vec<ArrayRef>,
}

/// One row of a result, as PySpark's `Row`: values read by column name or position with a
/// typed getter, [`get`](Self::get).
///
/// A row is a batch and a position in it: making one copies no values, and the rows of a
/// batch share it (cloning a row is cheap). See the [module documentation](crate::row) for
/// which Rust types read which Spark types.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{Int64Array, RecordBatch, StringArray};
/// use spark_connect_dataframe::Row;
///
/// # fn main() -> Result<(), spark_connect_dataframe::Error> {
/// let batch = RecordBatch::try_from_iter([
///     ("id", Arc::new(Int64Array::from(vec![1, 2])) as _),
///     ("name", Arc::new(StringArray::from(vec![Some("a"), None])) as _),
/// ])?;
/// let rows = Row::from_batch(&batch);
/// assert_eq!(rows[0].get::<i64>("id")?, 1);
/// assert_eq!(rows[0].get::<&str>(1)?, "a");
/// assert_eq!(rows[1].get::<Option<String>>("name")?, None);
/// assert_eq!(rows[1].to_string(), "Row(id=2, name=None)");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Row {
    columns: Arc<Columns>,
    index: usize,
}

impl Row {
    /// The rows of a batch, in order (one per row; none for an empty batch).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Int32Array, RecordBatch};
    /// use spark_connect_dataframe::Row;
    ///
    /// # fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// let batch = RecordBatch::try_from_iter([("x", Arc::new(Int32Array::from(vec![7, 8])) as _)])?;
    /// let xs: Vec<i32> = Row::from_batch(&batch)
    ///     .iter()
    ///     .map(|row| row.get::<i32>("x"))
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(xs, [7, 8]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_batch(batch: &RecordBatch) -> Vec<Row> {
        let columns = Arc::new(Columns {
            fields: batch.schema().fields().clone(),
            arrays: batch.columns().to_vec(),
        });
        (0..batch.num_rows())
            .map(|index| Row {
                columns: columns.clone(),
                index,
            })
            .collect()
    }

    /// The rows of several batches, in order: what [`DataFrame::collect_rows`] gives for
    /// the batches [`DataFrame::collect`] gives.
    ///
    /// [`DataFrame::collect_rows`]: crate::DataFrame::collect_rows
    /// [`DataFrame::collect`]: crate::DataFrame::collect
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Int32Array, RecordBatch};
    /// use spark_connect_dataframe::Row;
    ///
    /// # fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// let batch = |v: Vec<i32>| RecordBatch::try_from_iter([("x", Arc::new(Int32Array::from(v)) as _)]);
    /// let rows = Row::from_batches(&[batch(vec![1, 2])?, batch(vec![])?, batch(vec![3])?]);
    /// assert_eq!(rows.len(), 3);
    /// assert_eq!(rows[2].get::<i32>(0)?, 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_batches(batches: &[RecordBatch]) -> Vec<Row> {
        batches.iter().flat_map(Row::from_batch).collect()
    }

    /// The row of a struct array at `index`: a nested row.
    pub(crate) fn from_struct(array: &StructArray, index: usize) -> Row {
        Row {
            columns: Arc::new(Columns {
                fields: array.fields().clone(),
                arrays: array.columns().to_vec(),
            }),
            index,
        }
    }

    /// The value of a column, read as `T`: by name (`"id"`) or by position (`0`), as
    /// PySpark's `row.id`, `row["id"]` and `row[0]`.
    ///
    /// A null value reads as `None` when `T` is an `Option`, and is an error otherwise. A
    /// name no column has, or several have, a position past the last column, and a value
    /// that `T` cannot hold are errors that say so; see the [module
    /// documentation](crate::row) for the types.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Int64Array, RecordBatch};
    /// use spark_connect_dataframe::{Error, Row};
    ///
    /// # fn main() -> Result<(), Error> {
    /// # let batch = RecordBatch::try_from_iter([("id", Arc::new(Int64Array::from(vec![Some(7), None])) as _)])?;
    /// let rows = Row::from_batch(&batch); // `id`: bigint, 7 and null
    /// assert_eq!(rows[0].get::<i64>("id")?, 7);
    /// assert_eq!(rows[1].get::<Option<i64>>(0)?, None);
    /// assert!(matches!(rows[1].get::<i64>("id"), Err(Error::NullValue { .. })));
    /// assert!(matches!(rows[0].get::<String>("id"), Err(Error::ValueType { .. })));
    /// assert!(matches!(rows[0].get::<i64>("ID"), Err(Error::NoSuchColumn { .. })));
    /// assert!(matches!(rows[0].get::<i64>(1), Err(Error::ColumnIndexOutOfRange { .. })));
    /// # Ok(())
    /// # }
    /// ```
    pub fn get<'a, T: FromValue<'a>>(&'a self, column: impl RowIndex) -> Result<T, Error> {
        T::from_value(self.value(column)?)
    }

    /// The value of a column, unread: whether it is null, its Spark and Arrow types, and its
    /// array, for reading it some other way.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Int64Array, RecordBatch};
    /// use spark_connect_dataframe::{DataType, Row};
    ///
    /// # fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let batch = RecordBatch::try_from_iter([("id", Arc::new(Int64Array::from(vec![None::<i64>])) as _)])?;
    /// let row = &Row::from_batch(&batch)[0];
    /// let id = row.value("id")?;
    /// assert!(id.is_null());
    /// assert_eq!(id.spark_type(), DataType::Long);
    /// # Ok(())
    /// # }
    /// ```
    pub fn value(&self, column: impl RowIndex) -> Result<Value<'_>, Error> {
        let position = column.position(self)?;
        Ok(Value::new(
            self.columns.arrays[position].as_ref(),
            self.index,
            self.columns.fields[position].name(),
        ))
    }

    /// Whether a column's value is null.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Int64Array, RecordBatch};
    /// # use spark_connect_dataframe::Row;
    /// # fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let batch = RecordBatch::try_from_iter([("id", Arc::new(Int64Array::from(vec![None::<i64>])) as _)])?;
    /// # let row = &Row::from_batch(&batch)[0];
    /// assert!(row.is_null("id")?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_null(&self, column: impl RowIndex) -> Result<bool, Error> {
        Ok(self.value(column)?.is_null())
    }

    /// How many columns the row has.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Int64Array, RecordBatch};
    /// # use spark_connect_dataframe::Row;
    /// # let batch = RecordBatch::try_from_iter([("id", Arc::new(Int64Array::from(vec![1])) as _)]).unwrap();
    /// let row = &Row::from_batch(&batch)[0];
    /// assert_eq!(row.len(), 1);
    /// assert!(!row.is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.columns.fields.len()
    }

    /// Whether the row has no columns (a result with no columns has rows of none).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Int64Array, RecordBatch};
    /// # use spark_connect_dataframe::Row;
    /// # let batch = RecordBatch::try_from_iter([("id", Arc::new(Int64Array::from(vec![1])) as _)]).unwrap();
    /// assert!(!Row::from_batch(&batch)[0].is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.columns.fields.is_empty()
    }

    /// The column names, in order (PySpark's `row.__fields__`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Int64Array, RecordBatch};
    /// # use spark_connect_dataframe::Row;
    /// # let batch = RecordBatch::try_from_iter([("id", Arc::new(Int64Array::from(vec![1])) as _)]).unwrap();
    /// let row = &Row::from_batch(&batch)[0];
    /// assert_eq!(row.names().collect::<Vec<_>>(), ["id"]);
    /// ```
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.columns.fields.iter().map(|f| f.name().as_str())
    }

    /// The Arrow fields of the columns (name, Arrow type, nullability).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Int64Array, RecordBatch};
    /// # use spark_connect_dataframe::Row;
    /// # let batch = RecordBatch::try_from_iter([("id", Arc::new(Int64Array::from(vec![1])) as _)]).unwrap();
    /// let row = &Row::from_batch(&batch)[0];
    /// assert_eq!(row.fields()[0].data_type(), &arrow_schema::DataType::Int64);
    /// ```
    pub fn fields(&self) -> &Fields {
        &self.columns.fields
    }

    /// The Spark schema of the columns ([`StructType::from_arrow`]).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Int64Array, RecordBatch};
    /// # use spark_connect_dataframe::Row;
    /// # let batch = RecordBatch::try_from_iter([("id", Arc::new(Int64Array::from(vec![1])) as _)]).unwrap();
    /// let row = &Row::from_batch(&batch)[0];
    /// assert_eq!(row.schema().fields[0].data_type.type_name(), "bigint");
    /// ```
    pub fn schema(&self) -> StructType {
        StructType::from_arrow(&self.columns.fields)
    }

    /// The position of the column of that name, if exactly one column has it.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Int64Array, RecordBatch};
    /// # use spark_connect_dataframe::Row;
    /// # let batch = RecordBatch::try_from_iter([("id", Arc::new(Int64Array::from(vec![1])) as _)]).unwrap();
    /// let row = &Row::from_batch(&batch)[0];
    /// assert_eq!(row.index_of("id"), Some(0));
    /// assert_eq!(row.index_of("name"), None);
    /// ```
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.position(name).ok()
    }

    fn position(&self, name: &str) -> Result<usize, Error> {
        let mut found = self
            .columns
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name() == name)
            .map(|(i, _)| i);
        match (found.next(), found.next()) {
            (Some(i), None) => Ok(i),
            (None, _) => Err(Error::NoSuchColumn {
                name: name.to_string(),
                available: self.names().map(str::to_string).collect(),
            }),
            (Some(first), Some(second)) => {
                let mut positions = vec![first, second];
                positions.extend(found);
                Err(Error::AmbiguousColumn {
                    name: name.to_string(),
                    positions,
                })
            }
        }
    }

    /// The columns' arrays and the row's position in them.
    pub(crate) fn parts(&self) -> (&Fields, &[ArrayRef], usize) {
        (&self.columns.fields, &self.columns.arrays, self.index)
    }
}

#[cfg(feature = "serde")]
impl Row {
    /// The value of a column read through serde as `T`, with the rules of
    /// [`collect_as`](crate::DataFrame::collect_as): a struct column into your own struct,
    /// an array into a `Vec` of them, a map into a map, a `timestamp` into chrono's types.
    /// Feature `serde`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{ArrayRef, Int32Array, RecordBatch, StringArray, StructArray};
    /// # use arrow_schema::{DataType, Field};
    /// use spark_connect_dataframe::Row;
    ///
    /// #[derive(serde::Deserialize, Debug, PartialEq)]
    /// struct Address {
    ///     city: String,
    ///     zip: Option<i32>,
    /// }
    /// # fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let address = StructArray::from(vec![
    /// #     (Arc::new(Field::new("city", DataType::Utf8, false)), Arc::new(StringArray::from(vec!["Oslo"])) as ArrayRef),
    /// #     (Arc::new(Field::new("zip", DataType::Int32, true)), Arc::new(Int32Array::from(vec![None])) as ArrayRef),
    /// # ]);
    /// # let batch = RecordBatch::try_from_iter([("address", Arc::new(address) as ArrayRef)])?;
    /// let row = &Row::from_batch(&batch)[0]; // address: struct<city:string,zip:int>
    /// let address: Address = row.get_as("address")?;
    /// assert_eq!(address, Address { city: "Oslo".into(), zip: None });
    /// # Ok(())
    /// # }
    /// ```
    pub fn get_as<T: serde::de::DeserializeOwned>(
        &self,
        column: impl RowIndex,
    ) -> Result<T, Error> {
        de::from_value(self.value(column)?)
    }

    /// The whole row read through serde as `T`: a struct whose fields are matched to the
    /// columns by name, a tuple matched by position, or a map (PySpark's `row.asDict()`),
    /// with the rules of [`collect_as`](crate::DataFrame::collect_as). Feature `serde`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::collections::BTreeMap;
    /// # use arrow_array::{Int64Array, RecordBatch, StringArray};
    /// use spark_connect_dataframe::Row;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Person {
    ///     id: i64,
    ///     name: String,
    /// }
    /// # fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let batch = RecordBatch::try_from_iter([
    /// #     ("id", Arc::new(Int64Array::from(vec![1])) as _),
    /// #     ("name", Arc::new(StringArray::from(vec!["Ada"])) as _),
    /// # ])?;
    /// let row = &Row::from_batch(&batch)[0]; // Row(id=1, name='Ada')
    /// let person: Person = row.deserialize()?;
    /// assert_eq!((person.id, person.name.as_str()), (1, "Ada"));
    /// let (id, name): (i64, String) = row.deserialize()?;
    /// assert_eq!((id, name.as_str()), (1, "Ada"));
    /// let dict: BTreeMap<String, serde_json::Value> = row.deserialize()?;
    /// assert_eq!(dict["name"], "Ada");
    /// # Ok(())
    /// # }
    /// ```
    pub fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        de::from_row(self)
    }
}

/// A column of a [`Row`]: its name (`&str`, `String`) or its position (`usize`).
///
/// Sealed: only those types name a column.
///
/// ```
/// # use std::sync::Arc;
/// # use arrow_array::{Int64Array, RecordBatch};
/// use spark_connect_dataframe::Row;
///
/// # fn main() -> Result<(), spark_connect_dataframe::Error> {
/// # let batch = RecordBatch::try_from_iter([("id", Arc::new(Int64Array::from(vec![5])) as _)])?;
/// let row = &Row::from_batch(&batch)[0];
/// let name = String::from("id");
/// assert_eq!(row.get::<i64>("id")?, row.get::<i64>(0)?);
/// assert_eq!(row.get::<i64>(&name)?, 5);
/// # Ok(())
/// # }
/// ```
pub trait RowIndex: sealed::Sealed {
    /// The position of the column this names in `row`.
    #[doc(hidden)]
    fn position(&self, row: &Row) -> Result<usize, Error>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for usize {}
    impl Sealed for &str {}
    impl Sealed for String {}
    impl Sealed for &String {}
}

impl RowIndex for usize {
    fn position(&self, row: &Row) -> Result<usize, Error> {
        if *self < row.len() {
            Ok(*self)
        } else {
            Err(Error::ColumnIndexOutOfRange {
                index: *self,
                len: row.len(),
            })
        }
    }
}

impl RowIndex for &str {
    fn position(&self, row: &Row) -> Result<usize, Error> {
        row.position(self)
    }
}

impl RowIndex for String {
    fn position(&self, row: &Row) -> Result<usize, Error> {
        row.position(self)
    }
}

impl RowIndex for &String {
    fn position(&self, row: &Row) -> Result<usize, Error> {
        row.position(self)
    }
}

impl PartialEq for Row {
    /// Rows are equal when their column names and values are (PySpark compares rows as
    /// tuples, by value).
    fn eq(&self, other: &Row) -> bool {
        self.len() == other.len()
            && self.names().eq(other.names())
            && (0..self.len()).all(|i| {
                let a = self.columns.arrays[i].slice(self.index, 1);
                let b = other.columns.arrays[i].slice(other.index, 1);
                a.to_data() == b.to_data()
            })
    }
}
