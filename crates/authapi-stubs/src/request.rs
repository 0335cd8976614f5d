//! Reading a request the way its operation documents it: parameters from the path, query and
//! headers, and the body, each checked against its schema, so that handlers only ever see
//! valid, typed input. Every failure is the API's JSON error naming what was wrong and where.

use std::borrow::Cow;
use std::pin::pin;
use std::str::FromStr;
use std::task::{Context, Poll, Waker};

use authapi_types::ErrorCode;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::ApiError;
use crate::options::Options;
use crate::schemas::Schemas;
use crate::spec::essence;

/// The longest stretch of a client's value an error message repeats back.
const ECHO_LIMIT: usize = 64;

/// Where a parameter is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
    Header,
}

impl Location {
    fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
        }
    }
}

/// The JSON type a parameter's text stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    String,
    Integer,
    Number,
    Boolean,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Scalar(Scalar),
    /// Several values: the parameter repeated (`explode`), or one comma-separated value.
    Array {
        item: Scalar,
        explode: bool,
    },
}

/// One documented parameter.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub location: Location,
    pub shape: Shape,
    /// The `$defs` schema a value must match, when parsing into the type does not check every
    /// rule already.
    pub schema: Option<&'static str>,
    /// What a valid value looks like.
    pub hint: &'static str,
    /// The default, as JSON, for an absent parameter.
    pub default: Option<&'static str>,
}

impl Param {
    fn invalid(&self, raw: &str, why: impl std::fmt::Display) -> ApiError {
        ApiError::new(
            ErrorCode::InvalidValue,
            format!(
                "{} parameter {}: {:?} is not valid: {why}; expected {}",
                self.location.as_str(),
                self.name,
                echo(raw),
                self.hint
            ),
        )
    }

    /// The one value of a scalar parameter; one given several times is 400, since which of
    /// them the client meant cannot be told.
    fn single<'v>(&self, values: &'v [Cow<'_, str>]) -> Result<Option<&'v str>, ApiError> {
        match values {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            _ => Err(ApiError::new(
                ErrorCode::InvalidValue,
                format!(
                    "{} parameter {} is given {} times; expected one value, {}",
                    self.location.as_str(),
                    self.name,
                    values.len(),
                    self.hint
                ),
            )),
        }
    }

    fn missing(&self) -> ApiError {
        ApiError::new(
            ErrorCode::RequiredValue,
            format!(
                "{} parameter {} is required; expected {}",
                self.location.as_str(),
                self.name,
                self.hint
            ),
        )
    }
}

/// The path parameters, or 400 when the path does not decode (e.g. bad percent-encoding).
pub fn path_params(parts: &mut Parts) -> Result<RawPathParams, ApiError> {
    // axum's extractor reads the router's list and waits for nothing: polled once here, it
    // costs handlers no await, whose state would be part of every request's future.
    let read = pin!(RawPathParams::from_request_parts(parts, &()));
    let found = match read.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(found) => found,
        Poll::Pending => {
            return Err(ApiError::new(
                ErrorCode::Unexpected,
                "the router's path parameters were not ready",
            ));
        }
    };
    found.map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidValue,
            format!("the request path is not valid: {}", e.body_text()),
        )
    })
}

/// The value of path parameter `name`; one at most, so nothing is allocated for it.
pub fn path_values<'a>(params: &'a RawPathParams, name: &str) -> Option<Cow<'a, str>> {
    params
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| Cow::Borrowed(value))
}

/// Every value of query parameter `name`, percent-decoded.
pub fn query_values<'a>(parts: &'a Parts, name: &str) -> Vec<Cow<'a, str>> {
    let Some(query) = parts.uri.query() else {
        return Vec::new();
    };
    form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value)
        .collect()
}

/// Every value of header `name`; one that is not text reads as the replacement character, so
/// that it fails its check with a message rather than vanishing.
pub fn header_values<'a>(parts: &'a Parts, name: &str) -> Vec<Cow<'a, str>> {
    parts
        .headers
        .get_all(name)
        .iter()
        .map(|value| String::from_utf8_lossy(value.as_bytes()))
        .collect()
}

