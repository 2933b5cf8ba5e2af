/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iommufd-viommu: a driver-neutral layer for IOMMU drivers whose vIOMMU
 * embeds struct iommufd_viommu. It links a vIOMMU to the KVM VM it
 * serves, keeps the guest-ID map of its vDEVICEs, and delivers events to
 * its vEVENTQ from process context. See Documentation/vtd-nest/viommu.rst.
 *
 * A driver embeds struct viommu_link in its vIOMMU and struct
 * viommu_link_dev in its vDEVICE, and calls:
 *   viommu_link_init()       from viommu_init, before setting viommu->ops;
 *   viommu_link_destroy()    from the vIOMMU's destroy op;
 *   viommu_link_dev_add()    from vdevice_init;
 *   viommu_link_dev_remove() first thing in the vDEVICE's destroy;
 *   viommu_link_report()     from any context, for an event.
 */
#ifndef __IOMMUFD_VIOMMU_LAYER_H
#define __IOMMUFD_VIOMMU_LAYER_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

struct device;
struct iommufd_viommu;
struct iommufd_vdevice;
struct kvm;

/* Events held for delivery at most; more are counted as lost. */
#define VIOMMU_LINK_EVENTS_MAX	256

/**
 * struct viommu_link - the layer's part of a vIOMMU
 * @viommu: the core's vIOMMU
 * @no_vm: created for no VM: accepts only devices of none
 * @lock: protects @kvm and @ids (writers); lookups take it too
 * @kvm: the VM every vDEVICE belongs to, with a reference; set by the
 *	first vDEVICE
 * @put_kvm: drops that reference (kvm_put_kvm, through symbol_get())
 * @ids: virt_id -> struct viommu_link_dev
 * @event_type: the vEVENTQ type of @viommu's events
 * @ev_lock: protects the event fields below; any context
 * @ev_list: events waiting for the work
 * @ev_count: their number
 * @ev_lost: events dropped because @ev_list was full
 * @ev_work: delivers @ev_list
 * @ev_dead: destroy began: no more events
 */
struct viommu_link {
	struct iommufd_viommu *viommu;
	bool no_vm;
	struct mutex lock;		/* @kvm, @ids */
	struct kvm *kvm;
	void (*put_kvm)(struct kvm *kvm);
	struct xarray ids;
	u32 event_type;
	spinlock_t ev_lock;		/* the ev_* fields; any context */
	struct list_head ev_list;
	unsigned int ev_count;
	u64 ev_lost;
	struct work_struct ev_work;
	bool ev_dead;
};

/**
 * struct viommu_link_dev - the layer's part of a vDEVICE
 * @link: its vIOMMU's link
 * @dev: the device
 * @virt_id: the guest's ID for it
 */
struct viommu_link_dev {
	struct viommu_link *link;
	struct device *dev;
	u64 virt_id;
};

int viommu_link_init(struct viommu_link *link, struct iommufd_viommu *viommu,
		     u32 event_type, bool no_vm);
void viommu_link_destroy(struct viommu_link *link);
int viommu_link_dev_add(struct viommu_link *link, struct viommu_link_dev *ld,
			struct iommufd_vdevice *vdev);
void viommu_link_dev_remove(struct viommu_link_dev *ld);
int viommu_link_call(struct viommu_link *link, u64 virt_id,
		     int (*fn)(struct device *dev, void *arg), void *arg);
int viommu_link_report(struct viommu_link *link, const void *data, size_t len);
u64 viommu_link_lost_events(struct viommu_link *link);

#if IS_ENABLED(CONFIG_KUNIT)
/* The pure parts of viommu_link_dev_add(), for viommu_layer_kunit.c. */
int viommu_link_vm_verdict(const struct viommu_link *link,
			   const struct kvm *kvm);
int viommu_link_id_insert(struct viommu_link *link, struct viommu_link_dev *ld,
			  struct device *dev, u64 virt_id);
#endif

#endif /* __IOMMUFD_VIOMMU_LAYER_H */
