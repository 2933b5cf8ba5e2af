// SPDX-License-Identifier: GPL-2.0-only
/*
 * Requester IDs we keep entries for (struct vtd_device), and those of
 * them that stay outside the iommu core.
 *
 * A device the core probes while a driver is bound is not ours to
 * translate: the core would switch its DMA under that driver. The same
 * holds for a device that shares an IOMMU group with such a device
 * (group.c): it is not isolated from it. Both keep working as before we
 * loaded, through a pass-through RID_PASID entry, and stay outside the
 * core. An untrusted (external-facing) device is never given
 * pass-through: bound, it makes the load fail; unbound, it is blocked.
 * ACPI namespace devices that the DMAR table lists for a unit issue DMA
 * too, with no PCI device the core could probe: they get pass-through.
 *
 * An outside device that goes away (hot-unplug, sysfs remove) takes its
 * entries with it (a PCI bus notifier), so a device later plugged in at
 * the same address does not inherit them.
 */
#define pr_fmt(fmt) "intel-vtd: " fmt

#include <linux/device.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "vtd.h"

/**
 * vtd_device_create() - entries for a requester ID
 * @unit: the unit that translates it
 * @dev: the device, or NULL for an ACPI namespace device
 * @bus: its bus
 * @devfn: its device and function
 * @kind: what it is
 *
 * Its RID_PASID entry starts not present: requests fault until one is
 * set. Devices outside the core hold a reference on @dev.
 *
 * Return: the record, or ERR_PTR(-ENOMEM) or ERR_PTR(-EBUSY) if the
 * requester ID has entries already.
 */
struct vtd_device *vtd_device_create(struct vtd_unit *unit, struct device *dev,
				     u8 bus, u8 devfn, enum vtd_dev_kind kind)
{
	struct vtd_device *vdev;
	int ret;

	vdev = kzalloc_obj(*vdev);
	if (!vdev)
		return ERR_PTR(-ENOMEM);
	vdev->dev = dev;
	vdev->unit = unit;
	vdev->kind = kind;
	vdev->segment = unit->drhd->segment;
	vdev->bus = bus;
	vdev->devfn = devfn;
	INIT_LIST_HEAD(&vdev->domain_node);

	ret = vtd_devtbl_setup(vdev);
	if (ret)
		goto err_free;
	ret = xa_insert(&unit->devices, vtd_sid(bus, devfn), vdev, GFP_KERNEL);
	if (ret)
		goto err_tables;
	if (dev && kind != VTD_DEV_CORE)
		get_device(dev);
	return vdev;

err_tables:
	vtd_devtbl_teardown(vdev);
err_free:
	kfree(vdev);
	return ERR_PTR(ret);
}

/**
 * vtd_device_destroy() - block a requester ID and remove its entries
 * @vdev: the record; freed
 */
void vtd_device_destroy(struct vtd_device *vdev)
{
	vtd_debugfs_remove_device(vdev);
	vtd_domain_detach(vdev);
	spin_lock(&vdev->unit->lock);
	xa_erase(&vdev->unit->devices, vtd_sid(vdev->bus, vdev->devfn));
	spin_unlock(&vdev->unit->lock);
	vtd_devtbl_teardown(vdev);
	if (vdev->dev && vdev->kind != VTD_DEV_CORE)
		put_device(vdev->dev);
	kfree(vdev);
}

/* A pass-through RID_PASID entry; the record's domain says so. */
static int vtd_device_pass_through(struct vtd_device *vdev)
{
	struct vtd_unit *unit = vdev->unit;
	struct vtd_pasid_entry pe;
	int ret;

	ret = vtd_pasid_entry_init_pt(&pe, unit->aw, VTD_DID_IDENTITY,
				      unit->walk_coherent);
	if (WARN_ON(ret))
		return ret;
	ret = vtd_devtbl_set_pasid0(vdev, &pe, VTD_DID_IDENTITY);
	if (!ret)
		vdev->domain = &vtd_identity_domain;
	return ret;
}

/*
 * Would requests of @pdev arrive under another requester ID? A quirk
 * alias, or a PCIe-to-PCI or conventional bridge on the way up (which
 * takes ownership of the transactions), makes it so: one entry would not
 * cover the device. (pci_for_each_dma_alias() is not exported.)
 */
bool vtd_has_dma_alias(struct pci_dev *pdev)
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

/**
 * vtd_device_keep_out() - keep a PCI device outside the iommu core
 * @pdev: the device, on @unit
 * @unit: its unit
 * @held: the device with a driver it shares an IOMMU group with, or NULL
 *	when @pdev's own driver is the reason
 *
 * Gives @pdev the entries enum vtd_dev_kind describes. Where the device
 * would lose DMA its driver is doing (no ECAP.PT, DMA aliases, an
 * untrusted device, no memory), @unit is marked unsafe to translate and
 * the load is refused (vtd_register_units()). Does nothing for a device
 * that has entries already (a later driver bind).
 */
void vtd_device_keep_out(struct pci_dev *pdev, struct vtd_unit *unit,
			 struct pci_dev *held)
{
	struct device *dev = &pdev->dev;
	enum vtd_dev_kind kind;
	struct vtd_device *vdev;
	const char *why = NULL;

