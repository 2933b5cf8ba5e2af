/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vtd-nest selftests: a test that plays both the VMM and its guest.
 *
 * "Guest RAM" is a buffer of this process mapped into an IOAS at
 * guest-physical addresses (the VMM's stage 2, a nest-parent HWPT on that
 * IOAS). The guest's first-level (stage-1) table, GIOVA -> GPA, is built
 * inside guest RAM by this file, from the VT-d spec's entry layout (3.x
 * 9.7, the IA-32e format), written here as literals independently of the
 * driver. A nested HWPT (IOMMU_HWPT_DATA_VTD_S1) binds that table, and
 * the guest's invalidations (IOMMU_HWPT_INVALIDATE_DATA_VTD_S1) follow
 * every change of it: the contract of the software nesting engine.
 */
#ifndef __SELFTEST_VTD_NEST_H
#define __SELFTEST_VTD_NEST_H

#include <linux/const.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "vtd_utils.h"

/* First-level entry bits (VT-d 3.x 9.7). */
#define S1_P		_BITULL(0)
#define S1_RW		_BITULL(1)
#define S1_US		_BITULL(2)
#define S1_A		_BITULL(5)
#define S1_D		_BITULL(6)
#define S1_PS		_BITULL(7)
#define S1_ADDR		0x000ffffffffff000ULL
#define S1_TABLE	(S1_P | S1_RW | S1_US)

/* The guest's RAM: RAM_SIZE bytes at GPA_BASE; its tables in the first MiB. */
#define GPA_BASE	0x40000000ULL		/* 1 GiB */
#define RAM_SIZE	(32ULL << 20)
#define TABLE_POOL	_BITULL(20)
#define RAM_CHUNK	(2ULL << 20)	/* one IOAS_MAP per chunk */

struct guest {
	int iommufd;
	__u32 ioas;
	uint8_t *ram;		/* 2M aligned */
	void *map;		/* the mmap() it lives in */
	size_t map_len;
	__u64 next_table;	/* GPA of the next free table page */
	__u64 pml4;		/* GPA of the top-level table */
};

static inline void *gpa_hva(struct guest *g, __u64 gpa)
{
	return g->ram + (gpa - GPA_BASE);
}

/* A zeroed 4K table page of guest RAM; 0 when the pool is used up. */
static inline __u64 guest_table_alloc(struct guest *g)
{
	__u64 gpa = g->next_table;

	if (gpa + SZ_4K > GPA_BASE + TABLE_POOL)
		return 0;
	g->next_table += SZ_4K;
	memset(gpa_hva(g, gpa), 0, SZ_4K);
	return gpa;
}

/*
 * Allocate guest RAM and map it, chunk by chunk, into a new IOAS at
 * GPA_BASE; start an empty top-level table. 0, or -errno.
 */
static inline int guest_init(struct guest *g, int iommufd)
{
	uintptr_t p;
	__u64 off;
	int ret;

	memset(g, 0, sizeof(*g));
	g->iommufd = iommufd;
	g->map_len = RAM_SIZE + RAM_CHUNK;
	g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->map == MAP_FAILED)
		return -errno;
	p = ((uintptr_t)g->map + RAM_CHUNK - 1) & ~(uintptr_t)(RAM_CHUNK - 1);
	g->ram = (uint8_t *)p;
	memset(g->ram, 0, RAM_SIZE);
	ret = _test_cmd_ioas_alloc(iommufd, 0, &g->ioas);
	if (ret)
		return -errno;
	for (off = 0; off < RAM_SIZE; off += RAM_CHUNK) {
		__u64 gpa = GPA_BASE + off;

		if (_test_cmd_ioas_map(iommufd, g->ioas, g->ram + off,
				       RAM_CHUNK, &gpa,
				       MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA))
			return -errno;
	}
	g->next_table = GPA_BASE;
	g->pml4 = guest_table_alloc(g);
	return 0;
}

static inline void guest_fini(struct guest *g)
{
	if (g->map && g->map != MAP_FAILED)
		munmap(g->map, g->map_len);
	g->map = NULL;
}

