//! The `SqlCommand` that `spark.sql` sends, in the form the server understands.
//!
//! Spark 4 servers take the query as a `Sql` relation in `SqlCommand.input`, with parameters
//! as expressions. Spark 3.5 servers know only the older fields: the text in `sql`, named
//! parameters in `args` and positional ones in `pos_args`, all literals. The session asks the
//! server's version once (cached for the session) and picks the form.

use proto::expression::ExprType;
use proto::relation::RelType;
use spark_connect_transport::proto;

use crate::Error;
use crate::session::SparkSession;

impl SparkSession {
    /// The command that runs `sql` on this session's server.
    pub(crate) async fn sql_command_for(&self, sql: proto::Sql) -> Result<proto::Command, Error> {
        // Boxed: the version request is made once per session, and its future would
        // otherwise enlarge every `sql` call's future.
        let version = Box::pin(self.server_version_cached()).await?;
        let command = if takes_sql_input(version) {
            proto::SqlCommand {
                input: Some(self.relation(RelType::Sql(sql))),
                ..Default::default()
            }
        } else {
            legacy_sql_command(sql, version)?
        };
        Ok(proto::Command {
            command_type: Some(proto::command::CommandType::SqlCommand(command)),
        })
    }
}

/// Whether a server of this version takes `SqlCommand.input` (Spark 4.0 and later). A version
/// this client cannot read is taken to be a new one.
pub(crate) fn takes_sql_input(version: &str) -> bool {
    let major = version
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(major) => major >= 4,
        None => {
            tracing::debug!(
                version,
                "unreadable server version; using the Spark 4 SQL form"
            );
            true
        }
    }
}

/// The Spark 3.5 form: query text and literal parameters in the command's own fields.
#[allow(deprecated)]
pub(crate) fn legacy_sql_command(
    sql: proto::Sql,
    version: &str,
) -> Result<proto::SqlCommand, Error> {
    let literal = |what: String, e: proto::Expression| match e.expr_type {
        Some(ExprType::Literal(l)) => Ok(l),
        _ => Err(Error::InvalidArgument(format!(
            "SQL parameter {what} is an expression, but the server (Spark {version}) takes only \
             literal parameters; pass a literal value"
        ))),
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
    fn versions_pick_the_form() {
        assert!(takes_sql_input("4.3.0"));
        assert!(takes_sql_input("4.0.0-preview2"));
        assert!(takes_sql_input("10.1"));
        assert!(!takes_sql_input("3.5.1"));
        assert!(!takes_sql_input("3.5.0-databricks"));
        assert!(takes_sql_input("unknown"));
    }

    #[test]
    fn the_legacy_form_has_the_text_and_literal_parameters() {
        let sql = proto::Sql {
            query: "SELECT :a, ?".into(),
            named_arguments: [("a".to_string(), lit(1).into_proto())].into(),
            pos_arguments: vec![lit("x").into_proto()],
            ..Default::default()
        };
        let command = legacy_sql_command(sql, "3.5.1").unwrap();
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

    #[test]
    fn the_legacy_form_refuses_expression_parameters() {
        let sql = proto::Sql {
            query: "SELECT ?".into(),
            pos_arguments: vec![array([lit(1)]).into_proto()],
            ..Default::default()
        };
        let err = legacy_sql_command(sql, "3.5.1").unwrap_err().to_string();
        assert!(
            err.contains("parameter #1") && err.contains("Spark 3.5.1"),
            "{err}"
        );
    }
}
