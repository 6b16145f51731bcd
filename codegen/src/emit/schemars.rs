//! Emits `schemars::JsonSchema` support behind the user crate's `schemars`
//! feature: a derive on structs and shape unions (with the spec's constraints
//! as `#[schemars(...)]` attributes), and impls for the types whose serde
//! impls are written by hand (newtypes, constants, enums, field-told unions).
//!
//! The derived schemas are built by `schemars` from the Rust types, so a test
//! can compare them with the spec: an independent check of the generator.

use super::{ident, Context};
use crate::model::{Constraints, Discrimination, Field, TypeDef, TypeKind, TypeRef, UnionDef};
use proc_macro2::TokenStream;
use quote::quote;

/// `#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]`
pub(super) fn derive() -> TokenStream {
    quote!(#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))])
}

fn validation_attrs(c: &Constraints, in_array: bool) -> Vec<TokenStream> {
    let mut attrs = Vec::new();
    let (min, max) = if in_array {
        (c.min_items, c.max_items)
    } else {
        (c.min_length, c.max_length)
    };
    match (min, max) {
        (Some(min), Some(max)) => attrs.push(quote!(length(min = #min, max = #max))),
        (Some(min), None) => attrs.push(quote!(length(min = #min))),
        (None, Some(max)) => attrs.push(quote!(length(max = #max))),
        (None, None) => {}
    }
    if !in_array {
        if let Some(pattern) = &c.pattern {
            attrs.push(quote!(regex(pattern = #pattern)));
        }
        match (c.minimum, c.maximum) {
            (Some(min), Some(max)) => attrs.push(quote!(range(min = #min, max = #max))),
            (Some(min), None) => attrs.push(quote!(range(min = #min))),
            (None, Some(max)) => attrs.push(quote!(range(max = #max))),
            (None, None) => {}
        }
    }
    attrs
}

/// The spec's constraints on a field (its own, or its alias's) as schemars attributes.
pub(super) fn field_attrs(cx: &Context, field: &Field) -> TokenStream {
    let mut ty = &field.ty;
    let mut constraints = field.constraints.clone();
    if let TypeRef::Named(name) = ty {
        if let Some(TypeKind::Alias(inner, alias_constraints)) = cx.def(name).map(|d| &d.kind) {
            ty = inner;
            // Constraints beside a `$ref` (OpenAPI 3.1) add to the alias's.
            constraints = alias_constraints.and(&constraints);
        }
    }
    let in_array = matches!(ty, TypeRef::Array(_));
    let mut attrs = validation_attrs(&constraints, in_array);
    if in_array {
        if let Some(items) = &constraints.items {
            let inner = validation_attrs(items, false);
            if !inner.is_empty() {
                attrs.push(quote!(inner(#(#inner),*)));
            }
        }
    }
    if attrs.is_empty() {
        return TokenStream::new();
    }
    quote!(#[cfg_attr(feature = "schemars", schemars(#(#attrs),*))])
}

/// A hand-written `JsonSchema` impl for `def` whose schema is `body` (a
/// `serde_json::Value` expression that may use `generator`).
fn impl_with(def: &TypeDef, body: TokenStream) -> TokenStream {
    let name = ident(&def.name);
    let schema_name = &def.name;
    quote! {
        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                #schema_name.into()
            }

            fn json_schema(generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                let _ = &generator;
                let value: ::serde_json::Value = #body;
                ::schemars::Schema::try_from(value).unwrap_or_default()
            }
        }
    }
}

pub(super) fn newtype_impl(def: &TypeDef, c: &Constraints) -> TokenStream {
    let mut entries = vec![quote!("type": "string")];
    if let Some(min) = c.min_length {
        entries.push(quote!("minLength": #min));
    }
    if let Some(max) = c.max_length {
        entries.push(quote!("maxLength": #max));
    }
    if let Some(pattern) = &c.pattern {
        entries.push(quote!("pattern": #pattern));
    }
    impl_with(def, quote!(::serde_json::json!({ #(#entries),* })))
}

pub(super) fn const_impl(def: &TypeDef, value: &str) -> TokenStream {
    impl_with(
        def,
        quote!(::serde_json::json!({ "type": "string", "enum": [#value] })),
    )
}

pub(super) fn enum_impl(def: &TypeDef, values: &[String]) -> TokenStream {
    impl_with(
        def,
        quote!(::serde_json::json!({ "type": "string", "enum": [#(#values),*] })),
    )
}

pub(super) fn int_enum_impl(def: &TypeDef, values: &[i64]) -> TokenStream {
    impl_with(
        def,
        quote!(::serde_json::json!({ "type": "integer", "enum": [#(#values),*] })),
    )
}

/// A union told apart by a property: `oneOf` where the spec says so and a
/// discriminator's value makes the variants exclude each other; `anyOf`
/// otherwise (variants told apart by `x-discriminator-fields` may overlap,
/// as `EventsItems`'s do: a `oneOf` would refuse an event that fits two).
pub(super) fn union_impl(cx: &Context, def: &TypeDef, u: &UnionDef) -> TokenStream {
    let types = u.variants.iter().map(|v| cx.ty(&v.ty, &TokenStream::new()));
    let exclusive = u.one_of && matches!(u.discrimination, Discrimination::Tagged { .. });
    let key = if exclusive { "oneOf" } else { "anyOf" };
    impl_with(
        def,
        quote!(::serde_json::json!({ #key: [#(generator.subschema_for::<#types>()),*] })),
    )
}

/// The hand-written impl a type needs (none for derived ones).
pub(super) fn manual_impl(cx: &Context, def: &TypeDef) -> TokenStream {
    match &def.kind {
        TypeKind::Newtype(c) => newtype_impl(def, c),
        TypeKind::Const(value) => const_impl(def, value),
        TypeKind::ConstBool(value) => impl_with(
            def,
            quote!(::serde_json::json!({ "type": "boolean", "enum": [#value] })),
        ),
        TypeKind::Enum(values) => enum_impl(def, values),
        TypeKind::IntEnum(values) => int_enum_impl(def, values),
        TypeKind::Union(u) if u.discrimination != crate::model::Discrimination::ByShape => {
            union_impl(cx, def, u)
        }
        _ => TokenStream::new(),
    }
}
