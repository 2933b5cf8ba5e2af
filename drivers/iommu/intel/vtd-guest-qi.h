/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decoding the invalidation descriptors a guest wrote into the queue of
 * its virtual VT-d (VT-d 3.x 6.5.2, 256-bit descriptors), for the VT-d
 * vIOMMU's IOMMU_HWPT_INVALIDATE. The guest is untrusted: a descriptor
 * with a reserved bit set, or a granularity the spec reserves, is refused
 * as the hardware would (an invalidation queue error).
 *
 * Layouts, qword 0 then 1 (qwords 2 and 3 are reserved for these types):
 *  6.5.2.4 PASID-based IOTLB (6):   G 5:4, DID 31:16, PASID 51:32;
 *                                   AM 5:0, IH 6, ADDR 63:12
 *  6.5.2.2 PASID-cache (7):         G 5:4, DID 31:16, PASID 51:32
 *  6.5.2.5 device-TLB (3):          PFSID 15:12 and 63:52, MIP 20:16,
 *                                   SID 47:32; S 0, ADDR 63:12
 *  6.5.2.6 PASID-based device-TLB (8): MIP 8:4, PFSID 15:12 and 63:52,
 *                                   SID 31:16, PASID 51:32;
 *                                   G 0, S 11, ADDR 63:12
 * Bits 11:9 of qword 0 extend the type (zero for these); every other bit
 * is reserved.
 */
#ifndef __VTD_GUEST_QI_H
#define __VTD_GUEST_QI_H

#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/types.h>

#include "vtd-qi.h"

/* 6.5.2.5 Device-TLB Invalidate Descriptor. */
#define VTD_QI_DTLB_PFSID_LO	GENMASK_ULL(15, 12)
#define VTD_QI_DTLB_MIP		GENMASK_ULL(20, 16)	/* max invs pending */
#define VTD_QI_DTLB_SID		GENMASK_ULL(47, 32)
#define VTD_QI_DTLB_PFSID_HI	GENMASK_ULL(63, 52)
#define VTD_QI_DTLB_S		BIT_ULL(0)		/* qword 1: size */

/* 6.5.2.6 PASID-based Device-TLB Invalidate Descriptor. */
#define VTD_QI_PDTLB_MIP	GENMASK_ULL(8, 4)
#define VTD_QI_PDTLB_PFSID_LO	GENMASK_ULL(15, 12)
#define VTD_QI_PDTLB_SID	GENMASK_ULL(31, 16)
#define VTD_QI_PDTLB_PASID	GENMASK_ULL(51, 32)
#define VTD_QI_PDTLB_PFSID_HI	GENMASK_ULL(63, 52)
#define VTD_QI_PDTLB_G		BIT_ULL(0)		/* qword 1: all PASIDs */
#define VTD_QI_PDTLB_S		BIT_ULL(11)		/* qword 1: size */

/**
 * struct vtd_guest_inv - one decoded guest invalidation
 * @type: VTD_QI_PIOTLB, VTD_QI_PC, VTD_QI_DEV_TLB or VTD_QI_PDEV_TLB
 * @gran: the G field (PASID-based IOTLB and PASID-cache)
 * @did: domain ID (PASID-based IOTLB and PASID-cache)
 * @pasid: PASID (all but device-TLB)
 * @sid: requester ID (device-TLBs)
 * @first: first address of the range to invalidate
 * @last: last address (inclusive); 0 to U64_MAX for everything
 * @ih: only leaves changed (PASID-based IOTLB)
 * @all_pasids: every PASID (PASID-based device-TLB with G)
 */
struct vtd_guest_inv {
	enum vtd_qi_type type;
	unsigned int gran;
	u16 did;
	u32 pasid;
	u16 sid;
	u64 first;
	u64 last;
	bool ih;
	bool all_pasids;
};

/*
 * The range of a device-TLB invalidation (6.5.2.5): with S clear, the 4K
 * page at ADDR; with S set, the lowest clear bit of ADDR at or above bit
 * 12 gives the size: bit 12 clear means 8K, bit 13 clear (12 set) 16K, and
 * so on; all of ADDR 63:12 set means everything.
 */
static inline void vtd_guest_dtlb_range(u64 qw1, bool s, u64 *first,
					u64 *last)
{
	u64 addr = qw1 & VTD_QI_ADDR_ADDR;
	unsigned int bit;

	if (!s) {
		*first = addr;
		*last = addr + BIT_ULL(VTD_QI_PAGE_SHIFT) - 1;
		return;
	}
	bit = ffz(addr >> VTD_QI_PAGE_SHIFT) + VTD_QI_PAGE_SHIFT;
	if (bit >= 63) {
		*first = 0;
		*last = U64_MAX;
		return;
	}
	*first = addr & ~(BIT_ULL(bit + 1) - 1);
	*last = *first + BIT_ULL(bit + 1) - 1;
}

