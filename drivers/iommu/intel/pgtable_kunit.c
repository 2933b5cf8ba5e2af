// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the VT-d page-table library.
 *
 * Every parameterised case runs once per table format on a table that the
 * suite's init builds and its exit destroys; the exit also checks that all
 * table pages came back. Raw entries are compared with values built from
 * bit positions written here from the VT-d specification (never from the
 * library's own pgtable-fmt.h), and, in the fmt_spec_* cases, with whole
 * entries and table geometries written as literals; everything else is
 * observed through vtd_pt_lookup().
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/completion.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/numa.h>
#include <linux/prandom.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmstat.h>

#include "vtd-pgtable.h"

/*
 * Entry layouts, from the VT-d 3.x specification and not from the
 * library's headers, so that a wrong bit there fails here.
 *
 * 9.7 "First-Level Paging Entries": the IA-32e layout (tables 30-36).
 * PS exists in PDPEs and PDEs only; in a 4K PTE bit 7 is PAT.
 */
#define SPEC_FL_P	BIT_ULL(0)	/* present */
#define SPEC_FL_RW	BIT_ULL(1)	/* read/write */
#define SPEC_FL_US	BIT_ULL(2)	/* user/supervisor */
#define SPEC_FL_PWT	BIT_ULL(3)	/* page-level write-through */
#define SPEC_FL_PCD	BIT_ULL(4)	/* page-level cache disable */
#define SPEC_FL_A	BIT_ULL(5)	/* accessed */
#define SPEC_FL_D	BIT_ULL(6)	/* dirty */
#define SPEC_FL_PS	BIT_ULL(7)	/* page size */
#define SPEC_FL_XD	BIT_ULL(63)	/* execute disable */
/* 9.8 "Second-Level Paging Entries" (tables 37-42). */
#define SPEC_SL_R	BIT_ULL(0)	/* read */
#define SPEC_SL_W	BIT_ULL(1)	/* write */
#define SPEC_SL_X	BIT_ULL(2)	/* execute */
#define SPEC_SL_EMT	GENMASK_ULL(5, 3)	/* extended memory type */
#define SPEC_SL_IPAT	BIT_ULL(6)	/* ignore PAT */
#define SPEC_SL_PS	BIT_ULL(7)	/* page size */
#define SPEC_SL_A	BIT_ULL(8)	/* accessed */
#define SPEC_SL_D	BIT_ULL(9)	/* dirty */
#define SPEC_SL_SNP	BIT_ULL(11)	/* snoop */
/* Both: address bits 51:12; 4K tables of 512 entries, 9 IOVA bits each. */
#define SPEC_ADDR	GENMASK_ULL(51, 12)
#define SPEC_PAGE_SHIFT	12
#define SPEC_LEVEL_BITS	9
#define SPEC_ENTRIES	512

/* The index of @iova in its table at @level (0: the 4K PTE table). */
static unsigned int spec_index(u64 iova, unsigned int level)
{
	return (iova >> (SPEC_PAGE_SHIFT + level * SPEC_LEVEL_BITS)) &
	       (SPEC_ENTRIES - 1);
}

/* Present: P at first level; any of R, W, X at second level. */
static bool spec_present(u64 e, bool first_level)
{
	return e & (first_level ? SPEC_FL_P : SPEC_SL_R | SPEC_SL_W | SPEC_SL_X);
}

static u64 *spec_table_va(u64 e)
{
	return phys_to_virt(e & SPEC_ADDR);
}

#define PG_4K		((u64)SZ_4K)
#define PG_2M		((u64)SZ_2M)
#define PG_1G		((u64)SZ_1G)
#define MB(n)		((u64)(n) << 20)
#define GB(n)		((u64)(n) << 30)

#define RW		(IOMMU_READ | IOMMU_WRITE)
#define TEST_OAS	46
/* Output addresses start here: 64G aligned, well inside TEST_OAS. */
#define TEST_PA		GB(64)

struct pt_test {
	struct vtd_pt pt;
	bool live;		/* @pt holds a table to destroy */
	long pages_before;	/* vtd_pt_pages_in_use() before the case */
	unsigned int nr_allocs;	/* table allocations the stub has seen */
	unsigned int fail_at;	/* the one it fails, counted from 1 */
};

static const struct pt_format_param {
	enum vtd_pt_format format;
	const char *name;
} pt_formats[] = {
	{ VTD_PT_FL4, "first-level-4" },
	{ VTD_PT_FL5, "first-level-5" },
	{ VTD_PT_SL3, "second-level-3" },
	{ VTD_PT_SL4, "second-level-4" },
};

KUNIT_ARRAY_PARAM_DESC(pt_format, pt_formats, name);

static struct pt_test *pt_ctx(struct kunit *test)
{
	return test->priv;
}

static struct vtd_pt *test_pt(struct kunit *test)
{
	return &pt_ctx(test)->pt;
}

static long nr_tables(struct kunit *test)
{
	return atomic_long_read(&test_pt(test)->nr_tables);
}

static int pt_create(struct pt_test *ctx, enum vtd_pt_format format,
		     unsigned int flags, unsigned long pgsizes,
		     unsigned int oas_bits)
{
	const struct vtd_pt_cfg cfg = {
		.format = format,
		.pgsize_bitmap = pgsizes,
		.oas_bits = oas_bits,
		.flags = flags,
		.nid = NUMA_NO_NODE,
	};
	int ret;

	if (ctx->live)
		vtd_pt_destroy(&ctx->pt);
	ret = vtd_pt_init(&ctx->pt, &cfg, GFP_KERNEL);
	ctx->live = !ret;
	return ret;
}

/* Replace the case's table by one built with @flags, @pgsizes, @oas_bits. */
static struct vtd_pt *pt_recreate_oas(struct kunit *test, unsigned int flags,
				      unsigned long pgsizes,
				      unsigned int oas_bits)
{
	const struct pt_format_param *param = test->param_value;

	KUNIT_ASSERT_EQ(test, pt_create(pt_ctx(test), param->format, flags,
					pgsizes, oas_bits), 0);
	return test_pt(test);
}

static struct vtd_pt *pt_recreate(struct kunit *test, unsigned int flags,
				  unsigned long pgsizes)
{
	return pt_recreate_oas(test, flags, pgsizes, TEST_OAS);
}

static int pt_test_init(struct kunit *test)
{
	const struct pt_format_param *param = test->param_value;
	struct pt_test *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->pages_before = vtd_pt_pages_in_use();
	test->priv = ctx;
	/* Only the parameterised cases work on a table of their format. */
	if (!param)
		return 0;
	return pt_create(ctx, param->format, 0, VTD_PT_PGSIZES, TEST_OAS);
}

static void pt_test_exit(struct kunit *test)
{
	struct pt_test *ctx = test->priv;

	if (!ctx)
		return;
	if (ctx->live)
		vtd_pt_destroy(&ctx->pt);
	KUNIT_EXPECT_EQ_MSG(test, vtd_pt_pages_in_use(), ctx->pages_before,
			    "table pages leaked");
}

/* What vtd_pt_lookup() reports for a leaf mapped with @prot. */
static int decoded_prot(const struct vtd_pt *pt, int prot)
{
	/* First level cannot deny reads and has no snoop control. */
	if (pt->first_level)
		return IOMMU_READ |
		       (prot & (IOMMU_WRITE | IOMMU_NOEXEC | IOMMU_MMIO));
	return prot & (IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE | IOMMU_MMIO);
}

static void map_ok(struct kunit *test, u64 iova, u64 pa, u64 size, int prot)
{
	int ret = vtd_pt_map(test_pt(test), iova, pa, size, prot, GFP_KERNEL);

	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "map %#llx+%#llx -> %#llx prot %#x",
			    iova, size, pa, prot);
}

/* Unmap, release the gather and check the byte count. */
static void unmap_expect(struct kunit *test, u64 iova, u64 size, u64 want)
{
	struct vtd_pt *pt = test_pt(test);
	struct vtd_pt_gather gather;
	u64 ret;

	vtd_pt_gather_init(&gather);
	ret = vtd_pt_unmap(pt, iova, size, &gather);
	vtd_pt_gather_release(pt, &gather);
	KUNIT_ASSERT_EQ_MSG(test, ret, want, "unmap %#llx+%#llx", iova, size);
}

/* An unmap that must change nothing and return 0. */
static void unmap_nothing(struct kunit *test, u64 iova, u64 size)
{
	struct vtd_pt *pt = test_pt(test);
	struct vtd_pt_gather gather;
	u64 ret;

	vtd_pt_gather_init(&gather);
	ret = vtd_pt_unmap(pt, iova, size, &gather);
	KUNIT_EXPECT_TRUE(test, vtd_pt_gather_empty(&gather));
	KUNIT_EXPECT_TRUE(test, list_empty(&gather.freelist));
	vtd_pt_gather_release(pt, &gather);
	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "unmap %#llx+%#llx", iova, size);
}

/*
 * Unmap both canonical halves (first level) or the whole width (second
 * level): every table but the top goes, and @want bytes were mapped.
 */
static void unmap_everything(struct kunit *test, u64 want)
{
	struct vtd_pt *pt = test_pt(test);
	struct vtd_pt_gather gather;
	u64 got;

	vtd_pt_gather_init(&gather);
	if (pt->first_level) {
		u64 half = BIT_ULL(pt->va_bits - 1);

		got = vtd_pt_unmap(pt, 0, half, &gather);
		got += vtd_pt_unmap(pt, -half, half, &gather);
	} else {
		got = vtd_pt_unmap(pt, 0, BIT_ULL(pt->va_bits), &gather);
	}
	vtd_pt_gather_release(pt, &gather);
	KUNIT_EXPECT_EQ(test, got, want);
	KUNIT_EXPECT_EQ(test, nr_tables(test), 1);
}

/* @iova translates to @pa through a @leaf_size leaf mapped with @prot. */
static void expect_mapped(struct kunit *test, u64 iova, u64 pa, u64 leaf_size,
			  int prot)
{
	struct vtd_pt *pt = test_pt(test);
	struct vtd_pt_xlate x;

	KUNIT_ASSERT_EQ_MSG(test, vtd_pt_lookup(pt, iova, &x), 0,
			    "lookup %#llx", iova);
	KUNIT_ASSERT_EQ_MSG(test, x.paddr, pa, "lookup %#llx", iova);
	KUNIT_ASSERT_EQ_MSG(test, x.leaf_size, leaf_size, "lookup %#llx", iova);
	KUNIT_ASSERT_EQ_MSG(test, x.prot, decoded_prot(pt, prot),
			    "lookup %#llx", iova);
	KUNIT_ASSERT_EQ_MSG(test, vtd_pt_iova_to_phys(pt, iova), pa,
			    "iova_to_phys %#llx", iova);
}

static void expect_unmapped(struct kunit *test, u64 iova)
{
	struct vtd_pt_xlate x;

	KUNIT_EXPECT_EQ_MSG(test, vtd_pt_lookup(test_pt(test), iova, &x),
			    -ENOENT, "lookup %#llx", iova);
	KUNIT_EXPECT_EQ_MSG(test, vtd_pt_iova_to_phys(test_pt(test), iova), 0,
			    "iova_to_phys %#llx", iova);
}

static bool is_dirty(struct kunit *test, u64 iova)
{
	struct vtd_pt_xlate x;

	KUNIT_ASSERT_EQ(test, vtd_pt_lookup(test_pt(test), iova, &x), 0);
	return x.dirty;
}

/* The raw leaf (or empty entry) the walk for @iova ends at, and its level. */
static u64 raw_entry(struct kunit *test, u64 iova, unsigned int *level)
{
	struct vtd_pt *pt = test_pt(test);
	u64 entries[VTD_PT_MAX_LEVELS];
	int n = vtd_pt_walk_iova(pt, iova, entries);

	KUNIT_ASSERT_GT_MSG(test, n, 0, "walk %#llx", iova);
	*level = pt->levels - n;
	return entries[n - 1];
}

/* Where the present leaf mapping @iova lives, for writing it by hand. */
static u64 *leaf_slot(struct kunit *test, u64 iova)
{
	struct vtd_pt *pt = test_pt(test);
	u64 entries[VTD_PT_MAX_LEVELS];
	u64 *table = pt->top;
	int n, i;

	n = vtd_pt_walk_iova(pt, iova, entries);
	KUNIT_ASSERT_GT(test, n, 0);
	KUNIT_ASSERT_TRUE(test, spec_present(entries[n - 1], pt->first_level));
	for (i = 0; i < n - 1; i++)
		table = spec_table_va(entries[i]);
	table += spec_index(iova, pt->levels - n);
	KUNIT_ASSERT_EQ(test, *table, entries[n - 1]);
	return table;
}

/* The leaf size vtd_pt_map() should use at @iova: the largest that fits. */
static u64 greedy_leaf(unsigned long pgsizes, u64 iova, u64 pa, u64 last)
{
	u64 size;

	for (size = PG_1G; size > PG_4K; size >>= SPEC_LEVEL_BITS) {
		if ((pgsizes & size) && !((iova | pa) & (size - 1)) &&
		    last - iova >= size - 1)
			return size;
	}
	return PG_4K;
}

