//! debit: bad requests answered in its own error shape, changing nothing.

use super::*;

fn debit_shape(answer: &Answer) -> Result<(), String> {
    let body = answer.json()?;
    let code = body["code"].as_i64().unwrap_or(0);
    let status = match code {
        1 | 1007 => 200,
        1001 => 401,
        1002..=1006 => 400,
        _ => 0,
    };
    check(
        answer.status == status
            && non_empty_text(&body["message"])
            && body.get("data") == Some(&Value::Null)
            && body.as_object().is_some_and(|o| o.len() == 3),
        "not a debit refusal",
        answer,
    )
}

/// A payout the gateway holds, still processing (above ₹1,000.00): a Get that finds it settles
/// it, so a probe that finds it changes the ledger.
const PAYOUT: &str = "P-1";

struct Debit<'a> {
    h: &'a Harness,
    key: String,
    merchant: String,
}

impl Debit<'_> {
    fn v1(&self, path: &str, body: &str, auth: &[&str]) -> Vec<u8> {
        let mut headers: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", *a)).collect();
        headers.push(("Content-Type", "application/json"));
        raw_request(
            self.h.addr(),
            "POST",
            &format!("/debit/api/channel/Debit/{path}"),
            &headers,
            body.as_bytes(),
        )
    }

    fn set(&self, body: &str) -> Vec<u8> {
        self.v1("Set", body, &[&self.key])
    }

    fn get(&self, body: &str) -> Vec<u8> {
        self.v1("Get", body, &[&self.key])
    }

    fn seal(&self, plain: &str, key: &str) -> String {
        paydesk_crypto::aes256_ecb_encrypt_b64(key.as_bytes(), plain.as_bytes()).unwrap()
    }

    /// A V2 request: `plain` sealed under the merchant's key.
    fn v2(&self, path: &str, plain: &str) -> Vec<u8> {
        let body = json!({"data": self.seal(plain, &self.key)}).to_string();
        self.v1(path, &body, &[&self.merchant])
    }
}

