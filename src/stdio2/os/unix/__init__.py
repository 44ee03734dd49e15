"""Unix-only extensions (`io`, `ffi`, `fs`, `net`, `process`) and `pipe()`."""
