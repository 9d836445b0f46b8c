//! Reading input files with limits: every file cronwarp reads (a scenario,
//! a `path:` manifest, a KubeVela Application) goes through
//! [`read_text`].
//!
//! Input may be careless or hostile: a path that names `/dev/zero` or a
//! FIFO would otherwise block or never end, and a huge file would be read
//! whole into memory before YAML's own limits could refuse it. So only
//! regular files are read, and at most a limit's worth of bytes
//! ([`DEFAULT_MAX_INPUT`] unless the caller raises it).

use std::fs::{File, FileType};
use std::io::{self, ErrorKind, Read};
use std::path::Path;

/// The input limit when none is given: 64 MiB, far above any real
/// scenario or manifest, and small enough to read into memory.
pub const DEFAULT_MAX_INPUT: u64 = 64 * 1024 * 1024;

/// Reads a regular file of at most `limit` bytes as UTF-8 text.
///
/// Errors are [`io::Error`]s whose message says what is wrong and how to
/// fix it (the caller prefixes the path): [`ErrorKind::IsADirectory`] for
/// a directory, [`ErrorKind::InvalidInput`] for anything else that is not
/// a regular file (a FIFO, a device, a socket), [`ErrorKind::FileTooLarge`]
/// for a file over the limit, and the operating system's own errors.
pub fn read_text(path: &Path, limit: u64) -> io::Result<String> {
    // Checked before opening: opening a FIFO for reading blocks until a
    // writer appears.
    let meta = std::fs::metadata(path)?;
    refuse_irregular(meta.file_type())?;
    if meta.len() > limit {
        return Err(too_large(Some(meta.len()), limit));
    }
    let file = File::open(path)?;
    // The path may have been replaced between the two calls; what was
    // opened is what counts.
    let opened = file.metadata()?;
    refuse_irregular(opened.file_type())?;
    // The size in the metadata can lie (files under /proc report 0, a file
    // can grow while it is read): one byte past the limit tells.
    read_text_from(file, limit)
}

/// Reads at most `limit` bytes of UTF-8 text from a stream (standard
/// input, `cronwarp run -`), with [`read_text`]'s errors for a stream too
/// long or not UTF-8.
pub fn read_text_from(stream: impl Read, limit: u64) -> io::Result<String> {
    let mut bytes = Vec::new();
    stream.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(too_large(None, limit));
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let valid = &bytes[..at];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        // Columns count characters, as the YAML errors' do.
        let column = String::from_utf8_lossy(&valid[line_start..]).chars().count() + 1;
        let what = match bytes.get(..2) {
            Some([0xff, 0xfe] | [0xfe, 0xff]) => " (it starts with a UTF-16 byte order mark)",
            _ => "",
        };
        io::Error::new(
            ErrorKind::InvalidData,
            format!(
                "is not UTF-8 text{what}: byte {at} (line {line}, column {column}) is 0x{:02x}; save it as \
                 UTF-8 (YAML files are text)",
                bytes[at]
            ),
        )
    })
}

/// `n` bytes as the largest binary unit that divides it (`64 MiB`), else
/// in bytes.
pub fn format_size(n: u64) -> String {
    for (unit, size) in [("TiB", 1u64 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if n >= size && n.is_multiple_of(size) {
            return format!("{} {unit}", n / size);
        }
    }
    format!("{n} bytes")
}

fn refuse_irregular(t: FileType) -> io::Result<()> {
    if t.is_file() {
        return Ok(());
    }
    if t.is_dir() {
        return Err(io::Error::new(ErrorKind::IsADirectory, "is a directory: give the path of a file in it"));
    }
    Err(io::Error::new(
        ErrorKind::InvalidInput,
        format!("is {}, not a regular file: cronwarp reads only regular files", describe(t)),
    ))
}

/// What kind of non-regular file `t` is, with its article.
fn describe(t: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    #[cfg(not(unix))]
    let _ = t;
    "a special file"
}

fn too_large(size: Option<u64>, limit: u64) -> io::Error {
    let what = match size {
        Some(n) => format!("is {n} bytes"),
        None => "holds more bytes".to_string(),
    };
    io::Error::new(
        ErrorKind::FileTooLarge,
        format!(
            "{what}, over the input limit of {} ({limit} bytes); if it is meant to be this large, \
             raise the limit (`--max-input` on the command line)",
            format_size(limit)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_print_in_the_largest_exact_unit() {
        assert_eq!(format_size(DEFAULT_MAX_INPUT), "64 MiB");
        assert_eq!(format_size(1 << 30), "1 GiB");
        assert_eq!(format_size(1536), "1536 bytes");
        assert_eq!(format_size(2048), "2 KiB");
        assert_eq!(format_size(0), "0 bytes");
    }
}
