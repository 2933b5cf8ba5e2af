// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtd-nest: the VT-d vIOMMU (IOMMU_VIOMMU_TYPE_VTD_NEST), the test acting
 * as a VMM with a KVM VM (no vCPU runs: QEMU's TCG "max" CPU is an AMD
 * CPU with SVM, so the test VM has /dev/kvm) and as its guest. DMA from
 * edu, bytes checked; faults read back from the vEVENTQ.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vtd_utils.h"
#include "edu.h"
#include "vtd_fault.h"
#include "vtd_nest.h"
#include "vtd_viommu.h"

#define PAGE		SZ_4K
#define FILL		0xcc
#define DMA_TIMEOUT_S	240

#define GPA_A		(GPA_BASE + (4ULL << 20))
#define GPA_B		(GPA_A + PAGE)
#define GIOVA		0x100000ULL
#define GUEST_RID	0x0810		/* the guest's 00:02.0... of bus 8 */
#define GUEST_RID2	0x0818
#define GUEST_DID	0x42

#define EDU1_BDF	edu_primary_bdf()
#define EDU2_BDF	edu_second_bdf()

/* ---- The VMM: a VM, edu bound in it, guest RAM, parent, vIOMMU ---- */

FIXTURE(vmm) {
	int iommufd;
	struct vm vm;
	struct edu edu;
	__u32 dev_id;
	struct guest g;
	__u32 parent;
	__u32 viommu;
	__u32 vdev;
	__u32 veventq;
	int qfd;
	struct iommu_viommu_vtd info;
};

FIXTURE_SETUP(vmm)
{
	struct vtd_why why = {};
	int ret;

	self->vm.kvm = -1;
	self->vm.fd = -1;
	self->vm.vfio = -1;
	self->qfd = -1;
	self->edu.devfd = -1;
	self->g.map = NULL;
	self->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (self->iommufd < 0)
		SKIP(return, "no /dev/iommu");
	ret = vm_create(&self->vm);
	if (ret == -ENODEV)
		SKIP(return, "no /dev/kvm");
	ASSERT_EQ(0, ret);
	ret = edu_open_bdf(&self->edu, EDU1_BDF, &why);
	if (ret == VTD_SETUP_SKIP)
		SKIP(return, "%s", why.msg);
	ASSERT_EQ(VTD_SETUP_OK, ret);
	/* The VM first, then the bind: VFIO records the VM at bind. */
	ASSERT_EQ(0, vm_add_file(&self->vm, self->edu.devfd));
	ASSERT_EQ(0, vfio_bind(self->edu.devfd, self->iommufd, &self->dev_id)) {
		TH_LOG("VFIO_DEVICE_BIND_IOMMUFD: %s", strerror(errno));
	}
	ASSERT_EQ(VTD_SETUP_OK, edu_enable(&self->edu, &why));

	ASSERT_EQ(0, guest_init(&self->g, self->iommufd));
	ASSERT_EQ(0, _test_cmd_hwpt_alloc(self->iommufd, self->dev_id,
					  self->g.ioas,
					  IOMMU_HWPT_ALLOC_NEST_PARENT,
					  &self->parent, IOMMU_HWPT_DATA_NONE,
					  NULL, 0));
	ASSERT_EQ(0, _test_cmd_attach(self->edu.devfd, 0, self->parent, NULL));
	ASSERT_EQ(0, viommu_alloc(self->iommufd, self->dev_id, self->parent,
				  IOMMU_VIOMMU_TYPE_VTD_NEST, &self->info,
				  sizeof(self->info), &self->viommu));
	ASSERT_EQ(0, vdevice_alloc(self->iommufd, self->viommu, self->dev_id,
				   GUEST_RID, &self->vdev));
	ASSERT_EQ(0, veventq_alloc(self->iommufd, self->viommu,
				   &self->veventq, &self->qfd));
}

FIXTURE_TEARDOWN(vmm)
{
	if (self->qfd >= 0)
		close(self->qfd);
	if (self->edu.bar)
		munmap((void *)self->edu.bar, self->edu.bar_size);
	if (self->edu.devfd >= 0)
		close(self->edu.devfd);
	if (self->iommufd >= 0)
		close(self->iommufd);
	vm_close(&self->vm);
	guest_fini(&self->g);
}

