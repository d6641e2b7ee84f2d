"""The one place where domain errors become HTTP responses. The request's changes are rolled back."""
from __future__ import annotations

from flask import current_app, g, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from workflows.errors import (Conflict, DomainError, FormInvalid, InvalidModel, ModelFailed, NotAllowed, NotFound,
                              OperationRefused)

# The one mapping from the engine's domain errors to HTTP status codes.
STATUS = {NotFound: 404, NotAllowed: 403, Conflict: 409, FormInvalid: 422, InvalidModel: 422, ModelFailed: 422,
          OperationRefused: 422}


def status_of(error: DomainError) -> int:
    """The HTTP status of a domain error (400 for any kind not listed)."""
    return next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)


def message_of(error: DomainError) -> str:
    """The translated, filled-in message of a domain error."""
    text = gettext(error.message)
    return text % error.params if error.params else text


def _rollback():
    session = g.get('db')
    if session is not None:
        session.rollback()


def _respond(status, title, message, details=()):
    if request.accept_mimetypes.best == 'application/json':
        return {'error': title, 'message': message, 'details': list(details)}, status
    return render_template('error.html', status=status, title=title, message=message,
                           details=details), status


def _title(status: int) -> str:
    """The heading of an error page: one per status, whether the web layer or the engine refused."""
    return {400: gettext('Bad request'), 403: gettext('Forbidden'), 404: gettext('Not found'),
            405: gettext('Method not allowed'), 409: gettext('Conflict'), 413: gettext('Request too large'),
            }.get(status, gettext('The request could not be carried out'))


def handle_domain_error(error: DomainError):
    _rollback()
    details = getattr(error, 'problems', ())
    status = status_of(error)
    return _respond(status, _title(status), message_of(error), details)


def handle_csrf_error(error: CSRFError):
    _rollback()
    return _respond(400, gettext('The form has expired'),
                    gettext('The security token of the form is missing or expired. Reload the page and try again.'))


def _limit_mb():
    limit = current_app.config.get('MAX_CONTENT_LENGTH') or 0
    return f'{limit / (1024 * 1024):g}'


def handle_http_error(error: HTTPException):
    _rollback()
    known = {400: gettext('The request contains characters or values that are not allowed.'),
             403: gettext('You are not permitted to open this page or do this.'),
             404: gettext('The page or record does not exist.'),
             405: gettext('This address does not accept that kind of request.'),
             413: gettext('The data sent is larger than the %(mb)s MB this site accepts.', mb=_limit_mb())}
    if error.code in known:
        return _respond(error.code, _title(error.code), known[error.code])
    return _respond(error.code, error.name, error.description or '')


def init_app(app):
    """Register the handlers."""
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
