/* SPDX-License-Identifier: MIT */
/*
 * guest_lpae - runs in the aarch64 tools/vm guest (static): the real-SMMUv3
 * side of the ARM LPAE cross-check (lpae_seq.h). edu (00:07.0) is opened
 * through uvf's VFIO backend of the row, the shared sequence maps buffers
 * with uvf_dma_map_page() and makes edu read and write through them, and
 *
 *  - every outcome must follow the ARM LPAE stage-1 rules, and
 *  - the transcript must equal the software model's, run on the host with
 *    UVF_PGTABLE_ARM_LPAE_S1 (--model FILE, from tools/vm/run
 *    --host-output): the same IOVA layout, the same data movements and the
 *    same faults.
 *
 * What is observable of a blocked access: edu has no error status, so the
 * data tells (a write leaves memory as it was; a read brings back something
 * other than the buffer's contents -- QEMU hands the device zeros), and the
 * SMMUv3 records the fault in its event queue, which the kernel logs as
 * "event 0xNN received:" and four record words; they are read from
 * /dev/kmsg (0x10 translation fault, 0x13 permission fault; word 1 bit 35
 * read/write, word 2 the address).
 *
 * usage: guest_lpae --type1|--iommufd --model FILE
 * Prints TAP; exits 0 pass, 1 fail, 77 skip (edu not on vfio-pci).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uvf/device.h>
#include <uvf/iommu.h>
#include <uvf/vfio.h>

#include "guest_tap.h"
#include "edu.h"
#include "lpae_seq.h"
#include "xcheck.h"

#define EDU_BDF "0000:00:07.0"
#define MAX_EVENTS 16
/* A probe's events are in once the kernel log has been quiet this long;
 * the first one of a blocked access may take up to EVENT_WAIT_MS. */
#define QUIET_MS 100
#define EVENT_WAIT_MS 3000

/* The SMMUv3 event records the kernel has logged, parsed from /dev/kmsg:
 * "event 0xNN received:" then one record per 64-bit word. */
struct smmu_log {
	int fd;
	int words;		/* of the event being read; -1: none */
	uint64_t word[4];
	uint8_t id;
	int n;
	struct lpae_fault ev[MAX_EVENTS];
};

static void event_done(struct smmu_log *l)
{
	struct lpae_fault *f;

	l->words = -1;
	if (l->n == MAX_EVENTS)
		return;
	f = &l->ev[l->n++];
	f->write = !(l->word[1] & (1ull << 35));	/* RnW */
	f->iova = l->word[2];
	switch (l->id) {
	case 0x10:
		snprintf(f->kind, sizeof(f->kind), "translation");
		break;
	case 0x13:
		snprintf(f->kind, sizeof(f->kind), "permission");
		break;
	default:
		snprintf(f->kind, sizeof(f->kind), "event-%#04x", l->id);
	}
}

/* One /dev/kmsg record: "prio,seq,time,flags;message". */
static void kmsg_record(struct smmu_log *l, const char *rec)
{
	const char *msg = strchr(rec, ';'), *p;
	unsigned int id;

	if (!msg || !strstr(msg, "arm-smmu-v3"))
		return;
	p = strstr(msg, "event 0x");
	if (p && sscanf(p, "event 0x%x received", &id) == 1) {
		if (l->words >= 0)
			event_done(l);	/* cut short by the rate limit */
		l->id = (uint8_t)id;
		l->words = 0;
		return;
	}
	/* A word: "\x090x%016llx" (kmsg escapes the tab). */
	p = strrchr(msg, 'x');
	if (l->words < 0 || !p)
		return;
	l->word[l->words++] = strtoull(p + 1, NULL, 16);
	if (l->words == 4)
		event_done(l);
}

/* Read what the kernel has logged, waiting until it stays quiet. */
static void kmsg_drain(struct smmu_log *l, int quiet_ms)
{
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
	char rec[1024];
	ssize_t n;

	for (;;) {
		n = read(l->fd, rec, sizeof(rec) - 1);
		if (n > 0) {
			rec[n] = '\0';
			kmsg_record(l, rec);
			continue;
		}
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten: go on */
		if (poll(&pfd, 1, quiet_ms) <= 0)
			return;
	}
}

struct edu_engine {
	struct uvf_edu *edu;
	struct smmu_log log;
};

static int edu_leg(struct uvf_edu *edu, enum uvf_edu_dir dir, uvf_iova_t a,
		   uint32_t len)
{
	int ret = uvf_edu_dma_start(edu, dir, a, 0, len, false);

	return ret ? ret : uvf_edu_dma_wait(edu, 5000);
}

