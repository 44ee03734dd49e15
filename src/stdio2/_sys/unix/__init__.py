"""The Unix (Linux, macOS, BSD) backend."""
