/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vtd-nest selftests: QEMU's "edu" PCI device (1234:11e8) as a DMA
 * initiator behind the IOMMU, driven from user space through VFIO cdev.
 *
 * edu (hw/misc/edu.c, docs/specs/edu.rst): BAR0 is 1 MiB of MMIO; registers
 * below 0x80 take 32-bit accesses only, those at 0x80 and above take 32- or
 * 64-bit accesses. DMA: 0x80 source, 0x88 destination, 0x90 count, 0x98
 * command (bit 0 start, bit 1 direction: 0 RAM -> device, 1 device -> RAM).
 * The device side of a transfer is a 4 KiB buffer at device address
 * 0x40000. A transfer runs from a timer 100 ms (virtual time) after the
 * command write; the start bit clears when it is done. DMA errors are not
 * reported by the device: callers check the bytes.
 */
#ifndef __SELFTEST_VTD_EDU_H
#define __SELFTEST_VTD_EDU_H

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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "vtd_utils.h"

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8

#define EDU_REG_ID		0x00	/* 0xRRrr00ed: major, minor, 0x00ed */
#define EDU_REG_LIVENESS	0x04	/* reads back the inverse */
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_CNT		0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_START		0x1
#define EDU_DMA_TO_RAM		0x2	/* direction bit set: device -> RAM */
#define EDU_BUF_ADDR		0x40000ULL
#define EDU_BUF_SIZE		4096U

#define EDU_DMA_TIMEOUT_MS	5000

#define PCI_DEVICES		"/sys/bus/pci/devices"

struct edu {
	char bdf[32];		/* "0000:00:03.0" */
	char sysfs[PATH_MAX];	/* /sys/bus/pci/devices/<bdf> */
	char unit[64];		/* IOMMU unit name, e.g. "dmar0" ("" if none) */
	int devfd;		/* /dev/vfio/devices/vfioN */
	uint8_t *bar;		/* BAR0 mmap, or NULL: use pread/pwrite */
	uint64_t bar_size;
	uint64_t bar_offset;	/* BAR0 region offset in devfd */
	uint64_t cfg_offset;	/* config space region offset in devfd */
	bool bound_here;	/* edu_bind_vfio_pci() made vfio-pci its driver */
};

/* A bound test device: the iommufd context and the edu behind it. */
struct vtd_dev {
	int iommufd;
	int devfd;		/* same as edu.devfd */
	__u32 dev_id;		/* iommufd device object ID (0: not bound) */
	struct edu edu;
};

enum vtd_setup_result {
	VTD_SETUP_OK = 0,
	VTD_SETUP_SKIP,		/* environment lacks an IOMMU, VFIO or edu */
	VTD_SETUP_FAIL,		/* something that must work did not */
};

struct vtd_why {
	char msg[256];
};

static inline int vtd_why(struct vtd_why *why, int result, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why->msg, sizeof(why->msg), fmt, ap);
	va_end(ap);
	return result;
}

/* ---- sysfs ---- */

/* Copy a string, truncating to fit. */
static inline void str_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

static inline int sysfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

static inline int sysfs_write(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return 0;
}

