//! `trueconf-console room …`: the Room client for scripts. Text by default, `--json` for
//! machines; a failure prints one line and exits non-zero.

use std::process::ExitCode;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::cli::{ConfType, ConferenceCommand, OnOff, RoomArgs, RoomCommand};
use crate::config::{ApiVersion, Config, DEFAULT_ROOM_HTTP_PORT, Secret};
use crate::link::{Backoff, LinkStatus};
use crate::room::catalog::{
    Accept, Call, CreateConference, GetAbook, GetAppState, GetCallHistory,
    GetConferenceParticipants, GetHardware, HangUp, InviteToConference, Reject, SetMicMute,
    SetSettings, SetVideoMute,
};
use crate::room::link::{self, RoomLinkEvent, RoomLinkOptions, RoomTarget};
use crate::room::protocol::{DeviceState, Fields};
use crate::room::state::{Call as CallState, Login, Server};
use crate::room::{AppState, Reply, RoomError, RoomState};
use crate::sanitize::line;

/// A failure: the one-line reason and the exit code.
pub struct Failure(pub String, pub u8);

impl From<RoomError> for Failure {
    fn from(e: RoomError) -> Failure {
        let code = if matches!(e, RoomError::Params(_)) {
            2
        } else {
            1
        };
        Failure(line(&e.to_string()).into_owned(), code)
    }
}

/// Where to connect: the flags win over the config.
pub fn target(args: &RoomArgs, config: &Config) -> Result<RoomTarget, Failure> {
    let env_pin = config.env.room_pin.clone();
    let api = |v: Option<u8>, default: ApiVersion| match v {
        Some(2) => ApiVersion::V2,
        Some(_) => ApiVersion::V1,
        None => default,
    };
    if let Some(host) = &args.host {
        return Ok(RoomTarget {
            host: host.clone(),
            http_port: args.port.unwrap_or(DEFAULT_ROOM_HTTP_PORT),
            ws_port: args.ws_port,
            instance: args.instance.clone().unwrap_or_else(|| "default".into()),
            api_version: api(args.api_version, ApiVersion::V1),
            pin: args.pin.clone().map(Secret::new).or(env_pin),
        });
    }
    let idx = match &args.room_name {
        Some(n) => config
            .room_index(n)
            .map_err(|e| Failure(e.to_string(), 2))?,
        None if config.rooms.is_empty() => {
            return Err(Failure("no Room to talk to: pass --host HOST (and --port), or add a [[room]] to the config".into(), 2));
        }
        None => 0,
    };
    let r = &config.rooms[idx];
    let mut t = RoomTarget::from_config(
        r,
        args.pin
            .clone()
            .map(Secret::new)
            .or_else(|| config.room_pin(r).cloned()),
    );
    t.http_port = args.port.unwrap_or(t.http_port);
    t.ws_port = args.ws_port.or(t.ws_port);
    t.api_version = api(args.api_version, t.api_version);
    if let Some(i) = &args.instance {
        t.instance = i.clone();
    }
    Ok(t)
}

pub async fn run(args: &RoomArgs, config: &Config) -> ExitCode {
    match execute(args, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg, code)) => {
            if !msg.is_empty() {
                eprintln!("trueconf-console room: {msg}");
            }
            ExitCode::from(code)
        }
    }
}

