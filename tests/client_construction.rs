//! Building a client whose hosts are all plain `http://` does not load the
//! system's root certificates: it never makes a TLS connection. Checked by
//! pointing the certificate store at an empty file (`SSL_CERT_FILE`), where
//! a client that loads the roots fails to build (with rustls; OpenSSL does
//! not mind an empty store). Its own test binary: it
//! sets an environment variable for the whole process.

use algolia_insights::Client;

#[test]
fn plain_http_hosts_build_without_root_certificates() {
    // SAFETY: this test binary has a single test, so no other thread reads
    // the environment while it changes.
    unsafe {
        std::env::remove_var("SSL_CERT_DIR");
        std::env::set_var("SSL_CERT_FILE", "/dev/null");
    }
    let http = Client::builder("app", "key")
        .hosts(["http://127.0.0.1:9", "http://localhost:9"])
        .build();
    assert!(http.is_ok(), "{:?}", http.err());

    // The control: with an https host, the roots are loaded, and there are
    // none. Only rustls fails on that; OpenSSL (`native-tls`, which reqwest
    // prefers when both are on, as under --all-features) builds with an
    // empty store, so `.ci/run` runs this test with the default features too.
    if cfg!(feature = "native-tls") {
        return;
    }
    let https = Client::builder("app", "key")
        .hosts(["http://127.0.0.1:9", "https://127.0.0.1:9"])
        .build();
    let error = https.expect_err("no root certificate could be loaded");
    assert!(
        error.to_string().contains("cannot build the HTTP client"),
        "{error}"
    );
}
