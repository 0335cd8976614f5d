//! The recipe in ARCHITECTURE.md ("Adding a fetch endpoint") is complete: in a copy of the
//! workspace, a fourth endpoint (`GET /api/v1/domain/{domain_id}`) is added by editing only the
//! spec, one declaration in `data.rs`, one method in `api.rs` and the default data; after
//! `cargo xtask codegen` the spec-driven tests serve it without being edited.
//!
//! It builds the whole workspace in the copy (a few minutes), so it runs on request:
//! `cargo test -p xtask --test new_endpoint -- --ignored`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    xtask::workspace_root().expect("the workspace root")
}

/// Replaces the one occurrence of `anchor` in `file` with `anchor` followed by `added`.
fn add_after(copy: &Path, file: &str, anchor: &str, added: &str) {
    let path = copy.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches(anchor).count(), 1, "{file}: {anchor:?}");
    std::fs::write(&path, text.replacen(anchor, &format!("{anchor}{added}"), 1)).unwrap();
}

fn run(copy: &Path, args: &[&str], env: &[(&str, &str)]) {
    let target = xtask::util::target_dir(&root());
    let status = Command::new(std::env::var("CARGO").unwrap_or("cargo".into()))
        .args(args)
        .current_dir(copy)
        .env("CARGO_TARGET_DIR", target)
        .envs(env.iter().copied())
        .status()
        .unwrap();
    assert!(status.success(), "cargo {args:?} failed in the copy");
}

const DOMAIN: &str = "013xrzp12g3nqk8nz2ccx5vt2j6f6hjz";
const ACCOUNT: &str = "013xrzp12g3nqk8n505tp6wqnscpdy8q";

#[test]
#[ignore = "builds the workspace in a copy; run with --ignored"]
fn a_fourth_endpoint_costs_the_spec_one_declaration_one_method_and_its_data() {
    let tmp = xtask::util::TempDir::new("new-endpoint").unwrap();
    let copy = tmp.path().join("checkout");
    let files = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root())
        .output()
        .unwrap();
    for file in files.stdout.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let file = String::from_utf8_lossy(file).into_owned();
        let to = copy.join(&file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root().join(&file), to).unwrap();
    }

    // 1. The spec: the path, with its paired example, and its two schemas.
    add_after(
        &copy,
        "spec/openapi.yaml",
        "paths:\n",
        &format!(
            "  /api/v1/domain/{{domain_id}}:
    get:
      operationId: fetch_domain
      summary: Fetch domain
      parameters:
        - name: domain_id
          in: path
          required: true
          schema:
            $ref: '#/components/schemas/Domain_Id'
          examples:
            main:
              value: {DOMAIN}
      responses:
        '200':
          description: Success
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Domain_Response'
              examples:
                main:
                  value: {{status: success, summary: {{id: {DOMAIN}, account_id: {ACCOUNT}, name: main}}}}
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
"
        ),
    );
    add_after(
        &copy,
        "spec/openapi.yaml",
        "  schemas:\n",
        "    Domain_Summary:
      type: object
      additionalProperties: false
      required: [id, account_id, name]
      properties:
        id:
          $ref: '#/components/schemas/Domain_Id'
        account_id:
          $ref: '#/components/schemas/Account_Id'
        name:
          type: string
    Domain_Response:
      type: object
      required: [status, summary]
      properties:
        status:
          $ref: '#/components/schemas/SuccessStatus'
        summary:
          $ref: '#/components/schemas/Domain_Summary'
",
    );
    // 2. One declaration.
    add_after(
        &copy,
        "crates/authapi-server/src/data.rs",
        "resources! {\n",
        "    Domain \"domain\" domains: authapi_types::DomainSummary {
        type Id = authapi_types::DomainId;
        type Body = authapi_types::DomainResponse;

        fn into_body(self) -> authapi_types::DomainResponse {
            authapi_types::DomainResponse { status: SuccessStatus::Success, summary: self }
        }
    }

",
    );
    // 3. One method.
    add_after(
        &copy,
        "crates/authapi-server/src/api.rs",
        "impl<S: Store> Api for StubApi<S> {\n",
        "    async fn fetch_domain(
        &self,
        session: &Session<S>,
        id: authapi_types::DomainId,
    ) -> Result<authapi_stubs::FetchDomainResponse, ApiError> {
        self.body::<authapi_types::DomainSummary>(session, &id)
            .map(authapi_stubs::FetchDomainResponse::Ok)
    }

",
    );
    // 4. Its records.
    let data = copy.join("crates/authapi-server/data/default.yaml");
    let text = std::fs::read_to_string(&data).unwrap();
    std::fs::write(
        &data,
        format!("{text}\ndomains:\n  - id: {DOMAIN}\n    account_id: {ACCOUNT}\n    name: main\n"),
    )
    .unwrap();

    run(&copy, &["run", "-q", "-p", "xtask", "--", "codegen"], &[]);
    // The new operation's error bodies are new snapshots, for review: written, not compared.
    run(
        &copy,
        &[
            "test",
            "-p",
            "authapi",
            "--test",
            "end_to_end",
            "--",
            "operations::",
            "error_bodies::",
            "load::",
        ],
        &[("INSTA_UPDATE", "always"), ("CI", "")],
    );
    let snapshot = copy.join("tests/end_to_end/snapshots/fetch_domain-unknown_id.snap");
    let snapshot = std::fs::read_to_string(&snapshot).expect("a snapshot of the new operation");
    assert!(
        snapshot.contains("domain 013xrzp12g3nqk8nz2ccx5vt2j6fzzzz not found"),
        "{snapshot}"
    );
}
