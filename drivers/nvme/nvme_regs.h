/* SPDX-License-Identifier: MIT */
/*
 * NVMe over PCIe as the NVM Express Base Specification 2.0 defines it: the
 * controller registers in BAR 0, the queue entry layouts and the opcodes
 * the driver uses. Shared by the driver and the unit tests' fake
 * controller, so both read one definition of the wire format.
 */
#ifndef UVF_NVME_REGS_H
#define UVF_NVME_REGS_H

#include <assert.h>
#include <stdint.h>

/* Controller registers (BAR 0). */
#define NVME_REG_CAP 0x00	/* 64 bit */
#define NVME_REG_VS 0x08
#define NVME_REG_INTMS 0x0c
#define NVME_REG_INTMC 0x10
#define NVME_REG_CC 0x14
#define NVME_REG_CSTS 0x1c
#define NVME_REG_AQA 0x24
#define NVME_REG_ASQ 0x28	/* 64 bit */
#define NVME_REG_ACQ 0x30	/* 64 bit */
#define NVME_REG_CMBLOC 0x38
#define NVME_REG_CMBSZ 0x3c
#define NVME_REG_CMBMSC 0x50	/* 64 bit */
#define NVME_REG_CMBSTS 0x58
#define NVME_REG_DBS 0x1000	/* first doorbell */

#define NVME_CAP_MQES(cap) ((uint32_t)((cap) & 0xffff))
#define NVME_CAP_CQR(cap) ((uint32_t)(((cap) >> 16) & 1))
#define NVME_CAP_TO(cap) ((uint32_t)(((cap) >> 24) & 0xff))
#define NVME_CAP_DSTRD(cap) ((uint32_t)(((cap) >> 32) & 0xf))
#define NVME_CAP_CSS(cap) ((uint32_t)(((cap) >> 37) & 0xff))
#define NVME_CAP_MPSMIN(cap) ((uint32_t)(((cap) >> 48) & 0xf))
#define NVME_CAP_MPSMAX(cap) ((uint32_t)(((cap) >> 52) & 0xf))
#define NVME_CAP_CSS_NVM 1u
/* CMBLOC and CMBSZ read zero until CMBMSC.CRE is set (NVMe 1.4). */
#define NVME_CAP_CMBS(cap) ((uint32_t)(((cap) >> 57) & 1))

/* Controller Memory Buffer: where (CMBLOC), how big and for what
 * (CMBSZ), and its memory space control and status (CMBMSC, CMBSTS). */
#define NVME_CMBLOC_BIR(loc) ((loc) & 7u)
#define NVME_CMBLOC_OFST(loc) ((loc) >> 12)	/* in CMBSZ.SZU units */
#define NVME_CMBSZ_SQS (1u << 0)
#define NVME_CMBSZ_SZU(sz) (((sz) >> 8) & 0xfu)	/* 4 KiB << (4 * SZU) */
#define NVME_CMBSZ_SZ(sz) ((sz) >> 12)
#define NVME_CMBMSC_CRE (1ull << 0)	/* CMBLOC, CMBSZ readable */
#define NVME_CMBMSC_CMSE (1ull << 1)	/* CMB addresses decoded */
#define NVME_CMBMSC_CBA_MASK (~0xfffull)	/* controller base address */
#define NVME_CMBSTS_CBAI (1u << 0)	/* CBA refused */

#define NVME_CC_EN (1u << 0)
#define NVME_CC_CSS_NVM (0u << 4)
#define NVME_CC_MPS(shift) ((uint32_t)((shift) - 12) << 7)
#define NVME_CC_AMS_RR (0u << 11)
#define NVME_CC_SHN_MASK (3u << 14)
#define NVME_CC_SHN_NORMAL (1u << 14)
#define NVME_CC_IOSQES(shift) ((uint32_t)(shift) << 16)
#define NVME_CC_IOCQES(shift) ((uint32_t)(shift) << 20)

#define NVME_CSTS_RDY (1u << 0)
#define NVME_CSTS_CFS (1u << 1)
#define NVME_CSTS_SHST_MASK (3u << 2)
#define NVME_CSTS_SHST_DONE (2u << 2)

/* Admin opcodes. */
#define NVME_ADMIN_DELETE_SQ 0x00
#define NVME_ADMIN_CREATE_SQ 0x01
#define NVME_ADMIN_GET_LOG_PAGE 0x02
#define NVME_ADMIN_DELETE_CQ 0x04
#define NVME_ADMIN_CREATE_CQ 0x05
#define NVME_ADMIN_IDENTIFY 0x06
#define NVME_ADMIN_SET_FEATURES 0x09
#define NVME_ADMIN_GET_FEATURES 0x0a
#define NVME_ADMIN_DBBUF_CONFIG 0x7c	/* PRP1 shadow, PRP2 EventIdx */
#define NVME_ADMIN_ASYNC_EVENT 0x0c
#define NVME_ADMIN_VIRT_MGMT 0x1c

/* Virtualization Management (CDW10): action, resource type, controller. */
#define NVME_VM_ACT_SEC_OFFLINE 0x7
#define NVME_VM_ACT_SEC_ASSIGN 0x8
#define NVME_VM_ACT_SEC_ONLINE 0x9
#define NVME_VM_RT_VQ 0
#define NVME_VM_RT_VI 1
#define NVME_VM_CDW10(act, rt, cntlid) \
	((uint32_t)(act) | (uint32_t)(rt) << 8 | (uint32_t)(cntlid) << 16)

