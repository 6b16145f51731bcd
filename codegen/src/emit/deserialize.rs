//! Emits the `Deserialize` impls that serde's derive cannot write for us,
//! on the runtime's `decode` module: bounded memory, no key read twice,
//! no tree of values.
//!
//! - A struct that keeps the properties it does not name reads them as JSON
//!   text into `RawProperties` (a derived `#[serde(flatten)]` would buffer
//!   the whole object as a tree first).
//! - A union whose variants carry `x-discriminator-fields` (the events)
//!   reads the object once into one slot per property of any variant, then
//!   picks the variant from which properties came and the values of the
//!   constant ones, by rules generated from the spec, and moves the slots
//!   into it. A property the chosen variant does not have is refused with
//!   what the spec says about it (`positions` needs a `queryID`).

use super::{ident, Context};
use crate::error::{Error, Result};
use crate::model::{Field, StructDef, TypeDef, TypeKind, TypeRef, UnionDef};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// `Deserialize` for a struct that keeps unknown properties in
/// `additional_properties: RawProperties`.
pub(super) fn struct_keeping_unknown(cx: &Context, def: &TypeDef, s: &StructDef) -> TokenStream {
    let rt = &cx.rt;
    let name = ident(&def.name);
    let names: Vec<&str> = s.fields.iter().map(|f| f.json_name.as_str()).collect();
    let slots: Vec<_> = s.fields.iter().map(|f| ident(&f.rust_name)).collect();
    let slot_types: Vec<_> = s.fields.iter().map(|f| cx.field_type(f)).collect();
    let last = names.len().saturating_sub(1);
    let arms = s.fields.iter().enumerate().map(|(i, f)| {
        let slot = ident(&f.rust_name);
        let json = &f.json_name;
        let read =
            quote!(__map.next_value_seed(#rt::__private::decode::Once::new(&mut #slot, #json))?);
        if i == last {
            quote!(::std::result::Result::Ok(_) => #read,)
        } else {
            quote!(::std::result::Result::Ok(#i) => #read,)
        }
    });
    let no_fields = if names.is_empty() {
        quote!(::std::result::Result::Ok(_) => {})
    } else {
        TokenStream::new()
    };
    let inits = s.fields.iter().map(|f| {
        let slot = ident(&f.rust_name);
        let json = &f.json_name;
        if !f.required || f.nullable {
            quote!(#slot: #slot.flatten())
        } else {
            quote!(#slot: #rt::__private::decode::required(#slot, #json)?)
        }
    });
    let read = quote! {
        const FIELDS: &[&str] = &[#(#names),*];
        #(let mut #slots: ::std::option::Option<#slot_types> = ::std::option::Option::None;)*
        let mut additional_properties = #rt::runtime::RawProperties::new();
        while let ::std::option::Option::Some(__key) = __map.next_key_seed(#rt::__private::decode::FieldIndex(FIELDS))? {
            match __key {
                ::std::result::Result::Err(__unknown) => #rt::__private::decode::read_entry(&mut additional_properties, &__unknown, &mut __map)?,
                #(#arms)*
                #no_fields
            }
        }
        additional_properties.shrink_to_fit();
        ::std::result::Result::Ok(#name {
            #(#inits,)*
            additional_properties,
        })
    };
    deserialize_from_map(def, read)
}

/// `impl Deserialize for` the type `def` names, through a visitor of a JSON
/// object whose `visit_map` is `read` (it reads from `__map`).
fn deserialize_from_map(def: &TypeDef, read: TokenStream) -> TokenStream {
    let name = ident(&def.name);
    let visitor = format_ident!("{}Visitor", def.name);
    let expecting = format!("{} {} object", article(&def.spec_name), def.spec_name);
    quote! {
        #[allow(deprecated)]
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct #visitor;
                #[allow(deprecated)]
                impl<'de> ::serde::de::Visitor<'de> for #visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut __map: A) -> ::std::result::Result<#name, A::Error> {
                        #read
                    }
                }
                deserializer.deserialize_map(#visitor)
            }
        }
    }
}

/// How the union reads one property, whatever variant the object turns out to be.
pub(super) enum Slot {
    /// A constant in every variant that has it (`eventType`): its value is
    /// read as a tag among the constants the variants give it, which the
    /// constant `konst` lists (`EVENT_TYPE_VALUES`).
    Tag {
        values: Vec<String>,
        konst: proc_macro2::Ident,
    },
    /// The same Rust type in every variant that has it.
    Typed {
        inner: TokenStream,
        /// Required (and not nullable) in every variant that has it: read as
        /// the type itself, so `null` is refused where it is read.
        always_required: bool,
    },
    /// Different types in different variants (`objectData`): kept as JSON
    /// text until the variant is known.
    Raw,
}

pub(super) struct Property<'a> {
    pub(super) json: &'a str,
    /// The local the property is read into: the field's Rust name, made
    /// unique among the union's properties (`a-b` and `a_b` may both be `a_b`).
    pub(super) slot: proc_macro2::Ident,
    pub(super) kind: Slot,
}

/// `wanted`, or `wanted_2`, `wanted_3`… when an earlier name took it.
fn unique(taken: &mut Vec<String>, wanted: String) -> String {
    let mut name = wanted.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{wanted}_{n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// Whether `name` can be written as a Rust identifier.
fn is_ident(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || unicode_ident::is_xid_start(c))
        && chars.all(unicode_ident::is_xid_continue)
}

/// The property `json` of a union, or an error at `member`'s pointer (the
/// properties are gathered from every variant's fields, so each field has one).
pub(super) fn property_of<'p, 'a>(
    properties: &'p [Property<'a>],
    json: &str,
    member: &Member,
) -> Result<&'p Property<'a>> {
    properties.iter().find(|p| p.json == json).ok_or_else(|| {
        Error::new(
            &member.def.location.key("properties").key(json),
            format!(
                "`{json}` is not a property of any variant of the union that {} belongs to",
                member.def.spec_name
            ),
        )
    })
}

/// Which of a tag's `values` is `value`, or an error at the property.
fn tag_index(values: &[String], value: &str, field: &Field) -> Result<usize> {
    values.iter().position(|v| v == value).ok_or_else(|| {
        Error::new(
            &field.location,
            format!("the constant `{value}` is not among the values read for this property"),
        )
    })
}

/// One variant of a union told apart by fields.
pub(super) struct Member<'a> {
    pub(super) index: usize,
    pub(super) name: &'a str,
    pub(super) def: &'a TypeDef,
    pub(super) fields: &'a [Field],
    /// (property, constant value) that make up its rule.
    pub(super) rule: Vec<(String, Option<String>)>,
    /// How the variant keeps properties the spec does not name (as its
    /// struct's `additional_properties` field), or `Closed` when it refuses them.
    pub(super) unknown: Unknown,
}

impl<'m> Member<'m> {
    /// Whether its rule compares the value of property `json` (a constant).
    pub(super) fn rule_fixes(&self, json: &str) -> bool {
        self.rule.iter().any(|(n, c)| n == json && c.is_some())
    }

    /// The properties of the union that this variant does not have.
    pub(super) fn others<'p, 'a>(
        &self,
        properties: &'p [Property<'a>],
    ) -> impl Iterator<Item = &'p Property<'a>> + use<'p, 'a, 'm> {
        let fields = self.fields;
        properties
            .iter()
            .filter(move |p| !fields.iter().any(|f| f.json_name == p.json))
    }

    /// The condition of its rule, over the slots: each property present,
    /// and for a constant, `compare(property, constant)`.
    pub(super) fn rule_condition(
        &self,
        properties: &[Property],
        compare: impl Fn(&Property, &Slot, &str) -> Result<TokenStream>,
    ) -> Result<TokenStream> {
        let mut conditions = Vec::new();
        for (json, constant) in &self.rule {
            let p = property_of(properties, json, self)?;
            let slot = &p.slot;
            conditions.push(match (constant, &p.kind) {
                (Some(value), kind @ Slot::Tag { .. }) => compare(p, kind, value)?,
                _ => quote!(#slot.is_some()),
            });
        }
        Ok(if conditions.is_empty() {
            quote!(true)
        } else {
            quote!(#(#conditions)&&*)
        })
    }
}

/// How a struct keeps properties the spec does not name: refused, as JSON
/// text in `additional_properties: RawProperties`, or typed in a map.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Unknown {
    Closed,
    Raw,
    Typed,
}

/// Kept when the type is read from responses (which may grow) or the spec
/// allows more properties; refused otherwise.
pub(super) fn unknown_of(def: &TypeDef, s: &StructDef) -> Unknown {
    match &s.additional {
        _ if !(def.in_response || s.additional.is_some()) => Unknown::Closed,
        None | Some(TypeRef::Any) => Unknown::Raw,
        Some(_) => Unknown::Typed,
    }
}

pub(super) fn constant_of(cx: &Context, field: &Field) -> Option<String> {
    match &field.ty {
        TypeRef::Named(t) => match cx.def(t).map(|d| &d.kind) {
            Some(TypeKind::Const(value)) => Some(value.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The variants of a by-fields union, most specific rule first (more
/// conditions, then the spec's order): the order the rules are tried in.
pub(super) fn members<'a>(cx: &'a Context, u: &'a UnionDef) -> Vec<Member<'a>> {
    let mut members = Vec::new();
    for (index, v) in u.variants.iter().enumerate() {
        let TypeRef::Named(n) = &v.ty else { continue };
        let Some(def) = cx.def(n) else { continue };
        let TypeKind::Struct(s) = &def.kind else {
            continue;
        };
        let rule = s
            .discriminator_fields
            .iter()
            .map(|json| {
                let constant = s
                    .fields
                    .iter()
                    .find(|f| &f.json_name == json)
                    .and_then(|f| constant_of(cx, f));
                (json.clone(), constant)
            })
            .collect();
        members.push(Member {
            index,
            name: &v.name,
            def,
            fields: &s.fields,
            rule,
            unknown: unknown_of(def, s),
        });
    }
    members.sort_by(|a, b| b.rule.len().cmp(&a.rule.len()).then(a.index.cmp(&b.index)));
    members
}

/// Every property of any variant, in the order first met, with how it is read.
pub(super) fn properties<'a>(cx: &Context, members: &[Member<'a>]) -> Vec<Property<'a>> {
    let mut out: Vec<Property<'a>> = Vec::new();
    let mut slots = Vec::new();
    let mut konsts = vec!["FIELDS".to_string()];
    let mut seen: Vec<(&str, Vec<&Field>)> = Vec::new();
    for m in members.iter().map(|m| m.fields).collect::<Vec<_>>() {
        for f in m {
            match seen.iter_mut().find(|(json, _)| *json == f.json_name) {
                Some((_, fields)) => fields.push(f),
                None => seen.push((&f.json_name, vec![f])),
            }
        }
    }
    for (json, fields) in seen {
        let Some(first) = fields.first() else {
            continue;
        };
        let slot = unique(&mut slots, first.rust_name.clone());
        let constants: Option<Vec<String>> = fields.iter().map(|f| constant_of(cx, f)).collect();
        let kind = match constants {
            Some(values) if fields.iter().all(|f| f.required && !f.nullable) => {
                let mut distinct = Vec::new();
                for v in values {
                    if !distinct.contains(&v) {
                        distinct.push(v);
                    }
                }
                // `EVENT_TYPE_VALUES`; upper case may give a name that is
                // taken (`ß` and `ss`) or not an identifier: then a numbered one.
                let upper = format!("{}_VALUES", slot.to_uppercase());
                let wanted = if is_ident(&upper) && !konsts.contains(&upper) {
                    upper
                } else {
                    "TAG_VALUES".to_string()
                };
                Slot::Tag {
                    values: distinct,
                    konst: format_ident!("{}", unique(&mut konsts, wanted)),
                }
            }
            _ => {
                let inner = |f: &Field| cx.field_value_type(f);
                let first = inner(first);
                let text = first.to_string();
                if fields.iter().all(|f| inner(f).to_string() == text) {
                    Slot::Typed {
                        inner: first,
                        always_required: fields.iter().all(|f| f.required && !f.nullable),
                    }
                } else {
                    Slot::Raw
                }
            }
        };
        out.push(Property {
            json,
            slot: format_ident!("{}", slot),
            kind,
        });
    }
    out
}

fn article(word: &str) -> &'static str {
    match word.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// Why `property` is refused in `member`: what the spec's rules say about
/// where it belongs, among the variants with the same constants.
fn extra_property_message(members: &[Member], member: &Member, property: &str) -> String {
    let constants: Vec<&(String, Option<String>)> =
        member.rule.iter().filter(|(_, c)| c.is_some()).collect();
    let kind = {
        let values: Vec<String> = constants
            .iter()
            .filter_map(|(_, c)| c.as_ref().map(|c| format!("`{c}`")))
            .collect();
        if values.is_empty() {
            member.name.to_string()
        } else {
            let first = constants[0].1.as_deref().unwrap_or("");
            format!("{} {} event", article(first), values.join(" "))
        }
    };
    // Variants that have the property and agree with this one's constants.
    let same_kind = |other: &Member| {
        constants.iter().all(|(name, value)| {
            other
                .rule
                .iter()
                .any(|(n, c)| n == name && c.is_some() && c == value)
                || other.fields.iter().all(|f| &f.json_name != name)
        })
    };
    // What a variant needs beyond this one's rule to take the property.
    let needs_of = |home: &Member| -> Vec<String> {
        home.rule
            .iter()
            .filter(|(name, _)| name != property && !member.rule.iter().any(|(n, _)| n == name))
            .map(|(name, constant)| match constant {
                Some(value) => format!("`{name}` `{value}`"),
                None => format!("`{name}`"),
            })
            .collect()
    };
    // The variant the property belongs to that is nearest to this one.
    let home = members
        .iter()
        .filter(|other| {
            other.index != member.index
                && same_kind(other)
                && other.fields.iter().any(|f| f.json_name == property)
        })
        .min_by_key(|other| needs_of(other).len());
    let Some(home) = home else {
        return not_allowed(property, &kind, member);
    };
    let needs = needs_of(home);
    if !needs.is_empty() {
        return format!(
            "{kind} with `{property}` needs {} ({}); without {}, `{property}` is not allowed",
            needs.join(" and "),
            home.name,
            if needs.len() == 1 { "it" } else { "them" }
        );
    }
    // The properties of this variant that stand where `property` stands in
    // the rule of its home: a sibling variant's rule is the home's rule with
    // `property` swapped for one of them (`objectIDs` for `filters`).
    let swapped = |other: &Member| -> Option<String> {
        let rest: Vec<&(String, Option<String>)> =
            home.rule.iter().filter(|(n, _)| n != property).collect();
        if other.rule.len() != home.rule.len() || !rest.iter().all(|r| other.rule.contains(r)) {
            return None;
        }
        let (swap, _) = other.rule.iter().find(|r| !rest.contains(r))?;
        (swap != property
            && member.fields.iter().any(|f| &f.json_name == swap)
            && !home.fields.iter().any(|f| &f.json_name == swap))
        .then(|| format!("`{swap}`"))
    };
    let mut rivals: Vec<String> = members.iter().filter_map(swapped).collect();
    rivals.dedup();
    if !rivals.is_empty() {
        return format!(
            "{kind} takes {} or `{property}`, not both",
            rivals.join(" and ")
        );
    }
    not_allowed(property, &kind, member)
}

/// The message for a property that does not belong to the variant.
fn not_allowed(property: &str, kind: &str, member: &Member) -> String {
    let known: Vec<String> = member
        .fields
        .iter()
        .map(|f| format!("`{}`", f.json_name))
        .collect();
    format!(
        "`{property}` is not allowed in {kind} ({}), expected one of {}",
        member.name,
        known.join(", ")
    )
}

/// `Deserialize` for a union whose variants carry `x-discriminator-fields`.
pub(super) fn union_by_fields(cx: &Context, def: &TypeDef, u: &UnionDef) -> Result<TokenStream> {
    let rt = &cx.rt;
    let name = ident(&def.name);
    let spec_name = &def.spec_name;
    let members = members(cx, u);
    let properties = properties(cx, &members);
    let names: Vec<&str> = properties.iter().map(|p| p.json).collect();
    let open = members.iter().any(|m| m.unknown != Unknown::Closed);
    let slot_decls = properties.iter().map(|p| slot_decl(cx, p));
    let tag_consts = properties.iter().filter_map(|p| match &p.kind {
        Slot::Tag { values, konst } => Some(quote!(const #konst: &[&str] = &[#(#values),*];)),
        _ => None,
    });
    let read_keys = read_keys(cx, &properties, open);
    let rules = variant_builds(cx, &name, &members, &properties, open)?;
    let probe_arms = properties.iter().map(probe_arm);
    let rule_tokens = members.iter().map(variant_rule);
    let read = quote! {
        const FIELDS: &[&str] = &[#(#names),*];
        #(#tag_consts)*
        #(#slot_decls)*
        #read_keys
        #(#rules)*
        let __probe = |property: &str| match property {
            #(#probe_arms)*
            _ => ::std::option::Option::None,
        };
        ::std::result::Result::Err(::serde::de::Error::custom(#rt::__private::no_variant_message(
            #spec_name,
            __probe,
            #name::VARIANT_RULES,
        )))
    };
    let deserialize = deserialize_from_map(def, read);
    Ok(quote! {
        impl #name {
            /// How each variant is recognised, most specific first: the
            /// properties it must have, and the value of its constant ones.
            pub const VARIANT_RULES: &'static [#rt::__private::VariantRule] = &[#(#rule_tokens),*];
        }

        #deserialize
    })
}

/// The local a property of the union is read into.
fn slot_decl(cx: &Context, p: &Property) -> TokenStream {
    let rt = &cx.rt;
    let slot = &p.slot;
    match &p.kind {
        Slot::Tag { .. } => {
            quote!(let mut #slot: ::std::option::Option<#rt::__private::decode::Tag> = ::std::option::Option::None;)
        }
        Slot::Typed {
            inner,
            always_required: true,
        } => quote!(let mut #slot: ::std::option::Option<#inner> = ::std::option::Option::None;),
        Slot::Typed { inner, .. } => {
            quote!(let mut #slot: ::std::option::Option<::std::option::Option<#inner>> = ::std::option::Option::None;)
        }
        Slot::Raw => {
            quote!(let mut #slot: ::std::option::Option<::std::option::Option<#rt::runtime::RawJson>> = ::std::option::Option::None;)
        }
    }
}

/// The loop that reads the object's keys, each into its property's slot.
/// Variants that keep unknown properties (`open`): those are gathered as
/// JSON text while reading, and handed to the variant chosen (or refused by
/// a closed one).
fn read_keys(cx: &Context, properties: &[Property], open: bool) -> TokenStream {
    let rt = &cx.rt;
    let last = properties.len().saturating_sub(1);
    let arms = properties
        .iter()
        .enumerate()
        .map(|(i, p)| key_arm(cx, p, i, i == last, open));
    if open {
        let no_fields = if properties.is_empty() {
            quote!(::std::result::Result::Ok(_) => {})
        } else {
            TokenStream::new()
        };
        quote! {
            let mut __unknown = #rt::runtime::RawProperties::new();
            while let ::std::option::Option::Some(__key) = __map.next_key_seed(#rt::__private::decode::FieldIndex(FIELDS))? {
                match __key {
                    ::std::result::Result::Err(__name) => #rt::__private::decode::read_entry(&mut __unknown, &__name, &mut __map)?,
                    #(#arms)*
                    #no_fields
                }
            }
        }
    } else {
        quote! {
            while let ::std::option::Option::Some(__key) = __map.next_key_seed(#rt::__private::decode::KnownField(FIELDS))? {
                match __key {
                    #(#arms)*
                }
            }
        }
    }
}

/// The arm of the key loop that reads the property at index `i`.
fn key_arm(cx: &Context, p: &Property, i: usize, last: bool, open: bool) -> TokenStream {
    let rt = &cx.rt;
    let slot = &p.slot;
    let json = p.json;
    let read = match &p.kind {
        Slot::Tag { konst, .. } => {
            quote!(__map.next_value_seed(#rt::__private::decode::TagSlot::new(&mut #slot, #json, #konst))?)
        }
        _ => quote!(__map.next_value_seed(#rt::__private::decode::Once::new(&mut #slot, #json))?),
    };
    match (open, last) {
        (false, true) => quote!(_ => #read,),
        (false, false) => quote!(#i => #read,),
        (true, true) => quote!(::std::result::Result::Ok(_) => #read,),
        (true, false) => quote!(::std::result::Result::Ok(#i) => #read,),
    }
}

/// For each variant, most specific first: when its rule is met, the code
/// that builds it from the slots.
fn variant_builds(
    cx: &Context,
    name: &proc_macro2::Ident,
    members: &[Member],
    properties: &[Property],
    open: bool,
) -> Result<Vec<TokenStream>> {
    let rt = &cx.rt;
    let mut rules = Vec::new();
    for m in members {
        let condition = m.rule_condition(properties, |p, kind, value| {
            let Slot::Tag { values, .. } = kind else {
                unreachable!("rule_condition compares tags only")
            };
            let i = match m.fields.iter().find(|f| f.json_name == p.json) {
                Some(field) => tag_index(values, value, field)?,
                None => return Err(rule_error(m, p.json)),
            };
            let slot = &p.slot;
            Ok(quote!(#slot == ::std::option::Option::Some(#rt::__private::decode::Tag::Known(#i))))
        })?;
        let build = build_member(cx, name, members, m, properties, open)?;
        rules.push(quote! {
            if #condition {
                #build
            }
        });
    }
    Ok(rules)
}

/// The arm of the probe that error messages use: the property's presence
/// and, for a tag, its value.
fn probe_arm(p: &Property) -> TokenStream {
    let slot = &p.slot;
    let json = p.json;
    match &p.kind {
        Slot::Tag { konst, .. } => {
            quote!(#json => #slot.as_ref().map(|tag| ::std::option::Option::Some(tag.as_str(#konst))),)
        }
        _ => quote!(#json => #slot.as_ref().map(|_| ::std::option::Option::None),),
    }
}

/// A variant's entry in `VARIANT_RULES`: its name, the properties it must
/// have and the value of its constant ones.
fn variant_rule(m: &Member) -> TokenStream {
    let variant = m.name;
    let fields = m.rule.iter().map(|(json, constant)| match constant {
        Some(c) => quote!((#json, ::std::option::Option::Some(#c))),
        None => quote!((#json, ::std::option::Option::None)),
    });
    quote!((#variant, &[#(#fields),*]))
}

/// A rule that names no field of its variant (the model checks that
/// `x-discriminator-fields` names properties, so this is that check's pointer).
fn rule_error(member: &Member, json: &str) -> Error {
    Error::new(
        &member.def.location.key("x-discriminator-fields"),
        format!("`{json}` is not a property of this schema"),
    )
}

/// The code that moves the slots into the variant `member` (its rule met).
fn build_member(
    cx: &Context,
    union: &proc_macro2::Ident,
    members: &[Member],
    member: &Member,
    properties: &[Property],
    open: bool,
) -> Result<TokenStream> {
    let rt = &cx.rt;
    let variant = ident(member.name);
    let ty = ident(&member.def.name);
    // Properties of other variants that came with the object: refused.
    let extras = member.others(properties).map(|p| {
        let slot = &p.slot;
        let message = extra_property_message(members, member, p.json);
        quote! {
            if #slot.is_some() {
                return ::std::result::Result::Err(::serde::de::Error::custom(#message));
            }
        }
    });
    let mut inits = Vec::new();
    for f in member.fields {
        let p = property_of(properties, &f.json_name, member)?;
        let slot = &p.slot;
        let field = ident(&f.rust_name);
        let json = &f.json_name;
        let optional = !f.required || f.nullable;
        inits.push(match &p.kind {
            // The rule checked the value when the constant is part of it;
            // otherwise it must be this variant's.
            Slot::Tag { .. } if member.rule_fixes(json) => {
                let const_ty = cx.ty(&f.ty, &TokenStream::new());
                quote!(#field: #const_ty)
            }
            Slot::Tag {
                values,
                konst: tag_values,
            } => {
                // A tag slot is read only where every variant has a constant.
                let konst = constant_of(cx, f).ok_or_else(|| {
                    Error::new(&f.location, "expected a constant (`const`) here")
                })?;
                let i = tag_index(values, &konst, f)?;
                let const_ty = cx.ty(&f.ty, &TokenStream::new());
                quote! {
                    #field: match &#slot {
                        ::std::option::Option::Some(#rt::__private::decode::Tag::Known(#i)) => #const_ty,
                        ::std::option::Option::Some(other) => return ::std::result::Result::Err(::serde::de::Error::custom(format_args!(
                            "`{}` is `{}`, expected `{}`", #json, other.as_str(#tag_values), #konst
                        ))),
                        ::std::option::Option::None => return ::std::result::Result::Err(::serde::de::Error::missing_field(#json)),
                    }
                }
            }
            Slot::Typed {
                always_required: true,
                ..
            } => quote!(#field: #rt::__private::decode::required(#slot.take(), #json)?),
            Slot::Typed { .. } if optional => quote!(#field: #slot.take().flatten()),
            Slot::Typed { .. } => {
                quote!(#field: #rt::__private::decode::required_not_null(#slot.take(), #json)?)
            }
            Slot::Raw => {
                // Decoded as the value type, optional or not: the text kept
                // is never `null`, and one decoder per type (not one for `T`
                // and one for `Option<T>`) keeps the compiled code smaller.
                let value = cx.field_value_type(f);
                if optional {
                    quote!(#field: match #slot.take().flatten() {
                        ::std::option::Option::Some(raw) => ::std::option::Option::Some(
                            #rt::__private::decode::decode_raw::<#value, A::Error>(&raw, #json)?,
                        ),
                        ::std::option::Option::None => ::std::option::Option::None,
                    })
                } else {
                    quote!(#field: #rt::__private::decode::decode_raw::<#value, A::Error>(
                        &#rt::__private::decode::required_not_null::<_, A::Error>(#slot.take(), #json)?,
                        #json,
                    )?)
                }
            }
        });
    }
    let mut unknown_check = TokenStream::new();
    match member.unknown {
        Unknown::Raw => inits.push(quote!(additional_properties: ::std::mem::take(&mut __unknown))),
        Unknown::Typed => inits.push(quote!(
            additional_properties: ::serde_json::from_str(__unknown.as_json()).map_err(::serde::de::Error::custom)?
        )),
        Unknown::Closed if open => {
            let kind = member.name;
            unknown_check = quote! {
                if let ::std::option::Option::Some((__name, _)) = __unknown.entries().into_iter().next() {
                    return ::std::result::Result::Err(::serde::de::Error::custom(format_args!(
                        "unknown field `{}` in {}", __name, #kind
                    )));
                }
            };
        }
        Unknown::Closed => {}
    }
    Ok(quote! {
        #(#extras)*
        #unknown_check
        return ::std::result::Result::Ok(#union::#variant(#ty {
            #(#inits,)*
        }));
    })
}
