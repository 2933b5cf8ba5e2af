// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the ACPI DMAR parser, on tables built here byte by byte:
 * well-formed layouts, device matching through PCI bridges, every
 * malformation the parser must refuse with its reason, every truncation of
 * a valid table and seeded random bit flips of it (each table in a buffer
 * of its exact length, so KASAN reports any read past its end).
 */
#include <kunit/test.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/prandom.h>
#include <linux/sizes.h>
#include <linux/stddef.h>

#include "dmar.h"

#define DMAR_TEST_BASE	0xfed90000ULL

/* Builds a DMAR table; each scope is appended to the last structure. */
struct dmar_builder {
	u8 buf[512];
	struct acpi_dmar_header *last;
};

static struct acpi_table_dmar *dmar_table(struct dmar_builder *b)
{
	return (struct acpi_table_dmar *)b->buf;
}

static void *dmar_append(struct dmar_builder *b, size_t len)
{
	struct acpi_table_dmar *t = dmar_table(b);
	void *p = b->buf + t->header.length;

	t->header.length += len;
	return p;
}

static void dmar_init(struct dmar_builder *b, u8 width)
{
	struct acpi_table_dmar *t = dmar_table(b);

	memset(b, 0, sizeof(*b));
	memcpy(t->header.signature, ACPI_SIG_DMAR, 4);
	t->header.length = sizeof(*t);
	t->width = width;
}

static void dmar_drhd(struct dmar_builder *b, u8 flags, u16 seg, u64 base)
{
	struct acpi_dmar_hardware_unit *h = dmar_append(b, sizeof(*h));

	h->header.type = ACPI_DMAR_TYPE_HARDWARE_UNIT;
	h->header.length = sizeof(*h);
	h->flags = flags;
	h->segment = seg;
	h->address = base;
	b->last = &h->header;
}

static void dmar_rmrr(struct dmar_builder *b, u16 seg, u64 base, u64 last)
{
	struct acpi_dmar_reserved_memory *r = dmar_append(b, sizeof(*r));

	r->header.type = ACPI_DMAR_TYPE_RESERVED_MEMORY;
	r->header.length = sizeof(*r);
	r->segment = seg;
	r->base_address = base;
	r->end_address = last;
	b->last = &r->header;
}

/* A structure of a type the parser skips (e.g. ATSR, SATC). */
static void dmar_other(struct dmar_builder *b, u16 type, u16 len)
{
	struct acpi_dmar_header *h = dmar_append(b, len);

	h->type = type;
	h->length = len;
	b->last = h;
}

/* Scope with @n path entries given as PCI_DEVFN() values. */
static struct acpi_dmar_device_scope *
dmar_scope(struct dmar_builder *b, u8 type, u8 bus, unsigned int n,
	   const u8 *devfns)
{
	size_t len = sizeof(struct acpi_dmar_device_scope) +
		     n * sizeof(struct acpi_dmar_pci_path);
	struct acpi_dmar_device_scope *s = dmar_append(b, len);
	struct acpi_dmar_pci_path *path = (void *)(s + 1);
	unsigned int i;

	s->entry_type = type;
	s->length = len;
	s->bus = bus;
	for (i = 0; i < n; i++) {
		path[i].device = PCI_SLOT(devfns[i]);
		path[i].function = PCI_FUNC(devfns[i]);
	}
	b->last->length += len;
	return s;
}

static struct acpi_dmar_device_scope *
dmar_scope1(struct dmar_builder *b, u8 type, u8 bus, u8 devfn)
{
	return dmar_scope(b, type, bus, 1, &devfn);
}

/* PCI topology for the matcher: a short list of bridges on segment 0. */
struct test_bridge {
	u8 bus, devfn, secondary, subordinate;
};

static const struct test_bridge test_bridges[] = {
	{ 0, PCI_DEVFN(0x1c, 0), 2, 4 },	/* root port: buses 2-4 */
	{ 2, PCI_DEVFN(0, 0), 3, 4 },		/* switch below it */
	{ 0, PCI_DEVFN(0x1d, 0), 5, 5 },
};

static int test_bridge_buses(void *ctx, u16 seg, u8 bus, u8 devfn,
			     u8 *secondary, u8 *subordinate)
{
	unsigned int i;

	for (i = 0; !seg && i < ARRAY_SIZE(test_bridges); i++) {
		if (test_bridges[i].bus == bus && test_bridges[i].devfn == devfn) {
			*secondary = test_bridges[i].secondary;
			*subordinate = test_bridges[i].subordinate;
			return 0;
		}
	}
	return -ENODEV;
}

static const struct vtd_dmar_topology test_topo = {
	.bridge_buses = test_bridge_buses,
};

static void dmar_parse_ok(struct kunit *test, struct dmar_builder *b,
			  struct vtd_dmar *d)
{
	int ret = vtd_dmar_parse(d, dmar_table(b));

	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "error: %s at %zu", d->error,
			    d->error_offset);
}

