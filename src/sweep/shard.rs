//! Sharded sweeps: `cronwarp sweep --shard I/N` runs one deterministic
//! slice of the seeds and writes what it found as a [`SweepPart`];
//! `cronwarp merge` folds the parts into the very [`Sweep`] one run over
//! every seed gives, byte for byte.
//!
//! A sweep's percentiles are nearest-rank over all runs, which no summary
//! of a slice can give exactly; so a part keeps each run's figures
//! ([`RunFigures`]: a few dozen numbers per run, a few hundred kilobytes
//! for a thousand seeds), and the merge feeds them, in seed order, to the
//! same fold a single sweep uses. The slices are contiguous: shard `I` of
//! `N` runs seeds `start + ⌊I·n/N⌋ .. start + ⌊(I+1)·n/N⌋` of `n`, so a
//! shard may be empty when `N > n`.

use super::{Heading, RunFigures, SeedRange, Sweep, SweepOptions, Tally, run_seeds, workload_names};
use crate::sim::WorkloadKind;
use crate::{Error, Scenario};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Version of a part's JSON shape; parts of another version are refused.
pub const PART_VERSION: u32 = 1;

/// Most shards a sweep is cut into.
const MAX_SHARDS: u64 = 100_000;

/// One shard of a sweep: `index` of `count`, 0-based (`--shard I/N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which shard, `0..count`.
    pub index: u64,
    /// How many shards the sweep is cut into.
    pub count: u64,
}

/// Why a `--shard` was refused; its text says how to write one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidShard {
    /// What is wrong, in plain words.
    pub message: String,
}

impl fmt::Display for InvalidShard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InvalidShard {}

impl FromStr for Shard {
    type Err = InvalidShard;

    /// `I/N`: shard `I` (from 0) of `N`, e.g. `0/8` … `7/8`.
    fn from_str(s: &str) -> Result<Shard, InvalidShard> {
        let written = s.trim();
        let fail = |why: String| InvalidShard {
            message: format!(
                "invalid shard {written:?}: {why}; write I/N with 0 <= I < N, e.g. 0/8 for the first \
                 of 8 shards (an Indexed Job passes $JOB_COMPLETION_INDEX as I)"
            ),
        };
        let (i, n) = written.split_once('/').ok_or_else(|| fail("no `/`".into()))?;
        let number = |t: &str| -> Result<u64, InvalidShard> {
            if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit()) {
                return Err(fail(format!("{t:?} is not a whole number")));
            }
            t.parse().map_err(|_| fail(format!("{t} is too large")))
        };
        let (index, count) = (number(i)?, number(n)?);
        if count == 0 || count > MAX_SHARDS {
            return Err(fail(format!("N must be 1 to {MAX_SHARDS}")));
        }
        if index >= count {
            return Err(fail(format!("I must be below N ({count})")));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The seeds of `seeds` this shard runs (see the module docs).
    pub fn slice(&self, seeds: SeedRange) -> std::ops::Range<u64> {
        let n = u128::from(seeds.count());
        let at = |i: u64| seeds.start() + (u128::from(i) * n / u128::from(self.count)) as u64;
        at(self.index)..at(self.index + 1)
    }
}

/// What one shard of a sweep found: enough to rebuild the whole sweep once
/// every shard's part is in (`cronwarp merge`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepPart {
    /// The part format's version ([`PART_VERSION`]).
    pub part_version: u32,
    /// The cronwarp version that ran it: parts of different versions may
    /// disagree, so they are not merged.
    pub cronwarp_version: String,
    /// A hash of the scenario's text and its manifest files
    /// ([`scenario_hash`]).
    pub scenario_hash: String,
    /// Which shard.
    pub shard: Shard,
    /// The sweep's name, seeds, horizon and declared checks.
    heading: Heading,
    /// Name and kind of each workload, in report order.
    workloads: Vec<PartWorkload>,
    /// The first run's warnings (the same at every seed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    warnings: Option<Vec<String>>,
    /// Every run of the shard's slice, in seed order.
    runs: Vec<RunFigures>,
}

/// A workload's name and kind, as a part writes them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct PartWorkload {
    name: String,
    #[serde(deserialize_with = "crate::report::workload_kind")]
    kind: WorkloadKind,
}

impl SweepPart {
    /// The seeds this part ran.
    pub fn seeds(&self) -> std::ops::Range<u64> {
        self.shard.slice(self.heading.seeds)
    }
}

/// Runs the slice of [`SweepOptions::seeds`] that `shard` names (see the
/// module docs) and keeps every run's figures for [`merge`].
pub fn sweep_part(scenario: &Scenario, options: SweepOptions<'_>, shard: Shard) -> Result<SweepPart, Error> {
    let names = workload_names(scenario)?;
    let (mut runs, mut first_warnings) = (Vec::new(), None);
    run_seeds(scenario, &names, shard.slice(options.seeds), &options, |f, w| {
        first_warnings.get_or_insert(w);
        runs.push(f);
    })?;
    Ok(SweepPart {
        part_version: PART_VERSION,
        cronwarp_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_hash: scenario_hash(scenario),
        shard,
        heading: Heading::of(scenario, options.seeds),
        workloads: names.into_iter().map(|(name, kind)| PartWorkload { name, kind }).collect(),
        warnings: first_warnings,
        runs,
    })
}

