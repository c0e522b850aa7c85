/* http_conn.c - per-stream HTTP/1.1 state machine: heads, bodies, pairing, resync, upgrade. */
#include "http/http_conn.h"

#include <stdlib.h>
#include <string.h>

#include "pipeline/wire_event.h"

/* Initial head buffer; it grows by doubling up to max_header_block. */
#define HEAD_BUF_INITIAL 1024
/* Pending requests first get a ring this small, doubled as needed up to max_pending_requests:
 * clients rarely pipeline, so a stream should not pay for the deepest pipelining up front. */
#define QUEUE_INITIAL 4

typedef enum dir_state {
    DIR_HEAD,   /* reading a message head (or waiting for one) */
    DIR_BODY,   /* inside a body */
    DIR_HOLD,   /* request side: upgrade asked, waiting for the answer before parsing on */
    DIR_TUNNEL, /* after 101: bytes belong to the upgraded protocol */
    DIR_LOST,   /* out of sync: waiting for a plausible message start at a line start */
    DIR_ENDED   /* FIN seen */
} dir_state;

/* Fields used on every segment first; the inflater and the upgrade hold, rarely used, last. */
typedef struct dir_ctx {
    dir_state state;
    char *head;
    size_t head_len, head_cap;
    bool head_has_text;     /* a non-empty line was seen (leading CRLFs are skipped) */
    size_t head_line_chars; /* non-CR bytes of the current line */
    bool start_ok;          /* the start of the head matched a plausible message start */
    bool lost_at_line_start;
    bool decoding; /* body goes through `inflate` */
    unsigned body_flags;
    uint64_t wire_len;
    http_framing framing;
    http_inflate inflate;
    uint8_t *hold;
    size_t hold_len;
    lf_frame_ref hold_at;
} dir_ctx;

typedef struct pending_request {
    http_request_ref ref;
    char *target_copy;
} pending_request;

struct http_conn {
    http_handler h;
    const lf_frame_ref *at; /* frame of the bytes being fed */
    dir_ctx dirs[2];
    http_config cfg;
    pending_request *queue; /* ring of q_cap, grown up to cfg.max_pending_requests */
    size_t q_head, q_len, q_cap;
    uint32_t next_index;
};

void http_config_defaults(http_config *cfg)
{
    cfg->max_header_block = HTTP_DEFAULT_MAX_HEADER_BLOCK;
    cfg->max_headers = HTTP_DEFAULT_MAX_HEADERS;
    cfg->max_pending_requests = HTTP_DEFAULT_MAX_PENDING_REQUESTS;
    cfg->max_kept_target = HTTP_DEFAULT_MAX_KEPT_TARGET;
    cfg->max_upgrade_hold = HTTP_DEFAULT_MAX_UPGRADE_HOLD;
    cfg->max_decoded_body = HTTP_DEFAULT_MAX_DECODED_BODY;
    cfg->max_inflate_ratio = HTTP_DEFAULT_MAX_INFLATE_RATIO;
}

http_conn *http_conn_new(const http_config *cfg, const http_handler *handler)
{
    http_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->cfg = *cfg;
    c->h = *handler;
    if (c->cfg.max_pending_requests == 0)
        c->cfg.max_pending_requests = 1;
    c->q_cap = QUEUE_INITIAL < c->cfg.max_pending_requests ? QUEUE_INITIAL
                                                            : c->cfg.max_pending_requests;
    c->queue = calloc(c->q_cap, sizeof(*c->queue));
    if (!c->queue) {
        http_conn_free(c);
        return NULL;
    }
    return c;
}

static void error_event(http_conn *c, tcp_dir dir, const char *cause)
{
    c->h.error(c->h.ctx, dir, cause, c->at);
}

/* ---- request queue ------------------------------------------------------------------------ */

static void queue_pop(http_conn *c)
{
    if (c->q_len == 0)
        return;
    free(c->queue[c->q_head].target_copy);
    c->queue[c->q_head].target_copy = NULL;
    c->q_head = (c->q_head + 1) % c->q_cap;
    c->q_len--;
}

