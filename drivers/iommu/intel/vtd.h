/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * intel-vtd: the driver's own structures, shared by its source files.
 *
 * Object model:
 *  - struct vtd_unit: one DRHD remapping unit: its registers, root and
 *    context tables, invalidation queue, fault state and iommu_device.
 *  - struct vtd_device: one PCI device the unit translates for us (the
 *    iommu core's dev_iommu_priv), with its PASID directory and table.
 *    Requests without PASID use RID_PASID 0, so entry 0 of that table
 *    decides what the device can reach.
 *  - struct vtd_domain: a paging domain on a first-level intel-pgtable.
 *    It gets a domain ID on each unit it is attached through.
 *
 * Locking, from outside in: the iommu core's group mutex serialises
 * attach/detach/probe/release of one device; unit->lock (spinlock)
 * protects the unit's root, context and PASID tables, and keeps a
 * device looked up in the unit's xarray alive (erasing takes it; the
 * xarray's own lock orders inserts); domain->lock (spinlock) protects
 * the domain's device and unit lists and excludes freeing table pages
 * from a debugfs dump of them;
 * unit->qi.lock (spinlock, irqsave) serialises the invalidation
 * queue. map/unmap take no lock of ours: intel-pgtable is safe for
 * disjoint ranges and the iommu core never overlaps them.
 */
#ifndef __INTEL_VTD_H
#define __INTEL_VTD_H

#include <linux/iommu.h>
#include <linux/list.h>
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
};

/* Per-unit counters, shown in debugfs. */
struct vtd_unit_stats {
	atomic64_t faults;
	atomic64_t faults_dropped;	/* overflow (FSTS.PFO) seen */
	atomic64_t qi_submits;
	atomic64_t qi_errors;
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
	unsigned long pgsize_bitmap;
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
	struct dentry *debugfs;
};

struct vtd_device {
	struct device *dev;
	struct vtd_unit *unit;
	u16 segment;
	u8 bus;
	u8 devfn;
	struct vtd_pasid_dir_entry *pasid_dir;	/* 4K page */
	struct vtd_pasid_entry *pasid_table;	/* 4K page: PASIDs 0-63 */
	struct iommu_domain *domain;	/* attached; NULL means blocked */
	struct list_head domain_node;	/* in vtd_domain->devices */
	bool passthrough_only;		/* driver bound at load: not ours */
	struct dentry *debugfs;
};

/* A paging domain's presence on one unit. */
struct vtd_domain_unit {
	struct list_head node;
	struct vtd_unit *unit;
	u16 did;
	unsigned int users;		/* attached devices on this unit */
};

struct vtd_domain {
	struct iommu_domain domain;
	struct vtd_pt pt;
	/* devices, units; and table pages are freed, dumped under it */
	spinlock_t lock;
	struct list_head devices;
	struct list_head units;
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
void vtd_units_exit(void);
int vtd_unit_enable_translation(struct vtd_unit *unit);
int vtd_unit_disable_translation(struct vtd_unit *unit);
void vtd_unit_flush_entry(struct vtd_unit *unit, void *p, size_t len);
void vtd_unit_flush_write_buffer(struct vtd_unit *unit);

/* qi.c */
int vtd_qi_init(struct vtd_unit *unit);
void vtd_qi_exit(struct vtd_unit *unit);
int vtd_qi_submit(struct vtd_unit *unit, const struct vtd_qi_desc *descs,
		  unsigned int n);
int vtd_inv_context_device(struct vtd_unit *unit, u16 did, u16 sid);
int vtd_inv_pasid_cache(struct vtd_unit *unit, u16 did, u32 pasid);
int vtd_inv_piotlb(struct vtd_unit *unit, u16 did, u32 pasid, u64 start,
		   u64 last, bool leaf_only);

/* devtbl.c: root, context and PASID tables of one device */
int vtd_devtbl_setup(struct vtd_device *vdev);
void vtd_devtbl_teardown(struct vtd_device *vdev);
void vtd_devtbl_set_pasid0(struct vtd_device *vdev,
			   const struct vtd_pasid_entry *pe, u16 did);

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

/* iommu.c */
extern const struct iommu_ops vtd_iommu_ops;
extern unsigned int vtd_fault_poll_ms;

/* trace.c: tracepoints, see include/trace/events/intel_vtd.h */

/* debugfs.c */
void vtd_debugfs_init(void);
void vtd_debugfs_exit(void);
void vtd_debugfs_add_unit(struct vtd_unit *unit);
void vtd_debugfs_add_device(struct vtd_device *vdev);
void vtd_debugfs_remove_device(struct vtd_device *vdev);

#endif /* __INTEL_VTD_H */
