// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtd-nest: real DMA through the IOMMU, driven through iommufd and VFIO
 * cdev, with QEMU's edu device as the initiator. Every test checks the
 * bytes that moved (or did not move) in memory.
 *
 * Variants: "ioas" attaches the device to the IOAS (the kernel allocates
 * the domain), "hwpt" allocates a HWPT with IOMMU_HWPT_ALLOC and attaches
 * that.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vtd_utils.h"
#include "edu.h"
#include "vtd_fault.h"

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << 26)
#endif

#define PAGE		SZ_4K
#define IOVA_LOW	0x100000ULL		/* 1 MiB */
#define IOVA_ABOVE_4G	(SZ_4G + SZ_2M)
#define FILL		0xcc			/* "not written by DMA" */

/* DMA and the fault-log wait take real time under TCG. */
#define DMA_TIMEOUT_S	120

FIXTURE(edu_dma) {
	int iommufd;
	struct vtd_dev dev;
	__u32 ioas_id;
	__u32 hwpt_id;		/* the HWPT the device is attached to */
	__u32 attach_id;	/* what set-up passed to ATTACH (IOAS or HWPT) */
	struct vtd_ranges ranges;
};

FIXTURE_VARIANT(edu_dma) {
	bool explicit_hwpt;
};

FIXTURE_VARIANT_ADD(edu_dma, ioas) {
	.explicit_hwpt = false,
};

FIXTURE_VARIANT_ADD(edu_dma, hwpt) {
	.explicit_hwpt = true,
};

FIXTURE_SETUP(edu_dma)
{
	__u32 out;

	self->iommufd = -1;
	VTD_DEV_OPEN(return, &self->dev, edu_primary_bdf(), true);
	self->iommufd = self->dev.iommufd;

	test_cmd_ioas_alloc(&self->ioas_id);
	if (variant->explicit_hwpt) {
		test_cmd_hwpt_alloc(self->dev.dev_id, self->ioas_id, 0,
				    &self->hwpt_id);
		self->attach_id = self->hwpt_id;
		test_cmd_attach(self->hwpt_id, &out);
		ASSERT_EQ(self->hwpt_id, out);
	} else {
		self->attach_id = self->ioas_id;
		test_cmd_attach(self->ioas_id, &self->hwpt_id);
		/* The kernel reports the HWPT it attached. */
		ASSERT_NE(self->ioas_id, self->hwpt_id);
	}
	ASSERT_EQ(0, vtd_get_ranges(self->iommufd, self->ioas_id,
				    &self->ranges));
	ASSERT_LT(0, self->ranges.num);
}

FIXTURE_TEARDOWN(edu_dma)
{
	vtd_dev_close(&self->dev);
}

#define to_dev(iova, off, len) EDU_TO_DEV(&self->dev.edu, iova, off, len)
#define to_ram(iova, off, len) EDU_TO_RAM(&self->dev.edu, iova, off, len)

/*
 * Map a pattern page and a destination page at iova and iova + 4K, move
 * the page RAM -> device -> RAM and compare byte for byte; unmap.
 */
static void roundtrip_at(struct __test_metadata *_metadata,
			 struct _test_data_edu_dma *self, __u64 iova)
{
	uint8_t *src = vtd_alloc(_metadata, PAGE, 0);
	uint8_t *dst = vtd_alloc(_metadata, PAGE, FILL);

	TH_LOG("IOVA 0x%llx", (unsigned long long)iova);
	vtd_fill(src, PAGE, vtd_seed());
	test_cmd_ioas_map_fixed(self->ioas_id, src, PAGE, iova, MAP_RO);
	test_cmd_ioas_map_fixed(self->ioas_id, dst, PAGE, iova + PAGE, MAP_RW);

	to_dev(iova, 0, PAGE);
	to_ram(iova + PAGE, 0, PAGE);
	ASSERT_BYTES_EQ(src, dst, PAGE);

	test_cmd_ioas_unmap(self->ioas_id, iova, PAGE);
	test_cmd_ioas_unmap(self->ioas_id, iova + PAGE, PAGE);
	munmap(src, PAGE);
	munmap(dst, PAGE);
}

/*
 * The device reads unmapped (and once used) iova: the IOMMU must record a
 * read fault at exactly that page, and the device must not get secret, the
 * bytes in memory behind it. scratch (mapped writeable at scratch_iova)
 * first loads the device with a known pattern, then receives what the
 * device holds after the blocked read.
 */
