"""Labelled corpora written the way buyers write, read as tab-separated rows ('#' lines are comments)."""
from pathlib import Path

FOLDER = Path(__file__).parent


def read_rows(name, columns):
    """(line number, *fields) for each row of the file `name`, which must have `columns` fields."""
    rows = []
    for number, line in enumerate((FOLDER / name).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        assert len(fields) == columns, f"{name} line {number}: {len(fields)} fields, not {columns}"
        rows.append((number, *fields))
    return rows
