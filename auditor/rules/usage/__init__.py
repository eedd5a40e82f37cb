"""Rules under `usage:`, judged from Microsoft 365's usage reports.

activity.py        product-unused, rightsize: what a user's recorded activity says of their products
activity_texts.py  their texts, message and remediation
"""
