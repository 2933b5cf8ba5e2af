/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Invalidation descriptors, from the Intel VT-d specification 3.x, 6.5.2
 * "Queued Invalidation Interface". In scalable mode the queue holds
 * 256-bit descriptors (IQA.DW = 1); the descriptors below use only the
 * first two qwords, the upper two are reserved and stay zero.
 *
 * Every descriptor keeps its type in qword 0: bits 3:0 and, for types
 * above 15, bits 11:9 (no 3.x type needs them). Field masks are per qword
 * and named VTD_QI_<descriptor>_<spec field>.
 */
#ifndef __VTD_QI_H
#define __VTD_QI_H

#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/types.h>

#include "vtd-regs.h"

struct vtd_qi_desc {
	u64 qw[4];
};

static_assert(sizeof(struct vtd_qi_desc) == 32);

/* Fields common to all descriptors. */
#define VTD_QI_TYPE_LO		GENMASK_ULL(3, 0)
#define VTD_QI_TYPE_HI		GENMASK_ULL(11, 9)
#define VTD_QI_GRAN		GENMASK_ULL(5, 4)	/* G, where present */

enum vtd_qi_type {
	VTD_QI_CC		= 0x1,	/* 6.5.2.1 context-cache */
	VTD_QI_IOTLB		= 0x2,	/* 6.5.2.3 IOTLB */
	VTD_QI_DEV_TLB		= 0x3,	/* 6.5.2.5 device-TLB */
	VTD_QI_IEC		= 0x4,	/* 6.5.2.7 interrupt entry cache */
	VTD_QI_WAIT		= 0x5,	/* 6.5.2.8 invalidation wait */
	VTD_QI_PIOTLB		= 0x6,	/* 6.5.2.4 PASID-based IOTLB */
	VTD_QI_PC		= 0x7,	/* 6.5.2.2 PASID-cache */
	VTD_QI_PDEV_TLB		= 0x8,	/* 6.5.2.6 PASID-based device-TLB */
	VTD_QI_PGRP_RESP	= 0x9,	/* page group response */
	VTD_QI_PSTRM_RESP	= 0xa,	/* page stream response */
};

/* 6.5.2.1 Context-Cache Invalidate Descriptor; G is enum vtd_cc_gran. */
#define VTD_QI_CC_DID		GENMASK_ULL(31, 16)
#define VTD_QI_CC_SID		GENMASK_ULL(47, 32)
#define VTD_QI_CC_FM		GENMASK_ULL(49, 48)	/* function mask */

/* 6.5.2.3 IOTLB Invalidate Descriptor; G is enum vtd_iotlb_gran. */
#define VTD_QI_IOTLB_DW		BIT_ULL(6)	/* drain writes */
#define VTD_QI_IOTLB_DR		BIT_ULL(7)	/* drain reads */
#define VTD_QI_IOTLB_DID	GENMASK_ULL(31, 16)

/*
 * Qword 1 of the IOTLB and PASID-based IOTLB descriptors: the 2^AM pages
 * at ADDR (ADDR aligned to that size); IH says only leaves changed.
 */
#define VTD_QI_ADDR_AM		GENMASK_ULL(5, 0)
#define VTD_QI_ADDR_IH		BIT_ULL(6)
#define VTD_QI_ADDR_ADDR	GENMASK_ULL(63, 12)
#define VTD_QI_PAGE_SHIFT	12

/* 6.5.2.4 PASID-based IOTLB Invalidate Descriptor. */
#define VTD_QI_PIOTLB_DID	GENMASK_ULL(31, 16)
#define VTD_QI_PIOTLB_PASID	GENMASK_ULL(51, 32)

enum vtd_qi_piotlb_gran {
	VTD_QI_PIOTLB_PASID_SEL	= 2,	/* all non-global of DID + PASID */
	VTD_QI_PIOTLB_PAGE	= 3,	/* page-selective within PASID */
};

/* 6.5.2.2 PASID-cache Invalidate Descriptor. */
#define VTD_QI_PC_DID		GENMASK_ULL(31, 16)
#define VTD_QI_PC_PASID		GENMASK_ULL(51, 32)

enum vtd_qi_pc_gran {
	VTD_QI_PC_DOMAIN	= 0,	/* every PASID of DID */
	VTD_QI_PC_PASID_SEL	= 1,	/* DID + PASID */
	VTD_QI_PC_GLOBAL	= 3,	/* everything */
};

