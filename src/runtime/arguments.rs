//! How generated constructors and setters take list arguments: any array,
//! `Vec` or iterator of convertible items, with a compiler error that says a
//! list was expected (and which) when something else is passed.

/// A list argument: an array, a `Vec` or any other iterator whose items
/// convert into `T`, such as `["sku-1", "sku-2"]` for a list of `String`.
///
/// Implemented for every such type; generated code takes `impl IntoList<T>`
/// where the spec has a list of strings or numbers.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a list of `{T}`",
    label = "expected a list of `{T}` here, such as an array or a `Vec`",
    note = "constructors take the required fields in the order of the spec: if this value is meant for a later parameter, the list expected here is missing"
)]
pub trait IntoList<T> {
    /// The items, converted.
    fn into_list(self) -> Vec<T>;
}

impl<I, T> IntoList<T> for I
where
    I: IntoIterator,
    I::Item: Into<T>,
{
    fn into_list(self) -> Vec<T> {
        self.into_iter().map(Into::into).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::IntoList;

    #[test]
    fn arrays_vecs_and_iterators_are_lists() {
        let from_array: Vec<String> = ["a", "b"].into_list();
        assert_eq!(from_array, ["a", "b"]);
        let from_vec: Vec<String> = vec!["c".to_string()].into_list();
        assert_eq!(from_vec, ["c"]);
        let from_iterator: Vec<i64> = (1..=3).map(|n: i32| n * 2).into_list();
        assert_eq!(from_iterator, [2, 4, 6]);
    }
}
