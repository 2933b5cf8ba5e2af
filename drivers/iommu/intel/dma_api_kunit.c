// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit test of the DMA API through the IOMMU that translates for QEMU's
 * edu device (PCI 1234:11e8): the path a kernel driver takes, as opposed
 * to the iommufd path the kselftests take.
 *
 * The suite binds a small PCI driver of its own to edu for its duration
 * (suite_init registers it, suite_exit unregisters it, so edu is left
 * without a driver for the tests that come next). A driver that already
 * holds edu (vfio-pci after the kselftests) is unbound first and a
 * driver_override cleared; vfio-pci waits for every user of the device to
 * close it, so do not load this module while a program has edu open.
 *
 * Every case moves data with edu's DMA engine: BAR0 registers 0x80 source,
 * 0x88 destination, 0x90 count, 0x98 command (bit 0 start, bit 1 direction:
 * set for device -> RAM); the device side is a 4 KiB buffer at device
 * address 0x40000; a transfer finishes about 100 ms (virtual time) after
 * the command write, when the start bit clears. edu reports no DMA errors,
 * so every check is on the bytes, byte for byte, including that bytes next
 * to a transfer keep their value. Each transfer carries a new pattern, so
 * a DMA that did not happen cannot pass on what an earlier one left.
 *
 * Skips: no edu device; or edu has no IOMMU group, which means no IOMMU
 * driver handles it at all (the built-in driver is off and intel-vtd is not
 * loaded). With require_iommu=1 (what make check passes, after loading
 * intel-vtd) that second case fails instead. A device in an IOMMU group
 * whose domain is not a DMA domain (identity, blocked) always fails: the
 * DMA API would then bypass translation.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8

/* edu registers (hw/misc/edu.c, docs/specs/edu.rst), BAR0 offsets. */
#define EDU_REG_ID		0x00	/* 0xRRrr00ed */
#define EDU_ID_MAGIC		0x00ed
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_CNT		0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_START		BIT(0)
#define EDU_DMA_TO_RAM		BIT(1)	/* direction: device -> RAM */
#define EDU_BUF_ADDR		0x40000ULL
#define EDU_BUF_SIZE		SZ_4K

#define EDU_DMA_TIMEOUT_MS	5000

/* What bytes outside a transfer hold. */
#define GUARD			0x5a

static bool require_iommu;
module_param(require_iommu, bool, 0444);
MODULE_PARM_DESC(require_iommu,
		 "Fail instead of skipping when no IOMMU driver handles edu");

/*
 * The edu this suite drives. Set by suite_init and by the driver's probe
 * and remove, which the driver core runs before suite_init returns and
 * after suite_exit unregisters the driver: the cases only read it.
 */
static struct {
	bool present;		/* an edu exists */
	int probe_err;		/* why our probe failed */
	struct pci_dev *pdev;	/* bound to edu_kunit_driver */
	void __iomem *regs;
	u32 seed;		/* next test pattern */
} edu;

/* ---- The driver ---- */

static int edu_kunit_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	void __iomem *regs;
	u32 ident;
	int ret;

	if (edu.pdev)
		return -EBUSY;	/* one edu is enough */
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	regs = pcim_iomap_region(pdev, 0, KBUILD_MODNAME);
	if (IS_ERR(regs))
		return PTR_ERR(regs);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	ident = readl(regs + EDU_REG_ID);
	if ((ident & 0xffff) != EDU_ID_MAGIC) {
		dev_err(&pdev->dev, "ID register reads %#x: not an edu\n",
			ident);
		return -ENODEV;
	}
	pci_set_master(pdev);
	edu.regs = regs;
	edu.pdev = pdev;
	return 0;
}

static int edu_kunit_probe_record(struct pci_dev *pdev,
				  const struct pci_device_id *id)
{
	int ret = edu_kunit_probe(pdev, id);

	if (ret)
		edu.probe_err = ret;
	return ret;
}

static void edu_kunit_remove(struct pci_dev *pdev)
{
	if (pdev != edu.pdev)
		return;
	pci_clear_master(pdev);
	edu.pdev = NULL;
	edu.regs = NULL;
}

static const struct pci_device_id edu_kunit_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ }
};

