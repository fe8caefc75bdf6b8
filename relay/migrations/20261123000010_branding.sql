-- A center's branding of the customer helper (C1, M1): product name (window title), PNG icon,
-- primary and accent colours ('#RRGGBB' or NULL) and the notice area (text, PNG image, https link).
-- Empty text / empty blob = not set. Limits are checked by the relay before writing
-- (porpoise_shared::wire::MAX_* branding constants).
CREATE TABLE center_branding (
    center_id     INTEGER PRIMARY KEY REFERENCES centers (center_id),
    product_name  TEXT    NOT NULL DEFAULT '',
    icon_png      BLOB    NOT NULL DEFAULT x'',
    primary_color TEXT,
    accent_color  TEXT,
    notice_text   TEXT    NOT NULL DEFAULT '',
    notice_image  BLOB    NOT NULL DEFAULT x'',
    notice_link   TEXT    NOT NULL DEFAULT '',
    updated_at    INTEGER NOT NULL
);
