// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the software nesting engine, shadow.c, compiled again
 * into this module.
 *
 * The fixture is a small guest: pages of real RAM that a parent table
 * (stage 2, 4-level first-level format, IOVA = GPA) maps at GPAs the test
 * chooses, next to ranges it maps to no RAM or as MMIO; a guest
 * first-level table (4 or 5 levels) that the test writes into those pages
 * one raw entry at a time, from the bit positions of the VT-d
 * specification (section 9.7, the IA-32e layout); and the shadow table
 * the engine fills.
 *
 * The model is written from the specification, not from shadow.c: it
 * decodes the guest's memory, read through the test's own record of what
 * the parent maps, for any GIOVA. Every check compares the whole shadow
 * with the model, page for page in effect (see "Checking the shadow"):
 * the same host address, write permission and MMIO attribute, leaves no
 * larger than the guest's or the parent's, nothing where the model has
 * nothing, and no host page the parent does not map. Around every sync,
 * the shadow's leaves before and after are compared with the range the
 * gather says to invalidate.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/gfp.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/numa.h>
#include <linux/prandom.h>
#include <linux/rbtree.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "shadow.h"

static unsigned long oracle_seed;
module_param(oracle_seed, ulong, 0444);
MODULE_PARM_DESC(oracle_seed,
		 "seed of the random oracle (default 0: each configuration's own)");

static unsigned int oracle_steps = 200;
module_param(oracle_steps, uint, 0444);
MODULE_PARM_DESC(oracle_steps, "random operations per oracle run (default 200)");

#define MB(n)		((u64)(n) << 20)
#define GB(n)		((u64)(n) << 30)
#define RW		(IOMMU_READ | IOMMU_WRITE)

/*
 * First-level paging entries, VT-d specification 3.x section 9.7,
 * Tables 30-35. Levels count from the leaf: 0 PTE, 1 PDE, 2 PDPE,
 * 3 PML4E, 4 PML5E.
 */
#define S1_P		BIT_ULL(0)
#define S1_RW		BIT_ULL(1)
#define S1_US		BIT_ULL(2)
#define S1_PWT		BIT_ULL(3)
#define S1_PCD		BIT_ULL(4)
#define S1_A		BIT_ULL(5)
#define S1_D		BIT_ULL(6)
#define S1_PS		BIT_ULL(7)	/* PDPE, PDE: a leaf; PTE: PAT */
#define S1_PAT_LARGE	BIT_ULL(12)	/* PAT of a 1G or 2M leaf */
#define S1_ADDR		GENMASK_ULL(51, 12)
#define S1_XD		BIT_ULL(63)
/* Bits the walk ignores: G, then free for software; 52-62 likewise. */
#define S1_IGNORED	(GENMASK_ULL(11, 8) | GENMASK_ULL(62, 52))

/*
 * The parent is first-level with 4 levels: GPAs are its lower canonical
 * half, so address bits 47 to 51 of a guest entry are reserved.
 */
#define T_GPA_BITS	47
#define T_OAS		46

/*
 * Guest-physical layout. RAM slot i is one page at GPA_RAM + i * 8K, but
 * the last one sits at the very top of the GPA space.
 */
#define NR_RAM		32
#define NR_SPARE	8	/* pages the parent may swap in under a slot */
#define PG_MMIO		(NR_RAM + NR_SPARE)	/* a page mapped as MMIO */
#define NR_PAGES	(PG_MMIO + 1)
#define RAM_STRIDE	SZ_8K
#define GPA_RAM		GB(1)
#define GPA_TOP		(BIT_ULL(T_GPA_BITS) - SZ_4K)
#define GPA_CHUNK	GB(2)		/* 2M of contiguous RAM, if we got it */
#define GPA_FAKE2M	GB(3)		/* 2M mapped to no RAM */
#define GPA_MMIO	(GB(3) + MB(4))	/* a RAM page mapped as MMIO */
#define GPA_ZERO	(GB(3) + MB(8))	/* the zero page: reserved */
#define GPA_FAKE1G	GB(4)		/* 1G (or 2M) mapped to no RAM */
#define GPA_HOLE	GB(8)		/* never mapped */
#define HPA_FAKE	BIT_ULL(44)	/* far above the test VM's RAM */
#define CHUNK_ORDER	9
#define CHUNK_PIECES	8	/* without 2M parent leaves: 8 x 256K */

#define MAX_MAPS	64
#define MAX_SNAP	65536	/* shadow leaves a check can record */

/* Caps of the default shadow: far more than any case but the fan-outs. */
#define DEF_MAX_TABLES	4096
#define DEF_MAX_RECORDS	65536
#define DEF_MAX_WALK	4096

struct fx_cfg {
	const char *name;
	unsigned int s1_levels;
	enum vtd_pt_format shadow_format;
	unsigned long parent_pgsizes;
	unsigned long shadow_pgsizes;
	bool s1_1g;
	u64 seed;		/* the random oracle's */
};

/* One range the test mapped (or will map again) in the parent. */
struct pmap {
	u64 gpa;
	u64 size;
	u64 hpa;
	u64 leaf;	/* the parent's leaf size over it */
	int prot;
	bool ram;	/* RAM of ours: a guest table may live there */
	bool live;	/* mapped now */
	int backing;	/* RAM slots: index in sh_test.pages, else -1 */
	u8 *va;		/* kernel address of @gpa when @ram */
};

/* A shadow leaf, as a scan found it. */
struct snap_leaf {
	u64 iova;
	u64 size;
	u64 paddr;
	int prot;
};

struct sh_test {
	struct kunit *test;
	struct fx_cfg cfg;
	struct vtd_pt parent;
	struct vtd_pt shadow;
	struct vtd_shadow sh;
	bool parent_live;
	bool shadow_live;
	bool sh_live;
	struct page *pages[NR_PAGES];
	int owner[NR_PAGES];		/* the slot a page backs, or -1 */
	struct page *chunk;		/* NULL if the allocation failed */
	struct pmap map[MAX_MAPS];	/* map[i] is RAM slot i, i < NR_RAM */
	unsigned int nr_maps;
	u64 root;			/* GPA of the guest's top table */
	unsigned int next_table;	/* RAM slot the next new table takes */
	/* The shadow's leaves at the last scan, for the gather checks. */
	struct snap_leaf *snap;
	unsigned int nr_snap;
	bool snap_valid;
	/* A scan accepts absent or differently writable blocks in here. */
	u64 lenient_first;
	u64 lenient_last;
	bool translate;		/* scans compare vtd_shadow_translate() */
	const char *what;	/* the operation checked, for messages */
	unsigned int step;
	struct rnd_state rnd;
	/* the allocation-failure stub */
	unsigned int nr_allocs;
	unsigned int fail_at;
	/* statistics */
	unsigned long blocks;
	unsigned long syncs;
	long pages_before;
};

static const struct fx_cfg fx_default = {
	.name = "4-level",
	.s1_levels = 4,
	.shadow_format = VTD_PT_FL4,
	.parent_pgsizes = VTD_PT_PGSIZES,
	.shadow_pgsizes = VTD_PT_PGSIZES,
	.s1_1g = true,
};

/* --- Levels and GIOVAs ---------------------------------------------------- */

static unsigned int lvl_shift(unsigned int level)
{
	return 12 + 9 * level;
}

static u64 lvl_size(unsigned int level)
{
	return BIT_ULL(lvl_shift(level));
}

static unsigned int lvl_idx(u64 raw, unsigned int level)
{
	return (raw >> lvl_shift(level)) & 511;
}

static unsigned int s1_top(const struct sh_test *t)
{
	return t->cfg.s1_levels - 1;
}

static unsigned int s1_va_bits(const struct sh_test *t)
{
	return lvl_shift(t->cfg.s1_levels);
}

/* A GIOVA as the guest's table indexes it, and back. */
static u64 s1_raw(const struct sh_test *t, u64 giova)
{
	return giova & (BIT_ULL(s1_va_bits(t)) - 1);
}

static u64 s1_canon(const struct sh_test *t, u64 raw)
{
	return sign_extend64(raw, s1_va_bits(t) - 1);
}

static bool s1_canonical(const struct sh_test *t, u64 giova)
{
	return s1_canon(t, s1_raw(t, giova)) == giova;
}

/* The first GIOVA of the guest's upper half, plus @off. */
static u64 upper(const struct sh_test *t, u64 off)
{
	return (~0ULL << (s1_va_bits(t) - 1)) + off;
}

/* The GIOVA range an entry at @level of @giova's walk covers. */
static u64 span_first(const struct sh_test *t, u64 giova, unsigned int level)
{
	return s1_canon(t, s1_raw(t, giova) & ~(lvl_size(level) - 1));
}

static u64 span_last(const struct sh_test *t, u64 giova, unsigned int level)
{
	return span_first(t, giova, level) + lvl_size(level) - 1;
}

/* Guest entries, from the specification's bits. */
static u64 s1_table(u64 gpa)
{
	return gpa | S1_P | S1_RW | S1_US | S1_A;
}

static u64 s1_leaf(u64 gpa, unsigned int level, bool write)
{
	u64 e = gpa | S1_P | S1_US | S1_A;

	if (write)
		e |= S1_RW | S1_D;
	if (level)
		e |= S1_PS;
	return e;
}

static u64 slot_gpa(unsigned int i)
{
	return i == NR_RAM - 1 ? GPA_TOP : GPA_RAM + (u64)i * RAM_STRIDE;
}

/* --- The parent, as the test mapped it ----------------------------------- */

static struct pmap *pmap_find(struct sh_test *t, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < t->nr_maps; i++) {
		struct pmap *pm = &t->map[i];

		if (pm->live && gpa >= pm->gpa && gpa - pm->gpa < pm->size)
			return pm;
	}
	return NULL;
}

static bool pmap_any(struct sh_test *t, u64 first, u64 last)
{
	unsigned int i;

	for (i = 0; i < t->nr_maps; i++) {
		struct pmap *pm = &t->map[i];

		if (pm->live && pm->gpa <= last && first <= pm->gpa + pm->size - 1)
			return true;
	}
	return false;
}

/* The largest aligned block around an unmapped @gpa that the parent leaves empty. */
static u64 hole_extent(struct sh_test *t, u64 gpa)
{
	unsigned int level;

	for (level = 3; level; level--) {
		u64 base = gpa & ~(lvl_size(level) - 1);

		if (!pmap_any(t, base, base + lvl_size(level) - 1))
			return lvl_size(level);
	}
	return SZ_4K;
}

/* Does the parent map every host page of [hpa, hpa + size), writable if @write? */
static bool hpa_covered(struct sh_test *t, u64 hpa, u64 size, bool write)
{
	u64 h = hpa;

	while (h < hpa + size) {
		struct pmap *found = NULL;
		unsigned int i;

		for (i = 0; i < t->nr_maps && !found; i++) {
			struct pmap *pm = &t->map[i];

			if (pm->live && h >= pm->hpa && h - pm->hpa < pm->size &&
			    (!write || (pm->prot & IOMMU_WRITE)))
				found = pm;
		}
		if (!found)
			return false;
		h = found->hpa + found->size;
	}
	return true;
}

/* The leaf the parent's map picks over a range aligned to @align. */
static u64 parent_leaf(const struct sh_test *t, u64 align)
{
	u64 size;

	for (size = SZ_1G; size > SZ_4K; size >>= 9) {
		if ((t->cfg.parent_pgsizes & size) && !(align & (size - 1)))
			return size;
	}
	return SZ_4K;
}

static void snap_take(struct sh_test *t);
static void gather_check(struct sh_test *t, const struct vtd_pt_gather *g);
static void records_check(struct sh_test *t);

/*
 * The parent mapped or unmapped [first, last]: tell the engine, as the
 * driver does, only if the shadow uses those GPAs.
 */
static void parent_changed(struct sh_test *t, u64 first, u64 last)
{
	bool uses = vtd_shadow_uses_gpa(&t->sh, first, last);
	struct vtd_pt_gather g;

	if (!t->snap_valid)
		snap_take(t);
	vtd_pt_gather_init(&g);
	if (uses)
		KUNIT_EXPECT_TRUE(t->test, vtd_shadow_parent_changed(&t->sh, first,
								     last, &g));
	gather_check(t, &g);
	vtd_pt_gather_release(&t->shadow, &g);
	records_check(t);
}

static void parent_map(struct sh_test *t, struct pmap *pm, bool notify)
{
	struct kunit *test = t->test;
	struct vtd_pt_xlate x;
	u64 off;
	int ret;

	ret = vtd_pt_map(&t->parent, pm->gpa, pm->hpa, pm->size, pm->prot,
			 GFP_KERNEL);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "parent map %#llx+%#llx -> %#llx",
			    pm->gpa, pm->size, pm->hpa);
	/* The fixture's own record must be what the parent holds. */
	for (off = 0; off < pm->size; off += pm->size - SZ_4K) {
		KUNIT_ASSERT_EQ(test, vtd_pt_lookup(&t->parent, pm->gpa + off,
						    &x), 0);
		KUNIT_ASSERT_EQ(test, x.paddr, pm->hpa + off);
		KUNIT_ASSERT_EQ(test, x.leaf_size, pm->leaf);
		KUNIT_ASSERT_EQ(test, x.prot & (IOMMU_WRITE | IOMMU_MMIO),
				pm->prot & (IOMMU_WRITE | IOMMU_MMIO));
		if (pm->size == SZ_4K)
			break;
	}
	pm->live = true;
	if (notify)
		parent_changed(t, pm->gpa, pm->gpa + pm->size - 1);
}

static void parent_unmap(struct sh_test *t, struct pmap *pm)
{
	struct vtd_pt_gather g;
	u64 ret;

	vtd_pt_gather_init(&g);
	ret = vtd_pt_unmap(&t->parent, pm->gpa, pm->size, &g);
	vtd_pt_gather_release(&t->parent, &g);
	KUNIT_ASSERT_EQ_MSG(t->test, ret, pm->size, "parent unmap %#llx+%#llx",
			    pm->gpa, pm->size);
	pm->live = false;
	parent_changed(t, pm->gpa, pm->gpa + pm->size - 1);
}

static struct pmap *pmap_add(struct sh_test *t, u64 gpa, u64 hpa, u64 size,
			     int prot, int backing, u8 *va)
{
	struct pmap *pm;

	KUNIT_ASSERT_LT(t->test, t->nr_maps, MAX_MAPS);
	pm = &t->map[t->nr_maps++];
	*pm = (struct pmap){
		.gpa = gpa,
		.size = size,
		.hpa = hpa,
		.leaf = parent_leaf(t, gpa | hpa | size),
		.prot = prot,
		.ram = va,
		.backing = backing,
		.va = va,
	};
	parent_map(t, pm, false);
	return pm;
}

/* Slot @pm (a dead RAM slot) is backed by page @b from now on. */
static void pmap_set_backing(struct sh_test *t, struct pmap *pm, int b)
{
	if (pm->backing >= 0 && t->owner[pm->backing] == pm - t->map)
		t->owner[pm->backing] = -1;
	t->owner[b] = pm - t->map;
	pm->backing = b;
	pm->hpa = page_to_phys(t->pages[b]);
	pm->va = page_address(t->pages[b]);
}

static u64 chunk_hpa(struct sh_test *t)
{
	return page_to_phys(t->chunk);
}

/* --- The fixture ------------------------------------------------------------ */

static void fx_shadow_destroy(struct sh_test *t)
{
	struct kunit *test = t->test;

	if (t->sh_live) {
		vtd_shadow_destroy(&t->sh);
		t->sh_live = false;
		KUNIT_EXPECT_EQ_MSG(test, t->sh.nr_records, 0,
				    "records left after vtd_shadow_destroy()");
		KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&t->sh.by_giova.rb_root));
		KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&t->sh.by_gpa.rb_root));
		KUNIT_EXPECT_TRUE(test, list_empty(&t->sh.stale));
	}
	if (t->shadow_live) {
		vtd_pt_destroy(&t->shadow);
		t->shadow_live = false;
	}
}

static void fx_destroy(struct sh_test *t)
{
	fx_shadow_destroy(t);
	if (t->parent_live) {
		vtd_pt_destroy(&t->parent);
		t->parent_live = false;
	}
}

