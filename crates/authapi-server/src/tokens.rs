//! Bearer tokens and what they grant, looked up in constant time.

use authapi_stubs::runtime::Scenario;
use subtle::ConstantTimeEq;

use crate::data::{Accounts, Kind, TokenGrant};

/// The caller of a request: the accounts its token reads, what it may read of them, and the
/// scenario its token plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub accounts: Accounts,
    pub kinds: Vec<Kind>,
    pub scenario: Option<Scenario>,
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
    /// Each token with its caller, made once so that a request only points at it.
    grants: Vec<(String, Caller)>,
}

impl Tokens {
    pub fn new(grants: Vec<TokenGrant>) -> Self {
        let grants = grants
            .into_iter()
            .map(|g| {
                let caller = Caller {
                    accounts: g.scope(),
                    kinds: g.kinds,
                    scenario: g.scenario,
                };
                (g.token, caller)
            })
            .collect();
        Self { grants }
    }

    /// The index of `token`'s caller, for [`Tokens::caller`].
    pub fn lookup(&self, token: &str) -> Option<usize> {
        let mut found = None;
        for (i, (known, _)) in self.grants.iter().enumerate() {
            if constant_time_eq(known.as_bytes(), token.as_bytes()) {
                found = Some(i);
            }
        }
        found
    }

    /// The caller [`Tokens::lookup`] found.
    pub fn caller(&self, index: usize) -> Option<&Caller> {
        self.grants.get(index).map(|(_, caller)| caller)
    }
}

/// Length is not secret (it shows in the request anyway); the bytes are.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use authapi_types::AccountId;

    use super::*;

    #[test]
    fn lookup_finds_only_exact_tokens() {
        let account: AccountId = "013xrzp12g3nqk8n505tp6wqnscpdy8q".parse().unwrap();
        let mut grant = TokenGrant::account("abc".into(), account.clone());
        grant.kinds = vec![Kind::Device];
        let tokens = Tokens::new(vec![grant]);
        let caller = tokens.caller(tokens.lookup("abc").unwrap()).unwrap();
        assert_eq!(caller.accounts, Accounts::Listed(vec![account]));
        assert!(caller.may_read(Kind::Device) && !caller.may_read(Kind::Session));
        for other in ["ab", "abd", "abcd", "", "abC", "bbc"] {
            assert_eq!(tokens.lookup(other), None, "{other}");
        }
    }
}
