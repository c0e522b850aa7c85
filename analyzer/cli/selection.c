/* Choosing the connections to report, and reporting them as they are retired. */
#include "cli/selection.h"

#include <glib.h>
#include <string.h>

/* Connection names quoted in a problem: a ConnectionId fits whole, a token is cut. */
#define NAME_SHOWN_MAX 40
#define PROBLEM_MAX 256

typedef enum { MATCH_NONE, MATCH_PREFIX, MATCH_EXACT } match_kind;

typedef struct wanted {
    const char *value;
    size_t len;
    bool exact;                        /* a connection's whole ConnectionId or token is the value */
    unsigned prefixes;                 /* connections whose name it only begins */
    lf_connection *candidate;          /* the first of those, or NULL once reported or given up */
    bool reported;                     /* the candidate was reported (now or at the end) */
    char names[2][NAME_SHOWN_MAX + 4]; /* the first two, for the problem sentence */
} wanted;

typedef struct problem {
    char text[PROBLEM_MAX];
    bool error;
} problem;

struct lf_selection {
    lf_selection_rules rules;
    lf_report_writer *writer;
    wanted *wanted;
    problem *problems;
    size_t problem_count;
    size_t reported;
    int worst;
    bool write_failed;
    lf_report_error write_error;
};

lf_selection *lf_selection_new(const lf_selection_rules *rules, lf_report_writer *writer)
{
    lf_selection *s = g_new0(lf_selection, 1);
    s->rules = *rules;
    s->writer = writer;
    s->worst = -1;
    s->wanted = g_new0(wanted, rules->connection_count);
    s->problems = g_new0(problem, rules->connection_count);
    for (size_t i = 0; i < rules->connection_count; i++) {
        s->wanted[i].value = rules->connections[i];
        s->wanted[i].len = strlen(rules->connections[i]);
    }
    return s;
}

void lf_selection_free(lf_selection *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->rules.connection_count; i++) {
        lf_connection_free(s->wanted[i].candidate);
    }
    g_free(s->wanted);
    g_free(s->problems);
    g_free(s);
}

static bool in_window(const lf_selection *s, const lf_connection *c)
{
    lf_time_ns end = c->end_time > c->last_seen ? c->end_time : c->last_seen;
    return (!s->rules.has_since || end >= s->rules.since) &&
           (!s->rules.has_until || c->first_seen <= s->rules.until);
}

static match_kind match_name(const wanted *w, const char *name, size_t len)
{
    if (name == NULL || w->len == 0 || len < w->len || memcmp(name, w->value, w->len) != 0) {
        return MATCH_NONE;
    }
    return len == w->len ? MATCH_EXACT : MATCH_PREFIX;
}

static match_kind match(const wanted *w, const lf_connection *c)
{
    match_kind by_id = c->connection_id != NULL
                           ? match_name(w, c->connection_id, strlen(c->connection_id))
                           : MATCH_NONE;
    match_kind by_token = match_name(w, c->token, c->token_len);
    return by_id > by_token ? by_id : by_token;
}

