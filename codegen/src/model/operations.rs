//! Operations: parameters, request bodies, success and error responses, and
//! the Rust names of a request builder's arguments.

use super::*;

impl Builder<'_> {
    pub(super) fn param(&mut self, value: &Value, at: &Location, op_name: &str) -> Result<Param> {
        let (value, at) = self.loader.resolve(value, at)?;
        let param: openapi::Parameter = parse_at(value, &at)?;
        let location = match param.location.as_str() {
            "path" => ParamLocation::Path,
            "query" => ParamLocation::Query,
            "header" => ParamLocation::Header,
            other => {
                return Err(Error::new(
                    &at.key("in"),
                    format!("parameters `in: {other}` are not supported"),
                ))
            }
        };
        let schema = param
            .schema
            .as_ref()
            .ok_or_else(|| Error::new(&at, "a parameter needs a `schema`"))?;
        let (ty, constraints) = self.type_of(
            schema,
            &at.key("schema"),
            &format!("{op_name}{}", pascal_case(&param.name)),
        )?;
        let allow_slashes = param.extra.get("x-allow-slashes") == Some(&Value::Bool(true));
        // A nullable parameter: `null` cannot be written in a URL or header, so
        // it is sent by leaving the parameter out.
        let (ty, nullable) = match ty {
            TypeRef::Nullable(inner) => (*inner, true),
            ty => (ty, false),
        };
        if nullable && location == ParamLocation::Path {
            return Err(Error::new(
                &at.key("schema"),
                "a path parameter cannot be `null`",
            ));
        }
        Ok(Param {
            rust_name: snake_case(&param.name),
            name: param.name,
            location,
            required: (param.required && !nullable) || location == ParamLocation::Path,
            ty,
            constraints,
            doc: param.description,
            allow_slashes,
        })
    }

    pub(super) fn operation(
        &mut self,
        path: &str,
        method: &str,
        value: &Value,
        at: &Location,
        shared_params: &Value,
        item_at: &Location,
    ) -> Result<Operation> {
        let op: openapi::Operation = parse_at(value, at)?;
        let id = op.operation_id.clone().ok_or_else(|| {
            Error::new(
                at,
                "an operation needs an `operationId` (it names the method)",
            )
        })?;
        let op_name = pascal_case(&id);
        let mut params = self.operation_params(&op, at, shared_params, item_at, &op_name)?;
        check_path_params(path, &params, at, item_at)?;
        let mut body = match &op.request_body {
            None => None,
            Some(body) => Some(self.request_body(body, &at.key("requestBody"), &op_name)?),
        };
        disambiguate_arguments(&mut params, body.as_mut());
        let (success, errors) = self.responses(&op, &at.key("responses"), &id, &op_name)?;
        // `security: []` lifts the API's security for this operation: the
        // request goes without credentials. Any other list names the API's
        // schemes again (the client has one way of sending its credentials).
        let credentials = !matches!(
            op.extra.get("security"),
            Some(Value::Array(requirements)) if requirements.is_empty()
        );
        Ok(Operation {
            id,
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            summary: op.summary,
            description: op.description,
            deprecated: op.deprecated,
            params,
            body,
            success,
            errors,
            credentials,
            location: at.clone(),
        })
    }

    /// The operation's parameters: the path item's shared ones, each
    /// replaced by the operation's own of the same name and place.
    fn operation_params(
        &mut self,
        op: &openapi::Operation,
        at: &Location,
        shared_params: &Value,
        item_at: &Location,
        op_name: &str,
    ) -> Result<Vec<Param>> {
        let mut params: Vec<Param> = Vec::new();
        let shared = shared_params.as_array().cloned().unwrap_or_default();
        for (i, p) in shared.iter().enumerate() {
            params.push(self.param(p, &item_at.key("parameters").index(i), op_name)?);
        }
        for (i, p) in op.parameters.iter().enumerate() {
            let param = self.param(p, &at.key("parameters").index(i), op_name)?;
            params.retain(|q| !(q.name == param.name && q.location == param.location));
            params.push(param);
        }
        Ok(params)
    }

    /// The JSON request body.
    fn request_body(&mut self, body: &Value, body_at: &Location, op_name: &str) -> Result<Body> {
        let (body, body_at) = self.loader.resolve(body, body_at)?;
        let body: openapi::RequestBody = parse_at(body, &body_at)?;
        let content_at = body_at.key("content");
        let media = body.content.get("application/json").ok_or_else(|| {
            Error::new(
                &content_at,
                "only `application/json` request bodies are supported",
            )
        })?;
        let media_at = content_at.key("application/json");
        let media: openapi::MediaType = parse_at(media, &media_at)?;
        let schema = media.schema.unwrap_or(Value::Object(Default::default()));
        let (ty, _) = self.type_of(&schema, &media_at.key("schema"), &format!("{op_name}Body"))?;
        let rust_name = match &ty {
            TypeRef::Named(n) => snake_case(n),
            _ => "body".to_string(),
        };
        Ok(Body {
            rust_name,
            ty,
            required: body.required,
            doc: body.description,
        })
    }

    /// What the operation answers: its one success type, and each error
    /// status with the first line the client's docs list it with.
    fn responses(
        &mut self,
        op: &openapi::Operation,
        responses_at: &Location,
        id: &str,
        op_name: &str,
    ) -> Result<(Success, Vec<(String, String)>)> {
        let mut successes: Vec<(String, Success)> = Vec::new();
        let mut errors = Vec::new();
        for (status, response) in &op.responses {
            let response_at = responses_at.key(status);
            let (response, response_at) = self.loader.resolve(response, &response_at)?;
            let response: openapi::Response = parse_at(response, &response_at)?;
            if status.starts_with('2') {
                let success = self.success(&response, &response_at, id, op_name)?;
                successes.push((status.clone(), success));
            } else {
                errors.push((
                    status.clone(),
                    response.description.clone().unwrap_or_default(),
                ));
                self.error_body_types(&response, &response_at, op_name, status)?;
            }
        }
        let success = match successes.len() {
            0 => Success::Empty,
            _ => {
                let first = successes[0].1.clone();
                if let Some((status, _)) = successes.iter().find(|(_, s)| s != &first) {
                    return Err(Error::new(
                        &responses_at.key(status),
                        "responses with different success types are not supported",
                    ));
                }
                first
            }
        };
        Ok((success, errors))
    }

    /// The types of an error response's JSON bodies: the runtime reads
    /// error bodies itself, but their schemas still get types.
    fn error_body_types(
        &mut self,
        response: &openapi::Response,
        response_at: &Location,
        op_name: &str,
        status: &str,
    ) -> Result<()> {
        for (media, content) in &response.content {
            let media_at = response_at.key("content").key(media);
            let content: openapi::MediaType = parse_at(content, &media_at)?;
            if let (Some(schema), true) = (&content.schema, media.contains("json")) {
                self.type_of(
                    schema,
                    &media_at.key("schema"),
                    &format!("{op_name}Error{status}"),
                )?;
            }
        }
        Ok(())
    }

    /// What a success response decodes to: JSON, text, headers or nothing.
    fn success(
        &mut self,
        response: &openapi::Response,
        response_at: &Location,
        id: &str,
        op_name: &str,
    ) -> Result<Success> {
        if let Some(json) = response.content.get("application/json") {
            let media_at = response_at.key("content").key("application/json");
            let media: openapi::MediaType = parse_at(json, &media_at)?;
            let schema = media.schema.unwrap_or(Value::Object(Default::default()));
            let (ty, _) = self.type_of(
                &schema,
                &media_at.key("schema"),
                &format!("{op_name}Response"),
            )?;
            Ok(Success::Json(ty))
        } else if response.content.keys().any(|k| k.starts_with("text/")) {
            Ok(Success::Text)
        } else if let Some(media) = response.content.keys().next() {
            Err(Error::new(
                &response_at.key("content").key(media),
                format!("response content `{media}` is not supported (JSON or text)"),
            ))
        } else if !response.headers.is_empty() {
            self.headers_success(response, response_at, id, op_name)
        } else {
            Ok(Success::Empty)
        }
    }

    /// A success response of headers only: a type with one field per header.
    fn headers_success(
        &mut self,
        response: &openapi::Response,
        response_at: &Location,
        id: &str,
        op_name: &str,
    ) -> Result<Success> {
        let name = self.unique_name(&format!("{op_name}Response"));
        let mut fields: Vec<Field> = Vec::new();
        let mut rust_names = BTreeSet::new();
        for (header, value) in &response.headers {
            let header_at = response_at.key("headers").key(header);
            let json_name = header.to_ascii_lowercase();
            if let Some(other) = fields.iter().find(|f| f.json_name == json_name) {
                return Err(Error::new(
                    &header_at,
                    format!(
                        "the header `{header}` is the header at {} (header names \
                         are case-insensitive)",
                        other.location
                    ),
                ));
            }
            // `x-a` and `x_a` are two headers, both `x_a` in Rust.
            let mut rust_name = snake_case(header);
            while !rust_names.insert(rust_name.clone()) {
                rust_name.push('_');
            }
            fields.push(self.header_field(value, header_at, &name, header, json_name, rust_name)?);
        }
        self.types.push(Some(TypeDef {
            name: name.clone(),
            spec_name: format!("{id} response headers"),
            doc: Some(format!(
                "What [`Client::{}`](crate::Client::{}) answers: the response has no body, only these headers.",
                snake_case(id),
                snake_case(id)
            )),
            location: response_at.clone(),
            deprecated: false,
            example: None,
            kind: TypeKind::Headers(fields),
            in_response: true,
            in_request: false,
        }));
        Ok(Success::Headers(name))
    }

    /// The field of a response header: a string, integer, number or boolean.
    fn header_field(
        &mut self,
        value: &Value,
        header_at: Location,
        type_name: &str,
        header: &str,
        json_name: String,
        rust_name: String,
    ) -> Result<Field> {
        let (value, header_at) = self.loader.resolve(value, &header_at)?;
        let parsed: openapi::Header = parse_at(value, &header_at)?;
        let schema = parsed.schema.unwrap_or(Value::Object(Default::default()));
        let (ty, constraints) = self.type_of(
            &schema,
            &header_at.key("schema"),
            &format!("{type_name}{}", pascal_case(header)),
        )?;
        if !matches!(
            ty,
            TypeRef::String | TypeRef::Integer { .. } | TypeRef::Number | TypeRef::Boolean
        ) {
            return Err(Error::new(
                &header_at.key("schema"),
                "a response header must be a string, integer, number or boolean",
            ));
        }
        Ok(Field {
            json_name,
            rust_name,
            ty,
            constraints,
            required: parsed.required,
            nullable: false,
            doc: parsed.description,
            deprecated: false,
            boxed: false,
            read_only: true,
            default: None,
            location: header_at,
        })
    }
}

