/* Entry points Wireshark 4.0's plugin loader looks up in signalr.so: plugin_version,
 * plugin_want_major, plugin_want_minor and plugin_register (nothing else is looked up). */
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/tap.h>

#include "signalr_fields.h"
#include "signalr_http.h"
#include "signalr_message.h"
#include "signalr_state.h"
#include "signalr_stats.h"
#include "signalr_stream.h"
#include "signalr_ws.h"

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = SIGNALR_PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

static void proto_register_signalr(void)
{
    signalr_fields_register();
    signalr_state_register();
    signalr_message_register_tap();
    signalr_http_register();
    signalr_stream_register();
}

/* Runs after every built-in handoff, so the media_type handlers we replace already exist. */
static void proto_reg_handoff_signalr(void)
{
    signalr_http_handoff();
    signalr_ws_handoff();
}

void plugin_register(void)
{
    static proto_plugin plugin = {proto_register_signalr, proto_reg_handoff_signalr};
    static tap_plugin stats = {signalr_stats_register};
    proto_register_plugin(&plugin);
    tap_register_plugin(&stats);
}
