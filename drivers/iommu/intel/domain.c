// SPDX-License-Identifier: GPL-2.0-only
/*
 * Domains: blocked, identity (PASID entry PGTT = pass-through) and paging
 * domains on a first-level intel-pgtable table.
 *
 * A paging domain takes a domain ID on each unit through which a device
 * is attached to it (struct vtd_domain_unit), and IOTLB invalidation for
 * the domain goes to each of those units with that ID and PASID 0.
 *
 * Unmap and invalidation: an unmap that only cleared leaves adds its
 * range to the core's gather, flushed once by iotlb_sync (page-selective
 * where one aligned block covers the range, else PASID-selective). An
 * unmap that freed table pages invalidates at once, with the
 * paging-structure caches, and frees the pages after that: the core's
 * gather cannot carry our pages, and a freed table must never be walked.
 * When an invalidation fails (the unit is then failed, vtd_unit_fail()),
 * the pages and the domain ID it should have covered are never reused:
 * the pages go to the quarantine, the table at free too.
 *
 * What a device is attached to is the driver's record (vdev->domain),
 * never the core's "old" argument, which on some error paths names
 * another device's domain or nothing.
 *
 * Nest parents (IOMMU_HWPT_ALLOC_NEST_PARENT) are paging domains too:
 * second-level on a unit that nests in hardware, first-level otherwise,
 * so a device can always be attached to one directly. Their map and unmap
 * bring every nested domain on them up to date before returning
 * (nested.c).
 *
 * Lifetime: a paging or nested domain holds a module reference from
 * allocation until it is freed (vtd_module_get()).
 */
#define pr_fmt(fmt) "intel-vtd: " fmt

#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "vtd.h"
#include <trace/events/intel_vtd.h>

static const struct iommu_domain_ops vtd_paging_ops;

/**
 * vtd_domain_flush() - invalidate a range of a domain on every unit it is
 *			attached through
 * @d: the domain
 * @start: first IOVA
 * @last: last IOVA (inclusive); 0 to U64_MAX for everything
 * @leaf_only: only leaves changed: paging-structure caches may stay
 *
 * PASID-based IOTLB invalidation for translations through a first-level
 * table (first-level and nested entries), IOTLB invalidation for those
 * through a second-level table alone.
 *
 * Return: 0, or the first unit's error (the others are still flushed).
 */
int vtd_domain_flush(struct vtd_domain *d, u64 start, u64 last, bool leaf_only)
{
	struct vtd_domain_unit *du;
	unsigned long flags;
	int ret = 0, err;

	spin_lock_irqsave(&d->lock, flags);
	list_for_each_entry(du, &d->units, node) {
		if (d->format == VTD_DOM_SL)
			err = vtd_inv_iotlb(du->unit, du->did, start, last,
					    leaf_only);
		else
			err = vtd_inv_piotlb(du->unit, du->did, 0, start, last,
					     leaf_only);
		if (!ret)
			ret = err;
	}
	if (ret)
		d->hw_may_walk = true;
	spin_unlock_irqrestore(&d->lock, flags);
	return ret;
}

/**
 * vtd_domain_flush_nested_s2() - invalidate all a hardware-nested domain
 *				  may cache, after its parent unmapped
 * @d: a nested domain whose entries nest in hardware
 *
 * Its combined translations are not tagged by GPA, and what the unit
 * caches of the parent's second-level walk is tagged by @d's domain ID
 * alone: a domain-selective IOTLB invalidation (6.5.2.3, as the kernel's
 * own driver does for a nest parent's change) and a PASID-selective
 * PASID-based one (6.5.2.4) on every unit it is attached through.
 *
 * Return: 0, or the first error (everything else is still flushed).
 */
int vtd_domain_flush_nested_s2(struct vtd_domain *d)
{
	struct vtd_domain_unit *du;
	unsigned long flags;
	int ret = 0, err;

	spin_lock_irqsave(&d->lock, flags);
	list_for_each_entry(du, &d->units, node) {
		err = vtd_inv_iotlb(du->unit, du->did, 0, U64_MAX, false);
		if (!ret)
			ret = err;
		err = vtd_inv_piotlb(du->unit, du->did, 0, 0, U64_MAX, false);
		if (!ret)
			ret = err;
	}
	if (ret)
		d->hw_may_walk = true;
	spin_unlock_irqrestore(&d->lock, flags);
	return ret;
}

