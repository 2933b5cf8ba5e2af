/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vtd-nest's additions to the iommufd uAPI (<linux/iommufd.h>): a VT-d
 * vIOMMU type, its data, its invalidation array type and its event type.
 * See Documentation/vtd-nest/viommu.rst.
 *
 * The type values are private: upstream numbers its types from 0 up, so
 * ours sit far above them (the ASCII of "vtdN"); the driver refuses every
 * other vIOMMU type.
 *
 * Nested HWPTs use the upstream IOMMU_HWPT_DATA_VTD_S1 and
 * IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 (struct iommu_hwpt_vtd_s1, struct
 * iommu_hwpt_vtd_s1_invalidate). With the software nesting engine the
 * guest (or the VMM on its behalf) must invalidate after every change of
 * its first-level table, including a not-present entry made present, as
 * under VT-d caching mode.
 */
#ifndef _UAPI_LINUX_IOMMUFD_VTD_NEST_H
#define _UAPI_LINUX_IOMMUFD_VTD_NEST_H

#include <linux/types.h>
#include <linux/iommufd.h>

/* IOMMU_VIOMMU_ALLOC type: a VT-d vIOMMU (struct iommu_viommu_vtd). */
#define IOMMU_VIOMMU_TYPE_VTD_NEST		0x7674644e

/* IOMMU_VEVENTQ_ALLOC type: its events (struct iommu_vevent_vtd). */
#define IOMMU_VEVENTQ_TYPE_VTD_NEST		0x7674644e

/*
 * IOMMU_HWPT_INVALIDATE data type on a VT-d vIOMMU: the guest's own
 * invalidation descriptors (struct iommu_viommu_vtd_desc).
 */
#define IOMMU_VIOMMU_INVALIDATE_DATA_VTD_DESC	0x7674644e

/**
 * enum iommu_viommu_vtd_flags - flags of struct iommu_viommu_vtd
 * @IOMMU_VIOMMU_VTD_NO_VM: the vIOMMU serves no KVM VM: it accepts only
 *	devices whose VFIO file was never added to a VM (without this flag
 *	it accepts only devices of one VM, the VM of its first vDEVICE)
 */
enum iommu_viommu_vtd_flags {
	IOMMU_VIOMMU_VTD_NO_VM = 1 << 0,
};

/**
 * enum iommu_viommu_vtd_engine - how the unit nests
 * @IOMMU_VIOMMU_VTD_ENGINE_SOFTWARE: the driver composes the guest's table
 *	with the parent into a shadow table: the guest must invalidate
 *	after every change of its table (see the top of this file)
 * @IOMMU_VIOMMU_VTD_ENGINE_HARDWARE: the unit walks the guest's table
 *	nested on the parent (ECAP.NEST)
 */
enum iommu_viommu_vtd_engine {
	IOMMU_VIOMMU_VTD_ENGINE_SOFTWARE = 1,
	IOMMU_VIOMMU_VTD_ENGINE_HARDWARE = 2,
};

/**
 * struct iommu_viommu_vtd - IOMMU_VIOMMU_ALLOC data for
 *			     IOMMU_VIOMMU_TYPE_VTD_NEST
 * @flags: in: enum iommu_viommu_vtd_flags
 * @out_engine: out: enum iommu_viommu_vtd_engine
 * @out_cap: out: the Capability Register a VMM may show its guest for a
 *	virtual VT-d backed by this vIOMMU (first-level translation only;
 *	caching mode set when the engine is software)
 * @out_ecap: out: the Extended Capability Register likewise
 */
struct iommu_viommu_vtd {
	__u32 flags;
	__u32 out_engine;
	__aligned_u64 out_cap;
	__aligned_u64 out_ecap;
};

/**
 * struct iommu_hwpt_vtd_s1_viommu - IOMMU_HWPT_DATA_VTD_S1 data of a nested
 *				     HWPT allocated on a VT-d vIOMMU
 * @s1: the guest's first-level table, as struct iommu_hwpt_vtd_s1
 * @guest_did: the domain ID the guest's PASID entry gives it: forwarded
 *	PASID-based IOTLB invalidations with this domain ID reach the HWPT
 * @flags: IOMMU_HWPT_VTD_S1_VIOMMU_DID_VALID: @guest_did is set; without
 *	it (or with only the @s1 part passed) every forwarded PASID-based
 *	invalidation reaches the HWPT, whatever its domain ID
 *
 * A VMM may pass just the @s1 part (data_len = sizeof(struct
 * iommu_hwpt_vtd_s1)).
 */
struct iommu_hwpt_vtd_s1_viommu {
	struct iommu_hwpt_vtd_s1 s1;
	__u16 guest_did;
	__u16 flags;
	__u32 __reserved;
};

#define IOMMU_HWPT_VTD_S1_VIOMMU_DID_VALID	(1 << 0)

/**
 * struct iommu_viommu_vtd_desc - one guest invalidation descriptor, as the
 *				  guest wrote it into its 256-bit queue
 * @qw: its four 64-bit words
 *
 * Accepted types (VT-d 3.x 6.5.2): PASID-based IOTLB (6), PASID-cache (7),
 * device-TLB (3) and PASID-based device-TLB (8); guest requester IDs are
 * translated through the vIOMMU's vDEVICEs (virt_id = requester ID).
 * Every other type, wait descriptors included (the VMM completes those),
 * is refused with EOPNOTSUPP.
 */
struct iommu_viommu_vtd_desc {
	__aligned_u64 qw[4];
};

/**
 * enum iommu_vevent_vtd_flags - flags of struct iommu_vevent_vtd
 * @IOMMU_VEVENT_VTD_PASID: @pasid is valid
 * @IOMMU_VEVENT_VTD_READ: the faulting request read
 * @IOMMU_VEVENT_VTD_WRITE: the faulting request wrote
 */
enum iommu_vevent_vtd_flags {
	IOMMU_VEVENT_VTD_PASID = 1 << 0,
	IOMMU_VEVENT_VTD_READ = 1 << 1,
	IOMMU_VEVENT_VTD_WRITE = 1 << 2,
};

/**
 * struct iommu_vevent_vtd - a DMA fault of a device of the vIOMMU, in the
 *			     guest's terms (IOMMU_VEVENTQ_TYPE_VTD_NEST)
 * @rid: the guest's requester ID of the device (its vDEVICE's virt_id)
 * @flags: enum iommu_vevent_vtd_flags
 * @pasid: the PASID of the request, with IOMMU_VEVENT_VTD_PASID
 * @reason: the fault reason (VT-d 3.x 7.1.3)
 * @__reserved: zero
 * @addr: the faulting guest I/O virtual address, page aligned
 *
 * What a VMM needs to write a fault recording register of its virtual
 * VT-d.
 */
struct iommu_vevent_vtd {
	__u32 rid;
	__u32 flags;
	__u32 pasid;
	__u8 reason;
	__u8 __reserved[3];
	__aligned_u64 addr;
};

#endif /* _UAPI_LINUX_IOMMUFD_VTD_NEST_H */
