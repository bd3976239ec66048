/* SPDX-License-Identifier: MIT */
/*
 * uvf-pgtable: build an I/O address space from a script of maps and
 * unmaps, then draw it with uvf_domain_dump().
 *
 * usage: uvf-pgtable [--format vtd-sl4|vtd-sl5|amd-v1|arm-lpae-s1]
 *                    [--output text|dot|svg|json] [--out FILE]
 *                    [--direct FIRST-LAST]... [--reserved FIRST-LAST]...
 *                    [--script FILE] [--vfio BDF] [STEP...]
 *
 * STEP: map IOVA LEN [r|w|rw] | unmap IOVA LEN | touch IOVA [r|w]; an unmap
 * removes one whole earlier map. Options and steps may be mixed.
 *
 * On the software model (the default) the domain's page table is drawn in
 * the chosen hardware format; --direct adds a firmware direct region (an
 * RMRR) for the device, identity-mapped at attach; --reserved an MSI
 * window; touch makes the device read (write) an IOVA, which fills the
 * IOTLB. With --vfio the steps run on the VFIO domain of device BDF and
 * the drawing lists its mappings and reserved regions (the kernel's
 * tables cannot be read). --output svg pipes the DOT drawing through
 * Graphviz's dot. Exit status: 0, 1 (a step or the drawing failed), 2
 * (bad usage).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uvf-pgtable.h"

#define RID 0x0010	/* 00:02.0 */
#define MAX_REGIONS 16

struct opts {
	int format;
	int form;		/* uvf_dump_form */
	bool svg;
	const char *out, *script, *vfio;
	struct uvf_direct_region direct[MAX_REGIONS];
	struct uvf_resv_region resv[MAX_REGIONS];
	size_t ndirect, nresv;
};

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "uvf-pgtable: %s '%s'; see --help.\n", what, arg);
	return 2;
}

static void help(void)
{
	puts("usage: uvf-pgtable [--format vtd-sl4|vtd-sl5|amd-v1|arm-lpae-s1]\n"
	     "                   [--output text|dot|svg|json] [--out FILE]\n"
	     "                   [--direct FIRST-LAST]... [--reserved FIRST-LAST]...\n"
	     "                   [--script FILE] [--vfio BDF] [STEP...]\n"
	     "STEP: map IOVA LEN [r|w|rw] | unmap IOVA LEN | touch IOVA [r|w]\n"
	     "numbers: 0x1000, 4096, 4K, 2M, 1G");
}

static int add_region(struct opts *o, int c, const char *arg)
{
	uvf_iova_t first, last;

	if (pgt_parse_range(arg, &first, &last))
		return usage_error("not a range FIRST-LAST", arg);
	if ((c == 'd' ? o->ndirect : o->nresv) == MAX_REGIONS)
		return usage_error("too many regions at", arg);
	if (c == 'd')
		o->direct[o->ndirect++] = (struct uvf_direct_region){
			.source = UVF_DIRECT_DMAR_RMRR, .rid_first = RID,
			.rid_last = RID, .first = first, .last = last,
			.prot = UVF_PROT_RW };
	else
		o->resv[o->nresv++] = (struct uvf_resv_region){
			.first = first, .last = last, .type = UVF_RESV_MSI };
	return 0;
}

static int parse_output(struct opts *o, const char *arg)
{
	o->svg = !strcmp(arg, "svg");
	o->form = o->svg ? UVF_DUMP_DOT : uvf_dump_form_by_name(arg);
	return o->form < 0 ? usage_error("unknown output", arg) : 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'O' },
		{ "out", required_argument, NULL, 'o' },
		{ "direct", required_argument, NULL, 'd' },
		{ "reserved", required_argument, NULL, 'r' },
		{ "script", required_argument, NULL, 's' },
		{ "vfio", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret = 0;

	while (!ret && (c = getopt_long(argc, argv, "f:O:o:d:r:s:v:h", lo,
					NULL)) != -1) {
		switch (c) {
		case 'f':
			o->format = uvf_pgtable_format_by_name(optarg);
			if (o->format < 0)
				ret = usage_error("unknown format", optarg);
			break;
		case 'O':
			ret = parse_output(o, optarg);
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'd':
		case 'r':
			ret = add_region(o, c, optarg);
			break;
		case 's':
			o->script = optarg;
			break;
		case 'v':
			o->vfio = optarg;
			break;
		case 'h':
			help();
			exit(0);
		default:
			return 2;
		}
	}
	return ret;
}

static int setup_sim(const struct opts *o, struct uvf_iommu **iommu,
		     struct pgt_session *s)
{
	struct uvf_direct_regions fw = { .v = (struct uvf_direct_region *)
						      o->direct,
					 .nr = o->ndirect };
	struct uvf_sim_iommu_params p;
	int ret;

