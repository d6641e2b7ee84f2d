"""The engine layer stays free of the web layer: an import-linter contract (setup.cfg) that can fail."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name('lint-imports')


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), '--config', str(cwd / 'setup.cfg'), '--no-cache'], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_the_engine_imports_neither_flask_nor_werkzeug_nor_app():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'KEPT' in result.stdout


def test_the_contract_fails_when_a_flask_import_is_added_to_the_engine(tmp_path):
    for package in ('workflows', 'app'):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns('__pycache__', 'static'))
    shutil.copy(ROOT / 'setup.cfg', tmp_path / 'setup.cfg')
    (tmp_path / 'workflows' / 'leak.py').write_text('from flask import current_app\n', encoding='utf-8')
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert 'BROKEN' in result.stdout and 'workflows.leak -> flask' in result.stdout
