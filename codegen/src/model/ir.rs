//! The model's types: a typed description of the Rust to write (types,
//! operations, servers, credentials), independent of OpenAPI.

use crate::error::{Location, Warning};
use serde_json::Value;

/// Everything the emit phase needs.
#[derive(Debug, Clone)]
pub struct Model {
    pub info: ApiInfo,
    pub servers: Servers,
    /// The security schemes, in the spec's order.
    pub auth: Vec<AuthScheme>,
    /// Which scheme carries what: read from the schemes' names and kinds.
    pub credentials: Credentials,
    pub types: Vec<TypeDef>,
    pub operations: Vec<Operation>,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone)]
pub struct ApiInfo {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    /// [`spec_hash`](crate::spec_hash) of the root document's text.
    pub spec_hash: u64,
}

/// The spec's servers: an optional templated regional host and fixed hosts.
/// A host may hold `{appId}` ([`APP_ID_PLACEHOLDER`]) where the spec's URL has
/// an application-ID variable (`https://{appId}-dsn.algolia.net`).
#[derive(Debug, Clone, Default)]
pub struct Servers {
    pub regional: Option<RegionalServer>,
    pub fixed: Vec<String>,
}

/// How the runtime writes the application ID into a host.
pub const APP_ID_PLACEHOLDER: &str = "{appId}";

#[derive(Debug, Clone)]
pub struct RegionalServer {
    /// The URL with its region variable, e.g. `https://insights.{region}.algolia.io`.
    pub template: String,
    pub variable: String,
    pub values: Vec<String>,
    pub doc: Option<String>,
}

/// A security scheme of the spec.
#[derive(Debug, Clone)]
pub struct AuthScheme {
    pub scheme: String,
    pub place: AuthPlace,
    pub doc: Option<String>,
}

/// Where a security scheme's credential goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthPlace {
    /// `type: apiKey, in: header`: the (lowercase) header name.
    Header(String),
    /// `type: apiKey, in: query`: the parameter name.
    Query(String),
    /// `type: http, scheme: basic`.
    Basic,
}

impl std::fmt::Display for AuthPlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthPlace::Header(name) => write!(f, "header {name}"),
            AuthPlace::Query(name) => write!(f, "query parameter {name}"),
            AuthPlace::Basic => f.write_str("HTTP Basic"),
        }
    }
}

/// What the client sends to authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// No security scheme: nothing is sent.
    None,
    /// HTTP Basic with the application (or user) ID and the API key.
    Basic,
    /// The application ID (when a scheme carries it) and the API key.
    ApiKey {
        app_id: Option<AuthPlace>,
        api_key: AuthPlace,
    },
}

/// A reference to a type: a primitive, a container, or a named definition.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    String,
    Integer {
        format: Option<String>,
    },
    Number,
    Boolean,
    /// Any JSON value (a free-form object, or a schema with no type).
    Any,
    Array(Box<TypeRef>),
    /// An object with only `additionalProperties` of this type.
    Map(Box<TypeRef>),
    Named(String),
    /// A value that may also be JSON `null` (a `oneOf`/`anyOf` with a
    /// `type: 'null'` variant): an `Option`.
    Nullable(Box<TypeRef>),
}

/// Constraints on a value, as the spec states them (plus our extensions).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<String>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    /// Constraints on an inline array's items.
    pub items: Option<Box<Constraints>>,
    /// `x-unix-time-unit`: `milliseconds` or `seconds`.
    pub unix_time_unit: Option<String>,
    /// `x-max-age-days`: how old a timestamp may be when sent.
    pub max_age_days: Option<u64>,
    /// `multipleOf`: the number must be a whole multiple of this.
    pub multiple_of: Option<f64>,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        self == &Constraints::default()
    }

    /// These constraints and `other`'s together: the tighter of each bound
    /// (a value must meet both sets; at most one of them has a pattern).
    pub fn and(&self, other: &Constraints) -> Constraints {
        if other.is_empty() {
            return self.clone();
        }
        fn tighter<T: PartialOrd + Copy>(a: Option<T>, b: Option<T>, lower: bool) -> Option<T> {
            match (a, b) {
                (Some(a), Some(b)) => Some(if (a > b) == lower { a } else { b }),
                (a, b) => a.or(b),
            }
        }
        // A bound keeps its exclusiveness from the set it came from.
        let bound =
            |a: Option<f64>, a_ex: bool, b: Option<f64>, b_ex: bool, lower: bool| match (a, b) {
                (Some(x), Some(y)) if x == y => (Some(x), a_ex || b_ex),
                (Some(x), Some(y)) if (x > y) == lower => (Some(x), a_ex),
                (Some(_), Some(y)) => (Some(y), b_ex),
                (Some(x), None) => (Some(x), a_ex),
                (None, y) => (y, b_ex),
            };
        let (minimum, exclusive_minimum) = bound(
            self.minimum,
            self.exclusive_minimum,
            other.minimum,
            other.exclusive_minimum,
            true,
        );
        let (maximum, exclusive_maximum) = bound(
            self.maximum,
            self.exclusive_maximum,
            other.maximum,
            other.exclusive_maximum,
            false,
        );
        Constraints {
            min_length: tighter(self.min_length, other.min_length, true),
            max_length: tighter(self.max_length, other.max_length, false),
            pattern: self.pattern.clone().or(other.pattern.clone()),
            min_items: tighter(self.min_items, other.min_items, true),
            max_items: tighter(self.max_items, other.max_items, false),
            minimum,
            maximum,
            exclusive_minimum,
            exclusive_maximum,
            items: match (&self.items, &other.items) {
                (Some(a), Some(b)) => Some(Box::new(a.and(b))),
                (a, b) => a.clone().or(b.clone()),
            },
            unix_time_unit: self.unix_time_unit.clone().or(other.unix_time_unit.clone()),
            max_age_days: tighter(self.max_age_days, other.max_age_days, false),
            multiple_of: self.multiple_of.or(other.multiple_of),
        }
    }

    /// Constraints that a value must meet to exist at all (a string's length
    /// and pattern): these make a named string a validated newtype.
    pub fn is_hard_string(&self) -> bool {
        self.min_length.is_some() || self.max_length.is_some() || self.pattern.is_some()
    }
}

