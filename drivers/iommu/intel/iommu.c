// SPDX-License-Identifier: GPL-2.0-only
/*
 * intel-vtd: a VT-d 3.0 scalable-mode IOMMU driver, loadable as a module,
 * translating DMA through first-level page tables (intel-pgtable).
 *
 * This file holds the iommu_ops (device probing, groups, reserved
 * regions, iommufd hw_info) and the module's life: the DMAR table is
 * parsed, every unit brought up, registered with the iommu core, and
 * only then is translation enabled.
 *
 * Devices that already have a driver when the core probes them are not
 * ours: probe_device refuses them (the core would switch their DMA under
 * a live driver) and gives them a pass-through PASID entry, so enabling
 * translation changes nothing for them.
 *
 * Each device the core accepts pins this module (ops->owner). To unload:
 * unbind their drivers, write 1 to /sys/module/intel_vtd/parameters/release
 * (refused with EBUSY while any of our devices has a driver), then rmmod.
 *
 * Interrupt remapping is not ours: the kernel's early boot code owns it
 * and would own the unit's invalidation queue with it, so the unit must
 * run with intremap=off, and MSIs are not isolated (see Documentation).
 */
#define pr_fmt(fmt) "intel-vtd: " fmt

#include <linux/acpi.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>

#include "vtd.h"

/* Up to 100 ms, the bound on reporting a fault; 0 would spin a kworker. */
#define VTD_FAULT_POLL_MS_MAX	100

unsigned int vtd_fault_poll_ms = 20;

static int vtd_fault_poll_ms_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;
	int ret;

	ret = kstrtouint(val, 0, &ms);
	if (ret)
		return ret;
	if (!ms || ms > VTD_FAULT_POLL_MS_MAX)
		return -EINVAL;
	WRITE_ONCE(vtd_fault_poll_ms, ms);
	return 0;
}

static const struct kernel_param_ops vtd_fault_poll_ms_ops = {
	.set = vtd_fault_poll_ms_set,
	.get = param_get_uint,
};
module_param_cb(fault_poll_ms, &vtd_fault_poll_ms_ops, &vtd_fault_poll_ms,
		0644);
MODULE_PARM_DESC(fault_poll_ms, "interval between fault register polls, 1-100 ms (default 20)");

/* The interrupt address window: never DMA-mapped (3.15, 5.1.4). */
#define VTD_MSI_WINDOW_START	0xfee00000ULL
#define VTD_MSI_WINDOW_LAST	0xfeefffffULL

static struct vtd_dmar vtd_dmar;
static DEFINE_MUTEX(vtd_lock);	/* registration state of the units */

static int vtd_bridge_buses(void *ctx, u16 seg, u8 bus, u8 devfn,
			    u8 *secondary, u8 *subordinate)
{
	struct pci_dev *pdev = pci_get_domain_bus_and_slot(seg, bus, devfn);
	int ret = -ENODEV;

	if (pdev && pdev->subordinate) {
		*secondary = pdev->subordinate->number;
		*subordinate = pdev->subordinate->busn_res.end;
		ret = 0;
	}
	pci_dev_put(pdev);
	return ret;
}

static const struct vtd_dmar_topology vtd_pci_topology = {
	.bridge_buses = vtd_bridge_buses,
};

static struct vtd_unit *vtd_unit_for(struct pci_dev *pdev)
{
	struct vtd_unit *unit;
	int index;

	index = vtd_dmar_find_unit(&vtd_dmar, pci_domain_nr(pdev->bus),
				   pdev->bus->number, pdev->devfn,
				   &vtd_pci_topology);
	if (index < 0)
		return NULL;
	list_for_each_entry(unit, &vtd_units, node)
		if (unit->index == index)
			return unit;
	return NULL;
}

/*
 * Would requests of @pdev arrive under another requester ID? A quirk
 * alias, or a PCIe-to-PCI or conventional bridge on the way up (which
 * takes ownership of the transactions), makes it so.
 * (pci_for_each_dma_alias() would tell exactly, but it is not exported.)
 */
static bool vtd_has_dma_alias(struct pci_dev *pdev)
{
	struct pci_bus *bus;

	if (pdev->dma_alias_mask)
		return true;
	for (bus = pdev->bus; !pci_is_root_bus(bus); bus = bus->parent) {
		struct pci_dev *bridge = bus->self;

		if (bridge && (!pci_is_pcie(bridge) ||
			       pci_pcie_type(bridge) == PCI_EXP_TYPE_PCI_BRIDGE))
			return true;
	}
	return false;
}

