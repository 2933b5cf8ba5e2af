/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VT-d remapping-unit registers, from the Intel VT-d specification 3.x,
 * chapter 11 "Register Descriptions" (11.4 "Register Descriptions" for
 * each register; section numbers are given where the register has its own
 * subsection, else the register is named as the spec names it).
 *
 * Offsets are from the unit's register base (the DRHD address). 32-bit
 * registers use BIT_U32()/GENMASK_U32() fields and are accessed with
 * readl()/writel(); 64-bit ones use BIT_ULL()/GENMASK_ULL() and
 * readq()/writeq(). Fields are read with FIELD_GET() and built with
 * FIELD_PREP(); address fields keep the address in place (bits 63:12 of a
 * 4K-aligned address), so they are masked, not shifted.
 */
#ifndef __VTD_REGS_H
#define __VTD_REGS_H

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/sizes.h>
#include <linux/types.h>

/* Register offsets (chapter 11, register address map). */
#define VTD_VER_REG		0x000	/* 32: 11.4.1 Version */
#define VTD_CAP_REG		0x008	/* 64: 11.4.2 Capability */
#define VTD_ECAP_REG		0x010	/* 64: 11.4.3 Extended Capability */
#define VTD_GCMD_REG		0x018	/* 32: Global Command */
#define VTD_GSTS_REG		0x01c	/* 32: Global Status */
#define VTD_RTADDR_REG		0x020	/* 64: Root Table Address */
#define VTD_CCMD_REG		0x028	/* 64: Context Command */
#define VTD_FSTS_REG		0x034	/* 32: Fault Status */
#define VTD_FECTL_REG		0x038	/* 32: Fault Event Control */
#define VTD_FEDATA_REG		0x03c	/* 32: Fault Event Data */
#define VTD_FEADDR_REG		0x040	/* 32: Fault Event Address */
#define VTD_FEUADDR_REG		0x044	/* 32: Fault Event Upper Address */
#define VTD_AFLOG_REG		0x058	/* 64: Advanced Fault Log */
#define VTD_PMEN_REG		0x064	/* 32: Protected Memory Enable */
#define VTD_PLMBASE_REG		0x068	/* 32: Protected Low-Memory Base */
#define VTD_PLMLIMIT_REG	0x06c	/* 32: Protected Low-Memory Limit */
#define VTD_PHMBASE_REG		0x070	/* 64: Protected High-Memory Base */
#define VTD_PHMLIMIT_REG	0x078	/* 64: Protected High-Memory Limit */
#define VTD_IQH_REG		0x080	/* 64: Invalidation Queue Head */
#define VTD_IQT_REG		0x088	/* 64: Invalidation Queue Tail */
#define VTD_IQA_REG		0x090	/* 64: Invalidation Queue Address */
#define VTD_ICS_REG		0x09c	/* 32: Invalidation Completion Status */
#define VTD_IECTL_REG		0x0a0	/* 32: Invalidation Event Control */
#define VTD_IEDATA_REG		0x0a4	/* 32: Invalidation Event Data */
#define VTD_IEADDR_REG		0x0a8	/* 32: Invalidation Event Address */
#define VTD_IEUADDR_REG		0x0ac	/* 32: Invalidation Event Upper Addr */
#define VTD_IQERCD_REG		0x0b0	/* 64: Invalidation Queue Error Record */
#define VTD_IRTA_REG		0x0b8	/* 64: Interrupt Remapping Table Addr */
#define VTD_PQH_REG		0x0c0	/* 64: Page Request Queue Head */
#define VTD_PQT_REG		0x0c8	/* 64: Page Request Queue Tail */
#define VTD_PQA_REG		0x0d0	/* 64: Page Request Queue Address */
#define VTD_PRS_REG		0x0dc	/* 32: Page Request Status */
#define VTD_PECTL_REG		0x0e0	/* 32: Page Request Event Control */
#define VTD_PEDATA_REG		0x0e4	/* 32: Page Request Event Data */
#define VTD_PEADDR_REG		0x0e8	/* 32: Page Request Event Address */
#define VTD_PEUADDR_REG		0x0ec	/* 32: Page Request Event Upper Addr */

