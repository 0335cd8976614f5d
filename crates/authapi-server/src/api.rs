//! The stub server's answers: the generated `Api` trait over a `Store` and the known tokens.

use std::sync::Arc;

use authapi_stubs::{
    Api, ApiError, FetchAuthflowResponse, FetchDeviceResponse, FetchSessionResponse, JsonBody,
};
use authapi_types::{
    AuthflowId, AuthflowSummary, DeviceId, DeviceSummary, ErrorCode, SessionId, SessionSummary,
};

use crate::data::Resource;
use crate::store::Store;
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

impl<S: Store> StubApi<S> {
    /// The reply body for a record the caller asked for: 403 unless the caller may read its kind,
    /// and a record of another account answered exactly like a missing one (404), so that ids
    /// of other accounts cannot be probed.
    fn body<R: Resource>(
        &self,
        caller: &Caller,
        id: &R::Id,
    ) -> Result<JsonBody<R::Body>, ApiError> {
        let kind = R::KIND;
        if !caller.may_read(kind) {
            return Err(ApiError::new(
                ErrorCode::NotPermitted,
                format!("this token may not read {}", kind.plural()),
            ));
        }
        match self.store.find::<R>(id) {
            Some(record) if caller.accounts.covers(&record.account_id) => {
                Ok(JsonBody::from(record.body))
            }
            _ => Err(ApiError::new(
                ErrorCode::NotFound,
                format!("{} {} not found", kind.singular(), id.as_str()),
            )),
        }
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
        self.body::<DeviceSummary>(caller, &id)
            .map(FetchDeviceResponse::Ok)
    }

    async fn fetch_session(
        &self,
        caller: &Arc<Caller>,
        id: SessionId,
    ) -> Result<FetchSessionResponse, ApiError> {
        self.body::<SessionSummary>(caller, &id)
            .map(FetchSessionResponse::Ok)
    }

    async fn fetch_authflow(
        &self,
        caller: &Arc<Caller>,
        id: AuthflowId,
    ) -> Result<FetchAuthflowResponse, ApiError> {
        self.body::<AuthflowSummary>(caller, &id)
            .map(FetchAuthflowResponse::Ok)
    }
}
