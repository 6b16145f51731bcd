//! A string given as a constant (`&'static str`) costs no allocation: a
//! checked string (`EventName`, `UserToken`, `QueryID`) and a named plain
//! string (`Index`, a `Cow<'static, str>`), and so an event built from
//! constants allocates only its lists. One built from a `String` keeps that
//! string's buffer; and the value reads, compares, prints, serializes and
//! reads back from JSON the same either way.
//!
//! A counting global allocator (this test binary's own) counts the
//! allocations of each thread apart, so that each test counts only its own
//! while the others run.

use algolia_insights::models::{
    ClickedObjectIDs, EventName, EventsItems, Index, QueryID, UserToken, ViewedObjectIDs,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::borrow::Cow;
use std::cell::Cell;

struct Counting;

thread_local! {
    // A `const` initializer and no destructor: reading it never allocates.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    ALLOCATIONS.with(|count| count.set(count.get() + 1));
}

// SAFETY: every call is passed on to `System` unchanged; the counter is a side effect.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: the caller's guarantees for `alloc` are `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: the caller's guarantees for `realloc` are `System.realloc`'s.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A view of `ids` in `index`, from constants otherwise.
fn view_of(index: impl Into<Index>, ids: Vec<String>) -> ViewedObjectIDs {
    ViewedObjectIDs::new(
        EventName::new("Product Viewed").unwrap(),
        index,
        ids,
        UserToken::new("user-2").unwrap(),
    )
}

/// Runs `f` and returns its value and the allocations it made (on this thread).
fn allocations<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let value = f();
    (value, ALLOCATIONS.with(Cell::get) - before)
}

const QUERY: &str = "7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f";
const INDEX: &str = "products";

#[test]
fn constants_are_not_copied_and_owned_strings_are_moved_in() {
    let (name, made) = allocations(|| EventName::new("Product Viewed").unwrap());
    assert_eq!(made, 0, "EventName::new of a constant allocated");
    let (query, made) = allocations(|| QueryID::new(QUERY).unwrap());
    assert_eq!(made, 0, "QueryID::new of a constant allocated");

    let owned = String::from("user-42");
    let (token, made) = allocations(|| UserToken::new(owned).unwrap());
    assert_eq!(made, 0, "UserToken::new of a String copied it");

    // Built from a constant or from a copy of it, the values are the same.
    let from_string = EventName::new("Product Viewed".to_owned()).unwrap();
    let parsed: EventName = "Product Viewed".parse().unwrap();
    assert_eq!(name, from_string);
    assert_eq!(name, parsed);
    assert_eq!(name.as_str(), "Product Viewed");
    assert_eq!(name.to_string(), "Product Viewed");
    assert_eq!(query.as_ref() as &str, QUERY);
    assert_eq!(
        serde_json::to_string(&name).unwrap(),
        serde_json::to_string(&from_string).unwrap()
    );
    assert_eq!(String::from(token.clone()), "user-42");
    assert_eq!(token.into_inner(), "user-42");

    // A constant is still checked.
    assert!(EventName::new("").is_err());
    assert!(UserToken::new("has space").is_err());
}

#[test]
fn an_event_built_from_constants_allocates_only_its_list() {
    // The list of object IDs is the event's own data: built beforehand.
    let ids = vec!["sku-1".to_owned()];
    let (click, made) = allocations(|| -> EventsItems {
        ClickedObjectIDs::new(
            EventName::new("Product Clicked").unwrap(),
            INDEX,
            ids,
            UserToken::new("user-1").unwrap(),
        )
        .into()
    });
    assert_eq!(made, 0, "a click built from constants allocated");

    let (index, made) = allocations(|| Index::from(INDEX));
    assert_eq!(made, 0, "an index given as a constant allocated");
    assert!(matches!(index, Cow::Borrowed(INDEX)));

    let ids = vec!["sku-2".to_owned()];
    let (view, made) = allocations(|| view_of(INDEX, ids));
    assert_eq!(made, 0, "a view built from constants allocated");
    assert!(matches!(view.index, Cow::Borrowed(INDEX)));

    // A `String` index is moved in, not copied.
    let owned = INDEX.to_owned();
    let ids = vec!["sku-2".to_owned()];
    let (from_owned, made) = allocations(|| view_of(owned, ids));
    assert_eq!(made, 0, "a view built with a String index copied it");
    assert!(matches!(from_owned.index, Cow::Owned(_)));

    // Borrowed or owned, the event is the same value with the same bytes,
    // and reading the bytes back gives owned strings that compare equal.
    assert_eq!(view, from_owned);
    let json = serde_json::to_string(&EventsItems::from(view.clone())).unwrap();
    assert_eq!(
        json,
        serde_json::to_string(&EventsItems::from(from_owned)).unwrap()
    );
    assert_eq!(
        json,
        r#"{"eventName":"Product Viewed","eventType":"view","index":"products","objectIDs":["sku-2"],"userToken":"user-2"}"#
    );
    let read = EventsItems::from_json(&json).unwrap();
    assert_eq!(read, EventsItems::from(view));
    let EventsItems::ViewedObjectIDs(read) = read else {
        panic!("read back as another variant: {read:?}");
    };
    assert!(matches!(read.index, Cow::Owned(_)));
    let read: EventsItems = serde_json::from_str(&json).unwrap();
    let EventsItems::ViewedObjectIDs(read) = read else {
        panic!("serde read it as another variant: {read:?}");
    };
    assert!(matches!(read.index, Cow::Owned(_)));
    assert_eq!(read.index, INDEX);

    assert!(matches!(click, EventsItems::ClickedObjectIDs(_)));
}
