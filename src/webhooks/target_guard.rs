//! Outbound target guard against SSRF.
//!
//! Outbound webhooks go to URLs that tenants type in. Without a guard, a tenant could point
//! one at `http://169.254.169.254/` (cloud metadata), `http://localhost:5432/` or any host on
//! our internal network and use our servers as a proxy into it. Two checks close that:
//!
//! 1. [`check_literal`] when the URL is saved and again before sending: the scheme, and any
//!    IP literal or `localhost` name in the host.
//! 2. [`GuardedResolver`] at connection time: every address a hostname resolves to must be
//!    public. Checking at connection time, not when the URL was saved, defeats DNS
//!    rebinding (a name that resolved to a public address yesterday and to `10.0.0.5` now).
//!
//! [`guarded_client_builder`] wires both into a `reqwest` client, together with the two
//! paths that would otherwise bypass the resolver: proxies and redirects.
//!
//! Tests and local development run receivers on 127.0.0.1, so everything takes an
//! `allow_private` switch that comes from configuration, never from the tenant.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why an outbound target was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TargetError {
    /// Not an absolute `http`/`https` URL.
    #[error("target must be an http(s) URL")]
    NotHttp,
    /// An http(s) URL without a usable host (missing, or unparseable host/port).
    #[error("target URL has no valid host")]
    NoHost,
    /// The target is, or resolves to, a non-public address.
    #[error("target address {0} is not public")]
    PrivateAddress(IpAddr),
    /// DNS resolution failed or returned nothing.
    #[error("cannot resolve target: {0}")]
    Unresolvable(String),
}

/// IPv4 blocks that are not globally reachable (IANA special-purpose registry, RFC 6890
/// and successors). A table rather than `Ipv4Addr::is_*` calls because std's `is_global` is
/// unstable and several of the needed predicates (shared, benchmarking, reserved) are too.
const V4_NON_PUBLIC: &[(Ipv4Addr, u8)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8),  // "this network", incl. unspecified
    (Ipv4Addr::new(10, 0, 0, 0), 8), // private
    (Ipv4Addr::new(100, 64, 0, 0), 10), // CGNAT shared address space
    (Ipv4Addr::new(127, 0, 0, 0), 8), // loopback
    (Ipv4Addr::new(169, 254, 0, 0), 16), // link-local, incl. cloud metadata
    (Ipv4Addr::new(172, 16, 0, 0), 12), // private
    (Ipv4Addr::new(192, 0, 0, 0), 24), // IETF protocol assignments
    (Ipv4Addr::new(192, 0, 2, 0), 24), // TEST-NET-1
    (Ipv4Addr::new(192, 88, 99, 0), 24), // deprecated 6to4 relay anycast
    (Ipv4Addr::new(192, 168, 0, 0), 16), // private
    (Ipv4Addr::new(198, 18, 0, 0), 15), // benchmarking
    (Ipv4Addr::new(198, 51, 100, 0), 24), // TEST-NET-2
    (Ipv4Addr::new(203, 0, 113, 0), 24), // TEST-NET-3
    (Ipv4Addr::new(224, 0, 0, 0), 4), // multicast
    (Ipv4Addr::new(240, 0, 0, 0), 4), // reserved, incl. 255.255.255.255 broadcast
];

/// Special-purpose blocks *inside* 2000::/3. Everything outside 2000::/3 is refused outright
/// (see [`is_public`]), which already covers ::/128, ::1, 100::/64 discard, fc00::/7,
/// fe80::/10, fec0::/10, ff00::/8, 5f00::/16 and whatever IANA has not allocated yet.
const V6_NON_PUBLIC: &[(Ipv6Addr, u8)] = &[
    // IETF protocol assignments: Teredo (2001::/32, which embeds an obfuscated IPv4),
    // benchmarking 2001:2::/48, ORCHID and a few anycast services nobody sends webhooks to.
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23),
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20),     // documentation (RFC 9637)
];

