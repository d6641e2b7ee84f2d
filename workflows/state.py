"""Serialize a running workflow without its spec, and restore it onto the cached spec.

SpiffWorkflow's serializer writes the whole process spec into every saved state and re-reads it on
every load. The spec is stored once per definition version already, so here the top-level
converter leaves it out and, on restore, reattaches the parsed spec from the definition cache.
That keeps each saved state small and makes the load-step-save cycle cheaper.
"""
from __future__ import annotations

import json
import zlib
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from . import operations
from .scripting import create_script_engine

STATE_FORMAT = 1  # bump when the stored layout changes; restore() refuses unknown formats


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Top-level workflow converter that neither writes nor reads the spec."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct['subprocesses'] = self.mapping_to_dict(workflow.subprocesses)
        dct['bpmn_events'] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        workflow = self.target_class(dct.pop('spec'), dct.pop('subprocess_specs'), deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct['tasks'], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct['root']))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct['subprocesses'], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop('bpmn_events', []))
        return workflow


def _make_serializer():
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpeclessWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


class _OperationCalls:
    """Service tasks call the named operations registered in `operations` (and nothing else)."""

    def call_service(self, task, operation_name, operation_params, **_kwargs):
        return operations.call(task, operation_name, operation_params)


def _make_script_engine():
    base = create_script_engine()
    engine_class = type('ModelScriptEngine', (_OperationCalls, type(base)), {})
    return engine_class(environment=base.environment)


_SERIALIZER = _make_serializer()
_SCRIPT_ENGINE = _make_script_engine()


def script_engine():
    """The script engine every workflow runs with (restricted, bounded, with named operations)."""
    return _SCRIPT_ENGINE


def new_workflow(loaded) -> BpmnWorkflow:
    """A fresh workflow for a parsed definition, running on the restricted script engine."""
    return BpmnWorkflow(loaded.spec, loaded.subprocess_specs, script_engine=_SCRIPT_ENGINE)


def dump(workflow) -> bytes:
    """The compressed, spec-less JSON state of a workflow."""
    registry = _SERIALIZER.registry
    registry._encoder_mode = True  # as serialize_json does: leave data values to the JSON encoder
    try:
        dct = _SERIALIZER.to_dict(workflow)
        dct['gjj_format'] = STATE_FORMAT
        text = json.dumps(dct, cls=_SERIALIZER._encoder_cls, separators=(',', ':'), ensure_ascii=False)
    finally:
        registry._encoder_mode = False
    return zlib.compress(text.encode(), 1)


def restore(blob: bytes, loaded) -> BpmnWorkflow:
    """Rebuild a workflow from `dump` output onto the parsed definition's spec."""
    dct = json.loads(zlib.decompress(blob))
    if dct.pop('gjj_format', None) != STATE_FORMAT:
        raise ValueError('unknown workflow state format')
    dct['spec'], dct['subprocess_specs'] = loaded.spec, loaded.subprocess_specs
    workflow = _SERIALIZER.from_dict(dct)
    workflow.script_engine = _SCRIPT_ENGINE
    return workflow
