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
pub fn newest_above<'a>(
    releases: &'a [Release],
    current: &str,
    channel: &str,
    platform: &str,
) -> Result<Option<&'a Release>, semver::Error> {
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

/// A `Range` header this object cannot serve (answered 416).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsatisfiable;

/// A byte range of an object of `size` bytes, from a `Range: bytes=…` header, as the
/// inclusive (first, last) pair to serve; `Ok(None)` means the whole object.
pub fn byte_range(header: Option<&str>, size: u64) -> Result<Option<(u64, u64)>, Unsatisfiable> {
    let Some(h) = header.map(str::trim).filter(|h| !h.is_empty()) else { return Ok(None) };
    let spec = h.strip_prefix("bytes=").ok_or(Unsatisfiable)?;
    if spec.contains(',') || size == 0 {
        return Err(Unsatisfiable); // one range at a time
    }
    let (a, b) = spec.split_once('-').ok_or(Unsatisfiable)?;
    let (first, last) = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: u64 = n.parse().map_err(|_| Unsatisfiable)?;
            if n == 0 {
                return Err(Unsatisfiable);
            }
            (size.saturating_sub(n), size - 1)
        }
        (f, "") => (f.parse().map_err(|_| Unsatisfiable)?, size - 1),
        (f, l) => {
            let (f, l): (u64, u64) = (f.parse().map_err(|_| Unsatisfiable)?, l.parse().map_err(|_| Unsatisfiable)?);
            (f, l.min(size - 1))
        }
    };
    if first > last || first >= size {
        return Err(Unsatisfiable);
    }
    Ok(Some((first, last)))
}

#[cfg(test)]
mod range_tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(byte_range(None, 100), Ok(None));
        assert_eq!(byte_range(Some("bytes=0-9"), 100), Ok(Some((0, 9))));
        assert_eq!(byte_range(Some("bytes=90-"), 100), Ok(Some((90, 99))));
        assert_eq!(byte_range(Some("bytes=-10"), 100), Ok(Some((90, 99))));
        assert_eq!(byte_range(Some("bytes=50-500"), 100), Ok(Some((50, 99))));
        for bad in ["bytes=100-", "bytes=10-5", "bytes=-0", "items=0-1", "bytes=0-1,3-4", "bytes=x-1"] {
            assert_eq!(byte_range(Some(bad), 100), Err(Unsatisfiable), "{bad}");
        }
    }
}

/// Hex SHA-256 of a release binary, as published and as devices check it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

/// Why a version cannot name a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionError {
    /// not `MAJOR.MINOR.PATCH[-pre]` (no leading `v`), or longer than 64 characters
    NotSemver,
    /// `+build` metadata: semver ignores it when ordering, so `1.2.0+a` and `1.2.0+b` would
    /// be two releases no device could tell apart (and the database refuses it)
    BuildMetadata,
}

impl VersionError {
    pub fn code(&self) -> &'static str {
        match self {
            VersionError::NotSemver => "invalid_version",
            VersionError::BuildMetadata => "version_build_metadata",
        }
    }

    pub fn message(&self) -> &'static str {
        match self {
            VersionError::NotSemver => "`version` must be a semantic version such as 1.2.0 or 2.0.0-beta.1",
            VersionError::BuildMetadata => "`version` must not carry build metadata (+…): publish 1.2.0, not 1.2.0+build7",
        }
    }
}

/// A version a release may be published under: semver without a leading `v` or build
/// metadata, at most 64 characters. Checked before anything is stored.
pub fn release_version(v: &str) -> Result<Version, VersionError> {
    if v.len() > 64 {
        return Err(VersionError::NotSemver);
    }
    let parsed = Version::parse(v).map_err(|_| VersionError::NotSemver)?;
    if !parsed.build.is_empty() {
        return Err(VersionError::BuildMetadata);
    }
    Ok(parsed)
}

/// Whether `v` can name a release (see `release_version`).
pub fn valid_version(v: &str) -> bool {
    release_version(v).is_ok()
}

#[cfg(test)]
mod version_tests {
    use super::*;

    #[test]
    fn release_versions_are_semver_without_build_metadata() {
        assert!(release_version("1.2.0").is_ok());
        assert!(release_version("2.0.0-beta.1").is_ok());
        assert_eq!(release_version("1.2.0+build7").err(), Some(VersionError::BuildMetadata));
        assert_eq!(release_version("1.2.0-rc.1+sha.5114f85").err(), Some(VersionError::BuildMetadata));
        for bad in ["v1.2.0", "1.2", "01.2.0", "", "1.2.0-", &format!("1.2.0-{}", "a".repeat(60))] {
            assert_eq!(release_version(bad).err(), Some(VersionError::NotSemver), "{bad}");
        }
    }
}
