"""The ``migrate`` command line and the library API behind it.

    from migrate import api
    run = api.rewrite([Path("src")], provider="dashscope", write=False)
    for result in run.results: ...          # Changed | Unchanged | Skipped | Failed

``migrate.cli`` assembles the typer app (console script ``migrate``); ``migrate.api`` returns typed
results and prints nothing; ``migrate.render`` turns results into diffs, tables and reports.
Importing this package loads nothing: each command imports what it needs.
"""
