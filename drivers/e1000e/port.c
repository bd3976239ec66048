/* SPDX-License-Identifier: MIT */
/*
 * Bringing a port up and down: PCI enable, MAC reset, MAC address, rings,
 * receive and transmit control, interrupts, link.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uvf/dma.h>

#include "e1000e_priv.h"

#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4

/* Receive queue 0, transmit (both queues), other, receive queue 1. */
#define MSIX_VECTORS 4
#define MASTER_DISABLE_MS 100
#define EERD_TIMEOUT_MS 100

static const struct uvf_pci_id e1k_ids[] = {
	{ UVF_E1000E_VENDOR, UVF_E1000E_DEVICE },
	{ 0, 0 },
};

void e1k_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int e1k_read(struct uvf_e1000e *nic, uint32_t reg, uint32_t *val)
{
	uint64_t v;
	int ret;

	if (nic->regs) {
		*val = uvf_mmio_read32(nic->regs, reg);
		return 0;
	}
	ret = uvf_device_bar_read(nic->dev, E1K_BAR, reg, &v, 4);
	if (!ret)
		*val = (uint32_t)v;
	return ret;
}

int e1k_write(struct uvf_e1000e *nic, uint32_t reg, uint32_t val)
{
	if (nic->regs) {
		uvf_mmio_write32(nic->regs, reg, val);
		return 0;
	}
	return uvf_device_bar_write(nic->dev, E1K_BAR, reg, val, 4);
}

int e1k_check_present(struct uvf_e1000e *nic)
{
	uint32_t st;
	int ret;

	if (atomic_load_explicit(&nic->gone, memory_order_relaxed))
		return -ENODEV;
	ret = e1k_read(nic, E1K_STATUS, &st);
	if (ret || st != UINT32_MAX)
		return ret;
	atomic_store(&nic->gone, true);
	return -ENODEV;
}

int uvf_e1000e_check(struct uvf_e1000e *nic)
{
	return nic ? e1k_check_present(nic) : -EINVAL;
}

int e1k_wait_reg(struct uvf_e1000e *nic, uint32_t reg, uint32_t mask,
		 uint32_t want, unsigned int timeout_ms)
{
	uint64_t deadline = uvf_now_ns() + timeout_ms * 1000000ull;
	uint32_t v;
	int ret;

	for (;;) {
		ret = e1k_read(nic, reg, &v);
		/* All ones may match @want: a removed NIC must not. */
		if (!ret && v == UINT32_MAX)
			ret = e1k_check_present(nic);
		if (ret)
			return ret;
		if ((v & mask) == want)
			return 0;
		if (uvf_now_ns() >= deadline)
			return -ETIMEDOUT;
		e1k_sleep_ms(1);
	}
}

int uvf_e1000e_match(struct uvf_device *dev)
{
	return uvf_driver_match(&uvf_e1000e_driver, dev);
}

/* Memory decoding and bus mastering on; nic_stop() undoes both. */
static int set_bus_master(struct uvf_e1000e *nic)
{
	uint16_t cmd = nic->pci_cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;

	return uvf_device_cfg_write(nic->dev, PCI_COMMAND, &cmd, sizeof(cmd));
}

/* BAR 0 must be the 128 KiB register window; map it when we can, else
 * every access goes through the device's read/write calls. */
static int map_regs(struct uvf_e1000e *nic)
{
	struct uvf_bar_info info;
	void *p;
	int ret = uvf_device_bar_info(nic->dev, E1K_BAR, &info);

	if (ret)
		return ret;
	if (!(info.flags & UVF_BAR_MMIO) || info.size < E1K_BAR_SIZE)
		return -ENODEV;
	if (!uvf_device_bar_map(nic->dev, E1K_BAR, &p))
		nic->regs = p;
	return 0;
}

