//! The `extranet` binary, built inside the test crate so integration tests
//! can start, and `kill -9`, real `extranet serve` processes
//! (`CARGO_BIN_EXE_extranet-under-test`).

fn main() -> std::process::ExitCode {
    extranet_node::cli::main()
}
