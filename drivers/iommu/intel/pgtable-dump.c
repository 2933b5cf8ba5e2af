// SPDX-License-Identifier: GPL-2.0-only
/*
 * Human-readable dump of a VT-d page table, for debugfs. Runs of leaves
 * that map contiguous output with the same attributes print as one line.
 */
#include <linux/export.h>
#include <linux/seq_file.h>

#include "pgtable-fmt.h"

struct vtd_pt_run {
	struct seq_file *m;
	u64 va;		/* first IOVA of the pending run */
	u64 pa;		/* its output address */
	u64 attrs;	/* leaf bits but the address */
	u64 leaf_size;
	u64 count;	/* leaves in the run; 0 = none pending */
};

static const char *const vtd_pt_format_names[VTD_PT_NR_FORMATS] = {
	[VTD_PT_FL4] = "first-level 4-level 48-bit",
	[VTD_PT_FL5] = "first-level 5-level 57-bit",
	[VTD_PT_SL3] = "second-level 3-level 39-bit",
	[VTD_PT_SL4] = "second-level 4-level 48-bit",
};

static void vtd_pt_run_flush(struct vtd_pt_run *run, bool fl)
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

static void vtd_pt_run_add(struct vtd_pt_run *run, u64 va, u64 e,
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
	*run = (struct vtd_pt_run){ .m = run->m, .va = va, .pa = pa,
				    .attrs = attrs, .leaf_size = size,
				    .count = 1 };
}

static void vtd_pt_dump_level(struct vtd_pt *pt, struct vtd_pt_run *run,
			      u64 *table, unsigned int level, u64 base)
{
	bool fl = pt->first_level;
	unsigned int i;

	for (i = 0; i < VTD_PT_ENTRIES; i++) {
		u64 e = READ_ONCE(table[i]);
		u64 va = base + ((u64)i << vtd_pt_level_shift(level));

		if (fl)
			va = sign_extend64(va, pt->va_bits - 1);
		if (!vtd_pt_present(e, fl))
			continue;
		if (vtd_pt_is_leaf(e, level, fl))
			vtd_pt_run_add(run, va, e, level, fl);
		else
			vtd_pt_dump_level(pt, run, vtd_pt_table_va(e),
					  level - 1, va);
	}
}

/**
 * vtd_pt_dump() - print every mapping of a table
 * @pt: the table
 * @m: where to print
 *
 * Context: like vtd_pt_lookup(); a range changed meanwhile may print in
 * its old or new state.
 */
void vtd_pt_dump(struct vtd_pt *pt, struct seq_file *m)
{
	struct vtd_pt_run run = { .m = m };

	seq_printf(m, "%s table at 0x%llx, %ld table pages\n",
		   vtd_pt_format_names[pt->cfg.format],
		   (u64)vtd_pt_top_phys(pt), atomic_long_read(&pt->nr_tables));
	vtd_pt_dump_level(pt, &run, pt->top, pt->levels - 1, 0);
	vtd_pt_run_flush(&run, pt->first_level);
}
EXPORT_SYMBOL_GPL(vtd_pt_dump);
