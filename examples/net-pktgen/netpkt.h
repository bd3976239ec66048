/* SPDX-License-Identifier: MIT */
/*
 * The test traffic of net-pktgen, net-rx and the guest test
 * guest_net_pktgen_rx: Ethernet frames of a local experimental EtherType
 * whose payload carries a sequence number, the frame length and a
 * checksum over everything after the Ethernet header, followed by a fill
 * pattern derived from the sequence number (so a stale or duplicated
 * buffer cannot pass for a fresh frame).
 *
 *   0   destination MAC, source MAC, EtherType 0x88b5
 *   14  magic "UVFP" (big endian), sequence (le64), length (le16),
 *       reserved (le16), checksum (le32, computed with itself zero)
 *   34  fill
 */
#ifndef UVF_EXAMPLES_NETPKT_H
#define UVF_EXAMPLES_NETPKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETPKT_ETHERTYPE 0x88b5
#define NETPKT_HDR_LEN 34u
#define NETPKT_MIN_LEN 60u	/* Ethernet minimum without FCS */
#define NETPKT_MAX_LEN 1514u

enum netpkt_verdict {
	NETPKT_OK,
	NETPKT_FOREIGN,		/* not test traffic (another EtherType) */
	NETPKT_CORRUPT,		/* test traffic that does not check out */
};

/* Build a @len-byte frame (NETPKT_MIN_LEN..NETPKT_MAX_LEN) at @frame. */
void netpkt_build(void *frame, size_t len, const uint8_t dst[6],
		  const uint8_t src[6], uint64_t seq);
/* Check a received frame; on NETPKT_OK, *seq is its sequence number. */
enum netpkt_verdict netpkt_check(const void *frame, size_t len,
				 uint64_t *seq);

/* Which of @count expected sequence numbers arrived, and how. */
struct netpkt_tracker {
	uint64_t count;
	uint8_t *seen;		/* bitmap */
	uint64_t received;	/* distinct, in range */
	uint64_t dups, out_of_range, out_of_order, corrupt, foreign;
	uint64_t next;		/* the sequence number expected next */
};

int netpkt_tracker_init(struct netpkt_tracker *t, uint64_t count);
void netpkt_tracker_fini(struct netpkt_tracker *t);
/* Account for one received frame; returns its verdict. */
enum netpkt_verdict netpkt_track(struct netpkt_tracker *t, const void *frame,
				 size_t len);
/* Expected frames never seen. */
uint64_t netpkt_missing(const struct netpkt_tracker *t);
/* Parse "aa:bb:cc:dd:ee:ff"; 0 or -1. */
int netpkt_parse_mac(const char *s, uint8_t mac[6]);
/* Seconds since an arbitrary point (CLOCK_MONOTONIC). */
double netpkt_now(void);

#endif
