/* SPDX-License-Identifier: MIT */
/*
 * The device front end: argument checks and interrupt eventfds live here
 * once, so every backend only does the access itself.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "device/device_priv.h"

void uvf_device_init(struct uvf_device *dev, const struct uvf_device_ops *ops,
		     const char *name, struct uvf_iommu *iommu,
		     uint16_t segment, uint16_t rid)
{
	dev->ops = ops;
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	dev->iommu = iommu;
	dev->segment = segment;
	dev->rid = rid;
	dev->event_fds[0] = dev->event_fds[1] = -1;
}

const char *uvf_device_name(const struct uvf_device *dev)
{
	return dev->name;
}

uint16_t uvf_device_rid(const struct uvf_device *dev, uint16_t *segment)
{
	if (segment)
		*segment = dev->segment;
	return dev->rid;
}

struct uvf_iommu *uvf_device_iommu(const struct uvf_device *dev)
{
	return dev->iommu;
}

struct uvf_domain *uvf_device_domain(const struct uvf_device *dev)
{
	/* Only a domain ever claims a device. */
	return uvf_device_owner(dev);
}

int uvf_device_claim(struct uvf_device *dev, void *owner,
		     uvf_device_release_fn release)
{
	void *none = NULL;

	if (!atomic_compare_exchange_strong(&dev->owner, &none, owner))
		return -EBUSY;
	dev->release = release;
	return 0;
}

void uvf_device_unclaim(struct uvf_device *dev, void *owner)
{
	void *expect = owner;

	atomic_compare_exchange_strong(&dev->owner, &expect, NULL);
}

int uvf_device_bar_info(struct uvf_device *dev, unsigned int bar,
			struct uvf_bar_info *info)
{
	int ret;

	if (!dev || !info || bar >= UVF_MAX_BARS)
		return -EINVAL;
	ret = dev->ops->bar_info(dev, bar, info);
	if (!ret && !info->size)
		ret = -ENODEV;
	return ret;
}

int uvf_device_bar_map(struct uvf_device *dev, unsigned int bar, void **ptr)
{
	struct uvf_bar_info info;
	int ret;

	if (!ptr)
		return -EINVAL;
	ret = uvf_device_bar_info(dev, bar, &info);
	if (ret)
		return ret;
	if (!(info.flags & UVF_BAR_MMAP) || !dev->ops->bar_map)
		return -ENOTSUP;
	return dev->ops->bar_map(dev, bar, ptr);
}

static int check_bar_access(struct uvf_device *dev, unsigned int bar,
			    uint64_t off, unsigned int len)
{
	struct uvf_bar_info info;
	int ret;

	if (len != 1 && len != 2 && len != 4 && len != 8)
		return -EINVAL;
	if (off & (len - 1))
		return -EINVAL;
	ret = uvf_device_bar_info(dev, bar, &info);
	if (ret)
		return ret;
	if (off >= info.size || info.size - off < len)
		return -ERANGE;
	return 0;
}

int uvf_device_bar_read(struct uvf_device *dev, unsigned int bar,
			uint64_t off, uint64_t *val, unsigned int len)
{
	int ret;

	if (!val)
		return -EINVAL;
	ret = check_bar_access(dev, bar, off, len);
	if (ret)
		return ret;
	return dev->ops->bar_read(dev, bar, off, val, len);
}

int uvf_device_bar_write(struct uvf_device *dev, unsigned int bar,
			 uint64_t off, uint64_t val, unsigned int len)
{
	int ret = check_bar_access(dev, bar, off, len);

	if (ret)
		return ret;
	if (len < 8 && (val >> (len * 8)))
		return -EINVAL;
	return dev->ops->bar_write(dev, bar, off, val, len);
}

int uvf_device_cfg_read(struct uvf_device *dev, uint32_t off, void *buf,
			size_t len)
{
	if (!dev || (!buf && len))
		return -EINVAL;
	return dev->ops->cfg_read(dev, off, buf, len);
}

int uvf_device_cfg_write(struct uvf_device *dev, uint32_t off,
			 const void *buf, size_t len)
{
	if (!dev || (!buf && len))
		return -EINVAL;
	return dev->ops->cfg_write(dev, off, buf, len);
}

static void close_fds(int *fds, unsigned int n)
{
	while (n--)
		close(fds[n]);
	free(fds);
}

static void drop_irq_fds(struct uvf_device *dev)
{
	close_fds(dev->irq_fds, dev->irq_nvec);
	dev->irq_fds = NULL;
	dev->irq_nvec = 0;
}

