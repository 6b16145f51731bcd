//! The `user-agent` header: `Algolia for Rust (<version>); Insights (<version>)`
//! plus segments the user adds (`; MyApp (1.2.3)`), each once.

use reqwest::header::HeaderValue;

#[derive(Debug, Clone)]
pub(crate) struct UserAgent {
    text: String,
    header: HeaderValue,
}

impl UserAgent {
    pub fn new(api_name: &str) -> Self {
        let version = env!("CARGO_PKG_VERSION");
        let text = format!("Algolia for Rust ({version}); {api_name} ({version})");
        let header = HeaderValue::from_str(&text)
            .unwrap_or_else(|_| HeaderValue::from_static("Algolia for Rust"));
        UserAgent { text, header }
    }

    /// Appends `; name (version)` unless that segment is already there.
    pub fn add(&mut self, name: &str, version: Option<&str>) -> Result<(), crate::Error> {
        let segment = match version {
            Some(version) => format!("{name} ({version})"),
            None => name.to_string(),
        };
        if self.text.split("; ").any(|s| s == segment) {
            return Ok(());
        }
        let text = format!("{}; {segment}", self.text);
        let header =
            HeaderValue::from_str(&text).map_err(|_| crate::Error::InvalidHeaderValue {
                what: format!("the user agent segment `{}`", segment.escape_debug()),
            })?;
        self.text = text;
        self.header = header;
        Ok(())
    }

    #[cfg_attr(target_arch = "wasm32", allow(dead_code))] // A page sends `x-algolia-agent`.
    pub fn header(&self) -> &HeaderValue {
        &self.header
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_added_once_and_checked() {
        let mut ua = UserAgent::new("Insights");
        let version = env!("CARGO_PKG_VERSION");
        assert_eq!(
            ua.text(),
            format!("Algolia for Rust ({version}); Insights ({version})")
        );
        ua.add("MyApp", Some("1.2.3")).unwrap();
        ua.add("MyApp", Some("1.2.3")).unwrap();
        ua.add("Plain", None).unwrap();
        assert_eq!(
            ua.text(),
            format!("Algolia for Rust ({version}); Insights ({version}); MyApp (1.2.3); Plain")
        );
        assert!(ua.add("Evil\r\nx-injected: 1", None).is_err());
        assert!(!ua.text().contains("Evil"));
    }
}