/// Each `{name}` of the path has its path parameter, and each path
/// parameter is in the path.
fn check_path_params(
    path: &str,
    params: &[Param],
    at: &Location,
    item_at: &Location,
) -> Result<()> {
    let template_vars = template_variables(path, item_at)?;
    for var in &template_vars {
        if !params
            .iter()
            .any(|p| p.location == ParamLocation::Path && &p.name == var)
        {
            return Err(Error::new(
                at,
                format!("the path names `{{{var}}}` but no path parameter `{var}` is declared"),
            ));
        }
    }
    for p in params.iter().filter(|p| p.location == ParamLocation::Path) {
        if !template_vars.contains(&p.name) {
            return Err(Error::new(
                &at.key("parameters"),
                format!("path parameter `{}` is not in the path `{path}`", p.name),
            ));
        }
    }
    Ok(())
}

/// Names a request builder already uses: its fields and its methods.
pub(super) const BUILDER_NAMES: &[&str] = &[
    "client",
    "options",
    "header",
    "query_param",
    "timeout",
    "max_response_bytes",
    "send",
    "send_blocking",
    "body",
    "into_future",
];

/// Gives the parameters and the body of an operation distinct Rust names
/// that the request builder does not use already (`a-b` and `a_b` both
/// become `a_b`: the second is `a_b_`), deterministically: the body first
/// (it may be `body`, the name of its setter), then the parameters in order.
pub(super) fn disambiguate_arguments(params: &mut [Param], body: Option<&mut Body>) {
    let mut taken: BTreeSet<String> = BUILDER_NAMES
        .iter()
        .filter(|n| **n != "body")
        .map(|s| s.to_string())
        .collect();
    let unique = |taken: &mut BTreeSet<String>, name: &mut String| {
        while !taken.insert(name.clone()) {
            name.push('_');
        }
    };
    if let Some(body) = body {
        unique(&mut taken, &mut body.rust_name);
    }
    taken.insert("body".to_string());
    for param in params.iter_mut() {
        unique(&mut taken, &mut param.rust_name);
    }
}

/// The variables of a path template (`/1/indexes/{indexName}`), in order; an
/// error at the path's pointer when its braces do not pair up.
fn template_variables(path: &str, at: &Location) -> Result<Vec<String>> {
    let mut vars = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find(['{', '}']) {
        let after = &rest[start + 1..];
        let end = after.find(['{', '}']);
        match end {
            Some(end) if rest[start..].starts_with('{') && after[end..].starts_with('}') => {
                vars.push(after[..end].to_string());
                rest = &after[end + 1..];
            }
            _ => {
                return Err(Error::new(
                    at,
                    format!(
                        "the path `{path}` has a `{{` or `}}` that does not pair up: \
                         expected `{{name}}` for each parameter"
                    ),
                ))
            }
        }
    }
    Ok(vars)
}
