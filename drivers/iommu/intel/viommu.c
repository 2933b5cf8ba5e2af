// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VT-d vIOMMU (IOMMU_VIOMMU_TYPE_VTD_NEST, include/uapi/linux/
 * iommufd_vtd_nest.h): one per virtual VT-d a VMM gives a guest, on a
 * nest parent of ours. It knows the guest's requester IDs (its vDEVICEs,
 * through iommufd-viommu's guest-ID map), belongs to one KVM VM (the
 * layer's KVM link), takes the guest's own invalidation descriptors, and
 * reports DMA faults of its devices in guest terms to its vEVENTQ.
 *
 * Nested HWPTs allocated on it (pt_id = the vIOMMU) may carry the guest
 * domain ID of the PASID entry they stand for (struct
 * iommu_hwpt_vtd_s1_viommu); forwarded PASID-based invalidations reach
 * the nested HWPTs of their domain ID, or every one without an ID. Only
 * devices with a vDEVICE on the vIOMMU may attach them.
 *
 * Locking: vv->lock (mutex) protects the list of nested HWPTs; it comes
 * before the layer's lock and the nesting locks (parent->nest_lock,
 * nested->lock). vdev->vdevice changes under unit->lock.
 */
#define pr_fmt(fmt) "intel-vtd: " fmt

#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_vtd_nest.h>

#include "vtd.h"
#include "nested.h"
#include "vtd-guest-qi.h"
#include "../iommufd/viommu-layer.h"

struct vtd_viommu {
	struct iommufd_viommu core;
	struct viommu_link link;
	struct vtd_unit *unit;
	struct vtd_domain *parent;
	struct mutex lock;		/* @nested */
	struct list_head nested;	/* struct vtd_nested, viommu_node */
	struct vtd_module_ref *modref;
};

struct vtd_vdevice {
	struct iommufd_vdevice core;
	struct viommu_link_dev ld;
	struct vtd_viommu *vv;
	struct vtd_device *vdev;
};

static struct vtd_viommu *to_vtd_viommu(struct iommufd_viommu *viommu)
{
	return container_of(viommu, struct vtd_viommu, core);
}

/* The guest's requester IDs are 16 bits. */
#define VTD_VIOMMU_MAX_RID	0xffff

/*
 * The registers a VMM may show its guest: first-level translation (1G and
 * 5-level where the unit has them), queued invalidation, pass-through,
 * as wide a guest-physical space as the parent maps, 16-bit domain IDs;
 * caching mode with the software engine (see iommufd_vtd_nest.h).
 */
static void vtd_viommu_guest_regs(struct vtd_unit *unit,
				  struct vtd_domain *parent, u64 *cap,
				  u64 *ecap)
{
	unsigned int gpa_bits = parent->pt.first_level ? parent->pt.va_bits - 1 :
							 parent->pt.va_bits;

	*ecap = unit->ecap & (VTD_ECAP_QI | VTD_ECAP_PT | VTD_ECAP_SMTS |
			      VTD_ECAP_FLTS | VTD_ECAP_C | VTD_ECAP_SMPWC);
	*cap = (unit->cap & (VTD_CAP_FL1GP | VTD_CAP_FL5LP | VTD_CAP_PSI |
			     VTD_CAP_MAMV)) |
	       FIELD_PREP(VTD_CAP_ND, 6) |
	       FIELD_PREP(VTD_CAP_MGAW, gpa_bits - 1);
	if (!unit->nest_hw)
		*cap |= VTD_CAP_CM;
}

static void vtd_viommu_destroy(struct iommufd_viommu *viommu)
{
	struct vtd_viommu *vv = to_vtd_viommu(viommu);

	/* Nested HWPTs and vDEVICEs hold the vIOMMU: all gone. */
	WARN_ON(!list_empty(&vv->nested));
	viommu_link_destroy(&vv->link);
	atomic_dec(&vv->unit->viommus);
	mutex_destroy(&vv->lock);
	vtd_module_put(vv->modref);
}

