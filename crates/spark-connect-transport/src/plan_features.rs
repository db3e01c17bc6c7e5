//! The version-dependent features ([`Feature`]) a plan uses, found by walking its relations,
//! expressions and command before it is sent: a visitor over [`plan_walk`](crate::plan_walk),
//! which knows where every node's children are (written by hand, as prost has no
//! reflection). Here are only the checks of each node; the walk reads no payload, so the
//! cost is the number of plan nodes, and a small plan is walked without allocating.
//!
//! A node type this visitor does not name uses no feature. A protocol element added to the
//! protocol is a compile error in the walk until it is walked; whether it is a feature is
//! the version table's question (`versions.rs`), which the Spark 3.5 protocol test checks
//! against the requests the client sends.

use spark_connect_proto::spark::connect as pb;

use pb::expression::ExprType;
use pb::relation::RelType;

use crate::plan_walk::{self, Descend, PlanVisitor};
use crate::versions::Feature;

/// The newest feature (the one whose release is latest) that `relation` uses, if any.
pub(crate) fn newest_in_relation(relation: &pb::Relation) -> Option<Feature> {
    let mut found = Newest::default();
    plan_walk::walk_relation(relation, &mut found);
    found.0
}

/// The newest feature (the one whose release is latest) that `plan` uses, if it uses any.
/// A plan compressed by the caller is not looked into: servers that lack compression refuse
/// it anyway.
pub(crate) fn newest_feature(plan: &pb::Plan) -> Option<Feature> {
    let mut found = Newest::default();
    plan_walk::walk_plan(plan, &mut found);
    found.0
}

/// The newest feature seen so far; of features of the same release, the first seen.
#[derive(Default)]
struct Newest(Option<Feature>);

/// Whether `literal` is a TIME value, a null of type TIME, or holds one in an array, map or
/// struct (their elements are literals, not expressions, so the walk does not reach them).
fn holds_time(literal: &pb::expression::Literal) -> bool {
    use pb::expression::literal::LiteralType as L;
    match &literal.literal_type {
        Some(L::Time(_)) => true,
        Some(L::Null(t)) => matches!(t.kind, Some(pb::data_type::Kind::Time(_))),
        Some(L::Array(a)) => a.elements.iter().any(holds_time),
        Some(L::Map(m)) => m.keys.iter().chain(&m.values).any(holds_time),
        Some(L::Struct(s)) => s.elements.iter().any(holds_time),
        _ => false,
    }
}

impl Newest {
    fn uses(&mut self, feature: Feature) {
        if self.0.is_none_or(|f| feature.since() > f.since()) {
            self.0 = Some(feature);
        }
    }
}

impl<'a> PlanVisitor<'a> for Newest {
    fn command(&mut self, command: &'a pb::Command) -> Descend {
        use pb::command::CommandType as C;
        match &command.command_type {
            Some(C::SqlCommand(c)) => {
                #[allow(deprecated)]
                let legacy = !c.sql.is_empty();
                #[allow(deprecated)]
                if !c.named_arguments.is_empty() || !c.pos_arguments.is_empty() {
                    self.uses(Feature::SqlExpressionParameters);
                }
                // With the query text beside it, an older server reads the text and skips
                // `input`; a newer one reads `input`. Either way the same query runs, so
                // what `input` holds needs no newer server than the text's literal
                // parameters do (the same values, which a 4.0 server reads from `input`).
                if legacy {
                    #[allow(deprecated)]
                    if c.args.values().chain(&c.pos_args).any(holds_time) {
                        self.uses(Feature::TimeLiteral);
                    }
                    return Descend::Skip;
                }
                if c.input.is_some() {
                    self.uses(Feature::SqlExpressionParameters);
                }
            }
            Some(C::WriteOperation(w)) => {
                if !w.clustering_columns.is_empty() {
                    self.uses(Feature::ClusterBy);
                }
                if w.with_schema_evolution {
                    self.uses(Feature::WriteSchemaEvolution);
                }
            }
            Some(C::WriteOperationV2(w)) => {
                if !w.clustering_columns.is_empty() {
                    self.uses(Feature::ClusterBy);
                }
                if w.with_schema_evolution {
                    self.uses(Feature::WriteSchemaEvolution);
                }
            }
            Some(C::WriteStreamOperationStart(w)) => {
                if !w.clustering_column_names.is_empty() {
                    self.uses(Feature::ClusterBy);
                }
                if let Some(pb::write_stream_operation_start::Trigger::RealTimeBatchDuration(_)) =
                    &w.trigger
                {
                    self.uses(Feature::RealTimeTrigger);
                }
            }
            Some(C::CheckpointCommand(_)) => self.uses(Feature::Checkpoint),
            Some(C::MergeIntoTableCommand(_)) => self.uses(Feature::MergeInto),
            Some(C::StreamingQueryListenerBusCommand(_)) => {
                self.uses(Feature::StreamingListenerBus)
            }
            _ => {}
        }
        Descend::Into
    }