static unsigned int leaf_level(u64 leaf_size)
{
	return (ilog2(leaf_size) - SPEC_PAGE_SHIFT) / SPEC_LEVEL_BITS;
}

/*
 * [@iova, @iova + @size) maps to @pa with the leaves greedy_leaf() picks;
 * count them per level in @count.
 */
static void expect_leaves(struct kunit *test, u64 iova, u64 pa, u64 size,
			  int prot, unsigned int count[3])
{
	unsigned long pgsizes = test_pt(test)->cfg.pgsize_bitmap;
	u64 last = iova + size - 1, off, leaf;

	memset(count, 0, 3 * sizeof(*count));
	for (off = 0; off < size; off += leaf) {
		leaf = greedy_leaf(pgsizes, iova + off, pa + off, last);
		expect_mapped(test, iova + off, pa + off, leaf, prot);
		expect_mapped(test, iova + off + leaf - 1, pa + off + leaf - 1,
			      leaf, prot);
		count[leaf_level(leaf)]++;
	}
}

static void expect_counts(struct kunit *test, const unsigned int count[3],
			  unsigned int n4k, unsigned int n2m, unsigned int n1g)
{
	KUNIT_EXPECT_EQ(test, count[0], n4k);
	KUNIT_EXPECT_EQ(test, count[1], n2m);
	KUNIT_EXPECT_EQ(test, count[2], n1g);
}

/* Not a page of [@iova, @iova + @size) is mapped: probe every leaf start. */
static void expect_range_unmapped(struct kunit *test, u64 iova, u64 pa,
				  u64 size)
{
	unsigned long pgsizes = test_pt(test)->cfg.pgsize_bitmap;
	u64 last = iova + size - 1, off, leaf;

	for (off = 0; off < size; off += leaf) {
		leaf = greedy_leaf(pgsizes, iova + off, pa + off, last);
		expect_unmapped(test, iova + off);
	}
}

static void expect_gather(struct kunit *test, struct vtd_pt_gather *g,
			  u64 start, u64 size, unsigned long leaf_levels,
			  unsigned long table_levels, size_t pages)
{
	KUNIT_EXPECT_EQ(test, g->start, start);
	KUNIT_EXPECT_EQ(test, g->last, start + size - 1);
	KUNIT_EXPECT_EQ(test, g->leaf_levels, leaf_levels);
	KUNIT_EXPECT_EQ(test, g->table_levels, table_levels);
	KUNIT_EXPECT_EQ(test, list_count_nodes(&g->freelist), pages);
}

/* --- Entry encoding and leaf selection ---------------------------------- */

#define FL_TABLE	(SPEC_FL_P | SPEC_FL_RW | SPEC_FL_US | SPEC_FL_A)
#define FL_RO		(SPEC_FL_P | SPEC_FL_US | SPEC_FL_A)
#define FL_RW		(FL_RO | SPEC_FL_RW | SPEC_FL_D)
#define SL_TABLE	(SPEC_SL_R | SPEC_SL_W)

static void fmt_table_entries(struct kunit *test)
{
	struct vtd_pt *pt = test_pt(test);
	u64 want = pt->first_level ? FL_TABLE : SL_TABLE;
	u64 iova = GB(5) + MB(6) + SZ_16K;
	u64 entries[VTD_PT_MAX_LEVELS];
	u64 *table = pt->top;
	int n, i;

	/* Table entries grant everything, even above a read-only leaf. */
	map_ok(test, iova, TEST_PA, SZ_4K, IOMMU_READ);
	n = vtd_pt_walk_iova(pt, iova, entries);
	KUNIT_ASSERT_EQ(test, n, pt->levels);
	KUNIT_EXPECT_EQ(test, nr_tables(test), pt->levels);
	for (i = 0; i < n; i++) {
		unsigned int level = pt->levels - 1 - i;
		u64 e = table[spec_index(iova, level)];

		KUNIT_EXPECT_EQ_MSG(test, e, entries[i], "level %u", level);
		if (!level)
			break;
		KUNIT_EXPECT_EQ_MSG(test, e & ~SPEC_ADDR, want,
				    "table entry at level %u", level);
		table = spec_table_va(e);
	}
	KUNIT_EXPECT_EQ(test, entries[n - 1],
			(pt->first_level ? FL_RO : SPEC_SL_R) | TEST_PA);
}

/* One @prot and the leaves both formats must build for it. */
struct leaf_case {
	int prot;
	u64 fl_bits;	/* first-level leaf bits, without PS and address */
	int fl_prot;	/* what vtd_pt_lookup() reports for it */
	u64 sl_bits;	/* second level */
	int sl_prot;
};

static const struct leaf_case leaf_cases[] = {
	{ IOMMU_READ, FL_RO, IOMMU_READ, SPEC_SL_R, IOMMU_READ },
	/* First level cannot deny reads. */
	{ IOMMU_WRITE, FL_RW, RW, SPEC_SL_W, IOMMU_WRITE },
	{ RW, FL_RW, RW, SPEC_SL_R | SPEC_SL_W, RW },
	{ RW | IOMMU_NOEXEC, FL_RW | SPEC_FL_XD, RW | IOMMU_NOEXEC,
	  SPEC_SL_R | SPEC_SL_W, RW },
	/* Uncached: PCD and PWT; second level EMT = UC (0) with IPAT. */
	{ RW | IOMMU_MMIO, FL_RW | SPEC_FL_PCD | SPEC_FL_PWT, RW | IOMMU_MMIO,
	  SPEC_SL_R | SPEC_SL_W | SPEC_SL_IPAT, RW | IOMMU_MMIO },
	/* Snoop exists at second level only. */
	{ IOMMU_READ | IOMMU_CACHE, FL_RO, IOMMU_READ,
	  SPEC_SL_R | SPEC_SL_SNP, IOMMU_READ | IOMMU_CACHE },
	{ RW | IOMMU_CACHE | IOMMU_NOEXEC, FL_RW | SPEC_FL_XD, RW | IOMMU_NOEXEC,
	  SPEC_SL_R | SPEC_SL_W | SPEC_SL_SNP, RW | IOMMU_CACHE },
};

static void fmt_leaf_bits(struct kunit *test)
{
	struct vtd_pt *pt = test_pt(test);
	bool fl = pt->first_level;
	unsigned int level, i;

	for (level = 0; level < 3; level++) {
		u64 size = PG_4K << (level * SPEC_LEVEL_BITS);
		u64 ps = level ? (fl ? SPEC_FL_PS : SPEC_SL_PS) : 0;

		for (i = 0; i < ARRAY_SIZE(leaf_cases); i++) {
			const struct leaf_case *c = &leaf_cases[i];
			u64 iova = GB(16) * (level + 1) + i * size;
			/* Bit 45 exercises the top of the address field. */
			u64 pa = BIT_ULL(45) + GB(8) * level + i * size;
			u64 want = (fl ? c->fl_bits : c->sl_bits) | ps | pa;
			struct vtd_pt_xlate x;
			unsigned int got_level;

			map_ok(test, iova, pa, size, c->prot);
			KUNIT_EXPECT_EQ_MSG(test, raw_entry(test, iova, &got_level),
					    want, "prot %#x level %u",
					    c->prot, level);
			KUNIT_EXPECT_EQ(test, got_level, level);

			KUNIT_ASSERT_EQ(test, vtd_pt_lookup(pt, iova + size - 1,
							    &x), 0);
			KUNIT_EXPECT_EQ(test, x.paddr, pa + size - 1);
			KUNIT_EXPECT_EQ(test, x.leaf_size, size);
			KUNIT_EXPECT_EQ_MSG(test, x.prot,
					    fl ? c->fl_prot : c->sl_prot,
					    "prot %#x level %u", c->prot, level);
			/* First-level writable leaves start with D set. */
			KUNIT_EXPECT_EQ(test, x.dirty,
					fl && (c->prot & IOMMU_WRITE));
		}
	}
}

static void fmt_dirty_tracking_bits(struct kunit *test)
{
	struct vtd_pt *pt = pt_recreate(test, VTD_PT_CFG_DIRTY_TRACKING,
					VTD_PT_PGSIZES);
	bool fl = pt->first_level;
	unsigned int level;

	for (level = 0; level < 3; level++) {
		u64 size = PG_4K << (level * SPEC_LEVEL_BITS);
		u64 iova = GB(16) * (level + 1), pa = TEST_PA + GB(1) * level;
		u64 want = fl ? FL_RO | SPEC_FL_RW : SPEC_SL_R | SPEC_SL_W;
		unsigned int got_level;

		if (level)
			want |= fl ? SPEC_FL_PS : SPEC_SL_PS;
		map_ok(test, iova, pa, size, RW);
		/* Writable but D clear, so the hardware records the writes. */
		KUNIT_EXPECT_EQ_MSG(test, raw_entry(test, iova, &got_level),
				    want | pa, "level %u", level);
		KUNIT_EXPECT_EQ(test, got_level, level);
		KUNIT_EXPECT_FALSE(test, is_dirty(test, iova));
		expect_mapped(test, iova, pa, size, RW);
	}
}

static void fmt_leaf_size_alignment(struct kunit *test)
{
	unsigned int a, count[3];

	/*
	 * For each alignment 2^a, a range from 2^a below a 16G boundary to
	 * 1G + 2M + 4K above it: small leaves up to the boundary, then one of
	 * each size. The output address has the same alignment.
	 */
	for (a = 12; a <= 31; a++) {
		u64 iova = GB(16) * (a - 11) - BIT_ULL(a);
		u64 pa = TEST_PA + iova;
		u64 size = BIT_ULL(a) + PG_1G + PG_2M + PG_4K;

		map_ok(test, iova, pa, size, RW);
		expect_leaves(test, iova, pa, size, RW, count);
		expect_counts(test, count, 1 + (a < 21 ? BIT(a - 12) : 0),
			      1 + (a >= 21 && a < 30 ? BIT(a - 21) : 0),
			      1 + (a >= 30 ? BIT(a - 30) : 0));
		unmap_expect(test, iova, size, size);
	}
}

static void fmt_leaf_size_weak_paddr(struct kunit *test)
{
	unsigned int count[3];

	/* 1G-aligned IOVA, output only 2M aligned: 2M leaves. */
	map_ok(test, GB(4), TEST_PA + PG_2M, PG_1G + PG_2M, RW);
	expect_leaves(test, GB(4), TEST_PA + PG_2M, PG_1G + PG_2M, RW, count);
	expect_counts(test, count, 0, 513, 0);

	/* Output only 4K aligned: 4K leaves. */
	map_ok(test, GB(8), TEST_PA + PG_4K, MB(4), RW);
	expect_leaves(test, GB(8), TEST_PA + PG_4K, MB(4), RW, count);
	expect_counts(test, count, 1024, 0, 0);

	/* And the other way round: the IOVA is the less aligned one. */
	map_ok(test, GB(12) + PG_4K, TEST_PA + GB(2), MB(4), RW);
	expect_leaves(test, GB(12) + PG_4K, TEST_PA + GB(2), MB(4), RW, count);
	expect_counts(test, count, 1024, 0, 0);
}

static void fmt_leaf_size_no_1g(struct kunit *test)
{
	unsigned int count[3];

	pt_recreate(test, 0, SZ_4K | SZ_2M);
	map_ok(test, GB(4), TEST_PA, PG_1G, RW);
	expect_leaves(test, GB(4), TEST_PA, PG_1G, RW, count);
	expect_counts(test, count, 0, 512, 0);
}

static void fmt_leaf_size_4k_only(struct kunit *test)
{
	unsigned int count[3];

	pt_recreate(test, 0, SZ_4K);
	map_ok(test, GB(4), TEST_PA, MB(4), RW);
	expect_leaves(test, GB(4), TEST_PA, MB(4), RW, count);
	expect_counts(test, count, 1024, 0, 0);
}