/*
 * The reset sequence of Linux's e1000_reset_hw_82571() for the 82574:
 * mask interrupts, stop both directions, let bus mastering drain, reset
 * the MAC, wait for the reset and the EEPROM auto-read, then give the PHY
 * its configuration time. Leaves interrupts masked and causes cleared.
 */
static int nic_reset(struct uvf_e1000e *nic)
{
	uint32_t v;
	int ret;

	ret = e1k_write(nic, E1K_IMC, UINT32_MAX);
	if (!ret)
		ret = e1k_write(nic, E1K_RCTL, 0);
	if (!ret)
		ret = e1k_write(nic, E1K_TCTL, E1K_TCTL_PSP);
	if (!ret)
		ret = e1k_read(nic, E1K_STATUS, &v);
	if (ret)
		return ret;
	e1k_sleep_ms(10);
	ret = e1k_modify(nic, E1K_CTRL, 0, E1K_CTRL_GIO_MASTER_DISABLE);
	if (ret)
		return ret;
	/* Like Linux, go on when the master never reports idle: the reset
	 * below stops it anyway. */
	e1k_wait_reg(nic, E1K_STATUS, E1K_STATUS_GIO_MASTER_ENABLE, 0,
		     MASTER_DISABLE_MS);
	ret = e1k_modify(nic, E1K_CTRL, 0, E1K_CTRL_RST);
	if (ret)
		return ret;
	e1k_sleep_ms(1);
	ret = e1k_wait_reg(nic, E1K_CTRL, E1K_CTRL_RST, 0,
			   nic->reset_timeout_ms);
	if (!ret)
		ret = e1k_wait_reg(nic, E1K_EECD, E1K_EECD_AUTO_RD,
				   E1K_EECD_AUTO_RD, nic->reset_timeout_ms);
	if (ret)
		return ret;
	e1k_sleep_ms(25);
	ret = e1k_write(nic, E1K_IMC, UINT32_MAX);
	if (!ret)
		ret = e1k_read(nic, E1K_ICR, &v);
	if (!ret)
		ret = e1k_write(nic, E1K_ICR, UINT32_MAX);
	if (!ret)
		ret = e1k_modify(nic, E1K_CTRL,
			     E1K_CTRL_GIO_MASTER_DISABLE | E1K_CTRL_FRCSPD |
				     E1K_CTRL_FRCDPX | E1K_CTRL_PHY_RST,
			     E1K_CTRL_SLU | E1K_CTRL_ASDE);
	return ret;
}

/* Stop every DMA of the NIC before its memory goes away. */
static void nic_stop(struct uvf_e1000e *nic)
{
	/* Bus mastering off, memory decoding as open found it: a failed
	 * open leaves the command register as it was. */
	uint16_t cmd = nic->pci_cmd & (uint16_t)~PCI_COMMAND_MASTER;

	e1k_write(nic, E1K_IMC, UINT32_MAX);
	e1k_write(nic, E1K_RCTL, 0);
	e1k_write(nic, E1K_TCTL, E1K_TCTL_PSP);
	/* A removed NIC has nothing left to reset. */
	if (!e1k_check_present(nic))
		nic_reset(nic);
	uvf_device_cfg_write(nic->dev, PCI_COMMAND, &cmd, sizeof(cmd));
}

static bool mac_valid(const uint8_t *mac)
{
	static const uint8_t zero[6];

	return !(mac[0] & 1) && memcmp(mac, zero, 6);
}

static int eeprom_word(struct uvf_e1000e *nic, unsigned int addr,
		       uint16_t *word)
{
	uint32_t v;
	int ret = e1k_write(nic, E1K_EERD,
			    addr << E1K_EERD_ADDR_SHIFT | E1K_EERD_START);

	if (!ret)
		ret = e1k_wait_reg(nic, E1K_EERD, E1K_EERD_DONE, E1K_EERD_DONE,
				   EERD_TIMEOUT_MS);
	if (!ret)
		ret = e1k_read(nic, E1K_EERD, &v);
	if (!ret)
		*word = (uint16_t)(v >> E1K_EERD_DATA_SHIFT);
	return ret;
}

