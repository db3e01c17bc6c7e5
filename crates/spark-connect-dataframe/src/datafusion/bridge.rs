//! Arrow data from this crate's arrow (60) to DataFusion's (59) through the Arrow C data
//! interface: the same buffers, handed over without a copy, as two libraries built on two
//! Arrow implementations exchange data.

use std::sync::Arc;

use arrow_array::{Array, RecordBatch, StructArray};
use datafusion_common::DataFusionError;
use df_arrow_array::{
    Array as _, RecordBatch as DfRecordBatch, RecordBatchOptions, StructArray as DfStructArray,
};
use df_arrow_schema::{Schema as DfSchema, SchemaRef as DfSchemaRef};

/// An Arrow 60 schema as DataFusion's Arrow schema.
pub(crate) fn schema(schema: &arrow_schema::Schema) -> Result<DfSchema, String> {
    let exported = arrow_schema::ffi::FFI_ArrowSchema::try_from(schema)
        .map_err(|e| format!("cannot export the schema through the Arrow C data interface: {e}"))?;
    let imported = move_schema(exported);
    DfSchema::try_from(&imported)
        .map_err(|e| format!("cannot import the schema through the Arrow C data interface: {e}"))
}

fn move_schema(
    mut exported: arrow_schema::ffi::FFI_ArrowSchema,
) -> df_arrow_schema::ffi::FFI_ArrowSchema {
    // SAFETY: both are the C data interface's `ArrowSchema` struct (`#[repr(C)]`, the same
    // fields); `from_raw` moves the value out and leaves a released (empty) struct behind,
    // whose drop does nothing.
    unsafe {
        df_arrow_schema::ffi::FFI_ArrowSchema::from_raw(
            (&mut exported as *mut arrow_schema::ffi::FFI_ArrowSchema).cast(),
        )
    }
}

/// A result batch from Spark as a batch of `target`, DataFusion's schema for it. The columns
/// must have `target`'s types (nested field names aside); a batch of another shape is an
/// error that names the column, never data read as another type.
pub(crate) fn batch(
    batch: RecordBatch,
    target: &DfSchemaRef,
) -> Result<DfRecordBatch, DataFusionError> {
    let rows = batch.num_rows();
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    if target.fields().is_empty() {
        // A scan that needs no column (`count(*)`): only the row count matters.
        return DfRecordBatch::try_new_with_options(Arc::clone(target), vec![], &options)
            .map_err(|e| DataFusionError::Execution(format!("Spark result batch: {e}")));
    }
    if batch.num_columns() != target.fields().len() {
        return Err(DataFusionError::Execution(format!(
            "Spark sent {} columns where the scan expects {} ({})",
            batch.num_columns(),
            target.fields().len(),
            target
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let data = StructArray::from(batch).into_data();
    let (array, schema) = arrow_array::ffi::to_ffi(&data).map_err(|e| {
        DataFusionError::Execution(format!(
            "cannot export a Spark result batch through the Arrow C data interface: {e}"
        ))
    })?;
    let mut array = array;
    // SAFETY: as in `move_schema`, for the C data interface's `ArrowArray` struct.
    let array = unsafe {
        df_arrow_array::ffi::FFI_ArrowArray::from_raw(
            (&mut array as *mut arrow_array::ffi::FFI_ArrowArray).cast(),
        )
    };
    let schema = move_schema(schema);
    // SAFETY: the array and its schema were exported together just above, by an Arrow
    // implementation that fills them as the C data interface requires.
    let imported = unsafe { df_arrow_array::ffi::from_ffi(array, &schema) }.map_err(|e| {
        DataFusionError::Execution(format!(
            "cannot import a Spark result batch through the Arrow C data interface: {e}"
        ))
    })?;
    let columns = DfStructArray::from(imported).into_parts().1;
    for (column, field) in columns.iter().zip(target.fields()) {
        if !column.data_type().equals_datatype(field.data_type()) {
            return Err(DataFusionError::Execution(format!(
                "Spark sent column `{}` as Arrow {} where its schema said {}",
                field.name(),
                column.data_type(),
                field.data_type()
            )));
        }
    }
    DfRecordBatch::try_new_with_options(Arc::clone(target), columns, &options)
        .map_err(|e| DataFusionError::Execution(format!("Spark result batch: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    #[test]
    fn batches_cross_without_copying_their_buffers() {
        let schema60 = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("name", DataType::Utf8, true),
        ]));
        let ids = Int64Array::from(vec![1, 2, 3]);
        let address = ids.values().inner().as_ptr();
        let batch60 = RecordBatch::try_new(
            Arc::clone(&schema60),
            vec![
                Arc::new(ids),
                Arc::new(StringArray::from(vec![Some("a"), None, Some("c")])),
            ],
        )
        .unwrap();
        let target = Arc::new(schema(&schema60).unwrap());
        let out = batch(batch60, &target).unwrap();
        assert_eq!(out.num_rows(), 3);
        let ids = out
            .column(0)
            .as_any()
            .downcast_ref::<df_arrow_array::Int64Array>()
            .unwrap();
        assert_eq!(ids.values().as_ref(), &[1, 2, 3]);
        assert_eq!(
            ids.values().inner().as_ptr(),
            address,
            "the buffer was copied"
        );
        let names = out
            .column(1)
            .as_any()
            .downcast_ref::<df_arrow_array::StringArray>()
            .unwrap();
        assert_eq!(
            names.iter().collect::<Vec<_>>(),
            [Some("a"), None, Some("c")]
        );
    }

    #[test]
    fn a_column_of_another_type_is_an_error_naming_it() {
        let schema60 = Schema::new(vec![Field::new("id", DataType::Int64, false)]);
        let target =
            Arc::new(schema(&Schema::new(vec![Field::new("id", DataType::Int32, false)])).unwrap());
        let batch60 = RecordBatch::try_new(
            Arc::new(schema60),
            vec![Arc::new(Int64Array::from(vec![1]))],
        )
        .unwrap();
        let e = batch(batch60, &target).unwrap_err().to_string();
        assert!(e.contains("column `id`") && e.contains("Int64"), "{e}");
    }

    #[test]
    fn a_scan_without_columns_keeps_the_row_count() {
        let schema60 = Arc::new(Schema::new(vec![Field::new("_", DataType::Boolean, false)]));
        let batch60 = RecordBatch::try_new(
            schema60,
            vec![Arc::new(arrow_array::BooleanArray::from(vec![true; 4]))],
        )
        .unwrap();
        let target = Arc::new(DfSchema::empty());
        let out = batch(batch60, &target).unwrap();
        assert_eq!((out.num_rows(), out.num_columns()), (4, 0));
    }
}
