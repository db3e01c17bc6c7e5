//! `DataFrame::merge_into`: `MERGE INTO` a table from a DataFrame (PySpark 4's `mergeInto`).

use proto::merge_action::{ActionType, Assignment};
use spark_connect_transport::proto;

use crate::Error;
use crate::column::Column;
use crate::dataframe::DataFrame;
use crate::functions;
use crate::session::command_plan;

/// Merges the rows of a DataFrame (the source) into a table (the target), made by
/// [`DataFrame::merge_into`]: add actions with [`when_matched`](Self::when_matched),
/// [`when_not_matched`](Self::when_not_matched) and
/// [`when_not_matched_by_source`](Self::when_not_matched_by_source), then run it with
/// [`merge`](Self::merge).
///
/// The target must be a table whose format supports row-level changes (Delta tables on
/// Databricks, Iceberg, ...); Spark's built-in file tables do not, and the server says so.
///
/// The target cannot be given an alias: refer to its columns by the table's name
/// (`customers.id`), and to the source's by an alias set with [`DataFrame::alias`].
///
/// ```no_run
/// # use spark_connect_dataframe::{DataFrame, functions::{col, lit}};
/// # async fn demo(updates: DataFrame) -> Result<(), spark_connect_dataframe::Error> {
/// updates
///     .alias("s")
///     .merge_into("main.sales.customers", col("customers.id").eq(col("s.id")))
///     .when_matched(None)
///     .update_all()
///     .when_not_matched(None)
///     .insert_all()
///     .when_not_matched_by_source(Some(col("customers.active").eq(lit(true))))
///     .update([("active", lit(false))])
///     .merge()
///     .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a merge does nothing until `merge()` runs it"]
pub struct MergeIntoWriter {
    source: DataFrame,
    target: String,
    condition: Column,
    matched: Vec<proto::Expression>,
    not_matched: Vec<proto::Expression>,
    not_matched_by_source: Vec<proto::Expression>,
    schema_evolution: bool,
}

/// Which list of [`MergeIntoWriter`] an action joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clause {
    Matched,
    NotMatched,
    NotMatchedBySource,
}

/// The actions for target rows that have a matching source row; made by
/// [`MergeIntoWriter::when_matched`].
#[derive(Debug)]
#[must_use = "choose an action: update_all, update or delete"]
pub struct WhenMatched {
    writer: MergeIntoWriter,
    condition: Option<Column>,
}

/// The actions for source rows without a matching target row; made by
/// [`MergeIntoWriter::when_not_matched`].
#[derive(Debug)]
#[must_use = "choose an action: insert_all or insert"]
pub struct WhenNotMatched {
    writer: MergeIntoWriter,
    condition: Option<Column>,
}

/// The actions for target rows without a matching source row; made by
/// [`MergeIntoWriter::when_not_matched_by_source`].
#[derive(Debug)]
#[must_use = "choose an action: update_all, update or delete"]
pub struct WhenNotMatchedBySource {
    writer: MergeIntoWriter,
    condition: Option<Column>,
}

impl DataFrame {
    /// Starts a `MERGE INTO table` with this DataFrame as the source, rows paired by
    /// `condition`. Where the two sides' column names clash, qualify the target's columns
    /// with the table's name (`customers.id` for `main.sales.customers`; the target takes
    /// no alias) and the source's with an alias (`df.alias("s")`, then `s.id`).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use spark_connect_dataframe::proto::{command::CommandType, merge_action::ActionType, Expression};
    /// # let action = |e: &Expression| match &e.expr_type { Some(ExprType::MergeAction(a)) => ActionType::try_from(a.action_type).unwrap(), _ => panic!() };
    /// # let updates = spark.table("updates").alias("s");
    /// # let on = col("customers.id").eq(col("s.id"));
    /// let merge = updates.merge_into("customers", on).when_not_matched(None).insert_all();
    /// let Some(CommandType::MergeIntoTableCommand(m)) = merge.to_proto().command_type else { panic!() };
    /// assert_eq!(m.target_table_name, "customers");
    /// # Ok(())
    /// # }
    /// ```
    pub fn merge_into(&self, table: &str, condition: Column) -> MergeIntoWriter {
        MergeIntoWriter {
            source: self.clone(),
            target: table.to_string(),
            condition,
            matched: Vec::new(),
            not_matched: Vec::new(),
            not_matched_by_source: Vec::new(),
            schema_evolution: false,
        }
    }
}

