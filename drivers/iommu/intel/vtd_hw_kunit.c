// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit checks of the VT-d hardware layouts: vtd-regs.h, vtd-entries.h,
 * vtd-qi.h, vtd-guest-qi.h and vtd-fault.h, and of the small policies
 * built on them (what hw_info reports, what an outside device gets).
 *
 * Every expected value is written out here from the bit positions in the
 * VT-d specification as literal numbers (1ULL << 62, 0x3ffULL << 24, ...),
 * never with the headers' masks, so a wrong mask or shift in a header
 * shows up as a mismatch. The CAP/ECAP values are those QEMU's intel-iommu
 * reports with x-scalable-mode=on,x-flts=on,intremap=off,aw-bits=48, as in
 * the project's test VM.
 */
#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/module.h>
#include <linux/string.h>

#include "vtd-entries.h"
#include "vtd-fault.h"
#include "vtd-guest-qi.h"
#include "vtd-qi.h"
#include "vtd-regs.h"
#include "vtd.h"

#define QEMU_CAP	0x01d2008c222f0606ULL
#define QEMU_ECAP	0x0000880000000f42ULL

struct mask_case {
	const char *name;
	u64 mask;
	u64 want;
};

struct value_case {
	const char *name;
	u64 got;
	u64 want;
};

/* Each mask equals its literal, and no two masks of one register overlap. */
static void check_masks(struct kunit *test, const struct mask_case *c,
			unsigned int n)
{
	unsigned int i, bits = 0;
	u64 all = 0;

	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, c[i].mask, c[i].want, "%s", c[i].name);
		all |= c[i].mask;
		bits += hweight64(c[i].mask);
	}
	KUNIT_EXPECT_EQ_MSG(test, hweight64(all), bits, "overlapping fields");
}

static void check_values(struct kunit *test, const struct value_case *c,
			 unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, c[i].got, c[i].want, "%s", c[i].name);
}

static void check_desc(struct kunit *test, const char *name,
		       struct vtd_qi_desc d, u64 qw0, u64 qw1)
{
	KUNIT_EXPECT_EQ_MSG(test, d.qw[0], qw0, "%s qw0", name);
	KUNIT_EXPECT_EQ_MSG(test, d.qw[1], qw1, "%s qw1", name);
	KUNIT_EXPECT_EQ_MSG(test, d.qw[2], 0ULL, "%s qw2", name);
	KUNIT_EXPECT_EQ_MSG(test, d.qw[3], 0ULL, "%s qw3", name);
}

static void check_qwords(struct kunit *test, const char *name,
			 const u64 *got, const u64 *want, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, got[i], want[i], "%s qword %u", name, i);
}

/*
 * One field of a multi-qword entry: set to @want on a zeroed entry, only
 * @bits of qword @qw may be set and the getter must give @want back; set
 * to 0 on an all-ones entry, only those bits may clear.
 */
static void check_field(struct kunit *test, const char *name,
			const u64 *set, const u64 *cleared, unsigned int n,
			unsigned int qw, u64 bits, u64 want, u64 got_set,
			u64 got_cleared)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, set[i], i == qw ? bits : 0ULL,
				    "%s set: qword %u", name, i);
		KUNIT_EXPECT_EQ_MSG(test, cleared[i], i == qw ? ~bits : ~0ULL,
				    "%s cleared: qword %u", name, i);
	}
	KUNIT_EXPECT_EQ_MSG(test, got_set, want, "%s getter", name);
	KUNIT_EXPECT_EQ_MSG(test, got_cleared, 0ULL, "%s getter", name);
}

