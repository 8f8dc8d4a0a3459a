"""Benchmarks of Forkcast (`make bench`): speed as ratios against a trivial request measured in
the same run, query counts per page, re-assessment at scale, and load through gunicorn."""
