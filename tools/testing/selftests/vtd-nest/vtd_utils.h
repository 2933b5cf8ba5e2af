/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vtd-nest selftests: helpers for the iommufd (/dev/iommu) and VFIO cdev
 * ioctls.
 *
 * For every ioctl there are three forms:
 *   _test_cmd_xxx(fd, ...)      fills the struct, returns the ioctl() rc and
 *                               passes outputs back through pointers;
 *   test_cmd_xxx(...)           ASSERTs success, on self->iommufd (iommufd
 *                               commands) or self->dev.devfd (VFIO commands);
 *   test_err_xxx(errno, ...)    expects failure with exactly that errno.
 */
#ifndef __SELFTEST_VTD_UTILS_H
#define __SELFTEST_VTD_UTILS_H

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "kselftest_harness.h"

#define SZ_4K	0x1000UL
#define SZ_2M	0x200000UL
#define SZ_4G	0x100000000ULL

#ifndef offsetofend
#define offsetofend(TYPE, MEMBER) \
	((size_t)(1 + &(*(TYPE *)0).MEMBER))
#endif

/* The call must fail, and with exactly this errno. */
#define EXPECT_ERRNO(expected_errno, cmd)				\
	({								\
		int __want = (expected_errno);				\
		int __rc = (cmd), __errno = errno;			\
		ASSERT_EQ(-1, __rc);					\
		EXPECT_EQ(__want, __errno) {				\
			TH_LOG("got %s, expected %s", strerror(__errno),\
			       strerror(__want));			\
		}							\
	})

/* ---- IOMMU_IOAS_ALLOC ---- */

static inline int _test_cmd_ioas_alloc(int fd, __u32 flags, __u32 *ioas_id)
{
	struct iommu_ioas_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
	};
	int ret;

	ret = ioctl(fd, IOMMU_IOAS_ALLOC, &cmd);
	if (ret)
		return ret;
	if (ioas_id)
		*ioas_id = cmd.out_ioas_id;
	return 0;
}

#define test_cmd_ioas_alloc(ioas_id) \
	({ ASSERT_EQ(0, _test_cmd_ioas_alloc(self->iommufd, 0, ioas_id)); })
#define test_err_ioas_alloc(_errno, flags, ioas_id) \
	EXPECT_ERRNO(_errno, _test_cmd_ioas_alloc(self->iommufd, flags, ioas_id))

/* ---- IOMMU_IOAS_MAP ---- */

#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define MAP_RO IOMMU_IOAS_MAP_READABLE

/*
 * Map [buf, buf + length) into ioas_id. With IOMMU_IOAS_MAP_FIXED_IOVA in
 * flags *iova is the input IOVA; otherwise the kernel picks one and returns
 * it in *iova.
 */
static inline int _test_cmd_ioas_map(int fd, __u32 ioas_id, const void *buf,
				     __u64 length, __u64 *iova, __u32 flags)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)buf,
		.length = length,
	};
	int ret;

	if (flags & IOMMU_IOAS_MAP_FIXED_IOVA)
		cmd.iova = *iova;
	ret = ioctl(fd, IOMMU_IOAS_MAP, &cmd);
	if (ret)
		return ret;
	if (iova)
		*iova = cmd.iova;
	return 0;
}

#define test_cmd_ioas_map(ioas_id, buf, length, iova_p, flags) \
	({ ASSERT_EQ(0, _test_cmd_ioas_map(self->iommufd, ioas_id, buf,	\
					   length, iova_p, flags)); })
#define test_cmd_ioas_map_fixed(ioas_id, buf, length, iova, flags)	\
	({								\
		__u64 __want = (iova);					\
		__u64 __iova = __want;					\
		ASSERT_EQ(0, _test_cmd_ioas_map(self->iommufd, ioas_id, \
				buf, length, &__iova,			\
				(flags) | IOMMU_IOAS_MAP_FIXED_IOVA));	\
		ASSERT_EQ(__want, __iova);				\
	})