static struct iommu_domain *
vtd_viommu_alloc_domain_nested(struct iommufd_viommu *viommu, u32 flags,
			       const struct iommu_user_data *ud)
{
	struct vtd_viommu *vv = to_vtd_viommu(viommu);
	struct iommu_hwpt_vtd_s1_viommu data = {};
	struct vtd_nested *n;
	int ret;

	if (flags)
		return ERR_PTR(-EOPNOTSUPP);
	if (!ud || ud->type != IOMMU_HWPT_DATA_VTD_S1)
		return ERR_PTR(-EOPNOTSUPP);
	/* The upstream struct alone, or followed by the guest's domain ID. */
	ret = iommu_copy_struct_from_user(&data, ud, IOMMU_HWPT_DATA_VTD_S1,
					  s1.__reserved);
	if (ret)
		return ERR_PTR(ret);
	if (data.flags & ~IOMMU_HWPT_VTD_S1_VIOMMU_DID_VALID)
		return ERR_PTR(-EOPNOTSUPP);
	if (data.__reserved)
		return ERR_PTR(-EINVAL);
	n = vtd_nested_create(vv->unit, vv->parent, &data.s1, NUMA_NO_NODE);
	if (IS_ERR(n))
		return ERR_CAST(n);
	n->viommu = vv;
	n->guest_did_valid = data.flags & IOMMU_HWPT_VTD_S1_VIOMMU_DID_VALID;
	n->guest_did = data.guest_did;
	mutex_lock(&vv->lock);
	list_add(&n->viommu_node, &vv->nested);
	mutex_unlock(&vv->lock);
	return &n->d.domain;
}

/**
 * vtd_viommu_forget_nested() - a nested HWPT of the vIOMMU is freed
 * @n: the nested domain
 */
void vtd_viommu_forget_nested(struct vtd_nested *n)
{
	struct vtd_viommu *vv = n->viommu;

	mutex_lock(&vv->lock);
	list_del_init(&n->viommu_node);
	mutex_unlock(&vv->lock);
}

/**
 * vtd_viommu_has_device() - may @vdev attach a nested HWPT of @vv?
 * @vv: the vIOMMU
 * @vdev: the device
 *
 * Return: true if the device has a vDEVICE on @vv.
 */
bool vtd_viommu_has_device(struct vtd_viommu *vv, struct vtd_device *vdev)
{
	bool ok;

	spin_lock(&vdev->unit->lock);
	ok = vdev->vdevice && vdev->vdevice->vv == vv;
	spin_unlock(&vdev->unit->lock);
	return ok;
}

/* Does a forwarded PASID-based invalidation reach @n? */
static bool vtd_viommu_targets(const struct vtd_nested *n,
			       const struct vtd_guest_inv *inv)
{
	bool global = inv->type == VTD_QI_PC && inv->gran == VTD_QI_PC_GLOBAL;

	/* Nested HWPTs stand for RID_PASID entries: PASID 0. */
	if (!global && inv->pasid)
		return false;
	if (global || !n->guest_did_valid)
		return true;
	return n->guest_did == inv->did;
}

struct vtd_viommu_dev_inv {
	struct vtd_viommu *vv;
	const struct vtd_guest_inv *inv;
};

/* A device-TLB invalidation: the device's nested HWPT of this vIOMMU. */
static int vtd_viommu_dev_inv(struct device *dev, void *arg)
{
	struct vtd_viommu_dev_inv *di = arg;
	struct vtd_device *vdev = dev_iommu_priv_get(dev);
	struct vtd_domain *d = vtd_domain_get_attached(vdev);
	int ret = 0;

	if (d && vtd_domain_is_nested(&d->domain) &&
	    to_vtd_nested(&d->domain)->viommu == di->vv &&
	    (!di->inv->pasid || di->inv->all_pasids))
		ret = vtd_nested_sync(to_vtd_nested(&d->domain),
				      di->inv->first, di->inv->last, false);
	if (d)
		vtd_domain_put(d);
	return ret;
}

static int vtd_viommu_apply(struct vtd_viommu *vv,
			    const struct vtd_guest_inv *inv)
{
	struct vtd_viommu_dev_inv di = { .vv = vv, .inv = inv };
	struct vtd_nested *n;
	int ret = 0;

	switch (inv->type) {
	case VTD_QI_PIOTLB:
	case VTD_QI_PC:
		mutex_lock(&vv->lock);
		list_for_each_entry(n, &vv->nested, viommu_node) {
			if (!vtd_viommu_targets(n, inv))
				continue;
			ret = vtd_nested_sync(n, inv->first, inv->last,
					      inv->ih);
			if (ret)
				break;
		}
		mutex_unlock(&vv->lock);
		return ret;
	case VTD_QI_DEV_TLB:
	case VTD_QI_PDEV_TLB:
		return viommu_link_call(&vv->link, inv->sid, vtd_viommu_dev_inv,
					&di);
	default:
		return -EOPNOTSUPP;
	}
}

