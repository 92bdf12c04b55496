//! The SCIM schemas this service implements (RFC 7643): the core User and Group, the
//! enterprise User extension, and the common attributes (`id`, `externalId`, `meta`).
//! One definition serves everything: the `/Schemas` documents, input normalisation,
//! PATCH paths, filters, and `attributes` / `excludedAttributes`. Each attribute here
//! is one the service stores (or derives, for read-only ones).

use serde_json::{json, Map, Value};

use crate::types::{locales, timezones};

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const SERVICE_PROVIDER_CONFIG: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
pub const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
pub const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// An attribute's data type (RFC 7643 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    String,
    Boolean,
    DateTime,
    Binary,
    Reference,
    Complex,
}

impl Type {
    fn as_str(self) -> &'static str {
        match self {
            Type::String => "string",
            Type::Boolean => "boolean",
            Type::DateTime => "dateTime",
            Type::Binary => "binary",
            Type::Reference => "reference",
            Type::Complex => "complex",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    Always,
    Never,
    Default,
    Request,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uniqueness {
    None,
    Server,
}

/// The values an attribute accepts, when they are a closed list.
#[derive(Debug, Clone, Copy)]
pub enum Canonical {
    Any,
    List(&'static [&'static str]),
    /// IANA time zone names.
    Timezones,
    /// BCP 47 tags of the locales the service knows.
    Locales,
}

impl Canonical {
    /// The accepted values, as published (`None`: any value).
    pub fn values(self) -> Option<Vec<&'static str>> {
        match self {
            Canonical::Any => None,
            Canonical::List(l) => Some(l.to_vec()),
            Canonical::Timezones => Some(timezones()),
            Canonical::Locales => Some(locales().to_vec()),
        }
    }

    /// The canonical spelling of `given`, if it is an accepted value (compared
    /// case-insensitively; a locale may use `_` for `-`).
    pub fn accept(self, given: &str) -> Option<String> {
        match self {
            Canonical::Any => Some(given.to_string()),
            Canonical::List(l) => l
                .iter()
                .find(|v| v.eq_ignore_ascii_case(given))
                .map(|v| v.to_string()),
            Canonical::Timezones => given
                .parse::<chrono_tz::Tz>()
                .ok()
                .map(|tz| tz.name().to_string()),
            Canonical::Locales => crate::types::canonical_locale(given).map(str::to_string),
        }
    }
}

/// One attribute definition (RFC 7643 §7).
#[derive(Debug, Clone, Copy)]
pub struct Attr {
    pub name: &'static str,
    pub ty: Type,
    pub multi: bool,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub uniqueness: Uniqueness,
    pub canonical: Canonical,
    pub reference_types: &'static [&'static str],
    pub sub: &'static [Attr],
    pub description: &'static str,
}

const fn attr(name: &'static str, ty: Type, description: &'static str) -> Attr {
    Attr {
        name,
        ty,
        multi: false,
        required: false,
        case_exact: false,
        mutability: Mutability::ReadWrite,
        returned: Returned::Default,
        uniqueness: Uniqueness::None,
        canonical: Canonical::Any,
        reference_types: &[],
        sub: &[],
        description,
    }
}

const fn string(name: &'static str, description: &'static str) -> Attr {
    attr(name, Type::String, description)
}

const fn complex(name: &'static str, sub: &'static [Attr], description: &'static str) -> Attr {
    let mut a = attr(name, Type::Complex, description);
    a.sub = sub;
    a
}

const fn reference(
    name: &'static str,
    types: &'static [&'static str],
    description: &'static str,
) -> Attr {
    let mut a = attr(name, Type::Reference, description);
    a.reference_types = types;
    a.case_exact = true;
    a
}

impl Attr {
    const fn multi(mut self) -> Attr {
        self.multi = true;
        self
    }
    const fn required(mut self) -> Attr {
        self.required = true;
        self
    }
    const fn exact(mut self) -> Attr {
        self.case_exact = true;
        self
    }
    const fn read_only(mut self) -> Attr {
        self.mutability = Mutability::ReadOnly;
        self
    }
    const fn immutable(mut self) -> Attr {
        self.mutability = Mutability::Immutable;
        self
    }
    const fn write_only(mut self) -> Attr {
        self.mutability = Mutability::WriteOnly;
        self.returned = Returned::Never;
        self
    }
    const fn always(mut self) -> Attr {
        self.returned = Returned::Always;
        self
    }
    const fn unique(mut self) -> Attr {
        self.uniqueness = Uniqueness::Server;
        self
    }
    const fn canonical(mut self, c: Canonical) -> Attr {
        self.canonical = c;
        self
    }