/// Parses a parameter whose type checks every rule of its schema when it parses (plain and
/// pattern-checked strings): the fast path of path ids.
pub fn parsed<T>(_: &Schemas, values: &[Cow<'_, str>], param: &Param) -> Result<Option<T>, ApiError>
where
    T: FromStr<Err: std::fmt::Display> + DeserializeOwned,
{
    let Some(raw) = param.single(values)? else {
        return Ok(None);
    };
    raw.parse().map(Some).map_err(|e| param.invalid(raw, e))
}

/// Reads a parameter as JSON of its shape, checks it against its schema and decodes it.
pub fn decoded<T: DeserializeOwned>(
    schemas: &Schemas,
    values: &[Cow<'_, str>],
    param: &Param,
) -> Result<Option<T>, ApiError> {
    if values.is_empty() {
        return Ok(None);
    }
    let shown = values.join(",");
    let json = match param.shape {
        Shape::Scalar(scalar) => {
            let raw = param.single(values)?.unwrap_or_default();
            to_json(raw, scalar).map_err(|e| param.invalid(&shown, e))?
        }
        Shape::Array { item, explode } => {
            let items: Vec<&str> = if explode && param.location == Location::Query {
                values.iter().map(|v| v.as_ref()).collect()
            } else {
                // Comma-separated; a parameter repeated anyway adds its values too: a header
                // may come as several lines, and progenitor's client repeats every array.
                values.iter().flat_map(|v| v.split(',')).collect()
            };
            let items = items
                .into_iter()
                .filter(|v| !v.is_empty())
                .map(|v| to_json(v, item))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| param.invalid(&shown, e))?;
            Value::Array(items)
        }
    };
    if let Some(schema) = param.schema {
        let errors = schemas
            .errors(schema, &json)
            .map_err(|e| param.invalid(&shown, e))?;
        if let Some(first) = errors.first() {
            return Err(param.invalid(&shown, first));
        }
    }
    serde_json::from_value(json)
        .map(Some)
        .map_err(|e| param.invalid(&shown, e))
}

/// A present value, the default of an absent one, or 400 `required_value`.
pub fn present<T: DeserializeOwned>(value: Option<T>, param: &Param) -> Result<T, ApiError> {
    if let Some(value) = value {
        return Ok(value);
    }
    match param.default {
        Some(json) => serde_json::from_str(json).map_err(|e| {
            ApiError::new(
                ErrorCode::Unexpected,
                format!("the default of {} does not decode: {e}", param.name),
            )
        }),
        None => Err(param.missing()),
    }
}

fn to_json(raw: &str, scalar: Scalar) -> Result<Value, String> {
    match scalar {
        Scalar::String => Ok(Value::String(raw.to_string())),
        Scalar::Integer => raw
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| raw.parse::<u64>().map(Value::from))
            .map_err(|_| "not an integer".to_string()),
        Scalar::Number => raw
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| "not a number".to_string()),
        Scalar::Boolean => match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err("not true or false".to_string()),
        },
    }
}

/// How a request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    Json,
    Form,
    Text,
    Bytes,
}

/// The documented request body of an operation.
#[derive(Debug, Clone, Copy)]
pub struct BodySpec {
    pub media: Media,
    /// The media type the spec documents.
    pub content_type: &'static str,
    /// The `$defs` schema of a JSON or form body.
    pub schema: Option<&'static str>,
}

/// 400 `required_value` for a missing required body.
pub fn required_body<T>(body: Option<T>) -> Result<T, ApiError> {
    body.ok_or_else(|| ApiError::new(ErrorCode::RequiredValue, "the request body is required"))
}

/// The body's bytes within the limit, or `None` when there is none; 415 for a media type other
/// than the documented one, 413 over the limit.
async fn read(
    parts: &Parts,
    body: Body,
    options: &Options,
    spec: &BodySpec,
) -> Result<Option<Bytes>, ApiError> {
    let too_large = || {
        ApiError::new(
            ErrorCode::BadRequest,
            format!(
                "the request body is larger than {} bytes",
                options.body_limit
            ),
        )
        .with_status(StatusCode::PAYLOAD_TOO_LARGE)
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > options.body_limit as u64) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, options.body_limit)
        .await
        .map_err(|e| {
            if is_length_limit(&e) {
                too_large()
            } else {
                ApiError::new(
                    ErrorCode::BadRequest,
                    format!("the request body could not be read: {e}"),
                )
            }
        })?;
    if bytes.is_empty() && parts.headers.get(header::CONTENT_TYPE).is_none() {
        return Ok(None);
    }
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !accepts(spec, content_type) {
        let shown = if content_type.is_empty() {
            "no Content-Type".to_string()
        } else {
            format!("Content-Type {:?}", echo(content_type))
        };
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            format!("the request body has {shown}; send {}", spec.content_type),
        )
        .with_status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
    }
    Ok(Some(bytes))
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// Whether `content_type` is one the body's documented media type allows: the same type with
/// any parameters, and for JSON any JSON type (`application/json`, `application/*+json`).
fn accepts(spec: &BodySpec, content_type: &str) -> bool {
    let (sent, documented) = (essence(content_type), essence(spec.content_type));
    sent == documented
        || (spec.media == Media::Json
            && (sent == "application/json"
                || (sent.starts_with("application/") && sent.ends_with("+json"))))
}

