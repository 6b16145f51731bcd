//! Joining texts with a separator, for messages: what `[T]::join` does, in
//! a loop small enough that its copies cost little to compile (std's
//! `join_generic_copy` was two copies of ~800 lines of LLVM IR each, for
//! messages that are built only when something is wrong).

/// `parts` with `separator` between them.
pub(crate) fn join<S: AsRef<str>>(parts: &[S], separator: &str) -> String {
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        out.push_str(part.as_ref());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn joins_as_std_does() {
        for parts in [&[][..], &["a"][..], &["a", "b", "c"][..], &["", ""][..]] {
            assert_eq!(join(parts, ", "), parts.join(", "));
        }
        let owned = vec!["x".to_string(), "y".to_string()];
        assert_eq!(join(&owned, " and "), "x and y");
    }
}
