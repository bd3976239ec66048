/* SPDX-License-Identifier: MIT */
/*
 * The steps of a uvf-pgtable script. Numbers are C literals (0x...) with
 * an optional K, M or G suffix. A map gets fresh anonymous memory aligned
 * like its IOVA (up to 1 GiB), so the software model, whose output
 * addresses are host addresses, can use large leaves where the IOVA and
 * length allow; the model never touches that memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "uvf-pgtable.h"

struct pgt_mem {
	void *addr;
	size_t len;
};

static int parse_num(const char *s, uint64_t *out)
{
	unsigned int shift = 0;
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end || (shift && v >> (64 - shift)))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

int pgt_parse_range(const char *s, uvf_iova_t *first, uvf_iova_t *last)
{
	const char *dash = strchr(s, '-');
	char head[64];

	if (!dash || (size_t)(dash - s) >= sizeof(head))
		return -EINVAL;
	memcpy(head, s, (size_t)(dash - s));
	head[dash - s] = '\0';
	if (parse_num(head, first) || parse_num(dash + 1, last) ||
	    *first > *last)
		return -EINVAL;
	return 0;
}

static int parse_prot(const char *s)
{
	if (!strcmp(s, "r"))
		return UVF_PROT_READ;
	if (!strcmp(s, "w"))
		return UVF_PROT_WRITE;
	if (!strcmp(s, "rw"))
		return UVF_PROT_RW;
	return 0;
}

/* @len bytes of address space aligned like @iova, up to 1 GiB. */
static void *map_memory(struct pgt_session *s, uvf_iova_t iova, uint64_t len)
{
	uint64_t align = iova ? iova & -iova : UVF_SZ_1G;
	char *base;
	size_t total;

	if (align > UVF_SZ_1G)
		align = UVF_SZ_1G;
	if (len > SIZE_MAX - align)
		return NULL;
	total = len + align;
	if (s->nmem == s->capmem) {
		size_t cap = s->capmem ? s->capmem * 2 : 16;
		struct pgt_mem *m = realloc(s->mem, cap * sizeof(*m));

		if (!m)
			return NULL;
		s->mem = m;
		s->capmem = cap;
	}
	base = mmap(NULL, total, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	s->mem[s->nmem++] = (struct pgt_mem){ base, total };
	return (void *)(((uintptr_t)base + align - 1) & ~(uintptr_t)(align - 1));
}

void pgt_session_fini(struct pgt_session *s)
{
	size_t i;

	for (i = 0; i < s->nmem; i++)
		munmap(s->mem[i].addr, s->mem[i].len);
	free(s->mem);
	s->mem = NULL;
	s->nmem = s->capmem = 0;
}

static int bad_step(const char *step, const char *why)
{
	fprintf(stderr, "uvf-pgtable: step '%s': %s.\n", step, why);
	return 2;
}

static int failed(const char *step, uint64_t a, uint64_t b, int err)
{
	fprintf(stderr, "uvf-pgtable: %s %#llx %#llx failed: %s.\n", step,
		(unsigned long long)a, (unsigned long long)b, strerror(-err));
	return 1;
}

/* Numbers after words[*i]: @n of them into @v. */
static bool take_nums(char **words, int nwords, int *i, unsigned int n,
		      uint64_t *v)
{
	unsigned int k;

	for (k = 0; k < n; k++)
		if (*i + 1 >= nwords || parse_num(words[++*i], &v[k]))
			return false;
	return true;
}

static int step_touch(struct pgt_session *s, uvf_iova_t iova, bool write)
{
	struct uvf_fault f;
	uint64_t pa;

	if (!s->dev)
		return bad_step("touch", "only the software model has a device "
				"that can touch memory");
	if (!uvf_sim_translate(s->dev, iova, write ? UVF_ACCESS_WRITE :
				UVF_ACCESS_READ, &pa))
		return 0;
	while (!uvf_sim_iommu_fault_pop(uvf_domain_iommu(s->dom), &f))
		fprintf(stderr, "uvf-pgtable: touch %#llx: %s fault\n",
			(unsigned long long)f.iova,
			uvf_fault_reason_name(f.reason));
	return 0;
}

int pgt_run_steps(struct pgt_session *s, char **words, int nwords)
{
	int i, ret, prot;
	uint64_t v[2];
	void *mem;

	for (i = 0; i < nwords; i++) {
		const char *step = words[i];

		if (!strcmp(step, "map")) {
			if (!take_nums(words, nwords, &i, 2, v))
				return bad_step(step, "takes IOVA LEN [r|w|rw]");
			prot = UVF_PROT_RW;
			if (i + 1 < nwords && parse_prot(words[i + 1]))
				prot = parse_prot(words[++i]);
			mem = map_memory(s, v[0], v[1]);
			if (!mem)
				return failed(step, v[0], v[1], -ENOMEM);
			ret = uvf_domain_map(s->dom, v[0], mem, v[1], prot);
			if (ret)
				return failed(step, v[0], v[1], ret);
		} else if (!strcmp(step, "unmap")) {
			if (!take_nums(words, nwords, &i, 2, v))
				return bad_step(step, "takes IOVA LEN");
			ret = uvf_domain_unmap(s->dom, v[0], v[1]);
			if (ret)
				return failed(step, v[0], v[1], ret);
		} else if (!strcmp(step, "touch")) {
			bool write = false;

			if (!take_nums(words, nwords, &i, 1, v))
				return bad_step(step, "takes IOVA [r|w]");
			if (i + 1 < nwords && (!strcmp(words[i + 1], "r") ||
					       !strcmp(words[i + 1], "w")))
				write = words[++i][0] == 'w';
			ret = step_touch(s, v[0], write);
			if (ret)
				return ret;
		} else {
			return bad_step(step, "is not map, unmap or touch");
		}
	}
	return 0;
}

int pgt_read_script(const char *path, char ***words)
{
	FILE *f = fopen(path, "r");
	char line[512], *tok, *save, **w = NULL, **nw;
	int n = 0, err = 0;

	if (!f)
		return -errno;
	while (!err && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "#")] = '\0';
		for (tok = strtok_r(line, " \t\r\n", &save); tok && !err;
		     tok = strtok_r(NULL, " \t\r\n", &save)) {
			nw = realloc(w, (size_t)(n + 1) * sizeof(*w));
			if (!nw || !(nw[n] = strdup(tok))) {
				w = nw ? nw : w;
				err = -ENOMEM;
				break;
			}
			w = nw;
			n++;
		}
	}
	fclose(f);
	if (err) {
		while (n--)
			free(w[n]);
		free(w);
		return err;
	}
	*words = w;
	return n;
}