#define test_err_ioas_map_fixed(_errno, ioas_id, buf, length, iova, flags) \
	({								\
		__u64 __iova = (iova);					\
		EXPECT_ERRNO(_errno,					\
			_test_cmd_ioas_map(self->iommufd, ioas_id, buf,	\
				length, &__iova,			\
				(flags) | IOMMU_IOAS_MAP_FIXED_IOVA));	\
	})

/* ---- IOMMU_IOAS_UNMAP ---- */

static inline int _test_cmd_ioas_unmap(int fd, __u32 ioas_id, __u64 iova,
				       __u64 length, __u64 *out_len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = length,
	};
	int ret;

	ret = ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);
	if (out_len)
		*out_len = cmd.length;
	return ret;
}

/* Unmap exactly what was mapped: the kernel must report length unmapped. */
#define test_cmd_ioas_unmap(ioas_id, iova, length)			\
	({								\
		__u64 __length = (length);				\
		__u64 __len = 0;					\
		ASSERT_EQ(0, _test_cmd_ioas_unmap(self->iommufd,	\
				ioas_id, iova, __length, &__len));	\
		ASSERT_EQ(__length, __len);				\
	})
#define test_err_ioas_unmap(_errno, ioas_id, iova, length)		\
	EXPECT_ERRNO(_errno, _test_cmd_ioas_unmap(self->iommufd,	\
				ioas_id, iova, length, NULL))

/* ---- IOMMU_IOAS_IOVA_RANGES ---- */

static inline int _test_cmd_ioas_iova_ranges(int fd, __u32 ioas_id,
					     struct iommu_iova_range *ranges,
					     __u32 *num_ranges,
					     __u64 *alignment)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.num_iovas = *num_ranges,
		.allowed_iovas = (uintptr_t)ranges,
	};
	int ret;

	ret = ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd);
	*num_ranges = cmd.num_iovas;
	if (alignment)
		*alignment = cmd.out_iova_alignment;
	return ret;
}

/* ---- IOMMU_HWPT_ALLOC ---- */

static inline int _test_cmd_hwpt_alloc(int fd, __u32 dev_id, __u32 pt_id,
				       __u32 flags, __u32 *hwpt_id,
				       __u32 data_type, const void *data,
				       __u32 data_len)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
	};
	int ret;

	ret = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);
	if (ret)
		return ret;
	if (hwpt_id)
		*hwpt_id = cmd.out_hwpt_id;
	return 0;
}

#define test_cmd_hwpt_alloc(dev_id, pt_id, flags, hwpt_id) \
	({ ASSERT_EQ(0, _test_cmd_hwpt_alloc(self->iommufd, dev_id, pt_id,	\
					     flags, hwpt_id,		\
					     IOMMU_HWPT_DATA_NONE, NULL, 0)); })
#define test_err_hwpt_alloc(_errno, dev_id, pt_id, flags, hwpt_id)	\
	EXPECT_ERRNO(_errno, _test_cmd_hwpt_alloc(self->iommufd, dev_id,\
				pt_id, flags, hwpt_id,			\
				IOMMU_HWPT_DATA_NONE, NULL, 0))
#define test_err_hwpt_alloc_data(_errno, dev_id, pt_id, flags, hwpt_id,	\
				 data_type, data, data_len)		\
	EXPECT_ERRNO(_errno, _test_cmd_hwpt_alloc(self->iommufd, dev_id,\
				pt_id, flags, hwpt_id, data_type,	\
				data, data_len))

/* ---- IOMMU_GET_HW_INFO ---- */

struct vtd_hw_info_out {
	__u32 data_len;		/* the length the kernel supports */
	__u32 data_type;
	__u8 max_pasid_log2;
	__u64 capabilities;
};

