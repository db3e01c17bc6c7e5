//! Observed metrics: aggregates computed while a query runs (`DataFrame.observe` and
//! `Observation` in PySpark; the `CollectMetrics` relation).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use proto::expression::literal::LiteralType;
use proto::relation::RelType;
use spark_connect_transport::proto;

use crate::Error;
use crate::arguments::IntoColumns;
use crate::column::Column;
use crate::dataframe::DataFrame;

/// The metrics one `observe` reported for one run of a query: named values, in the order of
/// the expressions given to [`DataFrame::observe`].
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedMetrics {
    /// The name given to `observe` (or the [`Observation`]'s name).
    pub name: String,
    /// The plan id of the `observe` node in the query.
    pub plan_id: i64,
    /// The metric names: the expressions' aliases, or their SQL text when not aliased.
    pub keys: Vec<String>,
    /// The values, one per key, as the server's literals.
    pub values: Vec<proto::expression::Literal>,
}

impl ObservedMetrics {
    pub(crate) fn from_proto(
        m: proto::execute_plan_response::ObservedMetrics,
    ) -> Result<ObservedMetrics, Error> {
        if let Some(i) = m.root_error_idx {
            let message = m
                .errors
                .get(i as usize)
                .map(|e| format!("{}: {}", e.error_type_hierarchy.join(" < "), e.message))
                .unwrap_or_else(|| format!("error #{i} (not sent)"));
            return Err(Error::Protocol(format!(
                "the server could not compute the observed metrics '{}': {message}",
                m.name
            )));
        }
        let keys = if m.keys.is_empty() {
            // Servers before Spark 4.0 send no keys; PySpark names them so.
            (0..m.values.len())
                .map(|i| format!("observed_metric_{i}"))
                .collect()
        } else {
            m.keys
        };
        if keys.len() != m.values.len() {
            return Err(Error::Protocol(format!(
                "the observed metrics '{}' have {} keys but {} values",
                m.name,
                keys.len(),
                m.values.len()
            )));
        }
        Ok(ObservedMetrics {
            name: m.name,
            plan_id: m.plan_id,
            keys,
            values: m.values,
        })
    }

