//! Emits `operations.rs`: the `Client` type, the `Region` enum of the spec's
//! servers, one method per operation, and a request builder per operation
//! that validates, sends and decodes.

use super::{doc, ident, validation, Context};
use crate::error::{Error, Location, Result};
use crate::model::{
    AuthPlace, AuthScheme, Credentials, Operation, Param, ParamLocation, Success, TypeKind, TypeRef,
};
use crate::names::{pascal_case, shouty_snake_case, snake_case};
use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn emit(cx: &Context) -> Result<TokenStream> {
    let rt = &cx.rt;
    let model = cx.model;
    let api_name = model.info.title.trim_end_matches(" API").to_string();
    let api_version = &model.info.version;
    let fixed_hosts = &model.servers.fixed;
    let regional = match &model.servers.regional {
        Some(r) => {
            let template = &r.template;
            quote!(::std::option::Option::Some(#template))
        }
        None => quote!(::std::option::Option::None),
    };
    let auth_consts = model.auth.iter().filter_map(auth_const);
    let auth = api_auth(cx)?;
    let region = emit_region(cx);
    let client_doc = doc(Some(&format!(
        "A client of the {}, version {}.\n\nCheap to clone: clones share their connection pool and host state.",
        model.info.title, model.info.version
    )));
    let methods = model.operations.iter().map(|op| emit_method(cx, op));
    let builders = model
        .operations
        .iter()
        .map(|op| emit_builder(cx, op))
        .collect::<Result<Vec<_>>>()?;
    Ok(quote! {
        /// What the runtime needs to know of this API: its name and version
        /// (for the user agent) and where its servers are. For the runtime
        /// only: not part of the API.
        #[doc(hidden)]
        pub const API: #rt::__private::ApiInfo = #rt::__private::ApiInfo {
            name: #api_name,
            version: #api_version,
            default_hosts: &[#(#fixed_hosts),*],
            regional_host_template: #regional,
            auth: #auth,
        };

        #(#auth_consts)*

        #region

        #client_doc
        #[derive(Clone, Debug)]
        pub struct Client {
            transport: #rt::runtime::Transport,
        }

        impl #rt::__private::FromTransport for Client {
            fn from_transport(transport: #rt::runtime::Transport) -> Self {
                Self { transport }
            }
        }

        impl Client {
            /// A client that sends its requests through `transport`.
            pub fn from_transport(transport: #rt::runtime::Transport) -> Self {
                Self { transport }
            }

            /// The transport: hosts, retries, credentials and HTTP client.
            pub fn transport(&self) -> &#rt::runtime::Transport {
                &self.transport
            }

            #(#methods)*
        }

        #(#builders)*
    })
}

