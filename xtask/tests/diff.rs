//! `cargo xtask diff` over pairs of specs: every rule alone on one edit of a fixture spec,
//! the report of each as a snapshot, the cases the issue names on the product's own spec,
//! and what must not count as a change.

use serde_json::Value;
use xtask::diff::{self, Diff, Finding, Group, Rust, Verdict, Wire};

/// The fixture every rule edits.
const BASE: &str = include_str!("diff/base.yaml");

/// `text` with each `(from, to)` applied; each `from` must occur exactly once, so that a
/// fixture change cannot make an edit silently miss.
fn edit(text: &str, edits: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (from, to) in edits {
        assert_eq!(
            out.matches(from).count(),
            1,
            "the spec must hold {from:?} exactly once"
        );
        out = out.replacen(from, to, 1);
    }
    out
}

fn compare(old: &str, new: &str) -> Diff {
    diff::compare("base.yaml", old.to_string(), "new.yaml", new.to_string())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn context() -> diff::Context {
    diff::Context {
        spec: "new.yaml".into(),
        base: "base.yaml".into(),
        crates: (Some("0.1.0".into()), Some("0.1.0".into())),
        allow_breaking: false,
    }
}

fn text(diff: &Diff) -> String {
    diff::render(diff, &context(), diff::Format::Text)
}

/// Text replacements that make one edit.
type Edits = &'static [(&'static str, &'static str)];

/// One edit and the one finding it must make.
struct Case {
    name: &'static str,
    edits: Edits,
    rule: &'static str,
    wire: Wire,
    rust: Rust,
    pointer: &'static str,
}

const B: Wire = Wire::Breaking;
const C: Wire = Wire::Compatible;
const N: Wire = Wire::None;
const RB: Rust = Rust::Breaking;
const RA: Rust = Rust::Addition;
const RN: Rust = Rust::None;

const DELETE_OP: &str = "    delete:
      operationId: delete_thing
      parameters:
        - name: thing_id
          in: path
          required: true
          schema:
            type: string
      security:
        - bearer: []
        - apiKey: []
      responses:
        '204':
          description: Deleted
        '400':
          $ref: '#/components/responses/Problem'
";

const LIST_PARAMS: &str = "      description: List the things of the caller.
      parameters:
";

const ORDER_PARAM: &str = "        - name: order
          in: query
          schema:
            type: string
            enum: [asc, desc]
";

const CASES: &[Case] = &[
    // Wire breaking.
    Case {
        name: "operation removed",
        edits: &[(DELETE_OP, "")],
        rule: "operation-removed",
        wire: B,
        rust: RB,
        pointer: "/paths/~1things~1{thing_id}/delete",
    },
    Case {
        name: "method changed",
        edits: &[(
            "    delete:\n      operationId: delete_thing",
            "    put:\n      operationId: delete_thing",
        )],
        rule: "method-changed",
        wire: B,
        rust: RN,
        pointer: "/paths/~1things~1{thing_id}/put",
    },
    Case {
        name: "path changed",
        edits: &[("  /health:", "  /healthz:")],
        rule: "path-changed",
        wire: B,
        rust: RN,
        pointer: "/paths/~1healthz/get",
    },
    Case {
        name: "required parameter added",
        edits: &[(
            LIST_PARAMS,
            "      description: List the things of the caller.
      parameters:
        - name: verbose
          in: query
          required: true
          schema:
            type: boolean
",
        )],
        rule: "parameter-added-required",
        wire: B,
        rust: RB,
        pointer: "/paths/~1things/get/parameters/0",
    },
    Case {
        name: "parameter made required",
        edits: &[(
            "        - name: limit\n          in: query\n",
            "        - name: limit\n          in: query\n          required: true\n",
        )],
        rule: "parameter-made-required",
        wire: B,
        rust: RB,
        pointer: "/paths/~1things/get/parameters/0",
    },
    Case {
        name: "parameter retyped",
        edits: &[(
            "            type: integer\n            minimum: 1",
            "            type: string\n            minimum: 1",
        )],
        rule: "type-changed",
        wire: B,
        rust: RB,
        pointer: "/paths/~1things/get/parameters/0/schema/type",
    },
    Case {
        name: "parameter bound tightened",
        edits: &[("            maximum: 100", "            maximum: 50")],
        rule: "constraint-tightened",
        wire: B,
        rust: RN,
        pointer: "/paths/~1things/get/parameters/0/schema/maximum",
    },
    Case {
        name: "parameter pattern changed",
        edits: &[("'^[a-z]+$'", "'^[a-z0-9]+$'")],
        rule: "pattern-changed",
        wire: B,
        rust: RN,
        pointer: "/paths/~1things/get/parameters/3/schema/pattern",
    },
    Case {
        name: "parameter style changed",
        edits: &[(
            "        - name: tag\n          in: query\n",
            "        - name: tag\n          in: query\n          explode: false\n",
        )],
        rule: "parameter-style-changed",
        wire: B,
        rust: RN,
        pointer: "/paths/~1things/get/parameters/2",
    },
    Case {
        name: "enum value removed from a request",
        edits: &[("enum: [asc, desc]", "enum: [asc]")],
        rule: "enum-value-removed",
        wire: B,
        rust: RB,
        pointer: "/paths/~1things/get/parameters/1/schema/enum",
    },
    Case {
        name: "request body made required",
        edits: &[(
            "      requestBody:\n        content:",
            "      requestBody:\n        required: true\n        content:",
        )],
        rule: "request-body-made-required",
        wire: B,
        rust: RN,
        pointer: "/paths/~1things~1{thing_id}/patch/requestBody",
    },
    Case {
        name: "request body removed",
        edits: &[(
            "      requestBody:
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/ThingPatch'
",
            "",
        )],
        rule: "request-body-removed",
        wire: B,
        rust: RB,
        pointer: "/paths/~1things~1{thing_id}/patch/requestBody",
    },
    Case {
        name: "request body schema narrowed",
        edits: &[("          maxLength: 64", "          maxLength: 32")],
        rule: "constraint-tightened",
        wire: B,
        rust: RN,
        pointer: "/components/schemas/NewThing/properties/name/maxLength",
    },
    Case {
        name: "request body closed to other properties",
        edits: &[(
            "    NewThing:\n      type: object\n",
            "    NewThing:\n      type: object\n      additionalProperties: false\n",
        )],
        rule: "constraint-tightened",
        wire: B,
        rust: RN,
        pointer: "/components/schemas/NewThing/additionalProperties",
    },
    Case {
        name: "required property added to a request body",
        edits: &[
            (
                "      required: [name, kind]\n",
                "      required: [name, kind, color]\n",
            ),
            (
                "        note:\n          type: string\n    ThingPatch:",
                "        note:\n          type: string\n        color:\n          type: string\n    ThingPatch:",
            ),
        ],
        rule: "property-added-required",
        wire: B,
        rust: RB,
        pointer: "/components/schemas/NewThing/properties/color",
    },
    Case {
        name: "request property made required",
        edits: &[(
            "      required: [name, kind]\n",
            "      required: [name, kind, note]\n",
        )],
        rule: "property-made-required",
        wire: B,
        rust: RB,
        pointer: "/components/schemas/NewThing/properties/note",
    },
    Case {
        name: "required response field removed",
        edits: &[
            (
                "required: [id, name, kind, status, tags, owner]",
                "required: [id, name, kind, status, owner]",
            ),
            (
                "        tags:\n          type: array\n          items:\n            type: string\n        owner:",
                "        owner:",
            ),
        ],
        rule: "property-removed",
        wire: B,
        rust: RB,
        pointer: "/components/schemas/Thing/properties/tags",
    },
    Case {
        name: "response field made nullable",
        edits: &[(
            "        name:\n          type: string\n        kind:\n          $ref: '#/components/schemas/Kind'\n        status:",
            "        name:\n          type: string\n          nullable: true\n        kind:\n          $ref: '#/components/schemas/Kind'\n        status:",
        )],
        rule: "made-nullable",
        wire: B,
        rust: RB,
        pointer: "/components/schemas/Thing/properties/name",
    },
    Case {
        name: "response field made optional",
        edits: &[(
            "required: [id, name, kind, status, tags, owner]",
            "required: [id, name, kind, status, owner]",
        )],
        rule: "property-made-optional",
        wire: B,
        rust: RN,
        pointer: "/components/schemas/Thing/properties/tags",
    },
    Case {
        name: "response field retyped",
        edits: &[(
            "        id:\n          type: string\n        name:",
            "        id:\n          type: integer\n        name:",
        )],
        rule: "type-changed",
        wire: B,
        rust: RB,
        pointer: "/components/schemas/Thing/properties/id/type",
    },
    Case {
        name: "response enum widened",
        edits: &[(
            "enum: [active, archived]",
            "enum: [active, archived, deleted]",
        )],
        rule: "enum-value-added",
        wire: B,
        rust: RB,
        pointer: "/components/schemas/Thing/properties/status/enum",
    },
    Case {
        name: "response status removed",
        edits: &[(
            "        '400':\n          $ref: '#/components/responses/Problem'\n        '404':",
            "        '404':",
        )],
        rule: "response-status-removed",
        wire: B,
        rust: RN,
        pointer: "/paths/~1things~1{thing_id}/get/responses/400",
    },
    Case {
        name: "response media type removed",
        edits: &[(
            "            application/xml:\n              schema:\n                $ref: '#/components/schemas/Thing'\n",
            "",
        )],
        rule: "media-type-removed",
        wire: B,
        rust: RN,
        pointer: "/paths/~1things~1{thing_id}/get/responses/200/content/application~1xml",
    },
    Case {
        name: "response header removed",
        edits: &[(
            "            X-Total:\n              required: true\n              schema:\n                type: integer\n",
            "",
        )],
        rule: "response-header-removed",
        wire: B,
        rust: RN,
        pointer: "/paths/~1things/get/responses/200/headers/X-Total",
    },
    Case {
        name: "response header made optional",
        edits: &[(
            "            X-Total:\n              required: true",
            "            X-Total:\n              required: false",
        )],
        rule: "response-header-made-optional",
        wire: B,
        rust: RN,
        pointer: "/paths/~1things/get/responses/200/headers/X-Total",
    },
    Case {
        name: "security requirement added",
        edits: &[(
            "      operationId: health\n      security: []\n",
            "      operationId: health\n",
        )],
        rule: "security-added",
        wire: B,
        rust: RN,
        pointer: "/security",
    },
    Case {
        name: "security requirement changed",
        edits: &[(
            "        - bearer: []\n        - apiKey: []\n",
            "        - apiKey: []\n",
        )],
        rule: "security-changed",
        wire: B,
        rust: RN,
        pointer: "/paths/~1things~1{thing_id}/delete/security",
    },
    Case {
        name: "security scheme changed",
        edits: &[("      name: X-Api-Key", "      name: X-Key")],
        rule: "security-scheme-changed",
        wire: B,
        rust: RN,
        pointer: "/components/securitySchemes/apiKey",
    },
    // Rust breaking where the wire is compatible, or does not change at all.
    Case {
        name: "optional parameter added",
        edits: &[(
            LIST_PARAMS,
            "      description: List the things of the caller.
      parameters:
        - name: since
          in: query
          schema:
            type: string
",
        )],
        rule: "parameter-added",
        wire: C,
        rust: RB,
        pointer: "/paths/~1things/get/parameters/0",
    },
    Case {
        name: "optional response field removed",
        edits: &[("        score:\n          type: number\n", "")],
        rule: "property-removed",
        wire: C,
        rust: RB,
        pointer: "/components/schemas/Thing/properties/score",
    },
    Case {
        name: "optional response header removed",
        edits: &[(
            "            X-Page:\n              schema:\n                type: integer\n",
            "",
        )],
        rule: "response-header-removed",
        wire: C,
        rust: RN,
        pointer: "/paths/~1things/get/responses/200/headers/X-Page",
    },
    Case {
        name: "parameter removed",
        edits: &[(ORDER_PARAM, "")],
        rule: "parameter-removed",
        wire: C,
        rust: RB,
        pointer: "/paths/~1things/get/parameters/1",
    },
    Case {
        name: "parameter made optional",
        edits: &[(
            "          in: header\n          required: true\n",
            "          in: header\n          required: false\n",
        )],
        rule: "parameter-made-optional",
        wire: C,
        rust: RB,
        pointer: "/paths/~1things/post/parameters/0",
    },
    Case {
        name: "optional property added to a type users build",
        edits: &[(
            "        note:\n          type: string\n    ThingPatch:",
            "        note:\n          type: string\n        color:\n          type: string\n    ThingPatch:",
        )],
        rule: "property-added",
        wire: C,
        rust: RB,
        pointer: "/components/schemas/NewThing/properties/color",
    },
    Case {
        name: "request property made optional",
        edits: &[("      required: [name, kind]\n", "      required: [name]\n")],
        rule: "property-made-optional",
        wire: C,
        rust: RB,
        pointer: "/components/schemas/NewThing/properties/kind",
    },
    Case {
        name: "operation renamed",
        edits: &[("operationId: get_thing", "operationId: fetch_thing")],
        rule: "operation-renamed",
        wire: N,
        rust: RB,
        pointer: "/paths/~1things~1{thing_id}/get",
    },
    Case {
        name: "type renamed",
        edits: &[
            (
                "    Owner:\n      type: object",
                "    Person:\n      type: object",
            ),
            (
                "$ref: '#/components/schemas/Owner'",
                "$ref: '#/components/schemas/Person'",
            ),
        ],
        rule: "type-renamed",
        wire: N,
        rust: RB,
        pointer: "/components/schemas/Person",
    },
    Case {
        name: "type removed",
        edits: &[(
            "    Code:\n      description: A code no operation uses yet\n      type: string\n      pattern: '^[A-Z]{3}$'\n",
            "",
        )],
        rule: "type-removed",
        wire: N,
        rust: RB,
        pointer: "/components/schemas/Code",
    },
    Case {
        name: "newtype retyped",
        edits: &[(
            "      description: A code no operation uses yet\n      type: string",
            "      description: A code no operation uses yet\n      type: integer",
        )],
        rule: "type-changed",
        wire: N,
        rust: RB,
        pointer: "/components/schemas/Code/type",
    },
    // Compatible.
    Case {
        name: "operation added",
        edits: &[(
            "  /health:\n",
            "  /things/{thing_id}/archive:
    post:
      operationId: archive_thing
      parameters:
        - name: thing_id
          in: path
          required: true
          schema:
            type: string
      responses:
        '204':
          description: Archived
  /health:\n",
        )],
        rule: "operation-added",
        wire: C,
        rust: RA,
        pointer: "/paths/~1things~1{thing_id}~1archive/post",
    },
    Case {
        name: "response field added",
        edits: &[(
            "        score:\n          type: number\n",
            "        score:\n          type: number\n        color:\n          type: string\n",
        )],
        rule: "property-added",
        wire: C,
        rust: RA,
        pointer: "/components/schemas/Thing/properties/color",
    },
    Case {
        name: "optional property added to a type users build with Default",
        edits: &[(
            "    ThingPatch:\n      type: object\n      properties:\n",
            "    ThingPatch:\n      type: object\n      properties:\n        color:\n          type: string\n",
        )],
        rule: "property-added",
        wire: C,
        rust: RA,
        pointer: "/components/schemas/ThingPatch/properties/color",
    },
    Case {
        name: "enum value added to a request",
        edits: &[("enum: [asc, desc]", "enum: [asc, desc, random]")],
        rule: "enum-value-added",
        wire: C,
        rust: RA,
        pointer: "/paths/~1things/get/parameters/1/schema/enum",
    },
    Case {
        name: "request bound loosened",
        edits: &[("            maximum: 100", "            maximum: 200")],
        rule: "constraint-loosened",
        wire: C,
        rust: RN,
        pointer: "/paths/~1things/get/parameters/0/schema/maximum",
    },
    Case {
        name: "response status added",
        edits: &[(
            "        '404':\n          $ref: '#/components/responses/Problem'\n",
            "        '404':\n          $ref: '#/components/responses/Problem'\n        '409':\n          $ref: '#/components/responses/Problem'\n",
        )],
        rule: "response-status-added",
        wire: C,
        rust: RN,
        pointer: "/paths/~1things~1{thing_id}/get/responses/409",
    },
    Case {
        name: "response header added",
        edits: &[(
            "          headers:\n            X-Total:\n",
            "          headers:\n            X-Next:\n              schema:\n                type: string\n            X-Total:\n",
        )],
        rule: "response-header-added",
        wire: C,
        rust: RN,
        pointer: "/paths/~1things/get/responses/200/headers/X-Next",
    },
    Case {
        name: "media type added",
        edits: &[(
            "            application/xml:\n",
            "            text/csv:\n              schema:\n                type: string\n            application/xml:\n",
        )],
        rule: "media-type-added",
        wire: C,
        rust: RN,
        pointer: "/paths/~1things~1{thing_id}/get/responses/200/content/text~1csv",
    },
    Case {
        name: "security requirement removed",
        edits: &[(
            LIST_PARAMS,
            "      description: List the things of the caller.\n      security: []\n      parameters:\n",
        )],
        rule: "security-removed",
        wire: C,
        rust: RN,
        pointer: "/paths/~1things/get/security",
    },
    Case {
        name: "security alternative added",
        edits: &[(
            LIST_PARAMS,
            "      description: List the things of the caller.\n      security:\n        - bearer: []\n        - apiKey: []\n      parameters:\n",
        )],
        rule: "security-alternative-added",
        wire: C,
        rust: RN,
        pointer: "/paths/~1things/get/security",
    },
    Case {
        name: "default added",
        edits: &[(
            "            enum: [asc, desc]\n",
            "            enum: [asc, desc]\n            default: asc\n",
        )],
        rule: "default-changed",
        wire: C,
        rust: RN,
        pointer: "/paths/~1things/get/parameters/1/schema/default",
    },
    Case {
        name: "type added",
        edits: &[(
            "  schemas:\n",
            "  schemas:\n    Color:\n      type: string\n",
        )],
        rule: "type-added",
        wire: N,
        rust: RA,
        pointer: "/components/schemas/Color",
    },
    Case {
        name: "description changed",
        edits: &[(
            "List the things of the caller.",
            "List the caller's things.",
        )],
        rule: "documentation-changed",
        wire: N,
        rust: RN,
        pointer: "/paths/~1things/get/description",
    },
    Case {
        name: "example added",
        edits: &[(
            "          maxLength: 64\n",
            "          maxLength: 64\n          example: a thing\n",
        )],
        rule: "documentation-changed",
        wire: N,
        rust: RN,
        pointer: "/components/schemas/NewThing/properties/name/example",
    },
    Case {
        name: "extension added",
        edits: &[(
            "      operationId: health\n",
            "      operationId: health\n      x-internal: true\n",
        )],
        rule: "extension-changed",
        wire: N,
        rust: RN,
        pointer: "/paths/~1health/get/x-internal",
    },
];

fn describe(f: &Finding) -> String {
    format!(
        "{} wire={:?} rust={:?} #{}",
        f.rule, f.wire, f.rust, f.pointer
    )
}

#[test]
fn each_rule_fires_alone() {
    let mut failures = Vec::new();
    for case in CASES {
        let new = edit(BASE, case.edits);
        let diff = compare(BASE, &new);
        let found: Vec<String> = diff.findings.iter().map(describe).collect();
        let want = format!(
            "{} wire={:?} rust={:?} #{}",
            case.rule, case.wire, case.rust, case.pointer
        );
        if found != [want.clone()] || !diff.notes.is_empty() {
            failures.push(format!(
                "{}:\n  want {want}\n  got  {}\n  notes {:?}",
                case.name,
                found.join("\n       "),
                diff.notes
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Two query parameters that sort on either side of a third: renaming `limit` to `zlimit`
/// is two wire changes, and to Rust callers the same arguments in another order.
#[test]
fn a_renamed_parameter_that_sorts_elsewhere_changes_the_argument_order() {
    let new = edit(
        BASE,
        &[(
            "        - name: limit\n          in: query\n",
            "        - name: zlimit\n          in: query\n",
        )],
    );
    let diff = compare(BASE, &new);
    let found: Vec<String> = diff.findings.iter().map(describe).collect();
    assert_eq!(
        found,
        [
            "parameter-removed wire=Compatible rust=None #/paths/~1things/get/parameters/0",
            "parameter-added wire=Compatible rust=None #/paths/~1things/get/parameters/0",
            "argument-order-changed wire=None rust=Breaking #/paths/~1things/get",
        ]
    );
    assert_eq!(
        diff.findings[2].message,
        "the arguments of client method `list_things` changed order: (limit, order, tag, x_trace) became (order, tag, zlimit, x_trace)"
    );
    assert_eq!(diff.findings[2].kind(), "Rust");
}

/// The report of every case, in one reviewable snapshot.
#[test]
fn reports_of_every_rule() {
    let mut out = String::new();
    for case in CASES {
        let new = edit(BASE, case.edits);
        out.push_str(&format!(
            "=== {}\n{}\n",
            case.name,
            text(&compare(BASE, &new))
        ));
    }
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("diff_rules", out);
    });
}

/// Several edits at once, as a pull request makes them, in each format.
#[test]
fn one_report_in_every_format() {
    let new = edit(
        BASE,
        &[
            ("  version: 1.0.0", "  version: 1.1.0"),
            (
                "enum: [active, archived]",
                "enum: [active, archived, deleted]",
            ),
            ("        score:\n          type: number\n", ""),
            (
                "List the things of the caller.",
                "List the caller's things.",
            ),
            ("            maximum: 100", "            maximum: 200"),
        ],
    );
    let diff = compare(BASE, &new);
    for (format, name) in [
        (diff::Format::Text, "diff_report_text"),
        (diff::Format::Markdown, "diff_report_markdown"),
        (diff::Format::Json, "diff_report_json"),
    ] {
        let report = diff::render(&diff, &context(), format);
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(name, report);
        });
    }
    let json: Value =
        serde_json::from_str(&diff::render(&diff, &context(), diff::Format::Json)).unwrap();
    assert_eq!(json["verdict"], "breaking");
    assert_eq!(json["versions"]["api"]["to"], "2.0.0");
    assert_eq!(json["versions"]["api"]["done"], false);
    assert_eq!(json["versions"]["crates"]["needs"], "major");
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(4));
}

fn product_spec() -> String {
    let root = xtask::workspace_root().unwrap();
    std::fs::read_to_string(root.join(xtask::codegen::SPEC_PATH)).unwrap()
}

/// Every object's keys in the reverse order, recursively.
fn reversed(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map.iter().rev() {
                out.insert(k.clone(), reversed(v));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(reversed).collect()),
        other => other.clone(),
    }
}

