//! Spark 3.5 (the Databricks LTS runtimes) at the protocol level.
//!
//! No Spark Connect 3.5 server can be started here, but its protocol is known exactly:
//! `proto/spark-3.5/descriptors.binpb` holds the file descriptors of Spark 3.5.9's generated
//! protocol modules (`cargo xtask gen-proto35`), `proto/descriptors.binpb` those of the pinned
//! release. Every request below is sent by the real client to a stand-in server that reports
//! Spark 3.5.9 (`test_support::old_server`), which records the bytes it receives; each is
//! decoded with the 3.5 descriptors, and any field, oneof arm or enum value that 3.5 does not
//! know fails the test, except the few that 3.5 skips without a change of meaning
//! ([`tolerated`]). A request that uses a feature newer than 3.5 must instead be refused
//! before it is sent, with `Error::NotSupportedByServer` naming a feature of the version
//! table (`spark_connect_transport::Feature`) that covers every element 3.5 lacks.

use std::collections::{BTreeMap, BTreeSet};

use prost::Message;
use prost_reflect::{DescriptorPool, DynamicMessage, Kind, MapKey, ReflectMessage, Value};
use spark_connect_dataframe::functions::{array, col, lit};
use spark_connect_dataframe::proto;
use spark_connect_dataframe::{DataFrame, Error, SparkSession};
use spark_connect_transport::{Feature, SparkVersion};
use test_support::old_server::OldServer;

#[path = "support/plan_cases.rs"]
mod plan_cases;

const SPARK_35: &[u8] = include_bytes!("../../../proto/spark-3.5/descriptors.binpb");
const PINNED: &[u8] = include_bytes!("../../../proto/descriptors.binpb");

struct Protocols {
    old: DescriptorPool,
    new: DescriptorPool,
}

fn protocols() -> Protocols {
    Protocols {
        old: DescriptorPool::decode(SPARK_35).expect("the 3.5 descriptors decode"),
        new: DescriptorPool::decode(PINNED).expect("the pinned descriptors decode"),
    }
}

/// A protocol element of a request that Spark 3.5 does not know: its full name, and its
/// value as the pinned protocol reads it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Unknown {
    element: String,
    value: String,
}

impl Protocols {
    /// The elements of `bytes`, a `message` (`spark.connect.ExecutePlanRequest`, ...), that
    /// Spark 3.5 does not know, recursively, leaving out the tolerated ones.
    fn unknown_to_35(&self, message: &str, bytes: &[u8]) -> Vec<Unknown> {
        let mut all = self.all_unknown_to_35(message, bytes);
        all.retain(|u| !u.element.starts_with("tolerated:"));
        all
    }

    fn all_unknown_to_35(&self, message: &str, bytes: &[u8]) -> Vec<Unknown> {
        let old = self
            .old
            .get_message_by_name(message)
            .unwrap_or_else(|| panic!("Spark 3.5 has no message {message}"));
        let new = self
            .new
            .get_message_by_name(message)
            .unwrap_or_else(|| panic!("the pinned protocol has no message {message}"));
        let old = DynamicMessage::decode(old, bytes)
            .unwrap_or_else(|e| panic!("{message} does not decode as Spark 3.5's: {e}"));
        let new = DynamicMessage::decode(new, bytes).expect("decodes as the pinned protocol's");
        let mut out = Vec::new();
        walk(&old, &new, &mut out);
        out.sort();
        out.dedup();
        out
    }
}

/// Compares one message as 3.5 reads it (`old`) with the pinned protocol's reading (`new`).
fn walk(old: &DynamicMessage, new: &DynamicMessage, out: &mut Vec<Unknown>) {
    for field in old.unknown_fields() {
        let number = field.number();
        let (element, value) = match new.descriptor().get_field(number) {
            Some(f) => {
                let value = new.get_field(&f);
                let shown = show(&value);
                let element = f.full_name().to_string();
                if tolerated(&element, old, &value) {
                    (format!("tolerated:{element}"), shown)
                } else {
                    (element, shown)
                }
            }
            None => (
                format!("{}#{number}", new.descriptor().full_name()),
                "?".into(),
            ),
        };
        out.push(Unknown { element, value });
    }
    for (field, old_value) in old.fields() {
        let new_field = new
            .descriptor()
            .get_field(field.number())
            .expect("a field 3.5 knows is in the pinned protocol");
        let new_value = new.get_field(&new_field);
        compare_value(&field.kind(), old_value, &new_value, out);
    }
}

