//! SenseCore: bad requests answered in its own error shape, changing nothing.

use super::*;

fn sensecore_shape(answer: &Answer) -> Result<(), String> {
    let body = answer.json()?;
    let code = body["code"].as_i64().unwrap_or(0);
    check(
        (1..=16).contains(&code)
            && non_empty_text(&body["message"])
            && body["details"].is_array()
            && answer.status == grpc_http_status(code)
            && body.get("order_id").is_none(),
        "not a google.rpc.Status refusal",
        answer,
    )
}

fn sensecore_pay(h: &Harness, path_id: &str, body: &str, token: &str) -> Vec<u8> {
    let auth = format!("Bearer {token}");
    raw_request(
        h.addr(),
        "POST",
        &format!("/sensecore/v1/orders/{}:pay", enc(path_id)),
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    )
}

fn sensecore_body(order_id: &Value, channel: &Value) -> String {
    json!({"order_id": order_id, "payment_channel": channel}).to_string()
}

#[tokio::test]
async fn sensecore_refuses_bad_requests_in_its_shape_and_changes_nothing() {
    let h = Harness::new().await;
    let token = h.secret("sensecore", "token");
    let bearer = format!("Bearer {token}");
    let good = sensecore_body(&json!(ORDER), &json!("PC_BALANCE"));
    let mut probes = Vec::new();
    for (label, value) in hostile_order_numbers() {
        let body = sensecore_body(&json!(value), &json!("PC_BALANCE"));
        if value.len() >= MEGABYTE {
            // A megabyte cannot be a request line: the HTTP layer refuses it. In the body only,
            // it no longer matches the path.
            probes.push(Probe {
                http_layer: true,
                ..Probe {
                    label: format!("order id {label} in the path"),
                    request: sensecore_pay(&h, &value, &body, &token),
                    http_layer: false,
                }
            });
            probes.push(Probe {
                label: format!("order id {label} in the body"),
                request: sensecore_pay(&h, ORDER, &body, &token),
                http_layer: false,
            });
            continue;
        }
        probes.push(Probe {
            label: format!("order id {label}"),
            request: sensecore_pay(&h, &value, &body, &token),
            http_layer: false,
        });
        probes.push(Probe {
            label: format!("order id {label} in the body only"),
            request: sensecore_pay(&h, ORDER, &body, &token),
            http_layer: false,
        });
        probes.push(h.probe(
            format!("status of order id {label}"),
            "GET",
            &format!("/sensecore/v1/orders/{}", enc(&value)),
            &[("Authorization", &bearer)],
            b"",
        ));
    }
    // The path as a client that does not encode would send it.
    for raw in [
        format!("/sensecore/v1/orders/../{ORDER}:pay"),
        format!("/sensecore/v1/orders/x/../{ORDER}:pay"),
        format!("/sensecore/v1/orders/./{ORDER}:pay"),
        format!("/sensecore/v1/orders//{ORDER}:pay"),
        format!("/sensecore/v1/orders/{ORDER}:pay/"),
        format!("/sensecore/v1/orders/{ORDER}?:pay"),
        format!("/sensecore/v1/orders/{ORDER}%00:pay"),
        format!("/sensecore/v1/orders/{ORDER}%FF:pay"),
        format!("/sensecore/v1/orders/{ORDER}:PAY"),
        "/sensecore/v1/orders/:pay".to_string(),
    ] {
        probes.push(h.probe(
            format!("raw path {raw}"),
            "POST",
            &raw,
            &[
                ("Authorization", &bearer),
                ("Content-Type", "application/json"),
            ],
            good.as_bytes(),
        ));
    }
    let channels = [
        ("empty channel", json!("")),
        ("unspecified channel", json!("PC_UNSPECIFIED")),
        ("unknown channel", json!("PC_BITCOIN")),
        ("lowercase channel", json!("pc_balance")),
        ("channel with NUL", json!("PC_BALANCE\u{0}")),
        ("1 MB channel", json!("B".repeat(MEGABYTE - 100))),
        ("channel number out of range", json!(99)),
        ("negative channel number", json!(-1)),
        ("fractional channel number", json!(1.5)),
        ("channel as object", json!({"name": "PC_BALANCE"})),
        ("channel as list", json!(["PC_BALANCE"])),
        ("channel true", json!(true)),
        ("channel null", Value::Null),
    ];
    for (label, channel) in channels {
        let body = sensecore_body(&json!(ORDER), &channel);
        probes.push(Probe {
            label: label.into(),
            request: sensecore_pay(&h, ORDER, &body, &token),
            http_layer: false,
        });
    }
    let bodies = [
        ("empty body", String::new()),
        ("not JSON", "order_id=A-1&payment_channel=PC_BALANCE".into()),
        ("JSON list", format!("[{good}]")),
        ("JSON string", json!(good).to_string()),
        ("JSON null", "null".into()),
        ("order id as number", json!({"order_id": 1, "payment_channel": "PC_BALANCE"}).to_string()),
        ("order id as list", json!({"order_id": [ORDER], "payment_channel": "PC_BALANCE"}).to_string()),
        ("order id as object", json!({"order_id": {"id": ORDER}, "payment_channel": "PC_BALANCE"}).to_string()),
        ("order id null", json!({"order_id": null, "payment_channel": "PC_BALANCE"}).to_string()),
        ("order id missing", json!({"payment_channel": "PC_BALANCE"}).to_string()),
        ("order id given twice", format!(r#"{{"order_id":"other","order_id":"{ORDER}","payment_channel":"PC_BALANCE"}}"#)),
        ("order id in both spellings", format!(r#"{{"order_id":"other","orderId":"{ORDER}","payment_channel":"PC_BALANCE"}}"#)),
        ("channel given twice", format!(r#"{{"order_id":"{ORDER}","payment_channel":"PC_UNSPECIFIED","payment_channel":"PC_BALANCE"}}"#)),
        ("1 MB body", format!(r#"{{"order_id":"{ORDER}","payment_channel":"PC_BALANCE","pad":"{}"}}"#, "x".repeat(MEGABYTE))),
        ("vouchers as string", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": "v-1"}).to_string()),
        ("selected vouchers as string", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": [{"billing_account_id": "sandbox-ba-1", "selected_vouchers": "v-1"}]}).to_string()),
        ("voucher group as string", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": ["v-1"]}).to_string()),
        ("voucher without amount", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": [{"selected_vouchers": [{"id": "v-1"}]}]}).to_string()),
        ("voucher amount as string", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": [{"selected_vouchers": [{"id": "v-1", "deduction_amount": "1.00"}]}]}).to_string()),
        ("voucher units not an int64", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": [{"selected_vouchers": [{"id": "v-1", "deduction_amount": {"currency_code": "CNY", "units": "1".repeat(MEGABYTE / 2)}}]}]}).to_string()),
        ("voucher nanos out of range", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": [{"selected_vouchers": [{"id": "v-1", "deduction_amount": {"currency_code": "CNY", "units": "1", "nanos": 1_000_000_000}}]}]}).to_string()),
        ("voucher above the amount", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": [{"selected_vouchers": [{"id": "v-1", "deduction_amount": {"currency_code": "CNY", "units": "13"}}]}]}).to_string()),
        ("voucher in another currency", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": [{"selected_vouchers": [{"id": "v-1", "deduction_amount": {"currency_code": "USD", "units": "1"}}]}]}).to_string()),
        ("voucher key given twice", format!(r#"{{"order_id":"{ORDER}","payment_channel":"PC_BALANCE","ba_vouchers":[{{"selected_vouchers":[{{"id":"v-1","deduction_amount":{{"currency_code":"CNY","units":"1","units":"99"}}}}]}}]}}"#)),
    ];
    for (label, body) in bodies {
        probes.push(Probe {
            label: label.into(),
            request: sensecore_pay(&h, ORDER, &body, &token),
            http_layer: false,
        });
    }
    let wrong_token = format!("Bearer {token}x");
    let token_scheme = format!("Token {token}");
    let lower_scheme = format!("bearer {token}");
    let with_nul = format!("Bearer {token}%00");
    let megabyte_token = format!("Bearer {}", "t".repeat(MEGABYTE));
    for (label, headers) in [
        ("no Authorization", vec![]),
        ("empty Authorization", vec![("Authorization", "")]),
        ("Bearer without a token", vec![("Authorization", "Bearer ")]),
        ("wrong token", vec![("Authorization", wrong_token.as_str())]),
        (
            "Token scheme",
            vec![("Authorization", token_scheme.as_str())],
        ),
        (
            "lowercase scheme",
            vec![("Authorization", lower_scheme.as_str())],
        ),
        (
            "token with an encoded NUL",
            vec![("Authorization", with_nul.as_str())],
        ),
        (
            "Authorization twice, the second wrong",
            vec![
                ("Authorization", bearer.as_str()),
                ("Authorization", wrong_token.as_str()),
            ],
        ),
        (
            "Authorization twice, the first wrong",
            vec![
                ("Authorization", wrong_token.as_str()),
                ("Authorization", bearer.as_str()),
            ],
        ),
    ] {
        let mut headers = headers;
        headers.push(("Content-Type", "application/json"));
        probes.push(h.probe(
            label,
            "POST",
            &format!("/sensecore/v1/orders/{ORDER}:pay"),
            &headers,
            good.as_bytes(),
        ));
    }
    probes.push(Probe {
        http_layer: true,
        ..h.probe(
            "1 MB token",
            "POST",
            &format!("/sensecore/v1/orders/{ORDER}:pay"),
            &[("Authorization", &megabyte_token)],
            good.as_bytes(),
        )
    });
    for method in ["PUT", "DELETE", "PATCH"] {
        probes.push(h.probe(
            format!("{method} instead of POST"),
            method,
            &format!("/sensecore/v1/orders/{ORDER}:pay"),
            &[
                ("Authorization", &bearer),
                ("Content-Type", "application/json"),
            ],
            good.as_bytes(),
        ));
    }
    h.run("sensecore", probes, sensecore_shape).await;
    h.pays("sensecore", sensecore_pay(&h, ORDER, &good, &token))
        .await;
}

// ---------------------------------------------------------------------------------------------
// 益安 (yian): DRF's `{"detail"}` (401 with `WWW-Authenticate: Token`, 4xx) or the view's
// `{"status": -4, "message"}` with HTTP 200.
