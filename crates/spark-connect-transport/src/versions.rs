//! What each server version can serve: the one table of the protocol features this client
//! emits that Spark 3.5 does not have, with the Spark release that introduced each.
//!
//! The client is generated from the newest pinned protocol (Spark 4.3). A server answers a
//! message it does not know in part by skipping the unknown fields (protobuf's rule), which
//! would silently run something else (a `try_cast` as a plain cast, an `IN` subquery without
//! its values), or an unknown RPC with `UNIMPLEMENTED`. So before sending, the client finds
//! the features a request uses ([`Feature`], found by walking the plan: `plan_features.rs`,
//! a visitor over [`plan_walk`](crate::plan_walk)), and when one is newer than the server it
//! refuses the request with
//! [`Error::NotSupportedByServer`](crate::Error::NotSupportedByServer), naming the feature,
//! the release it needs and the server's version. The server's version is asked once per
//! session (an `AnalyzePlan` `SparkVersion` call), and only when a request uses such a
//! feature: plain queries never ask it.
//!
//! The table was derived from the protocol descriptors of Spark 3.5.9, 4.0.4, 4.1.3, 4.2.0
//! and 4.3.0; the Spark 3.5 protocol test (`spark-connect-dataframe/tests/protocol_35.rs`)
//! checks it against the committed 3.5 and 4.3 descriptors: every element named here is
//! unknown to 3.5 and known to 4.3, and every element unknown to 3.5 in a request this client
//! sent is named here or is one of the few that 3.5 ignores without a change of meaning.

use std::fmt;

/// A Spark release's version: major, minor and patch numbers.
///
/// ```
/// use spark_connect_transport::SparkVersion;
///
/// let v = SparkVersion::parse("3.5.1-databricks").unwrap();
/// assert_eq!(v, SparkVersion::new(3, 5, 1));
/// assert!(v < SparkVersion::new(4, 0, 0));
/// assert_eq!(v.to_string(), "3.5.1");
/// assert!(SparkVersion::parse("unknown").is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SparkVersion {
    /// The major version (`4` of `4.1.0`).
    pub major: u32,
    /// The minor version (`1` of `4.1.0`).
    pub minor: u32,
    /// The patch version (`0` of `4.1.0`).
    pub patch: u32,
}

impl SparkVersion {
    /// The version `major.minor.patch`.
    ///
    /// ```
    /// # use spark_connect_transport::SparkVersion;
    /// assert_eq!(SparkVersion::new(4, 0, 0).to_string(), "4.0.0");
    /// ```
    pub const fn new(major: u32, minor: u32, patch: u32) -> SparkVersion {
        SparkVersion {
            major,
            minor,
            patch,
        }
    }

    /// Reads the numbers at the start of a version as a server reports it (`4.3.0`,
    /// `4.0.0-preview2`, `3.5.1-databricks`, `3.5`); `None` when it does not start with a
    /// number. Missing parts are 0.
    ///
    /// ```
    /// # use spark_connect_transport::SparkVersion;
    /// assert_eq!(SparkVersion::parse("4.0.0-preview2"), Some(SparkVersion::new(4, 0, 0)));
    /// assert_eq!(SparkVersion::parse("3.5"), Some(SparkVersion::new(3, 5, 0)));
    /// ```
    pub fn parse(text: &str) -> Option<SparkVersion> {
        let mut parts = text.trim().split('.');
        let number = |part: Option<&str>| -> Option<u32> {
            let part = part?;
            let end = part
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(part.len());
            part[..end].parse().ok()
        };
        let major = number(parts.next())?;
        let minor = number(parts.next()).unwrap_or(0);
        let patch = number(parts.next()).unwrap_or(0);
        Some(SparkVersion::new(major, minor, patch))
    }
}

impl fmt::Display for SparkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The version a server reported (`AnalyzePlan`'s `SparkVersion`), as text and as numbers
/// when it has them.
///
/// A version this client cannot read is taken to be a new one: it serves every feature, and
/// the server itself says what it does not have.
///
/// ```
/// use spark_connect_transport::{Feature, ServerVersion};
///
/// let old = ServerVersion::new("3.5.4");
/// assert!(!old.supports(Feature::Transpose));
/// assert!(ServerVersion::new("4.3.0").supports(Feature::Transpose));
/// assert!(ServerVersion::new("custom-build").supports(Feature::Transpose));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerVersion {
    reported: String,
    version: Option<SparkVersion>,
}