    /// The sub-attribute `name` (case-insensitively).
    pub fn sub_attr(&self, name: &str) -> Option<&'static Attr> {
        self.sub.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// This attribute's definition as `/Schemas` publishes it.
    pub fn document(&self) -> Value {
        let mut d = json!({
            "name": self.name,
            "type": self.ty.as_str(),
            "multiValued": self.multi,
            "description": self.description,
            "required": self.required,
            "caseExact": self.case_exact,
            "mutability": match self.mutability {
                Mutability::ReadOnly => "readOnly",
                Mutability::ReadWrite => "readWrite",
                Mutability::Immutable => "immutable",
                Mutability::WriteOnly => "writeOnly",
            },
            "returned": match self.returned {
                Returned::Always => "always",
                Returned::Never => "never",
                Returned::Default => "default",
                Returned::Request => "request",
            },
            "uniqueness": match self.uniqueness {
                Uniqueness::None => "none",
                Uniqueness::Server => "server",
            },
        });
        if let Some(values) = self.canonical.values() {
            d["canonicalValues"] = json!(values);
        }
        if self.ty == Type::Reference {
            d["referenceTypes"] = json!(self.reference_types);
        }
        if self.ty == Type::Complex {
            d["subAttributes"] = Value::Array(self.sub.iter().map(Attr::document).collect());
        }
        d
    }
}

/// The sub-attributes of a multi-valued attribute of RFC 7643 §2.4, with `type` taking
/// `types` (any value when empty).
macro_rules! multi_valued {
    ($value:expr, $types:expr) => {
        &[
            $value,
            string(
                "display",
                "A human-readable name, primarily used for display purposes.",
            ),
            string("type", "A label indicating the attribute's function.")
                .canonical(canonical_types($types)),
            attr(
                "primary",
                Type::Boolean,
                "Whether this is the primary value; true appears at most once.",
            ),
        ]
    };
}

const fn canonical_types(types: &'static [&'static str]) -> Canonical {
    if types.is_empty() {
        Canonical::Any
    } else {
        Canonical::List(types)
    }
}

const NAME: &[Attr] = &[
    string(
        "formatted",
        "The full name, including all middle names, titles, and suffixes, formatted for display.",
    ),
    string("familyName", "The family name (last name)."),
    string("givenName", "The given name (first name)."),
    string("middleName", "The middle name(s)."),
    string("honorificPrefix", "The honorific prefix(es), e.g. 'Ms.'."),
    string("honorificSuffix", "The honorific suffix(es), e.g. 'III'."),
];

const ADDRESS: &[Attr] = &[
    string(
        "formatted",
        "The full mailing address, formatted for display.",
    ),
    string("streetAddress", "The full street address component."),
    string("locality", "The city or locality component."),
    string("region", "The state or region component."),
    string("postalCode", "The zip code or postal code component."),
    string(
        "country",
        "The country name component (ISO 3166-1 alpha-2).",
    ),
    string("type", "A label indicating the address's function.")
        .canonical(Canonical::List(&["work", "home", "other"])),
    attr(
        "primary",
        Type::Boolean,
        "Whether this is the primary address; true appears at most once.",
    ),
];

const USER_GROUPS: &[Attr] = &[
    string("value", "The identifier of the user's group.").read_only(),
    reference("$ref", &["Group"], "The URI of the group.").read_only(),
    string("display", "The group's displayName.").read_only(),
    string("type", "How the user is a member: directly.")
        .read_only()
        .canonical(Canonical::List(&["direct"])),
];

