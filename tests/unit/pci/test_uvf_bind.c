// SPDX-License-Identifier: MIT
/*
 * uvf-bind end to end: the built tool (path in $UVF_BIND) runs against a
 * fake tree with --emulate-kernel; its output, exit status and effect on
 * the tree are checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/check_main.h"
#include "fake_sysfs.h"
#include "pci/json.h"

extern char **environ;

static struct fake_sysfs fs;
static char out[65536], err[4096];

static void setup(void)
{
	fake_sysfs_create(&fs);
	fake_standard(&fs);
}

static void teardown(void)
{
	fake_sysfs_destroy(&fs);
}

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/*
 * Runs uvf-bind with the fake roots and the NULL-terminated arguments;
 * @env, if not NULL, is one extra "NAME=value" for its environment;
 * @fake_state (an int: va_start needs an unpromoted type) adds --state.
 */
static int run_env(const char *env, int fake_state, ...)
{
	const char *tool = getenv("UVF_BIND");
	char *argv[40], *envp[256], outp[PATH_MAX], errp[PATH_MAX];
	posix_spawn_file_actions_t fa;
	int argc = 0, envc = 0, status;
	const char *a;
	va_list ap;
	pid_t pid;

	ck_assert_msg(tool, "UVF_BIND is not set");
	argv[argc++] = (char *)tool;
	argv[argc++] = "--sysfs";
	argv[argc++] = fs.sys;
	argv[argc++] = "--dev";
	argv[argc++] = fs.dev;
	argv[argc++] = "--mounts";
	argv[argc++] = fs.mounts;
	argv[argc++] = "--swaps";
	argv[argc++] = fs.swaps;
	argv[argc++] = "--pci-ids";
	argv[argc++] = fs.ids;
	argv[argc++] = "--emulate-kernel";
	if (fake_state) {
		argv[argc++] = "--state";
		argv[argc++] = fs.state;
	}
	va_start(ap, fake_state);
	while ((a = va_arg(ap, const char *)) && argc < 39)
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	for (char **e = environ; *e && envc < 254; e++)
		if (strncmp(*e, "UVF_STATE_DIR=", 14))
			envp[envc++] = *e;
	if (env)
		envp[envc++] = (char *)env;
	envp[envc] = NULL;

	fake_fmt(outp, sizeof(outp), "%s/stdout", fs.top);
	fake_fmt(errp, sizeof(errp), "%s/stderr", fs.top);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, outp,
					 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, errp,
					 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_eq(posix_spawn(&pid, tool, &fa, NULL, argv, envp), 0);
	posix_spawn_file_actions_destroy(&fa);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	slurp(outp, out, sizeof(out));
	slurp(errp, err, sizeof(err));
	return WEXITSTATUS(status);
}

#define run(...) run_env(NULL, 1, __VA_ARGS__, (const char *)NULL)

/* The driver_override of @bdf; "" when empty, however it is shown. */
static const char *override_of(const char *bdf)
{
	char rel[128];
	const char *v;

	fake_fmt(rel, sizeof(rel), "bus/pci/devices/%s/driver_override", bdf);
	v = fake_read(&fs, rel);
	return strcmp(v, "(null)") ? v : "";
}

static const struct json *device_in(const struct json *doc, const char *bdf)
{
	const struct json *devs = json_get(doc, "devices");

	ck_assert_ptr_nonnull(devs);
	ck_assert_int_eq(devs->type, JSON_ARRAY);
	for (size_t i = 0; i < devs->n; i++) {
		const struct json *b = json_get(devs->items[i], "bdf");

		if (b && b->type == JSON_STRING && !strcmp(b->string, bdf))
			return devs->items[i];
	}
	ck_abort_msg("%s not in the JSON output", bdf);
	return NULL;
}

