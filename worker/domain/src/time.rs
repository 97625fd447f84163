//! Times as the API and the database exchange them.

use chrono::DateTime;

/// Unix seconds as RFC 3339 (UTC); an epoch outside chrono's range is the empty string.
pub fn rfc3339(epoch: i64) -> String {
    DateTime::from_timestamp(epoch, 0).map(|d| d.to_rfc3339()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn unix_seconds_become_rfc3339() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(super::rfc3339(i64::MAX), "");
    }
}
