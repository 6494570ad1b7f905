"""Moorage benchmarks (`make bench`): how the cost grows with the number of services.

Never part of the test suite; nothing here asserts times. See bench/run.py.
"""