static struct pci_driver edu_kunit_driver = {
	.name = KBUILD_MODNAME,
	.id_table = edu_kunit_ids,
	.probe = edu_kunit_probe_record,
	.remove = edu_kunit_remove,
};

/* Take edu from whatever driver holds it, and drop a driver_override. */
static void edu_take(struct kunit_suite *suite, struct pci_dev *pdev)
{
	struct device *dev = &pdev->dev;
	char drv[32] = "";

	device_lock(dev);
	if (dev->driver)
		strscpy(drv, dev->driver->name);
	device_unlock(dev);
	if (drv[0]) {
		kunit_log(KERN_INFO, suite,
			  "# unbinding edu %s from %s\n", pci_name(pdev), drv);
		device_release_driver(dev);
	}
	if (device_has_driver_override(dev)) {
		kunit_log(KERN_INFO, suite,
			  "# clearing driver_override of edu %s\n",
			  pci_name(pdev));
		device_set_driver_override(dev, "");
	}
}

static int edu_suite_init(struct kunit_suite *suite)
{
	struct pci_dev *pdev;

	memset(&edu, 0, sizeof(edu));
	pdev = pci_get_device(EDU_VENDOR, EDU_DEVICE, NULL);
	if (pdev) {
		edu.present = true;
		edu_take(suite, pdev);
		pci_dev_put(pdev);
	}
	return pci_register_driver(&edu_kunit_driver);
}

static void edu_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&edu_kunit_driver);
}

/* ---- Helpers for the cases ---- */

/*
 * edu, bound to our driver and translated by an IOMMU DMA domain, or the
 * case is skipped or fails (see the file comment).
 */
static struct device *edu_setup(struct kunit *test, struct iommu_domain **dom)
{
	struct iommu_domain *d;
	struct device *dev;

	if (!edu.present)
		kunit_skip(test,
			   "no edu device (PCI %04x:%04x); QEMU needs -device edu,dma_mask=0xffffffffffffffff",
			   EDU_VENDOR, EDU_DEVICE);
	KUNIT_ASSERT_NOT_NULL_MSG(test, edu.pdev,
				  "edu is not bound to %s (probe returned %d)",
				  KBUILD_MODNAME, edu.probe_err);
	dev = &edu.pdev->dev;

	if (!device_iommu_mapped(dev)) {
		if (!require_iommu)
			kunit_skip(test,
				   "edu %s has no IOMMU group: no IOMMU driver handles it",
				   pci_name(edu.pdev));
		KUNIT_FAIL_AND_ABORT(test,
				     "edu %s has no IOMMU group, and require_iommu=1: the IOMMU driver did not take it",
				     pci_name(edu.pdev));
	}

	d = iommu_get_domain_for_dev(dev);
	KUNIT_ASSERT_NOT_NULL_MSG(test, d,
				  "edu %s is in an IOMMU group without a domain",
				  pci_name(edu.pdev));
	KUNIT_ASSERT_TRUE_MSG(test,
			      d->type == IOMMU_DOMAIN_DMA ||
			      d->type == IOMMU_DOMAIN_DMA_FQ,
			      "edu's domain has type %#x, not DMA (%#x) or DMA_FQ (%#x): the DMA API does not translate through the IOMMU",
			      d->type, IOMMU_DOMAIN_DMA, IOMMU_DOMAIN_DMA_FQ);
	*dom = d;
	return dev;
}

/* Physical address of a byte of the linear map or of vmalloc space. */
static phys_addr_t cpu_phys(const void *p)
{
	struct page *page;

	page = is_vmalloc_addr(p) ? vmalloc_to_page(p) : virt_to_page(p);
	return page_to_phys(page) + offset_in_page(p);
}

/*
 * Every page of [cpu, cpu + len), mapped at dma, must translate to the
 * physical address of its bytes: the first byte, each page boundary of
 * either side, and the last byte.
 */
