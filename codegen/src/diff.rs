//! The change report: what changed between two specs for users of the
//! generated client, each change marked breaking or compatible.
//!
//! A change is **breaking** when code written against the old client may
//! stop compiling, or when a client generated from the old spec may stop
//! working against an API that follows the new one (its requests refused, the
//! answers it reads failing to decode). A removed operation, field or enum
//! value, a new required field or argument and a changed type are breaking.
//! A new operation, a new optional field and a new enum value (enums are
//! open: old clients keep it as `Unknown(..)`) are compatible.
//!
//! Constraints are judged by the direction the value travels: a tightened
//! rule breaks values users send, a relaxed one breaks values they receive
//! (reachable from a response). A `pattern` change is decided by what each
//! pattern accepts (language inclusion on their DFAs, [`patterns`]): a
//! pattern that accepts a superset relaxes; where inclusion cannot be
//! decided the report says so, and counts the change as breaking.
//!
//! The report compares [`Model`]s, so it speaks in Rust terms: method and
//! type names, and field names with their wire names
//! (`field ClickedObjectIDs.agent_id (agentID)`). Descriptions, summaries and
//! examples are not compared. Changes come in a fixed order: the API's own
//! settings, then operations and types by name.
//!
//! ```no_run
//! use algolia_codegen::{diff, model, resolve::Loader};
//!
//! let load = |path: &str| model::build(&Loader::from_path(path.as_ref())?);
//! let report = diff::compare(&load("old.json").unwrap(), &load("new.json").unwrap());
//! for change in &report.changes {
//!     println!("{change}"); // e.g. `compatible: type UserTokenConsent added`
//! }
//! std::process::exit(report.exit_code().into());
//! ```

use crate::model::{
    Constraints, Discrimination, Field, Model, Operation, Param, ParamLocation, StructDef, Success,
    TypeDef, TypeKind, TypeRef, UnionDef,
};
use crate::names::snake_case;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

pub mod patterns;

use patterns::Inclusion;

/// One difference between the old and the new client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub breaking: bool,
    /// What changed, e.g. `field ClickedObjectIDs.agent_id (agentID)`.
    pub subject: String,
    /// How it changed, e.g. `removed` or `maxItems tightened: 20 -> 10`.
    pub detail: String,
}

impl fmt::Display for Change {
    /// `breaking: field ClickedObjectIDs.agent_id (agentID) removed`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = if self.breaking {
            "breaking"
        } else {
            "compatible"
        };
        write!(f, "{severity}: {} {}", self.subject, self.detail)
    }
}

/// Every change between two models, in a deterministic order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub changes: Vec<Change>,
}

impl Report {
    /// Whether any change is breaking.
    pub fn is_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.breaking)
    }

    /// The exit status of `algolia-codegen diff`: 1 when a change is
    /// breaking, 0 otherwise (2, for usage and spec errors, is the binary's).
    pub fn exit_code(&self) -> u8 {
        u8::from(self.is_breaking())
    }

    /// The report as printed: one line per change.
    pub fn lines(&self) -> Vec<String> {
        self.changes.iter().map(ToString::to_string).collect()
    }
}

/// Compares the model of the old spec with the model of the new one.
pub fn compare(old: &Model, new: &Model) -> Report {
    let mut diff = Diff::default();
    diff.api(old, new);
    let old_ops = by_key(&old.operations, |op| snake_case(&op.id));
    let new_ops = by_key(&new.operations, |op| snake_case(&op.id));
    for (name, (old_op, new_op)) in pair_up(&old_ops, &new_ops) {
        match (old_op, new_op) {
            (Some(op), None) => diff.push(true, operation_subject(&name, op), "removed"),
            (None, Some(op)) => diff.push(false, operation_subject(&name, op), "added"),
            (Some(old_op), Some(new_op)) => diff.operation(&name, old_op, new_op),
            (None, None) => {}
        }
    }
    let old_types = by_key(&old.types, |t| t.name.clone());
    let new_types = by_key(&new.types, |t| t.name.clone());
    for (name, (old_type, new_type)) in pair_up(&old_types, &new_types) {
        match (old_type, new_type) {
            (Some(_), None) => diff.push(true, format!("type {name}"), "removed"),
            (None, Some(_)) => diff.push(false, format!("type {name}"), "added"),
            (Some(old_type), Some(new_type)) => diff.type_def(old_type, new_type),
            (None, None) => {}
        }
    }
    Report {
        changes: diff.changes,
    }
}

