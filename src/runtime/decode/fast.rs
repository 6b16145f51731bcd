//! The fast path of reading JSON into the generated request types (the
//! events above all): a reader over the text that the generated
//! `FastRead` impls drive field by field, with no serde visitor between a
//! key and its value and no tree of values.
//!
//! It only takes the usual input: objects whose keys the type names, each
//! once; strings without escapes; numbers that fit. On anything else (an
//! escape, an unknown key, a `null`, a value that breaks a rule, bad JSON)
//! it gives up with `None` and [`read`] reads the text again with the full
//! serde reader, which accepts what it accepts and names the path of what it
//! refuses. So the fast path decides nothing: where it answers, its answer
//! is the one the full reader gives (a property test compares them), and
//! every scalar goes through its type's own `Deserialize` impl.

use super::DecodeError;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::Deserialize;

/// How deep objects and arrays may nest on the fast path (serde_json's own
/// limit is 128): deeper input goes to the full reader, which refuses it.
const MAX_DEPTH: u32 = 128;

/// Reads `json` as `T`: the fast path when it can, the full reader when it
/// cannot. The result is the one [`super::from_str`] gives.
///
/// # Errors
///
/// [`DecodeError`]: not JSON, trailing data, or a value that breaks a rule
/// of `T` (from the full reader).
#[inline]
pub fn read<T: FastRead + DeserializeOwned>(json: &str) -> Result<T, DecodeError> {
    // `Reader::read_whole`, written out: the value goes from `fast_read`'s
    // `Option` straight into the `Result` (one copy of an event's 232
    // bytes, where going through `read_whole`'s `Option` made two).
    let mut reader = Reader::new(json);
    if let Some(value) = T::fast_read(&mut reader) {
        if reader.at_end() {
            return Ok(value);
        }
    }
    super::from_str(json)
}

/// [`read`] for bytes: checked as UTF-8 once, then read as text (bytes that
/// are not UTF-8 get the full reader's error).
///
/// # Errors
///
/// See [`read`].
pub fn read_slice<T: FastRead + DeserializeOwned>(json: &[u8]) -> Result<T, DecodeError> {
    match std::str::from_utf8(json) {
        Ok(text) => read(text),
        Err(_) => super::from_slice(json),
    }
}

