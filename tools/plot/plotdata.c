// SPDX-License-Identifier: MIT
/*
 * Plot data files and gnuplot. A file is written as DIR/.NAME.XXXXXX and
 * renamed to DIR/NAME only once it is complete, so a run that fails part
 * way leaves whole files or none.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plotdata.h"

#define CDF_STEPS 256
#define EXIT_NOT_FOUND 127	/* the shell's "command not found" */

struct plot_file {
	FILE *fp;
	char *tmp, *path;
	int err;
};

int plot_dir_prepare(const char *dir)
{
	struct stat st;
	char *probe;
	int fd;

	if (!dir || !*dir)
		return -EINVAL;
	if (stat(dir, &st)) {
		if (errno != ENOENT || mkdir(dir, 0777))
			return -errno;
		if (stat(dir, &st))
			return -errno;
	}
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	/* Permission bits do not bind root; creating a file is the test. */
	if (asprintf(&probe, "%s/.plot-probe.XXXXXX", dir) < 0)
		return -ENOMEM;
	fd = mkstemp(probe);
	if (fd < 0) {
		fd = -errno;
		free(probe);
		return fd;
	}
	close(fd);
	unlink(probe);
	free(probe);
	return 0;
}

int plot_file_create(const char *dir, const char *name,
		     struct plot_file **out)
{
	struct plot_file *f;
	int fd, err;

	if (!dir || !name || !*name || strchr(name, '/'))
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	if (asprintf(&f->tmp, "%s/.%s.XXXXXX", dir, name) < 0)
		f->tmp = NULL;
	if (asprintf(&f->path, "%s/%s", dir, name) < 0)
		f->path = NULL;
	if (!f->tmp || !f->path) {
		err = -ENOMEM;
		goto fail;
	}
	fd = mkstemp(f->tmp);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	fchmod(fd, 0644);	/* mkstemp's 0600 would hide the data */
	f->fp = fdopen(fd, "w");
	if (!f->fp) {
		err = -errno;
		close(fd);
		unlink(f->tmp);
		goto fail;
	}
	*out = f;
	return 0;
fail:
	free(f->tmp);
	free(f->path);
	free(f);
	return err;
}

void plot_file_printf(struct plot_file *f, const char *fmt, ...)
{
	va_list ap;

	if (f->err)
		return;
	va_start(ap, fmt);
	if (vfprintf(f->fp, fmt, ap) < 0)
		f->err = errno ? -errno : -EIO;
	va_end(ap);
}

static void plot_file_free(struct plot_file *f)
{
	free(f->tmp);
	free(f->path);
	free(f);
}

int plot_file_commit(struct plot_file *f)
{
	int err = f->err;

	if (fclose(f->fp) && !err)
		err = errno ? -errno : -EIO;
	if (!err && rename(f->tmp, f->path))
		err = -errno;
	if (err)
		unlink(f->tmp);
	plot_file_free(f);
	return err;
}

void plot_file_discard(struct plot_file *f)
{
	if (!f)
		return;
	fclose(f->fp);
	unlink(f->tmp);
	plot_file_free(f);
}

/* Index of the smallest sample with at least fraction @q at or below. */
static size_t rank_of(size_t n, double q)
{
	double r = ceil(q * (double)n);

	return r < 1 ? 0 : r >= (double)n ? n - 1 : (size_t)r - 1;
}

static size_t push_rank(size_t *ranks, size_t k, size_t cap, size_t r)
{
	/* Candidates come in ascending order, so a repeat is the last one. */
	if (k < cap && (!k || ranks[k - 1] < r))
		ranks[k++] = r;
	return k;
}

size_t plot_cdf_ranks(size_t n, size_t *ranks, size_t cap)
{
	size_t k = 0, i;
	double tail;

	if (!n)
		return 0;
	k = push_rank(ranks, k, cap, 0);
	for (i = 1; i < CDF_STEPS; i++)
		k = push_rank(ranks, k, cap, rank_of(n, (double)i / CDF_STEPS));
	/* 1 - 10^-2.5, 1 - 10^-3, ...: the tail a log-x CDF is read for. */
	for (tail = 1e-2 / sqrt(10); tail * (double)n >= 1; tail /= sqrt(10))
		k = push_rank(ranks, k, cap, rank_of(n, 1 - tail));
	return push_rank(ranks, k, cap, n - 1);
}

bool plot_cdf_valid(const struct plot_point *p, size_t n)
{
	size_t i;

	if (!p || !n)
		return false;
	for (i = 0; i < n; i++) {
		if (!isfinite(p[i].x) || p[i].x < 0 || !(p[i].y > 0) ||
		    p[i].y > 1)
			return false;
		if (i && (p[i].x < p[i - 1].x || p[i].y <= p[i - 1].y))
			return false;
	}
	return fabs(p[n - 1].y - 1) < 1e-9;
}

int plot_write_cdf(const char *dir, const char *name, const char *title,
		   size_t samples, const struct plot_point *p, size_t n)
{
	struct plot_file *f;
	size_t i;
	int err;

	if (!plot_cdf_valid(p, n) || !title || strchr(title, '\n'))
		return -EINVAL;
	err = plot_file_create(dir, name, &f);
	if (err)
		return err;
	plot_file_printf(f, "# %s\n# samples: %zu\n# ns\tfraction\n", title,
			 samples);
	for (i = 0; i < n; i++)
		plot_file_printf(f, "%.3f\t%.6f\n", p[i].x, p[i].y);
	return plot_file_commit(f);
}

void plot_slug(char *buf, size_t len, const char *name)
{
	size_t k = 0;
	const char *s;

	for (s = name; *s && k + 1 < len; s++) {
		char c = *s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-') {
			buf[k++] = c;
		} else if (c == '%' && k + 4 < len) {
			memcpy(buf + k, "pct", 3);
			k += 3;
		} else if (k && buf[k - 1] != '_') {
			buf[k++] = '_';
		}
	}
	buf[k] = '\0';
}

void plot_gp_string(struct plot_file *f, const char *s)
{
	plot_file_printf(f, "'");
	for (; *s; s++)
		plot_file_printf(f, *s == '\'' ? "''" : "%c", *s);
	plot_file_printf(f, "'");
}

int plot_draw(const char *dir, const char *script)
{
	/* UVF_GNUPLOT names another program (the tests: a missing one). */
	const char *prog = getenv("UVF_GNUPLOT");
	pid_t pid;
	int status;

	if (!prog || !*prog)
		prog = "gnuplot";
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		if (chdir(dir))
			_exit(126);
		execlp(prog, prog, script, (char *)NULL);
		_exit(errno == ENOENT ? EXIT_NOT_FOUND : 126);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_NOT_FOUND)
		return -ENOENT;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}
