/* gzip_file.h - read a gzip-compressed (or plain) byte stream through a stdio FILE*.
 *
 * libpcap reads captures from a FILE*; this wraps a zlib gzFile in one so compressed captures
 * are decompressed as they are read, never staged in memory or on disk. zlib passes data that
 * is not gzip through unchanged, which is what standard input needs (it cannot be peeked and
 * rewound). The caller owns the returned FILE* and closes it with fclose() (or hands it to
 * libpcap, whose pcap_close() does), which also closes the underlying file descriptor.
 */
#ifndef LIFELINE_GZIP_FILE_H
#define LIFELINE_GZIP_FILE_H

#include <stdbool.h>
#include <stdio.h>

/* Opens `path` for decompressing reads. NULL on failure, with errno set. */
FILE *lf_gzip_file_open(const char *path);

/* Takes ownership of `fd` (closed on failure too). NULL on failure, with errno set. */
FILE *lf_gzip_file_from_fd(int fd);

/* True when the file at `path` starts with the gzip magic bytes 1f 8b. */
bool lf_gzip_file_is_gzip(const char *path);

#endif
