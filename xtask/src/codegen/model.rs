//! The operation model: each operation of the spec read once into a plain description
//! (names, parameters, body, responses, security) with its Rust types taken from one type
//! space, so that every emitter works from the same facts.

use heck::{ToPascalCase, ToSnakeCase};
use openapiv3::{
    APIKeyLocation, MediaType, OpenAPI, Parameter, ParameterData, ParameterSchemaOrContent,
    PathStyle, QueryStyle, ReferenceOr, RequestBody, SecurityScheme, StatusCode,
};
use proc_macro2::TokenStream;
use serde_json::{Value, json};
use typify::{TypeDetails, TypeSpace, TypeSpaceSettings};

use super::schema;
use crate::spec::{Spec, SpecError};

/// Every operation of a spec and the types they use.
pub struct Model {
    /// The one type space: named schemas, then each operation's inline schemas, named as the
    /// client generator names them.
    pub types: TypeSpace,
    pub operations: Vec<Operation>,
    /// The security schemes some operation uses, in the order the spec declares them.
    pub schemes: Vec<Scheme>,
    /// Inline schemas of parameters, bodies and responses, under the names they get beside
    /// the named schemas in schema.json.
    pub inline_schemas: Vec<(String, Value)>,
}

pub struct Operation {
    /// The `operationId` as written.
    pub id: String,
    /// Its Rust name, as the client names its method.
    pub name: String,
    pub method: String,
    pub path: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub responses: Vec<Response>,
    /// The schemes that may authenticate a call, any one of them; empty when the operation is
    /// open to all.
    pub security: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Location {
    Path,
    Query,
    Header,
}

impl Location {
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
        }
    }
}

/// How a parameter's text becomes JSON before it is checked and decoded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Scalar {
    String,
    Integer,
    Number,
    Boolean,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Shape {
    Scalar(Scalar),
    /// Several values: repeated (`explode`) or comma-separated.
    Array {
        item: Scalar,
        explode: bool,
    },
}

