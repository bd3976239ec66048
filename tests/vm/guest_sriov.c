/* SPDX-License-Identifier: MIT */
/*
 * guest_sriov - runs in the tools/vm guest booted with run --nvme-sriov
 * (QEMU's nvme at 00:04.0 an SR-IOV PF with one VF, vfio_pci.enable_sriov=1).
 * An NVMe VF driven by uvf while uvf also holds its PF, on type1:
 *  - the PF opened with a VF token (which sets it) and its controller up;
 *  - the primary controller gives up any flexible resources it holds
 *    (Virtualization Management, Primary Flexible Allocation 0), which
 *    takes effect at the PF's function reset (QEMU 7.2's starts with
 *    none; a device may start with all, and its VF then gets none);
 *  - one VF created through sriov_numvfs, bound to vfio-pci by the PF's
 *    driver, its secondary controller offline (CSTS.CFS) until
 *    uvf_nvme_vf_online() assigns queues and an interrupt from the PF;
 *  - the VF refused without the token and with a wrong one, opened with
 *    the right one; its controller does write-read-verify at several
 *    sizes, and the PF reads what the VF wrote (one shared namespace);
 *  - removing the VFs while the VF is open: the kernel asks for the VF
 *    back (request interrupt) and waits until it is closed;
 *  - on iommufd, the same VF cannot be opened (-ENOTSUP: the 6.12 cdev
 *    bind has no token).
 *
 * usage: guest_sriov [--type1]
 * Prints TAP; exits 0 pass, 1 fail, 77 skip.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uvf/pci_sriov.h>
#include <uvf/uvf.h>

#include "guest_nvme_data.h"
#include "nvme_app.h"

#define TOKEN "2ab74924-c335-45f4-9b16-8569e5b08258"
#define WRONG_TOKEN "2ab74924-c335-45f4-9b16-8569e5b08259"
#define VF_NR_VQ 2		/* the admin queue and one I/O queue pair */
#define VF_NR_VI 1
#define REQUEST_WAIT_MS 120000	/* the kernel asks again every 10 s */

#define CSTS 0x1c
#define CSTS_CFS 2u

#define ADMIN_VIRT_MGMT 0x1c
#define VM_ACT_PRIMARY_FLEXIBLE 0x1
#define CNS_PRIMARY_CTRL_CAPS 0x14
/* Primary Controller Capabilities: flexible resources allocated to the
 * primary (VQRFAP, VIRFAP) and in total (VQFRT, VIFRT). */
#define PCC_VQFRT 32
#define PCC_VQRFAP 40
#define PCC_VIFRT 64
#define PCC_VIRFAP 72

