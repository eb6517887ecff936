#!/usr/bin/env python3
"""Generates src/room/catalog.rs from the Room API reference (room-api.md, §4, §5, appendices).

The generated file is the one definition of every Room method (a typed request struct and its
spec: group, parameters with types, admin-only, summary, response keys) and every event name
with its fields. Run it again when the reference changes:

    python3 scripts/gen_room_catalog.py ../shared/reference/room-api.md > src/room/catalog.rs
"""
import re
import sys

src = open(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/room-api.md").read()

TYPES = {
    "string": ("Str", "String"),
    "integer": ("Int", "i64"),
    "int": ("Int", "i64"),
    "boolean": ("Bool", "bool"),
    "bool": ("Bool", "bool"),
    "string[]": ("StrList", "Vec<String>"),
    "object": ("Object", "serde_json::Map<String, serde_json::Value>"),
    "array": ("Array", "Vec<serde_json::Value>"),
}

# Parameters the docs add beyond py-lib's builders (room-api.md "Notes on individual methods").
EXTRA_PARAMS = {
    "call": [("pin", "string", False, "conference password (docs)")],
    "createConference": [
        ("useWaitingRoom", "boolean", False, "docs"),
        ("muteCamOnJoin", "boolean", False, "docs"),
        ("muteMicOnJoin", "boolean", False, "docs"),
        ("castersCount", "integer", False, "podium seats, role conferences (docs)"),
        ("smartMeeting", "boolean", False, "docs"),
    ],
    "setPanPos": [("pos", "integer", False, "C++ wrapper form; py-lib sends none")],
    "connectToService": [("domain", "string", False, "C++ wrapper")],
    "rejectRequestCameraControl": [("callId", "string", False, "C++ wrapper")],
}
# Parameters py-lib always sends but the docs call optional.
OPTIONAL = {("connectToServer", "port"), ("hangUp", "forAll"), ("login", "encryptPassword"),
            ("shutdownSystem", "forAll"), ("shutdown", "forAll"), ("setBroadcastSelfie", "fps"),
            ("setAuthParams", "password"), ("setAuthParams", "newPin"), ("createConference", "inviteList"),
            ("createConference", "autoAccept"), ("createConference", "confType")}


def camel_to_snake(s):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = s.lower()
    return {"type": "r#type", "mod": "r#mod", "move": "r#move", "ref": "r#ref"}.get(s, s)


def pascal(s):
    return s[0].upper() + s[1:]


def rs_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def clean(s):
    s = re.sub(r"\[(docs|py-lib|code|seed|inferred)[^\]]*\]", "", s)
    s = s.replace("`", "").replace("**", "").strip()
    return re.sub(r"\s+", " ", s)


methods = {}  # name -> dict
order = []


def add_method(name, group, params, admin, summary, response, follow, open_params=False):
    if name in methods:
        return
    methods[name] = dict(group=group, params=params, admin=admin, summary=summary,
                         response=response, follow=follow, open=open_params)
    order.append(name)


sec4 = src[src.index("## 4. Method catalog"):src.index("#### Notes on individual methods")]
group = None
for line in sec4.splitlines():
    g = re.match(r"#### M\d+\. (.+)", line)
    if g:
        group = g.group(1).strip()
        continue
    m = re.match(r"\|\s*`(\w+)`(\s*\(py helper[^)]*\))?\s*\|", line)
    if not m or m.group(2):
        continue
    cols = [c.strip() for c in line.strip().strip("|").split("|")]
    name = m.group(1)
    params = []
    for p in cols[1].split(";"):
        pm = re.match(r"\s*`(\w+)`:\s*([\w\[\]]+)(.*)", p)
        if not pm:
            continue
        key, ty, rest = pm.groups()
        required = "sent only in some variants" not in rest and (name, key) not in OPTIONAL
        note = clean(rest.strip(" ()")) if rest.strip() else ""
        params.append((key, ty, required, note))
    for extra in EXTRA_PARAMS.get(name, []):
        if extra[0] not in [p[0] for p in params]:
            params.append(extra)
    admin = cols[2].strip() == "yes"
    resp = [] if "only `result`" in cols[4] or "no schema" in cols[4] else re.findall(r"`(\w+)`", cols[4].split("⚠")[0])
    add_method(name, group, params, admin, clean(cols[3]), resp, clean(cols[5]))

# Names only in consts.py: parameters as far as known.
CONSTS_ONLY = "Other names (consts.py only)"
add_method("auth", "Session, API version & access control",
           [("type", "string", False, "secured or unsecured"), ("credentials", "string", False, "PIN, password or token"),
            ("role", "string", False, "admin or user")], False,
           "Authenticate this connection (PIN, password or token; or unsecured).",
           ["previleges", "token", "tokenForHttpServer"], "", False)
for n in ["changeVideoMatrix", "cancelUpdate", "startUpdate", "getUpdateInfo", "checkFileTransferPIN",
          "getFileTransferPIN", "resetFileTransferPIN", "getShowFileTransferTools", "setShowFileTransferTools"]:
    add_method(n, CONSTS_ONLY, [], False, "Named in py-lib consts.py; parameters unknown.", [], "", True)
add_method("searchContact", CONSTS_ONLY,
           [("searchingString", "string", True, ""), ("searchingTimeoutMsec", "integer", False, ""),
            ("searchingMask", "integer", False, "")], False,
           "Search contacts (version 4.2).", ["searchingResult", "foundContacts"], "", False)

# Appendix A: newer builds (C++ wrapper).
NEWER = "Newer Room builds (C++ wrapper)"
appa = src[src.index("## Appendix A"):src.index("## Appendix B")]
for line in appa.splitlines():
    if not line.startswith("| `"):
        continue
    cols = [c.strip() for c in line.strip().strip("|").split("|")]
    names = re.findall(r"`(\w+)`", cols[0])
    key_groups = [k.strip() for k in cols[1].split(" / ")] if " / " in cols[1] else [cols[1]] * len(names)
    if len(key_groups) != len(names):
        key_groups = [key_groups[0]] * len(names) if len(key_groups) == 1 else key_groups + [key_groups[-1]] * (len(names) - len(key_groups))
    for n, keys in zip(names, key_groups):
        params = [(k, t, True, "") for k, t in re.findall(r"`(\w+)`\s*\((\w+)[^)]*\)", keys)]
        complex_ = "{" in keys
        if complex_:
            params = []
        add_method(n, NEWER, params, False, "Seen only in the newer C++ wrapper (zoboff/videosdk).", [], "", complex_)

# Events.
events = {}
event_order = []
sec5 = src[src.index("## 5. Event catalog"):src.index("## 6. The core")]
group = None
for line in sec5.splitlines():
    g = re.match(r"#### E\d+\. (.+)", line)
    if g:
        group = g.group(1).strip()
        continue
    m = re.match(r"\|\s*`(\w+)`\s*\|", line)
    if not m or m.group(1) == "event":
        continue
    cols = [c.strip() for c in line.strip().strip("|").split("|")]
    fields = [f.rstrip(":") for f in re.findall(r"`([\w:]+)`", cols[1])]
    if m.group(1) not in events:
        events[m.group(1)] = dict(group=group, fields=fields, summary=clean(cols[2]))
        event_order.append(m.group(1))
appb = src[src.index("## Appendix B"):]
appb = appb[:appb.index("31 names")]
for n in re.findall(r"`(\w+)`", appb):
    if n not in events:
        events[n] = dict(group="Newer Room builds (C++ wrapper)", fields=[], summary="Seen only in the newer C++ wrapper; fields unknown.")
        event_order.append(n)

out = []
w = out.append
w("// @generated by scripts/gen_room_catalog.py from room-api.md — do not edit by hand.")
w("//! Every TrueConf Room API method and event, defined once: a typed request per method")
w("//! ([`RoomMethod`]), and the specs ([`METHODS`], [`EVENTS`]) that the link, the simulator and")
w("//! the API explorer read.")
w("#![allow(clippy::all)]")
w("")
w("use serde::{Deserialize, Serialize};")
w("")
w("use super::spec::{EventSpec, MethodSpec, ParamSpec, ParamType, RoomMethod};")
w("")
for name in order:
    m = methods[name]
    sname = pascal(name)
    w(f"/// `{name}`: {m['summary']}")
    w("#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]")
    w("pub struct " + sname + " {")
    for key, ty, req, note in m["params"]:
        rty = TYPES[ty][1]
        if note:
            w(f"    /// {note}")
        if req:
            w(f"    #[serde(rename = {rs_str(key)})]")
            w(f"    pub {camel_to_snake(key)}: {rty},")
        else:
            w(f"    #[serde(rename = {rs_str(key)}, default, skip_serializing_if = \"Option::is_none\")]")
            w(f"    pub {camel_to_snake(key)}: Option<{rty}>,")
    w("}")
    w("")
    w(f"impl RoomMethod for {sname} {{")
    w(f"    const NAME: &'static str = {rs_str(name)};")
    w("}")
    w("")

w("/// Every method, in the reference's order and groups.")
w("pub static METHODS: &[MethodSpec] = &[")
for name in order:
    m = methods[name]
    w("    MethodSpec {")
    w(f"        name: {rs_str(name)},")
    w(f"        group: {rs_str(m['group'])},")
    w(f"        admin_only: {'true' if m['admin'] else 'false'},")
    w(f"        summary: {rs_str(m['summary'])},")
    w("        params: &[")
    for key, ty, req, note in m["params"]:
        w(f"            ParamSpec {{ key: {rs_str(key)}, ty: ParamType::{TYPES[ty][0]}, required: {'true' if req else 'false'}, note: {rs_str(note)} }},")
    w("        ],")
    w(f"        open_params: {'true' if m['open'] else 'false'},")
    w("        response: &[" + ", ".join(rs_str(r) for r in m["response"]) + "],")
    w(f"        follow_up: {rs_str(m['follow'] if m['follow'] not in ('—', '') else '')},")
    w("    },")
w("];")
w("")
w("/// Every event, in the reference's order and groups.")
w("pub static EVENTS: &[EventSpec] = &[")
for name in event_order:
    e = events[name]
    w(f"    EventSpec {{ name: {rs_str(name)}, group: {rs_str(e['group'])}, fields: &[" + ", ".join(rs_str(f) for f in e["fields"]) + f"], summary: {rs_str(e['summary'])} }},")
w("];")
print("\n".join(out))
print(f"// {len(order)} methods, {len(event_order)} events", file=sys.stderr)