pub struct Param {
    pub api_name: String,
    pub name: String,
    pub location: Location,
    pub required: bool,
    /// The Rust type of a present value.
    pub ty: TokenStream,
    pub shape: Shape,
    /// Name of its schema in schema.json, when the value needs checking beyond parsing.
    pub check: Option<String>,
    /// What a valid value looks like, for error messages.
    pub hint: String,
    /// The schema's default as JSON, applied when the parameter is absent.
    pub default: Option<String>,
    /// What the spec says of it; `None` when it says nothing, or only blanks.
    pub description: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Media {
    Json,
    Text,
    Bytes,
    Form,
}

pub struct Body {
    pub media: Media,
    pub content_type: String,
    pub required: bool,
    pub ty: TokenStream,
    /// Name of its schema in schema.json (JSON and form bodies).
    pub check: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Status {
    Code(u16),
    /// `1XX` to `5XX`.
    Range(u16),
    Default,
}

impl Status {
    /// The key the spec writes it with.
    pub fn key(self) -> String {
        match self {
            Status::Code(code) => code.to_string(),
            Status::Range(class) => format!("{class}XX"),
            Status::Default => "default".into(),
        }
    }
}

pub struct Response {
    pub status: Status,
    pub variant: String,
    pub description: String,
    pub body: Option<ResponseBody>,
    pub headers: Vec<Header>,
}

pub struct ResponseBody {
    pub media: Media,
    pub content_type: String,
    pub ty: TokenStream,
    /// Name of its schema in schema.json (JSON bodies).
    pub check: Option<String>,
}

pub struct Header {
    pub api_name: String,
    pub name: String,
    pub required: bool,
    pub ty: TokenStream,
}

pub struct Scheme {
    pub name: String,
    /// `authenticate_<rust>` is its trait method.
    pub rust: String,
    pub kind: SchemeKind,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>` (http bearer, OAuth 2, OpenID Connect).
    Bearer,
    /// `Authorization: Basic <base64 user:password>`.
    Basic,
    /// A key in a header or a query parameter.
    ApiKey { location: Location, name: String },
}

/// The settings of the one type space; the client generator uses the same.
pub fn type_settings() -> TypeSpaceSettings {
    let mut settings = TypeSpaceSettings::default();
    settings
        .with_type_mod("types")
        .with_struct_builder(false)
        .with_derive("::schemars::JsonSchema".to_string())
        .with_derive("PartialEq".to_string())
        .with_crate("std", typify::CrateVers::Any, None);
    for (schema, rust, impls) in plain_strings() {
        settings.with_conversion(schema, rust, impls.into_iter());
    }
    settings
}

/// String formats that typify makes types of other crates (chrono's, uuid's) are plain
/// strings here: the generated crates need no more dependencies, a value is kept byte for byte
/// as the spec's examples and the data files write it (chrono would rewrite an offset in
/// UTC), and the server still checks the format where it checks the schema. As typify's
/// conversions: (schema, Rust type, what the type implements).
pub fn plain_strings() -> Vec<(
    schemars::schema::SchemaObject,
    &'static str,
    Vec<typify::TypeSpaceImpl>,
)> {
    ["date", "date-time", "uuid"]
        .into_iter()
        .map(|format| {
            let schema = schemars::schema::SchemaObject {
                instance_type: Some(schemars::schema::InstanceType::String.into()),
                format: Some(format.to_string()),
                ..Default::default()
            };
            let impls = vec![
                typify::TypeSpaceImpl::FromStr,
                typify::TypeSpaceImpl::Display,
            ];
            (schema, "::std::string::String", impls)
        })
        .collect()
}

/// A name made into a Rust identifier the way the client generator makes it.
pub fn sanitize(input: &str, pascal: bool) -> String {
    let to_case = |s: &str| {
        if pascal {
            s.to_pascal_case()
        } else {
            s.to_snake_case()
        }
    };
    let out = match input {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => to_case(
            &input
                .replace('\'', "")
                .replace(|c: char| !unicode_ident::is_xid_continue(c), "-"),
        ),
    };
    let out = match out.chars().next() {
        None => to_case("x"),
        Some(c) if unicode_ident::is_xid_start(c) => out,
        Some(_) => format!("_{out}"),
    };
    if typify::accept_as_ident(&out) {
        out
    } else {
        format!("{out}_")
    }
}

/// `path` as one JSON pointer token.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Names the handler and the trait method use for themselves; a parameter of the same name is
/// renamed.
const RESERVED: &[&str] = &[
    "caller", "body", "api", "parts", "request", "path", "query", "served",
];

struct Reader<'a> {
    spec: &'a Spec,
    api: &'a OpenAPI,
    types: TypeSpace,
    inline_schemas: Vec<(String, Value)>,
}

impl Model {
    /// Reads `api` (the generator's view of `spec`) into the model.
    pub fn read(spec: &Spec, api: &OpenAPI) -> Result<Model, SpecError> {
        let mut reader = Reader {
            spec,
            api,
            types: TypeSpace::new(&type_settings()),
            inline_schemas: Vec::new(),
        };
        reader.add_named_schemas()?;
        let declared = reader.schemes()?;
        let mut operations = Vec::new();
        let mut names = std::collections::BTreeMap::<String, String>::new();
        for (path, item) in &api.paths.paths {
            let item_pointer = format!("/paths/{}", escape(path));
            let Some(item) = item.as_item() else {
                return Err(reader.error(
                    &item_pointer,
                    "a path item given as $ref is not supported by the generator".into(),
                ));
            };
            for (method, op) in item.iter() {
                let pointer = format!("{item_pointer}/{method}");
                let operation = reader.operation(path, method, item, op, &pointer, &declared)?;
                if let Some(other) = names.insert(operation.name.clone(), pointer.clone()) {
                    return Err(reader.error(
                        &pointer,
                        format!(
                            "operationId {:?} becomes the Rust name {}, which the operation at #{other} has too; rename one of them",
                            operation.id, operation.name
                        ),
                    ));
                }
                operations.push(operation);
            }
        }
        let used: Vec<&String> = operations.iter().flat_map(|o| &o.security).collect();
        let schemes = declared
            .into_iter()
            .filter(|s| used.contains(&&s.name))
            .collect();
        Ok(Model {
            types: reader.types,
            operations,
            schemes,
            inline_schemas: reader.inline_schemas,
        })
    }
}

impl Reader<'_> {
    fn error(&self, pointer: &str, message: String) -> SpecError {
        SpecError::at(self.spec, pointer, message)
    }

    fn add_named_schemas(&mut self) -> Result<(), SpecError> {
        let mut converted = Vec::new();
        for (name, body) in self.api.components.iter().flat_map(|c| c.schemas.iter()) {
            let pointer = format!("/components/schemas/{}", escape(name));
            let value = serde_json::to_value(body).unwrap_or_default();
            let schema = schema::to_schemars(&value).map_err(|e| self.error(&pointer, e))?;
            converted.push((name.clone(), schema));
        }
        let types = &mut self.types;
        super::guard::guarded_in(self.spec, "model types", || {
            types.add_ref_types(converted).map_err(|e| e.to_string())
        })
        .map_err(|e| match e.pointer {
            Some(_) => e,
            // Not traced to one schema: the schemas as a whole are at fault.
            None => SpecError::at(self.spec, "/components/schemas", e.message),
        })
    }

    /// The Rust type of `value` (an OpenAPI schema) added under `name`, as typify names it.
    fn add_type(
        &mut self,
        value: &Value,
        name: &str,
        pointer: &str,
    ) -> Result<typify::TypeId, SpecError> {
        let converted = schema::to_schemars(value).map_err(|e| self.error(pointer, e))?;
        let types = &mut self.types;
        let name = name.to_string();
        super::guard::guarded(self.spec, "type", || {
            types
                .add_type_with_name(&converted, Some(name))
                .map_err(|e| e.to_string())
        })
        .map_err(|e| {
            self.error(
                pointer,
                format!("this schema cannot become a Rust type: {}", e.message),
            )
        })
    }

    fn ident(&self, id: &typify::TypeId) -> TokenStream {
        self.types
            .get_type(id)
            .map(|t| t.ident())
            .unwrap_or_else(|_| quote::quote!(::serde_json::Value))
    }

    /// The declared security schemes.
    fn schemes(&self) -> Result<Vec<Scheme>, SpecError> {
        let mut out = Vec::new();
        for (name, scheme) in self
            .api
            .components
            .iter()
            .flat_map(|c| c.security_schemes.iter())
        {
            let pointer = format!("/components/securitySchemes/{}", escape(name));
            let Some(scheme) = scheme.as_item() else {
                return Err(self.error(
                    &pointer,
                    "a security scheme given as $ref is not supported by the generator".into(),
                ));
            };
            let kind = match scheme {
                SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("bearer") => {
                    SchemeKind::Bearer
                }
                SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("basic") => {
                    SchemeKind::Basic
                }
                SecurityScheme::HTTP { scheme, .. } => {
                    return Err(self.error(
                        &pointer,
                        format!("http scheme {scheme:?} is not supported by the server generator; use bearer or basic"),
                    ));
                }
                SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIDConnect { .. } => {
                    SchemeKind::Bearer
                }
                SecurityScheme::APIKey { location, name, .. } => SchemeKind::ApiKey {
                    location: match location {
                        APIKeyLocation::Header => Location::Header,
                        APIKeyLocation::Query => Location::Query,
                        APIKeyLocation::Cookie => {
                            return Err(self.error(
                                &pointer,
                                "an apiKey in a cookie is not supported by the server generator; use a header or a query parameter".into(),
                            ));
                        }
                    },
                    name: name.clone(),
                },
            };
            out.push(Scheme {
                name: name.clone(),
                rust: sanitize(name, false),
                kind,
            });
        }
        Ok(out)
    }

    fn operation(
        &mut self,
        path: &str,
        method: &str,
        item: &openapiv3::PathItem,
        op: &openapiv3::Operation,
        pointer: &str,
        declared: &[Scheme],
    ) -> Result<Operation, SpecError> {
        let Some(id) = op.operation_id.clone() else {
            return Err(self.error(
                pointer,
                "the operation has no operationId; the generator names its method after it".into(),
            ));
        };
        if op.extensions.contains_key("x-dropshot-websocket") {
            return Err(self.error(pointer, "a websocket upgrade (x-dropshot-websocket) is not supported by the server generator".into()));
        }
        if !op.callbacks.is_empty() {
            return Err(self.error(
                &format!("{pointer}/callbacks"),
                "callbacks are not supported by the server generator".into(),
            ));
        }
        let name = sanitize(&id, false);

        // Operation parameters override path-item ones of the same name and location;
        // typify sees them in name order, as the client generator adds them.
        let mut declared_params = std::collections::BTreeMap::new();
        let item_params = item
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, format!("/paths/{}/parameters/{i}", escape(path))));
        let op_params = op
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, format!("{pointer}/parameters/{i}")));
        for (param, at) in item_params.chain(op_params) {
            let (param, at) = self.resolve_param(param, at)?;
            declared_params.insert(param.parameter_data_ref().name.clone(), (param.clone(), at));
        }
        if op.request_body.is_some()
            && let Some((_, at)) = declared_params
                .iter()
                .find(|(name, _)| sanitize(name, false) == "body")
                .map(|(_, found)| found)
        {
            // progenitor names the request body `body` too, and its client would not compile.
            return Err(self.error(at, "a parameter named body beside a request body is not supported by the generator (the generated client names both `body`); rename the parameter".into()));
        }
        let template_names = template_names(path);
        if let Some(segment) = path
            .split('/')
            .find(|s| s.contains('{') && (s.matches('{').count() > 1 || !s.ends_with('}')))
        {
            return Err(self.error(
                &format!("/paths/{}", escape(path)),
                format!("the path segment {segment:?} is not supported by the server generator: a parameter must end its segment (text before it is fine), as the router matches a parameter up to the next `/`"),
            ));
        }
        let mut params = Vec::new();
        for (param, at) in declared_params.values() {
            params.push(self.param(&id, param, at)?);
        }
        for name in &template_names {
            if !params
                .iter()
                .any(|p| p.location == Location::Path && &p.api_name == name)
            {
                return Err(self.error(pointer, format!("the path names {{{name}}} but the operation declares no path parameter {name:?}")));
            }
        }
        if let Some(p) = params
            .iter()
            .find(|p| p.location == Location::Path && !template_names.contains(&p.api_name))
        {
            return Err(self.error(
                pointer,
                format!(
                    "path parameter {:?} does not appear in the path {path}",
                    p.api_name
                ),
            ));
        }
        // The client's order: path parameters as the path names them, then query, then header.
        params.sort_by_key(|p| match p.location {
            Location::Path => (
                0,
                template_names
                    .iter()
                    .position(|n| *n == p.api_name)
                    .unwrap_or(0),
                String::new(),
            ),
            Location::Query => (1, 0, p.api_name.clone()),
            Location::Header => (2, 0, p.api_name.clone()),
        });
        let mut taken: Vec<String> = RESERVED.iter().map(|s| s.to_string()).collect();
        for param in &mut params {
            while taken.contains(&param.name) {
                param.name.push('_');
            }
            taken.push(param.name.clone());
        }

        let body = match &op.request_body {
            Some(body) => self.body(&id, body, &format!("{pointer}/requestBody"))?,
            None => None,
        };
        let responses = self.responses(&id, op, pointer)?;
        let security = self.security(op, pointer, declared)?;
        Ok(Operation {
            id,
            name,
            method: method.to_string(),
            path: path.to_string(),
            summary: op.summary.clone().filter(|s| !s.is_empty()),
            description: op.description.clone().filter(|s| !s.is_empty()),
            params,
            body,
            responses,
            security,
        })
    }

    fn resolve_param<'p>(
        &'p self,
        param: &'p ReferenceOr<Parameter>,
        at: String,
    ) -> Result<(&'p Parameter, String), SpecError> {
        match param {
            ReferenceOr::Item(p) => Ok((p, at)),
            ReferenceOr::Reference { reference } => {
                let found = reference
                    .strip_prefix("#/components/parameters/")
                    .and_then(|name| self.api.components.as_ref()?.parameters.get(name));
                match found {
                    Some(ReferenceOr::Item(p)) => Ok((p, reference[1..].to_string())),
                    _ => Err(self.error(
                        &at,
                        format!("{reference} is not a parameter of #/components/parameters"),
                    )),
                }
            }
        }
    }

    fn param(&mut self, op_id: &str, param: &Parameter, at: &str) -> Result<Param, SpecError> {
        let (data, location, explode) = match param {
            Parameter::Path {
                parameter_data,
                style,
            } => {
                if *style != PathStyle::Simple {
                    return Err(self.error(at, format!("path parameter style {style:?} is not supported by the generator; use simple")));
                }
                if !parameter_data.required {
                    return Err(self.error(
                        at,
                        format!("path parameter {:?} must be required", parameter_data.name),
                    ));
                }
                (parameter_data, Location::Path, false)
            }
            Parameter::Query {
                parameter_data,
                style,
                ..
            } => {
                if *style != QueryStyle::Form {
                    return Err(self.error(at, format!("query parameter style {style:?} is not supported by the generator; use form")));
                }
                (
                    parameter_data,
                    Location::Query,
                    parameter_data.explode.unwrap_or(true),
                )
            }
            Parameter::Header { parameter_data, .. } => (parameter_data, Location::Header, false),
            Parameter::Cookie { parameter_data, .. } => {
                return Err(self.error(at, format!("cookie parameter {:?} is not supported by the generator (the generated client cannot send it)", parameter_data.name)));
            }
        };
        let ParameterData {
            name: api_name,
            description,
            required,
            format,
            ..
        } = data;
        let required = *required;
        let ParameterSchemaOrContent::Schema(schema) = format else {
            return Err(self.error(at, format!("parameter {api_name:?} is described by `content`; the generator supports parameters with a `schema` only")));
        };
        let value = serde_json::to_value(schema).unwrap_or_default();
        let schema_at = format!("{at}/schema");
        let resolved = self.resolve_schema(&value);
        let shape = shape(&resolved, explode).ok_or_else(|| {
            self.error(&schema_at, format!("{} parameter {api_name:?} has a schema that is not a string, number, integer, boolean or array of those; the server generator cannot read it from the request", location.as_str()))
        })?;
        if location == Location::Path && matches!(shape, Shape::Array { .. }) {
            return Err(self.error(&schema_at, format!("path parameter {api_name:?} is a list, which the generated client cannot send; give the path one value per parameter, or take the list in the query")));
        }
        let id = self.add_type(
            &value,
            &sanitize(&format!("{op_id}-{api_name}"), true),
            &schema_at,
        )?;
        let optional = self
            .types
            .get_type(&id)
            .ok()
            .and_then(|t| match t.details() {
                TypeDetails::Option(inner) => Some(inner),
                _ => None,
            });
        let (id, required) = match optional {
            // An optional type makes the parameter optional, as in the client.
            Some(inner) if location == Location::Query => (inner, false),
            _ => (id, required),
        };
        let ty = self.ident(&id);
        let check = (!parsing_checks(&resolved))
            .then(|| self.schema_name(&value, format!("{op_id}.{}.{api_name}", location.as_str())));
        let default = resolved.get("default").map(|d| d.to_string());
        Ok(Param {
            api_name: api_name.clone(),
            name: sanitize(api_name, false),
            location,
            required: required || location == Location::Path,
            ty,
            shape,
            check,
            hint: hint(&resolved),
            default,
            description: description.clone().filter(|d| !d.trim().is_empty()),
        })
    }

    /// The schema.json name of `value`: a named schema's own, or `inline` for an inline one.
    fn schema_name(&mut self, value: &Value, inline: String) -> String {
        if let Some(name) = named_ref(value) {
            return name.to_string();
        }
        self.inline_schemas.push((inline.clone(), value.clone()));
        inline
    }

    /// `value` with a reference to a named schema followed.
    fn resolve_schema(&self, value: &Value) -> Value {
        self.resolve_schema_at(value).0
    }

    /// `value` with a reference to a named schema followed, and where the schema it ends at
    /// is written when that is a named one.
    fn resolve_schema_at(&self, value: &Value) -> (Value, Option<String>) {
        let mut value = value.clone();
        let mut at = None;
        for _ in 0..32 {
            let Some(name) = named_ref(&value) else { break };
            let pointer = format!("/components/schemas/{}", escape(name));
            match self.spec.json.pointer(&pointer) {
                Some(target) => value = target.clone(),
                None => break,
            }
            at = Some(pointer);
        }
        (value, at)
    }

    fn body(
        &mut self,
        op_id: &str,
        body: &ReferenceOr<RequestBody>,
        at: &str,
    ) -> Result<Option<Body>, SpecError> {
        let (body, at) =
            match body {
                ReferenceOr::Item(b) => (b, at.to_string()),
                ReferenceOr::Reference { reference } => {
                    let found = reference
                        .strip_prefix("#/components/requestBodies/")
                        .and_then(|name| self.api.components.as_ref()?.request_bodies.get(name));
                    match found {
                        Some(ReferenceOr::Item(b)) => (b, reference[1..].to_string()),
                        _ => return Err(self.error(
                            at,
                            format!(
                                "{reference} is not a request body of #/components/requestBodies"
                            ),
                        )),
                    }
                }
            };
        let Some((content_type, media)) = body.content.first() else {
            return Ok(None);
        };
        if body.content.len() > 1 {
            return Err(self.error(&format!("{at}/content"), "a request body with more than one media type is not supported by the generator; keep one".into()));
        }
        let at = format!("{at}/content/{}", escape(content_type));
        let (kind, ty, check) = self.media(op_id, "body", content_type, media, &at, true)?;
        Ok(Some(Body {
            media: kind,
            content_type: content_type.clone(),
            required: body.required,
            ty,
            check,
        }))
    }

    /// The kind, Rust type and schema.json name of a body of `content_type`.
    fn media(
        &mut self,
        op_id: &str,
        role: &str,
        content_type: &str,
        media: &MediaType,
        at: &str,
        request: bool,
    ) -> Result<(Media, TokenStream, Option<String>), SpecError> {
        let base = essence(content_type);
        let kind = match base.as_str() {
            "application/json" => Media::Json,
            // `application/merge-patch+json` and the like: JSON under a name of its own, which
            // the client sends and the stubs accept.
            json if request && is_suffixed_json(json) => Media::Json,
            "application/x-www-form-urlencoded" if request => Media::Form,
            "text/plain" | "text/x-markdown" => Media::Text,
            "application/octet-stream" => Media::Bytes,
            _ if !request => Media::Bytes,
            _ => {
                return Err(self.error(at, format!("request body media type {content_type:?} is not supported by the generator; use application/json (or another application/*+json type), application/x-www-form-urlencoded, text/plain or application/octet-stream")));
            }
        };
        if !media.encoding.is_empty() {
            return Err(self.error(
                &format!("{at}/encoding"),
                "`encoding` of a media type is not supported by the generator".into(),
            ));
        }
        match kind {
            Media::Json | Media::Form => {
                let Some(schema) = &media.schema else {
                    return Err(self.error(at, format!("the {content_type} body has no schema; the generator needs one to type it")));
                };
                let value = serde_json::to_value(schema).unwrap_or_default();
                if kind == Media::Form {
                    self.flat_form(&value, &format!("{at}/schema"))?;
                }
                let id = self.add_type(
                    &value,
                    &sanitize(&format!("{op_id}-{role}"), true),
                    &format!("{at}/schema"),
                )?;
                let name = self.schema_name(&value, format!("{op_id}.{}", role.replace('-', ".")));
                Ok((kind, self.ident(&id), Some(name)))
            }
            Media::Text => {
                if request {
                    self.plain_schema(media, at, content_type, None)?;
                }
                Ok((kind, quote::quote!(::std::string::String), None))
            }
            Media::Bytes => {
                if request {
                    self.plain_schema(media, at, content_type, Some("binary"))?;
                }
                Ok((kind, quote::quote!(::axum::body::Bytes), None))
            }
        }
    }

    /// A form is sent by the client, and read by the stubs, as one `name=value` pair per
    /// property (serde_urlencoded), which has no way to write a list or an object.
    fn flat_form(&self, schema: &Value, at: &str) -> Result<(), SpecError> {
        // Errors point where the properties are written: in the named schema referred to.
        let (resolved, named) = self.resolve_schema_at(schema);
        let at = named.unwrap_or_else(|| at.to_owned());
        let properties = resolved.get("properties").and_then(Value::as_object);
        for (name, property) in properties.into_iter().flatten() {
            let property = self.resolve_schema(property);
            let nested = ["items", "properties", "additionalProperties"]
                .iter()
                .any(|k| property.get(*k).is_some())
                || matches!(
                    property.get("type").and_then(Value::as_str),
                    Some("array" | "object")
                );
            if nested {
                return Err(self.error(
                    &format!("{at}/properties/{}", escape(name)),
                    format!("form property {name:?} is a list or an object, which the generated client cannot send in a form (one name=value pair per property); make it a string, number or boolean, or send JSON"),
                ));
            }
        }
        Ok(())
    }

    /// The client sends text and byte bodies as they are; it accepts only a plain string schema.
    fn plain_schema(
        &self,
        media: &MediaType,
        at: &str,
        content_type: &str,
        format: Option<&str>,
    ) -> Result<(), SpecError> {
        let value = media
            .schema
            .as_ref()
            .map(|s| self.resolve_schema(&serde_json::to_value(s).unwrap_or_default()));
        let plain = value.as_ref().and_then(Value::as_object).is_some_and(|s| {
            s.get("type") == Some(&json!("string"))
                && s.get("format").and_then(Value::as_str) == format
                && ![
                    "pattern",
                    "minLength",
                    "maxLength",
                    "enum",
                    "nullable",
                    "default",
                ]
                .iter()
                .any(|k| s.contains_key(*k))
        });
        if plain {
            return Ok(());
        }
        let wanted = match format {
            Some(f) => format!("{{type: string, format: {f}}}"),
            None => "{type: string}".into(),
        };
        // Point at the schema that is wrong, or at the media type that lacks one.
        let at = match media.schema {
            Some(_) => format!("{at}/schema"),
            None => at.to_string(),
        };
        Err(self.error(&at, format!("a {content_type} request body must have the schema {wanted} (the generated client sends it as it is)")))
    }

    fn responses(
        &mut self,
        op_id: &str,
        op: &openapiv3::Operation,
        pointer: &str,
    ) -> Result<Vec<Response>, SpecError> {
        let listed = op
            .responses
            .default
            .iter()
            .map(|r| (Status::Default, r))
            .chain(op.responses.responses.iter().map(|(status, r)| {
                (
                    match status {
                        StatusCode::Code(code) => Status::Code(*code),
                        StatusCode::Range(class) => Status::Range(*class),
                    },
                    r,
                )
            }));
        let mut out = Vec::new();
        for (status, response) in listed {
            let at = format!("{pointer}/responses/{}", escape(&status.key()));
            if let Status::Code(code) = status
                && !(100..=599).contains(&code)
            {
                return Err(self.error(&at, format!("{code} is not an HTTP status")));
            }
            let (response, at) = match response {
                ReferenceOr::Item(r) => (r, at),
                ReferenceOr::Reference { reference } => {
                    let found = reference
                        .strip_prefix("#/components/responses/")
                        .and_then(|name| self.api.components.as_ref()?.responses.get(name));
                    match found {
                        Some(ReferenceOr::Item(r)) => (r, reference[1..].to_string()),
                        _ => {
                            return Err(self.error(
                                &at,
                                format!("{reference} is not a response of #/components/responses"),
                            ));
                        }
                    }
                }
            };
            // Like the client: a JSON body if there is one, else the first media type, raw.
            let json_media = response
                .content
                .iter()
                .find(|(ct, _)| essence(ct) == "application/json");
            let body = match json_media.or_else(|| response.content.first()) {
                Some((content_type, media)) => {
                    let media_at = format!("{at}/content/{}", escape(content_type));
                    if json_media.is_some() && media.schema.is_none() {
                        return Err(self.error(
                            &media_at,
                            "a JSON response without a schema is not supported by the generator"
                                .into(),
                        ));
                    }
                    let (kind, ty, check) =
                        self.media(op_id, "response", content_type, media, &media_at, false)?;
                    Some(ResponseBody {
                        media: kind,
                        content_type: content_type.clone(),
                        ty,
                        check,
                    })
                }
                None => None,
            };
            let mut headers = Vec::new();
            for (header_name, header) in &response.headers {
                if header_name.eq_ignore_ascii_case("content-type") {
                    continue;
                }
                let header_at = format!("{at}/headers/{}", escape(header_name));
                let header = match header {
                    ReferenceOr::Item(h) => h,
                    ReferenceOr::Reference { reference } => {
                        let found = reference
                            .strip_prefix("#/components/headers/")
                            .and_then(|name| self.api.components.as_ref()?.headers.get(name));
                        match found {
                            Some(ReferenceOr::Item(h)) => h,
                            _ => {
                                return Err(self.error(
                                    &header_at,
                                    format!("{reference} is not a header of #/components/headers"),
                                ));
                            }
                        }
                    }
                };
                if !is_http_header_name(header_name) {
                    return Err(self.error(
                        &header_at,
                        format!("{header_name:?} is not a valid HTTP header name"),
                    ));
                }
                let ParameterSchemaOrContent::Schema(schema) = &header.format else {
                    return Err(self.error(&header_at, "a header described by `content` is not supported by the generator; give it a `schema`".into()));
                };
                let value = serde_json::to_value(schema).unwrap_or_default();
                if shape(&self.resolve_schema(&value), false).is_none() {
                    return Err(self.error(&format!("{header_at}/schema"), "a response header must be a string, number, integer, boolean or array of those".into()));
                }
                let id = self.add_type(
                    &value,
                    &sanitize(&format!("{op_id}-{}-{header_name}", status.key()), true),
                    &format!("{header_at}/schema"),
                )?;
                headers.push(Header {
                    api_name: header_name.clone(),
                    name: sanitize(header_name, false),
                    required: header.required,
                    ty: self.ident(&id),
                });
            }
            // The answer's fields, and the local its encoding is built in.
            let mut taken = vec![
                "body".to_string(),
                "status".to_string(),
                "answer".to_string(),
            ];
            for header in &mut headers {
                while taken.contains(&header.name) {
                    header.name.push('_');
                }
                taken.push(header.name.clone());
            }
            out.push(Response {
                status,
                variant: variant_name(status),
                description: response.description.clone(),
                body,
                headers,
            });
        }
        // Specific statuses first, then ranges, then the default, as the router matches them.
        out.sort_by_key(|r| match r.status {
            Status::Code(code) => (0, code),
            Status::Range(class) => (1, class),
            Status::Default => (2, 0),
        });
        if out.is_empty() {
            return Err(self.error(
                &format!("{pointer}/responses"),
                "the operation documents no response".into(),
            ));
        }
        Ok(out)
    }

    fn security(
        &self,
        op: &openapiv3::Operation,
        pointer: &str,
        declared: &[Scheme],
    ) -> Result<Vec<String>, SpecError> {
        let (requirements, at) = match &op.security {
            Some(requirements) => (requirements, format!("{pointer}/security")),
            None => match &self.api.security {
                Some(requirements) => (requirements, "/security".to_string()),
                None => return Ok(Vec::new()),
            },
        };
        let mut out = Vec::new();
        for (i, requirement) in requirements.iter().enumerate() {
            let at = format!("{at}/{i}");
            let mut names = requirement.keys();
            let (Some(name), None) = (names.next(), names.next()) else {
                let what = if requirement.is_empty() {
                    "an empty security requirement (authentication optional) beside others"
                } else {
                    "a security requirement that combines several schemes"
                };
                if requirements.len() == 1 && requirement.is_empty() {
                    return Ok(Vec::new());
                }
                return Err(self.error(&at, format!("{what} is not supported by the server generator; list the schemes as alternatives")));
            };
            if !declared.iter().any(|s| &s.name == name) {
                return Err(self.error(
                    &at,
                    format!(
                        "security scheme {name:?} is not declared in #/components/securitySchemes"
                    ),
                ));
            }
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
        Ok(out)
    }
}

fn named_ref(value: &Value) -> Option<&str> {
    value
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

/// The names in a path template, in order.
fn template_names(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

fn scalar(schema: &Value) -> Option<Scalar> {
    match schema.get("type")?.as_str()? {
        "string" => Some(Scalar::String),
        "integer" => Some(Scalar::Integer),
        "number" => Some(Scalar::Number),
        "boolean" => Some(Scalar::Boolean),
        _ => None,
    }
}

fn shape(schema: &Value, explode: bool) -> Option<Shape> {
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        // Items are scalars written inline; a named item schema is looked at for its type only.
        let item = schema.get("items")?;
        return Some(Shape::Array {
            item: scalar(item).or_else(|| item.get("$ref").map(|_| Scalar::String))?,
            explode,
        });
    }
    if schema.get("type").is_none() && schema.get("enum").is_some() {
        return Some(Shape::Scalar(Scalar::String));
    }
    scalar(schema).map(Shape::Scalar)
}

/// Whether parsing into the generated type already enforces every rule of `schema`: true for
/// strings whose only rules are a pattern, lengths and an enum (typify's string types check
/// those when they parse).
fn parsing_checks(schema: &Value) -> bool {
    let Some(map) = schema.as_object() else {
        return false;
    };
    map.get("type") == Some(&json!("string"))
        && map.keys().all(|k| {
            matches!(
                k.as_str(),
                "type"
                    | "pattern"
                    | "minLength"
                    | "maxLength"
                    | "enum"
                    | "description"
                    | "example"
                    | "title"
            ) || k.starts_with("x-")
        })
}

/// A media type without its parameters, in lower case: `application/json` for
/// `Application/JSON; charset=utf-8`.
pub fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether a media type's essence is JSON under a name of its own (`application/*+json`).
pub fn is_suffixed_json(essence: &str) -> bool {
    essence.starts_with("application/") && essence.ends_with("+json")
}

/// What a valid value looks like: the schema's example when it has one, else its rules (a
/// default says what is used when the value is absent, not what a valid one looks like).
pub fn hint(schema: &Value) -> String {
    if let Some(Value::Array(values)) = schema.get("enum") {
        let values: Vec<String> = values
            .iter()
            .map(|v| {
                v.as_str()
                    .map(String::from)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect();
        return format!("one of {}", values.join(", "));
    }
    if let Some(example) = schema.get("example") {
        let shown = match example {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        return format!("a value like {shown}");
    }
    let mut parts = Vec::new();
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => {
            let min = schema.get("minLength").and_then(Value::as_u64);
            let max = schema.get("maxLength").and_then(Value::as_u64);
            parts.push(match (min, max) {
                (Some(min), Some(max)) if min == max => format!("{min} characters"),
                (Some(min), Some(max)) => format!("{min} to {max} characters"),
                (Some(min), None) => format!("at least {min} characters"),
                (None, Some(max)) => format!("at most {max} characters"),
                (None, None) => "a string".into(),
            });
            if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
                parts.push(format!("matching {pattern}"));
            }
            if let Some(format) = schema.get("format").and_then(Value::as_str) {
                parts.push(format!("in the {format} format"));
            }
        }
        Some(ty @ ("integer" | "number")) => {
            parts.push(
                if ty == "integer" {
                    "an integer"
                } else {
                    "a number"
                }
                .into(),
            );
            let bound = |k: &str| {
                schema
                    .get(k)
                    .filter(|v| v.is_number())
                    .map(Value::to_string)
            };
            // OpenAPI 3.0's exclusive bounds are flags beside the bound.
            let open = |k: &str| schema.get(k) == Some(&Value::Bool(true));
            let lower = bound("minimum").map(|min| (min, open("exclusiveMinimum")));
            let upper = bound("maximum").map(|max| (max, open("exclusiveMaximum")));
            match (lower, upper) {
                (Some((min, false)), Some((max, false))) => {
                    parts.push(format!("from {min} to {max}"))
                }
                (Some((min, true)), Some((max, open_max))) => parts.push(format!(
                    "greater than {min} and {} {max}",
                    if open_max { "less than" } else { "at most" }
                )),
                (Some((min, false)), Some((max, true))) => {
                    parts.push(format!("of at least {min} and less than {max}"))
                }
                (Some((min, false)), None) => parts.push(format!("of at least {min}")),
                (Some((min, true)), None) => parts.push(format!("greater than {min}")),
                (None, Some((max, false))) => parts.push(format!("of at most {max}")),
                (None, Some((max, true))) => parts.push(format!("less than {max}")),
                (None, None) => {}
            }
        }
        Some("boolean") => parts.push("true or false".into()),
        Some("array") => {
            let item = schema
                .get("items")
                .map(hint)
                .unwrap_or_else(|| "values".into());
            parts.push(format!("a list, each item {item}"));
        }
        _ => {}
    }
    if parts.is_empty() {
        "a value".into()
    } else {
        parts.join(" ")
    }
}

/// The variant of a per-operation response type that holds `status`.
fn variant_name(status: Status) -> String {
    let code = match status {
        Status::Code(code) => code,
        Status::Range(class) => return format!("Status{class}xx"),
        Status::Default => return "Default".into(),
    };
    // The registered reason phrase in Rust's case (`404` → `NotFound`, `418` → `ImATeapot`),
    // so a handler reads like the status it answers; an unregistered code keeps its number.
    match http::StatusCode::from_u16(code)
        .ok()
        .and_then(|status| status.canonical_reason())
    {
        Some(reason) => reason.replace('\'', "").to_pascal_case(),
        None => format!("Status{code}"),
    }
}

/// Whether `name` is a valid HTTP header name (an RFC 9110 token).
fn is_http_header_name(name: &str) -> bool {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    !name.is_empty() && name.chars().all(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_identifiers_as_the_client_makes_them() {
        assert_eq!(sanitize("retry-authflow", false), "retry_authflow");
        assert_eq!(sanitize("key.get", false), "key_get");
        assert_eq!(sanitize("type", false), "type_");
        assert_eq!(sanitize("self", false), "self_");
        assert_eq!(sanitize("fetchDevice", false), "fetch_device");
        assert_eq!(sanitize("list_devices-limit", true), "ListDevicesLimit");
        assert_eq!(sanitize("9lives", false), "_9lives");
        // Reaction names (`+1`, `-1`), which the type generator spells out, whatever the case.
        assert_eq!(sanitize("+1", true), "plus1");
        assert_eq!(sanitize("-1", true), "minus1");
        assert_eq!(sanitize("+1", false), "plus1");
        assert_eq!(sanitize("-2", true), "_2");
    }

    /// The model of a spec given as YAML, or the message of its error.
    fn model_of(yaml: &str) -> Result<Model, String> {
        let spec = crate::spec::parse("test.yaml", yaml.to_string()).map_err(|e| e.to_string())?;
        crate::codegen::read_model(&spec).map_err(|e| e.to_string())
    }

    #[test]
    fn a_form_body_takes_only_flat_properties() {
        let form = |property: &str| {
            model_of(&format!(
                "openapi: 3.0.3
info: {{title: t, version: '1'}}
paths:
  /forms:
    post:
      operationId: post_form
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                name: {{type: string}}
                field: {property}
      responses:
        '201': {{description: made}}
"
            ))
            .map(|_| ())
        };
        for flat in ["{type: integer}", "{type: string, enum: [a]}", "{}"] {
            assert_eq!(form(flat), Ok(()), "{flat}");
        }
        // By its type alone, or by the keywords of a list or an object alone.
        for nested in [
            "{type: array}",
            "{type: object}",
            "{items: {type: string}}",
            "{properties: {a: {type: string}}}",
            "{additionalProperties: {type: string}}",
        ] {
            let error = form(nested).unwrap_err();
            assert!(
                error.contains("form property \"field\" is a list or an object"),
                "{nested}: {error}"
            );
        }
    }

    /// A spec of one operation that `security` protects, with `schemes` declared.
    fn secured(schemes: &str, security: &str) -> String {
        format!(
            "openapi: 3.0.3
info: {{title: t, version: '1'}}
components:
  securitySchemes:
{schemes}
paths:
  /things:
    get:
      operationId: list_things
      security: [{security}]
      responses:
        '204': {{description: none}}
"
        )
    }

    /// A spec of one GET at `path`, declaring `params` (YAML flow mappings).
    fn get_at(path: &str, params: &[&str]) -> String {
        format!(
            "openapi: 3.0.3
info: {{title: t, version: '1'}}
paths:
  {path}:
    get:
      operationId: get_it
      parameters: [{}]
      responses:
        '204': {{description: none}}
",
            params.join(", ")
        )
    }

    #[test]
    fn dates_and_uuids_are_strings_checked_against_their_format() {
        let params: Vec<String> = ["date", "date-time", "uuid"]
            .iter()
            .map(|format| {
                format!("{{name: {format}, in: query, description: d, schema: {{type: string, format: {format}, example: x}}}}")
            })
            .collect();
        let params: Vec<&str> = params.iter().map(String::as_str).collect();
        let model = model_of(&get_at("/x", &params)).unwrap();
        for param in &model.operations[0].params {
            assert_eq!(
                param.ty.to_string(),
                ":: std :: string :: String",
                "{}",
                param.api_name
            );
            assert!(param.check.is_some(), "{}", param.api_name);
        }
        let types = model.types.to_stream().to_string();
        assert!(
            !types.contains("chrono") && !types.contains("uuid"),
            "{types}"
        );
    }

    #[test]
    fn a_response_header_needs_a_valid_http_name() {
        let answering = |name: &str| {
            model_of(&format!(
                "openapi: 3.0.3
info: {{title: t, version: '1'}}
paths:
  /x:
    get:
      operationId: get_x
      responses:
        '204':
          description: none
          headers:
            '{name}': {{schema: {{type: string}}}}
"
            ))
        };
        let model = answering("X-Rate_Limit.v2!").unwrap();
        let header = &model.operations[0].responses[0].headers[0];
        assert_eq!(
            (header.api_name.as_str(), header.name.as_str()),
            ("X-Rate_Limit.v2!", "x_rate_limit_v2")
        );
        for bad in ["X Rate", "", "Café"] {
            let error = answering(bad).map(|_| ()).unwrap_err();
            assert!(
                error.ends_with(&format!("{bad:?} is not a valid HTTP header name")),
                "{error}"
            );
        }
    }

    #[test]
    fn a_blank_parameter_description_is_none() {
        let described = |text: &str| {
            let param =
                format!("{{name: q, in: query, description: '{text}', schema: {{type: string}}}}");
            let model = model_of(&get_at("/x", &[&param])).unwrap();
            model.operations[0].params[0].description.clone()
        };
        assert_eq!(described("the query"), Some("the query".into()));
        assert_eq!(described(""), None);
        assert_eq!(described("  "), None);
    }

    #[test]
    fn path_templates_and_path_parameters_must_agree() {
        let a = "{name: a, in: path, required: true, schema: {type: string}}";
        let b = "{name: b, in: path, required: true, schema: {type: string}}";
        let q = "{name: q, in: query, schema: {type: string}}";
        assert!(model_of(&get_at("/x/{a}/y/{b}", &[a, b])).is_ok());
        assert!(model_of(&get_at("/x/v{a}", &[a])).is_ok());
        let refusal = |path: &str, params: &[&str]| match model_of(&get_at(path, params)) {
            Ok(_) => panic!("{path} with {params:?} was taken"),
            Err(e) => e,
        };
        let err = refusal("/x/{a}{b}", &[a, b]);
        assert!(
            err.contains(r#"the path segment "{a}{b}" is not supported"#),
            "{err}"
        );
        let err = refusal("/x/{a}/y/{b}", &[a, q]);
        assert!(
            err.contains(r#"the path names {b} but the operation declares no path parameter "b""#),
            "{err}"
        );
        let err = refusal("/x/{a}", &[a, b]);
        assert!(
            err.contains(r#"path parameter "b" does not appear in the path /x/{a}"#),
            "{err}"
        );
    }

    #[test]
    fn path_parameters_come_in_the_path_s_order_before_query_and_header() {
        let param = |name: &str, location: &str| {
            format!("{{name: {name}, in: {location}, required: true, schema: {{type: string}}}}")
        };
        let yaml = get_at(
            "/x/{b}/y/{a}",
            &[
                &param("h", "header"),
                &param("z", "query"),
                &param("a", "path"),
                &param("c", "query"),
                &param("b", "path"),
            ],
        );
        let Ok(model) = model_of(&yaml) else {
            panic!("refused");
        };
        let names: Vec<&str> = model.operations[0]
            .params
            .iter()
            .map(|p| p.api_name.as_str())
            .collect();
        assert_eq!(names, ["b", "a", "c", "z", "h"]);
    }

    #[test]
    fn a_nullable_query_parameter_is_optional_and_a_header_keeps_its_option() {
        let yaml = get_at(
            "/x",
            &[
                "{name: q, in: query, required: true, schema: {type: string, nullable: true}}",
                "{name: h, in: header, required: true, schema: {type: string, nullable: true}}",
                "{name: r, in: query, required: true, schema: {type: string}}",
            ],
        );
        let Ok(model) = model_of(&yaml) else {
            panic!("refused");
        };
        let params: Vec<(&str, bool, String)> = model.operations[0]
            .params
            .iter()
            .map(|p| (p.api_name.as_str(), p.required, p.ty.to_string()))
            .collect();
        assert_eq!(
            params,
            [
                ("q", false, ":: std :: string :: String".to_string()),
                ("r", true, ":: std :: string :: String".to_string()),
                (
                    "h",
                    true,
                    ":: std :: option :: Option < :: std :: string :: String >".to_string()
                ),
            ]
        );
    }

    /// A spec of one POST with `body` (YAML, indented for the operation) and one response,
    /// answered with `answer` (YAML, indented for the response), beside `components`.
    fn post_with(body: &str, answer: &str, components: &str) -> String {
        format!(
            "openapi: 3.0.3
info: {{title: t, version: '1'}}
components:
{components}
paths:
  /things:
    post:
      operationId: add_thing
{body}
      responses:
        '200':
          description: added
{answer}
"
        )
    }

    /// The one operation's body media, and its response's body media and header names.
    fn media_of(model: &Model) -> (Option<Media>, Option<Media>, Vec<String>) {
        let op = &model.operations[0];
        let response = &op.responses[0];
        (
            op.body.as_ref().map(|b| b.media),
            response.body.as_ref().map(|b| b.media),
            response
                .headers
                .iter()
                .map(|h| h.api_name.clone())
                .collect(),
        )
    }

    #[test]
    fn bodies_and_headers_are_read_inline_or_from_components() {
        let components = "  requestBodies:
    Thing:
      required: true
      content:
        application/json:
          schema: {type: object, properties: {name: {type: string}}}
  headers:
    Trace:
      schema: {type: string}";
        let yaml = post_with(
            "      requestBody: {$ref: '#/components/requestBodies/Thing'}",
            "          headers:
            X-Trace: {$ref: '#/components/headers/Trace'}
            X-Inline: {schema: {type: integer}}
          content:
            application/json: {schema: {type: string}}",
            components,
        );
        let Ok(model) = model_of(&yaml) else {
            panic!("refused");
        };
        let body = model.operations[0].body.as_ref().expect("the body");
        assert!(body.required);
        assert_eq!(body.content_type, "application/json");
        assert_eq!(
            media_of(&model),
            (
                Some(Media::Json),
                Some(Media::Json),
                vec!["X-Inline".to_string(), "X-Trace".to_string()]
            )
        );
    }

    #[test]
    fn a_form_or_an_unknown_media_type_is_a_request_s_only_and_raw_bytes_in_an_answer() {
        let form = "application/x-www-form-urlencoded: {schema: {type: object}}";
        let odd = "image/png: {schema: {type: string, format: binary}}";
        let request = |media: &str| format!("      requestBody: {{content: {{{media}}}}}");
        let answer = |media: &str| format!("          content: {{{media}}}");
        let none = "  schemas: {}";
        let read = |body: &str, answer: &str| model_of(&post_with(body, answer, none));
        let Ok(model) = read(&request(form), &answer(form)) else {
            panic!("a form refused");
        };
        assert_eq!(
            media_of(&model),
            (Some(Media::Form), Some(Media::Bytes), vec![])
        );
        let Ok(model) = read("", &answer(odd)) else {
            panic!("an image answer refused");
        };
        assert_eq!(media_of(&model), (None, Some(Media::Bytes), vec![]));
        let Err(err) = read(&request(odd), "") else {
            panic!("an image body taken");
        };
        assert!(
            err.contains(
                r#"request body media type "image/png" is not supported by the generator"#
            ),
            "{err}"
        );
        let two = format!(
            "      requestBody: {{content: {{{form}, 'application/json': {{schema: {{type: object}}}}}}}}"
        );
        let Err(err) = read(&two, "") else {
            panic!("two media types taken");
        };
        assert!(
            err.contains("/paths/~1things/post/requestBody/content")
                && err.contains("a request body with more than one media type is not supported"),
            "{err}"
        );
    }

    #[test]
    fn security_is_open_alone_or_a_list_of_single_schemes() {
        let schemes = "    a: {type: http, scheme: bearer}\n    b: {type: http, scheme: basic}";
        let read = |security: &str| model_of(&secured(schemes, security));
        let security_of = |security: &str| match read(security) {
            Ok(model) => model.operations[0].security.clone(),
            Err(e) => panic!("{security}: {e}"),
        };
        assert_eq!(security_of("{}"), Vec::<String>::new());
        assert_eq!(security_of("{b: []}, {a: []}, {b: []}"), ["b", "a"]);
        for (security, message) in [
            (
                "{}, {a: []}",
                "an empty security requirement (authentication optional) beside others is not supported",
            ),
            (
                "{a: [], b: []}",
                "a security requirement that combines several schemes is not supported",
            ),
            (
                "{c: []}",
                r#"security scheme "c" is not declared in #/components/securitySchemes"#,
            ),
        ] {
            let Err(err) = read(security) else {
                panic!("{security} was taken");
            };
            assert!(err.contains(message), "{security}: {err}");
        }
    }

    #[test]
    fn a_parameter_s_shape_follows_its_type_and_an_untyped_enum_is_text() {
        let shape_of = |schema: &str| {
            let param = format!("{{name: q, in: query, schema: {schema}}}");
            match model_of(&get_at("/x", &[&param])) {
                Ok(model) => model.operations[0].params[0].shape,
                Err(e) => panic!("{schema}: {e}"),
            }
        };
        assert_eq!(shape_of("{enum: [a, b]}"), Shape::Scalar(Scalar::String));
        assert_eq!(
            shape_of("{type: integer, enum: [1, 2]}"),
            Shape::Scalar(Scalar::Integer)
        );
        assert_eq!(
            shape_of("{type: array, items: {type: boolean}}"),
            Shape::Array {
                item: Scalar::Boolean,
                explode: true
            }
        );
    }

    #[test]
    fn http_schemes_are_bearer_basic_or_refused_by_name() {
        for (scheme, kind) in [
            ("bearer", SchemeKind::Bearer),
            ("Bearer", SchemeKind::Bearer),
            ("basic", SchemeKind::Basic),
            ("BASIC", SchemeKind::Basic),
        ] {
            let yaml = secured(
                &format!("    main: {{type: http, scheme: {scheme}}}"),
                "{main: []}",
            );
            let Ok(model) = model_of(&yaml) else {
                panic!("{scheme} was refused");
            };
            assert_eq!(model.schemes.len(), 1, "{scheme}");
            assert_eq!(model.schemes[0].kind, kind, "{scheme}");
        }
        let yaml = secured("    main: {type: http, scheme: digest}", "{main: []}");
        let Err(err) = model_of(&yaml) else {
            panic!("digest was taken");
        };
        assert!(
            err.contains("/components/securitySchemes/main")
                && err.contains(r#"http scheme "digest" is not supported by the server generator; use bearer or basic"#),
            "{err}"
        );
    }

    #[test]
    fn hints_show_an_example_or_the_rules() {
        assert_eq!(
            hint(&json!({"type": "string", "example": "abc"})),
            "a value like abc"
        );
        assert_eq!(
            hint(&json!({"type": "integer", "minimum": 1, "maximum": 100, "default": 10})),
            "an integer from 1 to 100"
        );
        assert_eq!(
            hint(&json!({"type": "string", "enum": ["a", "b"]})),
            "one of a, b"
        );
        assert_eq!(
            hint(&json!({"type": "array", "items": {"type": "boolean"}})),
            "a list, each item true or false"
        );
        assert_eq!(
            hint(&json!({"type": "string", "format": "date-time"})),
            "a string in the date-time format"
        );
        // OpenAPI 3.0's exclusive bounds, flags beside the bound.
        let bounded = |min: Option<(i64, bool)>, max: Option<(i64, bool)>| {
            let mut schema = json!({"type": "number"});
            if let Some((min, open)) = min {
                schema["minimum"] = json!(min);
                schema["exclusiveMinimum"] = json!(open);
            }
            if let Some((max, open)) = max {
                schema["maximum"] = json!(max);
                schema["exclusiveMaximum"] = json!(open);
            }
            hint(&schema)
        };
        for (min, max, said) in [
            (Some((0, false)), Some((1, false)), "a number from 0 to 1"),
            (
                Some((0, true)),
                Some((1, true)),
                "a number greater than 0 and less than 1",
            ),
            (
                Some((0, true)),
                Some((1, false)),
                "a number greater than 0 and at most 1",
            ),
            (
                Some((0, false)),
                Some((1, true)),
                "a number of at least 0 and less than 1",
            ),
            (Some((0, true)), None, "a number greater than 0"),
            (Some((0, false)), None, "a number of at least 0"),
            (None, Some((1, true)), "a number less than 1"),
            (None, Some((1, false)), "a number of at most 1"),
        ] {
            assert_eq!(bounded(min, max), said);
        }
    }

    #[test]
    fn statuses_name_their_variants() {
        let named = [
            (100, "Continue"),
            (200, "Ok"),
            (203, "NonAuthoritativeInformation"),
            (204, "NoContent"),
            (207, "MultiStatus"),
            (226, "ImUsed"),
            (308, "PermanentRedirect"),
            (404, "NotFound"),
            (414, "UriTooLong"),
            (418, "ImATeapot"),
            (429, "TooManyRequests"),
            (505, "HttpVersionNotSupported"),
            (511, "NetworkAuthenticationRequired"),
            (299, "Status299"),
            (599, "Status599"),
        ];
        for (code, name) in named {
            assert_eq!(variant_name(Status::Code(code)), name, "status {code}");
        }
        assert_eq!(variant_name(Status::Range(4)), "Status4xx");
        assert_eq!(variant_name(Status::Default), "Default");
    }

    #[test]
    fn only_plain_string_rules_are_left_to_parsing() {
        assert!(parsing_checks(
            &json!({"type": "string", "pattern": "^a$", "maxLength": 3})
        ));
        assert!(!parsing_checks(
            &json!({"type": "string", "format": "date"})
        ));
        assert!(!parsing_checks(&json!({"type": "integer"})));
    }
}
