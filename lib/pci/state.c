// SPDX-License-Identifier: MIT
/*
 * The bind state file: which devices uvf moved to vfio-pci, and the driver
 * and driver_override each had before, so they can be given back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "util/fault.h"
#include "pci_priv.h"

#define STATE_VERSION 1
#define STATE_MAX_SIZE (1u << 20)

struct state_rec {
	char bdf[UVF_PCI_BDF_LEN];
	char *old_driver;	/* NULL: had none */
	char *old_override;	/* NULL: was empty */
};

struct uvf_pci_state {
	char *path;
	struct state_rec *v;
	size_t n, cap;
};

void uvf_pci_state_free(struct uvf_pci_state *state)
{
	if (!state)
		return;
	for (size_t i = 0; i < state->n; i++) {
		free(state->v[i].old_driver);
		free(state->v[i].old_override);
	}
	free(state->v);
	free(state->path);
	free(state);
}

int uvf_pci_state_find(const struct uvf_pci_state *state, const char *bdf)
{
	for (size_t i = 0; i < state->n; i++)
		if (!strcmp(state->v[i].bdf, bdf))
			return (int)i;
	return -ENOENT;
}

int pci_state_add(struct uvf_pci_state *state, const char *bdf,
		  const char *old_driver, const char *old_override)
{
	struct state_rec r = { 0 };
	bool ok = true;

	/* The first record of a device holds its true original driver. */
	if (uvf_pci_state_find(state, bdf) >= 0)
		return 0;
	if (state->n == state->cap) {
		size_t ncap = state->cap ? state->cap * 2 : 8;
		void *p = realloc(state->v, ncap * sizeof(*state->v));

		if (!p)
			return -ENOMEM;
		state->v = p;
		state->cap = ncap;
	}
	snprintf(r.bdf, sizeof(r.bdf), "%s", bdf);
	r.old_driver = pci_strdup_or_null(old_driver, &ok);
	r.old_override = pci_strdup_or_null(old_override, &ok);
	if (!ok) {
		free(r.old_driver);
		free(r.old_override);
		return -ENOMEM;
	}
	state->v[state->n++] = r;
	return 0;
}

void pci_state_remove(struct uvf_pci_state *state, const char *bdf)
{
	int i = uvf_pci_state_find(state, bdf);

	if (i < 0)
		return;
	free(state->v[i].old_driver);
	free(state->v[i].old_override);
	memmove(&state->v[i], &state->v[i + 1],
		(state->n - (size_t)i - 1) * sizeof(*state->v));
	state->n--;
}

int pci_state_copy(const struct uvf_pci_state *src,
		   struct uvf_pci_state **dstp)
{
	struct uvf_pci_state *dst = calloc(1, sizeof(*dst));
	int err = dst && (dst->path = strdup(src->path)) ? 0 : -ENOMEM;

	for (size_t i = 0; !err && i < src->n; i++)
		err = pci_state_add(dst, src->v[i].bdf, src->v[i].old_driver,
				    src->v[i].old_override);
	if (err) {
		uvf_pci_state_free(dst);
		return err;
	}
	*dstp = dst;
	return 0;
}

void pci_state_swap(struct uvf_pci_state *a, struct uvf_pci_state *b)
{
	struct uvf_pci_state t = *a;

	*a = *b;
	*b = t;
}

