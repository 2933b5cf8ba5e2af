// SPDX-License-Identifier: GPL-2.0-only
/*
 * Remapping units: finding them in the DMAR table, checking that we may
 * drive them, bringing them up in scalable mode and tearing them down.
 *
 * Bring-up order (VT-d spec 3.x, 6.5 and 10.4): registers mapped, root
 * table set (SRTP with RTADDR.TTM = scalable), queued invalidation on with
 * 256-bit descriptors, global context, PASID and IOTLB invalidation, fault
 * polling started. Translation (GCMD.TE) is turned on only after the
 * iommu core has probed every device, so a device that was already live
 * has its pass-through entry before the first request is translated.
 * Teardown: the iommu core blocks every device of ours while translation
 * is still on (iommu.c), then here translation goes off first and the
 * rest follows in reverse order.
 *
 * Pages the hardware may still walk (their invalidation failed) wait in
 * the quarantine list until translation is off on every unit.
 */
#define pr_fmt(fmt) "intel-vtd: " fmt

#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/slab.h>
#include <asm/cacheflush.h>

#include "vtd.h"

LIST_HEAD(vtd_units);

/* Table pages whose invalidation failed: freed once translation is off. */
static LIST_HEAD(vtd_quarantine);
static DEFINE_SPINLOCK(vtd_quarantine_lock);
static bool vtd_quarantine_stuck;	/* a unit's translation stayed on */

/**
 * vtd_quarantine_add() - keep pages the hardware may still walk
 * @pages: pages linked by page->lru, from intel-pgtable's quarantine calls;
 *	empty afterwards
 *
 * Context: any.
 */
void vtd_quarantine_add(struct list_head *pages)
{
	unsigned long flags;

	spin_lock_irqsave(&vtd_quarantine_lock, flags);
	list_splice_tail_init(pages, &vtd_quarantine);
	spin_unlock_irqrestore(&vtd_quarantine_lock, flags);
}

/**
 * vtd_quarantine_page() - keep one vtd_hw_page_alloc() page the hardware
 *			   may still read
 * @va: the page, or NULL
 */
void vtd_quarantine_page(void *va)
{
	LIST_HEAD(one);

	vtd_hw_page_quarantine(va, &one);
	vtd_quarantine_add(&one);
}

/* Time the hardware gets to acknowledge a GCMD write. */
#define VTD_GSTS_TIMEOUT_US	1000000

/*
 * Entries the hardware reads (root, context, PASID, descriptors) need a
 * cache flush when the unit does not snoop: ECAP.C clear.
 */
void vtd_unit_flush_entry(struct vtd_unit *unit, void *p, size_t len)
{
	if (!unit->coherent)
		clflush_cache_range(p, len);
}

/* Set or clear the state @cmd and wait for GSTS to show @sts. */
static int vtd_gcmd_state(struct vtd_unit *unit, u32 cmd, u32 sts, bool on)
{
	unsigned long flags;
	u32 gsts;
	int ret;

	spin_lock_irqsave(&unit->reg_lock, flags);
	if (on)
		unit->gcmd |= cmd;
	else
		unit->gcmd &= ~cmd;
	vtd_writel(unit, VTD_GCMD_REG, unit->gcmd);
	ret = readl_poll_timeout_atomic(unit->regs + VTD_GSTS_REG, gsts,
					!!(gsts & sts) == on, 1,
					VTD_GSTS_TIMEOUT_US);
	spin_unlock_irqrestore(&unit->reg_lock, flags);
	if (ret)
		pr_err("%s: GSTS %#x did not %s %#x\n", unit->name, gsts,
		       on ? "set" : "clear", sts);
	return ret;
}

/* Issue the one-shot command @cmd and wait until GSTS shows @sts done. */
static int vtd_gcmd_oneshot(struct vtd_unit *unit, u32 cmd, u32 sts,
			    bool sts_when_done)
{
	unsigned long flags;
	u32 gsts;
	int ret;

	spin_lock_irqsave(&unit->reg_lock, flags);
	vtd_writel(unit, VTD_GCMD_REG, unit->gcmd | cmd);
	ret = readl_poll_timeout_atomic(unit->regs + VTD_GSTS_REG, gsts,
					!!(gsts & sts) == sts_when_done, 1,
					VTD_GSTS_TIMEOUT_US);
	spin_unlock_irqrestore(&unit->reg_lock, flags);
	if (ret)
		pr_err("%s: GCMD %#x not acknowledged (GSTS %#x)\n",
		       unit->name, cmd, gsts);
	return ret;
}

