"""Allow ``python -m triagebench``."""

from triagebench.cli.main import main

raise SystemExit(main())
