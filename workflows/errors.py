"""Domain errors raised by the engine layer. They carry no HTTP status: `app/errors.py` maps them."""


def N_(message):
    """Mark an English message template for translation; the web layer translates it."""
    return message


class DomainError(Exception):
    """Base class. `message` is an English %-template marked with N_; `params` fill it.

    The web layer shows ``gettext(message) % params`` so the engine stays language-free.
    """

    def __init__(self, message, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


class NotFound(DomainError):
    """The object does not exist (or the user may not know that it does)."""


class NotAllowed(DomainError):
    """The actor may not do this (role, separation of duties, own case)."""


class Conflict(DomainError):
    """The object changed under the actor: a lost race, a task already handled, a concurrent deploy."""


class FormInvalid(DomainError):
    """Submitted data does not satisfy the task's JSON Schema; `errors` maps field -> messages."""

    def __init__(self, message, errors):
        super().__init__(message)
        self.errors = errors


class InvalidModel(DomainError):
    """A BPMN/DMN/form bundle cannot be deployed; `problems` lists every reason found."""

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.problems = list(problems)


class ModelFailed(DomainError):
    """The process model failed while running (a script, a condition, a budget); nothing was written."""


class OperationRefused(DomainError):
    """A named operation refused its input (unknown account, more than the balance …).

    `param` names the operation parameter at fault; when the model fed that parameter straight from
    a field of the form just submitted, the engine reports the refusal on that field.
    """

    def __init__(self, message, param=None, **params):
        super().__init__(message, **params)
        self.param = param
