//! Emits the fast path of reading the request types (the runtime's
//! `decode::fast`): a `FastRead` impl per type that reads its fields
//! straight from the text, and a `from_json` for the structs and unions.
//!
//! Only types users send get one (what the local server, the CLI and the
//! sender read in bulk), and only those whose every part the fast path
//! knows: closed or raw-keeping structs, unions told apart by fields, lists,
//! and scalars (strings, numbers, booleans, and named types made of one).
//! The fast path gives up on anything unusual and the serde reader takes
//! over, so what is emitted here never decides what is accepted.

use super::deserialize::{
    constant_of, members, properties, property_of, unknown_of, Member, Property, Slot, Unknown,
};
use super::{ident, Context};
use crate::model::{Discrimination, Field, StructDef, TypeDef, TypeKind, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;

/// The names of the types that get a fast reader: users send them, and
/// every type they hold has one.
pub(super) fn readable(cx: &Context) -> BTreeSet<String> {
    // Start from every candidate and drop, until nothing changes, those
    // that hold a type without a reader (cycles stay in when they are fine).
    let mut set: BTreeSet<String> = cx
        .model
        .types
        .iter()
        .filter(|d| d.in_request && shape_ok(cx, d))
        .map(|d| d.name.clone())
        .collect();
    loop {
        let drop: Vec<String> = set
            .iter()
            .filter(|name| {
                cx.def(name)
                    .is_some_and(|d| !refs(d).iter().all(|r| ref_ok(r, &set)))
            })
            .cloned()
            .collect();
        if drop.is_empty() {
            return without_variant_only(cx, set);
        }
        for name in drop {
            set.remove(&name);
        }
    }
}

/// The readable types but the variants of unions told apart by fields that
/// nothing else holds: the union reads their fields itself, so a reader of
/// their own would only be compiled, never called.
fn without_variant_only(cx: &Context, readable: BTreeSet<String>) -> BTreeSet<String> {
    fn named<'t>(cx: &'t Context, ty: &'t TypeRef, out: &mut BTreeSet<&'t str>) {
        match ty {
            TypeRef::Array(inner) | TypeRef::Nullable(inner) | TypeRef::Map(inner) => {
                named(cx, inner, out)
            }
            TypeRef::Named(name) => {
                out.insert(name);
                if let Some(TypeKind::Alias(inner, _)) = cx.def(name).map(|d| &d.kind) {
                    named(cx, inner, out);
                }
            }
            _ => {}
        }
    }
    let mut variants = BTreeSet::new();
    let mut held = BTreeSet::new();
    for def in readable.iter().filter_map(|name| cx.def(name)) {
        match &def.kind {
            TypeKind::Union(u) if u.discrimination == Discrimination::ByFields => {
                for variant in &u.variants {
                    named(cx, &variant.ty, &mut variants);
                    let fields = match &variant.ty {
                        TypeRef::Named(name) => match cx.def(name).map(|d| &d.kind) {
                            Some(TypeKind::Struct(s)) => s.fields.as_slice(),
                            _ => &[],
                        },
                        _ => &[],
                    };
                    for field in fields {
                        named(cx, &field.ty, &mut held);
                    }
                }
            }
            TypeKind::Struct(s) => {
                for field in &s.fields {
                    named(cx, &field.ty, &mut held);
                }
            }
            TypeKind::Alias(ty, _) => named(cx, ty, &mut held),
            _ => {}
        }
    }
    // What users send as a body is read on its own.
    for operation in &cx.model.operations {
        if let Some(body) = &operation.body {
            named(cx, &body.ty, &mut held);
        }
    }
    let variant_only: BTreeSet<String> = variants
        .difference(&held)
        .map(|name| name.to_string())
        .collect();
    readable.difference(&variant_only).cloned().collect()
}

/// Whether the kind of type is one the fast path reads (its parts aside).
fn shape_ok(cx: &Context, def: &TypeDef) -> bool {
    match &def.kind {
        TypeKind::Struct(s) => matches!(&s.additional, None | Some(TypeRef::Any)),
        TypeKind::Union(u) => match u.discrimination {
            Discrimination::ByFields => true,
            // Only a union of scalars: its variants need no reader of their own.
            Discrimination::ByShape => u.variants.iter().all(|v| scalar_union(cx, &v.ty)),
            Discrimination::Tagged { .. } => false,
        },
        TypeKind::Alias(..) => true,
        kind if scalar_kind(kind) => true,
        _ => false,
    }
}

