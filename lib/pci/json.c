// SPDX-License-Identifier: MIT
/* Recursive-descent JSON reader, strict and bounded in depth. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define JSON_MAX_DEPTH 64

struct json_parser {
	const char *p;
	int depth;
};

static void skip_ws(struct json_parser *jp)
{
	while (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' ||
	       *jp->p == '\r')
		jp->p++;
}

void json_free(struct json *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->n; i++) {
		json_free(j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->string);
	free(j);
}

static int parse_value(struct json_parser *jp, struct json **out);

static int hex4(const char *s, unsigned int *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -EBADMSG;
		*v = *v << 4 | d;
	}
	return 0;
}

static size_t put_utf8(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Reads a \u escape at @s (its backslash), pairing surrogates. */
static int parse_u_escape(const char **s, unsigned int *cp)
{
	unsigned int hi, lo;

	if (hex4(*s + 2, &hi))
		return -EBADMSG;
	*s += 6;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return -EBADMSG;
	if (hi >= 0xd800 && hi <= 0xdbff) {
		if ((*s)[0] != '\\' || (*s)[1] != 'u' || hex4(*s + 2, &lo) ||
		    lo < 0xdc00 || lo > 0xdfff)
			return -EBADMSG;
		*s += 6;
		hi = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (hi == 0)
		return -EBADMSG;	/* no NUL inside C strings */
	*cp = hi;
	return 0;
}

static int parse_string(struct json_parser *jp, char **out)
{
	const char *s = jp->p + 1, *q = s;
	char *buf, *o;

	/* Escapes only shrink, so the raw length bounds the result. */
	while (*q && *q != '"')
		q += *q == '\\' && q[1] ? 2 : 1;
	buf = malloc((size_t)(q - s) + 1);
	if (!buf)
		return -ENOMEM;
	o = buf;
	while (*s != '"') {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20)
			goto bad;	/* includes the end of the text */
		if (c != '\\') {
			*o++ = *s++;
			continue;
		}
		switch (s[1]) {
		case '"': *o++ = '"'; s += 2; break;
		case '\\': *o++ = '\\'; s += 2; break;
		case '/': *o++ = '/'; s += 2; break;
		case 'b': *o++ = '\b'; s += 2; break;
		case 'f': *o++ = '\f'; s += 2; break;
		case 'n': *o++ = '\n'; s += 2; break;
		case 'r': *o++ = '\r'; s += 2; break;
		case 't': *o++ = '\t'; s += 2; break;
		case 'u': {
			unsigned int cp;

			if (parse_u_escape(&s, &cp))
				goto bad;
			o += put_utf8(o, cp);
			break;
		}
		default:
			goto bad;
		}
	}
	*o = '\0';
	jp->p = s + 1;
	*out = buf;
	return 0;
bad:
	free(buf);
	return -EBADMSG;
}

static int parse_number(struct json_parser *jp, double *out)
{
	const char *s = jp->p;
	char *end;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return -EBADMSG;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -EBADMSG;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return -EBADMSG;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	*out = strtod(jp->p, &end);
	if (end != s)
		return -EBADMSG;
	jp->p = s;
	return 0;
}

static int push_item(struct json *j, size_t *cap, struct json *item,
		     char *key)
{
	if (j->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		struct json **items = realloc(j->items, ncap * sizeof(*items));

		if (!items)
			return -ENOMEM;
		j->items = items;
		if (j->type == JSON_OBJECT) {
			char **keys = realloc(j->keys, ncap * sizeof(*keys));

			if (!keys)
				return -ENOMEM;
			j->keys = keys;
		}
		*cap = ncap;
	}
	j->items[j->n] = item;
	if (j->type == JSON_OBJECT)
		j->keys[j->n] = key;
	j->n++;
	return 0;
}

static int parse_container(struct json_parser *jp, struct json *j)
{
	char close = j->type == JSON_ARRAY ? ']' : '}';
	size_t cap = 0;
	int err;

	if (++jp->depth > JSON_MAX_DEPTH)
		return -EBADMSG;
	jp->p++;
	skip_ws(jp);
	if (*jp->p == close) {
		jp->p++;
		jp->depth--;
		return 0;
	}
	for (;;) {
		struct json *item = NULL;
		char *key = NULL;

		if (j->type == JSON_OBJECT) {
			if (*jp->p != '"')
				return -EBADMSG;
			err = parse_string(jp, &key);
			if (err)
				return err;
			skip_ws(jp);
			if (*jp->p != ':') {
				free(key);
				return -EBADMSG;
			}
			jp->p++;
		}
		err = parse_value(jp, &item);
		if (!err)
			err = push_item(j, &cap, item, key);
		if (err) {
			free(key);
			json_free(item);
			return err;
		}
		skip_ws(jp);
		if (*jp->p == close)
			break;
		if (*jp->p != ',')
			return -EBADMSG;
		jp->p++;
		skip_ws(jp);
	}
	jp->p++;
	jp->depth--;
	return 0;
}

static int parse_value(struct json_parser *jp, struct json **out)
{
	struct json *j = calloc(1, sizeof(*j));
	int err = 0;

	if (!j)
		return -ENOMEM;
	skip_ws(jp);
	switch (*jp->p) {
	case '{':
		j->type = JSON_OBJECT;
		err = parse_container(jp, j);
		break;
	case '[':
		j->type = JSON_ARRAY;
		err = parse_container(jp, j);
		break;
	case '"':
		j->type = JSON_STRING;
		err = parse_string(jp, &j->string);
		break;
	case 't':
	case 'f':
	case 'n': {
		static const struct {
			const char *word;
			enum json_type type;
			bool val;
		} words[] = { { "true", JSON_BOOL, true },
			      { "false", JSON_BOOL, false },
			      { "null", JSON_NULL, false } };

		err = -EBADMSG;
		for (size_t i = 0; i < 3; i++) {
			size_t len = strlen(words[i].word);

			if (!strncmp(jp->p, words[i].word, len)) {
				j->type = words[i].type;
				j->boolean = words[i].val;
				jp->p += len;
				err = 0;
				break;
			}
		}
		break;
	}
	default:
		j->type = JSON_NUMBER;
		err = parse_number(jp, &j->number);
		break;
	}
	if (err) {
		json_free(j);
		return err;
	}
	*out = j;
	return 0;
}

int json_parse(const char *text, struct json **out)
{
	struct json_parser jp = { .p = text };
	struct json *j;
	int err = parse_value(&jp, &j);

	if (err)
		return err;
	skip_ws(&jp);
	if (*jp.p) {
		json_free(j);
		return -EBADMSG;
	}
	*out = j;
	return 0;
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return obj->items[i];
	return NULL;
}

void json_write_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