static struct vtd_domain_unit *vtd_domain_find_unit(struct vtd_domain *d,
						    struct vtd_unit *unit)
{
	struct vtd_domain_unit *du;

	lockdep_assert_held(&d->lock);
	list_for_each_entry(du, &d->units, node)
		if (du->unit == unit)
			return du;
	return NULL;
}

/* Take one more user of @d on @unit if it has a domain ID there. */
static bool vtd_domain_get_existing_unit(struct vtd_domain *d,
					 struct vtd_unit *unit, u16 *did)
{
	struct vtd_domain_unit *du;
	unsigned long flags;

	spin_lock_irqsave(&d->lock, flags);
	du = vtd_domain_find_unit(d, unit);
	if (du) {
		du->users++;
		*did = du->did;
	}
	spin_unlock_irqrestore(&d->lock, flags);
	return du;
}

/* After a map: not-present entries may be cached, or a write buffer. */
static bool vtd_unit_needs_sync_map(const struct vtd_unit *unit)
{
	return unit->cap & (VTD_CAP_CM | VTD_CAP_RWBF);
}

/* Take a user of @d on @unit, with a domain ID for it. */
static int vtd_domain_get_unit(struct vtd_domain *d, struct vtd_unit *unit,
			       u16 *did)
{
	struct vtd_domain_unit *du, *new;
	unsigned long flags;
	int id;

	/* A full ID space must not stop a second device joining. */
	if (vtd_domain_get_existing_unit(d, unit, did))
		return 0;
	new = kzalloc_obj(*new);
	if (!new)
		return -ENOMEM;
	id = ida_alloc_range(&unit->dids, VTD_DID_FIRST_PAGING,
			     vtd_cap_ndoms(unit->cap) - 1, GFP_KERNEL);
	if (id < 0) {
		kfree(new);
		return id;
	}

	spin_lock_irqsave(&d->lock, flags);
	du = vtd_domain_find_unit(d, unit);
	if (!du) {
		du = new;
		du->unit = unit;
		du->did = id;
		list_add(&du->node, &d->units);
		if (vtd_unit_needs_sync_map(unit))
			WRITE_ONCE(d->sync_map_units, d->sync_map_units + 1);
		new = NULL;
	}
	du->users++;
	*did = du->did;
	spin_unlock_irqrestore(&d->lock, flags);

	if (new) {
		ida_free(&unit->dids, id);
		kfree(new);
	}
	return 0;
}

/*
 * Drop one user of @d on @unit. The domain ID is kept allocated, never to
 * be reused, when the unit may still cache translations tagged with it.
 */
static void vtd_domain_put_unit(struct vtd_domain *d, struct vtd_unit *unit,
				bool id_may_be_cached)
{
	struct vtd_domain_unit *du;
	unsigned long flags;

	spin_lock_irqsave(&d->lock, flags);
	du = vtd_domain_find_unit(d, unit);
	if (WARN_ON(!du) || --du->users) {
		spin_unlock_irqrestore(&d->lock, flags);
		return;
	}
	list_del(&du->node);
	if (vtd_unit_needs_sync_map(unit))
		WRITE_ONCE(d->sync_map_units, d->sync_map_units - 1);
	spin_unlock_irqrestore(&d->lock, flags);
	if (!id_may_be_cached)
		ida_free(&unit->dids, du->did);
	kfree(du);
}

/**
 * vtd_domain_is_paging() - is @domain one of our paging domains?
 * @domain: any domain, or NULL
 *
 * Return: true for a domain of vtd_domain_alloc_paging_flags().
 */
bool vtd_domain_is_paging(const struct iommu_domain *domain)
{
	return domain && domain->ops == &vtd_paging_ops;
}

/**
 * vtd_domain_of() - our domain behind an iommu_domain
 * @domain: any domain, or NULL
 *
 * Return: the struct vtd_domain of a paging or nested domain of ours,
 * else NULL (the identity and blocked domains have none).
 */
struct vtd_domain *vtd_domain_of(struct iommu_domain *domain)
{
	if (vtd_domain_is_paging(domain) || vtd_domain_is_nested(domain))
		return to_vtd_domain(domain);
	return NULL;
}

