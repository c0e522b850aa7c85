/* Detail text assembly. */
#include "lifecycle/detail_text.h"

#include <string.h>

void lf_detail_text_init(lf_detail_text *d)
{
    d->len = 0;
}

/* Pieces are a few dozen bytes: a plain loop beats a library call per piece. */
void lf_detail_text_add(lf_detail_text *d, const char *bytes, size_t len)
{
    size_t room = sizeof d->bytes - d->len;
    size_t n = len < room ? len : room;
    char *out = d->bytes + d->len;
    size_t i = 0;
    while (i < n && bytes[i] != '\0') {
        out[i] = bytes[i];
        i++;
    }
    d->len += i;
}

void lf_detail_text_add_str(lf_detail_text *d, const char *s)
{
    lf_detail_text_add(d, s, strlen(s));
}
