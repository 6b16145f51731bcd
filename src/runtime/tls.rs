//! The TLS backend chosen by the crate's features (`default-tls`,
//! `rustls-ring`, `rustls`, `rustls-no-provider`, `native-tls`), prepared
//! before the HTTP client is built.

/// Whether this build can speak `https` at all: false when every TLS feature
/// is off, which leaves only `http` hosts (a local server, a proxy). In the
/// browser (wasm32) the page's fetch does TLS.
pub(crate) const AVAILABLE: bool = cfg!(any(
    target_arch = "wasm32",
    feature = "rustls-ring",
    feature = "rustls",
    feature = "rustls-no-provider",
    feature = "native-tls",
));

/// `builder` set to trust no root certificate at all, so that building the
/// client skips loading the system's roots (for clients with `http` hosts
/// only). Without a TLS feature there are no roots to skip.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn without_roots(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    #[cfg(any(
        feature = "rustls-ring",
        feature = "rustls",
        feature = "rustls-no-provider",
        feature = "native-tls",
    ))]
    let builder = builder.tls_certs_only([]);
    builder
}

/// With `rustls-ring` (and not reqwest's aws-lc-rs `rustls`), installs ring as
/// rustls's process-wide crypto provider, unless the program installed one
/// first: reqwest's `rustls-no-provider` needs one before a client is built.
pub(crate) fn prepare() {
    #[cfg(all(
        feature = "rustls-ring",
        not(feature = "rustls"),
        not(target_arch = "wasm32")
    ))]
    if rustls_crate::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may install one at the same moment: either is fine.
        let _ = rustls_crate::crypto::ring::default_provider().install_default();
    }
}