/// A type the fast path can read: `None` when it gives the input up.
pub trait FastRead: Sized {
    /// Reads one value at the reader's position.
    fn fast_read(reader: &mut Reader<'_>) -> Option<Self>;
}

/// A position in JSON text.
pub struct Reader<'a> {
    text: &'a str,
    at: usize,
    depth: u32,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Reader {
            text,
            at: 0,
            depth: 0,
        }
    }

    #[inline]
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    #[inline]
    fn skip_whitespace(&mut self) {
        let bytes = self.bytes();
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte after white space, not consumed.
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes().get(self.at).copied()
    }

    #[inline]
    fn eat(&mut self, byte: u8) -> Option<()> {
        // Compact JSON first: the byte is the next one.
        if self.bytes().get(self.at) == Some(&byte) {
            self.at += 1;
            return Some(());
        }
        if self.peek()? == byte {
            self.at += 1;
            Some(())
        } else {
            None
        }
    }

    /// Only white space is left.
    pub fn at_end(&mut self) -> bool {
        self.skip_whitespace();
        self.at == self.text.len()
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// A `{`.
    #[inline]
    pub fn begin_object(&mut self) -> Option<()> {
        self.eat(b'{')?;
        self.enter()
    }

    /// The next key of the object begun with [`begin_object`](Self::begin_object)
    /// (its `:` consumed), or `Some(None)` at its `}`. `first` is the
    /// caller's: `true` before the first key.
    #[inline]
    pub fn key(&mut self, first: &mut bool) -> Option<Option<&'a str>> {
        // Compact JSON first: `,"` between entries.
        if !*first && self.bytes().get(self.at..self.at + 2) == Some(b",\"") {
            self.at += 1;
        } else {
            match self.peek()? {
                b'}' => {
                    self.at += 1;
                    self.depth -= 1;
                    return Some(None);
                }
                b',' if !*first => {
                    self.at += 1;
                    if self.peek()? != b'"' {
                        return None;
                    }
                }
                b'"' if *first => {}
                _ => return None,
            }
        }
        *first = false;
        self.at += 1;
        let key = self.rest_of_string()?;
        self.eat(b':')?;
        Some(Some(key))
    }

    /// A `[`.
    #[inline]
    pub fn begin_array(&mut self) -> Option<()> {
        self.eat(b'[')?;
        self.enter()
    }

    /// Whether another element of the array follows (its `,` consumed), or
    /// `false` at its `]`.
    #[inline]
    pub fn next_element(&mut self, first: &mut bool) -> Option<bool> {
        match self.peek()? {
            b']' => {
                self.at += 1;
                self.depth -= 1;
                Some(false)
            }
            b',' if !*first => {
                self.at += 1;
                Some(true)
            }
            _ if *first => {
                *first = false;
                Some(true)
            }
            _ => None,
        }
    }

    /// A string without escapes, borrowed from the text.
    #[inline]
    pub fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        self.rest_of_string()
    }

    /// The rest of a string whose opening quote was read.
    #[inline]
    fn rest_of_string(&mut self) -> Option<&'a str> {
        let bytes = self.bytes();
        let start = self.at;
        let end = start + plain_length(bytes.get(start..)?);
        // The string ends at a quote: anything else (an escape, a control
        // character JSON does not allow, the end of the text) is the full
        // reader's.
        if bytes.get(end) != Some(&b'"') {
            return None;
        }
        self.at = end + 1;
        // `start` follows an ASCII quote and `end` is one: both are
        // character boundaries.
        self.text.get(start..end)
    }

    /// A number, as serde_json hands it to a visitor: `u64` for a
    /// non-negative integer, `i64` for a negative one, `f64` for one with a
    /// fraction or an exponent. `None` for what serde_json reads otherwise
    /// (`-0`, integers beyond 64 bits, floats out of range) and for what is
    /// not a JSON number.
    fn number(&mut self) -> Option<Scalar<'a>> {
        self.skip_whitespace();
        let bytes = self.bytes();
        let start = self.at;
        let mut at = start;
        let negative = bytes.get(at) == Some(&b'-');
        if negative {
            at += 1;
        }
        let digits = at;
        match bytes.get(at)? {
            b'0' => at += 1,
            b'1'..=b'9' => {
                while let Some(b'0'..=b'9') = bytes.get(at) {
                    at += 1;
                }
            }
            _ => return None,
        }
        let integer_end = at;
        let mut float = false;
        if bytes.get(at) == Some(&b'.') {
            float = true;
            at += 1;
            let fraction = at;
            while let Some(b'0'..=b'9') = bytes.get(at) {
                at += 1;
            }
            if at == fraction {
                return None;
            }
        }
        if let Some(b'e' | b'E') = bytes.get(at) {
            float = true;
            at += 1;
            if let Some(b'+' | b'-') = bytes.get(at) {
                at += 1;
            }
            let exponent = at;
            while let Some(b'0'..=b'9') = bytes.get(at) {
                at += 1;
            }
            if at == exponent {
                return None;
            }
        }
        // A number must end where a value may end.
        if let Some(b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') = bytes.get(at) {
            return None;
        }
        self.at = at;
        if float {
            // Long tokens (huge exponents) are serde_json's to judge.
            let token = self.text.get(start..at).filter(|t| t.len() <= 64)?;
            let value: f64 = token.parse().ok()?;
            return value.is_finite().then_some(Scalar::F64(value));
        }
        let mut magnitude: u64 = 0;
        for &digit in &bytes[digits..integer_end] {
            magnitude = magnitude
                .checked_mul(10)?
                .checked_add(u64::from(digit - b'0'))?;
        }
        if !negative {
            return Some(Scalar::U64(magnitude));
        }
        // serde_json reads `-0` as a float, and beyond i64 as a float.
        let value = 0i64.checked_sub_unsigned(magnitude)?;
        (value != 0).then_some(Scalar::I64(value))
    }

    /// A string (without escapes), number or boolean.
    #[inline]
    pub fn scalar(&mut self) -> Option<Scalar<'a>> {
        match self.peek()? {
            b'"' => self.string().map(Scalar::Str),
            b't' => self.literal("true").map(|()| Scalar::Bool(true)),
            b'f' => self.literal("false").map(|()| Scalar::Bool(false)),
            _ => self.number(),
        }
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        let rest = self.bytes().get(self.at..)?;
        if rest.starts_with(word.as_bytes())
            && !matches!(rest.get(word.len()), Some(b) if b.is_ascii_alphanumeric())
        {
            self.at += word.len();
            Some(())
        } else {
            None
        }
    }

    /// A string, number or boolean read by `T`'s own `Deserialize`: the
    /// visitor gets the call serde_json would make for the same token.
    #[inline]
    pub fn deserialize<T: Deserialize<'a>>(&mut self) -> Option<T> {
        self.scalar()?.deserialize()
    }

    /// Reads `T` into a property's slot, which must be empty (a key given
    /// twice goes to the full reader, which refuses it).
    #[inline]
    pub fn once<T: FastRead>(&mut self, slot: &mut Option<T>) -> Option<()> {
        self.fill(slot, T::fast_read)
    }

    /// A string without escapes into a property's slot, which must be
    /// empty (a union's tag, compared once the object is read).
    #[inline]
    pub fn once_string(&mut self, slot: &mut Option<&'a str>) -> Option<()> {
        self.fill(slot, Self::string)
    }

    /// A value of any kind, as its JSON text, into a property's slot, which
    /// must be empty: read with [`read_whole`](Self::read_whole) once the
    /// type it must have is known.
    pub fn once_raw(&mut self, slot: &mut Option<&'a str>) -> Option<()> {
        self.fill(slot, |reader| {
            reader.skip_whitespace();
            let start = reader.at;
            reader.skip_value()?;
            reader.text.get(start..reader.at)
        })
    }

    /// `read` into an empty `slot`; `None` when it is taken (a key given twice).
    #[inline]
    fn fill<T>(
        &mut self,
        slot: &mut Option<T>,
        read: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<()> {
        if slot.is_some() {
            return None;
        }
        *slot = Some(read(self)?);
        Some(())
    }

    /// Reads `text` as one `T`, with nothing after it.
    pub fn read_whole<T: FastRead>(text: &str) -> Option<T> {
        let mut reader = Reader::new(text);
        // Returned as it is read, not taken out of its `Option` and put in
        // another: a value is not moved again (an event is 232 bytes).
        let value = T::fast_read(&mut reader);
        if reader.at_end() {
            value
        } else {
            None
        }
    }

    /// Passes over one value of any kind.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => {
                self.begin_object()?;
                let mut first = true;
                while self.key(&mut first)?.is_some() {
                    self.skip_value()?;
                }
                Some(())
            }
            b'[' => {
                self.begin_array()?;
                let mut first = true;
                while self.next_element(&mut first)? {
                    self.skip_value()?;
                }
                Some(())
            }
            b'n' => self.literal("null"),
            _ => self.scalar().map(drop),
        }
    }
}

