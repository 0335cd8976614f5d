//! What an operation answers with: a typed value, or that value's JSON encoded ahead of time,
//! so that a server answering from fixed data spends nothing on encoding per request.

use std::fmt;
use std::marker::PhantomData;

use axum::body::Bytes;
use serde::Serialize;

/// The JSON encoding of a `T`. Only [`Encoded::new`] makes one, so the bytes always decode as
/// a `T`.
pub struct Encoded<T> {
    json: Bytes,
    of: PhantomData<fn() -> T>,
}

impl<T: Serialize> Encoded<T> {
    pub fn new(value: &T) -> Result<Self, serde_json::Error> {
        let json = serde_json::to_vec(value)?;
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
pub enum Reply<T> {
    Value(T),
    Encoded(Encoded<T>),
}

impl<T> From<T> for Reply<T> {
    fn from(value: T) -> Self {
        Reply::Value(value)
    }
}

impl<T> From<Encoded<T>> for Reply<T> {
    fn from(encoded: Encoded<T>) -> Self {
        Reply::Encoded(encoded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_values_keep_their_json() {
        let encoded = Encoded::new(&vec![1, 2]).unwrap();
        assert_eq!(encoded.json(), b"[1,2]");
        assert!(matches!(
            Reply::<Vec<i32>>::from(encoded.clone()),
            Reply::Encoded(_)
        ));
        assert!(matches!(Reply::from(vec![1]), Reply::Value(_)));
    }
}
