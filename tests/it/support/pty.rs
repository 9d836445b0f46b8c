//! A pseudo-terminal, for running the binary with stderr on a terminal
//! (the sweep's progress bar draws only there). Linux only: glibc's
//! `posix_openpt` family, declared here rather than pulling in a crate.

use std::ffi::{CStr, c_char, c_int};
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::FromRawFd;
use std::os::unix::fs::OpenOptionsExt;

unsafe extern "C" {
    fn posix_openpt(flags: c_int) -> c_int;
    fn grantpt(fd: c_int) -> c_int;
    fn unlockpt(fd: c_int) -> c_int;
    fn ptsname(fd: c_int) -> *mut c_char;
}

const O_RDWR: c_int = 0o2;
const O_NOCTTY: c_int = 0o400;

/// A fresh terminal pair: (controller side to read what was drawn, the
/// terminal itself to hand to a child as stderr).
pub fn open() -> io::Result<(File, File)> {
    // SAFETY: plain libc calls on a descriptor this function owns; the
    // name `ptsname` returns is copied out before any other call.
    unsafe {
        let fd = posix_openpt(O_RDWR | O_NOCTTY);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let controller = File::from_raw_fd(fd);
        if grantpt(fd) != 0 || unlockpt(fd) != 0 {
            return Err(io::Error::last_os_error());
        }
        let name = ptsname(fd);
        if name.is_null() {
            return Err(io::Error::last_os_error());
        }
        let path = CStr::from_ptr(name).to_string_lossy().into_owned();
        let terminal = OpenOptions::new().read(true).write(true).custom_flags(O_NOCTTY).open(path)?;
        Ok((controller, terminal))
    }
}
