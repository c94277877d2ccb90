"""Errors that main.py reports as one line, without a traceback."""


class ProjectError(Exception):
    """A problem the person running the project can fix; the message says what and how."""


class ConfigError(ProjectError):
    """The settings break a rule; the message names each key at fault and what it accepts."""


class DataError(ProjectError):
    """A data file is missing or malformed, or does not fit the checkpoint's preprocessing."""


class NonFiniteLossError(ProjectError):
    """The training loss became NaN or infinite."""