/* base 0: "0x" prefix for hex, as in PCI IDs; base 16 for bare hex. */
static inline int sysfs_read_u64_base(const char *path, uint64_t *val,
				      int base)
{
	char buf[64], *end;
	int ret;

	ret = sysfs_read(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, base);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

static inline int sysfs_read_u64(const char *path, uint64_t *val)
{
	return sysfs_read_u64_base(path, val, 0);
}

/* Basename of the target of a symlink, or "" when there is none. */
static inline void sysfs_link_name(const char *path, char *name, size_t len)
{
	char target[PATH_MAX];
	ssize_t n;
	char *base;

	name[0] = 0;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = 0;
	base = strrchr(target, '/');
	str_copy(name, len, base ? base + 1 : target);
}

/*
 * A register of the IOMMU unit named unit, as intel-vtd shows it in
 * /sys/kernel/debug/intel-vtd/<unit>/regs ("CAP        0x0008 0x...").
 * 0, -ENOENT when the file is not there (another IOMMU driver), or
 * -EINVAL when it has no such register.
 */
static inline int vtd_unit_reg(const char *unit, const char *name,
			       uint64_t *val)
{
	char path[PATH_MAX], line[256], reg[32];
	unsigned long long v;
	unsigned int off;
	int ret = -EINVAL;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/intel-vtd/%s/regs",
		 unit);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s 0x%x 0x%llx", reg, &off, &v) == 3 &&
		    !strcmp(reg, name)) {
			*val = v;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* ---- Finding and binding edu ---- */

/*
 * The test VM's edu devices (scripts/vm.sh), by PCI address: the primary
 * one every test uses, and a second one in an IOMMU group of its own.
 * VTD_EDU_BDF and VTD_EDU2_BDF name others on another machine.
 */
#define EDU_PRIMARY_BDF		"0000:00:0a.0"
#define EDU_SECOND_BDF		"0000:00:10.0"

static inline const char *edu_primary_bdf(void)
{
	const char *env = getenv("VTD_EDU_BDF");

	return env && *env ? env : EDU_PRIMARY_BDF;
}

static inline const char *edu_second_bdf(void)
{
	const char *env = getenv("VTD_EDU2_BDF");

	return env && *env ? env : EDU_SECOND_BDF;
}

/*
 * Fill in edu for the device at PCI address bdf ("0000:00:0a.0"): 0, or
 * -ENODEV if there is no device there or it is not an edu.
 */
static inline int edu_find(struct edu *edu, const char *bdf)
{
	char path[PATH_MAX + 64];
	uint64_t vendor, device;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/vendor", bdf);
	if (sysfs_read_u64(path, &vendor) || vendor != EDU_VENDOR)
		return -ENODEV;
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/device", bdf);
	if (sysfs_read_u64(path, &device) || device != EDU_DEVICE)
		return -ENODEV;
	str_copy(edu->bdf, sizeof(edu->bdf), bdf);
	snprintf(edu->sysfs, sizeof(edu->sysfs), PCI_DEVICES "/%s", bdf);
	return 0;
}

/* Make vfio-pci the driver of edu (driver_override + drivers_probe). */
static inline int edu_bind_vfio_pci(struct edu *edu, struct vtd_why *why)
{
	char path[PATH_MAX + 64], drv[64];
	int ret;

	snprintf(path, sizeof(path), "%s/driver", edu->sysfs);
	sysfs_link_name(path, drv, sizeof(drv));
	if (!strcmp(drv, "vfio-pci"))
		return VTD_SETUP_OK;

	if (access("/sys/bus/pci/drivers/vfio-pci", F_OK)) {
		/* Its status does not matter: checked just below. */
		ret = system("modprobe -q vfio-pci >/dev/null 2>&1");
		if (access("/sys/bus/pci/drivers/vfio-pci", F_OK))
			return vtd_why(why, VTD_SETUP_SKIP,
				       "no vfio-pci driver (CONFIG_VFIO_PCI)");
	}

	if (drv[0]) {
		snprintf(path, sizeof(path), "%s/driver/unbind", edu->sysfs);
		ret = sysfs_write(path, edu->bdf);
		if (ret)
			return vtd_why(why, VTD_SETUP_FAIL,
				       "cannot unbind %s from %s: %s", edu->bdf,
				       drv, strerror(-ret));
	}

	snprintf(path, sizeof(path), "%s/driver_override", edu->sysfs);
	ret = sysfs_write(path, "vfio-pci");
	if (ret)
		return vtd_why(why, VTD_SETUP_FAIL,
			       "cannot write %s: %s", path, strerror(-ret));
	/* Fails when vfio-pci refuses the device; the link tells. */
	ret = sysfs_write("/sys/bus/pci/drivers_probe", edu->bdf);

	snprintf(path, sizeof(path), "%s/driver", edu->sysfs);
	sysfs_link_name(path, drv, sizeof(drv));
	if (strcmp(drv, "vfio-pci"))
		return vtd_why(why, VTD_SETUP_SKIP,
			       "vfio-pci refused edu %s (%s): no IOMMU translates it?",
			       edu->bdf, ret ? strerror(-ret) : "not bound");
	edu->bound_here = true;
	return VTD_SETUP_OK;
}

/*
 * Undo edu_bind_vfio_pci() if it bound the device: unbind it from vfio-pci
 * and clear driver_override, so that the device has no driver again (the
 * IOMMU driver cannot be unloaded while one of its devices has a driver).
 * Call with the cdev closed. 0, or -errno.
 */
static inline int edu_unbind_vfio_pci(struct edu *edu)
{
	char path[PATH_MAX + 64];
	int ret;

	if (!edu->bound_here)
		return 0;
	ret = sysfs_write("/sys/bus/pci/drivers/vfio-pci/unbind", edu->bdf);
	snprintf(path, sizeof(path), "%s/driver_override", edu->sysfs);
	if (!ret)
		ret = sysfs_write(path, "\n");
	if (!ret)
		edu->bound_here = false;
	return ret;
}

/*
 * Take (on) or drop a PCI enable of our own on edu, through its sysfs
 * "enable" file. While one is held, vfio-pci's open and close of the
 * device only count enables and skip the platform's part (the ACPI _PRT
 * evaluation of its interrupt routing). sysfs allows that only for a
 * device without a driver, so vfio-pci lets edu go for the write and takes
 * it back (driver_override still names it). The caller closes the cdev
 * first and opens it again afterwards.
 */
static inline int edu_hold_enable(struct edu *edu, bool on,
				  struct vtd_why *why)
{
	char path[PATH_MAX + 64], drv[64];
	int ret;

	snprintf(path, sizeof(path), "%s/driver", edu->sysfs);
	sysfs_link_name(path, drv, sizeof(drv));
	if (!strcmp(drv, "vfio-pci")) {
		ret = sysfs_write("/sys/bus/pci/drivers/vfio-pci/unbind",
				  edu->bdf);
		if (ret)
			return vtd_why(why, VTD_SETUP_FAIL,
				       "unbind %s from vfio-pci: %s", edu->bdf,
				       strerror(-ret));
	}
	snprintf(path, sizeof(path), "%s/enable", edu->sysfs);
	ret = sysfs_write(path, on ? "1" : "0");
	if (ret)
		return vtd_why(why, VTD_SETUP_FAIL, "write %s: %s", path,
			       strerror(-ret));
	/* Fails when vfio-pci refuses the device; the link tells. */
	ret = sysfs_write("/sys/bus/pci/drivers_probe", edu->bdf);
	snprintf(path, sizeof(path), "%s/driver", edu->sysfs);
	sysfs_link_name(path, drv, sizeof(drv));
	if (strcmp(drv, "vfio-pci"))
		return vtd_why(why, VTD_SETUP_FAIL,
			       "vfio-pci did not take %s back: %s", edu->bdf,
			       ret ? strerror(-ret) : drv);
	return VTD_SETUP_OK;
}

/* Open /dev/vfio/devices/vfioN for edu, making the node if udev did not. */
static inline int edu_open_cdev(struct edu *edu, struct vtd_why *why)
{
	char path[PATH_MAX + 128], node[PATH_MAX], devnum[32];
	unsigned int major, minor;
	struct dirent *de;
	char name[64] = "";
	DIR *dir;
	int fd;

	snprintf(path, sizeof(path), "%s/vfio-dev", edu->sysfs);
	dir = opendir(path);
	if (!dir)
		return vtd_why(why, VTD_SETUP_SKIP,
			       "%s missing: no VFIO device cdev (CONFIG_VFIO_DEVICE_CDEV)",
			       path);
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, "vfio", 4)) {
			str_copy(name, sizeof(name), de->d_name);
			break;
		}
	closedir(dir);
	if (!name[0])
		return vtd_why(why, VTD_SETUP_FAIL, "no vfioN under %s", path);

	snprintf(node, sizeof(node), "/dev/vfio/devices/%s", name);
	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		snprintf(path, sizeof(path), "%s/vfio-dev/%s/dev", edu->sysfs,
			 name);
		if (sysfs_read(path, devnum, sizeof(devnum)) ||
		    sscanf(devnum, "%u:%u", &major, &minor) != 2)
			return vtd_why(why, VTD_SETUP_FAIL, "cannot read %s",
				       path);
		mkdir("/dev/vfio", 0755);
		mkdir("/dev/vfio/devices", 0755);
		if (mknod(node, S_IFCHR | 0600, makedev(major, minor)) &&
		    errno != EEXIST)
			return vtd_why(why, VTD_SETUP_FAIL, "mknod %s: %s",
				       node, strerror(errno));
		fd = open(node, O_RDWR | O_CLOEXEC);
	}
	if (fd < 0)
		return vtd_why(why, VTD_SETUP_FAIL, "open %s: %s", node,
			       strerror(errno));
	edu->devfd = fd;
	return VTD_SETUP_OK;
}

