// SPDX-License-Identifier: MIT
/* Parser and lookups of the pci.ids database. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pci/ids.h"

struct ids_vendor {
	uint16_t id;
	const char *name;
	size_t dev_first, dev_count;
};

struct ids_device {
	uint16_t id;
	const char *name;
	size_t sub_first, sub_count;
};

struct ids_subsys {
	uint16_t vendor, device;
	const char *name;
};

struct ids_class {
	uint8_t id;
	const char *name;
	size_t sub_first, sub_count;
};

struct ids_subclass {
	uint8_t id;
	const char *name;
};

struct pci_ids_db {
	char *text;		/* the file; names point into it */
	struct ids_vendor *vendors;
	size_t nvendors, cvendors;
	struct ids_device *devices;
	size_t ndevices, cdevices;
	struct ids_subsys *subsys;
	size_t nsubsys, csubsys;
	struct ids_class *classes;
	size_t nclasses, cclasses;
	struct ids_subclass *subclasses;
	size_t nsubclasses, csubclasses;
};

/* Grows one of the arrays above; a macro keeps the element type checked. */
#define IDS_PUSH(arr, n, cap) \
	((n) < (cap) || ids_grow((void **)&(arr), &(cap), sizeof(*(arr))) == 0 \
	 ? &(arr)[(n)++] : NULL)

