// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtd-nest: the iommufd and VFIO cdev uAPI on a device behind the IOMMU,
 * without DMA: what IOMMU_GET_HW_INFO and IOMMU_IOAS_IOVA_RANGES report,
 * and the errno of every argument the ioctls reject (one errno per case,
 * the one the upstream kernel returns).
 */
#include <fcntl.h>
#include <linux/const.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vtd_utils.h"
#include "edu.h"

#define PAGE		SZ_4K
#define IOVA_LOW	0x100000ULL
#define MSI_START	0xfee00000ULL
#define MSI_LAST	0xfeefffffULL

/* VT-d 3.0 spec 11.4.2 and 11.4.3 */
#define VTD_CAP_MGAW(cap)	(((cap) >> 16) & 0x3f)
#define VTD_CAP_ND(cap)		((cap) & 0x7)
#define VTD_ECAP_SMTS		_BITULL(43)
#define VTD_ECAP_FLTS		_BITULL(47)

/* The values QEMU 10.0 gives x-scalable-mode=on,x-flts=on,intremap=off. */
#define QEMU_VTD_CAP		0x01d2008c222f0606ULL
#define QEMU_VTD_ECAP		0x0000880000000f42ULL

/*
 * What IOMMU_GET_HW_INFO may pass on of CAP and ECAP: the fields a VMM can
 * use to describe a virtual IOMMU on top of this driver. Bit positions from
 * the VT-d 3.x spec, 11.4.2 "Capability Register" and 11.4.3 "Extended
 * Capability Register".
 */
#define BITS(h, l)		((~0ULL >> (63 - (h))) & ~((1ULL << (l)) - 1))
#define CAP_ND			BITS(2, 0)	/* number of domains */
#define CAP_RWBF		BITS(4, 4)	/* required write-buffer flush */
#define CAP_CM			BITS(7, 7)	/* caching mode */
#define CAP_SAGAW		BITS(12, 8)	/* second-level AGAWs */
#define CAP_MGAW		BITS(21, 16)	/* max guest address width */
#define CAP_ZLR			BITS(22, 22)	/* zero-length read */
#define CAP_FRO			BITS(33, 24)	/* fault-recording offset */
#define CAP_SLLPS		BITS(37, 34)	/* second-level large pages */
#define CAP_PSI			BITS(39, 39)	/* page-selective invalidation */
#define CAP_NFR			BITS(47, 40)	/* fault-recording registers */
#define CAP_MAMV		BITS(53, 48)	/* max address mask value */
#define CAP_FL1GP		BITS(56, 56)	/* first-level 1G pages */
#define CAP_FL5LP		BITS(60, 60)	/* first-level 5-level paging */
#define ECAP_C			BITS(0, 0)	/* page-walk coherency */
#define ECAP_QI			BITS(1, 1)	/* queued invalidation */
#define ECAP_PT			BITS(6, 6)	/* pass through */
#define ECAP_IRO		BITS(17, 8)	/* IOTLB register offset */
#define ECAP_NEST		BITS(26, 26)	/* nested translation */
#define ECAP_SMTS		BITS(43, 43)	/* scalable mode */
#define ECAP_SLTS		BITS(46, 46)	/* second-level translation */
#define ECAP_FLTS		BITS(47, 47)	/* first-level translation */
#define ECAP_SMPWC		BITS(48, 48)	/* scalable-mode page-walk coherency */

#define HW_INFO_CAP	(CAP_ND | CAP_RWBF | CAP_CM | CAP_MGAW | CAP_ZLR | \
			 CAP_FRO | CAP_PSI | CAP_NFR | CAP_MAMV | CAP_FL1GP | \
			 CAP_FL5LP)
#define HW_INFO_ECAP	(ECAP_C | ECAP_QI | ECAP_PT | ECAP_IRO | ECAP_SMTS | \
			 ECAP_FLTS | ECAP_SMPWC)
/* Only on a unit with both ECAP.NEST and ECAP.SLTS: */
#define HW_INFO_CAP_NESTING	(CAP_SAGAW | CAP_SLLPS)
#define HW_INFO_ECAP_NESTING	(ECAP_NEST | ECAP_SLTS)

/* The same masks, added up by hand. */
static_assert(HW_INFO_CAP == 0x113fff83ff7f0097ULL, "HW_INFO_CAP");
static_assert(HW_INFO_ECAP == 0x188000003ff43ULL, "HW_INFO_ECAP");
static_assert(HW_INFO_CAP_NESTING == 0x3c00001f00ULL, "CAP nesting");
static_assert(HW_INFO_ECAP_NESTING == 0x400004000000ULL, "ECAP nesting");

/* Is the IOMMU driver under test intel-vtd, loaded as a module? */
static bool vtd_driver_is_module(void)
{
	return access("/sys/module/intel_vtd", F_OK) == 0;
}

static void *page_alloc(struct __test_metadata *_metadata, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x5a, len);
	return p;
}

/* An ID that was valid once and is not any more. */
static __u32 stale_id(struct __test_metadata *_metadata, int iommufd)
{
	__u32 id;

	ASSERT_EQ(0, _test_cmd_ioas_alloc(iommufd, 0, &id));
	ASSERT_EQ(0, _test_cmd_destroy(iommufd, id));
	return id;
}

