//! Caching and checkpoints of [`DataFrame`]s, and [`StorageLevel`].

use proto::relation::RelType;
use spark_connect_transport::{proto, unexpected};

use crate::Error;
use crate::dataframe::DataFrame;
use crate::session::command_plan;

/// Where cached data is kept, as Spark's `StorageLevel` (also `types::StorageLevel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StorageLevel {
    /// Spill to disk.
    pub use_disk: bool,
    /// Keep in memory.
    pub use_memory: bool,
    /// Keep in off-heap memory.
    pub use_off_heap: bool,
    /// Keep as deserialized objects (faster, larger).
    pub deserialized: bool,
    /// How many copies.
    pub replication: i32,
}

impl StorageLevel {
    const fn new(
        disk: bool,
        memory: bool,
        off_heap: bool,
        deserialized: bool,
        replication: i32,
    ) -> Self {
        StorageLevel {
            use_disk: disk,
            use_memory: memory,
            use_off_heap: off_heap,
            deserialized,
            replication,
        }
    }
    /// Not cached.
    pub const NONE: StorageLevel = StorageLevel::new(false, false, false, false, 1);
    /// On disk only.
    pub const DISK_ONLY: StorageLevel = StorageLevel::new(true, false, false, false, 1);
    /// On disk, two copies.
    pub const DISK_ONLY_2: StorageLevel = StorageLevel::new(true, false, false, false, 2);
    /// In memory, serialized.
    pub const MEMORY_ONLY: StorageLevel = StorageLevel::new(false, true, false, false, 1);
    /// In memory, serialized, two copies.
    pub const MEMORY_ONLY_2: StorageLevel = StorageLevel::new(false, true, false, false, 2);
    /// In memory, spilling to disk.
    pub const MEMORY_AND_DISK: StorageLevel = StorageLevel::new(true, true, false, false, 1);
    /// In memory, spilling to disk, two copies.
    pub const MEMORY_AND_DISK_2: StorageLevel = StorageLevel::new(true, true, false, false, 2);
    /// In memory as objects, spilling to disk: what [`DataFrame::cache`] uses.
    pub const MEMORY_AND_DISK_DESER: StorageLevel = StorageLevel::new(true, true, false, true, 1);
    /// Off-heap memory, spilling to disk.
    pub const OFF_HEAP: StorageLevel = StorageLevel::new(true, true, true, false, 1);

    pub(crate) fn to_proto(self) -> proto::StorageLevel {
        proto::StorageLevel {
            use_disk: self.use_disk,
            use_memory: self.use_memory,
            use_off_heap: self.use_off_heap,
            deserialized: self.deserialized,
            replication: self.replication,
        }
    }

    fn from_proto(p: &proto::StorageLevel) -> StorageLevel {
        StorageLevel::new(
            p.use_disk,
            p.use_memory,
            p.use_off_heap,
            p.deserialized,
            p.replication,
        )
    }
}

