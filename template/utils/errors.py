"""Errors that main.py reports as one line, without a traceback."""


class ProjectError(Exception):
    """A problem the person running the project can fix; the message says what and how."""


class DataError(ProjectError):
    """A data file is missing or malformed."""


class NonFiniteLossError(ProjectError):
    """The training loss became NaN or infinite."""
