/* SPDX-License-Identifier: MIT */
/*
 * The ARM LPAE cross-check sequence (see lpae_seq.h): compiled into the
 * aarch64 guest program, the host model program and the unit test, so that
 * every side runs exactly this table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <uvf/device.h>
#include <uvf/dma.h>
#include <uvf/iommu.h>
#include <uvf/iova.h>
#include <uvf/pgtable.h>

#include "lpae_seq.h"

#define PAGE 4096u
#define NR_BUFS 10u
#define SCRATCH 0u	/* the device's end of every copy */
#define MAX_FAULTS 16
#define MAX_RANGES 16

enum op { MAP, UNMAP, READ, WRITE };

struct step {
	enum op op;
	unsigned int buf;
	/* MAP: the mapping starts this far into the buffer; READ/WRITE: the
	 * access starts this far past the buffer's IOVA (may leave the
	 * mapping, or follow it after an unmap). */
	uint32_t off;
	uint32_t len;
	enum uvf_dma_dir dir;	/* MAP only */
};

/* Buffer sizes in pages. */
static const unsigned int buf_pages[NR_BUFS] = { 1, 1, 1, 1, 2, 3, 1, 4, 2, 1 };

#define BIDI UVF_DMA_BIDIRECTIONAL
#define TO_DEV UVF_DMA_TO_DEVICE
#define FROM_DEV UVF_DMA_FROM_DEVICE

/*
 * Accesses are at most 2 KiB (edu's DMA buffer is 4 KiB and QEMU 7.2
 * aborts on a transfer ending at its end) and 4-byte aligned (the data
 * patterns are 32-bit words). An access the rules block moves one word:
 * QEMU's SMMUv3 reports each word of a blocked access as an event of its
 * own, and the kernel logs at most 10 events in 5 s.
 */
static const struct step seq[] = {
	{ MAP, SCRATCH, 0, 0x1000, BIDI },
	{ MAP, 1, 0, 0x1000, TO_DEV },
	{ MAP, 2, 0, 0x1000, FROM_DEV },
	{ MAP, 3, 0, 0x1000, BIDI },
	{ MAP, 4, 0, 0x2000, TO_DEV },
	{ MAP, 5, 0x234, 0x2000, FROM_DEV },	/* 3 pages, offset kept */
	{ READ, 1, 0, 0x800, BIDI },		/* read-only: read */
	{ WRITE, 1, 0x100, 4, BIDI },		/* read-only: write */
	{ WRITE, 2, 0, 0x800, BIDI },		/* write-only: write */
	{ READ, 2, 0x400, 0x800, BIDI },	/* write-only: read */
	{ READ, 3, 0x800, 0x700, BIDI },
	{ WRITE, 3, 0, 0x800, BIDI },
	{ READ, 4, 0xc00, 0x800, BIDI },	/* across two pages */
	{ WRITE, 4, 0x1004, 4, BIDI },		/* second page, read-only */
	{ WRITE, 5, 0, 0x800, BIDI },
	{ READ, 5, 0x1c00, 0x400, BIDI },	/* into the third page */
	{ UNMAP, 3, 0, 0, BIDI },
	{ WRITE, 3, 0x10, 4, BIDI },		/* unmapped IOVA */
	{ READ, 3, 0x400, 4, BIDI },
	{ MAP, 6, 0, 0x1000, TO_DEV },		/* may reuse 3's IOVA */
	{ READ, 6, 0, 0x800, BIDI },		/* the new page, not 3's */
	{ WRITE, 6, 0x7fc, 4, BIDI },		/* with the new rights */
	{ READ, 1, 0x1000, 0x800, BIDI },	/* the page after 1's */
	{ MAP, 7, 0, 0x4000, BIDI },		/* more than is left */
	{ MAP, 8, 0, 0x2000, BIDI },
	{ MAP, 9, 0, 0x1000, BIDI },		/* nothing left at all */
	{ WRITE, 8, 0x1800, 0x800, BIDI },
	{ READ, 7, 0, 0x800, BIDI },		/* never mapped: skipped */
};