/* 6.5.2.8 Invalidation Wait Descriptor. */
#define VTD_QI_WAIT_IF		BIT_ULL(4)	/* interrupt (IECTL) */
#define VTD_QI_WAIT_SW		BIT_ULL(5)	/* status write */
#define VTD_QI_WAIT_FN		BIT_ULL(6)	/* fence */
#define VTD_QI_WAIT_PD		BIT_ULL(7)	/* page-request drain */
#define VTD_QI_WAIT_FLAGS	(VTD_QI_WAIT_IF | VTD_QI_WAIT_SW | \
				 VTD_QI_WAIT_FN | VTD_QI_WAIT_PD)
#define VTD_QI_WAIT_DATA	GENMASK_ULL(63, 32)	/* status data */
#define VTD_QI_WAIT_ADDR	GENMASK_ULL(63, 2)	/* qword 1: status addr */

static inline u64 vtd_qi_type(enum vtd_qi_type type)
{
	return FIELD_PREP(VTD_QI_TYPE_LO, type);
}

/**
 * vtd_qi_cc() - context-cache invalidation
 * @gran: VTD_CC_GLOBAL, VTD_CC_DOMAIN (@did) or VTD_CC_DEVICE (@did, @sid)
 * @did: domain ID, for the domain and device granularities
 * @sid: source ID (bus << 8 | devfn), for the device granularity
 * @fm: function mask: ignore the low @fm bits of @sid's function number
 *
 * Return: the descriptor.
 */
static inline struct vtd_qi_desc vtd_qi_cc(enum vtd_cc_gran gran, u16 did,
					   u16 sid, unsigned int fm)
{
	return (struct vtd_qi_desc){ .qw[0] = vtd_qi_type(VTD_QI_CC) |
				     FIELD_PREP(VTD_QI_GRAN, gran) |
				     FIELD_PREP(VTD_QI_CC_DID, did) |
				     FIELD_PREP(VTD_QI_CC_SID, sid) |
				     FIELD_PREP(VTD_QI_CC_FM, fm) };
}

static inline u64 vtd_qi_addr_qw(u64 addr, unsigned int am, bool ih)
{
	return (addr & VTD_QI_ADDR_ADDR) | (ih ? VTD_QI_ADDR_IH : 0) |
	       FIELD_PREP(VTD_QI_ADDR_AM, am);
}

/**
 * vtd_qi_iotlb() - IOTLB invalidation; in scalable mode it covers entries
 *		    made through second-level-only and pass-through PASID
 *		    entries, first-level ones need vtd_qi_piotlb_*()
 * @gran: VTD_IOTLB_GLOBAL, VTD_IOTLB_DOMAIN (@did) or VTD_IOTLB_PAGE
 * @did: domain ID
 * @addr: for VTD_IOTLB_PAGE, the first byte of the 2^@am pages
 * @am: address mask, at most CAP.MAMV
 * @ih: invalidation hint: only leaf entries changed
 * @drain: set DR and DW (honoured with CAP.DRD/DWD)
 *
 * Return: the descriptor.
 */
static inline struct vtd_qi_desc vtd_qi_iotlb(enum vtd_iotlb_gran gran,
					      u16 did, u64 addr,
					      unsigned int am, bool ih,
					      bool drain)
{
	struct vtd_qi_desc d = { .qw[0] = vtd_qi_type(VTD_QI_IOTLB) |
				 FIELD_PREP(VTD_QI_GRAN, gran) |
				 FIELD_PREP(VTD_QI_IOTLB_DID, did) };

	if (drain)
		d.qw[0] |= VTD_QI_IOTLB_DR | VTD_QI_IOTLB_DW;
	if (gran == VTD_IOTLB_PAGE)
		d.qw[1] = vtd_qi_addr_qw(addr, am, ih);
	return d;
}

/**
 * vtd_qi_piotlb_pasid() - drop every IOTLB and paging-structure cache entry
 *			   of a PASID within a domain
 * @did: domain ID
 * @pasid: PASID (20 bits)
 *
 * Return: the descriptor.
 */
static inline struct vtd_qi_desc vtd_qi_piotlb_pasid(u16 did, u32 pasid)
{
	return (struct vtd_qi_desc){
		.qw[0] = vtd_qi_type(VTD_QI_PIOTLB) |
			 FIELD_PREP(VTD_QI_GRAN, VTD_QI_PIOTLB_PASID_SEL) |
			 FIELD_PREP(VTD_QI_PIOTLB_DID, did) |
			 FIELD_PREP(VTD_QI_PIOTLB_PASID, pasid) };
}