static void fmt_top_and_bottom(struct kunit *test)
{
	struct vtd_pt *pt = test_pt(test);
	u64 edge[4], beyond[2];
	unsigned int i, n = 0;

	edge[n++] = 0;
	if (pt->first_level) {
		u64 half = BIT_ULL(pt->va_bits - 1);
		u64 upper = ~0ULL << (pt->va_bits - 1);

		edge[n++] = half - PG_4K;	/* last of the lower half */
		edge[n++] = upper;		/* first of the upper half */
		edge[n++] = 0xfffffffffffff000ULL;
		/* The first and last pages of the hole between the halves. */
		beyond[0] = half;
		beyond[1] = upper - PG_4K;
	} else {
		edge[n++] = BIT_ULL(pt->va_bits) - PG_4K;
		beyond[0] = BIT_ULL(pt->va_bits);
		beyond[1] = U64_MAX & ~(PG_4K - 1);
	}

	for (i = 0; i < ARRAY_SIZE(beyond); i++) {
		struct vtd_pt_xlate x;

		KUNIT_EXPECT_EQ(test, vtd_pt_lookup(pt, beyond[i], &x), -ERANGE);
		KUNIT_EXPECT_EQ(test, vtd_pt_iova_to_phys(pt, beyond[i]), 0);
		KUNIT_EXPECT_EQ(test, vtd_pt_map(pt, beyond[i], TEST_PA, SZ_4K,
						 RW, GFP_KERNEL), -ERANGE);
	}

	for (i = 0; i < n; i++) {
		u64 pa = TEST_PA + i * PG_4K;
		unsigned int level;

		map_ok(test, edge[i], pa, SZ_4K, RW);
		KUNIT_EXPECT_EQ(test, raw_entry(test, edge[i], &level),
				(pt->first_level ? FL_RW :
						   SPEC_SL_R | SPEC_SL_W) | pa);
		KUNIT_EXPECT_EQ(test, level, 0);
		expect_mapped(test, edge[i] + 0xabc, pa + 0xabc, SZ_4K, RW);
	}

	for (i = 0; i < n; i++) {
		u64 base = round_down(edge[i], PG_1G);
		struct vtd_pt_gather gather;
		u64 ret;

		/* Unmapping the whole 1G frees its two tables. */
		vtd_pt_gather_init(&gather);
		ret = vtd_pt_unmap(pt, base, PG_1G, &gather);
		KUNIT_EXPECT_EQ(test, ret, PG_4K);
		expect_gather(test, &gather, base, PG_1G, BIT(0),
			      BIT(2) | BIT(1), 2);
		vtd_pt_gather_release(pt, &gather);
		expect_unmapped(test, edge[i]);
	}

	/* The same corners with 1G leaves. */
	for (i = 0; i < n; i++) {
		u64 base = round_down(edge[i], PG_1G);
		u64 pa = TEST_PA + i * PG_1G;

		map_ok(test, base, pa, PG_1G, RW);
		expect_mapped(test, edge[i], pa + (edge[i] - base), PG_1G, RW);
		expect_mapped(test, base, pa, PG_1G, RW);
	}
	for (i = 0; i < n; i++) {
		unmap_expect(test, round_down(edge[i], PG_1G), PG_1G, PG_1G);
		expect_unmapped(test, edge[i]);
	}
}

/*
 * Whole entries as the specification lays them out, written as literals:
 * the address field is bits 51:12 (a 2M leaf's 51:21, a 1G leaf's 51:30),
 * so a table with a 52-bit output maps the highest and lowest addresses.
 * First level: P 0, R/W 1, U/S 2, PWT 3, PCD 4, A 5, D 6, PS 7, XD 63.
 * Second level: R 0, W 1, X 2, EMT 5:3, IPAT 6, PS 7, A 8, D 9, SNP 11.
 */
struct spec_leaf {
	int prot;
	u64 size;
	u64 pa;
	u64 fl;		/* the first-level leaf */
	u64 sl;		/* the second-level leaf */
};

static const struct spec_leaf spec_leaves[] = {
	{ IOMMU_READ, SZ_4K, 0x000ffffffffff000ULL,
	  0x000ffffffffff025ULL, 0x000ffffffffff001ULL },
	{ IOMMU_READ, SZ_4K, 0x0000000000001000ULL,
	  0x0000000000001025ULL, 0x0000000000001001ULL },
	{ IOMMU_WRITE, SZ_4K, 0x000ffffffffff000ULL,
	  0x000ffffffffff067ULL, 0x000ffffffffff002ULL },
	{ RW, SZ_4K, 0x000ffffffffff000ULL,
	  0x000ffffffffff067ULL, 0x000ffffffffff003ULL },
	{ RW | IOMMU_NOEXEC, SZ_4K, 0x000ffffffffff000ULL,
	  0x800ffffffffff067ULL, 0x000ffffffffff003ULL },
	{ RW | IOMMU_MMIO, SZ_4K, 0x000ffffffffff000ULL,
	  0x000ffffffffff07fULL, 0x000ffffffffff043ULL },
	{ RW | IOMMU_CACHE, SZ_4K, 0x000ffffffffff000ULL,
	  0x000ffffffffff067ULL, 0x000ffffffffff803ULL },
	{ IOMMU_READ, SZ_2M, 0x000fffffffe00000ULL,
	  0x000fffffffe000a5ULL, 0x000fffffffe00081ULL },
	{ RW, SZ_2M, 0x000fffffffe00000ULL,
	  0x000fffffffe000e7ULL, 0x000fffffffe00083ULL },
	{ RW | IOMMU_NOEXEC | IOMMU_CACHE, SZ_1G, 0x000fffffc0000000ULL,
	  0x800fffffc00000e7ULL, 0x000fffffc0000883ULL },
	{ RW | IOMMU_MMIO, SZ_1G, 0x0000000040000000ULL,
	  0x00000000400000ffULL, 0x00000000400000c3ULL },
};

/* Table pointers: P R/W U/S A (first level), R W (second level). */
#define SPEC_FL_TABLE_BITS	0x27ULL
#define SPEC_SL_TABLE_BITS	0x03ULL

/*
 * Walk to @iova by hand from the top table; every entry above @leaf_level
 * must be a table pointer with exactly the table bits. Returns the entry
 * at @leaf_level.
 */
static u64 spec_walk(struct kunit *test, u64 iova, unsigned int leaf_level)
{
	struct vtd_pt *pt = test_pt(test);
	u64 table_bits = pt->first_level ? SPEC_FL_TABLE_BITS :
					   SPEC_SL_TABLE_BITS;
	u64 *table = pt->top;
	unsigned int level;
	u64 e;

	for (level = pt->levels - 1; level > leaf_level; level--) {
		e = table[spec_index(iova, level)];
		KUNIT_ASSERT_EQ_MSG(test, e & ~SPEC_ADDR, table_bits,
				    "%#llx: table entry %#llx at level %u",
				    iova, e, level);
		table = spec_table_va(e);
	}
	return table[spec_index(iova, leaf_level)];
}

static void fmt_spec_encodings(struct kunit *test)
{
	struct vtd_pt *pt = pt_recreate_oas(test, 0, VTD_PT_PGSIZES, 52);
	bool fl = pt->first_level;
	struct vtd_pt_xlate x;
	unsigned int i, level;
	u64 iova, want;

	for (i = 0; i < ARRAY_SIZE(spec_leaves); i++) {
		const struct spec_leaf *c = &spec_leaves[i];

		iova = GB(8) + i * PG_1G;
		want = fl ? c->fl : c->sl;
		map_ok(test, iova, c->pa, c->size, c->prot);
		level = leaf_level(c->size);
		KUNIT_EXPECT_EQ_MSG(test, spec_walk(test, iova, level), want,
				    "prot %#x size %#llx pa %#llx", c->prot,
				    c->size, c->pa);
		KUNIT_EXPECT_EQ(test, raw_entry(test, iova, &level), want);
		KUNIT_EXPECT_EQ(test, level, leaf_level(c->size));
		KUNIT_ASSERT_EQ(test, vtd_pt_lookup(pt, iova + c->size - 1, &x),
				0);
		KUNIT_EXPECT_EQ(test, x.paddr, c->pa + c->size - 1);
		KUNIT_EXPECT_EQ(test, x.leaf_size, c->size);
	}

	/* With dirty tracking, writable leaves start clean: no D. */
	pt = pt_recreate_oas(test, VTD_PT_CFG_DIRTY_TRACKING, VTD_PT_PGSIZES,
			     52);
	map_ok(test, GB(8), 0x000ffffffffff000ULL, SZ_4K, RW);
	KUNIT_EXPECT_EQ(test, spec_walk(test, GB(8), 0),
			fl ? 0x000ffffffffff027ULL : 0x000ffffffffff003ULL);
	map_ok(test, GB(9), 0x000fffffffe00000ULL, SZ_2M, RW);
	KUNIT_EXPECT_EQ(test, spec_walk(test, GB(9), 1),
			fl ? 0x000fffffffe000a7ULL : 0x000fffffffe00083ULL);
}

/*
 * The geometry of each format (VT-d 3.x 3.6 and 3.7: 4-level first-level
 * paging translates 48-bit, 5-level 57-bit canonical IOVAs; second level
 * 39 bits with 3 levels, 48 with 4, zero-extended), pinned by mapping the
 * extreme pages, walking to them by hand and reading the raw entries.
 */
static const struct spec_geometry {
	enum vtd_pt_format format;
	unsigned int levels;
	unsigned int va_bits;
	unsigned int nr_edges;
	u64 edge[4];		/* lowest and highest page (of each half) */
	unsigned int top[4];	/* the edge's index in the top table */
	u64 beyond[2];		/* the nearest pages outside */
} spec_geometries[] = {
	{ VTD_PT_FL4, 4, 48, 4,
	  { 0, 0x00007ffffffff000ULL, 0xffff800000000000ULL,
	    0xfffffffffffff000ULL },
	  { 0, 255, 256, 511 },
	  { 0x0000800000000000ULL, 0xffff7ffffffff000ULL } },
	{ VTD_PT_FL5, 5, 57, 4,
	  { 0, 0x00fffffffffff000ULL, 0xff00000000000000ULL,
	    0xfffffffffffff000ULL },
	  { 0, 255, 256, 511 },
	  { 0x0100000000000000ULL, 0xfefffffffffff000ULL } },
	{ VTD_PT_SL3, 3, 39, 2,
	  { 0, 0x0000007ffffff000ULL }, { 0, 511 },
	  { 0x0000008000000000ULL, 0xfffffffffffff000ULL } },
	{ VTD_PT_SL4, 4, 48, 2,
	  { 0, 0x0000fffffffff000ULL }, { 0, 511 },
	  { 0x0001000000000000ULL, 0xfffffffffffff000ULL } },
};

/* Present entries of a table. */
static unsigned int spec_count_present(const u64 *table, bool fl)
{
	unsigned int i, n = 0;

	for (i = 0; i < SPEC_ENTRIES; i++)
		n += spec_present(table[i], fl);
	return n;
}

static void fmt_spec_geometry(struct kunit *test)
{
	const struct pt_format_param *param = test->param_value;
	struct vtd_pt *pt = test_pt(test);
	const struct spec_geometry *g = NULL;
	u64 entries[VTD_PT_MAX_LEVELS];
	unsigned int i, level;
	struct vtd_pt_xlate x;

	for (i = 0; i < ARRAY_SIZE(spec_geometries); i++)
		if (spec_geometries[i].format == param->format)
			g = &spec_geometries[i];
	KUNIT_ASSERT_NOT_NULL(test, g);
	KUNIT_EXPECT_EQ(test, pt->levels, g->levels);
	KUNIT_EXPECT_EQ(test, pt->va_bits, g->va_bits);
	KUNIT_EXPECT_EQ(test, pt->first_level,
			param->format == VTD_PT_FL4 ||
			param->format == VTD_PT_FL5);

	for (i = 0; i < ARRAY_SIZE(g->beyond); i++) {
		KUNIT_EXPECT_EQ_MSG(test, vtd_pt_map(pt, g->beyond[i], TEST_PA,
						     SZ_4K, RW, GFP_KERNEL),
				    -ERANGE, "map %#llx", g->beyond[i]);
		KUNIT_EXPECT_EQ_MSG(test, vtd_pt_lookup(pt, g->beyond[i], &x),
				    -ERANGE, "lookup %#llx", g->beyond[i]);
	}
	KUNIT_EXPECT_EQ(test, nr_tables(test), 1);

	for (i = 0; i < g->nr_edges; i++)
		map_ok(test, g->edge[i], TEST_PA + i * PG_4K, SZ_4K, RW);
	/* One top entry per edge, and a chain of single-entry tables. */
	KUNIT_EXPECT_EQ(test, spec_count_present(pt->top, pt->first_level),
			g->nr_edges);
	KUNIT_EXPECT_EQ(test, nr_tables(test),
			1 + g->nr_edges * (g->levels - 1));
	for (i = 0; i < g->nr_edges; i++) {
		u64 iova = g->edge[i], *table = pt->top, e;
		u64 want = (pt->first_level ? 0x67ULL : 0x03ULL) |
			   (TEST_PA + i * PG_4K);

		KUNIT_EXPECT_EQ_MSG(test, spec_index(iova, g->levels - 1),
				    g->top[i], "edge %#llx", iova);
		KUNIT_EXPECT_TRUE_MSG(test, spec_present(pt->top[g->top[i]],
							 pt->first_level),
				      "edge %#llx: top entry %u", iova,
				      g->top[i]);
		for (level = g->levels - 1; level; level--) {
			e = table[spec_index(iova, level)];
			KUNIT_ASSERT_EQ_MSG(test, e & ~SPEC_ADDR,
					    pt->first_level ?
					    SPEC_FL_TABLE_BITS :
					    SPEC_SL_TABLE_BITS,
					    "edge %#llx level %u", iova, level);
			table = spec_table_va(e);
			KUNIT_EXPECT_EQ_MSG(test,
					    spec_count_present(table,
							       pt->first_level),
					    1, "edge %#llx below level %u",
					    iova, level);
		}
		KUNIT_EXPECT_EQ_MSG(test, table[spec_index(iova, 0)], want,
				    "edge %#llx", iova);
		KUNIT_EXPECT_EQ(test, vtd_pt_walk_iova(pt, iova, entries),
				g->levels);
		KUNIT_EXPECT_EQ(test, entries[g->levels - 1], want);
		expect_mapped(test, iova + 0xfff, TEST_PA + i * PG_4K + 0xfff,
			      SZ_4K, RW);
	}
	unmap_everything(test, g->nr_edges * PG_4K);
}