    /// The value of the metric `key`, `None` for SQL `NULL`; an error naming the key when
    /// there is no such metric.
    ///
    /// ```
    /// # use spark_connect_dataframe::ObservedMetrics;
    /// # use spark_connect_dataframe::proto::expression::{Literal as L, literal::LiteralType};
    /// # let lit = |t| L { literal_type: Some(t), data_type: None };
    /// # let metrics = ObservedMetrics { name: "stats".into(), plan_id: 1, keys: vec!["rows".into()], values: vec![lit(LiteralType::Long(10))] };
    /// // As the server reported `count(lit(1)).alias("rows")`:
    /// assert_eq!(metrics.get("rows")?, Some(&LiteralType::Long(10)));
    /// assert!(metrics.get("nope").unwrap_err().to_string().contains("'nope'"));
    /// # Ok::<(), spark_connect_dataframe::Error>(())
    /// ```
    pub fn get<'a>(&'a self, key: &str) -> Result<Option<&'a LiteralType>, Error> {
        let i = self.keys.iter().position(|k| k == key).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "the observed metrics '{}' have no metric '{key}' (they have: {})",
                self.name,
                self.keys.join(", ")
            ))
        })?;
        // The fields are public: a value missing for its key reads as NULL, never a panic.
        Ok(
            match self.values.get(i).and_then(|v| v.literal_type.as_ref()) {
                None | Some(LiteralType::Null(_)) => None,
                Some(v) => Some(v),
            },
        )
    }

    fn typed<'a, T>(
        &'a self,
        key: &str,
        expected: &str,
        f: impl FnOnce(&'a LiteralType) -> Option<T>,
    ) -> Result<Option<T>, Error> {
        match self.get(key)? {
            None => Ok(None),
            Some(v) => f(v).map(Some).ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "the observed metric '{key}' of '{}' is {v:?}, not {expected}",
                    self.name
                ))
            }),
        }
    }

    /// An integer metric (`tinyint` to `bigint`, as `count` and `sum` of integers give),
    /// `None` for `NULL`.
    ///
    /// ```
    /// # use spark_connect_dataframe::ObservedMetrics;
    /// # use spark_connect_dataframe::proto::expression::{Literal as L, literal::LiteralType};
    /// # let lit = |t| L { literal_type: Some(t), data_type: None };
    /// # let metrics = ObservedMetrics { name: "stats".into(), plan_id: 1, keys: vec!["rows".into(), "top".into()], values: vec![lit(LiteralType::Long(10)), lit(LiteralType::Integer(9))] };
    /// // `count(lit(1)).alias("rows")` is a bigint, `max(col("x")).alias("top")` an int:
    /// assert_eq!((metrics.get_i64("rows")?, metrics.get_i64("top")?), (Some(10), Some(9)));
    /// # Ok::<(), spark_connect_dataframe::Error>(())
    /// ```
    pub fn get_i64(&self, key: &str) -> Result<Option<i64>, Error> {
        self.typed(key, "an integer", |v| match v {
            LiteralType::Byte(x) | LiteralType::Short(x) | LiteralType::Integer(x) => {
                Some(i64::from(*x))
            }
            LiteralType::Long(x) => Some(*x),
            _ => None,
        })
    }

    /// A floating-point metric (`float` or `double`, as `avg` gives), `None` for `NULL`.
    ///
    /// ```
    /// # use spark_connect_dataframe::ObservedMetrics;
    /// # use spark_connect_dataframe::proto::expression::{Literal as L, literal::LiteralType};
    /// # let lit = |t| L { literal_type: Some(t), data_type: None };
    /// # let metrics = ObservedMetrics { name: "stats".into(), plan_id: 1, keys: vec!["mean".into()], values: vec![lit(LiteralType::Double(4.5))] };
    /// // As the server reported `avg(col("x")).alias("mean")`:
    /// assert_eq!(metrics.get_f64("mean")?, Some(4.5));
    /// # Ok::<(), spark_connect_dataframe::Error>(())
    /// ```
    pub fn get_f64(&self, key: &str) -> Result<Option<f64>, Error> {
        self.typed(key, "a float or double", |v| match v {
            LiteralType::Float(x) => Some(f64::from(*x)),
            LiteralType::Double(x) => Some(*x),
            _ => None,
        })
    }

    /// A string metric, `None` for `NULL`.
    ///
    /// ```
    /// # use spark_connect_dataframe::ObservedMetrics;
    /// # use spark_connect_dataframe::proto::expression::{Literal as L, literal::LiteralType};
    /// # let lit = |t| L { literal_type: Some(t), data_type: None };
    /// # let metrics = ObservedMetrics { name: "stats".into(), plan_id: 1, keys: vec!["first".into()], values: vec![lit(LiteralType::String("a".into()))] };
    /// // As the server reported `min(col("name")).alias("first")`:
    /// assert_eq!(metrics.get_string("first")?, Some("a"));
    /// # Ok::<(), spark_connect_dataframe::Error>(())
    /// ```
    pub fn get_string(&self, key: &str) -> Result<Option<&str>, Error> {
        self.typed(key, "a string", |v| match v {
            LiteralType::String(s) => Some(s.as_str()),
            _ => None,
        })
    }

    /// A boolean metric, `None` for `NULL`.
    ///
    /// ```
    /// # use spark_connect_dataframe::ObservedMetrics;
    /// # use spark_connect_dataframe::proto::expression::{Literal as L, literal::LiteralType};
    /// # let lit = |t| L { literal_type: Some(t), data_type: None };
    /// # let metrics = ObservedMetrics { name: "stats".into(), plan_id: 1, keys: vec!["all_ok".into()], values: vec![lit(LiteralType::Boolean(true))] };
    /// // As the server reported `bool_and(col("ok")).alias("all_ok")`:
    /// assert_eq!(metrics.get_bool("all_ok")?, Some(true));
    /// # Ok::<(), spark_connect_dataframe::Error>(())
    /// ```
    pub fn get_bool(&self, key: &str) -> Result<Option<bool>, Error> {
        self.typed(key, "a boolean", |v| match v {
            LiteralType::Boolean(b) => Some(*b),
            _ => None,
        })
    }
}

/// A handle on metrics observed while a query runs (PySpark's `Observation`): pass it to
/// [`DataFrame::observe`], run an action on the DataFrame returned (or one derived from it),
/// then read the metrics with [`get`](Self::get).
///
/// ```no_run
/// use spark_connect_dataframe::Observation;
/// use spark_connect_dataframe::functions::{col, count, lit, max};
///
/// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
/// let seen = Observation::new("input");
/// let df = spark
///     .range(0, 100)
///     .observe(&seen, [count(lit(1)).alias("rows"), max(col("id")).alias("top")]);
/// let kept = df.filter(col("id").lt(10)).count().await?;
/// let metrics = seen.get()?;
/// assert_eq!(metrics.get_i64("rows")?, Some(100));
/// # Ok(())
/// # }
/// ```
///
/// Clones share the metrics. Each action that runs the DataFrame replaces them with its own.
/// The server reports metrics by name: in a session, they go to the observation of that name
/// most recently given to `observe`.
#[derive(Clone, Debug)]
pub struct Observation {
    name: String,
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
enum State {
    /// Not given to `observe` yet.
    #[default]
    Unused,
    /// Given to `observe`, no result yet.
    Waiting,
    Done(ObservedMetrics),
    Failed(String),
}

impl Observation {
    /// An observation named `name` (unique within the session: the server reports metrics by
    /// name).
    ///
    /// ```
    /// use spark_connect_dataframe::Observation;
    /// let seen = Observation::new("input");
    /// assert_eq!(seen.name(), "input");
    /// assert!(seen.get().is_err()); // not given to `observe` yet
    /// ```
    pub fn new(name: impl Into<String>) -> Observation {
        Observation {
            name: name.into(),
            state: Arc::default(),
        }
    }

