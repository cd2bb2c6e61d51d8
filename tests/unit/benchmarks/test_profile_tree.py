"""Folding a py-spy profile: project frames only, inclusive seconds, callers before the callees they called."""

from __future__ import annotations

from benchmarks.profile_tree import fold, frame_name, render

STEP = "compute_subsidies (/srv/app/zgc_pipeline/cycle/settlement.py:42)"
SETTLE = "settle (/srv/app/zgc_pipeline/rules/settlement.py:36)"
LOAD = "Ledger.load_inputs (/srv/app/zgc_pipeline/ledger/ledger.py:135)"
LIBRARY = "DefaultDialect.do_executemany (/venv/lib/python3.11/site-packages/sqlalchemy/engine/default.py:1189)"
RAW = [
    f"<module> (run.py:1);{STEP};{SETTLE} 30\n",
    f"<module> (run.py:1);{STEP};{LIBRARY};{LOAD};{LIBRARY} 20\n",
    f"<module> (run.py:1);{STEP} 10\n",
    "Thread._bootstrap (threading.py:1002);Condition.wait (threading.py:331) 500\n",  # never enters the project
    "\n",
]


def test_frames_are_named_by_function_and_file() -> None:
    assert frame_name(SETTLE) == ("settle settlement.py", True)
    assert frame_name(LIBRARY) == ("DefaultDialect.do_executemany default.py", False)
    assert frame_name("<unknown>") == ("<unknown>", False)


def test_samples_fold_into_project_paths_and_leaves() -> None:
    profile = fold(RAW, depth=5)
    step = ("compute_subsidies settlement.py",)
    assert profile.total == 60
    assert profile.tree == {
        step: 60,
        (*step, "settle settlement.py"): 30,
        (*step, "Ledger.load_inputs ledger.py"): 20,  # the library frame between them is left out
    }
    assert profile.leaves == {
        "settle settlement.py": 30,
        "DefaultDialect.do_executemany default.py": 20,
        "compute_subsidies settlement.py": 10,
    }
    assert fold(RAW, depth=1).tree == {step: 60}


def test_the_tree_puts_the_slowest_callee_first_and_drops_small_lines() -> None:
    lines = render(fold(RAW, depth=5), rate=10, at_least=2.5, leaves=1)
    assert lines == [
        "     6.0 s sampled in the project's threads",
        "     6.0  compute_subsidies settlement.py",
        "     3.0    settle settlement.py",
        "leaves (on top of the stack):",
        "     3.0  settle settlement.py",
    ]
