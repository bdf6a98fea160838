//! The API contract (issue #16 item 5, decision 0018): every successful response of the OpenAPI
//! document has a named, typed schema, and the document is valid OpenAPI 3.1.

use serde_json::Value;

/// Resolves a local `$ref` (`#/components/schemas/Name`) to its schema and name.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> (Option<&'a str>, &'a Value) {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap_or(r);
            (Some(name), &doc["components"]["schemas"][name])
        }
        None => (None, schema),
    }
}

/// Why a response schema is untyped, or None when it is typed: a JSON body must be a named
/// component with properties (or a list or map of them); a bare `object` without properties,
/// an empty (free-form) schema or a missing schema is untyped. Text and binary bodies must say
/// they are strings.
fn untyped(doc: &Value, media: &str, schema: Option<&Value>) -> Option<String> {
    let Some(schema) = schema else {
        return Some("no schema".into());
    };
    if media != "application/json" {
        return (schema["type"] != "string").then(|| format!("{media} body is not a string"));
    }
    let (name, s) = resolve(doc, schema);
    // A list or a map of named items.
    if name.is_none() {
        if s["type"] == "array" {
            return untyped(doc, media, s.get("items")).map(|w| format!("items: {w}"));
        }
        if s["type"] == "object"
            && let Some(v) = s.get("additionalProperties").filter(|v| v.is_object())
        {
            return untyped(doc, media, Some(v)).map(|w| format!("values: {w}"));
        }
        return Some(format!("inline schema {s}, not a named one"));
    }
    // A flattened part (`allOf`) counts when one of its parts is typed; a free-form part is
    // counted by `free_form_fields_do_not_grow`.
    let typed = |s: &Value| s["properties"].as_object().is_some_and(|p| !p.is_empty());
    let has_properties = typed(s)
        || s["allOf"]
            .as_array()
            .is_some_and(|parts| parts.iter().any(|p| typed(resolve(doc, p).1)));
    (!has_properties).then(|| format!("{} has no properties", name.unwrap_or("?")))
}

/// Every 2xx response with what is wrong with its schema.
fn untyped_responses(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            for (status, resp) in op["responses"].as_object().expect("responses") {
                if !status.starts_with('2') || status == "204" {
                    continue;
                }
                let content = resp["content"].as_object();
                let Some(content) = content.filter(|c| !c.is_empty()) else {
                    out.push(format!("{method} {path} {status}: no body schema"));
                    continue;
                };
                for (media, c) in content {
                    if let Some(why) = untyped(doc, media, c.get("schema")) {
                        out.push(format!("{method} {path} {status} {media}: {why}"));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_response_has_a_named_schema() {
    let doc = ipfin_web::api::openapi::document_json();
    let bad = untyped_responses(&doc);
    assert!(
        bad.is_empty(),
        "{} untyped responses:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// Counts the free-form (`{}` or bare `object`) schemas nested in the components: fields kept
/// as stored snapshots or rows not yet given their own type. This may only go down.
#[test]
fn free_form_fields_do_not_grow() {
    fn free_form(v: &Value) -> usize {
        match v {
            Value::Object(m) => {
                let bare = m.get("type").is_some_and(|t| t == "object")
                    && !m.contains_key("properties")
                    && !m.contains_key("$ref")
                    && !m.get("additionalProperties").is_some_and(Value::is_object);
                usize::from(bare) + m.values().map(free_form).sum::<usize>()
            }
            Value::Array(a) => a.iter().map(free_form).sum(),
            _ => 0,
        }
    }
    let doc = ipfin_web::api::openapi::document_json();
    let n = free_form(&doc["components"]["schemas"]);
    const CEILING: usize = 50;
    assert!(
        n <= CEILING,
        "{n} free-form schemas in the components (at most {CEILING}): type the new field"
    );
    println!("free-form schemas in the components: {n} (ceiling {CEILING})");
}

/// The document is OpenAPI 3.1, and valid: checked with `openapi-spec-validator` (Python),
/// which CI installs (`.ci/run`); where it is missing the check says so and passes.
#[test]
fn document_is_valid_openapi_3_1() {
    let doc = ipfin_web::api::openapi::document_json();
    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3.1."), "openapi: {version}");
    let have = std::process::Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        println!(
            "SKIPPED: python3 -m openapi_spec_validator is not installed \
             (pip install openapi-spec-validator); .ci/run installs it"
        );
        return;
    }
    let path = std::env::temp_dir().join(format!("ipfin-openapi-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_vec_pretty(&doc).expect("json")).expect("write");
    let out = std::process::Command::new("python3")
        .args(["-m", "openapi_spec_validator", "--schema", "3.1"])
        .arg(&path)
        .output()
        .expect("run the validator");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "the OpenAPI document is not valid OpenAPI 3.1:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `rules_schema` answers the generated JSON Schema itself; its documented top-level keywords
/// (`PolicyRulesSchema`) are there with the documented types.
#[test]
fn policy_rules_schema_has_the_documented_keywords() {
    let s = ipfin_domain::policy::document::schema();
    assert!(s["$schema"].is_string(), "{s}");
    assert!(s["title"].is_string(), "{s}");
    assert_eq!(s["type"], "object");
    assert!(s["properties"].is_object());
    assert!(s["$defs"].is_object());
}

/// Issue #19 item 10: the calculator's request is one typed body per kind, told apart by
/// `kind`, each naming the fields that kind needs.
#[test]
fn the_calculator_body_is_one_typed_body_per_kind() {
    let doc = ipfin_web::api::openapi::document_json();
    let body = &doc["components"]["schemas"]["CalculatorBody"];
    let variants = body["oneOf"].as_array().cloned().unwrap_or_default();
    assert_eq!(variants.len(), 3, "{body}");
    let mut seen = Vec::new();
    for v in &variants {
        // Each variant: the kind's tag and the kind's own typed body.
        let text = v.to_string();
        let kind = ["enterprise_fee", "institution", "securitisation"]
            .into_iter()
            .find(|k| text.contains(&format!("\"{k}\"")))
            .expect("a kind tag");
        seen.push(kind);
        let own = match kind {
            "enterprise_fee" => "EnterpriseFeeBody",
            "institution" => "InstitutionBody",
            _ => "SecuritisationBody",
        };
        assert!(text.contains(own), "{kind}: {text}");
    }
    assert_eq!(
        seen,
        vec!["enterprise_fee", "institution", "securitisation"]
    );
    let schemas = &doc["components"]["schemas"];
    let required = |name: &str| -> Vec<String> {
        schemas[name]["required"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        required("SecuritisationBody"),
        vec!["policy_version_id", "year_number"]
    );
    assert!(required("InstitutionBody").contains(&"loans".to_string()));
    assert!(required("EnterpriseFeeBody").contains(&"class".to_string()));
    assert!(schemas["EnterpriseFeeBody"]["properties"]["item_used_fen"].is_object());
    assert!(schemas["CalculatorItem"]["properties"]["remaining_fen"].is_object());
}
