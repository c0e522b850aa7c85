/* gzip_file.c - a stdio FILE* over a zlib gzFile (glibc fopencookie). */
#define _GNU_SOURCE

#include "capture/gzip_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <zlib.h>

/* zlib's own input buffer; a larger one than its 8 KiB default cuts per-read overhead on
 * multi-gigabyte captures. */
#define GZIP_INPUT_BUFFER (128 * 1024)

static ssize_t gzip_cookie_read(void *cookie, char *buf, size_t size)
{
    unsigned chunk = size > INT_MAX ? INT_MAX : (unsigned)size;
    int n = gzread((gzFile)cookie, buf, chunk);
    if (n < 0) {
        int err;
        gzerror((gzFile)cookie, &err);
        if (err != Z_ERRNO) /* a corrupt stream rather than a failed read(): no errno set */
            errno = EIO;
        return -1;
    }
    return n;
}

static int gzip_cookie_close(void *cookie)
{
    return gzclose_r((gzFile)cookie) == Z_OK ? 0 : EOF;
}

static FILE *wrap(gzFile gz)
{
    if (!gz)
        return NULL;
    gzbuffer(gz, GZIP_INPUT_BUFFER);
    cookie_io_functions_t io = {.read = gzip_cookie_read, .close = gzip_cookie_close};
    FILE *fp = fopencookie(gz, "r", io);
    if (!fp)
        gzclose_r(gz);
    return fp;
}

FILE *lf_gzip_file_open(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    return lf_gzip_file_from_fd(fd);
}

FILE *lf_gzip_file_from_fd(int fd)
{
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
        int saved = errno ? errno : ENOMEM;
        close(fd);
        errno = saved;
        return NULL;
    }
    return wrap(gz);
}

bool lf_gzip_file_is_gzip(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    unsigned char magic[2];
    ssize_t n = read(fd, magic, sizeof magic);
    close(fd);
    return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}
