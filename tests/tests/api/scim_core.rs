//! The SCIM core (shared::scim) against DynamoDB Local, called directly: the request
//! sequences Okta and Entra ID send, before the SCIM routes are wired to it.

use integration::TestApp;
use serde_json::{json, Map, Value};
use shared::activity::Actor;
use shared::http::IfMatch;
use shared::scim::list::{self, ListRequest};
use shared::scim::{groups, users};

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("an object")
}

fn by_filter(filter: &str) -> ListRequest {
    ListRequest::from_search(&obj(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": filter,
    })))
    .unwrap()
}

const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

#[tokio::test]
async fn okta_and_entra_user_and_group_lifecycle() {
    let app = TestApp::spawn().await;
    let ctx = &*app.ctx;
    let idp = Actor::provisioner(uuid::Uuid::new_v4(), "Okta");
    let none = IfMatch::default();

    // import: nobody there yet
    let (total, found) = list::users(ctx, &by_filter(r#"userName eq "ann@example.com""#))
        .await
        .unwrap();
    assert_eq!((total, found.len()), (0, 0));

    let ann = users::create(
        ctx,
        &idp,
        &obj(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "ann@example.com",
            "name": {"givenName": "Ann", "familyName": "Lee"},
            "emails": [{"value": "ann@example.com", "type": "work", "primary": true}],
            "externalId": "00u1",
            "active": true,
        })),
    )
    .await
    .unwrap();
    // a second create with the same userName is a uniqueness conflict
    let e = users::create(
        ctx,
        &idp,
        &obj(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "ANN@example.com",
            "emails": [{"value": "other@example.com"}],
        })),
    )
    .await
    .unwrap_err();
    assert_eq!(e.status.as_u16(), 409);

    // lookups right after the create, strongly consistent
    for f in [
        r#"userName eq "Ann@Example.com""#.to_string(),
        r#"externalId eq "00u1""#.to_string(),
        r#"emails.value eq "ann@example.com""#.to_string(),
        format!(r#"id eq "{}""#, ann.user_id),
        r#"userName sw "ann" and displayName eq "Ann Lee""#.to_string(),
    ] {
        let (total, found) = list::users(ctx, &by_filter(&f)).await.unwrap();
        assert_eq!(total, 1, "{f}");
        assert_eq!(found[0].user_id, ann.user_id, "{f}");
    }
    let e = list::users(ctx, &by_filter(r#"title co "x""#))
        .await
        .unwrap_err();
    assert_eq!(e.scim_type(), Some("invalidFilter"));

    // Entra: PATCH with a capitalised op and a string boolean deactivates
    let id = ann.user_id.to_string();
    let patched = users::patch(
        ctx,
        &idp,
        &id,
        &obj(json!({"schemas": [PATCH], "Operations": [
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "Add", "path": "name.givenName", "value": "Anna"},
        ]})),
        &none,
    )
    .await
    .unwrap();
    assert!(!patched.is_active());
    assert_eq!(patched.first_name.as_deref(), Some("Anna"));
    assert!(patched.session_epoch > ann.session_epoch, "tokens revoked");

    // Okta: PUT back to active
    let put = users::replace(
        ctx,
        &idp,
        &id,
        &obj(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "ann@example.com",
            "name": {"givenName": "Ann", "familyName": "Lee"},
            "emails": [{"value": "ann@example.com", "primary": true}],
            "active": true,
        })),
        &IfMatch::default(),
    )
    .await
    .unwrap();
    assert!(put.is_active());
    assert_eq!(
        put.external_id, None,
        "PUT replaces: externalId omitted is cleared"
    );

    // group push: create with a member, then add and remove
    let bob = users::create(
        ctx,
        &idp,
        &obj(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "bob",
            "emails": [{"value": "bob@example.com"}],
        })),
    )
    .await
    .unwrap();
    let g = groups::create(
        ctx,
        &idp,
        &obj(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Engineering",
            "members": [{"value": ann.user_id.to_string()}],
        })),
    )
    .await
    .unwrap();
    assert_eq!(g.member_count, 1);
    let gid = g.group_id.to_string();
    let g = groups::patch(
        ctx,
        &idp,
        &gid,
        &obj(json!({"schemas": [PATCH], "Operations": [
            {"op": "add", "path": "members", "value": [{"value": bob.user_id.to_string()}]},
            {"op": "remove", "path": format!("members[value eq \"{}\"]", ann.user_id)},
        ]})),
        &none,
    )
    .await
    .unwrap();
    assert_eq!(g.member_count, 1);
    assert_eq!(
        ctx.store.all_group_members(g.group_id).await.unwrap(),
        vec![bob.user_id]
    );
    // Entra's remove with a value list
    let g = groups::patch(
        ctx,
        &idp,
        &gid,
        &obj(json!({"schemas": [PATCH], "Operations": [
            {"op": "Remove", "path": "members", "value": [{"value": bob.user_id.to_string()}]},
        ]})),
        &none,
    )
    .await
    .unwrap();
    assert_eq!(g.member_count, 0);
    let (total, _) = list::groups(ctx, &by_filter(r#"displayName eq "engineering""#), true)
        .await
        .unwrap();
    assert_eq!(total, 1);
    // unfiltered and `sw`, from the group index
    for f in [r#"displayName pr"#, r#"displayName sw "eng""#] {
        let (total, page) = list::groups(ctx, &by_filter(f), false).await.unwrap();
        assert_eq!((total, page.len()), (1, 1), "{f}");
        assert_eq!(page[0].group_id, g.group_id, "{f}");
    }
    // a stale If-Match is 412, the current one deletes
    let if_match = |v: i64| {
        let req: shared::Request = http::Request::builder()
            .header("if-match", format!("W/\"{v}\""))
            .body(lambda_http::Body::Empty)
            .unwrap();
        IfMatch::of(&req)
    };
    let e = groups::delete(ctx, &idp, &gid, &if_match(g.version - 1))
        .await
        .unwrap_err();
    assert_eq!(e.status.as_u16(), 412);
    groups::delete(ctx, &idp, &gid, &if_match(g.version))
        .await
        .unwrap();
    users::delete(ctx, &id, &IfMatch::default()).await.unwrap();
    assert_eq!(
        ctx.store
            .get_user(ann.user_id)
            .await
            .unwrap()
            .map(|u| u.user_id),
        None
    );
}