/*
 * The device's entry no longer points at @old: forget the device there.
 * On a failed unit, @old's translations may still be cached: its table
 * and domain ID are never reused.
 */
static void vtd_domain_leave(struct vtd_device *vdev, struct iommu_domain *old)
{
	bool failed = vtd_unit_failed(vdev->unit);
	struct vtd_domain *d = vtd_domain_of(old);
	unsigned long flags;

	if (!d)
		return;
	spin_lock_irqsave(&d->lock, flags);
	list_del_init(&vdev->domain_node);
	if (failed)
		d->hw_may_walk = true;
	spin_unlock_irqrestore(&d->lock, flags);
	vtd_domain_put_unit(d, vdev->unit, failed);
}

static void vtd_device_set_domain(struct vtd_device *vdev,
				  struct iommu_domain *domain)
{
	spin_lock(&vdev->unit->lock);
	vdev->domain = domain;
	spin_unlock(&vdev->unit->lock);
}

/*
 * Point the device's RID_PASID entry at @pe (NULL: blocked) for @domain,
 * and leave the domain it was attached to. On failure the device is
 * blocked, but the old domain's translations may still be cached: it
 * stays the device's domain until the device leaves it for good (a
 * blocked attach or release), which quarantines it.
 */
static int vtd_device_switch(struct vtd_device *vdev,
			     struct iommu_domain *domain,
			     const struct vtd_pasid_entry *pe, u16 did)
{
	int ret = vtd_devtbl_set_pasid0(vdev, pe, did);

	if (ret)
		return ret;
	vtd_domain_leave(vdev, vdev->domain);
	vtd_device_set_domain(vdev, domain);
	return 0;
}

/* Blocked, whatever happens: for the paths that must not fail. */
static void vtd_device_block(struct vtd_device *vdev,
			     struct iommu_domain *blocked)
{
	if (!vtd_device_switch(vdev, blocked, NULL, 0))
		return;
	vtd_domain_leave(vdev, vdev->domain);
	vtd_device_set_domain(vdev, blocked);
}

/*
 * Attaching to a failed unit. The core gives a device its default domain
 * back on paths that must not fail (releasing DMA ownership when VFIO
 * lets go of it, for one) and warns if they do: that attach "succeeds"
 * and the device stays blocked. Anything else is refused.
 */
static int vtd_failed_unit_attach(struct vtd_device *vdev,
				  struct iommu_domain *domain)
{
	if (!iommu_is_dma_domain(domain) &&
	    domain->type != IOMMU_DOMAIN_IDENTITY)
		return -EIO;
	vtd_device_block(vdev, NULL);
	return 0;
}

/**
 * vtd_domain_compatible() - can @unit walk what @d's entries point at?
 * @d: the domain
 * @unit: the unit
 *
 * Return: 0, or -EINVAL if not.
 */
int vtd_domain_compatible(struct vtd_domain *d, struct vtd_unit *unit)
{
	switch (d->format) {
	case VTD_DOM_FL:
		/* Made for a unit with other abilities, or one that snoops. */
		if (d->pt.levels != unit->fl_levels ||
		    (d->domain.pgsize_bitmap & ~unit->pgsize_bitmap) ||
		    (!unit->walk_coherent &&
		     !(d->pt.cfg.flags & VTD_PT_CFG_NONCOHERENT)))
			return -EINVAL;
		return 0;
	case VTD_DOM_SL:
		if (!unit->nest_hw || d->pt.levels != vtd_aw_levels(unit->sl_aw) ||
		    (d->domain.pgsize_bitmap & ~unit->sl_pgsize_bitmap) ||
		    (!unit->walk_coherent &&
		     !(d->pt.cfg.flags & VTD_PT_CFG_NONCOHERENT)))
			return -EINVAL;
		return 0;
	case VTD_DOM_NESTED:
		return vtd_nested_hw_compatible(d, unit);
	}
	return -EINVAL;
}