static inline int vfio_region_info(int devfd, __u32 index,
				   struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, info);
}

/* ---- Register and config space access (needs a bound device) ---- */

static inline uint32_t edu_read32(struct edu *edu, uint32_t reg)
{
	uint32_t val = ~0U;

	if (edu->bar)
		return __atomic_load_n((uint32_t *)(edu->bar + reg),
				       __ATOMIC_RELAXED);
	if (pread(edu->devfd, &val, 4, edu->bar_offset + reg) != 4)
		return ~0U;
	return val;
}

static inline uint64_t edu_read64(struct edu *edu, uint32_t reg)
{
	uint64_t val = ~0ULL;

	if (edu->bar)
		return __atomic_load_n((uint64_t *)(edu->bar + reg),
				       __ATOMIC_RELAXED);
	if (pread(edu->devfd, &val, 8, edu->bar_offset + reg) != 8)
		return ~0ULL;
	return val;
}

static inline void edu_write32(struct edu *edu, uint32_t reg, uint32_t val)
{
	if (edu->bar) {
		__atomic_store_n((uint32_t *)(edu->bar + reg), val,
				 __ATOMIC_RELAXED);
		return;
	}
	if (pwrite(edu->devfd, &val, 4, edu->bar_offset + reg) != 4)
		return;	/* caught by the read-back checks */
}

