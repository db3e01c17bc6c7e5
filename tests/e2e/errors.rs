//! Server errors keep Spark's error class, SQLSTATE and message parameters.

use databricks_connect::ServerErrorKind;

use crate::session;

#[tokio::test]
async fn unknown_table_is_an_analysis_error_naming_the_table() {
    let spark = session().await;
    let e = spark
        .table("no_such_table_e2e")
        .collect()
        .await
        .unwrap_err();
    let server = e.server_error().expect("a server error");
    assert_eq!(server.kind(), ServerErrorKind::Analysis);
    assert_eq!(server.error_class(), Some("TABLE_OR_VIEW_NOT_FOUND"));
    assert_eq!(server.sql_state(), Some("42P01"));
    assert_eq!(
        server
            .message_parameters()
            .get("relationName")
            .map(String::as_str),
        Some("`no_such_table_e2e`")
    );
    assert!(e.to_string().contains("no_such_table_e2e"), "{e}");
}

#[tokio::test]
async fn syntax_error_is_a_parse_error() {
    let spark = session().await;
    let e = spark.sql("SELEC 1").await.unwrap_err();
    let server = e.server_error().expect("a server error");
    assert_eq!(server.kind(), ServerErrorKind::Parse, "{server:?}");
    assert_eq!(server.error_class(), Some("PARSE_SYNTAX_ERROR"));
}

#[tokio::test]
async fn division_by_zero_is_an_arithmetic_error() {
    let spark = session().await;
    spark
        .conf()
        .set("spark.sql.ansi.enabled", "true")
        .await
        .unwrap();
    let df = spark.sql("SELECT 1 / 0 AS x").await.unwrap();
    let e = df.collect().await.unwrap_err();
    let server = e.server_error().expect("a server error");
    assert_eq!(server.kind(), ServerErrorKind::Arithmetic, "{server:?}");
    assert_eq!(server.error_class(), Some("DIVIDE_BY_ZERO"));
}

#[tokio::test]
async fn unknown_column_names_the_column() {
    let spark = session().await;
    let e = spark
        .range(0, 3)
        .select(["nope_column"])
        .collect()
        .await
        .unwrap_err();
    let server = e.server_error().expect("a server error");
    assert_eq!(server.kind(), ServerErrorKind::Analysis);
    assert_eq!(
        server.error_class(),
        Some("UNRESOLVED_COLUMN.WITH_SUGGESTION")
    );
    assert!(server.message().contains("nope_column"));
}
