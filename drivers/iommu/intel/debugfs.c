// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs view of intel-vtd, under /sys/kernel/debug/intel-vtd/:
 *
 *   <unit>/regs              registers: name, offset, value
 *   <unit>/caps              CAP and ECAP, decoded
 *   <unit>/counters          struct vtd_unit_stats, "name value"
 *   <unit>/faults            the fault log, oldest first
 *   <unit>/context           every present context entry, from the tables
 *   <unit>/inject            fault injection: "errors N" or "timeouts N"
 *                            makes the next N invalidations fail
 *   devices/<dev>/domain     what the device is attached to (for a nested
 *                            domain also its engine, guest table, shadow
 *                            size and sync statistics)
 *   devices/<dev>/pgtable    the page table of that domain (the shadow of
 *                            a nested domain of the software engine)
 *   devices/<dev>/translate  write a GIOVA, then read: the guest's stage 1,
 *                            the parent's stage 2, and the shadow for it
 *
 * Every file's data is the unit or device it describes. debugfs_remove()
 * waits for the reads in progress and makes later ones fail, so a device
 * may be freed once vtd_debugfs_remove_device() returned and a unit once
 * vtd_debugfs_exit() returned.
 *
 * Creating a directory or file may fail (debugfs disabled or out of
 * memory). The error is kept in place of the dentry: debugfs creates
 * nothing under an error dentry and removes nothing for one.
 */
#include <linux/array_size.h>
#include <linux/atomic.h>
#include <linux/bitfield.h>
#include <linux/build_bug.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/minmax.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "vtd.h"

static struct dentry *vtd_debugfs_root;
static struct dentry *vtd_debugfs_devices;

enum vtd_debugfs_reg_kind {
	VTD_DEBUGFS_REG32,
	VTD_DEBUGFS_REG64,
	VTD_DEBUGFS_GCMD,	/* write-only: show the driver's copy */
};

struct vtd_debugfs_reg {
	const char *name;
	u32 offset;
	enum vtd_debugfs_reg_kind kind;
};

/* The "regs" file shows these, then every fault recording register. */
static const struct vtd_debugfs_reg vtd_debugfs_regs[] = {
	{ "VER",	VTD_VER_REG,	VTD_DEBUGFS_REG32 },
	{ "CAP",	VTD_CAP_REG,	VTD_DEBUGFS_REG64 },
	{ "ECAP",	VTD_ECAP_REG,	VTD_DEBUGFS_REG64 },
	{ "GCMD",	VTD_GCMD_REG,	VTD_DEBUGFS_GCMD },
	{ "GSTS",	VTD_GSTS_REG,	VTD_DEBUGFS_REG32 },
	{ "RTADDR",	VTD_RTADDR_REG,	VTD_DEBUGFS_REG64 },
	{ "FSTS",	VTD_FSTS_REG,	VTD_DEBUGFS_REG32 },
	{ "FECTL",	VTD_FECTL_REG,	VTD_DEBUGFS_REG32 },
	{ "FEDATA",	VTD_FEDATA_REG,	VTD_DEBUGFS_REG32 },
	{ "FEADDR",	VTD_FEADDR_REG,	VTD_DEBUGFS_REG32 },
	{ "FEUADDR",	VTD_FEUADDR_REG, VTD_DEBUGFS_REG32 },
	{ "IQH",	VTD_IQH_REG,	VTD_DEBUGFS_REG64 },
	{ "IQT",	VTD_IQT_REG,	VTD_DEBUGFS_REG64 },
	{ "IQA",	VTD_IQA_REG,	VTD_DEBUGFS_REG64 },
	{ "ICS",	VTD_ICS_REG,	VTD_DEBUGFS_REG32 },
	{ "IQERCD",	VTD_IQERCD_REG,	VTD_DEBUGFS_REG64 },
};

