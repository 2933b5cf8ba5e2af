// SPDX-License-Identifier: GPL-2.0-only
/*
 * Human-readable dump of a VT-d page table, for debugfs. Runs of leaves
 * that map contiguous output with the same attributes print as one line.
 *
 * A large table is dumped in chunks of a bounded number of entries, so
 * the caller can hold the lock that keeps table pages from being freed
 * for one chunk at a time, and sleep between chunks.
 */
#include <linux/export.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/seq_file.h>

#include "pgtable-fmt.h"

static const char *const vtd_pt_format_names[VTD_PT_NR_FORMATS] = {
	[VTD_PT_FL4] = "first-level 4-level 48-bit",
	[VTD_PT_FL5] = "first-level 5-level 57-bit",
	[VTD_PT_SL3] = "second-level 3-level 39-bit",
	[VTD_PT_SL4] = "second-level 4-level 48-bit",
};

static void vtd_pt_run_flush(struct vtd_pt_dump *run, bool fl)
{
	int prot = vtd_pt_leaf_prot(run->attrs, fl);

	if (!run->count)
		return;
	seq_printf(run->m, "  iova 0x%016llx-0x%016llx -> 0x%llx %lluK x %llu %c%c%s%s%s attrs 0x%llx\n",
		   run->va, run->va + run->count * run->leaf_size - 1, run->pa,
		   run->leaf_size >> 10, run->count,
		   prot & IOMMU_READ ? 'r' : '-', prot & IOMMU_WRITE ? 'w' : '-',
		   prot & IOMMU_CACHE ? " snoop" : "",
		   prot & IOMMU_MMIO ? " uc" : "",
		   prot & IOMMU_NOEXEC ? " xd" : "", run->attrs);
	run->count = 0;
}

static void vtd_pt_run_add(struct vtd_pt_dump *run, u64 va, u64 e,
			   unsigned int level, bool fl)
{
	u64 size = vtd_pt_level_size(level);
	u64 pa = vtd_pt_leaf_pa(e, level);
	u64 attrs = e & ~(VTD_PT_ADDR & ~(size - 1));

	if (run->count && run->leaf_size == size && run->attrs == attrs &&
	    run->va + run->count * size == va &&
	    run->pa + run->count * size == pa) {
		run->count++;
		return;
	}
	vtd_pt_run_flush(run, fl);
	run->va = va;
	run->pa = pa;
	run->attrs = attrs;
	run->leaf_size = size;
	run->count = 1;
}

/*
 * Visit the entries of @table (at @level, covering IOVAs from @base in
 * table order, before sign extension) from d->next on, at most *budget of
 * them. Return: false when the budget ran out; d->next is then the first
 * entry not visited.
 */
static bool vtd_pt_dump_level(struct vtd_pt *pt, struct vtd_pt_dump *d,
			      u64 *table, unsigned int level, u64 base,
			      unsigned int *budget)
{
	bool fl = pt->first_level;
	unsigned int i = d->next > base ? vtd_pt_index(d->next, level) : 0;

	for (; i < VTD_PT_ENTRIES; i++) {
		u64 raw = base + ((u64)i << vtd_pt_level_shift(level));
		u64 e, va = fl ? sign_extend64(raw, pt->va_bits - 1) : raw;

		if (!*budget) {
			d->next = raw;
			return false;
		}
		(*budget)--;
		e = READ_ONCE(table[i]);
		if (!vtd_pt_present(e, fl))
			continue;
		if (vtd_pt_is_leaf(e, level, fl))
			vtd_pt_run_add(d, va, e, level, fl);
		else if (!vtd_pt_dump_level(pt, d, vtd_pt_table_va(e),
					    level - 1, raw, budget))
			return false;
	}
	return true;
}

/**
 * vtd_pt_dump_begin() - start a dump of a table: print its header
 * @pt: the table
 * @d: the dump's state, set up here
 * @m: where to print
 */
void vtd_pt_dump_begin(struct vtd_pt *pt, struct vtd_pt_dump *d,
		       struct seq_file *m)
{
	memset(d, 0, sizeof(*d));
	d->m = m;
	seq_printf(m, "%s table at 0x%llx, %ld table pages\n",
		   vtd_pt_format_names[pt->cfg.format],
		   (u64)vtd_pt_top_phys(pt), atomic_long_read(&pt->nr_tables));
}
EXPORT_SYMBOL_GPL(vtd_pt_dump_begin);

/**
 * vtd_pt_dump_chunk() - print the next part of a table
 * @pt: the table
 * @d: the dump's state
 * @max_entries: visit at most this many entries (table pointers included)
 *
 * Context: like vtd_pt_lookup(); the caller keeps table pages from being
 * freed during the call (not between calls). A range changed meanwhile
 * may print in its old or new state.
 * Return: true when the whole table has been visited.
 */
bool vtd_pt_dump_chunk(struct vtd_pt *pt, struct vtd_pt_dump *d,
		       unsigned int max_entries)
{
	unsigned int budget = max_t(unsigned int, max_entries, pt->levels);

	if (vtd_pt_dump_level(pt, d, pt->top, pt->levels - 1, 0, &budget)) {
		vtd_pt_run_flush(d, pt->first_level);
		return true;
	}
	return false;
}
EXPORT_SYMBOL_GPL(vtd_pt_dump_chunk);

/**
 * vtd_pt_dump() - print every mapping of a table, in one go
 * @pt: the table
 * @m: where to print
 *
 * Context: like vtd_pt_dump_chunk(), for the whole walk.
 */
void vtd_pt_dump(struct vtd_pt *pt, struct seq_file *m)
{
	struct vtd_pt_dump d;

	vtd_pt_dump_begin(pt, &d, m);
	while (!vtd_pt_dump_chunk(pt, &d, VTD_PT_ENTRIES))
		;
}
EXPORT_SYMBOL_GPL(vtd_pt_dump);