fn compare_value(kind: &Kind, old: &Value, new: &Value, out: &mut Vec<Unknown>) {
    match (old, new) {
        (Value::Message(o), Value::Message(n)) => walk(o, n, out),
        (Value::List(o), Value::List(n)) => {
            for (o, n) in o.iter().zip(n.iter()) {
                compare_value(kind, o, n, out);
            }
        }
        (Value::Map(o), Value::Map(n)) => {
            let value_kind = match kind {
                Kind::Message(entry) => entry.map_entry_value_field().kind(),
                _ => return,
            };
            for (key, o) in o {
                if let Some(n) = n.get(key) {
                    compare_value(&value_kind, o, n, out);
                }
                let _: &MapKey = key;
            }
        }
        (Value::EnumNumber(number), _) => {
            if let Kind::Enum(e) = kind
                && e.get_value(*number).is_none()
            {
                out.push(Unknown {
                    element: format!(
                        "{}.{}",
                        e.full_name(),
                        enum_value_name(e.full_name(), *number)
                    ),
                    value: number.to_string(),
                });
            }
        }
        _ => {}
    }
}

/// A value, shortly (a message's Debug would print its whole descriptor).
fn show(value: &Value) -> String {
    match value {
        Value::Message(m) => format!("a {} message", m.descriptor().full_name()),
        Value::List(items) => format!("a list of {}", items.len()),
        Value::Map(entries) => format!("a map of {}", entries.len()),
        other => format!("{other:?}").chars().take(80).collect(),
    }
}

/// The name of an enum value in the pinned protocol.
fn enum_value_name(enum_name: &str, number: i32) -> String {
    DescriptorPool::decode(PINNED)
        .ok()
        .and_then(|p| p.get_enum_by_name(enum_name))
        .and_then(|e| e.get_value(number).map(|v| v.name().to_string()))
        .unwrap_or_else(|| format!("#{number}"))
}

/// The elements unknown to Spark 3.5 that it skips without a change of meaning, with the
/// values for which that holds:
/// - `UnresolvedAttribute.is_metadata_column` = false, which PySpark 4 sends on every column
///   reference: the same as no value.
/// - `SqlCommand.input` beside the query text in `sql` (3.5 reads `sql` and its literal
///   parameters; the walk of `input` is not entered, as 3.5 never reads it).
/// - `DataType.String.collation` = `UTF8_BINARY`, the default collation, which PySpark 4
///   names on every string type (typed null literals, casts to a `DataType`): 3.5's strings.
/// - `ResultChunkingOptions`, which PySpark sends to every server: an older one sends whole
///   batches, read the same way. The client leaves it out once it knows the server is older.
fn tolerated(element: &str, parent_35: &DynamicMessage, value: &Value) -> bool {
    match element {
        "spark.connect.Expression.UnresolvedAttribute.is_metadata_column" => {
            matches!(value, Value::Bool(false))
        }
        "spark.connect.SqlCommand.input" => parent_35
            .get_field_by_name("sql")
            .is_some_and(|v| matches!(&*v, Value::String(s) if !s.is_empty())),
        "spark.connect.ExecutePlanRequest.RequestOption.result_chunking_options" => true,
        // The default collation, which PySpark 4 names on every string type: 3.5's strings.
        "spark.connect.DataType.String.collation" => {
            matches!(value, Value::String(c) if c == "UTF8_BINARY")
        }
        _ => false,
    }
}

/// The full name of each request message, by RPC; `None` for an RPC Spark 3.5 lacks.
fn request_message(method: &str) -> Option<&'static str> {
    Some(match method {
        "ExecutePlan" => "spark.connect.ExecutePlanRequest",
        "ReattachExecute" => "spark.connect.ReattachExecuteRequest",
        "ReleaseExecute" => "spark.connect.ReleaseExecuteRequest",
        "AnalyzePlan" => "spark.connect.AnalyzePlanRequest",
        "Config" => "spark.connect.ConfigRequest",
        "Interrupt" => "spark.connect.InterruptRequest",
        "AddArtifacts" => "spark.connect.AddArtifactsRequest",
        "ArtifactStatus" => "spark.connect.ArtifactStatusesRequest",
        _ => return None,
    })
}