/* (Re)create the shadow table and the engine over the current guest. */
static void fx_shadow(struct sh_test *t, unsigned long max_tables,
		      unsigned long max_records, unsigned long max_walk)
{
	struct kunit *test = t->test;
	const struct vtd_pt_cfg cfg = {
		.format = t->cfg.shadow_format,
		.pgsize_bitmap = t->cfg.shadow_pgsizes,
		.oas_bits = T_OAS,
		.nid = NUMA_NO_NODE,
		.max_tables = max_tables,
	};
	const struct vtd_shadow_cfg scfg = {
		.s1_root = t->root,
		.s1_levels = t->cfg.s1_levels,
		.s1_1g = t->cfg.s1_1g,
		.max_records = max_records,
		.max_walk = max_walk,
	};

	fx_shadow_destroy(t);
	KUNIT_ASSERT_EQ(test, vtd_pt_init(&t->shadow, &cfg, GFP_KERNEL), 0);
	t->shadow_live = true;
	KUNIT_ASSERT_EQ(test, vtd_shadow_init(&t->sh, &t->shadow, &t->parent,
					      &scfg), 0);
	t->sh_live = true;
	t->snap_valid = false;
}

/* A new guest with nothing mapped, its parent and an empty shadow. */
static void fx_setup(struct sh_test *t, const struct fx_cfg *cfg)
{
	struct kunit *test = t->test;
	const struct vtd_pt_cfg pcfg = {
		.format = VTD_PT_FL4,
		.pgsize_bitmap = cfg->parent_pgsizes,
		.oas_bits = T_OAS,
		.nid = NUMA_NO_NODE,
	};
	struct page *zero = ZERO_PAGE(0);
	unsigned int i;
	u64 size;

	fx_destroy(t);
	t->cfg = *cfg;
	t->nr_maps = 0;
	t->next_table = 1;
	t->root = slot_gpa(0);
	for (i = 0; i < NR_PAGES; i++) {
		clear_page(page_address(t->pages[i]));
		t->owner[i] = -1;
	}
	if (t->chunk)
		memset(page_address(t->chunk), 0, SZ_2M);

	KUNIT_ASSERT_EQ(test, vtd_pt_init(&t->parent, &pcfg, GFP_KERNEL), 0);
	t->parent_live = true;
	/* Every fourth slot is read-only in the parent. */
	for (i = 0; i < NR_RAM; i++) {
		t->owner[i] = i;
		pmap_add(t, slot_gpa(i), page_to_phys(t->pages[i]), SZ_4K,
			 i % 4 == 3 ? IOMMU_READ : RW, i,
			 page_address(t->pages[i]));
	}
	if (t->chunk) {
		unsigned int n = cfg->parent_pgsizes & SZ_2M ? 1 : CHUNK_PIECES;

		for (i = 0; i < n; i++) {
			u64 off = i * (SZ_2M / n);

			pmap_add(t, GPA_CHUNK + off, chunk_hpa(t) + off, SZ_2M / n,
				 RW, -1, (u8 *)page_address(t->chunk) + off);
		}
	}
	pmap_add(t, GPA_FAKE2M, HPA_FAKE, SZ_2M, RW, -1, NULL);
	/* Real RAM, but MMIO to the parent: never a guest table. */
	pmap_add(t, GPA_MMIO, page_to_phys(t->pages[PG_MMIO]), SZ_4K,
		 RW | IOMMU_MMIO, -1, NULL);
	if (PageReserved(zero))
		pmap_add(t, GPA_ZERO, page_to_phys(zero), SZ_4K, IOMMU_READ, -1,
			 NULL);
	size = cfg->parent_pgsizes & (SZ_2M | SZ_1G) ? SZ_1G : SZ_2M;
	pmap_add(t, GPA_FAKE1G, HPA_FAKE + GB(1), size, RW, -1, NULL);

	fx_shadow(t, DEF_MAX_TABLES, DEF_MAX_RECORDS, DEF_MAX_WALK);
	t->lenient_first = 1;
	t->lenient_last = 0;
	t->translate = true;
	t->what = "setup";
}

/* --- Writing the guest's table -------------------------------------------- */

/* The guest's entry @idx of the table at GPA @table, through the parent. */
static u64 *g_entry(struct sh_test *t, u64 table, unsigned int idx)
{
	struct pmap *pm = pmap_find(t, table);

	KUNIT_ASSERT_TRUE_MSG(t->test, pm && pm->ram,
			      "guest table at %#llx is not RAM", table);
	return (u64 *)(pm->va + (table - pm->gpa)) + idx;
}

static void g_set(struct sh_test *t, u64 table, unsigned int idx, u64 e)
{
	WRITE_ONCE(*g_entry(t, table, idx), e);
}

static u64 g_new_table(struct sh_test *t)
{
	u64 gpa;

	KUNIT_ASSERT_LT(t->test, t->next_table, NR_RAM);
	gpa = slot_gpa(t->next_table++);
	memset(g_entry(t, gpa, 0), 0, SZ_4K);
	return gpa;
}

/* The table at @level of @giova's walk, made where missing. */
static u64 g_table_at(struct sh_test *t, u64 giova, unsigned int level)
{
	u64 raw = s1_raw(t, giova), table = t->root;
	unsigned int l;

	for (l = s1_top(t); l > level; l--) {
		u64 *p = g_entry(t, table, lvl_idx(raw, l));
		u64 e = READ_ONCE(*p);

		if (!(e & S1_P) || (e & S1_PS)) {
			e = s1_table(g_new_table(t));
			WRITE_ONCE(*p, e);
		}
		table = e & S1_ADDR;
	}
	return table;
}

/* Write @e as the entry at @level of @giova's walk. */
static void g_put(struct sh_test *t, u64 giova, unsigned int level, u64 e)
{
	g_set(t, g_table_at(t, giova, level), lvl_idx(s1_raw(t, giova), level),
	      e);
}

static u64 g_get(struct sh_test *t, u64 giova, unsigned int level)
{
	return READ_ONCE(*g_entry(t, g_table_at(t, giova, level),
				  lvl_idx(s1_raw(t, giova), level)));
}

/* --- The model ---------------------------------------------------------------- */

/*
 * What a walk makes of entry @e at @level: -ENOENT for P clear; else the
 * reasons to refuse it, as BIT(enum vtd_shadow_refusal), 0 for an entry
 * to follow or a leaf (*leaf says which).
 */
static int s1_decode(const struct sh_test *t, u64 e, unsigned int level,
		     bool *leaf)
{
	u64 rsvd = GENMASK_ULL(51, T_GPA_BITS);
	int why = 0;

	if (!(e & S1_P))
		return -ENOENT;
	*leaf = !level || (e & S1_PS);
	/* PS is reserved in PML5Es and PML4Es, in PDPEs without 1G pages. */
	if (*leaf && (level > 2 || (level == 2 && !t->cfg.s1_1g)))
		why |= BIT(VTD_SHADOW_PS);
	/* A 2M or 1G leaf's address starts at bit 21 or 30; bit 12 is PAT. */
	if (*leaf && level)
		rsvd |= GENMASK_ULL(lvl_shift(level) - 1, 13);
	if (e & rsvd)
		why |= BIT(VTD_SHADOW_RSVD);
	if (!(e & S1_US))
		why |= BIT(VTD_SHADOW_US);
	return why;
}

/* What the composition must be at one GIOVA. */
struct mx {
	unsigned int levels;		/* guest entries read */
	u64 entries[VTD_PT_MAX_LEVELS];
	unsigned int why;		/* refusals that stopped the walk */
	bool s1_present;		/* the walk reached a valid leaf */
	u64 gpa;
	u64 s1_leaf;
	bool s1_write;
	bool present;			/* ... and the parent maps its GPA */
	u64 hpa;
	u64 s2_leaf;
	bool write;
	bool mmio;
	u64 extent;	/* the aligned block around the GIOVA that fares alike */
};

static void model(struct sh_test *t, u64 giova, struct mx *m)
{
	unsigned int level = s1_top(t);
	u64 raw = s1_raw(t, giova), table = t->root;
	bool write = true;

	memset(m, 0, sizeof(*m));
	/* The root spans a whole half (and nothing is outside them). */
	m->extent = BIT_ULL(s1_va_bits(t) - 1);
	if (!s1_canonical(t, giova))
		return;
	for (;; level--) {
		struct pmap *pm = pmap_find(t, table);
		u64 span = lvl_size(level), e;
		bool leaf;
		int why;

		if (!pm) {
			m->why = BIT(VTD_SHADOW_TABLE_UNMAPPED);
			return;
		}
		if (!pm->ram) {
			m->why = BIT(VTD_SHADOW_TABLE_NOT_RAM);
			return;
		}
		e = READ_ONCE(*((u64 *)(pm->va + (table - pm->gpa)) +
				lvl_idx(raw, level)));
		m->entries[m->levels++] = e;
		/* From here on the span of this entry fares alike. */
		m->extent = span;
		why = s1_decode(t, e, level, &leaf);
		if (why) {
			m->why = max(why, 0);
			return;
		}
		write = write && (e & S1_RW);
		if (!leaf) {
			table = e & S1_ADDR;
			continue;
		}

		m->s1_present = true;
		m->s1_leaf = span;
		m->s1_write = write;
		m->gpa = (e & S1_ADDR & ~(span - 1)) + (raw & (span - 1));
		pm = pmap_find(t, m->gpa);
		if (!pm) {
			m->extent = min(span, hole_extent(t, m->gpa));
			return;
		}
		m->present = true;
		m->hpa = pm->hpa + (m->gpa - pm->gpa);
		m->s2_leaf = pm->leaf;
		m->write = write && (pm->prot & IOMMU_WRITE);
		m->mmio = pm->prot & IOMMU_MMIO;
		m->extent = min(span, pm->leaf);
		return;
	}
}

/* vtd_shadow_translate() must tell the model's story of the guest walk. */
static void translate_check(struct sh_test *t, struct vtd_shadow *sh,
			    u64 giova, const struct mx *m)
{
	struct kunit *test = t->test;
	struct vtd_shadow_xlate x;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, vtd_shadow_translate(sh, giova, &x), 0);
	KUNIT_ASSERT_EQ_MSG(test, x.present, m->s1_present,
			    "%s: translate %#llx", t->what, giova);
	KUNIT_ASSERT_EQ_MSG(test, x.levels, m->levels, "%s: translate %#llx",
			    t->what, giova);
	for (i = 0; i < m->levels; i++)
		KUNIT_ASSERT_EQ_MSG(test, x.entries[i], m->entries[i],
				    "%s: translate %#llx, entry %u", t->what,
				    giova, i);
	if (m->why)
		KUNIT_ASSERT_TRUE_MSG(test, x.refusal < VTD_SHADOW_NR_REFUSALS &&
				      (BIT(x.refusal) & m->why),
				      "%s: translate %#llx: refusal %u, model %#x",
				      t->what, giova, x.refusal, m->why);
	else
		KUNIT_ASSERT_EQ_MSG(test, x.refusal, VTD_SHADOW_NR_REFUSALS,
				    "%s: translate %#llx", t->what, giova);
	if (!m->s1_present)
		return;
	KUNIT_ASSERT_EQ_MSG(test, x.gpa, m->gpa, "%s: translate %#llx",
			    t->what, giova);
	KUNIT_ASSERT_EQ(test, x.leaf_size, m->s1_leaf);
	KUNIT_ASSERT_EQ(test, x.writable, m->s1_write);
}

/* --- Checking the shadow ---------------------------------------------------- */

/*
 * A check is two walks. The first reads the shadow's own entries (with
 * the decoder above: the shadow is a first-level table too) and holds
 * each leaf against the model at its first GIOVA: nothing the model does
 * not have, nothing the parent does not map. The second walks the
 * guest's table and, for every valid guest leaf and every parent mapping
 * under it, holds the shadow's leaves over that piece against the model:
 * everything the model has is there. Together they compare every 4K
 * page, at the cost of the leaves and pieces there are, not of the pages.
 * A scan accepts, in the lenient range, missing pages and either write
 * permission.
 */

static bool in_lenient(const struct sh_test *t, u64 g)
{
	return g >= t->lenient_first && g <= t->lenient_last;
}

/* A shadow leaf found by the walk: @size at @g, to @hpa. */
static void shadow_leaf(struct sh_test *t, struct vtd_pt *pt, u64 g, u64 size,
			u64 hpa, bool with_model)
{
	struct kunit *test = t->test;
	struct vtd_pt_xlate x;
	struct mx m;

	t->blocks++;
	/* The library reads its entry as we do. */
	KUNIT_ASSERT_EQ_MSG(test, vtd_pt_lookup(pt, g, &x), 0, "%#llx", g);
	KUNIT_ASSERT_EQ_MSG(test, x.leaf_size, size, "%#llx", g);
	KUNIT_ASSERT_EQ_MSG(test, x.paddr, hpa, "%#llx", g);
	if (pt == &t->shadow) {
		KUNIT_ASSERT_LT(test, t->nr_snap, MAX_SNAP);
		t->snap[t->nr_snap++] = (struct snap_leaf){
			.iova = g, .size = size, .paddr = hpa, .prot = x.prot,
		};
	}
	/* The safety invariant, whatever the guest did: shadow within S2. */
	KUNIT_ASSERT_TRUE_MSG(test, hpa_covered(t, hpa, size,
						x.prot & IOMMU_WRITE),
			      "%s: %#llx: the shadow maps %#llx+%#llx%s, which the parent does not",
			      t->what, g, hpa, size,
			      x.prot & IOMMU_WRITE ? " writable" : "");
	if (!with_model)
		return;
	model(t, g, &m);
	if (!m.present) {
		KUNIT_ASSERT_TRUE_MSG(test, in_lenient(t, g),
				      "%s: %#llx: the shadow maps %#llx+%#llx, the model nothing (refusals %#x, GPA %#llx)",
				      t->what, g, hpa, size, m.why, m.gpa);
		return;
	}
	KUNIT_ASSERT_EQ_MSG(test, hpa, m.hpa, "%s: %#llx: host address",
			    t->what, g);
	KUNIT_ASSERT_LE_MSG(test, size, m.s1_leaf,
			    "%s: %#llx: shadow leaf larger than the guest's",
			    t->what, g);
	KUNIT_ASSERT_LE_MSG(test, size, m.s2_leaf,
			    "%s: %#llx: shadow leaf larger than the parent's",
			    t->what, g);
	/* The leaf does not reach past what composes linearly. */
	KUNIT_ASSERT_LE_MSG(test, size, m.extent, "%s: %#llx", t->what, g);
	if (in_lenient(t, g))
		return;
	KUNIT_ASSERT_EQ_MSG(test, !!(x.prot & IOMMU_WRITE), m.write,
			    "%s: %#llx: write permission", t->what, g);
	KUNIT_ASSERT_EQ_MSG(test, !!(x.prot & IOMMU_MMIO), m.mmio,
			    "%s: %#llx: MMIO attribute", t->what, g);
}

/* Every leaf of the table @table at @level, covering raw IOVAs from @base. */
static void shadow_walk(struct sh_test *t, struct vtd_pt *pt, const u64 *table,
			unsigned int level, u64 base, u64 first, u64 last,
			bool with_model)
{
	u64 size = lvl_size(level);
	unsigned int i;

	for (i = 0; i < 512; i++) {
		u64 e = READ_ONCE(table[i]), raw = base + i * size;
		u64 g = sign_extend64(raw, pt->va_bits - 1);

		if (!(e & S1_P) || g + (size - 1) < first || g > last)
			continue;
		if (level && !(e & S1_PS))
			shadow_walk(t, pt, __va(e & S1_ADDR), level - 1, raw,
				    first, last, with_model);
		else
			shadow_leaf(t, pt, g, size, e & S1_ADDR & ~(size - 1),
				    with_model);
	}
}

/*
 * [first, last] of a valid guest leaf of @s1_leaf at @g, to GPAs from
 * @gpa, writable if @write, lies over one parent mapping @pm: the shadow
 * maps it all, with leaves inside it.
 */
