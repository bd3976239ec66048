/* SPDX-License-Identifier: MIT */
/*
 * Controller bring-up and teardown, I/O queue pair creation, and the
 * driver-model entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uvf/device.h>
#include <uvf/dma.h>
#include <uvf/driver.h>

#include "nvme_priv.h"

#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define MAX_IO_QUEUES 1024u

void uvf_nvme_ctrl_opts_default(struct uvf_nvme_ctrl_opts *opts)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	memset(opts, 0, sizeof(*opts));
	opts->io_queues = cpus < 1 ? 1 : cpus > 64 ? 64 : (unsigned int)cpus;
	opts->admin_queue_size = 32;
	opts->cmd_timeout_ms = 30000;
}

static const struct uvf_pci_id nvme_ids[] = {
	{ 0x1b36, 0x0010, 0, 0 },	/* QEMU NVM Express */
	/* Any NVM Express I/O controller (class 01:08:02). */
	{ UVF_PCI_ANY_ID, UVF_PCI_ANY_ID, UVF_NVME_PCI_CLASS, 0xffffff },
	{ 0 },
};

int uvf_nvme_match(struct uvf_device *dev)
{
	return uvf_driver_match(&uvf_nvme_driver, dev);
}

/* Learn the controller's limits from CAP and VS before touching it. */
static int read_cap(struct uvf_nvme_ctrl *ctrl)
{
	struct uvf_nvme_ctrl_info *info = &ctrl->info;
	uint32_t to;
	int ret;

	ret = nvme_reg_read64(ctrl, NVME_REG_CAP, &info->cap);
	if (!ret)
		ret = nvme_reg_read32(ctrl, NVME_REG_VS, &info->version);
	if (ret)
		return ret;
	if (info->cap == UINT64_MAX)
		return -ENODEV;
	if (!(NVME_CAP_CSS(info->cap) & NVME_CAP_CSS_NVM))
		return -ENOTSUP;
	info->mps_min = 1u << (12 + NVME_CAP_MPSMIN(info->cap));
	info->mps_max = 1u << (12 + NVME_CAP_MPSMAX(info->cap));
	if (info->mps_min > NVME_PAGE_SIZE || info->mps_max < NVME_PAGE_SIZE)
		return -ENOTSUP;
	info->mqes = NVME_CAP_MQES(info->cap) + 1;
	if (info->mqes < 2)
		return -ENOTSUP;
	info->doorbell_stride = 4u << NVME_CAP_DSTRD(info->cap);
	/* CAP.TO is in 500 ms units; 0 would make every wait fail at once. */
	to = NVME_CAP_TO(info->cap);
	info->ready_timeout_ms = (to ? to : 1) * 500;
	return 0;
}

/* Bytes per command: MDTS (in units of the minimum page size) and the
 * caller's cap, or 4 MiB when neither limits it. */
static uint32_t max_xfer(const struct uvf_nvme_ctrl *ctrl)
{
	uint64_t mdts = ctrl->info.mdts ? (uint64_t)ctrl->info.mps_min
						  << ctrl->info.mdts
					: UINT64_MAX;
	uint64_t want = ctrl->opts.max_xfer ? ctrl->opts.max_xfer
					    : NVME_DEFAULT_MAX_XFER;
	uint64_t x = want < mdts ? want : mdts;

	x &= ~(uint64_t)(NVME_PAGE_SIZE - 1);
	return x < NVME_PAGE_SIZE ? NVME_PAGE_SIZE : (uint32_t)x;
}

/* Queues whose doorbells lie inside BAR 0. */
static unsigned int doorbell_limit(const struct uvf_nvme_ctrl *ctrl)
{
	uint64_t room = ctrl->bar0_size - NVME_REG_DBS;
	uint64_t per_queue = 2ull * ctrl->info.doorbell_stride;
	uint64_t n = room / per_queue;

	if (n < 2)
		return 0;
	return n > MAX_IO_QUEUES + 1 ? MAX_IO_QUEUES : (unsigned int)(n - 1);
}

/* The next vector count to try below @nvec: one fewer for MSI-X, the next
 * power of two for MSI (it takes only those); 0 after 1. */
static unsigned int fewer_vectors(enum uvf_irq_type type, unsigned int nvec)
{
	if (type == UVF_IRQ_MSIX)
		return nvec - 1;
	if (nvec & (nvec - 1))
		return 1u << (31 - __builtin_clz(nvec));
	return nvec / 2;
}

/* One vector per queue (admin and I/O) where the device has them; with
 * fewer, queues share. MSI-X, then MSI, then INTx; with none of them the
 * queue pairs poll: the vector count never fails the controller. */
