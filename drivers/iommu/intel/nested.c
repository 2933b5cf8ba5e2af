// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested domains (IOMMU_HWPT_DATA_VTD_S1): a guest's first-level table,
 * GIOVA -> GPA, on a nest parent, GPA -> HPA.
 *
 * Two engines:
 *  - hardware, on a unit with ECAP.NEST and ECAP.SLTS: the parent is a
 *    second-level table and the RID_PASID entry nests the guest's table on
 *    it (PGTT = nested, FLPTR = the guest table's GPA, SLPTR = the
 *    parent's root, the nested domain's own domain ID);
 *  - software, everywhere else: the parent is a first-level table, and a
 *    shadow first-level table GIOVA -> HPA (shadow.c) is what the entry
 *    points at (PGTT = first-level), under the nested domain's own ID.
 *
 * The software engine sees no guest write: the guest (or the VMM for it)
 * must invalidate after every change of its table, not-present to present
 * included, as under VT-d caching mode. IOMMU_HWPT_INVALIDATE returns
 * once the shadow over the range equals the guest's table composed with
 * the parent and the nested domain's IOTLB entries are gone. Attaching a
 * device builds the whole shadow before the entry points at it. The
 * parent's map and unmap bring every shadow up to date before they return
 * (the core unpins pages when unmap returns).
 *
 * Locking: parent->nest_lock (rwsem) -> nested->lock (mutex) -> the
 * domain, unit and queue spinlocks. A sync holds the first for reading
 * and the second; the parent's map and unmap hold the first for writing
 * and take each child's mutex in turn.
 */
#define pr_fmt(fmt) "intel-vtd: " fmt

#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>

#include "vtd.h"
#include "nested.h"
#include <trace/events/intel_vtd.h>

/* A shadow's table pages, and records worth as many pages at most. */
static unsigned long vtd_shadow_max_pages = 16384;

/* 1 to 1M pages (4 GiB of tables): 0 would refuse every nested domain. */
static int vtd_shadow_max_pages_set(const char *val,
				    const struct kernel_param *kp)
{
	unsigned long v;
	int ret;

	ret = kstrtoul(val, 0, &v);
	if (ret)
		return ret;
	if (v < 1 || v > SZ_1M)
		return -EINVAL;
	WRITE_ONCE(vtd_shadow_max_pages, v);
	return 0;
}

static const struct kernel_param_ops vtd_shadow_max_pages_ops = {
	.set = vtd_shadow_max_pages_set,
	.get = param_get_ulong,
};
module_param_cb(shadow_max_pages, &vtd_shadow_max_pages_ops,
		&vtd_shadow_max_pages, 0644);
MODULE_PARM_DESC(shadow_max_pages,
		 "per nested domain of the software engine: at most this many shadow table pages, and as many pages' worth of bookkeeping (default 16384: 64 MiB each)");

/* Records per page of bookkeeping: struct vtd_shadow_rec is 128 bytes. */
#define VTD_SHADOW_RECS_PER_PAGE	32

static const struct iommu_domain_ops vtd_nested_ops;

/**
 * vtd_domain_is_nested() - is @domain one of our nested domains?
 * @domain: any domain, or NULL
 *
 * Return: true for a domain of vtd_domain_alloc_nested().
 */
bool vtd_domain_is_nested(const struct iommu_domain *domain)
{
	return domain && domain->ops == &vtd_nested_ops;
}

static unsigned int vtd_s1_levels(const struct iommu_hwpt_vtd_s1 *s1)
{
	return s1->addr_width == 57 ? 5 : 4;
}

/* Flush what a sync changed, then free the shadow pages it unlinked. */
static int vtd_nested_sync_locked(struct vtd_nested *n, u64 first, u64 last)
{
	struct vtd_shadow_stats *st = &n->sh.last;
	struct vtd_pt_gather g;
	int ret, err;

	lockdep_assert_held(&n->lock);
	vtd_pt_gather_init(&g);
	ret = vtd_shadow_sync(&n->sh, first, last, &g);
	err = vtd_domain_flush_release(&n->d, &g);
	trace_intel_vtd_nest_sync(n, first, last, st->walked, st->written,
				  st->removed, st->refused[VTD_SHADOW_RSVD],
				  st->refused[VTD_SHADOW_US],
				  st->refused[VTD_SHADOW_PS],
				  st->refused[VTD_SHADOW_TABLE_UNMAPPED] +
				  st->refused[VTD_SHADOW_TABLE_NOT_RAM] +
				  st->refused[VTD_SHADOW_LEAF_UNMAPPED], ret);
	return ret ?: err;
}

