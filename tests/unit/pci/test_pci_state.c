// SPDX-License-Identifier: MIT
/* The bind state file and the JSON reader behind it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uvf/pci_state.h>

#include "../common/check_main.h"
#include "fake_sysfs.h"
#include "pci/json.h"
#include "pci/pci_priv.h"

static struct fake_sysfs fs;

static void setup(void)
{
	fake_sysfs_create(&fs);
}

static void teardown(void)
{
	fake_sysfs_destroy(&fs);
}

static void write_state(const char *text)
{
	char dir[PATH_MAX];
	FILE *f;

	fake_fmt(dir, sizeof(dir), "%s/run", fs.top);
	mkdir(dir, 0755);
	f = fopen(fs.state, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_missing_state_file_is_empty_state)
{
	struct uvf_pci_state *st;

	ck_assert_int_eq(uvf_pci_state_open(fs.state, &st), 0);
	ck_assert_uint_eq(uvf_pci_state_count(st), 0);
	ck_assert_str_eq(uvf_pci_state_path(st), fs.state);
	ck_assert_int_eq(uvf_pci_state_find(st, "0000:00:03.0"), -ENOENT);
	uvf_pci_state_free(st);
}
END_TEST

START_TEST(test_state_round_trips_through_its_file)
{
	struct uvf_pci_state *st, *back;
	const char *b, *d, *o;

	ck_assert_int_eq(uvf_pci_state_open(fs.state, &st), 0);
	ck_assert_int_eq(pci_state_add(st, "0000:00:03.0", "virtio-pci",
				       NULL), 0);
	ck_assert_int_eq(pci_state_add(st, "0000:01:00.0", NULL,
				       "odd \"name\"\\"), 0);
	/* A second record of a device does not replace the first. */
	ck_assert_int_eq(pci_state_add(st, "0000:00:03.0", "other", NULL), 0);
	ck_assert_int_eq(uvf_pci_state_save(st), 0);

	ck_assert_int_eq(uvf_pci_state_open(fs.state, &back), 0);
	ck_assert_uint_eq(uvf_pci_state_count(back), 2);
	ck_assert_int_eq(uvf_pci_state_get(back, 0, &b, &d, &o), 0);
	ck_assert_str_eq(b, "0000:00:03.0");
	ck_assert_str_eq(d, "virtio-pci");
	ck_assert_ptr_null(o);
	ck_assert_int_eq(uvf_pci_state_get(back, 1, &b, &d, &o), 0);
	ck_assert_str_eq(b, "0000:01:00.0");
	ck_assert_ptr_null(d);
	ck_assert_str_eq(o, "odd \"name\"\\");
	ck_assert_int_eq(uvf_pci_state_get(back, 2, &b, &d, &o), -ERANGE);
	uvf_pci_state_free(back);

	/* Emptied, the file goes away. */
	pci_state_remove(st, "0000:00:03.0");
	pci_state_remove(st, "0000:01:00.0");
	ck_assert_int_eq(uvf_pci_state_save(st), 0);
	ck_assert(!fake_exists(fs.state));
	uvf_pci_state_free(st);
}
END_TEST

START_TEST(test_malformed_state_files_are_ebadmsg)
{
	static const char *const bad[] = {
		"",
		"not json",
		"[]",
		"{\"devices\": []}",
		"{\"version\": 2, \"devices\": []}",
		"{\"version\": 1, \"devices\": {}}",
		"{\"version\": 1, \"devices\": [{\"bdf\": \"00:3\"}]}",
		"{\"version\": 1, \"devices\": [{\"old_driver\": \"x\"}]}",
		"{\"version\": 1, \"devices\": [{\"bdf\": \"0000:00:03.0\", "
		"\"old_driver\": 7}]}",
		"{\"version\": 1, \"devices\": [{\"bdf\": \"0000:00:03.0\", "
		"\"old_driver\": \"\"}]}",
		"{\"version\": 1, \"devices\": [{\"bdf\": \"0000:00:03.0\"}, "
		"{\"bdf\": \"00:03.0\"}]}",
		"{\"version\": 1, \"devices\": []} trailing",
	};
	struct uvf_pci_state *st = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_state(bad[i]);
		ck_assert_msg(uvf_pci_state_open(fs.state, &st) == -EBADMSG,
			      "accepted: %s", bad[i]);
	}
	ck_assert_ptr_null(st);
}
END_TEST

START_TEST(test_json_reader_accepts_valid_documents)
{
	struct json *j;
	const struct json *v;

	ck_assert_int_eq(json_parse(" {\"a\": [1, -2.5e3, true, false, null],"
				    " \"s\": \"x\\u00e9\\ud83d\\ude00\\n\","
				    " \"o\": {}} ", &j), 0);
	v = json_get(j, "a");
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(v->type, JSON_ARRAY);
	ck_assert_uint_eq(v->n, 5);
	ck_assert(v->items[1]->number == -2500.0);
	ck_assert(v->items[2]->boolean);
	ck_assert_int_eq(v->items[4]->type, JSON_NULL);
	ck_assert_str_eq(json_get(j, "s")->string,
			 "x\xc3\xa9\xf0\x9f\x98\x80\n");
	ck_assert_int_eq(json_get(j, "o")->type, JSON_OBJECT);
	ck_assert_ptr_null(json_get(j, "missing"));
	json_free(j);
}
END_TEST

START_TEST(test_json_reader_rejects_invalid_documents)
{
	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\" 1}", "{\"a\": 1,}", "01", "1.", "-",
		"\"unterminated", "\"bad \\x escape\"", "\"\\ud800\"",
		"\"\\u0000\"", "\"tab\there\"", "tru", "[1] [2]", "{1: 2}",
		"nul",
	};
	struct json *j;
	char deep[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(json_parse(bad[i], &j) == -EBADMSG,
			      "accepted: %s", bad[i]);
	/* Nesting is bounded. */
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	ck_assert_int_eq(json_parse(deep, &j), -EBADMSG);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("pci_state");
	TCase *tc = tcase_create("state");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_missing_state_file_is_empty_state);
	tcase_add_test(tc, test_state_round_trips_through_its_file);
	tcase_add_test(tc, test_malformed_state_files_are_ebadmsg);
	tcase_add_test(tc, test_json_reader_accepts_valid_documents);
	tcase_add_test(tc, test_json_reader_rejects_invalid_documents);
	suite_add_tcase(s, tc);
	return s;
}
