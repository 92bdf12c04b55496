//! Handlers read as their business rule: the plumbing they must not hold (retry loops,
//! transaction conditions, the key layout, cursor encoding, DynamoDB types) lives in
//! `shared`, and this test keeps it there.

fn root(path: &str) -> String {
    format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"))
}

/// What a handler must not contain, and why.
const FORBIDDEN: &[(&str, &str)] = &[
    ("loop {", "a loop (retries and polling belong to shared)"),
    ("while ", "a loop (retries and polling belong to shared)"),
    ("for _ in", "a retry loop"),
    ("continue", "a retry loop"),
    ("retries", "a retry budget"),
    ("RETRIES", "a retry budget"),
    ("Attempt", "an optimistic attempt"),
    ("optimistic", "an optimistic attempt"),
    ("Check::", "a transaction-condition label"),
    ("label", "a transaction-condition label"),
    (".failed(", "a transaction-condition label"),
    ("Rejection", "a store rejection"),
    ("TxError", "a store rejection"),
    ("keys::", "the key layout"),
    ("\"USER#", "a key string"),
    ("\"WS#", "a key string"),
    ("\"TOKEN#", "a key string"),
    ("\"MEMBER#", "a key string"),
    ("\"FILE#", "a key string"),
    ("\"ACT", "a key string"),
    ("\"EMAIL#", "a key string"),
    ("\"USERNAME#", "a key string"),
    ("\"RATE#", "a key string"),
    ("\"PROFILE\"", "a key string"),
    ("\"GUARD\"", "a key string"),
    ("\"META\"", "a key string"),
    ("\"PK\"", "a key string"),
    ("\"SK\"", "a key string"),
    ("GSI1", "a key string"),
    ("cursor::", "cursor code"),
    ("encode(", "cursor code"),
    ("decode(", "cursor code"),
    ("base64", "cursor code"),
    ("Hmac", "cursor code"),
    ("AttributeValue", "a DynamoDB item"),
    ("aws_sdk_dynamodb", "the DynamoDB SDK"),
    ("consumed_capacity", "capacity metering"),
    ("Meter", "capacity metering"),
    ("retention", "activity retention"),
];

#[test]
fn handlers_hold_only_their_rule() {
    let mut found = Vec::new();
    let functions = std::fs::read_dir(root("functions")).expect("functions/");
    let mut checked = 0;
    for entry in functions {
        let dir = entry.expect("entry").path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        for file in ["lib.rs", "main.rs"] {
            let path = dir.join("src").join(file);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path:?}"));
            checked += 1;
            for (no, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for (pattern, what) in FORBIDDEN {
                    if code.contains(pattern) {
                        found.push(format!(
                            "{name}/src/{file}:{}: {what}: {}",
                            no + 1,
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    assert!(checked >= 50, "only {checked} files read");
    assert!(
        found.is_empty(),
        "handlers hold plumbing:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_main_only_hands_its_handler_to_the_runtime() {
    for entry in std::fs::read_dir(root("functions")).expect("functions/") {
        let dir = entry.expect("entry").path();
        let text = std::fs::read_to_string(dir.join("src/main.rs")).expect("main.rs");
        let code: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with("#!"))
            .collect();
        assert!(
            code.len() <= 5,
            "{dir:?}: main.rs is more than wiring: {code:?}"
        );
        assert!(
            code.iter().any(|l| l.contains("shared::run::start")),
            "{dir:?}: main.rs does not hand its handler to shared::run"
        );
    }
}