/*
 * A device bound to the iommufd and attached to an IOAS (the kernel makes
 * the HWPT).
 */
FIXTURE(vtd_bound) {
	int iommufd;
	struct vtd_dev dev;
	__u32 ioas_id;
	__u32 hwpt_id;
	void *buf;		/* 4 pages */
};

FIXTURE_SETUP(vtd_bound)
{
	self->iommufd = -1;
	VTD_DEV_OPEN(return, &self->dev, edu_primary_bdf(), true);
	self->iommufd = self->dev.iommufd;
	test_cmd_ioas_alloc(&self->ioas_id);
	test_cmd_attach(self->ioas_id, &self->hwpt_id);
	self->buf = page_alloc(_metadata, 4 * PAGE);
}

FIXTURE_TEARDOWN(vtd_bound)
{
	vtd_dev_close(&self->dev);
}

/* ---- What the kernel reports ---- */

TEST_F(vtd_bound, hw_info)
{
	struct iommu_hw_info_vtd vtd;
	struct vtd_hw_info_out out;
	char path[PATH_MAX + 64];
	uint64_t cap, ecap;
	uint8_t buf[64];

	memset(&vtd, 0xa5, sizeof(vtd));
	test_cmd_get_hw_info(self->dev.dev_id, &vtd, sizeof(vtd), &out);
	ASSERT_EQ(IOMMU_HW_INFO_TYPE_INTEL_VTD, out.data_type);
	ASSERT_EQ(sizeof(vtd), out.data_len);
	ASSERT_EQ(0, vtd.__reserved);
	ASSERT_EQ(0, vtd.flags & ~IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17);
	TH_LOG("unit %s: cap 0x%016llx ecap 0x%016llx flags 0x%x",
	       self->dev.edu.unit, (unsigned long long)vtd.cap_reg,
	       (unsigned long long)vtd.ecap_reg, vtd.flags);

	/* The unit that translates edu: scalable mode, first stage. */
	ASSERT_TRUE(vtd.ecap_reg & VTD_ECAP_SMTS);
	ASSERT_TRUE(vtd.ecap_reg & VTD_ECAP_FLTS);
	ASSERT_LE(38, VTD_CAP_MGAW(vtd.cap_reg));
	if (vtd.cap_reg == QEMU_VTD_CAP && vtd.ecap_reg == QEMU_VTD_ECAP)
		TH_LOG("the registers QEMU 10.0 gives this VM's intel-iommu");

	/* edu has neither ATS nor PASID. */
	ASSERT_TRUE(out.capabilities & IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED);
	ASSERT_EQ(0, out.max_pasid_log2);

	/* The in-kernel driver shows the same registers in sysfs. */
	snprintf(path, sizeof(path), "/sys/class/iommu/%s/intel-iommu/cap",
		 self->dev.edu.unit);
	if (!sysfs_read_u64_base(path, &cap, 16)) {
		snprintf(path, sizeof(path),
			 "/sys/class/iommu/%s/intel-iommu/ecap",
			 self->dev.edu.unit);
		ASSERT_EQ(0, sysfs_read_u64_base(path, &ecap, 16));
		ASSERT_EQ(cap, vtd.cap_reg);
		ASSERT_EQ(ecap, vtd.ecap_reg);
	} else {
		TH_LOG("no %s: cap/ecap not compared with sysfs", path);
	}

	/* A short buffer gets the start; data_len says the full size. */
	memset(buf, 0xa5, sizeof(buf));
	test_cmd_get_hw_info(self->dev.dev_id, buf, 8, &out);
	ASSERT_EQ(sizeof(vtd), out.data_len);
	ASSERT_EQ(0, memcmp(buf, &vtd, 8));
	ASSERT_EQ(-1, vtd_first_not(buf + 8, 0xa5, sizeof(buf) - 8));

	/* A long buffer is zeroed past the data. */
	memset(buf, 0xa5, sizeof(buf));
	test_cmd_get_hw_info(self->dev.dev_id, buf, 40, &out);
	ASSERT_EQ(sizeof(vtd), out.data_len);
	ASSERT_EQ(0, memcmp(buf, &vtd, sizeof(vtd)));
	ASSERT_EQ(-1, vtd_first_not(buf + sizeof(vtd), 0, 40 - sizeof(vtd)));
	ASSERT_EQ(-1, vtd_first_not(buf + 40, 0xa5, sizeof(buf) - 40));

	/* No buffer at all: only the type and length. */
	test_cmd_get_hw_info(self->dev.dev_id, NULL, 0, &out);
	ASSERT_EQ(IOMMU_HW_INFO_TYPE_INTEL_VTD, out.data_type);
	ASSERT_EQ(sizeof(vtd), out.data_len);

	/* Asking for the VT-d type explicitly. */
	memset(buf, 0xa5, sizeof(buf));
	ASSERT_EQ(0, _test_cmd_get_hw_info(self->iommufd, self->dev.dev_id,
					   IOMMU_HW_INFO_FLAG_INPUT_TYPE,
					   IOMMU_HW_INFO_TYPE_INTEL_VTD, buf,
					   sizeof(vtd), &out));
	ASSERT_EQ(IOMMU_HW_INFO_TYPE_INTEL_VTD, out.data_type);
	ASSERT_EQ(0, memcmp(buf, &vtd, sizeof(vtd)));
}

