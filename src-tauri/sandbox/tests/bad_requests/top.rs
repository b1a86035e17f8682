//! TOP: bad requests answered in its own error shape, changing nothing.

use super::*;

fn top_shape(answer: &Answer) -> Result<(), String> {
    let body = answer.json()?;
    let error = &body["error_response"];
    check(
        answer.status == 200
            && body.as_object().is_some_and(|o| o.len() == 1)
            && error["code"].as_i64().is_some_and(|c| c > 0)
            && non_empty_text(&error["msg"])
            && non_empty_text(&error["request_id"])
            && (error.get("sub_code").is_none() || non_empty_text(&error["sub_code"])),
        "not a TOP error_response",
        answer,
    )
}

struct Top<'a> {
    h: &'a Harness,
    secret: String,
}

impl Top<'_> {
    fn system(&self) -> BTreeMap<String, String> {
        let now = chrono::Utc::now().timestamp_millis().to_string();
        [
            ("method", "alibaba.cloudgame.tradeplatform.payorder"),
            ("app_key", &self.h.setting("top", "app_key")),
            ("timestamp", &now),
            ("v", "2.0"),
            ("sign_method", "md5"),
            ("format", "json"),
            ("partner_id", "paydesk"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn param(&self) -> Value {
        let setting = |k: &str| self.h.setting("top", k);
        json!({
            "charge_item_code": setting("charge_item_code"),
            "order_id": ORDER,
            "category_code": setting("category_code"),
            "user_country": setting("user_country"),
            "commodity_code": setting("commodity_code"),
            "currency": "CNY",
            "pay_idempotent_code": "matrix-1",
            "pay_serial_id": "matrix-1",
            "balance_pay_amount": AMOUNT,
            "tenant_id": setting("tenant_id").parse::<i64>().unwrap(),
            "pay_start_time": chrono::Utc::now().timestamp_millis(),
        })
    }

    /// TOP's md5 signature over every parameter but `sign`, empty keys and values left out.
    fn sign(&self, params: &BTreeMap<String, String>) -> String {
        let base: String = params
            .iter()
            .filter(|(k, v)| !k.is_empty() && !v.is_empty() && k.as_str() != "sign")
            .flat_map(|(k, v)| [k.as_str(), v.as_str()])
            .collect();
        paydesk_crypto::md5_hex(format!("{}{base}{}", self.secret, self.secret).as_bytes())
            .to_ascii_uppercase()
    }

    /// A request with `system` in the query and `request_param` (raw text) in the form body,
    /// signed over both unless `sign` is given.
    fn request(
        &self,
        mut system: BTreeMap<String, String>,
        request_param: &str,
        sign: Option<&str>,
    ) -> Vec<u8> {
        let mut all = system.clone();
        all.insert("request_param".into(), request_param.into());
        let sign = sign.map_or_else(|| self.sign(&all), str::to_string);
        system.insert("sign".into(), sign);
        let query: Vec<(&str, &str)> = system
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        raw_request(
            self.h.addr(),
            "POST",
            &format!("/top/router/rest?{}", form(&query)),
            &[(
                "Content-Type",
                "application/x-www-form-urlencoded;charset=utf-8",
            )],
            form(&[("request_param", request_param)]).as_bytes(),
        )
    }

    /// Every parameter in the form body (TOP takes system parameters there too), signed over
    /// them all unless `sign` is given: room for values too large for a query string.
    fn request_in_body(
        &self,
        mut system: BTreeMap<String, String>,
        request_param: &str,
        sign: Option<&str>,
    ) -> Vec<u8> {
        system.insert("request_param".into(), request_param.into());
        let sign = sign.map_or_else(|| self.sign(&system), str::to_string);
        system.insert("sign".into(), sign);
        let pairs: Vec<(&str, &str)> = system
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        raw_request(
            self.h.addr(),
            "POST",
            "/top/router/rest",
            &[("Content-Type", FORM)],
            form(&pairs).as_bytes(),
        )
    }

    fn with_param(&self, change: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Vec<u8> {
        let mut param = self.param();
        change(param.as_object_mut().unwrap());
        self.request(self.system(), &param.to_string(), None)
    }

    fn with_system(&self, change: impl FnOnce(&mut BTreeMap<String, String>)) -> Vec<u8> {
        let mut system = self.system();
        change(&mut system);
        self.request(system, &self.param().to_string(), None)
    }
}

#[tokio::test]
async fn top_refuses_bad_requests_in_its_shape_and_changes_nothing() {
    let h = Harness::new().await;
    let top = Top {
        h: &h,
        secret: h.secret("top", "app_secret"),
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
        add(
            format!("order_id {label}"),
            top.with_param(|p| {
                p.insert("order_id".into(), value.clone().into());
            }),
        );
    }
    for key in [
        "charge_item_code",
        "category_code",
        "user_country",
        "commodity_code",
        "currency",
    ] {
        for (label, value) in [
            ("empty", json!("")),
            ("1 MB", json!("x".repeat(MEGABYTE / 2))),
            ("control character", json!("1\u{0}")),
            ("emoji", json!("🧾")),
            ("a number", json!(1)),
            ("a list", json!(["1"])),
            ("null", Value::Null),
        ] {
            add(
                format!("{key} {label}"),
                top.with_param(|p| {
                    p.insert(key.into(), value);
                }),
            );
        }
        add(
            format!("{key} missing"),
            top.with_param(|p| {
                p.remove(key);
            }),
        );
    }
    for (key, label, value) in [
        (
            "balance_pay_amount",
            "as a string",
            json!(AMOUNT.to_string()),
        ),
        ("balance_pay_amount", "with a fraction", json!(12.34)),
        ("balance_pay_amount", "negative", json!(-AMOUNT)),
        ("balance_pay_amount", "one fen short", json!(AMOUNT - 1)),
        ("balance_pay_amount", "beyond int64", json!(u64::MAX)),
        ("balance_pay_amount", "a list", json!([AMOUNT])),
        ("balance_pay_amount", "null", Value::Null),
        ("credit_pay_amount", "as a string", json!("0")),
        ("credit_pay_amount", "negative", json!(-1)),
        ("credit_pay_amount", "too much", json!(1)),
        ("tenant_id", "as a string", json!("1")),
        ("tenant_id", "another tenant", json!(2)),
        ("pay_start_time", "as a date", json!("2025-11-21 12:40:00")),
        ("huijin_account_id", "present", json!(1)),
        (
            "refund_subscribe_list",
            "an object",
            json!({"subscribe_id": "s", "refund_amount": 1}),
        ),
        (
            "refund_subscribe_list",
            "a refund in yuan",
            json!([{"subscribe_id": "s", "refund_amount": "1.00"}]),
        ),
        (
            "refund_subscribe_list",
            "a zero refund",
            json!([{"subscribe_id": "s", "refund_amount": 0}]),
        ),
        (
            "refund_subscribe_list",
            "no id",
            json!([{"refund_amount": 1}]),
        ),
        (
            "refund_subscribe_list",
            "an id twice",
            json!([{"subscribe_id": "s", "refund_amount": 1}, {"subscribe_id": "s", "refund_amount": 2}]),
        ),
        ("pay_idempotent_code", "empty", json!("")),
        ("pay_idempotent_code", "a number", json!(1)),
        ("pay_serial_id", "an object", json!({"id": 1})),
    ] {
        add(
            format!("{key} {label}"),
            top.with_param(|p| {
                p.insert(key.into(), value);
            }),
        );
    }
    let param = top.param().to_string();
    for (label, raw) in [
        ("request_param empty", String::new()),
        ("request_param not JSON", "order_id=A-1".to_string()),
        ("request_param a list", format!("[{param}]")),
        ("request_param a string", json!(param).to_string()),
        ("request_param null", "null".into()),
        (
            "request_param naming order_id twice",
            param.replacen('{', r#"{"order_id":"other","#, 1),
        ),
        (
            "request_param naming the amount twice",
            param.replacen('{', r#"{"balance_pay_amount":1,"#, 1),
        ),
    ] {
        add(label.into(), top.request(top.system(), &raw, None));
    }
    for (key, label, value) in [
        ("method", "empty", String::new()),
        ("method", "another method", "taobao.user.seller.get".into()),
        (
            "method",
            "with a line feed",
            "alibaba.cloudgame.tradeplatform.payorder\n".into(),
        ),
        ("app_key", "empty", String::new()),
        ("app_key", "wrong", "87654321".into()),
        (
            "app_key",
            "with NUL",
            format!("{}\u{0}", h.setting("top", "app_key")),
        ),
        ("timestamp", "empty", String::new()),
        ("timestamp", "garbage", "yesterday".into()),
        (
            "timestamp",
            "eleven minutes ago",
            (chrono::Utc::now().timestamp_millis() - 660_000).to_string(),
        ),
        (
            "timestamp",
            "fullwidth digits",
            "１７６３７０００００００００".into(),
        ),
        ("sign_method", "sha1", "sha1".into()),
        ("sign_method", "upper case", "MD5".into()),
        ("v", "empty", String::new()),
        ("v", "3.0", "3.0".into()),
        ("format", "xml", "xml".into()),
        ("format", "empty", String::new()),
    ] {
        add(
            format!("{key} {label}"),
            top.with_system(|s| {
                s.insert(key.into(), value);
            }),
        );
    }
    let mut signed = top.system();
    signed.insert("request_param".into(), param.clone());
    let right = top.sign(&signed);
    let other_secret = Top {
        h: &h,
        secret: "not-the-app-secret".into(),
    };
    for (label, sign) in [
        ("sign empty", String::new()),
        ("sign lower case", right.to_ascii_lowercase()),
        ("sign with another secret", other_secret.sign(&signed)),
        (
            "sign of nothing",
            paydesk_crypto::md5_hex(b"").to_ascii_uppercase(),
        ),
        ("sign with a control character", format!("{right}\u{7}")),
    ] {
        add(label.into(), top.request(top.system(), &param, Some(&sign)));
    }
    // Values too large for a query string, in the body.
    let mut system = top.system();
    system.insert("timestamp".into(), "9".repeat(MEGABYTE / 2));
    add(
        "timestamp 1 MB of digits".into(),
        top.request_in_body(system, &param, None),
    );
    add(
        "sign 1 MB".into(),
        top.request_in_body(top.system(), &param, Some(&"A".repeat(MEGABYTE / 2))),
    );
    let mut system = top.system();
    system.insert("app_key".into(), "k".repeat(MEGABYTE / 2));
    add(
        "app_key 1 MB".into(),
        top.request_in_body(system, &param, None),
    );
    // Signed as HMAC-SHA256 but declared md5; a parameter added after signing.
    let hmac = paydesk_crypto::hmac_sha256_hex(
        top.secret.as_bytes(),
        signed
            .iter()
            .flat_map(|(k, v)| [k.as_str(), v.as_str()])
            .collect::<String>()
            .as_bytes(),
    )
    .to_ascii_uppercase();
    add(
        "sign made another way".into(),
        top.request(top.system(), &param, Some(&hmac)),
    );
    let mut system = top.system();
    let mut all = system.clone();
    all.insert("request_param".into(), param.clone());
    system.insert("sign".into(), top.sign(&all));
    system.insert("session".into(), "added-after-signing".into());
    let query: Vec<(&str, &str)> = system
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    add(
        "a parameter added after signing".into(),
        raw_request(
            h.addr(),
            "POST",
            &format!("/top/router/rest?{}", form(&query)),
            &[("Content-Type", FORM)],
            form(&[("request_param", &param)]).as_bytes(),
        ),
    );
    // The same parameter twice: in the query and the body, twice in the body.
    let mut system = top.system();
    system.insert("sign".into(), top.sign(&all));
    let query: Vec<(&str, &str)> = system
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let target = format!("/top/router/rest?{}", form(&query));
    add(
        "request_param in the query and the body".into(),
        raw_request(
            h.addr(),
            "POST",
            &format!("{target}&{}", form(&[("request_param", &param)])),
            &[("Content-Type", FORM)],
            form(&[("request_param", &param)]).as_bytes(),
        ),
    );
    add(
        "request_param twice in the body".into(),
        raw_request(
            h.addr(),
            "POST",
            &target,
            &[("Content-Type", FORM)],
            format!("{0}&{0}", form(&[("request_param", &param)])).as_bytes(),
        ),
    );
    add(
        "the body not UTF-8".into(),
        raw_request(
            h.addr(),
            "POST",
            &target,
            &[("Content-Type", FORM)],
            b"request_param=%FF",
        ),
    );
    add(
        "the body 1 MB".into(),
        raw_request(
            h.addr(),
            "POST",
            &target,
            &[("Content-Type", FORM)],
            format!(
                "{}&pad={}",
                form(&[("request_param", &param)]),
                "x".repeat(MEGABYTE)
            )
            .as_bytes(),
        ),
    );
    add(
        "a parameter named by 1 MB twice".into(),
        raw_request(
            h.addr(),
            "POST",
            &target,
            &[("Content-Type", FORM)],
            format!("{0}=1&{0}=2", "k".repeat(MEGABYTE / 3)).as_bytes(),
        ),
    );
    add(
        "no parameters at all".into(),
        raw_request(
            h.addr(),
            "POST",
            "/top/router/rest",
            &[("Content-Type", FORM)],
            b"",
        ),
    );
    h.run("top", probes, top_shape).await;
    h.pays("top", top.request(top.system(), &param, None)).await;
}

// ---------------------------------------------------------------------------------------------
// Partner: HTTP 200 and `{"code" (not 1), "errors": {...}, "msg", "result": {}}`.
