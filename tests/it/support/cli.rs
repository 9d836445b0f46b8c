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

/// `cronwarp ARGS…` that must finish within `limit`: killed after it, and
/// the test fails, so input that would block (a FIFO) or never end
/// (`/dev/zero`) fails the test instead of hanging it. For commands that
/// print little: the output is read once the process has ended.
pub fn cronwarp_within(args: &[&str], limit: std::time::Duration) -> Out {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_cronwarp"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running cronwarp: {e}"));
    let start = std::time::Instant::now();
    while child.try_wait().unwrap_or_else(|e| panic!("waiting for cronwarp: {e}")).is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("cronwarp {args:?} was still running after {limit:?}: it blocked or read without end");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let o = child.wait_with_output().unwrap_or_else(|e| panic!("reading cronwarp's output: {e}"));
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// `cronwarp ARGS…` run in this process through the CLI's entry point
/// ([`cronwarp::cli::execute`]), as the binary would from the crate root,
/// with `stdin` as its input and `env` as its environment (nothing of the
/// test process's own environment is seen). A usage error exits as clap
/// says (2), with its message on stderr.
pub fn cronwarp_in_process(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Out {
    use clap::Parser;
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code =
        match cronwarp::cli::Cli::try_parse_from(std::iter::once("cronwarp").chain(args.iter().copied())) {
            Err(e) => {
                err.extend_from_slice(e.render().to_string().as_bytes());
                e.exit_code()
            }
            Ok(cli) => {
                let mut input = stdin.as_bytes();
                let lookup = |name: &str| env.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
                let mut ctx = cronwarp::cli::Ctx {
                    out: &mut out,
                    err: &mut err,
                    now: 0,
                    input: &mut input,
                    env: &lookup,
                };
                i32::from(cronwarp::cli::execute(&cli, &mut ctx))
            }
        };
    Out {
        code,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
    }
}