static void enable_irqs(struct uvf_nvme_ctrl *ctrl)
{
	static const struct {
		enum uvf_irq_type type;
		const char *name;
	} kinds[] = {
		{ UVF_IRQ_MSIX, "msix" },
		{ UVF_IRQ_MSI, "msi" },
		{ UVF_IRQ_INTX, "intx" },
	};
	unsigned int want = ctrl->info.io_queues + 1, nvec, i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		nvec = kinds[i].type == UVF_IRQ_INTX ? 1 : want;
		for (; nvec; nvec = fewer_vectors(kinds[i].type, nvec)) {
			if (uvf_device_irq_enable(ctrl->dev, kinds[i].type,
						  nvec))
				continue;
			ctrl->irq_enabled = true;
			ctrl->irq_vectors = nvec;
			ctrl->irq_kind = kinds[i].type;
			ctrl->info.interrupts = true;
			ctrl->info.irq_type = kinds[i].name;
			ctrl->info.irq_vectors = nvec;
			return;
		}
	}
}

unsigned int nvme_irq_vector(unsigned int qid, unsigned int nvec)
{
	/* Vector 0 is the admin queue's; I/O queues share the rest. */
	return nvec < 2 ? 0 : 1 + (qid - 1) % (nvec - 1);
}

int nvme_admin_queue_program(struct uvf_nvme_ctrl *ctrl)
{
	struct uvf_nvme_qpair *aq = ctrl->admin;
	uint32_t n = aq->size;
	int ret;

	ret = nvme_reg_write32(ctrl, NVME_REG_AQA, (n - 1) << 16 | (n - 1));
	if (!ret)
		ret = nvme_reg_write64(ctrl, NVME_REG_ASQ, aq->mem_iova);
	if (!ret)
		ret = nvme_reg_write64(ctrl, NVME_REG_ACQ,
				       aq->mem_iova + ((uintptr_t)aq->cq -
						       (uintptr_t)aq->mem));
	return ret;
}

static int setup_admin_queue(struct uvf_nvme_ctrl *ctrl)
{
	uint32_t n = ctrl->opts.admin_queue_size;
	int ret;

	ret = nvme_qpair_alloc(ctrl, n, NVME_ADMIN_MAX_XFER, &ctrl->admin);
	if (ret)
		return ret;
	return nvme_admin_queue_program(ctrl);
}

static int ctrl_start(struct uvf_nvme_ctrl *ctrl)
{
	struct uvf_bar_info bar;
	unsigned int granted = 0, limit;
	size_t idbuf_size = NVME_IDENTIFY_SIZE;
	uint16_t cmd;
	void *bar0;
	int ret;

	ret = uvf_device_bar_info(ctrl->dev, 0, &bar);
	if (ret)
		return ret;
	if (!(bar.flags & UVF_BAR_MMIO) || bar.size < NVME_REG_DBS + 8)
		return -ENODEV;
	ctrl->bar0_size = bar.size;
	/* Memory decoding and bus mastering: VFIO leaves them to us. */
	ret = uvf_device_cfg_read(ctrl->dev, PCI_COMMAND, &cmd, sizeof(cmd));
	if (ret)
		return ret;
	ctrl->pci_command = cmd;
	ctrl->pci_command_saved = true;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	ret = uvf_device_cfg_write(ctrl->dev, PCI_COMMAND, &cmd, sizeof(cmd));
	if (ret)
		return ret;
	/* Doorbells are written per command: map BAR 0 when the backend
	 * allows, else every access is a read/write call. */
	if (!uvf_device_bar_map(ctrl->dev, 0, &bar0))
		ctrl->bar0 = bar0;

	ret = read_cap(ctrl);
	if (!ret)
		ret = nvme_ctrl_disable(ctrl);
	if (!ret)
		ret = nvme_heap_open(ctrl);
	if (!ret)
		ret = setup_admin_queue(ctrl);
	if (!ret)
		ret = nvme_dma_alloc(ctrl, &idbuf_size, &ctrl->idbuf,
				     &ctrl->idbuf_iova);
	if (!ret)
		ret = nvme_ctrl_enable(ctrl);
	if (ret)
		return ret;

	pthread_mutex_lock(&ctrl->admin_lock);
	ret = nvme_identify_all(ctrl);
	ctrl->info.max_xfer = max_xfer(ctrl);
	limit = doorbell_limit(ctrl);
	if (ctrl->opts.io_queues < limit)
		limit = ctrl->opts.io_queues;
	if (!ret && !limit)
		ret = -ENOTSUP;
	if (!ret)
		ret = nvme_set_num_queues(ctrl, limit, &granted);
	ctrl->info.io_queues = granted < limit ? granted : limit;
	if (!ret)
		ret = nvme_dbbuf_setup(ctrl);
	pthread_mutex_unlock(&ctrl->admin_lock);
	if (!ret)
		ret = nvme_cmb_setup(ctrl);
	if (ret)
		return ret;
	ctrl->info.io_queues_requested = ctrl->opts.io_queues;
	ctrl->info.irq_type = "none";
	ctrl->qpairs = calloc(ctrl->info.io_queues + 1, sizeof(*ctrl->qpairs));
	if (!ctrl->qpairs)
		return -ENOMEM;
	if (ctrl->opts.interrupts)
		enable_irqs(ctrl);
	return 0;
}

