"""The engine stays pure: no module under advisor/engine imports Django, DRF, Celery or openai."""

import ast
from pathlib import Path

FORBIDDEN = {"django", "rest_framework", "celery", "openai"}
ENGINE = Path(__file__).resolve().parents[3] / "advisor" / "engine"


def imported_roots(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", "") == "__import__"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            yield str(node.args[0].value).split(".")[0]


def test_engine_imports_only_the_standard_library_and_itself():
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) >= 10
    for path in files:
        roots = set(imported_roots(ast.parse(path.read_text(encoding="utf-8"))))
        assert not roots & FORBIDDEN, f"{path.name} imports {roots & FORBIDDEN}"
        assert roots <= {"advisor", "__future__"} | _stdlib(), f"{path.name}: {roots}"


def test_the_checker_would_catch_an_import():
    tree = ast.parse("import django.db\nfrom openai import OpenAI\n__import__('celery')")
    assert set(imported_roots(tree)) == {"django", "openai", "celery"}


def _stdlib():
    import sys

    return set(sys.stdlib_module_names)
