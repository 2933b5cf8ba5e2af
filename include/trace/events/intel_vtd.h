/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tracepoints of the intel-vtd driver: map and unmap on its paging domains,
 * every invalidation descriptor it queues, every fault it reads from a
 * unit's fault recording registers, and the software nesting engine's
 * syncs and revocations.
 *
 * drivers/iommu/intel/trace.c defines the events. It includes vtd-fault.h
 * and vtd-qi.h before this file: recording a fault reads struct vtd_fault
 * and vtd_fault_reason_str(), and the output names enum vtd_qi_type. Files
 * that only fire the events need neither.
 *
 * Strings (the unit name, the fault reason) are copied into the event, so
 * the output is readable by perf and trace-cmd as well as from the
 * kernel's own "trace" file.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM intel_vtd

#if !defined(_TRACE_INTEL_VTD_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_INTEL_VTD_H

#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/tracepoint.h>
#include <linux/types.h>

struct vtd_fault;

TRACE_DEFINE_ENUM(VTD_QI_CC);
TRACE_DEFINE_ENUM(VTD_QI_IOTLB);
TRACE_DEFINE_ENUM(VTD_QI_DEV_TLB);
TRACE_DEFINE_ENUM(VTD_QI_IEC);
TRACE_DEFINE_ENUM(VTD_QI_WAIT);
TRACE_DEFINE_ENUM(VTD_QI_PIOTLB);
TRACE_DEFINE_ENUM(VTD_QI_PC);
TRACE_DEFINE_ENUM(VTD_QI_PDEV_TLB);
TRACE_DEFINE_ENUM(VTD_QI_PGRP_RESP);
TRACE_DEFINE_ENUM(VTD_QI_PSTRM_RESP);

#define show_vtd_qi_type(type)					\
	__print_symbolic(type,					\
			 { VTD_QI_CC,		"cc" },		\
			 { VTD_QI_IOTLB,	"iotlb" },	\
			 { VTD_QI_DEV_TLB,	"dev_tlb" },	\
			 { VTD_QI_IEC,		"iec" },	\
			 { VTD_QI_WAIT,		"wait" },	\
			 { VTD_QI_PIOTLB,	"piotlb" },	\
			 { VTD_QI_PC,		"pc" },		\
			 { VTD_QI_PDEV_TLB,	"pdev_tlb" },	\
			 { VTD_QI_PGRP_RESP,	"pgrp_resp" },	\
			 { VTD_QI_PSTRM_RESP,	"pstrm_resp" })

#define show_vtd_prot(prot)					\
	__print_flags(prot, "|",				\
		      { IOMMU_READ,	"R" },			\
		      { IOMMU_WRITE,	"W" },			\
		      { IOMMU_CACHE,	"CACHE" },		\
		      { IOMMU_NOEXEC,	"NOEXEC" },		\
		      { IOMMU_MMIO,	"MMIO" },		\
		      { IOMMU_PRIV,	"PRIV" })

/*
 * intel_vtd_map - a map_pages call on a paging domain
 * @domain: the domain (struct iommu_domain), printed hashed
 * @iova: first IOVA
 * @paddr: first physical address
 * @size: bytes requested
 * @prot: IOMMU_READ, IOMMU_WRITE, ...
 */
TRACE_EVENT(intel_vtd_map,
	    TP_PROTO(const void *domain, u64 iova, u64 paddr, u64 size, int prot),
	    TP_ARGS(domain, iova, paddr, size, prot),

	    TP_STRUCT__entry(__field(const void *, domain)
			     __field(u64, iova)
			     __field(u64, paddr)
			     __field(u64, size)
			     __field(int, prot)
	    ),

	    TP_fast_assign(__entry->domain = domain;
			   __entry->iova = iova;
			   __entry->paddr = paddr;
			   __entry->size = size;
			   __entry->prot = prot;
	    ),

	    TP_printk("domain %p iova 0x%llx paddr 0x%llx size 0x%llx prot 0x%x (%s)",
		      __entry->domain, __entry->iova, __entry->paddr,
		      __entry->size, __entry->prot, show_vtd_prot(__entry->prot))
);

