"""The emulator's resources, one module each; auditor_dev/emulator/routes.py maps paths and methods to
their handlers."""
