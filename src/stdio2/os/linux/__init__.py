"""Linux-only extensions: the io_uring completion driver (`uring`) and pidfd-backed processes (`process`)."""
