//! `authapi-server`: the stub server's command line.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use authapi_server::access_log::{AccessLog, Format};
use authapi_server::data::{Dataset, TokenGrant};
use authapi_server::live::{DataSource, summary, watch};
use authapi_server::serve::{Limits, serve, serve_with_access_log};
use authapi_stubs::runtime::Options;
use axum::http::HeaderValue;
use clap::Parser;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer, ExposeHeaders};

/// A stub server of the authapi API that answers like the real one from in-memory data.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "AUTHAPI_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,

    /// Port to listen on, replacing the port of --listen; 0 picks a free one.
    #[arg(long)]
    port: Option<u16>,

    /// Data file (YAML, or JSON when it ends in .json) instead of the embedded default data.
    #[arg(long, env = "AUTHAPI_DATA")]
    data: Option<PathBuf>,

    /// Adds a token with read access to every resource of an account, as TOKEN:ACCOUNT_ID.
    /// Repeatable; the environment variable takes a comma-separated list.
    #[arg(long = "token", env = "AUTHAPI_TOKENS", value_delimiter = ',', value_parser = parse_token)]
    tokens: Vec<TokenGrant>,

    /// Checks every answer against the spec before sending it (always on in debug builds); an
    /// answer that does not match is logged and replaced by 500 unexpected.
    #[arg(long, env = "AUTHAPI_CHECK_RESPONSES")]
    check_responses: bool,

    /// Format of the log on stderr: text, or json (one JSON object per line, for log
    /// shippers). The access log has one line per request: time, method, path, status and
    /// latency, never a header.
    #[arg(long, env = "AUTHAPI_LOG_FORMAT", default_value_t = Format::Text, value_name = "text|json")]
    log_format: Format,

    /// No access log. The server's other messages still follow RUST_LOG (default info).
    #[arg(long, short, env = "AUTHAPI_QUIET")]
    quiet: bool,

    /// Reloads the data file when it changes, checked as at start; a bad file is logged and
    /// the data the server has stays. SIGHUP reloads it too, with or without this flag.
    #[arg(long, env = "AUTHAPI_WATCH", requires = "data")]
    watch: bool,

    /// Lets pages of this origin call the server from a browser (`*` for any): preflight
    /// requests are answered, and every answer carries the Access-Control-* headers.
    /// Repeatable.
    #[arg(long = "cors", env = "AUTHAPI_CORS", value_delimiter = ',', value_name = "ORIGIN", value_parser = parse_origin)]
    cors: Vec<HeaderValue>,

    /// Serves the admin API under /__admin/ (the journal of recent requests, a new data set,
    /// a reset), for `Authorization: Bearer <this token>` only. Off without it.
    #[arg(long, env = "AUTHAPI_ADMIN_TOKEN", value_parser = parse_admin_token)]
    admin_token: Option<String>,

    /// Strict mode: ignores `Prefer` headers and the scenarios of tokens, so that every
    /// answer comes from the data.
    #[arg(long, env = "AUTHAPI_NO_SCENARIOS")]
    no_scenarios: bool,

    /// Prints the JSON Schema of a data file and exits; point an editor's YAML support at it
    /// for completion and checks while writing a data file.
    #[arg(long)]
    print_data_schema: bool,
}

fn parse_token(arg: &str) -> Result<TokenGrant, String> {
    let (token, account) = arg.rsplit_once(':').ok_or("expected TOKEN:ACCOUNT_ID")?;
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("the token must be non-empty visible ASCII without spaces".into());
    }
    let account_id = account
        .parse()
        .map_err(|e| format!("account id {account:?} is not valid: {e}"))?;
    Ok(TokenGrant::account(token.to_string(), account_id))
}

fn parse_origin(arg: &str) -> Result<HeaderValue, String> {
    let origin = arg.trim();
    let scheme_and_host = origin.split_once("://").is_some_and(|(scheme, host)| {
        !scheme.is_empty() && !host.is_empty() && !host.ends_with('/')
    });
    if origin != "*" && !scheme_and_host {
        return Err(format!(
            "{origin:?} is not an origin; expected scheme://host[:port] (as http://localhost:3000) or *"
        ));
    }
    HeaderValue::try_from(origin).map_err(|_| format!("{origin:?} cannot be sent in a header"))
}

