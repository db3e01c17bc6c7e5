//! The version-dependent features ([`Feature`]) a plan uses, found by walking its relations,
//! expressions and command before it is sent.
//!
//! prost has no reflection, so the walk names every relation and expression variant; the
//! matches have no catch-all arm, so a variant added to the protocol is a compile error here
//! until it is walked. The walk reads no payload (local data, serialized functions), so its
//! cost is the number of plan nodes; a small plan is walked without allocating.

use spark_connect_proto::spark::connect as pb;

use pb::expression::ExprType;
use pb::relation::RelType;

use crate::versions::Feature;

/// The newest feature (the one whose release is latest) that `relation` uses, if any.
pub(crate) fn newest_in_relation(relation: &pb::Relation) -> Option<Feature> {
    let mut walk = Walk::default();
    walk.push(Node::Rel(relation));
    walk.run()
}

/// The newest feature (the one whose release is latest) that `plan` uses, if it uses any.
pub(crate) fn newest_feature(plan: &pb::Plan) -> Option<Feature> {
    let mut walk = Walk::default();
    match &plan.op_type {
        Some(pb::plan::OpType::Root(r)) => walk.push(Node::Rel(r)),
        Some(pb::plan::OpType::Command(c)) => walk.command(c),
        // A plan compressed by the caller is refused by servers that lack compression anyway.
        Some(pb::plan::OpType::CompressedOperation(_)) | None => {}
    }
    walk.run()
}

#[derive(Clone, Copy)]
enum Node<'a> {
    Rel(&'a pb::Relation),
    Expr(&'a pb::Expression),
}

/// Nodes still to visit: an explicit stack (plans can be deep), inline up to `INLINE`
/// nodes so that small plans need no allocation.
const INLINE: usize = 32;

struct Walk<'a> {
    inline: [Option<Node<'a>>; INLINE],
    len: usize,
    spilled: Vec<Node<'a>>,
    found: Option<Feature>,
}

impl Default for Walk<'_> {
    fn default() -> Self {
        Walk {
            inline: [None; INLINE],
            len: 0,
            spilled: Vec::new(),
            found: None,
        }
    }
}

impl<'a> Walk<'a> {
    fn push(&mut self, node: Node<'a>) {
        if self.len < INLINE {
            self.inline[self.len] = Some(node);
            self.len += 1;
        } else {
            self.spilled.push(node);
        }
    }

