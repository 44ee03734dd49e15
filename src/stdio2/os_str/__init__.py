"""Lossless OS strings: `OsString` (alias `OsStr`) and the WTF-8 codec in `stdio2.os_str.wtf8`."""
