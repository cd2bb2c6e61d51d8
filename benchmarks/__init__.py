"""Benchmarks: how fast a year settles through the pipeline, against a plain pandas script and the I/O floor.

``python -m benchmarks`` runs them (see ``benchmarks/README.md``); the ``bench_*.py`` scripts are stage
micro-benchmarks (rules, ledger, outputs, validation) run on their own.
"""