static inline int _test_cmd_get_hw_info(int fd, __u32 dev_id, __u32 flags,
					__u32 in_type, void *data,
					__u32 data_len,
					struct vtd_hw_info_out *out)
{
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
		.in_data_type = in_type,
	};
	int ret;

	ret = ioctl(fd, IOMMU_GET_HW_INFO, &cmd);
	if (ret)
		return ret;
	if (out) {
		out->data_len = cmd.data_len;
		out->data_type = cmd.out_data_type;
		out->max_pasid_log2 = cmd.out_max_pasid_log2;
		out->capabilities = cmd.out_capabilities;
	}
	return 0;
}

#define test_cmd_get_hw_info(dev_id, data, data_len, out) \
	({ ASSERT_EQ(0, _test_cmd_get_hw_info(self->iommufd, dev_id, 0, 0,	\
					      data, data_len, out)); })
#define test_err_get_hw_info(_errno, dev_id, flags, in_type, data, data_len) \
	EXPECT_ERRNO(_errno, _test_cmd_get_hw_info(self->iommufd, dev_id, \
				flags, in_type, data, data_len, NULL))

/* ---- IOMMU_DESTROY ---- */

static inline int _test_cmd_destroy(int fd, __u32 id)
{
	struct iommu_destroy cmd = {
		.size = sizeof(cmd),
		.id = id,
	};

	return ioctl(fd, IOMMU_DESTROY, &cmd);
}

#define test_cmd_destroy(id) \
	({ ASSERT_EQ(0, _test_cmd_destroy(self->iommufd, id)); })
#define test_err_destroy(_errno, id) \
	EXPECT_ERRNO(_errno, _test_cmd_destroy(self->iommufd, id))

/* ---- VFIO_DEVICE_BIND_IOMMUFD ---- */

static inline int _test_cmd_bind(int devfd, int iommufd, __u32 flags,
				 __u32 *dev_id)
{
	struct vfio_device_bind_iommufd cmd = {
		.argsz = sizeof(cmd),
		.flags = flags,
		.iommufd = iommufd,
	};
	int ret;

	ret = ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &cmd);
	if (ret)
		return ret;
	if (dev_id)
		*dev_id = cmd.out_devid;
	return 0;
}

#define test_cmd_bind(devfd, iommufd, dev_id) \
	({ ASSERT_EQ(0, _test_cmd_bind(devfd, iommufd, 0, dev_id)); })
#define test_err_bind(_errno, devfd, iommufd, flags) \
	EXPECT_ERRNO(_errno, _test_cmd_bind(devfd, iommufd, flags, NULL))

/* ---- VFIO_DEVICE_ATTACH_IOMMUFD_PT / DETACH ---- */

/*
 * Attach (or, when already attached, replace) the device's page table.
 * pt_id may name an IOAS (the kernel then finds or makes a HWPT and returns
 * its ID through *out_hwpt_id) or a HWPT.
 */
static inline int _test_cmd_attach(int devfd, __u32 flags, __u32 pt_id,
				   __u32 *out_hwpt_id)
{
	struct vfio_device_attach_iommufd_pt cmd = {
		.argsz = sizeof(cmd),
		.flags = flags,
		.pt_id = pt_id,
	};
	int ret;

	ret = ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd);
	if (ret)
		return ret;
	if (out_hwpt_id)
		*out_hwpt_id = cmd.pt_id;
	return 0;
}

#define test_cmd_attach(pt_id, out_hwpt_id) \
	({ ASSERT_EQ(0, _test_cmd_attach(self->dev.devfd, 0, pt_id,	\
					 out_hwpt_id)); })
#define test_err_attach(_errno, flags, pt_id) \
	EXPECT_ERRNO(_errno, _test_cmd_attach(self->dev.devfd, flags, pt_id, NULL))

static inline int _test_cmd_detach(int devfd, __u32 flags)
{
	struct vfio_device_detach_iommufd_pt cmd = {
		.argsz = sizeof(cmd),
		.flags = flags,
	};

	return ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &cmd);
}

#define test_cmd_detach() \
	({ ASSERT_EQ(0, _test_cmd_detach(self->dev.devfd, 0)); })