static void expect_translation(struct kunit *test, struct iommu_domain *dom,
			       dma_addr_t dma, const void *cpu, size_t len)
{
	size_t off = 0, step;
	phys_addr_t got, want;

	while (off < len) {
		got = iommu_iova_to_phys(dom, dma + off);
		want = cpu_phys(cpu + off);
		KUNIT_EXPECT_EQ_MSG(test, got, want,
				    "IOVA %pad + %#zx translates to %pa, not to the buffer's %pa",
				    &dma, off, &got, &want);
		step = min(PAGE_SIZE - offset_in_page(dma + off),
			   PAGE_SIZE - offset_in_page(cpu + off));
		off += step;
	}
	if (len) {
		got = iommu_iova_to_phys(dom, dma + len - 1);
		want = cpu_phys(cpu + len - 1);
		KUNIT_EXPECT_EQ_MSG(test, got, want,
				    "last byte, IOVA %pad + %#zx: %pa, not %pa",
				    &dma, len - 1, &got, &want);
	}
}

/* A reproducible pattern, never the guard byte throughout. */
static u32 fill(void *buf, size_t len)
{
	u32 seed = ++edu.seed, x = seed * 2654435761U + 1;
	u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = x >> 24;
	}
	return seed;
}

static void expect_bytes(struct kunit *test, const void *got,
			 const void *want, size_t len, const char *what)
{
	const u8 *g = got, *w = want;
	size_t i, bad = 0, first = 0;

	for (i = 0; i < len; i++) {
		if (g[i] == w[i])
			continue;
		if (!bad++)
			first = i;
	}
	if (bad)
		KUNIT_FAIL(test,
			   "%s: %zu of %zu bytes differ, the first at %#zx: %#04x, expected %#04x",
			   what, bad, len, first, g[first], w[first]);
}

/* [start, start + len) of buf must still hold the guard byte. */
static void expect_guard(struct kunit *test, const void *buf, size_t start,
			 size_t len, const char *what)
{
	const u8 *p = buf;
	size_t i;

	for (i = start; i < start + len; i++) {
		if (p[i] != GUARD) {
			KUNIT_FAIL(test,
				   "%s: byte %#zx outside the transfer changed to %#04x",
				   what, i, p[i]);
			return;
		}
	}
}

static int edu_wait_idle(void)
{
	unsigned long end = jiffies + msecs_to_jiffies(EDU_DMA_TIMEOUT_MS);

	while (readl(edu.regs + EDU_REG_DMA_CMD) & EDU_DMA_START) {
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		usleep_range(1000, 2000);
	}
	return 0;
}

/*
 * One transfer of len bytes between bus address addr and the device
 * buffer at dev_off: to_ram false reads RAM, true writes it. 0 once edu
 * reports completion; -EIO if the registers did not take the values;
 * -ETIMEDOUT if it never finished.
 */
static int edu_dma(bool to_ram, dma_addr_t addr, u32 dev_off, u32 len)
{
	u64 dev = EDU_BUF_ADDR + dev_off;
	u64 src = to_ram ? dev : addr, dst = to_ram ? addr : dev;
	int ret;

	if (!len || dev_off >= EDU_BUF_SIZE || len > EDU_BUF_SIZE - dev_off)
		return -EINVAL;
	ret = edu_wait_idle();
	if (ret)
		return ret;
	writeq(src, edu.regs + EDU_REG_DMA_SRC);
	writeq(dst, edu.regs + EDU_REG_DMA_DST);
	writeq(len, edu.regs + EDU_REG_DMA_CNT);
	if (readq(edu.regs + EDU_REG_DMA_SRC) != src ||
	    readq(edu.regs + EDU_REG_DMA_DST) != dst ||
	    readq(edu.regs + EDU_REG_DMA_CNT) != len)
		return -EIO;
	/* writel() orders the buffer writes before it; readl() the reads. */
	writel(EDU_DMA_START | (to_ram ? EDU_DMA_TO_RAM : 0),
	       edu.regs + EDU_REG_DMA_CMD);
	return edu_wait_idle();
}

/* The transfer must complete; the caller checks the bytes. */
static void assert_dma(struct kunit *test, bool to_ram, dma_addr_t addr,
		       u32 dev_off, u32 len)
{
	int ret = edu_dma(to_ram, addr, dev_off, len);

	KUNIT_ASSERT_EQ_MSG(test, ret, 0,
			    "edu DMA %s %pad, device offset %#x, %#x bytes",
			    to_ram ? "to" : "from", &addr, dev_off, len);
}