/* Doubles the ring (up to max_pending_requests), keeping the requests in order. */
static bool queue_grow(http_conn *c)
{
    size_t cap = c->q_cap * 2 < c->cfg.max_pending_requests ? c->q_cap * 2
                                                             : c->cfg.max_pending_requests;
    pending_request *q = calloc(cap, sizeof(*q));
    if (!q)
        return false;
    for (size_t i = 0; i < c->q_len; i++)
        q[i] = c->queue[(c->q_head + i) % c->q_cap];
    free(c->queue);
    c->queue = q;
    c->q_cap = cap;
    c->q_head = 0;
    return true;
}

static void queue_push(http_conn *c, const http_head *head, uint32_t index, bool wants_upgrade)
{
    if (c->q_len == c->cfg.max_pending_requests) {
        error_event(c, TCP_DIR_TO_SERVER, "too many requests awaiting a response");
        queue_pop(c);
    }
    size_t n =
        head->target_len < c->cfg.max_kept_target ? head->target_len : c->cfg.max_kept_target;
    if (c->q_len == c->q_cap && !queue_grow(c)) {
        error_event(c, TCP_DIR_TO_SERVER, "too many requests awaiting a response");
        queue_pop(c);
    }
    pending_request *p = &c->queue[(c->q_head + c->q_len) % c->q_cap];
    p->target_copy = malloc(n + 1);
    if (p->target_copy) {
        memcpy(p->target_copy, head->target, n);
        p->target_copy[n] = '\0';
    }
    p->ref = (http_request_ref){
        .index = index,
        .is_head = http_str_ieq_n(head->method, head->method_len, "HEAD", 4),
        .wants_upgrade = wants_upgrade,
        .target = p->target_copy,
        .target_len = p->target_copy ? n : 0,
    };
    c->q_len++;
}

static const http_request_ref *queue_front(const http_conn *c)
{
    return c->q_len ? &c->queue[c->q_head].ref : NULL;
}

static bool last_request_wants_upgrade(const http_conn *c)
{
    if (c->q_len == 0)
        return false;
    return c->queue[(c->q_head + c->q_len - 1) % c->q_cap].ref.wants_upgrade;
}

/* ---- plausible message starts (early garbage detection and resynchronisation) ------------- */

typedef struct message_start {
    const char *text;
    size_t len;
} message_start;

#define START(lit) {lit, sizeof(lit) - 1}
static const message_start REQUEST_STARTS[] = {
    START("GET "),   START("POST "),    START("HEAD "),    START("PUT "),   START("DELETE "),
    START("OPTIONS "), START("PATCH "), START("CONNECT "), START("TRACE ")};
static const message_start RESPONSE_STARTS[] = {START("HTTP/1.")};
#undef START

typedef enum start_match { START_NO, START_PARTIAL, START_FULL } start_match;

static start_match match_start(tcp_dir dir, const char *buf, size_t len)
{
    const message_start *list = dir == TCP_DIR_TO_SERVER ? REQUEST_STARTS : RESPONSE_STARTS;
    size_t n = dir == TCP_DIR_TO_SERVER ? sizeof(REQUEST_STARTS) / sizeof(REQUEST_STARTS[0])
                                        : sizeof(RESPONSE_STARTS) / sizeof(RESPONSE_STARTS[0]);
    start_match best = START_NO;
    for (size_t i = 0; i < n; i++) {
        size_t tl = list[i].len;
        size_t m = len < tl ? len : tl;
        if (m > 0 && (buf[0] != list[i].text[0] || memcmp(buf, list[i].text, m) != 0))
            continue;
        if (len >= tl)
            return START_FULL;
        best = START_PARTIAL;
    }
    return best;
}

static void head_reset(dir_ctx *d)
{
    d->head_len = 0;
    d->head_has_text = false;
    d->head_line_chars = 0;
    d->start_ok = false;
}