	uvf_sim_iommu_params_default(&p, (enum uvf_pgtable_format)o->format);
	p.direct = &fw;
	p.resv = o->resv;
	p.nr_resv = o->nresv;
	if ((ret = uvf_sim_iommu_create(&p, iommu)))
		return ret;
	if ((ret = uvf_domain_create(*iommu, UVF_DOMAIN_TRANSLATED, &s->dom)) ||
	    (ret = uvf_sim_dmaengine_create(*iommu, 0, RID, &s->dev)))
		return ret;
	return uvf_domain_attach(s->dom, s->dev);
}

static int setup_vfio(const struct opts *o, struct uvf_iommu **iommu,
		      struct pgt_session *s)
{
	struct uvf_vfio_opts vo = { 0 };
	struct uvf_device *dev;
	int ret;

	if ((ret = uvf_vfio_open(&vo, iommu)) ||
	    (ret = uvf_vfio_device_open(*iommu, o->vfio, &dev)))
		return ret;
	if ((ret = uvf_domain_create(*iommu, UVF_DOMAIN_TRANSLATED, &s->dom))) {
		uvf_device_close(dev);
		return ret;
	}
	/* Kept for teardown; steps see no device: touch is model-only. */
	s->dev = dev;
	return uvf_domain_attach(s->dom, dev);
}

static void teardown(struct uvf_iommu *iommu, struct pgt_session *s)
{
	if (s->dom && s->dev)
		uvf_domain_detach(s->dom, s->dev);
	uvf_domain_destroy(s->dom);
	uvf_device_close(s->dev);
	uvf_iommu_destroy(iommu);
	pgt_session_fini(s);
}

/* Whether @name is an executable file in $PATH. */
static bool in_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[4096];

	while (path && *path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name);
		if (n && access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/* Pipes the DOT drawing through dot -Tsvg into @fd. */
static int draw_svg(struct uvf_domain *dom, int fd)
{
	int pfd[2], status, ret;
	FILE *w;
	pid_t pid;

	if (pipe(pfd))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		dup2(pfd[0], 0);
		dup2(fd, 1);
		close(pfd[0]);
		close(pfd[1]);
		execlp("dot", "dot", "-Tsvg", (char *)NULL);
		_exit(127);
	}
	close(pfd[0]);
	w = fdopen(pfd[1], "w");
	if (!w) {
		close(pfd[1]);
		ret = -errno;
	} else {
		ret = uvf_domain_dump(dom, UVF_DUMP_DOT, w);
		fclose(w);
	}
	if (waitpid(pid, &status, 0) < 0 ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		return ret ? ret : -EPIPE;
	return ret;
}

static int draw(const struct opts *o, struct uvf_domain *dom)
{
	int fd = 1, ret;
	FILE *f = stdout;

	if (o->out) {
		fd = open(o->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || !(f = fdopen(fd, "w"))) {
			fprintf(stderr, "uvf-pgtable: cannot write %s: %s.\n",
				o->out, strerror(errno));
			return 1;
		}
	}
	ret = o->svg ? draw_svg(dom, fd) : uvf_domain_dump(dom, o->form, f);
	if (o->out && fclose(f) && !ret)
		ret = -errno;
	if (ret)
		fprintf(stderr, "uvf-pgtable: drawing the domain failed: %s.\n",
			strerror(-ret));
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .format = UVF_PGTABLE_VTD_SL4 };
	struct pgt_session s = { 0 };
	struct uvf_iommu *iommu = NULL;
	char **words = NULL;
	int n = 0, ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;
	if (o.svg && !in_path("dot")) {
		fprintf(stderr, "uvf-pgtable: SVG is drawn by Graphviz's dot, "
			"which is not installed (apt-get install graphviz).\n");
		return 1;
	}
	if (o.script && (n = pgt_read_script(o.script, &words)) < 0) {
		fprintf(stderr, "uvf-pgtable: cannot read script %s: %s.\n",
			o.script, strerror(-n));
		return 2;
	}
	ret = o.vfio ? setup_vfio(&o, &iommu, &s) : setup_sim(&o, &iommu, &s);
	if (ret) {
		fprintf(stderr, "uvf-pgtable: setting up the %s failed: %s.\n",
			o.vfio ? "VFIO device" : "software IOMMU",
			strerror(-ret));
		ret = 1;
	}
	if (!ret) {
		struct uvf_device *dev = s.dev;

		if (o.vfio)
			s.dev = NULL;	/* touch is for the model only */
		ret = pgt_run_steps(&s, words, n);
		if (!ret)
			ret = pgt_run_steps(&s, argv + optind, argc - optind);
		s.dev = dev;
	}
	if (!ret)
		ret = draw(&o, s.dom);
	teardown(iommu, &s);
	while (n > 0)
		free(words[--n]);
	free(words);
	return ret;
}