static void fmt_dump(struct kunit *test)
{
	struct vtd_pt *pt = test_pt(test);
	bool fl = pt->first_level;
	u64 top = fl ? 0xfffffffffffff000ULL : BIT_ULL(pt->va_bits) - PG_4K;
	struct seq_file m = { .size = PAGE_SIZE };
	char line[128];

	m.buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	/* Two 2M leaves with contiguous output print as one run. */
	map_ok(test, GB(4), TEST_PA, MB(4), RW);
	/* So do 4K leaves in two leaf tables. */
	map_ok(test, GB(8), TEST_PA + PG_4K, MB(4), RW);
	map_ok(test, top, TEST_PA + GB(1), SZ_4K, IOMMU_READ);
	vtd_pt_dump(pt, &m);

	snprintf(line, sizeof(line),
		 "  iova 0x%016llx-0x%016llx -> 0x%llx 2048K x 2 rw attrs 0x%llx\n",
		 GB(4), GB(4) + MB(4) - 1, TEST_PA,
		 (u64)(fl ? FL_RW | SPEC_FL_PS :
			    SPEC_SL_R | SPEC_SL_W | SPEC_SL_PS));
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(m.buf, line), "%s", m.buf);

	snprintf(line, sizeof(line),
		 "  iova 0x%016llx-0x%016llx -> 0x%llx 4K x 1024 rw attrs 0x%llx\n",
		 GB(8), GB(8) + MB(4) - 1, TEST_PA + PG_4K,
		 (u64)(fl ? FL_RW : SPEC_SL_R | SPEC_SL_W));
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(m.buf, line), "%s", m.buf);

	/* First-level IOVAs print sign-extended. */
	snprintf(line, sizeof(line),
		 "  iova 0x%016llx-0x%016llx -> 0x%llx 4K x 1 r- attrs 0x%llx\n",
		 top, top + PG_4K - 1, TEST_PA + GB(1),
		 (u64)(fl ? FL_RO : SPEC_SL_R));
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(m.buf, line), "%s", m.buf);

	snprintf(line, sizeof(line), ", %ld table pages\n", nr_tables(test));
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(m.buf, line), "%s", m.buf);
}

/* --- Bad input ----------------------------------------------------------- */

/*
 * vtd_pt_map() fails with @err and changes nothing: no table allocated or
 * freed, and the first and last pages translate as before.
 */
static void expect_map_err(struct kunit *test, u64 iova, u64 pa, u64 size,
			   int prot, int err)
{
	struct vtd_pt *pt = test_pt(test);
	u64 probe[2] = {
		iova & ~(PG_4K - 1), (iova + size - 1) & ~(PG_4K - 1)
	};
	long tables = nr_tables(test), pages = vtd_pt_pages_in_use();
	struct vtd_pt_xlate before[2], after[2];
	int ret_before[2], i;

	for (i = 0; i < 2; i++)
		ret_before[i] = vtd_pt_lookup(pt, probe[i], &before[i]);

	KUNIT_EXPECT_EQ_MSG(test, vtd_pt_map(pt, iova, pa, size, prot,
					     GFP_KERNEL), err,
			    "map %#llx+%#llx -> %#llx prot %#x",
			    iova, size, pa, prot);
	KUNIT_EXPECT_EQ(test, nr_tables(test), tables);
	KUNIT_EXPECT_EQ(test, vtd_pt_pages_in_use(), pages);

	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_EQ_MSG(test, vtd_pt_lookup(pt, probe[i], &after[i]),
				    ret_before[i], "lookup %#llx", probe[i]);
		if (ret_before[i])
			continue;
		KUNIT_EXPECT_EQ(test, after[i].paddr, before[i].paddr);
		KUNIT_EXPECT_EQ(test, after[i].leaf_size, before[i].leaf_size);
		KUNIT_EXPECT_EQ(test, after[i].prot, before[i].prot);
	}
}

static void map_bad_alignment(struct kunit *test)
{
	u64 iova = GB(4), pa = TEST_PA;

	expect_map_err(test, iova + SZ_2K, pa, SZ_4K, RW, -EINVAL);
	expect_map_err(test, iova + 1, pa, SZ_4K, RW, -EINVAL);
	expect_map_err(test, iova, pa + 0x10, SZ_4K, RW, -EINVAL);
	expect_map_err(test, iova, pa + SZ_2K, SZ_2M, RW, -EINVAL);
	expect_map_err(test, iova, pa, SZ_4K + 512, RW, -EINVAL);
	expect_map_err(test, iova, pa, SZ_2K, RW, -EINVAL);
	expect_map_err(test, iova, pa, 0, RW, -EINVAL);
	KUNIT_EXPECT_EQ(test, nr_tables(test), 1);
}

static void map_bad_prot(struct kunit *test)
{
	static const int bad[] = {
		0,
		IOMMU_CACHE,
		IOMMU_NOEXEC | IOMMU_MMIO,
		IOMMU_PRIV,
		IOMMU_READ | IOMMU_PRIV,
		IOMMU_WRITE | BIT(6),
		IOMMU_READ | BIT(30),
		-1,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		expect_map_err(test, GB(4), TEST_PA, SZ_4K, bad[i], -EINVAL);
	KUNIT_EXPECT_EQ(test, nr_tables(test), 1);
}

static void map_bad_range(struct kunit *test)
{
	struct vtd_pt *pt = test_pt(test);
	u64 oas_end = BIT_ULL(TEST_OAS), pa = TEST_PA;

	if (pt->first_level) {
		u64 half = BIT_ULL(pt->va_bits - 1);
		u64 upper = ~0ULL << (pt->va_bits - 1);

		/* Not canonical. */
		expect_map_err(test, half, pa, SZ_4K, RW, -ERANGE);
		expect_map_err(test, upper - PG_4K, pa, SZ_4K, RW, -ERANGE);
		expect_map_err(test, BIT_ULL(pt->va_bits), pa, SZ_4K, RW,
			       -ERANGE);
		expect_map_err(test, BIT_ULL(62), pa, SZ_4K, RW, -ERANGE);
		/* Running off the end of the lower half. */
		expect_map_err(test, half - PG_4K, pa, SZ_8K, RW, -ERANGE);
		/* Both ends canonical, but in different halves. */
		expect_map_err(test, half - PG_4K, pa,
			       upper + PG_4K - (half - PG_4K), RW, -ERANGE);
		expect_map_err(test, 0, pa, 0 - PG_4K, RW, -ERANGE);
	} else {
		u64 end = BIT_ULL(pt->va_bits);

		expect_map_err(test, end, pa, SZ_4K, RW, -ERANGE);
		expect_map_err(test, end - PG_4K, pa, SZ_8K, RW, -ERANGE);
		expect_map_err(test, BIT_ULL(63), pa, SZ_4K, RW, -ERANGE);
	}
	/* iova + size wraps around. */
	expect_map_err(test, 0xfffffffffffff000ULL, pa, SZ_8K, RW, -ERANGE);
	expect_map_err(test, SZ_8K, pa, 0xfffffffffffff000ULL, RW, -ERANGE);
	/* Output beyond oas_bits, or wrapping around. */
	expect_map_err(test, GB(4), oas_end, SZ_4K, RW, -ERANGE);
	expect_map_err(test, GB(4), oas_end - PG_4K, SZ_8K, RW, -ERANGE);
	expect_map_err(test, GB(4), 0xfffffffffffff000ULL, SZ_8K, RW, -ERANGE);
	KUNIT_EXPECT_EQ(test, nr_tables(test), 1);

	/* The last output page is fine. */
	map_ok(test, GB(4), oas_end - PG_4K, SZ_4K, RW);
	expect_mapped(test, GB(4), oas_end - PG_4K, SZ_4K, RW);
}

static void map_exists(struct kunit *test)
{
	u64 leaf = GB(4) + MB(2), small = GB(4) + MB(8), big = GB(6);
	u64 pa = TEST_PA;
	long tables;

	map_ok(test, leaf, pa, SZ_2M, RW);			/* a 2M leaf */
	map_ok(test, small, pa + MB(8), SZ_16K, IOMMU_READ);	/* 4 x 4K */
	map_ok(test, big, pa + GB(2), SZ_1G, RW);		/* a 1G leaf */
	tables = nr_tables(test);

	expect_map_err(test, leaf, pa, SZ_2M, RW, -EEXIST);
	/* 4K inside the 2M leaf: its first, a middle and its last page. */
	expect_map_err(test, leaf, pa, SZ_4K, RW, -EEXIST);
	expect_map_err(test, leaf + MB(1), pa, SZ_4K, RW, -EEXIST);
	expect_map_err(test, leaf + PG_2M - PG_4K, pa, SZ_4K, RW, -EEXIST);
	/* Partial overlaps, into and out of the leaf. */
	expect_map_err(test, leaf - PG_4K, pa, SZ_8K, RW, -EEXIST);
	expect_map_err(test, leaf + PG_2M - PG_4K, pa, SZ_8K, RW, -EEXIST);
	expect_map_err(test, leaf - PG_2M, pa, SZ_4M, RW, -EEXIST);
	/* Partial overlaps of the 4K run. */
	expect_map_err(test, small - SZ_8K, pa, SZ_8K + SZ_4K, RW, -EEXIST);
	expect_map_err(test, small + 3 * PG_4K, pa, SZ_8K, RW, -EEXIST);
	/* A 2M-aligned 2M range holding the 4K run. */
	expect_map_err(test, round_down(small, PG_2M), pa, SZ_2M, RW, -EEXIST);
	/* 2M and 4K inside the 1G leaf. */
	expect_map_err(test, big + PG_2M, pa, SZ_2M, RW, -EEXIST);
	expect_map_err(test, big + PG_1G - PG_4K, pa, SZ_4K, RW, -EEXIST);
	/* A range swallowing all three. */
	expect_map_err(test, GB(4), pa, GB(3), RW, -EEXIST);
	KUNIT_EXPECT_EQ(test, nr_tables(test), tables);

	expect_mapped(test, leaf + MB(1), pa + MB(1), SZ_2M, RW);
	expect_mapped(test, small + 3 * PG_4K, pa + MB(8) + 3 * PG_4K, SZ_4K,
		      IOMMU_READ);
	expect_mapped(test, big + MB(3), pa + GB(2) + MB(3), SZ_1G, RW);
	expect_unmapped(test, leaf - PG_4K);
	expect_unmapped(test, small - PG_4K);
	expect_unmapped(test, small + SZ_16K);
}

static void lookup_errors(struct kunit *test)
{
	struct vtd_pt *pt = test_pt(test);
	u64 entries[VTD_PT_MAX_LEVELS];
	struct vtd_pt_xlate x;
	u64 bad[3];
	unsigned int i;

	if (pt->first_level) {
		bad[0] = BIT_ULL(pt->va_bits - 1);
		bad[1] = (~0ULL << (pt->va_bits - 1)) - 1;
		bad[2] = BIT_ULL(62);
	} else {
		bad[0] = BIT_ULL(pt->va_bits);
		bad[1] = BIT_ULL(62);
		bad[2] = U64_MAX;
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, vtd_pt_lookup(pt, bad[i], &x), -ERANGE,
				    "lookup %#llx", bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, vtd_pt_walk_iova(pt, bad[i], entries),
				    -ERANGE, "walk %#llx", bad[i]);
	}

	/* An empty table: the walk stops at the top. */
	KUNIT_EXPECT_EQ(test, vtd_pt_walk_iova(pt, GB(4), entries), 1);
	KUNIT_EXPECT_EQ(test, entries[0], 0);
	expect_unmapped(test, 0);
	expect_unmapped(test, GB(4) + 0x123);

	/* Next to a mapping: the walk reaches the empty 4K entry. */
	map_ok(test, GB(4), TEST_PA, SZ_4K, IOMMU_READ);
	expect_unmapped(test, GB(4) + PG_4K);
	KUNIT_EXPECT_EQ(test, vtd_pt_walk_iova(pt, GB(4) + PG_4K, entries),
			pt->levels);
	KUNIT_EXPECT_EQ(test, entries[pt->levels - 1], 0);
	/* Any byte of the page translates. */
	expect_mapped(test, GB(4) + 0xfff, TEST_PA + 0xfff, SZ_4K, IOMMU_READ);
}

static void unmap_bad_range(struct kunit *test)
{
	struct vtd_pt *pt = test_pt(test);
	u64 x = GB(4);
	long tables;

	map_ok(test, x, TEST_PA, SZ_2M, RW);
	map_ok(test, x + PG_2M, TEST_PA + PG_2M + PG_4K, SZ_4K, RW);
	tables = nr_tables(test);

	unmap_nothing(test, x + 1, SZ_4K);
	unmap_nothing(test, x + SZ_2K, SZ_4K);
	unmap_nothing(test, x, SZ_4K + 1);
	unmap_nothing(test, x, 0);
	/* Ranges holding both mappings but ending out of range. */
	if (pt->first_level) {
		u64 half = BIT_ULL(pt->va_bits - 1);

		unmap_nothing(test, x, half);
		unmap_nothing(test, half, SZ_4K);
		/* Ends in the upper half. */
		unmap_nothing(test, x, 0 - x);
	} else {
		unmap_nothing(test, x, BIT_ULL(pt->va_bits));
		unmap_nothing(test, BIT_ULL(pt->va_bits), SZ_4K);
	}
	/* iova + size wraps around. */
	unmap_nothing(test, x, 0 - x + PG_4K);
	unmap_nothing(test, 0xfffffffffffff000ULL, SZ_8K);

	KUNIT_EXPECT_EQ(test, nr_tables(test), tables);
	expect_mapped(test, x, TEST_PA, SZ_2M, RW);
	expect_mapped(test, x + PG_2M, TEST_PA + PG_2M + PG_4K, SZ_4K, RW);
}

