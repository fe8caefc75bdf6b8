//! The directory pages of the admin window (M2 账户信息, M3 成员管理 / 分组管理 / 产品类型,
//! M4): lists with Edit, Disable, Reactivate, Delete, Up and Down, and the editors. Drawn on
//! the admin window's copy of the view; buttons report intents.

use egui::RichText;
use porpoise_protocol::wire::{
    AccountDirectory, AccountStatus, CatalogEntry, Permission, ProductTypeId, Role,
    GRANTABLE_PERMISSIONS, MAX_SESSIONS_PER_AGENT,
};
use porpoise_ui::Language;

use crate::{
    clock,
    i18n::{self, Msg},
    state::{
        assignable_roles, AccountEditor, DirectoryPage, DirectoryView, EntryEditor, Intent,
        RoleEditor, Viewer,
    },
};

/// Draws the directory dialog with the pages `own` may use (a group leader sees only the
/// accounts page).
pub fn directory_ui(
    ui: &mut egui::Ui,
    lang: Language,
    view: &mut DirectoryView,
    own: &Viewer,
    intents: &mut Vec<Intent>,
) {
    ui.horizontal(|ui| {
        let pages = [
            (
                DirectoryPage::Accounts,
                Msg::Accounts,
                Permission::ManageAccounts,
            ),
            (
                DirectoryPage::Groups,
                Msg::Groups,
                Permission::ManageSettings,
            ),
            (
                DirectoryPage::ProductTypes,
                Msg::ProductTypes,
                Permission::ManageSettings,
            ),
            (DirectoryPage::Roles, Msg::Roles, Permission::ManageSettings),
            (
                DirectoryPage::AccountInfo,
                Msg::AccountInfo,
                Permission::ManageSettings,
            ),
        ];
        for (page, label, _) in pages.into_iter().filter(|(_, _, p)| own.can(*p)) {
            if ui
                .selectable_label(view.page == page, label.text(lang))
                .clicked()
                && view.page != page
            {
                view.page = page;
                view.entry = None;
                view.account = None;
                view.role = None;
            }
        }
        ui.separator();
        if ui.button(Msg::Refresh.text(lang)).clicked() {
            intents.push(Intent::RefreshDirectory);
        }
    });
    ui.separator();
    super::super::status_ui(ui, &view.status);
    if let Some((username, password)) = view.created.clone() {
        ui.horizontal(|ui| {
            ui.label(format!(
                "{username} — {}",
                Msg::InitialPasswordOnce.text(lang)
            ));
            ui.label(RichText::new(&password).monospace().strong());
            if ui.button(Msg::Copy.text(lang)).clicked() {
                ui.ctx().copy_text(password.clone());
            }
            if ui.button("✖").clicked() {
                view.created = None;
            }
        });
    }
    let Some(dir) = view.dir.clone() else { return };
    let busy = view.status.busy();
    match view.page {
        DirectoryPage::Accounts => accounts_page(ui, lang, view, &dir, own, busy, intents),
        DirectoryPage::Groups | DirectoryPage::ProductTypes => {
            entries_page(ui, lang, view, &dir, busy, intents)
        }
        DirectoryPage::Roles => roles_page(ui, lang, view, &dir, own, busy, intents),
        DirectoryPage::AccountInfo => info_page(ui, lang, &dir),
    }
}

fn status_text(lang: Language, status: AccountStatus) -> &'static str {
    match status {
        AccountStatus::Active => Msg::StatusActive.text(lang),
        AccountStatus::Disabled => Msg::StatusDisabled.text(lang),
        AccountStatus::Deleted => Msg::StatusDeleted.text(lang),
    }
}