static void blocked_read(struct __test_metadata *_metadata,
			 struct _test_data_edu_dma *self, __u64 iova,
			 const uint8_t *secret, uint8_t *scratch,
			 __u64 scratch_iova)
{
	struct vtd_fault_log log;
	uint8_t before[PAGE];

	vtd_fill(before, PAGE, vtd_seed());
	memcpy(scratch, before, PAGE);
	to_dev(scratch_iova, 0, PAGE);
	memset(scratch, FILL, PAGE);

	vtd_fault_log_begin(&log, &self->dev.edu);
	to_dev(iova, 0, PAGE);
	EXPECT_FAULT_EXACT(&log, iova, 'R', VTD_FR_FL_NOT_PRESENT);
	to_ram(scratch_iova, 0, PAGE);
	ASSERT_NOT_LEAKED(secret, scratch, before, PAGE);
}

/*
 * The device writes to unmapped (and once used) iova: the IOMMU must
 * record a write fault at exactly that page, and memory (snap: a copy of
 * the len bytes at mem) must not change at all.
 */
static void blocked_write(struct __test_metadata *_metadata,
			  struct _test_data_edu_dma *self, __u64 iova,
			  const uint8_t *mem, const uint8_t *snap, size_t len)
{
	struct vtd_fault_log log;

	vtd_fault_log_begin(&log, &self->dev.edu);
	to_ram(iova, 0, PAGE);
	EXPECT_FAULT_EXACT(&log, iova, 'W', VTD_FR_FL_NOT_PRESENT);
	ASSERT_BYTES_EQ_MSG(snap, mem, len, " (after a write to 0x%llx)",
			    (unsigned long long)iova);
}

#define SKIP_UNLESS_ALLOWED(statement, iova, len)			\
	do {								\
		__u64 __iova = (iova);					\
		__u64 __len = (len);					\
		if (!vtd_range_allowed(&self->ranges, __iova, __len))	\
			SKIP(statement, "IOVA 0x%llx..+0x%llx is outside the IOAS ranges", \
			     (unsigned long long)__iova,		\
			     (unsigned long long)__len);		\
	} while (0)

TEST_F_TIMEOUT(edu_dma, roundtrip_low, DMA_TIMEOUT_S)
{
	SKIP_UNLESS_ALLOWED(return, IOVA_LOW, 2 * PAGE);
	roundtrip_at(_metadata, self, IOVA_LOW);
}

TEST_F_TIMEOUT(edu_dma, roundtrip_above_4g, DMA_TIMEOUT_S)
{
	SKIP_UNLESS_ALLOWED(return, IOVA_ABOVE_4G, 2 * PAGE);
	roundtrip_at(_metadata, self, IOVA_ABOVE_4G);
}

/* The last two pages below 2^48 that the IOAS allows. */
TEST_F_TIMEOUT(edu_dma, roundtrip_top48, DMA_TIMEOUT_S)
{
	__u64 iova = vtd_top_window(&self->ranges, 2 * PAGE, (1ULL << 48) - 1);

	if (iova < (1ULL << 46))
		SKIP(return, "no IOVA in the top quarter of a 48-bit space (highest usable 0x%llx)",
		     (unsigned long long)iova);
	roundtrip_at(_metadata, self, iova);
}

/* The last two pages of the highest range, whatever its width. */
TEST_F_TIMEOUT(edu_dma, roundtrip_top_of_ranges, DMA_TIMEOUT_S)
{
	__u64 iova = vtd_top_window(&self->ranges, 2 * PAGE, ~0ULL);

	ASSERT_NE(0, iova);
	roundtrip_at(_metadata, self, iova);
}

/* Let the kernel choose the IOVAs. */
TEST_F_TIMEOUT(edu_dma, roundtrip_kernel_iova, DMA_TIMEOUT_S)
{
	uint8_t *src = vtd_alloc(_metadata, PAGE, 0);
	uint8_t *dst = vtd_alloc(_metadata, PAGE, FILL);
	__u64 src_iova = 0, dst_iova = 0;

	vtd_fill(src, PAGE, vtd_seed());
	test_cmd_ioas_map(self->ioas_id, src, PAGE, &src_iova, MAP_RO);
	test_cmd_ioas_map(self->ioas_id, dst, PAGE, &dst_iova, MAP_RW);
	ASSERT_NE(src_iova, dst_iova);
	ASSERT_EQ(0, src_iova % PAGE);
	ASSERT_EQ(0, dst_iova % PAGE);
	ASSERT_TRUE(vtd_range_allowed(&self->ranges, src_iova, PAGE));
	ASSERT_TRUE(vtd_range_allowed(&self->ranges, dst_iova, PAGE));

	to_dev(src_iova, 0, PAGE);
	to_ram(dst_iova, 0, PAGE);
	ASSERT_BYTES_EQ(src, dst, PAGE);
}

