"""One module per process: the named operations, documents and demo cases only that process needs.

Every module here is imported by `operations.load_process_modules()`. A process that needs only the
shared records' operations (`workflows/records.py`) needs no module at all.
"""
