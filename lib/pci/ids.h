/* SPDX-License-Identifier: MIT */
/*
 * The PCI ID database (pci.ids), read directly rather than through libpci:
 * Debian ships no static libpci, and its private dependency libudev has no
 * static library either, while uvf must link into static guest programs.
 */
#ifndef UVF_PCI_IDS_H
#define UVF_PCI_IDS_H

#include <stdint.h>

struct pci_ids_db;

/* Parses the file at @path; -ENOENT and friends when it cannot be read. */
int pci_ids_load(const char *path, struct pci_ids_db **dbp);
void pci_ids_free(struct pci_ids_db *db);

/* Each lookup returns the name, or NULL when the database lacks it. */
const char *pci_ids_vendor(const struct pci_ids_db *db, uint16_t vendor);
const char *pci_ids_device(const struct pci_ids_db *db, uint16_t vendor,
			   uint16_t device);
const char *pci_ids_subsys(const struct pci_ids_db *db, uint16_t vendor,
			   uint16_t device, uint16_t subvendor,
			   uint16_t subdevice);
const char *pci_ids_class(const struct pci_ids_db *db, uint8_t base);
const char *pci_ids_subclass(const struct pci_ids_db *db, uint8_t base,
			     uint8_t sub);

#endif