static inline unsigned int s1_index(__u64 giova, unsigned int level)
{
	return (giova >> (12 + 9 * level)) & 511;
}

/*
 * The entry of @giova at @level (0: PTE, 1: PDE, 2: PDPTE, 3: PML4E),
 * making the tables above it as needed. NULL if the pool ran out or a
 * leaf is in the way.
 */
static inline uint64_t *s1_slot(struct guest *g, __u64 giova,
				unsigned int level)
{
	uint64_t *table = gpa_hva(g, g->pml4);
	unsigned int l;

	for (l = 3; l > level; l--) {
		uint64_t *e = &table[s1_index(giova, l)];

		if (!(*e & S1_P)) {
			__u64 t = guest_table_alloc(g);

			if (!t)
				return NULL;
			*e = t | S1_TABLE;
		} else if (*e & S1_PS) {
			return NULL;
		}
		table = gpa_hva(g, *e & S1_ADDR);
	}
	return &table[s1_index(giova, level)];
}

/* Map a 4K (or, with @big, 2M) guest leaf GIOVA -> GPA. 0 or -ENOSPC. */
static inline int s1_map(struct guest *g, __u64 giova, __u64 gpa, bool rw,
			 bool big)
{
	uint64_t *e = s1_slot(g, giova, big ? 1 : 0);

	if (!e)
		return -ENOSPC;
	*e = gpa | S1_P | S1_US | S1_A | (rw ? S1_RW | S1_D : 0) |
	     (big ? S1_PS : 0);
	return 0;
}

/* Clear the leaf of @giova (4K, or 2M with @big). */
static inline void s1_unmap(struct guest *g, __u64 giova, bool big)
{
	uint64_t *e = s1_slot(g, giova, big ? 1 : 0);

	if (e)
		*e = 0;
}

/* The same in the table rooted at @root, a second guest table. */
static inline int s1_map_root(struct guest *g, __u64 root, __u64 giova,
			      __u64 gpa)
{
	__u64 saved = g->pml4;
	int ret;

	g->pml4 = root;
	ret = s1_map(g, giova, gpa, true, false);
	g->pml4 = saved;
	return ret;
}

static inline void s1_unmap_root(struct guest *g, __u64 root, __u64 giova)
{
	__u64 saved = g->pml4;

	g->pml4 = root;
	s1_unmap(g, giova, false);
	g->pml4 = saved;
}

/* ---- IOMMU_HWPT_ALLOC of a nested HWPT ---- */

static inline int _test_cmd_nested_alloc(int fd, __u32 dev_id, __u32 pt_id,
					 __u64 pgtbl_addr, __u32 addr_width,
					 __u64 flags, __u32 *hwpt_id)
{
	struct iommu_hwpt_vtd_s1 s1 = {
		.flags = flags,
		.pgtbl_addr = pgtbl_addr,
		.addr_width = addr_width,
	};

	return _test_cmd_hwpt_alloc(fd, dev_id, pt_id, 0, hwpt_id,
				    IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1));
}

/* ---- IOMMU_HWPT_INVALIDATE ---- */

static inline int _test_cmd_hwpt_invalidate(int fd, __u32 hwpt_id,
					    __u32 data_type, const void *data,
					    __u32 entry_len, __u32 *entry_num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt_id,
		.data_uptr = (uintptr_t)data,
		.data_type = data_type,
		.entry_len = entry_len,
		.entry_num = *entry_num,
	};
	int ret;

	ret = ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);
	*entry_num = cmd.entry_num;
	return ret;
}

/* The guest's invalidation of [giova, giova + npages * 4K). */
static inline int s1_invalidate(int fd, __u32 hwpt_id, __u64 giova,
				__u64 npages)
{
	struct iommu_hwpt_vtd_s1_invalidate inv = {
		.addr = giova,
		.npages = npages,
	};
	__u32 n = 1;
	int ret;

	ret = _test_cmd_hwpt_invalidate(fd, hwpt_id,
					IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
					&inv, sizeof(inv), &n);
	if (!ret && n != 1)
		return -1;
	return ret;
}

#endif /* __SELFTEST_VTD_NEST_H */
