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

#include <linux/debugfs.h>
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
 * vtd_pt_pages_in_use() - pages currently allocated by this library
 *
 * Counts the pages of every table, including pages handed to a gather
 * and not yet released or in a quarantine list, and every page of
 * vtd_hw_page_alloc(). For leak checks: /sys/kernel/debug/intel-pgtable/
 * pages_in_use shows it, and reads 0 once every user is unloaded.
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

static void vtd_pt_account(struct vtd_pt *pt, long pages)
{
	atomic_long_add(pages, &pt->nr_tables);
	atomic_long_add(pages, &vtd_pt_live_pages);
}

static u64 *vtd_pt_alloc_table(struct vtd_pt *pt, gfp_t gfp)
{
	struct page *page;

	if (vtd_pt_alloc_should_fail(pt))
		return NULL;
	page = alloc_pages_node(pt->cfg.nid, gfp | __GFP_ZERO, 0);
	if (!page)
		return NULL;
	vtd_pt_account(pt, 1);
	/* A non-coherent walker must not see stale lines of the old page. */
	vtd_pt_flush(pt, page_address(page), PAGE_SIZE);
	return page_address(page);
}

static void vtd_pt_free_page(struct vtd_pt *pt, struct page *page)
{
	__free_page(page);
	vtd_pt_account(pt, -1);
}

/* Free the pages on @list; return how many there were. */
static long vtd_pt_put_pages(struct list_head *list)
{
	struct page *page, *next;
	long n = 0;

	list_for_each_entry_safe(page, next, list, lru) {
		__free_page(page);
		n++;
	}
	INIT_LIST_HEAD(list);
	return n;
}

static void vtd_pt_free_list(struct vtd_pt *pt, struct list_head *list)
{
	long n = vtd_pt_put_pages(list);

	if (n)
		vtd_pt_account(pt, -n);
}

#define VTD_PT_BULK	16	/* pages per bulk allocation */

/*
 * Add @n table pages to @list, not yet counted, zeroed if @zero (else the
 * caller writes every entry before linking the page). The KUnit stub sees
 * every page. On failure the pages already on @list stay there.
 */
