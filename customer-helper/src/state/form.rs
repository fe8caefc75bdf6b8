//! The request form of the center's service mode (C2) and the offline-message form (C3).
//!
//! Both are plain data edited by the UI; `validate`/`route` turn them into what is sent, or a
//! [`FormError`] shown under the form.

use porpoise_protocol::wire::{
    AgentId, GroupId, Presence, ProductTypeId, ServiceMode, ServiceOptions, ServiceRoute,
    MAX_CHAT_TEXT_BYTES, MAX_NAME_BYTES, SESSION_CODE_DIGITS,
};

/// Why a form cannot be sent (or why the relay refused it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormError {
    /// The name is empty.
    NameRequired,
    /// Name, phone or contact exceeds [`MAX_NAME_BYTES`], or the text [`MAX_CHAT_TEXT_BYTES`].
    TooLong,
    /// The session code is not exactly [`SESSION_CODE_DIGITS`] digits.
    CodeLength,
    /// The picked agent cannot take customers now (busy, away, or gone from the list).
    AgentUnavailable,
    /// The relay says the session code is wrong, used or expired.
    BadSessionCode,
    /// Too many wrong codes; the relay accepts another after `retry_after_s` seconds.
    Throttled {
        /// Seconds to wait.
        retry_after_s: u32,
    },
    /// The offline message has no phone or e-mail.
    ContactRequired,
    /// The offline message is empty.
    TextRequired,
}

/// Which tab of the showcase is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowcaseTab {
    /// Every agent.
    All,
    /// Agents of one group.
    Group(GroupId),
}

/// The request form: name and phone, plus the route fields of each service mode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestForm {
    /// Name as typed.
    pub name: String,
    /// Phone as typed.
    pub phone: String,
    /// Session code as typed (session-code mode); the UI keeps only digits.
    pub code: String,
    /// Group picked (auto-assign mode); `None` = any group.
    pub group: Option<GroupId>,
    /// Product type picked (auto-assign mode).
    pub product_type: Option<ProductTypeId>,
    /// Showcase tab shown; `None` = the default tab.
    pub tab: Option<ShowcaseTab>,
    /// Why the last submit was refused.
    pub error: Option<FormError>,
}

impl RequestForm {
    /// The trimmed (name, phone) to send.
    ///
    /// Errors: [`FormError::NameRequired`] for a blank name, [`FormError::TooLong`] past
    /// [`MAX_NAME_BYTES`].
    pub fn validate(&self) -> Result<(String, String), FormError> {
        let (name, phone) = (self.name.trim(), self.phone.trim());
        if name.is_empty() {
            return Err(FormError::NameRequired);
        }
        if name.len() > MAX_NAME_BYTES || phone.len() > MAX_NAME_BYTES {
            return Err(FormError::TooLong);
        }
        Ok((name.to_owned(), phone.to_owned()))
    }

    /// The route to send in the center's mode; `picked` is the showcase card clicked.
    ///
    /// Errors: [`FormError::CodeLength`] for a malformed code, [`FormError::AgentUnavailable`]
    /// when no card was picked or the picked agent does not take customers.
    pub fn route(
        &self,
        options: &ServiceOptions,
        picked: Option<AgentId>,
    ) -> Result<ServiceRoute, FormError> {
        match options.mode {
            ServiceMode::Showcase => {
                let agent_id = picked.ok_or(FormError::AgentUnavailable)?;
                let online = options
                    .agents
                    .iter()
                    .any(|a| a.agent_id == agent_id && a.presence == Presence::Online);
                if !online {
                    return Err(FormError::AgentUnavailable);
                }
                Ok(ServiceRoute::Showcase { agent_id })
            }
            ServiceMode::SessionCode => Ok(ServiceRoute::SessionCode {
                code: session_code(&self.code)?,
            }),
            ServiceMode::AutoAssign => Ok(ServiceRoute::AutoAssign {
                group_id: self
                    .group
                    .filter(|g| options.groups.iter().any(|x| x.group_id == *g)),
                product_type_id: self.product_type.filter(|p| {
                    options
                        .product_types
                        .iter()
                        .any(|x| x.product_type_id == *p)
                }),
            }),
        }
    }

