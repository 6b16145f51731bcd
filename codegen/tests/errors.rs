//! A spec the generator cannot handle gets an error naming the JSON pointer
//! and the reason — never a panic, never a silently skipped construct.

use algolia_codegen::{generate, resolve::Loader, EmitOptions, Error};
use serde_json::{json, Value};

/// A minimal valid spec with `schemas` and `paths` spliced in.
fn spec(schemas: Value, paths: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "T API", "version": "1"},
        "servers": [{"url": "https://example.com"}],
        "components": {"schemas": schemas},
        "paths": paths
    })
}

fn error_of(spec: Value) -> Error {
    let loader = match Loader::from_json_str(&spec.to_string()) {
        Ok(loader) => loader,
        Err(error) => return error,
    };
    match generate(&loader, &EmitOptions::default()) {
        Ok(_) => panic!("expected an error for {spec}"),
        Err(error) => error,
    }
}

fn assert_error(spec: Value, pointer: &str, reason_contains: &str) {
    let error = error_of(spec);
    assert_eq!(error.location.pointer, pointer, "{error}");
    assert!(
        error.reason.contains(reason_contains),
        "reason `{}` lacks `{reason_contains}`",
        error.reason
    );
    assert!(error.to_string().starts_with(pointer), "{error}");
}

#[test]
fn unsupported_keywords_are_named_with_their_pointer() {
    assert_error(
        spec(
            json!({"Foo": {"type": "object", "properties": {"bar": {"not": {"type": "string"}}}}}),
            json!({}),
        ),
        "#/components/schemas/Foo/properties/bar/not",
        "unsupported schema keyword `not`",
    );
}

#[test]
fn unknown_types_and_bad_patterns_are_refused() {
    assert_error(
        spec(json!({"Foo": {"type": "strin"}}), json!({})),
        "#/components/schemas/Foo/type",
        "unknown type `strin`",
    );
    assert_error(
        spec(
            json!({"Foo": {"type": "string", "pattern": "^(unclosed$"}}),
            json!({}),
        ),
        "#/components/schemas/Foo/pattern",
        "invalid regular expression",
    );
}

#[test]
fn a_required_entry_naming_no_property_is_dropped_with_a_warning() {
    let spec = spec(
        json!({"Foo": {"type": "object", "required": ["a", "b"], "properties": {"a": {"type": "string"}}}}),
        json!({}),
    );
    let loader = Loader::from_json_str(&spec.to_string()).unwrap();
    let generated = generate(&loader, &EmitOptions::default()).unwrap();
    let warning = generated
        .warnings
        .iter()
        .find(|w| w.location.pointer == "#/components/schemas/Foo/required/1")
        .unwrap_or_else(|| panic!("no warning at required/1: {:?}", generated.warnings));
    assert!(
        warning
            .message
            .contains("`b` is required but not among the properties"),
        "{warning}"
    );
    // `a` is still required: the constructor takes it.
    let models = &generated.files[0].text;
    assert!(models.contains("pub a: ::std::string::String"), "{models}");
}

#[test]
fn null_const_and_server_variables_outside_the_subset_are_refused() {
    assert_error(
        spec(json!({"Foo": {"type": "null"}}), json!({})),
        "#/components/schemas/Foo/type",
        "only as a variant",
    );
    assert_error(
        spec(json!({"Foo": {"type": "integer", "const": 3}}), json!({})),
        "#/components/schemas/Foo/const",
        "only string and boolean `const`",
    );
    assert_error(
        spec(
            json!({"Foo": {"type": "integer", "multipleOf": 0}}),
            json!({}),
        ),
        "#/components/schemas/Foo/multipleOf",
        "greater than 0",
    );
    let mut with_server = spec(json!({}), json!({}));
    with_server["servers"] = json!([{"url": "https://{tenant}.example.com",
        "variables": {"tenant": {"default": "x"}}}]);
    assert_error(
        with_server,
        "#/servers/0/variables/tenant",
        "an `enum` (a region) or be the application ID",
    );
    let mut with_scheme = spec(json!({}), json!({}));
    with_scheme["components"]["securitySchemes"] =
        json!({"oauth": {"type": "oauth2", "flows": {}}});
    assert_error(
        with_scheme,
        "#/components/securitySchemes/oauth",
        "supported security schemes",
    );
}

