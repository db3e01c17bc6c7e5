//! Date, time and timestamp functions.
//!
//! Generated from the table below by `spark_functions!`; see [`registry`](super::registry).

spark_functions! {
    family: DateTime;
    /// The date `months` months later. Spark SQL [`add_months`](https://spark.apache.org/docs/latest/api/sql/#add_months).
    add_months(start: Col, months: Col);
    /// Spark SQL [`convert_timezone`](https://spark.apache.org/docs/latest/api/sql/#convert_timezone).
    convert_timezone(source_tz: Val, target_tz: Col, source_ts: Col);
    /// Spark SQL [`curdate`](https://spark.apache.org/docs/latest/api/sql/#curdate).
    curdate();
    /// The current date. Spark SQL [`current_date`](https://spark.apache.org/docs/latest/api/sql/#current_date).
    current_date();
    /// Spark SQL [`current_time`](https://spark.apache.org/docs/latest/api/sql/#current_time). With PySpark's optional arguments: [`current_time_with`].
    current_time(), current_time_with(precision: Val);
    /// The current timestamp. Spark SQL [`current_timestamp`](https://spark.apache.org/docs/latest/api/sql/#current_timestamp).
    current_timestamp();
    /// Spark SQL [`current_timezone`](https://spark.apache.org/docs/latest/api/sql/#current_timezone).
    current_timezone();
    /// The date `days` days later. Spark SQL [`date_add`](https://spark.apache.org/docs/latest/api/sql/#date_add).
    date_add(start: Col, days: Col);
    /// Spark SQL [`date_diff`](https://spark.apache.org/docs/latest/api/sql/#date_diff).
    date_diff(end: Col, start: Col);
    /// Formats a date or timestamp with a datetime pattern. Spark SQL [`date_format`](https://spark.apache.org/docs/latest/api/sql/#date_format).
    date_format(date: Col, format: Val);
    /// Spark SQL [`date_from_unix_date`](https://spark.apache.org/docs/latest/api/sql/#date_from_unix_date).
    date_from_unix_date(days: Col);
    /// Spark SQL [`date_part`](https://spark.apache.org/docs/latest/api/sql/#date_part).
    date_part(field: Col, source: Col);
    /// The date `days` days earlier. Spark SQL [`date_sub`](https://spark.apache.org/docs/latest/api/sql/#date_sub).
    date_sub(start: Col, days: Col);
    /// Truncates a timestamp to the unit `format` (`year`, `month`, `day`, `hour`, ...). Spark SQL [`date_trunc`](https://spark.apache.org/docs/latest/api/sql/#date_trunc).
    date_trunc(format: Val, timestamp: Col);
    /// Spark SQL [`dateadd`](https://spark.apache.org/docs/latest/api/sql/#dateadd).
    dateadd(start: Col, days: Col);
    /// The number of days from `start` to `end`. Spark SQL [`datediff`](https://spark.apache.org/docs/latest/api/sql/#datediff).
    datediff(end: Col, start: Col);
    /// Spark SQL [`datepart`](https://spark.apache.org/docs/latest/api/sql/#datepart).
    datepart(field: Col, source: Col);
    /// Spark SQL [`day`](https://spark.apache.org/docs/latest/api/sql/#day).
    day(col: Col);
    /// Spark SQL [`dayname`](https://spark.apache.org/docs/latest/api/sql/#dayname).
    dayname(col: Col);
    /// The day of the month. Spark SQL [`dayofmonth`](https://spark.apache.org/docs/latest/api/sql/#dayofmonth).
    dayofmonth(col: Col);
    /// Spark SQL [`dayofweek`](https://spark.apache.org/docs/latest/api/sql/#dayofweek).
    dayofweek(col: Col);
    /// Spark SQL [`dayofyear`](https://spark.apache.org/docs/latest/api/sql/#dayofyear).
    dayofyear(col: Col);
    /// Spark SQL [`extract`](https://spark.apache.org/docs/latest/api/sql/#extract).
    extract(field: Col, source: Col);
    /// Spark SQL [`from_unixtime`](https://spark.apache.org/docs/latest/api/sql/#from_unixtime). With PySpark's optional arguments: [`from_unixtime_with`]. Sends PySpark's default `format = "yyyy-MM-dd HH:mm:ss"`, as PySpark does.
    from_unixtime(timestamp: Col), from_unixtime_with(format: Val = "yyyy-MM-dd HH:mm:ss");
    /// Spark SQL [`from_utc_timestamp`](https://spark.apache.org/docs/latest/api/sql/#from_utc_timestamp).
    from_utc_timestamp(timestamp: Col, tz: Val);
    /// The hour. Spark SQL [`hour`](https://spark.apache.org/docs/latest/api/sql/#hour).
    hour(col: Col);
    /// The last day of the month. Spark SQL [`last_day`](https://spark.apache.org/docs/latest/api/sql/#last_day).
    last_day(date: Col);
    /// Spark SQL [`localtimestamp`](https://spark.apache.org/docs/latest/api/sql/#localtimestamp).
    localtimestamp();
    /// Spark SQL [`make_date`](https://spark.apache.org/docs/latest/api/sql/#make_date).
    make_date(year: Col, month: Col, day: Col);
    /// Spark SQL [`make_time`](https://spark.apache.org/docs/latest/api/sql/#make_time).
    make_time(hour: Col, minute: Col, second: Col);
    /// A day-time interval from days, hours, minutes and seconds. Spark SQL [`make_dt_interval`](https://spark.apache.org/docs/latest/api/sql/#make_dt_interval). Every argument is optional in PySpark, which sends 0 for those not given: pass `0` for them.
    make_dt_interval(days: Col, hours: Col, mins: Col, secs: Col);
    /// A calendar interval from years, months, weeks, days, hours, minutes and seconds. Spark SQL [`make_interval`](https://spark.apache.org/docs/latest/api/sql/#make_interval). Every argument is optional in PySpark, which sends 0 for those not given: pass `0` for them.
    make_interval(years: Col, months: Col, weeks: Col, days: Col, hours: Col, mins: Col, secs: Col);
    /// A timestamp (`timestamp`) from its fields, in the session time zone. Spark SQL [`make_timestamp`](https://spark.apache.org/docs/latest/api/sql/#make_timestamp). With PySpark's optional arguments: [`make_timestamp_with`] (a time zone); PySpark's `make_timestamp(date=, time=)` is [`make_timestamp_from_date_time`].
    make_timestamp(years: Col, months: Col, days: Col, hours: Col, mins: Col, secs: Col), make_timestamp_with(timezone: Col);
    /// Spark SQL [`make_timestamp_ltz`](https://spark.apache.org/docs/latest/api/sql/#make_timestamp_ltz). With PySpark's optional arguments: [`make_timestamp_ltz_with`].
    make_timestamp_ltz(years: Col, months: Col, days: Col, hours: Col, mins: Col, secs: Col), make_timestamp_ltz_with(timezone: Col);
    /// A timestamp without time zone (`timestamp_ntz`) from its fields. Spark SQL [`make_timestamp_ntz`](https://spark.apache.org/docs/latest/api/sql/#make_timestamp_ntz). PySpark's `make_timestamp_ntz(date=, time=)` is [`make_timestamp_ntz_from_date_time`].
    make_timestamp_ntz(years: Col, months: Col, days: Col, hours: Col, mins: Col, secs: Col);
    /// A year-month interval from years and months. Spark SQL [`make_ym_interval`](https://spark.apache.org/docs/latest/api/sql/#make_ym_interval). Both arguments are optional in PySpark, which sends 0 for those not given: pass `0` for them.
    make_ym_interval(years: Col, months: Col);
    /// The minute. Spark SQL [`minute`](https://spark.apache.org/docs/latest/api/sql/#minute).
    minute(col: Col);
    /// The month (1 to 12). Spark SQL [`month`](https://spark.apache.org/docs/latest/api/sql/#month).
    month(col: Col);
    /// Spark SQL [`monthname`](https://spark.apache.org/docs/latest/api/sql/#monthname).
    monthname(col: Col);
    /// Spark SQL [`months_between`](https://spark.apache.org/docs/latest/api/sql/#months_between). With PySpark's optional arguments: [`months_between_with`]. Sends PySpark's default `round_off = true`, as PySpark does.
    months_between(date1: Col, date2: Col), months_between_with(round_off: Val = true);
    /// Spark SQL [`next_day`](https://spark.apache.org/docs/latest/api/sql/#next_day).
    next_day(date: Col, day_of_week: Val);
    /// Spark SQL [`now`](https://spark.apache.org/docs/latest/api/sql/#now).
    now();
    /// Spark SQL [`quarter`](https://spark.apache.org/docs/latest/api/sql/#quarter).
    quarter(col: Col);
    /// The second. Spark SQL [`second`](https://spark.apache.org/docs/latest/api/sql/#second).
    second(col: Col);
    /// Spark SQL [`session_window`](https://spark.apache.org/docs/latest/api/sql/#session_window).
    session_window(time_column: Col, gap_duration: Val);
    /// Spark SQL [`time_bucket`](https://spark.apache.org/docs/latest/api/sql/#time_bucket). With PySpark's optional arguments: [`time_bucket_with`].
    time_bucket(bucket_size: Col, ts: Col), time_bucket_with(origin: Col);
    /// Spark SQL [`time_diff`](https://spark.apache.org/docs/latest/api/sql/#time_diff).
    time_diff(unit: Col, start: Col, end: Col);
    /// Spark SQL [`time_from_micros`](https://spark.apache.org/docs/latest/api/sql/#time_from_micros).
    time_from_micros(col: Col);
    /// Spark SQL [`time_from_millis`](https://spark.apache.org/docs/latest/api/sql/#time_from_millis).
    time_from_millis(col: Col);
    /// Spark SQL [`time_from_seconds`](https://spark.apache.org/docs/latest/api/sql/#time_from_seconds).
    time_from_seconds(col: Col);
    /// Spark SQL [`time_to_micros`](https://spark.apache.org/docs/latest/api/sql/#time_to_micros).
    time_to_micros(col: Col);
    /// Spark SQL [`time_to_millis`](https://spark.apache.org/docs/latest/api/sql/#time_to_millis).
    time_to_millis(col: Col);
    /// Spark SQL [`time_to_seconds`](https://spark.apache.org/docs/latest/api/sql/#time_to_seconds).
    time_to_seconds(col: Col);
    /// Spark SQL [`time_trunc`](https://spark.apache.org/docs/latest/api/sql/#time_trunc).
    time_trunc(unit: Col, time: Col);
    /// Adds `quantity` units to the timestamp `ts`; `unit` is `YEAR`, `QUARTER`, `MONTH`, `WEEK`, `DAY`, `HOUR`, `MINUTE`, `SECOND`, `MILLISECOND` or `MICROSECOND`. Spark SQL [`timestampadd`](https://spark.apache.org/docs/latest/api/sql/#timestampadd).
    timestamp_add(unit: Val, quantity: Col, ts: Col) => "timestampadd";
    /// The number of whole `unit`s (as for [`timestamp_add`]) from `start` to `end`. Spark SQL [`timestampdiff`](https://spark.apache.org/docs/latest/api/sql/#timestampdiff).
    timestamp_diff(unit: Val, start: Col, end: Col) => "timestampdiff";
    /// Spark SQL [`timestamp_micros`](https://spark.apache.org/docs/latest/api/sql/#timestamp_micros).
    timestamp_micros(col: Col);
    /// Spark SQL [`timestamp_millis`](https://spark.apache.org/docs/latest/api/sql/#timestamp_millis).
    timestamp_millis(col: Col);
    /// Spark SQL [`timestamp_seconds`](https://spark.apache.org/docs/latest/api/sql/#timestamp_seconds).
    timestamp_seconds(col: Col);
    /// Converts to a date. Spark SQL [`to_date`](https://spark.apache.org/docs/latest/api/sql/#to_date). With PySpark's optional arguments: [`to_date_with`].
    to_date(col: Col), to_date_with(format: Val);
    /// Spark SQL [`to_time`](https://spark.apache.org/docs/latest/api/sql/#to_time). With PySpark's optional arguments: [`to_time_with`].
    to_time(text: Col), to_time_with(format: Col);
    /// Converts to a timestamp. Spark SQL [`to_timestamp`](https://spark.apache.org/docs/latest/api/sql/#to_timestamp). With PySpark's optional arguments: [`to_timestamp_with`].
    to_timestamp(col: Col), to_timestamp_with(format: Val);
    /// Spark SQL [`to_timestamp_ltz`](https://spark.apache.org/docs/latest/api/sql/#to_timestamp_ltz). With PySpark's optional arguments: [`to_timestamp_ltz_with`].
    to_timestamp_ltz(timestamp: Col), to_timestamp_ltz_with(format: Col);
    /// Spark SQL [`to_timestamp_ntz`](https://spark.apache.org/docs/latest/api/sql/#to_timestamp_ntz). With PySpark's optional arguments: [`to_timestamp_ntz_with`].
    to_timestamp_ntz(timestamp: Col), to_timestamp_ntz_with(format: Col);
    /// The current time as seconds since the epoch, PySpark's `unix_timestamp()`. Spark SQL [`unix_timestamp`](https://spark.apache.org/docs/latest/api/sql/#unix_timestamp). PySpark's `unix_timestamp(timestamp, format='yyyy-MM-dd HH:mm:ss')` is [`unix_timestamp_with`], which takes both (PySpark sends its default format; [`to_unix_timestamp`] takes a timestamp alone).
    unix_timestamp(), unix_timestamp_with(timestamp: Col, format: Val);
    /// Spark SQL [`to_unix_timestamp`](https://spark.apache.org/docs/latest/api/sql/#to_unix_timestamp). With PySpark's optional arguments: [`to_unix_timestamp_with`].
    to_unix_timestamp(timestamp: Col), to_unix_timestamp_with(format: Col);
    /// Spark SQL [`to_utc_timestamp`](https://spark.apache.org/docs/latest/api/sql/#to_utc_timestamp).
    to_utc_timestamp(timestamp: Col, tz: Val);
    /// Truncates a date to the unit `format`. Spark SQL [`trunc`](https://spark.apache.org/docs/latest/api/sql/#trunc).
    trunc(date: Col, format: Val);
    /// [`make_interval`], null instead of an error on overflow. Spark SQL [`try_make_interval`](https://spark.apache.org/docs/latest/api/sql/#try_make_interval). Every argument is optional in PySpark, which sends 0 for those not given: pass `0` for them.
    try_make_interval(years: Col, months: Col, weeks: Col, days: Col, hours: Col, mins: Col, secs: Col);
    /// [`make_timestamp`], null instead of an error for invalid fields. Spark SQL [`try_make_timestamp`](https://spark.apache.org/docs/latest/api/sql/#try_make_timestamp). With PySpark's optional arguments: [`try_make_timestamp_with`] (a time zone); PySpark's `try_make_timestamp(date=, time=)` is [`try_make_timestamp_from_date_time`].
    try_make_timestamp(years: Col, months: Col, days: Col, hours: Col, mins: Col, secs: Col), try_make_timestamp_with(timezone: Col);
    /// Spark SQL [`try_make_timestamp_ltz`](https://spark.apache.org/docs/latest/api/sql/#try_make_timestamp_ltz). With PySpark's optional arguments: [`try_make_timestamp_ltz_with`].
    try_make_timestamp_ltz(years: Col, months: Col, days: Col, hours: Col, mins: Col, secs: Col), try_make_timestamp_ltz_with(timezone: Col);
    /// [`make_timestamp_ntz`], null instead of an error for invalid fields. Spark SQL [`try_make_timestamp_ntz`](https://spark.apache.org/docs/latest/api/sql/#try_make_timestamp_ntz). PySpark's `try_make_timestamp_ntz(date=, time=)` is [`try_make_timestamp_ntz_from_date_time`].
    try_make_timestamp_ntz(years: Col, months: Col, days: Col, hours: Col, mins: Col, secs: Col);
    /// Spark SQL [`try_to_date`](https://spark.apache.org/docs/latest/api/sql/#try_to_date). With PySpark's optional arguments: [`try_to_date_with`].
    try_to_date(col: Col), try_to_date_with(format: Val);
    /// Spark SQL [`try_to_time`](https://spark.apache.org/docs/latest/api/sql/#try_to_time). With PySpark's optional arguments: [`try_to_time_with`].
    try_to_time(text: Col), try_to_time_with(format: Col);
    /// Spark SQL [`try_to_timestamp`](https://spark.apache.org/docs/latest/api/sql/#try_to_timestamp). With PySpark's optional arguments: [`try_to_timestamp_with`].
    try_to_timestamp(col: Col), try_to_timestamp_with(format: Col);
    /// Spark SQL [`unix_date`](https://spark.apache.org/docs/latest/api/sql/#unix_date).
    unix_date(col: Col);
    /// Spark SQL [`unix_micros`](https://spark.apache.org/docs/latest/api/sql/#unix_micros).
    unix_micros(col: Col);
    /// Spark SQL [`unix_millis`](https://spark.apache.org/docs/latest/api/sql/#unix_millis).
    unix_millis(col: Col);
    /// Spark SQL [`unix_seconds`](https://spark.apache.org/docs/latest/api/sql/#unix_seconds).
    unix_seconds(col: Col);
    /// Spark SQL [`weekday`](https://spark.apache.org/docs/latest/api/sql/#weekday).
    weekday(col: Col);
    /// Spark SQL [`weekofyear`](https://spark.apache.org/docs/latest/api/sql/#weekofyear).
    weekofyear(col: Col);
    /// Spark SQL [`window`](https://spark.apache.org/docs/latest/api/sql/#window). With PySpark's optional arguments: [`window_with`].
    window(time_column: Col, window_duration: Val), window_with(slide_duration: Val, start_time: Val);
    /// Spark SQL [`window_time`](https://spark.apache.org/docs/latest/api/sql/#window_time).
    window_time(window_column: Col);
    /// The year of a date or timestamp. Spark SQL [`year`](https://spark.apache.org/docs/latest/api/sql/#year).
    year(col: Col);
}