/* The RID_PASID entry that points a device of @unit at @d, tagged @did. */
static int vtd_domain_entry(struct vtd_domain *d, struct vtd_unit *unit,
			    u16 did, struct vtd_pasid_entry *pe)
{
	switch (d->format) {
	case VTD_DOM_FL:
		return vtd_pasid_entry_init_fl(pe, vtd_pt_top_phys(&d->pt),
					       d->pt.levels, unit->aw, did,
					       unit->walk_coherent, false);
	case VTD_DOM_SL:
		return vtd_pasid_entry_init_sl(pe, vtd_pt_top_phys(&d->pt),
					       unit->sl_aw, did,
					       unit->walk_coherent);
	case VTD_DOM_NESTED:
		return vtd_nested_hw_entry(d, unit, did, pe);
	}
	return -EINVAL;
}

/**
 * vtd_domain_attach() - point a device's RID_PASID entry at a domain
 * @d: a paging or nested domain
 * @vdev: a device of the core
 *
 * The device leaves the domain it was attached to; meanwhile its
 * requests fault (vtd_devtbl_set_pasid0()).
 *
 * Context: the iommu core's group mutex held for the device.
 * Return: 0; -EOPNOTSUPP for a domain with an I/O page-fault handler
 * (IOMMU_HWPT_FAULT_ID_VALID: faults are not delivered that way);
 * -EINVAL for a domain the device's unit cannot walk; -EIO on a failed
 * unit, except for a default domain (vtd_failed_unit_attach()); -ENOSPC
 * without a free domain ID; -ENOMEM.
 */
int vtd_domain_attach(struct vtd_domain *d, struct vtd_device *vdev)
{
	struct iommu_domain *domain = &d->domain;
	struct vtd_unit *unit = vdev->unit;
	struct vtd_pasid_entry pe;
	unsigned long flags;
	u16 did;
	int ret;

	if (domain->iopf_handler)
		return -EOPNOTSUPP;
	ret = vtd_domain_compatible(d, unit);
	if (ret)
		return ret;
	if (vdev->domain == domain)
		return 0;
	if (vtd_unit_failed(unit))
		return vtd_failed_unit_attach(vdev, domain);

	/*
	 * Flushes of @d reach this unit from the moment it holds the domain
	 * ID, before the device can use the table; then switch the entry.
	 */
	ret = vtd_domain_get_unit(d, unit, &did);
	if (ret)
		return ret;
	ret = vtd_domain_entry(d, unit, did, &pe);
	if (!WARN_ON(ret))
		ret = vtd_device_switch(vdev, domain, &pe, did);
	if (ret) {
		vtd_domain_put_unit(d, unit, false);
		return ret;
	}
	spin_lock_irqsave(&d->lock, flags);
	list_add(&vdev->domain_node, &d->devices);
	spin_unlock_irqrestore(&d->lock, flags);
	return 0;
}

static int vtd_paging_attach(struct iommu_domain *domain, struct device *dev,
			     struct iommu_domain *old)
{
	return vtd_domain_attach(to_vtd_domain(domain), dev_iommu_priv_get(dev));
}

static int vtd_identity_attach(struct iommu_domain *domain, struct device *dev,
			       struct iommu_domain *old)
{
	struct vtd_device *vdev = dev_iommu_priv_get(dev);
	struct vtd_unit *unit = vdev->unit;
	struct vtd_pasid_entry pe;
	int ret;

	if (!(unit->ecap & VTD_ECAP_PT))
		return -EOPNOTSUPP;
	/* An external-facing device never gets untranslated access. */
	if (to_pci_dev(dev)->untrusted)
		return -EPERM;
	if (vdev->domain == domain)
		return 0;
	if (vtd_unit_failed(unit))
		return vtd_failed_unit_attach(vdev, domain);
	ret = vtd_pasid_entry_init_pt(&pe, unit->aw, VTD_DID_IDENTITY,
				      unit->walk_coherent);
	if (WARN_ON(ret))
		return ret;
	return vtd_device_switch(vdev, domain, &pe, VTD_DID_IDENTITY);
}

/*
 * Never fails: the core relies on it. If the old translations cannot be
 * invalidated, the unit is failed and the device blocked regardless.
 */
static int vtd_blocked_attach(struct iommu_domain *domain, struct device *dev,
			      struct iommu_domain *old)
{
	vtd_device_block(dev_iommu_priv_get(dev), domain);
	return 0;
}

