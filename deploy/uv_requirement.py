"""Print the pip requirement of the uv that uv.lock pins, with the hashes of its files,
for `pip install --require-hashes --no-deps -r`: the bootstrap of `make install`, .ci/run
(through make) and the Dockerfile. Standard library only (it runs before any install)."""

import sys
import tomllib
from pathlib import Path

lock = Path(sys.argv[1] if len(sys.argv) > 1 else "uv.lock")
packages = tomllib.loads(lock.read_text(encoding="utf-8"))["package"]
uv = next(p for p in packages if p["name"] == "uv")
files = [*uv.get("wheels", []), *([uv["sdist"]] if "sdist" in uv else [])]
print(f"uv=={uv['version']} " + " ".join(f"--hash={f['hash']}" for f in files))
