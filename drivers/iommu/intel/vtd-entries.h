/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Scalable-mode translation structures, from the Intel VT-d specification
 * 3.x, chapter 9 "Translation Structure Formats": root entry (9.2), context
 * entry (9.4), PASID directory entry (9.5) and PASID table entry (9.6).
 *
 * An entry is an array of little-endian qwords as the hardware reads it.
 * Field masks are per qword and named VTD_<entry><qword>_<spec field>; the
 * comment gives the field's absolute bit range in the entry, as the spec
 * tables do. Each field has a setter and a getter named after the spec
 * field; setters update only their field (READ_ONCE/WRITE_ONCE, so they
 * may be used on live entries, e.g. to clear P), address fields take and
 * return the 4K-aligned address itself.
 *
 * The *_init() encoders build a whole entry in a buffer that the hardware
 * cannot see; the caller then publishes it with the qword holding P
 * written last and flushes it for a non-coherent walker.
 *
 * Walk: root table (256 entries, indexed by bus) -> context table (lower
 * or upper half of devfn, 128 entries of 256 bits) -> PASID directory
 * (PASID bits 19:6) -> PASID table (PASID bits 5:0, 64 entries of 512 bits
 * in one 4K page) -> first- or second-level tables.
 */
#ifndef __VTD_ENTRIES_H
#define __VTD_ENTRIES_H

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/types.h>

#include "vtd-regs.h"

/* Replace the @mask bits of *@qw with those of @bits. */
static inline void vtd_qw_update(u64 *qw, u64 mask, u64 bits)
{
	WRITE_ONCE(*qw, (READ_ONCE(*qw) & ~mask) | (bits & mask));
}

static inline u64 vtd_qw_get(const u64 *qw, u64 mask)
{
	return READ_ONCE(*qw) & mask;
}

/*
 * 9.2 "Scalable-Mode Root Entry", 128 bits. The lower context table covers
 * devfn 0-127, the upper one devfn 128-255.
 */
struct vtd_sm_root_entry {
	u64 val[2];
};

static_assert(sizeof(struct vtd_sm_root_entry) == 16);

#define VTD_SMRE0_LP		BIT_ULL(0)		/* bit 0 */
#define VTD_SMRE0_LCTP		GENMASK_ULL(63, 12)	/* bits 63:12 */
#define VTD_SMRE1_UP		BIT_ULL(0)		/* bit 64 */
#define VTD_SMRE1_UCTP		GENMASK_ULL(63, 12)	/* bits 127:76 */

#define VTD_SM_ROOT_ENTRIES	256
#define VTD_SM_CTX_PER_TABLE	128	/* 256-bit entries per 4K table */

/* LP (Lower Present, bit 0) */
static inline void vtd_sm_root_set_lp(struct vtd_sm_root_entry *re, bool v)
{
	vtd_qw_update(&re->val[0], VTD_SMRE0_LP, v ? VTD_SMRE0_LP : 0);
}

static inline bool vtd_sm_root_lp(const struct vtd_sm_root_entry *re)
{
	return vtd_qw_get(&re->val[0], VTD_SMRE0_LP);
}

/* LCTP (Lower Context Table Pointer, bits 63:12) */
static inline void vtd_sm_root_set_lctp(struct vtd_sm_root_entry *re,
					phys_addr_t pa)
{
	vtd_qw_update(&re->val[0], VTD_SMRE0_LCTP, pa);
}

static inline phys_addr_t vtd_sm_root_lctp(const struct vtd_sm_root_entry *re)
{
	return vtd_qw_get(&re->val[0], VTD_SMRE0_LCTP);
}

/* UP (Upper Present, bit 64) */
static inline void vtd_sm_root_set_up(struct vtd_sm_root_entry *re, bool v)
{
	vtd_qw_update(&re->val[1], VTD_SMRE1_UP, v ? VTD_SMRE1_UP : 0);
}

static inline bool vtd_sm_root_up(const struct vtd_sm_root_entry *re)
{
	return vtd_qw_get(&re->val[1], VTD_SMRE1_UP);
}

/* UCTP (Upper Context Table Pointer, bits 127:76) */
static inline void vtd_sm_root_set_uctp(struct vtd_sm_root_entry *re,
					phys_addr_t pa)
{
	vtd_qw_update(&re->val[1], VTD_SMRE1_UCTP, pa);
}

static inline phys_addr_t vtd_sm_root_uctp(const struct vtd_sm_root_entry *re)
{
	return vtd_qw_get(&re->val[1], VTD_SMRE1_UCTP);
}