#define CHECK_FIELD(kt, type, pfx, field, v, qword, mask)		\
	do {								\
		type a_ = {}, b_;					\
		u64 v_ = (v);						\
									\
		memset(&b_, 0xff, sizeof(b_));				\
		pfx##_set_##field(&a_, v_);				\
		pfx##_set_##field(&b_, 0);				\
		check_field(kt, #field, a_.val, b_.val, ARRAY_SIZE(a_.val), \
			    qword, mask, v_, pfx##_##field(&a_),	\
			    pfx##_##field(&b_));			\
	} while (0)

/* 11.4 register offsets. */
static void vtd_hw_reg_offsets(struct kunit *test)
{
	const struct value_case c[] = {
		{ "VER", VTD_VER_REG, 0x00 },
		{ "CAP", VTD_CAP_REG, 0x08 },
		{ "ECAP", VTD_ECAP_REG, 0x10 },
		{ "GCMD", VTD_GCMD_REG, 0x18 },
		{ "GSTS", VTD_GSTS_REG, 0x1c },
		{ "RTADDR", VTD_RTADDR_REG, 0x20 },
		{ "CCMD", VTD_CCMD_REG, 0x28 },
		{ "FSTS", VTD_FSTS_REG, 0x34 },
		{ "FECTL", VTD_FECTL_REG, 0x38 },
		{ "FEDATA", VTD_FEDATA_REG, 0x3c },
		{ "FEADDR", VTD_FEADDR_REG, 0x40 },
		{ "FEUADDR", VTD_FEUADDR_REG, 0x44 },
		{ "IQH", VTD_IQH_REG, 0x80 },
		{ "IQT", VTD_IQT_REG, 0x88 },
		{ "IQA", VTD_IQA_REG, 0x90 },
		{ "ICS", VTD_ICS_REG, 0x9c },
		{ "IECTL", VTD_IECTL_REG, 0xa0 },
		{ "IEDATA", VTD_IEDATA_REG, 0xa4 },
		{ "IEADDR", VTD_IEADDR_REG, 0xa8 },
		{ "IEUADDR", VTD_IEUADDR_REG, 0xac },
		{ "IQERCD", VTD_IQERCD_REG, 0xb0 },
		{ "IRTA", VTD_IRTA_REG, 0xb8 },
		{ "PQH", VTD_PQH_REG, 0xc0 },
		{ "PQA", VTD_PQA_REG, 0xd0 },
		{ "PECTL", VTD_PECTL_REG, 0xe0 },
		{ "IVA in IOTLB block", VTD_IVA_REG_OFF, 0x0 },
		{ "IOTLB in IOTLB block", VTD_IOTLB_REG_OFF, 0x8 },
	};

	check_values(test, c, ARRAY_SIZE(c));
}

/* 11.4.2: every CAP field at its spec position. */
static void vtd_hw_cap_fields(struct kunit *test)
{
	static const struct mask_case c[] = {
		{ "ND", VTD_CAP_ND, 0x7ULL },
		{ "AFL", VTD_CAP_AFL, 1ULL << 3 },
		{ "RWBF", VTD_CAP_RWBF, 1ULL << 4 },
		{ "PLMR", VTD_CAP_PLMR, 1ULL << 5 },
		{ "PHMR", VTD_CAP_PHMR, 1ULL << 6 },
		{ "CM", VTD_CAP_CM, 1ULL << 7 },
		{ "SAGAW", VTD_CAP_SAGAW, 0x1fULL << 8 },
		{ "MGAW", VTD_CAP_MGAW, 0x3fULL << 16 },
		{ "ZLR", VTD_CAP_ZLR, 1ULL << 22 },
		{ "FRO", VTD_CAP_FRO, 0x3ffULL << 24 },
		{ "SLLPS", VTD_CAP_SLLPS, 0xfULL << 34 },
		{ "PSI", VTD_CAP_PSI, 1ULL << 39 },
		{ "NFR", VTD_CAP_NFR, 0xffULL << 40 },
		{ "MAMV", VTD_CAP_MAMV, 0x3fULL << 48 },
		{ "DWD", VTD_CAP_DWD, 1ULL << 54 },
		{ "DRD", VTD_CAP_DRD, 1ULL << 55 },
		{ "FL1GP", VTD_CAP_FL1GP, 1ULL << 56 },
		{ "PI", VTD_CAP_PI, 1ULL << 59 },
		{ "FL5LP", VTD_CAP_FL5LP, 1ULL << 60 },
		{ "ESIRTPS", VTD_CAP_ESIRTPS, 1ULL << 62 },
		{ "ESRTPS", VTD_CAP_ESRTPS, 1ULL << 63 },
	};

	check_masks(test, c, ARRAY_SIZE(c));
}

/* 11.4.3: every ECAP field at its spec position. */
static void vtd_hw_ecap_fields(struct kunit *test)
{
	static const struct mask_case c[] = {
		{ "C", VTD_ECAP_C, 1ULL << 0 },
		{ "QI", VTD_ECAP_QI, 1ULL << 1 },
		{ "DT", VTD_ECAP_DT, 1ULL << 2 },
		{ "IR", VTD_ECAP_IR, 1ULL << 3 },
		{ "EIM", VTD_ECAP_EIM, 1ULL << 4 },
		{ "PT", VTD_ECAP_PT, 1ULL << 6 },
		{ "SC", VTD_ECAP_SC, 1ULL << 7 },
		{ "IRO", VTD_ECAP_IRO, 0x3ffULL << 8 },
		{ "MHMV", VTD_ECAP_MHMV, 0xfULL << 20 },
		{ "MTS", VTD_ECAP_MTS, 1ULL << 25 },
		{ "NEST", VTD_ECAP_NEST, 1ULL << 26 },
		{ "PRS", VTD_ECAP_PRS, 1ULL << 29 },
		{ "ERS", VTD_ECAP_ERS, 1ULL << 30 },
		{ "SRS", VTD_ECAP_SRS, 1ULL << 31 },
		{ "NWFS", VTD_ECAP_NWFS, 1ULL << 33 },
		{ "EAFS", VTD_ECAP_EAFS, 1ULL << 34 },
		{ "PSS", VTD_ECAP_PSS, 0x1fULL << 35 },
		{ "PASID", VTD_ECAP_PASID, 1ULL << 40 },
		{ "DIT", VTD_ECAP_DIT, 1ULL << 41 },
		{ "PDS", VTD_ECAP_PDS, 1ULL << 42 },
		{ "SMTS", VTD_ECAP_SMTS, 1ULL << 43 },
		{ "VCS", VTD_ECAP_VCS, 1ULL << 44 },
		{ "SLADS", VTD_ECAP_SLADS, 1ULL << 45 },
		{ "SLTS", VTD_ECAP_SLTS, 1ULL << 46 },
		{ "FLTS", VTD_ECAP_FLTS, 1ULL << 47 },
		{ "SMPWC", VTD_ECAP_SMPWC, 1ULL << 48 },
		{ "RPS", VTD_ECAP_RPS, 1ULL << 49 },
	};

	check_masks(test, c, ARRAY_SIZE(c));
}

/* The CAP of QEMU's scalable-mode, first-stage intel-iommu. */
static void vtd_hw_qemu_cap(struct kunit *test)
{
	const u64 cap = QEMU_CAP;
	const struct value_case c[] = {
		{ "ND", FIELD_GET(VTD_CAP_ND, cap), 6 },
		{ "domains", vtd_cap_ndoms(cap), 65536 },
		{ "MGAW", vtd_cap_mgaw(cap), 48 },
		{ "SAGAW", FIELD_GET(VTD_CAP_SAGAW, cap), 0x6 },
		{ "SAGAW 39", vtd_cap_sagaw_has(cap, VTD_AW_39), 1 },
		{ "SAGAW 48", vtd_cap_sagaw_has(cap, VTD_AW_48), 1 },
		{ "SAGAW 57", vtd_cap_sagaw_has(cap, VTD_AW_57), 0 },
		{ "FRO", FIELD_GET(VTD_CAP_FRO, cap), 0x22 },
		{ "FRO offset", vtd_cap_fro_offset(cap), 0x220 },
		{ "FRCD 0 offset", vtd_cap_frcd_offset(cap, 0), 0x220 },
		{ "FRCD 1 offset", vtd_cap_frcd_offset(cap, 1), 0x230 },
		{ "NFR + 1", vtd_cap_nfr(cap), 1 },
		{ "MAMV", vtd_cap_mamv(cap), 18 },
		{ "PSI", !!(cap & VTD_CAP_PSI), 1 },
		{ "SLLPS", FIELD_GET(VTD_CAP_SLLPS, cap),
		  VTD_SLLPS_2M | VTD_SLLPS_1G },
		{ "FL1GP", !!(cap & VTD_CAP_FL1GP), 1 },
		{ "FL5LP", !!(cap & VTD_CAP_FL5LP), 0 },
		{ "DWD", !!(cap & VTD_CAP_DWD), 1 },
		{ "DRD", !!(cap & VTD_CAP_DRD), 1 },
		{ "CM", !!(cap & VTD_CAP_CM), 0 },
		{ "RWBF", !!(cap & VTD_CAP_RWBF), 0 },
		{ "ZLR", !!(cap & VTD_CAP_ZLR), 0 },
		{ "PI", !!(cap & VTD_CAP_PI), 0 },
		{ "ESRTPS", !!(cap & VTD_CAP_ESRTPS), 0 },
	};

	check_values(test, c, ARRAY_SIZE(c));
}

/* The ECAP of QEMU's scalable-mode, first-stage intel-iommu. */
static void vtd_hw_qemu_ecap(struct kunit *test)
{
	const u64 ecap = QEMU_ECAP;
	const struct value_case c[] = {
		{ "SMTS", !!(ecap & VTD_ECAP_SMTS), 1 },
		{ "FLTS", !!(ecap & VTD_ECAP_FLTS), 1 },
		{ "SLTS", !!(ecap & VTD_ECAP_SLTS), 0 },
		{ "NEST", !!(ecap & VTD_ECAP_NEST), 0 },
		{ "QI", !!(ecap & VTD_ECAP_QI), 1 },
		{ "PT", !!(ecap & VTD_ECAP_PT), 1 },
		{ "IR", !!(ecap & VTD_ECAP_IR), 0 },
		{ "DT", !!(ecap & VTD_ECAP_DT), 0 },
		{ "C", !!(ecap & VTD_ECAP_C), 0 },
		{ "SC", !!(ecap & VTD_ECAP_SC), 0 },
		{ "PASID", !!(ecap & VTD_ECAP_PASID), 0 },
		{ "SMPWC", !!(ecap & VTD_ECAP_SMPWC), 0 },
		{ "SLADS", !!(ecap & VTD_ECAP_SLADS), 0 },
		{ "PRS", !!(ecap & VTD_ECAP_PRS), 0 },
		{ "SRS", !!(ecap & VTD_ECAP_SRS), 0 },
		{ "IRO", FIELD_GET(VTD_ECAP_IRO, ecap), 0xf },
		{ "IRO offset", vtd_ecap_iro_offset(ecap), 0xf0 },
		{ "MHMV", FIELD_GET(VTD_ECAP_MHMV, ecap), 0 },
		{ "PSS", FIELD_GET(VTD_ECAP_PSS, ecap), 0 },
	};

	check_values(test, c, ARRAY_SIZE(c));
}

/* Address-width encodings shared by SAGAW and the PASID entry's AW. */
static void vtd_hw_aw_helpers(struct kunit *test)
{
	const struct value_case c[] = {
		{ "AW 39 value", VTD_AW_39, 1 },
		{ "AW 48 value", VTD_AW_48, 2 },
		{ "AW 57 value", VTD_AW_57, 3 },
		{ "AW 39 width", vtd_aw_width(VTD_AW_39), 39 },
		{ "AW 48 width", vtd_aw_width(VTD_AW_48), 48 },
		{ "AW 57 width", vtd_aw_width(VTD_AW_57), 57 },
		{ "AW 39 levels", vtd_aw_levels(VTD_AW_39), 3 },
		{ "AW 48 levels", vtd_aw_levels(VTD_AW_48), 4 },
		{ "AW 57 levels", vtd_aw_levels(VTD_AW_57), 5 },
		{ "SAGAW 57", vtd_cap_sagaw_has(1ULL << 11, VTD_AW_57), 1 },
		{ "SAGAW 48", vtd_cap_sagaw_has(1ULL << 11, VTD_AW_48), 0 },
		{ "ND 0 domains", vtd_cap_ndoms(0), 16 },
		{ "ND 2 domains", vtd_cap_ndoms(2), 256 },
		{ "PSS 19 bits", vtd_ecap_pasid_bits(19ULL << 35), 20 },
		{ "NFR 7", vtd_cap_nfr(7ULL << 40), 8 },
	};

	check_values(test, c, ARRAY_SIZE(c));
}

/* GCMD and GSTS bits, and the GCMD value that keeps the current state. */
static void vtd_hw_gcmd_gsts(struct kunit *test)
{
	static const struct mask_case gcmd[] = {
		{ "CFI", VTD_GCMD_CFI, 1ULL << 23 },
		{ "SIRTP", VTD_GCMD_SIRTP, 1ULL << 24 },
		{ "IRE", VTD_GCMD_IRE, 1ULL << 25 },
		{ "QIE", VTD_GCMD_QIE, 1ULL << 26 },
		{ "WBF", VTD_GCMD_WBF, 1ULL << 27 },
		{ "EAFL", VTD_GCMD_EAFL, 1ULL << 28 },
		{ "SFL", VTD_GCMD_SFL, 1ULL << 29 },
		{ "SRTP", VTD_GCMD_SRTP, 1ULL << 30 },
		{ "TE", VTD_GCMD_TE, 1ULL << 31 },
	};
	static const struct mask_case gsts[] = {
		{ "CFIS", VTD_GSTS_CFIS, 1ULL << 23 },
		{ "IRTPS", VTD_GSTS_IRTPS, 1ULL << 24 },
		{ "IRES", VTD_GSTS_IRES, 1ULL << 25 },
		{ "QIES", VTD_GSTS_QIES, 1ULL << 26 },
		{ "WBFS", VTD_GSTS_WBFS, 1ULL << 27 },
		{ "AFLS", VTD_GSTS_AFLS, 1ULL << 28 },
		{ "FLS", VTD_GSTS_FLS, 1ULL << 29 },
		{ "RTPS", VTD_GSTS_RTPS, 1ULL << 30 },
		{ "TES", VTD_GSTS_TES, 1ULL << 31 },
	};

	check_masks(test, gcmd, ARRAY_SIZE(gcmd));
	check_masks(test, gsts, ARRAY_SIZE(gsts));
	/* TE 31, EAFL 28, QIE 26, IRE 25, CFI 23 persist; the rest are one-shot */
	KUNIT_EXPECT_EQ(test, vtd_gcmd_from_gsts(0xffffffff), 0x96800000U);
	/* TES | RTPS | QIES */
	KUNIT_EXPECT_EQ(test, vtd_gcmd_from_gsts(0xc4000000), 0x84000000U);
}

/* RTADDR, CCMD and the register-based IOTLB invalidation registers. */
static void vtd_hw_rtaddr_ccmd_iotlb(struct kunit *test)
{
	static const struct mask_case rtaddr[] = {
		{ "RTADDR.TTM", VTD_RTADDR_TTM, 0x3ULL << 10 },
		{ "RTADDR.RTA", VTD_RTADDR_RTA, 0xfffffffffffff000ULL },
	};
	static const struct mask_case ccmd[] = {
		{ "CCMD.DID", VTD_CCMD_DID, 0xffffULL },
		{ "CCMD.SID", VTD_CCMD_SID, 0xffffULL << 16 },
		{ "CCMD.FM", VTD_CCMD_FM, 0x3ULL << 32 },
		{ "CCMD.CAIG", VTD_CCMD_CAIG, 0x3ULL << 59 },
		{ "CCMD.CIRG", VTD_CCMD_CIRG, 0x3ULL << 61 },
		{ "CCMD.ICC", VTD_CCMD_ICC, 1ULL << 63 },
	};
	static const struct mask_case iotlb[] = {
		{ "IOTLB.DID", VTD_IOTLB_DID, 0xffffULL << 32 },
		{ "IOTLB.DW", VTD_IOTLB_DW, 1ULL << 48 },
		{ "IOTLB.DR", VTD_IOTLB_DR, 1ULL << 49 },
		{ "IOTLB.IAIG", VTD_IOTLB_IAIG, 0x3ULL << 57 },
		{ "IOTLB.IIRG", VTD_IOTLB_IIRG, 0x3ULL << 60 },
		{ "IOTLB.IVT", VTD_IOTLB_IVT, 1ULL << 63 },
	};
	static const struct mask_case iva[] = {
		{ "IVA.AM", VTD_IVA_AM, 0x3fULL },
		{ "IVA.IH", VTD_IVA_IH, 1ULL << 6 },
		{ "IVA.ADDR", VTD_IVA_ADDR, 0xfffffffffffff000ULL },
	};

	check_masks(test, rtaddr, ARRAY_SIZE(rtaddr));
	check_masks(test, ccmd, ARRAY_SIZE(ccmd));
	check_masks(test, iotlb, ARRAY_SIZE(iotlb));
	check_masks(test, iva, ARRAY_SIZE(iva));

	/* scalable mode is TTM 01b */
	KUNIT_EXPECT_EQ(test, vtd_rtaddr(0x12345000, VTD_TTM_SCALABLE),
			0x12345000ULL | (1ULL << 10));
	KUNIT_EXPECT_EQ(test, vtd_rtaddr(0x12345fff, VTD_TTM_LEGACY),
			0x12345000ULL);
	KUNIT_EXPECT_EQ(test, vtd_ccmd(VTD_CC_DEVICE, 0x1234, 0x00f8, 2),
			(1ULL << 63) | (3ULL << 61) | (2ULL << 32) |
			(0xf8ULL << 16) | 0x1234);
	KUNIT_EXPECT_EQ(test, vtd_ccmd(VTD_CC_GLOBAL, 0, 0, 0),
			(1ULL << 63) | (1ULL << 61));
}

/* Fault status, the event control/data/address registers. */
static void vtd_hw_fault_event_regs(struct kunit *test)
{
	static const struct mask_case c[] = {
		{ "PFO", VTD_FSTS_PFO, 1ULL << 0 },
		{ "PPF", VTD_FSTS_PPF, 1ULL << 1 },
		{ "AFO", VTD_FSTS_AFO, 1ULL << 2 },
		{ "APF", VTD_FSTS_APF, 1ULL << 3 },
		{ "IQE", VTD_FSTS_IQE, 1ULL << 4 },
		{ "ICE", VTD_FSTS_ICE, 1ULL << 5 },
		{ "ITE", VTD_FSTS_ITE, 1ULL << 6 },
		{ "FRI", VTD_FSTS_FRI, 0xffULL << 8 },
		{ "IP", VTD_EVCTL_IP, 1ULL << 30 },
		{ "IM", VTD_EVCTL_IM, 1ULL << 31 },
	};

	check_masks(test, c, ARRAY_SIZE(c));
	KUNIT_EXPECT_EQ(test, VTD_EVDATA_IMD, 0xffffU);
	KUNIT_EXPECT_EQ(test, VTD_EVADDR_MA, 0xfffffffcU);
	KUNIT_EXPECT_EQ(test, VTD_VER_MIN, 0xfU);
	KUNIT_EXPECT_EQ(test, VTD_VER_MAX, 0xf0U);
	/* FRI 3 with PPF */
	KUNIT_EXPECT_EQ(test, FIELD_GET(VTD_FSTS_FRI, 0x00000302U), 3U);
	KUNIT_EXPECT_TRUE(test, 0x00000302U & VTD_FSTS_PPF);
	/* QEMU's version register reads 1.0 */
	KUNIT_EXPECT_EQ(test, FIELD_GET(VTD_VER_MAX, 0x10U), 1U);
}

/* Invalidation queue registers. */
static void vtd_hw_inv_queue_regs(struct kunit *test)
{
	const u64 iqercd = (0x1234ULL << 48) | (0x5678ULL << 32) | 0x6;
	const struct value_case c[] = {
		{ "IQH.QH", VTD_IQH_QH, 0x7fffULL << 4 },
		{ "IQT.QT", VTD_IQT_QT, 0x7fffULL << 4 },
		{ "IQA.QS", VTD_IQA_QS, 0x7 },
		{ "IQA.DW", VTD_IQA_DW, 1ULL << 11 },
		{ "IQA.IQA", VTD_IQA_IQA, 0xfffffffffffff000ULL },
		{ "ICS.IWC", VTD_ICS_IWC, 1 },
		{ "IQERCD.IQEI", VTD_IQERCD_IQEI, 0xf },
		{ "IQERCD.ITESID", VTD_IQERCD_ITESID, 0xffffULL << 32 },
		{ "IQERCD.ICESID", VTD_IQERCD_ICESID, 0xffffULL << 48 },
		{ "IQA 256-bit", vtd_iqa(0x123456000ULL, true, 0),
		  0x123456000ULL | (1ULL << 11) },
		{ "IQA 128-bit QS 3", vtd_iqa(0x123456000ULL, false, 3),
		  0x123456000ULL | 3 },
		{ "entries QS 0 256", vtd_iq_entries(0, true), 128 },
		{ "entries QS 0 128", vtd_iq_entries(0, false), 256 },
		{ "entries QS 7 256", vtd_iq_entries(7, true), 16384 },
		{ "IQT 5 256", vtd_iqt(5, true), 5 << 5 },
		{ "IQT 5 128", vtd_iqt(5, false), 5 << 4 },
		{ "IQH 256", vtd_iqh_index(0xa0, true), 5 },
		{ "IQH 128", vtd_iqh_index(0xa0, false), 10 },
		{ "IQEI", FIELD_GET(VTD_IQERCD_IQEI, iqercd), VTD_IQEI_TAIL_ALIGN },
		{ "ITESID", FIELD_GET(VTD_IQERCD_ITESID, iqercd), 0x5678 },
		{ "ICESID", FIELD_GET(VTD_IQERCD_ICESID, iqercd), 0x1234 },
	};

	check_values(test, c, ARRAY_SIZE(c));
}

/* 11.4.14 fault recording register layout. */
static void vtd_hw_frcd_layout(struct kunit *test)
{
	static const struct mask_case hi[] = {
		{ "SID", VTD_FRCD_HI_SID, 0xffffULL },
		{ "T2", VTD_FRCD_HI_T2, 1ULL << 28 },
		{ "PRIV", VTD_FRCD_HI_PRIV, 1ULL << 29 },
		{ "EXE", VTD_FRCD_HI_EXE, 1ULL << 30 },
		{ "PP", VTD_FRCD_HI_PP, 1ULL << 31 },
		{ "FR", VTD_FRCD_HI_FR, 0xffULL << 32 },
		{ "PV", VTD_FRCD_HI_PV, 0xfffffULL << 40 },
		{ "AT", VTD_FRCD_HI_AT, 0x3ULL << 60 },
		{ "T1", VTD_FRCD_HI_T1, 1ULL << 62 },
		{ "F", VTD_FRCD_HI_F, 1ULL << 63 },
	};

	check_masks(test, hi, ARRAY_SIZE(hi));
	KUNIT_EXPECT_EQ(test, VTD_FRCD_LO_FI, 0xfffffffffffff000ULL);
	KUNIT_EXPECT_EQ(test, VTD_FRCD_LO_IRQ_INDEX, 0xffffULL << 48);
	KUNIT_EXPECT_EQ(test, VTD_FRCD_REG_SIZE, 16);
	/* F is bit 127: bit 31 of the dword at byte 12 */
	KUNIT_EXPECT_EQ(test, VTD_FRCD_F_DWORD_OFF, 12);
	KUNIT_EXPECT_EQ(test, VTD_FRCD_F_DWORD_F, 1U << 31);
}

/* 9.2 scalable-mode root entry and the devfn split. */
static void vtd_hw_sm_root_entry(struct kunit *test)
{
	struct vtd_sm_root_entry re = {};

	CHECK_FIELD(test, struct vtd_sm_root_entry, vtd_sm_root, lp, 1, 0,
		    1ULL << 0);
	CHECK_FIELD(test, struct vtd_sm_root_entry, vtd_sm_root, lctp,
		    0xfffffffffffff000ULL, 0, 0xfffffffffffff000ULL);
	CHECK_FIELD(test, struct vtd_sm_root_entry, vtd_sm_root, up, 1, 1,
		    1ULL << 0);
	CHECK_FIELD(test, struct vtd_sm_root_entry, vtd_sm_root, uctp,
		    0xfffffffffffff000ULL, 1, 0xfffffffffffff000ULL);

	vtd_sm_root_set_lctp(&re, 0x10002000);
	vtd_sm_root_set_lp(&re, true);
	vtd_sm_root_set_uctp(&re, 0xabc000);
	vtd_sm_root_set_up(&re, true);
	KUNIT_EXPECT_EQ(test, re.val[0], 0x10002000ULL | 1);
	KUNIT_EXPECT_EQ(test, re.val[1], 0xabc000ULL | 1);

	KUNIT_EXPECT_FALSE(test, vtd_sm_ctx_is_upper(0x7f));
	KUNIT_EXPECT_EQ(test, vtd_sm_ctx_index(0x7f), 127U);
	KUNIT_EXPECT_TRUE(test, vtd_sm_ctx_is_upper(0x85));
	KUNIT_EXPECT_EQ(test, vtd_sm_ctx_index(0x85), 5U);
}

/* 9.4 scalable-mode context entry. */
static void vtd_hw_sm_context_entry(struct kunit *test)
{
	struct vtd_sm_context_entry ce;
	u64 want[4];

	CHECK_FIELD(test, struct vtd_sm_context_entry, vtd_sm_ctx, p, 1, 0,
		    1ULL << 0);
	CHECK_FIELD(test, struct vtd_sm_context_entry, vtd_sm_ctx, fpd, 1, 0,
		    1ULL << 1);
	CHECK_FIELD(test, struct vtd_sm_context_entry, vtd_sm_ctx, dte, 1, 0,
		    1ULL << 2);
	CHECK_FIELD(test, struct vtd_sm_context_entry, vtd_sm_ctx, paside, 1, 0,
		    1ULL << 3);
	CHECK_FIELD(test, struct vtd_sm_context_entry, vtd_sm_ctx, pre, 1, 0,
		    1ULL << 4);
	CHECK_FIELD(test, struct vtd_sm_context_entry, vtd_sm_ctx, pdts, 7, 0,
		    0x7ULL << 9);
	CHECK_FIELD(test, struct vtd_sm_context_entry, vtd_sm_ctx, pasiddirptr,
		    0xfffffffffffff000ULL, 0, 0xfffffffffffff000ULL);
	/* bits 83:64 and 84 */
	CHECK_FIELD(test, struct vtd_sm_context_entry, vtd_sm_ctx, rid_pasid,
		    0xfffff, 1, 0xfffffULL);
	CHECK_FIELD(test, struct vtd_sm_context_entry, vtd_sm_ctx, rid_priv, 1,
		    1, 1ULL << 20);

	memset(&ce, 0xff, sizeof(ce));
	KUNIT_ASSERT_EQ(test, vtd_sm_context_entry_init(&ce, 0x87654000, 7, 0),
			0);
	want[0] = 0x87654000ULL | (7ULL << 9) | 1;
	want[1] = 0;
	want[2] = 0;
	want[3] = 0;
	check_qwords(test, "init", ce.val, want, 4);

	KUNIT_ASSERT_EQ(test, vtd_sm_context_entry_init(&ce, 0x1000, 2, 0x42),
			0);
	vtd_sm_ctx_set_paside(&ce, true);
	want[0] = 0x1000ULL | (2ULL << 9) | (1ULL << 3) | 1;
	want[1] = 0x42;
	check_qwords(test, "init + PASIDE", ce.val, want, 4);

	KUNIT_EXPECT_EQ(test, vtd_sm_context_entry_init(&ce, 0x1800, 0, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vtd_sm_context_entry_init(&ce, 0x1000, 8, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vtd_sm_context_entry_init(&ce, 0x1000, 0,
							0x100000),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vtd_pdts_entries(0), 128U);
	KUNIT_EXPECT_EQ(test, vtd_pdts_entries(7), 16384U);
}

/* 9.5 PASID directory entry and the PASID split. */
static void vtd_hw_pasid_dir_entry(struct kunit *test)
{
	struct vtd_pasid_dir_entry de = { .val = 0 };

	vtd_pde_set_smptblptr(&de, 0xfffffffffffff000ULL);
	KUNIT_EXPECT_EQ(test, de.val, 0xfffffffffffff000ULL);
	vtd_pde_set_p(&de, true);
	vtd_pde_set_fpd(&de, true);
	KUNIT_EXPECT_EQ(test, de.val, 0xfffffffffffff003ULL);
	KUNIT_EXPECT_TRUE(test, vtd_pde_p(&de));
	KUNIT_EXPECT_TRUE(test, vtd_pde_fpd(&de));
	vtd_pde_set_p(&de, false);
	KUNIT_EXPECT_EQ(test, de.val, 0xfffffffffffff002ULL);
	vtd_pde_set_fpd(&de, false);
	vtd_pde_set_smptblptr(&de, 0x5000);
	KUNIT_EXPECT_EQ(test, de.val, 0x5000ULL);
	KUNIT_EXPECT_EQ(test, vtd_pde_smptblptr(&de), 0x5000ULL);
	KUNIT_EXPECT_FALSE(test, vtd_pde_p(&de));

	KUNIT_EXPECT_EQ(test, vtd_pde_mk(0x5000), 0x5001ULL);
	/* PASID bits 19:6 index the directory, bits 5:0 the table */
	KUNIT_EXPECT_EQ(test, vtd_pasid_dir_index(0x12345), 0x48dU);
	KUNIT_EXPECT_EQ(test, vtd_pasid_table_index(0x12345), 0x05U);
	KUNIT_EXPECT_EQ(test, vtd_pasid_dir_index(0xfffff), 0x3fffU);
	KUNIT_EXPECT_EQ(test, vtd_pasid_table_index(0xfffff), 0x3fU);
}

/* 9.6 PASID entry, qword 0 (bits 63:0). */
static void vtd_hw_pasid_fields_qw0(struct kunit *test)
{
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, p, 1, 0, 1ULL << 0);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, fpd, 1, 0,
		    1ULL << 1);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, aw, 7, 0,
		    0x7ULL << 2);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, ssee, 1, 0,
		    1ULL << 5);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, pgtt, 7, 0,
		    0x7ULL << 6);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, ssade, 1, 0,
		    1ULL << 9);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, slptr,
		    0xfffffffffffff000ULL, 0, 0xfffffffffffff000ULL);

	KUNIT_EXPECT_EQ(test, VTD_PGTT_FL, 1);
	KUNIT_EXPECT_EQ(test, VTD_PGTT_SL, 2);
	KUNIT_EXPECT_EQ(test, VTD_PGTT_NESTED, 3);
	KUNIT_EXPECT_EQ(test, VTD_PGTT_PT, 4);
}