/* --- Unmap and the gather ------------------------------------------------ */

static void unmap_gather_tables(struct kunit *test)
{
	struct vtd_pt *pt = test_pt(test);
	u64 x = GB(4) + MB(2), y = GB(8), pa = TEST_PA;
	struct vtd_pt_gather g;
	long tables, pages;

	/* 512 4K leaves in one table (the output is not 2M aligned). */
	map_ok(test, x, pa + PG_4K, SZ_2M, RW);
	tables = nr_tables(test);

	/* Part of the table's span: leaves go, the table stays. */
	vtd_pt_gather_init(&g);
	KUNIT_EXPECT_EQ(test, vtd_pt_unmap(pt, x + PG_4K, SZ_4K, &g), PG_4K);
	expect_gather(test, &g, x + PG_4K, PG_4K, BIT(0), 0, 0);
	vtd_pt_gather_release(pt, &g);
	KUNIT_EXPECT_EQ(test, nr_tables(test), tables);

	/* The whole span: the table goes too, once the gather is released. */
	vtd_pt_gather_init(&g);
	KUNIT_EXPECT_EQ(test, vtd_pt_unmap(pt, x, SZ_2M, &g), PG_2M - PG_4K);
	expect_gather(test, &g, x, PG_2M, BIT(0), BIT(1), 1);
	KUNIT_EXPECT_EQ(test, nr_tables(test), tables);
	pages = vtd_pt_pages_in_use();
	vtd_pt_gather_release(pt, &g);
	KUNIT_EXPECT_EQ(test, nr_tables(test), tables - 1);
	KUNIT_EXPECT_EQ(test, vtd_pt_pages_in_use(), pages - 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&g.freelist));
	expect_unmapped(test, x);
	expect_unmapped(test, x + PG_2M - PG_4K);

	/* A 1G span holding a table of 2M leaves and two of 4K leaves. */
	map_ok(test, y, pa, SZ_4M, RW);
	map_ok(test, y + MB(4), pa + MB(4) + PG_4K, SZ_2M, RW);
	map_ok(test, y + PG_1G - PG_4K, pa, SZ_4K, RW);
	tables = nr_tables(test);
	vtd_pt_gather_init(&g);
	KUNIT_EXPECT_EQ(test, vtd_pt_unmap(pt, y, SZ_1G, &g),
			MB(4) + PG_2M + PG_4K);
	expect_gather(test, &g, y, PG_1G, BIT(1) | BIT(0), BIT(2) | BIT(1), 3);
	vtd_pt_gather_release(pt, &g);
	KUNIT_EXPECT_EQ(test, nr_tables(test), tables - 3);
	expect_unmapped(test, y);
	expect_unmapped(test, y + MB(5));
	expect_unmapped(test, y + PG_1G - PG_4K);
}

/*
 * A failed invalidation: the caller quarantines the gather. The pages are
 * not freed (the walker may hold them) but stop counting as the table's,
 * so destroying the table later finds its count right; they count as the
 * library's until the caller frees the quarantine.
 */
static void unmap_gather_quarantine(struct kunit *test)
{
	struct vtd_pt *pt = test_pt(test);
	u64 x = GB(4) + MB(2);
	struct page *kept[4], *page;
	struct vtd_pt_gather g;
	LIST_HEAD(quarantine);
	unsigned int n = 0, i;
	long tables, pages;

	map_ok(test, x, TEST_PA + PG_4K, SZ_2M, RW);
	tables = nr_tables(test);
	pages = vtd_pt_pages_in_use();
	vtd_pt_gather_init(&g);
	KUNIT_EXPECT_EQ(test, vtd_pt_unmap(pt, x, SZ_2M, &g), PG_2M);
	list_for_each_entry(page, &g.freelist, lru)
		if (!WARN_ON(n == ARRAY_SIZE(kept)))
			kept[n++] = page;
	KUNIT_ASSERT_EQ(test, n, 1);

	KUNIT_EXPECT_EQ(test, vtd_pt_gather_quarantine(pt, &g, &quarantine), 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&g.freelist));
	KUNIT_EXPECT_EQ(test, nr_tables(test), tables - 1);
	expect_unmapped(test, x);
	/* Not the table's any more, but still allocated: still counted. */
	KUNIT_EXPECT_EQ(test, vtd_pt_pages_in_use(), pages);
	i = 0;
	list_for_each_entry(page, &quarantine, lru)
		KUNIT_EXPECT_PTR_EQ(test, page, kept[i++]);
	KUNIT_EXPECT_EQ(test, i, n);

	/* The caller that later knows the pages are idle frees them. */
	KUNIT_EXPECT_EQ(test, vtd_pt_quarantine_free(&quarantine), 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&quarantine));
	KUNIT_EXPECT_EQ(test, vtd_pt_pages_in_use(), pages - 1);
}

static void unmap_whole_leaf(struct kunit *test)
{
	struct vtd_pt *pt = test_pt(test);
	u64 x = GB(4) + MB(2), z = GB(5);
	struct vtd_pt_gather g;

	map_ok(test, x, TEST_PA, SZ_2M, RW);
	map_ok(test, z, TEST_PA + GB(1), SZ_1G, RW);

	/* 4K at the start of a 2M leaf removes the whole leaf. */
	vtd_pt_gather_init(&g);
	KUNIT_EXPECT_EQ(test, vtd_pt_unmap(pt, x, SZ_4K, &g), PG_2M);
	expect_gather(test, &g, x, PG_2M, BIT(1), 0, 0);
	vtd_pt_gather_release(pt, &g);
	expect_unmapped(test, x);
	expect_unmapped(test, x + PG_2M - PG_4K);

	/* 2M at the start of a 1G leaf. */
	vtd_pt_gather_init(&g);
	KUNIT_EXPECT_EQ(test, vtd_pt_unmap(pt, z, SZ_2M, &g), PG_1G);
	expect_gather(test, &g, z, PG_1G, BIT(2), 0, 0);
	vtd_pt_gather_release(pt, &g);
	expect_unmapped(test, z + PG_1G - PG_4K);
}

static void unmap_mid_leaf(struct kunit *test)
{
	u64 x = GB(4) + MB(2), z = GB(5);

	map_ok(test, x, TEST_PA, SZ_2M, RW);
	map_ok(test, x + PG_2M, TEST_PA + PG_4K, SZ_4K, RW);
	map_ok(test, z, TEST_PA + GB(1), SZ_1G, RW);

	/* Leaves are never split: unmapping stops at once. */
	unmap_nothing(test, x + PG_4K, SZ_4K);
	unmap_nothing(test, x + PG_2M - PG_4K, SZ_4K);
	/* ... and the 4K page after the leaf stays too. */
	unmap_nothing(test, x + MB(1), SZ_2M);
	unmap_nothing(test, z + PG_2M, SZ_2M);
	unmap_nothing(test, z + PG_4K, GB(1));

	expect_mapped(test, x, TEST_PA, SZ_2M, RW);
	expect_mapped(test, x + PG_2M, TEST_PA + PG_4K, SZ_4K, RW);
	expect_mapped(test, z + PG_1G - PG_4K, TEST_PA + GB(2) - PG_4K, SZ_1G,
		      RW);
	unmap_expect(test, x, PG_2M + PG_4K, PG_2M + PG_4K);
}

static void unmap_holes(struct kunit *test)
{
	struct vtd_pt *pt = test_pt(test);
	u64 a = GB(4), start = a + PG_4K, size = MB(4) + SZ_8K;
	struct vtd_pt_gather g;

	map_ok(test, a + PG_4K, TEST_PA, SZ_4K, RW);
	map_ok(test, a + SZ_64K, TEST_PA + SZ_64K, SZ_8K, RW);
	map_ok(test, a + PG_2M, TEST_PA + PG_2M, SZ_2M, RW);
	map_ok(test, a + MB(4) + SZ_8K, TEST_PA, SZ_4K, RW);

	/* Only the mapped bytes count; no table span is covered. */
	vtd_pt_gather_init(&g);
	KUNIT_EXPECT_EQ(test, vtd_pt_unmap(pt, start, size, &g),
			PG_4K + SZ_8K + PG_2M + PG_4K);
	expect_gather(test, &g, start, size, BIT(1) | BIT(0), 0, 0);
	vtd_pt_gather_release(pt, &g);
	expect_range_unmapped(test, start, TEST_PA, size);

	unmap_nothing(test, start, size);
}

static void remap_after_partial_unmap(struct kunit *test)
{
	struct vtd_pt *pt = test_pt(test);
	u64 x = GB(4) + MB(2);
	struct vtd_pt_gather g;
	u64 off;

	/* Leave an empty 4K table behind. */
	map_ok(test, x, TEST_PA, SZ_4K, RW);
	unmap_expect(test, x, SZ_4K, SZ_4K);

	/* A 2M-aligned 2M range there gets 4K leaves, as documented. */
	map_ok(test, x, TEST_PA, SZ_2M, RW);
	for (off = 0; off < PG_2M; off += PG_4K)
		expect_mapped(test, x + off, TEST_PA + off, SZ_4K, RW);

	vtd_pt_gather_init(&g);
	KUNIT_EXPECT_EQ(test, vtd_pt_unmap(pt, x, SZ_2M, &g), PG_2M);
	expect_gather(test, &g, x, PG_2M, BIT(0), BIT(1), 1);
	vtd_pt_gather_release(pt, &g);

	/* With the table gone, the same range gets a 2M leaf. */
	map_ok(test, x, TEST_PA, SZ_2M, RW);
	expect_mapped(test, x + PG_2M - PG_4K, TEST_PA + PG_2M - PG_4K, SZ_2M,
		      RW);
}

/* --- Allocation failures ------------------------------------------------- */

static bool pt_alloc_fail_nth(struct vtd_pt *pt)
{
	struct pt_test *ctx = kunit_get_current_test()->priv;

	return ++ctx->nr_allocs == ctx->fail_at;
}

static void alloc_failure_sweep(struct kunit *test)
{
	struct pt_test *ctx = pt_ctx(test);
	struct vtd_pt *pt = &ctx->pt;
	/*
	 * Three 1G regions: 4K and 2M leaves up to the first boundary, a
	 * region of 2M leaves (the output is 2M but not 1G aligned like the
	 * IOVA), 2M and 4K leaves after the second boundary.
	 */
	u64 iova = GB(5) - MB(4) - PG_4K;
	u64 size = MB(4) + PG_4K + PG_1G + MB(4) + SZ_8K;
	u64 pa = TEST_PA + PG_2M + iova;
	long tables = nr_tables(test), pages = vtd_pt_pages_in_use();
	unsigned int fail, count[3];
	int ret;

	kunit_activate_static_stub(test, vtd_pt_alloc_should_fail,
				   pt_alloc_fail_nth);
	for (fail = 1; ; fail++) {
		KUNIT_ASSERT_LT(test, fail, 32);
		ctx->nr_allocs = 0;
		ctx->fail_at = fail;
		ret = vtd_pt_map(pt, iova, pa, size, RW, GFP_KERNEL);
		if (!ret)
			break;
		KUNIT_ASSERT_EQ_MSG(test, ret, -ENOMEM, "allocation %u failed",
				    fail);
		KUNIT_ASSERT_EQ(test, ctx->nr_allocs, fail);
		KUNIT_ASSERT_EQ(test, nr_tables(test), tables);
		KUNIT_ASSERT_EQ(test, vtd_pt_pages_in_use(), pages);
		expect_range_unmapped(test, iova, pa, size);
	}
	kunit_deactivate_static_stub(test, vtd_pt_alloc_should_fail);

	/* Two 1G tables at the ends, one in the middle, two 4K tables. */
	KUNIT_EXPECT_GE(test, fail - 1, 3);
	KUNIT_EXPECT_EQ(test, fail - 1, pt->levels + 2);
	KUNIT_EXPECT_EQ(test, ctx->nr_allocs, fail - 1);
	KUNIT_EXPECT_EQ(test, nr_tables(test), tables + fail - 1);
	expect_leaves(test, iova, pa, size, RW, count);
	expect_counts(test, count, 3, 516, 0);
	unmap_expect(test, iova, size, size);
}

/*
 * A failed map must free the table pages it had already allocated. Those
 * are not yet the table's, so neither nr_tables nor vtd_pt_pages_in_use()
 * counts them: only the page allocator sees a leak. So every failing map
 * runs LEAK_REPS times, which turns a leak of one page per failure into
 * LEAK_REPS pages, and the free-page count must not drop by anything near
 * that. LEAK_SLACK covers the per-CPU page lists and the vmstat counters
 * folded late.
 */