impl MergeIntoWriter {
    /// Actions for target rows that match a source row (and `condition`, if given).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use spark_connect_dataframe::proto::{command::CommandType, merge_action::ActionType, Expression};
    /// # let action = |e: &Expression| match &e.expr_type { Some(ExprType::MergeAction(a)) => ActionType::try_from(a.action_type).unwrap(), _ => panic!() };
    /// # let updates = spark.table("updates").alias("s");
    /// # let on = col("customers.id").eq(col("s.id"));
    /// let merge = updates.merge_into("customers", on).when_matched(Some(col("s.deleted"))).delete();
    /// let Some(CommandType::MergeIntoTableCommand(m)) = merge.to_proto().command_type else { panic!() };
    /// assert_eq!(action(&m.match_actions[0]), ActionType::Delete);
    /// # Ok(())
    /// # }
    /// ```
    pub fn when_matched(self, condition: Option<Column>) -> WhenMatched {
        WhenMatched {
            writer: self,
            condition,
        }
    }

    /// Actions for source rows that match no target row (and `condition`, if given).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use spark_connect_dataframe::proto::{command::CommandType, merge_action::ActionType, Expression};
    /// # let action = |e: &Expression| match &e.expr_type { Some(ExprType::MergeAction(a)) => ActionType::try_from(a.action_type).unwrap(), _ => panic!() };
    /// # let updates = spark.table("updates").alias("s");
    /// # let on = col("customers.id").eq(col("s.id"));
    /// let merge = updates.merge_into("customers", on).when_not_matched(None).insert_all();
    /// let Some(CommandType::MergeIntoTableCommand(m)) = merge.to_proto().command_type else { panic!() };
    /// assert_eq!(action(&m.not_matched_actions[0]), ActionType::InsertStar);
    /// # Ok(())
    /// # }
    /// ```
    pub fn when_not_matched(self, condition: Option<Column>) -> WhenNotMatched {
        WhenNotMatched {
            writer: self,
            condition,
        }
    }

    /// Actions for target rows that match no source row (and `condition`, if given).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use spark_connect_dataframe::proto::{command::CommandType, merge_action::ActionType, Expression};
    /// # let action = |e: &Expression| match &e.expr_type { Some(ExprType::MergeAction(a)) => ActionType::try_from(a.action_type).unwrap(), _ => panic!() };
    /// # let updates = spark.table("updates").alias("s");
    /// # let on = col("customers.id").eq(col("s.id"));
    /// let merge = updates.merge_into("customers", on).when_not_matched_by_source(None).delete();
    /// let Some(CommandType::MergeIntoTableCommand(m)) = merge.to_proto().command_type else { panic!() };
    /// assert_eq!(action(&m.not_matched_by_source_actions[0]), ActionType::Delete);
    /// # Ok(())
    /// # }
    /// ```
    pub fn when_not_matched_by_source(self, condition: Option<Column>) -> WhenNotMatchedBySource {
        WhenNotMatchedBySource {
            writer: self,
            condition,
        }
    }