/*
 * Two separately mapped pages at consecutive IOVAs; transfers of odd sizes
 * at odd offsets, across the page boundary; the destination bytes around
 * each transfer must stay untouched.
 */
TEST_F_TIMEOUT(edu_dma, odd_offsets_across_pages, DMA_TIMEOUT_S)
{
	static const struct { uint32_t off, len, dev_off; } cases[] = {
		{ 0x800, PAGE, 0 },		/* half of each page */
		{ PAGE - 1, 2, 0x10 },		/* one byte either side */
		{ 0x123, 1, 0xfff },		/* one byte, last device byte */
		{ PAGE + 0x7, 0xabc, 0x301 },	/* inside the second page */
		{ 0x1, PAGE - 1, 0x1 },
	};
	uint8_t *lo = vtd_alloc(_metadata, PAGE, 0);
	uint8_t *hi = vtd_alloc(_metadata, PAGE, 0);
	uint8_t *dlo = vtd_alloc(_metadata, PAGE, FILL);
	uint8_t *dhi = vtd_alloc(_metadata, PAGE, FILL);
	uint8_t src[2 * PAGE], dst[2 * PAGE], want[2 * PAGE];
	__u64 s = IOVA_LOW, d = IOVA_LOW + 4 * PAGE;
	unsigned int i;

	SKIP_UNLESS_ALLOWED(return, s, 6 * PAGE);
	test_cmd_ioas_map_fixed(self->ioas_id, lo, PAGE, s, MAP_RO);
	test_cmd_ioas_map_fixed(self->ioas_id, hi, PAGE, s + PAGE, MAP_RO);
	test_cmd_ioas_map_fixed(self->ioas_id, dlo, PAGE, d, MAP_RW);
	test_cmd_ioas_map_fixed(self->ioas_id, dhi, PAGE, d + PAGE, MAP_RW);

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t off = cases[i].off, len = cases[i].len;

		vtd_fill(src, sizeof(src), vtd_seed());
		memcpy(lo, src, PAGE);
		memcpy(hi, src + PAGE, PAGE);
		memset(dlo, FILL, PAGE);
		memset(dhi, FILL, PAGE);

		to_dev(s + off, cases[i].dev_off, len);
		to_ram(d + off, cases[i].dev_off, len);

		memcpy(dst, dlo, PAGE);
		memcpy(dst + PAGE, dhi, PAGE);
		memset(want, FILL, sizeof(want));
		memcpy(want + off, src + off, len);
		ASSERT_BYTES_EQ_MSG(want, dst, sizeof(want),
				    " (offset 0x%x length 0x%x device offset 0x%x)",
				    off, len, cases[i].dev_off);
	}
}

/*
 * After IOMMU_IOAS_UNMAP the device can neither write nor read the pages,
 * even though it used them just before (the IOTLB held them); a new
 * mapping at the same IOVA reaches the new page, not the old one.
 */
TEST_F_TIMEOUT(edu_dma, unmap_blocks_dma, DMA_TIMEOUT_S)
{
	uint8_t *a = vtd_alloc(_metadata, PAGE, 0);
	uint8_t *b = vtd_alloc(_metadata, PAGE, FILL);
	uint8_t *c = vtd_alloc(_metadata, PAGE, FILL);
	uint8_t *n = vtd_alloc(_metadata, PAGE, 0);
	__u64 x = IOVA_LOW, y = IOVA_LOW + PAGE, z = IOVA_LOW + 2 * PAGE;
	struct vtd_fault_log log;
	uint8_t p1[PAGE];

	SKIP_UNLESS_ALLOWED(return, x, 3 * PAGE);
	vtd_fill(p1, PAGE, vtd_seed());
	memcpy(a, p1, PAGE);
	test_cmd_ioas_map_fixed(self->ioas_id, a, PAGE, x, MAP_RW);
	test_cmd_ioas_map_fixed(self->ioas_id, b, PAGE, y, MAP_RW);
	test_cmd_ioas_map_fixed(self->ioas_id, c, PAGE, z, MAP_RW);

	/* Both directions work while mapped (and fill the IOTLB). */
	to_dev(x, 0, PAGE);
	to_ram(y, 0, PAGE);
	ASSERT_BYTES_EQ(p1, b, PAGE);

	/* Write to an unmapped IOVA. */
	memset(b, FILL, PAGE);
	test_cmd_ioas_unmap(self->ioas_id, y, PAGE);
	vtd_fault_log_begin(&log, &self->dev.edu);
	to_ram(y, 0, PAGE);
	ASSERT_UNTOUCHED(b, FILL, PAGE);
	EXPECT_FAULT_EXACT(&log, y, 'W', VTD_FR_FL_NOT_PRESENT);

	/*
	 * Read from an unmapped IOVA: the new bytes must not reach the
	 * device, which holds p1 from the first transfer.
	 */
	vtd_fill(a, PAGE, vtd_seed());
	test_cmd_ioas_unmap(self->ioas_id, x, PAGE);
	vtd_fault_log_begin(&log, &self->dev.edu);
	to_dev(x, 0, PAGE);
	to_ram(z, 0, PAGE);
	ASSERT_NOT_LEAKED(a, c, p1, PAGE);
	EXPECT_FAULT_EXACT(&log, x, 'R', VTD_FR_FL_NOT_PRESENT);

	/* The same IOVA, a different page: DMA reaches the new one. */
	vtd_fill(n, PAGE, vtd_seed());
	test_cmd_ioas_map_fixed(self->ioas_id, n, PAGE, x, MAP_RW);
	to_dev(x, 0, PAGE);
	memset(c, FILL, PAGE);
	to_ram(z, 0, PAGE);
	ASSERT_BYTES_EQ(n, c, PAGE);
}