/*
 * The IOTLB registers sit at ECAP.IRO * 16 and the fault recording
 * registers at CAP.FRO * 16; see vtd_ecap_iro_offset() and
 * vtd_cap_fro_offset().
 */
#define VTD_IVA_REG_OFF		0x0	/* 64: Invalidate Address */
#define VTD_IOTLB_REG_OFF	0x8	/* 64: IOTLB Invalidate */

/* 11.4.1 Version Register. */
#define VTD_VER_MIN		GENMASK_U32(3, 0)
#define VTD_VER_MAX		GENMASK_U32(7, 4)

/* 11.4.2 Capability Register. */
#define VTD_CAP_ND		GENMASK_ULL(2, 0)	/* 2^(4 + 2 * ND) DIDs */
#define VTD_CAP_AFL		BIT_ULL(3)	/* advanced fault logging */
#define VTD_CAP_RWBF		BIT_ULL(4)	/* required write-buffer flush */
#define VTD_CAP_PLMR		BIT_ULL(5)	/* protected low-memory region */
#define VTD_CAP_PHMR		BIT_ULL(6)	/* protected high-memory region */
#define VTD_CAP_CM		BIT_ULL(7)	/* caching mode */
#define VTD_CAP_SAGAW		GENMASK_ULL(12, 8)	/* bit n: AW n supported */
#define VTD_CAP_MGAW		GENMASK_ULL(21, 16)	/* width - 1 */
#define VTD_CAP_ZLR		BIT_ULL(22)	/* zero-length read */
#define VTD_CAP_FRO		GENMASK_ULL(33, 24)	/* FRCD offset / 16 */
#define VTD_CAP_SLLPS		GENMASK_ULL(37, 34)	/* second-level leaves */
#define VTD_CAP_PSI		BIT_ULL(39)	/* page-selective invalidation */
#define VTD_CAP_NFR		GENMASK_ULL(47, 40)	/* FRCD count - 1 */
#define VTD_CAP_MAMV		GENMASK_ULL(53, 48)	/* max address mask */
#define VTD_CAP_DWD		BIT_ULL(54)	/* write draining */
#define VTD_CAP_DRD		BIT_ULL(55)	/* read draining */
#define VTD_CAP_FL1GP		BIT_ULL(56)	/* first-level 1G pages */
#define VTD_CAP_PI		BIT_ULL(59)	/* posted interrupts */
#define VTD_CAP_FL5LP		BIT_ULL(60)	/* first-level 5-level paging */
#define VTD_CAP_ESIRTPS		BIT_ULL(62)	/* SIRTP invalidates IR cache */
#define VTD_CAP_ESRTPS		BIT_ULL(63)	/* SRTP invalidates all caches */

/* CAP.SLLPS bits: second-level leaf sizes besides 4K. */
#define VTD_SLLPS_2M		BIT(0)
#define VTD_SLLPS_1G		BIT(1)

