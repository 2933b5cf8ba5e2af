// SPDX-License-Identifier: GPL-2.0-only
/*
 * VT-d page-table library: build and edit first-level (IA-32e) and
 * second-level tables in memory. The IOMMU driver owns the hardware; this
 * file only writes entries and tells its caller what to invalidate.
 *
 * Locking contract (the caller keeps it; nothing here takes a lock):
 *  - map, unmap and read_and_clear_dirty may run concurrently on disjoint
 *    IOVA ranges; two calls on overlapping ranges must be serialised;
 *  - lookup and walk may run at any time, and see either the old or the
 *    new entry of a range being changed;
 *  - destroy runs alone, after the hardware stopped walking the table.
 *
 * This works without locks because a table page is only ever freed by an
 * unmap whose range covers the page's whole span: no disjoint range can be
 * using it. New tables are published with cmpxchg, so two neighbours that
 * both need the same missing table agree on one of them.
 */
#define pr_fmt(fmt) "intel-pgtable: " fmt

#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <asm/cacheflush.h>

#include "pgtable-fmt.h"

static const struct {
	u8 levels;
	u8 va_bits;
	bool first_level;
} vtd_pt_formats[VTD_PT_NR_FORMATS] = {
	[VTD_PT_FL4] = { .levels = 4, .va_bits = 48, .first_level = true },
	[VTD_PT_FL5] = { .levels = 5, .va_bits = 57, .first_level = true },
	[VTD_PT_SL3] = { .levels = 3, .va_bits = 39, .first_level = false },
	[VTD_PT_SL4] = { .levels = 4, .va_bits = 48, .first_level = false },
};

#define VTD_PT_CFG_FLAGS	(VTD_PT_CFG_NONCOHERENT | VTD_PT_CFG_DIRTY_TRACKING)
#define VTD_PT_PROT_FLAGS	(IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE | \
				 IOMMU_NOEXEC | IOMMU_MMIO)

/* Table pages held by every table of every user, for leak checks. */
static atomic_long_t vtd_pt_live_pages;

/**
 * vtd_pt_pages_in_use() - table pages currently allocated by this library
 *
 * Counts the pages of every table, including pages handed to a gather
 * and not yet released. For leak checks in tests.
 *
 * Return: the number of pages.
 */
long vtd_pt_pages_in_use(void)
{
	return atomic_long_read(&vtd_pt_live_pages);
}
EXPORT_SYMBOL_GPL(vtd_pt_pages_in_use);

/* The KUnit suite replaces this to fail the Nth table allocation. */
VISIBLE_IF_KUNIT bool vtd_pt_alloc_should_fail(struct vtd_pt *pt)
{
	KUNIT_STATIC_STUB_REDIRECT(vtd_pt_alloc_should_fail, pt);
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(vtd_pt_alloc_should_fail);

static void vtd_pt_flush(const struct vtd_pt *pt, void *va, size_t len)
{
	if (pt->cfg.flags & VTD_PT_CFG_NONCOHERENT)
		clflush_cache_range(va, len);
}

static u64 *vtd_pt_alloc_table(struct vtd_pt *pt, gfp_t gfp)
{
	struct page *page;

	if (vtd_pt_alloc_should_fail(pt))
		return NULL;
	page = alloc_pages_node(pt->cfg.nid, gfp | __GFP_ZERO, 0);
	if (!page)
		return NULL;
	atomic_long_inc(&pt->nr_tables);
	atomic_long_inc(&vtd_pt_live_pages);
	/* A non-coherent walker must not see stale lines of the old page. */
	vtd_pt_flush(pt, page_address(page), PAGE_SIZE);
	return page_address(page);
}

static void vtd_pt_free_page(struct vtd_pt *pt, struct page *page)
{
	__free_page(page);
	atomic_long_dec(&pt->nr_tables);
	atomic_long_dec(&vtd_pt_live_pages);
}

static void vtd_pt_free_list(struct vtd_pt *pt, struct list_head *list)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, list, lru)
		vtd_pt_free_page(pt, page);
	INIT_LIST_HEAD(list);
}

