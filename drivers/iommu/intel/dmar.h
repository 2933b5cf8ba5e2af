/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI DMAR table parsing (VT-d spec 3.x chapter 8, "BIOS Considerations").
 *
 * The parser works on a copy of the table and never touches hardware or
 * the PCI bus, so KUnit can feed it crafted tables. Device scopes are
 * matched against PCI topology through a small callback interface.
 */
#ifndef __VTD_DMAR_H
#define __VTD_DMAR_H

#include <linux/types.h>
#include <linux/acpi.h>

/* 8.3 DRHD: one remapping hardware unit. */
struct vtd_dmar_unit {
	u64 base;		/* register base, 4K aligned */
	u64 reg_size;		/* bytes of register space (8.3: 2^size pages) */
	u16 segment;
	/* INCLUDE_PCI_ALL: every device of the segment no other unit lists */
	bool include_all;
	unsigned int nr_scopes;
	const struct acpi_dmar_device_scope **scopes;
};

/* 8.4 RMRR: memory a device keeps using, to be identity mapped. */
struct vtd_dmar_rmrr {
	u64 base;
	u64 last;		/* inclusive */
	u16 segment;
	unsigned int nr_scopes;
	const struct acpi_dmar_device_scope **scopes;
};

/**
 * struct vtd_dmar - a parsed DMAR table
 * @table: our copy of the table; the scopes point into it
 * @haw: host address width in bits (8.1: the table's width field + 1)
 * @flags: the table's flags (INTR_REMAP, X2APIC_OPT_OUT, ...)
 * @units: the DRHD units, in table order
 * @nr_units: number of @units
 * @rmrrs: the RMRRs, in table order
 * @nr_rmrrs: number of @rmrrs
 * @error: for a table that failed to parse, what was wrong
 * @error_offset: byte offset in the table of the structure at fault
 */
struct vtd_dmar {
	void *table;
	u8 haw;
	u8 flags;
	struct vtd_dmar_unit *units;
	unsigned int nr_units;
	struct vtd_dmar_rmrr *rmrrs;
	unsigned int nr_rmrrs;
	const char *error;
	size_t error_offset;
};

/**
 * struct vtd_dmar_topology - PCI topology, as the scope matcher sees it
 * @bridge_buses: for the device at @seg/@bus/@devfn, if it is a bridge,
 *	store its secondary and subordinate bus numbers and return 0; return
 *	-ENODEV if there is no such device or it is not a bridge
 * @ctx: passed to @bridge_buses
 */
struct vtd_dmar_topology {
	int (*bridge_buses)(void *ctx, u16 seg, u8 bus, u8 devfn,
			    u8 *secondary, u8 *subordinate);
	void *ctx;
};

int vtd_dmar_parse(struct vtd_dmar *dmar, const void *table);
void vtd_dmar_free(struct vtd_dmar *dmar);
bool vtd_dmar_scope_matches(const struct acpi_dmar_device_scope *scope,
			    u16 seg, u8 bus, u8 devfn,
			    const struct vtd_dmar_topology *topo);
bool vtd_dmar_namespace_rid(const struct acpi_dmar_device_scope *scope,
			    u8 *bus, u8 *devfn);
int vtd_dmar_find_unit(const struct vtd_dmar *dmar, u16 seg, u8 bus,
		       u8 devfn, const struct vtd_dmar_topology *topo);

#endif /* __VTD_DMAR_H */
