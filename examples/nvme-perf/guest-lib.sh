#!/bin/sh
# Sourced by the nvme-perf guest scripts INSIDE the tools/vm guest: hand
# the controller at $BDF from vfio-pci to the kernel's nvme driver and wait
# for /dev/nvme0n1.
to_kernel_driver() {
    dev=/sys/bus/pci/devices/$BDF
    echo nvme >"$dev/driver_override"
    echo "$BDF" >"$dev/driver/unbind"
    echo "$BDF" >/sys/bus/pci/drivers_probe
    i=0
    while [ ! -b /dev/nvme0n1 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    [ -b /dev/nvme0n1 ] || { echo "$0: no /dev/nvme0n1" >&2; return 1; }
}