/// How many bytes at the start of `bytes` may be in a JSON string as they
/// are: up to the first quote, backslash or control character. Eight bytes
/// at a time (strings are short, and a byte loop costs a branch per byte).
#[inline]
fn plain_length(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `word` that is zero, and no other byte
    // below the first such one (carries only go upwards).
    let zero_bytes = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    let mut at = 0;
    while let Some(&chunk) = bytes.get(at..).and_then(|rest| rest.first_chunk::<8>()) {
        let word = u64::from_le_bytes(chunk);
        // Bytes below 0x20: `word - 0x20..` borrows out of them (and only
        // out of bytes with the high bit clear).
        let special = zero_bytes(word ^ (ONES * u64::from(b'"')))
            | zero_bytes(word ^ (ONES * u64::from(b'\\')))
            | (word.wrapping_sub(ONES * 0x20) & !word & HIGHS);
        if special != 0 {
            return at + (special.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&b) = bytes.get(at) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        at += 1;
    }
    at
}

impl FastRead for String {
    #[inline]
    fn fast_read(reader: &mut Reader<'_>) -> Option<Self> {
        reader.string().map(str::to_owned)
    }
}

/// A named plain string of the models (`Cow<'static, str>`): owned, as
/// serde's `Deserialize` for `Cow` gives it.
impl FastRead for std::borrow::Cow<'static, str> {
    #[inline]
    fn fast_read(reader: &mut Reader<'_>) -> Option<Self> {
        reader
            .string()
            .map(|value| std::borrow::Cow::Owned(value.to_owned()))
    }
}