    /// Lets the merge add the source's new columns to the target's schema.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use spark_connect_dataframe::proto::{command::CommandType, merge_action::ActionType, Expression};
    /// # let action = |e: &Expression| match &e.expr_type { Some(ExprType::MergeAction(a)) => ActionType::try_from(a.action_type).unwrap(), _ => panic!() };
    /// # let updates = spark.table("updates").alias("s");
    /// # let on = col("customers.id").eq(col("s.id"));
    /// let merge = updates.merge_into("customers", on).when_matched(None).update_all().with_schema_evolution();
    /// let Some(CommandType::MergeIntoTableCommand(m)) = merge.to_proto().command_type else { panic!() };
    /// assert!(m.with_schema_evolution);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_schema_evolution(mut self) -> MergeIntoWriter {
        self.schema_evolution = true;
        self
    }

    /// The `Command` this merge sends, for inspection. The source plan carries the
    /// subqueries it uses (see [`DataFrame::scalar`]).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use spark_connect_dataframe::proto::{command::CommandType, merge_action::ActionType, Expression};
    /// # let action = |e: &Expression| match &e.expr_type { Some(ExprType::MergeAction(a)) => ActionType::try_from(a.action_type).unwrap(), _ => panic!() };
    /// # let updates = spark.table("updates").alias("s");
    /// # let on = col("customers.id").eq(col("s.id"));
    /// let merge = updates.merge_into("customers", on).when_matched(None).update_all();
    /// let Some(CommandType::MergeIntoTableCommand(m)) = merge.to_proto().command_type else { panic!() };
    /// assert_eq!((m.match_actions.len(), m.not_matched_actions.len()), (1, 0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_proto(&self) -> proto::Command {
        // For inspection only: a bad argument in the source's plan is reported by `merge`.
        let source = self
            .source
            .plan_with_subqueries()
            .unwrap_or_else(|_| self.source.plan_for_subquery());
        self.command(source)
    }

    fn command(&self, source: proto::Relation) -> proto::Command {
        proto::Command {
            command_type: Some(proto::command::CommandType::MergeIntoTableCommand(
                proto::MergeIntoTableCommand {
                    target_table_name: self.target.clone(),
                    // With the subqueries the source uses (a `WithRelations` root), as
                    // PySpark's source plan carries them.
                    source_table_plan: Some(source),
                    merge_condition: Some(self.condition.clone().into_proto()),
                    match_actions: self.matched.clone(),
                    not_matched_actions: self.not_matched.clone(),
                    not_matched_by_source_actions: self.not_matched_by_source.clone(),
                    with_schema_evolution: self.schema_evolution,
                },
            )),
        }
    }

    /// Runs the merge on the server. A merge without any action is an error here, before
    /// sending (the server would refuse it with `NO_MERGE_ACTION_SPECIFIED`). So is a
    /// subquery column ([`DataFrame::scalar`], [`DataFrame::exists`],
    /// [`Column::isin_subquery`]) in the merge condition or an action: the protocol has no
    /// place for its plan there (PySpark sends it, unresolvable; use it in the source).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::functions::col;
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let updates = spark.table("updates").alias("s");
    /// updates.merge_into("customers", col("customers.id").eq(col("s.id")))
    ///     .when_matched(None).update_all()
    ///     .when_not_matched(None).insert_all()
    ///     .merge().await?;
    /// let nothing = updates.merge_into("customers", col("customers.id").eq(col("s.id")));
    /// assert!(nothing.merge().await.is_err()); // no action: refused before sending
    /// # Ok(())
    /// # }
    /// ```
    pub async fn merge(self) -> Result<(), Error> {
        if self.matched.is_empty()
            && self.not_matched.is_empty()
            && self.not_matched_by_source.is_empty()
        {
            return Err(Error::InvalidArgument(format!(
                "merge into `{}` has no action: add one with when_matched, when_not_matched or when_not_matched_by_source",
                self.target
            )));
        }
        let condition = self.condition.clone().into_proto();
        let actions = self
            .matched
            .iter()
            .chain(&self.not_matched)
            .chain(&self.not_matched_by_source);
        if !crate::subquery::ids_in_expressions(std::iter::once(&condition).chain(actions))
            .is_empty()
        {
            return Err(Error::InvalidArgument(format!(
                "merge into `{}`: a subquery column in the merge condition or an action is not supported \
                 (the protocol sends no subquery plan with them); use it in the source DataFrame instead",
                self.target
            )));
        }
        let command = self.command(self.source.plan_with_subqueries()?);
        self.source
            .session()
            .execute(command_plan(command))
            .await?
            .collect_all()
            .await?;
        Ok(())
    }

    fn push(
        mut self,
        clause: Clause,
        action_type: ActionType,
        condition: Option<Column>,
        assignments: Vec<Assignment>,
    ) -> MergeIntoWriter {
        let action = proto::Expression {
            common: None,
            expr_type: Some(proto::expression::ExprType::MergeAction(Box::new(
                proto::MergeAction {
                    action_type: action_type as i32,
                    condition: condition.map(|c| Box::new(c.into_proto())),
                    assignments,
                },
            ))),
        };
        match clause {
            Clause::Matched => self.matched.push(action),
            Clause::NotMatched => self.not_matched.push(action),
            Clause::NotMatchedBySource => self.not_matched_by_source.push(action),
        }
        self
    }
}

/// `column = value` pairs: the column is a SQL identifier of the target (parsed by the
/// server, as PySpark sends it).
fn assignments<S: AsRef<str>, C: Into<Column>>(
    pairs: impl IntoIterator<Item = (S, C)>,
) -> Vec<Assignment> {
    pairs
        .into_iter()
        .map(|(key, value)| Assignment {
            key: Some(functions::expr(key.as_ref()).into_proto()),
            value: Some(value.into().into_proto()),
        })
        .collect()
}

