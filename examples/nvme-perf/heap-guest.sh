#!/bin/sh
# Runs INSIDE the tools/vm guest (busybox sh), never on a host. uvf's NVMe
# driver with I/O buffers mapped per command against DMA heap buffers
# (nvme-perf --mem both: map, then heap, one process): 4 KiB random reads
# at QD1 and QD32, 128 KiB sequential reads at QD4. Then the split-I/O
# overhead: 1 MiB sequential reads at QD1 on heap buffers, one command per
# I/O (the controller's MDTS allows 1 MiB) against eight 128 KiB child
# commands (--max-xfer 128K). Each ROUNDS times, alternating. One JSON line
# per run on stdout.
#
# usage: heap-guest.sh BACKEND [SECONDS [ROUNDS]]   (BACKEND: type1|iommufd|noiommu)
set -u
BACKEND=${1:-type1}
SECS=${2:-5}
ROUNDS=${3:-2}

[ -f /uvf/.run ] || { echo "heap-guest.sh: not in the tools/vm guest" >&2; exit 2; }
# shellcheck source=examples/nvme-perf/guest-lib.sh
. /uvf/guest-lib.sh

rc=0
workload_rounds --alternate --device $BDF --backend "$BACKEND" --mem both
round=0
while [ $round -lt "$ROUNDS" ]; do
    round=$((round + 1))
    # Nothing: MDTS (1 MiB with mdts=8); then 128 KiB per command.
    for xfer in "" "--max-xfer 131072"; do
        # shellcheck disable=SC2086
        $PERF --device $BDF --backend "$BACKEND" --mem heap --rw read \
            --bs 1048576 --qd 1 --size 64M $xfer --time "$SECS" \
            --json || rc=1
    done
done
exit $rc
