//! An answer that names another payment than the one it answers (another order number,
//! idempotency key, channel, user or gift pack) settles nothing for this one, whichever way it
//! reads: paid, waiting or failed. Each connector whose answers name the payment holds them
//! against what was asked, and hands a difference to a person. So does an answer from the other
//! world than the profile's (test mode for a live profile, live for a sandbox).

use std::collections::BTreeMap;

use crate::connector::{
    Asked, Channel, Connector, GatewayError, PayOutcome, RetryClass, ANSWER_FOR_ANOTHER_PAYMENT,
    ANSWER_IN_OTHER_MODE,
};
use crate::debit::Debit;
use crate::partner::Partner;
use crate::sensecore::Sensecore;
use crate::yian::Yian;
use crate::Secrets;

fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(body.as_bytes().to_vec());
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
    response
}

fn attributes() -> BTreeMap<String, String> {
    [
        ("user_id", "u-1"),
        ("gift_pos_id", "g-1"),
        ("address_id", "3"),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .into()
}

fn asked(channel: Channel, attributes: &BTreeMap<String, String>) -> Asked<'_> {
    Asked {
        order_no: "O-1",
        idempotency_key: "key-1",
        channel,
        attributes,
        gateway_ref: None,
        live: false,
    }
}

/// 益安's answer: a Ping++ charge for `order_no` on `channel`, paid or refused by the channel.
fn charge(order_no: &str, channel: &str, paid: bool) -> String {
    let failure = if paid {
        "null"
    } else {
        r#""channel_returns_fail""#
    };
    format!(
        r#"{{"status":0,"message":"","ch":{{"id":"ch_WrHW58Ki5unLCSuf54OuHKCS","object":"charge","created":1466149851,"livemode":false,"paid":{paid},"channel":"{channel}","order_no":"{order_no}","amount":9900,"currency":"cny","failure_code":{failure},"failure_msg":null,"credential":{{}}}}}}"#
    )
}

/// Debit's V1 answer: a payout under `source_no`, succeeded (30) or failed (40).
fn payout(source_no: &str, process_code: u32) -> String {
    format!(
        r#"{{"code":0,"message":"","data":{{"channelDebitOrderSimpleInfo":{{"id":7,"merchantSourceNo":"{source_no}","fiatAmount":99,"processCode":{process_code}}}}}}}"#
    )
}

/// The partner's answer: an order for `user_id` and `gift_pos_id`, paid by `pay_type`.
fn gift_order(user_id: &str, gift_pos_id: &str, pay_type: u32) -> String {
    format!(
        r#"{{"code":1,"errors":{{}},"msg":"操作成功","result":{{"ali_pay_url":"","order_info":{{"order_no":"P-9","id":"p9","order_status":1,"pay_type":{pay_type},"order_price":9900,"deduct_price":0,"user_id":"{user_id}","gift_pos_id":"{gift_pos_id}"}}}}}}"#
    )
}

enum Read {
    Pay,
    Status,
}

