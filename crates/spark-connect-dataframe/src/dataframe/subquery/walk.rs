//! The plan ids of the `SubqueryExpression`s in a relation tree or in expressions, found by
//! walking the protocol messages (prost has no reflection, so the walk names every relation
//! and expression variant; the matches have no catch-all arm, so a variant added to the
//! protocol is a compile error here until it is walked).
//!
//! The walk does not enter a subquery's own plan (only its id is in the expression): the
//! caller follows ids to the remembered plans. It reads no payload (a local relation's data,
//! a UDF's serialized function), so its cost is the number of plan nodes.

use proto::expression::ExprType;
use proto::relation::RelType;
use spark_connect_transport::proto;

/// A node still to visit (an explicit stack instead of recursion: a plan can be deep).
enum Node<'a> {
    Rel(&'a proto::Relation),
    Expr(&'a proto::Expression),
}

#[derive(Default)]
struct Walk<'a> {
    pending: Vec<Node<'a>>,
    ids: Vec<i64>,
}

/// The subquery plan ids used by `rel` (in the order found; may repeat).
pub(crate) fn in_relation(rel: &proto::Relation) -> Vec<i64> {
    let mut walk = Walk::default();
    walk.pending.push(Node::Rel(rel));
    walk.run()
}

/// The subquery plan ids used by `exprs` (in the order found; may repeat).
pub(crate) fn in_expressions<'a>(
    exprs: impl IntoIterator<Item = &'a proto::Expression>,
) -> Vec<i64> {
    let mut walk = Walk::default();
    walk.pending.extend(exprs.into_iter().map(Node::Expr));
    walk.run()
}

impl<'a> Walk<'a> {
    fn run(mut self) -> Vec<i64> {
        while let Some(node) = self.pending.pop() {
            match node {
                Node::Rel(r) => self.relation(r),
                Node::Expr(e) => self.expression(e),
            }
        }
        self.ids
    }

    fn rel(&mut self, r: Option<&'a proto::Relation>) {
        if let Some(r) = r {
            self.pending.push(Node::Rel(r));
        }
    }

    fn expr(&mut self, e: Option<&'a proto::Expression>) {
        if let Some(e) = e {
            self.pending.push(Node::Expr(e));
        }
    }

    fn exprs(&mut self, es: &'a [proto::Expression]) {
        self.pending.extend(es.iter().map(Node::Expr));
    }

    fn sort_orders(&mut self, orders: &'a [proto::expression::SortOrder]) {
        for o in orders {
            self.expr(o.child.as_deref());
        }
    }

    fn udf(&mut self, f: Option<&'a proto::CommonInlineUserDefinedFunction>) {
        if let Some(f) = f {
            self.exprs(&f.arguments);
        }
    }

    fn relation(&mut self, rel: &'a proto::Relation) {
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
                self.pending
                    .extend(s.named_arguments.values().map(Node::Expr));
                self.exprs(&s.pos_arguments);
            }
            RelType::Sample(s) => self.rel(s.input.as_deref()),
            RelType::Offset(o) => self.rel(o.input.as_deref()),
            RelType::Deduplicate(d) => self.rel(d.input.as_deref()),
            RelType::SubqueryAlias(s) => self.rel(s.input.as_deref()),
            RelType::Repartition(r) => self.rel(r.input.as_deref()),
            RelType::ToDf(t) => self.rel(t.input.as_deref()),
            RelType::WithColumnsRenamed(w) => self.rel(w.input.as_deref()),
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
                self.rel(w.root.as_deref());
                self.pending.extend(w.references.iter().map(Node::Rel));
            }
            RelType::Transpose(t) => {
                self.rel(t.input.as_deref());
                self.exprs(&t.index_columns);
            }
            RelType::UnresolvedTableValuedFunction(f) => self.exprs(&f.arguments),
            RelType::LateralJoin(j) => {
                self.rel(j.left.as_deref());
                self.rel(j.right.as_deref());
                self.expr(j.join_condition.as_ref());
            }
            RelType::NearestByJoin(j) => {
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
            RelType::MlRelation(m) => self.ml_relation(m),
            // Leaves: no input relation and no expression.
            RelType::Read(_)
            | RelType::LocalRelation(_)
            | RelType::Range(_)
            | RelType::CachedLocalRelation(_)
            | RelType::CachedRemoteRelation(_)
            | RelType::CommonInlineUserDefinedDataSource(_)
            | RelType::ChunkedCachedLocalRelation(_)
            | RelType::RelationChanges(_)
            | RelType::Catalog(_)
            | RelType::Extension(_)
            | RelType::Unknown(_) => {}
        }
    }

    fn ml_relation(&mut self, m: &'a proto::MlRelation) {
        use proto::fetch::method::args::ArgsType;
        use proto::ml_relation::MlType;
        match &m.ml_type {
            Some(MlType::Transform(t)) => self.rel(t.input.as_deref()),
            Some(MlType::Fetch(f)) => {
                for method in &f.methods {
                    for arg in &method.args {
                        match &arg.args_type {
                            Some(ArgsType::Input(r)) => self.rel(Some(r)),
                            Some(ArgsType::Param(_)) | None => {}
                        }
                    }
                }
            }
            None => {}
        }
    }

    fn expression(&mut self, e: &'a proto::Expression) {
        let Some(expr_type) = &e.expr_type else {
            return;
        };
        match expr_type {
            ExprType::SubqueryExpression(s) => {
                self.ids.push(s.plan_id);
                self.exprs(&s.in_subquery_values);
                if let Some(o) = &s.table_arg_options {
                    self.exprs(&o.partition_spec);
                    self.sort_orders(&o.order_spec);
                }
            }
            ExprType::UnresolvedFunction(f) => self.exprs(&f.arguments),
            ExprType::Alias(a) => self.expr(a.expr.as_deref()),
            ExprType::Cast(c) => self.expr(c.expr.as_deref()),
            ExprType::SortOrder(s) => self.expr(s.child.as_deref()),
            ExprType::LambdaFunction(l) => self.expr(l.function.as_deref()),
            ExprType::Window(w) => {
                self.expr(w.window_function.as_deref());
                self.exprs(&w.partition_spec);
                self.sort_orders(&w.order_spec);
                if let Some(frame) = &w.frame_spec {
                    use proto::expression::window::window_frame::frame_boundary::Boundary;
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
            ExprType::MergeAction(m) => {
                self.expr(m.condition.as_deref());
                for a in &m.assignments {
                    self.expr(a.key.as_ref());
                    self.expr(a.value.as_ref());
                }
            }
            ExprType::DirectShufflePartitionId(d) => self.expr(d.child.as_deref()),
            // Leaves.
            ExprType::Literal(_)
            | ExprType::UnresolvedAttribute(_)
            | ExprType::ExpressionString(_)
            | ExprType::UnresolvedStar(_)
            | ExprType::UnresolvedRegex(_)
            | ExprType::UnresolvedNamedLambdaVariable(_)
            | ExprType::TypedAggregateExpression(_)
            | ExprType::Extension(_) => {}
        }
    }
}
