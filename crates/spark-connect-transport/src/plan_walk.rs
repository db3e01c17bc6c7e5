//! One walk over a Spark Connect plan: every [`Relation`](crate::proto::Relation),
//! [`Expression`](crate::proto::Expression) and [`Command`](crate::proto::Command) in it,
//! handed to a [`PlanVisitor`] that looks at each and may record what it finds.
//!
//! The transport walks a plan before sending it, to find the version-dependent
//! [`Feature`](crate::Feature)s it uses; `spark-connect-dataframe` walks one to find the
//! subquery columns it refers to. Both are visitors over this walk, which alone knows where
//! the children of each message are.
//!
//! prost has no reflection, so the walk is written by hand: it names every relation,
//! expression and command variant, and its matches have no catch-all arm, so a variant
//! added to the protocol is a compile error here until it is walked (when one is added, also
//! see whether it is a `Feature` in `versions.rs`). Messages that are not relations or
//! expressions but hold some (sort orders, user-defined functions, the aliases of
//! `WithColumns`, window frame bounds, merge assignments, grouping sets, ML fetch arguments,
//! pipeline flows) are entered for what they hold; the visitor sees what they hold.
//!
//! What the walk does not enter: a `SubqueryExpression`'s plan (the expression carries only
//! its id), literals' contents (`Expression.Literal` is not an expression: the deprecated
//! `args` of SQL, `FillNa` values, pivot values), payloads (local data, serialized
//! functions, `Any` extensions) and a compressed plan. So its cost is the number of plan
//! nodes; the nodes still to visit are kept on an explicit stack (plans can be deep), inline
//! up to 32 nodes, so a small plan is walked without allocating.
//!
//! Nodes are visited depth first; of the children of one node, the last pushed is visited
//! first (the order is stable: a visitor that keeps the first of equals keeps the same one
//! each time).
//!
//! ```
//! use spark_connect_transport::plan_walk::{Descend, PlanVisitor, walk_relation};
//! use spark_connect_transport::proto;
//! use proto::expression::ExprType;
//!
//! /// The names of the columns a plan refers to.
//! #[derive(Default)]
//! struct Columns<'a>(Vec<&'a str>);
//!
//! impl<'a> PlanVisitor<'a> for Columns<'a> {
//!     fn expression(&mut self, e: &'a proto::Expression) -> Descend {
//!         if let Some(ExprType::UnresolvedAttribute(a)) = &e.expr_type {
//!             self.0.push(&a.unparsed_identifier);
//!         }
//!         Descend::Into
//!     }
//! }
//!
//! let column = |name: &str| proto::Expression {
//!     common: None,
//!     expr_type: Some(ExprType::UnresolvedAttribute(proto::expression::UnresolvedAttribute {
//!         unparsed_identifier: name.into(),
//!         ..Default::default()
//!     })),
//! };
//! let filter = proto::Relation {
//!     common: None,
//!     rel_type: Some(proto::relation::RelType::Filter(Box::new(proto::Filter {
//!         input: None,
//!         condition: Some(column("age")),
//!     }))),
//! };
//! let mut columns = Columns::default();
//! walk_relation(&filter, &mut columns);
//! assert_eq!(columns.0, ["age"]);
//! ```

use spark_connect_proto::spark::connect as pb;

use pb::expression::ExprType;
use pb::relation::RelType;

/// Whether the walk goes on into the children of the node a [`PlanVisitor`] hook was given.
///
/// ```
/// use spark_connect_transport::plan_walk::{Descend, PlanVisitor, walk_relation};
/// use spark_connect_transport::proto;
///
/// /// Counts relations, without entering what a `Limit` limits.
/// struct UpToLimit(usize);
///
/// impl<'a> PlanVisitor<'a> for UpToLimit {
///     fn relation(&mut self, r: &'a proto::Relation) -> Descend {
///         self.0 += 1;
///         match r.rel_type {
///             Some(proto::relation::RelType::Limit(_)) => Descend::Skip,
///             _ => Descend::Into,
///         }
///     }
/// }
///
/// let limit = proto::Relation {
///     common: None,
///     rel_type: Some(proto::relation::RelType::Limit(Box::new(proto::Limit {
///         input: Some(Box::new(proto::Relation::default())),
///         limit: 1,
///     }))),
/// };
/// let mut count = UpToLimit(0);
/// walk_relation(&limit, &mut count);
/// assert_eq!(count.0, 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Descend {
    /// Visit the node's children (relations, expressions) too.
    Into,
    /// Leave the node's children out.
    Skip,
}

