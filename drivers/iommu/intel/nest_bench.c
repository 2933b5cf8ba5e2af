// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark: what the software nesting engine (shadow.c, compiled again
 * into this module) costs, beside mapping the same range directly in a
 * paging domain's table, in the same boot. Loading the module runs it and
 * prints one line per row: min and median nanoseconds of the nesting
 * operation and of the direct map, and the ratio of medians
 * nesting / direct map.
 *
 * Rows, each on the engine alone (no hardware: what the driver adds on
 * top is one IOTLB invalidation per operation, the same for a direct
 * unmap):
 *  - sync of one guest 4K leaf, and of one guest 2M leaf, made present
 *    (what IOMMU_HWPT_INVALIDATE costs after a guest map);
 *  - a full resync of 1 GiB that the guest maps with 2M leaves (what the
 *    first attach of a nested domain costs);
 *  - an unmap of 2 MiB of the parent under one and under eight nested
 *    domains that use it: the parent's own unmap plus the revocation in
 *    every shadow (vtd_nest_parent_changed()).
 *
 * The guest's table lives in real pages that the parent maps; guest data
 * GPAs map to host addresses that are never touched (only tables are
 * read), as in pgtable_bench.c. Nothing is asserted: under emulation only
 * the ratios of one run mean anything.
 */
#define pr_fmt(fmt) "intel-vtd-nest-bench: " fmt

#include <linux/gfp.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "shadow.h"
#include "vtd-pgtable.h"

static unsigned int reps = 200;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "repetitions of each small row (big rows do reps/20)");

/* First-level entry bits (VT-d 3.x, 9.7): what a guest writes. */
#define S1_P		BIT_ULL(0)
#define S1_RW		BIT_ULL(1)
#define S1_US		BIT_ULL(2)
#define S1_PS		BIT_ULL(7)
#define S1_TABLE	(S1_P | S1_RW | S1_US)
#define S1_ADDR		GENMASK_ULL(51, 12)

#define RW		(IOMMU_READ | IOMMU_WRITE)

/* Guest-physical layout: table pages, then data, all 1G aligned. */
#define GPA_TABLES	BIT_ULL(30)
#define GPA_DATA	(2ULL << 30)	/* 1 GiB of data GPAs */
#define HPA_DATA	(8ULL << 30)	/* never touched: only composed */

/* GIOVAs of the rows. */
#define GIOVA_4K	(3ULL << 30)
#define GIOVA_2M	(4ULL << 30)
#define GIOVA_1G	(5ULL << 30)
#define GIOVA_REVOKE	(6ULL << 30)

#define NR_TABLES	8	/* PML4, PDPT, 3 PDs, 1 PT, spare */
#define NR_NESTED	8

/* The guest: its table pages, mapped by the parent at GPA_TABLES. */
struct bench_guest {
	struct vtd_pt parent;
	u64 *tables[NR_TABLES];
	unsigned int used;
};

static const struct vtd_pt_cfg bench_cfg = {
	.format = VTD_PT_FL4,
	.pgsize_bitmap = VTD_PT_PGSIZES,
	.oas_bits = 52,
	.nid = NUMA_NO_NODE,
};

static u64 table_gpa(unsigned int i)
{
	return GPA_TABLES + (u64)i * SZ_4K;
}

static int guest_init(struct bench_guest *g)
{
	struct vtd_pt_cfg cfg = bench_cfg;
	unsigned int i;
	int ret;

	memset(g, 0, sizeof(*g));

	/* 2M leaves at most: a parent unmap of 2 MiB must not split one. */
	cfg.pgsize_bitmap = SZ_4K | SZ_2M;
	ret = vtd_pt_init(&g->parent, &cfg, GFP_KERNEL);
	if (ret)
		return ret;
	for (i = 0; i < NR_TABLES; i++) {
		g->tables[i] = (u64 *)get_zeroed_page(GFP_KERNEL);
		if (!g->tables[i])
			return -ENOMEM;
		ret = vtd_pt_map(&g->parent, table_gpa(i),
				 virt_to_phys(g->tables[i]), SZ_4K, RW,
				 GFP_KERNEL);
		if (ret)
			return ret;
	}
	/* Data: 1 GiB of GPAs in 2M parent leaves. */
	ret = vtd_pt_map(&g->parent, GPA_DATA, HPA_DATA, SZ_1G, RW,
			 GFP_KERNEL);
	if (ret)
		return ret;
	g->used = 1;		/* table 0 is the PML4 */
	return 0;
}

static void guest_fini(struct bench_guest *g)
{
	struct vtd_pt_gather gather;
	unsigned int i;

	if (g->parent.top) {
		vtd_pt_gather_init(&gather);
		vtd_pt_unmap(&g->parent, 0, 1ULL << 47, &gather);
		vtd_pt_gather_release(&g->parent, &gather);
		vtd_pt_destroy(&g->parent);
	}
	for (i = 0; i < NR_TABLES; i++)
		free_page((unsigned long)g->tables[i]);
}

