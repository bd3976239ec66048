/* SPDX-License-Identifier: MIT */
/*
 * Admin commands: Identify (controller, namespace, active namespace list),
 * Set Features (Number of Queues), and creating and deleting I/O queues.
 * They run one at a time under admin_lock and wait by polling.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nvme_priv.h"

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p + 4) << 32 | le32(p);
}

/* Identify strings are space padded ASCII. */
static void id_string(char *dst, const uint8_t *src, size_t len)
{
	memcpy(dst, src, len);
	dst[len] = '\0';
	while (len && (dst[len - 1] == ' ' || dst[len - 1] == '\0'))
		dst[--len] = '\0';
}

int nvme_admin_sync(struct uvf_nvme_ctrl *ctrl, const struct uvf_nvme_cmd *cmd,
		    void *buf, size_t len, const uvf_iova_t *iova,
		    struct uvf_nvme_cpl *cpl)
{
	struct uvf_nvme_sync s = { 0 };
	unsigned int idle = 0;
	int ret;

	ret = nvme_qpair_submit(ctrl->admin, cmd, buf, len,
				UVF_DMA_BIDIRECTIONAL, iova, uvf_nvme_sync_cb,
				&s);
	if (ret)
		return ret;
	/* Admin commands take micro- to milliseconds: spin briefly, then
	 * sleep instead of burning a CPU. The command deadline bounds it. */
	while (!s.done) {
		if (uvf_nvme_qpair_process(ctrl->admin, 0) > 0 || s.done)
			continue;
		if (++idle < 64)
			continue;
		usleep(idle < 1000 ? idle : 1000);
	}
	if (cpl)
		*cpl = s.cpl;
	return s.err;
}

static int identify(struct uvf_nvme_ctrl *ctrl, uint8_t cns, uint32_t nsid)
{
	struct uvf_nvme_cmd cmd = {
		.opc = NVME_ADMIN_IDENTIFY,
		.nsid = nsid,
		.cdw10 = cns,
	};

	return nvme_admin_sync(ctrl, &cmd, ctrl->idbuf, NVME_IDENTIFY_SIZE,
			       &ctrl->idbuf_iova, NULL);
}

static int parse_ctrl(struct uvf_nvme_ctrl *ctrl, const uint8_t *id)
{
	struct uvf_nvme_ctrl_info *info = &ctrl->info;
	uint8_t sqes = id[NVME_IDC_SQES], cqes = id[NVME_IDC_CQES];

	/* Required minimum <= the entry size we use <= maximum. */
	if ((sqes & 0xf) > NVME_SQE_SHIFT || (sqes >> 4) < NVME_SQE_SHIFT ||
	    (cqes & 0xf) > NVME_CQE_SHIFT || (cqes >> 4) < NVME_CQE_SHIFT)
		return -ENOTSUP;
	info->vid = le16(id + NVME_IDC_VID);
	info->ssvid = le16(id + NVME_IDC_SSVID);
	info->cntlid = le16(id + NVME_IDC_CNTLID);
	id_string(info->serial, id + NVME_IDC_SN, 20);
	id_string(info->model, id + NVME_IDC_MN, 40);
	id_string(info->firmware, id + NVME_IDC_FR, 8);
	info->mdts = id[NVME_IDC_MDTS];
	info->aerl = id[NVME_IDC_AERL];
	info->nn = le32(id + NVME_IDC_NN);
	info->oacs = le16(id + NVME_IDC_OACS);
	info->oncs = le16(id + NVME_IDC_ONCS);
	info->volatile_write_cache = id[NVME_IDC_VWC] & NVME_VWC_PRESENT;
	info->sgls = le32(id + NVME_IDC_SGLS);
	/* 11b is reserved: no SGLs. */
	if (NVME_SGLS_SUPPORT(info->sgls) == 3)
		info->sgls &= ~3u;
	if (ctrl->opts.sgl == UVF_NVME_SGL_ALWAYS &&
	    !NVME_SGLS_SUPPORT(info->sgls))
		return -ENOTSUP;
	return 0;
}

