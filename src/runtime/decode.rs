//! The one way this crate reads JSON: responses, the
//! generated unions (events), the local server and the CLI all decode
//! through here.
//!
//! Three promises hold for every type generated from the spec:
//! - **Bounded memory.** Nothing builds a tree of `serde_json::Value`s: a
//!   value the types do not name is kept as the JSON text it came as
//!   ([`RawJson`], [`RawProperties`]), so decoding needs a small multiple of
//!   the bytes read, whatever the shape of the JSON.
//! - **Strict objects.** The generated deserializers refuse a key that
//!   appears twice, and the events refuse keys they do not know.
//! - **Errors with a path.** [`from_slice`] names where the value that did
//!   not fit is (`events[3].userToken: ...`): it reads once, keeping track of
//!   where it is (see [`from_str`]).
//!
//! The request types (the events) also have a fast path, their generated
//! `from_json`: a reader written for each type takes the usual text straight
//! into its fields and hands anything unusual to the serde reader here, so
//! the three promises, the values and the errors are the same.

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

pub(crate) mod fast;
pub(crate) mod seeds;
use seeds::Key;

/// The largest response body a client reads unless told otherwise: 1 MiB.
///
/// Insights answers are a few dozen bytes (`{"status":200,"message":"OK"}`);
/// the limit leaves room for error pages and for what a `custom_*` request
/// may return. Raise it for a client with
/// [`ClientBuilder::max_response_bytes`](super::ClientBuilder::max_response_bytes)
/// or for one request with
/// [`RequestOptions::max_response_bytes`](super::RequestOptions::max_response_bytes).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// JSON that did not decode: where (the path of the value that did not fit,
/// empty for the whole document) and serde_json's error.
#[derive(Debug)]
pub struct DecodeError {
    path: String,
    source: serde_json::Error,
}

impl DecodeError {
    /// The path of the value that did not fit (`events[3].userToken`), or
    /// `""` when the document as a whole is wrong (not JSON, trailing data).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// serde_json's error, with its line and column.
    pub fn json_error(&self) -> &serde_json::Error {
        &self.source
    }

    /// serde_json's error, taken out.
    pub fn into_json_error(self) -> serde_json::Error {
        self.source
    }

    /// The error's message without the path: serde_json's message, without
    /// its line and column when a path says where instead.
    pub fn message(&self) -> String {
        // The line and column locate bad syntax; a value that breaks a rule
        // is located by its path (or is the whole document).
        if self.path.is_empty() && !self.source.is_data() {
            self.source.to_string()
        } else {
            without_position(&self.source)
        }
    }
}

/// serde_json's message without its ` at line L column C`.
pub(crate) fn without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    if error.line() == 0 {
        return text;
    }
    let position = format!(" at line {} column {}", error.line(), error.column());
    text.strip_suffix(&position).unwrap_or(&text).to_string()
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message())
        } else {
            write!(f, "{}: {}", self.path, self.message())
        }
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Decodes JSON text as `T`: the whole input must be one value (whitespace
/// may follow it). The error names the path of the value that did not fit.
///
/// # Errors
///
/// [`DecodeError`]: not JSON, trailing data, or a value that breaks the
/// rules of `T`.
pub fn from_slice<T: DeserializeOwned>(json: &[u8]) -> Result<T, DecodeError> {
    // Checked as UTF-8 once, as a whole, rather than string by string. Text
    // that is not UTF-8 is not JSON (RFC 8259): refused, saying where, even
    // where serde_json would skip over it (a string it ignores).
    match std::str::from_utf8(json) {
        Ok(text) => from_str(text),
        Err(not_utf8) => Err(not_utf8_error(json, not_utf8, &|before| {
            from_str::<T>(before).err()
        })),
    }
}

/// [`from_slice`]'s error for text that is not UTF-8, compiled once:
/// `read_before` reads the text before the first bad byte as the type asked for.
fn not_utf8_error(
    json: &[u8],
    not_utf8: std::str::Utf8Error,
    read_before: &dyn Fn(&str) -> Option<DecodeError>,
) -> DecodeError {
    // The text before the first bad byte, read as far as it goes,
    // ends where that byte is: its path is the bad byte's.
    let before = &json[..not_utf8.valid_up_to()];
    let path = match std::str::from_utf8(before).map(read_before) {
        // Cut short there: the path of where the bad byte is.
        Ok(Some(error)) if error.source.is_eof() => error.path,
        // It breaks another rule before: no place to name.
        _ => String::new(),
    };
    DecodeError {
        path,
        source: de::Error::custom(format_args!("the text is not UTF-8 ({not_utf8})")),
    }
}

/// [`from_slice`] for text, which is known to be UTF-8: its strings are not
/// checked again.
///
/// One pass that keeps track of where it is (`serde_path_to_error`), so
/// that an error names its path. The types read in bulk have a faster
/// reader of their own (`from_json`) that comes here only for unusual text
/// (escapes, repeated keys, an error); one way of reading per type keeps the
/// crate's compiled code, hence its build, smaller than a plain read plus a
/// second one for the path.
///
/// # Errors
///
/// See [`from_slice`].
pub fn from_str<T: DeserializeOwned>(json: &str) -> Result<T, DecodeError> {
    // Generic only where it must be: the rest is compiled once, not once
    // per type read (`finish`, `with_path`).
    let mut deserializer = serde_json::Deserializer::from_str(json);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(value) => finish(deserializer).map(|()| value),
        Err(error) => Err(with_path(error)),
    }
}