/**
 * vtd_pt_init() - create an empty table
 * @pt: the table to initialise
 * @cfg: format, leaf sizes, output width and options
 * @gfp: allocation flags for the top-level page
 *
 * Return: 0, -EINVAL for a configuration the library cannot build, or
 * -ENOMEM.
 */
int vtd_pt_init(struct vtd_pt *pt, const struct vtd_pt_cfg *cfg, gfp_t gfp)
{
	if (cfg->format >= VTD_PT_NR_FORMATS ||
	    !(cfg->pgsize_bitmap & SZ_4K) ||
	    (cfg->pgsize_bitmap & ~(unsigned long)VTD_PT_PGSIZES) ||
	    cfg->oas_bits <= VTD_PT_TABLE_SHIFT ||
	    cfg->oas_bits > VTD_PT_MAX_OAS_BITS ||
	    (cfg->flags & ~VTD_PT_CFG_FLAGS))
		return -EINVAL;

	memset(pt, 0, sizeof(*pt));
	pt->cfg = *cfg;
	pt->levels = vtd_pt_formats[cfg->format].levels;
	pt->va_bits = vtd_pt_formats[cfg->format].va_bits;
	pt->first_level = vtd_pt_formats[cfg->format].first_level;
	pt->top = vtd_pt_alloc_table(pt, gfp);
	return pt->top ? 0 : -ENOMEM;
}
EXPORT_SYMBOL_GPL(vtd_pt_init);

static void vtd_pt_free_tree(struct vtd_pt *pt, u64 *table, unsigned int level)
{
	unsigned int i;

	for (i = 0; level && i < VTD_PT_ENTRIES; i++) {
		u64 e = table[i];

		if (vtd_pt_present(e, pt->first_level) &&
		    !vtd_pt_is_leaf(e, level, pt->first_level))
			vtd_pt_free_tree(pt, vtd_pt_table_va(e), level - 1);
	}
	vtd_pt_free_page(pt, virt_to_page(table));
}

/**
 * vtd_pt_destroy() - free every page of a table
 * @pt: the table
 *
 * Context: the hardware must no longer walk the table and its caches must
 * hold nothing of it; no other call on @pt may run.
 */
void vtd_pt_destroy(struct vtd_pt *pt)
{
	if (!pt->top)
		return;
	vtd_pt_free_tree(pt, pt->top, pt->levels - 1);
	pt->top = NULL;
	WARN_ON(atomic_long_read(&pt->nr_tables));
}
EXPORT_SYMBOL_GPL(vtd_pt_destroy);

/**
 * vtd_pt_top_phys() - physical address of the top-level table
 * @pt: the table
 *
 * Return: the address to program into FLPTR or SLPTR.
 */
phys_addr_t vtd_pt_top_phys(const struct vtd_pt *pt)
{
	return virt_to_phys(pt->top);
}
EXPORT_SYMBOL_GPL(vtd_pt_top_phys);

static bool vtd_pt_iova_valid(const struct vtd_pt *pt, u64 iova)
{
	/* First level: canonical, i.e. sign-extended from the top VA bit. */
	if (pt->first_level)
		return sign_extend64(iova, pt->va_bits - 1) == iova;
	return !(iova >> pt->va_bits);
}

/*
 * Validate [iova, iova + size) and return its last byte. Both ends must be
 * valid and, for first level, in the same canonical half (the hole between
 * the halves is not translatable).
 */
static int vtd_pt_check_range(const struct vtd_pt *pt, u64 iova, u64 size,
			      u64 *last)
{
	if (!size || !IS_ALIGNED(iova | size, SZ_4K))
		return -EINVAL;
	if (check_add_overflow(iova, size - 1, last) ||
	    !vtd_pt_iova_valid(pt, iova) || !vtd_pt_iova_valid(pt, *last) ||
	    (pt->first_level && (iova ^ *last) >> (pt->va_bits - 1)))
		return -ERANGE;
	return 0;
}