struct buf {
	unsigned char *mem;
	size_t size;
	bool mapped;		/* a live mapping */
	bool ever;		/* iova is valid (mapped now or before) */
	uvf_iova_t iova;	/* device address of mem + off */
	uint32_t off, len;
	enum uvf_dma_dir dir;
};

/* Where a device access went: a buffer and offset, or nowhere. */
enum { BLOCKED = -1, PARTIAL = -2, SPLIT = -3 };

struct outcome {
	int buf;		/* >= 0, or BLOCKED, PARTIAL, SPLIT */
	uint32_t off;
	int nfaults;
	struct lpae_fault faults[MAX_FAULTS];
};

struct run {
	struct uvf_device *dev;
	const struct lpae_engine *eng;
	FILE *out;
	struct lpae_seq_result *res;
	struct buf b[NR_BUFS];
	struct uvf_iova_range usable[MAX_RANGES];
	struct uvf_resv_region resv[MAX_RANGES];
	int nusable, nresv;
	bool write_implies_read;
	unsigned int probe;
};

static const char *dir_name(enum uvf_dma_dir dir)
{
	switch (dir) {
	case UVF_DMA_TO_DEVICE:
		return "to-device";
	case UVF_DMA_FROM_DEVICE:
		return "from-device";
	default:
		return "bidirectional";
	}
}

/* Errors by name, so the transcript does not depend on errno numbering. */
static const char *err_name(int err, char *buf, size_t len)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ -EINVAL, "-EINVAL" },	  { -ENOSPC, "-ENOSPC" },
		{ -ENOENT, "-ENOENT" },	  { -ERANGE, "-ERANGE" },
		{ -EEXIST, "-EEXIST" },	  { -ENOMEM, "-ENOMEM" },
		{ -EOVERFLOW, "-EOVERFLOW" }, { -ENOTSUP, "-ENOTSUP" },
		{ -EFAULT, "-EFAULT" },	  { -EIO, "-EIO" },
		{ -ETIMEDOUT, "-ETIMEDOUT" }, { -EBUSY, "-EBUSY" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(buf, len, "%d", err);
	return buf;
}

static int dir_prot(enum uvf_dma_dir dir)
{
	switch (dir) {
	case UVF_DMA_TO_DEVICE:
		return UVF_PROT_READ;
	case UVF_DMA_FROM_DEVICE:
		return UVF_PROT_WRITE;
	default:
		return UVF_PROT_RW;
	}
}

static uvf_iova_t page_of(uvf_iova_t a)
{
	return a & ~(uvf_iova_t)(PAGE - 1);
}

/* Whole pages a mapping covers: [first, last]. */
static void map_pages(const struct buf *b, uvf_iova_t *first, uvf_iova_t *last)
{
	*first = page_of(b->iova);
	*last = page_of(b->iova + b->len - 1) + PAGE - 1;
}

/* Each 32-bit word of memory names its probe, buffer and offset, so any
 * data that moves can be traced back to where it came from. */
static uint32_t pattern(unsigned int probe, unsigned int buf, uint32_t off)
{
	return 0xa0000000u | (probe & 0xffu) << 20 | (buf & 0xfu) << 16 |
	       (off >> 2 & 0xffffu);
}

static uint32_t word_at(const struct buf *b, uint32_t off)
{
	uint32_t w;

	memcpy(&w, b->mem + off, 4);
	return w;
}

static void fill(struct run *r)
{
	unsigned int i;
	uint32_t off, w;

	for (i = 0; i < NR_BUFS; i++)
		for (off = 0; off < r->b[i].size; off += 4) {
			w = pattern(r->probe, i, off);
			memcpy(r->b[i].mem + off, &w, 4);
		}
}

/* Offset into buffer @i of device address @a, if a live mapping of it
 * covers @a. */
static bool buf_offset(const struct run *r, unsigned int i, uvf_iova_t a,
		       uint32_t *off)
{
	const struct buf *b = &r->b[i];
	uvf_iova_t first, last;

	if (!b->mapped)
		return false;
	map_pages(b, &first, &last);
	if (a < first || a > last)
		return false;
	*off = (b->off & ~(PAGE - 1)) + (uint32_t)(a - first);
	return true;
}

