"""`make bench` (`python -m benchmarks`): a generated data set, the app under gunicorn, and the timings PERFORMANCE.md asks for."""