fn parse_admin_token(arg: &str) -> Result<String, String> {
    if arg.is_empty() || !arg.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("the admin token must be non-empty visible ASCII without spaces".into());
    }
    Ok(arg.to_string())
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.print_data_schema {
        let _ = std::io::stdout().write_all(authapi_server::data::data_schema().as_bytes());
        return ExitCode::SUCCESS;
    }
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let messages = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match args.log_format {
        Format::Text => messages
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        Format::Json => messages.event_format(JsonMessages).init(),
    }

    let (data, source) = match &args.data {
        Some(path) => (Dataset::load(path), path.display().to_string()),
        None => (Dataset::embedded(), "embedded default data".to_string()),
    };
    let data = match data {
        Ok(data) => data,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };

    let access_log = if args.quiet {
        None
    } else {
        match AccessLog::start(std::io::stderr(), args.log_format) {
            Ok(log) => Some(log),
            Err(e) => {
                eprintln!("error: cannot start the access log: {e}");
                return ExitCode::FAILURE;
            }
        }
    };

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let log = access_log.as_ref().map(|(log, _)| log.clone());
    let code = runtime.block_on(run(args, data, source, log));
    // Connections still busy after the grace period are dropped here, so that no request is
    // answered after the access log's last write.
    runtime.shutdown_timeout(Duration::from_secs(1));
    if let Some((log, writer)) = access_log {
        drop(log);
        // The log's own last line says how many lines it dropped, if any.
        if writer.finish().stuck {
            // stderr took nothing for the finish timeout: another message would hang there.
            return code;
        }
    }
    if code == ExitCode::SUCCESS {
        tracing::info!("authapi-server stopped");
    }
    code
}

async fn run(args: Args, data: Dataset, source: String, access_log: Option<AccessLog>) -> ExitCode {
    let mut addr = args.listen;
    if let Some(port) = args.port {
        addr.set_port(port);
    }
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!(
                "error: cannot listen on {addr}: {e}; choose another address with --listen or --port"
            );
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().unwrap_or(addr);
    // A record the server can show straight away, with a token that reads it.
    let example = data
        .samples()
        .into_iter()
        .find_map(|(kind, id, account)| {
            let token = data
                .tokens
                .iter()
                .chain(&args.tokens)
                .find(|t| t.kinds.contains(&kind) && t.scope().covers(account))?;
            Some(format!(
                "curl -H 'Authorization: Bearer {}' http://{addr}/api/v1/{}/{id}",
                token.token,
                kind.singular()
            ))
        })
        .unwrap_or_else(|| format!("curl http://{addr}/openapi.json"));
    // Whoever started the server may have closed its stdout; that is no reason to stop serving.
    let _ = writeln!(
        std::io::stdout(),
        "authapi-server listening on http://{addr} with {} from {source}\ntry: {example}",
        summary(&data, args.tokens.len()),
    );

    let mut options = Options {
        scenarios: !args.no_scenarios,
        ..Options::default()
    };
    // Only a release build tells the switch from the default (see `check_responses`).
    options.check_responses = check_responses(args.check_responses);
    let source = Arc::new(DataSource::new(data, args.tokens, args.data.clone()));
    let mut app = authapi_server::app_over(&source, options);
    if let Some(token) = args.admin_token {
        app = authapi_server::admin::attach(app, token, Arc::clone(&source));
    }
    if !args.cors.is_empty() {
        app = app.layer(cors(args.cors));
    }
    if args.watch {
        tokio::spawn(watch(Arc::clone(&source), WATCH_EVERY));
    }
    #[cfg(unix)]
    tokio::spawn(reload_on_hangup(Arc::clone(&source)));
    match access_log {
        Some(log) => {
            serve_with_access_log(listener, app, Limits::default(), log, shutdown_signal()).await
        }
        None => serve(listener, app, Limits::default(), shutdown_signal()).await,
    }
    ExitCode::SUCCESS
}

/// How often `--watch` looks at the data file.
const WATCH_EVERY: Duration = Duration::from_millis(250);