/// The end of [`from_str`]'s read: nothing but whitespace may follow the value.
fn finish(
    mut deserializer: serde_json::Deserializer<serde_json::de::StrRead<'_>>,
) -> Result<(), DecodeError> {
    deserializer.end().map_err(|source| DecodeError {
        path: String::new(),
        source,
    })
}

/// [`from_str`]'s error, with the path of the value that did not fit.
fn with_path(error: serde_path_to_error::Error<serde_json::Error>) -> DecodeError {
    let path = error.path().to_string();
    // `?` is a key the input ended in before it was read: no place to name.
    let path = match path.as_str() {
        "." | "?" => "",
        path => path.strip_suffix(".?").unwrap_or(path),
    }
    .to_string();
    DecodeError {
        path,
        source: error.into_inner(),
    }
}

/// A JSON value kept as the text it came as: what a `custom_*` request
/// answers, and what a response holds where the spec allows any value.
///
/// It costs the bytes of its text and no more; [`decode`](Self::decode) it
/// into the type you expect (or a [`serde_json::Value`] when you want a tree).
#[derive(Clone)]
pub struct RawJson(Box<RawValue>);

impl RawJson {
    /// The JSON text, as received.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// The value as serde_json's [`RawValue`].
    pub fn as_raw_value(&self) -> &RawValue {
        &self.0
    }

    /// The value as serde_json's [`RawValue`], taken out.
    pub fn into_raw_value(self) -> Box<RawValue> {
        self.0
    }

    /// Serializes `value` as JSON.
    ///
    /// # Errors
    ///
    /// When `value` cannot be serialized as JSON (a map with non-string keys).
    pub fn from_value<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::value::to_raw_value(value).map(RawJson)
    }

    /// Decodes the text as `T`, with the path of the error.
    ///
    /// # Errors
    ///
    /// [`DecodeError`] when the JSON does not fit `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, DecodeError> {
        from_str(self.get())
    }
}

impl From<Box<RawValue>> for RawJson {
    fn from(value: Box<RawValue>) -> Self {
        RawJson(value)
    }
}

impl std::str::FromStr for RawJson {
    type Err = serde_json::Error;

    /// Checks that `text` is one JSON value, and keeps it as it is.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        RawValue::from_string(text.to_string()).map(RawJson)
    }
}

impl PartialEq for RawJson {
    /// The same text (JSON that differs only in spacing is not equal).
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl Eq for RawJson {}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl Serialize for RawJson {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(RawJson)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for RawJson {
    fn schema_name() -> Cow<'static, str> {
        "AnyValue".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::Schema::from(true)
    }
}

/// The properties of an object that its type does not name, kept as JSON
/// text (one `{...}` object) so that nothing is lost and nothing is expanded:
/// they cost about the bytes they took in the response.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RawProperties {
    /// `""` when there are none, else one JSON object.
    text: String,
}