/* Buffers and mappings that are released when the case ends. */

struct coh_buf {
	struct device *dev;
	size_t size;
	void *cpu;
	dma_addr_t dma;
};

static void coh_free(void *p)
{
	struct coh_buf *b = p;

	dma_free_coherent(b->dev, b->size, b->cpu, b->dma);
}

static struct coh_buf *coh_alloc(struct kunit *test, struct device *dev,
				 size_t size)
{
	struct coh_buf *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	b->dev = dev;
	b->size = size;
	b->cpu = dma_alloc_coherent(dev, size, &b->dma, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL_MSG(test, b->cpu, "dma_alloc_coherent(%zu)",
				  size);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, coh_free, b), 0);
	return b;
}

struct single_map {
	struct device *dev;
	dma_addr_t dma;
	size_t len;
	enum dma_data_direction dir;
};

static void single_unmap(void *p)
{
	struct single_map *m = p;

	dma_unmap_single(m->dev, m->dma, m->len, m->dir);
}

static struct single_map *single_map(struct kunit *test, struct device *dev,
				     void *cpu, size_t len,
				     enum dma_data_direction dir)
{
	struct single_map *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->dev = dev;
	m->len = len;
	m->dir = dir;
	m->dma = dma_map_single(dev, cpu, len, dir);
	KUNIT_ASSERT_EQ_MSG(test, dma_mapping_error(dev, m->dma), 0,
			    "dma_map_single(%zu bytes, dir %d)", len, dir);
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test, single_unmap, m), 0);
	return m;
}

struct sg_map {
	struct device *dev;
	struct sg_table sgt;
	enum dma_data_direction dir;
	bool mapped;
};

static void sg_release(void *p)
{
	struct sg_map *m = p;

	if (m->mapped)
		dma_unmap_sgtable(m->dev, &m->sgt, m->dir, 0);
	m->mapped = false;
}

static void sg_free(void *p)
{
	struct sg_map *m = p;

	sg_free_table(&m->sgt);
}

/* ---- Cases ---- */

/*
 * edu's domain is a DMA domain and a streaming mapping goes through it:
 * the IOVA translates to the buffer, page by page.
 */
