// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtd_bench: the user-space half of `make bench`'s comparison of an IOMMU
 * driver with another (scripts/guest-compare.sh runs it once in a boot
 * of each). Not a test: it prints samples and asserts nothing about time.
 * It only uses the kernel's uAPI, so it runs unchanged on intel-vtd and on
 * the in-kernel intel_iommu.
 *
 *   vtd_bench iommufd REPS
 *	edu (the first one) on vfio-pci, bound to /dev/iommu through its
 *	VFIO cdev and attached to an IOAS; REPS times each:
 *	IOMMU_IOAS_MAP and IOMMU_IOAS_UNMAP of 1 GiB of anonymous memory in
 *	4 KiB pages (THP off for it), then of 1 GiB of 2 MiB hugetlb pages
 *	(skipped without 512 free ones), then 4096 IOMMU_IOAS_MAP calls of
 *	4 KiB each and 4096 IOMMU_IOAS_UNMAP calls of them.
 *
 *   vtd_bench storm N
 *	Every edu on vfio-pci, attached to one empty IOAS, then N DMA
 *	writes to an IOVA nothing maps, spread over the devices and
 *	started one every STORM_GAP_MS (the unit records one fault at a
 *	time; edu needs 100 ms per transfer). Measuring what the faults
 *	cost is the caller's job (it traces the driver meanwhile).
 *
 * Output, on stdout: "sample ROW UNIT VALUE" per measurement (UNIT is us
 * or ms), "note TEXT" for what the reader should know. Exit status 0, or
 * 1 when a step failed (then with a "note" saying which).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "edu.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB		(21 << 26)
#endif

#define SZ_1G			0x40000000ULL
#define BENCH_IOVA		0x40000000ULL	/* 1 GiB-aligned */
#define SMALL_MAPS		4096
#define HUGE_SYSFS		"/sys/kernel/mm/hugepages/hugepages-2048kB/"

#define STORM_IOVA		0xdead000ULL	/* nothing maps it */
#define STORM_GAP_MS		26
#define EDU_DMA_MS		100		/* edu's transfer time */
#define STORM_MAX_EDUS		8

