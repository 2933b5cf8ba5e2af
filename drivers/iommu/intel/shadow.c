// SPDX-License-Identifier: GPL-2.0-only
/*
 * The software nesting engine: see shadow.h and
 * Documentation/vtd-nest/nesting.rst.
 *
 * A sync of a GIOVA range walks the guest's stage-1 table over that range
 * only. Each guest table page is looked up in the parent, must be RAM the
 * parent maps, and is read one 64-bit entry at a time, each entry once
 * (the guest may be writing it). An entry that is not present, has a
 * reserved bit set, has U/S clear or PS where its level forbids it, is
 * not present in the shadow. Each guest leaf is composed with the
 * parent's leaves under it: a shadow leaf is never larger than the guest
 * leaf, the parent leaf or the run of contiguous host pages, and is
 * writable only where R/W is set at every guest level and the parent
 * allows writes. Shadow leaves that already hold the composition are left
 * alone, so a sync never makes an unchanged translation fault for a
 * moment; only changed or vanished ones are removed.
 *
 * Records. Every guest leaf and table page a sync used is recorded with
 * its GIOVA range and its GPA range, in two interval trees (leaves of one
 * 2M block that continue each other in both spaces share a record). When
 * the parent maps or unmaps GPAs, every GIOVA range whose records touch
 * them is synced again: so the shadow never points at a host page the
 * parent no longer maps (the safety invariant), and picks up guest
 * entries that point at GPAs the parent maps later. A sync removes the
 * records inside its range and the walk adds them back; it covers whole
 * leaf records, so it never cuts a shadow leaf or a record in two.
 *
 * A table page's record also keeps the host page the parent mapped it to,
 * and the shadow keeps the last record it used at each level: a sync
 * that goes down the same guest tables as the one before neither
 * searches the trees nor looks the tables up in the parent again. A
 * parent change at the table's GPA makes the record forget that page
 * (vtd_shadow_parent_changed()); a record that goes takes its place in
 * the walk cache along.
 *
 * Bounds: a sync reads at most max_walk guest table pages (the walk
 * cannot loop: each level descends once, whatever the entries point at),
 * the shadow holds at most max_tables pages (its table's cfg) and
 * max_records records. Past a bound the sync fails with -ENOSPC and leaves its whole
 * range empty in the shadow: nothing half-built stays.
 *
 * Context: the caller serialises every call on one shadow and keeps the
 * parent from changing during a sync; may sleep.
 */
#include <linux/bitops.h>
#include <linux/highmem.h>
#include <linux/interval_tree_generic.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "pgtable-fmt.h"
#include "shadow.h"

struct vtd_shadow_rec {
	struct rb_node giova_rb;
	u64 giova_first;
	u64 giova_last;
	u64 giova_subtree_last;
	struct rb_node gpa_rb;
	u64 gpa_first;
	u64 gpa_last;
	u64 gpa_subtree_last;
	struct list_head stale;	/* in vtd_shadow.stale, or empty */
	bool table;		/* a guest table page, else guest leaves */
	bool ram;		/* table: the parent maps it to RAM at @pfn */
	unsigned int level;	/* table: its level in the guest's table */
	unsigned long pfn;
};

#define REC_GIOVA_FIRST(r)	((r)->giova_first)
#define REC_GIOVA_LAST(r)	((r)->giova_last)
#define REC_GPA_FIRST(r)	((r)->gpa_first)
#define REC_GPA_LAST(r)		((r)->gpa_last)

INTERVAL_TREE_DEFINE(struct vtd_shadow_rec, giova_rb, u64, giova_subtree_last,
		     REC_GIOVA_FIRST, REC_GIOVA_LAST, static inline, vtd_rec_giova)
INTERVAL_TREE_DEFINE(struct vtd_shadow_rec, gpa_rb, u64, gpa_subtree_last,
		     REC_GPA_FIRST, REC_GPA_LAST, static inline, vtd_rec_gpa)

/* Leaf records never grow across this GIOVA boundary. */
#define VTD_SHADOW_REC_BLOCK	SZ_2M

