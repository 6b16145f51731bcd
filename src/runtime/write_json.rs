//! The JSON writer of what the crate sends (request bodies, the sender's
//! events): serde_json's bytes, written faster. Most of the cost of sending
//! small events was serde_json escaping each key and string a byte at a
//! time (two thirds of the instructions of `push_events`); this serializer
//! copies a key or a string whole when an eight-bytes-at-a-time scan finds
//! nothing to escape, and hands everything else (numbers, strings that need
//! escapes, map keys that are not strings, `RawValue`) to serde_json
//! itself, so that the bytes are serde_json's by construction (the tests
//! below compare them on every kind of serde value and every character
//! below U+0100; `tests/proptest_events.rs` on generated batches).

use serde::ser::{self, Impossible, Serialize};
use serde_json::Error;

/// Writes `value` as JSON at the end of `out`, exactly as
/// `serde_json::to_writer(&mut out, value)` would.
///
/// # Errors
///
/// serde_json's: a map key that is not a string, a failing `Serialize`.
pub fn to_vec_end<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), Error> {
    value.serialize(&mut Writer { out })
}

/// serde_json's names for values it writes verbatim: `RawValue`, and
/// `Number` under its `arbitrary_precision` feature.
const VERBATIM: [&str; 2] = [
    "$serde_json::private::RawValue",
    "$serde_json::private::Number",
];

struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

impl Writer<'_> {
    /// serde_json's own serializer on the same buffer, for what it writes
    /// in one call (numbers, escaped strings).
    fn json(&mut self) -> serde_json::Serializer<&mut Vec<u8>> {
        serde_json::Serializer::new(&mut *self.out)
    }

    #[inline]
    fn string(&mut self, value: &str) -> Result<(), Error> {
        let bytes = value.as_bytes();
        if !needs_escapes(bytes) {
            self.out.reserve(bytes.len() + 2);
            self.out.push(b'"');
            self.out.extend_from_slice(bytes);
            self.out.push(b'"');
            Ok(())
        } else {
            ser::Serializer::serialize_str(&mut self.json(), value)
        }
    }

    /// `{"variant":` of an enum's variant that holds a value.
    fn open_variant(&mut self, variant: &str) -> Result<(), Error> {
        self.out.push(b'{');
        self.string(variant)?;
        self.out.push(b':');
        Ok(())
    }
}

/// Whether a string has a byte that JSON escapes (a quote, a backslash, a
/// control character), eight bytes at a time: whole words, then the last
/// eight bytes again (strings are short: a byte loop, or a search that
/// stops at the first hit, would cost a branch per byte).
#[inline]
fn needs_escapes(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The high bit of every byte of `word` that is zero, and maybe of bytes
    // above one (a borrow), which only matters when there is one.
    let zero_bytes = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    let special = |word: u64| {
        zero_bytes(word ^ (ONES * u64::from(b'"')))
            | zero_bytes(word ^ (ONES * u64::from(b'\\')))
            | (word.wrapping_sub(ONES * 0x20) & !word & HIGHS)
    };
    let Some(last) = bytes.last_chunk::<8>() else {
        return bytes.iter().fold(false, |found, &b| {
            found | (b == b'"') | (b == b'\\') | (b < 0x20)
        });
    };
    let mut found = special(u64::from_le_bytes(*last));
    let (words, _) = bytes.as_chunks::<8>();
    for word in words {
        found |= special(u64::from_le_bytes(*word));
    }
    found != 0
}

macro_rules! through_serde_json {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(
            #[inline]
            fn $method(self, value: $ty) -> Result<(), Error> {
                ser::Serializer::$method(&mut self.json(), value)
            }
        )*
    };
}