#[test]
fn broken_references_are_named() {
    assert_error(
        spec(
            json!({"Foo": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/Nope"}}}}),
            json!({}),
        ),
        "#/components/schemas/Foo/properties/a/$ref",
        "points at nothing",
    );
    assert_error(
        spec(
            json!({"Foo": {"type": "object", "properties": {"a": {"$ref": "https://example.com/x.json"}}}}),
            json!({}),
        ),
        "#/components/schemas/Foo/properties/a/$ref",
        "not a local pointer",
    );
}

#[test]
fn operations_need_an_id_and_supported_parameters() {
    assert_error(
        spec(json!({}), json!({"/x": {"get": {"responses": {}}}})),
        "#/paths/~1x/get",
        "needs an `operationId`",
    );
    assert_error(
        spec(
            json!({}),
            json!({"/x": {"get": {"operationId": "x", "parameters": [{"name": "c", "in": "cookie", "schema": {"type": "string"}}], "responses": {}}}}),
        ),
        "#/paths/~1x/get/parameters/0/in",
        "`in: cookie` are not supported",
    );
    assert_error(
        spec(
            json!({}),
            json!({"/x/{id}": {"get": {"operationId": "x", "responses": {}}}}),
        ),
        "#/paths/~1x~1{id}/get",
        "no path parameter `id`",
    );
    assert_error(
        spec(
            json!({}),
            json!({"/x": {"post": {"operationId": "x", "requestBody": {"content": {"application/xml": {}}}, "responses": {}}}}),
        ),
        "#/paths/~1x/post/requestBody/content",
        "only `application/json` request bodies",
    );
}

#[test]
fn duplicate_method_names_are_refused() {
    assert_error(
        spec(
            json!({}),
            json!({"/a": {"get": {"operationId": "getThing", "responses": {}}}, "/b": {"get": {"operationId": "get_thing", "responses": {}}}}),
        ),
        "#/paths/~1b/get/operationId",
        "names the same method",
    );
}

#[test]
fn wrong_types_in_the_document_are_located() {
    assert_error(
        spec(
            json!({"Foo": {"type": "string", "minLength": "three"}}),
            json!({}),
        ),
        "#/components/schemas/Foo/minLength",
        "invalid type",
    );
    assert_error(
        json!({"openapi": "3.2.0", "info": {"title": "T", "version": "1"}, "servers": [{"url": "https://x"}], "paths": {}}),
        "#/openapi",
        "expected 3.0.x or 3.1.x",
    );
    assert_error(
        json!({"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}}),
        "#/servers",
        "names no server",
    );
}

/// `spec`, as OpenAPI 3.1.
fn spec31(schemas: Value) -> Value {
    let mut document = spec(schemas, json!({}));
    document["openapi"] = json!("3.1.0");
    document
}

#[test]
fn openapi_31_constructs_the_generator_cannot_write_are_located() {
    let at = |name: &str, rest: &str| format!("#/components/schemas/{name}{rest}");
    for (schema, pointer, reason) in [
        (
            json!({"type": ["string", "integer"]}),
            "/type",
            "several types (string, integer)",
        ),
        (
            json!({"type": "array", "prefixItems": [{"type": "string"}]}),
            "/prefixItems",
            "a tuple",
        ),
        (
            json!({"type": "integer", "exclusiveMinimum": true, "minimum": 0}),
            "/exclusiveMinimum",
            "must be a number in OpenAPI 3.1",
        ),
        (
            json!({"type": "integer", "contentEncoding": "base64"}),
            "/contentEncoding",
            "on a `type: string` schema only",
        ),
        (
            json!({"type": "object", "properties": {"a": {"type": "string"}}, "unevaluatedProperties": false}),
            "/unevaluatedProperties",
            "unsupported schema keyword",
        ),
        (
            json!({"type": "object", "properties": {"a": {"type": "string"}}, "dependentRequired": {"a": ["b"]}}),
            "/dependentRequired/a/0",
            "a property of this schema",
        ),
        (
            json!({"type": "string", "dependentRequired": {}}),
            "/dependentRequired",
            "object schema with `properties`",
        ),
        (
            json!({"type": "object", "properties": {"a": {"$ref": "#/components/schemas/Other", "type": "string"}}}),
            "/properties/a/type",
            "beside `$ref` is not supported",
        ),
        (
            json!({"type": "object", "properties": {"a": {"$ref": "#/components/schemas/Other", "maxLength": 3}}}),
            "/properties/a/maxLength",
            "plain string, number or list",
        ),
    ] {
        let document = spec31(
            json!({"Foo": schema, "Other": {"type": "object", "properties": {"b": {"type": "string"}}}}),
        );
        assert_error(document, &at("Foo", pointer), reason);
    }
}

#[test]
fn extensions_are_checked_too() {
    assert_error(
        spec(
            json!({"Foo": {"type": "object", "properties": {"a": {"type": "string"}}, "x-discriminator-fields": ["b"]}}),
            json!({}),
        ),
        "#/components/schemas/Foo/x-discriminator-fields/0",
        "`b` is not a property",
    );
    assert_error(
        spec(
            json!({"Foo": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "array", "items": {"type": "string"}}}, "x-same-length": [["a", "b"]]}}),
            json!({}),
        ),
        "#/components/schemas/Foo/x-same-length/0",
        "`a` is not an array property",
    );
}

#[test]
fn arbitrary_json_never_panics() {
    for text in [
        "null",
        "[]",
        "{}",
        "1",
        r#"{"openapi": 3}"#,
        r#"{"openapi": "3.0.0", "info": {}}"#,
        r##"{"openapi":"3.0.0","info":{"title":"t","version":"1"},"servers":[{"url":"https://x"}],"paths":{"/a":{"get":{"operationId":"a","responses":{"200":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/A"}}}}}}}},"components":{"schemas":{"A":{"$ref":"#/components/schemas/A"}}}}"##,
    ] {
        let result = Loader::from_json_str(text)
            .and_then(|loader| generate(&loader, &EmitOptions::default()));
        assert!(result.is_err(), "{text} should not generate");
    }
}

#[test]
fn three_one_keys_are_warned_about_not_refused() {
    let mut document = spec(
        json!({"Foo": {"type": "string", "examples": ["a"]}}),
        json!({}),
    );
    document["info"]["summary"] = json!("A 3.1 key");
    let loader = Loader::from_json_str(&document.to_string()).unwrap();
    let generated = generate(&loader, &EmitOptions::default()).unwrap();
    let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings.iter().any(|w| w.contains("#/info/summary")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("#/components/schemas/Foo/examples")),
        "{warnings:?}"
    );
}

