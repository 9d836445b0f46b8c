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

/// A collection (labels, annotations, owner references, finalizers)
/// shared between versions of an object until one of them changes it, like
/// [`Shared`], and empty without allocating: most objects have an empty
/// finalizer list or annotation map, and a status write leaves all four
/// alone. Compares, prints and serialises as the collection it holds.
pub struct SharedCollection<T: Collection>(Option<Arc<T>>);

/// A collection with a constant empty value, for [`SharedCollection`].
pub trait Collection: Clone + Default + 'static {
    /// The empty collection, shared by every empty [`SharedCollection`].
    const EMPTY: &'static Self;
    /// Whether it holds nothing.
    fn holds_nothing(&self) -> bool;
}

impl<K: Ord + Clone + 'static, V: Clone + 'static> Collection for std::collections::BTreeMap<K, V> {
    const EMPTY: &'static Self = &std::collections::BTreeMap::new();
    fn holds_nothing(&self) -> bool {
        self.is_empty()
    }
}

impl<T: Clone + 'static> Collection for Vec<T> {
    const EMPTY: &'static Self = &Vec::new();
    fn holds_nothing(&self) -> bool {
        self.is_empty()
    }
}

impl<T: Collection> SharedCollection<T> {
    /// Wraps a collection; an empty one takes no allocation.
    pub fn new(value: T) -> Self {
        if value.holds_nothing() { SharedCollection(None) } else { SharedCollection(Some(Arc::new(value))) }
    }

    /// Whether it holds nothing (also what serde's `skip_serializing_if`
    /// asks).
    pub fn is_empty(&self) -> bool {
        self.0.as_ref().is_none_or(|c| c.holds_nothing())
    }

    /// Whether both hold the very same collection (not merely equal ones);
    /// two empty ones do.
    pub fn ptr_eq(a: &Self, b: &Self) -> bool {
        match (&a.0, &b.0) {
            (None, None) => true,
            (Some(x), Some(y)) => Arc::ptr_eq(x, y),
            _ => false,
        }
    }
}

impl<T: Collection> Default for SharedCollection<T> {
    fn default() -> Self {
        SharedCollection(None)
    }
}

impl<T: Collection> Clone for SharedCollection<T> {
    fn clone(&self) -> Self {
        SharedCollection(self.0.clone())
    }
}

impl<T: Collection> From<T> for SharedCollection<T> {
    fn from(value: T) -> Self {
        SharedCollection::new(value)
    }
}

impl<T: Collection + FromIterator<A>, A> FromIterator<A> for SharedCollection<T> {
    fn from_iter<I: IntoIterator<Item = A>>(iter: I) -> Self {
        SharedCollection::new(iter.into_iter().collect())
    }
}

impl<T: Collection> Deref for SharedCollection<T> {
    type Target = T;

    fn deref(&self) -> &T {
        match &self.0 {
            Some(v) => v,
            None => T::EMPTY,
        }
    }
}

impl<T: Collection> DerefMut for SharedCollection<T> {
    fn deref_mut(&mut self) -> &mut T {
        Arc::make_mut(self.0.get_or_insert_with(|| Arc::new(T::default())))
    }
}

impl<'a, K: Ord + Clone + 'static, V: Clone + 'static> IntoIterator
    for &'a SharedCollection<std::collections::BTreeMap<K, V>>
{
    type Item = (&'a K, &'a V);
    type IntoIter = std::collections::btree_map::Iter<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        (**self).iter()
    }
}

impl<'a, T: Clone + 'static> IntoIterator for &'a SharedCollection<Vec<T>> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        (**self).iter()
    }
}

impl<T: Collection + PartialEq> PartialEq for SharedCollection<T> {
    fn eq(&self, other: &Self) -> bool {
        SharedCollection::ptr_eq(self, other) || **self == **other
    }
}

impl<T: Collection + Eq> Eq for SharedCollection<T> {}

impl<T: Collection + fmt::Debug> fmt::Debug for SharedCollection<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

impl<T: Collection + Serialize> Serialize for SharedCollection<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de, T: Collection + Deserialize<'de>> Deserialize<'de> for SharedCollection<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(SharedCollection::new)
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
    fn an_empty_collection_takes_no_allocation_and_a_write_copies_only_a_shared_one() {
        use super::SharedCollection;
        let empty: SharedCollection<Vec<u8>> = Vec::new().into();
        assert!(empty.0.is_none());
        assert!(empty.is_empty());
        let a: SharedCollection<Vec<u8>> = vec![1].into();
        let mut b = a.clone();
        assert!(SharedCollection::ptr_eq(&a, &b));
        b.push(2);
        assert!(!SharedCollection::ptr_eq(&a, &b));
        assert_eq!((&*a, &*b), (&vec![1], &vec![1, 2]));
        let mut c = SharedCollection::<Vec<u8>>::default();
        c.push(3);
        assert_eq!(*c, vec![3]);
        assert_eq!(serde_json::to_string(&c).ok().as_deref(), Some("[3]"));
        c.clear();
        assert!(c.is_empty(), "emptied in place, it is empty all the same");
    }

    #[test]
    fn serialises_as_the_value() {
        let s = Shared::new(7u8);
        assert_eq!(serde_json::to_string(&s).ok().as_deref(), Some("7"));
        assert_eq!(format!("{s:?}"), "7");
    }
}
