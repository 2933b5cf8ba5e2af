/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * intel-vtd: the driver's own structures, shared by its source files.
 *
 * Object model:
 *  - struct vtd_unit: one DRHD remapping unit: its registers, root and
 *    context tables, invalidation queue, fault state and iommu_device.
 *  - struct vtd_device: one requester ID the unit has entries for, with
 *    its PASID directory and table. Requests without PASID use RID_PASID
 *    0, so entry 0 of that table decides what the device can reach. Most
 *    are PCI devices of the iommu core (dev_iommu_priv); the others are
 *    kept out of the core (enum vtd_dev_kind).
 *  - struct vtd_domain: a paging domain on a first-level intel-pgtable.
 *    It gets a domain ID on each unit it is attached through. Reference
 *    counted: the core's free drops one reference, a debugfs reader may
 *    hold another for the time of a dump.
 *
 * Locking, from outside in: the PCI rescan/remove lock (held by
 * hot-removal around our PCI notifier, and by release); vtd_lock (mutex,
 * iommu.c) serialises module init and exit, release and the removal of
 * devices kept out of the core; the iommu core's group mutex serialises attach/detach/probe/
 * release of one device; domain->lock (spinlock, irqsave) protects the
 * domain's device and unit lists and excludes freeing table pages from a
 * debugfs dump of them; unit->lock (spinlock) protects the unit's root,
 * context and PASID tables, and keeps a device looked up in the unit's
 * xarray alive (erasing takes it; the xarray's own lock orders inserts);
 * unit->qi.lock (spinlock, irqsave) serialises the invalidation queue;
 * vtd_quarantine_lock (spinlock, irqsave) the quarantine list.
 * map/unmap take no lock of ours: intel-pgtable is safe for disjoint
 * ranges and the iommu core never overlaps them.
 *
 * A failed invalidation (one that even a global invalidation could not
 * make up for) leaves the unit failed for good: see vtd_unit_fail().
 */
#ifndef __INTEL_VTD_H
#define __INTEL_VTD_H

#include <linux/iommu.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "dmar.h"
#include "vtd-entries.h"
#include "vtd-fault.h"
#include "vtd-pgtable.h"
#include "vtd-qi.h"
#include "vtd-regs.h"

/* Domain ID 0 is never used; 1 tags identity (pass-through) entries. */
#define VTD_DID_IDENTITY	1
#define VTD_DID_FIRST_PAGING	2

/* Faults kept for debugfs, per unit. */
#define VTD_FAULT_LOG_SIZE	32

struct vtd_qi {
	struct vtd_qi_desc *queue;	/* 4K: 128 256-bit descriptors */
	unsigned int entries;
	unsigned int tail;		/* next free slot */
	u32 *status;			/* wait-descriptor status, DMA-written */
	u32 seq;			/* last status value used */
	bool stopped;			/* a wait timed out: queue unusable */
	spinlock_t lock;
	/* Fault injection (debugfs "inject"): the next N submissions... */
	atomic_t inject_errors;		/* ...fail as if the unit reported IQE */
	atomic_t inject_timeouts;	/* ...are never handed to the unit */
};

/* Per-unit counters, shown in debugfs. */
struct vtd_unit_stats {
	atomic64_t faults;
	atomic64_t faults_dropped;	/* overflow (FSTS.PFO) seen */
	atomic64_t qi_submits;
	atomic64_t qi_errors;
	atomic64_t qi_recovered;	/* errors a global invalidation covered */
	atomic64_t inv_piotlb_page;
	atomic64_t inv_piotlb_pasid;
	atomic64_t inv_pasid_cache;
	atomic64_t inv_context;
};

struct vtd_fault_log {
	struct vtd_fault rec[VTD_FAULT_LOG_SIZE];
	u64 when_ns[VTD_FAULT_LOG_SIZE];
	unsigned int next;		/* slot of the next record */
	unsigned int count;		/* records held, <= VTD_FAULT_LOG_SIZE */
	spinlock_t lock;
};

struct vtd_unit {
	struct list_head node;		/* in vtd_units */
	unsigned int index;		/* "vtd%u" */
	char name[16];
	const struct vtd_dmar_unit *drhd;
	void __iomem *regs;
	u64 cap;
	u64 ecap;
	u8 haw;				/* host address width (DMAR table) */
	u32 gcmd;			/* the states we have enabled */
	spinlock_t reg_lock;		/* GCMD writes and their GSTS waits */

	/* Translation for our paging domains. */
	unsigned int fl_levels;		/* 4, or 5 with FL5LP */
	enum vtd_aw aw;			/* PASID-entry AW matching fl_levels */
	bool nest_hw;			/* ECAP.NEST and ECAP.SLTS: nesting */
	enum vtd_aw sl_aw;		/* with nest_hw: nest parents' width */
	unsigned long pgsize_bitmap;	/* first level: 4K, 2M, FL1GP */
	unsigned long sl_pgsize_bitmap;	/* second level: 4K, CAP.SLLPS */
	bool coherent;			/* ECAP.C: no clflush of entries */
	bool walk_coherent;		/* ECAP.SMPWC: no clflush of tables */

	spinlock_t lock;		/* tables, devices: see file comment */
	struct vtd_sm_root_entry *root;	/* 256 entries, one 4K page */
	struct xarray devices;		/* SID -> struct vtd_device */
	struct ida dids;

	struct vtd_qi qi;

	struct delayed_work fault_work;	/* polls the fault registers */
	bool fault_polling;		/* the registers are ours to poll */
	struct vtd_fault_log fault_log;
	struct vtd_unit_stats stats;

	struct iommu_device iommu;
	bool registered;
	bool unsafe_to_translate;	/* a live device lacks pass-through */
	unsigned long state;		/* VTD_UNIT_* bits */
	atomic_t viommus;		/* vIOMMUs on it: no release */
	struct dentry *debugfs;
};

/* unit->state bits. */
#define VTD_UNIT_FAILED		0	/* an invalidation failed for good */

static inline bool vtd_unit_failed(const struct vtd_unit *unit)
{
	return test_bit(VTD_UNIT_FAILED, &unit->state);
}

/**
 * enum vtd_dev_kind - what a struct vtd_device is
 * @VTD_DEV_CORE: a PCI device of the iommu core: its domains are ours
 * @VTD_DEV_PASSTHROUGH: kept out of the core, its requests untranslated:
 *	its driver was bound before we loaded, or it shares an IOMMU group
 *	with such a device (group.c)
 * @VTD_DEV_BLOCKED: kept out of the core and blocked: an untrusted
 *	device that pass-through would otherwise be given
 * @VTD_DEV_NAMESPACE: an ACPI namespace device of the DMAR table (no
 *	PCI device), untranslated
 */
enum vtd_dev_kind {
	VTD_DEV_CORE,
	VTD_DEV_PASSTHROUGH,
	VTD_DEV_BLOCKED,
	VTD_DEV_NAMESPACE,
};

/*
 * What a PCI device kept outside the iommu core gets: pass-through, or
 * blocked when it is untrusted (external-facing) or when pass-through
 * cannot cover it (no ECAP.PT, requests under other requester IDs).
 */
static inline enum vtd_dev_kind vtd_outside_kind(const struct pci_dev *pdev,
						 bool unit_has_pt, bool aliased)
{
	if (pdev->untrusted || !unit_has_pt || aliased)
		return VTD_DEV_BLOCKED;
	return VTD_DEV_PASSTHROUGH;
}

struct vtd_device {
	struct device *dev;		/* NULL for VTD_DEV_NAMESPACE */
	struct vtd_unit *unit;
	enum vtd_dev_kind kind;
	u16 segment;
	u8 bus;
	u8 devfn;
	struct vtd_pasid_dir_entry *pasid_dir;	/* 4K page */
	struct vtd_pasid_entry *pasid_table;	/* 4K page: PASIDs 0-63 */
	/* What entry 0 is set to: the driver's record, never the core's */
	struct iommu_domain *domain;	/* NULL means blocked */
	struct list_head domain_node;	/* in vtd_domain->devices */
	struct vtd_vdevice *vdevice;	/* its vDEVICE, under unit->lock */
	struct dentry *debugfs;
	u64 translate_giova;		/* debugfs "translate" */
};

/* A paging domain's presence on one unit. */
struct vtd_domain_unit {
	struct list_head node;
	struct vtd_unit *unit;
	u16 did;
	unsigned int users;		/* attached devices on this unit */
};

/**
 * enum vtd_domain_format - what a domain's RID_PASID entries point at
 * @VTD_DOM_FL: its first-level table (a paging domain, or the shadow
 *	table of a domain nested by the software engine)
 * @VTD_DOM_SL: its second-level table (a nest parent on a unit that nests)
 * @VTD_DOM_NESTED: a guest's first-level table nested on the parent's
 *	second-level one (hardware nesting); no table of its own
 */
enum vtd_domain_format {
	VTD_DOM_FL,
	VTD_DOM_SL,
	VTD_DOM_NESTED,
};

struct vtd_domain {
	struct iommu_domain domain;
	enum vtd_domain_format format;
	struct vtd_pt pt;		/* no table (top NULL) for DOM_NESTED */
	refcount_t ref;			/* the core's, and debugfs readers' */
	/* The hardware may still walk the table: quarantine it at free. */
	bool hw_may_walk;
	/* devices, units; and table pages are freed, dumped under it */
	spinlock_t lock;
	struct list_head devices;
	struct list_head units;
	/* Units in @units that need work after a map (CAP.CM or RWBF). */
	unsigned int sync_map_units;
	/*
	 * A nest parent (IOMMU_HWPT_ALLOC_NEST_PARENT): its map and unmap
	 * take nest_lock for writing and bring every child up to date
	 * before they return; a child's sync holds it for reading. The
	 * children list (struct vtd_nested) changes under it for writing.
	 */
	bool nest_parent;
	struct rw_semaphore nest_lock;
	struct list_head children;
	struct vtd_module_ref *modref;	/* held until freed */
};

static inline struct vtd_domain *to_vtd_domain(struct iommu_domain *d)
{
	return container_of(d, struct vtd_domain, domain);
}

static inline u16 vtd_sid(u8 bus, u8 devfn)
{
	return (u16)bus << 8 | devfn;
}

static inline u32 vtd_readl(struct vtd_unit *u, u32 off)
{
	return readl(u->regs + off);
}

static inline void vtd_writel(struct vtd_unit *u, u32 off, u32 v)
{
	writel(v, u->regs + off);
}

static inline u64 vtd_readq(struct vtd_unit *u, u32 off)
{
	return readq(u->regs + off);
}

static inline void vtd_writeq(struct vtd_unit *u, u32 off, u64 v)
{
	writeq(v, u->regs + off);
}

/* unit.c */
extern struct list_head vtd_units;
int vtd_units_init(struct vtd_dmar *dmar);
void vtd_units_stop_translation(void);
void vtd_units_exit(void);
int vtd_unit_enable_translation(struct vtd_unit *unit);
int vtd_unit_disable_translation(struct vtd_unit *unit);
void vtd_unit_flush_entry(struct vtd_unit *unit, void *p, size_t len);
void vtd_unit_flush_write_buffer(struct vtd_unit *unit);
void vtd_unit_fail(struct vtd_unit *unit);
void vtd_quarantine_add(struct list_head *pages);
void vtd_quarantine_page(void *va);

/* qi.c */
int vtd_qi_init(struct vtd_unit *unit);
void vtd_qi_exit(struct vtd_unit *unit);
int vtd_qi_submit(struct vtd_unit *unit, const struct vtd_qi_desc *descs,
		  unsigned int n);
int vtd_qi_invalidate_all(struct vtd_unit *unit);
int vtd_inv_context_device(struct vtd_unit *unit, u16 did, u16 sid);
int vtd_inv_pasid_cache(struct vtd_unit *unit, u16 did, u32 pasid);
int vtd_inv_piotlb(struct vtd_unit *unit, u16 did, u32 pasid, u64 start,
		   u64 last, bool leaf_only);
int vtd_inv_iotlb(struct vtd_unit *unit, u16 did, u64 start, u64 last,
		  bool leaf_only);

/* devtbl.c: root, context and PASID tables of one device */
int vtd_devtbl_setup(struct vtd_device *vdev);
void vtd_devtbl_teardown(struct vtd_device *vdev);
int vtd_devtbl_set_pasid0(struct vtd_device *vdev,
			  const struct vtd_pasid_entry *pe, u16 did);
void vtd_devtbl_block_now(struct vtd_device *vdev);

/* fault.c */
void vtd_fault_init(struct vtd_unit *unit);
void vtd_fault_start(struct vtd_unit *unit);
void vtd_fault_stop(struct vtd_unit *unit);
unsigned int vtd_fault_poll(struct vtd_unit *unit);

/* domain.c */
extern struct iommu_domain vtd_identity_domain;
extern struct iommu_domain vtd_blocked_domain;
struct iommu_domain *vtd_domain_alloc_paging_flags(struct device *dev,
						   u32 flags,
						   const struct iommu_user_data *ud);
void vtd_domain_detach(struct vtd_device *vdev);
bool vtd_domain_is_paging(const struct iommu_domain *domain);
struct vtd_domain *vtd_domain_of(struct iommu_domain *domain);
struct vtd_domain *vtd_domain_get_attached(struct vtd_device *vdev);
void vtd_domain_put(struct vtd_domain *d);
int vtd_domain_init(struct vtd_domain *d, const struct iommu_domain_ops *ops,
		    enum vtd_domain_format format, const struct vtd_pt_cfg *cfg);
int vtd_domain_attach(struct vtd_domain *d, struct vtd_device *vdev);
int vtd_domain_compatible(struct vtd_domain *d, struct vtd_unit *unit);
int vtd_domain_flush(struct vtd_domain *d, u64 start, u64 last, bool leaf_only);
int vtd_domain_flush_nested_s2(struct vtd_domain *d);
int vtd_domain_flush_release(struct vtd_domain *d, struct vtd_pt_gather *g);
struct vtd_pt_cfg vtd_unit_pt_cfg(struct vtd_unit *unit, int nid);

/* nested.c */
bool vtd_domain_is_nested(const struct iommu_domain *domain);
struct iommu_domain *vtd_domain_alloc_nested(struct device *dev,
					     struct iommu_domain *parent,
					     u32 flags,
					     const struct iommu_user_data *ud);
void vtd_nest_parent_changed(struct vtd_domain *parent, u64 first, u64 last,
			     bool unmap);
int vtd_nested_hw_compatible(struct vtd_domain *d, struct vtd_unit *unit);
int vtd_nested_hw_entry(struct vtd_domain *d, struct vtd_unit *unit, u16 did,
			struct vtd_pasid_entry *pe);
struct seq_file;
void vtd_nested_show(struct vtd_domain *d, struct seq_file *m);
void vtd_nested_translate(struct vtd_domain *d, u64 giova, struct seq_file *m);

/* group.c */
typedef int (*vtd_group_fn)(struct pci_dev *member, void *data);
int vtd_walk_group_members(struct pci_dev *pdev, vtd_group_fn fn, void *data);
struct iommu_group *vtd_device_group(struct device *dev);
struct pci_dev *vtd_group_shared_with_driver(struct pci_dev *pdev);

/* devices.c */
struct vtd_device *vtd_device_create(struct vtd_unit *unit, struct device *dev,
				     u8 bus, u8 devfn, enum vtd_dev_kind kind);
void vtd_device_destroy(struct vtd_device *vdev);
bool vtd_has_dma_alias(struct pci_dev *pdev);
void vtd_device_keep_out(struct pci_dev *pdev, struct vtd_unit *unit,
			 struct pci_dev *held);
int vtd_namespace_devices_add(struct vtd_unit *unit);
void vtd_forget_devices(void);
int vtd_devices_watch(void);
void vtd_devices_unwatch(void);

/* viommu.c */
struct vtd_viommu;
struct vtd_vdevice;
struct vtd_nested;
struct iommufd_viommu;
size_t vtd_get_viommu_size(struct device *dev, enum iommu_viommu_type type);
int vtd_viommu_init(struct iommufd_viommu *viommu,
		    struct iommu_domain *parent_domain,
		    const struct iommu_user_data *ud);
void vtd_viommu_forget_nested(struct vtd_nested *n);
bool vtd_viommu_has_device(struct vtd_viommu *vv, struct vtd_device *vdev);
void vtd_viommu_report_fault(struct vtd_vdevice *vd, const struct vtd_fault *f);
struct vtd_vdevice *vtd_viommu_of_device(struct vtd_device *vdev);

/* iommu.c */
struct vtd_module_ref;
struct vtd_module_ref *vtd_module_get(void);
void vtd_module_put(struct vtd_module_ref *ref);
extern const struct iommu_ops vtd_iommu_ops;
extern unsigned int vtd_fault_poll_ms;
extern struct mutex vtd_lock;

/* trace.c: tracepoints, see include/trace/events/intel_vtd.h */

/* debugfs.c */
void vtd_debugfs_init(void);
void vtd_debugfs_exit(void);
void vtd_debugfs_add_unit(struct vtd_unit *unit);
void vtd_debugfs_add_device(struct vtd_device *vdev);
void vtd_debugfs_remove_device(struct vtd_device *vdev);

#endif /* __INTEL_VTD_H */
