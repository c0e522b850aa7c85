/* ws_reader.c - RFC 6455 frame parsing, message reassembly, RFC 7692 inflation. */
#include "transport/ws_reader.h"

#include <string.h>

#include "http/http_head.h"

/* Unmasking and inflating work through stack blocks of this size. */
#define WS_BLOCK 4096

/* ---- extension negotiation ---------------------------------------------------------------- */

static bool param_is(const char *p, size_t n, const char *name)
{
    size_t k = 0;
    while (k < n && p[k] != '=')
        k++;
    while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\t'))
        k--;
    return http_str_ieq(p, k, name);
}

/* One extension entry: `name; param; param=value`. */
static ws_deflate_params parse_entry(const char *s, size_t n)
{
    ws_deflate_params out = {0};
    size_t i = 0;
    bool first = true;
    while (i <= n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        size_t start = i;
        while (i < n && s[i] != ';')
            i++;
        size_t end = i;
        while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
            end--;
        if (first && !http_str_ieq(s + start, end - start, "permessage-deflate"))
            return out;
        out.enabled = true;
        if (!first && param_is(s + start, end - start, "server_no_context_takeover"))
            out.server_no_context_takeover = true;
        if (!first && param_is(s + start, end - start, "client_no_context_takeover"))
            out.client_no_context_takeover = true;
        first = false;
        i++;
    }
    return out;
}

ws_deflate_params ws_parse_extensions(const char *value, size_t len)
{
    size_t i = 0;
    while (value && i < len) {
        size_t start = i;
        while (i < len && value[i] != ',')
            i++;
        ws_deflate_params p = parse_entry(value + start, i - start);
        if (p.enabled)
            return p;
        i++;
    }
    return (ws_deflate_params){0};
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

void ws_reader_init(ws_reader *r, wire_tag tag, ws_deflate_params params, size_t max_message)
{
    memset(r, 0, sizeof(*r));
    r->tag = tag;
    r->deflate = params.enabled;
    r->reset_per_message = tag.dir == TCP_DIR_TO_CLIENT ? params.server_no_context_takeover
                                                        : params.client_no_context_takeover;
    r->hdr_need = 2;
    capped_buf_init(&r->msg, max_message);
}

void ws_reader_free(ws_reader *r)
{
    if (r->z_ready)
        inflateEnd(&r->z);
    r->z_ready = false;
    capped_buf_free(&r->msg);
}

static void fail(ws_reader *r, const char *cause, const lf_frame_ref *at)
{
    lf_wire_event ev;
    wire_tag_event(&ev, &r->tag, LF_WIRE_ERROR, at);
    ev.u.error.cause = cause;
    wire_tag_emit(&r->tag, &ev);
    r->lost = true;
}

/* ---- inflation ---------------------------------------------------------------------------- */

/* Inflates into the message buffer; stops (and flags the message) when the cap is reached. */
static void inflate_into_message(ws_reader *r, const uint8_t *in, size_t len)
{
    if (r->msg_flags & (LF_WIRE_UNDECODED | LF_WIRE_TRUNCATED))
        return;
    if (!r->z_ready) {
        if (inflateInit2(&r->z, -15) != Z_OK) {
            r->msg_flags |= LF_WIRE_UNDECODED;
            return;
        }
        r->z_ready = true;
    }
    uint8_t block[WS_BLOCK];
    r->z.next_in = (Bytef *)(uintptr_t)in;
    r->z.avail_in = (uInt)len;
    do {
        r->z.next_out = block;
        r->z.avail_out = sizeof(block);
        int rc = inflate(&r->z, Z_SYNC_FLUSH);
        size_t produced = sizeof(block) - r->z.avail_out;
        capped_buf_append(&r->msg, block, produced);
        if (r->msg.truncated) {
            r->msg_flags |= LF_WIRE_TRUNCATED;
            r->z_broken = !r->reset_per_message;
            return;
        }
        if (rc == Z_STREAM_END) {
            /* a final block (BFINAL) ends the stream: what follows is only the sync tail */
            inflateReset(&r->z);
            return;
        }
        if (rc == Z_BUF_ERROR && produced == 0)
            return;
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            r->msg_flags |= LF_WIRE_UNDECODED;
            r->z_broken = !r->reset_per_message;
            return;
        }
    } while (r->z.avail_in > 0 || r->z.avail_out == 0);
}

/* ---- messages ----------------------------------------------------------------------------- */

static void start_message(ws_reader *r)
{
    r->in_message = true;
    r->msg_opcode = r->opcode;
    r->msg_compressed = r->rsv1;
    r->msg_masked = r->masked;
    r->fragments = 0;
    r->wire_len = 0;
    r->msg_flags = 0;
    capped_buf_clear(&r->msg);
    if (r->msg_compressed && r->z_broken)
        r->msg_flags |= LF_WIRE_UNDECODED;
}

