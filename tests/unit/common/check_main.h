/* SPDX-License-Identifier: MIT */
/* Each unit-test program defines uvf_test_suite(); check_main.c runs it. */
#ifndef UVF_CHECK_MAIN_H
#define UVF_CHECK_MAIN_H

#include <check.h>

Suite *uvf_test_suite(void);

#endif
