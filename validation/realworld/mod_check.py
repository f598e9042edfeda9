"""Every .mod file a folder holds (default: those NEURON's wheel ships, share/modfile and
share/nrn/demo/release): does nrnivmodl compile it, does `ranvier mod check` accept it.

    python3 validation/realworld/mod_check.py [--dir DIR ...] [--table results/FILE.md]
    python3 validation/realworld/mod_check.py --modeldb ROOT [--table ...] [--folder-table ...]

Each file is compiled alone by nrnivmodl in a scratch folder (with the include files of
its folder beside it), then checked alone by Ranvier. With --modeldb, every folder under
ROOT/<id>/ that holds .mod files is also built whole, as shipped (`nrnivmodl` in a copy of
the folder; `ranvier mod check FOLDER`), which is what a user of the model does.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def wheel_dirs():
    import neuron

    share = os.path.join(os.path.dirname(neuron.__file__), ".data", "share")
    return [os.path.join(share, "modfile"), os.path.join(share, "nrn", "demo", "release")]


CACHE = os.path.join(os.environ.get("RANVIER_REALWORLD", os.path.expanduser("~/.cache/ranvier-realworld")),
                     "nrnivmodl_cache.json")


def cached(key_parts, compute):
    """NEURON's verdict on a file or folder does not change between runs: cache it by the
    content of what was compiled."""
    key = hashlib.sha256("\0".join(key_parts).encode()).hexdigest()
    try:
        with open(CACHE) as f:
            cache = json.load(f)
    except (OSError, ValueError):
        cache = {}
    if key in cache:
        return cache[key]
    value = compute()
    try:
        with open(CACHE) as f:
            cache = json.load(f)
    except (OSError, ValueError):
        cache = {}
    cache[key] = value
    os.makedirs(os.path.dirname(CACHE), exist_ok=True)
    with open(CACHE + ".tmp", "w") as f:
        json.dump(cache, f)
    os.replace(CACHE + ".tmp", CACHE)
    return value


def contents(paths):
    out = []
    for p in sorted(paths):
        try:
            with open(p, "rb") as f:
                out.append(os.path.basename(p) + ":" + hashlib.sha256(f.read()).hexdigest())
        except OSError:
            pass
    return out


def nrnivmodl_ok(path):
    folder = os.path.dirname(path)
    incs = [os.path.join(folder, f) for f in os.listdir(folder) if f.endswith((".inc", ".h"))]
    return cached(["file"] + contents([path] + incs), lambda: _nrnivmodl_ok(path))


def _nrnivmodl_ok(path):
    scratch = tempfile.mkdtemp(prefix="ranvier_modcheck_")
    try:
        folder = os.path.dirname(path)
        for f in os.listdir(folder):
            if f.endswith((".inc", ".h")):
                src = os.path.join(folder, f)
                if os.path.isfile(src):
                    shutil.copy(src, scratch)
        shutil.copy(path, scratch)
        r = subprocess.run(["nrnivmodl"], cwd=scratch, capture_output=True, text=True)
        return r.returncode == 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def folder_ok(folder):
    """nrnivmodl of the whole folder, in a copy of it (as a user builds the model)."""
    files = [os.path.join(folder, f) for f in os.listdir(folder)
             if f.endswith((".mod", ".inc", ".h", ".c", ".cpp"))]
    return cached(["folder"] + contents(files), lambda: _folder_ok(folder))


def _folder_ok(folder):
    scratch = tempfile.mkdtemp(prefix="ranvier_modfolder_")
    try:
        for f in os.listdir(folder):
            src = os.path.join(folder, f)
            if os.path.isfile(src) and f.endswith((".mod", ".inc", ".h", ".c", ".cpp")):
                shutil.copy(src, scratch)
        r = subprocess.run(["nrnivmodl"], cwd=scratch, capture_output=True, text=True)
        return r.returncode == 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def mod_folders(root):
    out = []
    for model in sorted(os.listdir(root), key=lambda x: int(x) if x.isdigit() else 0):
        for d, _, files in sorted(os.walk(os.path.join(root, model))):
            if any(f.endswith(".mod") for f in files):
                out.append(d)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", action="append", default=None)
    p.add_argument("--modeldb", default=None, help="a folder of ModelDB models, one subfolder per id")
    p.add_argument("--ranvier", default=os.path.join(ROOT, "target", "release", "ranvier"))
    p.add_argument("--table", default=None)
    p.add_argument("--folder-table", default=None)
    a = p.parse_args()
    dirs = a.dir or (mod_folders(a.modeldb) if a.modeldb else wheel_dirs())
    rows = []
    paths = [os.path.join(d, f) for d in dirs for f in sorted(os.listdir(d)) if f.endswith(".mod")]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        verdicts = list(pool.map(nrnivmodl_ok, paths))
    for path, nrn in zip(paths, verdicts):
        d, f = os.path.dirname(path), os.path.basename(path)
        r = subprocess.run([a.ranvier, "mod", "check", path], capture_output=True, text=True)
        err = next((l for l in (r.stdout + r.stderr).splitlines() if l.startswith("error")), "")
        ok = r.returncode == 0 and not err
        label = os.path.relpath(path, a.modeldb) if a.modeldb else os.path.basename(d) + "/" + f
        rows.append((label, "yes" if nrn else "no", "yes" if ok else "no", err.replace("|", "\\|")))
        print(f"{f:20s} nrnivmodl {'ok' if nrn else 'FAIL'}  ranvier {'ok' if ok else err}")
    n = len(rows)
    print(f"{sum(r[1] == 'yes' for r in rows)}/{n} compile in NEURON, {sum(r[2] == 'yes' for r in rows)}/{n} pass ranvier mod check")
    if a.table:
        with open(a.table, "w") as f:
            f.write(f"{sum(r[1] == 'yes' for r in rows)}/{n} files compile in NEURON alone, "
                    f"{sum(r[2] == 'yes' for r in rows)}/{n} pass `ranvier mod check`, "
                    f"{sum(r[1] == 'yes' and r[2] == 'yes' for r in rows)} of the "
                    f"{sum(r[1] == 'yes' for r in rows)} that NEURON compiles.\n\n")
            f.write("| file | nrnivmodl | ranvier mod check | first error |\n|---|---|---|---|\n")
            for row in rows:
                f.write("| " + " | ".join(row) + " |\n")
    if a.modeldb:
        frows = []
        for d in dirs:
            nrn = folder_ok(d)
            r = subprocess.run([a.ranvier, "mod", "check", d], capture_output=True, text=True)
            ok = r.returncode == 0
            frows.append((os.path.relpath(d, a.modeldb), "yes" if nrn else "no", "yes" if ok else "no"))
            print(f"folder {frows[-1][0]:30s} nrnivmodl {frows[-1][1]} ranvier {frows[-1][2]}")
        m = len(frows)
        summary = (f"{sum(r[1] == 'yes' for r in frows)}/{m} folders build whole in NEURON, "
                   f"{sum(r[2] == 'yes' for r in frows)}/{m} load whole in Ranvier")
        print(summary)
        if a.folder_table:
            with open(a.folder_table, "w") as f:
                f.write(summary + ".\n\n| folder | nrnivmodl (whole folder) | ranvier mod check (whole folder) |\n|---|---|---|\n")
                for row in frows:
                    f.write("| " + " | ".join(row) + " |\n")


if __name__ == "__main__":
    sys.exit(main())
