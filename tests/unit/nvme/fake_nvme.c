/* SPDX-License-Identifier: MIT */
/* The fake NVMe controller (see fake_nvme.h). */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/nvme.h>
#include <uvf/sim.h>

#include "fake_nvme.h"
#include "fake_nvme_sgl.h"
#include "fake_regwin.h"
#include "nvme_regs.h"

/* The NVMe base specification's bit, spelled here rather than taken from
 * the driver's nvme_regs.h: a wrong driver constant must not be matched by
 * the fake (it was bit 10, Command and Feature Lockdown). */
#define SPEC_OACS_VIRT_MGMT (1u << 7)

#define BAR0_SIZE 0x4000u
#define MAX_QID 64u
#define NO_POST 0xffffu		/* exec(): post no completion */

/* Status codes, SCT << 8 | SC. */
#define ST_OK 0x000
#define ST_INVALID_OPCODE 0x001
#define ST_INVALID_FIELD 0x002
#define ST_DATA_XFER 0x004
#define ST_ABORTED_SQ_DELETED 0x008
#define ST_INVALID_NS 0x00b
#define ST_PRP_OFFSET 0x013
#define ST_LBA_RANGE 0x080
#define ST_CQ_INVALID 0x100
#define ST_INVALID_QID 0x101
#define ST_INVALID_QSIZE 0x102
#define ST_INVALID_VECTOR 0x108
#define ST_INVALID_DELETE 0x10c
#define ST_AER_LIMIT 0x105
#define ST_INVALID_CTRL_ID 0x11f
#define ST_INVALID_SEC_STATE 0x120
#define ST_INVALID_NR_RES 0x121
#define ST_INVALID_RES_ID 0x122
#define MAX_VFS 4
#define AERL 3			/* Identify: four AERs at once */

struct fake;
static bool shadowed(const struct fake *f, uint16_t qid);
static void dbbuf_read(struct fake *f, uint16_t qid, bool cq, uint32_t *val,
		       uint32_t size);

struct fsq {
	bool live;
	uint64_t base;
	uint32_t size, head, tail;
	uint16_t cqid;
	uint16_t *dropped;	/* command IDs fetched and never completed */
	uint32_t ndropped;
};

struct fcq {
	bool live;
	uint64_t base;
	uint32_t size, head, tail;
	uint8_t phase;
	bool ien;
	uint16_t iv;
};

struct fake {
	struct fake_regwin w;	/* first: BAR 0, config space, interrupts */
	struct fake_nvme_params p;
	struct fake_nvme_faults faults;
	struct fake_nvme_stats st;
	uint64_t cap, asq, acq;
	uint32_t vs, cc, csts, aqa, intms;
	struct fsq sq[MAX_QID + 1];
	struct fcq cq[MAX_QID + 1];
	unsigned int granted;
	uint16_t aer_cids[AERL + 1];	/* held AERs, oldest first */
	unsigned int naer;
	uint8_t **media;
	uint8_t *meta;			/* md_nsid's metadata */
	bool dbbuf_on;			/* Doorbell Buffer Config done */
	uint64_t dbbuf_shadow, dbbuf_eventidx;
	uint8_t *bar2;			/* the CMB's BAR, NULL without */
	uint64_t bar2_size, cmbmsc;
	struct fake_nvme_secondary sec[MAX_VFS];
};

#define CMB_UNIT (64u << 10)		/* CMBSZ.SZU 1 */
#define CMBSZ_SZU_64K (1u << 8)

static struct fake *fake_of_win(struct fake_regwin *w)
{
	return (struct fake *)w;
}

static struct fake *fake_of(struct uvf_device *dev)
{
	return fake_of_win(fake_regwin_of(dev));
}

