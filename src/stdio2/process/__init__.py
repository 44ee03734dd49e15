"""Child processes: `Command`, `Child`, `Stdio`, `Output`, `ExitStatus`, as Rust's `std::process`."""