/// Checks every request `server` received since it was cleared: each decodes as Spark 3.5's
/// with nothing unknown. Returns what is wrong.
fn check_received(p: &Protocols, server: &OldServer, what: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for request in server.requests() {
        let Some(message) = request_message(request.method) else {
            problems.push(format!(
                "{what}: sent {}, which Spark 3.5 does not have",
                request.method
            ));
            continue;
        };
        let unknown = p.unknown_to_35(message, &request.bytes);
        if !unknown.is_empty() {
            problems.push(format!(
                "{what}: the {} request has what Spark 3.5 does not know: {unknown:?}",
                request.method
            ));
        }
    }
    problems
}

/// What happened to one call against the 3.5 stand-in.
#[derive(Debug)]
enum Outcome {
    /// Sent; every request checked.
    Sent,
    /// Refused before sending, for this feature.
    Refused(Feature),
    /// Something 3.5 does not know was sent, or a refusal was wrong.
    Wrong(Vec<String>),
}

/// Runs `call` against `server` and checks what it sent or why it refused; `plan`, when
/// given, is the relation the call would send (to check that a refusal is deserved).
/// Boxed: the tests await many of these, and unboxed their futures would make the tests'
/// own futures (and their stack frames, in debug builds) too large for a test thread.
fn run<'a, T: 'a>(
    p: &'a Protocols,
    server: &'a OldServer,
    what: &'a str,
    plan: Option<&'a proto::Relation>,
    call: impl std::future::Future<Output = Result<T, Error>> + 'a,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Outcome> + 'a>> {
    Box::pin(run_unboxed(p, server, what, plan, call))
}

async fn run_unboxed<T>(
    p: &Protocols,
    server: &OldServer,
    what: &str,
    plan: Option<&proto::Relation>,
    call: impl std::future::Future<Output = Result<T, Error>>,
) -> Outcome {
    server.clear();
    let result = call.await;
    // Results are released in the background: wait for those calls too.
    assert!(spark_connect_transport::flush_cleanup(std::time::Duration::from_secs(10)).await);
    let sent_plan = server.requests().iter().any(|r| r.method == "ExecutePlan");
    let mut problems = check_received(p, server, what);
    let outcome = match result {
        Err(Error::Transport(spark_connect_transport::Error::NotSupportedByServer {
            feature,
            server: version,
        })) => {
            assert_eq!(version.reported(), "3.5.9", "{what}");
            assert!(feature.since() > SparkVersion::new(3, 5, 9));
            if sent_plan {
                problems.push(format!(
                    "{what}: refused for {feature:?}, but the plan was sent"
                ));
            }
            if let Some(plan) = plan {
                let unknown = p.unknown_to_35("spark.connect.Relation", &plan.encode_to_vec());
                if unknown.is_empty() {
                    problems.push(format!(
                        "{what}: refused for {feature:?}, but Spark 3.5 knows everything in the plan"
                    ));
                }
                problems.extend(uncovered(what, &unknown, feature));
            }
            Outcome::Refused(feature)
        }
        _ => Outcome::Sent,
    };
    if problems.is_empty() {
        outcome
    } else {
        Outcome::Wrong(problems)
    }
}

/// What is wrong unless every unknown element is in the version table, none newer than the
/// feature the refusal names.
fn uncovered(what: &str, unknown: &[Unknown], refused: Feature) -> Vec<String> {
    let mut problems = Vec::new();
    for u in unknown {
        match Feature::of_element(&u.element) {
            None => problems.push(format!(
                "{what}: `{}` (= {}) is unknown to Spark 3.5 but in no entry of the version table",
                u.element, u.value
            )),
            Some(feature) if feature.since() > refused.since() => problems.push(format!(
                "{what}: refused for {refused:?}, but {feature:?} needs a newer release"
            )),
            Some(_) => {}
        }
    }
    problems
}

fn assert_sent(outcome: Outcome) {
    assert!(matches!(outcome, Outcome::Sent), "{outcome:?}");
}

async fn session(server: &OldServer) -> SparkSession {
    SparkSession::builder()
        .remote(server.url())
        .build()
        .await
        .unwrap()
}

#[test]
fn the_descriptors_are_spark_35_and_the_pinned_release() {
    let p = protocols();
    let service = |pool: &DescriptorPool| -> BTreeSet<String> {
        pool.get_service_by_name("spark.connect.SparkConnectService")
            .expect("the service is described")
            .methods()
            .map(|m| m.name().to_string())
            .collect()
    };
    let old = service(&p.old);
    let new = service(&p.new);
    assert!(old.contains("ReattachExecute") && old.contains("AddArtifacts"));
    assert!(!old.contains("ReleaseSession") && new.contains("ReleaseSession"));
    // 3.5's RPCs are all still there.
    assert!(old.is_subset(&new), "{old:?} ⊄ {new:?}");
}

/// What the pinned protocol added to the relations, commands, expressions and RPCs since
/// 3.5; printed (`--nocapture`), and each element of the version table must be among them.
#[test]
fn the_version_table_names_only_what_35_lacks() {
    let p = protocols();
    let mut added = BTreeSet::new();
    for (message, oneof) in [
        ("spark.connect.Relation", "rel_type"),
        ("spark.connect.Command", "command_type"),
        ("spark.connect.Expression", "expr_type"),
    ] {
        let old = p.old.get_message_by_name(message).unwrap();
        let new = p.new.get_message_by_name(message).unwrap();
        for field in new.fields() {
            if field.containing_oneof().is_some_and(|o| o.name() == oneof)
                && old.get_field(field.number()).is_none()
            {
                added.insert(field.full_name().to_string());
            }
        }
    }
    let old_rpcs: BTreeSet<String> = p
        .old
        .get_service_by_name("spark.connect.SparkConnectService")
        .unwrap()
        .methods()
        .map(|m| m.name().to_string())
        .collect();
    for m in p
        .new
        .get_service_by_name("spark.connect.SparkConnectService")
        .unwrap()
        .methods()
    {
        if !old_rpcs.contains(m.name()) {
            added.insert(m.full_name().to_string());
        }
    }
    println!("relations, commands, expressions and RPCs added since Spark 3.5:");
    for a in &added {
        let entry = Feature::of_element(a)
            .map(|f| format!("{f:?}, Spark {}", f.since()))
            .unwrap_or_else(|| "not emitted by this client".into());
        println!("  {a}: {entry}");
    }
    assert!(added.len() > 20, "{added:?}");

    // Every element of the table is unknown to 3.5 and known to the pinned protocol.
    for &feature in Feature::ALL {
        for element in feature.protocol() {
            assert!(
                !is_described(&p.old, element),
                "{feature:?}: Spark 3.5 has {element}"
            );
            assert!(
                is_described(&p.new, element),
                "{feature:?}: the pinned protocol has no {element}"
            );
        }
    }
}

/// Whether `pool` has a field, an enum value or an RPC of this full name.
fn is_described(pool: &DescriptorPool, element: &str) -> bool {
    let Some((parent, name)) = element.rsplit_once('.') else {
        return false;
    };
    if let Some(m) = pool.get_message_by_name(parent) {
        return m.get_field_by_name(name).is_some();
    }
    if let Some(e) = pool.get_enum_by_name(parent) {
        return e.get_value_by_name(name).is_some();
    }
    if let Some(s) = pool.get_service_by_name(parent) {
        return s.methods().any(|m| m.name() == name);
    }
    false
}

/// The check can fail: elements newer than 3.5 are caught, nested and as enum values.
#[test]
fn a_4x_only_element_is_caught() {
    let p = protocols();
    let range = proto::Relation {
        common: None,
        rel_type: Some(proto::relation::RelType::Range(proto::Range {
            start: Some(0),
            end: 3,
            step: 1,
            num_partitions: None,
        })),
    };
    assert!(
        p.unknown_to_35("spark.connect.Relation", &range.encode_to_vec())
            .is_empty()
    );
    let try_cast = col("id").try_cast("int").into_proto();
    let transposed = proto::Relation {
        common: None,
        rel_type: Some(proto::relation::RelType::Transpose(Box::new(
            proto::Transpose {
                input: Some(Box::new(proto::Relation {
                    common: None,
                    rel_type: Some(proto::relation::RelType::Project(Box::new(
                        proto::Project {
                            input: Some(Box::new(range.clone())),
                            expressions: vec![try_cast],
                        },
                    ))),
                })),
                index_columns: vec![],
            },
        ))),
    };
    let unknown = p.unknown_to_35("spark.connect.Relation", &transposed.encode_to_vec());
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert_eq!(unknown[0].element, "spark.connect.Relation.transpose");

    // Inside a relation 3.5 knows: the cast's evaluation mode.
    let project = proto::Relation {
        common: None,
        rel_type: Some(proto::relation::RelType::Project(Box::new(
            proto::Project {
                input: Some(Box::new(range.clone())),
                expressions: vec![col("id").try_cast("int").into_proto()],
            },
        ))),
    };
    let unknown = p.unknown_to_35("spark.connect.Relation", &project.encode_to_vec());
    assert_eq!(
        unknown
            .iter()
            .map(|u| u.element.as_str())
            .collect::<Vec<_>>(),
        ["spark.connect.Expression.Cast.eval_mode"]
    );

    // An enum value 3.5 does not have.
    let grouping_sets = proto::Relation {
        common: None,
        rel_type: Some(proto::relation::RelType::Aggregate(Box::new(
            proto::Aggregate {
                input: Some(Box::new(range)),
                group_type: proto::aggregate::GroupType::GroupingSets as i32,
                ..Default::default()
            },
        ))),
    };
    let unknown = p.unknown_to_35("spark.connect.Relation", &grouping_sets.encode_to_vec());
    assert_eq!(
        unknown
            .iter()
            .map(|u| u.element.as_str())
            .collect::<Vec<_>>(),
        ["spark.connect.Aggregate.GroupType.GROUP_TYPE_GROUPING_SETS"]
    );

    // A 4.x-only RPC is not a request 3.5 has.
    assert!(request_message("ReleaseSession").is_none());

    // A metadata column reference is not tolerated; a plain one is.
    let metadata = |is: bool| proto::Expression {
        common: None,
        expr_type: Some(proto::expression::ExprType::UnresolvedAttribute(
            proto::expression::UnresolvedAttribute {
                unparsed_identifier: "_metadata".into(),
                plan_id: None,
                is_metadata_column: Some(is),
            },
        )),
    };
    assert!(
        p.unknown_to_35("spark.connect.Expression", &metadata(false).encode_to_vec())
            .is_empty()
    );
    assert_eq!(
        p.unknown_to_35("spark.connect.Expression", &metadata(true).encode_to_vec())[0].element,
        "spark.connect.Expression.UnresolvedAttribute.is_metadata_column"
    );
}

/// Every plan of the DataFrame API's cases, collected against a server that reports 3.5.9:
/// sent in 3.5's protocol, or refused before sending for a feature of the version table.
#[tokio::test]
async fn every_dataframe_plan_is_spark_35_or_refused() {
    let p = protocols();
    let server = OldServer::start("3.5.9").await.unwrap();
    let spark = session(&server).await;
    let mut cases: BTreeMap<&'static str, DataFrame> = plan_cases::cases(&spark);
    let other = spark.range(0, 3);
    cases.insert(
        "try_cast",
        spark.range(0, 3).select(col("id").try_cast("int")),
    );
    cases.insert("transpose", spark.range(0, 3).transpose(None));
    cases.insert(
        "scalar_subquery",
        spark
            .range(0, 3)
            .select(other.select(col("id")).limit(1).scalar()),
    );
    cases.insert("exists_subquery", spark.range(0, 3).filter(other.exists()));
    cases.insert(
        "in_subquery",
        spark.range(0, 3).filter(col("id").isin_subquery(&other)),
    );
    let with_meta = spark.range(0, 3);
    cases.insert(
        "metadata_column",
        with_meta.select(with_meta.metadata_column("_metadata")),
    );
    cases.insert(
        "plain_columns",
        spark.range(0, 3).select([col("id"), lit(1)]),
    );
    cases.insert(
        "renamed_twice",
        spark
            .range(0, 3)
            .with_columns_renamed([("id", "a"), ("id", "b")]),
    );

    let (mut sent, mut refused) = (Vec::new(), BTreeMap::<Feature, Vec<&str>>::new());
    let mut wrong = Vec::new();
    for (name, df) in &cases {
        let plan = df.to_proto().clone();
        match run(&p, &server, name, Some(&plan), df.collect()).await {
            Outcome::Sent => sent.push(*name),
            Outcome::Refused(f) => refused.entry(f).or_default().push(name),
            Outcome::Wrong(problems) => wrong.extend(problems),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    println!("sent in Spark 3.5's protocol: {} plans", sent.len());
    for (f, names) in &refused {
        println!("refused, {f:?} (Spark {}): {}", f.since(), names.join(", "));
    }
    assert!(sent.len() > 80, "{sent:?}");
    for feature in [
        Feature::RenamesList,
        Feature::Transpose,
        Feature::CastEvalMode,
        Feature::Subqueries,
        Feature::InSubquery,
        Feature::MetadataColumn,
    ] {
        assert!(
            refused.contains_key(&feature),
            "{feature:?} was not refused: {refused:?}"
        );
    }
}

/// `spark.sql` in each form: the text alone and literal parameters go out as 3.5 reads them
/// (with Spark 4's form beside them while the version is unknown, which 3.5 skips); an
/// expression parameter is refused once the version is asked.
#[tokio::test]
async fn sql_commands_in_spark_35s_forms() {
    let p = protocols();
    let server = OldServer::start("3.5.9").await.unwrap();
    let spark = session(&server).await;
    for _ in 0..2 {
        // First with the version unknown, then known.
        assert!(matches!(
            run(&p, &server, "sql", None, spark.sql("SELECT 1")).await,
            Outcome::Sent
        ));
        assert!(matches!(
            run(
                &p,
                &server,
                "sql named",
                None,
                spark.sql_with_args("SELECT :a", [("a", 1)])
            )
            .await,
            Outcome::Sent
        ));
        assert!(matches!(
            run(
                &p,
                &server,
                "sql positional",
                None,
                spark.sql_with_positional_args("SELECT ?", ["x"])
            )
            .await,
            Outcome::Sent
        ));
        let refused = run(
            &p,
            &server,
            "sql expression parameter",
            None,
            spark.sql_with_args("SELECT :a", [("a", array([lit(1)]))]),
        )
        .await;
        assert!(matches!(
            refused,
            Outcome::Refused(Feature::SqlExpressionParameters)
        ));
    }
    // Known now: the commands carry 3.5's form alone.
    server.clear();
    spark.sql_with_args("SELECT :a", [("a", 1)]).await.unwrap();
    let command = server
        .requests()
        .into_iter()
        .find(|r| r.method == "ExecutePlan")
        .unwrap();
    let all = p.all_unknown_to_35("spark.connect.ExecutePlanRequest", &command.bytes);
    assert!(all.is_empty(), "{all:?}");
}

/// The session's other calls: configuration, analyses, interrupts, tags, artifacts,
/// reattaching and releasing results, stopping.
#[tokio::test]
async fn the_sessions_other_requests_are_spark_35s() {
    let p = protocols();
    let server = OldServer::start("3.5.9").await.unwrap();
    let spark = session(&server).await;
    let df = spark.range(0, 5).filter(col("id").gt(1));

    // Version unknown: results are asked for with chunking options (tolerated), reattached
    // (the stand-in ends each stream early) and released.
    let methods = match run(&p, &server, "collect", None, df.collect()).await {
        Outcome::Sent => server
            .requests()
            .iter()
            .map(|r| r.method)
            .collect::<BTreeSet<_>>(),
        other => panic!("{other:?}"),
    };
    assert!(methods.contains("ReattachExecute"), "{methods:?}");
    assert!(methods.contains("ReleaseExecute"), "{methods:?}");

    assert_sent(run(&p, &server, "schema", None, df.schema()).await);
    assert_sent(
        run(
            &p,
            &server,
            "explain",
            None,
            df.explain(spark_connect_dataframe::ExplainMode::Extended),
        )
        .await,
    );
    // The other analyses: the stand-in answers them UNIMPLEMENTED, after their requests are
    // recorded and checked.
    let other = spark.range(0, 2);
    assert_sent((run(&p, &server, "is_streaming", None, df.is_streaming())).await);
    assert_sent((run(&p, &server, "is_local", None, df.is_local())).await);
    assert_sent((run(&p, &server, "input_files", None, df.input_files())).await);
    assert_sent((run(&p, &server, "tree_string", None, df.tree_string(None))).await);
    assert_sent(
        (run(
            &p,
            &server,
            "same_semantics",
            None,
            df.same_semantics(&other),
        ))
        .await,
    );
    assert_sent((run(&p, &server, "semantic_hash", None, df.semantic_hash())).await);
    assert_sent(
        (run(
            &p,
            &server,
            "persist",
            None,
            df.persist(spark_connect_dataframe::StorageLevel::MEMORY_ONLY),
        ))
        .await,
    );
    assert_sent((run(&p, &server, "storage_level", None, df.storage_level())).await);
    assert_sent((run(&p, &server, "unpersist", None, df.unpersist(false))).await);
    assert_sent(
        run(
            &p,
            &server,
            "conf set",
            None,
            spark.conf().set("spark.sql.shuffle.partitions", 3),
        )
        .await,
    );
    assert_sent(
        run(
            &p,
            &server,
            "conf get",
            None,
            spark.conf().get("spark.sql.shuffle.partitions"),
        )
        .await,
    );
    assert_sent(
        run(
            &p,
            &server,
            "conf unset",
            None,
            spark.conf().unset("spark.sql.shuffle.partitions"),
        )
        .await,
    );
    assert_sent(run(&p, &server, "interrupt all", None, spark.interrupt_all()).await);
    spark.add_tag("t1").unwrap();
    assert_sent(run(&p, &server, "tagged collect", None, df.collect()).await);
    assert_sent(
        run(
            &p,
            &server,
            "interrupt tag",
            None,
            spark.interrupt_tag("t1"),
        )
        .await,
    );
    assert_sent(
        run(
            &p,
            &server,
            "interrupt operation",
            None,
            spark.interrupt_operation("00000000-0000-4000-8000-000000000000"),
        )
        .await,
    );
    let artifact = spark_connect_transport::Artifact {
        name: "cache/0123".into(),
        data: bytes::Bytes::from_static(b"abc"),
    };
    assert_sent(
        run(&p, &server, "add artifacts", None, async {
            spark
                .client()
                .add_artifacts(&[artifact])
                .await
                .map_err(Error::from)
        })
        .await,
    );
    assert_sent(
        run(&p, &server, "artifact status", None, async {
            spark
                .client()
                .artifact_status(&["cache/0123".to_string()])
                .await
                .map_err(Error::from)
        })
        .await,
    );

    // Learned now: results are asked for without chunking options.
    assert_eq!(spark.version().await.unwrap(), "3.5.9");
    server.clear();
    df.collect().await.unwrap();
    let execute = server
        .requests()
        .into_iter()
        .find(|r| r.method == "ExecutePlan")
        .unwrap();
    let all = p.all_unknown_to_35("spark.connect.ExecutePlanRequest", &execute.bytes);
    assert!(
        all.iter()
            .all(|u| !u.element.contains("result_chunking_options")),
        "{all:?}"
    );

    // Stopping: Spark 3.5 has no ReleaseSession; the session ends here without asking.
    server.clear();
    spark.stop().await.unwrap();
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.method != "ReleaseSession")
    );
    assert!(spark.is_stopped());
}

/// Stopping a session whose server's version was never asked: `ReleaseSession` goes out,
/// the 3.5 server answers UNIMPLEMENTED, and the session ends all the same, as PySpark's
/// `stop()` goes on.
#[tokio::test]
async fn stop_on_a_35_server_ends_the_session_as_pyspark_does() {
    let server = OldServer::start("3.5.9").await.unwrap();
    let spark = session(&server).await;
    spark.stop().await.unwrap();
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.method == "ReleaseSession")
    );
    assert!(spark.is_stopped());
}

