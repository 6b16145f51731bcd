//! Emit phase: writes the model out as Rust tokens (with `quote`), checks
//! them with `syn`, and formats them with `prettyplease`.

mod deserialize;
mod discriminator;
mod fast_read;
mod int_enums;
mod models;
mod operations;
pub(crate) mod patterns;
mod schemars;
mod validation;

use crate::error::{Error, Location, Result};
use crate::model::{Field, Model, TypeDef, TypeKind, TypeRef};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use std::collections::BTreeMap;

/// Options for the emitted code.
#[derive(Debug, Clone)]
pub struct EmitOptions {
    /// The path of the crate that provides the runtime (`crate` when the
    /// output is compiled inside `algolia_insights` itself). The output uses
    /// its public `runtime` and `validation` modules, and its hidden
    /// `__private` module for the plumbing: code generated for one version of
    /// the runtime is regenerated for the next.
    pub runtime_crate: String,
}

impl Default for EmitOptions {
    fn default() -> Self {
        EmitOptions {
            runtime_crate: "crate".to_string(),
        }
    }
}

/// One generated file: its name and formatted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub name: String,
    pub text: String,
}

/// Shared state of the emitters: the model and how to name things.
pub(crate) struct Context<'a> {
    pub model: &'a Model,
    pub rt: TokenStream,
    pub by_name: BTreeMap<&'a str, &'a TypeDef>,
}

impl<'a> Context<'a> {
    pub fn new(model: &'a Model, options: &EmitOptions) -> Result<Self> {
        let rt: TokenStream = options.runtime_crate.parse().map_err(|_| {
            Error::new(
                &Location::root(),
                format!("`{}` is not a Rust path", options.runtime_crate),
            )
        })?;
        let by_name = model.types.iter().map(|t| (t.name.as_str(), t)).collect();
        Ok(Context { model, rt, by_name })
    }

    pub fn def(&self, name: &str) -> Option<&'a TypeDef> {
        self.by_name.get(name).copied()
    }

    /// The Rust type of a reference; `prefix` qualifies named types.
    pub fn ty(&self, ty: &TypeRef, prefix: &TokenStream) -> TokenStream {
        match ty {
            TypeRef::String => quote!(::std::string::String),
            TypeRef::Integer { format } if format.as_deref() == Some("int32") => quote!(i32),
            TypeRef::Integer { .. } => quote!(i64),
            TypeRef::Number => quote!(f64),
            TypeRef::Boolean => quote!(bool),
            TypeRef::Any => quote!(::serde_json::Value),
            TypeRef::Array(inner) => {
                let inner = self.ty(inner, prefix);
                quote!(::std::vec::Vec<#inner>)
            }
            TypeRef::Map(inner) => {
                let inner = self.ty(inner, prefix);
                quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
            }
            TypeRef::Named(name) => {
                let name = ident(name);
                quote!(#prefix #name)
            }
            TypeRef::Nullable(inner) => {
                let inner = self.ty(inner, prefix);
                quote!(::std::option::Option<#inner>)
            }
        }
    }

    /// A struct field's value type: its type, boxed when it refers back to
    /// a type being defined (what a reader's slot for it holds).
    pub fn field_value_type(&self, field: &Field) -> TokenStream {
        let ty = self.ty(&field.ty, &TokenStream::new());
        if field.boxed {
            quote!(::std::boxed::Box<#ty>)
        } else {
            ty
        }
    }

    /// A struct field's declared type: its value type, in an `Option` when
    /// the field may be absent or `null`.
    pub fn field_type(&self, field: &Field) -> TokenStream {
        let ty = self.field_value_type(field);
        if !field.required || field.nullable {
            quote!(::std::option::Option<#ty>)
        } else {
            ty
        }
    }

    /// Whether a reference names a plain string schema, whose type is
    /// `Cow<'static, str>` ([`plain_string_type`] says the rule): a named
    /// type (directly or through other aliases) that stands for a bare
    /// `string`.
    pub fn is_plain_string(&self, ty: &TypeRef) -> bool {
        matches!(ty, TypeRef::Named(_)) && *self.unalias(ty) == TypeRef::String
    }

    /// Follows aliases to the type a reference finally stands for.
    pub fn unalias<'t>(&'t self, ty: &'t TypeRef) -> &'t TypeRef {
        match ty {
            TypeRef::Named(name) => match self.def(name).map(|d| &d.kind) {
                Some(TypeKind::Alias(inner, _)) => self.unalias(inner),
                _ => ty,
            },
            _ => ty,
        }
    }
}

/// The Rust type of a named plain string schema.
///
/// **The rule.** A component schema that is `type: string` with no rule of
/// its own (no `minLength`, `maxLength` or `pattern`: those make it a
/// checked newtype; no `enum` or `const`: those make it an enum or a
/// constant; annotations such as `format` or `description` aside), such as
/// Insights' `Index`, is written as
/// `pub type Name = ::std::borrow::Cow<'static, str>;`, and constructors
/// and setters take a value of it as `impl Into<Name>`. A `&'static str`
/// (a constant, as a program writes an index name) is held as it is,
/// without an allocation; a `String` is moved in; reading JSON gives owned
/// values (serde's `Deserialize` for `Cow` and the fast reader's
/// `FastRead` both make `Cow::Owned`), and serializing writes the text as
/// a `String` would. It is the representation of the checked newtypes
/// (`models::emit_newtype`), without their check.
///
/// The rule follows the schema's shape only, never its name; a schema that
/// refers to such a type (`$ref`, directly or through other aliases) is
/// the same type. Left as they were: strings written in place (a
/// property's own `type: string`, a list's items, a map's values) and a
/// nullable named string (`Option<String>`) stay `String`s, so that the
/// change is to types a user names, and every list of strings the models
/// take (object IDs, filters) keeps its type.
pub(crate) fn plain_string_type() -> TokenStream {
    quote!(::std::borrow::Cow<'static, str>)
}

pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `#[doc = "..."]` lines for a description (each line its own attribute,
/// so prettyplease prints `///` comments).
pub(crate) fn doc(text: Option<&str>) -> TokenStream {
    let Some(text) = text else {
        return TokenStream::new();
    };
    let lines = text.trim().lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {}", line.trim_end())
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// Emits all files for a model.
pub fn emit(model: &Model, options: &EmitOptions) -> Result<Vec<File>> {
    let cx = Context::new(model, options)?;
    let header = format!(
        "// @generated by algolia-codegen from the {} spec, version {}, {}{:016x}. Do not edit: edit the spec and regenerate.\n\n",
        model.info.title,
        model.info.version,
        crate::SPEC_HASH_MARK,
        model.info.spec_hash
    );
    let files = [
        ("models.rs", models::emit(&cx)?),
        ("operations.rs", operations::emit(&cx)?),
    ];
    files
        .into_iter()
        .map(|(name, tokens)| {
            let parsed: syn::File = syn::parse2(tokens.clone()).map_err(|e| {
                Error::new(
                    &Location::root(),
                    format!("internal error: generated {name} does not parse: {e}"),
                )
            })?;
            Ok(File {
                name: name.to_string(),
                text: format!("{header}{}", prettyplease::unparse(&parsed)),
            })
        })
        .collect()
}