    fn pop(&mut self) -> Option<Node<'a>> {
        if let Some(node) = self.spilled.pop() {
            return Some(node);
        }
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        self.inline[self.len].take()
    }

    fn uses(&mut self, feature: Feature) {
        if self.found.is_none_or(|f| feature.since() > f.since()) {
            self.found = Some(feature);
        }
    }

    fn run(mut self) -> Option<Feature> {
        while let Some(node) = self.pop() {
            match node {
                Node::Rel(r) => self.relation(r),
                Node::Expr(e) => self.expression(e),
            }
        }
        self.found
    }

    fn rel(&mut self, r: Option<&'a pb::Relation>) {
        if let Some(r) = r {
            self.push(Node::Rel(r));
        }
    }

    fn expr(&mut self, e: Option<&'a pb::Expression>) {
        if let Some(e) = e {
            self.push(Node::Expr(e));
        }
    }

    fn exprs(&mut self, es: &'a [pb::Expression]) {
        for e in es {
            self.push(Node::Expr(e));
        }
    }

    fn sort_orders(&mut self, orders: &'a [pb::expression::SortOrder]) {
        for o in orders {
            self.expr(o.child.as_deref());
        }
    }

    fn udf(&mut self, f: Option<&'a pb::CommonInlineUserDefinedFunction>) {
        if let Some(f) = f {
            self.exprs(&f.arguments);
        }
    }

    fn command(&mut self, command: &'a pb::Command) {
        use pb::command::CommandType as C;
        let Some(command_type) = &command.command_type else {
            return;
        };
        match command_type {
            C::SqlCommand(c) => {
                #[allow(deprecated)]
                let legacy = !c.sql.is_empty();
                // With the query text beside it, an older server reads the text and skips
                // `input`; a newer one reads `input`. Either way the same query runs.
                if c.input.is_some() && !legacy {
                    self.uses(Feature::SqlExpressionParameters);
                    self.rel(c.input.as_ref());
                }
                #[allow(deprecated)]
                if !c.named_arguments.is_empty() || !c.pos_arguments.is_empty() {
                    self.uses(Feature::SqlExpressionParameters);
                }
            }
            C::WriteOperation(w) => {
                if !w.clustering_columns.is_empty() {
                    self.uses(Feature::ClusterBy);
                }
                if w.with_schema_evolution {
                    self.uses(Feature::WriteSchemaEvolution);
                }
                self.rel(w.input.as_ref());
            }
            C::WriteOperationV2(w) => {
                if !w.clustering_columns.is_empty() {
                    self.uses(Feature::ClusterBy);
                }
                if w.with_schema_evolution {
                    self.uses(Feature::WriteSchemaEvolution);
                }
                self.rel(w.input.as_ref());
                self.exprs(&w.partitioning_columns);
                self.expr(w.overwrite_condition.as_ref());
            }
            C::WriteStreamOperationStart(w) => {
                if !w.clustering_column_names.is_empty() {
                    self.uses(Feature::ClusterBy);
                }
                if let Some(pb::write_stream_operation_start::Trigger::RealTimeBatchDuration(_)) =
                    &w.trigger
                {
                    self.uses(Feature::RealTimeTrigger);
                }
                self.rel(w.input.as_ref());
            }
            C::CreateDataframeView(v) => self.rel(v.input.as_ref()),
            C::CheckpointCommand(c) => {
                self.uses(Feature::Checkpoint);
                self.rel(c.relation.as_ref());
            }
            C::MergeIntoTableCommand(m) => {
                self.uses(Feature::MergeInto);
                self.rel(m.source_table_plan.as_ref());
                self.expr(m.merge_condition.as_ref());
                self.exprs(&m.match_actions);
                self.exprs(&m.not_matched_actions);
                self.exprs(&m.not_matched_by_source_actions);
            }
            C::StreamingQueryListenerBusCommand(_) => self.uses(Feature::StreamingListenerBus),
            C::RegisterFunction(f) => self.exprs(&f.arguments),
            // Commands this client does not send, or that carry no plan.
            C::StreamingQueryCommand(_)
            | C::GetResourcesCommand(_)
            | C::StreamingQueryManagerCommand(_)
            | C::RegisterTableFunction(_)
            | C::RegisterDataSource(_)
            | C::CreateResourceProfileCommand(_)
            | C::RemoveCachedRemoteRelationCommand(_)
            | C::MlCommand(_)
            | C::ExecuteExternalCommand(_)
            | C::PipelineCommand(_)
            | C::Extension(_) => {}
        }
    }

    fn relation(&mut self, rel: &'a pb::Relation) {
        let Some(rel_type) = &rel.rel_type else {
            return;
        };
        match rel_type {
            RelType::Project(p) => {
                self.rel(p.input.as_deref());
                self.exprs(&p.expressions);
            }
            RelType::Filter(f) => {
                self.rel(f.input.as_deref());
                self.expr(f.condition.as_ref());
            }
            RelType::Join(j) => {
                self.rel(j.left.as_deref());
                self.rel(j.right.as_deref());
                self.expr(j.join_condition.as_ref());
            }
            RelType::SetOp(s) => {
                self.rel(s.left_input.as_deref());
                self.rel(s.right_input.as_deref());
            }
            RelType::Sort(s) => {
                self.rel(s.input.as_deref());
                self.sort_orders(&s.order);
            }
            RelType::Limit(l) => self.rel(l.input.as_deref()),
            RelType::Aggregate(a) => {
                if !a.grouping_sets.is_empty()
                    || a.group_type == pb::aggregate::GroupType::GroupingSets as i32
                {
                    self.uses(Feature::GroupingSets);
                }
                self.rel(a.input.as_deref());
                self.exprs(&a.grouping_expressions);
                self.exprs(&a.aggregate_expressions);
                if let Some(p) = &a.pivot {
                    self.expr(p.col.as_ref());
                }
                for set in &a.grouping_sets {
                    self.exprs(&set.grouping_set);
                }
            }
            RelType::Sql(s) => {
                if !s.named_arguments.is_empty() || !s.pos_arguments.is_empty() {
                    self.uses(Feature::SqlExpressionParameters);
                }
                for e in s.named_arguments.values() {
                    self.push(Node::Expr(e));
                }
                self.exprs(&s.pos_arguments);
            }
            RelType::Sample(s) => self.rel(s.input.as_deref()),
            RelType::Offset(o) => self.rel(o.input.as_deref()),
            RelType::Deduplicate(d) => self.rel(d.input.as_deref()),
            RelType::SubqueryAlias(s) => self.rel(s.input.as_deref()),
            RelType::Repartition(r) => self.rel(r.input.as_deref()),
            RelType::ToDf(t) => self.rel(t.input.as_deref()),
            RelType::WithColumnsRenamed(w) => {
                // Without the map beside it (a name renamed twice), 3.5 would rename nothing.
                if !w.renames.is_empty() && w.rename_columns_map.len() != w.renames.len() {
                    self.uses(Feature::RenamesList);
                }
                self.rel(w.input.as_deref());
            }
            RelType::ShowString(s) => self.rel(s.input.as_deref()),
            RelType::Drop(d) => {
                self.rel(d.input.as_deref());
                self.exprs(&d.columns);
            }
            RelType::Tail(t) => self.rel(t.input.as_deref()),
            RelType::WithColumns(w) => {
                self.rel(w.input.as_deref());
                for a in &w.aliases {
                    self.expr(a.expr.as_deref());
                }
            }
            RelType::Hint(h) => {
                self.rel(h.input.as_deref());
                self.exprs(&h.parameters);
            }
            RelType::Unpivot(u) => {
                self.rel(u.input.as_deref());
                self.exprs(&u.ids);
                if let Some(v) = &u.values {
                    self.exprs(&v.values);
                }
            }
            RelType::ToSchema(t) => self.rel(t.input.as_deref()),
            RelType::RepartitionByExpression(r) => {
                self.rel(r.input.as_deref());
                self.exprs(&r.partition_exprs);
            }
            RelType::MapPartitions(m) => {
                self.rel(m.input.as_deref());
                self.udf(m.func.as_ref());
            }
            RelType::CollectMetrics(c) => {
                self.rel(c.input.as_deref());
                self.exprs(&c.metrics);
            }
            RelType::Parse(p) => self.rel(p.input.as_deref()),
            RelType::GroupMap(g) => {
                self.rel(g.input.as_deref());
                self.exprs(&g.grouping_expressions);
                self.udf(g.func.as_ref());
                self.exprs(&g.sorting_expressions);
                self.rel(g.initial_input.as_deref());
                self.exprs(&g.initial_grouping_expressions);
            }
            RelType::CoGroupMap(c) => {
                self.rel(c.input.as_deref());
                self.exprs(&c.input_grouping_expressions);
                self.rel(c.other.as_deref());
                self.exprs(&c.other_grouping_expressions);
                self.udf(c.func.as_ref());
                self.exprs(&c.input_sorting_expressions);
                self.exprs(&c.other_sorting_expressions);
            }
            RelType::WithWatermark(w) => self.rel(w.input.as_deref()),
            RelType::ApplyInPandasWithState(a) => {
                self.rel(a.input.as_deref());
                self.exprs(&a.grouping_expressions);
                self.udf(a.func.as_ref());
            }
            RelType::HtmlString(h) => self.rel(h.input.as_deref()),
            RelType::CommonInlineUserDefinedTableFunction(f) => self.exprs(&f.arguments),
            RelType::AsOfJoin(j) => {
                self.rel(j.left.as_deref());
                self.rel(j.right.as_deref());
                self.expr(j.left_as_of.as_ref());
                self.expr(j.right_as_of.as_ref());
                self.expr(j.join_expr.as_ref());
                self.expr(j.tolerance.as_ref());
            }
            RelType::WithRelations(w) => {
                self.uses(Feature::Subqueries);
                self.rel(w.root.as_deref());
                for r in &w.references {
                    self.push(Node::Rel(r));
                }
            }
            RelType::Transpose(t) => {
                self.uses(Feature::Transpose);
                self.rel(t.input.as_deref());
                self.exprs(&t.index_columns);
            }
            RelType::UnresolvedTableValuedFunction(f) => self.exprs(&f.arguments),
            RelType::LateralJoin(j) => {
                self.uses(Feature::LateralJoin);
                self.rel(j.left.as_deref());
                self.rel(j.right.as_deref());
                self.expr(j.join_condition.as_ref());
            }
            RelType::NearestByJoin(j) => {
                self.uses(Feature::NearestByJoin);
                self.rel(j.left.as_deref());
                self.rel(j.right.as_deref());
                self.expr(j.ranking_expression.as_ref());
            }
            RelType::Zip(z) => {
                self.rel(z.left.as_deref());
                self.rel(z.right.as_deref());
            }
            RelType::FillNa(f) => self.rel(f.input.as_deref()),
            RelType::DropNa(d) => self.rel(d.input.as_deref()),
            RelType::Replace(r) => self.rel(r.input.as_deref()),
            RelType::Summary(s) => self.rel(s.input.as_deref()),
            RelType::Crosstab(c) => self.rel(c.input.as_deref()),
            RelType::Describe(d) => self.rel(d.input.as_deref()),
            RelType::Cov(c) => self.rel(c.input.as_deref()),
            RelType::Corr(c) => self.rel(c.input.as_deref()),
            RelType::ApproxQuantile(a) => self.rel(a.input.as_deref()),
            RelType::FreqItems(f) => self.rel(f.input.as_deref()),
            RelType::SampleBy(s) => {
                self.rel(s.input.as_deref());
                self.expr(s.col.as_ref());
            }
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
            RelType::MlRelation(_) => {}
            // Leaves without expressions.
            RelType::LocalRelation(_)
            | RelType::Range(_)
            | RelType::CachedLocalRelation(_)
            | RelType::CachedRemoteRelation(_)
            | RelType::CommonInlineUserDefinedDataSource(_)
            | RelType::Extension(_)
            | RelType::Unknown(_) => {}
        }
    }

    fn expression(&mut self, e: &'a pb::Expression) {
        let Some(expr_type) = &e.expr_type else {
            return;
        };
        match expr_type {
            ExprType::SubqueryExpression(s) => {
                self.uses(Feature::Subqueries);
                if !s.in_subquery_values.is_empty()
                    || s.subquery_type == pb::subquery_expression::SubqueryType::In as i32
                {
                    self.uses(Feature::InSubquery);
                }
                self.exprs(&s.in_subquery_values);
                if let Some(o) = &s.table_arg_options {
                    self.exprs(&o.partition_spec);
                    self.sort_orders(&o.order_spec);
                }
            }
            ExprType::UnresolvedAttribute(a) => {
                // `Some(false)`, as PySpark 4 sends for every column, means what no value
                // means: an older server skipping it reads the same reference.
                if a.is_metadata_column == Some(true) {
                    self.uses(Feature::MetadataColumn);
                }
            }
            ExprType::UnresolvedStar(s) => {
                if s.plan_id.is_some() {
                    self.uses(Feature::StarOfPlan);
                }
            }
            ExprType::Literal(l) => {
                if let Some(pb::expression::literal::LiteralType::Time(_)) = &l.literal_type {
                    self.uses(Feature::TimeLiteral);
                }
            }
            ExprType::Cast(c) => {
                if c.eval_mode != pb::expression::cast::EvalMode::Unspecified as i32 {
                    self.uses(Feature::CastEvalMode);
                }
                self.expr(c.expr.as_deref());
            }
            ExprType::MergeAction(m) => {
                self.uses(Feature::MergeInto);
                self.expr(m.condition.as_deref());
                for a in &m.assignments {
                    self.expr(a.key.as_ref());
                    self.expr(a.value.as_ref());
                }
            }
            ExprType::UnresolvedFunction(f) => self.exprs(&f.arguments),
            ExprType::Alias(a) => self.expr(a.expr.as_deref()),
            ExprType::SortOrder(s) => self.expr(s.child.as_deref()),
            ExprType::LambdaFunction(l) => self.expr(l.function.as_deref()),
            ExprType::Window(w) => {
                self.expr(w.window_function.as_deref());
                self.exprs(&w.partition_spec);
                self.sort_orders(&w.order_spec);
                if let Some(frame) = &w.frame_spec {
                    use pb::expression::window::window_frame::frame_boundary::Boundary;
                    for bound in [&frame.lower, &frame.upper].into_iter().flatten() {
                        if let Some(Boundary::Value(v)) = &bound.boundary {
                            self.expr(Some(v));
                        }
                    }
                }
            }
            ExprType::UnresolvedExtractValue(u) => {
                self.expr(u.child.as_deref());
                self.expr(u.extraction.as_deref());
            }
            ExprType::UpdateFields(u) => {
                self.expr(u.struct_expression.as_deref());
                self.expr(u.value_expression.as_deref());
            }
            ExprType::CommonInlineUserDefinedFunction(f) => self.exprs(&f.arguments),
            ExprType::CallFunction(f) => self.exprs(&f.arguments),
            ExprType::NamedArgumentExpression(n) => self.expr(n.value.as_deref()),
            ExprType::DirectShufflePartitionId(d) => {
                self.uses(Feature::DirectShufflePartitionId);
                self.expr(d.child.as_deref());
            }
            ExprType::ExpressionString(_)
            | ExprType::UnresolvedRegex(_)
            | ExprType::UnresolvedNamedLambdaVariable(_)
            | ExprType::TypedAggregateExpression(_)
            | ExprType::Extension(_) => {}
        }
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
