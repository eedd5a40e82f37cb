"""The pieces of the rules' example findings (`RuleGuidance.example_finding`): a user and skuIds
(shortened: they only have to be told apart). The guidance tests render every rule's example in
every locale and cloud."""

from __future__ import annotations

from typing import Any

USER: dict[str, Any] = {"type": "user", "id": "11111111-aaaa", "upn": "ann@contoso.example", "display_name": "Ann Lee"}
E5, F3, EMS = "06ebc4ee-e5", "66b55226-f3", "efccb6f7-ems"
E3 = "05e9a617-e3"
