//! Emits the `Validate` impls: one check per constraint of the spec, each
//! reporting its path (`events[2].positions[0]`) and what was expected.

use super::{ident, Context};
use crate::error::{Error, Result};
use crate::model::{Constraints, Field, StructDef, TypeDef, TypeKind, TypeRef, UnionDef};
use proc_macro2::TokenStream;
use quote::quote;

/// A human description of constraints, for docs (`1 to 129 characters, matching ^…$`).
pub(super) fn describe(c: &Constraints) -> String {
    let mut parts = Vec::new();
    match (c.min_length, c.max_length) {
        (Some(a), Some(b)) if a == b => parts.push(format!("exactly {a} characters")),
        (Some(a), Some(b)) => parts.push(format!("{a} to {b} characters")),
        (Some(a), None) => parts.push(format!("at least {a} characters")),
        (None, Some(b)) => parts.push(format!("at most {b} characters")),
        (None, None) => {}
    }
    if let Some(p) = &c.pattern {
        parts.push(format!("matching `{p}`"));
    }
    match (c.min_items, c.max_items) {
        (Some(a), Some(b)) => parts.push(format!("{a} to {b} items")),
        (Some(a), None) => parts.push(format!("at least {a} items")),
        (None, Some(b)) => parts.push(format!("at most {b} items")),
        (None, None) => {}
    }
    if let Some(m) = c.minimum {
        parts.push(format!(
            "{} {m}",
            if c.exclusive_minimum { ">" } else { ">=" }
        ));
    }
    if let Some(m) = c.maximum {
        parts.push(format!(
            "{} {m}",
            if c.exclusive_maximum { "<" } else { "<=" }
        ));
    }
    if let Some(items) = &c.items {
        parts.push(format!("each item {}", describe(items)));
    }
    if let Some(unit) = &c.unix_time_unit {
        parts.push(format!("a Unix time in {unit}"));
    }
    if let Some(days) = c.max_age_days {
        parts.push(format!("at most {days} days old when sent"));
    }
    if let Some(factor) = c.multiple_of {
        parts.push(format!("a multiple of {factor}"));
    }
    parts.join(", ")
}

