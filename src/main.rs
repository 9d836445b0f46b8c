//! The `cronwarp` command: a thin wrapper around `cronwarp::cli::main`
//! (see the library for everything it does).

// `--features jemalloc`: jemalloc keeps the simulator's many short-lived
// objects closer together than glibc's malloc (see docs/performance.md).
// The binary only: the library leaves the allocator to whoever embeds it.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    cronwarp::cli::main()
}
