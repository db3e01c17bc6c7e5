//! Test entry points for the fuzz targets in `fuzz/` and the tests that replay their seed
//! corpora. Not part of the supported API.

use arrow_array::RecordBatch;

use crate::Error;
use crate::proto::ExecutePlanResponse;
use crate::result::ResultDecoder;

/// Feeds `responses` through the same decoder that a live result stream uses and returns the
/// decoded batches, or the first error. It must never panic, whatever the responses hold.
pub fn decode_execute_plan_responses(
    responses: impl IntoIterator<Item = ExecutePlanResponse>,
) -> Result<Vec<RecordBatch>, Error> {
    let mut decoder = ResultDecoder::default();
    let mut batches = Vec::new();
    for response in responses {
        decoder.handle(response)?;
        while let Some(batch) = decoder.next_batch() {
            batches.push(batch);
        }
    }
    decoder.finish()?;
    if batches.is_empty()
        && let Some(schema) = decoder.empty_result_schema()
    {
        batches.push(RecordBatch::new_empty(schema));
    }
    Ok(batches)
}
