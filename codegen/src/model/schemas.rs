//! Schemas to Rust types: structs, enums, constants, unions, aliases and
//! newtypes, with their constraints; inline schemas get names from hints.

use super::openapi31;
use super::*;
use crate::openapi::{Schema, IGNORED_SCHEMA_KEYS};
use crate::resolve::ref_of;

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

impl Builder<'_> {
    /// A schema as the model reads it: in 3.0 forms (a 3.1 spec's rewritten
    /// by [`openapi31`]), without checking its keywords.
    pub(super) fn read_schema(&self, value: &Value, at: &Location) -> Result<Schema> {
        if !value.is_object() {
            return Ok(Schema::default());
        }
        if self.openapi31 {
            parse_at(openapi31::lower_schema(value, at)?.as_ref(), at)
        } else {
            parse_at(value, at)
        }
    }

    /// [`read_schema`](Self::read_schema), refusing a keyword the model
    /// does not read.
    pub(super) fn parse_schema(&mut self, value: &Value, at: &Location) -> Result<Schema> {
        if value.is_boolean() {
            return Ok(Schema::default());
        }
        let schema = self.read_schema(value, at)?;
        for key in schema.extra.keys() {
            if key.starts_with("x-") || IGNORED_SCHEMA_KEYS.contains(&key.as_str()) {
                continue;
            }
            if self.openapi31 && openapi31::SCHEMA_KEYS_31.contains(&key.as_str()) {
                if key == "dependentRequired"
                    && schema.properties.is_empty()
                    && schema.all_of.is_none()
                {
                    return Err(Error::new(
                        &at.key(key),
                        "`dependentRequired` is supported on an object schema with `properties`",
                    ));
                }
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

    pub(super) fn constraints(&mut self, schema: &Schema, at: &Location) -> Result<Constraints> {
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
            if !crate::emit::patterns::is_simple(pattern) {
                self.warn(
                    &at.key("pattern"),
                    format!(
                        "`{pattern}` is checked by the regex engine at run time: \
                         the runtime needs its feature `regex` (algolia-insights/regex)"
                    ),
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
    pub(super) fn type_of(
        &mut self,
        value: &Value,
        at: &Location,
        hint: &str,
    ) -> Result<(TypeRef, Constraints)> {
        if self.nesting >= MAX_NESTING {
            return Err(Error::new(
                at,
                format!("schemas nested more than {MAX_NESTING} deep are not supported"),
            ));
        }
        self.nesting += 1;
        let result = self.type_of_nested(value, at, hint);
        self.nesting -= 1;
        result
    }

    fn type_of_nested(
        &mut self,
        value: &Value,
        at: &Location,
        hint: &str,
    ) -> Result<(TypeRef, Constraints)> {
        if let Some(reference) = ref_of(value) {
            self.loader.ref_target(reference, at)?;
            let (_, resolved_at) = self.loader.resolve(value, at)?;
            let name = self.named_type(&resolved_at)?;
            let constraints = if self.openapi31 {
                self.constraints_beside_ref(value, at, &name)?
            } else {
                Constraints::default()
            };
            return Ok((TypeRef::Named(name), constraints));
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

    /// The constraints written beside a `$ref` (OpenAPI 3.1), checked on
    /// top of those of `target`, the referenced type: only an alias of a
    /// string, number or list can take them. Annotations beside it
    /// (descriptions, examples) are read where the reference is used; any
    /// other keyword is refused.
    fn constraints_beside_ref(
        &mut self,
        value: &Value,
        at: &Location,
        target: &str,
    ) -> Result<Constraints> {
        const ANNOTATIONS: &[&str] = &[
            "$ref",
            "$comment",
            "description",
            "title",
            "deprecated",
            "readOnly",
            "writeOnly",
            "default",
            "example",
            "examples",
            "externalDocs",
        ];
        const CONSTRAINTS: &[&str] = &[
            "minLength",
            "maxLength",
            "pattern",
            "minItems",
            "maxItems",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
        ];
        let Some(object) = value.as_object() else {
            return Ok(Constraints::default());
        };
        for key in object.keys() {
            let known = ANNOTATIONS.contains(&key.as_str())
                || CONSTRAINTS.contains(&key.as_str())
                || key.starts_with("x-");
            if !known {
                return Err(Error::new(
                    &at.key(key),
                    format!(
                        "`{key}` beside `$ref` is not supported (only annotations and the \
                         constraints {}): write it in the referenced schema, or use `allOf`",
                        CONSTRAINTS.join(", ")
                    ),
                ));
            }
        }
        let schema = self.read_schema(value, at)?;
        let constraints = self.constraints(&schema, at)?;
        if constraints.is_empty() {
            return Ok(constraints);
        }
        let first = object
            .keys()
            .find(|key| CONSTRAINTS.contains(&key.as_str()))
            .map_or_else(|| at.clone(), |key| at.key(key));
        let target_constraints = self.types.iter().flatten().find_map(|t| match &t.kind {
            TypeKind::Alias(
                TypeRef::String | TypeRef::Integer { .. } | TypeRef::Number | TypeRef::Array(_),
                c,
            ) if t.name == target => Some(c),
            _ => None,
        });
        let Some(target_constraints) = target_constraints else {
            return Err(Error::new(
                &first,
                format!(
                    "constraints beside `$ref` are supported where it names a plain string, \
                     number or list schema; `{target}` is not one (or is still being defined): \
                     write them in the referenced schema"
                ),
            ));
        };
        if constraints.pattern.is_some() && target_constraints.pattern.is_some() {
            return Err(Error::new(
                &at.key("pattern"),
                format!(
                    "`{target}` has a `pattern` already: a value cannot be checked against two"
                ),
            ));
        }
        Ok(constraints)
    }

    /// A `oneOf`/`anyOf` of one schema and `type: 'null'`: (key, index, the
    /// schema). Such a union is that schema's type, nullable.
    pub(super) fn single_non_null<'s>(
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
    pub(super) fn is_null_schema(&mut self, value: &Value, at: &Location) -> Result<bool> {
        let (value, at) = self.loader.resolve(value, at)?;
        let value = if self.openapi31 {
            openapi31::lower_schema(value, &at)?
        } else {
            std::borrow::Cow::Borrowed(value)
        };
        Ok(value.get("type").and_then(Value::as_str) == Some("null"))
    }

    pub(super) fn define_inline(
        &mut self,
        value: &Value,
        at: &Location,
        hint: &str,
    ) -> Result<String> {
        if let Some((name, _)) = self.by_location.get(at) {
            return Ok(name.clone());
        }
        let name = self.unique_name(hint);
        self.define(name, hint.to_string(), value, at)
    }

    /// The name of the type defined at a location, defining it on first use.
    pub(super) fn named_type(&mut self, at: &Location) -> Result<String> {
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
        let annotated_ref = self.openapi31
            && value
                .as_object()
                .is_some_and(|o| o.keys().any(|k| k != "$ref" && !k.starts_with("x-")));
        if ref_of(&value).is_some() && !annotated_ref {
            // A component that is only a reference to another: use the target's name.
            let (_, target_at) = self.loader.resolve(&value, at)?;
            return self.named_type(&target_at);
        }
        let name = self.unique_name(&spec_name);
        self.define(name, spec_name, &value, at)
    }

    pub(super) fn define(
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

    pub(super) fn build_def(
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
            let union = self.union_def(name, &schema, variants, at)?;
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
            let kind = enum_kind(&schema, values, at)?;
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

    /// The union of a `oneOf` or `anyOf` (`variants`), and how its
    /// variants are told apart.
    fn union_def(
        &mut self,
        name: &str,
        schema: &Schema,
        variants: &[Value],
        at: &Location,
    ) -> Result<UnionDef> {
        let key = if schema.one_of.is_some() {
            "oneOf"
        } else {
            "anyOf"
        };
        let mut union = self.union(name, variants, &at.key(key))?;
        union.one_of = key == "oneOf";
        // Checked before the discriminator is read: its variants are
        // numbered without the `null` one.
        if union.nullable
            && (schema.discriminator.is_some() || union.discrimination != Discrimination::ByShape)
        {
            return Err(Error::new(
                &at.key(key),
                "a `type: 'null'` variant is supported only in a union told apart by shape \
                 (no `discriminator`, no `x-discriminator-fields`)",
            ));
        }
        if let Some(discriminator) = &schema.discriminator {
            union.discrimination = self.tagged(
                discriminator,
                variants,
                &union,
                &at.key(key),
                &at.key("discriminator"),
            )?;
        }
        Ok(union)
    }

    pub(super) fn merge_all_of(&mut self, schema: &Schema, at: &Location) -> Result<Schema> {
        self.merge_all_of_within(schema, at, &mut vec![at.clone()])
    }

    /// `merge_all_of`, with the schemas being merged (`merging`) so that a
    /// part that includes one of them is refused rather than followed forever.
    fn merge_all_of_within(
        &mut self,
        schema: &Schema,
        at: &Location,
        merging: &mut Vec<Location>,
    ) -> Result<Schema> {
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
                if merging.contains(&part_at) {
                    return Err(Error::new(
                        &at.key("allOf").index(i),
                        format!("this `allOf` part includes itself (through {part_at}): a cycle"),
                    ));
                }
                merging.push(part_at.clone());
                let part = self.merge_all_of_within(&part, &part_at, merging)?;
                merging.pop();
                part
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

    pub(super) fn struct_def(
        &mut self,
        name: &str,
        schema: &Schema,
        at: &Location,
    ) -> Result<StructDef> {
        let props_at = at.key("properties");
        let mut fields = Vec::new();
        // Names the emitted struct already uses: the field that keeps unknown
        // properties, the constructor and `validate` (an optional field gets
        // a setter named like it). A property called so gets a `_`.
        let mut rust_names: BTreeSet<String> = ["additional_properties", "new", "validate"]
            .map(String::from)
            .into();
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
            let resolved_schema = self.read_schema(resolved, &prop_at)?;
            // Keywords beside a `$ref` mean nothing in 3.0; in 3.1 they
            // annotate this use of the referenced schema.
            let inline = if ref_of(prop).is_none() || self.openapi31 {
                self.read_schema(prop, &prop_at)?
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
        let discriminator_fields = discriminator_fields(schema, at)?;
        let same_length = self.same_length_pairs(schema, at, &fields)?;
        let max_serialized_bytes = max_serialized_bytes(schema, at)?;
        let dependent_required = openapi31::dependent_required(
            schema.extra.get("dependentRequired"),
            &schema.properties,
            at,
        )?;
        Ok(StructDef {
            fields,
            additional,
            same_length,
            max_serialized_bytes,
            dependent_required,
            discriminator_fields,
        })
    }

    /// `x-same-length`: pairs of array properties of equal length.
    fn same_length_pairs(
        &self,
        schema: &Schema,
        at: &Location,
        fields: &[Field],
    ) -> Result<Vec<(String, String)>> {
        let mut same_length = Vec::new();
        let Some(pairs) = schema.extra.get("x-same-length") else {
            return Ok(same_length);
        };
        let pairs: Vec<(String, String)> = serde_json::from_value(pairs.clone()).map_err(|_| {
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
        Ok(same_length)
    }

    pub(super) fn is_array(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Array(_) => true,
            TypeRef::Named(name) => self.types.iter().flatten().any(|t| {
                &t.name == name
                    && matches!(&t.kind, TypeKind::Alias(inner, _) if self.is_array(inner))
            }),
            _ => false,
        }
    }

    pub(super) fn union(
        &mut self,
        name: &str,
        variants: &[Value],
        at: &Location,
    ) -> Result<UnionDef> {
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
            one_of: false,
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
    pub(super) fn tagged(
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
}

/// `x-discriminator-fields`: the properties that tell this struct apart
/// among the variants of a union.
fn discriminator_fields(schema: &Schema, at: &Location) -> Result<Vec<String>> {
    let key = "x-discriminator-fields";
    let fields: Vec<String> = match schema.extra.get(key) {
        None => Vec::new(),
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|_| Error::new(&at.key(key), "expected a list of property names"))?,
    };
    for (i, field) in fields.iter().enumerate() {
        if !schema.properties.contains_key(field) {
            return Err(Error::new(
                &at.key(key).index(i),
                format!("`{field}` is not a property of this schema"),
            ));
        }
    }
    Ok(fields)
}

/// `x-max-serialized-bytes`: how long the struct's JSON may be.
fn max_serialized_bytes(schema: &Schema, at: &Location) -> Result<Option<u64>> {
    match schema.extra.get("x-max-serialized-bytes") {
        None => Ok(None),
        Some(v) => Ok(Some(v.as_u64().ok_or_else(|| {
            Error::new(
                &at.key("x-max-serialized-bytes"),
                "expected a whole number of bytes",
            )
        })?)),
    }
}

/// `ty`, nullable (once).
pub(super) fn nullable(ty: TypeRef) -> TypeRef {
    match ty {
        TypeRef::Nullable(_) => ty,
        other => TypeRef::Nullable(Box::new(other)),
    }
}

/// Schemas that must become a named Rust type even when written inline.
pub(super) fn needs_definition(schema: &Schema) -> bool {
    schema.one_of.is_some()
        || schema.any_of.is_some()
        || schema.enumeration.is_some()
        || schema.constant.is_some()
        || schema.all_of.as_ref().is_some_and(|a| a.len() > 1)
        || !schema.properties.is_empty()
}

/// The kind of an `enum`: integers, strings, or a constant (one string).
fn enum_kind(schema: &Schema, values: &[Value], at: &Location) -> Result<TypeKind> {
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
        return Ok(TypeKind::IntEnum(integers));
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
    Ok(if strings.len() == 1 {
        TypeKind::Const(strings.remove(0))
    } else {
        TypeKind::Enum(strings)
    })
}