static void model_piece(struct sh_test *t, struct vtd_pt *pt, u64 first,
			u64 last, u64 gpa, u64 s1_leaf, bool write,
			const struct pmap *pm)
{
	struct kunit *test = t->test;
	struct vtd_pt_xlate x;
	u64 g = first, step;

	for (;;) {
		u64 hpa = pm->hpa + (gpa + (g - first) - pm->gpa);

		t->blocks++;
		if (vtd_pt_lookup(pt, g, &x)) {
			KUNIT_ASSERT_TRUE_MSG(test, in_lenient(t, g),
					      "%s: %#llx: no shadow leaf, the model has %#llx (GPA %#llx, guest leaf %#llx)",
					      t->what, g, hpa,
					      gpa + (g - first), s1_leaf);
			step = x.leaf_size - (g & (x.leaf_size - 1));
		} else {
			step = x.leaf_size;
			KUNIT_ASSERT_EQ_MSG(test, x.paddr, hpa,
					    "%s: %#llx: host address", t->what,
					    g);
			KUNIT_ASSERT_EQ_MSG(test, g & (step - 1), 0,
					    "%s: %#llx: shadow leaf %#llx starts before",
					    t->what, g, step);
			KUNIT_ASSERT_LE_MSG(test, step - 1, last - g,
					    "%s: %#llx: shadow leaf %#llx reaches past %#llx",
					    t->what, g, step, last);
			KUNIT_ASSERT_LE(test, step, s1_leaf);
			KUNIT_ASSERT_LE(test, step, pm->leaf);
			if (!in_lenient(t, g)) {
				KUNIT_ASSERT_EQ_MSG(test, !!(x.prot & IOMMU_WRITE),
						    write && (pm->prot & IOMMU_WRITE),
						    "%s: %#llx: write permission",
						    t->what, g);
				KUNIT_ASSERT_EQ_MSG(test, !!(x.prot & IOMMU_MMIO),
						    !!(pm->prot & IOMMU_MMIO),
						    "%s: %#llx: MMIO attribute",
						    t->what, g);
			}
		}
		if (last - g < step)
			return;
		g += step;
	}
}

/* A valid guest leaf of @size at @g to @gpa: each parent mapping under it. */
static void model_leaf(struct sh_test *t, struct vtd_pt *pt, u64 g, u64 size,
		       u64 gpa, bool write, u64 first, u64 last)
{
	unsigned int i;

	for (i = 0; i < t->nr_maps; i++) {
		const struct pmap *pm = &t->map[i];
		u64 lo, hi;

		if (!pm->live || pm->gpa > gpa + (size - 1) ||
		    pm->gpa + (pm->size - 1) < gpa)
			continue;
		lo = g + (max(gpa, pm->gpa) - gpa);
		hi = g + (min(gpa + (size - 1), pm->gpa + (pm->size - 1)) - gpa);
		if (hi < first || lo > last)
			continue;
		lo = max(lo, first);
		hi = min(hi, last);
		model_piece(t, pt, lo, hi, gpa + (lo - g), size, write, pm);
	}
}

/*
 * Walk the guest's table at @table (GPA), at @level, covering raw GIOVAs
 * from @base, as the model reads it. At each entry that is present, also
 * hold vtd_shadow_translate() against the model, if asked to.
 */
static void model_walk(struct sh_test *t, struct vtd_pt *pt,
		       struct vtd_shadow *sh, u64 table, unsigned int level,
		       u64 base, u64 first, u64 last, bool write)
{
	struct pmap *pm = pmap_find(t, table);
	u64 size = lvl_size(level);
	const u64 *entries;
	unsigned int i;

	if (!pm || !pm->ram)
		return;
	entries = (const u64 *)(pm->va + (table - pm->gpa));
	for (i = 0; i < 512; i++) {
		u64 e = READ_ONCE(entries[i]), raw = base + i * size;
		u64 g = s1_canon(t, raw);
		bool leaf;
		int why;

		if (g + (size - 1) < first || g > last)
			continue;
		why = s1_decode(t, e, level, &leaf);
		if (why < 0)
			continue;
		if (t->translate) {
			struct mx m;

			model(t, max(g, first), &m);
			translate_check(t, sh, max(g, first), &m);
		}
		if (why)
			continue;
		if (!leaf)
			model_walk(t, pt, sh, e & S1_ADDR, level - 1, raw, first,
				   last, write && (e & S1_RW));
		else
			model_leaf(t, pt, g, size, e & S1_ADDR & ~(size - 1),
				   write && (e & S1_RW), first, last);
	}
}

/* Check [first, last] of @pt, the shadow of @sh, against the model. */
static void check_pt(struct sh_test *t, struct vtd_pt *pt,
		     struct vtd_shadow *sh, u64 first, u64 last,
		     bool with_model)
{
	if (pt == &t->shadow)
		t->nr_snap = 0;
	shadow_walk(t, pt, pt->top, pt->levels - 1, 0, first, last,
		    with_model);
	if (with_model)
		model_walk(t, pt, sh, t->root, s1_top(t), 0, first, last, true);
	if (pt == &t->shadow)
		t->snap_valid = !first && last == U64_MAX;
}

/* The shadow equals the model everywhere. */
static void check(struct sh_test *t)
{
	check_pt(t, &t->shadow, &t->sh, 0, U64_MAX, true);
}

/* ... in [first, last] only. */
static void check_range(struct sh_test *t, u64 first, u64 last)
{
	check_pt(t, &t->shadow, &t->sh, first, last, true);
}

/* Record the shadow's leaves before a change. */
static void snap_take(struct sh_test *t)
{
	check_pt(t, &t->shadow, &t->sh, 0, U64_MAX, false);
}

/*
 * Every leaf of the last snapshot that is not in the shadow any more, as
 * it was, lies in the range the gather tells the caller to invalidate.
 */
static void gather_check(struct sh_test *t, const struct vtd_pt_gather *g)
{
	struct kunit *test = t->test;
	unsigned int i;

	KUNIT_ASSERT_TRUE(test, t->snap_valid);
	for (i = 0; i < t->nr_snap; i++) {
		const struct snap_leaf *s = &t->snap[i];
		struct vtd_pt_xlate x;

		if (!vtd_pt_lookup(&t->shadow, s->iova, &x) &&
		    x.leaf_size == s->size && x.paddr == s->paddr &&
		    x.prot == s->prot)
			continue;
		KUNIT_ASSERT_TRUE_MSG(test, g->start <= s->iova &&
				      s->iova + s->size - 1 <= g->last,
				      "%s: shadow leaf %#llx+%#llx -> %#llx changed, outside the gather [%#llx, %#llx]",
				      t->what, s->iova, s->size, s->paddr,
				      g->start, g->last);
	}
	t->snap_valid = false;
}

static unsigned long rb_count(struct rb_root_cached *root)
{
	struct rb_node *node;
	unsigned long n = 0;

	for (node = rb_first_cached(root); node; node = rb_next(node))
		n++;
	return n;
}

/* The record count is what the trees hold, within the cap. */
static void records_check(struct sh_test *t)
{
	struct kunit *test = t->test;
	unsigned long n = t->sh.nr_records;

	KUNIT_ASSERT_EQ(test, rb_count(&t->sh.by_giova), n);
	KUNIT_ASSERT_EQ(test, rb_count(&t->sh.by_gpa), n);
	KUNIT_ASSERT_LE(test, n, t->sh.max_records);
	KUNIT_ASSERT_TRUE(test, list_empty(&t->sh.stale));
}

static int do_sync(struct sh_test *t, u64 first, u64 last)
{
	struct vtd_pt_gather g;
	int ret;

	if (!t->snap_valid)
		snap_take(t);
	vtd_pt_gather_init(&g);
	ret = vtd_shadow_sync(&t->sh, first, last, &g);
	t->syncs++;
	gather_check(t, &g);
	vtd_pt_gather_release(&t->shadow, &g);
	records_check(t);
	KUNIT_ASSERT_EQ(t->test, t->sh.last.failed, !!ret);
	/* The bound on the guest table pages one sync reads. */
	KUNIT_ASSERT_LE(t->test, t->sh.last.walked, t->sh.max_walk);
	return ret;
}

static void sync_ok(struct sh_test *t, u64 first, u64 last)
{
	int ret = do_sync(t, first, last);

	KUNIT_ASSERT_EQ_MSG(t->test, ret, 0, "%s: sync [%#llx, %#llx]",
			    t->what, first, last);
}

static void sync_all(struct sh_test *t)
{
	sync_ok(t, 0, U64_MAX);
}

/* Sync what an entry at @level of @giova's walk covers, then check. */
static void sync_entry(struct sh_test *t, u64 giova, unsigned int level)
{
	sync_ok(t, span_first(t, giova, level), span_last(t, giova, level));
	check(t);
}

static void lenient(struct sh_test *t, u64 first, u64 last)
{
	t->lenient_first = first;
	t->lenient_last = last;
}

static void strict(struct sh_test *t)
{
	lenient(t, 1, 0);
}

/* Direct expectations, for the cases that know what they built. */
static void expect_shadow(struct sh_test *t, u64 giova, u64 hpa, u64 leaf,
			  int prot)
{
	struct kunit *test = t->test;
	struct vtd_pt_xlate x;

	KUNIT_ASSERT_EQ_MSG(test, vtd_pt_lookup(&t->shadow, giova, &x), 0,
			    "%s: %#llx not in the shadow", t->what, giova);
	KUNIT_EXPECT_EQ_MSG(test, x.paddr, hpa, "%s: %#llx", t->what, giova);
	if (leaf)
		KUNIT_EXPECT_EQ_MSG(test, x.leaf_size, leaf, "%s: %#llx",
				    t->what, giova);
	KUNIT_EXPECT_EQ_MSG(test, x.prot & (IOMMU_WRITE | IOMMU_MMIO),
			    prot & (IOMMU_WRITE | IOMMU_MMIO), "%s: %#llx",
			    t->what, giova);
}

static void expect_none(struct sh_test *t, u64 giova)
{
	struct vtd_pt_xlate x;

	KUNIT_EXPECT_EQ_MSG(t->test, vtd_pt_lookup(&t->shadow, giova, &x),
			    -ENOENT, "%s: %#llx in the shadow", t->what, giova);
}

/*
 * @giova is refused for @why (among others, maybe: which one an entry
 * with two faults reports is the engine's choice), as the model says too.
 */
static void expect_refusal(struct sh_test *t, u64 giova,
			   enum vtd_shadow_refusal why)
{
	struct vtd_shadow_xlate x;
	struct mx m;

	model(t, giova, &m);
	KUNIT_ASSERT_TRUE_MSG(t->test, m.why & BIT(why),
			      "%s: %#llx: the model refuses for %#x, not %u",
			      t->what, giova, m.why, why);
	KUNIT_ASSERT_EQ(t->test, vtd_shadow_translate(&t->sh, giova, &x), 0);
	KUNIT_EXPECT_FALSE_MSG(t->test, x.present, "%s: %#llx", t->what,
			       giova);
	KUNIT_EXPECT_TRUE_MSG(t->test, x.refusal < VTD_SHADOW_NR_REFUSALS &&
			      (BIT(x.refusal) & m.why),
			      "%s: %#llx: refusal %u, model %#x", t->what,
			      giova, x.refusal, m.why);
}

/* No shadow leaf, as of the last scan, reaches into [hpa, hpa + size). */
static void expect_no_hpa(struct sh_test *t, u64 hpa, u64 size)
{
	unsigned int i;

	KUNIT_ASSERT_TRUE(t->test, t->snap_valid);
	for (i = 0; i < t->nr_snap; i++) {
		const struct snap_leaf *s = &t->snap[i];

		KUNIT_ASSERT_TRUE_MSG(t->test, s->paddr + s->size <= hpa ||
				      s->paddr >= hpa + size,
				      "%s: %#llx still maps %#llx, unmapped by the parent",
				      t->what, s->iova, s->paddr);
	}
}

/* The first shadow leaf, as of the last scan, in [first, last], or NULL. */
static const struct snap_leaf *snap_in(struct sh_test *t, u64 first, u64 last)
{
	unsigned int i;

	KUNIT_ASSERT_TRUE(t->test, t->snap_valid);
	for (i = 0; i < t->nr_snap; i++) {
		const struct snap_leaf *s = &t->snap[i];

		if (s->iova + (s->size - 1) >= first && s->iova <= last)
			return s;
	}
	return NULL;
}

/* No shadow leaf, as of the last scan, lies in [first, last]. */
static void expect_range_empty(struct sh_test *t, u64 first, u64 last)
{
	const struct snap_leaf *s = snap_in(t, first, last);

	KUNIT_ASSERT_TRUE_MSG(t->test, !s,
			      "%s: shadow leaf %#llx+%#llx left in [%#llx, %#llx]",
			      t->what, s ? s->iova : 0, s ? s->size : 0, first,
			      last);
}

/* --- Suite setup ------------------------------------------------------------ */

KUNIT_DEFINE_ACTION_WRAPPER(kvfree_action, kvfree, const void *);

static int sh_test_init(struct kunit *test)
{
	const struct fx_cfg *cfg = test->param_value ?: &fx_default;
	struct sh_test *t;
	unsigned int i;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->test = test;
	t->pages_before = vtd_pt_pages_in_use();
	test->priv = t;
	t->snap = kvcalloc(MAX_SNAP, sizeof(*t->snap), GFP_KERNEL);
	if (!t->snap || kunit_add_action_or_reset(test, kvfree_action, t->snap))
		return -ENOMEM;
	for (i = 0; i < NR_PAGES; i++) {
		t->pages[i] = alloc_page(GFP_KERNEL);
		if (!t->pages[i])
			return -ENOMEM;
	}
	/* Naturally aligned: a 2M parent leaf can map it. */
	t->chunk = alloc_pages(GFP_KERNEL | __GFP_NOWARN, CHUNK_ORDER);
	fx_setup(t, cfg);
	return 0;
}

static void sh_test_exit(struct kunit *test)
{
	struct sh_test *t = test->priv;
	unsigned int i;

	if (!t)
		return;
	fx_destroy(t);
	for (i = 0; i < NR_PAGES; i++) {
		if (t->pages[i])
			__free_page(t->pages[i]);
	}
	if (t->chunk)
		__free_pages(t->chunk, CHUNK_ORDER);
	KUNIT_EXPECT_EQ_MSG(test, vtd_pt_pages_in_use(), t->pages_before,
			    "table pages leaked");
}

static const struct fx_cfg fx_formats[] = {
	fx_default,
	{
		.name = "5-level",
		.s1_levels = 5,
		.shadow_format = VTD_PT_FL5,
		.parent_pgsizes = VTD_PT_PGSIZES,
		.shadow_pgsizes = VTD_PT_PGSIZES,
		.s1_1g = true,
	},
};

KUNIT_ARRAY_PARAM_DESC(fx_formats, fx_formats, name);

static void need_chunk(struct sh_test *t)
{
	if (!t->chunk)
		kunit_skip(t->test, "no 2M of contiguous RAM for the chunk");
}

/* --- Composition ------------------------------------------------------------ */

/* A GIOVA of the lower half whose walk uses index 0 above the PD. */
#define G_4K	(MB(6) + 3 * SZ_4K)