/*
 * A mapping without IOMMU_IOAS_MAP_WRITEABLE can be read by DMA but not
 * written, whether or not the IOTLB holds its translation.
 */
TEST_F_TIMEOUT(edu_dma, readonly_mapping, DMA_TIMEOUT_S)
{
	uint8_t *ro = vtd_alloc(_metadata, PAGE, 0);
	uint8_t *rw = vtd_alloc(_metadata, PAGE, FILL);
	uint8_t *other = vtd_alloc(_metadata, PAGE, 0);
	__u64 x = IOVA_LOW, y = IOVA_LOW + PAGE, z = IOVA_LOW + 2 * PAGE;
	struct vtd_fault_log log;
	uint8_t p1[PAGE];

	SKIP_UNLESS_ALLOWED(return, x, 3 * PAGE);
	vtd_fill(p1, PAGE, vtd_seed());
	memcpy(ro, p1, PAGE);
	vtd_fill(other, PAGE, vtd_seed());
	test_cmd_ioas_map_fixed(self->ioas_id, ro, PAGE, x, MAP_RO);
	test_cmd_ioas_map_fixed(self->ioas_id, rw, PAGE, y, MAP_RW);
	test_cmd_ioas_map_fixed(self->ioas_id, other, PAGE, z, MAP_RO);

	/*
	 * Load other bytes into the device and try to write them over ro
	 * before anything used x, so the IOMMU walks the table: it must
	 * refuse and record a fault.
	 */
	to_dev(z, 0, PAGE);
	vtd_fault_log_begin(&log, &self->dev.edu);
	to_ram(x, 0, PAGE);
	ASSERT_BYTES_EQ(p1, ro, PAGE);
	EXPECT_FAULT_EXACT(&log, x, 'W', VTD_FR_WRITE_RO);

	/* Reading through the read-only mapping works. */
	to_dev(x, 0, PAGE);
	to_ram(y, 0, PAGE);
	ASSERT_BYTES_EQ(p1, rw, PAGE);

	/*
	 * Again, now that the read left the translation in the IOTLB. (QEMU
	 * 10.0 refuses a write that hits a read-only IOTLB entry without
	 * recording a fault, so only the bytes are checked here.)
	 */
	to_dev(z, 0, PAGE);
	to_ram(x, 0, PAGE);
	ASSERT_BYTES_EQ(p1, ro, PAGE);

	/* The device did hold the other bytes: they land in rw. */
	memset(rw, FILL, PAGE);
	to_ram(y, 0, PAGE);
	ASSERT_BYTES_EQ(other, rw, PAGE);
}

/*
 * VFIO_DEVICE_DETACH_IOMMUFD_PT blocks DMA although the IOAS still maps
 * the pages; attaching again restores it.
 */
TEST_F_TIMEOUT(edu_dma, detach_blocks_dma, DMA_TIMEOUT_S)
{
	uint8_t *src = vtd_alloc(_metadata, PAGE, 0);
	uint8_t *dst = vtd_alloc(_metadata, PAGE, FILL);
	__u64 x = IOVA_LOW, y = IOVA_LOW + PAGE;
	struct vtd_fault_log log;
	__u32 out;

	SKIP_UNLESS_ALLOWED(return, x, 2 * PAGE);
	vtd_fill(src, PAGE, vtd_seed());
	test_cmd_ioas_map_fixed(self->ioas_id, src, PAGE, x, MAP_RO);
	test_cmd_ioas_map_fixed(self->ioas_id, dst, PAGE, y, MAP_RW);
	to_dev(x, 0, PAGE);

	test_cmd_detach();
	vtd_fault_log_begin(&log, &self->dev.edu);
	to_ram(y, 0, PAGE);
	ASSERT_UNTOUCHED(dst, FILL, PAGE);
	/* Blocked: the reason depends on how the driver blocks. */
	EXPECT_FAULT_EXACT(&log, y, 'W', -1);

	test_cmd_attach(self->attach_id, &out);
	to_ram(y, 0, PAGE);
	ASSERT_BYTES_EQ(src, dst, PAGE);
}

