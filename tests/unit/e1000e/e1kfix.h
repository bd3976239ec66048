/* SPDX-License-Identifier: MIT */
/* The e1000e driver tests' fixture: software IOMMU, one translated
 * domain, one or two fake 82574Ls attached (two are connected), and
 * helpers to make and check test frames. */
#ifndef UVF_TEST_E1KFIX_H
#define UVF_TEST_E1KFIX_H

#include <uvf/e1000e.h>
#include <uvf/uvf.h>

#include "fake_e1000e.h"

struct e1kfix {
	struct uvf_iommu *iommu;
	struct uvf_domain *dom;
	unsigned int ndev;
	struct uvf_device *dev[2];
	uint8_t mac[2][6];
	struct uvf_e1000e *nic[2];
};

/* Quick timeouts for the failure tests. */
#define E1KFIX_FAST_MS 50

/* @ndev fakes (1 or 2); @p may be NULL for the defaults (the second fake
 * gets the next MAC address). */
void e1kfix_setup(struct e1kfix *f, unsigned int ndev,
		  const struct fake_e1000e_params *p);
/* Open port @i; @o may be NULL. ck_assert()s success. */
void e1kfix_open(struct e1kfix *f, unsigned int i,
		 const struct uvf_e1000e_opts *o);
/* Close the ports and check the driver left nothing mapped. */
void e1kfix_teardown(struct e1kfix *f);
uint64_t e1kfix_mapped(struct e1kfix *f);

/* A @len-byte frame to @dst whose payload follows from @seq. */
void e1kfix_frame(uint8_t *buf, size_t len, const uint8_t dst[6],
		  uint32_t seq);
/* Whether @buf is e1kfix_frame(.., @len, .., @seq). */
bool e1kfix_frame_ok(const uint8_t *buf, size_t len, uint32_t seq);
/* Send frames seq first..first+n-1 of @len bytes to @dst from port @nic,
 * all of them (asserts). */
void e1kfix_send(struct uvf_e1000e *nic, const uint8_t dst[6],
		 uint32_t first, unsigned int n, size_t len);
/* Receive up to @max frames on @nic (until one empty poll), check them
 * against seq first.., free them; returns the count. */
unsigned int e1kfix_recv(struct uvf_e1000e *nic, uint32_t first,
			 unsigned int max, size_t len);

/* @len bytes of @frame in a chain of buffers from @nic's pool, each full
 * but the last (asserts). */
struct uvf_e1000e_buf *e1kfix_chain(struct uvf_e1000e *nic,
				    const uint8_t *frame, size_t len);
/* Send @frame from @nic on queue @q with @ol_flags (asserts it posts). */
void e1kfix_send_frame(struct uvf_e1000e *nic, unsigned int q,
		       const uint8_t *frame, size_t len, uint16_t ol_flags);
/* Frames waiting on queue @q of @nic, up to @max, into @out. */
unsigned int e1kfix_take(struct uvf_e1000e *nic, unsigned int q,
			 struct uvf_e1000e_buf **out, unsigned int max);
/* The bytes of a chain, copied to @out (at most @max); returns the
 * length. */
size_t e1kfix_gather(const struct uvf_e1000e_buf *b, uint8_t *out,
		     size_t max);

#endif