static struct uvf_pci_ctx *pci;
static char vf_bdf[UVF_PCI_BDF_LEN];

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint32_t le(const uint8_t *p, unsigned int bytes)
{
	uint32_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

/* Open @bdf on a new type1 context presenting @token (NULL: none); only
 * the device, or with @ctrl also a domain and the NVMe controller. */
static int open_dev(struct nvme_app *a, const char *bdf, const char *token,
		    bool ctrl)
{
	struct uvf_vfio_opts vo = { .backend = UVF_VFIO_TYPE1,
				    .vf_token = token };
	int ret;

	memset(a, 0, sizeof(*a));
	ret = uvf_vfio_open(&vo, &a->iommu);
	if (!ret)
		ret = uvf_vfio_device_open(a->iommu, bdf, &a->dev);
	if (!ret && ctrl)
		ret = uvf_domain_create(a->iommu, UVF_DOMAIN_TRANSLATED,
					&a->dom);
	if (!ret && ctrl)
		ret = uvf_domain_attach(a->dom, a->dev);
	if (!ret && ctrl)
		ret = uvf_nvme_ctrl_open(a->dev, NULL, &a->ctrl);
	if (ret) {
		nvme_diag("%s: %s failed: %d", bdf, !a->iommu ? "uvf_vfio_open"
			  : !a->dev ? "uvf_vfio_device_open"
			  : !a->dom ? "uvf_domain_create" : "attach or open", ret);
		nvme_app_close(a);
	}
	return ret;
}

static int primary_caps(struct uvf_nvme_ctrl *ctrl, uint32_t caps[4])
{
	static const unsigned int at[4][2] = {
		{ PCC_VQFRT, 4 }, { PCC_VQRFAP, 2 },
		{ PCC_VIFRT, 4 }, { PCC_VIRFAP, 2 } };
	uint8_t *buf = aligned_alloc(4096, 4096);
	int ret = buf ? uvf_nvme_identify(ctrl, CNS_PRIMARY_CTRL_CAPS, 0, buf)
		      : -ENOMEM;

	for (unsigned int i = 0; !ret && i < 4; i++)
		caps[i] = le(buf + at[i][0], at[i][1]);
	free(buf);
	return ret;
}

static int primary_flexible(struct uvf_nvme_ctrl *ctrl, unsigned int rt,
			    unsigned int nr)
{
	struct uvf_nvme_cmd cmd = {
		.opc = ADMIN_VIRT_MGMT,
		.cdw10 = VM_ACT_PRIMARY_FLEXIBLE | rt << 8 |
			 (uint32_t)uvf_nvme_ctrl_get_info(ctrl)->cntlid << 16,
		.cdw11 = nr,
	};

	return uvf_nvme_admin(ctrl, &cmd, NULL, 0, NULL);
}

/* The primary keeps none of the flexible resources: asked for, then
 * taken at its function reset (the controller closed around it). */
static bool release_flexible(struct nvme_app *pf)
{
	uint32_t caps[4] = { 0 };
	int ret = primary_caps(pf->ctrl, caps);

	nvme_diag("primary: OACS %#x, %u of %u flexible queues, %u of %u "
		  "interrupts", uvf_nvme_ctrl_get_info(pf->ctrl)->oacs, caps[1],
		  caps[0], caps[3], caps[2]);
	if (!ret)
		ret = primary_flexible(pf->ctrl, 0, 0);
	if (!ret)
		ret = primary_flexible(pf->ctrl, 1, 0);
	nvme_tap(!ret, "the primary gives up its flexible resources: %d", ret);
	uvf_nvme_ctrl_close(pf->ctrl);
	pf->ctrl = NULL;
	ret = uvf_device_reset(pf->dev);
	nvme_tap(!ret, "PF function reset: %d", ret);
	if (!ret)
		ret = uvf_nvme_ctrl_open(pf->dev, NULL, &pf->ctrl);
	if (!ret)
		ret = primary_caps(pf->ctrl, caps);
	return nvme_tap(!ret && caps[0] >= VF_NR_VQ && caps[2] >= VF_NR_VI &&
			!caps[1] && !caps[3],
			"after it the primary holds %u of %u queues, %u of %u "
			"interrupts: %d", caps[1], caps[0], caps[3], caps[2],
			ret);
}

/* The VF's driver, waiting for the PF's driver to have bound it. */
static bool vf_on_vfio(void)
{
	struct uvf_pci_dev *pd = NULL;
	uint64_t end = now_ms() + 10000;
	bool bound = false;

	while (!bound && now_ms() < end) {
		if (!uvf_pci_dev_open(pci, vf_bdf, &pd)) {
			bound = uvf_pci_dev_vfio_bound(pd);
			uvf_pci_dev_free(pd);
		}
		if (!bound) {
			struct timespec ts = { 0, 50000000 };

			nanosleep(&ts, NULL);
		}
	}
	return bound;
}

static bool create_vf(const char *pf_bdf)
{
	char physfn[UVF_PCI_BDF_LEN] = "";
	unsigned int total = 0, num = 0;
	int ret = uvf_pci_sriov_totalvfs(pci, pf_bdf, &total);

	nvme_tap(!ret && total == 1, "the PF offers %u VF: %d", total, ret);
	ret = uvf_pci_sriov_set_numvfs(pci, pf_bdf, 2);
	nvme_tap(ret == -ERANGE, "2 VFs are more than it offers: %d", ret);
	ret = uvf_pci_sriov_set_numvfs(pci, pf_bdf, 1);
	if (!nvme_tap(!ret, "one VF created through sriov_numvfs: %d (%s)",
		      ret, ret ? uvf_pci_ctx_error(pci) : "ok"))
		return false;
	ret = uvf_pci_sriov_numvfs(pci, pf_bdf, &num);
	if (!ret)
		ret = uvf_pci_sriov_vf(pci, pf_bdf, 0, vf_bdf);
	if (!ret)
		ret = uvf_pci_sriov_physfn(pci, vf_bdf, physfn);
	nvme_tap(!ret && num == 1 && !strcmp(physfn, pf_bdf),
		 "the VF is %s, its PF %s: %d", vf_bdf, physfn, ret);
	return nvme_tap(vf_on_vfio(), "%s is on vfio-pci", vf_bdf);
}

/* Before it has resources and is online, the VF's controller is failed. */
static void check_offline_vf(void)
{
	struct nvme_app vf;
	uint64_t csts = 0;
	int ret = open_dev(&vf, vf_bdf, TOKEN, false);

	if (!ret)
		ret = uvf_device_bar_read(vf.dev, 0, CSTS, &csts, 4);
	nvme_tap(!ret && (csts & CSTS_CFS),
		 "an offline VF's controller reports CSTS.CFS: %d, CSTS %#llx",
		 ret, (unsigned long long)csts);
	nvme_app_close(&vf);
}

static void check_tokens(void)
{
	struct nvme_app vf;
	int ret = open_dev(&vf, vf_bdf, NULL, false);

	nvme_tap(ret == -EACCES, "the VF without a token: %d (%s)", ret,
		 strerror(-ret));
	nvme_app_close(&vf);
	ret = open_dev(&vf, vf_bdf, WRONG_TOKEN, false);
	nvme_tap(ret == -EACCES, "the VF with a wrong token: %d (%s)", ret,
		 strerror(-ret));
	nvme_app_close(&vf);
}

/* Write-read-verify on the VF at several sizes; the last write read back
 * through the PF too. */
static void check_vf_io(struct nvme_app *vf, struct nvme_app *pf)
{
	const struct uvf_nvme_ctrl_info *ci = uvf_nvme_ctrl_get_info(vf->ctrl);
	struct uvf_nvme_qpair *qp = NULL, *pqp = NULL;
	struct uvf_nvme_ns_info ns;
	uint8_t *wr = NULL, *rd = NULL, *prd = NULL;
	size_t len = 2u << 20;
	uint32_t nlbs[4] = { 1, 8, 0, 0 };
	uint64_t lba = 0;
	int ret;

	nvme_diag("VF controller %u (serial %s): %u I/O queue pair(s), %s",
		  ci->cntlid, ci->serial, ci->io_queues, ci->irq_type);
	ret = uvf_nvme_ns_get_info(vf->ctrl, 1, &ns);
	if (!nvme_tap(!ret && ns.block_size && ns.nsze > 4096,
		      "the VF sees namespace 1: %d, %llu blocks of %u", ret,
		      (unsigned long long)ns.nsze, ns.block_size))
		return;
	nlbs[2] = 65536 / ns.block_size;
	nlbs[3] = (uint32_t)((ci->max_xfer < len ? ci->max_xfer : len) /
			     ns.block_size);
	ret = nvme_app_buf_alloc(vf, len, (void **)&wr);
	if (!ret)
		ret = nvme_app_buf_alloc(vf, len, (void **)&rd);
	if (!ret)
		ret = nvme_app_buf_alloc(pf, len, (void **)&prd);
	if (!ret)
		ret = uvf_nvme_qpair_create(vf->ctrl, 64, &qp);
	if (!ret)
		ret = uvf_nvme_qpair_create(pf->ctrl, 64, &pqp);
	if (!nvme_tap(!ret, "buffers and a queue pair on each: %d", ret))
		goto out;
	for (unsigned int i = 0; i < 4; i++) {
		lba += 1000 + nlbs[i];
		ret = guest_nvme_roundtrip(qp, wr, rd, lba, nlbs[i],
					   ns.block_size, i + 1);
		nvme_tap(!ret, "VF: %u block(s) written, read back, equal: %d",
			 nlbs[i], ret);
	}
	memset(prd, 0, len);
	ret = guest_nvme_rw(pqp, false, prd, lba, nlbs[3], NULL);
	nvme_tap(!ret && !memcmp(wr, prd, (size_t)nlbs[3] * ns.block_size),
		 "the PF reads what the VF wrote: %d", ret);
out:
	uvf_nvme_qpair_destroy(pqp);
	uvf_nvme_qpair_destroy(qp);
	nvme_app_buf_free(pf, prd, len);
	nvme_app_buf_free(vf, rd, len);
	nvme_app_buf_free(vf, wr, len);
}

struct remove_vfs {
	const char *pf;
	int ret;
	atomic_bool done;
};

static void *remove_vfs(void *arg)
{
	struct remove_vfs *r = arg;

	r->ret = uvf_pci_sriov_set_numvfs(pci, r->pf, 0);
	atomic_store(&r->done, true);
	return NULL;
}

/* sriov_numvfs 0 while the VF is open: the write waits for the VF's user,
 * whom the kernel asks for it with the request interrupt. */
static void check_remove_while_open(struct nvme_app *vf, const char *pf_bdf)
{
	struct remove_vfs r = { .pf = pf_bdf };
	unsigned int num = 1;
	pthread_t t;
	int ev = 0, ret;
	uint64_t t0;

	ret = uvf_device_event_enable(vf->dev, UVF_DEVICE_EVENT_REQUEST);
	nvme_tap(!ret, "the VF's request interrupt enabled: %d", ret);
	if (ret || pthread_create(&t, NULL, remove_vfs, &r)) {
		nvme_app_close(vf);
		uvf_pci_sriov_set_numvfs(pci, pf_bdf, 0);
		return;
	}
	t0 = now_ms();
	while (ev <= 0 && now_ms() - t0 < REQUEST_WAIT_MS)
		ev = uvf_device_event_poll(vf->dev, 1000);
	nvme_tap(ev > 0 && (ev & UVF_DEVICE_EVENT_REQUEST) &&
		 !atomic_load(&r.done),
		 "removing the VFs asks for the open VF back and waits: "
		 "events %d after %llu ms", ev,
		 (unsigned long long)(now_ms() - t0));
	nvme_app_close(vf);
	pthread_join(t, NULL);
	ret = uvf_pci_sriov_numvfs(pci, pf_bdf, &num);
	nvme_tap(!r.ret && !ret && num == 0,
		 "once it is closed the VFs are gone: %d, %u VF(s)", r.ret,
		 num);
}

static void check_type1(void)
{
	struct nvme_app pf, vf;
	int ret = open_dev(&pf, NVME_GUEST_BDF, TOKEN, true);

	if (!nvme_tap(!ret, "PF %s and its controller opened with a VF "
		      "token: %d", NVME_GUEST_BDF, ret))
		return;
	if (!release_flexible(&pf) || !create_vf(NVME_GUEST_BDF))
		goto out;
	check_offline_vf();
	ret = uvf_nvme_vf_online(pf.ctrl, 0, VF_NR_VQ, VF_NR_VI);
	nvme_tap(!ret, "uvf_nvme_vf_online: %u queues, %u interrupt: %d",
		 VF_NR_VQ, VF_NR_VI, ret);
	check_tokens();
	ret = open_dev(&vf, vf_bdf, TOKEN, true);
	if (nvme_tap(!ret, "the VF and its controller opened with the token: "
		     "%d", ret)) {
		check_vf_io(&vf, &pf);
		check_remove_while_open(&vf, NVME_GUEST_BDF);
	} else {
		uvf_pci_sriov_set_numvfs(pci, NVME_GUEST_BDF, 0);
	}
out:
	nvme_app_close(&pf);
}

/* The iommufd cdev of a VF whose PF is on vfio-pci: no token to bind
 * with in 6.12, so uvf refuses it. */
static void check_iommufd(void)
{
	struct uvf_vfio_opts vo = { .backend = UVF_VFIO_IOMMUFD,
				    .vf_token = TOKEN };
	struct uvf_iommu *iommu = NULL;
	struct uvf_device *pf = NULL, *vf = NULL;
	int ret;

	if (!uvf_vfio_iommufd_compiled()) {
		nvme_diag("iommufd not compiled in: its VF check skipped");
		return;
	}
	ret = uvf_vfio_open(&vo, &iommu);
	if (!ret)
		ret = uvf_vfio_device_open(iommu, NVME_GUEST_BDF, &pf);
	if (!ret)
		ret = uvf_pci_sriov_set_numvfs(pci, NVME_GUEST_BDF, 1);
	if (!ret)
		ret = uvf_pci_sriov_vf(pci, NVME_GUEST_BDF, 0, vf_bdf);
	if (nvme_tap(!ret && vf_on_vfio(), "iommufd: the PF opened, a VF "
		     "created: %d", ret)) {
		ret = uvf_vfio_device_open(iommu, vf_bdf, &vf);
		nvme_tap(ret == -ENOTSUP, "iommufd: the VF of a vfio-pci PF "
			 "is -ENOTSUP: %d (%s)", ret, strerror(-ret));
		uvf_device_close(vf);
	}
	ret = uvf_pci_sriov_set_numvfs(pci, NVME_GUEST_BDF, 0);
	nvme_tap(!ret, "iommufd: VFs removed: %d", ret);
	uvf_device_close(pf);
	uvf_iommu_destroy(iommu);
}

int main(int argc, char **argv)
{
	enum uvf_vfio_backend backend = nvme_guest_backend(argc, argv);
	int ret = nvme_guest_ready(backend);

	if (ret)
		return ret;
	if (backend != UVF_VFIO_TYPE1) {
		printf("1..0 # SKIP type1 rows only (iommufd is checked there)\n");
		return 77;
	}
	ret = uvf_pci_ctx_new(NULL, &pci);
	if (ret) {
		printf("1..0 # SKIP no PCI context: %d\n", ret);
		return 77;
	}
	check_type1();
	check_iommufd();
	uvf_pci_ctx_free(pci);
	return nvme_tap_done();
}
