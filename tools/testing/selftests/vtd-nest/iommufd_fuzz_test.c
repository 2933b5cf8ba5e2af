// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtd-nest: a bounded random run of iommufd (/dev/iommu) and VFIO cdev
 * calls with valid and invalid arguments, on edu behind the IOMMU.
 *
 * VTD_FUZZ_CALLS calls (default 25000) are drawn from a seeded generator:
 * IOAS alloc, map, unmap, copy, IOVA ranges and allowed IOVAs; HWPT alloc
 * with random flags and data; attach, replace and detach; GET_HW_INFO;
 * destroy of random IDs; HWPT invalidate with random data types; and,
 * rarely, unbind (closing the cdev) and bind. The seed is fixed (FUZZ_SEED),
 * printed, and VTD_FUZZ_SEED sets another, so a run repeats call for call.
 *
 * What is asserted: every call returns (the run has a time limit) and the
 * program survives it; afterwards every object the run made can be
 * destroyed, no other ID is left, no file descriptor is left open and
 * intel-vtd holds no more module references than before; and edu, bound
 * again to a new iommufd, still moves a page by DMA byte for byte.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vtd_utils.h"
#include "edu.h"

#define PAGE		SZ_4K
#define FILL		0xcc
#define POOL_PAGES	64U
#define MAX_OBJS	64U
/* At most this many IOASes and HWPTs live, so maps stay cheap. */
#define MAX_IOAS	8U
#define MAX_HWPT	6U
/* Fixed IOVAs fall in a small window, so calls collide with each other. */
#define WIN_BASE	0x100000ULL
#define WIN_PAGES	256U
/*
 * Every run makes the same calls unless VTD_FUZZ_SEED says otherwise, so
 * a failure in `make check` repeats, and so does the run's length: 25000
 * calls took 67 s in the debug kernel under TCG (100000: up to 10 minutes).
 */
#define FUZZ_SEED	0x7674642d66757a7aULL	/* "vtd-fuzz" */
#define FUZZ_TIMEOUT_S	1200

enum fuzz_op {
	OP_IOAS_ALLOC,
	OP_IOAS_MAP,
	OP_IOAS_UNMAP,
	OP_IOAS_COPY,
	OP_IOAS_IOVA_RANGES,
	OP_IOAS_ALLOW_IOVAS,
	OP_HWPT_ALLOC,
	OP_ATTACH,
	OP_DETACH,
	OP_GET_HW_INFO,
	OP_DESTROY,
	OP_HWPT_INVALIDATE,
	OP_BIND,
	OP_UNBIND,
	OP_NR,
};

static const char *const op_names[OP_NR] = {
	"IOAS_ALLOC", "IOAS_MAP", "IOAS_UNMAP", "IOAS_COPY",
	"IOAS_IOVA_RANGES", "IOAS_ALLOW_IOVAS", "HWPT_ALLOC", "ATTACH",
	"DETACH", "GET_HW_INFO", "DESTROY", "HWPT_INVALIDATE", "BIND",
	"UNBIND",
};

/* Relative frequencies; binding and unbinding reset edu and are slow. */
static const unsigned int op_weight[OP_NR] = {
	[OP_IOAS_ALLOC] = 4,
	[OP_IOAS_MAP] = 24,
	[OP_IOAS_UNMAP] = 16,
	[OP_IOAS_COPY] = 6,
	[OP_IOAS_IOVA_RANGES] = 6,
	[OP_IOAS_ALLOW_IOVAS] = 4,
	[OP_HWPT_ALLOC] = 8,
	[OP_ATTACH] = 8,
	[OP_DETACH] = 2,
	[OP_GET_HW_INFO] = 6,
	[OP_DESTROY] = 8,
	[OP_HWPT_INVALIDATE] = 6,
};

/* One in this many calls unbinds (when bound) or binds (when not). */
#define BIND_ONE_IN	1000

struct fuzz {
	struct vtd_dev dev;
	int iommufd;
	bool bound;
	uint64_t rng;
	uint8_t *pool;		/* POOL_PAGES pages to map */
	uint8_t junk[256];	/* random bytes for data buffers */
	/* Objects the run made and has not destroyed. */
	__u32 obj[MAX_OBJS];
	bool obj_is_ioas[MAX_OBJS];
	unsigned int nr_obj;
	__u32 max_id;		/* the highest ID seen */
	unsigned long calls[OP_NR], ok[OP_NR];
};