static int find(struct vtd_dmar *d, u16 seg, u8 bus, u8 devfn)
{
	return vtd_dmar_find_unit(d, seg, bus, devfn, &test_topo);
}

/* The layout QEMU's q35 with one intel-iommu reports. */
static void dmar_test_include_all(struct kunit *test)
{
	struct dmar_builder b;
	struct vtd_dmar d;

	dmar_init(&b, 47);
	dmar_drhd(&b, ACPI_DMAR_INCLUDE_ALL, 0, DMAR_TEST_BASE);
	dmar_parse_ok(test, &b, &d);

	KUNIT_EXPECT_EQ(test, d.haw, 48);
	KUNIT_EXPECT_EQ(test, d.nr_units, 1);
	KUNIT_EXPECT_EQ(test, d.nr_rmrrs, 0);
	KUNIT_EXPECT_EQ(test, d.units[0].base, DMAR_TEST_BASE);
	KUNIT_EXPECT_EQ(test, d.units[0].reg_size, SZ_4K);
	KUNIT_EXPECT_TRUE(test, d.units[0].include_all);
	KUNIT_EXPECT_EQ(test, d.units[0].nr_scopes, 0);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 0, PCI_DEVFN(3, 0)), 0);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 7, PCI_DEVFN(31, 7)), 0);
	KUNIT_EXPECT_EQ(test, find(&d, 1, 0, PCI_DEVFN(3, 0)), -ENODEV);
	vtd_dmar_free(&d);
}

static void dmar_test_reg_size(struct kunit *test)
{
	struct acpi_dmar_hardware_unit *h;
	struct dmar_builder b;
	struct vtd_dmar d;

	dmar_init(&b, 38);
	dmar_drhd(&b, 0, 0, DMAR_TEST_BASE);
	h = (void *)b.last;
	h->size = 2;	/* 2^2 pages */
	dmar_parse_ok(test, &b, &d);
	KUNIT_EXPECT_EQ(test, d.haw, 39);
	KUNIT_EXPECT_EQ(test, d.units[0].reg_size, 4 * SZ_4K);
	KUNIT_EXPECT_FALSE(test, d.units[0].include_all);
	vtd_dmar_free(&d);
}

/* A unit that lists a device wins over the INCLUDE_PCI_ALL unit. */
static void dmar_test_explicit_scope_wins(struct kunit *test)
{
	struct dmar_builder b;
	struct vtd_dmar d;

	dmar_init(&b, 47);
	dmar_drhd(&b, 0, 0, DMAR_TEST_BASE);
	dmar_scope1(&b, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, 0, PCI_DEVFN(2, 0));
	dmar_drhd(&b, ACPI_DMAR_INCLUDE_ALL, 0, DMAR_TEST_BASE + SZ_4K);
	dmar_parse_ok(test, &b, &d);

	KUNIT_ASSERT_EQ(test, d.nr_units, 2);
	KUNIT_EXPECT_EQ(test, d.units[0].nr_scopes, 1);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 0, PCI_DEVFN(2, 0)), 0);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 0, PCI_DEVFN(2, 1)), 1);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 3, PCI_DEVFN(2, 0)), 1);
	vtd_dmar_free(&d);
}

/* A bridge scope covers the bridge and all buses below it. */
static void dmar_test_bridge_scope(struct kunit *test)
{
	struct dmar_builder b;
	struct vtd_dmar d;

	dmar_init(&b, 47);
	dmar_drhd(&b, 0, 0, DMAR_TEST_BASE);
	dmar_scope1(&b, ACPI_DMAR_SCOPE_TYPE_BRIDGE, 0, PCI_DEVFN(0x1c, 0));
	dmar_parse_ok(test, &b, &d);

	KUNIT_EXPECT_EQ(test, find(&d, 0, 0, PCI_DEVFN(0x1c, 0)), 0);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 2, PCI_DEVFN(0, 0)), 0);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 4, PCI_DEVFN(5, 3)), 0);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 5, PCI_DEVFN(0, 0)), -ENODEV);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 1, PCI_DEVFN(0, 0)), -ENODEV);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 0, PCI_DEVFN(0x1c, 1)), -ENODEV);
	vtd_dmar_free(&d);
}