/* 11.4.3 Extended Capability Register. */
#define VTD_ECAP_C		BIT_ULL(0)	/* page-walk coherency (legacy) */
#define VTD_ECAP_QI		BIT_ULL(1)	/* queued invalidation */
#define VTD_ECAP_DT		BIT_ULL(2)	/* device-TLB */
#define VTD_ECAP_IR		BIT_ULL(3)	/* interrupt remapping */
#define VTD_ECAP_EIM		BIT_ULL(4)	/* extended interrupt mode */
#define VTD_ECAP_PT		BIT_ULL(6)	/* pass-through */
#define VTD_ECAP_SC		BIT_ULL(7)	/* snoop control */
#define VTD_ECAP_IRO		GENMASK_ULL(17, 8)	/* IOTLB regs offset / 16 */
#define VTD_ECAP_MHMV		GENMASK_ULL(23, 20)	/* max handle mask */
#define VTD_ECAP_MTS		BIT_ULL(25)	/* memory type */
#define VTD_ECAP_NEST		BIT_ULL(26)	/* nested translation */
#define VTD_ECAP_PRS		BIT_ULL(29)	/* page requests */
#define VTD_ECAP_ERS		BIT_ULL(30)	/* execute requests */
#define VTD_ECAP_SRS		BIT_ULL(31)	/* supervisor requests */
#define VTD_ECAP_NWFS		BIT_ULL(33)	/* no write flag */
#define VTD_ECAP_EAFS		BIT_ULL(34)	/* extended accessed flag */
#define VTD_ECAP_PSS		GENMASK_ULL(39, 35)	/* PASID bits - 1 */
#define VTD_ECAP_PASID		BIT_ULL(40)	/* PASID support */
#define VTD_ECAP_DIT		BIT_ULL(41)	/* device-TLB inval throttle */
#define VTD_ECAP_PDS		BIT_ULL(42)	/* page-request drain */
#define VTD_ECAP_SMTS		BIT_ULL(43)	/* scalable-mode translation */
#define VTD_ECAP_VCS		BIT_ULL(44)	/* virtual command */
#define VTD_ECAP_SLADS		BIT_ULL(45)	/* second-level A/D */
#define VTD_ECAP_SLTS		BIT_ULL(46)	/* second-level translation */
#define VTD_ECAP_FLTS		BIT_ULL(47)	/* first-level translation */
#define VTD_ECAP_SMPWC		BIT_ULL(48)	/* scalable-mode walk coherent */
#define VTD_ECAP_RPS		BIT_ULL(49)	/* RID_PASID support */

/*
 * What IOMMU_GET_HW_INFO reports: CAP and ECAP keep the fields that
 * describe the unit's registers and the features this driver implements
 * for its users; a VMM builds its guest's view of the IOMMU from them, so
 * a feature we do not drive (PASIDs, page requests, device-TLBs,
 * interrupt remapping, snoop control, dirty bits, ...) is cleared.
 * Second-level tables and nesting are reported where the driver nests on
 * the hardware (ECAP.NEST and ECAP.SLTS).
 */
#define VTD_CAP_REPORTED	(VTD_CAP_ND | VTD_CAP_RWBF | VTD_CAP_CM | \
				 VTD_CAP_MGAW | VTD_CAP_ZLR | VTD_CAP_FRO | \
				 VTD_CAP_PSI | VTD_CAP_NFR | VTD_CAP_MAMV | \
				 VTD_CAP_FL1GP | VTD_CAP_FL5LP)
#define VTD_CAP_REPORTED_NEST	(VTD_CAP_SAGAW | VTD_CAP_SLLPS)
#define VTD_ECAP_REPORTED	(VTD_ECAP_C | VTD_ECAP_QI | VTD_ECAP_PT | \
				 VTD_ECAP_IRO | VTD_ECAP_SMTS | \
				 VTD_ECAP_FLTS | VTD_ECAP_SMPWC)
#define VTD_ECAP_REPORTED_NEST	(VTD_ECAP_NEST | VTD_ECAP_SLTS)

/* The unit can walk a first-level table nested on a second-level one. */
static inline bool vtd_ecap_hw_nesting(u64 ecap)
{
	return (ecap & VTD_ECAP_NEST) && (ecap & VTD_ECAP_SLTS);
}

static inline u64 vtd_cap_reported(u64 cap, u64 ecap)
{
	return cap & (VTD_CAP_REPORTED |
		      (vtd_ecap_hw_nesting(ecap) ? VTD_CAP_REPORTED_NEST : 0));
}

static inline u64 vtd_ecap_reported(u64 ecap)
{
	return ecap & (VTD_ECAP_REPORTED |
		       (vtd_ecap_hw_nesting(ecap) ? VTD_ECAP_REPORTED_NEST : 0));
}

