"""The public surface: __all__, docs/api.md and reality agree; the core needs no extras."""

import re
import subprocess
import sys
from pathlib import Path

import influence

ROOT = Path(__file__).resolve().parents[1]


def test_all_is_sorted_and_real():
    """Every name in __all__ exists, and __all__ is sorted."""
    assert list(influence.__all__) == sorted(influence.__all__)
    for name in influence.__all__:
        assert hasattr(influence, name), name


def test_api_doc_lists_exactly_all():
    """docs/api.md documents each public name once, and nothing else, under '## `name`'."""
    text = (ROOT / "docs" / "api.md").read_text()
    documented = re.findall(r"^## `([^`]+)`", text, flags=re.MULTILINE)
    assert sorted(documented) == sorted(
        n for n in influence.__all__ if n != "__version__"
    )


def test_dir_shows_only_the_public_api():
    """dir(influence) is the public API."""
    assert dir(influence) == list(influence.__all__)


def test_core_imports_without_hypothesis_or_matplotlib():
    """The core (and its CLI) imports with hypothesis, matplotlib and scipy blocked."""
    code = (
        "import sys\n"
        "for name in ('hypothesis', 'matplotlib', 'scipy', 'tqdm'):\n"
        "    sys.modules[name] = None\n"
        "import influence, influence.cli\n"
        "print(len(influence.score(influence.load()).columns) >= 5)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_every_public_function_has_an_example():
    """Each public function and class docstring shows an example (or documents fields)."""
    for name in influence.__all__:
        obj = getattr(influence, name)
        if callable(obj) and not isinstance(obj, type):
            assert ">>>" in (obj.__doc__ or ""), f"{name} has no example"


def test_missing_extra_is_a_one_line_error():
    """Without scipy, `influence sensitivity` says which extra to install and exits 2."""
    code = (
        "import sys\n"
        "sys.modules['scipy'] = None\n"
        "from influence.cli import main\n"
        "sys.exit(main(['sensitivity', '--draws', '64']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "influence: error: sensitivity needs scipy: pip install 'influence[uncertainty]'\n"
    )