fn accounts_page(
    ui: &mut egui::Ui,
    lang: Language,
    view: &mut DirectoryView,
    dir: &AccountDirectory,
    own: &Viewer,
    busy: bool,
    intents: &mut Vec<Intent>,
) {
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!busy, egui::Button::new(Msg::NewAccount.text(lang)))
            .clicked()
        {
            let groups = if own.whole_center() {
                Vec::new()
            } else {
                own.groups.clone()
            };
            view.account = Some(AccountEditor::new_agent(groups));
        }
        ui.checkbox(&mut view.show_inactive, Msg::ShowInactive.text(lang));
    });
    if let Some(editor) = view.account.as_mut() {
        let cancel = ui
            .group(|ui| account_editor(ui, lang, editor, dir, own, busy, intents))
            .inner;
        if cancel {
            view.account = None;
        }
    }
    let group_name = |id: &porpoise_protocol::wire::GroupId| {
        dir.groups
            .iter()
            .find(|g| g.group_id == *id)
            .map_or_else(|| format!("#{id}"), |g| g.entry.name.clone())
    };
    egui::ScrollArea::vertical()
        .max_height(360.0)
        .id_salt("directory-accounts")
        .show(ui, |ui| {
            egui::Grid::new("directory-accounts-grid")
                .num_columns(6)
                .striped(true)
                .show(ui, |ui| {
                    for h in [
                        Msg::Username,
                        Msg::DisplayName,
                        Msg::RoleLabel,
                        Msg::GroupsField,
                        Msg::Status,
                    ] {
                        ui.label(RichText::new(h.text(lang)).strong());
                    }
                    ui.label("");
                    ui.end_row();
                    let all = view.show_inactive;
                    let shown = dir
                        .accounts
                        .iter()
                        .filter(|a| all || a.status == AccountStatus::Active);
                    for a in shown {
                        let name = match a.status {
                            AccountStatus::Deleted => deleted_username(&a.username),
                            _ => a.username.clone(),
                        };
                        ui.label(name);
                        ui.label(&a.profile.display_name);
                        ui.label(i18n::role(lang, a.profile.role));
                        let groups: Vec<String> = a.profile.groups.iter().map(group_name).collect();
                        ui.label(groups.join(lang.pick("、", ", ")));
                        ui.label(status_text(lang, a.status));
                        // Only accounts the viewer outranks (not their own): the relay
                        // would refuse the rest.
                        let acts = own.agent_id != Some(a.agent_id)
                            && own.role.is_some_and(|r| r.may_act_on(a.profile.role));
                        ui.horizontal(|ui| {
                            if acts {
                                account_buttons(ui, lang, view, a, busy, intents);
                            }
                        });
                        ui.end_row();
                    }
                });
        });
}

/// The username a deleted account had (the relay renames it to free the name).
fn deleted_username(stored: &str) -> String {
    stored
        .strip_prefix("~deleted-")
        .and_then(|rest| rest.split_once('~'))
        .map_or_else(|| stored.to_owned(), |(_, name)| name.to_owned())
}

fn account_buttons(
    ui: &mut egui::Ui,
    lang: Language,
    view: &mut DirectoryView,
    a: &porpoise_protocol::wire::AccountRecord,
    busy: bool,
    intents: &mut Vec<Intent>,
) {
    if let Some((id, status)) = view.confirm {
        if id == a.agent_id {
            if status == AccountStatus::Deleted {
                ui.label(
                    RichText::new(Msg::DeleteWarning.text(lang)).color(ui.visuals().warn_fg_color),
                );
            }
            if ui.button(Msg::Confirm.text(lang)).clicked() {
                intents.push(Intent::SetAccountStatus {
                    agent_id: id,
                    status,
                });
            }
            if ui.button(Msg::Cancel.text(lang)).clicked() {
                view.confirm = None;
            }
            return;
        }
    }
    match a.status {
        AccountStatus::Active => {
            if ui
                .add_enabled(!busy, egui::Button::new(Msg::Edit.text(lang)))
                .clicked()
            {
                view.account = Some(AccountEditor::edit(a));
            }
            if ui
                .add_enabled(!busy, egui::Button::new(Msg::Disable.text(lang)))
                .clicked()
            {
                view.confirm = Some((a.agent_id, AccountStatus::Disabled));
            }
        }
        AccountStatus::Disabled => {
            if ui
                .add_enabled(!busy, egui::Button::new(Msg::Reactivate.text(lang)))
                .clicked()
            {
                view.confirm = Some((a.agent_id, AccountStatus::Active));
            }
            if ui
                .add_enabled(!busy, egui::Button::new(Msg::DeleteAccount.text(lang)))
                .clicked()
            {
                view.confirm = Some((a.agent_id, AccountStatus::Deleted));
            }
        }
        AccountStatus::Deleted => {}
    }
}

/// The account editor; true when Cancel was clicked.
/// Largest PNG an account photo may be: its data URL must fit `MAX_PHOTO_BYTES` (M13).
const MAX_PHOTO_PNG_BYTES: usize =
    (porpoise_protocol::wire::MAX_PHOTO_BYTES - porpoise_ui::png_image::PNG_DATA_URL.len()) / 4 * 3;
