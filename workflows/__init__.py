"""The engine layer: SpiffWorkflow, persistence, permissions and audit. Never imports Flask."""