/* What the format's rules say an access does, from the live mappings: the
 * first page it may not touch blocks it with one fault there. */
static void expect(const struct run *r, uvf_iova_t t, uint32_t len,
		   bool write, struct outcome *e)
{
	uvf_iova_t a;
	uint32_t off = 0;
	unsigned int i;
	int prot;

	memset(e, 0, sizeof(*e));
	e->buf = BLOCKED;
	for (a = t; a < t + len; a = page_of(a) + PAGE) {
		for (i = 0; i < NR_BUFS; i++)
			if (buf_offset(r, i, a, &off))
				break;
		if (i == NR_BUFS) {
			e->faults[0].write = write;
			e->faults[0].iova = a;
			strcpy(e->faults[0].kind, "translation");
			e->nfaults = 1;
			e->buf = BLOCKED;
			return;
		}
		prot = dir_prot(r->b[i].dir);
		if (!write && (prot & UVF_PROT_WRITE) && r->write_implies_read)
			prot |= UVF_PROT_READ;
		if (!(prot & (write ? UVF_PROT_WRITE : UVF_PROT_READ))) {
			e->faults[0].write = write;
			e->faults[0].iova = a;
			strcpy(e->faults[0].kind, "permission");
			e->nfaults = 1;
			e->buf = BLOCKED;
			return;
		}
		if (a == t) {
			e->buf = (int)i;
			e->off = off;
		} else if (e->buf != (int)i || off != e->off + (a - t)) {
			e->buf = SPLIT;
		}
	}
}

/* A read copied @len bytes into the scratch page: whose are they? */
static void observe_read(const struct run *r, uint32_t len, struct outcome *o)
{
	const struct buf *s = &r->b[SCRATCH];
	uint32_t w0 = word_at(s, 0), i, foreign = 0;
	unsigned int src = w0 >> 16 & 0xfu;
	uint32_t off = (w0 & 0xffffu) << 2;
	bool whole = (w0 >> 20 & 0xffu) == (r->probe & 0xffu) &&
		     w0 >> 28 == 0xa && src != SCRATCH && src < NR_BUFS &&
		     off + len <= r->b[src].size;

	for (i = 0; i < len; i += 4) {
		uint32_t w = word_at(s, i);

		if (whole && w != pattern(r->probe, src, off + i))
			whole = false;
		/* Data from memory other than the scratch page itself. */
		if (w >> 28 == 0xa && (w >> 20 & 0xffu) == (r->probe & 0xffu) &&
		    (w >> 16 & 0xfu) != SCRATCH)
			foreign++;
	}
	if (whole) {
		o->buf = (int)src;
		o->off = off;
	} else {
		o->buf = foreign ? PARTIAL : BLOCKED;
	}
}

/* A write copied the scratch page's first @len bytes somewhere: where? */
static void observe_write(const struct run *r, uint32_t len, struct outcome *o)
{
	unsigned int i, nbufs = 0, hit = 0;
	uint32_t off, lo = 0, hi = 0, changed = 0;
	bool exact = true;

	for (i = 0; i < NR_BUFS; i++) {
		bool any = false;

		if (i == SCRATCH)
			continue;
		for (off = 0; off < r->b[i].size; off += 4) {
			if (word_at(&r->b[i], off) == pattern(r->probe, i, off))
				continue;
			if (!any) {
				any = true;
				nbufs++;
				hit = i;
				lo = off;
			}
			hi = off + 4;
			changed += 4;
		}
	}
	if (!nbufs) {
		o->buf = BLOCKED;
		return;
	}
	if (nbufs > 1 || hi - lo != len || changed != len) {
		o->buf = PARTIAL;
		return;
	}
	for (off = 0; off < len && exact; off += 4)
		exact = word_at(&r->b[hit], lo + off) ==
			pattern(r->probe, SCRATCH, off);
	o->buf = exact ? (int)hit : PARTIAL;
	o->off = lo;
}

/* One fault per page, access and kind: the SMMUv3 reports every word of a
 * blocked access, the model the first address of each page. */
