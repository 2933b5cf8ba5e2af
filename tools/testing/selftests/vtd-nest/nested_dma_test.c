// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtd-nest: nested translation through iommufd, with real DMA from edu.
 * The test is both the VMM (guest RAM in an IOAS at guest-physical
 * addresses, a nest-parent HWPT on it) and the guest (a first-level table
 * in guest RAM, a nested HWPT binding it, an invalidation after every
 * change: vtd_nest.h). Every DMA is checked in the bytes of guest RAM.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vtd_utils.h"
#include "edu.h"
#include "vtd_fault.h"
#include "vtd_nest.h"
#include "vtd_viommu.h"		/* a second edu by address */

#define PAGE		SZ_4K
#define FILL		0xcc		/* "not written by DMA" */
#define DMA_TIMEOUT_S	180

/* Guest data pages: GPAs past the table pool. */
#define GPA_A		(GPA_BASE + (4ULL << 20))
#define GPA_B		(GPA_A + PAGE)
#define GPA_C		(GPA_A + 2 * PAGE)

/* GIOVAs: low, above 4 GiB, near the top of the lower canonical half. */
#define GIOVA_LOW	0x10000ULL
#define GIOVA_4G	(SZ_4G + 0x5000ULL)
#define GIOVA_TOP	0x7fffffffc000ULL

#define VTD_FR_WRITE	0x85	/* write to a read-only first-level page */

FIXTURE(nested) {
	int iommufd;		/* dev.iommufd, for vtd_utils.h's macros */
	struct vtd_dev dev;
	struct guest g;
	__u32 parent;
	__u32 nested;
};

FIXTURE_SETUP(nested)
{
	self->g.map = NULL;
	VTD_DEV_OPEN(return, &self->dev, edu_primary_bdf(), true);
	self->iommufd = self->dev.iommufd;
	ASSERT_EQ(0, guest_init(&self->g, self->dev.iommufd));
	ASSERT_EQ(0, _test_cmd_hwpt_alloc(self->dev.iommufd, self->dev.dev_id,
					  self->g.ioas,
					  IOMMU_HWPT_ALLOC_NEST_PARENT,
					  &self->parent, IOMMU_HWPT_DATA_NONE,
					  NULL, 0));
	ASSERT_EQ(0, _test_cmd_attach(self->dev.devfd, 0, self->parent, NULL));
}

FIXTURE_TEARDOWN(nested)
{
	vtd_dev_close(&self->dev);
	guest_fini(&self->g);
}

#define to_dev(iova, len) \
	ASSERT_EQ(0, edu_dma(&self->dev.edu, false, iova, 0, len))
#define to_ram(iova, len) \
	ASSERT_EQ(0, edu_dma(&self->dev.edu, true, iova, 0, len))

#define ASSERT_PAGE_EQ(expect, seen)					\
	({								\
		long __d = vtd_first_diff(expect, seen, PAGE);		\
		ASSERT_EQ(-1, __d) {					\
			TH_LOG("byte %ld differs", __d);		\
		}							\
	})
#define ASSERT_PAGE_FILLED(seen, val)					\
	({								\
		long __d = vtd_first_not(seen, val, PAGE);		\
		ASSERT_EQ(-1, __d) {					\
			TH_LOG("byte %ld was written", __d);		\
		}							\
	})

static void nested_alloc(struct __test_metadata *_metadata,
			 struct _test_data_nested *self)
{
	ASSERT_EQ(0, _test_cmd_nested_alloc(self->dev.iommufd,
					    self->dev.dev_id, self->parent,
					    self->g.pml4, 48, 0,
					    &self->nested));
}

static void replace(struct __test_metadata *_metadata,
		    struct _test_data_nested *self, __u32 pt)
{
	ASSERT_EQ(0, _test_cmd_attach(self->dev.devfd, 0, pt, NULL));
}

/*
 * edu copies the page at @src (GIOVA or GPA) into the page at @dst; the
 * bytes of guest page @src_gpa must arrive in guest page @dst_gpa.
 */