/* Takes a queue pair off the controller: deleted there, its commands
 * aborted. Its memory stays until nvme_qpair_free(). */
static void qpair_retire(struct uvf_nvme_qpair *qp)
{
	struct uvf_nvme_ctrl *ctrl = qp->ctrl;
	int ret;

	if (!atomic_load(&ctrl->error)) {
		pthread_mutex_lock(&ctrl->admin_lock);
		ret = nvme_delete_io_queues(qp, true);
		pthread_mutex_unlock(&ctrl->admin_lock);
		/* A controller that keeps a queue we free could write into
		 * memory we no longer own: stop it. */
		if (ret)
			nvme_ctrl_fail(ctrl, ret);
	}
	nvme_qpair_abort_all(qp, -ECANCELED);
}

static void write_command(struct uvf_nvme_ctrl *ctrl, uint16_t cmd)
{
	uvf_device_cfg_write(ctrl->dev, PCI_COMMAND, &cmd, sizeof(cmd));
}

/*
 * Undo whatever ctrl_start() or the queue pairs did, in reverse. Bus
 * mastering goes off before any queue or buffer is freed: a controller
 * that ignored the shutdown could otherwise still write into memory that
 * is no longer ours.
 */
static void ctrl_teardown(struct uvf_nvme_ctrl *ctrl)
{
	unsigned int qid;

	for (qid = 1; ctrl->qpairs && qid <= ctrl->info.io_queues; qid++)
		if (ctrl->qpairs[qid])
			qpair_retire(ctrl->qpairs[qid]);
	if (ctrl->cmb && !atomic_load(&ctrl->error))
		nvme_cmb_disable(ctrl);
	nvme_ctrl_shutdown(ctrl);
	if (ctrl->irq_enabled)
		uvf_device_irq_disable(ctrl->dev);
	if (ctrl->admin)
		nvme_qpair_abort_all(ctrl->admin, -ECANCELED);
	if (ctrl->pci_command_saved)
		write_command(ctrl, ctrl->pci_command &
					    (uint16_t)~PCI_COMMAND_MASTER);
	/* While the queue pairs it detaches still exist. */
	nvme_dbbuf_free(ctrl);
	for (qid = 1; ctrl->qpairs && qid <= ctrl->info.io_queues; qid++)
		if (ctrl->qpairs[qid])
			nvme_qpair_free(ctrl->qpairs[qid]);
	if (ctrl->admin)
		nvme_qpair_free(ctrl->admin);
	if (ctrl->idbuf)
		nvme_dma_free(ctrl, NVME_IDENTIFY_SIZE, ctrl->idbuf,
			      ctrl->idbuf_iova);
	nvme_heap_close(ctrl);
	/* Only now may the command register get back a mastering bit the
	 * device had before we came. */
	if (ctrl->pci_command_saved &&
	    (ctrl->pci_command & PCI_COMMAND_MASTER))
		write_command(ctrl, ctrl->pci_command);
	pthread_mutex_destroy(&ctrl->lock);
	pthread_mutex_destroy(&ctrl->admin_lock);
	free(ctrl->qpairs);
	free(ctrl->ns);
	free(ctrl);
}

static int check_opts(const struct uvf_nvme_ctrl_opts *o)
{
	if (!o->io_queues || o->io_queues > MAX_IO_QUEUES ||
	    o->admin_queue_size < 2 || o->admin_queue_size > 4096 ||
	    !o->cmd_timeout_ms || o->doorbell > UVF_NVME_DOORBELL_PER_CMD ||
	    o->cmb > UVF_NVME_CMB_ON)
		return -EINVAL;
	return 0;
}

int uvf_nvme_ctrl_open(struct uvf_device *dev,
		       const struct uvf_nvme_ctrl_opts *opts,
		       struct uvf_nvme_ctrl **out)
{
	struct uvf_nvme_ctrl *ctrl;
	int ret;