static int write_rar0(struct uvf_e1000e *nic, const uint8_t *mac)
{
	uint32_t lo = mac[0] | mac[1] << 8 | mac[2] << 16 |
		      (uint32_t)mac[3] << 24;
	uint32_t hi = mac[4] | mac[5] << 8 | E1K_RAH_AV;
	/* Invalidate first, so the filter never matches half an update. */
	int ret = e1k_modify(nic, E1K_RAH0, E1K_RAH_AV, 0);

	if (!ret)
		ret = e1k_write(nic, E1K_RAL0, lo);
	if (!ret)
		ret = e1k_write(nic, E1K_RAH0, hi);
	return ret;
}

/* The reset loads receive address 0 from the EEPROM; read the EEPROM
 * ourselves only when that did not happen. */
static int read_mac(struct uvf_e1000e *nic)
{
	uint32_t lo, hi;
	uint16_t w;
	unsigned int i;
	int ret = e1k_read(nic, E1K_RAL0, &lo);

	if (!ret)
		ret = e1k_read(nic, E1K_RAH0, &hi);
	if (ret)
		return ret;
	for (i = 0; i < 4; i++)
		nic->mac[i] = (uint8_t)(lo >> (8 * i));
	nic->mac[4] = (uint8_t)hi;
	nic->mac[5] = (uint8_t)(hi >> 8);
	if ((hi & E1K_RAH_AV) && mac_valid(nic->mac))
		return 0;
	for (i = 0; i < 3; i++) {
		ret = eeprom_word(nic, i, &w);
		if (ret)
			return ret;
		nic->mac[2 * i] = (uint8_t)w;
		nic->mac[2 * i + 1] = (uint8_t)(w >> 8);
	}
	if (!mac_valid(nic->mac))
		return -EIO;
	return write_rar0(nic, nic->mac);
}

static int irq_msix(struct uvf_e1000e *nic)
{
	uint32_t ivar = (E1K_IVAR_VALID | 0) << E1K_IVAR_RXQ0_SHIFT |
			(E1K_IVAR_VALID | 3) << E1K_IVAR_RXQ1_SHIFT |
			(E1K_IVAR_VALID | 1) << E1K_IVAR_TXQ0_SHIFT |
			(E1K_IVAR_VALID | 1) << E1K_IVAR_TXQ1_SHIFT |
			(E1K_IVAR_VALID | 2) << E1K_IVAR_OTHER_SHIFT;
	unsigned int i;
	int ret = uvf_device_irq_enable(nic->dev, UVF_IRQ_MSIX, MSIX_VECTORS);

	if (ret)
		return ret;
	/* Each queue cause auto-clears when its vector fires; no throttling
	 * beyond what the NIC imposes. */
	ret = e1k_write(nic, E1K_IVAR, ivar);
	if (!ret)
		ret = e1k_write(nic, E1K_EIAC, E1K_ICR_RXQ0 | E1K_ICR_RXQ1 |
						       E1K_ICR_TXQ0 | E1K_ICR_TXQ1);
	if (!ret)
		ret = e1k_modify(nic, E1K_CTRL_EXT, E1K_CTRL_EXT_IAME,
			     E1K_CTRL_EXT_PBA_CLR);
	for (i = 0; !ret && i < MSIX_VECTORS; i++)
		ret = e1k_write(nic, E1K_EITR(i), 0);
	if (ret) {
		uvf_device_irq_disable(nic->dev);
		return ret;
	}
	nic->irq = UVF_E1000E_IRQ_MSIX;
	nic->rx_vec[0] = 0;
	nic->rx_cause[0] = E1K_ICR_RXQ0;
	nic->rx_vec[1] = 3;
	nic->rx_cause[1] = E1K_ICR_RXQ1;
	return 0;
}

