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
 * translation changes nothing for them; so are the devices that share an
 * IOMMU group with them (devices.c, group.c).
 *
 * Each device the core accepts pins this module (ops->owner). To unload:
 * unbind their drivers, write 1 to /sys/module/intel_vtd/parameters/release
 * (refused with EBUSY while any of our devices has a driver), then rmmod.
 * After release, translation stays on: the released devices are blocked
 * until rmmod turns translation off.
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

/*
 * A module reference held by an object the core frees (a domain, a
 * vIOMMU). The last reference must not be dropped by code that then
 * returns into this module: it is dropped from an RCU callback, and module
 * exit waits for those (rcu_barrier()) before the module text goes.
 */
struct vtd_module_ref {
	struct rcu_head rcu;
};

/**
 * vtd_module_get() - a module reference for an object
 *
 * Return: the reference, ERR_PTR(-ENODEV) while the module is unloading,
 * or ERR_PTR(-ENOMEM).
 */
struct vtd_module_ref *vtd_module_get(void)
{
	struct vtd_module_ref *ref;

	if (!try_module_get(THIS_MODULE))
		return ERR_PTR(-ENODEV);
	ref = kzalloc_obj(*ref);
	if (!ref) {
		module_put(THIS_MODULE);
		return ERR_PTR(-ENOMEM);
	}
	return ref;
}

static void vtd_module_put_rcu(struct rcu_head *head)
{
	kfree(container_of(head, struct vtd_module_ref, rcu));
	module_put(THIS_MODULE);
}

/**
 * vtd_module_put() - drop a reference of vtd_module_get(), soon
 * @ref: the reference
 *
 * Context: any.
 */
void vtd_module_put(struct vtd_module_ref *ref)
{
	call_rcu(&ref->rcu, vtd_module_put_rcu);
}

static struct vtd_dmar vtd_dmar;
DEFINE_MUTEX(vtd_lock);		/* see vtd.h */

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

static struct iommu_device *vtd_probe_device(struct device *dev)
{
	struct vtd_device *vdev;
	struct vtd_unit *unit;
	struct pci_dev *pdev, *held;

	if (!dev_is_pci(dev))
		return ERR_PTR(-ENODEV);
	pdev = to_pci_dev(dev);
	unit = vtd_unit_for(pdev);
	if (!unit)
		return ERR_PTR(-ENODEV);

	if (dev->driver) {
		vtd_device_keep_out(pdev, unit, NULL);
		return ERR_PTR(-ENODEV);
	}
	/*
	 * Registering one unit probes every device: those of a unit not yet
	 * registered (no ops) wait for its own registration to probe them.
	 */
	if (!unit->iommu.ops)
		return ERR_PTR(-ENODEV);
	/* New devices of a failed unit stay without entries: blocked. */
	if (vtd_unit_failed(unit))
		return ERR_PTR(-EIO);
	/* Requests under another requester ID would need more entries. */
	if (vtd_has_dma_alias(pdev)) {
		dev_info(dev, "intel-vtd: DMA requester-ID aliases are not supported\n");
		return ERR_PTR(-ENODEV);
	}
	held = vtd_group_shared_with_driver(pdev);
	if (held) {
		vtd_device_keep_out(pdev, unit, held);
		pci_dev_put(held);
		return ERR_PTR(-ENODEV);
	}