static void copy_check(struct __test_metadata *_metadata,
		       struct _test_data_nested *self, __u64 src, __u64 dst,
		       __u64 src_gpa, __u64 dst_gpa, uint64_t seed)
{
	uint8_t *s = gpa_hva(&self->g, src_gpa);
	uint8_t *d = gpa_hva(&self->g, dst_gpa);

	vtd_fill(s, PAGE, seed);
	memset(d, FILL, PAGE);
	to_dev(src, PAGE);
	to_ram(dst, PAGE);
	ASSERT_PAGE_EQ(s, d);
}

/* "vIOMMU off": the device on the parent DMAs to guest-physical addresses. */
TEST_F_TIMEOUT(nested, parent_gpa_dma, DMA_TIMEOUT_S)
{
	copy_check(_metadata, self, GPA_A, GPA_B, GPA_A, GPA_B, 1);
}

/* GIOVAs low, above 4 GiB and near the top reach the right guest pages. */
TEST_F_TIMEOUT(nested, giova_dma, DMA_TIMEOUT_S)
{
	static const __u64 giovas[] = { GIOVA_LOW, GIOVA_4G, GIOVA_TOP };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(giovas); i++) {
		ASSERT_EQ(0, s1_map(&self->g, giovas[i], GPA_A + 2 * i * PAGE,
				    true, false));
		ASSERT_EQ(0, s1_map(&self->g, giovas[i] + PAGE,
				    GPA_A + (2 * i + 1) * PAGE, true, false));
	}
	nested_alloc(_metadata, self);
	replace(_metadata, self, self->nested);
	for (i = 0; i < ARRAY_SIZE(giovas); i++) {
		TH_LOG("GIOVA 0x%llx", (unsigned long long)giovas[i]);
		copy_check(_metadata, self, giovas[i], giovas[i] + PAGE,
			   GPA_A + 2 * i * PAGE, GPA_A + (2 * i + 1) * PAGE,
			   10 + i);
	}
}

/* The guest unmaps and invalidates: DMA faults, memory untouched. */
TEST_F_TIMEOUT(nested, guest_unmap_faults, DMA_TIMEOUT_S)
{
	uint8_t *b = gpa_hva(&self->g, GPA_B);
	struct vtd_fault_log log;

	ASSERT_EQ(0, s1_map(&self->g, GIOVA_LOW, GPA_A, true, false));
	ASSERT_EQ(0, s1_map(&self->g, GIOVA_LOW + PAGE, GPA_B, true, false));
	nested_alloc(_metadata, self);
	replace(_metadata, self, self->nested);
	copy_check(_metadata, self, GIOVA_LOW, GIOVA_LOW + PAGE, GPA_A, GPA_B,
		   2);

	s1_unmap(&self->g, GIOVA_LOW + PAGE, false);
	ASSERT_EQ(0, s1_invalidate(self->dev.iommufd, self->nested,
				   GIOVA_LOW + PAGE, 1));
	memset(b, FILL, PAGE);
	vtd_fault_log_begin(&log, &self->dev.edu);
	to_ram(GIOVA_LOW + PAGE, PAGE);
	ASSERT_PAGE_FILLED(b, FILL);
	EXPECT_FAULT_LOGGED(&log, GIOVA_LOW + PAGE, PAGE);
}

/*
 * The contract: a new guest mapping is not seen before its invalidation;
 * after it, DMA works.
 */