static struct vtd_device *vtd_device_create(struct device *dev,
					    struct vtd_unit *unit)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	struct vtd_device *vdev;
	int ret;

	vdev = kzalloc_obj(*vdev);
	if (!vdev)
		return ERR_PTR(-ENOMEM);
	vdev->dev = dev;
	vdev->unit = unit;
	vdev->segment = pci_domain_nr(pdev->bus);
	vdev->bus = pdev->bus->number;
	vdev->devfn = pdev->devfn;
	INIT_LIST_HEAD(&vdev->domain_node);

	ret = vtd_devtbl_setup(vdev);
	if (ret)
		goto err_free;
	ret = xa_insert(&unit->devices, vtd_sid(vdev->bus, vdev->devfn), vdev,
			GFP_KERNEL);
	if (ret)
		goto err_tables;
	return vdev;

err_tables:
	vtd_devtbl_teardown(vdev);
err_free:
	kfree(vdev);
	return ERR_PTR(ret);
}

static void vtd_device_destroy(struct vtd_device *vdev)
{
	vtd_debugfs_remove_device(vdev);
	vtd_domain_detach(vdev);
	spin_lock(&vdev->unit->lock);
	xa_erase(&vdev->unit->devices, vtd_sid(vdev->bus, vdev->devfn));
	spin_unlock(&vdev->unit->lock);
	vtd_devtbl_teardown(vdev);
	if (vdev->passthrough_only)
		put_device(vdev->dev);
	kfree(vdev);
}

/*
 * A device with a driver already bound: keep its DMA untranslated at the
 * hardware level, and leave it out of the iommu core.
 */
static void vtd_device_keep_passthrough(struct device *dev,
					struct vtd_unit *unit)
{
	struct vtd_device *vdev;
	struct vtd_pasid_entry pe;

	if (xa_load(&unit->devices, pci_dev_id(to_pci_dev(dev))))
		return;		/* seen before (a later driver bind) */
	/*
	 * Without a pass-through entry for every requester ID it uses, the
	 * device would lose DMA the moment translation goes on: the load is
	 * refused instead (vtd_register_units()).
	 */
	if (!(unit->ecap & VTD_ECAP_PT)) {
		dev_err(dev, "intel-vtd: has a driver (%s) but %s has no pass-through; unbind it before loading\n",
			dev->driver->name, unit->name);
		unit->unsafe_to_translate = true;
		return;
	}
	if (vtd_has_dma_alias(to_pci_dev(dev))) {
		dev_err(dev, "intel-vtd: has a driver (%s) and DMA requester-ID aliases we cannot pass through; unbind it before loading\n",
			dev->driver->name);
		unit->unsafe_to_translate = true;
		return;
	}
	vdev = vtd_device_create(dev, unit);
	if (IS_ERR(vdev)) {
		dev_err(dev, "intel-vtd: has a driver (%s) but no pass-through entry (%pe)\n",
			dev->driver->name, vdev);
		unit->unsafe_to_translate = true;
		return;
	}
	vdev->passthrough_only = true;
	get_device(dev);
	if (!vtd_pasid_entry_init_pt(&pe, unit->aw, VTD_DID_IDENTITY,
				     unit->walk_coherent))
		vtd_devtbl_set_pasid0(vdev, &pe, VTD_DID_IDENTITY);
	vdev->domain = &vtd_identity_domain;
	vtd_debugfs_add_device(vdev);
	dev_info(dev, "intel-vtd: driver %s already bound: left in pass-through\n",
		 dev->driver ? dev->driver->name : "?");
}

static struct iommu_device *vtd_probe_device(struct device *dev)
{
	struct vtd_device *vdev;
	struct vtd_unit *unit;

	if (!dev_is_pci(dev))
		return ERR_PTR(-ENODEV);
	unit = vtd_unit_for(to_pci_dev(dev));
	if (!unit)
		return ERR_PTR(-ENODEV);

	if (dev->driver) {
		vtd_device_keep_passthrough(dev, unit);
		return ERR_PTR(-ENODEV);
	}
	/*
	 * Registering one unit probes every device: those of a unit not yet
	 * registered (no ops) wait for its own registration to probe them.
	 */
	if (!unit->iommu.ops)
		return ERR_PTR(-ENODEV);
	/* Requests under another requester ID would need more entries. */
	if (vtd_has_dma_alias(to_pci_dev(dev))) {
		dev_info(dev, "intel-vtd: DMA requester-ID aliases are not supported\n");
		return ERR_PTR(-ENODEV);
	}

	vdev = vtd_device_create(dev, unit);
	if (IS_ERR(vdev))
		return ERR_CAST(vdev);
	dev_iommu_priv_set(dev, vdev);
	vtd_debugfs_add_device(vdev);
	return &unit->iommu;
}