#[test]
fn identical_and_reformatted_specs_differ_in_nothing() {
    let yaml = product_spec();
    let identical = compare(&yaml, &yaml);
    assert!(identical.findings.is_empty(), "{:?}", identical.findings);
    assert_eq!(diff::verdict(&identical, &context()), Verdict::Clean);

    let parsed: Value = serde_norway::from_str(&yaml).unwrap();
    let json = serde_json::to_string_pretty(&reversed(&parsed)).unwrap();
    assert_ne!(json, yaml);
    for (old, new) in [(&yaml, &json), (&json, &yaml)] {
        let diff = compare(old, new);
        assert!(diff.findings.is_empty(), "{:?}", diff.findings);
        assert!(diff.notes.is_empty(), "{:?}", diff.notes);
    }
}

#[test]
fn a_description_edit_breaks_nothing() {
    let yaml = product_spec();
    let new = edit(
        &yaml,
        &[(
            "description: Fetch one device of the token's account by its id.",
            "description: Fetch one device of the caller's account by its id.",
        )],
    );
    let diff = compare(&yaml, &new);
    let found: Vec<String> = diff.findings.iter().map(describe).collect();
    assert_eq!(
        found,
        [
            "documentation-changed wire=None rust=None #/paths/~1api~1v1~1device~1{device_id}/get/description"
        ]
    );
    assert_eq!(diff::verdict(&diff, &context()), Verdict::Clean);
    assert_eq!(
        diff::bumps(&diff.findings),
        diff::Bumps {
            api: diff::Bump::Patch,
            crates: diff::Bump::Patch
        }
    );
}