/* Index of @devfn's context entry in its (lower or upper) table. */
static inline unsigned int vtd_sm_ctx_index(u8 devfn)
{
	return devfn % VTD_SM_CTX_PER_TABLE;
}

static inline bool vtd_sm_ctx_is_upper(u8 devfn)
{
	return devfn >= VTD_SM_CTX_PER_TABLE;
}

/*
 * 9.4 "Scalable-Mode Context Entry", 256 bits. Qwords 2 and 3 are
 * reserved (must be zero).
 */
struct vtd_sm_context_entry {
	u64 val[4];
};

static_assert(sizeof(struct vtd_sm_context_entry) == 32);

#define VTD_SMCE0_P		BIT_ULL(0)		/* bit 0 */
#define VTD_SMCE0_FPD		BIT_ULL(1)		/* bit 1 */
#define VTD_SMCE0_DTE		BIT_ULL(2)		/* bit 2 */
#define VTD_SMCE0_PASIDE	BIT_ULL(3)		/* bit 3 */
#define VTD_SMCE0_PRE		BIT_ULL(4)		/* bit 4 */
#define VTD_SMCE0_PDTS		GENMASK_ULL(11, 9)	/* bits 11:9 */
#define VTD_SMCE0_PASIDDIRPTR	GENMASK_ULL(63, 12)	/* bits 63:12 */
#define VTD_SMCE1_RID_PASID	GENMASK_ULL(19, 0)	/* bits 83:64 */
#define VTD_SMCE1_RID_PRIV	BIT_ULL(20)		/* bit 84 */

/* A PASID directory of PDTS has 2^(PDTS + 7) entries. */
#define VTD_PDTS_MIN_SHIFT	7
#define VTD_PDTS_MAX		7

/* P (Present, bit 0) */
static inline void vtd_sm_ctx_set_p(struct vtd_sm_context_entry *ce, bool v)
{
	vtd_qw_update(&ce->val[0], VTD_SMCE0_P, v ? VTD_SMCE0_P : 0);
}

static inline bool vtd_sm_ctx_p(const struct vtd_sm_context_entry *ce)
{
	return vtd_qw_get(&ce->val[0], VTD_SMCE0_P);
}

/* FPD (Fault Processing Disable, bit 1) */
static inline void vtd_sm_ctx_set_fpd(struct vtd_sm_context_entry *ce, bool v)
{
	vtd_qw_update(&ce->val[0], VTD_SMCE0_FPD, v ? VTD_SMCE0_FPD : 0);
}

static inline bool vtd_sm_ctx_fpd(const struct vtd_sm_context_entry *ce)
{
	return vtd_qw_get(&ce->val[0], VTD_SMCE0_FPD);
}

/* DTE (Device-TLB Enable, bit 2) */
static inline void vtd_sm_ctx_set_dte(struct vtd_sm_context_entry *ce, bool v)
{
	vtd_qw_update(&ce->val[0], VTD_SMCE0_DTE, v ? VTD_SMCE0_DTE : 0);
}

static inline bool vtd_sm_ctx_dte(const struct vtd_sm_context_entry *ce)
{
	return vtd_qw_get(&ce->val[0], VTD_SMCE0_DTE);
}

/* PASIDE (PASID Enable, bit 3): accept requests with PASID */
static inline void vtd_sm_ctx_set_paside(struct vtd_sm_context_entry *ce,
					 bool v)
{
	vtd_qw_update(&ce->val[0], VTD_SMCE0_PASIDE, v ? VTD_SMCE0_PASIDE : 0);
}

static inline bool vtd_sm_ctx_paside(const struct vtd_sm_context_entry *ce)
{
	return vtd_qw_get(&ce->val[0], VTD_SMCE0_PASIDE);
}

/* PRE (Page Request Enable, bit 4) */
static inline void vtd_sm_ctx_set_pre(struct vtd_sm_context_entry *ce, bool v)
{
	vtd_qw_update(&ce->val[0], VTD_SMCE0_PRE, v ? VTD_SMCE0_PRE : 0);
}

static inline bool vtd_sm_ctx_pre(const struct vtd_sm_context_entry *ce)
{
	return vtd_qw_get(&ce->val[0], VTD_SMCE0_PRE);
}

/* PDTS (PASID Directory Size, bits 11:9) */
static inline void vtd_sm_ctx_set_pdts(struct vtd_sm_context_entry *ce,
				       unsigned int pdts)
{
	vtd_qw_update(&ce->val[0], VTD_SMCE0_PDTS,
		      FIELD_PREP(VTD_SMCE0_PDTS, pdts));
}

