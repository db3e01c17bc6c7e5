//! Window specifications: which rows a window function sees.

use proto::expression::window::window_frame::{self, FrameBoundary, frame_boundary::Boundary};
use proto::expression::{self as ex, ExprType};
use spark_connect_transport::proto;

use crate::column::Column;
use crate::column::arguments::IntoColumns;

/// Builds [`WindowSpec`]s, as PySpark's `Window` class does:
/// `Window::partition_by("dept").order_by(col("salary").desc())`; each takes one column or
/// several (see [`IntoColumns`]).
///
/// ```
/// use spark_connect_dataframe::Window;
/// use spark_connect_dataframe::functions::{col, row_number, sum};
///
/// let w = Window::partition_by("dept").order_by(col("salary").desc());
/// let rank = row_number().over(&w);
/// let running = sum("salary").over(&w.rows_between(Window::UNBOUNDED_PRECEDING, Window::CURRENT_ROW));
/// # let _ = (rank, running);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Window;

impl Window {
    /// The frame starts at the partition's first row (as a `start`).
    pub const UNBOUNDED_PRECEDING: i64 = i64::MIN;
    /// The frame ends at the partition's last row (as an `end`).
    pub const UNBOUNDED_FOLLOWING: i64 = i64::MAX;
    /// The current row.
    pub const CURRENT_ROW: i64 = 0;

    /// A window partitioned by these columns (names or expressions, one or several).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # fn window(w: &WindowSpec) -> proto::expression::Window {
    /// #     use proto::expression::ExprType;
    /// #     let over = functions::row_number().over(w);
    /// #     let Some(ExprType::Window(w)) = &over.to_proto().expr_type else { panic!() };
    /// #     (**w).clone()
    /// # }
    /// let w = Window::partition_by(["dept", "team"]);
    /// assert_eq!(window(&w).partition_spec.len(), 2);
    /// ```
    pub fn partition_by(cols: impl IntoColumns) -> WindowSpec {
        WindowSpec::default().partition_by(cols)
    }

    /// A window ordered by these columns (one or several); plain columns sort ascending.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # fn window(w: &WindowSpec) -> proto::expression::Window {
    /// #     use proto::expression::ExprType;
    /// #     let over = functions::row_number().over(w);
    /// #     let Some(ExprType::Window(w)) = &over.to_proto().expr_type else { panic!() };
    /// #     (**w).clone()
    /// # }
    /// use spark_connect_dataframe::functions::col;
    /// let w = Window::order_by(col("salary").desc());
    /// assert_eq!(window(&w).order_spec.len(), 1);
    /// ```
    pub fn order_by(cols: impl IntoColumns) -> WindowSpec {
        WindowSpec::default().order_by(cols)
    }

    /// A window with a row frame; see [`WindowSpec::rows_between`].
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # fn window(w: &WindowSpec) -> proto::expression::Window {
    /// #     use proto::expression::ExprType;
    /// #     let over = functions::row_number().over(w);
    /// #     let Some(ExprType::Window(w)) = &over.to_proto().expr_type else { panic!() };
    /// #     (**w).clone()
    /// # }
    /// let w = Window::rows_between(-1, 1);
    /// assert!(window(&w).frame_spec.is_some());
    /// ```
    pub fn rows_between(start: i64, end: i64) -> WindowSpec {
        WindowSpec::default().rows_between(start, end)
    }

    /// A window with a range frame; see [`WindowSpec::range_between`].
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # fn window(w: &WindowSpec) -> proto::expression::Window {
    /// #     use proto::expression::ExprType;
    /// #     let over = functions::row_number().over(w);
    /// #     let Some(ExprType::Window(w)) = &over.to_proto().expr_type else { panic!() };
    /// #     (**w).clone()
    /// # }
    /// let w = Window::range_between(Window::UNBOUNDED_PRECEDING, Window::CURRENT_ROW);
    /// assert!(window(&w).frame_spec.is_some());
    /// ```
    pub fn range_between(start: i64, end: i64) -> WindowSpec {
        WindowSpec::default().range_between(start, end)
    }
}

