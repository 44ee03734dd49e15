"""The process environment: arguments, environment variables, working directory and platform constants."""
