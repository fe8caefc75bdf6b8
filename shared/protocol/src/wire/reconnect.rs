//! Reboot and reconnect (C8, A6 maintenance "重启客户电脑并重连"): the one-time token a helper
//! carries across a reboot of the customer's computer.
//!
//! Flow: the agent asks for [`RemoteAction::Reboot`](super::RemoteAction::Reboot); after the
//! customer's consent the helper sends [`rpc::RequestReconnectToken`](super::Request) and
//! gets [`Response::ReconnectToken`](super::Response); the agent gets
//! [`Event::CustomerRebooting`](super::Event). After the reboot the helper presents the token
//! with [`rpc::RedeemReconnectToken`](super::Request) and gets the session back
//! ([`Response::SessionStarted`](super::Response)); the agent gets
//! [`Event::CustomerReconnected`](super::Event). The token works once, only at the center that
//! issued it, and for [`RECONNECT_TOKEN_TTL_MS`].

use serde::{Deserialize, Serialize};

/// How long a reconnect token stays valid after it was issued, in ms (15 minutes, C8). The relay
/// keeps the session open for the agent that long; after it the session ends (`by: Relay`).
pub const RECONNECT_TOKEN_TTL_MS: i64 = 15 * 60 * 1000;

/// Length of a reconnect token, in bytes (256 random bits).
pub const RECONNECT_TOKEN_BYTES: usize = 32;

/// A reconnect token: [`RECONNECT_TOKEN_BYTES`] random bytes, written as lowercase hex on the
/// helper's command line (`--reconnect-token`). `Debug` never shows it (tokens are secrets and
/// must not reach a log).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReconnectToken(pub [u8; RECONNECT_TOKEN_BYTES]);

impl ReconnectToken {
    /// The token as 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl std::fmt::Debug for ReconnectToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReconnectToken(<redacted>)")
    }
}

/// A reconnect token that is not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a reconnect token is {} hex digits", RECONNECT_TOKEN_BYTES * 2)]
pub struct BadTokenText;

impl std::str::FromStr for ReconnectToken {
    type Err = BadTokenText;

    /// Parses 64 hex digits (either case, surrounding white space ignored).
    fn from_str(s: &str) -> Result<Self, BadTokenText> {
        let s = s.trim();
        if s.len() != RECONNECT_TOKEN_BYTES * 2 || !s.is_ascii() {
            return Err(BadTokenText);
        }
        let mut out = [0u8; RECONNECT_TOKEN_BYTES];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[i * 2..i * 2 + 2], 16).map_err(|_| BadTokenText)?;
        }
        Ok(Self(out))
    }
}

/// Why a reconnect token was refused ([`ApiError::BadReconnectToken`](super::ApiError)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum TokenRefusal {
    /// The relay never issued it (or forgot it long ago).
    #[error("this reconnect token is not known")]
    Unknown,
    /// It was already used to reconnect.
    #[error("this reconnect token was already used")]
    Used,
    /// More than 15 minutes passed; the session has ended.
    #[error("this reconnect token has expired")]
    Expired,
    /// It was issued by another support center.
    #[error("this reconnect token belongs to another support center")]
    WrongCenter,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_as_hex_and_never_print() {
        let token = ReconnectToken([0xab; RECONNECT_TOKEN_BYTES]);
        let hex = token.to_hex();
        assert_eq!(hex.len(), 64);
        assert_eq!(hex.parse::<ReconnectToken>(), Ok(token.clone()));
        assert_eq!(
            hex.to_uppercase().parse::<ReconnectToken>(),
            Ok(token.clone())
        );
        assert!(!format!("{token:?}").contains("ab"));
        assert_eq!("abc".parse::<ReconnectToken>(), Err(BadTokenText));
        assert_eq!("zz".repeat(32).parse::<ReconnectToken>(), Err(BadTokenText));
    }
}
