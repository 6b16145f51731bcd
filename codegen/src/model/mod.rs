//! Model phase: turns the parsed, resolvable spec into a typed description of
//! the Rust to write (types and operations), refusing anything it cannot
//! represent with an error that names the JSON pointer.
//!
//! - [`ir`]: the model's types;
//! - `api`: servers and credentials;
//! - `schemas`: schemas to Rust types (structs, enums, unions, aliases);
//! - `openapi31`: OpenAPI 3.1 schemas rewritten in the 3.0 forms `schemas` reads;
//! - `operations`: operations, their parameters, bodies and responses;
//! - `reach`: which types requests and responses reach.

mod api;
pub mod ir;
mod openapi31;
mod operations;
mod reach;
mod schemas;

pub use ir::*;

use crate::error::{Error, Location, Result, Warning};
use crate::names::{pascal_case, snake_case};
use crate::openapi::{self, METHODS};
use crate::resolve::Loader;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Choices of the model phase.
#[derive(Debug, Clone, Default)]
pub struct ModelOptions {
    /// Skip (with a warning) an operation that uses a construct the generator
    /// cannot handle, instead of failing.
    pub allow_unsupported: bool,
}

/// Methods the client has besides its operations: the generated
/// `from_transport` and `transport`, and those `algolia-insights` writes by
/// hand on its client (`src/client.rs`, `src/sender/`). An operation cannot
/// take their names.
const CLIENT_METHODS: &[&str] = &[
    "from_transport",
    "transport",
    "new",
    "builder",
    "set_api_key",
    "add_user_agent_segment",
    "sender",
    "spooled_sender",
];

/// Builds the model of a loaded spec.
pub fn build(loader: &Loader) -> Result<Model> {
    build_with(loader, &ModelOptions::default())
}

/// How deep schemas may nest (inline or through `$ref`s still being
/// defined) before the spec is refused: far beyond what API descriptions do,
/// and within [`MODEL_STACK`].
pub const MAX_NESTING: usize = 64;

/// The stack the model is built on: lowering a schema is recursive, and the
/// caller's thread (2 MiB for a test's) may not have room for
/// [`MAX_NESTING`] levels.
const MODEL_STACK: usize = 64 << 20;