static inline unsigned int vtd_sm_ctx_pdts(const struct vtd_sm_context_entry *ce)
{
	return FIELD_GET(VTD_SMCE0_PDTS, READ_ONCE(ce->val[0]));
}

/* PASIDDIRPTR (PASID Directory Pointer, bits 63:12) */
static inline void vtd_sm_ctx_set_pasiddirptr(struct vtd_sm_context_entry *ce,
					      phys_addr_t pa)
{
	vtd_qw_update(&ce->val[0], VTD_SMCE0_PASIDDIRPTR, pa);
}

static inline phys_addr_t
vtd_sm_ctx_pasiddirptr(const struct vtd_sm_context_entry *ce)
{
	return vtd_qw_get(&ce->val[0], VTD_SMCE0_PASIDDIRPTR);
}

/* RID_PASID (bits 83:64): PASID used for requests without one */
static inline void vtd_sm_ctx_set_rid_pasid(struct vtd_sm_context_entry *ce,
					    u32 pasid)
{
	vtd_qw_update(&ce->val[1], VTD_SMCE1_RID_PASID,
		      FIELD_PREP(VTD_SMCE1_RID_PASID, pasid));
}

static inline u32 vtd_sm_ctx_rid_pasid(const struct vtd_sm_context_entry *ce)
{
	return FIELD_GET(VTD_SMCE1_RID_PASID, READ_ONCE(ce->val[1]));
}

/* RID_PRIV (bit 84): privilege of requests without PASID (with ECAP.RPRIVS) */
static inline void vtd_sm_ctx_set_rid_priv(struct vtd_sm_context_entry *ce,
					   bool v)
{
	vtd_qw_update(&ce->val[1], VTD_SMCE1_RID_PRIV,
		      v ? VTD_SMCE1_RID_PRIV : 0);
}

static inline bool vtd_sm_ctx_rid_priv(const struct vtd_sm_context_entry *ce)
{
	return vtd_qw_get(&ce->val[1], VTD_SMCE1_RID_PRIV);
}

/* Entries in a PASID directory of size @pdts. */
static inline unsigned int vtd_pdts_entries(unsigned int pdts)
{
	return 1U << (pdts + VTD_PDTS_MIN_SHIFT);
}

/**
 * vtd_sm_context_entry_init() - build a present scalable-mode context entry
 * @ce: the entry to fill (not yet visible to the hardware)
 * @pasid_dir: physical address of the PASID directory (4K aligned)
 * @pdts: PASID directory size, 2^(@pdts + 7) entries
 * @rid_pasid: the PASID that translates requests without PASID
 *
 * PASIDE, DTE, PRE, FPD and RID_PRIV are left clear; set them with their
 * setters before publishing the entry.
 *
 * Return: 0, or -EINVAL if an argument does not fit its field.
 */
static inline int vtd_sm_context_entry_init(struct vtd_sm_context_entry *ce,
					    phys_addr_t pasid_dir,
					    unsigned int pdts, u32 rid_pasid)
{
	if (pasid_dir & ~VTD_SMCE0_PASIDDIRPTR || pdts > VTD_PDTS_MAX ||
	    rid_pasid > FIELD_MAX(VTD_SMCE1_RID_PASID))
		return -EINVAL;

	memset(ce, 0, sizeof(*ce));
	vtd_sm_ctx_set_pasiddirptr(ce, pasid_dir);
	vtd_sm_ctx_set_pdts(ce, pdts);
	vtd_sm_ctx_set_rid_pasid(ce, rid_pasid);
	vtd_sm_ctx_set_p(ce, true);
	return 0;
}

/*
 * 9.5 "Scalable-Mode PASID Directory Entry", 64 bits. Entry n points to
 * the PASID table for PASIDs n * 64 to n * 64 + 63.
 */
struct vtd_pasid_dir_entry {
	u64 val;
};

static_assert(sizeof(struct vtd_pasid_dir_entry) == 8);

#define VTD_PDE_P		BIT_ULL(0)		/* bit 0 */
#define VTD_PDE_FPD		BIT_ULL(1)		/* bit 1 */
#define VTD_PDE_SMPTBLPTR	GENMASK_ULL(63, 12)	/* bits 63:12 */

#define VTD_PASID_TABLE_SHIFT	6	/* PASID bits 5:0 index the table */
#define VTD_PASID_PER_TABLE	BIT(VTD_PASID_TABLE_SHIFT)
#define VTD_PASID_BITS		20

static inline unsigned int vtd_pasid_dir_index(u32 pasid)
{
	return pasid >> VTD_PASID_TABLE_SHIFT;
}

static inline unsigned int vtd_pasid_table_index(u32 pasid)
{
	return pasid & (VTD_PASID_PER_TABLE - 1);
}

