/* SPDX-License-Identifier: MIT */
/* The fake NVMe controller (see fake_nvme.h). */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uvf/nvme.h>
#include <uvf/sim.h>

#include "device/device_priv.h"
#include "fake_nvme.h"
#include "nvme_regs.h"

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
	struct uvf_device dev;	/* first: the core hands us this pointer */
	pthread_mutex_t lock;
	struct fake_nvme_params p;
	struct fake_nvme_faults faults;
	struct fake_nvme_stats st;
	uint8_t cfg[256];
	uint64_t cap, asq, acq;
	uint32_t vs, cc, csts, aqa, intms;
	struct fsq sq[MAX_QID + 1];
	struct fcq cq[MAX_QID + 1];
	unsigned int granted;
	const int *irq_fds;
	unsigned int irq_nvec;
	uint8_t **media;
};

static struct fake *fake_of(struct uvf_device *dev)
{
	return (struct fake *)dev;
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
	int ret;

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
		ret = to_host ? uvf_sim_dma_write(&f->dev, addr, buf + done,
						  chunk)
			      : uvf_sim_dma_read(&f->dev, addr, buf + done,
						 chunk);
		if (ret)
			goto fault;
		done += chunk;
	}
	while (done < len) {
		if (lp & 7)
			return ST_PRP_OFFSET;
		n = (NVME_PAGE_SIZE - (lp & (NVME_PAGE_SIZE - 1))) / 8;
		if (uvf_sim_dma_read(&f->dev, lp, list, n * 8))
			goto fault;
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
			ret = to_host ? uvf_sim_dma_write(&f->dev, list[i],
							  buf + done, chunk)
				      : uvf_sim_dma_read(&f->dev, list[i],
							 buf + done, chunk);
			if (ret)
				goto fault;
			done += chunk;
		}
		if (!chained && done < len)
			return ST_INVALID_FIELD;
	}
	f->st.prp_list_pages += pages;
	if (pages > f->st.max_list_pages)
		f->st.max_list_pages = pages;
	return ST_OK;
fault:
	f->st.dma_faults++;
	return ST_DATA_XFER;
}

static void raise_irq(struct fake *f, const struct fcq *cq)
{
	uint64_t one = 1;

	if (cq->ien && f->irq_fds && cq->iv < f->irq_nvec &&
	    write(f->irq_fds[cq->iv], &one, sizeof(one)) == sizeof(one))
		f->st.irqs++;
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
	if (uvf_sim_dma_write(&f->dev, cq->base + cq->tail * sizeof(e), &e,
			      sizeof(e))) {
		f->st.dma_faults++;
		return;
	}
	cq->tail = next(cq->tail, cq->size);
	if (!cq->tail)
		cq->phase ^= 1;
	raise_irq(f, cq);
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
		id[NVME_IDC_VWC] = f->p.vwc ? NVME_VWC_PRESENT : 0;
		break;
	case NVME_CNS_NS:
		if (!c->nsid || c->nsid > f->p.nr_ns)
			return ST_INVALID_NS;
		put64(id + NVME_IDNS_NSZE, f->p.nsze);
		put64(id + NVME_IDNS_NCAP, f->p.nsze);
		put64(id + NVME_IDNS_NUSE, f->p.nsze);
		id[NVME_IDNS_LBAF + 2] = f->p.lbads;
		break;
	case NVME_CNS_ACTIVE_NS_LIST:
		for (i = c->nsid + 1; i <= f->p.nr_ns && n < 1024; i++)
			put32(id + 4 * n++, i);
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
	for (i = 0; i < sq->ndropped; i++, f->st.aborted_by_delete++)
		post(f, qid, sq->dropped[i], ST_ABORTED_SQ_DELETED, 0);
	for (; sq->head != sq->tail; f->st.aborted_by_delete++) {
		if (uvf_sim_dma_read(&f->dev, sq->base + sq->head * sizeof(e),
				     &e, sizeof(e)))
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
	default:
		return ST_INVALID_OPCODE;
	}
}

