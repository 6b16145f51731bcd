//! Model phase: turns the parsed, resolvable spec into a typed description of
//! the Rust to write (types and operations), refusing anything it cannot
//! represent with an error that names the JSON pointer.

use crate::error::{Error, Location, Result, Warning};
use crate::names::{pascal_case, snake_case};
use crate::openapi::{self, Schema, IGNORED_SCHEMA_KEYS, METHODS};
use crate::resolve::{ref_of, Loader};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

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

/// Schema keys the model reads; anything else (but `x-` extensions and the
/// ignorable ones) is refused.
const KNOWN_SCHEMA_KEYS: &[&str] = &[
    "$ref",
    "type",
    "format",
    "title",
    "description",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "oneOf",
    "anyOf",
    "allOf",
    "discriminator",
    "nullable",
    "deprecated",
    "readOnly",
    "writeOnly",
    "default",
    "example",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "const",
    "multipleOf",
];

/// Choices of the model phase.
#[derive(Debug, Clone, Default)]
pub struct ModelOptions {
    /// Skip (with a warning) an operation that uses a construct the generator
    /// cannot handle, instead of failing.
    pub allow_unsupported: bool,
}

/// Builds the model of a loaded spec.
pub fn build(loader: &Loader) -> Result<Model> {
    build_with(loader, &ModelOptions::default())
}

/// Builds the model of a loaded spec with options.
pub fn build_with(loader: &Loader, options: &ModelOptions) -> Result<Model> {
    let root = loader.root();
    let at = Location::root();
    let doc: openapi::Document = parse_at(root, &at)?;
    let mut builder = Builder {
        loader,
        types: Vec::new(),
        by_location: BTreeMap::new(),
        taken: BTreeSet::new(),
        in_progress: Vec::new(),
        warnings: Vec::new(),
    };
    if !doc.openapi.starts_with("3.0") {
        return Err(Error::new(
            &at.key("openapi"),
            format!(
                "OpenAPI version `{}` is not supported: expected 3.0.x",
                doc.openapi
            ),
        ));
    }
    for key in doc.info.extra.keys().filter(|k| !k.starts_with("x-")) {
        builder.warn(
            &at.key("info").key(key),
            format!("`{key}` is not an OpenAPI 3.0 key (3.1?); ignored"),
        );
    }
    let servers = builder.servers(&doc.servers, &at.key("servers"))?;
    let auth = builder.auth_schemes(&doc, &at)?;
    let credentials = credentials(&auth, &at.key("components").key("securitySchemes"))?;

    let schemas_at = at.key("components").key("schemas");
    for name in doc.components.schemas.keys() {
        builder.named_type(&schemas_at.key(name))?;
    }
    let mut operations = Vec::new();
    let paths_at = at.key("paths");
    for (path, item) in &doc.paths {
        let item_at = paths_at.key(path);
        let (item, item_at) = loader.resolve(item, &item_at)?;
        let item = item
            .as_object()
            .ok_or_else(|| Error::new(&item_at, "a path item must be an object"))?;
        let shared_params = item
            .get("parameters")
            .cloned()
            .unwrap_or(Value::Array(vec![]));
        for key in item.keys() {
            let known = METHODS.contains(&key.as_str())
                || ["parameters", "summary", "description", "servers"].contains(&key.as_str())
                || key.starts_with("x-");
            if !known {
                return Err(Error::new(
                    &item_at.key(key),
                    format!("unsupported path item key `{key}`"),
                ));
            }
        }
        for method in METHODS {
            if let Some(op) = item.get(*method) {
                let op_at = item_at.key(method);
                if op.get("x-helper") == Some(&Value::Bool(true)) {
                    // A helper of Algolia's clients (`setClientApiKey`), not an endpoint.
                    builder.warn(
                        &op_at,
                        "`x-helper: true`: a client helper, not an HTTP endpoint; not emitted",
                    );
                    continue;
                }
                match builder.operation(path, method, op, &op_at, &shared_params, &item_at) {
                    Ok(operation) => operations.push(operation),
                    Err(error) if options.allow_unsupported => {
                        builder.forget_unfinished();
                        builder.warn(
                            &op_at,
                            format!("operation skipped (--allow-unsupported): {error}"),
                        );
                    }
                    Err(error) => return Err(error),
                }
            }
        }
    }
    let mut seen = BTreeMap::new();
    for op in &operations {
        if let Some(previous) = seen.insert(snake_case(&op.id), op.location.clone()) {
            return Err(Error::new(
                &op.location.key("operationId"),
                format!(
                    "operationId `{}` names the same method as the operation at {previous}",
                    op.id
                ),
            ));
        }
    }
    let mut types: Vec<TypeDef> = builder.types.into_iter().flatten().collect();
    mark_response_types(&mut types, &operations);
    mark_request_types(&mut types, &operations);
    Ok(Model {
        info: ApiInfo {
            title: doc.info.title,
            version: doc.info.version,
            description: doc.info.description,
        },
        servers,
        auth,
        credentials,
        types,
        operations,
        warnings: builder.warnings,
    })
}

fn parse_at<T: DeserializeOwned>(value: &Value, at: &Location) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut location = at.clone();
        for segment in e.path().iter() {
            location = match segment {
                serde_path_to_error::Segment::Seq { index } => location.index(*index),
                serde_path_to_error::Segment::Map { key } => location.key(key),
                serde_path_to_error::Segment::Enum { variant } => location.key(variant),
                serde_path_to_error::Segment::Unknown => location,
            };
        }
        Error::new(&location, e.into_inner().to_string())
    })
}

struct Builder<'a> {
    loader: &'a Loader,
    /// Slots in emit order; a slot is filled once its definition is built.
    types: Vec<Option<TypeDef>>,
    by_location: BTreeMap<Location, (String, usize)>,
    taken: BTreeSet<String>,
    in_progress: Vec<String>,
    warnings: Vec<Warning>,
}

