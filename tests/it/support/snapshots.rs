//! Where the insta snapshots live.

/// Insta settings for a snapshot in `snapshots/` at the crate root, named
/// exactly as the assertion names it (no module prefix). The path is
/// absolute, so it does not depend on where the test file sits.
pub fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}