/*
 * IOMMU_GET_HW_INFO passes on only the CAP and ECAP fields in the
 * HW_INFO_* masks of what the unit's registers say (intel-vtd shows them
 * in debugfs): a VMM must not offer its guest what the host driver does
 * not support through iommufd.
 */
TEST_F(vtd_bound, hw_info_masked)
{
	uint64_t cap, ecap, want_cap, want_ecap;
	struct iommu_hw_info_vtd vtd;
	struct vtd_hw_info_out out;
	bool nesting;
	int ret;

	ret = vtd_unit_reg(self->dev.edu.unit, "CAP", &cap);
	if (ret == -ENOENT)
		SKIP(return, "no intel-vtd/%s/regs in debugfs: not intel-vtd",
		     self->dev.edu.unit);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, vtd_unit_reg(self->dev.edu.unit, "ECAP", &ecap));

	nesting = (ecap & ECAP_NEST) && (ecap & ECAP_SLTS);
	want_cap = cap & (HW_INFO_CAP | (nesting ? HW_INFO_CAP_NESTING : 0));
	want_ecap = ecap & (HW_INFO_ECAP | (nesting ? HW_INFO_ECAP_NESTING : 0));

	test_cmd_get_hw_info(self->dev.dev_id, &vtd, sizeof(vtd), &out);
	TH_LOG("registers: cap 0x%016llx ecap 0x%016llx; hw_info: cap 0x%016llx ecap 0x%016llx",
	       (unsigned long long)cap, (unsigned long long)ecap,
	       (unsigned long long)vtd.cap_reg,
	       (unsigned long long)vtd.ecap_reg);
	EXPECT_EQ(want_cap, vtd.cap_reg) {
		TH_LOG("CAP bits that must not be passed on: 0x%016llx, missing: 0x%016llx",
		       (unsigned long long)(vtd.cap_reg & ~want_cap),
		       (unsigned long long)(want_cap & ~vtd.cap_reg));
	}
	EXPECT_EQ(want_ecap, vtd.ecap_reg) {
		TH_LOG("ECAP bits that must not be passed on: 0x%016llx, missing: 0x%016llx",
		       (unsigned long long)(vtd.ecap_reg & ~want_ecap),
		       (unsigned long long)(want_ecap & ~vtd.ecap_reg));
	}

	/* This VM's unit, worked out by hand. */
	if (cap == QEMU_VTD_CAP && ecap == QEMU_VTD_ECAP) {
		EXPECT_EQ(0x01120080222f0006ULL, vtd.cap_reg);
		EXPECT_EQ(0x0000880000000f42ULL, vtd.ecap_reg);
	}
}

TEST_F(vtd_bound, iova_ranges)
{
	struct vtd_ranges r;
	__u32 i, num = 0;
	__u64 align;

	ASSERT_EQ(0, vtd_get_ranges(self->iommufd, self->ioas_id, &r));
	ASSERT_LT(0, r.num);
	ASSERT_GE(VTD_MAX_RANGES, r.num);
	/* The driver maps 4 KiB pages. */
	ASSERT_EQ(PAGE, r.alignment);
	for (i = 0; i < r.num; i++) {
		TH_LOG("range %u: 0x%llx - 0x%llx", i,
		       (unsigned long long)r.r[i].start,
		       (unsigned long long)r.r[i].last);
		ASSERT_LE(r.r[i].start, r.r[i].last);
		/* Sorted and not touching: a gap before every range but the first. */
		ASSERT_TRUE(!i || r.r[i - 1].last + 1 < r.r[i].start);
		/* Never the interrupt window (x86 MSI address range). */
		ASSERT_TRUE(r.r[i].last < MSI_START || r.r[i].start > MSI_LAST);
	}
	/* The space reaches at least 39 bits. */
	ASSERT_LE((1ULL << 39) - 1, r.r[r.num - 1].last);

	/* Too small an array: EMSGSIZE, and the number needed. */
	EXPECT_ERRNO(EMSGSIZE,
		     _test_cmd_ioas_iova_ranges(self->iommufd, self->ioas_id,
						NULL, &num, &align));
	ASSERT_EQ(r.num, num);
}

/* ---- IOMMU_IOAS_ALLOC ---- */

TEST_F(vtd_bound, ioas_alloc_errors)
{
	__u32 id;

	/* Negative test: unknown flags */
	test_err_ioas_alloc(EOPNOTSUPP, 1, &id);
	test_err_ioas_alloc(EOPNOTSUPP, 1U << 31, &id);
}

/* ---- IOMMU_IOAS_MAP ---- */

