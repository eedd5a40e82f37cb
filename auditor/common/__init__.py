"""The shared plumbing every layer of the auditor uses (the lowest layer of the import contracts).

errors.py       the errors and exit codes, clean_message
lazy.py         lazy package exports (PEP 562)
timestamps.py   reading ISO 8601 timestamps (Graph's, the reports', the command line's)
numbers.py      whole numbers read from text a person or a service wrote
outputs.py      writing files into an output directory: atomic writes, the lock, rotation
spreadsheet.py  cells of a CSV file as a spreadsheet program writes it
cycles.py       the one pause of the cyclic garbage collector
json_value.py   JsonValue and JsonObject: JSON typed without Any (schema fragments, parsed objects)
"""