/* A path of several entries is followed through each bridge's bus. */
static void dmar_test_multi_level_path(struct kunit *test)
{
	const u8 path[] = { PCI_DEVFN(0x1c, 0), PCI_DEVFN(0, 0),
			    PCI_DEVFN(1, 2) };
	const u8 broken[] = { PCI_DEVFN(0x1e, 0), PCI_DEVFN(0, 0) };
	struct dmar_builder b;
	struct vtd_dmar d;

	dmar_init(&b, 47);
	dmar_drhd(&b, 0, 0, DMAR_TEST_BASE);
	/* 00:1c.0 -> bus 2, 02:00.0 -> bus 3, endpoint 03:01.2 */
	dmar_scope(&b, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, 0, 3, path);
	/* 00:1e.0 is no bridge: this scope resolves to nothing */
	dmar_scope(&b, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, 0, 2, broken);
	dmar_parse_ok(test, &b, &d);

	KUNIT_EXPECT_EQ(test, d.units[0].nr_scopes, 2);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 3, PCI_DEVFN(1, 2)), 0);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 3, PCI_DEVFN(1, 1)), -ENODEV);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 2, PCI_DEVFN(1, 2)), -ENODEV);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 0, PCI_DEVFN(0, 0)), -ENODEV);
	vtd_dmar_free(&d);
}

/* IOAPIC and HPET scopes are valid but never match a PCI device. */
static void dmar_test_non_pci_scopes(struct kunit *test)
{
	struct dmar_builder b;
	struct vtd_dmar d;

	dmar_init(&b, 47);
	dmar_drhd(&b, 0, 0, DMAR_TEST_BASE);
	dmar_scope1(&b, ACPI_DMAR_SCOPE_TYPE_IOAPIC, 0, PCI_DEVFN(0x1f, 0));
	dmar_scope1(&b, ACPI_DMAR_SCOPE_TYPE_HPET, 0, PCI_DEVFN(0x1f, 1));
	dmar_parse_ok(test, &b, &d);
	KUNIT_EXPECT_EQ(test, d.units[0].nr_scopes, 2);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 0, PCI_DEVFN(0x1f, 0)), -ENODEV);
	vtd_dmar_free(&d);
}

static void dmar_test_rmrr(struct kunit *test)
{
	struct dmar_builder b;
	struct vtd_dmar d;

	dmar_init(&b, 47);
	dmar_drhd(&b, ACPI_DMAR_INCLUDE_ALL, 0, DMAR_TEST_BASE);
	dmar_rmrr(&b, 0, 0xe0000, 0xfffff);
	dmar_scope1(&b, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, 0, PCI_DEVFN(0x14, 0));
	dmar_scope1(&b, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, 0, PCI_DEVFN(0x1a, 0));
	dmar_rmrr(&b, 0, 0x7c000000, 0x7fffffff);
	dmar_parse_ok(test, &b, &d);

	KUNIT_ASSERT_EQ(test, d.nr_rmrrs, 2);
	KUNIT_EXPECT_EQ(test, d.rmrrs[0].base, 0xe0000);
	KUNIT_EXPECT_EQ(test, d.rmrrs[0].last, 0xfffff);
	KUNIT_EXPECT_EQ(test, d.rmrrs[0].nr_scopes, 2);
	KUNIT_EXPECT_TRUE(test, vtd_dmar_scope_matches(d.rmrrs[0].scopes[1],
						       0, 0, PCI_DEVFN(0x1a, 0),
						       &test_topo));
	KUNIT_EXPECT_EQ(test, d.rmrrs[1].base, 0x7c000000);
	KUNIT_EXPECT_EQ(test, d.rmrrs[1].nr_scopes, 0);
	vtd_dmar_free(&d);
}

/* Structures the parser does not use are skipped by their length. */
static void dmar_test_skips_other_types(struct kunit *test)
{
	struct dmar_builder b;
	struct vtd_dmar d;

	dmar_init(&b, 47);
	dmar_other(&b, ACPI_DMAR_TYPE_ROOT_ATS, 8);
	dmar_drhd(&b, ACPI_DMAR_INCLUDE_ALL, 0, DMAR_TEST_BASE);
	dmar_other(&b, ACPI_DMAR_TYPE_SATC, 16);
	dmar_other(&b, 0x42, 4);
	dmar_rmrr(&b, 0, 0x1000, 0x1fff);
	dmar_parse_ok(test, &b, &d);
	KUNIT_EXPECT_EQ(test, d.nr_units, 1);
	KUNIT_EXPECT_EQ(test, d.nr_rmrrs, 1);
	vtd_dmar_free(&d);
}

/* The parser keeps its own copy: the caller may put the ACPI table back. */
static void dmar_test_copies_table(struct kunit *test)
{
	struct dmar_builder b;
	struct vtd_dmar d;

	dmar_init(&b, 47);
	dmar_drhd(&b, 0, 0, DMAR_TEST_BASE);
	dmar_scope1(&b, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, 0, PCI_DEVFN(2, 0));
	dmar_parse_ok(test, &b, &d);
	memset(b.buf, 0xa5, sizeof(b.buf));
	KUNIT_EXPECT_EQ(test, d.units[0].base, DMAR_TEST_BASE);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 0, PCI_DEVFN(2, 0)), 0);
	vtd_dmar_free(&d);
}