#define to_dev(e, iova) ASSERT_EQ(0, edu_dma(e, false, iova, 0, PAGE))
#define to_ram(e, iova) ASSERT_EQ(0, edu_dma(e, true, iova, 0, PAGE))

/* edu copies page @src into page @dst; guest page @sg must reach @dg. */
static void copy_check(struct __test_metadata *_metadata, struct edu *edu,
		       struct guest *g, __u64 src, __u64 dst, __u64 sg,
		       __u64 dg, uint64_t seed)
{
	uint8_t *s = gpa_hva(g, sg), *d = gpa_hva(g, dg);
	long diff;

	vtd_fill(s, PAGE, seed);
	memset(d, FILL, PAGE);
	to_dev(edu, src);
	to_ram(edu, dst);
	diff = vtd_first_diff(s, d, PAGE);
	ASSERT_EQ(-1, diff);
}

/* What the vIOMMU tells the VMM about the unit, for its guest. */
TEST_F(vmm, viommu_info)
{
	/* ECAP: QI 1, PT 6, SMTS 43, FLTS 47; CAP: CM 7, MGAW 21:16, ND 2:0 */
	EXPECT_EQ(IOMMU_VIOMMU_VTD_ENGINE_SOFTWARE, self->info.out_engine);
	EXPECT_EQ((1ULL << 1) | (1ULL << 6) | (1ULL << 43) | (1ULL << 47),
		  self->info.out_ecap);
	EXPECT_EQ(1ULL << 7, self->info.out_cap & (1ULL << 7));
	EXPECT_EQ(46, (self->info.out_cap >> 16) & 0x3f);
	EXPECT_EQ(6, self->info.out_cap & 7);
	/* No second level: SAGAW (12:8) and SLLPS (37:34) clear. */
	EXPECT_EQ(0, self->info.out_cap & ((0x1fULL << 8) | (0xfULL << 34)));
}

/*
 * The seed scenario: the guest's vIOMMU off (DMA to GPAs on the parent),
 * on (a nested HWPT on the vIOMMU), its invalidation forwarded as it
 * wrote it revokes a mapping, the DMA fault arrives on the vEVENTQ in
 * guest terms; off and on again.
 */
TEST_F_TIMEOUT(vmm, guest_vio_mmu_on_off, DMA_TIMEOUT_S)
{
	struct iommu_vevent_vtd ev = {};
	struct iommu_viommu_vtd_desc d;
	__u32 nested, done;
	uint8_t *b = gpa_hva(&self->g, GPA_B);

	copy_check(_metadata, &self->edu, &self->g, GPA_A, GPA_B, GPA_A, GPA_B,
		   1);

	ASSERT_EQ(0, s1_map(&self->g, GIOVA, GPA_A, true, false));
	ASSERT_EQ(0, s1_map(&self->g, GIOVA + PAGE, GPA_B, true, false));
	ASSERT_EQ(0, viommu_nested(self->iommufd, self->dev_id, self->viommu,
				   self->g.pml4, GUEST_DID, &nested));
	ASSERT_EQ(0, _test_cmd_attach(self->edu.devfd, 0, nested, NULL));
	copy_check(_metadata, &self->edu, &self->g, GIOVA, GIOVA + PAGE, GPA_A,
		   GPA_B, 2);

	/* The guest unmaps B and invalidates through its queue. */
	s1_unmap(&self->g, GIOVA + PAGE, false);
	d = piotlb_page(GUEST_DID, 0, GIOVA + PAGE);
	ASSERT_EQ(0, viommu_forward(self->iommufd, self->viommu, &d, 1, &done));
	ASSERT_EQ(1, done);
	memset(b, FILL, PAGE);
	to_ram(&self->edu, GIOVA + PAGE);
	ASSERT_EQ(-1, vtd_first_not(b, FILL, PAGE));
	ASSERT_EQ(0, veventq_read(self->qfd, &ev, 2000));
	EXPECT_EQ(GUEST_RID, ev.rid);
	EXPECT_EQ(GIOVA + PAGE, ev.addr);
	EXPECT_EQ(IOMMU_VEVENT_VTD_WRITE,
		  ev.flags & (IOMMU_VEVENT_VTD_READ | IOMMU_VEVENT_VTD_WRITE));

	/* Off: back in GPA space; on again. */
	ASSERT_EQ(0, _test_cmd_attach(self->edu.devfd, 0, self->parent, NULL));
	copy_check(_metadata, &self->edu, &self->g, GPA_A, GPA_B, GPA_A, GPA_B,
		   3);
	ASSERT_EQ(0, s1_map(&self->g, GIOVA + PAGE, GPA_B, true, false));
	ASSERT_EQ(0, _test_cmd_attach(self->edu.devfd, 0, nested, NULL));
	copy_check(_metadata, &self->edu, &self->g, GIOVA, GIOVA + PAGE, GPA_A,
		   GPA_B, 4);
}

