//! Each configuration mistake has its own [`Error`] variant, so that a
//! program can tell them apart, with a message that says what is wrong and
//! why; none shows the API key, whatever it holds.

use algolia_insights::__private::{HttpRequest, Method};
use algolia_insights::{Client, Error, Region};
use std::collections::BTreeMap;

const SECRET: &str = "secret-key-5c1d";

/// The error's message and its `Debug` output, checked for the key.
fn shown(error: &Error) -> String {
    let text = format!("{error} | {error:?}");
    assert!(!text.contains(SECRET), "the key is shown: {text}");
    error.to_string()
}

#[test]
fn a_header_value_with_bytes_http_forbids_names_what_it_was_for_never_the_value() {
    let error = Client::builder("app", format!("{SECRET}\r\nx-evil: 1"))
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidHeaderValue { what } if what == "the API key"),
        "{error:?}"
    );
    assert_eq!(
        shown(&error),
        "invalid configuration: the API key contains bytes a header cannot carry (such as CR or LF)"
    );

    let error = Client::builder("app\n", SECRET).build().unwrap_err();
    assert!(
        matches!(&error, Error::InvalidHeaderValue { what } if what == "the application ID"),
        "{error:?}"
    );

    let client = Client::builder("app", SECRET)
        .hosts(["http://127.0.0.1:9"])
        .build()
        .unwrap();
    let error = client.set_api_key(format!("{SECRET}\n")).unwrap_err();
    assert!(
        shown(&error).contains("the API key contains bytes"),
        "{error}"
    );
}

#[tokio::test]
async fn a_header_option_is_checked_by_name_and_value_before_sending() {
    // Nothing listens on port 9: had the request gone out, the error would be another one.
    let client = Client::builder("app", SECRET)
        .hosts(["http://127.0.0.1:9"])
        .build()
        .unwrap();
    let error = client
        .custom_get("1/x")
        .header("x-algolia-api-key", format!("{SECRET}\r\n"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidHeaderValue { what } if what == "header `x-algolia-api-key`"),
        "{error:?}"
    );
    shown(&error);

    let error = client
        .custom_get("1/x")
        .header("x bad", "v")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidHeaderName { name } if name == "x bad"),
        "{error:?}"
    );
    assert_eq!(
        shown(&error),
        "invalid configuration: `x bad` is not a valid header name"
    );
}

#[test]
fn a_bad_host_says_which_and_why() {
    let cases = [
        ("not a url", "is not a URL"),
        ("ftp://127.0.0.1", "has a scheme other than https"),
        ("http://user:pw@127.0.0.1", "is not a base URL"),
        ("http://127.0.0.1/?a=b", "is not a base URL"),
    ];
    for (host, reason) in cases {
        let error = Client::builder("app", SECRET)
            .hosts([host])
            .build()
            .unwrap_err();
        match &error {
            Error::InvalidHost { host: given, .. } => assert_eq!(given, host),
            other => panic!("{host}: expected InvalidHost, got {other:?}"),
        }
        let text = shown(&error);
        assert!(
            text.starts_with(&format!("invalid configuration: host `{host}` {reason}")),
            "{text}"
        );
    }
}

#[test]
fn an_empty_host_list_is_its_own_mistake() {
    let error = Client::builder("app", SECRET)
        .hosts(Vec::<String>::new())
        .build()
        .unwrap_err();
    assert!(matches!(error, Error::NoHosts), "{error:?}");
    assert_eq!(
        shown(&error),
        "invalid configuration: no host to send to: the host list is empty"
    );
}

#[test]
fn a_bad_region_name_converts_into_an_error_listing_the_regions() {
    fn client_for(region: &str) -> Result<Client, Error> {
        Client::builder("app", SECRET)
            .region(region.parse::<Region>()?)
            .build()
    }
    assert!(client_for("de").is_ok());
    let error = client_for("mars").unwrap_err();
    assert!(matches!(error, Error::InvalidRegion(_)), "{error:?}");
    assert_eq!(
        shown(&error),
        "invalid configuration: `region` must be one of the following: de, us"
    );
}

#[cfg(any(
    feature = "rustls-ring",
    feature = "rustls",
    feature = "rustls-no-provider",
    feature = "native-tls",
))]
#[test]
fn an_http_client_that_cannot_be_built_keeps_the_reason() {
    // A TLS configuration of a kind no backend knows.
    let http = reqwest::Client::builder().tls_backend_preconfigured(42u8);
    let error = Client::builder("app", SECRET)
        .http_client(http)
        .build()
        .unwrap_err();
    assert!(matches!(error, Error::HttpClient(_)), "{error:?}");
    // reqwest's error is kept whole, reachable by downcasting.
    let Error::HttpClient(source) = &error else {
        unreachable!()
    };
    assert!(
        source.downcast_ref::<reqwest::Error>().is_some(),
        "{source:?}"
    );
    assert!(
        shown(&error).starts_with("cannot build the HTTP client"),
        "{error}"
    );
    assert!(
        std::error::Error::source(&error).is_some(),
        "reqwest's error is its source"
    );
}

#[test]
fn a_value_that_cannot_be_json_is_a_serialize_error_with_its_source() {
    let mut request = HttpRequest::new(Method::GET, "/1/x".into());
    let keys_not_strings = BTreeMap::from([((1, 2), "a")]);
    let error = request.query("point", &keys_not_strings).unwrap_err();
    match &error {
        Error::Serialize { what, source } => {
            assert_eq!(what, "query parameter `point`");
            assert!(
                source.to_string().contains("key must be a string"),
                "{source}"
            );
        }
        other => panic!("expected Serialize, got {other:?}"),
    }
    assert!(shown(&error).starts_with("cannot serialize query parameter `point`: "));
    assert!(std::error::Error::source(&error).is_some());
}

#[cfg(feature = "blocking")]
#[tokio::test]
async fn a_blocking_call_inside_a_runtime_is_refused_with_its_own_variant() {
    let client = Client::builder("app", SECRET)
        .hosts(["http://127.0.0.1:9"])
        .build()
        .unwrap();
    let error = client.custom_get("1/x").send_blocking().unwrap_err();
    assert!(matches!(error, Error::BlockingInsideRuntime), "{error:?}");
    assert_eq!(
        shown(&error),
        "`send_blocking` was called inside an async runtime; `.await` the request there instead"
    );
}
