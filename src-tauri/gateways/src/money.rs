//! Exact money: integer minor units of an ISO 4217 currency. No floats anywhere.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount is empty")]
    Empty,
    #[error("amount {0:?} is not a decimal number like 12.34")]
    NotDecimal(String),
    #[error("amount {amount:?} has more than {digits} decimal places for {currency}")]
    TooPrecise {
        amount: String,
        digits: u32,
        currency: Currency,
    },
    #[error("amount {0:?} is too large")]
    Overflow(String),
    #[error("currency {0:?} is not a supported ISO 4217 code")]
    UnknownCurrency(String),
    #[error("amount must be positive, got {0}")]
    NotPositive(String),
    #[error("google.type.Money is malformed: {0}")]
    BadGoogleMoney(String),
    #[error("currencies differ: {0} and {1}")]
    CurrencyMismatch(Currency, Currency),
}

/// The input as an error quotes it: whole up to 40 characters, cut after that, so a hostile
/// megabyte gives a one-line error.
fn clip(text: &str) -> String {
    const KEEP: usize = 40;
    if text.chars().count() <= KEEP {
        text.to_string()
    } else {
        let head: String = text.chars().take(KEEP).collect();
        format!("{head}… ({} characters)", text.chars().count())
    }
}

/// An ISO 4217 currency the console supports, with its minor-unit exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency {
    code: [u8; 3],
    exponent: u32,
}

/// Currencies and their minor-unit exponents (ISO 4217).
const CURRENCIES: &[(&str, u32)] = &[
    ("CNY", 2),
    ("INR", 2),
    ("USD", 2),
    ("EUR", 2),
    ("HKD", 2),
    ("JPY", 0),
];

impl Currency {
    /// Every currency paydesk keeps amounts in.
    pub fn known() -> impl Iterator<Item = Currency> {
        CURRENCIES.iter().map(|(code, exponent)| Currency {
            code: code.as_bytes().try_into().expect("three letters"),
            exponent: *exponent,
        })
    }

    pub const CNY: Currency = Currency {
        code: *b"CNY",
        exponent: 2,
    };
    pub const INR: Currency = Currency {
        code: *b"INR",
        exponent: 2,
    };

    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let upper = code.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == upper)
            .map(|(c, e)| Currency {
                code: c.as_bytes().try_into().expect("three letters"),
                exponent: *e,
            })
            .ok_or_else(|| MoneyError::UnknownCurrency(clip(code)))
    }

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).expect("ASCII code")
    }

    /// Number of decimal places of the minor unit (2 for CNY: 1 yuan = 100 fen).
    pub fn exponent(&self) -> u32 {
        self.exponent
    }

    /// Yen and yuan never share a sign: "¥1230" would read as yuan (the window writes the same).
    pub fn symbol(&self) -> &'static str {
        match self.code() {
            "CNY" => "¥",
            "JPY" => "JP¥",
            "INR" => "₹",
            "USD" => "$",
            "EUR" => "€",
            "HKD" => "HK$",
            _ => "",
        }
    }

    fn scale(&self) -> i64 {
        10_i64.pow(self.exponent)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Currency::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.code().to_string()
    }
}

/// An exact amount: `minor` units (fen, paise, cents) of `currency`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

/// The wire form of `google.type.Money` (proto3 JSON: int64 `units` may be a string or a number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoogleMoney {
    #[serde(alias = "currencyCode")]
    pub currency_code: String,
    #[serde(with = "int64_string")]
    pub units: i64,
    #[serde(default)]
    pub nanos: i32,
}

mod int64_string {
    use serde::{de, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Number(i64),
            Text(String),
        }
        match Either::deserialize(d)? {
            Either::Number(n) => Ok(n),
            Either::Text(s) => s.trim().parse().map_err(de::Error::custom),
        }
    }
}

