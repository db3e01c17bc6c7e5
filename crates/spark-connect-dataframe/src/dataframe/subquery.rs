//! Subquery columns (Spark 4): a DataFrame used as a value inside another query's
//! expressions, as PySpark's `DataFrame.scalar()`, `DataFrame.exists()` and `Column.isin(df)`.
//!
//! The column carries only the subquery's plan id (`SubqueryExpression`); the subquery's plan
//! travels beside the query that uses it, in a `WithRelations` relation at the root of the
//! plan sent to the server. The session remembers the plans of the DataFrames made into
//! subquery columns, and a query that refers to some of them is sent with them. A subquery
//! that uses subqueries itself is remembered inside its own `WithRelations` carrying them (the
//! server resolves a reference's subqueries only there), as PySpark sends it.
//!
//! Which remembered plans a query uses is found by walking its relations and expressions
//! (`walk.rs`, a visitor over the transport's `plan_walk`, which names every protocol
//! variant), reading no payload: the cost is the number of plan nodes, paid on every request
//! of a session that has made a subquery column (sessions that have not skip it). A string literal is never mistaken for a subquery.
//!
//! Limits: the remembered plans (a copy of each, and of the subqueries it carries) live as
//! long as the session, since a column can be used any time later; a plan with a large local
//! relation made into a subquery column keeps that data. A subquery column of another session
//! is not found (its plan is in that session) and the server reports it as unresolved.
//! [`merge_into`](crate::DataFrame::merge_into) refuses one in its condition or actions.
//!
//! Inside the subquery, a column of the outer query is named with
//! [`Column::outer`](crate::Column::outer) (qualified through the outer DataFrame's
//! [`alias`](crate::DataFrame::alias)).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use proto::expression::ExprType;
use proto::relation::RelType;
use spark_connect_transport::proto;

mod walk;

use crate::column::Column;
use crate::dataframe::DataFrame;

use proto::subquery_expression::SubqueryType;

impl DataFrame {
    /// The single value of this one-column, at most one-row DataFrame, as a column of another
    /// query (a scalar subquery; `NULL` when it has no row, an error at run time when it has
    /// more than one). It may refer to the outer query's columns with
    /// [`Column::outer`](crate::Column::outer) (a correlated subquery).
    ///
    /// ```no_run
    /// use spark_connect_dataframe::functions::{avg, col};
    ///
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let emp = spark.table("emp").alias("e");
    /// // Employees paid above their department's average.
    /// let dept_avg = spark
    ///     .table("emp")
    ///     .alias("d")
    ///     .filter(col("d.dept").eq(col("e.dept").outer()))
    ///     .select([avg(col("d.salary"))])
    ///     .scalar();
    /// let above = emp.filter(col("e.salary").gt(dept_avg));
    /// # Ok(())
    /// # }
    /// ```
    pub fn scalar(&self) -> Column {
        self.subquery(SubqueryType::Scalar, Vec::new())
    }

    /// Whether this DataFrame has any row, as a boolean column of another query (`EXISTS`);
    /// negate it with `!` for `NOT EXISTS`. It may refer to the outer query's columns with
    /// [`Column::outer`](crate::Column::outer).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::proto::subquery_expression::SubqueryType;
    /// let (customers, orders) = (spark.table("customers").alias("c"), spark.table("orders").alias("o"));
    /// let has_orders = orders.filter(col("o.customer_id").eq(col("c.id").outer())).exists();
    /// let buyers = customers.filter(has_orders.clone()); // `!has_orders` for NOT EXISTS
    /// let Some(ExprType::SubqueryExpression(s)) = &has_orders.to_proto().expr_type else { panic!() };
    /// assert_eq!(s.subquery_type, SubqueryType::Exists as i32);
    /// # let _ = buyers;
    /// # Ok(())
    /// # }
    /// ```
    pub fn exists(&self) -> Column {
        self.subquery(SubqueryType::Exists, Vec::new())
    }

    fn subquery(&self, subquery_type: SubqueryType, in_values: Vec<proto::Expression>) -> Column {
        let session = self.session();
        // A bad argument in the subquery's plan cannot travel with the column; the server
        // reports what it makes of the plan.
        let mut plan = self.plan_for_subquery();
        let own_id = *plan
            .common
            .get_or_insert_with(Default::default)
            .plan_id
            .get_or_insert_with(|| session.next_plan_id());
        let plan_id = session
            .subqueries()
            .remember(own_id, plan, || session.next_plan_id());
        Column::from_expr_type(ExprType::SubqueryExpression(proto::SubqueryExpression {
            plan_id,
            subquery_type: subquery_type as i32,
            table_arg_options: None,
            in_subquery_values: in_values,
        }))
    }
}

