/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vtd_norm.h"

#define VTD_R (1ull << 0)	/* DMA_PTE_READ */
#define VTD_W (1ull << 1)	/* DMA_PTE_WRITE */
#define VTD_PS (1ull << 7)	/* DMA_PTE_LARGE_PAGE */
#define VTD_SNP (1ull << 11)	/* DMA_PTE_SNP */
#define MAX_LEVEL 5

static const char *const prot_names[] = { "--", "r-", "-w", "rw" };
static const char *const size_names[] = { "", "4K", "2M", "1G", "512G",
					   "256T" };

/* The drawing being written: the table entries already drawn (a leaf's
 * walk repeats them) and the run of leaves not yet written. */
struct norm {
	FILE *out;
	uint64_t table_first[MAX_LEVEL + 1];
	bool table_drawn[MAX_LEVEL + 1];
	bool run_open;
	unsigned int run_level, run_count;
	uint64_t run_first, run_next;
	int run_prot;
	bool run_snp;
	unsigned int line;	/* of the dump, for errors */
	char *err;
	size_t errlen;
};

static uint64_t level_size(unsigned int level)
{
	return 1ull << (12 + 9 * (level - 1));
}

static int fail(struct norm *n, const char *fmt, ...)
{
	va_list ap;
	int len = snprintf(n->err, n->errlen, "line %u: ", n->line);

	va_start(ap, fmt);
	if (len >= 0 && (size_t)len < n->errlen)
		vsnprintf(n->err + len, n->errlen - (size_t)len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void flush_run(struct norm *n)
{
	if (!n->run_open)
		return;
	fprintf(n->out, "L%u leaf %s x%u iova 0x%llx-0x%llx %s%s\n",
		n->run_level, size_names[n->run_level], n->run_count,
		(unsigned long long)n->run_first,
		(unsigned long long)n->run_next - 1, prot_names[n->run_prot],
		n->run_snp ? " snp" : "");
	n->run_open = false;
}

static void draw_table(struct norm *n, unsigned int level, uint64_t first,
		       int prot)
{
	if (n->table_drawn[level] && n->table_first[level] == first)
		return;
	flush_run(n);
	n->table_drawn[level] = true;
	n->table_first[level] = first;
	fprintf(n->out, "L%u table iova 0x%llx-0x%llx %s\n", level,
		(unsigned long long)first,
		(unsigned long long)(first + level_size(level) - 1),
		prot_names[prot]);
}

static void draw_leaves(struct norm *n, unsigned int level, uint64_t first,
			unsigned int count, int prot, bool snp)
{
	if (n->run_open && n->run_level == level && n->run_next == first &&
	    n->run_prot == prot && n->run_snp == snp) {
		n->run_count += count;
		n->run_next += count * level_size(level);
		return;
	}
	flush_run(n);
	n->run_open = true;
	n->run_level = level;
	n->run_first = first;
	n->run_next = first + count * level_size(level);
	n->run_count = count;
	n->run_prot = prot;
	n->run_snp = snp;
}

static int entry_prot(uint64_t e)
{
	return (int)(e & (VTD_R | VTD_W));
}

/* One leaf line: "0x<IOVA_PFN> |" then the entries on the walk, PML5E
 * first; the walk ends at the leaf. */
static int kernel_leaf(struct norm *n, const char *line, unsigned int *depth)
{
	uint64_t path[MAX_LEVEL + 1] = { 0 }, iova;
	unsigned long long pfn;
	unsigned int cols = 0, leaf, d, l;
	const char *p;
	char *end;
	int used = 0;

	if (sscanf(line, "0x%llx |%n", &pfn, &used) != 1 || !used)
		return fail(n, "not a leaf line: '%.60s'", line);
	for (p = line + used; *p && cols < MAX_LEVEL; cols++) {
		path[MAX_LEVEL - cols] = strtoull(p, &end, 16);
		if (end == p || strncmp(p + strspn(p, " \t"), "0x", 2))
			return fail(n, "entry %u is not a hex value", cols + 1);
		p = end + strspn(end, " \t");
	}
	if (*p || cols < 3)
		return fail(n, "%u entries on a leaf line, 3 to 5 expected",
			    cols);
	leaf = MAX_LEVEL + 1 - cols;
	d = path[5] ? 5 : path[4] ? 4 : 3;
	if (*depth && *depth != d)
		return fail(n, "a %u-level walk after %u-level ones", d, *depth);
	*depth = d;
	iova = (uint64_t)pfn << 12;
	if (leaf > d || iova & (level_size(leaf) - 1))
		return fail(n, "a level-%u leaf at IOVA 0x%llx", leaf,
			    (unsigned long long)iova);
	for (l = d; l > leaf; l--) {
		if (!entry_prot(path[l]) || path[l] & VTD_PS)
			return fail(n, "level-%u entry 0x%llx is not a table",
				    l, (unsigned long long)path[l]);
		draw_table(n, l, iova & ~(level_size(l) - 1),
			   entry_prot(path[l]));
	}
	if (!entry_prot(path[leaf]) || !(path[leaf] & VTD_PS) != (leaf == 1))
		return fail(n, "level-%u entry 0x%llx is not a leaf", leaf,
			    (unsigned long long)path[leaf]);
	draw_leaves(n, leaf, iova, 1, entry_prot(path[leaf]),
		    path[leaf] & VTD_SNP);
	return 0;
}

/* The next line of @s into @buf (cut to its size), advancing @s. */
static const char *next_line(const char **s, char *buf, size_t len)
{
	const char *nl;
	size_t n;

	if (!**s)
		return NULL;
	nl = strchr(*s, '\n');
	n = nl ? (size_t)(nl - *s) : strlen(*s);
	snprintf(buf, len, "%.*s", (int)n, *s);
	*s += nl ? n + 1 : n;
	return buf;
}

static void norm_init(struct norm *n, FILE *out, char *err, size_t errlen)
{
	memset(n, 0, sizeof(*n));
	n->out = out;
	n->err = err;
	n->errlen = errlen;
	if (errlen)
		err[0] = '\0';
}

int vtd_norm_kernel(const char *dump, FILE *out, unsigned int *depth,
		    char *err, size_t errlen)
{
	struct norm n;
	char line[512];
	bool device = false, header = false;
	int ret;

	norm_init(&n, out, err, errlen);
	*depth = 0;
	while (next_line(&dump, line, sizeof(line))) {
		n.line++;
		if (!device) {
			if (strncmp(line, "Device ", 7) || !strstr(line, " @0x"))
				return fail(&n, "no 'Device ... @0x<table>' "
					    "line: '%.60s'", line);
			device = true;
		} else if (!header) {
			if (strncmp(line, "IOVA_PFN", 8))
				return fail(&n, "no 'IOVA_PFN ...' header");
			header = true;
		} else {
			ret = kernel_leaf(&n, line, depth);
			if (ret)
				return ret;
		}
	}
	if (!header)
		return fail(&n, "the dump ends before its header (no "
			    "translation structure for the device?)");
	flush_run(&n);
	return 0;
}

/* One entry line of the model's text tree: "L<level>[<index>] <value>
 * <kind> <rights> [<size> -> <address>] iova <first>-<last> [<marks>]",
 * "[<first>..<last>] x<count>" for a run. */
static int model_entry(struct norm *n, const char *line, unsigned int depth)
{
	unsigned long long first, last, value;
	unsigned int level, idx, idx_last, count = 1;
	char kind[8], prot[4];
	const char *iova = strstr(line, " iova 0x");
	int i, used = 0;

	line += strspn(line, " ");
	if (sscanf(line, "L%u[%u%n", &level, &idx, &used) != 2)
		return fail(n, "not an entry line: '%.60s'", line);
	line += used;
	if (sscanf(line, "..%u] x%u%n", &idx_last, &count, &used) == 2)
		line += used;
	else if (*line++ != ']')
		return fail(n, "a bad index");
	if (sscanf(line, " 0x%llx %7s %3s", &value, kind, prot) != 3 || !iova ||
	    sscanf(iova, " iova 0x%llx-0x%llx", &first, &last) != 2)
		return fail(n, "a bad entry: '%.60s'", line);
	for (i = 0; i < 4 && strcmp(prot, prot_names[i]); i++)
		;
	if (level < 1 || level > MAX_LEVEL || i == 4)
		return fail(n, "level %u, rights '%s'", level, prot);
	if (!strcmp(kind, "table") && level > depth) {
		if (first)
			return fail(n, "a level-%u entry at 0x%llx, above "
				    "%u-level reach", level, first, depth);
		return 0;
	}
	if (!strcmp(kind, "table") && count == 1) {
		draw_table(n, level, first, i);
		return 0;
	}
	if (strcmp(kind, "leaf") || level > depth ||
	    last - first + 1 != count * level_size(level))
		return fail(n, "a bad %s at level %u", kind, level);
	draw_leaves(n, level, first, count, i, false);
	return 0;
}

int vtd_norm_model(const char *dump, unsigned int depth, FILE *out,
		   char *err, size_t errlen)
{
	struct norm n;
	char line[512];
	bool header = false;
	int ret;

	norm_init(&n, out, err, errlen);
	if (depth < 3 || depth > MAX_LEVEL)
		return fail(&n, "depth %u", depth);
	while (next_line(&dump, line, sizeof(line))) {
		n.line++;
		if (line[0] == '#') {
			header = header || !strncmp(line, "# vtd-sl", 8);
			continue;
		}
		if (!header)
			return fail(&n, "not a vtd-sl4/vtd-sl5 dump");
		ret = model_entry(&n, line, depth);
		if (ret)
			return ret;
	}
	if (!header)
		return fail(&n, "not a vtd-sl4/vtd-sl5 dump");
	flush_run(&n);
	return 0;
}
