//! Bearer tokens and what they grant, looked up in constant time.

use std::sync::Arc;

use authapi_types::AccountId;

use crate::data::{Kind, TokenGrant};

/// The caller of a request: the account its token belongs to and what it may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub account_id: AccountId,
    pub kinds: Vec<Kind>,
}

impl Caller {
    pub fn may_read(&self, kind: Kind) -> bool {
        self.kinds.contains(&kind)
    }
}

/// The known tokens. Lookup compares the given token with every known one, in time that does
/// not depend on where they differ, so timing does not reveal a token.
#[derive(Debug, Default)]
pub struct Tokens {
    /// Each token with its caller, made once so that a request only shares it.
    grants: Vec<(String, Arc<Caller>)>,
}

impl Tokens {
    pub fn new(grants: Vec<TokenGrant>) -> Self {
        let grants = grants
            .into_iter()
            .map(|g| {
                let caller = Caller {
                    account_id: g.account_id,
                    kinds: g.kinds,
                };
                (g.token, Arc::new(caller))
            })
            .collect();
        Self { grants }
    }

    pub fn len(&self) -> usize {
        self.grants.len()
    }

    pub fn is_empty(&self) -> bool {
        self.grants.is_empty()
    }

    pub fn lookup(&self, token: &str) -> Option<Arc<Caller>> {
        let mut found = None;
        for (known, caller) in &self.grants {
            if constant_time_eq(known.as_bytes(), token.as_bytes()) {
                found = Some(caller);
            }
        }
        found.cloned()
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // Length is not secret (it shows in the request anyway); the bytes are.
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_finds_only_exact_tokens() {
        let account: AccountId = "013xrzp12g3nqk8n505tp6wqnscpdy8q".parse().unwrap();
        let tokens = Tokens::new(vec![TokenGrant {
            token: "abc".into(),
            account_id: account.clone(),
            kinds: vec![Kind::Device],
        }]);
        let caller = tokens.lookup("abc").unwrap();
        assert_eq!(caller.account_id, account);
        assert!(caller.may_read(Kind::Device) && !caller.may_read(Kind::Session));
        for other in ["ab", "abd", "abcd", ""] {
            assert_eq!(tokens.lookup(other), None, "{other}");
        }
    }
}