/// A kind of type whose value is one scalar, read by its own `Deserialize`.
fn scalar_kind(kind: &TypeKind) -> bool {
    matches!(
        kind,
        TypeKind::Newtype(_)
            | TypeKind::Enum(_)
            | TypeKind::IntEnum(_)
            | TypeKind::Const(_)
            | TypeKind::ConstBool(_)
    )
}

/// The type references a type's reader needs readers for.
fn refs(def: &TypeDef) -> Vec<&TypeRef> {
    match &def.kind {
        TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).collect(),
        TypeKind::Union(u) if u.discrimination == Discrimination::ByFields => {
            u.variants.iter().map(|v| &v.ty).collect()
        }
        TypeKind::Alias(ty, _) => vec![ty],
        _ => Vec::new(),
    }
}

fn ref_ok(ty: &TypeRef, set: &BTreeSet<String>) -> bool {
    match ty {
        TypeRef::String | TypeRef::Integer { .. } | TypeRef::Number | TypeRef::Boolean => true,
        TypeRef::Array(inner) => ref_ok(inner, set),
        TypeRef::Named(name) => set.contains(name),
        TypeRef::Any | TypeRef::Map(_) | TypeRef::Nullable(_) => false,
    }
}

/// Whether a union's variants are all scalars (read by its own `Deserialize`).
fn scalar_union(cx: &Context, ty: &TypeRef) -> bool {
    match cx.unalias(ty) {
        TypeRef::String | TypeRef::Integer { .. } | TypeRef::Number | TypeRef::Boolean => true,
        TypeRef::Named(name) => match cx.def(name).map(|d| &d.kind) {
            Some(kind) if scalar_kind(kind) => true,
            Some(TypeKind::Union(u)) => {
                u.discrimination == Discrimination::ByShape
                    && u.variants.iter().all(|v| scalar_union(cx, &v.ty))
            }
            _ => false,
        },
        _ => false,
    }
}

/// The `FastRead` impl (and `from_json`) of `def`, if it gets one.
///
/// # Errors
///
/// What the union's serde reader refuses too (a rule that names no field).
pub(super) fn emit(
    cx: &Context,
    def: &TypeDef,
    readable: &BTreeSet<String>,
) -> crate::error::Result<TokenStream> {
    if !readable.contains(&def.name) {
        return Ok(TokenStream::new());
    }
    let rt = &cx.rt;
    let name = ident(&def.name);
    let body = match &def.kind {
        TypeKind::Struct(s) => struct_body(cx, def, &name, s),
        TypeKind::Union(u) => match u.discrimination {
            Discrimination::ByFields => union_body(cx, def, u)?,
            // `readable` takes only unions of scalars among these.
            Discrimination::ByShape => scalar_union_body(cx, u),
            Discrimination::Tagged { .. } => return Ok(TokenStream::new()),
        },
        // The string is checked before it is copied (as `new` does after).
        TypeKind::Newtype(_) => quote! {
            let __value = __reader.string()?;
            Self::check(__value).ok()?;
            ::std::option::Option::Some(Self(::std::borrow::Cow::Owned(__value.to_owned())))
        },
        TypeKind::Const(_) => quote! {
            (__reader.string()? == Self::VALUE).then_some(Self)
        },
        TypeKind::Enum(_) | TypeKind::IntEnum(_) | TypeKind::ConstBool(_) => {
            quote!(__reader.deserialize())
        }
        // An alias is its type: that type's reader.
        TypeKind::Alias(..) | TypeKind::Headers(_) => return Ok(TokenStream::new()),
    };
    let from_json = match &def.kind {
        TypeKind::Struct(_) => true,
        TypeKind::Union(u) => u.discrimination == Discrimination::ByFields,
        _ => false,
    };
    let from_json = if from_json {
        let doc = super::doc(Some(&format!(
            "Reads a `{}` from JSON text.\n\n\
                 The same as [`decode::from_str`]({}::runtime::decode::from_str), faster: the \
                 usual input (strings without escapes, each property once) is read straight \
                 into the fields; anything else goes to the full reader, which gives the same \
                 value or the same error.\n\n\
                 # Errors\n\n\
                 When the text is not JSON, has trailing data, or does not fit the type: the \
                 error names the path of the value.",
            def.spec_name,
            rt.to_string().replace(' ', ""),
        )));
        quote! {
            impl #name {
                #doc
                pub fn from_json(json: &str) -> ::std::result::Result<Self, #rt::runtime::decode::DecodeError> {
                    #rt::__private::decode::read(json)
                }
            }
        }
    } else {
        TokenStream::new()
    };
    Ok(quote! {
        #[doc(hidden)]
        #[allow(deprecated)]
        impl #rt::__private::decode::FastRead for #name {
            fn fast_read(__reader: &mut #rt::__private::decode::Reader<'_>) -> ::std::option::Option<Self> {
                #body
            }
        }
        #from_json
    })
}

