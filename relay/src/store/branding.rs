//! Storage of each center's helper branding (C1, M1), table `center_branding`.

use porpoise_protocol::wire::{Branding, CenterId, Notice, Rgb};

use super::{from_db, Store, StoreError};

type Row = (
    i64,
    String,
    Vec<u8>,
    Option<String>,
    Option<String>,
    String,
    Vec<u8>,
    String,
);

fn color(text: Option<String>) -> Result<Option<Rgb>, StoreError> {
    text.map(|t| Rgb::parse(&t).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

fn from_row(row: Row) -> Result<(CenterId, Branding), StoreError> {
    let (center_id, product_name, icon_png, primary, accent, text, image_png, link) = row;
    Ok((
        CenterId(from_db(center_id)?),
        Branding {
            product_name,
            icon_png,
            primary: color(primary)?,
            accent: color(accent)?,
            notice: Notice {
                text,
                image_png,
                link,
            },
        },
    ))
}

const SELECT: &str = "SELECT center_id, product_name, icon_png, primary_color, accent_color, \
                      notice_text, notice_image, notice_link FROM center_branding";

impl Store {
    /// The center's branding, `None` when none is set (C1, M1).
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::Corrupt`].
    pub async fn branding(&self, center_id: CenterId) -> Result<Option<Branding>, StoreError> {
        let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE center_id = ?"))
            .bind(i64::from(center_id.0))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| from_row(r).map(|(_, b)| b)).transpose()
    }

    /// Every center's branding (for the core's snapshot), by center ID.
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::Corrupt`].
    pub async fn brandings(&self) -> Result<Vec<(CenterId, Branding)>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} ORDER BY center_id"))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(from_row).collect()
    }

    /// Stores `branding` for the center, replacing what was there. An empty branding removes
    /// the row. The caller validates it first (`crate::branding::validate`).
    ///
    /// Errors: [`StoreError::UnknownCenter`], [`StoreError::Database`].
    pub async fn set_branding(
        &self,
        center_id: CenterId,
        branding: &Branding,
    ) -> Result<(), StoreError> {
        if self.center(center_id).await?.is_none() {
            return Err(StoreError::UnknownCenter(center_id));
        }
        if branding.is_empty() {
            sqlx::query("DELETE FROM center_branding WHERE center_id = ?")
                .bind(i64::from(center_id.0))
                .execute(&self.pool)
                .await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO center_branding (center_id, product_name, icon_png, primary_color, \
             accent_color, notice_text, notice_image, notice_link, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (center_id) DO UPDATE SET product_name = excluded.product_name, \
             icon_png = excluded.icon_png, primary_color = excluded.primary_color, \
             accent_color = excluded.accent_color, notice_text = excluded.notice_text, \
             notice_image = excluded.notice_image, notice_link = excluded.notice_link, \
             updated_at = excluded.updated_at",
        )
        .bind(i64::from(center_id.0))
        .bind(&branding.product_name)
        .bind(&branding.icon_png)
        .bind(branding.primary.map(|c| c.to_string()))
        .bind(branding.accent.map(|c| c.to_string()))
        .bind(&branding.notice.text)
        .bind(&branding.notice.image_png)
        .bind(&branding.notice.link)
        .bind(super::unix_ms_now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::DEMO_CENTER_ID;

    #[tokio::test]
    async fn branding_is_stored_replaced_cleared_and_in_the_snapshot() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("db.sqlite3"))
            .await
            .expect("open");
        store.seed_demo().await.expect("demo");
        assert_eq!(store.branding(DEMO_CENTER_ID).await.expect("read"), None);

        let demo = crate::branding::demo_branding();
        store
            .set_branding(DEMO_CENTER_ID, &demo)
            .await
            .expect("set");
        assert_eq!(
            store.branding(DEMO_CENTER_ID).await.expect("read"),
            Some(demo.clone())
        );
        let snapshot = store.snapshot().await.expect("snapshot");
        assert_eq!(snapshot.brandings, vec![(DEMO_CENTER_ID, demo.clone())]);

        let mut changed = demo;
        changed.accent = None;
        changed.notice = Notice::default();
        store
            .set_branding(DEMO_CENTER_ID, &changed)
            .await
            .expect("replace");
        assert_eq!(
            store.branding(DEMO_CENTER_ID).await.expect("read"),
            Some(changed)
        );

        store
            .set_branding(DEMO_CENTER_ID, &Branding::default())
            .await
            .expect("clear");
        assert_eq!(store.branding(DEMO_CENTER_ID).await.expect("read"), None);

        assert!(matches!(
            store
                .set_branding(CenterId(8_999_999), &Branding::default())
                .await,
            Err(StoreError::UnknownCenter(CenterId(8_999_999)))
        ));
        store.close().await;
    }
}
