//! The tolerant reader's field helpers, for `#[serde(deserialize_with = "…")]` on the wire
//! structs of [`types`](super::types), [`events`](super::events), [`methods`](super::methods)
//! and [`protocol`](super::protocol). Each reads one field the ways real servers differ: a
//! number sent as a string, the strings "true"/"false" for a boolean (docs/chat-protocol.md,
//! Choices C33), timestamps in seconds (C21), roles as numbers (C22).
//!
//! None of them fails: a value of a type a helper cannot use reads as `None` (the field's
//! fallback), and the object around it is still read. A wire struct whose fields all use these
//! helpers, with `#[serde(default)]`, therefore reads every JSON object; which fields are
//! required is decided after reading, by the type built from it.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};
use serde_json::Value;

use super::types::Role;

/// A field that names no key the reader wants: `#[serde(try_from = …)]` conversions say which.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no usable `{0}`")]
pub struct Missing(pub &'static str);

/// Reads `v` as `T` when it is a JSON object; None for anything else (a derived struct would
/// also take an array, field by field, which no server means).
pub fn from_object<T: DeserializeOwned>(v: &Value) -> Option<T> {
    if v.is_object() {
        T::deserialize(v).ok()
    } else {
        None
    }
}

/// [`from_object`] taking the value: strings and nested values move instead of being copied.
pub fn from_object_owned<T: DeserializeOwned>(v: Value) -> Option<T> {
    if v.is_object() {
        T::deserialize(v).ok()
    } else {
        None
    }
}

/// How one helper reads each JSON scalar; null, arrays and objects read as None.
trait Reading {
    type Out;
    fn str(_: &str) -> Option<Self::Out> {
        None
    }
    fn string(s: String) -> Option<Self::Out> {
        Self::str(&s)
    }
    fn u64(_: u64) -> Option<Self::Out> {
        None
    }
    /// JSON integers below zero (serde_json sends the others as u64).
    fn i64(n: i64) -> Option<Self::Out> {
        u64::try_from(n).ok().and_then(Self::u64)
    }
    fn f64(_: f64) -> Option<Self::Out> {
        None
    }
    fn bool(_: bool) -> Option<Self::Out> {
        None
    }
}

/// A string, or a number written out as JSON writes it.
struct Text;
impl Reading for Text {
    type Out = String;
    fn str(s: &str) -> Option<String> {
        Some(s.to_owned())
    }
    fn string(s: String) -> Option<String> {
        Some(s)
    }
    fn u64(n: u64) -> Option<String> {
        Some(n.to_string())
    }
    fn i64(n: i64) -> Option<String> {
        Some(n.to_string())
    }
    fn f64(f: f64) -> Option<String> {
        serde_json::Number::from_f64(f).map(|n| n.to_string())
    }
}

/// A string only.
struct OnlyText;
impl Reading for OnlyText {
    type Out = String;
    fn str(s: &str) -> Option<String> {
        Some(s.to_owned())
    }
    fn string(s: String) -> Option<String> {
        Some(s)
    }
}

/// A non-negative integer, or a string holding one.
struct Uint;
impl Reading for Uint {
    type Out = u64;
    fn str(s: &str) -> Option<u64> {
        s.trim().parse().ok()
    }
    fn u64(n: u64) -> Option<u64> {
        Some(n)
    }
}

/// Any number, or a string holding one.
struct Float;
impl Reading for Float {
    type Out = f64;
    fn str(s: &str) -> Option<f64> {
        s.trim().parse().ok()
    }
    fn u64(n: u64) -> Option<f64> {
        Some(n as f64)
    }
    fn i64(n: i64) -> Option<f64> {
        Some(n as f64)
    }
    fn f64(f: f64) -> Option<f64> {
        Some(f)
    }
}

/// A boolean, the strings "true"/"false" in any case (C33), or 0 and other non-negative
/// integers.
struct Flag;
impl Reading for Flag {
    type Out = bool;
    fn str(s: &str) -> Option<bool> {
        if s.eq_ignore_ascii_case("true") {
            Some(true)
        } else if s.eq_ignore_ascii_case("false") {
            Some(false)
        } else {
            None
        }
    }
    fn u64(n: u64) -> Option<bool> {
        Some(n != 0)
    }
    fn bool(b: bool) -> Option<bool> {
        Some(b)
    }
}

/// Unix milliseconds from a number or a numeric string; values below 10^11 are seconds and
/// are scaled (docs/chat-protocol.md, Choices C21).
struct Millis;
impl Millis {
    fn scaled(n: u64) -> u64 {
        if n < 100_000_000_000 {
            n.saturating_mul(1000)
        } else {
            n
        }
    }
}
impl Reading for Millis {
    type Out = u64;
    fn str(s: &str) -> Option<u64> {
        s.trim().parse().ok().map(Self::scaled)
    }
    fn u64(n: u64) -> Option<u64> {
        Some(Self::scaled(n))
    }
    fn f64(f: f64) -> Option<u64> {
        (f >= 0.0).then(|| Self::scaled(f as u64))
    }
}

/// A role: its string (unknown ones kept), or the vendor guide's enum number (C22).
struct RoleReading;
impl Reading for RoleReading {
    type Out = Role;
    fn str(s: &str) -> Option<Role> {
        Some(Role::parse(s))
    }
    fn u64(n: u64) -> Option<Role> {
        usize::try_from(n)
            .ok()
            .and_then(|i| Role::ALL.get(i))
            .cloned()
    }
}

/// Skips whatever a sequence holds.
fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Skips whatever an object holds.
fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// The visitor methods every helper shares: it expects any value, and sees through the
/// wrappers a buffered value may come in.
macro_rules! any_value {
    () => {
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    };
}

/// Visitor methods that answer every scalar (and null) with `self.$other()`.
macro_rules! scalars_read_as {
    ($other:ident) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            self.$other()
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            self.$other()
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            self.$other()
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            self.$other()
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            self.$other()
        }
        fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Self::Value, E> {
            self.$other()
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            self.$other()
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            self.$other()
        }
    };
}

