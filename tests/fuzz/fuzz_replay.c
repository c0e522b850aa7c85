/* fuzz_replay.c - runs a harness over its seeds and a fixed set of deterministic mutations of
 * them, as an ordinary executable (gcc or clang, with or without sanitizers): the bounded,
 * reproducible counterpart of the libFuzzer executables, for CI.
 *
 *   fuzz_replay TARGET [--mutations N] [--first K] [--seed S] [--verbose] [--skip K,K...]
 *               [--only K --save FILE] [--write-seeds DIR] [--capture-dir DIR] INPUT...
 *
 * INPUT is a capture (seeds are extracted from it, see fuzz_seeds.h) or a directory whose
 * files are raw harness inputs (a libFuzzer corpus, saved crashes); every file of a
 * --capture-dir is taken as a capture. Mutation K is derived
 * from (S, K) alone: a run prints each block of mutations before running it, `--first K
 * --mutations 1000 --verbose` names the one that fails, and `--only K --save FILE` writes it.
 * `--skip` leaves out mutations that hit a defect already known, so that the run keeps
 * guarding everything else.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_seeds.h"
#include "fuzz_targets.h"

/* Mutations announced together on standard error. */
#define FUZZ_REPLAY_BLOCK 1000

typedef struct replay_args {
    const char *target;
    unsigned long mutations;
    unsigned long first;
    bool verbose;
    unsigned long long seed;
    long only; /* -1: all */
    const char *save;
    const char *write_seeds;
    char **capture_dirs; /* --capture-dir, any number of times */
    int capture_dir_count;
    const char *skip; /* comma-separated mutation numbers */
    char **inputs;
    int input_count;
} replay_args;

/* ---- deterministic mutations -------------------------------------------------------------- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

static size_t rng_below(rng *r, size_t n)
{
    return n ? (size_t)(rng_next(r) % n) : 0;
}

/* Values that sit on the edges parsers check: lengths, separators, digits, high bits. */
static const uint8_t interesting_bytes[] = {0x00, 0x01, 0x7e, 0x7f, 0x80, 0xff, '\r', '\n',
                                            ' ',  ':',  ';',  '0',  '9',  'f',  '{',  '"'};
static const uint32_t interesting_words[] = {0, 1, 0x7f, 0x80, 0xffff, 0x10000, 0x7fffffff,
                                             0x80000000u, 0xffffffffu, 65535, 262144};

static void flip_bit(GByteArray *a, rng *r)
{
    if (a->len)
        a->data[rng_below(r, a->len)] ^= (uint8_t)(1u << rng_below(r, 8));
}

static void set_byte(GByteArray *a, rng *r)
{
    if (a->len)
        a->data[rng_below(r, a->len)] =
            interesting_bytes[rng_below(r, sizeof interesting_bytes)];
}

static void set_word(GByteArray *a, rng *r)
{
    if (a->len < 4)
        return;
    uint32_t v = interesting_words[rng_below(r, sizeof interesting_words / sizeof(uint32_t))];
    if (rng_next(r) & 1)
        v = __builtin_bswap32(v);
    memcpy(a->data + rng_below(r, a->len - 3), &v, 4);
}

static void truncate_tail(GByteArray *a, rng *r)
{
    g_byte_array_set_size(a, (guint)rng_below(r, a->len + 1));
}

static void delete_range(GByteArray *a, rng *r)
{
    if (!a->len)
        return;
    size_t at = rng_below(r, a->len);
    size_t n = 1 + rng_below(r, a->len - at < 64 ? a->len - at : 64);
    g_byte_array_remove_range(a, (guint)at, (guint)n);
}

static void duplicate_range(GByteArray *a, rng *r)
{
    if (!a->len || a->len > 4 * FUZZ_SEED_MAX_BYTES)
        return;
    size_t at = rng_below(r, a->len);
    size_t n = 1 + rng_below(r, a->len - at < 256 ? a->len - at : 256);
    GByteArray *copy = g_byte_array_sized_new((guint)n);
    g_byte_array_append(copy, a->data + at, (guint)n);
    size_t to = rng_below(r, a->len + 1);
    g_byte_array_set_size(a, a->len + (guint)n);
    memmove(a->data + to + n, a->data + to, a->len - n - to);
    memcpy(a->data + to, copy->data, n);
    g_byte_array_free(copy, TRUE);
}

/* The head of `a` joined to the tail of another seed. */
static void splice(GByteArray *a, rng *r, GPtrArray *seeds)
{
    GBytes *other = g_ptr_array_index(seeds, rng_below(r, seeds->len));
    gsize olen;
    const uint8_t *odata = g_bytes_get_data(other, &olen);
    g_byte_array_set_size(a, (guint)rng_below(r, a->len + 1));
    size_t from = rng_below(r, olen + 1);
    g_byte_array_append(a, odata + from, (guint)(olen - from));
}

