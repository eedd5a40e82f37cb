"""Developer and demo tools, shipped beside the auditor but never imported by it, except through
`auditor.demo` (the `--demo` seam; docs/architecture.md):

    emulator/   a Microsoft Graph emulator on 127.0.0.1 (tests, benchmarks, `audit --demo`)
    sample/     the bundled sample tenant and its generator (`python -m auditor_dev.sample`)
    to_translate.py  auditor/locale/to-translate.txt, written by scripts/relocale.sh
"""