#[test]
fn allow_unsupported_skips_the_operation_with_a_warning() {
    let document = spec(
        json!({}),
        json!({
            "/ok": {"get": {"operationId": "fine", "responses": {"204": {"description": "ok"}}}},
            "/bad": {"get": {"operationId": "cookies", "parameters": [{"name": "c", "in": "cookie", "schema": {"type": "string"}}], "responses": {}}}
        }),
    );
    let loader = Loader::from_json_str(&document.to_string()).unwrap();
    let strict = generate(&loader, &EmitOptions::default()).unwrap_err();
    assert_eq!(strict.location.pointer, "#/paths/~1bad/get/parameters/0/in");
    let options = algolia_codegen::model::ModelOptions {
        allow_unsupported: true,
    };
    let model = algolia_codegen::model::build_with(&loader, &options).unwrap();
    let warning = model
        .warnings
        .iter()
        .map(ToString::to_string)
        .find(|w| w.contains("skipped"))
        .expect("a warning");
    assert!(
        warning.starts_with("warning: #/paths/~1bad/get: operation skipped"),
        "{warning}"
    );
    let ids: Vec<&str> = model.operations.iter().map(|op| op.id.as_str()).collect();
    assert_eq!(
        ids,
        ["fine"],
        "the supported operation is kept, the unsupported one skipped"
    );
    // And the rest still generates.
    algolia_codegen::generate_with(&loader, &options, &EmitOptions::default()).unwrap();
}