START_TEST(test_cli_list_shows_devices_like_lspci)
{
	ck_assert_int_eq(run("list"), 0);
	ck_assert_str_eq(err, "");
	ck_assert_ptr_nonnull(strstr(out,
		"0000:01:00.0 Ethernet controller [0200]: Intel Corporation "
		"82574L Gigabit Network Connection [8086:10d3] (rev 02)\n"
		"\tSubsystem: Intel Corporation Device [8086:0001]\n"
		"\tKernel driver in use: e1000e\n"
		"\tIOMMU group: 1\n"
		"\tVFIO: not bound\n"));
	ck_assert_ptr_nonnull(strstr(out,
		"\tIn use: backs mounted filesystem /dev/vda1 (on /)\n"));
	ck_assert_ptr_nonnull(strstr(out,
		"0000:00:05.0 Class [0b40]: Device [1234:5678] (rev 02)\n"));
	ck_assert_ptr_nonnull(strstr(out, "\tIOMMU group: none\n"));
}
END_TEST

/*
 * lspci itself on the same fake tree (libpci's sysfs method pointed at it,
 * the tests' pci.ids, no udev hwdb): every device line it prints is a line
 * of uvf-bind list. pciutils is one of the test packages (tools/uvf-run).
 */
START_TEST(test_cli_list_lines_are_lspci_nn_lines_on_the_same_tree)
{
	static const char *const paths[] = { "/usr/bin/lspci", "/usr/sbin/lspci",
					     "/sbin/lspci" };
	char cmd[3 * PATH_MAX], line[512];
	const char *lspci = NULL;
	unsigned int n = 0;
	FILE *p;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (!access(paths[i], X_OK))
			lspci = paths[i];
	ck_assert_msg(lspci, "lspci is not installed (Debian: pciutils)");
	ck_assert_int_eq(run("list"), 0);
	fake_fmt(cmd, sizeof(cmd),
		 "%s -nn -D -A linux-sysfs -O sysfs.path=%s/bus/pci "
		 "-O hwdb.disable=1 -i %s", lspci, fs.sys, fs.ids);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p)) {
		char *at;

		ck_assert_msg((at = strstr(out, line)) &&
			      (at == out || at[-1] == '\n'),
			      "lspci's line '%s' is not in uvf-bind list", line);
		n++;
	}
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_uint_eq(n, 8);
}
END_TEST

START_TEST(test_cli_list_json_parses_and_matches_the_tree)
{
	const struct json *d, *v;
	struct json *doc;

	ck_assert_int_eq(run("list", "--json"), 0);
	ck_assert_int_eq(json_parse(out, &doc), 0);
	ck_assert_uint_eq(json_get(doc, "devices")->n, 8);
	d = device_in(doc, "0000:01:00.0");
	ck_assert_str_eq(json_get(d, "driver")->string, "e1000e");
	ck_assert(json_get(d, "iommu_group")->number == 1);
	ck_assert_str_eq(json_get(d, "vendor_id")->string, "8086");
	ck_assert_str_eq(json_get(d, "class")->string, "020000");
	ck_assert_str_eq(json_get(d, "vendor")->string, "Intel Corporation");
	ck_assert_int_eq(json_get(d, "in_use")->type, JSON_NULL);
	v = json_get(d, "vfio");
	ck_assert(!json_get(v, "bound")->boolean);
	ck_assert_uint_eq(json_get(d, "resources")->n, 2);
	d = device_in(doc, "0000:00:05.0");
	ck_assert_int_eq(json_get(d, "driver")->type, JSON_NULL);
	ck_assert_int_eq(json_get(d, "iommu_group")->type, JSON_NULL);
	d = device_in(doc, "0000:00:03.0");
	ck_assert_str_eq(json_get(d, "in_use")->string,
			 "owns network interface eth0, which is up");
	json_free(doc);
}
END_TEST

