"""The real-data regression corpus: real log excerpts from public balena sources (see README.md)."""
