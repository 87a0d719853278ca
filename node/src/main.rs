//! The `extranet` binary: everything is in the library's CLI module.

fn main() -> std::process::ExitCode {
    extranet_node::cli::main()
}
