"""Domain errors. The CLI and the UI turn these into one clear line; nothing else catches them."""


class InterviewQAError(Exception):
    """Base class for errors a user can act on."""


class ConfigError(InterviewQAError):
    """A setting (environment variable or option) has a bad value."""


class IngestError(InterviewQAError):
    """A file could not be ingested; the message names the file and the reason."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class IndexMissingError(InterviewQAError):
    """There is no index yet; run `interview-qa ingest`."""


class BadQuestionError(InterviewQAError):
    """The question (or a filter) cannot be answered as given."""


class StoreUnavailableError(InterviewQAError):
    """The Chroma server holding the index cannot be reached."""