TEST_F(vtd_bound, ioas_map_errors)
{
	uint8_t *buf = self->buf, *ro, *gone;
	struct vtd_ranges r;
	struct iommu_ioas_map raw;
	__u64 top;

	ASSERT_EQ(0, vtd_get_ranges(self->iommufd, self->ioas_id, &r));
	ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	gone = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, gone);
	ASSERT_EQ(0, munmap(gone, PAGE));

	/* Negative test: IOAS that does not exist (any more) */
	test_err_ioas_map_fixed(ENOENT, stale_id(_metadata, self->iommufd),
				buf, PAGE, IOVA_LOW, MAP_RW);
	/* Negative test: ID of an object that is not an IOAS */
	test_err_ioas_map_fixed(ENOENT, self->hwpt_id, buf, PAGE, IOVA_LOW,
				MAP_RW);
	test_err_ioas_map_fixed(ENOENT, self->dev.dev_id, buf, PAGE,
				IOVA_LOW, MAP_RW);
	/* Negative test: IOVA not aligned to the IOMMU page */
	test_err_ioas_map_fixed(EINVAL, self->ioas_id, buf, PAGE,
				IOVA_LOW + 0x800, MAP_RW);
	/* Negative test: length not a multiple of the IOMMU page */
	test_err_ioas_map_fixed(EINVAL, self->ioas_id, buf, PAGE + 0x800,
				IOVA_LOW, MAP_RW);
	/* Negative test: user address not page aligned */
	test_err_ioas_map_fixed(EINVAL, self->ioas_id, buf + 0x800, PAGE,
				IOVA_LOW, MAP_RW);
	/* Negative test: zero length */
	test_err_ioas_map_fixed(EINVAL, self->ioas_id, buf, 0, IOVA_LOW,
				MAP_RW);
	/* Negative test: neither readable nor writeable */
	test_err_ioas_map_fixed(EINVAL, self->ioas_id, buf, PAGE, IOVA_LOW, 0);
	/* Negative test: unknown flag */
	test_err_ioas_map_fixed(EOPNOTSUPP, self->ioas_id, buf, PAGE,
				IOVA_LOW, MAP_RW | (1U << 3));
	/* Negative test: IOVA past ULONG_MAX - 1 */
	test_err_ioas_map_fixed(EOVERFLOW, self->ioas_id, buf, PAGE, ~0ULL,
				MAP_RW);
	/* Negative test: IOVA + length wraps */
	test_err_ioas_map_fixed(EOVERFLOW, self->ioas_id, buf, 2 * PAGE,
				~0ULL - PAGE + 1, MAP_RW);
	/* Negative test: the interrupt window is reserved */
	test_err_ioas_map_fixed(EINVAL, self->ioas_id, buf, PAGE, MSI_START,
				MAP_RW);
	/* Negative test: above the highest IOVA the domain translates */
	top = r.r[r.num - 1].last;
	if (top < ~0ULL - 2 * PAGE)
		test_err_ioas_map_fixed(EINVAL, self->ioas_id, buf, PAGE,
					top + 1, MAP_RW);
	/* Negative test: user memory that is not there */
	test_err_ioas_map_fixed(EFAULT, self->ioas_id, gone, PAGE, IOVA_LOW,
				MAP_RW);
	/* Negative test: writeable mapping of read-only memory */
	test_err_ioas_map_fixed(EFAULT, self->ioas_id, ro, PAGE, IOVA_LOW,
				MAP_RW);

	/* Negative test: non-zero __reserved */
	raw = (struct iommu_ioas_map){
		.size = sizeof(raw),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW,
		.ioas_id = self->ioas_id,
		.__reserved = 1,
		.user_va = (uintptr_t)buf,
		.length = PAGE,
		.iova = IOVA_LOW,
	};
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->iommufd, IOMMU_IOAS_MAP, &raw));

	/* Nothing above left a mapping behind. */
	test_cmd_ioas_map_fixed(self->ioas_id, buf, 2 * PAGE, IOVA_LOW, MAP_RW);
	/* Negative test: the same range again */
	test_err_ioas_map_fixed(EEXIST, self->ioas_id, buf + 2 * PAGE, 2 * PAGE,
				IOVA_LOW, MAP_RW);
	/* Negative test: overlapping the start */
	test_err_ioas_map_fixed(EEXIST, self->ioas_id, buf + 2 * PAGE, 2 * PAGE,
				IOVA_LOW - PAGE, MAP_RW);
	/* Negative test: overlapping the end */
	test_err_ioas_map_fixed(EEXIST, self->ioas_id, buf + 2 * PAGE, 2 * PAGE,
				IOVA_LOW + PAGE, MAP_RW);
	test_cmd_ioas_unmap(self->ioas_id, IOVA_LOW, 2 * PAGE);
	munmap(ro, PAGE);
}

/* ---- IOMMU_IOAS_UNMAP ---- */

