/* SPDX-License-Identifier: MIT */
/* Device events on the fake kernel: VFIO's error and request interrupts
 * reach the driver through uvf/device.h; a device without them, or a
 * kernel that refuses, is an error that changes nothing. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include <uvf/device.h>
#include <uvf/iommu.h>

#include "check_main.h"
#include "fake_vfio.h"
#include "vfio/config.h"

#define NVME "0000:00:04.0"

static struct fake_vfio fk;
static struct uvf_iommu *iommu;
static struct uvf_device *dev;

static void setup(void)
{
	fk_init(&fk);
	fk_add_dev(&fk, NVME, 3);
	iommu = NULL;
	dev = NULL;
}

static void teardown(void)
{
	fk_fini(&fk);
}

static void open_dev(enum uvf_vfio_backend b)
{
	struct uvf_vfio_opts o = fk_opts(&fk, b);

	fk_publish(&fk);
	if (b == UVF_VFIO_IOMMUFD) {
		char path[PATH_MAX];
		FILE *f;

		/* The fake's /dev/iommu node. */
		fake_fmt(path, sizeof(path), "%s/iommu", fk.fs.dev);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fclose(f);
	}
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, NVME, &dev), 0);
}

static void close_dev(void)
{
	uvf_device_close(dev);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
}

static void events_reach_the_driver(enum uvf_vfio_backend b)
{
	struct fk_dev *d = &fk.dev[0];
	unsigned int before;

	open_dev(b);
	before = fk_process_fds();
	ck_assert_int_eq(uvf_device_event_enable(dev, UVF_DEVICE_EVENTS), 0);
	ck_assert_uint_eq(fk_process_fds(), before + 2);
	ck_assert_int_eq(d->err_trigger,
			 uvf_device_event_fd(dev, UVF_DEVICE_EVENT_ERROR));
	ck_assert_int_eq(d->req_trigger,
			 uvf_device_event_fd(dev, UVF_DEVICE_EVENT_REQUEST));
	ck_assert_uint_eq(d->last_irq_flags, VFIO_IRQ_SET_DATA_EVENTFD |
						     VFIO_IRQ_SET_ACTION_TRIGGER);
	/* Enabling again changes nothing. */
	ck_assert_int_eq(uvf_device_event_enable(dev, UVF_DEVICE_EVENT_ERROR),
			 0);
	ck_assert_uint_eq(fk_process_fds(), before + 2);

	ck_assert_int_eq(uvf_device_event_poll(dev, 0), 0);
	ck_assert(fk_signal_event(d, VFIO_PCI_REQ_IRQ_INDEX));
	ck_assert_int_eq(uvf_device_event_poll(dev, -1),
			 UVF_DEVICE_EVENT_REQUEST);
	ck_assert_int_eq(uvf_device_event_poll(dev, 0), 0);
	ck_assert(fk_signal_event(d, VFIO_PCI_ERR_IRQ_INDEX));
	ck_assert(fk_signal_event(d, VFIO_PCI_REQ_IRQ_INDEX));
	ck_assert_int_eq(uvf_device_event_poll(dev, 10), UVF_DEVICE_EVENTS);

	ck_assert_int_eq(uvf_device_event_disable(dev, UVF_DEVICE_EVENT_ERROR),
			 0);
	ck_assert_int_eq(d->err_trigger, -1);
	ck_assert_int_ge(d->req_trigger, 0);
	ck_assert_int_eq(uvf_device_event_fd(dev, UVF_DEVICE_EVENT_ERROR),
			 -EINVAL);
	ck_assert_uint_eq(fk_process_fds(), before + 1);
	/* Closing the device closes the last eventfd too. */
	close_dev();
	ck_assert_uint_eq(fk_process_fds(), before);
}

START_TEST(test_error_and_request_interrupts_reach_the_driver_type1)
{
	events_reach_the_driver(UVF_VFIO_TYPE1);
}
END_TEST

#if UVF_HAVE_IOMMUFD
START_TEST(test_error_and_request_interrupts_reach_the_driver_iommufd)
{
	events_reach_the_driver(UVF_VFIO_IOMMUFD);
}
END_TEST
#endif

START_TEST(test_conventional_pci_device_has_no_error_event)
{
	struct fk_dev *d = &fk.dev[0];
	unsigned int before, sets;

	/* vfio-pci answers the error IRQ's info with -EINVAL here: the
	 * device still opens (edu in the guests is such a device). */
	d->conventional = true;
	open_dev(UVF_VFIO_TYPE1);
	before = fk_process_fds();
	sets = d->set_irqs;
	ck_assert_int_eq(uvf_device_event_enable(dev, UVF_DEVICE_EVENTS),
			 -ENOTSUP);
	ck_assert_int_eq(d->req_trigger, -1);
	ck_assert_uint_eq(d->set_irqs, sets);
	ck_assert_uint_eq(fk_process_fds(), before);
	ck_assert_int_eq(uvf_device_event_poll(dev, 0), -EINVAL);
	/* The request event alone still works. */
	ck_assert_int_eq(uvf_device_event_enable(dev, UVF_DEVICE_EVENT_REQUEST),
			 0);
	ck_assert_int_ge(d->req_trigger, 0);
	close_dev();
}
END_TEST

