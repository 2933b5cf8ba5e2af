// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtd-nest: allocation failures in the iommufd and VFIO cdev calls a VMM
 * makes for a device behind the IOMMU, swept the way the kernel's
 * tools/testing/selftests/iommu/iommufd_fail_nth.c sweeps its mock driver:
 * each test fails the Nth slab or page allocation of one call, for
 * N = 1, 2, ... until the call makes fewer than N allocations. Only that
 * call runs with the injection armed.
 *
 * After an injected failure the call must have failed (or, when the failed
 * allocation had a fallback, succeeded) and must have left everything as
 * it was: the bytes edu moves by DMA, the faults the IOMMU records, the
 * ID the next new object gets (a failed call must not keep one) and
 * intel-vtd's module reference count (each of its domains holds one).
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
#define NTH_MAX		2000
#define NTH_TIMEOUT_S	300

/* Set-up mappings: a page to read at X, one to write at Y. */
#define IOVA_X		0x100000ULL
#define IOVA_Y		(IOVA_X + PAGE)
/* The swept maps: 256 GiB up, where no table exists yet at any level. */
#define IOVA_Z		0x4000000000ULL
#define MAP_PAGES	4U

/* What a sweep saw, for the log. */
struct nth_stats {
	unsigned int calls;	/* calls with the injection armed */
	unsigned int failed;	/* injected and the call failed */
	unsigned int fallback;	/* injected and the call succeeded */
	int errnos[8];
	unsigned int nr_errnos;
};

static void stats_errno(struct nth_stats *st, int err)
{
	unsigned int i;

	for (i = 0; i < st->nr_errnos; i++)
		if (st->errnos[i] == err)
			return;
	if (st->nr_errnos < ARRAY_SIZE(st->errnos))
		st->errnos[st->nr_errnos++] = err;
}

/* Both fixtures' data. */
struct nth_ctx {
	int iommufd;
	struct vtd_dev dev;
	struct vtd_fail_nth fi;
	__u32 ioas;		/* maps src at X and dst at Y */
	__u32 hwpt;		/* bound: the device is attached to it */
	uint8_t *src, *dst;
	long refcnt;		/* intel-vtd's, with all that set up */
	__u32 next_id;		/* the ID a new object gets */
	int err;		/* errno of the last armed call */
	bool enable_held;	/* edu_hold_enable() on */
	struct nth_stats st;
};

/* edu bound to the iommufd and attached to ioas. */
FIXTURE(nth) {
	struct nth_ctx c;
};

/* edu's cdev open, not bound. */
FIXTURE(nth_unbound) {
	struct nth_ctx c;
};

/* The ID the next object of this iommufd gets (IDs are taken lowest first). */
static __u32 next_id(struct __test_metadata *_metadata, int iommufd)
{
	__u32 id;

	ASSERT_EQ(0, _test_cmd_ioas_alloc(iommufd, 0, &id));
	ASSERT_EQ(0, _test_cmd_destroy(iommufd, id));
	return id;
}

/* Nothing the failed call made is left: no object, no domain. */
static void nothing_kept(struct __test_metadata *_metadata, struct nth_ctx *c)
{
	ASSERT_EQ(c->next_id, next_id(_metadata, c->iommufd));
	ASSERT_EQ(c->refcnt, vtd_module_refcnt_settled(c->refcnt));
}

#define to_dev(c, iova) EDU_TO_DEV(&(c)->dev.edu, iova, 0, PAGE)
#define to_ram(c, iova) EDU_TO_RAM(&(c)->dev.edu, iova, 0, PAGE)

/* DMA from x to y: the page mapped at y must get the bytes of the one at x. */
static void roundtrip(struct __test_metadata *_metadata, struct nth_ctx *c,
		      __u64 x, __u64 y, const uint8_t *from, uint8_t *to)
{
	memset(to, FILL, PAGE);
	to_dev(c, x);
	to_ram(c, y);
	ASSERT_BYTES_EQ(from, to, PAGE);
}