impl RawProperties {
    /// No properties.
    pub fn new() -> Self {
        RawProperties::default()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// The value of the property `name`, as JSON text.
    pub fn get(&self, name: &str) -> Option<&RawValue> {
        self.entries()
            .into_iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// The value of the property `name`, decoded as `T`.
    ///
    /// # Errors
    ///
    /// [`DecodeError`] when the value does not fit `T`; `Ok(None)` when the
    /// property is absent.
    pub fn decode<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, DecodeError> {
        self.get(name).map(|raw| from_str(raw.get())).transpose()
    }

    /// The properties in the order they came, each with its JSON text.
    pub fn entries(&self) -> Vec<(Cow<'_, str>, &RawValue)> {
        if self.text.is_empty() {
            return Vec::new();
        }
        serde_json::from_str::<Entries<'_>>(&self.text)
            .map(|entries| entries.0)
            .unwrap_or_default()
    }

    /// All of them as one JSON object (`{}` when there are none).
    pub fn as_json(&self) -> &str {
        if self.text.is_empty() {
            "{}"
        } else {
            &self.text
        }
    }

    /// Sets the property `name` to `value`, replacing it when it exists.
    ///
    /// # Errors
    ///
    /// When `value` cannot be serialized as JSON.
    pub fn insert<T: Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
    ) -> Result<(), serde_json::Error> {
        let value = serde_json::value::to_raw_value(value)?;
        if self.get(name).is_some() {
            let mut rebuilt = RawProperties::new();
            for (key, old) in self.entries() {
                rebuilt.push(&key, if key == name { &value } else { old });
            }
            *self = rebuilt;
        } else {
            self.push(name, &value);
        }
        Ok(())
    }

    /// Appends a property without looking for an earlier one of the same name.
    fn push(&mut self, name: &str, value: &RawValue) {
        self.push_key(name, value.get().len());
        self.text.push_str(value.get());
        self.text.push('}');
    }

    /// Opens the entry `name` (its value, `value_len` bytes, comes next).
    fn push_key(&mut self, name: &str, value_len: usize) {
        self.text.reserve(name.len() + value_len + 8);
        self.text.pop(); // the closing brace
        self.text.push(if self.text.is_empty() { '{' } else { ',' });
        // A string always serializes.
        serde_json::to_writer(string_writer(&mut self.text), name).expect("a string serializes");
        self.text.push(':');
    }

    /// Reads the value of the entry `name` that `map` is at, and keeps it
    /// (see [`seeds::read_entry`]).
    pub(crate) fn read_entry<'de, A: MapAccess<'de>>(
        &mut self,
        name: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        map.next_value_seed(AppendRaw {
            properties: self,
            name,
        })
    }

    /// Frees the spare capacity left by reading.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
    }
}

/// serde_json's name for the raw-value protocol: a deserializer asked for a
/// newtype struct of this name hands over the value's JSON text (borrowed
/// from the input when it can) instead of parsing it. `Box<RawValue>` uses
/// it; reading through it directly saves copying a large value twice.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// Appends the value's JSON text to the properties, under `name`.
struct AppendRaw<'a, 'n> {
    properties: &'a mut RawProperties,
    name: &'n str,
}

impl<'de> DeserializeSeed<'de> for AppendRaw<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, self)
    }
}

impl<'de> Visitor<'de> for AppendRaw<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    /// serde_json: one entry whose value is the text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if map.next_key::<de::IgnoredAny>()?.is_none() {
            return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
        }
        map.next_value_seed(RawText(self))
    }

    /// A deserializer that does not know the protocol: the usual way.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let value = Box::<RawValue>::deserialize(deserializer)?;
        self.properties.push(self.name, &value);
        Ok(())
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        self.properties.push_key(self.name, text.len());
        self.properties.text.push_str(text);
        self.properties.text.push('}');
        Ok(())
    }
}

/// The text of the one entry of serde_json's raw-value protocol.
struct RawText<'a, 'n>(AppendRaw<'a, 'n>);

impl<'de> DeserializeSeed<'de> for RawText<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self.0)
    }
}

/// `io::Write` into a `String`, for serde_json's writer of a key (which
/// only ever writes UTF-8).
fn string_writer(text: &mut String) -> impl std::io::Write + '_ {
    struct Writer<'a>(&'a mut String);
    impl std::io::Write for Writer<'_> {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            let text = std::str::from_utf8(bytes)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
            self.0.push_str(text);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    Writer(text)
}

impl fmt::Debug for RawProperties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_json())
    }
}