impl Builder<'_> {
    /// Drops the names of definitions that failed half-way (a skipped operation's).
    fn forget_unfinished(&mut self) {
        let types = &self.types;
        self.by_location
            .retain(|_, (_, slot)| types[*slot].is_some());
        let kept: BTreeSet<String> = self
            .by_location
            .values()
            .map(|(name, _)| name.clone())
            .collect();
        self.taken
            .retain(|name| kept.contains(name) || types.iter().flatten().any(|t| &t.name == name));
        self.in_progress.clear();
    }

    fn warn(&mut self, at: &Location, message: impl Into<String>) {
        self.warnings.push(Warning {
            location: at.clone(),
            message: message.into(),
        });
    }

    fn servers(&mut self, servers: &[openapi::Server], at: &Location) -> Result<Servers> {
        let mut out = Servers::default();
        for (i, server) in servers.iter().enumerate() {
            let server_at = at.index(i);
            let mut url = server.url.trim_end_matches('/').to_string();
            let mut region = None;
            for (name, variable) in &server.variables {
                let variable_at = server_at.key("variables").key(name);
                let variable: openapi::ServerVariable = parse_at(variable, &variable_at)?;
                let placeholder = format!("{{{name}}}");
                if !url.contains(&placeholder) {
                    return Err(Error::new(
                        &variable_at,
                        format!("the URL `{}` has no `{placeholder}`", server.url),
                    ));
                }
                if !variable.enumeration.is_empty() {
                    if region.is_some() {
                        return Err(Error::new(
                            &variable_at,
                            "only one server variable with an `enum` (a region) is supported",
                        ));
                    }
                    region = Some((name.clone(), variable));
                } else if is_app_id_name(name) {
                    // The client's application ID: the runtime checks that it is a host label.
                    url = url.replace(&placeholder, APP_ID_PLACEHOLDER);
                } else {
                    return Err(Error::new(
                        &variable_at,
                        "a server variable must list its values in an `enum` (a region) \
                         or be the application ID (`appId`)",
                    ));
                }
            }
            let unknown = url
                .replace(APP_ID_PLACEHOLDER, "")
                .split('{')
                .nth(1)
                .and_then(|rest| rest.split_once('}'))
                .map(|(name, _)| name.to_string());
            if let Some(name) = unknown.filter(|n| region.as_ref().is_none_or(|(r, _)| r != n)) {
                return Err(Error::new(
                    &server_at.key("url"),
                    format!("the URL names `{{{name}}}` but declares no such variable"),
                ));
            }
            match region {
                None => out.fixed.push(url),
                Some((name, variable)) => {
                    if out.regional.is_some() {
                        return Err(Error::new(
                            &server_at,
                            "only one templated (regional) server is supported",
                        ));
                    }
                    out.regional = Some(RegionalServer {
                        template: url,
                        variable: name,
                        values: variable.enumeration,
                        doc: variable.description,
                    });
                }
            }
        }
        if out.fixed.is_empty() && out.regional.is_none() {
            return Err(Error::new(at, "the spec names no server"));
        }
        Ok(out)
    }

    fn auth_schemes(&mut self, doc: &openapi::Document, at: &Location) -> Result<Vec<AuthScheme>> {
        let schemes_at = at.key("components").key("securitySchemes");
        let mut out = Vec::new();
        for (name, scheme) in &doc.components.security_schemes {
            let scheme_at = schemes_at.key(name);
            let (scheme, scheme_at) = self.loader.resolve(scheme, &scheme_at)?;
            let scheme: openapi::SecurityScheme = parse_at(scheme, &scheme_at)?;
            let place = match (scheme.kind.as_str(), scheme.location.as_deref()) {
                ("apiKey", Some(location @ ("header" | "query"))) => {
                    let key = scheme
                        .name
                        .ok_or_else(|| Error::new(&scheme_at, "an apiKey scheme needs a `name`"))?;
                    if location == "header" {
                        AuthPlace::Header(key.to_ascii_lowercase())
                    } else {
                        AuthPlace::Query(key)
                    }
                }
                ("http", _)
                    if scheme
                        .scheme
                        .as_deref()
                        .is_some_and(|s| s.eq_ignore_ascii_case("basic")) =>
                {
                    AuthPlace::Basic
                }
                _ => {
                    return Err(Error::new(
                        &scheme_at,
                        "supported security schemes: an API key in a header or a query \
                         parameter (`type: apiKey`, `in: header|query`), HTTP Basic \
                         (`type: http`, `scheme: basic`)",
                    ))
                }
            };
            out.push(AuthScheme {
                scheme: name.clone(),
                place,
                doc: scheme.description,
            });
        }
        Ok(out)
    }

    fn unique_name(&mut self, wanted: &str) -> String {
        let mut base = pascal_case(wanted);
        // A unit or tuple struct named like a prelude value would shadow it in
        // derived code the generator does not write (`Some(..)` in derives).
        if ["Some", "None", "Ok", "Err"].contains(&base.as_str()) {
            base.push('_');
        }
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }

    fn parse_schema(&mut self, value: &Value, at: &Location) -> Result<Schema> {
        if value.is_boolean() {
            return Ok(Schema::default());
        }
        let schema: Schema = parse_at(value, at)?;
        for key in schema.extra.keys() {
            if key.starts_with("x-") || IGNORED_SCHEMA_KEYS.contains(&key.as_str()) {
                continue;
            }
            if key == "examples" {
                self.warn(
                    &at.key(key),
                    "`examples` in a schema is OpenAPI 3.1; ignored (use `example`)",
                );
                continue;
            }
            return Err(Error::new(
                &at.key(key),
                format!(
                    "unsupported schema keyword `{key}` (supported: {})",
                    KNOWN_SCHEMA_KEYS.join(", ")
                ),
            ));
        }
        if let Some(kind) = &schema.kind {
            if ![
                "string", "integer", "number", "boolean", "array", "object", "null",
            ]
            .contains(&kind.as_str())
            {
                return Err(Error::new(
                    &at.key("type"),
                    format!("unknown type `{kind}`"),
                ));
            }
        }
        for key in ["exclusiveMinimum", "exclusiveMaximum"] {
            let v = if key == "exclusiveMinimum" {
                &schema.exclusive_minimum
            } else {
                &schema.exclusive_maximum
            };
            if v.as_ref().is_some_and(|v| !v.is_boolean()) {
                return Err(Error::new(
                    &at.key(key),
                    format!("`{key}` must be a boolean in OpenAPI 3.0 (a number is 3.1)"),
                ));
            }
        }
        Ok(schema)
    }

    fn constraints(&mut self, schema: &Schema, at: &Location) -> Result<Constraints> {
        if let Some(pattern) = &schema.pattern {
            if let Err(e) = regex_syntax::Parser::new().parse(pattern) {
                return Err(Error::new(
                    &at.key("pattern"),
                    format!("invalid regular expression: {e}"),
                ));
            }
            if !pattern.starts_with('^') || !pattern.ends_with('$') {
                self.warn(
                    &at.key("pattern"),
                    "pattern is not anchored with ^…$: it matches anywhere in the value",
                );
            }
        }
        let unix_time_unit = match schema.extra.get("x-unix-time-unit") {
            None => None,
            Some(Value::String(unit)) if unit == "milliseconds" || unit == "seconds" => {
                Some(unit.clone())
            }
            Some(_) => {
                return Err(Error::new(
                    &at.key("x-unix-time-unit"),
                    "expected `milliseconds` or `seconds`",
                ))
            }
        };
        let multiple_of = match schema.multiple_of {
            Some(m) if m > 0.0 && m.is_finite() => Some(m),
            Some(_) => {
                return Err(Error::new(
                    &at.key("multipleOf"),
                    "`multipleOf` must be a number greater than 0",
                ))
            }
            None => None,
        };
        let max_age_days = match schema.extra.get("x-max-age-days") {
            None => None,
            Some(v) => Some(v.as_u64().ok_or_else(|| {
                Error::new(&at.key("x-max-age-days"), "expected a whole number of days")
            })?),
        };
        Ok(Constraints {
            min_length: schema.min_length,
            max_length: schema.max_length,
            pattern: schema.pattern.clone(),
            min_items: schema.min_items,
            max_items: schema.max_items,
            minimum: schema.minimum,
            maximum: schema.maximum,
            exclusive_minimum: schema.exclusive_minimum == Some(Value::Bool(true)),
            exclusive_maximum: schema.exclusive_maximum == Some(Value::Bool(true)),
            items: None,
            unix_time_unit,
            max_age_days,
            multiple_of,
        })
    }

    /// The type of a schema found at `at`; inline schemas that need a name get
    /// one made from `hint`.
    fn type_of(
        &mut self,
        value: &Value,
        at: &Location,
        hint: &str,
    ) -> Result<(TypeRef, Constraints)> {
        if let Some(reference) = ref_of(value) {
            self.loader.ref_target(reference, at)?;
            let (_, resolved_at) = self.loader.resolve(value, at)?;
            let name = self.named_type(&resolved_at)?;
            return Ok((TypeRef::Named(name), Constraints::default()));
        }
        let schema = self.parse_schema(value, at)?;
        if let Some((key, index, variant)) = self.single_non_null(&schema, at)? {
            let (ty, constraints) = self.type_of(variant, &at.key(key).index(index), hint)?;
            return Ok((nullable(ty), constraints));
        }
        if schema.kind.as_deref() == Some("null") {
            return Err(Error::new(
                &at.key("type"),
                "`type: 'null'` is supported only as a variant of `oneOf`/`anyOf` (a nullable value)",
            ));
        }
        if needs_definition(&schema) {
            let name = self.define_inline(value, at, hint)?;
            return Ok((TypeRef::Named(name), Constraints::default()));
        }
        if let Some(all_of) = &schema.all_of {
            // A lone `allOf` wrapper (often `$ref` plus a description).
            if all_of.len() == 1 {
                return self.type_of(&all_of[0], &at.key("allOf").index(0), hint);
            }
        }
        let mut constraints = self.constraints(&schema, at)?;
        let ty = match schema.kind.as_deref() {
            Some("string") => TypeRef::String,
            Some("integer") => TypeRef::Integer {
                format: schema.format.clone(),
            },
            Some("number") => TypeRef::Number,
            Some("boolean") => TypeRef::Boolean,
            Some("array") => {
                let items_at = at.key("items");
                let items = schema
                    .items
                    .as_ref()
                    .ok_or_else(|| Error::new(at, "an array schema needs `items`"))?;
                let (item_ty, item_constraints) =
                    match items {
                        // `items: [...]` (a tuple) is not OpenAPI 3.0: one schema in
                        // the list is read as the schema of every item; more are not.
                        Value::Array(list) if list.len() == 1 => {
                            self.warn(
                                &items_at,
                                "`items` is a list (a tuple, not OpenAPI 3.0): its one schema is \
                             taken as the schema of every item",
                            );
                            self.type_of(&list[0], &items_at.index(0), &format!("{hint}Item"))?
                        }
                        Value::Array(_) => return Err(Error::new(
                            &items_at,
                            "`items` is a list of several schemas (a tuple), which OpenAPI 3.0 \
                             does not have",
                        )),
                        items => self.type_of(items, &items_at, &format!("{hint}Item"))?,
                    };
                if !item_constraints.is_empty() {
                    constraints.items = Some(Box::new(item_constraints));
                }
                TypeRef::Array(Box::new(item_ty))
            }
            Some("object") | None => match &schema.additional_properties {
                Some(Value::Bool(true)) | None => TypeRef::Any,
                Some(Value::Bool(false)) => TypeRef::Any,
                Some(inner) => {
                    let (inner_ty, _) = self.type_of(
                        inner,
                        &at.key("additionalProperties"),
                        &format!("{hint}Value"),
                    )?;
                    TypeRef::Map(Box::new(inner_ty))
                }
            },
            Some(other) => {
                return Err(Error::new(
                    &at.key("type"),
                    format!("unknown type `{other}`"),
                ))
            }
        };
        Ok((ty, constraints))
    }

    /// A `oneOf`/`anyOf` of one schema and `type: 'null'`: (key, index, the
    /// schema). Such a union is that schema's type, nullable.
    fn single_non_null<'s>(
        &mut self,
        schema: &'s Schema,
        at: &Location,
    ) -> Result<Option<(&'static str, usize, &'s Value)>> {
        let (key, variants) = match (&schema.one_of, &schema.any_of) {
            (Some(v), _) => ("oneOf", v),
            (None, Some(v)) => ("anyOf", v),
            _ => return Ok(None),
        };
        if schema.discriminator.is_some() || !schema.properties.is_empty() {
            return Ok(None);
        }
        let mut rest = Vec::new();
        for (i, v) in variants.iter().enumerate() {
            if !self.is_null_schema(v, &at.key(key).index(i))? {
                rest.push((i, v));
            }
        }
        Ok(match rest.as_slice() {
            [(i, v)] if variants.len() > 1 => Some((key, *i, *v)),
            _ => None,
        })
    }

    /// `{type: 'null'}` (with a description at most), possibly behind a `$ref`.
    fn is_null_schema(&mut self, value: &Value, at: &Location) -> Result<bool> {
        let (value, _) = self.loader.resolve(value, at)?;
        Ok(value.get("type").and_then(Value::as_str) == Some("null"))
    }

    fn define_inline(&mut self, value: &Value, at: &Location, hint: &str) -> Result<String> {
        if let Some((name, _)) = self.by_location.get(at) {
            return Ok(name.clone());
        }
        let name = self.unique_name(hint);
        self.define(name, hint.to_string(), value, at)
    }

    /// The name of the type defined at a location, defining it on first use.
    fn named_type(&mut self, at: &Location) -> Result<String> {
        if let Some((name, _)) = self.by_location.get(at) {
            return Ok(name.clone());
        }
        let spec_name = match at.pointer.as_str() {
            "#" => at
                .file
                .as_deref()
                .map(|f| {
                    f.rsplit('/')
                        .next()
                        .unwrap_or(f)
                        .trim_end_matches(".json")
                        .to_string()
                })
                .unwrap_or_else(|| "Root".to_string()),
            _ => at.last_segment(),
        };
        let value = self
            .loader
            .get(at)
            .ok_or_else(|| Error::new(at, "`$ref` points at nothing"))?
            .clone();
        if ref_of(&value).is_some() {
            // A component that is only a reference to another: use the target's name.
            let (_, target_at) = self.loader.resolve(&value, at)?;
            return self.named_type(&target_at);
        }
        let name = self.unique_name(&spec_name);
        self.define(name, spec_name, &value, at)
    }

    fn define(
        &mut self,
        name: String,
        spec_name: String,
        value: &Value,
        at: &Location,
    ) -> Result<String> {
        let slot = self.types.len();
        self.types.push(None);
        self.by_location.insert(at.clone(), (name.clone(), slot));
        self.in_progress.push(name.clone());
        let result = self.build_def(&name, value, at);
        self.in_progress.pop();
        let (kind, schema) = result?;
        self.types[slot] = Some(TypeDef {
            name: name.clone(),
            spec_name,
            doc: schema.description.clone().or(schema.title.clone()),
            location: at.clone(),
            deprecated: schema.deprecated,
            example: schema.example.clone(),
            kind,
            in_response: false,
            in_request: false,
        });
        Ok(name)
    }

    fn build_def(
        &mut self,
        name: &str,
        value: &Value,
        at: &Location,
    ) -> Result<(TypeKind, Schema)> {
        let schema = self.parse_schema(value, at)?;
        if let Some((key, index, variant)) = self.single_non_null(&schema, at)? {
            let (ty, constraints) =
                self.type_of(variant, &at.key(key).index(index), &format!("{name}Inner"))?;
            return Ok((TypeKind::Alias(nullable(ty), constraints), schema));
        }
        if let Some(variants) = schema.one_of.as_ref().or(schema.any_of.as_ref()) {
            let key = if schema.one_of.is_some() {
                "oneOf"
            } else {
                "anyOf"
            };
            let mut union = self.union(name, variants, &at.key(key))?;
            if let Some(discriminator) = &schema.discriminator {
                union.discrimination = self.tagged(
                    discriminator,
                    variants,
                    &union,
                    &at.key(key),
                    &at.key("discriminator"),
                )?;
            }
            if union.nullable && union.discrimination != Discrimination::ByShape {
                return Err(Error::new(
                    &at.key(key),
                    "a `type: 'null'` variant is supported only in a union told apart by shape \
                     (no `discriminator`, no `x-discriminator-fields`)",
                ));
            }
            return Ok((TypeKind::Union(union), schema));
        }
        if let Some(constant) = &schema.constant {
            return match constant {
                Value::String(value) => Ok((TypeKind::Const(value.clone()), schema)),
                Value::Bool(value) => Ok((TypeKind::ConstBool(*value), schema)),
                _ => Err(Error::new(
                    &at.key("const"),
                    "only string and boolean `const` values are supported",
                )),
            };
        }
        if let Some(values) = &schema.enumeration {
            if schema.kind.as_deref() == Some("integer") {
                let mut integers = Vec::new();
                for (i, v) in values.iter().enumerate() {
                    integers.push(v.as_i64().ok_or_else(|| {
                        Error::new(
                            &at.key("enum").index(i),
                            "an integer enum value must be a whole number",
                        )
                    })?);
                }
                if integers.is_empty() {
                    return Err(Error::new(
                        &at.key("enum"),
                        "an enum needs at least one value",
                    ));
                }
                return Ok((TypeKind::IntEnum(integers), schema));
            }
            let mut strings = Vec::new();
            for (i, v) in values.iter().enumerate() {
                match v {
                    Value::String(s) => strings.push(s.clone()),
                    _ => {
                        return Err(Error::new(
                            &at.key("enum").index(i),
                            "only string and integer enums are supported",
                        ))
                    }
                }
            }
            if strings.is_empty() {
                return Err(Error::new(
                    &at.key("enum"),
                    "an enum needs at least one value",
                ));
            }
            let kind = if strings.len() == 1 {
                TypeKind::Const(strings.remove(0))
            } else {
                TypeKind::Enum(strings)
            };
            return Ok((kind, schema));
        }
        if schema.all_of.as_ref().is_some_and(|a| a.len() > 1) {
            let merged = self.merge_all_of(&schema, at)?;
            let fields = self.struct_def(name, &merged, at)?;
            return Ok((TypeKind::Struct(fields), schema));
        }
        let is_object = schema.kind.as_deref() == Some("object")
            || (schema.kind.is_none() && !schema.properties.is_empty());
        if is_object && !schema.properties.is_empty() {
            let def = self.struct_def(name, &schema, at)?;
            return Ok((TypeKind::Struct(def), schema));
        }
        if schema.kind.as_deref() == Some("string") {
            let constraints = self.constraints(&schema, at)?;
            if constraints.is_hard_string() {
                return Ok((TypeKind::Newtype(constraints), schema));
            }
        }
        let (ty, constraints) = self.type_of(value, at, &format!("{name}Inner"))?;
        if ty == TypeRef::Named(name.to_string()) {
            return Err(Error::new(at, "a schema that only refers to itself"));
        }
        Ok((TypeKind::Alias(ty, constraints), schema))
    }

    fn merge_all_of(&mut self, schema: &Schema, at: &Location) -> Result<Schema> {
        let mut merged = Schema {
            kind: Some("object".into()),
            additional_properties: schema.additional_properties.clone(),
            ..Schema::default()
        };
        merged.properties = schema.properties.clone();
        merged.required = schema.required.clone();
        merged.extra = schema.extra.clone();
        for (i, part) in schema.all_of.iter().flatten().enumerate() {
            let part_at = at.key("allOf").index(i);
            let (part, part_at) = self.loader.resolve(part, &part_at)?;
            let part = self.parse_schema(part, &part_at)?;
            let part = if part.all_of.is_some() {
                self.merge_all_of(&part, &part_at)?
            } else {
                part
            };
            if part.kind.as_deref().is_some_and(|k| k != "object") {
                return Err(Error::new(
                    &part_at,
                    "`allOf` can only combine object schemas",
                ));
            }
            for (k, v) in part.properties {
                merged.properties.insert(k, v);
            }
            merged.required.extend(part.required);
            for (k, v) in part.extra {
                merged.extra.entry(k).or_insert(v);
            }
        }
        Ok(merged)
    }

    fn struct_def(&mut self, name: &str, schema: &Schema, at: &Location) -> Result<StructDef> {
        let props_at = at.key("properties");
        let mut fields = Vec::new();
        let mut rust_names = BTreeSet::new();
        for (json_name, prop) in &schema.properties {
            let prop_at = props_at.key(json_name);
            let hint = format!("{name}{}", pascal_case(json_name));
            let (ty, constraints) = self.type_of(prop, &prop_at, &hint)?;
            // `oneOf: [X, {type: 'null'}]` on a property: an `Option<X>` field.
            let (ty, null_variant) = match ty {
                TypeRef::Nullable(inner) => (*inner, true),
                ty => (ty, false),
            };
            let (resolved, _) = self.loader.resolve(prop, &prop_at)?;
            let resolved_schema: Schema = if resolved.is_object() {
                parse_at(resolved, &prop_at)?
            } else {
                Schema::default()
            };
            let inline: Schema = if prop.is_object() && ref_of(prop).is_none() {
                parse_at(prop, &prop_at)?
            } else {
                Schema::default()
            };
            let mut rust_name = snake_case(json_name);
            while !rust_names.insert(rust_name.clone()) {
                rust_name.push('_');
            }
            let boxed = matches!(&ty, TypeRef::Named(n) if self.in_progress.contains(n));
            let read_only = inline.read_only || resolved_schema.read_only;
            let mut doc = inline
                .description
                .clone()
                .or(resolved_schema.description.clone());
            let format = inline
                .format
                .as_deref()
                .or(resolved_schema.format.as_deref());
            if let Some(format @ ("date-time" | "date" | "uuid" | "uri" | "email")) = format {
                // A documented choice: no date or UUID crate; the value is kept as the API sends it.
                let note = format!("Format `{format}`, kept as the string the API sends.");
                doc = Some(match doc {
                    Some(d) => format!("{d}\n\n{note}"),
                    None => note,
                });
            }
            fields.push(Field {
                json_name: json_name.clone(),
                rust_name,
                // A read-only property is required only in responses: optional in Rust.
                required: schema.required.contains(json_name) && !read_only,
                nullable: null_variant || inline.nullable || resolved_schema.nullable,
                doc,
                deprecated: inline.deprecated || resolved_schema.deprecated,
                ty,
                constraints,
                boxed,
                read_only,
                default: inline.default.clone().or(resolved_schema.default.clone()),
                location: prop_at,
            });
        }
        for (i, required) in schema.required.iter().enumerate() {
            if !schema.properties.contains_key(required) {
                self.warn(
                    &at.key("required").index(i),
                    format!("`{required}` is required but not among the properties: ignored"),
                );
            }
        }
        let additional = match &schema.additional_properties {
            Some(Value::Bool(false)) => None,
            Some(Value::Bool(true)) | None => Some(TypeRef::Any),
            Some(inner) => Some(
                self.type_of(
                    inner,
                    &at.key("additionalProperties"),
                    &format!("{name}Value"),
                )?
                .0,
            ),
        };
        let string_list = |key: &str| -> Result<Vec<String>> {
            match schema.extra.get(key) {
                None => Ok(Vec::new()),
                Some(v) => serde_json::from_value(v.clone())
                    .map_err(|_| Error::new(&at.key(key), "expected a list of property names")),
            }
        };
        let discriminator_fields = string_list("x-discriminator-fields")?;
        for (i, field) in discriminator_fields.iter().enumerate() {
            if !schema.properties.contains_key(field) {
                return Err(Error::new(
                    &at.key("x-discriminator-fields").index(i),
                    format!("`{field}` is not a property of this schema"),
                ));
            }
        }
        let mut same_length = Vec::new();
        if let Some(pairs) = schema.extra.get("x-same-length") {
            let pairs: Vec<(String, String)> =
                serde_json::from_value(pairs.clone()).map_err(|_| {
                    Error::new(
                        &at.key("x-same-length"),
                        "expected a list of [property, property] pairs",
                    )
                })?;
            for (i, (a, b)) in pairs.into_iter().enumerate() {
                for p in [&a, &b] {
                    let is_array = fields
                        .iter()
                        .find(|f| &f.json_name == p)
                        .is_some_and(|f| self.is_array(&f.ty));
                    if !is_array {
                        return Err(Error::new(
                            &at.key("x-same-length").index(i),
                            format!("`{p}` is not an array property of this schema"),
                        ));
                    }
                }
                same_length.push((a, b));
            }
        }
        let max_serialized_bytes = match schema.extra.get("x-max-serialized-bytes") {
            None => None,
            Some(v) => Some(v.as_u64().ok_or_else(|| {
                Error::new(
                    &at.key("x-max-serialized-bytes"),
                    "expected a whole number of bytes",
                )
            })?),
        };
        Ok(StructDef {
            fields,
            additional,
            same_length,
            max_serialized_bytes,
            discriminator_fields,
        })
    }

    fn is_array(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Array(_) => true,
            TypeRef::Named(name) => self.types.iter().flatten().any(|t| {
                &t.name == name
                    && matches!(&t.kind, TypeKind::Alias(inner, _) if self.is_array(inner))
            }),
            _ => false,
        }
    }

    fn union(&mut self, name: &str, variants: &[Value], at: &Location) -> Result<UnionDef> {
        let mut out: Vec<Variant> = Vec::new();
        let mut nullable = false;
        for (i, variant) in variants.iter().enumerate() {
            let variant_at = at.index(i);
            if self.is_null_schema(variant, &variant_at)? {
                nullable = true;
                continue;
            }
            let (ty, constraints) =
                self.type_of(variant, &variant_at, &format!("{name}Variant{i}"))?;
            let base = match &ty {
                TypeRef::Named(n) => n.clone(),
                TypeRef::String => "String".into(),
                TypeRef::Integer { .. } => "Integer".into(),
                TypeRef::Number => "Number".into(),
                TypeRef::Boolean => "Boolean".into(),
                TypeRef::Any => "Object".into(),
                TypeRef::Array(_) => "Array".into(),
                TypeRef::Map(_) => "Map".into(),
                TypeRef::Nullable(_) => "Nullable".into(),
            };
            if out.iter().any(|v| v.ty == ty) {
                return Err(Error::new(
                    &variant_at,
                    "this variant repeats an earlier one: the union would be ambiguous",
                ));
            }
            let mut variant_name = base.clone();
            let mut n = 2;
            while out.iter().any(|v| v.name == variant_name) {
                variant_name = format!("{base}{n}");
                n += 1;
            }
            out.push(Variant {
                name: variant_name,
                ty,
                constraints,
            });
        }
        if out.is_empty() {
            return Err(Error::new(at, "a union needs at least one variant"));
        }
        let by_fields = out.iter().all(|v| match &v.ty {
            TypeRef::Named(n) => self.types.iter().flatten().any(|t| {
                &t.name == n
                    && matches!(&t.kind, TypeKind::Struct(s) if !s.discriminator_fields.is_empty())
            }),
            _ => false,
        });
        Ok(UnionDef {
            variants: out,
            nullable,
            discrimination: if by_fields {
                Discrimination::ByFields
            } else {
                Discrimination::ByShape
            },
        })
    }

    /// `discriminator: {propertyName, mapping}`: which value names which variant.
    fn tagged(
        &mut self,
        discriminator: &Value,
        variants: &[Value],
        union: &UnionDef,
        variants_at: &Location,
        at: &Location,
    ) -> Result<Discrimination> {
        let property = discriminator
            .get("propertyName")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::new(at, "a `discriminator` needs a `propertyName`"))?
            .to_string();
        let mut mapping: Vec<(String, usize)> = Vec::new();
        if let Some(explicit) = discriminator.get("mapping") {
            let explicit = explicit.as_object().ok_or_else(|| {
                Error::new(&at.key("mapping"), "`mapping` must map values to `$ref`s")
            })?;
            for (value, target) in explicit {
                let target_at = at.key("mapping").key(value);
                let target = target.as_str().ok_or_else(|| {
                    Error::new(&target_at, "a mapping target must be a `$ref` string")
                })?;
                let target = self
                    .loader
                    .ref_target(target, at)
                    .map_err(|e| Error::new(&target_at, e.reason))?;
                let index = variants
                    .iter()
                    .position(|v| {
                        ref_of(v).and_then(|r| self.loader.ref_target(r, variants_at).ok())
                            == Some(target.clone())
                    })
                    .ok_or_else(|| {
                        Error::new(
                            &target_at,
                            "the mapping names a schema that is not one of the variants",
                        )
                    })?;
                mapping.push((value.clone(), index));
            }
        }
        for (index, variant) in union.variants.iter().enumerate() {
            if mapping.iter().any(|(_, i)| *i == index) {
                continue;
            }
            // Without a mapping entry, a variant is named by its schema's name.
            let Some(reference) = ref_of(&variants[index]) else {
                return Err(Error::new(
                    &variants_at.index(index),
                    "a variant of a union with a `discriminator` must be a `$ref`",
                ));
            };
            let name = reference
                .rsplit('/')
                .next()
                .unwrap_or(&variant.name)
                .to_string();
            mapping.push((name, index));
        }
        for (index, variant) in union.variants.iter().enumerate() {
            let has_property = match &variant.ty {
                TypeRef::Named(n) => self.types.iter().flatten().any(|t| {
                    &t.name == n && matches!(&t.kind, TypeKind::Struct(s) if s.fields.iter().any(|f| f.json_name == property))
                }),
                _ => false,
            };
            if !has_property {
                return Err(Error::new(
                    &variants_at.index(index),
                    format!(
                        "this variant has no `{property}` property, which the discriminator reads"
                    ),
                ));
            }
        }
        Ok(Discrimination::Tagged { property, mapping })
    }

    fn param(&mut self, value: &Value, at: &Location, op_name: &str) -> Result<Param> {
        let (value, at) = self.loader.resolve(value, at)?;
        let param: openapi::Parameter = parse_at(value, &at)?;
        let location = match param.location.as_str() {
            "path" => ParamLocation::Path,
            "query" => ParamLocation::Query,
            "header" => ParamLocation::Header,
            other => {
                return Err(Error::new(
                    &at.key("in"),
                    format!("parameters `in: {other}` are not supported"),
                ))
            }
        };
        let schema = param
            .schema
            .as_ref()
            .ok_or_else(|| Error::new(&at, "a parameter needs a `schema`"))?;
        let (ty, constraints) = self.type_of(
            schema,
            &at.key("schema"),
            &format!("{op_name}{}", pascal_case(&param.name)),
        )?;
        let allow_slashes = param.extra.get("x-allow-slashes") == Some(&Value::Bool(true));
        // A nullable parameter: `null` cannot be written in a URL or header, so
        // it is sent by leaving the parameter out.
        let (ty, nullable) = match ty {
            TypeRef::Nullable(inner) => (*inner, true),
            ty => (ty, false),
        };
        if nullable && location == ParamLocation::Path {
            return Err(Error::new(
                &at.key("schema"),
                "a path parameter cannot be `null`",
            ));
        }
        Ok(Param {
            rust_name: snake_case(&param.name),
            name: param.name,
            location,
            required: (param.required && !nullable) || location == ParamLocation::Path,
            ty,
            constraints,
            doc: param.description,
            allow_slashes,
        })
    }

    fn operation(
        &mut self,
        path: &str,
        method: &str,
        value: &Value,
        at: &Location,
        shared_params: &Value,
        item_at: &Location,
    ) -> Result<Operation> {
        let op: openapi::Operation = parse_at(value, at)?;
        let id = op.operation_id.clone().ok_or_else(|| {
            Error::new(
                at,
                "an operation needs an `operationId` (it names the method)",
            )
        })?;
        let op_name = pascal_case(&id);
        let mut params: Vec<Param> = Vec::new();
        let shared = shared_params.as_array().cloned().unwrap_or_default();
        for (i, p) in shared.iter().enumerate() {
            params.push(self.param(p, &item_at.key("parameters").index(i), &op_name)?);
        }
        for (i, p) in op.parameters.iter().enumerate() {
            let param = self.param(p, &at.key("parameters").index(i), &op_name)?;
            params.retain(|q| !(q.name == param.name && q.location == param.location));
            params.push(param);
        }
        let template_vars: Vec<String> = path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(v, _)| v.to_string()))
            .collect();
        for var in &template_vars {
            if !params
                .iter()
                .any(|p| p.location == ParamLocation::Path && &p.name == var)
            {
                return Err(Error::new(
                    at,
                    format!("the path names `{{{var}}}` but no path parameter `{var}` is declared"),
                ));
            }
        }
        for p in params.iter().filter(|p| p.location == ParamLocation::Path) {
            if !template_vars.contains(&p.name) {
                return Err(Error::new(
                    &at.key("parameters"),
                    format!("path parameter `{}` is not in the path `{path}`", p.name),
                ));
            }
        }
        let body = match &op.request_body {
            None => None,
            Some(body) => {
                let body_at = at.key("requestBody");
                let (body, body_at) = self.loader.resolve(body, &body_at)?;
                let body: openapi::RequestBody = parse_at(body, &body_at)?;
                let content_at = body_at.key("content");
                let media = body.content.get("application/json").ok_or_else(|| {
                    Error::new(
                        &content_at,
                        "only `application/json` request bodies are supported",
                    )
                })?;
                let media_at = content_at.key("application/json");
                let media: openapi::MediaType = parse_at(media, &media_at)?;
                let schema = media.schema.unwrap_or(Value::Object(Default::default()));
                let (ty, _) =
                    self.type_of(&schema, &media_at.key("schema"), &format!("{op_name}Body"))?;
                let rust_name = match &ty {
                    TypeRef::Named(n) => snake_case(n),
                    _ => "body".to_string(),
                };
                Some(Body {
                    rust_name,
                    ty,
                    required: body.required,
                    doc: body.description,
                })
            }
        };
        let mut body = body;
        disambiguate_arguments(&mut params, body.as_mut());
        let mut successes: Vec<(String, Success)> = Vec::new();
        let mut errors = Vec::new();
        let responses_at = at.key("responses");
        for (status, response) in &op.responses {
            let response_at = responses_at.key(status);
            let (response, response_at) = self.loader.resolve(response, &response_at)?;
            let response: openapi::Response = parse_at(response, &response_at)?;
            let is_success = status.starts_with('2');
            if !is_success {
                errors.push((
                    status.clone(),
                    response.description.clone().unwrap_or_default(),
                ));
                // Error bodies are read by the runtime; their schemas still get types.
                for (media, content) in &response.content {
                    let media_at = response_at.key("content").key(media);
                    let content: openapi::MediaType = parse_at(content, &media_at)?;
                    if let (Some(schema), true) = (&content.schema, media.contains("json")) {
                        self.type_of(
                            schema,
                            &media_at.key("schema"),
                            &format!("{op_name}Error{status}"),
                        )?;
                    }
                }
                continue;
            }
            let success = if let Some(json) = response.content.get("application/json") {
                let media_at = response_at.key("content").key("application/json");
                let media: openapi::MediaType = parse_at(json, &media_at)?;
                let schema = media.schema.unwrap_or(Value::Object(Default::default()));
                Success::Json(
                    self.type_of(
                        &schema,
                        &media_at.key("schema"),
                        &format!("{op_name}Response"),
                    )?
                    .0,
                )
            } else if response.content.keys().any(|k| k.starts_with("text/")) {
                Success::Text
            } else if let Some(media) = response.content.keys().next() {
                return Err(Error::new(
                    &response_at.key("content").key(media),
                    format!("response content `{media}` is not supported (JSON or text)"),
                ));
            } else if !response.headers.is_empty() {
                let name = self.unique_name(&format!("{op_name}Response"));
                let mut fields = Vec::new();
                for (header, value) in &response.headers {
                    let header_at = response_at.key("headers").key(header);
                    let (value, header_at) = self.loader.resolve(value, &header_at)?;
                    let parsed: openapi::Header = parse_at(value, &header_at)?;
                    let schema = parsed.schema.unwrap_or(Value::Object(Default::default()));
                    let (ty, constraints) = self.type_of(
                        &schema,
                        &header_at.key("schema"),
                        &format!("{name}{}", pascal_case(header)),
                    )?;
                    if !matches!(
                        ty,
                        TypeRef::String
                            | TypeRef::Integer { .. }
                            | TypeRef::Number
                            | TypeRef::Boolean
                    ) {
                        return Err(Error::new(
                            &header_at.key("schema"),
                            "a response header must be a string, integer, number or boolean",
                        ));
                    }
                    fields.push(Field {
                        json_name: header.to_ascii_lowercase(),
                        rust_name: snake_case(header),
                        ty,
                        constraints,
                        required: parsed.required,
                        nullable: false,
                        doc: parsed.description,
                        deprecated: false,
                        boxed: false,
                        read_only: true,
                        default: None,
                        location: header_at,
                    });
                }
                self.types.push(Some(TypeDef {
                    name: name.clone(),
                    spec_name: format!("{id} response headers"),
                    doc: Some(format!(
                        "What [`Client::{}`](crate::Client::{}) answers: the response has no body, only these headers.",
                        snake_case(&id),
                        snake_case(&id)
                    )),
                    location: response_at.clone(),
                    deprecated: false,
                    example: None,
                    kind: TypeKind::Headers(fields),
                    in_response: true,
                    in_request: false,
                }));
                Success::Headers(name)
            } else {
                Success::Empty
            };
            successes.push((status.clone(), success));
        }
        let success = match successes.len() {
            0 => Success::Empty,
            _ => {
                let first = successes[0].1.clone();
                if let Some((status, _)) = successes.iter().find(|(_, s)| s != &first) {
                    return Err(Error::new(
                        &responses_at.key(status),
                        "responses with different success types are not supported",
                    ));
                }
                first
            }
        };
        Ok(Operation {
            id,
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            summary: op.summary,
            description: op.description,
            deprecated: op.deprecated,
            params,
            body,
            success,
            errors,
            location: at.clone(),
        })
    }
}