static uint32_t next(uint32_t i, uint32_t size)
{
	return i + 1 == size ? 0 : i + 1;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void put_str(uint8_t *p, const char *s, size_t len)
{
	size_t n = strlen(s);

	memset(p, ' ', len);
	memcpy(p, s, n < len ? n : len);
}

struct fake_nvme_secondary fake_nvme_secondary(struct uvf_device *dev,
					       unsigned int i)
{
	return fake_of(dev)->sec[i];
}

void fake_nvme_params_default(struct fake_nvme_params *p)
{
	memset(p, 0, sizeof(*p));
	p->vendor = 0x1b36;
	p->device = 0x0010;
	p->class_code = 0x010802;
	p->mqes = 1023;
	p->to = 1;
	p->mdts = 7;		/* 512 KiB, as QEMU */
	p->lbads = 9;
	p->nsze = 8192;		/* 4 MiB of 512-byte blocks */
	p->nr_ns = 1;
	p->max_queues = 8;
	p->vectors = 9;
	p->write_zeroes = true;
	p->vwc = true;
	p->dbbuf = true;	/* as QEMU 7.1 and later */
}

/* One page or less of a transfer: to host memory, or from it. */
static int move(struct fake *f, uint64_t addr, uint8_t *buf, size_t len,
		bool to_host)
{
	return to_host ? fake_regwin_dma_write(&f->w, addr, buf, len)
		       : fake_regwin_dma_read(&f->w, addr, buf, len);
}

/* Walk a command's PRPs the way a controller does, moving @len bytes
 * between @buf and host memory, and check the rules on the way. */
static uint16_t xfer(struct fake *f, uint64_t prp1, uint64_t prp2,
		     uint8_t *buf, size_t len, bool to_host)
{
	uint64_t list[NVME_PRPS_PER_PAGE], lp = prp2, addr;
	size_t done = 0, chunk;
	unsigned int pages = 0, i, n;
	bool chained;

	if (prp1 & 3)
		return ST_PRP_OFFSET;
	while (done < len) {
		if (!done) {
			addr = prp1;
			chunk = NVME_PAGE_SIZE - (prp1 & (NVME_PAGE_SIZE - 1));
		} else if (len - done <= NVME_PAGE_SIZE) {
			addr = prp2;	/* second and last page */
			chunk = len - done;
			if (addr & (NVME_PAGE_SIZE - 1))
				return ST_PRP_OFFSET;
		} else {
			break;		/* the rest comes from lists */
		}
		if (chunk > len - done)
			chunk = len - done;
		if (move(f, addr, buf + done, chunk, to_host))
			return ST_DATA_XFER;
		done += chunk;
	}
	while (done < len) {
		if (lp & 7)
			return ST_PRP_OFFSET;
		n = (NVME_PAGE_SIZE - (lp & (NVME_PAGE_SIZE - 1))) / 8;
		if (fake_regwin_dma_read(&f->w, lp, list, n * 8))
			return ST_DATA_XFER;
		pages++;
		chained = false;
		for (i = 0; i < n && done < len; i++) {
			if (i == n - 1 && len - done > NVME_PAGE_SIZE) {
				lp = list[i];
				chained = true;
				break;
			}
			if (list[i] & (NVME_PAGE_SIZE - 1))
				return ST_PRP_OFFSET;
			chunk = len - done < NVME_PAGE_SIZE ? len - done
							    : NVME_PAGE_SIZE;
			if (move(f, list[i], buf + done, chunk, to_host))
				return ST_DATA_XFER;
			done += chunk;
		}
		if (!chained && done < len)
			return ST_INVALID_FIELD;
	}
	f->st.prp_list_pages += pages;
	if (pages > f->st.max_list_pages)
		f->st.max_list_pages = pages;
	return ST_OK;
}

static void post(struct fake *f, uint16_t sqid, uint16_t cid,
		 uint16_t status, uint32_t dw0)
{
	struct fsq *sq = &f->sq[sqid];
	struct fcq *cq = &f->cq[sq->cqid];
	struct nvme_cqe e = {
		.dw0 = dw0,
		.sqhd = (uint16_t)sq->head,
		.sqid = sqid,
		.cid = cid,
		.status = (uint16_t)(status << 1 | cq->phase),
	};

	if (sqid && f->faults.bogus_cid)
		e.cid = cid ^ 0x4000;
	if (sqid && f->faults.stale_phase)
		e.status ^= 1;
	if (fake_regwin_dma_write(&f->w, cq->base + cq->tail * sizeof(e), &e,
				  sizeof(e)))
		return;
	cq->tail = next(cq->tail, cq->size);
	if (!cq->tail)
		cq->phase ^= 1;
	if (cq->ien)
		fake_regwin_signal(&f->w, cq->iv);
}

static bool cmb_regs_valid(const struct fake *f)
{
	return f->p.cmb_units &&
	       (f->p.cmb_legacy || (f->cmbmsc & NVME_CMBMSC_CRE));
}

/* As QEMU: a low-half write decides; CBA comes from both halves. */
static void cmb_update(struct fake *f)
{
	f->st.cmb_decoded = (f->cmbmsc & NVME_CMBMSC_CRE) &&
			    (f->cmbmsc & NVME_CMBMSC_CMSE);
	if (f->st.cmb_decoded)
		f->st.cmb_cba = f->cmbmsc & NVME_CMBMSC_CBA_MASK;
}

/* The CMB bytes at controller address @addr, or NULL when [addr, addr +
 * len) is not all CMB (or the CMB does not fit its BAR). */
static uint8_t *cmb_at(struct fake *f, uint64_t addr, size_t len)
{
	uint64_t off = (uint64_t)f->p.cmb_ofst * CMB_UNIT;
	uint64_t size = (uint64_t)f->p.cmb_units * CMB_UNIT;
	uint64_t base = f->p.cmb_legacy ? FAKE_NVME_BAR2_ADDR + off
					: f->st.cmb_cba;

	if (!f->bar2 || !f->st.cmb_decoded || off > f->bar2_size ||
	    size > f->bar2_size - off || addr < base || addr - base > size ||
	    len > size - (addr - base))
		return NULL;
	return f->bar2 + off + (addr - base);
}

/* One SQ entry: from the CMB where its address lies there, else by DMA
 * (@counted: a refused DMA counts as a fault). */
static int sqe_read(struct fake *f, uint64_t addr, struct uvf_nvme_cmd *c,
		    bool counted)
{
	uint8_t *cmb = cmb_at(f, addr, sizeof(*c));

	if (cmb) {
		memcpy(c, cmb, sizeof(*c));
		f->st.cmb_sqe_fetches++;
		return 0;
	}
	return counted ? fake_regwin_dma_read(&f->w, addr, c, sizeof(*c))
		       : uvf_sim_dma_read(&f->w.dev, addr, c, sizeof(*c));
}

static uint16_t identify(struct fake *f, const struct uvf_nvme_cmd *c)
{
	uint8_t id[NVME_IDENTIFY_SIZE] = { 0 };
	unsigned int i, n = 0;

	switch (c->cdw10 & 0xff) {
	case NVME_CNS_CTRL:
		put16(id + NVME_IDC_VID, f->p.vendor);
		put16(id + NVME_IDC_SSVID, 0x1af4);
		put_str(id + NVME_IDC_SN, "FAKE0001", 20);
		put_str(id + NVME_IDC_MN, "uvf fake NVMe controller", 40);
		put_str(id + NVME_IDC_FR, "1.0", 8);
		id[NVME_IDC_MDTS] = f->p.mdts;
		put16(id + NVME_IDC_CNTLID, 1);
		put32(id + NVME_IDC_VER, f->vs);
		id[NVME_IDC_SQES] = 0x66;
		id[NVME_IDC_CQES] = 0x44;
		put32(id + NVME_IDC_NN, f->p.nr_ns);
		put16(id + NVME_IDC_ONCS,
		      f->p.write_zeroes ? NVME_ONCS_WRITE_ZEROES : 0);
		put16(id + NVME_IDC_OACS,
		      (f->p.dbbuf ? NVME_OACS_DBBUF_CONFIG : 0) |
		      (f->p.sriov_vfs && !f->p.sriov_no_oacs ?
			       SPEC_OACS_VIRT_MGMT : 0));
		id[NVME_IDC_VWC] = f->p.vwc ? NVME_VWC_PRESENT : 0;
		id[NVME_IDC_AERL] = AERL;
		put32(id + NVME_IDC_SGLS, f->p.sgls);
		break;
	case NVME_CNS_NS:
		if (!c->nsid || c->nsid > f->p.nr_ns)
			return ST_INVALID_NS;
		put64(id + NVME_IDNS_NSZE, f->p.nsze);
		put64(id + NVME_IDNS_NCAP, f->p.nsze);
		put64(id + NVME_IDNS_NUSE, f->p.nsze);
		id[NVME_IDNS_LBAF + 2] = f->p.lbads;
		if (c->nsid == f->p.md_nsid) {
			put16(id + NVME_IDNS_LBAF, f->p.ms);
			id[NVME_IDNS_FLBAS] =
				f->p.md_extended ? NVME_FLBAS_EXTENDED : 0;
		}
		break;
	case NVME_CNS_ACTIVE_NS_LIST:
		for (i = c->nsid + 1; i <= f->p.nr_ns && n < 1024; i++)
			put32(id + 4 * n++, i);
		break;
	case NVME_CNS_SECONDARY_CTRL_LIST:
		if (!f->p.sriov_vfs)
			return ST_INVALID_FIELD;
		id[0] = (uint8_t)f->p.sriov_vfs;
		for (i = 0; i < f->p.sriov_vfs; i++) {
			uint8_t *e = id + NVME_SCL_ENTRY(i);

			put16(e + NVME_SCE_SCID, (uint16_t)(i + 2));
			put16(e + 2, 1);		/* primary */
			e[NVME_SCE_SCS] = f->sec[i].online;
			put16(e + NVME_SCE_VFN, (uint16_t)(i + 1));
			put16(e + 10, (uint16_t)f->sec[i].nvq);
			put16(e + 12, (uint16_t)f->sec[i].nvi);
		}
		break;
	default:
		return ST_INVALID_FIELD;
	}
	return xfer(f, c->prp1, c->prp2, id, sizeof(id), true);
}

static uint16_t create_cq(struct fake *f, const struct uvf_nvme_cmd *c)
{
	uint16_t qid = (uint16_t)c->cdw10;
	uint32_t size = (c->cdw10 >> 16) + 1;
	struct fcq *cq = &f->cq[qid];

	if (!qid || qid > f->granted || cq->live)
		return ST_INVALID_QID;
	if (size < 2 || size > f->p.mqes + 1u)
		return ST_INVALID_QSIZE;
	if (!(c->cdw11 & NVME_QUEUE_PHYS_CONTIG) ||
	    (c->prp1 & (NVME_PAGE_SIZE - 1)))
		return ST_INVALID_FIELD;
	if ((c->cdw11 & NVME_CQ_IRQ_ENABLED) && (c->cdw11 >> 16) >= f->p.vectors)
		return ST_INVALID_VECTOR;
	*cq = (struct fcq){
		.live = true,
		.base = c->prp1,
		.size = size,
		.phase = 1,
		.ien = c->cdw11 & NVME_CQ_IRQ_ENABLED,
		.iv = (uint16_t)(c->cdw11 >> 16),
	};
	f->st.live_io_queues++;
	return ST_OK;
}

static uint16_t create_sq(struct fake *f, const struct uvf_nvme_cmd *c)
{
	uint16_t qid = (uint16_t)c->cdw10, cqid = (uint16_t)(c->cdw11 >> 16);
	uint32_t size = (c->cdw10 >> 16) + 1;
	struct fsq *sq = &f->sq[qid];

	if (!qid || qid > f->granted || sq->live)
		return ST_INVALID_QID;
	if (!cqid || cqid > MAX_QID || !f->cq[cqid].live)
		return ST_CQ_INVALID;
	if (size < 2 || size > f->p.mqes + 1u)
		return ST_INVALID_QSIZE;
	if (!(c->cdw11 & NVME_QUEUE_PHYS_CONTIG) ||
	    (c->prp1 & (NVME_PAGE_SIZE - 1)))
		return ST_INVALID_FIELD;
	free(sq->dropped);
	*sq = (struct fsq){
		.live = true,
		.base = c->prp1,
		.size = size,
		.cqid = cqid,
		.dropped = calloc(size, sizeof(uint16_t)),
	};
	ck_assert_ptr_nonnull(sq->dropped);
	return ST_OK;
}

/* Deleting a submission queue aborts what it still holds: dropped
 * commands and entries never fetched. */
static uint16_t delete_sq(struct fake *f, const struct uvf_nvme_cmd *c)
{
	uint16_t qid = (uint16_t)c->cdw10;
	struct fsq *sq = &f->sq[qid];
	struct uvf_nvme_cmd e;
	uint32_t i;

	if (!qid || qid > MAX_QID || !sq->live)
		return ST_INVALID_QID;
	if (shadowed(f, qid))	/* the shadow tail is the doorbell */
		dbbuf_read(f, qid, false, &sq->tail, sq->size);
	for (i = 0; i < sq->ndropped; i++, f->st.aborted_by_delete++)
		post(f, qid, sq->dropped[i], ST_ABORTED_SQ_DELETED, 0);
	for (; sq->head != sq->tail; f->st.aborted_by_delete++) {
		/* Not a fault the stats count: the queue is going away. */
		if (sqe_read(f, sq->base + sq->head * sizeof(e), &e, false))
			break;
		sq->head = next(sq->head, sq->size);
		post(f, qid, e.cid, ST_ABORTED_SQ_DELETED, 0);
	}
	sq->live = false;
	free(sq->dropped);
	sq->dropped = NULL;
	sq->ndropped = 0;
	return ST_OK;
}

static uint16_t delete_cq(struct fake *f, const struct uvf_nvme_cmd *c)
{
	uint16_t qid = (uint16_t)c->cdw10;
	unsigned int i;

	if (!qid || qid > MAX_QID || !f->cq[qid].live)
		return ST_INVALID_QID;
	for (i = 1; i <= MAX_QID; i++)
		if (f->sq[i].live && f->sq[i].cqid == qid)
			return ST_INVALID_DELETE;
	f->cq[qid].live = false;
	f->st.live_io_queues--;
	return ST_OK;
}

static uint16_t dbbuf_config(struct fake *f, const struct uvf_nvme_cmd *c)
{
	if (!f->p.dbbuf)
		return ST_INVALID_OPCODE;
	if ((c->prp1 | c->prp2) & (NVME_PAGE_SIZE - 1))
		return ST_INVALID_FIELD;
	f->dbbuf_on = true;
	f->dbbuf_shadow = c->prp1;
	f->dbbuf_eventidx = c->prp2;
	f->st.dbbuf_configs++;
	return ST_OK;
}

/* Queue @qid's shadow (or EventIdx at @base) entry: SQ, or CQ with @cq. */
static uint64_t dbbuf_entry(const struct fake *f, uint64_t base, uint16_t qid,
			    bool cq)
{
	return base + ((uint64_t)(2u * qid + cq) << f->p.dstrd) * 4;
}

/* Shadow doorbells apply to I/O queues; the admin queue's register is
 * always written. */
static bool shadowed(const struct fake *f, uint16_t qid)
{
	return f->dbbuf_on && qid;
}

static void dbbuf_read(struct fake *f, uint16_t qid, bool cq, uint32_t *val,
		       uint32_t size)
{
	uint32_t v;

	if (!fake_regwin_dma_read(&f->w, dbbuf_entry(f, f->dbbuf_shadow, qid, cq),
				  &v, sizeof(v)) && v < size)
		*val = v;
}

static void eventidx_write(struct fake *f, uint16_t qid, bool cq,
			   uint32_t val)
{
	fake_regwin_dma_write(&f->w, dbbuf_entry(f, f->dbbuf_eventidx, qid, cq),
			      &val, sizeof(val));
}

/* Flexible resources of type @rt not assigned to any secondary. */
static unsigned int res_free(const struct fake *f, unsigned int rt)
{
	unsigned int used = 0;

	for (unsigned int i = 0; i < f->p.sriov_vfs; i++)
		used += rt ? f->sec[i].nvi : f->sec[i].nvq;
	return (rt ? f->p.sriov_vi : f->p.sriov_vq) - used;
}

/* Virtualization Management as QEMU checks it: resources change only
 * offline, and a controller goes online only with some of each. */
static uint16_t virt_mgmt(struct fake *f, const struct uvf_nvme_cmd *c)
{
	unsigned int act = c->cdw10 & 0xf, rt = (c->cdw10 >> 8) & 7;
	unsigned int id = c->cdw10 >> 16, nr = c->cdw11 & 0xffff;
	struct fake_nvme_secondary *sc;

	if (!f->p.sriov_vfs)
		return ST_INVALID_OPCODE;
	if (id < 2 || id >= 2 + f->p.sriov_vfs)
		return ST_INVALID_CTRL_ID;
	sc = &f->sec[id - 2];
	switch (act) {
	case NVME_VM_ACT_SEC_OFFLINE:
		sc->online = false;
		return ST_OK;
	case NVME_VM_ACT_SEC_ASSIGN:
		if (rt > NVME_VM_RT_VI)
			return ST_INVALID_RES_ID;
		if (sc->online)
			return ST_INVALID_SEC_STATE;
		if (rt)
			sc->nvi = 0;
		else
			sc->nvq = 0;
		if (nr > res_free(f, rt))
			return ST_INVALID_NR_RES;
		if (rt)
			sc->nvi = nr;
		else
			sc->nvq = nr;
		return ST_OK;
	case NVME_VM_ACT_SEC_ONLINE:
		if (sc->nvq < 2 || !sc->nvi)
			return ST_INVALID_SEC_STATE;
		sc->online = true;
		return ST_OK;
	default:
		return ST_INVALID_FIELD;
	}
}

static uint16_t exec_admin(struct fake *f, const struct uvf_nvme_cmd *c,
			   uint32_t *dw0)
{
	unsigned int g;

	f->st.admin++;
	switch (c->opc) {
	case NVME_ADMIN_IDENTIFY:
		return identify(f, c);
	case NVME_ADMIN_SET_FEATURES:
		if ((c->cdw10 & 0xff) != NVME_FEAT_NUM_QUEUES ||
		    (c->cdw11 & 0xffff) == 0xffff || (c->cdw11 >> 16) == 0xffff)
			return ST_INVALID_FIELD;
		/* Like QEMU: grant what the controller has. */
		g = f->p.max_queues < MAX_QID ? f->p.max_queues : MAX_QID;
		f->granted = g;
		*dw0 = (g - 1) << 16 | (g - 1);
		return ST_OK;
	case NVME_ADMIN_CREATE_CQ:
		return create_cq(f, c);
	case NVME_ADMIN_CREATE_SQ:
		return create_sq(f, c);
	case NVME_ADMIN_DELETE_SQ:
		return delete_sq(f, c);
	case NVME_ADMIN_DELETE_CQ:
		return delete_cq(f, c);
	case NVME_ADMIN_DBBUF_CONFIG:
		return dbbuf_config(f, c);
	case NVME_ADMIN_VIRT_MGMT:
		return virt_mgmt(f, c);
	case NVME_ADMIN_ASYNC_EVENT:
		/* Held until an event; no more than AERL + 1 at once. */
		if (f->naer > AERL)
			return ST_AER_LIMIT;
		f->aer_cids[f->naer++] = c->cid;
		f->st.aers_pending = f->naer;
		return NO_POST;
	default:
		return ST_INVALID_OPCODE;
	}
}

/* A Read or Write's data: PRPs, or SGLs with MPTR an address. */
static uint16_t data_xfer(struct fake *f, const struct uvf_nvme_cmd *c,
			  uint8_t *buf, size_t len, bool to_host)
{
	struct fake_sgl_walk wk = {
		.w = &f->w,
		.dword = NVME_SGLS_SUPPORT(f->p.sgls) == NVME_SGLS_DWORD_ALIGN,
	};
	struct nvme_sgl_desc sgl1;
	uint16_t st;

	switch (c->flags & NVME_PSDT_MASK) {
	case NVME_PSDT_PRP:
		return xfer(f, c->prp1, c->prp2, buf, len, to_host);
	case NVME_PSDT_SGL_MPTR_ADDR:
		if (!NVME_SGLS_SUPPORT(f->p.sgls))
			return ST_INVALID_FIELD;
		memcpy(&sgl1, &c->prp1, sizeof(sgl1));
		st = fake_sgl_xfer(&wk, &sgl1, buf, len, to_host);
		f->st.sgl_cmds++;
		f->st.sgl_data_blocks += wk.data_blocks;
		f->st.sgl_segments += wk.segments;
		return st;
	default:	/* MPTR as an SGL: not offered (SGLS bit 19) */
		return ST_INVALID_FIELD;
	}
}

/* Blocks between the media (and metadata) and a transfer buffer: @xbuf
 * holds data then metadata per block when extended, else data only and
 * @mbuf the metadata. */
static void blocks_copy(struct fake *f, uint32_t nsid, uint64_t slba,
			uint32_t nlb, uint8_t *xbuf, uint8_t *mbuf,
			bool to_media)
{
	size_t bs = (size_t)1 << f->p.lbads, ms = 0, i;
	uint8_t *media = f->media[nsid - 1] + slba * bs, *meta = NULL;

	if (nsid == f->p.md_nsid && f->p.ms) {
		ms = f->p.ms;
		meta = f->meta + slba * ms;
	}
	if (!ms || !f->p.md_extended) {
		if (to_media)
			memcpy(media, xbuf, nlb * bs);
		else
			memcpy(xbuf, media, nlb * bs);
		if (ms && to_media)
			memcpy(meta, mbuf, nlb * ms);
		else if (ms)
			memcpy(mbuf, meta, nlb * ms);
		return;
	}
	for (i = 0; i < nlb; i++, xbuf += bs + ms) {
		if (to_media) {
			memcpy(media + i * bs, xbuf, bs);
			memcpy(meta + i * ms, xbuf + bs, ms);
		} else {
			memcpy(xbuf, media + i * bs, bs);
			memcpy(xbuf + bs, meta + i * ms, ms);
		}
	}
}

static uint16_t rw(struct fake *f, const struct uvf_nvme_cmd *c)
{
	uint64_t slba = c->cdw10 | (uint64_t)c->cdw11 << 32;
	uint32_t nlb = (c->cdw12 & 0xffff) + 1;
	size_t ms = c->nsid == f->p.md_nsid ? f->p.ms : 0;
	bool ext = ms && f->p.md_extended;
	size_t bs = (size_t)1 << f->p.lbads, md_len = ext ? 0 : nlb * ms;
	size_t len = (size_t)nlb * (bs + (ext ? ms : 0));
	bool rd = c->opc == NVME_CMD_READ;
	uint8_t *xbuf, *mbuf = NULL;
	uint16_t st;

	if (slba >= f->p.nsze || nlb > f->p.nsze - slba)
		return ST_LBA_RANGE;
	if (f->p.mdts &&
	    len > ((size_t)NVME_PAGE_SIZE << f->p.mpsmin) << f->p.mdts)
		return ST_INVALID_FIELD;
	if (c->opc == NVME_CMD_WRITE_ZEROES) {
		if (!f->p.write_zeroes)
			return ST_INVALID_OPCODE;
		memset(f->media[c->nsid - 1] + slba * bs, 0, nlb * bs);
		if (ms)
			memset(f->meta + slba * ms, 0, nlb * ms);
		f->st.write_zeroes++;
		return ST_OK;
	}
	xbuf = malloc(len);
	ck_assert_ptr_nonnull(xbuf);
	if (md_len) {
		mbuf = malloc(md_len);
		ck_assert_ptr_nonnull(mbuf);
	}
	if (rd)
		blocks_copy(f, c->nsid, slba, nlb, xbuf, mbuf, false);
	st = data_xfer(f, c, xbuf, len, rd);
	/* Separate metadata: one contiguous buffer at MPTR. */
	if (!st && mbuf && (c->mptr & 3))
		st = ST_INVALID_FIELD;
	if (!st && mbuf) {
		if (rd ? fake_regwin_dma_write(&f->w, c->mptr, mbuf, md_len)
		       : fake_regwin_dma_read(&f->w, c->mptr, mbuf, md_len))
			st = ST_DATA_XFER;
		else
			f->st.md_bytes += md_len;
	}
	/* Writes land only when every byte arrived. */
	if (!st && !rd)
		blocks_copy(f, c->nsid, slba, nlb, xbuf, mbuf, true);
	if (rd) {
		f->st.reads++;
		f->st.bytes_read += st ? 0 : len;
	} else {
		f->st.writes++;
		f->st.bytes_written += st ? 0 : len;
	}
	free(mbuf);
	free(xbuf);
	return st;
}

static uint16_t exec_io(struct fake *f, uint16_t qid,
			const struct uvf_nvme_cmd *c)
{
	struct fsq *sq = &f->sq[qid];

	if (f->faults.drop) {
		sq->dropped[sq->ndropped++] = c->cid;
		return NO_POST;
	}
	if (!c->nsid || c->nsid > f->p.nr_ns)
		return ST_INVALID_NS;
	switch (c->opc) {
	case NVME_CMD_READ:
	case NVME_CMD_WRITE:
	case NVME_CMD_WRITE_ZEROES:
		return rw(f, c);
	case NVME_CMD_FLUSH:
		f->st.flushes++;
		return ST_OK;
	default:
		return ST_INVALID_OPCODE;
	}
}

/* Fetch and execute until the SQ is empty or its CQ is full. */
static void fetch_and_exec(struct fake *f, uint16_t qid)
{
	struct fsq *sq = &f->sq[qid];
	struct uvf_nvme_cmd c;
	struct fcq *cq;
	uint32_t dw0;
	uint16_t st;

	while (sq->live && sq->head != sq->tail && !f->faults.fatal &&
	       !f->faults.fatal_until_reset) {
		if (qid && f->faults.hold)
			return;
		cq = &f->cq[sq->cqid];
		if (shadowed(f, qid)) {
			/* The head it has seen: the host may skip the
			 * register write until it passes this. */
			dbbuf_read(f, sq->cqid, true, &cq->head, cq->size);
			eventidx_write(f, sq->cqid, true, cq->head);
		}
		if (next(cq->tail, cq->size) == cq->head)
			return;
		if (sqe_read(f, sq->base + sq->head * sizeof(c), &c, true))
			return;
		sq->head = next(sq->head, sq->size);
		dw0 = 0;
		st = qid ? exec_io(f, qid, &c) : exec_admin(f, &c, &dw0);
		if (st != NO_POST)
			post(f, qid, c.cid, st, dw0);
	}
}

/* With shadow doorbells the tail comes from the shadow buffer, and
 * EventIdx says how far the fake has fetched: the host writes the register
 * again only for entries past it. Checking the shadow once more after
 * posting EventIdx closes the race with a host that skipped the write. */
static void process_sq(struct fake *f, uint16_t qid)
{
	struct fsq *sq = &f->sq[qid];
	uint32_t tail;

	if (!shadowed(f, qid) || !sq->live) {
		fetch_and_exec(f, qid);
		return;
	}
	for (;;) {
		dbbuf_read(f, qid, false, &sq->tail, sq->size);
		fetch_and_exec(f, qid);
		if (f->faults.hold || f->faults.fatal || sq->head != sq->tail)
			return;
		eventidx_write(f, qid, false, sq->tail);
		tail = sq->tail;
		dbbuf_read(f, qid, false, &tail, sq->size);
		if (tail == sq->tail)
			return;
	}
}

static void reset(struct fake *f)
{
	unsigned int i;

	for (i = 0; i <= MAX_QID; i++) {
		free(f->sq[i].dropped);
		f->sq[i] = (struct fsq){ 0 };
		f->cq[i] = (struct fcq){ 0 };
	}
	f->st.live_io_queues = 0;
	f->dbbuf_on = false;
	f->naer = f->st.aers_pending = 0;
	f->faults.fatal_until_reset = false;
	f->cc = 0;
	f->csts = 0;
	f->granted = 0;
	/* Forgotten here (QEMU keeps it): the driver must set it again. */
	f->cmbmsc = 0;
	cmb_update(f);
	f->st.cmb_decoded = f->p.cmb_legacy && f->p.cmb_units;
}

static void write_cc(struct fake *f, uint32_t val)
{
	uint32_t old = f->cc;

	f->cc = val;
	if (!(old & NVME_CC_EN) && (val & NVME_CC_EN)) {
		f->sq[0] = (struct fsq){
			.live = true,
			.base = f->asq,
			.size = (f->aqa & 0xfff) + 1,
		};
		f->cq[0] = (struct fcq){
			.live = true,
			.base = f->acq,
			.size = ((f->aqa >> 16) & 0xfff) + 1,
			.phase = 1,
			.ien = true,
		};
		f->st.enables++;
		if (!f->faults.never_ready)
			f->csts |= NVME_CSTS_RDY;
	} else if ((old & NVME_CC_EN) && !(val & NVME_CC_EN)) {
		reset(f);
	}
	if ((val & NVME_CC_SHN_MASK) && !(old & NVME_CC_SHN_MASK)) {
		f->st.shutdowns++;
		f->csts = (f->csts & ~NVME_CSTS_SHST_MASK) | NVME_CSTS_SHST_DONE;
	}
}

static void doorbell(struct fake *f, uint32_t off, uint32_t val)
{
	uint64_t stride = 4ull << f->p.dstrd, idx = (off - NVME_REG_DBS) / stride;
	uint16_t qid = (uint16_t)(idx / 2);
	unsigned int i;

	if ((off - NVME_REG_DBS) % stride || qid > MAX_QID)
		return;
	if (qid && !(idx & 1))
		f->st.sq_doorbell_writes++;
	else if (qid)
		f->st.cq_doorbell_writes++;
	if (!(idx & 1)) {
		if (f->sq[qid].live && val < f->sq[qid].size) {
			f->sq[qid].tail = val;
			process_sq(f, qid);
		}
		return;
	}
	if (!f->cq[qid].live || val >= f->cq[qid].size)
		return;
	f->cq[qid].head = val;
	/* Room in the CQ again: resume queues that waited for it. */
	for (i = 0; i <= MAX_QID; i++)
		if (f->sq[i].live && f->sq[i].cqid == qid)
			process_sq(f, (uint16_t)i);
}

static uint32_t reg_read(struct fake_regwin *w, uint32_t off)
{
	struct fake *f = fake_of_win(w);

	switch (off) {
	case NVME_REG_CAP:
		return (uint32_t)f->cap;
	case NVME_REG_CAP + 4:
		return (uint32_t)(f->cap >> 32);
	case NVME_REG_VS:
		return f->vs;
	case NVME_REG_INTMS:
	case NVME_REG_INTMC:
		return f->intms;
	case NVME_REG_CC:
		return f->cc;
	case NVME_REG_CSTS:
		return f->csts | (f->faults.fatal || f->faults.fatal_until_reset
					  ? NVME_CSTS_CFS
					  : 0);
	case NVME_REG_AQA:
		return f->aqa;
	case NVME_REG_ASQ:
		return (uint32_t)f->asq;
	case NVME_REG_ASQ + 4:
		return (uint32_t)(f->asq >> 32);
	case NVME_REG_ACQ:
		return (uint32_t)f->acq;
	case NVME_REG_ACQ + 4:
		return (uint32_t)(f->acq >> 32);
	case NVME_REG_CMBLOC:
		return cmb_regs_valid(f) ? f->p.cmb_ofst << 12 | 2u : 0;
	case NVME_REG_CMBSZ:
		return cmb_regs_valid(f) ? f->p.cmb_units << 12 | CMBSZ_SZU_64K |
						   (f->p.cmb_no_sqs ? 0 : NVME_CMBSZ_SQS)
					 : 0;
	case NVME_REG_CMBMSC:
		return (uint32_t)f->cmbmsc;
	case NVME_REG_CMBMSC + 4:
		return (uint32_t)(f->cmbmsc >> 32);
	default:
		return 0;
	}
}

static void reg_write(struct fake_regwin *w, uint32_t off, uint32_t val)
{
	struct fake *f = fake_of_win(w);

	if (off >= NVME_REG_DBS) {
		doorbell(f, off, val);
		return;
	}
	switch (off) {
	case NVME_REG_INTMS:
		f->intms |= val;
		break;
	case NVME_REG_INTMC:
		f->intms &= ~val;
		break;
	case NVME_REG_CC:
		write_cc(f, val);
		break;
	case NVME_REG_AQA:
		f->aqa = val;
		break;
	case NVME_REG_ASQ:
		f->asq = (f->asq & ~0xffffffffull) | val;
		break;
	case NVME_REG_ASQ + 4:
		f->asq = (f->asq & 0xffffffffull) | (uint64_t)val << 32;
		break;
	case NVME_REG_ACQ:
		f->acq = (f->acq & ~0xffffffffull) | val;
		break;
	case NVME_REG_ACQ + 4:
		f->acq = (f->acq & 0xffffffffull) | (uint64_t)val << 32;
		break;
	case NVME_REG_CMBMSC:
		if (f->p.cmb_units && !f->p.cmb_legacy) {
			f->cmbmsc = (f->cmbmsc & ~0xffffffffull) | val;
			f->st.cmbmsc_writes++;
			cmb_update(f);
		}
		break;
	case NVME_REG_CMBMSC + 4:
		if (f->p.cmb_units && !f->p.cmb_legacy)
			f->cmbmsc = (f->cmbmsc & 0xffffffffull) |
				    (uint64_t)val << 32;
		break;
	}
}

static void fake_reset(struct fake_regwin *w)
{
	reset(fake_of_win(w));
}

static void fake_destroy(struct fake_regwin *w)
{
	struct fake *f = fake_of_win(w);
	unsigned int i;

	reset(f);
	for (i = 0; i < f->p.nr_ns; i++)
		free(f->media[i]);
	free(f->media);
	free(f->meta);
	free(f->bar2);
}

static const struct fake_regwin_ops fake_ops = {
	.read = reg_read,
	.write = reg_write,
	.reset = fake_reset,
	.destroy = fake_destroy,
};

struct uvf_device *fake_nvme_create(struct uvf_iommu *iommu,
				    const struct fake_nvme_params *p)
{
	struct fake_regwin_desc desc = {
		.name = "fake-nvme0",
		.rid = 0x0020,
		.vendor = p->vendor,
		.device = p->device,
		.class_code = p->class_code,
		.bar0_size = BAR0_SIZE,
		.bar0_flags = UVF_BAR_MMIO | UVF_BAR_64,
		.split64 = true,	/* CAP, ASQ and ACQ are 64-bit */
		.msix_max = p->no_msix ? 0 : p->vectors,
		.msi_max = p->vectors < 32 ? p->vectors : 32,
	};
	struct fake *f;
	unsigned int i;

	if (p->cmb_units) {
		desc.bar2_size = p->cmb_bar_size
					 ? p->cmb_bar_size
					 : (uint64_t)(p->cmb_ofst + p->cmb_units) *
						   CMB_UNIT;
		desc.bar2_mem = calloc(1, desc.bar2_size);
		ck_assert_ptr_nonnull(desc.bar2_mem);
		desc.bar2_addr = FAKE_NVME_BAR2_ADDR;
	}
	f = fake_regwin_create(sizeof(*f), &fake_ops, &desc, iommu);
	f->bar2 = desc.bar2_mem;
	f->bar2_size = desc.bar2_size;

	f->w.irqs = &f->st.irqs;
	f->w.dma_faults = &f->st.dma_faults;
	ck_assert_uint_le(p->sriov_vfs, MAX_VFS);
	f->p = *p;
	f->cap = p->mqes | 1ull << 16 | (uint64_t)p->to << 24 |
		 (uint64_t)p->dstrd << 32 | (uint64_t)NVME_CAP_CSS_NVM << 37 |
		 (uint64_t)p->mpsmin << 48 | 4ull << 52 |
		 (uint64_t)(p->cmb_units && !p->cmb_legacy) << 57;
	f->st.cmb_decoded = p->cmb_legacy && p->cmb_units;
	f->vs = 0x00010400;
	f->media = calloc(p->nr_ns, sizeof(*f->media));
	ck_assert_ptr_nonnull(f->media);
	for (i = 0; i < p->nr_ns; i++) {
		f->media[i] = calloc(p->nsze, 1ull << p->lbads);
		ck_assert_ptr_nonnull(f->media[i]);
	}
	if (p->md_nsid && p->ms) {
		ck_assert(p->md_nsid <= p->nr_ns);
		f->meta = calloc(p->nsze, p->ms);
		ck_assert_ptr_nonnull(f->meta);
	}
	return &f->w.dev;
}

void fake_nvme_set_faults(struct uvf_device *dev,
			  const struct fake_nvme_faults *faults)
{
	struct fake *f = fake_of(dev);

	fake_regwin_locked_copy(&f->w, &f->faults, faults, sizeof(*faults));
}

void fake_nvme_release(struct uvf_device *dev)
{
	struct fake *f = fake_of(dev);
	unsigned int i;

	pthread_mutex_lock(&f->w.lock);
	f->faults.hold = false;
	for (i = 1; i <= MAX_QID; i++)
		process_sq(f, (uint16_t)i);
	pthread_mutex_unlock(&f->w.lock);
}

void fake_nvme_get_stats(struct uvf_device *dev, struct fake_nvme_stats *st)
{
	struct fake *f = fake_of(dev);

	fake_regwin_locked_copy(&f->w, st, &f->st, sizeof(*st));
}

bool fake_nvme_async_event(struct uvf_device *dev, uint8_t type,
			   uint8_t info, uint8_t log)
{
	struct fake *f = fake_of(dev);
	bool posted = false;
	uint16_t cid;

	pthread_mutex_lock(&f->w.lock);
	if (f->naer) {
		cid = f->aer_cids[0];
		memmove(f->aer_cids, f->aer_cids + 1,
			--f->naer * sizeof(f->aer_cids[0]));
		f->st.aers_pending = f->naer;
		post(f, 0, cid, ST_OK,
		     (uint32_t)log << 16 | (uint32_t)info << 8 | (type & 7));
		posted = true;
	}
	pthread_mutex_unlock(&f->w.lock);
	return posted;
}

void fake_nvme_remove(struct uvf_device *dev)
{
	fake_regwin_remove(fake_regwin_of(dev));
}

uint8_t *fake_nvme_media(struct uvf_device *dev, uint32_t nsid)
{
	struct fake *f = fake_of(dev);

	ck_assert(nsid >= 1 && nsid <= f->p.nr_ns);
	return f->media[nsid - 1];
}

uint8_t *fake_nvme_meta(struct uvf_device *dev)
{
	struct fake *f = fake_of(dev);

	ck_assert_ptr_nonnull(f->meta);
	return f->meta;
}