/// Commands and session calls beyond queries: writes, views, catalog calls, local data,
/// streaming. Each is sent in Spark 3.5's protocol or refused before sending.
#[tokio::test]
async fn commands_are_spark_35s_or_refused() {
    use arrow_array::{Int64Array, RecordBatch};
    let p = protocols();
    let server = OldServer::start("3.5.9").await.unwrap();
    let spark = session(&server).await;
    let df = spark.range(0, 3);
    let catalog = spark.catalog();
    let batch = RecordBatch::try_from_iter([(
        "x",
        std::sync::Arc::new(Int64Array::from(vec![1, 2, 3])) as _,
    )])
    .unwrap();
    let mut outcomes: Vec<(&str, Outcome)> = Vec::new();
    macro_rules! check {
        ($what:expr, $call:expr) => {
            outcomes.push(($what, (run(&p, &server, $what, None, $call)).await))
        };
    }
    check!(
        "save_as_table",
        df.write().mode("overwrite").save_as_table("t")
    );
    check!("save parquet", df.write().format("parquet").save("/tmp/x"));
    check!("insert_into", df.write().insert_into("t", None));
    check!("temp view", df.create_or_replace_temp_view("v"));
    check!("list_tables", catalog.list_tables(None, None));
    check!("table_exists", catalog.table_exists("t", None));
    check!("create_dataframe (inline)", async {
        spark
            .create_dataframe(std::slice::from_ref(&batch))
            .await?
            .collect()
            .await
    });
    check!(
        "read_stream start",
        spark
            .read_stream()
            .format("rate")
            .load()
            .write_stream()
            .format("memory")
            .query_name("q")
            .start()
    );
    // Newer than 3.5: refused.
    check!("cluster_by", df.write().cluster_by("id").save_as_table("t"));
    check!("checkpoint", df.checkpoint(true));
    check!(
        "merge_into",
        df.merge_into("t", col("id").eq(lit(1)))
            .when_matched(None)
            .update_all()
            .merge()
    );
    check!("drop_table", catalog.drop_table("t", true, false));
    check!("listen", spark.streams().listen());

    let mut wrong = Vec::new();
    for (what, outcome) in &outcomes {
        println!("{what}: {outcome:?}");
        if let Outcome::Wrong(problems) = outcome {
            wrong.extend(problems.iter().cloned());
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let refused = |what: &str| {
        outcomes
            .iter()
            .find(|(w, _)| *w == what)
            .map(|(_, o)| match o {
                Outcome::Refused(f) => Some(*f),
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(refused("save_as_table"), None);
    assert_eq!(refused("create_dataframe (inline)"), None);
    assert_eq!(refused("cluster_by"), Some(Feature::ClusterBy));
    assert_eq!(refused("checkpoint"), Some(Feature::Checkpoint));
    assert_eq!(refused("merge_into"), Some(Feature::MergeInto));
    assert_eq!(refused("drop_table"), Some(Feature::CatalogDdl));
    assert_eq!(refused("listen"), Some(Feature::StreamingListenerBus));
}

/// A feature newer than the server is refused up front with an error that says what, which
/// release it needs and which the server runs, and the plan never leaves the client.
#[tokio::test]
async fn a_newer_feature_is_refused_with_a_clear_error() {
    let server = OldServer::start("3.5.9").await.unwrap();
    let spark = session(&server).await;
    let e = spark
        .range(0, 3)
        .transpose(None)
        .collect()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), spark_connect_transport::ErrorKind::Unsupported);
    assert_eq!(
        e.to_string(),
        "`transpose` (Relation.transpose) needs Spark 4.0.0 or later, but the server runs \
         Spark 3.5.9; nothing was sent"
    );
    let methods: Vec<&str> = server.requests().iter().map(|r| r.method).collect();
    assert_eq!(methods, ["AnalyzePlan"], "only the version was asked");
    // Asked once: the next refusal asks nothing.
    server.clear();
    spark
        .range(0, 3)
        .transpose(None)
        .collect()
        .await
        .unwrap_err();
    assert!(server.requests().is_empty());
    // And a plain query still goes.
    spark.range(0, 3).collect().await.unwrap();
    assert!(server.requests().iter().any(|r| r.method == "ExecutePlan"));
}

/// docs/compatibility.md lists the version table as it is: every feature with its release,
/// and nothing else.
#[test]
fn the_documented_table_is_the_version_table() {
    let docs = include_str!("../../../docs/compatibility.md");
    let section = docs
        .split("## Spark 3.5 (Databricks LTS runtimes)")
        .nth(1)
        .expect("the Spark 3.5 section")
        .split("\n## ")
        .next()
        .unwrap();
    let documented: BTreeMap<String, String> = section
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((name.to_string(), cells.get(2)?.to_string()))
        })
        .collect();
    let table: BTreeMap<String, String> = Feature::ALL
        .iter()
        .map(|f| {
            let v = f.since();
            (format!("{f:?}"), format!("{}.{}", v.major, v.minor))
        })
        .collect();
    assert_eq!(documented, table);
}
