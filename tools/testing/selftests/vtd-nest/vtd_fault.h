/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vtd-nest selftests: "did the IOMMU record a DMA fault?"
 *
 * The DMA tests decide pass or fail on the bytes in memory. This file only
 * answers the extra question whether the IOMMU driver saw the fault, and
 * keeps all knowledge of where a driver reports faults in one place, so a
 * driver with another reporting path only needs another source here.
 *
 * Sources:
 *   intel_iommu  (the in-kernel driver): /dev/kmsg lines from
 *                drivers/iommu/intel/dmar.c,
 *                "DMAR: [DMA Read NO_PASID] Request device [0000:00:03.0]
 *                 fault addr 0x100000 [fault reason 0x..] ..." (or
 *                "[DMA Write PASID 0x0]" when the unit reports PASID 0,
 *                as QEMU does for first-stage faults);
 *                that driver rate-limits them (10 per 5 s, about three per
 *                fault), so the count of its fault interrupt
 *                ("dmarN" in /proc/interrupts) also counts as evidence.
 *   intel_vtd    (ours): its fault log,
 *                /sys/kernel/debug/intel-vtd/<unit>/faults, one line per
 *                fault, "<CLOCK_MONOTONIC ns> 0000:00:0a.0 pasid 0x0 -W
 *                addr 0x101000 reason 0x71 <name>" ("R-" for a read);
 *                the last 32 are kept, none is rate-limited.
 *   (none)       any other driver: vtd_fault_check() returns
 *                VTD_FAULT_NO_SOURCE and the tests log that the fault log
 *                was not checked.
 */
#ifndef __SELFTEST_VTD_FAULT_H
#define __SELFTEST_VTD_FAULT_H

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edu.h"

enum vtd_fault_result {
	VTD_FAULT_NO_SOURCE = -1,	/* cannot tell for this IOMMU driver */
	VTD_FAULT_NOT_SEEN = 0,
	VTD_FAULT_SEEN = 1,
};

/*
 * Scalable-mode fault reasons the tests expect (VT-d spec 3.x, 7.1.3 table
 * "Scalable-Mode Non-Recoverable Faults"; also in the driver's
 * vtd-fault.h).
 */
#define VTD_FR_FL_NOT_PRESENT	0x71	/* first-level entry not present */
#define VTD_FR_WRITE_RO		0x85	/* write to a read-only page */

enum vtd_fault_source {
	VTD_FAULT_SRC_NONE,
	VTD_FAULT_SRC_INTEL_IOMMU,
	VTD_FAULT_SRC_INTEL_VTD,
};

struct vtd_fault_log {
	enum vtd_fault_source source;
	int kmsg_fd;
	char bdf[32];
	char unit[64];
	uint64_t irqs_before;
	uint64_t since_ns;	/* intel_vtd: CLOCK_MONOTONIC at begin */
	int want_reason;	/* intel_vtd: the fault reason, -1 any */
	char want_access;	/* 'R' a read, 'W' a write, 0 either */
	bool want_exact;	/* the address is the page asked for */
	char evidence[256];	/* what was found, for the test log */
};

/* Sum of the per-CPU counts of the interrupt named name, or 0. */
static inline uint64_t vtd_irq_count(const char *name)
{
	char line[4096], *tok, *save, *last;
	uint64_t total = 0, sum;
	FILE *f;

	if (!name[0])
		return 0;
	f = fopen("/proc/interrupts", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		sum = 0;
		last = NULL;
		tok = strtok_r(line, " \t", &save);	/* "NN:" */
		if (!tok)
			continue;
		while ((tok = strtok_r(NULL, " \t", &save))) {
			if (!last && tok[0] >= '0' && tok[0] <= '9') {
				sum += strtoull(tok, NULL, 10);
				continue;
			}
			last = tok;
		}
		if (last && !strcmp(last, name))
			total += sum;
	}
	fclose(f);
	return total;
}

/*
 * Start watching for faults of edu. Call before the DMA that should fault.
 */
