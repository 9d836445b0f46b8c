//! JSON Schemas (draft 2020-12) of cronwarp's file formats, generated
//! from the types that read and write them, so they cannot drift: the
//! scenario file, the JSON report (`--format json`, `report.json`), one
//! line of the event log (`--events`, JSON Lines), and the JSON of
//! `cronwarp schedule` and `cronwarp explain`. The repository keeps a
//! copy of each under `schema/`, checked by a test.

/// Which file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The scenario file ([`Scenario`](crate::Scenario)).
    Scenario,
    /// The JSON report ([`Report`](crate::Report)).
    Report,
    /// One line of the event log ([`Record`](crate::Record)).
    EventLog,
    /// `cronwarp schedule --format json`
    /// ([`FireTimes`](crate::schedule::output::FireTimes)).
    Schedule,
    /// `cronwarp explain --format json`
    /// ([`Explanation`](crate::schedule::output::Explanation)).
    Explain,
}

impl Format {
    /// Every format, in the order the docs list them.
    pub const ALL: [Format; 5] =
        [Format::Scenario, Format::Report, Format::EventLog, Format::Schedule, Format::Explain];

    /// The file name of its schema under `schema/`.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Scenario => "scenario.schema.json",
            Format::Report => "report.schema.json",
            Format::EventLog => "event-log.schema.json",
            Format::Schedule => "schedule.schema.json",
            Format::Explain => "explain.schema.json",
        }
    }
}

/// The schema of `format` as pretty-printed JSON.
pub fn json_schema(format: Format) -> String {
    let schema = match format {
        Format::Scenario => schemars::schema_for!(crate::sim::Scenario),
        Format::Report => schemars::schema_for!(crate::report::Report),
        Format::EventLog => schemars::schema_for!(crate::sim::log::Record),
        Format::Schedule => schemars::schema_for!(crate::schedule::output::FireTimes),
        Format::Explain => schemars::schema_for!(crate::schedule::output::Explanation),
    };
    // A schema is plain JSON values: serialising it cannot fail.
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}
