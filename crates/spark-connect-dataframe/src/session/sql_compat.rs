//! The `SqlCommand` that `spark.sql` sends, in a form every supported server understands.
//!
//! Spark 4 servers take the query as a `Sql` relation in `SqlCommand.input`, with parameters
//! as expressions. Spark 3.5 servers know only the older fields: the text in `sql`, named
//! parameters in `args` and positional ones in `pos_args`, all literals. A Spark 4 server
//! reads `input` when it is set, and a Spark 3.5 server skips that field, unknown to it; so
//! when every parameter is a literal the command carries both forms and no round trip is
//! spent on the server's version (to a server known to be older, only its own form goes).
//! A query with an expression parameter (an array, a map, ...), which the older form cannot
//! carry, is sent in the Spark 4 form alone, which the transport refuses before sending to
//! a server older than 4.0 ([`Feature::SqlExpressionParameters`]).

use proto::expression::ExprType;
use proto::relation::RelType;
use spark_connect_transport::Feature;
use spark_connect_transport::proto;

use crate::Error;
use crate::session::SparkSession;

impl SparkSession {
    /// The command that runs `sql` on this session's server.
    pub(crate) async fn sql_command_for(&self, sql: proto::Sql) -> Result<proto::Command, Error> {
        let command = match legacy_sql_command(sql.clone()) {
            Ok(legacy)
                if self
                    .client()
                    .known_not_to_serve(Feature::SqlExpressionParameters) =>
            {
                legacy
            }
            Ok(legacy) => proto::SqlCommand {
                input: Some(self.relation(RelType::Sql(sql))),
                ..legacy
            },
            Err(what) => {
                tracing::debug!(parameter = %what, "an expression parameter: the Spark 4 form alone");
                proto::SqlCommand {
                    input: Some(self.relation(RelType::Sql(sql))),
                    ..Default::default()
                }
            }
        };
        Ok(proto::Command {
            command_type: Some(proto::command::CommandType::SqlCommand(command)),
        })
    }
}

/// The Spark 3.5 form: query text and literal parameters in the command's own fields; the
/// parameter that is not a literal (`'name'` or `#position`) when there is one.
#[allow(deprecated)]
pub(crate) fn legacy_sql_command(sql: proto::Sql) -> Result<proto::SqlCommand, String> {
    let literal = |what: String, e: proto::Expression| match e.expr_type {
        Some(ExprType::Literal(l)) => Ok(l),
        _ => Err(what),
    };
    let mut args = sql.args;
    for (name, e) in sql.named_arguments {
        args.insert(name.clone(), literal(format!("'{name}'"), e)?);
    }
    let mut pos_args = sql.pos_args;
    for (i, e) in sql.pos_arguments.into_iter().enumerate() {
        pos_args.push(literal(format!("#{}", i + 1), e)?);
    }
    Ok(proto::SqlCommand {
        sql: sql.query,
        args,
        pos_args,
        ..Default::default()
    })
}

#[cfg(test)]
#[allow(deprecated)]
mod tests {
    use super::*;
    use crate::functions::{array, lit};

    #[test]
    fn the_legacy_form_has_the_text_and_literal_parameters() {
        let sql = proto::Sql {
            query: "SELECT :a, ?".into(),
            named_arguments: [("a".to_string(), lit(1).into_proto())].into(),
            pos_arguments: vec![lit("x").into_proto()],
            ..Default::default()
        };
        let command = legacy_sql_command(sql).unwrap();
        assert_eq!(command.sql, "SELECT :a, ?");
        assert!(command.input.is_none());
        assert_eq!(
            command.args["a"].literal_type,
            Some(proto::expression::literal::LiteralType::Integer(1))
        );
        assert_eq!(
            command.pos_args[0].literal_type,
            Some(proto::expression::literal::LiteralType::String("x".into()))
        );
    }

    #[tokio::test]
    async fn literal_parameters_send_both_forms_without_asking_the_version() {
        // Port 1 answers nothing: asking the version would fail the call.
        let spark = SparkSession::builder()
            .remote("sc://127.0.0.1:1")
            .build()
            .await
            .unwrap();
        let sql = proto::Sql {
            query: "SELECT :a".into(),
            named_arguments: [("a".to_string(), lit(7).into_proto())].into(),
            ..Default::default()
        };
        let command = spark.sql_command_for(sql).await.unwrap();
        let Some(proto::command::CommandType::SqlCommand(c)) = command.command_type else {
            panic!("not a SqlCommand")
        };
        assert_eq!(c.sql, "SELECT :a");
        assert!(c.args.contains_key("a"));
        let Some(RelType::Sql(input)) = c.input.and_then(|r| r.rel_type) else {
            panic!("no Sql input relation")
        };
        assert_eq!(input.query, "SELECT :a");
        assert!(input.named_arguments.contains_key("a"));
    }

    #[test]
    fn the_legacy_form_refuses_expression_parameters() {
        let sql = proto::Sql {
            query: "SELECT ?".into(),
            pos_arguments: vec![array([lit(1)]).into_proto()],
            ..Default::default()
        };
        assert_eq!(legacy_sql_command(sql).unwrap_err(), "#1");
    }
}