static int irq_msi(struct uvf_e1000e *nic)
{
	int ret = uvf_device_irq_enable(nic->dev, UVF_IRQ_MSI, 1);

	if (ret)
		return ret;
	ret = e1k_write(nic, E1K_ITR, 0);
	if (ret) {
		uvf_device_irq_disable(nic->dev);
		return ret;
	}
	nic->irq = UVF_E1000E_IRQ_MSI;
	nic->rx_vec[0] = nic->rx_vec[1] = 0;
	nic->rx_cause[0] = nic->rx_cause[1] = E1K_ICR_RXT0;
	return 0;
}

static int irq_setup(struct uvf_e1000e *nic, enum uvf_e1000e_irq want)
{
	int ret;

	switch (want) {
	case UVF_E1000E_IRQ_NONE:
		nic->irq = UVF_E1000E_IRQ_NONE;
		return 0;
	case UVF_E1000E_IRQ_MSIX:
		return irq_msix(nic);
	case UVF_E1000E_IRQ_MSI:
		return irq_msi(nic);
	default:
		ret = irq_msix(nic);
		return ret ? irq_msi(nic) : 0;
	}
}

static int opts_fill(const struct uvf_e1000e_opts *in,
		     struct uvf_e1000e_opts *o)
{
	static const struct uvf_e1000e_opts none;
	unsigned int *ring[2] = { &o->rx_ring_size, &o->tx_ring_size };
	int i;

	*o = in ? *in : none;
	for (i = 0; i < 2; i++) {
		if (!*ring[i])
			*ring[i] = E1K_DEFAULT_RING;
		/* RDLEN/TDLEN are multiples of 128 bytes. */
		if (*ring[i] % 8 || *ring[i] > UVF_E1000E_MAX_RING)
			return -EINVAL;
	}
	if (o->irq > UVF_E1000E_IRQ_MSI)
		return -EINVAL;
	if (!o->queues)
		o->queues = 1;
	if (!o->max_frame)
		o->max_frame = UVF_E1000E_MAX_FRAME;
	if (o->queues > UVF_E1000E_MAX_QUEUES || (o->rss && o->queues < 2) ||
	    o->max_frame < UVF_E1000E_MAX_FRAME ||
	    o->max_frame > UVF_E1000E_MAX_JUMBO)
		return -EINVAL;
	if (!o->pool_size)
		o->pool_size = o->queues * (o->rx_ring_size + o->tx_ring_size) +
			       E1K_DEFAULT_POOL_EXTRA;
	if (!o->reset_timeout_ms)
		o->reset_timeout_ms = E1K_DEFAULT_RESET_MS;
	if (!o->link_timeout_ms)
		o->link_timeout_ms = E1K_DEFAULT_LINK_MS;
	return 0;
}

static int pool_attach(struct uvf_e1000e *nic, const struct uvf_e1000e_opts *o)
{
	int ret;

	if (o->pool) {
		if (o->pool->domain != nic->domain)
			return -EINVAL;
		nic->pool = o->pool;
	} else {
		ret = e1k_pool_create_heap(nic->dev, nic->heap, o->pool_size,
					   &nic->pool);
		if (ret)
			return ret;
		nic->own_pool = true;
	}
	e1k_pool_get(nic->pool);
	return 0;
}

static void pool_detach(struct uvf_e1000e *nic)
{
	if (!nic->pool)
		return;
	e1k_pool_put(nic->pool);
	if (nic->own_pool)
		uvf_e1000e_pool_destroy(nic->pool);
	nic->pool = NULL;
}

static int heap_hold(struct uvf_e1000e *nic, const struct uvf_e1000e_opts *o)
{
	struct uvf_dmaheap *heap = o->heap;
	int ret = heap ? 0 : uvf_dmaheap_shared(&heap);

	if (!ret)
		ret = uvf_dmaheap_hold(heap, nic->domain);
	if (!ret)
		nic->heap = heap;
	return ret;
}

