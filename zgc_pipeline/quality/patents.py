"""Patent numbers in a 质押知识产权号 list: which fail, and why (identifiers.patent_problem per item).

Shared by the GX metric (``custom``) and the messages, without importing great_expectations.
"""

from __future__ import annotations

from zgc_pipeline.identifiers import patent_problem

LIST_SEPARATOR = ";"  # ParsedSubmission rejoins a LIST field's items with this


def patent_list_problems(value: str) -> list[tuple[str, str]]:
    """(item, why) for every patent number of a ``;``-joined list that fails its form or check digit."""
    found = []
    for item in value.split(LIST_SEPARATOR):
        problem = patent_problem(item)
        if problem is not None:
            found.append((item, problem))
    return found
