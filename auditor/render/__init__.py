"""What every rendered file shares: the Jinja2 templates (templates/) and their environments
(environment), and making untrusted tenant text safe to show (text). The report, the plan and
the migration plan render through it."""
