//! Credentials of the security schemes the spec declares: bearer tokens, basic
//! authentication and API keys, read from a request before any of its parameters.

use std::borrow::Cow;

use authapi_types::ErrorCode;
use axum::http::header;
use axum::http::request::Parts;

use crate::ApiError;

/// A security scheme, as the router looks for its credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Bearer,
    Basic,
    ApiKeyHeader(&'static str),
    ApiKeyQuery(&'static str),
}

impl Scheme {
    fn how(self) -> String {
        match self {
            Scheme::Bearer => "`Authorization: Bearer <token>`".into(),
            Scheme::Basic => "`Authorization: Basic <base64 of user:password>`".into(),
            Scheme::ApiKeyHeader(name) => format!("the `{name}` header"),
            Scheme::ApiKeyQuery(name) => format!("the `{name}` query parameter"),
        }
    }
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::BadAuthtoken, message)
}

/// `(scheme, credentials)` of the Authorization header, `None` when there is none.
fn authorization(parts: &Parts) -> Result<Option<(&str, &str)>, ApiError> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| bad("the Authorization header is not text"))?;
    Ok(Some(value.split_once(' ').unwrap_or((value, ""))))
}

/// The token of `Authorization: Bearer <token>`; `None` when the header is absent or names
/// another scheme, 401 `bad_authtoken` when it is a malformed bearer header.
pub fn bearer(parts: &Parts) -> Result<Option<&str>, ApiError> {
    let Some((scheme, token)) = authorization(parts)? else {
        return Ok(None);
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Ok(None);
    }
    let token = token.trim_matches(' ');
    if token.is_empty() || token.contains(' ') {
        return Err(bad("the Authorization header is not `Bearer <token>`"));
    }
    Ok(Some(token))
}

/// `(user, password)` of `Authorization: Basic <base64>`; `None` when the header is absent or
/// names another scheme, 401 `bad_authtoken` when the credentials do not decode.
pub fn basic(parts: &Parts) -> Result<Option<(String, String)>, ApiError> {
    let Some((scheme, encoded)) = authorization(parts)? else {
        return Ok(None);
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let malformed = || bad("the Authorization header is not `Basic <base64 of user:password>`");
    let decoded = base64_decode(encoded.trim()).ok_or_else(malformed)?;
    let text = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (user, password) = text.split_once(':').ok_or_else(malformed)?;
    Ok(Some((user.to_string(), password.to_string())))
}

/// The API key of a header or query scheme, `None` when absent.
pub fn api_key<'a>(parts: &'a Parts, scheme: &Scheme) -> Result<Option<Cow<'a, str>>, ApiError> {
    match *scheme {
        Scheme::ApiKeyHeader(name) => match parts.headers.get(name) {
            None => Ok(None),
            Some(value) => value
                .to_str()
                .map(|v| Some(Cow::Borrowed(v)))
                .map_err(|_| bad(format!("the {name} header is not text"))),
        },
        Scheme::ApiKeyQuery(name) => {
            Ok(crate::request::query_values(parts, name).into_iter().next())
        }
        Scheme::Bearer | Scheme::Basic => Ok(None),
    }
}

/// The 401 for a request with none of the accepted credentials: `bad_authtoken` when it sent
/// an Authorization header of another form, else `not_authenticated`, saying what to send.
pub fn no_credentials(parts: &Parts, accepted: &[Scheme]) -> ApiError {
    let how: Vec<String> = accepted.iter().map(|s| s.how()).collect();
    let how = how.join(" or ");
    let forms: Vec<&str> = accepted
        .iter()
        .filter_map(|s| match s {
            Scheme::Bearer => Some("`Bearer <token>`"),
            Scheme::Basic => Some("`Basic <base64 of user:password>`"),
            _ => None,
        })
        .collect();
    if !forms.is_empty() && parts.headers.contains_key(header::AUTHORIZATION) {
        return bad(format!(
            "the Authorization header is not {}",
            forms.join(" or ")
        ));
    }
    if accepted == [Scheme::Bearer] {
        return ApiError::new(
            ErrorCode::NotAuthenticated,
            format!("the Authorization header is missing; send {how}"),
        );
    }
    ApiError::new(
        ErrorCode::NotAuthenticated,
        format!("the request has no credentials; send {how}"),
    )
}