/// Names a request builder already uses: its fields and its methods.
const BUILDER_NAMES: &[&str] = &[
    "client",
    "options",
    "header",
    "query_param",
    "timeout",
    "send",
    "send_blocking",
    "body",
    "into_future",
];

/// Gives the parameters and the body of an operation distinct Rust names
/// that the request builder does not use already (`a-b` and `a_b` both
/// become `a_b`: the second is `a_b_`), deterministically: the body first
/// (it may be `body`, the name of its setter), then the parameters in order.
fn disambiguate_arguments(params: &mut [Param], body: Option<&mut Body>) {
    let mut taken: BTreeSet<String> = BUILDER_NAMES
        .iter()
        .filter(|n| **n != "body")
        .map(|s| s.to_string())
        .collect();
    let unique = |taken: &mut BTreeSet<String>, name: &mut String| {
        while !taken.insert(name.clone()) {
            name.push('_');
        }
    };
    if let Some(body) = body {
        unique(&mut taken, &mut body.rust_name);
    }
    taken.insert("body".to_string());
    for param in params.iter_mut() {
        unique(&mut taken, &mut param.rust_name);
    }
}

/// `appId`, `APPLICATION_ID`, `app-id`: names of the application ID.
fn is_app_id_name(name: &str) -> bool {
    matches!(snake_case(name).as_str(), "app_id" | "application_id")
}

