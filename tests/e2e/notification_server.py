"""A desktop's notification server (org.freedesktop.Notifications) for the desktop test, on the
test's own session bus: it records each notification the app raises and each one it closes as
a JSON line on stdout, and on a line `invoke ID ACTION` on stdin does what a person's click
does, emitting ActionInvoked(ID, ACTION). The notification is left open, so the test may click
again should the app not have been listening yet. Debian's python3-gi; nothing is shown.
"""

import json
import sys

from gi.repository import Gio, GLib

INTERFACE = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="Notify">
      <arg direction="in" type="s" name="app_name"/>
      <arg direction="in" type="u" name="replaces_id"/>
      <arg direction="in" type="s" name="app_icon"/>
      <arg direction="in" type="s" name="summary"/>
      <arg direction="in" type="s" name="body"/>
      <arg direction="in" type="as" name="actions"/>
      <arg direction="in" type="a{sv}" name="hints"/>
      <arg direction="in" type="i" name="expire_timeout"/>
      <arg direction="out" type="u" name="id"/>
    </method>
    <method name="CloseNotification">
      <arg direction="in" type="u" name="id"/>
    </method>
    <method name="GetCapabilities">
      <arg direction="out" type="as" name="capabilities"/>
    </method>
    <method name="GetServerInformation">
      <arg direction="out" type="s" name="name"/>
      <arg direction="out" type="s" name="vendor"/>
      <arg direction="out" type="s" name="version"/>
      <arg direction="out" type="s" name="spec_version"/>
    </method>
    <signal name="ActionInvoked">
      <arg type="u" name="id"/>
      <arg type="s" name="action_key"/>
    </signal>
    <signal name="NotificationClosed">
      <arg type="u" name="id"/>
      <arg type="u" name="reason"/>
    </signal>
  </interface>
</node>
"""
PATH = "/org/freedesktop/Notifications"
NAME = "org.freedesktop.Notifications"

connection = None
last_id = 0


def say(record):
    print(json.dumps(record, ensure_ascii=False), flush=True)


def signal(name, args):
    connection.emit_signal(None, PATH, NAME, name, args)


def on_call(_conn, sender, _path, _iface, method, params, invocation):
    global last_id
    if method == "Notify":
        app_name, replaces_id, _icon, summary, body, actions, _hints, timeout = params.unpack()
        last_id = replaces_id or last_id + 1
        say({"notify": {"id": last_id, "app_name": app_name, "summary": summary, "body": body,
                        "actions": actions, "expire_timeout": timeout, "sender": sender}})
        invocation.return_value(GLib.Variant("(u)", (last_id,)))
    elif method == "CloseNotification":
        (closed,) = params.unpack()
        say({"closed": closed})
        invocation.return_value(None)
        signal("NotificationClosed", GLib.Variant("(uu)", (closed, 3)))
    elif method == "GetCapabilities":
        invocation.return_value(GLib.Variant("(as)", (["actions", "body"],)))
    elif method == "GetServerInformation":
        invocation.return_value(GLib.Variant("(ssss)", ("paydesk-test", "paydesk", "1", "1.2")))


def on_stdin(source, _condition):
    line = source.readline()
    if not line:
        loop.quit()
        return False
    words = line.split()
    if len(words) == 3 and words[0] == "invoke":
        shown, action = int(words[1]), words[2]
        signal("ActionInvoked", GLib.Variant("(us)", (shown, action)))
        say({"invoked": shown, "action": action})
    return True


def on_bus(conn, _name):
    global connection
    connection = conn
    node = Gio.DBusNodeInfo.new_for_xml(INTERFACE)
    conn.register_object(PATH, node.interfaces[0], on_call, None, None)


loop = GLib.MainLoop()
Gio.bus_own_name(
    Gio.BusType.SESSION,
    NAME,
    Gio.BusNameOwnerFlags.NONE,
    on_bus,
    lambda _conn, _name: say({"ready": True}),
    lambda _conn, _name: (say({"error": "the name is taken or there is no session bus"}), loop.quit()),
)
GLib.io_add_watch(sys.stdin, GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, on_stdin)
loop.run()