/**
 * vtd_domain_detach() - block a device and drop it from its domain
 * @vdev: the device, on its way out (release_device)
 */
void vtd_domain_detach(struct vtd_device *vdev)
{
	vtd_device_block(vdev, NULL);
}

static int vtd_map_pages(struct iommu_domain *domain, unsigned long iova,
			 phys_addr_t paddr, size_t pgsize, size_t pgcount,
			 int prot, gfp_t gfp, size_t *mapped)
{
	struct vtd_domain *d = to_vtd_domain(domain);
	u64 size = (u64)pgsize * pgcount;
	int ret;

	if (d->nest_parent)
		down_write(&d->nest_lock);
	ret = vtd_pt_map(&d->pt, iova, paddr, size, prot, gfp);
	trace_intel_vtd_map(d, iova, paddr, size, prot);
	if (d->nest_parent) {
		if (!ret)
			vtd_nest_parent_changed(d, iova, iova + size - 1, false);
		up_write(&d->nest_lock);
	}
	if (ret)
		return ret;
	*mapped = size;
	return 0;
}

/**
 * vtd_domain_flush_release() - invalidate what a gather changed in a
 *				domain's table, then free its table pages
 * @d: the domain
 * @g: the gather of an unmap of @d's table; its pages are gone after
 *
 * Pages whose invalidation failed go to the quarantine.
 *
 * Return: 0, or the flush's error.
 */
int vtd_domain_flush_release(struct vtd_domain *d, struct vtd_pt_gather *g)
{
	LIST_HEAD(quarantine);
	unsigned long flags;
	int ret;

	if (vtd_pt_gather_empty(g))
		return 0;
	ret = vtd_domain_flush(d, g->start, g->last, list_empty(&g->freelist));
	/* Not while a debugfs dump walks the table. */
	spin_lock_irqsave(&d->lock, flags);
	if (ret)
		vtd_pt_gather_quarantine(&d->pt, g, &quarantine);
	else
		vtd_pt_gather_release(&d->pt, g);
	spin_unlock_irqrestore(&d->lock, flags);
	vtd_quarantine_add(&quarantine);
	return ret;
}

static size_t vtd_unmap_pages(struct iommu_domain *domain, unsigned long iova,
			      size_t pgsize, size_t pgcount,
			      struct iommu_iotlb_gather *gather)
{
	struct vtd_domain *d = to_vtd_domain(domain);
	u64 size = (u64)pgsize * pgcount;
	struct vtd_pt_gather g;
	u64 unmapped;

	if (d->nest_parent)
		down_write(&d->nest_lock);
	vtd_pt_gather_init(&g);
	unmapped = vtd_pt_unmap(&d->pt, iova, size, &g);
	trace_intel_vtd_unmap(d, iova, size, unmapped);
	if (!vtd_pt_gather_empty(&g)) {
		u64 first = g.start, last = g.last;

		if (!list_empty(&g.freelist))
			vtd_domain_flush_release(d, &g);
		else
			iommu_iotlb_gather_add_range(gather, first,
						     last - first + 1);
		/*
		 * The core unpins the pages when this returns: no nested
		 * domain may point at them any more, not even in its IOTLB.
		 */
		if (d->nest_parent)
			vtd_nest_parent_changed(d, first, last, true);
	}
	if (d->nest_parent)
		up_write(&d->nest_lock);
	return unmapped;
}

static void vtd_iotlb_sync(struct iommu_domain *domain,
			   struct iommu_iotlb_gather *gather)
{
	if (gather->start > gather->end)
		return;
	vtd_domain_flush(to_vtd_domain(domain), gather->start, gather->end,
			 true);
}

static void vtd_flush_iotlb_all(struct iommu_domain *domain)
{
	vtd_domain_flush(to_vtd_domain(domain), 0, U64_MAX, false);
}

/*
 * New entries need no invalidation unless the unit caches not-present
 * ones (CAP.CM) or has a write buffer to flush (CAP.RWBF). Without such a
 * unit no lock is taken: a map must not wait for another CPU's unmap
 * flush, which holds d->lock. A unit that joins meanwhile is flushed by
 * the attach itself before the device uses the table.
 */
