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

#[cfg(test)]
mod tests {
    use super::*;
    use proto::expression::ExprType;
    use proto::relation::RelType;
    use spark_connect_transport::{Error, Feature, ServerVersion, SparkConnectClient};

    fn subquery(plan_id: i64) -> proto::Expression {
        proto::Expression {
            common: None,
            expr_type: Some(ExprType::SubqueryExpression(proto::SubqueryExpression {
                plan_id,
                ..Default::default()
            })),
        }
    }

    fn relation(rel_type: RelType) -> proto::Relation {
        proto::Relation {
            common: None,
            rel_type: Some(rel_type),
        }
    }

    fn filter(condition: proto::Expression) -> proto::Relation {
        relation(RelType::Filter(Box::new(proto::Filter {
            input: Some(Box::new(relation(RelType::Range(Default::default())))),
            condition: Some(condition),
        })))
    }

    fn function(arguments: Vec<proto::Expression>) -> proto::Expression {
        proto::Expression {
            common: None,
            expr_type: Some(ExprType::UnresolvedFunction(
                proto::expression::UnresolvedFunction {
                    function_name: "f".into(),
                    arguments,
                    ..Default::default()
                },
            )),
        }
    }

    /// Relations with a subquery column where each route of the walk reaches it: a
    /// relation's expression, an expression's argument, a `WithRelations`' reference, the
    /// dataset of an ML relation (which no walk entered once).
    fn routes(id: i64) -> Vec<(&'static str, proto::Relation)> {
        vec![
            ("a relation's expression", filter(subquery(id))),
            (
                "an expression's argument",
                filter(function(vec![subquery(id)])),
            ),
            (
                "a WithRelations' reference",
                relation(RelType::WithRelations(Box::new(proto::WithRelations {
                    root: Some(Box::new(relation(RelType::Range(Default::default())))),
                    references: vec![filter(subquery(id))],
                }))),
            ),
            (
                "an ML relation's summary dataset",
                relation(RelType::MlRelation(Box::new(proto::MlRelation {
                    model_summary_dataset: Some(Box::new(filter(subquery(id)))),
                    ml_type: None,
                }))),
            ),
        ]
    }

    #[test]
    fn subquery_ids_are_found_through_every_route() {
        for (route, rel) in routes(42) {
            assert_eq!(in_relation(&rel), [42], "{route}");
        }
        let exprs = [subquery(1), function(vec![subquery(2), subquery(3)])];
        // The last expression first, its last argument first.
        assert_eq!(in_expressions(&exprs), [3, 2, 1]);
        assert!(in_relation(&filter(function(vec![]))).is_empty());
    }

    /// What this walk finds, the transport's check before sending finds too: each route to
    /// a subquery column makes a plan that a Spark 3.5 server is refused, whether the plan
    /// is a query or a command over the same relation. Nothing is sent (the server's
    /// version is given, so no call is made).
    #[tokio::test]
    async fn what_is_found_here_the_feature_check_finds_too() {
        let client = SparkConnectClient::builder("sc://127.0.0.1:1".parse().unwrap())
            .server_version(ServerVersion::new("3.5.4"))
            .build()
            .unwrap();
        for (route, rel) in routes(7) {
            assert_eq!(in_relation(&rel), [7], "{route}");
            let query = proto::Plan {
                op_type: Some(proto::plan::OpType::Root(rel.clone())),
            };
            let view = proto::Plan {
                op_type: Some(proto::plan::OpType::Command(proto::Command {
                    command_type: Some(proto::command::CommandType::CreateDataframeView(
                        proto::CreateDataFrameViewCommand {
                            input: Some(rel),
                            name: "v".into(),
                            is_global: false,
                            replace: true,
                        },
                    )),
                })),
            };
            for plan in [query, view] {
                match client.execute_plan(plan).await {
                    Err(Error::NotSupportedByServer { feature, .. }) => {
                        assert_eq!(feature, Feature::Subqueries, "{route}")
                    }
                    Err(other) => panic!("{route}: {other}"),
                    Ok(_) => panic!("{route}: sent"),
                }
            }
        }
    }
}