static void finish_message(ws_reader *r, const lf_frame_ref *at)
{
    static const uint8_t tail[4] = {0x00, 0x00, 0xff, 0xff};
    if (r->msg_compressed)
        inflate_into_message(r, tail, sizeof(tail));
    if (r->msg.truncated)
        r->msg_flags |= LF_WIRE_TRUNCATED;
    lf_wire_event ev;
    wire_tag_event(&ev, &r->tag, LF_WIRE_WS_MESSAGE, at);
    ev.u.ws_message = (lf_wire_ws_message){
        .opcode = (lf_ws_opcode)r->msg_opcode,
        .payload = r->msg.data,
        .len = (r->msg_flags & LF_WIRE_UNDECODED) ? 0 : r->msg.len,
        .wire_len = r->wire_len,
        .fragments = r->fragments,
        .masked = r->msg_masked,
        .compressed = r->msg_compressed,
        .flags = r->msg_flags,
    };
    wire_tag_emit(&r->tag, &ev);
    if (r->msg_compressed && r->reset_per_message && r->z_ready)
        inflateReset(&r->z);
    r->in_message = false;
    capped_buf_clear(&r->msg);
}

static void finish_control(ws_reader *r, const lf_frame_ref *at)
{
    lf_wire_event ev;
    if (r->opcode == LF_WS_CLOSE) {
        wire_tag_event(&ev, &r->tag, LF_WIRE_WS_CLOSE, at);
        ev.u.ws_close.masked = r->masked;
        ev.u.ws_close.has_code = r->ctl_len >= 2;
        if (ev.u.ws_close.has_code) {
            ev.u.ws_close.code = (uint16_t)((r->ctl[0] << 8) | r->ctl[1]);
            ev.u.ws_close.reason = (lf_wire_str){(const char *)r->ctl + 2, r->ctl_len - 2};
        }
    } else {
        wire_tag_event(&ev, &r->tag, LF_WIRE_WS_CONTROL, at);
        ev.u.ws_control = (lf_wire_ws_control){.opcode = (lf_ws_opcode)r->opcode,
                                               .payload = r->ctl,
                                               .len = r->ctl_len,
                                               .masked = r->masked};
    }
    wire_tag_emit(&r->tag, &ev);
}

static void finish_frame(ws_reader *r, const lf_frame_ref *at)
{
    r->in_payload = false;
    r->hdr_len = 0;
    r->hdr_need = 2;
    if (r->opcode >= 0x8)
        finish_control(r, at);
    else if (r->fin)
        finish_message(r, at);
}

/* ---- frame headers ------------------------------------------------------------------------ */

static const char *check_frame(ws_reader *r)
{
    bool control = r->opcode >= 0x8;
    if ((r->opcode > 0x2 && r->opcode < 0x8) || r->opcode > 0xA)
        return "WebSocket frame with a reserved opcode";
    if (r->hdr[0] & 0x30)
        return "WebSocket frame with RSV2/RSV3 set";
    if (r->rsv1 && (!r->deflate || control || r->opcode == LF_WS_CONTINUATION))
        return "WebSocket frame with RSV1 set outside a compressed message start";
    if (control && (!r->fin || r->remaining > WS_MAX_CONTROL))
        return "fragmented or oversized WebSocket control frame";
    if (!control && r->opcode == LF_WS_CONTINUATION && !r->in_message)
        return "WebSocket continuation frame without a message";
    if (!control && r->opcode != LF_WS_CONTINUATION && r->in_message)
        return "WebSocket data frame inside an unfinished message";
    return NULL;
}

static uint64_t header_length(const ws_reader *r)
{
    uint8_t len7 = r->hdr[1] & 0x7f;
    uint64_t n = 0;
    if (len7 < 126)
        return len7;
    size_t bytes = len7 == 126 ? 2 : 8;
    for (size_t i = 0; i < bytes; i++)
        n = (n << 8) | r->hdr[2 + i];
    return n;
}

static void begin_frame(ws_reader *r, const lf_frame_ref *at)
{
    r->fin = r->hdr[0] & 0x80;
    r->rsv1 = r->hdr[0] & 0x40;
    r->opcode = r->hdr[0] & 0x0f;
    r->masked = r->hdr[1] & 0x80;
    r->remaining = header_length(r);
    r->offset = 0;
    if (r->masked)
        memcpy(r->mask, r->hdr + r->hdr_need - 4, 4);
    if (r->remaining >> 63) {
        fail(r, "WebSocket frame length with the top bit set", at);
        return;
    }
    const char *bad = check_frame(r);
    if (bad) {
        fail(r, bad, at);
        return;
    }
    if (r->opcode >= 0x8) {
        r->ctl_len = 0;
    } else {
        if (r->opcode != LF_WS_CONTINUATION)
            start_message(r);
        r->fragments++;
    }
    r->in_payload = true;
    if (r->remaining == 0)
        finish_frame(r, at);
}