static void go_lost(http_conn *c, tcp_dir dir, const char *cause, bool at_line_start)
{
    dir_ctx *d = &c->dirs[dir];
    if (cause)
        error_event(c, dir, cause);
    head_reset(d);
    d->state = DIR_LOST;
    d->lost_at_line_start = at_line_start;
}

static bool head_append(http_conn *c, dir_ctx *d, char ch)
{
    if (d->head_len >= c->cfg.max_header_block)
        return false;
    if (d->head_len == d->head_cap) {
        size_t cap = d->head_cap ? d->head_cap * 2 : HEAD_BUF_INITIAL;
        if (cap > c->cfg.max_header_block)
            cap = c->cfg.max_header_block;
        if (cap <= d->head_len)
            return false;
        char *p = realloc(d->head, cap);
        if (!p)
            return false;
        d->head = p;
        d->head_cap = cap;
    }
    d->head[d->head_len++] = ch;
    return true;
}

/* A rare large head should not pin its buffer for the rest of a long-lived stream. */
static void shrink_head(dir_ctx *d)
{
    if (d->head_cap <= 4 * HEAD_BUF_INITIAL)
        return;
    char *p = realloc(d->head, HEAD_BUF_INITIAL);
    if (p) {
        d->head = p;
        d->head_cap = HEAD_BUF_INITIAL;
    }
}

/* ---- heads -------------------------------------------------------------------------------- */

static http_framing_mode request_framing(const http_head *head, uint64_t *len, bool *bad)
{
    const http_header *te = head->known[HTTP_F_TRANSFER_ENCODING];
    if (te)
        return http_value_has_token(te->value, te->value_len, "chunked") ? HTTP_FRAMING_CHUNKED
                                                                         : HTTP_FRAMING_CLOSE;
    const http_header *cl = head->known[HTTP_F_CONTENT_LENGTH];
    if (!cl)
        return HTTP_FRAMING_NONE;
    if (!http_parse_content_length(cl->value, cl->value_len, len)) {
        *bad = true;
        return HTTP_FRAMING_NONE;
    }
    /* repeated fields must all carry the same valid length */
    for (size_t i = 0; head->content_length_fields > 1 && i < head->header_count; i++) {
        const http_header *h = &head->headers[i];
        uint64_t v;
        if (h == cl || !http_str_ieq_n(h->name, h->name_len, "Content-Length", 14))
            continue;
        if (!http_parse_content_length(h->value, h->value_len, &v) || v != *len) {
            *bad = true;
            return HTTP_FRAMING_NONE;
        }
    }
    return HTTP_FRAMING_LENGTH;
}

static http_framing_mode response_framing(const http_head *head, const http_request_ref *req,
                                          uint64_t *len, bool *bad)
{
    int s = head->status;
    if ((req && req->is_head) || (s >= 100 && s < 200) || s == 204 || s == 304)
        return HTTP_FRAMING_NONE;
    http_framing_mode m = request_framing(head, len, bad);
    return m == HTTP_FRAMING_NONE && !*bad ? HTTP_FRAMING_CLOSE : m;
}

static void start_body(http_conn *c, tcp_dir dir, const http_message *m, uint64_t len)
{
    dir_ctx *d = &c->dirs[dir];
    http_framing_start(&d->framing, m->framing, len, c->cfg.max_header_block);
    d->body_flags = 0;
    d->wire_len = 0;
    d->decoding = m->coding == HTTP_CODING_GZIP || m->coding == HTTP_CODING_DEFLATE;
    if (d->decoding)
        http_inflate_init(&d->inflate, m->coding, c->cfg.max_decoded_body,
                          c->cfg.max_inflate_ratio);
    d->state = m->has_body ? DIR_BODY : DIR_HEAD;
}

static void feed_dir(http_conn *c, tcp_dir dir, const uint8_t *data, size_t len);

