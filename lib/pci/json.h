/* SPDX-License-Identifier: MIT */
/*
 * A small strict JSON reader (RFC 8259) for the bind state file; tests use
 * it to check the JSON that uvf-bind prints.
 */
#ifndef UVF_PCI_JSON_H
#define UVF_PCI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	bool boolean;
	double number;
	char *string;		/* UTF-8, no NUL inside */
	struct json **items;	/* array elements or object values */
	char **keys;		/* object keys, parallel to items */
	size_t n;
};

/* Parses all of @text; -EBADMSG when it is not one JSON value. */
int json_parse(const char *text, struct json **out);
void json_free(struct json *j);

/* Member @key of object @obj, or NULL when absent or @obj is no object. */
const struct json *json_get(const struct json *obj, const char *key);

/* Writes @s as a JSON string literal, quotes included. */
void json_write_string(FILE *f, const char *s);

#endif
