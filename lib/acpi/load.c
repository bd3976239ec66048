/* SPDX-License-Identifier: MIT */
/*
 * Reading tables from files: /sys/firmware/acpi/tables/<SIG> by default,
 * or a dump (acpidump -b, a test fixture).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "table.h"
#include "util/fault.h"

#define ACPI_TABLES_DIR "/sys/firmware/acpi/tables"
#define ACPI_READ_CHUNK 65536u

static const char *const acpi_direct_sigs[] = { "DMAR", "IVRS", "IORT" };

static bool acpi_sig_known(const char *sig)
{
	size_t i;

	for (i = 0; i < sizeof(acpi_direct_sigs) / sizeof(acpi_direct_sigs[0]);
	     i++)
		if (!strcmp(sig, acpi_direct_sigs[i]))
			return true;
	return false;
}

/* Reads until @want bytes are in or the file ends; returns bytes read. */
static ssize_t acpi_read_full(int fd, uint8_t *buf, size_t want)
{
	size_t got = 0;

	while (got < want) {
		ssize_t n = uvf_fault_sys(EIO);

		if (n)
			return n;
		n = read(fd, buf + got, want - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/*
 * sysfs table files report no useful size to stat(), so read the header,
 * then up to the length it declares. The buffer grows with the data that
 * actually arrives: a corrupt length field must not make us allocate 4 GiB
 * for a file of a few bytes.
 */
static int acpi_read_table(const char *path, uint8_t **bufp, size_t *lenp)
{
	uint8_t *buf, *nb;
	size_t cap = ACPI_HDR_LEN, len, want;
	ssize_t n;
	int fd, ret;

	ret = uvf_fault_sys(EIO);
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		ret = -ENOMEM;
		goto err_close;
	}
	n = acpi_read_full(fd, buf, ACPI_HDR_LEN);
	if (n < 0) {
		ret = (int)n;
		goto err_free;
	}
	len = (size_t)n;
	want = len == ACPI_HDR_LEN ?
	       acpi_get32(buf + ACPI_HDR_LENGTH_OFF) : len;

	while (len < want) {
		size_t step = want - len < ACPI_READ_CHUNK ?
			      want - len : ACPI_READ_CHUNK;

		nb = realloc(buf, len + step);
		if (!nb) {
			ret = -ENOMEM;
			goto err_free;
		}
		buf = nb;
		n = acpi_read_full(fd, buf + len, step);
		if (n < 0) {
			ret = (int)n;
			goto err_free;
		}
		len += (size_t)n;
		if ((size_t)n < step)
			break;
	}
	close(fd);
	*bufp = buf;
	*lenp = len;
	return 0;

err_free:
	free(buf);
err_close:
	close(fd);
	return ret;
}

int uvf_acpi_load(const char *signature, const char *path,
		  uvf_acpi_path_resolver resolve, void *arg,
		  struct uvf_direct_regions *out)
{
	char def[PATH_MAX];
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	if (!signature || !out)
		return -EINVAL;
	if (!acpi_sig_known(signature))
		return -EPROTONOSUPPORT;
	if (!path) {
		ret = snprintf(def, sizeof(def), ACPI_TABLES_DIR "/%s",
			       signature);
		if (ret < 0 || (size_t)ret >= sizeof(def))
			return -ENAMETOOLONG;
		path = def;
	}

	ret = acpi_read_table(path, &buf, &len);
	if (ret)
		return ret;
	if (len >= 4 && memcmp(buf, signature, 4))
		ret = -EPROTO;
	else
		ret = uvf_acpi_parse(buf, len, resolve, arg, out);
	free(buf);
	return ret;
}

int uvf_acpi_load_system(const char *root, struct uvf_direct_regions *out)
{
	struct uvf_direct_regions all = { 0 };
	char path[PATH_MAX];
	size_t i;
	int ret;

	if (!out)
		return -EINVAL;
	if (!root)
		root = ACPI_TABLES_DIR;
	for (i = 0; i < sizeof(acpi_direct_sigs) / sizeof(acpi_direct_sigs[0]);
	     i++) {
		ret = snprintf(path, sizeof(path), "%s/%s", root,
			       acpi_direct_sigs[i]);
		if (ret < 0 || (size_t)ret >= sizeof(path)) {
			ret = -ENAMETOOLONG;
			goto out;
		}
		ret = uvf_acpi_load(acpi_direct_sigs[i], path, NULL, NULL,
				    &all);
		if (ret == -ENOENT)
			continue;
		if (ret)
			goto out;
	}
	ret = uvf_acpi_regions_append(out, &(struct acpi_collect){
		.v = all.v, .nr = all.nr, .nr_unresolved = all.nr_unresolved,
		.nr_skipped = all.nr_skipped });
out:
	uvf_direct_regions_fini(&all);
	return ret;
}