/* One 64-bit access: edu ignores a 32-bit write to the upper half. */
static inline void edu_write64(struct edu *edu, uint32_t reg, uint64_t val)
{
	if (edu->bar) {
		__atomic_store_n((uint64_t *)(edu->bar + reg), val,
				 __ATOMIC_RELAXED);
		return;
	}
	if (pwrite(edu->devfd, &val, 8, edu->bar_offset + reg) != 8)
		return;	/* caught by the read-back checks */
}

/*
 * Map BAR0 and turn on bus mastering. VFIO clears bus mastering when the
 * device is closed, so this is needed after every bind.
 */
static inline int edu_enable(struct edu *edu, struct vtd_why *why)
{
	struct vfio_region_info bar, cfg;
	uint16_t cmd;
	uint32_t id;
	void *map;

	if (vfio_region_info(edu->devfd, VFIO_PCI_BAR0_REGION_INDEX, &bar))
		return vtd_why(why, VTD_SETUP_FAIL,
			       "VFIO_DEVICE_GET_REGION_INFO(BAR0): %s",
			       strerror(errno));
	if (bar.size < 0x100)
		return vtd_why(why, VTD_SETUP_FAIL, "BAR0 is %llu bytes",
			       (unsigned long long)bar.size);
	edu->bar_size = bar.size;
	edu->bar_offset = bar.offset;
	edu->bar = NULL;
	if (bar.flags & VFIO_REGION_INFO_FLAG_MMAP) {
		map = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   edu->devfd, bar.offset);
		if (map != MAP_FAILED)
			edu->bar = map;
	}

	if (vfio_region_info(edu->devfd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg))
		return vtd_why(why, VTD_SETUP_FAIL,
			       "VFIO_DEVICE_GET_REGION_INFO(config): %s",
			       strerror(errno));
	edu->cfg_offset = cfg.offset;
	if (pread(edu->devfd, &cmd, 2, cfg.offset + PCI_COMMAND) != 2)
		return vtd_why(why, VTD_SETUP_FAIL, "read PCI_COMMAND: %s",
			       strerror(errno));
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(edu->devfd, &cmd, 2, cfg.offset + PCI_COMMAND) != 2)
		return vtd_why(why, VTD_SETUP_FAIL, "write PCI_COMMAND: %s",
			       strerror(errno));
	cmd = 0;
	if (pread(edu->devfd, &cmd, 2, cfg.offset + PCI_COMMAND) != 2 ||
	    !(cmd & PCI_COMMAND_MASTER))
		return vtd_why(why, VTD_SETUP_FAIL,
			       "bus mastering did not stick (PCI_COMMAND 0x%x)",
			       cmd);

	id = edu_read32(edu, EDU_REG_ID);
	if ((id & 0xffff) != 0x00ed)
		return vtd_why(why, VTD_SETUP_FAIL,
			       "edu ID register reads 0x%08x", id);
	edu_write32(edu, EDU_REG_LIVENESS, 0x5a5a1234);
	if (edu_read32(edu, EDU_REG_LIVENESS) != ~0x5a5a1234U)
		return vtd_why(why, VTD_SETUP_FAIL, "edu liveness check failed");
	return VTD_SETUP_OK;
}

