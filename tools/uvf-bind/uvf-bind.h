/* SPDX-License-Identifier: MIT */
/* uvf-bind: shared declarations of the command-line tool. */
#ifndef UVF_BIND_H
#define UVF_BIND_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <uvf/pci.h>
#include <uvf/pci_bind.h>
#include <uvf/pci_state.h>

/* Exit statuses; --help lists them. */
enum bind_exit {
	BIND_EXIT_OK = 0,
	BIND_EXIT_FAILED = 1,	/* the operation failed; nothing half done */
	BIND_EXIT_USAGE = 2,	/* bad command line or malformed address */
	BIND_EXIT_NODEV = 3,	/* no such PCI device */
	BIND_EXIT_IN_USE = 4,	/* device in use; --force takes it */
	BIND_EXIT_ROLLBACK = 5,	/* a failed bind left a device unrestored */
};

struct bind_opts {
	bool dry_run;
	bool force;
	bool json;
	bool emulate_kernel;	/* --emulate-kernel, in the test build only */
	const char *state_path;
	const char *rules_dir;	/* --rules-dir; NULL: /etc/udev/rules.d */
	const char *user;	/* --user: gets the VFIO nodes (setup, bind) */
	const char *group;	/* --group */
	uid_t uid;		/* resolved; (uid_t)-1 when not given */
	gid_t gid;
	unsigned long hugepages;	/* setup --hugepages: 2 MiB pages */
	uint64_t memlock_bytes;	/* setup --memlock; 0: unlimited */
	const char *etc_root;	/* --etc; "/etc" */
	const char *dev_root;	/* the context's /dev root */
	const char *sysfs_root;	/* the context's /sys root */
	unsigned long sriov_vfs;	/* sriov: the number of VFs wanted */
	bool bind_vfs;		/* sriov --bind: bind the new VFs to vfio-pci */
	char **bdfs;		/* canonical addresses of the command */
	int nbdfs;
};

/* Prints "uvf-bind: <fmt>." style messages on stderr. */
void bind_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The exit status for a library error, after printing its sentence. */
int bind_fail(struct uvf_pci_ctx *ctx, int err);

int cmd_list(struct uvf_pci_ctx *ctx, const struct bind_opts *o);
int cmd_status(struct uvf_pci_ctx *ctx, const struct bind_opts *o);
int cmd_bind(struct uvf_pci_ctx *ctx, const struct bind_opts *o);
int cmd_unbind(struct uvf_pci_ctx *ctx, const struct bind_opts *o);
int cmd_restore(struct uvf_pci_ctx *ctx, const struct bind_opts *o);
int cmd_persist(struct uvf_pci_ctx *ctx, const struct bind_opts *o);
int cmd_unpersist(struct uvf_pci_ctx *ctx, const struct bind_opts *o);
int cmd_persisted(struct uvf_pci_ctx *ctx, const struct bind_opts *o);
int cmd_setup(struct uvf_pci_ctx *ctx, const struct bind_opts *o);
int cmd_sriov(struct uvf_pci_ctx *ctx, const struct bind_opts *o);

/* Resolves --user and --group into o->uid and o->gid. */
int bind_owner_resolve(struct bind_opts *o);

/* Gives the VFIO nodes of @bdfs (on vfio-pci) and /dev/iommu to the owner. */
int bind_grant(struct uvf_pci_ctx *ctx, const struct bind_opts *o,
	       const char *const *bdfs, size_t n);

#endif