/// Largest photo side, in pixels (what the helper's showcase accepts).
const MAX_PHOTO_PX: u32 = 256;

type PhotoJob =
    std::sync::Arc<std::sync::Mutex<Option<porpoise_ui::job::Job<Result<String, String>>>>>;

fn photo_job_id() -> egui::Id {
    egui::Id::unique("account-photo-load")
}

/// The photo row: its state (set / none), Clear, and a PNG file path with Load (read and
/// checked on a worker; the data URL replaces the photo when it is done).
fn photo_ui(ui: &mut egui::Ui, lang: Language, editor: &mut crate::state::AccountEditor) {
    let ctx = ui.ctx().clone();
    let slot: Option<PhotoJob> = ctx.data(|d| d.get_temp(photo_job_id()));
    if let Some(slot) = slot {
        let done = slot
            .lock()
            .ok()
            .and_then(|mut g| porpoise_ui::job::poll_slot(&mut g));
        if let Some(done) = done {
            ctx.data_mut(|d| d.remove::<PhotoJob>(photo_job_id()));
            match done.unwrap_or_else(|e| Err(e.to_string())) {
                Ok(url) => {
                    editor.profile.photo = url;
                    editor.photo_problem = None;
                }
                Err(why) => editor.photo_problem = Some(why),
            }
        }
    }
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            if editor.profile.photo.is_empty() {
                ui.label(Msg::NoPicture.text(lang));
            } else {
                ui.label(format!(
                    "PNG {:.1} KB",
                    editor.profile.photo.len() as f64 * 0.75 / 1024.0
                ));
                if ui.small_button(Msg::Remove.text(lang)).clicked() {
                    editor.profile.photo.clear();
                }
            }
        });
        ui.horizontal(|ui| {
            let l = ui.label(Msg::PngFile.text(lang));
            ui.add(egui::TextEdit::singleline(&mut editor.photo_path).desired_width(220.0))
                .labelled_by(l.id);
            if ui.button(Msg::Load.text(lang)).clicked() && !editor.photo_path.trim().is_empty() {
                let path = editor.photo_path.trim().to_owned();
                let job = porpoise_ui::job::Job::start("account-photo", Some(&ctx), move || {
                    let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
                    if bytes.len() > MAX_PHOTO_PNG_BYTES {
                        return Err(format!("{} > {MAX_PHOTO_PNG_BYTES} bytes", bytes.len()));
                    }
                    porpoise_ui::png_image::decode_png(&bytes, MAX_PHOTO_PNG_BYTES, MAX_PHOTO_PX)
                        .ok_or_else(|| format!("PNG, at most {MAX_PHOTO_PX}×{MAX_PHOTO_PX} px"))?;
                    Ok(porpoise_ui::png_image::png_data_url(&bytes))
                });
                let slot: PhotoJob = std::sync::Arc::new(std::sync::Mutex::new(Some(job)));
                ctx.data_mut(|d| d.insert_temp(photo_job_id(), slot));
            }
        });
        if let Some(why) = &editor.photo_problem {
            ui.colored_label(ui.visuals().error_fg_color, why);
        }
    });
}

