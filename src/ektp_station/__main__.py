"""``python -m ektp_station`` — the same as the ``ektp-station`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