START_TEST(test_cli_bind_and_unbind_round_trip_a_group)
{
	char line[PATH_MAX + 64];

	ck_assert_int_eq(run("bind", "01:00.0"), 0);
	ck_assert_str_eq(err, "");
	ck_assert_ptr_nonnull(strstr(out,
		"0000:01:00.0 shares IOMMU group 1 with 0000:01:00.1; they "
		"move together.\n"));
	ck_assert_ptr_nonnull(strstr(out,
		"leaving 0000:00:01.0 on pcieport: bridge, which VFIO accepts "
		"in a group\n"));
	ck_assert_ptr_nonnull(strstr(out,
		"bound 0000:01:00.0 to vfio-pci (was on e1000e)\n"
		"bound 0000:01:00.1 to vfio-pci (was on e1000e)\n"));
	fake_fmt(line, sizeof(line), "IOMMU group 1 is ready: %s/vfio/1\n",
		 fs.dev);
	ck_assert_ptr_nonnull(strstr(out, line));
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.0"), "vfio-pci");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.1"), "vfio-pci");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:01.0"), "pcieport");
	ck_assert(fake_exists(fs.state));

	ck_assert_int_eq(run("status", "0000:01:00.1"), 0);
	fake_fmt(line, sizeof(line), "\tVFIO: bound, group %s/vfio/1, cdev ",
		 fs.dev);
	ck_assert_ptr_nonnull(strstr(out, line));
	ck_assert_ptr_nonnull(strstr(out,
		"\tRecorded by uvf-bind: old driver e1000e, old "
		"driver_override none\n"));

	ck_assert_int_eq(run("unbind", "0000:01:00.1"), 0);
	ck_assert_ptr_nonnull(strstr(out,
		"released 0000:01:00.0 from vfio-pci to e1000e\n"
		"released 0000:01:00.1 from vfio-pci to e1000e\n"));
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.0"), "e1000e");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.1"), "e1000e");
	ck_assert_str_eq(override_of("0000:01:00.0"), "");
	ck_assert(!fake_exists(fs.state));
}
END_TEST

START_TEST(test_cli_dry_run_changes_nothing)
{
	ck_assert_int_eq(run("--dry-run", "bind", "0000:01:00.0"), 0);
	ck_assert_ptr_nonnull(strstr(out,
		"would bind 0000:01:00.0 to vfio-pci (now on e1000e)\n"
		"would bind 0000:01:00.1 to vfio-pci (now on e1000e)\n"));
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.0"), "e1000e");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.1"), "e1000e");
	ck_assert_str_eq(override_of("0000:01:00.0"), "");
	ck_assert_str_eq(fake_read(&fs, "bus/pci/drivers/e1000e/unbind"), "");
	ck_assert_str_eq(fake_read(&fs, "bus/pci/drivers_probe"), "");
	ck_assert(!fake_exists(fs.state));

	ck_assert_int_eq(run("bind", "0000:00:06.0"), 0);
	ck_assert_int_eq(run("-n", "unbind", "0000:00:06.0"), 0);
	ck_assert_str_eq(out,
		"would release 0000:00:06.0 from vfio-pci to virtio-pci\n");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:06.0"), "vfio-pci");
	ck_assert_int_eq(run("restore", "--dry-run"), 0);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:06.0"), "vfio-pci");
	ck_assert(fake_exists(fs.state));
}
END_TEST

START_TEST(test_cli_in_use_device_is_refused_unless_forced)
{
	ck_assert_int_eq(run("bind", "0000:00:02.0"), 4);
	ck_assert_str_eq(err,
		"uvf-bind: 0000:00:02.0 backs mounted filesystem /dev/vda1 "
		"(on /); use --force to take it anyway.\n");
	ck_assert_str_eq(out, "");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:02.0"), "virtio-pci");
	ck_assert_int_eq(run("bind", "--dry-run", "0000:00:03.0"), 4);
	ck_assert_str_eq(err,
		"uvf-bind: 0000:00:03.0 owns network interface eth0, which is "
		"up; use --force to take it anyway.\n");
	ck_assert_int_eq(run("bind", "--force", "0000:00:02.0"), 0);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:02.0"), "vfio-pci");
}
END_TEST

