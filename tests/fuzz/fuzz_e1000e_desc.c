/* SPDX-License-Identifier: MIT */
/*
 * The e1000e driver against a hostile NIC: the unit tests' fake 82574L
 * (tests/unit/e1000e/fake_e1000e.c) behind the software IOMMU, with the
 * fuzzer writing what a device writes into the rings -- receive
 * descriptors' status, errors and length, transmit descriptors' DD bit --
 * at any slot and any time, between honest frames arriving and bursts
 * sent and received. Small rings (8 descriptors) share one pool.
 *
 * The driver must not crash or hang; a frame it hands up is one buffer of
 * the pool, at most UVF_E1000E_BUF_SIZE long, not handed out twice; and
 * once the port is closed every buffer is back in the pool, once.
 */
#include <errno.h>

#include "e1000e_priv.h"
#include "e1kfix.h"

#include "fuzz_common.h"

#define MAX_OPS 64
#define POOL_BUFS 64u
#define RING 8u

static struct e1kfix fix;

static struct uvf_e1000e_pool *pool;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	e1kfix_setup(&fix, 1, NULL);
	FUZZ_CHECK(uvf_e1000e_pool_create(fix.dev[0], POOL_BUFS, &pool) == 0,
		   "pool");
	return 0;
}

static void op_rx(struct uvf_e1000e *nic, struct fuzz_in *in)
{
	struct uvf_e1000e_buf *got[RING * 2];
	unsigned int want = fuzz_u8(in) % (RING * 2 + 1);
	int n = uvf_e1000e_rx_burst(nic, got, want), i, j;

	FUZZ_CHECK(n >= 0 && (unsigned int)n <= want, "rx_burst %d of %u", n,
		   want);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(got[i]->pool == pool && got[i]->idx < POOL_BUFS &&
			   got[i]->len <= UVF_E1000E_BUF_SIZE,
			   "frame %d: pool %p idx %u len %u", i,
			   (void *)got[i]->pool, got[i]->idx, got[i]->len);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(got[j] != got[i], "buffer handed up twice");
	}
	uvf_e1000e_pool_free(got, (unsigned int)n);
}

static void op_tx(struct uvf_e1000e *nic, struct fuzz_in *in)
{
	struct uvf_e1000e_buf *b[RING];
	unsigned int k = 1 + fuzz_u8(in) % RING, i;
	uint16_t len = fuzz_u16(in);
	int sent;

	if (uvf_e1000e_pool_alloc(pool, b, k))
		return;
	for (i = 0; i < k; i++) {
		b[i]->len = len % (UVF_E1000E_MAX_FRAME + 8);
		memset(b[i]->data, 0xff, UVF_E1000E_MIN_FRAME);
	}
	sent = uvf_e1000e_tx_burst(nic, b, k);
	if (sent < 0)
		sent = 0;
	FUZZ_CHECK((unsigned int)sent <= k, "tx_burst %d of %u", sent, k);
	uvf_e1000e_pool_free(b + sent, k - (unsigned int)sent);
}

/* What a device can write into a receive descriptor (write-back form),
 * on either queue. */
static void op_rx_desc(struct uvf_e1000e *nic, struct fuzz_in *in)
{
	struct e1k_rx *rx = &nic->rx[fuzz_u8(in) % nic->nqueues];
	volatile union e1k_rx_desc *d = &rx->desc[fuzz_u8(in) % rx->size];

	d->wb.mrq = fuzz_u32(in);
	d->wb.rss = fuzz_u32(in);
	d->wb.status_error = fuzz_u32(in);
	d->wb.length = fuzz_u16(in);
	d->wb.vlan = fuzz_u16(in);
}

static void op_tx_desc(struct uvf_e1000e *nic, struct fuzz_in *in)
{
	struct e1k_tx *tx = &nic->tx[fuzz_u8(in) % nic->nqueues];
	volatile struct e1k_tx_desc *d = &tx->desc[fuzz_u8(in) % tx->size];

	d->upper = fuzz_u32(in);
}

static void op_frame(struct uvf_e1000e *nic, struct fuzz_in *in)
{
	uint8_t frame[UVF_E1000E_MAX_FRAME];
	size_t len = UVF_E1000E_MIN_FRAME + fuzz_u16(in) %
		     (UVF_E1000E_MAX_FRAME - UVF_E1000E_MIN_FRAME + 1);

	memset(frame, 0x5a, len);
	uvf_e1000e_mac_addr(nic, frame);
	fake_e1000e_inject(fix.dev[0], frame, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct uvf_e1000e_opts o = {
		.rx_ring_size = RING,
		.tx_ring_size = RING,
		.reset_timeout_ms = 20,
		.no_link_wait = true,
	};
	struct uvf_e1000e *nic;
	unsigned int ops;

	o.pool = pool;
	if (uvf_e1000e_open(fix.dev[0], &o, &nic))
		return 0;
	for (ops = 0; in.n && ops < MAX_OPS; ops++) {
		switch (fuzz_u8(&in) % 5) {
		case 0:
			op_rx(nic, &in);
			break;
		case 1:
			op_tx(nic, &in);
			break;
		case 2:
			op_rx_desc(nic, &in);
			break;
		case 3:
			op_tx_desc(nic, &in);
			break;
		default:
			op_frame(nic, &in);
		}
	}
	uvf_e1000e_close(nic);
	FUZZ_CHECK(uvf_e1000e_pool_avail(pool) == POOL_BUFS,
		   "%u of %u buffers back in the pool",
		   uvf_e1000e_pool_avail(pool), POOL_BUFS);
	return 0;
}
