//! The stub server's answers: the generated `Api` trait over a `Store` and the known tokens.

use std::sync::Arc;

use authapi_stubs::runtime::Scenario;
use authapi_stubs::{
    Api, ApiError, FetchAuthflowResponse, FetchDeviceResponse, FetchSessionResponse, JsonBody,
};
use authapi_types::{
    AuthflowId, AuthflowSummary, DeviceId, DeviceSummary, ErrorCode, SessionId, SessionSummary,
};

use crate::data::Resource;
use crate::live::{Handle, Live, Snapshot};
use crate::store::Store;
use crate::tokens::{Caller, Tokens};

pub struct StubApi<S: Store> {
    live: Arc<Live<S>>,
}

/// An authenticated request: the data snapshot it read its token from, which it reads its
/// records from too, and its caller there.
pub struct Session<S> {
    snapshot: Arc<Handle<S>>,
    caller: usize,
}

impl<S> Session<S> {
    fn caller(&self) -> Option<&Caller> {
        self.snapshot.tokens.caller(self.caller)
    }
}

impl<S: Store> StubApi<S> {
    pub fn new(store: S, tokens: Tokens) -> Self {
        Self::over(Arc::new(Live::new(Snapshot { store, tokens })))
    }

    /// An API over data that may be replaced while it serves.
    pub fn over(live: Arc<Live<S>>) -> Self {
        Self { live }
    }

    /// The reply body for a record the caller asked for: 403 unless the caller may read its kind,
    /// and a record of another account answered exactly like a missing one (404), so that ids
    /// of other accounts cannot be probed.
    fn body<R: Resource>(
        &self,
        session: &Session<S>,
        id: &R::Id,
    ) -> Result<JsonBody<R::Body>, ApiError> {
        let caller = session.caller().ok_or_else(|| {
            ApiError::new(ErrorCode::Unexpected, "the caller is not in its data set")
        })?;
        let kind = R::KIND;
        if !caller.may_read(kind) {
            return Err(ApiError::new(
                ErrorCode::NotPermitted,
                format!("this token may not read {}", kind.plural()),
            ));
        }
        match session.snapshot.store.find::<R>(id) {
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
    type Caller = Session<S>;

    async fn authenticate_bearer_auth(&self, token: &str) -> Result<Session<S>, ApiError> {
        let snapshot = self.live.current();
        match snapshot.tokens.lookup(token) {
            Some(caller) => Ok(Session { snapshot, caller }),
            None => Err(ApiError::new(
                ErrorCode::BadAuthtoken,
                "the bearer token is not valid",
            )),
        }
    }

    fn scenario<'a>(&'a self, session: &'a Session<S>) -> Option<&'a Scenario> {
        session.caller()?.scenario.as_ref()
    }

    async fn fetch_device(
        &self,
        session: &Session<S>,
        id: DeviceId,
    ) -> Result<FetchDeviceResponse, ApiError> {
        self.body::<DeviceSummary>(session, &id)
            .map(FetchDeviceResponse::Ok)
    }

    async fn fetch_session(
        &self,
        session: &Session<S>,
        id: SessionId,
    ) -> Result<FetchSessionResponse, ApiError> {
        self.body::<SessionSummary>(session, &id)
            .map(FetchSessionResponse::Ok)
    }

    async fn fetch_authflow(
        &self,
        session: &Session<S>,
        id: AuthflowId,
    ) -> Result<FetchAuthflowResponse, ApiError> {
        self.body::<AuthflowSummary>(session, &id)
            .map(FetchAuthflowResponse::Ok)
    }
}
