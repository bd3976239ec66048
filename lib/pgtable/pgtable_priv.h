/* SPDX-License-Identifier: MIT */
/*
 * Private to the page-table layer and its tests: the format description
 * table, the table-page arena that keeps a valid-entry count per table, the
 * generic walker's helpers and the debug hooks the tests use.
 *
 * Levels are numbered like the hardware's (1 holds 4 KiB leaves). ARM
 * numbers its levels the other way round (0 = root, 3 = 4 KiB pages); its
 * level n is our level 4 - n.
 */
#ifndef UVF_PGTABLE_PRIV_H
#define UVF_PGTABLE_PRIV_H

#include <uvf/pgtable.h>

#define PGT_ENTRIES 512u
#define PGT_MAX_LEVELS 5u

/* Level @level translates IOVA bits [pgt_shift(level) + 8, pgt_shift(level)]
 * and a leaf there maps 1 << pgt_shift(level) bytes. */
static inline unsigned int pgt_shift(unsigned int level)
{
	return 3 + 9 * level;
}

static inline unsigned int pgt_index(uint64_t iova, unsigned int level)
{
	return (unsigned int)(iova >> pgt_shift(level)) & (PGT_ENTRIES - 1);
}

/* An entry is of a kind when (entry & mask) == val. */
struct pgt_match {
	uint64_t mask;
	uint64_t val;
};

/* Matches nothing: marks a kind of entry a level cannot hold. */
#define PGT_NEVER { 0, ~0ull }

static inline bool pgt_is(uint64_t e, struct pgt_match m)
{
	return (e & m.mask) == m.val;
}

/* How one level encodes its two kinds of present entries. */
struct pgt_level_desc {
	struct pgt_match leaf;	/* the walker takes this as a leaf */
	struct pgt_match table;	/* ... as a pointer to the next level */
	uint64_t leaf_bits;	/* set in every leaf written at this level */
	uint64_t table_bits;	/* set in every table entry written here */
};

/*
 * One hardware format, as data. Addresses of tables and output pages live
 * in the oa_mask bits of an entry. Permissions: a leaf written for
 * UVF_PROT_READ gets leaf_read, for UVF_PROT_WRITE leaf_write, and without
 * UVF_PROT_WRITE leaf_rdonly. The walker grants read (write) when every
 * table entry on the path matches table_r (table_w) and the leaf matches
 * leaf_r (leaf_w).
 */
struct pgt_format {
	struct uvf_pgtable_info info;
	uint64_t oa_mask;
	uint64_t present;	/* present when any of these bits is set */
	uint64_t leaf_read;
	uint64_t leaf_write;
	uint64_t leaf_rdonly;
	/* Set in a leaf when a device writes through it (hardware dirty
	 * tracking); 0 when the format has no such bit. */
	uint64_t leaf_dirty;
	struct pgt_match leaf_r, leaf_w;
	struct pgt_match table_r, table_w;
	struct pgt_level_desc lvl[PGT_MAX_LEVELS + 1]; /* [1..levels] */
};

const struct pgt_format *uvf_pgt_format(enum uvf_pgtable_format fmt);

static inline uint64_t pgt_leaf_bits(const struct pgt_format *f,
				     unsigned int level, int prot)
{
	uint64_t v = f->lvl[level].leaf_bits;

	if (prot & UVF_PROT_READ)
		v |= f->leaf_read;
	v |= (prot & UVF_PROT_WRITE) ? f->leaf_write : f->leaf_rdonly;
	return v;
}

static inline int pgt_leaf_prot(const struct pgt_format *f, uint64_t e)
{
	return (pgt_is(e, f->leaf_r) ? UVF_PROT_READ : 0) |
	       (pgt_is(e, f->leaf_w) ? UVF_PROT_WRITE : 0);
}

static inline int pgt_table_prot(const struct pgt_format *f, uint64_t e)
{
	return (pgt_is(e, f->table_r) ? UVF_PROT_READ : 0) |
	       (pgt_is(e, f->table_w) ? UVF_PROT_WRITE : 0);
}

static inline uint64_t *pgt_table_ptr(const struct pgt_format *f, uint64_t e)
{
	return (uint64_t *)(uintptr_t)(e & f->oa_mask);
}

/*
 * Table pages come from 256 KiB chunks aligned to their size. Page 0 of a
 * chunk is this header and holds the valid-entry count of every table page
 * in the chunk, so the count of a table is found from its address with a
 * mask and a shift: no lookup, no per-table allocation, and the counts of
 * neighbouring tables share cache lines.
 */