/* One map call: what every level of the walk needs to know. */
struct vtd_pt_map {
	struct vtd_pt *pt;
	u64 pa_minus_va;	/* paddr - iova, modulo 2^64 */
	u64 leaf_bits[3];	/* attribute bits of a 4K, 2M and 1G leaf */
	unsigned long pgsizes;
	unsigned long need;	/* tables the install walk may need */
	struct list_head pool;	/* pages allocated for it */
};

/* Does a leaf at @level map [va, ...] without passing @last? */
static __always_inline bool vtd_pt_leaf_fits(const struct vtd_pt_map *m,
					     unsigned int level, u64 va,
					     u64 last)
{
	u64 mask = vtd_pt_level_size(level) - 1;

	if (!level)
		return true;
	return (m->pgsizes & (mask + 1)) &&
	       !((va | (va + m->pa_minus_va)) & mask) && last - va >= mask;
}

/* Tables needed below an empty entry at @level + 1 covering [va, last]. */
static unsigned long vtd_pt_count_new(const struct vtd_pt_map *m,
				      unsigned int level, u64 va, u64 last)
{
	unsigned long n = 1;

	while (level) {
		u64 end = min(last, va | (vtd_pt_level_size(level) - 1));

		if (!vtd_pt_leaf_fits(m, level, va, end))
			n += vtd_pt_count_new(m, level - 1, va, end);
		if (end == last)
			break;
		va = end + 1;
	}
	return n;
}

/*
 * First pass: nothing is written. Fail with -EEXIST if any part of the
 * range is mapped, and count the table pages the second pass may need.
 */
static int vtd_pt_map_check(struct vtd_pt_map *m, u64 *table,
			    unsigned int level, u64 va, u64 last, bool fl)
{
	int ret;

	for (;;) {
		u64 end = min(last, va | (vtd_pt_level_size(level) - 1));
		u64 e = READ_ONCE(table[vtd_pt_index(va, level)]);

		if (!vtd_pt_present(e, fl)) {
			if (!vtd_pt_leaf_fits(m, level, va, end))
				m->need += vtd_pt_count_new(m, level - 1, va,
							    end);
		} else {
			if (vtd_pt_is_leaf(e, level, fl))
				return -EEXIST;
			ret = vtd_pt_map_check(m, vtd_pt_table_va(e), level - 1,
					       va, end, fl);
			if (ret)
				return ret;
		}
		if (end == last)
			return 0;
		va = end + 1;
	}
}

static u64 *vtd_pt_pool_take(struct vtd_pt_map *m)
{
	struct page *page = list_first_entry_or_null(&m->pool, struct page, lru);

	if (WARN_ON_ONCE(!page))
		return NULL;
	list_del(&page->lru);
	return page_address(page);
}

/*
 * Second pass: write leaves and install tables from the pool. Cannot
 * fail while the caller keeps the locking contract.
 */