/*
 * Global Command and Global Status Registers: each command bit has its
 * status bit at the same position. SRTP, SFL, WBF and SIRTP are one-shot
 * commands; TE, EAFL, QIE, IRE and CFI are states that every GCMD write
 * must repeat, so a write is built from the current GSTS with
 * vtd_gcmd_from_gsts().
 */
#define VTD_GCMD_CFI		BIT_U32(23)	/* compatibility-format irqs */
#define VTD_GCMD_SIRTP		BIT_U32(24)	/* set IR table pointer */
#define VTD_GCMD_IRE		BIT_U32(25)	/* interrupt remapping enable */
#define VTD_GCMD_QIE		BIT_U32(26)	/* queued invalidation enable */
#define VTD_GCMD_WBF		BIT_U32(27)	/* write buffer flush */
#define VTD_GCMD_EAFL		BIT_U32(28)	/* enable advanced fault log */
#define VTD_GCMD_SFL		BIT_U32(29)	/* set fault log */
#define VTD_GCMD_SRTP		BIT_U32(30)	/* set root table pointer */
#define VTD_GCMD_TE		BIT_U32(31)	/* translation enable */

#define VTD_GSTS_CFIS		BIT_U32(23)
#define VTD_GSTS_IRTPS		BIT_U32(24)
#define VTD_GSTS_IRES		BIT_U32(25)
#define VTD_GSTS_QIES		BIT_U32(26)
#define VTD_GSTS_WBFS		BIT_U32(27)
#define VTD_GSTS_AFLS		BIT_U32(28)
#define VTD_GSTS_FLS		BIT_U32(29)
#define VTD_GSTS_RTPS		BIT_U32(30)
#define VTD_GSTS_TES		BIT_U32(31)

#define VTD_GSTS_STATES		(VTD_GSTS_TES | VTD_GSTS_AFLS | VTD_GSTS_QIES | \
				 VTD_GSTS_IRES | VTD_GSTS_CFIS)

/* Root Table Address Register. */
#define VTD_RTADDR_TTM		GENMASK_ULL(11, 10)	/* translation table mode */
#define VTD_RTADDR_RTA		GENMASK_ULL(63, 12)	/* root table address */

enum vtd_ttm {
	VTD_TTM_LEGACY		= 0,
	VTD_TTM_SCALABLE	= 1,	/* 01b: scalable mode */
	VTD_TTM_ABORT_DMA	= 3,	/* 11b: with ECAP.ADMS (4.x) */
};

/* Context Command Register (register-based invalidation, QI off). */
#define VTD_CCMD_DID		GENMASK_ULL(15, 0)
#define VTD_CCMD_SID		GENMASK_ULL(31, 16)
#define VTD_CCMD_FM		GENMASK_ULL(33, 32)	/* function mask */
#define VTD_CCMD_CAIG		GENMASK_ULL(60, 59)	/* actual granularity */
#define VTD_CCMD_CIRG		GENMASK_ULL(62, 61)	/* requested granularity */
#define VTD_CCMD_ICC		BIT_ULL(63)	/* invalidate; clears when done */

/* CCMD.CIRG/CAIG, and the G field of the context-cache descriptor. */
enum vtd_cc_gran {
	VTD_CC_GLOBAL	= 1,
	VTD_CC_DOMAIN	= 2,
	VTD_CC_DEVICE	= 3,
};

/* IOTLB Invalidate Register (at IRO * 16 + 8). */
#define VTD_IOTLB_DID		GENMASK_ULL(47, 32)
#define VTD_IOTLB_DW		BIT_ULL(48)	/* drain writes */
#define VTD_IOTLB_DR		BIT_ULL(49)	/* drain reads */
#define VTD_IOTLB_IAIG		GENMASK_ULL(58, 57)	/* actual granularity */
#define VTD_IOTLB_IIRG		GENMASK_ULL(61, 60)	/* requested granularity */
#define VTD_IOTLB_IVT		BIT_ULL(63)	/* invalidate; clears when done */

