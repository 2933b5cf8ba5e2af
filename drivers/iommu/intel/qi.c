// SPDX-License-Identifier: GPL-2.0-only
/*
 * Queued invalidation (VT-d spec 3.x, 6.5.2) with 256-bit descriptors, as
 * scalable mode needs for PASID-based invalidation.
 *
 * Every submission ends with an invalidation wait descriptor that only
 * writes a status word (SW); the submitter polls that word. No interrupt
 * is requested: a wait descriptor with both SW and IF set aborts QEMU
 * 10.0, and polling keeps submission usable from atomic context (unmap
 * can run there). Submissions are serialised by qi->lock.
 *
 * When a submission fails (the unit reports a queue error), the
 * descriptors it could not process are made up for with a global
 * invalidation of every cache; if that completes, nothing stale is left
 * and the submission counts as done. If it fails too, or a wait never
 * completes (the unit may still fetch the queue, which is then never
 * written again), the unit is failed: vtd_unit_fail() blocks every
 * device it translates, and every later submission fails at once.
 */
#define pr_fmt(fmt) "intel-vtd: " fmt

#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/ktime.h>
#include <linux/slab.h>

#include "vtd.h"
#include <trace/events/intel_vtd.h>

#define VTD_QI_QS		0	/* 2^0 4K pages: 128 descriptors */
#define VTD_QI_TIMEOUT_NS	(1 * NSEC_PER_SEC)
#define VTD_FSTS_QI_ERRORS	(VTD_FSTS_IQE | VTD_FSTS_ICE | VTD_FSTS_ITE)

int vtd_qi_init(struct vtd_unit *unit)
{
	struct vtd_qi *qi = &unit->qi;
	unsigned long flags;
	u32 gsts;
	int ret;

	spin_lock_init(&qi->lock);
	atomic_set(&qi->inject_errors, 0);
	atomic_set(&qi->inject_timeouts, 0);
	qi->queue = vtd_hw_page_alloc(NUMA_NO_NODE, GFP_KERNEL);
	qi->status = kzalloc_obj(*qi->status);
	if (!qi->queue || !qi->status) {
		ret = -ENOMEM;
		goto err;
	}
	qi->entries = vtd_iq_entries(VTD_QI_QS, true);
	qi->tail = 0;

	vtd_writeq(unit, VTD_IQT_REG, 0);
	vtd_writeq(unit, VTD_IQA_REG,
		   vtd_iqa(virt_to_phys(qi->queue), true, VTD_QI_QS));

	spin_lock_irqsave(&unit->reg_lock, flags);
	unit->gcmd |= VTD_GCMD_QIE;
	vtd_writel(unit, VTD_GCMD_REG, unit->gcmd);
	ret = readl_poll_timeout_atomic(unit->regs + VTD_GSTS_REG, gsts,
					gsts & VTD_GSTS_QIES, 1, USEC_PER_SEC);
	if (ret)
		unit->gcmd &= ~VTD_GCMD_QIE;
	spin_unlock_irqrestore(&unit->reg_lock, flags);
	if (ret) {
		pr_err("%s: queued invalidation did not start\n", unit->name);
		goto err;
	}
	return 0;

err:
	kfree(qi->status);
	vtd_hw_page_free(qi->queue);
	qi->status = NULL;
	qi->queue = NULL;
	return ret;
}

/*
 * Turn the queue off. Its memory is freed only if the unit says it
 * stopped: a unit that never finished a wait may still read descriptors
 * and write the status word, so then both are leaked, with a line.
 */
void vtd_qi_exit(struct vtd_unit *unit)
{
	struct vtd_qi *qi = &unit->qi;
	unsigned long flags;
	int ret = 0;
	u32 gsts;

	if (!qi->queue)
		return;
	spin_lock_irqsave(&unit->reg_lock, flags);
	if (unit->gcmd & VTD_GCMD_QIE) {
		unit->gcmd &= ~VTD_GCMD_QIE;
		vtd_writel(unit, VTD_GCMD_REG, unit->gcmd);
		ret = readl_poll_timeout_atomic(unit->regs + VTD_GSTS_REG, gsts,
						!(gsts & VTD_GSTS_QIES), 1,
						USEC_PER_SEC);
	}
	spin_unlock_irqrestore(&unit->reg_lock, flags);
	if (ret) {
		pr_err("%s: queued invalidation did not stop: its queue page is leaked\n",
		       unit->name);
	} else {
		kfree(qi->status);
		vtd_hw_page_free(qi->queue);
	}
	qi->status = NULL;
	qi->queue = NULL;
}

