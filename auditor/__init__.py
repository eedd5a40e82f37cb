"""license-auditor: policy-as-code compliance auditing for Microsoft 365 licenses."""

import time as _time

__version__ = "0.1.0"
STARTED = _time.perf_counter()  # for the start-up figure of LICENSE_AUDITOR_TIMINGS=1
