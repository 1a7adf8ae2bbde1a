/*
 * check_main.c - runs every Check suite of wirestate.
 *
 * CK_RUN_SUITE=<name> runs one suite (CTest does this per suite), and
 * CK_FORK=no runs the tests in-process for a debugger.
 */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
    SRunner *sr = srunner_create(NULL);
#define WST_SUITE_ADD(name) srunner_add_suite(sr, name##_suite());
    WST_SUITE_LIST(WST_SUITE_ADD)
#undef WST_SUITE_ADD
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
