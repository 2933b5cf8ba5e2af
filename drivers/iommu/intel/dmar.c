// SPDX-License-Identifier: GPL-2.0-only
/*
 * ACPI DMAR table parsing: remapping hardware units (DRHD), reserved
 * memory regions (RMRR) and their device scopes, from VT-d spec 3.x
 * chapter 8. Other structure types (ATSR, RHSA, ANDD, SATC, SIDP) are
 * skipped. A malformed table is refused whole, with the reason and the
 * offset of the structure at fault.
 */
#include <linux/bitfield.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sizes.h>

#include "dmar.h"

/* 8.3 DRHD "Size": the register set spans 2^N 4K pages. */
#define VTD_DMAR_DRHD_SIZE	GENMASK(3, 0)

static int vtd_dmar_fail(struct vtd_dmar *d, const void *at, const char *why)
{
	d->error = why;
	d->error_offset = (const u8 *)at - (const u8 *)d->table;
	return -EINVAL;
}

static bool vtd_dmar_scope_is_pci(const struct acpi_dmar_device_scope *s)
{
	return s->entry_type == ACPI_DMAR_SCOPE_TYPE_ENDPOINT ||
	       s->entry_type == ACPI_DMAR_SCOPE_TYPE_BRIDGE;
}

static unsigned int vtd_dmar_path_len(const struct acpi_dmar_device_scope *s)
{
	return (s->length - sizeof(*s)) / sizeof(struct acpi_dmar_pci_path);
}

static const struct acpi_dmar_pci_path *
vtd_dmar_path(const struct acpi_dmar_device_scope *s)
{
	return (const void *)(s + 1);
}

/*
 * Check the device scopes (8.3.1) in [p, end); count them and, when @out
 * is given, store a pointer to each.
 */
static int vtd_dmar_scopes(struct vtd_dmar *d, const u8 *p, const u8 *end,
			   const struct acpi_dmar_device_scope **out,
			   unsigned int *count)
{
	unsigned int n = 0;

	while (p < end) {
		const struct acpi_dmar_device_scope *s = (const void *)p;

		if (end - p < sizeof(*s))
			return vtd_dmar_fail(d, p, "truncated device scope");
		if (s->length < sizeof(*s) || s->length > end - p)
			return vtd_dmar_fail(d, p, "device scope length out of bounds");
		if ((s->length - sizeof(*s)) % sizeof(struct acpi_dmar_pci_path))
			return vtd_dmar_fail(d, p, "device scope path of odd length");
		if (vtd_dmar_scope_is_pci(s) && !vtd_dmar_path_len(s))
			return vtd_dmar_fail(d, p, "PCI device scope without a path");
		if (s->entry_type == ACPI_DMAR_SCOPE_TYPE_NAMESPACE &&
		    vtd_dmar_path_len(s) != 1)
			return vtd_dmar_fail(d, p, "namespace scope without a requester ID");
		if (out)
			out[n] = s;
		n++;
		p += s->length;
	}
	*count = n;
	return 0;
}

/* Validate a structure's scopes and, when filling, keep pointers to them. */
static int vtd_dmar_take_scopes(struct vtd_dmar *d, const void *start,
				const void *end, bool fill,
				const struct acpi_dmar_device_scope ***scopes,
				unsigned int *nr)
{
	int ret;

	ret = vtd_dmar_scopes(d, start, end, NULL, nr);
	if (ret || !fill || !*nr)
		return ret;
	*scopes = kcalloc(*nr, sizeof(**scopes), GFP_KERNEL);
	if (!*scopes)
		return -ENOMEM;
	return vtd_dmar_scopes(d, start, end, *scopes, nr);
}

static int vtd_dmar_drhd(struct vtd_dmar *d,
			 const struct acpi_dmar_hardware_unit *h,
			 struct vtd_dmar_unit *u)
{
	struct vtd_dmar_unit tmp = {};

	if (h->header.length < sizeof(*h))
		return vtd_dmar_fail(d, h, "DRHD shorter than its fixed part");
	if (!h->address || !IS_ALIGNED(h->address, SZ_4K))
		return vtd_dmar_fail(d, h, "DRHD register base not 4K aligned");
	if (!u)
		u = &tmp;
	u->base = h->address;
	u->reg_size = (u64)SZ_4K << FIELD_GET(VTD_DMAR_DRHD_SIZE, h->size);
	u->segment = h->segment;
	u->include_all = h->flags & ACPI_DMAR_INCLUDE_ALL;
	return vtd_dmar_take_scopes(d, h + 1, (const u8 *)h + h->header.length,
				    u != &tmp, &u->scopes, &u->nr_scopes);
}

static int vtd_dmar_rmrr(struct vtd_dmar *d,
			 const struct acpi_dmar_reserved_memory *r,
			 struct vtd_dmar_rmrr *out)
{
	struct vtd_dmar_rmrr tmp = {};

