// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtd-nest: two devices, two address spaces. The primary edu and a second
 * edu in an IOMMU group of its own each get an IOAS that maps the same
 * IOVAs to different pages; each device's DMA must reach its own pages and
 * never the other's, checked byte for byte both ways and by the faults
 * the IOMMU records.
 *
 * Variants: "two_ctx" binds each device to its own iommufd (two VMMs),
 * "one_ctx" binds both to one iommufd with two IOASes (one VMM, two
 * guests or two devices kept apart).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vtd_utils.h"
#include "edu.h"
#include "vtd_fault.h"

#define PAGE		SZ_4K
#define FILL		0xcc
#define DMA_TIMEOUT_S	120

/* The same IOVAs in both IOASes. */
#define IOVA_SRC	0x100000ULL		/* read by the device */
#define IOVA_DST	(IOVA_SRC + PAGE)	/* written by the device */
/* Mapped in one IOAS only: A's at IOVA_ONLY_A, B's at IOVA_ONLY_B. */
#define IOVA_ONLY_A	0x200000ULL
#define IOVA_ONLY_B	0x300000ULL

/* One device and what it may reach. */
struct side {
	struct vtd_dev dev;
	int iommufd;		/* the context its IOAS lives in */
	__u32 ioas;
	uint8_t *src, *dst, *only;	/* at IOVA_SRC, IOVA_DST, IOVA_ONLY_x */
};

FIXTURE(two_edu) {
	struct side a, b;
};

FIXTURE_VARIANT(two_edu) {
	bool one_ctx;
};

FIXTURE_VARIANT_ADD(two_edu, two_ctx) {
	.one_ctx = false,
};

FIXTURE_VARIANT_ADD(two_edu, one_ctx) {
	.one_ctx = true,
};

