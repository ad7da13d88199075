"""The frozen bundle's entry point: the same as the ``ektp-station`` command.

PyInstaller needs a script rather than a package's ``__main__`` with relative imports.
"""

import sys

from ektp_station.cli import main

if __name__ == "__main__":
    sys.exit(main())
