//! Creates the table from `template.yaml`'s own definition, so the local table and
//! the deployed one cannot drift apart.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;
use serde_yaml::Value;

/// The `UsersTable` resource's properties.
fn table_properties(template: &str) -> Result<Value, String> {
    let doc: Value = serde_yaml::from_str(template).map_err(|e| e.to_string())?;
    doc.get("Resources")
        .and_then(|r| r.get("UsersTable"))
        .and_then(|t| t.get("Properties"))
        .cloned()
        .ok_or_else(|| "template has no Resources.UsersTable.Properties".to_string())
}

fn str_of<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("missing {key}"))
}

fn key_schema(v: &Value) -> Result<Vec<KeySchemaElement>, String> {
    v.as_sequence()
        .ok_or("KeySchema is not a list")?
        .iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(str_of(k, "AttributeName")?)
                .key_type(KeyType::from(str_of(k, "KeyType")?))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// Creates `name` unless it exists; enables TTL. Returns whether it was created.
pub async fn create_table(client: &Client, name: &str, template: &str) -> Result<bool, String> {
    if client
        .describe_table()
        .table_name(name)
        .send()
        .await
        .is_ok()
    {
        return Ok(false);
    }
    let props = table_properties(template)?;
    let attrs = props
        .get("AttributeDefinitions")
        .and_then(Value::as_sequence)
        .ok_or("missing AttributeDefinitions")?
        .iter()
        .map(|a| {
            AttributeDefinition::builder()
                .attribute_name(str_of(a, "AttributeName")?)
                .attribute_type(ScalarAttributeType::from(str_of(a, "AttributeType")?))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut gsis = Vec::new();
    for g in props
        .get("GlobalSecondaryIndexes")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        let proj = g.get("Projection").ok_or("index without Projection")?;
        let non_key: Option<Vec<String>> = proj
            .get("NonKeyAttributes")
            .and_then(Value::as_sequence)
            .map(|s| {
                s.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            });
        gsis.push(
            GlobalSecondaryIndex::builder()
                .index_name(str_of(g, "IndexName")?)
                .set_key_schema(Some(key_schema(
                    g.get("KeySchema").ok_or("index without KeySchema")?,
                )?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(str_of(proj, "ProjectionType")?))
                        .set_non_key_attributes(non_key)
                        .build(),
                )
                .build()
                .map_err(|e| e.to_string())?,
        );
    }
    let billing = props
        .get("BillingMode")
        .and_then(Value::as_str)
        .unwrap_or("PAY_PER_REQUEST");
    let created = client
        .create_table()
        .table_name(name)
        .set_attribute_definitions(Some(attrs))
        .set_key_schema(Some(key_schema(
            props.get("KeySchema").ok_or("missing KeySchema")?,
        )?))
        .set_global_secondary_indexes((!gsis.is_empty()).then_some(gsis))
        .billing_mode(BillingMode::from(billing))
        .send()
        .await;
    if let Err(e) = created {
        let text = format!("{}", aws_sdk_dynamodb::error::DisplayErrorContext(&e));
        if text.contains("ResourceInUseException") || text.contains("already exists") {
            return Ok(false);
        }
        return Err(format!("create table {name}: {text}"));
    }
    if let Some(ttl) = props.get("TimeToLiveSpecification") {
        let spec = TimeToLiveSpecification::builder()
            .attribute_name(str_of(ttl, "AttributeName")?)
            .enabled(ttl.get("Enabled").and_then(Value::as_bool).unwrap_or(true))
            .build()
            .map_err(|e| e.to_string())?;
        client
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(spec)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "enable TTL: {}",
                    aws_sdk_dynamodb::error::DisplayErrorContext(&e)
                )
            })?;
    }
    Ok(true)
}
