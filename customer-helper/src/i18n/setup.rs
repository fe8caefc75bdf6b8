//! Texts of the first screen of a plain helper, the refusal of a modified download and the
//! branding notice area (C1, M1).

use porpoise_ui::Language;

use super::Tr;

texts! {
    /// Heading of the first screen of a plain helper.
    setup_title => "连接支持中心", "Connect to your support center";
    /// Explanation on the first screen.
    setup_intro => "请输入支持中心提供的服务器地址、中心编号和证书指纹。", "Enter the relay address, center ID and certificate fingerprint your support center gave you.";
    /// Label of the relay address field.
    relay_label => "服务器地址", "Relay address";
    /// Label of the center ID field.
    center_label => "中心编号", "Center ID";
    /// Label of the fingerprint field.
    fingerprint_label => "证书指纹", "Certificate fingerprint";
    /// Connect button of the first screen.
    connect => "连接", "Connect";
    /// The relay address is not host:port.
    bad_relay => "请输入“主机:端口”，例如 support.example.com:18000。", "Enter host:port, e.g. support.example.com:18000.";
    /// The center ID is not valid.
    bad_center => "中心编号为以 8 开头的 7 位数字。", "A center ID has 7 digits and starts with 8.";
    /// The fingerprint is not valid.
    bad_fingerprint => "证书指纹为 64 位十六进制数字（可带冒号）。", "A fingerprint is 64 hex digits (colons allowed).";
    /// Heading of the refusal of a modified download.
    tampered_title => "此下载已被修改", "This download was modified";
    /// Body of the refusal of a modified download.
    tampered_body => "此程序的配置已被修改，为了您的安全，它不会连接。请从您的支持中心重新下载。", "This download was modified; for your safety it will not connect. Download it again from your support center.";
    /// Close button of the refusal.
    close_helper => "关闭", "Close";
    /// Small heading of the notice area.
    notice_heading => "通知", "Notice";
    /// Alternative text of the notice image.
    notice_image => "通知图片", "Notice image";
    /// The notice link.
    notice_link => "了解更多", "Learn more";
}

impl Tr {
    /// The system browser could not be started for the notice link.
    pub fn link_failed(self, reason: &str) -> String {
        match self.0 {
            Language::ZhCn => format!("无法打开链接：{reason}"),
            Language::En => format!("Cannot open the link: {reason}"),
        }
    }

    /// Technical detail under the refusal of a modified download.
    pub fn tampered_detail(self, reason: &str) -> String {
        match self.0 {
            Language::ZhCn => format!("详情：{reason}"),
            Language::En => format!("Detail: {reason}"),
        }
    }
}