    fn relation(&mut self, rel: &'a pb::Relation) -> Descend {
        let Some(rel_type) = &rel.rel_type else {
            return Descend::Into;
        };
        match rel_type {
            RelType::Aggregate(a)
                if !a.grouping_sets.is_empty()
                    || a.group_type == pb::aggregate::GroupType::GroupingSets as i32 =>
            {
                self.uses(Feature::GroupingSets)
            }
            RelType::Sql(s) => {
                if !s.named_arguments.is_empty() || !s.pos_arguments.is_empty() {
                    self.uses(Feature::SqlExpressionParameters);
                }
                #[allow(deprecated)]
                if s.args.values().chain(&s.pos_args).any(holds_time) {
                    self.uses(Feature::TimeLiteral);
                }
            }
            // 3.5 reads only the map: with the list alone it would rename nothing.
            RelType::WithColumnsRenamed(w)
                if !w.renames.is_empty() && w.rename_columns_map.len() != w.renames.len() =>
            {
                self.uses(Feature::RenamesList)
            }
            RelType::WithRelations(_) => self.uses(Feature::Subqueries),
            RelType::Transpose(_) => self.uses(Feature::Transpose),
            RelType::LateralJoin(_) => self.uses(Feature::LateralJoin),
            RelType::NearestByJoin(_) => self.uses(Feature::NearestByJoin),
            RelType::Read(r) => {
                if let Some(pb::read::ReadType::DataSource(d)) = &r.read_type
                    && d.source_name.is_some()
                {
                    self.uses(Feature::SourceName);
                }
            }
            RelType::ChunkedCachedLocalRelation(_) => self.uses(Feature::ChunkedLocalRelation),
            RelType::RelationChanges(_) => self.uses(Feature::RelationChanges),
            RelType::Catalog(c) => {
                use pb::catalog::CatType as K;
                if let Some(
                    K::DropTable(_)
                    | K::DropView(_)
                    | K::CreateDatabase(_)
                    | K::DropDatabase(_)
                    | K::ListPartitions(_)
                    | K::ListViews(_)
                    | K::GetTableProperties(_)
                    | K::GetCreateTableString(_)
                    | K::TruncateTable(_)
                    | K::AnalyzeTable(_),
                ) = &c.cat_type
                {
                    self.uses(Feature::CatalogDdl);
                }
            }
            _ => {}
        }
        Descend::Into
    }

