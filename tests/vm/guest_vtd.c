/* SPDX-License-Identifier: MIT */
/*
 * guest_vtd - runs in the x86 tools/vm guest: the real intel-iommu side of
 * the VT-d cross-check (vtd_seq.h). edu (00:07.0) is opened through VFIO
 * type1 on QEMU's intel-iommu, which the guest kernel drives in legacy mode
 * (QEMU's default, x-scalable-mode=off, as on every intel row): the context
 * entry points at second-level tables. The shared sequence maps hugetlbfs
 * memory at fixed IOVAs with uvf_domain_map(); at each checkpoint the
 * kernel's tables are read from debugfs
 * (iommu/intel/0000:00:07.0/domain_translation_struct) and drawn without
 * their addresses (vtd_norm.h), and
 *
 *  - the tables must be --levels deep (3 for QEMU's default aw-bits=39,
 *    4 for aw-bits=48), and
 *  - the transcript must equal the software model's, run on the host with
 *    UVF_PGTABLE_VTD_SL4 (--model FILE, from tools/vm/run --host-output):
 *    the same entries present at every level, the same leaf sizes (the
 *    kernel builds 2 MiB superpages from type1 maps of 2 MiB-aligned
 *    memory, as the model does), the same R/W bits (a write-only type1 map
 *    is R|W in the kernel's table: the model runs with that option,
 *    vtd_seq.h), no snoop bit (QEMU's
 *    intel-iommu has no snoop control unless asked), the same tables in
 *    use after unmaps.
 *
 * usage: guest_vtd --type1 --levels 3|4 --model FILE [--raw N]
 * (--raw: also print the Nth checkpoint's debugfs text, for a test fixture)
 * Prints TAP; exits 0 pass, 1 fail, 77 skip (edu not on vfio-pci).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#include <uvf/device.h>
#include <uvf/iommu.h>
#include <uvf/vfio.h>

#include "guest_tap.h"
#include "vtd_norm.h"
#include "vtd_seq.h"
#include "xcheck.h"

#define EDU_BDF "0000:00:07.0"
#define DEBUGFS "/sys/kernel/debug"
#define DUMP DEBUGFS "/iommu/intel/" EDU_BDF "/domain_translation_struct"

struct kernel_draw {
	unsigned int depth;	/* of the deepest walk seen */
	unsigned int checkpoint;
	const char *raw;	/* number of the checkpoint to print, or NULL */
	FILE *transcript;
};

static int kernel_draw(void *ctx, FILE *out)
{
	struct kernel_draw *k = ctx;
	char *text = xcheck_read_file(DUMP), err[160];
	unsigned int depth;
	int ret;

	k->checkpoint++;
	if (!text) {
		fprintf(out, "error: reading %s: %s\n", DUMP, strerror(errno));
		return -EIO;
	}
	ret = vtd_norm_kernel(text, out, &depth, err, sizeof(err));
	if (ret)
		fprintf(out, "error: the kernel's table: %s\n", err);
	if (ret || (k->raw && (unsigned int)atoi(k->raw) == k->checkpoint))
		xcheck_diag_lines("raw ", text);
	if (depth > k->depth)
		k->depth = depth;
	free(text);
	return ret;
}

struct args {
	enum uvf_vfio_backend backend;
	unsigned int levels;
	const char *model, *raw;
};

static int parse_args(int argc, char **argv, struct args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		const char *o = argv[i] + strspn(argv[i], "-");

		if (!strcmp(o, "model") && i + 1 < argc)
			a->model = argv[++i];
		else if (!strcmp(o, "raw") && i + 1 < argc)
			a->raw = argv[++i];
		else if (!strcmp(o, "levels") && i + 1 < argc)
			a->levels = (unsigned int)atoi(argv[++i]);
		else if (uvf_vfio_backend_parse(o, &a->backend))
			return -EINVAL;
	}
	/* VFIO type1 only: the check is of the kernel's type1 map path. */
	return a->backend != UVF_VFIO_TYPE1 || !a->model ||
			       (a->levels != 3 && a->levels != 4) ?
		       -EINVAL : 0;
}

/* VTD_SEQ_MEM_SIZE of 2 MiB pages: 2 MiB-aligned output addresses. */
static void *huge_mem(void)
{
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "w");
	void *mem;

	if (!f)
		return NULL;
	fprintf(f, "%u\n", VTD_SEQ_MEM_SIZE / VTD_SEQ_MEM_ALIGN);
	if (fclose(f))
		return NULL;
	mem = mmap(NULL, VTD_SEQ_MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE,
		   -1, 0);
	return mem == MAP_FAILED ? NULL : mem;
}

int main(int argc, char **argv)
{
	struct uvf_vfio_opts o = { 0 };
	struct kernel_draw k = { 0 };
	struct vtd_snapshot snap = { kernel_draw, &k };
	struct uvf_iommu *iommu = NULL;
	struct uvf_domain *dom = NULL;
	struct uvf_device *dev = NULL;
	char *real = NULL, *model = NULL;
	size_t real_len = 0;
	struct args a;
	void *mem = NULL;
	FILE *out;
	unsigned int diff;
	int ret;

	if (parse_args(argc, argv, &a)) {
		fprintf(stderr, "usage: %s --type1 --levels 3|4 --model FILE "
			"[--raw N]\n", argv[0]);
		return 2;
	}
	k.raw = a.raw;
	if (access("/sys/bus/pci/drivers/vfio-pci/" EDU_BDF, F_OK)) {
		printf("1..0 # SKIP edu is not on vfio-pci\n");
		return 77;
	}
	model = xcheck_read_file(a.model);
	if (!tap(model != NULL, "the software model's transcript %s",
		 a.model))
		goto out;
	if (access(DEBUGFS "/iommu", F_OK) &&
	    mount("debugfs", DEBUGFS, "debugfs", 0, NULL))
		diag("mounting debugfs: %s", strerror(errno));
	mem = huge_mem();
	if (!tap(mem != NULL, "%u MiB of 2 MiB hugetlbfs pages",
		 VTD_SEQ_MEM_SIZE >> 20))
		goto out;

	o.backend = a.backend;
	ret = xcheck_vfio_domain(&o, EDU_BDF, &iommu, &dev, &dom);
	if (!tap(!ret, "type1 context, edu in a translated domain: %d", ret))
		goto down;
	if (!tap(!access(DUMP, R_OK), "intel-iommu's debugfs table dump %s",
		 DUMP))
		goto down;

	out = open_memstream(&real, &real_len);
	if (!tap(out != NULL, "a transcript buffer"))
		goto down;
	ret = vtd_seq_run(dom, mem, false, &snap, out);
	fclose(out);
	xcheck_diag_lines("", real ? real : "");
	tap(!ret, "the sequence ran to its end, every table read: %d", ret);
	tap(k.depth == a.levels,
	    "the kernel's second-level tables have %u levels (%u expected)",
	    k.depth, a.levels);
	diff = xcheck_compare(model, real ? real : "", stdout,
			      "# model/real ");
	tap(diff == 0,
	    "same entries, leaf sizes and rights as the software model at every checkpoint (%u lines differ)",
	    diff);
down:
	xcheck_vfio_close(iommu, dev, dom);
out:
	if (mem)
		munmap(mem, VTD_SEQ_MEM_SIZE);
	free(real);
	free(model);
	return tap_finish();
}
