// SPDX-License-Identifier: GPL-2.0-only
/*
 * nest_demo: what `make run` shows of nested translation and the VT-d
 * vIOMMU, as a VMM and its guest would use them, on QEMU's edu device.
 * Not a test: it narrates, and exits non-zero only when a step fails.
 *
 *   1. a KVM VM (no vCPU runs), edu's VFIO file added to it, then bound;
 *      guest RAM in an IOAS at guest-physical addresses; a nest parent;
 *   2. the guest's vIOMMU off: edu attached to the parent DMAs to GPAs;
 *   3. a VT-d vIOMMU on the parent, a vDEVICE (the guest's requester ID),
 *      a vEVENTQ;
 *   4. the guest's first-level table in guest RAM; a nested HWPT on the
 *      vIOMMU; edu attached to it DMAs to GIOVAs: GIOVA -> GPA -> HPA,
 *      the bytes shown; the translate query for that GIOVA;
 *   5. the guest unmaps a page; the VMM invalidates it on the nested HWPT
 *      (IOMMU_HWPT_INVALIDATE_DATA_VTD_S1): the DMA faults;
 *   6. the guest unmaps another page and writes a PASID-based IOTLB
 *      invalidation into its queue; the VMM forwards it as written
 *      through the vIOMMU: the DMA faults, and the fault arrives on the
 *      vEVENTQ in guest terms.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vtd_utils.h"
#include "edu.h"
#include "vtd_nest.h"
#include "vtd_viommu.h"

#define BDF		edu_primary_bdf()
#define GUEST_RID	0x0010		/* the guest's 00:02.0 */
#define GUEST_DID	7
#define GIOVA		0xabc000ULL
#define GPA_TEXT	(GPA_BASE + (4ULL << 20))
#define GPA_COPY	(GPA_TEXT + SZ_4K)
#define TEXT		"hello from guest RAM, through the guest's own page table"

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

static void section(const char *title)
{
	printf("\n== %s\n", title);
}

static void show_bytes(const char *what, const uint8_t *p)
{
	char text[65];
	int i;

	for (i = 0; i < 64; i++)
		text[i] = p[i] >= 32 && p[i] < 127 ? p[i] : '.';
	text[64] = 0;
	printf("  %s: %02x %02x %02x %02x ... |%s|\n", what, p[0], p[1], p[2],
	       p[3], text);
}

static int dma(struct edu *edu, bool to_ram, __u64 iova, const char *what)
{
	printf("  edu %s\n", what);
	if (edu_dma(edu, to_ram, iova, 0, SZ_4K))
		return fail("the DMA did not complete");
	return 0;
}

static void show_file(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "re");

	if (!f) {
		printf("  (%s: %s)\n", path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f))
		printf("    %s", line);
	fclose(f);
}