    fn expression(&mut self, e: &'a pb::Expression) -> Descend {
        let Some(expr_type) = &e.expr_type else {
            return Descend::Into;
        };
        match expr_type {
            ExprType::SubqueryExpression(s) => {
                self.uses(Feature::Subqueries);
                if !s.in_subquery_values.is_empty()
                    || s.subquery_type == pb::subquery_expression::SubqueryType::In as i32
                {
                    self.uses(Feature::InSubquery);
                }
            }
            // `Some(false)`, as PySpark 4 sends for every column, means what no value means:
            // an older server skipping it reads the same reference.
            ExprType::UnresolvedAttribute(a) if a.is_metadata_column == Some(true) => {
                self.uses(Feature::MetadataColumn)
            }
            ExprType::UnresolvedStar(s) if s.plan_id.is_some() => self.uses(Feature::StarOfPlan),
            ExprType::Literal(l) if holds_time(l) => self.uses(Feature::TimeLiteral),
            ExprType::Cast(c)
                if c.eval_mode != pb::expression::cast::EvalMode::Unspecified as i32 =>
            {
                self.uses(Feature::CastEvalMode)
            }
            ExprType::MergeAction(_) => self.uses(Feature::MergeInto),
            ExprType::DirectShufflePartitionId(_) => self.uses(Feature::DirectShufflePartitionId),
            _ => {}
        }
        Descend::Into
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range() -> pb::Relation {
        pb::Relation {
            common: None,
            rel_type: Some(RelType::Range(pb::Range {
                start: Some(0),
                end: 10,
                step: 1,
                num_partitions: None,
            })),
        }
    }

    fn root(r: pb::Relation) -> pb::Plan {
        pb::Plan {
            op_type: Some(pb::plan::OpType::Root(r)),
        }
    }

    fn column(name: &str, metadata: Option<bool>) -> pb::Expression {
        pb::Expression {
            common: None,
            expr_type: Some(ExprType::UnresolvedAttribute(
                pb::expression::UnresolvedAttribute {
                    unparsed_identifier: name.into(),
                    plan_id: None,
                    is_metadata_column: metadata,
                },
            )),
        }
    }

    fn project(input: pb::Relation, expressions: Vec<pb::Expression>) -> pb::Relation {
        pb::Relation {
            common: None,
            rel_type: Some(RelType::Project(Box::new(pb::Project {
                input: Some(Box::new(input)),
                expressions,
            }))),
        }
    }

    /// Counts the allocations of this thread (the unit tests' allocator; see `allocations`).
    mod counting {
        use std::alloc::{GlobalAlloc, Layout, System};
        use std::cell::Cell;

        thread_local! {
            static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
        }

        pub struct Counting;

        // SAFETY: forwards to the system allocator; the count is a plain thread-local cell.
        unsafe impl GlobalAlloc for Counting {
            unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
                ALLOCATIONS.with(|a| a.set(a.get() + 1));
                // SAFETY: the caller's contract is the system allocator's.
                unsafe { System.alloc(layout) }
            }

            unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
                // SAFETY: `ptr` came from `alloc` above, that is from the system allocator.
                unsafe { System.dealloc(ptr, layout) }
            }
        }