impl DataFrame {
    /// Caches the result in memory and on disk when it is first computed, as PySpark's
    /// `cache()` (`MEMORY_AND_DISK_DESER`).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::functions::col;
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let df = spark.range(0, 1_000_000).filter((col("id") % 7).eq(0));
    /// df.cache().await?;
    /// assert!(df.is_cached().await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn cache(&self) -> Result<(), Error> {
        self.persist(StorageLevel::MEMORY_AND_DISK_DESER).await
    }

    /// Caches the result at this storage level when it is first computed.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// use spark_connect_dataframe::StorageLevel;
    /// let df = spark.range(0, 1_000_000);
    /// df.persist(StorageLevel::DISK_ONLY).await?;
    /// assert_eq!(df.storage_level().await?, StorageLevel::DISK_ONLY);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn persist(&self, level: StorageLevel) -> Result<(), Error> {
        let result = self
            .session()
            .analyze(proto::analyze_plan_request::Analyze::Persist(
                proto::analyze_plan_request::Persist {
                    relation: Some(self.plan_with_subqueries()?),
                    storage_level: Some(level.to_proto()),
                },
            ))
            .await?;
        match result {
            proto::analyze_plan_response::Result::Persist(_) => Ok(()),
            other => Err(unexpected("Persist", &other).into()),
        }
    }

    /// Drops the cached result, waiting until it is gone when `blocking`.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let df = spark.range(0, 1_000_000);
    /// df.cache().await?;
    /// df.unpersist(true).await?;
    /// assert!(!df.is_cached().await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn unpersist(&self, blocking: bool) -> Result<(), Error> {
        let result = self
            .session()
            .analyze(proto::analyze_plan_request::Analyze::Unpersist(
                proto::analyze_plan_request::Unpersist {
                    relation: Some(self.plan_with_subqueries()?),
                    blocking: Some(blocking),
                },
            ))
            .await?;
        match result {
            proto::analyze_plan_response::Result::Unpersist(_) => Ok(()),
            other => Err(unexpected("Unpersist", &other).into()),
        }
    }

    /// The storage level of the cached result ([`StorageLevel::NONE`] when not cached).
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// use spark_connect_dataframe::StorageLevel;
    /// let df = spark.range(0, 10);
    /// assert_eq!(df.storage_level().await?, StorageLevel::NONE);
    /// df.cache().await?;
    /// assert_eq!(df.storage_level().await?, StorageLevel::MEMORY_AND_DISK_DESER);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn storage_level(&self) -> Result<StorageLevel, Error> {
        let result = self
            .session()
            .analyze(proto::analyze_plan_request::Analyze::GetStorageLevel(
                proto::analyze_plan_request::GetStorageLevel {
                    relation: Some(self.plan_with_subqueries()?),
                },
            ))
            .await?;
        match result {
            proto::analyze_plan_response::Result::GetStorageLevel(s) => Ok(s
                .storage_level
                .as_ref()
                .map(StorageLevel::from_proto)
                .unwrap_or(StorageLevel::NONE)),
            other => Err(unexpected("GetStorageLevel", &other).into()),
        }
    }

    /// Whether the result is cached.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let df = spark.range(0, 10);
    /// assert!(!df.is_cached().await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn is_cached(&self) -> Result<bool, Error> {
        Ok(self.storage_level().await? != StorageLevel::NONE)
    }

    async fn checkpoint_impl(
        &self,
        local: bool,
        eager: bool,
        storage_level: Option<StorageLevel>,
    ) -> Result<DataFrame, Error> {
        let command = proto::Command {
            command_type: Some(proto::command::CommandType::CheckpointCommand(
                proto::CheckpointCommand {
                    relation: Some(self.plan_with_subqueries()?),
                    local,
                    eager,
                    storage_level: storage_level.map(StorageLevel::to_proto),
                },
            )),
        };
        let mut stream = self
            .session()
            .client()
            .execute_plan(command_plan(command))
            .await?;
        let mut cached = None;
        while let Some(response) = stream.next_response().await {
            if let Some(proto::execute_plan_response::ResponseType::CheckpointCommandResult(r)) =
                response?.response_type
            {
                cached = r.relation;
            }
        }
        let cached = cached.ok_or_else(|| {
            Error::Protocol("the checkpoint command returned no CheckpointCommandResult".into())
        })?;
        Ok(self
            .session()
            .dataframe(RelType::CachedRemoteRelation(cached)))
    }

    /// The result saved to the checkpoint directory (`spark.checkpoint.dir`) with its plan
    /// truncated; `eager` computes it now. The server keeps it for the session.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::functions::col;
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let df = spark.range(0, 100).with_column("twice", col("id") * 2);
    /// let saved = df.checkpoint(true).await?; // a short plan that reads the saved result
    /// assert_eq!(saved.count().await?, 100);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn checkpoint(&self, eager: bool) -> Result<DataFrame, Error> {
        self.checkpoint_impl(false, eager, None).await
    }

    /// The result kept by the executors (faster, not fault-tolerant) with its plan
    /// truncated; `eager` computes it now.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::functions::col;
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let df = spark.range(0, 100).with_column("twice", col("id") * 2);
    /// let kept = df.local_checkpoint(true, None).await?;
    /// assert_eq!(kept.count().await?, 100);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn local_checkpoint(
        &self,
        eager: bool,
        storage_level: Option<StorageLevel>,
    ) -> Result<DataFrame, Error> {
        self.checkpoint_impl(true, eager, storage_level).await
    }
}