struct Scalar<R>(PhantomData<R>);

impl<R> Clone for Scalar<R> {
    fn clone(&self) -> Self {
        Scalar(PhantomData)
    }
}

impl<R> Scalar<R> {
    fn none<X, E>(self) -> Result<Option<X>, E> {
        Ok(None)
    }
}

impl<'de, R: Reading> Visitor<'de> for Scalar<R> {
    type Value = Option<R::Out>;

    any_value!();
    fn visit_bool<E>(self, b: bool) -> Result<Self::Value, E> {
        Ok(R::bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Self::Value, E> {
        Ok(R::i64(n))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Self::Value, E> {
        Ok(R::u64(n))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Self::Value, E> {
        Ok(R::f64(f))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(R::str(s))
    }
    fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
        Ok(R::string(s))
    }
    fn visit_bytes<E>(self, _: &[u8]) -> Result<Self::Value, E> {
        self.none()
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        self.none()
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        self.none()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        skip_seq(seq)?;
        self.none()
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        skip_map(map)?;
        self.none()
    }
}

fn scalar<'de, D: Deserializer<'de>, R: Reading>(d: D) -> Result<Option<R::Out>, D::Error> {
    d.deserialize_any(Scalar::<R>(PhantomData))
}

/// A string, or a number as text (`"chatId": 5` reads as "5").
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    scalar::<D, Text>(d)
}

/// A string and nothing else.
pub fn only_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    scalar::<D, OnlyText>(d)
}

/// A non-negative integer, or a string holding one (`" 12 "` reads as 12).
pub fn uint<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    scalar::<D, Uint>(d)
}

/// A number, or a string holding one.
pub fn float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    scalar::<D, Float>(d)
}

/// A boolean, "true"/"false" in any case (C33), or an integer (0 is false).
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    scalar::<D, Flag>(d)
}

/// A timestamp in milliseconds; seconds are scaled (C21).
pub fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    scalar::<D, Millis>(d)
}

/// A role by name (unknown names kept) or by the vendor guide's number (C22).
pub fn role<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Role>, D::Error> {
    scalar::<D, RoleReading>(d)
}

/// Reads an object as `T`; anything else as None, or, with `blank`, as `T` read from `{}`.
struct ObjectOr<T> {
    blank: bool,
    t: PhantomData<T>,
}

impl<T> Clone for ObjectOr<T> {
    fn clone(&self) -> Self {
        ObjectOr {
            blank: self.blank,
            t: PhantomData,
        }
    }
}

