//! The patched smol_str (`vendor/smol_str/CRONWARP.md`): heap strings that
//! share an allocation compare by pointer, and that shortcut must never
//! change what equality and order mean.

use smol_str::SmolStr;
use std::cmp::Ordering;

const LONG: &str = "default/minutely-29000000-bcdfg";

#[test]
fn clones_of_a_heap_string_are_equal_and_ordered_equal() {
    let a = SmolStr::new(LONG);
    assert!(a.is_heap_allocated(), "the case under test is a heap string");
    let b = a.clone();
    assert_eq!(a, b);
    assert_eq!(a.cmp(&b), Ordering::Equal);
}

#[test]
fn separate_allocations_still_compare_by_text() {
    let a = SmolStr::new(LONG);
    let same = SmolStr::new(String::from(LONG));
    let other = SmolStr::new("default/minutely-29000000-bcdfh");
    assert_eq!(a, same);
    assert_eq!(a.cmp(&same), Ordering::Equal);
    assert_ne!(a, other);
    assert_eq!(a.cmp(&other), Ordering::Less);
    assert_eq!(other.cmp(&a), Ordering::Greater);
    // Inline against heap: different representations of the same kind of
    // value still order by text.
    let short = SmolStr::new("default/a");
    assert!(!short.is_heap_allocated());
    assert_eq!(short.cmp(&a), "default/a".cmp(LONG));
    assert_ne!(short, a);
}
