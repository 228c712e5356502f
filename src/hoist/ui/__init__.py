"""The web UI of `hoist serve`: destinations, segments, activations, runs and their history.

Server-rendered pages (Starlette, Jinja2) with a little htmx, vendored in ``static/``: the UI
works offline. Everything it saves is YAML in the project folder; runs go through the same
engine functions as the CLI (`hoist.run_api.run_async`, `plan`).

app.py ........... the ASGI app: routes of each page group, static files, password
server.py ........ `hoist serve` with the UI: uvicorn here, runs and schedules in a background loop
security.py ...... loopback-or-password binding, HTTP basic auth, CSRF tokens
context.py ....... what every page shares (project folder, files, runs)
files.py ......... reading and writing definitions, change-on-disk detection
forms.py ......... form values, names, validation problems per field
render.py ........ Jinja2 templates, the CSRF cookie
destinations.py .. destinations and Test connection
segments.py ...... segment builder, live count, sample and SQL; builder.py: its condition tree
activations.py ... the activation form; fields.py: mapping rows and custom attributes
overview.py ...... the activation list and page, Preview (plan)
live.py .......... Run now, progress, stop; runs.py: the runs started here
history.py ....... run history, charts (charts.py), one run's errors
warehouse.py ..... tables and a model's columns; workspace.py: Intercom's attributes
"""

from __future__ import annotations

from hoist.ui.app import create_app
from hoist.ui.ui_server import serve_ui

__all__ = ["create_app", "serve_ui"]