#[derive(Default)]
struct Diff {
    changes: Vec<Change>,
}

/// Which way a constraint moved.
#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Tightened,
    Relaxed,
    /// Neither a superset nor a subset (a new unit, or patterns that each
    /// accept a value the other refuses).
    Changed,
    /// Whether one pattern includes the other could not be decided.
    Undecided,
    /// Rewritten, accepting exactly the same values.
    Equivalent,
}

/// Which way a constrained value travels. A rule binds what users send (a
/// tightened rule breaks them: the API now refuses some of it) and promises
/// something about what they receive (a relaxed rule breaks them: the API now
/// sends what old clients refuse, or what their code did not expect).
#[derive(Clone, Copy, PartialEq)]
struct Usage {
    /// Users send it (in a request, or a model they build).
    sent: bool,
    /// Users receive it (reachable from a response).
    received: bool,
    /// Old clients check it when they decode a response (a validated string).
    checked_on_decode: bool,
}

impl Usage {
    const SENT: Usage = Usage {
        sent: true,
        received: false,
        checked_on_decode: false,
    };

    /// The usage of a type's values: sent when a request reaches it (or no
    /// operation does: users may build it), received when a response does.
    fn of(old: &TypeDef, new: &TypeDef, checked_on_decode: bool) -> Usage {
        let sent = |t: &TypeDef| t.in_request || !t.in_response;
        let received = old.in_response || new.in_response;
        Usage {
            sent: sent(old) || sent(new),
            received,
            checked_on_decode: checked_on_decode && old.in_response && new.in_response,
        }
    }
}

impl Diff {
    fn push(&mut self, breaking: bool, subject: impl Into<String>, detail: impl Into<String>) {
        self.changes.push(Change {
            breaking,
            subject: subject.into(),
            detail: detail.into(),
        });
    }

    /// Versions, hosts, regions and credentials.
    fn api(&mut self, old: &Model, new: &Model) {
        if old.info.version != new.info.version {
            self.push(
                false,
                "API",
                format!(
                    "version changed: {} -> {}",
                    old.info.version, new.info.version
                ),
            );
        }
        if old.servers.fixed != new.servers.fixed {
            self.push(
                true,
                "API",
                format!(
                    "default hosts changed: {} -> {}",
                    list(&old.servers.fixed),
                    list(&new.servers.fixed)
                ),
            );
        }
        let template = |m: &Model| m.servers.regional.as_ref().map(|r| r.template.clone());
        match (template(old), template(new)) {
            (None, Some(t)) => self.push(false, "API", format!("regional hosts added: {t}")),
            (Some(t), None) => self.push(true, "API", format!("regional hosts removed: {t}")),
            (Some(a), Some(b)) if a != b => {
                self.push(true, "API", format!("regional host changed: {a} -> {b}"))
            }
            _ => {}
        }
        let regions = |m: &Model| -> Vec<String> {
            m.servers
                .regional
                .as_ref()
                .map(|r| r.values.clone())
                .unwrap_or_default()
        };
        let (old_regions, new_regions) = (regions(old), regions(new));
        for region in old_regions.iter().filter(|r| !new_regions.contains(r)) {
            self.push(true, format!("region {region}"), "removed");
        }
        for region in new_regions.iter().filter(|r| !old_regions.contains(r)) {
            self.push(false, format!("region {region}"), "added");
        }
        let headers = |m: &Model| -> BTreeMap<String, String> {
            m.auth
                .iter()
                .map(|a| (a.scheme.clone(), a.place.to_string()))
                .collect()
        };
        // Credentials are sent by the runtime: any change to them means
        // requests of old clients are refused.
        for (scheme, (old_header, new_header)) in pair_up(&headers(old), &headers(new)) {
            let subject = format!("security scheme {scheme}");
            match (old_header, new_header) {
                (Some(h), None) => self.push(true, subject, format!("({h}) removed")),
                (None, Some(h)) => self.push(true, subject, format!("({h}) added")),
                (Some(a), Some(b)) if a != b => {
                    self.push(true, subject, format!("changed: {a} -> {b}"))
                }
                _ => {}
            }
        }
    }

