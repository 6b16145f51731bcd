//! Which types requests and responses reach: response types keep what a
//! newer API sends; request types are what users send.

use super::{Operation, Success, TypeDef, TypeKind, TypeRef};
use std::collections::BTreeMap;

/// Marks every type reachable from a success response: such types must keep
/// what a newer API sends (unknown enum values, unknown fields).
pub(super) fn mark_response_types(types: &mut [TypeDef], operations: &[Operation]) {
    let mut roots = Vec::new();
    for op in operations {
        if let Success::Json(ty) = &op.success {
            collect_names(ty, &mut roots);
        }
    }
    mark_reachable(types, roots, |t| &mut t.in_response);
}

/// Marks every type reachable from a request (a parameter or a body): users
/// send its values.
pub(super) fn mark_request_types(types: &mut [TypeDef], operations: &[Operation]) {
    let mut roots = Vec::new();
    for op in operations {
        for param in &op.params {
            collect_names(&param.ty, &mut roots);
        }
        if let Some(body) = &op.body {
            collect_names(&body.ty, &mut roots);
        }
    }
    mark_reachable(types, roots, |t| &mut t.in_request);
}

/// Sets `flag` on the named types and every type they reach.
pub(super) fn mark_reachable(
    types: &mut [TypeDef],
    mut pending: Vec<String>,
    flag: impl Fn(&mut TypeDef) -> &mut bool,
) {
    let index: BTreeMap<String, usize> = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    while let Some(name) = pending.pop() {
        let Some(&i) = index.get(&name) else { continue };
        let marked = flag(&mut types[i]);
        if *marked {
            continue;
        }
        *marked = true;
        match &types[i].kind {
            TypeKind::Struct(s) => {
                for f in &s.fields {
                    collect_names(&f.ty, &mut pending);
                }
            }
            TypeKind::Alias(ty, _) => collect_names(ty, &mut pending),
            TypeKind::Union(u) => {
                for v in &u.variants {
                    collect_names(&v.ty, &mut pending);
                }
            }
            _ => {}
        }
    }
}

pub(super) fn collect_names(ty: &TypeRef, out: &mut Vec<String>) {
    match ty {
        TypeRef::Named(n) => out.push(n.clone()),
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
            collect_names(inner, out)
        }
        _ => {}
    }
}