/*
 * Forwarded descriptors: routed by guest domain ID; a device-TLB
 * invalidation by guest requester ID; what is refused, and entry_num.
 */
TEST_F_TIMEOUT(vmm, forwarded_descriptors, DMA_TIMEOUT_S)
{
	struct iommu_viommu_vtd_desc d[3];
	uint8_t *a = gpa_hva(&self->g, GPA_A), *b = gpa_hva(&self->g, GPA_B);
	__u32 nested, done;

	ASSERT_EQ(0, s1_map(&self->g, GIOVA, GPA_A, true, false));
	ASSERT_EQ(0, s1_map(&self->g, GIOVA + PAGE, GPA_B, true, false));
	ASSERT_EQ(0, viommu_nested(self->iommufd, self->dev_id, self->viommu,
				   self->g.pml4, GUEST_DID, &nested));
	ASSERT_EQ(0, _test_cmd_attach(self->edu.devfd, 0, nested, NULL));
	copy_check(_metadata, &self->edu, &self->g, GIOVA, GIOVA + PAGE, GPA_A,
		   GPA_B, 5);

	/* Another domain ID does not reach the HWPT: B stays mapped. */
	s1_unmap(&self->g, GIOVA + PAGE, false);
	d[0] = piotlb_page(GUEST_DID + 1, 0, GIOVA + PAGE);
	ASSERT_EQ(0, viommu_forward(self->iommufd, self->viommu, d, 1, &done));
	vtd_fill(a, PAGE, 6);
	to_dev(&self->edu, GIOVA);
	memset(b, FILL, PAGE);
	to_ram(&self->edu, GIOVA + PAGE);
	ASSERT_EQ(-1, vtd_first_diff(a, b, PAGE));

	/* The device-TLB invalidation of its requester ID does. */
	d[0] = dev_tlb(GUEST_RID, GIOVA + PAGE);
	ASSERT_EQ(0, viommu_forward(self->iommufd, self->viommu, d, 1, &done));
	memset(b, FILL, PAGE);
	to_ram(&self->edu, GIOVA + PAGE);
	ASSERT_EQ(-1, vtd_first_not(b, FILL, PAGE));

	/* A requester ID with no vDEVICE: ENOENT. */
	d[0] = dev_tlb(GUEST_RID + 1, 0);
	EXPECT_ERRNO(ENOENT, viommu_forward(self->iommufd, self->viommu, d, 1,
					    &done));
	EXPECT_EQ(0, done);
	/* A wait descriptor is the VMM's: refused after the ones before. */
	d[0] = piotlb_page(GUEST_DID, 0, GIOVA);
	d[1] = wait_desc();
	d[2] = piotlb_page(GUEST_DID, 0, GIOVA);
	EXPECT_ERRNO(EOPNOTSUPP, viommu_forward(self->iommufd, self->viommu, d,
						3, &done));
	EXPECT_EQ(1, done);
	/* A reserved bit (qword 0 bit 12) and a reserved granularity. */
	d[0] = piotlb_page(GUEST_DID, 0, GIOVA);
	d[0].qw[0] |= 1ULL << 12;
	EXPECT_ERRNO(EINVAL, viommu_forward(self->iommufd, self->viommu, d, 1,
					    &done));
	d[0] = piotlb_page(GUEST_DID, 0, GIOVA);
	d[0].qw[0] &= ~(3ULL << 4);
	EXPECT_ERRNO(EINVAL, viommu_forward(self->iommufd, self->viommu, d, 1,
					    &done));
	/* Another data type: EINVAL; entry_num 0 probes ours. */
	done = 0;
	EXPECT_EQ(0, _test_cmd_hwpt_invalidate(self->iommufd, self->viommu,
					       IOMMU_VIOMMU_INVALIDATE_DATA_VTD_DESC, d,
					       sizeof(d[0]), &done));
	EXPECT_ERRNO(EINVAL, _test_cmd_hwpt_invalidate(self->iommufd, self->viommu,
						       1, d, sizeof(d[0]), &done));
}

