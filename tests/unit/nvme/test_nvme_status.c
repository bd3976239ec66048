/* SPDX-License-Identifier: MIT */
/* Completion status: field extraction from a completion entry, the errno
 * each status becomes, and its name. */
#include <errno.h>
#include <string.h>

#include "check_main.h"
#include "nvme_priv.h"

START_TEST(test_status_field_drops_the_phase_bit)
{
	/* SCT 0, SC 0x80 (LBA out of range), DNR, phase 1. */
	uint16_t raw = (uint16_t)(1u << 15 | 0x80u << 1 | 1u);
	uint16_t st = nvme_cqe_status(raw);

	ck_assert_uint_eq(UVF_NVME_SC(st), 0x80);
	ck_assert_uint_eq(UVF_NVME_SCT(st), 0);
	ck_assert_uint_eq(UVF_NVME_DNR(st), 1);
	ck_assert_uint_eq(nvme_cqe_status(0x0001), 0);
	ck_assert_uint_eq(nvme_cqe_status(0x0000), 0);
	/* SCT 2 (media), SC 0x81, phase 0. */
	st = nvme_cqe_status((uint16_t)(2u << 9 | 0x81u << 1));
	ck_assert_uint_eq(UVF_NVME_SCT(st), 2);
	ck_assert_uint_eq(UVF_NVME_SC(st), 0x81);
}
END_TEST

START_TEST(test_success_is_zero_whatever_the_other_bits)
{
	ck_assert_int_eq(uvf_nvme_status_errno(0), 0);
	/* More and DNR do not turn success into an error. */
	ck_assert_int_eq(uvf_nvme_status_errno(1u << 13 | 1u << 14), 0);
}
END_TEST

START_TEST(test_each_status_maps_to_its_errno)
{
	static const struct {
		unsigned int sct, sc;
		int err;
	} t[] = {
		{ 0, 0x01, -EOPNOTSUPP }, { 0, 0x02, -EINVAL },
		{ 0, 0x03, -EPROTO },     { 0, 0x04, -EIO },
		{ 0, 0x06, -EIO },        { 0, 0x07, -ECANCELED },
		{ 0, 0x08, -ECANCELED },  { 0, 0x0b, -ENXIO },
		{ 0, 0x0c, -EPROTO },     { 0, 0x13, -EINVAL },
		{ 0, 0x15, -EACCES },     { 0, 0x80, -ERANGE },
		{ 0, 0x81, -ENOSPC },     { 0, 0x82, -EAGAIN },
		{ 0, 0x83, -EBADE },      { 0, 0x84, -EBUSY },
		{ 1, 0x00, -EINVAL },     { 1, 0x01, -EINVAL },
		{ 1, 0x02, -EINVAL },     { 1, 0x08, -EINVAL },
		{ 1, 0x0d, -EOPNOTSUPP }, { 1, 0x81, -EILSEQ },
		{ 1, 0x82, -EROFS },      { 2, 0x80, -EIO },
		{ 2, 0x81, -ENODATA },    { 2, 0x82, -EILSEQ },
		{ 2, 0x85, -EBADMSG },    { 2, 0x86, -EACCES },
		{ 2, 0x87, -ENODATA },    { 3, 0x00, -ENOLINK },
		{ 3, 0x71, -ECANCELED },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_msg(uvf_nvme_status_errno(UVF_NVME_STATUS(t[i].sct,
								    t[i].sc)) ==
				      t[i].err,
			      "sct %u sc %#x", t[i].sct, t[i].sc);
}
END_TEST

START_TEST(test_unknown_codes_are_eio_and_unknown_path_codes_enolink)
{
	ck_assert_int_eq(uvf_nvme_status_errno(UVF_NVME_STATUS(0, 0x7f)), -EIO);
	ck_assert_int_eq(uvf_nvme_status_errno(UVF_NVME_STATUS(7, 0x01)), -EIO);
	ck_assert_int_eq(uvf_nvme_status_errno(UVF_NVME_STATUS(3, 0x05)),
			 -ENOLINK);
	ck_assert_str_eq(uvf_nvme_status_str(UVF_NVME_STATUS(0, 0x7f)),
			 "Unknown Status");
}
END_TEST

START_TEST(test_status_names_come_from_the_specification)
{
	ck_assert_str_eq(uvf_nvme_status_str(0), "Successful Completion");
	ck_assert_str_eq(uvf_nvme_status_str(UVF_NVME_STATUS(0, 0x80)),
			 "LBA Out of Range");
	ck_assert_str_eq(uvf_nvme_status_str(UVF_NVME_STATUS(1, 0x02)),
			 "Invalid Queue Size");
	ck_assert_str_eq(uvf_nvme_status_str(UVF_NVME_STATUS(2, 0x81)),
			 "Unrecovered Read Error");
	/* DNR and More do not change the name. */
	ck_assert_str_eq(uvf_nvme_status_str(UVF_NVME_STATUS(0, 0x02) |
					     1u << 14),
			 "Invalid Field in Command");
	ck_assert_str_eq(uvf_nvme_status_str(UVF_NVME_STATUS_HOST_ABORTED),
			 "Command Aborted By Host");
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("nvme_status");
	TCase *tc = tcase_create("status");

	tcase_add_test(tc, test_status_field_drops_the_phase_bit);
	tcase_add_test(tc, test_success_is_zero_whatever_the_other_bits);
	tcase_add_test(tc, test_each_status_maps_to_its_errno);
	tcase_add_test(tc,
		       test_unknown_codes_are_eio_and_unknown_path_codes_enolink);
	tcase_add_test(tc, test_status_names_come_from_the_specification);
	suite_add_tcase(s, tc);
	return s;
}