/// The core User schema's attributes (RFC 7643 §4.1), as stored here.
pub const USER_ATTRS: &[Attr] = &[
    string(
        "userName",
        "Unique identifier for the user, used to log in: 3 to 100 ASCII letters, digits and ._-@+.",
    )
    .required()
    .unique(),
    complex("name", NAME, "The components of the user's real name."),
    string(
        "displayName",
        "The name of the user, suitable for display to end-users.",
    ),
    string("nickName", "The casual way to address the user."),
    reference(
        "profileUrl",
        &["external"],
        "A URI of the user's online profile.",
    ),
    string("title", "The user's title, such as 'Vice President'."),
    string(
        "userType",
        "The relationship between the organization and the user.",
    ),
    string(
        "preferredLanguage",
        "The user's preferred written or spoken language.",
    ),
    string(
        "locale",
        "The user's default location for localization (a BCP 47 tag).",
    )
    .canonical(Canonical::Locales),
    string("timezone", "The user's time zone (an IANA name).").canonical(Canonical::Timezones),
    attr("active", Type::Boolean, "The user's administrative status.").required(),
    string(
        "password",
        "The user's cleartext password, to set it; never returned.",
    )
    .write_only(),
    complex(
        "emails",
        multi_valued!(
            string(
                "value",
                "An email address; the primary one is the user's login email."
            ),
            &["work", "home", "other"]
        ),
        "Email addresses of the user; every user has one.",
    )
    .multi()
    .required(),
    complex(
        "phoneNumbers",
        multi_valued!(
            string("value", "A phone number."),
            &["work", "home", "mobile", "fax", "pager", "other"]
        ),
        "Phone numbers of the user.",
    )
    .multi(),
    complex(
        "ims",
        multi_valued!(
            string("value", "An instant messaging address."),
            &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]
        ),
        "Instant messaging addresses of the user.",
    )
    .multi(),
    complex(
        "photos",
        multi_valued!(
            reference("value", &["external"], "The URL of a photo of the user."),
            &["photo", "thumbnail"]
        ),
        "URLs of photos of the user.",
    )
    .multi(),
    complex(
        "addresses",
        ADDRESS,
        "Physical mailing addresses of the user.",
    )
    .multi(),
    complex(
        "groups",
        USER_GROUPS,
        "The groups the user belongs to directly; changed through the Groups.",
    )
    .multi()
    .read_only(),
    complex(
        "entitlements",
        multi_valued!(string("value", "The value of an entitlement."), &[]),
        "Entitlements of the user.",
    )
    .multi(),
    complex(
        "roles",
        multi_valued!(string("value", "The value of a role."), &[]),
        "Roles of the user (free-form; not the service's global roles).",
    )
    .multi(),
    complex(
        "x509Certificates",
        multi_valued!(
            attr(
                "value",
                Type::Binary,
                "A DER-encoded X.509 certificate, base64."
            ),
            &[]
        ),
        "X.509 certificates of the user.",
    )
    .multi(),
];

const MANAGER: &[Attr] = &[
    string("value", "The id of the user's manager."),
    reference("$ref", &["User"], "The URI of the manager."),
    string("displayName", "The manager's displayName.").read_only(),
];

/// The enterprise User extension (RFC 7643 §4.3).
pub const ENTERPRISE_ATTRS: &[Attr] = &[
    string(
        "employeeNumber",
        "A string identifier of the user within the organization.",
    ),
    string("costCenter", "The name of a cost center."),
    string("organization", "The name of an organization."),
    string("division", "The name of a division."),
    string("department", "The name of a department."),
    complex("manager", MANAGER, "The user's manager."),
];

const GROUP_MEMBERS: &[Attr] = &[
    // Not caseExact (as RFC 7643 §8.7.1 has it): a member's id matches in any case.
    string("value", "The id of a user who is a member.").immutable(),
    reference("$ref", &["User"], "The URI of the member.").immutable(),
    string("type", "The kind of member: a user.")
        .immutable()
        .canonical(Canonical::List(&["User"])),
];

/// The core Group schema's attributes (RFC 7643 §4.2).
pub const GROUP_ATTRS: &[Attr] = &[
    string(
        "displayName",
        "The group's name: 1 to 100 characters, unique case-insensitively.",
    )
    .required()
    .unique(),
    complex("members", GROUP_MEMBERS, "The users in the group.").multi(),
];

const META: &[Attr] = &[
    string("resourceType", "The name of the resource type.")
        .read_only()
        .exact(),
    attr("created", Type::DateTime, "When the resource was added.").read_only(),
    attr(
        "lastModified",
        Type::DateTime,
        "When the resource last changed.",
    )
    .read_only(),
    reference("location", &["uri"], "The URI of the resource.").read_only(),
    string("version", "The resource's version, its ETag.")
        .read_only()
        .exact(),
];

/// The common attributes of every resource (RFC 7643 §3.1); not part of any schema's
/// `/Schemas` document.
pub const COMMON_ATTRS: &[Attr] = &[
    string("id", "The service's identifier of the resource.")
        .read_only()
        .exact()
        .always()
        .unique(),
    string(
        "externalId",
        "The provisioning client's identifier of the resource.",
    )
    .exact(),
    complex("meta", META, "Resource metadata.").read_only(),
];

/// The whole enterprise extension of a User, as one complex attribute whose name is the
/// extension's URN: what a PATCH path naming only the URN targets.
pub const ENTERPRISE_EXTENSION: Attr = complex(
    ENTERPRISE_USER,
    ENTERPRISE_ATTRS,
    "The enterprise User extension.",
);

/// A schema: its URN, name and attributes.
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub attrs: &'static [Attr],
}