static int collapse(struct lpae_fault *f, int n)
{
	int i, j, kept = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < kept; j++)
			if (f[j].write == f[i].write &&
			    page_of(f[j].iova) == page_of(f[i].iova) &&
			    !strcmp(f[j].kind, f[i].kind))
				break;
		if (j < kept) {
			if (f[i].iova < f[j].iova)
				f[j].iova = f[i].iova;
			continue;
		}
		f[kept++] = f[i];
	}
	return kept;
}

static void put_where(FILE *out, const struct outcome *o)
{
	switch (o->buf) {
	case BLOCKED:
		fputs("blocked", out);
		break;
	case PARTIAL:
		fputs("partial", out);
		break;
	case SPLIT:
		fputs("split across mappings", out);
		break;
	default:
		fprintf(out, "b%d+%#x", o->buf, o->off);
	}
}

static void put_fault(FILE *out, const struct lpae_fault *f)
{
	fprintf(out, "fault %s %s at %#llx", f->write ? "write" : "read",
		f->kind, (unsigned long long)f->iova);
}

static bool same_fault(const struct lpae_fault *a, const struct lpae_fault *b)
{
	return a->write == b->write && a->iova == b->iova &&
	       !strcmp(a->kind, b->kind);
}

static bool same_outcome(const struct outcome *a, const struct outcome *b)
{
	int i;

	if (a->buf != b->buf || (a->buf >= 0 && a->off != b->off) ||
	    a->nfaults != b->nfaults)
		return false;
	for (i = 0; i < a->nfaults; i++)
		if (!same_fault(&a->faults[i], &b->faults[i]))
			return false;
	return true;
}

/* A rule broken: count it and say what the rule wanted. */
static void unexpected(struct run *r, const char *what)
{
	r->res->unexpected++;
	fprintf(r->out, "  ! rules say: %s\n", what);
}

static int do_probe(struct run *r, const struct step *s)
{
	const struct buf *b = &r->b[s->buf];
	bool write = s->op == WRITE;
	uvf_iova_t t = b->iova + s->off, scratch = r->b[SCRATCH].iova;
	struct outcome e, o;
	char want[160];
	FILE *w;
	int ret, i;

	r->probe++;
	fprintf(r->out, "probe %u: %s b%u+%#x len %#x", r->probe,
		write ? "write" : "read", s->buf, s->off, s->len);
	if (!b->ever) {
		fputs(": not run, never mapped\n", r->out);
		return 0;
	}
	fprintf(r->out, " at %#llx: ", (unsigned long long)t);
	/* Inside the MSI window a write would be an interrupt; above the
	 * limit the model has no translation to compare with. */
	if ((t <= LPAE_SEQ_MSI_LAST && t + s->len > LPAE_SEQ_MSI_FIRST) ||
	    t + s->len - 1 > LPAE_SEQ_IOVA_LAST) {
		fputs("not run, outside the usable IOVAs\n", r->out);
		return 0;
	}
	r->res->probes++;
	expect(r, t, s->len, write, &e);
	fill(r);
	ret = write ? r->eng->copy(r->eng->ctx, scratch, t, s->len)
		    : r->eng->copy(r->eng->ctx, t, scratch, s->len);
	if (ret) {
		char eb[16];

		fprintf(r->out, "device error %s\n", err_name(ret, eb, sizeof(eb)));
		return ret;
	}
	memset(&o, 0, sizeof(o));
	if (write)
		observe_write(r, s->len, &o);
	else
		observe_read(r, s->len, &o);
	ret = r->eng->faults(r->eng->ctx, o.buf < 0, o.faults, MAX_FAULTS);
	if (ret < 0)
		return ret;
	o.nfaults = collapse(o.faults, ret);
	put_where(r->out, &o);
	fputc('\n', r->out);
	for (i = 0; i < o.nfaults; i++) {
		fputs("  ", r->out);
		put_fault(r->out, &o.faults[i]);
		fputc('\n', r->out);
	}
	if (!same_outcome(&e, &o)) {
		w = fmemopen(want, sizeof(want), "w");
		if (w) {
			put_where(w, &e);
			for (i = 0; i < e.nfaults; i++) {
				fputs(", ", w);
				put_fault(w, &e.faults[i]);
			}
			fclose(w);
		}
		want[sizeof(want) - 1] = '\0';
		unexpected(r, w ? want : "(no memory to say)");
	}
	return 0;
}

