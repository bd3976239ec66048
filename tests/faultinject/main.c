/* SPDX-License-Identifier: MIT */
/* One process for the whole suite (CK_FORK=no in meson), so the closing
 * line can total the failure points of every scenario. */
#include <stdlib.h>

#include "fi.h"

int main(void)
{
	Suite *s = suite_create("faultinject");
	SRunner *sr;
	int failed;

	suite_add_tcase(s, fi_sim_tcase());
	suite_add_tcase(s, fi_acpi_tcase());
	suite_add_tcase(s, fi_vfio_tcase());
	suite_add_tcase(s, fi_pci_tcase());
	suite_add_tcase(s, fi_nvme_tcase());
	suite_add_tcase(s, fi_e1000e_tcase());
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (!failed)
		fi_print_totals();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
