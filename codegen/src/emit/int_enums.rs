//! Emits integer enums (`enum: [1, 2, 3]` on an integer schema) as open Rust
//! enums: named variants for the spec's values, `Unknown(i64)` for the rest.

use super::{doc, ident};
use crate::model::TypeDef;
use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn emit(def: &TypeDef, values: &[i64]) -> TokenStream {
    let name = ident(&def.name);
    let text = def
        .doc
        .clone()
        .unwrap_or_else(|| format!("The `{}` schema.", def.spec_name));
    let doc = doc(Some(&text));
    let variants: Vec<_> = values
        .iter()
        .map(|v| ident(&crate::names::int_enum_variant(*v)))
        .collect();
    let variant_docs = values.iter().map(|v| format!(" `{v}`"));
    quote! {
        #doc
        ///
        /// A value this version of the client does not know is kept as
        /// [`Unknown`](Self::Unknown) instead of failing to deserialize.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#[doc = #variant_docs] #variants,)*
            /// A value the spec this client was generated from does not name.
            Unknown(i64),
        }

        impl #name {
            /// The value as sent on the wire.
            pub fn value(&self) -> i64 {
                match self {
                    #(Self::#variants => #values,)*
                    Self::Unknown(value) => *value,
                }
            }
        }

        impl ::std::convert::From<i64> for #name {
            fn from(value: i64) -> Self {
                match value {
                    #(#values => Self::#variants,)*
                    other => Self::Unknown(other),
                }
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                ::std::result::Result::Ok(Self::from(i64::deserialize(deserializer)?))
            }
        }
    }
}