TEST_F_TIMEOUT(nested, guest_map_needs_invalidation, DMA_TIMEOUT_S)
{
	uint8_t *b = gpa_hva(&self->g, GPA_B);
	struct vtd_fault_log log;

	ASSERT_EQ(0, s1_map(&self->g, GIOVA_LOW, GPA_A, true, false));
	nested_alloc(_metadata, self);
	replace(_metadata, self, self->nested);

	ASSERT_EQ(0, s1_map(&self->g, GIOVA_4G, GPA_B, true, false));
	memset(b, FILL, PAGE);
	vtd_fault_log_begin(&log, &self->dev.edu);
	to_ram(GIOVA_4G, PAGE);
	ASSERT_PAGE_FILLED(b, FILL);
	EXPECT_FAULT_LOGGED(&log, GIOVA_4G, PAGE);

	ASSERT_EQ(0, s1_invalidate(self->dev.iommufd, self->nested, GIOVA_4G,
				   1));
	copy_check(_metadata, self, GIOVA_LOW, GIOVA_4G, GPA_A, GPA_B, 3);
}

/*
 * Invariant 1: the VMM unmaps guest RAM the guest still maps: DMA faults
 * at once, with no guest invalidation, and the host page is untouched.
 * Mapping it again brings the guest's mapping back.
 */
TEST_F_TIMEOUT(nested, parent_unmap_revokes, DMA_TIMEOUT_S)
{
	__u64 chunk = GPA_BASE + 6 * RAM_CHUNK, gpa = chunk + PAGE;
	uint8_t *page = gpa_hva(&self->g, gpa);
	struct vtd_fault_log log;

	ASSERT_EQ(0, s1_map(&self->g, GIOVA_LOW, GPA_A, true, false));
	ASSERT_EQ(0, s1_map(&self->g, GIOVA_LOW + PAGE, gpa, true, false));
	nested_alloc(_metadata, self);
	replace(_metadata, self, self->nested);
	copy_check(_metadata, self, GIOVA_LOW, GIOVA_LOW + PAGE, GPA_A, gpa, 4);

	test_cmd_ioas_unmap(self->g.ioas, chunk, RAM_CHUNK);
	memset(page, FILL, PAGE);
	vtd_fault_log_begin(&log, &self->dev.edu);
	to_ram(GIOVA_LOW + PAGE, PAGE);
	ASSERT_PAGE_FILLED(page, FILL);
	EXPECT_FAULT_LOGGED(&log, GIOVA_LOW + PAGE, PAGE);

	test_cmd_ioas_map_fixed(self->g.ioas, gpa_hva(&self->g, chunk),
				RAM_CHUNK, chunk, MAP_RW);
	copy_check(_metadata, self, GIOVA_LOW, GIOVA_LOW + PAGE, GPA_A, gpa, 5);
}

/*
 * Read-only in stage 1, then in stage 2: a write faults, a read works.
 * Writes come first: QEMU records no fault for a write through a
 * read-only translation it has cached.
 */
TEST_F_TIMEOUT(nested, readonly_stages, DMA_TIMEOUT_S)
{
	__u64 chunk = GPA_BASE + 7 * RAM_CHUNK, ro = chunk + PAGE;
	uint8_t *a = gpa_hva(&self->g, GPA_A), *b = gpa_hva(&self->g, GPA_B);
	uint8_t *r = gpa_hva(&self->g, ro);
	struct vtd_fault_log log;
	uint8_t before[PAGE];

	ASSERT_EQ(0, s1_map(&self->g, GIOVA_LOW, GPA_A, false, false));
	ASSERT_EQ(0, s1_map(&self->g, GIOVA_LOW + PAGE, GPA_B, true, false));
	ASSERT_EQ(0, s1_map(&self->g, GIOVA_LOW + 2 * PAGE, ro, true, false));
	nested_alloc(_metadata, self);
	replace(_metadata, self, self->nested);

	/* Stage 1 read-only: not writable... */
	vtd_fill(a, PAGE, 6);
	memcpy(before, a, PAGE);
	vtd_fill(b, PAGE, 7);
	to_dev(GIOVA_LOW + PAGE, PAGE);
	vtd_fault_log_begin(&log, &self->dev.edu);
	log.want_reason = VTD_FR_WRITE;
	to_ram(GIOVA_LOW, PAGE);
	ASSERT_PAGE_EQ(before, a);
	EXPECT_FAULT_LOGGED(&log, GIOVA_LOW, PAGE);
	/* ...readable. */
	copy_check(_metadata, self, GIOVA_LOW, GIOVA_LOW + PAGE, GPA_A, GPA_B,
		   8);

	/* Stage 2 read-only: the VMM maps the chunk again without write. */
	test_cmd_ioas_unmap(self->g.ioas, chunk, RAM_CHUNK);
	test_cmd_ioas_map_fixed(self->g.ioas, gpa_hva(&self->g, chunk),
				RAM_CHUNK, chunk, MAP_RO);
	memset(r, FILL, PAGE);
	vtd_fill(b, PAGE, 9);
	to_dev(GIOVA_LOW + PAGE, PAGE);
	vtd_fault_log_begin(&log, &self->dev.edu);
	log.want_reason = VTD_FR_WRITE;
	to_ram(GIOVA_LOW + 2 * PAGE, PAGE);
	ASSERT_PAGE_FILLED(r, FILL);
	EXPECT_FAULT_LOGGED(&log, GIOVA_LOW + 2 * PAGE, PAGE);
	copy_check(_metadata, self, GIOVA_LOW + 2 * PAGE, GIOVA_LOW + PAGE, ro,
		   GPA_B, 10);
}