    fn operation(&mut self, name: &str, old: &Operation, new: &Operation) {
        let subject = operation_subject(name, old);
        if (&old.method, &old.path) != (&new.method, &new.path) {
            self.push(
                true,
                &subject,
                format!(
                    "endpoint changed: {} {} -> {} {}",
                    old.method, old.path, new.method, new.path
                ),
            );
        }
        self.deprecation(&subject, old.deprecated, new.deprecated);
        let key = |p: &Param| (location_name(p.location), p.name.clone());
        let old_params = by_key(&old.params, key);
        let new_params = by_key(&new.params, key);
        for ((location, wire), (old_param, new_param)) in pair_up(&old_params, &new_params) {
            let rust = new_param.or(old_param).map_or("", |p| p.rust_name.as_str());
            let subject = format!("parameter {name}.{rust} ({wire}, {location})");
            match (old_param, new_param) {
                (Some(_), None) => self.push(true, subject, "removed"),
                (None, Some(p)) => self.push(p.required, subject, added(p.required)),
                (Some(a), Some(b)) => self.param(&subject, a, b),
                (None, None) => {}
            }
        }
        let (old_args, new_args) = (arguments(old), arguments(new));
        let same_set = |a: &[&str], b: &[&str]| {
            a.iter().collect::<BTreeSet<_>>() == b.iter().collect::<BTreeSet<_>>()
        };
        if old_args != new_args && same_set(&old_args, &new_args) {
            self.push(
                true,
                &subject,
                format!(
                    "arguments reordered: ({}) -> ({})",
                    old_args.join(", "),
                    new_args.join(", ")
                ),
            );
        }
        let body_subject = format!("body of {name}");
        match (&old.body, &new.body) {
            (Some(_), None) => self.push(true, body_subject, "removed"),
            (None, Some(b)) => self.push(b.required, body_subject, added(b.required)),
            (Some(a), Some(b)) => {
                if a.ty != b.ty {
                    self.push(true, &body_subject, changed_type(&a.ty, &b.ty));
                }
                if a.required != b.required {
                    self.push(true, &body_subject, now_required(b.required));
                }
            }
            (None, None) => {}
        }
        if old.success != new.success {
            self.push(
                true,
                format!("response of {name}"),
                format!(
                    "type changed: {} -> {}",
                    success_type(&old.success),
                    success_type(&new.success)
                ),
            );
        }
        let statuses = |op: &Operation| -> BTreeSet<String> {
            op.errors.iter().map(|(status, _)| status.clone()).collect()
        };
        let (old_errors, new_errors) = (statuses(old), statuses(new));
        for status in old_errors.difference(&new_errors) {
            self.push(false, &subject, format!("error {status} removed"));
        }
        for status in new_errors.difference(&old_errors) {
            self.push(false, &subject, format!("error {status} added"));
        }
    }

    fn param(&mut self, subject: &str, old: &Param, new: &Param) {
        if old.required != new.required {
            self.push(true, subject, now_required(new.required));
        }
        if old.ty != new.ty {
            self.push(true, subject, changed_type(&old.ty, &new.ty));
        }
        if old.allow_slashes != new.allow_slashes {
            let detail = if new.allow_slashes {
                "now sends `/` unescaped"
            } else {
                "now escapes `/`"
            };
            self.push(true, subject, detail);
        }
        self.constraints(subject, "", &old.constraints, &new.constraints, Usage::SENT);
    }

    fn type_def(&mut self, old: &TypeDef, new: &TypeDef) {
        let name = &new.name;
        let subject = format!("type {name}");
        self.deprecation(&subject, old.deprecated, new.deprecated);
        match (&old.kind, &new.kind) {
            (TypeKind::Struct(a), TypeKind::Struct(b)) => self.structure(old, new, a, b),
            (TypeKind::Newtype(a), TypeKind::Newtype(b)) => {
                // A newtype checks its value when a response is decoded, so
                // a relaxed rule breaks old clients reading newer answers.
                self.constraints(&subject, "", a, b, Usage::of(old, new, true))
            }
            (TypeKind::Alias(ty_a, a), TypeKind::Alias(ty_b, b)) => {
                if ty_a != ty_b {
                    self.push(
                        true,
                        &subject,
                        format!(
                            "changed: {} -> {}",
                            describe(&old.kind),
                            describe(&new.kind)
                        ),
                    );
                }
                self.constraints(&subject, "", a, b, Usage::of(old, new, false));
            }
            (TypeKind::Enum(a), TypeKind::Enum(b)) => {
                let (old_names, new_names) = (string_variants(a), string_variants(b));
                let show = |value: &String| format!("{value:?}");
                self.enum_values(name, &old_names, &new_names, show);
            }
            (TypeKind::IntEnum(a), TypeKind::IntEnum(b)) => {
                let (old_names, new_names) = (int_variants(a), int_variants(b));
                self.enum_values(name, &old_names, &new_names, i64::to_string);
            }
            (TypeKind::Const(a), TypeKind::Const(b)) if a != b => self.push(
                true,
                &subject,
                format!(
                    "changed: {} -> {}",
                    describe(&old.kind),
                    describe(&new.kind)
                ),
            ),
            (TypeKind::Const(_), TypeKind::Const(_)) => {}
            (TypeKind::ConstBool(a), TypeKind::ConstBool(b)) if a != b => self.push(
                true,
                &subject,
                format!("changed: constant {a} -> constant {b}"),
            ),
            (TypeKind::ConstBool(_), TypeKind::ConstBool(_)) => {}
            (TypeKind::Union(a), TypeKind::Union(b)) => {
                // Old clients that read this union cannot decode a new variant.
                self.union(name, a, b, old.in_response && new.in_response)
            }
            (TypeKind::Headers(a), TypeKind::Headers(b)) => self.headers(name, a, b),
            (old_kind, new_kind) => self.push(
                true,
                subject,
                format!("changed: {} -> {}", describe(old_kind), describe(new_kind)),
            ),
        }
    }

