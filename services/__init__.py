"""The headless application layer: every use case of the CLI and the TUI written once.

Paths and settings, the one atomic writer, the library policy, the analysis pipeline,
sessions, drafts, fleet and the renderers live here. Nothing in this package imports
Textual (a test checks ``sys.modules`` in a subprocess); modules are imported by name,
this file imports nothing so ``import triagebench.services.paths`` stays cheap.
"""