/*
 * The guest's entry for @giova at level @leaf_level (0: PTE, 1: PDE),
 * creating the tables above it.
 */
static u64 *guest_entry(struct bench_guest *g, u64 giova,
			unsigned int leaf_level)
{
	unsigned int level = 3;
	u64 *table = g->tables[0];

	for (;;) {
		u64 *e = &table[(giova >> (12 + 9 * level)) & 511];
		unsigned int i;

		if (level == leaf_level)
			return e;
		if (!(*e & S1_P)) {
			if (g->used == NR_TABLES)
				return NULL;
			*e = table_gpa(g->used++) | S1_TABLE;
		}
		i = ((*e & S1_ADDR) - GPA_TABLES) / SZ_4K;
		table = g->tables[i];
		level--;
	}
}

static int guest_map(struct bench_guest *g, u64 giova, u64 gpa, u64 size)
{
	u64 *e = guest_entry(g, giova, size == SZ_2M ? 1 : 0);

	if (!e)
		return -ENOSPC;
	WRITE_ONCE(*e, gpa | S1_TABLE | (size == SZ_2M ? S1_PS : 0));
	return 0;
}

static void guest_unmap(struct bench_guest *g, u64 giova, u64 size)
{
	u64 *e = guest_entry(g, giova, size == SZ_2M ? 1 : 0);

	if (e)
		WRITE_ONCE(*e, 0);
}

/* One nested domain: a shadow table and the engine's state. */
struct bench_nested {
	struct vtd_pt table;
	struct vtd_shadow sh;
};

static int nested_init(struct bench_nested *n, struct bench_guest *g)
{
	const struct vtd_shadow_cfg scfg = {
		.s1_root = table_gpa(0),
		.s1_levels = 4,
		.s1_1g = true,
		.max_records = 1 << 20,
		.max_walk = 1 << 16,
	};
	int ret;

	ret = vtd_pt_init(&n->table, &bench_cfg, GFP_KERNEL);
	if (ret)
		return ret;
	ret = vtd_shadow_init(&n->sh, &n->table, &g->parent, &scfg);
	if (ret)
		vtd_pt_destroy(&n->table);
	return ret;
}

static void nested_fini(struct bench_nested *n)
{
	struct vtd_pt_gather gather;

	vtd_pt_gather_init(&gather);
	vtd_shadow_clear(&n->sh, &gather);
	vtd_pt_gather_release(&n->table, &gather);
	vtd_shadow_destroy(&n->sh);
	vtd_pt_destroy(&n->table);
}

static int nested_sync(struct bench_nested *n, u64 giova, u64 len)
{
	struct vtd_pt_gather gather;
	int ret;

	vtd_pt_gather_init(&gather);
	ret = vtd_shadow_sync(&n->sh, giova, giova + len - 1, &gather);
	vtd_pt_gather_release(&n->table, &gather);
	return ret;
}

/* The direct peer: a paging domain's table, mapped and unmapped. */
static int direct_map(struct vtd_pt *pt, u64 iova, u64 len)
{
	return vtd_pt_map(pt, iova, HPA_DATA, len, RW, GFP_KERNEL);
}

static int direct_unmap(struct vtd_pt *pt, u64 iova, u64 len)
{
	struct vtd_pt_gather gather;
	u64 n;

	vtd_pt_gather_init(&gather);
	n = vtd_pt_unmap(pt, iova, len, &gather);
	vtd_pt_gather_release(pt, &gather);
	return n == len ? 0 : -EIO;
}

/* Time @n direct maps of @len (each unmapped again, untimed). */
static int direct_run(u64 len, unsigned long pgsizes, unsigned int n,
		      u64 *ns)
{
	struct vtd_pt_cfg cfg = bench_cfg;
	struct vtd_pt pt;
	unsigned int i;
	int ret;

	cfg.pgsize_bitmap = pgsizes;
	ret = vtd_pt_init(&pt, &cfg, GFP_KERNEL);
	if (ret)
		return ret;
	/* Warm-up: the upper tables stay, as in steady use. */
	ret = direct_map(&pt, GIOVA_1G, len) ?: direct_unmap(&pt, GIOVA_1G, len);
	for (i = 0; i < n && !ret; i++) {
		u64 t0 = ktime_get_ns();

		ret = direct_map(&pt, GIOVA_1G, len);
		ns[i] = ktime_get_ns() - t0;
		if (!ret)
			ret = direct_unmap(&pt, GIOVA_1G, len);
		cond_resched();
	}
	vtd_pt_destroy(&pt);
	return ret;
}

