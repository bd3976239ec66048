/* SPDX-License-Identifier: MIT */
/*
 * The VT-d cross-check sequence (see vtd_seq.h): compiled into the x86
 * guest program, the host model program and the unit test, so that every
 * side runs exactly this table.
 */
#include <stdbool.h>
#include <stdint.h>

#include <uvf/iommu.h>

#include "vtd_seq.h"

enum op { MAP, UNMAP, CHECKPOINT };

struct step {
	enum op op;
	uint64_t iova;
	uint32_t mem;		/* MAP: offset into the memory */
	uint32_t len;
	int prot;		/* MAP only */
	const char *name;	/* CHECKPOINT only */
};

#define K4 0x1000u
#define M2 0x200000u
/* 1 GiB: level-3 index 1, so the top levels hold more than entry 0. */
#define B 0x40000000ull
#define R UVF_PROT_READ
#define W UVF_PROT_WRITE
#define RW UVF_PROT_RW

static const struct step seq[] = {
	{ MAP, B, 0, K4, RW },
	{ MAP, B + 0x1000, 0x1000, K4, R },
	{ MAP, B + 0x3000, 0x3000, K4, W },
	{ CHECKPOINT, .name = "4k" },
	{ MAP, B + 0x200000, 0x200000, M2, RW },	/* a superpage */
	{ MAP, B + 0x400000, 0x400000, 2 * M2, R },	/* two */
	{ MAP, B + 0x9fe000, 0x100000, 4 * K4, RW },	/* across L1 tables */
	/* IOVA aligned, memory not (and mapped twice): 4 KiB leaves */
	{ MAP, B + 0xc00000, 0x201000, M2, W },
	/* 3 GiB: another level-2 table */
	{ MAP, 0xc0000000ull, 0x400000, M2 + K4, RW },
	{ CHECKPOINT, .name = "superpages" },
	{ UNMAP, B + 0x1000, 0, K4 },			/* a hole */
	{ UNMAP, B + 0x400000, 0, 2 * M2 },		/* superpages gone */
	{ UNMAP, B + 0x9fe000, 0, 4 * K4 },		/* tables left empty */
	{ CHECKPOINT, .name = "holes" },
	{ MAP, B + 0x1000, 0x5000, K4, RW },		/* other memory, rights */
	{ MAP, B + 0x400000, 0x400000, K4, R },		/* 4K where 2M was */
	{ MAP, B + 0x600000, 0x600000, M2, RW },	/* 2M where 2M was */
	{ MAP, B + 0xa00000, 0x000000, M2, R },		/* 2M over an empty table */
	{ CHECKPOINT, .name = "remapped" },
};

#define NSTEPS (sizeof(seq) / sizeof(seq[0]))

static const char *prot_name(int prot)
{
	return prot == RW ? "rw" : prot == R ? "r-" : "-w";
}

static int checkpoint(const struct vtd_snapshot *snap, const char *name,
		      FILE *out)
{
	fprintf(out, "== %s\n", name);
	return snap->draw(snap->ctx, out);
}

int vtd_seq_run(struct uvf_domain *dom, void *mem, bool write_adds_read,
		const struct vtd_snapshot *snap, FILE *out)
{
	bool mapped[NSTEPS] = { false };
	const struct step *s;
	int ret, first = 0;
	size_t i, j;

	for (i = 0; i < NSTEPS; i++) {
		s = &seq[i];
		switch (s->op) {
		case MAP:
			ret = uvf_domain_map(dom, s->iova,
					     (char *)mem + s->mem, s->len,
					     s->prot == W && write_adds_read ?
						     RW : s->prot);
			mapped[i] = !ret;
			fprintf(out, "map 0x%llx +0x%x mem +0x%x %s: %d\n",
				(unsigned long long)s->iova, s->len, s->mem,
				prot_name(s->prot), ret);
			break;
		case UNMAP:
			ret = uvf_domain_unmap(dom, s->iova, s->len);
			/* the live map of this range is gone */
			for (j = 0; !ret && j < i; j++)
				if (seq[j].op == MAP && seq[j].iova == s->iova)
					mapped[j] = false;
			fprintf(out, "unmap 0x%llx +0x%x: %d\n",
				(unsigned long long)s->iova, s->len, ret);
			break;
		default:
			ret = checkpoint(snap, s->name, out);
		}
		if (ret && !first)
			first = ret;
	}
	for (i = 0; i < NSTEPS; i++) {
		if (!mapped[i])
			continue;
		ret = uvf_domain_unmap(dom, seq[i].iova, seq[i].len);
		if (ret) {
			fprintf(out, "unmap 0x%llx +0x%x: %d\n",
				(unsigned long long)seq[i].iova, seq[i].len,
				ret);
			first = first ? first : ret;
		}
	}
	ret = checkpoint(snap, "empty", out);
	return first ? first : ret;
}