/**
 * vtd_guest_inv_decode() - decode a guest invalidation descriptor
 * @qw: its four qwords, as the guest wrote them
 * @inv: filled
 *
 * Return: 0; -EOPNOTSUPP for a type this decoder does not take (wait
 * descriptors, context-cache, IOTLB, interrupt entry cache, page
 * responses, unknown types); -EINVAL for a reserved bit set, a reserved
 * granularity, or an address not aligned to its mask.
 */
static inline int vtd_guest_inv_decode(const u64 qw[4],
				       struct vtd_guest_inv *inv)
{
	u64 used0, used1, span;
	unsigned int am;

	memset(inv, 0, sizeof(*inv));
	if (FIELD_GET(VTD_QI_TYPE_HI, qw[0]))
		return -EOPNOTSUPP;
	inv->type = FIELD_GET(VTD_QI_TYPE_LO, qw[0]);
	switch (inv->type) {
	case VTD_QI_PIOTLB:
		used0 = VTD_QI_TYPE_LO | VTD_QI_GRAN | VTD_QI_PIOTLB_DID |
			VTD_QI_PIOTLB_PASID;
		used1 = VTD_QI_ADDR_AM | VTD_QI_ADDR_IH | VTD_QI_ADDR_ADDR;
		inv->gran = FIELD_GET(VTD_QI_GRAN, qw[0]);
		inv->did = FIELD_GET(VTD_QI_PIOTLB_DID, qw[0]);
		inv->pasid = FIELD_GET(VTD_QI_PIOTLB_PASID, qw[0]);
		if (inv->gran == VTD_QI_PIOTLB_PASID_SEL) {
			used1 = 0;
			inv->last = U64_MAX;
		} else if (inv->gran == VTD_QI_PIOTLB_PAGE) {
			am = FIELD_GET(VTD_QI_ADDR_AM, qw[1]);
			span = BIT_ULL(VTD_QI_PAGE_SHIFT + min(am, 52U));
			inv->first = qw[1] & VTD_QI_ADDR_ADDR;
			inv->ih = qw[1] & VTD_QI_ADDR_IH;
			if (am > 52 || inv->first & (span - 1))
				return -EINVAL;
			inv->last = inv->first + span - 1;
		} else {
			return -EINVAL;
		}
		break;
	case VTD_QI_PC:
		used0 = VTD_QI_TYPE_LO | VTD_QI_GRAN | VTD_QI_PC_DID |
			VTD_QI_PC_PASID;
		used1 = 0;
		inv->gran = FIELD_GET(VTD_QI_GRAN, qw[0]);
		inv->did = FIELD_GET(VTD_QI_PC_DID, qw[0]);
		inv->pasid = FIELD_GET(VTD_QI_PC_PASID, qw[0]);
		inv->last = U64_MAX;
		if (inv->gran != VTD_QI_PC_DOMAIN &&
		    inv->gran != VTD_QI_PC_PASID_SEL &&
		    inv->gran != VTD_QI_PC_GLOBAL)
			return -EINVAL;
		break;
	case VTD_QI_DEV_TLB:
		used0 = VTD_QI_TYPE_LO | VTD_QI_DTLB_PFSID_LO | VTD_QI_DTLB_MIP |
			VTD_QI_DTLB_SID | VTD_QI_DTLB_PFSID_HI;
		used1 = VTD_QI_DTLB_S | VTD_QI_ADDR_ADDR;
		inv->sid = FIELD_GET(VTD_QI_DTLB_SID, qw[0]);
		vtd_guest_dtlb_range(qw[1], qw[1] & VTD_QI_DTLB_S, &inv->first,
				     &inv->last);
		break;
	case VTD_QI_PDEV_TLB:
		used0 = VTD_QI_TYPE_LO | VTD_QI_PDTLB_MIP |
			VTD_QI_PDTLB_PFSID_LO | VTD_QI_PDTLB_SID |
			VTD_QI_PDTLB_PASID | VTD_QI_PDTLB_PFSID_HI;
		used1 = VTD_QI_PDTLB_G | VTD_QI_PDTLB_S | VTD_QI_ADDR_ADDR;
		inv->sid = FIELD_GET(VTD_QI_PDTLB_SID, qw[0]);
		inv->pasid = FIELD_GET(VTD_QI_PDTLB_PASID, qw[0]);
		inv->all_pasids = qw[1] & VTD_QI_PDTLB_G;
		vtd_guest_dtlb_range(qw[1], qw[1] & VTD_QI_PDTLB_S,
				     &inv->first, &inv->last);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if ((qw[0] & ~used0) || (qw[1] & ~used1) || qw[2] || qw[3])
		return -EINVAL;
	return 0;
}

#endif /* __VTD_GUEST_QI_H */