/* CAP.RWBF: flush the write buffer after making entries present. */
void vtd_unit_flush_write_buffer(struct vtd_unit *unit)
{
	if (unit->cap & VTD_CAP_RWBF)
		vtd_gcmd_oneshot(unit, VTD_GCMD_WBF, VTD_GSTS_WBFS, false);
}

int vtd_unit_enable_translation(struct vtd_unit *unit)
{
	return vtd_gcmd_state(unit, VTD_GCMD_TE, VTD_GSTS_TES, true);
}

int vtd_unit_disable_translation(struct vtd_unit *unit)
{
	if (!(unit->gcmd & VTD_GCMD_TE))
		return 0;
	return vtd_gcmd_state(unit, VTD_GCMD_TE, VTD_GSTS_TES, false);
}

/*
 * Can we drive this unit? One clear line when not: what is missing, or
 * who already owns it and how to boot so that they do not.
 */
static int vtd_unit_check(struct vtd_unit *unit)
{
	u32 gsts = vtd_readl(unit, VTD_GSTS_REG);

	if (gsts & VTD_GSTS_TES) {
		pr_err("%s: DMA translation is already enabled: the built-in intel_iommu driver owns this unit; boot with intel_iommu=off intremap=off\n",
		       unit->name);
		return -EBUSY;
	}
	if (gsts & (VTD_GSTS_IRES | VTD_GSTS_QIES)) {
		pr_err("%s: interrupt remapping or queued invalidation is already enabled: the kernel's interrupt remapping owns this unit; boot with intremap=off\n",
		       unit->name);
		return -EBUSY;
	}
	if (!(unit->ecap & VTD_ECAP_SMTS)) {
		pr_err("%s: no scalable-mode translation (ECAP %#llx): not a VT-d 3.0 unit\n",
		       unit->name, unit->ecap);
		return -ENODEV;
	}
	if (!(unit->ecap & VTD_ECAP_FLTS)) {
		pr_err("%s: no first-level translation (ECAP.FLTS clear, ECAP %#llx)\n",
		       unit->name, unit->ecap);
		return -ENODEV;
	}
	if (!(unit->ecap & VTD_ECAP_QI)) {
		pr_err("%s: no queued invalidation (ECAP %#llx)\n", unit->name,
		       unit->ecap);
		return -ENODEV;
	}
	if (vtd_cap_mgaw(unit->cap) < 48) {
		pr_err("%s: MGAW %u is below the 48 bits 4-level first-level tables need\n",
		       unit->name, vtd_cap_mgaw(unit->cap));
		return -ENODEV;
	}
	return 0;
}

/* Registers end at the fault recording or IOTLB registers, whichever is last. */
static u64 vtd_unit_reg_span(u64 cap, u64 ecap)
{
	u64 frcd_end = vtd_cap_frcd_offset(cap, vtd_cap_nfr(cap));
	u64 iotlb_end = vtd_ecap_iro_offset(ecap) + 2 * sizeof(u64);

	return PAGE_ALIGN(max(frcd_end, iotlb_end));
}

/*
 * Map the registers. The region is usually claimed already ("dmar0" by the
 * kernel's early DMAR code, kept even with intel_iommu=off), so it is not
 * requested: the unit is ours because its translation is off.
 */
static int vtd_unit_map(struct vtd_unit *unit)
{
	u64 size = max_t(u64, unit->drhd->reg_size, SZ_4K);
	u64 span;

	unit->regs = ioremap(unit->drhd->base, size);
	if (!unit->regs)
		return -ENOMEM;
	unit->cap = vtd_readq(unit, VTD_CAP_REG);
	unit->ecap = vtd_readq(unit, VTD_ECAP_REG);
	if (unit->cap == U64_MAX || unit->ecap == U64_MAX) {
		pr_err("%s: registers at %#llx read as all ones\n", unit->name,
		       unit->drhd->base);
		return -ENODEV;
	}
	span = vtd_unit_reg_span(unit->cap, unit->ecap);
	if (span > size) {
		iounmap(unit->regs);
		unit->regs = ioremap(unit->drhd->base, span);
		if (!unit->regs)
			return -ENOMEM;
	}
	return 0;
}