/*
 * An invalidation queue error stops the queue at the bad descriptor (IQH
 * points at it). Put a copy of our wait descriptor there so the queue
 * completes, log what the hardware said, and clear the error.
 */
static void vtd_qi_recover(struct vtd_unit *unit, u32 fsts,
			   const struct vtd_qi_desc *wait)
{
	struct vtd_qi *qi = &unit->qi;
	unsigned int head = vtd_iqh_index(vtd_readq(unit, VTD_IQH_REG), true);
	u64 iqercd = vtd_readq(unit, VTD_IQERCD_REG);

	pr_err_ratelimited("%s: invalidation queue error: FSTS %#x IQERCD %#llx, descriptor %u: %016llx %016llx %016llx %016llx\n",
			   unit->name, fsts, iqercd, head, qi->queue[head].qw[0],
			   qi->queue[head].qw[1], qi->queue[head].qw[2],
			   qi->queue[head].qw[3]);
	if (fsts & VTD_FSTS_IQE) {
		qi->queue[head] = *wait;
		vtd_unit_flush_entry(unit, &qi->queue[head], sizeof(*wait));
	}
	vtd_writel(unit, VTD_FSTS_REG, fsts & VTD_FSTS_QI_ERRORS);
}

/*
 * One pass through the queue: @descs, then a status-write wait polled
 * until done. 0; -EIO if the unit reported a queue error (the queue is
 * recovered) or injection asked for one; -ETIMEDOUT if the wait did not
 * complete within VTD_QI_TIMEOUT_NS, or the queue was stopped before.
 */
static int vtd_qi_run(struct vtd_unit *unit, const struct vtd_qi_desc *descs,
		      unsigned int n)
{
	struct vtd_qi *qi = &unit->qi;
	bool error = false, hold_back;
	struct vtd_qi_desc wait;
	unsigned long flags;
	unsigned int i;
	u64 deadline;
	u32 seq, fsts;
	int ret = 0;

	if (atomic_add_unless(&qi->inject_errors, -1, 0))
		return -EIO;
	/* Never move the tail: the unit does not see the descriptors. */
	hold_back = atomic_add_unless(&qi->inject_timeouts, -1, 0);

	spin_lock_irqsave(&qi->lock, flags);
	if (qi->stopped) {
		spin_unlock_irqrestore(&qi->lock, flags);
		return -ETIMEDOUT;
	}
	seq = ++qi->seq;
	wait = vtd_qi_wait(VTD_QI_WAIT_SW, seq, virt_to_phys(qi->status));
	for (i = 0; i <= n; i++) {
		unsigned int slot = qi->tail;

		qi->queue[slot] = i < n ? descs[i] : wait;
		vtd_unit_flush_entry(unit, &qi->queue[slot], sizeof(wait));
		qi->tail = (slot + 1) % qi->entries;
	}
	/* The descriptors must be in memory before the tail moves. */
	wmb();
	if (!hold_back)
		vtd_writeq(unit, VTD_IQT_REG, vtd_iqt(qi->tail, true));

	deadline = ktime_get_ns() + VTD_QI_TIMEOUT_NS;
	while (READ_ONCE(*qi->status) != seq) {
		fsts = vtd_readl(unit, VTD_FSTS_REG);
		if (fsts & VTD_FSTS_QI_ERRORS) {
			vtd_qi_recover(unit, fsts, &wait);
			error = true;
		}
		if (ktime_get_ns() > deadline) {
			/* This CPU may have stalled past the deadline. */
			if (READ_ONCE(*qi->status) == seq)
				break;
			pr_err("%s: invalidation wait timed out (IQH %#llx IQT %#llx FSTS %#x): invalidation queue stopped\n",
			       unit->name, vtd_readq(unit, VTD_IQH_REG),
			       vtd_readq(unit, VTD_IQT_REG), fsts);
			qi->stopped = true;
			ret = -ETIMEDOUT;
			break;
		}
		cpu_relax();
	}
	spin_unlock_irqrestore(&qi->lock, flags);

	if (!ret && error)
		ret = -EIO;
	return ret;
}

