/* SPDX-License-Identifier: MIT */
/*
 * PCI binding state: what uvf changed when it bound devices to vfio-pci
 * (each device's driver and driver_override before), kept in a JSON file,
 * so a later release or restore (uvf/pci_bind.h) can return them.
 */
#ifndef UVF_PCI_STATE_H
#define UVF_PCI_STATE_H

#include <uvf/types.h>

struct uvf_pci_state;	/* records of what uvf changed, kept in a file */

/**
 * uvf_pci_state_open() - load the records kept in @path
 * @path: state file; a missing file is an empty state
 * @statep: the state, bound to @path for uvf_pci_state_save()
 *
 * Return: 0, -EBADMSG when the file is not a uvf state file, -ENOMEM, or
 * another negative errno when it cannot be read.
 */
int uvf_pci_state_open(const char *path, struct uvf_pci_state **statep);

/**
 * uvf_pci_state_save() - write the records back to the state's file
 * @state: state
 *
 * Writes a temporary file and renames it over the old one, creating the
 * file's directory when missing, so a reader never sees half a file. An
 * empty state removes the file.
 *
 * Return: 0, or a negative errno; the old file is then left as it was.
 */
int uvf_pci_state_save(const struct uvf_pci_state *state);

/**
 * uvf_pci_state_free() - free a state (the file stays)
 * @state: state, or NULL
 *
 * Return: nothing.
 */
void uvf_pci_state_free(struct uvf_pci_state *state);

/**
 * uvf_pci_state_path() - file a state is kept in
 * @state: state
 *
 * Return: the path given to uvf_pci_state_open().
 */
const char *uvf_pci_state_path(const struct uvf_pci_state *state);

/**
 * uvf_pci_state_count() - number of devices recorded
 * @state: state
 *
 * Return: the count.
 */
size_t uvf_pci_state_count(const struct uvf_pci_state *state);

/**
 * uvf_pci_state_get() - one record
 * @state: state
 * @i: index, below uvf_pci_state_count()
 * @bdf: the device's address
 * @old_driver: driver it had before uvf bound it; NULL when none
 * @old_override: its driver_override before; NULL when empty
 *
 * Return: 0, or -ERANGE when @i is out of range. The strings stay valid
 * until @state changes or is freed.
 */
int uvf_pci_state_get(const struct uvf_pci_state *state, size_t i,
		      const char **bdf, const char **old_driver,
		      const char **old_override);

/**
 * uvf_pci_state_find() - the record of one device
 * @state: state
 * @bdf: canonical address
 *
 * Return: the record's index, or -ENOENT when @bdf has none.
 */
int uvf_pci_state_find(const struct uvf_pci_state *state, const char *bdf);
#endif