/*
 * Two devices of the VM on one vIOMMU, each with its own guest table and
 * guest domain ID, the same GIOVAs in both: each reaches only its own
 * guest pages, a fault names the right guest requester ID, and a guest
 * invalidation reaches only the domain ID it names.
 */
TEST_F_TIMEOUT(vmm, two_devices, DMA_TIMEOUT_S)
{
	const __u64 gpa_c = GPA_B + PAGE, gpa_d = GPA_B + 2 * PAGE;
	struct iommu_vevent_vtd ev = {};
	struct iommu_viommu_vtd_desc d;
	uint8_t *b = gpa_hva(&self->g, GPA_B), *dd = gpa_hva(&self->g, gpa_d);
	struct vtd_why why = {};
	__u32 id2, nested1, nested2, done;
	__u64 root2;
	struct edu e2;
	int ret;

	ret = edu_open_bdf(&e2, EDU2_BDF, &why);
	if (ret == VTD_SETUP_SKIP)
		SKIP(return, "%s", why.msg);
	ASSERT_EQ(VTD_SETUP_OK, ret);
	ASSERT_EQ(0, vm_add_file(&self->vm, e2.devfd));
	ASSERT_EQ(0, vfio_bind(e2.devfd, self->iommufd, &id2));
	ASSERT_EQ(VTD_SETUP_OK, edu_enable(&e2, &why));
	ASSERT_EQ(0, _test_cmd_attach(e2.devfd, 0, self->parent, NULL));
	ASSERT_EQ(0, vdevice_alloc(self->iommufd, self->viommu, id2,
				   GUEST_RID2, NULL));

	/* Table 1: GIOVA -> A, +1 -> B, +2 -> A. Table 2: GIOVA -> C, +1 -> D. */
	ASSERT_EQ(0, s1_map(&self->g, GIOVA, GPA_A, true, false));
	ASSERT_EQ(0, s1_map(&self->g, GIOVA + PAGE, GPA_B, true, false));
	ASSERT_EQ(0, s1_map(&self->g, GIOVA + 2 * PAGE, GPA_A, true, false));
	root2 = guest_table_alloc(&self->g);
	ASSERT_NE(0, root2);
	ASSERT_EQ(0, s1_map_root(&self->g, root2, GIOVA, gpa_c));
	ASSERT_EQ(0, s1_map_root(&self->g, root2, GIOVA + PAGE, gpa_d));
	ASSERT_EQ(0, viommu_nested(self->iommufd, self->dev_id, self->viommu,
				   self->g.pml4, GUEST_DID, &nested1));
	ASSERT_EQ(0, viommu_nested(self->iommufd, id2, self->viommu, root2,
				   GUEST_DID + 1, &nested2));
	ASSERT_EQ(0, _test_cmd_attach(self->edu.devfd, 0, nested1, NULL));
	ASSERT_EQ(0, _test_cmd_attach(e2.devfd, 0, nested2, NULL));

	/* Same GIOVAs, different guest pages; the other's pages untouched. */
	memset(dd, FILL, PAGE);
	copy_check(_metadata, &self->edu, &self->g, GIOVA, GIOVA + PAGE,
		   GPA_A, GPA_B, 20);
	ASSERT_EQ(-1, vtd_first_not(dd, FILL, PAGE));
	memset(b, FILL, PAGE);
	copy_check(_metadata, &e2, &self->g, GIOVA, GIOVA + PAGE, gpa_c,
		   gpa_d, 21);
	ASSERT_EQ(-1, vtd_first_not(b, FILL, PAGE));

	/* GIOVA + 2 pages is only in table 1: the second device faults. */
	to_ram(&e2, GIOVA + 2 * PAGE);
	ASSERT_EQ(0, veventq_read(self->qfd, &ev, 2000));
	EXPECT_EQ(GUEST_RID2, ev.rid);
	EXPECT_EQ(GIOVA + 2 * PAGE, ev.addr);

	/*
	 * Both guests unmap GIOVA + 1; only domain ID 1's invalidation is
	 * forwarded: the first device faults there, the second still
	 * reaches D (its shadow is stale until its own invalidation).
	 */
	s1_unmap(&self->g, GIOVA + PAGE, false);
	s1_unmap_root(&self->g, root2, GIOVA + PAGE);
	d = piotlb_page(GUEST_DID, 0, GIOVA + PAGE);
	ASSERT_EQ(0, viommu_forward(self->iommufd, self->viommu, &d, 1, &done));
	memset(b, FILL, PAGE);
	to_ram(&self->edu, GIOVA + PAGE);
	ASSERT_EQ(-1, vtd_first_not(b, FILL, PAGE));
	ASSERT_EQ(0, veventq_read(self->qfd, &ev, 2000));
	EXPECT_EQ(GUEST_RID, ev.rid);
	EXPECT_EQ(GIOVA + PAGE, ev.addr);
	copy_check(_metadata, &e2, &self->g, GIOVA, GIOVA + PAGE, gpa_c,
		   gpa_d, 22);
	/* Now domain ID 2's: the second device faults too. */
	d = piotlb_page(GUEST_DID + 1, 0, GIOVA + PAGE);
	ASSERT_EQ(0, viommu_forward(self->iommufd, self->viommu, &d, 1, &done));
	memset(dd, FILL, PAGE);
	to_ram(&e2, GIOVA + PAGE);
	ASSERT_EQ(-1, vtd_first_not(dd, FILL, PAGE));
	ASSERT_EQ(0, veventq_read(self->qfd, &ev, 2000));
	EXPECT_EQ(GUEST_RID2, ev.rid);

	munmap((void *)e2.bar, e2.bar_size);
	close(e2.devfd);
}