/**
 * vtd_nested_sync() - bring the translations of a GIOVA range up to date
 * @n: the nested domain
 * @first: first GIOVA
 * @last: last GIOVA (inclusive)
 * @leaf_only: the guest changed leaves only (hardware engine: IH)
 *
 * The shadow first (software engine), then the IOTLB of the domain's IDs.
 *
 * Return: 0, or the error of the sync or of the invalidation.
 */
int vtd_nested_sync(struct vtd_nested *n, u64 first, u64 last, bool leaf_only)
{
	struct vtd_domain *parent = n->parent;
	int ret = 0;

	if (n->engine == VTD_NEST_HARDWARE)
		return vtd_domain_flush(&n->d, first, last, leaf_only);

	down_read(&parent->nest_lock);
	mutex_lock(&n->lock);
	/* Not built yet: the first attach builds everything. */
	if (n->built)
		ret = vtd_nested_sync_locked(n, first, last);
	mutex_unlock(&n->lock);
	up_read(&parent->nest_lock);
	return ret;
}

/**
 * vtd_nest_parent_changed() - a nest parent mapped or unmapped GPAs
 * @parent: the parent
 * @first: first GPA that changed
 * @last: last GPA that changed (inclusive)
 * @unmap: they were unmapped (else mapped)
 *
 * Every software-nested child that used them is synced again over the
 * GIOVAs that depend on them (shadow.c), and its IOTLB flushed; every
 * hardware-nested child's IOTLB is flushed after an unmap. On return no
 * nested translation reaches a page the parent no longer maps.
 *
 * Context: @parent->nest_lock held for writing.
 */
void vtd_nest_parent_changed(struct vtd_domain *parent, u64 first, u64 last,
			     bool unmap)
{
	struct vtd_pt_gather g;
	struct vtd_nested *n;

	lockdep_assert_held_write(&parent->nest_lock);
	list_for_each_entry(n, &parent->children, parent_node) {
		if (n->engine == VTD_NEST_HARDWARE) {
			if (unmap)
				vtd_domain_flush_nested_s2(&n->d);
			continue;
		}
		mutex_lock(&n->lock);
		if (n->built && vtd_shadow_uses_gpa(&n->sh, first, last)) {
			trace_intel_vtd_nest_revoke(parent, n, first, last,
						    unmap);
			vtd_pt_gather_init(&g);
			vtd_shadow_parent_changed(&n->sh, first, last, &g);
			vtd_domain_flush_release(&n->d, &g);
		}
		mutex_unlock(&n->lock);
	}
}

/**
 * vtd_nested_hw_compatible() - can @unit nest a hardware-nested domain?
 * @d: the domain
 * @unit: the unit of a device being attached
 *
 * The parent was made on one unit: another may walk second-level tables
 * of other depths or leaf sizes, or lack 5-level first-level tables.
 *
 * Return: 0, or -EINVAL if not.
 */
int vtd_nested_hw_compatible(struct vtd_domain *d, struct vtd_unit *unit)
{
	struct vtd_nested *n = container_of(d, struct vtd_nested, d);

	if (!unit->nest_hw || vtd_domain_compatible(n->parent, unit))
		return -EINVAL;
	if (vtd_s1_levels(&n->s1) == 5 && !(unit->cap & VTD_CAP_FL5LP))
		return -EINVAL;
	return 0;
}

/**
 * vtd_nested_hw_entry() - the nested RID_PASID entry of a hardware-nested
 *			   domain
 * @d: the domain
 * @unit: the unit of the device
 * @did: the domain's ID there
 * @pe: filled
 *
 * Return: 0, or -EINVAL if the parent cannot be nested on by @unit.
 */
int vtd_nested_hw_entry(struct vtd_domain *d, struct vtd_unit *unit, u16 did,
			struct vtd_pasid_entry *pe)
{
	struct vtd_nested *n = container_of(d, struct vtd_nested, d);
	struct vtd_domain *parent = n->parent;
	unsigned int flags = 0;