    /// Forgets picks that the new `options` no longer offer.
    pub fn adapt_to(&mut self, options: &ServiceOptions) {
        if let Some(g) = self.group {
            if !options.groups.iter().any(|x| x.group_id == g) {
                self.group = None;
            }
        }
        if let Some(p) = self.product_type {
            if !options.product_types.iter().any(|x| x.product_type_id == p) {
                self.product_type = None;
            }
        }
        if let Some(ShowcaseTab::Group(g)) = self.tab {
            if !options.groups.iter().any(|x| x.group_id == g) {
                self.tab = None;
            }
        }
    }
}

/// The code to send: exactly [`SESSION_CODE_DIGITS`] ASCII digits once spaces are removed.
///
/// Errors: [`FormError::CodeLength`] otherwise.
pub fn session_code(typed: &str) -> Result<String, FormError> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() == SESSION_CODE_DIGITS && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(FormError::CodeLength)
    }
}

/// Keeps only digits, at most [`SESSION_CODE_DIGITS`] (applied as the customer types).
pub fn clean_code(code: &mut String) {
    if code.len() > SESSION_CODE_DIGITS || code.chars().any(|c| !c.is_ascii_digit()) {
        *code = code
            .chars()
            .filter(char::is_ascii_digit)
            .take(SESSION_CODE_DIGITS)
            .collect();
    }
}

/// The offline-message form (留言): name, phone or e-mail, and the message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageForm {
    /// Name as typed.
    pub name: String,
    /// Phone or e-mail as typed.
    pub contact: String,
    /// The message.
    pub text: String,
    /// Why the last submit was refused.
    pub error: Option<FormError>,
}

impl MessageForm {
    /// The trimmed (name, contact, text) to send.
    ///
    /// Errors: [`FormError::NameRequired`], [`FormError::ContactRequired`],
    /// [`FormError::TextRequired`] for blanks; [`FormError::TooLong`] past the limits.
    pub fn validate(&self) -> Result<(String, String, String), FormError> {
        let (name, contact, text) = (self.name.trim(), self.contact.trim(), self.text.trim());
        if name.is_empty() {
            return Err(FormError::NameRequired);
        }
        if contact.is_empty() {
            return Err(FormError::ContactRequired);
        }
        if text.is_empty() {
            return Err(FormError::TextRequired);
        }
        if name.len() > MAX_NAME_BYTES
            || contact.len() > MAX_NAME_BYTES
            || text.len() > MAX_CHAT_TEXT_BYTES
        {
            return Err(FormError::TooLong);
        }
        Ok((name.to_owned(), contact.to_owned(), text.to_owned()))
    }

    /// Fills empty fields from the request form and the question typed while waiting.
    pub fn prefill(&mut self, form: &RequestForm, question: &str) {
        if self.name.trim().is_empty() {
            self.name = form.name.trim().to_owned();
        }
        if self.contact.trim().is_empty() {
            self.contact = form.phone.trim().to_owned();
        }
        if self.text.trim().is_empty() {
            self.text = question.trim().to_owned();
        }
        self.error = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_must_be_six_digits() {
        assert_eq!(session_code(" 123 456 "), Ok("123456".into()));
        assert_eq!(session_code("12345"), Err(FormError::CodeLength));
        assert_eq!(session_code("1234567"), Err(FormError::CodeLength));
        assert_eq!(session_code("12345a"), Err(FormError::CodeLength));
        let mut typed = "1a2-3 4567".to_owned();
        clean_code(&mut typed);
        assert_eq!(typed, "123456");
    }

    #[test]
    fn message_needs_contact_and_text() {
        let mut m = MessageForm {
            name: "Wang".into(),
            ..Default::default()
        };
        assert_eq!(m.validate(), Err(FormError::ContactRequired));
        m.contact = "a@b.c".into();
        assert_eq!(m.validate(), Err(FormError::TextRequired));
        m.text = " help ".into();
        assert_eq!(
            m.validate(),
            Ok(("Wang".into(), "a@b.c".into(), "help".into()))
        );
    }
}