/* The refusals of the vIOMMU's own objects. */
TEST_F(vmm, viommu_refusals)
{
	struct iommu_viommu_vtd data = {};
	__u32 id, plain, nested;

	/* Another vIOMMU type; a parent that is not a nest parent. */
	EXPECT_ERRNO(EOPNOTSUPP, viommu_alloc(self->iommufd, self->dev_id,
					      self->parent, 0xdeadbeef, NULL, 0, &id));
	test_cmd_hwpt_alloc(self->dev_id, self->g.ioas, 0, &plain);
	EXPECT_ERRNO(EINVAL, viommu_alloc(self->iommufd, self->dev_id, plain,
					  IOMMU_VIOMMU_TYPE_VTD_NEST, NULL, 0, &id));
	/* Unknown flags; data too short. */
	data.flags = 1U << 5;
	EXPECT_ERRNO(EOPNOTSUPP, viommu_alloc(self->iommufd, self->dev_id,
					      self->parent, IOMMU_VIOMMU_TYPE_VTD_NEST,
					      &data, sizeof(data), &id));
	data.flags = 0;
	EXPECT_ERRNO(EINVAL, viommu_alloc(self->iommufd, self->dev_id,
					  self->parent, IOMMU_VIOMMU_TYPE_VTD_NEST,
					  &data, 4, &id));
	/*
	 * One device, one vDEVICE (the core checks that first); without
	 * one, a guest requester ID above 0xffff.
	 */
	EXPECT_ERRNO(EEXIST, vdevice_alloc(self->iommufd, self->viommu,
					   self->dev_id, GUEST_RID2, &id));
	test_cmd_destroy(self->vdev);
	EXPECT_ERRNO(EINVAL, vdevice_alloc(self->iommufd, self->viommu,
					   self->dev_id, 0x10000, &id));
	ASSERT_EQ(0, vdevice_alloc(self->iommufd, self->viommu, self->dev_id,
				   GUEST_RID, &self->vdev));
	/* A vIOMMU's nested HWPT: bad extension flags, reserved. */
	{
		struct iommu_hwpt_vtd_s1_viommu ext = {
			.s1 = { .pgtbl_addr = self->g.pml4, .addr_width = 48 },
			.flags = 2,
		};

		EXPECT_ERRNO(EOPNOTSUPP, _test_cmd_hwpt_alloc(self->iommufd,
							      self->dev_id, self->viommu, 0,
							      &nested, IOMMU_HWPT_DATA_VTD_S1,
							      &ext, sizeof(ext)));
		ext.flags = 0;
		ext.__reserved = 1;
		EXPECT_ERRNO(EINVAL, _test_cmd_hwpt_alloc(self->iommufd,
							  self->dev_id, self->viommu, 0,
							  &nested, IOMMU_HWPT_DATA_VTD_S1,
							  &ext, sizeof(ext)));
	}
	/* The vIOMMU and its objects pin the module: rmmod refused. */
	EXPECT_NE(0, system("rmmod intel_vtd 2>/dev/null"));
	EXPECT_NE(0, system("rmmod iommufd_viommu 2>/dev/null"));
	EXPECT_EQ(0, access("/sys/module/intel_vtd", F_OK));
	test_cmd_destroy(plain);
}