/// Which scheme carries the application ID and which the API key: a scheme
/// named like the application ID carries it; the one other carries the key.
fn credentials(schemes: &[AuthScheme], at: &Location) -> Result<Credentials> {
    if schemes.is_empty() {
        return Ok(Credentials::None);
    }
    if let Some(basic) = schemes.iter().find(|s| s.place == AuthPlace::Basic) {
        if schemes.len() > 1 {
            return Err(Error::new(
                &at.key(&basic.scheme),
                "HTTP Basic together with other security schemes is not supported",
            ));
        }
        return Ok(Credentials::Basic);
    }
    let (app_ids, keys): (Vec<&AuthScheme>, Vec<&AuthScheme>) =
        schemes.iter().partition(|s| is_app_id_name(&s.scheme));
    match (app_ids.as_slice(), keys.as_slice()) {
        (app_ids, [key]) if app_ids.len() <= 1 => Ok(Credentials::ApiKey {
            app_id: app_ids.first().map(|s| s.place.clone()),
            api_key: key.place.clone(),
        }),
        _ => Err(Error::new(
            at,
            "expected one API-key scheme, and at most one for the application ID \
             (named `appId`)",
        )),
    }
}

/// `ty`, nullable (once).
fn nullable(ty: TypeRef) -> TypeRef {
    match ty {
        TypeRef::Nullable(_) => ty,
        other => TypeRef::Nullable(Box::new(other)),
    }
}

