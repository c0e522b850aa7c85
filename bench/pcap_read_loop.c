/* pcap_read_loop.c - the limit a capture analyzer can reach: libpcap reading every record of
 * the given files and touching nothing but the header. Prints "packets bytes seconds".
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    uint64_t packets = 0, bytes = 0;
    double start = now();
    for (int i = 1; i < argc; i++) {
        char err[PCAP_ERRBUF_SIZE];
        pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[i], PCAP_TSTAMP_PRECISION_NANO,
                                                            err);
        if (p == NULL) {
            fprintf(stderr, "pcap_read_loop: %s: %s\n", argv[i], err);
            return 2;
        }
        struct pcap_pkthdr *h;
        const u_char *data;
        while (pcap_next_ex(p, &h, &data) == 1) {
            packets++;
            bytes += h->caplen;
        }
        pcap_close(p);
    }
    printf("%llu %llu %.3f\n", (unsigned long long)packets, (unsigned long long)bytes,
           now() - start);
    return 0;
}
