/* report_format.h - small formatting helpers shared by the report writers.
 *
 * All write into caller-provided buffers or return static strings: nothing to free.
 */
#ifndef LIFELINE_REPORT_FORMAT_H
#define LIFELINE_REPORT_FORMAT_H

#include <stddef.h>

#include "lifecycle/connection.h"

/* "10.0.0.1:80" or "[2001:db8::1]:443"; "?" for an unset endpoint. */
void lf_fmt_endpoint(char *buf, size_t cap, const tcp_endpoint *ep);

/* "2023-11-14 22:13:20.123456" (UTC). */
void lf_fmt_utc(char *buf, size_t cap, lf_time_ns t);

/* Seconds since the Unix epoch, rounded to the microsecond. */
double lf_epoch_seconds(lf_time_ns t);

/* Microsecond-rounded seconds of a duration. */
double lf_round_us(double seconds);

const char *lf_party_name(lf_sr_party party);
const char *lf_close_how_name(lf_sr_close_how how);

#endif