/* After the rings and the pool went back. */
static void heap_release(struct uvf_e1000e *nic)
{
	if (nic->heap)
		uvf_dmaheap_release(nic->heap, nic->domain);
	nic->heap = NULL;
}

/* Receive and transmit control, once the rings are in place. */
static int start_rxtx(struct uvf_e1000e *nic, const struct uvf_e1000e_opts *o)
{
	int ret = e1k_filters_init(nic, o);

	/* No interrupt delays. */
	if (!ret)
		ret = e1k_write(nic, E1K_RDTR, 0);
	if (!ret)
		ret = e1k_write(nic, E1K_RADV, 0);
	if (!ret)
		ret = e1k_write(nic, E1K_TIDV, 0);
	if (!ret)
		ret = e1k_write(nic, E1K_TADV, 0);
	if (!ret)
		ret = e1k_write(nic, E1K_TIPG, E1K_TIPG_DEFAULT);
	if (!ret)
		ret = e1k_modify(nic, E1K_TARC0, 0, E1K_TARC0_ENABLE);
	if (!ret && nic->nqueues > 1)
		ret = e1k_modify(nic, E1K_TARC1, 0, E1K_TARC0_ENABLE);
	if (!ret)
		ret = e1k_write(nic, E1K_TCTL,
				E1K_TCTL_EN | E1K_TCTL_PSP | E1K_TCTL_CT(15) |
					E1K_TCTL_COLD(63) | E1K_TCTL_RTLC);
	if (!ret)
		ret = e1k_write(nic, E1K_RCTL, e1k_rctl(nic));
	return ret;
}

static int port_up(struct uvf_e1000e *nic, const struct uvf_e1000e_opts *o)
{
	unsigned int q;
	int ret = map_regs(nic);

	if (!ret)
		ret = e1k_check_present(nic);
	if (ret)
		return ret;
	ret = nic_reset(nic);
	if (!ret)
		ret = read_mac(nic);
	if (!ret)
		ret = e1k_stats_update(nic);
	if (ret)
		return ret;
	memset(&nic->hw, 0, sizeof(nic->hw));
	ret = heap_hold(nic, o);
	if (!ret)
		ret = pool_attach(nic, o);
	for (q = 0; !ret && q < nic->nqueues; q++) {
		ret = e1k_tx_ring_init(nic, q, o->tx_ring_size);
		if (!ret)
			ret = e1k_rx_ring_init(nic, q, o->rx_ring_size);
	}
	if (!ret)
		ret = irq_setup(nic, o->irq);
	if (!ret)
		ret = start_rxtx(nic, o);
	if (!ret && !o->no_link_wait)
		ret = uvf_e1000e_link_wait(nic, o->link_timeout_ms);
	return ret;
}

static void rings_fini(struct uvf_e1000e *nic)
{
	unsigned int q;

	for (q = 0; q < nic->nqueues; q++) {
		e1k_rx_ring_fini(nic, q);
		e1k_tx_ring_fini(nic, q);
	}
}

static void port_free(struct uvf_e1000e *nic)
{
	pthread_mutex_destroy(&nic->stats_lock);
	free(nic);
}

int uvf_e1000e_open(struct uvf_device *dev, const struct uvf_e1000e_opts *opts,
		    struct uvf_e1000e **out)
{
	struct uvf_e1000e_opts o;
	struct uvf_e1000e *nic;
	int ret;

