//! Provisioning tokens: the bearer tokens identity providers use under `/scim/v2`,
//! stored by id with the hash of the whole token.

use uuid::Uuid;

use super::read::Range;
use super::write::{Check, Op, Tx};
use super::{key, s, to_item, with_key, Store};
use crate::activity::{kind, NewActivity};
use crate::error::ApiError;
use crate::keys;
use crate::model::ProvisioningTokenRecord;
use crate::paging::{Page, PageRequest};

impl Store {
    /// Stores token `id` named `name` (its hash only), by `actor`, recording
    /// `provisioning_token.created` in the actor's feed (none for the operator CLI).
    pub async fn create_provisioning_token(
        &self,
        id: Uuid,
        name: &str,
        hash: String,
        actor: Option<Uuid>,
    ) -> Result<ProvisioningTokenRecord, ApiError> {
        let record = ProvisioningTokenRecord {
            token_id: id,
            name: name.to_string(),
            created_at: self.clock.now_rfc3339(),
            created_by: actor,
            hash,
        };
        let mut item = with_key(
            to_item(&record)?,
            keys::provisioning_token(id),
            keys::PTOKEN,
        );
        item.insert(keys::GSI1PK.into(), s(keys::ALL_PTOKENS));
        item.insert(keys::GSI1SK.into(), s(keys::provisioning_token(id)));
        let mut tx = Tx::new();
        tx.push(Op::put(item).when("attribute_not_exists(PK)", Check::Token));
        if let Some(actor) = actor {
            tx.record(
                NewActivity::new(kind::PROVISIONING_TOKEN_CREATED, actor, actor)
                    .with_data(serde_json::json!({ "token_id": id, "name": name })),
            );
        }
        self.commit(tx).await?;
        Ok(record)
    }

    pub async fn get_provisioning_token(
        &self,
        id: Uuid,
    ) -> Result<Option<ProvisioningTokenRecord>, ApiError> {
        self.get_as(keys::provisioning_token(id), keys::PTOKEN)
            .await
    }

    /// A page of the provisioning tokens, oldest first.
    pub async fn provisioning_tokens_page(
        &self,
        page: &PageRequest,
    ) -> Result<Page<ProvisioningTokenRecord>, ApiError> {
        let all = Range::index(
            keys::GSI1,
            keys::GSI1PK,
            keys::GSI1SK,
            keys::ALL_PTOKENS.into(),
        );
        self.read_page_of(&all, page, |entry| {
            Some(key(entry.get(keys::PK)?.as_s().ok()?.clone(), keys::PTOKEN))
        })
        .await
    }

    /// Revokes token `id`, by `actor`, recording `provisioning_token.revoked`; an
    /// unknown (or already revoked) token is 404.
    pub async fn revoke_provisioning_token(&self, id: Uuid, actor: Uuid) -> Result<(), ApiError> {
        let gone = || ApiError::not_found("provisioning_token", &id.to_string());
        let token = self.get_provisioning_token(id).await?.ok_or_else(gone)?;
        let mut tx = Tx::new();
        tx.push(
            Op::delete(key(keys::provisioning_token(id), keys::PTOKEN))
                .when("attribute_exists(PK)", Check::Token),
        );
        tx.record(
            NewActivity::new(kind::PROVISIONING_TOKEN_REVOKED, actor, actor)
                .with_data(serde_json::json!({ "token_id": id, "name": token.name })),
        );
        match self.commit(tx).await {
            Ok(()) => Ok(()),
            Err(r) if r.failed(Check::Token) => Err(gone()),
            Err(r) => Err(r.into()),
        }
    }
}
