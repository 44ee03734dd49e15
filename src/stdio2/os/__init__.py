"""Platform-specific functionality, opt-in: `stdio2.os.fd`, `stdio2.os.unix`, `stdio2.os.windows`, `stdio2.os.linux`.

A grep for ``stdio2.os.`` audits a program's platform dependence."""