/*
 * Time @n syncs of one guest leaf made present (each removed again by
 * a second, untimed sync after the guest unmaps it).
 */
static int sync_leaf_run(struct bench_guest *g, u64 giova, u64 size,
			 unsigned int n, u64 *ns)
{
	struct bench_nested *nd;
	unsigned int i;
	int ret;

	nd = kzalloc_obj(*nd);
	if (!nd)
		return -ENOMEM;
	ret = nested_init(nd, g);
	if (ret)
		goto out_free;
	ret = guest_map(g, giova, GPA_DATA, size) ?:
	      nested_sync(nd, giova, size);
	guest_unmap(g, giova, size);
	ret = ret ?: nested_sync(nd, giova, size);
	for (i = 0; i < n && !ret; i++) {
		u64 t0;

		ret = guest_map(g, giova, GPA_DATA, size);
		if (ret)
			break;
		t0 = ktime_get_ns();
		ret = nested_sync(nd, giova, size);
		ns[i] = ktime_get_ns() - t0;
		if (!ret && nd->sh.last.written != 1)
			ret = -EIO;
		guest_unmap(g, giova, size);
		ret = ret ?: nested_sync(nd, giova, size);
		cond_resched();
	}
	nested_fini(nd);
out_free:
	kfree(nd);
	return ret;
}

/* Time @n full resyncs of a guest that maps 1 GiB with 2M leaves. */
static int resync_1g_run(struct bench_guest *g, unsigned int n, u64 *ns)
{
	struct vtd_pt_gather gather;
	struct bench_nested *nd;
	unsigned int i;
	u64 off;
	int ret = 0;

	for (off = 0; off < SZ_1G && !ret; off += SZ_2M)
		ret = guest_map(g, GIOVA_1G + off, GPA_DATA + off, SZ_2M);
	if (ret)
		return ret;
	nd = kzalloc_obj(*nd);
	if (!nd)
		return -ENOMEM;
	ret = nested_init(nd, g);
	if (ret)
		goto out_free;
	for (i = 0; i < n && !ret; i++) {
		u64 t0;

		vtd_pt_gather_init(&gather);
		vtd_shadow_clear(&nd->sh, &gather);
		vtd_pt_gather_release(&nd->table, &gather);
		t0 = ktime_get_ns();
		vtd_pt_gather_init(&gather);
		ret = vtd_shadow_sync_all(&nd->sh, &gather);
		vtd_pt_gather_release(&nd->table, &gather);
		ns[i] = ktime_get_ns() - t0;
		if (!ret && nd->sh.last.written != SZ_1G / SZ_2M)
			ret = -EIO;
		cond_resched();
	}
	nested_fini(nd);
out_free:
	kfree(nd);
	for (off = 0; off < SZ_1G; off += SZ_2M)
		guest_unmap(g, GIOVA_1G + off, SZ_2M);
	return ret;
}

/*
 * Time @n unmaps of 2 MiB of the parent that @nr nested domains use
 * (through a guest 2M leaf): the parent's unmap, then each shadow's
 * revocation, as vtd_nest_parent_changed() does. The parent maps the
 * range again and the shadows pick it up between samples, untimed.
 */
