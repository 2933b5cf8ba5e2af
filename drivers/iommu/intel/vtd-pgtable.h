/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VT-d page-table library: first-level (IA-32e) and second-level tables.
 *
 * No hardware access here: the library builds and edits tables in memory
 * and tells its caller what to invalidate. See
 * Documentation/vtd-nest/pgtable.rst for the format details and the
 * locking contract.
 */
#ifndef __VTD_PGTABLE_H
#define __VTD_PGTABLE_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/sizes.h>
#include <linux/types.h>

/**
 * enum vtd_pt_format - table layouts the library builds
 * @VTD_PT_FL4: first level, 4 levels, 48-bit sign-extended IOVA
 * @VTD_PT_FL5: first level, 5 levels, 57-bit sign-extended IOVA
 * @VTD_PT_SL3: second level, 3 levels, 39-bit IOVA
 * @VTD_PT_SL4: second level, 4 levels, 48-bit IOVA
 */
enum vtd_pt_format {
	VTD_PT_FL4,
	VTD_PT_FL5,
	VTD_PT_SL3,
	VTD_PT_SL4,
	VTD_PT_NR_FORMATS,
};

#define VTD_PT_MAX_LEVELS	5

/* Leaf sizes a format can hold: 4K PTE, 2M PDE, 1G PDPE. */
#define VTD_PT_PGSIZES		(SZ_4K | SZ_2M | SZ_1G)

/* Flush CPU caches after every table write: the walker is not coherent. */
#define VTD_PT_CFG_NONCOHERENT		BIT(0)
/* Leave D clear in new leaves so the hardware records writes. */
#define VTD_PT_CFG_DIRTY_TRACKING	BIT(1)

/**
 * struct vtd_pt_cfg - how to build a table
 * @format: one of &enum vtd_pt_format
 * @pgsize_bitmap: leaf sizes to use; must include SZ_4K, subset of
 *	%VTD_PT_PGSIZES (drop SZ_1G when the hardware lacks 1G pages)
 * @oas_bits: output address width in bits (12 < oas_bits <= 52)
 * @flags: %VTD_PT_CFG_* flags
 * @nid: NUMA node for table pages, or NUMA_NO_NODE
 * @max_tables: at most this many table pages (top included); a map that
 *	would need more fails with -ENOSPC. 0: no limit
 */
struct vtd_pt_cfg {
	enum vtd_pt_format format;
	unsigned long pgsize_bitmap;
	unsigned int oas_bits;
	unsigned int flags;
	int nid;
	unsigned long max_tables;
};

/**
 * struct vtd_pt - one page table
 * @top: the top-level table (its physical address goes in FLPTR/SLPTR)
 * @cfg: the configuration it was built with
 * @levels: number of levels
 * @first_level: first-level (IA-32e) entries, else second-level
 * @va_bits: IOVA width in bits
 * @nr_tables: table pages this table owns, including the top and pages
 *	handed to a gather but not yet released
 *
 * All fields but @nr_tables are set by vtd_pt_init() and read-only after.
 */
struct vtd_pt {
	u64 *top;
	struct vtd_pt_cfg cfg;
	u8 levels;
	bool first_level;
	u8 va_bits;
	atomic_long_t nr_tables;
};

/**
 * struct vtd_pt_gather - what an unmap changed, for the caller to invalidate
 * @start: first IOVA whose translation changed
 * @last: last IOVA whose translation changed (inclusive); @start > @last
 *	when nothing changed
 * @leaf_levels: bit N set when a leaf at level N (0 = 4K) was cleared
 * @table_levels: bit N set when a table pointer at level N was cleared, so
 *	paging-structure caches must be invalidated too
 * @freelist: table pages to free once the hardware can no longer walk them
 */
struct vtd_pt_gather {
	u64 start;
	u64 last;
	unsigned long leaf_levels;
	unsigned long table_levels;
	struct list_head freelist;
};

