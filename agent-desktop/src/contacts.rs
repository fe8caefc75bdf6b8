//! Contact details found in a customer's chat messages, offered as one-click fills on the visitor
//! card (A15: 系统可从访客发出的消息中自动收集其手机、QQ、邮箱等信息).
//!
//! A pure scanner, no regex crate: Chinese mobile numbers (`1[3-9]` + 9 digits, optionally
//! `+86`/`86`-prefixed and split by `-` or spaces as 3-4-4), landlines with an area code
//! (`0xx-xxxxxxxx`, `0xxx-xxxxxxx`, `(0xx)xxxxxxxx`), e-mail addresses, and QQ numbers written
//! after "QQ". A digit run that is longer than a phone number (an order or tracking number) is
//! never cut into one.

/// Longest e-mail address accepted, in bytes (RFC 5321 path limit).
pub const MAX_EMAIL_BYTES: usize = 254;
/// Digits of a QQ number: 5 to 11.
const QQ_DIGITS: std::ops::RangeInclusive<usize> = 5..=11;
/// Digits of a landline subscriber number after the area code: 7 or 8.
const LOCAL_DIGITS: std::ops::RangeInclusive<usize> = 7..=8;

/// One contact detail found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Contact {
    /// A mobile number, 11 digits without separators.
    Mobile(String),
    /// A landline as `area-number`, e.g. `010-12345678`.
    Landline(String),
    /// An e-mail address.
    Email(String),
    /// A QQ number.
    Qq(String),
}

impl Contact {
    /// The text to fill in.
    pub fn value(&self) -> &str {
        match self {
            Contact::Mobile(v) | Contact::Landline(v) | Contact::Email(v) | Contact::Qq(v) => v,
        }
    }
}

/// Every contact found in `texts`, in order of appearance, without duplicates.
pub fn find_contacts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<Contact> {
    let mut found: Vec<Contact> = Vec::new();
    for text in texts {
        for c in phones_in(text)
            .into_iter()
            .chain(emails_in(text))
            .chain(qq_in(text))
        {
            if !found.contains(&c) {
                found.push(c);
            }
        }
    }
    found
}

/// A run of digits with the separators inside it, as found in the text.
struct Run {
    /// The digits only.
    digits: String,
    /// Digit groups as split by `-` or a space.
    groups: Vec<String>,
    /// The character before the run (`+`, `(`…), if any.
    before: Option<char>,
    /// Text right after the run.
    after: usize,
}

/// Splits `text` into runs of digits joined by single `-` or space separators.
fn digit_runs(text: &str) -> Vec<Run> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].1.is_ascii_digit() {
            i += 1;
            continue;
        }
        let before = i.checked_sub(1).map(|j| chars[j].1);
        let mut groups = vec![String::new()];
        while i < chars.len() {
            let c = chars[i].1;
            if c.is_ascii_digit() {
                if let Some(g) = groups.last_mut() {
                    g.push(c);
                }
                i += 1;
            } else if (c == '-' || c == ' ')
                && chars.get(i + 1).is_some_and(|(_, n)| n.is_ascii_digit())
            {
                groups.push(String::new());
                i += 1;
            } else {
                break;
            }
        }
        let after = chars.get(i).map_or(text.len(), |(at, _)| *at);
        runs.push(Run {
            digits: groups.concat(),
            groups,
            before,
            after,
        });
    }
    runs
}

fn is_mobile(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// Mobile numbers and landlines in `text`.
fn phones_in(text: &str) -> Vec<Contact> {
    let mut found = Vec::new();
    for run in digit_runs(text) {
        let groups: Vec<&str> = run.groups.iter().map(String::as_str).collect();
        // A mobile: the whole run, or 86 + the run, or the run split 3-4-4 (after an optional 86).
        let national = run
            .digits
            .strip_prefix("86")
            .filter(|rest| is_mobile(rest) && (run.before == Some('+') || groups[0] == "86"));
        if let Some(m) = national.or(Some(run.digits.as_str()).filter(|d| is_mobile(d))) {
            let shaped = match groups.as_slice() {
                [_] => true,
                ["86", rest @ ..] | rest => {
                    rest.iter().map(|g| g.len()).eq([3, 4, 4]) || rest.len() == 1
                }
            };
            if shaped {
                found.push(Contact::Mobile(m.to_owned()));
                continue;
            }
        }
        // A landline: area code 0 + 2-3 digits, then 7-8 digits, split by '-' or written after
        // "(area)".
        if let [area, local] = groups.as_slice() {
            if area.starts_with('0')
                && (3..=4).contains(&area.len())
                && LOCAL_DIGITS.contains(&local.len())
            {
                found.push(Contact::Landline(format!("{area}-{local}")));
                continue;
            }
        }
        if matches!(run.before, Some(')' | '）')) && LOCAL_DIGITS.contains(&run.digits.len()) {
            if let Some(area) = area_before_paren(text, run.after - run.digits.len()) {
                found.push(Contact::Landline(format!("{area}-{}", run.digits)));
            }
        }
    }
    found
}

/// The area code in "(0xx)" ending right before byte `local_start` of `text`.
fn area_before_paren(text: &str, local_start: usize) -> Option<&str> {
    let head = text.get(..local_start)?;
    let head = head.strip_suffix(')').or_else(|| head.strip_suffix('）'))?;
    let open = head.rfind(['(', '（'])?;
    let open_len = head[open..].chars().next().map_or(1, char::len_utf8);
    let area = &head[open + open_len..];
    let ok = area.starts_with('0')
        && (3..=4).contains(&area.len())
        && area.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(area)
}

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._%+-".contains(c)
}