static const char *const vtd_shadow_refusal_names[VTD_SHADOW_NR_REFUSALS] = {
	[VTD_SHADOW_RSVD] = "reserved bit set",
	[VTD_SHADOW_US] = "U/S clear",
	[VTD_SHADOW_PS] = "PS not allowed at this level",
	[VTD_SHADOW_TABLE_UNMAPPED] = "table at a GPA the parent does not map",
	[VTD_SHADOW_TABLE_NOT_RAM] = "table at a GPA that is not RAM",
	[VTD_SHADOW_LEAF_UNMAPPED] = "leaf at a GPA the parent does not map",
};

/**
 * vtd_shadow_refusal_name() - what a refusal means, for logs and debugfs
 * @r: the refusal
 *
 * Return: a constant string.
 */
const char *vtd_shadow_refusal_name(enum vtd_shadow_refusal r)
{
	return r < VTD_SHADOW_NR_REFUSALS ? vtd_shadow_refusal_names[r] : "";
}

/* The guest's IOVA width: 48 or 57 bits. */
static unsigned int vtd_s1_va_bits(const struct vtd_shadow *sh)
{
	return VTD_PT_TABLE_SHIFT + sh->s1_levels * VTD_PT_LEVEL_BITS;
}

/* A GIOVA as the guest's table indexes it (no sign extension)... */
static u64 vtd_s1_raw(const struct vtd_shadow *sh, u64 giova)
{
	return giova & (BIT_ULL(vtd_s1_va_bits(sh)) - 1);
}

/* ...and back: first-level IOVAs are canonical. */
static u64 vtd_s1_canon(const struct vtd_shadow *sh, u64 raw)
{
	return sign_extend64(raw, vtd_s1_va_bits(sh) - 1);
}

/**
 * vtd_shadow_init() - set up a shadow
 * @sh: the shadow
 * @shadow: an empty first-level table for it, with as many levels as the
 *	guest's table or more
 * @parent: the stage-2 table
 * @cfg: the guest's table and the caps
 *
 * Return: 0, or -EINVAL for a configuration the engine cannot shadow.
 */
int vtd_shadow_init(struct vtd_shadow *sh, struct vtd_pt *shadow,
		    struct vtd_pt *parent, const struct vtd_shadow_cfg *cfg)
{
	if ((cfg->s1_levels != 4 && cfg->s1_levels != 5) ||
	    !shadow->first_level || shadow->levels < cfg->s1_levels ||
	    !IS_ALIGNED(cfg->s1_root, SZ_4K) || !cfg->max_records ||
	    !cfg->max_walk)
		return -EINVAL;
	memset(sh, 0, sizeof(*sh));
	sh->shadow = shadow;
	sh->parent = parent;
	sh->s1_root = cfg->s1_root;
	sh->s1_levels = cfg->s1_levels;
	/* GPAs are the parent's IOVAs: its lower canonical half, if first-level. */
	sh->gpa_bits = parent->first_level ? parent->va_bits - 1 :
					     parent->va_bits;
	sh->s1_1g = cfg->s1_1g;
	sh->max_records = cfg->max_records;
	sh->max_walk = cfg->max_walk;
	sh->by_giova = RB_ROOT_CACHED;
	sh->by_gpa = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&sh->stale);
	return 0;
}

static void vtd_rec_free(struct vtd_shadow *sh, struct vtd_shadow_rec *rec)
{
	if (rec->table && sh->walk_cache[rec->level] == rec)
		sh->walk_cache[rec->level] = NULL;
	vtd_rec_giova_remove(rec, &sh->by_giova);
	vtd_rec_gpa_remove(rec, &sh->by_gpa);
	list_del(&rec->stale);
	kfree(rec);
	sh->nr_records--;
}

/* Drop the records that lie inside [first, last]; keep those reaching out. */
static void vtd_rec_drop_inside(struct vtd_shadow *sh, u64 first, u64 last)
{
	struct vtd_shadow_rec *rec, *next;

	for (rec = vtd_rec_giova_iter_first(&sh->by_giova, first, last); rec;
	     rec = next) {
		next = vtd_rec_giova_iter_next(rec, first, last);
		if (rec->giova_first >= first && rec->giova_last <= last)
			vtd_rec_free(sh, rec);
	}
}

/**
 * vtd_shadow_destroy() - free the records
 * @sh: the shadow; its table is the caller's to destroy
 */
void vtd_shadow_destroy(struct vtd_shadow *sh)
{
	vtd_rec_drop_inside(sh, 0, U64_MAX);
}