/* A tunnel never reads an HTTP head again (DIR_TUNNEL is final): its buffer can go. */
static void drop_head_buffer(dir_ctx *d)
{
    free(d->head);
    d->head = NULL;
    d->head_cap = 0;
    head_reset(d);
}

static void switch_protocols(http_conn *c)
{
    dir_ctx *req = &c->dirs[TCP_DIR_TO_SERVER];
    drop_head_buffer(req);
    drop_head_buffer(&c->dirs[TCP_DIR_TO_CLIENT]);
    c->dirs[TCP_DIR_TO_CLIENT].state = DIR_TUNNEL;
    bool held = req->state == DIR_HOLD;
    if (req->state != DIR_ENDED)
        req->state = DIR_TUNNEL;
    if (held && req->hold_len > 0)
        c->h.tunnel(c->h.ctx, TCP_DIR_TO_SERVER, req->hold, req->hold_len, &req->hold_at);
    req->hold_len = 0;
}

/* The upgrade was refused: the held client bytes are HTTP again. */
static void release_hold(http_conn *c)
{
    dir_ctx *req = &c->dirs[TCP_DIR_TO_SERVER];
    if (req->state != DIR_HOLD)
        return;
    req->state = DIR_HEAD;
    size_t n = req->hold_len;
    uint8_t *bytes = req->hold;
    req->hold = NULL;
    req->hold_len = 0;
    const lf_frame_ref *saved = c->at;
    lf_frame_ref hold_at = req->hold_at;
    c->at = &hold_at;
    feed_dir(c, TCP_DIR_TO_SERVER, bytes, n);
    c->at = saved;
    free(bytes);
}

static void on_request_head(http_conn *c, const http_head *head)
{
    uint64_t len = 0;
    bool bad = false;
    http_message m = {.dir = TCP_DIR_TO_SERVER, .head = head};
    m.framing = request_framing(head, &len, &bad);
    if (bad || m.framing == HTTP_FRAMING_CLOSE) {
        /* a request body cannot be delimited by closing the connection (RFC 9112 6.3) */
        go_lost(c, TCP_DIR_TO_SERVER,
                bad ? "invalid Content-Length" : "request body without a usable length", true);
        return;
    }
    m.index = c->next_index++;
    const http_header *ce = head->known[HTTP_F_CONTENT_ENCODING];
    m.coding = ce ? http_coding_from_header(ce->value, ce->value_len) : HTTP_CODING_IDENTITY;
    m.has_body = m.framing != HTTP_FRAMING_NONE && !(m.framing == HTTP_FRAMING_LENGTH && len == 0);
    bool upgrade = head->known[HTTP_F_UPGRADE] != NULL;
    queue_push(c, head, m.index, upgrade);
    c->h.message(c->h.ctx, &m, c->at);
    start_body(c, TCP_DIR_TO_SERVER, &m, len);
    if (upgrade && !m.has_body)
        c->dirs[TCP_DIR_TO_SERVER].state = DIR_HOLD;
}

static void on_response_head(http_conn *c, const http_head *head)
{
    const http_request_ref *req = queue_front(c);
    uint64_t len = 0;
    bool bad = false;
    http_message m = {.dir = TCP_DIR_TO_CLIENT, .head = head, .request = req};
    m.index = req ? req->index : HTTP_NO_REQUEST;
    m.framing = response_framing(head, req, &len, &bad);
    if (bad) {
        go_lost(c, TCP_DIR_TO_CLIENT, "invalid Content-Length", false);
        return;
    }
    const http_header *ce = head->known[HTTP_F_CONTENT_ENCODING];
    m.coding = ce ? http_coding_from_header(ce->value, ce->value_len) : HTTP_CODING_IDENTITY;
    m.has_body = m.framing != HTTP_FRAMING_NONE && !(m.framing == HTTP_FRAMING_LENGTH && len == 0);
    m.switches = head->status == 101;
    bool interim = head->status >= 100 && head->status < 200 && !m.switches;
    c->h.message(c->h.ctx, &m, c->at);
    if (interim)
        return;
    start_body(c, TCP_DIR_TO_CLIENT, &m, len);
    queue_pop(c);
    if (m.switches)
        switch_protocols(c);
    else
        release_hold(c);
}

