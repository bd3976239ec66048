// SPDX-License-Identifier: MIT
/* uvf-bind: list PCI devices and move them between their drivers and vfio-pci. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/pci_persist.h>

#include "uvf-bind.h"

#ifdef UVF_BIND_FAKE_KERNEL
/* Only the test build (tests/unit/pci) has the fake kernel linked in. */
#include "pci/write_hook.h"
#include "pci_emulate.h"
#endif

#define DEFAULT_STATE_DIR "/run/uvf"
#define STATE_FILE "bind-state.json"

static const char usage_text[] =
"Usage: uvf-bind [OPTIONS] COMMAND [BDF...]\n"
"\n"
"List PCI devices with their driver, IOMMU group and VFIO state, and move\n"
"devices between their kernel driver and vfio-pci, a whole IOMMU group at a\n"
"time. BDF is a PCI address such as 0000:03:00.0 (or 03:00.0 for domain 0).\n"
"\n"
"Commands:\n"
"  list              every PCI device, like 'lspci -k', with IOMMU group and\n"
"                    VFIO state\n"
"  status BDF...     one device in detail: IDs, BARs, group members, use\n"
"  bind BDF...       bind the devices, and every other member of their IOMMU\n"
"                    groups, to vfio-pci; bridges on pcieport and devices on\n"
"                    pci-stub stay where they are. A device that fails to\n"
"                    bind puts every device back on its old driver.\n"
"  unbind BDF...     release the devices and their group mates from vfio-pci\n"
"                    to the driver recorded at bind time, or else to the one\n"
"                    the kernel picks\n"
"  restore           return every device recorded in the state file to its\n"
"                    old driver and driver_override\n"
"  persist BDF...    bind the devices (and their IOMMU groups) to vfio-pci\n"
"                    at every boot and hot-add, through one udev rule each;\n"
"                    changes nothing now\n"
"  unpersist BDF...  remove those rules (for the group mates too); the\n"
"                    devices stay on their current driver\n"
"  persisted         list the persistent bindings\n"
"  setup [BDF...]    prepare a non-root driver (needs --user or --group):\n"
"                    give it the VFIO nodes of the devices (default: all on\n"
"                    vfio-pci) and /dev/iommu, a memlock limit in\n"
"                    /etc/security/limits.d, and --hugepages; prints each\n"
"                    change\n"
"  sriov BDF N       give the SR-IOV PF BDF N virtual functions (0 removes\n"
"                    them; a different non-zero number needs 0 first) and\n"
"                    list them; the PF's driver must configure SR-IOV\n"
"                    (vfio-pci: loaded with enable_sriov=1)\n"
"\n"
"Options:\n"
"  -n, --dry-run     print what would be done; change nothing\n"
"  -f, --force       take devices the host is using (a mounted disk, active\n"
"                    swap, a network interface that is up)\n"
"  -j, --json        print list and status as JSON\n"
"      --bind        sriov: bind the new VFs to vfio-pci, as 'bind' does\n"
"      --user USER   bind, setup: the VFIO nodes go to USER (mode 0660)\n"
"      --group GROUP bind, setup: ... and to GROUP (default USER's own)\n"
"      --memlock SIZE  setup: memlock limit, like 4G or 512M (default\n"
"                    unlimited)\n"
"      --hugepages N setup: reserve at least N 2 MiB hugepages\n"
"      --etc DIR     setup: the /etc to write limits into (default /etc)\n"
"      --state FILE  state file recording what uvf-bind changed (default\n"
"                    $UVF_STATE_DIR/" STATE_FILE ", else\n"
"                    " DEFAULT_STATE_DIR "/" STATE_FILE ")\n"
"      --rules-dir DIR  udev rules directory of persist, unpersist and\n"
"                    persisted (default " UVF_PCI_RULES_DIR ")\n"
"      --sysfs DIR   sysfs root (default /sys)\n"
"      --dev DIR     /dev root (default /dev)\n"
"      --mounts FILE mount table (default /proc/self/mountinfo)\n"
"      --swaps FILE  swap table (default /proc/swaps)\n"
"      --pci-ids FILE  PCI ID database for libpci (default: libpci's, as\n"
"                    lspci uses; \"\" for numbers only)\n"
#ifdef UVF_BIND_FAKE_KERNEL
"      --emulate-kernel  for tests: play the kernel's part in a fake tree\n"
"                    given with --sysfs and --dev; refused on real ones\n"
#endif
"  -h, --help        show this text\n"
"\n"
"Exit status:\n"
"  0  success (including nothing to do)\n"
"  1  the operation failed; devices were put back as they were\n"
"  2  usage error: unknown command or option, malformed address\n"
"  3  no such PCI device\n"
"  4  a device is in use by the host; nothing was changed (see --force)\n"
"  5  a failed bind could not put a device back; it stays recorded in the\n"
"     state file for 'uvf-bind restore'\n";

