/* Shared vocabulary of the capture synthesizer: time, status codes, error record, endpoints,
 * directions and output formats. Plain values only; nothing here owns memory. */
#ifndef LIFELINE_SYNTH_TYPES_H
#define LIFELINE_SYNTH_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Nanoseconds since the Unix epoch: every timestamp the synthesizer handles. */
typedef uint64_t synth_time;

#define SYNTH_NS_PER_US 1000ull
#define SYNTH_NS_PER_MS 1000000ull
#define SYNTH_NS_PER_S 1000000000ull

typedef enum {
    SYNTH_OK = 0,
    SYNTH_E_ARG,      /* caller passed something unusable */
    SYNTH_E_IO,       /* the output file could not be written */
    SYNTH_E_ORDER,    /* a packet is older than what was already written */
    SYNTH_E_NOMEM,    /* an allocation failed */
    SYNTH_E_ZLIB,     /* zlib refused to compress */
    SYNTH_E_STATE,    /* operation not valid in the current protocol state */
    SYNTH_E_SCENARIO, /* the scenario description is invalid */
} synth_status;

/* Long enough for a path plus a reason. */
#define SYNTH_ERROR_MESSAGE_MAX 256

typedef struct {
    synth_status status;
    char message[SYNTH_ERROR_MESSAGE_MAX];
} synth_error;

/* Records status + printf-style message into err (if err is not NULL); returns status. */
synth_status synth_error_set(synth_error *err, synth_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

typedef struct {
    int family; /* 4 or 6 */
    uint8_t addr[16];
    uint16_t port;
} synth_endpoint;

/* Parses "1.2.3.4:80" or "[::1]:80". Returns false on anything else. */
bool synth_endpoint_parse(const char *text, synth_endpoint *out);

typedef enum { SYNTH_C2S = 0, SYNTH_S2C = 1 } synth_dir;

typedef enum {
    SYNTH_PCAP_US,   /* classic pcap, microsecond magic a1b2c3d4 */
    SYNTH_PCAP_NS,   /* classic pcap, nanosecond magic a1b23c4d */
    SYNTH_PCAPNG_US, /* pcapng, default if_tsresol (microseconds) */
    SYNTH_PCAPNG_NS, /* pcapng with if_tsresol = 9 */
} synth_format;

typedef enum {
    SYNTH_LINK_ETHERNET, /* LINKTYPE_ETHERNET (1) */
    SYNTH_LINK_RAW,      /* LINKTYPE_RAW (101): bare IPv4/IPv6 */
} synth_link;

#endif