/* Parses and handles the head at the start of buf[0..len). `complete`: the buffer ends with the
 * head, so a failure loses sync; otherwise a failure leaves everything as it was (the bytes go
 * the slow way). Returns the head's length, 0 when none was handled. */
static size_t parse_head(http_conn *c, tcp_dir dir, const char *buf, size_t len,
                         http_header *slots, bool complete)
{
    dir_ctx *d = &c->dirs[dir];
    http_head head;
    int64_t n = http_head_parse(buf, len, dir == TCP_DIR_TO_SERVER, &head, slots,
                                c->cfg.max_headers);
    if (n < 0) {
        if (complete)
            go_lost(c, dir,
                    n == HTTP_HEAD_TOO_MANY ? "too many header fields" : "malformed HTTP head",
                    true);
        return 0;
    }
    if (dir == TCP_DIR_TO_SERVER)
        on_request_head(c, &head);
    else
        on_response_head(c, &head);
    head_reset(d);
    shrink_head(d);
    return (size_t)n;
}

/* Header slots on the stack while one head is handled (a stream keeps none between heads);
 * a configuration allowing more fields takes them from the heap for that head. */
#define STACK_HEADER_SLOTS HTTP_DEFAULT_MAX_HEADERS

/* parse_head() with header slots: from the head buffer, or borrowed from the input. */
static size_t complete_head(http_conn *c, tcp_dir dir, const char *buf, size_t len,
                            bool complete)
{
    http_header stack_slots[STACK_HEADER_SLOTS];
    http_header *slots = c->cfg.max_headers <= STACK_HEADER_SLOTS
                             ? stack_slots
                             : malloc(c->cfg.max_headers * sizeof(*slots));
    if (slots == NULL) {
        if (complete)
            go_lost(c, dir, "out of memory for the header fields of an HTTP head", true);
        return 0;
    }
    size_t n = parse_head(c, dir, buf, len, slots, complete);
    if (slots != stack_slots)
        free(slots);
    return n;
}

/* Adds one byte to the head; the direction may complete a head or lose sync on the way. */
static void head_byte(http_conn *c, tcp_dir dir, uint8_t ch)
{
    dir_ctx *d = &c->dirs[dir];
    if (!d->head_has_text && d->head_line_chars == 0 && (ch == '\r' || ch == '\n'))
        return; /* empty lines before a message are allowed */
    if (!head_append(c, d, (char)ch)) {
        go_lost(c, dir, "HTTP head exceeds the size limit", false);
        return;
    }
    if (!d->start_ok) {
        start_match s = match_start(dir, d->head, d->head_len);
        if (s == START_NO) {
            go_lost(c, dir, "bytes that are not an HTTP message", ch == '\n');
            return;
        }
        d->start_ok = s == START_FULL;
    }
    if (ch == '\n' && d->head_line_chars == 0) {
        complete_head(c, dir, d->head, d->head_len, true);
    } else if (ch == '\n') {
        d->head_has_text = true;
        d->head_line_chars = 0;
    } else if (ch != '\r') {
        d->head_line_chars++;
    }
}

/* Appends a run of head bytes holding no '\n' in one go, when head_byte() would do nothing but
 * append them and count the line's non-CR bytes: the message start is recognised, leading
 * empty lines are behind, and the run fits under the head limit. False: go byte by byte. */
