//! Where a client puts its credentials, as the spec's `securitySchemes` say
//! (a header, a query parameter, or HTTP Basic), and the application ID's
//! place in host names (`https://{appId}.algolia.net`).

use crate::error::Error;

/// Where one credential goes on every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialIn {
    /// A header with this (lowercase) name.
    Header(&'static str),
    /// A query parameter with this name.
    Query(&'static str),
}

/// How an API authenticates (generated from its `securitySchemes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// The application ID (when the API takes it) and the API key, each in a
    /// header or a query parameter.
    ApiKey {
        /// Where the application ID goes; `None` when only the host names it.
        app_id: Option<CredentialIn>,
        /// Where the API key goes.
        api_key: CredentialIn,
    },
    /// HTTP Basic authentication: the application ID (or user ID) as the
    /// user name, the API key as the password.
    Basic,
    /// The spec declares no security scheme: no credential is sent.
    None,
}

impl Auth {
    /// Algolia's usual scheme: `x-algolia-application-id` and
    /// `x-algolia-api-key` headers.
    pub const ALGOLIA_HEADERS: Auth = Auth::ApiKey {
        app_id: Some(CredentialIn::Header("x-algolia-application-id")),
        api_key: CredentialIn::Header("x-algolia-api-key"),
    };
}

/// The placeholder of the application ID in a host template.
pub const APP_ID_PLACEHOLDER: &str = "{appId}";

/// Puts the application ID into a host template; the ID must be a valid
/// host-name label (letters, digits and `-`, at most 63 characters).
pub(crate) fn host_with_app_id(template: &str, app_id: &str) -> Result<String, Error> {
    if !template.contains(APP_ID_PLACEHOLDER) {
        return Ok(template.to_string());
    }
    let label_ok = !app_id.is_empty()
        && app_id.len() <= 63
        && !app_id.starts_with('-')
        && !app_id.ends_with('-')
        && app_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !label_ok {
        return Err(Error::InvalidHost {
            host: template.to_string(),
            reason: format!(
                "takes the application ID, and `{}` cannot be part of a host name: expected 1 to 63 letters, digits or `-`",
                app_id.escape_debug()
            ),
        });
    }
    Ok(template.replace(APP_ID_PLACEHOLDER, app_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_id_goes_into_the_host_only_when_it_is_a_label() {
        assert_eq!(
            host_with_app_id("https://{appId}-dsn.algolia.net", "ABC123").unwrap(),
            "https://ABC123-dsn.algolia.net"
        );
        assert_eq!(
            host_with_app_id("https://insights.algolia.io", "any thing").unwrap(),
            "https://insights.algolia.io"
        );
        for bad in ["", "a.b", "evil.com/x", "a b", "-a", &"A".repeat(64)] {
            let error = host_with_app_id("https://{appId}.algolia.net", bad).unwrap_err();
            assert!(error.to_string().contains("host name"), "{bad}: {error}");
        }
    }
}