/* splitmix64 */
static uint64_t rnd(struct fuzz *f)
{
	uint64_t z = (f->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t below(struct fuzz *f, uint32_t n)
{
	return n ? rnd(f) % n : 0;
}

static bool one_in(struct fuzz *f, uint32_t n)
{
	return !below(f, n);
}

static void obj_add(struct fuzz *f, __u32 id, bool ioas)
{
	if (id > f->max_id)
		f->max_id = id;
	if (f->nr_obj == MAX_OBJS)
		return;		/* still destroyed by the final sweep */
	f->obj_is_ioas[f->nr_obj] = ioas;
	f->obj[f->nr_obj++] = id;
}

static void obj_del(struct fuzz *f, __u32 id)
{
	unsigned int i;

	for (i = 0; i < f->nr_obj; i++) {
		if (f->obj[i] != id)
			continue;
		f->nr_obj--;
		f->obj[i] = f->obj[f->nr_obj];
		f->obj_is_ioas[i] = f->obj_is_ioas[f->nr_obj];
		return;
	}
}

static unsigned int nr_ioas(struct fuzz *f)
{
	unsigned int i, n = 0;

	for (i = 0; i < f->nr_obj; i++)
		n += f->obj_is_ioas[i];
	return n;
}

/* A live object of the kind (IOAS or not), to destroy; 0 if none. */
static __u32 pick_obj(struct fuzz *f, bool ioas)
{
	unsigned int i, start = below(f, f->nr_obj);

	for (i = 0; i < f->nr_obj; i++) {
		unsigned int k = (start + i) % f->nr_obj;

		if (f->obj_is_ioas[k] == ioas)
			return f->obj[k];
	}
	return 0;
}

/* At the limit, destroy an object of the kind instead of making one. */
static int destroy_one(struct fuzz *f, bool ioas)
{
	__u32 id = pick_obj(f, ioas);
	int ret = _test_cmd_destroy(f->iommufd, id);

	if (!ret)
		obj_del(f, id);
	return ret;
}

/* An object ID: mostly a live one, sometimes the device, 0 or anything. */
static __u32 pick_id(struct fuzz *f)
{
	switch (below(f, 16)) {
	case 0:
		return f->dev.dev_id;
	case 1:
		return 0;
	case 2:
		return below(f, f->max_id + 4);
	case 3:
		return rnd(f);
	default:
		return f->nr_obj ? f->obj[below(f, f->nr_obj)] :
				   below(f, f->max_id + 4);
	}
}

/* An IOAS ID, when there is one; otherwise any ID. */
static __u32 pick_ioas(struct fuzz *f)
{
	unsigned int i, n = nr_ioas(f), k;

	if (!n || one_in(f, 8))
		return pick_id(f);
	k = below(f, n);
	for (i = 0; i < f->nr_obj; i++)
		if (f->obj_is_ioas[i] && !k--)
			return f->obj[i];
	return pick_id(f);
}

/* A page-aligned IOVA in the window, or sometimes anything. */
static __u64 pick_iova(struct fuzz *f)
{
	switch (below(f, 16)) {
	case 0:
		return rnd(f);
	case 1:
		return rnd(f) & ~(__u64)(PAGE - 1);
	case 2:
		return ~0ULL - PAGE * below(f, 4);
	case 3:
		return WIN_BASE + below(f, WIN_PAGES * PAGE);
	default:
		return WIN_BASE + (__u64)below(f, WIN_PAGES) * PAGE;
	}
}

/* A length: mostly a few pages, sometimes 0, odd or huge. */
static __u64 pick_len(struct fuzz *f)
{
	switch (below(f, 16)) {
	case 0:
		return 0;
	case 1:
		return rnd(f);
	case 2:
		return 1 + below(f, 3 * PAGE);
	case 3:
		return ~0ULL - below(f, 2) * PAGE;
	default:
		return (__u64)(1 + below(f, 16)) * PAGE;
	}
}

/* User memory to map: inside the pool, or not there at all. */
static void *pick_va(struct fuzz *f, __u64 len)
{
	switch (below(f, 16)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)rnd(f);
	case 2:
		return f->pool + below(f, POOL_PAGES * PAGE);
	case 3:
		return (void *)0xffff888000000000ULL;	/* kernel memory */
	default:
		if (len > POOL_PAGES * PAGE)
			return f->pool;
		return f->pool +
		       (size_t)below(f, POOL_PAGES - len / PAGE + 1) * PAGE;
	}
}

/* A buffer for data_uptr: random bytes, or no valid memory. */
static void *pick_data(struct fuzz *f, __u32 *len)
{
	*len = below(f, 4) ? below(f, 65) : rnd(f);
	switch (below(f, 8)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)rnd(f);
	default:
		*len %= sizeof(f->junk) + 1;
		return f->junk;
	}
}