static bool head_run(http_conn *c, dir_ctx *d, const uint8_t *run, size_t n)
{
    if (!d->start_ok || (!d->head_has_text && d->head_line_chars == 0) ||
        n > c->cfg.max_header_block - d->head_len)
        return false;
    if (d->head_len + n > d->head_cap) {
        size_t cap = d->head_cap ? d->head_cap : HEAD_BUF_INITIAL;
        while (cap < d->head_len + n)
            cap *= 2;
        if (cap > c->cfg.max_header_block)
            cap = c->cfg.max_header_block;
        char *p = realloc(d->head, cap);
        if (!p)
            return false;
        d->head = p;
        d->head_cap = cap;
    }
    memcpy(d->head + d->head_len, run, n);
    d->head_len += n;
    size_t cr = 0; /* CRs are rare inside a line: one before its LF */
    for (const uint8_t *p = run, *end = run + n; (p = memchr(p, '\r', (size_t)(end - p))); p++)
        cr++;
    d->head_line_chars += n - cr;
    return true;
}

/* Whether the direction holds nothing of a head yet: no byte kept, no line begun. */
static bool head_fresh(const dir_ctx *d)
{
    return d->head_len == 0 && !d->head_has_text && d->head_line_chars == 0 && !d->start_ok;
}

/* The common case of a whole head inside one input, parsed where it lies instead of being
 * copied into the head buffer. It must act exactly as head_byte() would over the same bytes:
 * it skips leading empty lines, and takes over only when the message start is recognised and
 * a head parses within the input and within the size limit. (A head that parses ends at its
 * first line of nothing but CRs, where head_byte() ends it too: the start line and field lines
 * hold text, and a line of CRs before the blank one fails the parse.) Anything else, complete
 * or not, goes the slow way. Sets *used to the bytes it handled (the skipped empty lines alone
 * when it does not take over); returns whether it took over. */
static bool head_in_place(http_conn *c, tcp_dir dir, const uint8_t *data, size_t len,
                          size_t *used)
{
    size_t skip = 0;
    while (skip < len && (data[skip] == '\r' || data[skip] == '\n'))
        skip++;
    *used = skip;
    const char *p = (const char *)data + skip;
    size_t n = len - skip;
    if (n == 0 || match_start(dir, p, n) != START_FULL)
        return false;
    size_t limit = n < c->cfg.max_header_block ? n : c->cfg.max_header_block;
    size_t head_len = complete_head(c, dir, p, limit, false);
    *used = skip + head_len;
    return head_len > 0;
}

/* Heads go line by line: the bytes of a line in one run, its '\n' (and whatever needs a closer
 * look: message starts, leading empty lines, the size limit) through head_byte(). A head
 * starting afresh goes through head_in_place() first. */
static size_t feed_head(http_conn *c, tcp_dir dir, const uint8_t *data, size_t len)
{
    dir_ctx *d = &c->dirs[dir];
    size_t i = 0;
    while (i < len && d->state == DIR_HEAD) {
        if (head_fresh(d)) {
            size_t used;
            bool taken = head_in_place(c, dir, data + i, len - i, &used);
            i += used;
            if (taken || i == len)
                continue;
        }
        const uint8_t *nl = memchr(data + i, '\n', len - i);
        size_t text_end = nl ? (size_t)(nl - data) : len;
        size_t end = nl ? text_end + 1 : len;
        while (i < end && d->state == DIR_HEAD) {
            if (i < text_end && head_run(c, d, data + i, text_end - i))
                i = text_end;
            else
                head_byte(c, dir, data[i++]);
        }
    }
    return i;
}

/* The lost state reuses the head buffer for its few bytes of look-ahead; a direction whose
 * heads all parse in place never needs one. */
static bool dir_lost_room(dir_ctx *d)
{
    if (d->head_cap >= HEAD_BUF_INITIAL)
        return true;
    char *p = realloc(d->head, HEAD_BUF_INITIAL);
    if (!p)
        return false;
    d->head = p;
    d->head_cap = HEAD_BUF_INITIAL;
    return true;
}