#define LEAK_REPS	128
#define LEAK_SLACK	2048

static long free_pages_now(void)
{
	return global_zone_page_state(NR_FREE_PAGES);
}

/*
 * The check above sees a leak of the size it is there for: 4 * LEAK_SLACK
 * pages allocated and held across a measurement.
 */
static void alloc_leak_check_sees_leaks(struct kunit *test)
{
	unsigned int n = 4 * LEAK_SLACK, got;
	struct page **pages;
	long before, dropped;

	pages = kvcalloc(n, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	before = free_pages_now();
	for (got = 0; got < n; got++) {
		pages[got] = alloc_page(GFP_KERNEL);
		if (!pages[got])
			break;
	}
	dropped = before - free_pages_now();
	while (got--)
		__free_page(pages[got]);
	kvfree(pages);
	kunit_info(test, "%u pages held: free pages dropped by %ld\n", n,
		   dropped);
	KUNIT_EXPECT_GE(test, dropped, (long)LEAK_SLACK);
}

/*
 * Fail the Nth table allocation of mapping [@iova, @iova + @size) for
 * every N until the map succeeds; each failure must leave the table as it
 * was. Returns the number of allocations the successful map made.
 */
static unsigned int fail_every_nth(struct kunit *test, u64 iova, u64 pa,
				   u64 size, unsigned int max)
{
	struct pt_test *ctx = pt_ctx(test);
	struct vtd_pt *pt = &ctx->pt;
	long tables = nr_tables(test), pages = vtd_pt_pages_in_use();
	long free_before, dropped, max_leak = 0;
	unsigned int fail, rep;
	u64 off;
	int ret;

	kunit_activate_static_stub(test, vtd_pt_alloc_should_fail,
				   pt_alloc_fail_nth);
	free_before = free_pages_now();
	for (fail = 1; ; fail++) {
		KUNIT_ASSERT_LE(test, fail, max);
		for (rep = 0; rep < LEAK_REPS; rep++) {
			ctx->nr_allocs = 0;
			ctx->fail_at = fail;
			ret = vtd_pt_map(pt, iova, pa, size, RW, GFP_KERNEL);
			if (!ret)
				break;
			KUNIT_ASSERT_EQ_MSG(test, ret, -ENOMEM,
					    "allocation %u failed", fail);
			KUNIT_ASSERT_EQ(test, ctx->nr_allocs, fail);
			KUNIT_ASSERT_EQ(test, nr_tables(test), tables);
			KUNIT_ASSERT_EQ(test, vtd_pt_pages_in_use(), pages);
		}
		if (!ret)
			break;
		/* Had the pages before this one been leaked... */
		max_leak += (long)(fail - 1) * LEAK_REPS;
		for (off = 0; off < size; off += size < PG_1G ? PG_2M : PG_1G)
			expect_unmapped(test, iova + off);
		expect_unmapped(test, iova + size - PG_4K);
	}
	dropped = free_before - free_pages_now();
	kunit_deactivate_static_stub(test, vtd_pt_alloc_should_fail);

	/* The successful map made fail - 1 allocations, all now the table's. */
	KUNIT_EXPECT_EQ(test, rep, 0);
	KUNIT_EXPECT_EQ(test, ctx->nr_allocs, fail - 1);
	KUNIT_EXPECT_EQ(test, nr_tables(test), tables + fail - 1);
	KUNIT_EXPECT_EQ(test, vtd_pt_pages_in_use(), pages + fail - 1);
	kunit_info(test, "%u allocations; free pages dropped by %ld over %ld failed maps (%ld pages if every allocated page leaked)\n",
		   fail - 1, dropped, (long)(fail - 1) * LEAK_REPS, max_leak);
	KUNIT_EXPECT_LT_MSG(test, dropped - (long)(fail - 1), (long)LEAK_SLACK,
			    "table pages of failed maps leaked");
	return fail - 1;
}

/*
 * Table pages are allocated in bulk, up to 16 per call: failing any one of
 * more pages than that (22 leaf tables here, plus the tables above them)
 * must free those of the earlier bulk calls too.
 */
static void alloc_failure_many(struct kunit *test)
{
	struct vtd_pt *pt = pt_recreate(test, 0, SZ_4K);
	u64 iova = GB(4) + PG_2M - PG_4K, size = MB(40) + SZ_8K;
	u64 pa = TEST_PA + iova, off;

	/* The tables between the top and level 0, and 22 leaf tables. */
	KUNIT_EXPECT_EQ(test, fail_every_nth(test, iova, pa, size, 64),
			pt->levels - 2 + 22);
	for (off = 0; off < size; off += PG_2M)
		expect_mapped(test, iova + off, pa + off, SZ_4K, RW);
	expect_mapped(test, iova + size - PG_4K, pa + size - PG_4K, SZ_4K, RW);
	unmap_expect(test, iova, size, size);
}

/*
 * The same for zeroed (non-leaf) tables: 2M leaves over 18 GiB need 18
 * tables at level 1, and those above.
 */
static void alloc_failure_many_tables(struct kunit *test)
{
	struct vtd_pt *pt = pt_recreate(test, 0, SZ_4K | SZ_2M);
	u64 iova = GB(4), size = GB(18), pa = TEST_PA + PG_2M, off;

	KUNIT_EXPECT_EQ(test, fail_every_nth(test, iova, pa, size, 64),
			pt->levels - 3 + 18);
	for (off = 0; off < size; off += PG_1G)
		expect_mapped(test, iova + off, pa + off, SZ_2M, RW);
	expect_mapped(test, iova + size - PG_4K, pa + size - PG_4K, SZ_2M, RW);
	unmap_expect(test, iova, size, size);
}

/*
 * A new leaf table's page is not zeroed before use: map must write every
 * one of its entries. Freed table pages keep their entries, so a map right
 * after an unmap that freed a full leaf table likely reuses that page.
 */
static void map_new_leaf_table_clean(struct kunit *test)
{
	static const struct {
		u64 off;
		u64 size;
	} cases[] = {
		{ 0, PG_4K },			/* the first entry */
		{ MB(1), SZ_8K },		/* two in the middle */
		{ PG_2M - PG_4K, PG_4K },	/* the last entry */
		{ PG_4K, PG_2M - SZ_8K },	/* all but the first and last */
	};
	u64 x = GB(4), pa = TEST_PA + PG_4K;	/* 4K leaves only */
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		u64 start = x + cases[i].off, size = cases[i].size;
		u64 *table;

		/* A full leaf table, freed with its entries in place. */
		map_ok(test, x, pa, SZ_2M, RW);
		unmap_expect(test, x, SZ_2M, PG_2M);

		map_ok(test, start, pa + cases[i].off, size, RW);
		table = leaf_slot(test, start) - spec_index(start, 0);
		for (j = 0; j < SPEC_ENTRIES; j++) {
			u64 va = x + j * PG_4K;

			if (va >= start && va - start < size)
				expect_mapped(test, va, pa + j * PG_4K, SZ_4K,
					      RW);
			else
				KUNIT_EXPECT_EQ_MSG(test, table[j], 0,
						    "case %u entry %u", i, j);
		}
		unmap_expect(test, start, size, size);
	}
}

/* --- Dirty tracking ------------------------------------------------------ */

struct dirty_log {
	unsigned int n;
	struct {
		u64 iova;
		u64 size;
	} r[8];
};

static void dirty_record(void *arg, u64 iova, u64 size)
{
	struct dirty_log *log = arg;

	if (log->n < ARRAY_SIZE(log->r)) {
		log->r[log->n].iova = iova;
		log->r[log->n].size = size;
	}
	log->n++;
}

static void read_dirty(struct kunit *test, u64 iova, u64 size,
		       unsigned int flags, struct dirty_log *log)
{
	memset(log, 0, sizeof(*log));
	KUNIT_ASSERT_EQ(test, vtd_pt_read_and_clear_dirty(test_pt(test), iova,
							  size, flags,
							  dirty_record, log),
			0);
}

static void expect_report(struct kunit *test, const struct dirty_log *log,
			  unsigned int i, u64 iova, u64 size)
{
	KUNIT_ASSERT_LT(test, i, log->n);
	KUNIT_EXPECT_EQ_MSG(test, log->r[i].iova, iova, "report %u", i);
	KUNIT_EXPECT_EQ_MSG(test, log->r[i].size, size, "report %u", i);
}

static void set_dirty(struct kunit *test, u64 iova)
{
	*leaf_slot(test, iova) |= test_pt(test)->first_level ? SPEC_FL_D :
							       SPEC_SL_D;
	KUNIT_EXPECT_TRUE(test, is_dirty(test, iova));
}

#define DIRTY_BASE	GB(4)

/*
 * A dirty-tracking table with clean 4K leaves at DIRTY_BASE and + 16K (the
 * latter read-only), and a 4K leaf at + 8K, a 2M leaf at + 2M and a 1G leaf
 * at + 1G that the "hardware" has written to.
 */
static void dirty_setup(struct kunit *test)
{
	u64 a = DIRTY_BASE, pa = TEST_PA;
	struct dirty_log log;

	pt_recreate(test, VTD_PT_CFG_DIRTY_TRACKING, VTD_PT_PGSIZES);
	map_ok(test, a, pa, SZ_4K, RW);
	map_ok(test, a + SZ_8K, pa + SZ_8K, SZ_4K, RW);
	map_ok(test, a + SZ_16K, pa + SZ_16K, SZ_4K, IOMMU_READ);
	map_ok(test, a + PG_2M, pa + PG_2M, SZ_2M, RW);
	map_ok(test, a + PG_1G, pa + PG_1G, SZ_1G, RW);

	read_dirty(test, a, GB(2), 0, &log);
	KUNIT_EXPECT_EQ(test, log.n, 0);

	set_dirty(test, a + SZ_8K);
	set_dirty(test, a + PG_2M);
	set_dirty(test, a + PG_1G);
}

static void dirty_no_clear(struct kunit *test)
{
	u64 a = DIRTY_BASE;
	struct dirty_log log;
	unsigned int i;

	dirty_setup(test);
	for (i = 0; i < 2; i++) {
		read_dirty(test, a, GB(2), VTD_PT_DIRTY_NO_CLEAR, &log);
		KUNIT_ASSERT_EQ(test, log.n, 3);
		expect_report(test, &log, 0, a + SZ_8K, SZ_4K);
		expect_report(test, &log, 1, a + PG_2M, PG_2M);
		expect_report(test, &log, 2, a + PG_1G, PG_1G);
	}

	/* Clipped to the range. */
	read_dirty(test, a + MB(3), PG_1G - MB(3) + PG_4K,
		   VTD_PT_DIRTY_NO_CLEAR, &log);
	KUNIT_ASSERT_EQ(test, log.n, 2);
	expect_report(test, &log, 0, a + MB(3), MB(1));
	expect_report(test, &log, 1, a + PG_1G, PG_4K);

	KUNIT_EXPECT_TRUE(test, is_dirty(test, a + SZ_8K));
	KUNIT_EXPECT_TRUE(test, is_dirty(test, a + PG_2M));
	KUNIT_EXPECT_TRUE(test, is_dirty(test, a + PG_1G));
	KUNIT_EXPECT_FALSE(test, is_dirty(test, a));
}

static void dirty_clear(struct kunit *test)
{
	struct vtd_pt *pt;
	u64 a = DIRTY_BASE, want;
	struct dirty_log log;
	unsigned int level;

	dirty_setup(test);
	pt = test_pt(test);

	/* Clipped to the range; both leaves it touches are cleaned whole. */
	read_dirty(test, a + MB(3), PG_1G - MB(3) + PG_4K, 0, &log);
	KUNIT_ASSERT_EQ(test, log.n, 2);
	expect_report(test, &log, 0, a + MB(3), MB(1));
	expect_report(test, &log, 1, a + PG_1G, PG_4K);
	KUNIT_EXPECT_FALSE(test, is_dirty(test, a + PG_2M));
	KUNIT_EXPECT_FALSE(test, is_dirty(test, a + PG_1G));
	KUNIT_EXPECT_TRUE(test, is_dirty(test, a + SZ_8K));

	/* Nothing else changed in the entry. */
	want = pt->first_level ? FL_RO | SPEC_FL_RW | SPEC_FL_PS :
				 SPEC_SL_R | SPEC_SL_W | SPEC_SL_PS;
	KUNIT_EXPECT_EQ(test, raw_entry(test, a + PG_2M, &level),
			want | (TEST_PA + PG_2M));

	read_dirty(test, a, GB(2), 0, &log);
	KUNIT_ASSERT_EQ(test, log.n, 1);
	expect_report(test, &log, 0, a + SZ_8K, SZ_4K);

	read_dirty(test, a, GB(2), 0, &log);
	KUNIT_EXPECT_EQ(test, log.n, 0);
	expect_mapped(test, a + PG_1G, TEST_PA + PG_1G, SZ_1G, RW);
}

