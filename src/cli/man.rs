//! `cronwarp man`: the roff man pages, generated from the same clap
//! definitions as `--help`.

use super::{CliError, Ctx, EXIT_OK};
use clap::CommandFactory;
use std::path::{Path, PathBuf};

const AFTER_HELP: &str = "\
Without --out, prints cronwarp(1) to stdout: every subcommand with a line of what it does,
the exit codes and examples. With --out DIR, writes cronwarp.1 and one page per subcommand
(cronwarp-run.1, cronwarp-schedule.1, ...) with its options and its --help text.

Examples:
  cronwarp man | man -l -
  cronwarp man --out /usr/local/share/man/man1

Exit codes: 0 ok, 2 --out is not a writable directory, 3 internal error.";

/// `cronwarp man` arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Writes cronwarp.1 and cronwarp-<subcommand>.1 to this directory
    /// instead of printing cronwarp(1).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Prints the top page, or writes every page to `--out`.
pub(super) fn run(args: &Args, ctx: &mut Ctx) -> Result<u8, CliError> {
    let cmd = super::Cli::command();
    let Some(dir) = &args.out else {
        render(&cmd, &mut *ctx.out)?;
        return Ok(EXIT_OK);
    };
    super::files::prepare_out_dir(dir)?;
    let mut written = vec![write_page(dir, "cronwarp", &cmd)?];
    for sub in cmd.get_subcommands() {
        let name = format!("cronwarp-{}", sub.get_name());
        // The page's title and synopsis name the whole command line.
        let sub = sub.clone().display_name(name.clone()).bin_name(format!("cronwarp {}", sub.get_name()));
        written.push(write_page(dir, &name, &sub)?);
    }
    for f in written {
        writeln!(ctx.err, "wrote {}", f.display())?;
    }
    Ok(EXIT_OK)
}

fn render(cmd: &clap::Command, out: &mut dyn std::io::Write) -> Result<(), CliError> {
    let source = format!("cronwarp {}", env!("CARGO_PKG_VERSION"));
    clap_mangen::Man::new(cmd.clone()).source(source).render(out)?;
    Ok(())
}

fn write_page(dir: &Path, name: &str, cmd: &clap::Command) -> Result<PathBuf, CliError> {
    let file = dir.join(format!("{name}.1"));
    let mut page = Vec::new();
    render(cmd, &mut page)?;
    std::fs::write(&file, page)
        .map_err(|e| CliError::invalid(format!("cannot write {}: {e}", file.display())))?;
    Ok(file)
}