/* The state of one sync of one canonical half. */
struct vtd_sync {
	struct vtd_shadow *sh;
	struct vtd_pt_gather *g;
	u64 first;			/* the range, canonical GIOVAs */
	u64 last;
	u64 cursor;			/* shadow reconciled below this */
	unsigned long budget;		/* guest table pages we may read */
	struct vtd_shadow_rec *pending;	/* leaf record that may still grow */
	struct vtd_shadow_stats *st;
	int err;
};

/* Remove every shadow leaf of [first, last]; the range holds no leaf cut. */
static void vtd_sync_remove(struct vtd_sync *s, u64 first, u64 last)
{
	u64 bytes;

	if (first > last)
		return;
	bytes = vtd_pt_unmap(s->sh->shadow, first, last - first + 1, s->g);
	s->st->removed += bytes >> VTD_PT_TABLE_SHIFT;
}

static struct vtd_shadow_rec *vtd_sync_rec_new(struct vtd_sync *s, bool table,
					       u64 giova_first,
					       u64 giova_last, u64 gpa_first,
					       u64 gpa_last)
{
	struct vtd_shadow *sh = s->sh;
	struct vtd_shadow_rec *rec;

	if (sh->nr_records >= sh->max_records) {
		s->err = -ENOSPC;
		return NULL;
	}
	rec = kzalloc_obj(*rec, GFP_KERNEL_ACCOUNT);
	if (!rec) {
		s->err = -ENOMEM;
		return NULL;
	}
	rec->table = table;
	rec->giova_first = giova_first;
	rec->giova_last = giova_last;
	rec->gpa_first = gpa_first;
	rec->gpa_last = gpa_last;
	INIT_LIST_HEAD(&rec->stale);
	sh->nr_records++;
	return rec;
}

static void vtd_sync_rec_insert(struct vtd_sync *s, struct vtd_shadow_rec *rec)
{
	vtd_rec_giova_insert(rec, &s->sh->by_giova);
	vtd_rec_gpa_insert(rec, &s->sh->by_gpa);
}

/* The pending leaf record goes into the trees. */
static void vtd_sync_rec_flush(struct vtd_sync *s)
{
	if (s->pending)
		vtd_sync_rec_insert(s, s->pending);
	s->pending = NULL;
}

/* Record a guest leaf (the part of it in the range), growing the pending one. */
static void vtd_sync_rec_leaf(struct vtd_sync *s, u64 giova, u64 gpa, u64 len)
{
	struct vtd_shadow_rec *p = s->pending;

	if (p && p->giova_last + 1 == giova && p->gpa_last + 1 == gpa &&
	    (p->giova_first & ~(u64)(VTD_SHADOW_REC_BLOCK - 1)) ==
	    ((giova + len - 1) & ~(u64)(VTD_SHADOW_REC_BLOCK - 1))) {
		p->giova_last += len;
		p->gpa_last += len;
		return;
	}
	vtd_sync_rec_flush(s);
	s->pending = vtd_sync_rec_new(s, false, giova, giova + len - 1, gpa,
				      gpa + len - 1);
}

static bool vtd_rec_is_table(const struct vtd_shadow_rec *rec,
			     unsigned int level, u64 giova_first,
			     u64 giova_last, u64 gpa)
{
	return rec->table && rec->level == level &&
	       rec->giova_first == giova_first &&
	       rec->giova_last == giova_last && rec->gpa_first == gpa;
}

/*
 * The record of a guest table page at @level, made unless the same one is
 * recorded already. Return: it, or NULL with s->err set.
 */
static struct vtd_shadow_rec *vtd_sync_rec_table(struct vtd_sync *s,
						 unsigned int level,
						 u64 giova_first,
						 u64 giova_last, u64 gpa)
{
	struct vtd_shadow *sh = s->sh;
	struct vtd_shadow_rec *rec = sh->walk_cache[level];

	if (rec && vtd_rec_is_table(rec, level, giova_first, giova_last, gpa))
		return rec;
	for (rec = vtd_rec_giova_iter_first(&sh->by_giova, giova_first,
					    giova_first);
	     rec; rec = vtd_rec_giova_iter_next(rec, giova_first, giova_first))
		if (vtd_rec_is_table(rec, level, giova_first, giova_last, gpa))
			break;
	if (!rec) {
		rec = vtd_sync_rec_new(s, true, giova_first, giova_last, gpa,
				       gpa + SZ_4K - 1);
		if (!rec)
			return NULL;
		rec->level = level;
		vtd_sync_rec_insert(s, rec);
	}
	sh->walk_cache[level] = rec;
	return rec;
}