static void dirty_errors(struct kunit *test)
{
	struct vtd_pt *pt = test_pt(test);
	u64 x = GB(4), end;
	struct dirty_log log = {};

	map_ok(test, x, TEST_PA, SZ_4K, RW);
	KUNIT_EXPECT_EQ(test, vtd_pt_read_and_clear_dirty(pt, x, SZ_4K, 0,
							  dirty_record, &log),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, vtd_pt_read_and_clear_dirty(pt, x, SZ_4K,
							  VTD_PT_DIRTY_NO_CLEAR,
							  dirty_record, &log),
			-EOPNOTSUPP);
	/* First-level leaves without tracking are born dirty; still so. */
	KUNIT_EXPECT_EQ(test, is_dirty(test, x), pt->first_level);

	pt = pt_recreate(test, VTD_PT_CFG_DIRTY_TRACKING, VTD_PT_PGSIZES);
	end = pt->first_level ? BIT_ULL(pt->va_bits - 1) : BIT_ULL(pt->va_bits);
	map_ok(test, x, TEST_PA, SZ_4K, RW);
	set_dirty(test, x);

	KUNIT_EXPECT_EQ(test, vtd_pt_read_and_clear_dirty(pt, x, SZ_4K, BIT(1),
							  dirty_record, &log),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vtd_pt_read_and_clear_dirty(pt, x, SZ_4K, ~0U,
							  dirty_record, &log),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vtd_pt_read_and_clear_dirty(pt, x + 1, SZ_4K, 0,
							  dirty_record, &log),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vtd_pt_read_and_clear_dirty(pt, x, SZ_4K + 1, 0,
							  dirty_record, &log),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vtd_pt_read_and_clear_dirty(pt, x, 0, 0,
							  dirty_record, &log),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vtd_pt_read_and_clear_dirty(pt, x, end, 0,
							  dirty_record, &log),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, vtd_pt_read_and_clear_dirty(pt, end, SZ_4K, 0,
							  dirty_record, &log),
			-ERANGE);
	/* Ends at U64_MAX: upper half (first level) or out of range. */
	KUNIT_EXPECT_EQ(test, vtd_pt_read_and_clear_dirty(pt, x, 0 - x, 0,
							  dirty_record, &log),
			-ERANGE);
	KUNIT_EXPECT_EQ(test,
			vtd_pt_read_and_clear_dirty(pt, 0xfffffffffffff000ULL,
						    SZ_8K, 0, dirty_record,
						    &log),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, log.n, 0);
	KUNIT_EXPECT_TRUE(test, is_dirty(test, x));
}

/* --- Table options ------------------------------------------------------- */

static void noncoherent(struct kunit *test)
{
	u64 x = GB(4), y = GB(8) + MB(2), size = PG_1G + PG_2M + SZ_8K;
	unsigned int count[3];

	pt_recreate(test, VTD_PT_CFG_NONCOHERENT, VTD_PT_PGSIZES);
	map_ok(test, x, TEST_PA, size, RW);
	expect_leaves(test, x, TEST_PA, size, RW, count);
	expect_counts(test, count, 2, 1, 1);
	map_ok(test, y, TEST_PA + PG_4K, SZ_2M, IOMMU_READ);
	expect_leaves(test, y, TEST_PA + PG_4K, PG_2M, IOMMU_READ, count);
	expect_counts(test, count, 512, 0, 0);

	unmap_expect(test, y, PG_2M, PG_2M);
	expect_unmapped(test, y);
	unmap_everything(test, size);
	expect_range_unmapped(test, x, TEST_PA, size);
}

#define CFG(fmt, sizes, oas, fl) {					\
	.format = (fmt), .pgsize_bitmap = (sizes), .oas_bits = (oas),	\
	.flags = (fl), .nid = NUMA_NO_NODE,				\
}

static const struct vtd_pt_cfg bad_cfgs[] = {
	CFG(VTD_PT_SL4, SZ_2M | SZ_1G, TEST_OAS, 0),	/* no 4K */
	CFG(VTD_PT_SL4, SZ_4K | SZ_64K, TEST_OAS, 0),	/* no such leaf */
	CFG(VTD_PT_FL4, VTD_PT_PGSIZES | BIT_ULL(39), TEST_OAS, 0),
	CFG(VTD_PT_SL3, 0, TEST_OAS, 0),
	CFG(VTD_PT_FL4, VTD_PT_PGSIZES, 12, 0),		/* oas_bits */
	CFG(VTD_PT_SL4, VTD_PT_PGSIZES, 53, 0),
	CFG(VTD_PT_SL4, VTD_PT_PGSIZES, 0, 0),
	CFG(VTD_PT_FL5, VTD_PT_PGSIZES, TEST_OAS, BIT(2)),	/* flags */
	CFG(VTD_PT_SL3, VTD_PT_PGSIZES, TEST_OAS, ~0U),
	CFG(VTD_PT_NR_FORMATS, VTD_PT_PGSIZES, TEST_OAS, 0),
};

/* The limits that are allowed. */
static const struct vtd_pt_cfg good_cfgs[] = {
	CFG(VTD_PT_FL4, VTD_PT_PGSIZES, 13, 0),
	CFG(VTD_PT_SL4, VTD_PT_PGSIZES, 52, 0),
	CFG(VTD_PT_SL3, SZ_4K, TEST_OAS, 0),
	CFG(VTD_PT_FL5, SZ_4K | SZ_1G, TEST_OAS,
	    VTD_PT_CFG_NONCOHERENT | VTD_PT_CFG_DIRTY_TRACKING),
};

static void init_bad_cfg(struct kunit *test)
{
	long pages = vtd_pt_pages_in_use();
	struct vtd_pt pt;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_cfgs); i++) {
		KUNIT_EXPECT_EQ_MSG(test, vtd_pt_init(&pt, &bad_cfgs[i],
						      GFP_KERNEL),
				    -EINVAL, "bad cfg %u", i);
		KUNIT_EXPECT_EQ(test, vtd_pt_pages_in_use(), pages);
	}
	for (i = 0; i < ARRAY_SIZE(good_cfgs); i++) {
		KUNIT_ASSERT_EQ_MSG(test, vtd_pt_init(&pt, &good_cfgs[i],
						      GFP_KERNEL),
				    0, "good cfg %u", i);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&pt.nr_tables), 1);
		vtd_pt_destroy(&pt);
		KUNIT_EXPECT_EQ(test, vtd_pt_pages_in_use(), pages);
	}
}

static void init_enomem(struct kunit *test)
{
	static const struct vtd_pt_cfg cfg =
		CFG(VTD_PT_FL4, VTD_PT_PGSIZES, TEST_OAS, 0);
	struct pt_test *ctx = pt_ctx(test);
	struct vtd_pt pt;

	kunit_activate_static_stub(test, vtd_pt_alloc_should_fail,
				   pt_alloc_fail_nth);
	ctx->fail_at = 1;
	KUNIT_EXPECT_EQ(test, vtd_pt_init(&pt, &cfg, GFP_KERNEL), -ENOMEM);
	KUNIT_EXPECT_EQ(test, ctx->nr_allocs, 1);
	KUNIT_EXPECT_EQ(test, vtd_pt_pages_in_use(), ctx->pages_before);
}

/* --- Concurrency --------------------------------------------------------- */

#define CONC_THREADS	3
#define CONC_ROUNDS	16
#define CONC_PAGES	8	/* interleaved 4K pages per thread and round */
#define CONC_PA_OFF	GB(64)	/* output address - IOVA */

struct conc_worker {
	struct vtd_pt *pt;
	unsigned int id;
	struct completion *go;
	struct completion done;
	unsigned int errors;
	/* The first error. */
	const char *what;
	u64 iova;
	s64 ret;
};

/*
 * Each round works in a fresh 1G region, so that the threads race to
 * install the tables at every level. Thread @id owns every
 * CONC_THREADS-th 4K page of the region's first 2M (all threads share its
 * leaf table), and two neighbouring 2M slots: one of 4K leaves (output
 * not 2M aligned) with its own leaf table, and one 2M leaf.
 */
static u64 conc_page(unsigned int round, unsigned int id, unsigned int k)
{
	return GB(8) + GB(round) + (u64)(k * CONC_THREADS + id) * PG_4K;
}

static u64 conc_small(unsigned int round, unsigned int id)
{
	return GB(8) + GB(round) + (1 + id) * PG_2M;
}

static u64 conc_leaf(unsigned int round, unsigned int id)
{
	return GB(8) + GB(round) + (1 + CONC_THREADS + id) * PG_2M;
}

static void conc_check(struct conc_worker *w, const char *what, u64 iova,
		       s64 ret, s64 want)
{
	if (ret == want)
		return;
	if (!w->errors++) {
		w->what = what;
		w->iova = iova;
		w->ret = ret;
	}
}

static void conc_map(struct conc_worker *w, u64 iova, u64 pa, u64 size)
{
	conc_check(w, "map", iova,
		   vtd_pt_map(w->pt, iova, pa, size, RW, GFP_KERNEL), 0);
}

static void conc_lookup(struct conc_worker *w, u64 iova, u64 pa)
{
	struct vtd_pt_xlate x;
	int ret = vtd_pt_lookup(w->pt, iova, &x);

	conc_check(w, "lookup", iova, ret, 0);
	if (!ret)
		conc_check(w, "lookup paddr", iova, x.paddr, pa);
}

static void conc_unmap(struct conc_worker *w, u64 iova, u64 size)
{
	struct vtd_pt_gather gather;
	u64 ret;

	vtd_pt_gather_init(&gather);
	ret = vtd_pt_unmap(w->pt, iova, size, &gather);
	vtd_pt_gather_release(w->pt, &gather);
	conc_check(w, "unmap", iova, ret, size);
}

static int conc_worker_fn(void *arg)
{
	struct conc_worker *w = arg;
	unsigned int round, k;

	wait_for_completion(w->go);
	for (round = 0; round < CONC_ROUNDS; round++) {
		u64 small = conc_small(round, w->id);
		u64 leaf = conc_leaf(round, w->id);

		for (k = 0; k < CONC_PAGES; k++) {
			u64 iova = conc_page(round, w->id, k);

			conc_map(w, iova, iova + CONC_PA_OFF, SZ_4K);
		}
		conc_map(w, small, small + CONC_PA_OFF + PG_4K, SZ_2M);
		conc_map(w, leaf, leaf + CONC_PA_OFF, SZ_2M);

		for (k = 0; k < CONC_PAGES; k++) {
			u64 iova = conc_page(round, w->id, k);

			conc_lookup(w, iova, iova + CONC_PA_OFF);
		}
		conc_lookup(w, small + PG_2M - PG_4K,
			    small + CONC_PA_OFF + PG_2M);
		conc_lookup(w, leaf + MB(1), leaf + CONC_PA_OFF + MB(1));

		/* The last round stays mapped for the final check. */
		if (round == CONC_ROUNDS - 1)
			break;
		for (k = 0; k < CONC_PAGES; k++)
			conc_unmap(w, conc_page(round, w->id, k), SZ_4K);
		conc_unmap(w, small, SZ_2M);
		conc_unmap(w, leaf, SZ_2M);
	}
	complete(&w->done);
	return 0;
}

