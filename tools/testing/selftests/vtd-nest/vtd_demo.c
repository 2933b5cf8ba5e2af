// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtd_demo: what `make run` shows of the IOMMU driver, step by step, on
 * QEMU's edu device. Not a test: it narrates, and exits non-zero only when
 * a step it needs fails.
 *
 *   1. find edu and the IOMMU unit that translates for it;
 *   2. give it to vfio-pci, open /dev/iommu and the VFIO cdev, bind;
 *   3. an IOAS with two 4 KiB buffers: A holds a text, at IOVA 0x12345000,
 *      B is zeroed, at IOVA 0x12346000; attach edu to the IOAS;
 *   4. edu DMA: A -> edu's buffer -> B; show both buffers;
 *   5. the page table intel-vtd built (debugfs devices/<bdf>/pgtable);
 *   6. edu writes to IOVA 0xdead000, which nothing maps: show the fault
 *      log (debugfs <unit>/faults) and the driver's kernel log lines.
 *
 * Every wait has a time limit: a DMA 5 s, the fault report 500 ms.
 * Missing debugfs files (another IOMMU driver, or none mounted) are said
 * and skipped. Leaves edu bound to vfio-pci.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edu.h"

#define DEMO_IOVA_A	0x12345000ULL
#define DEMO_IOVA_B	0x12346000ULL
#define DEMO_IOVA_BAD	0xdead000ULL
#define DEMO_TEXT	"hello from RAM through our first-level table"
#define DEMO_SHOW	64		/* bytes of each buffer shown */
#define DEMO_FAULT_MS	500

#define DEBUGFS		"/sys/kernel/debug/intel-vtd"

static void section(const char *title)
{
	printf("\n== %s\n", title);
	fflush(stdout);
}

static int fail(const char *fmt, ...)
{
	va_list ap;

	printf("  FAILED: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return 1;
}

static void hexdump(const char *title, const uint8_t *p, size_t len)
{
	size_t off, i;

	printf("  %s\n", title);
	for (off = 0; off < len; off += 16) {
		printf("    %04zx ", off);
		for (i = off; i < off + 16; i++)
			printf(" %02x", p[i]);
		printf("  |");
		for (i = off; i < off + 16; i++)
			putchar(isprint(p[i]) ? p[i] : '.');
		printf("|\n");
	}
}

/*
 * Print a text file indented; mark the "iova A-B" line that covers iova
 * (the format of intel-pgtable's dump) when iova is not 0. False when the
 * file cannot be read.
 */
static bool show_file(const char *path, uint64_t iova)
{
	unsigned long long first, last;
	char line[512];
	bool covered;
	FILE *f;
	int n = 0;

	f = fopen(path, "re");
	if (!f) {
		printf("  %s: %s\n", path, strerror(errno));
		return false;
	}
	printf("  %s:\n", path);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		covered = iova &&
			  sscanf(line, " iova 0x%llx-0x%llx", &first, &last) == 2 &&
			  iova >= first && iova <= last;
		printf("    %s%s\n", line, covered ? "   <- this one" : "");
		n++;
	}
	if (!n)
		printf("    (empty)\n");
	fclose(f);
	return true;
}

/*
 * The debugfs directory of edu's IOMMU unit: the unit its sysfs "iommu"
 * link names if intel-vtd has one of that name, else the only unit.
 */
static bool find_unit_dir(const struct edu *edu, char *dir, size_t len)
{
	char path[PATH_MAX], found[PATH_MAX] = "";
	struct dirent *de;
	int units = 0;
	DIR *d;

	if (edu->unit[0]) {
		snprintf(path, sizeof(path), DEBUGFS "/%s/faults", edu->unit);
		if (!access(path, F_OK)) {
			snprintf(dir, len, DEBUGFS "/%s", edu->unit);
			return true;
		}
	}
	d = opendir(DEBUGFS);
	if (!d)
		return false;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), DEBUGFS "/%s/faults", de->d_name);
		if (access(path, F_OK))
			continue;
		snprintf(found, sizeof(found), DEBUGFS "/%s", de->d_name);
		units++;
	}
	closedir(d);
	if (units != 1)
		return false;
	snprintf(dir, len, "%s", found);
	return true;
}

/* Is this kernel log message one of an IOMMU driver's? */
static bool iommu_message(const char *msg)
{
	return strstr(msg, "intel-vtd") || strstr(msg, "intel_vtd") ||
	       strstr(msg, "DMAR:");
}

/*
 * Print the IOMMU drivers' kernel log lines that arrive on kmsg_fd within
 * timeout_ms, returning early 100 ms after the first one. Returns how many
 * there were.
 */
