//! Reading the request headers that steer an answer: Accept, Content-Type, Prefer, If-None-Match,
//! plus the URL pieces (percent-decoding, query parameters).

use http::HeaderMap;
use http::header::{ACCEPT, CONTENT_TYPE, IF_NONE_MATCH};

/// The lower-case media type of the body (`application/xml`), without parameters.
pub(crate) fn content_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    (!essence.is_empty()).then_some(essence)
}

/// True when `Accept` is absent or admits one of `offered` (exact type, `type/*` or `*/*`, with q > 0).
pub(crate) fn accepts(headers: &HeaderMap, offered: &[&str]) -> bool {
    let mut ranges = headers.get_all(ACCEPT).iter().filter_map(|v| v.to_str().ok()).peekable();
    if ranges.peek().is_none() {
        return true;
    }
    ranges.flat_map(|v| v.split(',')).any(|range| {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            let p = p.trim();
            p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")).and_then(|q| q.trim().parse::<f32>().ok())
                == Some(0.0)
        });
        !refused && offered.iter().any(|o| media_matches(&media, o))
    })
}

/// Which of `offered` (in the server's order of preference) the client prefers: the highest `q`, then
/// the most specific range that matched it (`type/subtype` over `type/*` over `*/*`), then `offered`'s
/// order. No `Accept` at all picks the first. `None` when nothing offered is acceptable.
pub(crate) fn preferred<'o>(headers: &HeaderMap, offered: &[&'o str]) -> Option<&'o str> {
    let ranges: Vec<(String, f32)> = headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|range| {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| {
                    let p = p.trim();
                    p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")).and_then(|q| q.trim().parse::<f32>().ok())
                })
                .next()
                .unwrap_or(1.0);
            (!media.is_empty()).then_some((media, q))
        })
        .collect();
    if ranges.is_empty() {
        return offered.first().copied();
    }
    let mut best: Option<(&str, f32, u8)> = None;
    for &candidate in offered {
        // The most specific range that matches decides this type's q (RFC 9110 §12.5.1).
        let Some((q, specificity)) = ranges
            .iter()
            .filter(|(media, _)| media_matches(media, candidate))
            .map(|(media, q)| (*q, specificity(media)))
            .max_by_key(|&(_, specificity)| specificity)
        else {
            continue;
        };
        if q <= 0.0 {
            continue;
        }
        if best.is_none_or(|(_, best_q, best_s)| q > best_q || (q == best_q && specificity > best_s)) {
            best = Some((candidate, q, specificity));
        }
    }
    best.map(|(candidate, _, _)| candidate)
}

fn specificity(range: &str) -> u8 {
    match range {
        "*/*" => 0,
        r if r.ends_with("/*") => 1,
        _ => 2,
    }
}

fn media_matches(range: &str, offered: &str) -> bool {
    if range == "*/*" || range == offered {
        return true;
    }
    match (range.strip_suffix("/*"), offered.split_once('/')) {
        (Some(kind), Some((offered_kind, _))) => kind == offered_kind,
        _ => false,
    }
}

/// What `Prefer: return=…` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Return {
    Minimal,
    Representation,
    Identifier,
}

/// `Prefer: return=minimal|representation|identifier`; minimal when absent or unknown (the spec's default).
pub(crate) fn prefer_return(headers: &HeaderMap) -> Return {
    let tokens = headers.get_all("prefer").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split([',', ';']));
    for token in tokens {
        match token.trim().to_ascii_lowercase().as_str() {
            "return=representation" => return Return::Representation,
            "return=identifier" => return Return::Identifier,
            "return=minimal" => return Return::Minimal,
            _ => {}
        }
    }
    Return::Minimal
}

/// True when `If-None-Match` names `etag` (weak comparison, as RFC 9110 requires for this header) or is `*`.
pub(crate) fn none_match_hits(headers: &HeaderMap, etag: &str) -> bool {
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let wanted = bare(etag);
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == "*" || bare(tag) == wanted)
}