impl DataFrame {
    /// The plan with the subqueries it uses (a `WithRelations` root when it uses any), for
    /// every request that sends it (queries, analyses, views, caching, writes); a bad
    /// argument in the plan, or a plan too deep to send, is an error here.
    pub(crate) fn plan_with_subqueries(&self) -> Result<proto::Relation, crate::Error> {
        let session = self.session();
        Ok(session
            .subqueries()
            .attach(self.checked_plan()?, || session.next_plan_id()))
    }
}

/// The subquery plan ids used by `exprs` (not looking into the subqueries' plans).
pub(crate) fn ids_in_expressions<'a>(
    exprs: impl IntoIterator<Item = &'a proto::Expression>,
) -> Vec<i64> {
    walk::in_expressions(exprs)
}

impl Column {
    /// Whether this column's value is among the values of the one-column DataFrame `values`
    /// (`IN (subquery)`; PySpark's `col.isin(df)`).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::proto::subquery_expression::SubqueryType;
    /// let vip_ids = spark.table("vips").select("id");
    /// let vips = col("id").isin_subquery(&vip_ids);
    /// let orders = spark.table("orders").filter(vips.clone());
    /// let Some(ExprType::SubqueryExpression(s)) = &vips.to_proto().expr_type else { panic!() };
    /// assert_eq!((s.subquery_type, s.in_subquery_values.len()), (SubqueryType::In as i32, 1));
    /// # let _ = orders;
    /// # Ok(())
    /// # }
    /// ```
    pub fn isin_subquery(self, values: &DataFrame) -> Column {
        values.subquery(SubqueryType::In, vec![self.into_proto()])
    }
}

/// The plans of a session's subquery columns, by plan id.
#[derive(Default)]
pub(crate) struct Subqueries {
    by_id: Mutex<HashMap<i64, proto::Relation>>,
}

/// Only the number of plans: a plan can hold secrets (a JDBC password option).
impl std::fmt::Debug for Subqueries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subqueries")
            .field("plans", &lock(&self.by_id).len())
            .finish()
    }
}

impl Subqueries {
    /// Remembers `plan` (whose plan id is `own_id`) as a subquery, and returns the id its
    /// `SubqueryExpression` names: `own_id`, or, for a plan that uses subqueries itself, the
    /// id of a `WithRelations` around it that carries them (the server resolves a
    /// reference's subqueries only from a `WithRelations` inside that reference; PySpark
    /// sends them so too).
    fn remember(
        &self,
        own_id: i64,
        plan: proto::Relation,
        next_plan_id: impl FnOnce() -> i64,
    ) -> i64 {
        let mut known = lock(&self.by_id);
        let references = references_of(&known, &plan);
        let (id, reference) = if references.is_empty() {
            (own_id, plan)
        } else {
            let id = next_plan_id();
            (id, with_relations(id, plan, references))
        };
        known.insert(id, reference);
        id
    }

    /// `root`, inside a `WithRelations` with the subqueries it refers to, if it refers to
    /// any. `next_plan_id` gives the new root its id.
    pub(crate) fn attach(
        &self,
        root: proto::Relation,
        next_plan_id: impl FnOnce() -> i64,
    ) -> proto::Relation {
        let known = lock(&self.by_id);
        // Sessions without subquery columns never walk their plans.
        if known.is_empty() {
            return root;
        }
        let references = references_of(&known, &root);
        drop(known);
        if references.is_empty() {
            root
        } else {
            with_relations(next_plan_id(), root, references)
        }
    }
}

/// The plans of the `known` subqueries that `plan` uses (each once, by id); each carries
/// the subqueries it uses in turn (see [`Subqueries::remember`]).
fn references_of(
    known: &HashMap<i64, proto::Relation>,
    plan: &proto::Relation,
) -> Vec<proto::Relation> {
    let used: BTreeMap<i64, &proto::Relation> = walk::in_relation(plan)
        .into_iter()
        .filter_map(|id| known.get(&id).map(|r| (id, r)))
        .collect();
    used.into_values().cloned().collect()
}

