//! the partner gateway: bad requests answered in its own error shape, changing nothing.

use super::*;

fn partner_shape(answer: &Answer) -> Result<(), String> {
    let body = answer.json()?;
    check(
        answer.status == 200
            && body["code"].as_i64().is_some_and(|c| c != 1)
            && body["errors"].is_object()
            && non_empty_text(&body["msg"])
            && body["result"] == json!({}),
        "not a partner refusal",
        answer,
    )
}

fn partner_params() -> BTreeMap<String, String> {
    [
        ("user_id", PARTNER_USER),
        ("pay_type", "1"),
        ("gift_pos_id", PARTNER_GIFT),
        ("address_id", "1"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn partner_sign(params: &BTreeMap<String, String>, key: &str) -> String {
    let mut text = String::new();
    for (name, value) in params {
        if !name.is_empty() && !value.is_empty() && name != "sign" {
            text.push_str(&format!("{name}={value}&"));
        }
    }
    paydesk_crypto::md5_hex(format!("{text}key={key}").as_bytes())
}

fn partner_form(h: &Harness, params: &BTreeMap<String, String>) -> Vec<u8> {
    let pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    raw_request(
        h.addr(),
        "POST",
        "/partner/app/partner/order/pay",
        &[("Content-Type", FORM)],
        form(&pairs).as_bytes(),
    )
}

fn partner_raw(h: &Harness, content_type: &str, body: &str) -> Vec<u8> {
    let mut headers = vec![];
    if !content_type.is_empty() {
        headers.push(("Content-Type", content_type));
    }
    raw_request(
        h.addr(),
        "POST",
        "/partner/app/partner/order/pay",
        &headers,
        body.as_bytes(),
    )
}

#[tokio::test]
async fn partner_refuses_bad_requests_in_its_shape_and_changes_nothing() {
    let h = Harness::new().await;
    let key = h.secret("partner", "sign_key");
    let signed = |change: &dyn Fn(&mut BTreeMap<String, String>)| {
        let mut params = partner_params();
        change(&mut params);
        let sign = partner_sign(&params, &key);
        params.insert("sign".into(), sign);
        partner_form(&h, &params)
    };
    let mut probes = Vec::new();
    let mut add = |label: String, request: Vec<u8>| {
        probes.push(Probe {
            label,
            request,
            http_layer: false,
        })
    };
    for (label, value) in hostile_order_numbers() {
        for field in ["user_id", "gift_pos_id", "coupon_id"] {
            if field == "coupon_id" && value.is_empty() {
                continue; // no coupon: the request would be the good one
            }
            add(
                format!("{field} {label}"),
                signed(&|p| {
                    p.insert(field.into(), value.clone());
                }),
            );
        }
    }
    for (label, value) in [
        ("empty", ""),
        ("3", "3"),
        ("0", "0"),
        ("1.0", "1.0"),
        ("padded", " 1"),
        ("fullwidth", "１"),
        ("with NUL", "1\u{0}"),
        ("emoji", "💳"),
    ] {
        add(
            format!("pay_type {label}"),
            signed(&|p| {
                p.insert("pay_type".into(), value.into());
            }),
        );
    }
    for (label, value) in [
        ("empty", "".to_string()),
        ("a word", "home".into()),
        ("a fraction", "1.5".into()),
        ("not in the book", "99".into()),
        ("negative", "-1".into()),
        ("1 MB of digits", "1".repeat(MEGABYTE / 2)),
        ("path-like", "../1".into()),
    ] {
        add(
            format!("address_id {label}"),
            signed(&|p| {
                p.insert("address_id".into(), value.clone());
            }),
        );
    }
    let right = {
        let params = partner_params();
        partner_sign(&params, &key)
    };
    for (label, sign) in [
        ("sign missing", None),
        ("sign empty", Some(String::new())),
        (
            "sign with another key",
            Some(partner_sign(&partner_params(), "not-the-key")),
        ),
        ("sign of nothing", Some(paydesk_crypto::md5_hex(b""))),
        (
            "sign with a control character",
            Some(format!("{right}\u{7}")),
        ),
        ("sign 1 MB", Some("a".repeat(MEGABYTE / 2))),
    ] {
        let mut params = partner_params();
        if let Some(sign) = sign {
            params.insert("sign".into(), sign);
        }
        add(label.into(), partner_form(&h, &params));
    }
    let mut params = partner_params();
    params.insert("sign".into(), right.clone());
    params.insert("coupon_id".into(), "sandbox-coupon-100".into());
    add(
        "a coupon added after signing".into(),
        partner_form(&h, &params),
    );
    let mut with_sign = partner_params();
    with_sign.insert("sign".into(), right.clone());
    let good_form = {
        let pairs: Vec<(&str, &str)> = with_sign
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        form(&pairs)
    };
    let good_json = serde_json::to_string(&with_sign).unwrap();
    let json_signed = |value: Value| {
        // The fields as JSON, signed over the text the emulator reads them as.
        let mut object = serde_json::Map::new();
        let mut text = BTreeMap::new();
        for (k, v) in partner_params() {
            object.insert(k.clone(), v.clone().into());
            text.insert(k, v);
        }
        for (k, v) in value.as_object().unwrap() {
            object.insert(k.clone(), v.clone());
            text.insert(
                k.clone(),
                match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
            );
        }
        object.insert("sign".into(), partner_sign(&text, &key).into());
        Value::Object(object).to_string()
    };
    for (label, content_type, body) in [
        ("no Content-Type", "", good_form.clone()),
        ("text/plain", "text/plain", good_form.clone()),
        ("form as JSON", "application/json", good_form.clone()),
        ("JSON as form", FORM, good_json.clone()),
        ("JSON list", "application/json", format!("[{good_json}]")),
        ("JSON null", "application/json", "null".into()),
        (
            "user_id twice (form)",
            FORM,
            format!("user_id=other&{good_form}"),
        ),
        (
            "user_id twice (JSON)",
            "application/json",
            good_json.replacen('{', r#"{"user_id":"other","#, 1),
        ),
        (
            "sign twice (JSON)",
            "application/json",
            good_json.replacen('{', r#"{"sign":"0","#, 1),
        ),
        ("not UTF-8", FORM, format!("{good_form}%FF")),
        (
            "pay_type as a list",
            "application/json",
            json_signed(json!({"pay_type": [1]})),
        ),
        (
            "pay_type as an object",
            "application/json",
            json_signed(json!({"pay_type": {"type": 1}})),
        ),
        (
            "pay_type true",
            "application/json",
            json_signed(json!({"pay_type": true})),
        ),
        (
            "address_id as a list",
            "application/json",
            json_signed(json!({"address_id": [1]})),
        ),
        (
            "user_id as an object",
            "application/json",
            json_signed(json!({"user_id": {"id": PARTNER_USER}})),
        ),
        (
            "user_id null",
            "application/json",
            json_signed(json!({"user_id": null})),
        ),
        (
            "1 MB body",
            FORM,
            format!("{good_form}&pad={}", "x".repeat(MEGABYTE)),
        ),
    ] {
        add(label.into(), partner_raw(&h, content_type, &body));
    }
    h.run("partner", probes, partner_shape).await;
    h.pays("partner", partner_raw(&h, FORM, &good_form)).await;
}

// ---------------------------------------------------------------------------------------------
// BharatPay debit: `{"code" (not 0), "message", "data": null}`, 401 for 1001, 400 for the
// request's faults, 200 for "order not found" (1) and 1007.
