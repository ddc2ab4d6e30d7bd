#!/usr/bin/env python3
"""Runs every ```python snippet of a Markdown file against the installed package (the language tier's venv).

Each snippet runs as a reader would paste it, with its own imports:
- a snippet that uses `self` ("inside a Stack's __init__") runs with `self` bound to a Stack of a new App;
- a snippet that builds its own App runs as a program;
- a snippet that defines pytest tests (`def test_...`) is written to a test module and run by pytest (twice: the
  first run writes syrupy snapshots, the second compares against them).
Afterwards every App the snippet made is synthesized. A failure prints `README.md:<line>: <error>` with the README line
of the failing statement, and so does a fence that is not closed (the next fence opens inside it).

Usage: readme-python.py README.md [WORKDIR]   exit 1 when a snippet fails
"""
import os
import re
import subprocess
import sys
import tempfile
import traceback

FENCE = re.compile(r"^```(\S*)")


def snippets(path):
    """(first code line, code, error) for each python fence; error is set for a fence that is not closed."""
    found = []
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        lang, start = m.group(1), i + 1
        j = start
        while j < len(lines) and not FENCE.match(lines[j]):
            j += 1
        body = lines[start:j]
        closed = j < len(lines) and lines[j].strip() == "```"
        if lang == "python":
            error = None if closed else (
                f"the ```python fence opened at line {start} is not closed: line {j + 1} opens another fence"
                if j < len(lines) else f"the ```python fence opened at line {start} is not closed")
            found.append((start + 1, "\n".join(body), error))
        # a fence that is not closed: the next fence line starts a new block
        i = j + 1 if closed else j
    return found


def where(path, exc):
    """The README line of the innermost frame in the snippet, or of a syntax error."""
    if isinstance(exc, SyntaxError) and exc.filename == path:
        return exc.lineno
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == path:
            line = frame.lineno
    return line


def run_program(path, first, code):
    """Executes the snippet, its line numbers those of the README, then synthesizes every App it made."""
    source = "\n" * (first - 1) + code
    namespace = {"__name__": "__readme__"}
    apps = []
    if re.search(r"\bself\b", code):
        import aws_cdk
        app = aws_cdk.App()
        namespace["self"] = aws_cdk.Stack(app, f"Readme{first}")
        apps.append(app)
    exec(compile(source, path, "exec"), namespace)
    import aws_cdk
    apps += [v for v in namespace.values() if isinstance(v, aws_cdk.App) and v not in apps]
    for app in apps:
        app.synth()
    return len(apps)


def run_tests(path, first, code, workdir):
    module = os.path.join(workdir, f"test_readme_{first}.py")
    with open(module, "w", encoding="utf-8") as f:
        f.write("\n" * (first - 1) + code + "\n")
    for extra in (["--snapshot-update"], []):
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, module],
                                cwd=workdir, capture_output=True, text=True)
        if result.returncode != 0:
            # pytest names the module's lines: they are the README's
            lines = [l for l in result.stdout.splitlines() if re.match(r"^test_readme_\d+\.py:\d+", l)]
            at = lines[-1].split(":")[1] if lines else str(first)
            raise AssertionError(f"pytest failed{' (snapshot comparison)' if not extra else ''} at README line {at}:\n"
                                 + (result.stdout + result.stderr)[-2000:])


def main():
    path = sys.argv[1]
    workdir = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="readme-python-"))
    os.makedirs(workdir, exist_ok=True)
    passed = failed = 0
    for first, code, error in snippets(path):
        try:
            if error:
                raise SyntaxError(error)
            if re.search(r"^def test_", code, re.M):
                run_tests(path, first, code, workdir)
                what = "pytest"
            else:
                what = f"{run_program(path, first, code)} app(s) synthesized"
            print(f"{path}:{first}: ok ({what})")
            passed += 1
        except Exception as exc:  # every failure is reported, then the next snippet runs
            line = where(path, exc) or first
            print(f"{path}:{line}: FAILED (snippet at line {first}): {type(exc).__name__}: {exc}")
            failed += 1
    print(f"README Python snippets: {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