/*
 * Replace the attached page table with VFIO_DEVICE_ATTACH_IOMMUFD_PT while
 * mappings exist: a second IOAS maps the same IOVAs to other pages, so the
 * bytes tell which table the device used.
 */
TEST_F_TIMEOUT(edu_dma, replace_ioas, DMA_TIMEOUT_S)
{
	uint8_t *a1 = vtd_alloc(_metadata, PAGE, 0);
	uint8_t *d1 = vtd_alloc(_metadata, PAGE, FILL);
	uint8_t *a2 = vtd_alloc(_metadata, PAGE, 0);
	uint8_t *d2 = vtd_alloc(_metadata, PAGE, FILL);
	__u64 x = IOVA_LOW, y = IOVA_LOW + PAGE;
	__u32 ioas2, hwpt2 = 0, pt2, out;

	SKIP_UNLESS_ALLOWED(return, x, 2 * PAGE);
	vtd_fill(a1, PAGE, vtd_seed());
	vtd_fill(a2, PAGE, vtd_seed());
	test_cmd_ioas_map_fixed(self->ioas_id, a1, PAGE, x, MAP_RO);
	test_cmd_ioas_map_fixed(self->ioas_id, d1, PAGE, y, MAP_RW);

	/* The second IOAS is filled before any device uses it. */
	test_cmd_ioas_alloc(&ioas2);
	test_cmd_ioas_map_fixed(ioas2, a2, PAGE, x, MAP_RO);
	test_cmd_ioas_map_fixed(ioas2, d2, PAGE, y, MAP_RW);
	if (variant->explicit_hwpt) {
		test_cmd_hwpt_alloc(self->dev.dev_id, ioas2, 0, &hwpt2);
		pt2 = hwpt2;
	} else {
		pt2 = ioas2;
	}

	to_dev(x, 0, PAGE);
	to_ram(y, 0, PAGE);
	ASSERT_BYTES_EQ(a1, d1, PAGE);
	ASSERT_UNTOUCHED(d2, FILL, PAGE);

	test_cmd_attach(pt2, &out);
	if (!variant->explicit_hwpt)
		hwpt2 = out;
	ASSERT_EQ(hwpt2, out);
	ASSERT_NE(self->hwpt_id, hwpt2);
	memset(d1, FILL, PAGE);
	to_dev(x, 0, PAGE);
	to_ram(y, 0, PAGE);
	ASSERT_BYTES_EQ(a2, d2, PAGE);
	ASSERT_UNTOUCHED(d1, FILL, PAGE);

	/* In use: neither the attached HWPT nor its IOAS can go. */
	test_err_destroy(EBUSY, hwpt2);
	test_err_destroy(EBUSY, ioas2);

	/* And back. */
	test_cmd_attach(self->attach_id, &out);
	memset(d2, FILL, PAGE);
	to_dev(x, 0, PAGE);
	to_ram(y, 0, PAGE);
	ASSERT_BYTES_EQ(a1, d1, PAGE);
	ASSERT_UNTOUCHED(d2, FILL, PAGE);

	if (variant->explicit_hwpt)
		test_cmd_destroy(hwpt2);
	test_cmd_destroy(ioas2);
}

/*
 * Replace with a second HWPT of the same IOAS: the existing mappings are
 * in the new domain, and mappings made afterwards reach it too.
 */
