//! Where to place the copy of an Arrow payload so that Arrow need not copy its buffers again.
//!
//! Spark's Java writer pads IPC buffers to 8 bytes, but Arrow needs 16-byte alignment for
//! `i128`-based buffers (`Decimal128`, `Decimal256`, `Interval(MonthDayNano)`) and copies any
//! such buffer that is not, so a batch kept the decimal column twice: inside the payload copy and
//! realigned. Copying the payload 8 bytes further into its (64-byte aligned) allocation aligns
//! the buffers that were at 8 mod 16. This only chooses a placement: a wrong guess costs the
//! copy Arrow makes anyway, never a wrong result.

use arrow_schema::{DataType, IntervalUnit, Schema};

/// The shift (0 or 8 bytes) at which to copy `payload` so that most of the bytes of its first
/// record batch's 16-byte-aligned buffers are aligned; 0 when unknown. `schema` is the
/// result's schema if known (else one read from a schema message in the payload).
pub(crate) fn payload_shift(payload: &[u8], schema: Option<&Schema>) -> usize {
    shift(payload, schema).unwrap_or(0)
}

fn shift(payload: &[u8], schema: Option<&Schema>) -> Option<usize> {
    let mut read_schema = None;
    let mut pos = 0usize;
    // A few messages at most: a schema, then a record batch.
    for _ in 0..4 {
        let word = |at: usize| -> Option<i32> {
            Some(i32::from_le_bytes(
                payload.get(at..at + 4)?.try_into().ok()?,
            ))
        };
        let (meta_start, len) = match word(pos)? {
            -1 => (pos + 8, usize::try_from(word(pos + 4)?).ok()?),
            n => (pos + 4, usize::try_from(n).ok()?),
        };
        if len == 0 {
            return None;
        }
        let meta = payload.get(meta_start..meta_start.checked_add(len)?)?;
        let message = arrow_ipc::root_as_message(meta).ok()?;
        let body_start = meta_start + len;
        if let Some(fb) = message.header_as_schema() {
            read_schema = arrow_ipc::convert::try_fb_to_schema(fb).ok();
        } else if let Some(batch) = message.header_as_record_batch() {
            if batch.compression().is_some() {
                // Decompressed into new buffers anyway.
                return None;
            }
            let schema = schema.or(read_schema.as_ref())?;
            let mut wide = Vec::new();
            for field in schema.fields() {
                buffers(field.data_type(), &mut wide)?;
            }
            let offsets = batch.buffers()?;
            if offsets.len() != wide.len() {
                return None;
            }
            let (mut at0, mut at8) = (0u64, 0u64);
            for (b, needs16) in offsets.iter().zip(wide) {
                if !needs16 || b.length() <= 0 {
                    continue;
                }
                let start = (body_start as u64).wrapping_add(b.offset() as u64);
                if start.is_multiple_of(16) {
                    at0 += b.length() as u64;
                } else if start % 16 == 8 {
                    at8 += b.length() as u64;
                }
            }
            return Some(if at8 > at0 { 8 } else { 0 });
        } else {
            return None;
        }
        pos = body_start.checked_add(usize::try_from(message.bodyLength()).ok()?)?;
    }
    None
}

/// Appends, for each IPC buffer of a field of type `dt` in order, whether it needs 16-byte
/// alignment; `None` for types whose buffers this does not lay out.
fn buffers(dt: &DataType, out: &mut Vec<bool>) -> Option<()> {
    use DataType::*;
    match dt {
        Null => {}
        Boolean | Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64 | Float16
        | Float32 | Float64 | Date32 | Date64 | Time32(_) | Time64(_) | Timestamp(..)
        | Duration(_) | FixedSizeBinary(_) | Decimal32(..) | Decimal64(..) => {
            out.extend([false, false]);
        }
        Interval(IntervalUnit::YearMonth | IntervalUnit::DayTime) => out.extend([false, false]),
        Interval(IntervalUnit::MonthDayNano) | Decimal128(..) | Decimal256(..) => {
            out.extend([false, true]);
        }
        Utf8 | Binary | LargeUtf8 | LargeBinary => out.extend([false, false, false]),
        List(f) | LargeList(f) | Map(f, _) => {
            out.extend([false, false]);
            buffers(f.data_type(), out)?;
        }
        FixedSizeList(f, _) => {
            out.push(false);
            buffers(f.data_type(), out)?;
        }
        Struct(fields) => {
            out.push(false);
            for f in fields {
                buffers(f.data_type(), out)?;
            }
        }
        _ => return None,
    }
    Some(())
}
