// SPDX-License-Identifier: MIT
/*
 * A driver that does not run as root: nvme-perf's write-read-verify as
 * uid 1000, before 'uvf-bind setup' (refused: the VFIO nodes are root's)
 * and after it. The memlock limit setup writes to limits.d is applied the
 * way pam_limits applies it at login, since the guest has no PAM.
 *
 * usage: guest_nonroot UVF_BIND NVME_PERF [NVME_PERF ARGS...]
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_tap.h"

#define USER_ID 1000
#define LIMITS_DIR "/etc/security/limits.d"
#define LIMITS_FILE LIMITS_DIR "/90-uvf-1000.conf"

/* Runs @argv, as USER_ID when @drop; its stdout into @out. Exit status. */
static int run(char *const argv[], bool drop, char *out, size_t len)
{
	int fds[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		if (drop && (setgroups(0, NULL) || setgid(USER_ID) ||
			     setuid(USER_ID) || getuid() != USER_ID))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	while ((size_t)got + 1 < len &&
	       (n = read(fds[0], out + got, len - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* What pam_limits would set from the file setup wrote. */
static bool apply_limits(void)
{
	char line[256];
	unsigned long long kib = 0;
	struct rlimit rl;
	FILE *f = fopen(LIMITS_FILE, "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "1000 soft memlock %llu", &kib) == 1)
			break;
	fclose(f);
	if (!kib)
		return false;
	rl.rlim_cur = rl.rlim_max = kib * 1024;
	return !setrlimit(RLIMIT_MEMLOCK, &rl);
}

int main(int argc, char **argv)
{
	static char out[65536];
	char *setup[] = { argv[1], "--user", "1000", "--group", "1000",
			  "--memlock", "256M", "setup", "0000:00:04.0", NULL };
	char **perf = argv + 2;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: guest_nonroot UVF_BIND NVME_PERF ...\n");
		return 2;
	}
	rc = run(perf, true, out, sizeof(out));
	tap(rc != 0 && rc != 126 && rc != 127,
	    "before setup, uid 1000 cannot drive the device (exit %d)", rc);

	mkdir("/etc", 0755);
	mkdir("/etc/security", 0755);
	mkdir(LIMITS_DIR, 0755);
	rc = run(setup, false, out, sizeof(out));
	diag("uvf-bind setup said:\n%s", out);
	tap(rc == 0 && strstr(out, "changed /dev/vfio/") &&
	    strstr(out, "wrote " LIMITS_FILE), "uvf-bind setup (exit %d)", rc);
	tap(apply_limits(), "memlock from %s applied as at login",
	    LIMITS_FILE);

	rc = run(perf, true, out, sizeof(out));
	diag("nvme-perf as uid 1000 said:\n%s", out);
	tap(rc == 0, "nvme-perf write-read-verify as uid 1000 (exit %d)", rc);

	rc = run(setup, false, out, sizeof(out));
	tap(rc == 0 && !out[0], "setup again has nothing to change");
	return tap_finish();
}
