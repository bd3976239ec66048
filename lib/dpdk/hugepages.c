// SPDX-License-Identifier: MIT
/* Hugepages for EAL: enough free default-size pages before rte_eal_init(). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <uvf/dpdk.h>

/* A "Name:   value" line of /proc/meminfo, or -1. */
static long meminfo(const char *name)
{
	char line[128];
	size_t n = strlen(name);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':') {
			if (sscanf(line + n + 1, "%ld", &v) != 1)
				v = -1;
			break;
		}
	fclose(f);
	return v;
}

static int set_pool(long pages)
{
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "w");
	int ret = 0;

	if (!f)
		return errno == ENOENT ? -ENOTSUP : -errno;
	if (fprintf(f, "%ld\n", pages) < 0)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

int uvf_dpdk_hugepages_reserve(unsigned int count)
{
	long total = meminfo("HugePages_Total");
	long avail = meminfo("HugePages_Free");
	int ret;

	if (total < 0 || avail < 0)
		return -ENOTSUP;
	if (avail >= (long)count)
		return 0;
	/* Raise the pool by the shortfall only: pages others hold stay theirs. */
	ret = set_pool(total + (long)count - avail);
	if (ret)
		return ret;
	if (meminfo("HugePages_Free") >= (long)count)
		return 0;
	/* Part of it is no use to the caller: give the memory back. */
	set_pool(total);
	return -ENOMEM;
}