/* P (Present, bit 0) */
static inline void vtd_pde_set_p(struct vtd_pasid_dir_entry *de, bool v)
{
	vtd_qw_update(&de->val, VTD_PDE_P, v ? VTD_PDE_P : 0);
}

static inline bool vtd_pde_p(const struct vtd_pasid_dir_entry *de)
{
	return vtd_qw_get(&de->val, VTD_PDE_P);
}

/* FPD (Fault Processing Disable, bit 1) */
static inline void vtd_pde_set_fpd(struct vtd_pasid_dir_entry *de, bool v)
{
	vtd_qw_update(&de->val, VTD_PDE_FPD, v ? VTD_PDE_FPD : 0);
}

static inline bool vtd_pde_fpd(const struct vtd_pasid_dir_entry *de)
{
	return vtd_qw_get(&de->val, VTD_PDE_FPD);
}

/* SMPTBLPTR (Scalable-Mode PASID Table Pointer, bits 63:12) */
static inline void vtd_pde_set_smptblptr(struct vtd_pasid_dir_entry *de,
					 phys_addr_t pa)
{
	vtd_qw_update(&de->val, VTD_PDE_SMPTBLPTR, pa);
}

static inline phys_addr_t vtd_pde_smptblptr(const struct vtd_pasid_dir_entry *de)
{
	return vtd_qw_get(&de->val, VTD_PDE_SMPTBLPTR);
}

/* The value of a present directory entry for the table at @table. */
static inline u64 vtd_pde_mk(phys_addr_t table)
{
	return (table & VTD_PDE_SMPTBLPTR) | VTD_PDE_P;
}

/*
 * 9.6 "Scalable-Mode PASID Table Entry", 512 bits. The spec (3.x) names
 * the second-level fields SL* (SLEE, SLADE, SLPTPTR), later revisions SS*;
 * the names below follow the project (SSEE, SSADE, SLPTR, FLPTR). Qwords
 * 3 to 7 are reserved (must be zero).
 *
 * NXE (bit 133) and SMEP (bit 134) are taken from VirtualBox's
 * iommu-intel.h; the Linux driver and QEMU do not use them.
 */
struct vtd_pasid_entry {
	u64 val[8];
};

static_assert(sizeof(struct vtd_pasid_entry) == 64);

#define VTD_PE0_P		BIT_ULL(0)		/* bit 0 */
#define VTD_PE0_FPD		BIT_ULL(1)		/* bit 1 */
#define VTD_PE0_AW		GENMASK_ULL(4, 2)	/* bits 4:2 */
#define VTD_PE0_SSEE		BIT_ULL(5)		/* bit 5 */
#define VTD_PE0_PGTT		GENMASK_ULL(8, 6)	/* bits 8:6 */
#define VTD_PE0_SSADE		BIT_ULL(9)		/* bit 9 */
#define VTD_PE0_SLPTR		GENMASK_ULL(63, 12)	/* bits 63:12 */
#define VTD_PE1_DID		GENMASK_ULL(15, 0)	/* bits 79:64 */
#define VTD_PE1_PWSNP		BIT_ULL(23)		/* bit 87 */
#define VTD_PE1_PGSNP		BIT_ULL(24)		/* bit 88 */
#define VTD_PE1_CD		BIT_ULL(25)		/* bit 89 */
#define VTD_PE1_EMTE		BIT_ULL(26)		/* bit 90 */
#define VTD_PE1_EMT		GENMASK_ULL(29, 27)	/* bits 93:91 */
#define VTD_PE1_PWT		BIT_ULL(30)		/* bit 94 */
#define VTD_PE1_PCD		BIT_ULL(31)		/* bit 95 */
#define VTD_PE1_PAT		GENMASK_ULL(63, 32)	/* bits 127:96 */
#define VTD_PE2_SRE		BIT_ULL(0)		/* bit 128 */
#define VTD_PE2_ERE		BIT_ULL(1)		/* bit 129 */
#define VTD_PE2_FLPM		GENMASK_ULL(3, 2)	/* bits 131:130 */
#define VTD_PE2_WPE		BIT_ULL(4)		/* bit 132 */
#define VTD_PE2_NXE		BIT_ULL(5)		/* bit 133 */
#define VTD_PE2_SMEP		BIT_ULL(6)		/* bit 134 */
#define VTD_PE2_EAFE		BIT_ULL(7)		/* bit 135 */
#define VTD_PE2_FLPTR		GENMASK_ULL(63, 12)	/* bits 191:140 */

