//! Uploaded images: the type is read from the bytes (magic numbers), never from the
//! request's `Content-Type` or a file name, and only the four raster formats every browser
//! shows are accepted. SVG (script inside an image) and HTML are refused whatever they
//! claim to be. Objects are content-addressed: the URL is the SHA-256 of the bytes.

/// The largest image accepted (5 MiB).
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageType {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl ImageType {
    /// The extension of its URL (`/media/{sha256}.{ext}`).
    pub fn ext(self) -> &'static str {
        match self {
            ImageType::Jpeg => "jpg",
            ImageType::Png => "png",
            ImageType::Webp => "webp",
            ImageType::Gif => "gif",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ImageType::Jpeg => "image/jpeg",
            ImageType::Png => "image/png",
            ImageType::Webp => "image/webp",
            ImageType::Gif => "image/gif",
        }
    }

    pub fn from_ext(ext: &str) -> Option<ImageType> {
        [ImageType::Jpeg, ImageType::Png, ImageType::Webp, ImageType::Gif].into_iter().find(|t| t.ext() == ext)
    }
}

/// The image type the bytes start with, if any of the four.
pub fn sniff(bytes: &[u8]) -> Option<ImageType> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageType::Jpeg)
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(ImageType::Png)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(ImageType::Gif)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(ImageType::Webp)
    } else {
        None
    }
}

/// The SHA-256 of the bytes, lower-case hex: the object's name.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

/// The R2 key of a brand's object: under the brand's own prefix, so a host of brand B can
/// only ever read `brands/B/…` however the URL is spelled.
pub fn object_key(brand_id: &str, sha256: &str, ext: &str) -> String {
    format!("brands/{brand_id}/media/{sha256}.{ext}")
}

/// The public path of an object on its brand's hosts.
pub fn url(sha256: &str, ext: &str) -> String {
    format!("/media/{sha256}.{ext}")
}

/// `{sha256}.{ext}` from `/media/{name}`: 64 lower-case hex digits and one of the four
/// extensions, nothing else (no other path can name an object).
pub fn parse_name(name: &str) -> Option<(&str, ImageType)> {
    let (hash, ext) = name.split_once('.')?;
    let hex = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !hex {
        return None;
    }
    Some((hash, ImageType::from_ext(ext)?))
}

/// The widths the storefront asks Cloudflare's image transformations for.
pub const WIDTHS: [u32; 3] = [240, 480, 960];

/// A `srcset` of resized copies of a `/media/…` image through Cloudflare's image
/// transformation URLs (`/cdn-cgi/image/width=…,format=auto/media/…`, served by the zone,
/// not the worker); None for any other image (Shoal's own assets are small SVGs).
pub fn srcset(url: &str) -> Option<String> {
    url.strip_prefix("/media/").and_then(parse_name)?;
    Some(WIDTHS.iter().map(|w| format!("/cdn-cgi/image/width={w},format=auto{url} {w}w")).collect::<Vec<_>>().join(", "))
}

/// `cache-control` of an object: its URL names its bytes, so it never changes.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    #[test]
    fn the_four_formats_are_told_by_their_first_bytes() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some(ImageType::Jpeg));
        assert_eq!(sniff(PNG), Some(ImageType::Png));
        assert_eq!(sniff(b"GIF89a\x01\x00"), Some(ImageType::Gif));
        assert_eq!(sniff(b"GIF87a\x01\x00"), Some(ImageType::Gif));
        assert_eq!(sniff(b"RIFF\x24\x00\x00\x00WEBPVP8 "), Some(ImageType::Webp));
    }

    #[test]
    fn svg_html_riff_audio_and_empty_bodies_are_no_image() {
        for bytes in [
            &b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"[..],
            b"<!doctype html><html><script>alert(1)</script>",
            b"<?xml version='1.0'?><svg/>",
            b"RIFF\x24\x00\x00\x00WAVEfmt ",
            b"",
            b"\xFF\xD8",
            b"%PDF-1.7",
        ] {
            assert_eq!(sniff(bytes), None, "{:?}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn a_png_is_a_png_whatever_its_name_says() {
        let t = sniff(PNG).unwrap_or(ImageType::Jpeg);
        assert_eq!((t.ext(), t.content_type()), ("png", "image/png"));
    }

    #[test]
    fn only_a_hash_and_a_known_extension_name_an_object() {
        let h = "a".repeat(64);
        assert_eq!(parse_name(&format!("{h}.png")), Some((h.as_str(), ImageType::Png)));
        for bad in [
            format!("{h}.svg"),
            format!("{h}.PNG"),
            format!("{}.png", "A".repeat(64)),
            format!("{}.png", "a".repeat(63)),
            format!("{h}.png.png"),
            "../x.png".to_owned(),
            h.to_string(),
        ] {
            assert_eq!(parse_name(&bad), None, "{bad}");
        }
    }

    #[test]
    fn resized_copies_are_transformation_urls_of_media_images_only() {
        let url = format!("/media/{}.png", "b".repeat(64));
        let set = srcset(&url).unwrap_or_default();
        assert!(set.starts_with(&format!("/cdn-cgi/image/width=240,format=auto{url} 240w, ")), "{set}");
        assert!(set.ends_with(&format!("/cdn-cgi/image/width=960,format=auto{url} 960w")), "{set}");
        assert_eq!(srcset("/assets/acme/caps.svg"), None);
        assert_eq!(srcset("/media/../../x.png"), None);
    }

    #[test]
    fn keys_are_under_the_brands_prefix_and_named_by_the_hash() {
        let h = sha256_hex(b"abc");
        assert_eq!(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(object_key("b1", &h, "png"), format!("brands/b1/media/{h}.png"));
        assert_eq!(url(&h, "gif"), format!("/media/{h}.gif"));
    }
}