TEST_F(vtd_bound, ioas_unmap_errors)
{
	__u64 len;

	test_cmd_ioas_map_fixed(self->ioas_id, self->buf, 2 * PAGE, IOVA_LOW,
				MAP_RW);

	/* Negative test: IOAS that does not exist */
	test_err_ioas_unmap(ENOENT, stale_id(_metadata, self->iommufd),
			    IOVA_LOW, 2 * PAGE);
	/* Negative test: ID of an object that is not an IOAS */
	test_err_ioas_unmap(ENOENT, self->hwpt_id, IOVA_LOW, 2 * PAGE);
	/* Negative test: nothing mapped there */
	test_err_ioas_unmap(ENOENT, self->ioas_id, IOVA_LOW + 16 * PAGE, PAGE);
	/* Negative test: part of a mapping (no splitting) */
	test_err_ioas_unmap(ENOENT, self->ioas_id, IOVA_LOW, PAGE);
	test_err_ioas_unmap(ENOENT, self->ioas_id, IOVA_LOW + PAGE, PAGE);
	/* Negative test: zero length */
	test_err_ioas_unmap(EINVAL, self->ioas_id, IOVA_LOW, 0);
	/* Negative test: IOVA past ULONG_MAX - 1 */
	test_err_ioas_unmap(EOVERFLOW, self->ioas_id, ~0ULL, PAGE);
	/* Negative test: IOVA + length wraps */
	test_err_ioas_unmap(EOVERFLOW, self->ioas_id, ~0ULL - PAGE + 1,
			    2 * PAGE);

	/* A superset unmaps it, and says how much. */
	ASSERT_EQ(0, _test_cmd_ioas_unmap(self->iommufd, self->ioas_id,
					  IOVA_LOW - PAGE, 8 * PAGE, &len));
	ASSERT_EQ(2 * PAGE, len);
	/* Negative test: already gone */
	test_err_ioas_unmap(ENOENT, self->ioas_id, IOVA_LOW, 2 * PAGE);

	/* 0 .. U64_MAX unmaps everything, and succeeds on nothing. */
	test_cmd_ioas_map_fixed(self->ioas_id, self->buf, PAGE, IOVA_LOW,
				MAP_RW);
	test_cmd_ioas_map_fixed(self->ioas_id, self->buf, PAGE, SZ_4G, MAP_RW);
	ASSERT_EQ(0, _test_cmd_ioas_unmap(self->iommufd, self->ioas_id, 0,
					  ~0ULL, &len));
	ASSERT_EQ(2 * PAGE, len);
	ASSERT_EQ(0, _test_cmd_ioas_unmap(self->iommufd, self->ioas_id, 0,
					  ~0ULL, &len));
	ASSERT_EQ(0, len);
}

/* ---- IOMMU_HWPT_ALLOC ---- */

TEST_F(vtd_bound, hwpt_alloc_errors)
{
	struct iommu_hwpt_vtd_s1 s1 = { .addr_width = 48 };
	struct vtd_hw_info_out info;
	struct iommu_hwpt_alloc raw;
	__u32 id, hwpt;
	__u64 data = 0;

	/* Negative test: no such device */
	test_err_hwpt_alloc(ENOENT, self->ioas_id, self->ioas_id, 0, &id);
	test_err_hwpt_alloc(ENOENT, stale_id(_metadata, self->iommufd),
			    self->ioas_id, 0, &id);
	/* Negative test: pt_id that does not exist */
	test_err_hwpt_alloc(EINVAL, self->dev.dev_id,
			    stale_id(_metadata, self->iommufd), 0, &id);
	/* Negative test: pt_id that is neither IOAS nor HWPT nor vIOMMU */
	test_err_hwpt_alloc(EINVAL, self->dev.dev_id, self->dev.dev_id, 0, &id);
	/* Negative test: unknown flags */
	test_err_hwpt_alloc(EOPNOTSUPP, self->dev.dev_id, self->ioas_id,
			    1U << 31, &id);
	test_err_hwpt_alloc(EOPNOTSUPP, self->dev.dev_id, self->ioas_id,
			    1U << 4, &id);
	/* Negative test: dirty tracking where the IOMMU has none */
	test_cmd_get_hw_info(self->dev.dev_id, NULL, 0, &info);
	if (!(info.capabilities & IOMMU_HW_CAP_DIRTY_TRACKING))
		test_err_hwpt_alloc(EOPNOTSUPP, self->dev.dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &id);
	/* Negative test: data type NONE with data */
	test_err_hwpt_alloc_data(EINVAL, self->dev.dev_id, self->ioas_id, 0,
				 &id, IOMMU_HWPT_DATA_NONE, &data,
				 sizeof(data));
	/* Negative test: a data type without data */
	test_err_hwpt_alloc_data(EINVAL, self->dev.dev_id, self->ioas_id, 0,
				 &id, IOMMU_HWPT_DATA_VTD_S1, &s1, 0);
	/* Negative test: driver data for a paging (IOAS-backed) HWPT */
	test_err_hwpt_alloc_data(EOPNOTSUPP, self->dev.dev_id, self->ioas_id,
				 0, &id, IOMMU_HWPT_DATA_VTD_S1, &s1,
				 sizeof(s1));
	/* Negative test: unknown data type */
	test_err_hwpt_alloc_data(EOPNOTSUPP, self->dev.dev_id, self->ioas_id,
				 0, &id, 0xbad, &data, sizeof(data));
	/*
	 * Negative test: nested on a HWPT that is not a nest parent, and on
	 * the kernel's own (auto) HWPT.
	 */
	test_cmd_hwpt_alloc(self->dev.dev_id, self->ioas_id, 0, &hwpt);
	test_err_hwpt_alloc_data(EINVAL, self->dev.dev_id, hwpt, 0, &id,
				 IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1));
	test_err_hwpt_alloc_data(EINVAL, self->dev.dev_id, self->hwpt_id,
				 0, &id, IOMMU_HWPT_DATA_VTD_S1, &s1,
				 sizeof(s1));
	test_cmd_destroy(hwpt);

	raw = (struct iommu_hwpt_alloc){
		.size = sizeof(raw),
		.dev_id = self->dev.dev_id,
		.pt_id = self->ioas_id,
		.__reserved = 1,
	};
	/* Negative test: non-zero __reserved */
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->iommufd, IOMMU_HWPT_ALLOC, &raw));
	/* Negative test: fault_id that is not a fault queue */
	raw.__reserved = 0;
	raw.flags = IOMMU_HWPT_FAULT_ID_VALID;
	raw.fault_id = self->ioas_id;
	EXPECT_ERRNO(ENOENT, ioctl(self->iommufd, IOMMU_HWPT_ALLOC, &raw));

	/* Nothing above left an object behind: a plain one works. */
	test_cmd_hwpt_alloc(self->dev.dev_id, self->ioas_id, 0, &hwpt);
	test_cmd_destroy(hwpt);
}

