"""Every .mod file a folder holds (default: those NEURON's wheel ships, share/modfile and
share/nrn/demo/release): does nrnivmodl compile it, does `ranvier mod check` accept it.

    python3 validation/realworld/mod_check.py [--dir DIR ...] [--table results/FILE.md]

Each file is compiled alone by nrnivmodl in a scratch folder (with the other files of its
folder beside it for INCLUDEs), then checked alone by Ranvier.
"""
import argparse
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


def nrnivmodl_ok(path):
    scratch = tempfile.mkdtemp(prefix="ranvier_modcheck_")
    try:
        folder = os.path.dirname(path)
        for f in os.listdir(folder):
            if not f.endswith(".mod"):
                src = os.path.join(folder, f)
                if os.path.isfile(src):
                    shutil.copy(src, scratch)
        shutil.copy(path, scratch)
        r = subprocess.run(["nrnivmodl"], cwd=scratch, capture_output=True, text=True)
        return r.returncode == 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", action="append", default=None)
    p.add_argument("--ranvier", default=os.path.join(ROOT, "target", "release", "ranvier"))
    p.add_argument("--table", default=None)
    a = p.parse_args()
    dirs = a.dir or wheel_dirs()
    rows = []
    for d in dirs:
        for f in sorted(os.listdir(d)):
            if not f.endswith(".mod"):
                continue
            path = os.path.join(d, f)
            nrn = nrnivmodl_ok(path)
            r = subprocess.run([a.ranvier, "mod", "check", path], capture_output=True, text=True)
            err = next((l for l in (r.stdout + r.stderr).splitlines() if l.startswith("error")), "")
            ok = r.returncode == 0 and not err
            rows.append((os.path.basename(d) + "/" + f, "yes" if nrn else "no", "yes" if ok else "no",
                         err.replace("|", "\\|")))
            print(f"{f:20s} nrnivmodl {'ok' if nrn else 'FAIL'}  ranvier {'ok' if ok else err}")
    n = len(rows)
    print(f"{sum(r[1] == 'yes' for r in rows)}/{n} compile in NEURON, {sum(r[2] == 'yes' for r in rows)}/{n} pass ranvier mod check")
    if a.table:
        with open(a.table, "w") as f:
            f.write("| file | nrnivmodl | ranvier mod check | first error |\n|---|---|---|---|\n")
            for row in rows:
                f.write("| " + " | ".join(row) + " |\n")


if __name__ == "__main__":
    sys.exit(main())