/* Invalidate Address Register (at IRO * 16). */
#define VTD_IVA_AM		GENMASK_ULL(5, 0)	/* 2^AM pages */
#define VTD_IVA_IH		BIT_ULL(6)	/* leaf entries only changed */
#define VTD_IVA_ADDR		GENMASK_ULL(63, 12)

/* IOTLB_REG.IIRG/IAIG, and the G field of the IOTLB descriptor. */
enum vtd_iotlb_gran {
	VTD_IOTLB_GLOBAL	= 1,
	VTD_IOTLB_DOMAIN	= 2,
	VTD_IOTLB_PAGE		= 3,
};

/* Fault Status Register; the status bits are write-1-to-clear. */
#define VTD_FSTS_PFO		BIT_U32(0)	/* primary fault overflow */
#define VTD_FSTS_PPF		BIT_U32(1)	/* primary pending fault (RO) */
#define VTD_FSTS_AFO		BIT_U32(2)	/* advanced fault overflow */
#define VTD_FSTS_APF		BIT_U32(3)	/* advanced pending fault */
#define VTD_FSTS_IQE		BIT_U32(4)	/* invalidation queue error */
#define VTD_FSTS_ICE		BIT_U32(5)	/* invalidation completion err */
#define VTD_FSTS_ITE		BIT_U32(6)	/* invalidation time-out error */
#define VTD_FSTS_FRI		GENMASK_U32(15, 8)	/* fault record index */

/*
 * Event Control Registers: Fault (FECTL), Invalidation (IECTL) and Page
 * Request (PECTL) share this layout. IM is set at reset.
 */
#define VTD_EVCTL_IP		BIT_U32(30)	/* interrupt pending (RO) */
#define VTD_EVCTL_IM		BIT_U32(31)	/* interrupt mask */

/*
 * Event Data / Address / Upper Address Registers (FEDATA/FEADDR/FEUADDR,
 * IEDATA/IEADDR/IEUADDR, PEDATA/PEADDR/PEUADDR): the MSI to send.
 */
#define VTD_EVDATA_IMD		GENMASK_U32(15, 0)	/* message data */
#define VTD_EVADDR_MA		GENMASK_U32(31, 2)	/* message address */

/* Invalidation Queue Head and Tail Registers. */
#define VTD_IQH_QH		GENMASK_ULL(18, 4)
#define VTD_IQT_QT		GENMASK_ULL(18, 4)

/* Invalidation Queue Address Register. */
#define VTD_IQA_QS		GENMASK_ULL(2, 0)	/* 2^QS 4K pages */
#define VTD_IQA_DW		BIT_ULL(11)	/* 256-bit descriptors */
#define VTD_IQA_IQA		GENMASK_ULL(63, 12)	/* queue base address */

/* log2 of a descriptor's size: IQH/IQT hold index << shift. */
#define VTD_IQ_SHIFT_128	4
#define VTD_IQ_SHIFT_256	5

/* Invalidation Completion Status Register. */
#define VTD_ICS_IWC		BIT_U32(0)	/* wait descriptor complete */

/* Invalidation Queue Error Record Register. */
#define VTD_IQERCD_IQEI		GENMASK_ULL(3, 0)	/* error info, below */
#define VTD_IQERCD_ITESID	GENMASK_ULL(47, 32)	/* time-out source */
#define VTD_IQERCD_ICESID	GENMASK_ULL(63, 48)	/* completion err source */

