/* SPDX-License-Identifier: MIT */
/*
 * Closing the controller, and a failed open, hand no DMA buffer back while
 * the device can still master the bus. Linked with -Wl,--wrap= on the
 * config-space write and the DMA frees, so the test sees their order.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <uvf/device.h>
#include <uvf/dma.h>
#include <uvf/dmaheap.h>

#include "check_main.h"
#include "nvmefix.h"

#define PCI_COMMAND 0x04
#define PCI_COMMAND_MASTER 0x4

int __real_uvf_device_cfg_write(struct uvf_device *dev, uint32_t off,
				const void *buf, size_t len);
int __wrap_uvf_device_cfg_write(struct uvf_device *dev, uint32_t off,
				const void *buf, size_t len);
int __real_uvf_dma_free_coherent(struct uvf_device *dev, size_t size,
				 void *vaddr, uvf_iova_t iova);
int __wrap_uvf_dma_free_coherent(struct uvf_device *dev, size_t size,
				 void *vaddr, uvf_iova_t iova);
int __real_uvf_dma_unregister(struct uvf_device *dev, void *vaddr,
			      size_t len);
int __wrap_uvf_dma_unregister(struct uvf_device *dev, void *vaddr,
			      size_t len);
int __real_uvf_dmaheap_free(struct uvf_dmaheap *heap, void *vaddr);
int __wrap_uvf_dmaheap_free(struct uvf_dmaheap *heap, void *vaddr);
int __real_uvf_dmaheap_pool_free(struct uvf_dmaheap_pool *pool, void *vaddr);
int __wrap_uvf_dmaheap_pool_free(struct uvf_dmaheap_pool *pool, void *vaddr);

static struct {
	bool master;		/* bus mastering as last written */
	bool watching;		/* inside the close or open under test */
	unsigned int frees;	/* buffers freed while watching */
	unsigned int frees_mastering; /* ... of them, with mastering on */
} seen;

int __wrap_uvf_device_cfg_write(struct uvf_device *dev, uint32_t off,
				const void *buf, size_t len)
{
	int ret = __real_uvf_device_cfg_write(dev, off, buf, len);
	uint16_t cmd;

	if (!ret && off == PCI_COMMAND && len == sizeof(cmd)) {
		memcpy(&cmd, buf, sizeof(cmd));
		seen.master = cmd & PCI_COMMAND_MASTER;
	}
	return ret;
}

static void note_free(void)
{
	if (!seen.watching)
		return;
	seen.frees++;
	seen.frees_mastering += seen.master;
}

int __wrap_uvf_dma_free_coherent(struct uvf_device *dev, size_t size,
				 void *vaddr, uvf_iova_t iova)
{
	note_free();
	return __real_uvf_dma_free_coherent(dev, size, vaddr, iova);
}

int __wrap_uvf_dma_unregister(struct uvf_device *dev, void *vaddr,
			      size_t len)
{
	note_free();
	return __real_uvf_dma_unregister(dev, vaddr, len);
}

int __wrap_uvf_dmaheap_free(struct uvf_dmaheap *heap, void *vaddr)
{
	note_free();
	return __real_uvf_dmaheap_free(heap, vaddr);
}

int __wrap_uvf_dmaheap_pool_free(struct uvf_dmaheap_pool *pool, void *vaddr)
{
	note_free();
	return __real_uvf_dmaheap_pool_free(pool, vaddr);
}

static struct nvmefix f;

START_TEST(test_close_switches_bus_mastering_off_before_freeing_buffers)
{
	struct uvf_nvme_qpair *qp[2];

	memset(&seen, 0, sizeof(seen));
	nvmefix_setup(&f, NULL);
	nvmefix_open(&f, NULL);
	ck_assert(seen.master);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &qp[0]), 0);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &qp[1]), 0);
	uvf_nvme_qpair_destroy(qp[0]);

	/* qp[1], the admin queue and the identify buffer go with close. */
	seen.watching = true;
	uvf_nvme_ctrl_close(f.ctrl);
	seen.watching = false;
	f.ctrl = NULL;
	ck_assert_uint_ge(seen.frees, 3);
	ck_assert_uint_eq(seen.frees_mastering, 0);
	ck_assert(!seen.master);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_failed_open_switches_bus_mastering_off_before_freeing_buffers)
{
	struct fake_nvme_faults flt = { .never_ready = true };
	struct fake_nvme_params p;
	struct uvf_nvme_ctrl *ctrl = NULL;

	memset(&seen, 0, sizeof(seen));
	fake_nvme_params_default(&p);
	p.to = 1;
	nvmefix_setup(&f, &p);
	fake_nvme_set_faults(f.dev, &flt);
	seen.watching = true;
	ck_assert_int_eq(uvf_nvme_ctrl_open(f.dev, NULL, &ctrl), -ETIMEDOUT);
	seen.watching = false;
	ck_assert_uint_ge(seen.frees, 1);	/* the admin queue */
	ck_assert_uint_eq(seen.frees_mastering, 0);
	ck_assert(!seen.master);
	ck_assert_uint_eq(nvmefix_mapped(&f), NVMEFIX_ARENA);
	nvmefix_teardown(&f);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("nvme_teardown");
	TCase *tc = tcase_create("teardown");

	tcase_add_test(tc, test_close_switches_bus_mastering_off_before_freeing_buffers);
	tcase_add_test(tc, test_failed_open_switches_bus_mastering_off_before_freeing_buffers);
	suite_add_tcase(s, tc);
	return s;
}
