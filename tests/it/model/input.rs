//! `model::input::read_text`: the one way cronwarp reads a file. Only
//! regular files, and no more than the limit, whatever the metadata says.

use crate::support::scratch::ScratchDir;
use cronwarp::model::input::{DEFAULT_MAX_INPUT, read_text};
use std::io::ErrorKind;
use std::path::Path;

#[test]
#[cfg(unix)]
fn dev_zero_is_refused_before_a_byte_is_read() {
    let e = read_text(Path::new("/dev/zero"), DEFAULT_MAX_INPUT).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(e.to_string(), "is a character device, not a regular file: cronwarp reads only regular files");
}

#[test]
#[cfg(unix)]
fn a_fifo_is_refused_without_opening_it() {
    let dir = ScratchDir::created("input-fifo");
    let fifo = dir.path().join("pipe.yaml");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs").success());
    // Opening a FIFO with no writer would block this test for ever.
    let e = read_text(&fifo, DEFAULT_MAX_INPUT).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().starts_with("is a FIFO (named pipe), not a regular file"), "{e}");
}

#[test]
fn a_directory_is_refused() {
    let e = read_text(Path::new(env!("CARGO_MANIFEST_DIR")), DEFAULT_MAX_INPUT).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IsADirectory);
}

#[test]
fn a_file_over_the_limit_is_refused_by_its_size() {
    let dir = ScratchDir::created("input-big");
    let file = dir.path().join("big.yaml");
    std::fs::write(&file, "#".repeat(2048)).unwrap();
    let e = read_text(&file, 1024).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::FileTooLarge);
    assert!(e.to_string().starts_with("is 2048 bytes, over the input limit of 1 KiB (1024 bytes)"), "{e}");
    assert!(e.to_string().contains("--max-input"), "{e}");
    // At the limit exactly, it is read.
    assert_eq!(read_text(&file, 2048).unwrap().len(), 2048);
}

/// Files under /proc say they are empty: only the read finds their size.
#[test]
#[cfg(target_os = "linux")]
fn a_file_whose_size_lies_is_refused_while_reading() {
    let status = Path::new("/proc/self/status");
    assert_eq!(std::fs::metadata(status).unwrap().len(), 0, "the premise: /proc reports 0 bytes");
    let e = read_text(status, 16).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::FileTooLarge);
    assert!(e.to_string().starts_with("holds more bytes, over the input limit of 16 bytes"), "{e}");
    assert!(read_text(status, DEFAULT_MAX_INPUT).unwrap().contains("Name:"));
}

#[test]
fn text_that_is_not_utf8_is_refused() {
    let dir = ScratchDir::created("input-binary");
    let file = dir.path().join("bin.yaml");
    std::fs::write(&file, [0xff, 0xfe, 0x00]).unwrap();
    assert_eq!(read_text(&file, DEFAULT_MAX_INPUT).unwrap_err().kind(), ErrorKind::InvalidData);
}