static int read_small_file(const char *path, char **textp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 4096;
	char *text;

	if (fd < 0)
		return -errno;
	text = malloc(cap);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r;

		if (len + 1 == cap) {
			char *p = cap < STATE_MAX_SIZE ? realloc(text, cap * 2)
						       : NULL;

			if (!p) {
				free(text);
				close(fd);
				return cap < STATE_MAX_SIZE ? -ENOMEM : -EFBIG;
			}
			text = p;
			cap *= 2;
		}
		r = read(fd, text + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			free(text);
			close(fd);
			return err;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	text[len] = '\0';
	*textp = text;
	return 0;
}

/* A string member, or NULL for null; false when it is neither. */
static bool opt_string(const struct json *obj, const char *key,
		       const char **out)
{
	const struct json *j = json_get(obj, key);

	if (!j || j->type == JSON_NULL) {
		*out = NULL;
		return true;
	}
	if (j->type != JSON_STRING || !j->string[0])
		return false;
	*out = j->string;
	return true;
}

static int state_from_json(struct uvf_pci_state *state, const struct json *j)
{
	const struct json *ver = json_get(j, "version");
	const struct json *devs = json_get(j, "devices");

	if (!ver || ver->type != JSON_NUMBER || ver->number != STATE_VERSION ||
	    !devs || devs->type != JSON_ARRAY)
		return -EBADMSG;
	for (size_t i = 0; i < devs->n; i++) {
		const struct json *d = devs->items[i], *b = json_get(d, "bdf");
		const char *drv, *ovr;
		char bdf[UVF_PCI_BDF_LEN];
		int err;

		if (!b || b->type != JSON_STRING ||
		    uvf_pci_bdf_parse(b->string, bdf) ||
		    uvf_pci_state_find(state, bdf) >= 0 ||
		    !opt_string(d, "old_driver", &drv) ||
		    !opt_string(d, "old_driver_override", &ovr))
			return -EBADMSG;
		err = pci_state_add(state, bdf, drv, ovr);
		if (err)
			return err;
	}
	return 0;
}

int uvf_pci_state_open(const char *path, struct uvf_pci_state **statep)
{
	struct uvf_pci_state *state = calloc(1, sizeof(*state));
	struct json *j = NULL;
	char *text = NULL;
	int err;

	if (!state)
		return -ENOMEM;
	state->path = strdup(path);
	if (!state->path) {
		free(state);
		return -ENOMEM;
	}
	err = read_small_file(path, &text);
	if (err == -ENOENT) {
		*statep = state;
		return 0;
	}
	if (!err)
		err = json_parse(text, &j);
	if (!err)
		err = state_from_json(state, j);
	json_free(j);
	free(text);
	if (err) {
		uvf_pci_state_free(state);
		return err;
	}
	*statep = state;
	return 0;
}

/* Creates the directories leading to @path, like mkdir -p of its dirname. */
static int make_parent_dirs(const char *path)
{
	char *dir = strdup(path), *p;
	int err = 0;

	if (!dir)
		return -ENOMEM;
	p = strrchr(dir, '/');
	if (!p || p == dir) {
		free(dir);
		return 0;
	}
	*p = '\0';
	for (p = dir + 1; !err; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			err = -errno;
		*p = c;
		if (!c)
			break;
	}
	free(dir);
	return err;
}

static void write_opt(FILE *f, const char *s)
{
	if (s)
		json_write_string(f, s);
	else
		fputs("null", f);
}

int uvf_pci_state_save(const struct uvf_pci_state *state)
{
	char *tmp;
	FILE *f;
	int fd, err;

	if (!state->n) {
		err = uvf_fault_sys(EIO);
		if (!err && unlink(state->path) < 0 && errno != ENOENT)
			err = -errno;
		return err;
	}
	err = make_parent_dirs(state->path);
	if (err)
		return err;
	if (asprintf(&tmp, "%s.tmp.%ld", state->path, (long)getpid()) < 0)
		return -ENOMEM;
	err = uvf_fault_sys(ENOSPC);
	fd = err ? -1 : open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			     0644);
	if (fd < 0) {
		err = err ? err : -errno;
		free(tmp);
		return err;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto fail;
	}
	fprintf(f, "{\n  \"version\": %d,\n  \"devices\": [", STATE_VERSION);
	for (size_t i = 0; i < state->n; i++) {
		fputs(i ? ",\n    {\"bdf\": " : "\n    {\"bdf\": ", f);
		json_write_string(f, state->v[i].bdf);
		fputs(", \"old_driver\": ", f);
		write_opt(f, state->v[i].old_driver);
		fputs(", \"old_driver_override\": ", f);
		write_opt(f, state->v[i].old_override);
		fputc('}', f);
	}
	fputs("\n  ]\n}\n", f);
	if (fflush(f) || fsync(fileno(f)))
		err = -errno;
	if (!err)
		err = uvf_fault_sys(EIO);	/* the write-back */
	if (fclose(f) && !err)
		err = -errno;
	if (!err)
		err = uvf_fault_sys(EIO);
	if (!err && rename(tmp, state->path) < 0)
		err = -errno;
	if (!err) {
		free(tmp);
		return 0;
	}
fail:
	unlink(tmp);
	free(tmp);
	return err;
}

const char *uvf_pci_state_path(const struct uvf_pci_state *state)
{
	return state->path;
}

size_t uvf_pci_state_count(const struct uvf_pci_state *state)
{
	return state->n;
}

int uvf_pci_state_get(const struct uvf_pci_state *state, size_t i,
		      const char **bdf, const char **old_driver,
		      const char **old_override)
{
	if (i >= state->n)
		return -ERANGE;
	*bdf = state->v[i].bdf;
	*old_driver = state->v[i].old_driver;
	*old_override = state->v[i].old_override;
	return 0;
}
