//! The short paths to a client: `Client::new` and `Client::builder`, and the
//! settings that can change while it is in use (API key, user agent).

use crate::error::Error;
use crate::operations::{Client, API, API_KEY_HEADER, APP_ID_HEADER};
use crate::runtime::ClientBuilder;

impl Client {
    /// A client with the default settings, sending to `insights.algolia.io`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHeaderValue`] when the credentials have bytes a header cannot carry.
    pub fn new(app_id: impl Into<String>, api_key: impl Into<String>) -> Result<Self, Error> {
        Self::builder(app_id, api_key).build()
    }

    /// A builder to set the region, hosts, timeouts and more.
    pub fn builder(app_id: impl Into<String>, api_key: impl Into<String>) -> ClientBuilder<Client> {
        ClientBuilder::new(API, APP_ID_HEADER, API_KEY_HEADER, app_id, api_key)
    }

    /// Replaces the API key for every later request; safe while requests are
    /// in flight (they keep the key they started with).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHeaderValue`] when the key has bytes a header cannot carry; the old key stays.
    pub fn set_api_key(&self, api_key: impl AsRef<str>) -> Result<(), Error> {
        self.transport().set_api_key(api_key)
    }

    /// Appends `; name (version)` to the user agent, once.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHeaderValue`] when the segment has bytes a header cannot carry.
    pub fn add_user_agent_segment(&self, name: &str, version: Option<&str>) -> Result<(), Error> {
        self.transport().add_user_agent_segment(name, version)
    }
}