static GByteArray *mutation(GPtrArray *seeds, unsigned long long seed, unsigned long k)
{
    rng r = {.s = (seed ^ (0x9E3779B97F4A7C15ULL * (k + 1))) | 1};
    for (int i = 0; i < 8; i++)
        rng_next(&r);
    GBytes *base = g_ptr_array_index(seeds, rng_below(&r, seeds->len));
    gsize len;
    const uint8_t *data = g_bytes_get_data(base, &len);
    GByteArray *a = g_byte_array_sized_new((guint)len + 1);
    g_byte_array_append(a, data, (guint)len);
    size_t ops = 1 + rng_below(&r, 4);
    for (size_t i = 0; i < ops; i++) {
        switch (rng_below(&r, 8)) {
        case 0: flip_bit(a, &r); break;
        case 1: set_byte(a, &r); break;
        case 2: set_word(a, &r); break;
        case 3: truncate_tail(a, &r); break;
        case 4: delete_range(a, &r); break;
        case 5: duplicate_range(a, &r); break;
        case 6: splice(a, &r, seeds); break;
        default: flip_bit(a, &r); flip_bit(a, &r); break;
        }
    }
    return a;
}

/* ---- inputs ------------------------------------------------------------------------------- */

static int compare_names(const void *a, const void *b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/* The paths of the files in `dir`, sorted so that mutation numbers mean the same thing on
 * every machine; NULL when it cannot be read. */
static GPtrArray *list_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            g_ptr_array_add(names, g_build_filename(dir, e->d_name, NULL));
    closedir(d);
    g_ptr_array_sort(names, compare_names);
    return names;
}

static bool add_dir(const char *dir, GPtrArray *seeds)
{
    GPtrArray *names = list_dir(dir);
    if (!names)
        return false;
    for (guint i = 0; i < names->len; i++) {
        gchar *bytes;
        gsize len;
        if (g_file_get_contents(g_ptr_array_index(names, i), &bytes, &len, NULL))
            g_ptr_array_add(seeds, g_bytes_new_take(bytes, len));
    }
    g_ptr_array_free(names, TRUE);
    return true;
}

static bool add_capture(const char *target, const char *path, GPtrArray *seeds)
{
    char err[256];
    if (fuzz_seeds_from_capture(target, path, seeds, err, sizeof err))
        return true;
    fprintf(stderr, "fuzz_replay: %s\n", err);
    return false;
}

static bool add_capture_dir(const char *target, const char *dir, GPtrArray *seeds)
{
    GPtrArray *names = list_dir(dir);
    if (!names) {
        fprintf(stderr, "fuzz_replay: cannot read %s\n", dir);
        return false;
    }
    bool ok = true;
    for (guint i = 0; i < names->len && ok; i++)
        ok = add_capture(target, g_ptr_array_index(names, i), seeds);
    g_ptr_array_free(names, TRUE);
    return ok;
}

static bool load_inputs(const replay_args *a, GPtrArray *seeds)
{
    fuzz_seeds_builtin(a->target, seeds);
    for (int i = 0; i < a->capture_dir_count; i++)
        if (!add_capture_dir(a->target, a->capture_dirs[i], seeds))
            return false;
    for (int i = 0; i < a->input_count; i++) {
        struct stat st;
        if (stat(a->inputs[i], &st) != 0) {
            fprintf(stderr, "fuzz_replay: %s: %s\n", a->inputs[i], strerror(errno));
            return false;
        }
        if (S_ISDIR(st.st_mode)) {
            add_dir(a->inputs[i], seeds);
            continue;
        }
        if (!add_capture(a->target, a->inputs[i], seeds))
            return false;
    }
    return true;
}

static bool write_seeds(const char *dir, GPtrArray *seeds)
{
    g_mkdir_with_parents(dir, 0755);
    for (guint i = 0; i < seeds->len; i++) {
        char name[32];
        snprintf(name, sizeof name, "seed-%04u", i);
        gchar *path = g_build_filename(dir, name, NULL);
        gsize len;
        const gchar *data = g_bytes_get_data(g_ptr_array_index(seeds, i), &len);
        bool ok = g_file_set_contents(path, data, (gssize)len, NULL);
        g_free(path);
        if (!ok)
            return false;
    }
    return true;
}

/* ---- command line ------------------------------------------------------------------------- */

