/* libpcap-based reader used only by the tests. */
#include "readback.h"

#include <glib.h>
#include <pcap/pcap.h>
#include <string.h>
#include <unistd.h>

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void decode_tcp(read_frame *f, int linktype)
{
    const uint8_t *p = f->data;
    uint32_t n = f->caplen;
    if (linktype == DLT_EN10MB) {
        if (n < 14)
            return;
        p += 14;
        n -= 14;
    }
    uint32_t ip_len;
    if (n >= 20 && (p[0] >> 4) == 4 && p[9] == 6)
        ip_len = (uint32_t)(p[0] & 0x0F) * 4;
    else if (n >= 40 && (p[0] >> 4) == 6 && p[6] == 6)
        ip_len = 40;
    else
        return;
    if (n < ip_len + 20 || f->caplen != f->len)
        return;
    const uint8_t *t = p + ip_len;
    uint32_t hdr = (uint32_t)(t[12] >> 4) * 4;
    if (hdr < 20 || n < ip_len + hdr)
        return;
    f->tcp = true;
    f->sport = (uint16_t)(t[0] << 8 | t[1]);
    f->dport = (uint16_t)(t[2] << 8 | t[3]);
    f->seq = rd32(t + 4);
    f->ack = rd32(t + 8);
    f->flags = t[13];
    f->payload = t + hdr;
    f->payload_len = n - ip_len - hdr;
}

bool capture_read(const char *path, read_capture *out)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    memset(out, 0, sizeof *out);
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (p == NULL)
        return false;
    out->linktype = pcap_datalink(p);
    out->snaplen = pcap_snapshot(p);
    GArray *frames = g_array_new(FALSE, TRUE, sizeof(read_frame));
    struct pcap_pkthdr *h;
    const u_char *data;
    while (pcap_next_ex(p, &h, &data) == 1) {
        read_frame f = {0};
        f.ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
        f.caplen = h->caplen;
        f.len = h->len;
        f.data = g_memdup2(data, h->caplen);
        decode_tcp(&f, out->linktype);
        g_array_append_val(frames, f);
    }
    pcap_close(p);
    out->count = frames->len;
    out->frames = (read_frame *)g_array_free(frames, FALSE);
    return true;
}

void capture_free(read_capture *c)
{
    for (size_t i = 0; i < c->count; i++)
        g_free(c->frames[i].data);
    g_free(c->frames);
    memset(c, 0, sizeof *c);
}

size_t capture_stream(const read_capture *c, uint16_t sport, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < c->count; i++) {
        const read_frame *f = &c->frames[i];
        if (!f->tcp || f->sport != sport)
            continue;
        size_t k = f->payload_len < cap - n ? f->payload_len : cap - n;
        memcpy(out + n, f->payload, k);
        n += k;
    }
    return n;
}

char *temp_capture_path(const char *name)
{
    return g_strdup_printf("%s/synth-%d-%s", g_get_tmp_dir(), (int)getpid(), name);
}
