"""The script engine every workflow runs with: SpiffWorkflow's, on the restricted, bounded environment.

``RestrictedEnvironment`` evaluates only code compiled by ``policy``, with the globals of
``namespace``, each evaluation under the budget of ``budget``. ``GuardedScriptEngine`` also checks
evaluated values where SpiffWorkflow uses them (``timers``: multi-instance cardinalities and timer
values). SpiffWorkflow wraps errors in ``WorkflowTaskException``; ours carry the original in
``.exception`` and ``__cause__``, and ``errors.model_code_error(exc)`` finds it.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .budget import _bounded
from .errors import ModelCodeError, UnsafeCode
from .limits import _EXPRESSION_FILE
from .namespace import GUARDS, HELPERS
from .policy import _parse, compile_expression, compile_script
from .timers import _check_result


class RestrictedEnvironment(TaskDataEnvironment):
    """Task-data environment that evaluates only restricted-compiled code, under the budget."""

    def __init__(self):
        super().__init__({**GUARDS, **HELPERS})

    def evaluate(self, expression, context, external_context=None):
        return _bounded(self._evaluate, expression, context, external_context)

    def _evaluate(self, expression, context, external_context):
        code = compile_expression(expression)
        scope = dict(self.globals)
        if external_context:
            scope.update(external_context)
        scope.update(context)
        return eval(code, scope)  # noqa: S307 -- restricted bytecode, guarded globals

    def execute(self, script, context, external_context=None):
        self.check_for_overwrite(context, external_context or {})
        try:
            return _bounded(self._execute, script, context, external_context)
        finally:  # outside the budget, so the clean-up cannot be interrupted
            self._remove_globals_and_functions_from_context(context, external_context)

    def _execute(self, script, context, external_context):
        code = compile_script(script)
        context.update(self.globals)
        context.update(external_context or {})
        exec(code, context)  # noqa: S102 -- restricted bytecode, guarded globals
        return True


class GuardedScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's script engine on the restricted, bounded environment, which also checks
    multi-instance cardinalities and timer values. A WorkflowTaskException it raises for our
    errors carries the original in ``.exception`` and ``__cause__`` (see `model_code_error`)."""

    def __init__(self, environment=None):
        super().__init__(environment=environment if environment is not None else RestrictedEnvironment())

    def validate(self, expression):
        """Parse like SpiffWorkflow (SyntaxError on bad syntax) but within the size limits."""
        _parse(expression, 'exec', _EXPRESSION_FILE, syntax_errors=True)

    def evaluate(self, task, expression, external_context=None):
        try:
            result = self.environment.evaluate(expression, task.data, external_context)
            _check_result(getattr(task, 'task_spec', None), expression, result)
            return result
        except SpiffWorkflowException as se:
            se.add_note(f"Error evaluating expression '{expression}'")
            raise se
        except Exception as exc:
            wte = WorkflowTaskException(f"Error evaluating expression '{expression}'", task=task,
                                        exception=exc)
            if isinstance(exc, (ModelCodeError, UnsafeCode)):
                wte.add_note(str(exc))
            wte.exception = exc
            raise wte from exc

    def execute(self, task, script, external_context=None):
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except Exception as err:
            try:
                wte = self.create_task_exec_exception(task, script, err)
            except TypeError:  # SpiffWorkflow concatenates err.args[0], e.g. the 5 of KeyError(5)
                line_number, error_line = self.get_error_line_number_and_content(script, err)
                wte = WorkflowTaskException(f'{err.__class__.__name__}:{err}', task=task, exception=err,
                                            line_number=line_number, error_line=error_line)
            if wte is err:
                raise
            wte.exception = err
            raise wte from err


def create_script_engine() -> GuardedScriptEngine:
    """The script engine every workflow in gjj-flow runs with."""
    return GuardedScriptEngine(environment=RestrictedEnvironment())