START_TEST(test_cli_bad_address_is_a_usage_error)
{
	ck_assert_int_eq(run("bind", "0000:00:04.0", "00:3.0"), 2);
	ck_assert_str_eq(err,
		"uvf-bind: '00:3.0' is not a PCI address; expected "
		"DDDD:BB:DD.F, like 0000:03:00.0.\n");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:04.0"), "virtio-pci");
}
END_TEST

START_TEST(test_cli_missing_device_exits_3)
{
	ck_assert_int_eq(run("bind", "0000:00:1f.0"), 3);
	ck_assert_str_eq(err, "uvf-bind: no PCI device 0000:00:1f.0.\n");
	ck_assert_int_eq(run("status", "0000:00:1f.0"), 3);
}
END_TEST

START_TEST(test_cli_usage_errors_exit_2)
{
	ck_assert_int_eq(run_env(NULL, 0, (const char *)NULL), 2);
	ck_assert_str_eq(err, "uvf-bind: no command given; see "
			      "'uvf-bind --help'.\n");
	ck_assert_int_eq(run("frobnicate"), 2);
	ck_assert_str_eq(err, "uvf-bind: unknown command 'frobnicate'; see "
			      "'uvf-bind --help'.\n");
	ck_assert_int_eq(run("--bogus", "list"), 2);
	ck_assert_str_eq(err, "uvf-bind: unknown option '--bogus'; see "
			      "'uvf-bind --help'.\n");
	ck_assert_int_eq(run("bind"), 2);
	ck_assert_int_eq(run("list", "0000:00:04.0"), 2);
	ck_assert_int_eq(run("list", "--state"), 2);
	ck_assert_int_eq(run("--help"), 0);
	ck_assert_ptr_nonnull(strstr(out, "Usage: uvf-bind"));
	ck_assert_ptr_nonnull(strstr(out, "Exit status:"));
}
END_TEST

START_TEST(test_cli_refused_probe_rolls_back_and_exits_1)
{
	fake_device(&fs, &(struct fake_dev){ "0000:00:08.0", 0x1af4, 0x1000,
					     0x020000, -1, "virtio-pci",
					     NULL });
	ck_assert_int_eq(run("bind", "0000:00:08.0"), 1);
	ck_assert_str_eq(err,
		"uvf-bind: the kernel did not bind 0000:00:08.0 to vfio-pci "
		"(see dmesg); every device is back where it was.\n");
	ck_assert_str_eq(out, "left 0000:00:08.0 on virtio-pci\n");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:08.0"), "virtio-pci");
	ck_assert_str_eq(override_of("0000:00:08.0"), "");
	ck_assert(!fake_exists(fs.state));
}
END_TEST

START_TEST(test_cli_device_that_cannot_go_back_exits_5)
{
	/* Bound through an ID since removed: nothing brings it back. */
	fake_driver(&fs, "legacy", NULL);
	fake_device(&fs, &(struct fake_dev){ "0000:00:09.0", 0x1234, 0x0001,
					     0x020000, -1, "legacy", NULL });
	ck_assert_int_eq(run("bind", "0000:00:09.0"), 5);
	ck_assert_ptr_nonnull(strstr(err, "stay recorded in "));
	ck_assert_ptr_nonnull(strstr(err, "run 'uvf-bind restore'"));
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:09.0"), "");
	ck_assert(fake_exists(fs.state));

	/* Once the driver takes the device again, restore settles it. */
	fake_write(&fs, "bus/pci/drivers/legacy/new_id", "1234 0001\n");
	ck_assert_int_eq(run("restore"), 0);
	ck_assert_str_eq(out, "released 0000:00:09.0 to legacy\n");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:09.0"), "legacy");
	ck_assert(!fake_exists(fs.state));
}
END_TEST