	vdev = vtd_device_create(unit, dev, pdev->bus->number, pdev->devfn,
				 VTD_DEV_CORE);
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

/* An untrusted device always gets a translating default domain. */
static int vtd_def_domain_type(struct device *dev)
{
	return to_pci_dev(dev)->untrusted ? IOMMU_DOMAIN_DMA : 0;
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
	info->cap_reg = vtd_cap_reported(vdev->unit->cap, vdev->unit->ecap);
	info->ecap_reg = vtd_ecap_reported(vdev->unit->ecap);
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
	.domain_alloc_nested = vtd_domain_alloc_nested,
	.get_viommu_size = vtd_get_viommu_size,
	.viommu_init = vtd_viommu_init,
	.probe_device = vtd_probe_device,
	.release_device = vtd_release_device,
	.device_group = vtd_device_group,
	.def_domain_type = vtd_def_domain_type,
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
		ret = vtd_namespace_devices_add(unit);
		if (ret)
			return ret;
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

/*
 * Give every device of the core back: the core blocks each (our
 * release_domain) and releases it, which removes its entries. Translation
 * stays on, so those devices stay blocked until the module's exit turns
 * it off; devices outside the core keep their pass-through entries.
 */
static void vtd_unregister_units(void)
{
	struct vtd_unit *unit;

	lockdep_assert_held(&vtd_lock);
	list_for_each_entry(unit, &vtd_units, node) {
		if (!unit->registered)
			continue;
		iommu_device_unregister(&unit->iommu);
		iommu_device_sysfs_remove(&unit->iommu);
		unit->registered = false;
	}
}

/* The devices of the core, with a reference each, in unit and SID order. */
static struct device **vtd_core_devices(unsigned int *nr)
{
	struct device **devs = NULL, **more;
	struct vtd_device *vdev;
	struct vtd_unit *unit;
	unsigned int n = 0;
	unsigned long sid;

	list_for_each_entry(unit, &vtd_units, node) {
		xa_for_each(&unit->devices, sid, vdev) {
			if (vdev->kind != VTD_DEV_CORE)
				continue;
			more = krealloc_array(devs, n + 1, sizeof(*devs),
					      GFP_KERNEL);
			if (!more)
				goto err;
			devs = more;
			devs[n++] = get_device(vdev->dev);
		}
	}
	*nr = n;
	return devs;

err:
	while (n)
		put_device(devs[--n]);
	kfree(devs);
	return ERR_PTR(-ENOMEM);
}

/*
 * Release the core's devices, unless one has a driver. The driver core
 * binds a driver under the device lock, and hot-plug runs under the PCI
 * rescan/remove lock: both are held for the whole check and release, so
 * no driver binds to a device being released and none comes or goes.
 * (Device locks are not validated by lockdep; they are taken in unit and
 * SID order, and the driver core holds at most one of a PCI device's.)
 *
 * Context: the PCI rescan/remove lock, then vtd_lock, held: hot-removal
 * takes them in that order (device_del() runs our PCI notifier).
 */
static int vtd_release_all(void)
{
	struct vtd_unit *unit;
	struct device **devs;
	unsigned int i, nr = 0;
	int ret = 0;

	lockdep_assert_held(&vtd_lock);
	list_for_each_entry(unit, &vtd_units, node) {
		if (atomic_read(&unit->viommus)) {
			pr_info("%s: a vIOMMU exists: not released\n",
				unit->name);
			return -EBUSY;
		}
	}
	devs = vtd_core_devices(&nr);
	if (IS_ERR(devs))
		return PTR_ERR(devs);
	for (i = 0; i < nr; i++)
		device_lock(devs[i]);
	for (i = 0; i < nr && !ret; i++) {
		if (!devs[i]->driver)
			continue;
		dev_info(devs[i], "intel-vtd: still driven by %s: not released\n",
			 dev_driver_string(devs[i]));
		ret = -EBUSY;
	}
	if (!ret)
		vtd_unregister_units();
	for (i = nr; i--;) {
		device_unlock(devs[i]);
		put_device(devs[i]);
	}
	kfree(devs);
	return ret;
}

static int vtd_release_set(const char *val, const struct kernel_param *kp)
{
	bool release;
	int ret;

	ret = kstrtobool(val, &release);
	if (ret || !release)
		return ret ? ret : -EINVAL;

	pci_lock_rescan_remove();
	mutex_lock(&vtd_lock);
	ret = vtd_release_all();
	if (!ret)
		pr_info("devices released, translation stays on until unload: the module can be unloaded\n");
	mutex_unlock(&vtd_lock);
	pci_unlock_rescan_remove();
	return ret;
}

static const struct kernel_param_ops vtd_release_ops = {
	.set = vtd_release_set,
};
module_param_cb(release, &vtd_release_ops, NULL, 0200);
MODULE_PARM_DESC(release, "write 1: give every device back (EBUSY while one has a driver), so the module can be unloaded");

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

/*
 * The whole load runs under vtd_lock: a write to the release parameter
 * (whose file exists before this runs) waits for it. The PCI notifier is
 * registered outside it: the bus notifier chain's lock is held while the
 * notifier takes vtd_lock, so vtd_lock must never be held around
 * (un)registering. Before the units exist and after they are gone the
 * notifier finds nothing to do.
 */
static int __init vtd_init(void)
{
	struct vtd_unit *unit;
	int ret;

	ret = vtd_devices_watch();
	if (ret)
		return ret;
	mutex_lock(&vtd_lock);
	ret = vtd_dmar_load();
	if (ret)
		goto out;
	ret = vtd_units_init(&vtd_dmar);
	if (ret)
		goto err_dmar;
	vtd_debugfs_init();
	list_for_each_entry(unit, &vtd_units, node)
		vtd_debugfs_add_unit(unit);

	ret = vtd_register_units();
	if (ret)
		goto err_register;
	pr_info("translating DMA with first-level tables; interrupt remapping is off, so MSIs are not isolated\n");
	mutex_unlock(&vtd_lock);
	return 0;

err_register:
	vtd_unregister_units();
	vtd_units_stop_translation();
	vtd_forget_devices();
	vtd_debugfs_exit();
	vtd_units_exit();
err_dmar:
	vtd_dmar_free(&vtd_dmar);
out:
	mutex_unlock(&vtd_lock);
	vtd_devices_unwatch();
	rcu_barrier();
	return ret;
}
module_init(vtd_init);

static void __exit vtd_exit(void)
{
	mutex_lock(&vtd_lock);
	vtd_unregister_units();
	vtd_units_stop_translation();
	vtd_forget_devices();
	vtd_debugfs_exit();
	vtd_units_exit();
	vtd_dmar_free(&vtd_dmar);
	mutex_unlock(&vtd_lock);
	vtd_devices_unwatch();
	/* Domain frees drop their module reference from RCU callbacks. */
	rcu_barrier();
}
module_exit(vtd_exit);

MODULE_DESCRIPTION("VT-d 3.0 scalable-mode IOMMU driver with first-level DMA remapping");
MODULE_IMPORT_NS("IOMMUFD");
MODULE_LICENSE("GPL");
