//! Storage quota: file items and the usage counter on the profile, changed together
//! in conditional transactions so usage never passes `disk_space`.

use uuid::Uuid;

use super::users::label;
use super::{from_item, key, n, to_item, with_key, Op, Store, Tx, TxError};
use crate::activity::NewActivity;
use crate::error::ApiError;
use crate::keys;
use crate::model::{FileRecord, UserRecord};

/// Label of the quota condition.
pub const QUOTA: &str = "quota";
/// Label of the "file not yet counted" condition.
pub const FILE: &str = "file";

/// What recording a file did.
#[derive(Debug)]
pub enum RecordOutcome {
    Added,
    AlreadyCounted,
}

impl Store {
    /// A counted file of a user.
    pub async fn get_file(
        &self,
        user: Uuid,
        checksum: &str,
    ) -> Result<Option<FileRecord>, ApiError> {
        self.get_as(keys::user(user), &keys::file(checksum)).await
    }

    /// Every counted file of a user, all pages.
    pub async fn list_files(&self, user: Uuid) -> Result<Vec<FileRecord>, ApiError> {
        self.query_prefix(&keys::user(user), keys::FILE_PREFIX)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    /// Records a file and counts its size, only if its checksum is new and (unless
    /// `unlimited`) usage stays within `disk_space` as read in `user`.
    pub async fn record_file(
        &self,
        user: &UserRecord,
        file: &FileRecord,
        unlimited: bool,
        activity: NewActivity,
        retention: i64,
    ) -> Result<RecordOutcome, TxError> {
        let mut tx = Tx::new();
        tx.push(
            Op::put(with_key(
                to_item(file)?,
                keys::user(user.user_id),
                keys::file(&file.checksum),
            ))
            .cond("attribute_not_exists(PK)")
            .label(FILE),
        );
        let profile = key(keys::user(user.user_id), keys::PROFILE);
        let update = Op::update(profile, "ADD disk_space_used :s, version :one")
            .val(":s", n(file.size))
            .val(":one", n(1));
        tx.push(if unlimited {
            update.cond("attribute_exists(PK)").label(label::PROFILE)
        } else {
            update
                .cond("disk_space = :ds AND disk_space_used <= :limit")
                .val(":ds", n(user.disk_space))
                .val(":limit", n(user.disk_space - file.size))
                .label(QUOTA)
        });
        tx.record(activity, retention)?;
        match self.commit(tx).await {
            Ok(()) => Ok(RecordOutcome::Added),
            Err(e) if e.failed(FILE) => Ok(RecordOutcome::AlreadyCounted),
            Err(e) => Err(e),
        }
    }

    /// Releases a counted file; fails with `file` when it is not (or no longer) there.
    pub async fn delete_file(
        &self,
        user: Uuid,
        file: &FileRecord,
        activity: NewActivity,
        retention: i64,
    ) -> Result<(), TxError> {
        let mut tx = Tx::new();
        tx.push(
            Op::delete(key(keys::user(user), keys::file(&file.checksum)))
                .cond("#sz = :s")
                .name("#sz", "size")
                .val(":s", n(file.size))
                .label(FILE),
        );
        tx.push(
            Op::update(
                key(keys::user(user), keys::PROFILE),
                "ADD disk_space_used :d, version :one",
            )
            .cond("attribute_exists(PK)")
            .val(":d", n(-file.size))
            .val(":one", n(1))
            .label(label::PROFILE),
        );
        tx.record(activity, retention)?;
        self.commit(tx).await
    }

    /// Recomputes usage from the file items and stores it, only if usage did not move
    /// while the files were being summed (else the caller tries again).
    pub async fn store_usage(
        &self,
        user: &UserRecord,
        total: i64,
        activity: NewActivity,
        retention: i64,
    ) -> Result<(), TxError> {
        let mut tx = Tx::new();
        tx.push(
            Op::update(
                key(keys::user(user.user_id), keys::PROFILE),
                "SET disk_space_used = :t ADD version :one",
            )
            .cond("disk_space_used = :old")
            .val(":t", n(total))
            .val(":old", n(user.disk_space_used))
            .val(":one", n(1))
            .label(label::PROFILE),
        );
        tx.record(activity, retention)?;
        self.commit(tx).await
    }
}