static inline void vtd_fault_log_begin(struct vtd_fault_log *log,
				       const struct edu *edu)
{
	char path[PATH_MAX];

	memset(log, 0, sizeof(*log));
	log->kmsg_fd = -1;
	log->want_reason = -1;
	str_copy(log->bdf, sizeof(log->bdf), edu->bdf);
	str_copy(log->unit, sizeof(log->unit), edu->unit);

	/* Ours keeps a fault log in debugfs. */
	snprintf(path, sizeof(path), "/sys/kernel/debug/intel-vtd/%s/faults",
		 edu->unit);
	if (edu->unit[0] && !access(path, R_OK)) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		log->since_ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
		log->source = VTD_FAULT_SRC_INTEL_VTD;
		return;
	}

	/* The in-kernel driver exposes its registers in sysfs. */
	snprintf(path, sizeof(path), "/sys/class/iommu/%s/intel-iommu/cap",
		 edu->unit);
	if (!edu->unit[0] || access(path, F_OK) ||
	    !access("/sys/module/intel_vtd", F_OK))
		return;

	log->kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (log->kmsg_fd < 0)
		return;
	lseek(log->kmsg_fd, 0, SEEK_END);
	log->irqs_before = vtd_irq_count(log->unit);
	log->source = VTD_FAULT_SRC_INTEL_IOMMU;
}

/*
 * Does a recorded fault at (page) address addr with access 'R' or 'W'
 * match what the log waits for: the page of iova itself when want_exact,
 * else any page overlapping [iova, iova + len)?
 */
static inline bool vtd_fault_matches(const struct vtd_fault_log *log,
				     uint64_t addr, char access,
				     uint64_t iova, uint64_t len)
{
	if (log->want_access && access != log->want_access)
		return false;
	if (log->want_exact)
		return addr == (iova & ~(uint64_t)(SZ_4K - 1));
	/* The hardware records the page address. */
	return addr + SZ_4K > iova && addr < iova + len;
}

/* Does one kmsg record report a matching fault of the device? */
static inline bool vtd_kmsg_matches(const struct vtd_fault_log *log,
				    const char *rec, uint64_t iova,
				    uint64_t len)
{
	char dev[64], access;
	const char *p;
	uint64_t addr;

	if (strstr(rec, "DMAR: [DMA Read "))
		access = 'R';
	else if (strstr(rec, "DMAR: [DMA Write "))
		access = 'W';
	else
		return false;
	snprintf(dev, sizeof(dev), "Request device [%s]", log->bdf);
	if (!strstr(rec, dev))
		return false;
	p = strstr(rec, "fault addr 0x");
	if (!p)
		return false;
	addr = strtoull(p + strlen("fault addr 0x"), NULL, 16);
	return vtd_fault_matches(log, addr, access, iova, len);
}

/*
 * intel_vtd: a line of its fault log newer than log->since_ns, of the
 * device, at a page in [iova, iova + len)? Copies the line to evidence.
 */