impl<'w, 'a> ser::Serializer for &'w mut Writer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'w, 'a>;
    type SerializeTuple = Compound<'w, 'a>;
    type SerializeTupleStruct = Compound<'w, 'a>;
    type SerializeTupleVariant = Compound<'w, 'a>;
    type SerializeMap = Compound<'w, 'a>;
    type SerializeStruct = Compound<'w, 'a>;
    type SerializeStructVariant = Compound<'w, 'a>;

    through_serde_json!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_bytes(&[u8]),
    );

    fn serialize_char(self, value: char) -> Result<(), Error> {
        self.string(value.encode_utf8(&mut [0; 4]))
    }

    #[inline]
    fn serialize_str(self, value: &str) -> Result<(), Error> {
        self.string(value)
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.string(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.open_variant(variant)?;
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'w, 'a>, Error> {
        self.out.push(b'[');
        Ok(Compound::open(self, b"]"))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'w, 'a>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<Compound<'w, 'a>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'w, 'a>, Error> {
        self.open_variant(variant)?;
        self.out.push(b'[');
        Ok(Compound::open(self, b"]}"))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'w, 'a>, Error> {
        self.out.push(b'{');
        Ok(Compound::open(self, b"}"))
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Compound<'w, 'a>, Error> {
        if VERBATIM.contains(&name) {
            return Ok(Compound::Verbatim(self));
        }
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'w, 'a>, Error> {
        self.open_variant(variant)?;
        self.out.push(b'{');
        Ok(Compound::open(self, b"}}"))
    }
}

/// An array or object being written (or a value serde_json writes verbatim).
enum Compound<'w, 'a> {
    Open {
        writer: &'w mut Writer<'a>,
        /// Nothing written inside yet.
        first: bool,
        /// What closes it.
        close: &'static [u8],
    },
    Verbatim(&'w mut Writer<'a>),
}

impl<'w, 'a> Compound<'w, 'a> {
    fn open(writer: &'w mut Writer<'a>, close: &'static [u8]) -> Self {
        Compound::Open {
            writer,
            first: true,
            close,
        }
    }

    /// The writer, after the comma that separates an item from the one before.
    #[inline]
    fn next(&mut self) -> &mut Writer<'a> {
        match self {
            Compound::Open { writer, first, .. } => {
                if !std::mem::replace(first, false) {
                    writer.out.push(b',');
                }
                writer
            }
            Compound::Verbatim(writer) => writer,
        }
    }

    fn close(self) -> Result<(), Error> {
        if let Compound::Open { writer, close, .. } = self {
            writer.out.extend_from_slice(close);
        }
        Ok(())
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(self.next())
    }

    #[inline]
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        match self.key(key)? {
            (writer, false) => value.serialize(writer),
            (writer, true) => value.serialize(VerbatimText(writer)),
        }
    }

    /// Writes `"key":` (after a comma when needed) and gives the writer of
    /// the value, and whether that value is verbatim text. Not generic: the
    /// part of [`field`](Self::field) compiled once rather than once per
    /// type of value.
    #[inline]
    fn key(&mut self, key: &'static str) -> Result<(&mut Writer<'a>, bool), Error> {
        match self {
            Compound::Verbatim(writer) => Ok((writer, true)),
            Compound::Open { writer, first, .. } => {
                if !std::mem::replace(first, false) {
                    writer.out.push(b',');
                }
                writer.string(key)?;
                writer.out.push(b':');
                Ok((writer, false))
            }
        }
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTupleVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let writer = self.next();
        if !key.serialize(MapKey(writer))? {
            key_through_serde_json(writer.out, key)?;
        }
        writer.out.push(b':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        match self {
            Compound::Open { writer, .. } | Compound::Verbatim(writer) => {
                value.serialize(&mut **writer)
            }
        }
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    #[inline]
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// A map's key that is a string, written as one. `Ok(false)` (nothing
/// written) for any other scalar, which serde_json then writes as it writes
/// map keys (integers and the like quoted); a compound key is refused, as
/// serde_json refuses it.
struct MapKey<'w, 'a>(&'w mut Writer<'a>);

macro_rules! not_a_string {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(
            fn $method(self, _: $ty) -> Result<bool, Error> {
                Ok(false)
            }
        )*
    };
}

impl ser::Serializer for MapKey<'_, '_> {
    type Ok = bool;
    type Error = Error;
    type SerializeSeq = Impossible<bool, Error>;
    type SerializeTuple = Impossible<bool, Error>;
    type SerializeTupleStruct = Impossible<bool, Error>;
    type SerializeTupleVariant = Impossible<bool, Error>;
    type SerializeMap = Impossible<bool, Error>;
    type SerializeStruct = Impossible<bool, Error>;
    type SerializeStructVariant = Impossible<bool, Error>;

    #[inline]
    fn serialize_str(self, value: &str) -> Result<bool, Error> {
        self.0.string(value).map(|()| true)
    }

    not_a_string!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    fn serialize_none(self) -> Result<bool, Error> {
        Ok(false)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<bool, Error> {
        Ok(false)
    }
    fn serialize_unit(self) -> Result<bool, Error> {
        Ok(false)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<bool, Error> {
        Ok(false)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<bool, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<bool, Error> {
        Ok(false)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_must_be_a_string())
    }
}

/// serde_json's error for a map key it cannot write.
fn key_must_be_a_string() -> Error {
    ser::Error::custom("key must be a string")
}

/// A map key that is not a string, as serde_json writes it: the key of a
/// map of that one key, written by serde_json.
fn key_through_serde_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, key: &T) -> Result<(), Error> {
    struct OneKey<'k, T: ?Sized>(&'k T);
    impl<T: Serialize + ?Sized> Serialize for OneKey<'_, T> {
        fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use ser::SerializeMap;
            let mut map = serializer.serialize_map(Some(1))?;
            map.serialize_entry(self.0, &())?;
            map.end()
        }
    }
    let mut one = Vec::new();
    serde_json::to_writer(&mut one, &OneKey(key))?;
    // `{` KEY `:null}`
    out.extend_from_slice(&one[1..one.len() - ":null}".len()]);
    Ok(())
}

/// The text of a value serde_json writes verbatim (`RawValue`, an
/// `arbitrary_precision` number): given as a string, written as it is.
struct VerbatimText<'w, 'a>(&'w mut Writer<'a>);

impl ser::Serializer for VerbatimText<'_, '_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_str(self, value: &str) -> Result<(), Error> {
        self.0.out.extend_from_slice(value.as_bytes());
        Ok(())
    }

    fn serialize_bool(self, _: bool) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_i64(self, _: i64) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_i8(self, _: i8) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_i16(self, _: i16) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_i32(self, _: i32) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_u8(self, _: u8) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_u16(self, _: u16) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_u32(self, _: u32) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_u64(self, _: u64) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_f32(self, _: f32) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_f64(self, _: f64) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_char(self, _: char) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_none(self) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_unit(self) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(not_verbatim())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(not_verbatim())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(not_verbatim())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(not_verbatim())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(not_verbatim())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(not_verbatim())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        Err(not_verbatim())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(not_verbatim())
    }
}

