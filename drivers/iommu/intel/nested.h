/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Nested domains (nested.c), as the VT-d vIOMMU (viommu.c) sees them.
 */
#ifndef __VTD_NESTED_H
#define __VTD_NESTED_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <uapi/linux/iommufd.h>

#include "shadow.h"
#include "vtd.h"

struct vtd_viommu;

enum vtd_nest_engine {
	VTD_NEST_SOFTWARE,
	VTD_NEST_HARDWARE,
};

struct vtd_nested {
	struct vtd_domain d;		/* the shadow table, domain IDs, devices */
	struct vtd_domain *parent;	/* NULL once freed (debugfs may look) */
	struct list_head parent_node;	/* in parent->children */
	struct iommu_hwpt_vtd_s1 s1;	/* as validated */
	enum vtd_nest_engine engine;
	struct mutex lock;		/* syncs, the shadow, parent */
	struct vtd_shadow sh;		/* software engine */
	bool built;			/* the whole shadow was synced */
	/* Allocated on a vIOMMU: only its vDEVICEs may attach. */
	struct vtd_viommu *viommu;
	struct list_head viommu_node;	/* in viommu->nested, under its lock */
	bool guest_did_valid;		/* guest_did routes descriptors */
	u16 guest_did;
};

static_assert(offsetof(struct vtd_nested, d) == 0);

static inline struct vtd_nested *to_vtd_nested(struct iommu_domain *domain)
{
	return container_of(domain, struct vtd_nested, d.domain);
}

struct vtd_nested *vtd_nested_create(struct vtd_unit *unit,
				     struct vtd_domain *p,
				     const struct iommu_hwpt_vtd_s1 *s1,
				     int nid);
int vtd_nested_sync(struct vtd_nested *n, u64 first, u64 last, bool leaf_only);

#endif /* __VTD_NESTED_H */