/* Secondary Controller List (Identify CNS 0x15): a count in byte 0, then
 * 32-byte entries from byte 32. */
#define NVME_SCL_ENTRY(i) (32u + 32u * (i))
#define NVME_SCL_MAX 127
#define NVME_SCE_SCID 0		/* secondary controller ID */
#define NVME_SCE_SCS 4		/* bit 0: online */
#define NVME_SCE_VFN 8		/* VF number, 1 for the first */

/* NVM command set opcodes. */
#define NVME_CMD_FLUSH 0x00
#define NVME_CMD_WRITE 0x01
#define NVME_CMD_READ 0x02
#define NVME_CMD_WRITE_ZEROES 0x08

/* Identify CNS values. */
#define NVME_CNS_NS 0x00
#define NVME_CNS_CTRL 0x01
#define NVME_CNS_ACTIVE_NS_LIST 0x02
#define NVME_CNS_SECONDARY_CTRL_LIST 0x15

#define NVME_FEAT_NUM_QUEUES 0x07

/* Create I/O queue flags (CDW11). */
#define NVME_QUEUE_PHYS_CONTIG (1u << 0)
#define NVME_CQ_IRQ_ENABLED (1u << 1)

/* Identify controller: OACS, ONCS bits and VWC. */
#define NVME_OACS_DBBUF_CONFIG (1u << 8)
#define NVME_OACS_VIRT_MGMT (1u << 7)
#define NVME_ONCS_WRITE_ZEROES (1u << 3)
#define NVME_VWC_PRESENT (1u << 0)

#define NVME_IDENTIFY_SIZE 4096
#define NVME_SQE_SHIFT 6	/* 64-byte submission entries */
#define NVME_CQE_SHIFT 4	/* 16-byte completion entries */
#define NVME_PAGE_SHIFT 12	/* the memory page size the driver uses */
#define NVME_PAGE_SIZE (1u << NVME_PAGE_SHIFT)
#define NVME_PRPS_PER_PAGE (NVME_PAGE_SIZE / 8)

/* A completion queue entry. */
struct nvme_cqe {
	uint32_t dw0;		/* command specific */
	uint32_t dw1;
	uint16_t sqhd;		/* submission queue head */
	uint16_t sqid;
	uint16_t cid;
	uint16_t status;	/* bit 0: phase tag; 15:1 the status field */
};
static_assert(sizeof(struct nvme_cqe) == 16, "CQE is 16 bytes");

/* Byte offsets into the Identify data structures. */
#define NVME_IDC_VID 0
#define NVME_IDC_SSVID 2
#define NVME_IDC_SN 4		/* 20 bytes */
#define NVME_IDC_MN 24		/* 40 bytes */
#define NVME_IDC_FR 64		/* 8 bytes */
#define NVME_IDC_MDTS 77
#define NVME_IDC_CNTLID 78
#define NVME_IDC_AERL 259	/* AERs outstanding at once, 0's based */
#define NVME_IDC_VER 80
#define NVME_IDC_OACS 256
#define NVME_IDC_SQES 512
#define NVME_IDC_CQES 513
#define NVME_IDC_NN 516
#define NVME_IDC_ONCS 520
#define NVME_IDC_VWC 525
#define NVME_IDC_SGLS 536	/* 32 bit */

#define NVME_IDNS_NSZE 0
#define NVME_IDNS_NCAP 8
#define NVME_IDNS_NUSE 16
#define NVME_IDNS_NLBAF 25
#define NVME_IDNS_FLBAS 26
#define NVME_IDNS_LBAF 128	/* 4 bytes each: MS 15:0, LBADS 23:16,
				 * RP 25:24 */
#define NVME_MAX_LBAF 64
#define NVME_FLBAS_EXTENDED (1u << 4)	/* metadata after each block's data */

/* Identify Controller SGLS: bits 1:0 say whether NVM commands take SGLs,
 * and whether data blocks must be dword aligned and sized. */
#define NVME_SGLS_SUPPORT(sgls) ((sgls) & 3u)
#define NVME_SGLS_ANY_ALIGN 1u
#define NVME_SGLS_DWORD_ALIGN 2u
#define NVME_SGLS_MPTR_SGL (1u << 19)	/* MPTR may hold a descriptor */

/* CDW0 PSDT (bits 7:6 of the flags byte): PRPs, or SGLs with MPTR the
 * metadata's address, or SGLs with MPTR pointing at a descriptor. */
#define NVME_PSDT_MASK (3u << 6)
#define NVME_PSDT_PRP (0u << 6)
#define NVME_PSDT_SGL_MPTR_ADDR (1u << 6)
#define NVME_PSDT_SGL_MPTR_SGL (2u << 6)

/* An SGL descriptor: the type in bits 7:4 of its last byte, the sub type
 * (0: an address) in bits 3:0. */
struct nvme_sgl_desc {
	uint64_t addr;
	uint32_t len;
	uint8_t rsvd[3];
	uint8_t type;
};
static_assert(sizeof(struct nvme_sgl_desc) == 16, "SGL descriptor: 16 bytes");

#define NVME_SGL_DATA_BLOCK 0x0
#define NVME_SGL_BIT_BUCKET 0x1
#define NVME_SGL_SEGMENT 0x2
#define NVME_SGL_LAST_SEGMENT 0x3
#define NVME_SGL_TYPE(t) ((uint8_t)((t) << 4))	/* sub type 0: address */
#define NVME_SGLS_PER_PAGE (NVME_PAGE_SIZE / 16)

#endif