/* Lost: only a line start followed by a plausible message start brings the direction back. */
static size_t feed_lost(http_conn *c, tcp_dir dir, const uint8_t *data, size_t len)
{
    dir_ctx *d = &c->dirs[dir];
    if (!dir_lost_room(d))
        return len; /* out of memory: the bytes cannot be examined */
    size_t i = 0;
    while (i < len && d->state == DIR_LOST) {
        uint8_t ch = data[i++];
        if (!d->lost_at_line_start) {
            d->lost_at_line_start = ch == '\n';
            continue;
        }
        if (d->head_len == 0 && (ch == '\r' || ch == '\n'))
            continue;
        d->head[d->head_len++] = (char)ch; /* head_cap >= HEAD_BUF_INITIAL, see dir_lost_room */
        start_match s = match_start(dir, d->head, d->head_len);
        if (s == START_FULL) {
            d->state = DIR_HEAD;
            d->start_ok = true;
            d->head_line_chars = d->head_len;
        } else if (s == START_NO) {
            head_reset(d);
            d->lost_at_line_start = ch == '\n';
        }
    }
    return i;
}

/* ---- bodies ------------------------------------------------------------------------------- */

typedef struct body_sink {
    http_conn *c;
    tcp_dir dir;
} body_sink;

static void decoded_out(void *ctx, const uint8_t *data, size_t len)
{
    body_sink *s = ctx;
    s->c->h.body(s->c->h.ctx, s->dir, data, len, s->c->at);
}

static void body_piece(void *ctx, const uint8_t *data, size_t len)
{
    body_sink *s = ctx;
    dir_ctx *d = &s->c->dirs[s->dir];
    d->wire_len += len;
    if (!d->decoding) {
        if (!(d->body_flags & (LF_WIRE_UNDECODED | LF_WIRE_TRUNCATED)))
            s->c->h.body(s->c->h.ctx, s->dir, data, len, s->c->at);
        return;
    }
    http_inflate_status st = http_inflate_feed(&d->inflate, data, len, decoded_out, s);
    if (st == HTTP_INFLATE_CORRUPT || st == HTTP_INFLATE_TOO_LARGE) {
        d->decoding = false;
        http_inflate_end(&d->inflate);
        d->body_flags |= st == HTTP_INFLATE_CORRUPT ? LF_WIRE_UNDECODED : LF_WIRE_TRUNCATED;
        error_event(s->c, s->dir,
                    st == HTTP_INFLATE_CORRUPT ? "corrupt compressed body"
                                               : "decompressed body exceeds the size limit");
    }
}

static void end_body(http_conn *c, tcp_dir dir, unsigned extra_flags)
{
    dir_ctx *d = &c->dirs[dir];
    if (d->decoding)
        http_inflate_end(&d->inflate);
    d->decoding = false;
    c->h.body_end(c->h.ctx, dir, d->body_flags | extra_flags, d->wire_len, c->at);
    d->state = DIR_HEAD;
}

static size_t feed_body(http_conn *c, tcp_dir dir, const uint8_t *data, size_t len)
{
    dir_ctx *d = &c->dirs[dir];
    body_sink sink = {c, dir};
    size_t used = 0;
    http_framing_status st = http_framing_feed(&d->framing, data, len, &used, body_piece, &sink);
    if (st == HTTP_FRAMING_DONE) {
        end_body(c, dir, 0);
        if (dir == TCP_DIR_TO_SERVER && last_request_wants_upgrade(c))
            d->state = DIR_HOLD;
    } else if (st == HTTP_FRAMING_ERROR) {
        end_body(c, dir, LF_WIRE_INCOMPLETE);
        go_lost(c, dir, "malformed chunked body", false);
    } else if (st == HTTP_FRAMING_LOST) {
        /* the gap took the body's end: the message start found is parsed from its line */
        end_body(c, dir, LF_WIRE_INCOMPLETE);
        go_lost(c, dir, NULL, true);
    }
    return used;
}

