//! Subquery columns (Spark 4): a DataFrame used as a value inside another query's
//! expressions, as PySpark's `DataFrame.scalar()`, `DataFrame.exists()` and `Column.isin(df)`.
//!
//! The column carries only the subquery's plan id (`SubqueryExpression`); the subquery's plan
//! travels beside the query that uses it, in a `WithRelations` relation at the root of the
//! plan sent to the server. The session remembers the plans of the DataFrames made into
//! subquery columns, and a query that refers to some of them (directly or through one another)
//! is sent with them.
//!
//! Inside the subquery, a column of the outer query is named with
//! [`Column::outer`](crate::Column::outer) (qualified through the outer DataFrame's
//! [`alias`](crate::DataFrame::alias)).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use proto::expression::ExprType;
use proto::relation::RelType;
use spark_connect_transport::proto;

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
    pub fn exists(&self) -> Column {
        self.subquery(SubqueryType::Exists, Vec::new())
    }

    fn subquery(&self, subquery_type: SubqueryType, in_values: Vec<proto::Expression>) -> Column {
        let plan_id = self
            .to_proto()
            .common
            .as_ref()
            .and_then(|c| c.plan_id)
            .unwrap_or_else(|| self.session().next_plan_id());
        let mut plan = self.to_proto().clone();
        plan.common.get_or_insert_with(Default::default).plan_id = Some(plan_id);
        self.session().subqueries().remember(plan_id, plan);
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
    /// the commands and analyses that take a relation (views, caching, writes).
    pub(crate) fn plan_with_subqueries(&self) -> proto::Relation {
        let session = self.session();
        session
            .subqueries()
            .attach(self.to_proto().clone(), || session.next_plan_id())
    }
}

impl Column {
    /// Whether this column's value is among the values of the one-column DataFrame `values`
    /// (`IN (subquery)`; PySpark's `col.isin(df)`).
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

const MARK: &str = "SubqueryExpression { plan_id: ";

impl Subqueries {
    fn remember(&self, plan_id: i64, plan: proto::Relation) {
        lock(&self.by_id).insert(plan_id, plan);
    }

    /// `root`, inside a `WithRelations` with the subqueries it refers to, if it refers to
    /// any. `next_plan_id` gives the new root its id.
    pub(crate) fn attach(
        &self,
        root: proto::Relation,
        next_plan_id: impl FnOnce() -> i64,
    ) -> proto::Relation {
        let known = lock(&self.by_id);
        if known.is_empty() {
            return root;
        }
        // The subquery ids are found in the plan's Debug text: prost has no reflection to
        // walk every relation type, and the Debug text names each `SubqueryExpression`.
        // Sessions without subquery columns never pay for it.
        let mut found = BTreeMap::new();
        let mut pending = referenced_ids(&root);
        while let Some(id) = pending.pop() {
            if found.contains_key(&id) {
                continue;
            }
            if let Some(plan) = known.get(&id) {
                pending.extend(referenced_ids(plan));
                found.insert(id, plan.clone());
            }
        }
        drop(known);
        if found.is_empty() {
            return root;
        }
        proto::Relation {
            common: Some(proto::RelationCommon {
                plan_id: Some(next_plan_id()),
                ..Default::default()
            }),
            rel_type: Some(RelType::WithRelations(Box::new(proto::WithRelations {
                root: Some(Box::new(root)),
                references: found.into_values().collect(),
            }))),
        }
    }
}

fn referenced_ids(plan: &proto::Relation) -> Vec<i64> {
    let text = format!("{plan:?}");
    text.match_indices(MARK)
        .filter_map(|(i, _)| {
            let rest = &text[i + MARK.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '-'))
                .unwrap_or(rest.len());
            rest[..end].parse().ok()
        })
        .collect()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SparkSession;
    use crate::functions::{col, lit, max};

    async fn spark() -> SparkSession {
        SparkSession::builder()
            .remote("sc://127.0.0.1:1")
            .build()
            .await
            .unwrap()
    }

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
        let spark = spark().await;
        let inner = spark.range(0, 3).select([max(col("id"))]);
        let _unused = spark.range(0, 9).exists();
        let nested = spark.range(0, 2).filter(inner.scalar().gt(lit(0)));
        let df = spark
            .range(0, 5)
            .select([col("id"), nested.exists().alias("e")]);
        let plan = df.root();
        let w = with_relations(&plan);
        assert_eq!(w.root.as_deref(), Some(df.to_proto()));
        let ids: Vec<i64> = w
            .references
            .iter()
            .map(|r| r.common.as_ref().unwrap().plan_id.unwrap())
            .collect();
        let id = |d: &DataFrame| d.to_proto().common.as_ref().unwrap().plan_id.unwrap();
        assert_eq!(ids, [id(&inner), id(&nested)]);
        // The session's Debug shows how many subquery plans it keeps, not the plans.
        let debug = format!("{spark:?}");
        assert!(debug.contains("Subqueries { plans: 3 }"), "{debug}");
        assert!(!debug.contains("Range"), "{debug}");
        // A plan without subqueries is sent as it is.
        let plain = spark.range(0, 1);
        assert_eq!(
            plain.root().op_type,
            Some(proto::plan::OpType::Root(plain.to_proto().clone()))
        );
    }
}