impl ServerVersion {
    /// The version a server reported.
    ///
    /// ```
    /// # use spark_connect_transport::{ServerVersion, SparkVersion};
    /// assert_eq!(ServerVersion::new("3.5.1").version(), Some(SparkVersion::new(3, 5, 1)));
    /// ```
    pub fn new(reported: impl Into<String>) -> ServerVersion {
        let reported = reported.into();
        ServerVersion {
            version: SparkVersion::parse(&reported),
            reported,
        }
    }

    /// The text the server reported.
    ///
    /// ```
    /// # use spark_connect_transport::ServerVersion;
    /// assert_eq!(ServerVersion::new("4.0.0-preview2").reported(), "4.0.0-preview2");
    /// ```
    pub fn reported(&self) -> &str {
        &self.reported
    }

    /// The version's numbers, when the text starts with them.
    ///
    /// ```
    /// # use spark_connect_transport::ServerVersion;
    /// assert!(ServerVersion::new("dev").version().is_none());
    /// ```
    pub fn version(&self) -> Option<SparkVersion> {
        self.version
    }

    /// Whether a server of this version serves `feature`.
    ///
    /// ```
    /// # use spark_connect_transport::{Feature, ServerVersion};
    /// assert!(!ServerVersion::new("4.1.2").supports(Feature::NearestByJoin));
    /// assert!(ServerVersion::new("4.2.0").supports(Feature::NearestByJoin));
    /// ```
    pub fn supports(&self, feature: Feature) -> bool {
        self.version.is_none_or(|v| v >= feature.since())
    }
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reported)
    }
}

macro_rules! features {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident: $name:literal, since ($major:literal, $minor:literal),
            protocol [$($element:literal),+ $(,)?];
    )*) => {
        /// A protocol feature newer than Spark 3.5 that this client emits, and the Spark
        /// release that introduced it: the one table (see the table in `docs/architecture.md`
        /// and `docs/compatibility.md`) that decides what a server of a given version is
        /// asked. [`Feature::ALL`] lists them all.
        ///
        /// ```
        /// use spark_connect_transport::{Feature, SparkVersion};
        ///
        /// assert_eq!(Feature::ReleaseSession.since(), SparkVersion::new(4, 0, 0));
        /// assert_eq!(Feature::ReleaseSession.protocol(), ["spark.connect.SparkConnectService.ReleaseSession"]);
        /// assert!(Feature::ALL.iter().all(|f| f.since() > SparkVersion::new(3, 5, 9)));
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Feature {
            $(
                $(#[doc = $doc])*
                $variant,
            )*
        }

        impl Feature {
            /// Every feature of the table, in its order.
            pub const ALL: &'static [Feature] = &[$(Feature::$variant),*];

            /// What the feature is, for messages: the API that uses it and the protocol
            /// element.
            ///
            /// ```
            /// # use spark_connect_transport::Feature;
            /// assert!(Feature::Transpose.name().contains("transpose"));
            /// ```
            pub fn name(self) -> &'static str {
                match self {
                    $(Feature::$variant => $name,)*
                }
            }

            /// The first Spark release that serves the feature.
            ///
            /// ```
            /// # use spark_connect_transport::{Feature, SparkVersion};
            /// assert_eq!(Feature::NearestByJoin.since(), SparkVersion::new(4, 2, 0));
            /// ```
            pub fn since(self) -> SparkVersion {
                match self {
                    $(Feature::$variant => SparkVersion::new($major, $minor, 0),)*
                }
            }

            /// The protocol elements that make the feature, by their full protobuf names: a
            /// field (`spark.connect.Relation.transpose`), an enum value
            /// (`spark.connect.Aggregate.GroupType.GROUP_TYPE_GROUPING_SETS`) or an RPC
            /// (`spark.connect.SparkConnectService.ReleaseSession`).
            ///
            /// ```
            /// # use spark_connect_transport::Feature;
            /// assert_eq!(Feature::Transpose.protocol(), ["spark.connect.Relation.transpose"]);
            /// ```
            pub fn protocol(self) -> &'static [&'static str] {
                match self {
                    $(Feature::$variant => &[$($element),+],)*
                }
            }
        }
    };
}