	if (r->header.length < sizeof(*r))
		return vtd_dmar_fail(d, r, "RMRR shorter than its fixed part");
	/* The limit is the last byte: base and limit + 1 are 4K aligned. */
	if (!IS_ALIGNED(r->base_address, SZ_4K) ||
	    !IS_ALIGNED(r->end_address + 1, SZ_4K) ||
	    r->end_address < r->base_address)
		return vtd_dmar_fail(d, r, "RMRR range not 4K aligned or empty");
	if (!out)
		out = &tmp;
	out->base = r->base_address;
	out->last = r->end_address;
	out->segment = r->segment;
	return vtd_dmar_take_scopes(d, r + 1, (const u8 *)r + r->header.length,
				    out != &tmp, &out->scopes, &out->nr_scopes);
}

/*
 * One pass over the remapping structures. Without @fill it validates and
 * counts; with @fill it stores units and RMRRs in the arrays sized by the
 * first pass.
 */
static int vtd_dmar_walk(struct vtd_dmar *d, bool fill)
{
	const struct acpi_table_dmar *t = d->table;
	const u8 *p = (const u8 *)(t + 1);
	const u8 *end = (const u8 *)t + t->header.length;
	unsigned int nu = 0, nr = 0;
	int ret = 0;

	while (p < end) {
		const struct acpi_dmar_header *h = (const void *)p;

		if (end - p < sizeof(*h))
			return vtd_dmar_fail(d, p, "truncated structure header");
		if (h->length < sizeof(*h) || h->length > end - p)
			return vtd_dmar_fail(d, p, "structure length out of bounds");
		switch (h->type) {
		case ACPI_DMAR_TYPE_HARDWARE_UNIT:
			ret = vtd_dmar_drhd(d, (const void *)h,
					    fill ? &d->units[nu] : NULL);
			nu++;
			break;
		case ACPI_DMAR_TYPE_RESERVED_MEMORY:
			ret = vtd_dmar_rmrr(d, (const void *)h,
					    fill ? &d->rmrrs[nr] : NULL);
			nr++;
			break;
		default:
			break;
		}
		if (ret)
			return ret;
		p += h->length;
	}
	d->nr_units = nu;
	d->nr_rmrrs = nr;
	return 0;
}

static bool vtd_dmar_same_scope(const struct acpi_dmar_device_scope *a,
				const struct acpi_dmar_device_scope *b)
{
	return a->bus == b->bus && a->length == b->length &&
	       !memcmp(vtd_dmar_path(a), vtd_dmar_path(b),
		       a->length - sizeof(*a));
}

/*
 * A device listed by two units, or two INCLUDE_PCI_ALL units on one
 * segment, leaves no single unit in charge of a device: refuse the table.
 */
static int vtd_dmar_check_overlaps(struct vtd_dmar *d)
{
	unsigned int i, j, si, sj;

	for (i = 0; i < d->nr_units; i++) {
		const struct vtd_dmar_unit *a = &d->units[i];

		for (j = i + 1; j < d->nr_units; j++) {
			const struct vtd_dmar_unit *b = &d->units[j];

			if (a->segment != b->segment)
				continue;
			if (a->include_all && b->include_all)
				return vtd_dmar_fail(d, d->table,
						     "two INCLUDE_PCI_ALL units on one segment");
			for (si = 0; si < a->nr_scopes; si++) {
				if (!vtd_dmar_scope_is_pci(a->scopes[si]))
					continue;
				for (sj = 0; sj < b->nr_scopes; sj++)
					if (vtd_dmar_same_scope(a->scopes[si],
								b->scopes[sj]))
						return vtd_dmar_fail(d, b->scopes[sj],
								     "device scope listed by two units");
			}
		}
	}
	return 0;
}

/**
 * vtd_dmar_free() - release what vtd_dmar_parse() allocated
 * @dmar: the parsed table; safe on a zeroed or failed one
 */
void vtd_dmar_free(struct vtd_dmar *dmar)
{
	unsigned int i;

	for (i = 0; dmar->units && i < dmar->nr_units; i++)
		kfree(dmar->units[i].scopes);
	for (i = 0; dmar->rmrrs && i < dmar->nr_rmrrs; i++)
		kfree(dmar->rmrrs[i].scopes);
	kfree(dmar->units);
	kfree(dmar->rmrrs);
	kfree(dmar->table);
	dmar->units = NULL;
	dmar->rmrrs = NULL;
	dmar->table = NULL;
	dmar->nr_units = 0;
	dmar->nr_rmrrs = 0;
}

/**
 * vtd_dmar_parse() - parse an ACPI DMAR table
 * @dmar: filled with the units and RMRRs
 * @table: the table, its length taken from its ACPI header
 *
 * The table is copied, so the caller may put it back right away.
 *
 * Return: 0; -EINVAL for a malformed table, with @dmar->error and
 * @dmar->error_offset saying what and where; -ENOMEM. On error nothing
 * stays allocated.
 */