/// PySpark's `make_timestamp(date=..., time=...)`: a `timestamp` from a date and a time, in
/// the session time zone. [`make_timestamp_from_date_time_with`] takes a time zone too.
pub fn make_timestamp_from_date_time(
    date: impl Into<crate::Column>,
    time: impl Into<crate::Column>,
) -> crate::Column {
    crate::Column::function("make_timestamp", [date.into(), time.into()])
}

/// PySpark's `make_timestamp(date=..., time=..., timezone=...)`.
pub fn make_timestamp_from_date_time_with(
    date: impl Into<crate::Column>,
    time: impl Into<crate::Column>,
    timezone: impl Into<crate::Column>,
) -> crate::Column {
    crate::Column::function(
        "make_timestamp",
        [date.into(), time.into(), timezone.into()],
    )
}

/// PySpark's `try_make_timestamp(date=..., time=...)`: null instead of an error.
pub fn try_make_timestamp_from_date_time(
    date: impl Into<crate::Column>,
    time: impl Into<crate::Column>,
) -> crate::Column {
    crate::Column::function("try_make_timestamp", [date.into(), time.into()])
}

/// PySpark's `try_make_timestamp(date=..., time=..., timezone=...)`.
pub fn try_make_timestamp_from_date_time_with(
    date: impl Into<crate::Column>,
    time: impl Into<crate::Column>,
    timezone: impl Into<crate::Column>,
) -> crate::Column {
    crate::Column::function(
        "try_make_timestamp",
        [date.into(), time.into(), timezone.into()],
    )
}

/// PySpark's `make_timestamp_ntz(date=..., time=...)`: a `timestamp_ntz` from a date and a
/// time.
pub fn make_timestamp_ntz_from_date_time(
    date: impl Into<crate::Column>,
    time: impl Into<crate::Column>,
) -> crate::Column {
    crate::Column::function("make_timestamp_ntz", [date.into(), time.into()])
}

/// PySpark's `try_make_timestamp_ntz(date=..., time=...)`: null instead of an error.
pub fn try_make_timestamp_ntz_from_date_time(
    date: impl Into<crate::Column>,
    time: impl Into<crate::Column>,
) -> crate::Column {
    crate::Column::function("try_make_timestamp_ntz", [date.into(), time.into()])
}