fn account_editor(
    ui: &mut egui::Ui,
    lang: Language,
    editor: &mut AccountEditor,
    dir: &AccountDirectory,
    own: &Viewer,
    busy: bool,
    intents: &mut Vec<Intent>,
) -> bool {
    let mut cancel = false;
    let new = editor.agent_id.is_none();
    egui::Grid::new("account-editor")
        .num_columns(2)
        .show(ui, |ui| {
            let l = ui.label(Msg::Username.text(lang));
            ui.add_enabled(new, egui::TextEdit::singleline(&mut editor.username))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(Msg::DisplayName.text(lang));
            ui.text_edit_singleline(&mut editor.profile.display_name)
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(Msg::RoleLabel.text(lang));
            egui::ComboBox::from_id_salt("account-role")
                .selected_text(i18n::role(lang, editor.profile.role))
                .show_ui(ui, |ui| {
                    for r in assignable_roles(own.role.unwrap_or(Role::Agent)) {
                        ui.selectable_value(&mut editor.profile.role, r, i18n::role(lang, r));
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
            // Custom roles on the chosen base role (M4).
            let customs: Vec<_> = dir
                .roles
                .iter()
                .filter(|r| r.base == editor.profile.role)
                .collect();
            if editor
                .profile
                .custom_role
                .is_some_and(|id| !customs.iter().any(|r| r.role_id == id))
            {
                editor.profile.custom_role = None;
            }
            if !customs.is_empty() {
                let l = ui.label(Msg::CustomRoleLabel.text(lang));
                let shown = editor
                    .profile
                    .custom_role
                    .and_then(|id| customs.iter().find(|r| r.role_id == id))
                    .map_or(Msg::NoCustomRole.text(lang), |r| r.name.as_str());
                egui::ComboBox::from_id_salt("account-custom-role")
                    .selected_text(shown)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(
                            &mut editor.profile.custom_role,
                            None,
                            Msg::NoCustomRole.text(lang),
                        );
                        for r in &customs {
                            ui.selectable_value(
                                &mut editor.profile.custom_role,
                                Some(r.role_id),
                                &r.name,
                            );
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();
            }
            let l = ui.label(Msg::JobTitle.text(lang));
            ui.text_edit_singleline(&mut editor.profile.title)
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(Msg::Phone.text(lang));
            ui.text_edit_singleline(&mut editor.profile.phone)
                .labelled_by(l.id);
            ui.end_row();
            ui.label(Msg::PhotoLabel.text(lang));
            photo_ui(ui, lang, editor);
            ui.end_row();
            let l = ui.label(Msg::MaxSessionsLabel.text(lang));
            ui.add(
                egui::DragValue::new(&mut editor.profile.max_sessions)
                    .range(1..=MAX_SESSIONS_PER_AGENT),
            )
            .labelled_by(l.id);
            ui.end_row();
            ui.label("");
            ui.checkbox(
                &mut editor.profile.auto_assign,
                Msg::AutoAssignLabel.text(lang),
            );
            ui.end_row();
            ui.label(Msg::GroupsField.text(lang));
            ui.horizontal_wrapped(|ui| {
                for g in &dir.groups {
                    // A group leader ticks only their own groups.
                    let allowed = own.whole_center() || own.groups.contains(&g.group_id);
                    let mut member = editor.profile.groups.contains(&g.group_id);
                    if ui
                        .add_enabled(allowed, egui::Checkbox::new(&mut member, &g.entry.name))
                        .changed()
                    {
                        toggle(&mut editor.profile.groups, g.group_id, member);
                    }
                }
            });
            ui.end_row();
            ui.label(Msg::HandlesProducts.text(lang));
            ui.horizontal_wrapped(|ui| {
                for p in &dir.product_types {
                    let mut handles = editor.profile.product_types.contains(&p.product_type_id);
                    if ui.checkbox(&mut handles, &p.entry.name).changed() {
                        toggle::<ProductTypeId>(
                            &mut editor.profile.product_types,
                            p.product_type_id,
                            handles,
                        );
                    }
                }
            });
            ui.end_row();
            if new {
                let l = ui.label(Msg::InitialPassword.text(lang));
                ui.add(egui::TextEdit::singleline(&mut editor.password).password(true))
                    .labelled_by(l.id);
                ui.end_row();
            }
        });
    ui.horizontal(|ui| {
        let ready = !editor.username.trim().is_empty()
            && !editor.profile.display_name.trim().is_empty()
            && !busy;
        if ui
            .add_enabled(ready, egui::Button::new(Msg::Save.text(lang)))
            .clicked()
        {
            intents.push(Intent::SaveAccount);
        }
        if ui.button(Msg::Cancel.text(lang)).clicked() {
            cancel = true;
        }
    });
    cancel
}

fn toggle<T: PartialEq + Copy>(list: &mut Vec<T>, id: T, on: bool) {
    if on {
        if !list.contains(&id) {
            list.push(id);
        }
    } else {
        list.retain(|x| *x != id);
    }
}

fn entries_page(
    ui: &mut egui::Ui,
    lang: Language,
    view: &mut DirectoryView,
    dir: &AccountDirectory,
    busy: bool,
    intents: &mut Vec<Intent>,
) {
    let groups = view.page == DirectoryPage::Groups;
    let rows: Vec<(u32, CatalogEntry, usize, Vec<String>)> = if groups {
        dir.groups
            .iter()
            .map(|g| {
                let members = dir
                    .accounts
                    .iter()
                    .filter(|a| {
                        a.status == AccountStatus::Active && a.profile.groups.contains(&g.group_id)
                    })
                    .count();
                (g.group_id.0, g.entry.clone(), members, g.regions.clone())
            })
            .collect()
    } else {
        dir.product_types
            .iter()
            .map(|p| {
                let handled = dir
                    .accounts
                    .iter()
                    .filter(|a| {
                        a.status == AccountStatus::Active
                            && a.profile.product_types.contains(&p.product_type_id)
                    })
                    .count();
                (p.product_type_id.0, p.entry.clone(), handled, Vec::new())
            })
            .collect()
    };
    let new_label = if groups {
        Msg::NewGroup
    } else {
        Msg::NewProductType
    };
    if ui
        .add_enabled(!busy, egui::Button::new(new_label.text(lang)))
        .clicked()
    {
        view.entry = Some(EntryEditor::new_entry());
    }
    if let Some(editor) = view.entry.as_mut() {
        let mut close = false;
        egui::Grid::new("entry-editor")
            .num_columns(2)
            .show(ui, |ui| {
                let name = if groups {
                    Msg::GroupNameLabel
                } else {
                    Msg::ProductTypeNameLabel
                };
                let l = ui.label(name.text(lang));
                ui.text_edit_singleline(&mut editor.entry.name)
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label(Msg::ClientName.text(lang));
                ui.text_edit_singleline(&mut editor.entry.client_name)
                    .labelled_by(l.id);
                ui.end_row();
                ui.label("");
                ui.checkbox(
                    &mut editor.entry.hidden,
                    Msg::HiddenFromCustomers.text(lang),
                );
                ui.end_row();
                if groups {
                    let l = ui.label(Msg::RegionsLabel.text(lang));
                    ui.add(egui::TextEdit::singleline(&mut editor.regions).hint_text("CN, HK, TW"))
                        .labelled_by(l.id);
                    ui.end_row();
                }
            });
        if groups {
            ui.label(RichText::new(Msg::RegionsHelp.text(lang)).small().weak());
        }
        ui.horizontal(|ui| {
            let ready = !editor.entry.name.trim().is_empty() && !busy;
            if ui
                .add_enabled(ready, egui::Button::new(Msg::Save.text(lang)))
                .clicked()
            {
                intents.push(Intent::SaveDirectoryEntry);
            }
            if ui.button(Msg::Cancel.text(lang)).clicked() {
                close = true;
            }
        });
        if close {
            view.entry = None;
        }
        ui.separator();
    }
    let count = rows.len();
    egui::Grid::new("directory-entries")
        .num_columns(if groups { 6 } else { 5 })
        .striped(true)
        .show(ui, |ui| {
            for h in [
                Msg::CenterName,
                Msg::ClientNameColumn,
                Msg::Status,
                Msg::Members,
            ] {
                ui.label(RichText::new(h.text(lang)).strong());
            }
            if groups {
                ui.label(RichText::new(Msg::RegionsColumn.text(lang)).strong());
            }
            ui.label("");
            ui.end_row();
            for (index, (id, entry, members, regions)) in rows.into_iter().enumerate() {
                ui.label(&entry.name);
                ui.label(entry.customer_name());
                ui.label(if entry.hidden {
                    Msg::Hidden.text(lang)
                } else {
                    Msg::Shown.text(lang)
                });
                ui.label(members.to_string());
                if groups {
                    ui.label(regions.join(", "));
                }
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(!busy, egui::Button::new(Msg::Edit.text(lang)))
                        .clicked()
                    {
                        view.entry = Some(EntryEditor {
                            id: Some(id),
                            entry: entry.clone(),
                            regions: regions.join(", "),
                        });
                    }
                    if ui
                        .add_enabled(
                            !busy && index > 0,
                            egui::Button::new(Msg::MoveUp.text(lang)),
                        )
                        .clicked()
                    {
                        intents.push(Intent::MoveDirectoryEntry { index, up: true });
                    }
                    if ui
                        .add_enabled(
                            !busy && index + 1 < count,
                            egui::Button::new(Msg::MoveDown.text(lang)),
                        )
                        .clicked()
                    {
                        intents.push(Intent::MoveDirectoryEntry { index, up: false });
                    }
                });
                ui.end_row();
            }
        });
}

fn roles_page(
    ui: &mut egui::Ui,
    lang: Language,
    view: &mut DirectoryView,
    dir: &AccountDirectory,
    own: &Viewer,
    busy: bool,
    intents: &mut Vec<Intent>,
) {
    if ui
        .add_enabled(!busy, egui::Button::new(Msg::NewRole.text(lang)))
        .clicked()
    {
        view.role = Some(RoleEditor::new_role());
    }
    if let Some(editor) = view.role.as_mut() {
        let mut close = false;
        egui::Grid::new("role-editor")
            .num_columns(2)
            .show(ui, |ui| {
                let l = ui.label(Msg::RoleNameLabel.text(lang));
                ui.text_edit_singleline(&mut editor.role.name)
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label(Msg::BaseRole.text(lang));
                egui::ComboBox::from_id_salt("role-base")
                    .selected_text(i18n::role(lang, editor.role.base))
                    .show_ui(ui, |ui| {
                        for r in assignable_roles(own.role.unwrap_or(Role::Agent)) {
                            ui.selectable_value(&mut editor.role.base, r, i18n::role(lang, r));
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();
                ui.label(Msg::PermissionsLabel.text(lang));
                ui.vertical(|ui| {
                    for p in GRANTABLE_PERMISSIONS {
                        let mut on = editor.role.permissions.contains(&p);
                        if ui
                            .checkbox(&mut on, i18n::permission_name(lang, p))
                            .changed()
                        {
                            toggle(&mut editor.role.permissions, p, on);
                        }
                    }
                });
                ui.end_row();
            });
        ui.horizontal(|ui| {
            let ready = !editor.role.name.trim().is_empty() && !busy;
            if ui
                .add_enabled(ready, egui::Button::new(Msg::Save.text(lang)))
                .clicked()
            {
                intents.push(Intent::SaveRole);
            }
            if ui.button(Msg::Cancel.text(lang)).clicked() {
                close = true;
            }
        });
        if close {
            view.role = None;
        }
        ui.separator();
    }
    egui::Grid::new("directory-roles")
        .num_columns(4)
        .striped(true)
        .show(ui, |ui| {
            for h in [Msg::RoleNameLabel, Msg::BaseRole, Msg::PermissionsLabel] {
                ui.label(RichText::new(h.text(lang)).strong());
            }
            ui.label("");
            ui.end_row();
            for r in &dir.roles {
                ui.label(&r.name);
                ui.label(i18n::role(lang, r.base));
                let names: Vec<&str> = r
                    .permissions
                    .iter()
                    .map(|p| i18n::permission_name(lang, *p))
                    .collect();
                ui.label(names.join(lang.pick("、", ", ")));
                if ui
                    .add_enabled(!busy, egui::Button::new(Msg::Edit.text(lang)))
                    .clicked()
                {
                    view.role = Some(RoleEditor {
                        role: r.clone(),
                        new: false,
                    });
                }
                ui.end_row();
            }
        });
}

fn info_page(ui: &mut egui::Ui, lang: Language, dir: &AccountDirectory) {
    let c = &dir.center;
    let now = clock::now_unix_ms();
    egui::Grid::new("account-info")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            let rows = [
                (Msg::CenterIdLabel, c.center_id.to_string()),
                (Msg::CenterName, c.name.clone()),
                (Msg::RegisteredAt, clock::date_time_text(c.created_at)),
                (Msg::SeatsBought, c.seats.to_string()),
                (Msg::SeatsUsed, format!("{} / {}", c.seats_used, c.seats)),
                (Msg::OnlineNow, c.online.to_string()),
                (Msg::ActiveAccounts, c.active_accounts.to_string()),
                (
                    Msg::StorageUsed,
                    format!(
                        "{} / {}",
                        porpoise_protocol::lang::format_bytes(c.storage_used_bytes),
                        porpoise_protocol::lang::format_bytes(c.storage_quota_bytes)
                    ),
                ),
                (
                    Msg::Status,
                    if c.expires_at.is_some_and(|at| at <= now) {
                        Msg::LicenceExpired
                    } else {
                        Msg::LicenceValid
                    }
                    .text(lang)
                    .to_owned(),
                ),
                (
                    Msg::ExpiresAt,
                    c.expires_at.map_or_else(
                        || Msg::NoExpiry.text(lang).to_owned(),
                        clock::date_time_text,
                    ),
                ),
            ];
            for (label, value) in rows {
                ui.label(label.text(lang));
                ui.label(value);
                ui.end_row();
            }
        });
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_deleted_username_is_shown_as_it_was() {
        assert_eq!(super::deleted_username("~deleted-12~li.si"), "li.si");
        assert_eq!(super::deleted_username("plain"), "plain");
    }
}
