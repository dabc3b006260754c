"""Allow ``python -m triagebench``."""

from triagebench.tui.cli import main

raise SystemExit(main())