/// The constant that names where a security scheme's key goes (header or
/// query parameter); nothing for HTTP Basic.
fn auth_const(a: &AuthScheme) -> Option<TokenStream> {
    let (suffix, what, name) = match &a.place {
        AuthPlace::Header(header) => ("HEADER", "header", header),
        AuthPlace::Query(parameter) => ("QUERY_PARAMETER", "query parameter", parameter),
        AuthPlace::Basic => return None,
    };
    let konst = ident(&format!("{}_{suffix}", shouty_snake_case(&a.scheme)));
    let doc = doc(Some(&format!(
        "The {what} of the `{}` security scheme.{}",
        a.scheme,
        a.doc
            .as_deref()
            .map(|d| format!("\n\n{d}"))
            .unwrap_or_default()
    )));
    Some(quote!(#doc pub const #konst: &str = #name;))
}

/// `API.auth`: how the runtime sends the credentials.
fn api_auth(cx: &Context) -> Result<TokenStream> {
    let rt = &cx.rt;
    let place = |p: &AuthPlace| match p {
        AuthPlace::Header(name) => Ok(quote!(#rt::__private::CredentialIn::Header(#name))),
        AuthPlace::Query(name) => Ok(quote!(#rt::__private::CredentialIn::Query(#name))),
        // The model gives HTTP Basic as `Credentials::Basic`, never as a key's place.
        AuthPlace::Basic => Err(Error::new(
            &Location::root().key("components").key("securitySchemes"),
            "HTTP Basic together with other security schemes is not supported",
        )),
    };
    Ok(match &cx.model.credentials {
        Credentials::None => quote!(#rt::__private::Auth::None),
        Credentials::Basic => quote!(#rt::__private::Auth::Basic),
        Credentials::ApiKey { app_id, api_key } => {
            let app_id = match app_id {
                Some(p) => {
                    let p = place(p)?;
                    quote!(::std::option::Option::Some(#p))
                }
                None => quote!(::std::option::Option::None),
            };
            let api_key = place(api_key)?;
            quote!(#rt::__private::Auth::ApiKey { app_id: #app_id, api_key: #api_key })
        }
    })
}

fn emit_region(cx: &Context) -> TokenStream {
    let rt = &cx.rt;
    let Some(regional) = &cx.model.servers.regional else {
        return TokenStream::new();
    };
    let values = &regional.values;
    let variants: Vec<_> = values.iter().map(|v| ident(&pascal_case(v))).collect();
    let variant_docs = values.iter().map(|v| {
        format!(
            " `{v}`: `{}`",
            regional
                .template
                .replace(&format!("{{{}}}", regional.variable), v)
        )
    });
    let mut sorted = values.clone();
    sorted.sort();
    let expected = format!(
        "`{}` must be one of the following: {}",
        regional.variable,
        sorted.join(", ")
    );
    let doc = doc(Some(&format!(
        "{}\n\nParse one with [`str::parse`]: `\"de\".parse::<Region>()`.",
        regional
            .doc
            .as_deref()
            .unwrap_or("A region the API is served from.")
    )));
    let template = &regional.template;
    let placeholder = format!("{{{}}}", regional.variable);
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Region {
            #(#[doc = #variant_docs] #variants,)*
        }

        impl Region {
            /// Every region, in the spec's order.
            pub const ALL: &'static [Region] = &[#(Region::#variants),*];

            /// The region's name as the spec writes it.
            pub fn as_str(&self) -> &'static str {
                match self {
                    #(Region::#variants => #values,)*
                }
            }

            /// The base URL of the region's host.
            pub fn host(&self) -> ::std::string::String {
                #template.replace(#placeholder, self.as_str())
            }
        }

        impl #rt::runtime::RegionHost for Region {
            fn host(&self) -> ::std::string::String {
                Region::host(self)
            }
        }

        impl ::std::fmt::Display for Region {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for Region {
            type Err = #rt::runtime::ParseRegionError;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                match value {
                    #(#values => ::std::result::Result::Ok(Region::#variants),)*
                    _ => ::std::result::Result::Err(#rt::__private::parse_region_error(#expected)),
                }
            }
        }
    }
}

fn is_newtype(cx: &Context, ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Named(n) if matches!(cx.def(n).map(|d| &d.kind), Some(TypeKind::Newtype(_))))
}

/// The request builder's name: the operation's, unless that is the name of
/// an item the module defines already (`Client`, `Region`).
fn builder_name(op: &Operation) -> proc_macro2::Ident {
    let name = pascal_case(&op.id);
    match name.as_str() {
        "Client" | "Region" => ident(&format!("{name}Request")),
        _ => ident(&name),
    }
}

/// How a method takes a parameter, what it stores, and how it converts.
fn param_argument(cx: &Context, p: &Param) -> (TokenStream, TokenStream, TokenStream) {
    let models = quote!(super::models::);
    match cx.unalias(&p.ty) {
        TypeRef::String => (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(::std::string::String),
            quote!(.into()),
        ),
        TypeRef::Named(n) if matches!(cx.def(n).map(|d| &d.kind), Some(TypeKind::Newtype(_))) => (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(::std::string::String),
            quote!(.into()),
        ),
        TypeRef::Any | TypeRef::Map(_) => (
            quote!(
                impl ::std::iter::IntoIterator<
                    Item = (
                        impl ::std::convert::Into<::std::string::String>,
                        impl ::std::convert::Into<::serde_json::Value>
                    ),
                >
            ),
            quote!(::std::vec::Vec<(::std::string::String, ::serde_json::Value)>),
            quote!(.into_iter().map(|(k, v)| (k.into(), v.into())).collect()),
        ),
        _ => {
            let ty = cx.ty(&p.ty, &models);
            (ty.clone(), ty, TokenStream::new())
        }
    }
}

fn success_type(cx: &Context, success: &Success) -> TokenStream {
    match success {
        // Any JSON is kept as its text, never as a tree of values: what a
        // server sends cannot make the client allocate more than it read.
        Success::Json(ty) if *cx.unalias(ty) == TypeRef::Any => {
            let rt = &cx.rt;
            quote!(#rt::runtime::RawJson)
        }
        Success::Json(ty) => cx.ty(ty, &quote!(super::models::)),
        Success::Text => quote!(::std::string::String),
        Success::Headers(name) => {
            let name = ident(name);
            quote!(super::models::#name)
        }
        Success::Empty => quote!(()),
    }
}

fn operation_doc(op: &Operation) -> String {
    let mut text = op
        .summary
        .clone()
        .unwrap_or_else(|| format!("The `{}` operation.", op.id));
    if let Some(description) = &op.description {
        if Some(description) != op.summary.as_ref() {
            text.push_str("\n\n");
            text.push_str(description);
        }
    }
    text.push_str(&format!(
        "\n\n`{} {}` (`{}` in the spec).",
        op.method, op.path, op.id
    ));
    if !op.errors.is_empty() {
        text.push_str("\n\n# Errors\n\nThe request is checked before it is sent ([`Error::InvalidRequest`](crate::Error::InvalidRequest)). The API documents these failures ([`Error::Api`](crate::Error::Api)):\n");
        for (status, description) in &op.errors {
            let description = description.lines().next().unwrap_or_default();
            text.push_str(&format!("\n- `{status}`: {description}"));
        }
    }
    text
}

fn emit_method(cx: &Context, op: &Operation) -> TokenStream {
    let method = ident(&snake_case(&op.id));
    let builder = builder_name(op);
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for p in op.required_params() {
        let name = ident(&p.rust_name);
        let (arg, _, convert) = param_argument(cx, p);
        args.push(quote!(#name: #arg));
        inits.push(quote!(#name: #name #convert));
    }
    for p in op.params.iter().filter(|p| !p.required) {
        let name = ident(&p.rust_name);
        inits.push(quote!(#name: ::std::default::Default::default()));
    }
    let rt = &cx.rt;
    if let Some(body) = &op.body {
        let name = ident(&body.rust_name);
        if body.required {
            // Owned or lent: `push_events(batch)` and `push_events(&batch)`.
            let ty = cx.ty(&body.ty, &quote!(super::models::));
            args.push(quote!(#name: impl #rt::runtime::IntoBody<'a, #ty>));
            inits.push(quote!(#name: #rt::runtime::IntoBody::into_body(#name)));
        } else {
            inits.push(quote!(#name: ::std::option::Option::None));
        }
    }
    let lends = match &op.body {
        Some(body) if body.required => {
            " The body may be lent (`&body`) instead of handed over, to keep it after the call."
        }
        _ => "",
    };
    let doc = doc(Some(&format!(
        "{}\n\nReturns a request builder: set options on it, then `.await` it.{lends}",
        operation_doc(op)
    )));
    let deprecated = if op.deprecated {
        quote!(#[deprecated = "deprecated in the API spec"])
    } else {
        TokenStream::new()
    };
    let lifetime = body_lifetime(op);
    quote! {
        #doc
        #deprecated
        pub fn #method #lifetime(&self, #(#args),*) -> #builder #lifetime {
            #builder {
                client: self.clone(),
                #(#inits,)*
                options: ::std::default::Default::default(),
            }
        }
    }
}

/// `<'a>` for the request builders that hold a required body, which the
/// caller may lend (see `IntoBody` in the runtime); nothing for the others.
fn body_lifetime(op: &Operation) -> TokenStream {
    match &op.body {
        Some(body) if body.required => quote!(<'a>),
        _ => TokenStream::new(),
    }
}

/// A request builder: its struct, its setters, and the `send` that
/// validates, builds, sends and decodes the request.
fn emit_builder(cx: &Context, op: &Operation) -> Result<TokenStream> {
    let rt = &cx.rt;
    let builder = builder_name(op);
    let method_name = snake_case(&op.id);
    let params = builder_params(cx, op);
    let (format_string, format_args) = path_format(cx, op)?;
    let body = builder_body(cx, op);
    let ParamParts {
        fields,
        setters,
        bindings,
        ..
    } = &params;
    let body_field = &body.field;
    let body_setter = &body.setter;
    let body_bind = &body.bind;
    let body_binding = body.binding.as_ref().map(|name| quote!(#name,));
    let output = success_type(cx, &op.success);
    let decode = response_decode(op);
    let method = ident(&op.method);
    let struct_doc = doc(Some(&format!(
        "A request to [`Client::{method_name}`]: set options, then `.await` it (or call [`send`](Self::send))."
    )));
    let (path_const, path_expr) = path_constant(op, &format_string, &format_args);
    let checks = &params.checks;
    let body_validate = &body.validate;
    let validate_block = validate_block(cx, quote!(#(#checks)* #body_validate), &body.checked);
    let send_doc = doc(Some(&format!(
        "Validates the request, sends it (with host failover and retries), and decodes the answer.\n\n# Errors\n\nSee [`Client::{method_name}`]."
    )));
    let blocking_doc = doc(Some(&format!(
        "Like [`send`](Self::send), but blocks the current thread until the answer is decoded (feature `blocking`), for programs without an async runtime.\n\n# Errors\n\nSee [`Client::{method_name}`]; [`Error::BlockingInsideRuntime`](crate::Error::BlockingInsideRuntime) when called inside an async runtime, where the request must be `.await`ed instead."
    )));
    let destructure = quote!(let Self { client, #(#bindings,)* #body_binding options } = self;);
    let fallible_before_body = params.fallible || !format_args.is_empty();
    let build = request_build(cx, op, &params, &body, path_expr, fallible_before_body);
    // Spans and metrics name the operation by its `operationId`.
    let operation_id = op.id.as_str();
    let lifetime = body_lifetime(op);
    let future_bound = if lifetime.is_empty() {
        TokenStream::new()
    } else {
        quote!(+ 'a)
    };
    Ok(quote! {
        #struct_doc
        #[derive(Debug)]
        #[must_use = "a request does nothing until it is awaited or sent"]
        pub struct #builder #lifetime {
            client: Client,
            #(#fields)*
            #body_field
            options: #rt::runtime::RequestOptions,
        }

        impl #lifetime #builder #lifetime {
            /// The HTTP method of the operation.
            pub(crate) const METHOD: #rt::__private::Method = #rt::__private::Method::#method;
            /// The operation's `operationId`, which spans and metrics name it by.
            pub(crate) const OPERATION_ID: &'static str = #operation_id;
            #path_const

            #(#setters)*
            #body_setter

            #rt::__private::request_builder_methods!();

            #send_doc
            pub async fn send(self) -> ::std::result::Result<#output, #rt::Error> {
                #destructure
                #body_bind
                #validate_block
                #build
                let response = #rt::__private::execute(&client.transport, request, options).await?;
                #decode
            }

            #blocking_doc
            #[cfg(feature = "blocking")]
            pub fn send_blocking(self) -> ::std::result::Result<#output, #rt::Error> {
                #rt::__private::block_on(self.send())
            }
        }

        impl #lifetime ::std::future::IntoFuture for #builder #lifetime {
            type Output = ::std::result::Result<#output, #rt::Error>;
            type IntoFuture = ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = Self::Output> + ::std::marker::Send #future_bound>>;

            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.send())
            }
        }
    })
}

/// What a request builder's parameters write: its fields, the setters of
/// the optional ones, the names `send` takes apart, their checks, and the
/// query and header lines of the request.
#[derive(Default)]
struct ParamParts {
    fields: Vec<TokenStream>,
    setters: Vec<TokenStream>,
    bindings: Vec<proc_macro2::Ident>,
    checks: Vec<TokenStream>,
    query: Vec<TokenStream>,
    headers: Vec<TokenStream>,
    /// Whether a query or header value can fail to be written.
    fallible: bool,
}

fn builder_params(cx: &Context, op: &Operation) -> ParamParts {
    let mut parts = ParamParts::default();
    for p in &op.params {
        let name = ident(&p.rust_name);
        let (arg, stored, convert) = param_argument(cx, p);
        // A list of pairs (a map, or any JSON) is empty when unset.
        let is_list = matches!(cx.unalias(&p.ty), TypeRef::Any | TypeRef::Map(_));
        let field_ty = if p.required || is_list {
            stored
        } else {
            quote!(::std::option::Option<#stored>)
        };
        parts.fields.push(quote!(#name: #field_ty,));
        parts.bindings.push(name);
        if !p.required {
            parts.setters.push(param_setter(p, is_list, &arg, &convert));
        }
        parts.checks.extend(param_check(cx, p, is_list));
        parts.fallible |= matches!(p.location, ParamLocation::Query | ParamLocation::Header)
            && !(p.location == ParamLocation::Query && is_list);
        match p.location {
            ParamLocation::Query => parts.query.push(query_write(p, is_list)),
            ParamLocation::Header => parts.headers.push(header_write(p)),
            ParamLocation::Path => {}
        }
    }
    parts
}

/// The setter of an optional parameter.
fn param_setter(p: &Param, is_list: bool, arg: &TokenStream, convert: &TokenStream) -> TokenStream {
    let name = ident(&p.rust_name);
    let setter_doc = doc(Some(&format!(
        "Sets the `{}` {} parameter.{}",
        p.name,
        match p.location {
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Path => "path",
        },
        p.doc
            .as_deref()
            .map(|d| format!("\n\n{d}"))
            .unwrap_or_default()
    )));
    let value = if is_list {
        quote!(#name #convert)
    } else {
        quote!(::std::option::Option::Some(#name #convert))
    };
    quote! {
        #setter_doc
        pub fn #name(mut self, #name: #arg) -> Self {
            self.#name = #value;
            self
        }
    }
}

/// The check of a parameter's value in `send`: a checked newtype's
/// `check`, or the parameter's own constraints; nothing for a list.
fn param_check(cx: &Context, p: &Param, is_list: bool) -> Option<TokenStream> {
    let rt = &cx.rt;
    let models = quote!(super::models::);
    let name = ident(&p.rust_name);
    let json = &p.name;
    let value = if p.required {
        quote!(::std::option::Option::Some(&#name))
    } else {
        quote!(#name.as_ref())
    };
    let newtype = match &p.ty {
        TypeRef::Named(n) if is_newtype(cx, &p.ty) => Some(ident(n)),
        _ => None,
    };
    if let Some(newtype) = newtype {
        return Some(quote! {
            if let ::std::option::Option::Some(value) = #value {
                if let ::std::result::Result::Err(error) = #models #newtype::check(value) {
                    out.push(#rt::__private::violation(&#rt::__private::Path::Root.field(#json), error));
                }
            }
        });
    }
    if is_list {
        return None;
    }
    let c = validation::param_checks(cx, &quote!(value), &p.ty, &p.constraints)?;
    Some(quote! {
        if let ::std::option::Option::Some(value) = #value {
            let path = &#rt::__private::Path::Root.field(#json);
            #c
        }
    })
}

/// The line of `send` that writes a query parameter.
fn query_write(p: &Param, is_list: bool) -> TokenStream {
    let name = ident(&p.rust_name);
    let json = &p.name;
    if is_list {
        quote!(request.query_pairs(#name);)
    } else if p.required {
        quote!(request.query(#json, &#name)?;)
    } else {
        quote!(if let ::std::option::Option::Some(value) = &#name { request.query(#json, value)?; })
    }
}

/// The line of `send` that writes a header parameter.
fn header_write(p: &Param) -> TokenStream {
    let name = ident(&p.rust_name);
    let json = &p.name;
    if p.required {
        quote!(request.header(#json, &#name)?;)
    } else {
        quote!(if let ::std::option::Option::Some(value) = &#name { request.header(#json, value)?; })
    }
}

/// The path as a `format!` string and its arguments, each path parameter
/// percent-encoded.
fn path_format(cx: &Context, op: &Operation) -> Result<(String, Vec<TokenStream>)> {
    let mut format_string = String::new();
    let mut format_args = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        format_string.push_str(&rest[..start].replace('{', "{{").replace('}', "}}"));
        let end = rest[start..]
            .find('}')
            .map(|e| start + e)
            .unwrap_or(rest.len());
        let var = &rest[start + 1..end];
        let p = op
            .params
            .iter()
            .find(|p| p.name == var && p.location == ParamLocation::Path)
            .ok_or_else(|| {
                Error::new(
                    &op.location,
                    format!("the path names `{{{var}}}` but no path parameter `{var}` is declared"),
                )
            })?;
        format_string.push_str("{}");
        format_args.push(path_segment(cx, p));
        rest = &rest[(end + 1).min(rest.len())..];
    }
    format_string.push_str(rest);
    Ok((format_string, format_args))
}

/// The percent-encoded text of a path parameter.
fn path_segment(cx: &Context, p: &Param) -> TokenStream {
    let rt = &cx.rt;
    let name = ident(&p.rust_name);
    let json = &p.name;
    if p.allow_slashes {
        quote!(#rt::__private::encode_path(#json, &#name)?)
    } else if matches!(cx.unalias(&p.ty), TypeRef::String) || is_newtype(cx, &p.ty) {
        quote!(#rt::__private::encode_path_segment(&#name)?)
    } else if matches!(cx.unalias(&p.ty), TypeRef::Named(n) if matches!(cx.def(n).map(|d| &d.kind), Some(TypeKind::Union(_))))
    {
        // A union has no `Display`: its text is what it serializes to.
        quote!(#rt::__private::encode_path_segment(&#rt::__private::path_value_text(#json, &#name)?)?)
    } else {
        quote!(#rt::__private::encode_path_segment(&#name.to_string())?)
    }
}

/// The `PATH` constant of a path without parameters (which code sending
/// pre-serialized bodies, the batching sender, goes through) and the
/// expression `send` builds the path with.
fn path_constant(
    op: &Operation,
    format_string: &str,
    format_args: &[TokenStream],
) -> (TokenStream, TokenStream) {
    if !format_args.is_empty() {
        return (
            TokenStream::new(),
            quote!(format!(#format_string, #(#format_args),*)),
        );
    }
    let doc = doc(Some(&format!(
        "The path of `{}` (`{} {}`).",
        op.id, op.method, op.path
    )));
    let path_const = quote! {
        #doc
        pub(crate) const PATH: &'static str = #format_string;
    };
    (path_const, quote!(Self::PATH.to_string()))
}

/// What a request builder's body writes: its field, the line of `send`
/// that borrows a required body, the check of an optional one, the line
/// that writes it into the request, and the setter of an optional one.
#[derive(Default)]
struct BodyParts {
    field: TokenStream,
    bind: TokenStream,
    validate: TokenStream,
    send: TokenStream,
    /// A required body whose items are checked as it is written.
    checked: Option<TokenStream>,
    setter: Option<TokenStream>,
    /// The field's name, which `send` takes apart.
    binding: Option<proc_macro2::Ident>,
}

fn builder_body(cx: &Context, op: &Operation) -> BodyParts {
    let rt = &cx.rt;
    let Some(body) = &op.body else {
        return BodyParts::default();
    };
    let name = ident(&body.rust_name);
    let ty = cx.ty(&body.ty, &quote!(super::models::));
    let max = body_max_bytes(cx, &body.ty);
    let validates = matches!(&body.ty, TypeRef::Named(n) if matches!(cx.def(n).map(|d| &d.kind), Some(TypeKind::Struct(_)) | Some(TypeKind::Union(_))));
    let mut parts = BodyParts::default();
    if body.required {
        parts.field = quote!(#name: #rt::__private::Body<'a, #ty>,);
        parts.bind = quote!(let #name: &#ty = &#name;);
        if validates {
            // Checked in two steps, its arrays' items as they are
            // written (the runtime's `validation::as_written`).
            parts.checked = Some(quote!(#name));
            parts.send = quote!(request.checked_json_body(#name, #max, context)?;);
        } else {
            parts.send = quote!(request.json_body(#name, #max)?;);
        }
    } else {
        parts.field = quote!(#name: ::std::option::Option<#ty>,);
        if validates {
            parts.validate = quote!(if let ::std::option::Option::Some(body) = &#name { #rt::validation::Validate::validate_into(body, &#rt::__private::Path::Root, context, out); });
        }
        parts.send = optional_body_send(op, &name, &max);
        parts.setter = Some(body_setter(&body.ty, &name, &ty));
    }
    parts.binding = Some(name);
    parts
}

/// The largest serialized size the body's schema allows, when it has one.
fn body_max_bytes(cx: &Context, ty: &TypeRef) -> TokenStream {
    let max = match ty {
        TypeRef::Named(n) => match cx.def(n).map(|d| &d.kind) {
            Some(TypeKind::Struct(s)) => s.max_serialized_bytes,
            _ => None,
        },
        _ => None,
    };
    match max {
        Some(m) => quote!(::std::option::Option::Some(#m)),
        None => quote!(::std::option::Option::None),
    }
}

/// The lines of `send` that write an optional body into the request.
fn optional_body_send(op: &Operation, name: &proc_macro2::Ident, max: &TokenStream) -> TokenStream {
    // As the official clients do, a POST or PUT without its optional body
    // sends an empty JSON object.
    if matches!(op.method.as_str(), "POST" | "PUT") {
        quote! {
            match &#name {
                ::std::option::Option::Some(body) => request.json_body(body, #max)?,
                ::std::option::Option::None => request.empty_json_object_body(),
            }
        }
    } else {
        quote!(if let ::std::option::Option::Some(body) = &#name { request.json_body(body, #max)?; })
    }
}

/// The `body` setter of an optional body.
fn body_setter(body_ty: &TypeRef, name: &proc_macro2::Ident, ty: &TokenStream) -> TokenStream {
    let (arg, convert) = match body_ty {
        TypeRef::Any => (
            quote!(impl ::std::convert::Into<::serde_json::Value>),
            quote!(.into()),
        ),
        _ => (ty.clone(), TokenStream::new()),
    };
    quote! {
        /// Sets the JSON request body.
        pub fn body(mut self, body: #arg) -> Self {
            self.#name = ::std::option::Option::Some(body #convert);
            self
        }
    }
}

/// The last line of `send`: how the answer is decoded.
fn response_decode(op: &Operation) -> TokenStream {
    match &op.success {
        Success::Json(_) => quote!(response.json()),
        Success::Text => quote!(response.text()),
        Success::Headers(name) => {
            let name = ident(name);
            quote!(response.decode_headers(super::models::#name::from_headers))
        }
        Success::Empty => quote!(response.empty()),
    }
}

/// The lines of `send` that check the request before it is built: the
/// parameters' (and an optional body's) `checks`, and a required body.
fn validate_block(
    cx: &Context,
    checks: TokenStream,
    checked_body: &Option<TokenStream>,
) -> TokenStream {
    let rt = &cx.rt;
    let context =
        quote!(let context = &#rt::__private::validation_context(&client.transport, &options););
    let violations = quote! {
        let mut violations = ::std::vec::Vec::new();
        {
            let out = &mut violations;
            #checks
        }
    };
    match checked_body {
        Some(body) if checks.is_empty() => quote! {
            #context
            #rt::__private::check_request(#body, context, ::std::vec::Vec::new())?;
        },
        Some(body) => quote! {
            #context
            #violations
            #rt::__private::check_request(#body, context, violations)?;
        },
        None if checks.is_empty() => TokenStream::new(),
        None => {
            let context = if checks.to_string().contains("context") {
                context
            } else {
                TokenStream::new()
            };
            quote! {
                #context
                #violations
                #rt::__private::check_violations(violations)?;
            }
        }
    }
}

/// The lines of `send` that build the HTTP request: method, path,
/// credentials, query, headers and body.
fn request_build(
    cx: &Context,
    op: &Operation,
    params: &ParamParts,
    body: &BodyParts,
    path_expr: TokenStream,
    fallible_before_body: bool,
) -> TokenStream {
    let rt = &cx.rt;
    let (query, headers, body_send) = (&params.query, &params.headers, &body.send);
    let anonymous = if op.credentials {
        TokenStream::new()
    } else {
        quote!(request.without_credentials();)
    };
    let mut_request =
        if query.is_empty() && headers.is_empty() && body_send.is_empty() && anonymous.is_empty() {
            quote!(let request)
        } else {
            quote!(let mut request)
        };
    // Spans and metrics show the path template, never the path, whose
    // parameters are user data.
    let route = op.path.as_str();
    let build = quote! {
        #mut_request = #rt::__private::HttpRequest::new(Self::METHOD, #path_expr)
            .operation(Self::OPERATION_ID, #route);
        #anonymous
        #(#query)*
        #(#headers)*
        #body_send
    };
    // With the body's items checked as it is written, a step that can fail
    // before it (a path segment, a query or header value) must not hide
    // them: its error gives way to the body's violations, as when the
    // whole body is checked first.
    match &body.checked {
        Some(body) if fallible_before_body => quote! {
            let build = || -> ::std::result::Result<#rt::__private::HttpRequest, #rt::Error> {
                #build
                ::std::result::Result::Ok(request)
            };
            let request = build().map_err(|error| #rt::__private::violations_first(#body, context, error))?;
        },
        _ => build,
    }
}