static void vtd_pt_map_install(struct vtd_pt_map *m, u64 *table,
			       unsigned int level, u64 va, u64 last, bool fl)
{
	unsigned int first = VTD_PT_ENTRIES, idx = 0;

	for (;;) {
		u64 end = min(last, va | (vtd_pt_level_size(level) - 1));
		u64 *slot;
		u64 e;

		idx = vtd_pt_index(va, level);
		slot = &table[idx];
		e = READ_ONCE(*slot);
		if (!vtd_pt_present(e, fl) && vtd_pt_leaf_fits(m, level, va, end)) {
			WRITE_ONCE(*slot, m->leaf_bits[level] |
				   ((va + m->pa_minus_va) & VTD_PT_ADDR));
			first = min(first, idx);
		} else if (!vtd_pt_present(e, fl)) {
			u64 *new = vtd_pt_pool_take(m);
			u64 ne;

			if (!new)
				return;
			ne = vtd_pt_mk_table(virt_to_phys(new), fl);
			/* A neighbour may have installed this table first. */
			if (try_cmpxchg64(slot, &e, ne)) {
				vtd_pt_flush(m->pt, slot, sizeof(*slot));
				e = ne;
			} else {
				list_add(&virt_to_page(new)->lru, &m->pool);
			}
			vtd_pt_map_install(m, vtd_pt_table_va(e), level - 1,
					   va, end, fl);
		} else if (!WARN_ON_ONCE(vtd_pt_is_leaf(e, level, fl))) {
			vtd_pt_map_install(m, vtd_pt_table_va(e), level - 1,
					   va, end, fl);
		}
		if (end == last)
			break;
		va = end + 1;
	}
	if (first < VTD_PT_ENTRIES)
		vtd_pt_flush(m->pt, &table[first],
			     (idx - first + 1) * sizeof(*table));
}

static __always_inline int __vtd_pt_map(struct vtd_pt *pt, u64 iova,
					u64 last, u64 paddr, int prot,
					gfp_t gfp, bool fl)
{
	bool track = pt->cfg.flags & VTD_PT_CFG_DIRTY_TRACKING;
	struct vtd_pt_map m = {
		.pt = pt,
		.pa_minus_va = paddr - iova,
		.leaf_bits = {
			vtd_pt_leaf_bits(prot, 0, fl, track),
			vtd_pt_leaf_bits(prot, 1, fl, track),
			vtd_pt_leaf_bits(prot, 2, fl, track),
		},
		.pgsizes = pt->cfg.pgsize_bitmap,
		.pool = LIST_HEAD_INIT(m.pool),
	};
	unsigned int level = pt->levels - 1;
	u64 *table = pt->top;
	int ret;

	/* Start at the deepest existing table that holds the whole range. */
	while (level && vtd_pt_index(iova, level) == vtd_pt_index(last, level)) {
		u64 e = READ_ONCE(table[vtd_pt_index(iova, level)]);

		if (!vtd_pt_present(e, fl) || vtd_pt_is_leaf(e, level, fl))
			break;
		table = vtd_pt_table_va(e);
		level--;
	}

	ret = vtd_pt_map_check(&m, table, level, iova, last, fl);
	if (ret)
		return ret;
	for (; m.need; m.need--) {
		u64 *page = vtd_pt_alloc_table(pt, gfp);

		if (!page) {
			vtd_pt_free_list(pt, &m.pool);
			return -ENOMEM;
		}
		list_add(&virt_to_page(page)->lru, &m.pool);
	}
	vtd_pt_map_install(&m, table, level, iova, last, fl);
	/* Pages a neighbour's table made unnecessary. */
	vtd_pt_free_list(pt, &m.pool);
	return 0;
}

/**
 * vtd_pt_map() - map a range
 * @pt: the table
 * @iova: first IOVA, 4K aligned
 * @paddr: output address of @iova, 4K aligned
 * @size: bytes to map, a multiple of 4K
 * @prot: IOMMU_READ, IOMMU_WRITE, IOMMU_CACHE, IOMMU_NOEXEC, IOMMU_MMIO
 * @gfp: allocation flags for new table pages
 *
 * Each piece of the range gets the largest leaf that its IOVA and output
 * address alignment, the remaining size and the table's leaf sizes allow.
 * Inside a table page that an earlier partial unmap left in place, smaller
 * leaves are used. First-level entries cannot deny reads, so a write-only
 * mapping there is readable too.
 *
 * On failure nothing has changed: the range is checked and every table
 * page it needs is allocated before the first entry is written.
 *
 * Context: see the locking contract at the top of this file.
 * Return: 0; -EINVAL for a misaligned @iova, @paddr or @size, an empty
 * range or bad @prot; -ERANGE for an IOVA outside the format's width (or
 * not canonical) or an output address beyond the table's output width;
 * -EEXIST if any page of the range is already mapped; -ENOMEM.
 */
