//! Fingerprints: a 64-bit hash of any `Serialize` value, computed by serializing straight into
//! a streaming XXH3 hasher (no allocation, no text encoding). The incremental build gives every
//! output page the fingerprint of exactly the data its template receives, and re-renders only
//! pages whose fingerprint changed.

use serde::ser::{self, Serialize};
use std::fmt;
use xxhash_rust::xxh3::Xxh3;

/// The fingerprint of `value`.
pub fn of<T: Serialize + ?Sized>(value: &T) -> u64 {
    let mut h = HashSerializer {
        hasher: Xxh3::new(),
        buf: [0; BUF],
        len: 0,
    };
    // The serializer itself never fails; a Serialize impl that errors still yields a hash of
    // what it wrote, and such values never reach templates anyway.
    let _ = value.serialize(&mut h);
    h.flush();
    h.hasher.digest()
}

/// The fingerprint of raw bytes.
pub fn of_bytes(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Combine fingerprints in order.
pub fn combine(parts: &[u64]) -> u64 {
    let mut h = Xxh3::new();
    for p in parts {
        h.update(&p.to_le_bytes());
    }
    h.digest()
}

/// Small writes (tags, lengths, short strings) are gathered in `buf` and fed to the hasher
/// in one call; long strings go straight through. Struct field names are not hashed: a type's
/// fields always come in the same order.
struct HashSerializer {
    hasher: Xxh3,
    buf: [u8; BUF],
    len: usize,
}

const BUF: usize = 512;
/// Strings longer than this bypass the buffer.
const DIRECT: usize = 128;

#[derive(Debug)]
pub struct Never;

impl fmt::Display for Never {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("custom serialization error")
    }
}
impl std::error::Error for Never {}
impl ser::Error for Never {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Never
    }
}

impl HashSerializer {
    fn update(&mut self, bytes: &[u8]) {
        if bytes.len() > DIRECT {
            self.flush();
            self.hasher.update(bytes);
            return;
        }
        if self.len + bytes.len() > BUF {
            self.flush();
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
    fn flush(&mut self) {
        self.hasher.update(&self.buf[..self.len]);
        self.len = 0;
    }
    /// A tag byte before every value keeps `[a, b]` and `["ab"]` (and None vs "") apart.
    fn tag(&mut self, t: u8) {
        self.update(&[t]);
    }
    fn len(&mut self, n: usize) {
        self.update(&(n as u64).to_le_bytes());
    }
}

macro_rules! num {
    ($($name:ident: $ty:ty => $tag:expr),* $(,)?) => {$(
        fn $name(self, v: $ty) -> Result<(), Never> {
            self.tag($tag);
            self.update(&v.to_le_bytes());
            Ok(())
        }
    )*};
}

impl ser::Serializer for &mut HashSerializer {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    num! {
        serialize_i8: i8 => 1, serialize_i16: i16 => 2, serialize_i32: i32 => 3,
        serialize_i64: i64 => 4, serialize_u8: u8 => 5, serialize_u16: u16 => 6,
        serialize_u32: u32 => 7, serialize_u64: u64 => 8, serialize_f32: f32 => 9,
        serialize_f64: f64 => 10, serialize_i128: i128 => 11, serialize_u128: u128 => 12,
    }

    fn serialize_bool(self, v: bool) -> Result<(), Never> {
        self.tag(13);
        self.update(&[v as u8]);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Never> {
        self.tag(14);
        self.update(&(v as u32).to_le_bytes());
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Never> {
        self.tag(15);
        self.len(v.len());
        self.update(v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Never> {
        self.tag(16);
        self.len(v.len());
        self.update(v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Never> {
        self.tag(17);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Never> {
        self.tag(18);
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Never> {
        self.tag(19);
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Never> {
        self.tag(19);
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, i: u32, _: &'static str) -> Result<(), Never> {
        self.tag(20);
        self.update(&i.to_le_bytes());
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Never> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        i: u32,
        _: &'static str,
        v: &T,
    ) -> Result<(), Never> {
        self.tag(21);
        self.update(&i.to_le_bytes());
        v.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Never> {
        self.tag(22);
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Never> {
        self.tag(22);
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Never> {
        self.tag(22);
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        i: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Never> {
        self.tag(23);
        self.update(&i.to_le_bytes());
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Never> {
        self.tag(24);
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Never> {
        self.tag(24);
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        i: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Never> {
        self.tag(25);
        self.update(&i.to_le_bytes());
        Ok(self)
    }
}

/// Every compound ends with an end tag so nesting is unambiguous.
macro_rules! compound {
    ($($trait:ident :: $method:ident),*) => {$(
        impl<'a> ser::$trait for &'a mut HashSerializer {
            type Ok = ();
            type Error = Never;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Never> {
                v.serialize(&mut **self)
            }
            fn end(self) -> Result<(), Never> {
                self.tag(26);
                Ok(())
            }
        }
    )*};
}
compound!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for &mut HashSerializer {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), Never> {
        k.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Never> {
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Never> {
        self.tag(26);
        Ok(())
    }
}

macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl<'a> ser::$trait for &'a mut HashSerializer {
            type Ok = ();
            type Error = Never;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                _key: &'static str,
                v: &T,
            ) -> Result<(), Never> {
                v.serialize(&mut **self)
            }
            fn end(self) -> Result<(), Never> {
                self.tag(26);
                Ok(())
            }
        }
    )*};
}
fields!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct S<'a> {
        a: &'a str,
        b: Option<&'a str>,
        c: Vec<u32>,
    }

    #[test]
    fn equal_values_equal_fingerprints_and_any_change_shows() {
        let base = of(&S {
            a: "x",
            b: None,
            c: vec![1, 2],
        });
        assert_eq!(
            base,
            of(&S {
                a: "x",
                b: None,
                c: vec![1, 2]
            })
        );
        assert_ne!(
            base,
            of(&S {
                a: "y",
                b: None,
                c: vec![1, 2]
            })
        );
        assert_ne!(
            base,
            of(&S {
                a: "x",
                b: Some(""),
                c: vec![1, 2]
            })
        );
        assert_ne!(
            base,
            of(&S {
                a: "x",
                b: None,
                c: vec![1, 2, 0]
            })
        );
        assert_ne!(
            base,
            of(&S {
                a: "x",
                b: None,
                c: vec![12]
            })
        );
    }

    #[test]
    fn nesting_is_unambiguous() {
        assert_ne!(of(&vec![vec!["a"], vec![]]), of(&vec![vec![], vec!["a"]]));
        assert_ne!(of(&("ab", "")), of(&("a", "b")));
    }
}
