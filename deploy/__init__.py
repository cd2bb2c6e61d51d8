"""Deployment: compose's init steps (``prepare``: the secrets check, the ledger's database, roles and first users),
the production topology as plain processes (``run_cluster``) and the REST calls of the runbook (``rest``);
compose itself lives at the repo root."""