    fn structure(&mut self, old: &TypeDef, new: &TypeDef, a: &StructDef, b: &StructDef) {
        let name = &new.name;
        let subject = format!("type {name}");
        // The emitted struct keeps unknown properties (`additional_properties`)
        // when the spec allows them or when the type is read from responses.
        let unknown = |def: &TypeDef, s: &StructDef| {
            (def.in_response || s.additional.is_some())
                .then(|| s.additional.clone().unwrap_or(TypeRef::Any))
        };
        match (unknown(old, a), unknown(new, b)) {
            (None, Some(_)) => self.push(false, &subject, "now keeps unknown properties"),
            (Some(_), None) => self.push(true, &subject, "no longer keeps unknown properties"),
            (Some(x), Some(y)) if x != y => self.push(
                true,
                &subject,
                format!(
                    "type of unknown properties changed: {} -> {}",
                    rust_type(&x),
                    rust_type(&y)
                ),
            ),
            _ => {}
        }
        if a.discriminator_fields != b.discriminator_fields {
            self.push(
                true,
                &subject,
                format!(
                    "discriminator fields changed: {} -> {}",
                    list(&a.discriminator_fields),
                    list(&b.discriminator_fields)
                ),
            );
        }
        for (x, y) in b.same_length.iter().filter(|p| !a.same_length.contains(p)) {
            self.push(
                true,
                &subject,
                format!("now requires {x} and {y} of the same length"),
            );
        }
        for (x, y) in a.same_length.iter().filter(|p| !b.same_length.contains(p)) {
            let detail = format!("no longer requires {x} and {y} of the same length");
            self.push(false, &subject, detail);
        }
        // `dependentRequired`, one (property, required property) pair at a time.
        let pairs = |s: &StructDef| -> Vec<(String, String)> {
            s.dependent_required
                .iter()
                .flat_map(|(p, rs)| rs.iter().map(move |r| (p.clone(), r.clone())))
                .collect()
        };
        let (old_pairs, new_pairs) = (pairs(a), pairs(b));
        for (x, y) in new_pairs.iter().filter(|p| !old_pairs.contains(p)) {
            self.push(true, &subject, format!("now requires {y} when {x} is set"));
        }
        for (x, y) in old_pairs.iter().filter(|p| !new_pairs.contains(p)) {
            let detail = format!("no longer requires {y} when {x} is set");
            self.push(false, &subject, detail);
        }
        if let Some((direction, shown)) =
            upper_bound(a.max_serialized_bytes, b.max_serialized_bytes)
        {
            let detail = format!("x-max-serialized-bytes {}: {shown}", direction.word());
            self.push(direction != Direction::Relaxed, &subject, detail);
        }
        let old_fields = by_key(&a.fields, |f| f.json_name.clone());
        for field in &a.fields {
            let subject = field_subject(name, field);
            match b.fields.iter().find(|f| f.json_name == field.json_name) {
                None => self.push(true, subject, "removed"),
                Some(new_field) => {
                    self.field(&subject, field, new_field, Usage::of(old, new, false))
                }
            }
        }
        for field in b
            .fields
            .iter()
            .filter(|f| !old_fields.contains_key(&f.json_name))
        {
            self.push(
                field.required,
                field_subject(name, field),
                added(field.required),
            );
        }
    }