/// A JSON or form body decoded into `T`, after it matched its schema.
pub async fn decoded_body<T: DeserializeOwned + serde::Serialize>(
    schemas: &Schemas,
    parts: &Parts,
    body: Body,
    options: &Options,
    spec: &BodySpec,
) -> Result<Option<T>, ApiError> {
    let Some(bytes) = read(parts, body, options, spec).await? else {
        return Ok(None);
    };
    // No JSON at all is no body, whatever the content type says; an empty form is a form.
    if spec.media == Media::Json && bytes.is_empty() {
        return Ok(None);
    }
    let invalid = |what: String| ApiError::new(ErrorCode::InvalidValue, format!("body: {what}"));
    let json: Value = match spec.media {
        Media::Form => {
            // Form values are text until the type reads them, so the type decodes the form
            // first; its errors name the field as the schema check's do.
            let form = serde_urlencoded::Deserializer::new(form_urlencoded::parse(&bytes));
            let value: T = serde_path_to_error::deserialize(form).map_err(|e| {
                let at = e.path().to_string();
                let at = if at == "." {
                    String::new()
                } else {
                    format!("at /{}: ", at.replace('.', "/"))
                };
                invalid(format!("{at}the form does not decode: {}", e.inner()))
            })?;
            serde_json::to_value(value).map_err(|e| invalid(e.to_string()))?
        }
        _ => serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::new(ErrorCode::BadRequest, format!("body: not valid JSON: {e}"))
        })?,
    };
    if let Some(schema) = spec.schema {
        let errors = schemas.errors(schema, &json).map_err(invalid)?;
        if !errors.is_empty() {
            return Err(invalid(errors.join("; ")));
        }
    }
    serde_path_to_error::deserialize(json)
        .map(Some)
        .map_err(|e| {
            invalid(format!(
                "at /{}: {}",
                e.path().to_string().replace('.', "/"),
                e.inner()
            ))
        })
}

/// A `text/plain` body.
pub async fn text_body(
    _: &Schemas,
    parts: &Parts,
    body: Body,
    options: &Options,
    spec: &BodySpec,
) -> Result<Option<String>, ApiError> {
    let Some(bytes) = read(parts, body, options, spec).await? else {
        return Ok(None);
    };
    String::from_utf8(bytes.to_vec())
        .map(Some)
        .map_err(|_| ApiError::new(ErrorCode::InvalidValue, "body: the text is not UTF-8"))
}

/// An `application/octet-stream` body, as it came.
pub async fn bytes_body(
    _: &Schemas,
    parts: &Parts,
    body: Body,
    options: &Options,
    spec: &BodySpec,
) -> Result<Option<Bytes>, ApiError> {
    read(parts, body, options, spec).await
}

