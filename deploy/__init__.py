"""Deployment: the production topology as plain processes (``run_cluster``); compose lives at the repo root."""