    fn field(&mut self, subject: &str, old: &Field, new: &Field, usage: Usage) {
        if old.rust_name != new.rust_name {
            let detail = format!("renamed: {} -> {}", old.rust_name, new.rust_name);
            self.push(true, subject, detail);
        }
        if old.required != new.required {
            self.push(true, subject, now_required(new.required));
        }
        if old.nullable != new.nullable {
            // A required field is `T`, or `Option<T>` sent as `null` when it
            // is nullable; an optional field is an `Option` left out when
            // `None` either way.
            let detail = if new.nullable {
                "now nullable"
            } else {
                "no longer nullable"
            };
            self.push(old.required && new.required, subject, detail);
        }
        if old.ty != new.ty || old.boxed != new.boxed {
            let detail = format!("type changed: {} -> {}", field_type(old), field_type(new));
            self.push(true, subject, detail);
        }
        self.deprecation(subject, old.deprecated, new.deprecated);
        self.constraints(subject, "", &old.constraints, &new.constraints, usage);
    }

    /// Response headers are all optional and never built by users: only
    /// removing one or changing its type breaks code.
    fn headers(&mut self, name: &str, old: &[Field], new: &[Field]) {
        let subject = |f: &Field| format!("header {name}.{} ({})", f.rust_name, f.json_name);
        for field in old {
            match new.iter().find(|f| f.json_name == field.json_name) {
                None => self.push(true, subject(field), "removed"),
                Some(n) if n.ty != field.ty => {
                    self.push(true, subject(field), changed_type(&field.ty, &n.ty))
                }
                Some(_) => {}
            }
        }
        for field in new
            .iter()
            .filter(|n| !old.iter().any(|f| f.json_name == n.json_name))
        {
            self.push(false, subject(field), "added");
        }
    }

    /// `old` and `new` map each wire value to its Rust variant, in spec order.
    fn enum_values<V: Ord>(
        &mut self,
        name: &str,
        old: &[(V, String)],
        new: &[(V, String)],
        show: impl Fn(&V) -> String,
    ) {
        let subject = |(value, variant): &(V, String)| {
            format!("enum value {name}::{variant} ({})", show(value))
        };
        let has = |list: &[(V, String)], value: &V| list.iter().any(|(v, _)| v == value);
        for entry in old.iter().filter(|(v, _)| !has(new, v)) {
            self.push(true, subject(entry), "removed");
        }
        for entry in new.iter().filter(|(v, _)| !has(old, v)) {
            self.push(false, subject(entry), "added");
        }
        for entry @ (value, old_variant) in old {
            if let Some((_, new_variant)) = new.iter().find(|(v, _)| v == value) {
                if new_variant != old_variant {
                    let detail = format!("renamed: {old_variant} -> {new_variant}");
                    self.push(true, subject(entry), detail);
                }
            }
        }
    }

    /// `new_value_breaks`: whether old clients read this union, and so
    /// fail on a variant (or tag) they do not know.
    fn union(&mut self, name: &str, old: &UnionDef, new: &UnionDef, new_value_breaks: bool) {
        let subject = format!("type {name}");
        let old_variants = by_key(&old.variants, |v| v.name.clone());
        let new_variants = by_key(&new.variants, |v| v.name.clone());
        for (variant, (a, b)) in pair_up(&old_variants, &new_variants) {
            let variant_subject = format!("variant {name}::{variant}");
            match (a, b) {
                (Some(_), None) => self.push(true, variant_subject, "removed"),
                (None, Some(_)) => self.push(new_value_breaks, variant_subject, "added"),
                (Some(a), Some(b)) => {
                    if a.ty != b.ty {
                        self.push(true, &variant_subject, changed_type(&a.ty, &b.ty));
                    }
                    self.constraints(
                        &variant_subject,
                        "",
                        &a.constraints,
                        &b.constraints,
                        Usage::SENT,
                    );
                }
                (None, None) => {}
            }
        }
        let common = |from: &UnionDef, other: &UnionDef| -> Vec<String> {
            from.variants
                .iter()
                .filter(|v| other.variants.iter().any(|w| w.name == v.name))
                .map(|v| v.name.clone())
                .collect()
        };
        let (old_order, new_order) = (common(old, new), common(new, old));
        let tagged = matches!(new.discrimination, Discrimination::Tagged { .. });
        if old_order != new_order && !tagged {
            let detail = format!(
                "variants reordered: {} -> {}",
                list(&old_order),
                list(&new_order)
            );
            self.push(true, &subject, detail);
        }
        match (&old.discrimination, &new.discrimination) {
            (
                Discrimination::Tagged {
                    property: p,
                    mapping: a,
                },
                Discrimination::Tagged {
                    property: q,
                    mapping: b,
                },
            ) if p == q => {
                let tags =
                    |u: &UnionDef, mapping: &[(String, usize)]| -> BTreeMap<String, String> {
                        mapping
                            .iter()
                            .filter_map(|(tag, i)| {
                                Some((tag.clone(), u.variants.get(*i)?.name.clone()))
                            })
                            .collect()
                    };
                for (tag, (x, y)) in pair_up(&tags(old, a), &tags(new, b)) {
                    match (x, y) {
                        (Some(_), None) => {
                            self.push(true, &subject, format!("tag {tag:?} removed"))
                        }
                        // A new variant's tag comes with the variant.
                        (None, Some(v)) if old_variants.contains_key(v) => self.push(
                            new_value_breaks,
                            &subject,
                            format!("tag {tag:?} added ({v})"),
                        ),
                        (Some(x), Some(y)) if x != y => {
                            self.push(true, &subject, format!("tag {tag:?} changed: {x} -> {y}"))
                        }
                        _ => {}
                    }
                }
            }
            (a, b) if discrimination(a) != discrimination(b) => self.push(
                true,
                &subject,
                format!(
                    "discrimination changed: {} -> {}",
                    discrimination(a),
                    discrimination(b)
                ),
            ),
            _ => {}
        }
    }