/* IQERCD.IQEI values (checked against VirtualBox's iommu-intel.h only). */
enum vtd_iqei {
	VTD_IQEI_NONE		= 0,	/* information not available */
	VTD_IQEI_TAIL		= 1,	/* invalid tail pointer */
	VTD_IQEI_FETCH		= 2,	/* descriptor fetch error */
	VTD_IQEI_TYPE		= 3,	/* invalid descriptor type */
	VTD_IQEI_RSVD		= 4,	/* reserved field set */
	VTD_IQEI_WIDTH		= 5,	/* descriptor width invalid */
	VTD_IQEI_TAIL_ALIGN	= 6,	/* tail not 256-bit aligned */
	VTD_IQEI_TTM		= 7,	/* invalid translation table mode */
};

/*
 * 11.4.14 "Fault Recording Registers": NFR + 1 records of 128 bits from
 * CAP.FRO * 16. The low qword holds FI (the page address of the faulted
 * request for translation faults; for interrupt-remapping faults bits
 * 63:48 hold the interrupt index). In the high qword (bits 127:64 of the
 * record, given here relative to bit 64) T1 and T2 together give the
 * request type (enum vtd_frcd_type); legacy-mode faults leave T2 clear, so
 * there T1 alone is 1 for reads and 0 for writes. F is write-1-to-clear;
 * software clears a record by writing F back to the top dword.
 */
#define VTD_FRCD_REG_SIZE	16
#define VTD_FRCD_LO_FI		GENMASK_ULL(63, 12)	/* bits 63:12 */
#define VTD_FRCD_LO_IRQ_INDEX	GENMASK_ULL(63, 48)	/* bits 63:48 */
#define VTD_FRCD_HI_SID		GENMASK_ULL(15, 0)	/* bits 79:64 */
#define VTD_FRCD_HI_T2		BIT_ULL(28)	/* bit 92: type bit 2 */
#define VTD_FRCD_HI_PRIV	BIT_ULL(29)	/* bit 93: privileged request */
#define VTD_FRCD_HI_EXE		BIT_ULL(30)	/* bit 94: execute requested */
#define VTD_FRCD_HI_PP		BIT_ULL(31)	/* bit 95: PASID present */
#define VTD_FRCD_HI_FR		GENMASK_ULL(39, 32)	/* bits 103:96: reason */
#define VTD_FRCD_HI_PV		GENMASK_ULL(59, 40)	/* bits 123:104: PASID */
#define VTD_FRCD_HI_AT		GENMASK_ULL(61, 60)	/* bits 125:124: PCIe AT */
#define VTD_FRCD_HI_T1		BIT_ULL(62)	/* bit 126: type bit 1 */
#define VTD_FRCD_HI_F		BIT_ULL(63)	/* bit 127: fault (RW1C) */

/* The dword holding F, and F in it (for a 32-bit write-1-to-clear). */
#define VTD_FRCD_F_DWORD_OFF	12
#define VTD_FRCD_F_DWORD_F	BIT_U32(31)

/* Request type from (T1 << 1) | T2. */
enum vtd_frcd_type {
	VTD_FRCD_WRITE		= 0,
	VTD_FRCD_PAGE_REQ	= 1,
	VTD_FRCD_READ		= 2,
	VTD_FRCD_ATOMIC		= 3,
};

/* Number of domain IDs: 2^(4 + 2 * ND), ND 0..6 (16 to 65536). */
static inline u32 vtd_cap_ndoms(u64 cap)
{
	return 1U << (4 + 2 * FIELD_GET(VTD_CAP_ND, cap));
}

/* Maximum guest (input) address width in bits. */
static inline unsigned int vtd_cap_mgaw(u64 cap)
{
	return FIELD_GET(VTD_CAP_MGAW, cap) + 1;
}

/*
 * Address widths in the SAGAW and AW encodings (9.6 AW field, 11.4.2
 * SAGAW): AW n means 30 + 9 * n bits and n + 2 paging levels; SAGAW bit n
 * is set when AW n is supported for second-level tables.
 */
enum vtd_aw {
	VTD_AW_39	= 1,	/* 3-level */
	VTD_AW_48	= 2,	/* 4-level */
	VTD_AW_57	= 3,	/* 5-level */
};