static int show_kmsg(int kmsg_fd, unsigned int timeout_ms)
{
	uint64_t end = vtd_now_ms() + timeout_ms;
	char rec[2048], *msg;
	bool early = false;
	int shown = 0;
	ssize_t n;

	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n > 0) {
			rec[n] = 0;
			msg = strchr(rec, ';');
			msg = msg ? msg + 1 : rec;
			msg[strcspn(msg, "\n")] = 0;
			if (iommu_message(msg)) {
				printf("    %s\n", msg);
				shown++;
				if (!early) {
					early = true;
					end = vtd_now_ms() + 100;
				}
			}
			continue;
		}
		if (n < 0 && errno == EPIPE)	/* records overwritten */
			continue;
		if (vtd_now_ms() > end)
			break;
		usleep(10000);
	}
	return shown;
}

/* Physical address of a byte of ours, from /proc/self/pagemap; 0 if unknown. */
static uint64_t phys_of(const void *p)
{
	uint64_t e, pfn;
	ssize_t n;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = pread(fd, &e, sizeof(e), (uintptr_t)p / SZ_4K * sizeof(e));
	close(fd);
	if (n != sizeof(e) || !(e >> 63))	/* bit 63: present */
		return 0;
	pfn = e & ((1ULL << 55) - 1);		/* bits 54:0, 0 if not root */
	return pfn ? pfn * SZ_4K + (uintptr_t)p % SZ_4K : 0;
}

static int timed_dma(struct edu *edu, bool to_ram, uint64_t iova,
		     const char *what)
{
	uint64_t start = vtd_now_ms();
	int ret;

	ret = edu_dma(edu, to_ram, iova, 0, EDU_BUF_SIZE);
	if (ret)
		return fail("%s: %s", what, strerror(-ret));
	printf("  %s: done in %llu ms\n", what,
	       (unsigned long long)(vtd_now_ms() - start));
	return 0;
}

