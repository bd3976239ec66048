/* SPDX-License-Identifier: MIT */
/*
 * 82574L registers and descriptors used by the driver (Intel 82574 GbE
 * Controller Family datasheet, chapter 10; the offsets and bits agree with
 * Linux's e1000e and QEMU's e1000x_regs.h).
 */
#ifndef UVF_E1000E_REGS_H
#define UVF_E1000E_REGS_H

#include <assert.h>
#include <stdint.h>

#define E1K_BAR 0
#define E1K_BAR_SIZE 0x20000u		/* 128 KiB register window */

/* General. */
#define E1K_CTRL 0x00000
#define E1K_STATUS 0x00008
#define E1K_EECD 0x00010
#define E1K_EERD 0x00014
#define E1K_CTRL_EXT 0x00018
/* Interrupts. */
#define E1K_ICR 0x000c0
#define E1K_ITR 0x000c4
#define E1K_ICS 0x000c8
#define E1K_IMS 0x000d0
#define E1K_IMC 0x000d8
#define E1K_EIAC 0x000dc		/* MSI-X auto-clear (82574) */
#define E1K_IAM 0x000e0
#define E1K_IVAR 0x000e4
#define E1K_EITR(n) (0x000e8 + 4 * (n))
/* Receive. */
#define E1K_RCTL 0x00100
#define E1K_RDBAL 0x02800
#define E1K_RDBAH 0x02804
#define E1K_RDLEN 0x02808
#define E1K_RDH 0x02810
#define E1K_RDT 0x02818
/* Queue n's ring registers: queue 0's plus 0x100 * n. */
#define E1K_QUEUE_STRIDE 0x100u
#define E1K_RDTR 0x02820
#define E1K_RADV 0x0282c
#define E1K_RXCSUM 0x05000
#define E1K_RFCTL 0x05008
#define E1K_MTA 0x05200			/* 128 registers */
#define E1K_MTA_REGS 128
#define E1K_RAL0 0x05400
#define E1K_RAH0 0x05404
#define E1K_MRQC 0x05818
#define E1K_RETA 0x05c00		/* 32 registers, one byte per entry */
#define E1K_RETA_REGS 32
#define E1K_RSSRK 0x05c80		/* 10 registers, the 40-byte key */
#define E1K_RSSRK_REGS 10
/* Transmit. */
#define E1K_TCTL 0x00400
#define E1K_TIPG 0x00410
#define E1K_TDBAL 0x03800
#define E1K_TDBAH 0x03804
#define E1K_TDLEN 0x03808
#define E1K_TDH 0x03810
#define E1K_TDT 0x03818
#define E1K_TIDV 0x03820
#define E1K_TADV 0x0382c
#define E1K_TARC0 0x03840
#define E1K_TARC1 0x03940
/* Statistics: all clear on read; a 64-bit pair clears when its high half
 * is read, so the low half is read first. */
#define E1K_CRCERRS 0x04000
#define E1K_RXERRC 0x0400c
#define E1K_MPC 0x04010
#define E1K_GPRC 0x04074
#define E1K_BPRC 0x04078
#define E1K_MPRC 0x0407c
#define E1K_GPTC 0x04080
#define E1K_GORCL 0x04088
#define E1K_GORCH 0x0408c
#define E1K_GOTCL 0x04090
#define E1K_GOTCH 0x04094
#define E1K_RNBC 0x040a0
#define E1K_RUC 0x040a4
#define E1K_ROC 0x040ac
#define E1K_TPR 0x040d0
#define E1K_TPT 0x040d4

#define E1K_CTRL_FD (1u << 0)
#define E1K_CTRL_GIO_MASTER_DISABLE (1u << 2)
#define E1K_CTRL_ASDE (1u << 5)
#define E1K_CTRL_SLU (1u << 6)
#define E1K_CTRL_FRCSPD (1u << 11)
#define E1K_CTRL_FRCDPX (1u << 12)
#define E1K_CTRL_RST (1u << 26)
#define E1K_CTRL_PHY_RST (1u << 31)

#define E1K_STATUS_FD (1u << 0)
#define E1K_STATUS_LU (1u << 1)
#define E1K_STATUS_SPEED_SHIFT 6
#define E1K_STATUS_SPEED_MASK (3u << 6)
#define E1K_STATUS_GIO_MASTER_ENABLE (1u << 19)

#define E1K_EECD_AUTO_RD (1u << 9)
#define E1K_EERD_START (1u << 0)
#define E1K_EERD_DONE (1u << 1)
#define E1K_EERD_ADDR_SHIFT 2
#define E1K_EERD_DATA_SHIFT 16

#define E1K_CTRL_EXT_EIAME (1u << 24)
#define E1K_CTRL_EXT_IAME (1u << 27)
#define E1K_CTRL_EXT_PBA_CLR (1u << 31)

/* Interrupt causes (ICR, ICS, IMS, IMC). */
#define E1K_ICR_TXDW (1u << 0)
#define E1K_ICR_LSC (1u << 2)
#define E1K_ICR_RXO (1u << 6)
#define E1K_ICR_RXT0 (1u << 7)
#define E1K_ICR_RXQ0 (1u << 20)		/* MSI-X causes */
#define E1K_ICR_RXQ1 (1u << 21)
#define E1K_ICR_TXQ0 (1u << 22)
#define E1K_ICR_TXQ1 (1u << 23)
#define E1K_ICR_OTHER (1u << 24)
#define E1K_ICR_ASSERTED (1u << 31)

/* IVAR: 3-bit vector and a valid bit per cause, 4 bits apart. */
#define E1K_IVAR_VALID 0x8u
#define E1K_IVAR_RXQ0_SHIFT 0
#define E1K_IVAR_RXQ1_SHIFT 4
#define E1K_IVAR_TXQ0_SHIFT 8
#define E1K_IVAR_TXQ1_SHIFT 12
#define E1K_IVAR_OTHER_SHIFT 16

