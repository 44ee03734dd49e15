"""Platform-specific functionality, opt-in: `stdio2.os.fd`, `unix`, `windows`, `linux`.

Everything here exists on some platforms only, so a grep for ``stdio2.os.``
audits a program's platform dependence.
"""
