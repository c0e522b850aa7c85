/* capture.c - open inputs, read them with libpcap, merge them by timestamp (binary heap). */
#include "capture/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/frame_decode.h"
#include "capture/gzip_file.h"

/* stdio buffer for plain capture files: larger than the 4 KiB default so libpcap's small
 * record reads rarely reach the kernel. */
#define PLAIN_FILE_BUFFER (64 * 1024)
#define NS_PER_SEC 1000000000LL

typedef enum source_state {
    SOURCE_PENDING, /* first packet time known, file closed until its turn */
    SOURCE_OPEN,    /* `hdr`/`data` hold its current packet */
    SOURCE_DONE,
} source_state;

typedef struct source {
    char *path;
    uint32_t index;
    source_state state;
    bool reopenable; /* a regular file, not standard input or a pipe */
    uint64_t size;   /* bytes of a plain regular file, for progress; 0 when not known */
    pcap_t *pcap;
    int dlt;
    uint64_t frame;          /* frames read so far from this file */
    lf_time_ns time;         /* merge key: current (or, pending, first) packet time */
    struct pcap_pkthdr *hdr; /* current packet, valid while OPEN */
    const u_char *data;
} source;

struct lf_capture {
    const lf_diag_sink *diag;
    source *sources;
    uint32_t n_sources;
    source **heap; /* min-heap on (time, index) of PENDING and OPEN sources */
    uint32_t heap_len;
    source *delivered; /* heap top whose packet the caller holds; advanced on the next call */
    lf_capture_stats stats;
};

static lf_time_ns timestamp_ns(const struct pcap_pkthdr *hdr)
{
    /* Opened with nanosecond precision, so tv_usec holds nanoseconds. Hostile values are
     * clamped into [0, LF_TIME_MAX] (see frame_ref.h). */
    int64_t sec = (int64_t)hdr->ts.tv_sec;
    if (sec < 0)
        return 0;
    if (sec >= LF_TIME_MAX / NS_PER_SEC)
        return LF_TIME_MAX;
    return sec * NS_PER_SEC + (int64_t)hdr->ts.tv_usec;
}

static void report(lf_capture *c, const source *s, lf_diag_severity sev, lf_diag_code code,
                   uint64_t frame, const char *fmt, const char *detail)
{
    /* Only a delivered frame has a known time; a failed read has none. */
    bool delivered = frame != 0 && frame == s->frame;
    lf_frame_ref at = {.file = s->index, .frame = frame, .time = delivered ? s->time : 0};
    lf_diag_report(c->diag, sev, code, s->path, &at, fmt, detail);
}

static void source_fail(lf_capture *c, source *s, lf_diag_code code, uint64_t frame,
                        const char *fmt, const char *detail)
{
    report(c, s, LF_DIAG_ERROR, code, frame, fmt, detail);
    c->stats.files_failed++;
    if (s->pcap)
        pcap_close(s->pcap);
    s->pcap = NULL;
    s->state = SOURCE_DONE;
}

