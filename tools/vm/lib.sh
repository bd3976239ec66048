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

# Guest architectures, named like `uname -m`. Each has a kernel fragment
# (kernel-<arch>.config), a QEMU machine in `run` and, when it is not the
# host's, a meson cross file (cross/<arch>-linux-gnu.ini).
uvf_check_arch() {
    case $1 in
    x86_64|aarch64) ;;
    *) die "unknown architecture '$1' (x86_64 or aarch64)" ;;
    esac
}

# ARCH= for the kernel's make.
uvf_kernel_arch() {
    case $1 in x86_64) echo x86_64 ;; aarch64) echo arm64 ;; esac
}

# The kernel image `run` boots, as make builds it and as the cache holds it.
uvf_kernel_image() {
    case $1 in x86_64) echo arch/x86/boot/bzImage ;; aarch64) echo arch/arm64/boot/Image ;; esac
}

# The ELF machine name `readelf -h` prints for the architecture.
uvf_elf_machine() {
    case $1 in x86_64) echo X86-64 ;; aarch64) echo AArch64 ;; esac
}

# Debian's name for the architecture (dpkg, apt).
uvf_deb_arch() {
    case $1 in x86_64) echo amd64 ;; aarch64) echo arm64 ;; esac
}

# GNU triplet prefix of the cross tools for a guest architecture, empty when
# the host runs that architecture itself.
uvf_cross_prefix() {
    [ "$1" = "$(uname -m)" ] || echo "$1-linux-gnu-"
}