int vtd_pt_map(struct vtd_pt *pt, u64 iova, phys_addr_t paddr, u64 size,
	       int prot, gfp_t gfp)
{
	u64 last, pa_last;
	int ret;

	ret = vtd_pt_check_range(pt, iova, size, &last);
	if (ret)
		return ret;
	if (!IS_ALIGNED(paddr, SZ_4K) || !(prot & (IOMMU_READ | IOMMU_WRITE)) ||
	    (prot & ~VTD_PT_PROT_FLAGS))
		return -EINVAL;
	if (check_add_overflow((u64)paddr, size - 1, &pa_last) ||
	    pa_last >> pt->cfg.oas_bits)
		return -ERANGE;

	if (pt->first_level)
		return __vtd_pt_map(pt, iova, last, paddr, prot, gfp, true);
	return __vtd_pt_map(pt, iova, last, paddr, prot, gfp, false);
}
EXPORT_SYMBOL_GPL(vtd_pt_map);

static void vtd_pt_gather_add(struct vtd_pt_gather *g, u64 start, u64 last)
{
	g->start = min(g->start, start);
	g->last = max(g->last, last);
}

/* Hand a whole subtree to the gather; return the bytes its leaves mapped. */
static u64 vtd_pt_collect(struct vtd_pt_gather *g, u64 *table,
			  unsigned int level, bool fl)
{
	u64 mapped = 0;
	unsigned int i;

	for (i = 0; i < VTD_PT_ENTRIES; i++) {
		u64 e = table[i];

		if (!vtd_pt_present(e, fl))
			continue;
		if (vtd_pt_is_leaf(e, level, fl)) {
			mapped += vtd_pt_level_size(level);
			g->leaf_levels |= BIT(level);
		} else {
			mapped += vtd_pt_collect(g, vtd_pt_table_va(e),
						 level - 1, fl);
			g->table_levels |= BIT(level);
		}
	}
	list_add_tail(&virt_to_page(table)->lru, &g->freelist);
	return mapped;
}

static u64 vtd_pt_unmap_level(struct vtd_pt *pt, u64 *table,
			      unsigned int level, u64 va, u64 last,
			      struct vtd_pt_gather *g, bool fl, bool *stop)
{
	unsigned int first = VTD_PT_ENTRIES, idx = 0;
	u64 unmapped = 0;

	for (;;) {
		u64 mask = vtd_pt_level_size(level) - 1;
		u64 base = va & ~mask, end = min(last, va | mask);
		u64 e;

		idx = vtd_pt_index(va, level);
		e = READ_ONCE(table[idx]);
		if (!vtd_pt_present(e, fl)) {
			/* hole: nothing to do */
		} else if (vtd_pt_is_leaf(e, level, fl)) {
			/* Leaves are never split: stop at one that starts before va. */
			if (base != va) {
				*stop = true;
				break;
			}
			WRITE_ONCE(table[idx], 0);
			first = min(first, idx);
			unmapped += mask + 1;
			g->leaf_levels |= BIT(level);
			vtd_pt_gather_add(g, base, base | mask);
		} else if (base == va && (va | mask) <= last) {
			/* The range covers the whole table: free it. */
			WRITE_ONCE(table[idx], 0);
			first = min(first, idx);
			unmapped += vtd_pt_collect(g, vtd_pt_table_va(e),
						   level - 1, fl);
			g->table_levels |= BIT(level);
			vtd_pt_gather_add(g, base, base | mask);
		} else {
			unmapped += vtd_pt_unmap_level(pt, vtd_pt_table_va(e),
						       level - 1, va, end, g,
						       fl, stop);
			if (*stop)
				break;
		}
		if (end == last)
			break;
		va = end + 1;
	}
	if (first < VTD_PT_ENTRIES)
		vtd_pt_flush(pt, &table[first],
			     (idx - first + 1) * sizeof(*table));
	return unmapped;
}