features! {
    // RPCs.
    /// `ReleaseSession`, which `stop()` sends. On an older server the session is left to
    /// its idle timeout, as PySpark does (its `stop()` logs the failure and goes on).
    ReleaseSession: "ReleaseSession (ending the session on the server, `stop()`)", since (4, 0),
        protocol ["spark.connect.SparkConnectService.ReleaseSession"];
    /// `FetchErrorDetails`, asked for a server error that carries an error id; older servers
    /// send no error id, so it is never asked of them.
    FetchErrorDetails: "FetchErrorDetails (the full chain of a server error)", since (4, 0),
        protocol ["spark.connect.SparkConnectService.FetchErrorDetails"];
    /// Result chunking options on every `ExecutePlan`, as PySpark sends them to every
    /// server: an older server skips the unknown option and sends whole batches, which the
    /// client reads the same way. Never refused.
    ResultChunking: "result chunking options (ExecutePlanRequest.RequestOption.result_chunking_options)", since (4, 1),
        protocol ["spark.connect.ExecutePlanRequest.RequestOption.result_chunking_options"];
    /// The server-side session id the client has seen, sent back on every request; only
    /// sent once a server has reported one, which older servers never do.
    ObservedServerSession: "the observed server-side session id (client_observed_server_side_session_id)", since (4, 0),
        protocol [
            "spark.connect.ExecutePlanRequest.client_observed_server_side_session_id",
            "spark.connect.AnalyzePlanRequest.client_observed_server_side_session_id",
            "spark.connect.ConfigRequest.client_observed_server_side_session_id",
            "spark.connect.AddArtifactsRequest.client_observed_server_side_session_id",
            "spark.connect.ArtifactStatusesRequest.client_observed_server_side_session_id",
            "spark.connect.InterruptRequest.client_observed_server_side_session_id",
            "spark.connect.ReattachExecuteRequest.client_observed_server_side_session_id",
            "spark.connect.ReleaseExecuteRequest.client_observed_server_side_session_id",
        ];

    // SQL.
    /// `spark.sql` with a parameter that is not a literal (an array, a map, a column), which
    /// only Spark 4's `SqlCommand.input` can carry. With literal parameters the command
    /// carries both forms and every server reads the one it knows.
    SqlExpressionParameters: "SQL parameters that are expressions (SqlCommand.input with named_arguments / pos_arguments)", since (4, 0),
        protocol [
            "spark.connect.SqlCommand.input",
            "spark.connect.SQL.named_arguments",
            "spark.connect.SQL.pos_arguments",
            "spark.connect.SqlCommand.named_arguments",
            "spark.connect.SqlCommand.pos_arguments",
        ];

    // Relations.
    /// `DataFrame::scalar`, `exists` and other subquery columns: the plan goes out as a
    /// `WithRelations` with `SubqueryExpression`s.
    Subqueries: "subquery columns (`scalar`, `exists`; WithRelations, SubqueryExpression)", since (4, 0),
        protocol ["spark.connect.Relation.with_relations", "spark.connect.Expression.subquery_expression"];
    /// `Column::isin_dataframe` (`IN (subquery)`): the values of an `IN` subquery.
    InSubquery: "IN subqueries (`isin` of a DataFrame; SubqueryExpression.in_subquery_values)", since (4, 1),
        protocol [
            "spark.connect.SubqueryExpression.SubqueryType.SUBQUERY_TYPE_IN",
            "spark.connect.SubqueryExpression.in_subquery_values",
        ];
    /// `DataFrame::transpose`.
    Transpose: "`transpose` (Relation.transpose)", since (4, 0),
        protocol ["spark.connect.Relation.transpose"];
    /// `DataFrame::lateral_join`.
    LateralJoin: "`lateral_join` (Relation.lateral_join)", since (4, 0),
        protocol ["spark.connect.Relation.lateral_join"];
    /// `DataFrame::nearest_by_join`.
    NearestByJoin: "nearest-by joins (Relation.nearest_by_join)", since (4, 2),
        protocol ["spark.connect.Relation.nearest_by_join"];
    /// Local data at or above the cache threshold, sent as cached artifact chunks.
    ChunkedLocalRelation: "large local data in `create_dataframe` (Relation.chunked_cached_local_relation)", since (4, 1),
        protocol ["spark.connect.Relation.chunked_cached_local_relation"];
    /// `DataStreamReader::changes` and `DataFrameReader::changes`.
    RelationChanges: "change feeds (`changes`; Relation.relation_changes)", since (4, 2),
        protocol ["spark.connect.Relation.relation_changes"];
    /// `GroupedData` over grouping sets (`group_by_grouping_sets`).
    GroupingSets: "grouping sets (Aggregate.grouping_sets)", since (4, 0),
        protocol [
            "spark.connect.Aggregate.grouping_sets",
            "spark.connect.Aggregate.GroupType.GROUP_TYPE_GROUPING_SETS",
        ];
    /// `with_column_renamed` and `with_columns_renamed`, sent as PySpark 4 sends them: the
    /// ordered list `WithColumnsRenamed.renames`. Spark 3.5 reads only its map
    /// (`rename_columns_map`), and Sail refuses the two together.
    RenamesList: "`with_column_renamed`, `with_columns_renamed` (WithColumnsRenamed.renames)", since (4, 0),
        protocol ["spark.connect.WithColumnsRenamed.renames"];
    /// A streaming source's name (`DataStreamReader::name`).
    SourceName: "named streaming sources (`DataStreamReader::name`; Read.DataSource.source_name)", since (4, 2),
        protocol ["spark.connect.Read.DataSource.source_name"];

    // Expressions.
    /// `DataFrame::metadata_column`: a column reference to a metadata column.
    MetadataColumn: "metadata columns (`metadata_column`; UnresolvedAttribute.is_metadata_column)", since (4, 0),
        protocol ["spark.connect.Expression.UnresolvedAttribute.is_metadata_column"];
    /// `Column::try_cast` (a cast with an evaluation mode).
    CastEvalMode: "`try_cast` (Expression.Cast.eval_mode)", since (4, 0),
        protocol ["spark.connect.Expression.Cast.eval_mode"];
    /// `DataFrame::col("*")` / `col_regex`: a star bound to one DataFrame of a join.
    StarOfPlan: "a DataFrame's star (`df.col(\"*\")`; UnresolvedStar.plan_id)", since (4, 0),
        protocol ["spark.connect.Expression.UnresolvedStar.plan_id"];
    /// `DataFrame::repartition_by_id`: rows to the partition an expression names.
    DirectShufflePartitionId: "`repartition_by_id` (Expression.direct_shuffle_partition_id)", since (4, 1),
        protocol ["spark.connect.Expression.direct_shuffle_partition_id"];
    /// Time literals (`NaiveTime`).
    TimeLiteral: "time literals (Expression.Literal.time)", since (4, 1),
        protocol ["spark.connect.Expression.Literal.time"];

    // Commands.
    /// `DataFrame::merge_into`.
    MergeInto: "`merge_into` (MergeIntoTableCommand, MergeAction)", since (4, 0),
        protocol ["spark.connect.Command.merge_into_table_command", "spark.connect.Expression.merge_action"];
    /// `DataFrame::checkpoint` and `local_checkpoint`.
    Checkpoint: "`checkpoint` / `local_checkpoint` (CheckpointCommand)", since (4, 0),
        protocol ["spark.connect.Command.checkpoint_command"];
    /// `StreamingQueryManager::listen`.
    StreamingListenerBus: "streaming query events (`streams().listen()`; StreamingQueryListenerBusCommand)", since (4, 0),
        protocol ["spark.connect.Command.streaming_query_listener_bus_command"];
    /// `cluster_by` on the batch and streaming writers.
    ClusterBy: "`cluster_by` on writers (clustering columns)", since (4, 0),
        protocol [
            "spark.connect.WriteOperation.clustering_columns",
            "spark.connect.WriteOperationV2.clustering_columns",
            "spark.connect.WriteStreamOperationStart.clustering_column_names",
        ];
    /// Schema evolution on the batch writers.
    WriteSchemaEvolution: "schema evolution on writers (WriteOperation.with_schema_evolution)", since (4, 2),
        protocol [
            "spark.connect.WriteOperation.with_schema_evolution",
            "spark.connect.WriteOperationV2.with_schema_evolution",
        ];
    /// The real-time streaming trigger.
    RealTimeTrigger: "the real-time trigger (`Trigger::RealTime`; WriteStreamOperationStart.real_time_batch_duration)", since (4, 2),
        protocol ["spark.connect.WriteStreamOperationStart.real_time_batch_duration"];
    /// The catalog calls Spark 4.2 added.
    CatalogDdl: "catalog calls of Spark 4.2 (`drop_table`, `drop_view`, `create_database`, `drop_database`, `list_partitions`, `list_views`, `get_table_properties`, `get_create_table_string`, `truncate_table`, `analyze_table`)", since (4, 2),
        protocol [
            "spark.connect.Catalog.drop_table",
            "spark.connect.Catalog.drop_view",
            "spark.connect.Catalog.create_database",
            "spark.connect.Catalog.drop_database",
            "spark.connect.Catalog.list_partitions",
            "spark.connect.Catalog.list_views",
            "spark.connect.Catalog.get_table_properties",
            "spark.connect.Catalog.get_create_table_string",
            "spark.connect.Catalog.truncate_table",
            "spark.connect.Catalog.analyze_table",
        ];
}