static void side_map(struct __test_metadata *_metadata, struct side *s,
		     __u64 only_iova)
{
	s->src = vtd_alloc(_metadata, PAGE, 0);
	s->dst = vtd_alloc(_metadata, PAGE, FILL);
	s->only = vtd_alloc(_metadata, PAGE, 0);
	vtd_fill(s->src, PAGE, vtd_seed());
	vtd_fill(s->only, PAGE, vtd_seed());
	ASSERT_EQ(0, _test_cmd_ioas_alloc(s->iommufd, 0, &s->ioas));
	ASSERT_EQ(0, _test_cmd_ioas_map(s->iommufd, s->ioas, s->src, PAGE,
					&(__u64){ IOVA_SRC },
					MAP_RO | IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(0, _test_cmd_ioas_map(s->iommufd, s->ioas, s->dst, PAGE,
					&(__u64){ IOVA_DST },
					MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(0, _test_cmd_ioas_map(s->iommufd, s->ioas, s->only, PAGE,
					&(__u64){ only_iova },
					MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(0, _test_cmd_attach(s->dev.devfd, 0, s->ioas, NULL));
}

FIXTURE_SETUP(two_edu)
{
	char path[PATH_MAX + 64], group_a[32], group_b[32];
	struct vtd_why why = {};

	self->a.iommufd = -1;
	self->b.iommufd = -1;
	VTD_DEV_OPEN(return, &self->a.dev, edu_primary_bdf(), true);
	self->a.iommufd = self->a.dev.iommufd;
	VTD_DEV_OPEN(return, &self->b.dev, edu_second_bdf(), !variant->one_ctx);
	self->b.iommufd = self->b.dev.iommufd;
	if (variant->one_ctx) {
		/* B joins A's context. */
		self->b.iommufd = self->a.iommufd;
		ASSERT_EQ(0, _test_cmd_bind(self->b.dev.devfd, self->a.iommufd,
					    0, &self->b.dev.dev_id));
		ASSERT_EQ(VTD_SETUP_OK, edu_enable(&self->b.dev.edu, &why)) {
			TH_LOG("%s", why.msg);
		}
	}
	/* Two devices, each in an IOMMU group of its own. */
	snprintf(path, sizeof(path), "%s/iommu_group", self->a.dev.edu.sysfs);
	sysfs_link_name(path, group_a, sizeof(group_a));
	snprintf(path, sizeof(path), "%s/iommu_group", self->b.dev.edu.sysfs);
	sysfs_link_name(path, group_b, sizeof(group_b));
	ASSERT_NE(0, strcmp(group_a, group_b)) {
		TH_LOG("%s and %s share IOMMU group %s", self->a.dev.edu.bdf,
		       self->b.dev.edu.bdf, group_a);
	}
	side_map(_metadata, &self->a, IOVA_ONLY_A);
	side_map(_metadata, &self->b, IOVA_ONLY_B);
}

FIXTURE_TEARDOWN(two_edu)
{
	vtd_dev_close(&self->b.dev);
	vtd_dev_close(&self->a.dev);
	/*
	 * Leave the second edu without a driver, as it was: the IOMMU driver
	 * cannot be unloaded while one of its devices has one.
	 */
	edu_unbind_vfio_pci(&self->b.dev.edu);
}

/* One page between iova and side s's device: to RAM, or from it. */
#define dma(s, to_ram, iova) \
	({ ASSERT_EQ(0, edu_dma(&(s)->dev.edu, to_ram, iova, 0, PAGE)); })

/*
 * Both devices read IOVA_SRC and write it to IOVA_DST: each gets its own
 * source page into its own destination page, and no other page changes.
 */
TEST_F_TIMEOUT(two_edu, same_iova_own_pages, DMA_TIMEOUT_S)
{
	struct side *a = &self->a, *b = &self->b;
	uint8_t a_src[PAGE], b_src[PAGE];

	memcpy(a_src, a->src, PAGE);
	memcpy(b_src, b->src, PAGE);

	dma(a, false, IOVA_SRC);
	dma(b, false, IOVA_SRC);
	dma(a, true, IOVA_DST);
	ASSERT_BYTES_EQ(a_src, a->dst, PAGE);
	ASSERT_UNTOUCHED(b->dst, FILL, PAGE);
	dma(b, true, IOVA_DST);
	ASSERT_BYTES_EQ(b_src, b->dst, PAGE);
	ASSERT_BYTES_EQ(a_src, a->dst, PAGE);

	/* And the other way round, with new bytes. */
	vtd_fill(a->src, PAGE, vtd_seed());
	vtd_fill(b->src, PAGE, vtd_seed());
	memcpy(a_src, a->src, PAGE);
	memcpy(b_src, b->src, PAGE);
	memset(a->dst, FILL, PAGE);
	memset(b->dst, FILL, PAGE);
	dma(b, false, IOVA_SRC);
	dma(a, false, IOVA_SRC);
	dma(b, true, IOVA_DST);
	ASSERT_BYTES_EQ(b_src, b->dst, PAGE);
	ASSERT_UNTOUCHED(a->dst, FILL, PAGE);
	dma(a, true, IOVA_DST);
	ASSERT_BYTES_EQ(a_src, a->dst, PAGE);
	ASSERT_BYTES_EQ(b_src, b->dst, PAGE);
	/* The sources were only read. */
	ASSERT_BYTES_EQ(a_src, a->src, PAGE);
	ASSERT_BYTES_EQ(b_src, b->src, PAGE);
}

/*
 * x writes to and reads from the IOVA at which only y's IOAS maps a page:
 * y's page keeps every byte, x gets none of them, and the IOMMU records
 * both faults as x's.
 */
static void never_reaches(struct __test_metadata *_metadata, struct side *x,
			  struct side *y, __u64 y_only)
{
	uint8_t snap[PAGE], before[PAGE];
	struct vtd_fault_log log;

	/* x holds bytes of its own, then writes them to y's IOVA. */
	vtd_fill(x->src, PAGE, vtd_seed());
	memcpy(snap, y->only, PAGE);
	dma(x, false, IOVA_SRC);
	vtd_fault_log_begin(&log, &x->dev.edu);
	dma(x, true, y_only);
	ASSERT_BYTES_EQ(snap, y->only, PAGE);
	EXPECT_FAULT_EXACT(&log, y_only, 'W', VTD_FR_FL_NOT_PRESENT);

	/* x reads y's IOVA: the device keeps what it held, or gets nothing. */
	vtd_fill(y->only, PAGE, vtd_seed());
	memcpy(before, x->src, PAGE);
	vtd_fault_log_begin(&log, &x->dev.edu);
	dma(x, false, y_only);
	EXPECT_FAULT_EXACT(&log, y_only, 'R', VTD_FR_FL_NOT_PRESENT);
	memset(x->dst, FILL, PAGE);
	dma(x, true, IOVA_DST);
	ASSERT_NOT_LEAKED(y->only, x->dst, before, PAGE);
}

TEST_F_TIMEOUT(two_edu, never_reaches_the_other, DMA_TIMEOUT_S)
{
	struct side *a = &self->a, *b = &self->b;
	uint8_t a_only[PAGE], b_only[PAGE];

	/* Both use their own pages first (and fill their IOTLB entries). */
	dma(a, false, IOVA_ONLY_A);
	dma(a, true, IOVA_DST);
	ASSERT_BYTES_EQ(a->only, a->dst, PAGE);
	dma(b, false, IOVA_ONLY_B);
	dma(b, true, IOVA_DST);
	ASSERT_BYTES_EQ(b->only, b->dst, PAGE);

	never_reaches(_metadata, a, b, IOVA_ONLY_B);
	never_reaches(_metadata, b, a, IOVA_ONLY_A);

	/* Each still reaches its own page. */
	memcpy(a_only, a->only, PAGE);
	memcpy(b_only, b->only, PAGE);
	dma(a, false, IOVA_ONLY_A);
	dma(b, false, IOVA_ONLY_B);
	dma(a, true, IOVA_DST);
	dma(b, true, IOVA_DST);
	ASSERT_BYTES_EQ(a_only, a->dst, PAGE);
	ASSERT_BYTES_EQ(b_only, b->dst, PAGE);
}

/*
 * Detaching one device blocks its DMA and only its own: the other keeps
 * working through its IOAS.
 */
TEST_F_TIMEOUT(two_edu, detach_one_keeps_other, DMA_TIMEOUT_S)
{
	struct side *a = &self->a, *b = &self->b;
	struct vtd_fault_log log;

	ASSERT_EQ(0, _test_cmd_detach(b->dev.devfd, 0));
	dma(a, false, IOVA_SRC);
	dma(a, true, IOVA_DST);
	ASSERT_BYTES_EQ(a->src, a->dst, PAGE);

	vtd_fault_log_begin(&log, &b->dev.edu);
	dma(b, true, IOVA_DST);
	ASSERT_UNTOUCHED(b->dst, FILL, PAGE);
	EXPECT_FAULT_EXACT(&log, IOVA_DST, 'W', -1);

	ASSERT_EQ(0, _test_cmd_attach(b->dev.devfd, 0, b->ioas, NULL));
	dma(b, false, IOVA_SRC);
	dma(b, true, IOVA_DST);
	ASSERT_BYTES_EQ(b->src, b->dst, PAGE);
}

TEST_HARNESS_MAIN
