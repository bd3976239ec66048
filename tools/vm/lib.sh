# Shared helpers for the tools/vm scripts; sourced, not executed.
# shellcheck shell=bash

# shellcheck disable=SC2034  # used by the scripts that source this
UVF_VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { printf 'uvf-vm: %s\n' "$*" >&2; }
die() { printf 'uvf-vm: error: %s\n' "$*" >&2; exit 1; }

# The cache survives across runs (kernel build takes minutes); fall back to a
# per-user cache when the system-wide one is not writable (non-root users).
uvf_cache_dir() {
    local dir=${UVF_VM_CACHE:-/var/cache/uvf-vm}
    if ! mkdir -p "$dir" 2>/dev/null || [ ! -w "$dir" ]; then
        [ -z "${UVF_VM_CACHE:-}" ] || die "cache dir $dir is not writable"
        dir=${XDG_CACHE_HOME:-$HOME/.cache}/uvf-vm
        mkdir -p "$dir" || die "cannot create cache dir $dir"
    fi
    printf '%s\n' "$dir"
}

# Serialise builders of one cache entry (parallel meson runs, two shells):
# holds an exclusive lock on fd 9 until the calling script exits.
uvf_lock() {
    exec 9>"$1.lock"
    flock 9
}

# Short content hash of stdin, for cache keys.
sha_of() { sha256sum | cut -c1-16; }