	if (parent->format != VTD_DOM_SL ||
	    parent->pt.levels != vtd_aw_levels(unit->sl_aw))
		return -EINVAL;
	if (n->s1.flags & IOMMU_VTD_S1_SRE)
		flags |= VTD_NEST_SRE;
	if (n->s1.flags & IOMMU_VTD_S1_WPE)
		flags |= VTD_NEST_WPE;
	if (n->s1.flags & IOMMU_VTD_S1_EAFE)
		flags |= VTD_NEST_EAFE;
	return vtd_pasid_entry_init_nested(pe, n->s1.pgtbl_addr,
					   vtd_s1_levels(&n->s1),
					   vtd_pt_top_phys(&parent->pt),
					   unit->sl_aw, did,
					   unit->walk_coherent, flags);
}

static int vtd_nested_attach(struct iommu_domain *domain, struct device *dev,
			     struct iommu_domain *old)
{
	struct vtd_device *vdev = dev_iommu_priv_get(dev);
	struct vtd_nested *n = to_vtd_nested(domain);
	int ret;

	if (domain->iopf_handler)
		return -EOPNOTSUPP;
	if (vdev->domain == domain)
		return 0;
	/* A vIOMMU's nested HWPTs are for its vDEVICEs only. */
	if (n->viommu && !vtd_viommu_has_device(n->viommu, vdev))
		return -ENODEV;
	if (n->engine == VTD_NEST_SOFTWARE) {
		/* The whole shadow, before the entry points at it. */
		down_read(&n->parent->nest_lock);
		mutex_lock(&n->lock);
		ret = vtd_nested_sync_locked(n, 0, U64_MAX);
		n->built = !ret;
		mutex_unlock(&n->lock);
		up_read(&n->parent->nest_lock);
		if (ret)
			return ret;
	}
	return vtd_domain_attach(&n->d, vdev);
}

/*
 * IOMMU_HWPT_INVALIDATE_DATA_VTD_S1: per entry, flags only LEAF,
 * __reserved zero, addr 4K aligned, npages at least 1 without overflow
 * (addr 0 with npages U64_MAX: everything). entry_num says how many were
 * done, also on an error.
 */
static int vtd_nested_invalidate(struct iommu_domain *domain,
				 struct iommu_user_data_array *array)
{
	struct vtd_nested *n = to_vtd_nested(domain);
	struct iommu_hwpt_vtd_s1_invalidate inv;
	u32 i, done = 0;
	u64 len, last;
	int ret = 0;

	if (array->type != IOMMU_HWPT_INVALIDATE_DATA_VTD_S1) {
		ret = -EINVAL;
		goto out;
	}
	for (i = 0; i < array->entry_num; i++) {
		ret = iommu_copy_struct_from_user_array(&inv, array,
							IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
							i, __reserved);
		if (ret)
			break;
		if ((inv.flags & ~IOMMU_VTD_INV_FLAGS_LEAF) || inv.__reserved) {
			ret = -EOPNOTSUPP;
			break;
		}
		if (!IS_ALIGNED(inv.addr, SZ_4K) || !inv.npages) {
			ret = -EINVAL;
			break;
		}
		if (inv.npages == U64_MAX) {
			if (inv.addr) {
				ret = -EINVAL;
				break;
			}
			last = U64_MAX;
		} else if (check_mul_overflow(inv.npages, (u64)SZ_4K, &len) ||
			   check_add_overflow(inv.addr, len - 1, &last)) {
			ret = -EOVERFLOW;
			break;
		}
		ret = vtd_nested_sync(n, inv.addr, last,
				      inv.flags & IOMMU_VTD_INV_FLAGS_LEAF);
		if (ret)
			break;
		done++;
	}
out:
	array->entry_num = done;
	return ret;
}

static void vtd_nested_free(struct iommu_domain *domain)
{
	struct vtd_nested *n = to_vtd_nested(domain);
	struct vtd_domain *parent = n->parent;

	WARN_ON(!list_empty(&n->d.devices) || !list_empty(&n->d.units));
	if (n->viommu)
		vtd_viommu_forget_nested(n);
	down_write(&parent->nest_lock);
	list_del(&n->parent_node);
	up_write(&parent->nest_lock);
	mutex_lock(&n->lock);
	if (n->engine == VTD_NEST_SOFTWARE)
		vtd_shadow_destroy(&n->sh);
	n->parent = NULL;
	mutex_unlock(&n->lock);
	vtd_domain_put(&n->d);
}

