// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tables that route one device's requests: its scalable-mode context
 * entry (under the unit's root table), its PASID directory and the PASID
 * table holding entry 0, the RID_PASID entry that translates requests
 * without PASID (VT-d spec 3.x, 3.4 and 9.4-9.6).
 *
 * Every device gets a one-page PASID directory of which only entry 0 is
 * used, pointing at a one-page table for PASIDs 0-63. Only PASID 0 is
 * ever made present.
 *
 * Entries are published in an order that leaves the hardware nothing
 * half-written to see: the qwords without the present bit first, then
 * the one with it. A present entry is never rewritten in place: the spec
 * does not promise that the hardware reads a 512-bit PASID entry (or a
 * 256-bit context entry) in one access, and a mix of the old table
 * pointer and the new domain ID would cache the old table's translations
 * under the new ID, beyond the invalidation of the old one. So a change
 * goes through not-present: clear P, invalidate, write the new entry.
 * Invalidation follows the spec's guidance (6.5.3.3 and 6.5.3.4): after
 * clearing a present entry, the PASID cache and the IOTLB for the old
 * domain ID; after making an entry present, only a write-buffer flush
 * (CAP.RWBF) or, in caching mode (CAP.CM), the caches of the new one.
 */
#define pr_fmt(fmt) "intel-vtd: " fmt

#include <linux/pci.h>
#include <linux/slab.h>

#include "vtd.h"

/* The smallest PASID directory: 2^(0 + 7) entries, one 4K page holds it. */
#define VTD_DEV_PDTS	0

static struct vtd_sm_context_entry *
vtd_context_entry(struct vtd_unit *unit, u8 bus, u8 devfn, void **spare)
{
	struct vtd_sm_root_entry *re = &unit->root[bus];
	bool upper = vtd_sm_ctx_is_upper(devfn);
	struct vtd_sm_context_entry *table;

	lockdep_assert_held(&unit->lock);

	if (upper ? vtd_sm_root_up(re) : vtd_sm_root_lp(re)) {
		table = phys_to_virt(upper ? vtd_sm_root_uctp(re) :
				     vtd_sm_root_lctp(re));
	} else {
		if (!*spare)
			return NULL;
		table = *spare;
		*spare = NULL;
		vtd_unit_flush_entry(unit, table, PAGE_SIZE);
		if (upper) {
			vtd_sm_root_set_uctp(re, virt_to_phys(table));
			vtd_sm_root_set_up(re, true);
		} else {
			vtd_sm_root_set_lctp(re, virt_to_phys(table));
			vtd_sm_root_set_lp(re, true);
		}
		vtd_unit_flush_entry(unit, re, sizeof(*re));
	}
	return &table[vtd_sm_ctx_index(devfn)];
}

/* Write @src over the not-present entry @dst, the qword holding P last. */
static void vtd_publish(struct vtd_unit *unit, u64 *dst, const u64 *src,
			unsigned int qwords)
{
	unsigned int i;

	for (i = 1; i < qwords; i++)
		WRITE_ONCE(dst[i], src[i]);
	vtd_unit_flush_entry(unit, dst, qwords * sizeof(u64));
	dma_wmb();
	WRITE_ONCE(dst[0], src[0]);
	vtd_unit_flush_entry(unit, dst, sizeof(u64));
}

/* Clear the P bit of a present entry, then the rest. */
static void vtd_unpublish(struct vtd_unit *unit, u64 *dst, unsigned int qwords)
{
	unsigned int i;

	WRITE_ONCE(dst[0], 0);
	vtd_unit_flush_entry(unit, dst, sizeof(u64));
	dma_wmb();
	for (i = 1; i < qwords; i++)
		WRITE_ONCE(dst[i], 0);
	vtd_unit_flush_entry(unit, dst, qwords * sizeof(u64));
}

/**
 * vtd_devtbl_setup() - give a device its context entry and PASID tables
 * @vdev: the device; unit, bus and devfn set
 *
 * The PASID entries start not present, so the device's requests are
 * blocked (and fault) until an entry is set.
 *
 * Return: 0, -ENOMEM, or -EBUSY if the context entry is already in use.
 */
int vtd_devtbl_setup(struct vtd_device *vdev)
{
	struct vtd_unit *unit = vdev->unit;
	struct vtd_sm_context_entry *ce, new;
	void *spare;
	int ret;

	vdev->pasid_dir = vtd_hw_page_alloc(NUMA_NO_NODE, GFP_KERNEL);
	vdev->pasid_table = vtd_hw_page_alloc(NUMA_NO_NODE, GFP_KERNEL);
	spare = vtd_hw_page_alloc(NUMA_NO_NODE, GFP_KERNEL);
	if (!vdev->pasid_dir || !vdev->pasid_table || !spare) {
		ret = -ENOMEM;
		goto err;
	}
	vtd_unit_flush_entry(unit, vdev->pasid_table, PAGE_SIZE);
	vdev->pasid_dir[0].val = vtd_pde_mk(virt_to_phys(vdev->pasid_table));
	vtd_unit_flush_entry(unit, vdev->pasid_dir, PAGE_SIZE);

	ret = vtd_sm_context_entry_init(&new, virt_to_phys(vdev->pasid_dir),
					VTD_DEV_PDTS, 0);
	if (WARN_ON(ret))
		goto err;

	spin_lock(&unit->lock);
	ce = vtd_context_entry(unit, vdev->bus, vdev->devfn, &spare);
	if (vtd_sm_ctx_p(ce))
		ret = -EBUSY;
	else
		vtd_publish(unit, ce->val, new.val, ARRAY_SIZE(new.val));
	spin_unlock(&unit->lock);
	if (ret)
		goto err;

	vtd_hw_page_free(spare);
	if (unit->cap & VTD_CAP_CM)
		vtd_inv_context_device(unit, 0, vtd_sid(vdev->bus, vdev->devfn));
	else
		vtd_unit_flush_write_buffer(unit);
	return 0;

err:
	vtd_hw_page_free(spare);
	vtd_hw_page_free(vdev->pasid_table);
	vtd_hw_page_free(vdev->pasid_dir);
	vdev->pasid_table = NULL;
	vdev->pasid_dir = NULL;
	return ret;
}

/**
 * vtd_devtbl_teardown() - remove a device's context entry, free its tables
 * @vdev: the device, its PASID entry already cleared
 */
void vtd_devtbl_teardown(struct vtd_device *vdev)
{
	struct vtd_unit *unit = vdev->unit;
	struct vtd_sm_context_entry *ce;
	void *none = NULL;

	if (!vdev->pasid_dir)
		return;
	spin_lock(&unit->lock);
	ce = vtd_context_entry(unit, vdev->bus, vdev->devfn, &none);
	if (ce)
		vtd_unpublish(unit, ce->val, ARRAY_SIZE(ce->val));
	spin_unlock(&unit->lock);

	/* 6.5.3.3: context cache, then everything cached under it. */
	if (vtd_inv_context_device(unit, 0, vtd_sid(vdev->bus, vdev->devfn))) {
		/* The hardware may still walk them: never reuse them. */
		vtd_quarantine_page(vdev->pasid_table);
		vtd_quarantine_page(vdev->pasid_dir);
	} else {
		vtd_hw_page_free(vdev->pasid_table);
		vtd_hw_page_free(vdev->pasid_dir);
	}
	vdev->pasid_table = NULL;
	vdev->pasid_dir = NULL;
}

static int vtd_pasid0_invalidate(struct vtd_unit *unit, u16 did)
{
	int ret = vtd_inv_pasid_cache(unit, did, 0);

	return ret ?: vtd_inv_piotlb(unit, did, 0, 0, U64_MAX, false);
}

/**
 * vtd_devtbl_set_pasid0() - change what requests without PASID reach
 * @vdev: the device
 * @pe: the new RID_PASID entry, or NULL to block the device
 * @did: the domain ID in @pe
 *
 * A present entry is first made not present and its translations are
 * invalidated; then @pe is written. Meanwhile the device's requests
 * fault: it never reaches memory that neither entry allows.
 *
 * Context: the iommu core's group mutex held for the device.
 * Return: 0; -EIO if the old entry's invalidation failed: the entry is
 * then left not present, and the old entry's domain ID and tables may
 * still be cached (the unit is failed, vtd_unit_fail()).
 */
int vtd_devtbl_set_pasid0(struct vtd_device *vdev,
			  const struct vtd_pasid_entry *pe, u16 did)
{
	struct vtd_unit *unit = vdev->unit;
	struct vtd_pasid_entry *cur = &vdev->pasid_table[0];
	bool was_present;
	u16 old_did;
	int ret;

	spin_lock(&unit->lock);
	was_present = vtd_pasid_p(cur);
	old_did = vtd_pasid_did(cur);
	if (was_present)
		vtd_unpublish(unit, cur->val, ARRAY_SIZE(cur->val));
	spin_unlock(&unit->lock);

	if (was_present) {
		ret = vtd_pasid0_invalidate(unit, old_did);
		if (ret)
			return ret;
	}
	if (!pe)
		return 0;

	spin_lock(&unit->lock);
	vtd_publish(unit, cur->val, pe->val, ARRAY_SIZE(pe->val));
	spin_unlock(&unit->lock);
	if (unit->cap & VTD_CAP_CM)
		return vtd_pasid0_invalidate(unit, did);
	vtd_unit_flush_write_buffer(unit);
	return 0;
}

/**
 * vtd_devtbl_block_now() - clear a device's RID_PASID entry, without
 *			    invalidating (for a unit that cannot)
 * @vdev: the device
 *
 * Context: unit->lock held.
 */
void vtd_devtbl_block_now(struct vtd_device *vdev)
{
	struct vtd_pasid_entry *cur = &vdev->pasid_table[0];

	lockdep_assert_held(&vdev->unit->lock);
	if (vtd_pasid_p(cur))
		vtd_unpublish(vdev->unit, cur->val, ARRAY_SIZE(cur->val));
}