	if (!dev || !out || !uvf_device_domain(dev))
		return -EINVAL;
	ret = opts_fill(opts, &o);
	if (ret)
		return ret;
	ret = uvf_e1000e_match(dev);
	if (ret <= 0)
		return ret ? ret : -ENODEV;
	nic = aligned_alloc(64, (sizeof(*nic) + 63) & ~(size_t)63);
	if (!nic)
		return -ENOMEM;
	memset(nic, 0, sizeof(*nic));
	nic->dev = dev;
	nic->domain = uvf_device_domain(dev);
	nic->reset_timeout_ms = o.reset_timeout_ms;
	nic->nqueues = o.queues;
	nic->max_frame = o.max_frame;
	pthread_mutex_init(&nic->stats_lock, NULL);
	ret = uvf_device_cfg_read(dev, PCI_COMMAND, &nic->pci_cmd,
				  sizeof(nic->pci_cmd));
	if (ret) {
		port_free(nic);
		return ret;
	}
	ret = set_bus_master(nic);
	if (!ret)
		ret = port_up(nic, &o);
	if (ret) {
		/* Quiet first: no DMA may follow the memory being freed. */
		nic_stop(nic);
		if (nic->irq != UVF_E1000E_IRQ_NONE)
			uvf_device_irq_disable(dev);
		rings_fini(nic);
		pool_detach(nic);
		heap_release(nic);
		port_free(nic);
		return ret;
	}
	*out = nic;
	return 0;
}

void uvf_e1000e_close(struct uvf_e1000e *nic)
{
	if (!nic)
		return;
	nic_stop(nic);
	if (nic->irq != UVF_E1000E_IRQ_NONE)
		uvf_device_irq_disable(nic->dev);
	rings_fini(nic);
	pool_detach(nic);
	heap_release(nic);
	port_free(nic);
}

struct uvf_device *uvf_e1000e_device(const struct uvf_e1000e *nic)
{
	return nic->dev;
}

struct uvf_e1000e_pool *uvf_e1000e_pool(const struct uvf_e1000e *nic)
{
	return nic->pool;
}

enum uvf_e1000e_irq uvf_e1000e_irq_type(const struct uvf_e1000e *nic)
{
	return nic->irq;
}

void uvf_e1000e_mac_addr(const struct uvf_e1000e *nic, uint8_t mac[6])
{
	memcpy(mac, nic->mac, 6);
}

unsigned int uvf_e1000e_queues(const struct uvf_e1000e *nic)
{
	return nic->nqueues;
}

int uvf_e1000e_set_mac_addr(struct uvf_e1000e *nic, const uint8_t mac[6])
{
	int ret;

	if (!nic || !mac || !mac_valid(mac))
		return -EINVAL;
	ret = write_rar0(nic, mac);
	if (ret) {
		write_rar0(nic, nic->mac);
		return ret;
	}
	memcpy(nic->mac, mac, 6);
	return 0;
}

int uvf_e1000e_link_get(struct uvf_e1000e *nic, struct uvf_e1000e_link *link)
{
	static const unsigned int speed[4] = { 10, 100, 1000, 1000 };
	uint32_t st;
	int ret;

	if (!nic || !link)
		return -EINVAL;
	ret = e1k_read(nic, E1K_STATUS, &st);
	if (!ret && st == UINT32_MAX)
		ret = e1k_check_present(nic);
	if (ret)
		return ret;
	link->up = st & E1K_STATUS_LU;
	link->speed_mbps = speed[(st & E1K_STATUS_SPEED_MASK) >>
				 E1K_STATUS_SPEED_SHIFT];
	link->full_duplex = st & E1K_STATUS_FD;
	return 0;
}

int uvf_e1000e_link_wait(struct uvf_e1000e *nic, unsigned int timeout_ms)
{
	if (!nic)
		return -EINVAL;
	return e1k_wait_reg(nic, E1K_STATUS, E1K_STATUS_LU, E1K_STATUS_LU,
			    timeout_ms);
}

static int e1k_probe(struct uvf_device *dev, void **drvdata)
{
	struct uvf_e1000e *nic;
	int ret = uvf_e1000e_open(dev, NULL, &nic);

	if (!ret)
		*drvdata = nic;
	return ret;
}

static void e1k_remove(struct uvf_device *dev, void *drvdata)
{
	(void)dev;
	uvf_e1000e_close(drvdata);
}

const struct uvf_driver uvf_e1000e_driver = {
	.name = "e1000e",
	.ids = e1k_ids,
	.probe = e1k_probe,
	.remove = e1k_remove,
};
