"""The private platform layer: the only code in stdio2 that calls `os`, `socket`, `fcntl`, `select` or `ctypes` for OS work.

Public modules hold the portable logic and call into the backend chosen here once."""