/// What a walk of a plan calls for each relation, expression and command it reaches, before
/// it enters the node's children (when the hook answers [`Descend::Into`]). Every hook by
/// default does nothing and descends. The lifetime `'a` is the plan's: a visitor may keep
/// references into it.
///
/// ```
/// use spark_connect_transport::plan_walk::{Descend, PlanVisitor, walk_plan};
/// use spark_connect_transport::proto;
///
/// /// Counts the relations of a plan.
/// struct Relations(usize);
///
/// impl<'a> PlanVisitor<'a> for Relations {
///     fn relation(&mut self, _: &'a proto::Relation) -> Descend {
///         self.0 += 1;
///         Descend::Into
///     }
/// }
///
/// let plan = proto::Plan {
///     op_type: Some(proto::plan::OpType::Root(proto::Relation::default())),
/// };
/// let mut relations = Relations(0);
/// walk_plan(&plan, &mut relations);
/// assert_eq!(relations.0, 1);
/// ```
pub trait PlanVisitor<'a> {
    /// Called for each relation reached.
    fn relation(&mut self, relation: &'a pb::Relation) -> Descend {
        let _ = relation;
        Descend::Into
    }

    /// Called for each expression reached.
    fn expression(&mut self, expression: &'a pb::Expression) -> Descend {
        let _ = expression;
        Descend::Into
    }

    /// Called for the command of a plan that is one.
    fn command(&mut self, command: &'a pb::Command) -> Descend {
        let _ = command;
        Descend::Into
    }
}

/// Walks `plan`: its root relation, or its command (a compressed plan is not walked).
///
/// ```
/// use spark_connect_transport::plan_walk::{Descend, PlanVisitor, walk_plan};
/// use spark_connect_transport::proto;
///
/// struct Commands(usize);
/// impl<'a> PlanVisitor<'a> for Commands {
///     fn command(&mut self, _: &'a proto::Command) -> Descend {
///         self.0 += 1;
///         Descend::Into
///     }
/// }
///
/// let plan = proto::Plan {
///     op_type: Some(proto::plan::OpType::Command(proto::Command::default())),
/// };
/// let mut commands = Commands(0);
/// walk_plan(&plan, &mut commands);
/// assert_eq!(commands.0, 1);
/// ```
pub fn walk_plan<'a, V: PlanVisitor<'a> + ?Sized>(plan: &'a pb::Plan, visitor: &mut V) {
    match &plan.op_type {
        Some(pb::plan::OpType::Root(r)) => walk_relation(r, visitor),
        Some(pb::plan::OpType::Command(c)) => walk_command(c, visitor),
        // Bytes the caller compressed: nothing to walk without decompressing them.
        Some(pb::plan::OpType::CompressedOperation(_)) | None => {}
    }
}

/// Walks `relation` and everything below it.
///
/// ```
/// use spark_connect_transport::plan_walk::{Descend, PlanVisitor, walk_relation};
/// use spark_connect_transport::proto;
///
/// struct Relations(usize);
/// impl<'a> PlanVisitor<'a> for Relations {
///     fn relation(&mut self, _: &'a proto::Relation) -> Descend {
///         self.0 += 1;
///         Descend::Into
///     }
/// }
///
/// let limit = proto::Relation {
///     common: None,
///     rel_type: Some(proto::relation::RelType::Limit(Box::new(proto::Limit {
///         input: Some(Box::new(proto::Relation::default())),
///         limit: 1,
///     }))),
/// };
/// let mut relations = Relations(0);
/// walk_relation(&limit, &mut relations);
/// assert_eq!(relations.0, 2);
/// ```
pub fn walk_relation<'a, V: PlanVisitor<'a> + ?Sized>(relation: &'a pb::Relation, visitor: &mut V) {
    let mut walk = Walk::new(visitor);
    walk.stack.push(Node::Rel(relation));
    walk.run();
}

/// Walks `expressions` and everything below them (the last one first).
///
/// ```
/// use spark_connect_transport::plan_walk::{Descend, PlanVisitor, walk_expressions};
/// use spark_connect_transport::proto;
///
/// struct Expressions(usize);
/// impl<'a> PlanVisitor<'a> for Expressions {
///     fn expression(&mut self, _: &'a proto::Expression) -> Descend {
///         self.0 += 1;
///         Descend::Into
///     }
/// }
///
/// let alias = proto::Expression {
///     common: None,
///     expr_type: Some(proto::expression::ExprType::Alias(Box::new(
///         proto::expression::Alias {
///             expr: Some(Box::new(proto::Expression::default())),
///             name: vec!["x".into()],
///             metadata: None,
///         },
///     ))),
/// };
/// let mut expressions = Expressions(0);
/// walk_expressions([&alias, &proto::Expression::default()], &mut expressions);
/// assert_eq!(expressions.0, 3);
/// ```
pub fn walk_expressions<'a, V: PlanVisitor<'a> + ?Sized>(
    expressions: impl IntoIterator<Item = &'a pb::Expression>,
    visitor: &mut V,
) {
    let mut walk = Walk::new(visitor);
    for e in expressions {
        walk.stack.push(Node::Expr(e));
    }
    walk.run();
}

