"""What people send: field definitions per kind, readers per format, header finding and kind detection.

Imported by the quality checks, the ledger loaders, the templates and the sample generator; imports nothing
from the rest of the package but ``identifiers`` and ``money``.
"""
