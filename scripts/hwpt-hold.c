// SPDX-License-Identifier: GPL-2.0-only
/*
 * hwpt-hold: keep a live iommufd HWPT attached to a PCI device until
 * killed. make check runs it in the background and checks that
 * `rmmod intel-vtd` and intel-vtd's release are refused meanwhile.
 *
 *   hwpt-hold BDF
 *
 * The device must already be bound to vfio-pci. Opens /dev/iommu and the
 * device's VFIO cdev, binds it, allocates an IOAS with one page mapped at
 * IOVA 1 MiB, allocates a HWPT on that IOAS, attaches the device to the
 * HWPT, prints "ready" on stdout and waits for a signal. Exits non-zero,
 * with the failing step on stderr, if any step fails.
 *
 * Built by scripts/check.sh against the test kernel's uAPI headers.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#define IOVA	0x100000ULL

static void die(const char *what)
{
	fprintf(stderr, "hwpt-hold: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* /dev/vfio/devices/vfioN from /sys/bus/pci/devices/<bdf>/vfio-dev/. */
static int open_cdev(const char *bdf)
{
	char path[512];
	struct dirent *de;
	DIR *dir;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	dir = opendir(path);
	if (!dir)
		die(path);
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "vfio", 4))
			continue;
		snprintf(path, sizeof(path), "/dev/vfio/devices/%s", de->d_name);
		closedir(dir);
		fd = open(path, O_RDWR);
		if (fd < 0)
			die(path);
		return fd;
	}
	closedir(dir);
	errno = ENOENT;
	die("no VFIO cdev (is the device bound to vfio-pci?)");
	return -1;
}

int main(int argc, char **argv)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_hwpt_alloc hwpt = { .size = sizeof(hwpt) };
	struct iommu_ioas_map map = { .size = sizeof(map) };
	long page = sysconf(_SC_PAGESIZE);
	int iommufd, devfd;
	void *buf;

	if (argc != 2) {
		fprintf(stderr, "usage: hwpt-hold BDF\n");
		return 2;
	}

	iommufd = open("/dev/iommu", O_RDWR);
	if (iommufd < 0)
		die("/dev/iommu");
	devfd = open_cdev(argv[1]);

	bind.iommufd = iommufd;
	if (ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		die("VFIO_DEVICE_BIND_IOMMUFD");
	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas))
		die("IOMMU_IOAS_ALLOC");

	buf = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap");
	memset(buf, 0x5a, page);
	map.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
		    IOMMU_IOAS_MAP_WRITEABLE;
	map.ioas_id = ioas.out_ioas_id;
	map.user_va = (unsigned long)buf;
	map.length = page;
	map.iova = IOVA;
	if (ioctl(iommufd, IOMMU_IOAS_MAP, &map))
		die("IOMMU_IOAS_MAP");

	hwpt.dev_id = bind.out_devid;
	hwpt.pt_id = ioas.out_ioas_id;
	hwpt.data_type = IOMMU_HWPT_DATA_NONE;
	if (ioctl(iommufd, IOMMU_HWPT_ALLOC, &hwpt))
		die("IOMMU_HWPT_ALLOC");

	attach.pt_id = hwpt.out_hwpt_id;
	if (ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		die("VFIO_DEVICE_ATTACH_IOMMUFD_PT");

	printf("ready: %s attached to HWPT %u of IOAS %u\n", argv[1],
	       hwpt.out_hwpt_id, ioas.out_ioas_id);
	fflush(stdout);

	/* Closing the files on exit (any signal) undoes it all. */
	for (;;)
		pause();
}