static uint16_t rw(struct fake *f, const struct uvf_nvme_cmd *c)
{
	uint64_t slba = c->cdw10 | (uint64_t)c->cdw11 << 32;
	uint32_t nlb = (c->cdw12 & 0xffff) + 1;
	size_t len = (size_t)nlb << f->p.lbads;
	uint8_t *media = f->media[c->nsid - 1] + (slba << f->p.lbads);
	uint8_t *bounce;
	uint16_t st;

	if (slba >= f->p.nsze || nlb > f->p.nsze - slba)
		return ST_LBA_RANGE;
	if (f->p.mdts &&
	    len > ((size_t)NVME_PAGE_SIZE << f->p.mpsmin) << f->p.mdts)
		return ST_INVALID_FIELD;
	if (c->opc == NVME_CMD_WRITE_ZEROES) {
		if (!f->p.write_zeroes)
			return ST_INVALID_OPCODE;
		memset(media, 0, len);
		f->st.write_zeroes++;
		return ST_OK;
	}
	if (c->opc == NVME_CMD_READ) {
		st = xfer(f, c->prp1, c->prp2, media, len, true);
		f->st.reads++;
		f->st.bytes_read += st ? 0 : len;
		return st;
	}
	/* Writes land only when every byte arrived. */
	bounce = malloc(len);
	ck_assert_ptr_nonnull(bounce);
	st = xfer(f, c->prp1, c->prp2, bounce, len, false);
	if (!st) {
		memcpy(media, bounce, len);
		f->st.bytes_written += len;
	}
	free(bounce);
	f->st.writes++;
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
static void process_sq(struct fake *f, uint16_t qid)
{
	struct fsq *sq = &f->sq[qid];
	struct uvf_nvme_cmd c;
	struct fcq *cq;
	uint32_t dw0;
	uint16_t st;

	while (sq->live && sq->head != sq->tail && !f->faults.fatal) {
		if (qid && f->faults.hold)
			return;
		cq = &f->cq[sq->cqid];
		if (next(cq->tail, cq->size) == cq->head)
			return;
		if (uvf_sim_dma_read(&f->dev, sq->base + sq->head * sizeof(c),
				     &c, sizeof(c))) {
			f->st.dma_faults++;
			return;
		}
		sq->head = next(sq->head, sq->size);
		dw0 = 0;
		st = qid ? exec_io(f, qid, &c) : exec_admin(f, &c, &dw0);
		if (st != NO_POST)
			post(f, qid, c.cid, st, dw0);
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
	f->cc = 0;
	f->csts = 0;
	f->granted = 0;
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

static void doorbell(struct fake *f, uint64_t off, uint32_t val)
{
	uint64_t stride = 4ull << f->p.dstrd, idx = (off - NVME_REG_DBS) / stride;
	uint16_t qid = (uint16_t)(idx / 2);
	unsigned int i;

	if ((off - NVME_REG_DBS) % stride || qid > MAX_QID)
		return;
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

static uint32_t reg_read(struct fake *f, uint64_t off)
{
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
		return f->csts | (f->faults.fatal ? NVME_CSTS_CFS : 0);
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
	default:
		return 0;
	}
}

static void reg_write(struct fake *f, uint64_t off, uint32_t val)
{
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
	}
}

static int fk_bar_info(struct uvf_device *dev, unsigned int bar,
		       struct uvf_bar_info *info)
{
	(void)dev;
	*info = (struct uvf_bar_info){ 0 };
	if (bar == 0) {
		info->size = BAR0_SIZE;
		info->flags = UVF_BAR_MMIO | UVF_BAR_64;
	}
	return 0;
}

static int fk_bar_read(struct uvf_device *dev, unsigned int bar,
		       uint64_t off, uint64_t *val, unsigned int len)
{
	struct fake *f = fake_of(dev);

	(void)bar;
	if (len != 4 && len != 8)
		return -EINVAL;
	pthread_mutex_lock(&f->lock);
	*val = reg_read(f, off);
	if (len == 8)
		*val |= (uint64_t)reg_read(f, off + 4) << 32;
	pthread_mutex_unlock(&f->lock);
	return 0;
}

static int fk_bar_write(struct uvf_device *dev, unsigned int bar,
			uint64_t off, uint64_t val, unsigned int len)
{
	struct fake *f = fake_of(dev);

	(void)bar;
	if (len != 4 && len != 8)
		return -EINVAL;
	pthread_mutex_lock(&f->lock);
	reg_write(f, off, (uint32_t)val);
	if (len == 8)
		reg_write(f, off + 4, (uint32_t)(val >> 32));
	pthread_mutex_unlock(&f->lock);
	return 0;
}

static int fk_cfg_read(struct uvf_device *dev, uint32_t off, void *buf,
		       size_t len)
{
	struct fake *f = fake_of(dev);

	if (off > sizeof(f->cfg) || len > sizeof(f->cfg) - off)
		return -ERANGE;
	pthread_mutex_lock(&f->lock);
	memcpy(buf, f->cfg + off, len);
	pthread_mutex_unlock(&f->lock);
	return 0;
}

/* Only the command register is writable. */
static int fk_cfg_write(struct uvf_device *dev, uint32_t off,
			const void *buf, size_t len)
{
	struct fake *f = fake_of(dev);
	size_t i;

	if (off > sizeof(f->cfg) || len > sizeof(f->cfg) - off)
		return -ERANGE;
	pthread_mutex_lock(&f->lock);
	for (i = 0; i < len; i++)
		if (off + i == 0x04 || off + i == 0x05)
			f->cfg[off + i] = ((const uint8_t *)buf)[i];
	pthread_mutex_unlock(&f->lock);
	return 0;
}

static int fk_irq_set(struct uvf_device *dev, enum uvf_irq_type type,
		      const int *fds, unsigned int nvec)
{
	struct fake *f = fake_of(dev);

	if (fds && (type == UVF_IRQ_INTX || nvec > f->p.vectors ||
		    (type == UVF_IRQ_MSIX && f->p.no_msix) ||
		    (type == UVF_IRQ_MSI && nvec > 32)))
		return -ENOTSUP;
	pthread_mutex_lock(&f->lock);
	f->irq_fds = fds;
	f->irq_nvec = fds ? nvec : 0;
	pthread_mutex_unlock(&f->lock);
	return 0;
}

static int fk_reset(struct uvf_device *dev)
{
	struct fake *f = fake_of(dev);

	pthread_mutex_lock(&f->lock);
	reset(f);
	pthread_mutex_unlock(&f->lock);
	return 0;
}

static void fk_destroy(struct uvf_device *dev)
{
	struct fake *f = fake_of(dev);
	unsigned int i;

	reset(f);
	for (i = 0; i < f->p.nr_ns; i++)
		free(f->media[i]);
	free(f->media);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

static const struct uvf_device_ops fake_ops = {
	.bar_info = fk_bar_info,
	.bar_read = fk_bar_read,
	.bar_write = fk_bar_write,
	.cfg_read = fk_cfg_read,
	.cfg_write = fk_cfg_write,
	.irq_set = fk_irq_set,
	.reset = fk_reset,
	.destroy = fk_destroy,
};

struct uvf_device *fake_nvme_create(struct uvf_iommu *iommu,
				    const struct fake_nvme_params *p)
{
	struct fake *f = calloc(1, sizeof(*f));
	unsigned int i;

	ck_assert_ptr_nonnull(f);
	uvf_device_init(&f->dev, &fake_ops, "fake-nvme0", iommu, 0, 0x0020);
	pthread_mutex_init(&f->lock, NULL);
	f->p = *p;
	f->cap = p->mqes | 1ull << 16 | (uint64_t)p->to << 24 |
		 (uint64_t)p->dstrd << 32 | (uint64_t)NVME_CAP_CSS_NVM << 37 |
		 (uint64_t)p->mpsmin << 48 | 4ull << 52;
	f->vs = 0x00010400;
	put16(f->cfg, p->vendor);
	put16(f->cfg + 2, p->device);
	f->cfg[0x09] = (uint8_t)p->class_code;
	f->cfg[0x0a] = (uint8_t)(p->class_code >> 8);
	f->cfg[0x0b] = (uint8_t)(p->class_code >> 16);
	f->cfg[0x10] = 0x04;
	f->media = calloc(p->nr_ns, sizeof(*f->media));
	ck_assert_ptr_nonnull(f->media);
	for (i = 0; i < p->nr_ns; i++) {
		f->media[i] = calloc(p->nsze, 1ull << p->lbads);
		ck_assert_ptr_nonnull(f->media[i]);
	}
	return &f->dev;
}

void fake_nvme_set_faults(struct uvf_device *dev,
			  const struct fake_nvme_faults *faults)
{
	struct fake *f = fake_of(dev);

	pthread_mutex_lock(&f->lock);
	f->faults = *faults;
	pthread_mutex_unlock(&f->lock);
}

void fake_nvme_release(struct uvf_device *dev)
{
	struct fake *f = fake_of(dev);
	unsigned int i;

	pthread_mutex_lock(&f->lock);
	f->faults.hold = false;
	for (i = 1; i <= MAX_QID; i++)
		process_sq(f, (uint16_t)i);
	pthread_mutex_unlock(&f->lock);
}

void fake_nvme_get_stats(struct uvf_device *dev, struct fake_nvme_stats *st)
{
	struct fake *f = fake_of(dev);

	pthread_mutex_lock(&f->lock);
	*st = f->st;
	pthread_mutex_unlock(&f->lock);
}

uint8_t *fake_nvme_media(struct uvf_device *dev, uint32_t nsid)
{
	struct fake *f = fake_of(dev);

	ck_assert(nsid >= 1 && nsid <= f->p.nr_ns);
	return f->media[nsid - 1];
}
