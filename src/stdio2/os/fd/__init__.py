"""Unix file descriptors with owners: `RawFd`, `OwnedFd`, `BorrowedFd` and the `AsFd` family (Rust's `std::os::fd`)."""
