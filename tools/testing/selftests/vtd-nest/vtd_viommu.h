/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vtd-nest selftests: a VMM's side of the VT-d vIOMMU
 * (IOMMU_VIOMMU_TYPE_VTD_NEST, <linux/iommufd_vtd_nest.h>): a KVM VM with
 * a kvm-vfio device, edu devices chosen by address, the vIOMMU, vDEVICE,
 * vEVENTQ and nested-HWPT ioctls, and guest invalidation descriptors
 * written from the VT-d spec (3.x 6.5.2).
 */
#ifndef __SELFTEST_VTD_VIOMMU_H
#define __SELFTEST_VTD_VIOMMU_H

#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/iommufd_vtd_nest.h>

#include "vtd_utils.h"
#include "edu.h"
#include "vtd_nest.h"

/* ---- KVM: a VM with a kvm-vfio device ---- */

struct vm {
	int kvm;
	int fd;
	int vfio;	/* the kvm-vfio device */
};

/* 0, or -errno; -ENODEV without /dev/kvm. */
static inline int vm_create(struct vm *vm)
{
	struct kvm_create_device dev = { .type = KVM_DEV_TYPE_VFIO };

	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		return -ENODEV;
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return -errno;
	if (ioctl(vm->fd, KVM_CREATE_DEVICE, &dev))
		return -errno;
	vm->vfio = dev.fd;
	return 0;
}

static inline void vm_close(struct vm *vm)
{
	if (vm->vfio >= 0)
		close(vm->vfio);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->kvm >= 0)
		close(vm->kvm);
	vm->vfio = -1;
	vm->fd = -1;
	vm->kvm = -1;
}

/* KVM_DEV_VFIO_FILE_ADD: VFIO records the VM for the device's next bind. */
static inline int vm_add_file(struct vm *vm, int devfd)
{
	struct kvm_device_attr attr = {
		.group = KVM_DEV_VFIO_FILE,
		.attr = KVM_DEV_VFIO_FILE_ADD,
		.addr = (uintptr_t)&devfd,
	};

	return ioctl(vm->vfio, KVM_SET_DEVICE_ATTR, &attr);
}

/* KVM names a VM's debugfs directory "<pid>-<fd>"; it goes with the VM. */
static inline bool vm_debugfs_exists(pid_t pid, int fd)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d", pid, fd);
	return access(path, F_OK) == 0;
}

/* ---- edu devices by address ---- */

/* Give the edu at @bdf to vfio-pci and open its cdev (not bound yet). */
static inline int edu_open_bdf(struct edu *edu, const char *bdf,
			       struct vtd_why *why)
{
	char path[PATH_MAX + 64];
	int ret;

	memset(edu, 0, sizeof(*edu));
	edu->devfd = -1;
	if (edu_find(edu, bdf))
		return vtd_why(why, VTD_SETUP_SKIP, "no edu device at %s", bdf);
	snprintf(path, sizeof(path), "%s/iommu", edu->sysfs);
	sysfs_link_name(path, edu->unit, sizeof(edu->unit));
	ret = edu_bind_vfio_pci(edu, why);
	return ret ?: edu_open_cdev(edu, why);
}

static inline int vfio_bind(int devfd, int iommufd, __u32 *dev_id)
{
	return _test_cmd_bind(devfd, iommufd, 0, dev_id);
}

/* ---- The vIOMMU uAPI ---- */

static inline int viommu_alloc(int fd, __u32 dev_id, __u32 hwpt, __u32 type,
			       struct iommu_viommu_vtd *data, __u32 len, __u32 *id)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = type,
		.dev_id = dev_id,
		.hwpt_id = hwpt,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	int ret = ioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd);

	if (!ret)
		*id = cmd.out_viommu_id;
	return ret;
}

static inline int vdevice_alloc(int fd, __u32 viommu, __u32 dev_id,
				__u64 virt_id, __u32 *id)
{
	struct iommu_vdevice_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.dev_id = dev_id,
		.virt_id = virt_id,
	};
	int ret = ioctl(fd, IOMMU_VDEVICE_ALLOC, &cmd);

	if (!ret && id)
		*id = cmd.out_vdevice_id;
	return ret;
}

static inline int veventq_alloc(int fd, __u32 viommu, __u32 *id, int *qfd)
{
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.type = IOMMU_VEVENTQ_TYPE_VTD_NEST,
		.veventq_depth = 16,
	};
	int ret = ioctl(fd, IOMMU_VEVENTQ_ALLOC, &cmd);

	if (!ret) {
		*id = cmd.out_veventq_id;
		*qfd = cmd.out_veventq_fd;
	}
	return ret;
}

/* A nested HWPT on the vIOMMU, for the guest's table at @pgtbl, DID @did. */
static inline int viommu_nested(int fd, __u32 dev_id, __u32 viommu, __u64 pgtbl,
				int did, __u32 *id)
{
	struct iommu_hwpt_vtd_s1_viommu data = {
		.s1 = { .pgtbl_addr = pgtbl, .addr_width = 48 },
		.guest_did = did < 0 ? 0 : did,
		.flags = did < 0 ? 0 : IOMMU_HWPT_VTD_S1_VIOMMU_DID_VALID,
	};

	return _test_cmd_hwpt_alloc(fd, dev_id, viommu, 0, id,
				    IOMMU_HWPT_DATA_VTD_S1, &data, sizeof(data));
}

/* Forward guest descriptors; *done says how many were taken. */
static inline int viommu_forward(int fd, __u32 viommu,
				 const struct iommu_viommu_vtd_desc *d, __u32 n,
				 __u32 *done)
{
	*done = n;
	return _test_cmd_hwpt_invalidate(fd, viommu,
					 IOMMU_VIOMMU_INVALIDATE_DATA_VTD_DESC,
					 d, sizeof(*d), done);
}

/* The guest's descriptors, from the VT-d spec (3.x 6.5.2). */
static inline struct iommu_viommu_vtd_desc piotlb_page(__u16 did, __u32 pasid,
						       __u64 addr)
{
	return (struct iommu_viommu_vtd_desc){ .qw = {
		6 | (3ULL << 4) | ((__u64)did << 16) | ((__u64)pasid << 32),
		addr } };
}

static inline struct iommu_viommu_vtd_desc dev_tlb(__u16 sid, __u64 addr)
{
	return (struct iommu_viommu_vtd_desc){ .qw = {
		3 | ((__u64)sid << 32), addr } };
}

static inline struct iommu_viommu_vtd_desc wait_desc(void)
{
	return (struct iommu_viommu_vtd_desc){ .qw = { 5 | (1ULL << 5) } };
}

/* Read one event from a vEVENTQ, waiting up to @ms. 0, or -errno. */
static inline int veventq_read(int qfd, struct iommu_vevent_vtd *ev,
			       unsigned int ms)
{
	struct {
		struct iommufd_vevent_header hdr;
		struct iommu_vevent_vtd ev;
	} buf;
	struct pollfd p = { .fd = qfd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) != 1)
		return -ETIMEDOUT;
	n = read(qfd, &buf, sizeof(buf));
	if (n != sizeof(buf))
		return n < 0 ? -errno : -EIO;
	*ev = buf.ev;
	return 0;
}

#endif /* __SELFTEST_VTD_VIOMMU_H */
