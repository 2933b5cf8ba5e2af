// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for iommufd-viommu's guest-ID map and VM rule: which device
 * may join a vIOMMU, and what a guest ID finds. The expectations are the
 * rules of Documentation/vtd-nest/viommu.rst, written out case by case.
 * The VMs are two distinct addresses: the layer only compares them.
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/module.h>

#include "viommu-layer.h"

static char vm_a, vm_b;
#define VM_A	((const struct kvm *)&vm_a)
#define VM_B	((const struct kvm *)&vm_b)

static void verdict_no_vm(struct kunit *test)
{
	struct viommu_link link = { .no_vm = true };

	mutex_init(&link.lock);
	mutex_lock(&link.lock);
	KUNIT_EXPECT_EQ(test, 0, viommu_link_vm_verdict(&link, NULL));
	KUNIT_EXPECT_EQ(test, -EXDEV, viommu_link_vm_verdict(&link, VM_A));
	mutex_unlock(&link.lock);
}

static void verdict_vm(struct kunit *test)
{
	struct viommu_link link = {};

	mutex_init(&link.lock);
	mutex_lock(&link.lock);
	/* Before any vDEVICE: a VM's device claims the vIOMMU. */
	KUNIT_EXPECT_EQ(test, -ENOENT, viommu_link_vm_verdict(&link, NULL));
	KUNIT_EXPECT_EQ(test, 1, viommu_link_vm_verdict(&link, VM_A));
	/* After: only that VM's devices. */
	link.kvm = (struct kvm *)VM_A;
	KUNIT_EXPECT_EQ(test, 0, viommu_link_vm_verdict(&link, VM_A));
	KUNIT_EXPECT_EQ(test, -EXDEV, viommu_link_vm_verdict(&link, VM_B));
	KUNIT_EXPECT_EQ(test, -ENOENT, viommu_link_vm_verdict(&link, NULL));
	mutex_unlock(&link.lock);
}

struct found {
	struct device *dev;
	int calls;
};

static int note_device(struct device *dev, void *arg)
{
	struct found *f = arg;

	f->dev = dev;
	f->calls++;
	return 0;
}

/* Look up @id; -ENOENT, or 0 with the device found in *dev. */
static int lookup(struct viommu_link *link, u64 id, struct device **dev)
{
	struct found f = {};
	int ret;

	ret = viommu_link_call(link, id, note_device, &f);
	*dev = f.dev;
	if (!ret && f.calls != 1)
		return -EIO;
	return ret;
}

static int insert(struct viommu_link *link, struct viommu_link_dev *ld,
		  struct device *dev, u64 id)
{
	int ret;

	mutex_lock(&link->lock);
	ret = viommu_link_id_insert(link, ld, dev, id);
	mutex_unlock(&link->lock);
	return ret;
}

static void id_map(struct kunit *test)
{
	/* IDs at both ends of a requester ID's range, and one in between. */
	static const u64 ids[] = { 0, 0x0810, 0xffff };
	struct viommu_link_dev ld[ARRAY_SIZE(ids)], dup;
	struct viommu_link *link;
	struct device *devs, *other, *dev;
	unsigned int i;

	/* Only their addresses matter: the map never touches a device. */
	devs = kunit_kcalloc(test, ARRAY_SIZE(ids) + 1, sizeof(*devs),
			     GFP_KERNEL);
	link = kunit_kzalloc(test, sizeof(*link), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, devs);
	KUNIT_ASSERT_NOT_NULL(test, link);
	other = &devs[ARRAY_SIZE(ids)];
	KUNIT_ASSERT_EQ(test, 0, viommu_link_init(link, NULL, 0, true));

	for (i = 0; i < ARRAY_SIZE(ids); i++)
		KUNIT_ASSERT_EQ(test, 0, insert(link, &ld[i], &devs[i],
						ids[i]));
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		KUNIT_EXPECT_EQ(test, 0, lookup(link, ids[i], &dev));
		KUNIT_EXPECT_PTR_EQ(test, &devs[i], dev);
	}
	/* Neighbours of a taken ID find nothing. */
	KUNIT_EXPECT_EQ(test, -ENOENT, lookup(link, 0x080f, &dev));
	KUNIT_EXPECT_EQ(test, -ENOENT, lookup(link, 0x0811, &dev));
	KUNIT_EXPECT_EQ(test, -ENOENT, lookup(link, 0x10000, &dev));

	/* A taken ID: EEXIST, and the first device keeps it. */
	KUNIT_EXPECT_EQ(test, -EEXIST, insert(link, &dup, other, 0x0810));
	KUNIT_EXPECT_EQ(test, 0, lookup(link, 0x0810, &dev));
	KUNIT_EXPECT_PTR_EQ(test, &devs[1], dev);

	/* Removed: not found; the ID can be given again. */
	viommu_link_dev_remove(&ld[1]);
	KUNIT_EXPECT_EQ(test, -ENOENT, lookup(link, 0x0810, &dev));
	KUNIT_EXPECT_EQ(test, 0, lookup(link, 0xffff, &dev));
	KUNIT_EXPECT_EQ(test, 0, insert(link, &dup, other, 0x0810));
	KUNIT_EXPECT_EQ(test, 0, lookup(link, 0x0810, &dev));
	KUNIT_EXPECT_PTR_EQ(test, other, dev);

	viommu_link_dev_remove(&dup);
	viommu_link_dev_remove(&ld[0]);
	viommu_link_dev_remove(&ld[2]);
	viommu_link_destroy(link);
}

static struct kunit_case viommu_layer_cases[] = {
	KUNIT_CASE(verdict_no_vm),
	KUNIT_CASE(verdict_vm),
	KUNIT_CASE(id_map),
	{}
};

static struct kunit_suite viommu_layer_suite = {
	.name = "iommufd_viommu_layer",
	.test_cases = viommu_layer_cases,
};

kunit_test_suite(viommu_layer_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_DESCRIPTION("KUnit tests for iommufd-viommu's guest-ID map and VM rule");
MODULE_LICENSE("GPL");
