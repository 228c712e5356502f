"""What an operator watches while `hoist serve` runs for weeks (issue 28).

metrics.py ... the Prometheus metrics of runs, companies, API calls and rate limits
health.py .... `/healthz` (the process answers) and `/readyz` (scheduler running, state readable)
routes.py .... the `/metrics`, `/healthz` and `/readyz` routes, for the UI and the --no-ui server
opsserver.py . those routes alone on --metrics-port with `hoist serve --no-ui`
lag.py ....... the event loop's lag, measured by a task that oversleeps when the loop is busy
jsonlog.py ... `--log-format json`: one JSON object per line; the UI's access log
"""