fn in_prefix(addr: u128, net: u128, len: u8, width: u32) -> bool {
    // `checked_shl` turns the /0 case (shift by the full width) into an empty mask
    // instead of an overflow panic.
    let mask =
        u128::MAX.checked_shl(width - u32::from(len)).unwrap_or(0) & (u128::MAX >> (128 - width));
    addr & mask == net & mask
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let addr = u128::from(u32::from(ip));
    !V4_NON_PUBLIC
        .iter()
        .any(|&(net, len)| in_prefix(addr, u128::from(u32::from(net)), len, 32))
}

fn low_v4(bits: u128) -> Ipv4Addr {
    // Truncation is the point: the embedded IPv4 is the low 32 bits.
    Ipv4Addr::from((bits & 0xffff_ffff) as u32)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let bits = u128::from(ip);
    let within = |net: Ipv6Addr, len: u8| in_prefix(bits, u128::from(net), len, 128);

    // Forms that carry an IPv4 address and reach it, one way or another: judge the IPv4,
    // otherwise `[::ffff:127.0.0.1]` or `[64:ff9b::a00:1]` would walk straight past.
    // IPv4-mapped ::ffff:0:0/96 and IPv4-compatible ::/96 (which also covers :: and ::1,
    // whose IPv4 lands in 0.0.0.0/8 and is refused).
    if within(Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0), 96)
        || within(Ipv6Addr::UNSPECIFIED, 96)
        // NAT64 well-known prefix: a NAT64 gateway forwards to the embedded IPv4.
        || within(Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96)
    {
        return is_public_v4(low_v4(bits));
    }
    // 6to4 2002::/16 embeds the IPv4 of the tunnel endpoint in bits 16..48.
    if within(Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16) {
        return is_public_v4(low_v4(bits >> 80));
    }
    // All global unicast is allocated from 2000::/3; anything else (including local-use
    // NAT64 64:ff9b:1::/48) is special-purpose or unallocated.
    if !within(Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3) {
        return false;
    }
    !V6_NON_PUBLIC.iter().any(|&(net, len)| within(net, len))
}

/// Whether `ip` is a globally reachable unicast address that a webhook may be sent to.
///
/// Deliberately stricter than IANA's "globally reachable" column where the difference
/// cannot matter for webhooks (anycast service addresses, deprecated relays).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

/// `localhost` and `*.localhost` always mean loopback (RFC 6761), whatever DNS says, so they
/// are refused by name without a lookup.
fn is_localhost_name(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

/// Checks what can be checked without DNS: an absolute http(s) URL with a host that is not
/// a non-public IP literal nor `localhost`.
///
/// This is needed in addition to [`GuardedResolver`] because reqwest never consults the
/// resolver for IP-literal hosts. Parsing goes through `Url` so the host is seen exactly as
/// the HTTP client will see it, including WHATWG normalisations such as `0x7f.1` or
/// `2130706433` for 127.0.0.1.
pub fn check_literal(url: &str, allow_private: bool) -> Result<(), TargetError> {
    let parsed = Url::parse(url).map_err(|_| {
        // Url's error type is not re-exported by reqwest; what callers need to know is
        // whether they supplied an http(s) URL at all.
        let lower = url.trim_start().to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            TargetError::NoHost
        } else {
            TargetError::NotHttp
        }
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(TargetError::NotHttp);
    }
    let host = parsed
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or(TargetError::NoHost)?;
    if allow_private {
        return Ok(());
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        if !is_public(ip) {
            return Err(TargetError::PrivateAddress(ip));
        }
    } else if is_localhost_name(bare) {
        return Err(TargetError::PrivateAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    }
    Ok(())
}

/// Resolves `host` and, unless `allow_private`, refuses it if *any* address is not public.
///
/// Refusing on any (rather than filtering) matters: a name answering with both a public and
/// an internal address is a rebinding attempt, and the client may pick either.
pub async fn resolve_public(
    host: &str,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, TargetError> {
    if !allow_private && is_localhost_name(host) {
        return Err(TargetError::PrivateAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    }
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|e| TargetError::Unresolvable(format!("{host}: {e}")))?
        .collect();
    if addrs.is_empty() {
        return Err(TargetError::Unresolvable(format!("{host}: no addresses")));
    }
    if !allow_private && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
        return Err(TargetError::PrivateAddress(bad.ip()));
    }
    Ok(addrs)
}

/// A `reqwest` DNS resolver that refuses non-public answers at connection time.
#[derive(Debug, Clone, Copy, Default)]
pub struct GuardedResolver {
    /// Set from configuration for tests and local development only.
    pub allow_private: bool,
}

impl GuardedResolver {
    pub const fn new(allow_private: bool) -> Self {
        Self { allow_private }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = resolve_public(&host, allow_private)
                .await
                .map_err(BoxError::from)?;
            Ok::<Addrs, BoxError>(Box::new(addrs.into_iter()))
        })
    }
}