/* The guest turns its vIOMMU on, off and on: DMA in each space. */
TEST_F_TIMEOUT(nested, replace_cycle, DMA_TIMEOUT_S)
{
	ASSERT_EQ(0, s1_map(&self->g, GIOVA_4G, GPA_A, true, false));
	ASSERT_EQ(0, s1_map(&self->g, GIOVA_4G + PAGE, GPA_B, true, false));
	copy_check(_metadata, self, GPA_A, GPA_B, GPA_A, GPA_B, 9);
	nested_alloc(_metadata, self);
	replace(_metadata, self, self->nested);
	copy_check(_metadata, self, GIOVA_4G, GIOVA_4G + PAGE, GPA_A, GPA_B,
		   10);
	replace(_metadata, self, self->parent);
	copy_check(_metadata, self, GPA_A, GPA_B, GPA_A, GPA_B, 11);
	replace(_metadata, self, self->nested);
	copy_check(_metadata, self, GIOVA_4G, GIOVA_4G + PAGE, GPA_A, GPA_B,
		   12);
}

/* A guest 2M leaf: both ends of it reach the right guest pages. */
TEST_F_TIMEOUT(nested, guest_2m_leaf, DMA_TIMEOUT_S)
{
	__u64 giova = 0x40000000ULL, gpa = GPA_BASE + 8 * RAM_CHUNK;

	ASSERT_EQ(0, s1_map(&self->g, giova, gpa, true, true));
	nested_alloc(_metadata, self);
	replace(_metadata, self, self->nested);
	copy_check(_metadata, self, giova, giova + RAM_CHUNK - PAGE, gpa,
		   gpa + RAM_CHUNK - PAGE, 13);
	copy_check(_metadata, self, giova + 0x1a000, giova + 0x3000,
		   gpa + 0x1a000, gpa + 0x3000, 14);
}

/*
 * Two devices on one parent, each nested with its own guest table, the
 * same GIOVAs in both: each reaches only its own guest pages, and a
 * GIOVA only the other's table maps faults.
 */
