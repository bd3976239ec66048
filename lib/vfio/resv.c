/* SPDX-License-Identifier: MIT */
/*
 * Reserved regions of an IOMMU group, as the kernel prints them in
 * /sys/kernel/iommu_groups/N/reserved_regions: one "0x<start> 0x<end>
 * <type>" line per region, end inclusive. The kernel prints both hardware
 * and software MSI windows as "msi".
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfio_priv.h"

static int resv_type(const char *s, enum uvf_resv_type *t)
{
	static const struct {
		const char *name;
		enum uvf_resv_type type;
	} types[] = {
		{ "direct", UVF_RESV_DIRECT },
		{ "direct-relaxable", UVF_RESV_DIRECT_RELAXABLE },
		{ "reserved", UVF_RESV_RESERVED },
		{ "msi", UVF_RESV_MSI },
		{ "sw-msi", UVF_RESV_SW_MSI },
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (!strcmp(s, types[i].name)) {
			*t = types[i].type;
			return 0;
		}
	}
	return -EINVAL;
}

/* One line; -EINVAL when it is not "0x<hex> 0x<hex> <type>". */
static int parse_line(const char *line, struct uvf_resv_region *r)
{
	unsigned long long first, last;
	char type[24];
	int n = 0;

	if (sscanf(line, " 0x%llx 0x%llx %23s %n", &first, &last, type,
		   &n) != 3 || line[n] || first > last)
		return -EINVAL;
	*r = (struct uvf_resv_region){ .first = first, .last = last };
	if (resv_type(type, &r->type))
		return -EINVAL;
	/* Direct regions are identity-mapped read-write by the kernel. */
	r->prot = UVF_PROT_RW;
	return 0;
}

int vfio_resv_parse(const char *text, struct uvf_resv_region *out,
		    size_t max)
{
	size_t n = 0;
	int ret;

	while (*text) {
		const char *eol = strchr(text, '\n');
		size_t len = eol ? (size_t)(eol - text) : strlen(text);
		char line[128];

		if (len >= sizeof(line))
			return -EINVAL;
		memcpy(line, text, len);
		line[len] = '\0';
		text += len + (eol ? 1 : 0);
		if (!line[strspn(line, " \t")])
			continue;
		if (n == max)
			return -E2BIG;
		ret = parse_line(line, &out[n]);
		if (ret)
			return ret;
		n++;
	}
	return (int)n;
}

int vfio_resv_read(const char *sysfs_root, int group,
		   struct uvf_resv_region *out, size_t max)
{
	char path[PATH_MAX], *text = NULL;
	size_t cap = 0, len = 0;
	FILE *f;
	int ret;

	if (group < 0)
		return 0;
	if (snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%d/"
		     "reserved_regions", sysfs_root, group) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	for (;;) {
		size_t got;

		if (cap - len < 512) {
			char *t = realloc(text, cap + 4096);

			if (!t) {
				free(text);
				fclose(f);
				return -ENOMEM;
			}
			text = t;
			cap += 4096;
		}
		got = fread(text + len, 1, cap - len - 1, f);
		len += got;
		if (!got)
			break;
	}
	ret = ferror(f) ? -EIO : 0;
	fclose(f);
	if (!ret) {
		text[len] = '\0';
		ret = vfio_resv_parse(text, out, max);
	}
	free(text);
	return ret;
}
