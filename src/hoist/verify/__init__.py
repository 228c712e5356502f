"""`hoist verify`: read companies back from Intercom, compare with state, repair drift.

compare.py ... compare_company: delivered JSON texts against a company object (pure)
delivered.py . Delivered: state's delivered values in a scratch table, read a page at a time
check.py ..... by_scroll / by_lookup: read Intercom back and collect drift and missing companies
repair.py .... plan_repair / repair: send exactly the drifted attributes, re-create the missing
report.py .... VerifyReport, render_verify
run.py ....... verify(): the whole command
"""

from __future__ import annotations

from hoist.compare import Drift
from hoist.verify.run import verify
from hoist.verify.verify_report import VerifyReport, render_verify

__all__ = ["Drift", "VerifyReport", "render_verify", "verify"]