    fn deprecation(&mut self, subject: &str, old: bool, new: bool) {
        match (old, new) {
            (false, true) => self.push(false, subject, "deprecated"),
            (true, false) => self.push(false, subject, "no longer deprecated"),
            _ => {}
        }
    }

    /// Compares two sets of constraints. A tightened rule breaks what users
    /// send (the API now refuses some of it); a relaxed rule breaks what old
    /// clients check when they decode (the API now sends what they refuse).
    /// A change neither way, or one that cannot be decided, is breaking.
    fn constraints(
        &mut self,
        subject: &str,
        prefix: &str,
        old: &Constraints,
        new: &Constraints,
        usage: Usage,
    ) {
        let rules = [
            ("minLength", lower_bound(old.min_length, new.min_length)),
            ("maxLength", upper_bound(old.max_length, new.max_length)),
            ("minItems", lower_bound(old.min_items, new.min_items)),
            ("maxItems", upper_bound(old.max_items, new.max_items)),
            ("minimum", lower_bound(old.minimum, new.minimum)),
            ("maximum", upper_bound(old.maximum, new.maximum)),
            (
                "exclusiveMinimum",
                flag(old.exclusive_minimum, new.exclusive_minimum),
            ),
            (
                "exclusiveMaximum",
                flag(old.exclusive_maximum, new.exclusive_maximum),
            ),
            ("pattern", pattern(&old.pattern, &new.pattern)),
            ("multipleOf", multiple_of(old.multiple_of, new.multiple_of)),
            (
                "x-unix-time-unit",
                unit(&old.unix_time_unit, &new.unix_time_unit),
            ),
            (
                "x-max-age-days",
                upper_bound(old.max_age_days, new.max_age_days),
            ),
        ];
        for (rule, moved) in rules {
            let Some((direction, shown)) = moved else {
                continue;
            };
            let breaking = match direction {
                Direction::Tightened => usage.sent,
                Direction::Relaxed => usage.received,
                Direction::Changed | Direction::Undecided => true,
                Direction::Equivalent => false,
            };
            let mut detail = format!("{prefix}{rule} {}: {shown}", direction.word());
            if direction == Direction::Relaxed && usage.checked_on_decode {
                detail.push_str(" (checked when responses are decoded)");
            } else if direction == Direction::Relaxed && usage.received {
                detail.push_str(" (received in responses)");
            }
            if direction == Direction::Tightened && !usage.sent {
                detail.push_str(" (only received)");
            }
            self.push(breaking, subject, detail);
        }
        let none = Constraints::default();
        let items = |c: &Constraints| c.items.as_deref().cloned();
        if items(old) != items(new) {
            let (old_items, new_items) = (items(old), items(new));
            self.constraints(
                subject,
                &format!("{prefix}items."),
                old_items.as_ref().unwrap_or(&none),
                new_items.as_ref().unwrap_or(&none),
                usage,
            );
        }
    }
}