/* False for a namespace this driver cannot address (no such format). */
static bool parse_ns(struct uvf_nvme_ns_info *ns, uint32_t nsid,
		     const uint8_t *id)
{
	uint8_t flbas = id[NVME_IDNS_FLBAS];
	unsigned int i;

	memset(ns, 0, sizeof(*ns));
	ns->nsid = nsid;
	ns->nsze = le64(id + NVME_IDNS_NSZE);
	ns->ncap = le64(id + NVME_IDNS_NCAP);
	ns->nuse = le64(id + NVME_IDNS_NUSE);
	ns->nlbaf = (uint8_t)(id[NVME_IDNS_NLBAF] + 1);
	if (ns->nlbaf > NVME_MAX_LBAF)
		return false;
	/* FLBAS bits 6:5 extend the index past 16 formats. */
	ns->lbaf = (uint8_t)((flbas & 0xf) |
			     (ns->nlbaf > 16 ? ((flbas >> 5) & 3) << 4 : 0));
	for (i = 0; i < ns->nlbaf; i++) {
		const uint8_t *f = id + NVME_IDNS_LBAF + 4 * i;

		ns->lbafs[i].ms = le16(f);
		ns->lbafs[i].lbads = f[2];
		ns->lbafs[i].rp = f[3] & 3;
	}
	if (ns->lbaf >= ns->nlbaf || ns->lbafs[ns->lbaf].lbads < 9 ||
	    ns->lbafs[ns->lbaf].lbads > 16 || !ns->nsze)
		return false;
	ns->block_size = 1u << ns->lbafs[ns->lbaf].lbads;
	ns->ms = ns->lbafs[ns->lbaf].ms;
	ns->md_extended = ns->ms && (flbas & NVME_FLBAS_EXTENDED);
	return true;
}

/* Active namespace IDs: the CNS 2 list from NVMe 1.1 on, else every ID up
 * to NN (inactive ones identify with zero size and are skipped). */
static int active_nsids(struct uvf_nvme_ctrl *ctrl, uint32_t **out,
			size_t *nr)
{
	const size_t max = NVME_IDENTIFY_SIZE / 4;
	uint32_t *ids = calloc(max, sizeof(*ids));
	size_t n = 0;
	int ret;

	if (!ids)
		return -ENOMEM;
	if (ctrl->info.version >= 0x10100) {
		ret = identify(ctrl, NVME_CNS_ACTIVE_NS_LIST, 0);
		if (ret) {
			free(ids);
			return ret;
		}
		while (n < max && le32((uint8_t *)ctrl->idbuf + 4 * n)) {
			ids[n] = le32((uint8_t *)ctrl->idbuf + 4 * n);
			n++;
		}
	} else {
		for (n = 0; n < max && n < ctrl->info.nn; n++)
			ids[n] = (uint32_t)n + 1;
	}
	*out = ids;
	*nr = n;
	return 0;
}

int nvme_identify_all(struct uvf_nvme_ctrl *ctrl)
{
	struct uvf_nvme_ns_info *ns = NULL;
	uint32_t *ids;
	size_t i, n, nr = 0;
	int ret;

	ret = identify(ctrl, NVME_CNS_CTRL, 0);
	if (!ret)
		ret = parse_ctrl(ctrl, ctrl->idbuf);
	if (!ret)
		ret = active_nsids(ctrl, &ids, &n);
	if (ret)
		return ret;
	if (n) {
		ns = calloc(n, sizeof(*ns));
		if (!ns)
			ret = -ENOMEM;
	}
	for (i = 0; i < n && !ret; i++) {
		ret = identify(ctrl, NVME_CNS_NS, ids[i]);
		if (!ret && parse_ns(&ns[nr], ids[i], ctrl->idbuf))
			nr++;
	}
	free(ids);
	if (ret) {
		free(ns);
		return ret;
	}
	ctrl->ns = ns;
	ctrl->nr_ns = nr;
	return 0;
}

int nvme_set_num_queues(struct uvf_nvme_ctrl *ctrl, unsigned int want,
			unsigned int *granted)
{
	struct uvf_nvme_cmd cmd = {
		.opc = NVME_ADMIN_SET_FEATURES,
		.cdw10 = NVME_FEAT_NUM_QUEUES,
		.cdw11 = (want - 1) << 16 | (want - 1),
	};
	struct uvf_nvme_cpl cpl;
	unsigned int nsq, ncq;
	int ret;

	ret = nvme_admin_sync(ctrl, &cmd, NULL, 0, NULL, &cpl);
	if (ret)
		return ret;
	nsq = (cpl.dw0 & 0xffff) + 1;
	ncq = (cpl.dw0 >> 16) + 1;
	*granted = nsq < ncq ? nsq : ncq;
	return 0;
}