async fn execute(args: &RoomArgs, config: &Config) -> Result<(), Failure> {
    let script = match &args.command {
        RoomCommand::Run { file } => Some(load_script(file)?),
        _ => None,
    };
    let target = target(args, config)?;
    let timeout = Duration::from_secs(args.timeout.max(1));
    let watching = matches!(args.command, RoomCommand::Watch);
    let opts = RoomLinkOptions {
        backoff: if watching {
            Backoff::default()
        } else {
            Backoff {
                max_retries: Some(0),
                ..Backoff::default()
            }
        },
        request_timeout: timeout,
        connect_timeout: timeout.min(Duration::from_secs(5)),
        frames: watching || matches!(args.command, RoomCommand::Run { .. }),
        ..RoomLinkOptions::default()
    };
    let (h, mut events) = link::spawn(target, opts);
    if !watching {
        match h
            .wait_status(timeout, |s| {
                s.is_up() || matches!(s, LinkStatus::Disconnected { .. })
            })
            .await
        {
            Ok(LinkStatus::Authorized) => {}
            Ok(LinkStatus::Disconnected { reason }) => {
                return Err(Failure(line(&reason).into_owned(), 1));
            }
            Ok(other) | Err(other) => {
                return Err(Failure(
                    format!(
                        "the Room did not answer within {} s ({})",
                        timeout.as_secs(),
                        other.label()
                    ),
                    1,
                ));
            }
        }
    }
    let json = args.json;
    match &args.command {
        RoomCommand::State => {
            // Replies come in order: once this one is in, the link's first queries are too.
            h.send(&GetAppState {}).await?;
            let s = h.state();
            if json {
                print_json(&s.to_json());
            } else {
                print!("{}", describe_state(&s));
            }
        }
        RoomCommand::Call { peer, no_wait } => {
            let before = h.state().last_outcome;
            h.send(&Call {
                peer_id: peer.clone(),
                pin: None,
            })
            .await?;
            if *no_wait {
                return done(
                    json,
                    json!({"calling": peer}),
                    &format!("calling {}", line(peer)),
                );
            }
            // The Room's own ring timeout ends an unanswered call; wait a little longer.
            let s = h
                .wait_state(timeout + Duration::from_secs(60), |s| {
                    s.conference
                        .as_ref()
                        .is_some_and(|c| !c.participants.is_empty())
                        || (s.last_outcome != before && s.app_state != Some(AppState::Wait))
                })
                .await
                .map_err(|_| Failure(format!("no answer from {} in time", line(peer)), 1))?;
            match &s.conference {
                Some(c) => done(
                    json,
                    json!({"conference": c}),
                    &format!("in a call with {}", who(&s, peer)),
                )?,
                None => {
                    return Err(Failure(
                        line(s.last_outcome.as_deref().unwrap_or("the call failed")).into_owned(),
                        1,
                    ));
                }
            }
        }
        RoomCommand::Accept => {
            // Who is calling, as the Room said (a call that rang before we connected is known
            // by its conference once accepted).
            let caller = h.state().invite.map(|i| i.peer);
            h.send(&Accept {}).await?;
            let s = h
                .wait_state(timeout, |s| s.conference.is_some())
                .await
                .map_err(|_| Failure("the call did not start".into(), 1))?;
            // Its participants follow the conference: wait a moment for them to name the caller.
            let s = match caller {
                Some(_) => s,
                None => h
                    .wait_state(timeout.min(Duration::from_secs(3)), |s| {
                        s.conference
                            .as_ref()
                            .is_some_and(|c| !c.participants.is_empty())
                    })
                    .await
                    .unwrap_or_else(|now| now),
            };
            done(
                json,
                json!({"conference": s.conference, "caller": caller}),
                &accepted_text(&s, caller.as_ref()),
            )?;
        }
        RoomCommand::Reject => {
            h.send(&Reject {}).await?;
            done(json, json!({"rejected": true}), "rejected")?;
        }
        RoomCommand::Hangup { for_all } => {
            h.send(&HangUp {
                for_all: Some(*for_all),
            })
            .await?;
            done(
                json,
                json!({"hungUp": true, "forAll": for_all}),
                if *for_all { "ended for all" } else { "hung up" },
            )?;
        }
        RoomCommand::Conference(ConferenceCommand::Create {
            title,
            invite,
            conf_type,
        }) => {
            let t = match conf_type {
                ConfType::Symmetric => "symmetric",
                ConfType::Asymmetric => "asymmetric",
                ConfType::Role => "role",
            };
            h.send(&CreateConference {
                title: title.clone(),
                conf_type: Some(t.into()),
                auto_accept: Some(false),
                invite_list: (!invite.is_empty()).then(|| invite.clone()),
                ..Default::default()
            })
            .await?;
            let s = h
                .wait_state(timeout, |s| s.conference.is_some())
                .await
                .map_err(|_| Failure("the conference did not start".into(), 1))?;
            let Some(c) = s.conference.clone() else {
                return Err(Failure("the conference did not start".into(), 1));
            };
            let text = if invite.is_empty() {
                format!("conference {} started ({})", line(&c.title), line(&c.id))
            } else {
                format!(
                    "conference {} started ({}); invited {}",
                    line(&c.title),
                    line(&c.id),
                    line(&invite.join(", "))
                )
            };
            done(json, json!({"conference": c}), &text)?;
        }
        RoomCommand::Invite { peer } => {
            h.send(&InviteToConference {
                peer_id: peer.clone(),
            })
            .await?;
            done(
                json,
                json!({"invited": peer}),
                &format!("invited {}", line(peer)),
            )?;
        }
        RoomCommand::Participants => {
            let r = h.send(&GetConferenceParticipants {}).await?;
            if json {
                print_json(&Value::Object(r.body));
            } else {
                print!("{}", describe_participants(&r));
            }
        }
        RoomCommand::Mic { state } => {
            h.send(&SetMicMute {
                mute: *state == OnOff::Off,
            })
            .await?;
            done(
                json,
                json!({"mic": *state == OnOff::On}),
                if *state == OnOff::On {
                    "microphone on"
                } else {
                    "microphone muted"
                },
            )?;
        }
        RoomCommand::Camera { state } => {
            h.send(&SetVideoMute {
                mute: *state == OnOff::Off,
            })
            .await?;
            done(
                json,
                json!({"camera": *state == OnOff::On}),
                if *state == OnOff::On {
                    "camera on"
                } else {
                    "camera off"
                },
            )?;
        }
        RoomCommand::Volume { level } => {
            let mut settings = Map::new();
            settings.insert("audioPlayLevel".into(), json!(f64::from(*level) / 100.0));
            h.send(&SetSettings { settings }).await?;
            done(json, json!({"volume": level}), &format!("volume {level} %"))?;
        }
        RoomCommand::Devices => {
            let r = h.send(&GetHardware {}).await?;
            if json {
                print_json(&Value::Object(r.body));
            } else {
                print!("{}", describe_devices(&r));
            }
        }
        RoomCommand::Contacts => {
            let r = h.send(&GetAbook {}).await?;
            if json {
                print_json(&Value::Object(r.body));
            } else {
                for c in r
                    .get("abook")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_object)
                {
                    let status = match c.i64_of("status") {
                        Some(0) => "offline",
                        Some(1) => "available",
                        Some(2) => "busy",
                        Some(5) => "in a conference",
                        _ => "unknown",
                    };
                    outln!(
                        "{:<32} {:<28} {status}",
                        line(&c.str_of("peerId").unwrap_or_default()),
                        line(&c.str_of("peerDn").unwrap_or_default())
                    );
                }
            }
        }
        RoomCommand::History { count } => {
            let r = h
                .send(&GetCallHistory {
                    count: i64::from(*count),
                })
                .await?;
            if json {
                print_json(&Value::Object(r.body));
            } else {
                let calls: Vec<_> = r
                    .get("calls")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_object)
                    .collect();
                if calls.is_empty() {
                    outln!("no calls");
                }
                for c in calls {
                    let kind = match c.i64_of("type") {
                        Some(0) => "incoming",
                        Some(1) => "outgoing",
                        Some(2) => "missed",
                        _ => "call",
                    };
                    outln!(
                        "{kind:<9} {:<32} {}",
                        line(&c.str_of("peerId").unwrap_or_default()),
                        line(&c.str_of("peerDn").unwrap_or_default())
                    );
                }
            }
        }
        RoomCommand::Raw { request: text } => {
            let v: Value =
                serde_json::from_str(text).map_err(|e| Failure(format!("not JSON: {e}"), 2))?;
            let Value::Object(mut o) = v else {
                return Err(Failure("give a JSON object with a \"method\"".into(), 2));
            };
            let Some(Value::String(method)) = o.remove("method") else {
                return Err(Failure(
                    "the JSON object needs a \"method\" string".into(),
                    2,
                ));
            };
            o.remove("requestId");
            let r = match h.request(&method, o).await {
                Ok(r) => r,
                Err(RoomError::Refused { reply, error, .. }) => {
                    print_json(&Value::Object(reply.body));
                    return Err(Failure(
                        format!("the Room refused `{method}`: {}", line(&error)),
                        1,
                    ));
                }
                Err(e) => return Err(e.into()),
            };
            print_json(&Value::Object(r.body));
        }
        RoomCommand::Run { file } => {
            let mut b = crate::script::RoomBackend { h, events };
            let steps = script.unwrap_or_default();
            return match crate::script::run_steps(&mut b, file, &steps, json).await {
                0 => Ok(()),
                // The script said what went wrong; the exit code says how.
                code => Err(Failure(String::new(), code)),
            };
        }
        RoomCommand::Watch => loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => break,
                ev = events.recv() => match ev {
                    None => break,
                    Some(RoomLinkEvent::Status(s)) => {
                        if json {
                            print_json(&json!({"link": s.label()}));
                        } else {
                            outln!("-- link: {}", s.label());
                        }
                    }
                    Some(RoomLinkEvent::Frame { outgoing: false, text, .. }) => {
                        let Ok(Value::Object(o)) = serde_json::from_str::<Value>(&text) else { continue };
                        let Some(name) = o.str_of("event") else { continue };
                        if json {
                            outln!("{}", line(&text));
                        } else {
                            let mut fields = o.clone();
                            fields.remove("event");
                            fields.remove("method");
                            outln!("{} {}", line(&name), line(&Value::Object(fields).to_string()));
                        }
                    }
                    Some(_) => {}
                },
            }
        },
    }
    drop(h);
    Ok(())
}

