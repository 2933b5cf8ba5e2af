/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Primary fault records: decode of a fault recording register (VT-d
 * specification 3.x, 11.4.14 "Fault Recording Registers"; layout in
 * vtd-regs.h) and the fault reason names of the appendix "Non-Recoverable
 * Fault Reason Encodings".
 */
#ifndef __VTD_FAULT_H
#define __VTD_FAULT_H

#include <linux/array_size.h>
#include <linux/bitfield.h>
#include <linux/types.h>

#include "vtd-regs.h"

/**
 * struct vtd_fault - one decoded fault record
 * @addr: page address of the faulted request (FI); for an interrupt
 *	  remapping fault, FI bits 63:48 hold the interrupt index instead
 *	  (see vtd_fault_irq_index())
 * @pasid: PASID of the request (PV), valid if @pasid_present
 * @sid: requester ID (bus << 8 | devfn)
 * @reason: fault reason code (FR), see vtd_fault_reason_str()
 * @type: request type from T1 and T2
 * @at: PCIe address type of the request (AT)
 * @pasid_present: the request carried a PASID (PP)
 * @is_read: read or AtomicOp request
 * @is_write: write or AtomicOp request
 * @exec: execute permission requested (EXE)
 * @priv: supervisor privilege requested (PRIV)
 */
struct vtd_fault {
	u64 addr;
	u32 pasid;
	u16 sid;
	u8 reason;
	enum vtd_frcd_type type;
	u8 at;
	bool pasid_present;
	bool is_read;
	bool is_write;
	bool exec;
	bool priv;
};

/**
 * vtd_fault_decode() - decode a fault recording register
 * @f: filled with the record
 * @lo: bits 63:0 of the record
 * @hi: bits 127:64 of the record
 *
 * Return: true if the record holds a fault (F set); @f is filled either way.
 */
static inline bool vtd_fault_decode(struct vtd_fault *f, u64 lo, u64 hi)
{
	f->addr = lo & VTD_FRCD_LO_FI;
	f->sid = FIELD_GET(VTD_FRCD_HI_SID, hi);
	f->reason = FIELD_GET(VTD_FRCD_HI_FR, hi);
	f->pasid_present = hi & VTD_FRCD_HI_PP;
	f->pasid = FIELD_GET(VTD_FRCD_HI_PV, hi);
	f->at = FIELD_GET(VTD_FRCD_HI_AT, hi);
	f->exec = hi & VTD_FRCD_HI_EXE;
	f->priv = hi & VTD_FRCD_HI_PRIV;
	f->type = FIELD_GET(VTD_FRCD_HI_T1, hi) << 1 |
		  FIELD_GET(VTD_FRCD_HI_T2, hi);
	f->is_read = f->type == VTD_FRCD_READ || f->type == VTD_FRCD_ATOMIC;
	f->is_write = f->type == VTD_FRCD_WRITE || f->type == VTD_FRCD_ATOMIC;
	return hi & VTD_FRCD_HI_F;
}

/* Fault reasons 0x20-0x2f are interrupt-remapping faults. */
#define VTD_FR_IR_FIRST		0x20
#define VTD_FR_IR_LAST		0x2f

static inline bool vtd_fault_is_irq(const struct vtd_fault *f)
{
	return f->reason >= VTD_FR_IR_FIRST && f->reason <= VTD_FR_IR_LAST;
}

/* The interrupt index of an interrupt-remapping fault. */
static inline u16 vtd_fault_irq_index(const struct vtd_fault *f)
{
	return FIELD_GET(VTD_FRCD_LO_IRQ_INDEX, f->addr);
}

/**
 * vtd_fault_reason_str() - a short name for a fault reason code
 * @reason: the FR field of a fault record
 *
 * Codes 0x01-0x0e are legacy-mode translation faults, 0x20-0x28 interrupt
 * remapping faults, 0x30 and up scalable-mode translation faults. The
 * names are ours; the conditions follow the spec's table (with the Linux
 * driver, QEMU and VirtualBox as cross-checks: 0x33, 0x7d, 0x88 and 0x89
 * are in the table but without a condition we could confirm, so they read
 * "unknown").
 *
 * Return: a static string, "unknown" for a code we do not know.
 */
