// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault reporting: reading the primary fault recording registers (VT-d
 * spec 3.x, 7.2.1 and 11.4.14), and telling the user, the counters, the
 * tracepoint, the debugfs log and the domain's fault handler.
 *
 * Polled, not interrupt driven: the fault event is an MSI the unit sends
 * to FEADDR/FEDATA, and a module cannot get a vector of the kernel's DMAR
 * interrupt domain (dmar_alloc_hwirq() is not exported). FECTL.IM stays
 * set and a delayed work reads FSTS every vtd_fault_poll_ms (default 20
 * ms), so a fault is reported well within 100 ms. The hardware keeps only
 * CAP.NFR + 1 records (one on QEMU); more distinct faults before a poll
 * set FSTS.PFO and are counted as dropped.
 */
#define pr_fmt(fmt) "intel-vtd: " fmt

#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/timekeeping.h>

#include "vtd.h"
#include <trace/events/intel_vtd.h>

static void vtd_fault_log_add(struct vtd_unit *unit, const struct vtd_fault *f)
{
	struct vtd_fault_log *log = &unit->fault_log;
	unsigned long flags;

	spin_lock_irqsave(&log->lock, flags);
	log->rec[log->next] = *f;
	log->when_ns[log->next] = ktime_get_ns();
	log->next = (log->next + 1) % VTD_FAULT_LOG_SIZE;
	if (log->count < VTD_FAULT_LOG_SIZE)
		log->count++;
	spin_unlock_irqrestore(&log->lock, flags);
}

/*
 * Give a translation fault to whoever wants it: the vIOMMU of a device
 * attached to one of its nested HWPTs (in guest terms, to its vEVENTQ),
 * else the attached domain's fault handler, if it has one.
 */
static void vtd_fault_deliver(struct vtd_unit *unit, const struct vtd_fault *f)
{
	struct iommu_domain *domain;
	struct vtd_vdevice *vd;
	struct vtd_device *vdev;

	spin_lock(&unit->lock);
	vdev = xa_load(&unit->devices, f->sid);
	domain = vdev ? vdev->domain : NULL;
	vd = vdev ? vtd_viommu_of_device(vdev) : NULL;
	if (vd)
		vtd_viommu_report_fault(vd, f);
	else if (domain && domain->type & __IOMMU_DOMAIN_PAGING &&
		 domain->cookie_type == IOMMU_COOKIE_FAULT_HANDLER)
		report_iommu_fault(domain, vdev->dev, f->addr,
				   f->is_write ? IOMMU_FAULT_WRITE :
						 IOMMU_FAULT_READ);
	spin_unlock(&unit->lock);
}

static void vtd_fault_report(struct vtd_unit *unit, const struct vtd_fault *f)
{
	atomic64_inc(&unit->stats.faults);
	vtd_fault_log_add(unit, f);
	trace_intel_vtd_fault(unit->name, f);
	if (f->pasid_present)
		pr_err_ratelimited("%s: DMA %s fault from %04x:%02x:%02x.%d PASID %#x at %#llx: reason %#x (%s)\n",
				   unit->name, f->is_write ? "write" : "read",
				   unit->drhd->segment, PCI_BUS_NUM(f->sid),
				   PCI_SLOT(f->sid & 0xff), PCI_FUNC(f->sid & 0xff),
				   f->pasid, f->addr, f->reason,
				   vtd_fault_reason_str(f->reason));
	else
		pr_err_ratelimited("%s: DMA %s fault from %04x:%02x:%02x.%d at %#llx: reason %#x (%s)\n",
				   unit->name, f->is_write ? "write" : "read",
				   unit->drhd->segment, PCI_BUS_NUM(f->sid),
				   PCI_SLOT(f->sid & 0xff), PCI_FUNC(f->sid & 0xff),
				   f->addr, f->reason,
				   vtd_fault_reason_str(f->reason));
	if (!vtd_fault_is_irq(f))
		vtd_fault_deliver(unit, f);
}

/**
 * vtd_fault_poll() - report and clear every recorded fault of a unit
 * @unit: the unit
 *
 * Records are read from FSTS.FRI on, wrapping, until one has F clear.
 *
 * Context: process; serialised by the fault work (or called after it
 * stopped).
 * Return: the number of faults reported.
 */
unsigned int vtd_fault_poll(struct vtd_unit *unit)
{
	unsigned int nfr = vtd_cap_nfr(unit->cap);
	unsigned int index, n, reported = 0;
	u32 fsts = vtd_readl(unit, VTD_FSTS_REG);

	if (!(fsts & (VTD_FSTS_PPF | VTD_FSTS_PFO)))
		return 0;

	index = FIELD_GET(VTD_FSTS_FRI, fsts) % nfr;
	for (n = 0; n < nfr && (fsts & VTD_FSTS_PPF); n++) {
		u32 off = vtd_cap_frcd_offset(unit->cap, index);
		u64 hi = vtd_readq(unit, off + sizeof(u64));
		struct vtd_fault f;
		u64 lo;

		if (!(hi & VTD_FRCD_HI_F))
			break;
		lo = vtd_readq(unit, off);
		vtd_writel(unit, off + VTD_FRCD_F_DWORD_OFF, VTD_FRCD_F_DWORD_F);
		vtd_fault_decode(&f, lo, hi);
		vtd_fault_report(unit, &f);
		reported++;
		index = (index + 1) % nfr;
	}
	if (fsts & VTD_FSTS_PFO) {
		atomic64_inc(&unit->stats.faults_dropped);
		pr_err_ratelimited("%s: fault records overflowed: faults were lost\n",
				   unit->name);
		vtd_writel(unit, VTD_FSTS_REG, VTD_FSTS_PFO);
	}
	return reported;
}

static void vtd_fault_work(struct work_struct *work)
{
	struct vtd_unit *unit = container_of(to_delayed_work(work),
					     struct vtd_unit, fault_work);

	vtd_fault_poll(unit);
	schedule_delayed_work(&unit->fault_work,
			      msecs_to_jiffies(READ_ONCE(vtd_fault_poll_ms)));
}

void vtd_fault_init(struct vtd_unit *unit)
{
	spin_lock_init(&unit->fault_log.lock);
	INIT_DELAYED_WORK(&unit->fault_work, vtd_fault_work);
}

/* Report what is already recorded (from before us), then poll. */
void vtd_fault_start(struct vtd_unit *unit)
{
	unit->fault_polling = true;
	vtd_fault_poll(unit);
	schedule_delayed_work(&unit->fault_work,
			      msecs_to_jiffies(READ_ONCE(vtd_fault_poll_ms)));
}

/*
 * Stop polling; faults recorded until now are still reported. A unit we
 * refused never started: its records belong to whoever owns it.
 */
void vtd_fault_stop(struct vtd_unit *unit)
{
	if (!unit->fault_polling)
		return;
	disable_delayed_work_sync(&unit->fault_work);
	vtd_fault_poll(unit);
	unit->fault_polling = false;
}