/* 9.6 PASID entry, qword 1 (bits 127:64). */
static void vtd_hw_pasid_fields_qw1(struct kunit *test)
{
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, did, 0xffff, 1,
		    0xffffULL);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, pwsnp, 1, 1,
		    1ULL << 23);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, pgsnp, 1, 1,
		    1ULL << 24);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, cd, 1, 1,
		    1ULL << 25);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, emte, 1, 1,
		    1ULL << 26);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, emt, 7, 1,
		    0x7ULL << 27);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, pwt, 1, 1,
		    1ULL << 30);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, pcd, 1, 1,
		    1ULL << 31);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, pat, 0xffffffff,
		    1, 0xffffffffULL << 32);
}

/* 9.6 PASID entry, qword 2 (bits 191:128). */
static void vtd_hw_pasid_fields_qw2(struct kunit *test)
{
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, sre, 1, 2,
		    1ULL << 0);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, ere, 1, 2,
		    1ULL << 1);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, flpm, 3, 2,
		    0x3ULL << 2);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, wpe, 1, 2,
		    1ULL << 4);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, nxe, 1, 2,
		    1ULL << 5);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, smep, 1, 2,
		    1ULL << 6);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, eafe, 1, 2,
		    1ULL << 7);
	CHECK_FIELD(test, struct vtd_pasid_entry, vtd_pasid, flptr,
		    0xfffffffffffff000ULL, 2, 0xfffffffffffff000ULL);
}

