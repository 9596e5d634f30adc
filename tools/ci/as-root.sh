# Sourced by tools/demo and tools/test: re-runs the calling script as root through sudo when it is not root
# already (fresh Debian images have no sudo when you are root, and need it when you are not).
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        exec sudo -E "$(readlink -f "$0")" "$@"
    fi
    echo "$(basename "$0"): needs root (packages, BPF, cgroups): run it as root, or install sudo" >&2
    exit 1
fi