/// The cases the issue names, on the product's spec: each is breaking, named, and of the
/// kind it is.
#[test]
fn the_product_spec_edits_the_issue_names() {
    let yaml = product_spec();
    let cases: [(&str, Edits, &str, &str, &str); 3] = [
        (
            "city removed from the device summary's interaction details",
            &[
                (
                    "        city:\n          $ref: '#/components/schemas/City'\n",
                    "",
                ),
                (
                    "required: [asn, at, city, country_code,",
                    "required: [asn, at, country_code,",
                ),
            ],
            "property-removed",
            "/components/schemas/InteractionDetails/properties/city",
            "field `city` of `InteractionDetails` removed",
        ),
        (
            "a value added to the device's session_type, which responses carry",
            &[(
                "          enum: [browser, api, mcp]",
                "          enum: [browser, api, mcp, desktop]",
            )],
            "enum-value-added",
            "/components/schemas/Device_Summary/properties/session_type/enum",
            "new variant `DeviceSummarySessionType::Desktop`: an exhaustive `match` on `DeviceSummarySessionType` must handle it",
        ),
        (
            "a required query parameter added to fetch_device",
            &[(
                "              value: 013xrzp12g3nqk8n7m2ywq4cgsfhbt0a\n",
                "              value: 013xrzp12g3nqk8n7m2ywq4cgsfhbt0a\n        - name: include\n          in: query\n          required: true\n          schema:\n            type: string\n",
            )],
            "parameter-added-required",
            "/paths/~1api~1v1~1device~1{device_id}/get/parameters/1",
            "client method `fetch_device` takes a new argument `include: String`",
        ),
    ];
    for (name, edits, rule, pointer, rust_note) in cases {
        let diff = compare(&yaml, &edit(&yaml, edits));
        assert_eq!(diff.findings.len(), 1, "{name}: {:#?}", diff.findings);
        let f = &diff.findings[0];
        assert_eq!(
            (f.rule, f.pointer.as_str(), f.kind()),
            (rule, pointer, "wire and Rust"),
            "{name}"
        );
        assert_eq!(f.rust_notes, [rust_note], "{name}");
        assert_eq!(
            diff::verdict(&diff, &context()),
            Verdict::Breaking,
            "{name}"
        );
        assert!(text(&diff).contains(&format!("BREAKING (wire and Rust) {rule}")));
    }
    // Left in `required`, the property still has a field, of any JSON value: the same
    // removal from the wire, and a retyped field to Rust.
    let still_required = compare(&yaml, &edit(&yaml, &cases[0].1[..1]));
    let found: Vec<String> = still_required.findings.iter().map(describe).collect();
    assert_eq!(
        found,
        [
            "property-removed wire=Breaking rust=Breaking #/components/schemas/InteractionDetails/properties/city"
        ]
    );
    assert_eq!(
        still_required.findings[0].rust_notes,
        ["field `city` of `InteractionDetails` changed from `City` to `Value`"]
    );

    let city = compare(&yaml, &edit(&yaml, cases[0].1));
    let Group::Component { pointer, used_by } = &city.findings[0].group else {
        panic!("{:?}", city.findings[0].group)
    };
    assert_eq!(pointer, "/components/schemas/InteractionDetails");
    assert_eq!(
        used_by,
        &["fetch_authflow (response)", "fetch_device (response)"]
    );
}

