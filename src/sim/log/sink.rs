//! Where the event log's records go: a vector, or JSON lines to a writer.

use super::Record;

/// Where records go as the simulation produces them, so a long run need
/// not hold its whole log in memory.
pub trait LogSink {
    /// Takes one record; records arrive in time order.
    fn record(&mut self, record: Record);

    /// Whether the sink reads the records the report does not
    /// ([`Entry::is_detail`](super::Entry::is_detail)). A sink that says no
    /// is not handed them, and the engine skips building the costlier ones;
    /// counts (records, Events as API requests) and the run are the same.
    fn wants_detail(&self) -> bool {
        true
    }
}

impl LogSink for Vec<Record> {
    fn record(&mut self, record: Record) {
        self.push(record);
    }
}

/// A sink that writes JSON lines to any writer (keeps the first IO error).
pub struct JsonLines<W: std::io::Write> {
    out: W,
    /// The first write error, if any; later records are dropped.
    pub error: Option<std::io::Error>,
}

impl<W: std::io::Write> JsonLines<W> {
    /// Wraps a writer.
    pub fn new(out: W) -> Self {
        JsonLines { out, error: None }
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: std::io::Write> LogSink for JsonLines<W> {
    fn record(&mut self, record: Record) {
        if self.error.is_none()
            && let Err(e) = writeln!(self.out, "{}", record.to_json_line())
        {
            self.error = Some(e);
        }
    }
}
