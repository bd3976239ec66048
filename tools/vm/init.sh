#!/bin/sh
# /init of the uvf test guest (busybox ash). Never runs on the host: it binds
# PCI devices of the *emulated* machine to vfio-pci.
#
# Per-run settings come from /uvf/.env (written by mkinitramfs):
#   UVF_BIND=1|0    hand the emulated test devices to vfio-pci, or leave them
#                   on their kernel drivers (nvme, e1000e)
#   UVF_BIND_IDS    vendor:device ids to hand over
# and the program to run is /uvf/.run. Its exit code is reported as
# "UVF-RESULT: <code>" on the console; the host's tools/vm/run parses that.

PATH=/bin
export PATH HOME=/root TERM=dumb

/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null   # may already be automounted
# The initial console may be missing from the initramfs; devtmpfs has it now.
exec </dev/console >/dev/console 2>&1
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/hugepages && mount -t hugetlbfs hugetlbfs /dev/hugepages 2>/dev/null
mkdir -p /var/run                   # DPDK's EAL keeps its runtime files there

finish() {
    dmesg -n 1                      # keep kernel messages out of the marker line
    echo
    echo "UVF-RESULT: $1"
    sync
    poweroff -f
    sleep 10                        # poweroff -f does not return; be sure
}

UVF_BIND=1
UVF_BIND_IDS="1b36:0010 8086:10d3 1234:11e8"   # QEMU nvme, e1000e, edu
# shellcheck disable=SC1091  # written per run by mkinitramfs
[ -f /uvf/.env ] && . /uvf/.env

is_test_device() {
    _id="$(cat "$1/vendor"):$(cat "$1/device")"
    _id=$(echo "$_id" | sed 's/0x//g')
    for _want in $UVF_BIND_IDS; do [ "$_id" = "$_want" ] && return 0; done
    return 1
}

# Before any driver module loads, so nvme/e1000e never grab the devices;
# built-in drivers already did, so release those.
claim_for_vfio() {
    for d in /sys/bus/pci/devices/*; do
        is_test_device "$d" || continue
        echo vfio-pci >"$d/driver_override"
        if [ -e "$d/driver" ] && [ "$(basename "$(readlink "$d/driver")")" != vfio-pci ]; then
            echo "${d##*/}" >"$d/driver/unbind"
        fi
    done
}

probe_unbound() {
    for d in /sys/bus/pci/devices/*; do
        is_test_device "$d" || continue
        [ -e "$d/driver" ] || echo "${d##*/}" >/sys/bus/pci/drivers_probe 2>/dev/null ||
            echo "uvf-init: no driver accepted ${d##*/}"
    done
}

# Stock kernel: its drivers are modules. busybox insmod does not read
# "module.param=value" from the kernel command line the way modprobe does.
load_modules() {
    [ -f /lib/modules/order ] || return 0
    # shellcheck disable=SC2013  # one module name per line, no spaces
    for m in $(cat /lib/modules/order); do
        params=
        # shellcheck disable=SC2013  # the command line is space-separated words
        for w in $(cat /proc/cmdline); do
            case $w in "$m".*=*) params="$params ${w#"$m".}" ;; esac
        done
        # shellcheck disable=SC2086
        insmod "/lib/modules/$m.ko" $params || echo "uvf-init: insmod $m failed"
    done
}

[ "$UVF_BIND" = 1 ] && claim_for_vfio
load_modules
[ "$UVF_BIND" = 1 ] && probe_unbound

if [ -x /uvf/.run ]; then
    cd /uvf || finish 1
    /uvf/.run
    finish $?
else
    echo "uvf-init: no program to run (/uvf/.run missing)"
    finish 1
fi