/* PGTT (PASID Granular Translation Type) values. */
enum vtd_pgtt {
	VTD_PGTT_FL	= 1,	/* first-level only */
	VTD_PGTT_SL	= 2,	/* second-level only */
	VTD_PGTT_NESTED	= 3,	/* first-level nested on second-level */
	VTD_PGTT_PT	= 4,	/* pass-through */
};

/* FLPM (First-Level Paging Mode) values. */
enum vtd_flpm {
	VTD_FLPM_4LEVEL	= 0,
	VTD_FLPM_5LEVEL	= 1,
};

/* P (Present, bit 0) */
static inline void vtd_pasid_set_p(struct vtd_pasid_entry *pe, bool v)
{
	vtd_qw_update(&pe->val[0], VTD_PE0_P, v ? VTD_PE0_P : 0);
}

static inline bool vtd_pasid_p(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[0], VTD_PE0_P);
}

/* FPD (Fault Processing Disable, bit 1) */
static inline void vtd_pasid_set_fpd(struct vtd_pasid_entry *pe, bool v)
{
	vtd_qw_update(&pe->val[0], VTD_PE0_FPD, v ? VTD_PE0_FPD : 0);
}

static inline bool vtd_pasid_fpd(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[0], VTD_PE0_FPD);
}

/* AW (Address Width, bits 4:2): enum vtd_aw */
static inline void vtd_pasid_set_aw(struct vtd_pasid_entry *pe,
				    enum vtd_aw aw)
{
	vtd_qw_update(&pe->val[0], VTD_PE0_AW, FIELD_PREP(VTD_PE0_AW, aw));
}

static inline enum vtd_aw vtd_pasid_aw(const struct vtd_pasid_entry *pe)
{
	return FIELD_GET(VTD_PE0_AW, READ_ONCE(pe->val[0]));
}

/* SSEE (Second-Stage Execute Enable, bit 5) */
static inline void vtd_pasid_set_ssee(struct vtd_pasid_entry *pe, bool v)
{
	vtd_qw_update(&pe->val[0], VTD_PE0_SSEE, v ? VTD_PE0_SSEE : 0);
}

static inline bool vtd_pasid_ssee(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[0], VTD_PE0_SSEE);
}

/* PGTT (PASID Granular Translation Type, bits 8:6): enum vtd_pgtt */
static inline void vtd_pasid_set_pgtt(struct vtd_pasid_entry *pe,
				      enum vtd_pgtt pgtt)
{
	vtd_qw_update(&pe->val[0], VTD_PE0_PGTT,
		      FIELD_PREP(VTD_PE0_PGTT, pgtt));
}

static inline enum vtd_pgtt vtd_pasid_pgtt(const struct vtd_pasid_entry *pe)
{
	return FIELD_GET(VTD_PE0_PGTT, READ_ONCE(pe->val[0]));
}

/* SSADE (Second-Stage Accessed/Dirty Enable, bit 9) */
static inline void vtd_pasid_set_ssade(struct vtd_pasid_entry *pe, bool v)
{
	vtd_qw_update(&pe->val[0], VTD_PE0_SSADE, v ? VTD_PE0_SSADE : 0);
}

static inline bool vtd_pasid_ssade(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[0], VTD_PE0_SSADE);
}

/* SLPTR (Second-Level Page Table Pointer, bits 63:12) */
static inline void vtd_pasid_set_slptr(struct vtd_pasid_entry *pe,
				       phys_addr_t pa)
{
	vtd_qw_update(&pe->val[0], VTD_PE0_SLPTR, pa);
}

static inline phys_addr_t vtd_pasid_slptr(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[0], VTD_PE0_SLPTR);
}

/* DID (Domain Identifier, bits 79:64) */
static inline void vtd_pasid_set_did(struct vtd_pasid_entry *pe, u16 did)
{
	vtd_qw_update(&pe->val[1], VTD_PE1_DID, FIELD_PREP(VTD_PE1_DID, did));
}

static inline u16 vtd_pasid_did(const struct vtd_pasid_entry *pe)
{
	return FIELD_GET(VTD_PE1_DID, READ_ONCE(pe->val[1]));
}

/* PWSNP (Page-Walk Snoop, bit 87) */
static inline void vtd_pasid_set_pwsnp(struct vtd_pasid_entry *pe, bool v)
{
	vtd_qw_update(&pe->val[1], VTD_PE1_PWSNP, v ? VTD_PE1_PWSNP : 0);
}

static inline bool vtd_pasid_pwsnp(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[1], VTD_PE1_PWSNP);
}

/* PGSNP (Page Snoop, bit 88) */
static inline void vtd_pasid_set_pgsnp(struct vtd_pasid_entry *pe, bool v)
{
	vtd_qw_update(&pe->val[1], VTD_PE1_PGSNP, v ? VTD_PE1_PGSNP : 0);
}

