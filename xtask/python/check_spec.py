"""Checks spec/openapi.yaml with the OpenAPI 3.0 validators other tools build on.

1. openapi-spec-validator: the document is valid OpenAPI 3.0.3.
2. openapi-schema-validator (OAS30Validator, as schemathesis uses): every example validates
   against its schema, and `null` validates wherever the spec says a value is nullable.

Usage: python check_spec.py spec/openapi.yaml
"""

import sys

import yaml
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4


BASE = "urn:authapi:spec"


def escape(key):
    return str(key).replace("~", "~0").replace("/", "~1")


def main(spec_path):
    with open(spec_path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    validate(spec)

    # Registered under a name of its own so that each `#/...` reference inside resolves against
    # the whole document, not against the schema being checked.
    registry = Registry().with_resource(BASE, Resource(contents=spec, specification=DRAFT4))
    failures = []
    checked = 0

    def check(where, instance):
        """`where` starts with the JSON pointer of the schema to check against."""
        nonlocal checked
        checked += 1
        pointer = where.split(" ")[0].removesuffix("/example")
        validator = OAS30Validator({"$ref": BASE + pointer}, registry=registry)
        try:
            validator.validate(instance)
        except ValidationError as e:
            failures.append(f"{where}: {instance!r:.80} does not validate: {e.message}")

    def walk_schema(where, schema):
        if not isinstance(schema, dict):
            return
        if "example" in schema:
            check(f"{where}/example", schema["example"])
        if schema.get("nullable") is True:
            check(f"{where} (nullable)", None)
        for key in ("properties",):
            for name, sub in schema.get(key, {}).items():
                walk_schema(f"{where}/{key}/{escape(name)}", sub)
        for key in ("items", "additionalProperties", "not"):
            walk_schema(f"{where}/{key}", schema.get(key))
        for key in ("allOf", "anyOf", "oneOf"):
            for i, sub in enumerate(schema.get(key, [])):
                walk_schema(f"{where}/{key}/{i}", sub)

    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        walk_schema(f"#/components/schemas/{name}", schema)

    def walk_content(where, content):
        for media, body in content.items():
            schema_at = f"{where}/{escape(media)}/schema"
            if "example" in body:
                check(schema_at + " example", body["example"])
            for ex_name, ex in body.get("examples", {}).items():
                check(f"{schema_at} examples/{ex_name}", ex.get("value"))

    for name, response in spec.get("components", {}).get("responses", {}).items():
        walk_content(f"#/components/responses/{name}/content", response.get("content", {}))
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for status, response in op["responses"].items():
                if "content" in response:
                    walk_content(f"#/paths/{escape(path)}/{method}/responses/{status}/content", response["content"])
            for param in op.get("parameters", []):
                if "example" in param:
                    check(f"#/paths/{escape(path)}/{method}/parameters/{param['name']}/schema", param["example"])

    for failure in failures:
        print(f"{spec_path}: {failure}", file=sys.stderr)
    print(f"{spec_path}: valid OpenAPI 3.0; {checked} examples and nullable values checked, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "spec/openapi.yaml"))
