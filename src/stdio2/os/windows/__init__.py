"""Windows-only extensions: handles and sockets with owners (`io`), `ffi`, `fs`, `process`."""
