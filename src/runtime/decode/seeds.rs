//! The serde seeds and helpers that generated deserializers are made of
//! (reached through `crate::__private::decode`): one read per key, a
//! refusal of keys that appear twice, the tag of a union, required values.

use super::{RawJson, RawProperties};
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// Reads the value of the entry `name` that `map` is at into `properties`,
/// and keeps it. Generated deserializers call this for the keys their type
/// does not name.
///
/// # Errors
///
/// When the value is not JSON (`map` must come from serde_json).
pub fn read_entry<'de, A: MapAccess<'de>>(
    properties: &mut RawProperties,
    name: &str,
    map: &mut A,
) -> Result<(), A::Error> {
    properties.read_entry(name, map)
}

/// An object key, borrowed from the input when it has no escapes.
pub struct Key<'de>(pub(super) Cow<'de, str>);

impl Key<'_> {
    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(key)))
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key.to_string())))
            }
            fn visit_string<E: de::Error>(self, key: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Which of a type's properties a key names: its index in `names`, or the
/// key itself when the type does not name it (`Err`).
///
/// A seed for `MapAccess::next_key_seed`; it compares the key without
/// copying it.
pub struct FieldIndex(pub &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for FieldIndex {
    type Value = Result<usize, String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(FieldVisitor {
            names: self.0,
            strict: false,
        })
    }
}

/// Like [`FieldIndex`], for a type that refuses keys it does not name: an
/// unknown key is an error that lists the known ones.
pub struct KnownField(pub &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KnownField {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        let index = deserializer.deserialize_str(FieldVisitor {
            names: self.0,
            strict: true,
        })?;
        Ok(index.unwrap_or(usize::MAX))
    }
}

struct FieldVisitor {
    names: &'static [&'static str],
    strict: bool,
}

impl FieldVisitor {
    fn find<E: de::Error>(&self, key: &str) -> Result<Option<usize>, E> {
        match self.names.iter().position(|name| *name == key) {
            Some(index) => Ok(Some(index)),
            None if self.strict => Err(E::unknown_field(key, self.names)),
            None => Ok(None),
        }
    }
}

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = Result<usize, String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a property name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.find(key)?.ok_or_else(|| key.to_string()))
    }
}

/// Reads a property's value into its slot, refusing a key that appears
/// twice in the same object (JSON parsers disagree on which one wins, so the
/// API's reading and ours could differ).
///
/// A seed for `MapAccess::next_value_seed`.
pub struct Once<'a, T> {
    slot: &'a mut Option<T>,
    name: &'static str,
}

impl<'a, T> Once<'a, T> {
    /// The slot of the property `name`.
    pub fn new(slot: &'a mut Option<T>, name: &'static str) -> Self {
        Once { slot, name }
    }
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Once<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        if self.slot.is_some() {
            return Err(de::Error::duplicate_field(self.name));
        }
        *self.slot = Some(T::deserialize(deserializer)?);
        Ok(())
    }
}

/// The value of a constant property (`eventType`) that tells the variants
/// of a union apart: one of the values the spec knows, or another string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tag {
    /// The index of the value among the known ones.
    Known(usize),
    /// A value the spec does not know.
    Other(String),
}

impl Tag {
    /// The value as text, given the known values.
    pub fn as_str<'a>(&'a self, values: &[&'a str]) -> &'a str {
        match self {
            Tag::Known(index) => values[*index],
            Tag::Other(text) => text,
        }
    }
}

/// Reads a [`Tag`] into its slot, without copying a known value, refusing
/// a key that appears twice.
pub struct TagSlot<'a> {
    slot: &'a mut Option<Tag>,
    name: &'static str,
    values: &'static [&'static str],
}

impl<'a> TagSlot<'a> {
    /// The slot of the property `name`, whose known values are `values`.
    pub fn new(
        slot: &'a mut Option<Tag>,
        name: &'static str,
        values: &'static [&'static str],
    ) -> Self {
        TagSlot { slot, name, values }
    }
}

impl<'de> DeserializeSeed<'de> for TagSlot<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        struct TagVisitor(&'static [&'static str]);
        impl<'de> Visitor<'de> for TagVisitor {
            type Value = Tag;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("one of: ")?;
                for (i, value) in self.0.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(value)?;
                }
                Ok(())
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Tag, E> {
                Ok(match self.0.iter().position(|known| *known == value) {
                    Some(index) => Tag::Known(index),
                    None => Tag::Other(value.to_string()),
                })
            }
        }
        if self.slot.is_some() {
            return Err(de::Error::duplicate_field(self.name));
        }
        *self.slot = Some(deserializer.deserialize_str(TagVisitor(self.values))?);
        Ok(())
    }
}

/// A required property's value, or the error serde gives for a missing one.
///
/// # Errors
///
/// `missing field` when the property was absent.
pub fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// A property read as `Option` (a union where some variants allow null or
/// leave it out) that this variant requires: present and not null.
///
/// # Errors
///
/// `missing field` when absent, `invalid type: null` when null.
pub fn required_not_null<T, E: de::Error>(
    slot: Option<Option<T>>,
    name: &'static str,
) -> Result<T, E> {
    match slot {
        None => Err(E::missing_field(name)),
        Some(None) => Err(E::custom(format_args!(
            "`{name}` is null; this event needs a value"
        ))),
        Some(Some(value)) => Ok(value),
    }
}

/// A property kept as JSON text while the variant was not known yet (its
/// type differs between variants), decoded now as the chosen variant's type.
///
/// # Errors
///
/// When the value does not fit, with the property and the path inside it.
pub fn decode_raw<T: DeserializeOwned, E: de::Error>(
    raw: &RawJson,
    name: &'static str,
) -> Result<T, E> {
    raw.decode().map_err(|error| {
        let path = error.path();
        let message = error.message();
        if path.is_empty() {
            E::custom(format_args!("{name}: {message}"))
        } else if path.starts_with('[') {
            E::custom(format_args!("{name}{path}: {message}"))
        } else {
            E::custom(format_args!("{name}.{path}: {message}"))
        }
    })
}