static void refill_junk(struct fuzz *f)
{
	unsigned int i;

	for (i = 0; i < sizeof(f->junk); i += 8) {
		uint64_t v = rnd(f);

		/* Mostly small numbers: they look like valid fields. */
		if (one_in(f, 2))
			v &= 0xff;
		memcpy(f->junk + i, &v, 8);
	}
}

static __u32 pick_flags(struct fuzz *f, __u32 valid)
{
	switch (below(f, 8)) {
	case 0:
		return rnd(f);
	case 1:
		return valid | (1U << below(f, 32));
	default:
		return rnd(f) & valid;
	}
}

static int do_op(struct fuzz *f, enum fuzz_op op)
{
	int fd = f->iommufd;
	__u32 id, len;
	__u64 iova, l;
	int ret;

	switch (op) {
	case OP_IOAS_ALLOC:
		if (nr_ioas(f) >= MAX_IOAS)
			return destroy_one(f, true);
		ret = _test_cmd_ioas_alloc(fd, one_in(f, 8) ? rnd(f) : 0, &id);
		if (!ret)
			obj_add(f, id, true);
		return ret;
	case OP_IOAS_MAP:
		l = pick_len(f);
		iova = pick_iova(f);
		return _test_cmd_ioas_map(fd, pick_ioas(f), pick_va(f, l), l,
					  &iova,
					  pick_flags(f, MAP_RW |
						     IOMMU_IOAS_MAP_FIXED_IOVA));
	case OP_IOAS_UNMAP:
		/* Now and then everything: 0 .. U64_MAX, or the window. */
		if (one_in(f, 64))
			return _test_cmd_ioas_unmap(fd, pick_ioas(f), 0, ~0ULL,
						    NULL);
		if (one_in(f, 8))
			return _test_cmd_ioas_unmap(fd, pick_ioas(f), WIN_BASE,
						    WIN_PAGES * PAGE, NULL);
		return _test_cmd_ioas_unmap(fd, pick_ioas(f), pick_iova(f),
					    pick_len(f), NULL);
	case OP_IOAS_COPY: {
		struct iommu_ioas_copy cmd = {
			.size = one_in(f, 16) ? below(f, 64) : sizeof(cmd),
			.flags = pick_flags(f, MAP_RW |
					    IOMMU_IOAS_MAP_FIXED_IOVA),
			.dst_ioas_id = pick_ioas(f),
			.src_ioas_id = pick_ioas(f),
			.length = pick_len(f),
			.dst_iova = pick_iova(f),
			.src_iova = pick_iova(f),
		};

		return ioctl(fd, IOMMU_IOAS_COPY, &cmd);
	}
	case OP_IOAS_IOVA_RANGES: {
		struct iommu_iova_range ranges[4];
		__u32 num = below(f, 5);

		return _test_cmd_ioas_iova_ranges(fd, pick_ioas(f),
						  one_in(f, 8) ? NULL : ranges,
						  &num, NULL);
	}
	case OP_IOAS_ALLOW_IOVAS: {
		struct iommu_iova_range ranges[3];
		struct iommu_ioas_allow_iovas cmd = {
			.size = sizeof(cmd),
			.ioas_id = pick_ioas(f),
			.num_iovas = below(f, 4),
			.allowed_iovas = (uintptr_t)ranges,
		};
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(ranges); i++) {
			ranges[i].start = pick_iova(f);
			ranges[i].last = one_in(f, 4) ? rnd(f) :
				ranges[i].start + pick_len(f) - 1;
		}
		return ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd);
	}
	case OP_HWPT_ALLOC: {
		static const __u32 types[] = {
			IOMMU_HWPT_DATA_NONE, IOMMU_HWPT_DATA_VTD_S1,
			IOMMU_HWPT_DATA_ARM_SMMUV3, 3, 0xbad,
		};
		__u32 type = types[below(f, ARRAY_SIZE(types))];
		void *data;

		if (f->nr_obj - nr_ioas(f) >= MAX_HWPT)
			return destroy_one(f, false);
		refill_junk(f);
		data = pick_data(f, &len);
		if (type == IOMMU_HWPT_DATA_NONE && !one_in(f, 4)) {
			data = NULL;
			len = 0;
		}
		ret = _test_cmd_hwpt_alloc(fd, one_in(f, 8) ? pick_id(f) :
					   f->dev.dev_id,
					   one_in(f, 2) ? pick_ioas(f) : pick_id(f),
					   one_in(f, 2) ? 0 : pick_flags(f, 0xf),
					   &id, type, data, len);
		if (!ret)
			obj_add(f, id, false);
		return ret;
	}
	case OP_ATTACH: {
		__u32 out = 0;

		ret = _test_cmd_attach(f->dev.devfd,
				       one_in(f, 16) ? rnd(f) : 0,
				       one_in(f, 2) ? pick_ioas(f) : pick_id(f),
				       &out);
		if (!ret && out > f->max_id)
			f->max_id = out;
		return ret;
	}
	case OP_DETACH:
		return _test_cmd_detach(f->dev.devfd,
					one_in(f, 8) ? rnd(f) : 0);
	case OP_GET_HW_INFO: {
		void *data;

		refill_junk(f);
		data = pick_data(f, &len);
		return _test_cmd_get_hw_info(fd, one_in(f, 8) ? pick_id(f) :
					     f->dev.dev_id,
					     pick_flags(f, IOMMU_HW_INFO_FLAG_INPUT_TYPE),
					     below(f, 6), data, len, NULL);
	}
	case OP_DESTROY:
		id = pick_id(f);
		ret = _test_cmd_destroy(fd, id);
		if (!ret)
			obj_del(f, id);
		return ret;
	case OP_HWPT_INVALIDATE: {
		struct iommu_hwpt_invalidate cmd = {
			.size = sizeof(cmd),
			.hwpt_id = pick_id(f),
			.data_type = below(f, 4) ? below(f, 3) : rnd(f),
			.entry_len = below(f, 4) ? 24 : below(f, 80),
			.entry_num = below(f, 4),
		};
		void *data;

		refill_junk(f);
		data = pick_data(f, &len);
		cmd.data_uptr = (uintptr_t)data;
		if (data == f->junk && cmd.entry_len * cmd.entry_num > sizeof(f->junk))
			cmd.entry_num = sizeof(f->junk) / (cmd.entry_len ?: 1);
		return ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);
	}
	case OP_BIND:
		ret = _test_cmd_bind(f->dev.devfd,
				     one_in(f, 8) ? (int)below(f, 64) - 1 : fd,
				     one_in(f, 8) ? rnd(f) : 0,
				     &f->dev.dev_id);
		if (!ret) {
			f->bound = true;
			if (f->dev.dev_id > f->max_id)
				f->max_id = f->dev.dev_id;
		}
		return ret;
	case OP_UNBIND: {
		struct vtd_why why = {};

		/* Closing the cdev unbinds; the device's HWPT goes too. */
		vtd_dev_close_cdev(&f->dev);
		f->bound = false;
		if (edu_open_cdev(&f->dev.edu, &why) != VTD_SETUP_OK)
			return -2;
		f->dev.devfd = f->dev.edu.devfd;
		return 0;
	}
	default:
		return -2;
	}
}