/* What the shadow holds now for [v, v + len), against what it should. */
enum vtd_sync_now {
	VTD_SYNC_OTHER,		/* something else, in part or whole */
	VTD_SYNC_EMPTY,		/* nothing: one hole covers it */
	VTD_SYNC_SAME,		/* @hpa with @prot, in leaves inside it */
};

static enum vtd_sync_now vtd_sync_compare(struct vtd_pt *pt, u64 v, u64 len,
					  u64 hpa, int prot)
{
	struct vtd_pt_xlate x;
	u64 off;
	int ret;

	for (off = 0; off < len; off += x.leaf_size) {
		ret = vtd_pt_lookup(pt, v + off, &x);
		if (ret == -ENOENT && !off &&
		    (v & (x.leaf_size - 1)) + len <= x.leaf_size)
			return VTD_SYNC_EMPTY;
		if (ret || ((v + off) & (x.leaf_size - 1)) ||
		    off + x.leaf_size > len || x.paddr != hpa + off ||
		    x.prot != prot)
			return VTD_SYNC_OTHER;
	}
	return VTD_SYNC_SAME;
}

/* Make the shadow map [v, v + len) to @hpa with @prot. */
static void vtd_sync_apply(struct vtd_sync *s, u64 v, u64 len, u64 hpa,
			   int prot)
{
	struct vtd_pt *pt = s->sh->shadow;
	int ret;

	vtd_sync_remove(s, s->cursor, v - 1);
	s->cursor = v + len;
	switch (vtd_sync_compare(pt, v, len, hpa, prot)) {
	case VTD_SYNC_SAME:
		return;
	case VTD_SYNC_OTHER:
		vtd_sync_remove(s, v, v + len - 1);
		break;
	case VTD_SYNC_EMPTY:
		break;
	}
	ret = vtd_pt_map(pt, v, hpa, len, prot, GFP_KERNEL_ACCOUNT);
	if (ret) {
		s->err = ret;
		return;
	}
	s->st->written++;
}

/*
 * A guest leaf: [giova, giova + len) at @gpa, the part of it in the range,
 * composed with each parent leaf under it.
 */
static void vtd_sync_leaf(struct vtd_sync *s, u64 giova, u64 gpa, u64 len,
			  bool writable)
{
	struct vtd_pt_xlate x;
	u64 off, chunk;
	bool hole = false;
	int prot;

	vtd_sync_rec_leaf(s, giova, gpa, len);
	for (off = 0; off < len && !s->err; off += chunk) {
		int ret = vtd_pt_lookup(s->sh->parent, gpa + off, &x);

		if (ret == -ERANGE) {
			hole = true;
			break;
		}
		chunk = min(x.leaf_size - ((gpa + off) & (x.leaf_size - 1)),
			    len - off);
		if (ret) {
			hole = true;
			continue;
		}
		prot = IOMMU_READ | (x.prot & (IOMMU_MMIO | IOMMU_NOEXEC));
		if (writable && (x.prot & IOMMU_WRITE))
			prot |= IOMMU_WRITE;
		vtd_sync_apply(s, giova + off, chunk, x.paddr, prot);
	}
	if (hole)
		s->st->refused[VTD_SHADOW_LEAF_UNMAPPED]++;
}

/* The host page of a guest table page the parent maps to RAM, or why not. */
static int vtd_shadow_table_pfn(struct vtd_shadow *sh, u64 gpa,
				unsigned long *pfn,
				enum vtd_shadow_refusal *why)
{
	struct vtd_pt_xlate x;
	struct page *page;

	if (vtd_pt_lookup(sh->parent, gpa, &x)) {
		*why = VTD_SHADOW_TABLE_UNMAPPED;
		return -ENOENT;
	}
	*pfn = PHYS_PFN(x.paddr);
	page = pfn_valid(*pfn) ? pfn_to_page(*pfn) : NULL;
	if ((x.prot & IOMMU_MMIO) || !page || PageReserved(page) ||
	    is_zone_device_page(page)) {
		*why = VTD_SHADOW_TABLE_NOT_RAM;
		return -EINVAL;
	}
	return 0;
}

