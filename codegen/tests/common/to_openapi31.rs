//! A converter of our own from OpenAPI 3.0 to 3.1, for the tests: it
//! rewrites a document's schemas mechanically in 3.1 forms, keeping what
//! each means to the generator.
//!
//! - `openapi: 3.0.x` → `3.1.0`;
//! - `type: T` with `nullable: true` → `type: [T, "null"]` (`nullable` goes);
//! - `example: x` → `examples: [x]` (a 3.0 schema's `examples`, which 3.0
//!   does not have and the generator ignores, goes);
//! - `exclusiveMinimum: true` with `minimum: m` → `exclusiveMinimum: m`
//!   (the same for the maximum);
//! - a one-value string `enum` → `const`;
//! - keywords beside a `$ref`, which mean nothing in 3.0 (but `x-`
//!   extensions), go: in 3.1 they would annotate the reference.
//!
//! Schemas are found where OpenAPI puts them (components, parameters, media
//! types, headers) and inside schemas (properties, items, unions, ...), so a
//! property named `example` is not taken for the keyword.

use serde_json::{json, Map, Value};

/// `doc` (an OpenAPI 3.0 document) in 3.1 forms.
pub fn to_openapi31(doc: &Value) -> Value {
    let mut doc = doc.clone();
    doc["openapi"] = json!("3.1.0");
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        for schema in values_mut(components.get_mut("schemas")) {
            schema_in_31(schema);
        }
        for parameter in values_mut(components.get_mut("parameters")) {
            parameter_in_31(parameter);
        }
        for header in values_mut(components.get_mut("headers")) {
            parameter_in_31(header);
        }
        for response in values_mut(components.get_mut("responses")) {
            response_in_31(response);
        }
        for body in values_mut(components.get_mut("requestBodies")) {
            content_in_31(body);
        }
    }
    for item in values_mut(doc.get_mut("paths")) {
        for parameter in values_mut(item.get_mut("parameters")) {
            parameter_in_31(parameter);
        }
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            if ["parameters", "summary", "description", "servers"].contains(&method.as_str())
                || method.starts_with("x-")
            {
                continue;
            }
            for parameter in values_mut(operation.get_mut("parameters")) {
                parameter_in_31(parameter);
            }
            if let Some(body) = operation.get_mut("requestBody") {
                content_in_31(body);
            }
            for response in values_mut(operation.get_mut("responses")) {
                response_in_31(response);
            }
        }
    }
    doc
}

/// The values of an object or the items of an array (nothing otherwise).
fn values_mut(value: Option<&mut Value>) -> Vec<&mut Value> {
    match value {
        Some(Value::Object(map)) => map.values_mut().collect(),
        Some(Value::Array(items)) => items.iter_mut().collect(),
        _ => Vec::new(),
    }
}

/// A parameter or a header: its `schema`.
fn parameter_in_31(parameter: &mut Value) {
    if let Some(schema) = parameter.get_mut("schema") {
        schema_in_31(schema);
    }
}

/// A request body or a response: each media type's `schema`.
fn content_in_31(holder: &mut Value) {
    for media in values_mut(holder.get_mut("content")) {
        if let Some(schema) = media.get_mut("schema") {
            schema_in_31(schema);
        }
    }
}

fn response_in_31(response: &mut Value) {
    content_in_31(response);
    for header in values_mut(response.get_mut("headers")) {
        parameter_in_31(header);
    }
}

/// One schema and those inside it.
fn schema_in_31(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if object.contains_key("$ref") {
        object.retain(|key, _| key == "$ref" || key.starts_with("x-"));
        return;
    }
    nullable_in_31(object);
    object.remove("examples");
    if let Some(example) = object.remove("example") {
        object.insert("examples".into(), json!([example]));
    }
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match object.remove(flag) {
            Some(Value::Bool(true)) => {
                if let Some(value) = object.remove(bound) {
                    object.insert(flag.into(), value);
                }
            }
            Some(Value::Bool(false)) | None => {}
            Some(other) => {
                object.insert(flag.into(), other);
            }
        }
    }
    let one_string = match object.get("enum") {
        Some(Value::Array(values)) if values.len() == 1 && values[0].is_string() => {
            Some(values[0].clone())
        }
        _ => None,
    };
    if let Some(value) = one_string {
        object.remove("enum");
        object.insert("const".into(), value);
    }
    for key in ["properties", "$defs"] {
        for inner in values_mut(object.get_mut(key)) {
            schema_in_31(inner);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for inner in values_mut(object.get_mut(key)) {
            schema_in_31(inner);
        }
    }
    match object.get_mut("items") {
        // `items: [...]` is neither 3.0 nor 3.1 (the generator warns); kept.
        Some(Value::Array(items)) => items.iter_mut().for_each(schema_in_31),
        Some(items) => schema_in_31(items),
        None => {}
    }
    for key in ["additionalProperties", "not"] {
        if let Some(inner) = object.get_mut(key) {
            schema_in_31(inner);
        }
    }
}

/// `nullable: true` beside a `type` → a `type` list with `"null"`.
fn nullable_in_31(object: &mut Map<String, Value>) {
    match (object.get("nullable"), object.get("type")) {
        (Some(Value::Bool(true)), Some(Value::String(kind))) => {
            let kind = kind.clone();
            object.remove("nullable");
            object.insert("type".into(), json!([kind, "null"]));
        }
        (Some(Value::Bool(false)), _) => {
            object.remove("nullable");
        }
        _ => {}
    }
}
