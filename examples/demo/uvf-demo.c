/* SPDX-License-Identifier: MIT */
/*
 * uvf-demo: the dma_map_page flow end to end on the software IOMMU model.
 *
 *   1. firmware direct regions (ACPI DMAR/IVRS/IORT) are identity-mapped
 *      when the device's domain is created, before any request;
 *   2. a driver maps buffers: translated domain -> IOVA allocated, page
 *      table written in the chosen hardware format, IOVA returned;
 *   3. the simulated DMA engine copies through the IOMMU; data verified;
 *   4. a copy to an unmapped IOVA faults, and memory stays untouched;
 *   5. a direct (passthrough) domain returns the CPU address, no tables;
 *   6. what it leaves behind: the page table drawn (text, Graphviz DOT,
 *      SVG when Graphviz's dot is installed) while the buffers were
 *      mapped, and the whole flow as a Chrome trace-event file, in DIR.
 *
 * usage: uvf-demo [--format vtd-sl4|vtd-sl5|amd-v1|arm-lpae-s1]
 *                 [--acpi-dir DIR] [--out-dir DIR] [--quiet]
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <uvf/uvf.h>

#define RID_DMA0 0x0010	/* 00:02.0 */
#define RID_DMA1 0x0018	/* 00:03.0 */
#define BUF_LEN (3 * 4096 + 512)

static const struct uvf_direct_region example_rmrr = {
	.source = UVF_DIRECT_DMAR_RMRR,
	.rid_first = RID_DMA0,
	.rid_last = RID_DMA0,
	.first = 0xe0000,
	.last = 0xfffff,
	.prot = UVF_PROT_RW,
};

static void step(const char *what)
{
	printf("\n== %s\n", what);
	fflush(stdout);
}

static int die(const char *what, int err)
{
	fprintf(stderr, "uvf-demo: %s failed: %s\n", what, strerror(-err));
	return 1;
}

static int load_firmware(const char *dir, struct uvf_direct_regions *fw)
{
	int ret = uvf_acpi_load_system(dir, fw);

	if (ret)
		return ret;
	printf("ACPI tables in %s: %zu direct region(s)\n",
	       dir ? dir : "/sys/firmware/acpi/tables", fw->nr);
	if (fw->nr)
		return 0;
	/* No DMAR/IVRS/IORT on this machine: describe one RMRR the way a
	 * firmware would, so the direct-mapping step is still shown. */
	printf("none here: using an example RMRR [%#llx-%#llx] for 00:02.0\n",
	       (unsigned long long)example_rmrr.first,
	       (unsigned long long)example_rmrr.last);
	fw->v = malloc(sizeof(example_rmrr));
	if (!fw->v)
		return -ENOMEM;
	fw->v[0] = example_rmrr;
	fw->nr = 1;
	return 0;
}

struct outputs {
	const char *dir;
	char trace[PATH_MAX], text[PATH_MAX], dot[PATH_MAX], svg[PATH_MAX];
	bool own_trace;		/* not UVF_TRACE's file */
	bool have_svg;
};

/* The trace file, unless UVF_TRACE already names one. */
static int open_outputs(struct outputs *o)
{
	const char *env = getenv("UVF_TRACE");
	char spec[PATH_MAX + 8];
	int ret;

	if (mkdir(o->dir, 0755) && errno != EEXIST)
		return -errno;
	snprintf(o->text, sizeof(o->text), "%s/pgtable.txt", o->dir);
	snprintf(o->dot, sizeof(o->dot), "%s/pgtable.dot", o->dir);
	snprintf(o->svg, sizeof(o->svg), "%s/pgtable.svg", o->dir);
	snprintf(o->trace, sizeof(o->trace), "%s/trace.json", o->dir);
	if (env && (!strncmp(env, "json:", 5) || !strncmp(env, "chrome:", 7))) {
		snprintf(o->trace, sizeof(o->trace), "%s", strchr(env, ':') + 1);
		return 0;
	}
	snprintf(spec, sizeof(spec), "json:%s", o->trace);
	ret = uvf_trace_open(spec);
	o->own_trace = !ret;
	return ret;
}

static int draw_to(struct uvf_domain *dom, enum uvf_dump_form form,
		   const char *path)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	ret = uvf_domain_dump(dom, form, f);
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

