//! The stub server's answers: the generated `Api` trait over a `Store` and the known tokens.

use authapi_stubs::{Api, ApiError};
use authapi_types::{
    AuthflowId, AuthflowResponse, DeviceId, DeviceResponse, ErrorCode, SessionAvailableActions,
    SessionId, SessionResponse, SessionSummaryStatus, SuccessStatus,
};

use crate::data::Kind;
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

/// 403 unless the caller may read `kind`.
fn permit(caller: &Caller, kind: Kind) -> Result<(), ApiError> {
    if caller.may_read(kind) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::NotPermitted,
            format!("this token may not read {}", kind.plural()),
        ))
    }
}

/// A record of another account is answered exactly like a missing one, so that ids of other
/// accounts cannot be probed.
fn not_found(kind: Kind, id: &str) -> ApiError {
    let kind = kind.plural().trim_end_matches('s');
    ApiError::new(ErrorCode::NotFound, format!("{kind} {id} not found"))
}

impl<S: Store> Api for StubApi<S> {
    type Caller = Caller;

    async fn authenticate(&self, token: &str) -> Result<Caller, ApiError> {
        self.tokens
            .lookup(token)
            .ok_or_else(|| ApiError::new(ErrorCode::BadAuthtoken, "the bearer token is not valid"))
    }

    async fn fetch_device(
        &self,
        caller: &Caller,
        id: DeviceId,
    ) -> Result<DeviceResponse, ApiError> {
        permit(caller, Kind::Device)?;
        let summary = self
            .store
            .device(&id)
            .filter(|d| d.account_id == caller.account_id)
            .ok_or_else(|| not_found(Kind::Device, &id))?;
        Ok(DeviceResponse {
            status: SuccessStatus::Success,
            summary: summary.clone(),
        })
    }

    async fn fetch_session(
        &self,
        caller: &Caller,
        id: SessionId,
    ) -> Result<SessionResponse, ApiError> {
        permit(caller, Kind::Session)?;
        let summary = self
            .store
            .session(&id)
            .filter(|s| s.account_id == caller.account_id)
            .ok_or_else(|| not_found(Kind::Session, &id))?;
        // Derived, not stored: a session can be revoked until it is revoked or complete.
        let revoke = !matches!(
            summary.status,
            SessionSummaryStatus::Revoked | SessionSummaryStatus::Complete
        );
        Ok(SessionResponse {
            actions: SessionAvailableActions { revoke },
            summary: summary.clone(),
        })
    }

    async fn fetch_authflow(
        &self,
        caller: &Caller,
        id: AuthflowId,
    ) -> Result<AuthflowResponse, ApiError> {
        permit(caller, Kind::Authflow)?;
        let summary = self
            .store
            .authflow(&id)
            .filter(|a| a.account_id == caller.account_id)
            .ok_or_else(|| not_found(Kind::Authflow, &id))?;
        Ok(AuthflowResponse {
            status: SuccessStatus::Success,
            summary: summary.clone(),
        })
    }
}
