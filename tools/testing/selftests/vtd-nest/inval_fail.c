// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtd-nest: failed and timed-out invalidations, through the uAPI, with
 * edu DMA. The unit's debugfs "inject" knob makes the next invalidations
 * fail as if the unit reported a queue error, or never reach the unit (a
 * wait that times out).
 *
 * Destructive: a unit whose invalidation failed for good stays failed
 * until intel-vtd is reloaded. So this is no *_test: the harness runs it
 * alone, right after loading intel-vtd, and reloads the module after it.
 * Run as "inval_fail errors" or "inval_fail timeout".
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vtd_utils.h"
#include "edu.h"
#include "vtd_fault.h"

#define PAGE		SZ_4K
#define FILL		0xcc
#define IOVA		0x100000ULL
#define DMA_TIMEOUT_S	120

static const char *mode = "errors";

static void kmsg_note(const char *what)
{
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return;
	/* The log only: the test decides, whether or not this got there. */
	n = write(fd, what, strlen(what));
	(void)n;
	close(fd);
}

/* "errors N" or "timeouts N" into <unit>/inject; or read "failed N". */
static int inject_failures(const char *unit, const char *what)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/kernel/debug/intel-vtd/%s/inject",
		 unit);
	return sysfs_write(path, what);
}

static int unit_failed(const char *unit)
{
	char path[PATH_MAX], buf[256], *p;

	snprintf(path, sizeof(path), "/sys/kernel/debug/intel-vtd/%s/inject",
		 unit);
	if (sysfs_read(path, buf, sizeof(buf)))
		return -1;
	p = strstr(buf, "failed ");
	return p ? atoi(p + strlen("failed ")) : -1;
}

FIXTURE(inval) {
	int iommufd;
	struct vtd_dev dev;
	__u32 ioas;
	uint8_t *a, *b;
};

FIXTURE_SETUP(inval)
{
	self->iommufd = -1;
	VTD_DEV_OPEN(return, &self->dev, edu_primary_bdf(), true);
	self->iommufd = self->dev.iommufd;
	if (unit_failed(self->dev.edu.unit) < 0)
		SKIP(return, "no intel-vtd inject knob for unit '%s'",
		     self->dev.edu.unit);
	ASSERT_EQ(0, unit_failed(self->dev.edu.unit)) {
		TH_LOG("the unit is failed already: reload intel-vtd first");
	}
	test_cmd_ioas_alloc(&self->ioas);
	test_cmd_attach(self->ioas, NULL);
	self->a = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->a);
	self->b = self->a + PAGE;
	/* Two maps: IOAS_UNMAP takes only whole ones. */
	test_cmd_ioas_map_fixed(self->ioas, self->a, PAGE, IOVA, MAP_RW);
	test_cmd_ioas_map_fixed(self->ioas, self->b, PAGE, IOVA + PAGE, MAP_RW);
	kmsg_note("vtd-nest: expect errors: inval_fail\n");
}

FIXTURE_TEARDOWN(inval)
{
	kmsg_note("vtd-nest: end of expected errors: inval_fail\n");
	vtd_dev_close(&self->dev);
}

#define to_dev(iova) ASSERT_EQ(0, edu_dma(&self->dev.edu, false, iova, 0, PAGE))
#define to_ram(iova) ASSERT_EQ(0, edu_dma(&self->dev.edu, true, iova, 0, PAGE))

/*
 * One failed invalidation is made up for by a global one: the unmap
 * takes effect (DMA faults, memory untouched) and the unit goes on. Two
 * in a row, or a wait that never completes, fail the unit: the device is
 * blocked (nothing it writes reaches memory, even through translations
 * the unit may have cached), attaching anything is refused with EIO.
 */
TEST_F_TIMEOUT(inval, fail_safe, DMA_TIMEOUT_S)
{
	const char *unit = self->dev.edu.unit;
	__u32 hwpt;

	/* Both pages work and sit in the IOTLB. */
	vtd_fill(self->a, PAGE, 1);
	memset(self->b, FILL, PAGE);
	to_dev(IOVA);
	to_ram(IOVA + PAGE);
	ASSERT_EQ(-1, vtd_first_diff(self->a, self->b, PAGE));

	/* One error: recovered. */
	ASSERT_EQ(0, inject_failures(unit, "errors 1"));
	test_cmd_ioas_unmap(self->ioas, IOVA + PAGE, PAGE);
	memset(self->b, FILL, PAGE);
	to_ram(IOVA + PAGE);
	ASSERT_EQ(-1, vtd_first_not(self->b, FILL, PAGE));
	ASSERT_EQ(0, unit_failed(unit));
	test_cmd_ioas_map_fixed(self->ioas, self->b, PAGE, IOVA + PAGE, MAP_RW);
	to_ram(IOVA + PAGE);
	ASSERT_EQ(-1, vtd_first_diff(self->a, self->b, PAGE));

	/* Two errors, or a timeout: the unit fails, the device is blocked. */
	ASSERT_EQ(0, inject_failures(unit, strcmp(mode, "timeout") ?
				     "errors 2" : "timeouts 1"));
	test_cmd_ioas_unmap(self->ioas, IOVA + PAGE, PAGE);
	ASSERT_EQ(1, unit_failed(unit));
	memset(self->b, FILL, PAGE);
	to_ram(IOVA + PAGE);
	ASSERT_EQ(-1, vtd_first_not(self->b, FILL, PAGE));
	/* Even the page still mapped: the device no longer reaches memory. */
	memset(self->a, FILL, PAGE);
	to_ram(IOVA);
	ASSERT_EQ(-1, vtd_first_not(self->a, FILL, PAGE));

	/* Nothing new attaches to a failed unit. */
	test_cmd_hwpt_alloc(self->dev.dev_id, self->ioas, 0, &hwpt);
	test_err_attach(EIO, 0, hwpt);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "timeout"))
		mode = "timeout";
	return test_harness_run(1, argv);
}