void bind_err(const char *fmt, ...)
{
	va_list ap;

	/* Keep the report of what was done ahead of the error. */
	fflush(stdout);
	fputs("uvf-bind: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int bind_fail(struct uvf_pci_ctx *ctx, int err)
{
	const char *msg = uvf_pci_ctx_error(ctx);

	if (!msg[0])
		msg = strerror(-err);
	switch (err) {
	case -ENODEV:
		bind_err("%s.", msg);
		return BIND_EXIT_NODEV;
	case -EBUSY:
		bind_err("%s; use --force to take it anyway.", msg);
		return BIND_EXIT_IN_USE;
	case -EACCES:
	case -EPERM:
		bind_err("%s; uvf-bind must run as root.", msg);
		return BIND_EXIT_FAILED;
	default:
		bind_err("%s.", msg);
		return BIND_EXIT_FAILED;
	}
}

enum long_only {
	OPT_STATE = 256,
	OPT_SYSFS,
	OPT_DEV,
	OPT_MOUNTS,
	OPT_SWAPS,
	OPT_PCI_IDS,
	OPT_EMULATE,
	OPT_RULES_DIR,
	OPT_USER,
	OPT_GROUP,
	OPT_MEMLOCK,
	OPT_HUGEPAGES,
	OPT_ETC,
	OPT_BIND_VFS,
};

static const struct option long_opts[] = {
	{ "dry-run", no_argument, NULL, 'n' },
	{ "force", no_argument, NULL, 'f' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "sysfs", required_argument, NULL, OPT_SYSFS },
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "mounts", required_argument, NULL, OPT_MOUNTS },
	{ "swaps", required_argument, NULL, OPT_SWAPS },
	{ "pci-ids", required_argument, NULL, OPT_PCI_IDS },
	{ "rules-dir", required_argument, NULL, OPT_RULES_DIR },
	{ "user", required_argument, NULL, OPT_USER },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "memlock", required_argument, NULL, OPT_MEMLOCK },
	{ "hugepages", required_argument, NULL, OPT_HUGEPAGES },
	{ "etc", required_argument, NULL, OPT_ETC },
	{ "bind", no_argument, NULL, OPT_BIND_VFS },
#ifdef UVF_BIND_FAKE_KERNEL
	{ "emulate-kernel", no_argument, NULL, OPT_EMULATE },
#endif
	{ NULL, 0, NULL, 0 },
};

static const struct {
	const char *name;
	int (*fn)(struct uvf_pci_ctx *ctx, const struct bind_opts *o);
	int min_bdfs, max_bdfs;	/* -1: no limit */
} commands[] = {
	{ "list", cmd_list, 0, 0 },
	{ "status", cmd_status, 1, -1 },
	{ "bind", cmd_bind, 1, -1 },
	{ "unbind", cmd_unbind, 1, -1 },
	{ "restore", cmd_restore, 0, 0 },
	{ "persist", cmd_persist, 1, -1 },
	{ "unpersist", cmd_unpersist, 1, -1 },
	{ "persisted", cmd_persisted, 0, 0 },
	{ "setup", cmd_setup, 0, -1 },
	{ "sriov", cmd_sriov, 1, 1 },	/* and a number of VFs */
};

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("uvf-bind: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("; see 'uvf-bind --help'.\n", stderr);
	return BIND_EXIT_USAGE;
}