fn with_relations(
    plan_id: i64,
    root: proto::Relation,
    references: Vec<proto::Relation>,
) -> proto::Relation {
    proto::Relation {
        common: Some(proto::RelationCommon {
            plan_id: Some(plan_id),
            ..Default::default()
        }),
        rel_type: Some(RelType::WithRelations(Box::new(proto::WithRelations {
            root: Some(Box::new(root)),
            references,
        }))),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::{col, lit, max};

    fn with_relations(plan: &proto::Plan) -> &proto::WithRelations {
        match &plan.op_type {
            Some(proto::plan::OpType::Root(proto::Relation {
                rel_type: Some(RelType::WithRelations(w)),
                ..
            })) => w,
            other => panic!("not a WithRelations root: {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_query_is_sent_with_the_subqueries_it_uses_and_only_those() {
        let spark = crate::offline_session().await;
        let inner = spark.range(0, 3).select([max(col("id"))]);
        let _unused = spark.range(0, 9).exists();
        let nested = spark.range(0, 2).filter(inner.scalar().gt(lit(0)));
        let df = spark
            .range(0, 5)
            .select([col("id"), nested.exists().alias("e")]);
        let plan = df.root().unwrap();
        let w = with_relations(&plan);
        assert_eq!(w.root.as_deref(), Some(df.to_proto()));
        let id = |d: &DataFrame| d.to_proto().common.as_ref().unwrap().plan_id.unwrap();
        // The root refers to `nested` only; `nested`, which uses `inner`, travels in its own
        // WithRelations (a new id, the one the root's subquery expression names), with
        // `inner` as its reference.
        assert_eq!(w.references.len(), 1);
        let nested_ref = &w.references[0];
        let nested_ref_id = nested_ref.common.as_ref().unwrap().plan_id.unwrap();
        assert_ne!(nested_ref_id, id(&nested));
        assert_eq!(walk::in_relation(df.to_proto()), [nested_ref_id]);
        let Some(RelType::WithRelations(inner_w)) = &nested_ref.rel_type else {
            panic!("{nested_ref:?}")
        };
        assert_eq!(inner_w.root.as_deref(), Some(nested.to_proto()));
        assert_eq!(inner_w.references, [inner.to_proto().clone()]);
        assert_eq!(walk::in_relation(nested.to_proto()), [id(&inner)]);
        // The session's Debug shows how many subquery plans it keeps, not the plans.
        let debug = format!("{spark:?}");
        assert!(debug.contains("Subqueries { plans: 3 }"), "{debug}");
        assert!(!debug.contains("Range"), "{debug}");
        // A plan without subqueries is sent as it is.
        let plain = spark.range(0, 1);
        assert_eq!(
            plain.root().unwrap().op_type,
            Some(proto::plan::OpType::Root(plain.to_proto().clone()))
        );
    }

    fn reference_ids(df: &DataFrame) -> Vec<i64> {
        match df.root().unwrap().op_type {
            Some(proto::plan::OpType::Root(proto::Relation {
                rel_type: Some(RelType::WithRelations(w)),
                ..
            })) => w
                .references
                .iter()
                .map(|r| r.common.as_ref().unwrap().plan_id.unwrap())
                .collect(),
            _ => Vec::new(),
        }
    }

    fn id(df: &DataFrame) -> i64 {
        df.to_proto().common.as_ref().unwrap().plan_id.unwrap()
    }

    /// A string that looks like a subquery expression's Debug text is data, not a subquery.
    #[tokio::test]
    async fn a_literal_that_looks_like_a_subquery_is_not_one() {
        let spark = crate::offline_session().await;
        let sub = spark.range(0, 1);
        let _made = sub.exists();
        let text = format!("SubqueryExpression {{ plan_id: {} }}", id(&sub));
        let df = spark.range(0, 1).select([lit(text.as_str()).alias("s")]);
        assert!(reference_ids(&df).is_empty());
        assert_eq!(
            df.root().unwrap().op_type,
            Some(proto::plan::OpType::Root(df.to_proto().clone()))
        );
    }

    /// Subquery columns are found wherever an expression can be: in a window's ordering, a
    /// sort, a grouping, an aggregate, a lambda, a `CASE`, a join condition, a new column.
    #[tokio::test]
    async fn subqueries_are_found_in_every_kind_of_expression() {
        use crate::Window;
        use crate::functions::{array, row_number, sum, transform, when};
        let spark = crate::offline_session().await;
        let subs: Vec<DataFrame> = (0..8).map(|i| spark.range(0, i + 1)).collect();
        let s = |i: usize| subs[i].scalar();
        let df = spark
            .range(0, 3)
            .with_column(
                "r",
                row_number().over(&Window::order_by([s(0)]).partition_by([col("id")])),
            )
            .join(
                &spark.range(0, 3).alias("o"),
                col("id").eq(col("o.id")).and(s(1).gt(lit(0))),
                crate::JoinType::Inner,
            )
            .order_by([s(2)])
            .group_by([s(3).alias("g")])
            .agg([sum(when(s(4).gt(lit(0)), lit(1)).otherwise(lit(0))).alias("n")])
            .select([
                transform(array([col("n")]), |x| x + s(5)).alias("t"),
                subs[6].exists().alias("e"),
                col("g").isin_subquery(&subs[7]).alias("i"),
            ]);
        let mut found = reference_ids(&df);
        found.sort();
        let mut expected: Vec<i64> = subs.iter().map(id).collect();
        expected.sort();
        assert_eq!(found, expected);
    }
}
