//! The stub server's answers: the generated `Api` trait over a `Store` and the known tokens.

use std::sync::Arc;

use authapi_stubs::{
    Api, ApiError, FetchAuthflowResponse, FetchDeviceResponse, FetchSessionResponse, Reply,
};
use authapi_types::{AuthflowId, DeviceId, ErrorCode, SessionId};

use crate::data::{Kind, Resource};
use crate::store::{Found, Store};
use crate::tokens::{Caller, Tokens};

pub struct StubApi<S> {
    store: S,
    tokens: Tokens,
}

impl<S: Store> StubApi<S> {
    pub fn new(store: S, tokens: Tokens) -> Self {
        Self { store, tokens }
    }
}

/// The answer for a record the caller asked for: 403 unless the caller may read `kind`, and a
/// record of another account answered exactly like a missing one (404), so that ids of other
/// accounts cannot be probed.
fn answer<R: Resource>(
    caller: &Caller,
    kind: Kind,
    id: &str,
    found: Option<Found<R>>,
) -> Result<Reply<R::Answer>, ApiError> {
    if !caller.may_read(kind) {
        return Err(ApiError::new(
            ErrorCode::NotPermitted,
            format!("this token may not read {}", kind.plural()),
        ));
    }
    match found {
        Some(record) if *record.account_id == caller.account_id => Ok(Reply::from(record.answer)),
        _ => Err(ApiError::new(
            ErrorCode::NotFound,
            format!("{} {id} not found", kind.singular()),
        )),
    }
}

impl<S: Store> Api for StubApi<S> {
    type Caller = Arc<Caller>;

    async fn authenticate_bearer_auth(&self, token: &str) -> Result<Arc<Caller>, ApiError> {
        self.tokens
            .lookup(token)
            .ok_or_else(|| ApiError::new(ErrorCode::BadAuthtoken, "the bearer token is not valid"))
    }

    async fn fetch_device(
        &self,
        caller: &Arc<Caller>,
        id: DeviceId,
    ) -> Result<FetchDeviceResponse, ApiError> {
        answer(caller, Kind::Device, &id, self.store.device(&id)).map(FetchDeviceResponse::Ok)
    }

    async fn fetch_session(
        &self,
        caller: &Arc<Caller>,
        id: SessionId,
    ) -> Result<FetchSessionResponse, ApiError> {
        answer(caller, Kind::Session, &id, self.store.session(&id)).map(FetchSessionResponse::Ok)
    }

    async fn fetch_authflow(
        &self,
        caller: &Arc<Caller>,
        id: AuthflowId,
    ) -> Result<FetchAuthflowResponse, ApiError> {
        answer(caller, Kind::Authflow, &id, self.store.authflow(&id)).map(FetchAuthflowResponse::Ok)
    }
}