/*
 * intel_vtd_unmap - an unmap_pages call on a paging domain
 * @domain: the domain (struct iommu_domain), printed hashed
 * @iova: first IOVA
 * @size: bytes requested
 * @unmapped: bytes actually unmapped
 */
TRACE_EVENT(intel_vtd_unmap,
	    TP_PROTO(const void *domain, u64 iova, u64 size, u64 unmapped),
	    TP_ARGS(domain, iova, size, unmapped),

	    TP_STRUCT__entry(__field(const void *, domain)
			     __field(u64, iova)
			     __field(u64, size)
			     __field(u64, unmapped)
	    ),

	    TP_fast_assign(__entry->domain = domain;
			   __entry->iova = iova;
			   __entry->size = size;
			   __entry->unmapped = unmapped;
	    ),

	    TP_printk("domain %p iova 0x%llx size 0x%llx unmapped 0x%llx",
		      __entry->domain, __entry->iova, __entry->size,
		      __entry->unmapped)
);

/*
 * intel_vtd_inval - one invalidation descriptor queued on a unit
 * @unit: the unit's name
 * @type: enum vtd_qi_type
 * @did: domain ID, where the descriptor has one
 * @pasid: PASID, where the descriptor has one
 * @addr: first byte of the range, for page-selective descriptors
 * @am: address mask: the range is 2^@am 4K pages
 * @gran: the descriptor's granularity field, as its type defines it
 */
TRACE_EVENT(intel_vtd_inval,
	    TP_PROTO(const char *unit, u8 type, u16 did, u32 pasid, u64 addr,
		     u8 am, u8 gran),
	    TP_ARGS(unit, type, did, pasid, addr, am, gran),

	    TP_STRUCT__entry(__string(unit, unit)
			     __field(u64, addr)
			     __field(u32, pasid)
			     __field(u16, did)
			     __field(u8, type)
			     __field(u8, am)
			     __field(u8, gran)
	    ),

	    TP_fast_assign(__assign_str(unit);
			   __entry->addr = addr;
			   __entry->pasid = pasid;
			   __entry->did = did;
			   __entry->type = type;
			   __entry->am = am;
			   __entry->gran = gran;
	    ),

	    TP_printk("%s %s gran %u did %u pasid 0x%x addr 0x%llx am %u",
		      __get_str(unit), show_vtd_qi_type(__entry->type),
		      __entry->gran, __entry->did, __entry->pasid, __entry->addr,
		      __entry->am)
);

/*
 * intel_vtd_fault - a primary fault read from a fault recording register
 * @unit: the unit's name
 * @f: the decoded record
 */
TRACE_EVENT(intel_vtd_fault,
	    TP_PROTO(const char *unit, const struct vtd_fault *f),
	    TP_ARGS(unit, f),

	    TP_STRUCT__entry(__string(unit, unit)
			     __string(reason_str, vtd_fault_reason_str(f->reason))
			     __field(u64, addr)
			     __field(u32, pasid)
			     __field(u16, sid)
			     __field(u8, reason)
			     __field(bool, pasid_present)
			     __field(bool, is_read)
			     __field(bool, is_write)
	    ),

	    TP_fast_assign(__assign_str(unit);
			   __assign_str(reason_str);
			   __entry->addr = f->addr;
			   __entry->pasid = f->pasid;
			   __entry->sid = f->sid;
			   __entry->reason = f->reason;
			   __entry->pasid_present = f->pasid_present;
			   __entry->is_read = f->is_read;
			   __entry->is_write = f->is_write;
	    ),

	    TP_printk("%s %02x:%02x.%d pasid %d %s%s addr 0x%llx reason 0x%02x %s",
		      __get_str(unit), PCI_BUS_NUM(__entry->sid),
		  PCI_SLOT(__entry->sid), PCI_FUNC(__entry->sid),
		      __entry->pasid_present ? (int)__entry->pasid : -1,
		      __entry->is_read ? "R" : "-", __entry->is_write ? "W" : "-",
		      __entry->addr, __entry->reason, __get_str(reason_str))
);