/// Standard base64 with or without padding; `None` for anything else.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    // Leftover bits must be padding zeros of a whole number of bytes.
    (bits < 6 && buffer == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(authorization: &[u8]) -> Parts {
        let request = Request::builder()
            .header(header::AUTHORIZATION, authorization)
            .body(())
            .unwrap();
        request.into_parts().0
    }

    #[test]
    fn bearer_tokens_are_read_and_bad_headers_named() {
        assert_eq!(bearer(&parts(b"Bearer abc")), Ok(Some("abc")));
        assert_eq!(bearer(&parts(b"bearer abc")), Ok(Some("abc")));
        assert_eq!(bearer(&parts(b"Basic abc")), Ok(None));
        let none = Request::builder().body(()).unwrap().into_parts().0;
        assert_eq!(bearer(&none), Ok(None));
        assert_eq!(
            no_credentials(&none, &[Scheme::Bearer]).code,
            ErrorCode::NotAuthenticated
        );
        for bad in [&b"Bearer"[..], b"Bearer ", b"Bearer a b", b"Bearer \xff"] {
            assert_eq!(
                bearer(&parts(bad)).unwrap_err().code,
                ErrorCode::BadAuthtoken,
                "{bad:?}"
            );
        }
        for other in [&b"Basic abc"[..], b""] {
            assert_eq!(
                no_credentials(&parts(other), &[Scheme::Bearer]).code,
                ErrorCode::BadAuthtoken
            );
        }
    }

    #[test]
    fn a_header_is_text_when_it_is_visible_ascii_spaces_and_tabs() {
        for (value, token) in [
            (&b"Bearer !~"[..], "!~"),
            (b"Bearer  a\tb  ", "a\tb"),
            (
                b"BEARER 0123456789abcdefghijklmnopqrstuvwxyz",
                "0123456789abcdefghijklmnopqrstuvwxyz",
            ),
        ] {
            assert_eq!(bearer(&parts(value)), Ok(Some(token)), "{value:?}");
        }
        // Bytes above ASCII (control bytes and DEL never make a header value), anywhere.
        for value in [
            &b"Bearer caf\xc3\xa9"[..],
            b"\x80Bearer abc",
            b"Bearer 0123456789abcdef0123456789\xff",
        ] {
            let error = bearer(&parts(value)).unwrap_err();
            assert_eq!(
                error.message, "the Authorization header is not text",
                "{value:?}"
            );
            assert_eq!(basic(&parts(value)).unwrap_err().message, error.message);
        }
        // A tab is text, but only a space parts the scheme from the credentials.
        assert_eq!(bearer(&parts(b"Bearer\tabc")), Ok(None));
    }

    #[test]
    fn basic_credentials_decode() {
        // "aladdin:open sesame"
        assert_eq!(
            basic(&parts(b"Basic YWxhZGRpbjpvcGVuIHNlc2FtZQ==")),
            Ok(Some(("aladdin".into(), "open sesame".into())))
        );
        assert_eq!(
            basic(&parts(b"Basic !!")).unwrap_err().code,
            ErrorCode::BadAuthtoken
        );
        // "nocolon"
        assert!(basic(&parts(b"Basic bm9jb2xvbg==")).is_err());
        assert_eq!(base64_decode("TWE"), Some(b"Ma".to_vec()));
        assert_eq!(base64_decode("TQ=="), Some(b"M".to_vec()));
        // The last two digits of the alphabet.
        assert_eq!(base64_decode("+/8="), Some(vec![0xfb, 0xff]));
        // Leftover bits that are not zero, and a lone digit after whole bytes, are not base64.
        assert_eq!(base64_decode("TR"), None);
        assert_eq!(base64_decode("TWFuA"), None);
    }

    #[test]
    fn api_keys_are_read_from_their_header_or_query_parameter() {
        let request = Request::builder()
            .uri("/things?api_key=q%20key&other=1")
            .header("x-api-key", "h-key")
            .body(())
            .unwrap();
        let parts = request.into_parts().0;
        let header = Scheme::ApiKeyHeader("x-api-key");
        let query = Scheme::ApiKeyQuery("api_key");
        assert_eq!(api_key(&parts, &header), Ok(Some(Cow::Borrowed("h-key"))));
        assert_eq!(api_key(&parts, &query), Ok(Some(Cow::Borrowed("q key"))));
        assert_eq!(api_key(&parts, &Scheme::ApiKeyHeader("x-other")), Ok(None));
        assert_eq!(api_key(&parts, &Scheme::ApiKeyQuery("missing")), Ok(None));
        assert_eq!(api_key(&parts, &Scheme::Bearer), Ok(None));
        let binary = Request::builder()
            .header("x-api-key", &b"\xff"[..])
            .body(())
            .unwrap()
            .into_parts()
            .0;
        let error = api_key(&binary, &header).unwrap_err();
        assert_eq!(error.code, ErrorCode::BadAuthtoken);
        assert_eq!(error.message, "the x-api-key header is not text");
    }

    #[test]
    fn a_request_without_credentials_is_told_what_to_send() {
        let none = Request::builder().body(()).unwrap().into_parts().0;
        let both = [Scheme::Bearer, Scheme::ApiKeyHeader("x-api-key")];
        let refused = no_credentials(&none, &both);
        assert_eq!(refused.code, ErrorCode::NotAuthenticated);
        assert_eq!(
            refused.message,
            "the request has no credentials; send `Authorization: Bearer <token>` or the `x-api-key` header"
        );
        // An Authorization header of a form no accepted scheme reads is a bad credential.
        let refused = no_credentials(&parts(b"Digest abc"), &[Scheme::Basic]);
        assert_eq!(refused.code, ErrorCode::BadAuthtoken);
        assert_eq!(
            refused.message,
            "the Authorization header is not `Basic <base64 of user:password>`"
        );
        // With only an API key accepted, an Authorization header is no credential of it.
        let refused = no_credentials(&parts(b"Bearer abc"), &[Scheme::ApiKeyQuery("key")]);
        assert_eq!(refused.code, ErrorCode::NotAuthenticated);
        assert_eq!(
            refused.message,
            "the request has no credentials; send the `key` query parameter"
        );
    }
}
