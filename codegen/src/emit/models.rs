//! Emits `models.rs`: one Rust type per named schema, with constructors,
//! setters, serde impls and `validate()`.

use super::deserialize::{unknown_of, Unknown};
use super::{doc, ident, validation, Context};
use crate::error::Result;
use crate::model::{
    Constraints, Discrimination, Field, StructDef, TypeDef, TypeKind, TypeRef, UnionDef,
};
use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn emit(cx: &Context) -> Result<TokenStream> {
    let mut items = Vec::new();
    for def in &cx.model.types {
        items.push(match &def.kind {
            TypeKind::Struct(s) => emit_struct(cx, def, s)?,
            TypeKind::Newtype(c) => emit_newtype(cx, def, c),
            TypeKind::Alias(ty, _) => emit_alias(cx, def, ty),
            TypeKind::Enum(values) => emit_enum(def, values),
            TypeKind::IntEnum(values) => super::int_enums::emit(def, values),
            TypeKind::Const(value) => emit_const(cx, def, value),
            TypeKind::ConstBool(value) => emit_const_bool(def, *value),
            TypeKind::Union(u) => emit_union(cx, def, u)?,
            TypeKind::Headers(fields) => emit_headers(cx, def, fields),
        });
    }
    let readable = super::fast_read::readable(cx);
    for def in &cx.model.types {
        items.push(super::fast_read::emit(cx, def, &readable)?);
    }
    for def in &cx.model.types {
        items.push(super::schemars::manual_impl(cx, def));
    }
    Ok(quote!(#(#items)*))
}

fn type_doc(def: &TypeDef) -> TokenStream {
    let mut text = def
        .doc
        .clone()
        .unwrap_or_else(|| format!("The `{}` schema.", def.spec_name));
    if let Some(example) = &def.example {
        if example.is_object() {
            let json = serde_json::to_string(example).unwrap_or_default();
            text.push_str(&format!(
                "\n\nOn the wire, for example:\n\n```json\n{json}\n```"
            ));
        }
    }
    let deprecated = if def.deprecated {
        quote!(#[deprecated = "deprecated in the API spec"])
    } else {
        TokenStream::new()
    };
    let doc = doc(Some(&text));
    quote!(#doc #deprecated)
}

/// How a constructor or setter takes a value of a field's type: the
/// parameter's type, and the expression that turns the argument `name` into
/// the field's value (`None` when the argument is the value).
///
/// A named plain string (`Cow<'static, str>`) takes `impl Into<T>`, so that
/// a constant stays borrowed. Lists of strings (named plain ones included)
/// and numbers take `impl IntoList<T>`, whose compiler error says which list
/// was expected where something else was passed; lists of models take
/// `impl IntoModelList<T>`, whose items are `T` exactly so that
/// `[event.into()]` infers; a checked string type takes `impl Checked<T>`,
/// whose error says to build it with `T::new(value)?`.
fn argument(
    cx: &Context,
    ty: &TypeRef,
    name: &proc_macro2::Ident,
) -> (TokenStream, Option<TokenStream>) {
    let rt = &cx.rt;
    let empty = TokenStream::new();
    if cx.is_plain_string(ty) {
        // `Cow<'static, str>` (`super::plain_string_type`): a constant is
        // held without a copy, a `String` moved in.
        let ty = cx.ty(ty, &empty);
        return (
            quote!(impl ::std::convert::Into<#ty>),
            Some(quote!(#name.into())),
        );
    }
    match cx.unalias(ty) {
        TypeRef::String => (
            quote!(impl ::std::convert::Into<::std::string::String>),
            Some(quote!(#name.into())),
        ),
        TypeRef::Array(item)
            if cx.is_plain_string(item) || !matches!(**item, TypeRef::Named(_) | TypeRef::Any) =>
        {
            let item = cx.ty(item, &empty);
            (
                quote!(impl #rt::runtime::IntoList<#item>),
                Some(quote!(#rt::runtime::IntoList::into_list(#name))),
            )
        }
        TypeRef::Array(item) => {
            let item = cx.ty(item, &empty);
            (
                quote!(impl #rt::runtime::IntoModelList<#item>),
                Some(quote!(#rt::runtime::IntoModelList::into_model_list(#name))),
            )
        }
        TypeRef::Named(newtype)
            if matches!(cx.def(newtype).map(|d| &d.kind), Some(TypeKind::Newtype(_))) =>
        {
            let newtype = ident(newtype);
            (
                quote!(impl #rt::runtime::Checked<#newtype>),
                Some(quote!(#rt::runtime::Checked::into_checked(#name))),
            )
        }
        TypeRef::Named(union)
            if matches!(cx.def(union).map(|d| &d.kind), Some(TypeKind::Union(_))) =>
        {
            let union = ident(union);
            (
                quote!(impl ::std::convert::Into<#union>),
                Some(quote!(#name.into())),
            )
        }
        _ => (cx.ty(ty, &empty), None),
    }
}

fn is_const(cx: &Context, ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Named(n) if matches!(cx.def(n).map(|d| &d.kind), Some(TypeKind::Const(_) | TypeKind::ConstBool(_))))
}

fn field_doc(field: &Field) -> TokenStream {
    let mut text = field
        .doc
        .clone()
        .unwrap_or_else(|| format!("The `{}` property.", field.json_name));
    if let Some(default) = &field.default {
        text.push_str(&format!("\n\nWhen absent, the API assumes `{default}`."));
    }
    if field.read_only {
        text.push_str("\n\nSet by the server (read-only): it is never sent.");
    }
    doc(Some(&text))
}

fn emit_struct(cx: &Context, def: &TypeDef, s: &StructDef) -> Result<TokenStream> {
    let name = ident(&def.name);
    let doc = type_doc(def);
    let unknown = unknown_of(def, s);
    let deny = if unknown == Unknown::Closed {
        quote!(#[serde(deny_unknown_fields)])
    } else {
        TokenStream::new()
    };
    let mut fields: Vec<_> = s.fields.iter().map(|f| struct_field(cx, f)).collect();
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for f in &s.fields {
        let FieldInNew {
            param,
            init,
            setter,
        } = field_in_new(cx, f);
        params.extend(param);
        inits.push(init);
        setters.extend(setter);
    }
    if let Some(field) = unknown_properties_field(cx, s, unknown) {
        fields.push(field);
        inits.push(quote!(additional_properties: ::std::default::Default::default()));
    }
    let new_doc = new_doc(cx, def, s);
    let too_many = if params.len() > 7 {
        quote!(#[allow(clippy::too_many_arguments)])
    } else {
        TokenStream::new()
    };
    let limits = limit_consts(s);
    let validate = validation::emit_struct(cx, def, s)?;
    let derive_default = if params.is_empty() {
        quote!(::std::default::Default,)
    } else {
        TokenStream::new()
    };
    let (derive_deserialize, deserialize) = if unknown == Unknown::Raw {
        (
            TokenStream::new(),
            super::deserialize::struct_keeping_unknown(cx, def, s),
        )
    } else {
        (quote!(::serde::Deserialize,), TokenStream::new())
    };
    let schemars_derive = super::schemars::derive();
    // The type's own code may use what the spec deprecates; its users get the warning.
    let allow_deprecated = if def.deprecated || s.fields.iter().any(|f| f.deprecated) {
        quote!(#[allow(deprecated)])
    } else {
        TokenStream::new()
    };
    Ok(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #derive_default ::serde::Serialize, #derive_deserialize)]
        #schemars_derive
        #deny
        #[non_exhaustive]
        #allow_deprecated
        pub struct #name {
            #(#fields)*
        }

        #allow_deprecated
        impl #name {
            #(#limits)*

            #new_doc
            #too_many
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }

            #(#setters)*
        }

        #deserialize
        #validate
    })
}

/// A struct's field: its doc, its serde (and schemars) attributes, its type.
fn struct_field(cx: &Context, f: &Field) -> TokenStream {
    let fname = ident(&f.rust_name);
    let json = &f.json_name;
    let ty = cx.field_type(f);
    let fdoc = field_doc(f);
    let rename = if *json != f.rust_name {
        quote!(#[serde(rename = #json)])
    } else {
        TokenStream::new()
    };
    let skip = if !f.required {
        quote!(#[serde(default, skip_serializing_if = "::std::option::Option::is_none")])
    } else if f.nullable {
        quote!(#[serde(default)])
    } else {
        TokenStream::new()
    };
    // Written by the runtime, which checks each item as it goes when a
    // request body is sent (`validation::as_written`).
    let written = if validation::items_checked_as_written(cx, f) {
        let with = format!("{}::__private::serialize_checked_items", cx.rt);
        quote!(#[serde(serialize_with = #with)])
    } else {
        TokenStream::new()
    };
    let deprecated = if f.deprecated {
        quote!(#[deprecated = "deprecated in the API spec"])
    } else {
        TokenStream::new()
    };
    let schemars_attrs = super::schemars::field_attrs(cx, f);
    quote! {
        #fdoc
        #deprecated
        #rename
        #skip
        #written
        #schemars_attrs
        pub #fname: #ty,
    }
}

/// What a field writes in the struct's `new` and after it: an argument of
/// `new` (a required field), its initializer, a setter (an optional field).
struct FieldInNew {
    param: Option<TokenStream>,
    init: TokenStream,
    setter: Option<TokenStream>,
}

fn field_in_new(cx: &Context, f: &Field) -> FieldInNew {
    let fname = ident(&f.rust_name);
    let only = |init| FieldInNew {
        param: None,
        init,
        setter: None,
    };
    if is_const(cx, &f.ty) {
        let ty = cx.ty(&f.ty, &TokenStream::new());
        return only(if f.required {
            quote!(#fname: #ty)
        } else {
            quote!(#fname: ::std::option::Option::Some(#ty))
        });
    }
    if f.read_only {
        return only(quote!(#fname: ::std::option::Option::None));
    }
    let (arg, convert) = argument(cx, &f.ty, &fname);
    let converted = convert.is_some();
    let mut value = convert.unwrap_or_else(|| quote!(#fname));
    if f.boxed {
        value = quote!(::std::boxed::Box::new(#value));
    }
    if f.required && !f.nullable {
        return FieldInNew {
            param: Some(quote!(#fname: #arg)),
            init: if !converted && !f.boxed {
                quote!(#fname)
            } else {
                quote!(#fname: #value)
            },
            setter: None,
        };
    }
    FieldInNew {
        param: None,
        init: quote!(#fname: ::std::option::Option::None),
        setter: Some(optional_field_setter(f, &fname, &arg, &value)),
    }
}

/// The setter of an optional field.
fn optional_field_setter(
    f: &Field,
    fname: &proc_macro2::Ident,
    arg: &TokenStream,
    value: &TokenStream,
) -> TokenStream {
    let setter_doc = super::doc(Some(&format!(
        "Sets `{}` (optional).{}",
        f.json_name,
        f.doc
            .as_deref()
            .map(|d| format!("\n\n{d}"))
            .unwrap_or_default()
    )));
    quote! {
        #setter_doc
        pub fn #fname(mut self, #fname: #arg) -> Self {
            self.#fname = ::std::option::Option::Some(#value);
            self
        }
    }
}

/// The `additional_properties` field of a struct that keeps unknown
/// properties. Those of any type are kept as JSON text, read by a generated
/// deserializer; typed ones (`additionalProperties: {schema}`) through
/// serde's flatten.
fn unknown_properties_field(cx: &Context, s: &StructDef, unknown: Unknown) -> Option<TokenStream> {
    if unknown == Unknown::Raw {
        let rt = &cx.rt;
        Some(quote! {
            /// Properties the spec does not name, kept as the JSON text they came as, so that
            /// nothing is lost and nothing is expanded.
            #[serde(flatten)]
            pub additional_properties: #rt::runtime::RawProperties,
        })
    } else if unknown == Unknown::Typed {
        let value_ty = match &s.additional {
            Some(ty) => cx.ty(ty, &TokenStream::new()),
            None => quote!(::serde_json::Value),
        };
        // Not `serde_json::Map`: it has its traits only for `Value` values.
        Some(quote! {
            /// Properties the spec does not name, kept so that nothing is lost.
            #[serde(flatten)]
            pub additional_properties: ::std::collections::BTreeMap<::std::string::String, #value_ty>,
        })
    } else {
        None
    }
}

/// The doc of a struct's `new`, naming the constant properties it sets.
fn new_doc(cx: &Context, def: &TypeDef, s: &StructDef) -> TokenStream {
    let consts: Vec<String> = s
        .fields
        .iter()
        .filter(|f| is_const(cx, &f.ty))
        .filter_map(|f| match &f.ty {
            TypeRef::Named(n) => match cx.def(n).map(|d| &d.kind) {
                Some(TypeKind::Const(v)) => Some(format!("`{}` is `{v}`", f.json_name)),
                Some(TypeKind::ConstBool(v)) => Some(format!("`{}` is `{v}`", f.json_name)),
                _ => None,
            },
            _ => None,
        })
        .collect();
    super::doc(Some(&format!(
        "Creates a `{}` from its required properties.{}",
        def.spec_name,
        if consts.is_empty() {
            String::new()
        } else {
            format!(" {} (set for you).", consts.join(", "))
        }
    )))
}

/// The spec's size limits of a struct as constants, so that code which
/// batches or serves these values (the sender, the local server, the CLI)
/// takes them from the spec: `MAX_SERIALIZED_BYTES`, and `<FIELD>_MAX_ITEMS`
/// for each list property with an inline `maxItems`.
fn limit_consts(s: &StructDef) -> Vec<TokenStream> {
    let mut out = Vec::new();
    if let Some(max) = s.max_serialized_bytes {
        let doc = super::doc(Some(&format!(
            "The most bytes this value's JSON may take (`x-max-serialized-bytes`: {max})."
        )));
        let max = proc_macro2::Literal::u64_unsuffixed(max);
        out.push(quote!(#doc pub const MAX_SERIALIZED_BYTES: usize = #max;));
    }
    for f in &s.fields {
        if let (TypeRef::Array(_), Some(max)) = (&f.ty, f.constraints.max_items) {
            let name = ident(&format!(
                "{}_MAX_ITEMS",
                crate::names::shouty_snake_case(&f.json_name)
            ));
            let doc = super::doc(Some(&format!(
                "The most items `{}` may hold (`maxItems`: {max}).",
                f.json_name
            )));
            let max = proc_macro2::Literal::u64_unsuffixed(max);
            out.push(quote!(#doc pub const #name: usize = #max;));
        }
    }
    out
}

fn emit_newtype(cx: &Context, def: &TypeDef, c: &Constraints) -> TokenStream {
    let rt = &cx.rt;
    let name = ident(&def.name);
    let doc = type_doc(def);
    let checks = validation::string_checks(cx, quote!(value), c);
    let rules = validation::describe(c);
    let new_doc = super::doc(Some(&format!(
        "Checks `value` ({rules}) and wraps it: a `&'static str` (a constant) is kept as it is, without a copy; a `String` is moved in.\n\n# Errors\n\nWhen the value breaks one of those rules; the error says which."
    )));
    quote! {
        #doc
        ///
        /// A value of this type always meets the spec's constraints: build it
        /// with [`new`](Self::new) or [`str::parse`].
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct #name(::std::borrow::Cow<'static, str>);

        impl #name {
            #new_doc
            pub fn new(value: impl ::std::convert::Into<::std::borrow::Cow<'static, str>>) -> ::std::result::Result<Self, #rt::validation::ConstraintError> {
                let value = value.into();
                Self::check(&value)?;
                ::std::result::Result::Ok(Self(value))
            }

            /// Checks a value against this type's constraints without building it.
            ///
            /// # Errors
            ///
            /// When the value breaks a constraint.
            pub fn check(value: &str) -> ::std::result::Result<(), #rt::validation::ConstraintError> {
                #checks
                ::std::result::Result::Ok(())
            }

            /// The value as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The value as an owned string (copied if it was a `&'static str`).
            pub fn into_inner(self) -> ::std::string::String {
                self.0.into_owned()
            }
        }

        impl ::std::convert::AsRef<str> for #name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl #rt::runtime::Checked<#name> for #name {
            fn into_checked(self) -> Self {
                self
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = #rt::validation::ConstraintError;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::new(value.to_owned())
            }
        }

        impl TryFrom<::std::string::String> for #name {
            type Error = #rt::validation::ConstraintError;

            fn try_from(value: ::std::string::String) -> ::std::result::Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl TryFrom<&str> for #name {
            type Error = #rt::validation::ConstraintError;

            fn try_from(value: &str) -> ::std::result::Result<Self, Self::Error> {
                Self::new(value.to_owned())
            }
        }

        impl ::std::convert::From<#name> for ::std::string::String {
            fn from(value: #name) -> Self {
                value.0.into_owned()
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = ::std::string::String::deserialize(deserializer)?;
                Self::new(value).map_err(::serde::de::Error::custom)
            }
        }
    }
}

fn emit_alias(cx: &Context, def: &TypeDef, ty: &TypeRef) -> TokenStream {
    let name = ident(&def.name);
    let doc = type_doc(def);
    // A plain string: `Cow<'static, str>` (`super::plain_string_type`).
    let (target, held) = if *ty == TypeRef::String {
        (
            super::plain_string_type(),
            quote! {
                #[doc = ""]
                #[doc = " A constant (`&'static str`) is held as it is, without a copy; a `String` is moved in."]
            },
        )
    } else {
        (cx.ty(ty, &TokenStream::new()), TokenStream::new())
    };
    let note = match &def.kind {
        TypeKind::Alias(_, c) if !c.is_empty() => super::doc(Some(&format!(
            "\nRules checked by `validate()` where this type is used: {}.",
            validation::describe(c)
        ))),
        _ => TokenStream::new(),
    };
    quote! {
        #doc
        #held
        #note
        pub type #name = #target;
    }
}

fn variant_idents(values: &[String]) -> Vec<proc_macro2::Ident> {
    crate::names::enum_variants(values)
        .iter()
        .map(|name| ident(name))
        .collect()
}

fn emit_enum(def: &TypeDef, values: &[String]) -> TokenStream {
    let name = ident(&def.name);
    let doc = type_doc(def);
    let variants = variant_idents(values);
    let variant_docs = values.iter().map(|v| format!(" `{v}`"));
    quote! {
        #doc
        ///
        /// A value this version of the client does not know is kept as
        /// [`Unknown`](Self::Unknown) instead of failing to deserialize.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#[doc = #variant_docs] #variants,)*
            /// A value the spec this client was generated from does not name.
            Unknown(::std::string::String),
        }

        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variants => #values,)*
                    Self::Unknown(value) => value,
                }
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#values => Self::#variants,)*
                    other => Self::Unknown(other.to_string()),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = ::std::string::String::deserialize(deserializer)?;
                ::std::result::Result::Ok(Self::from(value.as_str()))
            }
        }
    }
}

fn emit_const(cx: &Context, def: &TypeDef, value: &str) -> TokenStream {
    let rt = &cx.rt;
    let name = ident(&def.name);
    let doc = type_doc(def);
    let value_doc = format!(" Always `{value}` on the wire.");
    quote! {
        #doc
        ///
        #[doc = #value_doc]
        #[derive(Debug, Clone, Copy, ::std::default::Default, PartialEq, Eq, Hash)]
        pub struct #name;

        impl #name {
            /// The one value of this type, as sent on the wire.
            pub const VALUE: &'static str = #value;

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &'static str {
                Self::VALUE
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(Self::VALUE)
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(Self::VALUE)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                #rt::__private::deserialize_constant(deserializer, Self::VALUE).map(|()| Self)
            }
        }
    }
}

/// A boolean `const`: a unit struct that is always that value on the wire.
fn emit_const_bool(def: &TypeDef, value: bool) -> TokenStream {
    let name = ident(&def.name);
    let doc = type_doc(def);
    let value_doc = format!(" Always `{value}` on the wire.");
    let expected = format!("expected `{value}`");
    quote! {
        #doc
        ///
        #[doc = #value_doc]
        #[derive(Debug, Clone, Copy, ::std::default::Default, PartialEq, Eq, Hash)]
        pub struct #name;

        impl #name {
            /// The one value of this type, as sent on the wire.
            pub const VALUE: bool = #value;
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_bool(Self::VALUE)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                if <bool as ::serde::Deserialize>::deserialize(deserializer)? == Self::VALUE {
                    ::std::result::Result::Ok(Self)
                } else {
                    ::std::result::Result::Err(<D::Error as ::serde::de::Error>::custom(#expected))
                }
            }
        }
    }
}

fn emit_union(cx: &Context, def: &TypeDef, u: &UnionDef) -> Result<TokenStream> {
    let name = ident(&def.name);
    let doc = type_doc(def);
    let empty = TokenStream::new();
    let variants: Vec<_> = u.variants.iter().map(|v| ident(&v.name)).collect();
    let types: Vec<_> = u.variants.iter().map(|v| cx.ty(&v.ty, &empty)).collect();
    let variant_docs: Vec<String> = u
        .variants
        .iter()
        .map(|v| match &v.ty {
            TypeRef::Named(n) => format!(" A [`{n}`]."),
            other => format!(" The value as a {}.", primitive_name(other)),
        })
        .collect();
    let mut froms = Vec::new();
    let mut seen = Vec::new();
    for (v, ty) in variants.iter().zip(&types) {
        let key = ty.to_string();
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        froms.push(quote! {
            impl ::std::convert::From<#ty> for #name {
                fn from(value: #ty) -> Self {
                    Self::#v(value)
                }
            }
        });
        if ty.to_string() == quote!(::std::string::String).to_string() {
            froms.push(quote! {
                impl ::std::convert::From<&str> for #name {
                    fn from(value: &str) -> Self {
                        Self::#v(value.to_string())
                    }
                }
            });
        }
    }
    let validate = validation::emit_union(cx, def, u);
    let (derive, deserialize) = match &u.discrimination {
        Discrimination::ByShape => (
            quote!(
                #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
                #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
            ),
            TokenStream::new(),
        ),
        Discrimination::ByFields => (
            quote!(#[derive(Debug, Clone, PartialEq, ::serde::Serialize)]),
            super::deserialize::union_by_fields(cx, def, u)?,
        ),
        Discrimination::Tagged { property, mapping } => (
            quote!(#[derive(Debug, Clone, PartialEq, ::serde::Serialize)]),
            super::discriminator::emit_deserialize(cx, def, u, property, mapping),
        ),
    };
    let names = u.variants.iter().map(|v| v.name.as_str());
    let (null_variant, null_name) = if u.nullable {
        (
            quote!(
                /// JSON `null`.
                Null,
            ),
            quote!(Self::Null => "null",),
        )
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    Ok(quote! {
        #doc
        #derive
        #[serde(untagged)]
        #[non_exhaustive]
        pub enum #name {
            #(#[doc = #variant_docs] #variants(#types),)*
            #null_variant
        }

        impl #name {
            /// The name of the variant this value holds, as the spec names it.
            pub fn variant_name(&self) -> &'static str {
                match self {
                    #(Self::#variants(_) => #names,)*
                    #null_name
                }
            }
        }

        #(#froms)*
        #deserialize
        #validate
    })
}

fn primitive_name(ty: &TypeRef) -> &'static str {
    match ty {
        TypeRef::String => "string",
        TypeRef::Integer { .. } => "integer",
        TypeRef::Number => "number",
        TypeRef::Boolean => "boolean",
        TypeRef::Array(_) => "list",
        TypeRef::Map(_) => "map",
        TypeRef::Any | TypeRef::Named(_) => "JSON value",
        TypeRef::Nullable(inner) => primitive_name(inner),
    }
}

fn emit_headers(cx: &Context, def: &TypeDef, fields: &[Field]) -> TokenStream {
    let rt = &cx.rt;
    let name = ident(&def.name);
    let doc = type_doc(def);
    let mut decls = Vec::new();
    let mut reads = Vec::new();
    for f in fields {
        let fname = ident(&f.rust_name);
        let ty = cx.ty(&f.ty, &TokenStream::new());
        let fdoc = super::doc(Some(&format!(
            "The `{}` header{}",
            f.json_name,
            f.doc
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_else(|| ".".into())
        )));
        let header = &f.json_name;
        decls.push(quote!(#fdoc pub #fname: ::std::option::Option<#ty>,));
        reads.push(quote!(#fname: #rt::__private::header_value(headers, #header)?,));
    }
    quote! {
        #doc
        #[derive(Debug, Clone, ::std::default::Default, PartialEq)]
        #[non_exhaustive]
        pub struct #name {
            #(#decls)*
        }

        impl #name {
            /// Reads the documented headers of a response.
            ///
            /// # Errors
            ///
            /// When a header is present but does not parse as its documented type.
            pub fn from_headers(headers: &#rt::runtime::Headers) -> ::std::result::Result<Self, ::std::string::String> {
                ::std::result::Result::Ok(Self { #(#reads)* })
            }
        }
    }
}