START_TEST(test_cli_restore_returns_every_recorded_device)
{
	ck_assert_int_eq(run("bind", "0000:00:04.0", "0000:00:06.0"), 0);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:04.0"), "vfio-pci");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:06.0"), "vfio-pci");
	ck_assert_int_eq(run("restore"), 0);
	ck_assert_str_eq(out,
		"released 0000:00:04.0 from vfio-pci to virtio-pci\n"
		"released 0000:00:06.0 from vfio-pci to virtio-pci\n");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:04.0"), "virtio-pci");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:06.0"), "virtio-pci");
	ck_assert_str_eq(override_of("0000:00:06.0"), "virtio-pci");
	ck_assert_int_eq(run("restore"), 0);
	ck_assert_ptr_nonnull(strstr(out, "nothing to restore"));
}
END_TEST

START_TEST(test_cli_status_json_has_members_and_record)
{
	const struct json *d, *m;
	struct json *doc;

	ck_assert_int_eq(run("bind", "0000:00:06.0"), 0);
	ck_assert_int_eq(run("status", "--json", "0000:00:06.0",
			     "0000:01:00.0"), 0);
	ck_assert_int_eq(json_parse(out, &doc), 0);
	d = device_in(doc, "0000:00:06.0");
	ck_assert_str_eq(json_get(d, "driver")->string, "vfio-pci");
	ck_assert_str_eq(json_get(json_get(d, "record"), "old_driver")->string,
			 "virtio-pci");
	ck_assert_str_eq(json_get(json_get(d, "record"),
				  "old_driver_override")->string,
			 "virtio-pci");
	ck_assert(json_get(json_get(d, "vfio"), "bound")->boolean);
	d = device_in(doc, "0000:01:00.0");
	m = json_get(d, "iommu_group_members");
	ck_assert_uint_eq(m->n, 3);
	ck_assert_str_eq(m->items[0]->string, "0000:00:01.0");
	ck_assert_int_eq(json_get(d, "record")->type, JSON_NULL);
	json_free(doc);
}
END_TEST

START_TEST(test_cli_state_dir_comes_from_the_environment)
{
	char env[PATH_MAX + 32], path[PATH_MAX];

	fake_fmt(env, sizeof(env), "UVF_STATE_DIR=%s/statedir", fs.top);
	ck_assert_int_eq(run_env(env, 0, "bind", "0000:00:04.0",
				 (const char *)NULL), 0);
	fake_fmt(path, sizeof(path), "%s/statedir/bind-state.json", fs.top);
	ck_assert(fake_exists(path));
	ck_assert_int_eq(run_env(env, 0, "restore", (const char *)NULL),
			 0);
	ck_assert(!fake_exists(path));
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:04.0"), "virtio-pci");
}
END_TEST

START_TEST(test_cli_emulation_needs_fake_roots)
{
	const char *tool = getenv("UVF_BIND");
	char *argv[] = { (char *)tool, "--emulate-kernel", "list", NULL };
	int status;
	pid_t pid;

	ck_assert_ptr_nonnull(tool);
	ck_assert_int_eq(posix_spawn(&pid, tool, NULL, NULL, argv, environ),
			 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 2);
}
END_TEST

/* A udev rules directory in the fake tree, for persist and friends. */
static const char *rules_dir(void)
{
	static char dir[PATH_MAX];

	fake_fmt(dir, sizeof(dir), "%s/rules.d", fs.top);
	mkdir(dir, 0755);
	return dir;
}

