"""Linux-only backend pieces (io_uring, pidfd)."""
