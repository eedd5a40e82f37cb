"""What a nightly audit knows beyond today: the history file and its trends, the renewal forecast,
cost allocation, the chat notification, and the directory changes behind new findings.

    history.py     --history FILE (JSON Lines): one compact record per audit; `license-auditor history`
    trends.py      report.json `trends`: the last runs' open findings, unused spend and seats
    forecast.py    report.json `renewals`: seats to renew for subscriptions renewing within 60 days
    calendar.py    one RFC 5545 .ics entry per upcoming renewal (attached to the e-mail)
    allocation.py  report.json `cost_allocation` + cost-allocation.csv (policy `cost_allocation:`)
    causes.py      the directoryAudits entry behind each new finding (`--causes`)
    notify.py      --notify-webhook: an Adaptive Card (Teams Workflows) or Slack blocks
    notify_when.py --notify-when: whether tonight's run speaks, and why (report.json `notify`)
    arguments.py   the flags of `audit` these add, and the `history` command
    nightly.py     the glue `audit` calls: read the history, enrich the document, write the extras

The report sections these add are localised for the templates in auditor/report/view/insights.py.
"""