static size_t header_bytes(ws_reader *r, const uint8_t *data, size_t len, const lf_frame_ref *at)
{
    size_t i = 0;
    while (i < len && r->hdr_len < r->hdr_need)
        r->hdr[r->hdr_len++] = data[i++];
    if (r->hdr_len == 2) {
        uint8_t len7 = r->hdr[1] & 0x7f;
        r->hdr_need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((r->hdr[1] & 0x80) ? 4 : 0);
        if (r->hdr_need > 2 && i < len)
            return i + header_bytes(r, data + i, len - i, at);
    }
    if (r->hdr_len == r->hdr_need)
        begin_frame(r, at);
    return i;
}

/* ---- payloads ----------------------------------------------------------------------------- */

static void payload_block(ws_reader *r, const uint8_t *p, size_t n)
{
    if (r->opcode >= 0x8) {
        memcpy(r->ctl + r->ctl_len, p, n); /* check_frame bounded the frame to WS_MAX_CONTROL */
        r->ctl_len += n;
        return;
    }
    r->wire_len += n;
    if (r->msg_compressed)
        inflate_into_message(r, p, n);
    else
        capped_buf_append(&r->msg, p, n);
}

/* Payload bytes go on in WS_BLOCK pieces (the inflater sees the same pieces either way);
 * masked ones are unmasked into a stack block, unmasked ones (server frames) go as they lie. */
static size_t payload_bytes(ws_reader *r, const uint8_t *data, size_t len, const lf_frame_ref *at)
{
    size_t n = len < r->remaining ? len : (size_t)r->remaining;
    uint8_t block[WS_BLOCK];
    for (size_t done = 0; done < n;) {
        size_t k = n - done < sizeof(block) ? n - done : sizeof(block);
        if (r->masked) {
            for (size_t j = 0; j < k; j++)
                block[j] = data[done + j] ^ r->mask[(r->offset + j) & 3];
            payload_block(r, block, k);
        } else {
            payload_block(r, data + done, k);
        }
        r->offset += k;
        done += k;
    }
    r->remaining -= n;
    if (r->remaining == 0)
        finish_frame(r, at);
    return n;
}

/* A header this direction may send, opening a message or a control frame (a continuation
 * cannot follow a loss: its message start is gone). Clients mask, servers do not. */
static bool plausible_header(const ws_reader *r, const uint8_t *p, size_t n)
{
    if (n < 2 || (p[0] & 0x30))
        return false;
    uint8_t opcode = p[0] & 0x0f;
    bool control = opcode >= 0x8;
    if (opcode == LF_WS_CONTINUATION || (opcode > 0x2 && opcode < 0x8) || opcode > 0xA)
        return false;
    if ((p[0] & 0x40) && (!r->deflate || control))
        return false;
    if (((p[1] & 0x80) != 0) != (r->tag.dir == TCP_DIR_TO_SERVER))
        return false;
    return !control || ((p[0] & 0x80) && (p[1] & 0x7f) <= WS_MAX_CONTROL);
}

void ws_reader_feed(ws_reader *r, const uint8_t *data, size_t len, const lf_frame_ref *at)
{
    if (r->resync) {
        if (!plausible_header(r, data, len))
            return;
        r->resync = false;
    }
    while (len > 0 && !r->lost) {
        size_t used =
            r->in_payload ? payload_bytes(r, data, len, at) : header_bytes(r, data, len, at);
        data += used;
        len -= used;
    }
}

/* Skips lost payload bytes of the current frame; returns those it could not account for. */
static uint64_t skip_payload(ws_reader *r, uint64_t missing, const lf_frame_ref *at)
{
    uint64_t n = missing < r->remaining ? missing : r->remaining;
    r->remaining -= n;
    r->offset += n;
    if (r->opcode < 0x8) {
        r->msg_flags |= LF_WIRE_INCOMPLETE;
        r->wire_len += n;
        if (r->msg_compressed) {
            r->msg_flags |= LF_WIRE_UNDECODED;
            r->z_broken = !r->reset_per_message;
        }
    } else {
        r->ctl_len = 0; /* a control payload with a hole is reported empty */
    }
    if (r->remaining == 0)
        finish_frame(r, at);
    return missing - n;
}

/* Whole frames were lost: the message in progress cannot be completed, and with context
 * takeover the lost frames may have fed the inflater; without it, the next message starts a
 * fresh window. */
static void start_resync(ws_reader *r)
{
    r->resync = true;
    r->in_payload = false;
    r->hdr_len = 0;
    r->hdr_need = 2;
    r->in_message = false;
    capped_buf_clear(&r->msg);
    if (r->deflate && !r->reset_per_message)
        r->z_broken = true;
    else if (r->z_ready)
        inflateReset(&r->z);
}

void ws_reader_gap(ws_reader *r, uint64_t missing, const lf_frame_ref *at)
{
    if (r->lost)
        return;
    if (r->in_payload && !r->resync)
        missing = skip_payload(r, missing, at);
    if (missing > 0)
        start_resync(r);
}