TEST_F_TIMEOUT(edu_dma, replace_hwpt_same_ioas, DMA_TIMEOUT_S)
{
	uint8_t *a = vtd_alloc(_metadata, PAGE, 0);
	uint8_t *b = vtd_alloc(_metadata, PAGE, 0);
	uint8_t *d = vtd_alloc(_metadata, PAGE, FILL);
	__u64 x = IOVA_LOW, y = IOVA_LOW + PAGE, z = IOVA_LOW + 2 * PAGE;
	__u32 hwpt2, out;

	SKIP_UNLESS_ALLOWED(return, x, 3 * PAGE);
	vtd_fill(a, PAGE, vtd_seed());
	vtd_fill(b, PAGE, vtd_seed());
	test_cmd_ioas_map_fixed(self->ioas_id, a, PAGE, x, MAP_RO);
	test_cmd_ioas_map_fixed(self->ioas_id, d, PAGE, z, MAP_RW);

	test_cmd_hwpt_alloc(self->dev.dev_id, self->ioas_id, 0, &hwpt2);
	ASSERT_NE(self->hwpt_id, hwpt2);
	test_cmd_attach(hwpt2, &out);
	ASSERT_EQ(hwpt2, out);

	to_dev(x, 0, PAGE);
	to_ram(z, 0, PAGE);
	ASSERT_BYTES_EQ(a, d, PAGE);

	test_cmd_ioas_map_fixed(self->ioas_id, b, PAGE, y, MAP_RO);
	memset(d, FILL, PAGE);
	to_dev(y, 0, PAGE);
	to_ram(z, 0, PAGE);
	ASSERT_BYTES_EQ(b, d, PAGE);

	test_err_destroy(EBUSY, hwpt2);
	test_cmd_attach(self->attach_id, &out);
	test_cmd_destroy(hwpt2);

	/* The original domain got the later mapping as well. */
	memset(d, FILL, PAGE);
	to_dev(y, 0, PAGE);
	to_ram(z, 0, PAGE);
	ASSERT_BYTES_EQ(b, d, PAGE);
}

/*
 * 4096 separate 4 KiB mappings: DMA through a spread of them (each page
 * has its own pattern), across the boundary of two of them, then unmap
 * them (half one by one, half in one call) and check DMA is blocked.
 */
#define MANY	4096U

TEST_F_TIMEOUT(edu_dma, many_mappings, 600)
{
	static const unsigned int probe[] = {
		0, 1, 2, 511, 512, 1000, 2047, 2048, 3333, 4094, 4095,
	};
	size_t len = (size_t)MANY * PAGE;
	uint8_t *buf = vtd_alloc(_metadata, len, 0);
	uint8_t *dst = vtd_alloc(_metadata, PAGE, FILL);
	__u64 base = 0x10000000ULL, dst_iova = base + 2 * len, got;
	uint64_t seed = vtd_seed();
	unsigned int i, p;

	SKIP_UNLESS_ALLOWED(return, base, 2 * len + PAGE);
	for (i = 0; i < MANY; i++)
		vtd_fill(buf + (size_t)i * PAGE, PAGE, seed + i);

	for (i = 0; i < MANY; i++)
		test_cmd_ioas_map_fixed(self->ioas_id, buf + (size_t)i * PAGE,
					PAGE, base + (__u64)i * PAGE, MAP_RO);
	test_cmd_ioas_map_fixed(self->ioas_id, dst, PAGE, dst_iova, MAP_RW);
	test_err_ioas_map_fixed(EEXIST, self->ioas_id, buf, PAGE,
				base + 100 * PAGE, MAP_RO);

	for (i = 0; i < ARRAY_SIZE(probe); i++) {
		p = probe[i];
		memset(dst, FILL, PAGE);
		to_dev(base + (__u64)p * PAGE, 0, PAGE);
		to_ram(dst_iova, 0, PAGE);
		ASSERT_BYTES_EQ_MSG(buf + (size_t)p * PAGE, dst, PAGE,
				    " (mapping %u)", p);
	}

	/* Half of page 2047 and half of page 2048: two areas. */
	memset(dst, FILL, PAGE);
	to_dev(base + 2047ULL * PAGE + PAGE / 2, 0, PAGE);
	to_ram(dst_iova, 0, PAGE);
	ASSERT_BYTES_EQ(buf + 2047UL * PAGE + PAGE / 2, dst, PAGE);

	for (i = 0; i < MANY / 2; i++)
		test_cmd_ioas_unmap(self->ioas_id, base + (__u64)i * PAGE, PAGE);
	ASSERT_EQ(0, _test_cmd_ioas_unmap(self->iommufd, self->ioas_id,
					  base + len / 2, len / 2, &got));
	ASSERT_EQ(len / 2, got);
	test_err_ioas_unmap(ENOENT, self->ioas_id, base, len);

	/*
	 * Refresh the pages in memory; the device must not see them. Before
	 * each blocked read the device is loaded with a known pattern.
	 */
	vtd_fill(buf + 10 * PAGE, PAGE, vtd_seed());
	vtd_fill(buf + 4000UL * PAGE, PAGE, vtd_seed());
	blocked_read(_metadata, self, base + 10 * PAGE, buf + 10 * PAGE, dst,
		     dst_iova);
	blocked_read(_metadata, self, base + 4000ULL * PAGE, buf + 4000UL * PAGE,
		     dst, dst_iova);

	/* The whole range is free again. */
	test_cmd_ioas_map_fixed(self->ioas_id, buf, len, base, MAP_RO);
	memset(dst, FILL, PAGE);
	to_dev(base + 4000ULL * PAGE, 0, PAGE);
	to_ram(dst_iova, 0, PAGE);
	ASSERT_BYTES_EQ(buf + 4000UL * PAGE, dst, PAGE);
	test_cmd_ioas_unmap(self->ioas_id, base, len);
}