static int usage(void)
{
    fprintf(stderr, "usage: fuzz_replay TARGET [--mutations N] [--first K] [--seed S] "
                    "[--verbose] [--skip K,K...] [--only K --save FILE] [--write-seeds DIR] "
                    "[--capture-dir DIR] INPUT...\n"
                    "TARGET: http_wire, readers, classifier, pcap\n");
    return 2;
}

static bool parse_args(int argc, char **argv, replay_args *a)
{
    *a = (replay_args){.mutations = 2000, .seed = 20240601, .only = -1};
    if (argc < 2)
        return false;
    a->target = argv[1];
    a->inputs = g_new0(char *, (gsize)argc);
    a->capture_dirs = g_new0(char *, (gsize)argc);
    for (int i = 2; i < argc; i++) {
        bool has_value = i + 1 < argc;
        if (strcmp(argv[i], "--mutations") == 0 && has_value)
            a->mutations = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--first") == 0 && has_value)
            a->first = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--verbose") == 0)
            a->verbose = true;
        else if (strcmp(argv[i], "--seed") == 0 && has_value)
            a->seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--only") == 0 && has_value)
            a->only = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--save") == 0 && has_value)
            a->save = argv[++i];
        else if (strcmp(argv[i], "--skip") == 0 && has_value)
            a->skip = argv[++i];
        else if (strcmp(argv[i], "--capture-dir") == 0 && has_value)
            a->capture_dirs[a->capture_dir_count++] = argv[++i];
        else if (strcmp(argv[i], "--write-seeds") == 0 && has_value)
            a->write_seeds = argv[++i];
        else if (argv[i][0] == '-')
            return false;
        else
            a->inputs[a->input_count++] = argv[i];
    }
    qsort(a->inputs, (size_t)a->input_count, sizeof(char *), compare_names);
    return true;
}

static int run_one(fuzz_target_fn fn, GPtrArray *seeds, const replay_args *a)
{
    GByteArray *m = mutation(seeds, a->seed, (unsigned long)a->only);
    if (a->save && !g_file_set_contents(a->save, (const gchar *)m->data, m->len, NULL)) {
        fprintf(stderr, "fuzz_replay: cannot write %s\n", a->save);
        g_byte_array_free(m, TRUE);
        return 2;
    }
    fn(m->data, m->len);
    g_byte_array_free(m, TRUE);
    return 0;
}

static bool skipped(const replay_args *a, unsigned long k)
{
    for (const char *p = a->skip; p && *p;) {
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p)
            return false;
        if (v == k)
            return true;
        p = *end == ',' ? end + 1 : end;
    }
    return false;
}

static void run_all(fuzz_target_fn fn, GPtrArray *seeds, const replay_args *a)
{
    for (guint i = 0; i < seeds->len; i++) {
        gsize len;
        const uint8_t *data = g_bytes_get_data(g_ptr_array_index(seeds, i), &len);
        fn(data, len);
    }
    for (unsigned long k = a->first; k < a->first + a->mutations; k++) {
        /* Printed before the run: a crash leaves the block (or the number) to replay. */
        if (a->verbose)
            fprintf(stderr, "mutation %lu\n", k);
        else if ((k - a->first) % FUZZ_REPLAY_BLOCK == 0)
            fprintf(stderr, "mutations %lu..%lu\n", k, k + FUZZ_REPLAY_BLOCK - 1);
        if (skipped(a, k))
            continue;
        GByteArray *m = mutation(seeds, a->seed, k);
        fn(m->data, m->len);
        g_byte_array_free(m, TRUE);
    }
    printf("%s: %u seeds and mutations %lu..%lu (seed %llu) ran cleanly\n", a->target,
           seeds->len, a->first, a->first + a->mutations, a->seed);
}

int main(int argc, char **argv)
{
    replay_args a;
    if (!parse_args(argc, argv, &a))
        return usage();
    fuzz_target_fn fn = fuzz_target_by_name(a.target);
    if (!fn)
        return usage();
    GPtrArray *seeds = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    int rc = load_inputs(&a, seeds) ? 0 : 2;
    if (rc == 0 && seeds->len == 0) {
        fprintf(stderr, "fuzz_replay: no seed for %s\n", a.target);
        rc = 2;
    }
    if (rc == 0 && a.write_seeds)
        rc = write_seeds(a.write_seeds, seeds) ? 0 : 2;
    else if (rc == 0 && a.only >= 0)
        rc = run_one(fn, seeds, &a);
    else if (rc == 0)
        run_all(fn, seeds, &a);
    g_ptr_array_free(seeds, TRUE);
    g_free(a.inputs);
    g_free(a.capture_dirs);
    return rc;
}
