//! `cargo xtask` explains itself, and meets a typo with clap's message and exit code 2 before
//! it reads any workspace.

use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_names_every_command_and_flag() {
    let top = xtask(&["--help"]);
    let help = text(&top.stdout);
    assert!(top.status.success(), "{}", text(&top.stderr));
    assert!(help.contains("Usage: cargo xtask <COMMAND>"), "{help}");
    for command in ["codegen", "conformance", "bench", "ci", "mutants"] {
        assert!(
            help.contains(&format!("  {command} ")),
            "{command}:\n{help}"
        );
    }
    for (command, flag) in [
        ("codegen", "--check"),
        ("bench", "--quick"),
        ("mutants", "--in-diff"),
        ("mutants", "--file"),
    ] {
        let run = xtask(&[command, "--help"]);
        let help = text(&run.stdout);
        assert!(run.status.success(), "{}", text(&run.stderr));
        assert!(help.contains(flag), "{command} --help:\n{help}");
    }
}

#[test]
fn a_typo_is_a_usage_error_that_suggests_the_right_spelling() {
    for (args, suggestion) in [
        (&["codegen", "--chek"][..], "--check"),
        (&["codgen"][..], "codegen"),
        (&["bench", "--quik"][..], "--quick"),
    ] {
        let run = xtask(args);
        let stderr = text(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{args:?}:\n{stderr}");
        assert!(
            stderr.contains(&format!("'{suggestion}'")),
            "{args:?}:\n{stderr}"
        );
    }
}

#[test]
fn without_a_command_it_shows_the_commands_and_fails() {
    let run = xtask(&[]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("codegen"), "{stderr}");
}

#[test]
fn codegen_shows_where_its_time_goes_only_when_asked() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    // A build directory of its own, so that the format cache starts empty and is written.
    let build = xtask::util::TempDir::new("codegen-times").unwrap();
    let codegen = |times: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
        command
            .args(["codegen", "--check"])
            .current_dir(root)
            .env("CARGO_TARGET_DIR", build.path());
        if times {
            command.env("XTASK_CODEGEN_TIMES", "1");
        } else {
            command.env_remove("XTASK_CODEGEN_TIMES");
        }
        let run = command.output().unwrap();
        let stderr = text(&run.stderr);
        assert!(run.status.success(), "{stderr}");
        stderr
            .lines()
            .filter(|line| line.starts_with("codegen: "))
            .map(|line| line.rsplit("ms  ").next().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(codegen(false), Vec::<String>::new());
    // What the first run formatted is kept in the build directory for the next.
    let cache = build.path().join("xtask/codegen-format-cache");
    assert!(std::fs::metadata(&cache).unwrap().len() > 1000);
    let steps = codegen(true);
    // The workspace's spec step by step; the fixtures, generated beside it, as one step.
    for step in [
        "spec",
        "model",
        "types",
        "stubs",
        "client",
        "cli",
        "fixtures",
        "format cache: read",
    ] {
        let count = steps.iter().filter(|s| *s == step).count();
        assert_eq!(count, 1, "{step} in {steps:?}");
    }
}
