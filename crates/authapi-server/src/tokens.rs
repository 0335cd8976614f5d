//! Bearer tokens and what they grant, looked up in time that does not reveal a token.

use std::collections::HashMap;
use std::hash::BuildHasher;

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

/// The known tokens. A lookup hashes the given token under a key of this process's own and
/// compares it, in time that does not depend on where they differ, with the known tokens of
/// the same hash only: timing does not reveal a token, and a lookup costs the same for four
/// tokens or a million.
#[derive(Debug, Default)]
pub struct Tokens {
    /// Each token with its caller, made once so that a request only points at it.
    grants: Vec<(String, Caller)>,
    /// The grants of each token hash. A request's token is compared byte by byte only with
    /// the known tokens of its hash, in constant time; hashes, under a seed no client knows,
    /// are compared as numbers.
    by_hash: HashMap<u64, Vec<usize>, foldhash::fast::RandomState>,
    /// foldhash under a random seed. SipHash made a lookup 449 instructions against 261, more
    /// than comparing with each of a handful of tokens, for no gain here: a token whose hash
    /// matches is still compared in constant time.
    key: foldhash::quality::RandomState,
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
            .collect::<Vec<_>>();
        let key = foldhash::quality::RandomState::default();
        let mut by_hash: HashMap<u64, Vec<usize>, _> = HashMap::default();
        for (i, (token, _)) in grants.iter().enumerate() {
            by_hash
                .entry(key.hash_one(token.as_bytes()))
                .or_default()
                .push(i);
        }
        Self {
            grants,
            by_hash,
            key,
        }
    }

    /// The index of `token`'s caller, for [`Tokens::caller`]; of a token given twice, the
    /// later grant.
    pub fn lookup(&self, token: &str) -> Option<usize> {
        let candidates = self.by_hash.get(&self.key.hash_one(token.as_bytes()))?;
        let mut found = None;
        for &i in candidates {
            if constant_time_eq(self.grants[i].0.as_bytes(), token.as_bytes()) {
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

    #[test]
    fn each_of_many_tokens_finds_its_own_grant_and_a_token_given_twice_the_later() {
        let account: AccountId = "013xrzp12g3nqk8n505tp6wqnscpdy8q".parse().unwrap();
        let mut grants: Vec<TokenGrant> = (0..1000)
            .map(|n| TokenGrant::account(format!("token-{n}"), account.clone()))
            .collect();
        grants.push(TokenGrant::account("token-7".into(), account));
        let tokens = Tokens::new(grants);
        for n in (0..1000).filter(|&n| n != 7) {
            assert_eq!(tokens.lookup(&format!("token-{n}")), Some(n));
        }
        assert_eq!(tokens.lookup("token-7"), Some(1000));
        assert_eq!(tokens.lookup("token-1000"), None);
    }
}