static int vtd_iotlb_sync_map(struct iommu_domain *domain, unsigned long iova,
			      size_t size)
{
	struct vtd_domain *d = to_vtd_domain(domain);
	struct vtd_domain_unit *du;
	unsigned long flags;

	if (!READ_ONCE(d->sync_map_units))
		return 0;
	spin_lock_irqsave(&d->lock, flags);
	list_for_each_entry(du, &d->units, node) {
		if (du->unit->cap & VTD_CAP_CM)
			vtd_inv_piotlb(du->unit, du->did, 0, iova,
				       iova + size - 1, true);
		else
			vtd_unit_flush_write_buffer(du->unit);
	}
	spin_unlock_irqrestore(&d->lock, flags);
	return 0;
}

static phys_addr_t vtd_iova_to_phys(struct iommu_domain *domain,
				    dma_addr_t iova)
{
	return vtd_pt_iova_to_phys(&to_vtd_domain(domain)->pt, iova);
}

/**
 * vtd_domain_put() - drop a reference on a paging domain
 * @d: the domain; freed with the last reference
 *
 * Context: process.
 */
void vtd_domain_put(struct vtd_domain *d)
{
	LIST_HEAD(quarantine);

	if (!refcount_dec_and_test(&d->ref))
		return;
	if (d->hw_may_walk) {
		vtd_pt_destroy_quarantine(&d->pt, &quarantine);
		vtd_quarantine_add(&quarantine);
	} else {
		vtd_pt_destroy(&d->pt);
	}
	vtd_module_put(d->modref);
	kfree(d);
}

/**
 * vtd_domain_get_attached() - a reference on the paging domain a device is
 *			       attached to
 * @vdev: the device
 *
 * Return: the domain, or NULL if the device is not attached to a paging
 * domain. vtd_domain_put() it.
 */
struct vtd_domain *vtd_domain_get_attached(struct vtd_device *vdev)
{
	struct vtd_domain *d;

	/* The core frees a domain only after every device has left it. */
	spin_lock(&vdev->unit->lock);
	d = vtd_domain_of(vdev->domain);
	if (d)
		refcount_inc(&d->ref);
	spin_unlock(&vdev->unit->lock);
	return d;
}

static void vtd_domain_free(struct iommu_domain *domain)
{
	struct vtd_domain *d = to_vtd_domain(domain);

	/* iommufd holds a parent while a nested domain exists on it. */
	WARN_ON(!list_empty(&d->devices) || !list_empty(&d->units) ||
		!list_empty(&d->children));
	vtd_domain_put(d);
}

static const struct iommu_domain_ops vtd_paging_ops = {
	.attach_dev = vtd_paging_attach,
	.map_pages = vtd_map_pages,
	.unmap_pages = vtd_unmap_pages,
	.iotlb_sync_map = vtd_iotlb_sync_map,
	.iotlb_sync = vtd_iotlb_sync,
	.flush_iotlb_all = vtd_flush_iotlb_all,
	.iova_to_phys = vtd_iova_to_phys,
	.free = vtd_domain_free,
};

/**
 * vtd_unit_pt_cfg() - the table configuration of a paging domain on a unit
 * @unit: the unit
 * @nid: NUMA node of the table pages
 *
 * Return: first-level tables as deep as the unit walks, its leaf sizes.
 */
struct vtd_pt_cfg vtd_unit_pt_cfg(struct vtd_unit *unit, int nid)
{
	return (struct vtd_pt_cfg){
		.format = unit->fl_levels == 5 ? VTD_PT_FL5 : VTD_PT_FL4,
		.pgsize_bitmap = unit->pgsize_bitmap,
		.oas_bits = unit->haw,
		.flags = unit->walk_coherent ? 0 : VTD_PT_CFG_NONCOHERENT,
		.nid = nid,
	};
}

/**
 * vtd_domain_init() - set up a paging or nested domain
 * @d: zeroed memory for it
 * @ops: its domain ops
 * @format: what its entries point at
 * @cfg: its table, or NULL for none (VTD_DOM_NESTED)
 *
 * Takes a module reference, which the domain's last vtd_domain_put()
 * drops.
 *
 * Return: 0, -ENODEV while the module is unloading, or what
 * vtd_pt_init() returns.
 */