/**
 * vtd_pt_unmap() - unmap a range
 * @pt: the table
 * @iova: first IOVA, 4K aligned
 * @size: bytes, a multiple of 4K
 * @gather: collects the changed range, the levels changed and the freed
 *	table pages; initialised by the caller with vtd_pt_gather_init()
 *
 * Leaves are never split. A leaf that starts inside the range but ends
 * after it is removed whole, and counted whole. Unmapping stops at a leaf
 * that starts before the IOVA being unmapped; the return value tells where.
 * Holes are skipped. Table pages whose span the range covers are unlinked
 * and put on @gather->freelist: the caller invalidates the IOTLB and
 * paging-structure caches for @gather's range, then calls
 * vtd_pt_gather_release().
 *
 * Context: see the locking contract at the top of this file.
 * Return: the number of bytes the removed leaves mapped; 0 for a bad range.
 */
u64 vtd_pt_unmap(struct vtd_pt *pt, u64 iova, u64 size,
		 struct vtd_pt_gather *gather)
{
	bool stop = false;
	u64 last;

	if (vtd_pt_check_range(pt, iova, size, &last))
		return 0;
	if (pt->first_level)
		return vtd_pt_unmap_level(pt, pt->top, pt->levels - 1, iova,
					  last, gather, true, &stop);
	return vtd_pt_unmap_level(pt, pt->top, pt->levels - 1, iova, last,
				  gather, false, &stop);
}
EXPORT_SYMBOL_GPL(vtd_pt_unmap);

/**
 * vtd_pt_gather_release() - free the table pages an unmap collected
 * @pt: the table the pages came from
 * @gather: the gather; empty afterwards
 *
 * Context: the caller has invalidated the hardware's caches for the range.
 */
void vtd_pt_gather_release(struct vtd_pt *pt, struct vtd_pt_gather *gather)
{
	vtd_pt_free_list(pt, &gather->freelist);
}
EXPORT_SYMBOL_GPL(vtd_pt_gather_release);

/**
 * vtd_pt_walk_iova() - read the entries the hardware would walk for an IOVA
 * @pt: the table
 * @iova: the IOVA
 * @entries: filled top level first
 *
 * Return: the number of entries read (the last is a leaf or not present),
 * or -ERANGE for an IOVA outside the table.
 */
int vtd_pt_walk_iova(struct vtd_pt *pt, u64 iova,
		     u64 entries[VTD_PT_MAX_LEVELS])
{
	u64 *table = pt->top;
	int n = 0, level;

	if (!vtd_pt_iova_valid(pt, iova))
		return -ERANGE;
	for (level = pt->levels - 1; level >= 0; level--) {
		u64 e = READ_ONCE(table[vtd_pt_index(iova, level)]);

		entries[n++] = e;
		if (!vtd_pt_present(e, pt->first_level) ||
		    vtd_pt_is_leaf(e, level, pt->first_level))
			break;
		table = vtd_pt_table_va(e);
	}
	return n;
}
EXPORT_SYMBOL_GPL(vtd_pt_walk_iova);

/**
 * vtd_pt_lookup() - translate one IOVA
 * @pt: the table
 * @iova: the IOVA
 * @out: output address, leaf size, permissions and D bit of its leaf
 *
 * Return: 0, -ENOENT if @iova is not mapped, -ERANGE if it is outside the
 * table.
 */