/// Percent-decodes one path segment or query component; `None` when the result is not UTF-8
/// or an escape is broken.
pub fn percent_decode(input: &str, plus_is_space: bool) -> Option<String> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hi = hex_value(*bytes.get(i + 1)?)?;
                let lo = hex_value(*bytes.get(i + 2)?)?;
                out.push(hi << 4 | lo);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Percent-encodes one path segment: everything but RFC 3986 unreserved characters, `:` and `@`.
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for &byte in segment.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b':' | b'@') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(byte >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(byte & 0xf)]));
        }
    }
    out
}

/// The decoded value of query parameter `name`; `Some(None)`-free: undecodable values count as absent.
pub(crate) fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key, true)? == name).then(|| percent_decode(value, true)).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(name: &'static str, value: &'static str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(name, HeaderValue::from_static(value));
        map
    }

    #[test]
    fn accept_matches_ranges_and_honours_q_zero() {
        let xml = ["application/xml", "text/xml"];
        assert!(accepts(&HeaderMap::new(), &xml));
        assert!(accepts(&headers("accept", "application/json, text/*;q=0.5"), &xml));
        assert!(accepts(&headers("accept", "*/*"), &xml));
        assert!(!accepts(&headers("accept", "application/openehr.wt+json"), &xml));
        assert!(!accepts(&headers("accept", "application/xml;q=0"), &xml));
    }

    #[test]
    fn preferred_picks_by_q_then_specificity_then_server_order() {
        let offered = ["application/xml", "text/xml", "application/openehr.wt+json", "application/json"];
        let pick = |accept: &'static str| preferred(&headers("accept", accept), &offered);
        assert_eq!(preferred(&HeaderMap::new(), &offered), Some("application/xml"));
        assert_eq!(pick("*/*"), Some("application/xml"));
        assert_eq!(pick("application/openehr.wt+json"), Some("application/openehr.wt+json"));
        assert_eq!(pick("application/openehr.wt+json, */*"), Some("application/openehr.wt+json"));
        assert_eq!(pick("application/json;q=0.9, application/xml"), Some("application/xml"));
        assert_eq!(pick("application/json, application/xml;q=0.5"), Some("application/json"));
        assert_eq!(pick("application/*"), Some("application/xml"));
        assert_eq!(pick("application/xml;q=0, application/*"), Some("application/openehr.wt+json"));
        assert_eq!(pick("text/plain"), None);
        assert_eq!(pick("application/json;q=0"), None);
    }

    #[test]
    fn segments_round_trip_through_encoding() {
        let id = "Stationärer Versorgungsfall {x}/%";
        let encoded = encode_segment(id);
        assert_eq!(encoded, "Station%C3%A4rer%20Versorgungsfall%20%7Bx%7D%2F%25");
        assert_eq!(percent_decode(&encoded, false).as_deref(), Some(id));
        assert_eq!(percent_decode("%zz", false), None);
        assert_eq!(percent_decode("%C3", false), None);
    }

    #[test]
    fn prefer_and_query_params() {
        assert_eq!(prefer_return(&headers("prefer", "respond-async, return=identifier")), Return::Identifier);
        assert_eq!(prefer_return(&HeaderMap::new()), Return::Minimal);
        assert_eq!(query_param(Some("a=1&type=A+B%21"), "type").as_deref(), Some("A B!"));
        assert_eq!(query_param(Some("a=1"), "type"), None);
    }

    #[test]
    fn if_none_match_uses_weak_comparison() {
        assert!(none_match_hits(&headers("if-none-match", "\"x\", W/\"abc\""), "\"abc\""));
        assert!(!none_match_hits(&headers("if-none-match", "\"x\""), "\"abc\""));
        assert!(none_match_hits(&headers("if-none-match", "*"), "\"abc\""));
    }
}
