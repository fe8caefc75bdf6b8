//! Login failures as the login window shows them (A1).

use porpoise_protocol::wire::RefusedReason;
use porpoise_quic::client::ConnectError;

use crate::i18n::Msg;

/// Kind of a login failure, to pick the translated message (A1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFailureKind {
    /// Wrong username or password.
    WrongPassword,
    /// No such center.
    UnknownCenter,
    /// The relay did not answer or the address is invalid.
    Unreachable,
    /// The relay's certificate is not the pinned one.
    FingerprintMismatch,
    /// The account is logged in elsewhere (R3).
    AlreadyLoggedIn,
    /// Too many failed attempts; the relay accepts another after `retry_after_s` seconds.
    Throttled {
        /// Seconds to wait, as the relay said.
        retry_after_s: u32,
    },
    /// Anything else.
    Other,
}

/// A login (or username lookup) failure: its kind, the relay's refusal code if it refused, and
/// `ConnectError`'s message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginFailure {
    /// Kind.
    pub kind: LoginFailureKind,
    /// The relay's refusal, rendered in the UI's language (None: no refusal, e.g. unreachable).
    pub refusal: Option<RefusedReason>,
    /// `ConnectError`'s technical message (English), shown after a translated prefix when there
    /// is no refusal code.
    pub detail: String,
}

impl From<&ConnectError> for LoginFailure {
    fn from(e: &ConnectError) -> Self {
        let kind = match e {
            ConnectError::Refused(RefusedReason::WrongPassword) => LoginFailureKind::WrongPassword,
            ConnectError::Refused(RefusedReason::UnknownCenter(_)) => {
                LoginFailureKind::UnknownCenter
            }
            ConnectError::Refused(RefusedReason::AlreadyLoggedIn { .. }) => {
                LoginFailureKind::AlreadyLoggedIn
            }
            ConnectError::Refused(RefusedReason::Throttled { retry_after_s }) => {
                LoginFailureKind::Throttled {
                    retry_after_s: *retry_after_s,
                }
            }
            ConnectError::Unreachable { .. } | ConnectError::BadAddress(_) => {
                LoginFailureKind::Unreachable
            }
            ConnectError::FingerprintMismatch(_) => LoginFailureKind::FingerprintMismatch,
            _ => LoginFailureKind::Other,
        };
        LoginFailure {
            kind,
            refusal: match e {
                ConnectError::Refused(r) => Some(r.clone()),
                _ => None,
            },
            detail: e.to_string(),
        }
    }
}

impl LoginFailure {
    /// The message to show: a translated prefix and the detail (the detail alone in English
    /// when it already says what the prefix would; the prefix alone for a wrong password; a
    /// translated sentence with the wait when throttled).
    pub fn message(&self, lang: porpoise_ui::Language) -> String {
        if let LoginFailureKind::Throttled { retry_after_s } = self.kind {
            return crate::i18n::throttled(lang, retry_after_s);
        }
        if let Some(refusal) = &self.refusal {
            return porpoise_protocol::lang::errors::refused_text(lang, refusal);
        }
        let prefix = match self.kind {
            LoginFailureKind::WrongPassword => Msg::ErrWrongPassword,
            LoginFailureKind::UnknownCenter => Msg::ErrUnknownCenter,
            LoginFailureKind::Unreachable => Msg::ErrUnreachable,
            LoginFailureKind::FingerprintMismatch => Msg::ErrFingerprint,
            LoginFailureKind::AlreadyLoggedIn => Msg::ErrAlreadyLoggedIn,
            LoginFailureKind::Throttled { .. } | LoginFailureKind::Other => Msg::ErrLogin,
        };
        if self.kind == LoginFailureKind::WrongPassword {
            return prefix.text(lang).to_owned();
        }
        let english_prefix = prefix.text(porpoise_ui::Language::En).to_lowercase();
        if lang == porpoise_ui::Language::En
            && self.detail.to_lowercase().starts_with(&english_prefix)
        {
            let mut chars = self.detail.chars();
            return chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
        }
        crate::i18n::with_detail(lang, prefix, &self.detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use porpoise_protocol::wire::CenterId;
    use porpoise_quic::tls::Fingerprint;
    use porpoise_ui::Language;

    #[test]
    fn login_failures_read_well_in_both_languages() {
        let wrong = LoginFailure::from(&ConnectError::Refused(RefusedReason::WrongPassword));
        assert_eq!(wrong.kind, LoginFailureKind::WrongPassword);
        assert_eq!(wrong.message(Language::En), "Wrong username or password");
        assert_eq!(wrong.message(Language::ZhCn), "用户名或密码错误");
        let mismatch = porpoise_quic::tls::FingerprintMismatch {
            expected: Fingerprint([0xab; 32]),
            presented: Fingerprint([0x01; 32]),
        };
        let fp = LoginFailure::from(&ConnectError::FingerprintMismatch(mismatch));
        assert_eq!(fp.kind, LoginFailureKind::FingerprintMismatch);
        assert!(fp
            .message(Language::En)
            .starts_with("Certificate fingerprint mismatch: expected AB:AB"));
        assert!(fp
            .message(Language::ZhCn)
            .starts_with("证书指纹不匹配：certificate"));
        let unknown = LoginFailure::from(&ConnectError::Refused(RefusedReason::UnknownCenter(
            CenterId(8_000_009),
        )));
        assert_eq!(unknown.message(Language::En), "Unknown center ID 8000009");
        assert_eq!(unknown.message(Language::ZhCn), "支持中心 8000009 不存在");
        let old = LoginFailure::from(&ConnectError::Refused(RefusedReason::VersionMismatch {
            relay: 8,
            client: 7,
        }));
        assert_eq!(old.kind, LoginFailureKind::Other);
        assert_eq!(
            old.message(Language::ZhCn),
            "版本不兼容：服务器的协议版本为 8，本程序为 7，请更新程序"
        );
        let down = ConnectError::Unreachable {
            addr: "127.0.0.1:1".into(),
            reason: "timeout".into(),
        };
        assert_eq!(
            LoginFailure::from(&down).kind,
            LoginFailureKind::Unreachable
        );
        let throttled = LoginFailure::from(&ConnectError::Refused(RefusedReason::Throttled {
            retry_after_s: 30,
        }));
        assert_eq!(
            throttled.kind,
            LoginFailureKind::Throttled { retry_after_s: 30 }
        );
        assert_eq!(
            throttled.message(Language::ZhCn),
            "登录尝试过多，请 30 秒后再试"
        );
        assert_eq!(
            throttled.message(Language::En),
            "Too many failed login attempts; try again in 30 s"
        );
    }
}