/// One named Rust type to emit.
#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    /// The name in the spec (a component key, or a synthesized path).
    pub spec_name: String,
    pub doc: Option<String>,
    pub location: Location,
    pub deprecated: bool,
    pub example: Option<Value>,
    pub kind: TypeKind,
    /// Reachable from a response: must accept what a newer API sends.
    pub in_response: bool,
    /// Reachable from a request (a parameter or a body): users send it.
    pub in_request: bool,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Struct(StructDef),
    /// A string that must meet its constraints to exist.
    Newtype(Constraints),
    /// A name for another type; its constraints are checked by `validate()`.
    Alias(TypeRef, Constraints),
    /// A string enum that keeps values it does not know.
    Enum(Vec<String>),
    /// An integer enum that keeps values it does not know.
    IntEnum(Vec<i64>),
    /// A single-value string enum or a string `const`: a constant such as
    /// `eventType: "click"`.
    Const(String),
    /// A boolean `const`: the one value a flag may have.
    ConstBool(bool),
    Union(UnionDef),
    /// The headers of a response that has no body.
    Headers(Vec<Field>),
}

#[derive(Debug, Clone)]
pub struct StructDef {
    pub fields: Vec<Field>,
    /// `additionalProperties`: `None` when unknown properties are refused.
    pub additional: Option<TypeRef>,
    /// `x-same-length`: pairs of array fields (spec names) of equal length.
    pub same_length: Vec<(String, String)>,
    /// `x-max-serialized-bytes`.
    pub max_serialized_bytes: Option<u64>,
    /// `dependentRequired` (OpenAPI 3.1): when the property (spec name) is
    /// set, each of the listed ones must be set too.
    pub dependent_required: Vec<(String, Vec<String>)>,
    /// `x-discriminator-fields`: spec names of the fields that identify this
    /// struct among the variants of a union.
    pub discriminator_fields: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub json_name: String,
    pub rust_name: String,
    pub ty: TypeRef,
    pub constraints: Constraints,
    pub required: bool,
    pub nullable: bool,
    pub doc: Option<String>,
    pub deprecated: bool,
    /// Refers (directly or through a chain) to a type being defined: boxed.
    pub boxed: bool,
    /// `readOnly`: set by the server, never by the client.
    pub read_only: bool,
    /// `default`: the value the API assumes when the field is absent.
    pub default: Option<Value>,
    pub location: Location,
}

#[derive(Debug, Clone)]
pub struct UnionDef {
    pub variants: Vec<Variant>,
    /// A `type: 'null'` variant: the enum has a `Null` variant too.
    pub nullable: bool,
    pub discrimination: Discrimination,
    /// The spec says `oneOf` (exactly one variant fits), not `anyOf`.
    pub one_of: bool,
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    pub ty: TypeRef,
    pub constraints: Constraints,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Discrimination {
    /// Each variant is a struct whose `x-discriminator-fields` tell it apart.
    ByFields,
    /// The first variant whose shape fits wins (serde `untagged`).
    ByShape,
    /// OpenAPI's `discriminator`: the value of `property` names the variant.
    Tagged {
        property: String,
        /// (wire value, index of the variant) in the spec's order.
        mapping: Vec<(String, usize)>,
    },
}

/// One HTTP operation: a client method and its request builder.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub success: Success,
    /// Documented error statuses with their descriptions.
    pub errors: Vec<(String, String)>,
    /// Whether the client's credentials go with the request: `false` for an
    /// operation whose `security` is `[]` (it needs none).
    pub credentials: bool,
    pub location: Location,
}

impl Operation {
    /// The parameters the operation's method takes as arguments, in order:
    /// path parameters in path order, then the other required ones in the
    /// spec's order (a required body comes after them).
    pub fn required_params(&self) -> Vec<&Param> {
        let path_order = |p: &Param| {
            self.path
                .find(&format!("{{{}}}", p.name))
                .unwrap_or(usize::MAX)
        };
        let mut params: Vec<&Param> = self.params.iter().filter(|p| p.required).collect();
        params.sort_by_key(|p| (p.location != ParamLocation::Path, path_order(p)));
        params
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub rust_name: String,
    pub location: ParamLocation,
    pub required: bool,
    pub ty: TypeRef,
    pub constraints: Constraints,
    pub doc: Option<String>,
    /// `x-allow-slashes`: a path parameter whose `/` separate segments.
    pub allow_slashes: bool,
}

#[derive(Debug, Clone)]
pub struct Body {
    pub rust_name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Success {
    Json(TypeRef),
    Text,
    /// A response with headers and no body: the named `Headers` type.
    Headers(String),
    Empty,
}