/* Text and DOT drawings of @dom; SVG from the DOT one if dot runs. */
static int draw_domain(struct uvf_domain *dom, struct outputs *o)
{
	char *argv[] = { "dot", "-Tsvg", "-o", o->svg, o->dot, NULL };
	extern char **environ;
	int ret, status;
	pid_t pid;

	if ((ret = draw_to(dom, UVF_DUMP_TEXT, o->text)) ||
	    (ret = draw_to(dom, UVF_DUMP_DOT, o->dot)))
		return ret;
	o->have_svg = !posix_spawnp(&pid, "dot", NULL, NULL, argv, environ) &&
		      waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		      !WEXITSTATUS(status);
	return 0;
}

static void print_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];

	while (f && fgets(line, sizeof(line), f))
		fputs(line, stdout);
	if (f)
		fclose(f);
}

static uint64_t reg(struct uvf_device *dev, uint64_t off)
{
	uint64_t v = 0;

	uvf_device_bar_read(dev, 0, off, &v, 8);
	return v;
}

static uint64_t engine_copy(struct uvf_device *dev, uvf_iova_t src,
			    uvf_iova_t dst, uint64_t len)
{
	uvf_device_bar_write(dev, 0, UVF_SIM_DMAE_REG_SRC, src, 8);
	uvf_device_bar_write(dev, 0, UVF_SIM_DMAE_REG_DST, dst, 8);
	uvf_device_bar_write(dev, 0, UVF_SIM_DMAE_REG_LEN, len, 8);
	uvf_device_bar_write(dev, 0, UVF_SIM_DMAE_REG_CTRL,
			     UVF_SIM_DMAE_CTRL_START | UVF_SIM_DMAE_CTRL_IRQ, 8);
	return reg(dev, UVF_SIM_DMAE_REG_STATUS);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "acpi-dir", required_argument, NULL, 'a' },
		{ "out-dir", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct outputs out = { .dir = "uvf-demo-out" };
	struct uvf_direct_regions fw = { 0 };
	struct uvf_sim_iommu_params p;
	struct uvf_iommu *iommu;
	struct uvf_domain *dom, *direct;
	struct uvf_device *dev, *dev1;
	struct uvf_fault flt;
	const char *acpi_dir = NULL;
	int fmt = UVF_PGTABLE_VTD_SL4, c, ret;
	bool quiet = false;
	uvf_iova_t src_iova, dst_iova, addr;
	char *src, *dst;

	while ((c = getopt_long(argc, argv, "f:a:o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			fmt = uvf_pgtable_format_by_name(optarg);
			if (fmt < 0) {
				fprintf(stderr, "uvf-demo: unknown format '%s'.\n",
					optarg);
				return 2;
			}
			break;
		case 'a':
			acpi_dir = optarg;
			break;
		case 'o':
			out.dir = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			puts("usage: uvf-demo [--format vtd-sl4|vtd-sl5|amd-v1|"
			     "arm-lpae-s1] [--acpi-dir DIR] [--out-dir DIR] "
			     "[--quiet]");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "uvf-demo: unexpected argument '%s'.\n",
			argv[optind]);
		return 2;
	}
	ret = open_outputs(&out);
	if (ret)
		return die("creating the output directory", ret);
	if (!quiet)
		uvf_trace_enable(true);

	step("1. IOMMU init: firmware direct regions");
	ret = load_firmware(acpi_dir, &fw);
	if (ret)
		return die("reading the ACPI tables", ret);
	uvf_sim_iommu_params_default(&p, (enum uvf_pgtable_format)fmt);
	p.direct = &fw;
	ret = uvf_sim_iommu_create(&p, &iommu);
	if (ret)
		return die("creating the software IOMMU", ret);
	printf("software IOMMU %s\n", uvf_iommu_name(iommu));

	step("2. domain for 00:02.0: direct regions mapped before any request");
	if ((ret = uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom)) ||
	    (ret = uvf_sim_dmaengine_create(iommu, 0, RID_DMA0, &dev)) ||
	    (ret = uvf_domain_attach(dom, dev)))
		return die("setting up the domain", ret);
	ret = uvf_sim_translate(dev, example_rmrr.first, UVF_ACCESS_READ, &addr);
	if (fw.v[0].first == example_rmrr.first)
		printf("device reads iova %#llx -> physical %#llx (identity)\n",
		       (unsigned long long)example_rmrr.first,
		       ret ? 0ull : (unsigned long long)addr);

	step("3. driver maps buffers: uvf_dma_map_page()");
	src = aligned_alloc(4096, 4 * 4096);
	dst = aligned_alloc(4096, 4 * 4096);
	if (!src || !dst)
		return die("allocating buffers", -ENOMEM);
	for (c = 0; c < BUF_LEN; c++)
		src[c + 100] = (char)(c * 7 + 1);
	memset(dst, 0, 4 * 4096);
	if ((ret = uvf_dma_map_page(dev, src + 100, BUF_LEN, UVF_DMA_TO_DEVICE,
				    &src_iova)) ||
	    (ret = uvf_dma_map_page(dev, dst + 200, BUF_LEN,
				    UVF_DMA_FROM_DEVICE, &dst_iova)))
		return die("uvf_dma_map_page", ret);
	printf("src %p -> iova %#llx, dst %p -> iova %#llx\n",
	       (void *)(src + 100), (unsigned long long)src_iova,
	       (void *)(dst + 200), (unsigned long long)dst_iova);

	step("4. the DMA engine copies through the IOMMU");
	uvf_device_irq_enable(dev, UVF_IRQ_MSI, 1);
	if (engine_copy(dev, src_iova, dst_iova, BUF_LEN) !=
	    UVF_SIM_DMAE_STATUS_DONE)
		return die("the DMA copy", -EIO);
	printf("copy %s, completion MSI %s\n",
	       memcmp(src + 100, dst + 200, BUF_LEN) ? "CORRUPT" : "verified",
	       uvf_device_irq_wait(dev, 0, 1000) > 0 ? "received" : "missing");

	step("5. a copy to an unmapped IOVA is blocked");
	memset(dst, 0x5a, 4 * 4096);
	printf("engine status: %s\n",
	       engine_copy(dev, src_iova, 0x7000000000ull, 64) ==
			       UVF_SIM_DMAE_STATUS_FAULT ? "fault" : "no fault");
	while (uvf_sim_iommu_fault_pop(iommu, &flt) == 0)
		printf("fault log: rid %02x:%02x.%x iova %#llx %s: %s\n",
		       flt.rid >> 8, (flt.rid >> 3) & 0x1f, flt.rid & 7,
		       (unsigned long long)flt.iova,
		       flt.access == UVF_ACCESS_WRITE ? "write" : "read",
		       uvf_fault_reason_name(flt.reason));
	printf("memory %s\n", dst[0] == 0x5a ? "untouched" : "CHANGED");
	/* Drawn now, while the buffers are mapped and in the IOTLB. */
	ret = draw_domain(dom, &out);
	if (ret)
		return die("drawing the page table", ret);

	step("6. unmap: page-table entries cleared, IOTLB invalidated");
	uvf_dma_unmap_page(dev, src_iova, BUF_LEN, UVF_DMA_TO_DEVICE);
	uvf_dma_unmap_page(dev, dst_iova, BUF_LEN, UVF_DMA_FROM_DEVICE);

	step("7. a direct (passthrough) domain: no page-table work");
	if ((ret = uvf_domain_create(iommu, UVF_DOMAIN_DIRECT, &direct)) ||
	    (ret = uvf_sim_dmaengine_create(iommu, 0, RID_DMA1, &dev1)) ||
	    (ret = uvf_domain_attach(direct, dev1)) ||
	    (ret = uvf_dma_map_page(dev1, src, 4096, UVF_DMA_TO_DEVICE, &addr)))
		return die("the direct domain", ret);
	printf("cpu %p -> device address %#llx\n", (void *)src,
	       (unsigned long long)addr);

	uvf_trace_enable(false);
	if (out.own_trace && (ret = uvf_trace_close()))
		return die("writing the trace", ret);

	step("8. seeing the flow: the page table while the buffers were mapped");
	if (!quiet)
		print_file(out.text);
	printf("page table, text:     %s\n", out.text);
	printf("page table, Graphviz: %s\n", out.dot);
	if (out.have_svg)
		printf("page table, SVG:      %s\n", out.svg);
	else
		printf("page table, SVG:      not drawn (Graphviz's dot is not "
		       "installed: apt-get install graphviz)\n");
	printf("trace (Chrome trace events; open in https://ui.perfetto.dev): "
	       "%s\n", out.trace);
	uvf_device_close(dev1);
	uvf_device_close(dev);
	uvf_domain_destroy(direct);
	uvf_domain_destroy(dom);
	uvf_iommu_destroy(iommu);
	uvf_direct_regions_fini(&fw);
	free(src);
	free(dst);
	printf("\ndemo finished\n");
	return 0;
}