/// What `room accept` says: who called (the invitation's caller, else the other participant of
/// the call), and the conference's title when it has one.
fn accepted_text(s: &RoomState, caller: Option<&crate::room::state::Peer>) -> String {
    let me = s.login.peer().map(|p| p.id.clone());
    let other = s.conference.as_ref().and_then(|c| {
        c.participants.iter().map(|p| &p.peer).find(|p| {
            me.as_deref()
                .is_none_or(|m| !crate::room::state::same_user(&p.id, m))
        })
    });
    let peer = caller.or(other);
    let who = peer.map(|p| {
        let id = line(crate::room::state::call_id(&p.id)).into_owned();
        if p.name.trim().is_empty() || p.name == p.id {
            id
        } else {
            format!("{} ({id})", line(&p.name))
        }
    });
    // A call's conference is titled after the caller: the title says something only when it
    // is a conference's own.
    let title = s
        .conference
        .as_ref()
        .map(|c| c.title.trim())
        .filter(|t| !t.is_empty() && peer.is_none_or(|p| *t != p.name && *t != p.id));
    match (who, title) {
        (Some(w), Some(t)) => format!("accepted the call from {w}: “{}”", line(t)),
        (Some(w), None) => format!("accepted the call from {w}"),
        (None, Some(t)) => format!("accepted: “{}”", line(t)),
        (None, None) => "accepted the call".into(),
    }
}