/* A new mapping must keep the buffer's page offset and stay clear of the
 * reserved regions, of other mappings and of the held IOVAs. */
static void check_map(struct run *r, unsigned int i)
{
	struct buf *b = &r->b[i];
	uvf_iova_t first, last, f2, l2;
	bool inside = false;
	unsigned int j;
	int k;

	map_pages(b, &first, &last);
	if ((b->iova & (PAGE - 1)) != (b->off & (PAGE - 1)))
		unexpected(r, "the IOVA keeps the buffer's offset in its page");
	for (k = 0; k < r->nusable; k++)
		inside |= first >= r->usable[k].first &&
			  last <= r->usable[k].last;
	if (!inside || first <= LPAE_SEQ_HOLD_LAST)
		unexpected(r, "a usable IOVA that is not held");
	for (k = 0; k < r->nresv; k++)
		if (first <= r->resv[k].last && r->resv[k].first <= last)
			unexpected(r, "no IOVA inside a reserved region");
	for (j = 0; j < NR_BUFS; j++) {
		if (j == i || !r->b[j].mapped)
			continue;
		map_pages(&r->b[j], &f2, &l2);
		if (first <= l2 && f2 <= last)
			unexpected(r, "no IOVA of another live mapping");
	}
}

static int do_map(struct run *r, const struct step *s)
{
	struct buf *b = &r->b[s->buf];
	uvf_iova_t iova = 0;
	char eb[16];
	int ret;

	fprintf(r->out, "map b%u+%#x len %#x %s: ", s->buf, s->off, s->len,
		dir_name(s->dir));
	if (b->mapped) {
		fputs("already mapped: bad sequence\n", r->out);
		return -EINVAL;
	}
	ret = uvf_dma_map_page(r->dev, b->mem + s->off, s->len, s->dir, &iova);
	if (ret) {
		fprintf(r->out, "%s\n", err_name(ret, eb, sizeof(eb)));
		return ret == -ENOSPC ? 0 : ret;
	}
	fprintf(r->out, "%#llx\n", (unsigned long long)iova);
	*b = (struct buf){ .mem = b->mem, .size = b->size, .mapped = true,
			   .ever = true, .iova = iova, .off = s->off,
			   .len = s->len, .dir = s->dir };
	check_map(r, s->buf);
	return 0;
}

static int do_unmap(struct run *r, unsigned int i)
{
	struct buf *b = &r->b[i];
	char eb[16];
	int ret;

	if (!b->mapped) {
		fprintf(r->out, "unmap b%u: not mapped: bad sequence\n", i);
		return -EINVAL;
	}
	ret = uvf_dma_unmap_page(r->dev, b->iova, b->len, b->dir);
	fprintf(r->out, "unmap b%u: %s\n", i,
		ret ? err_name(ret, eb, sizeof(eb)) : "0");
	if (!ret)
		b->mapped = false;
	return ret;
}

/* The usable ranges and reserved regions, into the transcript. */
static int layout(struct run *r, struct uvf_domain *dom)
{
	int k;

	r->nusable = uvf_domain_iova_ranges(dom, r->usable, MAX_RANGES);
	r->nresv = uvf_domain_reserved_regions(dom, r->resv, MAX_RANGES);
	if (r->nusable <= 0 || r->nusable > MAX_RANGES || r->nresv < 0 ||
	    r->nresv > MAX_RANGES) {
		fprintf(r->out, "error: %d usable ranges, %d reserved regions\n",
			r->nusable, r->nresv);
		return -ERANGE;
	}
	for (k = 0; k < r->nusable; k++)
		fprintf(r->out, "usable %#llx-%#llx\n",
			(unsigned long long)r->usable[k].first,
			(unsigned long long)r->usable[k].last);
	for (k = 0; k < r->nresv; k++)
		fprintf(r->out, "reserved %#llx-%#llx %s\n",
			(unsigned long long)r->resv[k].first,
			(unsigned long long)r->resv[k].last,
			uvf_resv_type_name(r->resv[k].type));
	return 0;
}