#define test_err_detach(_errno, flags) \
	EXPECT_ERRNO(_errno, _test_cmd_detach(self->dev.devfd, flags))

/* ---- Structure size (ABI extensibility) checks ---- */

/*
 * Issue req with a copy of cmd that claims user_size bytes; bytes past
 * cmd_size up to user_size are set to fill. Both iommufd and VFIO structs
 * start with a u32 size/argsz.
 */
static inline int _test_ioctl_sized(int fd, unsigned long req, const void *cmd,
				    size_t cmd_size, size_t user_size,
				    uint8_t fill)
{
	uint64_t buf[64];
	uint32_t size = user_size;

	assert(cmd_size <= sizeof(buf) && user_size <= sizeof(buf));
	memset(buf, fill, sizeof(buf));
	memcpy(buf, cmd, cmd_size < user_size ? cmd_size : user_size);
	memcpy(buf, &size, sizeof(size));
	return ioctl(fd, req, buf);
}

/*
 * A size below the end of the last mandatory member must be EINVAL; a
 * larger size with non-zero trailing bytes must be E2BIG (the kernel cannot
 * know what they mean).
 */
#define test_ioctl_sizes(fd, req, cmd, last)				\
	({								\
		int __fd = (fd);					\
		unsigned long __req = (req);				\
		__typeof__(cmd) *__cmd = &(cmd);			\
		size_t __min = offsetofend(__typeof__(*__cmd), last);	\
		EXPECT_ERRNO(EINVAL, _test_ioctl_sized(__fd, __req, __cmd, \
				sizeof(*__cmd), __min - 1, 0));		\
		EXPECT_ERRNO(E2BIG, _test_ioctl_sized(__fd, __req, __cmd, \
				sizeof(*__cmd), sizeof(*__cmd) + 8, 0xa5)); \
	})

/* ---- IOVA ranges ---- */

#define VTD_MAX_RANGES 32

struct vtd_ranges {
	struct iommu_iova_range r[VTD_MAX_RANGES];
	__u32 num;
	__u64 alignment;
};

static inline int vtd_get_ranges(int iommufd, __u32 ioas_id,
				 struct vtd_ranges *ranges)
{
	ranges->num = VTD_MAX_RANGES;
	return _test_cmd_ioas_iova_ranges(iommufd, ioas_id, ranges->r,
					  &ranges->num, &ranges->alignment);
}

/* Is [iova, iova + length) inside one allowed range? */
static inline bool vtd_range_allowed(const struct vtd_ranges *ranges,
				     __u64 iova, __u64 length)
{
	__u32 i;

	for (i = 0; i < ranges->num && i < VTD_MAX_RANGES; i++)
		if (iova >= ranges->r[i].start &&
		    iova + length - 1 <= ranges->r[i].last &&
		    iova + length - 1 >= iova)
			return true;
	return false;
}

/*
 * The highest size-aligned window of length bytes inside the allowed
 * ranges, at or below limit (inclusive last byte). Returns 0 when none.
 */
static inline __u64 vtd_top_window(const struct vtd_ranges *ranges,
				   __u64 length, __u64 limit)
{
	__u64 best = 0, last, start;
	__u32 i;

	for (i = 0; i < ranges->num && i < VTD_MAX_RANGES; i++) {
		last = ranges->r[i].last < limit ? ranges->r[i].last : limit;
		if (last < ranges->r[i].start || last - ranges->r[i].start + 1 < length)
			continue;
		start = (last - length + 1) & ~(__u64)(SZ_4K - 1);
		if (start >= ranges->r[i].start && start > best)
			best = start;
	}
	return best;
}

/* ---- Test data ---- */

static inline uint64_t vtd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* xorshift64*: a reproducible pattern per seed, never all-zero. */
static inline void vtd_fill(void *buf, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7)) {
			x ^= x >> 12;
			x ^= x << 25;
			x ^= x >> 27;
		}
		p[i] = (uint8_t)((x * 0x2545f4914f6cdd1dULL) >> (8 * (i & 7)));
	}
}

