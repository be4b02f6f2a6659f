"""`make bench` (`python -m benchmarks`): a generated data set, the app under gunicorn, PERFORMANCE.md's timings."""