/* The first-level PASID entry encoder, bit for bit. */
static void vtd_hw_pasid_entry_fl(struct kunit *test)
{
	struct vtd_pasid_entry pe;
	u64 want[8] = {};

	/* 4-level, AW 48, DID 0x42, PWSNP */
	memset(&pe, 0xff, sizeof(pe));
	KUNIT_ASSERT_EQ(test, vtd_pasid_entry_init_fl(&pe, 0x1234567000ULL, 4,
						      VTD_AW_48, 0x42, true,
						      false), 0);
	want[0] = 1 | (2ULL << 2) | (1ULL << 6);
	want[1] = 0x42 | (1ULL << 23);
	want[2] = 0x1234567000ULL | (0ULL << 2);
	check_qwords(test, "FL 4-level", pe.val, want, 8);

	/* 5-level, AW 57, DID 0xffff, PGSNP */
	KUNIT_ASSERT_EQ(test, vtd_pasid_entry_init_fl(&pe, 0xfedcba000ULL, 5,
						      VTD_AW_57, 0xffff, false,
						      true), 0);
	want[0] = 1 | (3ULL << 2) | (1ULL << 6);
	want[1] = 0xffff | (1ULL << 24);
	want[2] = 0xfedcba000ULL | (1ULL << 2);
	check_qwords(test, "FL 5-level", pe.val, want, 8);

	KUNIT_EXPECT_EQ(test, vtd_pasid_entry_init_fl(&pe, 0x1000, 3, VTD_AW_39,
						      1, false, false),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vtd_pasid_entry_init_fl(&pe, 0x1234, 4, VTD_AW_48,
						      1, false, false),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vtd_pasid_entry_init_fl(&pe, 0x1000, 4, 0, 1,
						      false, false),
			-EINVAL);
}