/*
 * The guest's descriptors, as it wrote them: see vtd-guest-qi.h. Stops at
 * the first one refused or failed; entry_num says how many were done.
 */
static int vtd_viommu_cache_invalidate(struct iommufd_viommu *viommu,
				       struct iommu_user_data_array *array)
{
	struct vtd_viommu *vv = to_vtd_viommu(viommu);
	struct iommu_viommu_vtd_desc desc;
	struct vtd_guest_inv inv;
	u32 i, done = 0;
	int ret = 0;

	if (array->type != IOMMU_VIOMMU_INVALIDATE_DATA_VTD_DESC) {
		ret = -EINVAL;
		goto out;
	}
	for (i = 0; i < array->entry_num; i++) {
		ret = iommu_copy_struct_from_user_array(&desc, array,
							IOMMU_VIOMMU_INVALIDATE_DATA_VTD_DESC,
							i, qw[3]);
		if (ret)
			break;
		ret = vtd_guest_inv_decode(desc.qw, &inv);
		if (!ret)
			ret = vtd_viommu_apply(vv, &inv);
		if (ret)
			break;
		done++;
	}
out:
	array->entry_num = done;
	return ret;
}

static void vtd_vdevice_destroy(struct iommufd_vdevice *core)
{
	struct vtd_vdevice *vd = container_of(core, struct vtd_vdevice, core);
	struct vtd_device *vdev = vd->vdev;

	/* First: no lookup by guest ID reaches it once this returns. */
	viommu_link_dev_remove(&vd->ld);
	spin_lock(&vdev->unit->lock);
	if (vdev->vdevice == vd)
		vdev->vdevice = NULL;
	spin_unlock(&vdev->unit->lock);
}

/*
 * A guest requester ID for a device of the vIOMMU's VM: -EINVAL above
 * 0xffff or for a device that has a vDEVICE on another vIOMMU; what the
 * layer refuses (viommu_link_dev_add()).
 */
static int vtd_vdevice_init(struct iommufd_vdevice *core)
{
	struct vtd_vdevice *vd = container_of(core, struct vtd_vdevice, core);
	struct vtd_viommu *vv = to_vtd_viommu(core->viommu);
	struct device *dev = iommufd_vdevice_to_device(core);
	struct vtd_device *vdev = dev_iommu_priv_get(dev);
	int ret;

	if (core->virt_id > VTD_VIOMMU_MAX_RID)
		return -EINVAL;
	spin_lock(&vdev->unit->lock);
	ret = vdev->vdevice ? -EINVAL : 0;
	spin_unlock(&vdev->unit->lock);
	if (ret)
		return ret;
	ret = viommu_link_dev_add(&vv->link, &vd->ld, core);
	if (ret)
		return ret;
	vd->vv = vv;
	vd->vdev = vdev;
	spin_lock(&vdev->unit->lock);
	vdev->vdevice = vd;
	spin_unlock(&vdev->unit->lock);
	core->destroy = vtd_vdevice_destroy;
	return 0;
}

static const struct iommufd_viommu_ops vtd_viommu_ops = {
	.destroy = vtd_viommu_destroy,
	.alloc_domain_nested = vtd_viommu_alloc_domain_nested,
	.cache_invalidate = vtd_viommu_cache_invalidate,
	.vdevice_size = VDEVICE_STRUCT_SIZE(struct vtd_vdevice, core),
	.vdevice_init = vtd_vdevice_init,
};

/**
 * vtd_get_viommu_size() - iommu_ops get_viommu_size
 * @dev: the device the vIOMMU is made for
 * @type: the vIOMMU type asked for
 *
 * Return: the size of our vIOMMU for IOMMU_VIOMMU_TYPE_VTD_NEST, 0 (not
 * supported) for every other type.
 */
size_t vtd_get_viommu_size(struct device *dev, enum iommu_viommu_type type)
{
	if ((u32)type != IOMMU_VIOMMU_TYPE_VTD_NEST)
		return 0;
	return VIOMMU_STRUCT_SIZE(struct vtd_viommu, core);
}

/**
 * vtd_viommu_init() - iommu_ops viommu_init
 * @viommu: the core's vIOMMU, inside our struct vtd_viommu
 * @parent_domain: the nest parent it sits on
 * @ud: struct iommu_viommu_vtd, or NULL (data_len 0: a vIOMMU of a VM)
 *
 * Return: 0; -EINVAL for a parent that is not one of our nest parents or
 * that the unit cannot walk; -EOPNOTSUPP for unknown flags; what the data
 * copy refuses; -EIO on a failed unit; -ENODEV while unloading; -ENOMEM.
 */