int main(void)
{
	struct vm vm = { -1, -1, -1 };
	struct iommu_viommu_vtd info = {};
	struct iommu_viommu_vtd_desc desc;
	struct iommu_vevent_vtd ev;
	struct vtd_why why = {};
	__u32 dev_id, parent, viommu, vdev, q, nested, n;
	uint8_t *text, *copy;
	char path[PATH_MAX];
	struct guest g;
	struct edu e;
	int fd, qfd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	section("1. a KVM VM, edu in it, guest RAM, a nest parent");
	fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail("open /dev/iommu: %s", strerror(errno));
	if (vm_create(&vm))
		return fail("no KVM VM (/dev/kvm): %s", strerror(errno));
	printf("  KVM_CREATE_VM and a kvm-vfio device (the VM runs no vCPU)\n");
	if (edu_open_bdf(&e, BDF, &why))
		return fail("%s", why.msg);
	if (vm_add_file(&vm, e.devfd))
		return fail("KVM_DEV_VFIO_FILE_ADD: %s", strerror(errno));
	if (vfio_bind(e.devfd, fd, &dev_id) || edu_enable(&e, &why))
		return fail("bind edu %s: %s", BDF, why.msg[0] ? why.msg :
						  strerror(errno));
	printf("  edu %s: its VFIO file added to the VM, then bound: iommufd device %u\n",
	       BDF, dev_id);
	if (guest_init(&g, fd))
		return fail("guest RAM: %s", strerror(errno));
	printf("  guest RAM: %llu MiB at GPA 0x%llx in IOAS %u\n",
	       RAM_SIZE >> 20, GPA_BASE, g.ioas);
	if (_test_cmd_hwpt_alloc(fd, dev_id, g.ioas,
				 IOMMU_HWPT_ALLOC_NEST_PARENT, &parent,
				 IOMMU_HWPT_DATA_NONE, NULL, 0))
		return fail("IOMMU_HWPT_ALLOC(NEST_PARENT): %s",
			    strerror(errno));
	printf("  IOMMU_HWPT_ALLOC(NEST_PARENT): the stage 2, HWPT %u\n",
	       parent);

	section("2. the guest's vIOMMU off: edu DMAs to guest-physical addresses");
	if (_test_cmd_attach(e.devfd, 0, parent, NULL))
		return fail("attach the parent: %s", strerror(errno));
	text = gpa_hva(&g, GPA_TEXT);
	copy = gpa_hva(&g, GPA_COPY);
	snprintf((char *)text, SZ_4K, "%s", TEXT);
	memset(copy, 0, SZ_4K);
	if (dma(&e, false, GPA_TEXT, "reads GPA 0x40400000") ||
	    dma(&e, true, GPA_COPY, "writes GPA 0x40401000"))
		return 1;
	show_bytes("guest page 0x40401000", copy);

	section("3. a VT-d vIOMMU, a vDEVICE, a vEVENTQ");
	if (viommu_alloc(fd, dev_id, parent, IOMMU_VIOMMU_TYPE_VTD_NEST, &info,
			 sizeof(info), &viommu))
		return fail("IOMMU_VIOMMU_ALLOC: %s", strerror(errno));
	printf("  IOMMU_VIOMMU_ALLOC(VTD_NEST): vIOMMU %u, engine %s\n", viommu,
	       info.out_engine == IOMMU_VIOMMU_VTD_ENGINE_SOFTWARE ?
	       "software (shadow tables)" : "hardware");
	printf("  for the guest's virtual VT-d: CAP 0x%llx ECAP 0x%llx\n",
	       (unsigned long long)info.out_cap,
	       (unsigned long long)info.out_ecap);
	if (vdevice_alloc(fd, viommu, dev_id, GUEST_RID, &vdev))
		return fail("IOMMU_VDEVICE_ALLOC: %s", strerror(errno));
	printf("  IOMMU_VDEVICE_ALLOC: edu is the guest's requester 0x%04x (vDEVICE %u);",
	       GUEST_RID, vdev);
	printf(" the vIOMMU now belongs to the VM\n");
	if (veventq_alloc(fd, viommu, &q, &qfd))
		return fail("IOMMU_VEVENTQ_ALLOC: %s", strerror(errno));
	printf("  IOMMU_VEVENTQ_ALLOC: vEVENTQ %u, fd %d\n", q, qfd);

	section("4. the guest's vIOMMU on: its own page table, nested on the parent");
	if (s1_map(&g, GIOVA, GPA_TEXT, true, false) ||
	    s1_map(&g, GIOVA + SZ_4K, GPA_COPY, true, false))
		return fail("the guest's page table");
	printf("  guest page table at GPA 0x%llx: GIOVA 0x%llx -> GPA 0x%llx, 0x%llx -> 0x%llx\n",
	       g.pml4, GIOVA, GPA_TEXT, GIOVA + SZ_4K, GPA_COPY);
	if (viommu_nested(fd, dev_id, viommu, g.pml4, GUEST_DID, &nested))
		return fail("nested HWPT: %s", strerror(errno));
	printf("  IOMMU_HWPT_ALLOC(pt_id = vIOMMU, VTD_S1, guest DID %d): HWPT %u\n",
	       GUEST_DID, nested);
	if (_test_cmd_attach(e.devfd, 0, nested, NULL))
		return fail("attach the nested HWPT: %s", strerror(errno));
	printf("  VFIO_DEVICE_ATTACH_IOMMUFD_PT: edu on the nested HWPT\n");
	memset(copy, 0, SZ_4K);
	if (dma(&e, false, GIOVA, "reads GIOVA 0xabc000") ||
	    dma(&e, true, GIOVA + SZ_4K, "writes GIOVA 0xabd000"))
		return 1;
	show_bytes("guest page 0x40401000", copy);
	if (memcmp(text, copy, SZ_4K))
		return fail("the copy differs");
	printf("  the bytes went GIOVA -> GPA -> HPA both ways\n");
	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/intel-vtd/devices/%s/translate", BDF);
	if (!sysfs_write(path, "0xabc000")) {
		printf("  debugfs translate of GIOVA 0xabc000:\n");
		show_file(path);
	}

	section("5. the guest unmaps GIOVA 0xabd000; the VMM invalidates the nested HWPT");
	s1_unmap(&g, GIOVA + SZ_4K, false);
	if (s1_invalidate(fd, nested, GIOVA + SZ_4K, 1))
		return fail("IOMMU_HWPT_INVALIDATE: %s", strerror(errno));
	printf("  IOMMU_HWPT_INVALIDATE(VTD_S1, 0xabd000, 1 page): done\n");
	memset(copy, 0xcc, SZ_4K);
	if (dma(&e, true, GIOVA + SZ_4K, "writes GIOVA 0xabd000"))
		return 1;
	show_bytes("guest page 0x40401000", copy);
	printf("  untouched: the DMA faulted\n");
	if (!veventq_read(qfd, &ev, 2000)) {
		printf("  vEVENTQ: guest requester 0x%04x %s fault", ev.rid,
		       ev.flags & IOMMU_VEVENT_VTD_WRITE ? "write" : "read");
		printf(" at GIOVA 0x%llx, reason 0x%02x\n",
		       (unsigned long long)ev.addr, ev.reason);
	}

	section("6. the guest unmaps GIOVA 0xabc000 and invalidates through its own queue");
	s1_unmap(&g, GIOVA, false);
	desc = piotlb_page(GUEST_DID, 0, GIOVA);
	printf("  guest descriptor: %016llx %016llx (PASID-based IOTLB, DID %d, page 0xabc000)\n",
	       (unsigned long long)desc.qw[0], (unsigned long long)desc.qw[1],
	       GUEST_DID);
	if (viommu_forward(fd, viommu, &desc, 1, &n) || n != 1)
		return fail("forwarding it: %s", strerror(errno));
	printf("  IOMMU_HWPT_INVALIDATE(vIOMMU, VTD_DESC): forwarded as the guest wrote it\n");
	if (dma(&e, false, GIOVA, "reads GIOVA 0xabc000"))
		return 1;
	if (veventq_read(qfd, &ev, 2000))
		return fail("no event on the vEVENTQ");
	printf("  vEVENTQ: guest requester 0x%04x, %s fault at GIOVA 0x%llx, reason 0x%02x:\n",
	       ev.rid, ev.flags & IOMMU_VEVENT_VTD_WRITE ? "write" : "read",
	       (unsigned long long)ev.addr, ev.reason);
	printf("  what the VMM writes into its virtual VT-d's fault recording register\n");

	close(qfd);
	close(e.devfd);
	close(fd);
	vm_close(&vm);
	guest_fini(&g);
	printf("\nnest_demo: done\n");
	return 0;
}
