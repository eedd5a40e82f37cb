"""The html templates, compiled ahead (see auditor/report/precompile.py); generated, do not edit."""