static void dma_domain(struct kunit *test)
{
	struct iommu_domain *dom;
	struct single_map *m;
	struct device *dev;
	phys_addr_t phys;
	u8 *buf;

	dev = edu_setup(test, &dom);
	kunit_info(test, "edu %s: IOMMU group %d, domain type %#x (%s)\n",
		   pci_name(edu.pdev), iommu_group_id(dev->iommu_group),
		   dom->type, dom->type == IOMMU_DOMAIN_DMA_FQ ?
		   "DMA_FQ, lazy invalidation" : "DMA, strict invalidation");

	buf = kunit_kmalloc(test, 4 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	m = single_map(test, dev, buf + 0x123, 3 * PAGE_SIZE, DMA_BIDIRECTIONAL);
	phys = virt_to_phys(buf + 0x123);
	kunit_info(test, "buffer at %pa mapped at IOVA %pad\n", &phys, &m->dma);
	if (m->dma == phys)
		kunit_info(test, "IOVA equals the physical address; checking the table\n");
	KUNIT_EXPECT_EQ_MSG(test, offset_in_page(m->dma), offset_in_page(phys),
			    "the IOVA keeps the offset in the page");
	expect_translation(test, dom, m->dma, buf + 0x123, 3 * PAGE_SIZE);
}

/*
 * dma_alloc_coherent(): 4 pages (separate pages behind one IOVA range),
 * RAM -> edu from the middle of page 0 across into page 1, edu -> RAM
 * across the boundary of pages 2 and 3; then a short odd transfer.
 */
static void coherent_roundtrip(struct kunit *test)
{
	struct iommu_domain *dom;
	struct coh_buf *b;
	struct device *dev;
	u8 *want, *p;
	size_t i;

	dev = edu_setup(test, &dom);
	want = kunit_kmalloc(test, EDU_BUF_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	b = coh_alloc(test, dev, 4 * PAGE_SIZE);
	p = b->cpu;
	for (i = 0; i < 4; i++)
		expect_translation(test, dom, b->dma + i * PAGE_SIZE,
				   p + i * PAGE_SIZE, PAGE_SIZE);

	memset(p, GUARD, 4 * PAGE_SIZE);
	fill(p + 0x800, EDU_BUF_SIZE);
	memcpy(want, p + 0x800, EDU_BUF_SIZE);
	assert_dma(test, false, b->dma + 0x800, 0, EDU_BUF_SIZE);
	assert_dma(test, true, b->dma + 0x2800, 0, EDU_BUF_SIZE);
	expect_bytes(test, p + 0x2800, want, EDU_BUF_SIZE,
		     "4096 bytes, page 0/1 -> edu -> page 2/3");
	expect_guard(test, p, 0x1800, 0x1000, "between the buffers");
	expect_guard(test, p, 0x3800, 0x800, "after the copy");

	memset(p + 0x2800, GUARD, EDU_BUF_SIZE);
	assert_dma(test, true, b->dma + 0x3007, 0x45, 0x123);
	expect_bytes(test, p + 0x3007, want + 0x45, 0x123,
		     "0x123 bytes from device offset 0x45");
	expect_guard(test, p, 0x2800, 0x807, "before the short copy");
	expect_guard(test, p, 0x312a, 0xed6, "after the short copy");
}

struct single_case {
	const char *desc;
	u32 off;	/* in a 16 KiB (4-page) kmalloc buffer */
	u32 len;
	u32 dev_off;	/* in edu's buffer */
};

static const struct single_case single_cases[] = {
	{ "1 byte at an odd offset", 0x1, 0x1, 0x101 },
	{ "2 bytes across a page boundary", 0x1fff, 0x2, 0xffe },
	{ "0xabd bytes from 0xf01, across a page", 0xf01, 0xabd, 0x3 },
	{ "0xfff bytes from 0x1803, across a page", 0x1803, 0xfff, 0x1 },
	{ "one aligned page", 0x1000, 0x1000, 0x0 },
	{ "4096 bytes from 0x2007, across a page", 0x2007, 0x1000, 0x0 },
};

KUNIT_ARRAY_PARAM_DESC(single, single_cases, desc);

/*
 * dma_map_single() in both directions at odd offsets and lengths:
 * DMA_TO_DEVICE buffer -> edu -> coherent page, then coherent page -> edu
 * -> DMA_FROM_DEVICE buffer, whose bytes around the transfer must not
 * change. Each half uses a coherent page on the other side, so a failure
 * names the direction of dma_map_single() that broke.
 */
static void map_single(struct kunit *test)
{
	const struct single_case *c = test->param_value;
	struct iommu_domain *dom;
	struct single_map *m;
	struct coh_buf *coh;
	struct device *dev;
	const size_t size = 4 * PAGE_SIZE;
	u8 *buf;

	dev = edu_setup(test, &dom);
	buf = kunit_kmalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	coh = coh_alloc(test, dev, EDU_BUF_SIZE);

	/* To the device. */
	memset(buf, GUARD, size);
	fill(buf + c->off, c->len);
	m = single_map(test, dev, buf + c->off, c->len, DMA_TO_DEVICE);
	expect_translation(test, dom, m->dma, buf + c->off, c->len);
	assert_dma(test, false, m->dma, c->dev_off, c->len);
	kunit_release_action(test, single_unmap, m);
	memset(coh->cpu, GUARD, EDU_BUF_SIZE);
	assert_dma(test, true, coh->dma + c->dev_off, c->dev_off, c->len);
	expect_bytes(test, (u8 *)coh->cpu + c->dev_off, buf + c->off, c->len,
		     "DMA_TO_DEVICE mapping -> edu -> coherent");

	/* From the device. */
	fill((u8 *)coh->cpu + c->dev_off, c->len);
	assert_dma(test, false, coh->dma + c->dev_off, c->dev_off, c->len);
	memset(buf, GUARD, size);
	m = single_map(test, dev, buf + c->off, c->len, DMA_FROM_DEVICE);
	expect_translation(test, dom, m->dma, buf + c->off, c->len);
	assert_dma(test, true, m->dma, c->dev_off, c->len);
	kunit_release_action(test, single_unmap, m);
	expect_bytes(test, buf + c->off, (u8 *)coh->cpu + c->dev_off, c->len,
		     "coherent -> edu -> DMA_FROM_DEVICE mapping");
	expect_guard(test, buf, 0, c->off, "before the mapping");
	expect_guard(test, buf, c->off + c->len, size - c->off - c->len,
		     "after the mapping");
}

/* The scatterlist: separate pages, two of them partly. */
static const struct {
	u32 off;
	u32 len;
} sg_segs[] = {
	{ 0x0, 0x1000 },
	{ 0x100, 0x800 },
	{ 0x0, 0x1000 },
	{ 0x10, 0x30 },
	{ 0x0, 0x1000 },
};

#define SG_NSEGS	ARRAY_SIZE(sg_segs)

/* Bus address of byte pos of the mapped list, or 0 if past its end. */
static dma_addr_t sg_dma_at(struct sg_table *sgt, size_t pos)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (pos < sg_dma_len(sg))
			return sg_dma_address(sg) + pos;
		pos -= sg_dma_len(sg);
	}
	return 0;
}

