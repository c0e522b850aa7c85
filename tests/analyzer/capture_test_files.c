/* capture_test_files.c - capture file writers for tests (pcap, pcapng, gzip). */
#define _XOPEN_SOURCE 700 /* nftw */
#include "capture_test_files.h"

#include <ftw.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

char *ctf_dir_create(void)
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *dir = malloc(strlen(tmp) + 32);
    sprintf(dir, "%s/lifeline-capture-XXXXXX", tmp);
    return mkdtemp(dir) ? dir : NULL;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void ctf_dir_remove(const char *dir)
{
    nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

char *ctf_path(const char *dir, const char *name)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    return path;
}

void ctf_write_pcap(const char *path, int dlt, bool nanosecond, const ctf_record *records, size_t n)
{
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(
        dlt, 262144, nanosecond ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    for (size_t i = 0; i < n; i++) {
        long long sub = records[i].time % 1000000000LL;
        struct pcap_pkthdr hdr = {.caplen = records[i].caplen, .len = records[i].wirelen};
        hdr.ts.tv_sec = (time_t)(records[i].time / 1000000000LL);
        hdr.ts.tv_usec = (suseconds_t)(nanosecond ? sub : sub / 1000);
        pcap_dump((u_char *)d, &hdr, records[i].bytes);
    }
    pcap_dump_close(d);
    pcap_close(dead);
}

static void put_u32(FILE *f, uint32_t v)
{
    fwrite(&v, 4, 1, f);
}

static void put_u16(FILE *f, uint16_t v)
{
    fwrite(&v, 2, 1, f);
}

void ctf_write_pcapng(const char *path, uint16_t linktype, const ctf_record *records, size_t n)
{
    FILE *f = fopen(path, "wb");
    /* Section header block, host byte order, unknown section length. */
    put_u32(f, 0x0A0D0D0A), put_u32(f, 28), put_u32(f, 0x1A2B3C4D);
    put_u16(f, 1), put_u16(f, 0), put_u32(f, 0xFFFFFFFF), put_u32(f, 0xFFFFFFFF), put_u32(f, 28);
    /* Interface description block with if_tsresol = 9 (nanoseconds). */
    put_u32(f, 1), put_u32(f, 32), put_u16(f, linktype), put_u16(f, 0), put_u32(f, 262144);
    put_u16(f, 9), put_u16(f, 1), fputc(9, f), fputc(0, f), fputc(0, f), fputc(0, f);
    put_u32(f, 0), put_u32(f, 32);
    for (size_t i = 0; i < n; i++) {
        uint32_t padded = (records[i].caplen + 3) & ~3u;
        uint64_t ts = (uint64_t)records[i].time;
        put_u32(f, 6), put_u32(f, 32 + padded), put_u32(f, 0);
        put_u32(f, (uint32_t)(ts >> 32)), put_u32(f, (uint32_t)ts);
        put_u32(f, records[i].caplen), put_u32(f, records[i].wirelen);
        fwrite(records[i].bytes, 1, records[i].caplen, f);
        for (uint32_t p = records[i].caplen; p < padded; p++)
            fputc(0, f);
        put_u32(f, 32 + padded);
    }
    fclose(f);
}

void ctf_write_bytes(const char *path, const void *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    fwrite(bytes, 1, len, f);
    fclose(f);
}

void ctf_gzip(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb");
    gzFile out = gzopen(dst, "wb");
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        gzwrite(out, buf, (unsigned)n);
    gzclose(out);
    fclose(in);
}

void ctf_truncate(const char *path, size_t bytes)
{
    struct stat st;
    if (stat(path, &st) == 0 && (size_t)st.st_size >= bytes)
        (void)!truncate(path, st.st_size - (off_t)bytes);
}