/*
 * 2 MiB hugetlb pages: reserves one through sysfs when none is free, and
 * gives the reservation back when done.
 */
#define HUGE_SYSFS "/sys/kernel/mm/hugepages/hugepages-2048kB/"

struct huge_page {
	uint8_t *p;
	uint64_t nr;		/* nr_hugepages before */
	bool raised;
	char why[64];
};

static void huge_put(struct huge_page *h)
{
	char val[32];

	if (h->p)
		munmap(h->p, SZ_2M);
	h->p = NULL;
	if (h->raised) {
		snprintf(val, sizeof(val), "%llu", (unsigned long long)h->nr);
		sysfs_write(HUGE_SYSFS "nr_hugepages", val);
		h->raised = false;
	}
}

static bool huge_get(struct huge_page *h)
{
	uint64_t free_pages = 0;
	char val[32];
	void *p;

	memset(h, 0, sizeof(*h));
	if (sysfs_read_u64(HUGE_SYSFS "nr_hugepages", &h->nr) ||
	    sysfs_read_u64(HUGE_SYSFS "free_hugepages", &free_pages)) {
		snprintf(h->why, sizeof(h->why),
			 "no 2 MiB hugetlb pages (CONFIG_HUGETLBFS)");
		return false;
	}
	if (!free_pages) {
		snprintf(val, sizeof(val), "%llu", (unsigned long long)h->nr + 1);
		h->raised = !sysfs_write(HUGE_SYSFS "nr_hugepages", val);
	}
	p = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB,
		 -1, 0);
	if (p == MAP_FAILED) {
		huge_put(h);
		snprintf(h->why, sizeof(h->why),
			 "cannot get a 2 MiB hugetlb page");
		return false;
	}
	h->p = p;
	return true;
}

/*
 * One mapping of a 2 MiB hugetlb page at a 2 MiB-aligned IOVA (a
 * superpage leaf where the driver uses one): reads at several offsets and
 * a write into its middle.
 */
TEST_F_TIMEOUT(edu_dma, hugepage_2m, DMA_TIMEOUT_S)
{
	static const uint32_t offs[] = { 0, PAGE, 0xff800, SZ_2M - PAGE };
	__u64 iova = 0x40000000ULL, dst_iova = iova + SZ_2M;
	uint8_t *dst = vtd_alloc(_metadata, PAGE, FILL);
	uint8_t *src = vtd_alloc(_metadata, PAGE, 0);
	struct huge_page h;
	uint8_t *huge;
	unsigned int i;

	SKIP_UNLESS_ALLOWED(return, iova, SZ_2M + 2 * PAGE);
	if (!huge_get(&h))
		SKIP(return, "%s", h.why);
	huge = h.p;
	vtd_fill(huge, SZ_2M, vtd_seed());
	test_cmd_ioas_map_fixed(self->ioas_id, huge, SZ_2M, iova, MAP_RW);
	test_cmd_ioas_map_fixed(self->ioas_id, dst, PAGE, dst_iova, MAP_RW);
	test_cmd_ioas_map_fixed(self->ioas_id, src, PAGE, dst_iova + PAGE,
				MAP_RO);

	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		memset(dst, FILL, PAGE);
		to_dev(iova + offs[i], 0, PAGE);
		to_ram(dst_iova, 0, PAGE);
		ASSERT_BYTES_EQ_MSG(huge + offs[i], dst, PAGE,
				    " (offset 0x%x)", offs[i]);
	}

	/* A write into the middle lands there and nowhere else. */
	vtd_fill(src, PAGE, vtd_seed());
	memcpy(dst, huge, PAGE);	/* keep a copy of the first page */
	to_dev(dst_iova + PAGE, 0, PAGE);
	to_ram(iova + 0x123000, 0, PAGE);
	ASSERT_BYTES_EQ(src, huge + 0x123000, PAGE);
	ASSERT_BYTES_EQ(dst, huge, PAGE);

	test_cmd_ioas_unmap(self->ioas_id, iova, SZ_2M);
	huge_put(&h);
}