static inline bool vtd_faults_file_has(struct vtd_fault_log *log,
				       uint64_t iova, uint64_t len)
{
	char path[PATH_MAX], line[512], dev[64];
	unsigned long long when, addr;
	bool found = false;
	const char *r;
	int reason;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/intel-vtd/%s/faults",
		 log->unit);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, " addr 0x");
		char access;

		if (sscanf(line, "%llu %63s", &when, dev) != 2 || !p ||
		    when < log->since_ns || strcmp(dev, log->bdf))
			continue;
		addr = strtoull(p + strlen(" addr 0x"), NULL, 16);
		r = strstr(line, " reason 0x");
		reason = r ? (int)strtol(r + strlen(" reason 0x"), NULL, 16) : -1;
		if (log->want_reason >= 0 && reason != log->want_reason)
			continue;
		/* " R- addr", " -W addr": the access is before " addr". */
		if (p - line < 3)
			continue;
		if (!strncmp(p - 3, " R-", 3))
			access = 'R';
		else if (!strncmp(p - 3, " -W", 3))
			access = 'W';
		else
			access = '?';
		if (vtd_fault_matches(log, addr, access, iova, len)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(log->evidence, sizeof(log->evidence),
				 "intel-vtd fault log: %.200s", line);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/*
 * Did the IOMMU record a fault of the device at an address in
 * [iova, iova + len) since vtd_fault_log_begin()? Waits up to timeout_ms
 * for the report to arrive. Describes what it found in log->evidence.
 */
static inline int vtd_fault_check(struct vtd_fault_log *log, uint64_t iova,
				  uint64_t len, unsigned int timeout_ms)
{
	uint64_t end = vtd_now_ms() + timeout_ms, irqs;
	char rec[2048];
	ssize_t n;

	if (log->source == VTD_FAULT_SRC_NONE) {
		snprintf(log->evidence, sizeof(log->evidence),
			 "no fault-log source for IOMMU unit '%s'", log->unit);
		return VTD_FAULT_NO_SOURCE;
	}

	if (log->source == VTD_FAULT_SRC_INTEL_VTD) {
		/* The driver polls the fault registers every 20 ms. */
		for (;;) {
			if (vtd_faults_file_has(log, iova, len))
				return VTD_FAULT_SEEN;
			if (vtd_now_ms() > end)
				break;
			usleep(20000);
		}
		snprintf(log->evidence, sizeof(log->evidence),
			 "no %s fault of %s at %s0x%llx with reason %d (-1: any) in the intel-vtd fault log",
			 log->want_access == 'R' ? "read" :
			 log->want_access == 'W' ? "write" : "DMA",
			 log->bdf, log->want_exact ? "exactly " : "",
			 (unsigned long long)iova, log->want_reason);
		return VTD_FAULT_NOT_SEEN;
	}

	for (;;) {
		n = read(log->kmsg_fd, rec, sizeof(rec) - 1);
		if (n > 0) {
			rec[n] = 0;
			if (vtd_kmsg_matches(log, rec, iova, len)) {
				rec[strcspn(rec, "\n")] = 0;
				snprintf(log->evidence, sizeof(log->evidence),
					 "kmsg: %.200s", strchr(rec, ';') ?
					 strchr(rec, ';') + 1 : rec);
				return VTD_FAULT_SEEN;
			}
			continue;
		}
		if (n < 0 && errno == EPIPE)	/* overwritten records */
			continue;
		if (vtd_now_ms() > end)
			break;
		usleep(20000);
	}

	irqs = vtd_irq_count(log->unit);
	if (irqs > log->irqs_before) {
		snprintf(log->evidence, sizeof(log->evidence),
			 "no kmsg line (rate-limited?) but %llu fault interrupt(s) of %s; address and access not checked",
			 (unsigned long long)(irqs - log->irqs_before),
			 log->unit);
		return VTD_FAULT_SEEN;
	}
	snprintf(log->evidence, sizeof(log->evidence),
		 "no fault of %s at 0x%llx in kmsg, no %s interrupt",
		 log->bdf, (unsigned long long)iova, log->unit);
	return VTD_FAULT_NOT_SEEN;
}

static inline void vtd_fault_log_end(struct vtd_fault_log *log)
{
	if (log->kmsg_fd >= 0)
		close(log->kmsg_fd);
	log->kmsg_fd = -1;
}

/*
 * How long a test waits for a fault report: intel-vtd polls every 20 ms,
 * but a vCPU of a TCG guest on a busy host can stall for much longer.
 * Only a fault that never comes costs the whole wait.
 */
#define VTD_FAULT_WAIT_MS	3000

/*
 * In a test: the fault must have been recorded when the source can tell;
 * otherwise say so in the log.
 */
#define EXPECT_FAULT_LOGGED(log, iova, len)				\
	({								\
		struct vtd_fault_log *__log = (log);			\
		int __r = vtd_fault_check(__log, iova, len, VTD_FAULT_WAIT_MS);	\
		if (__r == VTD_FAULT_NO_SOURCE) {			\
			TH_LOG("fault log not checked: %s",		\
			       __log->evidence);			\
		} else {						\
			EXPECT_EQ(VTD_FAULT_SEEN, __r) {		\
				TH_LOG("%s", __log->evidence);		\
			}						\
		}							\
		vtd_fault_log_end(__log);				\
	})

/*
 * In a test: the fault must have been recorded at exactly the page of iova,
 * as access 'R' (a DMA read) or 'W' (a DMA write), with the given reason
 * (-1: any) when the source can tell.
 */
#define EXPECT_FAULT_EXACT(log, iova, access, reason)			\
	({								\
		struct vtd_fault_log *__xlog = (log);			\
		__xlog->want_access = (access);				\
		__xlog->want_exact = true;				\
		__xlog->want_reason = (reason);				\
		EXPECT_FAULT_LOGGED(__xlog, iova, SZ_4K);		\
	})

#endif /* __SELFTEST_VTD_FAULT_H */