int nvme_create_io_queues(struct uvf_nvme_qpair *qp)
{
	struct uvf_nvme_ctrl *ctrl = qp->ctrl;
	uint32_t qsize = (qp->size - 1) << 16 | qp->qid;
	struct uvf_nvme_cmd cq = {
		.opc = NVME_ADMIN_CREATE_CQ,
		.prp1 = qp->mem_iova + ((uintptr_t)qp->cq - (uintptr_t)qp->mem),
		.cdw10 = qsize,
		.cdw11 = NVME_QUEUE_PHYS_CONTIG |
			 (qp->irq_vec >= 0 ? NVME_CQ_IRQ_ENABLED |
						     (uint32_t)qp->irq_vec << 16
					   : 0),
	};
	struct uvf_nvme_cmd sq = {
		.opc = NVME_ADMIN_CREATE_SQ,
		.prp1 = qp->sq_addr,
		.cdw10 = qsize,
		.cdw11 = NVME_QUEUE_PHYS_CONTIG | (uint32_t)qp->qid << 16,
	};
	struct uvf_nvme_cmd del = {
		.opc = NVME_ADMIN_DELETE_CQ,
		.cdw10 = qp->qid,
	};
	int ret;

	/* The queues' memory is passed by address, not as a data buffer:
	 * physically contiguous queues take PRP1 as their base. */
	ret = nvme_admin_sync(ctrl, &cq, NULL, 0, NULL, NULL);
	if (ret)
		return ret;
	ret = nvme_admin_sync(ctrl, &sq, NULL, 0, NULL, NULL);
	if (ret && !atomic_load(&ctrl->error))
		nvme_admin_sync(ctrl, &del, NULL, 0, NULL, NULL);
	return ret;
}

int nvme_delete_io_queues(struct uvf_nvme_qpair *qp, bool reap)
{
	struct uvf_nvme_cmd sq = {
		.opc = NVME_ADMIN_DELETE_SQ,
		.cdw10 = qp->qid,
	};
	struct uvf_nvme_cmd cq = {
		.opc = NVME_ADMIN_DELETE_CQ,
		.cdw10 = qp->qid,
	};
	int ret;

	ret = nvme_admin_sync(qp->ctrl, &sq, NULL, 0, NULL, NULL);
	if (ret)
		return ret;
	/* The controller has posted "aborted: SQ deleted" for whatever was
	 * still queued; hand those back before the CQ goes. */
	if (reap)
		uvf_nvme_qpair_process(qp, 0);
	return nvme_admin_sync(qp->ctrl, &cq, NULL, 0, NULL, NULL);
}

const struct uvf_nvme_ns_info *nvme_ns_find(const struct uvf_nvme_ctrl *ctrl,
					    uint32_t nsid)
{
	size_t lo = 0, hi = ctrl->nr_ns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ctrl->ns[mid].nsid == nsid)
			return &ctrl->ns[mid];
		if (ctrl->ns[mid].nsid < nsid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int uvf_nvme_ns_list(const struct uvf_nvme_ctrl *ctrl, uint32_t *nsids,
		     size_t max)
{
	size_t i;

	for (i = 0; i < ctrl->nr_ns && i < max; i++)
		nsids[i] = ctrl->ns[i].nsid;
	return (int)ctrl->nr_ns;
}

int uvf_nvme_ns_get_info(const struct uvf_nvme_ctrl *ctrl, uint32_t nsid,
			 struct uvf_nvme_ns_info *info)
{
	const struct uvf_nvme_ns_info *ns = nvme_ns_find(ctrl, nsid);

	if (!ns)
		return -ENOENT;
	*info = *ns;
	return 0;
}

int uvf_nvme_identify(struct uvf_nvme_ctrl *ctrl, uint8_t cns, uint32_t nsid,
		      void *buf)
{
	int ret;

	if (!ctrl || !buf)
		return -EINVAL;
	pthread_mutex_lock(&ctrl->admin_lock);
	ret = identify(ctrl, cns, nsid);
	if (!ret)
		memcpy(buf, ctrl->idbuf, NVME_IDENTIFY_SIZE);
	pthread_mutex_unlock(&ctrl->admin_lock);
	return ret;
}

int uvf_nvme_admin(struct uvf_nvme_ctrl *ctrl, const struct uvf_nvme_cmd *cmd,
		   void *buf, size_t len, struct uvf_nvme_cpl *cpl)
{
	int ret;

	if (!ctrl || !cmd || len > ctrl->info.max_xfer)
		return -EINVAL;
	pthread_mutex_lock(&ctrl->admin_lock);
	ret = nvme_admin_sync(ctrl, cmd, buf, len, NULL, cpl);
	pthread_mutex_unlock(&ctrl->admin_lock);
	return ret;
}