int main(void)
{
	char path[PATH_MAX + 64], unit_dir[PATH_MAX], group[64] = "";
	uint8_t *a, *b;
	struct vtd_why why = {};
	struct vtd_dev d = { .iommufd = -1, .devfd = -1 };
	__u32 ioas_id, hwpt_id;
	__u64 iova;
	int kmsg_fd, ret, n;
	long diff;

	setvbuf(stdout, NULL, _IOLBF, 0);
	d.edu.devfd = -1;

	section("1. edu, the DMA test device");
	ret = edu_find(&d.edu, edu_primary_bdf());
	if (ret)
		return fail("no edu device (PCI %04x:%04x) at %s", EDU_VENDOR,
			    EDU_DEVICE, edu_primary_bdf());
	snprintf(path, sizeof(path), "%s/iommu_group", d.edu.sysfs);
	sysfs_link_name(path, group, sizeof(group));
	snprintf(path, sizeof(path), "%s/iommu", d.edu.sysfs);
	sysfs_link_name(path, d.edu.unit, sizeof(d.edu.unit));
	printf("  edu is PCI device %s, IOMMU group %s, IOMMU unit %s\n",
	       d.edu.bdf, group[0] ? group : "(none)",
	       d.edu.unit[0] ? d.edu.unit : "(not in sysfs)");
	if (!group[0])
		return fail("edu has no IOMMU group: no IOMMU driver translates for it");

	section("2. give edu to vfio-pci; open /dev/iommu and its VFIO cdev");
	d.iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (d.iommufd < 0)
		return fail("open /dev/iommu: %s", strerror(errno));
	if (edu_bind_vfio_pci(&d.edu, &why) != VTD_SETUP_OK)
		return fail("%s", why.msg);
	printf("  edu is bound to vfio-pci\n");
	if (edu_open_cdev(&d.edu, &why) != VTD_SETUP_OK)
		return fail("%s", why.msg);
	d.devfd = d.edu.devfd;
	if (_test_cmd_bind(d.devfd, d.iommufd, 0, &d.dev_id))
		return fail("VFIO_DEVICE_BIND_IOMMUFD: %s%s", strerror(errno),
			    errno == EPERM ?
			    " (no MSI isolation: boot with iommufd.allow_unsafe_interrupts=1)" :
			    "");
	printf("  VFIO_DEVICE_BIND_IOMMUFD: edu is iommufd device %u\n",
	       d.dev_id);
	if (edu_enable(&d.edu, &why) != VTD_SETUP_OK)
		return fail("%s", why.msg);
	printf("  BAR0 mapped, bus mastering on\n");

	section("3. an IOAS with two 4 KiB buffers, and edu attached to it");
	a = mmap(NULL, SZ_4K, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b = mmap(NULL, SZ_4K, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED || b == MAP_FAILED)
		return fail("mmap: %s", strerror(errno));
	memset(a, 0, SZ_4K);
	memset(b, 0, SZ_4K);
	snprintf((char *)a, SZ_4K, "%s", DEMO_TEXT);

	if (_test_cmd_ioas_alloc(d.iommufd, 0, &ioas_id))
		return fail("IOMMU_IOAS_ALLOC: %s", strerror(errno));
	printf("  IOMMU_IOAS_ALLOC: IOAS %u\n", ioas_id);
	iova = DEMO_IOVA_A;
	if (_test_cmd_ioas_map(d.iommufd, ioas_id, a, SZ_4K, &iova,
			       MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA))
		return fail("IOMMU_IOAS_MAP of A at 0x%llx: %s", DEMO_IOVA_A,
			    strerror(errno));
	printf("  IOMMU_IOAS_MAP: buffer A (\"%s\") at IOVA 0x%llx\n",
	       DEMO_TEXT, DEMO_IOVA_A);
	iova = DEMO_IOVA_B;
	if (_test_cmd_ioas_map(d.iommufd, ioas_id, b, SZ_4K, &iova,
			       MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA))
		return fail("IOMMU_IOAS_MAP of B at 0x%llx: %s", DEMO_IOVA_B,
			    strerror(errno));
	printf("  IOMMU_IOAS_MAP: buffer B (zeroes) at IOVA 0x%llx\n",
	       DEMO_IOVA_B);
	printf("  in RAM (/proc/self/pagemap): A at 0x%llx, B at 0x%llx\n",
	       (unsigned long long)phys_of(a), (unsigned long long)phys_of(b));
	if (_test_cmd_attach(d.devfd, 0, ioas_id, &hwpt_id))
		return fail("VFIO_DEVICE_ATTACH_IOMMUFD_PT: %s",
			    strerror(errno));
	printf("  VFIO_DEVICE_ATTACH_IOMMUFD_PT: edu now uses HWPT %u\n",
	       hwpt_id);

	section("4. DMA: buffer A -> edu -> buffer B");
	if (timed_dma(&d.edu, false, DEMO_IOVA_A,
		      "edu reads 4096 bytes at IOVA 0x12345000 into its own buffer") ||
	    timed_dma(&d.edu, true, DEMO_IOVA_B,
		      "edu writes its buffer to IOVA 0x12346000"))
		return 1;
	hexdump("buffer A, first 64 bytes:", a, DEMO_SHOW);
	hexdump("buffer B, first 64 bytes:", b, DEMO_SHOW);
	diff = vtd_first_diff(a, b, SZ_4K);
	if (diff >= 0)
		return fail("B differs from A at byte %ld", diff);
	printf("  B equals A, all 4096 bytes: the device reached both pages through the IOMMU\n");

	section("5. the page table behind IOVA 0x12345000");
	snprintf(path, sizeof(path), DEBUGFS "/devices/%s/domain", d.edu.bdf);
	if (access(path, F_OK)) {
		printf("  %s is missing:\n", path);
		printf("  intel-vtd does not drive edu, or debugfs is not mounted\n");
	} else {
		show_file(path, 0);
		snprintf(path, sizeof(path), DEBUGFS "/devices/%s/pgtable",
			 d.edu.bdf);
		printf("  a line per run of leaves: IOVAs -> RAM, leaf size x count, access\n");
		show_file(path, DEMO_IOVA_A);
	}

	section("6. DMA to IOVA 0xdead000, which nothing maps");
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
	if (timed_dma(&d.edu, true, DEMO_IOVA_BAD,
		      "edu writes its buffer to IOVA 0xdead000 (edu itself never sees an error)"))
		return 1;
	printf("  kernel log of the IOMMU driver (waiting up to %d ms):\n",
	       DEMO_FAULT_MS);
	n = kmsg_fd >= 0 ? show_kmsg(kmsg_fd, DEMO_FAULT_MS) : 0;
	if (kmsg_fd < 0)
		printf("    cannot read /dev/kmsg: %s\n", strerror(errno));
	else if (!n)
		printf("    (nothing)\n");
	if (find_unit_dir(&d.edu, unit_dir, sizeof(unit_dir))) {
		snprintf(path, sizeof(path), "%s/faults", unit_dir);
		show_file(path, 0);
	} else {
		printf("  %s/<unit>/faults is missing:\n", DEBUGFS);
		printf("  intel-vtd is not loaded, or debugfs is not mounted\n");
	}
	if (kmsg_fd >= 0)
		close(kmsg_fd);

	munmap(a, SZ_4K);
	munmap(b, SZ_4K);
	vtd_dev_close(&d);
	printf("\nvtd_demo: done\n");
	return 0;
}
