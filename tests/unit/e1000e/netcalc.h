/* SPDX-License-Identifier: MIT */
/*
 * Reference computations for the e1000e tests, written from the
 * specifications and not from the driver: the Toeplitz hash of RSS
 * (Microsoft's "Scalable Networking: RSS" verification suite gives its
 * vectors), the Internet checksum (RFC 1071) of IPv4 headers and of TCP
 * and UDP over their pseudo-header, and IPv4 test frames. Shared by the
 * fake 82574L, the unit tests and the guest program of the vm rows.
 */
#ifndef UVF_TEST_NETCALC_H
#define UVF_TEST_NETCALC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETCALC_ETH_HLEN 14u
#define NETCALC_IP_HLEN 20u
#define NETCALC_PROTO_TCP 6u
#define NETCALC_PROTO_UDP 17u

/* Toeplitz hash of @len input bytes under a 40-byte @key. */
uint32_t netcalc_toeplitz(const uint8_t key[40], const uint8_t *in,
			  size_t len);
/* The RSS hash the 82574 computes for an IPv4 frame: over the addresses,
 * and the ports too when @with_ports (TCP). */
uint32_t netcalc_rss_ipv4(const uint8_t key[40], const uint8_t *frame,
			  bool with_ports);
/* One's-complement sum of @len bytes added to @sum, not folded. */
uint32_t netcalc_sum(uint32_t sum, const uint8_t *p, size_t len);
/* Fold and invert. */
uint16_t netcalc_fold(uint32_t sum);
/* Whether the IPv4 header of @frame checks out. */
bool netcalc_ip_ok(const uint8_t *frame);
/* Whether the TCP or UDP checksum of the IPv4 @frame checks out. */
bool netcalc_l4_ok(const uint8_t *frame);

/*
 * An IPv4 frame of @len bytes (at least 14 + 20 + 20) from @src to @dst
 * MAC, addresses @sip/@dip and ports @sport/@dport, protocol @proto (TCP
 * or UDP), payload following from @seq, both checksums correct.
 */
struct netcalc_flow {
	uint8_t dst[6], src[6];
	uint32_t sip, dip;		/* host order */
	uint16_t sport, dport;
	uint8_t proto;
};
void netcalc_build(uint8_t *frame, size_t len, const struct netcalc_flow *fl,
		   uint32_t seq);
/* Whether the payload of @frame is that of netcalc_build(.., @seq). */
bool netcalc_payload_ok(const uint8_t *frame, size_t len, uint32_t seq);
/* Offsets of the checksum fields in a netcalc_build() frame. */
size_t netcalc_ip_csum_off(void);
size_t netcalc_l4_csum_off(uint8_t proto);

#endif
