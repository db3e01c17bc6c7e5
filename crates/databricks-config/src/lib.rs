//! databricks-config