/* The pass-through PASID entry encoder, bit for bit. */
static void vtd_hw_pasid_entry_pt(struct kunit *test)
{
	struct vtd_pasid_entry pe;
	u64 want[8] = {};

	memset(&pe, 0xff, sizeof(pe));
	KUNIT_ASSERT_EQ(test, vtd_pasid_entry_init_pt(&pe, VTD_AW_48, 7, true),
			0);
	want[0] = 1 | (2ULL << 2) | (4ULL << 6);
	want[1] = 7 | (1ULL << 23);
	check_qwords(test, "PT", pe.val, want, 8);
	KUNIT_EXPECT_EQ(test, vtd_pasid_entry_init_pt(&pe, 4, 7, true),
			-EINVAL);
}

/* 9.6 second-level PASID entry (PGTT 010b), bit for bit. */
static void vtd_hw_pasid_entry_sl(struct kunit *test)
{
	struct vtd_pasid_entry pe;
	u64 want[8] = {};

	memset(&pe, 0xff, sizeof(pe));
	KUNIT_ASSERT_EQ(test, vtd_pasid_entry_init_sl(&pe, 0xabcdef000ULL,
						      VTD_AW_48, 0x1234, true),
			0);
	/* P 0, AW 4:2 = 2, PGTT 8:6 = 2, SLPTR 63:12; DID 79:64, PWSNP 87 */
	want[0] = 1 | (2ULL << 2) | (2ULL << 6) | 0xabcdef000ULL;
	want[1] = 0x1234 | (1ULL << 23);
	check_qwords(test, "SL 4-level", pe.val, want, 8);

	KUNIT_ASSERT_EQ(test, vtd_pasid_entry_init_sl(&pe, 0x5000, VTD_AW_39, 9,
						      false), 0);
	want[0] = 1 | (1ULL << 2) | (2ULL << 6) | 0x5000;
	want[1] = 9;
	check_qwords(test, "SL 3-level", pe.val, want, 8);

	KUNIT_EXPECT_EQ(test, vtd_pasid_entry_init_sl(&pe, 0x5001, VTD_AW_48, 1,
						      false), -EINVAL);
	KUNIT_EXPECT_EQ(test, vtd_pasid_entry_init_sl(&pe, 0x5000, 4, 1, false),
			-EINVAL);
}