/// Reloads the data file on each SIGHUP, as daemons do.
#[cfg(unix)]
async fn reload_on_hangup(source: Arc<DataSource>) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut hangups) = signal(SignalKind::hangup()) else {
        return;
    };
    while hangups.recv().await.is_some() {
        source.reload_logged("SIGHUP").await;
    }
}

/// Whether answers are checked against the spec: when `--check-responses` asks, and always
/// in debug builds, where the default has it.
// Not mutated: the tests run debug builds, where every mutant of this line answers the same.
#[mutants::skip]
fn check_responses(asked: bool) -> bool {
    asked || Options::default().check_responses
}

/// The CORS layer of `--cors`: the listed origins (or any, for `*`), any method and request
/// header they ask for in a preflight, and every answer header visible to the page.
fn cors(origins: Vec<HeaderValue>) -> CorsLayer {
    let allowed = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins)
    };
    CorsLayer::new()
        .allow_origin(allowed)
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers(ExposeHeaders::any())
        .max_age(Duration::from_secs(600))
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish before the server exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// The server's other messages (those RUST_LOG selects) as JSON lines, like the access log's
/// with `--log-format json`: `{"ts":…,"level":"WARN","target":…,"msg":…, other fields}`.
struct JsonMessages;

impl<S, N> tracing_subscriber::fmt::FormatEvent<S, N> for JsonMessages
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    N: for<'a> tracing_subscriber::fmt::FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _: &tracing_subscriber::fmt::FmtContext<'_, S, N>,
        mut writer: tracing_subscriber::fmt::format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let meta = event.metadata();
        let mut fields = JsonFields::default();
        event.record(&mut fields);
        let json = |text: &str| serde_json::Value::from(text).to_string();
        write!(
            writer,
            "{{\"ts\":{},\"level\":{},\"target\":{},\"msg\":{}",
            json(&authapi_server::access_log::timestamp(SystemTime::now())),
            json(meta.level().as_str()),
            json(meta.target()),
            json(&fields.message),
        )?;
        for (name, value) in fields.others {
            write!(writer, ",{}:{value}", json(name))?;
        }
        writeln!(writer, "}}")
    }
}

/// An event's message, and its other fields as JSON values.
#[derive(Default)]
struct JsonFields {
    message: String,
    others: Vec<(&'static str, serde_json::Value)>,
}

impl tracing::field::Visit for JsonFields {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.record(field, value.into());
    }

    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        self.record(field, value.into());
    }

    fn record_i64(&mut self, field: &tracing::field::Field, value: i64) {
        self.record(field, value.into());
    }

    fn record_bool(&mut self, field: &tracing::field::Field, value: bool) {
        self.record(field, value.into());
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.record(field, format!("{value:?}").into());
    }
}

impl JsonFields {
    fn record(&mut self, field: &tracing::field::Field, value: serde_json::Value) {
        match (field.name(), value) {
            ("message", serde_json::Value::String(text)) => self.message = text,
            (name, value) => self.others.push((name, value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::JsonMessages;

    /// Where the test's subscriber writes.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn json_messages_carry_every_field_as_its_json_value() {
        let sink = Sink::default();
        let writer = sink.clone();
        let subscriber = tracing_subscriber::fmt()
            .event_format(JsonMessages)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(
                name = "a \"b\"",
                count = 3u64,
                delta = -2i64,
                ok = true,
                why = %"SIGHUP",
                "it \"happened\""
            );
        });
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert!(
            text.starts_with("{\"ts\":\"") && text.ends_with("}\n"),
            "{text}"
        );
        let mut line: serde_json::Value = serde_json::from_str(&text).unwrap();
        let ts = line.as_object_mut().unwrap().remove("ts").unwrap();
        assert!(ts.as_str().unwrap().ends_with('Z'), "{ts}");
        assert_eq!(
            line,
            serde_json::json!({
                "level": "WARN",
                "target": "authapi_server::tests",
                "msg": "it \"happened\"",
                "name": "a \"b\"",
                "count": 3,
                "delta": -2,
                "ok": true,
                "why": "SIGHUP",
            })
        );
    }
}
