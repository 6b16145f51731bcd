//! Emits `Deserialize` for a union with an OpenAPI `discriminator`: the value
//! of one property names the variant (through `mapping`, or the schema's name).
//! The object is kept as JSON text while its tag is read, then decoded as
//! that variant: no tree of values is built.

use super::{ident, Context};
use crate::model::{TypeDef, UnionDef};
use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn emit_deserialize(
    cx: &Context,
    def: &TypeDef,
    u: &UnionDef,
    property: &str,
    mapping: &[(String, usize)],
) -> TokenStream {
    let rt = &cx.rt;
    let name = ident(&def.name);
    let arms = mapping.iter().map(|(value, index)| {
        let v = &u.variants[*index];
        let variant = ident(&v.name);
        let ty = cx.ty(&v.ty, &TokenStream::new());
        quote!(::std::option::Option::Some(#value) => #rt::__private::decode_variant::<#ty, D::Error>(&object).map(Self::#variant),)
    });
    let mut expected: Vec<&str> = mapping.iter().map(|(value, _)| value.as_str()).collect();
    expected.sort_unstable();
    let expected = expected.join(", ");
    let spec_name = &def.spec_name;
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let object = <#rt::runtime::RawJson as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = #rt::__private::read_tag(&object, #property).map_err(::serde::de::Error::custom)?;
                match tag.as_deref() {
                    #(#arms)*
                    ::std::option::Option::Some(other) => ::std::result::Result::Err(::serde::de::Error::custom(format!(
                        "not a valid {}: `{}` is `{}`, expected one of: {}",
                        #spec_name, #property, other, #expected
                    ))),
                    ::std::option::Option::None => ::std::result::Result::Err(::serde::de::Error::custom(format!(
                        "not a valid {}: `{}` is missing, expected one of: {}",
                        #spec_name, #property, #expected
                    ))),
                }
            }
        }
    }
}