/// Redirect hops followed before giving up; webhook receivers have no business chaining more.
const MAX_REDIRECTS: usize = 5;

/// A redirect policy that runs [`check_literal`] on every hop.
///
/// Without it a public receiver could answer `302 Location: http://169.254.169.254/` and
/// the client would follow to an IP literal without ever asking the resolver.
pub fn redirect_policy(allow_private: bool) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error("too many redirects");
        }
        match check_literal(attempt.url().as_str(), allow_private) {
            Ok(()) => attempt.follow(),
            Err(e) => attempt.error(e),
        }
    })
}

/// A client builder with every SSRF guard in place: [`GuardedResolver`], the checking
/// [`redirect_policy`], and no proxy (a proxy resolves the name itself, so our resolver
/// would never see it). Callers should still run [`check_literal`] on the URL before each
/// request, and set a timeout.
pub fn guarded_client_builder(allow_private: bool) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .no_proxy()
        .dns_resolver(Arc::new(GuardedResolver::new(allow_private)))
        .redirect(redirect_policy(allow_private))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read as _, Write as _};
    use std::net::TcpListener;
    use std::time::{Duration, Instant};

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    const NON_PUBLIC: &[&str] = &[
        // IPv4
        "0.0.0.0",
        "0.1.2.3",
        "10.0.0.1",
        "10.255.255.255",
        "100.64.0.0",
        "100.127.255.255",
        "127.0.0.1",
        "127.255.255.254",
        "169.254.0.1",
        "169.254.169.254",
        "172.16.0.1",
        "172.31.255.255",
        "192.0.0.1",
        "192.0.0.9",
        "192.0.2.1",
        "192.88.99.1",
        "192.168.0.1",
        "192.168.255.255",
        "198.18.0.1",
        "198.19.255.255",
        "198.51.100.7",
        "203.0.113.200",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        // IPv6
        "::",
        "::1",
        "fe80::1",
        "febf:ffff::1",
        "fec0::1",
        "fc00::1",
        "fd12:3456:789a::1",
        "ff02::1",
        "ff0e::1",
        "100::1",
        "100::ffff:1",
        "2001::1",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
        "2001:2::1",
        "2001:10::1",
        "2001:db8::1",
        "2001:db8:ffff::1",
        "3fff::1",
        "3fff:fff::1",
        "5f00::1",
        "64:ff9b:1::1",
        "4000::1",
        "1::1",
        "8000::1",
        // IPv6 forms embedding a non-public IPv4
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:0.0.0.0",
        "::127.0.0.1",
        "::10.1.2.3",
        "::0.0.0.2",
        "64:ff9b::127.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "64:ff9b::192.168.1.1",
        "2002:7f00:1::1",
        "2002:a00:1::",
        "2002:c0a8:101:1::1",
    ];

    const PUBLIC: &[&str] = &[
        "1.1.1.1",
        "8.8.8.8",
        "9.255.255.255",
        "11.0.0.0",
        "100.63.255.255",
        "100.128.0.0",
        "126.255.255.255",
        "128.0.0.0",
        "169.253.255.255",
        "169.255.0.0",
        "172.15.255.255",
        "172.32.0.0",
        "192.0.1.1",
        "192.0.3.1",
        "192.167.255.255",
        "192.169.0.0",
        "198.17.255.255",
        "198.20.0.0",
        "203.0.114.1",
        "223.255.255.255",
        "2606:4700:4700::1111",
        "2a00:1450:4001:81a::200e",
        "2001:200::1",
        "2001:4860:4860::8888",
        "2400::1",
        "3ffe::1",
        "3fff:1000::1",
        "::ffff:8.8.8.8",
        "::8.8.8.8",
        "64:ff9b::8.8.8.8",
        "64:ff9b::101:101",
        "2002:808:808::1",
    ];

    #[test]
    fn non_public_addresses_are_refused() {
        for s in NON_PUBLIC {
            assert!(!is_public(ip(s)), "{s} should not be public");
        }
    }

    #[test]
    fn public_addresses_are_accepted() {
        for s in PUBLIC {
            assert!(is_public(ip(s)), "{s} should be public");
        }
    }

    #[test]
    fn agrees_with_stable_std_predicates() {
        let mut all: Vec<IpAddr> = NON_PUBLIC.iter().chain(PUBLIC).map(|s| ip(s)).collect();
        all.extend([
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            IpAddr::V4(Ipv4Addr::BROADCAST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        ]);
        for a in all {
            let std_says_special = a.is_loopback() || a.is_unspecified() || a.is_multicast();
            let v4_special = match a {
                IpAddr::V4(v4) => {
                    v4.is_private()
                        || v4.is_link_local()
                        || v4.is_broadcast()
                        || v4.is_documentation()
                }
                IpAddr::V6(v6) => v6.is_unique_local() || v6.is_unicast_link_local(),
            };
            if std_says_special || v4_special {
                assert!(!is_public(a), "{a}");
            }
        }
    }

    #[test]
    fn sweep_first_octets_never_panics_and_matches_table() {
        for a in 0..=255u8 {
            for b in [0u8, 63, 64, 127, 128, 168, 254, 255] {
                let v4 = Ipv4Addr::new(a, b, 1, 1);
                let expected = !(a == 0
                    || a == 10
                    || a == 127
                    || a >= 224
                    || (a == 100 && (64..128).contains(&b))
                    || (a == 169 && b == 254)
                    || (a == 172 && (16..32).contains(&b))
                    || (a == 192 && b == 168)
                    || (a == 198 && (18..20).contains(&b)));
                assert_eq!(is_public(IpAddr::V4(v4)), expected, "{v4}");
                // Mapped, compatible and NAT64 forms agree with the IPv4 verdict.
                assert_eq!(is_public(IpAddr::V6(v4.to_ipv6_mapped())), expected, "{v4}");
                let [o0, o1, o2, o3] = v4.octets();
                let nat64 = Ipv6Addr::new(
                    0x64,
                    0xff9b,
                    0,
                    0,
                    0,
                    0,
                    u16::from_be_bytes([o0, o1]),
                    u16::from_be_bytes([o2, o3]),
                );
                assert_eq!(is_public(IpAddr::V6(nat64)), expected, "{nat64}");
            }
        }
    }

    #[test]
    fn in_prefix_handles_zero_and_full_lengths() {
        assert!(in_prefix(5, 0, 0, 32));
        assert!(in_prefix(u128::MAX, 0, 0, 128));
        assert!(in_prefix(7, 7, 32, 32));
        assert!(!in_prefix(7, 6, 32, 32));
        assert!(in_prefix(7, 7, 128, 128));
        assert!(!in_prefix(7, 6, 128, 128));
    }

    #[test]
    fn check_literal_table() {
        use TargetError::*;
        let lo = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let cases: &[(&str, Result<(), TargetError>)] = &[
            ("https://example.com/hook", Ok(())),
            ("http://example.com:8080/hook?x=1", Ok(())),
            ("HTTPS://EXAMPLE.COM/", Ok(())),
            ("https://8.8.8.8/", Ok(())),
            ("https://[2606:4700:4700::1111]/", Ok(())),
            ("https://user:pw@example.com/", Ok(())),
            ("https://localhost.example.com/", Ok(())),
            ("https://mylocalhost/", Ok(())),
            ("ftp://example.com/", Err(NotHttp)),
            ("file:///etc/passwd", Err(NotHttp)),
            ("gopher://127.0.0.1:6379/_", Err(NotHttp)),
            ("javascript:alert(1)", Err(NotHttp)),
            ("mailto:a@example.com", Err(NotHttp)),
            ("data:text/plain,hi", Err(NotHttp)),
            ("example.com/hook", Err(NotHttp)),
            ("//example.com/hook", Err(NotHttp)),
            ("", Err(NotHttp)),
            ("   ", Err(NotHttp)),
            ("http://", Err(NoHost)),
            ("https://", Err(NoHost)),
            ("http:///path", Ok(())), // WHATWG: the path's first segment becomes the host
            ("http://:80/", Err(NoHost)),
            ("http://example.com:99999/", Err(NoHost)),
            ("http://[::1/", Err(NoHost)),
            ("http://exa mple.com/", Err(NoHost)),
            ("http://127.0.0.1/", Err(PrivateAddress(lo))),
            ("http://127.0.0.1:8080/hook", Err(PrivateAddress(lo))),
            ("http://127.1/", Err(PrivateAddress(lo))),
            ("http://0x7f.0.0.1/", Err(PrivateAddress(lo))),
            ("http://0177.0.0.1/", Err(PrivateAddress(lo))),
            ("http://2130706433/", Err(PrivateAddress(lo))),
            ("http://user@127.0.0.1/", Err(PrivateAddress(lo))),
            ("http://example.com@127.0.0.1/", Err(PrivateAddress(lo))),
            ("http://0.0.0.0/", Err(PrivateAddress(ip("0.0.0.0")))),
            ("http://0/", Err(PrivateAddress(ip("0.0.0.0")))),
            (
                "http://169.254.169.254/latest/meta-data/",
                Err(PrivateAddress(ip("169.254.169.254"))),
            ),
            ("http://10.0.0.1/", Err(PrivateAddress(ip("10.0.0.1")))),
            (
                "https://192.168.1.1/",
                Err(PrivateAddress(ip("192.168.1.1"))),
            ),
            ("http://[::1]/", Err(PrivateAddress(ip("::1")))),
            ("http://[::1]:9000/x", Err(PrivateAddress(ip("::1")))),
            ("http://[::]/", Err(PrivateAddress(ip("::")))),
            ("http://[fe80::1]/", Err(PrivateAddress(ip("fe80::1")))),
            ("http://[fd00::1]/", Err(PrivateAddress(ip("fd00::1")))),
            (
                "http://[::ffff:127.0.0.1]/",
                Err(PrivateAddress(ip("::ffff:7f00:1"))),
            ),
            (
                "http://[64:ff9b::a9fe:a9fe]/",
                Err(PrivateAddress(ip("64:ff9b::a9fe:a9fe"))),
            ),
            ("http://localhost/", Err(PrivateAddress(lo))),
            ("http://localhost:3000/", Err(PrivateAddress(lo))),
            ("http://LOCALHOST/", Err(PrivateAddress(lo))),
            ("http://localhost./", Err(PrivateAddress(lo))),
            ("http://api.localhost/", Err(PrivateAddress(lo))),
            ("http://a.b.LocalHost./", Err(PrivateAddress(lo))),
        ];
        for (url, want) in cases {
            assert_eq!(&check_literal(url, false), want, "{url:?}");
        }
    }

    #[test]
    fn check_literal_allow_private_only_relaxes_addresses() {
        for url in [
            "http://127.0.0.1:8080/",
            "http://[::1]/",
            "http://localhost/",
            "http://10.0.0.1/",
            "http://169.254.169.254/",
            "https://example.com/",
        ] {
            assert_eq!(check_literal(url, true), Ok(()), "{url}");
        }
        // Scheme and host checks still apply.
        assert_eq!(
            check_literal("ftp://127.0.0.1/", true),
            Err(TargetError::NotHttp)
        );
        assert_eq!(check_literal("http://", true), Err(TargetError::NoHost));
        assert_eq!(check_literal("nonsense", true), Err(TargetError::NotHttp));
    }

    #[test]
    fn check_literal_never_panics_on_odd_input() {
        for s in [
            "\u{0}",
            "http://\u{0}/",
            "http://[",
            "http://]",
            "http://[]/",
            "http://[::ffff:999.0.0.1]/",
            "https://xn--/",
            "http://%00/",
            "http://a..b/",
            "http://.localhost/",
            "http://🦀.example/",
            "http://256.256.256.256/",
            "http://1.2.3.4.5/",
            "http:\\\\127.0.0.1\\",
            "h\ttp://127.0.0.1/",
        ] {
            let _ = check_literal(s, false);
            let _ = check_literal(s, true);
        }
        // The backslash and embedded-tab forms are normalised by the URL parser, and must
        // still be caught.
        assert!(check_literal("http:\\\\127.0.0.1\\", false).is_err());
        assert!(check_literal("h\ttp://127.0.0.1/", false).is_err());
    }

    #[test]
    fn localhost_names() {
        for h in [
            "localhost",
            "LocalHost",
            "localhost.",
            "a.localhost",
            "a.b.localhost.",
        ] {
            assert!(is_localhost_name(h), "{h}");
        }
        for h in [
            "localhost.com",
            "notlocalhost",
            "localhostx",
            "example.com",
            "",
        ] {
            assert!(!is_localhost_name(h), "{h}");
        }
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            TargetError::PrivateAddress(ip("10.0.0.1")).to_string(),
            "target address 10.0.0.1 is not public"
        );
        assert_eq!(
            TargetError::NotHttp.to_string(),
            "target must be an http(s) URL"
        );
    }

    async fn resolve_via_trait(allow_private: bool, host: &str) -> Result<Vec<SocketAddr>, String> {
        let name: Name = host.parse().map_err(|_| "bad name".to_owned())?;
        GuardedResolver::new(allow_private)
            .resolve(name)
            .await
            .map(|addrs| addrs.collect())
            .map_err(|e| match e.downcast_ref::<TargetError>() {
                Some(te) => format!("TargetError::{te:?}"),
                None => e.to_string(),
            })
    }

    #[tokio::test]
    async fn resolver_refuses_localhost_when_private_not_allowed() {
        let got = resolve_via_trait(false, "localhost").await;
        assert_eq!(
            got,
            Err("TargetError::PrivateAddress(127.0.0.1)".to_owned())
        );
    }

    #[tokio::test]
    async fn resolver_allows_localhost_when_private_allowed() {
        let addrs = resolve_via_trait(true, "localhost").await.unwrap();
        assert!(!addrs.is_empty());
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
        assert!(addrs.iter().all(|a| a.port() == 0));
    }

    #[tokio::test]
    async fn resolver_checks_actual_answers_not_just_names() {
        // A numeric name goes through the lookup path, not the localhost shortcut.
        assert_eq!(
            resolve_via_trait(false, "127.0.0.1").await,
            Err("TargetError::PrivateAddress(127.0.0.1)".to_owned())
        );
        assert_eq!(
            resolve_public("10.1.2.3", false).await,
            Err(TargetError::PrivateAddress(ip("10.1.2.3")))
        );
        assert_eq!(
            resolve_public("::1", false).await,
            Err(TargetError::PrivateAddress(ip("::1")))
        );
        assert_eq!(
            resolve_public("8.8.8.8", false).await,
            Ok(vec![SocketAddr::new(ip("8.8.8.8"), 0)])
        );
        assert_eq!(
            resolve_public("127.0.0.1", true).await,
            Ok(vec![SocketAddr::new(ip("127.0.0.1"), 0)])
        );
    }

    #[tokio::test]
    async fn resolver_reports_unresolvable_names() {
        // An interior NUL fails locally, before any DNS traffic.
        let got = resolve_public("bad\0name", true).await;
        assert!(matches!(got, Err(TargetError::Unresolvable(_))), "{got:?}");
    }

    // --- end-to-end through reqwest, loopback only ---

    /// Serves one canned response per accepted connection, for at most `deadline`, and
    /// returns how many connections it served. Bounded so a test never hangs.
    fn serve(listener: TcpListener, responses: Vec<String>) -> std::thread::JoinHandle<usize> {
        listener.set_nonblocking(true).unwrap();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(5);
            let mut served = 0;
            while served < responses.len() && Instant::now() < deadline {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        stream
                            .set_read_timeout(Some(Duration::from_secs(2)))
                            .unwrap();
                        let mut buf = Vec::new();
                        let mut chunk = [0u8; 1024];
                        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                            match stream.read(&mut chunk) {
                                Ok(0) | Err(_) => break,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                        }
                        let _ = stream.write_all(responses[served].as_bytes());
                        served += 1;
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
            served
        })
    }

    fn redirect_to(url: &str) -> String {
        format!(
            "HTTP/1.1 302 Found\r\nLocation: {url}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    }

    const OK: &str = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

    fn listener() -> (TcpListener, u16) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        (l, port)
    }

    fn client(allow_private: bool) -> reqwest::Client {
        guarded_client_builder(allow_private)
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn client_refuses_redirect_to_private_literal() {
        let (first, first_port) = listener();
        let (second, second_port) = listener();
        let first = serve(
            first,
            vec![redirect_to(&format!("http://127.0.0.1:{second_port}/"))],
        );
        // The caller skipped check_literal for the first hop (as a test would); the
        // redirect policy must still stop the second.
        let got = client(false)
            .get(format!("http://127.0.0.1:{first_port}/"))
            .send()
            .await;
        let err = got.unwrap_err();
        assert!(err.is_redirect(), "{err:?}");
        assert_eq!(first.join().unwrap(), 1);
        second.set_nonblocking(true).unwrap();
        assert!(second.accept().is_err(), "second hop must not be contacted");
    }

    #[tokio::test]
    async fn client_follows_redirects_when_private_allowed() {
        let (first, first_port) = listener();
        let (second, second_port) = listener();
        let first = serve(
            first,
            vec![redirect_to(&format!("http://localhost:{second_port}/"))],
        );
        let second = serve(second, vec![OK.to_owned()]);
        let resp = client(true)
            .get(format!("http://127.0.0.1:{first_port}/"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.text().await.unwrap(), "ok");
        assert_eq!(first.join().unwrap(), 1);
        assert_eq!(second.join().unwrap(), 1);
    }

    #[tokio::test]
    async fn client_resolver_refuses_localhost_by_name() {
        let (l, port) = listener();
        let got = client(false)
            .get(format!("http://localhost:{port}/"))
            .send()
            .await;
        let err = got.unwrap_err();
        assert!(err.is_connect(), "{err:?}");
        l.set_nonblocking(true).unwrap();
        assert!(l.accept().is_err(), "refused target must not be contacted");
    }

    #[tokio::test]
    async fn client_gives_up_after_too_many_redirects() {
        let (l, port) = listener();
        let here = format!("http://127.0.0.1:{port}/");
        let server = serve(l, vec![redirect_to(&here); MAX_REDIRECTS + 1]);
        let err = client(true).get(&here).send().await.unwrap_err();
        assert!(err.is_redirect(), "{err:?}");
        assert_eq!(server.join().unwrap(), MAX_REDIRECTS + 1);
    }
}