#[test]
fn a_major_bump_of_info_version_acknowledges_a_break() {
    let widened = edit(
        BASE,
        &[(
            "enum: [active, archived]",
            "enum: [active, archived, deleted]",
        )],
    );
    let with = |version: &str| {
        compare(
            BASE,
            &edit(
                &widened,
                &[("  version: 1.0.0", &format!("  version: {version}"))],
            ),
        )
    };
    let mut ctx = context();
    assert_eq!(diff::verdict(&with("1.0.0"), &ctx), Verdict::Breaking);
    assert_eq!(diff::verdict(&with("1.9.0"), &ctx), Verdict::Breaking);
    assert_eq!(diff::verdict(&with("2.0.0"), &ctx), Verdict::Acknowledged);
    assert!(text(&with("2.0.0")).contains("needs a major bump, to 2.0.0 (done)"));
    ctx.allow_breaking = true;
    assert_eq!(diff::verdict(&with("1.0.0"), &ctx), Verdict::Allowed);

    // A break of the crates alone is also acknowledged by a breaking bump of theirs, which
    // for 0.x is the minor number; a wire break is not.
    let optional = edit(
        BASE,
        &[(
            LIST_PARAMS,
            "      description: List the things of the caller.\n      parameters:\n        - name: since\n          in: query\n          schema:\n            type: string\n",
        )],
    );
    let rust_only = compare(BASE, &optional);
    let mut bumped = context();
    bumped.crates.1 = Some("0.2.0".into());
    assert_eq!(diff::verdict(&rust_only, &context()), Verdict::Breaking);
    assert_eq!(diff::verdict(&rust_only, &bumped), Verdict::Acknowledged);
    assert_eq!(diff::verdict(&with("1.0.0"), &bumped), Verdict::Breaking);
}

