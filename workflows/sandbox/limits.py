"""The numbers that bound model code, and the file names its compiled code carries.

Every limit is a module constant, read where it is enforced (``from .limits import ...``), so that
checking one costs a global lookup. Only the per-evaluation CPU-time and memory budget can be
changed while running: ``budget.set_budget`` (whose defaults are below).
"""

MAX_RANGE = 10_000            # elements of one range()
MAX_SOURCE_CHARS = 20_000     # characters of one expression or script
MAX_AST_NODES = 10_000        # syntax nodes of one expression or script
MAX_AST_DEPTH = 100           # nesting depth of its syntax tree
MAX_ITEMS = 1_000_000         # characters, bytes or elements made by one guarded operation
MAX_INT_BITS = 100_000        # bits of an integer made by (or fed to) a super-linear operation
MAX_POW_MOD_BITS = 4_096      # bits of exponent and modulus of pow(base, exp, mod)
MAX_INSTANCES = 1_000         # instances of one multi-instance activity
MAX_TIMER_DAYS = 3_660        # how far a timer may reach: about 10 years
MAX_TIMER_TEXT = 200          # characters of an evaluated timer value

DEFAULT_CPU_SECONDS = 2.0
DEFAULT_MEMORY_MB = 256
WATCHDOG_POLL = 0.02          # seconds between watchdog checks while evaluations run
WATCHDOG_IDLE_AFTER = 1.0     # the watchdog sleeps until woken after this long without evaluations
REFIRE_AFTER = 0.1            # re-raise in a thread still inside model code this long after firing

# Model code is compiled under these file names; the watchdog looks for them on a thread's stack.
_EXPRESSION_FILE = '<model expression>'
_SCRIPT_FILE = '<model script>'
_MODEL_FILES = frozenset((_EXPRESSION_FILE, _SCRIPT_FILE))