impl Direction {
    fn word(self) -> &'static str {
        match self {
            Direction::Tightened => "tightened",
            Direction::Relaxed => "relaxed",
            Direction::Changed => "changed",
            Direction::Undecided => "changed (inclusion could not be decided)",
            Direction::Equivalent => "rewritten (same values)",
        }
    }
}

/// A minimum (`minLength`, `minItems`, `minimum`): raising it tightens.
fn lower_bound<T: PartialOrd + fmt::Display>(
    old: Option<T>,
    new: Option<T>,
) -> Option<(Direction, String)> {
    bound(old, new, true)
}

/// A maximum (`maxLength`, `maxItems`, `maximum`): lowering it tightens.
fn upper_bound<T: PartialOrd + fmt::Display>(
    old: Option<T>,
    new: Option<T>,
) -> Option<(Direction, String)> {
    bound(old, new, false)
}

/// Adding a bound tightens, dropping it relaxes; moving it tightens or
/// relaxes as `raising_tightens` says.
fn bound<T: PartialOrd + fmt::Display>(
    old: Option<T>,
    new: Option<T>,
    raising_tightens: bool,
) -> Option<(Direction, String)> {
    let direction = match (&old, &new) {
        (None, Some(_)) => Direction::Tightened,
        (Some(_), None) => Direction::Relaxed,
        (Some(a), Some(b)) if b > a && raising_tightens => Direction::Tightened,
        (Some(a), Some(b)) if b > a => Direction::Relaxed,
        (Some(a), Some(b)) if b < a && raising_tightens => Direction::Relaxed,
        (Some(a), Some(b)) if b < a => Direction::Tightened,
        _ => return None,
    };
    Some((direction, format!("{} -> {}", shown(&old), shown(&new))))
}

fn shown<T: fmt::Display>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "unset".to_string(), ToString::to_string)
}

/// `exclusiveMinimum` / `exclusiveMaximum`: turning it on tightens.
fn flag(old: bool, new: bool) -> Option<(Direction, String)> {
    let direction = match (old, new) {
        (false, true) => Direction::Tightened,
        (true, false) => Direction::Relaxed,
        _ => return None,
    };
    Some((direction, format!("{old} -> {new}")))
}

/// A pattern change, decided by what each pattern accepts.
fn pattern(old: &Option<String>, new: &Option<String>) -> Option<(Direction, String)> {
    let direction = match (old, new) {
        (None, Some(_)) => Direction::Tightened,
        (Some(_), None) => Direction::Relaxed,
        (Some(a), Some(b)) if a != b => match patterns::compare(a, b) {
            Inclusion::Equal => Direction::Equivalent,
            Inclusion::Wider => Direction::Relaxed,
            Inclusion::Narrower => Direction::Tightened,
            Inclusion::Different => Direction::Changed,
            Inclusion::Undecided => Direction::Undecided,
        },
        _ => return None,
    };
    let show = |p: &Option<String>| p.as_ref().map_or("unset".into(), |p| format!("`{p}`"));
    Some((direction, format!("{} -> {}", show(old), show(new))))
}

/// `multipleOf`: adding one tightens, dropping it relaxes; a new factor
/// that is a multiple of the old one tightens, a divisor of it relaxes.
fn multiple_of(old: Option<f64>, new: Option<f64>) -> Option<(Direction, String)> {
    let whole = |x: f64| (x - x.round()).abs() < 1e-9;
    let direction = match (old, new) {
        (None, None) => return None,
        (None, Some(_)) => Direction::Tightened,
        (Some(_), None) => Direction::Relaxed,
        (Some(a), Some(b)) if a == b => return None,
        (Some(a), Some(b)) if whole(b / a) => Direction::Tightened,
        (Some(a), Some(b)) if whole(a / b) => Direction::Relaxed,
        _ => Direction::Changed,
    };
    Some((direction, format!("{} -> {}", shown(&old), shown(&new))))
}

fn unit(old: &Option<String>, new: &Option<String>) -> Option<(Direction, String)> {
    (old != new).then(|| {
        (
            Direction::Changed,
            format!("{} -> {}", shown(old), shown(new)),
        )
    })
}

/// Items by a key, for pairing old and new.
fn by_key<K: Ord, T>(items: &[T], key: impl Fn(&T) -> K) -> BTreeMap<K, &T> {
    items.iter().map(|item| (key(item), item)).collect()
}