static enum fuzz_op pick_op(struct fuzz *f)
{
	unsigned int total = 0, i, r;

	if (one_in(f, BIND_ONE_IN))
		return f->bound ? OP_UNBIND : OP_BIND;
	for (i = 0; i < OP_NR; i++)
		total += op_weight[i];
	r = below(f, total);
	for (i = 0; i < OP_NR; i++) {
		if (r < op_weight[i])
			return i;
		r -= op_weight[i];
	}
	return OP_IOAS_MAP;
}

static unsigned int count_fds(void)
{
	struct dirent *de;
	unsigned int n = 0;
	DIR *d = opendir("/proc/self/fd");

	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

FIXTURE(fuzz) {
	struct fuzz f;
	unsigned int fds;	/* open before the device was */
	long refcnt;		/* intel-vtd's before the run */
};

FIXTURE_SETUP(fuzz)
{
	self->f.iommufd = -1;
	self->fds = count_fds();
	self->refcnt = vtd_module_refcnt_stable();
	VTD_DEV_OPEN(return, &self->f.dev, edu_primary_bdf(), true);
	self->f.iommufd = self->f.dev.iommufd;
	self->f.bound = true;
}

FIXTURE_TEARDOWN(fuzz)
{
	vtd_dev_close(&self->f.dev);
}

TEST_F_TIMEOUT(fuzz, random_calls, FUZZ_TIMEOUT_S)
{
	uint64_t calls = env_u64("VTD_FUZZ_CALLS", 25000);
	uint64_t seed = env_u64("VTD_FUZZ_SEED", FUZZ_SEED);
	struct fuzz *f = &self->f;
	uint64_t i, start = vtd_now_ms();
	uint8_t *src, *dst;
	unsigned int op, progress;
	struct vtd_why why = {};
	__u32 id, ioas;
	int ret;

	TH_LOG("seed 0x%016llx (VTD_FUZZ_SEED), %llu calls (VTD_FUZZ_CALLS)",
	       (unsigned long long)seed, (unsigned long long)calls);
	f->rng = seed;
	f->pool = vtd_alloc(_metadata, POOL_PAGES * PAGE, 0);
	vtd_fill(f->pool, POOL_PAGES * PAGE, seed);
	f->max_id = f->dev.dev_id;

	for (i = 0; i < calls; i++) {
		op = pick_op(f);
		if ((op == OP_UNBIND || op == OP_ATTACH || op == OP_DETACH ||
		     op == OP_GET_HW_INFO) && !f->bound)
			op = OP_BIND;
		else if (op == OP_BIND && f->bound)
			op = OP_GET_HW_INFO;
		ret = do_op(f, op);
		ASSERT_NE(-2, ret) {
			TH_LOG("call %llu (%s): could not reopen the cdev",
			       (unsigned long long)i, op_names[op]);
		}
		f->calls[op]++;
		f->ok[op] += !ret;
	}
	TH_LOG("%llu calls in %llu ms",
	       (unsigned long long)calls,
	       (unsigned long long)(vtd_now_ms() - start));
	for (op = 0; op < OP_NR; op++)
		TH_LOG("  %-18s %7lu calls, %7lu succeeded", op_names[op],
		       f->calls[op], f->ok[op]);

	/*
	 * Clean up: detach, then destroy what the run made (a HWPT before
	 * the IOAS it uses) until nothing more goes.
	 */
	if (f->bound)
		ASSERT_EQ(0, _test_cmd_detach(f->dev.devfd, 0));
	do {
		progress = 0;
		for (i = f->nr_obj; i--;) {
			id = f->obj[i];
			if (!_test_cmd_destroy(f->iommufd, id)) {
				obj_del(f, id);
				progress++;
			}
		}
	} while (progress);
	ASSERT_EQ(0, f->nr_obj) {
		TH_LOG("object %u cannot be destroyed: %s", f->obj[0],
		       strerror(errno));
	}
	/* No other object is left; the device's own is busy until unbound. */
	for (id = 1; id <= f->max_id + 16; id++) {
		if (f->bound && id == f->dev.dev_id) {
			EXPECT_ERRNO(EBUSY, _test_cmd_destroy(f->iommufd, id));
			continue;
		}
		ret = _test_cmd_destroy(f->iommufd, id);
		EXPECT_EQ(ENOENT, ret ? errno : 0) {
			TH_LOG("object %u was left behind", id);
		}
	}
	vtd_dev_close(&f->dev);
	munmap(f->pool, POOL_PAGES * PAGE);
	ASSERT_EQ(self->fds, count_fds());
	ASSERT_EQ(self->refcnt, vtd_module_refcnt_settled(self->refcnt));

	/* edu still works, bound again to a new iommufd. */
	ASSERT_EQ(VTD_SETUP_OK, vtd_dev_open(&f->dev, edu_primary_bdf(), true,
					     &why)) {
		TH_LOG("%s", why.msg);
	}
	src = vtd_alloc(_metadata, PAGE, 0);
	dst = vtd_alloc(_metadata, PAGE, FILL);
	vtd_fill(src, PAGE, vtd_seed());
	ASSERT_EQ(0, _test_cmd_ioas_alloc(f->dev.iommufd, 0, &ioas));
	ASSERT_EQ(0, _test_cmd_ioas_map(f->dev.iommufd, ioas, src, PAGE,
					&(__u64){ WIN_BASE },
					MAP_RO | IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(0, _test_cmd_ioas_map(f->dev.iommufd, ioas, dst, PAGE,
					&(__u64){ WIN_BASE + PAGE },
					MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(0, _test_cmd_attach(f->dev.devfd, 0, ioas, NULL));
	EDU_TO_DEV(&f->dev.edu, WIN_BASE, 0, PAGE);
	EDU_TO_RAM(&f->dev.edu, WIN_BASE + PAGE, 0, PAGE);
	ASSERT_BYTES_EQ(src, dst, PAGE);
}

TEST_HARNESS_MAIN
