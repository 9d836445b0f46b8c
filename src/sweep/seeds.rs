//! [`SeedRange`]: which seeds a sweep runs, as `cronwarp sweep --seeds`
//! reads them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Most seeds one sweep runs. Each run keeps nine numbers per workload
/// (and nine fleet-wide when there are several) until the sweep ends, as
/// the percentiles need them all, so this bounds its memory: a million
/// runs keep 72 MB per workload.
pub const MAX_SEEDS: u64 = 1_000_000;

/// The seeds of a sweep: `start..end`, `end` excluded, never empty, at
/// most [`MAX_SEEDS`] long.
///
/// ```
/// let seeds: cronwarp::sweep::SeedRange = "0..=9".parse()?;
/// assert_eq!((seeds.start(), seeds.end(), seeds.count()), (0, 10, 10));
/// assert_eq!(seeds.to_string(), "0..10");
/// assert!("5..2".parse::<cronwarp::sweep::SeedRange>().is_err());
/// # Ok::<(), cronwarp::sweep::InvalidSeedRange>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Bounds")]
pub struct SeedRange {
    start: u64,
    end: u64,
}

/// The serialized form, checked on the way in.
#[derive(Deserialize)]
struct Bounds {
    start: u64,
    end: u64,
}

impl TryFrom<Bounds> for SeedRange {
    type Error = InvalidSeedRange;

    fn try_from(b: Bounds) -> Result<SeedRange, InvalidSeedRange> {
        SeedRange::new(b.start, b.end)
    }
}

/// Why a seed range was refused; its text says how to write one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSeedRange {
    /// What is wrong, in plain words.
    pub message: String,
}

impl fmt::Display for InvalidSeedRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InvalidSeedRange {}

impl SeedRange {
    /// `start..end` (`end` excluded); refused when empty or longer than
    /// [`MAX_SEEDS`].
    pub fn new(start: u64, end: u64) -> Result<SeedRange, InvalidSeedRange> {
        SeedRange::checked(start, end, &format!("{start}..{end}"))
    }

    /// `written` is the range as the user wrote it, for the messages.
    fn checked(start: u64, end: u64, written: &str) -> Result<SeedRange, InvalidSeedRange> {
        let fail = |message: String| Err(InvalidSeedRange { message });
        if end <= start {
            return fail(format!(
                "the seed range {written} is empty: write START..END with END (excluded) above START, \
                 e.g. 0..1000"
            ));
        }
        let count = end - start;
        if count > MAX_SEEDS {
            return fail(format!(
                "the seed range {written} holds {count} seeds; a sweep runs at most {MAX_SEEDS} \
                 (split it into several sweeps)"
            ));
        }
        Ok(SeedRange { start, end })
    }

    /// The first seed.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// One past the last seed.
    pub fn end(&self) -> u64 {
        self.end
    }

    /// How many seeds (at least 1).
    pub fn count(&self) -> u64 {
        self.end - self.start
    }

    /// The seeds in order.
    pub fn seeds(&self) -> std::ops::Range<u64> {
        self.start..self.end
    }
}

impl fmt::Display for SeedRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A seed as the command line reads one (`--seed`): digits only (no sign),
/// at most `u64::MAX`; the error names the range.
pub fn parse_seed(s: &str) -> Result<u64, String> {
    let digits = s.trim();
    let range = || format!("seed must be 0..={} (got {digits})", u64::MAX);
    if let Some(d) = digits.strip_prefix('-')
        && !d.is_empty()
        && d.bytes().all(|c| c.is_ascii_digit())
    {
        return Err(range());
    }
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!("a seed is a whole number, 0..={} (got {digits:?})", u64::MAX));
    }
    digits.parse().map_err(|_| range())
}

impl FromStr for SeedRange {
    type Err = InvalidSeedRange;

    /// `START..END` (END excluded) or `START..=END`, both unsigned
    /// integers.
    fn from_str(s: &str) -> Result<SeedRange, InvalidSeedRange> {
        let written = s.trim();
        let malformed = || InvalidSeedRange {
            message: format!(
                "invalid seed range {written:?}: write START..END (END excluded) or START..=END with \
                 whole numbers, e.g. 0..1000"
            ),
        };
        let (a, b, inclusive) = match written.split_once("..") {
            Some((a, b)) => match b.strip_prefix('=') {
                Some(b) => (a, b, true),
                None => (a, b, false),
            },
            None if !written.is_empty() && written.bytes().all(|c| c.is_ascii_digit()) => {
                let message = match parse_seed(written) {
                    Ok(_) => format!(
                        "invalid seed range {written:?}: write START..END (END excluded) or START..=END; \
                         for this seed alone, {written}..={written}"
                    ),
                    Err(e) => format!("invalid seed range {written:?}: {e}"),
                };
                return Err(InvalidSeedRange { message });
            }
            None => return Err(malformed()),
        };
        let number = |t: &str| -> Result<u64, InvalidSeedRange> {
            if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit()) {
                return Err(malformed());
            }
            parse_seed(t)
                .map_err(|e| InvalidSeedRange { message: format!("invalid seed range {written:?}: {e}") })
        };
        let (start, last) = (number(a)?, number(b)?);
        let end = if inclusive {
            last.checked_add(1).ok_or_else(|| InvalidSeedRange {
                message: format!(
                    "invalid seed range {written:?}: write it with `..` and an END below {}",
                    u64::MAX
                ),
            })?
        } else {
            last
        };
        SeedRange::checked(start, end, written)
    }
}
