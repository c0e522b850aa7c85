/* pcap: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html
 * pcapng: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-01.html */
#include "capture_writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Large stdio buffer: the benchmark writes hundreds of MB in small records. */
#define WRITER_BUFFER_BYTES (1u << 20)

#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW 101

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_BOM 0x1A2B3C4Du
#define PCAPNG_OPT_IF_TSRESOL 9

struct capture_writer {
    FILE *file;
    char *buffer;
    synth_format format;
    uint32_t snaplen;
    uint64_t packets;
    uint64_t bytes;
    bool failed;
};

static void put(capture_writer *w, const void *p, size_t n)
{
    if (!w->failed && fwrite(p, 1, n, w->file) != n)
        w->failed = true;
    w->bytes += n;
}

static void put32(capture_writer *w, uint32_t v)
{
    put(w, &v, 4);
}

static void put16(capture_writer *w, uint16_t v)
{
    put(w, &v, 2);
}

static uint16_t linktype_of(synth_link link)
{
    return link == SYNTH_LINK_RAW ? LINKTYPE_RAW : LINKTYPE_ETHERNET;
}

static void write_pcap_header(capture_writer *w, synth_link link)
{
    put32(w, w->format == SYNTH_PCAP_NS ? 0xA1B23C4Du : 0xA1B2C3D4u);
    put16(w, 2);
    put16(w, 4);
    put32(w, 0); /* thiszone */
    put32(w, 0); /* sigfigs */
    put32(w, w->snaplen);
    put32(w, linktype_of(link));
}

static void write_pcapng_header(capture_writer *w, synth_link link)
{
    const uint64_t section_length = UINT64_MAX; /* unknown: we stream */
    put32(w, PCAPNG_SHB);
    put32(w, 28);
    put32(w, PCAPNG_BOM);
    put16(w, 1);
    put16(w, 0);
    put(w, &section_length, 8);
    put32(w, 28);

    bool ns = w->format == SYNTH_PCAPNG_NS;
    uint32_t idb_len = 20 + (ns ? 8 + 4 : 0);
    put32(w, PCAPNG_IDB);
    put32(w, idb_len);
    put16(w, linktype_of(link));
    put16(w, 0);
    put32(w, w->snaplen);
    if (ns) {
        const uint8_t tsresol[4] = {9, 0, 0, 0}; /* 10^-9, padded to 32 bits */
        put16(w, PCAPNG_OPT_IF_TSRESOL);
        put16(w, 1);
        put(w, tsresol, 4);
        put32(w, 0); /* opt_endofopt */
    }
    put32(w, idb_len);
}

capture_writer *capture_writer_open(const char *path, synth_format format, synth_link link,
                                    uint32_t snaplen, synth_error *err)
{
    capture_writer *w = calloc(1, sizeof *w);
    if (w == NULL) {
        synth_error_set(err, SYNTH_E_NOMEM, "out of memory");
        return NULL;
    }
    w->format = format;
    w->snaplen = snaplen;
    w->file = fopen(path, "wb");
    if (w->file == NULL) {
        synth_error_set(err, SYNTH_E_IO, "cannot create %s: %s", path, strerror(errno));
        free(w);
        return NULL;
    }
    w->buffer = malloc(WRITER_BUFFER_BYTES);
    if (w->buffer != NULL)
        setvbuf(w->file, w->buffer, _IOFBF, WRITER_BUFFER_BYTES);
    if (format == SYNTH_PCAP_US || format == SYNTH_PCAP_NS)
        write_pcap_header(w, link);
    else
        write_pcapng_header(w, link);
    return w;
}

static void write_pcap_record(capture_writer *w, synth_time ts, const uint8_t *data,
                              uint32_t caplen, uint32_t len)
{
    uint64_t frac = ts % SYNTH_NS_PER_S;
    put32(w, (uint32_t)(ts / SYNTH_NS_PER_S));
    put32(w, (uint32_t)(w->format == SYNTH_PCAP_NS ? frac : frac / SYNTH_NS_PER_US));
    put32(w, caplen);
    put32(w, len);
    put(w, data, caplen);
}

static void write_pcapng_epb(capture_writer *w, synth_time ts, const uint8_t *data, uint32_t caplen,
                             uint32_t len)
{
    static const uint8_t zero_pad[4] = {0, 0, 0, 0};
    uint64_t units = w->format == SYNTH_PCAPNG_NS ? ts : ts / SYNTH_NS_PER_US;
    uint32_t padded = (caplen + 3u) & ~3u;
    uint32_t block_len = 32 + padded;
    put32(w, PCAPNG_EPB);
    put32(w, block_len);
    put32(w, 0); /* interface id */
    put32(w, (uint32_t)(units >> 32));
    put32(w, (uint32_t)units);
    put32(w, caplen);
    put32(w, len);
    put(w, data, caplen);
    put(w, zero_pad, padded - caplen);
    put32(w, block_len);
}

synth_status capture_writer_write(capture_writer *w, synth_time ts, const uint8_t *data,
                                  uint32_t len, synth_error *err)
{
    uint32_t caplen = len < w->snaplen ? len : w->snaplen;
    if (w->format == SYNTH_PCAP_US || w->format == SYNTH_PCAP_NS)
        write_pcap_record(w, ts, data, caplen, len);
    else
        write_pcapng_epb(w, ts, data, caplen, len);
    w->packets++;
    if (w->failed)
        return synth_error_set(err, SYNTH_E_IO, "write failed: %s", strerror(errno));
    return SYNTH_OK;
}

uint64_t capture_writer_packets(const capture_writer *w)
{
    return w->packets;
}

uint64_t capture_writer_bytes(const capture_writer *w)
{
    return w->bytes;
}

synth_status capture_writer_close(capture_writer *w, synth_error *err)
{
    bool ok = !w->failed;
    if (fclose(w->file) != 0)
        ok = false;
    free(w->buffer);
    free(w);
    return ok ? SYNTH_OK : synth_error_set(err, SYNTH_E_IO, "closing the capture failed");
}