static int vtd_pt_alloc_pages(struct vtd_pt *pt, struct list_head *list,
			      unsigned long n, bool zero, gfp_t gfp)
{
	struct page *pages[VTD_PT_BULK];
	unsigned int i, want, got;

	if (zero)
		gfp |= __GFP_ZERO;
	for (; n; n -= want) {
		want = min(n, VTD_PT_BULK);
		for (i = 0; i < want; i++)
			if (vtd_pt_alloc_should_fail(pt))
				return -ENOMEM;
		memset(pages, 0, sizeof(pages));
		got = want > 1 ? alloc_pages_bulk_node(gfp, pt->cfg.nid, want,
						       pages) : 0;
		/* The bulk allocator may stop early: go on one by one. */
		for (; got < want; got++) {
			pages[got] = alloc_pages_node(pt->cfg.nid, gfp, 0);
			if (!pages[got])
				break;
		}
		for (i = 0; i < got; i++) {
			/* No stale lines of the old page for the walker. */
			if (zero)
				vtd_pt_flush(pt, page_address(pages[i]),
					     PAGE_SIZE);
			list_add(&pages[i]->lru, list);
		}
		if (got < want)
			return -ENOMEM;
	}
	return 0;
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

/*
 * Free the pages of a subtree, or move them to @quarantine (still counted
 * in vtd_pt_live_pages, no longer @pt's) when that is not NULL.
 */
static void vtd_pt_free_tree(struct vtd_pt *pt, u64 *table, unsigned int level,
			     struct list_head *quarantine)
{
	unsigned int i;

	for (i = 0; level && i < VTD_PT_ENTRIES; i++) {
		u64 e = table[i];

		if (vtd_pt_present(e, pt->first_level) &&
		    !vtd_pt_is_leaf(e, level, pt->first_level))
			vtd_pt_free_tree(pt, vtd_pt_table_va(e), level - 1,
					 quarantine);
	}
	if (!quarantine) {
		vtd_pt_free_page(pt, virt_to_page(table));
		return;
	}
	list_add_tail(&virt_to_page(table)->lru, quarantine);
	atomic_long_dec(&pt->nr_tables);
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
	vtd_pt_free_tree(pt, pt->top, pt->levels - 1, NULL);
	pt->top = NULL;
	WARN_ON(atomic_long_read(&pt->nr_tables));
}
EXPORT_SYMBOL_GPL(vtd_pt_destroy);

/**
 * vtd_pt_destroy_quarantine() - give up a table the hardware may still walk
 * @pt: the table; empty and unusable afterwards
 * @quarantine: list to move every table page to (linked by page->lru)
 *
 * For a table whose invalidation failed: its pages must not be reused
 * while the hardware may still walk them, so they go to @quarantine, to
 * be freed with vtd_pt_quarantine_free() once the hardware is known to
 * walk no table (translation off). They keep counting in
 * vtd_pt_pages_in_use() until then.
 *
 * Context: no other call on @pt may run.
 */
void vtd_pt_destroy_quarantine(struct vtd_pt *pt, struct list_head *quarantine)
{
	if (!pt->top)
		return;
	vtd_pt_free_tree(pt, pt->top, pt->levels - 1, quarantine);
	pt->top = NULL;
	WARN_ON(atomic_long_read(&pt->nr_tables));
}
EXPORT_SYMBOL_GPL(vtd_pt_destroy_quarantine);

/**
 * vtd_pt_quarantine_free() - free pages given up by a quarantine call
 * @quarantine: pages from vtd_pt_destroy_quarantine(),
 *	vtd_pt_gather_quarantine() or vtd_hw_page_quarantine(); empty after
 *
 * Context: the hardware walks none of them any more.
 * Return: the number of pages freed.
 */
long vtd_pt_quarantine_free(struct list_head *quarantine)
{
	long n = vtd_pt_put_pages(quarantine);

	atomic_long_sub(n, &vtd_pt_live_pages);
	return n;
}
EXPORT_SYMBOL_GPL(vtd_pt_quarantine_free);

/**
 * vtd_hw_page_alloc() - a zeroed page for another structure the hardware
 *			 reads (root, context or PASID table, queue)
 * @nid: NUMA node, or NUMA_NO_NODE
 * @gfp: allocation flags
 *
 * Counted in vtd_pt_pages_in_use() with the table pages, so one counter
 * tells whether everything the driver gave the hardware has been freed.
 *
 * Return: the page's kernel address, or NULL.
 */
void *vtd_hw_page_alloc(int nid, gfp_t gfp)
{
	struct page *page = alloc_pages_node(nid, gfp | __GFP_ZERO, 0);

	if (!page)
		return NULL;
	atomic_long_inc(&vtd_pt_live_pages);
	return page_address(page);
}
EXPORT_SYMBOL_GPL(vtd_hw_page_alloc);

/**
 * vtd_hw_page_free() - free a page from vtd_hw_page_alloc()
 * @va: its kernel address, or NULL
 */
void vtd_hw_page_free(void *va)
{
	if (!va)
		return;
	free_page((unsigned long)va);
	atomic_long_dec(&vtd_pt_live_pages);
}
EXPORT_SYMBOL_GPL(vtd_hw_page_free);

/**
 * vtd_hw_page_quarantine() - keep a vtd_hw_page_alloc() page the hardware
 *			      may still read
 * @va: its kernel address, or NULL
 * @quarantine: list for vtd_pt_quarantine_free()
 */
void vtd_hw_page_quarantine(void *va, struct list_head *quarantine)
{
	if (va)
		list_add_tail(&virt_to_page(va)->lru, quarantine);
}
EXPORT_SYMBOL_GPL(vtd_hw_page_quarantine);

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

static __always_inline bool vtd_pt_iova_valid(const struct vtd_pt *pt,
					      u64 iova)
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
static __always_inline int vtd_pt_check_range(const struct vtd_pt *pt,
					      u64 iova, u64 size, u64 *last)
{
	if (!size || !IS_ALIGNED(iova | size, SZ_4K))
		return -EINVAL;
	if (check_add_overflow(iova, size - 1, last) ||
	    !vtd_pt_iova_valid(pt, iova) || !vtd_pt_iova_valid(pt, *last) ||
	    (pt->first_level && (iova ^ *last) >> (pt->va_bits - 1)))
		return -ERANGE;
	return 0;
}

/* Does a leaf at @level map [va, ...] (output @pa) without passing @last? */
static __always_inline bool vtd_pt_fits(unsigned long pgsizes,
					unsigned int level, u64 va, u64 pa,
					u64 last)
{
	u64 mask = vtd_pt_level_size(level) - 1;

	if (!level)
		return true;
	return (pgsizes & (mask + 1)) && !((va | pa) & mask) &&
	       last - va >= mask;
}

/*
 * Runs of 4K entries in one leaf table: the hot loops of map and unmap,
 * kept free of per-entry decisions.
 */

/* Is none of the @n entries from @p present? */
static __always_inline bool vtd_pt_run_empty(const u64 *p, unsigned int n,
					     bool fl)
{
	u64 any = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		any |= READ_ONCE(p[i]);
	return !(any & vtd_pt_present_bits(fl));
}

/*
 * Write @n 4K leaves from @p, the first @e. The output address is in bits
 * 51:12 and below 2^oas_bits for the whole run, so the next leaf is @e + 4K.
 */
static __always_inline void vtd_pt_write_run(u64 *p, unsigned int n, u64 e)
{
	unsigned int i;

	for (i = 0; i < n; i++, e += SZ_4K)
		WRITE_ONCE(p[i], e);
}

/* How many of the @n entries from @p are present. */
static __always_inline unsigned int vtd_pt_run_count(const u64 *p,
						     unsigned int n, bool fl)
{
	const u64 present = vtd_pt_present_bits(fl);
	unsigned int i, count = 0;

	for (i = 0; i < n; i++)
		count += !!(p[i] & present);
	return count;
}

/* One map call that needs new tables: what every level of the walk needs. */
struct vtd_pt_map {
	struct vtd_pt *pt;
	u64 pa_minus_va;	/* paddr - iova, modulo 2^64 */
	u64 leaf_bits[3];	/* attribute bits of a 4K, 2M and 1G leaf */
	unsigned long pgsizes;
	unsigned long need;	/* tables above level 0 the install may need */
	unsigned long need_leaf;	/* leaf tables (level 0) it may need */
	struct list_head pool;	/* zeroed pages for the former */
	struct list_head leaf_pool;	/* pages for the latter, not zeroed */
};

static __always_inline bool vtd_pt_leaf_fits(const struct vtd_pt_map *m,
					     unsigned int level, u64 va,
					     u64 last)
{
	return vtd_pt_fits(m->pgsizes, level, va, va + m->pa_minus_va, last);
}

/* The leaf at @level for @va, the output address included. */
static __always_inline u64 vtd_pt_mk_leaf(const struct vtd_pt_map *m,
					  unsigned int level, u64 va)
{
	return m->leaf_bits[level] | ((va + m->pa_minus_va) & VTD_PT_ADDR);
}

/*
 * Count the tables that a new table at @level (itself included) needs to
 * map [va, last] below an empty entry at @level + 1.
 */
static void vtd_pt_count_new(struct vtd_pt_map *m, unsigned int level,
			     u64 va, u64 last)
{
	if (!level) {
		m->need_leaf++;
		return;
	}
	m->need++;
	for (;;) {
		u64 end = min(last, va | (vtd_pt_level_size(level) - 1));

		if (!vtd_pt_leaf_fits(m, level, va, end)) {
			if (level == 1)
				m->need_leaf++;
			else
				vtd_pt_count_new(m, level - 1, va, end);
		}
		if (end == last)
			return;
		va = end + 1;
	}
}

/*
 * First pass: nothing is written. Fail with -EEXIST if any part of the
 * range is mapped, and count the table pages the second pass may need.
 */
static int vtd_pt_map_check(struct vtd_pt_map *m, u64 *table,
			    unsigned int level, u64 va, u64 last, bool fl)
{
	unsigned int i = vtd_pt_index(va, level);
	int ret;

	if (!level)
		return vtd_pt_run_empty(&table[i], vtd_pt_index(last, 0) - i + 1,
					fl) ? 0 : -EEXIST;
	for (;; i++) {
		u64 end = min(last, va | (vtd_pt_level_size(level) - 1));
		u64 e = READ_ONCE(table[i]);

		if (!vtd_pt_present(e, fl)) {
			if (!vtd_pt_leaf_fits(m, level, va, end))
				vtd_pt_count_new(m, level - 1, va, end);
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

static u64 *vtd_pt_pool_take(struct list_head *pool)
{
	struct page *page = list_first_entry_or_null(pool, struct page, lru);

	if (WARN_ON_ONCE(!page))
		return NULL;
	list_del(&page->lru);
	return page_address(page);
}

/*
 * Map [va, last] with 4K leaves below the empty entry @slot at level 1,
 * which held @e. The new leaf table is written whole (its page is not
 * zeroed) and flushed before it is linked, so nobody sees it half-made.
 */
static void vtd_pt_install_leaf_table(struct vtd_pt_map *m, u64 *slot, u64 e,
				      u64 va, u64 last, bool fl)
{
	unsigned int idx = vtd_pt_index(va, 0);
	unsigned int n = vtd_pt_index(last, 0) - idx + 1;
	u64 *new = vtd_pt_pool_take(&m->leaf_pool);
	u64 *table;

	if (!new)
		return;
	memset(new, 0, idx * sizeof(*new));
	vtd_pt_write_run(&new[idx], n, vtd_pt_mk_leaf(m, 0, va));
	memset(&new[idx + n], 0, (VTD_PT_ENTRIES - idx - n) * sizeof(*new));
	vtd_pt_flush(m->pt, new, PAGE_SIZE);
	if (try_cmpxchg64(slot, &e, vtd_pt_mk_table(virt_to_phys(new), fl))) {
		vtd_pt_flush(m->pt, slot, sizeof(*slot));
		return;
	}
	/* A neighbour installed a leaf table first: use it. */
	list_add(&virt_to_page(new)->lru, &m->leaf_pool);
	table = vtd_pt_table_va(e);
	vtd_pt_write_run(&table[idx], n, vtd_pt_mk_leaf(m, 0, va));
	vtd_pt_flush(m->pt, &table[idx], n * sizeof(*table));
}

/*
 * Second pass: write leaves and install tables from the pool. Cannot
 * fail while the caller keeps the locking contract.
 */
static void vtd_pt_map_install(struct vtd_pt_map *m, u64 *table,
			       unsigned int level, u64 va, u64 last, bool fl)
{
	unsigned int idx = vtd_pt_index(va, level), first = VTD_PT_ENTRIES;

	if (!level) {
		/* Checked empty, or a neighbour's new one: our part is empty. */
		unsigned int n = vtd_pt_index(last, 0) - idx + 1;

		vtd_pt_write_run(&table[idx], n, vtd_pt_mk_leaf(m, 0, va));
		vtd_pt_flush(m->pt, &table[idx], n * sizeof(*table));
		return;
	}
	for (;; idx++) {
		u64 end = min(last, va | (vtd_pt_level_size(level) - 1));
		u64 *slot = &table[idx];
		u64 e = READ_ONCE(*slot);

		if (!vtd_pt_present(e, fl) && vtd_pt_leaf_fits(m, level, va, end)) {
			WRITE_ONCE(*slot, vtd_pt_mk_leaf(m, level, va));
			first = min(first, idx);
		} else if (!vtd_pt_present(e, fl) && level == 1) {
			vtd_pt_install_leaf_table(m, slot, e, va, end, fl);
		} else if (!vtd_pt_present(e, fl)) {
			u64 *new = vtd_pt_pool_take(&m->pool);
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

/*
 * The general map below @table, an entry of which the range spans (or an
 * empty one that needs a table): check, allocate every table page the
 * range may need, then install.
 */
static noinline int vtd_pt_map_tables(struct vtd_pt *pt, u64 *table,
				      unsigned int level, u64 iova, u64 last,
				      u64 paddr, int prot, gfp_t gfp)
{
	bool fl = pt->first_level;
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
		.leaf_pool = LIST_HEAD_INIT(m.leaf_pool),
	};
	int ret;

	ret = vtd_pt_map_check(&m, table, level, iova, last, fl);
	if (ret)
		return ret;
	if (pt->cfg.max_tables &&
	    atomic_long_read(&pt->nr_tables) + m.need + m.need_leaf >
	    pt->cfg.max_tables)
		return -ENOSPC;
	ret = vtd_pt_alloc_pages(pt, &m.pool, m.need, true, gfp);
	if (!ret)
		ret = vtd_pt_alloc_pages(pt, &m.leaf_pool, m.need_leaf, false,
					 gfp);
	if (ret) {
		vtd_pt_put_pages(&m.pool);
		vtd_pt_put_pages(&m.leaf_pool);
		return ret;
	}
	vtd_pt_account(pt, m.need + m.need_leaf);
	vtd_pt_map_install(&m, table, level, iova, last, fl);
	/* Pages a neighbour's table made unnecessary. */
	vtd_pt_free_list(pt, &m.pool);
	vtd_pt_free_list(pt, &m.leaf_pool);
	return 0;
}

static __always_inline int __vtd_pt_map(struct vtd_pt *pt, u64 iova,
					u64 last, u64 paddr, int prot,
					gfp_t gfp, bool fl)
{
	bool track = pt->cfg.flags & VTD_PT_CFG_DIRTY_TRACKING;
	unsigned int level = pt->levels - 1;
	u64 *table = pt->top;
	unsigned int idx, n;
	u64 e;

	/*
	 * Walk down while the range is inside one entry of an existing
	 * table. Most maps end here: in one existing leaf table, or as one
	 * leaf in an empty entry. Both need no new table, so the check and
	 * the write are two loops over the same entries.
	 */
	for (;;) {
		idx = vtd_pt_index(iova, level);
		if (!level || idx != vtd_pt_index(last, level))
			break;
		e = READ_ONCE(table[idx]);
		if (!vtd_pt_present(e, fl)) {
			if (!vtd_pt_fits(pt->cfg.pgsize_bitmap, level, iova,
					 paddr, last))
				break;
			/* The range is exactly this entry: one leaf. */
			WRITE_ONCE(table[idx],
				   vtd_pt_leaf_bits(prot, level, fl, track) |
				   (paddr & VTD_PT_ADDR));
			vtd_pt_flush(pt, &table[idx], sizeof(*table));
			return 0;
		}
		if (vtd_pt_is_leaf(e, level, fl))
			return -EEXIST;
		table = vtd_pt_table_va(e);
		level--;
	}
	if (level)
		return vtd_pt_map_tables(pt, table, level, iova, last, paddr,
					 prot, gfp);

	n = vtd_pt_index(last, 0) - idx + 1;
	if (!vtd_pt_run_empty(&table[idx], n, fl))
		return -EEXIST;
	vtd_pt_write_run(&table[idx], n, vtd_pt_leaf_bits(prot, 0, fl, track) |
			 (paddr & VTD_PT_ADDR));
	vtd_pt_flush(pt, &table[idx], n * sizeof(*table));
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
 * -EEXIST if any page of the range is already mapped; -ENOMEM; -ENOSPC
 * if the new table pages would take the table above @cfg.max_tables.
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

	if (!level) {
		mapped = vtd_pt_run_count(table, VTD_PT_ENTRIES, fl);
		if (mapped)
			g->leaf_levels |= BIT(0);
		mapped *= SZ_4K;
	}
	for (i = 0; level && i < VTD_PT_ENTRIES; i++) {
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

/* Clear the 4K leaves of [va, last], all in the leaf table @table. */
static __always_inline u64 vtd_pt_unmap_run(struct vtd_pt *pt, u64 *table,
					    u64 va, u64 last,
					    struct vtd_pt_gather *g, bool fl)
{
	const u64 present = vtd_pt_present_bits(fl);
	unsigned int first = vtd_pt_index(va, 0), end = vtd_pt_index(last, 0);
	u64 base = va & ~(vtd_pt_level_size(1) - 1);
	unsigned int i, count;

	/* The gather covers the first to the last leaf removed. */
	while (first <= end && !(READ_ONCE(table[first]) & present))
		first++;
	if (first > end)
		return 0;
	while (!(READ_ONCE(table[end]) & present))
		end--;
	count = 0;
	for (i = first; i <= end; i++) {
		count += !!(READ_ONCE(table[i]) & present);
		WRITE_ONCE(table[i], 0);
	}
	vtd_pt_flush(pt, &table[first], (end - first + 1) * sizeof(*table));
	g->leaf_levels |= BIT(0);
	vtd_pt_gather_add(g, base + first * SZ_4K,
			  base + end * SZ_4K + SZ_4K - 1);
	return (u64)count * SZ_4K;
}

/*
 * Set in the return value of vtd_pt_unmap_level() when it stopped at a leaf
 * that starts before the address to unmap (byte counts are 4K multiples).
 */
#define VTD_PT_UNMAP_STOP	1

static u64 vtd_pt_unmap_level(struct vtd_pt *pt, u64 *table,
			      unsigned int level, u64 va, u64 last,
			      struct vtd_pt_gather *g, bool fl)
{
	unsigned int first = VTD_PT_ENTRIES, idx = vtd_pt_index(va, level);
	u64 unmapped = 0;

	for (;; idx++) {
		u64 mask = vtd_pt_level_size(level) - 1;
		u64 base = va & ~mask, end = min(last, va | mask);
		u64 e = READ_ONCE(table[idx]);

		if (!vtd_pt_present(e, fl)) {
			/* hole: nothing to do */
		} else if (vtd_pt_is_leaf(e, level, fl)) {
			/* Leaves are never split: stop at one that starts before va. */
			if (base != va) {
				unmapped |= VTD_PT_UNMAP_STOP;
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
		} else if (level == 1) {
			unmapped += vtd_pt_unmap_run(pt, vtd_pt_table_va(e), va,
						     end, g, fl);
		} else {
			unmapped += vtd_pt_unmap_level(pt, vtd_pt_table_va(e),
						       level - 1, va, end, g,
						       fl);
			if (unmapped & VTD_PT_UNMAP_STOP)
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

static __always_inline u64 __vtd_pt_unmap(struct vtd_pt *pt, u64 iova,
					  u64 last, struct vtd_pt_gather *g,
					  bool fl)
{
	unsigned int level = pt->levels - 1;
	u64 *table = pt->top;

	/*
	 * Walk down while the range is inside one entry: most unmaps end in
	 * one leaf, one table whose span they cover, or one leaf table.
	 */
	for (; level; level--) {
		unsigned int idx = vtd_pt_index(iova, level);
		u64 mask = vtd_pt_level_size(level) - 1;
		u64 base = iova & ~mask;
		u64 e;

		if (idx != vtd_pt_index(last, level))
			return vtd_pt_unmap_level(pt, table, level, iova, last,
						  g, fl) &
			       ~(u64)VTD_PT_UNMAP_STOP;
		e = READ_ONCE(table[idx]);
		if (!vtd_pt_present(e, fl))
			return 0;
		if (vtd_pt_is_leaf(e, level, fl)) {
			/* Leaves are never split: stop at one that starts before. */
			if (base != iova)
				return 0;
			WRITE_ONCE(table[idx], 0);
			vtd_pt_flush(pt, &table[idx], sizeof(*table));
			g->leaf_levels |= BIT(level);
			vtd_pt_gather_add(g, base, base | mask);
			return mask + 1;
		}
		if (base == iova && last == (base | mask)) {
			/* The range is the table's whole span: free it. */
			WRITE_ONCE(table[idx], 0);
			vtd_pt_flush(pt, &table[idx], sizeof(*table));
			g->table_levels |= BIT(level);
			vtd_pt_gather_add(g, base, base | mask);
			return vtd_pt_collect(g, vtd_pt_table_va(e), level - 1,
					      fl);
		}
		table = vtd_pt_table_va(e);
	}
	return vtd_pt_unmap_run(pt, table, iova, last, g, fl);
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
	u64 last;

	if (vtd_pt_check_range(pt, iova, size, &last))
		return 0;
	if (pt->first_level)
		return __vtd_pt_unmap(pt, iova, last, gather, true);
	return __vtd_pt_unmap(pt, iova, last, gather, false);
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
 * vtd_pt_gather_quarantine() - keep the table pages an unmap collected
 * @pt: the table the pages came from
 * @gather: the gather; its page list is empty afterwards
 * @quarantine: list to move the pages to
 *
 * For when the invalidation failed: the hardware may still walk the
 * pages, so they are not freed until vtd_pt_quarantine_free(). They stop
 * counting as @pt's, and keep counting in vtd_pt_pages_in_use().
 *
 * Return: the number of pages moved.
 */
long vtd_pt_gather_quarantine(struct vtd_pt *pt, struct vtd_pt_gather *gather,
			      struct list_head *quarantine)
{
	struct page *page;
	long n = 0;

	list_for_each_entry(page, &gather->freelist, lru)
		n++;
	list_splice_tail_init(&gather->freelist, quarantine);
	atomic_long_sub(n, &pt->nr_tables);
	return n;
}
EXPORT_SYMBOL_GPL(vtd_pt_gather_quarantine);

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
 * vtd_pt_iova_to_phys() - the output address of one IOVA, and nothing else
 * @pt: the table
 * @iova: the IOVA
 *
 * What iommu_iova_to_phys() asks, which iommufd does for every 4 KiB page
 * it unpins: the walk of vtd_pt_lookup() without its entry array and
 * decoding.
 *
 * Return: the physical address, or 0 if @iova is not mapped or outside
 * the table.
 */
phys_addr_t vtd_pt_iova_to_phys(struct vtd_pt *pt, u64 iova)
{
	bool fl = pt->first_level;
	u64 *table = pt->top;
	int level;

	if (!vtd_pt_iova_valid(pt, iova))
		return 0;
	for (level = pt->levels - 1; level >= 0; level--) {
		u64 e = READ_ONCE(table[vtd_pt_index(iova, level)]);

		if (!vtd_pt_present(e, fl))
			return 0;
		if (vtd_pt_is_leaf(e, level, fl))
			return vtd_pt_leaf_pa(e, level) |
			       (iova & (vtd_pt_level_size(level) - 1));
		table = vtd_pt_table_va(e);
	}
	return 0;
}
EXPORT_SYMBOL_GPL(vtd_pt_iova_to_phys);

/**
 * vtd_pt_lookup() - translate one IOVA
 * @pt: the table
 * @iova: the IOVA
 * @out: output address, leaf size, permissions and D bit of its leaf; on
 *	-ENOENT, @out->leaf_size is the size of the unmapped span around
 *	@iova (the span of the entry found not present), so a walker can
 *	step over holes
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
	out->leaf_size = vtd_pt_level_size(level);
	if (!vtd_pt_present(e, fl))
		return -ENOENT;
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

static struct dentry *vtd_pt_debugfs;

static int vtd_pt_pages_in_use_get(void *data, u64 *val)
{
	*val = vtd_pt_pages_in_use();
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(vtd_pt_pages_in_use_fops, vtd_pt_pages_in_use_get,
			 NULL, "%llu\n");

static int __init vtd_pt_module_init(void)
{
	vtd_pt_debugfs = debugfs_create_dir("intel-pgtable", NULL);
	debugfs_create_file_unsafe("pages_in_use", 0444, vtd_pt_debugfs, NULL,
				   &vtd_pt_pages_in_use_fops);
	return 0;
}
module_init(vtd_pt_module_init);

static void __exit vtd_pt_module_exit(void)
{
	debugfs_remove_recursive(vtd_pt_debugfs);
}
module_exit(vtd_pt_module_exit);

MODULE_DESCRIPTION("VT-d first- and second-level page-table library");
MODULE_LICENSE("GPL");
