//! `cronwarp completions SHELL`: a completion script, generated from the
//! same clap definitions as `--help`.

use super::{CliError, Ctx, EXIT_OK};
use clap::CommandFactory;
use clap_complete::Shell;

const AFTER_HELP: &str = "\
Prints a completion script for SHELL to stdout; install it where your shell looks:

  bash        cronwarp completions bash > ~/.local/share/bash-completion/completions/cronwarp
  zsh         cronwarp completions zsh > \"${fpath[1]}/_cronwarp\"
  fish        cronwarp completions fish > ~/.config/fish/completions/cronwarp.fish
  powershell  cronwarp completions powershell >> $PROFILE
  elvish      cronwarp completions elvish >> ~/.config/elvish/rc.elv

It completes subcommands, flags and the values of flags with a fixed set (--format, schema's
format), and file names for scenario paths.

Exit codes: 0 ok, 2 unknown shell, 3 internal error (stdout cannot be written).";

/// `cronwarp completions` arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the script to stdout.
pub(super) fn run(args: &Args, ctx: &mut Ctx) -> Result<u8, CliError> {
    let mut cmd = super::Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "cronwarp", &mut *ctx.out);
    Ok(EXIT_OK)
}
