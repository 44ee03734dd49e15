"""The private platform layer: the only code in stdio2 that makes OS calls.

Only modules under ``stdio2._sys`` call ``os``, ``socket``, ``fcntl``,
``select`` or ``ctypes`` for OS work. Public modules hold the portable logic
and call into the backend chosen here once.
"""