static const struct iommu_domain_ops vtd_nested_ops = {
	.attach_dev = vtd_nested_attach,
	.cache_invalidate_user = vtd_nested_invalidate,
	.free = vtd_nested_free,
};

/*
 * Check a guest's first-level table description against what the engine
 * for @parent on @unit implements. See Documentation/vtd-nest/nesting.rst
 * for every errno.
 */
static int vtd_nested_check(const struct iommu_hwpt_vtd_s1 *s1,
			    struct vtd_unit *unit, struct vtd_domain *parent,
			    enum vtd_nest_engine engine)
{
	u64 implemented = 0;

	if (s1->flags & ~(u64)(IOMMU_VTD_S1_SRE | IOMMU_VTD_S1_EAFE |
			       IOMMU_VTD_S1_WPE))
		return -EOPNOTSUPP;
	if (s1->__reserved)
		return -EINVAL;
	if (engine == VTD_NEST_HARDWARE) {
		if (unit->ecap & VTD_ECAP_SRS)
			implemented |= IOMMU_VTD_S1_SRE | IOMMU_VTD_S1_WPE;
		if (unit->ecap & VTD_ECAP_EAFS)
			implemented |= IOMMU_VTD_S1_EAFE;
	}
	if (s1->flags & ~implemented)
		return -EOPNOTSUPP;
	/* WPE protects supervisor writes: meaningless without SRE. */
	if ((s1->flags & IOMMU_VTD_S1_WPE) && !(s1->flags & IOMMU_VTD_S1_SRE))
		return -EINVAL;
	if (s1->addr_width != 48 && s1->addr_width != 57)
		return -EINVAL;
	if (s1->addr_width == 57 && !(unit->cap & VTD_CAP_FL5LP))
		return -EOPNOTSUPP;
	/* The shadow is one of the unit's first-level tables: as deep. */
	if (engine == VTD_NEST_SOFTWARE && vtd_s1_levels(s1) > unit->fl_levels)
		return -EOPNOTSUPP;
	if (!IS_ALIGNED(s1->pgtbl_addr, SZ_4K))
		return -EINVAL;
	if (s1->pgtbl_addr < parent->domain.geometry.aperture_start ||
	    s1->pgtbl_addr > parent->domain.geometry.aperture_end)
		return -ERANGE;
	return 0;
}

/**
 * vtd_nested_create() - a nested domain on a nest parent
 * @unit: the unit of the device (or vIOMMU) it is made for
 * @p: the nest parent
 * @s1: the guest's first-level table, copied from user space
 * @nid: NUMA node for the shadow's pages
 *
 * Everything is checked here, nothing at attach.
 *
 * Return: the domain, or what vtd_nested_check() refuses, -ENOMEM, or
 * -ENODEV while the module is unloading.
 */
struct vtd_nested *vtd_nested_create(struct vtd_unit *unit,
				     struct vtd_domain *p,
				     const struct iommu_hwpt_vtd_s1 *s1,
				     int nid)
{
	struct vtd_pt_cfg cfg = vtd_unit_pt_cfg(unit, nid);
	enum vtd_nest_engine engine;
	struct vtd_shadow_cfg scfg;
	unsigned long max_pages;
	struct vtd_nested *n;
	int ret;

	engine = p->format == VTD_DOM_SL ? VTD_NEST_HARDWARE : VTD_NEST_SOFTWARE;
	ret = vtd_nested_check(s1, unit, p, engine);
	if (ret)
		return ERR_PTR(ret);

	n = kzalloc_obj(*n, GFP_KERNEL_ACCOUNT);
	if (!n)
		return ERR_PTR(-ENOMEM);
	max_pages = READ_ONCE(vtd_shadow_max_pages);
	cfg.max_tables = max_pages;
	if (engine == VTD_NEST_HARDWARE)
		ret = vtd_domain_init(&n->d, &vtd_nested_ops, VTD_DOM_NESTED,
				      NULL);
	else
		ret = vtd_domain_init(&n->d, &vtd_nested_ops, VTD_DOM_FL, &cfg);
	if (ret) {
		kfree(n);
		return ERR_PTR(ret);
	}
	n->parent = p;
	n->s1 = *s1;
	n->engine = engine;
	mutex_init(&n->lock);
	INIT_LIST_HEAD(&n->viommu_node);
	if (engine == VTD_NEST_SOFTWARE) {
		scfg = (struct vtd_shadow_cfg){
			.s1_root = s1->pgtbl_addr,
			.s1_levels = vtd_s1_levels(s1),
			.s1_1g = unit->cap & VTD_CAP_FL1GP,
			.max_records = max_pages * VTD_SHADOW_RECS_PER_PAGE,
			.max_walk = max_pages,
		};
		ret = vtd_shadow_init(&n->sh, &n->d.pt, &p->pt, &scfg);
		if (WARN_ON(ret)) {
			vtd_domain_put(&n->d);
			return ERR_PTR(ret);
		}
	}
	n->d.domain.type = IOMMU_DOMAIN_NESTED;
	down_write(&p->nest_lock);
	list_add(&n->parent_node, &p->children);
	up_write(&p->nest_lock);
	return n;
}

