"""Slow request bodies against the real server: does a normal request stay fast while clients trickle?

    .venv/bin/python bench/bench_slow_bodies.py [--slow 10] [--requests 20] [--worker-class gthread sync]

For each worker class, starts gunicorn with gunicorn.conf.py (as scripts/run.sh does) on a fresh demo
SQLite database, opens `--slow` connections that POST a login form announcing 100 kB and sending one
byte every 0.2 s, then times `--requests` GETs of the login page from a normal client. Prints the
median and the worst time per worker class; the target is under 1 s. A request that gets no answer
within 5 s counts as 5 s.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TIMEOUT = 5.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_up(url: str, deadline: float = 30.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f'the server did not answer at {url}')


def trickle(port: int, stop: threading.Event) -> None:
    """One slow client: announce a 100 kB body, send it a byte at a time until told to stop."""
    with socket.create_connection(('127.0.0.1', port)) as s:
        s.sendall(b'POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n'
                  b'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n')
        while not stop.is_set():
            try:
                s.sendall(b'a')
            except OSError:
                return          # the server gave up on us (its timeout): that is fine
            stop.wait(0.2)


def timed_get(url: str) -> float:
    start = time.perf_counter()
    try:
        urllib.request.urlopen(url, timeout=TIMEOUT).read()
    except OSError:
        return TIMEOUT
    return time.perf_counter() - start


def run(worker_class: str, slow: int, requests: int, env: dict) -> list[float]:
    port = free_port()
    server = subprocess.Popen([str(BIN / 'gunicorn'), '--config', str(ROOT / 'gunicorn.conf.py'),
                               '--access-logfile', '/dev/null', 'app:create_app()'], cwd=ROOT,
                              env={**env, 'BIND': f'127.0.0.1:{port}', 'WORKER_CLASS': worker_class,
                                   # gunicorn silently turns sync into gthread when threads > 1
                                   **({'THREADS': '1'} if worker_class == 'sync' else {})},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f'http://127.0.0.1:{port}/auth/login'
    stop = threading.Event()
    try:
        wait_up(url)
        clients = [threading.Thread(target=trickle, args=(port, stop), daemon=True) for _ in range(slow)]
        for c in clients:
            c.start()
        time.sleep(1.0)         # let every slow client get hold of the server
        return [timed_get(url) for _ in range(requests)]
    finally:
        stop.set()
        server.terminate()
        server.wait(10)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--slow', type=int, default=10, help='slow clients (default 10)')
    parser.add_argument('--requests', type=int, default=20, help='timed normal requests (default 20)')
    parser.add_argument('--worker-class', nargs='+', default=['gthread', 'sync'])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, 'DATABASE_URL': f'sqlite:///{folder}/bench.db', 'SECRET_KEY': 'bench'}
        subprocess.run([str(BIN / 'flask'), '--app', 'app', 'init-db', '--demo'], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        print(f'{args.slow} clients trickling request bodies; {args.requests} normal GETs of the login page')
        print(f'{"worker class":<14}{"median ms":>12}{"worst ms":>12}  under 1 s?')
        for worker_class in args.worker_class:
            times = run(worker_class, args.slow, args.requests, env)
            worst = max(times)
            print(f'{worker_class:<14}{statistics.median(times) * 1000:>12.1f}{worst * 1000:>12.1f}  '
                  f'{"yes" if worst < 1 else "NO"}')


if __name__ == '__main__':
    main()
