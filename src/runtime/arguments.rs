//! How generated constructors and setters take their arguments: lists as
//! any array, `Vec` or iterator, and checked strings as the checked type, each
//! with a compiler error that says what to write instead when something else
//! is passed.

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

/// A list argument of models: an array, a `Vec` or any other iterator of
/// `T`, such as `[event.into()]` for a list of `EventsItems`.
///
/// The items are `T` itself, so that `.into()` in `[event.into()]` knows
/// what to convert into. A list of anything else (`vec![event]`, events not
/// converted) is refused with this trait's message, which says how to
/// convert them: the blanket impl is `do_not_recommend`, so the compiler
/// names this trait rather than a mismatch of the iterator's items. Generated
/// code takes `impl IntoModelList<T>` where the spec has a list of models.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a list of `{T}`",
    label = "expected a list of `{T}` here, such as an array or a `Vec`",
    note = "the items must be `{T}` values: convert each with `.into()`, as in `[event.into()]`, or a list you have with `.into_iter().map({T}::from)`",
    note = "for one value, write a list of one: `[value.into()]`"
)]
pub trait IntoModelList<T> {
    /// The items.
    fn into_model_list(self) -> Vec<T>;
}

#[diagnostic::do_not_recommend]
impl<I, T> IntoModelList<T> for I
where
    I: IntoIterator<Item = T>,
{
    fn into_model_list(self) -> Vec<T> {
        self.into_iter().collect()
    }
}

/// An argument of a checked string type (a generated type such as
/// `UserToken`, whose value always meets the spec's rules): that type,
/// built with its `new`, which checks the value.
///
/// Generated code takes `impl Checked<T>` where a field or parameter is of
/// such a type, and implements it for the type itself.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a checked `{T}`",
    label = "expected a `{T}` here",
    note = "a `{T}` is checked against the spec's rules when it is built: write `{T}::new(value)?`"
)]
pub trait Checked<T> {
    /// The checked value.
    fn into_checked(self) -> T;
}

#[cfg(test)]
mod tests {
    use super::{IntoList, IntoModelList};

    #[test]
    fn model_lists_take_the_items_themselves() {
        #[derive(Debug, PartialEq)]
        struct Model(u8);
        impl From<u8> for Model {
            fn from(n: u8) -> Self {
                Model(n)
            }
        }
        let converted: Vec<Model> = [1.into(), 2.into()].into_model_list();
        assert_eq!(converted, [Model(1), Model(2)]);
        let from_vec: Vec<Model> = vec![Model(3)].into_model_list();
        assert_eq!(from_vec, [Model(3)]);
    }

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
