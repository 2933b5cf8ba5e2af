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
 */
#define pr_fmt(fmt) "intel-vtd: " fmt

#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "vtd.h"
#include <trace/events/intel_vtd.h>

static const struct iommu_domain_ops vtd_paging_ops;

/*
 * Invalidate [start, last] of @d on every unit it is attached through.
 * Return: 0, or the first unit's error (the others are still flushed).
 */
static int vtd_domain_flush(struct vtd_domain *d, u64 start, u64 last,
			    bool leaf_only)
{
	struct vtd_domain_unit *du;
	unsigned long flags;
	int ret = 0, err;

	spin_lock_irqsave(&d->lock, flags);
	list_for_each_entry(du, &d->units, node) {
		err = vtd_inv_piotlb(du->unit, du->did, 0, start, last,
				     leaf_only);
		if (!ret)
			ret = err;
	}
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

static void vtd_domain_put_unit(struct vtd_domain *d, struct vtd_unit *unit)
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
	spin_unlock_irqrestore(&d->lock, flags);
	ida_free(&unit->dids, du->did);
	kfree(du);
}

/*
 * Forget the device's previous paging domain, after its PASID entry has
 * moved away from it (and the old translations were invalidated).
 */
static void vtd_domain_leave_old(struct vtd_device *vdev,
				 struct iommu_domain *old)
{
	struct vtd_domain *d;
	unsigned long flags;

	if (!old || old->ops != &vtd_paging_ops)
		return;
	d = to_vtd_domain(old);
	spin_lock_irqsave(&d->lock, flags);
	list_del_init(&vdev->domain_node);
	spin_unlock_irqrestore(&d->lock, flags);
	vtd_domain_put_unit(d, vdev->unit);
}

static void vtd_device_set_domain(struct vtd_device *vdev,
				  struct iommu_domain *domain)
{
	spin_lock(&vdev->unit->lock);
	vdev->domain = domain;
	spin_unlock(&vdev->unit->lock);
}

static int vtd_paging_attach(struct iommu_domain *domain, struct device *dev,
			     struct iommu_domain *old)
{
	struct vtd_device *vdev = dev_iommu_priv_get(dev);
	struct vtd_domain *d = to_vtd_domain(domain);
	struct vtd_unit *unit = vdev->unit;
	struct vtd_pasid_entry pe;
	unsigned long flags;
	u16 did;
	int ret;

	/* Made for a unit with other abilities, or a walker that snoops. */
	if (d->pt.levels != unit->fl_levels ||
	    (d->domain.pgsize_bitmap & ~unit->pgsize_bitmap) ||
	    (!unit->walk_coherent &&
	     !(d->pt.cfg.flags & VTD_PT_CFG_NONCOHERENT)))
		return -EINVAL;
	if (old == domain)
		return 0;

	ret = vtd_domain_get_unit(d, unit, &did);
	if (ret)
		return ret;
	ret = vtd_pasid_entry_init_fl(&pe, vtd_pt_top_phys(&d->pt),
				      d->pt.levels, unit->aw, did,
				      unit->walk_coherent, false);
	if (WARN_ON(ret)) {
		vtd_domain_put_unit(d, unit);
		return ret;
	}

	/*
	 * Unmaps on @d flush this unit from the moment it holds the domain
	 * ID, before the device can use the table; then switch the entry.
	 */
	vtd_devtbl_set_pasid0(vdev, &pe, did);
	vtd_domain_leave_old(vdev, old);
	spin_lock_irqsave(&d->lock, flags);
	list_add(&vdev->domain_node, &d->devices);
	spin_unlock_irqrestore(&d->lock, flags);
	vtd_device_set_domain(vdev, domain);
	return 0;
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
	ret = vtd_pasid_entry_init_pt(&pe, unit->aw, VTD_DID_IDENTITY,
				      unit->walk_coherent);
	if (WARN_ON(ret))
		return ret;
	vtd_devtbl_set_pasid0(vdev, &pe, VTD_DID_IDENTITY);
	vtd_domain_leave_old(vdev, old);
	vtd_device_set_domain(vdev, domain);
	return 0;
}

static int vtd_blocked_attach(struct iommu_domain *domain, struct device *dev,
			      struct iommu_domain *old)
{
	struct vtd_device *vdev = dev_iommu_priv_get(dev);

	vtd_devtbl_set_pasid0(vdev, NULL, 0);
	vtd_domain_leave_old(vdev, old);
	vtd_device_set_domain(vdev, domain);
	return 0;
}

/**
 * vtd_domain_detach() - block a device and drop it from its domain
 * @vdev: the device, on its way out (release_device)
 */
void vtd_domain_detach(struct vtd_device *vdev)
{
	struct iommu_domain *old = vdev->domain;

	vtd_devtbl_set_pasid0(vdev, NULL, 0);
	vtd_domain_leave_old(vdev, old);
	vtd_device_set_domain(vdev, NULL);
}

static int vtd_map_pages(struct iommu_domain *domain, unsigned long iova,
			 phys_addr_t paddr, size_t pgsize, size_t pgcount,
			 int prot, gfp_t gfp, size_t *mapped)
{
	struct vtd_domain *d = to_vtd_domain(domain);
	u64 size = (u64)pgsize * pgcount;
	int ret;

	ret = vtd_pt_map(&d->pt, iova, paddr, size, prot, gfp);
	trace_intel_vtd_map(d, iova, paddr, size, prot);
	if (ret)
		return ret;
	*mapped = size;
	return 0;
}

