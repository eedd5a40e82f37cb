"""The emulator's resources, one module each; routes.py maps paths and methods to their handlers."""
