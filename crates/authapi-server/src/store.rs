//! Where the server finds records by id. `Store` is the seam for another backend; the one here
//! keeps everything in memory.

use std::collections::HashMap;

use authapi_types::{
    AuthflowId, AuthflowSummary, DeviceId, DeviceSummary, SessionId, SessionSummary,
};

use crate::data::Dataset;

/// Records by id, whatever their account: the caller's account is checked by the API layer.
pub trait Store: Send + Sync + 'static {
    fn device(&self, id: &DeviceId) -> Option<&DeviceSummary>;
    fn session(&self, id: &SessionId) -> Option<&SessionSummary>;
    fn authflow(&self, id: &AuthflowId) -> Option<&AuthflowSummary>;
}

/// A store that holds a whole data set in hash maps.
#[derive(Debug, Default)]
pub struct MemoryStore {
    devices: HashMap<DeviceId, DeviceSummary>,
    sessions: HashMap<SessionId, SessionSummary>,
    authflows: HashMap<AuthflowId, AuthflowSummary>,
}

impl MemoryStore {
    pub fn new(data: Dataset) -> Self {
        Self {
            devices: data
                .devices
                .into_iter()
                .map(|d| (d.id.clone(), d))
                .collect(),
            sessions: data
                .sessions
                .into_iter()
                .map(|s| (s.id.clone(), s))
                .collect(),
            authflows: data
                .authflows
                .into_iter()
                .map(|a| (a.id.clone(), a))
                .collect(),
        }
    }
}

impl Store for MemoryStore {
    fn device(&self, id: &DeviceId) -> Option<&DeviceSummary> {
        self.devices.get(id)
    }

    fn session(&self, id: &SessionId) -> Option<&SessionSummary> {
        self.sessions.get(id)
    }

    fn authflow(&self, id: &AuthflowId) -> Option<&AuthflowSummary> {
        self.authflows.get(id)
    }
}