/*
 * Devices outside the vIOMMU's VM: a second edu, bound with no VM, then
 * in a second VM. And a nested HWPT of the vIOMMU is only for its
 * vDEVICEs.
 */
TEST_F_TIMEOUT(vmm, link_refusals, DMA_TIMEOUT_S)
{
	struct vtd_why why = {};
	struct edu e2;
	struct vm vm2 = { -1, -1, -1 };
	__u32 id2, nested;
	int ret;

	ret = edu_open_bdf(&e2, EDU2_BDF, &why);
	if (ret == VTD_SETUP_SKIP)
		SKIP(return, "%s", why.msg);
	ASSERT_EQ(VTD_SETUP_OK, ret);

	/* Bound without a VM: not this VM's device. */
	ASSERT_EQ(0, vfio_bind(e2.devfd, self->iommufd, &id2));
	EXPECT_ERRNO(ENOENT, vdevice_alloc(self->iommufd, self->viommu, id2,
					   GUEST_RID2, NULL));
	/* ...nor may it attach the vIOMMU's nested HWPT. */
	ASSERT_EQ(0, viommu_nested(self->iommufd, self->dev_id, self->viommu,
				   self->g.pml4, GUEST_DID, &nested));
	EXPECT_ERRNO(ENODEV, _test_cmd_attach(e2.devfd, 0, nested, NULL));
	close(e2.devfd);

	/* Bound in another VM. */
	ASSERT_EQ(0, vm_create(&vm2));
	ASSERT_EQ(VTD_SETUP_OK, edu_open_cdev(&e2, &why));
	ASSERT_EQ(0, vm_add_file(&vm2, e2.devfd));
	ASSERT_EQ(0, vfio_bind(e2.devfd, self->iommufd, &id2));
	EXPECT_ERRNO(EXDEV, vdevice_alloc(self->iommufd, self->viommu, id2,
					  GUEST_RID2, NULL));
	close(e2.devfd);
	vm_close(&vm2);
	test_cmd_destroy(nested);
}

