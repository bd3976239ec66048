#!/bin/sh
# Sourced by the nvme-perf guest scripts INSIDE the tools/vm guest: the
# guest's controller and nvme-perf, the workloads the scripts share, running
# them ROUNDS times each, and handing the controller to the kernel's nvme
# driver.
BDF=0000:00:04.0
PERF=/uvf/nvme-perf
# 4 KiB random reads at QD1 and QD32, 128 KiB sequential reads at QD4.
WORKLOADS="randread:4096:1 randread:4096:32 read:131072:4"

# Each of $WORKLOADS $ROUNDS times, $SECS seconds a run, through nvme-perf
# with the arguments given (uvf or the kernel driver); a run that fails
# sets rc=1. --alternate first (uvf runs of "both" pairs): every second
# round passes --swap, so each mode of a pair runs first as often as
# second.
# shellcheck disable=SC2034 # rc is the sourcing script's exit status
workload_rounds() { # [--alternate] nvme-perf-arguments...
    swap=
    if [ "${1:-}" = --alternate ]; then
        swap=--swap
        shift
    fi
    for w in $WORKLOADS; do
        IFS=: read -r rw bs qd <<EOW
$w
EOW
        round=0
        while [ $round -lt "$ROUNDS" ]; do
            round=$((round + 1))
            flag=
            [ $((round % 2)) -eq 0 ] && flag=$swap
            # shellcheck disable=SC2086 # the flag, or no word at all
            $PERF "$@" $flag \
                --rw "$rw" --bs "$bs" --qd "$qd" --time "$SECS" \
                --json || rc=1
        done
    done
}

# Hand the controller at $BDF from vfio-pci to the kernel's nvme driver and
# wait for /dev/nvme0n1.
to_kernel_driver() {
    dev=/sys/bus/pci/devices/$BDF
    echo nvme >"$dev/driver_override"
    echo "$BDF" >"$dev/driver/unbind"
    echo "$BDF" >/sys/bus/pci/drivers_probe
    i=0
    while [ ! -b /dev/nvme0n1 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    [ -b /dev/nvme0n1 ] || { echo "$0: no /dev/nvme0n1" >&2; return 1; }
}