static int ids_grow(void **arr, size_t *cap, size_t elem)
{
	size_t ncap = *cap ? *cap * 2 : 64;
	void *p = realloc(*arr, ncap * elem);

	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Reads exactly @digits hex digits followed by a blank; the format's rule. */
static bool ids_hex(const char *s, int digits, unsigned int *val)
{
	unsigned int v = 0;

	for (int i = 0; i < digits; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	if (s[digits] != ' ' && s[digits] != '\t')
		return false;
	*val = v;
	return true;
}

static const char *ids_name(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s ? s : NULL;
}

enum ids_section { IDS_NONE, IDS_VENDORS, IDS_CLASSES };

static int ids_parse_line(struct pci_ids_db *db, const char *line,
			  enum ids_section *sec)
{
	unsigned int a, b;
	const char *name;

	if (line[0] == '#' || line[0] == '\0')
		return 0;
	if (line[0] == 'C' && line[1] == ' ') {
		struct ids_class *c;

		*sec = IDS_NONE;
		if (!ids_hex(line + 2, 2, &a) || !(name = ids_name(line + 4)))
			return 0;
		c = IDS_PUSH(db->classes, db->nclasses, db->cclasses);
		if (!c)
			return -ENOMEM;
		*c = (struct ids_class){ (uint8_t)a, name, db->nsubclasses, 0 };
		*sec = IDS_CLASSES;
		return 0;
	}
	if (line[0] != '\t') {
		struct ids_vendor *v;

		*sec = IDS_NONE;
		if (!ids_hex(line, 4, &a) || !(name = ids_name(line + 4)))
			return 0;
		v = IDS_PUSH(db->vendors, db->nvendors, db->cvendors);
		if (!v)
			return -ENOMEM;
		*v = (struct ids_vendor){ (uint16_t)a, name, db->ndevices, 0 };
		*sec = IDS_VENDORS;
		return 0;
	}
	if (*sec == IDS_VENDORS && line[1] != '\t') {
		struct ids_device *d;

		if (!ids_hex(line + 1, 4, &a) || !(name = ids_name(line + 5)))
			return 0;
		d = IDS_PUSH(db->devices, db->ndevices, db->cdevices);
		if (!d)
			return -ENOMEM;
		*d = (struct ids_device){ (uint16_t)a, name, db->nsubsys, 0 };
		db->vendors[db->nvendors - 1].dev_count++;
		return 0;
	}
	if (*sec == IDS_VENDORS) {
		struct ids_subsys *s;
		struct ids_vendor *v = &db->vendors[db->nvendors - 1];

		if (!v->dev_count || !ids_hex(line + 2, 4, &a) ||
		    !ids_hex(line + 7, 4, &b) || !(name = ids_name(line + 11)))
			return 0;
		s = IDS_PUSH(db->subsys, db->nsubsys, db->csubsys);
		if (!s)
			return -ENOMEM;
		*s = (struct ids_subsys){ (uint16_t)a, (uint16_t)b, name };
		db->devices[db->ndevices - 1].sub_count++;
		return 0;
	}
	if (*sec == IDS_CLASSES && line[1] != '\t') {
		struct ids_subclass *s;

		if (!ids_hex(line + 1, 2, &a) || !(name = ids_name(line + 3)))
			return 0;
		s = IDS_PUSH(db->subclasses, db->nsubclasses, db->csubclasses);
		if (!s)
			return -ENOMEM;
		*s = (struct ids_subclass){ (uint8_t)a, name };
		db->classes[db->nclasses - 1].sub_count++;
	}
	/* Programming interfaces ("\t\t") are not shown by uvf. */
	return 0;
}

static int ids_read_file(const char *path, char **textp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t len = 0;
	char *text;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_size < 0 ||
	    (uint64_t)st.st_size > (64u << 20)) {
		int err = errno ? -errno : -EFBIG;

		close(fd);
		return err;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	while (len < (size_t)st.st_size) {
		ssize_t r = read(fd, text + len, (size_t)st.st_size - len);

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

static int ids_vendor_cmp(const void *a, const void *b)
{
	const struct ids_vendor *x = a, *y = b;

	return (int)x->id - (int)y->id;
}

int pci_ids_load(const char *path, struct pci_ids_db **dbp)
{
	struct pci_ids_db *db = calloc(1, sizeof(*db));
	enum ids_section sec = IDS_NONE;
	char *line, *next;
	int err;

	if (!db)
		return -ENOMEM;
	err = ids_read_file(path, &db->text);
	if (err) {
		free(db);
		return err;
	}
	for (line = db->text; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		line[strcspn(line, "\r")] = '\0';
		err = ids_parse_line(db, line, &sec);
		if (err) {
			pci_ids_free(db);
			return err;
		}
	}
	/* The file is kept sorted, but a lookup must not depend on that. */
	qsort(db->vendors, db->nvendors, sizeof(*db->vendors), ids_vendor_cmp);
	*dbp = db;
	return 0;
}

void pci_ids_free(struct pci_ids_db *db)
{
	if (!db)
		return;
	free(db->vendors);
	free(db->devices);
	free(db->subsys);
	free(db->classes);
	free(db->subclasses);
	free(db->text);
	free(db);
}

static const struct ids_vendor *ids_find_vendor(const struct pci_ids_db *db,
						uint16_t vendor)
{
	struct ids_vendor key = { .id = vendor };

	if (!db || !db->nvendors)
		return NULL;
	return bsearch(&key, db->vendors, db->nvendors, sizeof(key),
		       ids_vendor_cmp);
}

static const struct ids_device *ids_find_device(const struct pci_ids_db *db,
						uint16_t vendor,
						uint16_t device)
{
	const struct ids_vendor *v = ids_find_vendor(db, vendor);

	if (!v)
		return NULL;
	for (size_t i = 0; i < v->dev_count; i++)
		if (db->devices[v->dev_first + i].id == device)
			return &db->devices[v->dev_first + i];
	return NULL;
}

const char *pci_ids_vendor(const struct pci_ids_db *db, uint16_t vendor)
{
	const struct ids_vendor *v = ids_find_vendor(db, vendor);

	return v ? v->name : NULL;
}

const char *pci_ids_device(const struct pci_ids_db *db, uint16_t vendor,
			   uint16_t device)
{
	const struct ids_device *d = ids_find_device(db, vendor, device);

	return d ? d->name : NULL;
}

const char *pci_ids_subsys(const struct pci_ids_db *db, uint16_t vendor,
			   uint16_t device, uint16_t subvendor,
			   uint16_t subdevice)
{
	const struct ids_device *d = ids_find_device(db, vendor, device);

	if (!d)
		return NULL;
	for (size_t i = 0; i < d->sub_count; i++) {
		const struct ids_subsys *s = &db->subsys[d->sub_first + i];

		if (s->vendor == subvendor && s->device == subdevice)
			return s->name;
	}
	return NULL;
}

static const struct ids_class *ids_find_class(const struct pci_ids_db *db,
					      uint8_t base)
{
	if (!db)
		return NULL;
	for (size_t i = 0; i < db->nclasses; i++)
		if (db->classes[i].id == base)
			return &db->classes[i];
	return NULL;
}

const char *pci_ids_class(const struct pci_ids_db *db, uint8_t base)
{
	const struct ids_class *c = ids_find_class(db, base);

	return c ? c->name : NULL;
}

const char *pci_ids_subclass(const struct pci_ids_db *db, uint8_t base,
			     uint8_t sub)
{
	const struct ids_class *c = ids_find_class(db, base);

	if (!c)
		return NULL;
	for (size_t i = 0; i < c->sub_count; i++)
		if (db->subclasses[c->sub_first + i].id == sub)
			return db->subclasses[c->sub_first + i].name;
	return NULL;
}