static inline bool vtd_pasid_pgsnp(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[1], VTD_PE1_PGSNP);
}

/* CD (Cache Disable, bit 89) */
static inline void vtd_pasid_set_cd(struct vtd_pasid_entry *pe, bool v)
{
	vtd_qw_update(&pe->val[1], VTD_PE1_CD, v ? VTD_PE1_CD : 0);
}

static inline bool vtd_pasid_cd(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[1], VTD_PE1_CD);
}

/* EMTE (Extended Memory Type Enable, bit 90) */
static inline void vtd_pasid_set_emte(struct vtd_pasid_entry *pe, bool v)
{
	vtd_qw_update(&pe->val[1], VTD_PE1_EMTE, v ? VTD_PE1_EMTE : 0);
}

static inline bool vtd_pasid_emte(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[1], VTD_PE1_EMTE);
}

/* EMT (Extended Memory Type, bits 93:91) */
static inline void vtd_pasid_set_emt(struct vtd_pasid_entry *pe,
				     unsigned int emt)
{
	vtd_qw_update(&pe->val[1], VTD_PE1_EMT, FIELD_PREP(VTD_PE1_EMT, emt));
}

static inline unsigned int vtd_pasid_emt(const struct vtd_pasid_entry *pe)
{
	return FIELD_GET(VTD_PE1_EMT, READ_ONCE(pe->val[1]));
}

/* PWT (Page-Level Write Through, bit 94) */
static inline void vtd_pasid_set_pwt(struct vtd_pasid_entry *pe, bool v)
{
	vtd_qw_update(&pe->val[1], VTD_PE1_PWT, v ? VTD_PE1_PWT : 0);
}

static inline bool vtd_pasid_pwt(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[1], VTD_PE1_PWT);
}

/* PCD (Page-Level Cache Disable, bit 95) */
static inline void vtd_pasid_set_pcd(struct vtd_pasid_entry *pe, bool v)
{
	vtd_qw_update(&pe->val[1], VTD_PE1_PCD, v ? VTD_PE1_PCD : 0);
}

static inline bool vtd_pasid_pcd(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[1], VTD_PE1_PCD);
}

/* PAT (Page Attribute Table, bits 127:96) */
static inline void vtd_pasid_set_pat(struct vtd_pasid_entry *pe, u32 pat)
{
	vtd_qw_update(&pe->val[1], VTD_PE1_PAT, FIELD_PREP(VTD_PE1_PAT, pat));
}

static inline u32 vtd_pasid_pat(const struct vtd_pasid_entry *pe)
{
	return FIELD_GET(VTD_PE1_PAT, READ_ONCE(pe->val[1]));
}

/* SRE (Supervisor Request Enable, bit 128) */
static inline void vtd_pasid_set_sre(struct vtd_pasid_entry *pe, bool v)
{
	vtd_qw_update(&pe->val[2], VTD_PE2_SRE, v ? VTD_PE2_SRE : 0);
}

static inline bool vtd_pasid_sre(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[2], VTD_PE2_SRE);
}

/* ERE (Execute Request Enable, bit 129) */
static inline void vtd_pasid_set_ere(struct vtd_pasid_entry *pe, bool v)
{
	vtd_qw_update(&pe->val[2], VTD_PE2_ERE, v ? VTD_PE2_ERE : 0);
}

static inline bool vtd_pasid_ere(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[2], VTD_PE2_ERE);
}

/* FLPM (First-Level Paging Mode, bits 131:130): enum vtd_flpm */
static inline void vtd_pasid_set_flpm(struct vtd_pasid_entry *pe,
				      enum vtd_flpm flpm)
{
	vtd_qw_update(&pe->val[2], VTD_PE2_FLPM,
		      FIELD_PREP(VTD_PE2_FLPM, flpm));
}

static inline enum vtd_flpm vtd_pasid_flpm(const struct vtd_pasid_entry *pe)
{
	return FIELD_GET(VTD_PE2_FLPM, READ_ONCE(pe->val[2]));
}

/* WPE (Write Protect Enable, bit 132): supervisor writes honour R/W */
static inline void vtd_pasid_set_wpe(struct vtd_pasid_entry *pe, bool v)
{
	vtd_qw_update(&pe->val[2], VTD_PE2_WPE, v ? VTD_PE2_WPE : 0);
}

static inline bool vtd_pasid_wpe(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[2], VTD_PE2_WPE);
}