/// A window: partitioning, ordering and frame. Apply it with [`Column::over`]. The methods
/// borrow the spec and return a new one, so a spec can be the base of several windows.
///
/// Like [`Column`], a window has no `PartialEq`: it is part of an expression that Spark
/// evaluates, not a Rust value.
///
/// ```compile_fail,E0369
/// use spark_connect_dataframe::Window;
/// let same = Window::partition_by(["a"]) == Window::partition_by(["b"]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct WindowSpec {
    partition_spec: Vec<proto::Expression>,
    order_spec: Vec<ex::SortOrder>,
    frame: Option<ex::window::WindowFrame>,
}

impl WindowSpec {
    /// Partitions by these columns (one or several), replacing any partitioning.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # fn window(w: &WindowSpec) -> proto::expression::Window {
    /// #     use proto::expression::ExprType;
    /// #     let over = functions::row_number().over(w);
    /// #     let Some(ExprType::Window(w)) = &over.to_proto().expr_type else { panic!() };
    /// #     (**w).clone()
    /// # }
    /// let by_dept = Window::order_by("day").partition_by("dept");
    /// assert_eq!((window(&by_dept).partition_spec.len(), window(&by_dept).order_spec.len()), (1, 1));
    /// ```
    pub fn partition_by(&self, cols: impl IntoColumns) -> WindowSpec {
        WindowSpec {
            partition_spec: cols
                .into_columns()
                .into_iter()
                .map(Column::into_proto)
                .collect(),
            ..self.clone()
        }
    }

    /// Orders by these columns (one or several), replacing any ordering; plain columns sort
    /// ascending with nulls first, sort orders (`col("x").desc()`) are kept.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # fn window(w: &WindowSpec) -> proto::expression::Window {
    /// #     use proto::expression::ExprType;
    /// #     let over = functions::row_number().over(w);
    /// #     let Some(ExprType::Window(w)) = &over.to_proto().expr_type else { panic!() };
    /// #     (**w).clone()
    /// # }
    /// use spark_connect_dataframe::functions::col;
    /// let w = Window::partition_by("dept").order_by([col("salary").desc(), col("name")]);
    /// assert_eq!(window(&w).order_spec.len(), 2);
    /// ```
    pub fn order_by(&self, cols: impl IntoColumns) -> WindowSpec {
        WindowSpec {
            order_spec: cols
                .into_columns()
                .into_iter()
                .map(Column::into_sort_order)
                .collect(),
            ..self.clone()
        }
    }

    /// A frame of rows relative to the current row: `-1, 1` is the row before, this row
    /// and the row after. Use [`Window::UNBOUNDED_PRECEDING`], [`Window::CURRENT_ROW`] and
    /// [`Window::UNBOUNDED_FOLLOWING`] for the open ends.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # use proto::expression::window::window_frame::FrameType;
    /// # fn window(w: &WindowSpec) -> proto::expression::Window {
    /// #     use proto::expression::ExprType;
    /// #     let over = functions::row_number().over(w);
    /// #     let Some(ExprType::Window(w)) = &over.to_proto().expr_type else { panic!() };
    /// #     (**w).clone()
    /// # }
    /// let last_3 = Window::partition_by("dept").order_by("day").rows_between(-2, Window::CURRENT_ROW);
    /// assert_eq!(window(&last_3).frame_spec.unwrap().frame_type, FrameType::Row as i32);
    /// ```
    pub fn rows_between(&self, start: i64, end: i64) -> WindowSpec {
        WindowSpec {
            frame: Some(frame(window_frame::FrameType::Row, start, end)),
            ..self.clone()
        }
    }