static void dmar_test_include_all_per_segment(struct kunit *test)
{
	struct dmar_builder b;
	struct vtd_dmar d;

	dmar_init(&b, 47);
	dmar_drhd(&b, ACPI_DMAR_INCLUDE_ALL, 0, DMAR_TEST_BASE);
	dmar_drhd(&b, ACPI_DMAR_INCLUDE_ALL, 1, DMAR_TEST_BASE + SZ_4K);
	dmar_parse_ok(test, &b, &d);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 0, PCI_DEVFN(3, 0)), 0);
	KUNIT_EXPECT_EQ(test, find(&d, 1, 0, PCI_DEVFN(3, 0)), 1);
	vtd_dmar_free(&d);
}

/* Malformed tables: each builds a bad table and names the expected reason. */
struct dmar_bad_case {
	const char *name;
	void (*build)(struct dmar_builder *b);
	const char *error;
	size_t offset;	/* of the structure at fault */
};

#define DRHD_OFF	sizeof(struct acpi_table_dmar)
#define SCOPE_OFF	(DRHD_OFF + sizeof(struct acpi_dmar_hardware_unit))

static void bad_short_table(struct dmar_builder *b)
{
	dmar_init(b, 47);
	dmar_table(b)->header.length = sizeof(struct acpi_table_header) + 1;
}

static void bad_zero_length(struct dmar_builder *b)
{
	dmar_init(b, 47);
	dmar_drhd(b, ACPI_DMAR_INCLUDE_ALL, 0, DMAR_TEST_BASE);
	b->last->length = 0;
}

static void bad_length_past_end(struct dmar_builder *b)
{
	dmar_init(b, 47);
	dmar_drhd(b, ACPI_DMAR_INCLUDE_ALL, 0, DMAR_TEST_BASE);
	b->last->length += 8;
}

static void bad_truncated_header(struct dmar_builder *b)
{
	dmar_init(b, 47);
	dmar_drhd(b, ACPI_DMAR_INCLUDE_ALL, 0, DMAR_TEST_BASE);
	dmar_append(b, 2);
}

static void bad_short_drhd(struct dmar_builder *b)
{
	dmar_init(b, 47);
	dmar_other(b, ACPI_DMAR_TYPE_HARDWARE_UNIT, 8);
}

static void bad_drhd_base(struct dmar_builder *b)
{
	dmar_init(b, 47);
	dmar_drhd(b, ACPI_DMAR_INCLUDE_ALL, 0, DMAR_TEST_BASE + 0x800);
}

static void bad_drhd_base_zero(struct dmar_builder *b)
{
	dmar_init(b, 47);
	dmar_drhd(b, ACPI_DMAR_INCLUDE_ALL, 0, 0);
}

static void bad_scope_too_short(struct dmar_builder *b)
{
	struct acpi_dmar_device_scope *s;

	dmar_init(b, 47);
	dmar_drhd(b, 0, 0, DMAR_TEST_BASE);
	s = dmar_scope1(b, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, 0, PCI_DEVFN(2, 0));
	s->length = 4;
}

static void bad_scope_past_owner(struct dmar_builder *b)
{
	struct acpi_dmar_device_scope *s;

	dmar_init(b, 47);
	dmar_drhd(b, 0, 0, DMAR_TEST_BASE);
	s = dmar_scope1(b, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, 0, PCI_DEVFN(2, 0));
	dmar_drhd(b, ACPI_DMAR_INCLUDE_ALL, 0, DMAR_TEST_BASE + SZ_4K);
	s->length += 2;	/* runs into the next DRHD */
}

static void bad_scope_odd_path(struct dmar_builder *b)
{
	struct acpi_dmar_device_scope *s;

	dmar_init(b, 47);
	dmar_drhd(b, 0, 0, DMAR_TEST_BASE);
	s = dmar_scope1(b, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, 0, PCI_DEVFN(2, 0));
	s->length--;
	b->last->length--;
	dmar_table(b)->header.length--;
}

static void bad_scope_no_path(struct dmar_builder *b)
{
	dmar_init(b, 47);
	dmar_drhd(b, 0, 0, DMAR_TEST_BASE);
	dmar_scope(b, ACPI_DMAR_SCOPE_TYPE_BRIDGE, 0, 0, NULL);
}

static void bad_truncated_scope(struct dmar_builder *b)
{
	dmar_init(b, 47);
	dmar_drhd(b, 0, 0, DMAR_TEST_BASE);
	dmar_append(b, 3);
	b->last->length += 3;
}

static void bad_short_rmrr(struct dmar_builder *b)
{
	dmar_init(b, 47);
	dmar_drhd(b, ACPI_DMAR_INCLUDE_ALL, 0, DMAR_TEST_BASE);
	dmar_other(b, ACPI_DMAR_TYPE_RESERVED_MEMORY, 12);
}

