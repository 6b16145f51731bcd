//! Resolve phase: loads the root document and every file it refers to, and
//! follows `$ref`s (local `#/...` pointers and relative file references).

use crate::error::{Error, Location, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// How many `$ref`s may be chained before the generator calls it a cycle.
const MAX_REF_CHAIN: usize = 32;

/// All documents of a spec, keyed by their path relative to the root's folder.
#[derive(Debug, Clone)]
pub struct Loader {
    /// `None` keys the root document.
    docs: BTreeMap<Option<String>, Value>,
    base_dir: Option<PathBuf>,
    /// [`spec_hash`](crate::spec_hash) of the root document's text.
    root_hash: u64,
}

impl Loader {
    /// Reads the root document at `path` and every file its `$ref`s reach.
    pub fn from_path(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::new(
                &Location::root(),
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::build(&text, Some(base_dir))
    }

    /// A spec held in memory; file references are refused (there is no folder).
    pub fn from_json_str(text: &str) -> Result<Self> {
        Self::build(text, None)
    }

    fn build(text: &str, base_dir: Option<PathBuf>) -> Result<Self> {
        let root = parse_json(text, &Location::root())?;
        let mut loader = Loader {
            docs: BTreeMap::new(),
            base_dir,
            root_hash: crate::spec_hash(text.as_bytes()),
        };
        loader.docs.insert(None, root);
        let mut pending = vec![None];
        while let Some(file) = pending.pop() {
            let mut refs = Vec::new();
            collect_refs(&loader.docs[&file], &location_in(&file), &mut refs);
            for (reference, at) in refs {
                let Some((target_file, _)) = split_ref(&reference, &file) else {
                    continue;
                };
                if let Some(target) = target_file {
                    if !loader.docs.contains_key(&Some(target.clone())) {
                        let doc = loader.read_file(&target, &at)?;
                        loader.docs.insert(Some(target.clone()), doc);
                        pending.push(Some(target));
                    }
                }
            }
        }
        Ok(loader)
    }

    fn read_file(&self, relative: &str, at: &Location) -> Result<Value> {
        let Some(base) = &self.base_dir else {
            return Err(Error::new(
                at,
                format!(
                    "`$ref` to the file `{relative}`, but this spec was not read from a folder"
                ),
            ));
        };
        let path = base.join(relative);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::new(at, format!("cannot read `{relative}` named by `$ref`: {e}"))
        })?;
        parse_json(&text, &location_in(&Some(relative.to_string())))
    }

    /// [`spec_hash`](crate::spec_hash) of the root document's text: the
    /// generated files' first line records it.
    pub fn root_hash(&self) -> u64 {
        self.root_hash
    }

    /// The root document.
    pub fn root(&self) -> &Value {
        &self.docs[&None]
    }

    /// The value at a location, if there is one.
    pub fn get(&self, location: &Location) -> Option<&Value> {
        let doc = self.docs.get(&location.file)?;
        let pointer = location
            .pointer
            .strip_prefix('#')
            .unwrap_or(&location.pointer);
        doc.pointer(pointer)
    }

    /// Follows `$ref`s from `value` (found at `at`) to a value that is not a
    /// reference, returning it with its own location.
    pub fn resolve<'a>(&'a self, value: &'a Value, at: &Location) -> Result<(&'a Value, Location)> {
        let mut current = value;
        let mut location = at.clone();
        for _ in 0..MAX_REF_CHAIN {
            let Some(reference) = ref_of(current) else {
                return Ok((current, location));
            };
            let target = self.ref_target(reference, &location)?;
            current = self.get(&target).ok_or_else(|| {
                Error::new(
                    &location.key("$ref"),
                    format!("`$ref` `{reference}` points at nothing"),
                )
            })?;
            location = target;
        }
        Err(Error::new(
            at,
            format!("more than {MAX_REF_CHAIN} chained `$ref`s: a reference cycle"),
        ))
    }

    /// Where a `$ref` string found at `at` points.
    pub fn ref_target(&self, reference: &str, at: &Location) -> Result<Location> {
        let (file, pointer) = split_ref(reference, &at.file).ok_or_else(|| {
            Error::new(
                &at.key("$ref"),
                format!("`$ref` `{reference}` is not a local pointer (`#/...`) or a relative file reference"),
            )
        })?;
        Ok(Location { file, pointer })
    }
}

/// The `$ref` string of a value, when it is a reference object.
pub fn ref_of(value: &Value) -> Option<&str> {
    value.as_object()?.get("$ref")?.as_str()
}

fn location_in(file: &Option<String>) -> Location {
    Location {
        file: file.clone(),
        pointer: "#".to_string(),
    }
}

fn parse_json(text: &str, at: &Location) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| Error::new(at, format!("not valid JSON: {e}")))
}

/// Splits `other.json#/a/b` into (file relative to the root folder, pointer).
fn split_ref(reference: &str, current_file: &Option<String>) -> Option<(Option<String>, String)> {
    let (file_part, pointer) = match reference.split_once('#') {
        Some((file, pointer)) => (file, format!("#{pointer}")),
        None => (reference, "#".to_string()),
    };
    if pointer != "#" && !pointer.starts_with("#/") {
        return None;
    }
    if file_part.is_empty() {
        return Some((current_file.clone(), pointer));
    }
    if file_part.contains("://") || file_part.starts_with('/') {
        return None;
    }
    let current_dir = current_file
        .as_deref()
        .and_then(|f| Path::new(f).parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let joined = normalize(&current_dir.join(file_part))?;
    Some((Some(joined), pointer))
}

/// Lexically normalizes `a/./b/../c` to `a/c`; refuses paths that leave the root folder.
fn normalize(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

fn collect_refs(value: &Value, at: &Location, out: &mut Vec<(String, Location)>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                if key == "$ref" {
                    if let Some(reference) = item.as_str() {
                        out.push((reference.to_string(), at.clone()));
                    }
                } else if key != "example" && key != "examples" {
                    collect_refs(item, &at.key(key), out);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                collect_refs(item, &at.index(index), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_local_and_file_references() {
        let none = None;
        assert_eq!(split_ref("#/a/b", &none), Some((None, "#/a/b".into())));
        assert_eq!(
            split_ref("schemas/x.json#/X", &none),
            Some((Some("schemas/x.json".into()), "#/X".into()))
        );
        let inner = Some("schemas/x.json".to_string());
        assert_eq!(
            split_ref("../common.json", &inner),
            Some((Some("common.json".into()), "#".into()))
        );
        assert_eq!(
            split_ref("#/a", &inner),
            Some((inner.clone(), "#/a".into()))
        );
        assert_eq!(split_ref("https://example.com/x.json", &none), None);
        assert_eq!(split_ref("../../escape.json", &inner), None);
    }

    #[test]
    fn reports_a_reference_cycle_with_its_pointer() {
        let spec = r##"{"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}}"##;
        let loader = Loader::from_json_str(spec).unwrap();
        let at = Location::root().key("a");
        let err = loader.resolve(loader.get(&at).unwrap(), &at).unwrap_err();
        assert_eq!(err.location.pointer, "#/a");
        assert!(err.reason.contains("cycle"), "{err}");
    }

    #[test]
    fn refuses_file_references_without_a_folder() {
        let err = Loader::from_json_str(r#"{"a": {"$ref": "other.json"}}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "#/a: `$ref` to the file `other.json`, but this spec was not read from a folder"
        );
    }
}
