"""The station window (PySide6). Qt is imported only under this package.

``app.run_window(ctx)`` is the entry point used by ``ektp-station`` without a subcommand.
"""
