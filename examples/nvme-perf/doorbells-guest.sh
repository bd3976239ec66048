#!/bin/sh
# Runs INSIDE the tools/vm guest (busybox sh), never on a host: it rebinds
# the guest's NVMe controller. uvf's NVMe driver with SQ tail doorbells per
# command and batched, shadow doorbells off and on, then the kernel's nvme
# driver (O_DIRECT on /dev/nvme0n1), all on one workload list: 4 KiB random
# reads at QD1 and QD32, 128 KiB sequential reads at QD4. The two doorbell
# modes share each run, in alternating 100 ms slices on one queue pair
# (--doorbell alternate), so a slow spell of a shared host hits them alike;
# shadow doorbells off and on are separate runs, ROUNDS times, every second
# round the other way round (--swap). One JSON line per mode and run on
# stdout.
#
# usage: doorbells-guest.sh BACKEND [SECONDS [ROUNDS]]   (BACKEND: type1|iommufd|noiommu)
set -u
BACKEND=${1:-type1}
SECS=${2:-10}
ROUNDS=${3:-3}

[ -f /uvf/.run ] || { echo "doorbells-guest.sh: not in the tools/vm guest" >&2; exit 2; }
# shellcheck source=examples/nvme-perf/guest-lib.sh
. /uvf/guest-lib.sh

rc=0
# Each workload ROUNDS times: uvf in its four modes, or the kernel driver.
workload_rounds --alternate --device $BDF --backend "$BACKEND" --doorbell alternate --shadow-doorbells both
to_kernel_driver || exit 1
workload_rounds --kernel /dev/nvme0n1
exit $rc
