// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark: intel-pgtable against the kernel's generic_pt x86_64 format
 * (what the in-kernel VT-d driver uses for first-level tables), on the
 * same work in the same boot. Loading the module runs it and prints one
 * line per row: min and median nanoseconds of each, and the ratio
 * ours / generic_pt. Nothing is asserted: under emulation only the ratios
 * of one run mean anything.
 */
#define pr_fmt(fmt) "intel-pgtable-bench: " fmt

#include <linux/generic_pt/iommu.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "iommu-pages.h"	/* iommu_put_pages_list(), from the kernel tree */
#include "vtd-pgtable.h"

static unsigned int reps = 200;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "repetitions of each small row (big rows do reps/20)");

/* Both tables are first level, 4-level, 48-bit, as the driver uses them. */
struct bench_tables {
	struct vtd_pt ours;
	struct pt_iommu_x86_64 peer;
};

static int bench_tables_init(struct bench_tables *t, unsigned long pgsizes)
{
	const struct vtd_pt_cfg cfg = {
		.format = VTD_PT_FL4,
		.pgsize_bitmap = pgsizes,
		.oas_bits = 52,
		.nid = NUMA_NO_NODE,
	};
	const struct pt_iommu_x86_64_cfg peer_cfg = {
		.common = {
			.features = BIT(PT_FEAT_SIGN_EXTEND) |
				    BIT(PT_FEAT_FLUSH_RANGE),
			.hw_max_vasz_lg2 = 48,
			.hw_max_oasz_lg2 = 52,
		},
		.top_level = 3,
	};
	int ret;

	ret = vtd_pt_init(&t->ours, &cfg, GFP_KERNEL);
	if (ret)
		return ret;
	t->peer.iommu.nid = NUMA_NO_NODE;
	ret = pt_iommu_x86_64_init(&t->peer, &peer_cfg, GFP_KERNEL);
	if (ret) {
		vtd_pt_destroy(&t->ours);
		return ret;
	}
	t->peer.iommu.domain.pgsize_bitmap &= pgsizes;
	return 0;
}

static void bench_tables_destroy(struct bench_tables *t)
{
	pt_iommu_deinit(&t->peer.iommu);
	vtd_pt_destroy(&t->ours);
}

static int ours_map(struct bench_tables *t, u64 iova, u64 pa, u64 len)
{
	return vtd_pt_map(&t->ours, iova, pa, len, IOMMU_READ | IOMMU_WRITE,
			  GFP_KERNEL);
}

static int peer_map(struct bench_tables *t, u64 iova, u64 pa, u64 len)
{
	struct pt_iommu *pt = &t->peer.iommu;
	size_t mapped = 0;

	return pt->ops->map_range(pt, iova, pa, len, IOMMU_READ | IOMMU_WRITE,
				  GFP_KERNEL, &mapped);
}

/* Unmap includes freeing the table pages the unmap released, on both. */
static u64 ours_unmap(struct bench_tables *t, u64 iova, u64 len)
{
	struct vtd_pt_gather g;
	u64 n;

	vtd_pt_gather_init(&g);
	n = vtd_pt_unmap(&t->ours, iova, len, &g);
	vtd_pt_gather_release(&t->ours, &g);
	return n;
}

static u64 peer_unmap(struct bench_tables *t, u64 iova, u64 len)
{
	struct pt_iommu *pt = &t->peer.iommu;
	struct iommu_iotlb_gather g;
	u64 n;

	iommu_iotlb_gather_init(&g);
	n = pt->ops->unmap_range(pt, iova, len, &g);
	iommu_put_pages_list(&g.freelist);
	return n;
}

struct bench_side {
	int (*map)(struct bench_tables *t, u64 iova, u64 pa, u64 len);
	u64 (*unmap)(struct bench_tables *t, u64 iova, u64 len);
};

static const struct bench_side sides[] = {
	{ ours_map, ours_unmap },
	{ peer_map, peer_unmap },
};

struct bench_row {
	const char *name;
	u64 len;
	unsigned long pgsizes;
	bool big;
};

/* IOVA and output address: 1G aligned, not at 0, in the lower half. */
#define BENCH_IOVA	(5ULL << 30)
#define BENCH_PA	(7ULL << 30)

