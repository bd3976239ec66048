/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>
#include <rte_memzone.h>

#include "dpdkfix.h"

static bool eal_is_up;

static int eal_init(const char *iova_mode)
{
	char mode[32];
	char *argv[] = {
		"uvf-test", "--in-memory", "--no-pci", "--no-telemetry",
		"-l", "0", mode, "--log-level=lib.eal:error", NULL,
	};

	snprintf(mode, sizeof(mode), "--iova-mode=%s", iova_mode);
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -rte_errno;
	return 0;
}

void dpdkfix_eal_up(const char *iova_mode)
{
	int ret;

	if (eal_is_up)
		return;
	ret = eal_init(iova_mode);
	ck_assert_msg(!ret, "rte_eal_init(--iova-mode=%s): %s", iova_mode,
		      strerror(-ret));
	ck_assert_int_eq(rte_eal_iova_mode(),
			 strcmp(iova_mode, "pa") ? RTE_IOVA_VA : RTE_IOVA_PA);
	eal_is_up = true;
}

bool dpdkfix_eal_works(const char *iova_mode, char *why, size_t len)
{
	int status, fds[2];
	pid_t pid;
	char msg[256] = "";
	ssize_t n;

	if (pipe(fds))
		return false;
	pid = fork();
	if (pid < 0)
		return false;
	if (!pid) {
		int ret = eal_init(iova_mode);

		if (!ret && rte_eal_iova_mode() !=
			    (strcmp(iova_mode, "pa") ? RTE_IOVA_VA
						     : RTE_IOVA_PA))
			ret = -ENOTSUP;
		if (ret)
			dprintf(fds[1], "rte_eal_init --iova-mode=%s: %s",
				iova_mode, strerror(-ret));
		_exit(ret ? 1 : 0);
	}
	close(fds[1]);
	n = read(fds[0], msg, sizeof(msg) - 1);
	close(fds[0]);
	msg[n > 0 ? n : 0] = 0;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		snprintf(why, len, "%s", msg[0] ? msg : "EAL init crashed");
		return false;
	}
	return true;
}

/* Makes DPDKFIX_PAGES default-size hugepages free; NULL or a reason. */
static const char *reserve_hugepages(void)
{
	switch (uvf_dpdk_hugepages_reserve(DPDKFIX_PAGES)) {
	case 0:
		return NULL;
	case -ENOTSUP:
		return "no hugepages in this kernel";
	case -EACCES:
	case -EPERM:
		return "too few free hugepages and not root "
		       "(as root: echo 64 > /proc/sys/vm/nr_hugepages)";
	default:
		return "the kernel could not reserve enough free hugepages";
	}
}

int dpdkfix_main(Suite *(*suite)(void), const char *iova_mode)
{
	const char *why = reserve_hugepages();
	char reason[300];
	SRunner *sr;
	int failed;

	if (!why && !dpdkfix_eal_works(iova_mode, reason, sizeof(reason)))
		why = reason;
	if (why) {
		fprintf(stderr, "SKIP: %s\n", why);
		return 77;
	}
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

struct walk_arg {
	dpdkfix_page_fn fn;
	void *arg;
	unsigned int n;
};

static int walk_one(const struct rte_memseg_list *msl,
		    const struct rte_memseg *ms, void *arg)
{
	struct walk_arg *w = arg;

	(void)msl;
	if (ms->iova == RTE_BAD_IOVA)
		return 0;
	w->fn(w->arg, ms->addr, ms->iova, ms->len);
	w->n++;
	return 0;
}

unsigned int dpdkfix_for_each_page(dpdkfix_page_fn fn, void *arg)
{
	struct walk_arg w = { fn, arg, 0 };

	rte_memseg_walk(walk_one, &w);
	return w.n;
}

static void count_heap_zone(const struct rte_memzone *mz, void *arg)
{
	if (!strncmp(mz->name, "uvf-heap-", 9))
		++*(unsigned int *)arg;
}

unsigned int dpdkfix_heap_zones(void)
{
	unsigned int n = 0;

	rte_memzone_walk(count_heap_zone, &n);
	return n;
}
