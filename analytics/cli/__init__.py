"""The command line: ``python -m analytics COMMAND``. It mirrors what the app's pages do.

Each command's options and function live together in the module of its topic (files, analysis) and register
themselves with ``set_defaults(func=...)``; :mod:`analytics.cli.main` only collects them.

Exit codes: 0 success, 1 a file had errors or could not be imported, 2 wrong usage or an unusable database.
"""
