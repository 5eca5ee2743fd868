#!/usr/bin/env python3
"""uv and uvx stand-ins for act (see test/README.md): uv cannot be downloaded offline.

Installed as both `uv` and `uvx` by the setup-uv stand-in; the name it is called by picks the
command. It does what shipkit's workflows ask of uv with the runner image's Debian Python and
tools, and fails with exit code 2 and a message on anything else:

  uv build [--out-dir DIR] [SRC]       python3 -m build --no-isolation --skip-dependency-check
  uv run [--with PKG]... CMD [ARG]...  .venv with system site packages, the project and the
                                       workspace members it needs installed with pip (no index),
                                       then CMD (mypy, pytest, python) from the venv
  uvx twine ARG...                     Debian's twine
  uvx ruff check|format --check ...    the real Ruff as WebAssembly (ruff.js, Node.js)
  uvx semgrep==X.Y.Z scan ...          reports SHIPKIT_STANDIN_SEMGREP_FINDINGS findings as SARIF
"""

from __future__ import annotations

import fnmatch
import glob
import json
import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

HERE = Path(os.path.realpath(__file__)).parent


class Fail(Exception):
    """A usage or project error: printed as `<prog>: message`, exit code 2 unless given."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def main(argv: list[str]) -> int:
    prog = Path(argv[0]).name
    try:
        if prog == "uvx":
            return uvx(argv[1:])
        if prog == "uv":
            return uv(argv[1:])
        raise Fail(f"called as {prog!r}: install this program as uv or uvx")
    except Fail as e:
        print(f"{prog} stand-in: {e}", file=sys.stderr)
        return e.code


# --- uv -----------------------------------------------------------------------------------------


def uv(args: list[str]) -> int:
    if not args:
        raise Fail("no command: the stand-in supports `uv build` and `uv run`")
    cmd, rest = args[0], args[1:]
    if cmd == "build":
        return uv_build(rest)
    if cmd == "run":
        return uv_run(rest)
    raise Fail(f"only `uv build` and `uv run` are supported, not: uv {' '.join(args)}")


def uv_build(args: list[str]) -> int:
    out, src = "dist", "."
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--out-dir", "-o"):
            if i + 1 >= len(args):
                raise Fail(f"{a} needs a folder")
            out, i = args[i + 1], i + 2
        elif a.startswith("--out-dir="):
            out, i = a.split("=", 1)[1], i + 1
        elif a.startswith("-"):
            raise Fail(f"uv build: unsupported option {a}")
        else:
            src, i = a, i + 1
    # Debian's hatchling is older than the floor a project may ask for: the check is skipped.
    cmd = [sys.executable, "-m", "build", "--no-isolation", "--skip-dependency-check", "--outdir", out, src]
    return subprocess.call(cmd)


def uv_run(args: list[str]) -> int:
    withs: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--with":
            if i + 1 >= len(args):
                raise Fail("uv run: --with needs a package")
            withs.extend(p.strip() for p in args[i + 1].split(",") if p.strip())
            i += 2
        elif a.startswith("--with="):
            withs.extend(p.strip() for p in a.split("=", 1)[1].split(",") if p.strip())
            i += 1
        elif a == "--":
            i += 1
            break
        elif a.startswith("-"):
            raise Fail(f"uv run: unsupported option {a} (the stand-in supports --with only)")
        else:
            break
    command = args[i:]
    if not command:
        raise Fail("uv run: no command given")

    name = command[0]
    if name not in ("mypy", "pytest", "python", "python3"):
        raise Fail(f"uv run: the stand-in runs mypy, pytest or python, not {name!r}")
    root, current, projects = find_workspace(Path.cwd())
    needed = resolve(root, current, projects)
    for spec in withs:
        check_installed(spec, "--with", "")
    venv = make_venv(root)
    install(venv, [projects[n] for n in needed])

    env = dict(os.environ)
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONHOME", None)
    python = str(venv / "bin" / "python")
    if name in ("mypy", "pytest"):
        # As modules of the venv's Python, so they see what is installed into the venv.
        argv = [python, "-m", name, *command[1:]]
    else:
        argv = [python, *command[1:]]
    sys.stdout.flush()
    os.execve(python, argv, env)
    return 0  # not reached


class Project:
    """A pyproject.toml with a [project] table."""

    def __init__(self, path: Path, data: dict) -> None:
        self.dir = path
        self.data = data
        proj = data.get("project", {})
        self.name = canonicalize_name(proj.get("name", ""))
        self.version = proj.get("version")
        self.deps = list(proj.get("dependencies", []))
        # uv run syncs the default group, dev (and the legacy tool.uv.dev-dependencies).
        self.deps += data.get("dependency-groups", {}).get("dev", [])
        self.deps += data.get("tool", {}).get("uv", {}).get("dev-dependencies", [])
        self.sources = data.get("tool", {}).get("uv", {}).get("sources", {})
        uvtool = data.get("tool", {}).get("uv", {})
        self.packaged = uvtool.get("package", "build-system" in data)


def load_toml(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise Fail(f"{path}: not valid TOML: {e}") from None


def find_workspace(cwd: Path) -> tuple[Path, Path, dict[str, Project]]:
    """The workspace root (or the project's own folder), the project's folder, and the
    workspace's projects by normalized name."""
    start = next((d for d in [cwd, *cwd.parents] if (d / "pyproject.toml").is_file()), None)
    if start is None:
        raise Fail(f"uv run: no pyproject.toml in {cwd} or any parent folder")
    root = start
    for d in [start, *start.parents]:
        p = d / "pyproject.toml"
        if not p.is_file():
            continue
        ws = load_toml(p).get("tool", {}).get("uv", {}).get("workspace")
        if ws is not None and (d == start or start in member_dirs(d, ws)):
            root = d
            break
    data = load_toml(root / "pyproject.toml")
    projects: dict[str, Project] = {}
    if "project" in data:
        p = Project(root, data)
        projects[p.name] = p
    ws = data.get("tool", {}).get("uv", {}).get("workspace")
    if ws is not None:
        for d in member_dirs(root, ws):
            if not (d / "pyproject.toml").is_file():
                raise Fail(f"workspace member `{d.relative_to(root)}` is missing a `pyproject.toml`")
            m = Project(d, load_toml(d / "pyproject.toml"))
            if not m.name:
                raise Fail(f"workspace member `{d.relative_to(root)}` has no [project] name")
            projects[m.name] = m
    if not projects:
        raise Fail(f"uv run: {root / 'pyproject.toml'} has no [project] table and no workspace members")
    return root, start, projects


def member_dirs(root: Path, ws: dict) -> list[Path]:
    excluded = {Path(p) for e in ws.get("exclude", []) for p in glob.glob(str(root / e))}
    dirs = []
    for pattern in ws.get("members", []):
        for p in sorted(glob.glob(str(root / pattern))):
            if Path(p).is_dir() and Path(p) not in excluded:
                dirs.append(Path(p))
    return dirs


def resolve(root: Path, current: Path, projects: dict[str, Project]) -> list[str]:
    """The workspace projects uv run installs: the current one (every one in a virtual workspace
    root), and the members their dependencies name. Fails naming each dependency that is neither
    a workspace member nor in the runner image."""
    root_sources = load_toml(root / "pyproject.toml").get("tool", {}).get("uv", {}).get("sources", {})
    start = [n for n, p in projects.items() if p.dir == current] or list(projects)
    needed: list[str] = []
    queue = list(start)
    while queue:
        name = queue.pop(0)
        if name in needed:
            continue
        needed.append(name)
        proj = projects[name]
        for spec in proj.deps:
            if not isinstance(spec, str):
                raise Fail(f"{proj.dir / 'pyproject.toml'}: dependency {spec!r} (include-group and tables are not supported)")
            try:
                req = Requirement(spec)
            except InvalidRequirement as e:
                raise Fail(f"{proj.dir / 'pyproject.toml'}: dependency {spec!r}: {e}") from None
            if req.marker is not None and not req.marker.evaluate():
                continue
            dep = canonicalize_name(req.name)
            source = {canonicalize_name(k): v for k, v in {**root_sources, **proj.sources}.items()}.get(dep)
            if dep in projects:
                if not (isinstance(source, dict) and source.get("workspace") is True):
                    raise Fail(
                        f"dependency `{spec}` of {proj.name} is a workspace member, but no [tool.uv.sources] "
                        f"entry `{req.name} = {{ workspace = true }}` says so: uv would look for it on the package index"
                    )
                member = projects[dep]
                if member.version is None or not req.specifier.contains(member.version, prereleases=True):
                    raise Fail(f"dependency `{spec}` of {proj.name}: workspace member {dep} has version {member.version}")
                queue.append(dep)
                continue
            if source is not None:
                raise Fail(f"dependency `{spec}` of {proj.name}: [tool.uv.sources] entry {source!r} is not supported by the stand-in")
            check_installed(spec, "dependency", f" of {proj.name}")
    return needed


def check_installed(spec: str, what: str, of: str) -> None:
    try:
        req = Requirement(spec)
    except InvalidRequirement as e:
        raise Fail(f"{what} {spec!r}{of}: {e}") from None
    try:
        version = metadata.version(req.name)
    except metadata.PackageNotFoundError:
        raise Fail(
            f"{what} `{spec}`{of} is neither a workspace member nor installed in the runner image "
            "(the stand-in has no package index; add its Debian package to .ci/runner-image)"
        ) from None
    if req.specifier and not req.specifier.contains(version, prereleases=True):
        raise Fail(f"{what} `{spec}`{of}: the runner image has {req.name} {version}")


def make_venv(root: Path) -> Path:
    venv = root / ".venv"
    if not (venv / "bin" / "python").exists():
        print(f"Creating virtual environment at: {venv.relative_to(root)}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    return venv


def install(venv: Path, projects: list[Project]) -> None:
    dirs = [str(p.dir) for p in projects if p.packaged]
    if not dirs:
        return
    cmd = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
           "--no-index", "--no-deps", "--no-build-isolation", "--force-reinstall", *dirs]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if res.returncode != 0:
        raise Fail(f"installing {', '.join(p.name for p in projects)} with pip failed:\n{res.stdout}", 1)
    names = ", ".join(f"{p.name}=={p.version}" for p in projects if p.packaged)
    print(f"Installed {len(dirs)} package(s) into {venv.name}: {names}", file=sys.stderr)


# --- uvx ----------------------------------------------------------------------------------------


def uvx(args: list[str]) -> int:
    if not args:
        raise Fail("no tool given: the stand-in supports twine, ruff and semgrep==X.Y.Z")
    tool, rest = args[0], args[1:]
    if tool == "twine":
        os.execvp("twine", ["twine", *rest])
    if tool == "ruff":
        return ruff(rest)
    if tool == "semgrep" or tool.startswith("semgrep"):
        m = re.fullmatch(r"semgrep==(\d+\.\d+\.\d+)", tool)
        if not m:
            raise Fail(f"{tool!r}: pin Semgrep to one release (semgrep==X.Y.Z), so its rules do not drift")
        return semgrep(m.group(1), rest)
    raise Fail(f"only `uvx twine`, `uvx ruff` and `uvx semgrep==X.Y.Z` are supported, not: uvx {' '.join(args)}")


# Ruff's default `exclude`.
RUFF_EXCLUDES = [
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints", ".mypy_cache",
    ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".svn", ".tox", ".venv",
    ".vscode", "__pypackages__", "_build", "buck-out", "build", "dist", "node_modules", "site-packages",
    "venv", "__pycache__",
]
# Settings about which files are read: the stand-in handles exclude and extend-exclude itself.
RUFF_UNSUPPORTED = ["extend", "include", "extend-include", "force-exclude", "per-file-ignores", "lint.per-file-ignores",
                    "extension", "cache-dir"]


def ruff_config(cwd: Path) -> tuple[Path | None, dict]:
    """The Ruff settings of the working folder, or else of its closest parent with some, as Ruff
    finds them: .ruff.toml, ruff.toml or pyproject.toml's [tool.ruff]."""
    for d in [cwd, *cwd.parents]:
        for name in (".ruff.toml", "ruff.toml"):
            if (d / name).is_file():
                return d / name, load_toml(d / name)
        p = d / "pyproject.toml"
        if p.is_file():
            data = load_toml(p)
            if "ruff" in data.get("tool", {}):
                settings = dict(data["tool"]["ruff"])
                rp = data.get("project", {}).get("requires-python", "")
                m = re.fullmatch(r"\s*>=\s*3\.(\d+)(\.\d+)?\s*", rp)
                if "target-version" not in settings and m:
                    settings["target-version"] = f"py3{m.group(1)}"
                return p, settings
    return None, {}


def has_ruff_config(d: Path) -> bool:
    if (d / "ruff.toml").is_file() or (d / ".ruff.toml").is_file():
        return True
    p = d / "pyproject.toml"
    return p.is_file() and "ruff" in load_toml(p).get("tool", {})


def ruff_files(cwd: Path, paths: list[str], config: Path | None, excludes: list[str]) -> list[Path]:
    def excluded(p: Path) -> bool:
        rel = p.relative_to(cwd).as_posix() if p.is_relative_to(cwd) else p.as_posix()
        return any(fnmatch.fnmatch(p.name, pat) or fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(rel, pat.rstrip("/") + "/*")
                   for pat in excludes)

    files: list[Path] = []
    for arg in paths or ["."]:
        p = (cwd / arg).resolve()
        if p.is_file():
            files.append(p)  # given by name: checked even when excluded, as Ruff does
            continue
        if not p.is_dir():
            raise Fail(f"{arg}: No such file or directory (os error 2)")
        for dirpath, dirnames, filenames in os.walk(p):
            d = Path(dirpath)
            dirnames[:] = sorted(n for n in dirnames if not excluded(d / n))
            if d != cwd and has_ruff_config(d):
                raise Fail(f"{d.relative_to(cwd)} has its own Ruff settings; the stand-in reads only {config or 'the defaults'}")
            files.extend(d / n for n in sorted(filenames) if n.endswith((".py", ".pyi")) and not excluded(d / n))
    return sorted(set(files))


def ruff(args: list[str]) -> int:
    if not args or args[0] not in ("check", "format"):
        raise Fail(f"only `uvx ruff check` and `uvx ruff format --check` are supported, not: uvx ruff {' '.join(args)}")
    mode, rest = args[0], args[1:]
    fmt, check_only, paths = "full", False, []
    i = 0
    while i < len(rest):
        a = rest[i]
        if mode == "check" and a.startswith("--output-format"):
            if a == "--output-format":
                if i + 1 >= len(rest):
                    raise Fail("ruff check: --output-format needs a value")
                fmt, i = rest[i + 1], i + 2
            else:
                fmt, i = a.split("=", 1)[1], i + 1
            if fmt not in ("github", "full", "concise"):
                raise Fail(f"ruff check: --output-format {fmt} is not supported by the stand-in (github, full, concise)")
        elif mode == "format" and a == "--check":
            check_only, i = True, i + 1
        elif a.startswith("-"):
            raise Fail(f"ruff {mode}: option {a} is not supported by the stand-in")
        else:
            paths.append(a)
            i += 1
    if mode == "format" and not check_only:
        raise Fail("ruff format: only --check is supported (the stand-in does not rewrite files)")

    cwd = Path.cwd()
    config, settings = ruff_config(cwd)
    flat = set(settings) | {f"lint.{k}" for k in settings.get("lint", {})}
    bad = sorted(flat & set(RUFF_UNSUPPORTED))
    if bad:
        raise Fail(f"{config}: Ruff setting(s) {', '.join(bad)} are not supported by the stand-in")
    excludes = list(settings.pop("exclude", RUFF_EXCLUDES)) + list(settings.pop("extend-exclude", []))
    lint = settings.get("lint", {})
    if not any(k in s for s in (settings, lint) for k in ("select",)):
        # The CLI's default rules; the WebAssembly build's own default is the playground's wider set.
        settings["lint"] = {**lint, "select": ["E4", "E7", "E9", "F"]}
    files = ruff_files(cwd, paths, config, excludes)
    request = {"mode": mode, "settings": settings, "files": [str(f) for f in files]}
    res = subprocess.run(["node", str(HERE / "ruff.js")], input=json.dumps(request), capture_output=True, text=True)
    if res.returncode != 0:
        sys.stderr.write(res.stderr)
        return 2
    answer = json.loads(res.stdout)["files"]

    def rel(f: str) -> str:
        return os.path.relpath(f, cwd)

    if mode == "format":
        changed = [f for f in request["files"] if answer[f].get("changed")]
        errors = [f for f in request["files"] if "error" in answer[f]]
        for f in errors:
            print(f"error: Failed to parse {rel(f)}: {answer[f]['error']}", file=sys.stderr)
        for f in changed:
            print(f"Would reformat: {rel(f)}")
        same = len(files) - len(changed) - len(errors)
        parts = []
        if changed:
            parts.append(f"{len(changed)} file{'s' if len(changed) != 1 else ''} would be reformatted")
        if same or not changed:
            parts.append(f"{same} file{'s' if same != 1 else ''} already formatted")
        print(", ".join(parts))
        return 2 if errors else (1 if changed else 0)

    found = 0
    fixable = 0
    for f in request["files"]:
        lines = None
        for d in sorted(answer[f], key=lambda d: (d["start"]["row"], d["start"]["column"], d["code"] or "")):
            found += 1
            fixable += d["fix"] is not None
            code = d["code"] or "invalid-syntax"
            row, col = d["start"]["row"], d["start"]["column"]
            erow, ecol = d["end"]["row"], d["end"]["column"]
            if fmt == "github":
                print(f"::error title=Ruff ({code}),file={f},line={row},col={col},endLine={erow},endColumn={ecol}::"
                      f"{rel(f)}:{row}:{col}: {code} {d['message']}")
            elif fmt == "concise":
                mark = " [*]" if d["fix"] is not None else ""
                print(f"{rel(f)}:{row}:{col}: {code}{mark} {d['message']}")
            else:
                if lines is None:
                    lines = Path(f).read_text(encoding="utf-8").splitlines()
                mark = " [*]" if d["fix"] is not None else ""
                width = len(str(erow))
                print(f"{code}{mark} {d['message']}")
                print(f"{' ' * width}--> {rel(f)}:{row}:{col}")
                print(f"{' ' * width} |")
                for r in range(row, min(erow, len(lines)) + 1):
                    print(f"{r:>{width}} | {lines[r - 1] if r - 1 < len(lines) else ''}")
                start = col - 1
                end = ecol - 1 if erow == row else len(lines[row - 1]) if row - 1 < len(lines) else start + 1
                print(f"{' ' * width} | {' ' * start}{'^' * max(1, end - start)}")
                print(f"{' ' * width} |")
                if d["fix"]:
                    print(f"help: {d['fix']}")
                print()
    if fmt != "github":
        if found:
            print(f"Found {found} error{'s' if found != 1 else ''}.")
            if fixable:
                print(f"[*] {fixable} fixable with the `--fix` option.")
        else:
            print("All checks passed!")
    return 1 if found else 0


def semgrep(version: str, args: list[str]) -> int:
    """Semgrep cannot be installed offline: reports SHIPKIT_STANDIN_SEMGREP_FINDINGS findings."""
    if not args or args[0] != "scan":
        raise Fail(f"semgrep=={version}: only `semgrep scan` is supported, not: {' '.join(args) or '(nothing)'}")
    configs: list[str] = []
    sarif, error, output, targets = False, False, None, []
    i, rest = 0, args[1:]
    while i < len(rest):
        a = rest[i]
        if a in ("--config", "-c", "--output", "-o"):
            if i + 1 >= len(rest) or not rest[i + 1]:
                raise Fail(f"semgrep scan: {a} needs a value")
            if a in ("--config", "-c"):
                configs.append(rest[i + 1])
            else:
                output = rest[i + 1]
            i += 2
        elif a.startswith("--config="):
            configs.append(a.split("=", 1)[1])
            i += 1
        elif a.startswith("--output="):
            output = a.split("=", 1)[1]
            i += 1
        elif a == "--sarif":
            sarif, i = True, i + 1
        elif a == "--error":
            error, i = True, i + 1
        elif a.startswith("-"):
            raise Fail(f"semgrep scan: option {a} is not supported by the stand-in")
        else:
            targets.append(a)
            i += 1
    if not configs:
        raise Fail("semgrep scan: no --config given (the stand-in does not fetch `auto` rules)")
    if not sarif:
        raise Fail("semgrep scan: only --sarif output is supported by the stand-in")
    for c in configs:
        if re.fullmatch(r"[pr]/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*", c):
            print(f"semgrep stand-in: ruleset {c} from the registry (not fetched offline)", file=sys.stderr)
        elif c == "auto":
            raise Fail("semgrep scan: --config auto needs the registry and metrics; name rulesets instead")
        elif not Path(c).exists():
            raise Fail(f"semgrep scan: --config {c}: no such rules file or folder")
    raw = os.environ.get("SHIPKIT_STANDIN_SEMGREP_FINDINGS", "0") or "0"
    if not raw.isdigit():
        raise Fail(f"SHIPKIT_STANDIN_SEMGREP_FINDINGS={raw!r}: want a number of findings")
    n = int(raw)
    roots = [Path(t) for t in targets] or [Path(".")]
    pyfiles = sorted(
        Path(dp, f)
        for r in roots
        for dp, dns, fs in os.walk(r)
        if not any(part in (".git", ".venv", "venv", "node_modules") for part in Path(dp).parts)
        for f in fs
        if f.endswith(".py")
    )
    if n and not pyfiles:
        raise Fail(f"SHIPKIT_STANDIN_SEMGREP_FINDINGS={n}, but the checkout has no .py file to point a finding at")
    results = []
    for k in range(n):
        f = pyfiles[k % len(pyfiles)]
        results.append({
            "ruleId": f"shipkit.standin.finding-{k + 1}",
            "level": "error",
            "message": {"text": f"stand-in finding {k + 1} (SHIPKIT_STANDIN_SEMGREP_FINDINGS)"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": f.as_posix(), "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 1, "startColumn": 1},
            }}],
        })
    doc = {
        "version": "2.1.0",
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json",
        "runs": [{
            "tool": {"driver": {"name": "Semgrep", "semanticVersion": version,
                                "rules": [{"id": r["ruleId"], "shortDescription": {"text": r["message"]["text"]}} for r in results]}},
            "results": results,
        }],
    }
    text = json.dumps(doc, indent=1) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    print(f"semgrep stand-in {version}: {len(configs)} config(s) on {len(pyfiles)} Python file(s): "
          f"{n} finding(s){f', SARIF in {output}' if output else ''}", file=sys.stderr)
    return 1 if (error and n) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
