"""Windows-only extensions (Rust's ``std::os::windows``): `io`, `ffi`, `fs`, `process`.

`stdio2.os.windows.io` holds owned and borrowed handles and sockets. It is
importable on every platform: its value rules (NULL, INVALID_HANDLE_VALUE, pseudo
handles) need no system call, and its kernel32/ws2_32 calls are made lazily, only
on Windows."""