fn is_domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '-'
}

/// E-mail addresses in `text`.
fn emails_in(text: &str) -> Vec<Contact> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices('@') {
        let local_start = text[..at]
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_local_char(*c))
            .last()
            .map_or(at, |(i, _)| i);
        let local = text[local_start..at].trim_start_matches('.');
        let rest = &text[at + 1..];
        let domain_len = rest
            .char_indices()
            .take_while(|(_, c)| is_domain_char(*c))
            .last()
            .map_or(0, |(i, c)| i + c.len_utf8());
        let domain = rest[..domain_len].trim_end_matches(['.', '-']);
        let labels: Vec<&str> = domain.split('.').collect();
        let tld_ok = labels
            .last()
            .is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()));
        let labels_ok = labels.len() >= 2 && labels.iter().all(|l| !l.is_empty());
        let email = format!("{local}@{domain}");
        if !local.is_empty() && tld_ok && labels_ok && email.len() <= MAX_EMAIL_BYTES {
            found.push(Contact::Email(email));
        }
    }
    found
}

/// QQ numbers written after "QQ" (any case, optional `:`/`：`/`号` and spaces).
fn qq_in(text: &str) -> Vec<Contact> {
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    for (at, _) in lower.match_indices("qq") {
        let rest = text[at + 2..].trim_start_matches([' ', ':', '：', '号', '是']);
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let next = rest[digits.len()..].chars().next();
        let ends = next.is_none_or(|c| !c.is_ascii_alphanumeric());
        if QQ_DIGITS.contains(&digits.len()) && !digits.starts_with('0') && ends {
            found.push(Contact::Qq(digits));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Vec<Contact> {
        find_contacts([text])
    }

    #[test]
    fn mobile_numbers_in_common_shapes() {
        let m = |s: &str| Contact::Mobile(s.to_owned());
        assert_eq!(one("我的手机13800138000，谢谢"), vec![m("13800138000")]);
        assert_eq!(one("电话 138-0013-8000"), vec![m("13800138000")]);
        assert_eq!(one("打 +86 139 1234 5678 吧"), vec![m("13912345678")]);
        assert_eq!(one("+8618612345678"), vec![m("18612345678")]);
        // 12 is not a mobile prefix.
        assert!(one("12800138000").is_empty());
    }

    #[test]
    fn order_numbers_are_not_phones() {
        assert!(one("订单号 202611220001388 已付款").is_empty());
        assert!(one("快递单号 SF1380013800088").is_empty());
        assert!(one("金额 13800.50 元").is_empty());
        assert!(one("订单 1380013800012").is_empty());
    }

    #[test]
    fn landlines_with_area_code() {
        let l = |s: &str| Contact::Landline(s.to_owned());
        assert_eq!(one("座机 010-12345678"), vec![l("010-12345678")]);
        assert_eq!(one("0755-8888888 转前台"), vec![l("0755-8888888")]);
        assert_eq!(one("(021)87654321"), vec![l("021-87654321")]);
        assert_eq!(one("（0571）8765432"), vec![l("0571-8765432")]);
        // No area code: not offered.
        assert!(one("分机 1234-5678").is_empty());
    }

    #[test]
    fn emails_and_qq() {
        assert_eq!(
            one("邮箱：zhang.san+work@mail.example.com。"),
            vec![Contact::Email("zhang.san+work@mail.example.com".into())]
        );
        assert!(one("@所有人 请看 a@b").is_empty());
        assert_eq!(one("QQ：452356985"), vec![Contact::Qq("452356985".into())]);
        assert_eq!(one("我qq号是 10001"), vec![Contact::Qq("10001".into())]);
        assert!(one("qq1234").is_empty());
        let both = find_contacts(["452356985@qq.com", "13800138000", "13800138000"]);
        assert_eq!(
            both,
            vec![
                Contact::Email("452356985@qq.com".into()),
                Contact::Mobile("13800138000".into())
            ]
        );
    }
}
