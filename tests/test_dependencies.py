"""The app uses its libraries through their public names only: a private name can change in any release."""
import ast
from pathlib import Path

import sellerkit

SOURCE = Path(sellerkit.__file__).parent

#: Underscore names the standard library documents as public.
DOCUMENTED = {"_exit"}


def _private(name):
    return name.startswith("_") and not name.startswith("__")


def _defined_names(tree):
    """The names a module gives itself: its functions, classes, methods and the attributes it sets."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def private_uses(path, root=SOURCE):
    """Each private name of another package that a module reaches for, as `path:line name`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = _defined_names(tree) | DOCUMENTED
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in own:
            found.append(f"{path.relative_to(root)}:{node.lineno} .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and not node.module.startswith("sellerkit"):
            found += [f"{path.relative_to(root)}:{node.lineno} {node.module}.{alias.name}"
                      for alias in node.names if _private(alias.name)]
    return found


def test_no_module_reaches_into_a_librarys_private_names():
    found = [use for path in sorted(SOURCE.rglob("*.py")) for use in private_uses(path)]
    assert found == []


def test_the_check_sees_a_private_name(tmp_path):
    module = tmp_path / "example.py"
    module.write_text("from wtforms.widgets.core import _escape\n"
                      "def render(field, row):\n"
                      "    return field._value(), row._mapping, field.label, field.__class__\n")
    assert sorted(private_uses(module, tmp_path)) == [
        "example.py:1 wtforms.widgets.core._escape", "example.py:3 ._mapping", "example.py:3 ._value"]