#[test]
fn a_spec_that_cannot_be_read_names_its_side_file_and_line() {
    let broken = edit(BASE, &[("  version: 1.0.0\n", "  version: [1.0.0\n")]);
    let base_error = diff::compare(
        "main:spec/openapi.yaml",
        broken.clone(),
        "spec/openapi.yaml",
        BASE.into(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        base_error.starts_with("cannot read the base spec: main:spec/openapi.yaml:"),
        "{base_error}"
    );
    let new_error = diff::compare(
        "main:spec/openapi.yaml",
        BASE.into(),
        "spec/openapi.yaml",
        broken,
    )
    .unwrap_err()
    .to_string();
    assert!(
        new_error.starts_with("cannot read the new spec: spec/openapi.yaml:"),
        "{new_error}"
    );
    let dangling = edit(
        BASE,
        &[(
            "$ref: '#/components/schemas/NewThing'",
            "$ref: '#/components/schemas/Nothing'",
        )],
    );
    let error = diff::compare("base.yaml", BASE.into(), "new.yaml", dangling)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with(
            "cannot read the new spec: new.yaml:69:15: at #/paths/~1things/post/requestBody"
        ) && error.contains("#/components/schemas/Nothing"),
        "{error}"
    );
}

/// Inputs that are valid YAML and OpenAPI but odd must give a report, never a panic.
#[test]
fn odd_but_valid_specs_are_compared_without_panicking() {
    let odd = [
        // A recursive schema.
        edit(
            BASE,
            &[(
                "        name:\n          type: string\n    ThingList:",
                "        name:\n          type: string\n        boss:\n          $ref: '#/components/schemas/Owner'\n    ThingList:",
            )],
        ),
        // A schema that is `true`-like: no keywords at all.
        edit(
            BASE,
            &[(
                "            type: string\n            minLength: 4\n            maxLength: 32\n",
                "            {}\n",
            )],
        ),
        // Compositions on both sides, of different lengths.
        edit(
            BASE,
            &[(
                "    Kind:\n      description: What a thing is\n      type: string\n      enum: [small, large]\n",
                "    Kind:\n      description: What a thing is\n      anyOf:\n        - type: string\n        - type: integer\n",
            )],
        ),
    ];
    for new in &odd {
        for (a, b) in [(BASE, new.as_str()), (new.as_str(), BASE)] {
            let diff = compare(a, b);
            assert!(text(&diff).contains("\nresult: "));
        }
    }
}