impl Money {
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// Parses a decimal string in the currency's main unit ("12.34" yuan → 1234 fen), exactly.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, MoneyError> {
        let text = amount.trim();
        if text.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty()
            || !all_digits(whole)
            || !all_digits(fraction)
            || (digits.contains('.') && fraction.is_empty())
        {
            return Err(MoneyError::NotDecimal(clip(amount)));
        }
        let exponent = currency.exponent();
        let significant = fraction.trim_end_matches('0');
        if significant.len() > exponent as usize {
            return Err(MoneyError::TooPrecise {
                amount: clip(amount),
                digits: exponent,
                currency,
            });
        }
        let overflow = || MoneyError::Overflow(clip(amount));
        let whole_value: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| overflow())?
        };
        let mut fraction_value: i64 = 0;
        for i in 0..exponent as usize {
            let digit = significant
                .as_bytes()
                .get(i)
                .map_or(0, |b| (b - b'0') as i64);
            fraction_value = fraction_value * 10 + digit;
        }
        let minor = whole_value
            .checked_mul(currency.scale())
            .and_then(|v| v.checked_add(fraction_value))
            .ok_or_else(overflow)?;
        Ok(Money {
            minor: if negative { -minor } else { minor },
            currency,
        })
    }

    /// Parses an amount that must be strictly positive (what can be charged).
    pub fn parse_positive(amount: &str, currency: Currency) -> Result<Self, MoneyError> {
        let money = Money::parse(amount, currency)?;
        if money.minor <= 0 {
            return Err(MoneyError::NotPositive(clip(amount.trim())));
        }
        Ok(money)
    }

    /// The decimal string in the main unit, always with every minor digit ("12.30").
    pub fn to_decimal_string(&self) -> String {
        let scale = self.currency.scale();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let whole = abs / scale as u64;
        let fraction = abs % scale as u64;
        if self.currency.exponent() == 0 {
            format!("{sign}{whole}")
        } else {
            format!(
                "{sign}{whole}.{fraction:0width$}",
                width = self.currency.exponent() as usize
            )
        }
    }

    pub fn checked_sub(&self, other: &Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or_else(|| MoneyError::Overflow(format!("{} - {}", self, other)))?;
        Ok(Money::from_minor(minor, self.currency))
    }

    pub fn to_google(&self) -> GoogleMoney {
        let scale = self.currency.scale();
        let nanos_per_minor = 10_i64.pow(9 - self.currency.exponent());
        GoogleMoney {
            currency_code: self.currency.code().to_string(),
            units: self.minor / scale,
            nanos: ((self.minor % scale) * nanos_per_minor) as i32,
        }
    }

    pub fn from_google(money: &GoogleMoney) -> Result<Money, MoneyError> {
        let bad = |why: &str| MoneyError::BadGoogleMoney(why.to_string());
        let currency = Currency::parse(&money.currency_code)?;
        if !(-999_999_999..=999_999_999).contains(&money.nanos) {
            return Err(bad("nanos outside ±999,999,999"));
        }
        if (money.units > 0 && money.nanos < 0) || (money.units < 0 && money.nanos > 0) {
            return Err(bad("units and nanos have different signs"));
        }
        let nanos_per_minor = 10_i64.pow(9 - currency.exponent());
        let nanos = i64::from(money.nanos);
        if nanos % nanos_per_minor != 0 {
            return Err(MoneyError::TooPrecise {
                amount: format!("{} units {} nanos", money.units, money.nanos),
                digits: currency.exponent(),
                currency,
            });
        }
        let minor = money
            .units
            .checked_mul(currency.scale())
            .and_then(|v| v.checked_add(nanos / nanos_per_minor))
            .ok_or_else(|| MoneyError::Overflow(format!("{} units", money.units)))?;
        Ok(Money { minor, currency })
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.currency.symbol(), self.to_decimal_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny(s: &str) -> Result<Money, MoneyError> {
        Money::parse(s, Currency::CNY)
    }

    #[test]
    fn parses_decimal_strings_exactly() {
        assert_eq!(cny("12.34").unwrap().minor, 1234);
        assert_eq!(cny("0.01").unwrap().minor, 1);
        assert_eq!(cny("12").unwrap().minor, 1200);
        assert_eq!(cny("12.3").unwrap().minor, 1230);
        assert_eq!(cny("12.300").unwrap().minor, 1230);
        assert_eq!(cny(".5").unwrap().minor, 50);
        assert_eq!(cny("-1.75").unwrap().minor, -175);
        // 0.1 + 0.2 style float traps do not exist here.
        assert_eq!(cny("0.29").unwrap().minor, 29);
        assert_eq!(cny("92233720368547758.07").unwrap().minor, i64::MAX);
    }

    #[test]
    fn rejects_malformed_overprecise_and_overflowing_amounts() {
        assert_eq!(cny(""), Err(MoneyError::Empty));
        assert!(matches!(cny("12.345"), Err(MoneyError::TooPrecise { .. })));
        assert!(matches!(cny("1e3"), Err(MoneyError::NotDecimal(_))));
        assert!(matches!(cny("12."), Err(MoneyError::NotDecimal(_))));
        assert!(matches!(cny("1,000"), Err(MoneyError::NotDecimal(_))));
        assert!(matches!(cny("."), Err(MoneyError::NotDecimal(_))));
        assert!(matches!(cny("--1"), Err(MoneyError::NotDecimal(_))));
        assert!(matches!(cny("NaN"), Err(MoneyError::NotDecimal(_))));
        assert!(matches!(
            cny("92233720368547758.08"),
            Err(MoneyError::Overflow(_))
        ));
        assert!(matches!(
            cny("99999999999999999999"),
            Err(MoneyError::Overflow(_))
        ));
        assert!(matches!(
            Money::parse_positive("0.00", Currency::CNY),
            Err(MoneyError::NotPositive(_))
        ));
        assert!(matches!(
            Money::parse_positive("-3", Currency::CNY),
            Err(MoneyError::NotPositive(_))
        ));
        // A long one is quoted cut short, as every other refused amount is.
        let long = format!("-{}1", "0".repeat(4000));
        let refused = Money::parse_positive(&long, Currency::CNY).unwrap_err();
        assert!(refused.to_string().len() < 200, "{refused}");
        assert!(matches!(
            Money::parse("1.5", Currency::parse("JPY").unwrap()),
            Err(MoneyError::TooPrecise { .. })
        ));
    }

    #[test]
    fn formats_with_every_minor_digit() {
        assert_eq!(cny("12.3").unwrap().to_string(), "¥12.30");
        assert_eq!(cny("-0.05").unwrap().to_decimal_string(), "-0.05");
        assert_eq!(
            Money::from_minor(i64::MIN, Currency::CNY).to_decimal_string(),
            "-92233720368547758.08"
        );
        assert_eq!(Money::from_minor(5, Currency::INR).to_string(), "₹0.05");
        let yen = Currency::parse("JPY").unwrap();
        assert_eq!(Money::from_minor(1230, yen).to_string(), "JP¥1230");
    }

    #[test]
    fn google_money_round_trips_with_sign_rules() {
        let m = cny("-1.75").unwrap().to_google();
        assert_eq!((m.units, m.nanos), (-1, -750_000_000));
        let m = cny("0.01").unwrap().to_google();
        assert_eq!((m.units, m.nanos), (0, 10_000_000));
        for minor in [0, 1, -1, 99, -99, 100, 12345, i64::MAX, i64::MIN] {
            let money = Money::from_minor(minor, Currency::CNY);
            assert_eq!(Money::from_google(&money.to_google()).unwrap(), money);
        }
        let json = serde_json::to_value(cny("12.34").unwrap().to_google()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"currency_code": "CNY", "units": "12", "nanos": 340000000})
        );
        let read: GoogleMoney =
            serde_json::from_str(r#"{"currencyCode":"CNY","units":12,"nanos":5}"#).unwrap();
        assert!(matches!(
            Money::from_google(&read),
            Err(MoneyError::TooPrecise { .. })
        ));
    }

    #[test]
    fn google_money_rejects_mixed_signs_and_out_of_range_nanos() {
        let mixed = GoogleMoney {
            currency_code: "CNY".into(),
            units: 1,
            nanos: -10_000_000,
        };
        assert!(Money::from_google(&mixed).is_err());
        let big = GoogleMoney {
            currency_code: "CNY".into(),
            units: 0,
            nanos: 1_000_000_000,
        };
        assert!(Money::from_google(&big).is_err());
        let overflow = GoogleMoney {
            currency_code: "CNY".into(),
            units: i64::MAX,
            nanos: 0,
        };
        assert!(matches!(
            Money::from_google(&overflow),
            Err(MoneyError::Overflow(_))
        ));
    }

    #[test]
    fn subtraction_checks_currency() {
        let inr = Money::from_minor(1, Currency::INR);
        assert!(matches!(
            cny("1").unwrap().checked_sub(&inr),
            Err(MoneyError::CurrencyMismatch(..))
        ));
        assert_eq!(
            cny("1")
                .unwrap()
                .checked_sub(&cny("0.25").unwrap())
                .unwrap()
                .minor,
            75
        );
    }
}