/// Walks `command` and the relations and expressions it holds.
///
/// ```
/// use spark_connect_transport::plan_walk::{Descend, PlanVisitor, walk_command};
/// use spark_connect_transport::proto;
///
/// struct Relations(usize);
/// impl<'a> PlanVisitor<'a> for Relations {
///     fn relation(&mut self, _: &'a proto::Relation) -> Descend {
///         self.0 += 1;
///         Descend::Into
///     }
/// }
///
/// let view = proto::Command {
///     command_type: Some(proto::command::CommandType::CreateDataframeView(
///         proto::CreateDataFrameViewCommand {
///             input: Some(proto::Relation::default()),
///             name: "v".into(),
///             is_global: false,
///             replace: true,
///         },
///     )),
/// };
/// let mut relations = Relations(0);
/// walk_command(&view, &mut relations);
/// assert_eq!(relations.0, 1);
/// ```
pub fn walk_command<'a, V: PlanVisitor<'a> + ?Sized>(command: &'a pb::Command, visitor: &mut V) {
    let mut walk = Walk::new(visitor);
    if walk.visitor.command(command) == Descend::Into {
        walk.command(command);
    }
    walk.run();
}

#[derive(Clone, Copy)]
enum Node<'a> {
    Rel(&'a pb::Relation),
    Expr(&'a pb::Expression),
}

/// Nodes still to visit, inline up to `INLINE` nodes so that small plans need no
/// allocation.
const INLINE: usize = 32;

struct Stack<'a> {
    inline: [Option<Node<'a>>; INLINE],
    len: usize,
    spilled: Vec<Node<'a>>,
}

impl<'a> Stack<'a> {
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
}

struct Walk<'a, 'v, V: ?Sized> {
    stack: Stack<'a>,
    visitor: &'v mut V,
}

impl<'a, 'v, V: PlanVisitor<'a> + ?Sized> Walk<'a, 'v, V> {
    fn new(visitor: &'v mut V) -> Self {
        Walk {
            stack: Stack {
                inline: [None; INLINE],
                len: 0,
                spilled: Vec::new(),
            },
            visitor,
        }
    }

    fn run(&mut self) {
        while let Some(node) = self.stack.pop() {
            match node {
                Node::Rel(r) => {
                    if self.visitor.relation(r) == Descend::Into {
                        self.relation(r);
                    }
                }
                Node::Expr(e) => {
                    if self.visitor.expression(e) == Descend::Into {
                        self.expression(e);
                    }
                }
            }
        }
    }

    fn rel(&mut self, r: Option<&'a pb::Relation>) {
        if let Some(r) = r {
            self.stack.push(Node::Rel(r));
        }
    }

    fn rels(&mut self, rs: &'a [pb::Relation]) {
        for r in rs {
            self.stack.push(Node::Rel(r));
        }
    }

    fn expr(&mut self, e: Option<&'a pb::Expression>) {
        if let Some(e) = e {
            self.stack.push(Node::Expr(e));
        }
    }

    fn exprs(&mut self, es: &'a [pb::Expression]) {
        for e in es {
            self.stack.push(Node::Expr(e));
        }
    }

    fn named_exprs(&mut self, es: &'a std::collections::HashMap<String, pb::Expression>) {
        for e in es.values() {
            self.stack.push(Node::Expr(e));
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

    /// The children of a command.
    fn command(&mut self, command: &'a pb::Command) {
        use pb::command::CommandType as C;
        let Some(command_type) = &command.command_type else {
            return;
        };
        match command_type {
            C::SqlCommand(c) => {
                self.rel(c.input.as_ref());
                #[allow(deprecated)]
                {
                    self.named_exprs(&c.named_arguments);
                    self.exprs(&c.pos_arguments);
                }
            }
            C::WriteOperation(w) => self.rel(w.input.as_ref()),
            C::WriteOperationV2(w) => {
                self.rel(w.input.as_ref());
                self.exprs(&w.partitioning_columns);
                self.expr(w.overwrite_condition.as_ref());
            }
            C::WriteStreamOperationStart(w) => self.rel(w.input.as_ref()),
            C::CreateDataframeView(v) => self.rel(v.input.as_ref()),
            C::CheckpointCommand(c) => self.rel(c.relation.as_ref()),
            C::MergeIntoTableCommand(m) => {
                self.rel(m.source_table_plan.as_ref());
                self.expr(m.merge_condition.as_ref());
                self.exprs(&m.match_actions);
                self.exprs(&m.not_matched_actions);
                self.exprs(&m.not_matched_by_source_actions);
            }
            C::RegisterFunction(f) => self.exprs(&f.arguments),
            C::RegisterTableFunction(f) => self.exprs(&f.arguments),
            C::MlCommand(m) => self.ml_command(m),
            C::PipelineCommand(p) => self.pipeline_command(p),
            // No relation or expression in them.
            C::StreamingQueryCommand(_)
            | C::GetResourcesCommand(_)
            | C::StreamingQueryManagerCommand(_)
            | C::StreamingQueryListenerBusCommand(_)
            | C::RegisterDataSource(_)
            | C::CreateResourceProfileCommand(_)
            | C::RemoveCachedRemoteRelationCommand(_)
            | C::ExecuteExternalCommand(_)
            | C::Extension(_) => {}
        }
    }

    fn ml_command(&mut self, m: &'a pb::MlCommand) {
        use pb::ml_command::Command as M;
        let Some(command) = &m.command else {
            return;
        };
        match command {
            M::Fit(f) => self.rel(f.dataset.as_ref()),
            M::Evaluate(e) => self.rel(e.dataset.as_ref()),
            M::CreateSummary(c) => self.rel(c.dataset.as_ref()),
            M::Fetch(f) => self.ml_fetch(f),
            M::Delete(_)
            | M::Write(_)
            | M::Read(_)
            | M::CleanCache(_)
            | M::GetCacheInfo(_)
            | M::GetModelSize(_) => {}
        }
    }

    fn ml_fetch(&mut self, f: &'a pb::Fetch) {
        use pb::fetch::method::args::ArgsType;
        for method in &f.methods {
            for arg in &method.args {
                match &arg.args_type {
                    Some(ArgsType::Input(r)) => self.rel(Some(r)),
                    Some(ArgsType::Param(_)) | None => {}
                }
            }
        }
    }

    fn pipeline_command(&mut self, p: &'a pb::PipelineCommand) {
        use pb::pipeline_command::CommandType as P;
        let Some(command_type) = &p.command_type else {
            return;
        };
        match command_type {
            P::DefineFlow(f) => self.pipeline_flow(f),
            P::ExecuteOutputFlows(e) => {
                for f in &e.define_flows {
                    self.pipeline_flow(f);
                }
            }
            P::DefineFlowQueryFunctionResult(r) => self.rel(r.relation.as_ref()),
            P::CreateDataflowGraph(_)
            | P::DefineOutput(_)
            | P::DropDataflowGraph(_)
            | P::StartRun(_)
            | P::DefineSqlGraphElements(_)
            | P::GetQueryFunctionExecutionSignalStream(_)
            | P::Extension(_) => {}
        }
    }

    fn pipeline_flow(&mut self, f: &'a pb::pipeline_command::DefineFlow) {
        use pb::pipeline_command::define_flow::Details as D;
        let Some(details) = &f.details else {
            return;
        };
        match details {
            D::RelationFlowDetails(d) => self.rel(d.relation.as_ref()),
            D::AutoCdcFlowDetails(c) => {
                self.exprs(&c.keys);
                self.expr(c.sequence_by.as_ref());
                self.expr(c.apply_as_deletes.as_ref());
                self.expr(c.apply_as_truncates.as_ref());
                self.exprs(&c.column_list);
                self.exprs(&c.except_column_list);
                self.exprs(&c.track_history_column_list);
                self.exprs(&c.track_history_except_column_list);
                self.exprs(&c.ignore_null_updates_column_list);
                self.exprs(&c.ignore_null_updates_except_column_list);
            }
            D::Extension(_) => {}
        }
    }

    /// The children of a relation.
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
                self.named_exprs(&s.named_arguments);
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
                self.rels(&w.references);
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
            RelType::MlRelation(m) => {
                use pb::ml_relation::MlType;
                self.rel(m.model_summary_dataset.as_deref());
                match &m.ml_type {
                    Some(MlType::Transform(t)) => self.rel(t.input.as_deref()),
                    Some(MlType::Fetch(f)) => self.ml_fetch(f),
                    None => {}
                }
            }
            // Leaves: no relation or expression in them.
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

    /// The children of an expression.
    fn expression(&mut self, e: &'a pb::Expression) {
        let Some(expr_type) = &e.expr_type else {
            return;
        };
        match expr_type {
            // Not the subquery's plan: the expression names it by its id.
            ExprType::SubqueryExpression(s) => {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Numbered leaves to put in every child slot of the messages under test: a relation
    /// whose plan id is its number, an attribute named by its number.
    #[derive(Default)]
    struct Markers(i64);

    impl Markers {
        fn rel(&mut self) -> pb::Relation {
            self.0 += 1;
            pb::Relation {
                common: Some(pb::RelationCommon {
                    plan_id: Some(self.0),
                    ..Default::default()
                }),
                rel_type: Some(RelType::Range(pb::Range::default())),
            }
        }

        fn boxed(&mut self) -> Option<Box<pb::Relation>> {
            Some(Box::new(self.rel()))
        }

        fn expr(&mut self) -> pb::Expression {
            self.0 += 1;
            pb::Expression {
                common: None,
                expr_type: Some(ExprType::UnresolvedAttribute(
                    pb::expression::UnresolvedAttribute {
                        unparsed_identifier: self.0.to_string(),
                        ..Default::default()
                    },
                )),
            }
        }

        fn exprs(&mut self) -> Vec<pb::Expression> {
            vec![self.expr(), self.expr()]
        }

        fn sort_orders(&mut self) -> Vec<pb::expression::SortOrder> {
            vec![pb::expression::SortOrder {
                child: Some(Box::new(self.expr())),
                ..Default::default()
            }]
        }

        fn udf(&mut self) -> Option<pb::CommonInlineUserDefinedFunction> {
            Some(pb::CommonInlineUserDefinedFunction {
                arguments: self.exprs(),
                ..Default::default()
            })
        }

        fn all(&self) -> BTreeSet<i64> {
            (1..=self.0).collect()
        }
    }

    /// The markers seen, and every node seen (by address) to tell a node seen twice.
    #[derive(Default)]
    struct Seen {
        markers: Vec<i64>,
        nodes: BTreeSet<usize>,
        twice: usize,
    }

    impl Seen {
        fn node<T>(&mut self, node: &T) {
            if !self.nodes.insert(node as *const T as usize) {
                self.twice += 1;
            }
        }

        /// Each marker seen once, all of them, no node seen twice.
        fn assert_saw(&self, markers: &Markers) {
            let seen: BTreeSet<i64> = self.markers.iter().copied().collect();
            assert_eq!(seen.len(), self.markers.len(), "{:?}", self.markers);
            assert_eq!(seen, markers.all());
            assert_eq!(self.twice, 0);
        }
    }

    impl<'a> PlanVisitor<'a> for Seen {
        fn relation(&mut self, r: &'a pb::Relation) -> Descend {
            self.node(r);
            if let Some(id) = r.common.as_ref().and_then(|c| c.plan_id) {
                self.markers.push(id);
            }
            Descend::Into
        }

        fn expression(&mut self, e: &'a pb::Expression) -> Descend {
            self.node(e);
            if let Some(ExprType::UnresolvedAttribute(a)) = &e.expr_type {
                self.markers.push(a.unparsed_identifier.parse().unwrap());
            }
            Descend::Into
        }
    }

    fn relation(rel_type: RelType) -> pb::Relation {
        pb::Relation {
            common: None,
            rel_type: Some(rel_type),
        }
    }

    fn expression(expr_type: ExprType) -> pb::Expression {
        pb::Expression {
            common: None,
            expr_type: Some(expr_type),
        }
    }

    /// Every relation and expression slot of the relations with children, filled with a
    /// marker, is visited once.
    #[test]
    fn every_child_of_a_relation_is_visited() {
        let m = &mut Markers::default();
        let children = vec![
            RelType::Project(Box::new(pb::Project {
                input: m.boxed(),
                expressions: m.exprs(),
            })),
            RelType::Filter(Box::new(pb::Filter {
                input: m.boxed(),
                condition: Some(m.expr()),
            })),
            RelType::Join(Box::new(pb::Join {
                left: m.boxed(),
                right: m.boxed(),
                join_condition: Some(m.expr()),
                ..Default::default()
            })),
            RelType::SetOp(Box::new(pb::SetOperation {
                left_input: m.boxed(),
                right_input: m.boxed(),
                ..Default::default()
            })),
            RelType::Sort(Box::new(pb::Sort {
                input: m.boxed(),
                order: m.sort_orders(),
                ..Default::default()
            })),
            RelType::Aggregate(Box::new(pb::Aggregate {
                input: m.boxed(),
                grouping_expressions: m.exprs(),
                aggregate_expressions: m.exprs(),
                pivot: Some(pb::aggregate::Pivot {
                    col: Some(m.expr()),
                    values: vec![],
                }),
                grouping_sets: vec![pb::aggregate::GroupingSets {
                    grouping_set: m.exprs(),
                }],
                ..Default::default()
            })),
            RelType::Sql(pb::Sql {
                named_arguments: [("a".to_string(), m.expr())].into(),
                pos_arguments: m.exprs(),
                ..Default::default()
            }),
            RelType::Drop(Box::new(pb::Drop {
                input: m.boxed(),
                columns: m.exprs(),
                ..Default::default()
            })),
            RelType::WithColumns(Box::new(pb::WithColumns {
                input: m.boxed(),
                aliases: vec![pb::expression::Alias {
                    expr: Some(Box::new(m.expr())),
                    ..Default::default()
                }],
            })),
            RelType::Hint(Box::new(pb::Hint {
                input: m.boxed(),
                parameters: m.exprs(),
                ..Default::default()
            })),
            RelType::Unpivot(Box::new(pb::Unpivot {
                input: m.boxed(),
                ids: m.exprs(),
                values: Some(pb::unpivot::Values { values: m.exprs() }),
                ..Default::default()
            })),
            RelType::RepartitionByExpression(Box::new(pb::RepartitionByExpression {
                input: m.boxed(),
                partition_exprs: m.exprs(),
                ..Default::default()
            })),
            RelType::MapPartitions(Box::new(pb::MapPartitions {
                input: m.boxed(),
                func: m.udf(),
                ..Default::default()
            })),
            RelType::CollectMetrics(Box::new(pb::CollectMetrics {
                input: m.boxed(),
                metrics: m.exprs(),
                ..Default::default()
            })),
            RelType::GroupMap(Box::new(pb::GroupMap {
                input: m.boxed(),
                grouping_expressions: m.exprs(),
                func: m.udf(),
                sorting_expressions: m.exprs(),
                initial_input: m.boxed(),
                initial_grouping_expressions: m.exprs(),
                ..Default::default()
            })),
            RelType::CoGroupMap(Box::new(pb::CoGroupMap {
                input: m.boxed(),
                input_grouping_expressions: m.exprs(),
                other: m.boxed(),
                other_grouping_expressions: m.exprs(),
                func: m.udf(),
                input_sorting_expressions: m.exprs(),
                other_sorting_expressions: m.exprs(),
            })),
            RelType::ApplyInPandasWithState(Box::new(pb::ApplyInPandasWithState {
                input: m.boxed(),
                grouping_expressions: m.exprs(),
                func: m.udf(),
                ..Default::default()
            })),
            RelType::CommonInlineUserDefinedTableFunction(
                pb::CommonInlineUserDefinedTableFunction {
                    arguments: m.exprs(),
                    ..Default::default()
                },
            ),
            RelType::AsOfJoin(Box::new(pb::AsOfJoin {
                left: m.boxed(),
                right: m.boxed(),
                left_as_of: Some(m.expr()),
                right_as_of: Some(m.expr()),
                join_expr: Some(m.expr()),
                tolerance: Some(m.expr()),
                ..Default::default()
            })),
            RelType::WithRelations(Box::new(pb::WithRelations {
                root: m.boxed(),
                references: vec![m.rel(), m.rel()],
            })),
            RelType::Transpose(Box::new(pb::Transpose {
                input: m.boxed(),
                index_columns: m.exprs(),
            })),
            RelType::UnresolvedTableValuedFunction(pb::UnresolvedTableValuedFunction {
                arguments: m.exprs(),
                ..Default::default()
            }),
            RelType::LateralJoin(Box::new(pb::LateralJoin {
                left: m.boxed(),
                right: m.boxed(),
                join_condition: Some(m.expr()),
                ..Default::default()
            })),
            RelType::NearestByJoin(Box::new(pb::NearestByJoin {
                left: m.boxed(),
                right: m.boxed(),
                ranking_expression: Some(m.expr()),
                ..Default::default()
            })),
            RelType::Zip(Box::new(pb::Zip {
                left: m.boxed(),
                right: m.boxed(),
            })),
            RelType::SampleBy(Box::new(pb::StatSampleBy {
                input: m.boxed(),
                col: Some(m.expr()),
                ..Default::default()
            })),
            RelType::MlRelation(Box::new(pb::MlRelation {
                model_summary_dataset: m.boxed(),
                ml_type: Some(pb::ml_relation::MlType::Transform(Box::new(
                    pb::ml_relation::Transform {
                        input: m.boxed(),
                        ..Default::default()
                    },
                ))),
            })),
            RelType::MlRelation(Box::new(pb::MlRelation {
                model_summary_dataset: None,
                ml_type: Some(pb::ml_relation::MlType::Fetch(ml_fetch(m))),
            })),
            // One of the relations with only an input.
            RelType::Limit(Box::new(pb::Limit {
                input: m.boxed(),
                limit: 1,
            })),
        ];
        let union = children
            .into_iter()
            .map(relation)
            .reduce(|left, right| {
                relation(RelType::SetOp(Box::new(pb::SetOperation {
                    left_input: Some(Box::new(left)),
                    right_input: Some(Box::new(right)),
                    ..Default::default()
                })))
            })
            .unwrap();
        let mut seen = Seen::default();
        walk_relation(&union, &mut seen);
        seen.assert_saw(m);
    }

    fn ml_fetch(m: &mut Markers) -> pb::Fetch {
        use pb::fetch::method::{Args, args::ArgsType};
        pb::Fetch {
            obj_ref: None,
            methods: vec![pb::fetch::Method {
                method: "m".into(),
                args: vec![
                    Args {
                        args_type: Some(ArgsType::Input(m.rel())),
                    },
                    Args {
                        args_type: Some(ArgsType::Param(Default::default())),
                    },
                ],
            }],
        }
    }

    /// Every expression slot of the expressions with children is visited once; a
    /// subquery's plan is not there to visit (the expression holds only its id).
    #[test]
    fn every_child_of_an_expression_is_visited() {
        use pb::expression as e;
        let m = &mut Markers::default();
        let boxed = |m: &mut Markers| Some(Box::new(m.expr()));
        let bound = |m: &mut Markers| {
            Some(Box::new(e::window::window_frame::FrameBoundary {
                boundary: Some(e::window::window_frame::frame_boundary::Boundary::Value(
                    Box::new(m.expr()),
                )),
            }))
        };
        let parents = vec![
            ExprType::SubqueryExpression(pb::SubqueryExpression {
                plan_id: 7,
                in_subquery_values: m.exprs(),
                table_arg_options: Some(pb::subquery_expression::TableArgOptions {
                    partition_spec: m.exprs(),
                    order_spec: m.sort_orders(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ExprType::UnresolvedFunction(e::UnresolvedFunction {
                arguments: m.exprs(),
                ..Default::default()
            }),
            ExprType::Alias(Box::new(e::Alias {
                expr: boxed(m),
                ..Default::default()
            })),
            ExprType::Cast(Box::new(e::Cast {
                expr: boxed(m),
                ..Default::default()
            })),
            ExprType::SortOrder(Box::new(e::SortOrder {
                child: boxed(m),
                ..Default::default()
            })),
            ExprType::LambdaFunction(Box::new(e::LambdaFunction {
                function: boxed(m),
                ..Default::default()
            })),
            ExprType::Window(Box::new(e::Window {
                window_function: boxed(m),
                partition_spec: m.exprs(),
                order_spec: m.sort_orders(),
                frame_spec: Some(Box::new(e::window::WindowFrame {
                    lower: bound(m),
                    upper: bound(m),
                    ..Default::default()
                })),
            })),
            ExprType::UnresolvedExtractValue(Box::new(e::UnresolvedExtractValue {
                child: boxed(m),
                extraction: boxed(m),
            })),
            ExprType::UpdateFields(Box::new(e::UpdateFields {
                struct_expression: boxed(m),
                value_expression: boxed(m),
                ..Default::default()
            })),
            ExprType::CommonInlineUserDefinedFunction(m.udf().unwrap()),
            ExprType::CallFunction(pb::CallFunction {
                arguments: m.exprs(),
                ..Default::default()
            }),
            ExprType::NamedArgumentExpression(Box::new(pb::NamedArgumentExpression {
                value: boxed(m),
                ..Default::default()
            })),
            ExprType::MergeAction(Box::new(pb::MergeAction {
                condition: boxed(m),
                assignments: vec![pb::merge_action::Assignment {
                    key: Some(m.expr()),
                    value: Some(m.expr()),
                }],
                ..Default::default()
            })),
            ExprType::DirectShufflePartitionId(Box::new(e::DirectShufflePartitionId {
                child: boxed(m),
            })),
        ];
        let parents: Vec<pb::Expression> = parents.into_iter().map(expression).collect();
        let mut seen = Seen::default();
        walk_expressions(&parents, &mut seen);
        seen.assert_saw(m);
        // The parents themselves, and nothing else.
        assert_eq!(seen.nodes.len(), parents.len() + seen.markers.len());
    }

    /// Every relation and expression slot of the commands that hold some is visited once.
    #[test]
    fn every_child_of_a_command_is_visited() {
        use pb::command::CommandType as C;
        use pb::pipeline_command as p;
        let m = &mut Markers::default();
        let flow = |details| p::DefineFlow {
            details: Some(details),
            ..Default::default()
        };
        #[allow(deprecated)]
        let commands = vec![
            C::SqlCommand(pb::SqlCommand {
                input: Some(m.rel()),
                named_arguments: [("a".to_string(), m.expr())].into(),
                pos_arguments: m.exprs(),
                ..Default::default()
            }),
            C::WriteOperation(pb::WriteOperation {
                input: Some(m.rel()),
                ..Default::default()
            }),
            C::WriteOperationV2(pb::WriteOperationV2 {
                input: Some(m.rel()),
                partitioning_columns: m.exprs(),
                overwrite_condition: Some(m.expr()),
                ..Default::default()
            }),
            C::WriteStreamOperationStart(pb::WriteStreamOperationStart {
                input: Some(m.rel()),
                ..Default::default()
            }),
            C::CreateDataframeView(pb::CreateDataFrameViewCommand {
                input: Some(m.rel()),
                ..Default::default()
            }),
            C::CheckpointCommand(pb::CheckpointCommand {
                relation: Some(m.rel()),
                ..Default::default()
            }),
            C::MergeIntoTableCommand(pb::MergeIntoTableCommand {
                source_table_plan: Some(m.rel()),
                merge_condition: Some(m.expr()),
                match_actions: m.exprs(),
                not_matched_actions: m.exprs(),
                not_matched_by_source_actions: m.exprs(),
                ..Default::default()
            }),
            C::RegisterFunction(m.udf().unwrap()),
            C::RegisterTableFunction(pb::CommonInlineUserDefinedTableFunction {
                arguments: m.exprs(),
                ..Default::default()
            }),
            C::MlCommand(pb::MlCommand {
                command: Some(pb::ml_command::Command::Fit(pb::ml_command::Fit {
                    dataset: Some(m.rel()),
                    ..Default::default()
                })),
            }),
            C::MlCommand(pb::MlCommand {
                command: Some(pb::ml_command::Command::Evaluate(
                    pb::ml_command::Evaluate {
                        dataset: Some(m.rel()),
                        ..Default::default()
                    },
                )),
            }),
            C::MlCommand(pb::MlCommand {
                command: Some(pb::ml_command::Command::CreateSummary(
                    pb::ml_command::CreateSummary {
                        dataset: Some(m.rel()),
                        ..Default::default()
                    },
                )),
            }),
            C::MlCommand(pb::MlCommand {
                command: Some(pb::ml_command::Command::Fetch(ml_fetch(m))),
            }),
            C::PipelineCommand(pb::PipelineCommand {
                command_type: Some(p::CommandType::DefineFlow(flow(
                    p::define_flow::Details::RelationFlowDetails(
                        p::define_flow::WriteRelationFlowDetails {
                            relation: Some(m.rel()),
                        },
                    ),
                ))),
            }),
            C::PipelineCommand(pb::PipelineCommand {
                command_type: Some(p::CommandType::ExecuteOutputFlows(p::ExecuteOutputFlows {
                    define_flows: vec![flow(p::define_flow::Details::AutoCdcFlowDetails(
                        p::define_flow::AutoCdcFlowDetails {
                            keys: m.exprs(),
                            sequence_by: Some(m.expr()),
                            apply_as_deletes: Some(m.expr()),
                            apply_as_truncates: Some(m.expr()),
                            column_list: m.exprs(),
                            except_column_list: m.exprs(),
                            track_history_column_list: m.exprs(),
                            track_history_except_column_list: m.exprs(),
                            ignore_null_updates_column_list: m.exprs(),
                            ignore_null_updates_except_column_list: m.exprs(),
                            ..Default::default()
                        },
                    ))],
                    ..Default::default()
                })),
            }),
            C::PipelineCommand(pb::PipelineCommand {
                command_type: Some(p::CommandType::DefineFlowQueryFunctionResult(
                    p::DefineFlowQueryFunctionResult {
                        relation: Some(m.rel()),
                        ..Default::default()
                    },
                )),
            }),
        ];
        let plans: Vec<pb::Plan> = commands
            .into_iter()
            .map(|command_type| pb::Plan {
                op_type: Some(pb::plan::OpType::Command(pb::Command {
                    command_type: Some(command_type),
                })),
            })
            .collect();
        let mut seen = Seen::default();
        for plan in &plans {
            walk_plan(plan, &mut seen);
        }
        seen.assert_saw(m);
    }

    /// A hook that answers `Skip` keeps the walk out of that node's children, and only
    /// those.
    #[test]
    fn skip_leaves_out_the_children_of_that_node_only() {
        struct SkipFilters(Seen);
        impl<'a> PlanVisitor<'a> for SkipFilters {
            fn relation(&mut self, r: &'a pb::Relation) -> Descend {
                self.0.relation(r);
                match r.rel_type {
                    Some(RelType::Filter(_)) => Descend::Skip,
                    _ => Descend::Into,
                }
            }
            fn expression(&mut self, e: &'a pb::Expression) -> Descend {
                self.0.expression(e)
            }
        }
        let m = &mut Markers::default();
        let filter = relation(RelType::Filter(Box::new(pb::Filter {
            input: m.boxed(),
            condition: Some(m.expr()),
        })));
        let hidden = m.all();
        let join = relation(RelType::Join(Box::new(pb::Join {
            left: Some(Box::new(filter)),
            right: m.boxed(),
            join_condition: Some(m.expr()),
            ..Default::default()
        })));
        let mut seen = SkipFilters(Seen::default());
        walk_relation(&join, &mut seen);
        let seen: BTreeSet<i64> = seen.0.markers.into_iter().collect();
        assert_eq!(seen, m.all().difference(&hidden).copied().collect());
        assert!(!hidden.is_empty());
        // Without the skip, the filter's children are seen.
        let mut all = Seen::default();
        walk_relation(&join, &mut all);
        all.assert_saw(m);
    }
}