impl FastRead for bool {
    #[inline]
    fn fast_read(reader: &mut Reader<'_>) -> Option<Self> {
        reader.scalar()?.bool()
    }
}

impl FastRead for i64 {
    #[inline]
    fn fast_read(reader: &mut Reader<'_>) -> Option<Self> {
        reader.number()?.i64()
    }
}

impl FastRead for i32 {
    #[inline]
    fn fast_read(reader: &mut Reader<'_>) -> Option<Self> {
        reader.number()?.i32()
    }
}

impl FastRead for f64 {
    #[inline]
    fn fast_read(reader: &mut Reader<'_>) -> Option<Self> {
        reader.number()?.f64()
    }
}

impl<T: FastRead> FastRead for Vec<T> {
    #[inline]
    fn fast_read(reader: &mut Reader<'_>) -> Option<Self> {
        reader.begin_array()?;
        let mut items = Vec::new();
        let mut first = true;
        while reader.next_element(&mut first)? {
            items.push(T::fast_read(reader)?);
        }
        Some(items)
    }
}

impl<T: FastRead> FastRead for Box<T> {
    #[inline]
    fn fast_read(reader: &mut Reader<'_>) -> Option<Self> {
        T::fast_read(reader).map(Box::new)
    }
}

/// One JSON token that is a value on its own: what a union of scalars
/// tries its variants on, each as serde would read it; and a serde
/// `Deserializer` that makes the visitor call serde_json makes for it.
#[derive(Clone, Copy)]
pub enum Scalar<'a> {
    /// A string without escapes.
    Str(&'a str),
    /// A non-negative integer.
    U64(u64),
    /// A negative integer.
    I64(i64),
    /// A number with a fraction or an exponent.
    F64(f64),
    /// `true` or `false`.
    Bool(bool),
}

impl<'a> Scalar<'a> {
    /// As a `String` reads it: strings only.
    #[inline]
    pub fn string(self) -> Option<String> {
        match self {
            Scalar::Str(value) => Some(value.to_owned()),
            _ => None,
        }
    }

    /// As an `f64` reads it: any number.
    #[inline]
    #[allow(clippy::cast_precision_loss)]
    pub fn f64(self) -> Option<f64> {
        match self {
            Scalar::U64(value) => Some(value as f64),
            Scalar::I64(value) => Some(value as f64),
            Scalar::F64(value) => Some(value),
            _ => None,
        }
    }

    /// As an `i64` reads it: integers in its range.
    #[inline]
    pub fn i64(self) -> Option<i64> {
        match self {
            Scalar::U64(value) => i64::try_from(value).ok(),
            Scalar::I64(value) => Some(value),
            _ => None,
        }
    }

    /// As an `i32` reads it: integers in its range.
    #[inline]
    pub fn i32(self) -> Option<i32> {
        i32::try_from(self.i64()?).ok()
    }

    /// As a `bool` reads it.
    #[inline]
    pub fn bool(self) -> Option<bool> {
        match self {
            Scalar::Bool(value) => Some(value),
            _ => None,
        }
    }

    /// As `T`'s own `Deserialize` reads it.
    #[inline]
    pub fn deserialize<T: Deserialize<'a>>(self) -> Option<T> {
        T::deserialize(self).ok()
    }
}

impl<'de> Deserializer<'de> for Scalar<'de> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Scalar::Str(value) => visitor.visit_borrowed_str(value),
            Scalar::U64(value) => visitor.visit_u64(value),
            Scalar::I64(value) => visitor.visit_i64(value),
            Scalar::F64(value) => visitor.visit_f64(value),
            Scalar::Bool(value) => visitor.visit_bool(value),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}
