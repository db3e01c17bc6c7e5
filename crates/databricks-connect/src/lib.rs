//! databricks-connect