fn opt_u64(v: Option<u64>) -> TokenStream {
    match v {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

fn opt_f64(v: Option<f64>) -> TokenStream {
    match v {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

/// Whether a field's items are checked as the body is written (the
/// runtime's `validation::as_written`): a required array of objects, each
/// with its own `Validate`. Its check in `validate_into` then runs only
/// when the context does not defer items, and the model writes it with
/// `serialize_checked_items`.
pub(super) fn items_checked_as_written(cx: &Context, f: &Field) -> bool {
    if !f.required || f.nullable || f.boxed {
        return false;
    }
    match &f.ty {
        TypeRef::Array(item) => matches!(
            &**item,
            TypeRef::Named(name) if matches!(
                cx.def(name).map(|d| &d.kind),
                Some(TypeKind::Struct(_)) | Some(TypeKind::Union(_))
            )
        ),
        _ => false,
    }
}

/// Checks of a string's length and pattern that return early with a
/// `ConstraintError` (used by newtypes).
pub(super) fn string_checks(cx: &Context, value: TokenStream, c: &Constraints) -> TokenStream {
    let rt = &cx.rt;
    let mut out = TokenStream::new();
    if c.min_length.is_some() || c.max_length.is_some() {
        let (min, max) = (opt_u64(c.min_length), opt_u64(c.max_length));
        out.extend(quote!(#rt::__private::check_length(#value, #min, #max)?;));
    }
    if let Some(pattern) = &c.pattern {
        out.extend(super::patterns::pattern_static(rt, pattern));
        out.extend(quote!(PATTERN.check(#value)?;));
    }
    out
}

/// Checks of one value (`value` is a reference expression) against its type
/// and constraints, pushing violations at `path`; `None` when nothing to check.
/// With `defer_items` (an array whose items are checked as written), the
/// items' loop runs only when the context does not defer them.
fn value_checks(
    cx: &Context,
    value: &TokenStream,
    ty: &TypeRef,
    c: &Constraints,
    depth: usize,
    defer_items: bool,
) -> Option<TokenStream> {
    let out = match ty {
        TypeRef::Named(name) => named_checks(cx, value, name, c, depth),
        TypeRef::String => string_value_checks(cx, value, c),
        TypeRef::Integer { .. } | TypeRef::Number => number_checks(cx, value, ty, c),
        TypeRef::Array(item) => array_checks(cx, value, item, c, depth, defer_items),
        TypeRef::Map(inner) => map_checks(cx, value, inner, depth),
        TypeRef::Nullable(inner) => nullable_checks(cx, value, inner, c, depth),
        TypeRef::Boolean | TypeRef::Any => TokenStream::new(),
    };
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}

/// `if let Err(error) = check { out.push(violation(path, error)) }`.
fn push_violation(cx: &Context, check: TokenStream) -> TokenStream {
    let rt = &cx.rt;
    quote! {
        if let ::std::result::Result::Err(error) = #check {
            out.push(#rt::__private::violation(path, error));
        }
    }
}

/// A named type's value: an alias's checks (with constraints written beside
/// the reference added), or the `Validate` of a struct or union.
fn named_checks(
    cx: &Context,
    value: &TokenStream,
    name: &str,
    c: &Constraints,
    depth: usize,
) -> TokenStream {
    let rt = &cx.rt;
    match cx.def(name).map(|d| &d.kind) {
        Some(TypeKind::Alias(inner, alias_constraints)) => {
            // Constraints beside a `$ref` (OpenAPI 3.1) add to the alias's.
            let constraints = alias_constraints.and(c);
            value_checks(cx, value, inner, &constraints, depth, false).unwrap_or_default()
        }
        Some(TypeKind::Struct(_)) | Some(TypeKind::Union(_)) => {
            quote!(#rt::validation::Validate::validate_into(#value, path, context, out);)
        }
        _ => TokenStream::new(),
    }
}

/// A string's length, then its pattern: one violation per value, as the
/// newtypes report it (the pattern is only checked once the length is right).
fn string_value_checks(cx: &Context, value: &TokenStream, c: &Constraints) -> TokenStream {
    let rt = &cx.rt;
    let mut out = TokenStream::new();
    let length = (c.min_length.is_some() || c.max_length.is_some()).then(|| {
        let (min, max) = (opt_u64(c.min_length), opt_u64(c.max_length));
        quote!(#rt::__private::check_length(#value, #min, #max))
    });
    let pattern = c.pattern.as_ref().map(|pattern| {
        out.extend(super::patterns::pattern_static(rt, pattern));
        quote!(PATTERN.check(#value))
    });
    match (length, pattern) {
        (Some(length), Some(pattern)) => {
            out.extend(push_violation(cx, quote!(#length.and_then(|()| #pattern))));
        }
        (Some(check), None) | (None, Some(check)) => out.extend(push_violation(cx, check)),
        (None, None) => {}
    }
    out
}

/// A number's finiteness, range and factor; an integer's Unix time rules.
fn number_checks(cx: &Context, value: &TokenStream, ty: &TypeRef, c: &Constraints) -> TokenStream {
    let rt = &cx.rt;
    let mut out = TokenStream::new();
    // A `number` is checked as an `f64`, an `integer` as an `i64`.
    let as_f64 = quote!(*#value);
    let as_i64 = match ty {
        TypeRef::Integer { format } if format.as_deref() != Some("int32") => {
            quote!(*#value)
        }
        _ => quote!(i64::from(*#value)),
    };
    // JSON has no NaN or infinity (serde_json would write `null`):
    // a float must be finite before its bounds mean anything.
    let finite =
        matches!(ty, TypeRef::Number).then(|| quote!(#rt::__private::check_finite(#as_f64)));
    let range = (c.minimum.is_some() || c.maximum.is_some()).then(|| {
        let (min, max) = (opt_f64(c.minimum), opt_f64(c.maximum));
        let (emin, emax) = (c.exclusive_minimum, c.exclusive_maximum);
        match ty {
            TypeRef::Number => {
                quote!(#rt::__private::check_range(#as_f64, #min, #emin, #max, #emax))
            }
            _ => quote!(#rt::__private::check_integer_range(#as_i64, #min, #emin, #max, #emax)),
        }
    });
    let multiple = c.multiple_of.map(|factor| match ty {
        TypeRef::Number => quote!(#rt::__private::check_multiple_of(#as_f64, #factor)),
        _ => quote!(#rt::__private::check_multiple_of(#as_f64 as f64, #factor)),
    });
    let checks: Vec<TokenStream> = [finite, range, multiple].into_iter().flatten().collect();
    if let Some((first, rest)) = checks.split_first() {
        out.extend(push_violation(cx, quote!(#first #(.and_then(|()| #rest))*)));
    }
    if matches!(ty, TypeRef::Integer { .. })
        && (c.unix_time_unit.is_some() || c.max_age_days.is_some())
    {
        let millis = c.unix_time_unit.as_deref() != Some("seconds");
        let days = opt_u64(c.max_age_days);
        out.extend(quote! {
            if let ::std::option::Option::Some(violation) = #rt::__private::check_unix_time(#as_i64, #millis, #days, path, context) {
                out.push(violation);
            }
        });
    }
    out
}

/// A list's item count, then each item's checks (deferred to the writing
/// of the body with `defer_items`).
fn array_checks(
    cx: &Context,
    value: &TokenStream,
    item: &TypeRef,
    c: &Constraints,
    depth: usize,
    defer_items: bool,
) -> TokenStream {
    let rt = &cx.rt;
    let mut out = TokenStream::new();
    if c.min_items.is_some() || c.max_items.is_some() {
        let (min, max) = (opt_u64(c.min_items), opt_u64(c.max_items));
        out.extend(push_violation(
            cx,
            quote!(#rt::__private::check_items(#value.len(), #min, #max)),
        ));
    }
    let item_constraints = c.items.as_deref().cloned().unwrap_or_default();
    let item_var = ident(&format!("item{depth}"));
    let item_value = quote!(#item_var);
    if let Some(checks) = value_checks(cx, &item_value, item, &item_constraints, depth + 1, false) {
        let index = ident(&format!("index{depth}"));
        let each = quote! {
            for (#index, #item_var) in #value.iter().enumerate() {
                let path = &path.index(#index);
                #checks
            }
        };
        out.extend(if defer_items {
            quote! {
                if !#rt::__private::defers_items(context) {
                    #each
                }
            }
        } else {
            each
        });
    }
    out
}

/// Each value of a map, at its key.
fn map_checks(cx: &Context, value: &TokenStream, inner: &TypeRef, depth: usize) -> TokenStream {
    let item_var = ident(&format!("item{depth}"));
    let item_value = quote!(#item_var);
    let Some(checks) = value_checks(
        cx,
        &item_value,
        inner,
        &Constraints::default(),
        depth + 1,
        false,
    ) else {
        return TokenStream::new();
    };
    let key = ident(&format!("key{depth}"));
    quote! {
        for (#key, #item_var) in #value.iter() {
            let path = &path.key(#key);
            #checks
        }
    }
}

/// A nullable value's checks, when it is not `null`.
fn nullable_checks(
    cx: &Context,
    value: &TokenStream,
    inner: &TypeRef,
    c: &Constraints,
    depth: usize,
) -> TokenStream {
    let item_var = ident(&format!("item{depth}"));
    let item_value = quote!(#item_var);
    let Some(checks) = value_checks(cx, &item_value, inner, c, depth + 1, false) else {
        return TokenStream::new();
    };
    quote! {
        if let ::std::option::Option::Some(#item_var) = (#value).as_ref() {
            #checks
        }
    }
}

/// Checks of an operation parameter's value (bound as `value`, a reference).
pub(super) fn param_checks(
    cx: &Context,
    value: &TokenStream,
    ty: &TypeRef,
    c: &Constraints,
) -> Option<TokenStream> {
    value_checks(cx, value, ty, c, 0, false)
}

/// The parameter names of `validate_into`, `_`-prefixed when the body does not use them.
fn arg_names(body: &TokenStream) -> (TokenStream, TokenStream, TokenStream) {
    let used: Vec<String> = body.clone().into_iter().flat_map(flatten).collect();
    let name = |n: &str| {
        let id = if used.iter().any(|u| u == n) {
            ident(n)
        } else {
            ident(&format!("_{n}"))
        };
        quote!(#id)
    };
    (name("path"), name("context"), name("out"))
}

fn flatten(tree: proc_macro2::TokenTree) -> Vec<String> {
    match tree {
        proc_macro2::TokenTree::Group(g) => g.stream().into_iter().flat_map(flatten).collect(),
        proc_macro2::TokenTree::Ident(i) => vec![i.to_string()],
        _ => Vec::new(),
    }
}

pub(super) fn emit_struct(cx: &Context, def: &TypeDef, s: &StructDef) -> Result<TokenStream> {
    let rt = &cx.rt;
    let name = ident(&def.name);
    let mut body = Vec::new();
    for f in &s.fields {
        let fname = ident(&f.rust_name);
        let json = &f.json_name;
        let value = quote!(value);
        let defer = items_checked_as_written(cx, f);
        let Some(checks) = value_checks(cx, &value, &f.ty, &f.constraints, 0, defer) else {
            continue;
        };
        let optional = !f.required || f.nullable;
        let bind = if optional {
            quote!(if let ::std::option::Option::Some(value) = &self.#fname)
        } else {
            quote!(let value = &self.#fname;)
        };
        body.push(if optional {
            quote! {
                #bind {
                    let path = &path.field(#json);
                    #checks
                }
            }
        } else {
            quote! {
                {
                    #bind
                    let path = &path.field(#json);
                    #checks
                }
            }
        });
    }
    for (a, b) in &s.same_length {
        // The model checks that both name array properties of this schema.
        let len = |json: &str| {
            let f = s
                .fields
                .iter()
                .find(|f| f.json_name == json)
                .ok_or_else(|| {
                    Error::new(
                        &def.location.key("x-same-length"),
                        format!("`{json}` is not an array property of this schema"),
                    )
                })?;
            let fname = ident(&f.rust_name);
            Ok(if !f.required || f.nullable {
                quote!(self.#fname.as_ref().map(|v| v.len()))
            } else {
                quote!(::std::option::Option::Some(self.#fname.len()))
            })
        };
        let (la, lb) = (len(a)?, len(b)?);
        body.push(quote! {
            if let ::std::option::Option::Some(violation) = #rt::__private::check_same_length(path, #a, #la, #b, #lb) {
                out.push(violation);
            }
        });
    }
    for (property, required) in &s.dependent_required {
        body.push(dependent_required_check(rt, def, s, property, required)?);
    }
    if let Some(max) = s.max_serialized_bytes {
        body.push(quote! {
            if context.checks_serialized_size() {
                if let ::std::option::Option::Some(violation) = #rt::__private::check_serialized_size(self, #max, path) {
                    out.push(violation);
                }
            }
        });
    }
    let body = quote!(#(#body)*);
    let (path_arg, context_arg, out_arg) = arg_names(&body);
    let summary = describe_struct(s);
    let validate_doc = super::doc(Some(&format!(
        "Checks every rule of the spec that the types cannot express{summary}.\n\n# Errors\n\nAll violations at once, each with its path."
    )));
    let allow_deprecated = if s.fields.iter().any(|f| f.deprecated) {
        quote!(#[allow(deprecated)])
    } else {
        TokenStream::new()
    };
    Ok(quote! {
        #allow_deprecated
        impl #rt::validation::Validate for #name {
            fn validate_into(
                &self,
                #path_arg: &#rt::__private::Path<'_>,
                #context_arg: &#rt::validation::ValidationContext,
                #out_arg: &mut ::std::vec::Vec<#rt::validation::Violation>,
            ) {
                #body
            }
        }

        impl #name {
            #validate_doc
            pub fn validate(&self) -> ::std::result::Result<(), #rt::validation::ValidationErrors> {
                #rt::validation::Validate::validate_with(self, &#rt::validation::ValidationContext::now())
            }
        }
    })
}

/// `dependentRequired`: when `property` is set, each of `required` must be.
fn dependent_required_check(
    rt: &TokenStream,
    def: &TypeDef,
    s: &StructDef,
    property: &str,
    required: &[String],
) -> Result<TokenStream> {
    // The model checks that each names a property of this schema.
    let is_set = |json: &str| -> Result<TokenStream> {
        let f = s
            .fields
            .iter()
            .find(|f| f.json_name == json)
            .ok_or_else(|| {
                Error::new(
                    &def.location.key("dependentRequired"),
                    format!("`{json}` is not a property of this schema"),
                )
            })?;
        let fname = ident(&f.rust_name);
        Ok(if !f.required || f.nullable {
            quote!(self.#fname.is_some())
        } else {
            quote!(true)
        })
    };
    let set = is_set(property)?;
    let others = required
        .iter()
        .map(|json| {
            let other = is_set(json)?;
            Ok(quote!((#json, #other)))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(quote! {
        if let ::std::option::Option::Some(violation) = #rt::__private::check_dependent_required(path, #property, #set, &[#(#others),*]) {
            out.push(violation);
        }
    })
}

fn describe_struct(s: &StructDef) -> String {
    let mut parts = Vec::new();
    for (property, required) in &s.dependent_required {
        let required: Vec<String> = required.iter().map(|r| format!("`{r}`")).collect();
        parts.push(format!(
            "`{property}` is set only with {}",
            required.join(", ")
        ));
    }
    for (a, b) in &s.same_length {
        parts.push(format!("`{a}` and `{b}` have the same number of items"));
    }
    if let Some(max) = s.max_serialized_bytes {
        parts.push(format!("the JSON is at most {max} bytes"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" (among them: {})", parts.join("; "))
    }
}

pub(super) fn emit_union(cx: &Context, def: &TypeDef, u: &UnionDef) -> TokenStream {
    let rt = &cx.rt;
    let name = ident(&def.name);
    let mut arms = Vec::new();
    for v in &u.variants {
        let variant = ident(&v.name);
        let value = quote!(value);
        match value_checks(cx, &value, &v.ty, &v.constraints, 0, false) {
            Some(checks) => {
                arms.push(quote!(Self::#variant(value) => { #checks }));
            }
            None => arms.push(quote!(Self::#variant(_) => {})),
        }
    }
    if u.nullable {
        arms.push(quote!(Self::Null => {}));
    }
    let body = quote!(#(#arms)*);
    let (path_arg, context_arg, out_arg) = arg_names(&body);
    quote! {
        impl #rt::validation::Validate for #name {
            fn validate_into(
                &self,
                #path_arg: &#rt::__private::Path<'_>,
                #context_arg: &#rt::validation::ValidationContext,
                #out_arg: &mut ::std::vec::Vec<#rt::validation::Violation>,
            ) {
                match self {
                    #body
                }
            }
        }

        impl #name {
            /// Checks every rule of the spec that the types cannot express.
            ///
            /// # Errors
            ///
            /// All violations at once, each with its path.
            pub fn validate(&self) -> ::std::result::Result<(), #rt::validation::ValidationErrors> {
                #rt::validation::Validate::validate_with(self, &#rt::validation::ValidationContext::now())
            }
        }
    }
}
