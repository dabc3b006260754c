"""The ``triage`` command line: ``main.py`` dispatches to one module per verb. No Textual.

A verb module has ``add_arguments(parser)`` and ``run(args) -> int`` and is registered
with one line in ``main.VERBS``. Exit codes are in ``docs/exit-codes.md``.
"""