static void bad_rmrr_unaligned(struct dmar_builder *b)
{
	dmar_init(b, 47);
	dmar_rmrr(b, 0, 0xe0000, 0xeffff - 0x10);
}

static void bad_rmrr_inverted(struct dmar_builder *b)
{
	dmar_init(b, 47);
	dmar_rmrr(b, 0, 0x20000, 0x10fff);
}

static void bad_same_endpoint_twice(struct dmar_builder *b)
{
	dmar_init(b, 47);
	dmar_drhd(b, 0, 0, DMAR_TEST_BASE);
	dmar_scope1(b, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, 0, PCI_DEVFN(2, 0));
	dmar_drhd(b, 0, 0, DMAR_TEST_BASE + SZ_4K);
	dmar_scope1(b, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, 0, PCI_DEVFN(4, 0));
	dmar_scope1(b, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, 0, PCI_DEVFN(2, 0));
}

static void bad_two_include_all(struct dmar_builder *b)
{
	dmar_init(b, 47);
	dmar_drhd(b, ACPI_DMAR_INCLUDE_ALL, 0, DMAR_TEST_BASE);
	dmar_drhd(b, ACPI_DMAR_INCLUDE_ALL, 0, DMAR_TEST_BASE + SZ_4K);
}

#define DRHD_SZ		sizeof(struct acpi_dmar_hardware_unit)
#define SCOPE1_SZ	(sizeof(struct acpi_dmar_device_scope) + \
			 sizeof(struct acpi_dmar_pci_path))

static const struct dmar_bad_case dmar_bad_cases[] = {
	{ "short table", bad_short_table, "table shorter than its header", 0 },
	{ "zero length", bad_zero_length, "structure length out of bounds", DRHD_OFF },
	{ "length past end", bad_length_past_end, "structure length out of bounds", DRHD_OFF },
	{ "truncated header", bad_truncated_header, "truncated structure header",
	  DRHD_OFF + DRHD_SZ },
	{ "short DRHD", bad_short_drhd, "DRHD shorter than its fixed part", DRHD_OFF },
	{ "unaligned DRHD base", bad_drhd_base, "DRHD register base not 4K aligned",
	  DRHD_OFF },
	{ "zero DRHD base", bad_drhd_base_zero, "DRHD register base not 4K aligned",
	  DRHD_OFF },
	{ "scope too short", bad_scope_too_short, "device scope length out of bounds",
	  SCOPE_OFF },
	{ "scope past owner", bad_scope_past_owner, "device scope length out of bounds",
	  SCOPE_OFF },
	{ "scope odd path", bad_scope_odd_path, "device scope path of odd length",
	  SCOPE_OFF },
	{ "scope without path", bad_scope_no_path, "PCI device scope without a path",
	  SCOPE_OFF },
	{ "truncated scope", bad_truncated_scope, "truncated device scope", SCOPE_OFF },
	{ "short RMRR", bad_short_rmrr, "RMRR shorter than its fixed part",
	  DRHD_OFF + DRHD_SZ },
	{ "unaligned RMRR", bad_rmrr_unaligned, "RMRR range not 4K aligned or empty",
	  DRHD_OFF },
	{ "inverted RMRR", bad_rmrr_inverted, "RMRR range not 4K aligned or empty",
	  DRHD_OFF },
	{ "endpoint in two units", bad_same_endpoint_twice,
	  "device scope listed by two units",
	  DRHD_OFF + 2 * DRHD_SZ + 2 * SCOPE1_SZ },
	{ "two INCLUDE_PCI_ALL", bad_two_include_all,
	  "two INCLUDE_PCI_ALL units on one segment", 0 },
};

static void dmar_bad_desc(const struct dmar_bad_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dmar_bad, dmar_bad_cases, dmar_bad_desc);

static void dmar_test_malformed(struct kunit *test)
{
	const struct dmar_bad_case *c = test->param_value;
	struct dmar_builder b;
	struct vtd_dmar d;

	c->build(&b);
	KUNIT_EXPECT_EQ(test, vtd_dmar_parse(&d, dmar_table(&b)), -EINVAL);
	KUNIT_ASSERT_NOT_NULL(test, d.error);
	KUNIT_EXPECT_STREQ(test, d.error, c->error);
	KUNIT_EXPECT_EQ(test, d.error_offset, c->offset);
	/* Nothing stays allocated after a failure. */
	KUNIT_EXPECT_NULL(test, d.table);
	KUNIT_EXPECT_NULL(test, d.units);
	KUNIT_EXPECT_NULL(test, d.rmrrs);
}

/* --- Every truncation and random corruption of a valid table ------------ */

/*
 * A valid table with every structure and scope kind the parser reads and
 * some it skips. @ends[] receives the table length after each structure:
 * the only truncations that leave a valid table. @units[] and @rmrrs[]
 * count the DRHDs and RMRRs that precede each end.
 */
