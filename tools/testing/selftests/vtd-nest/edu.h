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

/* ---- Finding and binding edu ---- */

static inline int edu_find(struct edu *edu)
{
	char path[PATH_MAX + 64];
	uint64_t vendor, device;
	struct dirent *de;
	DIR *dir;

	dir = opendir(PCI_DEVICES);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/vendor", de->d_name);
		if (sysfs_read_u64(path, &vendor) || vendor != EDU_VENDOR)
			continue;
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/device", de->d_name);
		if (sysfs_read_u64(path, &device) || device != EDU_DEVICE)
			continue;
		str_copy(edu->bdf, sizeof(edu->bdf), de->d_name);
		snprintf(edu->sysfs, sizeof(edu->sysfs), PCI_DEVICES "/%s",
			 de->d_name);
		closedir(dir);
		return 0;
	}
	closedir(dir);
	return -ENODEV;
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

static inline uint64_t vtd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

/* ---- The whole set-up, shared by every fixture ---- */

/*
 * Open /dev/iommu, find edu, give it to vfio-pci, open its cdev and, when
 * bind is set, bind it to the iommufd and enable it for DMA.
 * VTD_SETUP_SKIP means there is nothing to test here (no IOMMU, VFIO or
 * edu); VTD_SETUP_FAIL means something that must work did not.
 */
static inline int vtd_dev_open(struct vtd_dev *d, bool bind,
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

	ret = edu_find(&d->edu);
	if (ret)
		return vtd_why(why, VTD_SETUP_SKIP,
			       "no edu device (PCI %04x:%04x): %s", EDU_VENDOR,
			       EDU_DEVICE, strerror(-ret));

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

static inline void vtd_dev_close(struct vtd_dev *d)
{
	if (d->edu.bar)
		munmap((void *)d->edu.bar, d->edu.bar_size);
	d->edu.bar = NULL;
	if (d->devfd >= 0)
		close(d->devfd);
	if (d->iommufd >= 0)
		close(d->iommufd);
	d->devfd = -1;
	d->edu.devfd = -1;
	d->iommufd = -1;
}

/* Fixture set-up glue: SKIP or fail the test as vtd_dev_open() says. */
#define VTD_DEV_OPEN(statement, dev, bind)				\
	({								\
		struct vtd_why __why = {};				\
		int __ret = vtd_dev_open(dev, bind, &__why);		\
		if (__ret == VTD_SETUP_SKIP)				\
			SKIP(statement, "%s", __why.msg);		\
		ASSERT_EQ(VTD_SETUP_OK, __ret) {			\
			TH_LOG("set-up failed: %s", __why.msg);		\
		}							\
	})

#endif /* __SELFTEST_VTD_EDU_H */