static void vtd_unit_choose_formats(struct vtd_unit *unit)
{
	bool fl5 = (unit->cap & VTD_CAP_FL5LP) && vtd_cap_mgaw(unit->cap) >= 57;

	unit->fl_levels = fl5 ? 5 : 4;
	unit->aw = fl5 ? VTD_AW_57 : VTD_AW_48;
	unit->pgsize_bitmap = SZ_4K | SZ_2M;
	if (unit->cap & VTD_CAP_FL1GP)
		unit->pgsize_bitmap |= SZ_1G;
	unit->sl_pgsize_bitmap = SZ_4K;
	if (FIELD_GET(VTD_CAP_SLLPS, unit->cap) & VTD_SLLPS_2M)
		unit->sl_pgsize_bitmap |= SZ_2M;
	if (FIELD_GET(VTD_CAP_SLLPS, unit->cap) & VTD_SLLPS_1G)
		unit->sl_pgsize_bitmap |= SZ_1G;
	unit->coherent = unit->ecap & VTD_ECAP_C;
	unit->walk_coherent = unit->ecap & VTD_ECAP_SMPWC;

	/* Nest parents in second-level format: the widest SAGAW offers. */
	unit->nest_hw = vtd_ecap_hw_nesting(unit->ecap) &&
			(vtd_cap_sagaw_has(unit->cap, VTD_AW_48) ||
			 vtd_cap_sagaw_has(unit->cap, VTD_AW_39));
	unit->sl_aw = vtd_cap_sagaw_has(unit->cap, VTD_AW_48) ? VTD_AW_48 :
							      VTD_AW_39;
}

static int vtd_unit_set_root(struct vtd_unit *unit)
{
	unit->root = vtd_hw_page_alloc(NUMA_NO_NODE, GFP_KERNEL);
	if (!unit->root)
		return -ENOMEM;
	vtd_unit_flush_entry(unit, unit->root, PAGE_SIZE);
	vtd_writeq(unit, VTD_RTADDR_REG,
		   vtd_rtaddr(virt_to_phys(unit->root), VTD_TTM_SCALABLE));
	return vtd_gcmd_oneshot(unit, VTD_GCMD_SRTP, VTD_GSTS_RTPS, true);
}

/*
 * Fault events stay masked: faults are polled (fault.c). Say so to the
 * unit ourselves, and clear the message registers: after a kexec from a
 * kernel that used the unit they hold that kernel's vector.
 */
static void vtd_unit_mask_fault_event(struct vtd_unit *unit)
{
	vtd_writel(unit, VTD_FECTL_REG, VTD_EVCTL_IM);
	vtd_writel(unit, VTD_FEDATA_REG, 0);
	vtd_writel(unit, VTD_FEADDR_REG, 0);
	vtd_writel(unit, VTD_FEUADDR_REG, 0);
}

/**
 * vtd_unit_fail() - the unit's caches can no longer be invalidated
 * @unit: the unit
 *
 * Translations it cached may outlive the memory they point to, so every
 * device it translates for the iommu core is blocked: its RID_PASID entry
 * is cleared (for walks that miss the caches) and its bus mastering is
 * turned off (for those that hit them). From now on: every invalidation
 * fails at once, attaching anything but the blocked domain fails with
 * -EIO (a default domain "attaches" and leaves the device blocked, as the
 * core requires), and table pages and domain IDs the unit may still use are never
 * reused (the quarantine is freed after translation goes off at unload).
 * Devices kept in pass-through are left alone: no cache of theirs
 * points at memory that can be freed. Logs one line, once.
 *
 * Context: any; takes unit->lock.
 */
void vtd_unit_fail(struct vtd_unit *unit)
{
	struct vtd_device *vdev;
	unsigned long sid;

	if (test_and_set_bit(VTD_UNIT_FAILED, &unit->state))
		return;
	pr_err("%s: failed: an invalidation did not complete; every device it translates is blocked until the module is reloaded\n",
	       unit->name);
	spin_lock(&unit->lock);
	xa_for_each(&unit->devices, sid, vdev) {
		if (vdev->kind != VTD_DEV_CORE)
			continue;
		vtd_devtbl_block_now(vdev);
		pci_clear_master(to_pci_dev(vdev->dev));
	}
	spin_unlock(&unit->lock);
}