/* Opens the input as a FILE*: gzip and non-seekable inputs through zlib, the rest plainly. */
static FILE *open_input(source *s)
{
    int fd = strcmp(s->path, "-") == 0 ? dup(STDIN_FILENO) : open(s->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    int failure = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (failure) {
        close(fd);
        errno = failure;
        return NULL;
    }
    s->reopenable = S_ISREG(st.st_mode) && strcmp(s->path, "-") != 0;
    if (!s->reopenable || lf_gzip_file_is_gzip(s->path)) {
        s->size = 0; /* read position and file size are not comparable */
        return lf_gzip_file_from_fd(fd);
    }
    s->size = (uint64_t)st.st_size;
    FILE *fp = fdopen(fd, "rb");
    if (!fp) {
        close(fd);
        return NULL;
    }
    setvbuf(fp, NULL, _IOFBF, PLAIN_FILE_BUFFER);
    return fp;
}

/* Reads the next record of an open source: true with a packet, false once it is DONE. */
static bool source_read(lf_capture *c, source *s)
{
    int rc = pcap_next_ex(s->pcap, &s->hdr, &s->data);
    if (rc == 1) {
        s->frame++;
        s->time = timestamp_ns(s->hdr);
        return true;
    }
    if (rc == PCAP_ERROR_BREAK) {
        pcap_close(s->pcap);
        s->pcap = NULL;
        s->state = SOURCE_DONE;
        return false;
    }
    const char *why = pcap_geterr(s->pcap);
    lf_diag_code code = strstr(why, "truncated")       ? LF_DIAG_FILE_TRUNCATED
                        : strstr(why, "error reading") ? LF_DIAG_FILE_UNREADABLE
                                                       : LF_DIAG_FILE_NOT_CAPTURE;
    source_fail(c, s, code, s->frame + 1, "cannot read record: %s", why);
    return false;
}

/* Opens a source from its start and reads its first packet: true when it has one. */
static bool source_activate(lf_capture *c, source *s)
{
    s->frame = 0;
    FILE *fp = open_input(s);
    if (!fp) {
        source_fail(c, s, LF_DIAG_FILE_UNREADABLE, 0, "cannot open: %s", strerror(errno));
        return false;
    }
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    s->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!s->pcap) {
        fclose(fp);
        source_fail(c, s, LF_DIAG_FILE_NOT_CAPTURE, 0, "not a pcap or pcapng capture: %s", errbuf);
        return false;
    }
    s->dlt = pcap_datalink(s->pcap);
    if (!lf_link_type_supported(s->dlt)) {
        /* the number always: libpcap has no name for many types (USER0-15, 147-162) */
        const char *name = pcap_datalink_val_to_name(s->dlt);
        char detail[64];
        snprintf(detail, sizeof detail, "%d (%s)", s->dlt, name ? name : "unnamed");
        source_fail(c, s, LF_DIAG_LINK_UNSUPPORTED, 0, "unsupported link-layer type %s", detail);
        return false;
    }
    s->state = SOURCE_OPEN;
    return source_read(c, s);
}

static bool heap_less(const source *a, const source *b)
{
    return a->time < b->time || (a->time == b->time && a->index < b->index);
}

static void heap_sift_down(lf_capture *c, uint32_t i)
{
    source **h = c->heap;
    for (;;) {
        uint32_t least = i, l = 2 * i + 1, r = l + 1;
        if (l < c->heap_len && heap_less(h[l], h[least]))
            least = l;
        if (r < c->heap_len && heap_less(h[r], h[least]))
            least = r;
        if (least == i)
            return;
        source *tmp = h[i];
        h[i] = h[least];
        h[least] = tmp;
        i = least;
    }
}

static void heap_push(lf_capture *c, source *s)
{
    uint32_t i = c->heap_len++;
    c->heap[i] = s;
    while (i > 0 && heap_less(c->heap[i], c->heap[(i - 1) / 2])) {
        uint32_t parent = (i - 1) / 2;
        c->heap[i] = c->heap[parent];
        c->heap[parent] = s;
        i = parent;
    }
}

static void heap_pop(lf_capture *c)
{
    c->heap[0] = c->heap[--c->heap_len];
    heap_sift_down(c, 0);
}

/* Learns each input's first timestamp. With several regular files, all but the one being read
 * are closed again until the merge reaches them, so open files stay few however many are
 * given. */
static void prime_sources(lf_capture *c)
{
    for (uint32_t i = 0; i < c->n_sources; i++) {
        source *s = &c->sources[i];
        if (!source_activate(c, s))
            continue;
        if (c->n_sources > 1 && s->reopenable) {
            pcap_close(s->pcap);
            s->pcap = NULL;
            s->state = SOURCE_PENDING;
        }
        heap_push(c, s);
    }
}

lf_capture *lf_capture_open(const char *const *paths, uint32_t n, const lf_diag_sink *diag)
{
    if (n == 0)
        return NULL;
    lf_capture *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->diag = diag;
    c->sources = calloc(n, sizeof *c->sources);
    c->heap = calloc(n, sizeof *c->heap);
    if (!c->sources || !c->heap) {
        lf_capture_close(c);
        return NULL;
    }
    c->n_sources = n;
    for (uint32_t i = 0; i < n; i++) {
        c->sources[i].index = i;
        c->sources[i].path = strdup(paths[i]);
        if (!c->sources[i].path) {
            lf_capture_close(c);
            return NULL;
        }
    }
    prime_sources(c);
    return c;
}