/*
 * A HWPT outlives the devices it was attached to, so each paging domain
 * of intel-vtd holds a reference on the module: rmmod is refused while
 * one exists. A refused allocation leaves the count as it was.
 */
TEST_F(vtd_bound, hwpt_holds_module)
{
	uint64_t before;
	__u32 hwpt, id;

	if (!vtd_driver_is_module())
		SKIP(return, "the IOMMU driver is not the intel_vtd module");
	before = vtd_module_refcnt_stable();
	test_cmd_hwpt_alloc(self->dev.dev_id, self->ioas_id, 0, &hwpt);
	ASSERT_EQ(before + 1, vtd_module_refcnt_settled(before + 1));

	/* Negative test: flags we refuse take no reference */
	test_err_hwpt_alloc(EOPNOTSUPP, self->dev.dev_id, self->ioas_id,
			    IOMMU_HWPT_ALLOC_PASID, &id);
	ASSERT_EQ(before + 1, vtd_module_refcnt_settled(before + 1));

	test_cmd_destroy(hwpt);
	ASSERT_EQ(before, vtd_module_refcnt_settled(before));
}

/* ---- IOMMU_GET_HW_INFO ---- */

TEST_F(vtd_bound, hw_info_errors)
{
	struct iommu_hw_info_vtd vtd;
	struct iommu_hw_info raw;

	/* Negative test: no such device */
	test_err_get_hw_info(ENOENT, self->ioas_id, 0, 0, &vtd, sizeof(vtd));
	test_err_get_hw_info(ENOENT, stale_id(_metadata, self->iommufd), 0, 0,
			     &vtd, sizeof(vtd));
	/* Negative test: unknown flags */
	test_err_get_hw_info(EOPNOTSUPP, self->dev.dev_id, 1U << 1, 0, &vtd,
			     sizeof(vtd));
	/* Negative test: asking for another IOMMU's info type */
	test_err_get_hw_info(EOPNOTSUPP, self->dev.dev_id,
			     IOMMU_HW_INFO_FLAG_INPUT_TYPE,
			     IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &vtd, sizeof(vtd));
	/* Negative test: buffer that is not there */
	test_err_get_hw_info(EFAULT, self->dev.dev_id, 0, 0, NULL, sizeof(vtd));

	/* Negative test: non-zero __reserved */
	raw = (struct iommu_hw_info){
		.size = sizeof(raw),
		.dev_id = self->dev.dev_id,
		.data_len = sizeof(vtd),
		.data_uptr = (uintptr_t)&vtd,
		.__reserved = { 0, 0, 1 },
	};
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->iommufd, IOMMU_GET_HW_INFO, &raw));
}

/* ---- IOMMU_DESTROY ---- */

TEST_F(vtd_bound, destroy_errors)
{
	__u32 id;

	/* Negative test: no such object */
	test_err_destroy(ENOENT, stale_id(_metadata, self->iommufd));
	test_err_destroy(ENOENT, 0);
	/* Negative test: the IOAS the device is attached to */
	test_err_destroy(EBUSY, self->ioas_id);
	/* Negative test: the HWPT the device is attached to */
	test_err_destroy(EBUSY, self->hwpt_id);
	/* Negative test: the device object, which VFIO owns */
	test_err_destroy(EBUSY, self->dev.dev_id);

	/* Negative test: twice */
	test_cmd_ioas_alloc(&id);
	test_cmd_destroy(id);
	test_err_destroy(ENOENT, id);
}

/* ---- VFIO_DEVICE_ATTACH_IOMMUFD_PT / DETACH ---- */

TEST_F(vtd_bound, attach_errors)
{
	struct vfio_device_attach_iommufd_pt raw;
	__u32 ioas2, out;

	/* Negative test: pt_id that does not exist */
	test_err_attach(ENOENT, 0, stale_id(_metadata, self->iommufd));
	/* Negative test: pt_id of an object that is not a page table */
	test_err_attach(EINVAL, 0, self->dev.dev_id);
	/* Negative test: unknown flags */
	test_err_attach(EINVAL, 1U << 1, self->ioas_id);
	/* Negative test: argsz short of pt_id */
	raw = (struct vfio_device_attach_iommufd_pt){
		.argsz = offsetofend(struct vfio_device_attach_iommufd_pt,
				     pt_id) - 1,
		.pt_id = self->ioas_id,
	};
	EXPECT_ERRNO(EINVAL, ioctl(self->dev.devfd,
				   VFIO_DEVICE_ATTACH_IOMMUFD_PT, &raw));

	/*
	 * Negative test: an IOAS that maps the device's reserved interrupt
	 * window cannot take the device.
	 */
	test_cmd_ioas_alloc(&ioas2);
	test_cmd_ioas_map_fixed(ioas2, self->buf, PAGE, MSI_START, MAP_RW);
	test_err_attach(EADDRINUSE, 0, ioas2);
	test_cmd_ioas_unmap(ioas2, MSI_START, PAGE);

	/* The failures left the device where it was: attach still works. */
	test_cmd_attach(ioas2, &out);
	ASSERT_NE(self->hwpt_id, out);
	test_cmd_attach(self->ioas_id, &out);
	test_cmd_destroy(ioas2);
}