#define RICH_MAX_ENDS	16

struct dmar_rich {
	struct dmar_builder b;
	unsigned int nr_ends;
	u32 ends[RICH_MAX_ENDS];
	unsigned int units[RICH_MAX_ENDS];
	unsigned int rmrrs[RICH_MAX_ENDS];
};

static void rich_end(struct dmar_rich *r, unsigned int units,
		     unsigned int rmrrs)
{
	r->ends[r->nr_ends] = dmar_table(&r->b)->header.length;
	r->units[r->nr_ends] = units;
	r->rmrrs[r->nr_ends] = rmrrs;
	r->nr_ends++;
}

static void dmar_build_rich(struct dmar_rich *r)
{
	const u8 path[] = { PCI_DEVFN(0x1c, 0), PCI_DEVFN(0, 0),
			    PCI_DEVFN(1, 2) };
	struct dmar_builder *b = &r->b;

	r->nr_ends = 0;
	dmar_init(b, 47);
	rich_end(r, 0, 0);
	dmar_drhd(b, 0, 0, DMAR_TEST_BASE);
	dmar_scope1(b, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, 0, PCI_DEVFN(2, 0));
	dmar_scope1(b, ACPI_DMAR_SCOPE_TYPE_BRIDGE, 0, PCI_DEVFN(0x1d, 0));
	dmar_scope(b, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, 0, 3, path);
	dmar_scope1(b, ACPI_DMAR_SCOPE_TYPE_IOAPIC, 0, PCI_DEVFN(0x1f, 0));
	dmar_scope1(b, ACPI_DMAR_SCOPE_TYPE_HPET, 0, PCI_DEVFN(0x1f, 1));
	rich_end(r, 1, 0);
	dmar_drhd(b, ACPI_DMAR_INCLUDE_ALL, 0, DMAR_TEST_BASE + SZ_4K);
	rich_end(r, 2, 0);
	dmar_rmrr(b, 0, 0xe0000, 0xfffff);
	dmar_scope1(b, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, 0, PCI_DEVFN(0x14, 0));
	dmar_scope1(b, ACPI_DMAR_SCOPE_TYPE_BRIDGE, 0, PCI_DEVFN(0x1c, 0));
	rich_end(r, 2, 1);
	dmar_other(b, ACPI_DMAR_TYPE_ROOT_ATS, 8);
	rich_end(r, 2, 1);
	dmar_drhd(b, ACPI_DMAR_INCLUDE_ALL, 1, DMAR_TEST_BASE + 2 * SZ_4K);
	rich_end(r, 3, 1);
	dmar_other(b, ACPI_DMAR_TYPE_SATC, 16);
	rich_end(r, 3, 1);
	dmar_other(b, 0x42, 4);
	rich_end(r, 3, 1);
	dmar_rmrr(b, 1, 0x7c000000, 0x7fffffff);
	rich_end(r, 3, 2);
}

/* Offset of the table length in the ACPI header. */
#define DMAR_LEN_OFF	offsetof(struct acpi_table_header, length)
#define DMAR_LEN_END	(DMAR_LEN_OFF + sizeof(u32))

/*
 * A copy of @src of exactly @len bytes (so KASAN sees any read past the
 * table) with the header's length set to @len. The parser reads the length
 * from the table itself, so a buffer cannot be shorter than the bytes that
 * hold it: lengths below DMAR_LEN_END get that many bytes.
 */
static void *dmar_copy(struct kunit *test, const void *src, size_t src_len,
		       u32 len)
{
	size_t size = max_t(size_t, len, DMAR_LEN_END);
	u8 *buf = kzalloc(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, src, min_t(size_t, src_len, size));
	memcpy(buf + DMAR_LEN_OFF, &len, sizeof(len));
	return buf;
}

/* Does @p point into the parser's copy of a table of @len bytes? */
static bool in_table(const struct vtd_dmar *d, const void *p, u32 len)
{
	return (const u8 *)p >= (const u8 *)d->table &&
	       (const u8 *)p < (const u8 *)d->table + len;
}

/*
 * What any parse must give: 0 with no error and units and RMRRs that are
 * consistent (and whose scopes the matcher can walk), or -EINVAL with the
 * reason and an offset inside the table and nothing left allocated.
 * Returns true when the table parsed.
 */