static int revoke_run(struct bench_guest *g, unsigned int nr, unsigned int n,
		      u64 *ns)
{
	const u64 gpa = GPA_DATA, last = GPA_DATA + SZ_2M - 1;
	struct vtd_pt_gather gather;
	struct bench_nested *nd;
	unsigned int i, k, made = 0;
	int ret;

	nd = kcalloc(nr, sizeof(*nd), GFP_KERNEL);
	if (!nd)
		return -ENOMEM;
	ret = guest_map(g, GIOVA_REVOKE, gpa, SZ_2M);
	for (k = 0; k < nr && !ret; k++) {
		ret = nested_init(&nd[k], g);
		if (ret)
			break;
		made++;
		ret = nested_sync(&nd[k], GIOVA_REVOKE, SZ_2M);
	}
	for (i = 0; i < n && !ret; i++) {
		u64 t0 = ktime_get_ns();

		ret = direct_unmap(&g->parent, gpa, SZ_2M);
		for (k = 0; k < nr && !ret; k++) {
			if (!vtd_shadow_uses_gpa(&nd[k].sh, gpa, last)) {
				ret = -EIO;
				break;
			}
			vtd_pt_gather_init(&gather);
			vtd_shadow_parent_changed(&nd[k].sh, gpa, last,
						  &gather);
			vtd_pt_gather_release(&nd[k].table, &gather);
		}
		ns[i] = ktime_get_ns() - t0;
		ret = ret ?: vtd_pt_map(&g->parent, gpa, HPA_DATA, SZ_2M, RW,
					GFP_KERNEL);
		for (k = 0; k < nr && !ret; k++) {
			vtd_pt_gather_init(&gather);
			vtd_shadow_parent_changed(&nd[k].sh, gpa, last,
						  &gather);
			vtd_pt_gather_release(&nd[k].table, &gather);
			if (nd[k].sh.last.written != 1)
				ret = -EIO;
		}
		cond_resched();
	}
	for (k = 0; k < made; k++)
		nested_fini(&nd[k]);
	kfree(nd);
	guest_unmap(g, GIOVA_REVOKE, SZ_2M);
	return ret;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

struct bench_stat {
	u64 min;
	u64 median;
};

static struct bench_stat bench_stat(u64 *ns, unsigned int n)
{
	sort(ns, n, sizeof(*ns), cmp_u64, NULL);
	return (struct bench_stat){ .min = ns[0], .median = ns[n / 2] };
}

static void bench_print(const char *row, const char *peer,
			struct bench_stat nest, struct bench_stat direct)
{
	u64 r100 = div64_u64(nest.median * 100, max(direct.median, 1ULL));

	pr_info("%-26s %10llu %10llu  %-8s %10llu %10llu   %llu.%02llu\n",
		row, nest.min, nest.median, peer, direct.min, direct.median,
		r100 / 100, r100 % 100);
}

enum bench_kind { SYNC_4K, SYNC_2M, RESYNC_1G, REVOKE_1, REVOKE_8 };

struct bench_row {
	const char *name;
	enum bench_kind kind;
	u64 direct_len;
	const char *direct_name;
	unsigned long direct_pgsizes;
	bool big;
};

static const struct bench_row rows[] = {
	{ "sync guest 4K leaf", SYNC_4K, SZ_4K, "map 4K", VTD_PT_PGSIZES },
	{ "sync guest 2M leaf", SYNC_2M, SZ_2M, "map 2M", VTD_PT_PGSIZES },
	{ "resync 1G of 2M leaves", RESYNC_1G, SZ_1G, "map 1G/2M",
	  SZ_4K | SZ_2M, true },
	{ "parent unmap 2M, 1 nested", REVOKE_1, SZ_2M, "map 2M",
	  VTD_PT_PGSIZES },
	{ "parent unmap 2M, 8 nested", REVOKE_8, SZ_2M, "map 2M",
	  VTD_PT_PGSIZES },
};

static int bench_row_run(const struct bench_row *row, u64 *buf)
{
	unsigned int n = row->big ? max(reps / 20, 3U) : reps;
	struct bench_stat nest, direct;
	struct bench_guest *g;
	int ret;

	g = kzalloc_obj(*g);
	if (!g)
		return -ENOMEM;
	ret = guest_init(g);
	if (ret)
		goto out;
	switch (row->kind) {
	case SYNC_4K:
		ret = sync_leaf_run(g, GIOVA_4K, SZ_4K, n, buf);
		break;
	case SYNC_2M:
		ret = sync_leaf_run(g, GIOVA_2M, SZ_2M, n, buf);
		break;
	case RESYNC_1G:
		ret = resync_1g_run(g, n, buf);
		break;
	case REVOKE_1:
		ret = revoke_run(g, 1, n, buf);
		break;
	case REVOKE_8:
		ret = revoke_run(g, NR_NESTED, n, buf);
		break;
	}
	if (ret)
		goto out;
	nest = bench_stat(buf, n);
	ret = direct_run(row->direct_len, row->direct_pgsizes, n, buf);
	if (ret)
		goto out;
	direct = bench_stat(buf, n);
	bench_print(row->name, row->direct_name, nest, direct);
out:
	guest_fini(g);
	kfree(g);
	return ret;
}

static int __init nest_bench_init(void)
{
	unsigned int i;
	u64 *buf;
	int ret = 0;

	if (!reps)
		return -EINVAL;
	buf = kvmalloc_array(reps, sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	pr_info("software nesting engine vs a direct map, first-level 4-level tables, %u repetitions (big rows %u)\n",
		reps, max(reps / 20, 3U));
	pr_info("%-26s %10s %10s  %-8s %10s %10s   %s\n", "nesting op",
		"nest min", "nest med", "direct", "min", "med", "ratio (med)");
	for (i = 0; i < ARRAY_SIZE(rows) && !ret; i++)
		ret = bench_row_run(&rows[i], buf);
	kvfree(buf);
	if (ret)
		pr_err("failed: %d\n", ret);
	else
		pr_info("done\n");
	return ret;
}

static void __exit nest_bench_exit(void)
{
}

module_init(nest_bench_init);
module_exit(nest_bench_exit);
MODULE_DESCRIPTION("software nesting engine benchmark against a direct map");
MODULE_LICENSE("GPL");
