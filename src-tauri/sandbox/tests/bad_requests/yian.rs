//! 益安 (yian): bad requests answered in its own error shape, changing nothing.

use super::*;

fn yian_shape(answer: &Answer) -> Result<(), String> {
    let body = answer.json()?;
    let ok = match answer.status {
        401 => {
            non_empty_text(&body["detail"]) && answer.header("www-authenticate") == Some("Token")
        }
        400..=499 => non_empty_text(&body["detail"]),
        200 => body["status"] == -4 && non_empty_text(&body["message"]) && body.get("ch").is_none(),
        _ => false,
    };
    check(ok, "not a DRF detail or a status -4 refusal", answer)
}

fn yian_request(
    h: &Harness,
    method: &str,
    content_type: &str,
    body: &str,
    auth: &[&str],
) -> Vec<u8> {
    let mut headers: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", *a)).collect();
    if !content_type.is_empty() {
        headers.push(("Content-Type", content_type));
    }
    raw_request(
        h.addr(),
        method,
        "/yian/pay/pay_for_order/",
        &headers,
        body.as_bytes(),
    )
}

#[tokio::test]
async fn yian_refuses_bad_requests_in_its_shape_and_changes_nothing() {
    let h = Harness::new().await;
    let auth = format!("Token {}", h.secret("yian", "token"));
    let good = form(&[("order_no", ORDER), ("channel", "alipay")]);
    let pay =
        |content_type: &str, body: &str| yian_request(&h, "PUT", content_type, body, &[&auth]);
    let mut probes = Vec::new();
    for (label, value) in hostile_order_numbers() {
        probes.push(Probe {
            label: format!("order_no {label} (form)"),
            request: pay(FORM, &form(&[("order_no", &value), ("channel", "alipay")])),
            http_layer: false,
        });
        probes.push(Probe {
            label: format!("order_no {label} (JSON)"),
            request: pay(
                "application/json",
                &json!({"order_no": value, "channel": "wx"}).to_string(),
            ),
            http_layer: false,
        });
        if value.len() < MEGABYTE {
            probes.push(h.probe(
                format!("charge of order_no {label}"),
                "GET",
                &format!("/yian/pay/charge/{}/", enc(&value)),
                &[("Authorization", &auth)],
                b"",
            ));
        }
    }
    for (label, channel) in [
        ("empty", String::new()),
        ("upper case", "WX".into()),
        ("with NUL", "wx\u{0}".into()),
        ("padded", "alipay ".into()),
        ("another channel", "alipay_qr".into()),
        ("two channels", "wx,alipay".into()),
        ("emoji", "💳".into()),
        ("1 MB", "w".repeat(MEGABYTE - 100)),
    ] {
        probes.push(Probe {
            label: format!("channel {label}"),
            request: pay(FORM, &form(&[("order_no", ORDER), ("channel", &channel)])),
            http_layer: false,
        });
    }
    let bodies: Vec<(&str, &str, String)> = vec![
        ("no fields", FORM, String::new()),
        ("no Content-Type", "", good.clone()),
        ("text/plain", "text/plain", good.clone()),
        ("multipart", "multipart/form-data; boundary=x", good.clone()),
        (
            "order_no twice (form)",
            FORM,
            format!("order_no=other&order_no={ORDER}&channel=alipay"),
        ),
        (
            "order_no twice, the same (form)",
            FORM,
            format!("order_no={ORDER}&order_no={ORDER}&channel=alipay"),
        ),
        (
            "channel twice (form)",
            FORM,
            format!("order_no={ORDER}&channel=bad&channel=alipay"),
        ),
        (
            "not UTF-8 (form)",
            FORM,
            format!("order_no={ORDER}%FF&channel=alipay"),
        ),
        (
            "order_no twice (JSON)",
            "application/json",
            format!(r#"{{"order_no":"other","order_no":"{ORDER}","channel":"alipay"}}"#),
        ),
        ("not JSON", "application/json", good.clone()),
        (
            "JSON list",
            "application/json",
            format!(r#"[{{"order_no":"{ORDER}","channel":"alipay"}}]"#),
        ),
        (
            "order_no as list",
            "application/json",
            json!({"order_no": [ORDER], "channel": "alipay"}).to_string(),
        ),
        (
            "order_no as object",
            "application/json",
            json!({"order_no": {"no": ORDER}, "channel": "alipay"}).to_string(),
        ),
        (
            "order_no true",
            "application/json",
            json!({"order_no": true, "channel": "alipay"}).to_string(),
        ),
        (
            "order_no null",
            "application/json",
            json!({"order_no": null, "channel": "alipay"}).to_string(),
        ),
        (
            "channel as list",
            "application/json",
            json!({"order_no": ORDER, "channel": ["alipay"]}).to_string(),
        ),
        (
            "1 MB body",
            FORM,
            format!("{good}&pad={}", "x".repeat(MEGABYTE)),
        ),
    ];
    for (label, content_type, body) in bodies {
        probes.push(Probe {
            label: label.into(),
            request: pay(content_type, &body),
            http_layer: false,
        });
    }
    let megabyte_type = format!("{FORM}; charset={}", "x".repeat(MEGABYTE));
    probes.push(Probe {
        http_layer: true,
        ..h.probe(
            "1 MB Content-Type",
            "PUT",
            "/yian/pay/pay_for_order/",
            &[("Authorization", &auth), ("Content-Type", &megabyte_type)],
            good.as_bytes(),
        )
    });
    let long_type = format!("{FORM}x{}", "x".repeat(20_000));
    probes.push(h.probe(
        "20 KB unknown Content-Type",
        "PUT",
        "/yian/pay/pay_for_order/",
        &[("Authorization", &auth), ("Content-Type", &long_type)],
        good.as_bytes(),
    ));
    let key = h.secret("yian", "token");
    let wrong = format!("Token {}", "0".repeat(40));
    let bearer = format!("Bearer {key}");
    let spaced = format!("Token {key} {key}");
    let lower = format!("token {key}x");
    let no_scheme = key.clone();
    for (label, headers) in [
        ("no Authorization", vec![]),
        ("empty Authorization", vec![""]),
        ("Token alone", vec!["Token"]),
        ("wrong key", vec![wrong.as_str()]),
        ("Bearer scheme", vec![bearer.as_str()]),
        ("key with spaces", vec![spaced.as_str()]),
        ("wrong key, lower-case scheme", vec![lower.as_str()]),
        ("no scheme", vec![no_scheme.as_str()]),
        (
            "Authorization twice, both right",
            vec![auth.as_str(), auth.as_str()],
        ),
        (
            "Authorization twice, the second wrong",
            vec![auth.as_str(), wrong.as_str()],
        ),
    ] {
        probes.push(Probe {
            label: label.into(),
            request: yian_request(&h, "PUT", FORM, &good, &headers),
            http_layer: false,
        });
    }
    for method in ["POST", "GET", "DELETE"] {
        probes.push(Probe {
            label: format!("{method} instead of PUT"),
            request: yian_request(&h, method, FORM, &good, &[&auth]),
            http_layer: false,
        });
    }
    probes.push(h.probe(
        "charge without an order",
        "GET",
        "/yian/pay/charge//",
        &[("Authorization", &auth)],
        b"",
    ));
    probes.push(h.probe(
        "charge of a path",
        "GET",
        &format!("/yian/pay/charge/../{ORDER}/"),
        &[("Authorization", &auth)],
        b"",
    ));
    probes.push(h.probe(
        "charge with a wrong key",
        "GET",
        &format!("/yian/pay/charge/{ORDER}/"),
        &[("Authorization", &wrong)],
        b"",
    ));
    h.run("yian", probes, yian_shape).await;
    h.pays("yian", pay(FORM, &good)).await;
}

// ---------------------------------------------------------------------------------------------
// TOP: HTTP 200 and `{"error_response": {"code", "msg", "sub_code"?, "sub_msg"?, "request_id"}}`.