	if (!dev || !out)
		return -EINVAL;
	ret = uvf_nvme_match(dev);
	if (ret <= 0)
		return ret ? ret : -ENODEV;
	ctrl = calloc(1, sizeof(*ctrl));
	if (!ctrl)
		return -ENOMEM;
	if (opts)
		ctrl->opts = *opts;
	else
		uvf_nvme_ctrl_opts_default(&ctrl->opts);
	ret = check_opts(&ctrl->opts);
	if (ret) {
		free(ctrl);
		return ret;
	}
	ctrl->dev = dev;
	pthread_mutex_init(&ctrl->lock, NULL);
	pthread_mutex_init(&ctrl->admin_lock, NULL);
	ret = ctrl_start(ctrl);
	if (ret) {
		ctrl_teardown(ctrl);
		return ret;
	}
	*out = ctrl;
	return 0;
}

void uvf_nvme_ctrl_close(struct uvf_nvme_ctrl *ctrl)
{
	if (ctrl)
		ctrl_teardown(ctrl);
}

int uvf_nvme_qpair_create(struct uvf_nvme_ctrl *ctrl, unsigned int size,
			  struct uvf_nvme_qpair **out)
{
	struct uvf_nvme_qpair *qp;
	unsigned int qid;
	int ret;

	if (!ctrl || !out)
		return -EINVAL;
	ret = atomic_load(&ctrl->error);
	if (ret)
		return ret;
	if (!size)
		size = ctrl->info.mqes < UVF_NVME_QPAIR_DEFAULT_SIZE
			       ? ctrl->info.mqes
			       : UVF_NVME_QPAIR_DEFAULT_SIZE;
	if (size < 2 || size > ctrl->info.mqes)
		return -EINVAL;
	ret = nvme_qpair_alloc(ctrl, size, ctrl->info.max_xfer, &qp);
	if (ret)
		return ret;
	pthread_mutex_lock(&ctrl->lock);
	for (qid = 1; qid <= ctrl->info.io_queues && ctrl->qpairs[qid]; qid++)
		;
	if (qid <= ctrl->info.io_queues)
		ctrl->qpairs[qid] = qp;
	pthread_mutex_unlock(&ctrl->lock);
	if (qid > ctrl->info.io_queues) {
		nvme_qpair_free(qp);
		return -ENOSPC;
	}
	nvme_qpair_set_qid(qp, (uint16_t)qid);
	nvme_cmb_place_sq(qp);
	qp->irq_vec = ctrl->irq_enabled
			      ? (int)nvme_irq_vector(qid, ctrl->irq_vectors)
			      : -1;
	qp->irq_shared = ctrl->irq_enabled &&
			 ctrl->irq_vectors < ctrl->info.io_queues + 1;
	pthread_mutex_lock(&ctrl->admin_lock);
	ret = nvme_create_io_queues(qp);
	pthread_mutex_unlock(&ctrl->admin_lock);
	if (ret) {
		pthread_mutex_lock(&ctrl->lock);
		ctrl->qpairs[qid] = NULL;
		pthread_mutex_unlock(&ctrl->lock);
		nvme_qpair_free(qp);
		return ret;
	}
	*out = qp;
	return 0;
}

void uvf_nvme_qpair_destroy(struct uvf_nvme_qpair *qp)
{
	struct uvf_nvme_ctrl *ctrl;

	if (!qp)
		return;
	ctrl = qp->ctrl;
	qpair_retire(qp);
	pthread_mutex_lock(&ctrl->lock);
	ctrl->qpairs[qp->qid] = NULL;
	pthread_mutex_unlock(&ctrl->lock);
	nvme_qpair_free(qp);
}

const struct uvf_nvme_ctrl_info *uvf_nvme_ctrl_get_info(
	const struct uvf_nvme_ctrl *ctrl)
{
	return &ctrl->info;
}

unsigned int uvf_nvme_ctrl_io_queues(const struct uvf_nvme_ctrl *ctrl)
{
	return ctrl->info.io_queues;
}

int uvf_nvme_ctrl_error(const struct uvf_nvme_ctrl *ctrl)
{
	return atomic_load(&((struct uvf_nvme_ctrl *)ctrl)->error);
}

struct uvf_device *uvf_nvme_ctrl_device(const struct uvf_nvme_ctrl *ctrl)
{
	return ctrl->dev;
}

static int nvme_probe(struct uvf_device *dev, void **drvdata)
{
	struct uvf_nvme_ctrl *ctrl;
	int ret = uvf_nvme_ctrl_open(dev, NULL, &ctrl);

	if (!ret)
		*drvdata = ctrl;
	return ret;
}

static void nvme_remove(struct uvf_device *dev, void *drvdata)
{
	(void)dev;
	uvf_nvme_ctrl_close(drvdata);
}

const struct uvf_driver uvf_nvme_driver = {
	.name = "nvme",
	.ids = nvme_ids,
	.probe = nvme_probe,
	.remove = nvme_remove,
};