static void concurrent_map_unmap(struct kunit *test)
{
	struct vtd_pt *pt = test_pt(test);
	unsigned int i, k, started = 0, last = CONC_ROUNDS - 1;
	struct conc_worker *w;
	struct completion go;

	w = kunit_kcalloc(test, CONC_THREADS, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	init_completion(&go);
	for (i = 0; i < CONC_THREADS; i++) {
		struct task_struct *t;

		w[i].pt = pt;
		w[i].id = i;
		w[i].go = &go;
		init_completion(&w[i].done);
		t = kthread_run(conc_worker_fn, &w[i], "vtd-pt-kunit/%u", i);
		if (IS_ERR(t))
			break;
		started++;
	}
	complete_all(&go);
	for (i = 0; i < started; i++)
		wait_for_completion(&w[i].done);
	KUNIT_ASSERT_EQ(test, started, CONC_THREADS);

	for (i = 0; i < CONC_THREADS; i++) {
		u64 small = conc_small(last, i), leaf = conc_leaf(last, i);

		KUNIT_EXPECT_EQ_MSG(test, w[i].errors, 0,
				    "thread %u: first error: %s %#llx returned %lld",
				    i, w[i].what, w[i].iova, w[i].ret);
		for (k = 0; k < CONC_PAGES; k++) {
			u64 iova = conc_page(last, i, k);

			expect_mapped(test, iova, iova + CONC_PA_OFF, SZ_4K, RW);
			expect_unmapped(test, conc_page(0, i, k));
		}
		expect_mapped(test, small, small + CONC_PA_OFF + PG_4K, SZ_4K,
			      RW);
		expect_mapped(test, leaf, leaf + CONC_PA_OFF, SZ_2M, RW);
		expect_unmapped(test, conc_small(0, i));
		expect_unmapped(test, conc_leaf(0, i));
	}
	unmap_everything(test, CONC_THREADS * (CONC_PAGES * PG_4K + 2 * PG_2M));
}

/* --- Random operations against a reference model ------------------------- */

#define MODEL_PAGES		16384	/* a 64M window across a 4G boundary */
#define MODEL_OPS		2000
#define MODEL_CHECK_EVERY	500
#define MODEL_MAX_EXTENTS	128
#define MODEL_SEED		0x7674642d7074ULL
/* Output addresses: random 2M slots below 2^45. */
#define MODEL_PA_SLOTS		BIT(24)

struct model {
	struct kunit *test;
	struct vtd_pt *pt;
	struct rnd_state rnd;
	u64 base;		/* IOVA of page 0, 2M aligned */
	u64 *page;		/* paddr | decoded prot, 0 when unmapped */
	struct {
		unsigned int first;
		unsigned int nr;
	} ext[MODEL_MAX_EXTENTS];	/* what is mapped, as mapped */
	unsigned int nr_ext;
	unsigned int op;
	/* Statistics, to notice a sequence that tests little. */
	unsigned int maps, unmaps, overlaps;
	unsigned long pages_in_2m;	/* seen by model_check_all() */
};

static const int model_prots[] = {
	IOMMU_READ, IOMMU_WRITE, RW, RW | IOMMU_NOEXEC, RW | IOMMU_MMIO,
	IOMMU_READ | IOMMU_CACHE, RW | IOMMU_CACHE,
};

static u32 model_rand(struct model *m, u32 n)
{
	return prandom_u32_state(&m->rnd) % n;
}

static u64 model_iova(struct model *m, unsigned int p)
{
	return m->base + (u64)p * PG_4K;
}

static void model_check_page(struct model *m, unsigned int p)
{
	u64 iova = model_iova(m, p), want = m->page[p];
	struct vtd_pt_xlate x;
	int ret = vtd_pt_lookup(m->pt, iova, &x);

	if (!want) {
		KUNIT_ASSERT_EQ_MSG(m->test, ret, -ENOENT,
				    "op %u: %#llx should be free", m->op, iova);
		return;
	}
	KUNIT_ASSERT_EQ_MSG(m->test, ret, 0, "op %u: %#llx should be mapped",
			    m->op, iova);
	KUNIT_ASSERT_EQ_MSG(m->test, x.paddr | x.prot, want,
			    "op %u: %#llx: paddr | prot", m->op, iova);
	if (x.leaf_size == PG_2M)
		m->pages_in_2m++;
}

static void model_check_all(struct model *m)
{
	unsigned int p;

	for (p = 0; p < MODEL_PAGES; p++)
		model_check_page(m, p);
}

/* The pages at both ends of an extent, one inside and both neighbours. */
static void model_check_extent(struct model *m, unsigned int first,
			       unsigned int nr)
{
	if (first)
		model_check_page(m, first - 1);
	model_check_page(m, first);
	model_check_page(m, first + model_rand(m, nr));
	model_check_page(m, first + nr - 1);
	if (first + nr < MODEL_PAGES)
		model_check_page(m, first + nr);
}

static bool model_range_free(struct model *m, unsigned int first,
			     unsigned int nr)
{
	unsigned int p;

	for (p = first; p < first + nr; p++) {
		if (m->page[p])
			return false;
	}
	return true;
}

/* Pages to map: mostly small, sometimes 2M, 4M or up to 8M. */
static unsigned int model_pick_nr(struct model *m)
{
	u32 r = model_rand(m, 8);

	if (r < 3)
		return 1 + model_rand(m, 16);
	if (r < 5)
		return 1 + model_rand(m, 512);
	if (r == 5)
		return 512;
	if (r == 6)
		return 1024;
	return 512 + model_rand(m, 1537);
}

/* Usually the IOVA's offset in its 2M, so that 2M leaves can happen. */
static u64 model_pick_pa(struct model *m, u64 iova)
{
	u64 pa = (u64)model_rand(m, MODEL_PA_SLOTS) * PG_2M;

	if (model_rand(m, 4))
		return pa + (iova & (PG_2M - 1));
	return pa + model_rand(m, 512) * PG_4K;
}

static void model_unmap(struct model *m)
{
	struct vtd_pt_gather gather;
	unsigned int i, first, nr;
	u64 iova, size, ret;

	if (!m->nr_ext)
		return;
	i = model_rand(m, m->nr_ext);
	first = m->ext[i].first;
	nr = m->ext[i].nr;
	m->ext[i] = m->ext[--m->nr_ext];

	iova = model_iova(m, first);
	size = nr * PG_4K;
	vtd_pt_gather_init(&gather);
	ret = vtd_pt_unmap(m->pt, iova, size, &gather);
	KUNIT_EXPECT_LE(m->test, gather.start, iova);
	KUNIT_EXPECT_GE(m->test, gather.last, iova + size - 1);
	vtd_pt_gather_release(m->pt, &gather);
	KUNIT_ASSERT_EQ_MSG(m->test, ret, size, "op %u: unmap %#llx+%#llx",
			    m->op, iova, size);

	memset(&m->page[first], 0, nr * sizeof(*m->page));
	m->unmaps++;
	model_check_extent(m, first, nr);
}

static void model_map(struct model *m)
{
	unsigned int nr = model_pick_nr(m), first = 0, p, tries;
	unsigned int align = nr >= 512 && model_rand(m, 2) ? 512 : 1;
	int prot = model_prots[model_rand(m, ARRAY_SIZE(model_prots))];
	u64 iova, pa;
	int ret;

	for (tries = 0; tries < 8; tries++) {
		first = round_down(model_rand(m, MODEL_PAGES - nr + 1), align);
		if (model_range_free(m, first, nr))
			break;
	}
	/* The window is crowded: make room instead. */
	if (tries == 8 || m->nr_ext == MODEL_MAX_EXTENTS) {
		model_unmap(m);
		return;
	}

	iova = model_iova(m, first);
	pa = model_pick_pa(m, iova);
	ret = vtd_pt_map(m->pt, iova, pa, nr * PG_4K, prot, GFP_KERNEL);
	KUNIT_ASSERT_EQ_MSG(m->test, ret, 0,
			    "op %u: map %#llx+%#llx -> %#llx prot %#x",
			    m->op, iova, nr * PG_4K, pa, prot);

	for (p = 0; p < nr; p++)
		m->page[first + p] = (pa + p * PG_4K) |
				     decoded_prot(m->pt, prot);
	m->ext[m->nr_ext].first = first;
	m->ext[m->nr_ext].nr = nr;
	m->nr_ext++;
	m->maps++;
	model_check_extent(m, first, nr);
}

/* A range overlapping a live extent: -EEXIST and nothing changes. */
static void model_map_over(struct model *m)
{
	unsigned int i = model_rand(m, m->nr_ext), first, nr, back, p;
	long tables = atomic_long_read(&m->pt->nr_tables);
	u64 iova;
	int ret;

	/* Up to 8 free or mapped pages before a mapped page, and more after. */
	first = m->ext[i].first + model_rand(m, m->ext[i].nr);
	back = min(first, model_rand(m, 9));
	first -= back;
	nr = min(back + 1 + model_rand(m, 16), MODEL_PAGES - first);

	iova = model_iova(m, first);
	ret = vtd_pt_map(m->pt, iova, model_pick_pa(m, iova), nr * PG_4K, RW,
			 GFP_KERNEL);
	KUNIT_ASSERT_EQ_MSG(m->test, ret, -EEXIST, "op %u: map %#llx+%#llx",
			    m->op, iova, nr * PG_4K);
	KUNIT_ASSERT_EQ(m->test, atomic_long_read(&m->pt->nr_tables), tables);
	m->overlaps++;
	for (p = first; p < first + nr; p++)
		model_check_page(m, p);
}

static void random_ops(struct kunit *test)
{
	struct vtd_pt *pt = test_pt(test);
	u64 seed = MODEL_SEED + pt->cfg.format, left = 0;
	struct model *m;
	unsigned int i;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->page = kunit_kcalloc(test, MODEL_PAGES, sizeof(*m->page),
				GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->page);
	m->test = test;
	m->pt = pt;
	/* 32M below and above 4G; in the upper half for first level. */
	m->base = GB(4) - MB(32);
	if (pt->first_level)
		m->base += ~0ULL << (pt->va_bits - 1);
	prandom_seed_state(&m->rnd, seed);
	kunit_info(test, "seed %#llx, window %#llx+64M\n", seed, m->base);

	for (m->op = 0; m->op < MODEL_OPS; m->op++) {
		u32 r = model_rand(m, 16);

		if (!r && m->nr_ext)
			model_map_over(m);
		else if (r < 9)
			model_map(m);
		else
			model_unmap(m);
		if (m->op % MODEL_CHECK_EVERY == MODEL_CHECK_EVERY - 1)
			model_check_all(m);
	}
	kunit_info(test, "%u maps, %u unmaps, %u overlapping maps, %lu pages in 2M leaves seen\n",
		   m->maps, m->unmaps, m->overlaps, m->pages_in_2m);
	KUNIT_EXPECT_GT(test, m->maps, MODEL_OPS / 4);
	KUNIT_EXPECT_GT(test, m->unmaps, MODEL_OPS / 4);
	KUNIT_EXPECT_GT(test, m->overlaps, MODEL_OPS / 32);
	/* The alignment mix must have produced some 2M leaves. */
	KUNIT_EXPECT_GT(test, m->pages_in_2m, 0);

	/* Unmap half of the extents one by one, the rest in one go. */
	for (i = m->nr_ext / 2; i; i--)
		model_unmap(m);
	for (i = 0; i < m->nr_ext; i++)
		left += m->ext[i].nr * PG_4K;
	unmap_everything(test, left);
	memset(m->page, 0, MODEL_PAGES * sizeof(*m->page));
	model_check_all(m);
}

static struct kunit_case intel_pgtable_fmt_cases[] = {
	KUNIT_CASE_PARAM(fmt_table_entries, pt_format_gen_params),
	KUNIT_CASE_PARAM(fmt_leaf_bits, pt_format_gen_params),
	KUNIT_CASE_PARAM(fmt_dirty_tracking_bits, pt_format_gen_params),
	KUNIT_CASE_PARAM(fmt_leaf_size_alignment, pt_format_gen_params),
	KUNIT_CASE_PARAM(fmt_leaf_size_weak_paddr, pt_format_gen_params),
	KUNIT_CASE_PARAM(fmt_leaf_size_no_1g, pt_format_gen_params),
	KUNIT_CASE_PARAM(fmt_leaf_size_4k_only, pt_format_gen_params),
	KUNIT_CASE_PARAM(fmt_top_and_bottom, pt_format_gen_params),
	KUNIT_CASE_PARAM(fmt_dump, pt_format_gen_params),
	KUNIT_CASE_PARAM(fmt_spec_encodings, pt_format_gen_params),
	KUNIT_CASE_PARAM(fmt_spec_geometry, pt_format_gen_params),
	{}
};

static struct kunit_suite intel_pgtable_fmt_suite = {
	.name = "intel_pgtable_fmt",
	.init = pt_test_init,
	.exit = pt_test_exit,
	.test_cases = intel_pgtable_fmt_cases,
};

static struct kunit_case intel_pgtable_cases[] = {
	KUNIT_CASE(init_bad_cfg),
	KUNIT_CASE(init_enomem),
	KUNIT_CASE_PARAM(map_bad_alignment, pt_format_gen_params),
	KUNIT_CASE_PARAM(map_bad_prot, pt_format_gen_params),
	KUNIT_CASE_PARAM(map_bad_range, pt_format_gen_params),
	KUNIT_CASE_PARAM(map_exists, pt_format_gen_params),
	KUNIT_CASE_PARAM(lookup_errors, pt_format_gen_params),
	KUNIT_CASE_PARAM(unmap_bad_range, pt_format_gen_params),
	KUNIT_CASE_PARAM(unmap_gather_tables, pt_format_gen_params),
	KUNIT_CASE_PARAM(unmap_gather_quarantine, pt_format_gen_params),
	KUNIT_CASE_PARAM(unmap_whole_leaf, pt_format_gen_params),
	KUNIT_CASE_PARAM(unmap_mid_leaf, pt_format_gen_params),
	KUNIT_CASE_PARAM(unmap_holes, pt_format_gen_params),
	KUNIT_CASE_PARAM(remap_after_partial_unmap, pt_format_gen_params),
	KUNIT_CASE_PARAM(alloc_failure_sweep, pt_format_gen_params),
	KUNIT_CASE(alloc_leak_check_sees_leaks),
	KUNIT_CASE_PARAM(alloc_failure_many, pt_format_gen_params),
	KUNIT_CASE_PARAM(alloc_failure_many_tables, pt_format_gen_params),
	KUNIT_CASE_PARAM(map_new_leaf_table_clean, pt_format_gen_params),
	KUNIT_CASE_PARAM(dirty_no_clear, pt_format_gen_params),
	KUNIT_CASE_PARAM(dirty_clear, pt_format_gen_params),
	KUNIT_CASE_PARAM(dirty_errors, pt_format_gen_params),
	KUNIT_CASE_PARAM(noncoherent, pt_format_gen_params),
	KUNIT_CASE_PARAM(concurrent_map_unmap, pt_format_gen_params),
	KUNIT_CASE_PARAM(random_ops, pt_format_gen_params),
	{}
};

static struct kunit_suite intel_pgtable_suite = {
	.name = "intel_pgtable",
	.init = pt_test_init,
	.exit = pt_test_exit,
	.test_cases = intel_pgtable_cases,
};

kunit_test_suites(&intel_pgtable_fmt_suite, &intel_pgtable_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_DESCRIPTION("KUnit tests for the VT-d page-table library");
MODULE_LICENSE("GPL");