/* The ConnectionId, or the token when the negotiate was not captured; printable, cut short. */
static void name_of(const lf_connection *c, char *out, size_t cap)
{
    const char *name = c->connection_id != NULL ? c->connection_id : c->token;
    size_t len = c->connection_id != NULL ? strlen(name) : c->token_len;
    size_t shown = len < NAME_SHOWN_MAX ? len : NAME_SHOWN_MAX;
    size_t i = 0;
    for (; i < shown && i + 4 < cap; i++) {
        unsigned char ch = (unsigned char)name[i];
        out[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    if (shown < len && i + 4 <= cap) {
        memcpy(&out[i], "...", 3);
        i += 3;
    }
    out[i] = '\0';
}

static void report(lf_selection *s, const lf_connection *c)
{
    if (s->write_failed) {
        return;
    }
    if (lf_report_writer_connection(s->writer, c, &s->write_error) != 0) {
        s->write_failed = true;
        return;
    }
    s->reported++;
    for (size_t i = 0; i < c->finding_count; i++) {
        if ((int)c->findings[i].severity > s->worst) {
            s->worst = (int)c->findings[i].severity;
        }
    }
}

/* Notes c against each rule; true when one names it in full. */
static bool note_matches(lf_selection *s, const lf_connection *c, bool *any_prefix)
{
    bool exact = false;
    *any_prefix = false;
    for (size_t i = 0; i < s->rules.connection_count; i++) {
        wanted *w = &s->wanted[i];
        match_kind m = match(w, c);
        if (m == MATCH_EXACT) {
            w->exact = true;
            exact = true;
        } else if (m == MATCH_PREFIX) {
            if (w->prefixes < 2) {
                name_of(c, w->names[w->prefixes], sizeof w->names[0]);
            }
            w->prefixes++;
            *any_prefix = true;
            if (w->prefixes == 2) {
                /* ambiguous: the kept candidate will not be reported */
                lf_connection_free(w->candidate);
                w->candidate = NULL;
            }
        }
    }
    return exact;
}

/* c is the first connection some prefixes name: keep it until they prove unique, unless it
 * was reported already. */
static void keep_candidate(lf_selection *s, const lf_connection *c, bool reported_now)
{
    for (size_t i = 0; i < s->rules.connection_count; i++) {
        wanted *w = &s->wanted[i];
        if (w->prefixes != 1 || w->candidate != NULL || w->reported ||
            match(w, c) != MATCH_PREFIX) {
            continue;
        }
        if (reported_now) {
            w->reported = true;
        } else {
            w->candidate = lf_connection_copy(c);
        }
    }
}

void lf_selection_offer(void *selection, const lf_connection *c)
{
    lf_selection *s = selection;
    if (!in_window(s, c)) {
        return;
    }
    if (s->rules.connection_count == 0) {
        report(s, c);
        return;
    }
    bool any_prefix = false;
    bool exact = note_matches(s, c, &any_prefix);
    if (exact) {
        report(s, c);
    }
    if (any_prefix) {
        keep_candidate(s, c, exact);
    }
}

static problem *add_problem(lf_selection *s, bool error)
{
    problem *p = &s->problems[s->problem_count++];
    p->error = error;
    return p;
}

/* True when an earlier rule already reported the same connection at the end. */
static bool reported_by_earlier(const lf_selection *s, size_t index, const lf_connection *c)
{
    for (size_t i = 0; i < index; i++) {
        const lf_connection *other = s->wanted[i].candidate;
        if (other != NULL && s->wanted[i].reported && other->token_len == c->token_len &&
            memcmp(other->token, c->token, c->token_len) == 0) {
            return true;
        }
    }
    return false;
}

int lf_selection_finish(lf_selection *s, lf_report_error *err)
{
    for (size_t i = 0; i < s->rules.connection_count; i++) {
        wanted *w = &s->wanted[i];
        if (w->exact) {
            continue; /* a whole name wins over the connections it is a prefix of */
        }
        if (w->prefixes == 0) {
            problem *p = add_problem(s, false);
            snprintf(p->text, sizeof p->text, "--connection '%s' names no connection", w->value);
        } else if (w->prefixes > 1) {
            problem *p = add_problem(s, true);
            snprintf(p->text, sizeof p->text,
                     "--connection '%s' is ambiguous: %u connections begin with it (%s, %s%s); "
                     "give more characters",
                     w->value, w->prefixes, w->names[0], w->names[1],
                     w->prefixes > 2 ? ", ..." : "");
        } else if (w->candidate != NULL && !w->reported) {
            if (!reported_by_earlier(s, i, w->candidate)) {
                report(s, w->candidate);
            }
            w->reported = true;
        }
    }
    if (s->write_failed) {
        if (err != NULL) {
            *err = s->write_error;
        }
        return -1;
    }
    return 0;
}

size_t lf_selection_reported(const lf_selection *s)
{
    return s->reported;
}

int lf_selection_worst_severity(const lf_selection *s)
{
    return s->worst;
}

size_t lf_selection_problem_count(const lf_selection *s)
{
    return s->problem_count;
}

const char *lf_selection_problem(const lf_selection *s, size_t index, bool *is_error)
{
    if (index >= s->problem_count) {
        return NULL;
    }
    if (is_error != NULL) {
        *is_error = s->problems[index].error;
    }
    return s->problems[index].text;
}