int vtd_viommu_init(struct iommufd_viommu *viommu,
		    struct iommu_domain *parent_domain,
		    const struct iommu_user_data *ud)
{
	struct vtd_viommu *vv = to_vtd_viommu(viommu);
	struct vtd_unit *unit = container_of(viommu->iommu_dev,
					     struct vtd_unit, iommu);
	struct iommu_viommu_vtd data = {};
	struct vtd_domain *p;
	int ret;

	/* The core checks that the parent is a nest parent, not whose. */
	if (!vtd_domain_is_paging(parent_domain) ||
	    !to_vtd_domain(parent_domain)->nest_parent)
		return -EINVAL;
	p = to_vtd_domain(parent_domain);
	if (vtd_domain_compatible(p, unit))
		return -EINVAL;
	if (ud) {
		ret = iommu_copy_struct_from_user(&data, ud,
						  IOMMU_VIOMMU_TYPE_VTD_NEST,
						  out_ecap);
		if (ret)
			return ret;
		if (data.flags & ~IOMMU_VIOMMU_VTD_NO_VM)
			return -EOPNOTSUPP;
	}
	if (vtd_unit_failed(unit))
		return -EIO;

	vv->modref = vtd_module_get();
	if (IS_ERR(vv->modref))
		return PTR_ERR(vv->modref);
	ret = viommu_link_init(&vv->link, viommu, IOMMU_VEVENTQ_TYPE_VTD_NEST,
			       data.flags & IOMMU_VIOMMU_VTD_NO_VM);
	if (ret)
		goto err_put;
	if (ud) {
		data.out_engine = unit->nest_hw ?
				  IOMMU_VIOMMU_VTD_ENGINE_HARDWARE :
				  IOMMU_VIOMMU_VTD_ENGINE_SOFTWARE;
		vtd_viommu_guest_regs(unit, p, &data.out_cap, &data.out_ecap);
		ret = iommu_copy_struct_to_user(ud, &data,
						IOMMU_VIOMMU_TYPE_VTD_NEST,
						out_ecap);
		if (ret)
			goto err_link;
	}
	vv->unit = unit;
	vv->parent = p;
	mutex_init(&vv->lock);
	INIT_LIST_HEAD(&vv->nested);
	atomic_inc(&unit->viommus);
	/* Last: the core calls destroy on failure only once ops are set. */
	viommu->ops = &vtd_viommu_ops;
	return 0;

err_link:
	viommu_link_destroy(&vv->link);
err_put:
	vtd_module_put(vv->modref);
	return ret;
}

/**
 * vtd_viommu_report_fault() - send a DMA fault to the vIOMMU's vEVENTQ
 * @vd: the vDEVICE of the faulting device
 * @f: the fault
 *
 * Context: any; @vd stays valid (unit->lock held by the caller).
 */
void vtd_viommu_report_fault(struct vtd_vdevice *vd, const struct vtd_fault *f)
{
	struct iommu_vevent_vtd ev = {
		.rid = vd->ld.virt_id,
		.pasid = f->pasid_present ? f->pasid : 0,
		.reason = f->reason,
		.addr = f->addr,
	};

	if (f->pasid_present)
		ev.flags |= IOMMU_VEVENT_VTD_PASID;
	if (f->is_read)
		ev.flags |= IOMMU_VEVENT_VTD_READ;
	if (f->is_write)
		ev.flags |= IOMMU_VEVENT_VTD_WRITE;
	viommu_link_report(&vd->vv->link, &ev, sizeof(ev));
}

/**
 * vtd_viommu_of_device() - the vIOMMU whose nested HWPT a device uses
 * @vdev: the device
 *
 * Context: unit->lock held.
 * Return: the device's vDEVICE if it is attached to a nested HWPT of
 * that vDEVICE's vIOMMU, else NULL.
 */
struct vtd_vdevice *vtd_viommu_of_device(struct vtd_device *vdev)
{
	struct vtd_vdevice *vd = vdev->vdevice;

	lockdep_assert_held(&vdev->unit->lock);
	if (!vd || !vtd_domain_is_nested(vdev->domain) ||
	    to_vtd_nested(vdev->domain)->viommu != vd->vv)
		return NULL;
	return vd;
}