TEST_F(vtd_bound, detach_errors)
{
	struct vfio_device_detach_iommufd_pt raw;
	__u32 out;

	/* Negative test: unknown flags */
	test_err_detach(EINVAL, 1U << 1);
	/* Negative test: argsz short of flags */
	raw = (struct vfio_device_detach_iommufd_pt){
		.argsz = offsetofend(struct vfio_device_detach_iommufd_pt,
				     flags) - 1,
	};
	EXPECT_ERRNO(EINVAL, ioctl(self->dev.devfd,
				   VFIO_DEVICE_DETACH_IOMMUFD_PT, &raw));

	/* Detach frees the IOAS; detaching again is a no-op. */
	test_err_destroy(EBUSY, self->ioas_id);
	test_cmd_detach();
	test_cmd_detach();
	test_cmd_attach(self->ioas_id, &out);
	test_cmd_detach();
	test_cmd_destroy(self->ioas_id);
}

/* ---- Structure sizes (ABI extension rules) ---- */

TEST_F(vtd_bound, struct_sizes)
{
	struct iommu_ioas_alloc ioas_alloc = { .size = sizeof(ioas_alloc) };
	struct iommu_ioas_map map = {
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW,
		.ioas_id = self->ioas_id,
		.user_va = (uintptr_t)self->buf,
		.length = PAGE,
		.iova = IOVA_LOW,
	};
	struct iommu_ioas_unmap unmap = {
		.ioas_id = self->ioas_id,
		.iova = IOVA_LOW,
		.length = PAGE,
	};
	struct iommu_iova_range ranges[VTD_MAX_RANGES];
	struct iommu_ioas_iova_ranges iova_ranges = {
		.ioas_id = self->ioas_id,
		.num_iovas = VTD_MAX_RANGES,
		.allowed_iovas = (uintptr_t)ranges,
	};
	struct iommu_hwpt_alloc hwpt_alloc = {
		.dev_id = self->dev.dev_id,
		.pt_id = self->ioas_id,
	};
	struct iommu_hw_info_vtd vtd;
	struct iommu_hw_info hw_info = {
		.dev_id = self->dev.dev_id,
		.data_len = sizeof(vtd),
		.data_uptr = (uintptr_t)&vtd,
	};
	struct iommu_destroy destroy = { .id = self->ioas_id };
	struct vfio_device_attach_iommufd_pt attach = {
		.pt_id = self->ioas_id,
	};
	union {
		struct iommu_ioas_alloc cmd;
		uint8_t bytes[sizeof(struct iommu_ioas_alloc) + 8];
	} big;

	/* Negative test: too short (EINVAL) and unknown trailing data (E2BIG) */
	test_ioctl_sizes(self->iommufd, IOMMU_IOAS_ALLOC, ioas_alloc,
			 out_ioas_id);
	test_ioctl_sizes(self->iommufd, IOMMU_IOAS_MAP, map, iova);
	test_ioctl_sizes(self->iommufd, IOMMU_IOAS_UNMAP, unmap, length);
	test_ioctl_sizes(self->iommufd, IOMMU_IOAS_IOVA_RANGES, iova_ranges,
			 out_iova_alignment);
	test_ioctl_sizes(self->iommufd, IOMMU_HWPT_ALLOC, hwpt_alloc,
			 __reserved);
	test_ioctl_sizes(self->iommufd, IOMMU_GET_HW_INFO, hw_info,
			 __reserved);
	test_ioctl_sizes(self->iommufd, IOMMU_DESTROY, destroy, id);

	/* Trailing zeroes are fine: the call does what it always does. */
	ASSERT_EQ(0, _test_ioctl_sized(self->iommufd, IOMMU_IOAS_ALLOC,
				       &ioas_alloc, sizeof(ioas_alloc),
				       sizeof(ioas_alloc) + 8, 0));
	ASSERT_EQ(0, _test_ioctl_sized(self->iommufd, IOMMU_GET_HW_INFO,
				       &hw_info, sizeof(hw_info),
				       sizeof(hw_info) + 8, 0));
	ASSERT_EQ(0, _test_ioctl_sized(self->iommufd, IOMMU_IOAS_MAP, &map,
				       sizeof(map), sizeof(map) + 8, 0));
	ASSERT_EQ(0, _test_ioctl_sized(self->iommufd, IOMMU_IOAS_UNMAP,
				       &unmap, sizeof(unmap),
				       sizeof(unmap) + 8, 0));
	/* The outputs land where the struct says (the new IOAS ID). */
	memset(&big, 0, sizeof(big));
	big.cmd.size = sizeof(big.cmd) + 8;
	ASSERT_EQ(0, ioctl(self->iommufd, IOMMU_IOAS_ALLOC, &big));
	test_cmd_destroy(big.cmd.out_ioas_id);
	/* Nothing was written past the structure. */
	ASSERT_EQ(-1, vtd_first_not(big.bytes + sizeof(big.cmd), 0,
				    sizeof(big) - sizeof(big.cmd)));

	/* Negative test: VFIO argsz short of the mandatory part */
	EXPECT_ERRNO(EINVAL,
		     _test_ioctl_sized(self->dev.devfd,
				       VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach,
				       sizeof(attach),
				       offsetofend(struct vfio_device_attach_iommufd_pt,
						   pt_id) - 1, 0));
	/* VFIO attach ignores bytes past what its flags ask for. */
	ASSERT_EQ(0, _test_ioctl_sized(self->dev.devfd,
				       VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach,
				       sizeof(attach), sizeof(attach) + 8,
				       0xa5));
}

