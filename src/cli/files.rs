//! The files the commands read and write: the input limit (`--max-input`),
//! and the checks every output path passes before anything is simulated
//! (an output never overwrites an input, `--out` is a writable directory).

use super::CliError;
use crate::Scenario;
use crate::model::input::format_size;
use crate::sim::scenario::LoadOptions;
use std::path::{Path, PathBuf};

/// `--max-input`, shared by the commands that read files.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// The most bytes read from any one input file (the scenario, each
    /// `path:` manifest, an Application): a number of bytes, or with a
    /// unit: KiB, MiB, GiB (1024-based) or kB, MB, GB (1000-based).
    #[arg(long, value_name = "BYTES", default_value = "64MiB", value_parser = parse_size)]
    pub max_input: u64,
}

/// `64MiB`, `1GiB`, `500kB`, `1048576`: a byte count.
pub(super) fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        _ => {
            return Err(format!(
                "unknown unit {unit:?}: write bytes (1048576) or a number with KiB, MiB, GiB, kB, MB or GB"
            ));
        }
    };
    let n: u64 = digits.parse().map_err(|_| format!("{text:?} is not a size: write e.g. 64MiB or 1GiB"))?;
    let bytes = n.checked_mul(scale).ok_or_else(|| format!("{text:?} is too large"))?;
    if bytes == 0 {
        return Err("the limit must be at least 1 byte".into());
    }
    Ok(bytes)
}

/// Reads a scenario file and its manifests, at most `max_input` bytes
/// each; the hint says how to fix what went wrong.
pub(super) fn load_scenario(path: &Path, max_input: u64) -> Result<Scenario, CliError> {
    load_scenario_with(path, &LoadOptions { max_input, validate: None })
}

/// [`load_scenario`] with all of the [`LoadOptions`].
pub(super) fn load_scenario_with(path: &Path, options: &LoadOptions) -> Result<Scenario, CliError> {
    Scenario::from_path_with(path, options).map_err(|e| CliError::Invalid {
        message: e.to_string(),
        hint: Some(load_hint(&e, options.max_input)),
    })
}

/// How to fix a scenario [`Scenario::from_path_with_limit`] refused
/// (`cronwarp test` shows it under each such scenario's error).
pub(super) fn load_hint(e: &crate::Error, max_input: u64) -> String {
    let raise = || {
        format!("raise the limit with --max-input (now {}), e.g. --max-input 1GiB", format_size(max_input))
    };
    match e {
        crate::Error::Io { source, .. } if source.kind() == std::io::ErrorKind::FileTooLarge => raise(),
        crate::Error::Io { .. } => "check the path: give the scenario file".into(),
        // A `path:` manifest over the limit: the scenario is fine.
        crate::Error::InvalidScenario { message, .. } if message.contains("over the input limit") => raise(),
        _ => super::run::SCENARIO_HINT.into(),
    }
}

/// How to get past an input that could not be read.
pub(super) fn stdin_hint(e: &std::io::Error, max_input: u64) -> Option<String> {
    match e.kind() {
        std::io::ErrorKind::FileTooLarge => Some(format!(
            "raise the limit with --max-input (now {}), e.g. --max-input 1GiB",
            format_size(max_input)
        )),
        std::io::ErrorKind::NotFound => Some("check the path, or give - to read standard input".into()),
        _ => None,
    }
}

/// An output the command is about to write, and the flag that named it.
pub(super) struct Output<'a> {
    /// `--events`, `--out`.
    pub flag: &'a str,
    /// What the flag was given.
    pub given: &'a Path,
    /// The file written.
    pub file: PathBuf,
}