/*
 * Move the whole mapped list through edu, in transfers of at most edu's
 * buffer size each within one DMA segment, to or from the same byte
 * offset of the coherent buffer: to_ram false: list -> edu -> coherent;
 * true: coherent -> edu -> list.
 */
static void sg_transfer_chunks(struct kunit *test, struct sg_table *sgt,
			       struct coh_buf *coh, bool to_ram)
{
	struct scatterlist *sg;
	size_t pos = 0, done, n;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		for (done = 0; done < sg_dma_len(sg); done += n) {
			n = min_t(size_t, sg_dma_len(sg) - done, EDU_BUF_SIZE);
			if (to_ram) {
				assert_dma(test, false, coh->dma + pos, 0, n);
				assert_dma(test, true,
					   sg_dma_address(sg) + done, 0, n);
			} else {
				assert_dma(test, false,
					   sg_dma_address(sg) + done, 0, n);
				assert_dma(test, true, coh->dma + pos, 0, n);
			}
			pos += n;
		}
	}
}

/*
 * dma_map_sgtable() of five separate pages (two only partly): the DMA
 * segments, whatever the IOMMU layer merged them into, carry the same
 * bytes in the same order. To the device: each chunk of the list -> edu ->
 * a coherent buffer; from the device: the other way, with the bytes
 * around the partial segments unchanged.
 */
static void map_sg(struct kunit *test)
{
	u8 *pages[SG_NSEGS], *want;
	struct iommu_domain *dom;
	struct scatterlist *sg;
	struct coh_buf *coh;
	struct device *dev;
	struct sg_map *m;
	size_t total = 0, pos;
	unsigned int i;
	int ret;

	dev = edu_setup(test, &dom);
	for (i = 0; i < SG_NSEGS; i++) {
		pages[i] = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		total += sg_segs[i].len;
	}
	want = kunit_kmalloc(test, total, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	coh = coh_alloc(test, dev, PAGE_ALIGN(total));

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->dev = dev;
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&m->sgt, SG_NSEGS, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, sg_free, m), 0);
	for_each_sgtable_sg(&m->sgt, sg, i)
		sg_set_buf(sg, pages[i] + sg_segs[i].off, sg_segs[i].len);

	/* To the device. */
	pos = 0;
	for (i = 0; i < SG_NSEGS; i++) {
		memset(pages[i], GUARD, PAGE_SIZE);
		fill(pages[i] + sg_segs[i].off, sg_segs[i].len);
		memcpy(want + pos, pages[i] + sg_segs[i].off, sg_segs[i].len);
		pos += sg_segs[i].len;
	}
	m->dir = DMA_TO_DEVICE;
	ret = dma_map_sgtable(dev, &m->sgt, m->dir, 0);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "dma_map_sgtable(TO_DEVICE)");
	m->mapped = true;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, sg_release, m), 0);
	kunit_info(test, "%u segments of %zu bytes mapped as %u DMA segments\n",
		   m->sgt.orig_nents, total, m->sgt.nents);

	pos = 0;
	for (i = 0; i < SG_NSEGS; i++) {
		void *cpu = pages[i] + sg_segs[i].off;
		dma_addr_t dma = sg_dma_at(&m->sgt, pos);

		KUNIT_ASSERT_NE_MSG(test, dma, 0,
				    "the DMA segments end before byte %#zx", pos);
		expect_translation(test, dom, dma, cpu, sg_segs[i].len);
		pos += sg_segs[i].len;
	}
	KUNIT_EXPECT_EQ_MSG(test, sg_dma_at(&m->sgt, total), 0,
			    "the DMA segments are longer than the list");

	memset(coh->cpu, GUARD, coh->size);
	sg_transfer_chunks(test, &m->sgt, coh, false);
	expect_bytes(test, coh->cpu, want, total,
		     "DMA_TO_DEVICE list -> edu -> coherent");
	kunit_release_action(test, sg_release, m);

	/* From the device. */
	for (i = 0; i < SG_NSEGS; i++)
		memset(pages[i], GUARD, PAGE_SIZE);
	fill(coh->cpu, total);
	m->dir = DMA_FROM_DEVICE;
	ret = dma_map_sgtable(dev, &m->sgt, m->dir, 0);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "dma_map_sgtable(FROM_DEVICE)");
	m->mapped = true;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, sg_release, m), 0);
	sg_transfer_chunks(test, &m->sgt, coh, true);
	kunit_release_action(test, sg_release, m);

	pos = 0;
	for (i = 0; i < SG_NSEGS; i++) {
		u32 off = sg_segs[i].off, len = sg_segs[i].len;

		expect_bytes(test, pages[i] + off, (u8 *)coh->cpu + pos, len,
			     "coherent -> edu -> DMA_FROM_DEVICE list");
		expect_guard(test, pages[i], 0, off, "before a segment");
		expect_guard(test, pages[i], off + len, PAGE_SIZE - off - len,
			     "after a segment");
		pos += len;
	}
}

