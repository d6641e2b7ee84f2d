"""Process administration: model, upload, validate, version, publish and migrate BPMN, DMN and forms."""
