//! Where the server finds records by id. `Store` is the seam for another backend; the one here
//! keeps every record's answer, encoded once at start, in memory.

use std::borrow::Cow;

use authapi_stubs::Encoded;
use authapi_types::AccountId;

use crate::data::{Dataset, Resource};

/// A record found by id: the account it belongs to and the body to reply with. A backend
/// that keeps records in memory lends the account id (every request would otherwise count a
/// reference up and down on one shared counter), one that does not gives its own; the body
/// is shared, not copied.
#[derive(Debug)]
pub struct Found<'a, R: Resource> {
    pub account_id: Cow<'a, AccountId>,
    pub body: Encoded<R::Body>,
}

/// Records by id, whatever their account: the caller's account is checked by the API layer.
pub trait Store: Send + Sync + 'static {
    fn find<R: Resource>(&self, id: &R::Id) -> Option<Found<'_, R>>;
}

/// A store that holds a whole data set in hash maps.
pub struct MemoryStore {
    data: Dataset,
}

impl MemoryStore {
    pub fn new(data: Dataset) -> Self {
        Self { data }
    }
}

impl Store for MemoryStore {
    fn find<R: Resource>(&self, id: &R::Id) -> Option<Found<'_, R>> {
        R::records(&self.data).get(id).map(|record| Found {
            account_id: Cow::Borrowed(&*record.account_id),
            body: record.body.clone(),
        })
    }
}