static void compose_basic(struct kunit *test)
{
	struct sh_test *t = test->priv;
	u64 g = MB(4), g2m = GB(1), g1g = GB(2);
	u64 slot2 = page_to_phys(t->pages[2]), slot3 = page_to_phys(t->pages[3]);

	t->what = "4K, 2M and 1G leaves";
	g_put(t, g, 0, s1_leaf(slot_gpa(2), 0, true));
	/* The parent maps slot 3 read-only. */
	g_put(t, g + SZ_4K, 0, s1_leaf(slot_gpa(3), 0, true));
	g_put(t, g + 2 * SZ_4K, 0, s1_leaf(slot_gpa(2), 0, false));
	g_put(t, g + 3 * SZ_4K, 0, s1_leaf(GPA_MMIO, 0, true));
	g_put(t, g + 4 * SZ_4K, 0, s1_leaf(GPA_FAKE2M + SZ_4K, 0, true));
	g_put(t, g + 5 * SZ_4K, 0, s1_leaf(GPA_HOLE, 0, true));
	g_put(t, g + 6 * SZ_4K, 0, s1_leaf(GPA_TOP, 0, true));
	/* A 2M leaf over 4K parent leaves with holes, one over 1G of non-RAM. */
	g_put(t, g2m, 1, s1_leaf(GPA_RAM, 1, true));
	g_put(t, g2m + SZ_2M, 1, s1_leaf(GPA_FAKE1G + MB(6), 1, false));
	g_put(t, g2m + 2 * SZ_2M, 1, s1_leaf(GPA_FAKE2M, 1, true));
	g_put(t, g1g, 2, s1_leaf(GPA_FAKE1G, 2, true));
	if (t->chunk)
		g_put(t, g2m + 3 * SZ_2M, 1, s1_leaf(GPA_CHUNK, 1, true));
	sync_all(t);
	check(t);

	expect_shadow(t, g, slot2, SZ_4K, RW);
	expect_shadow(t, g + SZ_4K, slot3, SZ_4K, IOMMU_READ);
	expect_shadow(t, g + 2 * SZ_4K, slot2, SZ_4K, IOMMU_READ);
	expect_shadow(t, g + 3 * SZ_4K, page_to_phys(t->pages[PG_MMIO]), SZ_4K,
		      RW | IOMMU_MMIO);
	expect_shadow(t, g + 4 * SZ_4K, HPA_FAKE + SZ_4K, SZ_4K, RW);
	expect_none(t, g + 5 * SZ_4K);
	/* Slot 31, at the top GPA, is read-only in the parent. */
	expect_shadow(t, g + 6 * SZ_4K, page_to_phys(t->pages[NR_RAM - 1]),
		      SZ_4K, IOMMU_READ);
	/* The guest may map its own tables: slot 0 is the top table. */
	expect_shadow(t, g2m, page_to_phys(t->pages[0]), SZ_4K, RW);
	expect_none(t, g2m + SZ_4K);
	expect_shadow(t, g2m + RAM_STRIDE, page_to_phys(t->pages[1]), SZ_4K,
		      RW);
	expect_shadow(t, g2m + SZ_2M, HPA_FAKE + GB(1) + MB(6), SZ_2M,
		      IOMMU_READ);
	expect_shadow(t, g2m + 2 * SZ_2M, HPA_FAKE, SZ_2M, RW);
	expect_shadow(t, g1g + MB(10), HPA_FAKE + GB(1) + MB(10), SZ_1G, RW);
	if (t->chunk)
		expect_shadow(t, g2m + 3 * SZ_2M + SZ_8K, chunk_hpa(t) + SZ_8K,
			      SZ_2M, RW);

	/* What the shadow depends on. */
	KUNIT_EXPECT_TRUE(test, vtd_shadow_uses_gpa(&t->sh, slot_gpa(2),
						    slot_gpa(2)));
	KUNIT_EXPECT_TRUE(test, vtd_shadow_uses_gpa(&t->sh, t->root, t->root));
	KUNIT_EXPECT_TRUE(test, vtd_shadow_uses_gpa(&t->sh, GPA_HOLE,
						    GPA_HOLE + SZ_4K - 1));
	KUNIT_EXPECT_TRUE(test, vtd_shadow_uses_gpa(&t->sh, GPA_FAKE1G + GB(1) - 1,
						    GPA_FAKE1G + GB(1) - 1));
	KUNIT_EXPECT_FALSE(test, vtd_shadow_uses_gpa(&t->sh, GPA_HOLE + SZ_4K,
						     GPA_HOLE + GB(1)));
	KUNIT_EXPECT_FALSE(test, vtd_shadow_uses_gpa(&t->sh, GPA_CHUNK + SZ_2M,
						     GPA_CHUNK + SZ_4M));

	/* Undo it all, entry by entry. */
	t->what = "unmap everything";
	g_put(t, g2m, 1, 0);
	sync_entry(t, g2m, 1);
	g_put(t, g1g, 2, 0);
	sync_entry(t, g1g, 2);
	g_set(t, t->root, 0, 0);
	sync_entry(t, 0, s1_top(t));
	KUNIT_EXPECT_EQ(test, t->nr_snap, 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->shadow.nr_tables), 1);
}

/* The shadow's leaves never exceed the guest's, the parent's or their alignment. */
static void compose_leaf_sizes(struct kunit *test)
{
	static const unsigned long pgsizes[] = {
		SZ_4K, SZ_4K | SZ_2M, VTD_PT_PGSIZES,
	};
	struct sh_test *t = test->priv;
	struct fx_cfg cfg = fx_default;
	unsigned int p, s;

	need_chunk(t);
	for (p = 0; p < ARRAY_SIZE(pgsizes); p++) {
		for (s = 0; s < ARRAY_SIZE(pgsizes); s++) {
			unsigned long best = pgsizes[p] & pgsizes[s];
			/* A 4K-only parent maps only 2M of the fake 1G. */
			u64 off = pgsizes[p] == SZ_4K ? 0 : SZ_2M;
			/* A 1G guest leaf there: 256K 4K leaves? Not here. */
			bool big = pgsizes[p] == SZ_4K || (pgsizes[s] & SZ_2M);
			u64 g = GB(1), leaf;

			cfg.parent_pgsizes = pgsizes[p];
			cfg.shadow_pgsizes = pgsizes[s];
			fx_setup(t, &cfg);
			t->what = "leaf sizes";
			/* Guest 4K, 2M and 1G leaves over the chunk. */
			g_put(t, g, 0, s1_leaf(GPA_CHUNK + SZ_8K, 0, true));
			g_put(t, g + SZ_2M, 1, s1_leaf(GPA_CHUNK, 1, true));
			g_put(t, GB(2), 2, s1_leaf(GPA_CHUNK, 2, true));
			/* ... and over the parent's 1G (or smaller) of non-RAM. */
			g_put(t, g + 2 * SZ_2M, 1,
			      s1_leaf(GPA_FAKE1G + off, 1, true));
			if (big)
				g_put(t, GB(4), 2, s1_leaf(GPA_FAKE1G, 2, true));
			/* A 1G guest leaf at a GPA only 2M aligned is refused. */
			g_put(t, GB(5), 2, s1_leaf(GPA_FAKE1G + SZ_2M, 2, true));
			sync_all(t);
			check(t);

			/* The largest leaf both may use, not just some leaf. */
			expect_shadow(t, g, chunk_hpa(t) + SZ_8K, SZ_4K, RW);
			leaf = best & SZ_2M ? SZ_2M : SZ_4K;
			expect_shadow(t, g + SZ_2M, chunk_hpa(t), leaf, RW);
			expect_shadow(t, GB(2), chunk_hpa(t), leaf, RW);
			expect_none(t, GB(2) + SZ_2M);
			expect_shadow(t, g + 2 * SZ_2M, HPA_FAKE + GB(1) + off,
				      leaf, RW);
			leaf = best & SZ_1G ? SZ_1G : leaf;
			if (big)
				expect_shadow(t, GB(4), HPA_FAKE + GB(1), leaf,
					      RW);
			expect_none(t, GB(5));
			expect_refusal(t, GB(5), VTD_SHADOW_RSVD);
		}
	}
}

/* Host pages that are not contiguous never share a shadow leaf. */
static void compose_discontiguous(struct kunit *test)
{
	struct sh_test *t = test->priv;
	u64 g = GB(1), gpa;
	unsigned int i;

	t->what = "2M guest leaf over scattered 4K parent leaves";
	/* The parent maps 2M at GPA_HOLE 4K by 4K, to pages out of order. */
	for (i = 0; i < NR_SPARE; i++) {
		gpa = GPA_HOLE + (NR_SPARE - 1 - i) * SZ_4K;
		pmap_add(t, gpa, page_to_phys(t->pages[NR_RAM + i]), SZ_4K, RW,
			 -1, page_address(t->pages[NR_RAM + i]));
	}
	g_put(t, g, 1, s1_leaf(GPA_HOLE, 1, true));
	sync_all(t);
	check(t);
	for (i = 0; i < NR_SPARE; i++)
		expect_shadow(t, g + (NR_SPARE - 1 - i) * SZ_4K,
			      page_to_phys(t->pages[NR_RAM + i]), SZ_4K, RW);
	expect_none(t, g + NR_SPARE * SZ_4K);
}

/* Guest tables may live in a 2M parent leaf, or at the top GPA. */
static void compose_tables_anywhere(struct kunit *test)
{
	struct sh_test *t = test->priv;
	unsigned int top = s1_top(t);
	u64 g = G_4K;

	need_chunk(t);
	t->what = "tables in the chunk and at the top GPA";
	/* PDPT in the chunk, PD at the top GPA, PT in the chunk again. */
	g_set(t, t->root, 0, s1_table(GPA_CHUNK + SZ_4K));
	if (top == 4)
		g_set(t, GPA_CHUNK + SZ_4K, 0, s1_table(GPA_CHUNK + SZ_8K));
	g_set(t, g_table_at(t, g, 2), lvl_idx(g, 2), s1_table(GPA_TOP));
	g_set(t, GPA_TOP, lvl_idx(g, 1), s1_table(GPA_CHUNK + MB(1)));
	g_set(t, GPA_CHUNK + MB(1), lvl_idx(g, 0),
	      s1_leaf(slot_gpa(5), 0, true));
	sync_all(t);
	check(t);
	expect_shadow(t, g, page_to_phys(t->pages[5]), SZ_4K, RW);
}

/* --- Refusals --------------------------------------------------------------- */

/* Build a 4K leaf at @g; return its PT entry value. */
static u64 build_4k(struct sh_test *t, u64 g)
{
	u64 e = s1_leaf(slot_gpa(20), 0, true);

	g_put(t, g, 0, e);
	return e;
}

/*
 * Write @bad at @level of @g's walk, sync the entry's span: @g must be
 * absent for @why (or present if @why is VTD_SHADOW_NR_REFUSALS); then
 * restore the entry and sync again.
 */
static void try_entry(struct sh_test *t, u64 g, unsigned int level, u64 bad,
		      enum vtd_shadow_refusal why)
{
	u64 good = g_get(t, g, level);

	g_put(t, g, level, bad);
	sync_entry(t, g, level);
	if (why == VTD_SHADOW_NR_REFUSALS) {
		struct vtd_pt_xlate x;

		KUNIT_EXPECT_EQ_MSG(t->test, vtd_pt_lookup(&t->shadow, g, &x),
				    0, "%s: level %u entry %#llx", t->what,
				    level, bad);
	} else {
		u64 counted = 0;
		struct mx m;
		int r;

		expect_none(t, g);
		expect_refusal(t, g, why);
		model(t, g, &m);
		for (r = 0; r < VTD_SHADOW_NR_REFUSALS; r++) {
			if (m.why & BIT(r))
				counted += t->sh.last.refused[r];
		}
		KUNIT_EXPECT_GT_MSG(t->test, counted, 0,
				    "%s: level %u entry %#llx not counted",
				    t->what, level, bad);
	}
	g_put(t, g, level, good);
	sync_entry(t, g, level);
}

static void refuse_reserved(struct kunit *test)
{
	struct sh_test *t = test->priv;
	u64 g = G_4K, g2m = GB(1), g1g = GB(2), e;
	unsigned int level, bit;

	/* Address bits 47-51 at every level, in table entries and leaves. */
	t->what = "reserved address bit";
	build_4k(t, g);
	sync_all(t);
	for (level = 0; level <= s1_top(t); level++) {
		e = g_get(t, g, level);
		for (bit = T_GPA_BITS; bit <= 51; bit++)
			try_entry(t, g, level, e | BIT_ULL(bit),
				  VTD_SHADOW_RSVD);
	}

	/* Bits 13-20 of a 2M leaf, 13-29 of a 1G leaf; bit 12 is PAT. */
	t->what = "reserved bit of a large leaf";
	if (t->chunk)
		g_put(t, g2m, 1, s1_leaf(GPA_CHUNK, 1, true));
	else
		g_put(t, g2m, 1, s1_leaf(GPA_FAKE2M, 1, true));
	g_put(t, g1g, 2, s1_leaf(GPA_FAKE1G, 2, true));
	sync_all(t);
	check(t);
	e = g_get(t, g2m, 1);
	for (bit = 13; bit <= 20; bit++)
		try_entry(t, g2m + SZ_4K, 1, e | BIT_ULL(bit), VTD_SHADOW_RSVD);
	try_entry(t, g2m + SZ_4K, 1, e | S1_PAT_LARGE, VTD_SHADOW_NR_REFUSALS);
	e = g_get(t, g1g, 2);
	for (bit = 13; bit <= 29; bit++)
		try_entry(t, g1g + SZ_2M, 2, e | BIT_ULL(bit), VTD_SHADOW_RSVD);
	try_entry(t, g1g + SZ_2M, 2, e | S1_PAT_LARGE, VTD_SHADOW_NR_REFUSALS);

	/* Bits the walk ignores change nothing, at any level. */
	t->what = "ignored bits";
	for (level = 0; level <= s1_top(t); level++) {
		e = g_get(t, g, level);
		try_entry(t, g, level, e | S1_IGNORED | S1_XD | S1_PWT | S1_PCD |
			  S1_A | S1_D | (level ? 0 : S1_PS),
			  VTD_SHADOW_NR_REFUSALS);
	}
}

static void refuse_ps(struct kunit *test)
{
	struct sh_test *t = test->priv;
	struct fx_cfg cfg = t->cfg;
	u64 g = G_4K, g1g = GB(2);
	unsigned int level;

	/* PS in a PML5E or PML4E: never a leaf. */
	t->what = "PS above the PDPE";
	build_4k(t, g);
	sync_all(t);
	for (level = 3; level <= s1_top(t); level++)
		try_entry(t, g, level, g_get(t, g, level) | S1_PS,
			  VTD_SHADOW_PS);
	for (level = 3; level <= s1_top(t); level++)
		try_entry(t, g, level, s1_leaf(0, level, true), VTD_SHADOW_PS);

	/* PS in a PDPE: a 1G leaf if the guest may have them. */
	t->what = "1G leaf";
	g_put(t, g1g, 2, s1_leaf(GPA_FAKE1G, 2, true));
	sync_entry(t, g1g, 2);
	expect_shadow(t, g1g, HPA_FAKE + GB(1), SZ_1G, RW);

	t->what = "1G leaf without 1G pages";
	cfg.s1_1g = false;
	t->cfg = cfg;
	fx_shadow(t, DEF_MAX_TABLES, DEF_MAX_RECORDS, DEF_MAX_WALK);
	sync_all(t);
	check(t);
	expect_none(t, g1g);
	expect_refusal(t, g1g, VTD_SHADOW_PS);
	KUNIT_EXPECT_GT(test, t->sh.last.refused[VTD_SHADOW_PS], 0);
	/* A 2M leaf (PS in a PDE) is fine either way. */
	g_put(t, g1g, 1, s1_leaf(GPA_FAKE2M, 1, true));
	sync_entry(t, g1g, 2);
	expect_shadow(t, g1g, HPA_FAKE, SZ_2M, RW);
}

static void refuse_us(struct kunit *test)
{
	struct sh_test *t = test->priv;
	u64 g = G_4K;
	unsigned int level;

	/* Supervisor-only entries at any level: the device is a user. */
	t->what = "U/S clear";
	build_4k(t, g);
	sync_all(t);
	for (level = 0; level <= s1_top(t); level++)
		try_entry(t, g, level, g_get(t, g, level) & ~S1_US,
			  VTD_SHADOW_US);
}

static void refuse_not_present(struct kunit *test)
{
	struct sh_test *t = test->priv;
	u64 g = G_4K;
	unsigned int level;

	/* P clear: nothing, whatever the other bits say; no refusal counted. */
	t->what = "P clear";
	build_4k(t, g);
	sync_all(t);
	for (level = 0; level <= s1_top(t); level++) {
		u64 good = g_get(t, g, level);
		struct vtd_shadow_xlate x;

		g_put(t, g, level, ~S1_P);
		sync_entry(t, g, level);
		expect_none(t, g);
		KUNIT_ASSERT_EQ(test, vtd_shadow_translate(&t->sh, g, &x), 0);
		KUNIT_EXPECT_EQ(test, x.refusal, VTD_SHADOW_NR_REFUSALS);
		KUNIT_EXPECT_EQ(test, x.levels, s1_top(t) - level + 1);
		g_put(t, g, level, good);
		sync_entry(t, g, level);
	}
}