/// At most `ECHO_LIMIT` characters of a client's value, marked when cut.
pub(crate) fn echo(value: &str) -> String {
    match value.char_indices().nth(ECHO_LIMIT) {
        Some((cut, _)) => format!("{}...", &value[..cut]),
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body whose client went away after part of it.
    struct BrokenOff(bool);

    impl futures_core::Stream for BrokenOff {
        type Item = Result<Bytes, std::io::Error>;

        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            let sent = std::mem::replace(&mut self.0, true);
            std::task::Poll::Ready(Some(if sent {
                Err(std::io::ErrorKind::ConnectionReset.into())
            } else {
                Ok(Bytes::from_static(b"{\"a\":"))
            }))
        }
    }

    #[tokio::test]
    async fn a_body_that_breaks_off_is_400_and_one_over_the_limit_413() {
        let spec = BodySpec {
            media: Media::Json,
            content_type: "application/json",
            schema: None,
        };
        let options = Options {
            body_limit: 16,
            ..Options::default()
        };
        let (parts, ()) = axum::http::Request::builder()
            .header(header::CONTENT_TYPE, "application/json")
            .body(())
            .unwrap()
            .into_parts();

        let broken = read(&parts, Body::from_stream(BrokenOff(false)), &options, &spec).await;
        let broken = broken.unwrap_err();
        assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
        assert!(
            broken
                .message
                .starts_with("the request body could not be read: "),
            "{}",
            broken.message
        );

        // No Content-Length to refuse it by: the limit stops the reading.
        let long = read(&parts, Body::from("x".repeat(17)), &options, &spec).await;
        let long = long.unwrap_err();
        assert_eq!(long.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(long.message, "the request body is larger than 16 bytes");

        let fits = read(&parts, Body::from("x".repeat(16)), &options, &spec).await;
        assert_eq!(fits, Ok(Some(Bytes::from("x".repeat(16)))));
    }

    #[test]
    fn echo_cuts_long_values_on_a_char_boundary() {
        assert_eq!(echo("short"), "short");
        let long = "é".repeat(100);
        assert_eq!(echo(&long), format!("{}...", "é".repeat(ECHO_LIMIT)));
    }

    #[test]
    fn text_becomes_json_of_its_scalar_type() {
        assert_eq!(to_json("12", Scalar::Integer), Ok(Value::from(12)));
        assert_eq!(to_json("-1.5", Scalar::Number), Ok(Value::from(-1.5)));
        assert_eq!(to_json("true", Scalar::Boolean), Ok(Value::Bool(true)));
        assert_eq!(to_json("x", Scalar::Integer), Err("not an integer".into()));
        assert_eq!(to_json("NaN", Scalar::Number), Err("not a number".into()));
        assert_eq!(
            to_json("yes", Scalar::Boolean),
            Err("not true or false".into())
        );
    }

    #[test]
    fn repeated_values_join_a_comma_separated_array_and_break_a_scalar() {
        let schemas = Schemas::new("{}", &[]);
        let ids = Param {
            name: "ids",
            location: Location::Query,
            shape: Shape::Array {
                item: Scalar::Integer,
                explode: false,
            },
            schema: None,
            hint: "integers",
            default: None,
        };
        let values = [Cow::from("1,2"), Cow::from("3")];
        assert_eq!(
            decoded::<Vec<i64>>(&schemas, &values, &ids),
            Ok(Some(vec![1, 2, 3]))
        );
        let limit = Param {
            name: "limit",
            shape: Shape::Scalar(Scalar::Integer),
            ..ids
        };
        let error = decoded::<i64>(&schemas, &values, &limit).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidValue);
        assert_eq!(
            error.message,
            "query parameter limit is given 2 times; expected one value, integers"
        );
        assert_eq!(
            parsed::<String>(&schemas, &values, &limit).unwrap_err(),
            error
        );
    }

    #[test]
    fn an_exploded_query_array_keeps_its_commas_and_other_arrays_split_on_them() {
        let schemas = Schemas::new("{}", &[]);
        let tags = Param {
            name: "tags",
            location: Location::Query,
            shape: Shape::Array {
                item: Scalar::String,
                explode: true,
            },
            schema: None,
            hint: "strings",
            default: None,
        };
        let values = [Cow::from("a,b"), Cow::from("c")];
        let read = |param: &Param| decoded::<Vec<String>>(&schemas, &values, param);
        assert_eq!(read(&tags), Ok(Some(vec!["a,b".into(), "c".into()])));
        let header = Param {
            location: Location::Header,
            ..tags
        };
        assert_eq!(
            read(&header),
            Ok(Some(vec!["a".into(), "b".into(), "c".into()]))
        );
        // Empty items between commas are no items.
        let values = [Cow::from(",1,,2,")];
        let ids = Param {
            shape: Shape::Array {
                item: Scalar::Integer,
                explode: false,
            },
            ..tags
        };
        assert_eq!(
            decoded::<Vec<i64>>(&schemas, &values, &ids),
            Ok(Some(vec![1, 2]))
        );
        assert_eq!(to_json("false", Scalar::Boolean), Ok(Value::Bool(false)));
    }

    #[test]
    fn json_bodies_accept_parameters_and_suffixed_types() {
        let json = BodySpec {
            media: Media::Json,
            content_type: "application/json",
            schema: None,
        };
        assert!(accepts(&json, "application/json"));
        assert!(accepts(&json, "Application/JSON; charset=utf-8"));
        assert!(accepts(&json, "application/merge-patch+json"));
        let patch = BodySpec {
            media: Media::Json,
            content_type: "application/merge-patch+json",
            schema: None,
        };
        assert!(accepts(&patch, "application/merge-patch+json"));
        assert!(accepts(&patch, "application/json; charset=utf-8"));
        assert!(!accepts(&patch, "text/plain"));
        assert!(!accepts(&json, "text/plain"));
        assert!(!accepts(&json, ""));
        // A suffix counts under application/ only, and only the JSON suffix.
        assert!(!accepts(&json, "application/xml"));
        assert!(!accepts(&json, "text/vnd.thing+json"));
        let text = BodySpec {
            media: Media::Text,
            content_type: "text/plain",
            schema: None,
        };
        assert!(accepts(&text, "text/plain; charset=utf-8"));
        assert!(!accepts(&text, "application/json"));
    }
}