static void advance_delivered(lf_capture *c)
{
    source *s = c->delivered;
    c->delivered = NULL;
    if (!source_read(c, s))
        heap_pop(c);
    else if (c->heap_len > 1) /* a single input needs no reordering */
        heap_sift_down(c, 0);
}

/* TCP reassembly carries on over the cut bytes as a gap; saying so here names the cause. */
static void report_cut(lf_capture *c, const source *s, const lf_tcp_segment *t)
{
    char detail[96];
    snprintf(detail, sizeof detail, "%" PRIu32 " of %" PRIu32, t->payload_missing,
             t->payload_len + t->payload_missing);
    report(c, s, LF_DIAG_WARNING, LF_DIAG_PACKET_CUT, s->frame,
           "the snapshot length cut %s TCP payload bytes", detail);
}

static void decode_into(lf_capture *c, source *s, lf_packet *pkt)
{
    pkt->ref = (lf_frame_ref){.file = s->index, .frame = s->frame, .time = s->time};
    pkt->wirelen = s->hdr->len;
    switch (lf_frame_decode(s->dlt, s->data, s->hdr->caplen, pkt)) {
    case LF_PACKET_TCP:
        c->stats.tcp_segments++;
        if (pkt->tcp.payload_missing > 0)
            report_cut(c, s, &pkt->tcp);
        break;
    case LF_PACKET_IP_FRAGMENT:
        c->stats.fragments++;
        report(c, s, LF_DIAG_NOTE, LF_DIAG_IP_FRAGMENT, s->frame, "%s", pkt->problem);
        break;
    case LF_PACKET_MALFORMED:
        c->stats.malformed++;
        report(c, s, LF_DIAG_WARNING, LF_DIAG_PACKET_MALFORMED, s->frame, "%s", pkt->problem);
        break;
    case LF_PACKET_OTHER:
        break;
    }
    c->stats.frames++;
}

bool lf_capture_next(lf_capture *c, lf_packet *pkt)
{
    if (c->delivered)
        advance_delivered(c);
    while (c->heap_len > 0) {
        source *s = c->heap[0];
        if (s->state == SOURCE_OPEN) {
            decode_into(c, s, pkt);
            c->delivered = s;
            return true;
        }
        /* A pending file's turn: re-open it; its first packet re-enters the merge. */
        if (source_activate(c, s))
            heap_sift_down(c, 0);
        else
            heap_pop(c);
    }
    return false;
}

const lf_capture_stats *lf_capture_get_stats(const lf_capture *c)
{
    return &c->stats;
}

bool lf_capture_progress(const lf_capture *c, uint64_t *done, uint64_t *total)
{
    *done = *total = 0;
    for (uint32_t i = 0; i < c->n_sources; i++) {
        const source *s = &c->sources[i];
        if (s->state == SOURCE_DONE) {
            *done += s->size;
            *total += s->size;
            continue;
        }
        if (s->size == 0)
            return false;
        *total += s->size;
        long pos = s->state == SOURCE_OPEN && s->pcap ? ftell(pcap_file(s->pcap)) : 0;
        if (pos > 0)
            *done += (uint64_t)pos < s->size ? (uint64_t)pos : s->size;
    }
    return *total > 0;
}

const char *lf_capture_path(const lf_capture *c, uint32_t file)
{
    return file < c->n_sources ? c->sources[file].path : NULL;
}

void lf_capture_close(lf_capture *c)
{
    if (!c)
        return;
    for (uint32_t i = 0; c->sources && i < c->n_sources; i++) {
        if (c->sources[i].pcap)
            pcap_close(c->sources[i].pcap);
        free(c->sources[i].path);
    }
    free(c->sources);
    free(c->heap);
    free(c);
}