#[test]
fn an_answer_for_another_payment_is_for_a_person_whatever_it_says() {
    let sensecore = |order_id: &str| format!(r#"{{"order_id":"{order_id}","interactive":false}}"#);
    // (gateway, connector, pay or status, channel asked, answer, the field that differs)
    let cases: Vec<(&str, &dyn Connector, Read, Channel, String, &str)> = vec![
        (
            "yian",
            &Yian,
            Read::Pay,
            Channel::Alipay,
            charge("O-2", "alipay", true),
            "order_no",
        ),
        (
            "yian",
            &Yian,
            Read::Pay,
            Channel::Alipay,
            charge("O-2", "alipay", false),
            "order_no",
        ),
        (
            "yian",
            &Yian,
            Read::Pay,
            Channel::Alipay,
            charge("O-1", "wx", true),
            "channel",
        ),
        (
            "yian",
            &Yian,
            Read::Status,
            Channel::Wechat,
            charge("O-2", "wx", true),
            "order_no",
        ),
        (
            "yian",
            &Yian,
            Read::Status,
            Channel::Wechat,
            charge("O-2", "wx", false),
            "order_no",
        ),
        (
            "sensecore",
            &Sensecore,
            Read::Pay,
            Channel::Balance,
            sensecore("O-2"),
            "order_id",
        ),
        (
            "sensecore",
            &Sensecore,
            Read::Status,
            Channel::Balance,
            r#"{"order_id":"O-2","state":"UNPAID"}"#.into(),
            "order_id",
        ),
        (
            "debit",
            &Debit,
            Read::Pay,
            Channel::Bank,
            payout("key-2", 30),
            "merchantSourceNo",
        ),
        (
            "debit",
            &Debit,
            Read::Pay,
            Channel::Bank,
            payout("key-2", 40),
            "merchantSourceNo",
        ),
        (
            "debit",
            &Debit,
            Read::Status,
            Channel::Bank,
            payout("key-2", 40),
            "merchantSourceNo",
        ),
        (
            "partner",
            &Partner,
            Read::Pay,
            Channel::Balance,
            gift_order("u-2", "g-1", 1),
            "user_id",
        ),
        (
            "partner",
            &Partner,
            Read::Pay,
            Channel::Balance,
            gift_order("u-1", "g-2", 1),
            "gift_pos_id",
        ),
        (
            "partner",
            &Partner,
            Read::Pay,
            Channel::Balance,
            gift_order("u-1", "g-1", 2),
            "pay_type",
        ),
    ];
    let attributes = attributes();
    let (secrets, settings) = (Secrets::new(), BTreeMap::new());
    for (gateway, connector, read, channel, body, field) in cases {
        let answer = response(200, &body);
        let asked = asked(channel, &attributes);
        let outcome = match read {
            Read::Pay => connector.parse_pay_with(&answer, &secrets, &settings, asked),
            Read::Status => connector.parse_status_with(&answer, &secrets, &settings, asked),
        };
        match outcome {
            PayOutcome::ForAPerson(GatewayError {
                code,
                message,
                retry,
            }) => {
                assert_eq!(
                    (code.as_str(), retry),
                    (ANSWER_FOR_ANOTHER_PAYMENT, RetryClass::Unknown),
                    "{gateway}: {body}"
                );
                assert!(message.contains(field), "{gateway}: {message}");
            }
            other => panic!("{gateway}: {body}: {other:?}"),
        }
    }
}

#[test]
fn an_answer_for_the_payment_asked_reads_as_it_says() {
    let cases: Vec<(&str, &dyn Connector, Read, Channel, String, &str)> = vec![
        (
            "yian",
            &Yian,
            Read::Pay,
            Channel::Alipay,
            charge("O-1", "alipay", true),
            "succeeded",
        ),
        (
            "yian",
            &Yian,
            Read::Status,
            Channel::Wechat,
            charge("O-1", "wx", false),
            "failed",
        ),
        (
            "sensecore",
            &Sensecore,
            Read::Pay,
            Channel::Balance,
            r#"{"order_id":"O-1","interactive":false}"#.into(),
            "succeeded",
        ),
        (
            "sensecore",
            &Sensecore,
            Read::Status,
            Channel::Balance,
            r#"{"order_id":"O-1","state":"UNPAID"}"#.into(),
            "failed",
        ),
        (
            "debit",
            &Debit,
            Read::Pay,
            Channel::Bank,
            payout("key-1", 30),
            "succeeded",
        ),
        (
            "debit",
            &Debit,
            Read::Status,
            Channel::Bank,
            payout("key-1", 40),
            "failed",
        ),
        (
            "partner",
            &Partner,
            Read::Pay,
            Channel::Balance,
            gift_order("u-1", "g-1", 1),
            "succeeded",
        ),
    ];
    let attributes = attributes();
    let (secrets, settings) = (Secrets::new(), BTreeMap::new());
    for (gateway, connector, read, channel, body, reads) in cases {
        let answer = response(200, &body);
        let asked = asked(channel, &attributes);
        let outcome = match read {
            Read::Pay => connector.parse_pay_with(&answer, &secrets, &settings, asked),
            Read::Status => connector.parse_status_with(&answer, &secrets, &settings, asked),
        };
        let read_as = match outcome {
            PayOutcome::Succeeded(_) => "succeeded",
            PayOutcome::Failed(_) => "failed",
            ref other => panic!("{gateway}: {body}: {other:?}"),
        };
        assert_eq!(read_as, reads, "{gateway}: {body}");
    }
}

#[test]
fn a_charge_other_than_the_one_the_attempt_was_given_is_another_attempts() {
    // Two attempts of one order on one channel: a status answer with the first's charge is
    // not the second's, whatever its order number says.
    let attributes = attributes();
    let answer = response(200, &charge("O-1", "wx", true));
    let (secrets, settings) = (Secrets::new(), BTreeMap::new());
    let given = |charge_id| Asked {
        gateway_ref: Some(charge_id),
        ..asked(Channel::Wechat, &attributes)
    };
    match Yian.parse_status_with(
        &answer,
        &secrets,
        &settings,
        given("ch_000000000000000000000000"),
    ) {
        PayOutcome::ForAPerson(e) => assert!(e.message.contains("id "), "{}", e.message),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        Yian.parse_status_with(
            &answer,
            &secrets,
            &settings,
            given("ch_WrHW58Ki5unLCSuf54OuHKCS")
        ),
        PayOutcome::Succeeded(_)
    ));
}

#[test]
fn a_charge_from_the_other_world_than_the_profiles_settles_nothing() {
    let attributes = attributes();
    let (secrets, settings) = (Secrets::new(), BTreeMap::new());
    // (the profile is live, the charge's `livemode` (None: not sent), paid, its world's)
    let cases = [
        (true, Some(false), true, false),
        (true, Some(false), false, false),
        (false, Some(true), true, false),
        (false, Some(true), false, false),
        (true, Some(true), true, true),
        (false, Some(false), true, true),
        (true, None, true, true),
        (false, None, false, true),
    ];
    for (live, livemode, paid, same_world) in cases {
        let body = charge("O-1", "wx", paid);
        let body = match livemode {
            Some(mode) => body.replace(r#""livemode":false"#, &format!(r#""livemode":{mode}"#)),
            None => body.replace(r#""livemode":false,"#, ""),
        };
        let answer = response(200, &body);
        let asked = Asked {
            live,
            ..asked(Channel::Wechat, &attributes)
        };
        for (read, outcome) in [
            (
                "pay",
                Yian.parse_pay_with(&answer, &secrets, &settings, asked),
            ),
            (
                "status",
                Yian.parse_status_with(&answer, &secrets, &settings, asked),
            ),
        ] {
            let case = format!("{read}: live {live}, livemode {livemode:?}, paid {paid}");
            match (same_world, outcome) {
                (false, PayOutcome::ForAPerson(e)) => {
                    assert_eq!(e.code, ANSWER_IN_OTHER_MODE, "{case}");
                    assert_eq!(e.retry, RetryClass::Unknown, "{case}");
                    let said = if live { "test mode" } else { "live mode" };
                    assert!(e.message.contains(said), "{case}: {}", e.message);
                }
                (true, PayOutcome::Succeeded(_)) if paid => {}
                (true, PayOutcome::Failed(_)) if !paid => {}
                (_, other) => panic!("{case}: {other:?}"),
            }
        }
    }
}