#define E1K_RCTL_EN (1u << 1)
#define E1K_RCTL_UPE (1u << 3)
#define E1K_RCTL_MPE (1u << 4)
#define E1K_RCTL_LPE (1u << 5)
#define E1K_RCTL_RDMTS_HALF (0u << 8)
#define E1K_RCTL_MO_MASK (3u << 12)	/* 0: MTA hash of bits 47:36 */
#define E1K_RCTL_BAM (1u << 15)
#define E1K_RCTL_BSIZE_2048 (0u << 16)
#define E1K_RCTL_SECRC (1u << 26)

#define E1K_RFCTL_ACK_DIS (1u << 13)
#define E1K_RFCTL_EXTEN (1u << 15)

/* RXCSUM: IPv4 header and TCP/UDP checks; PCSD gives the descriptor's
 * checksum field to the RSS hash (QEMU does RSS only with it set). */
#define E1K_RXCSUM_IPOFLD (1u << 8)
#define E1K_RXCSUM_TUOFLD (1u << 9)
#define E1K_RXCSUM_PCSD (1u << 13)

/* MRQC: RSS on (multiple receive queues = 01b) and the hashed fields. */
#define E1K_MRQC_RSS 0x1u
#define E1K_MRQC_MQ_MASK 0x3u
#define E1K_MRQC_TCPIPV4 (1u << 16)
#define E1K_MRQC_IPV4 (1u << 17)
#define E1K_RETA_QUEUE1 0x80u		/* bit 7 of an entry: queue 1 */

#define E1K_RAH_AV (1u << 31)

#define E1K_TCTL_EN (1u << 1)
#define E1K_TCTL_PSP (1u << 3)
#define E1K_TCTL_CT(x) ((uint32_t)(x) << 4)
#define E1K_TCTL_COLD(x) ((uint32_t)(x) << 12)
#define E1K_TCTL_RTLC (1u << 24)

/* IPGT 8, IPGR1 8, IPGR2 6: the copper defaults. */
#define E1K_TIPG_DEFAULT (8u | 8u << 10 | 6u << 20)
#define E1K_TARC0_ENABLE (1u << 10)

/* Extended receive descriptor (RFCTL.EXTEN): the driver writes the
 * buffer address into the first quadword and zero into the second; the
 * NIC writes back over both. */
union e1k_rx_desc {
	struct {
		uint64_t addr;
		uint64_t zero;
	} read;
	struct {
		uint32_t mrq;		/* RSS type, bits 3:0 */
		uint32_t rss;		/* RSS hash (RXCSUM.PCSD set) */
		uint32_t status_error;	/* status 19:0, errors 31:20 */
		uint16_t length;
		uint16_t vlan;
	} wb;
};
static_assert(sizeof(union e1k_rx_desc) == 16, "rx descriptor");

#define E1K_RXD_STAT_DD 0x01u
#define E1K_RXD_STAT_EOP 0x02u
#define E1K_RXD_STAT_UDPCS 0x10u	/* with TCPCS: L4 checked was UDP */
#define E1K_RXD_STAT_TCPCS 0x20u	/* L4 checksum checked */
#define E1K_RXD_STAT_IPCS 0x40u		/* IPv4 header checksum checked */
#define E1K_RXD_ERR_TCPE (1u << 29)	/* L4 checksum wrong */
#define E1K_RXD_ERR_IPE (1u << 30)	/* IPv4 header checksum wrong */
/* CE, SE, SEQ, CXE, RXE: the frame itself is bad. */
#define E1K_RXD_ERR_FRAME 0x97000000u

/* Legacy transmit descriptor: lower = length | CSO << 16 | CMD << 24,
 * upper = STA | CSS << 8 | special << 16. */
struct e1k_tx_desc {
	uint64_t addr;
	uint32_t lower;
	uint32_t upper;
};
static_assert(sizeof(struct e1k_tx_desc) == 16, "tx descriptor");

#define E1K_TXD_CMD_EOP (1u << 24)
#define E1K_TXD_CMD_IFCS (1u << 25)
#define E1K_TXD_CMD_RS (1u << 27)
#define E1K_TXD_CMD_DEXT (1u << 29)
#define E1K_TXD_STAT_DD 0x1u

/* Extended data descriptor (DEXT, DTYP 0001b): lower as above with
 * DTYP_D; upper = STA | POPTS << 8. POPTS asks for the checksums the
 * last context descriptor describes. */
#define E1K_TXD_DTYP_D (1u << 20)
#define E1K_TXD_POPTS_IXSM (1u << 8)	/* in upper */
#define E1K_TXD_POPTS_TXSM (1u << 9)

/* TCP/IP context descriptor (DEXT, DTYP 0000b): where the IPv4 header
 * checksum (IPCSS start, IPCSO offset, IPCSE end) and the TCP/UDP one
 * (TUCSS, TUCSO, TUCSE 0: to the end) go. */
struct e1k_tx_ctx_desc {
	uint8_t ipcss, ipcso;
	uint16_t ipcse;
	uint8_t tucss, tucso;
	uint16_t tucse;
	uint32_t cmd_and_length;	/* TUCMD << 24 | DTYP | DEXT */
	uint32_t upper;			/* STA; MSS, HDRLEN unused */
};
static_assert(sizeof(struct e1k_tx_ctx_desc) == 16, "context descriptor");

#define E1K_TXC_TUCMD_IP (1u << 25)	/* L4 over IPv4 */
#define E1K_TXC_TUCMD_TCP (1u << 24)	/* TCP, else UDP */

#endif