static size_t vtd_unmap_pages(struct iommu_domain *domain, unsigned long iova,
			      size_t pgsize, size_t pgcount,
			      struct iommu_iotlb_gather *gather)
{
	struct vtd_domain *d = to_vtd_domain(domain);
	u64 size = (u64)pgsize * pgcount;
	struct vtd_pt_gather g;
	u64 unmapped;

	vtd_pt_gather_init(&g);
	unmapped = vtd_pt_unmap(&d->pt, iova, size, &g);
	trace_intel_vtd_unmap(d, iova, size, unmapped);
	if (vtd_pt_gather_empty(&g))
		return unmapped;

	if (!list_empty(&g.freelist)) {
		unsigned long flags;
		long leaked = 0;
		int ret;

		ret = vtd_domain_flush(d, g.start, g.last, false);
		/* Not while a debugfs dump walks the table. */
		spin_lock_irqsave(&d->lock, flags);
		if (ret)
			leaked = vtd_pt_gather_abandon(&d->pt, &g);
		else
			vtd_pt_gather_release(&d->pt, &g);
		spin_unlock_irqrestore(&d->lock, flags);
		if (leaked)
			pr_err_ratelimited("invalidation failed (%pe): %ld table pages the hardware may still walk are leaked, not freed\n",
					   ERR_PTR(ret), leaked);
	} else {
		iommu_iotlb_gather_add_range(gather, g.start,
					     g.last - g.start + 1);
	}
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
 * ones (CAP.CM) or has a write buffer to flush (CAP.RWBF).
 */
static int vtd_iotlb_sync_map(struct iommu_domain *domain, unsigned long iova,
			      size_t size)
{
	struct vtd_domain *d = to_vtd_domain(domain);
	struct vtd_domain_unit *du;
	unsigned long flags;

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
	struct vtd_pt_xlate x;

	if (vtd_pt_lookup(&to_vtd_domain(domain)->pt, iova, &x))
		return 0;
	return x.paddr;
}

static void vtd_domain_free(struct iommu_domain *domain)
{
	struct vtd_domain *d = to_vtd_domain(domain);

	WARN_ON(!list_empty(&d->devices) || !list_empty(&d->units));
	vtd_pt_destroy(&d->pt);
	kfree(d);
	module_put(THIS_MODULE);
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
 * vtd_domain_alloc_paging_flags() - a first-level paging domain
 * @dev: the device it is made for (its unit decides levels and leaf sizes)
 * @flags: IOMMU_HWPT_ALLOC_* flags; we support none of them
 * @ud: driver-specific data; we take none
 *
 * Nesting parents need second-level tables, dirty tracking needs
 * second-level A/D bits, and only requests without PASID are translated,
 * so every flag is refused.
 *
 * Return: the domain, ERR_PTR(-EOPNOTSUPP) for flags or data,
 * ERR_PTR(-ENOMEM), ERR_PTR(-ENODEV) while the module is unloading.
 */
struct iommu_domain *vtd_domain_alloc_paging_flags(struct device *dev,
						   u32 flags,
						   const struct iommu_user_data *ud)
{
	struct vtd_device *vdev = dev_iommu_priv_get(dev);
	struct vtd_unit *unit = vdev->unit;
	struct vtd_pt_cfg cfg = {
		.format = unit->fl_levels == 5 ? VTD_PT_FL5 : VTD_PT_FL4,
		.pgsize_bitmap = unit->pgsize_bitmap,
		.oas_bits = unit->haw,
		.flags = unit->walk_coherent ? 0 : VTD_PT_CFG_NONCOHERENT,
		.nid = dev_to_node(dev),
	};
	struct vtd_domain *d;
	int ret;

	if (flags || ud)
		return ERR_PTR(-EOPNOTSUPP);
	/*
	 * An iommufd HWPT outlives every device it was attached to, and with
	 * it the references the core takes per device: the domain holds the
	 * module itself: rmmod is refused until the last one is freed.
	 */
	if (!try_module_get(THIS_MODULE))
		return ERR_PTR(-ENODEV);

	d = kzalloc_obj(*d);
	if (!d) {
		ret = -ENOMEM;
		goto err_put;
	}
	ret = vtd_pt_init(&d->pt, &cfg, GFP_KERNEL);
	if (ret)
		goto err_free;
	spin_lock_init(&d->lock);
	INIT_LIST_HEAD(&d->devices);
	INIT_LIST_HEAD(&d->units);
	d->domain.type = IOMMU_DOMAIN_UNMANAGED;	/* the core may retype it */
	d->domain.ops = &vtd_paging_ops;
	d->domain.pgsize_bitmap = unit->pgsize_bitmap;
	/* The lower, canonical half of the first-level address space. */
	d->domain.geometry.aperture_start = 0;
	d->domain.geometry.aperture_end = BIT_ULL(d->pt.va_bits - 1) - 1;
	d->domain.geometry.force_aperture = true;
	return &d->domain;

err_free:
	kfree(d);
err_put:
	module_put(THIS_MODULE);
	return ERR_PTR(ret);
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
