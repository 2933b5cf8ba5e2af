// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU groups that follow the PCI topology and ACS whether or not every
 * member is ours.
 *
 * The kernel's pci_device_group() finds a device's group through the
 * groups of its aliases, upstream bridges and sibling functions. Here
 * most of those never get a group: a bridge or a function whose driver
 * was bound before we loaded stays outside the iommu core (a late probe
 * would switch its DMA under its driver). pci_device_group() would then
 * put two devices that cannot be isolated from each other in two groups,
 * and VFIO would hand them to different owners. So the grouping is
 * computed here from the topology itself, by the kernel's rules:
 *
 *  - a device's requests carry the requester ID of the topmost DMA alias
 *    on its way up (PCIe-to-PCI bridges, conventional bridges), as in
 *    pci_for_each_dma_alias();
 *  - from there, up to the first bridge whose path to the root complex
 *    has ACS (source validation, request and completion redirect,
 *    upstream forwarding), every bridge passed shares the device's
 *    group: its "isolation root" is the last bridge passed;
 *  - roots on one bus join when one is a quirk DMA alias of the other,
 *    or when they are functions of one slot of a multi-function device
 *    without ACS.
 *
 * Two devices share a group when their isolation roots are joined. The
 * kernel's device-specific ACS quirks are not exported, so a device that
 * only a quirk isolates shares a group here: groups can be larger than
 * the kernel's, never smaller.
 *
 * A device whose group would contain a device that a kernel driver drives
 * with the DMA API outside the iommu core (bound before we loaded) is not
 * isolated from that driver's device: it stays out of the core too (see
 * vtd_probe_device()). Drivers that do no DMA of their own
 * (driver_managed_dma: PCIe port services, pci-stub, VFIO) do not count.
 */
#include <linux/bitmap.h>
#include <linux/iommu.h>
#include <linux/pci.h>

#include "vtd.h"

/* The iommu core's REQ_ACS_FLAGS. */
#define VTD_REQ_ACS	(PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF)

static bool vtd_acs_ctrl_has(struct pci_dev *pdev, u16 flags)
{
	u16 ctrl;

	if (!pdev->acs_cap)
		return false;
	/* Features the capability lacks are hard-wired on, but for EC. */
	flags &= pdev->acs_capabilities | PCI_ACS_EC;
	pci_read_config_word(pdev, pdev->acs_cap + PCI_ACS_CTRL, &ctrl);
	return (ctrl & flags) == flags;
}

/* pci_acs_enabled(pdev, REQ_ACS_FLAGS) without the device quirks. */
static bool vtd_acs_enabled(struct pci_dev *pdev)
{
	/* Conventional PCI and PCI-X: a shared bus, no isolation. */
	if (!pci_is_pcie(pdev))
		return false;

	switch (pci_pcie_type(pdev)) {
	case PCI_EXP_TYPE_PCIE_BRIDGE:
	case PCI_EXP_TYPE_PCI_BRIDGE:
	case PCI_EXP_TYPE_RC_EC:
		return false;
	case PCI_EXP_TYPE_DOWNSTREAM:
	case PCI_EXP_TYPE_ROOT_PORT:
		return vtd_acs_ctrl_has(pdev, VTD_REQ_ACS);
	case PCI_EXP_TYPE_ENDPOINT:
	case PCI_EXP_TYPE_UPSTREAM:
	case PCI_EXP_TYPE_LEG_END:
	case PCI_EXP_TYPE_RC_END:
		if (!pdev->multifunction)
			break;
		return vtd_acs_ctrl_has(pdev, VTD_REQ_ACS);
	}
	/* PCIe 6.12.1.3: no ACS applies to other single-function devices. */
	return true;
}

/* pci_acs_path_enabled(start, NULL, REQ_ACS_FLAGS). */
static bool vtd_acs_path_enabled(struct pci_dev *pdev)
{
	for (;;) {
		if (!vtd_acs_enabled(pdev))
			return false;
		if (pci_is_root_bus(pdev->bus))
			return true;
		pdev = pdev->bus->self;
		if (!pdev)
			return false;	/* a virtual bus: assume no isolation */
	}
}

/* The last device pci_for_each_dma_alias() would name for @pdev. */
static struct pci_dev *vtd_dma_alias_top(struct pci_dev *pdev)
{
	struct pci_dev *top = pdev, *bridge;
	struct pci_bus *bus;

	for (bus = pdev->bus; !pci_is_root_bus(bus); bus = bus->parent) {
		bridge = bus->self;
		if (!bridge)
			continue;
		if (bridge->dev_flags & PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT)
			break;
		if (!pci_is_pcie(bridge)) {
			top = bridge;
			continue;
		}
		switch (pci_pcie_type(bridge)) {
		case PCI_EXP_TYPE_PCI_BRIDGE:
			if (!(bridge->dev_flags &
			      PCI_DEV_FLAGS_PCI_BRIDGE_NO_ALIAS))
				top = bridge;
			break;
		case PCI_EXP_TYPE_PCIE_BRIDGE:
			top = bridge;
			break;
		}
	}
	return top;
}