    /// A frame of rows whose ordering value lies within `start..=end` of the current row's
    /// (the window needs one numeric ordering column unless both ends are unbounded or the
    /// current row).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # use proto::expression::window::window_frame::FrameType;
    /// # fn window(w: &WindowSpec) -> proto::expression::Window {
    /// #     use proto::expression::ExprType;
    /// #     let over = functions::row_number().over(w);
    /// #     let Some(ExprType::Window(w)) = &over.to_proto().expr_type else { panic!() };
    /// #     (**w).clone()
    /// # }
    /// let within_7 = Window::partition_by("dept").order_by("day").range_between(-7, 0);
    /// assert_eq!(window(&within_7).frame_spec.unwrap().frame_type, FrameType::Range as i32);
    /// ```
    pub fn range_between(&self, start: i64, end: i64) -> WindowSpec {
        WindowSpec {
            frame: Some(frame(window_frame::FrameType::Range, start, end)),
            ..self.clone()
        }
    }

    pub(crate) fn apply(&self, function: Column) -> Column {
        Column::from_expr_type(ExprType::Window(Box::new(ex::Window {
            window_function: Some(Box::new(function.into_proto())),
            partition_spec: self.partition_spec.clone(),
            order_spec: self.order_spec.clone(),
            frame_spec: self.frame.clone().map(Box::new),
        })))
    }
}

fn frame(frame_type: window_frame::FrameType, start: i64, end: i64) -> ex::window::WindowFrame {
    ex::window::WindowFrame {
        frame_type: frame_type as i32,
        // As in PySpark, anything at or beyond -i64::MAX / i64::MAX is unbounded.
        lower: Some(Box::new(boundary(frame_type, start, start <= -i64::MAX))),
        upper: Some(Box::new(boundary(frame_type, end, end == i64::MAX))),
    }
}

fn boundary(frame_type: window_frame::FrameType, value: i64, unbounded: bool) -> FrameBoundary {
    let boundary = if unbounded {
        Boundary::Unbounded(true)
    } else if value == Window::CURRENT_ROW {
        Boundary::CurrentRow(true)
    } else {
        // As PySpark sends them: row offsets are ints (the server takes only ints there),
        // range offsets are bigints.
        let literal = match (frame_type, i32::try_from(value)) {
            (window_frame::FrameType::Row, Ok(v)) => crate::functions::lit(v),
            _ => crate::functions::lit(value),
        };
        Boundary::Value(Box::new(literal.into_proto()))
    };
    FrameBoundary {
        boundary: Some(boundary),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::{col, row_number};

    #[test]
    fn frames_map_bounds_to_unbounded_current_and_values() {
        let w = Window::partition_by(["a"])
            .order_by([col("b").desc(), col("c")])
            .rows_between(Window::UNBOUNDED_PRECEDING, 2);
        let Some(ExprType::Window(win)) = row_number().over(&w).into_proto().expr_type else {
            panic!("not a window")
        };
        assert_eq!(win.partition_spec.len(), 1);
        assert_eq!(
            win.order_spec[0].direction,
            ex::sort_order::SortDirection::Descending as i32
        );
        assert_eq!(
            win.order_spec[1].direction,
            ex::sort_order::SortDirection::Ascending as i32
        );
        let frame = win.frame_spec.unwrap();
        assert_eq!(frame.frame_type, window_frame::FrameType::Row as i32);
        assert_eq!(
            frame.lower.unwrap().boundary,
            Some(Boundary::Unbounded(true))
        );
        assert!(matches!(
            frame.upper.unwrap().boundary,
            Some(Boundary::Value(_))
        ));
        let range =
            Window::order_by(["b"]).range_between(Window::CURRENT_ROW, Window::UNBOUNDED_FOLLOWING);
        let frame = range.frame.unwrap();
        assert_eq!(
            frame.lower.unwrap().boundary,
            Some(Boundary::CurrentRow(true))
        );
        assert_eq!(
            frame.upper.unwrap().boundary,
            Some(Boundary::Unbounded(true))
        );
    }
}
