"""Filesystem access on owned descriptors: `File`, `OpenOptions`, `Metadata`, directory walking and the free functions of Rust's `std::fs`."""