/*
 * Where pci_device_group() stops looking upstream for @pdev: its topmost
 * DMA alias, then every bridge up to the first with ACS all the way up.
 */
static struct pci_dev *vtd_isolation_root(struct pci_dev *pdev)
{
	struct pci_bus *bus;

	pdev = vtd_dma_alias_top(pdev);
	for (bus = pdev->bus; !pci_is_root_bus(bus); bus = bus->parent) {
		if (!bus->self)
			continue;
		if (vtd_acs_path_enabled(bus->self))
			break;
		pdev = bus->self;
	}
	return pdev;
}

static bool vtd_are_dma_aliases(struct pci_dev *a, struct pci_dev *b)
{
	return (a->dma_alias_mask && test_bit(b->devfn, a->dma_alias_mask)) ||
	       (b->dma_alias_mask && test_bit(a->devfn, b->dma_alias_mask));
}

/* Functions of one slot that do not isolate themselves from each other. */
static bool vtd_are_open_functions(struct pci_dev *a, struct pci_dev *b)
{
	return a->multifunction && PCI_SLOT(a->devfn) == PCI_SLOT(b->devfn) &&
	       !vtd_acs_enabled(a) && !vtd_acs_enabled(b);
}

/*
 * The isolation roots joined with @root, as devfns of @root's bus: both
 * relations stay on one bus. Grows the set until nothing joins it.
 */
static void vtd_joined_roots(struct pci_dev *root, unsigned long *devfns)
{
	struct pci_dev *a = NULL, *b;
	bool grew;

	bitmap_zero(devfns, 256);
	__set_bit(root->devfn, devfns);
	do {
		grew = false;
		for_each_pci_dev(a) {
			if (a->bus != root->bus || !test_bit(a->devfn, devfns))
				continue;
			b = NULL;
			for_each_pci_dev(b) {
				if (b->bus != root->bus || b == a ||
				    test_bit(b->devfn, devfns))
					continue;
				if (vtd_are_dma_aliases(a, b) ||
				    vtd_are_open_functions(a, b)) {
					__set_bit(b->devfn, devfns);
					grew = true;
				}
			}
		}
	} while (grew);
}

/**
 * vtd_walk_group_members() - visit the devices that share @pdev's group
 * @pdev: the device
 * @fn: called for each of them but @pdev; a non-zero return stops the walk
 * @data: passed to @fn
 *
 * Context: process; takes references on PCI devices while it walks.
 * Return: what @fn returned to stop the walk, or 0.
 */
int vtd_walk_group_members(struct pci_dev *pdev, vtd_group_fn fn, void *data)
{
	DECLARE_BITMAP(devfns, 256);
	struct pci_dev *root = vtd_isolation_root(pdev), *x = NULL, *r;
	int ret;

	vtd_joined_roots(root, devfns);
	for_each_pci_dev(x) {
		if (x == pdev)
			continue;
		r = vtd_isolation_root(x);
		if (r->bus != root->bus || !test_bit(r->devfn, devfns))
			continue;
		ret = fn(x, data);
		if (ret) {
			pci_dev_put(x);
			return ret;
		}
	}
	return 0;
}

static int vtd_find_group(struct pci_dev *member, void *data)
{
	struct iommu_group **group = data;

	*group = iommu_group_get(&member->dev);
	return !!*group;
}

/**
 * vtd_device_group() - the iommu_ops device_group of our PCI devices
 * @dev: a device being probed
 *
 * Return: the group of the first member of @dev's group (see the top of
 * this file) that the iommu core already knows, with a reference, or a
 * new group.
 */
struct iommu_group *vtd_device_group(struct device *dev)
{
	struct iommu_group *group = NULL;

	if (vtd_walk_group_members(to_pci_dev(dev), vtd_find_group, &group))
		return group;
	return iommu_group_alloc();
}

/* A PCI driver that uses the DMA API for its device. */
static bool vtd_driver_does_dma(const struct device_driver *drv)
{
	return drv && !to_pci_driver(drv)->driver_managed_dma;
}

static int vtd_find_dma_driver(struct pci_dev *member, void *data)
{
	struct pci_dev **held = data;
	struct iommu_group *group;

	/* In the core: its driver is accounted for in the group. */
	group = iommu_group_get(&member->dev);
	if (group) {
		iommu_group_put(group);
		return 0;
	}
	if (!vtd_driver_does_dma(READ_ONCE(member->dev.driver)))
		return 0;
	*held = pci_dev_get(member);
	return 1;
}

/**
 * vtd_group_shared_with_driver() - is @pdev not isolated from a device
 *				    that a kernel driver drives outside the
 *				    iommu core?
 * @pdev: the device
 *
 * Return: such a device, with a reference (pci_dev_put() it), or NULL.
 */
struct pci_dev *vtd_group_shared_with_driver(struct pci_dev *pdev)
{
	struct pci_dev *held = NULL;

	vtd_walk_group_members(pdev, vtd_find_dma_driver, &held);
	return held;
}