/// A union of scalars, as serde's `untagged` reads it: each variant in
/// turn on the one token, the first that takes it wins. Primitives are
/// tried without serde (a refusal there would format an error message).
fn scalar_union_body(cx: &Context, u: &crate::model::UnionDef) -> TokenStream {
    let tries = u.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let read = match cx.unalias(&v.ty) {
            // A named plain string is a `Cow<'static, str>`: owned here.
            TypeRef::String if cx.is_plain_string(&v.ty) => {
                quote!(__token.string().map(::std::borrow::Cow::Owned))
            }
            TypeRef::String => quote!(__token.string()),
            TypeRef::Number => quote!(__token.f64()),
            TypeRef::Integer { format } if format.as_deref() == Some("int32") => {
                quote!(__token.i32())
            }
            TypeRef::Integer { .. } => quote!(__token.i64()),
            TypeRef::Boolean => quote!(__token.bool()),
            other => {
                let ty = cx.ty(other, &TokenStream::new());
                quote!(__token.deserialize::<#ty>())
            }
        };
        quote! {
            if let ::std::option::Option::Some(__value) = #read {
                return ::std::option::Option::Some(Self::#variant(__value));
            }
        }
    });
    quote! {
        let __token = __reader.scalar()?;
        #(#tries)*
        ::std::option::Option::None
    }
}