/* Wait for the start bit to clear. 0, or -ETIMEDOUT. */
static inline int edu_wait_idle(struct edu *edu, unsigned int timeout_ms)
{
	uint64_t end = vtd_now_ms() + timeout_ms;

	while (edu_read32(edu, EDU_REG_DMA_CMD) & EDU_DMA_START) {
		if (vtd_now_ms() > end)
			return -ETIMEDOUT;
		usleep(2000);
	}
	return 0;
}

/*
 * One DMA between IOVA iova and the device buffer at dev_off:
 * to_ram false: RAM (iova) -> device; true: device -> RAM (iova).
 * Returns 0 once the device reports completion, -EINVAL for a transfer
 * outside the device buffer, -EIO if the registers did not take the
 * values, -ETIMEDOUT if the device never finished. Whether bytes moved is
 * for the caller to check.
 */
static inline int edu_dma(struct edu *edu, bool to_ram, uint64_t iova,
			  uint32_t dev_off, uint32_t len)
{
	uint64_t dev = EDU_BUF_ADDR + dev_off;
	uint64_t src = to_ram ? dev : iova, dst = to_ram ? iova : dev;

	if (!len || dev_off >= EDU_BUF_SIZE || len > EDU_BUF_SIZE - dev_off)
		return -EINVAL;
	if (edu_wait_idle(edu, EDU_DMA_TIMEOUT_MS))
		return -ETIMEDOUT;

	edu_write64(edu, EDU_REG_DMA_SRC, src);
	edu_write64(edu, EDU_REG_DMA_DST, dst);
	edu_write64(edu, EDU_REG_DMA_CNT, len);
	if (edu_read64(edu, EDU_REG_DMA_SRC) != src ||
	    edu_read64(edu, EDU_REG_DMA_DST) != dst ||
	    edu_read64(edu, EDU_REG_DMA_CNT) != len)
		return -EIO;
	__sync_synchronize();
	edu_write32(edu, EDU_REG_DMA_CMD,
		    EDU_DMA_START | (to_ram ? EDU_DMA_TO_RAM : 0));
	if (edu_wait_idle(edu, EDU_DMA_TIMEOUT_MS))
		return -ETIMEDOUT;
	__sync_synchronize();
	return 0;
}

/* In a test: one DMA that must complete (whether bytes moved is checked after). */
#define EDU_TO_DEV(edu, iova, off, len) \
	({ ASSERT_EQ(0, edu_dma(edu, false, iova, off, len)); })
#define EDU_TO_RAM(edu, iova, off, len) \
	({ ASSERT_EQ(0, edu_dma(edu, true, iova, off, len)); })

/* ---- The whole set-up, shared by every fixture ---- */

/*
 * Open /dev/iommu, find the edu at PCI address bdf, give it to vfio-pci,
 * open its cdev and, when bind is set, bind it to the iommufd and enable it
 * for DMA.
 * VTD_SETUP_SKIP means there is nothing to test here (no IOMMU, VFIO or
 * edu); VTD_SETUP_FAIL means something that must work did not.
 */
static inline int vtd_dev_open(struct vtd_dev *d, const char *bdf, bool bind,
			       struct vtd_why *why)
{
	char path[PATH_MAX + 64];
	int ret;

	memset(d, 0, sizeof(*d));
	d->iommufd = -1;
	d->devfd = -1;
	d->edu.devfd = -1;

	d->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (d->iommufd < 0)
		return vtd_why(why, VTD_SETUP_SKIP,
			       "cannot open /dev/iommu: %s (CONFIG_IOMMUFD)",
			       strerror(errno));

	ret = edu_find(&d->edu, bdf);
	if (ret)
		return vtd_why(why, VTD_SETUP_SKIP,
			       "no edu device (PCI %04x:%04x) at %s", EDU_VENDOR,
			       EDU_DEVICE, bdf);

	snprintf(path, sizeof(path), "%s/iommu_group", d->edu.sysfs);
	if (access(path, F_OK))
		return vtd_why(why, VTD_SETUP_SKIP,
			       "edu %s has no IOMMU group: no IOMMU driver handles it",
			       d->edu.bdf);
	snprintf(path, sizeof(path), "%s/iommu", d->edu.sysfs);
	sysfs_link_name(path, d->edu.unit, sizeof(d->edu.unit));