/* NXE (No-Execute Enable, bit 133) */
static inline void vtd_pasid_set_nxe(struct vtd_pasid_entry *pe, bool v)
{
	vtd_qw_update(&pe->val[2], VTD_PE2_NXE, v ? VTD_PE2_NXE : 0);
}

static inline bool vtd_pasid_nxe(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[2], VTD_PE2_NXE);
}

/* SMEP (Supervisor Mode Execute Prevention, bit 134) */
static inline void vtd_pasid_set_smep(struct vtd_pasid_entry *pe, bool v)
{
	vtd_qw_update(&pe->val[2], VTD_PE2_SMEP, v ? VTD_PE2_SMEP : 0);
}

static inline bool vtd_pasid_smep(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[2], VTD_PE2_SMEP);
}

/* EAFE (Extended Accessed Flag Enable, bit 135; with ECAP.EAFS) */
static inline void vtd_pasid_set_eafe(struct vtd_pasid_entry *pe, bool v)
{
	vtd_qw_update(&pe->val[2], VTD_PE2_EAFE, v ? VTD_PE2_EAFE : 0);
}

static inline bool vtd_pasid_eafe(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[2], VTD_PE2_EAFE);
}

/* FLPTR (First-Level Page Table Pointer, bits 191:140) */
static inline void vtd_pasid_set_flptr(struct vtd_pasid_entry *pe,
				       phys_addr_t pa)
{
	vtd_qw_update(&pe->val[2], VTD_PE2_FLPTR, pa);
}

static inline phys_addr_t vtd_pasid_flptr(const struct vtd_pasid_entry *pe)
{
	return vtd_qw_get(&pe->val[2], VTD_PE2_FLPTR);
}

/**
 * vtd_pasid_entry_init_fl() - build a present first-level PASID entry
 * @pe: the entry to fill (not yet visible to the hardware)
 * @flptr: physical address of the top-level table (4K aligned)
 * @levels: paging levels of that table, 4 or 5 (5 needs CAP.FL5LP)
 * @aw: address width; QEMU checks IOVAs against it even for first-level
 *	translation, so pass the width the table covers (VTD_AW_48 for 4
 *	levels)
 * @did: domain ID tagging the IOTLB entries
 * @pwsnp: snoop the page walks (with ECAP.SMPWC)
 * @pgsnp: snoop every access through this entry (with ECAP.SC)
 *
 * Everything else is left clear: faults are reported (FPD 0), supervisor
 * and execute requests are refused, no extended memory types.
 *
 * Return: 0, or -EINVAL if @levels, @aw or @flptr do not fit the fields.
 */
static inline int vtd_pasid_entry_init_fl(struct vtd_pasid_entry *pe,
					  phys_addr_t flptr,
					  unsigned int levels, enum vtd_aw aw,
					  u16 did, bool pwsnp, bool pgsnp)
{
	if ((levels != 4 && levels != 5) || flptr & ~VTD_PE2_FLPTR ||
	    aw < VTD_AW_39 || aw > VTD_AW_57)
		return -EINVAL;

	memset(pe, 0, sizeof(*pe));
	vtd_pasid_set_flptr(pe, flptr);
	vtd_pasid_set_flpm(pe, levels == 5 ? VTD_FLPM_5LEVEL : VTD_FLPM_4LEVEL);
	vtd_pasid_set_aw(pe, aw);
	vtd_pasid_set_did(pe, did);
	vtd_pasid_set_pwsnp(pe, pwsnp);
	vtd_pasid_set_pgsnp(pe, pgsnp);
	vtd_pasid_set_pgtt(pe, VTD_PGTT_FL);
	vtd_pasid_set_p(pe, true);
	return 0;
}

/**
 * vtd_pasid_entry_init_pt() - build a present pass-through PASID entry
 * @pe: the entry to fill (not yet visible to the hardware)
 * @aw: address width the unit supports (requests above it fault)
 * @did: domain ID
 * @pwsnp: snoop the hardware's own accesses (with ECAP.SMPWC)
 *
 * Needs ECAP.PT. Faults are reported (FPD 0).
 *
 * Return: 0, or -EINVAL if @aw is not a valid width.
 */
static inline int vtd_pasid_entry_init_pt(struct vtd_pasid_entry *pe,
					  enum vtd_aw aw, u16 did, bool pwsnp)
{
	if (aw < VTD_AW_39 || aw > VTD_AW_57)
		return -EINVAL;

	memset(pe, 0, sizeof(*pe));
	vtd_pasid_set_aw(pe, aw);
	vtd_pasid_set_did(pe, did);
	vtd_pasid_set_pwsnp(pe, pwsnp);
	vtd_pasid_set_pgtt(pe, VTD_PGTT_PT);
	vtd_pasid_set_p(pe, true);
	return 0;
}