static bool dmar_parse_sane(struct kunit *test, const void *table, u32 len,
			    const char *what, unsigned int n)
{
	static const u16 probe[][2] = {
		{ 0, PCI_DEVFN(2, 0) }, { 3, PCI_DEVFN(1, 2) },
		{ 5, PCI_DEVFN(0, 0) }, { 0, PCI_DEVFN(0x14, 0) },
	};
	struct vtd_dmar d;
	unsigned int i, s;
	int ret;

	ret = vtd_dmar_parse(&d, table);
	if (ret) {
		KUNIT_EXPECT_EQ_MSG(test, ret, -EINVAL, "%s %u", what, n);
		KUNIT_EXPECT_NOT_NULL_MSG(test, d.error, "%s %u", what, n);
		KUNIT_EXPECT_LT_MSG(test, d.error_offset, (size_t)max(len, 1U),
				    "%s %u: %s", what, n, d.error);
		KUNIT_EXPECT_NULL(test, d.table);
		KUNIT_EXPECT_NULL(test, d.units);
		KUNIT_EXPECT_NULL(test, d.rmrrs);
		return false;
	}

	KUNIT_EXPECT_NULL_MSG(test, d.error, "%s %u", what, n);
	KUNIT_EXPECT_LE_MSG(test, (d.nr_units + d.nr_rmrrs) * 4, len,
			    "%s %u", what, n);
	for (i = 0; i < d.nr_units; i++) {
		const struct vtd_dmar_unit *u = &d.units[i];

		KUNIT_EXPECT_TRUE_MSG(test, u->base && !(u->base & 0xfff),
				      "%s %u: unit %u base %#llx", what, n, i,
				      u->base);
		for (s = 0; s < u->nr_scopes; s++)
			KUNIT_EXPECT_TRUE_MSG(test,
					      in_table(&d, u->scopes[s], len),
					      "%s %u: unit %u scope %u", what,
					      n, i, s);
	}
	for (i = 0; i < d.nr_rmrrs; i++) {
		const struct vtd_dmar_rmrr *r = &d.rmrrs[i];

		KUNIT_EXPECT_TRUE_MSG(test, !(r->base & 0xfff) &&
				      !((r->last + 1) & 0xfff) &&
				      r->last >= r->base,
				      "%s %u: RMRR %u %#llx-%#llx", what, n,
				      i, r->base, r->last);
		for (s = 0; s < r->nr_scopes; s++) {
			KUNIT_EXPECT_TRUE_MSG(test,
					      in_table(&d, r->scopes[s], len),
					      "%s %u: RMRR %u scope %u", what,
					      n, i, s);
			vtd_dmar_scope_matches(r->scopes[s], r->segment, 0,
					       PCI_DEVFN(0x14, 0), &test_topo);
		}
	}
	/* The matcher follows every scope's path; KASAN checks the reads. */
	for (i = 0; i < ARRAY_SIZE(probe); i++) {
		ret = find(&d, 0, probe[i][0], probe[i][1]);
		KUNIT_EXPECT_TRUE_MSG(test, ret == -ENODEV ||
				      (ret >= 0 && ret < d.nr_units),
				      "%s %u: find gave %d", what, n, ret);
	}
	vtd_dmar_free(&d);
	return true;
}

/*
 * Every truncation of a valid table, as a table of that length: exactly
 * those that end between two structures parse, with the structures before
 * the cut; every other one is refused.
 */
static void dmar_test_every_truncation(struct kunit *test)
{
	struct dmar_rich *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned int e, parsed = 0;
	struct vtd_dmar d;
	u32 full, len;
	void *buf;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, r);
	dmar_build_rich(r);
	full = dmar_table(&r->b)->header.length;
	KUNIT_ASSERT_EQ(test, r->ends[r->nr_ends - 1], full);

	for (len = 0; len <= full; len++) {
		buf = dmar_copy(test, r->b.buf, full, len);
		for (e = 0; e < r->nr_ends && r->ends[e] != len; e++)
			;
		if (e == r->nr_ends) {
			KUNIT_EXPECT_EQ_MSG(test, vtd_dmar_parse(&d, buf),
					    -EINVAL, "length %u", len);
			KUNIT_EXPECT_NOT_NULL_MSG(test, d.error, "length %u",
						  len);
			KUNIT_EXPECT_NULL(test, d.table);
		} else {
			ret = vtd_dmar_parse(&d, buf);
			KUNIT_EXPECT_EQ_MSG(test, ret, 0,
					    "length %u: %s at %zu", len,
					    d.error, d.error_offset);
			KUNIT_EXPECT_EQ_MSG(test, d.nr_units, r->units[e],
					    "length %u", len);
			KUNIT_EXPECT_EQ_MSG(test, d.nr_rmrrs, r->rmrrs[e],
					    "length %u", len);
			vtd_dmar_free(&d);
			parsed += !ret;
		}
		/* The generic checks, KASAN watching the reads. */
		dmar_parse_sane(test, buf, len, "length", len);
		kfree(buf);
	}
	KUNIT_EXPECT_EQ(test, parsed, r->nr_ends);

	/* The full table as the matcher sees it (the parser keeps a copy). */
	buf = dmar_copy(test, r->b.buf, full, full);
	ret = vtd_dmar_parse(&d, buf);
	kfree(buf);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%s at %zu", d.error,
			    d.error_offset);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 0, PCI_DEVFN(2, 0)), 0);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 5, PCI_DEVFN(0, 0)), 0);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 3, PCI_DEVFN(1, 2)), 0);
	KUNIT_EXPECT_EQ(test, find(&d, 0, 3, PCI_DEVFN(1, 3)), 1);
	KUNIT_EXPECT_EQ(test, find(&d, 1, 0, PCI_DEVFN(2, 0)), 2);
	vtd_dmar_free(&d);
}

