//! [`Shared`]: a value shared between versions of an object until one of
//! them changes it.
//!
//! Every status write of a Job makes a new version of the whole object (the
//! old one stays in informer caches and change notifications), and every
//! Job the CronJob controller creates copies its CronJob's `jobTemplate`.
//! Specs rarely change after creation, so a Job's spec is shared by all its
//! versions and with the template it came from; writing to it copies it
//! first (copy on write), so the sharing is invisible to readers, to
//! writers and on the wire.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// A `T` shared between the objects that hold it; [`DerefMut`] copies it
/// first when another holder exists (`Arc::make_mut`). Compares, prints and
/// serialises as the `T` it holds.
#[derive(Default, PartialEq, Eq)]
pub struct Shared<T>(Arc<T>);

impl<T> Shared<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Shared(Arc::new(value))
    }

    /// The address of the value held: the same for every holder of one
    /// value while any holder lives.
    pub fn addr(this: &Self) -> usize {
        Arc::as_ptr(&this.0) as *const () as usize
    }

    /// Whether both hold the very same value (not merely equal ones).
    pub fn ptr_eq(a: &Self, b: &Self) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> From<T> for Shared<T> {
    fn from(value: T) -> Self {
        Shared::new(value)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> DerefMut for Shared<T> {
    fn deref_mut(&mut self) -> &mut T {
        Arc::make_mut(&mut self.0)
    }
}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Shared<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Shared::new)
    }
}

#[cfg(test)]
mod tests {
    use super::Shared;

    #[test]
    fn writing_copies_only_a_shared_value() {
        let a = Shared::new(vec![1]);
        let mut b = a.clone();
        assert!(Shared::ptr_eq(&a, &b));
        b.push(2);
        assert!(!Shared::ptr_eq(&a, &b));
        assert_eq!((*a).clone(), vec![1]);
        assert_eq!((*b).clone(), vec![1, 2]);
        let before = &*b as *const Vec<i32>;
        b.push(3);
        assert_eq!(before, &*b as *const Vec<i32>, "a sole holder writes in place");
    }

    #[test]
    fn serialises_as_the_value() {
        let s = Shared::new(7u8);
        assert_eq!(serde_json::to_string(&s).ok().as_deref(), Some("7"));
        assert_eq!(format!("{s:?}"), "7");
    }
}