TEST_F_TIMEOUT(nested, two_devices, DMA_TIMEOUT_S)
{
	const char *bdf2 = edu_second_bdf();
	uint8_t *b = gpa_hva(&self->g, GPA_B), *d;
	__u64 root2, gpa_d = GPA_C + PAGE;
	struct vtd_fault_log log;
	struct vtd_why why = {};
	__u32 id2, nested2;
	struct edu e2;
	int ret;

	ret = edu_open_bdf(&e2, bdf2, &why);
	if (ret == VTD_SETUP_SKIP)
		SKIP(return, "%s", why.msg);
	ASSERT_EQ(VTD_SETUP_OK, ret);
	ASSERT_EQ(0, vfio_bind(e2.devfd, self->dev.iommufd, &id2));
	ASSERT_EQ(VTD_SETUP_OK, edu_enable(&e2, &why));

	/* Table 1: GIOVA -> A, +1 -> B, +2 -> A. Table 2: GIOVA -> C, +1 -> D. */
	ASSERT_EQ(0, s1_map(&self->g, GIOVA_LOW, GPA_A, true, false));
	ASSERT_EQ(0, s1_map(&self->g, GIOVA_LOW + PAGE, GPA_B, true, false));
	ASSERT_EQ(0, s1_map(&self->g, GIOVA_LOW + 2 * PAGE, GPA_A, true,
			    false));
	root2 = guest_table_alloc(&self->g);
	ASSERT_NE(0, root2);
	ASSERT_EQ(0, s1_map_root(&self->g, root2, GIOVA_LOW, GPA_C));
	ASSERT_EQ(0, s1_map_root(&self->g, root2, GIOVA_LOW + PAGE, gpa_d));
	nested_alloc(_metadata, self);
	ASSERT_EQ(0, _test_cmd_nested_alloc(self->dev.iommufd, id2,
					    self->parent, root2, 48, 0,
					    &nested2));
	replace(_metadata, self, self->nested);
	ASSERT_EQ(0, _test_cmd_attach(e2.devfd, 0, nested2, NULL));

	d = gpa_hva(&self->g, gpa_d);
	memset(d, FILL, PAGE);
	copy_check(_metadata, self, GIOVA_LOW, GIOVA_LOW + PAGE, GPA_A, GPA_B,
		   30);
	ASSERT_PAGE_FILLED(d, FILL);

	vtd_fill(gpa_hva(&self->g, GPA_C), PAGE, 31);
	memset(b, FILL, PAGE);
	memset(d, FILL, PAGE);
	ASSERT_EQ(0, edu_dma(&e2, false, GIOVA_LOW, 0, PAGE));
	ASSERT_EQ(0, edu_dma(&e2, true, GIOVA_LOW + PAGE, 0, PAGE));
	ASSERT_PAGE_EQ(gpa_hva(&self->g, GPA_C), d);
	ASSERT_PAGE_FILLED(b, FILL);

	/* GIOVA + 2 pages is only in table 1: the second device faults. */
	memset(gpa_hva(&self->g, GPA_A), FILL, PAGE);
	vtd_fault_log_begin(&log, &e2);
	ASSERT_EQ(0, edu_dma(&e2, true, GIOVA_LOW + 2 * PAGE, 0, PAGE));
	ASSERT_PAGE_FILLED(gpa_hva(&self->g, GPA_A), FILL);
	EXPECT_FAULT_LOGGED(&log, GIOVA_LOW + 2 * PAGE, PAGE);

	munmap((void *)e2.bar, e2.bar_size);
	close(e2.devfd);
	edu_unbind_vfio_pci(&e2);
}

/* debugfs translate: every stage of a GIOVA, and the shadow agrees. */
TEST_F_TIMEOUT(nested, translate_query, DMA_TIMEOUT_S)
{
	char path[PATH_MAX + 128], out[4096], want[64];
	int fd;

	ASSERT_EQ(0, s1_map(&self->g, GIOVA_4G, GPA_A, true, false));
	nested_alloc(_metadata, self);
	replace(_metadata, self, self->nested);
	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/intel-vtd/devices/%s/translate",
		 self->dev.edu.bdf);
	if (access(path, W_OK))
		SKIP(return, "no %.200s: not our driver", path);
	snprintf(want, sizeof(want), "0x%llx", (unsigned long long)GIOVA_4G);
	ASSERT_EQ(0, sysfs_write(path, want));
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, out, sizeof(out) - 1));
	close(fd);
	TH_LOG("%.900s", out);
	snprintf(want, sizeof(want), "stage1 gpa 0x%llx size 0x1000 rw",
		 (unsigned long long)GPA_A);
	EXPECT_NE(NULL, strstr(out, want));
	EXPECT_NE(NULL, strstr(out, "match yes"));
}

