/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VT-d paging-entry layouts, from the Intel VT-d specification 3.x,
 * chapter 9 "Translation Structure Formats".
 *
 * Levels are counted from the leaf: level 0 holds 4K PTEs, level 1 PDEs
 * (2M leaves), level 2 PDPEs (1G leaves), level 3 PML4Es, level 4 PML5Es.
 * Every table is one 4K page of 512 64-bit entries.
 */
#ifndef __VTD_PGTABLE_FMT_H
#define __VTD_PGTABLE_FMT_H

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/iommu.h>

#include "vtd-pgtable.h"

#define VTD_PT_TABLE_SHIFT	12	/* 4K table pages, 4K granule */
#define VTD_PT_LEVEL_BITS	9	/* 512 entries per table */
#define VTD_PT_ENTRIES		BIT(VTD_PT_LEVEL_BITS)

/*
 * 9.7 "First-Level Paging Entries" (IA-32e compatible). Tables 30-36 give
 * PML5E, PML4E, PDPE, PDE and PTE; the bits below sit at the same place in
 * all of them, PS only in PDPE/PDE and PAT at bit 7 in a PTE but bit 12 in
 * a 1G/2M leaf.
 */
enum {
	VTD_FL_P	= BIT_ULL(0),	/* present */
	VTD_FL_RW	= BIT_ULL(1),	/* writes allowed */
	VTD_FL_US	= BIT_ULL(2),	/* user: must be set at every level */
	VTD_FL_PWT	= BIT_ULL(3),	/* page-level write-through */
	VTD_FL_PCD	= BIT_ULL(4),	/* page-level cache disable */
	VTD_FL_A	= BIT_ULL(5),	/* accessed */
	VTD_FL_D	= BIT_ULL(6),	/* dirty (leaves only) */
	VTD_FL_PS	= BIT_ULL(7),	/* page size: PDPE/PDE is a leaf */
	VTD_FL_PAT_4K	= BIT_ULL(7),	/* PAT index bit in a 4K PTE */
	VTD_FL_G	= BIT_ULL(8),	/* global (leaves only) */
	VTD_FL_EA	= BIT_ULL(10),	/* extended accessed (with EAFE) */
	VTD_FL_PAT_LG	= BIT_ULL(12),	/* PAT index bit in a 2M/1G leaf */
	VTD_FL_XD	= BIT_ULL(63),	/* execute disable */
};

/*
 * 9.8 "Second-Level Paging Entries". Tables 37-42; EMT, IPAT, D and SNP
 * exist in leaves only.
 */
enum {
	VTD_SL_R	= BIT_ULL(0),	/* read */
	VTD_SL_W	= BIT_ULL(1),	/* write */
	VTD_SL_X	= BIT_ULL(2),	/* execute (with SLEE) */
	VTD_SL_EMT	= GENMASK_ULL(5, 3),	/* extended memory type */
	VTD_SL_IPAT	= BIT_ULL(6),	/* ignore PAT */
	VTD_SL_PS	= BIT_ULL(7),	/* page size: PDPE/PDE is a leaf */
	VTD_SL_A	= BIT_ULL(8),	/* accessed (with SSADE) */
	VTD_SL_D	= BIT_ULL(9),	/* dirty (with SSADE) */
	VTD_SL_SNP	= BIT_ULL(11),	/* snoop */
};

/* EMT encodings, 9.8 Table 42 (same values as the IA-32 memory types). */
enum {
	VTD_SL_EMT_UC = 0,
	VTD_SL_EMT_WB = 6,
};

/*
 * Output address of a table pointer or leaf: bits 51:12 in both formats
 * (the hardware treats bits above its HAW as reserved). A 2M leaf's
 * address starts at bit 21 and a 1G leaf's at bit 30; the bits below are
 * PAT (bit 12) and reserved, so leaf decode masks with the leaf size.
 */
#define VTD_PT_ADDR		GENMASK_ULL(51, 12)
#define VTD_PT_MAX_OAS_BITS	52

static __always_inline unsigned int vtd_pt_level_shift(unsigned int level)
{
	return VTD_PT_TABLE_SHIFT + level * VTD_PT_LEVEL_BITS;
}

static __always_inline u64 vtd_pt_level_size(unsigned int level)
{
	return 1ULL << vtd_pt_level_shift(level);
}