static const struct bench_row rows[] = {
	{ "4K", SZ_4K, VTD_PT_PGSIZES },
	{ "2M", SZ_2M, VTD_PT_PGSIZES },
	{ "1G", SZ_1G, VTD_PT_PGSIZES },
	{ "256x4K", 256 * SZ_4K, VTD_PT_PGSIZES },
	{ "1G in 4K pages", SZ_1G, SZ_4K, true },
};

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

/* Time map and unmap of one row on one side; map_ns/unmap_ns get n samples. */
static int bench_side_run(const struct bench_side *s, struct bench_tables *t,
			  const struct bench_row *row, unsigned int n,
			  u64 *map_ns, u64 *unmap_ns)
{
	unsigned int i;
	int ret;

	/* Warm-up: leaves the upper tables in place, as in steady use. */
	ret = s->map(t, BENCH_IOVA, BENCH_PA, row->len);
	if (ret)
		return ret;
	s->unmap(t, BENCH_IOVA, row->len);

	for (i = 0; i < n; i++) {
		u64 t0, t1, t2, unmapped;

		t0 = ktime_get_ns();
		ret = s->map(t, BENCH_IOVA, BENCH_PA, row->len);
		t1 = ktime_get_ns();
		if (ret)
			return ret;
		unmapped = s->unmap(t, BENCH_IOVA, row->len);
		t2 = ktime_get_ns();
		if (unmapped != row->len)
			return -EIO;
		map_ns[i] = t1 - t0;
		unmap_ns[i] = t2 - t1;
		cond_resched();
	}
	return 0;
}

static void bench_print(const char *what, const char *row,
			struct bench_stat ours, struct bench_stat peer)
{
	u64 r100 = div64_u64(ours.median * 100, max(peer.median, 1ULL));

	pr_info("%-6s %-15s %10llu %10llu %10llu %10llu   %llu.%02llu\n",
		what, row, ours.min, ours.median, peer.min, peer.median,
		r100 / 100, r100 % 100);
}

static int bench_row_run(const struct bench_row *row, u64 *buf)
{
	unsigned int n = row->big ? max(reps / 20, 3U) : reps;
	struct bench_stat st[2][2];	/* [side][map, unmap] */
	struct bench_tables *t;
	unsigned int s;
	int ret;

	t = kzalloc_obj(*t);
	if (!t)
		return -ENOMEM;
	ret = bench_tables_init(t, row->pgsizes);
	if (ret)
		goto out_free;
	for (s = 0; s < ARRAY_SIZE(sides); s++) {
		ret = bench_side_run(&sides[s], t, row, n, buf, buf + n);
		if (ret)
			goto out_destroy;
		st[s][0] = bench_stat(buf, n);
		st[s][1] = bench_stat(buf + n, n);
	}
	bench_print("map", row->name, st[0][0], st[1][0]);
	bench_print("unmap", row->name, st[0][1], st[1][1]);
out_destroy:
	bench_tables_destroy(t);
out_free:
	kfree(t);
	return ret;
}

static int __init pgtable_bench_init(void)
{
	unsigned int i;
	u64 *buf;
	int ret = 0;

	if (!reps)
		return -EINVAL;
	buf = kvmalloc_array(2 * reps, sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	pr_info("first-level 4-level tables, %u repetitions (big rows %u)\n",
		reps, max(reps / 20, 3U));
	pr_info("%-6s %-15s %10s %10s %10s %10s   %s\n", "op", "size",
		"ours min", "ours med", "gpt min", "gpt med", "ratio (med)");
	for (i = 0; i < ARRAY_SIZE(rows) && !ret; i++)
		ret = bench_row_run(&rows[i], buf);
	kvfree(buf);
	if (ret)
		pr_err("failed: %d\n", ret);
	else
		pr_info("done\n");
	return ret;
}

static void __exit pgtable_bench_exit(void)
{
}

module_init(pgtable_bench_init);
module_exit(pgtable_bench_exit);
MODULE_IMPORT_NS("GENERIC_PT_IOMMU");
MODULE_DESCRIPTION("intel-pgtable benchmark against generic_pt x86_64");
MODULE_LICENSE("GPL");