#define PGT_CHUNK_PAGES 64u
#define PGT_CHUNK_SIZE ((uint64_t)PGT_CHUNK_PAGES * UVF_PAGE_SIZE)

struct pgt_chunk {
	uint16_t used[PGT_CHUNK_PAGES];	/* valid entries of each table */
	uint64_t free;			/* pages not handed out */
	uint64_t fresh;			/* never handed out: not zeroed yet */
	struct pgt_chunk *next, *prev;		/* every chunk */
	struct pgt_chunk *avail_next, *avail_prev; /* chunks with free pages */
};

struct pgt_arena {
	struct pgt_chunk *chunks;
	struct pgt_chunk *avail;
	unsigned int empty_chunks;
	uint64_t addr_mask;	/* a table's address must fit these bits */
};

static inline uint16_t *pgt_count(const uint64_t *table)
{
	uintptr_t t = (uintptr_t)table;
	struct pgt_chunk *c = (struct pgt_chunk *)(t & ~(PGT_CHUNK_SIZE - 1));

	return &c->used[(t >> UVF_PAGE_SHIFT) & (PGT_CHUNK_PAGES - 1)];
}

void uvf_pgt_arena_init(struct pgt_arena *a, uint64_t addr_mask);
void uvf_pgt_arena_fini(struct pgt_arena *a);
uint64_t *uvf_pgt_arena_alloc(struct pgt_arena *a);
void uvf_pgt_arena_free(struct pgt_arena *a, uint64_t *table);

struct uvf_pgtable {
	const struct pgt_format *fmt;
	uint64_t *root;
	uint64_t table_pages;
	int64_t alloc_budget;	/* debug: allocations left, -1 = no limit */
	struct pgt_arena arena;
};

/* A zeroed table page with a count of 0, or NULL. */
static inline uint64_t *pgt_table_alloc(struct uvf_pgtable *pt)
{
	uint64_t *t;

	if (pt->alloc_budget >= 0) {
		if (pt->alloc_budget == 0)
			return NULL;
		pt->alloc_budget--;
	}
	t = uvf_pgt_arena_alloc(&pt->arena);
	if (t)
		pt->table_pages++;
	return t;
}

/* @table must be all zero again (count 0) when it is given back. */
static inline void pgt_table_free(struct uvf_pgtable *pt, uint64_t *table)
{
	uvf_pgt_arena_free(&pt->arena, table);
	pt->table_pages--;
}

/* Tables on the path of one IOVA: path[level] is the table at that level. */
typedef uint64_t *pgt_path_t[PGT_MAX_LEVELS + 1];

void uvf_pgt_prune(struct uvf_pgtable *pt, pgt_path_t path, uvf_iova_t iova,
		   unsigned int level, struct uvf_pgtable_op_stats *st);
void uvf_pgt_unmap_apply(struct uvf_pgtable *pt, uvf_iova_t first,
			 uvf_iova_t last, uint64_t **spares,
			 unsigned int nspares, struct uvf_pgtable_op_stats *st);
int uvf_pgt_check_range(const struct pgt_format *f, uvf_iova_t iova,
			uint64_t len, uint64_t *last);

/**
 * uvf_pgtable_debug_entry() - the raw entry at @level on the path of @iova
 * @pt: table
 * @iova: IOVA
 * @level: 1..levels
 *
 * Tests read the hardware encoding through this and may rewrite an entry to
 * see what the walker makes of it (they must restore it).
 *
 * Return: a pointer to the entry, or NULL when the path ends (empty entry
 * or leaf) above @level or @iova or @level is out of range.
 */
uint64_t *uvf_pgtable_debug_entry(struct uvf_pgtable *pt, uvf_iova_t iova,
				  unsigned int level);

/**
 * uvf_pgtable_debug_leaf() - the raw leaf entry that maps @iova
 * @pt: table
 * @iova: IOVA
 * @entry: the leaf's raw value
 * @level: the level it sits at (1 = 4 KiB)
 *
 * Return: 0, -ENOENT (not mapped), -ERANGE (beyond the input bits).
 */
int uvf_pgtable_debug_leaf(const struct uvf_pgtable *pt, uvf_iova_t iova,
			   uint64_t *entry, unsigned int *level);

/**
 * uvf_pgtable_debug_fail_alloc() - make table allocations fail
 * @pt: table
 * @after: allocations that still succeed; -1 lifts the limit
 *
 * Return: nothing.
 */
void uvf_pgtable_debug_fail_alloc(struct uvf_pgtable *pt, int64_t after);

#endif
