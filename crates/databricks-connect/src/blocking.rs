//! A blocking API for programs without an async runtime: scripts, tests, plain `fn main()`.
//!
//! It has the async API's types and methods, with the same names and arguments: the builder
//! has the methods of [`crate::DatabricksSessionBuilder`], and [`SparkSession`],
//! [`DataFrame`], [`GroupedData`], [`Catalog`], the readers and writers and the other types
//! here mirror their async namesakes. Building a plan (`select`, `filter`, `join`, reader and
//! writer options, ...) never waits and returns the blocking type; the calls that talk to the
//! server (`collect`, `count`, `save`, catalog calls, ...) wait for their results and return
//! `Result<_, `[`Error`]`>`. Types without anything to wait for ([`crate::Column`],
//! [`crate::StructType`], [`crate::Observation`], ...) are shared with
//! the async API.
//!
//! ```no_run
//! use databricks_connect::blocking::DatabricksSession;
//! use databricks_connect::functions::{col, count, lit};
//! use databricks_connect::JoinType;
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let spark = DatabricksSession::builder()
//!         .remote("sc://127.0.0.1:15002")
//!         .get_or_create()?;
//!     println!("Spark {}", spark.version()?);
//!     let df = spark.range(0, 10).filter(col("id").gt(4));
//!     assert_eq!(df.count()?, 5);
//!     let by_parity = df
//!         .group_by((col("id") % lit(2)).alias("odd"))
//!         .agg(count(lit(1)).alias("n"));
//!     by_parity.join(&df, (), JoinType::Cross).show(20)?;
//!     df.write().mode("overwrite").parquet("/tmp/ids")?;
//!     for table in spark.catalog().list_tables(None, None)? {
//!         println!("{}", table.name);
//!     }
//!     for batch in spark.sql("SELECT id FROM range(3)")?.stream()? {
//!         println!("{} rows", batch?.num_rows());
//!     }
//!     Ok(())
//! }
//! ```
//!
//! All blocking sessions share one small background runtime (one worker thread), which keeps
//! their connections alive between calls. Calling a blocking method from inside an async
//! runtime (a `#[tokio::main]` function or a task) would block that runtime's thread, so it
//! returns [`Error::InsideAsyncRuntime`] instead; use the async API there.
//!
//! Every blocking type has `as_async` / `into_async` to reach the async value underneath
//! (and `From` the async value back); futures of the async API are run with
//! [`SparkSession::block_on`]. A session made by the async API (and wrapped with
//! `SparkSession::from`) keeps the connection of the runtime it was made on, so it works only
//! while that runtime runs; sessions from [`DatabricksSession::builder`] have no such limit.
//!
//! Each blocking method is one line of the `blocking_methods!` macro in this module's source
//! (`lazy fn ...;` for a method that does not wait, `wait fn ...;` for one that does), and each
//! blocking type one line of `blocking_types!`; a unit test (`blocking/parity.rs`) fails when a
//! method of a wrapped async type has no blocking twin.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, OnceLock};

use arrow_array::RecordBatch;
use futures_util::StreamExt;

use crate::{
    CatalogColumn, CatalogMetadata, Column, CreateTableOptions, Database, ExplainMode, Function,
    IntoColumns, IntoCondition, IntoJoinType, IntoNames, IntoObservation, IntoOperand, IntoPaths,
    IntoSaveMode, JoinOn, Literal, NearestBy, NearestMode, OutputMode, ReadSchema, Row,
    StorageLevel, StreamingQueryEvent, StreamingQueryException, StreamingQueryStatus, StructType,
    Table, TablePartition, Trigger, proto,
};

#[cfg(test)]
mod parity;

/// An error of the blocking API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A blocking method was called on a thread that runs an async runtime.
    #[error(
        "a blocking databricks_connect method was called inside an async runtime, where it would block the runtime's thread: use the async API (databricks_connect::DatabricksSession) there, or call it from a thread of its own (std::thread::spawn)"
    )]
    InsideAsyncRuntime,
    /// The background runtime could not be started.
    #[error("cannot start the background runtime of the blocking API: {0}")]
    Runtime(#[source] Arc<std::io::Error>),
    /// The session could not be made.
    #[error(transparent)]
    Session(#[from] crate::Error),
    /// A query or its result failed.
    #[error(transparent)]
    Spark(#[from] crate::SparkError),
}

impl Error {
    /// What kind of failure this is: the kind of the session's or the query's error (see
    /// [`crate::Error::kind`]); calling from inside an async runtime is
    /// [`InvalidArgument`](crate::ErrorKind::InvalidArgument) (a misuse), a runtime that could
    /// not start [`Other`](crate::ErrorKind::Other).
    ///
    /// ```
    /// use databricks_connect::ErrorKind;
    /// use databricks_connect::blocking::Error;
    ///
    /// assert_eq!(Error::InsideAsyncRuntime.kind(), ErrorKind::InvalidArgument);
    /// ```
    pub fn kind(&self) -> crate::ErrorKind {
        match self {
            Error::InsideAsyncRuntime => crate::ErrorKind::InvalidArgument,
            Error::Runtime(_) => crate::ErrorKind::Other,
            Error::Session(e) => e.kind(),
            Error::Spark(e) => e.kind(),
        }
    }

    /// Why the session ended, when this error says that it has (see
    /// [`crate::Error::session_end`]): a new session is needed.
    ///
    /// ```
    /// use databricks_connect::blocking::Error;
    ///
    /// assert!(Error::InsideAsyncRuntime.session_end().is_none());
    /// ```
    pub fn session_end(&self) -> Option<&crate::SessionEndReason> {
        match self {
            Error::Session(e) => e.session_end(),
            Error::Spark(e) => e.session_end(),
            _ => None,
        }
    }

    /// The server's error, when the server reported one (see [`crate::Error::server_error`]).
    ///
    /// ```
    /// use databricks_connect::blocking::Error;
    ///
    /// assert!(Error::InsideAsyncRuntime.server_error().is_none());
    /// ```
    pub fn server_error(&self) -> Option<&crate::ServerError> {
        match self {
            Error::Session(e) => e.server_error(),
            Error::Spark(e) => e.server_error(),
            _ => None,
        }
    }

    /// Spark's error class (PySpark's `e.getCondition()`), when the server reported one.
    ///
    /// ```
    /// use databricks_connect::blocking::Error;
    ///
    /// assert_eq!(Error::InsideAsyncRuntime.error_class(), None);
    /// ```
    pub fn error_class(&self) -> Option<&str> {
        self.server_error().and_then(|s| s.error_class())
    }
}

/// The runtime that every blocking session runs on. It lives as long as the process, so that a
/// session's connection, made on it, outlives any one call.
fn runtime() -> Result<&'static tokio::runtime::Runtime, Error> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, Arc<std::io::Error>>> =
        OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("databricks-connect-blocking")
                .enable_all()
                .build()
                .map_err(Arc::new)
        })
        .as_ref()
        .map_err(|e| Error::Runtime(e.clone()))
}

/// Runs `future` to completion on the shared runtime, unless this thread is in a runtime.
fn block_on<F: Future>(future: F) -> Result<F::Output, Error> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::InsideAsyncRuntime);
    }
    Ok(runtime()?.block_on(future))
}

/// What a wrapped method returns, made from what the async method returned: the async types
/// that have a blocking twin become the twin, everything else is passed on unchanged.
trait FromAsync<A> {
    fn from_async(value: A) -> Self;
}

impl<T> FromAsync<T> for T {
    fn from_async(value: T) -> T {
        value
    }
}

impl<A, T: FromAsync<A>> FromAsync<Result<A, crate::SparkError>> for Result<T, Error> {
    fn from_async(value: Result<A, crate::SparkError>) -> Self {
        value.map(T::from_async).map_err(Error::from)
    }
}

impl FromAsync<Vec<crate::DataFrame>> for Vec<DataFrame> {
    fn from_async(value: Vec<crate::DataFrame>) -> Self {
        value.into_iter().map(DataFrame::from).collect()
    }
}

impl FromAsync<&crate::SparkSession> for SparkSession {
    fn from_async(value: &crate::SparkSession) -> Self {
        SparkSession::from(value.clone())
    }
}

/// Declares blocking twins of async types: a struct holding the async value, `From` it,
/// `as_async` / `into_async`, and a `Debug` that is the async value's.
macro_rules! blocking_types {
    ($($(#[$attr:meta])* $name:ident;)*) => {$(
        $(#[$attr])*
        pub struct $name {
            inner: crate::$name,
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.inner, f)
            }
        }

        impl From<crate::$name> for $name {
            fn from(inner: crate::$name) -> Self {
                $name { inner }
            }
        }

        impl FromAsync<crate::$name> for $name {
            fn from_async(inner: crate::$name) -> Self {
                $name { inner }
            }
        }

        impl $name {
            #[doc = concat!("The async [`", stringify!($name), "`](crate::", stringify!($name), ") underneath.")]
            pub fn as_async(&self) -> &crate::$name {
                &self.inner
            }

            #[doc = concat!("Into the async [`", stringify!($name), "`](crate::", stringify!($name), ").")]
            pub fn into_async(self) -> crate::$name {
                self.inner
            }
        }
    )*};
}