static size_t feed_hold(http_conn *c, const uint8_t *data, size_t len)
{
    dir_ctx *d = &c->dirs[TCP_DIR_TO_SERVER];
    size_t room = c->cfg.max_upgrade_hold - d->hold_len;
    size_t n = len < room ? len : room;
    if (n < len)
        error_event(c, TCP_DIR_TO_SERVER,
                    "client bytes before the upgrade answer exceed the limit");
    if (n > 0) {
        uint8_t *p = realloc(d->hold, d->hold_len + n);
        if (!p)
            return len;
        memcpy(p + d->hold_len, data, n);
        d->hold = p;
        d->hold_len += n;
        d->hold_at = *c->at;
    }
    return len;
}

static void feed_dir(http_conn *c, tcp_dir dir, const uint8_t *data, size_t len)
{
    dir_ctx *d = &c->dirs[dir];
    while (len > 0) {
        size_t used = 0;
        switch (d->state) {
        case DIR_HEAD:
            used = feed_head(c, dir, data, len);
            break;
        case DIR_LOST:
            used = feed_lost(c, dir, data, len);
            break;
        case DIR_BODY:
            used = feed_body(c, dir, data, len);
            break;
        case DIR_HOLD:
            used = feed_hold(c, data, len);
            break;
        case DIR_TUNNEL:
            c->h.tunnel(c->h.ctx, dir, data, len, c->at);
            used = len;
            break;
        case DIR_ENDED:
            return;
        }
        data += used;
        len -= used;
    }
}

void http_conn_data(http_conn *c, tcp_dir dir, const uint8_t *data, size_t len,
                    const lf_frame_ref *at)
{
    c->at = at;
    feed_dir(c, dir, data, len);
    c->at = NULL;
}

void http_conn_gap(http_conn *c, tcp_dir dir, uint64_t missing, const lf_frame_ref *at)
{
    dir_ctx *d = &c->dirs[dir];
    c->at = at;
    c->h.gap(c->h.ctx, dir, missing, at);
    switch (d->state) {
    case DIR_BODY:
        if (http_framing_skip(&d->framing, missing)) {
            d->body_flags |= LF_WIRE_INCOMPLETE;
            if (d->decoding) {
                http_inflate_end(&d->inflate);
                d->decoding = false;
                d->body_flags |= LF_WIRE_UNDECODED;
            }
            if (d->framing.done)
                end_body(c, dir, 0);
            break;
        }
        end_body(c, dir, LF_WIRE_INCOMPLETE);
        go_lost(c, dir, NULL, true);
        break;
    case DIR_TUNNEL:
        c->h.tunnel_gap(c->h.ctx, dir, missing, at);
        break;
    case DIR_ENDED:
        break;
    case DIR_HOLD:
        free(d->hold);
        d->hold = NULL;
        d->hold_len = 0;
        go_lost(c, dir, NULL, true);
        break;
    case DIR_HEAD:
    case DIR_LOST:
        go_lost(c, dir, NULL, true);
        break;
    }
    c->at = NULL;
}

void http_conn_fin(http_conn *c, tcp_dir dir, bool cut, const lf_frame_ref *at)
{
    dir_ctx *d = &c->dirs[dir];
    c->at = at;
    if (d->state == DIR_BODY)
        end_body(c, dir, d->framing.mode == HTTP_FRAMING_CLOSE && !cut ? 0 : LF_WIRE_INCOMPLETE);
    else if (d->state == DIR_HEAD && d->head_len > 0)
        error_event(c, dir, "stream ended inside an HTTP head");
    if (d->state == DIR_HOLD)
        release_hold(c);
    d->state = DIR_ENDED;
    c->at = NULL;
}

void http_conn_free(http_conn *c)
{
    if (!c)
        return;
    for (int i = 0; i < 2; i++) {
        if (c->dirs[i].decoding)
            http_inflate_end(&c->dirs[i].inflate);
        free(c->dirs[i].head);
        free(c->dirs[i].hold);
    }
    while (c->q_len > 0)
        queue_pop(c);
    free(c->queue);
    free(c);
}