/* Map the guest table page of @rec, looked up in the parent once. */
static u64 *vtd_shadow_map_table(struct vtd_shadow *sh,
				 struct vtd_shadow_rec *rec,
				 enum vtd_shadow_refusal *why)
{
	if (!rec->ram) {
		if (vtd_shadow_table_pfn(sh, rec->gpa_first, &rec->pfn, why))
			return NULL;
		rec->ram = true;
	}
	return kmap_local_pfn(rec->pfn);
}

/*
 * Check a guest entry at @level (0: PTE). Return: 0 when present and
 * valid, with *leaf and *out (the table's or the leaf's GPA); -ENOENT for
 * P clear; 1 with *why for an entry the shadow leaves out.
 */
static int vtd_shadow_check(const struct vtd_shadow *sh, u64 e,
			    unsigned int level, bool *leaf, u64 *out,
			    enum vtd_shadow_refusal *why)
{
	u64 rsvd = GENMASK_ULL(VTD_PT_MAX_OAS_BITS - 1, sh->gpa_bits);

	if (!(e & VTD_FL_P))
		return -ENOENT;
	*leaf = !level || (e & VTD_FL_PS);
	if (*leaf && level >= 2 && (level > 2 || !sh->s1_1g)) {
		*why = VTD_SHADOW_PS;
		return 1;
	}
	/* Below a large leaf's address: PAT (bit 12), then reserved. */
	if (*leaf && level)
		rsvd |= GENMASK_ULL(vtd_pt_level_shift(level) - 1, 13);
	if (e & rsvd) {
		*why = VTD_SHADOW_RSVD;
		return 1;
	}
	if (!(e & VTD_FL_US)) {
		*why = VTD_SHADOW_US;
		return 1;
	}
	*out = e & VTD_PT_ADDR & ~(vtd_pt_level_size(*leaf ? level : 0) - 1);
	return 0;
}

/*
 * Walk the guest table at @gpa, at @level, covering raw IOVAs from @base,
 * over the raw range [first, last] inside it.
 */
static void vtd_sync_table(struct vtd_sync *s, unsigned int level, u64 gpa,
			   u64 base, u64 first, u64 last, bool writable)
{
	struct vtd_shadow *sh = s->sh;
	u64 span = vtd_pt_level_size(level + 1);
	enum vtd_shadow_refusal why;
	struct vtd_shadow_rec *rec;
	unsigned int i;
	u64 *table;

	rec = vtd_sync_rec_table(s, level, vtd_s1_canon(sh, base),
				 vtd_s1_canon(sh, base + span - 1), gpa);
	if (s->err)
		return;
	if (!s->budget) {
		s->err = -ENOSPC;
		return;
	}
	table = vtd_shadow_map_table(sh, rec, &why);
	if (!table) {
		s->st->refused[why]++;
		return;
	}
	s->budget--;
	s->st->walked++;

	for (i = vtd_pt_index(first, level); !s->err; i++) {
		u64 efirst = base + ((u64)i << vtd_pt_level_shift(level));
		u64 elast = efirst + vtd_pt_level_size(level) - 1;
		u64 e = READ_ONCE(table[i]);
		u64 lo = max(first, efirst), hi = min(last, elast), out;
		bool leaf;
		int ret;

		ret = vtd_shadow_check(sh, e, level, &leaf, &out, &why);
		if (ret > 0)
			s->st->refused[why]++;
		if (ret) {
			/* Nothing here: vtd_sync_apply() or the end clears it. */
		} else if (leaf) {
			vtd_sync_leaf(s, vtd_s1_canon(sh, lo), out + (lo - efirst),
				      hi - lo + 1, writable && (e & VTD_FL_RW));
		} else {
			vtd_sync_table(s, level - 1, out, efirst, lo, hi,
				       writable && (e & VTD_FL_RW));
		}
		if (hi == last)
			break;
	}
	kunmap_local(table);
	cond_resched();
}

/* Extend [*first, *last] to the whole leaf records it touches. */
static void vtd_sync_extend(struct vtd_shadow *sh, u64 *first, u64 *last)
{
	struct vtd_shadow_rec *rec;
	u64 f = *first, l = *last;

	for (rec = vtd_rec_giova_iter_first(&sh->by_giova, f, l); rec;
	     rec = vtd_rec_giova_iter_next(rec, f, l)) {
		if (rec->table)
			continue;
		*first = min(*first, rec->giova_first);
		*last = max(*last, rec->giova_last);
	}
}

