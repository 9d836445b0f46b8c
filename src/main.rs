fn main() -> std::process::ExitCode {
    cronwarp::cli::main()
}