/*
 * intel_vtd_nest_sync - a sync of a nested domain's shadow (nested.c)
 * @domain: the nested domain, printed hashed
 * @first: first GIOVA of the range asked for
 * @last: last GIOVA of the range (inclusive)
 * @walked: guest table pages read
 * @written: shadow leaves written
 * @removed: shadow 4K pages removed
 * @rsvd: guest entries left out for a reserved bit set
 * @us: guest entries left out for U/S clear
 * @ps: guest entries left out for PS at a level that forbids it
 * @unmapped: guest tables or leaves at GPAs the parent does not map (or
 *	not RAM, for tables)
 * @ret: 0, or the error (the range was then left empty)
 */
TRACE_EVENT(intel_vtd_nest_sync,
	    TP_PROTO(const void *domain, u64 first, u64 last, u64 walked,
		     u64 written, u64 removed, u64 rsvd, u64 us, u64 ps,
		     u64 unmapped, int ret),
	    TP_ARGS(domain, first, last, walked, written, removed, rsvd, us, ps,
		    unmapped, ret),

	    TP_STRUCT__entry(__field(const void *, domain)
			     __field(u64, first)
			     __field(u64, last)
			     __field(u64, walked)
			     __field(u64, written)
			     __field(u64, removed)
			     __field(u64, rsvd)
			     __field(u64, us)
			     __field(u64, ps)
			     __field(u64, unmapped)
			     __field(int, ret)
	    ),

	    TP_fast_assign(__entry->domain = domain;
			   __entry->first = first;
			   __entry->last = last;
			   __entry->walked = walked;
			   __entry->written = written;
			   __entry->removed = removed;
			   __entry->rsvd = rsvd;
			   __entry->us = us;
			   __entry->ps = ps;
			   __entry->unmapped = unmapped;
			   __entry->ret = ret;
	    ),

	    TP_printk("domain %p giova 0x%llx-0x%llx walked %llu written %llu removed %llu refused rsvd %llu us %llu ps %llu unmapped %llu ret %d",
		      __entry->domain, __entry->first, __entry->last,
		      __entry->walked, __entry->written, __entry->removed,
		      __entry->rsvd, __entry->us, __entry->ps,
		      __entry->unmapped, __entry->ret)
);

/*
 * intel_vtd_nest_revoke - a nest parent's map or unmap reached a nested
 *			   domain that used the changed GPAs
 * @parent: the nest parent, printed hashed
 * @domain: the nested domain, printed hashed
 * @first: first GPA that changed
 * @last: last GPA that changed (inclusive)
 * @unmap: an unmap (else a map)
 */
TRACE_EVENT(intel_vtd_nest_revoke,
	    TP_PROTO(const void *parent, const void *domain, u64 first,
		     u64 last, bool unmap),
	    TP_ARGS(parent, domain, first, last, unmap),

	    TP_STRUCT__entry(__field(const void *, parent)
			     __field(const void *, domain)
			     __field(u64, first)
			     __field(u64, last)
			     __field(bool, unmap)
	    ),

	    TP_fast_assign(__entry->parent = parent;
			   __entry->domain = domain;
			   __entry->first = first;
			   __entry->last = last;
			   __entry->unmap = unmap;
	    ),

	    TP_printk("parent %p domain %p gpa 0x%llx-0x%llx %s",
		      __entry->parent, __entry->domain, __entry->first,
		      __entry->last, __entry->unmap ? "unmap" : "map")
);

#endif /* _TRACE_INTEL_VTD_H */

/* This part must be outside the multi-read protection. */
#include <trace/define_trace.h>