static inline const char *vtd_fault_reason_str(u8 reason)
{
	static const char * const names[] = {
		/* legacy mode */
		[0x01] = "root entry not present",
		[0x02] = "context entry not present",
		[0x03] = "invalid context entry",
		[0x04] = "address beyond MGAW",
		[0x05] = "write to read-only page",
		[0x06] = "read from non-readable page",
		[0x07] = "second-level entry access error",
		[0x08] = "root table access error",
		[0x09] = "context table access error",
		[0x0a] = "reserved bit in root entry",
		[0x0b] = "reserved bit in context entry",
		[0x0c] = "reserved bit in second-level entry",
		[0x0d] = "translation type blocked by context entry",
		[0x0e] = "output address in interrupt range",
		/* interrupt remapping */
		[0x20] = "reserved bit in interrupt request",
		[0x21] = "interrupt index beyond table",
		[0x22] = "IRTE not present",
		[0x23] = "interrupt remapping table access error",
		[0x24] = "reserved bit in IRTE",
		[0x25] = "compatibility-format interrupt blocked",
		[0x26] = "interrupt source-id check failed",
		[0x27] = "posted-interrupt descriptor access error",
		[0x28] = "reserved bit in posted-interrupt descriptor",
		/* scalable mode: root table address */
		[0x30] = "root table address invalid",
		[0x31] = "request with PASID but RTADDR.TTM legacy",
		[0x32] = "page request but RTADDR.TTM legacy",
		/* scalable-mode root entry */
		[0x38] = "root entry access error",
		[0x39] = "root entry not present",
		[0x3a] = "reserved bit in root entry",
		/* scalable-mode context entry */
		[0x40] = "context entry access error",
		[0x41] = "context entry not present",
		[0x42] = "reserved bit in context entry",
		[0x43] = "invalid context entry",
		[0x44] = "translation request with DTE clear",
		[0x45] = "request with PASID but PASIDE clear",
		[0x46] = "PASID beyond PASID directory size",
		[0x47] = "page request with PRE clear",
		[0x48] = "RID_PASID invalid",
		/* PASID directory entry */
		[0x50] = "PASID directory entry access error",
		[0x51] = "PASID directory entry not present",
		[0x52] = "reserved bit in PASID directory entry",
		/* PASID table entry */
		[0x58] = "PASID table entry access error",
		[0x59] = "PASID table entry not present",
		[0x5a] = "reserved bit in PASID table entry",
		[0x5b] = "invalid PASID table entry",
		[0x5c] = "execute request with ERE clear",
		[0x5d] = "supervisor request with SRE clear",
		/* first-level tables */
		[0x70] = "first-level entry access error",
		[0x71] = "first-level entry not present",
		[0x72] = "reserved bit in first-level entry",
		[0x73] = "first-level table pointer invalid",
		[0x74] = "nested: first-level entry beyond MGAW",
		[0x75] = "nested: first-level table not readable",
		[0x76] = "nested: first-level entry not readable",
		[0x77] = "nested: first-level A/D update not writable",
		/* second-level tables */
		[0x78] = "second-level entry access error",
		[0x79] = "second-level entry not present",
		[0x7a] = "reserved bit in second-level entry",
		[0x7b] = "second-level table pointer invalid",
		[0x7c] = "second-level A/D update with no-snoop walk",
		/* scalable mode: general */
		[0x80] = "non-canonical address",
		[0x81] = "user request to supervisor page",
		[0x82] = "execute request to non-executable page",
		[0x83] = "address beyond supported width",
		[0x84] = "second-level output beyond supported width",
		[0x85] = "write to read-only page",
		[0x86] = "read from non-readable page",
		[0x87] = "output address in interrupt range",
		[0x90] = "first-level A/D update with no-snoop walk",
		[0x91] = "first-level A/D update failed",
	};

	if (reason < ARRAY_SIZE(names) && names[reason])
		return names[reason];
	return "unknown";
}

#endif /* __VTD_FAULT_H */
