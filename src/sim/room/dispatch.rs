//! One command of an authorised session: checked against the catalog (src/room/catalog.rs) and
//! the session's rights, then handed to its handler, looked up by name; a method without a
//! handler of its own gets the generic answer.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::generic::generic;
use super::rights::{Role, may_call};
use super::state::{Inner, Outcome, SimState};
use crate::room::catalog;
use crate::room::spec::RoomMethod;

/// Events a command causes, announced after its reply.
pub(super) type Events = Vec<Map<String, Value>>;

type Handler = fn(&Arc<Inner>, &mut SimState, &Map<String, Value>, &mut Events) -> Outcome;

/// Every method the simulator models, by name.
#[rustfmt::skip]
static HANDLERS: &[(&str, Handler)] = &[
    // session.rs
    (catalog::SetUsedApiVersion::NAME, Inner::set_used_api_version),
    (catalog::GetAppState::NAME, Inner::get_app_state),
    (catalog::GetAuthInfo::NAME, Inner::get_auth_info),
    (catalog::GetTokenForHttpServer::NAME, Inner::get_token_for_http_server),
    (catalog::GetLogin::NAME, Inner::get_login),
    (catalog::GetConnected::NAME, Inner::get_connected),
    (catalog::GetServerDomain::NAME, Inner::get_server_domain),
    (catalog::ConnectToServer::NAME, Inner::connect_to_server),
    (catalog::Login::NAME, Inner::login),
    (catalog::Logout::NAME, Inner::logout),
    (catalog::FireMyEvent::NAME, Inner::fire_my_event),
    // settings.rs
    (catalog::GetSettings::NAME, Inner::get_settings),
    (catalog::SetSettings::NAME, Inner::set_settings),
    (catalog::GetSystemInfo::NAME, Inner::get_system_info),
    (catalog::GetMonitorsInfo::NAME, Inner::get_monitors_info),
    // calls.rs
    (catalog::Call::NAME, Inner::call),
    (catalog::Accept::NAME, Inner::accept),
    (catalog::Reject::NAME, Inner::reject),
    (catalog::HangUp::NAME, Inner::hang_up),
    (catalog::GetCallHistory::NAME, Inner::get_call_history),
    (catalog::ClearCallHistory::NAME, Inner::clear_call_history),
    (catalog::GetLastCallsViewTime::NAME, Inner::get_last_calls_view_time),
    (catalog::SetLastCallsViewed::NAME, Inner::set_last_calls_viewed),
    // conference.rs
    (catalog::CreateConference::NAME, Inner::create_conference),
    (catalog::InviteToConference::NAME, Inner::invite_to_conference),
    (catalog::KickPeer::NAME, Inner::kick_peer),
    (catalog::TurnRemoteMic::NAME, Inner::turn_remote_mic),
    (catalog::TurnRemoteCamera::NAME, Inner::turn_remote_camera),
    (catalog::GetConferences::NAME, Inner::get_conferences),
    (catalog::GetConferenceParticipants::NAME, Inner::get_conference_participants),
    // podium.rs
    (catalog::InviteToPodium::NAME, Inner::invite_to_podium),
    (catalog::KickFromPodium::NAME, Inner::kick_from_podium),
    (catalog::AcceptRequestToPodium::NAME, Inner::accept_request_to_podium),
    (catalog::RejectRequestToPodium::NAME, Inner::reject_request_to_podium),
    (catalog::SetModeratorRole::NAME, Inner::set_moderator_role),
    (catalog::GotoPodium::NAME, Inner::goto_podium),
    (catalog::LeavePodium::NAME, Inner::leave_podium),
    // devices.rs
    (catalog::GetMicMute::NAME, Inner::get_mic_mute),
    (catalog::GetVideoMute::NAME, Inner::get_video_mute),
    (catalog::GetAudioMute::NAME, Inner::get_audio_mute),
    (catalog::SetMicMute::NAME, Inner::set_mic_mute),
    (catalog::SetVideoMute::NAME, Inner::set_video_mute),
    (catalog::SetAudioMute::NAME, Inner::set_audio_mute),
    (catalog::GetAudioReceivingLevel::NAME, Inner::get_audio_receiving_level),
    (catalog::SetAudioReceivingLevel::NAME, Inner::set_audio_receiving_level),
    (catalog::GetHardware::NAME, Inner::get_hardware),
    (catalog::SetAudioCapturer::NAME, Inner::set_audio_capturer),
    (catalog::SetAudioRenderer::NAME, Inner::set_audio_renderer),
    (catalog::SetVideoCapturer::NAME, Inner::set_video_capturer),
    // ptz.rs
    (catalog::PtzUp::NAME, Inner::ptz_up),
    (catalog::PtzDown::NAME, Inner::ptz_down),
    (catalog::PtzLeft::NAME, Inner::ptz_left),
    (catalog::PtzRight::NAME, Inner::ptz_right),
    (catalog::PtzZoomInc::NAME, Inner::ptz_zoom_inc),
    (catalog::PtzZoomDec::NAME, Inner::ptz_zoom_dec),
    (catalog::PtzStop::NAME, Inner::ptz_stop),
    (catalog::SetPtzDefaults::NAME, Inner::set_ptz_defaults),
    (catalog::GetPtzControls::NAME, Inner::get_ptz_controls),
    // contacts.rs
    (catalog::GetAbook::NAME, Inner::get_abook),
    (catalog::AddToAbook::NAME, Inner::add_to_abook),
    (catalog::RemoveFromAbook::NAME, Inner::remove_from_abook),
    (catalog::SendMessage::NAME, Inner::send_message),
];

impl Inner {
    /// Handles one command from an authorised connection.
    pub(super) fn command(
        self: &Arc<Self>,
        role: Role,
        method: &str,
        p: &Map<String, Value>,
    ) -> Outcome {
        if self
            .cfg
            .refuse
            .iter()
            .any(|r| r.eq_ignore_ascii_case(method))
        {
            return Outcome::err(format!("`{method}` is refused here (--room-refuse)"));
        }
        let Some(spec) = crate::room::spec::method(method) else {
            return Outcome::err(format!("unknown method `{method}`"));
        };
        if let Err(e) = may_call(role, spec, method) {
            return Outcome::err(e.to_string());
        }
        let problems = spec.validate(p);
        if let Some(first) = problems.first() {
            return Outcome::err(format!("bad parameters: {first}"));
        }
        let mut s = self.lock();
        let mut o = self.dispatch(&mut s, method, p);
        let events = std::mem::take(&mut o.events);
        // Events are announced after the reply (the connection sends the reply first).
        self.publish(&s, events);
        o
    }

    fn dispatch(
        self: &Arc<Self>,
        s: &mut SimState,
        method: &str,
        p: &Map<String, Value>,
    ) -> Outcome {
        let mut ev = Vec::new();
        let mut o = match HANDLERS.iter().find(|(name, _)| *name == method) {
            Some((_, handler)) => handler(self, s, p, &mut ev),
            None => generic(s, method, p),
        };
        o.events.extend(ev);
        let timers = std::mem::take(&mut o.timers);
        if !timers.is_empty() {
            let me = self.clone();
            // Scheduled after the reply and the events of this command are out.
            tokio::spawn(async move { me.schedule(timers) });
        }
        o
    }
}
