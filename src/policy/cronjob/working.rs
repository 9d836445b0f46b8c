//! The CronJob a sync works on: upstream's `cronJob.DeepCopy()`, made only
//! once the sync changes something.

use crate::model::CronJob;
use std::ops::Deref;
use std::sync::Arc;

/// Copy-on-write over a CronJob, like `Cow<CronJob>`, except that the copy
/// lives in an [`Arc`] from the moment it is made. A CronJob is over 300
/// bytes, and a `Cow`'s owned copy was moved whole at every step from the
/// sync to the store (out of the outcome, into the status write, into the
/// store's `Arc`); this one is built once and handed on as a pointer, so
/// the store keeps the very copy the sync wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Working<'c> {
    /// The caller's CronJob, which the sync reads until it changes it.
    borrowed: &'c CronJob,
    /// The sync's own copy, once made.
    owned: Option<Arc<CronJob>>,
}

impl<'c> Working<'c> {
    /// The caller's CronJob, not copied.
    pub fn borrowed(cronjob: &'c CronJob) -> Working<'c> {
        Working { borrowed: cronjob, owned: None }
    }

    /// A CronJob the sync fetched for itself, to work on instead of this
    /// one.
    pub fn fetched(&self, cronjob: CronJob) -> Working<'c> {
        Working { borrowed: self.borrowed, owned: Some(Arc::new(cronjob)) }
    }

    /// The CronJob to change, copied first if it is still the caller's
    /// (`Cow::to_mut`).
    pub fn to_mut(&mut self) -> &mut CronJob {
        let borrowed = self.borrowed;
        Arc::make_mut(self.owned.get_or_insert_with(|| Arc::new(borrowed.clone())))
    }

    /// The CronJob by value (`Cow::into_owned`).
    pub fn into_owned(self) -> CronJob {
        match self.owned {
            Some(a) => Arc::unwrap_or_clone(a),
            None => self.borrowed.clone(),
        }
    }

    /// The CronJob in an `Arc`, for a store that keeps it: the sync's own
    /// copy is handed over as it is.
    pub fn into_shared(self) -> Arc<CronJob> {
        self.owned.unwrap_or_else(|| Arc::new(self.borrowed.clone()))
    }
}

impl Deref for Working<'_> {
    type Target = CronJob;

    fn deref(&self) -> &CronJob {
        self.owned.as_deref().unwrap_or(self.borrowed)
    }
}
