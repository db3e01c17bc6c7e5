//! Very deep plans (thousands of chained transformations): dropped without recursion, and
//! refused with a clear error before encoding one deeper than any server accepts (encoding and
//! cloning a protobuf tree recurse once per level and would overflow the stack first).

use proto::relation::RelType;
use spark_connect_transport::proto;

use crate::Error;

/// The deepest chain of relations this client sends. Spark Connect servers refuse far less
/// (`spark.connect.grpc.marshallerRecursionLimit`, 1024 protobuf levels by default, and each
/// relation is at least two levels), so this only stops plans no server would take, before
/// their encoding could overflow the stack.
pub const MAX_PLAN_DEPTH: usize = 5_000;

/// Runs `$on` with `$x` bound to each child relation of the common relation types (one
/// `input`, or a `left` and a `right`); other relations are treated as leaves (their children,
/// if any, are handled by the ordinary recursive code). `$get` is `as_ref` or `take`.
macro_rules! for_children {
    ($rel:expr, $get:ident, |$x:ident| $on:expr) => {
        for_children!(@arms $rel, $get, $x, $on; Project, Filter, Sort, Limit, Aggregate, Sample,
            Offset, Deduplicate, SubqueryAlias, Repartition, ToDf, WithColumnsRenamed,
            ShowString, Drop, Tail, WithColumns, Hint, Unpivot, ToSchema, CollectMetrics,
            WithWatermark, HtmlString, Transpose, FillNa, DropNa, Replace)
    };
    (@arms $rel:expr, $get:ident, $x:ident, $on:expr; $($single:ident),*) => {
        match $rel {
            $(Some(RelType::$single(r)) => {
                if let Some($x) = r.input.$get() {
                    $on;
                }
            })*
            Some(RelType::Join(r)) => {
                if let Some($x) = r.left.$get() {
                    $on;
                }
                if let Some($x) = r.right.$get() {
                    $on;
                }
            }
            Some(RelType::SetOp(r)) => {
                if let Some($x) = r.left_input.$get() {
                    $on;
                }
                if let Some($x) = r.right_input.$get() {
                    $on;
                }
            }
            _ => {}
        }
    };
}

/// The length of the longest chain of relations in `plan` (1 for a leaf), counted without
/// recursion.
pub(crate) fn plan_depth(plan: &proto::Relation) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(plan, 1usize)];
    while let Some((relation, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        for_children!(relation.rel_type.as_ref(), as_ref, |child| stack
            .push((child.as_ref(), depth + 1)));
    }
    deepest
}

/// An error when a plan `depth` relations deep is deeper than [`MAX_PLAN_DEPTH`].
pub(crate) fn check_depth(depth: usize) -> Result<(), Error> {
    if depth > MAX_PLAN_DEPTH {
        return Err(Error::InvalidArgument(format!(
            "the plan is {depth} relations deep; this client sends at most {MAX_PLAN_DEPTH} \
             (Spark Connect servers refuse plans deeper than \
             spark.connect.grpc.marshallerRecursionLimit protobuf levels, 1024 by default): \
             checkpoint or cache an intermediate result, or merge chained with_column calls \
             into with_columns"
        )));
    }
    Ok(())
}

/// Drops `relation` level by level, without recursion along the chains of relations.
pub(crate) fn take_apart(relation: proto::Relation) {
    let mut stack = vec![relation];
    while let Some(mut relation) = stack.pop() {
        for_children!(relation.rel_type.as_mut(), take, |child| stack.push(*child));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(depth: usize) -> proto::Relation {
        let mut relation = proto::Relation {
            common: None,
            rel_type: Some(RelType::Range(proto::Range {
                start: Some(0),
                end: 1,
                step: 1,
                num_partitions: None,
            })),
        };
        for i in 1..depth {
            relation = proto::Relation {
                common: None,
                rel_type: Some(if i % 2 == 0 {
                    RelType::Limit(Box::new(proto::Limit {
                        input: Some(Box::new(relation)),
                        limit: 5,
                    }))
                } else {
                    RelType::WithColumns(Box::new(proto::WithColumns {
                        input: Some(Box::new(relation)),
                        aliases: Vec::new(),
                    }))
                }),
            };
        }
        relation
    }

    #[test]
    fn depth_is_counted_without_recursion_on_a_small_stack() {
        let depths = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let deep = chain(100_000);
                let depth = plan_depth(&deep);
                let checked = check_depth(plan_depth(&deep)).is_err();
                // Taken apart without recursion (a plain drop would overflow here).
                take_apart(deep);
                let (small, limit) = (chain(3), chain(MAX_PLAN_DEPTH));
                let result = (
                    depth,
                    checked,
                    plan_depth(&small),
                    check_depth(plan_depth(&limit)).is_ok(),
                );
                take_apart(small);
                take_apart(limit);
                result
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(depths, (100_000, true, 3, true));
    }

    #[test]
    fn joins_count_their_deeper_side() {
        let join = proto::Relation {
            common: None,
            rel_type: Some(RelType::Join(Box::new(proto::Join {
                left: Some(Box::new(chain(7))),
                right: Some(Box::new(chain(2))),
                ..Default::default()
            }))),
        };
        assert_eq!(plan_depth(&join), 8);
    }
}