/**
 * vtd_domain_alloc_nested() - a nested domain on one of our nest parents
 * @dev: the device it is made for
 * @parent: the nest parent
 * @flags: IOMMU_HWPT_ALLOC_* flags: none is supported
 * @ud: IOMMU_HWPT_DATA_VTD_S1, struct iommu_hwpt_vtd_s1
 *
 * Return: the domain; ERR_PTR(-EINVAL) for a parent that is not one of
 * our nest parents; ERR_PTR(-EOPNOTSUPP) for flags or another data type;
 * what the data copy refuses (-EINVAL short, -E2BIG unknown trailing
 * bytes, -EFAULT); what vtd_nested_create() refuses.
 */
struct iommu_domain *vtd_domain_alloc_nested(struct device *dev,
					     struct iommu_domain *parent,
					     u32 flags,
					     const struct iommu_user_data *ud)
{
	struct vtd_device *vdev = dev_iommu_priv_get(dev);
	struct iommu_hwpt_vtd_s1 s1;
	struct vtd_nested *n;
	int ret;

	/* The core checks the owner on this path, not that it is a parent. */
	if (!vtd_domain_is_paging(parent) || !to_vtd_domain(parent)->nest_parent)
		return ERR_PTR(-EINVAL);
	if (flags)
		return ERR_PTR(-EOPNOTSUPP);
	if (!ud || ud->type != IOMMU_HWPT_DATA_VTD_S1)
		return ERR_PTR(-EOPNOTSUPP);
	ret = iommu_copy_struct_from_user(&s1, ud, IOMMU_HWPT_DATA_VTD_S1,
					  __reserved);
	if (ret)
		return ERR_PTR(ret);
	n = vtd_nested_create(vdev->unit, to_vtd_domain(parent), &s1,
			      dev_to_node(dev));
	return IS_ERR(n) ? ERR_CAST(n) : &n->d.domain;
}

static const char *const vtd_nest_engine_names[] = {
	[VTD_NEST_SOFTWARE] = "software",
	[VTD_NEST_HARDWARE] = "hardware",
};

static void vtd_nested_show_stats(struct seq_file *m, const char *what,
				  const struct vtd_shadow_stats *st)
{
	unsigned int i;

	seq_printf(m, "%s: syncs %llu failed %llu walked %llu written %llu removed %llu ns %llu\n",
		   what, st->syncs, st->failed, st->walked, st->written,
		   st->removed, st->ns);
	for (i = 0; i < VTD_SHADOW_NR_REFUSALS; i++)
		seq_printf(m, "%s: refused %llu %s\n", what, st->refused[i],
			   vtd_shadow_refusal_name(i));
}

/**
 * vtd_nested_show() - a nested domain, for debugfs
 * @d: the domain
 * @m: where to print
 */
void vtd_nested_show(struct vtd_domain *d, struct seq_file *m)
{
	struct vtd_nested *n = container_of(d, struct vtd_nested, d);

	mutex_lock(&n->lock);
	seq_printf(m, "engine %s\n", vtd_nest_engine_names[n->engine]);
	seq_printf(m, "guest_table 0x%llx\n", n->s1.pgtbl_addr);
	seq_printf(m, "addr_width %u\n", n->s1.addr_width);
	seq_printf(m, "flags 0x%llx\n", n->s1.flags);
	if (n->engine == VTD_NEST_SOFTWARE && n->parent) {
		seq_printf(m, "built %d\n", n->built);
		seq_printf(m, "shadow_pages %ld\n",
			   atomic_long_read(&d->pt.nr_tables));
		seq_printf(m, "records %lu\n", n->sh.nr_records);
		vtd_nested_show_stats(m, "total", &n->sh.stats);
		vtd_nested_show_stats(m, "last", &n->sh.last);
	}
	mutex_unlock(&n->lock);
}

