"""Gunicorn settings for `scripts/run.sh` and `bench/bench_slow_bodies.py` (one definition).

Threaded workers: a client that sends its request body slowly holds one thread, not a whole
process, so a few such clients cannot stall everyone (a sync worker reads the body with the process
blocked; two of them stall a two-process server). bench/bench_slow_bodies.py measures both.
Model code may run in several threads at once; its memory ceiling is shared and raised for
concurrent evaluations (workflows/sandbox/memory.py). In production put a buffering reverse proxy
(nginx's default proxy_request_buffering) in front as well: it takes slow bodies off the app
entirely. See docs/DESIGN.md, "Serving".
"""
import os

bind = os.environ.get('BIND', '127.0.0.1:5000')
workers = int(os.environ.get('WORKERS', '2'))
worker_class = os.environ.get('WORKER_CLASS', 'gthread')
threads = int(os.environ.get('THREADS', '16'))   # note: with threads > 1 gunicorn runs 'sync' as gthread
timeout = 30            # a request (or a body) taking longer than this ends its worker's turn
accesslog = '-'
