// SPDX-License-Identifier: GPL-2.0-only
/*
 * iommufd-viommu: see viommu-layer.h.
 *
 * The KVM link. A vIOMMU serves one KVM VM: the VM that VFIO recorded for
 * its devices (KVM_DEV_VFIO_FILE_ADD before VFIO_DEVICE_BIND_IOMMUFD
 * makes VFIO take a reference on the VM and keep it in the vfio_device
 * until the device is closed). The first vDEVICE's VM becomes the
 * vIOMMU's, with a reference of the vIOMMU's own until it is destroyed;
 * every later vDEVICE must belong to that VM. A vIOMMU created for no VM
 * accepts only devices that belong to none.
 *
 * The VM is found only through pointers the kernel proved: the device's
 * child of class "vfio-dev" (every vfio_device registers one, and class
 * names are unique), which is the struct device inside a struct
 * vfio_device; that vfio_device must be the one of the device and of the
 * iommufd_device the vDEVICE was made for. Nothing here dereferences the
 * VM: it is only compared and its reference counted, through KVM's
 * exported kvm_get_kvm()/kvm_put_kvm(), taken with symbol_get() as VFIO
 * does, so KVM need not be loaded for a VM-less vIOMMU.
 *
 * No reference cycle: the VM holds VFIO files only through its kvm-vfio
 * device, which drops them when its fd closes; VFIO drops its VM
 * reference when the device closes; iommufd drops the vIOMMU (and ours)
 * when its fd closes. Closing the fds in any order frees everything.
 */
#define pr_fmt(fmt) "iommufd-viommu: " fmt

#include <kunit/visibility.h>
#include <linux/device.h>
#include <linux/iommufd.h>
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vfio.h>

#include "viommu-layer.h"

struct viommu_link_event {
	struct list_head node;
	size_t len;
	u8 data[] __counted_by(len);
};

static void viommu_link_deliver(struct work_struct *work)
{
	struct viommu_link *link = container_of(work, struct viommu_link,
						ev_work);
	struct viommu_link_event *ev;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&link->ev_lock, flags);
		ev = list_first_entry_or_null(&link->ev_list,
					      struct viommu_link_event, node);
		if (ev) {
			list_del(&ev->node);
			link->ev_count--;
		}
		spin_unlock_irqrestore(&link->ev_lock, flags);
		if (!ev)
			return;
		/* No queue of that type: the VMM did not ask for events. */
		iommufd_viommu_report_event(link->viommu, link->event_type,
					    ev->data, ev->len);
		kfree(ev);
	}
}

/**
 * viommu_link_init() - set up the layer's part of a new vIOMMU
 * @link: the part, in the driver's vIOMMU struct
 * @viommu: the core's vIOMMU
 * @event_type: the vEVENTQ type @viommu's events go to
 * @no_vm: the VMM asked for a vIOMMU without a VM
 *
 * Holds a reference on this module until viommu_link_destroy().
 *
 * Return: 0, or -ENODEV while this module is unloading.
 */
int viommu_link_init(struct viommu_link *link, struct iommufd_viommu *viommu,
		     u32 event_type, bool no_vm)
{
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;
	memset(link, 0, sizeof(*link));
	link->viommu = viommu;
	link->no_vm = no_vm;
	link->event_type = event_type;
	mutex_init(&link->lock);
	xa_init(&link->ids);
	spin_lock_init(&link->ev_lock);
	INIT_LIST_HEAD(&link->ev_list);
	INIT_WORK(&link->ev_work, viommu_link_deliver);
	return 0;
}
EXPORT_SYMBOL_GPL(viommu_link_init);

/* Drop the vIOMMU's VM (viommu_link_take_vm()). */
static void viommu_link_drop_vm(struct viommu_link *link)
{
	link->put_kvm(link->kvm);
	symbol_put(kvm_put_kvm);
	link->kvm = NULL;
	link->put_kvm = NULL;
}

/**
 * viommu_link_destroy() - tear down the layer's part of a vIOMMU
 * @link: the part
 *
 * Every vDEVICE is gone (the core destroys them first). Events still
 * waiting are dropped; no event is delivered once this returns. Drops the
 * VM and the module reference.
 *
 * Context: process. The caller's module uses this one's symbols, which
 * holds a reference on this module: the module_put() here never drops
 * the last one while we run.
 */
void viommu_link_destroy(struct viommu_link *link)
{
	struct viommu_link_event *ev, *next;
	unsigned long flags;

	spin_lock_irqsave(&link->ev_lock, flags);
	link->ev_dead = true;
	spin_unlock_irqrestore(&link->ev_lock, flags);
	cancel_work_sync(&link->ev_work);
	list_for_each_entry_safe(ev, next, &link->ev_list, node)
		kfree(ev);
	WARN_ON(!xa_empty(&link->ids));
	xa_destroy(&link->ids);
	if (link->kvm)
		viommu_link_drop_vm(link);
	mutex_destroy(&link->lock);
	module_put(THIS_MODULE);
}
EXPORT_SYMBOL_GPL(viommu_link_destroy);

