//! Parse phase: serde types for the subset of OpenAPI 3.0 the generator reads
//! (3.1 schemas are read in their 3.0 forms, see `model::openapi31`).
//!
//! Every object keeps the keys it does not model in `extra`, so that the model
//! phase can refuse an unsupported keyword (with its JSON pointer) instead of
//! silently ignoring it.

use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A whole OpenAPI document (or the parts of one that the generator reads).
#[derive(Debug, Clone, Deserialize)]
pub struct Document {
    pub openapi: String,
    pub info: Info,
    #[serde(default)]
    pub servers: Vec<Server>,
    #[serde(default)]
    pub paths: Map<String, Value>,
    #[serde(default)]
    pub components: Components,
    #[serde(default)]
    pub security: Vec<BTreeMap<String, Vec<String>>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Info {
    pub title: String,
    pub version: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Server {
    pub url: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub variables: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerVariable {
    #[serde(rename = "enum", default)]
    pub enumeration: Vec<String>,
    pub default: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Components {
    #[serde(default)]
    pub schemas: Map<String, Value>,
    #[serde(default)]
    pub parameters: Map<String, Value>,
    #[serde(default)]
    pub responses: Map<String, Value>,
    #[serde(default)]
    pub headers: Map<String, Value>,
    #[serde(default, rename = "requestBodies")]
    pub request_bodies: Map<String, Value>,
    #[serde(default, rename = "securitySchemes")]
    pub security_schemes: Map<String, Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SecurityScheme {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "in", default)]
    pub location: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// The HTTP scheme of `type: http` (`basic`, `bearer`).
    #[serde(default)]
    pub scheme: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// One operation under a path item (`get`, `post`, ...).
#[derive(Debug, Clone, Deserialize)]
pub struct Operation {
    #[serde(rename = "operationId")]
    pub operation_id: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub parameters: Vec<Value>,
    #[serde(rename = "requestBody", default)]
    pub request_body: Option<Value>,
    #[serde(default)]
    pub responses: Map<String, Value>,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "in")]
    pub location: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub schema: Option<Value>,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RequestBody {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub content: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Response {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub content: Map<String, Value>,
    #[serde(default)]
    pub headers: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MediaType {
    #[serde(default)]
    pub schema: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Header {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub schema: Option<Value>,
    #[serde(default)]
    pub required: bool,
}

/// A JSON Schema object as OpenAPI 3.0 defines it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Schema {
    #[serde(rename = "$ref", default)]
    pub reference: Option<String>,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub properties: Map<String, Value>,
    #[serde(default)]
    pub required: Vec<String>,
    #[serde(rename = "additionalProperties", default)]
    pub additional_properties: Option<Value>,
    #[serde(default)]
    pub items: Option<Value>,
    #[serde(rename = "enum", default)]
    pub enumeration: Option<Vec<Value>>,
    #[serde(rename = "oneOf", default)]
    pub one_of: Option<Vec<Value>>,
    #[serde(rename = "anyOf", default)]
    pub any_of: Option<Vec<Value>>,
    #[serde(rename = "allOf", default)]
    pub all_of: Option<Vec<Value>>,
    #[serde(default)]
    pub discriminator: Option<Value>,
    #[serde(default)]
    pub nullable: bool,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(rename = "readOnly", default)]
    pub read_only: bool,
    #[serde(rename = "writeOnly", default)]
    pub write_only: bool,
    #[serde(default)]
    pub default: Option<Value>,
    #[serde(default)]
    pub example: Option<Value>,
    #[serde(rename = "minLength", default)]
    pub min_length: Option<u64>,
    #[serde(rename = "maxLength", default)]
    pub max_length: Option<u64>,
    #[serde(default)]
    pub pattern: Option<String>,
    #[serde(rename = "minItems", default)]
    pub min_items: Option<u64>,
    #[serde(rename = "maxItems", default)]
    pub max_items: Option<u64>,
    #[serde(rename = "uniqueItems", default)]
    pub unique_items: bool,
    #[serde(default)]
    pub minimum: Option<f64>,
    #[serde(default)]
    pub maximum: Option<f64>,
    #[serde(rename = "exclusiveMinimum", default)]
    pub exclusive_minimum: Option<Value>,
    #[serde(rename = "exclusiveMaximum", default)]
    pub exclusive_maximum: Option<Value>,
    #[serde(rename = "multipleOf", default)]
    pub multiple_of: Option<f64>,
    /// `const` (JSON Schema; OpenAPI 3.1, but common in 3.0 documents too).
    #[serde(rename = "const", default)]
    pub constant: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Keys a schema may carry that change nothing in the generated code.
pub const IGNORED_SCHEMA_KEYS: &[&str] = &["externalDocs", "xml"];

/// The HTTP methods a path item may hold, in the order the generator emits them.
pub const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];
