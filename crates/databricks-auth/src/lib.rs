//! databricks-auth
