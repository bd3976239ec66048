/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/device.h>
#include <uvf/iommu.h>

#include "xcheck.h"

/* The next line of @s (without its newline), advancing @s. */
static size_t next_line(const char **s, const char **line)
{
	const char *nl;
	size_t len;

	*line = *s;
	nl = strchr(*s, '\n');
	len = nl ? (size_t)(nl - *s) : strlen(*s);
	*s += nl ? len + 1 : len;
	return len;
}

unsigned int xcheck_compare(const char *a, const char *b, FILE *diag,
			    const char *prefix)
{
	unsigned int diff = 0;
	const char *la, *lb;
	size_t na, nb;

	while (*a || *b) {
		bool ha = *a, hb = *b;

		na = next_line(&a, &la);
		nb = next_line(&b, &lb);
		if (ha && hb && na == nb && !memcmp(la, lb, na))
			continue;
		diff++;
		if (!diag)
			continue;
		if (ha)
			fprintf(diag, "%s-%.*s\n", prefix, (int)na, la);
		if (hb)
			fprintf(diag, "%s+%.*s\n", prefix, (int)nb, lb);
	}
	return diff;
}

void xcheck_diag_lines(const char *prefix, const char *text)
{
	const char *nl;

	while (*text) {
		nl = strchr(text, '\n');
		if (!nl)
			nl = text + strlen(text);
		printf("# %s%.*s\n", prefix, (int)(nl - text), text);
		text = *nl ? nl + 1 : nl;
	}
	fflush(stdout);
}

char *xcheck_read_file(const char *path)
{
	FILE *f = fopen(path, "r"), *m;
	char *buf = NULL, chunk[4096];
	size_t len = 0, n;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	if (m) {
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, n, m);
		fclose(m);
	}
	fclose(f);
	return buf;
}

int xcheck_vfio_domain(const struct uvf_vfio_opts *o, const char *bdf,
		       struct uvf_iommu **iommu, struct uvf_device **dev,
		       struct uvf_domain **dom)
{
	int ret = uvf_vfio_open(o, iommu);

	if (!ret)
		ret = uvf_vfio_device_open(*iommu, bdf, dev);
	if (!ret)
		ret = uvf_domain_create(*iommu, UVF_DOMAIN_TRANSLATED, dom);
	if (!ret)
		ret = uvf_domain_attach(*dom, *dev);
	return ret;
}

void xcheck_vfio_close(struct uvf_iommu *iommu, struct uvf_device *dev,
		       struct uvf_domain *dom)
{
	if (dom && dev)
		uvf_domain_detach(dom, dev);
	uvf_domain_destroy(dom);
	uvf_device_close(dev);
	uvf_iommu_destroy(iommu);
}