#define VTD_QI_GLOBAL_DESCS	3

/* Every cache of the unit: context, PASID, IOTLB and paging structures. */
static void vtd_qi_global(struct vtd_qi_desc d[VTD_QI_GLOBAL_DESCS])
{
	d[0] = vtd_qi_cc(VTD_CC_GLOBAL, 0, 0, 0);
	d[1] = vtd_qi_pc(VTD_QI_PC_GLOBAL, 0, 0);
	d[2] = vtd_qi_iotlb(VTD_IOTLB_GLOBAL, 0, 0, 0, false, false);
}

/**
 * vtd_qi_invalidate_all() - drop everything the unit caches
 * @unit: the unit
 *
 * Return: as vtd_qi_submit().
 */
int vtd_qi_invalidate_all(struct vtd_unit *unit)
{
	struct vtd_qi_desc d[VTD_QI_GLOBAL_DESCS];

	vtd_qi_global(d);
	return vtd_qi_submit(unit, d, ARRAY_SIZE(d));
}

/**
 * vtd_qi_submit() - run descriptors through the invalidation queue
 * @unit: the unit
 * @descs: the descriptors, in the order the hardware must process them
 * @n: how many; at most the queue size minus two
 *
 * Appends a status-write wait descriptor and polls until the hardware has
 * written it, so on return every descriptor has completed, or everything
 * they would have invalidated has been (see the top of this file).
 *
 * Callers treat a failure as "the hardware may still use what it
 * caches": they never free or reuse such memory or domain IDs.
 *
 * Context: any; spins with interrupts off while the hardware works.
 * Return: 0, or -EIO: the invalidation did not happen and the unit is
 * failed (vtd_unit_fail()).
 */
int vtd_qi_submit(struct vtd_unit *unit, const struct vtd_qi_desc *descs,
		  unsigned int n)
{
	struct vtd_qi_desc global[VTD_QI_GLOBAL_DESCS];
	int ret;

	if (WARN_ON(n + 2 > unit->qi.entries))
		return -EINVAL;
	if (vtd_unit_failed(unit))
		return -EIO;

	atomic64_inc(&unit->stats.qi_submits);
	ret = vtd_qi_run(unit, descs, n);
	if (!ret)
		return 0;
	atomic64_inc(&unit->stats.qi_errors);
	vtd_qi_global(global);
	if (ret == -EIO && !vtd_qi_run(unit, global, ARRAY_SIZE(global))) {
		atomic64_inc(&unit->stats.qi_recovered);
		pr_warn_ratelimited("%s: an invalidation failed; a global invalidation made up for it\n",
				    unit->name);
		return 0;
	}
	vtd_unit_fail(unit);
	return -EIO;
}

static int vtd_qi_one(struct vtd_unit *unit, struct vtd_qi_desc desc)
{
	return vtd_qi_submit(unit, &desc, 1);
}

/* Context-cache entry of one device (6.5.2.1, device-selective). */
int vtd_inv_context_device(struct vtd_unit *unit, u16 did, u16 sid)
{
	trace_intel_vtd_inval(unit->name, VTD_QI_CC, did, 0, sid, 0,
			      VTD_CC_DEVICE);
	atomic64_inc(&unit->stats.inv_context);
	return vtd_qi_one(unit, vtd_qi_cc(VTD_CC_DEVICE, did, sid, 0));
}