/**
 * vtd_pasid_entry_init_sl() - build a present second-level PASID entry
 * @pe: the entry to fill (not yet visible to the hardware)
 * @slptr: physical address of the top-level second-level table
 * @aw: its address width (VTD_AW_39: 3 levels, VTD_AW_48: 4 levels, ...),
 *	one CAP.SAGAW lists
 * @did: domain ID
 * @pwsnp: snoop the page walks (with ECAP.SMPWC)
 *
 * 9.6: PGTT = 010b. Faults are reported (FPD 0), no execute (SSEE 0), no
 * A/D tracking (SSADE 0).
 *
 * Return: 0, or -EINVAL if @aw or @slptr do not fit the fields.
 */
static inline int vtd_pasid_entry_init_sl(struct vtd_pasid_entry *pe,
					  phys_addr_t slptr, enum vtd_aw aw,
					  u16 did, bool pwsnp)
{
	if (slptr & ~VTD_PE0_SLPTR || aw < VTD_AW_39 || aw > VTD_AW_57)
		return -EINVAL;

	memset(pe, 0, sizeof(*pe));
	vtd_pasid_set_slptr(pe, slptr);
	vtd_pasid_set_aw(pe, aw);
	vtd_pasid_set_did(pe, did);
	vtd_pasid_set_pwsnp(pe, pwsnp);
	vtd_pasid_set_pgtt(pe, VTD_PGTT_SL);
	vtd_pasid_set_p(pe, true);
	return 0;
}

/* What a guest's first-level table asks of a nested entry. */
#define VTD_NEST_SRE	BIT(0)	/* supervisor requests */
#define VTD_NEST_WPE	BIT(1)	/* write protect for supervisor requests */
#define VTD_NEST_EAFE	BIT(2)	/* extended accessed flag */

/**
 * vtd_pasid_entry_init_nested() - build a present nested PASID entry: a
 *				   first-level table translated through a
 *				   second-level one
 * @pe: the entry to fill (not yet visible to the hardware)
 * @flptr: the first-level table's address, an input address of the
 *	second-level table (a guest-physical address), 4K aligned
 * @fl_levels: its levels: 4, or 5 with CAP.FL5LP
 * @slptr: physical address of the top-level second-level table
 * @sl_aw: its address width
 * @did: domain ID tagging the nested translations
 * @pwsnp: snoop the page walks (with ECAP.SMPWC)
 * @flags: VTD_NEST_SRE (needs ECAP.SRS), VTD_NEST_WPE (only with SRE),
 *	VTD_NEST_EAFE (needs ECAP.EAFS)
 *
 * 9.6: PGTT = 011b; faults are reported (FPD 0).
 *
 * Return: 0, or -EINVAL if an argument does not fit its field.
 */
static inline int vtd_pasid_entry_init_nested(struct vtd_pasid_entry *pe,
					      phys_addr_t flptr,
					      unsigned int fl_levels,
					      phys_addr_t slptr,
					      enum vtd_aw sl_aw, u16 did,
					      bool pwsnp, unsigned int flags)
{
	if ((fl_levels != 4 && fl_levels != 5) || flptr & ~VTD_PE2_FLPTR ||
	    slptr & ~VTD_PE0_SLPTR || sl_aw < VTD_AW_39 || sl_aw > VTD_AW_57 ||
	    (flags & ~(VTD_NEST_SRE | VTD_NEST_WPE | VTD_NEST_EAFE)) ||
	    ((flags & VTD_NEST_WPE) && !(flags & VTD_NEST_SRE)))
		return -EINVAL;

	memset(pe, 0, sizeof(*pe));
	vtd_pasid_set_slptr(pe, slptr);
	vtd_pasid_set_aw(pe, sl_aw);
	vtd_pasid_set_did(pe, did);
	vtd_pasid_set_pwsnp(pe, pwsnp);
	vtd_pasid_set_flptr(pe, flptr);
	vtd_pasid_set_flpm(pe, fl_levels == 5 ? VTD_FLPM_5LEVEL :
						VTD_FLPM_4LEVEL);
	vtd_pasid_set_sre(pe, flags & VTD_NEST_SRE);
	vtd_pasid_set_wpe(pe, flags & VTD_NEST_WPE);
	vtd_pasid_set_eafe(pe, flags & VTD_NEST_EAFE);
	vtd_pasid_set_pgtt(pe, VTD_PGTT_NESTED);
	vtd_pasid_set_p(pe, true);
	return 0;
}

#endif /* __VTD_ENTRIES_H */
