"""Filesystem access on owned descriptors (Rust's ``std::fs``).

`File`, `OpenOptions`, `Metadata`, directory walking and the free functions.

Every function takes paths as ``str``, ``bytes`` or any ``os.PathLike``
(including `stdio2.os_str.OsString`) and hands the OS the exact bytes, so
names that are not UTF-8 work; returned paths are `pathlib.Path` and names
`OsString`. Every failure is a `stdio2.io.Error` carrying the path(s) and an
`ErrorKind`. See ``docs/fs.md``.

The implementation is per platform: the same names on Unix and on Windows
(`File` on an owned ``CreateFileW`` handle, listings with
``FindFirstFileW``, `remove_dir_all` that never enters a symlink or
junction, atomic replacement with ``MoveFileExW``).
"""

from __future__ import annotations

import sys

from stdio2.fs._metadata import FileTimes, FileType, Metadata, Permissions
from stdio2.fs._options import OpenOptions

__all__ = [
    "AtomicFile",
    "DirBuilder",
    "DirEntry",
    "File",
    "FileTimes",
    "FileType",
    "Metadata",
    "OpenOptions",
    "Permissions",
    "ReadDir",
    "canonicalize",
    "copy",
    "create_dir",
    "create_dir_all",
    "exists",
    "hard_link",
    "last_copy_method",
    "metadata",
    "read",
    "read_dir",
    "read_link",
    "read_to_string",
    "remove_dir",
    "remove_dir_all",
    "remove_file",
    "rename",
    "set_permissions",
    "symlink_metadata",
    "try_exists",
    "write",
    "write_atomic",
]

if sys.platform == "win32":
    from stdio2.fs._dir_windows import (
        AtomicFile,
        DirBuilder,
        DirEntry,
        ReadDir,
        copy,
        last_copy_method,
        read_dir,
        remove_dir_all,
        write_atomic,
    )
    from stdio2.fs._file_windows import File
    from stdio2.fs._functions_windows import (
        canonicalize,
        create_dir,
        create_dir_all,
        exists,
        hard_link,
        metadata,
        read,
        read_link,
        read_to_string,
        remove_dir,
        remove_file,
        rename,
        set_permissions,
        symlink_metadata,
        try_exists,
        write,
    )
else:
    from stdio2.fs._atomic import AtomicFile, write_atomic
    from stdio2.fs._copy import copy, last_copy_method
    from stdio2.fs._dir import DirBuilder, DirEntry, ReadDir, read_dir
    from stdio2.fs._file import File
    from stdio2.fs._functions import (
        canonicalize,
        create_dir,
        create_dir_all,
        exists,
        hard_link,
        metadata,
        read,
        read_link,
        read_to_string,
        remove_dir,
        remove_dir_all,
        remove_file,
        rename,
        set_permissions,
        symlink_metadata,
        try_exists,
        write,
    )
