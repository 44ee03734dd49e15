"""stdio2's benchmarks: each case times stdio2 and the standard-library way of doing the same job.

Run ``python3 -m benchmarks`` (``--quick`` for a smoke run, ``-k WORD`` to
select cases). See `benchmarks._harness` for the method.
"""