	ret = edu_bind_vfio_pci(&d->edu, why);
	if (ret)
		return ret;
	ret = edu_open_cdev(&d->edu, why);
	if (ret)
		return ret;
	d->devfd = d->edu.devfd;
	if (!bind)
		return VTD_SETUP_OK;

	if (_test_cmd_bind(d->devfd, d->iommufd, 0, &d->dev_id))
		return vtd_why(why, VTD_SETUP_SKIP,
			       "VFIO_DEVICE_BIND_IOMMUFD(%s) failed: %s%s",
			       d->edu.bdf, strerror(errno),
			       errno == EPERM ?
			       " (no MSI isolation: iommufd.allow_unsafe_interrupts=1?)" :
			       "");
	return edu_enable(&d->edu, why);
}

/*
 * Close the cdev, which unbinds the device from its iommufd. The BAR0
 * mapping holds the file open, so it goes first.
 */
static inline void vtd_dev_close_cdev(struct vtd_dev *d)
{
	if (d->edu.bar)
		munmap((void *)d->edu.bar, d->edu.bar_size);
	d->edu.bar = NULL;
	if (d->devfd >= 0)
		close(d->devfd);
	d->devfd = -1;
	d->edu.devfd = -1;
}

static inline void vtd_dev_close(struct vtd_dev *d)
{
	vtd_dev_close_cdev(d);
	if (d->iommufd >= 0)
		close(d->iommufd);
	d->iommufd = -1;
}

/* Fixture set-up glue: SKIP or fail the test as vtd_dev_open() says. */
#define VTD_DEV_OPEN(statement, dev, bdf, bind)			\
	({								\
		struct vtd_why __why = {};				\
		int __ret = vtd_dev_open(dev, bdf, bind, &__why);	\
		if (__ret == VTD_SETUP_SKIP)				\
			SKIP(statement, "%s", __why.msg);		\
		ASSERT_EQ(VTD_SETUP_OK, __ret) {			\
			TH_LOG("set-up failed: %s", __why.msg);		\
		}							\
	})

/*
 * intel-vtd's module reference count (each of its paging domains holds
 * one), or -1 when the IOMMU driver is not the intel_vtd module.
 */
static inline long vtd_module_refcnt(void)
{
	uint64_t v;

	if (sysfs_read_u64_base("/sys/module/intel_vtd/refcnt", &v, 10))
		return -1;
	return (long)v;
}

/*
 * vtd_module_refcnt() once it is @want, or after 2 s whatever it is then:
 * intel-vtd drops a freed domain's reference after an RCU grace period.
 */
static inline long vtd_module_refcnt_settled(long want)
{
	long n = vtd_module_refcnt();
	int i;

	for (i = 0; i < 200 && n != want; i++) {
		usleep(10000);
		n = vtd_module_refcnt();
	}
	return n;
}

/*
 * vtd_module_refcnt() once it stopped changing for 500 ms (at most 5 s):
 * a baseline, taken after the references of domains freed just before
 * (by an earlier test, or by this one's set-up) were dropped.
 */
static inline long vtd_module_refcnt_stable(void)
{
	long n = vtd_module_refcnt(), m;
	int i, same = 0;

	for (i = 0; i < 500 && same < 50; i++) {
		usleep(10000);
		m = vtd_module_refcnt();
		same = m == n ? same + 1 : 0;
		n = m;
	}
	return n;
}

/* ---- Fault injection: fail the Nth allocation of one call ---- */

/*
 * The kernel's fault injection (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC,
 * CONFIG_FAULT_INJECTION_DEBUG_FS) fails the Nth slab or page allocation
 * that a task makes after "N" was written to its
 * /proc/self/task/<tid>/fail-nth (any other injection point compiled in,
 * such as iommufd's own with CONFIG_IOMMUFD_TEST, counts too); reading the
 * file back gives 0 once that point was reached (and failed). Out of the
 * box allocations that may sleep and order-0 pages are exempt, so
 * vtd_fail_nth_setup() lifts that, and silences the report of every
 * injected failure (verbose 0 in each fail* directory);
 * vtd_fail_nth_restore() puts every setting back.
 */
#define VTD_FI_DIR	"/sys/kernel/debug/"
#define VTD_FI_MAX	16

