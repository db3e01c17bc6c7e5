//! The plan ids of the `SubqueryExpression`s in a relation tree or in expressions: a visitor
//! over the transport's plan walk ([`plan_walk`]), which knows where every node's children
//! are and reads no payload, so the cost is the number of plan nodes.
//!
//! The walk does not enter a subquery's own plan (only its id is in the expression): the
//! caller follows ids to the remembered plans. It does enter a `WithRelations`' references,
//! so the subqueries of a plan that already carries some are found too.

use spark_connect_transport::plan_walk::{self, Descend, PlanVisitor};
use spark_connect_transport::proto;

/// The subquery plan ids seen, in the order found.
#[derive(Default)]
struct SubqueryIds(Vec<i64>);

impl<'a> PlanVisitor<'a> for SubqueryIds {
    fn expression(&mut self, e: &'a proto::Expression) -> Descend {
        if let Some(proto::expression::ExprType::SubqueryExpression(s)) = &e.expr_type {
            self.0.push(s.plan_id);
        }
        Descend::Into
    }
}

/// The subquery plan ids used by `rel` (in the order found; may repeat).
pub(crate) fn in_relation(rel: &proto::Relation) -> Vec<i64> {
    let mut ids = SubqueryIds::default();
    plan_walk::walk_relation(rel, &mut ids);
    ids.0
}

/// The subquery plan ids used by `exprs` (in the order found; may repeat).
pub(crate) fn in_expressions<'a>(
    exprs: impl IntoIterator<Item = &'a proto::Expression>,
) -> Vec<i64> {
    let mut ids = SubqueryIds::default();
    plan_walk::walk_expressions(exprs, &mut ids);
    ids.0
}
