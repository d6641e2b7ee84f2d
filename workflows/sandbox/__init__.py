"""The restricted, bounded sandbox for every BPMN/DMN expression, script and timer.

Models are uploaded by administrators, so every piece of model code (scripts, gateway and loop
conditions, DMN input/entry/output expressions, multi-instance cardinalities, timer expressions,
message payloads) is compiled with RestrictedPython and runs under a CPU-time and memory budget
(``set_budget(cpu_seconds, memory_mb)``, default 2 s and 256 MB per evaluation). Import it through
the facade ``workflows.scripting``; the modules here hold the parts, each explaining its own:

* ``limits``: the numbers that bound model code.
* ``errors``: ``UnsafeCode``, ``ModelCodeError``, ``BudgetExceeded``, ``InvalidTimer``,
  ``model_code_error``.
* ``policy``: compile time. RestrictedPython's policy plus ours (no ``while``, nothing that could
  swallow the time budget), size limits on the source, constants folded with the run-time guards,
  so blow-ups such as ``10 ** 10 ** 10`` are refused at deploy time.
* Run time, in three layers:

  1. size guards, deterministic and cheap, so that no single C-level operation runs long:
     ``guards`` (operators, ``%``-formatting, f-strings), ``methods`` (amplifying methods such as
     ``str.center``) and ``namespace`` (builtins, ``except`` clauses, the globals model code sees);
  2. ``budget``: CPU time, enforced by a watchdog thread with ``PyThreadState_SetAsyncExc``;
  3. ``memory``: an ``RLIMIT_AS`` ceiling while evaluations run.

* ``timers``: checks of evaluated timer values and loop cardinalities.
* ``engine``: ``RestrictedEnvironment``, ``GuardedScriptEngine``, ``create_script_engine``.

Imports go one way (no cycles): errors needs limits; guards, methods, namespace and policy each
need the ones before them; budget needs limits, errors and memory (which needs nothing); timers
needs limits and errors; engine sits on top. The per-evaluation path (``engine`` -> ``budget._bounded`` -> the guards) reads only
module globals bound at import, as the single module did, so the split adds no indirection.
"""
