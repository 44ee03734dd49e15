"""``python3 -m stdio2 tour`` runs a real demonstration; ``python3 -m stdio2 caps`` lists OS features."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    """Run the sub-command named in *argv* (default ``tour``); return the exit status."""
    command = argv[0] if argv else "tour"
    if command == "tour":
        from stdio2._tour import tour

        tour()
        return 0
    if command == "caps":
        from stdio2._tour import print_capabilities

        print_capabilities()
        return 0
    print("usage: python3 -m stdio2 [tour | caps]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
