// SPDX-License-Identifier: MIT
/* uvf-bind list and status: devices as text like 'lspci -k', or JSON. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "uvf-bind.h"

static void json_str(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_int_or_null(int v)
{
	if (v < 0)
		fputs("null", stdout);
	else
		printf("%d", v);
}

/* "16K", "4M": the units lspci uses for BAR sizes. */
static void size_str(uint64_t size, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	int u = -1;

	while (size >= 1024 && !(size % 1024) && u < 5) {
		size /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%" PRIu64, size);
	else
		snprintf(buf, len, "%" PRIu64 "%c", size, units[u]);
}

static void vfio_text(const struct uvf_pci_dev *dev, char *buf, size_t len)
{
	const char *group = uvf_pci_dev_vfio_group_node(dev);
	const char *cdev = uvf_pci_dev_vfio_cdev(dev);
	const char *ovr = uvf_pci_dev_driver_override(dev);

	if (!uvf_pci_dev_vfio_bound(dev)) {
		snprintf(buf, len, "not bound%s",
			 ovr && !strcmp(ovr, UVF_PCI_VFIO_DRIVER)
			 ? " (driver_override is vfio-pci)" : "");
		return;
	}
	snprintf(buf, len, "bound, group %s%s%s", group ? group : "node missing",
		 cdev ? ", cdev " : "", cdev ? cdev : "");
}

static void print_header(const struct uvf_pci_dev *dev)
{
	const struct uvf_pci_ids *id = uvf_pci_dev_ids(dev);

	printf("%s %s: %s", uvf_pci_dev_bdf(dev), uvf_pci_dev_class_label(dev),
	       uvf_pci_dev_product_label(dev));
	if (id->revision)
		printf(" (rev %02x)", id->revision);
	putchar('\n');
	if (id->subsys_vendor || id->subsys_device)
		printf("\tSubsystem: %s\n", uvf_pci_dev_subsys_label(dev));
}

static void print_text(struct uvf_pci_ctx *ctx, const struct uvf_pci_dev *dev)
{
	char vfio[512], why[384];
	int group = uvf_pci_dev_iommu_group(dev);

	print_header(dev);
	if (uvf_pci_dev_driver(dev))
		printf("\tKernel driver in use: %s\n", uvf_pci_dev_driver(dev));
	if (group >= 0)
		printf("\tIOMMU group: %d\n", group);
	else
		printf("\tIOMMU group: none\n");
	vfio_text(dev, vfio, sizeof(vfio));
	printf("\tVFIO: %s\n", vfio);
	if (uvf_pci_dev_in_use(ctx, dev, why, sizeof(why)) > 0)
		printf("\tIn use: %s\n", why);
}

static void print_resources_text(const struct uvf_pci_dev *dev)
{
	for (unsigned int i = 0; i < uvf_pci_dev_resource_count(dev); i++) {
		struct uvf_pci_resource r;
		char size[32];

		if (uvf_pci_dev_resource(dev, i, &r) || r.end < r.start)
			continue;
		size_str(r.end - r.start + 1, size, sizeof(size));
		if (i == UVF_PCI_ROM_RESOURCE)
			printf("\tExpansion ROM at %" PRIx64 " [size=%s]\n",
			       r.start, size);
		else if (r.flags & UVF_PCI_RES_IO)
			printf("\tRegion %u: I/O ports at %" PRIx64
			       " [size=%s]\n", i, r.start, size);
		else
			printf("\tRegion %u: Memory at %" PRIx64 " (%s, %s)"
			       " [size=%s]\n", i, r.start,
			       r.flags & UVF_PCI_RES_MEM64 ? "64-bit" : "32-bit",
			       r.flags & UVF_PCI_RES_PREFETCH ? "prefetchable"
							      : "non-prefetchable",
			       size);
	}
}

static void print_resources_json(const struct uvf_pci_dev *dev)
{
	bool first = true;

	fputs(", \"resources\": [", stdout);
	for (unsigned int i = 0; i < uvf_pci_dev_resource_count(dev); i++) {
		struct uvf_pci_resource r;

		if (uvf_pci_dev_resource(dev, i, &r) || r.end < r.start)
			continue;
		printf("%s{\"index\": %u, \"start\": \"0x%" PRIx64 "\", "
		       "\"size\": %" PRIu64 ", \"type\": \"%s\", "
		       "\"prefetchable\": %s, \"64bit\": %s}",
		       first ? "" : ", ", i, r.start, r.end - r.start + 1,
		       i == UVF_PCI_ROM_RESOURCE ? "rom"
		       : r.flags & UVF_PCI_RES_IO ? "io" : "mem",
		       r.flags & UVF_PCI_RES_PREFETCH ? "true" : "false",
		       r.flags & UVF_PCI_RES_MEM64 ? "true" : "false");
		first = false;
	}
	putchar(']');
}

static void print_json(struct uvf_pci_ctx *ctx, const struct uvf_pci_dev *dev)
{
	const struct uvf_pci_ids *id = uvf_pci_dev_ids(dev);
	char why[384];
	int use = uvf_pci_dev_in_use(ctx, dev, why, sizeof(why));

	printf("{\"bdf\": \"%s\", \"vendor_id\": \"%04x\", "
	       "\"device_id\": \"%04x\", \"subsystem_vendor_id\": \"%04x\", "
	       "\"subsystem_device_id\": \"%04x\", \"class\": \"%06x\", "
	       "\"revision\": %u, \"vendor\": ", uvf_pci_dev_bdf(dev),
	       id->vendor, id->device, id->subsys_vendor, id->subsys_device,
	       id->class_code, id->revision);
	json_str(uvf_pci_dev_vendor_name(dev));
	fputs(", \"device\": ", stdout);
	json_str(uvf_pci_dev_device_name(dev));
	fputs(", \"class_name\": ", stdout);
	json_str(uvf_pci_dev_class_name(dev));
	fputs(", \"subsystem\": ", stdout);
	json_str(uvf_pci_dev_subsys_name(dev));
	fputs(", \"driver\": ", stdout);
	json_str(uvf_pci_dev_driver(dev));
	fputs(", \"driver_override\": ", stdout);
	json_str(uvf_pci_dev_driver_override(dev));
	fputs(", \"iommu_group\": ", stdout);
	json_int_or_null(uvf_pci_dev_iommu_group(dev));
	fputs(", \"numa_node\": ", stdout);
	json_int_or_null(uvf_pci_dev_numa_node(dev));
	printf(", \"vfio\": {\"bound\": %s, \"group_node\": ",
	       uvf_pci_dev_vfio_bound(dev) ? "true" : "false");
	json_str(uvf_pci_dev_vfio_group_node(dev));
	fputs(", \"cdev\": ", stdout);
	json_str(uvf_pci_dev_vfio_cdev(dev));
	fputs("}, \"in_use\": ", stdout);
	json_str(use > 0 ? why : NULL);
	print_resources_json(dev);
}

int cmd_list(struct uvf_pci_ctx *ctx, const struct bind_opts *o)
{
	struct uvf_pci_list *list;
	int err = uvf_pci_list_new(ctx, &list);

	if (err)
		return bind_fail(ctx, err);
	if (o->json)
		fputs("{\"devices\": [", stdout);
	for (size_t i = 0; i < uvf_pci_list_count(list); i++) {
		const struct uvf_pci_dev *dev = uvf_pci_list_get(list, i);

		if (o->json) {
			fputs(i ? ",\n  " : "\n  ", stdout);
			print_json(ctx, dev);
			putchar('}');
		} else {
			if (i)
				putchar('\n');
			print_text(ctx, dev);
		}
	}
	if (o->json)
		fputs("\n]}\n", stdout);
	uvf_pci_list_free(list);
	return BIND_EXIT_OK;
}

/* Other members of @dev's group, as "0000:00:03.1, 0000:00:03.2". */
static int group_mates(struct uvf_pci_ctx *ctx, const struct uvf_pci_dev *dev,
		       struct uvf_pci_list **mates)
{
	int group = uvf_pci_dev_iommu_group(dev);

	*mates = NULL;
	if (group < 0)
		return 0;
	return uvf_pci_group_list(ctx, group, mates);
}

static void status_one(struct uvf_pci_ctx *ctx, const struct uvf_pci_dev *dev,
		       const struct uvf_pci_list *mates,
		       const struct uvf_pci_state *state, bool json)
{
	const char *bdf = NULL, *drv = NULL, *ovr = NULL;
	int rec = state ? uvf_pci_state_find(state, uvf_pci_dev_bdf(dev))
			: -ENOENT;
	int node = uvf_pci_dev_numa_node(dev);
	bool first = true;

	if (rec >= 0)
		uvf_pci_state_get(state, (size_t)rec, &bdf, &drv, &ovr);
	if (json) {
		print_json(ctx, dev);
		fputs(", \"iommu_group_members\": [", stdout);
		for (size_t i = 0; mates && i < uvf_pci_list_count(mates);
		     i++) {
			printf("%s", first ? "" : ", ");
			json_str(uvf_pci_dev_bdf(uvf_pci_list_get(mates, i)));
			first = false;
		}
		fputs("], \"record\": ", stdout);
		if (rec >= 0) {
			fputs("{\"old_driver\": ", stdout);
			json_str(drv);
			fputs(", \"old_driver_override\": ", stdout);
			json_str(ovr);
			putchar('}');
		} else {
			fputs("null", stdout);
		}
		putchar('}');
		return;
	}
	print_text(ctx, dev);
	printf("\tDriver override: %s\n",
	       uvf_pci_dev_driver_override(dev) ?
	       uvf_pci_dev_driver_override(dev) : "none");
	if (node >= 0)
		printf("\tNUMA node: %d\n", node);
	if (mates && uvf_pci_list_count(mates) > 1) {
		fputs("\tIOMMU group members:", stdout);
		for (size_t i = 0; i < uvf_pci_list_count(mates); i++) {
			const struct uvf_pci_dev *m = uvf_pci_list_get(mates, i);

			printf(" %s (%s)", uvf_pci_dev_bdf(m),
			       uvf_pci_dev_driver(m) ? uvf_pci_dev_driver(m)
						     : "no driver");
		}
		putchar('\n');
	}
	if (rec >= 0)
		printf("\tRecorded by uvf-bind: old driver %s, old "
		       "driver_override %s\n", drv ? drv : "none",
		       ovr ? ovr : "none");
	print_resources_text(dev);
}

int cmd_status(struct uvf_pci_ctx *ctx, const struct bind_opts *o)
{
	struct uvf_pci_state *state = NULL;
	int rc = BIND_EXIT_OK;

	/* Status only shows records; an unreadable state file is no error. */
	if (uvf_pci_state_open(o->state_path, &state))
		state = NULL;
	if (o->json)
		fputs("{\"devices\": [", stdout);
	for (int i = 0; i < o->nbdfs && rc == BIND_EXIT_OK; i++) {
		struct uvf_pci_list *mates;
		struct uvf_pci_dev *dev;
		int err = uvf_pci_dev_open(ctx, o->bdfs[i], &dev);

		if (!err) {
			err = group_mates(ctx, dev, &mates);
			if (err)
				uvf_pci_dev_free(dev);
		}
		if (err) {
			rc = bind_fail(ctx, err);
			break;
		}
		if (o->json)
			fputs(i ? ",\n  " : "\n  ", stdout);
		else if (i)
			putchar('\n');
		status_one(ctx, dev, mates, state, o->json);
		uvf_pci_list_free(mates);
		uvf_pci_dev_free(dev);
	}
	if (o->json)
		fputs("\n]}\n", stdout);
	uvf_pci_state_free(state);
	return rc;
}