int vtd_pt_lookup(struct vtd_pt *pt, u64 iova, struct vtd_pt_xlate *out)
{
	bool fl = pt->first_level;
	u64 entries[VTD_PT_MAX_LEVELS];
	unsigned int level;
	u64 e;
	int n;

	n = vtd_pt_walk_iova(pt, iova, entries);
	if (n < 0)
		return n;
	e = entries[n - 1];
	level = pt->levels - n;
	if (!vtd_pt_present(e, fl))
		return -ENOENT;
	out->leaf_size = vtd_pt_level_size(level);
	out->paddr = vtd_pt_leaf_pa(e, level) | (iova & (out->leaf_size - 1));
	out->prot = vtd_pt_leaf_prot(e, fl);
	out->dirty = e & vtd_pt_dirty_bit(fl);
	return 0;
}
EXPORT_SYMBOL_GPL(vtd_pt_lookup);

struct vtd_pt_dirty {
	struct vtd_pt *pt;
	vtd_pt_dirty_fn fn;
	void *arg;
	unsigned int flags;
	bool fl;
};

static void vtd_pt_dirty_level(const struct vtd_pt_dirty *d, u64 *table,
			       unsigned int level, u64 va, u64 last)
{
	const unsigned int dbit = __ffs64(vtd_pt_dirty_bit(d->fl));

	for (;;) {
		u64 end = min(last, va | (vtd_pt_level_size(level) - 1));
		u64 *slot = &table[vtd_pt_index(va, level)];
		u64 e = READ_ONCE(*slot);

		if (!vtd_pt_present(e, d->fl)) {
			/* hole */
		} else if (!vtd_pt_is_leaf(e, level, d->fl)) {
			vtd_pt_dirty_level(d, vtd_pt_table_va(e), level - 1,
					   va, end);
		} else if (d->flags & VTD_PT_DIRTY_NO_CLEAR) {
			if (e & BIT_ULL(dbit))
				d->fn(d->arg, va, end - va + 1);
		} else if (e & BIT_ULL(dbit)) {
			/* Atomic: the walker may set A or D concurrently. */
			clear_bit(dbit, (unsigned long *)slot);
			vtd_pt_flush(d->pt, slot, sizeof(*slot));
			d->fn(d->arg, va, end - va + 1);
		}
		if (end == last)
			return;
		va = end + 1;
	}
}

/**
 * vtd_pt_read_and_clear_dirty() - report and clear D bits over a range
 * @pt: a table created with %VTD_PT_CFG_DIRTY_TRACKING
 * @iova: first IOVA, 4K aligned
 * @size: bytes, a multiple of 4K
 * @flags: %VTD_PT_DIRTY_NO_CLEAR to only report
 * @fn: called for each dirty leaf with the part of it inside the range
 * @arg: passed to @fn
 *
 * The caller must flush the IOTLB for the range after clearing, or the
 * hardware may go on writing through cached translations without setting
 * D again.
 *
 * Context: see the locking contract at the top of this file.
 * Return: 0, -EOPNOTSUPP if the table does not track dirtying, or the
 * range errors of vtd_pt_map().
 */
int vtd_pt_read_and_clear_dirty(struct vtd_pt *pt, u64 iova, u64 size,
				unsigned int flags, vtd_pt_dirty_fn fn,
				void *arg)
{
	struct vtd_pt_dirty d = {
		.pt = pt, .fn = fn, .arg = arg, .flags = flags,
		.fl = pt->first_level,
	};
	u64 last;
	int ret;

	if (!(pt->cfg.flags & VTD_PT_CFG_DIRTY_TRACKING))
		return -EOPNOTSUPP;
	if (flags & ~VTD_PT_DIRTY_NO_CLEAR)
		return -EINVAL;
	ret = vtd_pt_check_range(pt, iova, size, &last);
	if (ret)
		return ret;
	vtd_pt_dirty_level(&d, pt->top, pt->levels - 1, iova, last);
	return 0;
}
EXPORT_SYMBOL_GPL(vtd_pt_read_and_clear_dirty);

MODULE_DESCRIPTION("VT-d first- and second-level page-table library");
MODULE_LICENSE("GPL");