/// Why parts were not merged: which part, what differs, what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeError {
    /// What is wrong, in plain words.
    pub message: String,
}

impl fmt::Display for MergeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MergeError {}

/// The sweep the parts make together: the same, byte for byte, as one
/// sweep over all their seeds. `names` label the parts in messages (file
/// names, say). Refused unless the parts are every shard of one sweep
/// (same format and cronwarp version, scenario, seeds and shard count),
/// each once.
pub fn merge(parts: &[(String, SweepPart)]) -> Result<Sweep, MergeError> {
    let fail = |message: String| Err(MergeError { message });
    let Some((first_name, first)) = parts.first() else {
        return fail("no parts to merge: name the files `cronwarp sweep --shard` wrote".into());
    };
    for (name, p) in parts {
        if p.part_version != PART_VERSION {
            return fail(format!(
                "{name}: a part of format version {}, this cronwarp reads version {PART_VERSION}; run \
                 every shard with the same cronwarp as the merge",
                p.part_version
            ));
        }
        let differs = |what: &str, a: &dyn fmt::Display, b: &dyn fmt::Display| {
            fail(format!(
                "{name} and {first_name} are not parts of one sweep: {what} {a} against {b}; merge the \
                 parts of one `cronwarp sweep` command, run with one cronwarp version"
            ))
        };
        if p.cronwarp_version != first.cronwarp_version {
            return differs("cronwarp version", &p.cronwarp_version, &first.cronwarp_version);
        }
        if p.scenario_hash != first.scenario_hash || p.heading.scenario != first.heading.scenario {
            let a = format!("{} (hash {})", p.heading.scenario, p.scenario_hash);
            let b = format!("{} (hash {})", first.heading.scenario, first.scenario_hash);
            return differs("scenario", &a, &b);
        }
        if p.heading != first.heading || p.workloads != first.workloads {
            return differs("seeds", &p.heading.seeds, &first.heading.seeds);
        }
        if p.shard.count != first.shard.count {
            return differs("shard count", &p.shard.count, &first.shard.count);
        }
        let expected = p.seeds();
        if p.runs.len() as u64 != expected.end - expected.start
            || !p.runs.iter().map(|r| r.seed).eq(expected.clone())
        {
            return fail(format!(
                "{name}: shard {} should hold the runs of seeds {}..{}, and does not; the file is \
                 damaged or was edited: run that shard again",
                p.shard, expected.start, expected.end
            ));
        }
    }
    let mut order: Vec<&SweepPart> = parts.iter().map(|(_, p)| p).collect();
    order.sort_by_key(|p| p.shard.index);
    for (i, p) in order.iter().enumerate() {
        if p.shard.index != i as u64 {
            let which = if p.shard.index < i as u64 { "twice" } else { "missing" };
            let shard = if which == "twice" { p.shard.index } else { i as u64 };
            return fail(format!(
                "shard {shard}/{} is {which}: merge each of the {} shards' parts exactly once",
                first.shard.count, first.shard.count
            ));
        }
    }
    if order.len() as u64 != first.shard.count {
        return fail(format!(
            "shard {}/{} is missing: merge each of the {} shards' parts exactly once",
            order.len(),
            first.shard.count,
            first.shard.count
        ));
    }
    let head = &first.heading;
    let names = first.workloads.iter().map(|w| (w.name.clone(), w.kind)).collect();
    let mut tally = Tally::new(names, head.seeds.count());
    let mut warnings = order.iter().find_map(|p| p.warnings.clone());
    for p in order {
        for r in &p.runs {
            tally.add(r.clone(), warnings.take().unwrap_or_default());
        }
    }
    Ok(tally.finish(head))
}

/// A hash of what a scenario was read from: its text and each manifest
/// file it names (64-bit FNV-1a, hex). Parts of one sweep agree on it; a
/// scenario built in code hashes its parsed form.
pub fn scenario_hash(scenario: &Scenario) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes.iter().chain(&[0xff]) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    match &scenario.as_sim().source {
        Some(src) => {
            feed(src.text.as_bytes());
            for (file, text) in src.files.values() {
                feed(file.as_bytes());
                feed(text.as_bytes());
            }
        }
        None => feed(format!("{:?}", scenario.as_sim()).as_bytes()),
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cut_the_seeds_into_contiguous_slices_that_cover_them() {
        let seeds: SeedRange = "10..17".parse().unwrap();
        for n in [1, 2, 3, 7, 10] {
            let slices: Vec<_> = (0..n).map(|i| Shard { index: i, count: n }.slice(seeds)).collect();
            assert_eq!(slices[0].start, 10);
            assert_eq!(slices[n as usize - 1].end, 17);
            assert!(slices.windows(2).all(|w| w[0].end == w[1].start), "{n}: {slices:?}");
        }
    }

    #[test]
    fn a_shard_is_written_i_slash_n() {
        assert_eq!("3/8".parse::<Shard>(), Ok(Shard { index: 3, count: 8 }));
        for (bad, why) in
            [("8/8", "below N"), ("1", "no `/`"), ("a/2", "not a whole number"), ("0/0", "N must")]
        {
            let e = bad.parse::<Shard>().unwrap_err();
            assert!(e.message.contains(why), "{bad}: {e}");
        }
    }
}