impl Feature {
    /// The feature a protocol element belongs to, by the element's full name (see
    /// [`protocol`](Self::protocol)).
    ///
    /// ```
    /// # use spark_connect_transport::Feature;
    /// assert_eq!(Feature::of_element("spark.connect.Relation.transpose"), Some(Feature::Transpose));
    /// assert_eq!(Feature::of_element("spark.connect.Relation.project"), None);
    /// ```
    pub fn of_element(element: &str) -> Option<Feature> {
        Feature::ALL
            .iter()
            .copied()
            .find(|f| f.protocol().contains(&element))
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The text of [`Error::NotSupportedByServer`](crate::Error::NotSupportedByServer).
pub(crate) fn not_supported_message(feature: Feature, server: &ServerVersion) -> String {
    format!(
        "{} needs Spark {} or later, but the server runs Spark {}; nothing was sent",
        feature.name(),
        feature.since(),
        server.reported()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_as_servers_report_them() {
        assert_eq!(
            SparkVersion::parse("4.3.0"),
            Some(SparkVersion::new(4, 3, 0))
        );
        assert_eq!(
            SparkVersion::parse(" 3.5.1-databricks "),
            Some(SparkVersion::new(3, 5, 1))
        );
        assert_eq!(SparkVersion::parse("4"), Some(SparkVersion::new(4, 0, 0)));
        assert_eq!(SparkVersion::parse(""), None);
        assert_eq!(SparkVersion::parse("v4.0"), None);
        assert!(SparkVersion::new(4, 1, 0) > SparkVersion::new(4, 0, 9));
        assert!(SparkVersion::new(10, 0, 0) > SparkVersion::new(4, 3, 0));
    }

    #[test]
    fn the_table_is_well_formed() {
        let mut elements = std::collections::BTreeSet::new();
        for &feature in Feature::ALL {
            // Newer than every 3.5 release, and not newer than the pinned protocol.
            assert!(feature.since() >= SparkVersion::new(4, 0, 0), "{feature:?}");
            assert!(feature.since() <= SparkVersion::new(4, 3, 0), "{feature:?}");
            assert!(!feature.name().is_empty());
            for element in feature.protocol() {
                assert!(element.starts_with("spark.connect."), "{element}");
                assert!(elements.insert(*element), "{element} is in the table twice");
                assert_eq!(Feature::of_element(element), Some(feature));
            }
        }
    }

    #[test]
    fn older_servers_do_not_support_newer_features() {
        let v35 = ServerVersion::new("3.5.9");
        let v41 = ServerVersion::new("4.1.0");
        assert!(!v35.supports(Feature::ReleaseSession));
        assert!(v41.supports(Feature::ReleaseSession));
        assert!(v41.supports(Feature::InSubquery));
        assert!(!v41.supports(Feature::CatalogDdl));
        assert!(ServerVersion::new("4.2.0-SNAPSHOT").supports(Feature::CatalogDdl));
        // Unreadable: taken as new.
        assert!(ServerVersion::new("main").supports(Feature::CatalogDdl));
    }

    #[test]
    fn the_message_names_feature_versions_and_server() {
        let message = not_supported_message(Feature::Transpose, &ServerVersion::new("3.5.4"));
        assert_eq!(
            message,
            "`transpose` (Relation.transpose) needs Spark 4.0.0 or later, but the server runs \
             Spark 3.5.4; nothing was sent"
        );
    }
}