int vtd_domain_init(struct vtd_domain *d, const struct iommu_domain_ops *ops,
		    enum vtd_domain_format format, const struct vtd_pt_cfg *cfg)
{
	int ret;

	/*
	 * An iommufd HWPT outlives every device it was attached to, and with
	 * it the references the core takes per device: the domain holds the
	 * module itself: rmmod is refused until the last one is freed.
	 */
	d->modref = vtd_module_get();
	if (IS_ERR(d->modref))
		return PTR_ERR(d->modref);
	if (cfg) {
		ret = vtd_pt_init(&d->pt, cfg, GFP_KERNEL_ACCOUNT);
		if (ret) {
			vtd_module_put(d->modref);
			return ret;
		}
	}
	d->format = format;
	refcount_set(&d->ref, 1);
	spin_lock_init(&d->lock);
	INIT_LIST_HEAD(&d->devices);
	INIT_LIST_HEAD(&d->units);
	init_rwsem(&d->nest_lock);
	INIT_LIST_HEAD(&d->children);
	d->domain.ops = ops;
	return 0;
}

/**
 * vtd_domain_alloc_paging_flags() - a paging domain
 * @dev: the device it is made for (its unit decides formats and leaf sizes)
 * @flags: IOMMU_HWPT_ALLOC_* flags: NEST_PARENT only
 * @ud: driver-specific data; we take none
 *
 * A nest parent (NEST_PARENT) maps guest-physical addresses: in
 * second-level format where the unit nests in hardware, else in
 * first-level format for the software nesting engine; either way a device
 * can also be attached to it directly. Dirty tracking needs second-level
 * A/D bits, which no table here enables, and only requests without PASID
 * are translated: DIRTY_TRACKING and PASID are refused.
 *
 * Return: the domain, ERR_PTR(-EOPNOTSUPP) for other flags or any data,
 * ERR_PTR(-ENOMEM), ERR_PTR(-ENODEV) while the module is unloading.
 */
struct iommu_domain *vtd_domain_alloc_paging_flags(struct device *dev,
						   u32 flags,
						   const struct iommu_user_data *ud)
{
	struct vtd_device *vdev = dev_iommu_priv_get(dev);
	struct vtd_unit *unit = vdev->unit;
	struct vtd_pt_cfg cfg = vtd_unit_pt_cfg(unit, dev_to_node(dev));
	bool nest_parent = flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
	enum vtd_domain_format format = VTD_DOM_FL;
	struct vtd_domain *d;
	int ret;

	if ((flags & ~IOMMU_HWPT_ALLOC_NEST_PARENT) || ud)
		return ERR_PTR(-EOPNOTSUPP);
	if (nest_parent && unit->nest_hw) {
		format = VTD_DOM_SL;
		cfg.format = unit->sl_aw == VTD_AW_48 ? VTD_PT_SL4 : VTD_PT_SL3;
		cfg.pgsize_bitmap = unit->sl_pgsize_bitmap;
	}

	d = kzalloc_obj(*d);
	if (!d)
		return ERR_PTR(-ENOMEM);
	ret = vtd_domain_init(d, &vtd_paging_ops, format, &cfg);
	if (ret) {
		kfree(d);
		return ERR_PTR(ret);
	}
	d->nest_parent = nest_parent;
	d->domain.type = IOMMU_DOMAIN_UNMANAGED;	/* the core may retype it */
	d->domain.pgsize_bitmap = cfg.pgsize_bitmap;
	/* First level: the lower, canonical half of the address space. */
	d->domain.geometry.aperture_start = 0;
	d->domain.geometry.aperture_end = d->pt.first_level ?
		BIT_ULL(d->pt.va_bits - 1) - 1 : BIT_ULL(d->pt.va_bits) - 1;
	d->domain.geometry.force_aperture = true;
	return &d->domain;
}

static const struct iommu_domain_ops vtd_identity_ops = {
	.attach_dev = vtd_identity_attach,
};

struct iommu_domain vtd_identity_domain = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.ops = &vtd_identity_ops,
};

static const struct iommu_domain_ops vtd_blocked_ops = {
	.attach_dev = vtd_blocked_attach,
};

struct iommu_domain vtd_blocked_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &vtd_blocked_ops,
};
