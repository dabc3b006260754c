"""Application layer: use cases shared by the CLI and the TUI (no Textual here)."""