START_TEST(test_cli_persist_lists_and_unpersists_a_group)
{
	const char *dir = rules_dir();

	ck_assert_int_eq(run("--rules-dir", dir, "-n", "persist", "01:00.1"), 0);
	ck_assert_ptr_nonnull(strstr(out, "would write a rule binding "
				     "0000:01:00.0 to vfio-pci at boot\n"));
	ck_assert_ptr_nonnull(strstr(out, "no rule for 0000:00:01.0: "));
	ck_assert_int_eq(run("--rules-dir", dir, "persisted"), 0);
	ck_assert_ptr_nonnull(strstr(out, "no persistent binding in "));
	ck_assert_int_eq(run("--rules-dir", dir, "persist", "01:00.1"), 0);
	ck_assert_ptr_nonnull(strstr(out, "wrote 2 udev rules in "));
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.1"), "e1000e");
	ck_assert_int_eq(run("--rules-dir", dir, "persisted"), 0);
	ck_assert_str_eq(out, "0000:01:00.0 8086:10d3 -> vfio-pci\n"
			      "0000:01:00.1 8086:10d3 -> vfio-pci\n");
	ck_assert_int_eq(run("--rules-dir", dir, "-n", "unpersist", "01:00.0"),
			 0);
	ck_assert_ptr_nonnull(strstr(out, "would remove 2 udev rules"));
	ck_assert_int_eq(run("--rules-dir", dir, "unpersist", "01:00.0"), 0);
	ck_assert_ptr_nonnull(strstr(out, "removed 2 udev rules"));
	ck_assert_int_eq(run("--rules-dir", dir, "persisted"), 0);
	ck_assert_ptr_nonnull(strstr(out, "no persistent binding in "));
}
END_TEST

START_TEST(test_cli_persist_refusals_exit_with_their_status)
{
	const char *dir = rules_dir();

	ck_assert_int_eq(run("--rules-dir", dir, "persist", "00:02.0"), 4);
	ck_assert_ptr_nonnull(strstr(err, "mounted"));
	ck_assert_int_eq(run("--rules-dir", dir, "unpersist", "00:04.0"), 3);
	ck_assert_ptr_nonnull(strstr(err, "uvf-bind: 0000:00:04.0 has no "
				     "persistent binding in "));
	ck_assert_int_eq(run("--rules-dir", dir, "persisted"), 0);
	ck_assert_ptr_nonnull(strstr(out, "no persistent binding in "));
}
END_TEST

static void mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

/* An /etc for setup's limits file, in the fake tree. */
static const char *etc_dir(void)
{
	static char dir[PATH_MAX];
	char sub[PATH_MAX];

	fake_fmt(dir, sizeof(dir), "%s/etc", fs.top);
	fake_fmt(sub, sizeof(sub), "%s/security/limits.d", dir);
	mkdir_p(sub);
	return dir;
}

static void assert_owned(const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_uid, uid);
	ck_assert_uint_eq(st.st_gid, gid);
	ck_assert_uint_eq(st.st_mode & 07777, mode);
}

