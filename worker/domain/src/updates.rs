//! Edge app releases: the newest release above a device's version, for its channel and
//! platform, by semantic version (1.10.0 > 1.9.3), never by string order.

use semver::Version;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub version: String,
    pub channel: String,
    pub platform: String,
    pub yanked: bool,
}

/// The newest release strictly above `current` on `channel` for `platform`. A stable
/// device never gets a pre-release; a beta device gets stable and beta releases.
pub fn newest_above<'a>(releases: &'a [Release], current: &str, channel: &str, platform: &str) -> Result<Option<&'a Release>, semver::Error> {
    let current = Version::parse(current.trim_start_matches('v'))?;
    let accepts = |r: &Release| match channel {
        "beta" => r.channel == "beta" || r.channel == "stable",
        _ => r.channel == "stable",
    };
    Ok(releases
        .iter()
        .filter(|r| !r.yanked && r.platform == platform && accepts(r))
        .filter_map(|r| Version::parse(r.version.trim_start_matches('v')).ok().map(|v| (v, r)))
        .filter(|(v, r)| *v > current && (r.channel == "beta" || v.pre.is_empty()))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, r)| r))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(v: &str, channel: &str, platform: &str, yanked: bool) -> Release {
        Release { version: v.into(), channel: channel.into(), platform: platform.into(), yanked }
    }

    #[test]
    fn semantic_not_lexical_order() {
        let all = [rel("1.9.3", "stable", "linux-x64", false), rel("1.10.0", "stable", "linux-x64", false)];
        assert_eq!(newest_above(&all, "1.9.3", "stable", "linux-x64").ok().flatten().map(|r| r.version.as_str()), Some("1.10.0"));
        assert_eq!(newest_above(&all, "1.10.0", "stable", "linux-x64").ok().flatten(), None, "nothing above: 204");
    }

    #[test]
    fn channel_platform_yanked_and_pre_releases() {
        let all = [
            rel("2.0.0-beta.1", "beta", "linux-x64", false),
            rel("1.11.0", "stable", "linux-x64", true),
            rel("1.10.1", "stable", "linux-arm64", false),
            rel("1.10.0", "stable", "linux-x64", false),
        ];
        let pick = |cur: &str, ch: &str, pl: &str| newest_above(&all, cur, ch, pl).ok().flatten().map(|r| r.version.clone());
        assert_eq!(pick("1.9.0", "stable", "linux-x64"), Some("1.10.0".into()), "yanked and beta skipped");
        assert_eq!(pick("1.9.0", "beta", "linux-x64"), Some("2.0.0-beta.1".into()));
        assert_eq!(pick("1.9.0", "stable", "linux-arm64"), Some("1.10.1".into()));
        assert!(newest_above(&all, "not-a-version", "stable", "linux-x64").is_err());
    }
}
