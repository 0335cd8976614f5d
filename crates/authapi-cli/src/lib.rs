//! The `authapi` command line: one subcommand per operation of `spec/openapi.yaml`, calling the
//! generated client and printing its answer as JSON.
//!
//! The subcommands and their flags are generated (`generated.rs`, by `cargo xtask codegen`);
//! [`runtime`] is what the generated code calls; [`command`] adds the global flags.

// Formatted by the generator, not by rustfmt, so that output is byte-stable.
#[rustfmt::skip]
#[allow(clippy::all)]
mod generated;
pub mod runtime;

pub use generated::call;

/// Where the API is unless `--base-url` or `AUTHAPI_URL` says otherwise: the stub server as
/// `cargo run -p authapi-server` starts it.
pub const DEFAULT_URL: &str = "http://127.0.0.1:8080";

/// The whole command tree: the global flags and one subcommand per operation.
pub fn command() -> clap::Command {
    clap::Command::new("authapi")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Calls the authapi API: one subcommand per operation, the answer printed as JSON")
        .after_help(
            "An answer is printed on stdout as JSON. An error answer is printed on stderr with \
             its status, and the exit code is 1, as for a server that cannot be reached; the \
             exit code is 2 for bad usage.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true)
        // An operation may be called `help`; `--help` works on every level.
        .disable_help_subcommand(true)
        .arg(
            clap::Arg::new("base-url")
                .long("base-url")
                .value_name("URL")
                .env("AUTHAPI_URL")
                .default_value(DEFAULT_URL)
                .hide_env_values(true)
                .global(true)
                .help("Base URL of the API"),
        )
        .arg(
            clap::Arg::new("token")
                .long("token")
                .value_name("TOKEN")
                .env("AUTHAPI_TOKEN")
                // `--help` would otherwise show the token taken from the environment.
                .hide_env_values(true)
                .global(true)
                .help("Bearer token sent with every request"),
        )
        .subcommands(generated::commands())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_tree_is_consistent() {
        super::command().debug_assert();
    }
}