/* The root and context tables; into the quarantine if still in use. */
static void vtd_unit_free_tables(struct vtd_unit *unit, bool in_use)
{
	void (*release)(void *va) = in_use ? vtd_quarantine_page :
					     vtd_hw_page_free;
	unsigned int i;

	if (!unit->root)
		return;
	for (i = 0; i < VTD_SM_ROOT_ENTRIES; i++) {
		struct vtd_sm_root_entry *re = &unit->root[i];

		if (vtd_sm_root_lp(re))
			release(phys_to_virt(vtd_sm_root_lctp(re)));
		if (vtd_sm_root_up(re))
			release(phys_to_virt(vtd_sm_root_uctp(re)));
	}
	release(unit->root);
	unit->root = NULL;
}

static void vtd_unit_destroy(struct vtd_unit *unit)
{
	bool walking = false;

	if (unit->regs) {
		walking = vtd_unit_disable_translation(unit) != 0;
		vtd_fault_stop(unit);
		vtd_qi_exit(unit);
		iounmap(unit->regs);
	}
	if (walking) {
		pr_err("%s: translation did not go off: its tables are leaked\n",
		       unit->name);
		vtd_quarantine_stuck = true;
	}
	vtd_unit_free_tables(unit, walking);
	ida_destroy(&unit->dids);
	xa_destroy(&unit->devices);
	kfree(unit);
}

static int vtd_unit_create(const struct vtd_dmar_unit *drhd, unsigned int index,
			   u8 haw)
{
	struct vtd_unit *unit;
	int ret;

	unit = kzalloc_obj(*unit);
	if (!unit)
		return -ENOMEM;
	unit->index = index;
	unit->drhd = drhd;
	unit->haw = haw;
	snprintf(unit->name, sizeof(unit->name), "vtd%u", index);
	spin_lock_init(&unit->lock);
	spin_lock_init(&unit->reg_lock);
	xa_init(&unit->devices);
	ida_init(&unit->dids);
	vtd_fault_init(unit);

	ret = vtd_unit_map(unit);
	if (!ret)
		ret = vtd_unit_check(unit);
	if (ret)
		goto err;
	vtd_unit_choose_formats(unit);
	pr_info("%s: at %#llx, CAP %#llx ECAP %#llx, %u-level first-level tables, %s walks\n",
		unit->name, drhd->base, unit->cap, unit->ecap, unit->fl_levels,
		unit->walk_coherent ? "coherent" : "non-coherent");

	ret = vtd_unit_set_root(unit);
	if (ret)
		goto err;
	vtd_unit_mask_fault_event(unit);
	ret = vtd_qi_init(unit);
	if (ret)
		goto err;
	/* Forget anything cached from before us (a kexec, firmware). */
	ret = vtd_qi_invalidate_all(unit);
	if (ret)
		goto err;
	vtd_fault_start(unit);
	list_add_tail(&unit->node, &vtd_units);
	return 0;

err:
	vtd_unit_destroy(unit);
	return ret;
}

/**
 * vtd_units_init() - bring up every unit of the DMAR table
 * @dmar: the parsed table; it must outlive the units
 *
 * All or nothing: one unit we cannot drive refuses the load.
 *
 * Return: 0, or the first unit's error.
 */
int vtd_units_init(struct vtd_dmar *dmar)
{
	unsigned int i;
	int ret;

	if (!dmar->nr_units) {
		pr_err("the DMAR table lists no remapping unit\n");
		return -ENODEV;
	}
	for (i = 0; i < dmar->nr_units; i++) {
		ret = vtd_unit_create(&dmar->units[i], i, dmar->haw);
		if (ret) {
			vtd_units_exit();
			return ret;
		}
	}
	return 0;
}

/*
 * Translation off on every unit, before the entries of the devices kept in
 * pass-through go: those devices (disks, NICs) keep DMAing while we unload,
 * and a removed entry would block them until translation went off.
 */
void vtd_units_stop_translation(void)
{
	struct vtd_unit *unit;

	list_for_each_entry(unit, &vtd_units, node)
		vtd_unit_disable_translation(unit);
}

/*
 * Translation off on every unit first, then the rest; then the pages the
 * hardware might have walked, unless a unit kept translating.
 */
void vtd_units_exit(void)
{
	struct vtd_unit *unit, *next;
	long n;

	vtd_units_stop_translation();
	list_for_each_entry_safe(unit, next, &vtd_units, node) {
		list_del(&unit->node);
		vtd_unit_destroy(unit);
	}
	if (vtd_quarantine_stuck) {
		pr_err("table pages of failed invalidations are leaked\n");
		return;
	}
	n = vtd_pt_quarantine_free(&vtd_quarantine);
	if (n)
		pr_info("freed %ld table pages kept since failed invalidations\n",
			n);
}
