/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The software nesting engine: a guest's first-level (stage-1) table,
 * GIOVA -> GPA, composed with a parent (stage-2) table, GPA -> HPA, into a
 * shadow first-level table, GIOVA -> HPA, that a unit without nested
 * translation (no ECAP.NEST) can walk.
 *
 * No hardware access here: the engine edits the shadow table and
 * gathers what changed; the caller invalidates, then releases the
 * gathered table pages. See Documentation/vtd-nest/nesting.rst.
 */
#ifndef __VTD_SHADOW_H
#define __VTD_SHADOW_H

#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/types.h>

#include "vtd-pgtable.h"

/**
 * enum vtd_shadow_refusal - why a guest entry is not in the shadow
 * @VTD_SHADOW_RSVD: a reserved bit is set (address bits beyond the
 *	guest-physical width, bits a large leaf leaves below its address)
 * @VTD_SHADOW_US: U/S is clear: the device makes no supervisor requests
 * @VTD_SHADOW_PS: PS where the level forbids it (PML5E, PML4E; PDPE
 *	without 1G pages)
 * @VTD_SHADOW_TABLE_UNMAPPED: a table at a GPA the parent does not map
 * @VTD_SHADOW_TABLE_NOT_RAM: a table at a GPA the parent maps to MMIO
 * @VTD_SHADOW_LEAF_UNMAPPED: (part of) a leaf at a GPA the parent does
 *	not map
 * @VTD_SHADOW_NR_REFUSALS: the number of reasons
 */
enum vtd_shadow_refusal {
	VTD_SHADOW_RSVD,
	VTD_SHADOW_US,
	VTD_SHADOW_PS,
	VTD_SHADOW_TABLE_UNMAPPED,
	VTD_SHADOW_TABLE_NOT_RAM,
	VTD_SHADOW_LEAF_UNMAPPED,
	VTD_SHADOW_NR_REFUSALS,
};

/**
 * struct vtd_shadow_stats - what one or all syncs did
 * @syncs: syncs run
 * @failed: syncs that failed (their range was left empty)
 * @walked: guest table pages read
 * @written: shadow leaves written
 * @removed: shadow leaves removed
 * @refused: guest entries left out, by reason
 * @ns: time spent syncing
 */
struct vtd_shadow_stats {
	u64 syncs;
	u64 failed;
	u64 walked;
	u64 written;
	u64 removed;
	u64 refused[VTD_SHADOW_NR_REFUSALS];
	u64 ns;
};

struct vtd_shadow_rec;

/**
 * struct vtd_shadow - a guest stage-1 table and its shadow
 * @shadow: the shadow table, GIOVA -> HPA (first-level format); owned by
 *	the caller, edited only here
 * @parent: the stage-2 table, GPA -> HPA; read only
 * @s1_root: GPA of the guest's top-level table
 * @s1_levels: levels of the guest's table: 4 (48-bit) or 5 (57-bit)
 * @gpa_bits: guest-physical address width: an address bit at or above it
 *	in a guest entry is reserved
 * @s1_1g: the guest may use 1G leaves (PS in a PDPE)
 * @max_records: at most this many records (see shadow.c)
 * @max_walk: a sync reads at most this many guest table pages
 * @nr_records: records held
 * @by_giova: the records, by GIOVA range
 * @by_gpa: the records, by GPA range
 * @stale: records a parent change made stale, to resync
 * @walk_cache: the table record the last walk used at each level
 * @stats: totals over the shadow's life
 * @last: what the last sync did
 */
struct vtd_shadow {
	struct vtd_pt *shadow;
	struct vtd_pt *parent;
	u64 s1_root;
	unsigned int s1_levels;
	unsigned int gpa_bits;
	bool s1_1g;
	unsigned long max_records;
	unsigned long max_walk;
	unsigned long nr_records;
	struct rb_root_cached by_giova;
	struct rb_root_cached by_gpa;
	struct list_head stale;
	struct vtd_shadow_rec *walk_cache[VTD_PT_MAX_LEVELS];
	struct vtd_shadow_stats stats;
	struct vtd_shadow_stats last;
};

/**
 * struct vtd_shadow_cfg - how to set up a shadow
 * @s1_root: GPA of the guest's top-level table, 4K aligned
 * @s1_levels: 4 or 5
 * @s1_1g: allow guest 1G leaves
 * @max_records: cap on records; the shadow table's own cap is its
 *	cfg.max_tables
 * @max_walk: cap on guest table pages one sync reads
 */
struct vtd_shadow_cfg {
	u64 s1_root;
	unsigned int s1_levels;
	bool s1_1g;
	unsigned long max_records;
	unsigned long max_walk;
};

int vtd_shadow_init(struct vtd_shadow *sh, struct vtd_pt *shadow,
		    struct vtd_pt *parent, const struct vtd_shadow_cfg *cfg);
void vtd_shadow_destroy(struct vtd_shadow *sh);
int vtd_shadow_sync(struct vtd_shadow *sh, u64 first, u64 last,
		    struct vtd_pt_gather *gather);
int vtd_shadow_sync_all(struct vtd_shadow *sh, struct vtd_pt_gather *gather);
void vtd_shadow_clear(struct vtd_shadow *sh, struct vtd_pt_gather *gather);
bool vtd_shadow_parent_changed(struct vtd_shadow *sh, u64 gpa_first,
			       u64 gpa_last, struct vtd_pt_gather *gather);
bool vtd_shadow_uses_gpa(struct vtd_shadow *sh, u64 gpa_first, u64 gpa_last);

/**
 * struct vtd_shadow_xlate - one GIOVA through the guest's table
 * @levels: guest entries read, top first
 * @entries: their values
 * @gpa: the leaf's output for the GIOVA
 * @leaf_size: the leaf's size
 * @writable: R/W set at every level
 * @refusal: why the walk stopped short of a leaf, or
 *	%VTD_SHADOW_NR_REFUSALS when it reached one (or an entry with P
 *	clear: then @levels entries were read and no refusal applies)
 * @present: a valid leaf was reached
 */
struct vtd_shadow_xlate {
	unsigned int levels;
	u64 entries[VTD_PT_MAX_LEVELS];
	u64 gpa;
	u64 leaf_size;
	bool writable;
	enum vtd_shadow_refusal refusal;
	bool present;
};

int vtd_shadow_translate(struct vtd_shadow *sh, u64 giova,
			 struct vtd_shadow_xlate *out);
const char *vtd_shadow_refusal_name(enum vtd_shadow_refusal r);

#endif /* __VTD_SHADOW_H */