fn who(s: &RoomState, peer: &str) -> String {
    s.conference
        .as_ref()
        .and_then(|c| {
            c.participants
                .iter()
                .find(|p| crate::room::state::same_user(&p.peer.id, peer))
        })
        .map(|p| {
            format!(
                "{} ({})",
                line(&p.peer.name),
                line(crate::room::state::call_id(&p.peer.id))
            )
        })
        .unwrap_or_else(|| line(peer).into_owned())
}

fn print_json(v: &Value) {
    outln!("{}", crate::sanitize::json_for_terminal(v.to_string()));
}

fn done(json_out: bool, v: Value, text: &str) -> Result<(), Failure> {
    if json_out {
        print_json(&v);
    } else {
        outln!("{text}");
    }
    Ok(())
}

fn device(d: DeviceState) -> &'static str {
    match d {
        DeviceState::Unknown => "?",
        DeviceState::Absent => "none",
        DeviceState::Muted => "muted",
        DeviceState::On => "on",
    }
}

/// The state as text, every server string made inert.
pub fn describe_state(s: &RoomState) -> String {
    let mut out = String::new();
    let mut row = |k: &str, v: String| out.push_str(&format!("{k:<12} {v}\n"));
    row(
        "Room:",
        s.app_state
            .map(|a| format!("{} ({})", a.describe(), a.code()))
            .unwrap_or_else(|| "unknown".into()),
    );
    row(
        "Server:",
        match &s.server {
            Server::Unknown => "unknown".into(),
            Server::None => "none".into(),
            Server::Connected(None) => "connected (details unknown)".into(),
            Server::Connected(Some(x)) => format!(
                "{}{}",
                line(&x.server),
                x.port.map(|p| format!(":{p}")).unwrap_or_default()
            ),
        },
    );
    row(
        "Account:",
        match &s.login {
            Login::Unknown => "unknown".into(),
            Login::LoggedOut => "not logged in".into(),
            Login::LoggedIn(None) => "logged in (account unknown)".into(),
            Login::LoggedIn(Some(p)) => format!("{} ({})", line(&p.name), line(&p.id)),
        },
    );
    let call = match s.call() {
        CallState::Incoming(i) => {
            let what = if i.is_call() {
                "incoming call".to_string()
            } else {
                format!(
                    "invitation to {}",
                    line(i.conf_title.as_deref().unwrap_or("a conference"))
                )
            };
            format!(
                "ringing: {what} from {} ({})",
                line(&i.peer.name),
                line(&i.peer.id)
            )
        }
        CallState::Calling(c) => format!("calling {}", line(c)),
        CallState::InConference(c) => format!(
            "{} — {} participant(s)",
            line(if c.title.is_empty() { &c.id } else { &c.title }),
            c.participants.len()
        ),
        CallState::InConferenceUnknown => "in a conference (details unknown)".into(),
        CallState::Ringing => "ringing (details unknown)".into(),
        CallState::Ending => "ending".into(),
        CallState::None => "none".into(),
        CallState::Unknown => "unknown".into(),
    };
    row("Call:", call);
    if let Some(c) = &s.conference {
        for p in &c.participants {
            row(
                "",
                format!(
                    "{} ({}) mic {}, camera {}",
                    line(&p.peer.name),
                    line(crate::room::state::call_id(&p.peer.id)),
                    device(p.mic),
                    device(p.video)
                ),
            );
        }
    }
    let onoff = |muted: Option<bool>, off: &'static str| match muted {
        Some(true) => off,
        Some(false) => "on",
        None => "unknown",
    };
    row(
        "Audio:",
        format!(
            "microphone {}, camera {}, speaker {}, volume {}",
            onoff(s.mic_muted, "muted"),
            onoff(s.camera_muted, "off"),
            onoff(s.speaker_muted, "muted"),
            s.volume
                .map(|v| format!("{:.0} %", v * 100.0))
                .unwrap_or_else(|| "unknown".into())
        ),
    );
    let cur = |d: &Option<String>| {
        d.as_deref()
            .map(|x| line(x).into_owned())
            .unwrap_or_else(|| "none".into())
    };
    row(
        "Devices:",
        format!(
            "mic {}; speaker {}; camera {}",
            cur(&s.devices.microphone),
            cur(&s.devices.speaker),
            cur(&s.devices.camera)
        ),
    );
    if let Some(o) = &s.last_outcome {
        row("Last:", line(o).into_owned());
    }
    out
}