#[tokio::test]
async fn debit_refuses_bad_requests_in_its_shape_and_changes_nothing() {
    let h = Harness::new().await;
    let debit = Debit {
        h: &h,
        key: h.secret("debit", "access_key"),
        merchant: h.setting("debit", "merchant_id"),
    };
    let placed = exchange(
        h.addr(),
        debit.set(&json!({"amount": 1500.25, "sourceNo": PAYOUT}).to_string()),
    )
    .await;
    assert_eq!(placed.json().unwrap()["code"], 0, "{placed:?}");
    let mut probes = Vec::new();
    let mut add = |label: String, request: Vec<u8>| {
        probes.push(Probe {
            label,
            request,
            http_layer: false,
        })
    };
    for (label, value) in hostile_order_numbers() {
        let near = value.replace(ORDER, PAYOUT);
        let get = json!({"sourceNo": near}).to_string();
        add(format!("Get sourceNo {label}"), debit.get(&get));
        add(format!("GetV2 sourceNo {label}"), debit.v2("GetV2", &get));
        // A Set with a well-formed sourceNo of any script is a new payout, not bad input; those
        // that are not a key at all must be refused.
        let not_a_key =
            near.trim().is_empty() || near.len() >= MEGABYTE || near.chars().any(char::is_control);
        if not_a_key {
            let set = json!({"amount": 1, "sourceNo": near}).to_string();
            add(format!("Set sourceNo {label}"), debit.set(&set));
            add(format!("Place sourceNo {label}"), debit.v2("Place", &set));
        }
    }
    let fresh = "NEW-1";
    for (label, body) in [
        (
            "amount as a string",
            json!({"amount": "12.34", "sourceNo": fresh}),
        ),
        ("amount zero", json!({"amount": 0, "sourceNo": fresh})),
        ("amount negative", json!({"amount": -1, "sourceNo": fresh})),
        (
            "amount with three decimals",
            json!({"amount": 1.005, "sourceNo": fresh}),
        ),
        ("amount 1e300", json!({"amount": 1e300, "sourceNo": fresh})),
        ("amount true", json!({"amount": true, "sourceNo": fresh})),
        ("amount a list", json!({"amount": [1], "sourceNo": fresh})),
        ("amount null", json!({"amount": null, "sourceNo": fresh})),
        ("amount missing", json!({"sourceNo": fresh})),
        ("sourceNo a number", json!({"amount": 1, "sourceNo": 1})),
        ("sourceNo a list", json!({"amount": 1, "sourceNo": [fresh]})),
        ("sourceNo missing", json!({"amount": 1})),
        (
            "callbackUrl remote",
            json!({"amount": 1, "sourceNo": fresh, "callbackUrl": "http://example.com/cb"}),
        ),
        (
            "callbackUrl a file",
            json!({"amount": 1, "sourceNo": fresh, "callbackUrl": "file:///etc/passwd"}),
        ),
        (
            "callbackUrl script",
            json!({"amount": 1, "sourceNo": fresh, "callbackUrl": "javascript:alert(1)"}),
        ),
        (
            "callbackUrl 1 MB",
            json!({"amount": 1, "sourceNo": fresh, "callbackUrl": format!("http://127.0.0.1/{}", "x".repeat(MEGABYTE / 2))}),
        ),
        (
            "callbackUrl a number",
            json!({"amount": 1, "sourceNo": fresh, "callbackUrl": 5}),
        ),
        ("a list", json!([{"amount": 1, "sourceNo": fresh}])),
        ("a string", json!("amount=1")),
        ("null", Value::Null),
    ] {
        add(format!("Set {label}"), debit.set(&body.to_string()));
        add(
            format!("Place {label}"),
            debit.v2("Place", &body.to_string()),
        );
    }
    for (label, body) in [
        ("neither id nor sourceNo", json!({})),
        ("id negative", json!({"channelDebitOrderId": -1})),
        ("id a fraction", json!({"channelDebitOrderId": 1.5})),
        ("id a string", json!({"channelDebitOrderId": "1"})),
        ("id beyond u64", json!({"channelDebitOrderId": 1e30})),
        ("id unknown", json!({"channelDebitOrderId": 999})),
        (
            "id of P-1 with another sourceNo",
            json!({"channelDebitOrderId": 1, "sourceNo": "P-2"}),
        ),
        ("sourceNo an object", json!({"sourceNo": {"no": PAYOUT}})),
    ] {
        add(format!("Get {label}"), debit.get(&body.to_string()));
        add(
            format!("GetV2 {label}"),
            debit.v2("GetV2", &body.to_string()),
        );
    }
    let set_twice = format!(r#"{{"amount":1,"sourceNo":"","sourceNo":"{fresh}"}}"#);
    let get_twice = format!(r#"{{"sourceNo":"P-2","sourceNo":"{PAYOUT}"}}"#);
    add("Set naming sourceNo twice".into(), debit.set(&set_twice));
    add(
        "Place naming sourceNo twice".into(),
        debit.v2("Place", &set_twice),
    );
    add("Get naming sourceNo twice".into(), debit.get(&get_twice));
    add(
        "GetV2 naming sourceNo twice".into(),
        debit.v2("GetV2", &get_twice),
    );
    let sealed_get = debit.seal(&json!({"sourceNo": PAYOUT}).to_string(), &debit.key);
    add(
        "GetV2 naming data twice".into(),
        debit.v1(
            "GetV2",
            &format!(r#"{{"data":"x","data":"{sealed_get}"}}"#),
            &[&debit.merchant],
        ),
    );
    let plain_get = json!({"sourceNo": PAYOUT}).to_string();
    for (label, body) in [
        ("data empty", json!({"data": ""}).to_string()),
        ("data missing", json!({}).to_string()),
        ("data a number", json!({"data": 5}).to_string()),
        ("data not Base64", json!({"data": "%%%"}).to_string()),
        (
            "data under another key",
            json!({"data": debit.seal(&plain_get, "0123456789abcdef0123456789abcdef")}).to_string(),
        ),
        (
            "data sealing no JSON",
            json!({"data": debit.seal("sourceNo=P-1", &debit.key)}).to_string(),
        ),
        (
            "data 1 MB",
            json!({"data": "A".repeat(MEGABYTE - 100)}).to_string(),
        ),
        ("the plain V1 body", plain_get.clone()),
        ("not JSON", "data=x".into()),
        ("empty", String::new()),
    ] {
        add(
            format!("GetV2 {label}"),
            debit.v1("GetV2", &body, &[&debit.merchant]),
        );
    }
    let wrong = format!("{}x", debit.key);
    for (label, path, body, auth) in [
        (
            "Get without Authorization",
            "Get",
            plain_get.clone(),
            vec![],
        ),
        (
            "Get with an empty Authorization",
            "Get",
            plain_get.clone(),
            vec![""],
        ),
        (
            "Get with a wrong key",
            "Get",
            plain_get.clone(),
            vec![wrong.as_str()],
        ),
        (
            "Get with the merchant id",
            "Get",
            plain_get.clone(),
            vec![debit.merchant.as_str()],
        ),
        (
            "Get with the key twice",
            "Get",
            plain_get.clone(),
            vec![debit.key.as_str(), debit.key.as_str()],
        ),
        (
            "Get with the key and a wrong one",
            "Get",
            plain_get.clone(),
            vec![debit.key.as_str(), wrong.as_str()],
        ),
        (
            "GetV2 with the access key",
            "GetV2",
            json!({"data": sealed_get}).to_string(),
            vec![debit.key.as_str()],
        ),
        (
            "GetV2 with the merchant id twice",
            "GetV2",
            json!({"data": sealed_get}).to_string(),
            vec![debit.merchant.as_str(), debit.merchant.as_str()],
        ),
    ] {
        add(label.into(), debit.v1(path, &body, &auth));
    }
    h.run("debit", probes, debit_shape).await;
    // The unmutated Get finds the payout and settles it (₹1,500.25 is paid out).
    let settled = exchange(h.addr(), debit.get(&plain_get)).await;
    assert_eq!(settled.json().unwrap()["code"], 0, "{settled:?}");
    assert_eq!(h.sandbox.ledger.charges_for("debit", PAYOUT), 1);
}