static unsigned long dmar_fuzz_seed = 0x646d61722d667a;
module_param(dmar_fuzz_seed, ulong, 0444);
MODULE_PARM_DESC(dmar_fuzz_seed, "seed of the DMAR bit-flip runs");

#define FLIP_CASES	1024
#define FLIP_MAX_BITS	16
/* A length flipped above this is no table anyone hands the parser. */
#define FLIP_MAX_LEN	SZ_4K

/*
 * Random bit flips of a valid table: @max_bits 1 flips one bit per case,
 * otherwise 2 to @max_bits. Each case n is reproducible from the seed and
 * n alone. A flip of the header's length makes a table of that length
 * (padded with zeroes, so KASAN sees reads past it).
 */
static void dmar_flips(struct kunit *test, unsigned int max_bits)
{
	struct dmar_rich *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned int n, i, bits, parsed = 0, skipped = 0;
	struct rnd_state rnd;
	u8 *flipped;
	u32 full, len;
	void *buf;

	KUNIT_ASSERT_NOT_NULL(test, r);
	dmar_build_rich(r);
	full = dmar_table(&r->b)->header.length;
	flipped = kunit_kzalloc(test, full, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, flipped);
	kunit_info(test, "seed %#lx (module parameter dmar_fuzz_seed), %u cases\n",
		   dmar_fuzz_seed, FLIP_CASES);

	for (n = 0; n < FLIP_CASES; n++) {
		prandom_seed_state(&rnd, dmar_fuzz_seed + n * 2 + max_bits);
		memcpy(flipped, r->b.buf, full);
		bits = max_bits == 1 ? 1 :
		       2 + prandom_u32_state(&rnd) % (max_bits - 1);
		for (i = 0; i < bits; i++) {
			u32 bit = prandom_u32_state(&rnd) % (full * 8);

			flipped[bit / 8] ^= BIT(bit % 8);
		}
		memcpy(&len, flipped + DMAR_LEN_OFF, sizeof(len));
		if (len > FLIP_MAX_LEN) {
			skipped++;
			continue;
		}
		buf = dmar_copy(test, flipped, full, len);
		parsed += dmar_parse_sane(test, buf, len, "case", n);
		kfree(buf);
	}
	kunit_info(test, "%u parsed, %u refused, %u skipped (length over %u)\n",
		   parsed, FLIP_CASES - parsed - skipped, skipped,
		   FLIP_MAX_LEN);
	/* Both outcomes must be common, or the run tests little. */
	KUNIT_EXPECT_GT(test, parsed, FLIP_CASES / 16);
	KUNIT_EXPECT_GT(test, FLIP_CASES - parsed - skipped, FLIP_CASES / 16);
}

static void dmar_test_single_bit_flips(struct kunit *test)
{
	dmar_flips(test, 1);
}

static void dmar_test_multi_bit_flips(struct kunit *test)
{
	dmar_flips(test, FLIP_MAX_BITS);
}

static struct kunit_case dmar_test_cases[] = {
	KUNIT_CASE(dmar_test_include_all),
	KUNIT_CASE(dmar_test_reg_size),
	KUNIT_CASE(dmar_test_explicit_scope_wins),
	KUNIT_CASE(dmar_test_bridge_scope),
	KUNIT_CASE(dmar_test_multi_level_path),
	KUNIT_CASE(dmar_test_non_pci_scopes),
	KUNIT_CASE(dmar_test_rmrr),
	KUNIT_CASE(dmar_test_skips_other_types),
	KUNIT_CASE(dmar_test_copies_table),
	KUNIT_CASE(dmar_test_include_all_per_segment),
	KUNIT_CASE_PARAM(dmar_test_malformed, dmar_bad_gen_params),
	KUNIT_CASE(dmar_test_every_truncation),
	KUNIT_CASE(dmar_test_single_bit_flips),
	KUNIT_CASE(dmar_test_multi_bit_flips),
	{}
};

static struct kunit_suite dmar_test_suite = {
	.name = "intel_vtd_dmar",
	.test_cases = dmar_test_cases,
};

kunit_test_suite(dmar_test_suite);

MODULE_DESCRIPTION("KUnit tests for the VT-d DMAR table parser");
MODULE_LICENSE("GPL");
