/* A small JSON serialiser over json-glib nodes. */
#include "report/json_write.h"

#include <math.h>
#include <string.h>

static void indent(FILE *out, bool pretty, int depth)
{
    if (!pretty) {
        return;
    }
    fputc('\n', out);
    for (int i = 0; i < depth; i++) {
        fputs("  ", out);
    }
}

static void write_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p != '\0'; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        default:
            if (*p < 0x20) {
                fprintf(out, "\\u%04x", *p);
            } else {
                fputc(*p, out);
            }
        }
    }
    fputc('"', out);
}

static void write_double(FILE *out, double v)
{
    if (!isfinite(v)) {
        fputs("null", out);
        return;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.6f", v);
    char *dot = strchr(buf, '.');
    if (dot != NULL) {
        char *end = buf + strlen(buf) - 1;
        while (end > dot && *end == '0') {
            *end-- = '\0';
        }
        if (end == dot) {
            *end = '\0';
        }
    }
    if (strcmp(buf, "-0") == 0) {
        strcpy(buf, "0");
    }
    fputs(buf, out);
}

static void write_value(FILE *out, JsonNode *node)
{
    switch (json_node_get_value_type(node)) {
    case G_TYPE_INT64:
        fprintf(out, "%lld", (long long)json_node_get_int(node));
        break;
    case G_TYPE_DOUBLE:
        write_double(out, json_node_get_double(node));
        break;
    case G_TYPE_BOOLEAN:
        fputs(json_node_get_boolean(node) ? "true" : "false", out);
        break;
    case G_TYPE_STRING:
        write_string(out, json_node_get_string(node));
        break;
    default:
        fputs("null", out);
        break;
    }
}

static void write_node(FILE *out, JsonNode *node, bool pretty, int depth);

static void write_object(FILE *out, JsonObject *obj, bool pretty, int depth)
{
    GList *members = json_object_get_members(obj);
    fputc('{', out);
    for (GList *m = members; m != NULL; m = m->next) {
        indent(out, pretty, depth + 1);
        write_string(out, m->data);
        fputs(pretty ? ": " : ":", out);
        write_node(out, json_object_get_member(obj, m->data), pretty, depth + 1);
        if (m->next != NULL) {
            fputc(',', out);
        }
    }
    if (members != NULL) {
        indent(out, pretty, depth);
    }
    fputc('}', out);
    g_list_free(members);
}

static void write_array(FILE *out, JsonArray *arr, bool pretty, int depth)
{
    guint n = json_array_get_length(arr);
    fputc('[', out);
    for (guint i = 0; i < n; i++) {
        indent(out, pretty, depth + 1);
        write_node(out, json_array_get_element(arr, i), pretty, depth + 1);
        if (i + 1 < n) {
            fputc(',', out);
        }
    }
    if (n > 0) {
        indent(out, pretty, depth);
    }
    fputc(']', out);
}

static void write_node(FILE *out, JsonNode *node, bool pretty, int depth)
{
    switch (JSON_NODE_TYPE(node)) {
    case JSON_NODE_OBJECT:
        write_object(out, json_node_get_object(node), pretty, depth);
        break;
    case JSON_NODE_ARRAY:
        write_array(out, json_node_get_array(node), pretty, depth);
        break;
    case JSON_NODE_VALUE:
        write_value(out, node);
        break;
    case JSON_NODE_NULL:
        fputs("null", out);
        break;
    }
}

int lf_json_write(FILE *out, JsonNode *node, bool pretty, int depth)
{
    write_node(out, node, pretty, depth);
    return ferror(out) ? -1 : 0;
}