/* "4G", "512M", "64K" or bytes; nonzero. */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno)
		return -EINVAL;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	}
	if (*end || !v || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_count(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return end == s || *end || errno || s[0] == '-' ? -EINVAL : 0;
}

/* The state file: --state, else $UVF_STATE_DIR, else /run/uvf. */
static char *state_path(const char *opt)
{
	const char *dir = getenv("UVF_STATE_DIR");
	char *p;

	if (opt)
		return strdup(opt);
	if (!dir || !dir[0])
		dir = DEFAULT_STATE_DIR;
	return asprintf(&p, "%s/%s", dir, STATE_FILE) < 0 ? NULL : p;
}

static int run(int argc, char **argv, struct uvf_pci_ctx_opts *copts,
	       struct bind_opts *o, const char *state_opt)
{
	struct uvf_pci_ctx *ctx;
	char *state = NULL;
	size_t c;
	int n = argc - optind - 1, rc;

	for (c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (!strcmp(argv[optind], commands[c].name))
			break;
	if (c == sizeof(commands) / sizeof(commands[0]))
		return usage_error("unknown command '%s'", argv[optind]);
	if (commands[c].fn == cmd_sriov) {
		if (n != 2)
			return usage_error("'sriov' takes a PF's address and "
					   "a number of VFs");
		if (parse_count(argv[argc - 1], &o->sriov_vfs))
			return usage_error("'sriov' takes a number of VFs, "
					   "not '%s'", argv[argc - 1]);
		n = 1;
	}
	if (n < commands[c].min_bdfs)
		return usage_error("'%s' needs at least one PCI address",
				   commands[c].name);
	if (commands[c].max_bdfs >= 0 && n > commands[c].max_bdfs)
		return usage_error("'%s' takes no PCI address",
				   commands[c].name);
	if (o->emulate_kernel && (!copts->sysfs_root || !copts->dev_root))
		return usage_error("--emulate-kernel needs --sysfs and --dev");
	rc = bind_owner_resolve(o);
	if (rc)
		return rc;

	o->bdfs = calloc((size_t)n + 1, sizeof(*o->bdfs));
	if (!o->bdfs)
		return BIND_EXIT_FAILED;
	for (int i = 0; i < n; i++) {
		const char *arg = argv[optind + 1 + i];

		o->bdfs[i] = malloc(UVF_PCI_BDF_LEN);
		if (!o->bdfs[i])
			return BIND_EXIT_FAILED;
		o->nbdfs = i + 1;
		if (uvf_pci_bdf_parse(arg, o->bdfs[i])) {
			bind_err("'%s' is not a PCI address; expected "
				 "DDDD:BB:DD.F, like 0000:03:00.0.", arg);
			return BIND_EXIT_USAGE;
		}
	}
	state = state_path(state_opt);
	if (!state || uvf_pci_ctx_new(copts, &ctx)) {
		free(state);
		bind_err("out of memory.");
		return BIND_EXIT_FAILED;
	}
	o->state_path = state;
	o->dev_root = copts->dev_root ? copts->dev_root : "/dev";
	o->sysfs_root = copts->sysfs_root ? copts->sysfs_root : "/sys";
	if (!o->etc_root)
		o->etc_root = "/etc";
#ifdef UVF_BIND_FAKE_KERNEL
	if (o->emulate_kernel)
		pci_ctx_set_write_hook(ctx, pci_emulate_kernel, NULL);
#endif
	rc = commands[c].fn(ctx, o);
	uvf_pci_ctx_free(ctx);
	free(state);
	return rc;
}

int main(int argc, char **argv)
{
	struct uvf_pci_ctx_opts copts = { 0 };
	struct bind_opts o = { 0 };
	const char *state_opt = NULL;
	int opt, rc;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":nfjh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'n': o.dry_run = true; break;
		case 'f': o.force = true; break;
		case 'j': o.json = true; break;
		case 'h':
			fputs(usage_text, stdout);
			return BIND_EXIT_OK;
		case OPT_STATE: state_opt = optarg; break;
		case OPT_SYSFS: copts.sysfs_root = optarg; break;
		case OPT_DEV: copts.dev_root = optarg; break;
		case OPT_MOUNTS: copts.mounts = optarg; break;
		case OPT_SWAPS: copts.swaps = optarg; break;
		case OPT_PCI_IDS: copts.pci_ids = optarg; break;
		case OPT_EMULATE: o.emulate_kernel = true; break;
		case OPT_RULES_DIR: o.rules_dir = optarg; break;
		case OPT_USER: o.user = optarg; break;
		case OPT_GROUP: o.group = optarg; break;
		case OPT_ETC: o.etc_root = optarg; break;
		case OPT_BIND_VFS: o.bind_vfs = true; break;
		case OPT_MEMLOCK:
			if (parse_size(optarg, &o.memlock_bytes))
				return usage_error("--memlock takes a size "
						   "like 4G, not '%s'", optarg);
			break;
		case OPT_HUGEPAGES:
			if (parse_count(optarg, &o.hugepages))
				return usage_error("--hugepages takes a count, "
						   "not '%s'", optarg);
			break;
		case ':':
			return usage_error("option '%s' needs a value",
					   argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("no command given");
	rc = run(argc, argv, &copts, &o, state_opt);
	for (int i = 0; i < o.nbdfs; i++)
		free(o.bdfs[i]);
	free(o.bdfs);
	return rc;
}