	if (xa_load(&unit->devices, pci_dev_id(pdev)))
		return;
	kind = vtd_outside_kind(pdev, unit->ecap & VTD_ECAP_PT,
				vtd_has_dma_alias(pdev));
	if (kind == VTD_DEV_BLOCKED && !held) {
		why = pdev->untrusted ? "it is untrusted (external-facing)" :
		      !(unit->ecap & VTD_ECAP_PT) ? "the unit has no pass-through" :
		      "it has DMA requester-ID aliases";
		dev_err(dev, "intel-vtd: has a driver (%s), but cannot be left in pass-through: %s; unbind it before loading\n",
			dev_driver_string(dev), why);
		unit->unsafe_to_translate = true;
		return;
	}

	vdev = vtd_device_create(unit, dev, pdev->bus->number, pdev->devfn,
				 kind);
	if (!IS_ERR(vdev) && kind == VTD_DEV_PASSTHROUGH &&
	    vtd_device_pass_through(vdev)) {
		vtd_device_destroy(vdev);
		vdev = ERR_PTR(-EIO);
	}
	if (IS_ERR(vdev)) {
		dev_err(dev, "intel-vtd: no entries to keep it working (%pe)\n",
			vdev);
		unit->unsafe_to_translate = true;
		return;
	}
	vtd_debugfs_add_device(vdev);
	if (!held)
		dev_info(dev, "intel-vtd: driver %s already bound: left in pass-through\n",
			 dev_driver_string(dev));
	else
		dev_info(dev, "intel-vtd: not isolated from %s (driver %s): %s\n",
			 pci_name(held), dev_driver_string(&held->dev),
			 kind == VTD_DEV_BLOCKED ? "blocked" :
			 "left in pass-through like it");
}

/**
 * vtd_namespace_devices_add() - pass-through for the unit's ACPI
 *				 namespace devices
 * @unit: the unit
 *
 * Return: 0, or -EBUSY if one cannot get pass-through (the unit lacks
 * ECAP.PT): it would lose DMA the moment translation goes on.
 */
int vtd_namespace_devices_add(struct vtd_unit *unit)
{
	const struct vtd_dmar_unit *drhd = unit->drhd;
	struct vtd_device *vdev;
	unsigned int i;
	u8 bus, devfn;

	for (i = 0; i < drhd->nr_scopes; i++) {
		if (!vtd_dmar_namespace_rid(drhd->scopes[i], &bus, &devfn))
			continue;
		if (xa_load(&unit->devices, vtd_sid(bus, devfn)))
			continue;	/* listed twice */
		vdev = ERR_PTR(-EOPNOTSUPP);
		if (unit->ecap & VTD_ECAP_PT)
			vdev = vtd_device_create(unit, NULL, bus, devfn,
						 VTD_DEV_NAMESPACE);
		if (!IS_ERR(vdev) && vtd_device_pass_through(vdev)) {
			vtd_device_destroy(vdev);
			vdev = ERR_PTR(-EIO);
		}
		if (IS_ERR(vdev)) {
			pr_err("%s: ACPI namespace device %02x:%02x.%d: no pass-through (%pe)\n",
			       unit->name, bus, PCI_SLOT(devfn),
			       PCI_FUNC(devfn), vdev);
			return -EBUSY;
		}
		vtd_debugfs_add_device(vdev);
	}
	return 0;
}

/**
 * vtd_forget_devices() - remove the entries of every device outside the
 *			  core
 *
 * Context: vtd_lock held; the core's devices are gone (units
 * unregistered). The PCI notifier may still run, but only once vtd_lock
 * is dropped, and it then finds no entry.
 */
void vtd_forget_devices(void)
{
	struct vtd_device *vdev;
	struct vtd_unit *unit;
	unsigned long sid;

	lockdep_assert_held(&vtd_lock);
	list_for_each_entry(unit, &vtd_units, node)
		xa_for_each(&unit->devices, sid, vdev)
			vtd_device_destroy(vdev);
}

/* A device outside the core went away: so do its entries. */
static int vtd_pci_notify(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	struct device *dev = data;
	struct pci_dev *pdev = to_pci_dev(dev);
	struct vtd_device *vdev;
	struct vtd_unit *unit;

	if (action != BUS_NOTIFY_REMOVED_DEVICE)
		return NOTIFY_DONE;
	mutex_lock(&vtd_lock);
	list_for_each_entry(unit, &vtd_units, node) {
		if (unit->drhd->segment != pci_domain_nr(pdev->bus))
			continue;
		vdev = xa_load(&unit->devices, pci_dev_id(pdev));
		if (vdev && vdev->dev == dev && vdev->kind != VTD_DEV_CORE) {
			dev_info(dev, "intel-vtd: removed: its pass-through entries go\n");
			vtd_device_destroy(vdev);
		}
	}
	mutex_unlock(&vtd_lock);
	return NOTIFY_OK;
}

static struct notifier_block vtd_pci_nb = {
	.notifier_call = vtd_pci_notify,
};

int vtd_devices_watch(void)
{
	return bus_register_notifier(&pci_bus_type, &vtd_pci_nb);
}

void vtd_devices_unwatch(void)
{
	bus_unregister_notifier(&pci_bus_type, &vtd_pci_nb);
}
