//! Scenario text mutations: garbage, unknown keys, wrong types, broken
//! indentation, truncation, for the never-panics property.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Values of the wrong type (or out of range) for any field.
const WRONG: &[&str] = &[
    "[1, 2]",
    "{a: b}",
    "-5",
    "\"x\"",
    "true",
    "1e999",
    "~",
    "0x10",
    "99999999999999999999999",
    "\"2025-13-45T99:99:99Z\"",
    "\"\"",
    "!!binary aGVsbG8=",
    "&a [*a]",
    "*undefined",
    "\"@every -1s\"",
    "\"* * * * * * *\"",
    "NaN",
    "-.inf",
    "\"TZ=Mars/Olympus * * * * *\"",
    "|\n  block",
];

/// Extreme values for numeric and time fields (overflow hunting).
pub const EXTREME: &[&str] = &[
    "9223372036854775807",
    "-9223372036854775808",
    "2147483647",
    "-2147483648",
    "-1",
    "0",
    "\"0001-01-01T00:00:00Z\"",
    "\"9999-12-31T23:59:59Z\"",
    "\"2262-04-11T23:47:16Z\"",
    "\"@every 1s\"",
    "\"@every 2562047h\"",
    "2562047h",
    "\"-9223372036854775807ms\"",
    "\"0 0 30 2 *\"",
    "\"59 23 31 12 *\"",
];

/// Lines of garbage.
const GARBAGE: &[&str] = &[
    "}{][",
    ": :",
    "- - -",
    "\t\tkey: tab",
    "bogusKey: 1",
    "  unknownField: [x]",
    "      notASpecField: true",
    "? complex key",
    "%YAML 1.2",
    "---",
    "...",
    "\u{feff}bom: x",
    "é: ünïcödé",
    "key: \"unterminated",
    "<<: *merge",
    "workloads: 3",
];

/// One random mutation of `text`.
pub fn mutate(rng: &mut ChaCha8Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        return GARBAGE[rng.random_range(0..GARBAGE.len())].to_string();
    }
    let i = rng.random_range(0..lines.len());
    match rng.random_range(0..11) {
        0 => {
            lines.remove(i);
        }
        1 => {
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        2 => lines.insert(i, GARBAGE[rng.random_range(0..GARBAGE.len())].to_string()),
        3 => {
            let w = WRONG[rng.random_range(0..WRONG.len())];
            if let Some(p) = lines[i].find(": ") {
                lines[i] = format!("{}: {w}", &lines[i][..p]);
            } else {
                lines[i] = format!("{}{w}", lines[i]);
            }
        }
        4 => {
            let indent = " ".repeat(rng.random_range(0..12));
            lines.insert(i, format!("{indent}unknownKey{}: {}", rng.random_range(0..9), WRONG[0]));
        }
        5 => {
            let l = &lines[i];
            lines[i] = if rng.random_bool(0.5) { format!(" {l}") } else { l.trim_start().to_string() };
        }
        6 => {
            let j = rng.random_range(0..lines.len());
            lines.swap(i, j);
        }
        9 | 10 => {
            let w = EXTREME[rng.random_range(0..EXTREME.len())];
            if let Some(p) = lines[i].find(": ") {
                lines[i] = format!("{}: {w}", &lines[i][..p]);
            }
        }
        7 => {
            let whole = lines.join("\n");
            let mut cut = rng.random_range(0..=whole.len());
            while !whole.is_char_boundary(cut) {
                cut -= 1;
            }
            return whole[..cut].to_string();
        }
        _ => {
            let l = &lines[i];
            if !l.is_empty() {
                let mut chars: Vec<char> = l.chars().collect();
                let k = rng.random_range(0..chars.len());
                chars[k] = *['"', '\'', ':', '{', '[', '#', '&', '*', '!', '|', '>', '9', 'x']
                    .get(rng.random_range(0..13))
                    .unwrap_or(&'x');
                lines[i] = chars.into_iter().collect();
            }
        }
    }
    lines.join("\n") + "\n"
}

/// Fields whose values [`EXTREME`] replaces in [`extreme_variants`].
const NUMERIC_OR_TIME: &[&str] = &[
    "seed:",
    "start:",
    "end:",
    "- at:",
    "at:",
    "for:",
    "creationTimestamp:",
    "lastScheduleTime:",
    "startTime:",
    "schedule:",
    "startingDeadlineSeconds:",
    "successfulJobsHistoryLimit:",
    "failedJobsHistoryLimit:",
    "backoffLimit:",
    "activeDeadlineSeconds:",
    "ttlSecondsAfterFinished:",
    "duration:",
    "startLatency:",
    "failureProbability:",
    "clockSkew:",
    "informerLag:",
];

/// `text` with one numeric or time field (picked at random, `picks`
/// times) set to each extreme value in turn.
pub fn extreme_variants(rng: &mut ChaCha8Rng, text: &str, picks: usize) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let fields: Vec<usize> = (0..lines.len())
        .filter(|&i| NUMERIC_OR_TIME.iter().any(|f| lines[i].trim_start().starts_with(f)))
        .collect();
    let mut out = Vec::new();
    for _ in 0..picks.min(fields.len()) {
        let i = fields[rng.random_range(0..fields.len())];
        let Some(p) = lines[i].find(": ") else { continue };
        for w in EXTREME {
            let mut v: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            v[i] = format!("{}: {w}", &lines[i][..p]);
            out.push(v.join("\n") + "\n");
        }
    }
    out
}