/* The core frees dev->iommu, our pointer with it, after this returns. */
static void vtd_release_device(struct device *dev)
{
	vtd_device_destroy(dev_iommu_priv_get(dev));
}

static void vtd_get_resv_regions(struct device *dev, struct list_head *head)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	struct iommu_resv_region *reg;
	unsigned int i, s;

	for (i = 0; i < vtd_dmar.nr_rmrrs; i++) {
		const struct vtd_dmar_rmrr *rmrr = &vtd_dmar.rmrrs[i];

		if (rmrr->segment != pci_domain_nr(pdev->bus))
			continue;
		for (s = 0; s < rmrr->nr_scopes; s++) {
			if (!vtd_dmar_scope_matches(rmrr->scopes[s],
						    rmrr->segment,
						    pdev->bus->number,
						    pdev->devfn,
						    &vtd_pci_topology))
				continue;
			reg = iommu_alloc_resv_region(rmrr->base,
						      rmrr->last - rmrr->base + 1,
						      IOMMU_READ | IOMMU_WRITE,
						      IOMMU_RESV_DIRECT,
						      GFP_KERNEL);
			if (reg)
				list_add_tail(&reg->list, head);
			break;
		}
	}

	reg = iommu_alloc_resv_region(VTD_MSI_WINDOW_START,
				      VTD_MSI_WINDOW_LAST -
				      VTD_MSI_WINDOW_START + 1,
				      IOMMU_WRITE | IOMMU_MMIO,
				      IOMMU_RESV_MSI, GFP_KERNEL);
	if (reg)
		list_add_tail(&reg->list, head);
}

static void *vtd_hw_info(struct device *dev, u32 *length,
			 enum iommu_hw_info_type *type)
{
	struct vtd_device *vdev = dev_iommu_priv_get(dev);
	struct iommu_hw_info_vtd *info;

	if (*type != IOMMU_HW_INFO_TYPE_DEFAULT &&
	    *type != IOMMU_HW_INFO_TYPE_INTEL_VTD)
		return ERR_PTR(-EOPNOTSUPP);
	info = kzalloc_obj(*info);
	if (!info)
		return ERR_PTR(-ENOMEM);
	info->cap_reg = vdev->unit->cap;
	info->ecap_reg = vdev->unit->ecap;
	*length = sizeof(*info);
	*type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	return info;
}

static bool vtd_capable(struct device *dev, enum iommu_cap cap)
{
	switch (cap) {
	case IOMMU_CAP_CACHE_COHERENCY:
		return true;	/* x86 DMA snoops the CPU caches */
	case IOMMU_CAP_DEFERRED_FLUSH:
		return true;	/* flush_iotlb_all completes lazy unmaps */
	default:
		/*
		 * Not ENFORCE_CACHE_COHERENCY (we set no PGSNP), not
		 * DIRTY_TRACKING (first-level tables do not offer it here).
		 */
		return false;
	}
}

const struct iommu_ops vtd_iommu_ops = {
	.capable = vtd_capable,
	.hw_info = vtd_hw_info,
	.domain_alloc_paging_flags = vtd_domain_alloc_paging_flags,
	.probe_device = vtd_probe_device,
	.release_device = vtd_release_device,
	.device_group = pci_device_group,
	.get_resv_regions = vtd_get_resv_regions,
	.identity_domain = &vtd_identity_domain,
	.blocked_domain = &vtd_blocked_domain,
	.release_domain = &vtd_blocked_domain,
	.owner = THIS_MODULE,
};

static int vtd_register_units(void)
{
	struct vtd_unit *unit;
	int ret;

	list_for_each_entry(unit, &vtd_units, node) {
		ret = iommu_device_sysfs_add(&unit->iommu, NULL, NULL, "%s",
					     unit->name);
		if (ret)
			return ret;
		ret = iommu_device_register(&unit->iommu, &vtd_iommu_ops, NULL);
		if (ret) {
			iommu_device_sysfs_remove(&unit->iommu);
			return ret;
		}
		unit->registered = true;
	}
	list_for_each_entry(unit, &vtd_units, node) {
		if (unit->unsafe_to_translate) {
			pr_err("%s: a device with a driver could not be put in pass-through: translation stays off\n",
			       unit->name);
			return -EBUSY;
		}
	}
	list_for_each_entry(unit, &vtd_units, node) {
		ret = vtd_unit_enable_translation(unit);
		if (ret)
			return ret;
	}
	return 0;
}