static int put_note(const char *fmt, ...)
{
	va_list ap;

	printf("note ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return 1;
}

static void put_sample(const char *row, const char *unit, double value)
{
	printf("sample %s %s %.3f\n", row, unit, value);
	fflush(stdout);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Fault every page in now, so a map measures pinning, not page faults. */
static int populate(void *buf, size_t len, size_t page)
{
	size_t off;

	if (!madvise(buf, len, MADV_POPULATE_WRITE))
		return 0;
	for (off = 0; off < len; off += page)
		((uint8_t *)buf)[off] = 1;
	return 0;
}

/* ---- iommufd ---- */

struct bench_ioas {
	struct vtd_dev dev;
	__u32 ioas_id;
};

static int ioas_map(struct bench_ioas *b, void *buf, __u64 len, __u64 iova)
{
	return _test_cmd_ioas_map(b->dev.iommufd, b->ioas_id, buf, len, &iova,
				  MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA);
}

static int ioas_unmap(struct bench_ioas *b, __u64 len, __u64 iova)
{
	__u64 done = 0;

	if (_test_cmd_ioas_unmap(b->dev.iommufd, b->ioas_id, iova, len, &done))
		return -1;
	return done == len ? 0 : -1;
}

/* One map and one unmap of the whole buffer; ms each. */
static int bench_big(struct bench_ioas *b, const char *what, void *buf,
		     int reps)
{
	char row[64];
	uint64_t t0, t1, t2;
	int i;

	for (i = 0; i < reps; i++) {
		t0 = now_ns();
		if (ioas_map(b, buf, SZ_1G, BENCH_IOVA))
			return put_note("IOMMU_IOAS_MAP of 1 GiB (%s): %s", what,
					strerror(errno));
		t1 = now_ns();
		if (ioas_unmap(b, SZ_1G, BENCH_IOVA))
			return put_note("IOMMU_IOAS_UNMAP of 1 GiB (%s): %s", what,
					strerror(errno));
		t2 = now_ns();
		snprintf(row, sizeof(row), "iommufd.map_1g_%s", what);
		put_sample(row, "ms", (t1 - t0) / 1e6);
		snprintf(row, sizeof(row), "iommufd.unmap_1g_%s", what);
		put_sample(row, "ms", (t2 - t1) / 1e6);
	}
	return 0;
}

/* SMALL_MAPS calls of 4 KiB each, then as many unmaps; us per call. */
static int bench_small(struct bench_ioas *b, uint8_t *buf, int reps)
{
	uint64_t t0, t1, t2;
	int i, n;

	for (i = 0; i < reps; i++) {
		t0 = now_ns();
		for (n = 0; n < SMALL_MAPS; n++)
			if (ioas_map(b, buf + n * SZ_4K, SZ_4K,
				     BENCH_IOVA + n * SZ_4K))
				return put_note("IOMMU_IOAS_MAP of 4 KiB #%d: %s",
						n, strerror(errno));
		t1 = now_ns();
		for (n = 0; n < SMALL_MAPS; n++)
			if (ioas_unmap(b, SZ_4K, BENCH_IOVA + n * SZ_4K))
				return put_note("IOMMU_IOAS_UNMAP of 4 KiB #%d: %s",
						n, strerror(errno));
		t2 = now_ns();
		put_sample("iommufd.map_4k_x4096", "us",
			   (t1 - t0) / 1e3 / SMALL_MAPS);
		put_sample("iommufd.unmap_4k_x4096", "us",
			   (t2 - t1) / 1e3 / SMALL_MAPS);
	}
	return 0;
}

static int bench_iommufd(int reps)
{
	struct vtd_why why = {};
	struct bench_ioas b;
	uint64_t free_huge = 0;
	uint8_t *buf;
	int ret;

	if (vtd_dev_open(&b.dev, edu_primary_bdf(), true, &why) != VTD_SETUP_OK)
		return put_note("edu set-up: %s", why.msg);
	if (_test_cmd_ioas_alloc(b.dev.iommufd, 0, &b.ioas_id) ||
	    _test_cmd_attach(b.dev.devfd, 0, b.ioas_id, NULL))
		return put_note("IOAS alloc/attach: %s", strerror(errno));

	buf = mmap(NULL, SZ_1G, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return put_note("mmap 1 GiB: %s", strerror(errno));
	/* Otherwise THP may back it with 2 MiB pages. */
	if (madvise(buf, SZ_1G, MADV_NOHUGEPAGE))
		return put_note("MADV_NOHUGEPAGE: %s", strerror(errno));
	populate(buf, SZ_1G, SZ_4K);
	ret = bench_big(&b, "4k", buf, reps) ||
	      bench_small(&b, buf, reps);
	munmap(buf, SZ_1G);
	if (ret)
		return ret;

	sysfs_read_u64(HUGE_SYSFS "free_hugepages", &free_huge);
	buf = mmap(NULL, SZ_1G, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB,
		   -1, 0);
	if (free_huge < SZ_1G / SZ_2M || buf == MAP_FAILED) {
		put_note("1 GiB of 2 MiB hugetlb pages unavailable (%llu free): rows skipped",
			 (unsigned long long)free_huge);
	} else {
		populate(buf, SZ_1G, SZ_2M);
		ret = bench_big(&b, "2m", buf, reps);
		munmap(buf, SZ_1G);
	}
	vtd_dev_close(&b.dev);
	return ret;
}

/* ---- fault storm ---- */

/* Start a device -> RAM transfer without waiting for it. */
static int edu_dma_start(struct edu *edu, uint64_t iova, uint32_t len)
{
	if (edu_wait_idle(edu, EDU_DMA_TIMEOUT_MS))
		return -ETIMEDOUT;
	edu_write64(edu, EDU_REG_DMA_SRC, EDU_BUF_ADDR);
	edu_write64(edu, EDU_REG_DMA_DST, iova);
	edu_write64(edu, EDU_REG_DMA_CNT, len);
	__sync_synchronize();
	edu_write32(edu, EDU_REG_DMA_CMD, EDU_DMA_START | EDU_DMA_TO_RAM);
	return 0;
}

/* Every edu, on vfio-pci and bound to iommufd; returns how many. */
static int storm_open(int iommufd, struct edu *edus, struct vtd_why *why)
{
	char path[PATH_MAX + 64];
	uint64_t vendor, device;
	struct dirent *de;
	int n = 0;
	DIR *dir;

	dir = opendir(PCI_DEVICES);
	if (!dir)
		return 0;
	while ((de = readdir(dir)) && n < STORM_MAX_EDUS) {
		struct edu *e = &edus[n];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/vendor", de->d_name);
		if (sysfs_read_u64(path, &vendor) || vendor != EDU_VENDOR)
			continue;
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/device", de->d_name);
		if (sysfs_read_u64(path, &device) || device != EDU_DEVICE)
			continue;
		memset(e, 0, sizeof(*e));
		e->devfd = -1;
		str_copy(e->bdf, sizeof(e->bdf), de->d_name);
		snprintf(e->sysfs, sizeof(e->sysfs), PCI_DEVICES "/%s",
			 de->d_name);
		if (edu_bind_vfio_pci(e, why) || edu_open_cdev(e, why))
			break;
		if (_test_cmd_bind(e->devfd, iommufd, 0, NULL)) {
			vtd_why(why, VTD_SETUP_FAIL, "bind %s: %s", e->bdf,
				strerror(errno));
			break;
		}
		if (edu_enable(e, why))
			break;
		n++;
	}
	closedir(dir);
	return n;
}

static int bench_storm(int count)
{
	struct edu edus[STORM_MAX_EDUS];
	struct vtd_why why = {};
	struct timespec due;
	uint64_t t0, gap_ns;
	__u32 ioas_id;
	int iommufd, n, i;

	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd < 0)
		return put_note("open /dev/iommu: %s", strerror(errno));
	n = storm_open(iommufd, edus, &why);
	if (!n)
		return put_note("no edu for the storm: %s", why.msg);
	if (_test_cmd_ioas_alloc(iommufd, 0, &ioas_id))
		return put_note("IOMMU_IOAS_ALLOC: %s", strerror(errno));
	for (i = 0; i < n; i++)
		if (_test_cmd_attach(edus[i].devfd, 0, ioas_id, NULL))
			return put_note("attach %s: %s", edus[i].bdf,
					strerror(errno));

	/* Each device must be done with one transfer before its next. */
	gap_ns = STORM_GAP_MS * 1000000ULL;
	if (gap_ns * n < (EDU_DMA_MS + 5) * 1000000ULL)
		gap_ns = (EDU_DMA_MS + 5) * 1000000ULL / n;
	put_note("storm: %d faulting DMA writes from %d edu devices, one every %llu ms",
		 count, n, (unsigned long long)(gap_ns / 1000000));

	t0 = now_ns();
	for (i = 0; i < count; i++) {
		uint64_t at = t0 + i * gap_ns;

		due.tv_sec = at / 1000000000ULL;
		due.tv_nsec = at % 1000000000ULL;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
		if (edu_dma_start(&edus[i % n], STORM_IOVA, 8))
			return put_note("edu %s never finished a transfer",
					edus[i % n].bdf);
	}
	for (i = 0; i < n; i++)
		edu_wait_idle(&edus[i], EDU_DMA_TIMEOUT_MS);
	put_note("storm: done in %.1f s", (now_ns() - t0) / 1e9);
	/* A polling driver sees the last fault up to one interval later. */
	usleep(250000);

	for (i = 0; i < n; i++) {
		if (edus[i].bar)
			munmap(edus[i].bar, edus[i].bar_size);
		close(edus[i].devfd);
	}
	close(iommufd);
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc == 3 ? atoi(argv[2]) : 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (n > 0 && !strcmp(argv[1], "iommufd"))
		return bench_iommufd(n);
	if (n > 0 && !strcmp(argv[1], "storm"))
		return bench_storm(n);
	fprintf(stderr, "usage: vtd_bench iommufd REPS | storm COUNT\n");
	return 2;
}