static int viommu_link_is_vfio(struct device *child, const void *unused)
{
	return child->class && !strcmp(child->class->name, "vfio-dev");
}

/*
 * The VM VFIO recorded for @dev (NULL for none), compared only, never
 * dereferenced. -ENODEV if @dev is not a VFIO device of @vdev's
 * iommufd_device.
 */
static int viommu_link_vm_of(struct iommufd_vdevice *vdev, struct kvm **kvm)
{
	struct device *dev = iommufd_vdevice_to_device(vdev);
	struct vfio_device *vd;
	struct device *child;
	int ret = 0;

	child = device_find_child(dev, NULL, viommu_link_is_vfio);
	if (!child)
		return -ENODEV;
	vd = container_of(child, struct vfio_device, device);
	if (vd->dev != dev || vd->iommufd_device != vdev->idev)
		ret = -ENODEV;
	else
		*kvm = READ_ONCE(vd->kvm);
	put_device(child);
	return ret;
}

/* The first vDEVICE of a VM vIOMMU: hold its VM for the vIOMMU's life. */
static int viommu_link_take_vm(struct viommu_link *link, struct kvm *kvm)
{
	void (*get)(struct kvm *kvm) = symbol_get(kvm_get_kvm);

	if (!get)
		return -ENOENT;
	link->put_kvm = symbol_get(kvm_put_kvm);
	if (!link->put_kvm) {
		symbol_put(kvm_get_kvm);
		return -ENOENT;
	}
	/* VFIO's reference on @kvm lives as long as the vDEVICE being made. */
	get(kvm);
	symbol_put(kvm_get_kvm);
	link->kvm = kvm;
	return 0;
}

/**
 * viommu_link_vm_verdict() - may a device of @kvm join @link?
 * @link: the vIOMMU's part
 * @kvm: the VM VFIO recorded for the device, or NULL for none; only
 *	compared
 *
 * Context: @link->lock held.
 * Return: 0 to join; 1 to join, @kvm becoming the vIOMMU's VM (its first
 * vDEVICE); -ENOENT for a device of no VM on a vIOMMU of a VM; -EXDEV for
 * a device of another VM than the vIOMMU's, or of any VM on a vIOMMU
 * created for none.
 */
VISIBLE_IF_KUNIT int viommu_link_vm_verdict(const struct viommu_link *link,
					    const struct kvm *kvm)
{
	if (link->no_vm)
		return kvm ? -EXDEV : 0;
	if (!kvm)
		return -ENOENT;
	if (!link->kvm)
		return 1;
	return link->kvm == kvm ? 0 : -EXDEV;
}
EXPORT_SYMBOL_IF_KUNIT(viommu_link_vm_verdict);

/**
 * viommu_link_id_insert() - enter a vDEVICE in the guest-ID map
 * @link: the vIOMMU's part
 * @ld: the vDEVICE's part
 * @dev: its device
 * @virt_id: the guest's ID for it
 *
 * Context: @link->lock held.
 * Return: 0, -EEXIST for an ID in use (the map is unchanged), -ENOMEM.
 */
VISIBLE_IF_KUNIT int viommu_link_id_insert(struct viommu_link *link,
					   struct viommu_link_dev *ld,
					   struct device *dev, u64 virt_id)
{
	int ret;

	lockdep_assert_held(&link->lock);
	ld->link = link;
	ld->dev = dev;
	ld->virt_id = virt_id;
	ret = xa_insert(&link->ids, virt_id, ld, GFP_KERNEL);
	return ret == -EBUSY ? -EEXIST : ret;
}
EXPORT_SYMBOL_IF_KUNIT(viommu_link_id_insert);

/**
 * viommu_link_dev_add() - check a new vDEVICE against the vIOMMU's VM and
 *			   enter it in the guest-ID map
 * @link: the vIOMMU's part
 * @ld: the vDEVICE's part, in the driver's vDEVICE struct
 * @vdev: the core's vDEVICE (virt_id set)
 *
 * Return: 0; -ENOENT for a device that belongs to no VM on a vIOMMU of a
 * VM (its VFIO file was not added to a VM before it was bound), or when
 * KVM is not there; -EXDEV for a device of another VM than the vIOMMU's,
 * or of any VM on a vIOMMU created for none; -ENODEV for a device that is
 * not a VFIO device; -EEXIST for a virt_id in use; -ENOMEM.
 */
int viommu_link_dev_add(struct viommu_link *link, struct viommu_link_dev *ld,
			struct iommufd_vdevice *vdev)
{
	struct kvm *kvm = NULL;
	bool took_vm = false;
	int ret;

