"""`python -m benchmarks`: what `make bench` runs."""
from benchmarks.runner import bench_command

bench_command(prog_name="python -m benchmarks")