/// Every key of either map, in order, with its value on each side.
fn pair_up<'m, K: Ord + Clone, V>(
    old: &'m BTreeMap<K, V>,
    new: &'m BTreeMap<K, V>,
) -> BTreeMap<K, (Option<&'m V>, Option<&'m V>)> {
    let mut out: BTreeMap<K, (Option<&V>, Option<&V>)> = BTreeMap::new();
    for (key, value) in old {
        out.entry(key.clone()).or_default().0 = Some(value);
    }
    for (key, value) in new {
        out.entry(key.clone()).or_default().1 = Some(value);
    }
    out
}

fn operation_subject(name: &str, op: &Operation) -> String {
    format!("operation {name} ({} {})", op.method, op.path)
}

fn field_subject(type_name: &str, field: &Field) -> String {
    format!(
        "field {type_name}.{} ({})",
        field.rust_name, field.json_name
    )
}

fn added(required: bool) -> &'static str {
    if required {
        "added, required"
    } else {
        "added, optional"
    }
}

fn now_required(required: bool) -> &'static str {
    if required {
        "now required"
    } else {
        "now optional"
    }
}

fn changed_type(old: &TypeRef, new: &TypeRef) -> String {
    format!("type changed: {} -> {}", rust_type(old), rust_type(new))
}

fn location_name(location: ParamLocation) -> &'static str {
    match location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
    }
}

/// The positional arguments of an operation's method, as the emitted method
/// takes them: the required parameters, then a required body.
fn arguments(op: &Operation) -> Vec<&str> {
    let mut names: Vec<&str> = op
        .required_params()
        .iter()
        .map(|p| p.rust_name.as_str())
        .collect();
    if let Some(body) = op.body.as_ref().filter(|b| b.required) {
        names.push(&body.rust_name);
    }
    names
}

/// A type as the generated code writes it.
fn rust_type(ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "String".into(),
        TypeRef::Integer { format } if format.as_deref() == Some("int32") => "i32".into(),
        TypeRef::Integer { .. } => "i64".into(),
        TypeRef::Number => "f64".into(),
        TypeRef::Boolean => "bool".into(),
        TypeRef::Any => "serde_json::Value".into(),
        TypeRef::Array(item) => format!("Vec<{}>", rust_type(item)),
        TypeRef::Map(value) => format!("BTreeMap<String, {}>", rust_type(value)),
        TypeRef::Named(name) => name.clone(),
        TypeRef::Nullable(inner) => format!("Option<{}>", rust_type(inner)),
    }
}

/// A field's type as the generated struct declares it.
fn field_type(field: &Field) -> String {
    let mut ty = rust_type(&field.ty);
    if field.boxed {
        ty = format!("Box<{ty}>");
    }
    if !field.required || field.nullable {
        ty = format!("Option<{ty}>");
    }
    ty
}

fn success_type(success: &Success) -> String {
    match success {
        Success::Json(ty) => rust_type(ty),
        Success::Text => "String".into(),
        Success::Headers(name) => name.clone(),
        Success::Empty => "()".into(),
    }
}

fn describe(kind: &TypeKind) -> String {
    match kind {
        TypeKind::Struct(_) => "struct".into(),
        TypeKind::Newtype(_) => "validated String".into(),
        // A named plain string (`emit::plain_string_type`).
        TypeKind::Alias(TypeRef::String, _) => "alias of Cow<'static, str>".into(),
        TypeKind::Alias(ty, _) => format!("alias of {}", rust_type(ty)),
        TypeKind::Enum(_) => "enum".into(),
        TypeKind::IntEnum(_) => "integer enum".into(),
        TypeKind::Const(value) => format!("constant {value:?}"),
        TypeKind::ConstBool(value) => format!("constant {value}"),
        TypeKind::Union(_) => "union".into(),
        TypeKind::Headers(_) => "response headers".into(),
    }
}

fn discrimination(d: &Discrimination) -> String {
    match d {
        Discrimination::ByFields => "by fields".into(),
        Discrimination::ByShape => "by shape".into(),
        Discrimination::Tagged { property, .. } => format!("by `{property}`"),
    }
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

/// The variants of a string enum, named as `emit` names them.
fn string_variants(values: &[String]) -> Vec<(String, String)> {
    values
        .iter()
        .cloned()
        .zip(crate::names::enum_variants(values))
        .collect()
}

/// The variants of an integer enum, named as `emit` names them.
fn int_variants(values: &[i64]) -> Vec<(i64, String)> {
    values
        .iter()
        .map(|&v| (v, crate::names::int_enum_variant(v)))
        .collect()
}