/*
 * Sync [first, last], canonical GIOVAs in one half, reading at most
 * *@budget guest table pages (what is left goes back in it).
 */
static int vtd_shadow_sync_half(struct vtd_shadow *sh, u64 first, u64 last,
				struct vtd_pt_gather *g,
				struct vtd_shadow_stats *st, unsigned long *budget)
{
	struct vtd_sync s = {
		.sh = sh,
		.g = g,
		.budget = *budget,
		.st = st,
	};

	vtd_sync_extend(sh, &first, &last);
	s.first = first;
	s.last = last;
	s.cursor = first;
	vtd_rec_drop_inside(sh, first, last);
	vtd_sync_table(&s, sh->s1_levels - 1, sh->s1_root, 0,
		       vtd_s1_raw(sh, first), vtd_s1_raw(sh, last), true);
	*budget = s.budget;
	vtd_sync_rec_flush(&s);
	if (s.err) {
		/* Nothing half-built stays: the range is left empty. */
		vtd_sync_remove(&s, first, last);
		vtd_rec_drop_inside(sh, first, last);
		return s.err;
	}
	vtd_sync_remove(&s, s.cursor, last);
	return 0;
}

static void vtd_shadow_stats_add(struct vtd_shadow_stats *to,
				 const struct vtd_shadow_stats *from)
{
	unsigned int i;

	to->syncs += from->syncs;
	to->failed += from->failed;
	to->walked += from->walked;
	to->written += from->written;
	to->removed += from->removed;
	for (i = 0; i < VTD_SHADOW_NR_REFUSALS; i++)
		to->refused[i] += from->refused[i];
	to->ns += from->ns;
}

/**
 * vtd_shadow_sync() - make the shadow of a GIOVA range equal the guest's
 *		       table composed with the parent
 * @sh: the shadow
 * @first: first GIOVA of the range (canonical); its 4K page is the first
 * @last: last GIOVA of the range (inclusive); its 4K page is the last.
 *	The range may span the non-canonical hole, which is skipped
 * @gather: collects the shadow's removed ranges and freed table pages:
 *	the caller invalidates them, then releases the pages
 *
 * The range may grow to whole guest leaves it cuts.
 *
 * Return: 0; -ENOSPC past a bound or -ENOMEM, the range (of the half that
 * failed) then being left empty.
 */
int vtd_shadow_sync(struct vtd_shadow *sh, u64 first, u64 last,
		    struct vtd_pt_gather *gather)
{
	u64 half = BIT_ULL(vtd_s1_va_bits(sh) - 1);
	u64 lo_last = half - 1, hi_first = vtd_s1_canon(sh, half);
	struct vtd_shadow_stats st = { .syncs = 1 };
	unsigned long budget = sh->max_walk;
	u64 start = ktime_get_ns();
	int ret = 0, err;

	/*
	 * Whole pages: the shadow maps and unmaps nothing smaller, so a
	 * failed sync could not empty the part of a page it covered.
	 */
	if (first <= last) {
		first &= ~(u64)(SZ_4K - 1);
		last |= SZ_4K - 1;
	}
	if (first <= lo_last && first <= last)
		ret = vtd_shadow_sync_half(sh, first, min(last, lo_last),
					   gather, &st, &budget);
	if (last >= hi_first && first <= last) {
		err = vtd_shadow_sync_half(sh, max(first, hi_first), last,
					   gather, &st, &budget);
		ret = ret ?: err;
	}
	st.failed = !!ret;
	st.ns = ktime_get_ns() - start;
	sh->last = st;
	vtd_shadow_stats_add(&sh->stats, &st);
	return ret;
}

/**
 * vtd_shadow_sync_all() - sync every GIOVA
 * @sh: the shadow
 * @gather: as for vtd_shadow_sync()
 *
 * Return: as vtd_shadow_sync().
 */
int vtd_shadow_sync_all(struct vtd_shadow *sh, struct vtd_pt_gather *gather)
{
	return vtd_shadow_sync(sh, 0, U64_MAX, gather);
}

/**
 * vtd_shadow_clear() - empty the shadow and drop every record
 * @sh: the shadow
 * @gather: as for vtd_shadow_sync()
 */
