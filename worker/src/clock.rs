//! The time as the Workers runtime tells it (frozen during a request's synchronous work,
//! advanced by I/O). Everything that needs "now" asks here, so the storage client is only
//! a client and time-dependent rules take their instant as an argument.

use chrono::{DateTime, Utc};

pub fn now() -> DateTime<Utc> {
    let ms = worker::Date::now().as_millis() as i64;
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
