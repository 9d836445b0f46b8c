//! `policy::cronjob::Working`: the CronJob a sync works on, copied once it
//! changes, into the `Arc` the store then keeps.

use cronwarp::model::{CronJob, Time};
use cronwarp::policy::cronjob::Working;
use std::sync::Arc;

fn cronjob() -> CronJob {
    let mut cj = CronJob::default();
    cj.metadata.name = "c".into();
    cj.spec.schedule = "* * * * *".into();
    cj
}

/// `cj` worked on and changed once; with the address of the copy made.
fn changed(cj: &CronJob) -> (Working<'_>, *const CronJob) {
    let mut w = Working::borrowed(cj);
    w.to_mut().status.last_schedule_time = Some(Time(60_000));
    let copy: *const CronJob = &*w;
    (w, copy)
}

#[test]
fn an_unchanged_cronjob_is_read_through_without_a_copy() {
    let cj = cronjob();
    let w = Working::borrowed(&cj);
    assert!(std::ptr::eq(&*w, &cj), "reads go to the caller's CronJob");
    assert_eq!(w.into_owned(), cj);
}

#[test]
fn the_first_change_copies_and_later_ones_change_the_copy() {
    let cj = cronjob();
    let (mut w, copy) = changed(&cj);
    w.to_mut().status.last_successful_time = Some(Time(120_000));
    assert!(std::ptr::eq(&*w, copy), "the second change reuses the first copy");
    assert_eq!(cj.status.last_schedule_time, None, "the caller's CronJob is untouched");
    assert_eq!(w.status.last_schedule_time, Some(Time(60_000)));
    assert_eq!(w.status.last_successful_time, Some(Time(120_000)));
}

#[test]
fn the_shared_copy_is_the_one_the_sync_wrote() {
    let cj = cronjob();
    let (w, copy) = changed(&cj);
    let shared: Arc<CronJob> = w.into_shared();
    assert!(std::ptr::eq(&*shared, copy), "handed over, not copied again");
    // A CronJob never changed is copied once, on the way out.
    let shared = Working::borrowed(&cj).into_shared();
    assert_eq!(*shared, cj);
}

#[test]
fn a_fetched_cronjob_stands_in_for_the_callers() {
    let cj = cronjob();
    let w = Working::borrowed(&cj);
    let mut fresh = cronjob();
    fresh.metadata.resource_version = "7".into();
    let w = w.fetched(fresh.clone());
    assert_eq!(*w, fresh);
    assert_eq!(w.into_owned(), fresh);
}
