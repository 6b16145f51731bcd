//! A checked string built from a constant (`&'static str`) costs no
//! allocation; one built from a `String` keeps that string's buffer; and the
//! value reads, compares, prints and serializes the same either way.
//!
//! A counting global allocator (this test binary's own) counts the
//! allocations around each construction; the file holds one test so that no
//! other thread allocates meanwhile.

use algolia_insights::models::{EventName, QueryID, UserToken};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to `System` unchanged; the counter is a side effect.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's guarantees for `alloc` are `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's guarantees for `realloc` are `System.realloc`'s.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its value and the allocations it made.
fn allocations<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let value = f();
    (value, ALLOCATIONS.load(Ordering::Relaxed) - before)
}

const QUERY: &str = "7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f";

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