/* PASID-cache entry of @pasid tagged @did (6.5.2.2, PASID-selective). */
int vtd_inv_pasid_cache(struct vtd_unit *unit, u16 did, u32 pasid)
{
	trace_intel_vtd_inval(unit->name, VTD_QI_PC, did, pasid, 0, 0,
			      VTD_QI_PC_PASID_SEL);
	atomic64_inc(&unit->stats.inv_pasid_cache);
	return vtd_qi_one(unit, vtd_qi_pc(VTD_QI_PC_PASID_SEL, did, pasid));
}

/**
 * vtd_inv_piotlb() - PASID-based IOTLB invalidation of a range (6.5.2.4)
 * @unit: the unit
 * @did: domain ID the translations are tagged with
 * @pasid: the PASID (0 for requests without PASID)
 * @start: first IOVA of the range
 * @last: last IOVA of the range (inclusive); U64_MAX with @start 0 for all
 * @leaf_only: only leaf entries changed (IH: paging-structure caches kept)
 *
 * One page-selective descriptor when CAP.PSI is set and one naturally
 * aligned block of at most 2^MAMV pages covers the range, else one
 * PASID-selective descriptor.
 *
 * Return: as vtd_qi_submit().
 */
int vtd_inv_piotlb(struct vtd_unit *unit, u16 did, u32 pasid, u64 start,
		   u64 last, bool leaf_only)
{
	unsigned int am;
	u64 addr;

	if ((unit->cap & VTD_CAP_PSI) &&
	    vtd_qi_psi_range(start >> VTD_QI_PAGE_SHIFT,
			     last >> VTD_QI_PAGE_SHIFT,
			     vtd_cap_mamv(unit->cap), &addr, &am)) {
		trace_intel_vtd_inval(unit->name, VTD_QI_PIOTLB, did, pasid,
				      addr, am, VTD_QI_PIOTLB_PAGE);
		atomic64_inc(&unit->stats.inv_piotlb_page);
		return vtd_qi_one(unit, vtd_qi_piotlb_page(did, pasid, addr,
							   am, leaf_only));
	}
	trace_intel_vtd_inval(unit->name, VTD_QI_PIOTLB, did, pasid, 0, 0,
			      VTD_QI_PIOTLB_PASID_SEL);
	atomic64_inc(&unit->stats.inv_piotlb_pasid);
	return vtd_qi_one(unit, vtd_qi_piotlb_pasid(did, pasid));
}

/**
 * vtd_inv_iotlb() - IOTLB invalidation of a range (6.5.2.3): translations
 *		     made through second-level-only (and pass-through)
 *		     entries, and nested ones, of a domain
 * @unit: the unit
 * @did: domain ID
 * @start: first IOVA of the range
 * @last: last IOVA of the range (inclusive); U64_MAX with @start 0 for all
 * @leaf_only: only leaf entries changed (IH)
 *
 * One page-selective descriptor when CAP.PSI is set and one aligned block
 * of at most 2^MAMV pages covers the range, else domain-selective.
 *
 * Return: as vtd_qi_submit().
 */
int vtd_inv_iotlb(struct vtd_unit *unit, u16 did, u64 start, u64 last,
		  bool leaf_only)
{
	bool drain = unit->cap & (VTD_CAP_DRD | VTD_CAP_DWD);
	unsigned int am;
	u64 addr;

	if ((unit->cap & VTD_CAP_PSI) &&
	    vtd_qi_psi_range(start >> VTD_QI_PAGE_SHIFT,
			     last >> VTD_QI_PAGE_SHIFT,
			     vtd_cap_mamv(unit->cap), &addr, &am)) {
		trace_intel_vtd_inval(unit->name, VTD_QI_IOTLB, did, 0, addr,
				      am, VTD_IOTLB_PAGE);
		return vtd_qi_one(unit, vtd_qi_iotlb(VTD_IOTLB_PAGE, did, addr,
						     am, leaf_only, drain));
	}
	trace_intel_vtd_inval(unit->name, VTD_QI_IOTLB, did, 0, 0, 0,
			      VTD_IOTLB_DOMAIN);
	return vtd_qi_one(unit, vtd_qi_iotlb(VTD_IOTLB_DOMAIN, did, 0, 0, false,
					     drain));
}