/* Tables at GPAs the parent does not map, or maps to something not RAM. */
static void refuse_table_not_ram(struct kunit *test)
{
	static const struct {
		u64 gpa;
		enum vtd_shadow_refusal why;
	} bad[] = {
		{ GPA_HOLE, VTD_SHADOW_TABLE_UNMAPPED },
		{ GPA_MMIO, VTD_SHADOW_TABLE_NOT_RAM },
		{ GPA_FAKE2M + SZ_4K, VTD_SHADOW_TABLE_NOT_RAM },
		{ GPA_FAKE1G + MB(2), VTD_SHADOW_TABLE_NOT_RAM },
		{ GPA_ZERO, VTD_SHADOW_TABLE_NOT_RAM },
	};
	struct sh_test *t = test->priv;
	struct pmap *pm;
	unsigned int level, i;
	u64 g = G_4K, pt;

	t->what = "table not in RAM";
	build_4k(t, g);
	sync_all(t);
	check(t);
	for (level = 1; level <= s1_top(t); level++) {
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			if (bad[i].gpa == GPA_ZERO && !pmap_find(t, GPA_ZERO))
				continue;
			try_entry(t, g, level, s1_table(bad[i].gpa), bad[i].why);
		}
	}

	/* The root itself. */
	t->what = "root unmapped";
	pm = pmap_find(t, t->root);
	parent_unmap(t, pm);
	check(t);
	expect_none(t, g);
	expect_refusal(t, g, VTD_SHADOW_TABLE_UNMAPPED);
	parent_map(t, pm, true);
	check(t);
	expect_shadow(t, g, page_to_phys(t->pages[20]), SZ_4K, RW);

	/* A table whose GPA the parent maps later is picked up then. */
	t->what = "table mapped later";
	pt = g_new_table(t);
	g_set(t, pt, lvl_idx(g, 0), s1_leaf(slot_gpa(21), 0, true));
	pm = pmap_find(t, pt);
	parent_unmap(t, pm);
	g_put(t, g, 1, s1_table(pt));
	sync_entry(t, g, 1);
	expect_none(t, g);
	expect_refusal(t, g, VTD_SHADOW_TABLE_UNMAPPED);
	parent_map(t, pm, true);
	check(t);
	expect_shadow(t, g, page_to_phys(t->pages[21]), SZ_4K, RW);

	/* ... and so is one at a GPA that turns from MMIO into RAM. */
	t->what = "MMIO turned RAM";
	g_set(t, pt, lvl_idx(g, 0), 0);
	g_put(t, g, 1, s1_table(GPA_MMIO));
	sync_entry(t, g, 1);
	expect_refusal(t, g, VTD_SHADOW_TABLE_NOT_RAM);
	pm = pmap_find(t, GPA_MMIO);
	parent_unmap(t, pm);
	check(t);
	pm->prot = RW;
	pm->ram = true;
	pm->va = page_address(t->pages[PG_MMIO]);
	((u64 *)pm->va)[lvl_idx(g, 0)] = s1_leaf(slot_gpa(22), 0, true);
	parent_map(t, pm, true);
	check(t);
	expect_shadow(t, g, page_to_phys(t->pages[22]), SZ_4K, RW);
}

/* Tables that point back at themselves: the walk descends once per level. */
static void self_reference(struct kunit *test)
{
	struct sh_test *t = test->priv;
	unsigned int top = s1_top(t);
	u64 g = G_4K, pdpt, pd;

	t->what = "self-referencing tables";
	build_4k(t, g);
	g_put(t, g + SZ_4K, 0, s1_leaf(slot_gpa(21), 0, false));
	/* The top table's entries 1 and 511 point at itself. */
	g_set(t, t->root, 1, s1_table(t->root));
	g_set(t, t->root, 511, s1_table(t->root));
	/* A PDPT entry and a PD entry point at their own tables. */
	pdpt = g_table_at(t, g, 2);
	pd = g_table_at(t, g, 1);
	g_set(t, pdpt, 5, s1_table(pdpt));
	g_set(t, pd, 7, s1_table(pd));
	/* And a PD entry points up at the top table (read-only). */
	g_set(t, pd, 8, s1_table(t->root) & ~S1_RW);
	sync_all(t);
	check(t);
	/* GIOVA 0 of the 512G (or 256T) at entry 1 maps the top table itself. */
	if (top == 3)
		expect_shadow(t, s1_canon(t, lvl_size(3) + lvl_size(2) +
					  lvl_size(1) + lvl_size(0)),
			      page_to_phys(t->pages[0]), SZ_4K, RW);
	expect_shadow(t, g, page_to_phys(t->pages[20]), SZ_4K, RW);

	/* Partial syncs across the loops. */
	sync_ok(t, lvl_size(top), lvl_size(top) + GB(3) - 1);
	check(t);
	sync_ok(t, upper(t, 0), U64_MAX);
	check(t);

	/*
	 * Break the loops. Through them, the top table's entry 1 is read
	 * at many GIOVAs: the guest invalidates everything.
	 */
	t->what = "loops broken";
	g_set(t, t->root, 1, 0);
	g_set(t, pd, 8, 0);
	sync_all(t);
	check(t);
	/* The PD's and the PDPT's own loops, read at many GIOVAs too. */
	g_set(t, pd, 7, 0);
	g_set(t, pdpt, 5, 0);
	sync_all(t);
	check(t);
}

/* --- Bounds --------------------------------------------------------------- */

/*
 * Every entry of the top table (of its lower half, unless @whole) leads
 * to one table at the next level, every entry of which leads to one table
 * again, down to a PT of 4K leaves: a few pages that map 128T (256T).
 * With @self, the top table's lower entries point at the top table.
 */
static void build_fanout(struct sh_test *t, bool self, bool whole)
{
	u64 table[VTD_PT_MAX_LEVELS];
	unsigned int level, i;

	if (self) {
		for (i = 0; i < 256; i++)
			g_set(t, t->root, i, s1_table(t->root));
		return;
	}
	table[s1_top(t)] = t->root;
	for (level = s1_top(t); level-- > 0;)
		table[level] = g_new_table(t);
	for (level = s1_top(t); level > 0; level--) {
		unsigned int n = level == s1_top(t) && !whole ? 256 : 512;

		for (i = 0; i < n; i++)
			g_set(t, table[level], i, s1_table(table[level - 1]));
	}
	for (i = 0; i < 512; i++)
		g_set(t, table[0], i, s1_leaf(slot_gpa(i % 8 + 4), 0, true));
}

/*
 * A guest table past a bound: the sync fails with -ENOSPC and leaves the
 * half it failed in empty; destroying the shadow then frees every page
 * and record. A full sync works again once the guest repairs its table.
 */
static void fanout(struct kunit *test, unsigned long max_tables,
		   unsigned long max_records, unsigned long max_walk, bool self,
		   bool whole)
{
	struct sh_test *t = test->priv;
	u64 keep = upper(t, MB(2)), lost = G_4K, half = upper(t, 0) - 1;
	long pages;
	u64 start;
	int ret;

	fx_shadow(t, max_tables, max_records, max_walk);
	pages = vtd_pt_pages_in_use() - atomic_long_read(&t->shadow.nr_tables);
	t->what = "before the fan-out";
	build_4k(t, lost);
	g_put(t, keep, 0, s1_leaf(slot_gpa(21), 0, true));
	sync_all(t);
	check(t);
	expect_shadow(t, lost, page_to_phys(t->pages[20]), SZ_4K, RW);

	/*
	 * The lower half fails and is left empty. The upper half stays,
	 * unless it fans out too, or the walk budget, the whole sync's,
	 * ran out before it.
	 */
	t->what = "fan-out";
	build_fanout(t, self, whole);
	start = ktime_get_ns();
	ret = do_sync(t, 0, U64_MAX);
	kunit_info(test, "failed after %llu us, %llu table pages read, %llu leaves written, %lu records\n",
		   (ktime_get_ns() - start) / 1000, t->sh.last.walked,
		   t->sh.last.written, t->sh.nr_records);
	KUNIT_ASSERT_EQ(test, ret, -ENOSPC);
	KUNIT_EXPECT_EQ(test, t->sh.last.failed, 1);
	/* (The model maps 128T in 4K pages there: no check against it.) */
	snap_take(t);
	expect_range_empty(t, 0, half);
	if (whole) {
		expect_range_empty(t, half + 1, U64_MAX);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&t->shadow.nr_tables), 1);
	} else {
		if (max_walk < DEF_MAX_WALK) {
			lenient(t, half + 1, U64_MAX);
			check_range(t, half + 1, U64_MAX);
			strict(t);
			sync_ok(t, half + 1, U64_MAX);
		}
		check_range(t, half + 1, U64_MAX);
		expect_shadow(t, keep, page_to_phys(t->pages[21]), SZ_4K, RW);
		KUNIT_EXPECT_LE(test, atomic_long_read(&t->shadow.nr_tables),
				(long)t->shadow.levels);
	}

	/* Again, on its own: same outcome. */
	ret = do_sync(t, 0, half);
	KUNIT_ASSERT_EQ(test, ret, -ENOSPC);
	snap_take(t);
	expect_range_empty(t, 0, half);

	/* Everything goes with the shadow, as it failed. */
	fx_shadow_destroy(t);
	KUNIT_EXPECT_EQ_MSG(test, vtd_pt_pages_in_use(), pages,
			    "shadow pages left after a failed sync");

	/* The guest repairs its table: everything comes back. */
	t->what = "after the fan-out";
	fx_shadow(t, max_tables, max_records, max_walk);
	memset(g_entry(t, t->root, 0), 0, SZ_4K);
	build_4k(t, lost);
	g_put(t, keep, 0, s1_leaf(slot_gpa(21), 0, true));
	sync_all(t);
	check(t);
	expect_shadow(t, lost, page_to_phys(t->pages[20]), SZ_4K, RW);
	expect_shadow(t, keep, page_to_phys(t->pages[21]), SZ_4K, RW);
}

static void fanout_max_tables(struct kunit *test)
{
	fanout(test, 8, DEF_MAX_RECORDS, DEF_MAX_WALK, false, true);
}

static void fanout_max_records(struct kunit *test)
{
	fanout(test, DEF_MAX_TABLES, 64, DEF_MAX_WALK, false, false);
}

static void fanout_max_walk(struct kunit *test)
{
	fanout(test, DEF_MAX_TABLES, DEF_MAX_RECORDS, 8, false, false);
}

static void fanout_self_loop(struct kunit *test)
{
	fanout(test, DEF_MAX_TABLES, DEF_MAX_RECORDS, 8, true, false);
}

/* One sync reads at most max_walk guest table pages, both halves together. */
static void walk_budget_per_sync(struct kunit *test)
{
	struct sh_test *t = test->priv;
	unsigned long walk = s1_top(t) + 1;

	/* A 4K leaf in each half: each half alone reads one page per level. */
	t->what = "walk budget";
	build_4k(t, G_4K);
	g_put(t, upper(t, G_4K), 0, s1_leaf(slot_gpa(21), 0, true));
	fx_shadow(t, DEF_MAX_TABLES, DEF_MAX_RECORDS, walk);
	sync_ok(t, 0, upper(t, 0) - 1);
	KUNIT_EXPECT_EQ(test, t->sh.last.walked, walk);
	sync_ok(t, upper(t, 0), U64_MAX);
	KUNIT_EXPECT_EQ(test, t->sh.last.walked, walk);
	/* Both halves need more than the budget. */
	KUNIT_EXPECT_EQ(test, do_sync(t, 0, U64_MAX), -ENOSPC);
	KUNIT_EXPECT_LE(test, t->sh.last.walked, walk);
	/* With twice the budget, it fits. */
	fx_shadow(t, DEF_MAX_TABLES, DEF_MAX_RECORDS, 2 * walk);
	sync_all(t);
	KUNIT_EXPECT_EQ(test, t->sh.last.walked, 2 * walk);
	check(t);
}

static bool shadow_alloc_fail(struct vtd_pt *pt)
{
	struct sh_test *t = kunit_get_current_test()->priv;

	if (pt != &t->shadow)
		return false;
	return ++t->nr_allocs == t->fail_at;
}

/* Every shadow table allocation of a sync fails in turn. */
static void alloc_failure_sweep(struct kunit *test)
{
	struct sh_test *t = test->priv;
	u64 half = upper(t, 0) - 1;
	unsigned int round, fail;
	int ret;

	t->what = "shadow allocation failure";
	kunit_activate_static_stub(test, vtd_pt_alloc_should_fail,
				   shadow_alloc_fail);
	for (round = 0; round < 2; round++) {
		/* Round 1 adds mappings in new places to a populated shadow. */
		u64 base = round * GB(8);

		g_put(t, base + G_4K, 0, s1_leaf(slot_gpa(20), 0, true));
		g_put(t, base + GB(1), 1, s1_leaf(GPA_FAKE2M, 1, true));
		g_put(t, base + GB(3) + SZ_2M, 0, s1_leaf(slot_gpa(21), 0, false));
		g_put(t, base + GB(512) + GB(1), 0, s1_leaf(slot_gpa(22), 0, true));
		for (fail = 1; ; fail++) {
			KUNIT_ASSERT_LT(test, fail, 64);
			t->nr_allocs = 0;
			t->fail_at = fail;
			ret = do_sync(t, 0, half);
			if (!ret)
				break;
			KUNIT_ASSERT_EQ_MSG(test, ret, -ENOMEM, "allocation %u",
					    fail);
			KUNIT_ASSERT_EQ(test, t->nr_allocs, fail);
			/* Nothing half-built stays: no leaf, no table page. */
			snap_take(t);
			expect_range_empty(t, 0, half);
			KUNIT_EXPECT_EQ(test, atomic_long_read(&t->shadow.nr_tables), 1);
			KUNIT_EXPECT_LE(test, t->sh.nr_records, 1);
		}
		kunit_info(test, "round %u: %u allocations\n", round, fail - 1);
		KUNIT_EXPECT_GE(test, fail - 1, 5);
		t->fail_at = 0;
		check(t);
	}
	kunit_deactivate_static_stub(test, vtd_pt_alloc_should_fail);
}

