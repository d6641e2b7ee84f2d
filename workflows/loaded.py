"""What gjj-flow knows of a deployed model once it is parsed and checked (`definitions.load_bundle`):
the engine's specs and, per element, the lane, the properties and what the app shows of it."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import clocks as clock_rules


@dataclass(frozen=True)
class ElementMeta:
    """What gjj-flow reads from one BPMN element's lane and spiffworkflow properties."""
    spec_id: str
    name: str
    name_en: str = ''
    role: str | None = None
    form: str | None = None
    time_limit: str | None = None
    separate_from: tuple[str, ...] = ()
    risk_hint: str = ''
    risk_hint_en: str = ''
    clocks: clock_rules.ClockActions = clock_rules.ClockActions()
    is_user_task: bool = False
    basis_field: str = 'basis'             # which of the step's values is its legal basis …
    reason_field: str = 'reason'           # … its reason (for the audit trail) …
    decision_field: str = 'decision'       # … and its decision (shown in the task history)
    operation: str | None = None           # service tasks: the named operation …
    result_variable: str | None = None     # … and where its result goes
    outputs: tuple[tuple[str, str], ...] = ()  # business-rule tasks: (output name, DMN label)


@dataclass(frozen=True)
class Outcome:
    """How a case ends at one end event: a code for statistics and the event's name for people."""
    code: str
    name: str
    name_en: str = ''


@dataclass
class LoadedDefinition:
    """A parsed, checked definition: specs for the engine plus the metadata the app needs."""
    key: str
    name: str
    spec: object
    subprocess_specs: dict
    elements: dict[str, ElementMeta]
    outcomes: dict[str, Outcome]
    properties: dict[str, str]
    clocks: dict[str, clock_rules.ClockDecl]
    forms: dict[str, dict]
    start: ElementMeta
    start_roles: frozenset[str]
    main_file: str = ''
    documents: tuple[str, ...] = ()
    files: dict[str, str] = field(repr=False, default_factory=dict)

    @property
    def tasks(self) -> dict[str, ElementMeta]:
        """The user tasks by id."""
        return {k: m for k, m in self.elements.items() if m.is_user_task}

    def form(self, name):
        """The JSON Schema of a form in this bundle."""
        return self.forms[name]

    @property
    def start_form(self) -> dict:
        return self.forms[self.start.form]

    @property
    def bpmn_xml(self):
        """The XML of the main BPMN file (the diagram of the case)."""
        return self.files[self.main_file]