pub const USER_SCHEMA: Schema = Schema {
    id: USER,
    name: "User",
    description: "User Account",
    attrs: USER_ATTRS,
};

pub const ENTERPRISE_SCHEMA: Schema = Schema {
    id: ENTERPRISE_USER,
    name: "EnterpriseUser",
    description: "Enterprise User",
    attrs: ENTERPRISE_ATTRS,
};

pub const GROUP_SCHEMA: Schema = Schema {
    id: GROUP,
    name: "Group",
    description: "Group",
    attrs: GROUP_ATTRS,
};

/// Every schema, as `/Schemas` lists them.
pub const SCHEMAS: [Schema; 3] = [USER_SCHEMA, ENTERPRISE_SCHEMA, GROUP_SCHEMA];

impl Schema {
    pub fn attr(&self, name: &str) -> Option<&'static Attr> {
        self.attrs
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// The schema's `/Schemas` document.
    pub fn document(&self, base: &str) -> Value {
        json!({
            "schemas": [SCHEMA],
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "attributes": self.attrs.iter().map(Attr::document).collect::<Vec<_>>(),
            "meta": {
                "resourceType": "Schema",
                "location": format!("{base}/scim/v2/Schemas/{}", self.id),
            },
        })
    }
}

/// A resource type: its core schema and its extensions.
#[derive(Debug, Clone, Copy)]
pub struct ResourceType {
    pub name: &'static str,
    pub endpoint: &'static str,
    pub description: &'static str,
    pub core: Schema,
    /// The extension schemas, each with the attribute standing for all of it.
    pub extensions: &'static [(Schema, Attr)],
}

pub const USER_TYPE: ResourceType = ResourceType {
    name: "User",
    endpoint: "/Users",
    description: "User Account",
    core: USER_SCHEMA,
    extensions: &[(ENTERPRISE_SCHEMA, ENTERPRISE_EXTENSION)],
};

pub const GROUP_TYPE: ResourceType = ResourceType {
    name: "Group",
    endpoint: "/Groups",
    description: "Group",
    core: GROUP_SCHEMA,
    extensions: &[],
};

pub const RESOURCE_TYPES: [ResourceType; 2] = [USER_TYPE, GROUP_TYPE];

impl ResourceType {
    /// The extension schema whose URN is `urn` (case-insensitively), with the
    /// attribute standing for all of it.
    pub fn extension(&self, urn: &str) -> Option<&'static (Schema, Attr)> {
        self.extensions
            .iter()
            .find(|(s, _)| s.id.eq_ignore_ascii_case(urn))
    }

    /// The URNs of the extension schemas.
    pub fn extension_urns(&self) -> Vec<&'static str> {
        self.extensions.iter().map(|(s, _)| s.id).collect()
    }

    /// Where a top-level attribute of this type's documents is defined: the core
    /// schema, or the common attributes.
    pub fn top_attr(&self, name: &str) -> Option<&'static Attr> {
        self.core.attr(name).or_else(|| {
            COMMON_ATTRS
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case(name))
        })
    }

    /// The type's `/ResourceTypes` document.
    pub fn document(&self, base: &str) -> Value {
        let extensions: Vec<Value> = self
            .extensions
            .iter()
            .map(|(s, _)| json!({ "schema": s.id, "required": false }))
            .collect();
        let mut d = Map::new();
        d.insert("schemas".into(), json!([RESOURCE_TYPE]));
        d.insert("id".into(), json!(self.name));
        d.insert("name".into(), json!(self.name));
        d.insert("endpoint".into(), json!(self.endpoint));
        d.insert("description".into(), json!(self.description));
        d.insert("schema".into(), json!(self.core.id));
        if !extensions.is_empty() {
            d.insert("schemaExtensions".into(), Value::Array(extensions));
        }
        d.insert(
            "meta".into(),
            json!({
                "resourceType": "ResourceType",
                "location": format!("{base}/scim/v2/ResourceTypes/{}", self.name),
            }),
        );
        Value::Object(d)
    }
}

/// The most results one list answers (`filter.maxResults`).
pub const MAX_RESULTS: usize = 200;

/// The `/ServiceProviderConfig` document: what is implemented, truly.
pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": MAX_RESULTS },
        "changePassword": { "supported": true },
        "sort": { "supported": false },
        "etag": { "supported": true },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "Provisioning token",
            "description": "A bearer token made with POST /v1/provisioning-tokens (or admin provisioning-token), sent as Authorization: Bearer <token>.",
            "primary": true,
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base}/scim/v2/ServiceProviderConfig"),
        },
    })
}