static void init_errors(struct kunit *test)
{
	struct sh_test *t = test->priv;
	const struct vtd_shadow_cfg good = {
		.s1_root = t->root, .s1_levels = 4, .max_records = 1,
		.max_walk = 1,
	};
	const struct vtd_pt_cfg sl = {
		.format = VTD_PT_SL4, .pgsize_bitmap = SZ_4K, .oas_bits = T_OAS,
		.nid = NUMA_NO_NODE,
	};
	struct vtd_shadow_cfg c;
	struct vtd_shadow sh;
	struct vtd_pt pt;

	c = good;
	c.s1_levels = 3;
	KUNIT_EXPECT_EQ(test, vtd_shadow_init(&sh, &t->shadow, &t->parent, &c),
			-EINVAL);
	c.s1_levels = 6;
	KUNIT_EXPECT_EQ(test, vtd_shadow_init(&sh, &t->shadow, &t->parent, &c),
			-EINVAL);
	/* A 5-level guest needs a 5-level shadow. */
	c.s1_levels = 5;
	KUNIT_EXPECT_EQ(test, vtd_shadow_init(&sh, &t->shadow, &t->parent, &c),
			-EINVAL);
	c = good;
	c.s1_root += SZ_2K;
	KUNIT_EXPECT_EQ(test, vtd_shadow_init(&sh, &t->shadow, &t->parent, &c),
			-EINVAL);
	c = good;
	c.max_records = 0;
	KUNIT_EXPECT_EQ(test, vtd_shadow_init(&sh, &t->shadow, &t->parent, &c),
			-EINVAL);
	c = good;
	c.max_walk = 0;
	KUNIT_EXPECT_EQ(test, vtd_shadow_init(&sh, &t->shadow, &t->parent, &c),
			-EINVAL);
	/* The hardware walks the shadow as a first-level table. */
	KUNIT_ASSERT_EQ(test, vtd_pt_init(&pt, &sl, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, vtd_shadow_init(&sh, &pt, &t->parent, &good),
			-EINVAL);
	vtd_pt_destroy(&pt);
	KUNIT_EXPECT_EQ(test, vtd_shadow_init(&sh, &t->shadow, &t->parent,
					      &good), 0);
	vtd_shadow_destroy(&sh);
}

/* --- Sync ranges -------------------------------------------------------------- */

/* Both canonical halves, their edges, the hole between, and everything. */
static void sync_halves(struct kunit *test)
{
	struct sh_test *t = test->priv;
	u64 half = BIT_ULL(s1_va_bits(t) - 1), up = upper(t, 0);
	u64 top4k = U64_MAX - SZ_4K + 1, top2m = U64_MAX - SZ_4M + 1;
	u64 low4k = half - SZ_4K;
	struct vtd_shadow_xlate x;

	t->what = "both halves";
	g_put(t, 0, 0, s1_leaf(slot_gpa(1), 0, true));
	g_put(t, low4k, 0, s1_leaf(slot_gpa(2), 0, true));
	g_put(t, up, 0, s1_leaf(slot_gpa(4), 0, true));
	g_put(t, up + SZ_2M, 1, s1_leaf(GPA_FAKE2M, 1, true));
	g_put(t, up + GB(1), 2, s1_leaf(GPA_FAKE1G, 2, false));
	g_put(t, top4k, 0, s1_leaf(slot_gpa(5), 0, true));
	g_put(t, top2m, 1, s1_leaf(GPA_FAKE2M, 1, true));

	/* The hole between the halves is nothing to sync. */
	sync_ok(t, half, up - 1);
	snap_take(t);
	KUNIT_EXPECT_EQ(test, t->nr_snap, 0);
	/* Not canonical: no translation. */
	KUNIT_EXPECT_EQ(test, vtd_shadow_translate(&t->sh, half, &x), -ERANGE);
	KUNIT_EXPECT_EQ(test, vtd_shadow_translate(&t->sh, up - SZ_4K, &x),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, vtd_shadow_translate(&t->sh, BIT_ULL(63), &x),
			-ERANGE);

	/* The upper half alone, then a range across the hole. */
	sync_ok(t, up, U64_MAX);
	lenient(t, 0, half - 1);
	check(t);
	strict(t);
	expect_none(t, 0);
	expect_shadow(t, top4k, page_to_phys(t->pages[5]), SZ_4K, RW);
	sync_ok(t, low4k, up + SZ_4K - 1);
	lenient(t, 0, low4k - 1);
	check(t);
	strict(t);
	expect_shadow(t, low4k, page_to_phys(t->pages[2]), SZ_4K, RW);
	sync_all(t);
	check(t);

	/* Removals at the very top. */
	t->what = "top page unmapped";
	g_put(t, top4k, 0, 0);
	sync_ok(t, top4k, U64_MAX);
	check(t);
	expect_none(t, top4k);
	expect_shadow(t, top2m, HPA_FAKE, SZ_2M, RW);
	t->what = "upper half unmapped";
	memset(g_entry(t, t->root, 256), 0, 256 * sizeof(u64));
	sync_ok(t, up, U64_MAX);
	check(t);
	expect_range_empty(t, up, U64_MAX);
}

/* A sync that cuts a guest leaf: never a wrong translation. */
static void sync_cuts_leaf(struct kunit *test)
{
	struct sh_test *t = test->priv;
	u64 g = GB(1), g1g = GB(2), hpa;

	need_chunk(t);
	hpa = chunk_hpa(t);
	t->what = "first sync cuts a 2M leaf";
	g_put(t, g, 1, s1_leaf(GPA_CHUNK, 1, true));
	sync_ok(t, g + 3 * SZ_4K, g + 5 * SZ_4K - 1);
	lenient(t, g, g + SZ_2M - 1);
	check(t);
	strict(t);
	expect_shadow(t, g + 3 * SZ_4K, hpa + 3 * SZ_4K, 0, RW);
	expect_shadow(t, g + 4 * SZ_4K, hpa + 4 * SZ_4K, 0, RW);
	sync_ok(t, g, g + SZ_2M - 1);
	check(t);
	expect_shadow(t, g, hpa, SZ_2M, RW);

	/* The guest makes it read-only, then invalidates part of it. */
	t->what = "a later sync cuts a 2M leaf";
	g_put(t, g, 1, s1_leaf(GPA_CHUNK, 1, false));
	sync_ok(t, g + SZ_8K, g + 3 * SZ_4K - 1);
	lenient(t, g, g + SZ_2M - 1);
	check(t);
	strict(t);
	expect_shadow(t, g + SZ_8K, hpa + SZ_8K, 0, IOMMU_READ);
	sync_ok(t, g, g + SZ_2M - 1);
	check(t);

	/* The same with a 1G leaf, and a range that ends inside it. */
	t->what = "syncs cut a 1G leaf";
	g_put(t, g1g, 2, s1_leaf(GPA_FAKE1G, 2, true));
	sync_ok(t, g1g - SZ_4K, g1g + MB(3) - 1);
	lenient(t, g1g, g1g + SZ_1G - 1);
	check(t);
	strict(t);
	expect_shadow(t, g1g + MB(2), HPA_FAKE + GB(1) + MB(2), 0, RW);
	g_put(t, g1g, 2, s1_leaf(GPA_FAKE1G, 2, false));
	sync_ok(t, g1g + MB(100), g1g + MB(100) + SZ_4K - 1);
	lenient(t, g1g, g1g + SZ_1G - 1);
	check(t);
	strict(t);
	expect_shadow(t, g1g + MB(100), HPA_FAKE + GB(1) + MB(100), 0,
		      IOMMU_READ);
	sync_ok(t, g1g, g1g + SZ_1G - 1);
	check(t);
}

/* A range need not end at a page end: @last is the last GIOVA, inclusive. */
static void sync_unaligned_last(struct kunit *test)
{
	struct sh_test *t = test->priv;
	u64 g = G_4K, g2 = GB(3);

	/*
	 * A range that ends mid-page after a leaf the sync maps: that leaf
	 * must not stay in the shadow without its record, or the parent's
	 * unmap of its GPA would not revoke it.
	 */
	t->what = "sync ends mid-page";
	g_put(t, g2, 0, s1_leaf(slot_gpa(22), 0, true));
	g_put(t, g2 + SZ_4K, 0, s1_leaf(slot_gpa(24), 0, true));
	sync_ok(t, g2, g2 + SZ_4K + SZ_2K - 1);
	check(t);
	parent_unmap(t, pmap_find(t, slot_gpa(22)));
	check(t);

	t->what = "sync of one GIOVA";
	build_4k(t, g);
	sync_ok(t, g, g);
	check(t);
	expect_shadow(t, g, page_to_phys(t->pages[20]), SZ_4K, RW);
	g_put(t, g, 0, s1_leaf(slot_gpa(21), 0, false));
	sync_ok(t, g, g + 0x7ff);
	check(t);
	expect_shadow(t, g, page_to_phys(t->pages[21]), SZ_4K, IOMMU_READ);
	g_put(t, g, 0, 0);
	sync_ok(t, g + SZ_2K, g + SZ_2K);
	check(t);
	expect_none(t, g);
	/* Into a 2M leaf, with no record of it yet. */
	g_put(t, GB(1), 1, s1_leaf(GPA_FAKE2M, 1, true));
	sync_ok(t, GB(1) + 0x1234, GB(1) + 0x1234);
	lenient(t, GB(1), GB(1) + SZ_2M - 1);
	check(t);
	strict(t);
	expect_shadow(t, GB(1) + SZ_4K, HPA_FAKE + SZ_4K, 0, RW);
}

/* Shadow leaves that hold the composition already are left alone. */
static void sync_keeps_unchanged(struct kunit *test)
{
	struct sh_test *t = test->priv;
	struct snap_leaf *old;
	unsigned int i, n;
	u64 g = GB(1), changed = g + 5 * SZ_4K;

	t->what = "unchanged leaves";
	for (i = 0; i < 16; i++)
		g_put(t, g + i * SZ_4K, 0, s1_leaf(slot_gpa(i), 0, true));
	g_put(t, g + SZ_2M, 1, s1_leaf(GPA_FAKE2M, 1, true));
	sync_all(t);
	check(t);
	n = t->nr_snap;
	old = kunit_kmalloc_array(test, n, sizeof(*old), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, old);
	memcpy(old, t->snap, n * sizeof(*old));

	g_put(t, changed, 0, s1_leaf(slot_gpa(20), 0, true));
	sync_ok(t, g, g + SZ_1G - 1);
	check(t);
	KUNIT_EXPECT_EQ(test, t->nr_snap, n);
	for (i = 0; i < n; i++) {
		struct vtd_pt_xlate x;

		if (old[i].iova == changed)
			continue;
		KUNIT_ASSERT_EQ(test, vtd_pt_lookup(&t->shadow, old[i].iova, &x),
				0);
		KUNIT_EXPECT_TRUE_MSG(test, x.paddr == old[i].paddr &&
				      x.leaf_size == old[i].size &&
				      x.prot == old[i].prot,
				      "%#llx was rewritten", old[i].iova);
	}
	KUNIT_EXPECT_EQ(test, t->sh.last.written, 1);
	KUNIT_EXPECT_EQ(test, t->sh.last.removed, 1);
}

static void clear_and_resync(struct kunit *test)
{
	struct sh_test *t = test->priv;
	struct vtd_pt_gather g;

	t->what = "clear";
	build_4k(t, G_4K);
	g_put(t, upper(t, GB(1)), 2, s1_leaf(GPA_FAKE1G, 2, true));
	g_put(t, GB(3), 1, s1_leaf(GPA_FAKE2M, 1, true));
	sync_all(t);
	check(t);
	KUNIT_EXPECT_GT(test, t->sh.nr_records, 0);
	vtd_pt_gather_init(&g);
	vtd_shadow_clear(&t->sh, &g);
	gather_check(t, &g);
	vtd_pt_gather_release(&t->shadow, &g);
	KUNIT_EXPECT_EQ(test, t->sh.nr_records, 0);
	records_check(t);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->shadow.nr_tables), 1);
	snap_take(t);
	KUNIT_EXPECT_EQ(test, t->nr_snap, 0);
	t->what = "after clear";
	sync_all(t);
	check(t);
	KUNIT_EXPECT_EQ(test, t->nr_snap, 3);
}

/* --- Parent changes ------------------------------------------------------------- */

/*
 * Invariant 1: once the parent unmaps a GPA and the engine is told, no
 * shadow leaf points at its host pages, without any guest sync.
 */
static void parent_unmap_revokes(struct kunit *test)
{
	struct sh_test *t = test->priv;
	struct pmap *targets[6];
	unsigned int n = 0, i;
	u64 g = G_4K, pt;

	t->what = "parent unmap";
	build_4k(t, g);						/* slot 20 */
	g_put(t, g + SZ_4K, 0, s1_leaf(slot_gpa(20), 0, false));	/* alias */
	g_put(t, GB(1), 1, s1_leaf(GPA_RAM, 1, true));		/* slots */
	g_put(t, GB(2), 2, s1_leaf(GPA_FAKE1G, 2, true));
	g_put(t, upper(t, SZ_2M), 1, s1_leaf(GPA_FAKE1G + SZ_2M, 1, true));
	if (t->chunk)
		g_put(t, GB(3) + SZ_4K, 0, s1_leaf(GPA_CHUNK + SZ_8K, 0, true));
	pt = g_table_at(t, g, 0);
	sync_all(t);
	check(t);

	targets[n++] = pmap_find(t, slot_gpa(20));
	targets[n++] = pmap_find(t, slot_gpa(6));
	targets[n++] = pmap_find(t, GPA_FAKE1G);
	targets[n++] = pmap_find(t, pt);	/* a guest table */
	targets[n++] = pmap_find(t, t->root);
	if (t->chunk)
		targets[n++] = pmap_find(t, GPA_CHUNK + SZ_8K);
	for (i = 0; i < n; i++) {
		struct pmap *pm = targets[i];

		KUNIT_EXPECT_TRUE(test, vtd_shadow_uses_gpa(&t->sh, pm->gpa,
							    pm->gpa + pm->size - 1));
		parent_unmap(t, pm);
		check(t);
		expect_no_hpa(t, pm->hpa, pm->size);
		parent_map(t, pm, true);
		check(t);
	}
	expect_shadow(t, g, page_to_phys(t->pages[20]), SZ_4K, RW);

	/* Read-only in the parent: no writable shadow leaf on it. */
	t->what = "parent write-protects";
	parent_unmap(t, targets[0]);
	targets[0]->prot = IOMMU_READ;
	parent_map(t, targets[0], true);
	check(t);
	expect_shadow(t, g, page_to_phys(t->pages[20]), SZ_4K, IOMMU_READ);
	parent_unmap(t, targets[0]);
	targets[0]->prot = RW;
	parent_map(t, targets[0], true);
	check(t);
	expect_shadow(t, g, page_to_phys(t->pages[20]), SZ_4K, RW);

	/* GPAs nothing uses. */
	KUNIT_EXPECT_FALSE(test, vtd_shadow_uses_gpa(&t->sh, GPA_HOLE,
						     GPA_HOLE + SZ_1G - 1));
}

/* A guest table page the parent moves to another host page is read again. */
static void parent_moves_table(struct kunit *test)
{
	struct sh_test *t = test->priv;
	struct pmap *a, *b;
	u64 ga = G_4K, gb = G_4K + GB(1);
	int pa, pb;

	t->what = "parent swaps two table pages";
	g_put(t, ga, 0, s1_leaf(slot_gpa(20), 0, true));
	g_put(t, gb, 0, s1_leaf(slot_gpa(21), 0, true));
	/* The two PTs hold different entries at different indexes too. */
	g_put(t, gb + SZ_8K, 0, s1_leaf(slot_gpa(22), 0, false));
	a = pmap_find(t, g_table_at(t, ga, 0));
	b = pmap_find(t, g_table_at(t, gb, 0));
	KUNIT_ASSERT_PTR_NE(test, a, b);
	sync_all(t);
	check(t);

	pa = a->backing;
	pb = b->backing;
	parent_unmap(t, a);
	check(t);
	parent_unmap(t, b);
	check(t);
	pmap_set_backing(t, a, pb);
	pmap_set_backing(t, b, pa);
	parent_map(t, a, true);
	check(t);
	parent_map(t, b, true);
	check(t);
	expect_shadow(t, ga, page_to_phys(t->pages[21]), SZ_4K, RW);
	expect_shadow(t, ga + SZ_8K, page_to_phys(t->pages[22]), SZ_4K,
		      IOMMU_READ);
	expect_shadow(t, gb, page_to_phys(t->pages[20]), SZ_4K, RW);
	expect_none(t, gb + SZ_8K);
}

/* --- The random oracle ---------------------------------------------------------- */

#define OCC_MAX		96	/* table visits a guest op may lead to */
#define LEAVES_HIGH	1500	/* shadow leaves above which ops prune */

/* A guest table page, as the walk meets it: its GPA, level and raw base. */
struct occ {
	u64 gpa;
	u64 base;
	unsigned int level;
};

#define BATCH_MAX	4	/* guest writes before one invalidation */

struct oracle {
	struct sh_test *t;
	struct occ before[OCC_MAX];	/* at the start of a batch */
	struct occ cur[OCC_MAX];	/* before each write */
	struct occ after[OCC_MAX];	/* at the end */
	unsigned int nr_before;
	unsigned int nr_cur;
	unsigned int nr_after;
	struct {
		u64 table;
		unsigned int idx;
		u64 old;
	} writes[BATCH_MAX];
	u64 ranges[2 * BATCH_MAX * OCC_MAX][2];
	unsigned int guest_ops;
	unsigned int guest_writes;
	unsigned int parent_ops;
	unsigned int noop_syncs;
	unsigned int reverted;
	unsigned int injected;
	unsigned int clears;
	unsigned int max_leaves;
	bool small_leaves;	/* no 2M leaves in the parent or the shadow */
};

static u32 rnd(struct sh_test *t, u32 n)
{
	return prandom_u32_state(&t->rnd) % n;
}

static u64 rnd64(struct sh_test *t)
{
	return (u64)prandom_u32_state(&t->rnd) << 32 |
	       prandom_u32_state(&t->rnd);
}