int uvf_device_irq_enable(struct uvf_device *dev, enum uvf_irq_type type,
			  unsigned int nvec)
{
	unsigned int i;
	int *fds, ret;

	if (!dev || !nvec || type > UVF_IRQ_MSIX ||
	    (type == UVF_IRQ_INTX && nvec != 1))
		return -EINVAL;
	if (dev->irq_fds)
		return -EBUSY;
	if (!dev->ops->irq_set)
		return -ENOTSUP;
	fds = calloc(nvec, sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	for (i = 0; i < nvec; i++) {
		fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (fds[i] < 0) {
			ret = -errno;
			close_fds(fds, i);
			return ret;
		}
	}
	ret = dev->ops->irq_set(dev, type, fds, nvec);
	if (ret) {
		close_fds(fds, nvec);
		return ret;
	}
	dev->irq_type = type;
	dev->irq_nvec = nvec;
	dev->irq_fds = fds;
	return 0;
}

int uvf_device_irq_disable(struct uvf_device *dev)
{
	int ret;

	if (!dev)
		return -EINVAL;
	if (!dev->irq_fds)
		return 0;
	ret = dev->ops->irq_set(dev, dev->irq_type, NULL, 0);
	if (ret)
		return ret;
	drop_irq_fds(dev);
	return 0;
}

int uvf_device_irq_fd(struct uvf_device *dev, unsigned int vec)
{
	if (!dev || !dev->irq_fds || vec >= dev->irq_nvec)
		return -EINVAL;
	return dev->irq_fds[vec];
}

int uvf_device_irq_wait(struct uvf_device *dev, unsigned int vec,
			int timeout_ms)
{
	struct pollfd pfd;
	uint64_t count;
	int fd = uvf_device_irq_fd(dev, vec), ret;

	if (fd < 0)
		return fd;
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	for (;;) {
		ret = poll(&pfd, 1, timeout_ms);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (ret == 0)
			return -ETIMEDOUT;
		if (read(fd, &count, sizeof(count)) == sizeof(count))
			return count > (uint64_t)INT32_MAX ? INT32_MAX
							   : (int)count;
		if (errno != EAGAIN)
			return -errno;
		/* Someone else consumed it: wait again (rare). */
	}
}

/* Bit number of a single UVF_DEVICE_EVENT_* bit, else -EINVAL. */
static int event_bit(unsigned int event)
{
	if (!event || (event & (event - 1)) || (event & ~UVF_DEVICE_EVENTS))
		return -EINVAL;
	return __builtin_ctz(event);
}

static int event_off(struct uvf_device *dev, unsigned int bit)
{
	int ret = dev->ops->event_set(dev, 1u << bit, -1);

	if (ret)
		return ret;
	close(dev->event_fds[bit]);
	dev->event_fds[bit] = -1;
	return 0;
}

static int event_on(struct uvf_device *dev, unsigned int bit)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), ret;

	if (fd < 0)
		return -errno;
	ret = dev->ops->event_set(dev, 1u << bit, fd);
	if (ret) {
		close(fd);
		return ret;
	}
	dev->event_fds[bit] = fd;
	return 0;
}

static void close_event_fds(struct uvf_device *dev)
{
	unsigned int bit;

	for (bit = 0; bit < 2; bit++) {
		if (dev->event_fds[bit] >= 0)
			close(dev->event_fds[bit]);
		dev->event_fds[bit] = -1;
	}
}

int uvf_device_event_enable(struct uvf_device *dev, unsigned int events)
{
	unsigned int bit, done = 0;
	int ret = 0;

	if (!dev || !events || (events & ~UVF_DEVICE_EVENTS))
		return -EINVAL;
	if (!dev->ops->event_set)
		return -ENOTSUP;
	for (bit = 0; bit < 2 && !ret; bit++) {
		if (!(events & (1u << bit)) || dev->event_fds[bit] >= 0)
			continue;
		ret = event_on(dev, bit);
		if (!ret)
			done |= 1u << bit;
	}
	/* All or nothing: take back what this call turned on. */
	for (bit = 0; ret && bit < 2; bit++)
		if ((done & (1u << bit)) && event_off(dev, bit))
			break;	/* still signalled: the fd must stay */
	return ret;
}

int uvf_device_event_disable(struct uvf_device *dev, unsigned int events)
{
	unsigned int bit;
	int ret;

	if (!dev || (events & ~UVF_DEVICE_EVENTS))
		return -EINVAL;
	for (bit = 0; bit < 2; bit++) {
		if (!(events & (1u << bit)) || dev->event_fds[bit] < 0)
			continue;
		ret = event_off(dev, bit);
		if (ret)
			return ret;
	}
	return 0;
}

int uvf_device_event_fd(struct uvf_device *dev, unsigned int event)
{
	int bit = event_bit(event);

	if (!dev || bit < 0 || dev->event_fds[bit] < 0)
		return -EINVAL;
	return dev->event_fds[bit];
}

int uvf_device_event_poll(struct uvf_device *dev, int timeout_ms)
{
	struct pollfd pfd[2];
	unsigned int bit, n = 0, fired = 0;
	uint64_t count;
	int ret;

	if (!dev)
		return -EINVAL;
	for (bit = 0; bit < 2; bit++)
		if (dev->event_fds[bit] >= 0)
			pfd[n++] = (struct pollfd){ .fd = dev->event_fds[bit],
						    .events = POLLIN };
	if (!n)
		return -EINVAL;
	do
		ret = poll(pfd, n, timeout_ms);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	for (bit = 0; bit < 2; bit++)
		if (dev->event_fds[bit] >= 0 &&
		    read(dev->event_fds[bit], &count, sizeof(count)) ==
			    sizeof(count))
			fired |= 1u << bit;
	return (int)fired;
}

int uvf_device_reset(struct uvf_device *dev)
{
	if (!dev)
		return -EINVAL;
	if (!dev->ops->reset)
		return -ENOTSUP;
	return dev->ops->reset(dev);
}

void uvf_device_close(struct uvf_device *dev)
{
	void *owner;

	if (!dev)
		return;
	owner = uvf_device_owner(dev);
	if (owner)
		dev->release(owner, dev);
	/* Closing the device releases the kernel's triggers even when this
	 * is refused; the eventfds are ours to close either way. */
	if (uvf_device_irq_disable(dev))
		drop_irq_fds(dev);
	if (dev->ops->event_set)
		uvf_device_event_disable(dev, UVF_DEVICE_EVENTS);
	/* Likewise for event triggers the kernel refused to drop. */
	close_event_fds(dev);
	dev->ops->destroy(dev);
}