/* A vIOMMU created for no VM takes only devices of none. */
TEST(novm_viommu)
{
	struct iommu_viommu_vtd data = { .flags = IOMMU_VIOMMU_VTD_NO_VM };
	struct vtd_why why = {};
	struct vm vm = { -1, -1, -1 };
	__u32 dev_id, dev2, parent, viommu;
	struct edu e, e2;
	struct guest g;
	int fd, ret;

	fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		SKIP(return, "no /dev/iommu");
	ret = edu_open_bdf(&e, EDU1_BDF, &why);
	if (ret == VTD_SETUP_SKIP)
		SKIP(return, "%s", why.msg);
	ASSERT_EQ(VTD_SETUP_OK, ret);
	ASSERT_EQ(0, vfio_bind(e.devfd, fd, &dev_id));
	ASSERT_EQ(0, guest_init(&g, fd));
	ASSERT_EQ(0, _test_cmd_hwpt_alloc(fd, dev_id, g.ioas,
					  IOMMU_HWPT_ALLOC_NEST_PARENT, &parent,
					  IOMMU_HWPT_DATA_NONE, NULL, 0));
	ASSERT_EQ(0, viommu_alloc(fd, dev_id, parent,
				  IOMMU_VIOMMU_TYPE_VTD_NEST, &data,
				  sizeof(data), &viommu));
	ASSERT_EQ(0, vdevice_alloc(fd, viommu, dev_id, GUEST_RID, NULL));

	ret = edu_open_bdf(&e2, EDU2_BDF, &why);
	if (ret == VTD_SETUP_OK && !vm_create(&vm)) {
		ASSERT_EQ(0, vm_add_file(&vm, e2.devfd));
		ASSERT_EQ(0, vfio_bind(e2.devfd, fd, &dev2));
		EXPECT_ERRNO(EXDEV, vdevice_alloc(fd, viommu, dev2, GUEST_RID2,
						  NULL));
		close(e2.devfd);
		vm_close(&vm);
	}
	close(e.devfd);
	close(fd);
	guest_fini(&g);
}

/*
 * Another driver's nest parent (iommufd's mock driver, built into the
 * debug test kernel) under our vIOMMU type: refused by us, since the core
 * only checks that it is a nest parent.
 */
#include "iommufd_test.h"

TEST_F(vmm, foreign_parent)
{
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = self->g.ioas,
	};
	__u32 parent, id;

	if (ioctl(self->iommufd, IOMMU_TEST_CMD, &mock))
		SKIP(return, "no iommufd mock driver (CONFIG_IOMMUFD_TEST)");
	ASSERT_EQ(0, _test_cmd_hwpt_alloc(self->iommufd,
					  mock.mock_domain.out_idev_id,
					  self->g.ioas,
					  IOMMU_HWPT_ALLOC_NEST_PARENT, &parent,
					  IOMMU_HWPT_DATA_NONE, NULL, 0));
	EXPECT_ERRNO(EINVAL, viommu_alloc(self->iommufd, self->dev_id, parent,
					  IOMMU_VIOMMU_TYPE_VTD_NEST, NULL, 0, &id));
	/* And a nested HWPT of ours on it: the core checks the owner here. */
	EXPECT_ERRNO(EINVAL, _test_cmd_nested_alloc(self->iommufd, self->dev_id,
						    parent, self->g.pml4, 48, 0, &id));
	test_cmd_destroy(parent);
	test_cmd_destroy(mock.mock_domain.out_stdev_id);
}

/* One step of vmm_build(): report it on stderr if it failed. */
static bool vmm_step_failed(bool failed, const char *fn, const char *call,
			    const struct vtd_why *why)
{
	if (failed)
		fprintf(stderr, "# %s: %s: %s %s\n", fn, call, strerror(errno),
			why->msg);
	return failed;
}

/*
 * Teardown in every order, and a VMM killed: nothing is left, the VM is
 * freed (its KVM debugfs directory goes away).
 */
static int vmm_build(struct vm *vm, int *iommufd, int *devfd, int *qfd,
		     struct guest *g)
{
	struct iommu_viommu_vtd info = {};
	struct vtd_why why = {};
	__u32 dev_id, parent, viommu, q;
	struct edu e;

/* Evaluates call; true, after a report naming it, if it failed. */
#define VMM_STEP(call) vmm_step_failed((call), __func__, #call, &why)