void vtd_shadow_clear(struct vtd_shadow *sh, struct vtd_pt_gather *gather)
{
	u64 half = BIT_ULL(vtd_s1_va_bits(sh) - 1);
	struct vtd_shadow_stats st = {};
	struct vtd_sync s = { .sh = sh, .g = gather, .st = &st };

	vtd_sync_remove(&s, 0, half - 1);
	vtd_sync_remove(&s, vtd_s1_canon(sh, half), U64_MAX);
	vtd_shadow_destroy(sh);
	sh->stats.removed += st.removed;
}

/**
 * vtd_shadow_uses_gpa() - does the shadow depend on a GPA range?
 * @sh: the shadow
 * @gpa_first: first GPA
 * @gpa_last: last GPA (inclusive)
 *
 * Return: true if a guest leaf or table page the shadow was built from
 * lies in the range.
 */
bool vtd_shadow_uses_gpa(struct vtd_shadow *sh, u64 gpa_first, u64 gpa_last)
{
	return vtd_rec_gpa_iter_first(&sh->by_gpa, gpa_first, gpa_last);
}

/**
 * vtd_shadow_parent_changed() - the parent mapped or unmapped GPAs
 * @sh: the shadow
 * @gpa_first: first GPA that changed
 * @gpa_last: last GPA that changed (inclusive)
 * @gather: as for vtd_shadow_sync()
 *
 * Syncs again every GIOVA range whose guest leaves or table pages lie in
 * the GPA range. A sync that fails leaves its range empty, so when this
 * returns no shadow leaf points at a host page the parent no longer maps.
 *
 * Return: true if anything was synced.
 */
bool vtd_shadow_parent_changed(struct vtd_shadow *sh, u64 gpa_first,
			       u64 gpa_last, struct vtd_pt_gather *gather)
{
	struct vtd_shadow_rec *rec;
	bool any = false;

	for (rec = vtd_rec_gpa_iter_first(&sh->by_gpa, gpa_first, gpa_last);
	     rec; rec = vtd_rec_gpa_iter_next(rec, gpa_first, gpa_last)) {
		/* Its host page, if a table's, must be looked up again. */
		rec->ram = false;
		list_add_tail(&rec->stale, &sh->stale);
	}
	/* A sync frees the records of its range: this one, maybe others. */
	while (!list_empty(&sh->stale)) {
		u64 first, last;

		rec = list_first_entry(&sh->stale, struct vtd_shadow_rec, stale);
		list_del_init(&rec->stale);
		first = rec->giova_first;
		last = rec->giova_last;
		vtd_shadow_sync(sh, first, last, gather);
		any = true;
	}
	return any;
}

/**
 * vtd_shadow_translate() - walk the guest's table for one GIOVA
 * @sh: the shadow
 * @giova: the GIOVA
 * @out: the entries read and the outcome
 *
 * Reads the guest's memory now, the way a sync would.
 *
 * Return: 0, or -ERANGE for a GIOVA that is not canonical.
 */
int vtd_shadow_translate(struct vtd_shadow *sh, u64 giova,
			 struct vtd_shadow_xlate *out)
{
	unsigned int level = sh->s1_levels - 1;
	u64 gpa = sh->s1_root, e, addr;
	bool leaf, writable = true;
	unsigned long pfn;
	u64 *table;
	int ret;

	memset(out, 0, sizeof(*out));
	out->refusal = VTD_SHADOW_NR_REFUSALS;
	if (vtd_s1_canon(sh, vtd_s1_raw(sh, giova)) != giova)
		return -ERANGE;
	for (;; level--) {
		if (vtd_shadow_table_pfn(sh, gpa, &pfn, &out->refusal))
			return 0;
		table = kmap_local_pfn(pfn);
		e = READ_ONCE(table[vtd_pt_index(giova, level)]);
		kunmap_local(table);
		out->entries[out->levels++] = e;
		ret = vtd_shadow_check(sh, e, level, &leaf, &addr,
				       &out->refusal);
		if (ret)
			return 0;
		writable = writable && (e & VTD_FL_RW);
		if (leaf) {
			out->leaf_size = vtd_pt_level_size(level);
			out->gpa = addr + (giova & (out->leaf_size - 1));
			out->writable = writable;
			out->present = true;
			return 0;
		}
		gpa = addr;
	}
}