fn struct_body(
    cx: &Context,
    def: &TypeDef,
    name: &proc_macro2::Ident,
    s: &StructDef,
) -> TokenStream {
    let rt = &cx.rt;
    let slots: Vec<_> = s.fields.iter().map(|f| ident(&f.rust_name)).collect();
    let types = s.fields.iter().map(|f| cx.field_value_type(f));
    let keys = s.fields.iter().map(|f| f.json_name.as_str());
    // A required field that may not be `null` must be there; any other is
    // an `Option` (absent is `None`, as `#[serde(default)]` reads it).
    let values = s.fields.iter().zip(&slots).map(|(f, slot)| {
        if f.required && !f.nullable {
            quote!(#slot: #slot?)
        } else {
            quote!(#slot)
        }
    });
    // A struct that keeps unknown properties has none on the fast path (an
    // unknown key sends the input to the full reader).
    let additional = if unknown_of(def, s) == Unknown::Raw {
        quote!(additional_properties: #rt::runtime::RawProperties::new(),)
    } else {
        TokenStream::new()
    };
    quote! {
        #(let mut #slots: ::std::option::Option<#types> = ::std::option::Option::None;)*
        __reader.begin_object()?;
        let mut __first = true;
        while let ::std::option::Option::Some(__key) = __reader.key(&mut __first)? {
            match __key {
                #(#keys => __reader.once(&mut #slots)?,)*
                _ => return ::std::option::Option::None,
            }
        }
        ::std::option::Option::Some(#name {
            #(#values,)*
            #additional
        })
    }
}

/// A union told apart by fields, in one pass as its serde reader does it:
/// each property into a slot, then the first variant (in `VARIANT_RULES`
/// order) whose rule the slots meet, built from them. Properties whose type
/// differs between variants (`objectData`) are kept as the text they came
/// as (borrowed, not copied) and read once the variant is known.
fn union_body(
    cx: &Context,
    def: &TypeDef,
    u: &crate::model::UnionDef,
) -> crate::error::Result<TokenStream> {
    let name = ident(&def.name);
    let members = members(cx, u);
    let properties = properties(cx, &members);
    let declarations = properties.iter().map(|p| {
        let slot = &p.slot;
        match &p.kind {
            Slot::Tag { .. } | Slot::Raw => {
                quote!(let mut #slot: ::std::option::Option<&str> = ::std::option::Option::None;)
            }
            Slot::Typed { inner, .. } => {
                quote!(let mut #slot: ::std::option::Option<#inner> = ::std::option::Option::None;)
            }
        }
    });
    let arms = properties.iter().map(|p| {
        let (slot, json) = (&p.slot, p.json);
        match &p.kind {
            Slot::Tag { .. } => quote!(#json => __reader.once_string(&mut #slot)?,),
            Slot::Raw => quote!(#json => __reader.once_raw(&mut #slot)?,),
            Slot::Typed { .. } => quote!(#json => __reader.once(&mut #slot)?,),
        }
    });
    let branches = members
        .iter()
        .map(|m| variant_branch(cx, &name, m, &properties))
        .collect::<crate::error::Result<Vec<_>>>()?;
    Ok(quote! {
        #(#declarations)*
        __reader.begin_object()?;
        let mut __first = true;
        while let ::std::option::Option::Some(__key) = __reader.key(&mut __first)? {
            match __key {
                #(#arms)*
                _ => return ::std::option::Option::None,
            }
        }
        #(#branches)*
        ::std::option::Option::None
    })
}

/// The branch of a union's fast reader that builds `m` when its rule is
/// met, or gives up (for the full reader to say why) when a property of
/// another variant is present.
fn variant_branch(
    cx: &Context,
    name: &proc_macro2::Ident,
    m: &Member,
    properties: &[Property],
) -> crate::error::Result<TokenStream> {
    let rt = &cx.rt;
    let condition = m.rule_condition(properties, |p, _, value| {
        let slot = &p.slot;
        Ok(quote!(#slot == ::std::option::Option::Some(#value)))
    })?;
    // Properties of other variants: the full reader says why not.
    let extras: Vec<_> = m
        .others(properties)
        .map(|p| {
            let slot = &p.slot;
            quote!(#slot.is_some())
        })
        .collect();
    let extras = if extras.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            if #(#extras)||* {
                return ::std::option::Option::None;
            }
        }
    };
    let mut inits = m
        .fields
        .iter()
        .map(|f| variant_field_init(cx, m, f, properties))
        .collect::<crate::error::Result<Vec<_>>>()?;
    if m.unknown == Unknown::Raw {
        inits.push(quote!(additional_properties: #rt::runtime::RawProperties::new()));
    }
    let variant = ident(m.name);
    let ty = ident(&m.def.name);
    Ok(quote! {
        if #condition {
            #extras
            return ::std::option::Option::Some(#name::#variant(#ty {
                #(#inits,)*
            }));
        }
    })
}

/// A field's initializer in a variant the fast reader builds: from its
/// slot, read now if it was kept as text.
fn variant_field_init(
    cx: &Context,
    m: &Member,
    f: &Field,
    properties: &[Property],
) -> crate::error::Result<TokenStream> {
    let rt = &cx.rt;
    let p = property_of(properties, &f.json_name, m)?;
    let slot = &p.slot;
    let field = ident(&f.rust_name);
    let required = f.required && !f.nullable;
    let in_rule = m.rule_fixes(&f.json_name);
    Ok(match &p.kind {
        // The rule compared the value.
        Slot::Tag { .. } if in_rule => {
            let ty = cx.ty(&f.ty, &TokenStream::new());
            quote!(#field: #ty)
        }
        Slot::Tag { .. } => {
            let ty = cx.ty(&f.ty, &TokenStream::new());
            if constant_of(cx, f).is_none() {
                return Err(crate::error::Error::new(&f.location, "expected a constant"));
            }
            quote! {
                #field: if #slot? == <#ty>::VALUE {
                    #ty
                } else {
                    return ::std::option::Option::None;
                }
            }
        }
        Slot::Typed { .. } if required => quote!(#field: #slot?),
        Slot::Typed { .. } if field == *slot => quote!(#field),
        Slot::Typed { .. } => quote!(#field: #slot),
        Slot::Raw => {
            let ty = cx.field_value_type(f);
            let read = quote!(#rt::__private::decode::Reader::read_whole::<#ty>);
            if required {
                quote!(#field: #read(#slot?)?)
            } else {
                quote! {
                    #field: match #slot {
                        ::std::option::Option::Some(__text) => ::std::option::Option::Some(#read(__text)?),
                        ::std::option::Option::None => ::std::option::Option::None,
                    }
                }
            }
        }
    })
}