static bool occ_visit(struct sh_test *t, struct occ *o, unsigned int *n,
		      u64 gpa, unsigned int level, u64 base)
{
	struct pmap *pm = pmap_find(t, gpa);
	const u64 *table;
	unsigned int i;

	if (!pm || !pm->ram)
		return true;
	if (*n == OCC_MAX)
		return false;
	o[(*n)++] = (struct occ){ .gpa = gpa, .base = base, .level = level };
	if (!level)
		return true;
	table = (const u64 *)(pm->va + (gpa - pm->gpa));
	for (i = 0; i < 512; i++) {
		u64 e = READ_ONCE(table[i]);
		bool leaf;

		if (s1_decode(t, e, level, &leaf) || leaf)
			continue;
		if (!occ_visit(t, o, n, e & S1_ADDR, level - 1,
			       base + i * lvl_size(level)))
			return false;
	}
	return true;
}

/* The mapping the parent has, or had, at @gpa. */
static struct pmap *pmap_find_any(struct sh_test *t, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < t->nr_maps; i++) {
		struct pmap *pm = &t->map[i];

		if (gpa >= pm->gpa && gpa - pm->gpa < pm->size)
			return pm;
	}
	return NULL;
}

/*
 * Shadow leaves the composition needs at least, counted up to @max, below
 * the guest table at @table, were the parent to map all it ever did:
 * each piece of a guest leaf over a parent mapping, in leaves of the
 * largest size the guest's, the parent's and the shadow's allow.
 */
static unsigned long leaf_estimate(struct sh_test *t, u64 table,
				   unsigned int level, unsigned long max)
{
	unsigned long n = 0, best = t->shadow.cfg.pgsize_bitmap;
	struct pmap *pm = pmap_find_any(t, table);
	unsigned int i, k;

	if (!pm || !pm->ram)
		return 0;
	for (i = 0; i < 512 && n < max; i++) {
		u64 e = READ_ONCE(*((u64 *)(pm->va + (table - pm->gpa)) + i));
		u64 size = lvl_size(level), gpa = e & S1_ADDR & ~(size - 1);
		bool leaf;

		if (s1_decode(t, e, level, &leaf))
			continue;
		if (!leaf) {
			n += leaf_estimate(t, e & S1_ADDR, level - 1, max - n);
			continue;
		}
		for (k = 0; k < t->nr_maps; k++) {
			const struct pmap *q = &t->map[k];
			u64 piece, unit = min(size, q->leaf);

			if (q->gpa > gpa + (size - 1) ||
			    q->gpa + (q->size - 1) < gpa)
				continue;
			piece = min(gpa + size, q->gpa + q->size) - max(gpa, q->gpa);
			while (unit > SZ_4K && !(best & unit))
				unit >>= 9;
			n += piece / unit;
		}
	}
	return n;
}

/* Every place a walk reads a guest table; false if there are too many. */
static bool occ_walk(struct sh_test *t, struct occ *o, unsigned int *n)
{
	*n = 0;
	return occ_visit(t, o, n, t->root, s1_top(t), 0);
}

static bool occ_has(const struct occ *o, unsigned int n, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (o[i].gpa == gpa)
			return true;
	}
	return false;
}

/* The GIOVA ranges whose walk reads entry @idx of the table at @gpa. */
static unsigned int occ_ranges(struct oracle *o, const struct occ *occ,
			       unsigned int n, u64 gpa, unsigned int idx,
			       unsigned int nr)
{
	struct sh_test *t = o->t;
	unsigned int i, k;

	for (i = 0; i < n; i++) {
		u64 first, last;

		if (occ[i].gpa != gpa)
			continue;
		first = occ[i].base + idx * lvl_size(occ[i].level);
		last = first + lvl_size(occ[i].level) - 1;
		first = s1_canon(t, first);
		last = s1_canon(t, last);
		for (k = 0; k < nr; k++) {
			if (o->ranges[k][0] == first && o->ranges[k][1] == last)
				break;
		}
		if (k == nr) {
			o->ranges[nr][0] = first;
			o->ranges[nr][1] = last;
			nr++;
		}
	}
	return nr;
}

/*
 * A GIOVA at an edge of each level: few tables, every corner, and
 * neighbouring 4K leaves.
 */
static u64 oracle_giova(struct sh_test *t)
{
	static const u16 top_idx[] = { 0, 255, 256, 511 };
	static const u16 idx[] = { 0, 511, 1 };
	unsigned int level = s1_top(t);
	u64 raw = (u64)top_idx[rnd(t, ARRAY_SIZE(top_idx))] << lvl_shift(level);

	while (level--)
		raw |= (u64)idx[rnd(t, level ? 2 : 3)] << lvl_shift(level);
	return s1_canon(t, raw);
}

/* A RAM page no walk reads as a table now, zeroed; 0 if none was found. */
static u64 oracle_free_page(struct oracle *o)
{
	struct sh_test *t = o->t;
	unsigned int tries;

	for (tries = 0; tries < 16; tries++) {
		u64 gpa = rnd(t, 2) && t->chunk ?
			  GPA_CHUNK + rnd(t, 512) * SZ_4K :
			  slot_gpa(rnd(t, NR_RAM));
		struct pmap *pm = pmap_find(t, gpa);

		if (!pm || !pm->ram || occ_has(o->cur, o->nr_cur, gpa))
			continue;
		memset(g_entry(t, gpa, 0), 0, SZ_4K);
		return gpa;
	}
	return 0;
}

static u64 oracle_rsvd_bit(struct sh_test *t, unsigned int level, bool leaf)
{
	if (leaf && level && level < 3 && rnd(t, 2))
		return BIT_ULL(13 + rnd(t, lvl_shift(level) - 13));
	return BIT_ULL(T_GPA_BITS + rnd(t, 52 - T_GPA_BITS));
}

static u64 oracle_leaf(struct oracle *o, unsigned int level)
{
	struct sh_test *t = o->t;
	u64 gpa, e;

	switch (level) {
	case 0: {
		const u64 gpas[] = {
			slot_gpa(rnd(t, NR_RAM)), GPA_CHUNK + rnd(t, 512) * SZ_4K,
			GPA_FAKE2M + rnd(t, 512) * SZ_4K, GPA_MMIO, GPA_ZERO,
			GPA_HOLE + rnd(t, 512) * SZ_4K,
			GPA_FAKE1G + rnd(t, 1 << 18) * SZ_4K,
		};

		gpa = gpas[rnd(t, ARRAY_SIZE(gpas))];
		break;
	}
	case 1: {
		/* 2M of parent leaves in 4K shadow leaves: sometimes. */
		bool small = o->small_leaves && rnd(t, 4);
		const u64 gpas[] = {
			GPA_RAM, small ? GPA_HOLE : GPA_CHUNK,
			small ? GPA_RAM : GPA_FAKE2M,
			small ? GPA_HOLE : GPA_FAKE1G + rnd(t, 512) * SZ_2M,
			GPA_HOLE, BIT_ULL(T_GPA_BITS) - SZ_2M,
		};

		gpa = gpas[rnd(t, ARRAY_SIZE(gpas))];
		break;
	}
	default: {
		/* Not 1G of parent leaves in 4K shadow leaves: too many. */
		bool small = o->small_leaves && rnd(t, 4);
		bool huge = !(t->shadow.cfg.pgsize_bitmap & SZ_2M) &&
			    pmap_find_any(t, GPA_FAKE1G + SZ_2M);
		const u64 gpas[] = {
			GPA_RAM, small ? GPA_HOLE : GPA_CHUNK,
			small || huge ? GPA_HOLE : GPA_FAKE1G,
			GPA_HOLE, BIT_ULL(T_GPA_BITS) - SZ_1G,
		};

		gpa = gpas[rnd(t, ARRAY_SIZE(gpas))];
		break;
	}
	}
	e = gpa | S1_P | S1_A;
	if (rnd(t, 20))
		e |= S1_US;
	if (rnd(t, 4))
		e |= S1_RW | S1_D;
	if (level)
		e |= S1_PS;
	if (!rnd(t, 5))
		e |= S1_XD;
	if (level && !rnd(t, 5))
		e |= S1_PAT_LARGE;
	if (!rnd(t, 8))
		e |= rnd64(t) & S1_IGNORED;
	if (!rnd(t, 30))
		e |= oracle_rsvd_bit(t, level, true);
	return e;
}

/* A table pointer at @level to @gpa, mostly writable and user. */
static u64 oracle_table(struct sh_test *t, u64 gpa)
{
	u64 e = s1_table(gpa);

	if (!rnd(t, 10))
		e &= ~S1_RW;
	if (!rnd(t, 40))
		e &= ~S1_US;
	if (!rnd(t, 8))
		e |= rnd64(t) & S1_IGNORED;
	return e;
}

/* Random bits with P set, mostly with a plausible address. */
static u64 oracle_garbage(struct sh_test *t)
{
	u64 e = rnd64(t) | S1_P;

	if (rnd(t, 2))
		e &= ~GENMASK_ULL(51, 32);
	return e;
}

/* What to write over entry @old at @level of the table at @table. */
static u64 oracle_new_entry(struct oracle *o, unsigned int level, u64 table,
			    u64 old, bool is_table)
{
	struct sh_test *t = o->t;
	u32 r = rnd(t, 100);
	u64 gpa;

	if (is_table) {
		if (r < 14)
			return 0;
		if (r < 18)
			return old & ~S1_P;
		if (r < 30)
			return old ^ S1_RW;
		if (r < 34)
			return old ^ S1_US;
		if (r < 37)
			return old | oracle_rsvd_bit(t, level, false);
		if (r < 52) {
			/* A copy of the table elsewhere: the same translations. */
			gpa = oracle_free_page(o);
			if (!gpa)
				return old ^ S1_RW;
			memcpy(g_entry(t, gpa, 0), g_entry(t, old & S1_ADDR, 0),
			       SZ_4K);
			return (old & ~S1_ADDR) | gpa;
		}
		if (r < 62) {
			/* Another table of the same level: an alias. */
			unsigned int i, k = rnd(t, o->nr_cur);

			for (i = 0; i < o->nr_cur; i++) {
				const struct occ *c = &o->cur[(k + i) % o->nr_cur];

				if (c->level == level - 1)
					return (old & ~S1_ADDR) | c->gpa;
			}
			return old ^ S1_RW;
		}
		if (r < 66)
			return oracle_table(t, rnd(t, 2) ? table : t->root);
		if (r < 70) {
			const u64 bad[] = {
				GPA_HOLE, GPA_MMIO, GPA_FAKE2M, GPA_ZERO,
			};

			return oracle_table(t, bad[rnd(t, ARRAY_SIZE(bad))]);
		}
		if (r < 95)
			return oracle_leaf(o, level);
		return oracle_garbage(t);
	}
	if (r < 50)
		return oracle_leaf(o, level);
	if (r < 85 && level) {
		gpa = oracle_free_page(o);
		if (gpa)
			return oracle_table(t, gpa);
		return oracle_leaf(o, level);
	}
	if (r < 93)
		return 0;
	if (r < 96)
		return old ^ S1_RW;
	return oracle_garbage(t);
}

/* One guest write at a random place; false if the walk got too big. */
static bool oracle_guest_write(struct oracle *o)
{
	struct sh_test *t = o->t;
	u64 giova = oracle_giova(t), raw = s1_raw(t, giova), table = t->root;
	struct {
		u64 table;
		u64 e;
		unsigned int level;
	} path[VTD_PT_MAX_LEVELS];
	unsigned int n = 0, k, level, idx;
	u64 new, *slot;

	if (!o->guest_writes) {
		memcpy(o->cur, o->before, o->nr_before * sizeof(*o->cur));
		o->nr_cur = o->nr_before;
	} else if (!occ_walk(t, o->cur, &o->nr_cur)) {
		return false;
	}
	/* The tables the walk of @giova reads. */
	for (level = s1_top(t); ; level--) {
		struct pmap *pm = pmap_find(t, table);
		bool leaf;

		if (!pm || !pm->ram)
			break;
		path[n].table = table;
		path[n].level = level;
		path[n].e = READ_ONCE(*g_entry(t, table, lvl_idx(raw, level)));
		n++;
		if (!level || s1_decode(t, path[n - 1].e, level, &leaf) || leaf)
			break;
		table = path[n - 1].e & S1_ADDR;
	}
	if (!n)
		return true;
	k = rnd(t, 3) ? n - 1 : rnd(t, n);
	level = path[k].level;
	idx = lvl_idx(raw, level);
	new = oracle_new_entry(o, level, path[k].table, path[k].e, k < n - 1);
	if (t->nr_snap > LEAVES_HIGH) {
		/* The shadow grew too big: drop a top entry instead. */
		for (k = 0, idx = rnd(t, 512); k < 512; k++, idx = (idx + 1) % 512)
			if (READ_ONCE(*g_entry(t, t->root, idx)) & S1_P)
				break;
		k = 0;
		new = 0;
	}
	slot = g_entry(t, path[k].table, idx);
	o->writes[o->guest_writes].table = path[k].table;
	o->writes[o->guest_writes].idx = idx;
	o->writes[o->guest_writes].old = READ_ONCE(*slot);
	o->guest_writes++;
	WRITE_ONCE(*slot, new);
	return true;
}

/*
 * Sync [first, last] as the guest asked, sometimes failing one shadow
 * allocation first: the range is then left empty, and synced again.
 */
static void oracle_sync(struct oracle *o, u64 first, u64 last, bool inject)
{
	struct sh_test *t = o->t;
	u64 lo_last, hi_first;
	int ret;

	t->nr_allocs = 0;
	t->fail_at = inject ? 1 + rnd(t, 4) : 0;
	ret = do_sync(t, first, last);
	t->fail_at = 0;
	if (!ret)
		return;
	KUNIT_ASSERT_EQ_MSG(t->test, ret, -ENOMEM, "%s: sync [%#llx, %#llx]",
			    t->what, first, last);
	o->injected++;
	/*
	 * Nothing half-built stays: the half that failed is left empty (the
	 * other may have synced). The walk checks the parent maps all.
	 */
	snap_take(t);
	lo_last = min(last, upper(t, 0) - 1);
	hi_first = max(first, upper(t, 0));
	if (first > lo_last)
		expect_range_empty(t, hi_first, last);
	else if (hi_first > last)
		expect_range_empty(t, first, lo_last);
	else
		KUNIT_ASSERT_TRUE_MSG(t->test, !snap_in(t, first, lo_last) ||
				      !snap_in(t, hi_first, last),
				      "%s: sync [%#llx, %#llx] failed, both halves hold leaves",
				      t->what, first, last);
	sync_ok(t, first, last);
}

/*
 * A few guest writes, then the syncs of everything they changed, as the
 * contract says: every walk that reads a written entry, before the
 * writes or after them. The guest may sync more than that (a wider
 * range), or one range in two pieces.
 */
static void oracle_guest_op(struct oracle *o)
{
	struct sh_test *t = o->t;
	unsigned int nw = rnd(t, 4) ? 1 : 2 + rnd(t, BATCH_MAX - 1);
	bool inject = !rnd(t, 16);
	unsigned int i, nr = 0;

	if (!occ_walk(t, o->before, &o->nr_before)) {
		/* A parent op brought back a big graph: cut it, sync all. */
		t->what = "guest op: prune";
		memset(g_entry(t, t->root, 0), 0, SZ_4K);
		sync_all(t);
		check(t);
		return;
	}
	o->guest_writes = 0;
	for (i = 0; i < nw; i++) {
		if (!oracle_guest_write(o))
			break;
	}
	if (i < nw || !occ_walk(t, o->after, &o->nr_after) ||
	    (o->small_leaves &&
	     leaf_estimate(t, t->root, s1_top(t), MAX_SNAP) > MAX_SNAP / 8)) {
		/* Too many table visits or leaves for a check: not these. */
		while (o->guest_writes--)
			WRITE_ONCE(*g_entry(t, o->writes[o->guest_writes].table,
					    o->writes[o->guest_writes].idx),
				   o->writes[o->guest_writes].old);
		o->reverted++;
		return;
	}
	o->guest_ops++;
	t->what = inject ? "guest op, failing an allocation" : "guest op";
	for (i = 0; i < o->guest_writes; i++) {
		nr = occ_ranges(o, o->before, o->nr_before, o->writes[i].table,
				o->writes[i].idx, nr);
		nr = occ_ranges(o, o->after, o->nr_after, o->writes[i].table,
				o->writes[i].idx, nr);
	}
	for (i = 0; i < nr; i++) {
		u64 first = o->ranges[i][0], last = o->ranges[i][1];
		u32 r = rnd(t, 10);

		if (!r) {
			/* Wider: an entry's span further up, or everything. */
			unsigned int level = rnd(t, s1_top(t) + 2);

			if (level > s1_top(t)) {
				first = 0;
				last = U64_MAX;
			} else {
				first = min(first, span_first(t, first, level));
				last = max(last, span_last(t, last, level));
			}
		} else if (r == 1 && last - first >= SZ_4K) {
			/* In two pieces, in either order. */
			u64 mid = first + (rnd64(t) % ((last - first + 1) >> 12) + 1) *
				  SZ_4K;

			if (mid <= last) {
				if (rnd(t, 2)) {
					oracle_sync(o, first, mid - 1, inject);
					first = mid;
				} else {
					oracle_sync(o, mid, last, inject);
					last = mid - 1;
				}
			}
		}
		/* The range's ends need not be page ends. */
		if (!rnd(t, 16)) {
			first |= rnd(t, SZ_4K);
			last = max(first, (last & ~(u64)(SZ_4K - 1)) |
				   rnd(t, SZ_4K));
		}
		oracle_sync(o, first, last, inject);
	}
	check(t);
}