/*
 * The device's cdev, opened but not bound to an iommufd: what
 * VFIO_DEVICE_BIND_IOMMUFD refuses, and what needs a bind first.
 */
FIXTURE(vtd_unbound) {
	int iommufd;
	struct vtd_dev dev;
};

FIXTURE_SETUP(vtd_unbound)
{
	self->iommufd = -1;
	VTD_DEV_OPEN(return, &self->dev, edu_primary_bdf(), false);
	self->iommufd = self->dev.iommufd;
}

FIXTURE_TEARDOWN(vtd_unbound)
{
	vtd_dev_close(&self->dev);
}

TEST_F(vtd_unbound, bind_errors)
{
	struct vfio_device_bind_iommufd bind = {
		.iommufd = self->iommufd,
	};
	struct vfio_region_info info;
	int closed, null;

	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, null);
	/* Opened last, so nothing reuses its number. */
	closed = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, closed);
	ASSERT_EQ(0, close(closed));

	/* Negative test: file descriptor that is closed */
	test_err_bind(EBADF, self->dev.devfd, closed, 0);
	/* Negative test: file descriptor that is not an iommufd */
	test_err_bind(EBADFD, self->dev.devfd, null, 0);
	test_err_bind(EBADFD, self->dev.devfd, self->dev.devfd, 0);
	/* Negative test: negative file descriptor */
	test_err_bind(EINVAL, self->dev.devfd, -1, 0);
	/* Negative test: unknown flags */
	test_err_bind(EINVAL, self->dev.devfd, self->iommufd, 1U << 1);
	/* Negative test: argsz short of out_devid */
	EXPECT_ERRNO(EINVAL,
		     _test_ioctl_sized(self->dev.devfd,
				       VFIO_DEVICE_BIND_IOMMUFD, &bind,
				       sizeof(bind),
				       offsetofend(struct vfio_device_bind_iommufd,
						   out_devid) - 1, 0));
	/* Negative test: unknown trailing data */
	EXPECT_ERRNO(E2BIG,
		     _test_ioctl_sized(self->dev.devfd,
				       VFIO_DEVICE_BIND_IOMMUFD, &bind,
				       sizeof(bind), sizeof(bind) + 8, 0xa5));

	/* Negative test: device ioctls before the bind */
	EXPECT_ERRNO(EINVAL, vfio_region_info(self->dev.devfd,
					      VFIO_PCI_BAR0_REGION_INDEX,
					      &info));
	test_err_attach(EINVAL, 0, 1);
	test_err_detach(EINVAL, 0);
	close(null);
}

TEST_F(vtd_unbound, bind_once)
{
	struct iommu_hw_info_vtd vtd;
	struct vtd_hw_info_out out;
	__u32 dev_id = 0, ioas, hwpt;
	char node[PATH_MAX];
	int fd2;

	/* The device has an IOMMU group and vfio-pci: bind must work. */
	test_cmd_bind(self->dev.devfd, self->iommufd, &dev_id);
	ASSERT_NE(0, dev_id);
	test_cmd_get_hw_info(dev_id, &vtd, sizeof(vtd), &out);
	ASSERT_EQ(IOMMU_HW_INFO_TYPE_INTEL_VTD, out.data_type);

	/* Negative test: the same file bound twice */
	test_err_bind(EINVAL, self->dev.devfd, self->iommufd, 0);

	/* Negative test: a second open of the cdev while one is bound */
	snprintf(node, sizeof(node), "/proc/self/fd/%d", self->dev.devfd);
	fd2 = open(node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	test_err_bind(EINVAL, fd2, self->iommufd, 0);
	close(fd2);

	/* The device is usable: attach, then closing the cdev unbinds it. */
	test_cmd_ioas_alloc(&ioas);
	ASSERT_EQ(0, _test_cmd_attach(self->dev.devfd, 0, ioas, &hwpt));
	test_err_destroy(EBUSY, ioas);
	close(self->dev.devfd);
	self->dev.devfd = -1;
	self->dev.edu.devfd = -1;
	/* The kernel's HWPT went with the device; the IOAS is free. */
	test_err_destroy(ENOENT, hwpt);
	test_cmd_destroy(ioas);
	/* And so did the device object. */
	test_err_get_hw_info(ENOENT, dev_id, 0, 0, &vtd, sizeof(vtd));
}

TEST_HARNESS_MAIN