/**
 * vtd_qi_piotlb_page() - page-selective-within-PASID IOTLB invalidation
 * @did: domain ID
 * @pasid: PASID (20 bits)
 * @addr: first byte of the 2^@am pages, aligned to that size
 * @am: address mask, at most CAP.MAMV; see vtd_qi_psi_range()
 * @ih: invalidation hint: only leaf entries changed, keep the
 *	paging-structure caches
 *
 * Return: the descriptor.
 */
static inline struct vtd_qi_desc vtd_qi_piotlb_page(u16 did, u32 pasid,
						    u64 addr, unsigned int am,
						    bool ih)
{
	return (struct vtd_qi_desc){
		.qw[0] = vtd_qi_type(VTD_QI_PIOTLB) |
			 FIELD_PREP(VTD_QI_GRAN, VTD_QI_PIOTLB_PAGE) |
			 FIELD_PREP(VTD_QI_PIOTLB_DID, did) |
			 FIELD_PREP(VTD_QI_PIOTLB_PASID, pasid),
		.qw[1] = vtd_qi_addr_qw(addr, am, ih) };
}

/**
 * vtd_qi_pc() - PASID-cache invalidation
 * @gran: VTD_QI_PC_DOMAIN (@did), VTD_QI_PC_PASID_SEL (@did, @pasid) or
 *	  VTD_QI_PC_GLOBAL
 * @did: domain ID
 * @pasid: PASID (20 bits)
 *
 * Return: the descriptor.
 */
static inline struct vtd_qi_desc vtd_qi_pc(enum vtd_qi_pc_gran gran, u16 did,
					   u32 pasid)
{
	return (struct vtd_qi_desc){ .qw[0] = vtd_qi_type(VTD_QI_PC) |
				     FIELD_PREP(VTD_QI_GRAN, gran) |
				     FIELD_PREP(VTD_QI_PC_DID, did) |
				     FIELD_PREP(VTD_QI_PC_PASID, pasid) };
}

/**
 * vtd_qi_wait() - invalidation wait
 * @flags: VTD_QI_WAIT_IF, _SW, _FN and _PD, ORed
 * @status: the value written to @status_addr when SW is set
 * @status_addr: dword-aligned physical address written when SW is set
 *
 * QEMU 10.0 aborts on a wait with both SW and IF; use one or the other.
 *
 * Return: the descriptor.
 */
static inline struct vtd_qi_desc vtd_qi_wait(u64 flags, u32 status,
					     phys_addr_t status_addr)
{
	return (struct vtd_qi_desc){
		.qw[0] = vtd_qi_type(VTD_QI_WAIT) |
			 (flags & VTD_QI_WAIT_FLAGS) |
			 FIELD_PREP(VTD_QI_WAIT_DATA, status),
		.qw[1] = status_addr & VTD_QI_WAIT_ADDR };
}

/**
 * vtd_qi_psi_range() - cover a page range with one page-selective
 *			invalidation
 * @start_pfn: first 4K page of the range
 * @last_pfn: last 4K page of the range (inclusive)
 * @mamv: the unit's CAP.MAMV
 * @addr: set to the byte address of the naturally aligned block
 * @am: set to the address mask: the block is 2^@am pages
 *
 * The block is the smallest naturally aligned power-of-two run of pages
 * holding both ends of the range. It can be much larger than the range
 * when the range straddles an alignment boundary: pages 0x1ff-0x200 need
 * the 1024 pages 0x000-0x3ff.
 *
 * Return: true if that block is within CAP.MAMV; false if the range needs
 * a PASID-selective (or domain-selective) invalidation instead, which is
 * also the answer for an empty range (@last_pfn < @start_pfn).
 */
static inline bool vtd_qi_psi_range(u64 start_pfn, u64 last_pfn,
				    unsigned int mamv, u64 *addr,
				    unsigned int *am)
{
	unsigned int order;

	if (last_pfn < start_pfn)
		return false;

	order = fls64(start_pfn ^ last_pfn);
	if (order > mamv)
		return false;

	*am = order;
	*addr = (start_pfn & ~(BIT_ULL(order) - 1)) << VTD_QI_PAGE_SHIFT;
	return true;
}

#endif /* __VTD_QI_H */
