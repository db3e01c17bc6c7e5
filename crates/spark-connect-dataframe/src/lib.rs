//! spark-connect-dataframe