/* The part of usable range @k that is held: false when there is none. */
static bool held_part(const struct run *r, int k, uvf_iova_t *first,
		      uint64_t *len)
{
	uvf_iova_t last = r->usable[k].last;

	*first = r->usable[k].first;
	if (*first > LPAE_SEQ_HOLD_LAST)
		return false;
	if (last > LPAE_SEQ_HOLD_LAST)
		last = LPAE_SEQ_HOLD_LAST;
	*len = last - *first + 1;
	return true;
}

/* Hold every usable IOVA up to LPAE_SEQ_HOLD_LAST, all or nothing. */
static int hold(struct run *r, struct uvf_iova_allocator *a)
{
	uvf_iova_t first;
	uint64_t len;
	int k, ret = 0;

	for (k = 0; k < r->nusable && !ret; k++) {
		if (!held_part(r, k, &first, &len))
			break;
		ret = uvf_iova_reserve(a, first, len);
		fprintf(r->out, "hold %#llx-%#llx: %d\n",
			(unsigned long long)first,
			(unsigned long long)(first + len - 1), ret);
	}
	if (ret)
		for (k -= 2; k >= 0; k--)
			if (held_part(r, k, &first, &len))
				uvf_iova_free(a, first, len);
	return ret;
}

static int release(struct run *r, struct uvf_iova_allocator *a)
{
	uvf_iova_t first;
	uint64_t len;
	int k, ret = 0, ret2;

	for (k = 0; k < r->nusable && held_part(r, k, &first, &len); k++) {
		ret2 = uvf_iova_free(a, first, len);
		ret = ret ? ret : ret2;
	}
	fprintf(r->out, "release: %d\n", ret);
	return ret;
}

unsigned int lpae_seq_probe_count(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		n += seq[i].op == READ || seq[i].op == WRITE;
	return n;
}

int lpae_seq_run(struct uvf_device *dev, const struct lpae_engine *eng,
		 FILE *out, struct lpae_seq_result *res)
{
	const struct uvf_pgtable_info *info =
		uvf_pgtable_format_info(UVF_PGTABLE_ARM_LPAE_S1);
	struct uvf_domain *dom = uvf_device_domain(dev);
	struct uvf_iova_allocator *a = dom ? uvf_domain_iova_allocator(dom)
					   : NULL;
	struct run *r;
	unsigned int i;
	int ret = 0, ret2;

	*res = (struct lpae_seq_result){ 0 };
	if (!a)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	*r = (struct run){ .dev = dev, .eng = eng, .out = out, .res = res,
			   .write_implies_read = info->write_implies_read };
	fprintf(out, "lpae-seq 1: rules of %s, write implies read: %s\n",
		info->name, info->write_implies_read ? "yes" : "no");
	for (i = 0; i < NR_BUFS && !ret; i++) {
		void *p = mmap(NULL, buf_pages[i] * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			fprintf(out, "error: no memory for buffer %u\n", i);
			ret = -ENOMEM;
			break;
		}
		r->b[i].mem = p;
		r->b[i].size = buf_pages[i] * PAGE;
	}
	if (!ret)
		ret = layout(r, dom);
	if (!ret)
		ret = hold(r, a);
	if (ret)
		goto out;

	for (i = 0; i < sizeof(seq) / sizeof(seq[0]) && !ret; i++) {
		switch (seq[i].op) {
		case MAP:
			ret = do_map(r, &seq[i]);
			break;
		case UNMAP:
			ret = do_unmap(r, seq[i].buf);
			break;
		case READ:
		case WRITE:
			ret = do_probe(r, &seq[i]);
			break;
		}
	}
	for (i = NR_BUFS; i-- > 0;) {
		if (r->b[i].mapped) {
			ret2 = do_unmap(r, i);
			ret = ret ? ret : ret2;
		}
	}
	ret2 = release(r, a);
	ret = ret ? ret : ret2;
out:
	fprintf(out, "end: %d\n", ret);
	for (i = 0; i < NR_BUFS; i++)
		if (r->b[i].mem)
			munmap(r->b[i].mem, r->b[i].size);
	free(r);
	return ret;
}
