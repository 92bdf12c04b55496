//! Storage quota: file items and the usage counter on the profile, changed together
//! in conditional transactions so usage never passes `disk_space`.

use serde_json::json;
use uuid::Uuid;

use super::read::Range;
use super::write::{optimistic, Attempt, Check, Op, Rejection, Tx};
use super::{from_item, key, n, to_item, with_key, Store};
use crate::activity::{kind, NewActivity};
use crate::error::ApiError;
use crate::keys;
use crate::model::{FileRecord, UserRecord};
use crate::paging::{Page, PageRequest};
use crate::types::Checksum;

/// What recording a file came to. Each outcome carries the user as it is afterwards,
/// for its quota and usage.
#[derive(Debug)]
pub enum Recorded {
    /// The checksum is new and its size now counts.
    Added { file: FileRecord, user: UserRecord },
    /// The checksum was counted already (free); `file` is the first recording.
    AlreadyCounted { file: FileRecord, user: UserRecord },
    /// The file does not fit in what is left of the quota.
    OverQuota { user: UserRecord, requested: i64 },
}

fn user_gone(id: Uuid) -> ApiError {
    ApiError::not_found("user", &id.to_string())
}

impl Store {
    /// A counted file of a user.
    pub async fn get_file(
        &self,
        user: Uuid,
        checksum: &Checksum,
    ) -> Result<Option<FileRecord>, ApiError> {
        self.get_as(keys::user(user), &keys::file(checksum.as_str()))
            .await
    }

    /// Every counted file of a user (the refresh sums them).
    async fn list_files(&self, user: Uuid) -> Result<Vec<FileRecord>, ApiError> {
        self.read_all_as(&Range::partition(keys::user(user)).prefix(keys::FILE_PREFIX))
            .await
    }

    /// A page of a user's counted files, by checksum.
    pub async fn files_page(
        &self,
        user: Uuid,
        page: &PageRequest,
    ) -> Result<Page<FileRecord>, ApiError> {
        let files = Range::partition(keys::user(user)).prefix(keys::FILE_PREFIX);
        self.read_page(&files, page).await?.try_map(from_item)
    }

    /// Counts a file of `size` bytes against `user`'s quota (a global admin has none),
    /// recording `storage.file_added` by `actor`: only if its checksum is new, and only
    /// while usage stays within `disk_space`. A quota changed meanwhile is read again.
    pub async fn record_file(
        &self,
        user: &UserRecord,
        checksum: Checksum,
        size: i64,
        actor: Uuid,
    ) -> Result<Recorded, ApiError> {
        let id = user.user_id;
        let file = FileRecord {
            checksum,
            size,
            created_at: self.clock.now_rfc3339(),
        };
        let file = &file;
        optimistic(user.clone(), move |known: UserRecord| async move {
            let mut tx = Tx::new();
            tx.push(
                Op::put(with_key(
                    to_item(&file)?,
                    keys::user(id),
                    keys::file(file.checksum.as_str()),
                ))
                .when("attribute_not_exists(PK)", Check::File),
            );
            let update = Op::update(
                key(keys::user(id), keys::PROFILE),
                "ADD disk_space_used :s, file_count :one, version :one",
            )
            .val(":s", n(size))
            .val(":one", n(1))
            .val(":maxf", n(self.max_files));
            // Below the file limit, and (but for global admins) within the quota.
            let room = "(attribute_not_exists(file_count) OR file_count < :maxf)";
            tx.push(if known.is_admin() {
                update.when(&format!("attribute_exists(PK) AND {room}"), Check::Quota)
            } else {
                update
                    .when(
                        &format!("disk_space = :ds AND disk_space_used <= :limit AND {room}"),
                        Check::Quota,
                    )
                    .val(":ds", n(known.disk_space))
                    .val(":limit", n(known.disk_space - size))
            });
            tx.record(
                NewActivity::new(kind::FILE_ADDED, id, actor)
                    .with_data(json!({ "checksum": file.checksum, "size": size })),
            );
            match self.commit(tx).await {
                Ok(()) => {
                    let user = self.get_user(id).await?.unwrap_or(known);
                    Ok(Attempt::Done(Recorded::Added {
                        file: file.clone(),
                        user,
                    }))
                }
                Err(r) if r.failed(Check::File) => {
                    let user = self.get_user(id).await?.unwrap_or(known);
                    let first = self.get_file(id, &file.checksum).await?;
                    Ok(Attempt::Done(Recorded::AlreadyCounted {
                        file: first.unwrap_or_else(|| file.clone()),
                        user,
                    }))
                }
                Err(r) if r.failed(Check::Quota) => {
                    let fresh = self.get_user(id).await?.ok_or_else(|| user_gone(id))?;
                    if fresh.file_count >= self.max_files {
                        return Err(ApiError::over_limit(
                            "files",
                            self.max_files as usize,
                            format!("A user may hold at most {} files", self.max_files),
                        ));
                    }
                    if !fresh.is_admin()
                        && fresh.disk_space == known.disk_space
                        && fresh.disk_space_used + size > fresh.disk_space
                    {
                        return Ok(Attempt::Done(Recorded::OverQuota {
                            user: fresh,
                            requested: size,
                        }));
                    }
                    Ok(Attempt::Retry(fresh))
                }
                Err(r) if r.failed(Check::Profile) => Err(user_gone(id)),
                Err(r) => Err(r.into()),
            }
        })
        .await
    }