/**
 * struct vtd_pt_xlate - result of a lookup
 * @paddr: output address of the looked-up IOVA
 * @leaf_size: size of the leaf that maps it
 * @prot: IOMMU_READ / IOMMU_WRITE / IOMMU_CACHE / IOMMU_NOEXEC / IOMMU_MMIO
 *	as encoded in the leaf
 * @dirty: the leaf's D bit
 */
struct vtd_pt_xlate {
	phys_addr_t paddr;
	u64 leaf_size;
	int prot;
	bool dirty;
};

/* Called for each dirty leaf, with the part of it inside the range. */
typedef void (*vtd_pt_dirty_fn)(void *arg, u64 iova, u64 size);

/* Do not clear the D bits, only report them. */
#define VTD_PT_DIRTY_NO_CLEAR	BIT(0)

static inline void vtd_pt_gather_init(struct vtd_pt_gather *gather)
{
	gather->start = U64_MAX;
	gather->last = 0;
	gather->leaf_levels = 0;
	gather->table_levels = 0;
	INIT_LIST_HEAD(&gather->freelist);
}

static inline bool vtd_pt_gather_empty(const struct vtd_pt_gather *gather)
{
	return gather->start > gather->last;
}

int vtd_pt_init(struct vtd_pt *pt, const struct vtd_pt_cfg *cfg, gfp_t gfp);
void vtd_pt_destroy(struct vtd_pt *pt);
void vtd_pt_destroy_quarantine(struct vtd_pt *pt, struct list_head *quarantine);
phys_addr_t vtd_pt_top_phys(const struct vtd_pt *pt);
int vtd_pt_map(struct vtd_pt *pt, u64 iova, phys_addr_t paddr, u64 size,
	       int prot, gfp_t gfp);
u64 vtd_pt_unmap(struct vtd_pt *pt, u64 iova, u64 size,
		 struct vtd_pt_gather *gather);
void vtd_pt_gather_release(struct vtd_pt *pt, struct vtd_pt_gather *gather);
long vtd_pt_gather_quarantine(struct vtd_pt *pt, struct vtd_pt_gather *gather,
			      struct list_head *quarantine);
long vtd_pt_quarantine_free(struct list_head *quarantine);
void *vtd_hw_page_alloc(int nid, gfp_t gfp);
void vtd_hw_page_free(void *va);
void vtd_hw_page_quarantine(void *va, struct list_head *quarantine);
int vtd_pt_lookup(struct vtd_pt *pt, u64 iova, struct vtd_pt_xlate *out);
phys_addr_t vtd_pt_iova_to_phys(struct vtd_pt *pt, u64 iova);
int vtd_pt_read_and_clear_dirty(struct vtd_pt *pt, u64 iova, u64 size,
				unsigned int flags, vtd_pt_dirty_fn fn,
				void *arg);
int vtd_pt_walk_iova(struct vtd_pt *pt, u64 iova,
		     u64 entries[VTD_PT_MAX_LEVELS]);
struct seq_file;

/**
 * struct vtd_pt_dump - a dump in progress (see vtd_pt_dump_chunk())
 * @m: where it prints
 * @next: the first entry the next chunk visits, as an IOVA before sign
 *	extension
 * @va: first IOVA of the pending run of leaves
 * @pa: its output address
 * @attrs: leaf bits but the address
 * @leaf_size: size of the leaves of the run
 * @count: leaves in the run; 0 = none pending
 */
struct vtd_pt_dump {
	struct seq_file *m;
	u64 next;
	u64 va;
	u64 pa;
	u64 attrs;
	u64 leaf_size;
	u64 count;
};

void vtd_pt_dump_begin(struct vtd_pt *pt, struct vtd_pt_dump *d,
		       struct seq_file *m);
bool vtd_pt_dump_chunk(struct vtd_pt *pt, struct vtd_pt_dump *d,
		       unsigned int max_entries);
void vtd_pt_dump(struct vtd_pt *pt, struct seq_file *m);
long vtd_pt_pages_in_use(void);

#if IS_ENABLED(CONFIG_KUNIT)
/* For the KUnit suite: a static stub makes chosen table allocations fail. */
bool vtd_pt_alloc_should_fail(struct vtd_pt *pt);
#endif

#endif /* __VTD_PGTABLE_H */
