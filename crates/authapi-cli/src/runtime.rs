//! What the generated command tree calls, for any spec: reading flag values and body files,
//! and turning the client's answers into output and exit codes.

use std::path::PathBuf;

use authapi_client::{ByteStream, ResponseValue};
use clap::ArgMatches;
use progenitor_client::Error;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// What running a subcommand gives.
pub type Outcome = Result<Output, Failure>;

/// The bytes a successful call prints on stdout: the answer's JSON, pretty-printed, or its raw
/// body when the spec says it is not JSON.
#[derive(Debug, PartialEq, Eq)]
pub struct Output(pub Vec<u8>);

/// Why a call failed: a one-line message, the body of the answer when there was one, and
/// whether the command line itself was at fault.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub body: Option<Vec<u8>>,
    /// A bad flag value or body file: exit code 2, as for clap's own usage errors.
    pub usage: bool,
}

impl Failure {
    pub fn usage(message: String) -> Self {
        Self {
            message,
            body: None,
            usage: true,
        }
    }

    fn call(message: String, body: Option<Vec<u8>>) -> Self {
        Self {
            message,
            body,
            usage: false,
        }
    }

    pub fn unknown_command(name: &str) -> Self {
        Self::usage(format!("unknown command {name:?}"))
    }

    /// 2 for usage errors, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        if self.usage { 2 } else { 1 }
    }
}

/// The value of flag `id`, if given.
pub fn one<'a, T: Clone + Send + Sync + 'static>(
    args: &'a ArgMatches,
    id: &str,
) -> Result<Option<&'a T>, Failure> {
    args.try_get_one::<T>(id)
        .map_err(|e| Failure::usage(format!("--{id}: {e}")))
}

/// The values of a repeatable flag `id`, if given.
pub fn many<T: Clone + Send + Sync + 'static>(
    args: &ArgMatches,
    id: &str,
) -> Result<Option<Vec<T>>, Failure> {
    args.try_get_many::<T>(id)
        .map(|values| values.map(|v| v.cloned().collect()))
        .map_err(|e| Failure::usage(format!("--{id}: {e}")))
}

/// `value`, or a usage error naming the flag that should have given it.
pub fn required<T>(value: Option<T>, flag: &str) -> Result<T, Failure> {
    value.ok_or_else(|| Failure::usage(format!("--{flag} is required")))
}

/// The file named by flag `flag`, decoded as JSON into the body type.
pub fn json_file<T: DeserializeOwned>(args: &ArgMatches, flag: &str) -> Result<Option<T>, Failure> {
    let Some((path, bytes)) = read_file(args, flag)? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        Failure::usage(format!(
            "--{flag} {}: not a valid request body: {e}",
            path.display()
        ))
    })
}

/// The file named by flag `flag`, as text.
pub fn text_file(args: &ArgMatches, flag: &str) -> Result<Option<String>, Failure> {
    let Some((path, bytes)) = read_file(args, flag)? else {
        return Ok(None);
    };
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|e| Failure::usage(format!("--{flag} {}: not UTF-8 text: {e}", path.display())))
}

/// The file named by flag `flag`, as bytes.
pub fn bytes_file(args: &ArgMatches, flag: &str) -> Result<Option<Vec<u8>>, Failure> {
    Ok(read_file(args, flag)?.map(|(_, bytes)| bytes))
}

fn read_file(args: &ArgMatches, flag: &str) -> Result<Option<(PathBuf, Vec<u8>)>, Failure> {
    let Some(path) = one::<PathBuf>(args, flag)? else {
        return Ok(None);
    };
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some((path.clone(), bytes))),
        Err(e) => Err(Failure::usage(format!(
            "--{flag} {}: cannot read the file: {e}",
            path.display()
        ))),
    }
}

/// A JSON answer, printed as `jq .` prints the body the server sent.
pub fn json<T: Serialize>(answer: ResponseValue<T>) -> Outcome {
    match pretty_json(&answer.into_inner()) {
        Ok(json) => Ok(Output(json)),
        Err(e) => Err(Failure::call(
            format!("cannot print the answer as JSON: {e}"),
            None,
        )),
    }
}

/// An answer without a body: nothing to print.
pub fn empty(_answer: ResponseValue<()>) -> Outcome {
    Ok(Output(Vec::new()))
}

/// An answer whose body is not JSON: its bytes, as they came.
pub async fn bytes(answer: ResponseValue<ByteStream>) -> Outcome {
    read_stream(answer.into_inner())
        .await
        .map(Output)
        .map_err(|e| transport("the answer broke off", &e))
}

/// A failed call whose error answers are JSON (or have no body).
pub async fn error<E: Serialize>(error: Error<E>) -> Failure {
    match error {
        Error::ErrorResponse(answer) => {
            let status = answer.status();
            // An error type of `()` means the spec gives the error no body; it prints as null.
            let body = pretty_json(&answer.into_inner())
                .ok()
                .filter(|json| json.as_slice() != b"null\n");
            Failure::call(format!("the server answered {status}"), body)
        }
        other => other_error(other).await,
    }
}

