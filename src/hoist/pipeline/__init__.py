"""A run as two pipelines over the same stages: read -> stage -> diff -> plan -> execute -> record.

`hoist.pipeline.plan` stops after the plan and writes nothing; `hoist.pipeline.apply` executes
it, records what Intercom confirmed and the run's report. Both share `hoist.pipeline.stages`.
"""
