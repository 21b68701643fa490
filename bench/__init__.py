"""Benchmarks of osteo-cds (issue "Performance"): run with ``./.ci/bench`` (see bench/README.md)."""
