"""The rule under `moves:`: users to move from one product to another.

subscription_move.py        subscription-move: who the policy's moves apply to
subscription_move_texts.py  its texts, message and remediation
"""