    /// An observation with a generated name, unique in this process.
    ///
    /// ```
    /// use spark_connect_dataframe::Observation;
    /// let (a, b) = (Observation::unnamed(), Observation::unnamed());
    /// assert_ne!(a.name(), b.name());
    /// ```
    pub fn unnamed() -> Observation {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        Observation::new(format!(
            "observation_{}_{nanos}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ))
    }

    /// The name the metrics are reported under.
    ///
    /// ```
    /// use spark_connect_dataframe::Observation;
    /// assert_eq!(Observation::new("input").name(), "input");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The metrics of the latest action that ran a DataFrame observed by this observation.
    ///
    /// An error when the observation was never given to [`DataFrame::observe`], when no
    /// action has completed since, or when the server could not compute the metrics.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::functions::{count, lit};
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// use spark_connect_dataframe::Observation;
    /// let seen = Observation::new("input");
    /// let df = spark.range(0, 100).observe(&seen, [count(lit(1)).alias("rows")]);
    /// df.collect().await?; // any action that runs `df`
    /// assert_eq!(seen.get()?.get_i64("rows")?, Some(100));
    /// # Ok(())
    /// # }
    /// ```
    pub fn get(&self) -> Result<ObservedMetrics, Error> {
        match &*lock(&self.state) {
            State::Unused => Err(Error::InvalidArgument(format!(
                "observation '{}' was not given to DataFrame::observe, so it has no metrics",
                self.name
            ))),
            State::Waiting => Err(Error::InvalidArgument(format!(
                "observation '{}' has no metrics yet: run an action (collect, count, show, a \
                 fully read stream) on the observed DataFrame first",
                self.name
            ))),
            State::Done(m) => Ok(m.clone()),
            State::Failed(e) => Err(Error::Protocol(e.clone())),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The observations of a session, by name, so that a result stream can deliver the metrics
/// it receives.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    by_name: Mutex<HashMap<String, Weak<Mutex<State>>>>,
}

impl Registry {
    fn register(&self, observation: &Observation) {
        let mut by_name = lock(&self.by_name);
        by_name.retain(|_, w| w.strong_count() > 0);
        by_name.insert(observation.name.clone(), Arc::downgrade(&observation.state));
        let mut state = lock(&observation.state);
        if matches!(*state, State::Unused) {
            *state = State::Waiting;
        }
    }

    /// Delivers metrics received for the observation of that name, if there is one.
    pub(crate) fn deliver(&self, metrics: &proto::execute_plan_response::ObservedMetrics) {
        let target = lock(&self.by_name)
            .get(&metrics.name)
            .and_then(Weak::upgrade);
        if let Some(target) = target {
            *lock(&target) = match ObservedMetrics::from_proto(metrics.clone()) {
                Ok(m) => State::Done(m),
                Err(e) => State::Failed(e.to_string()),
            };
        }
    }
}

/// The observed metrics a result stream received, and the session's observations to deliver
/// them to.
#[derive(Default)]
pub(crate) struct Received {
    pub(crate) registry: Option<Arc<Registry>>,
    metrics: Vec<proto::execute_plan_response::ObservedMetrics>,
}

impl Received {
    pub(crate) fn receive(&mut self, metrics: &[proto::execute_plan_response::ObservedMetrics]) {
        for m in metrics {
            if let Some(registry) = &self.registry {
                registry.deliver(m);
            }
            self.metrics.push(m.clone());
        }
    }

    pub(crate) fn decoded(&self) -> Result<Vec<ObservedMetrics>, Error> {
        self.metrics
            .iter()
            .cloned()
            .map(ObservedMetrics::from_proto)
            .collect()
    }
}

/// What [`DataFrame::observe`] reports to: a name, or an [`Observation`].
pub trait IntoObservation {
    /// The name of the metrics, and the observation to deliver them to, if any.
    fn into_observation(self) -> (String, Option<Observation>);
}

impl IntoObservation for &Observation {
    fn into_observation(self) -> (String, Option<Observation>) {
        (self.name.clone(), Some(self.clone()))
    }
}

impl IntoObservation for Observation {
    fn into_observation(self) -> (String, Option<Observation>) {
        (self.name.clone(), Some(self))
    }
}

impl IntoObservation for &str {
    fn into_observation(self) -> (String, Option<Observation>) {
        (self.to_string(), None)
    }
}

impl IntoObservation for String {
    fn into_observation(self) -> (String, Option<Observation>) {
        (self, None)
    }
}

impl DataFrame {
    /// The same rows, with aggregate `metrics` (such as `count(lit(1))`, `max(col("x"))`,
    /// aliased to name them) computed over them while an action runs (PySpark's `observe`).
    ///
    /// With an [`Observation`], read the metrics with [`Observation::get`] after the action;
    /// with a plain name, they are in the result stream's
    /// [`observed_metrics`](crate::RecordBatchStream::observed_metrics) once it is fully read.
    /// Metrics arrive with query results (`collect`, `count`, `show`, streams), not with
    /// commands such as writes.
    ///
    /// The name must not be empty, and every metric must be an aggregate (plain columns only
    /// inside aggregates); there must be at least one. Otherwise the action is the server's
    /// error (PySpark refuses an empty name or list before sending).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{col, count, lit, max};
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::Observation;
    /// let seen = Observation::new("input");
    /// let df = spark.range(0, 100).observe(&seen, [count(lit(1)).alias("rows"), max(col("id")).alias("top")]);
    /// let Some(RelType::CollectMetrics(m)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!((m.name.as_str(), m.metrics.len()), ("input", 2));
    /// # Ok(())
    /// # }
    /// ```
    pub fn observe(
        &self,
        observation: impl IntoObservation,
        metrics: impl IntoColumns,
    ) -> DataFrame {
        let (name, observation) = observation.into_observation();
        if let Some(observation) = &observation {
            self.session().observations().register(observation);
        }
        let metrics = metrics
            .into_columns()
            .into_iter()
            .map(Column::into_proto)
            .collect();
        self.derive(|input| {
            RelType::CollectMetrics(Box::new(proto::CollectMetrics {
                input,
                name,
                metrics,
            }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long(v: i64) -> proto::expression::Literal {
        proto::expression::Literal {
            literal_type: Some(LiteralType::Long(v)),
            ..Default::default()
        }
    }

    fn metrics(
        keys: &[&str],
        values: Vec<proto::expression::Literal>,
    ) -> proto::execute_plan_response::ObservedMetrics {
        proto::execute_plan_response::ObservedMetrics {
            name: "m".into(),
            values,
            keys: keys.iter().map(|k| k.to_string()).collect(),
            plan_id: 3,
            root_error_idx: None,
            errors: Vec::new(),
        }
    }

    #[test]
    fn registered_observations_receive_their_metrics() {
        let registry = Registry::default();
        let o = Observation::new("m");
        assert!(
            o.get()
                .unwrap_err()
                .to_string()
                .contains("not given to DataFrame::observe")
        );
        registry.register(&o);
        assert!(o.get().unwrap_err().to_string().contains("no metrics yet"));
        registry.deliver(&metrics(&["rows"], vec![long(7)]));
        let got = o.get().unwrap();
        assert_eq!(got.get_i64("rows").unwrap(), Some(7));
        assert_eq!(got.plan_id, 3);
        let err = got.get_i64("nope").unwrap_err().to_string();
        assert!(
            err.contains("no metric 'nope'") && err.contains("rows"),
            "{err}"
        );
        let err = got.get_string("rows").unwrap_err().to_string();
        assert!(err.contains("not a string"), "{err}");
    }

    #[test]
    fn mismatched_keys_and_errors_are_reported() {
        let err = ObservedMetrics::from_proto(metrics(&["a", "b"], vec![long(1)])).unwrap_err();
        assert!(err.to_string().contains("2 keys but 1 values"), "{err}");
        let mut failed = metrics(&[], Vec::new());
        failed.root_error_idx = Some(0);
        let err = ObservedMetrics::from_proto(failed).unwrap_err();
        assert!(
            err.to_string()
                .contains("could not compute the observed metrics 'm'"),
            "{err}"
        );
        let unnamed = ObservedMetrics::from_proto(metrics(&[], vec![long(1)])).unwrap();
        assert_eq!(unnamed.keys, ["observed_metric_0"]);
    }

    #[test]
    fn unnamed_observations_get_distinct_names() {
        assert_ne!(Observation::unnamed().name(), Observation::unnamed().name());
    }
}
