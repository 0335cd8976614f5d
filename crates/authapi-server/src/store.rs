//! Where the server finds records by id. `Store` is the seam for another backend; the one here
//! keeps every record's answer, encoded once at start, in memory.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use authapi_stubs::Encoded;
use authapi_types::{AccountId, AuthflowSummary, DeviceSummary, SessionSummary};

use crate::data::{Dataset, Record, Records, Resource};

/// A record found by id: the account it belongs to and the answer to give for it. A backend
/// that keeps records in memory lends the account id (every request would otherwise count a
/// reference up and down on one shared counter), one that does not gives its own; the answer
/// is shared, not copied.
#[derive(Debug)]
pub struct Found<'a, R: Resource> {
    pub account_id: Cow<'a, AccountId>,
    pub answer: Encoded<R::Answer>,
}

/// Records by id, whatever their account: the caller's account is checked by the API layer.
pub trait Store: Send + Sync + 'static {
    fn device(&self, id: &<DeviceSummary as Resource>::Id) -> Option<Found<'_, DeviceSummary>>;
    fn session(&self, id: &<SessionSummary as Resource>::Id) -> Option<Found<'_, SessionSummary>>;
    fn authflow(
        &self,
        id: &<AuthflowSummary as Resource>::Id,
    ) -> Option<Found<'_, AuthflowSummary>>;
}

/// What a table keeps of a record besides its id.
struct Entry<R: Resource> {
    account_id: Arc<AccountId>,
    answer: Encoded<R::Answer>,
}

/// The records of one kind by id. The keys come from the data file, not from clients, so a
/// fast hash without flooding protection is safe here, and it makes loading a million
/// records noticeably faster.
struct Table<R: Resource>(HashMap<R::Id, Entry<R>, foldhash::fast::RandomState>);

impl<R: Resource> Table<R> {
    fn new(records: Records<R>) -> Self {
        let map = records
            .0
            .into_iter()
            .map(
                |Record {
                     id,
                     account_id,
                     answer,
                 }| (id, Entry { account_id, answer }),
            )
            .collect();
        Self(map)
    }

    fn get(&self, id: &R::Id) -> Option<Found<'_, R>> {
        self.0.get(id).map(|entry| Found {
            account_id: Cow::Borrowed(&*entry.account_id),
            answer: entry.answer.clone(),
        })
    }
}

/// A store that holds a whole data set in hash maps.
pub struct MemoryStore {
    devices: Table<DeviceSummary>,
    sessions: Table<SessionSummary>,
    authflows: Table<AuthflowSummary>,
}

impl MemoryStore {
    pub fn new(data: Dataset) -> Self {
        Self {
            devices: Table::new(data.devices),
            sessions: Table::new(data.sessions),
            authflows: Table::new(data.authflows),
        }
    }
}

impl Store for MemoryStore {
    fn device(&self, id: &<DeviceSummary as Resource>::Id) -> Option<Found<'_, DeviceSummary>> {
        self.devices.get(id)
    }

    fn session(&self, id: &<SessionSummary as Resource>::Id) -> Option<Found<'_, SessionSummary>> {
        self.sessions.get(id)
    }

    fn authflow(
        &self,
        id: &<AuthflowSummary as Resource>::Id,
    ) -> Option<Found<'_, AuthflowSummary>> {
        self.authflows.get(id)
    }
}