static inline unsigned int vtd_aw_width(enum vtd_aw aw)
{
	return 30 + 9 * aw;
}

static inline unsigned int vtd_aw_levels(enum vtd_aw aw)
{
	return aw + 2;
}

static inline bool vtd_cap_sagaw_has(u64 cap, enum vtd_aw aw)
{
	return FIELD_GET(VTD_CAP_SAGAW, cap) & BIT(aw);
}

/* Number of fault recording registers. */
static inline unsigned int vtd_cap_nfr(u64 cap)
{
	return FIELD_GET(VTD_CAP_NFR, cap) + 1;
}

/* Offset of the first fault recording register. */
static inline u32 vtd_cap_fro_offset(u64 cap)
{
	return FIELD_GET(VTD_CAP_FRO, cap) * VTD_FRCD_REG_SIZE;
}

/* Offset of fault recording register @index. */
static inline u32 vtd_cap_frcd_offset(u64 cap, unsigned int index)
{
	return vtd_cap_fro_offset(cap) + index * VTD_FRCD_REG_SIZE;
}

/* Largest AM a page-selective invalidation accepts (2^MAMV pages). */
static inline unsigned int vtd_cap_mamv(u64 cap)
{
	return FIELD_GET(VTD_CAP_MAMV, cap);
}

/* Offset of the IOTLB registers (IVA_REG first, IOTLB_REG at +8). */
static inline u32 vtd_ecap_iro_offset(u64 ecap)
{
	return FIELD_GET(VTD_ECAP_IRO, ecap) * 16;
}

/* Width of the PASIDs the unit accepts, in bits. */
static inline unsigned int vtd_ecap_pasid_bits(u64 ecap)
{
	return FIELD_GET(VTD_ECAP_PSS, ecap) + 1;
}

/* The GCMD value that keeps every enabled state as GSTS reports it. */
static inline u32 vtd_gcmd_from_gsts(u32 gsts)
{
	return gsts & VTD_GSTS_STATES;
}

static inline u64 vtd_rtaddr(phys_addr_t root, enum vtd_ttm ttm)
{
	return (root & VTD_RTADDR_RTA) | FIELD_PREP(VTD_RTADDR_TTM, ttm);
}

static inline u64 vtd_ccmd(enum vtd_cc_gran gran, u16 did, u16 sid, u8 fm)
{
	return VTD_CCMD_ICC | FIELD_PREP(VTD_CCMD_CIRG, gran) |
	       FIELD_PREP(VTD_CCMD_FM, fm) | FIELD_PREP(VTD_CCMD_SID, sid) |
	       FIELD_PREP(VTD_CCMD_DID, did);
}

static inline unsigned int vtd_iq_shift(bool dw256)
{
	return dw256 ? VTD_IQ_SHIFT_256 : VTD_IQ_SHIFT_128;
}

/* IQA value for a queue of 2^@qs 4K pages at @base. */
static inline u64 vtd_iqa(phys_addr_t base, bool dw256, unsigned int qs)
{
	return (base & VTD_IQA_IQA) | (dw256 ? VTD_IQA_DW : 0) |
	       FIELD_PREP(VTD_IQA_QS, qs);
}

/* Descriptors in a queue of 2^@qs 4K pages. */
static inline unsigned int vtd_iq_entries(unsigned int qs, bool dw256)
{
	return (SZ_4K << qs) >> vtd_iq_shift(dw256);
}

/* IQT value that makes descriptor @index the next one to be written. */
static inline u64 vtd_iqt(unsigned int index, bool dw256)
{
	return ((u64)index << vtd_iq_shift(dw256)) & VTD_IQT_QT;
}

/* Index of the next descriptor the hardware fetches, from IQH. */
static inline unsigned int vtd_iqh_index(u64 iqh, bool dw256)
{
	return (iqh & VTD_IQH_QH) >> vtd_iq_shift(dw256);
}

#endif /* __VTD_REGS_H */