/// Builds the model of a loaded spec with options.
///
/// The work runs on a thread of its own with a [`MODEL_STACK`] stack, so that
/// a deeply nested spec gets an error rather than overflowing the caller's.
pub fn build_with(loader: &Loader, options: &ModelOptions) -> Result<Model> {
    std::thread::scope(|scope| {
        let lowering = std::thread::Builder::new()
            .name("algolia-codegen-model".into())
            .stack_size(MODEL_STACK)
            .spawn_scoped(scope, || build_here(loader, options))
            .map_err(|e| {
                Error::new(
                    &Location::root(),
                    format!("cannot start the thread that builds the model: {e}"),
                )
            })?;
        lowering
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn build_here(loader: &Loader, options: &ModelOptions) -> Result<Model> {
    let root = loader.root();
    let at = Location::root();
    let doc: openapi::Document = parse_at(root, &at)?;
    let mut builder = Builder {
        loader,
        types: Vec::new(),
        by_location: BTreeMap::new(),
        taken: BTreeSet::new(),
        in_progress: Vec::new(),
        nesting: 0,
        warnings: Vec::new(),
        openapi31: doc.openapi.starts_with("3.1"),
    };
    if !doc.openapi.starts_with("3.0") && !builder.openapi31 {
        return Err(Error::new(
            &at.key("openapi"),
            format!(
                "OpenAPI version `{}` is not supported: expected 3.0.x or 3.1.x",
                doc.openapi
            ),
        ));
    }
    builder.note_ignored_document_keys(&doc, &at);
    let servers = builder.servers(&doc.servers, &at.key("servers"))?;
    let auth = builder.auth_schemes(&doc, &at)?;
    let credentials = api::credentials(&auth, &at.key("components").key("securitySchemes"))?;

    let schemas_at = at.key("components").key("schemas");
    for name in doc.components.schemas.keys() {
        builder.named_type(&schemas_at.key(name))?;
    }
    let mut operations = Vec::new();
    let paths_at = at.key("paths");
    for (path, item) in &doc.paths {
        builder.path_item(path, item, &paths_at.key(path), options, &mut operations)?;
    }
    check_method_names(&operations)?;
    let mut types: Vec<TypeDef> = builder.types.into_iter().flatten().collect();
    reach::mark_response_types(&mut types, &operations);
    reach::mark_request_types(&mut types, &operations);
    Ok(Model {
        info: ApiInfo {
            title: doc.info.title,
            version: doc.info.version,
            description: doc.info.description,
            spec_hash: loader.root_hash(),
        },
        servers,
        auth,
        credentials,
        types,
        operations,
        warnings: builder.warnings,
    })
}

impl Builder<'_> {
    /// The operations of a path item, in `METHODS` order, pushed onto
    /// `operations`; one the generator cannot handle is skipped with a
    /// warning under `--allow-unsupported`.
    fn path_item(
        &mut self,
        path: &str,
        item: &Value,
        item_at: &Location,
        options: &ModelOptions,
        operations: &mut Vec<Operation>,
    ) -> Result<()> {
        let loader = self.loader;
        let (item, item_at) = loader.resolve(item, item_at)?;
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
            let Some(op) = item.get(*method) else {
                continue;
            };
            let op_at = item_at.key(method);
            if op.get("x-helper") == Some(&Value::Bool(true)) {
                // A helper of Algolia's clients (`setClientApiKey`), not an endpoint.
                self.warn(
                    &op_at,
                    "`x-helper: true`: a client helper, not an HTTP endpoint; not emitted",
                );
                continue;
            }
            match self.operation(path, method, op, &op_at, &shared_params, &item_at) {
                Ok(operation) => operations.push(operation),
                Err(error) if options.allow_unsupported => {
                    self.forget_unfinished();
                    self.warn(
                        &op_at,
                        format!("operation skipped (--allow-unsupported): {error}"),
                    );
                }
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }
}

/// Each operation names a method of its own, which the client does not
/// have already.
fn check_method_names(operations: &[Operation]) -> Result<()> {
    let mut seen = BTreeMap::new();
    for op in operations {
        let method = snake_case(&op.id);
        if CLIENT_METHODS.contains(&method.as_str()) {
            return Err(Error::new(
                &op.location.key("operationId"),
                format!(
                    "operationId `{}` names `Client::{method}`, which the client already has \
                     (taken: {})",
                    op.id,
                    CLIENT_METHODS.join(", ")
                ),
            ));
        }
        if let Some(previous) = seen.insert(method, op.location.clone()) {
            return Err(Error::new(
                &op.location.key("operationId"),
                format!(
                    "operationId `{}` names the same method as the operation at {previous}",
                    op.id
                ),
            ));
        }
    }
    Ok(())
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
    /// How many `type_of` calls are under way (see [`MAX_NESTING`]).
    nesting: usize,
    warnings: Vec<Warning>,
    /// The spec is OpenAPI 3.1: schemas are JSON Schema 2020-12
    /// ([`openapi31`] rewrites them in the 3.0 forms the model reads).
    openapi31: bool,
}

impl Builder<'_> {
    /// Warns about the document's keys that the generator reads nothing
    /// from: `info` keys that 3.0 lacks, and 3.1's `webhooks` and
    /// `jsonSchemaDialect`.
    fn note_ignored_document_keys(&mut self, doc: &openapi::Document, at: &Location) {
        // 3.1's `info.summary` is documentation only.
        let info_keys_31 = ["summary"];
        for key in doc.info.extra.keys().filter(|k| !k.starts_with("x-")) {
            if !self.openapi31 {
                self.warn(
                    &at.key("info").key(key),
                    format!("`{key}` is not an OpenAPI 3.0 key (3.1?); ignored"),
                );
            } else if !info_keys_31.contains(&key.as_str()) {
                self.warn(
                    &at.key("info").key(key),
                    format!("`{key}` is not an OpenAPI 3.1 `info` key; ignored"),
                );
            }
        }
        for (key, why) in openapi31::IGNORED_ROOT_KEYS {
            if doc.extra.contains_key(*key) {
                self.warn(&at.key(key), *why);
            }
        }
    }

    /// Drops the names of definitions that failed half-way (a skipped operation's).
    pub(super) fn forget_unfinished(&mut self) {
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

    pub(super) fn warn(&mut self, at: &Location, message: impl Into<String>) {
        self.warnings.push(Warning {
            location: at.clone(),
            message: message.into(),
        });
    }

    pub(super) fn unique_name(&mut self, wanted: &str) -> String {
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
}