/// Refuses to write any output over one of the scenario's input files
/// ([`Scenario::input_files`]: the scenario file first), compared by
/// canonical path, so `./a.yaml`, a symlink or `../x/a.yaml` all count.
/// Outputs whose directory does not exist yet cannot be inputs.
pub(super) fn refuse_overwriting_inputs(inputs: &[PathBuf], outputs: &[Output]) -> Result<(), CliError> {
    // An input that cannot be resolved any more matches nothing.
    let canonical: Vec<Option<PathBuf>> = inputs.iter().map(|p| std::fs::canonicalize(p).ok()).collect();
    for out in outputs {
        let Some(target) = canonical_target(&out.file) else { continue };
        let Some(i) = canonical.iter().position(|p| p.as_ref() == Some(&target)) else { continue };
        let what = if i == 0 { "the scenario file" } else { "a manifest the scenario reads (`path:`)" };
        let input = &inputs[i];
        let message = if out.file == out.given && out.given == input {
            format!("{} {} is {what}", out.flag, out.given.display())
        } else if out.file == out.given {
            format!("{} {} is {what} {}", out.flag, out.given.display(), input.display())
        } else {
            format!(
                "{} {}: it would write {}, which is {what} {}",
                out.flag,
                out.given.display(),
                out.file.display(),
                input.display()
            )
        };
        return Err(CliError::Invalid {
            message: format!("{message}; cronwarp never overwrites its input"),
            hint: Some(format!("give {} a path of its own", out.flag)),
        });
    }
    Ok(())
}

/// Where writing `file` would land: the file itself (resolving symlinks)
/// when it exists, else its canonical directory joined with its name;
/// `None` when the directory does not exist either.
fn canonical_target(file: &Path) -> Option<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(file) {
        return Some(p);
    }
    let name = file.file_name()?;
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(dir).ok()?.join(name))
}

/// Writes a figure `svg` to `dir/name` (a `.svg` name) and, with `png`,
/// its picture beside it (`.png`, [`crate::report::svg::png`]).
pub(super) fn write_figure(dir: &Path, name: &str, svg: &str, png: bool) -> Result<(), CliError> {
    let write = |file: PathBuf, bytes: &[u8]| {
        std::fs::write(&file, bytes)
            .map_err(|e| CliError::invalid(format!("cannot write {}: {e}", file.display())))
    };
    write(dir.join(name), svg.as_bytes())?;
    if png {
        let bytes = crate::report::svg::png(svg)?;
        write(dir.join(png_name(name)), &bytes)?;
    }
    Ok(())
}

/// The picture's name beside a figure's: `x.svg` → `x.png`.
pub(super) fn png_name(svg_name: &str) -> String {
    format!("{}.png", svg_name.strip_suffix(".svg").unwrap_or(svg_name))
}

/// Makes sure `--out DIR` can take the files: not an existing non-directory,
/// created if missing, and writable (tried with a file created and removed
/// at once, as permission bits alone do not tell: ACLs, read-only mounts,
/// root). Done before simulating, so a long run does not end in an error.
pub(super) fn prepare_out_dir(dir: &Path) -> Result<(), CliError> {
    let fail = |why: String, hint: &str| CliError::Invalid {
        message: format!("--out {}: {why}", dir.display()),
        hint: Some(hint.into()),
    };
    if let Ok(meta) = std::fs::metadata(dir)
        && !meta.is_dir()
    {
        return Err(fail(
            "exists and is not a directory".into(),
            "give the path of a directory (cronwarp creates it if missing), or remove the file",
        ));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| fail(format!("cannot create the directory: {e}"), "give a directory you can create"))?;
    let probe = dir.join(format!(".cronwarp-write-check-{}", std::process::id()));
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(f) => {
            drop(f);
            // The probe is ours and empty; failing to remove it is harmless.
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        // A leftover probe means the directory took a file before.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(fail(format!("cannot write there: {e}"), "give a directory you can write to")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_and_decimal_units() {
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("500kB"), Ok(500_000));
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("2 mib"), Ok(2 << 20));
        assert!(parse_size("64M").unwrap_err().contains("unknown unit"));
        assert!(parse_size("MiB").unwrap_err().contains("not a size"));
        assert!(parse_size("0").unwrap_err().contains("at least 1 byte"));
        assert!(parse_size("99999999999GiB").unwrap_err().contains("too large"));
    }
}