/* Index of the first differing byte, or -1 when equal. */
static inline long vtd_first_diff(const void *a, const void *b, size_t len)
{
	const uint8_t *pa = a, *pb = b;
	size_t i;

	for (i = 0; i < len; i++)
		if (pa[i] != pb[i])
			return (long)i;
	return -1;
}

/* Index of the first byte not equal to val, or -1. */
static inline long vtd_first_not(const void *a, uint8_t val, size_t len)
{
	const uint8_t *p = a;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != val)
			return (long)i;
	return -1;
}

/* Number of positions where a and b agree. */
static inline size_t vtd_count_same(const void *a, const void *b, size_t len)
{
	const uint8_t *pa = a, *pb = b;
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += pa[i] == pb[i];
	return n;
}

/* A different seed for every call: patterns differ between tests and runs. */
static inline uint64_t vtd_seed(void)
{
	static uint64_t n;

	return ((uint64_t)getpid() << 32) ^ (++n * 0x10001) ^ vtd_now_ms();
}

/* len bytes of fresh anonymous memory, every byte set to fill. */
static inline void *vtd_alloc(struct __test_metadata *_metadata, size_t len,
			      int fill)
{
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, fill, len);
	return p;
}

/* Byte for byte; on a difference the log names the first one. */
#define ASSERT_BYTES_EQ_MSG(expect, seen, len, fmt, ...)		\
	({								\
		const uint8_t *__e = (const void *)(expect);		\
		const uint8_t *__s = (const void *)(seen);		\
		size_t __l = (len);					\
		long __d = vtd_first_diff(__e, __s, __l);		\
		ASSERT_EQ(-1, __d) {					\
			TH_LOG("byte %ld of %zu differs: expected 0x%02x, got 0x%02x" fmt, \
			       __d, __l, __e[__d], __s[__d],		\
			       ##__VA_ARGS__);				\
		}							\
	})
#define ASSERT_BYTES_EQ(expect, seen, len) \
	ASSERT_BYTES_EQ_MSG(expect, seen, len, "")

/* Every byte of buf still holds val. */
#define ASSERT_UNTOUCHED(buf, val, len)					\
	({								\
		const uint8_t *__b = (const void *)(buf);		\
		__typeof__(val) __v = (val);				\
		size_t __l = (len);					\
		long __d = vtd_first_not(__b, __v, __l);		\
		ASSERT_EQ(-1, __d) {					\
			TH_LOG("byte %ld of %zu was written: 0x%02x, expected 0x%02x", \
			       __d, __l, __b[__d], __v);		\
		}							\
	})

/*
 * A DMA read the IOMMU blocked: the device buffer, copied out to seen,
 * must hold exactly what it held before (before: the read was dropped), or
 * exactly what a failed read returns (all 0x00: QEMU's value for an
 * access its IOMMU refused; all 0xff: a PCIe unsupported request), and so
 * no byte of secret, the data behind the unmapped IOVA.
 */
#define ASSERT_NOT_LEAKED(secret, seen, before, len)			\
	({								\
		const uint8_t *__seen = (const void *)(seen);		\
		const uint8_t *__before = (const void *)(before);	\
		size_t __l = (len);					\
		bool __kept = vtd_first_diff(__before, __seen, __l) == -1; \
		bool __zero = vtd_first_not(__seen, 0x00, __l) == -1;	\
		bool __ones = vtd_first_not(__seen, 0xff, __l) == -1;	\
		ASSERT_TRUE(__kept || __zero || __ones) {		\
			TH_LOG("blocked read: %zu/%zu bytes of the unmapped data, %zu of the old", \
			       vtd_count_same(secret, __seen, __l), __l, \
			       vtd_count_same(__before, __seen, __l));	\
		}							\
	})

#endif /* __SELFTEST_VTD_UTILS_H */