static const char *const vtd_fi_knobs[][2] = {
	{ "failslab/ignore-gfp-wait", "N" },
	{ "fail_page_alloc/ignore-gfp-wait", "N" },
	{ "fail_page_alloc/ignore-gfp-highmem", "N" },
	{ "fail_page_alloc/min-order", "0" },
};

struct vtd_fail_nth {
	int fd;			/* /proc/self/task/<tid>/fail-nth, or -1 */
	unsigned int nr;	/* settings changed, to put back */
	char path[VTD_FI_MAX][80];
	char old[VTD_FI_MAX][16];
};

static inline void vtd_fail_nth_restore(struct vtd_fail_nth *f)
{
	ssize_t n;

	if (f->fd >= 0) {
		/* Disarm; a failure cannot be helped here. */
		n = pwrite(f->fd, "0", 1, 0);
		(void)n;
		close(f->fd);
	}
	f->fd = -1;
	while (f->nr) {
		f->nr--;
		sysfs_write(f->path[f->nr], f->old[f->nr]);
	}
}

/* Set one fault-injection setting, keeping its old value. */
static inline int vtd_fail_nth_set(struct vtd_fail_nth *f, const char *path,
				   const char *val)
{
	int ret;

	if (f->nr == VTD_FI_MAX)
		return -ENOSPC;
	str_copy(f->path[f->nr], sizeof(f->path[f->nr]), path);
	ret = sysfs_read(path, f->old[f->nr], sizeof(f->old[f->nr]));
	if (ret)
		return ret;
	ret = sysfs_write(path, val);
	if (!ret)
		f->nr++;
	return ret;
}

/*
 * Arm fault injection for this thread: 0, or VTD_SETUP_SKIP with the
 * reason in why when the kernel has none.
 */
static inline int vtd_fail_nth_setup(struct vtd_fail_nth *f,
				     struct vtd_why *why)
{
	char path[PATH_MAX];
	struct dirent *de;
	unsigned int i;
	DIR *dir;
	int ret = 0;

	f->nr = 0;
	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	f->fd = open(path, O_RDWR | O_CLOEXEC);
	if (f->fd < 0)
		return vtd_why(why, VTD_SETUP_SKIP,
			       "no %s (CONFIG_FAULT_INJECTION)", path);
	for (i = 0; i < ARRAY_SIZE(vtd_fi_knobs); i++) {
		snprintf(path, sizeof(path), VTD_FI_DIR "%s", vtd_fi_knobs[i][0]);
		if (access(path, F_OK)) {
			vtd_fail_nth_restore(f);
			return vtd_why(why, VTD_SETUP_SKIP,
				       "no %s (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_DEBUG_FS)",
				       path);
		}
		ret = vtd_fail_nth_set(f, path, vtd_fi_knobs[i][1]);
		if (ret)
			goto err;
	}
	dir = opendir(VTD_FI_DIR);
	while (dir && (de = readdir(dir))) {
		if (strncmp(de->d_name, "fail", 4))
			continue;
		snprintf(path, sizeof(path), VTD_FI_DIR "%s/verbose", de->d_name);
		if (access(path, F_OK))
			continue;
		ret = vtd_fail_nth_set(f, path, "0");
		if (ret)
			break;
	}
	if (dir)
		closedir(dir);
	if (!ret)
		return VTD_SETUP_OK;
err:
	vtd_fail_nth_restore(f);
	return vtd_why(why, VTD_SETUP_FAIL, "set %s: %s", path, strerror(-ret));
}

/* Fail the nth allocation from now on. 0, or -1 with errno. */
static inline int vtd_fail_nth_arm(struct vtd_fail_nth *f, unsigned int nth)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", nth);

	return pwrite(f->fd, buf, len, 0) == len ? 0 : -1;
}

/*
 * Disarm. Returns 1 when the armed allocation was reached (and failed), 0
 * when fewer allocations were made, -1 when the file could not be read.
 */
static inline int vtd_fail_nth_disarm(struct vtd_fail_nth *f)
{
	char buf[16] = "";
	ssize_t n;

	n = pread(f->fd, buf, sizeof(buf) - 1, 0);
	if (pwrite(f->fd, "0", 1, 0) != 1 || n <= 0)
		return -1;
	return strtoul(buf, NULL, 10) == 0;
}

#endif /* __SELFTEST_VTD_EDU_H */
