//! Runs the `cronwarp` binary as a user runs it, from the crate root (so
//! that paths like `scenarios/…` in arguments and messages are relative).

use std::process::Command;

/// A finished run: exit code (-1 if killed by a signal) and both streams.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// `cronwarp ARGS…` in the crate root.
pub fn cronwarp(args: &[&str]) -> Out {
    let o = Command::new(env!("CARGO_BIN_EXE_cronwarp"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running cronwarp: {e}"));
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}