START_TEST(test_cli_setup_gives_nodes_and_memlock_to_a_user)
{
	const struct passwd *pw = getpwnam("nobody");
	char node[PATH_MAX], iommu[PATH_MAX], limits[PATH_MAX], hp[PATH_MAX];
	const char *etc = etc_dir();
	FILE *f;

	ck_assert_ptr_nonnull(pw);
	fake_fmt(iommu, sizeof(iommu), "%s/iommu", fs.dev);
	f = fopen(iommu, "w");
	fclose(f);
	chmod(iommu, 0600);
	fake_fmt(hp, sizeof(hp), "%s/kernel/mm/hugepages/hugepages-2048kB",
		 fs.sys);
	mkdir_p(hp);
	fake_write(&fs, "kernel/mm/hugepages/hugepages-2048kB/nr_hugepages",
		   "2\n");
	ck_assert_int_eq(run("bind", "00:04.0"), 0);
	fake_fmt(node, sizeof(node), "%s/vfio/4", fs.dev);
	fake_fmt(limits, sizeof(limits), "%s/security/limits.d/90-uvf-nobody.conf",
		 etc);
	/* --dry-run says what it would do and changes nothing. */
	ck_assert_int_eq(run("--user", "nobody", "--etc", etc, "--hugepages",
			     "8", "-n", "setup"), 0);
	ck_assert_ptr_nonnull(strstr(out, "would change "));
	ck_assert_ptr_nonnull(strstr(out, "would write "));
	assert_owned(iommu, 0, 0, 0600);
	ck_assert(!fake_exists(limits));
	ck_assert_str_eq(fake_read(&fs, "kernel/mm/hugepages/hugepages-2048kB/"
				   "nr_hugepages"), "2");
	ck_assert_int_eq(run("--user", "nobody", "--etc", etc, "--memlock",
			     "4G", "--hugepages", "8", "setup"), 0);
	assert_owned(node, pw->pw_uid, pw->pw_gid, 0660);
	assert_owned(iommu, pw->pw_uid, pw->pw_gid, 0660);
	fake_fmt(hp, sizeof(hp), "changed %s: owner %u:%u mode 0660 (was 0:0 ",
		 node, (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
	ck_assert_ptr_nonnull(strstr(out, hp));
	f = fopen(limits, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_gt(fread(hp, 1, sizeof(hp) - 1, f), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(hp, "nobody soft memlock 4194304\n"
				     "nobody hard memlock 4194304\n"));
	ck_assert_str_eq(fake_read(&fs, "kernel/mm/hugepages/hugepages-2048kB/"
				   "nr_hugepages"), "8");
	/* Run again: everything is right already, nothing to print. */
	ck_assert_int_eq(run("--user", "nobody", "--etc", etc, "--memlock",
			     "4G", "--hugepages", "8", "setup"), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_cli_bind_with_user_gives_the_group_node)
{
	const struct passwd *pw = getpwnam("nobody");
	char node[PATH_MAX];

	ck_assert_ptr_nonnull(pw);
	ck_assert_int_eq(run("--user", "nobody", "--group", "0", "bind",
			     "00:04.0"), 0);
	fake_fmt(node, sizeof(node), "%s/vfio/4", fs.dev);
	assert_owned(node, pw->pw_uid, 0, 0660);
}
END_TEST

START_TEST(test_cli_setup_refusals)
{
	const char *etc = etc_dir();

	ck_assert_int_eq(run("--etc", etc, "setup"), 2);
	ck_assert_ptr_nonnull(strstr(err, "give --user or --group"));
	ck_assert_int_eq(run("--user", "no-such-user-here", "setup"), 2);
	ck_assert_ptr_nonnull(strstr(err, "no user 'no-such-user-here'"));
	ck_assert_int_eq(run("--user", "nobody", "--memlock", "lots", "setup"),
			 2);
	ck_assert_int_eq(run("--user", "nobody", "--etc", etc, "setup",
			     "00:04.0"), 1);
	ck_assert_ptr_nonnull(strstr(err, "0000:00:04.0 is not on vfio-pci"));
	/* No hugepages in this kernel (none in the fake tree). */
	ck_assert_int_eq(run("--user", "nobody", "--etc", etc, "--hugepages",
			     "4", "setup"), 1);
	ck_assert_ptr_nonnull(strstr(err, "no 2 MiB hugepages"));
}
END_TEST

/* An NVMe PF on pci-stub offering 2 VFs, which no driver claims. */
static void sriov_pf(void)
{
	fake_device(&fs, &(struct fake_dev){ "0000:00:07.0", 0x1b36, 0x0010,
					     0x010802, 7, "pci-stub", NULL });
	fake_sriov_pf(&fs, "0000:00:07.0", 2, 0x0010);
}

START_TEST(test_cli_sriov_creates_binds_and_removes_vfs)
{
	char path[PATH_MAX];

	sriov_pf();
	ck_assert_int_eq(run("-n", "sriov", "00:07.0", "2"), 0);
	ck_assert_ptr_nonnull(strstr(out, "would set 0000:00:07.0 from 0 to 2"));
	ck_assert_str_eq(fake_read(&fs, "bus/pci/devices/0000:00:07.0/"
				       "sriov_numvfs"), "0");
	ck_assert_msg(run("--bind", "sriov", "00:07.0", "2") == 0, "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "0000:00:07.0 has 2 VFs"));
	ck_assert_ptr_nonnull(strstr(out, "VF 0: 0000:00:07.1"));
	ck_assert_ptr_nonnull(strstr(out, "VF 1: 0000:00:07.2"));
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:07.1"), "vfio-pci");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:07.2"), "vfio-pci");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:07.0"), "pci-stub");
	ck_assert_int_eq(run("sriov", "0000:00:07.0", "0"), 0);
	ck_assert_ptr_nonnull(strstr(out, "0000:00:07.0 has 0 VFs"));
	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/0000:00:07.1",
		 fs.sys);
	ck_assert(!fake_exists(path));
}
END_TEST

START_TEST(test_cli_sriov_refusals)
{
	sriov_pf();
	ck_assert_int_eq(run("sriov", "00:07.0"), 2);
	ck_assert_ptr_nonnull(strstr(err, "a number of VFs"));
	ck_assert_int_eq(run("sriov", "00:07.0", "two"), 2);
	ck_assert_ptr_nonnull(strstr(err, "not 'two'"));
	ck_assert_int_eq(run("sriov", "07.0", "1"), 2);
	ck_assert_int_eq(run("sriov", "00:1f.0", "1"), 3);
	ck_assert_int_eq(run("sriov", "00:03.0", "1"), 1);
	ck_assert_ptr_nonnull(strstr(err, "has no SR-IOV capability"));
	ck_assert_int_eq(run("sriov", "00:07.0", "3"), 1);
	ck_assert_ptr_nonnull(strstr(err, "at most 2 VFs"));
	ck_assert_int_eq(run("sriov", "00:07.0", "1"), 0);
	ck_assert_int_eq(run("sriov", "00:07.0", "2"), 1);
	ck_assert_ptr_nonnull(strstr(err, "run 'uvf-bind sriov 0000:00:07.0 0' "
					  "first"));
	ck_assert_str_eq(fake_read(&fs, "bus/pci/devices/0000:00:07.0/"
				       "sriov_numvfs"), "1");
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("uvf_bind");
	TCase *tc = tcase_create("cli");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_cli_list_shows_devices_like_lspci);
	tcase_add_test(tc, test_cli_list_lines_are_lspci_nn_lines_on_the_same_tree);
	tcase_add_test(tc, test_cli_list_json_parses_and_matches_the_tree);
	tcase_add_test(tc, test_cli_bind_and_unbind_round_trip_a_group);
	tcase_add_test(tc, test_cli_dry_run_changes_nothing);
	tcase_add_test(tc, test_cli_in_use_device_is_refused_unless_forced);
	tcase_add_test(tc, test_cli_bad_address_is_a_usage_error);
	tcase_add_test(tc, test_cli_missing_device_exits_3);
	tcase_add_test(tc, test_cli_usage_errors_exit_2);
	tcase_add_test(tc, test_cli_refused_probe_rolls_back_and_exits_1);
	tcase_add_test(tc, test_cli_device_that_cannot_go_back_exits_5);
	tcase_add_test(tc, test_cli_restore_returns_every_recorded_device);
	tcase_add_test(tc, test_cli_status_json_has_members_and_record);
	tcase_add_test(tc, test_cli_state_dir_comes_from_the_environment);
	tcase_add_test(tc, test_cli_emulation_needs_fake_roots);
	tcase_add_test(tc, test_cli_persist_lists_and_unpersists_a_group);
	tcase_add_test(tc, test_cli_persist_refusals_exit_with_their_status);
	tcase_add_test(tc, test_cli_setup_gives_nodes_and_memlock_to_a_user);
	tcase_add_test(tc, test_cli_bind_with_user_gives_the_group_node);
	tcase_add_test(tc, test_cli_setup_refusals);
	tcase_add_test(tc, test_cli_sriov_creates_binds_and_removes_vfs);
	tcase_add_test(tc, test_cli_sriov_refusals);
	suite_add_tcase(s, tc);
	return s;
}