/* Give every device back to the core; translation off. */
static void vtd_unregister_units(void)
{
	struct vtd_unit *unit;

	list_for_each_entry(unit, &vtd_units, node) {
		if (!unit->registered)
			continue;
		iommu_device_unregister(&unit->iommu);
		iommu_device_sysfs_remove(&unit->iommu);
		unit->registered = false;
	}
	list_for_each_entry(unit, &vtd_units, node)
		vtd_unit_disable_translation(unit);
}

/*
 * Devices of ours that have a driver bound keep the units in use. The
 * unit lock keeps a concurrent release_device from freeing an entry we
 * look at; a driver that binds after this check loses its DMA: writing
 * release while binding drivers is the user's race.
 */
static int vtd_units_busy(void)
{
	const struct device_driver *drv;
	struct vtd_device *vdev;
	struct vtd_unit *unit;
	unsigned long sid;

	list_for_each_entry(unit, &vtd_units, node) {
		spin_lock(&unit->lock);
		xa_for_each(&unit->devices, sid, vdev) {
			drv = READ_ONCE(vdev->dev->driver);
			if (vdev->passthrough_only || !drv)
				continue;
			dev_info(vdev->dev, "intel-vtd: still driven by %s: not released\n",
				 drv->name);
			spin_unlock(&unit->lock);
			return -EBUSY;
		}
		spin_unlock(&unit->lock);
	}
	return 0;
}

static int vtd_release_set(const char *val, const struct kernel_param *kp)
{
	bool release;
	int ret;

	ret = kstrtobool(val, &release);
	if (ret || !release)
		return ret ? ret : -EINVAL;

	mutex_lock(&vtd_lock);
	ret = vtd_units_busy();
	if (!ret) {
		vtd_unregister_units();
		pr_info("devices released, translation off: the module can be unloaded\n");
	}
	mutex_unlock(&vtd_lock);
	return ret;
}

static const struct kernel_param_ops vtd_release_ops = {
	.set = vtd_release_set,
};
module_param_cb(release, &vtd_release_ops, NULL, 0200);
MODULE_PARM_DESC(release, "write 1: give every device back (EBUSY while one has a driver), so the module can be unloaded");

/* Pass-through devices are ours to forget; the core's are gone by now. */
static void vtd_forget_devices(void)
{
	struct vtd_device *vdev;
	struct vtd_unit *unit;
	unsigned long sid;

	list_for_each_entry(unit, &vtd_units, node)
		xa_for_each(&unit->devices, sid, vdev)
			vtd_device_destroy(vdev);
}

static int vtd_dmar_load(void)
{
	struct acpi_table_header *hdr;
	acpi_status status;
	int ret;

	status = acpi_get_table(ACPI_SIG_DMAR, 0, &hdr);
	if (ACPI_FAILURE(status)) {
		pr_err("no ACPI DMAR table: this machine reports no VT-d hardware\n");
		return -ENODEV;
	}
	ret = vtd_dmar_parse(&vtd_dmar, hdr);
	acpi_put_table(hdr);
	if (ret)
		pr_err("DMAR table refused: %s (at byte %zu)\n",
		       vtd_dmar.error, vtd_dmar.error_offset);
	return ret;
}

static int __init vtd_init(void)
{
	struct vtd_unit *unit;
	int ret;

	ret = vtd_dmar_load();
	if (ret)
		return ret;
	ret = vtd_units_init(&vtd_dmar);
	if (ret)
		goto err_dmar;
	vtd_debugfs_init();
	list_for_each_entry(unit, &vtd_units, node)
		vtd_debugfs_add_unit(unit);

	mutex_lock(&vtd_lock);
	ret = vtd_register_units();
	if (ret)
		vtd_unregister_units();
	mutex_unlock(&vtd_lock);
	if (ret)
		goto err_units;
	pr_info("translating DMA with first-level tables; interrupt remapping is off, so MSIs are not isolated\n");
	return 0;

err_units:
	vtd_forget_devices();
	vtd_debugfs_exit();
	vtd_units_exit();
err_dmar:
	vtd_dmar_free(&vtd_dmar);
	return ret;
}
module_init(vtd_init);

static void __exit vtd_exit(void)
{
	mutex_lock(&vtd_lock);
	vtd_unregister_units();
	mutex_unlock(&vtd_lock);
	vtd_forget_devices();
	vtd_debugfs_exit();
	vtd_units_exit();
	vtd_dmar_free(&vtd_dmar);
}
module_exit(vtd_exit);

MODULE_DESCRIPTION("VT-d 3.0 scalable-mode IOMMU driver with first-level DMA remapping");
MODULE_LICENSE("GPL");