	ret = viommu_link_vm_of(vdev, &kvm);
	if (ret)
		return ret;

	mutex_lock(&link->lock);
	ret = viommu_link_vm_verdict(link, kvm);
	if (ret == 1) {
		ret = viommu_link_take_vm(link, kvm);
		took_vm = !ret;
	}
	if (!ret)
		ret = viommu_link_id_insert(link, ld,
					    iommufd_vdevice_to_device(vdev),
					    vdev->virt_id);
	if (ret && took_vm)
		viommu_link_drop_vm(link);
	mutex_unlock(&link->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(viommu_link_dev_add);

/**
 * viommu_link_dev_remove() - take a vDEVICE out of the guest-ID map
 * @ld: its part
 *
 * Call it first in the vDEVICE's destroy, before the driver's state of
 * the vDEVICE goes: once it returns, no viommu_link_call() reaches it.
 */
void viommu_link_dev_remove(struct viommu_link_dev *ld)
{
	struct viommu_link *link = ld->link;

	mutex_lock(&link->lock);
	xa_erase(&link->ids, ld->virt_id);
	mutex_unlock(&link->lock);
}
EXPORT_SYMBOL_GPL(viommu_link_dev_remove);

/**
 * viommu_link_call() - run a function on the device of a guest ID
 * @link: the vIOMMU's part
 * @virt_id: the guest's ID of the device
 * @fn: called with the device; it stays a vDEVICE of the vIOMMU, bound
 *	and probed, until @fn returns
 * @arg: passed to @fn
 *
 * Context: process; @fn runs under the link's mutex.
 * Return: what @fn returned, or -ENOENT for an ID no vDEVICE has.
 */
int viommu_link_call(struct viommu_link *link, u64 virt_id,
		     int (*fn)(struct device *dev, void *arg), void *arg)
{
	struct viommu_link_dev *ld;
	int ret = -ENOENT;

	mutex_lock(&link->lock);
	ld = xa_load(&link->ids, virt_id);
	if (ld)
		ret = fn(ld->dev, arg);
	mutex_unlock(&link->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(viommu_link_call);

/**
 * viommu_link_report() - send an event to the vIOMMU's vEVENTQ
 * @link: the vIOMMU's part
 * @data: the event, as the vEVENTQ type defines it
 * @len: its size
 *
 * Queues a copy and delivers it from a work item (the core's
 * iommufd_viommu_report_event() may sleep). When too many are waiting,
 * the event is counted as lost (viommu_link_lost_events()); events the
 * core itself cannot queue it flags to the reader
 * (IOMMU_VEVENTQ_FLAG_LOST_EVENTS).
 *
 * Context: any.
 * Return: 0, -ENOSPC if lost, -ESHUTDOWN after destroy began, -ENOMEM.
 */
int viommu_link_report(struct viommu_link *link, const void *data, size_t len)
{
	struct viommu_link_event *ev;
	unsigned long flags;
	int ret = 0;

	ev = kmalloc(struct_size(ev, data, len), GFP_ATOMIC);
	if (!ev) {
		spin_lock_irqsave(&link->ev_lock, flags);
		link->ev_lost++;
		spin_unlock_irqrestore(&link->ev_lock, flags);
		return -ENOMEM;
	}
	ev->len = len;
	memcpy(ev->data, data, len);

	spin_lock_irqsave(&link->ev_lock, flags);
	if (link->ev_dead) {
		ret = -ESHUTDOWN;
	} else if (link->ev_count >= VIOMMU_LINK_EVENTS_MAX) {
		link->ev_lost++;
		ret = -ENOSPC;
	} else {
		list_add_tail(&ev->node, &link->ev_list);
		link->ev_count++;
		queue_work(system_dfl_wq, &link->ev_work);
		ev = NULL;
	}
	spin_unlock_irqrestore(&link->ev_lock, flags);
	kfree(ev);
	return ret;
}
EXPORT_SYMBOL_GPL(viommu_link_report);

/**
 * viommu_link_lost_events() - events viommu_link_report() dropped
 * @link: the vIOMMU's part
 *
 * Return: their number.
 */
u64 viommu_link_lost_events(struct viommu_link *link)
{
	unsigned long flags;
	u64 lost;

	spin_lock_irqsave(&link->ev_lock, flags);
	lost = link->ev_lost;
	spin_unlock_irqrestore(&link->ev_lock, flags);
	return lost;
}
EXPORT_SYMBOL_GPL(viommu_link_lost_events);

MODULE_IMPORT_NS("IOMMUFD");
MODULE_DESCRIPTION("iommufd vIOMMU layer: KVM link, guest IDs, events");
MODULE_LICENSE("GPL");