/// A failed call whose error answers are not JSON.
pub async fn bytes_error(error: Error<ByteStream>) -> Failure {
    match error {
        Error::ErrorResponse(answer) => {
            let status = answer.status();
            let body = read_stream(answer.into_inner()).await.ok();
            Failure::call(format!("the server answered {status}"), body)
        }
        other => other_error(other).await,
    }
}

/// Everything but an error the spec documents.
async fn other_error<E>(error: Error<E>) -> Failure {
    match error {
        Error::ErrorResponse(answer) => {
            Failure::call(format!("the server answered {}", answer.status()), None)
        }
        Error::CommunicationError(e) => transport("cannot reach", &e),
        Error::ResponseBodyError(e) => transport("the answer broke off from", &e),
        Error::InvalidUpgrade(e) => transport("cannot upgrade the connection to", &e),
        Error::InvalidRequest(message) => {
            Failure::usage(format!("the request cannot be made: {message}"))
        }
        Error::InvalidResponsePayload(body, e) => Failure::call(
            format!("the answer does not match the spec: {e}"),
            Some(body.to_vec()),
        ),
        Error::UnexpectedResponse(response) => {
            let status = response.status();
            let url = response.url().to_string();
            let body = response.bytes().await.ok().map(|b| b.to_vec());
            Failure::call(
                format!(
                    "{url} answered {status}, which the spec does not document for this operation"
                ),
                body,
            )
        }
        Error::Custom(message) => Failure::call(message, None),
    }
}

/// A transport failure in one line: what failed, the URL, and the innermost cause (the one
/// that says "connection refused" or "timed out").
fn transport(what: &str, error: &reqwest::Error) -> Failure {
    let url = error
        .url()
        .map_or_else(|| "the server".to_string(), |u| u.to_string());
    let mut cause: &dyn std::error::Error = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    let cause = if error.is_timeout() {
        "timed out".to_string()
    } else {
        cause.to_string()
    };
    Failure::call(format!("{what} {url}: {cause}"), None)
}

async fn read_stream(stream: ByteStream) -> Result<Vec<u8>, reqwest::Error> {
    let mut stream = stream.into_inner();
    let mut out = Vec::new();
    while let Some(chunk) =
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(stream.as_mut(), cx)).await
    {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

/// `value` as the API encodes it (whole numbers without a fraction), laid out as `jq .` lays
/// out JSON (two spaces, one member per line), with a final newline.
pub fn pretty_json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(512);
    write_pretty_json(&mut out, value)?;
    Ok(out)
}

/// [`pretty_json`] into `out`.
fn write_pretty_json<T: Serialize + ?Sized>(
    mut out: impl std::io::Write,
    value: &T,
) -> Result<(), serde_json::Error> {
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out,
        JqLayout(serde_json::ser::PrettyFormatter::with_indent(b"  ")),
    ))?;
    out.write_all(b"\n").map_err(serde_json::Error::io)
}

/// serde_json's pretty layout, with whole `f64`s written as integers, as the server writes
/// them (serde_json alone writes `1234567890.0`, which neither the server nor jq shows).
struct JqLayout(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for JqLayout {
    fn write_f64<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        value: f64,
    ) -> std::io::Result<()> {
        // Beyond 2^53 not every whole number is exact as an f64; those keep serde_json's form.
        const EXACT: f64 = 9_007_199_254_740_992.0;
        if value.fract() == 0.0 && value.abs() < EXACT {
            write!(writer, "{}", value as i64)
        } else {
            self.0.write_f64(writer, value)
        }
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`pretty_json`] of `value`, into a buffer of a fixed size: a layout whose nesting count
    /// went wrong would indent without end, and fails here instead.
    fn laid_out<T: Serialize + ?Sized>(value: &T) -> String {
        let mut buffer = std::io::Cursor::new([0u8; 4096]);
        write_pretty_json(&mut buffer, value).unwrap();
        let written = buffer.position() as usize;
        String::from_utf8(buffer.into_inner()[..written].to_vec()).unwrap()
    }

    #[test]
    fn json_is_laid_out_as_jq_lays_it_out() {
        let value = serde_json::json!({
            "b": [1234567890.0, -37.8159, {"x": null}],
            "a": {},
            "c": [],
            "d": "é\"\n",
        });
        let text = laid_out(&value);
        assert_eq!(text.as_bytes(), &pretty_json(&value).unwrap()[..]);
        // serde_json sorts map keys without its preserve_order feature; typed answers keep
        // their declared order, which is the order the server sends.
        assert_eq!(
            text,
            "{\n  \"a\": {},\n  \"b\": [\n    1234567890,\n    -37.8159,\n    {\n      \"x\": null\n    }\n  ],\n  \"c\": [],\n  \"d\": \"é\\\"\\n\"\n}\n"
        );
        // Whole as far as an f64 holds every whole number exactly, as the server writes them.
        let edge = 9_007_199_254_740_992.0f64;
        let text = laid_out(&[edge - 1.0, -edge]);
        assert_eq!(text, "[\n  9007199254740991,\n  -9007199254740992.0\n]\n");
    }
}
