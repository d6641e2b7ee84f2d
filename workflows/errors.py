"""Domain errors raised by the engine layer; the web layer maps each to one HTTP status."""


def N_(message):
    """Mark an English message template for translation; the web layer translates it."""
    return message


class DomainError(Exception):
    """Base class. `message` is an English %-template marked with N_; `params` fill it.

    The web layer shows ``gettext(message) % params`` so the engine stays language-free.
    """

    status = 400

    def __init__(self, message, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


class NotFound(DomainError):
    """The object does not exist (or the user may not know that it does)."""

    status = 404


class NotAllowed(DomainError):
    """The actor may not do this (role, separation of duties, own application)."""

    status = 403


class Conflict(DomainError):
    """The object changed under the actor: a lost race, a task already handled."""

    status = 409


class FormInvalid(DomainError):
    """Submitted data does not satisfy the task's JSON Schema; `errors` maps field -> messages."""

    status = 422

    def __init__(self, message, errors):
        super().__init__(message)
        self.errors = errors


class InvalidModel(DomainError):
    """A BPMN/DMN/form bundle cannot be deployed; `problems` lists every reason found."""

    status = 422

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.problems = list(problems)