int vtd_dmar_parse(struct vtd_dmar *dmar, const void *table)
{
	const struct acpi_table_dmar *t = table;
	int ret;

	memset(dmar, 0, sizeof(*dmar));
	if (t->header.length < sizeof(*t)) {
		dmar->error = "table shorter than its header";
		return -EINVAL;
	}
	dmar->table = kmemdup(table, t->header.length, GFP_KERNEL);
	if (!dmar->table)
		return -ENOMEM;
	dmar->haw = t->width + 1;
	dmar->flags = t->flags;

	ret = vtd_dmar_walk(dmar, false);
	if (ret)
		goto err;
	ret = -ENOMEM;
	dmar->units = kcalloc(dmar->nr_units, sizeof(*dmar->units), GFP_KERNEL);
	dmar->rmrrs = kcalloc(dmar->nr_rmrrs, sizeof(*dmar->rmrrs), GFP_KERNEL);
	if ((dmar->nr_units && !dmar->units) || (dmar->nr_rmrrs && !dmar->rmrrs))
		goto err;
	ret = vtd_dmar_walk(dmar, true);
	if (ret)
		goto err;
	ret = vtd_dmar_check_overlaps(dmar);
	if (ret)
		goto err;
	return 0;
err:
	vtd_dmar_free(dmar);
	return ret;
}

/**
 * vtd_dmar_scope_matches() - does a device scope cover a PCI device?
 * @scope: an endpoint or bridge scope (others never match)
 * @seg: the device's segment (the scope's owner must be on it)
 * @bus: the device's bus
 * @devfn: the device's devfn
 * @topo: how to find the buses behind a bridge
 *
 * The path is followed from the scope's start bus through bridges (8.3.1).
 * An endpoint scope matches its device; a bridge scope matches the bridge
 * and every device on the buses below it.
 */
bool vtd_dmar_scope_matches(const struct acpi_dmar_device_scope *scope,
			    u16 seg, u8 bus, u8 devfn,
			    const struct vtd_dmar_topology *topo)
{
	const struct acpi_dmar_pci_path *path = vtd_dmar_path(scope);
	unsigned int i, n = vtd_dmar_path_len(scope);
	u8 b = scope->bus, last, sec, sub;

	if (!vtd_dmar_scope_is_pci(scope))
		return false;
	for (i = 0; i + 1 < n; i++) {
		if (topo->bridge_buses(topo->ctx, seg, b,
				       PCI_DEVFN(path[i].device, path[i].function),
				       &sec, &sub))
			return false;
		b = sec;
	}
	last = PCI_DEVFN(path[n - 1].device, path[n - 1].function);
	if (b == bus && last == devfn)
		return true;
	if (scope->entry_type != ACPI_DMAR_SCOPE_TYPE_BRIDGE ||
	    topo->bridge_buses(topo->ctx, seg, b, last, &sec, &sub))
		return false;
	return bus >= sec && bus <= sub;
}

/**
 * vtd_dmar_namespace_rid() - the requester ID of an ACPI namespace device
 * @scope: a device scope of a parsed table
 * @bus: set to the bus of the requester ID
 * @devfn: set to its device and function
 *
 * 8.3.1: an ACPI_NAMESPACE scope names a device of the ACPI namespace
 * (declared by an ANDD structure) that issues requests with the requester
 * ID given by Start Bus Number and its one path entry.
 *
 * Return: true for such a scope, false for any other type.
 */
bool vtd_dmar_namespace_rid(const struct acpi_dmar_device_scope *scope,
			    u8 *bus, u8 *devfn)
{
	const struct acpi_dmar_pci_path *path = vtd_dmar_path(scope);

	if (scope->entry_type != ACPI_DMAR_SCOPE_TYPE_NAMESPACE)
		return false;
	*bus = scope->bus;
	*devfn = PCI_DEVFN(path->device, path->function);
	return true;
}

/**
 * vtd_dmar_find_unit() - which unit translates a PCI device
 * @dmar: the parsed table
 * @seg: the device's segment
 * @bus: the device's bus
 * @devfn: the device's devfn
 * @topo: PCI topology
 *
 * A unit that lists the device (or a bridge above it) wins; otherwise the
 * segment's INCLUDE_PCI_ALL unit, if any.
 *
 * Return: the index in @dmar->units, or -ENODEV.
 */
int vtd_dmar_find_unit(const struct vtd_dmar *dmar, u16 seg, u8 bus,
		       u8 devfn, const struct vtd_dmar_topology *topo)
{
	unsigned int i, s;

	for (i = 0; i < dmar->nr_units; i++) {
		const struct vtd_dmar_unit *u = &dmar->units[i];

		if (u->segment != seg)
			continue;
		for (s = 0; s < u->nr_scopes; s++)
			if (vtd_dmar_scope_matches(u->scopes[s], seg, bus,
						   devfn, topo))
				return i;
	}
	for (i = 0; i < dmar->nr_units; i++)
		if (dmar->units[i].segment == seg && dmar->units[i].include_all)
			return i;
	return -ENODEV;
}
