"""The rule over the policy's own `waivers:`.

waiver_expired.py        waiver-expired: a waiver past its expiry date
waiver_expired_texts.py  its texts and message
"""