/*
 * A DMA write to iova must be blocked: mem (len bytes, a copy in snap)
 * keeps every byte, and the IOMMU records a write fault at that page.
 */
static void write_blocked(struct __test_metadata *_metadata,
			  struct nth_ctx *c, __u64 iova, const uint8_t *mem,
			  const uint8_t *snap, size_t len)
{
	struct vtd_fault_log log;

	vtd_fault_log_begin(&log, &c->dev.edu);
	to_ram(c, iova);
	ASSERT_BYTES_EQ(snap, mem, len);
	EXPECT_FAULT_EXACT(&log, iova, 'W', -1);
}

static void ctx_setup(struct __test_metadata *_metadata, struct nth_ctx *c,
		      bool bind)
{
	struct vtd_why why = {};
	int ret;

	c->iommufd = -1;
	c->fi.fd = -1;
	VTD_DEV_OPEN(return, &c->dev, edu_primary_bdf(), bind);
	c->iommufd = c->dev.iommufd;
	ret = vtd_fail_nth_setup(&c->fi, &why);
	if (ret == VTD_SETUP_SKIP)
		SKIP(return, "%s", why.msg);
	ASSERT_EQ(VTD_SETUP_OK, ret) {
		TH_LOG("%s", why.msg);
	}
	/* Touched now, so no page fault allocates while a call is armed. */
	c->src = vtd_alloc(_metadata, PAGE, 0);
	c->dst = vtd_alloc(_metadata, PAGE, FILL);
	vtd_fill(c->src, PAGE, vtd_seed());
	ASSERT_EQ(0, _test_cmd_ioas_alloc(c->iommufd, 0, &c->ioas));
	ASSERT_EQ(0, _test_cmd_ioas_map(c->iommufd, c->ioas, c->src, PAGE,
					&(__u64){ IOVA_X },
					MAP_RO | IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(0, _test_cmd_ioas_map(c->iommufd, c->ioas, c->dst, PAGE,
					&(__u64){ IOVA_Y },
					MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	if (bind) {
		ASSERT_EQ(0, _test_cmd_attach(c->dev.devfd, 0, c->ioas,
					      &c->hwpt));
		roundtrip(_metadata, c, IOVA_X, IOVA_Y, c->src, c->dst);
	}
	c->refcnt = vtd_module_refcnt_stable();
	c->next_id = next_id(_metadata, c->iommufd);
}

static void ctx_teardown(struct nth_ctx *c)
{
	struct vtd_why why;

	vtd_fail_nth_restore(&c->fi);
	vtd_dev_close(&c->dev);
	if (c->enable_held)
		edu_hold_enable(&c->dev.edu, false, &why);
}

/* Close and open edu's cdev again: it is no longer bound. */
static void reopen_cdev(struct __test_metadata *_metadata, struct nth_ctx *c)
{
	struct vtd_why why = {};

	vtd_dev_close_cdev(&c->dev);
	ASSERT_EQ(VTD_SETUP_OK, edu_open_cdev(&c->dev.edu, &why)) {
		TH_LOG("%s", why.msg);
	}
	c->dev.devfd = c->dev.edu.devfd;
}

FIXTURE_SETUP(nth)
{
	ctx_setup(_metadata, &self->c, true);
}

FIXTURE_TEARDOWN(nth)
{
	ctx_teardown(&self->c);
}

FIXTURE_SETUP(nth_unbound)
{
	ctx_setup(_metadata, &self->c, false);
}

FIXTURE_TEARDOWN(nth_unbound)
{
	ctx_teardown(&self->c);
}

/* Fail the nth allocation from here on. */
static void nth_arm(struct __test_metadata *_metadata, struct nth_ctx *c,
		    unsigned int n)
{
	ASSERT_EQ(0, vtd_fail_nth_arm(&c->fi, n));
}

/*
 * Right after the armed call, which returned ret: disarm, keep its errno
 * in c->err, and say whether the armed allocation was reached.
 */
static bool nth_fired(struct __test_metadata *_metadata, struct nth_ctx *c,
		      int ret)
{
	int fired;

	c->err = ret ? errno : 0;
	fired = vtd_fail_nth_disarm(&c->fi);
	ASSERT_LE(0, fired);
	c->st.calls++;
	if (fired && ret) {
		c->st.failed++;
		stats_errno(&c->st, c->err);
	} else if (fired) {
		c->st.fallback++;
	}
	return fired;
}

static void log_stats(struct __test_metadata *_metadata,
		      const struct nth_stats *st, const char *what)
{
	char list[256] = "";
	unsigned int i;
	size_t len = 0;

	for (i = 0; i < st->nr_errnos && len < sizeof(list); i++)
		len += snprintf(list + len, sizeof(list) - len, "%s%s",
				i ? ", " : "", strerror(st->errnos[i]));
	TH_LOG("%s: %u allocations swept; %u failed the call (%s), %u had a fallback",
	       what, st->calls - 1, st->failed, list[0] ? list : "-",
	       st->fallback);
}

/* A failed call reports an error. */
#define ASSERT_FAILED(c, ret)						\
	({								\
		ASSERT_EQ(-1, ret);					\
		ASSERT_NE(0, (c)->err);					\
	})

/*
 * IOMMU_IOAS_MAP of 4 pages at an IOVA that needs new tables at every
 * level. After a failure nothing is mapped there: unmapping finds
 * nothing, and a DMA write there is blocked.
 */
static void sweep_ioas_map(struct __test_metadata *_metadata,
			   struct nth_ctx *self)
{
	size_t len = MAP_PAGES * PAGE;
	uint8_t *buf, *snap;
	unsigned int n;
	__u64 iova;
	int ret = -1;

	buf = vtd_alloc(_metadata, len, 0);
	snap = vtd_alloc(_metadata, len, 0);
	vtd_fill(buf, len, vtd_seed());
	memcpy(snap, buf, len);

	for (n = 1; n < NTH_MAX; n++) {
		iova = IOVA_Z;
		nth_arm(_metadata, self, n);
		ret = _test_cmd_ioas_map(self->iommufd, self->ioas, buf, len,
					 &iova, MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA);
		if (!nth_fired(_metadata, self, ret))
			break;
		if (!ret) {
			/* The mapping is whole: undo it. */
			roundtrip(_metadata, self, IOVA_Z + PAGE, IOVA_Y,
				  buf + PAGE, self->dst);
			test_cmd_ioas_unmap(self->ioas, IOVA_Z, len);
			continue;
		}
		ASSERT_FAILED(self, ret);
		test_err_ioas_unmap(ENOENT, self->ioas, IOVA_Z, len);
		write_blocked(_metadata, self, IOVA_Z + 2 * PAGE, buf, snap, len);
		nothing_kept(_metadata, self);
	}
	ASSERT_EQ(0, ret);
	log_stats(_metadata, &self->st, "IOMMU_IOAS_MAP");

	/* The map that ran through works. */
	roundtrip(_metadata, self, IOVA_Z + 3 * PAGE, IOVA_Y, buf + 3 * PAGE,
		  self->dst);
	to_dev(self, IOVA_X);
	to_ram(self, IOVA_Z);
	ASSERT_BYTES_EQ(self->src, buf, PAGE);
}

/*
 * IOMMU_IOAS_UNMAP of a whole 2 MiB of 4K pages (the leaf table goes too).
 * After a failure everything is still mapped (DMA reads the bytes); after
 * a success nothing is (a DMA write is blocked).
 */
static void sweep_ioas_unmap(struct __test_metadata *_metadata,
			     struct nth_ctx *self)
{
	uint8_t *buf, *snap;
	unsigned int n;
	__u64 got;
	int ret = -1;

	buf = vtd_alloc(_metadata, SZ_2M, 0);
	snap = vtd_alloc(_metadata, SZ_2M, 0);
	/* 4K pages, so the IOMMU table holds 512 4K leaves. */
	ASSERT_EQ(0, madvise(buf, SZ_2M, MADV_NOHUGEPAGE));
	vtd_fill(buf, SZ_2M, vtd_seed());
	memcpy(snap, buf, SZ_2M);

	for (n = 1; n < NTH_MAX; n++) {
		test_cmd_ioas_map_fixed(self->ioas, buf, SZ_2M, IOVA_Z, MAP_RW);
		roundtrip(_metadata, self, IOVA_Z + SZ_2M - PAGE, IOVA_Y,
			  buf + SZ_2M - PAGE, self->dst);
		got = 0;
		nth_arm(_metadata, self, n);
		ret = _test_cmd_ioas_unmap(self->iommufd, self->ioas, IOVA_Z,
					   SZ_2M, &got);
		if (!nth_fired(_metadata, self, ret))
			break;
		if (!ret) {
			ASSERT_EQ(SZ_2M, got);
			write_blocked(_metadata, self, IOVA_Z, buf, snap, SZ_2M);
			continue;
		}
		ASSERT_FAILED(self, ret);
		/* Still mapped: reads work, and the unmap can be redone. */
		roundtrip(_metadata, self, IOVA_Z, IOVA_Y, buf, self->dst);
		test_cmd_ioas_unmap(self->ioas, IOVA_Z, SZ_2M);
	}
	ASSERT_EQ(0, ret);
	ASSERT_EQ(SZ_2M, got);
	log_stats(_metadata, &self->st, "IOMMU_IOAS_UNMAP");
	write_blocked(_metadata, self, IOVA_Z + SZ_2M - PAGE, buf, snap, SZ_2M);
	test_err_ioas_unmap(ENOENT, self->ioas, IOVA_Z, SZ_2M);
}

/*
 * IOMMU_HWPT_ALLOC of a paging domain for an IOAS that has mappings (they
 * are copied into the new table). After a failure no object and no domain
 * are left.
 */
static void sweep_hwpt_alloc(struct __test_metadata *_metadata,
			     struct nth_ctx *self)
{
	unsigned int n;
	__u32 hwpt = 0;
	int ret = -1;

	for (n = 1; n < NTH_MAX; n++) {
		nth_arm(_metadata, self, n);
		ret = _test_cmd_hwpt_alloc(self->iommufd, self->dev.dev_id,
					   self->ioas, 0, &hwpt,
					   IOMMU_HWPT_DATA_NONE, NULL, 0);
		if (!nth_fired(_metadata, self, ret))
			break;
		if (!ret) {
			ASSERT_EQ(self->next_id, hwpt);
			test_cmd_destroy(hwpt);
			continue;
		}
		ASSERT_FAILED(self, ret);
		nothing_kept(_metadata, self);
	}
	ASSERT_EQ(0, ret);
	log_stats(_metadata, &self->st, "IOMMU_HWPT_ALLOC");

	/* The HWPT that was made has the mappings. */
	test_cmd_attach(hwpt, NULL);
	roundtrip(_metadata, self, IOVA_X, IOVA_Y, self->src, self->dst);
	test_cmd_attach(self->ioas, NULL);
	test_cmd_destroy(hwpt);
	nothing_kept(_metadata, self);
}

/*
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT of a detached device. to_ioas: to the IOAS
 * (the kernel makes a domain for it and fills it); else to a HWPT made
 * beforehand. After a failure the device is still blocked: a DMA write
 * does not land.
 */
static void sweep_attach(struct __test_metadata *_metadata,
			 struct nth_ctx *self, bool to_ioas)
{
	uint8_t snap[PAGE];
	__u32 pt = self->ioas;
	unsigned int n;
	int ret = -1;

	/* Detached, the kernel's domain for the IOAS goes away. */
	test_cmd_detach();
	if (!to_ioas)
		test_cmd_hwpt_alloc(self->dev.dev_id, self->ioas, 0, &pt);
	self->next_id = next_id(_metadata, self->iommufd);
	self->refcnt = vtd_module_refcnt_stable();
	for (n = 1; n < NTH_MAX; n++) {
		test_cmd_detach();
		nth_arm(_metadata, self, n);
		ret = _test_cmd_attach(self->dev.devfd, 0, pt, NULL);
		if (!nth_fired(_metadata, self, ret))
			break;
		if (!ret) {
			roundtrip(_metadata, self, IOVA_X, IOVA_Y, self->src,
				  self->dst);
			continue;
		}
		ASSERT_FAILED(self, ret);
		memcpy(snap, self->dst, PAGE);
		write_blocked(_metadata, self, IOVA_Y, self->dst, snap, PAGE);
		/* Detached again, the domain made for the IOAS went too. */
		nothing_kept(_metadata, self);
	}
	ASSERT_EQ(0, ret);
	log_stats(_metadata, &self->st, to_ioas ?
		  "VFIO_DEVICE_ATTACH_IOMMUFD_PT (IOAS)" :
		  "VFIO_DEVICE_ATTACH_IOMMUFD_PT (HWPT)");
	roundtrip(_metadata, self, IOVA_X, IOVA_Y, self->src, self->dst);
}

/*
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT of an attached device: replace its table
 * by one of a second IOAS that maps X and Y to other pages. After a
 * failure the device still uses the first table: the bytes show which.
 */
static void sweep_replace(struct __test_metadata *_metadata,
			  struct nth_ctx *self, bool to_ioas)
{
	uint8_t *src2 = vtd_alloc(_metadata, PAGE, 0);
	uint8_t *dst2 = vtd_alloc(_metadata, PAGE, FILL);
	__u32 ioas2, pt;
	unsigned int n;
	int ret = -1;

	vtd_fill(src2, PAGE, vtd_seed());
	test_cmd_ioas_alloc(&ioas2);
	test_cmd_ioas_map_fixed(ioas2, src2, PAGE, IOVA_X, MAP_RO);
	test_cmd_ioas_map_fixed(ioas2, dst2, PAGE, IOVA_Y, MAP_RW);
	pt = ioas2;
	if (!to_ioas)
		test_cmd_hwpt_alloc(self->dev.dev_id, ioas2, 0, &pt);
	self->next_id = next_id(_metadata, self->iommufd);
	self->refcnt = vtd_module_refcnt_stable();

	for (n = 1; n < NTH_MAX; n++) {
		nth_arm(_metadata, self, n);
		ret = _test_cmd_attach(self->dev.devfd, 0, pt, NULL);
		if (!nth_fired(_metadata, self, ret))
			break;
		if (!ret) {
			/* On the second table: back to the first. */
			roundtrip(_metadata, self, IOVA_X, IOVA_Y, src2, dst2);
			test_cmd_attach(self->ioas, NULL);
			continue;
		}
		ASSERT_FAILED(self, ret);
		memset(dst2, FILL, PAGE);
		roundtrip(_metadata, self, IOVA_X, IOVA_Y, self->src, self->dst);
		ASSERT_UNTOUCHED(dst2, FILL, PAGE);
		nothing_kept(_metadata, self);
	}
	ASSERT_EQ(0, ret);
	log_stats(_metadata, &self->st, to_ioas ?
		  "VFIO_DEVICE_ATTACH_IOMMUFD_PT replacing (IOAS)" :
		  "VFIO_DEVICE_ATTACH_IOMMUFD_PT replacing (HWPT)");
	memset(self->dst, FILL, PAGE);
	roundtrip(_metadata, self, IOVA_X, IOVA_Y, src2, dst2);
	ASSERT_UNTOUCHED(self->dst, FILL, PAGE);
}

/*
 * VFIO_DEVICE_BIND_IOMMUFD. After a failure the device is not bound (its
 * regions are not there yet) and no device object is left; the bind can
 * be redone.
 *
 * The bind also opens the device, and vfio-pci's first open enables it,
 * which evaluates ACPI _PRT: ACPICA's error paths do not survive failed
 * allocations there (a KASAN use-after-free at the next close, 7.3.4),
 * and they are neither iommufd's nor the IOMMU driver's. So the sweep
 * runs with an enable of our own held, which leaves that part out.
 */
static void sweep_bind(struct __test_metadata *_metadata,
		       struct nth_ctx *self)
{
	struct vfio_region_info info;
	struct vtd_why why = {};
	unsigned int n;
	__u32 dev_id = 0, hwpt;
	int ret = -1;

	vtd_dev_close_cdev(&self->dev);
	ASSERT_EQ(VTD_SETUP_OK, edu_hold_enable(&self->dev.edu, true, &why)) {
		TH_LOG("%s", why.msg);
	}
	self->enable_held = true;
	reopen_cdev(_metadata, self);

	for (n = 1; n < NTH_MAX; n++) {
		nth_arm(_metadata, self, n);
		ret = _test_cmd_bind(self->dev.devfd, self->iommufd, 0,
				     &dev_id);
		if (!nth_fired(_metadata, self, ret))
			break;
		if (!ret) {
			/* Bound after all: unbind by closing the cdev. */
			ASSERT_EQ(0, vfio_region_info(self->dev.devfd,
						      VFIO_PCI_BAR0_REGION_INDEX,
						      &info));
			reopen_cdev(_metadata, self);
			continue;
		}
		ASSERT_FAILED(self, ret);
		EXPECT_ERRNO(EINVAL, vfio_region_info(self->dev.devfd,
						      VFIO_PCI_BAR0_REGION_INDEX,
						      &info));
		nothing_kept(_metadata, self);
	}
	ASSERT_EQ(0, ret);
	log_stats(_metadata, &self->st, "VFIO_DEVICE_BIND_IOMMUFD");

	/* The device that was bound does DMA. */
	self->dev.dev_id = dev_id;
	ASSERT_EQ(VTD_SETUP_OK, edu_enable(&self->dev.edu, &why)) {
		TH_LOG("%s", why.msg);
	}
	test_cmd_attach(self->ioas, &hwpt);
	roundtrip(_metadata, self, IOVA_X, IOVA_Y, self->src, self->dst);
}

TEST_F_TIMEOUT(nth, ioas_map, NTH_TIMEOUT_S)
{
	sweep_ioas_map(_metadata, &self->c);
}

TEST_F_TIMEOUT(nth, ioas_unmap, NTH_TIMEOUT_S)
{
	sweep_ioas_unmap(_metadata, &self->c);
}

TEST_F_TIMEOUT(nth, hwpt_alloc, NTH_TIMEOUT_S)
{
	sweep_hwpt_alloc(_metadata, &self->c);
}

TEST_F_TIMEOUT(nth, attach_ioas, NTH_TIMEOUT_S)
{
	sweep_attach(_metadata, &self->c, true);
}

TEST_F_TIMEOUT(nth, attach_hwpt, NTH_TIMEOUT_S)
{
	sweep_attach(_metadata, &self->c, false);
}

TEST_F_TIMEOUT(nth, replace_ioas, NTH_TIMEOUT_S)
{
	sweep_replace(_metadata, &self->c, true);
}

TEST_F_TIMEOUT(nth, replace_hwpt, NTH_TIMEOUT_S)
{
	sweep_replace(_metadata, &self->c, false);
}

TEST_F_TIMEOUT(nth_unbound, bind, NTH_TIMEOUT_S)
{
	sweep_bind(_metadata, &self->c);
}

TEST_HARNESS_MAIN
