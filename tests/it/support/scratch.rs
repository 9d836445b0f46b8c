//! Scratch directories for tests that write files.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A directory path of one test's own under the system temp dir, removed
/// (with its contents) when dropped. All tests share one process, so the
/// name carries a per-process counter besides the pid and the tag.
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    /// A fresh `cronwarp-<tag>-<pid>-<n>` path, not created yet (some
    /// tests leave that to the binary under test).
    pub fn new(tag: &str) -> ScratchDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        ScratchDir(std::env::temp_dir().join(format!("cronwarp-{tag}-{}-{n}", std::process::id())))
    }

    /// The same, created.
    pub fn created(tag: &str) -> ScratchDir {
        let dir = ScratchDir::new(tag);
        std::fs::create_dir_all(dir.path()).unwrap_or_else(|e| panic!("{}: {e}", dir.path().display()));
        dir
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