/**
 * vtd_nested_translate() - one GIOVA through every stage, for debugfs
 * @d: the domain
 * @giova: the GIOVA
 * @m: where to print
 *
 * Prints the guest's stage-1 walk (entries read, GPA, leaf size,
 * permissions), the parent's stage-2 translation of that GPA, what the
 * composition gives, and what the shadow holds, and whether the two
 * agree ("match yes|no").
 */
void vtd_nested_translate(struct vtd_domain *d, u64 giova, struct seq_file *m)
{
	struct vtd_nested *n = container_of(d, struct vtd_nested, d);
	struct vtd_pt_xlate s2, sh;
	struct vtd_shadow_xlate s1;
	bool want, have, match;
	struct vtd_domain *p;
	unsigned int i;
	u64 want_pa = 0;
	int want_prot = 0, ret;

	/* The parent's lock comes first: hold the parent meanwhile. */
	mutex_lock(&n->lock);
	p = n->engine == VTD_NEST_SOFTWARE ? n->parent : NULL;
	if (p)
		refcount_inc(&p->ref);
	mutex_unlock(&n->lock);
	if (!p) {
		seq_puts(m, "no shadow to look at\n");
		return;
	}
	down_read(&p->nest_lock);
	mutex_lock(&n->lock);
	if (n->parent != p) {
		seq_puts(m, "freed meanwhile\n");
		goto out;
	}
	seq_printf(m, "giova 0x%llx\n", giova);
	ret = vtd_shadow_translate(&n->sh, giova, &s1);
	if (ret) {
		seq_printf(m, "stage1 error %d\n", ret);
		goto out;
	}
	seq_puts(m, "stage1 entries");
	for (i = 0; i < s1.levels; i++)
		seq_printf(m, " 0x%016llx", s1.entries[i]);
	seq_putc(m, '\n');
	want = s1.present;
	if (!s1.present) {
		seq_printf(m, "stage1 not-present%s%s\n",
			   s1.refusal < VTD_SHADOW_NR_REFUSALS ? ": " : "",
			   vtd_shadow_refusal_name(s1.refusal));
	} else {
		seq_printf(m, "stage1 gpa 0x%llx size 0x%llx %s\n", s1.gpa,
			   s1.leaf_size, s1.writable ? "rw" : "r-");
		if (vtd_pt_lookup(&p->pt, s1.gpa, &s2)) {
			seq_puts(m, "stage2 not-present\n");
			want = false;
		} else {
			seq_printf(m, "stage2 hpa 0x%llx size 0x%llx %s\n",
				   (u64)s2.paddr, s2.leaf_size,
				   s2.prot & IOMMU_WRITE ? "rw" : "r-");
			want_pa = s2.paddr;
			want_prot = IOMMU_READ |
				    (s2.prot & (IOMMU_MMIO | IOMMU_NOEXEC)) |
				    (s1.writable && (s2.prot & IOMMU_WRITE) ?
				     IOMMU_WRITE : 0);
		}
	}
	have = !vtd_pt_lookup(&d->pt, giova, &sh);
	if (have)
		seq_printf(m, "shadow hpa 0x%llx size 0x%llx %s\n",
			   (u64)sh.paddr, sh.leaf_size,
			   sh.prot & IOMMU_WRITE ? "rw" : "r-");
	else
		seq_puts(m, "shadow not-present\n");
	/* A shadow leaf larger than either stage's would be a bug too. */
	match = want == have &&
		(!want || (sh.paddr == want_pa && sh.prot == want_prot &&
			   sh.leaf_size <= s1.leaf_size &&
			   sh.leaf_size <= s2.leaf_size));
	seq_printf(m, "match %s\n", match ? "yes" : "no");
out:
	mutex_unlock(&n->lock);
	up_read(&p->nest_lock);
	vtd_domain_put(p);
}
