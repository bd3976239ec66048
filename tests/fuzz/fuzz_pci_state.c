/* SPDX-License-Identifier: MIT */
/*
 * The bind-state file (lib/pci/state.c, lib/pci/json.c) read from
 * fuzzer-made bytes. A file that opens must hold sane records, and must
 * survive a save and a reopen record for record; one that does not must
 * fail with -EBADMSG (or -EFBIG) and leak nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <uvf/pci.h>
#include <uvf/pci_state.h>

#include "fuzz_common.h"

#define STATE_FILE_MAX (1u << 20)

static char state_path[256];

/* tmpfs when there is one: the save path fsyncs. */
static void make_state_dir(void)
{
	static const char *const bases[] = { "/dev/shm", "/tmp" };
	char dir[200];
	size_t i;

	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/uvf-fuzz-state-XXXXXX",
			 bases[i]);
		if (mkdtemp(dir)) {
			snprintf(state_path, sizeof(state_path), "%s/state",
				 dir);
			return;
		}
	}
	FUZZ_CHECK(0, "no temporary directory");
}

static void write_file(const uint8_t *data, size_t size)
{
	int fd = open(state_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		      0600);
	size_t done = 0;

	FUZZ_CHECK(fd >= 0, "open %s", state_path);
	while (done < size) {
		ssize_t w = write(fd, data + done, size - done);

		FUZZ_CHECK(w > 0, "write %s", state_path);
		done += (size_t)w;
	}
	close(fd);
}

static void check_records(const struct uvf_pci_state *s)
{
	size_t i, n = uvf_pci_state_count(s);

	for (i = 0; i < n; i++) {
		const char *bdf, *drv, *ovr;
		char canon[UVF_PCI_BDF_LEN];

		FUZZ_CHECK(uvf_pci_state_get(s, i, &bdf, &drv, &ovr) == 0,
			   "record %zu of %zu", i, n);
		FUZZ_CHECK(bdf && uvf_pci_bdf_parse(bdf, canon) == 0 &&
			   !strcmp(bdf, canon), "record %zu bdf", i);
		FUZZ_CHECK(uvf_pci_state_find(s, bdf) == (int)i,
			   "record %zu (%s) found elsewhere", i, bdf);
		FUZZ_CHECK(!drv || drv[0], "record %zu empty driver", i);
		FUZZ_CHECK(!ovr || ovr[0], "record %zu empty override", i);
	}
	FUZZ_CHECK(uvf_pci_state_get(s, n, &(const char *){ 0 },
				     &(const char *){ 0 },
				     &(const char *){ 0 }) < 0,
		   "record past the end");
}

static bool same_string(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void check_same(const struct uvf_pci_state *a,
		       const struct uvf_pci_state *b)
{
	size_t i, n = uvf_pci_state_count(a);

	FUZZ_CHECK(uvf_pci_state_count(b) == n, "%zu records became %zu", n,
		   uvf_pci_state_count(b));
	for (i = 0; i < n; i++) {
		const char *b1, *d1, *o1, *b2, *d2, *o2;

		uvf_pci_state_get(a, i, &b1, &d1, &o1);
		uvf_pci_state_get(b, i, &b2, &d2, &o2);
		FUZZ_CHECK(!strcmp(b1, b2) && same_string(d1, d2) &&
			   same_string(o1, o2), "record %zu (%s) changed", i,
			   b1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uvf_pci_state *s = NULL, *again = NULL;
	int ret;

	if (!state_path[0])
		make_state_dir();
	if (size > STATE_FILE_MAX)
		return 0;
	write_file(data, size);
	ret = uvf_pci_state_open(state_path, &s);
	if (ret) {
		FUZZ_CHECK(ret == -EBADMSG || ret == -EFBIG,
			   "unexpected return %d", ret);
		return 0;
	}
	check_records(s);
	FUZZ_CHECK(uvf_pci_state_save(s) == 0, "save");
	FUZZ_CHECK(uvf_pci_state_open(state_path, &again) == 0,
		   "saved file does not open");
	check_same(s, again);
	uvf_pci_state_free(again);
	uvf_pci_state_free(s);
	return 0;
}