impl WhenMatched {
    fn act(self, action: ActionType, set: Vec<Assignment>) -> MergeIntoWriter {
        self.writer
            .push(Clause::Matched, action, self.condition, set)
    }

    /// Updates every column of the target row from the source row of the same name.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use spark_connect_dataframe::proto::{command::CommandType, merge_action::ActionType, Expression};
    /// # let action = |e: &Expression| match &e.expr_type { Some(ExprType::MergeAction(a)) => ActionType::try_from(a.action_type).unwrap(), _ => panic!() };
    /// # let updates = spark.table("updates").alias("s");
    /// # let on = col("customers.id").eq(col("s.id"));
    /// let merge = updates.merge_into("customers", on).when_matched(None).update_all();
    /// let Some(CommandType::MergeIntoTableCommand(m)) = merge.to_proto().command_type else { panic!() };
    /// assert_eq!(action(&m.match_actions[0]), ActionType::UpdateStar);
    /// # Ok(())
    /// # }
    /// ```
    pub fn update_all(self) -> MergeIntoWriter {
        self.act(ActionType::UpdateStar, Vec::new())
    }

    /// Updates these columns of the target row: `[("name", col("s.name"))]`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use spark_connect_dataframe::proto::{command::CommandType, merge_action::ActionType, Expression};
    /// # let action = |e: &Expression| match &e.expr_type { Some(ExprType::MergeAction(a)) => ActionType::try_from(a.action_type).unwrap(), _ => panic!() };
    /// # let updates = spark.table("updates").alias("s");
    /// # let on = col("customers.id").eq(col("s.id"));
    /// let merge = updates.merge_into("customers", on).when_matched(None).update([("name", col("s.name"))]);
    /// let Some(CommandType::MergeIntoTableCommand(m)) = merge.to_proto().command_type else { panic!() };
    /// assert_eq!(action(&m.match_actions[0]), ActionType::Update);
    /// # Ok(())
    /// # }
    /// ```
    pub fn update<S: AsRef<str>, C: Into<Column>>(
        self,
        set: impl IntoIterator<Item = (S, C)>,
    ) -> MergeIntoWriter {
        self.act(ActionType::Update, assignments(set))
    }

    /// Deletes the target row.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use spark_connect_dataframe::proto::{command::CommandType, merge_action::ActionType, Expression};
    /// # let action = |e: &Expression| match &e.expr_type { Some(ExprType::MergeAction(a)) => ActionType::try_from(a.action_type).unwrap(), _ => panic!() };
    /// # let updates = spark.table("updates").alias("s");
    /// # let on = col("customers.id").eq(col("s.id"));
    /// let merge = updates.merge_into("customers", on).when_matched(Some(col("s.deleted"))).delete();
    /// let Some(CommandType::MergeIntoTableCommand(m)) = merge.to_proto().command_type else { panic!() };
    /// assert_eq!(action(&m.match_actions[0]), ActionType::Delete);
    /// # Ok(())
    /// # }
    /// ```
    pub fn delete(self) -> MergeIntoWriter {
        self.act(ActionType::Delete, Vec::new())
    }
}

impl WhenNotMatched {
    fn act(self, action: ActionType, values: Vec<Assignment>) -> MergeIntoWriter {
        self.writer
            .push(Clause::NotMatched, action, self.condition, values)
    }

    /// Inserts the source row, every column by name.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use spark_connect_dataframe::proto::{command::CommandType, merge_action::ActionType, Expression};
    /// # let action = |e: &Expression| match &e.expr_type { Some(ExprType::MergeAction(a)) => ActionType::try_from(a.action_type).unwrap(), _ => panic!() };
    /// # let updates = spark.table("updates").alias("s");
    /// # let on = col("customers.id").eq(col("s.id"));
    /// let merge = updates.merge_into("customers", on).when_not_matched(None).insert_all();
    /// let Some(CommandType::MergeIntoTableCommand(m)) = merge.to_proto().command_type else { panic!() };
    /// assert_eq!(action(&m.not_matched_actions[0]), ActionType::InsertStar);
    /// # Ok(())
    /// # }
    /// ```
    pub fn insert_all(self) -> MergeIntoWriter {
        self.act(ActionType::InsertStar, Vec::new())
    }