fn describe_participants(r: &Reply) -> String {
    let list: Vec<_> = r
        .get("participants")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect();
    if list.is_empty() {
        return "no conference\n".into();
    }
    let mut out = String::new();
    for p in list {
        let role = match p.i64_of("role") {
            Some(2) => " (owner)",
            _ => "",
        };
        out.push_str(&format!(
            "{:<28} {:<44} mic {:<5} camera {}{role}\n",
            line(&p.str_of("peerDn").unwrap_or_default()),
            line(&p.str_of("peerId").unwrap_or_default()),
            device(DeviceState::read(p, "mic")),
            device(DeviceState::read(p, "video")),
        ));
    }
    out
}

fn describe_devices(r: &Reply) -> String {
    let mut out = String::new();
    for (title, list, current) in [
        ("Microphones", "audioCapturers", "currentAudioCapturerName"),
        ("Speakers", "audioRenderers", "currentAudioRendererName"),
        ("Cameras", "videoCapturers", "currentVideoCapturerName"),
    ] {
        out.push_str(&format!("{title}:\n"));
        let cur = r.body.str_of(current).unwrap_or_default();
        for d in r
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
        {
            let name = d.str_of("name").unwrap_or_default();
            out.push_str(&format!(
                "  {} {}\n",
                if name == cur { "*" } else { " " },
                line(&name)
            ));
        }
    }
    out
}

/// Reads a script and checks, before anything connects, that every environment variable it
/// reads (`${TRUECONF_…}`) is set; their values are kept out of the log.
fn load_script(file: &std::path::Path) -> Result<Vec<crate::script::Step>, Failure> {
    let steps = crate::script::load(file).map_err(|e| Failure(e.to_string(), 2))?;
    let secrets = crate::script::check_env(&steps, |k| std::env::var(k).ok())
        .map_err(|e| Failure(format!("{}, {e}", file.display()), 2))?;
    for s in &secrets {
        crate::logging::register_secret(s);
    }
    Ok(steps)
}