/* Every bad IOMMU_HWPT_DATA_VTD_S1 field, with its errno. */
TEST_F(nested, vtd_s1_errors)
{
	struct iommu_hwpt_vtd_s1 s1 = {
		.pgtbl_addr = self->g.pml4,
		.addr_width = 48,
	};
	int fd = self->dev.iommufd;
	__u32 id = self->dev.dev_id, hwpt, plain;

#define nested_err(_errno, _s1)						\
	EXPECT_ERRNO(_errno, _test_cmd_hwpt_alloc(fd, id, self->parent, 0, \
				&hwpt, IOMMU_HWPT_DATA_VTD_S1, &(_s1),	\
				sizeof(_s1)))

	ASSERT_EQ(0, _test_cmd_hwpt_alloc(fd, id, self->parent, 0, &hwpt,
					  IOMMU_HWPT_DATA_VTD_S1, &s1,
					  sizeof(s1)));
	test_cmd_destroy(hwpt);

	s1.flags = 1ULL << 3;			/* unknown flag */
	nested_err(EOPNOTSUPP, s1);
	s1.flags = IOMMU_VTD_S1_SRE;		/* not implemented here */
	nested_err(EOPNOTSUPP, s1);
	s1.flags = IOMMU_VTD_S1_EAFE;
	nested_err(EOPNOTSUPP, s1);
	s1.flags = IOMMU_VTD_S1_WPE;
	nested_err(EOPNOTSUPP, s1);
	s1.flags = 0;
	s1.__reserved = 1;
	nested_err(EINVAL, s1);
	s1.__reserved = 0;
	s1.addr_width = 39;
	nested_err(EINVAL, s1);
	s1.addr_width = 57;			/* QEMU: no FL5LP */
	nested_err(EOPNOTSUPP, s1);
	s1.addr_width = 48;
	s1.pgtbl_addr = self->g.pml4 + 8;
	nested_err(EINVAL, s1);
	s1.pgtbl_addr = 1ULL << 47;		/* past the parent's aperture */
	nested_err(ERANGE, s1);
	s1.pgtbl_addr = self->g.pml4;
	/* Another data type on a parent: EOPNOTSUPP from us. */
	EXPECT_ERRNO(EOPNOTSUPP, _test_cmd_hwpt_alloc(fd, id, self->parent, 0,
						      &hwpt, IOMMU_HWPT_DATA_ARM_SMMUV3,
						      &s1, sizeof(s1)));
	/* Not a nest parent. */
	test_cmd_hwpt_alloc(id, self->g.ioas, 0, &plain);
	EXPECT_ERRNO(EINVAL, _test_cmd_hwpt_alloc(fd, id, plain, 0, &hwpt,
						  IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1)));
	/* Dirty tracking and PASID are refused on a nest parent. */
	EXPECT_ERRNO(EOPNOTSUPP, _test_cmd_hwpt_alloc(fd, id, self->g.ioas,
						      IOMMU_HWPT_ALLOC_NEST_PARENT |
						      IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
						      &hwpt, IOMMU_HWPT_DATA_NONE, NULL, 0));
	EXPECT_ERRNO(EOPNOTSUPP, _test_cmd_hwpt_alloc(fd, id, self->g.ioas,
						      IOMMU_HWPT_ALLOC_NEST_PARENT |
						      IOMMU_HWPT_ALLOC_PASID,
						      &hwpt, IOMMU_HWPT_DATA_NONE, NULL, 0));
#undef nested_err
}

