/*
 * error.c - text for the codes of WST_ERR_MAP (see wirestate/error.h).
 */
#include "wirestate/error.h"

const char *wst_strerror(int err)
{
    switch (err) {
#define WST_ERR_CASE(name, value, text) \
    case (value):                       \
        return text;
        WST_ERR_MAP(WST_ERR_CASE)
#undef WST_ERR_CASE
    }
    return "unknown error";
}