/*
 * A large unmap: 2048 pages in one IOMMU_IOAS_UNMAP, after DMA through
 * the first, a middle and the last of them (so the IOTLB holds their
 * translations). Afterwards a DMA write to each faults at exactly that
 * address as a write and changes no byte of the 8 MiB, and a DMA read
 * faults as a read and brings the device none of the bytes.
 */
#define LARGE_PAGES	2048U

TEST_F_TIMEOUT(edu_dma, unmap_2048_pages_faults, DMA_TIMEOUT_S)
{
	static const unsigned int used[] = { 0, 1234, LARGE_PAGES - 1 };
	size_t len = (size_t)LARGE_PAGES * PAGE;
	__u64 base = 0x20000000ULL, scratch_iova = base + len + SZ_2M;
	uint8_t *buf = vtd_alloc(_metadata, len, 0);
	uint8_t *snap = vtd_alloc(_metadata, len, 0);
	uint8_t *scratch = vtd_alloc(_metadata, PAGE, FILL);
	unsigned int i;
	__u64 got = 0;

	SKIP_UNLESS_ALLOWED(return, base, len + SZ_2M + PAGE);
	vtd_fill(buf, len, vtd_seed());
	test_cmd_ioas_map_fixed(self->ioas_id, buf, len, base, MAP_RW);
	test_cmd_ioas_map_fixed(self->ioas_id, scratch, PAGE, scratch_iova,
				MAP_RW);

	/* Read each used page, write it back one page on: both work. */
	for (i = 0; i < ARRAY_SIZE(used); i++) {
		__u64 iova = base + (__u64)used[i] * PAGE;

		to_dev(iova, 0, PAGE);
		to_ram(scratch_iova, 0, PAGE);
		ASSERT_BYTES_EQ_MSG(buf + (size_t)used[i] * PAGE, scratch, PAGE,
				    " (page %u)", used[i]);
		to_ram(iova, 0, PAGE);
		ASSERT_BYTES_EQ(scratch, buf + (size_t)used[i] * PAGE, PAGE);
	}

	ASSERT_EQ(0, _test_cmd_ioas_unmap(self->iommufd, self->ioas_id, base,
					  len, &got));
	ASSERT_EQ(len, got);
	vtd_fill(buf, len, vtd_seed());
	memcpy(snap, buf, len);

	for (i = 0; i < ARRAY_SIZE(used); i++) {
		__u64 iova = base + (__u64)used[i] * PAGE;

		blocked_write(_metadata, self, iova, buf, snap, len);
		blocked_read(_metadata, self, iova, buf + (size_t)used[i] * PAGE,
			     scratch, scratch_iova);
	}
	munmap(snap, len);
	munmap(buf, len);
}

/* The same for a 2 MiB hugetlb page mapped (and unmapped) whole. */
TEST_F_TIMEOUT(edu_dma, unmap_hugepage_faults, DMA_TIMEOUT_S)
{
	static const uint32_t offs[] = { 0, 0x123000, SZ_2M - PAGE };
	__u64 iova = 0x40000000ULL, scratch_iova = iova + SZ_2M;
	uint8_t *scratch = vtd_alloc(_metadata, PAGE, FILL);
	uint8_t *snap = vtd_alloc(_metadata, SZ_2M, 0);
	struct huge_page h;
	unsigned int i;

	SKIP_UNLESS_ALLOWED(return, iova, SZ_2M + PAGE);
	if (!huge_get(&h))
		SKIP(return, "%s", h.why);
	vtd_fill(h.p, SZ_2M, vtd_seed());
	test_cmd_ioas_map_fixed(self->ioas_id, h.p, SZ_2M, iova, MAP_RW);
	test_cmd_ioas_map_fixed(self->ioas_id, scratch, PAGE, scratch_iova,
				MAP_RW);
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		to_dev(iova + offs[i], 0, PAGE);
		to_ram(scratch_iova, 0, PAGE);
		ASSERT_BYTES_EQ_MSG(h.p + offs[i], scratch, PAGE,
				    " (offset 0x%x)", offs[i]);
		to_ram(iova + offs[i], 0, PAGE);
	}

	test_cmd_ioas_unmap(self->ioas_id, iova, SZ_2M);
	vtd_fill(h.p, SZ_2M, vtd_seed());
	memcpy(snap, h.p, SZ_2M);
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		blocked_write(_metadata, self, iova + offs[i], h.p, snap, SZ_2M);
		blocked_read(_metadata, self, iova + offs[i], h.p + offs[i],
			     scratch, scratch_iova);
	}
	huge_put(&h);
}

TEST_HARNESS_MAIN
