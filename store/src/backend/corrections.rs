//! Corrections on both backends: one row per correction, the whole of it as JSON. The
//! primary key (site, id) makes two servers that number the same correction at once fail
//! loudly instead of both writing.

use bayline_domain::correction::Correction;
use bayline_proto::Id;

use super::postgres::Postgres;
use super::sqlite::Sqlite;
use crate::notice::Notice;
use crate::StoreError;

fn body(c: &Correction) -> Result<(i64, String), StoreError> {
    let id =
        i64::try_from(c.id).map_err(|_| StoreError::Corrupt(format!("correction id {}", c.id)))?;
    let json = serde_json::to_string(c).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok((id, json))
}

fn parse(bodies: Vec<String>) -> Result<Vec<Correction>, StoreError> {
    (bodies.iter())
        .map(|b| {
            serde_json::from_str(b).map_err(|e| StoreError::Corrupt(format!("correction: {e}")))
        })
        .collect()
}

impl Sqlite {
    pub(super) async fn insert_correction(
        &self,
        site: &Id,
        c: &Correction,
    ) -> Result<(), StoreError> {
        let (id, json) = body(c)?;
        sqlx::query(
            "INSERT INTO corrections (site, id, made_by, made_at, body) VALUES (?,?,?,?,?)",
        )
        .bind(site.as_str())
        .bind(id)
        .bind(c.by.as_str())
        .bind(c.at.to_string())
        .bind(json)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    pub(super) async fn read_corrections(&self, site: &Id) -> Result<Vec<Correction>, StoreError> {
        let bodies = sqlx::query_scalar("SELECT body FROM corrections WHERE site = ? ORDER BY id")
            .bind(site.as_str())
            .fetch_all(self.reader())
            .await?;
        parse(bodies)
    }
}

impl Postgres {
    pub(super) async fn insert_correction(
        &self,
        site: &Id,
        c: &Correction,
    ) -> Result<(), StoreError> {
        let (id, json) = body(c)?;
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO corrections (site, id, made_by, made_at, body) VALUES ($1,$2,$3,$4,$5)",
        )
        .bind(site.as_str())
        .bind(id)
        .bind(c.by.as_str())
        .bind(c.at.to_string())
        .bind(json)
        .execute(&mut *tx)
        .await?;
        let notice = Notice::Corrections { site: site.clone() };
        self.notify(&mut tx, &notice).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn read_corrections(&self, site: &Id) -> Result<Vec<Correction>, StoreError> {
        let bodies = sqlx::query_scalar("SELECT body FROM corrections WHERE site = $1 ORDER BY id")
            .bind(site.as_str())
            .fetch_all(self.pool())
            .await?;
        parse(bodies)
    }
}