/*
 * Map, DMA and unmap a new page again and again: IOVAs come back once the
 * unmap is flushed, and a device that still used a stale IOTLB entry of
 * an earlier round would read an earlier page's bytes. The pages stay
 * allocated until the end, so every round has a page of its own.
 */
static void remap_new_pages(struct kunit *test)
{
	dma_addr_t seen[16];
	unsigned int round, j, reused = 0;
	struct iommu_domain *dom;
	struct single_map *m;
	struct coh_buf *coh;
	struct device *dev;
	u8 *page;

	dev = edu_setup(test, &dom);
	coh = coh_alloc(test, dev, EDU_BUF_SIZE);
	for (round = 0; round < ARRAY_SIZE(seen); round++) {
		page = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		fill(page, PAGE_SIZE);
		m = single_map(test, dev, page, PAGE_SIZE, DMA_TO_DEVICE);
		seen[round] = m->dma;
		for (j = 0; j < round; j++)
			if (seen[j] == m->dma) {
				reused++;
				break;
			}
		expect_translation(test, dom, m->dma, page, PAGE_SIZE);
		assert_dma(test, false, m->dma, 0, PAGE_SIZE);
		kunit_release_action(test, single_unmap, m);
		assert_dma(test, true, coh->dma, 0, PAGE_SIZE);
		expect_bytes(test, coh->cpu, page, PAGE_SIZE,
			     "a new page at a recycled IOVA -> edu -> coherent");
	}
	kunit_info(test, "%u of %zu rounds reused an earlier IOVA\n", reused,
		   ARRAY_SIZE(seen));
}

static struct kunit_case dma_api_cases[] = {
	KUNIT_CASE(dma_domain),
	KUNIT_CASE(coherent_roundtrip),
	KUNIT_CASE_PARAM(map_single, single_gen_params),
	KUNIT_CASE_SLOW(map_sg),		/* 2 s or more */
	KUNIT_CASE_SLOW(remap_new_pages),	/* 3 s or more */
	{}
};

static struct kunit_suite dma_api_suite = {
	.name = "intel_vtd_dma_api",
	.suite_init = edu_suite_init,
	.suite_exit = edu_suite_exit,
	.test_cases = dma_api_cases,
};

kunit_test_suite(dma_api_suite);

MODULE_DESCRIPTION("KUnit test of the DMA API through the IOMMU, with QEMU's edu device");
MODULE_LICENSE("GPL");