static __always_inline unsigned int vtd_pt_index(u64 va, unsigned int level)
{
	return (va >> vtd_pt_level_shift(level)) & (VTD_PT_ENTRIES - 1);
}

/* An entry is present when any of these bits is set. */
static __always_inline u64 vtd_pt_present_bits(bool fl)
{
	return fl ? VTD_FL_P : VTD_SL_R | VTD_SL_W | VTD_SL_X;
}

static __always_inline bool vtd_pt_present(u64 e, bool fl)
{
	return e & vtd_pt_present_bits(fl);
}

/* Level 0 entries are always leaves; above, PS marks a leaf. */
static __always_inline bool vtd_pt_is_leaf(u64 e, unsigned int level, bool fl)
{
	return !level || (e & (fl ? VTD_FL_PS : VTD_SL_PS));
}

static __always_inline u64 *vtd_pt_table_va(u64 e)
{
	return __va(e & VTD_PT_ADDR);
}

static __always_inline u64 vtd_pt_leaf_pa(u64 e, unsigned int level)
{
	return e & VTD_PT_ADDR & ~(vtd_pt_level_size(level) - 1);
}

/*
 * A table pointer. First level: P, RW and US so that the leaf alone
 * decides the access rights (QEMU, like the spec, ANDs RW and US down the
 * walk), A preset so the walker never has to write it.
 * Second level: R and W, for the same reason.
 */
static __always_inline u64 vtd_pt_mk_table(phys_addr_t pa, bool fl)
{
	if (fl)
		return VTD_FL_P | VTD_FL_RW | VTD_FL_US | VTD_FL_A |
		       (pa & VTD_PT_ADDR);
	return VTD_SL_R | VTD_SL_W | (pa & VTD_PT_ADDR);
}

/*
 * The attribute bits of a leaf at @level for IOMMU_* @prot; OR in the
 * output address to get the entry. A and D are preset on first-level
 * leaves (unless the table tracks dirtying) so the walker has nothing to
 * write back; second-level A/D only matter with SSADE and start clear.
 */
static __always_inline u64 vtd_pt_leaf_bits(int prot, unsigned int level,
					    bool fl, bool track_dirty)
{
	u64 e;

	if (fl) {
		e = VTD_FL_P | VTD_FL_US | VTD_FL_A;
		if (prot & IOMMU_WRITE)
			e |= VTD_FL_RW | (track_dirty ? 0 : VTD_FL_D);
		if (prot & IOMMU_MMIO)
			e |= VTD_FL_PCD | VTD_FL_PWT;
		if (prot & IOMMU_NOEXEC)
			e |= VTD_FL_XD;
		if (level)
			e |= VTD_FL_PS;
		return e;
	}

	e = 0;
	if (prot & IOMMU_READ)
		e |= VTD_SL_R;
	if (prot & IOMMU_WRITE)
		e |= VTD_SL_W;
	if (prot & IOMMU_CACHE)
		e |= VTD_SL_SNP;
	if (prot & IOMMU_MMIO)
		e |= FIELD_PREP(VTD_SL_EMT, VTD_SL_EMT_UC) | VTD_SL_IPAT;
	if (level)
		e |= VTD_SL_PS;
	return e;
}

/* IOMMU_* permissions and attributes encoded in a leaf. */
static __always_inline int vtd_pt_leaf_prot(u64 e, bool fl)
{
	int prot;

	if (fl) {
		prot = IOMMU_READ;
		if (e & VTD_FL_RW)
			prot |= IOMMU_WRITE;
		if (e & VTD_FL_PCD)
			prot |= IOMMU_MMIO;
		if (e & VTD_FL_XD)
			prot |= IOMMU_NOEXEC;
		return prot;
	}

	prot = 0;
	if (e & VTD_SL_R)
		prot |= IOMMU_READ;
	if (e & VTD_SL_W)
		prot |= IOMMU_WRITE;
	if (e & VTD_SL_SNP)
		prot |= IOMMU_CACHE;
	if (e & VTD_SL_IPAT)
		prot |= IOMMU_MMIO;
	return prot;
}

static __always_inline u64 vtd_pt_dirty_bit(bool fl)
{
	return fl ? VTD_FL_D : VTD_SL_D;
}

#endif /* __VTD_PGTABLE_FMT_H */
