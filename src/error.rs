//! The library's one error type, [`Error`].
//!
//! The layers below keep their own small error types (`ScenarioError`,
//! `SimError`: a message each); the facade turns them into an [`Error`]
//! whose variant says what the caller can do about it. The message is kept
//! verbatim, so an [`Error`] displays exactly as the underlying error did
//! (the CLI prints it, and its output is pinned byte for byte).

#![deny(missing_docs)]

use crate::sim::scenario::ScenarioError;
use crate::sim::{SimError, SimErrorKind};
use std::fmt;
use std::path::PathBuf;

/// Why a scenario could not be read or run.
///
/// Each variant says what to do: [`Error::InvalidScenario`] and
/// [`Error::Io`] are fixed by fixing the input, [`Error::Simulation`] and
/// [`Error::Internal`] are worth a bug report. Failed `expect:` checks are
/// not errors: the run happened, and [`Run::check`](crate::Run::check)
/// reports them.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The scenario (or a manifest it names) is wrong: a YAML syntax or
    /// type error, an unknown field, a value the Kubernetes API server would
    /// reject, an impossible horizon or downtime window. Fix the input.
    ///
    /// Displays as `path:line:column: message` when the position is known,
    /// `path: message` when only the file is, else `message`.
    InvalidScenario {
        /// The file (or the name given to [`Scenario::from_yaml`]) the
        /// problem is in, when known.
        ///
        /// [`Scenario::from_yaml`]: crate::Scenario::from_yaml
        path: Option<PathBuf>,
        /// 1-based line, when known (0: the file is known but not the line,
        /// e.g. an empty file).
        line: Option<u32>,
        /// 1-based column, when known (0 as for `line`).
        column: Option<u32>,
        /// What is wrong, with any hint (`did you mean …`) on the lines
        /// after the first; further problems found at once follow, one per
        /// line, each with its own location.
        message: String,
    },
    /// A scenario file could not be read: it is missing or unreadable (check
    /// the path and permissions), not a regular file (a directory, a FIFO,
    /// a device), or over the input limit
    /// ([`Scenario::from_path_with_limit`](crate::Scenario::from_path_with_limit));
    /// the message says which.
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The simulation could not finish: the controllers kept reacting to
    /// each other without virtual time advancing (a livelock the engine
    /// detected). The scenario may be unusual, but this is worth a bug
    /// report with the scenario attached.
    Simulation {
        /// What the engine saw, and when.
        message: String,
    },
    /// An invariant of cronwarp itself broke: a bug, please report it.
    Internal {
        /// What broke.
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidScenario { path: Some(p), line: Some(l), column: Some(c), message } => {
                write!(f, "{}:{l}:{c}: {message}", p.display())
            }
            Error::InvalidScenario { path: Some(p), line: None, column: None, message } => {
                write!(f, "{}: {message}", p.display())
            }
            Error::InvalidScenario { message, .. } => f.write_str(message),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Simulation { message } | Error::Internal { message } => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<ScenarioError> for Error {
    /// An invalid scenario, located from the message's `file:line:col: `
    /// prefix when it has one.
    fn from(e: ScenarioError) -> Error {
        Error::invalid(e.message, None)
    }
}

impl From<SimError> for Error {
    /// A livelock is [`Error::Simulation`]; anything else the engine
    /// refuses (a workload the API server rejects, a CronJob named twice)
    /// is [`Error::InvalidScenario`].
    fn from(e: SimError) -> Error {
        Error::from_sim(e, None)
    }
}

impl Error {
    /// A [`SimError`], located as [`Error::invalid`] does.
    pub(crate) fn from_sim(e: SimError, origin: Option<&str>) -> Error {
        match e.kind {
            SimErrorKind::Livelock { .. } => Error::Simulation { message: e.message },
            SimErrorKind::Invalid => Error::invalid(e.message, origin),
        }
    }

    /// An invalid scenario from a diagnostic's text: `file:line:col: what`
    /// gives the location; so does `origin: what` when the caller knows the
    /// file's name. The text is split only where putting it back together
    /// gives the same bytes, so the error displays as the diagnostic did.
    pub(crate) fn invalid(text: String, origin: Option<&str>) -> Error {
        let whole =
            |text: String| Error::InvalidScenario { path: None, line: None, column: None, message: text };
        let split = located(&text).or_else(|| {
            let rest = text.strip_prefix(origin?)?.strip_prefix(": ")?;
            Some((origin?.to_string(), None, rest.to_string()))
        });
        let Some((path, at, message)) = split else { return whole(text) };
        let (line, column) = at.map_or((None, None), |(l, c)| (Some(l), Some(c)));
        let e = Error::InvalidScenario { path: Some(PathBuf::from(path)), line, column, message };
        if e.to_string() == text { e } else { whole(text) }
    }
}

/// A diagnostic's file, `(line, column)` and message.
type Located = (String, Option<(u32, u32)>, String);

/// Splits `file:line:col: message` (the first line's first such prefix).
fn located(text: &str) -> Option<Located> {
    let first = text.lines().next()?;
    // A path with ": " in it would be a message's first clause instead.
    for (i, _) in first.match_indices(':').filter(|(i, _)| *i > 0 && !first[..*i].contains(": ")) {
        let rest = &text[i + 1..];
        let Some((line, rest)) = rest.split_once(':') else { continue };
        let Some((column, message)) = rest.split_once(": ") else { continue };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(line) || !digits(column) {
            continue;
        }
        let (Ok(l), Ok(c)) = (line.parse(), column.parse()) else { continue };
        return Some((text[..i].to_string(), Some((l, c)), message.to_string()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(e: &Error) -> (Option<String>, Option<u32>, Option<u32>, &str) {
        match e {
            Error::InvalidScenario { path, line, column, message } => {
                (path.as_ref().map(|p| p.display().to_string()), *line, *column, message.as_str())
            }
            other => panic!("not InvalidScenario: {other:?}"),
        }
    }

    #[test]
    fn located_diagnostics_keep_their_position_and_their_bytes() {
        let text = "scenarios/a.yaml:12:7: unknown field `sedd`\n  hint: did you mean `seed`?";
        let e = Error::invalid(text.into(), Some("scenarios/a.yaml"));
        assert_eq!(
            parts(&e),
            (
                Some("scenarios/a.yaml".into()),
                Some(12),
                Some(7),
                "unknown field `sedd`\n  hint: did you mean `seed`?"
            )
        );
        assert_eq!(e.to_string(), text);
    }

    #[test]
    fn a_file_without_position_and_a_bare_message() {
        let e = Error::invalid(
            "a.yaml: workloads[0]: give exactly one of manifest or path".into(),
            Some("a.yaml"),
        );
        assert_eq!(parts(&e).0.as_deref(), Some("a.yaml"));
        assert_eq!(parts(&e).1, None);
        assert_eq!(e.to_string(), "a.yaml: workloads[0]: give exactly one of manifest or path");
        let e = Error::invalid("workloads[0]: CronJob default/a appears twice".into(), None);
        assert_eq!(parts(&e), (None, None, None, "workloads[0]: CronJob default/a appears twice"));
    }

    #[test]
    fn text_that_would_not_round_trip_stays_whole() {
        // Leading zeros would print differently once parsed.
        let text = "a.yaml:007:1: odd";
        assert_eq!(parts(&Error::invalid(text.into(), None)), (None, None, None, text));
    }

    #[test]
    fn a_livelock_is_a_simulation_error() {
        let e = Error::from(SimError::livelock(crate::model::Time::from_unix(1_735_689_600)));
        assert!(matches!(e, Error::Simulation { .. }), "{e:?}");
        let e = Error::from(SimError::invalid("workloads[1]: CronJob default/a appears twice".into()));
        assert!(matches!(e, Error::InvalidScenario { .. }), "{e:?}");
    }
}
