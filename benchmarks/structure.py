"""Structural figures of the code (issue 13): function-local imports and the longest
module, first-party code only (tests, benchmarks and migrations aside).

    python benchmarks/structure.py

Prints one JSON line. Repeated blocks are counted with the ``duplicates`` command.
"""

import ast
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED = {".venv", "tests", "benchmarks", "var", "artifacts"}


def modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in SKIPPED or "migrations" in parts:
            continue
        yield path


def local_imports(tree) -> int:
    return sum(
        isinstance(inner, ast.Import | ast.ImportFrom)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for inner in ast.walk(node)
    )


def main():
    imports, longest = 0, ("", 0)
    for path in modules():
        text = path.read_text(encoding="utf-8")
        imports += local_imports(ast.parse(text))
        lines = text.count("\n")
        if lines > longest[1]:
            longest = (str(path.relative_to(ROOT)), lines)
    print(
        json.dumps(
            {
                "function_local_imports": imports,
                "longest_file": longest[0],
                "longest_file_lines": longest[1],
            }
        )
    )


if __name__ == "__main__":
    main()