/// serde_json's error when its verbatim text is not given as a string.
fn not_verbatim() -> Error {
    ser::Error::custom("expected RawValue")
}

#[cfg(test)]
mod tests {
    use super::to_vec_end;
    use serde::Serialize;
    use std::collections::BTreeMap;

    /// `value` written both ways: the same bytes, or the same error.
    fn same<T: Serialize + ?Sized>(value: &T) {
        let expected = serde_json::to_vec(value).map_err(|e| e.to_string());
        let mut written = b"before".to_vec();
        let ours = to_vec_end(&mut written, value).map_err(|e| e.to_string());
        match (expected, ours) {
            (Ok(expected), Ok(())) => assert_eq!(
                String::from_utf8_lossy(&written["before".len()..]),
                String::from_utf8_lossy(&expected)
            ),
            (Err(expected), Err(ours)) => assert_eq!(ours, expected),
            (expected, ours) => panic!("serde_json: {expected:?}, ours: {ours:?}"),
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut text = String::new();
        for c in (0u32..0x100)
            .chain([0x2028, 0x10FFFF])
            .filter_map(char::from_u32)
        {
            text.push(c);
            same(&text);
            same(&c);
            same(&format!("plain text {c} long enough for two words"));
        }
        for s in [
            "",
            "\"",
            "\\",
            "a\"b",
            "12345678\\",
            "1234567\u{1f}",
            "\u{7f}",
            "é",
        ] {
            same(s);
        }
    }

    #[test]
    fn every_kind_of_value_is_written_as_serde_json_writes_it() {
        same(&serde_json::json!({
            "null": null, "true": true, "n": -12, "u": u64::MAX, "f": 0.1, "e": 1e300,
            "list": [1, "two", [3.5, {}], []], "map": {"a\\b": {"c": [null]}}, "": ""
        }));
        same(&(
            1u8,
            -2i16,
            3i32,
            -4i64,
            5u128,
            -6i128,
            1.5f32,
            f64::NAN,
            f64::INFINITY,
        ));
        same(&(Some(1), None::<i32>, (), 'x', "s"));
        same(&serde_bytes_like(b"bytes"));
        same(&[0u8; 0]);
        same(&Vec::<String>::new());
        let raw = serde_json::value::RawValue::from_string(r#"{"x": [0, 0]}"#.to_string()).unwrap();
        same(&raw);
        same(&vec![raw.clone(), raw]);
    }

    /// Bytes as serde's `serialize_bytes` gives them.
    fn serde_bytes_like(value: &[u8]) -> impl Serialize + '_ {
        struct Bytes<'b>(&'b [u8]);
        impl Serialize for Bytes<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_bytes(self.0)
            }
        }
        Bytes(value)
    }

    #[test]
    fn map_keys_are_written_as_serde_json_writes_them() {
        same(&BTreeMap::from([("b\"", 1), ("a", 2)]));
        same(&BTreeMap::from([(1, "one"), (-2, "minus two")]));
        same(&BTreeMap::from([(true, 1)]));
        same(&BTreeMap::from([('c', 1)]));
        same(&BTreeMap::from([(Unit, 1)]));
        same(&BTreeMap::from([(Enum::Unit, 1)]));
        same(&BTreeMap::from([(vec![1], 1)]));
        same(&BTreeMap::from([((1, 2), 1)]));
    }

    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    struct Unit;

    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    enum Enum {
        Unit,
        Newtype(i32),
        Tuple(i32, String),
        Struct { a: i32, b: Vec<Unit> },
    }

    #[derive(Serialize)]
    struct Fields {
        #[serde(rename = "field \"one\"")]
        one: i32,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<i32>,
        #[serde(flatten)]
        rest: BTreeMap<String, serde_json::Value>,
        newtype: Newtype,
        enums: Vec<Enum>,
        #[serde(skip_serializing_if = "Option::is_none")]
        last: Option<i32>,
    }

    #[derive(Serialize)]
    struct Newtype(String);

    #[test]
    fn structs_enums_and_flattened_maps_are_written_as_serde_json_writes_them() {
        same(&Fields {
            one: 1,
            skipped: None,
            rest: BTreeMap::from([("x".to_string(), serde_json::json!([1, {"y": "z"}]))]),
            newtype: Newtype("t\n".to_string()),
            enums: vec![
                Enum::Unit,
                Enum::Newtype(2),
                Enum::Tuple(3, "\u{0}".to_string()),
                Enum::Struct {
                    a: 4,
                    b: vec![Unit],
                },
                Enum::Struct { a: 5, b: vec![] },
            ],
            last: Some(6),
        });
        same(&Unit);
        same(&Enum::Unit);
    }
}