impl Serialize for RawProperties {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let entries = self.entries();
        let mut map = serializer.serialize_map(Some(entries.len()))?;
        for (key, value) in &entries {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for RawProperties {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PropertiesVisitor;
        impl<'de> Visitor<'de> for PropertiesVisitor {
            type Value = RawProperties;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawProperties, A::Error> {
                let mut properties = RawProperties::new();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    properties.read_entry(key.as_str(), &mut map)?;
                }
                properties.shrink_to_fit();
                Ok(properties)
            }
        }
        deserializer.deserialize_map(PropertiesVisitor)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for RawProperties {
    fn schema_name() -> Cow<'static, str> {
        "RawProperties".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "object", "additionalProperties": true })
    }
}

/// The entries of a [`RawProperties`], borrowed from its text.
struct Entries<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<'de>, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    entries.push((key.0, map.next_value()?));
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[allow(dead_code)]
        count: u32,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        items: Vec<Inner>,
    }

    #[test]
    fn the_error_names_the_path_only_found_on_the_second_read() {
        let error = from_slice::<Outer>(br#"{"items":[{"count":1},{"count":"x"}]}"#).unwrap_err();
        assert_eq!(error.path(), "items[1].count");
        assert_eq!(
            error.to_string(),
            "items[1].count: invalid type: string \"x\", expected u32"
        );
        assert_eq!(error.json_error().column(), 34);
        assert_eq!(error.message(), "invalid type: string \"x\", expected u32");
        assert!(std::error::Error::source(&error).is_some());
        let trailing = from_slice::<Outer>(br#"{"items":[]} x"#).unwrap_err();
        assert_eq!(trailing.path(), "");
        assert!(
            trailing.to_string().starts_with("trailing characters"),
            "{trailing}"
        );
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_with_its_place() {
        // In a string that is read: its path, and where in bytes.
        let error =
            from_slice::<Outer>(b"{\"items\":[{\"count\":1},{\"count\":\"\xff\"}]}").unwrap_err();
        assert_eq!(error.path(), "items[1].count");
        assert!(error.to_string().contains("from index 32"), "{error}");
        // In a string that serde_json skips without reading it: still refused.
        let error = from_slice::<serde::de::IgnoredAny>(b"[\"\xff\"]").unwrap_err();
        assert!(error.to_string().contains("not UTF-8"), "{error}");
        // After the value.
        let error = from_slice::<Outer>(b"{\"items\":[]} \xff").unwrap_err();
        assert!(error.to_string().contains("from index 13"), "{error}");
    }

    #[test]
    fn raw_properties_keep_the_text_and_read_back() {
        let mut properties: RawProperties =
            serde_json::from_str(r#"{"a":[1, 2],"b\"":{"c":null}}"#).unwrap();
        assert_eq!(properties.as_json(), r#"{"a":[1, 2],"b\"":{"c":null}}"#);
        assert_eq!(properties.len(), 2);
        assert_eq!(properties.get("a").map(RawValue::get), Some("[1, 2]"));
        assert_eq!(
            properties.get("b\"").map(RawValue::get),
            Some(r#"{"c":null}"#)
        );
        properties.insert("a", &3).unwrap();
        properties.insert("d", "x").unwrap();
        assert_eq!(properties.as_json(), r#"{"a":3,"b\"":{"c":null},"d":"x"}"#);
        assert_eq!(properties.decode::<u8>("a").unwrap(), Some(3));
        assert_eq!(
            serde_json::to_string(&properties).unwrap(),
            properties.as_json()
        );
        assert_eq!(RawProperties::new().as_json(), "{}");
        assert!(RawProperties::new().entries().is_empty());
    }

    #[test]
    fn raw_json_keeps_the_text() {
        let raw: RawJson = serde_json::from_str(r#" {"x": [0, 0]} "#).unwrap();
        assert_eq!(raw.get(), r#"{"x": [0, 0]}"#);
        assert_eq!(
            raw.decode::<serde_json::Value>().unwrap(),
            serde_json::json!({"x": [0, 0]})
        );
        assert_eq!(serde_json::to_string(&raw).unwrap(), r#"{"x": [0, 0]}"#);
        let through_path: RawJson = from_slice(br#"[1,2]"#).unwrap();
        assert_eq!(through_path.get(), "[1,2]");
    }
}