START_TEST(test_failing_second_event_takes_back_the_first)
{
	struct fk_dev *d = &fk.dev[0];
	unsigned int before;

	d->irq_count[VFIO_PCI_REQ_IRQ_INDEX] = 0;
	open_dev(UVF_VFIO_TYPE1);
	before = fk_process_fds();
	ck_assert_int_eq(uvf_device_event_enable(dev, UVF_DEVICE_EVENTS),
			 -ENOTSUP);
	/* The error trigger was set, then dropped again. */
	ck_assert_int_eq(d->err_trigger, -1);
	ck_assert_uint_eq(d->set_irqs, 2);
	ck_assert_int_eq(uvf_device_event_fd(dev, UVF_DEVICE_EVENT_ERROR),
			 -EINVAL);
	ck_assert_uint_eq(fk_process_fds(), before);
	close_dev();
}
END_TEST

START_TEST(test_kernel_refusal_is_its_errno_and_changes_nothing)
{
	struct fk_dev *d = &fk.dev[0];
	unsigned int before;

	open_dev(UVF_VFIO_TYPE1);
	before = fk_process_fds();
	fk.fail_req = VFIO_DEVICE_SET_IRQS;
	fk.fail_err = -EIO;
	ck_assert_int_eq(uvf_device_event_enable(dev, UVF_DEVICE_EVENT_REQUEST),
			 -EIO);
	ck_assert_int_eq(d->req_trigger, -1);
	ck_assert_uint_eq(fk_process_fds(), before);

	/* A refused disable keeps the event, its fd and its trigger. */
	ck_assert_int_eq(uvf_device_event_enable(dev, UVF_DEVICE_EVENT_REQUEST),
			 0);
	fk.fail_req = VFIO_DEVICE_SET_IRQS;
	fk.fail_err = -EIO;
	ck_assert_int_eq(uvf_device_event_disable(dev, UVF_DEVICE_EVENTS), -EIO);
	ck_assert_int_eq(uvf_device_event_fd(dev, UVF_DEVICE_EVENT_REQUEST),
			 d->req_trigger);
	ck_assert_uint_eq(fk_process_fds(), before + 1);
	ck_assert(fk_signal_event(d, VFIO_PCI_REQ_IRQ_INDEX));
	ck_assert_int_eq(uvf_device_event_poll(dev, 0),
			 UVF_DEVICE_EVENT_REQUEST);

	/* Closing after another refusal still closes the eventfd. */
	fk.fail_req = VFIO_DEVICE_SET_IRQS;
	fk.fail_err = -EIO;
	close_dev();
	ck_assert_uint_eq(fk_process_fds(), before);
}
END_TEST

START_TEST(test_bad_event_arguments_are_einval)
{
	open_dev(UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_device_event_enable(NULL, UVF_DEVICE_EVENTS),
			 -EINVAL);
	ck_assert_int_eq(uvf_device_event_enable(dev, 0), -EINVAL);
	ck_assert_int_eq(uvf_device_event_enable(dev, 1u << 5), -EINVAL);
	ck_assert_int_eq(uvf_device_event_disable(dev, 1u << 5), -EINVAL);
	ck_assert_int_eq(uvf_device_event_enable(dev, UVF_DEVICE_EVENTS), 0);
	ck_assert_int_eq(uvf_device_event_fd(dev, UVF_DEVICE_EVENTS), -EINVAL);
	ck_assert_int_eq(uvf_device_event_fd(dev, 0), -EINVAL);
	ck_assert_int_eq(uvf_device_event_poll(NULL, 0), -EINVAL);
	ck_assert_int_eq(fk.dev[0].set_irqs, 2);
	close_dev();
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("vfio_events");
	TCase *tc = tcase_create("events");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_error_and_request_interrupts_reach_the_driver_type1);
#if UVF_HAVE_IOMMUFD
	tcase_add_test(tc,
		       test_error_and_request_interrupts_reach_the_driver_iommufd);
#endif
	tcase_add_test(tc, test_conventional_pci_device_has_no_error_event);
	tcase_add_test(tc, test_failing_second_event_takes_back_the_first);
	tcase_add_test(tc, test_kernel_refusal_is_its_errno_and_changes_nothing);
	tcase_add_test(tc, test_bad_event_arguments_are_einval);
	suite_add_tcase(s, tc);
	return s;
}