impl<'de, T: de::Deserialize<'de>> ObjectOr<T> {
    fn other<E: de::Error>(self) -> Result<Option<T>, E> {
        if self.blank {
            let empty = MapDeserializer::<_, E>::new(std::iter::empty::<(&str, &str)>());
            T::deserialize(empty).map(Some)
        } else {
            Ok(None)
        }
    }
}

impl<'de, T: de::Deserialize<'de>> Visitor<'de> for ObjectOr<T> {
    type Value = Option<T>;

    any_value!();
    scalars_read_as!(other);
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        skip_seq(seq)?;
        self.other()
    }
}

/// An object read as `T` (which must read every object: a wire struct of lenient fields); any
/// other value as None.
pub fn object<'de, D: Deserializer<'de>, T: de::Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    d.deserialize_any(ObjectOr {
        blank: false,
        t: PhantomData,
    })
}

/// Like [`object`], but a value that is there and is not an object reads as `T` from `{}`:
/// Some whenever the key is present.
pub fn object_or_blank<'de, D: Deserializer<'de>, T: de::Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    d.deserialize_any(ObjectOr {
        blank: true,
        t: PhantomData,
    })
}

/// One list element through a visitor that yields an Option; Nones are dropped.
struct Each<V>(V);

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for Each<V> {
    type Value = V::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        d.deserialize_any(self.0)
    }
}

/// A list whose elements each read through `V`; not a list: empty.
struct ListOf<V>(V);

impl<V> ListOf<V> {
    fn empty<X, E>(self) -> Result<Vec<X>, E> {
        Ok(Vec::new())
    }
}

impl<'de, X, V: Visitor<'de, Value = Option<X>> + Clone> Visitor<'de> for ListOf<V> {
    type Value = Vec<X>;

    any_value!();
    scalars_read_as!(empty);
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<X>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(x) = seq.next_element_seed(Each(self.0.clone()))? {
            out.extend(x);
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<X>, A::Error> {
        skip_map(map)?;
        self.empty()
    }
}

/// A list of objects read as `T`; other elements are skipped. Not a list: empty.
pub fn objects<'de, D: Deserializer<'de>, T: de::Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    d.deserialize_any(ListOf(ObjectOr {
        blank: false,
        t: PhantomData,
    }))
}

/// A list read as `T` each, elements that are not objects as `T` from `{}`. Not a list: empty.
pub fn objects_or_blank<'de, D: Deserializer<'de>, T: de::Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    d.deserialize_any(ListOf(ObjectOr {
        blank: true,
        t: PhantomData,
    }))
}

/// The strings of a list; other elements are skipped. Not a list: empty.
pub fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    d.deserialize_any(ListOf(Scalar::<OnlyText>(PhantomData)))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Default, PartialEq, Deserialize)]
    #[serde(default)]
    struct Probe {
        #[serde(deserialize_with = "string")]
        s: Option<String>,
        #[serde(deserialize_with = "uint")]
        n: Option<u64>,
        #[serde(deserialize_with = "flag")]
        b: Option<bool>,
        #[serde(deserialize_with = "millis")]
        t: Option<u64>,
        #[serde(deserialize_with = "object")]
        o: Option<Box<Probe>>,
        #[serde(deserialize_with = "strings")]
        l: Vec<String>,
    }

    #[test]
    fn wrong_types_read_as_none_and_the_rest_is_still_read() {
        let p: Probe = from_object(&json!({"s": [1, {"x": 2}], "n": "12", "b": {"y": []},
            "t": "1735370776", "o": {"s": 4.5, "n": -3, "b": "FALSE"}, "l": ["a", 1, null, "b"]}))
        .unwrap();
        assert_eq!(
            p,
            Probe {
                s: None,
                n: Some(12),
                b: None,
                t: Some(1_735_370_776_000),
                o: Some(Box::new(Probe {
                    s: Some("4.5".into()),
                    b: Some(false),
                    ..Probe::default()
                })),
                l: vec!["a".into(), "b".into()],
            }
        );
        assert_eq!(
            from_object::<Probe>(&json!([1, 2])),
            None,
            "arrays are not objects"
        );
        let p: Probe = from_object(&json!({"o": "x", "l": {"a": 1}, "n": 1.5})).unwrap();
        assert_eq!(p, Probe::default());
    }
}