/* The parent unmaps a window of GPAs at once, whatever lies in it. */
static void oracle_parent_window(struct oracle *o)
{
	static const u64 windows[][2] = {
		{ GPA_RAM, SZ_2M }, { GPA_CHUNK, SZ_2M }, { GB(1), GB(4) },
		{ GB(3), GB(2) },
	};
	struct sh_test *t = o->t;
	unsigned int w = rnd(t, ARRAY_SIZE(windows)), i;
	u64 first = windows[w][0], size = windows[w][1], want = 0, ret;
	struct vtd_pt_gather g;

	for (i = 0; i < t->nr_maps; i++) {
		struct pmap *pm = &t->map[i];

		if (pm->live && pm->gpa >= first &&
		    pm->gpa + pm->size <= first + size) {
			want += pm->size;
			pm->live = false;
		}
	}
	vtd_pt_gather_init(&g);
	ret = vtd_pt_unmap(&t->parent, first, size, &g);
	vtd_pt_gather_release(&t->parent, &g);
	KUNIT_ASSERT_EQ(t->test, ret, want);
	parent_changed(t, first, first + size - 1);
	check(t);
}

/* The top table's page is never left unmapped: the guest could do nothing. */
static void oracle_parent_op(struct oracle *o);

static void oracle_parent_step(struct oracle *o)
{
	struct sh_test *t = o->t;
	struct pmap *pm = &t->map[0];

	oracle_parent_op(o);
	if (!pm->live) {
		t->what = "parent maps the top table again";
		parent_map(t, pm, true);
		check(t);
	}
}

static void oracle_parent_op(struct oracle *o)
{
	struct sh_test *t = o->t;
	struct pmap *pm = &t->map[rnd(t, t->nr_maps)];
	unsigned int b, i;

	/* Mostly bring back something unmapped, if anything is. */
	if (rnd(t, 4)) {
		unsigned int k = rnd(t, t->nr_maps);

		for (i = 0; i < t->nr_maps; i++) {
			if (!t->map[(k + i) % t->nr_maps].live) {
				pm = &t->map[(k + i) % t->nr_maps];
				break;
			}
		}
	}

	o->parent_ops++;
	t->what = "parent op";
	if (!rnd(t, 10)) {
		t->what = "parent unmaps a window";
		oracle_parent_window(o);
		return;
	}
	if (pm->live && !rnd(t, 10)) {
		/*
		 * A resync fails while the parent takes pages away: what it
		 * leaves must still be within the parent. A full sync then
		 * brings back the rest.
		 */
		t->what = "parent unmap, failing an allocation";
		o->injected++;
		t->nr_allocs = 0;
		t->fail_at = 1 + rnd(t, 3);
		parent_unmap(t, pm);
		t->fail_at = 0;
		snap_take(t);
		sync_all(t);
		check(t);
		return;
	}
	if (pm->live) {
		parent_unmap(t, pm);
		check(t);
		if (rnd(t, 4))
			return;
		/* Back at once, with the other write permission. */
		pm->prot ^= IOMMU_WRITE;
		pm->prot |= IOMMU_READ;
	} else if (pm->backing >= 0 && rnd(t, 2)) {
		/* Another page under the slot: a table there reads as empty. */
		for (b = NR_RAM; b < PG_MMIO; b++) {
			if (t->owner[b] < 0)
				break;
		}
		if (b < PG_MMIO) {
			clear_page(page_address(t->pages[b]));
			pmap_set_backing(t, pm, b);
		}
	}
	parent_map(t, pm, true);
	check(t);
}

/* A sync with nothing new to see changes no shadow leaf. */
static void oracle_noop_sync(struct oracle *o)
{
	struct sh_test *t = o->t;
	u64 giova = oracle_giova(t), first = 0, last = U64_MAX;
	unsigned int level = rnd(t, s1_top(t) + 2), i, n;
	struct vtd_pt_gather g;

	if (level <= s1_top(t)) {
		first = span_first(t, giova, level);
		last = span_last(t, giova, level);
	}
	o->noop_syncs++;
	t->what = "sync without change";
	if (!t->snap_valid)
		snap_take(t);
	n = t->nr_snap;
	vtd_pt_gather_init(&g);
	KUNIT_ASSERT_EQ(t->test, vtd_shadow_sync(&t->sh, first, last, &g), 0);
	for (i = 0; i < n; i++) {
		const struct snap_leaf *s = &t->snap[i];
		struct vtd_pt_xlate x;

		KUNIT_ASSERT_EQ(t->test, vtd_pt_lookup(&t->shadow, s->iova, &x), 0);
		KUNIT_ASSERT_TRUE_MSG(t->test, x.paddr == s->paddr &&
				      x.leaf_size == s->size &&
				      x.prot == s->prot,
				      "sync [%#llx, %#llx] without change rewrote %#llx",
				      first, last, s->iova);
	}
	vtd_pt_gather_release(&t->shadow, &g);
	records_check(t);
	check(t);
	KUNIT_ASSERT_EQ(t->test, t->nr_snap, n);
}

/* The shadow is emptied, then built again by a full sync. */
static void oracle_clear(struct oracle *o)
{
	struct sh_test *t = o->t;
	struct vtd_pt_gather g;

	o->clears++;
	t->what = "clear";
	if (!t->snap_valid)
		snap_take(t);
	vtd_pt_gather_init(&g);
	vtd_shadow_clear(&t->sh, &g);
	gather_check(t, &g);
	vtd_pt_gather_release(&t->shadow, &g);
	KUNIT_ASSERT_EQ(t->test, t->sh.nr_records, 0);
	sync_all(t);
	check(t);
}

/* A second shadow built from scratch agrees, record for record. */
static void oracle_fresh_compare(struct oracle *o)
{
	struct sh_test *t = o->t;
	struct kunit *test = t->test;
	const struct vtd_pt_cfg cfg = t->shadow.cfg;
	const struct vtd_shadow_cfg scfg = {
		.s1_root = t->root,
		.s1_levels = t->cfg.s1_levels,
		.s1_1g = t->cfg.s1_1g,
		.max_records = t->sh.max_records,
		.max_walk = t->sh.max_walk,
	};
	struct vtd_pt_gather g;
	struct vtd_shadow *sh;
	struct vtd_pt *pt;
	int ret;

	pt = kunit_kzalloc(test, sizeof(*pt), GFP_KERNEL);
	sh = kunit_kzalloc(test, sizeof(*sh), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pt);
	KUNIT_ASSERT_NOT_NULL(test, sh);
	KUNIT_ASSERT_EQ(test, vtd_pt_init(pt, &cfg, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, vtd_shadow_init(sh, pt, &t->parent, &scfg), 0);
	vtd_pt_gather_init(&g);
	ret = vtd_shadow_sync(sh, 0, U64_MAX, &g);
	vtd_pt_gather_release(pt, &g);
	if (!ret)
		check_pt(t, pt, sh, 0, U64_MAX, true);
	KUNIT_EXPECT_EQ(test, t->sh.nr_records, sh->nr_records);
	vtd_shadow_destroy(sh);
	vtd_pt_destroy(pt);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

static void random_oracle(struct kunit *test)
{
	struct sh_test *t = test->priv;
	u64 seed = oracle_seed ?: t->cfg.seed, start = ktime_get_ns();
	struct oracle *o;

	o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	o->t = t;
	o->small_leaves = !(t->cfg.parent_pgsizes & t->cfg.shadow_pgsizes &
			    SZ_2M);
	prandom_seed_state(&t->rnd, seed);
	kunit_info(test, "seed %#llx, %u steps\n", seed, oracle_steps);
	kunit_activate_static_stub(test, vtd_pt_alloc_should_fail,
				   shadow_alloc_fail);
	/* Translation checks at a sample of the steps only: they cost. */
	t->translate = false;
	sync_all(t);
	check(t);
	for (t->step = 0; t->step < oracle_steps; t->step++) {
		u32 r = rnd(t, 100);

		t->translate = !(t->step % 8);
		if (r < 75)
			oracle_guest_op(o);
		else if (r < 93)
			oracle_parent_step(o);
		else if (r < 98)
			oracle_noop_sync(o);
		else
			oracle_clear(o);
		o->max_leaves = max(o->max_leaves, t->nr_snap);
	}

	t->what = "final full sync";
	t->translate = true;
	sync_all(t);
	check(t);
	oracle_fresh_compare(o);

	/* The guest drops everything: so does the shadow, tables included. */
	t->what = "guest table emptied";
	if (pmap_find(t, t->root))
		memset(g_entry(t, t->root, 0), 0, SZ_4K);
	sync_all(t);
	check(t);
	KUNIT_EXPECT_EQ(test, t->nr_snap, 0);
	/*
	 * Only the top table stays, and, in a shadow with more levels than
	 * the guest's table, maybe the table under each end of it: their
	 * span is wider than a guest half.
	 */
	KUNIT_EXPECT_LE(test, atomic_long_read(&t->shadow.nr_tables),
			1 + 2 * (t->shadow.levels - t->cfg.s1_levels));
	KUNIT_EXPECT_LE(test, t->sh.nr_records, 1);

	kunit_info(test, "%u guest ops (%u reverted), %u parent ops, %u idle syncs, %u clears, %u failures injected, %lu syncs, %lu blocks checked, at most %u shadow leaves, %llu ms\n",
		   o->guest_ops, o->reverted, o->parent_ops, o->noop_syncs,
		   o->clears, o->injected, t->syncs, t->blocks, o->max_leaves,
		   (ktime_get_ns() - start) / NSEC_PER_MSEC);
	kunit_info(test, "engine: %llu syncs, %llu failed, %llu table pages read, %llu leaves written, %llu pages removed; refused: %llu reserved, %llu U/S, %llu PS, %llu table unmapped, %llu table not RAM, %llu leaf unmapped\n",
		   t->sh.stats.syncs, t->sh.stats.failed, t->sh.stats.walked,
		   t->sh.stats.written, t->sh.stats.removed,
		   t->sh.stats.refused[VTD_SHADOW_RSVD],
		   t->sh.stats.refused[VTD_SHADOW_US],
		   t->sh.stats.refused[VTD_SHADOW_PS],
		   t->sh.stats.refused[VTD_SHADOW_TABLE_UNMAPPED],
		   t->sh.stats.refused[VTD_SHADOW_TABLE_NOT_RAM],
		   t->sh.stats.refused[VTD_SHADOW_LEAF_UNMAPPED]);
	KUNIT_EXPECT_GT(test, o->guest_ops, oracle_steps / 2);
	KUNIT_EXPECT_GT(test, o->parent_ops, oracle_steps / 10);
}

static const struct fx_cfg oracle_cfgs[] = {
	{
		.name = "fl4",
		.s1_levels = 4,
		.shadow_format = VTD_PT_FL4,
		.parent_pgsizes = VTD_PT_PGSIZES,
		.shadow_pgsizes = VTD_PT_PGSIZES,
		.s1_1g = true,
		.seed = 0x73686430001ULL,
	},
	{
		.name = "fl4-parent-2m-guest-no-1g",
		.s1_levels = 4,
		.shadow_format = VTD_PT_FL4,
		.parent_pgsizes = SZ_4K | SZ_2M,
		.shadow_pgsizes = VTD_PT_PGSIZES,
		.s1_1g = false,
		.seed = 0x73686430002ULL,
	},
	{
		.name = "fl4-parent-4k-shadow-2m",
		.s1_levels = 4,
		.shadow_format = VTD_PT_FL4,
		.parent_pgsizes = SZ_4K,
		.shadow_pgsizes = SZ_4K | SZ_2M,
		.s1_1g = true,
		.seed = 0x73686430003ULL,
	},
	{
		.name = "fl5",
		.s1_levels = 5,
		.shadow_format = VTD_PT_FL5,
		.parent_pgsizes = VTD_PT_PGSIZES,
		.shadow_pgsizes = VTD_PT_PGSIZES,
		.s1_1g = true,
		.seed = 0x73686430004ULL,
	},
	{
		.name = "fl4-guest-fl5-shadow-4k",
		.s1_levels = 4,
		.shadow_format = VTD_PT_FL5,
		.parent_pgsizes = SZ_4K | SZ_2M,
		.shadow_pgsizes = SZ_4K,
		.s1_1g = true,
		.seed = 0x73686430005ULL,
	},
};

KUNIT_ARRAY_PARAM_DESC(oracle_cfgs, oracle_cfgs, name);

static struct kunit_case intel_shadow_cases[] = {
	KUNIT_CASE_PARAM(compose_basic, fx_formats_gen_params),
	KUNIT_CASE(compose_leaf_sizes),
	KUNIT_CASE(compose_discontiguous),
	KUNIT_CASE_PARAM(compose_tables_anywhere, fx_formats_gen_params),
	KUNIT_CASE_PARAM(refuse_reserved, fx_formats_gen_params),
	KUNIT_CASE_PARAM(refuse_ps, fx_formats_gen_params),
	KUNIT_CASE_PARAM(refuse_us, fx_formats_gen_params),
	KUNIT_CASE_PARAM(refuse_not_present, fx_formats_gen_params),
	KUNIT_CASE_PARAM(refuse_table_not_ram, fx_formats_gen_params),
	KUNIT_CASE_PARAM(self_reference, fx_formats_gen_params),
	KUNIT_CASE_SLOW(fanout_max_tables),
	KUNIT_CASE(fanout_max_records),
	KUNIT_CASE_SLOW(fanout_max_walk),
	KUNIT_CASE_SLOW(fanout_self_loop),
	KUNIT_CASE_PARAM(walk_budget_per_sync, fx_formats_gen_params),
	KUNIT_CASE(alloc_failure_sweep),
	KUNIT_CASE(init_errors),
	KUNIT_CASE_PARAM(sync_halves, fx_formats_gen_params),
	KUNIT_CASE(sync_cuts_leaf),
	KUNIT_CASE(sync_unaligned_last),
	KUNIT_CASE(sync_keeps_unchanged),
	KUNIT_CASE(clear_and_resync),
	KUNIT_CASE_PARAM(parent_unmap_revokes, fx_formats_gen_params),
	KUNIT_CASE(parent_moves_table),
	{}
};

static struct kunit_suite intel_shadow_suite = {
	.name = "intel_shadow",
	.init = sh_test_init,
	.exit = sh_test_exit,
	.test_cases = intel_shadow_cases,
};

static struct kunit_case intel_shadow_oracle_cases[] = {
	KUNIT_CASE_PARAM_ATTR(random_oracle, oracle_cfgs_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite intel_shadow_oracle_suite = {
	.name = "intel_shadow_oracle",
	.init = sh_test_init,
	.exit = sh_test_exit,
	.test_cases = intel_shadow_oracle_cases,
};

kunit_test_suites(&intel_shadow_suite, &intel_shadow_oracle_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_DESCRIPTION("KUnit tests for the VT-d software nesting engine");
MODULE_LICENSE("GPL");
