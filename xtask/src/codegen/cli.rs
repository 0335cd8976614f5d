//! The command tree of the `authapi` command line: a subcommand per operation, a flag per
//! parameter, a file flag for a request body, and the call of the generated client each
//! subcommand makes. Names and help come from the operation model; how each value is passed
//! comes from the client's own method signatures, so that the two cannot disagree.

use std::collections::BTreeMap;

use heck::{ToKebabCase, ToShoutySnakeCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::model::{Location, Media, Model, Operation, Param, escape, sanitize};
use crate::spec::{Spec, SpecError};

/// Where the generated code finds what it calls.
pub struct Paths {
    /// The client crate or module, e.g. `::authapi_client`.
    pub client: TokenStream,
    /// The hand-written helpers it calls, e.g. `crate::runtime`.
    pub runtime: TokenStream,
}

/// Flags a subcommand has besides its parameters: the root's global ones, clap's own, and the
/// body's.
const TAKEN: &[&str] = &["base-url", "token", "help", "json-body", "body"];

/// `client` is the generated client's source, whose method signatures the calls follow.
pub fn generate(
    spec: &Spec,
    model: &Model,
    client: &str,
    paths: &Paths,
) -> Result<TokenStream, SpecError> {
    let error = |pointer: String, message: String| SpecError::at(spec, pointer, message);
    let file: syn::File = syn::parse_file(client).map_err(|e| {
        SpecError::file(
            &spec.shown,
            format!("the generated client does not parse: {e}"),
        )
    })?;
    let methods = client_methods(&file);
    let mut commands = Vec::new();
    let mut arms = Vec::new();
    let mut names = BTreeMap::new();
    let mut reads_args = false;
    for op in &model.operations {
        let pointer = format!("/paths/{}/{}", escape(&op.path), op.method);
        let command = op.name.to_kebab_case();
        if let Some(other) = names.insert(command.clone(), pointer.clone()) {
            return Err(error(
                pointer,
                format!(
                    "the command line would name this operation {command}, as it names the one at #{other}; rename one of them"
                ),
            ));
        }
        let Some(method) = methods.get(&op.name) else {
            return Err(error(
                pointer,
                format!(
                    "the generated client has no method {} for this operation",
                    op.name
                ),
            ));
        };
        let (command_tokens, arm) = operation(op, &command, method, paths)
            .map_err(|message| error(pointer.clone(), message))?;
        reads_args |= !method.args.is_empty();
        commands.push(command_tokens);
        arms.push(arm);
    }
    let client_path = &paths.client;
    let runtime = &paths.runtime;
    // Generated code compiles without warnings, for operations without parameters too.
    let unused = if arms.is_empty() {
        Some(quote! { let _ = (client, args); })
    } else if !reads_args {
        Some(quote! { let _ = args; })
    } else {
        None
    };
    Ok(quote! {
        use #runtime as rt;

        /// One subcommand per operation of the spec.
        pub fn commands() -> ::std::vec::Vec<::clap::Command> {
            ::std::vec::Vec::from([#(#commands),*])
        }

        /// Calls the operation that subcommand `name` stands for, with its arguments.
        pub async fn call(
            client: &#client_path::Client,
            name: &str,
            args: &::clap::ArgMatches,
        ) -> rt::Outcome {
            #unused
            match name {
                #(#arms)*
                _ => Err(rt::Failure::unknown_command(name)),
            }
        }
    })
}

/// The subcommand of one operation, and the arm of `call` that runs it.
fn operation(
    op: &Operation,
    command: &str,
    method: &Method,
    paths: &Paths,
) -> Result<(TokenStream, TokenStream), String> {
    let mut params: Vec<(&Param, String)> = Vec::new();
    for p in &op.params {
        let holder = |flag: &str| params.iter().find(|(_, f)| f == flag).map(|(p, _)| p);
        let mut flag = p.api_name.to_kebab_case();
        if flag.is_empty() || TAKEN.contains(&flag.as_str()) || holder(&flag).is_some() {
            flag = format!("{}-{flag}", p.location.as_str());
        }
        if let Some(other) = holder(&flag) {
            return Err(format!(
                "parameters {:?} and {:?} both become the command-line flag --{flag}; rename one of them",
                other.api_name, p.api_name
            ));
        }
        params.push((p, flag));
    }

    let mut args = Vec::new();
    let mut bindings = Vec::new();
    let mut passed = Vec::new();
    for (name, ty) in &method.args {
        let local = format_ident!("arg_{name}");
        let shape = Shape::of(ty, &paths.client)?;
        let required = !shape.optional;
        if name == "body"
            && !params
                .iter()
                .any(|(p, _)| sanitize(&p.api_name, false) == "body")
        {
            let Some(body) = &op.body else {
                return Err("the generated client takes a body the spec does not give".into());
            };
            let (flag, help, read) = match body.media {
                Media::Json => (
                    "json-body",
                    format!("JSON file with the request body ({})", body.content_type),
                    quote!(rt::json_file),
                ),
                Media::Form => (
                    "json-body",
                    format!(
                        "JSON file with the fields of the request body, sent as {}",
                        body.content_type
                    ),
                    quote!(rt::json_file),
                ),
                Media::Text => (
                    "body",
                    format!("File with the request body ({})", body.content_type),
                    quote!(rt::text_file),
                ),
                Media::Bytes => (
                    "body",
                    format!("File with the request body ({})", body.content_type),
                    quote!(rt::bytes_file),
                ),
            };
            args.push(quote! {
                ::clap::Arg::new(#flag)
                    .long(#flag)
                    .value_name("FILE")
                    .required(#required)
                    .value_parser(::clap::value_parser!(::std::path::PathBuf))
                    .help(#help)
            });
            let read = match (body.media, &shape.owned) {
                (Media::Json | Media::Form, owned) => quote!(#read::<#owned>(args, #flag)?),
                _ => quote!(#read(args, #flag)?),
            };
            bindings.push(if required {
                quote! { let #local = rt::required(#read, #flag)?; }
            } else {
                quote! { let #local = #read; }
            });
            passed.push(shape.pass_owned(&local));
            continue;
        }
        let Some((param, flag)) = params
            .iter()
            .find(|(p, _)| sanitize(&p.api_name, false) == *name)
        else {
            return Err(format!(
                "the generated client takes an argument {name} that the spec does not declare"
            ));
        };
        let value_name = param.api_name.to_shouty_snake_case();
        let value = &shape.value;
        let mut help = match param.description.as_deref() {
            Some(description) => format!("{description} ({})", param.hint),
            None => param.hint.clone(),
        };
        if param.location == Location::Header {
            help = format!("{help} [header {}]", param.api_name);
        }
        let repeat = shape.array.then(|| {
            help.push_str(" (repeat the flag for several values)");
            quote! { .action(::clap::ArgAction::Append) }
        });
        args.push(quote! {
            ::clap::Arg::new(#flag)
                .long(#flag)
                .value_name(#value_name)
                .required(#required)
                .value_parser(::clap::value_parser!(#value))
                #repeat
                .help(#help)
        });
        let read = if shape.array {
            quote!(rt::many::<#value>(args, #flag)?)
        } else {
            quote!(rt::one::<#value>(args, #flag)?)
        };
        bindings.push(if required {
            quote! { let #local = rt::required(#read, #flag)?; }
        } else {
            quote! { let #local = #read; }
        });
        passed.push(if shape.array {
            shape.pass_owned(&local)
        } else {
            shape.pass_borrowed(&local)
        });
    }

    let about = op
        .summary
        .clone()
        .or_else(|| op.description.clone())
        .unwrap_or_else(|| format!("{} {}", op.method.to_uppercase(), op.path));
    let long_about = op
        .description
        .as_ref()
        .filter(|_| op.summary.is_some())
        .map(|description| {
            let text = format!("{about}\n\n{description}");
            quote! { .long_about(#text) }
        });
    let command_tokens = quote! {
        ::clap::Command::new(#command)
            .about(#about)
            #long_about
            #(.arg(#args))*
    };

    let method_name = format_ident!("{}", op.name);
    let success = match method.success {
        ReplyKind::Json => quote! { rt::json(answer) },
        ReplyKind::Empty => quote! { rt::empty(answer) },
        ReplyKind::Bytes => quote! { rt::bytes(answer).await },
    };
    let failure = match method.error {
        ReplyKind::Json | ReplyKind::Empty => quote! { rt::error(error).await },
        ReplyKind::Bytes => quote! { rt::bytes_error(error).await },
    };
    let arm = quote! {
        #command => {
            #(#bindings)*
            match client.#method_name(#(#passed),*).await {
                Ok(answer) => #success,
                Err(error) => Err(#failure),
            }
        }
    };
    Ok((command_tokens, arm))
}

/// What an answer of the client holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ReplyKind {
    /// A typed value (or `()` for an error without a body).
    Json,
    /// Nothing (`()`).
    Empty,
    /// Raw bytes (`ByteStream`).
    Bytes,
}

/// A method of the generated client.
struct Method {
    /// Its arguments after `self`, by name. A raw body's is a type parameter
    /// (`B: Into<reqwest::Body>`), which only the body's own flag reads.
    args: Vec<(String, syn::Type)>,
    success: ReplyKind,
    error: ReplyKind,
}

/// The async methods of `impl Client` in the generated client, by name.
fn client_methods(file: &syn::File) -> BTreeMap<String, Method> {
    let mut methods = BTreeMap::new();
    for item in &file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let is_client = block.trait_.is_none()
            && matches!(&*block.self_ty, syn::Type::Path(p) if p.path.is_ident("Client"));
        if !is_client {
            continue;
        }
        for item in &block.items {
            let syn::ImplItem::Fn(f) = item else { continue };
            if f.sig.asyncness.is_none() {
                continue;
            }
            let args = f
                .sig
                .inputs
                .iter()
                .filter_map(|arg| match arg {
                    syn::FnArg::Typed(t) => match &*t.pat {
                        syn::Pat::Ident(name) => Some((name.ident.to_string(), (*t.ty).clone())),
                        _ => None,
                    },
                    syn::FnArg::Receiver(_) => None,
                })
                .collect();
            let (success, error) = match &f.sig.output {
                syn::ReturnType::Type(_, ty) => {
                    let outer = type_args(ty);
                    let kind = |i: usize| {
                        outer
                            .get(i)
                            .and_then(|t| type_args(t).into_iter().next())
                            .map_or(ReplyKind::Json, answer_kind)
                    };
                    (kind(0), kind(1))
                }
                syn::ReturnType::Default => (ReplyKind::Empty, ReplyKind::Json),
            };
            methods.insert(
                f.sig.ident.to_string(),
                Method {
                    args,
                    success,
                    error,
                },
            );
        }
    }
    methods
}

/// The type arguments of the last segment of a type path: `T, E` of `Result<T, E>`.
fn type_args(ty: &syn::Type) -> Vec<syn::Type> {
    let syn::Type::Path(p) = ty else {
        return Vec::new();
    };
    let Some(last) = p.path.segments.last() else {
        return Vec::new();
    };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return Vec::new();
    };
    args.args
        .iter()
        .filter_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

fn answer_kind(ty: syn::Type) -> ReplyKind {
    match ty {
        // The generated client's only tuple is `()`.
        syn::Type::Tuple(_) => ReplyKind::Empty,
        syn::Type::Path(p)
            if p.path
                .segments
                .last()
                .is_some_and(|s| s.ident == "ByteStream") =>
        {
            ReplyKind::Bytes
        }
        _ => ReplyKind::Json,
    }
}

/// How the client takes one argument.
struct Shape {
    /// `Option<..>`: the flag may be left out.
    optional: bool,
    /// Borrowed (`&'a T`, `&'a str`) rather than moved.
    by_ref: bool,
    /// `&'a str`: read as a `String` and lent as `&str`.
    str_ref: bool,
    /// A list (`Vec<T>`): the flag repeats.
    array: bool,
    /// The type clap parses each value into.
    value: TokenStream,
    /// The type of the whole argument once read (`T` or `Vec<T>`).
    owned: TokenStream,
}

impl Shape {
    fn of(ty: &syn::Type, client: &TokenStream) -> Result<Shape, String> {
        let (optional, ty) = match option_inner(ty) {
            Some(inner) => (true, inner),
            None => (false, ty.clone()),
        };
        let (by_ref, ty) = match ty {
            syn::Type::Reference(r) => (true, (*r.elem).clone()),
            other => (false, other),
        };
        let str_ref = by_ref && matches!(&ty, syn::Type::Path(p) if p.path.is_ident("str"));
        if str_ref {
            let string = quote!(::std::string::String);
            return Ok(Shape {
                optional,
                by_ref,
                str_ref,
                array: false,
                value: string.clone(),
                owned: string,
            });
        }
        let is_vec = matches!(&ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Vec"));
        if is_vec {
            let item = type_args(&ty)
                .into_iter()
                .next()
                .ok_or("a list argument of the client without an item type")?;
            let item = rooted(&item, client);
            return Ok(Shape {
                optional,
                by_ref,
                str_ref: false,
                array: true,
                value: item.clone(),
                owned: quote!(::std::vec::Vec<#item>),
            });
        }
        let value = rooted(&ty, client);
        Ok(Shape {
            optional,
            by_ref,
            str_ref: false,
            array: false,
            value: value.clone(),
            owned: value,
        })
    }

    /// Passes `local`, read by `rt::one` (a `&T`, or an `Option<&T>`).
    fn pass_borrowed(&self, local: &syn::Ident) -> TokenStream {
        match (self.optional, self.by_ref) {
            (false, true) => quote!(#local),
            (false, false) => quote!(#local.clone()),
            (true, true) if self.str_ref => quote!(#local.map(::std::string::String::as_str)),
            (true, true) => quote!(#local),
            (true, false) => quote!(#local.cloned()),
        }
    }

    /// Passes `local`, read as an owned value (a `T`, or an `Option<T>`).
    fn pass_owned(&self, local: &syn::Ident) -> TokenStream {
        match (self.optional, self.by_ref) {
            (false, true) => quote!(&#local),
            (true, true) => quote!(#local.as_ref()),
            (_, false) => quote!(#local),
        }
    }
}

/// `T` of `Option<T>`.
fn option_inner(ty: &syn::Type) -> Option<syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    type_args(ty).into_iter().next()
}

/// `ty` as the command line names it: a path relative to the client module (its own `types`)
/// is made to start at the client.
fn rooted(ty: &syn::Type, client: &TokenStream) -> TokenStream {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() && p.path.leading_colon.is_none() => {
            let first = p.path.segments.first().map(|s| s.ident.to_string());
            match first.as_deref() {
                Some("types") => quote!(#client::#p),
                _ => quote!(#p),
            }
        }
        other => quote!(#other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_client_s_own_types_are_rooted_at_the_client() {
        let client = quote!(::c);
        let rooted = |ty: syn::Type| rooted(&ty, &client).to_string();
        assert_eq!(
            rooted(syn::parse_quote!(types::Thing)),
            ":: c :: types :: Thing"
        );
        for stays in [
            syn::parse_quote!(::types::Thing),
            syn::parse_quote!(<X as types::Named>::Name),
            syn::parse_quote!(::authapi_types::Kind),
            syn::parse_quote!(bool),
            syn::parse_quote!(&'a str),
        ] {
            let shown = quote!(#stays).to_string();
            assert_eq!(rooted(stays), shown);
        }
    }

    #[test]
    fn client_methods_are_the_async_methods_of_client_itself() {
        let file: syn::File = syn::parse_quote! {
            impl Client {
                pub fn new(baseurl: &str) -> Self { todo!() }
                pub async fn get_thing<'a>(&'a self, id: &'a str) -> Result<ResponseValue<()>, Error<ByteStream>> { todo!() }
            }
            impl Other {
                pub async fn get_other(&self) {}
            }
            impl Hooks for Client {
                async fn pre(&self, request: &mut Request) {}
            }
        };
        let methods = client_methods(&file);
        assert_eq!(methods.keys().collect::<Vec<_>>(), ["get_thing"]);
        let method = &methods["get_thing"];
        assert_eq!(method.args.len(), 1);
        assert_eq!(method.args[0].0, "id");
        assert_eq!(
            (method.success, method.error),
            (ReplyKind::Empty, ReplyKind::Bytes)
        );
    }
}
