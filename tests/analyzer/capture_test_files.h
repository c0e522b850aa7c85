/* capture_test_files.h - writes small capture files for the capture tests: pcap through
 * libpcap's dump API (micro- or nanosecond), pcapng block by block (SHB, IDB with if_tsresol=9,
 * EPBs), gzip copies through zlib, and truncation. Files live in a fresh temporary directory;
 * ctf_dir_remove() deletes it and everything in it. Returned paths are malloc'd: the caller
 * frees them.
 */
#ifndef LIFELINE_TESTS_CAPTURE_TEST_FILES_H
#define LIFELINE_TESTS_CAPTURE_TEST_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/frame_ref.h"

typedef struct ctf_record {
    lf_time_ns time;
    const uint8_t *bytes;
    uint32_t caplen;
    uint32_t wirelen;
} ctf_record;

char *ctf_dir_create(void);
void ctf_dir_remove(const char *dir);
char *ctf_path(const char *dir, const char *name);

void ctf_write_pcap(const char *path, int dlt, bool nanosecond, const ctf_record *records,
                    size_t n);
void ctf_write_pcapng(const char *path, uint16_t linktype, const ctf_record *records, size_t n);
void ctf_write_bytes(const char *path, const void *bytes, size_t len);
void ctf_gzip(const char *src, const char *dst);
/* Cuts the last `bytes` bytes off the file. */
void ctf_truncate(const char *path, size_t bytes);

#endif
