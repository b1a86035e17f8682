//! "Already paid" from a gateway: the order's money was taken, by a payment this desk may not
//! know of (another desk's own file, the gateway's back office). Each connector that can tell it
//! from other refusals makes it a matter for a person, never a failure that would leave the order
//! open to be paid again some other way.

use crate::connector::{Connector, GatewayError, PayOutcome, RetryClass};
use crate::partner::{Partner, ALREADY_PAID_CODE};
use crate::top::{Top, ORDER_ALREADY_PAID};
use crate::yian::{Yian, MSG_ALREADY_PAID};

fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(body.as_bytes().to_vec());
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
    response
}

#[test]
fn an_order_already_paid_is_for_a_person_never_a_failure() {
    let top = serde_json::json!({"error_response": {
        "code": 50, "msg": "m50", "sub_code": ORDER_ALREADY_PAID, "sub_msg": "详细", "request_id": "r"
    }})
    .to_string();
    let yian = serde_json::json!({"status": -4, "message": MSG_ALREADY_PAID}).to_string();
    let partner =
        format!(r#"{{"code":{ALREADY_PAID_CODE},"errors":{{}},"msg":"订单已支付","result":null}}"#);
    let cases: [(&str, &dyn Connector, u16, &str, &str); 4] = [
        ("top", &Top, 200, &top, ORDER_ALREADY_PAID),
        ("yian", &Yian, 200, &yian, "-4"),
        ("partner", &Partner, 200, &partner, "409"),
        ("partner", &Partner, 409, &partner, "409"),
    ];
    for (gateway, connector, status, body, code) in cases {
        match connector.parse_pay(&response(status, body)) {
            PayOutcome::ForAPerson(GatewayError {
                code: said, retry, ..
            }) => {
                assert_eq!((said.as_str(), retry), (code, RetryClass::Not), "{gateway}")
            }
            other => panic!("{gateway} HTTP {status}: {other:?}"),
        }
    }
}