static int vtd_debugfs_regs_show(struct seq_file *m, void *unused)
{
	struct vtd_unit *unit = m->private;
	const struct vtd_debugfs_reg *r;
	unsigned int i, nfr = vtd_cap_nfr(unit->cap);
	char name[16];
	u32 off;

	for (i = 0; i < ARRAY_SIZE(vtd_debugfs_regs); i++) {
		r = &vtd_debugfs_regs[i];
		switch (r->kind) {
		case VTD_DEBUGFS_REG32:
			seq_printf(m, "%-10s 0x%04x 0x%08x\n", r->name,
				   r->offset, vtd_readl(unit, r->offset));
			break;
		case VTD_DEBUGFS_REG64:
			seq_printf(m, "%-10s 0x%04x 0x%016llx\n", r->name,
				   r->offset, vtd_readq(unit, r->offset));
			break;
		case VTD_DEBUGFS_GCMD:
			seq_printf(m, "%-10s 0x%04x 0x%08x (driver's copy)\n",
				   r->name, r->offset, READ_ONCE(unit->gcmd));
			break;
		}
	}

	for (i = 0; i < nfr; i++) {
		off = vtd_cap_frcd_offset(unit->cap, i);
		snprintf(name, sizeof(name), "FRCD%u.lo", i);
		seq_printf(m, "%-10s 0x%04x 0x%016llx\n", name, off,
			   vtd_readq(unit, off));
		snprintf(name, sizeof(name), "FRCD%u.hi", i);
		seq_printf(m, "%-10s 0x%04x 0x%016llx\n", name, off + 8,
			   vtd_readq(unit, off + 8));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vtd_debugfs_regs);

static void vtd_debugfs_bit(struct seq_file *m, const char *name, u64 reg,
			    u64 bit)
{
	seq_printf(m, "%s %d\n", name, !!(reg & bit));
}

static int vtd_debugfs_caps_show(struct seq_file *m, void *unused)
{
	struct vtd_unit *unit = m->private;
	u64 cap = unit->cap, ecap = unit->ecap;
	const char *sep = "";
	unsigned int aw;

	seq_printf(m, "MGAW %llu (%u-bit)\n", FIELD_GET(VTD_CAP_MGAW, cap),
		   vtd_cap_mgaw(cap));
	seq_printf(m, "SAGAW 0x%llx (", FIELD_GET(VTD_CAP_SAGAW, cap));
	for (aw = VTD_AW_39; aw <= VTD_AW_57; aw++) {
		if (vtd_cap_sagaw_has(cap, aw)) {
			seq_printf(m, "%s%u-bit", sep, vtd_aw_width(aw));
			sep = " ";
		}
	}
	seq_puts(m, ")\n");
	seq_printf(m, "ND %llu (%u domain IDs)\n", FIELD_GET(VTD_CAP_ND, cap),
		   vtd_cap_ndoms(cap));
	seq_printf(m, "NFR %llu (%u fault recording registers)\n",
		   FIELD_GET(VTD_CAP_NFR, cap), vtd_cap_nfr(cap));
	vtd_debugfs_bit(m, "FL1GP", cap, VTD_CAP_FL1GP);
	vtd_debugfs_bit(m, "FL5LP", cap, VTD_CAP_FL5LP);
	vtd_debugfs_bit(m, "PSI", cap, VTD_CAP_PSI);
	seq_printf(m, "MAMV %u\n", vtd_cap_mamv(cap));
	vtd_debugfs_bit(m, "SMTS", ecap, VTD_ECAP_SMTS);
	vtd_debugfs_bit(m, "FLTS", ecap, VTD_ECAP_FLTS);
	vtd_debugfs_bit(m, "SLTS", ecap, VTD_ECAP_SLTS);
	vtd_debugfs_bit(m, "NEST", ecap, VTD_ECAP_NEST);
	vtd_debugfs_bit(m, "PT", ecap, VTD_ECAP_PT);
	vtd_debugfs_bit(m, "SC", ecap, VTD_ECAP_SC);
	vtd_debugfs_bit(m, "SMPWC", ecap, VTD_ECAP_SMPWC);
	vtd_debugfs_bit(m, "C", ecap, VTD_ECAP_C);
	vtd_debugfs_bit(m, "QI", ecap, VTD_ECAP_QI);
	vtd_debugfs_bit(m, "IR", ecap, VTD_ECAP_IR);
	vtd_debugfs_bit(m, "PASID", ecap, VTD_ECAP_PASID);
	seq_printf(m, "PSS %llu (%u-bit PASIDs)\n", FIELD_GET(VTD_ECAP_PSS, ecap),
		   vtd_ecap_pasid_bits(ecap));
	vtd_debugfs_bit(m, "RWBF", cap, VTD_CAP_RWBF);
	vtd_debugfs_bit(m, "CM", cap, VTD_CAP_CM);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vtd_debugfs_caps);

struct vtd_debugfs_stat {
	const char *name;
	size_t offset;
};

#define VTD_DEBUGFS_STAT(field) \
	{ #field, offsetof(struct vtd_unit_stats, field) }

static const struct vtd_debugfs_stat vtd_debugfs_stats[] = {
	VTD_DEBUGFS_STAT(faults),
	VTD_DEBUGFS_STAT(faults_dropped),
	VTD_DEBUGFS_STAT(qi_submits),
	VTD_DEBUGFS_STAT(qi_errors),
	VTD_DEBUGFS_STAT(qi_recovered),
	VTD_DEBUGFS_STAT(inv_piotlb_page),
	VTD_DEBUGFS_STAT(inv_piotlb_pasid),
	VTD_DEBUGFS_STAT(inv_pasid_cache),
	VTD_DEBUGFS_STAT(inv_context),
};

/* A counter added to struct vtd_unit_stats must be added above too. */
static_assert(ARRAY_SIZE(vtd_debugfs_stats) * sizeof(atomic64_t) ==
	      sizeof(struct vtd_unit_stats));

static int vtd_debugfs_counters_show(struct seq_file *m, void *unused)
{
	struct vtd_unit *unit = m->private;
	const atomic64_t *counter;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vtd_debugfs_stats); i++) {
		counter = (const void *)&unit->stats +
			  vtd_debugfs_stats[i].offset;
		seq_printf(m, "%s %lld\n", vtd_debugfs_stats[i].name,
			   atomic64_read(counter));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vtd_debugfs_counters);

/*
 * One line per fault: time (ns), requester, PASID or "-", access ("R-",
 * "-W", "RW", or "--" for a page request), faulting address (interrupt
 * index for interrupt-remapping faults), reason code and name.
 */
static void vtd_debugfs_fault(struct seq_file *m, u16 segment, u64 when_ns,
			      const struct vtd_fault *f)
{
	seq_printf(m, "%llu %04x:%02x:%02x.%d", when_ns, segment,
		   PCI_BUS_NUM(f->sid), PCI_SLOT(f->sid), PCI_FUNC(f->sid));
	if (f->pasid_present)
		seq_printf(m, " pasid 0x%x", f->pasid);
	else
		seq_puts(m, " pasid -");
	seq_printf(m, " %c%c", f->is_read ? 'R' : '-', f->is_write ? 'W' : '-');
	if (vtd_fault_is_irq(f))
		seq_printf(m, " index %u", vtd_fault_irq_index(f));
	else
		seq_printf(m, " addr 0x%llx", f->addr);
	seq_printf(m, " reason 0x%02x %s\n", f->reason,
		   vtd_fault_reason_str(f->reason));
}

static int vtd_debugfs_faults_show(struct seq_file *m, void *unused)
{
	struct vtd_unit *unit = m->private;
	struct vtd_fault_log *log = &unit->fault_log;
	unsigned int i, n, slot;
	unsigned long flags;

	spin_lock_irqsave(&log->lock, flags);
	n = min(log->count, VTD_FAULT_LOG_SIZE);
	slot = (log->next + VTD_FAULT_LOG_SIZE - n) % VTD_FAULT_LOG_SIZE;
	for (i = 0; i < n; i++) {
		vtd_debugfs_fault(m, unit->drhd->segment, log->when_ns[slot],
				  &log->rec[slot]);
		slot = (slot + 1) % VTD_FAULT_LOG_SIZE;
	}
	spin_unlock_irqrestore(&log->lock, flags);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vtd_debugfs_faults);

static const char *vtd_debugfs_domain_type(const struct iommu_domain *d)
{
	if (!d)
		return "none";
	if (d == &vtd_identity_domain)
		return "identity";
	if (d == &vtd_blocked_domain)
		return "blocked";
	if (vtd_domain_is_paging(d))
		return "paging";
	if (d->type == IOMMU_DOMAIN_NESTED)
		return "nested";
	return "other";
}

static const char *const vtd_debugfs_kinds[] = {
	[VTD_DEV_CORE] = "core",
	[VTD_DEV_PASSTHROUGH] = "passthrough",
	[VTD_DEV_BLOCKED] = "blocked",
	[VTD_DEV_NAMESPACE] = "namespace",
};

static int vtd_debugfs_domain_show(struct seq_file *m, void *unused)
{
	struct vtd_device *vdev = m->private;
	struct vtd_unit *unit = vdev->unit;
	struct vtd_domain *vd;
	const char *type;
	u16 did;

	/*
	 * The DID is the one the hardware sees, read from the RID_PASID
	 * entry; in the middle of an attach it can already be the new
	 * domain's while the type is still the old one.
	 */
	spin_lock(&unit->lock);
	type = vtd_debugfs_domain_type(vdev->domain);
	did = vtd_pasid_p(&vdev->pasid_table[0]) ?
	      vtd_pasid_did(&vdev->pasid_table[0]) : 0;
	spin_unlock(&unit->lock);

	seq_printf(m, "type %s\n", type);
	seq_printf(m, "did %u\n", did);
	seq_printf(m, "unit %s\n", unit->name);
	seq_printf(m, "kind %s\n", vtd_debugfs_kinds[vdev->kind]);
	vd = vtd_domain_get_attached(vdev);
	if (vd) {
		if (vd->pt.top)
			seq_printf(m, "levels %u\n", vd->pt.levels);
		if (vtd_domain_is_paging(&vd->domain)) {
			seq_printf(m, "pgsize_bitmap 0x%lx\n",
				   vd->domain.pgsize_bitmap);
			seq_printf(m, "nest_parent %d\n", vd->nest_parent);
		} else {
			vtd_nested_show(vd, m);
		}
		vtd_domain_put(vd);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vtd_debugfs_domain);

/* Entries per chunk of a dump: the time interrupts stay off is bounded. */
#define VTD_DEBUGFS_DUMP_CHUNK	512

static int vtd_debugfs_pgtable_show(struct seq_file *m, void *unused)
{
	struct vtd_device *vdev = m->private;
	struct vtd_pt_dump dump;
	struct vtd_domain *vd;
	unsigned long flags;
	bool done;

	/*
	 * The reference keeps the domain alive, its lock keeps unmap from
	 * freeing table pages during a chunk; between chunks we may sleep.
	 */
	vd = vtd_domain_get_attached(vdev);
	if (!vd || !vd->pt.top) {
		spin_lock(&vdev->unit->lock);
		seq_printf(m, "no table of ours (%s)\n",
			   vtd_debugfs_domain_type(vdev->domain));
		spin_unlock(&vdev->unit->lock);
		if (vd)
			vtd_domain_put(vd);
		return 0;
	}
	vtd_pt_dump_begin(&vd->pt, &dump, m);
	do {
		spin_lock_irqsave(&vd->lock, flags);
		done = vtd_pt_dump_chunk(&vd->pt, &dump, VTD_DEBUGFS_DUMP_CHUNK);
		spin_unlock_irqrestore(&vd->lock, flags);
		cond_resched();
	} while (!done && !seq_has_overflowed(m));
	vtd_domain_put(vd);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vtd_debugfs_pgtable);

static int vtd_debugfs_translate_show(struct seq_file *m, void *unused)
{
	struct vtd_device *vdev = m->private;
	u64 giova = READ_ONCE(vdev->translate_giova);
	struct vtd_domain *vd = vtd_domain_get_attached(vdev);

	if (vd && vtd_domain_is_nested(&vd->domain)) {
		vtd_nested_translate(vd, giova, m);
	} else {
		seq_printf(m, "giova 0x%llx\n", giova);
		seq_puts(m, "not attached to a nested domain\n");
	}
	if (vd)
		vtd_domain_put(vd);
	return 0;
}

static int vtd_debugfs_translate_open(struct inode *inode, struct file *file)
{
	return single_open(file, vtd_debugfs_translate_show, inode->i_private);
}

static ssize_t vtd_debugfs_translate_write(struct file *file,
					   const char __user *ubuf, size_t len,
					   loff_t *ppos)
{
	struct vtd_device *vdev = file_inode(file)->i_private;
	u64 giova;
	int ret;

	ret = kstrtou64_from_user(ubuf, len, 0, &giova);
	if (ret)
		return ret;
	WRITE_ONCE(vdev->translate_giova, giova);
	return len;
}

static const struct file_operations vtd_debugfs_translate_fops = {
	.owner = THIS_MODULE,
	.open = vtd_debugfs_translate_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = vtd_debugfs_translate_write,
};

static const char *const vtd_debugfs_pgtt[] = {
	[VTD_PGTT_FL] = "first-level",
	[VTD_PGTT_SL] = "second-level",
	[VTD_PGTT_NESTED] = "nested",
	[VTD_PGTT_PT] = "pass-through",
};

/*
 * "bus:dev.fn pasid0 <type> did <N>" for every present context entry,
 * read from the root and context tables themselves (not from our device
 * records), with what its RID_PASID entry says ("pasid0 none": blocked).
 */
static int vtd_debugfs_context_show(struct seq_file *m, void *unused)
{
	struct vtd_unit *unit = m->private;
	struct vtd_sm_context_entry *ctx;
	struct vtd_pasid_dir_entry *dir;
	struct vtd_pasid_entry *pe;
	unsigned int bus, devfn;
	phys_addr_t table;

	spin_lock(&unit->lock);
	for (bus = 0; bus < VTD_SM_ROOT_ENTRIES; bus++) {
		for (devfn = 0; devfn < 256; devfn++) {
			const struct vtd_sm_root_entry *re = &unit->root[bus];
			bool upper = vtd_sm_ctx_is_upper(devfn);

			if (upper ? !vtd_sm_root_up(re) : !vtd_sm_root_lp(re))
				continue;
			table = upper ? vtd_sm_root_uctp(re) : vtd_sm_root_lctp(re);
			ctx = (struct vtd_sm_context_entry *)phys_to_virt(table) +
			      vtd_sm_ctx_index(devfn);
			if (!vtd_sm_ctx_p(ctx))
				continue;
			seq_printf(m, "%02x:%02x.%d", bus, PCI_SLOT(devfn),
				   PCI_FUNC(devfn));
			dir = phys_to_virt(vtd_sm_ctx_pasiddirptr(ctx));
			pe = vtd_pde_p(&dir[0]) ?
			     phys_to_virt(vtd_pde_smptblptr(&dir[0])) : NULL;
			if (!pe || !vtd_pasid_p(pe) ||
			    vtd_pasid_pgtt(pe) >= ARRAY_SIZE(vtd_debugfs_pgtt) ||
			    !vtd_debugfs_pgtt[vtd_pasid_pgtt(pe)])
				seq_puts(m, " pasid0 none\n");
			else
				seq_printf(m, " pasid0 %s did %u\n",
					   vtd_debugfs_pgtt[vtd_pasid_pgtt(pe)],
					   vtd_pasid_did(pe));
		}
	}
	spin_unlock(&unit->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vtd_debugfs_context);

static int vtd_debugfs_inject_show(struct seq_file *m, void *unused)
{
	struct vtd_unit *unit = m->private;

	seq_printf(m, "errors %d\ntimeouts %d\nfailed %d\n",
		   atomic_read(&unit->qi.inject_errors),
		   atomic_read(&unit->qi.inject_timeouts),
		   vtd_unit_failed(unit));
	return 0;
}

static int vtd_debugfs_inject_open(struct inode *inode, struct file *file)
{
	return single_open(file, vtd_debugfs_inject_show, inode->i_private);
}

/* "errors N" or "timeouts N": the next N invalidations fail that way. */
static ssize_t vtd_debugfs_inject_write(struct file *file,
					const char __user *ubuf, size_t len,
					loff_t *ppos)
{
	struct vtd_unit *unit = file_inode(file)->i_private;
	char buf[32], kind[16];
	int n;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (sscanf(buf, "%15s %d", kind, &n) != 2 || n < 0)
		return -EINVAL;
	if (!strcmp(kind, "errors"))
		atomic_set(&unit->qi.inject_errors, n);
	else if (!strcmp(kind, "timeouts"))
		atomic_set(&unit->qi.inject_timeouts, n);
	else
		return -EINVAL;
	return len;
}

static const struct file_operations vtd_debugfs_inject_fops = {
	.owner = THIS_MODULE,
	.open = vtd_debugfs_inject_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = vtd_debugfs_inject_write,
};

/**
 * vtd_debugfs_init() - create /sys/kernel/debug/intel-vtd/ and devices/
 *
 * Context: module init, before any unit or device is added.
 */
void vtd_debugfs_init(void)
{
	vtd_debugfs_root = debugfs_create_dir("intel-vtd", NULL);
	vtd_debugfs_devices = debugfs_create_dir("devices", vtd_debugfs_root);
}

/**
 * vtd_debugfs_exit() - remove everything vtd_debugfs_*() created
 *
 * Waits for the reads in progress. Removes the unit directories; the
 * device directories are gone already (vtd_debugfs_remove_device()).
 *
 * Context: module exit, before the units are freed.
 */
void vtd_debugfs_exit(void)
{
	debugfs_remove_recursive(vtd_debugfs_root);
	vtd_debugfs_root = NULL;
	vtd_debugfs_devices = NULL;
}

/**
 * vtd_debugfs_add_unit() - create <unit->name>/ with regs, caps, counters
 *			    and faults
 * @unit: the unit, set up: registers mapped, CAP and ECAP read, locks and
 *	  fault log initialised
 *
 * Sets @unit->debugfs. The directory goes with vtd_debugfs_exit().
 */
void vtd_debugfs_add_unit(struct vtd_unit *unit)
{
	struct dentry *dir;

	if (IS_ERR_OR_NULL(vtd_debugfs_root))
		return;
	dir = debugfs_create_dir(unit->name, vtd_debugfs_root);
	unit->debugfs = dir;
	debugfs_create_file("regs", 0400, dir, unit, &vtd_debugfs_regs_fops);
	debugfs_create_file("caps", 0400, dir, unit, &vtd_debugfs_caps_fops);
	debugfs_create_file("counters", 0400, dir, unit,
			    &vtd_debugfs_counters_fops);
	debugfs_create_file("faults", 0400, dir, unit,
			    &vtd_debugfs_faults_fops);
	debugfs_create_file("context", 0400, dir, unit,
			    &vtd_debugfs_context_fops);
	debugfs_create_file("inject", 0600, dir, unit,
			    &vtd_debugfs_inject_fops);
}

/**
 * vtd_debugfs_add_device() - create devices/<name>/ with domain and
 *			      pgtable
 * @vdev: the device, with @vdev->unit set; the directory is named after
 *	@vdev->dev, or "namespace-<seg>:<bus>:<dev>.<fn>" without one
 *
 * Sets @vdev->debugfs.
 */
void vtd_debugfs_add_device(struct vtd_device *vdev)
{
	struct dentry *dir;
	char name[32];

	if (IS_ERR_OR_NULL(vtd_debugfs_devices))
		return;
	if (vdev->dev)
		strscpy(name, dev_name(vdev->dev));
	else
		snprintf(name, sizeof(name), "namespace-%04x:%02x:%02x.%d",
			 vdev->segment, vdev->bus, PCI_SLOT(vdev->devfn),
			 PCI_FUNC(vdev->devfn));
	dir = debugfs_create_dir(name, vtd_debugfs_devices);
	vdev->debugfs = dir;
	debugfs_create_file("domain", 0400, dir, vdev,
			    &vtd_debugfs_domain_fops);
	debugfs_create_file("pgtable", 0400, dir, vdev,
			    &vtd_debugfs_pgtable_fops);
	debugfs_create_file("translate", 0600, dir, vdev,
			    &vtd_debugfs_translate_fops);
}

/**
 * vtd_debugfs_remove_device() - remove the directory of a device
 * @vdev: the device
 *
 * Waits for the reads in progress; @vdev may be freed afterwards. Does
 * nothing if vtd_debugfs_add_device() did not run or failed.
 */
void vtd_debugfs_remove_device(struct vtd_device *vdev)
{
	debugfs_remove_recursive(vdev->debugfs);
	vdev->debugfs = NULL;
}