/* Memory to memory through edu's buffer: in from @src, out to @dst. */
static int edu_copy(void *ctx, uvf_iova_t src, uvf_iova_t dst, uint32_t len)
{
	struct edu_engine *e = ctx;
	int ret = edu_leg(e->edu, UVF_EDU_TO_DEVICE, src, len);

	if (!ret)
		ret = edu_leg(e->edu, UVF_EDU_FROM_DEVICE, dst, len);
	return ret;
}

/* The kernel logs an event from its event-queue thread some time after
 * edu is done: wait for the first one when the data says there must be
 * one, then until the log stays quiet. */
static int edu_faults(void *ctx, bool blocked, struct lpae_fault *out,
		      int max)
{
	struct edu_engine *e = ctx;
	int waited, n;

	for (waited = 0; blocked && !e->log.n && waited < EVENT_WAIT_MS;
	     waited += QUIET_MS)
		kmsg_drain(&e->log, QUIET_MS);
	kmsg_drain(&e->log, QUIET_MS);
	n = e->log.n < max ? e->log.n : max;

	memcpy(out, e->log.ev, (size_t)n * sizeof(*out));
	e->log.n = 0;
	return n;
}

static int parse_args(int argc, char **argv, enum uvf_vfio_backend *b,
		      const char **model)
{
	int i;

	*b = UVF_VFIO_AUTO;
	*model = NULL;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i] + strspn(argv[i], "-");

		if (!strcmp(a, "model") && i + 1 < argc)
			*model = argv[++i];
		else if (uvf_vfio_backend_parse(a, b))
			return -EINVAL;
	}
	/* Translated backends only: the model checks an IOMMU. */
	return *b == UVF_VFIO_AUTO || *b == UVF_VFIO_NOIOMMU || !*model ?
		       -EINVAL : 0;
}

int main(int argc, char **argv)
{
	struct uvf_vfio_opts o = { .iova_last = LPAE_SEQ_IOVA_LAST };
	struct edu_engine e = { .log = { .fd = -1, .words = -1 } };
	struct lpae_engine eng = { edu_copy, edu_faults, &e };
	struct uvf_iommu *iommu = NULL;
	struct uvf_domain *dom = NULL;
	struct uvf_device *dev = NULL;
	struct lpae_seq_result res;
	const char *model_path;
	char *real = NULL, *model;
	size_t real_len = 0;
	FILE *out;
	unsigned int diff;
	int ret;

	if (parse_args(argc, argv, &o.backend, &model_path)) {
		fprintf(stderr, "usage: %s --type1|--iommufd --model FILE\n",
			argv[0]);
		return 2;
	}
	if (access("/sys/bus/pci/drivers/vfio-pci/" EDU_BDF, F_OK)) {
		printf("1..0 # SKIP edu is not on vfio-pci\n");
		return 77;
	}
	model = xcheck_read_file(model_path);
	if (!tap(model != NULL, "the software model's transcript %s",
		 model_path))
		goto out;

	ret = xcheck_vfio_domain(&o, EDU_BDF, &iommu, &dev, &dom);
	if (!ret)
		ret = uvf_edu_open(dev, &e.edu);
	if (!tap(!ret, "%s context, edu in a translated domain: %d",
		 uvf_vfio_backend_name(o.backend), ret))
		goto down;
	e.log.fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (!tap(e.log.fd >= 0 && lseek(e.log.fd, 0, SEEK_END) >= 0,
		 "reading the kernel log for SMMUv3 events"))
		goto down;
	kmsg_drain(&e.log, 0);
	e.log.n = 0;

	out = open_memstream(&real, &real_len);
	if (!tap(out != NULL, "a transcript buffer"))
		goto down;
	ret = lpae_seq_run(dev, &eng, out, &res);
	fclose(out);
	xcheck_diag_lines("", real ? real : "");
	tap(!ret, "the sequence ran to its end: %d", ret);
	tap(res.probes > 0 && !res.unexpected,
	    "%u of %u device accesses made, %u break the arm-lpae-s1 rules",
	    res.probes, lpae_seq_probe_count(), res.unexpected);
	diff = xcheck_compare(model ? model : "", real ? real : "", stdout,
				"# model/real ");
	tap(diff == 0,
	    "same IOVA layout, data movements and faults as the software model (%u lines differ)",
	    diff);
down:
	uvf_edu_close(e.edu);
	xcheck_vfio_close(iommu, dev, dom);
	if (e.log.fd >= 0)
		close(e.log.fd);
out:
	free(real);
	free(model);
	return tap_finish();
}
