//! `authapi`: calls the API from the command line, one subcommand per operation of the spec.

use std::io::Write;
use std::process::ExitCode;

use authapi_cli::runtime::Failure;

fn main() -> ExitCode {
    // Exits 2 on bad usage, 0 after --help or --version.
    let matches = authapi_cli::command().get_matches();
    let Some((name, args)) = matches.subcommand() else {
        return fail(&Failure::usage("a command is required; see --help".into()));
    };
    let base_url = args
        .get_one::<String>("base-url")
        .map_or(authapi_cli::DEFAULT_URL, String::as_str);
    let mut client = authapi_client::ClientBuilder::new(base_url);
    if let Some(token) = args.get_one::<String>("token") {
        client = client.bearer(token);
    }
    let client = match client.build() {
        Ok(client) => client,
        Err(e) => return fail(&Failure::usage(e.to_string())),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(authapi_cli::call(&client, name, args)) {
        Ok(output) => {
            // A closed stdout (`authapi ... | head`) is the reader's choice, not a failure.
            let _ = std::io::stdout().write_all(&output.0);
            ExitCode::SUCCESS
        }
        Err(failure) => fail(&failure),
    }
}

fn fail(failure: &Failure) -> ExitCode {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "error: {}", failure.message);
    if let Some(body) = &failure.body {
        let _ = stderr.write_all(body);
        if !body.ends_with(b"\n") {
            let _ = stderr.write_all(b"\n");
        }
    }
    ExitCode::from(failure.exit_code())
}