/// Schemas that must become a named Rust type even when written inline.
fn needs_definition(schema: &Schema) -> bool {
    schema.one_of.is_some()
        || schema.any_of.is_some()
        || schema.enumeration.is_some()
        || schema.constant.is_some()
        || schema.all_of.as_ref().is_some_and(|a| a.len() > 1)
        || !schema.properties.is_empty()
}

/// Marks every type reachable from a success response: such types must keep
/// what a newer API sends (unknown enum values, unknown fields).
fn mark_response_types(types: &mut [TypeDef], operations: &[Operation]) {
    let mut roots = Vec::new();
    for op in operations {
        if let Success::Json(ty) = &op.success {
            collect_names(ty, &mut roots);
        }
    }
    mark_reachable(types, roots, |t| &mut t.in_response);
}

/// Marks every type reachable from a request (a parameter or a body): users
/// send its values.
fn mark_request_types(types: &mut [TypeDef], operations: &[Operation]) {
    let mut roots = Vec::new();
    for op in operations {
        for param in &op.params {
            collect_names(&param.ty, &mut roots);
        }
        if let Some(body) = &op.body {
            collect_names(&body.ty, &mut roots);
        }
    }
    mark_reachable(types, roots, |t| &mut t.in_request);
}

/// Sets `flag` on the named types and every type they reach.
fn mark_reachable(
    types: &mut [TypeDef],
    mut pending: Vec<String>,
    flag: impl Fn(&mut TypeDef) -> &mut bool,
) {
    let index: BTreeMap<String, usize> = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    while let Some(name) = pending.pop() {
        let Some(&i) = index.get(&name) else { continue };
        let marked = flag(&mut types[i]);
        if *marked {
            continue;
        }
        *marked = true;
        match &types[i].kind {
            TypeKind::Struct(s) => {
                for f in &s.fields {
                    collect_names(&f.ty, &mut pending);
                }
            }
            TypeKind::Alias(ty, _) => collect_names(ty, &mut pending),
            TypeKind::Union(u) => {
                for v in &u.variants {
                    collect_names(&v.ty, &mut pending);
                }
            }
            _ => {}
        }
    }
}

fn collect_names(ty: &TypeRef, out: &mut Vec<String>) {
    match ty {
        TypeRef::Named(n) => out.push(n.clone()),
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
            collect_names(inner, out)
        }
        _ => {}
    }
}