        pub fn allocations() -> usize {
            ALLOCATIONS.with(|a| a.get())
        }
    }

    #[global_allocator]
    static ALLOCATOR: counting::Counting = counting::Counting;

    /// The check on the path of every query allocates nothing for a plan of usual size (here
    /// two projections, of six columns and of one, over a range): the walk's stack is inline.
    #[test]
    fn walking_a_small_plan_allocates_nothing() {
        let plan = root(project(
            project(
                range(),
                (0..6)
                    .map(|i| column(&format!("c{i}"), Some(false)))
                    .collect(),
            ),
            vec![column("id", None)],
        ));
        let before = counting::allocations();
        let found = newest_feature(&plan);
        assert_eq!(counting::allocations() - before, 0);
        assert_eq!(found, None);
        // The count sees allocations: a plan wider than the inline stack spills.
        let wide = root(project(
            range(),
            (0..100).map(|i| column(&format!("c{i}"), None)).collect(),
        ));
        let before = counting::allocations();
        assert_eq!(newest_feature(&wide), None);
        assert!(counting::allocations() > before);
    }

    #[test]
    fn plain_plans_use_no_feature() {
        assert_eq!(newest_feature(&root(range())), None);
        let p = project(range(), vec![column("id", Some(false)), column("x", None)]);
        assert_eq!(newest_feature(&root(p)), None);
    }

    #[test]
    fn features_are_found_below_the_top() {
        let p = project(range(), vec![column("_metadata", Some(true))]);
        let transposed = pb::Relation {
            common: None,
            rel_type: Some(RelType::Transpose(Box::new(pb::Transpose {
                input: Some(Box::new(p)),
                index_columns: vec![],
            }))),
        };
        // Both 4.0 features: the first found is kept.
        let found = newest_feature(&root(project(transposed, vec![])));
        assert!(matches!(
            found,
            Some(Feature::Transpose | Feature::MetadataColumn)
        ));
    }

    #[test]
    fn the_newest_feature_wins() {
        let changes = pb::Relation {
            common: None,
            rel_type: Some(RelType::RelationChanges(pb::RelationChanges::default())),
        };
        let join = pb::Relation {
            common: None,
            rel_type: Some(RelType::LateralJoin(Box::new(pb::LateralJoin {
                left: Some(Box::new(changes)),
                right: Some(Box::new(range())),
                ..Default::default()
            }))),
        };
        assert_eq!(newest_feature(&root(join)), Some(Feature::RelationChanges));
    }

    #[test]
    fn deep_plans_spill_past_the_inline_stack() {
        let wide = project(
            range(),
            (0..100)
                .map(|i| column(&format!("c{i}"), Some(i == 99)))
                .collect(),
        );
        assert_eq!(newest_feature(&root(wide)), Some(Feature::MetadataColumn));
        let mut deep = range();
        for _ in 0..10_000 {
            deep = project(deep, vec![column("id", None)]);
        }
        let plan = root(deep);
        assert_eq!(newest_feature(&plan), None);
        if let Some(pb::plan::OpType::Root(deep)) = plan.op_type {
            drop_deep(deep);
        }
    }

    /// Drops a deep chain of projections without recursion.
    fn drop_deep(mut r: pb::Relation) {
        while let Some(RelType::Project(p)) = r.rel_type.take() {
            match p.input {
                Some(input) => r = *input,
                None => break,
            }
        }
    }

    fn transposed(input: pb::Relation) -> pb::Relation {
        pb::Relation {
            common: None,
            rel_type: Some(RelType::Transpose(Box::new(pb::Transpose {
                input: Some(Box::new(input)),
                index_columns: vec![],
            }))),
        }
    }

    /// The walk of this check once stopped at an ML relation (the subquery walk went on):
    /// a feature below one went to an older server unchecked.
    #[test]
    fn features_below_an_ml_relation_are_found() {
        let ml = |m: pb::MlRelation| {
            root(pb::Relation {
                common: None,
                rel_type: Some(RelType::MlRelation(Box::new(m))),
            })
        };
        let transform = ml(pb::MlRelation {
            model_summary_dataset: None,
            ml_type: Some(pb::ml_relation::MlType::Transform(Box::new(
                pb::ml_relation::Transform {
                    input: Some(Box::new(transposed(range()))),
                    ..Default::default()
                },
            ))),
        });
        assert_eq!(newest_feature(&transform), Some(Feature::Transpose));
        let summary = ml(pb::MlRelation {
            model_summary_dataset: Some(Box::new(transposed(range()))),
            ml_type: None,
        });
        assert_eq!(newest_feature(&summary), Some(Feature::Transpose));
        assert_eq!(newest_feature(&ml(pb::MlRelation::default())), None);
    }

    fn sql_command(c: pb::SqlCommand) -> pb::Plan {
        pb::Plan {
            op_type: Some(pb::plan::OpType::Command(pb::Command {
                command_type: Some(pb::command::CommandType::SqlCommand(c)),
            })),
        }
    }

    fn time_literal() -> pb::Expression {
        pb::Expression {
            common: None,
            expr_type: Some(ExprType::Literal(pb::expression::Literal {
                literal_type: Some(pb::expression::literal::LiteralType::Time(
                    pb::expression::literal::Time {
                        nano: 0,
                        precision: None,
                    },
                )),
                ..Default::default()
            })),
        }
    }

    /// A `SqlCommand`'s own expression arguments are looked into (they once were not): a
    /// time literal among them needs Spark 4.1, not only the 4.0 of expression arguments.
    #[test]
    fn the_arguments_of_a_sql_command_are_looked_into() {
        let named = pb::SqlCommand {
            named_arguments: [("t".to_string(), time_literal())].into(),
            ..Default::default()
        };
        assert_eq!(
            newest_feature(&sql_command(named.clone())),
            Some(Feature::TimeLiteral)
        );
        #[allow(deprecated)]
        let positional = pb::SqlCommand {
            pos_arguments: vec![column("id", None)],
            ..Default::default()
        };
        assert_eq!(
            newest_feature(&sql_command(positional)),
            Some(Feature::SqlExpressionParameters)
        );
        // With the text beside them, as before: the arguments ask for 4.0, what they hold
        // is not looked into.
        #[allow(deprecated)]
        let with_text = pb::SqlCommand {
            sql: "SELECT :t".into(),
            ..named
        };
        assert_eq!(
            newest_feature(&sql_command(with_text)),
            Some(Feature::SqlExpressionParameters)
        );
    }

    /// TIME values are found as literal parameters of the query text (which a 4.0 server
    /// reads from `input` in the same values) and inside array, map and struct literals.
    #[test]
    fn time_values_in_literal_parameters_and_nested_literals_need_4_1() {
        use pb::expression::literal::{self, LiteralType as L};
        let time = || match time_literal().expr_type {
            Some(ExprType::Literal(l)) => l,
            _ => unreachable!(),
        };
        let long = || pb::expression::Literal {
            literal_type: Some(L::Long(1)),
            ..Default::default()
        };
        #[allow(deprecated)]
        let named = pb::SqlCommand {
            sql: "SELECT :t".into(),
            args: [("t".to_string(), time())].into(),
            ..Default::default()
        };
        assert_eq!(
            newest_feature(&sql_command(named)),
            Some(Feature::TimeLiteral)
        );
        #[allow(deprecated)]
        let positional = pb::SqlCommand {
            sql: "SELECT ?".into(),
            pos_args: vec![long()],
            ..Default::default()
        };
        assert_eq!(newest_feature(&sql_command(positional)), None);
        #[allow(deprecated)]
        let relation = root(pb::Relation {
            common: None,
            rel_type: Some(RelType::Sql(pb::Sql {
                query: "SELECT ?".into(),
                pos_args: vec![time()],
                ..Default::default()
            })),
        });
        assert_eq!(newest_feature(&relation), Some(Feature::TimeLiteral));

        let in_array = pb::expression::Literal {
            literal_type: Some(L::Array(literal::Array {
                elements: vec![long(), time()],
                ..Default::default()
            })),
            ..Default::default()
        };
        let in_struct_in_map = pb::expression::Literal {
            literal_type: Some(L::Map(literal::Map {
                keys: vec![long()],
                values: vec![pb::expression::Literal {
                    literal_type: Some(L::Struct(literal::Struct {
                        elements: vec![in_array.clone()],
                        ..Default::default()
                    })),
                    ..Default::default()
                }],
                ..Default::default()
            })),
            ..Default::default()
        };
        let null_time = pb::expression::Literal {
            literal_type: Some(L::Null(pb::DataType {
                kind: Some(pb::data_type::Kind::Time(Default::default())),
            })),
            ..Default::default()
        };
        let plain_array = pb::expression::Literal {
            literal_type: Some(L::Array(literal::Array {
                elements: vec![long(), long()],
                ..Default::default()
            })),
            ..Default::default()
        };
        for (literal, expected) in [
            (in_array, Some(Feature::TimeLiteral)),
            (in_struct_in_map, Some(Feature::TimeLiteral)),
            (null_time, Some(Feature::TimeLiteral)),
            (plain_array, None),
        ] {
            let projection = root(pb::Relation {
                common: None,
                rel_type: Some(RelType::Project(Box::new(pb::Project {
                    input: None,
                    expressions: vec![pb::Expression {
                        common: None,
                        expr_type: Some(ExprType::Literal(literal.clone())),
                    }],
                }))),
            });
            assert_eq!(newest_feature(&projection), expected, "{literal:?}");
        }
    }

    #[test]
    fn sql_commands_with_the_text_beside_their_input_are_for_every_server() {
        #[allow(deprecated)]
        let both = pb::SqlCommand {
            sql: "SELECT 1".into(),
            input: Some(pb::Relation {
                common: None,
                rel_type: Some(RelType::Sql(pb::Sql {
                    query: "SELECT 1".into(),
                    ..Default::default()
                })),
            }),
            ..Default::default()
        };
        let command = |c: pb::SqlCommand| pb::Plan {
            op_type: Some(pb::plan::OpType::Command(pb::Command {
                command_type: Some(pb::command::CommandType::SqlCommand(c)),
            })),
        };
        assert_eq!(newest_feature(&command(both.clone())), None);
        #[allow(deprecated)]
        let only_input = pb::SqlCommand {
            sql: String::new(),
            ..both
        };
        assert_eq!(
            newest_feature(&command(only_input)),
            Some(Feature::SqlExpressionParameters)
        );
    }
}