    /// Releases a counted file of `user`, recording `storage.file_removed` by `actor`;
    /// a file not (or no longer) counted is 404.
    pub async fn delete_file(
        &self,
        user: Uuid,
        checksum: &Checksum,
        actor: Uuid,
    ) -> Result<(), ApiError> {
        let not_found = || ApiError::not_found("file", checksum.as_str());
        let file = self.get_file(user, checksum).await?.ok_or_else(not_found)?;
        let mut tx = Tx::new();
        tx.push(
            Op::delete(key(keys::user(user), keys::file(checksum.as_str())))
                .when("#sz = :s", Check::File)
                .name("#sz", "size")
                .val(":s", n(file.size)),
        );
        tx.push(
            Op::update(
                key(keys::user(user), keys::PROFILE),
                "ADD disk_space_used :d, file_count :less, version :one",
            )
            .when("attribute_exists(PK)", Check::Profile)
            .val(":d", n(-file.size))
            .val(":less", n(-1))
            .val(":one", n(1)),
        );
        tx.record(
            NewActivity::new(kind::FILE_REMOVED, user, actor)
                .with_data(json!({ "checksum": file.checksum, "size": file.size })),
        );
        match self.commit(tx).await {
            Ok(()) => Ok(()),
            Err(Rejection::Error(e)) => Err(e),
            Err(Rejection::Failed(_)) => Err(not_found()),
        }
    }

    /// Recomputes `user`'s usage from its file items and stores it, recording
    /// `storage.refreshed` by `actor`; summed again while usage moves underneath.
    /// Answers the new usage.
    pub async fn refresh_usage(&self, user: Uuid, actor: Uuid) -> Result<i64, ApiError> {
        optimistic((), move |()| async move {
            let current = self
                .get_user(user)
                .await?
                .ok_or_else(ApiError::unauthenticated)?;
            let files = self.list_files(user).await?;
            let total: i64 = files.iter().map(|f| f.size).sum();
            let mut tx = Tx::new();
            tx.push(
                Op::update(
                    key(keys::user(user), keys::PROFILE),
                    "SET disk_space_used = :t, file_count = :c ADD version :one",
                )
                .when("disk_space_used = :old AND version = :v", Check::Profile)
                .val(":t", n(total))
                .val(":c", n(files.len() as i64))
                .val(":old", n(current.disk_space_used))
                .val(":v", n(current.version))
                .val(":one", n(1)),
            );
            tx.record(
                NewActivity::new(kind::STORAGE_REFRESHED, user, actor).with_data(json!({
                    "previous": current.disk_space_used,
                    "disk_space_used": total,
                    "files": files.len(),
                })),
            );
            match self.commit(tx).await {
                Ok(()) => Ok(Attempt::Done(total)),
                Err(r) if r.failed(Check::Profile) => Ok(Attempt::Retry(())),
                Err(r) => Err(r.into()),
            }
        })
        .await
    }
}