	*iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (VMM_STEP(*iommufd < 0) || VMM_STEP(vm_create(vm)) ||
	    VMM_STEP(edu_open_bdf(&e, EDU1_BDF, &why)))
		return -1;
	*devfd = e.devfd;
	if (VMM_STEP(vm_add_file(vm, e.devfd)) ||
	    VMM_STEP(vfio_bind(e.devfd, *iommufd, &dev_id)) ||
	    VMM_STEP(guest_init(g, *iommufd)) ||
	    VMM_STEP(_test_cmd_hwpt_alloc(*iommufd, dev_id, g->ioas,
					  IOMMU_HWPT_ALLOC_NEST_PARENT, &parent,
					  IOMMU_HWPT_DATA_NONE, NULL, 0)) ||
	    VMM_STEP(viommu_alloc(*iommufd, dev_id, parent,
				  IOMMU_VIOMMU_TYPE_VTD_NEST, &info,
				  sizeof(info), &viommu)) ||
	    VMM_STEP(vdevice_alloc(*iommufd, viommu, dev_id, GUEST_RID, NULL)) ||
	    VMM_STEP(veventq_alloc(*iommufd, viommu, &q, qfd)))
		return -1;
	return 0;
#undef VMM_STEP
}

static void teardown_in_order(struct __test_metadata *_metadata, int order)
{
	struct vm vm = { -1, -1, -1 };
	int iommufd = -1, devfd = -1, qfd = -1;
	struct guest g = {};
	pid_t pid = getpid();
	int vmfd, i;

	ASSERT_EQ(0, vmm_build(&vm, &iommufd, &devfd, &qfd, &g));
	vmfd = vm.fd;
	ASSERT_TRUE(vm_debugfs_exists(pid, vmfd));
	/* The vEVENTQ's fd holds the iommufd context like its own fd. */
	switch (order) {
	case 0:		/* the VM first */
		vm_close(&vm);
		close(devfd);
		close(qfd);
		close(iommufd);
		break;
	case 1:		/* the VFIO device first */
		close(devfd);
		vm_close(&vm);
		close(qfd);
		close(iommufd);
		break;
	default:	/* iommufd first */
		close(qfd);
		close(iommufd);
		close(devfd);
		vm_close(&vm);
		break;
	}
	guest_fini(&g);
	/* The last reference may be dropped by a deferred close. */
	for (i = 0; i < 100 && vm_debugfs_exists(pid, vmfd); i++)
		usleep(20000);
	EXPECT_FALSE(vm_debugfs_exists(pid, vmfd));
}

TEST(teardown_vm_first) { teardown_in_order(_metadata, 0); }
TEST(teardown_vfio_first) { teardown_in_order(_metadata, 1); }
TEST(teardown_iommufd_first) { teardown_in_order(_metadata, 2); }

TEST(teardown_killed)
{
	int pipefd[2], status, i;
	int vmfd = -1;
	bool exists;
	pid_t child;

	if (access("/dev/kvm", F_OK))
		SKIP(return, "no /dev/kvm");
	ASSERT_EQ(0, pipe(pipefd));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		struct vm vm = { -1, -1, -1 };
		int iommufd, devfd, qfd;
		struct guest g;

		vmfd = vmm_build(&vm, &iommufd, &devfd, &qfd, &g) ? -1 : vm.fd;
		if (write(pipefd[1], &vmfd, sizeof(vmfd)) != sizeof(vmfd))
			_exit(1);
		pause();
		_exit(0);
	}
	/* The child goes whatever happens, so no test after sees its files. */
	if (read(pipefd[0], &vmfd, sizeof(vmfd)) != sizeof(vmfd))
		vmfd = -1;
	exists = vmfd >= 0 && vm_debugfs_exists(child, vmfd);
	kill(child, SIGKILL);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_LE(0, vmfd);
	ASSERT_TRUE(exists);
	for (i = 0; i < 100 && vm_debugfs_exists(child, vmfd); i++)
		usleep(20000);
	EXPECT_FALSE(vm_debugfs_exists(child, vmfd));
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST_HARNESS_MAIN