/// Blocking twins of the async methods of one type, one line each:
///
/// * `lazy fn name(self | &self, args...) -> Ret;` calls the async method, which does not wait
///   (it builds a plan or sets an option), and turns what it returns into the blocking type.
/// * `wait fn name(self | &self, args...) -> Ret;` runs the async method's future on the shared
///   runtime; the blocking method returns `Result<Ret, Error>`.
///
/// Generic parameters are written `fn name<C: Into<Column>>(...)`. An argument that is a
/// blocking type (`other: &DataFrame`) is marked `#[as_async]` and passed on as the async value
/// underneath. The rustdoc of each method names the async method; doc comments written
/// before a line are added to it.
macro_rules! blocking_methods {
    (impl $ty:ident {
        $($(#[$doc:meta])* $kind:ident fn $name:ident $(<$($g:ident: $b:path),+>)? ($($params:tt)*) -> $ret:ty;)*
    }) => {
        impl $ty {$(
            blocking_method! {
                $kind $ty [$(#[$doc])*] $name [$($($g: $b),+)?] ($($params)*) -> $ret
            }
        )*}
    };
}

/// One method of [`blocking_methods!`], by kind and receiver.
macro_rules! blocking_method {
    (lazy $ty:ident [$(#[$doc:meta])*] $name:ident [$($g:ident: $b:path),*]
        (self $(, $(#[$c:ident])? $arg:ident: $t:ty)*) -> $ret:ty) => {
        #[doc = concat!("`", stringify!($name), "` of the async [`", stringify!($ty), "`](crate::", stringify!($ty), "); it does not wait.")]
        $(#[$doc])*
        #[allow(clippy::unused_unit)]
        pub fn $name<$($g: $b),*>(self $(, $arg: $t)*) -> $ret {
            FromAsync::from_async(self.inner.$name($(pass_arg!($($c)? $arg)),*))
        }
    };
    (lazy $ty:ident [$(#[$doc:meta])*] $name:ident [$($g:ident: $b:path),*]
        (&self $(, $(#[$c:ident])? $arg:ident: $t:ty)*) -> $ret:ty) => {
        #[doc = concat!("`", stringify!($name), "` of the async [`", stringify!($ty), "`](crate::", stringify!($ty), "); it does not wait.")]
        $(#[$doc])*
        #[allow(clippy::unused_unit)]
        pub fn $name<$($g: $b),*>(&self $(, $arg: $t)*) -> $ret {
            FromAsync::from_async(self.inner.$name($(pass_arg!($($c)? $arg)),*))
        }
    };
    (wait $ty:ident [$(#[$doc:meta])*] $name:ident [$($g:ident: $b:path),*]
        (self $(, $(#[$c:ident])? $arg:ident: $t:ty)*) -> $ret:ty) => {
        #[doc = concat!("`", stringify!($name), "` of the async [`", stringify!($ty), "`](crate::", stringify!($ty), "), waiting for its result.")]
        $(#[$doc])*
        pub fn $name<$($g: $b),*>(self $(, $arg: $t)*) -> Result<$ret, Error> {
            Ok(FromAsync::from_async(block_on(self.inner.$name($(pass_arg!($($c)? $arg)),*))??))
        }
    };
    (wait $ty:ident [$(#[$doc:meta])*] $name:ident [$($g:ident: $b:path),*]
        (&self $(, $(#[$c:ident])? $arg:ident: $t:ty)*) -> $ret:ty) => {
        #[doc = concat!("`", stringify!($name), "` of the async [`", stringify!($ty), "`](crate::", stringify!($ty), "), waiting for its result.")]
        $(#[$doc])*
        pub fn $name<$($g: $b),*>(&self $(, $arg: $t)*) -> Result<$ret, Error> {
            Ok(FromAsync::from_async(block_on(self.inner.$name($(pass_arg!($($c)? $arg)),*))??))
        }
    };
}

/// An argument of [`blocking_method!`]: as it is, or the async value under a blocking one.
macro_rules! pass_arg {
    (as_async $arg:ident) => {
        $arg.as_async()
    };
    ($arg:ident) => {
        $arg
    };
}

/// Makes blocking [`SparkSession`]s; the connection parameters are resolved as for
/// [`crate::DatabricksSession`].
#[derive(Debug, Clone, Copy)]
pub struct DatabricksSession;

impl DatabricksSession {
    /// A builder with nothing set: everything from the environment or the `DEFAULT` profile.
    ///
    /// ```
    /// use databricks_connect::blocking::DatabricksSession;
    /// use databricks_connect::proto::relation::RelType;
    ///
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:1").create()?;
    /// // Building a plan does not wait (nothing is sent); `count()`, `collect()`, ... would.
    /// let df = spark.range(0, 10);
    /// assert!(matches!(df.as_async().to_proto().rel_type, Some(RelType::Range(_))));
    /// # Ok::<(), databricks_connect::blocking::Error>(())
    /// ```
    pub fn builder() -> DatabricksSessionBuilder {
        DatabricksSessionBuilder {
            inner: crate::DatabricksSession::builder(),
        }
    }
}

/// Builds a blocking session; the same methods as [`crate::DatabricksSessionBuilder`].
#[derive(Debug, Clone)]
pub struct DatabricksSessionBuilder {
    inner: crate::DatabricksSessionBuilder,
}

macro_rules! delegate {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            $(#[$doc])*
            pub fn $name(self, $($arg: $ty),*) -> Self {
                DatabricksSessionBuilder { inner: self.inner.$name($($arg),*) }
            }
        )*
    };
}

impl DatabricksSessionBuilder {
    delegate! {
        /// A full `sc://` connection string.
        ///
        /// ```
        /// use databricks_connect::blocking::DatabricksSession;
        ///
        /// let b = DatabricksSession::builder().remote("sc://127.0.0.1:15002");
        /// assert_eq!(b.resolve()?.connection().map(|c| c.port()), Some(15002));
        /// # Ok::<(), databricks_connect::Error>(())
        /// ```
        remote(url: impl Into<String>);
        /// The workspace URL.
        ///
        /// ```
        /// use databricks_connect::blocking::DatabricksSession;
        ///
        /// let b = DatabricksSession::builder()
        ///     .host("https://dbc-1.cloud.databricks.com")
        ///     .token("dapi-x")
        ///     .serverless();
        /// let resolved = b.resolve()?;
        /// assert_eq!(resolved.config().unwrap().host(), Some("https://dbc-1.cloud.databricks.com"));
        /// # Ok::<(), databricks_connect::Error>(())
        /// ```
        host(host: impl Into<String>);
        /// A personal access token.
        ///
        /// ```
        /// use databricks_connect::blocking::DatabricksSession;
        ///
        /// let b = DatabricksSession::builder().host("https://h.example").token("dapi-x").serverless();
        /// assert_eq!(b.resolve()?.config().unwrap().auth_type(), Some("pat"));
        /// # Ok::<(), databricks_connect::Error>(())
        /// ```
        token(token: impl Into<String>);
        /// The cluster to run on.
        ///
        /// ```
        /// use databricks_connect::Compute;
        /// use databricks_connect::blocking::DatabricksSession;
        ///
        /// let b = DatabricksSession::builder().host("https://h.example").token("t").cluster_id("0123-c");
        /// assert_eq!(b.resolve()?.compute(), Some(&Compute::Cluster("0123-c".into())));
        /// # Ok::<(), databricks_connect::Error>(())
        /// ```
        cluster_id(cluster_id: impl Into<String>);
        /// Serverless compute.
        ///
        /// ```
        /// use databricks_connect::Compute;
        /// use databricks_connect::blocking::DatabricksSession;
        ///
        /// let b = DatabricksSession::builder().host("https://h.example").token("t").serverless();
        /// assert!(matches!(b.resolve()?.compute(), Some(Compute::Serverless { .. })));
        /// # Ok::<(), databricks_connect::Error>(())
        /// ```
        serverless();
        /// Serverless compute under a usage policy.
        ///
        /// ```
        /// use databricks_connect::Compute;
        /// use databricks_connect::blocking::DatabricksSession;
        ///
        /// let b = DatabricksSession::builder()
        ///     .host("https://h.example")
        ///     .token("t")
        ///     .serverless_usage_policy("policy-7");
        /// let expected = Compute::Serverless { usage_policy_id: Some("policy-7".into()) };
        /// assert_eq!(b.resolve()?.compute(), Some(&expected));
        /// # Ok::<(), databricks_connect::Error>(())
        /// ```
        serverless_usage_policy(usage_policy_id: impl Into<String>);
        /// A profile of `~/.databrickscfg`.
        ///
        /// ```
        /// use databricks_connect::Compute;
        /// use databricks_connect::blocking::DatabricksSession;
        ///
        /// # let dir = std::env::temp_dir().join(format!("blocking-profile-doc-{}", std::process::id()));
        /// # std::fs::create_dir_all(&dir)?;
        /// # std::fs::write(dir.join(".databrickscfg"),
        /// #     "[dev]\nhost = https://dbc-1.cloud.databricks.com\ntoken = dapi-x\ncluster_id = 0123-c\n")?;
        /// # let env = databricks_connect::config::Environment::from_map([("HOME", dir.to_str().unwrap())]);
        /// // `~/.databrickscfg` has a `[dev]` profile with a host, a token and a cluster.
        /// let b = DatabricksSession::builder().profile("dev");
        /// # let b = b.environment(env);
        /// assert_eq!(b.resolve()?.compute(), Some(&Compute::Cluster("0123-c".into())));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        profile(profile: impl Into<String>);
        /// A resolved Databricks SDK configuration.
        ///
        /// ```
        /// use databricks_connect::ParameterSource;
        /// use databricks_connect::blocking::DatabricksSession;
        /// use databricks_connect::config::{Config, ConfigKey, Environment};
        ///
        /// let config = Config::builder()
        ///     .env(Environment::from_map([("DATABRICKS_HOST", "https://h.example")]))
        ///     .set(ConfigKey::Token, "dapi-x")
        ///     .set(ConfigKey::ClusterId, "0123-c")
        ///     .build()?;
        /// let b = DatabricksSession::builder().sdk_config(config);
        /// assert_eq!(b.resolve()?.source(), ParameterSource::SdkConfig);
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        sdk_config(config: crate::config::Config);
        /// A header sent with every request.
        ///
        /// ```
        /// use databricks_connect::blocking::DatabricksSession;
        ///
        /// let b = DatabricksSession::builder()
        ///     .host("https://h.example")
        ///     .token("t")
        ///     .serverless()
        ///     .header("x-team", "data-eng");
        /// assert!(b.resolve().is_ok());
        /// // With a connection string, headers go into it as `;name=value` parameters.
        /// let e = DatabricksSession::builder()
        ///     .remote("sc://127.0.0.1:15002")
        ///     .header("x-team", "data-eng")
        ///     .resolve()
        ///     .unwrap_err();
        /// assert!(e.to_string().contains("header()"), "{e}");
        /// ```
        header(name: impl Into<String>, value: impl Into<String>);
        /// Text added to the user agent.
        ///
        /// ```
        /// use databricks_connect::blocking::DatabricksSession;
        ///
        /// let b = DatabricksSession::builder().remote("sc://127.0.0.1:15002");
        /// assert!(b.clone().user_agent("nightly-report/1.2").resolve().is_ok());
        /// let e = b.user_agent("x".repeat(2049)).resolve().unwrap_err();
        /// assert!(e.to_string().contains("2048"), "{e}");
        /// ```
        user_agent(user_agent: impl Into<String>);
        /// Whether to check the cluster before connecting.
        ///
        /// ```
        /// use databricks_connect::blocking::DatabricksSession;
        ///
        /// let b = DatabricksSession::builder().cluster_id("0123-c").validate_session(false);
        /// assert!(format!("{b:?}").contains("validate_session: Some(false)"));
        /// ```
        validate_session(validate: bool);
        /// Whether a cluster that is not running is started and waited for.
        ///
        /// ```
        /// use databricks_connect::blocking::DatabricksSession;
        ///
        /// let b = DatabricksSession::builder().cluster_id("0123-c").auto_start_cluster(false);
        /// assert!(format!("{b:?}").contains("auto_start_cluster: Some(false)"));
        /// ```
        auto_start_cluster(auto_start: bool);
        /// The longest wait for the cluster to run.
        ///
        /// ```
        /// use databricks_connect::blocking::DatabricksSession;
        /// use std::time::Duration;
        ///
        /// let b = DatabricksSession::builder().cluster_start_timeout(Duration::from_secs(300));
        /// assert!(format!("{b:?}").contains("cluster_start_timeout: Some(300s)"));
        /// ```
        cluster_start_timeout(timeout: std::time::Duration);
        /// Called at each step of a wait for the cluster.
        ///
        /// ```
        /// use databricks_connect::blocking::DatabricksSession;
        ///
        /// let b = DatabricksSession::builder().on_cluster_wait(|wait| eprintln!("waiting: {wait}"));
        /// assert!(format!("{b:?}").contains("on_cluster_wait: Some"));
        /// ```
        on_cluster_wait(observer: impl Fn(&crate::ClusterWait) + Send + Sync + 'static);
        /// Reads variables from this environment instead of the process's.
        ///
        /// ```
        /// use databricks_connect::ParameterSource;
        /// use databricks_connect::blocking::DatabricksSession;
        /// use databricks_connect::config::Environment;
        ///
        /// let env = Environment::from_map([("SPARK_REMOTE", "sc://127.0.0.1:15002")]);
        /// let b = DatabricksSession::builder().environment(env);
        /// assert_eq!(b.resolve()?.source(), ParameterSource::SparkRemote);
        /// # Ok::<(), databricks_connect::Error>(())
        /// ```
        environment(env: crate::config::Environment);
        /// An extra certificate authority, PEM encoded.
        ///
        /// ```no_run
        /// use databricks_connect::blocking::DatabricksSession;
        ///
        /// let pem = std::fs::read("/etc/ssl/certs/private-gateway-ca.pem")?;
        /// let spark = DatabricksSession::builder()
        ///     .profile("dev")
        ///     .root_certificate_pem(pem)
        ///     .get_or_create()?;
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        root_certificate_pem(pem: impl Into<Vec<u8>>);
        /// The credentials providers to try.
        ///
        /// ```
        /// use databricks_connect::auth::CredentialsChain;
        /// use databricks_connect::blocking::DatabricksSession;
        ///
        /// let b = DatabricksSession::builder().credentials(CredentialsChain::default());
        /// assert!(format!("{b:?}").contains("pat"));
        /// ```
        credentials(chain: crate::auth::CredentialsChain);
    }

    /// What the parameters resolve to, before anything is sent; see
    /// [`crate::DatabricksSessionBuilder::resolve`].
    ///
    /// ```
    /// use databricks_connect::{Compute, Error};
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// let b = DatabricksSession::builder().host("https://h.example").token("t").cluster_id("0123-c");
    /// assert_eq!(b.resolve()?.compute(), Some(&Compute::Cluster("0123-c".into())));
    /// // Contradictions are refused before anything is sent.
    /// let e = DatabricksSession::builder().remote("sc://127.0.0.1:15002").token("t").resolve().unwrap_err();
    /// assert!(matches!(e, Error::Conflict { .. }), "{e:?}");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn resolve(&self) -> Result<crate::ResolvedConnection, crate::Error> {
        self.inner.resolve()
    }

    /// A new session, never a cached one.
    ///
    /// ```
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// // A plain Spark Connect server is not contacted until a call needs it.
    /// let a = DatabricksSession::builder().remote("sc://127.0.0.1:1").create()?;
    /// let b = DatabricksSession::builder().remote("sc://127.0.0.1:1").create()?;
    /// assert_ne!(a.session_id(), b.session_id());
    /// # Ok::<(), databricks_connect::blocking::Error>(())
    /// ```
    pub fn create(self) -> Result<SparkSession, Error> {
        let inner = block_on(self.inner.create())??;
        Ok(SparkSession { inner })
    }

    /// The session made earlier with the same configuration, or a new one.
    ///
    /// ```
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// let remote = "sc://127.0.0.1:1/;user_id=get-or-create-example";
    /// let a = DatabricksSession::builder().remote(remote).get_or_create()?;
    /// let b = DatabricksSession::builder().remote(remote).get_or_create()?;
    /// assert_eq!(a.session_id(), b.session_id());
    /// # Ok::<(), databricks_connect::blocking::Error>(())
    /// ```
    pub fn get_or_create(self) -> Result<SparkSession, Error> {
        let inner = block_on(self.inner.get_or_create())??;
        Ok(SparkSession { inner })
    }
}

blocking_types! {
    /// A Spark session whose methods wait for their results; the blocking
    /// [`SparkSession`](crate::SparkSession). Cheap to clone.
    #[derive(Clone)]
    SparkSession;
    /// A lazy query plan whose actions (`collect`, `count`, `save`, ...) wait for their
    /// results; the blocking [`DataFrame`](crate::DataFrame).
    #[derive(Clone)]
    DataFrame;
    /// The blocking [`GroupedData`](crate::GroupedData): `df.group_by(...)`, waiting for an
    /// aggregation.
    #[derive(Clone)]
    GroupedData;
    /// The blocking [`DataFrameNaFunctions`](crate::DataFrameNaFunctions): `df.na()`.
    #[derive(Clone)]
    DataFrameNaFunctions;
    /// The blocking [`DataFrameStatFunctions`](crate::DataFrameStatFunctions): `df.stat()`.
    #[derive(Clone)]
    DataFrameStatFunctions;
    /// The blocking [`DataFrameReader`](crate::DataFrameReader): `spark.read()`. Reading builds
    /// a plan, so nothing here waits.
    #[derive(Clone)]
    DataFrameReader;
    /// The blocking [`DataFrameWriter`](crate::DataFrameWriter): `df.write()`. The options do
    /// not wait; `save`, `parquet`, `save_as_table`, ... wait until the server has written.
    #[derive(Clone)]
    DataFrameWriter;
    /// The blocking [`DataFrameWriterV2`](crate::DataFrameWriterV2): `df.write_to(table)`.
    #[derive(Clone)]
    DataFrameWriterV2;
    /// The blocking [`MergeIntoWriter`](crate::MergeIntoWriter): `df.merge_into(...)`; only
    /// `merge` waits.
    #[derive(Clone)]
    MergeIntoWriter;
    /// The blocking [`WhenMatched`](crate::WhenMatched) of a [`MergeIntoWriter`].
    WhenMatched;
    /// The blocking [`WhenNotMatched`](crate::WhenNotMatched) of a [`MergeIntoWriter`].
    WhenNotMatched;
    /// The blocking [`WhenNotMatchedBySource`](crate::WhenNotMatchedBySource) of a
    /// [`MergeIntoWriter`].
    WhenNotMatchedBySource;
    /// The blocking [`Catalog`](crate::Catalog): `spark.catalog()`.
    #[derive(Clone)]
    Catalog;
    /// The blocking [`RuntimeConfig`](crate::RuntimeConfig): `spark.conf()`.
    #[derive(Clone)]
    RuntimeConfig;
    /// The blocking [`UdfRegistration`](crate::UdfRegistration): `spark.udf()`.
    #[derive(Clone)]
    UdfRegistration;
    /// The blocking [`DataStreamReader`](crate::DataStreamReader): `spark.read_stream()`.
    /// Reading builds a plan, so nothing here waits.
    #[derive(Clone)]
    DataStreamReader;
    /// The blocking [`DataStreamWriter`](crate::DataStreamWriter): `df.write_stream()`. The
    /// options do not wait; `start`, `start_path` and `to_table` wait until the query runs.
    #[derive(Clone)]
    DataStreamWriter;
    /// The blocking [`StreamingQuery`](crate::StreamingQuery): a running streaming query.
    #[derive(Clone)]
    StreamingQuery;
    /// The blocking [`StreamingQueryManager`](crate::StreamingQueryManager): `spark.streams()`.
    #[derive(Clone)]
    StreamingQueryManager;
}

impl FromAsync<Vec<crate::StreamingQuery>> for Vec<StreamingQuery> {
    fn from_async(value: Vec<crate::StreamingQuery>) -> Self {
        value.into_iter().map(StreamingQuery::from).collect()
    }
}

impl FromAsync<Option<crate::StreamingQuery>> for Option<StreamingQuery> {
    fn from_async(value: Option<crate::StreamingQuery>) -> Self {
        value.map(StreamingQuery::from)
    }
}

impl FromAsync<crate::StreamingQueryEvents> for StreamingQueryEvents {
    fn from_async(events: crate::StreamingQueryEvents) -> Self {
        StreamingQueryEvents { events }
    }
}

impl SparkSession {
    /// Runs a future of the async API (from [`SparkSession::as_async`] or any
    /// `into_async`) on the runtime this session's connection lives on.
    ///
    /// ```no_run
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:15002").get_or_create()?;
    /// let df = spark.range(0, 10);
    /// // The async `count` of the DataFrame underneath: the outer `?` is the blocking API's
    /// // error (called inside a runtime), the inner one the query's.
    /// let n = spark.block_on(df.as_async().count())??;
    /// assert_eq!(n, 10);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn block_on<F: Future>(&self, future: F) -> Result<F::Output, Error> {
        block_on(future)
    }
}

blocking_methods! {
    impl SparkSession {
        lazy fn client(&self) -> &spark_connect_transport::SparkConnectClient;
        lazy fn session_id(&self) -> &str;
        wait fn version(&self) -> String;
        lazy fn range(&self, start: i64, end: i64) -> DataFrame;
        lazy fn range_with_step(&self, start: i64, end: i64, step: i64, num_partitions: Option<i32>) -> DataFrame;
        lazy fn table(&self, name: &str) -> DataFrame;
        wait fn sql(&self, query: &str) -> DataFrame;
        lazy fn sql_deferred(&self, query: &str) -> DataFrame;
        wait fn sql_with_args<S: AsRef<str>, V: IntoOperand>(&self, query: &str, args: impl IntoIterator<Item = (S, V)>) -> DataFrame;
        wait fn sql_with_positional_args<V: IntoOperand>(&self, query: &str, args: impl IntoIterator<Item = V>) -> DataFrame;
        wait fn create_dataframe(&self, batches: &[RecordBatch]) -> DataFrame;
        wait fn create_dataframe_with_schema(&self, batches: &[RecordBatch], schema: impl Into<ReadSchema>) -> DataFrame;
        wait fn empty_dataframe(&self, schema: impl Into<ReadSchema>) -> DataFrame;
        #[cfg(feature = "serde")]
        wait fn create_dataframe_from<T: serde::Serialize>(&self, rows: &[T]) -> DataFrame;
        #[cfg(feature = "serde")]
        wait fn create_dataframe_from_with_schema<T: serde::Serialize>(&self, rows: &[T], schema: impl Into<ReadSchema>) -> DataFrame;
        #[cfg(feature = "polars")]
        wait fn create_dataframe_from_polars(&self, df: &crate::polars_frames::PolarsDataFrame) -> DataFrame;
        lazy fn artifact_stats(&self) -> crate::ArtifactStats;
        lazy fn conf(&self) -> RuntimeConfig;
        lazy fn catalog(&self) -> Catalog;
        lazy fn read(&self) -> DataFrameReader;
        lazy fn read_stream(&self) -> DataStreamReader;
        lazy fn streams(&self) -> StreamingQueryManager;
        lazy fn udf(&self) -> UdfRegistration;
        wait fn stop(&self) -> ();
        lazy fn is_stopped(&self) -> bool;
        wait fn interrupt_all(&self) -> Vec<String>;
        wait fn interrupt_tag(&self, tag: &str) -> Vec<String>;
        wait fn interrupt_operation(&self, operation_id: &str) -> Vec<String>;
        lazy fn add_tag(&self, tag: &str) -> Result<(), Error>;
        lazy fn remove_tag(&self, tag: &str) -> ();
        lazy fn get_tags(&self) -> Vec<String>;
        lazy fn clear_tags(&self) -> ();
    }
}

impl DataFrame {
    /// Applies a function to this DataFrame, for chaining your own transformations; as
    /// [`DataFrame::transform`](crate::DataFrame::transform) of the async API, with blocking
    /// DataFrames.
    ///
    /// ```
    /// use databricks_connect::blocking::{DataFrame, DatabricksSession};
    /// use databricks_connect::functions::col;
    /// use databricks_connect::proto::relation::RelType;
    ///
    /// fn positive(df: &DataFrame) -> DataFrame {
    ///     df.filter(col("id").gt(0))
    /// }
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:1").create()?;
    /// let df = spark.range(-3, 3).transform(positive);
    /// assert!(matches!(df.as_async().to_proto().rel_type, Some(RelType::Filter(_))));
    /// # Ok::<(), databricks_connect::blocking::Error>(())
    /// ```
    pub fn transform(&self, f: impl FnOnce(&DataFrame) -> DataFrame) -> DataFrame {
        f(self)
    }

    /// Runs the query and returns an iterator over its batches as they arrive; memory stays
    /// bounded by a few batches whatever the size of the result. The blocking
    /// [`DataFrame::stream`](crate::DataFrame::stream).
    ///
    /// ```no_run
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:15002").get_or_create()?;
    /// let mut rows = 0;
    /// for batch in spark.range(0, 1_000_000).stream()? {
    ///     rows += batch?.num_rows();
    /// }
    /// assert_eq!(rows, 1_000_000);
    /// # Ok::<(), databricks_connect::blocking::Error>(())
    /// ```
    pub fn stream(&self) -> Result<RecordBatchIter, Error> {
        let stream = block_on(self.inner.stream())??;
        Ok(RecordBatchIter { stream })
    }

    /// Runs the query and returns an iterator over its rows as Rust values, decoded a batch
    /// at a time as batches arrive. The blocking
    /// [`DataFrame::stream_as`](crate::DataFrame::stream_as).
    ///
    /// ```no_run
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Order {
    ///     id: i64,
    ///     total: f64,
    /// }
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:15002").get_or_create()?;
    /// for order in spark.table("sales.orders").stream_as::<Order>()? {
    ///     let order = order?;
    ///     println!("{}: {}", order.id, order.total);
    /// }
    /// # Ok::<(), databricks_connect::blocking::Error>(())
    /// ```
    #[cfg(feature = "serde")]
    pub fn stream_as<T: serde::de::DeserializeOwned + Unpin>(
        &self,
    ) -> Result<TypedRowIter<T>, Error> {
        let stream = block_on(self.inner.stream_as::<T>())??;
        Ok(TypedRowIter { stream })
    }
}

/// The rows of a result as Rust values, as they arrive; see [`DataFrame::stream_as`].
#[cfg(feature = "serde")]
#[derive(Debug)]
pub struct TypedRowIter<T> {
    stream: crate::TypedRowStream<T>,
}

#[cfg(feature = "serde")]
impl<T: serde::de::DeserializeOwned + Unpin> Iterator for TypedRowIter<T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match block_on(self.stream.next()) {
            Ok(item) => item.map(|r| r.map_err(Error::from)),
            Err(e) => Some(Err(e)),
        }
    }
}

blocking_methods! {
    impl DataFrame {
        /// A handle of its own (sessions are cheap to clone), where the async method lends one.
        lazy fn session(&self) -> SparkSession;
        lazy fn to_proto(&self) -> &proto::Relation;
        // Projections and filters.
        lazy fn select(&self, columns: impl IntoColumns) -> DataFrame;
        lazy fn select_expr(&self, expressions: impl IntoNames) -> DataFrame;
        lazy fn filter(&self, condition: impl IntoCondition) -> DataFrame;
        lazy fn r#where(&self, condition: impl IntoCondition) -> DataFrame;
        lazy fn with_column(&self, name: &str, column: impl Into<Column>) -> DataFrame;
        lazy fn with_columns<S: AsRef<str>, C: Into<Column>>(&self, columns: impl IntoIterator<Item = (S, C)>) -> DataFrame;
        lazy fn with_column_renamed(&self, existing: &str, new: &str) -> DataFrame;
        lazy fn with_columns_renamed<S: AsRef<str>, T: AsRef<str>>(&self, renames: impl IntoIterator<Item = (S, T)>) -> DataFrame;
        lazy fn with_metadata(&self, name: &str, metadata_json: &str) -> DataFrame;
        lazy fn drop(&self, columns: impl IntoNames) -> DataFrame;
        lazy fn drop_columns(&self, columns: impl IntoColumns) -> DataFrame;
        lazy fn to_df(&self, names: impl IntoNames) -> DataFrame;
        lazy fn to(&self, schema_ddl: &str) -> DataFrame;
        lazy fn alias(&self, alias: &str) -> DataFrame;
        lazy fn col(&self, name: &str) -> Column;
        lazy fn col_regex(&self, regex: &str) -> Column;
        lazy fn metadata_column(&self, name: &str) -> Column;
        lazy fn scalar(&self) -> Column;
        lazy fn exists(&self) -> Column;
        lazy fn observe(&self, observation: impl IntoObservation, metrics: impl IntoColumns) -> DataFrame;
        lazy fn hint<C: Into<Column>>(&self, name: &str, parameters: impl IntoIterator<Item = C>) -> DataFrame;
        // Rows: order, limits, duplicates, samples.
        lazy fn limit(&self, n: i32) -> DataFrame;
        lazy fn offset(&self, n: i32) -> DataFrame;
        lazy fn order_by(&self, columns: impl IntoColumns) -> DataFrame;
        lazy fn sort(&self, columns: impl IntoColumns) -> DataFrame;
        lazy fn sort_within_partitions(&self, columns: impl IntoColumns) -> DataFrame;
        lazy fn distinct(&self) -> DataFrame;
        lazy fn drop_duplicates(&self, subset: impl IntoNames) -> DataFrame;
        lazy fn drop_duplicates_within_watermark(&self, subset: impl IntoNames) -> DataFrame;
        lazy fn with_watermark(&self, event_time: &str, delay_threshold: &str) -> DataFrame;
        lazy fn sample(&self, fraction: f64, with_replacement: bool, seed: Option<i64>) -> DataFrame;
        lazy fn sample_by(&self, col: impl Into<Column>, fractions: impl IntoIterator<Item = (Literal, f64)>, seed: Option<i64>) -> DataFrame;
        lazy fn random_split(&self, weights: &[f64], seed: Option<i64>) -> Result<Vec<DataFrame>, Error>;
        lazy fn zip_with_index(&self, index_col_name: &str) -> DataFrame;
        // Partitioning.
        lazy fn repartition(&self, num_partitions: i32) -> DataFrame;
        lazy fn repartition_by(&self, num_partitions: Option<i32>, columns: impl IntoColumns) -> DataFrame;
        lazy fn repartition_by_range(&self, num_partitions: Option<i32>, columns: impl IntoColumns) -> DataFrame;
        lazy fn repartition_by_id(&self, num_partitions: i32, partition_id_col: impl Into<Column>) -> DataFrame;
        lazy fn coalesce(&self, num_partitions: i32) -> DataFrame;
        // Aggregation and reshaping.
        lazy fn group_by(&self, columns: impl IntoColumns) -> GroupedData;
        lazy fn rollup(&self, columns: impl IntoColumns) -> GroupedData;
        lazy fn cube(&self, columns: impl IntoColumns) -> GroupedData;
        lazy fn grouping_sets<S: IntoColumns>(&self, sets: impl IntoIterator<Item = S>, columns: impl IntoColumns) -> GroupedData;
        lazy fn agg(&self, exprs: impl IntoColumns) -> DataFrame;
        lazy fn describe(&self, columns: impl IntoNames) -> DataFrame;
        lazy fn summary(&self, statistics: impl IntoNames) -> DataFrame;
        lazy fn unpivot<V: IntoColumns>(&self, ids: impl IntoColumns, values: Option<V>, variable_column_name: &str, value_column_name: &str) -> DataFrame;
        lazy fn melt<V: IntoColumns>(&self, ids: impl IntoColumns, values: Option<V>, variable_column_name: &str, value_column_name: &str) -> DataFrame;
        lazy fn transpose(&self, index_column: Option<Column>) -> DataFrame;
        lazy fn to_json(&self) -> DataFrame;
        // Joins and set operations.
        lazy fn join(&self, #[as_async] other: &DataFrame, on: impl Into<JoinOn>, how: impl IntoJoinType) -> DataFrame;
        lazy fn inner_join(&self, #[as_async] other: &DataFrame, on: impl Into<JoinOn>) -> DataFrame;
        lazy fn lateral_join(&self, #[as_async] other: &DataFrame, on: Option<Column>, how: impl IntoJoinType) -> DataFrame;
        lazy fn nearest_by_join(&self, #[as_async] other: &DataFrame, ranking: impl Into<Column>, num_results: i32, mode: NearestMode, direction: NearestBy, how: impl IntoJoinType) -> DataFrame;
        lazy fn cross_join(&self, #[as_async] other: &DataFrame) -> DataFrame;
        lazy fn union(&self, #[as_async] other: &DataFrame) -> DataFrame;
        lazy fn union_all(&self, #[as_async] other: &DataFrame) -> DataFrame;
        lazy fn union_by_name(&self, #[as_async] other: &DataFrame, allow_missing_columns: bool) -> DataFrame;
        lazy fn intersect(&self, #[as_async] other: &DataFrame) -> DataFrame;
        lazy fn intersect_all(&self, #[as_async] other: &DataFrame) -> DataFrame;
        lazy fn subtract(&self, #[as_async] other: &DataFrame) -> DataFrame;
        lazy fn except_all(&self, #[as_async] other: &DataFrame) -> DataFrame;
        // Missing values and statistics.
        lazy fn na(&self) -> DataFrameNaFunctions;
        lazy fn stat(&self) -> DataFrameStatFunctions;
        lazy fn fillna(&self, value: impl Into<Literal>, subset: impl IntoNames) -> DataFrame;
        lazy fn fillna_columns<S: AsRef<str>>(&self, values: impl IntoIterator<Item = (S, Literal)>) -> DataFrame;
        lazy fn dropna(&self, thresh: Option<i32>, subset: impl IntoNames) -> DataFrame;
        lazy fn replace(&self, replacements: impl IntoIterator<Item = (Literal, Literal)>, subset: impl IntoNames) -> DataFrame;
        lazy fn crosstab(&self, col1: &str, col2: &str) -> DataFrame;
        lazy fn freq_items(&self, columns: impl IntoNames, support: Option<f64>) -> DataFrame;
        wait fn corr(&self, col1: &str, col2: &str) -> f64;
        wait fn cov(&self, col1: &str, col2: &str) -> f64;
        wait fn approx_quantile(&self, columns: impl IntoNames, probabilities: &[f64], relative_error: f64) -> Vec<Vec<f64>>;
        // Writing.
        lazy fn write(&self) -> DataFrameWriter;
        lazy fn write_to(&self, table: &str) -> DataFrameWriterV2;
        lazy fn write_stream(&self) -> DataStreamWriter;
        lazy fn merge_into(&self, table: &str, condition: Column) -> MergeIntoWriter;
        // Actions: results.
        wait fn collect(&self) -> Vec<RecordBatch>;
        #[cfg(feature = "serde")]
        wait fn collect_as<T: serde::de::DeserializeOwned>(&self) -> Vec<T>;
        #[cfg(feature = "polars")]
        wait fn to_polars(&self) -> crate::polars_frames::PolarsDataFrame;
        wait fn for_each_batch(&self, f: impl FnMut(RecordBatch) -> Result<(), crate::SparkError>) -> ();
        wait fn count(&self) -> i64;
        wait fn collect_rows(&self) -> Vec<Row>;
        wait fn head(&self, n: i32) -> Vec<Row>;
        wait fn take(&self, n: i32) -> Vec<Row>;
        wait fn first(&self) -> Option<Row>;
        wait fn tail(&self, n: i32) -> Vec<Row>;
        wait fn is_empty(&self) -> bool;
        wait fn show_string(&self, n: i32, truncate: i32, vertical: bool) -> String;
        wait fn show(&self, n: i32) -> ();
        wait fn show_with(&self, n: i32, truncate: i32, vertical: bool) -> ();
        // Actions: schema and plan.
        wait fn schema(&self) -> StructType;
        wait fn columns(&self) -> Vec<String>;
        wait fn dtypes(&self) -> Vec<(String, String)>;
        wait fn tree_string(&self, level: Option<i32>) -> String;
        wait fn print_schema(&self) -> ();
        wait fn explain(&self, mode: ExplainMode) -> String;
        wait fn same_semantics(&self, #[as_async] other: &DataFrame) -> bool;
        wait fn semantic_hash(&self) -> i32;
        wait fn input_files(&self) -> Vec<String>;
        wait fn is_local(&self) -> bool;
        wait fn is_streaming(&self) -> bool;
        // Actions: views and caching.
        wait fn create_temp_view(&self, name: &str) -> ();
        wait fn create_or_replace_temp_view(&self, name: &str) -> ();
        #[deprecated(note = "use create_or_replace_temp_view, as PySpark advises")]
        #[allow(deprecated)]
        wait fn register_temp_table(&self, name: &str) -> ();
        wait fn create_global_temp_view(&self, name: &str) -> ();
        wait fn create_or_replace_global_temp_view(&self, name: &str) -> ();
        wait fn cache(&self) -> ();
        wait fn persist(&self, level: StorageLevel) -> ();
        wait fn unpersist(&self, blocking: bool) -> ();
        wait fn storage_level(&self) -> StorageLevel;
        wait fn is_cached(&self) -> bool;
        wait fn checkpoint(&self, eager: bool) -> DataFrame;
        wait fn local_checkpoint(&self, eager: bool, storage_level: Option<StorageLevel>) -> DataFrame;
    }
}

blocking_methods! {
    impl GroupedData {
        lazy fn agg(&self, exprs: impl IntoColumns) -> DataFrame;
        lazy fn count(&self) -> DataFrame;
        lazy fn sum(&self, columns: impl IntoNames) -> DataFrame;
        lazy fn avg(&self, columns: impl IntoNames) -> DataFrame;
        lazy fn mean(&self, columns: impl IntoNames) -> DataFrame;
        lazy fn min(&self, columns: impl IntoNames) -> DataFrame;
        lazy fn max(&self, columns: impl IntoNames) -> DataFrame;
        lazy fn pivot<V: Into<Literal>>(&self, col: impl Into<Column>, values: impl IntoIterator<Item = V>) -> GroupedData;
    }
}

blocking_methods! {
    impl DataFrameNaFunctions {
        lazy fn fill(&self, value: impl Into<Literal>, subset: impl IntoNames) -> DataFrame;
        lazy fn drop(&self, thresh: Option<i32>, subset: impl IntoNames) -> DataFrame;
        lazy fn replace(&self, replacements: impl IntoIterator<Item = (Literal, Literal)>, subset: impl IntoNames) -> DataFrame;
    }
}

blocking_methods! {
    impl DataFrameStatFunctions {
        wait fn corr(&self, col1: &str, col2: &str) -> f64;
        wait fn cov(&self, col1: &str, col2: &str) -> f64;
        lazy fn crosstab(&self, col1: &str, col2: &str) -> DataFrame;
        lazy fn freq_items(&self, columns: impl IntoNames, support: Option<f64>) -> DataFrame;
        wait fn approx_quantile(&self, columns: impl IntoNames, probabilities: &[f64], relative_error: f64) -> Vec<Vec<f64>>;
        lazy fn sample_by(&self, col: impl Into<Column>, fractions: impl IntoIterator<Item = (Literal, f64)>, seed: Option<i64>) -> DataFrame;
    }
}

blocking_methods! {
    impl DataFrameReader {
        lazy fn format(self, source: &str) -> DataFrameReader;
        lazy fn schema(self, schema: impl Into<ReadSchema>) -> DataFrameReader;
        lazy fn option(self, key: &str, value: impl fmt::Display) -> DataFrameReader;
        lazy fn options<K: AsRef<str>, V: fmt::Display>(self, options: impl IntoIterator<Item = (K, V)>) -> DataFrameReader;
        lazy fn load(self, paths: impl IntoPaths) -> DataFrame;
        lazy fn load_without_path(self) -> DataFrame;
        lazy fn table(self, name: &str) -> DataFrame;
        lazy fn changes(self, name: &str) -> DataFrame;
        lazy fn csv(self, paths: impl IntoPaths) -> DataFrame;
        lazy fn json(self, paths: impl IntoPaths) -> DataFrame;
        lazy fn parquet(self, paths: impl IntoPaths) -> DataFrame;
        lazy fn orc(self, paths: impl IntoPaths) -> DataFrame;
        lazy fn text(self, paths: impl IntoPaths) -> DataFrame;
        lazy fn xml(self, paths: impl IntoPaths) -> DataFrame;
        lazy fn jdbc<P: AsRef<str>>(self, url: &str, table: &str, predicates: impl IntoIterator<Item = P>) -> DataFrame;
    }
}

blocking_methods! {
    impl DataFrameWriter {
        lazy fn format(self, source: &str) -> DataFrameWriter;
        lazy fn mode(self, mode: impl IntoSaveMode) -> DataFrameWriter;
        lazy fn option(self, key: &str, value: impl fmt::Display) -> DataFrameWriter;
        lazy fn options<K: AsRef<str>, V: fmt::Display>(self, options: impl IntoIterator<Item = (K, V)>) -> DataFrameWriter;
        lazy fn partition_by(self, columns: impl IntoNames) -> DataFrameWriter;
        lazy fn bucket_by(self, num_buckets: i32, columns: impl IntoNames) -> DataFrameWriter;
        lazy fn sort_by(self, columns: impl IntoNames) -> DataFrameWriter;
        lazy fn cluster_by(self, columns: impl IntoNames) -> DataFrameWriter;
        /// ```
        /// use databricks_connect::blocking::DatabricksSession;
        /// use databricks_connect::proto::command::CommandType;
        ///
        /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:1").create()?;
        /// let command = spark.range(0, 3).write().mode("append").to_proto()?;
        /// assert!(matches!(command.command_type, Some(CommandType::WriteOperation(_))));
        /// # Ok::<(), databricks_connect::blocking::Error>(())
        /// ```
        lazy fn to_proto(&self) -> Result<proto::Command, Error>;
        wait fn save(self, path: &str) -> ();
        wait fn save_without_path(self) -> ();
        wait fn save_as_table(self, name: &str) -> ();
        wait fn insert_into(self, name: &str, overwrite: Option<bool>) -> ();
        wait fn csv(self, path: &str) -> ();
        wait fn json(self, path: &str) -> ();
        wait fn parquet(self, path: &str) -> ();
        wait fn orc(self, path: &str) -> ();
        wait fn text(self, path: &str) -> ();
        wait fn xml(self, path: &str) -> ();
        wait fn jdbc(self, url: &str, table: &str) -> ();
    }
}

blocking_methods! {
    impl DataFrameWriterV2 {
        lazy fn using(self, provider: &str) -> DataFrameWriterV2;
        lazy fn option(self, key: &str, value: impl fmt::Display) -> DataFrameWriterV2;
        lazy fn options<K: AsRef<str>, V: fmt::Display>(self, options: impl IntoIterator<Item = (K, V)>) -> DataFrameWriterV2;
        lazy fn table_property(self, property: &str, value: &str) -> DataFrameWriterV2;
        lazy fn partitioned_by(self, columns: impl IntoColumns) -> DataFrameWriterV2;
        lazy fn cluster_by(self, columns: impl IntoNames) -> DataFrameWriterV2;
        /// ```
        /// use databricks_connect::blocking::DatabricksSession;
        /// use databricks_connect::proto::command::CommandType;
        ///
        /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:1").create()?;
        /// let command = spark.range(0, 3).write_to("lake.t").using("parquet").to_proto()?;
        /// assert!(matches!(command.command_type, Some(CommandType::WriteOperationV2(_))));
        /// # Ok::<(), databricks_connect::blocking::Error>(())
        /// ```
        lazy fn to_proto(&self) -> Result<proto::Command, Error>;
        wait fn create(self) -> ();
        wait fn replace(self) -> ();
        wait fn create_or_replace(self) -> ();
        wait fn append(self) -> ();
        wait fn overwrite(self, condition: impl Into<Column>) -> ();
        wait fn overwrite_partitions(self) -> ();
    }
}

blocking_methods! {
    impl MergeIntoWriter {
        lazy fn when_matched(self, condition: Option<Column>) -> WhenMatched;
        lazy fn when_not_matched(self, condition: Option<Column>) -> WhenNotMatched;
        lazy fn when_not_matched_by_source(self, condition: Option<Column>) -> WhenNotMatchedBySource;
        lazy fn with_schema_evolution(self) -> MergeIntoWriter;
        lazy fn to_proto(&self) -> proto::Command;
        wait fn merge(self) -> ();
    }
}

blocking_methods! {
    impl WhenMatched {
        lazy fn update_all(self) -> MergeIntoWriter;
        lazy fn update<S: AsRef<str>, C: Into<Column>>(self, set: impl IntoIterator<Item = (S, C)>) -> MergeIntoWriter;
        lazy fn delete(self) -> MergeIntoWriter;
    }
}

blocking_methods! {
    impl WhenNotMatched {
        lazy fn insert_all(self) -> MergeIntoWriter;
        lazy fn insert<S: AsRef<str>, C: Into<Column>>(self, values: impl IntoIterator<Item = (S, C)>) -> MergeIntoWriter;
    }
}

blocking_methods! {
    impl WhenNotMatchedBySource {
        lazy fn update_all(self) -> MergeIntoWriter;
        lazy fn update<S: AsRef<str>, C: Into<Column>>(self, set: impl IntoIterator<Item = (S, C)>) -> MergeIntoWriter;
        lazy fn delete(self) -> MergeIntoWriter;
    }
}

blocking_methods! {
    impl Catalog {
        wait fn current_catalog(&self) -> String;
        wait fn set_current_catalog(&self, catalog_name: &str) -> ();
        wait fn list_catalogs(&self, pattern: Option<&str>) -> Vec<CatalogMetadata>;
        wait fn current_database(&self) -> String;
        wait fn set_current_database(&self, db_name: &str) -> ();
        wait fn list_databases(&self, pattern: Option<&str>) -> Vec<Database>;
        wait fn get_database(&self, db_name: &str) -> Database;
        wait fn database_exists(&self, db_name: &str) -> bool;
        wait fn create_database(&self, db_name: &str, if_not_exists: bool, properties: impl IntoIterator<Item = (String, String)>) -> ();
        wait fn drop_database(&self, db_name: &str, if_exists: bool, cascade: bool) -> ();
        wait fn list_tables(&self, db_name: Option<&str>, pattern: Option<&str>) -> Vec<Table>;
        wait fn list_views(&self, db_name: Option<&str>, pattern: Option<&str>) -> Vec<Table>;
        wait fn get_table(&self, table_name: &str) -> Table;
        wait fn table_exists(&self, table_name: &str, db_name: Option<&str>) -> bool;
        wait fn list_functions(&self, db_name: Option<&str>, pattern: Option<&str>) -> Vec<Function>;
        wait fn get_function(&self, function_name: &str) -> Function;
        wait fn function_exists(&self, function_name: &str, db_name: Option<&str>) -> bool;
        wait fn list_columns(&self, table_name: &str, db_name: Option<&str>) -> Vec<CatalogColumn>;
        wait fn list_partitions(&self, table_name: &str) -> Vec<TablePartition>;
        wait fn get_table_properties(&self, table_name: &str) -> BTreeMap<String, Option<String>>;
        wait fn get_create_table_string(&self, table_name: &str, as_serde: bool) -> String;
        wait fn truncate_table(&self, table_name: &str) -> ();
        wait fn analyze_table(&self, table_name: &str, no_scan: bool) -> ();
        wait fn drop_table(&self, table_name: &str, if_exists: bool, purge: bool) -> ();
        wait fn drop_view(&self, view_name: &str, if_exists: bool) -> ();
        wait fn create_table(&self, table_name: &str, options: CreateTableOptions) -> DataFrame;
        wait fn create_external_table(&self, table_name: &str, options: CreateTableOptions) -> DataFrame;
        wait fn drop_temp_view(&self, view_name: &str) -> bool;
        wait fn drop_global_temp_view(&self, view_name: &str) -> bool;
        wait fn recover_partitions(&self, table_name: &str) -> ();
        wait fn is_cached(&self, table_name: &str) -> bool;
        wait fn cache_table(&self, table_name: &str, storage_level: Option<StorageLevel>) -> ();
        wait fn uncache_table(&self, table_name: &str) -> ();
        wait fn clear_cache(&self) -> ();
        wait fn refresh_table(&self, table_name: &str) -> ();
        wait fn refresh_by_path(&self, path: &str) -> ();
    }
}

blocking_methods! {
    impl RuntimeConfig {
        wait fn set(&self, key: &str, value: impl ToString) -> ();
        wait fn get(&self, key: &str) -> Option<String>;
        wait fn get_or(&self, key: &str, default: &str) -> String;
        wait fn get_all(&self, prefix: &str) -> Vec<(String, Option<String>)>;
        wait fn unset(&self, key: &str) -> ();
        wait fn is_modifiable(&self, key: &str) -> bool;
    }
}

blocking_methods! {
    impl UdfRegistration {
        wait fn register_java_function(&self, name: &str, class_name: &str, return_type: Option<&str>) -> ();
        wait fn register_java_udaf(&self, name: &str, class_name: &str) -> ();
    }
}

blocking_methods! {
    impl DataStreamReader {
        lazy fn format(self, source: &str) -> DataStreamReader;
        lazy fn schema(self, schema: impl Into<ReadSchema>) -> DataStreamReader;
        lazy fn option(self, key: &str, value: impl ToString) -> DataStreamReader;
        lazy fn options<K: AsRef<str>, V: ToString>(self, options: impl IntoIterator<Item = (K, V)>) -> DataStreamReader;
        lazy fn name(self, source_name: &str) -> DataStreamReader;
        lazy fn load(self) -> DataFrame;
        lazy fn load_path(self, path: &str) -> DataFrame;
        lazy fn table(self, name: &str) -> DataFrame;
        lazy fn changes(self, name: &str) -> DataFrame;
        lazy fn csv(self, path: &str) -> DataFrame;
        lazy fn json(self, path: &str) -> DataFrame;
        lazy fn parquet(self, path: &str) -> DataFrame;
        lazy fn orc(self, path: &str) -> DataFrame;
        lazy fn xml(self, path: &str) -> DataFrame;
        lazy fn text(self, path: &str) -> DataFrame;
    }
}

blocking_methods! {
    impl DataStreamWriter {
        lazy fn format(self, source: &str) -> DataStreamWriter;
        lazy fn output_mode(self, mode: OutputMode) -> DataStreamWriter;
        lazy fn trigger(self, trigger: Trigger) -> DataStreamWriter;
        lazy fn option(self, key: &str, value: impl ToString) -> DataStreamWriter;
        lazy fn options<K: AsRef<str>, V: ToString>(self, options: impl IntoIterator<Item = (K, V)>) -> DataStreamWriter;
        lazy fn checkpoint_location(self, path: &str) -> DataStreamWriter;
        lazy fn partition_by(self, columns: impl IntoNames) -> DataStreamWriter;
        lazy fn cluster_by(self, columns: impl IntoNames) -> DataStreamWriter;
        lazy fn query_name(self, name: &str) -> DataStreamWriter;
        /// ```
        /// use databricks_connect::blocking::DatabricksSession;
        /// use databricks_connect::proto::command::CommandType;
        ///
        /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:1").create()?;
        /// let command = spark.read_stream().format("rate").load().write_stream().format("memory").to_proto()?;
        /// assert!(matches!(command.command_type, Some(CommandType::WriteStreamOperationStart(_))));
        /// # Ok::<(), databricks_connect::blocking::Error>(())
        /// ```
        lazy fn to_proto(&self) -> Result<proto::Command, Error>;
        wait fn start(self) -> StreamingQuery;
        wait fn start_path(self, path: &str) -> StreamingQuery;
        wait fn to_table(self, name: &str) -> StreamingQuery;
    }
}

blocking_methods! {
    impl StreamingQuery {
        lazy fn id(&self) -> &str;
        lazy fn run_id(&self) -> &str;
        lazy fn name(&self) -> Option<&str>;
        lazy fn session(&self) -> SparkSession;
        wait fn status(&self) -> StreamingQueryStatus;
        wait fn is_active(&self) -> bool;
        wait fn recent_progress(&self) -> Vec<serde_json::Value>;
        wait fn last_progress(&self) -> Option<serde_json::Value>;
        wait fn await_termination(&self, timeout: Option<std::time::Duration>) -> bool;
        wait fn process_all_available(&self) -> ();
        wait fn stop(&self) -> ();
        wait fn exception(&self) -> Option<StreamingQueryException>;
        wait fn explain(&self, extended: bool) -> String;
    }
}

blocking_methods! {
    impl StreamingQueryManager {
        wait fn active(&self) -> Vec<StreamingQuery>;
        wait fn get(&self, id: &str) -> Option<StreamingQuery>;
        wait fn await_any_termination(&self, timeout: Option<std::time::Duration>) -> bool;
        wait fn reset_terminated(&self) -> ();
        wait fn listen(&self) -> StreamingQueryEvents;
    }
}

/// The blocking [`StreamingQueryEvents`](crate::StreamingQueryEvents) of
/// [`StreamingQueryManager::listen`]: each event waited for as the iterator is advanced.
pub struct StreamingQueryEvents {
    events: crate::StreamingQueryEvents,
}

impl fmt::Debug for StreamingQueryEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.events, f)
    }
}

impl StreamingQueryEvents {
    /// `close` of the async [`StreamingQueryEvents`](crate::StreamingQueryEvents): stops
    /// listening, waiting for the events still on their way.
    ///
    /// ```no_run
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:15002").get_or_create()?;
    /// let events = spark.streams().listen()?;
    /// let ticks = spark.read_stream().format("rate").load();
    /// let query = ticks.write_stream().format("memory").query_name("ticks").start()?;
    /// query.stop()?;
    /// // The started and terminated events of the query, and any progress in between.
    /// for event in events.close()? {
    ///     println!("{event:?}");
    /// }
    /// # Ok::<(), databricks_connect::blocking::Error>(())
    /// ```
    pub fn close(self) -> Result<Vec<StreamingQueryEvent>, Error> {
        Ok(block_on(self.events.close())??)
    }

    /// Into the async [`StreamingQueryEvents`](crate::StreamingQueryEvents).
    ///
    /// ```no_run
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:15002").get_or_create()?;
    /// let events = spark.streams().listen()?.into_async();
    /// // Async methods run on the session's runtime.
    /// let rest = spark.block_on(events.close())??;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_async(self) -> crate::StreamingQueryEvents {
        self.events
    }
}

impl Iterator for StreamingQueryEvents {
    type Item = Result<StreamingQueryEvent, Error>;

    /// `next` of the async [`StreamingQueryEvents`](crate::StreamingQueryEvents), waiting for
    /// the next event.
    fn next(&mut self) -> Option<Self::Item> {
        match block_on(self.events.next()) {
            Ok(item) => item.map(|r| r.map_err(Error::from)),
            Err(e) => Some(Err(e)),
        }
    }
}

/// The batches of a result, each waited for as the iterator is advanced; the blocking
/// [`RecordBatchStream`](crate::RecordBatchStream).
pub struct RecordBatchIter {
    stream: crate::RecordBatchStream,
}

impl fmt::Debug for RecordBatchIter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.stream, f)
    }
}

impl RecordBatchIter {
    /// The Arrow schema of the result, once the server has sent it.
    ///
    /// ```no_run
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:15002").get_or_create()?;
    /// let mut batches = spark.sql("SELECT 1 AS one")?.stream()?;
    /// let first = batches.next();
    /// assert_eq!(batches.schema().unwrap().field(0).name(), "one");
    /// # Ok::<(), databricks_connect::blocking::Error>(())
    /// ```
    pub fn schema(&self) -> Option<arrow_schema::SchemaRef> {
        self.stream.schema()
    }

    /// The Spark schema of the result, once the server has sent it.
    ///
    /// ```no_run
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:15002").get_or_create()?;
    /// let mut batches = spark.sql("SELECT 1 AS one")?.stream()?;
    /// let first = batches.next();
    /// assert_eq!(batches.spark_schema().unwrap().fields[0].name, "one");
    /// # Ok::<(), databricks_connect::blocking::Error>(())
    /// ```
    pub fn spark_schema(&self) -> Option<&StructType> {
        self.stream.spark_schema()
    }

    /// Whether the batches were decoded from rows the server had already sent (a SQL
    /// command's), with no request of their own.
    ///
    /// ```no_run
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:15002").get_or_create()?;
    /// assert!(spark.sql("SHOW TABLES")?.stream()?.is_precomputed());
    /// assert!(!spark.range(0, 3).stream()?.is_precomputed());
    /// # Ok::<(), databricks_connect::blocking::Error>(())
    /// ```
    pub fn is_precomputed(&self) -> bool {
        self.stream.is_precomputed()
    }

    /// The number of rows received so far.
    ///
    /// ```no_run
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:15002").get_or_create()?;
    /// let mut batches = spark.range(0, 100).stream()?;
    /// for batch in &mut batches {
    ///     batch?;
    /// }
    /// assert_eq!(batches.rows_received(), 100);
    /// # Ok::<(), databricks_connect::blocking::Error>(())
    /// ```
    pub fn rows_received(&self) -> i64 {
        self.stream.rows_received()
    }

    /// How many Arrow payloads were decoded in place and how many were copied.
    ///
    /// ```no_run
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:15002").get_or_create()?;
    /// let mut batches = spark.range(0, 100).stream()?;
    /// for batch in &mut batches {
    ///     batch?;
    /// }
    /// let copies = batches.payload_copies();
    /// println!("{} of {} payloads copied", copies.copied_payloads, copies.payloads);
    /// # Ok::<(), databricks_connect::blocking::Error>(())
    /// ```
    pub fn payload_copies(&self) -> crate::PayloadCopies {
        self.stream.payload_copies()
    }

    /// The metrics of the plan's `observe` calls, once the result is complete.
    ///
    /// ```no_run
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:15002").get_or_create()?;
    /// use databricks_connect::functions::{count, lit};
    /// let df = spark.range(0, 10).observe("stats", count(lit(1)).alias("rows"));
    /// let mut batches = df.stream()?;
    /// for batch in &mut batches {
    ///     batch?;
    /// }
    /// for metrics in batches.observed_metrics()? {
    ///     println!("{}: {:?}", metrics.name, metrics.keys);
    /// }
    /// # Ok::<(), databricks_connect::blocking::Error>(())
    /// ```
    pub fn observed_metrics(&self) -> Result<Vec<crate::ObservedMetrics>, Error> {
        Ok(self.stream.observed_metrics()?)
    }

    /// The id of the operation on the server.
    ///
    /// ```no_run
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:15002").get_or_create()?;
    /// let batches = spark.sql("SELECT count(*) FROM range(100000000000)")?.stream()?;
    /// // From another thread, or later: stop the query on the server.
    /// spark.interrupt_operation(batches.operation_id())?;
    /// # Ok::<(), databricks_connect::blocking::Error>(())
    /// ```
    pub fn operation_id(&self) -> &str {
        self.stream.operation_id()
    }

    /// How many times the stream was reattached after a broken connection.
    ///
    /// ```no_run
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:15002").get_or_create()?;
    /// let mut batches = spark.range(0, 100).stream()?;
    /// for batch in &mut batches {
    ///     batch?;
    /// }
    /// println!("reattached {} times", batches.reattach_count());
    /// # Ok::<(), databricks_connect::blocking::Error>(())
    /// ```
    pub fn reattach_count(&self) -> u32 {
        self.stream.reattach_count()
    }

    /// The query's progress as the server reports it; [`crate::ProgressWatch::latest`] reads
    /// it without waiting.
    ///
    /// ```no_run
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:15002").get_or_create()?;
    /// let batches = spark.sql("SELECT count(*) FROM range(1000000000)")?.stream()?;
    /// let progress = batches.progress();
    /// if let Some(report) = progress.latest() {
    ///     println!("{} tasks running", report.inflight_tasks);
    /// }
    /// # Ok::<(), databricks_connect::blocking::Error>(())
    /// ```
    pub fn progress(&self) -> crate::ProgressWatch {
        self.stream.progress()
    }

    /// Waits for the remaining batches and returns them.
    ///
    /// ```no_run
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:15002").get_or_create()?;
    /// let mut batches = spark.range(0, 100).stream()?;
    /// let first = batches.next().transpose()?;
    /// let rest = batches.collect_all()?;
    /// # Ok::<(), databricks_connect::blocking::Error>(())
    /// ```
    pub fn collect_all(self) -> Result<Vec<RecordBatch>, Error> {
        Ok(block_on(self.stream.collect_all())??)
    }

    /// The async stream underneath.
    ///
    /// ```no_run
    /// use databricks_connect::blocking::DatabricksSession;
    ///
    /// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:15002").get_or_create()?;
    /// let stream = spark.range(0, 100).stream()?.into_async();
    /// // Async methods run on the session's runtime.
    /// let batches = spark.block_on(stream.collect_all())??;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_async(self) -> crate::RecordBatchStream {
        self.stream
    }
}

impl Iterator for RecordBatchIter {
    type Item = Result<RecordBatch, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match block_on(self.stream.next()) {
            Ok(item) => item.map(|r| r.map_err(Error::from)),
            Err(e) => Some(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn inside_an_async_runtime_is_an_error_not_a_panic() {
        let result = DatabricksSession::builder()
            .remote("sc://127.0.0.1:1")
            .get_or_create();
        assert!(
            matches!(result, Err(Error::InsideAsyncRuntime)),
            "{result:?}"
        );
        let message = result.unwrap_err().to_string();
        assert!(message.contains("inside an async runtime"), "{message}");
    }

    #[test]
    fn a_bad_connection_string_is_the_session_error() {
        let result = DatabricksSession::builder()
            .remote("http://nope")
            .get_or_create();
        assert!(matches!(result, Err(Error::Session(_))), "{result:?}");
    }
}
