/* SPDX-License-Identifier: MIT */
/* The DMA heap's own structures, shared by its files. */
#ifndef UVF_DMAHEAP_PRIV_H
#define UVF_DMAHEAP_PRIV_H

#include <pthread.h>
#include <stdatomic.h>

#include <uvf/dmaheap.h>

#define DH_PAGES_PER_WORD 64

/*
 * A run of pages in one chunk: one uvf_dmaheap_alloc() (pool NULL, one
 * object) or a pool's slab of objects. Slabs are never freed before the
 * heap, so a lock-free page-owner read never touches freed memory.
 */
struct dh_slab {
	struct dh_chunk *chunk;		/* the slab's pages are in */
	struct dh_slab *next;		/* heap's spare list, or pool's list */
	struct dh_slab *all_next;	/* every descriptor of the heap */
	/* NULL: a contiguous allocation. Read without a lock by frees that
	 * check whether the slab is theirs. */
	_Atomic(struct uvf_dmaheap_pool *) pool;
	bool live;			/* handed out, not yet put back */
	char *va;
	uint64_t len;
	uint32_t obj_shift;		/* object size, log2; pools only */
	uint32_t nobj;
	uint64_t *used;			/* bit per object */
	uint16_t *pins;			/* per object */
	uint32_t cap;			/* objects the arrays hold */
};

struct dh_chunk {
	char *va;
	struct uvf_dmaheap_chunk pc;	/* as its provider gave it */
	enum uvf_dmaheap_backing backing;
	uint64_t *page_used;		/* bit per 4 KiB page */
	_Atomic(struct dh_slab *) *owner;	/* per 4 KiB page */
};

/* One attached domain: the notifier target of every growth. */
struct dh_attach {
	struct uvf_domain *dom;
	struct uvf_dmaheap *heap;
	uint64_t pins;			/* pins made in this domain */
	uint64_t holds;			/* uvf_dmaheap_hold() references */
	bool attached;			/* by uvf_dmaheap_attach() too */
	uvf_iova_t *chunk_iova;		/* per chunk; translated domains */
	uint64_t nr_mapped;		/* chunks 0..nr_mapped-1 are mapped */
};

/*
 * Address to chunk, for chunks anywhere: a three-level radix table over the
 * 48-bit address space in 2 MiB slots (9 bits a level), read without a
 * lock. Nodes are freed only with the heap.
 */
#define DH_MAP_SHIFT 21
#define DH_MAP_BITS 9
#define DH_MAP_FANOUT (1u << DH_MAP_BITS)
struct dh_map_leaf {
	_Atomic(struct dh_chunk *) slot[DH_MAP_FANOUT];
};
struct dh_map_mid {
	_Atomic(struct dh_map_leaf *) leaf[DH_MAP_FANOUT];
};
struct dh_chunkmap {
	_Atomic(struct dh_map_mid *) mid[DH_MAP_FANOUT];
};

/* The built-in provider's state: a reserved window filled back to back. */
struct dh_window {
	char *base;
	uint64_t len, chunk_size, used;
	enum uvf_dmaheap_backing best;
};

struct uvf_dmaheap {
	struct uvf_dmaheap_opts o;
	char *base;			/* the window; NULL with a provider */
	const struct uvf_dmaheap_provider *prov;
	void *prov_arg;
	struct dh_window window;	/* the built-in provider's */
	struct dh_chunkmap map;
	uint64_t pages_per_chunk;
	uint64_t max_chunks;
	/* Serialises growth, attachments, page allocation and pins. */
	pthread_mutex_t lock;
	_Atomic(struct dh_chunk *) *chunks;	/* max_chunks slots */
	uint64_t nr_chunks;
	struct dh_attach **att;
	size_t nr_att, cap_att;
	struct dh_slab *spare;		/* slab descriptors to reuse */
	struct dh_slab *all_slabs;	/* every descriptor, for destroy */
	uint64_t live_slabs, pools;
	struct uvf_dmaheap_info st;
	char diag[768];
};

struct uvf_dmaheap_pool {
	struct uvf_dmaheap *heap;
	pthread_mutex_t lock;
	uint32_t obj_shift;
	uint64_t slab_len;
	struct dh_slab *slabs;
	void **free;			/* free-object stack */
	size_t nfree, cap_free;
	size_t total;			/* objects in all slabs */
	uint64_t live;			/* objects handed out */
};

/* backing.c: the built-in provider (its argument a struct dh_window). */
extern const struct uvf_dmaheap_provider dh_builtin_provider;
int dh_window_reserve(struct dh_window *w, uint64_t len, uint64_t chunk_size,
		      enum uvf_dmaheap_backing best);
void dh_window_release(struct dh_window *w);
bool dh_numa_usable(int node);

/* chunkmap.c. Writers hold the heap's lock. */
/* Make the nodes @c needs: 0, -EEXIST (a slot holds a chunk), -EINVAL
 * (beyond 48 bits) or -ENOMEM. Then publishing cannot fail. */
int dh_map_reserve(struct dh_chunkmap *m, const struct dh_chunk *c);
void dh_map_publish(struct dh_chunkmap *m, struct dh_chunk *c);
/* The chunk holding @va, or NULL; no lock. */
struct dh_chunk *dh_map_lookup(const struct dh_chunkmap *m, const void *va);
void dh_map_free(struct dh_chunkmap *m);

/* heap.c */
int dh_grow(struct uvf_dmaheap *heap);	/* lock held */

/* attach.c. Lock held. */
struct dh_attach *dh_find_attach(struct uvf_dmaheap *heap,
				 const struct uvf_domain *dom);
/* Map chunk @idx into every attached domain, or into none: the refusal,
 * with *stranded when a rollback unmap was refused too. */
int dh_notify_growth(struct uvf_dmaheap *heap, uint64_t idx, bool *stranded);

/* slab.c: page runs in chunks. Lock held. */
int dh_slab_get(struct uvf_dmaheap *heap, uint64_t len, uint32_t nobj,
		struct dh_slab **out);
void dh_slab_put(struct uvf_dmaheap *heap, struct dh_slab *s);
/* The slab holding @va, or NULL; no lock. */
struct dh_slab *dh_slab_of(struct uvf_dmaheap *heap, const void *va);
void dh_slabs_free_all(struct uvf_dmaheap *heap);

#endif