/* 9.6 nested PASID entry (PGTT 011b), bit for bit: untestable on QEMU. */
static void vtd_hw_pasid_entry_nested(struct kunit *test)
{
	struct vtd_pasid_entry pe;
	u64 want[8] = {};

	memset(&pe, 0xff, sizeof(pe));
	KUNIT_ASSERT_EQ(test, vtd_pasid_entry_init_nested(&pe, 0x7654321000ULL,
							  4, 0x1000000ULL,
							  VTD_AW_48, 0x77, true,
							  0), 0);
	/* SLPTR, AW 2, PGTT 3; DID, PWSNP; FLPTR 191:140, FLPM 131:130 = 0 */
	want[0] = 1 | (2ULL << 2) | (3ULL << 6) | 0x1000000ULL;
	want[1] = 0x77 | (1ULL << 23);
	want[2] = 0x7654321000ULL;
	check_qwords(test, "nested 4-level", pe.val, want, 8);

	/* 5-level guest table, SRE (128), WPE (132), EAFE (135) */
	KUNIT_ASSERT_EQ(test, vtd_pasid_entry_init_nested(&pe, 0x2000, 5, 0x3000,
							  VTD_AW_39, 0xffff,
							  false,
							  VTD_NEST_SRE |
							  VTD_NEST_WPE |
							  VTD_NEST_EAFE), 0);
	want[0] = 1 | (1ULL << 2) | (3ULL << 6) | 0x3000;
	want[1] = 0xffff;
	want[2] = 0x2000 | (1ULL << 2) | 1 | (1ULL << 4) | (1ULL << 7);
	check_qwords(test, "nested 5-level SRE WPE EAFE", pe.val, want, 8);

	/* WPE needs SRE; FLPTR and SLPTR 4K aligned; 4 or 5 levels. */
	KUNIT_EXPECT_EQ(test, vtd_pasid_entry_init_nested(&pe, 0x2000, 4, 0x3000,
							  VTD_AW_48, 1, false,
							  VTD_NEST_WPE),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vtd_pasid_entry_init_nested(&pe, 0x2800, 4, 0x3000,
							  VTD_AW_48, 1, false,
							  0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vtd_pasid_entry_init_nested(&pe, 0x2000, 4, 0x3010,
							  VTD_AW_48, 1, false,
							  0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vtd_pasid_entry_init_nested(&pe, 0x2000, 3, 0x3000,
							  VTD_AW_48, 1, false,
							  0), -EINVAL);
}

/*
 * What IOMMU_GET_HW_INFO reports of QEMU's unit: CAP without SAGAW
 * (12:8), SLLPS (37:34), DWD (54) and DRD (55); ECAP whole (QI, PT, IRO,
 * SMTS, FLTS). A unit with everything set keeps only the listed fields.
 */
static void vtd_hw_reported_caps(struct kunit *test)
{
	/* ND 2:0 RWBF 4 CM 7 MGAW 21:16 ZLR 22 FRO 33:24 PSI 39 NFR 47:40
	 * MAMV 53:48 FL1GP 56 FL5LP 60
	 */
	const u64 cap_kept = 0x7ULL | (1ULL << 4) | (1ULL << 7) |
			     (0x3fULL << 16) | (1ULL << 22) | (0x3ffULL << 24) |
			     (1ULL << 39) | (0xffULL << 40) | (0x3fULL << 48) |
			     (1ULL << 56) | (1ULL << 60);
	/* C 0 QI 1 PT 6 IRO 17:8 SMTS 43 FLTS 47 SMPWC 48 */
	const u64 ecap_kept = 1 | (1ULL << 1) | (1ULL << 6) | (0x3ffULL << 8) |
			      (1ULL << 43) | (1ULL << 47) | (1ULL << 48);
	const u64 nest = (1ULL << 26) | (1ULL << 46);	/* NEST, SLTS */
	const u64 sl_cap = (0x1fULL << 8) | (0xfULL << 34);	/* SAGAW SLLPS */

	KUNIT_EXPECT_EQ(test, vtd_cap_reported(QEMU_CAP, QEMU_ECAP),
			0x01120080222f0006ULL);
	KUNIT_EXPECT_EQ(test, vtd_ecap_reported(QEMU_ECAP), QEMU_ECAP);
	KUNIT_EXPECT_EQ(test, vtd_cap_reported(~0ULL, 0), cap_kept);
	KUNIT_EXPECT_EQ(test, vtd_ecap_reported(~0ULL & ~nest), ecap_kept);
	/* Nesting in hardware: second-level and nesting fields too. */
	KUNIT_EXPECT_EQ(test, vtd_cap_reported(~0ULL, nest), cap_kept | sl_cap);
	KUNIT_EXPECT_EQ(test, vtd_ecap_reported(~0ULL), ecap_kept | nest);
	/* NEST without SLTS is no nesting. */
	KUNIT_EXPECT_EQ(test, vtd_ecap_reported(~0ULL & ~(1ULL << 46)),
			ecap_kept);
}

/* A device kept out of the core: pass-through only when it is safe. */
static void vtd_hw_outside_kind(struct kunit *test)
{
	struct pci_dev *pdev = kunit_kzalloc(test, sizeof(*pdev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pdev);
	KUNIT_EXPECT_EQ(test, vtd_outside_kind(pdev, true, false),
			VTD_DEV_PASSTHROUGH);
	KUNIT_EXPECT_EQ(test, vtd_outside_kind(pdev, false, false),
			VTD_DEV_BLOCKED);
	KUNIT_EXPECT_EQ(test, vtd_outside_kind(pdev, true, true),
			VTD_DEV_BLOCKED);
	pdev->untrusted = 1;
	KUNIT_EXPECT_EQ(test, vtd_outside_kind(pdev, true, false),
			VTD_DEV_BLOCKED);
}

static int decode(const u64 q0, const u64 q1, struct vtd_guest_inv *inv)
{
	const u64 qw[4] = { q0, q1, 0, 0 };

	return vtd_guest_inv_decode(qw, inv);
}

/* 6.5.2.4 PASID-based IOTLB, as a guest writes it. */
static void vtd_hw_guest_piotlb(struct kunit *test)
{
	struct vtd_guest_inv inv;
	u64 qw[4] = {};

	/* type 6, G 11b, DID 0xbeef (31:16), PASID 0x12345 (51:32) */
	KUNIT_ASSERT_EQ(test, decode(6 | (3ULL << 4) | (0xbeefULL << 16) |
				     (0x12345ULL << 32),
				     0x7654320000ULL | (1ULL << 6) | 4, &inv), 0);
	KUNIT_EXPECT_EQ(test, inv.type, VTD_QI_PIOTLB);
	KUNIT_EXPECT_EQ(test, inv.gran, 3);
	KUNIT_EXPECT_EQ(test, inv.did, 0xbeef);
	KUNIT_EXPECT_EQ(test, inv.pasid, 0x12345);
	KUNIT_EXPECT_EQ(test, inv.first, 0x7654320000ULL);
	KUNIT_EXPECT_EQ(test, inv.last, 0x7654320000ULL + (16 << 12) - 1);
	KUNIT_EXPECT_TRUE(test, inv.ih);

	/* G 10b: the whole PASID; qword 1 must then be 0 */
	KUNIT_ASSERT_EQ(test, decode(6 | (2ULL << 4) | (1ULL << 16), 0, &inv),
			0);
	KUNIT_EXPECT_EQ(test, inv.first, 0ULL);
	KUNIT_EXPECT_EQ(test, inv.last, U64_MAX);
	KUNIT_EXPECT_EQ(test, decode(6 | (2ULL << 4), 0x1000, &inv), -EINVAL);

	/* G 00b and 01b are reserved */
	KUNIT_EXPECT_EQ(test, decode(6, 0, &inv), -EINVAL);
	KUNIT_EXPECT_EQ(test, decode(6 | (1ULL << 4), 0, &inv), -EINVAL);
	/* an address not aligned to its mask */
	KUNIT_EXPECT_EQ(test, decode(6 | (3ULL << 4), 0x1000 | 1, &inv),
			-EINVAL);
	/* reserved bits: 15:12, 63:52 of qword 0; 11:7 of qword 1 */
	KUNIT_EXPECT_EQ(test, decode(6 | (3ULL << 4) | (1ULL << 12), 0, &inv),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, decode(6 | (3ULL << 4) | (1ULL << 52), 0, &inv),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, decode(6 | (3ULL << 4), 1ULL << 7, &inv),
			-EINVAL);
	/* qwords 2 and 3 are reserved */
	qw[0] = 6 | (2ULL << 4);
	qw[3] = 1;
	KUNIT_EXPECT_EQ(test, vtd_guest_inv_decode(qw, &inv), -EINVAL);
}

/* 6.5.2.2 PASID-cache. */
static void vtd_hw_guest_pc(struct kunit *test)
{
	struct vtd_guest_inv inv;

	KUNIT_ASSERT_EQ(test, decode(7 | (1ULL << 4) | (0x42ULL << 16) |
				     (0x3ULL << 32), 0, &inv), 0);
	KUNIT_EXPECT_EQ(test, inv.type, VTD_QI_PC);
	KUNIT_EXPECT_EQ(test, inv.gran, 1);
	KUNIT_EXPECT_EQ(test, inv.did, 0x42);
	KUNIT_EXPECT_EQ(test, inv.pasid, 3);
	KUNIT_EXPECT_EQ(test, decode(7 | (3ULL << 4), 0, &inv), 0);
	KUNIT_EXPECT_EQ(test, decode(7, 0, &inv), 0);
	KUNIT_EXPECT_EQ(test, decode(7 | (2ULL << 4), 0, &inv), -EINVAL);
	KUNIT_EXPECT_EQ(test, decode(7 | (1ULL << 4), 1, &inv), -EINVAL);
}

/* 6.5.2.5 device-TLB and 6.5.2.6 PASID-based device-TLB. */
static void vtd_hw_guest_dev_tlb(struct kunit *test)
{
	struct vtd_guest_inv inv;

	/* type 3: PFSID 15:12 + 63:52, MIP 20:16, SID 47:32; S 0 one page */
	KUNIT_ASSERT_EQ(test, decode(3 | (0xaULL << 12) | (0x1fULL << 16) |
				     (0x0a10ULL << 32) | (0xfffULL << 52),
				     0x123000, &inv), 0);
	KUNIT_EXPECT_EQ(test, inv.type, VTD_QI_DEV_TLB);
	KUNIT_EXPECT_EQ(test, inv.sid, 0x0a10);
	KUNIT_EXPECT_EQ(test, inv.first, 0x123000ULL);
	KUNIT_EXPECT_EQ(test, inv.last, 0x123fffULL);
	/* S 1, bit 12 set and 13 clear: 16K at 0x120000 */
	KUNIT_ASSERT_EQ(test, decode(3, 0x121000 | 1, &inv), 0);
	KUNIT_EXPECT_EQ(test, inv.first, 0x120000ULL);
	KUNIT_EXPECT_EQ(test, inv.last, 0x123fffULL);
	/* S 1, all of 63:12 set: everything */
	KUNIT_ASSERT_EQ(test, decode(3, ~0xfffULL | 1, &inv), 0);
	KUNIT_EXPECT_EQ(test, inv.first, 0ULL);
	KUNIT_EXPECT_EQ(test, inv.last, U64_MAX);
	/* reserved: 11:4 and 31:21 of qword 0, 11:1 of qword 1 */
	KUNIT_EXPECT_EQ(test, decode(3 | (1ULL << 4), 0, &inv), -EINVAL);
	KUNIT_EXPECT_EQ(test, decode(3 | (1ULL << 21), 0, &inv), -EINVAL);
	KUNIT_EXPECT_EQ(test, decode(3, 1ULL << 1, &inv), -EINVAL);

	/* type 8: MIP 8:4, SID 31:16, PASID 51:32; G 0, S 11 */
	KUNIT_ASSERT_EQ(test, decode(8 | (0x1fULL << 4) | (0x0b08ULL << 16) |
				     (0x99ULL << 32), 0x4000 | 1, &inv), 0);
	KUNIT_EXPECT_EQ(test, inv.type, VTD_QI_PDEV_TLB);
	KUNIT_EXPECT_EQ(test, inv.sid, 0x0b08);
	KUNIT_EXPECT_EQ(test, inv.pasid, 0x99);
	KUNIT_EXPECT_TRUE(test, inv.all_pasids);
	KUNIT_EXPECT_EQ(test, inv.last, 0x4fffULL);
	/* S 1 with bit 12 clear: the 8K at 0x4000 */
	KUNIT_ASSERT_EQ(test, decode(8, 0x4000 | (1ULL << 11), &inv), 0);
	KUNIT_EXPECT_EQ(test, inv.first, 0x4000ULL);
	KUNIT_EXPECT_EQ(test, inv.last, 0x5fffULL);
	KUNIT_EXPECT_EQ(test, decode(8, 1ULL << 2, &inv), -EINVAL);
}

/* Types the vIOMMU does not take, and the type extension bits. */
static void vtd_hw_guest_refused(struct kunit *test)
{
	struct vtd_guest_inv inv;
	static const u64 types[] = { 1, 2, 4, 5, 9, 0xa, 0xf, 0 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++)
		KUNIT_EXPECT_EQ_MSG(test, decode(types[i], 0, &inv),
				    -EOPNOTSUPP, "type %llu", types[i]);
	/* bits 11:9 extend the type: none of ours */
	KUNIT_EXPECT_EQ(test, decode(6 | (2ULL << 4) | (1ULL << 9), 0, &inv),
			-EOPNOTSUPP);
}

/* 6.5.2.1 context-cache invalidation. */
static void vtd_hw_qi_cc(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, VTD_QI_TYPE_LO, 0xfULL);
	KUNIT_EXPECT_EQ(test, VTD_QI_TYPE_HI, 0x7ULL << 9);
	check_desc(test, "global", vtd_qi_cc(VTD_CC_GLOBAL, 0, 0, 0),
		   0x1 | (1ULL << 4), 0);
	check_desc(test, "domain", vtd_qi_cc(VTD_CC_DOMAIN, 0x1234, 0, 0),
		   0x1 | (2ULL << 4) | (0x1234ULL << 16), 0);
	check_desc(test, "device", vtd_qi_cc(VTD_CC_DEVICE, 5, 0x0010, 3),
		   0x1 | (3ULL << 4) | (5ULL << 16) | (0x0010ULL << 32) |
		   (3ULL << 48), 0);
	check_desc(test, "device max", vtd_qi_cc(VTD_CC_DEVICE, 0xffff, 0xffff,
						 3),
		   0x1 | (3ULL << 4) | (0xffffULL << 16) | (0xffffULL << 32) |
		   (3ULL << 48), 0);
}

/* 6.5.2.3 IOTLB invalidation. */
static void vtd_hw_qi_iotlb(struct kunit *test)
{
	check_desc(test, "global",
		   vtd_qi_iotlb(VTD_IOTLB_GLOBAL, 0, 0, 0, false, false),
		   0x2 | (1ULL << 4), 0);
	check_desc(test, "domain + drain",
		   vtd_qi_iotlb(VTD_IOTLB_DOMAIN, 0xbeef, 0, 0, false, true),
		   0x2 | (2ULL << 4) | (1ULL << 6) | (1ULL << 7) |
		   (0xbeefULL << 16), 0);
	check_desc(test, "page",
		   vtd_qi_iotlb(VTD_IOTLB_PAGE, 3, 0x7654200000ULL, 9, true,
				false),
		   0x2 | (3ULL << 4) | (3ULL << 16),
		   0x7654200000ULL | (1ULL << 6) | 9);
}

/* 6.5.2.4 PASID-based IOTLB invalidation. */
static void vtd_hw_qi_piotlb(struct kunit *test)
{
	const u16 did = 0x1234;
	const u32 pasid = 0xfffff;

	check_desc(test, "PASID-selective", vtd_qi_piotlb_pasid(did, pasid),
		   0x6 | (2ULL << 4) | ((u64)did << 16) | ((u64)pasid << 32),
		   0);
	check_desc(test, "page-selective",
		   vtd_qi_piotlb_page(did, 0x10, 0xfffff000ULL, 0, false),
		   0x6 | (3ULL << 4) | ((u64)did << 16) | (0x10ULL << 32),
		   0xfffff000ULL);
	check_desc(test, "page-selective 2M IH",
		   vtd_qi_piotlb_page(1, 0, 0x40000000ULL, 9, true),
		   0x6 | (3ULL << 4) | (1ULL << 16),
		   0x40000000ULL | (1ULL << 6) | 9);
	check_desc(test, "page-selective AM 63",
		   vtd_qi_piotlb_page(0, 0, 0, 63, false),
		   0x6 | (3ULL << 4), 63);
}

/* 6.5.2.2 PASID-cache invalidation. */
static void vtd_hw_qi_pc(struct kunit *test)
{
	check_desc(test, "domain", vtd_qi_pc(VTD_QI_PC_DOMAIN, 0x22, 0),
		   0x7 | (0ULL << 4) | (0x22ULL << 16), 0);
	check_desc(test, "PASID", vtd_qi_pc(VTD_QI_PC_PASID_SEL, 0x22, 0x54321),
		   0x7 | (1ULL << 4) | (0x22ULL << 16) | (0x54321ULL << 32), 0);
	check_desc(test, "global", vtd_qi_pc(VTD_QI_PC_GLOBAL, 0, 0),
		   0x7 | (3ULL << 4), 0);
}

/* 6.5.2.8 invalidation wait. */
static void vtd_hw_qi_wait(struct kunit *test)
{
	check_desc(test, "SW",
		   vtd_qi_wait(VTD_QI_WAIT_SW, 0xdeadbeef, 0x12345678),
		   0x5 | (1ULL << 5) | (0xdeadbeefULL << 32), 0x12345678);
	check_desc(test, "IF + FN", vtd_qi_wait(VTD_QI_WAIT_IF | VTD_QI_WAIT_FN,
						0, 0),
		   0x5 | (1ULL << 4) | (1ULL << 6), 0);
	check_desc(test, "PD", vtd_qi_wait(VTD_QI_WAIT_PD, 1, 0x1000),
		   0x5 | (1ULL << 7) | (1ULL << 32), 0x1000);
	/* stray flag bits and a misaligned status address are dropped */
	check_desc(test, "masked",
		   vtd_qi_wait(VTD_QI_WAIT_SW | (1ULL << 8) | 0xf, 2, 0x1003),
		   0x5 | (1ULL << 5) | (2ULL << 32), 0x1000);
}

/* The naturally aligned block that covers a page range. */
static void vtd_hw_qi_psi_range(struct kunit *test)
{
	static const struct {
		u64 start, last;
		unsigned int mamv;
		bool ok;
		u64 addr;
		unsigned int am;
	} c[] = {
		{ 5, 5, 18, true, 0x5000, 0 },
		{ 0, 1, 18, true, 0x0, 1 },
		{ 1, 2, 18, true, 0x0, 2 },
		{ 2, 3, 18, true, 0x2000, 1 },
		{ 0x1ff, 0x200, 18, true, 0x0, 10 },
		{ 0x1000, 0x1fff, 18, true, 0x1000000, 12 },
		{ 0x40000, 0x401ff, 18, true, 0x40000000, 9 },
		{ 0, (1ULL << 18) - 1, 18, true, 0x0, 18 },
		{ 0, 1ULL << 18, 18, false, 0, 0 },
		{ 4, 4, 0, true, 0x4000, 0 },
		{ 4, 5, 0, false, 0, 0 },
		{ 7, 3, 18, false, 0, 0 },
		{ 0, ~0ULL, 63, false, 0, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		unsigned int am = 0xdead;
		u64 addr = 0xdead;
		bool ok;

		ok = vtd_qi_psi_range(c[i].start, c[i].last, c[i].mamv, &addr,
				      &am);
		KUNIT_EXPECT_EQ_MSG(test, ok, c[i].ok, "case %u", i);
		if (!ok || !c[i].ok)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, addr, c[i].addr, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, am, c[i].am, "case %u", i);
		/* the block covers the range and is naturally aligned */
		KUNIT_EXPECT_LE_MSG(test, addr >> 12, c[i].start, "case %u", i);
		KUNIT_EXPECT_GT_MSG(test, (addr >> 12) + (1ULL << am), c[i].last,
				    "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, (addr >> 12) & ((1ULL << am) - 1), 0ULL,
				    "case %u", i);
	}
}

/* A read fault without PASID, as QEMU reports a U/S violation. */
static void vtd_hw_fault_read_no_pasid(struct kunit *test)
{
	/* FI (63:12) plus noise in the reserved bits 11:0 */
	const u64 lo = 0x123456000ULL | 0xabc;
	/* F 127, T1 126 (read), FR 103:96 = 0x81, SID 79:64 = 0x0010 */
	const u64 hi = (1ULL << 63) | (1ULL << 62) | (0x81ULL << 32) | 0x0010;
	struct vtd_fault f;

	KUNIT_EXPECT_TRUE(test, vtd_fault_decode(&f, lo, hi));
	KUNIT_EXPECT_EQ(test, f.addr, 0x123456000ULL);
	KUNIT_EXPECT_EQ(test, f.sid, 0x0010);
	KUNIT_EXPECT_EQ(test, f.reason, 0x81);
	KUNIT_EXPECT_FALSE(test, f.pasid_present);
	KUNIT_EXPECT_EQ(test, f.pasid, 0U);
	KUNIT_EXPECT_EQ(test, f.type, VTD_FRCD_READ);
	KUNIT_EXPECT_TRUE(test, f.is_read);
	KUNIT_EXPECT_FALSE(test, f.is_write);
	KUNIT_EXPECT_FALSE(test, f.exec);
	KUNIT_EXPECT_FALSE(test, f.priv);
	KUNIT_EXPECT_EQ(test, f.at, 0);
	KUNIT_EXPECT_FALSE(test, vtd_fault_is_irq(&f));
	KUNIT_EXPECT_STREQ(test, vtd_fault_reason_str(f.reason),
			   "user request to supervisor page");
}

/* A privileged execute-and-write fault with PASID. */
static void vtd_hw_fault_write_pasid(struct kunit *test)
{
	const u64 lo = 0xfffffffffffff000ULL;
	/*
	 * F 127, PV 123:104 = 0x12345, FR = 0x85, PP 95, EXE 94, PRIV 93,
	 * T1 = T2 = 0 (write), SID 0x00f8
	 */
	const u64 hi = (1ULL << 63) | (0x12345ULL << 40) | (0x85ULL << 32) |
		       (1ULL << 31) | (1ULL << 30) | (1ULL << 29) | 0x00f8;
	struct vtd_fault f;

	KUNIT_EXPECT_TRUE(test, vtd_fault_decode(&f, lo, hi));
	KUNIT_EXPECT_EQ(test, f.addr, 0xfffffffffffff000ULL);
	KUNIT_EXPECT_EQ(test, f.sid, 0x00f8);
	KUNIT_EXPECT_EQ(test, f.reason, 0x85);
	KUNIT_EXPECT_TRUE(test, f.pasid_present);
	KUNIT_EXPECT_EQ(test, f.pasid, 0x12345U);
	KUNIT_EXPECT_EQ(test, f.type, VTD_FRCD_WRITE);
	KUNIT_EXPECT_TRUE(test, f.is_write);
	KUNIT_EXPECT_FALSE(test, f.is_read);
	KUNIT_EXPECT_TRUE(test, f.exec);
	KUNIT_EXPECT_TRUE(test, f.priv);
	KUNIT_EXPECT_STREQ(test, vtd_fault_reason_str(f.reason),
			   "write to read-only page");

	/* F clear: nothing recorded */
	KUNIT_EXPECT_FALSE(test, vtd_fault_decode(&f, lo, hi & ~(1ULL << 63)));
	/* the largest PASID */
	vtd_fault_decode(&f, 0, (1ULL << 63) | (1ULL << 31) |
			 (0xfffffULL << 40));
	KUNIT_EXPECT_TRUE(test, f.pasid_present);
	KUNIT_EXPECT_EQ(test, f.pasid, 0xfffffU);
	KUNIT_EXPECT_FALSE(test, f.exec);
	KUNIT_EXPECT_FALSE(test, f.priv);
	KUNIT_EXPECT_EQ(test, f.sid, 0);
	KUNIT_EXPECT_EQ(test, f.reason, 0);
	/* EXE alone, then PRIV alone */
	vtd_fault_decode(&f, 0, (1ULL << 63) | (1ULL << 30));
	KUNIT_EXPECT_TRUE(test, f.exec);
	KUNIT_EXPECT_FALSE(test, f.priv);
	KUNIT_EXPECT_FALSE(test, f.pasid_present);
	vtd_fault_decode(&f, 0, (1ULL << 63) | (1ULL << 29));
	KUNIT_EXPECT_FALSE(test, f.exec);
	KUNIT_EXPECT_TRUE(test, f.priv);
	KUNIT_EXPECT_FALSE(test, f.pasid_present);
}

/* T1/T2 request types, AT, and interrupt-remapping faults. */
static void vtd_hw_fault_types(struct kunit *test)
{
	const u64 f_bit = 1ULL << 63;
	struct vtd_fault f;

	/* T1 0, T2 1: page request */
	vtd_fault_decode(&f, 0, f_bit | (1ULL << 28));
	KUNIT_EXPECT_EQ(test, f.type, VTD_FRCD_PAGE_REQ);
	KUNIT_EXPECT_FALSE(test, f.is_read);
	KUNIT_EXPECT_FALSE(test, f.is_write);
	/* T1 1, T2 1: AtomicOp */
	vtd_fault_decode(&f, 0, f_bit | (1ULL << 62) | (1ULL << 28));
	KUNIT_EXPECT_EQ(test, f.type, VTD_FRCD_ATOMIC);
	KUNIT_EXPECT_TRUE(test, f.is_read);
	KUNIT_EXPECT_TRUE(test, f.is_write);
	/* AT 125:124 = 10b (translated) */
	vtd_fault_decode(&f, 0, f_bit | (2ULL << 60));
	KUNIT_EXPECT_EQ(test, f.at, 2);
	KUNIT_EXPECT_EQ(test, f.type, VTD_FRCD_WRITE);
	/* interrupt remapping: IRTE not present, index 0x42 in FI 63:48 */
	vtd_fault_decode(&f, 0x42ULL << 48, f_bit | (0x22ULL << 32) | 0xf0);
	KUNIT_EXPECT_TRUE(test, vtd_fault_is_irq(&f));
	KUNIT_EXPECT_EQ(test, vtd_fault_irq_index(&f), 0x42);
	KUNIT_EXPECT_STREQ(test, vtd_fault_reason_str(f.reason),
			   "IRTE not present");
}

/* Every code QEMU raises has a name; holes and codes past the table do not. */
static void vtd_hw_fault_reason_str(struct kunit *test)
{
	static const u8 named[] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
		0x0b, 0x0c, 0x0d, 0x0e, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25,
		0x26, 0x30, 0x31, 0x47, 0x50, 0x51, 0x58, 0x59, 0x5b, 0x70,
		0x71, 0x72, 0x73, 0x80, 0x81, 0x85, 0x87, 0x91,
	};
	static const u8 unnamed[] = {
		0x00, 0x0f, 0x1f, 0x2f, 0x33, 0x37, 0x49, 0x53, 0x5e, 0x60,
		0x6f, 0x7d, 0x88, 0x8f, 0x92, 0xff,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(named); i++)
		KUNIT_EXPECT_STRNEQ_MSG(test, vtd_fault_reason_str(named[i]),
					"unknown", "reason %#x", named[i]);
	for (i = 0; i < ARRAY_SIZE(unnamed); i++)
		KUNIT_EXPECT_STREQ_MSG(test, vtd_fault_reason_str(unnamed[i]),
				       "unknown", "reason %#x", unnamed[i]);
	KUNIT_EXPECT_STREQ(test, vtd_fault_reason_str(0x59),
			   "PASID table entry not present");
	KUNIT_EXPECT_STREQ(test, vtd_fault_reason_str(0x5b),
			   "invalid PASID table entry");
	KUNIT_EXPECT_STREQ(test, vtd_fault_reason_str(0x80),
			   "non-canonical address");
	KUNIT_EXPECT_STREQ(test, vtd_fault_reason_str(0x91),
			   "first-level A/D update failed");
}

static struct kunit_case vtd_hw_cases[] = {
	KUNIT_CASE(vtd_hw_reg_offsets),
	KUNIT_CASE(vtd_hw_cap_fields),
	KUNIT_CASE(vtd_hw_ecap_fields),
	KUNIT_CASE(vtd_hw_qemu_cap),
	KUNIT_CASE(vtd_hw_qemu_ecap),
	KUNIT_CASE(vtd_hw_aw_helpers),
	KUNIT_CASE(vtd_hw_gcmd_gsts),
	KUNIT_CASE(vtd_hw_rtaddr_ccmd_iotlb),
	KUNIT_CASE(vtd_hw_fault_event_regs),
	KUNIT_CASE(vtd_hw_inv_queue_regs),
	KUNIT_CASE(vtd_hw_frcd_layout),
	KUNIT_CASE(vtd_hw_sm_root_entry),
	KUNIT_CASE(vtd_hw_sm_context_entry),
	KUNIT_CASE(vtd_hw_pasid_dir_entry),
	KUNIT_CASE(vtd_hw_pasid_fields_qw0),
	KUNIT_CASE(vtd_hw_pasid_fields_qw1),
	KUNIT_CASE(vtd_hw_pasid_fields_qw2),
	KUNIT_CASE(vtd_hw_pasid_entry_fl),
	KUNIT_CASE(vtd_hw_pasid_entry_pt),
	KUNIT_CASE(vtd_hw_pasid_entry_sl),
	KUNIT_CASE(vtd_hw_pasid_entry_nested),
	KUNIT_CASE(vtd_hw_reported_caps),
	KUNIT_CASE(vtd_hw_outside_kind),
	KUNIT_CASE(vtd_hw_guest_piotlb),
	KUNIT_CASE(vtd_hw_guest_pc),
	KUNIT_CASE(vtd_hw_guest_dev_tlb),
	KUNIT_CASE(vtd_hw_guest_refused),
	KUNIT_CASE(vtd_hw_qi_cc),
	KUNIT_CASE(vtd_hw_qi_iotlb),
	KUNIT_CASE(vtd_hw_qi_piotlb),
	KUNIT_CASE(vtd_hw_qi_pc),
	KUNIT_CASE(vtd_hw_qi_wait),
	KUNIT_CASE(vtd_hw_qi_psi_range),
	KUNIT_CASE(vtd_hw_fault_read_no_pasid),
	KUNIT_CASE(vtd_hw_fault_write_pasid),
	KUNIT_CASE(vtd_hw_fault_types),
	KUNIT_CASE(vtd_hw_fault_reason_str),
	{}
};

static struct kunit_suite vtd_hw_suite = {
	.name = "intel_vtd_hw",
	.test_cases = vtd_hw_cases,
};

kunit_test_suite(vtd_hw_suite);

MODULE_DESCRIPTION("KUnit checks of the VT-d register and table layouts");
MODULE_LICENSE("GPL");