/// A path whose braces do not pair up used to reach a panic in the emitter
/// (`/things/{id`: no variable for the model, one for the emitter).
#[test]
fn a_path_template_with_unpaired_braces_is_refused() {
    let ok = json!({"204": {"description": "ok"}});
    assert_error(
        spec(
            json!({}),
            json!({"/things/{id": {"get": {"operationId": "getThing", "responses": ok}}}),
        ),
        "#/paths/~1things~1{id",
        "has a `{` or `}` that does not pair up",
    );
    let id = json!([{"name": "b", "in": "path", "required": true, "schema": {"type": "string"}}]);
    assert_error(
        spec(
            json!({}),
            json!({"/t/{a{b}": {"get": {"operationId": "g", "parameters": id, "responses": ok}}}),
        ),
        "#/paths/~1t~1{a{b}",
        "does not pair up",
    );
    assert_error(
        spec(
            json!({}),
            json!({"/t/a}": {"get": {"operationId": "g", "responses": ok}}}),
        ),
        "#/paths/~1t~1a}",
        "does not pair up",
    );
}

/// An `allOf` that includes itself used to be merged forever (a stack overflow).
#[test]
fn an_all_of_that_includes_itself_is_refused() {
    assert_error(
        spec(
            json!({"A": {"allOf": [
                {"type": "object", "properties": {"x": {"type": "string"}}},
                {"$ref": "#/components/schemas/B"}
            ]},
            "B": {"allOf": [{"$ref": "#/components/schemas/A"}]}}),
            json!({}),
        ),
        "#/components/schemas/B/allOf/0",
        "includes itself (through #/components/schemas/A): a cycle",
    );
}

/// Schemas nested deeper than the model's limit used to overflow the stack
/// (24 levels were enough on a test's 2 MiB thread): now an error at the
/// level that goes too deep, whatever thread calls the generator.
#[test]
fn schemas_nested_too_deep_are_refused_on_any_thread() {
    let chain = |levels: usize| {
        let mut schemas = serde_json::Map::new();
        for i in 0..levels {
            schemas.insert(
                format!("S{i}"),
                json!({"type": "object", "properties": {"a": {"$ref": format!("#/components/schemas/S{}", i + 1)}}}),
            );
        }
        schemas.insert(format!("S{levels}"), json!({"type": "string"}));
        spec(Value::Object(schemas), json!({}))
    };
    // Deep, but within the limit: generated.
    let loader = Loader::from_json_str(&chain(40).to_string()).unwrap();
    let generated = generate(&loader, &EmitOptions::default()).unwrap();
    assert!(generated.files[0].text.contains("pub struct S39"));
    assert_error(
        chain(70),
        "#/components/schemas/S64/properties/a",
        "schemas nested more than 64 deep are not supported",
    );
}

/// Header names are case-insensitive: `X-Rate` and `x-rate` are one header
/// listed twice, which used to give a struct with the same field twice.
#[test]
fn a_response_header_listed_twice_is_refused() {
    let headers = json!({"X-Rate": {"schema": {"type": "integer"}}, "x-rate": {"schema": {"type": "integer"}}});
    assert_error(
        spec(
            json!({}),
            json!({"/t": {"get": {"operationId": "g", "responses": {"204": {"description": "ok", "headers": headers}}}}}),
        ),
        "#/paths/~1t/get/responses/204/headers/x-rate",
        "is the header at #/paths/~1t/get/responses/204/headers/X-Rate",
    );
}

/// A `null` variant in a union with a `discriminator` is refused at the
/// union; it used to be found only after the discriminator was read with the
/// variants misnumbered (the `null` one left out), blaming the wrong variant.
#[test]
fn a_null_variant_in_a_tagged_union_is_refused_at_the_union() {
    assert_error(
        spec(
            json!({
                "Pet": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Cat"}],
                        "discriminator": {"propertyName": "petType"}},
                "Cat": {"type": "object", "properties": {"petType": {"type": "string"}}}
            }),
            json!({}),
        ),
        "#/components/schemas/Pet/oneOf",
        "supported only in a union told apart by shape",
    );
}

/// An operation named like a method the client already has (`transport`,
/// or `sender` on the Insights client) would not compile: refused.
#[test]
fn an_operation_named_like_a_client_method_is_refused() {
    for id in ["transport", "fromTransport", "spooledSender"] {
        assert_error(
            spec(
                json!({}),
                json!({"/t": {"get": {"operationId": id, "responses": {"204": {"description": "ok"}}}}}),
            ),
            "#/paths/~1t/get/operationId",
            "which the client already has",
        );
    }
}