/// The operations of the product spec repeated until there are 300 (by new paths and
/// operation ids, sharing the schemas), as a large API is.
fn three_hundred_operations(yaml: &str) -> Value {
    let spec: Value = serde_norway::from_str(yaml).unwrap();
    let mut out = spec.clone();
    let mut paths = serde_json::Map::new();
    for k in 0..100 {
        for (path, item) in spec["paths"].as_object().unwrap() {
            let mut item = item.clone();
            for op in item.as_object_mut().unwrap().values_mut() {
                let id = op["operationId"].as_str().unwrap().to_string();
                op["operationId"] = Value::String(format!("{id}_{k}"));
            }
            paths.insert(path.replacen("/api/v1/", &format!("/api/v{k}/"), 1), item);
        }
    }
    out["paths"] = Value::Object(paths);
    out
}

/// How long a 300-operation spec takes to diff; run with `--ignored --nocapture`, in the
/// profile to measure.
#[test]
#[ignore]
fn timing_of_a_300_operation_diff() {
    let spec = three_hundred_operations(&product_spec());
    let mut edited = spec.clone();
    edited["components"]["schemas"]["Device_Summary"]["properties"]["session_type"]["enum"]
        .as_array_mut()
        .unwrap()
        .push(Value::String("desktop".into()));
    let old = serde_norway::to_string(&spec).unwrap();
    let new = serde_norway::to_string(&edited).unwrap();
    for (name, new) in [("identical", &old), ("one edit", &new)] {
        let mut times = Vec::new();
        for _ in 0..5 {
            let started = std::time::Instant::now();
            let diff = compare(&old, new);
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            // The one edit is seen once, in the schema all 100 copies of fetch_device share.
            assert_eq!(diff.findings.len(), usize::from(name == "one edit"));
        }
        times.sort_by(f64::total_cmp);
        eprintln!(
            "300 operations, {name}: median {:.0} ms (min {:.0}, max {:.0})",
            times[2], times[0], times[4]
        );
    }
}
