/*
 * options_md.c - writes the option table of src/options.c as the
 * documentation holds it (tests/options_doc.sh compares and updates).
 *
 *   options_md             the README's Markdown table, one line per option
 *   options_md --defaults  "NAME DEFAULT" per option with a default, for the
 *                          check of the defaults the prose mentions
 */
#include <stdio.h>
#include <string.h>

#include "wirestate/options.h"

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--defaults") == 0) {
        size_t n;
        const struct wst_option *rows = wst_options_rows(&n);
        for (size_t i = 0; i < n; i++) {
            if (rows[i].def)
                printf("%s %s\n", rows[i].name, rows[i].def);
        }
    } else if (argc == 1) {
        wst_options_markdown(stdout);
    } else {
        fprintf(stderr, "usage: options_md [--defaults]\n");
        return 2;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
