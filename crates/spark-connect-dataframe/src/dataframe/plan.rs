//! The plan a [`DataFrame`](crate::DataFrame) holds: a tree of shared nodes, one per
//! relation, so that a transformation borrows its input (`&self`) and costs only its own
//! relation, however large the plan below it and however many DataFrames share it.
//!
//! The protocol's relations own their inputs (`Option<Box<Relation>>`), so a plan built
//! directly as one would have to be copied whole for every transformation of a DataFrame
//! that is still used elsewhere. Here each node keeps its relation with the inputs left
//! empty and points to its input nodes; the protocol's tree is assembled when it is needed
//! (a request, or [`DataFrame::to_proto`](crate::DataFrame::to_proto)), without recursion,
//! and nodes are dropped without recursion too, so chains of any depth are safe.

use std::sync::{Arc, OnceLock};

use proto::relation::RelType;
use spark_connect_transport::proto;

/// One relation of a plan, and the nodes of its inputs.
pub(crate) struct PlanNode {
    /// The relation; the slots of its inputs (see [`input_slots`]) hold empty relations,
    /// filled from `inputs` when the plan is assembled.
    relation: proto::Relation,
    /// The input nodes, in the order of the relation's input slots.
    inputs: Vec<Arc<PlanNode>>,
    /// The longest chain of relations from here down (1 for a leaf).
    depth: usize,
    /// The first bad argument given to this relation or any below it, reported by the
    /// request that would send the plan (as the writers report theirs).
    problem: Option<Arc<str>>,
    /// The assembled plan, kept once [`DataFrame::to_proto`](crate::DataFrame::to_proto)
    /// lends it.
    assembled: OnceLock<proto::Relation>,
}

impl PlanNode {
    /// A node for a whole relation (no input nodes): a leaf such as `range` or `sql`, or a
    /// plan given complete.
    pub(crate) fn leaf(relation: proto::Relation) -> PlanNode {
        PlanNode {
            depth: crate::deep_plan::plan_depth(&relation),
            relation,
            inputs: Vec::new(),
            problem: None,
            assembled: OnceLock::new(),
        }
    }

    /// A node for `relation`, whose input slots (in order) take `inputs`; `problem` is a bad
    /// argument of this relation, if any.
    pub(crate) fn with_inputs(
        relation: proto::Relation,
        inputs: Vec<Arc<PlanNode>>,
        problem: Option<String>,
    ) -> PlanNode {
        let depth = 1 + inputs.iter().map(|i| i.depth).max().unwrap_or(0);
        let problem = inputs
            .iter()
            .find_map(|i| i.problem.clone())
            .or_else(|| problem.map(Arc::from));
        PlanNode {
            relation,
            inputs,
            depth,
            problem,
            assembled: OnceLock::new(),
        }
    }

    /// The first bad argument in the plan (the deepest one: the first given).
    pub(crate) fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// The relation at the top, its inputs left out.
    pub(crate) fn top(&self) -> &proto::Relation {
        &self.relation
    }

    pub(crate) fn depth(&self) -> usize {
        self.depth
    }

    /// The whole plan, assembled once and kept.
    pub(crate) fn assembled(&self) -> &proto::Relation {
        if self.inputs.is_empty() {
            return &self.relation;
        }
        self.assembled.get_or_init(|| self.assemble())
    }