    /// Inserts a row with these column values: `[("id", col("s.id"))]`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{col, lit};
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use spark_connect_dataframe::proto::{command::CommandType, merge_action::ActionType, Expression};
    /// # let action = |e: &Expression| match &e.expr_type { Some(ExprType::MergeAction(a)) => ActionType::try_from(a.action_type).unwrap(), _ => panic!() };
    /// # let updates = spark.table("updates").alias("s");
    /// # let on = col("customers.id").eq(col("s.id"));
    /// let merge = updates.merge_into("customers", on).when_not_matched(None).insert([("id", col("s.id")), ("active", lit(true))]);
    /// let Some(CommandType::MergeIntoTableCommand(m)) = merge.to_proto().command_type else { panic!() };
    /// assert_eq!(action(&m.not_matched_actions[0]), ActionType::Insert);
    /// # Ok(())
    /// # }
    /// ```
    pub fn insert<S: AsRef<str>, C: Into<Column>>(
        self,
        values: impl IntoIterator<Item = (S, C)>,
    ) -> MergeIntoWriter {
        self.act(ActionType::Insert, assignments(values))
    }
}

impl WhenNotMatchedBySource {
    fn act(self, action: ActionType, set: Vec<Assignment>) -> MergeIntoWriter {
        self.writer
            .push(Clause::NotMatchedBySource, action, self.condition, set)
    }

    /// PySpark's `updateAll` for unmatched target rows (an `UPDATE *` action); what it
    /// sets without a source row is the server's and the table format's to decide.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use spark_connect_dataframe::proto::{command::CommandType, merge_action::ActionType, Expression};
    /// # let action = |e: &Expression| match &e.expr_type { Some(ExprType::MergeAction(a)) => ActionType::try_from(a.action_type).unwrap(), _ => panic!() };
    /// # let updates = spark.table("updates").alias("s");
    /// # let on = col("customers.id").eq(col("s.id"));
    /// let merge = updates.merge_into("customers", on).when_not_matched_by_source(None).update_all();
    /// let Some(CommandType::MergeIntoTableCommand(m)) = merge.to_proto().command_type else { panic!() };
    /// assert_eq!(action(&m.not_matched_by_source_actions[0]), ActionType::UpdateStar);
    /// # Ok(())
    /// # }
    /// ```
    pub fn update_all(self) -> MergeIntoWriter {
        self.act(ActionType::UpdateStar, Vec::new())
    }

    /// Updates these columns of the target row.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{col, lit};
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use spark_connect_dataframe::proto::{command::CommandType, merge_action::ActionType, Expression};
    /// # let action = |e: &Expression| match &e.expr_type { Some(ExprType::MergeAction(a)) => ActionType::try_from(a.action_type).unwrap(), _ => panic!() };
    /// # let updates = spark.table("updates").alias("s");
    /// # let on = col("customers.id").eq(col("s.id"));
    /// let merge = updates.merge_into("customers", on).when_not_matched_by_source(None).update([("active", lit(false))]);
    /// let Some(CommandType::MergeIntoTableCommand(m)) = merge.to_proto().command_type else { panic!() };
    /// assert_eq!(action(&m.not_matched_by_source_actions[0]), ActionType::Update);
    /// # Ok(())
    /// # }
    /// ```
    pub fn update<S: AsRef<str>, C: Into<Column>>(
        self,
        set: impl IntoIterator<Item = (S, C)>,
    ) -> MergeIntoWriter {
        self.act(ActionType::Update, assignments(set))
    }

