//! The last step of every generated handler: its answer or error, checked against the spec
//! when asked, with the authentication challenge of a 401 and the `Preference-Applied` header
//! of a played scenario.

use authapi_types::ErrorCode;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::ApiError;
use crate::auth::Scheme;
use crate::options::Options;
use crate::reply::{IntoReply, checked};
use crate::scenario::Played;
use crate::spec::{Operation, Spec};

/// Sends the answer (checked against the spec when the router's `check_responses` option is
/// on), or the error's status and JSON body, with the challenge of the operation's schemes on
/// a 401 and the `Preference-Applied` header of a played scenario.
pub fn send<T: IntoReply>(
    options: &Options,
    spec: &Spec,
    operation: &Operation,
    played: Played,
    result: Result<T, ApiError>,
) -> Response {
    // A 401 after authentication (a scenario's, a handler's) still means the credentials
    // sent are not good enough; only a request without any is told so.
    let invalid = !matches!(&result, Err(e) if e.code == ErrorCode::NotAuthenticated);
    let mut response = checked(options, spec.schemas(), operation.id, result);
    if response.status() == StatusCode::UNAUTHORIZED {
        challenge(&mut response, spec.title(), operation.schemes, invalid);
    }
    played.mark(&mut response);
    response
}

/// `WWW-Authenticate` for each scheme that has a challenge (RFC 6750 for bearer tokens, RFC
/// 7617 for basic), in the realm of the spec's title; API keys have none.
fn challenge(response: &mut Response, realm: &str, schemes: &[Scheme], invalid: bool) {
    let realm = realm.replace('\\', "\\\\").replace('"', "\\\"");
    for scheme in schemes {
        let value = match scheme {
            Scheme::Bearer if invalid => {
                format!("Bearer realm=\"{realm}\", error=\"invalid_token\"")
            }
            Scheme::Bearer => format!("Bearer realm=\"{realm}\""),
            Scheme::Basic => format!("Basic realm=\"{realm}\""),
            Scheme::ApiKeyHeader(_) | Scheme::ApiKeyQuery(_) => continue,
        };
        if let Ok(value) = HeaderValue::try_from(value) {
            response
                .headers_mut()
                .append(header::WWW_AUTHENTICATE, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::response::IntoResponse;

    use super::*;

    #[test]
    fn a_401_challenges_each_scheme_in_the_spec_realm() {
        let challenged = |schemes, invalid| {
            let mut response = StatusCode::UNAUTHORIZED.into_response();
            challenge(&mut response, "my \"api\"", schemes, invalid);
            let values: Vec<String> = response
                .headers()
                .get_all(header::WWW_AUTHENTICATE)
                .iter()
                .map(|v| v.to_str().unwrap().to_string())
                .collect();
            values
        };
        assert_eq!(
            challenged(&[Scheme::Bearer], false),
            [r#"Bearer realm="my \"api\"""#]
        );
        assert_eq!(
            challenged(
                &[Scheme::Bearer, Scheme::ApiKeyHeader("x-key"), Scheme::Basic],
                true
            ),
            [
                r#"Bearer realm="my \"api\"", error="invalid_token""#,
                r#"Basic realm="my \"api\"""#
            ]
        );
        assert!(challenged(&[Scheme::ApiKeyQuery("key")], true).is_empty());
    }
}