    /// The whole plan as a new protocol tree, assembled without recursion.
    pub(crate) fn assemble(&self) -> proto::Relation {
        enum Step<'a> {
            Enter(&'a PlanNode),
            Leave(&'a PlanNode),
        }
        let mut steps = vec![Step::Enter(self)];
        let mut done: Vec<proto::Relation> = Vec::new();
        while let Some(step) = steps.pop() {
            match step {
                Step::Enter(node) => {
                    steps.push(Step::Leave(node));
                    // Reversed, so that the first input is assembled first.
                    steps.extend(node.inputs.iter().rev().map(|i| Step::Enter(i)));
                }
                Step::Leave(node) => {
                    let mut relation = node.relation.clone();
                    let inputs = done.split_off(done.len() - node.inputs.len());
                    if let Some(rel_type) = relation.rel_type.as_mut() {
                        for (slot, input) in input_slots(rel_type).into_iter().flatten().zip(inputs)
                        {
                            *slot = Some(Box::new(input));
                        }
                    }
                    done.push(relation);
                }
            }
        }
        done.pop().unwrap_or_default()
    }
}

impl Drop for PlanNode {
    /// Drops the chain below without recursion: input nodes that no other plan shares are
    /// taken apart here, level by level.
    fn drop(&mut self) {
        let mut stack = std::mem::take(&mut self.inputs);
        while let Some(node) = stack.pop() {
            if let Some(mut node) = Arc::into_inner(node) {
                stack.append(&mut node.inputs);
                // `node` drops here with no inputs left.
            }
        }
        crate::deep_plan::take_apart(std::mem::take(&mut self.relation));
        if let Some(assembled) = self.assembled.take() {
            crate::deep_plan::take_apart(assembled);
        }
    }
}

/// An empty relation: what an input slot holds until the plan is assembled.
pub(crate) fn placeholder() -> Option<Box<proto::Relation>> {
    Some(Box::default())
}

type Slot<'a> = Option<&'a mut Option<Box<proto::Relation>>>;

/// The slots of a relation's inputs, in the order the DataFrame API fills them (the input,
/// or the left then the right side). Every relation type is named, so that a new one in the
/// protocol is a compile error here rather than a plan with a hole in it.
pub(crate) fn input_slots(rel_type: &mut RelType) -> [Slot<'_>; 2] {
    use RelType as R;
    match rel_type {
        R::Project(r) => [Some(&mut r.input), None],
        R::Filter(r) => [Some(&mut r.input), None],
        R::Sort(r) => [Some(&mut r.input), None],
        R::Limit(r) => [Some(&mut r.input), None],
        R::Aggregate(r) => [Some(&mut r.input), None],
        R::Sample(r) => [Some(&mut r.input), None],
        R::Offset(r) => [Some(&mut r.input), None],
        R::Deduplicate(r) => [Some(&mut r.input), None],
        R::SubqueryAlias(r) => [Some(&mut r.input), None],
        R::Repartition(r) => [Some(&mut r.input), None],
        R::ToDf(r) => [Some(&mut r.input), None],
        R::WithColumnsRenamed(r) => [Some(&mut r.input), None],
        R::ShowString(r) => [Some(&mut r.input), None],
        R::Drop(r) => [Some(&mut r.input), None],
        R::Tail(r) => [Some(&mut r.input), None],
        R::WithColumns(r) => [Some(&mut r.input), None],
        R::Hint(r) => [Some(&mut r.input), None],
        R::Unpivot(r) => [Some(&mut r.input), None],
        R::ToSchema(r) => [Some(&mut r.input), None],
        R::RepartitionByExpression(r) => [Some(&mut r.input), None],
        R::MapPartitions(r) => [Some(&mut r.input), None],
        R::CollectMetrics(r) => [Some(&mut r.input), None],
        R::Parse(r) => [Some(&mut r.input), None],
        R::WithWatermark(r) => [Some(&mut r.input), None],
        R::ApplyInPandasWithState(r) => [Some(&mut r.input), None],
        R::HtmlString(r) => [Some(&mut r.input), None],
        R::Transpose(r) => [Some(&mut r.input), None],
        R::FillNa(r) => [Some(&mut r.input), None],
        R::DropNa(r) => [Some(&mut r.input), None],
        R::Replace(r) => [Some(&mut r.input), None],
        R::Summary(r) => [Some(&mut r.input), None],
        R::Crosstab(r) => [Some(&mut r.input), None],
        R::Describe(r) => [Some(&mut r.input), None],
        R::Cov(r) => [Some(&mut r.input), None],
        R::Corr(r) => [Some(&mut r.input), None],
        R::ApproxQuantile(r) => [Some(&mut r.input), None],
        R::FreqItems(r) => [Some(&mut r.input), None],
        R::SampleBy(r) => [Some(&mut r.input), None],
        R::Join(r) => [Some(&mut r.left), Some(&mut r.right)],
        R::SetOp(r) => [Some(&mut r.left_input), Some(&mut r.right_input)],
        R::AsOfJoin(r) => [Some(&mut r.left), Some(&mut r.right)],
        R::LateralJoin(r) => [Some(&mut r.left), Some(&mut r.right)],
        R::NearestByJoin(r) => [Some(&mut r.left), Some(&mut r.right)],
        R::Zip(r) => [Some(&mut r.left), Some(&mut r.right)],
        R::GroupMap(r) => [Some(&mut r.input), Some(&mut r.initial_input)],
        R::CoGroupMap(r) => [Some(&mut r.input), Some(&mut r.other)],
        // Leaves, and relations the DataFrame API builds whole.
        R::Read(_)
        | R::Sql(_)
        | R::LocalRelation(_)
        | R::Range(_)
        | R::CachedLocalRelation(_)
        | R::CachedRemoteRelation(_)
        | R::CommonInlineUserDefinedTableFunction(_)
        | R::CommonInlineUserDefinedDataSource(_)
        | R::WithRelations(_)
        | R::UnresolvedTableValuedFunction(_)
        | R::ChunkedCachedLocalRelation(_)
        | R::RelationChanges(_)
        | R::Catalog(_)
        | R::MlRelation(_)
        | R::Extension(_)
        | R::Unknown(_) => [None, None],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range() -> proto::Relation {
        proto::Relation {
            common: None,
            rel_type: Some(RelType::Range(proto::Range {
                start: Some(0),
                end: 1,
                step: 1,
                num_partitions: None,
            })),
        }
    }

    fn limit(n: i32) -> proto::Relation {
        proto::Relation {
            common: None,
            rel_type: Some(RelType::Limit(Box::new(proto::Limit {
                input: placeholder(),
                limit: n,
            }))),
        }
    }

    #[test]
    fn deep_chains_are_assembled_and_dropped_without_recursion() {
        let (depth, assembled_depth) = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let mut node = Arc::new(PlanNode::leaf(range()));
                for i in 0..100_000 {
                    node = Arc::new(PlanNode::with_inputs(limit(i), vec![node], None));
                }
                let assembled = node.assemble();
                let depth = crate::deep_plan::plan_depth(&assembled);
                crate::deep_plan::take_apart(assembled);
                // Kept once lent, and dropped with the node, without recursion.
                let lent = crate::deep_plan::plan_depth(node.assembled());
                drop(node);
                (depth, lent)
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!((depth, assembled_depth), (100_001, 100_001));
    }

    #[test]
    fn shared_inputs_are_assembled_into_each_side() {
        let shared = Arc::new(PlanNode::leaf(range()));
        let join = proto::Relation {
            common: None,
            rel_type: Some(RelType::Join(Box::new(proto::Join {
                left: placeholder(),
                right: placeholder(),
                ..Default::default()
            }))),
        };
        let left = Arc::new(PlanNode::with_inputs(limit(1), vec![shared.clone()], None));
        let node = PlanNode::with_inputs(join, vec![left, shared], Some("bad".into()));
        assert_eq!(node.depth(), 3);
        assert_eq!(node.problem(), Some("bad"));
        let Some(RelType::Join(j)) = node.assemble().rel_type else {
            panic!("not a join")
        };
        let Some(RelType::Limit(l)) = j.left.unwrap().rel_type else {
            panic!("left is not the limit")
        };
        assert_eq!(l.input.as_deref(), Some(&range()));
        assert_eq!(j.right.as_deref(), Some(&range()));
    }
}