    /// Deletes the target row.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use spark_connect_dataframe::proto::{command::CommandType, merge_action::ActionType, Expression};
    /// # let action = |e: &Expression| match &e.expr_type { Some(ExprType::MergeAction(a)) => ActionType::try_from(a.action_type).unwrap(), _ => panic!() };
    /// # let updates = spark.table("updates").alias("s");
    /// # let on = col("customers.id").eq(col("s.id"));
    /// let merge = updates.merge_into("customers", on).when_not_matched_by_source(None).delete();
    /// let Some(CommandType::MergeIntoTableCommand(m)) = merge.to_proto().command_type else { panic!() };
    /// assert_eq!(action(&m.not_matched_by_source_actions[0]), ActionType::Delete);
    /// # Ok(())
    /// # }
    /// ```
    pub fn delete(self) -> MergeIntoWriter {
        self.act(ActionType::Delete, Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::{col, lit};

    #[tokio::test]
    async fn actions_land_in_their_lists_in_order() {
        let spark = crate::offline_session().await;
        let writer = spark
            .range(0, 3)
            .merge_into("t", col("t.id").eq(col("id")))
            .when_matched(Some(col("id").gt(lit(1))))
            .delete()
            .when_matched(None)
            .update([("v", lit(1))])
            .when_not_matched(None)
            .insert_all()
            .when_not_matched_by_source(None)
            .update_all()
            .with_schema_evolution();
        let Some(proto::command::CommandType::MergeIntoTableCommand(m)) =
            writer.to_proto().command_type
        else {
            panic!("not a merge command")
        };
        let kinds = |actions: &[proto::Expression]| -> Vec<(i32, bool, usize)> {
            actions
                .iter()
                .map(|e| match &e.expr_type {
                    Some(proto::expression::ExprType::MergeAction(a)) => {
                        (a.action_type, a.condition.is_some(), a.assignments.len())
                    }
                    other => panic!("not a merge action: {other:?}"),
                })
                .collect()
        };
        assert_eq!(m.target_table_name, "t");
        assert!(m.with_schema_evolution);
        assert!(m.source_table_plan.is_some() && m.merge_condition.is_some());
        assert_eq!(
            kinds(&m.match_actions),
            [
                (ActionType::Delete as i32, true, 0),
                (ActionType::Update as i32, false, 1)
            ]
        );
        assert_eq!(
            kinds(&m.not_matched_actions),
            [(ActionType::InsertStar as i32, false, 0)]
        );
        assert_eq!(
            kinds(&m.not_matched_by_source_actions),
            [(ActionType::UpdateStar as i32, false, 0)]
        );
        // The assignment key is the column name as a SQL expression string, as PySpark sends it.
        let Some(proto::expression::ExprType::MergeAction(update)) = &m.match_actions[1].expr_type
        else {
            unreachable!()
        };
        assert_eq!(
            update.assignments[0].key,
            Some(crate::functions::expr("v").into_proto())
        );
    }

    #[tokio::test]
    async fn a_merge_without_actions_is_refused_before_sending() {
        let spark = crate::offline_session().await;
        let err = spark
            .range(0, 1)
            .merge_into("some_table", col("a").eq(col("b")))
            .merge()
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("some_table") && err.contains("no action"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn the_source_plan_carries_its_subqueries() {
        let spark = crate::offline_session().await;
        let top = spark.range(0, 5).select([crate::functions::max(col("id"))]);
        let source = spark.range(0, 3).filter(col("id").lt(top.scalar()));
        let writer = source
            .merge_into("t", col("t.id").eq(col("id")))
            .when_not_matched(None)
            .insert_all();
        let Some(proto::command::CommandType::MergeIntoTableCommand(m)) =
            writer.to_proto().command_type
        else {
            panic!("not a merge command")
        };
        let Some(proto::relation::RelType::WithRelations(w)) =
            m.source_table_plan.and_then(|p| p.rel_type)
        else {
            panic!("the source is not sent with its subquery")
        };
        assert_eq!(w.root.as_deref(), Some(source.to_proto()));
        assert_eq!(w.references.len(), 1);
        assert_eq!(
            w.references[0].rel_type,
            top.to_proto().rel_type,
            "the reference is the subquery's plan"
        );
    }

    #[tokio::test]
    async fn a_subquery_in_the_condition_or_an_action_is_refused_before_sending() {
        let spark = crate::offline_session().await;
        let ids = || spark.range(0, 2);
        let in_condition = ids()
            .merge_into("t_cond", col("t.id").eq(col("id")).and(ids().exists()))
            .when_matched(None)
            .delete();
        let in_action = ids()
            .merge_into("t_action", col("t.id").eq(col("id")))
            .when_matched(None)
            .delete()
            .when_not_matched(Some(col("id").isin_subquery(&ids())))
            .insert_all();
        for (writer, name) in [(in_condition, "t_cond"), (in_action, "t_action")] {
            let err = writer.merge().await.unwrap_err();
            assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
            let text = err.to_string();
            assert!(text.contains(name) && text.contains("subquery"), "{text}");
        }
    }
}