/* Every bad invalidation entry, with its errno; partial entry_num. */
TEST_F(nested, invalidate_errors)
{
	struct iommu_hwpt_vtd_s1_invalidate inv[4] = {};
	int fd = self->dev.iommufd;
	__u32 n;
	unsigned int i;

#define inv_err(_errno, _n, _done)					\
	({								\
		n = (_n);						\
		EXPECT_ERRNO(_errno, _test_cmd_hwpt_invalidate(fd,	\
				self->nested,				\
				IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, inv,	\
				sizeof(inv[0]), &n));			\
		EXPECT_EQ(_done, n);					\
	})

	nested_alloc(_metadata, self);
	for (i = 0; i < 4; i++) {
		inv[i].addr = GIOVA_LOW + i * PAGE;
		inv[i].npages = 1;
	}
	/* entry_num 0 probes the type */
	n = 0;
	ASSERT_EQ(0, _test_cmd_hwpt_invalidate(fd, self->nested,
					       IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, inv,
					       sizeof(inv[0]), &n));
	n = 0;
	EXPECT_ERRNO(EINVAL, _test_cmd_hwpt_invalidate(fd, self->nested, 0xbad,
						       inv, sizeof(inv[0]), &n));
	n = 4;
	ASSERT_EQ(0, _test_cmd_hwpt_invalidate(fd, self->nested,
					       IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, inv,
					       sizeof(inv[0]), &n));
	ASSERT_EQ(4, n);

	inv[2].flags = 1U << 1;			/* only LEAF */
	inv_err(EOPNOTSUPP, 4, 2);
	inv[2].flags = IOMMU_VTD_INV_FLAGS_LEAF;
	inv[2].__reserved = 1;
	inv_err(EOPNOTSUPP, 4, 2);
	inv[2].__reserved = 0;
	inv[2].addr = GIOVA_LOW + 8;		/* not 4K aligned */
	inv_err(EINVAL, 4, 2);
	inv[2].addr = GIOVA_LOW;
	inv[2].npages = 0;
	inv_err(EINVAL, 4, 2);
	inv[2].npages = UINT64_MAX;		/* everything: addr must be 0 */
	inv_err(EINVAL, 4, 2);
	inv[2].addr = 0;
	n = 4;
	ASSERT_EQ(0, _test_cmd_hwpt_invalidate(fd, self->nested,
					       IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, inv,
					       sizeof(inv[0]), &n));
	inv[2].addr = 0xfffffffffffff000ULL;	/* wraps */
	inv[2].npages = 2;
	inv_err(EOVERFLOW, 4, 2);
	inv[2].addr = 0x1000;
	inv[2].npages = 1ULL << 52;		/* npages * 4K overflows */
	inv_err(EOVERFLOW, 4, 2);
#undef inv_err
}

/* The core refuses to destroy a nest parent with a nested HWPT on it. */
TEST_F(nested, destroy_parent_busy)
{
	nested_alloc(_metadata, self);
	ASSERT_EQ(0, _test_cmd_attach(self->dev.devfd, 0, self->g.ioas, NULL));
	test_err_destroy(EBUSY, self->parent);
	test_cmd_destroy(self->nested);
	test_cmd_destroy(self->parent);
}

/* A nested HWPT with an I/O page-fault handler cannot be attached. */
TEST_F(nested, fault_handler_refused)
{
	struct iommu_fault_alloc fault = { .size = sizeof(fault) };
	struct iommu_hwpt_vtd_s1 s1 = {
		.pgtbl_addr = self->g.pml4,
		.addr_width = 48,
	};
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_HWPT_FAULT_ID_VALID,
		.dev_id = self->dev.dev_id,
		.pt_id = self->parent,
		.data_type = IOMMU_HWPT_DATA_VTD_S1,
		.data_len = sizeof(s1),
		.data_uptr = (uintptr_t)&s1,
	};

	ASSERT_EQ(0, ioctl(self->dev.iommufd, IOMMU_FAULT_QUEUE_ALLOC, &fault));
	cmd.fault_id = fault.out_fault_id;
	ASSERT_EQ(0, ioctl(self->dev.iommufd, IOMMU_HWPT_ALLOC, &cmd));
	test_err_attach(EOPNOTSUPP, 0, cmd.out_hwpt_id);
	close(fault.out_fault_fd);
}

TEST_HARNESS_MAIN
