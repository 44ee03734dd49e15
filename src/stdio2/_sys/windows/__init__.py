"""The Windows backend.

Its pure logic (handle-value rules, WTF-8, argument quoting, path lists) is
importable and tested everywhere; its ``ctypes.WinDLL`` calls are looked up
lazily and run only on Windows.
"""
