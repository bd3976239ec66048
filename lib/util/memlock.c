// SPDX-License-Identifier: MIT
/*
 * The one RLIMIT_MEMLOCK diagnosis. Pinning memory for a device (mlock, a
 * VFIO type1 map, an iommufd map) fails with ENOMEM or EPERM when the
 * process's locked-memory limit is too small, and the errno alone does
 * not say so. Every layer that pins says it the same way: the limit, its
 * value, the bytes needed and the exact fix.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <util/memlock.h>

static void limit_str(rlim_t v, char *buf, size_t len)
{
	if (v == RLIM_INFINITY)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%" PRIu64 " bytes (%" PRIu64 " KiB)",
			 (uint64_t)v, (uint64_t)v / 1024);
}

/* "VmLck:" or "VmPin:" of /proc/self/status in bytes; 0 if unreadable.
 * read(2) into the stack: no allocation on an out-of-memory path. */
static uint64_t status_bytes(enum uvf_memlock_counter counter)
{
	const char *key = counter == UVF_MEMLOCK_VMLCK ? "\nVmLck:" :
							 "\nVmPin:";
	char text[4096], *p;
	ssize_t n;
	int fd;

	if (counter == UVF_MEMLOCK_NONE)
		return 0;
	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	p = strstr(text, key);
	if (!p)
		return 0;
	return strtoull(p + strlen(key), NULL, 10) * 1024;	/* kB */
}

/* CAP_IPC_LOCK lifts the limit: then ENOMEM is the kernel's own. */
static bool has_cap_ipc_lock(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return false;
	return d[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &
	       CAP_TO_MASK(CAP_IPC_LOCK);
}

uint64_t uvf_memlock_diagnose(char *buf, size_t len, const char *who,
			      const char *what, int err, const char *subject,
			      enum uvf_memlock_counter counter, uint64_t need)
{
	struct rlimit rl = { 0, 0 };
	char cur[64], max[64], held[96] = "", pwbuf[1024];
	struct passwd pwd, *pw = NULL;
	uint64_t have = status_bytes(counter), kib;
	int n;

	need += have;
	kib = (need + 1023) / 1024;
	if (have)
		snprintf(held, sizeof(held), " (%" PRIu64 " already %s)",
			 have, counter == UVF_MEMLOCK_VMLCK ? "locked" :
							      "pinned");
	/* The limits.conf line names the user; "*" when unknown. */
	if (getpwuid_r(getuid(), &pwd, pwbuf, sizeof(pwbuf), &pw))
		pw = NULL;
	getrlimit(RLIMIT_MEMLOCK, &rl);
	limit_str(rl.rlim_cur, cur, sizeof(cur));
	limit_str(rl.rlim_max, max, sizeof(max));
	n = snprintf(buf, len,
		     "%s: %s failed (%s): RLIMIT_MEMLOCK is %s, hard limit %s; "
		     "%s needs at least %" PRIu64 " bytes (%" PRIu64 " KiB) "
		     "locked%s. Fix: run `ulimit -l %" PRIu64 "` (or `ulimit -l "
		     "unlimited`) in the shell that starts the program, or add "
		     "`%s - memlock %" PRIu64 "` to /etc/security/limits.conf "
		     "and log in again (systemd services: LimitMEMLOCK=%" PRIu64
		     "K)",
		     who, what, strerror(-err), cur, max, subject, need, kib,
		     held, kib, pw && pw->pw_name ? pw->pw_name : "*", kib, kib);
	if (n >= 0 && (size_t)n < len && has_cap_ipc_lock())
		snprintf(buf + n, len - (size_t)n,
			 ". CAP_IPC_LOCK is held, so the limit is not "
			 "enforced: the kernel itself is out of memory");
	return need;
}
