"""license-auditor: policy-as-code compliance auditing for Microsoft 365 licenses."""

__version__ = "0.1.0"
