//! spark-connect-transport
