//! What an operation answers with: a typed value, or that value's JSON encoded ahead of time,
//! so that a server answering from fixed data spends nothing on encoding per request.

use std::fmt;
use std::io;
use std::marker::PhantomData;

use axum::body::Bytes;
use serde::Serialize;

/// The JSON encoding of a `T`. Only [`Encoded::new`] makes one, so the bytes always decode as
/// a `T`.
pub struct Encoded<T> {
    json: Bytes,
    of: PhantomData<fn() -> T>,
}

/// Encodes `value` as the API does: whole numbers without a fraction (`1234567890`, where
/// serde_json alone writes `1234567890.0` for an `f64`), everything else as serde_json does.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(256);
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out,
        WholeNumbers,
    ))?;
    Ok(out)
}

struct WholeNumbers;

impl serde_json::ser::Formatter for WholeNumbers {
    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        // Beyond 2^53 not every whole number is exact as an f64; those keep serde_json's form.
        const EXACT: f64 = 9_007_199_254_740_992.0;
        if value.fract() == 0.0 && value.abs() < EXACT {
            write!(writer, "{}", value as i64)
        } else {
            serde_json::ser::CompactFormatter.write_f64(writer, value)
        }
    }
}

impl<T: Serialize> Encoded<T> {
    pub fn new(value: &T) -> Result<Self, serde_json::Error> {
        let json = to_json(value)?;
        Ok(Self {
            // A boxed slice holds no spare capacity: many small answers stay compact.
            json: Bytes::from(json.into_boxed_slice()),
            of: PhantomData,
        })
    }
}

impl<T> Encoded<T> {
    pub fn json(&self) -> &[u8] {
        &self.json
    }

    /// The bytes, shared rather than copied.
    pub fn bytes(&self) -> Bytes {
        self.json.clone()
    }
}

impl<T> Clone for Encoded<T> {
    fn clone(&self) -> Self {
        Self {
            json: self.json.clone(),
            of: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Encoded<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Encoded({})", String::from_utf8_lossy(&self.json))
    }
}

/// The success answer of an operation.
#[derive(Debug, Clone)]
pub enum JsonBody<T> {
    Value(T),
    Encoded(Encoded<T>),
}

impl<T> From<T> for JsonBody<T> {
    fn from(value: T) -> Self {
        JsonBody::Value(value)
    }
}

impl<T> From<Encoded<T>> for JsonBody<T> {
    fn from(encoded: Encoded<T>) -> Self {
        JsonBody::Encoded(encoded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_floats_are_written_as_whole_numbers() {
        let json = to_json(&[1234567890.0f64, -3.0, 0.5, 1e300, f64::NAN, 144.9669]).unwrap();
        assert_eq!(
            String::from_utf8(json).unwrap(),
            "[1234567890,-3,0.5,1e+300,null,144.9669]"
        );
        // Whole numbers are written whole as far as an f64 holds every one of them exactly.
        let edge = 9_007_199_254_740_992.0f64;
        let json = to_json(&[edge - 1.0, -(edge - 1.0), edge, -edge]).unwrap();
        assert_eq!(
            String::from_utf8(json).unwrap(),
            "[9007199254740991,-9007199254740991,9007199254740992.0,-9007199254740992.0]"
        );
    }

    #[test]
    fn encoded_values_keep_their_json() {
        let encoded = Encoded::new(&vec![1, 2]).unwrap();
        assert_eq!(encoded.json(), b"[1,2]");
        assert_eq!(encoded.bytes(), &b"[1,2]"[..]);
        assert_eq!(format!("{encoded:?}"), "Encoded([1,2])");
        assert!(matches!(
            JsonBody::<Vec<i32>>::from(encoded.clone()),
            JsonBody::Encoded(_)
        ));
        assert!(matches!(JsonBody::from(vec![1]), JsonBody::Value(_)));
    }
}
