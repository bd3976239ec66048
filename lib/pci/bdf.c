// SPDX-License-Identifier: MIT
/* PCI addresses: "DDDD:BB:DD.F" as sysfs names devices. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <uvf/pci.h>

/* Reads between @min and @max hex digits; returns how many, or 0. */
static size_t bdf_hex(const char *s, size_t min, size_t max, unsigned int *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < max; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			break;
		*v = *v << 4 | d;
	}
	return i >= min ? i : 0;
}

int uvf_pci_bdf_parse(const char *s, char out[UVF_PCI_BDF_LEN])
{
	unsigned int domain = 0, bus, dev, fn;
	const char *p = s;
	size_t n;

	if (!s)
		return -EINVAL;
	/* With a domain the first field runs to the first of two colons. */
	if (strchr(s, ':') != strrchr(s, ':')) {
		n = bdf_hex(p, 4, 8, &domain);
		if (!n || p[n] != ':')
			return -EINVAL;
		p += n + 1;
	}
	n = bdf_hex(p, 2, 2, &bus);
	if (!n || p[n] != ':')
		return -EINVAL;
	p += n + 1;
	n = bdf_hex(p, 2, 2, &dev);
	if (!n || p[n] != '.' || dev > 0x1f)
		return -EINVAL;
	p += n + 1;
	if (p[0] < '0' || p[0] > '7' || p[1] != '\0')
		return -EINVAL;
	fn = (unsigned int)(p[0] - '0');
	snprintf(out, UVF_PCI_BDF_LEN, "%04x:%02x:%02x.%u", domain, bus, dev,
		 fn);
	return 0;
}
